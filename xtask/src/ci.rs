//! `cargo xtask ci`: what CI checks, in order, stopping at the first failure.

use std::process::Command;

/// Runs fmt, clippy, rustdoc and the tests (which include the conformance run against
/// wasm-ld-19).
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
    cargo(&["test", "--workspace", "--release"])?;
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
