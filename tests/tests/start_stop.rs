//! `__start_<seg>` / `__stop_<seg>` defined after GC, as wasm-ld 19 defines them: for inputs
//! that reference them, and on demand for `--export`, `--export-if-defined` and `--export-all`.
//! Each case links one object with both linkers and compares the bytes (or the message).

use e2e_tests::{require_tool, target_dir};
use std::path::{Path, PathBuf};
use std::process::Command;

const SOURCE: &str = r#"
__attribute__((used, section("mysec"))) int a = 1;
__attribute__((used, section("mysec"))) int b = 2;
__attribute__((used, section("other"))) int c = 3;
#ifdef USE_BOUNDS
extern int __start_mysec[];
int get(void) { return __start_mysec[1]; }
#endif
"#;

/// Compiles [`SOURCE`] with `defines` into a scratch directory named `name`.
fn object(name: &str, defines: &[&str]) -> PathBuf {
    let dir = target_dir().join("e2e-start-stop").join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let source = dir.join("bounds.c");
    std::fs::write(&source, SOURCE).unwrap();
    let object = dir.join("bounds.o");
    let status = Command::new(require_tool("clang-19"))
        .args(["--target=wasm32-wasi", "-O2", "-c"])
        .args(defines)
        .arg(&source)
        .arg("-o")
        .arg(&object)
        .status()
        .expect("cannot run clang-19");
    assert!(status.success(), "clang-19 failed on {}", source.display());
    object
}

/// Links `object` with `args` by `linker` into `<dir>/<sub>/out.wasm` (the same file name for
/// both linkers, which write it into the name section): (exit ok, stderr, bytes).
fn link(linker: &Path, object: &Path, sub: &str, args: &[&str]) -> (bool, String, Vec<u8>) {
    let dir = object.parent().unwrap().join(sub);
    std::fs::create_dir_all(&dir).unwrap();
    let out = dir.join("out.wasm");
    let _ = std::fs::remove_file(&out);
    let run = Command::new(linker)
        .args(args)
        .arg(object)
        .arg("-o")
        .arg(&out)
        .output()
        .expect("cannot run the linker");
    let bytes = std::fs::read(&out).unwrap_or_default();
    (
        run.status.success(),
        String::from_utf8_lossy(&run.stderr).into_owned(),
        bytes,
    )
}

/// Both linkers agree: the same bytes (validated), or both fail with the same message.
fn agree(name: &str, defines: &[&str], args: &[&str]) -> Vec<u8> {
    let object = object(name, defines);
    let ours = link(&e2e_tests::cli_binary("wasm-link"), &object, "ours", args);
    let theirs = link(&require_tool("wasm-ld-19"), &object, "ref", args);
    assert_eq!(ours.0, theirs.0, "{name}: exit status differs: {}", ours.1);
    let strip = |s: &str| s.replace("wasm-ld-19: ", "").replace("wasm-link: ", "");
    assert_eq!(strip(&ours.1), strip(&theirs.1), "{name}: messages differ");
    if ours.0 {
        wasmparser::Validator::new()
            .validate_all(&ours.2)
            .unwrap_or_else(|e| panic!("{name}: output does not validate: {e}"));
        assert!(
            ours.2 == theirs.2,
            "{name}: output differs from wasm-ld-19's"
        );
    }
    ours.2
}

fn exports(bytes: &[u8]) -> Vec<String> {
    let mut names = Vec::new();
    for payload in wasmparser::Parser::new(0).parse_all(bytes) {
        if let Ok(wasmparser::Payload::ExportSection(r)) = payload {
            names.extend(r.into_iter().map(|e| e.unwrap().name.to_string()));
        }
    }
    names
}

#[test]
fn export_defines_the_bounds_of_a_segment_nothing_references() {
    let bytes = agree(
        "export",
        &[],
        &[
            "--no-entry",
            "--export=__start_mysec",
            "--export=__stop_mysec",
        ],
    );
    assert_eq!(exports(&bytes), ["memory", "__start_mysec", "__stop_mysec"]);
}

#[test]
fn export_of_a_referenced_bound_exports_it() {
    agree(
        "referenced",
        &["-DUSE_BOUNDS"],
        &["--no-entry", "--export=get", "--export=__start_mysec"],
    );
}

#[test]
fn export_if_defined_and_export_all_define_bounds_too() {
    agree(
        "if-defined",
        &["-DUSE_BOUNDS"],
        &[
            "--no-entry",
            "--export=get",
            "--export-if-defined=__stop_other",
        ],
    );
    let bytes = agree("all", &[], &["--no-entry", "--export-all"]);
    assert!(exports(&bytes).contains(&"__stop_other".to_string()));
}

#[test]
fn bounds_of_a_missing_segment_are_still_not_found() {
    agree("missing", &[], &["--no-entry", "--export=__stop_nosuch"]);
    agree(
        "missing-warn",
        &[],
        &[
            "--no-entry",
            "--export=__stop_nosuch",
            "--warn-unresolved-symbols",
        ],
    );
}

#[test]
fn bounds_created_for_exports_follow_the_table_and_the_init_flag() {
    // lld creates the table for `--export-table`, then `__wasm_init_memory_flag`, then the
    // bounds: the export order shows it.
    let bytes = agree(
        "after-table",
        &["-DUSE_BOUNDS"],
        &["--no-entry", "--export-all", "--export-table"],
    );
    let names = exports(&bytes);
    let at = |n: &str| names.iter().position(|e| e == n).unwrap();
    assert!(
        at("__indirect_function_table") < at("__stop_mysec"),
        "{names:?}"
    );
    let bytes = agree(
        "after-flag",
        &["-DUSE_BOUNDS", "-matomics", "-mbulk-memory"],
        &[
            "--no-entry",
            "--export-all",
            "--export-table",
            "--shared-memory",
            "--max-memory=131072",
        ],
    );
    let names = exports(&bytes);
    let at = |n: &str| names.iter().position(|e| e == n).unwrap();
    assert!(
        at("__wasm_init_memory_flag") < at("__stop_mysec"),
        "{names:?}"
    );
}
