//! `cargo xtask bench --relink`: relinks through a `wasm_link::Linker` session. The timing runs
//! in `crates/wasm-link-cli/examples/relink_bench.rs`, built in release mode (this task is
//! not): a cold link, then one object replaced by a version with one function body changed at
//! the same size, with a grown body, and with a new exported function, each relinked, and each
//! first relink compared with a cold link of the same inputs.

use super::workloads::{self, Dirs, Sizes, Workload};
use std::process::Command;

/// The workloads relinks are timed on by default.
pub const WORKLOADS: [Workload; 2] = [Workload::Synthetic, Workload::Cxx { debug: true }];

/// Builds the benchmark, prepares each workload and runs it.
pub fn run(list: &[Workload], sizes: Sizes, runs: usize, dirs: &Dirs) -> Result<(), String> {
    let status = Command::new(env!("CARGO"))
        .args(["build", "--quiet", "--release", "-p", "wasm-link-cli"])
        .args(["--example", "relink_bench"])
        .current_dir(&dirs.root)
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !status.success() {
        return Err("cannot build the relink_bench example".into());
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map_or_else(|| dirs.root.join("target"), std::path::PathBuf::from);
    let bench = target.join("release/examples/relink_bench");
    let mut failed = Vec::new();
    for &w in list {
        let spec = workloads::prepare(w, sizes, dirs)?.spec;
        let status = Command::new(&bench)
            .arg(&spec.cwd)
            .arg(runs.to_string())
            .arg(w.name())
            .arg("--")
            .args(&spec.args)
            .status()
            .map_err(|e| format!("cannot run {}: {e}", bench.display()))?;
        if !status.success() {
            failed.push(w.name());
        }
    }
    match failed.is_empty() {
        true => Ok(()),
        false => Err(format!("relink bench failed on {}", failed.join(", "))),
    }
}
