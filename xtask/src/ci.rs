//! `cargo xtask ci`: what CI checks, in order, stopping at the first failure.

use std::process::Command;

/// Runs fmt, clippy, rustdoc, the tests (which include the conformance run against
/// wasm-ld-19) and the `compiler_loop` example.
pub fn run(_args: &[String]) -> Result<(), String> {
    cargo(&["fmt", "--all", "--", "--check"])?;
    cargo(&[
        "clippy",
        "--workspace",
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ])?;
    // Broken intra-doc links and missing docs fail the documentation build.
    std::env::set_var("RUSTDOCFLAGS", "-Dwarnings");
    cargo(&["doc", "--no-deps", "--workspace"])?;
    // The `ci` profile is `release` without LTO (`Cargo.toml`); the end-to-end tests build and
    // run the `release` binary itself.
    cargo(&["test", "--workspace", "--profile", "ci"])?;
    // The compiler-facing session, end to end: it fails unless every relink is identical to
    // a cold link and every module runs.
    cargo(&[
        "run",
        "--profile",
        "ci",
        "-p",
        "wasm-link",
        "--example",
        "compiler_loop",
    ])?;
    Ok(())
}

fn cargo(args: &[&str]) -> Result<(), String> {
    eprintln!("$ cargo {}", args.join(" "));
    let status = Command::new(env!("CARGO"))
        .args(args)
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`cargo {}` failed", args.join(" ")))
    }
}
