//! What the differential tests share: names from `llvm-nm-19`, and the comparison with
//! `llvm-cxxfilt-19`.

// Each test binary uses some of these.
#![allow(dead_code)]

use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};
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

/// What `llvm::demangle` gives for each of `names`, from `llvm-cxxfilt-19`: cxxfilt tries a
/// name as given; `llvm::demangle` then also tries it without one leading underscore.
fn llvm_demangle(names: &[&str]) -> Vec<String> {
    let mut expected = cxxfilt(names);
    assert_eq!(
        expected.len(),
        names.len(),
        "llvm-cxxfilt-19 output line count"
    );
    let retry: Vec<usize> = (0..names.len())
        .filter(|&i| expected[i] == names[i] && names[i].len() > 1 && names[i].starts_with('_'))
        .collect();
    let stripped: Vec<&str> = retry.iter().map(|&i| &names[i][1..]).collect();
    if stripped.is_empty() {
        return expected;
    }
    let again = cxxfilt(&stripped);
    assert_eq!(
        again.len(),
        stripped.len(),
        "llvm-cxxfilt-19 output line count"
    );
    for ((&i, name), got) in retry.iter().zip(&stripped).zip(again) {
        if got != *name {
            expected[i] = got;
        }
    }
    expected
}

/// Panics unless `llvm_demangle::demangle` gives what LLVM 19's `llvm::demangle` gives for
/// every name (none may hold whitespace, which `llvm-cxxfilt` splits on).
pub fn assert_same_as_llvm(names: &BTreeSet<String>) {
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    assert!(
        names
            .iter()
            .all(|n| !n.contains(char::is_whitespace) && !n.is_empty()),
        "a name is empty or holds whitespace"
    );
    let expected = llvm_demangle(&names);
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
        "{} of {} names differ from LLVM 19's; first ones:\n{}",
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

/// The wasm32-wasip1 standard library's rlibs.
pub fn std_rlibs() -> Vec<PathBuf> {
    let out = Command::new("rustc")
        .args(["--print", "sysroot"])
        .output()
        .expect("rustc not found");
    let sysroot = String::from_utf8_lossy(&out.stdout).trim().to_string();
    let dir = Path::new(&sysroot).join("lib/rustlib/wasm32-wasip1/lib");
    let rlibs: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}: rustup target add wasm32-wasip1", dir.display()))
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "rlib"))
        .collect();
    assert!(!rlibs.is_empty(), "no rlibs in {}", dir.display());
    rlibs
}
