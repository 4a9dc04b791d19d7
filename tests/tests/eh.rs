//! Exception tags and unresolved-symbol stubs, end to end: the fixtures under
//! `fixtures/asm/eh_*.s`, `fixtures/c/eh_*` and `fixtures/c/unresolved.c` are linked by
//! `wasm-link` and by wasm-ld-19 with the same arguments into files of the same name (the name
//! section holds it), then both outputs are validated, compared byte for byte together with
//! the linkers' diagnostics, and run under node (legacy EH instructions are on in node 20).

use e2e_tests::{fixture, require_tool, target_dir};
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// The `wasm-link` binary, built in this test's profile.
fn wasm_link() -> &'static Path {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| e2e_tests::cli_binary("wasm-link"))
}

/// The object of a fixture.
fn obj(name: &str) -> OsString {
    fixture(name).object.clone().into_os_string()
}

/// The WASI command prologue and libc, as clang passes them.
fn wasi_command(objects: &[&str]) -> Vec<OsString> {
    let mut args: Vec<OsString> = vec![
        "-L/usr/lib/wasm32-wasi".into(),
        "/usr/lib/wasm32-wasi/crt1-command.o".into(),
    ];
    args.extend(objects.iter().map(|o| obj(o)));
    args.push("-lc".into());
    args
}

/// One linker's run: exit code, stderr with the program name removed, the output if any.
struct Run {
    code: i32,
    stderr: String,
    output: Option<Vec<u8>>,
}

/// Both linkers' runs on the same arguments.
struct Both {
    ours: Run,
    theirs: Run,
    dir: PathBuf,
}

/// Runs `linker` with `args`, writing `<dir>/prog.wasm`.
fn link_with(linker: &Path, prefix: &str, args: &[OsString], dir: &Path) -> Run {
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir).expect("cannot create scratch dir");
    let out = dir.join("prog.wasm");
    let o = Command::new(linker)
        .args(args)
        .arg("-o")
        .arg(&out)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", linker.display()));
    let stderr = String::from_utf8_lossy(&o.stderr);
    Run {
        code: o.status.code().unwrap_or(-1),
        stderr: stderr.replace(prefix, ""),
        output: std::fs::read(&out).ok(),
    }
}

/// Links with both linkers under `target/e2e-eh/<name>/{ours,ref}`.
fn link_both(name: &str, args: &[OsString]) -> Both {
    let dir = target_dir().join("e2e-eh").join(name);
    let ours = link_with(wasm_link(), "wasm-link: ", args, &dir.join("ours"));
    let reference = require_tool("wasm-ld-19");
    let theirs = link_with(&reference, "wasm-ld-19: ", args, &dir.join("ref"));
    Both { ours, theirs, dir }
}

/// Validates a module with the legacy exception-handling instructions allowed.
fn validate(bytes: &[u8]) {
    let features =
        wasmparser::WasmFeatures::default() | wasmparser::WasmFeatures::LEGACY_EXCEPTIONS;
    wasmparser::Validator::new_with_features(features)
        .validate_all(bytes)
        .unwrap_or_else(|e| panic!("output does not validate: {e}"));
}

/// Both links succeed with the same diagnostics and byte-identical, valid outputs.
fn assert_identical(name: &str, args: &[OsString]) -> Both {
    let both = link_both(name, args);
    assert_eq!(
        (both.ours.code, &both.ours.stderr),
        (both.theirs.code, &both.theirs.stderr),
        "{name}: exit code or diagnostics differ from wasm-ld-19's"
    );
    assert_eq!(both.theirs.code, 0, "{name}: {}", both.theirs.stderr);
    let ours = both.ours.output.as_deref().expect("our output is missing");
    let theirs = both
        .theirs
        .output
        .as_deref()
        .expect("wasm-ld's output is missing");
    validate(ours);
    assert!(ours == theirs, "{name}: output differs from wasm-ld-19's");
    both
}

fn strs(args: &[&str]) -> Vec<OsString> {
    args.iter().map(OsString::from).collect()
}

