//! The figures: medians of the samples, ratios taken pair by pair (so drift in machine load
//! cancels within a pair), the printed table and the `--json` document.

use super::measure::Sample;
use serde::Serialize;

/// One linker's samples in one thread mode, with their medians.
#[derive(Serialize, Debug)]
pub struct Side {
    /// Median wall seconds.
    pub wall: f64,
    /// Median user+sys CPU seconds.
    pub cpu: f64,
    /// Median peak RSS in KiB.
    pub max_rss_kib: u64,
    /// Every measured run, warm-up excluded.
    pub samples: Vec<Sample>,
}

impl Side {
    fn new(samples: Vec<Sample>) -> Side {
        let wall = median(samples.iter().map(|s| s.wall).collect());
        let cpu = median(samples.iter().map(|s| s.cpu).collect());
        let rss = median(samples.iter().map(|s| s.max_rss_kib as f64).collect());
        Side {
            wall,
            cpu,
            max_rss_kib: rss as u64,
            samples,
        }
    }
}

/// Both linkers in one thread mode.
#[derive(Serialize, Debug)]
pub struct Row {
    /// `auto` (the linker's default) or `1` (`--threads=1`).
    pub threads: &'static str,
    /// The linker under test.
    pub ours: Side,
    /// wasm-ld-19.
    pub theirs: Side,
    /// Median over pairs of ours/theirs wall time.
    pub wall_ratio: f64,
    /// Median over pairs of ours/theirs CPU time.
    pub cpu_ratio: f64,
}

impl Row {
    /// Summarises the (ours, theirs) pairs of one thread mode.
    pub fn new(threads: &'static str, pairs: &[(Sample, Sample)]) -> Row {
        let ratio =
            |f: fn(&Sample) -> f64| median(pairs.iter().map(|(o, t)| f(o) / f(t)).collect());
        Row {
            threads,
            wall_ratio: ratio(|s| s.wall),
            cpu_ratio: ratio(|s| s.cpu),
            ours: Side::new(pairs.iter().map(|p| p.0).collect()),
            theirs: Side::new(pairs.iter().map(|p| p.1).collect()),
        }
    }
}

/// Everything measured for one workload; `error` says why the rest may be missing.
#[derive(Serialize, Debug, Default)]
pub struct WorkloadReport {
    /// The workload's name.
    pub name: &'static str,
    /// Seconds spent preparing it this time.
    pub prepare_seconds: f64,
    /// Whether preparing found it in the cache.
    pub prepare_cached: bool,
    /// The linker's arguments, for replaying by hand.
    pub link_args: Vec<String>,
    /// How many files the link reads.
    pub input_files: usize,
    /// Their total size.
    pub input_bytes: u64,
    /// Output size from the linker under test.
    pub out_bytes_ours: u64,
    /// Output size from wasm-ld-19.
    pub out_bytes_theirs: u64,
    /// Median seconds to read all inputs and write an output of wasm-ld's size.
    pub floor_seconds: f64,
    /// What both outputs printed under node, when they agreed.
    pub stdout: String,
    /// Whether both linkers wrote the same bytes.
    pub identical: bool,
    /// One row per thread mode.
    pub rows: Vec<Row>,
    /// Our linker's `--time` phases (milliseconds, medians of a few more links), default
    /// threads; empty if the linker under test has no `--time`.
    pub phases: Vec<(String, f64)>,
    /// The first failure, if any.
    pub error: Option<String>,
}

/// The whole `--json` document.
#[derive(Serialize, Debug)]
pub struct Report {
    /// The linker under test.
    pub linker: String,
    /// The reference linker.
    pub reference: String,
    /// Measured pairs per thread mode.
    pub runs: usize,
    /// Cores on this machine (the `auto` thread count).
    pub cores: usize,
    /// Wall seconds of the whole bench run.
    pub total_seconds: f64,
    /// Per workload.
    pub workloads: Vec<WorkloadReport>,
}

/// The median; 0 for no values.
pub fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    match n {
        0 => 0.0,
        _ if n % 2 == 1 => values[n / 2],
        _ => (values[n / 2 - 1] + values[n / 2]) / 2.0,
    }
}

const HEADER: &str =
    "workload   thr   inputs  | wall ours  wasm-ld  ratio | cpu ours  wasm-ld  ratio \
                      | rss ours  wasm-ld | out ours   wasm-ld |  floor  | prepare      | run";

/// The table, one line per workload and thread mode.
pub fn table(report: &Report) -> String {
    let mut lines = vec![HEADER.to_string(), "-".repeat(HEADER.len())];
    for w in &report.workloads {
        if let Some(e) = &w.error {
            let first = e.lines().next().unwrap_or_default();
            lines.push(format!("{:<10} FAILED: {first}", w.name));
        }
        lines.extend(w.rows.iter().map(|row| line(w, row)));
    }
    lines.join("\n")
}

fn line(w: &WorkloadReport, row: &Row) -> String {
    let (o, t) = (&row.ours, &row.theirs);
    let prepare = format!(
        "{:.1}s {}",
        w.prepare_seconds,
        if w.prepare_cached { "warm" } else { "cold" }
    );
    let run = match (w.stdout.is_empty(), w.identical) {
        (true, _) => "-",
        (false, false) => "same output",
        (false, true) => "same output, same bytes",
    };
    format!(
        "{:<10} {:<4} {:>9} | {:>8} {:>8} {:>6.3} | {:>8} {:>8} {:>6.3} | {:>8} {:>8} | {:>9} {:>9} | {:>7} | {:<12} | {run}",
        w.name,
        row.threads,
        mb(w.input_bytes),
        secs(o.wall),
        secs(t.wall),
        row.wall_ratio,
        secs(o.cpu),
        secs(t.cpu),
        row.cpu_ratio,
        mb(o.max_rss_kib * 1024),
        mb(t.max_rss_kib * 1024),
        mb(w.out_bytes_ours),
        mb(w.out_bytes_theirs),
        secs(w.floor_seconds),
        prepare,
    )
}

fn secs(s: f64) -> String {
    if s < 1.0 {
        format!("{:.1}ms", s * 1e3)
    } else {
        format!("{s:.2}s")
    }
}

fn mb(bytes: u64) -> String {
    format!("{:.1}MB", bytes as f64 / 1e6)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(wall: f64) -> Sample {
        Sample {
            wall,
            cpu: wall * 2.0,
            max_rss_kib: 1000,
        }
    }

    #[test]
    fn medians_of_odd_even_and_empty() {
        assert_eq!(median(vec![3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(vec![4.0, 1.0, 2.0, 3.0]), 2.5);
        assert_eq!(median(vec![]), 0.0);
    }

    #[test]
    fn ratio_is_the_median_of_pair_ratios() {
        let pairs = [
            (sample(2.0), sample(1.0)),
            (sample(1.0), sample(1.0)),
            (sample(9.0), sample(3.0)),
        ];
        let row = Row::new("1", &pairs);
        assert_eq!(row.wall_ratio, 2.0);
        assert_eq!(row.ours.wall, 2.0);
        assert_eq!(row.theirs.wall, 1.0);
    }
}
