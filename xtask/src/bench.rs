//! `cargo xtask bench`: link large real-world inputs with our linker and with wasm-ld-19 and
//! compare time, CPU, memory and output, after checking both outputs run and agree.
//!
//! Each workload is built once into `target/bench/<name>-<content hash>` ([`workloads`]) as a
//! replayable link: the objects plus the arguments clang or rustc gave the linker. Then, for the
//! linker's default thread count and for `--threads=1`, one warm-up link per linker and `--runs`
//! pairs of measured links, alternating which linker goes first ([`measure`]). The table and the
//! `--json` document come from [`report`]. [`synthetic::generate`] is public for benchmarks that
//! want the generated C program without the rest.

mod cxx;
pub mod measure;
mod prep;
mod relink;
mod report;
mod rust;
mod scale;
mod sqlite;
pub mod synthetic;
mod workloads;

use measure::Sample;
use report::{Report, Row, WorkloadReport};
use std::path::{Path, PathBuf};
use std::time::Instant;
use workloads::{Dirs, Prepared, Sizes, Workload};

const USAGE: &str = "usage: cargo xtask bench [--linker PATH] [--reference PATH] [--runs N]
    [--workload NAME]... [--quick] [--json FILE] [--tus N] [--funcs M]
    [--cxx-units N] [--cxx-classes M] [--emit-synthetic DIR] [--relink] [--scale]
workloads: hello synthetic sqlite sqlite-g cxx cxx-g rust (default: all of these; hello
    measures 20 times --runs pairs),
    sqlite-lto sqlite-thin (SQLite through libLTO: only when named)
--linker defaults to <target dir>/release/wasm-link; --reference to wasm-ld-19 on PATH;
--quick shrinks the generated workloads and defaults --runs to 2;
--emit-synthetic writes the synthetic C sources (sized by --tus/--funcs) to DIR and stops;
--relink times relinks through a wasm_link::Linker session instead (synthetic and cxx-g by
default): cold, a same-size body change, a grown body, a new exported function;
--scale runs the synthetic workload at 1x, 2x and 4x and prints how time and memory grow.";

/// What the command line asked for.
struct Options {
    linker: PathBuf,
    reference: PathBuf,
    runs: usize,
    workloads: Vec<Workload>,
    json: Option<PathBuf>,
    emit_synthetic: Option<PathBuf>,
    sizes: Sizes,
    relink: bool,
    scale: bool,
}

const FULL: Sizes = Sizes {
    tus: 200,
    funcs: 500,
    cxx_units: 60,
    cxx_classes: 20,
};
const QUICK: Sizes = Sizes {
    tus: 20,
    funcs: 50,
    cxx_units: 6,
    cxx_classes: 4,
};

impl Options {
    fn parse(args: &[String]) -> Result<Options, String> {
        let quick = args.iter().any(|a| a == "--quick");
        let mut o = Options {
            linker: default_linker(),
            reference: PathBuf::from("wasm-ld-19"),
            runs: if quick { 2 } else { 5 },
            workloads: Vec::new(),
            json: None,
            emit_synthetic: None,
            sizes: if quick { QUICK } else { FULL },
            relink: false,
            scale: false,
        };
        let mut iter = args.iter();
        while let Some(flag) = iter.next() {
            if flag == "--quick" {
                continue;
            }
            if flag == "--relink" || flag == "--scale" {
                o.relink |= flag == "--relink";
                o.scale |= flag == "--scale";
                continue;
            }
            if flag == "--help" || flag == "-h" {
                return Err(USAGE.into());
            }
            let value = iter
                .next()
                .ok_or_else(|| format!("{flag} needs a value\n{USAGE}"))?;
            o.set(flag, value)?;
        }
        if o.workloads.is_empty() && o.relink {
            o.workloads = relink::WORKLOADS.to_vec();
        }
        if o.workloads.is_empty() {
            o.workloads = workloads::ALL.to_vec();
        }
        Ok(o)
    }

    fn set(&mut self, flag: &str, value: &str) -> Result<(), String> {
        let count = || match value.parse::<usize>() {
            Ok(n) if n > 0 => Ok(n),
            _ => Err(format!("{flag} takes a positive number, not `{value}`")),
        };
        match flag {
            "--linker" => self.linker = value.into(),
            "--reference" => self.reference = value.into(),
            "--json" => self.json = Some(value.into()),
            "--emit-synthetic" => self.emit_synthetic = Some(value.into()),
            "--runs" => self.runs = count()?,
            "--tus" => self.sizes.tus = count()?,
            "--funcs" => self.sizes.funcs = count()?,
            "--cxx-units" => self.sizes.cxx_units = count()?,
            "--cxx-classes" => self.sizes.cxx_classes = count()?,
            "--workload" => self.workloads.extend(workload_list(value)?),
            _ => return Err(format!("unknown option {flag}\n{USAGE}")),
        }
        Ok(())
    }
}