/// Calls export `run(arg)` under node; `tag` supplies an `env.eh_tag` (i32) import.
fn node_call_run(module: &Path, arg: i32, tag: bool) -> String {
    require_tool("node");
    let script = "const fs=require('fs');\
        const env=process.argv[3]==='tag'?{eh_tag:new WebAssembly.Tag({parameters:['i32']})}:{};\
        WebAssembly.instantiate(fs.readFileSync(process.argv[1]),{env})\
        .then(({instance})=>console.log(instance.exports.run(Number(process.argv[2]))))\
        .catch(e=>{console.error(String(e));process.exitCode=134});";
    let o = Command::new("node")
        .args(["--no-warnings", "-e", script])
        .arg(module)
        .arg(arg.to_string())
        .arg(if tag { "tag" } else { "none" })
        .output()
        .expect("cannot run node");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "node failed: {err}");
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// The tag section's entries and the tag imports and exports of a module.
#[derive(Debug, Default, PartialEq)]
struct TagShape {
    defined: usize,
    imported: Vec<String>,
    exported: Vec<(String, u32)>,
}

fn tag_shape(bytes: &[u8]) -> TagShape {
    let mut shape = TagShape::default();
    for payload in wasmparser::Parser::new(0).parse_all(bytes) {
        match payload.expect("parse") {
            wasmparser::Payload::TagSection(r) => shape.defined = r.count() as usize,
            wasmparser::Payload::ImportSection(r) => {
                for imp in r.into_imports() {
                    let imp = imp.expect("import");
                    if matches!(imp.ty, wasmparser::TypeRef::Tag(_)) {
                        shape.imported.push(format!("{}.{}", imp.module, imp.name));
                    }
                }
            }
            wasmparser::Payload::ExportSection(r) => {
                for e in r {
                    let e = e.expect("export");
                    if e.kind == wasmparser::ExternalKind::Tag {
                        shape.exported.push((e.name.to_string(), e.index));
                    }
                }
            }
            _ => {}
        }
    }
    shape
}

const THREE: [&str; 3] = ["asm/eh_tag.s", "asm/eh_throw.s", "asm/eh_catch.s"];

/// `--no-entry --export=run` plus `extra`, then the three tag objects.
fn three_objects(extra: &[&str]) -> Vec<OsString> {
    let mut args = strs(&["--no-entry", "--export=run"]);
    args.extend(strs(extra));
    args.extend(THREE.iter().map(|o| obj(o)));
    args
}

#[test]
fn a_tag_defined_thrown_and_caught_in_three_objects_matches_wasm_ld_and_runs() {
    let both = assert_identical("three", &three_objects(&[]));
    let bytes = both.ours.output.as_deref().unwrap_or_default();
    let shape = tag_shape(bytes);
    assert_eq!(
        shape,
        TagShape {
            defined: 1,
            ..TagShape::default()
        },
        "unused tags must be collected"
    );
    assert_eq!(
        node_call_run(&both.dir.join("ours/prog.wasm"), 41, false),
        "42\n"
    );
}

#[test]
fn tag_exports_and_no_gc_match_wasm_ld() {
    let cases: [(&str, &[&str], usize, &[&str]); 3] = [
        ("export-one", &["--export=eh_unused"], 2, &["eh_unused"]),
        (
            "export-all",
            &["--export-all"],
            3,
            &["eh_unused", "eh_tag", "eh_hidden"],
        ),
        (
            "no-gc",
            &["--no-gc-sections", "--export-dynamic"],
            3,
            &["eh_unused", "eh_tag"],
        ),
    ];
    for (name, extra, defined, exported) in cases {
        let both = assert_identical(name, &three_objects(extra));
        let shape = tag_shape(both.ours.output.as_deref().unwrap_or_default());
        assert_eq!(shape.defined, defined, "{name}: {shape:?}");
        let names: Vec<&str> = shape.exported.iter().map(|(n, _)| n.as_str()).collect();
        let mut sorted = names.clone();
        sorted.sort();
        let mut want = exported.to_vec();
        want.sort();
        assert_eq!(sorted, want, "{name}: {shape:?}");
    }
}

