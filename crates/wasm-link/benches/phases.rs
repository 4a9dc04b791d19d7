//! Per-phase timings of a link of the synthetic C workload (xtask's `synthetic` generator):
//! the whole link, then each phase the link reports in `Diagnostics::phases` (`load`,
//! `resolve`, `mark`, `check`, `layout`, `write`), measured inside whole links through the
//! library's public API only. Reported as bytes of input (objects, `crt1-command.o` and
//! `libc.a`) per second, so the phases compare directly.
//!
//! The size is 40 units of 200 functions unless `PHASES_TUS` / `PHASES_FUNCS` say otherwise.
//! Objects are compiled once with clang-19 and cached under `<target dir>/phase-bench/<size>/`;
//! a unit is recompiled only when its generated source changes.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;
use wasm_link::{Config, Input};

// Only `sources` is used (it lets the cache compare texts before rewriting a file); clippy
// --all-targets also builds its unit tests here, without a test harness to use them.
#[allow(dead_code, unused_imports)]
#[path = "../../../xtask/src/bench/synthetic.rs"]
mod synthetic;

const CLANG: &str = "clang-19";
const WASI: &str = "/usr/lib/wasm32-wasi";

fn env_size(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The target directory: `CARGO_TARGET_DIR`, else three levels above `target/<profile>/deps/`.
fn target_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("CARGO_TARGET_DIR") {
        return PathBuf::from(dir);
    }
    let exe = std::env::current_exe().expect("cannot find the bench executable");
    exe.ancestors()
        .nth(3)
        .map(Path::to_path_buf)
        .unwrap_or_else(std::env::temp_dir)
}

/// Writes `name` into `dir` unless it already holds `text`; returns the object path and
/// whether it must be (re)compiled.
fn stage(dir: &Path, name: &str, text: &str) -> (PathBuf, PathBuf, bool) {
    let source = dir.join(name);
    let object = source.with_extension("o");
    let same = fs::read_to_string(&source).is_ok_and(|old| old == text);
    if !same {
        fs::write(&source, text).unwrap_or_else(|e| panic!("cannot write {source:?}: {e}"));
    }
    let stale = !same || !object.exists();
    (source, object, stale)
}

fn compile(source: &Path, object: &Path) {
    let status = Command::new(CLANG)
        .args(["--target=wasm32-wasi", "--sysroot=/usr", "-O1", "-c"])
        .arg(source)
        .arg("-o")
        .arg(object)
        .status();
    match status {
        Ok(s) if s.success() => {}
        Ok(s) => panic!("{CLANG} failed on {source:?}: {s}"),
        Err(e) => panic!("cannot run {CLANG} ({e}): install clang-19 (scripts/setup.sh)"),
    }
}

/// Generates and compiles the workload, on every core, reusing cached objects.
fn objects(tus: usize, funcs: usize) -> Vec<PathBuf> {
    let dir = target_dir()
        .join("phase-bench")
        .join(format!("{tus}x{funcs}"));
    fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("cannot create {dir:?}: {e}"));
    let staged: Vec<_> = synthetic::sources(tus, funcs)
        .iter()
        .map(|(name, text)| stage(&dir, name, text))
        .collect();
    let stale: Vec<_> = staged.iter().filter(|s| s.2).collect();
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    std::thread::scope(|scope| {
        for chunk in stale.chunks(stale.len().div_ceil(threads).max(1)) {
            scope.spawn(move || chunk.iter().for_each(|s| compile(&s.0, &s.1)));
        }
    });
    staged.into_iter().map(|s| s.1).collect()
}

/// A link like clang's: `crt1-command.o`, the objects, `libc.a`.
fn config(objects: &[PathBuf], output: PathBuf) -> Config {
    let mut paths = vec![PathBuf::from(WASI).join("crt1-command.o")];
    paths.extend_from_slice(objects);
    paths.push(PathBuf::from(WASI).join("libc.a"));
    let inputs = paths
        .into_iter()
        .map(|path| Input {
            path,
            whole_archive: false,
            lazy: false,
        })
        .collect();
    Config {
        inputs,
        output,
        ..Config::default()
    }
}

fn input_bytes(config: &Config) -> u64 {
    config
        .inputs
        .iter()
        .map(|i| fs::metadata(&i.path).map_or(0, |m| m.len()))
        .sum()
}

/// Links once end to end so a broken workload fails loudly instead of timing an error path.
fn check_full_link(config: &Config) {
    let diag = wasm_link::link(config);
    assert!(
        diag.errors.is_empty(),
        "the synthetic link failed: {:?}",
        diag.errors
    );
    assert!(config.output.exists(), "the synthetic link wrote nothing");
}

/// The phases one link went through, with their durations.
fn link_phases(config: &Config) -> Vec<(&'static str, Duration)> {
    let diag = wasm_link::link(config);
    assert!(diag.errors.is_empty(), "the link failed: {:?}", diag.errors);
    diag.phases
}

fn phases(c: &mut Criterion) {
    let (tus, funcs) = (env_size("PHASES_TUS", 40), env_size("PHASES_FUNCS", 200));
    let objects = objects(tus, funcs);
    let out = tempfile::tempdir().expect("cannot create a temporary directory");
    let config = config(&objects, out.path().join("synthetic.wasm"));
    check_full_link(&config);
    let names: Vec<&'static str> = link_phases(&config).iter().map(|p| p.0).collect();

    let mut group = c.benchmark_group("phases");
    group.throughput(Throughput::Bytes(input_bytes(&config)));
    group.bench_function("link", |b| b.iter(|| link_phases(&config)));
    for name in names {
        group.bench_function(name, |b| {
            b.iter_custom(|iters| {
                (0..iters)
                    .map(|_| link_phases(&config))
                    .map(|phases| {
                        phases
                            .iter()
                            .filter(|p| p.0 == name)
                            .map(|p| p.1)
                            .sum::<Duration>()
                    })
                    .sum()
            })
        });
    }
    group.finish();
}

criterion_group!(benches, phases);
criterion_main!(benches);
