//! The conformance corpus as a `cargo test`: every program in `conformance/` (C, C++ with libc++,
//! Rust with std; each at -O0/-O2/-Oz/-g) is linked by wasm-link and by wasm-ld-19, validated,
//! run under node's WASI and compared structurally (`cargo xtask conformance` does the work;
//! this test fails unless it ends with `N passed, 0 failed`).

use e2e_tests::{cli_binary, target_dir, workspace_root};
use std::process::Command;

#[test]
fn conformance_corpus_matches_wasm_ld() {
    let linker = cli_binary("wasm-link");
    let out = Command::new(env!("CARGO"))
        .args([
            "run",
            "--quiet",
            "--profile",
            "ci",
            "-p",
            "xtask",
            "--",
            "conformance",
            "--linker",
        ])
        .arg(&linker)
        .current_dir(workspace_root())
        .env("CARGO_TARGET_DIR", target_dir())
        .output()
        .expect("cannot run cargo xtask conformance");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let failures: Vec<&str> = stdout.lines().filter(|l| l.starts_with("FAIL")).collect();
    let summary = stdout
        .lines()
        .rev()
        .find(|l| l.contains(" passed, "))
        .unwrap_or("");
    assert!(
        out.status.success() && summary.ends_with(" 0 failed"),
        "conformance: {summary}\n{}\n{}",
        failures.join("\n"),
        String::from_utf8_lossy(&out.stderr)
    );
    let passed: usize = summary
        .split_whitespace()
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    assert!(passed >= 300, "only {passed} cases ran: {summary}");
}
