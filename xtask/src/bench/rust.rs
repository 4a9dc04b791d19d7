//! The `rust` workload: `bench/rust`, a wasm32-wasip1 program using `regex` and `serde_json`,
//! built by cargo with `bench/capture-link.sh` as its linker. The script saves the command line
//! rustc gives the linker and copies the codegen-unit objects rustc deletes afterwards, so the
//! link can be replayed.

use super::prep::{self, LinkSpec};
use super::workloads::Dirs;
use std::fs;
use std::path::Path;
use std::process::Command;

const TARGET: &str = "wasm32-wasip1";
const SOURCES: [&str; 4] = [
    "Cargo.toml",
    "Cargo.lock",
    "src/main.rs",
    "../capture-link.sh",
];

/// Builds the program unless the cache holds its captured link; returns the spec and whether it
/// was cached.
pub fn prepare(dirs: &Dirs) -> Result<(LinkSpec, bool), String> {
    let project = dirs.root.join("bench/rust");
    let dir = dirs.cache.join(format!("rust-{}", key(&project)?));
    if let Some(spec) = prep::cached_spec(&dir) {
        return Ok((spec, true));
    }
    prep::fresh_dir(&dir)?;
    build(dirs, &project, &dir)?;
    let spec = LinkSpec {
        cwd: dir.clone(),
        args: replayable(&captured(&dir)?),
    };
    prep::store_spec(&dir, &spec)?;
    Ok((spec, false))
}

fn key(project: &Path) -> Result<String, String> {
    let version = prep::output(Command::new("rustc").arg("-vV"))?;
    let mut texts = vec![version];
    for file in SOURCES {
        let path = project.join(file);
        texts.push(fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?);
    }
    let parts: Vec<&[u8]> = texts.iter().map(|t| t.as_bytes()).collect();
    Ok(prep::content_key(&parts))
}

/// Runs `cargo build` with the capturing linker, after deleting the previous binary so cargo
/// links again even when nothing else changed.
fn build(dirs: &Dirs, project: &Path, capture: &Path) -> Result<(), String> {
    check_target()?;
    let target_dir = dirs.cache.join("rust-target");
    let deps = target_dir.join(TARGET).join("release/deps");
    for stale in fs::read_dir(&deps).into_iter().flatten().flatten() {
        if stale.path().extension().is_some_and(|e| e == "wasm") {
            fs::remove_file(stale.path()).map_err(|e| e.to_string())?;
        }
    }
    let linker = dirs.root.join("bench/capture-link.sh");
    let mut cargo = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    cargo
        .args([
            "build",
            "--release",
            "--locked",
            "--target",
            TARGET,
            "--manifest-path",
        ])
        .arg(project.join("Cargo.toml"))
        .env("CARGO_TARGET_DIR", &target_dir)
        .env("CARGO_TARGET_WASM32_WASIP1_LINKER", &linker)
        .env("BENCH_CAPTURE_DIR", capture);
    prep::output(&mut cargo).map(drop)
}

fn check_target() -> Result<(), String> {
    let installed = prep::output(Command::new("rustup").args(["target", "list", "--installed"]));
    match installed {
        Ok(list) if list.lines().any(|l| l.trim() == TARGET) => Ok(()),
        _ => Err(format!(
            "Rust target {TARGET} missing: run `rustup target add {TARGET}`"
        )),
    }
}

/// The arguments the capture script saved, NUL-separated.
fn captured(dir: &Path) -> Result<Vec<String>, String> {
    let path = dir.join("args");
    let bytes = fs::read(&path)
        .map_err(|e| format!("the linker wrapper left no {}: {e}", path.display()))?;
    let text = String::from_utf8(bytes).map_err(|e| format!("{}: {e}", path.display()))?;
    let args: Vec<String> = text.split_terminator('\0').map(String::from).collect();
    if let Some(file) = args.iter().find(|a| a.starts_with('@')) {
        return Err(format!(
            "rustc used a response file ({file}); replaying one is not supported"
        ));
    }
    Ok(args)
}

/// Drops what is not a wasm-ld option: the `-flavor wasm` rustc passes for rust-lld, and `-o`.
fn replayable(args: &[String]) -> Vec<String> {
    let mut kept = Vec::with_capacity(args.len());
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        if arg == "-flavor" {
            iter.next();
        } else {
            kept.push(arg.clone());
        }
    }
    prep::without_output(&kept)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flavor_and_output_are_dropped() {
        let args = [
            "-flavor", "wasm", "--export", "x", "a.o", "-o", "out.wasm", "-O3",
        ];
        let kept = replayable(&args.map(String::from));
        assert_eq!(kept, ["--export", "x", "a.o", "-O3"]);
    }
}