#[test]
fn an_undefined_tag_is_imported_with_allow_undefined_and_an_error_without() {
    let objects: Vec<OsString> = ["asm/eh_throw.s", "asm/eh_catch.s"]
        .iter()
        .map(|o| obj(o))
        .collect();
    let mut args = strs(&["--no-entry", "--export=run", "--allow-undefined"]);
    args.extend(objects.iter().cloned());
    let both = assert_identical("tag-import", &args);
    let shape = tag_shape(both.ours.output.as_deref().unwrap_or_default());
    assert_eq!(shape.imported, ["env.eh_tag"]);
    assert_eq!(shape.defined, 0);
    assert_eq!(
        node_call_run(&both.dir.join("ours/prog.wasm"), 9, true),
        "10\n"
    );

    // Ignored, the tag has no index: wasm-ld writes -1 (an invalid module), and so must we.
    let mut args = strs(&[
        "--no-entry",
        "--export=run",
        "--unresolved-symbols=ignore-all",
    ]);
    args.extend(objects.iter().cloned());
    let both = link_both("tag-ignored", &args);
    assert_eq!((both.ours.code, both.theirs.code), (0, 0));
    assert!(
        both.ours.output == both.theirs.output,
        "tag-ignored: output differs"
    );

    let mut args = strs(&["--no-entry", "--export=run"]);
    args.extend(objects);
    let both = link_both("tag-undefined", &args);
    assert_eq!((both.ours.code, both.theirs.code), (1, 1));
    assert!(
        both.ours.stderr.contains("undefined symbol: eh_tag"),
        "{}",
        both.ours.stderr
    );
    assert!(both.ours.output.is_none(), "a failed link left an output");
}

#[test]
fn a_tag_signature_mismatch_warns_like_wasm_ld_in_either_order() {
    for (name, first, second) in [
        ("mismatch-strong-first", "asm/eh_tag.s", "asm/eh_tag_i64.s"),
        ("mismatch-weak-first", "asm/eh_tag_i64.s", "asm/eh_tag.s"),
    ] {
        let mut args = strs(&["--no-entry", "--export=run"]);
        args.extend(
            [first, second, "asm/eh_throw.s", "asm/eh_catch.s"]
                .iter()
                .map(|o| obj(o)),
        );
        let both = assert_identical(name, &args);
        assert!(
            both.ours
                .stderr
                .contains("warning: Tag signature mismatch: eh_tag\n>>> defined as"),
            "{name}: {}",
            both.ours.stderr
        );
        assert_eq!(
            node_call_run(&both.dir.join("ours/prog.wasm"), 1, false),
            "2\n"
        );
    }
}

#[test]
fn cpp_exceptions_across_objects_match_wasm_ld_and_run() {
    for (name, extra) in [("cpp", None), ("cpp-no-gc", Some("--no-gc-sections"))] {
        let mut args = wasi_command(&["c/eh_main.cpp", "c/eh_rt.c"]);
        args.extend(extra.map(OsString::from));
        let both = assert_identical(name, &args);
        let shape = tag_shape(both.ours.output.as_deref().unwrap_or_default());
        // Every object defines a weak `__cpp_exception`; only GC drops the loser.
        assert_eq!(shape.defined, if extra.is_some() { 2 } else { 1 }, "{name}");
        let ran = e2e_tests::node_run(&both.dir.join("ours/prog.wasm"));
        assert_eq!(
            ran,
            ("caught 2, last payload 35\n".to_string(), 0),
            "{name}"
        );
        assert_eq!(
            ran,
            e2e_tests::node_run(&both.dir.join("ref/prog.wasm")),
            "{name}"
        );
    }
}

/// The names of a module's functions, from its name section.
fn function_names(bytes: &[u8]) -> Vec<String> {
    let mut names = Vec::new();
    for payload in wasmparser::Parser::new(0).parse_all(bytes) {
        let Ok(wasmparser::Payload::CustomSection(c)) = payload else {
            continue;
        };
        let wasmparser::KnownCustom::Name(reader) = c.as_known() else {
            continue;
        };
        for sub in reader.into_iter().flatten() {
            if let wasmparser::Name::Function(map) = sub {
                names.extend(map.into_iter().flatten().map(|n| n.name.to_string()));
            }
        }
    }
    names
}

