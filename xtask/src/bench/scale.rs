//! `cargo xtask bench --scale`: the synthetic workload at 1x, 2x and 4x its translation units,
//! both linkers paired as in the main table. Prints wall time, CPU time and peak RSS for each
//! size, the ours/wasm-ld ratios (CPU too: two cores hide parallel gains), and how each
//! linker's figures grow per doubling, which must stay near 2 (linear), not above.

use super::report::Row;
use super::workloads::{self, Dirs, Workload};
use super::{check_linkers, pairs, warm_up, Options, Outputs};

/// The sizes, as multiples of the synthetic workload's translation units.
const FACTORS: [usize; 3] = [1, 2, 4];

/// Measures every size and prints the table.
pub fn run(opts: &Options, dirs: &Dirs) -> Result<(), String> {
    check_linkers(opts)?;
    let mut rows = Vec::new();
    for factor in FACTORS {
        let mut sizes = opts.sizes;
        sizes.tus *= factor;
        eprintln!("== synthetic x{factor} ({} units): preparing", sizes.tus);
        let spec = workloads::prepare(Workload::Synthetic, sizes, dirs)?.spec;
        let outs = Outputs::new(&dirs.cache.join("out"), &format!("scale-{factor}x"))?;
        warm_up(opts, &spec, &[], &outs)?;
        rows.push((
            factor,
            Row::new("auto", &pairs(opts, opts.runs, &spec, &[], &outs)?),
        ));
    }
    println!(
        "{:<6} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9} {:>7} {:>7}",
        "size", "wall us", "wall ld", "cpu us", "cpu ld", "MiB us", "MiB ld", "wall x", "cpu x"
    );
    for (factor, r) in &rows {
        let mib = |kib: u64| kib as f64 / 1024.0;
        println!(
            "{:<6} {:>9.3} {:>9.3} {:>9.3} {:>9.3} {:>9.0} {:>9.0} {:>7.3} {:>7.3}",
            format!("{factor}x"),
            r.ours.wall,
            r.theirs.wall,
            r.ours.cpu,
            r.theirs.cpu,
            mib(r.ours.max_rss_kib),
            mib(r.theirs.max_rss_kib),
            r.wall_ratio,
            r.cpu_ratio
        );
    }
    let growth = |f: fn(&Row) -> f64| -> Vec<String> {
        rows.windows(2)
            .map(|w| format!("{:.2}", f(&w[1].1) / f(&w[0].1)))
            .collect()
    };
    println!(
        "growth per doubling, ours: wall {}, cpu {}, rss {}; wasm-ld: wall {}, cpu {}, rss {}",
        growth(|r| r.ours.wall).join(" "),
        growth(|r| r.ours.cpu).join(" "),
        growth(|r| r.ours.max_rss_kib as f64).join(" "),
        growth(|r| r.theirs.wall).join(" "),
        growth(|r| r.theirs.cpu).join(" "),
        growth(|r| r.theirs.max_rss_kib as f64).join(" "),
    );
    Ok(())
}
