//! Inputs the fuzzers found (`cargo xtask fuzz`), kept in `fixtures/fuzz/`: each must be
//! refused with a clear error and no output, as wasm-ld refuses it (or crashes on it), and the
//! object writer must never write what the parser then refuses.

use e2e_tests::{cli_binary, workspace_root, Scratch};
use std::process::Command;
use wasm_object::model::ObjectModel;
use wasm_object::object::Object;

/// Each reproducer, with the first line of the error it must get.
const CASES: &[(&str, &str)] = &[
    // `write_object`: a segment info naming two segments, no data section. The model was
    // written with an empty code section the parser then refused. wasm-ld: the same words.
    (
        "segment-info-without-data-section.o",
        "too many segment names",
    ),
    // A function declared without a code section: we linked it into a module that does not
    // validate (wasm-ld 19 segfaults).
    ("functions-without-code-section.o", "invalid function count"),
    // `link`: `__wasm_call_dtors` referenced but defined nowhere, in a command whose inputs
    // never call `__wasm_call_ctors`: wasm-ld refuses it; we wrote a module with two `_start`
    // exports (the object also exports a function under that name).
    (
        "undefined-wasm-call-dtors.o",
        "__wasm_call_dtors must be a function",
    ),
];

#[test]
fn every_reproducer_is_refused_with_its_error() {
    let scratch = Scratch::new("fuzz-regressions", "link");
    for (name, expected) in CASES {
        let input = workspace_root().join("fixtures/fuzz").join(name);
        let out = scratch.path(&format!("{name}.wasm"));
        let ran = Command::new(cli_binary("wasm-link"))
            .args(["--no-entry", "--export-all", "--allow-undefined"])
            .arg(&input)
            .arg("-o")
            .arg(&out)
            .output()
            .expect("cannot run wasm-link");
        let stderr = String::from_utf8_lossy(&ran.stderr);
        assert!(!ran.status.success(), "{name}: linked");
        assert!(
            stderr.lines().next().is_some_and(|l| l.ends_with(expected)),
            "{name}: {stderr}"
        );
        assert!(!out.exists(), "{name}: a failed link wrote output");
    }
}

#[test]
fn the_writer_never_writes_what_the_parser_refuses() {
    for (name, _) in CASES {
        let bytes = std::fs::read(workspace_root().join("fixtures/fuzz").join(name)).unwrap();
        let Ok(object) = Object::parse(&bytes, 0) else {
            continue; // refused on the way in: nothing to write
        };
        let Ok(model) = ObjectModel::from_object(&object) else {
            continue;
        };
        if let Ok(written) = wasm_object::writer::write(&model) {
            let again = Object::parse(&written, 0)
                .unwrap_or_else(|e| panic!("{name}: the written object is refused: {e}"));
            let model2 = ObjectModel::from_object(&again).expect("a model");
            assert!(model == model2, "{name}: read back as another model");
        }
    }
}

/// `link` (`-shared`): weak table definitions with their relocations renamed away. A shared
/// library imports its weak definitions (another module may override them) and still defines
/// and exports them; we neither imported the tables nor kept their index space, so the
/// unrelocated `table.size 1` named a table that did not exist. Now the same bytes as wasm-ld.
#[test]
fn weak_tables_of_a_shared_library_are_imported_and_defined_like_wasm_ld() {
    let input = workspace_root().join("fixtures/fuzz/weak-tables-in-shared-library.o");
    let mut args: Vec<std::ffi::OsString> = ["--experimental-pic", "-shared", "--allow-undefined"]
        .map(Into::into)
        .to_vec();
    args.push(input.into_os_string());
    e2e_tests::link_pair("fuzz-regressions", "weak-tables", &args).assert_identical("weak tables");
}
