//! What the differential tests share: names from `llvm-nm-19`, and the comparison with
//! `llvm-cxxfilt-19`.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

/// Every symbol name that `llvm-nm-19` lists in `paths` and `keep` accepts.
pub fn nm_names(paths: &[PathBuf], keep: fn(&str) -> bool) -> BTreeSet<String> {
    if paths.is_empty() {
        return BTreeSet::new();
    }
    let out = Command::new("llvm-nm-19")
        .args(paths)
        .output()
        .expect("llvm-nm-19 not found: install llvm-19");
    assert!(
        out.status.success(),
        "llvm-nm-19 failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.split_whitespace().last())
        .filter(|n| keep(n))
        .map(str::to_string)
        .collect()
}

/// `llvm-cxxfilt-19`'s output for each of `names`, in order.
fn cxxfilt(names: &[&str]) -> Vec<String> {
    let mut child = Command::new("llvm-cxxfilt-19")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("llvm-cxxfilt-19 not found: install llvm-19");
    let mut stdin = child.stdin.take().expect("stdin is piped");
    let input = names.join("\n") + "\n";
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let out = child.wait_with_output().expect("llvm-cxxfilt-19 runs");
    writer
        .join()
        .expect("writer thread")
        .expect("write to llvm-cxxfilt-19");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_string)
        .collect()
}

/// Panics unless `llvm_demangle::demangle` prints what `llvm-cxxfilt-19` prints for every
/// name (none may hold whitespace, which `llvm-cxxfilt` splits on).
pub fn assert_same_as_llvm(names: &BTreeSet<String>) {
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    assert!(
        names.iter().all(|n| !n.contains(char::is_whitespace)),
        "a name holds whitespace"
    );
    let expected = cxxfilt(&names);
    assert_eq!(
        expected.len(),
        names.len(),
        "llvm-cxxfilt-19 output line count"
    );
    let mismatches: Vec<String> = names
        .iter()
        .zip(&expected)
        .filter_map(|(name, want)| {
            let got = llvm_demangle::demangle(name);
            (&got != want).then(|| format!("{name}\n  llvm: {want}\n  ours: {got}"))
        })
        .collect();
    eprintln!(
        "{} names compared, {} differ",
        names.len(),
        mismatches.len()
    );
    assert!(
        mismatches.is_empty(),
        "{} of {} names differ from llvm-cxxfilt-19; first ones:\n{}",
        mismatches.len(),
        names.len(),
        mismatches
            .iter()
            .take(15)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}