fn workload_list(value: &str) -> Result<Vec<Workload>, String> {
    value
        .split(',')
        .map(|name| Workload::by_name(name).ok_or_else(|| format!("no workload `{name}`\n{USAGE}")))
        .collect()
}

/// `release/wasm-link` in the target directory cargo builds into.
fn default_linker() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map_or_else(|| workspace_root().join("target"), PathBuf::from);
    target.join("release/wasm-link")
}

fn workspace_root() -> PathBuf {
    let xtask = Path::new(env!("CARGO_MANIFEST_DIR"));
    xtask.parent().unwrap_or(xtask).to_path_buf()
}

/// Runs the task.
pub fn run(args: &[String]) -> Result<(), String> {
    let start = Instant::now();
    let opts = Options::parse(args)?;
    if let Some(dir) = &opts.emit_synthetic {
        let files = synthetic::generate(dir, opts.sizes.tus, opts.sizes.funcs)?;
        eprintln!("wrote {} files to {}", files.len(), dir.display());
        return Ok(());
    }
    let root = workspace_root();
    let dirs = Dirs {
        cache: root.join("target/bench"),
        root,
    };
    if opts.relink {
        return relink::run(&opts.workloads, opts.sizes, opts.runs, &dirs);
    }
    if opts.scale {
        std::fs::create_dir_all(dirs.cache.join("out")).map_err(|e| e.to_string())?;
        return scale::run(&opts, &dirs);
    }
    check_linkers(&opts)?;
    std::fs::create_dir_all(dirs.cache.join("out")).map_err(|e| e.to_string())?;
    let runner = dirs.cache.join("wasi-runner.mjs");
    prep::write(&runner, include_str!("../../bench/wasi-runner.mjs"))?;
    let workloads = opts
        .workloads
        .iter()
        .map(|&w| bench(w, &opts, &dirs, &runner))
        .collect();
    let report = Report {
        linker: opts.linker.display().to_string(),
        reference: opts.reference.display().to_string(),
        runs: opts.runs,
        cores: std::thread::available_parallelism().map_or(1, |n| n.get()),
        total_seconds: start.elapsed().as_secs_f64(),
        workloads,
    };
    println!("{}", report::table(&report));
    for w in report.workloads.iter().filter(|w| !w.phases.is_empty()) {
        let phases: Vec<String> = w
            .phases
            .iter()
            .map(|(p, ms)| format!("{p} {ms:.1}"))
            .collect();
        println!(
            "phases (ms, ours, default threads, median of {PHASE_LINKS}) {:<10} {}",
            w.name,
            phases.join(", ")
        );
    }
    println!(
        "total {:.1}s, {} pairs per row ({} for hello), {} cores",
        report.total_seconds,
        opts.runs,
        Workload::Hello.pairs(opts.runs),
        report.cores
    );
    finish(&report, opts.json.as_deref())
}

fn check_linkers(opts: &Options) -> Result<(), String> {
    prep::require_tool(
        &opts.reference.to_string_lossy(),
        "wasm-ld-19 (Debian package lld-19)",
    )?;
    prep::require_tool("node", "node >= 20 (Debian package nodejs)")?;
    if opts.linker.components().count() > 1 && !opts.linker.is_file() {
        return Err(format!(
            "no linker at {}: build it with `cargo build --release -p wasm-link-cli` or pass --linker",
            opts.linker.display()
        ));
    }
    Ok(())
}

fn finish(report: &Report, json: Option<&Path>) -> Result<(), String> {
    if let Some(path) = json {
        let text = serde_json::to_string_pretty(report).map_err(|e| e.to_string())?;
        prep::write(path, &text)?;
    }
    let failed: Vec<&str> = report
        .workloads
        .iter()
        .filter(|w| w.error.is_some())
        .map(|w| w.name)
        .collect();
    match failed.is_empty() {
        true => Ok(()),
        false => Err(format!("failed workloads: {}", failed.join(", "))),
    }
}

/// Prepares and measures one workload; a failure is recorded in its report, not fatal.
fn bench(workload: Workload, opts: &Options, dirs: &Dirs, runner: &Path) -> WorkloadReport {
    let mut report = WorkloadReport {
        name: workload.name(),
        ..WorkloadReport::default()
    };
    eprintln!("== {}: preparing", report.name);
    let outcome = workloads::prepare(workload, opts.sizes, dirs).and_then(|prepared| {
        report.prepare_seconds = prepared.seconds;
        report.prepare_cached = prepared.cached;
        let how = if prepared.cached {
            "warm, from cache"
        } else {
            "cold"
        };
        eprintln!(
            "== {}: prepared in {:.1}s ({how}); linking",
            report.name, prepared.seconds
        );
        let runs = workload.pairs(opts.runs);
        measure_all(&prepared, opts, runs, dirs, runner, &mut report)
    });
    if let Err(e) = outcome {
        eprintln!("== {}: FAILED: {e}", report.name);
        report.error = Some(e);
    }
    report
}

/// The two linkers' outputs of one workload.
struct Outputs {
    ours: PathBuf,
    theirs: PathBuf,
}