#[test]
fn ignored_unresolved_functions_call_undefined_stubs_like_wasm_ld() {
    let mut args = strs(&["--unresolved-symbols=ignore-all"]);
    args.extend(wasi_command(&["c/unresolved.c"]));
    let both = assert_identical("ignore-all", &args);
    let bytes = both.ours.output.as_deref().unwrap_or_default();
    let stubs = function_names(bytes)
        .iter()
        .filter(|n| *n == "undefined_stub")
        .count();
    assert_eq!(stubs, 2, "one stub per signature");
    // Taken first: a slot; called first: null; data: address 0.
    let ran = e2e_tests::node_run(&both.dir.join("ours/prog.wasm"));
    assert_eq!(ran, ("1 0 1 1\n".to_string(), 0));
}

#[test]
fn warn_unresolved_symbols_warns_once_per_relocation_like_wasm_ld() {
    let mut args = strs(&["--warn-unresolved-symbols"]);
    args.extend(wasi_command(&["c/unresolved.c"]));
    let both = assert_identical("warn", &args);
    let warnings = both
        .ours
        .stderr
        .lines()
        .filter(|l| l.starts_with("warning: "))
        .count();
    assert_eq!(warnings, 7, "{}", both.ours.stderr);
    assert!(both
        .ours
        .stderr
        .contains("/unresolved.c.o: undefined symbol: missing_data"));
}

#[test]
fn export_of_a_missing_symbol_follows_the_unresolved_policy() {
    let cases: [(&str, &[&str], i32, Option<&str>); 3] = [
        (
            "export-error",
            &[],
            1,
            Some("error: symbol exported via --export not found: nothing"),
        ),
        (
            "export-warn",
            &["--warn-unresolved-symbols"],
            0,
            Some("warning: symbol exported via --export not found: nothing"),
        ),
        (
            "export-ignore",
            &["--unresolved-symbols=ignore-all"],
            0,
            None,
        ),
    ];
    for (name, extra, code, message) in cases {
        let mut args = strs(&["--export=nothing", "--no-entry", "--export=run"]);
        args.extend(strs(extra));
        args.extend(THREE.iter().map(|o| obj(o)));
        let both = link_both(name, &args);
        assert_eq!(
            (both.ours.code, &both.ours.stderr),
            (both.theirs.code, &both.theirs.stderr),
            "{name}"
        );
        assert_eq!(both.ours.code, code, "{name}: {}", both.ours.stderr);
        assert_eq!(both.ours.stderr.lines().next(), message, "{name}");
    }
}

#[test]
fn fatal_warnings_make_unresolved_warnings_errors_and_import_dynamic_needs_pic_like_wasm_ld() {
    let mut args = strs(&["--warn-unresolved-symbols", "--fatal-warnings"]);
    args.extend(wasi_command(&["c/unresolved.c"]));
    let both = link_both("warn-fatal", &args);
    assert_eq!(
        (both.ours.code, &both.ours.stderr),
        (both.theirs.code, &both.theirs.stderr)
    );
    assert!(both.ours.output.is_none(), "a failed link left an output");

    // Dynamic imports of code built without -fPIC: wasm-ld's warning, then its errors for the
    // absolute addresses of undefined symbols.
    let mut args = strs(&["--unresolved-symbols=import-dynamic"]);
    args.extend(wasi_command(&["c/unresolved.c"]));
    let both = link_both("import-dynamic", &args);
    assert_eq!(
        (both.ours.code, &both.ours.stderr),
        (both.theirs.code, &both.theirs.stderr)
    );
    assert!(
        both.ours.stderr.contains("recompile with -fPIC"),
        "{}",
        both.ours.stderr
    );
    assert!(both.ours.output.is_none(), "a failed link left an output");
}

#[test]
fn tag_and_function_imports_register_their_types_in_import_order_like_wasm_ld() {
    let mut args = strs(&[
        "--no-entry",
        "--allow-undefined",
        "--export=run2",
        "--export=run",
        "--export=def_tag",
    ]);
    args.push(obj("asm/eh_imports.s"));
    let both = assert_identical("imports-order", &args);
    let shape = tag_shape(both.ours.output.as_deref().unwrap_or_default());
    assert_eq!(shape.imported, ["env.imp_tag"]);
    assert_eq!(shape.exported, [("def_tag".to_string(), 1)]);
}
