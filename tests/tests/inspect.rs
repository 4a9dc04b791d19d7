//! `wasm-inspect` end to end: the binary is built with the same cargo and target directory as
//! this test (binaries of another package are not visible through `CARGO_BIN_EXE_*`), then run
//! on the real libc and on broken inputs.

use e2e_tests::{build_archive, fixture, libc_archive, run_tool, target_dir, ArFormat};
use std::path::PathBuf;
use std::process::{Command, Output};

/// The `wasm-inspect` binary, built in this test's profile.
fn wasm_inspect() -> PathBuf {
    e2e_tests::cli_binary("wasm-inspect")
}

fn inspect(args: &[&std::ffi::OsStr]) -> Output {
    Command::new(wasm_inspect())
        .args(args)
        .output()
        .expect("cannot run wasm-inspect")
}

fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("wasm-inspect printed bad JSON: {e}"))
}

fn relocation_count(doc: &serde_json::Value) -> usize {
    let modules = doc["modules"].as_array().expect("modules");
    let groups = modules
        .iter()
        .flat_map(|m| m["relocations"].as_array().into_iter().flatten());
    groups
        .map(|g| g["relocs"].as_array().map_or(0, Vec::len))
        .sum()
}

#[test]
fn libc_relocation_total_matches_llvm_objdump() {
    let libc = libc_archive();
    let out = inspect(&["--json".as_ref(), libc.as_os_str()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc = json(&out);
    let theirs = run_tool("llvm-objdump-19", &["-r".as_ref(), libc.as_os_str()]);
    let theirs = theirs.lines().filter(|l| l.contains(" R_WASM_")).count();
    assert!(
        theirs > 10_000,
        "llvm-objdump printed only {theirs} relocations"
    );
    assert_eq!(relocation_count(&doc), theirs);
    let members = run_tool("llvm-ar-19", &["t".as_ref(), libc.as_os_str()])
        .lines()
        .count();
    assert_eq!(doc["modules"].as_array().map(Vec::len), Some(members));
}

#[test]
fn text_output_is_aligned_and_complete() {
    let obj = &fixture("asm/comdat.s").object;
    let out = inspect(&[obj.as_os_str()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    for needle in [
        "sections (",
        "symbols (",
        "R_WASM_FUNCTION_OFFSET_I32",
        "comdats (1)",
        "RETAIN",
        "exports (",
    ] {
        assert!(text.contains(needle), "missing {needle:?} in:\n{text}");
    }
    let relocs: Vec<&str> = text.lines().filter(|l| l.contains("R_WASM_")).collect();
    let column = |l: &str| l.find("R_WASM_");
    let first = column(relocs[0]);
    assert!(
        relocs.iter().all(|l| column(l) == first),
        "type column not aligned:\n{text}"
    );
}

#[test]
fn errors_name_file_member_and_offset_and_others_still_print() {
    let good = fixture("c/weak.c").object.clone();
    let pristine = build_archive(
        ArFormat::Gnu,
        &[("good.o", &good), ("broken_member.o", &good)],
    );
    let mut bytes = std::fs::read(&pristine).expect("archive");
    let parsed = wasm_object::archive::Archive::parse(&bytes).expect("archive parses");
    let member = parsed.members.iter().find(|m| m.name == "broken_member.o");
    let offset = member.expect("member").data.offset + 8;
    bytes[offset] = 0xff; // the member's first section id: no such section
    let dir = target_dir().join("inspect-test");
    std::fs::create_dir_all(&dir).expect("mkdir");
    let archive = dir.join(format!("broken{}.a", std::process::id()));
    std::fs::write(&archive, &bytes).expect("write");
    let args = [
        archive.as_os_str(),
        "/nonexistent.o".as_ref(),
        good.as_os_str(),
    ];
    let out = inspect(&args);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let expected = format!(
        "{}(broken_member.o): at offset {offset:#x}: ",
        archive.display()
    );
    assert!(
        stderr.contains(&expected),
        "stderr lacks {expected:?}:\n{stderr}"
    );
    assert!(stderr.contains("/nonexistent.o: "), "{stderr}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("(good.o): object"), "{stdout}");
    assert!(
        stdout.contains(&format!("{}: object", good.display())),
        "{stdout}"
    );
    let _ = std::fs::remove_file(archive);
}