impl Outputs {
    /// Same file name in two directories: wasm-ld writes the output's name into the module, so
    /// different names would make equal links differ in size.
    fn new(out_dir: &Path, name: &str) -> Result<Outputs, String> {
        let dir = |linker: &str| {
            let dir = out_dir.join(linker);
            std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
            Ok::<_, String>(dir.join(format!("{name}.wasm")))
        };
        Ok(Outputs {
            ours: dir("ours")?,
            theirs: dir("wasm-ld")?,
        })
    }
}

/// Links whose `--time` phases are reported, per workload (medians).
const PHASE_LINKS: usize = 5;

fn measure_all(
    prepared: &Prepared,
    opts: &Options,
    runs: usize,
    dirs: &Dirs,
    runner: &Path,
    report: &mut WorkloadReport,
) -> Result<(), String> {
    let out_dir = dirs.cache.join("out");
    let outs = Outputs::new(&out_dir, report.name)?;
    let spec = &prepared.spec;
    report.link_args = spec.args.clone();
    for (threads, extra) in [("auto", &[][..]), ("1", &["--threads=1"][..])] {
        warm_up(opts, spec, extra, &outs)?;
        if threads == "auto" {
            check_outputs(runner, &outs, report)?;
        }
        let pairs = pairs(opts, runs, spec, extra, &outs)?;
        report.rows.push(Row::new(threads, &pairs));
    }
    report.phases = measure::phases(&opts.linker, spec, &outs.ours, PHASE_LINKS);
    let inputs = prep::input_files(spec);
    report.input_files = inputs.len();
    report.input_bytes = inputs
        .iter()
        .filter_map(|p| p.metadata().ok())
        .map(|m| m.len())
        .sum();
    report.floor_seconds = floor(&inputs, report.out_bytes_theirs, &out_dir, opts.runs)?;
    Ok(())
}

fn warm_up(
    opts: &Options,
    spec: &prep::LinkSpec,
    extra: &[&str],
    outs: &Outputs,
) -> Result<(), String> {
    measure::link(&opts.linker, spec, extra, &outs.ours)?;
    measure::link(&opts.reference, spec, extra, &outs.theirs).map(drop)
}

/// `runs` measured pairs; odd pairs run wasm-ld first, so neither linker always follows the other.
fn pairs(
    opts: &Options,
    runs: usize,
    spec: &prep::LinkSpec,
    extra: &[&str],
    outs: &Outputs,
) -> Result<Vec<(Sample, Sample)>, String> {
    let ours = || measure::link(&opts.linker, spec, extra, &outs.ours);
    let theirs = || measure::link(&opts.reference, spec, extra, &outs.theirs);
    (0..runs)
        .map(|i| match i % 2 {
            0 => Ok((ours()?, theirs()?)),
            _ => theirs().and_then(|t| Ok((ours()?, t))),
        })
        .collect()
}

/// Runs both outputs under node and requires the same output from each.
fn check_outputs(runner: &Path, outs: &Outputs, report: &mut WorkloadReport) -> Result<(), String> {
    let size = |p: &Path| {
        p.metadata()
            .map(|m| m.len())
            .map_err(|e| format!("{}: {e}", p.display()))
    };
    report.out_bytes_ours = size(&outs.ours)?;
    report.out_bytes_theirs = size(&outs.theirs)?;
    let theirs = measure::run_wasm(runner, &outs.theirs)?;
    let ours = measure::run_wasm(runner, &outs.ours)?;
    if ours != theirs {
        return Err(format!(
            "outputs differ when run:\n ours: {ours}\n wasm-ld: {theirs}"
        ));
    }
    report.stdout = ours;
    report.identical = std::fs::read(&outs.ours).ok() == std::fs::read(&outs.theirs).ok();
    Ok(())
}

fn floor(inputs: &[PathBuf], size: u64, out_dir: &Path, runs: usize) -> Result<f64, String> {
    let out = out_dir.join("floor.bin");
    measure::floor(inputs, size, &out)?;
    let times: Result<Vec<f64>, String> = (0..runs)
        .map(|_| measure::floor(inputs, size, &out).map(|d| d.as_secs_f64()))
        .collect();
    Ok(report::median(times?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Options, String> {
        Options::parse(&args.iter().map(|a| a.to_string()).collect::<Vec<_>>())
    }

    #[test]
    fn quick_shrinks_and_flags_override() {
        let o = parse(&["--quick", "--tus", "3", "--workload", "sqlite,rust"]).unwrap();
        assert_eq!((o.sizes.tus, o.sizes.funcs, o.runs), (3, QUICK.funcs, 2));
        assert_eq!(
            o.workloads,
            [Workload::Sqlite { debug: false }, Workload::Rust]
        );
    }

    #[test]
    fn bad_options_are_errors() {
        assert!(parse(&["--runs", "0"]).is_err());
        assert!(parse(&["--workload", "nope"]).is_err());
        assert!(parse(&["--linker"]).is_err());
        assert!(parse(&["--frobnicate", "1"]).is_err());
    }
}
