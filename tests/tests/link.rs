//! The linker end to end: real programs compiled by clang-19 and rustc, linked by `wasm-link`
//! (through the compilers' own linker drivers) and by wasm-ld-19, then validated, run under
//! node's WASI and compared. Also the error cases: every one must exit non-zero with a message
//! naming the file and symbol, and leave no output behind.

use e2e_tests::{require_tool, target_dir, workspace_root};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

/// The `wasm-link` binary, built in this test's profile.
fn wasm_link() -> &'static Path {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| e2e_tests::cli_binary("wasm-link"))
}

/// A fresh scratch directory for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = target_dir().join("e2e-link").join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("cannot create scratch dir");
    dir
}

fn run(cmd: &mut Command) -> Output {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {:?}: {e}", cmd.get_program()));
    out
}

fn check(cmd: &mut Command) -> Output {
    let out = run(cmd);
    assert!(
        out.status.success(),
        "{:?} failed: {}",
        cmd,
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Compiles and links `source` with clang-19 (C or C++), running `linker` (wasm-ld-19 if
/// `None`) on clang's own link line, so that nothing else on `PATH` (`wasm-opt`) touches it.
fn clang_link(source: &Path, out: &Path, linker: Option<&Path>, extra: &[&str]) {
    let cxx = source.extension().is_some_and(|e| e == "cpp");
    let compiler = if cxx { "clang++-19" } else { "clang-19" };
    let mut flags = vec!["--target=wasm32-wasi", "--sysroot=/usr", "-O2"];
    flags.extend(extra);
    if cxx {
        flags.extend([
            "-fno-exceptions",
            "-I/usr/lib/llvm-19/include/wasm32-wasi/c++/v1",
            "-L/usr/lib/llvm-19/lib/wasm32-wasi",
        ]);
    }
    let wasm_ld = require_tool("wasm-ld-19");
    std::fs::create_dir_all(out.parent().unwrap()).unwrap();
    e2e_tests::clang_compile_and_link(compiler, &flags, source, out, linker.unwrap_or(&wasm_ld));
}

fn validate(module: &Path) -> Vec<u8> {
    let bytes = std::fs::read(module).expect("output missing");
    wasmparser::Validator::new()
        .validate_all(&bytes)
        .unwrap_or_else(|e| panic!("{} does not validate: {e}", module.display()));
    bytes
}

/// What must match wasm-ld's output: imports, exports, function count, memory.
fn shape(bytes: &[u8]) -> Vec<String> {
    let mut out = Vec::new();
    for payload in wasmparser::Parser::new(0).parse_all(bytes) {
        match payload.expect("parse") {
            wasmparser::Payload::ImportSection(r) => {
                for imp in r.into_imports() {
                    let imp = imp.expect("import");
                    out.push(format!("import {}.{} {:?}", imp.module, imp.name, imp.ty));
                }
            }
            wasmparser::Payload::ExportSection(r) => {
                for e in r {
                    let e = e.expect("export");
                    out.push(format!("export {} {:?} {}", e.name, e.kind, e.index));
                }
            }
            wasmparser::Payload::FunctionSection(r) => out.push(format!("functions {}", r.count())),
            wasmparser::Payload::MemorySection(r) => {
                for m in r {
                    out.push(format!("memory {:?}", m.expect("memory")));
                }
            }
            wasmparser::Payload::GlobalSection(r) => {
                for g in r {
                    out.push(format!("global {:?}", g.expect("global").ty));
                }
            }
            _ => {}
        }
    }
    out
}

/// Links `source` with both linkers, then checks validity, behaviour and layout.
fn compare_with_wasm_ld(name: &str, source: &Path, extra: &[&str]) -> (String, i32) {
    let dir = scratch(name);
    let ours = dir.join("ours/prog.wasm");
    let theirs = dir.join("ref/prog.wasm");
    clang_link(source, &ours, Some(wasm_link()), extra);
    clang_link(source, &theirs, None, extra);
    let (a, b) = (validate(&ours), validate(&theirs));
    assert_eq!(
        shape(&a),
        shape(&b),
        "{name}: layout differs from wasm-ld-19's"
    );
    let ran = e2e_tests::node_run(&ours);
    assert_eq!(
        ran,
        e2e_tests::node_run(&theirs),
        "{name}: behaviour differs from wasm-ld-19's"
    );
    ran
}

#[test]
fn c_demo_is_byte_identical_to_wasm_ld_and_runs() {
    let source = workspace_root().join("examples/demo.c");
    let (stdout, code) = compare_with_wasm_ld("demo", &source, &[]);
    assert_eq!(code, 0);
    assert!(
        stdout.contains("square(7) = 49") && stdout.contains("constructor ran: yes"),
        "{stdout}"
    );
    let dir = target_dir().join("e2e-link/demo");
    let ours = std::fs::read(dir.join("ours/prog.wasm")).unwrap();
    let theirs = std::fs::read(dir.join("ref/prog.wasm")).unwrap();
    assert!(
        ours == theirs,
        "demo output is not byte-identical to wasm-ld-19's"
    );
}

#[test]
fn c_with_flags_matches_wasm_ld() {
    let source = workspace_root().join("examples/demo.c");
    let flags = [
        "-Wl,--stack-first",
        "-Wl,-z,stack-size=131072",
        "-Wl,--export-dynamic",
        "-Wl,--no-merge-data-segments",
    ];
    let (_, code) = compare_with_wasm_ld("flags", &source, &flags);
    assert_eq!(code, 0);
}

#[test]
fn cpp_with_libcxx_matches_wasm_ld() {
    let dir = scratch("cpp-src");
    let source = dir.join("prog.cpp");
    std::fs::write(
        &source,
        "#include <cstdio>\n#include <map>\n#include <string>\n#include <vector>\n\
         struct Shape { virtual ~Shape() {} virtual int area() const = 0; };\n\
         struct Sq : Shape { int s; Sq(int s) : s(s) {} int area() const override { return s * s; } };\n\
         static std::vector<int> table = {3, 1, 2};\n\
         int main() { std::map<std::string, int> m; m[\"a\"] = 1; m[\"b\"] = 2;\n\
           Sq sq(5); const Shape &s = sq;\n\
           std::printf(\"%zu %d %d\\n\", m.size(), s.area(), table[0]); return 0; }\n",
    )
    .unwrap();
    let (stdout, code) = compare_with_wasm_ld("cpp", &source, &["-lc++", "-lc++abi"]);
    assert_eq!((stdout.as_str(), code), ("2 25 3\n", 0));
}

#[test]
fn rust_std_program_links_through_rustc() {
    require_tool("rustc");
    let dir = scratch("rust");
    let source = dir.join("main.rs");
    std::fs::write(
        &source,
        "use std::collections::HashMap;\nfn main() { let mut m = HashMap::new();\n\
         for w in \"a b a c b a\".split(' ') { *m.entry(w).or_insert(0) += 1; }\n\
         let mut v: Vec<_> = m.into_iter().collect(); v.sort();\n println!(\"{:?}\", v); }\n",
    )
    .unwrap();
    let build = |linker: &Path, out: &Path| {
        std::fs::create_dir_all(out.parent().unwrap()).unwrap();
        check(
            Command::new("rustc")
                .args(["--target", "wasm32-wasip1", "-O", "-C"])
                .arg(format!("linker={}", linker.display()))
                .arg(&source)
                .arg("-o")
                .arg(out),
        );
    };
    let ours = dir.join("ours/prog.wasm");
    let theirs = dir.join("ref/prog.wasm");
    build(wasm_link(), &ours);
    build(&require_tool("wasm-ld-19"), &theirs);
    let (a, b) = (validate(&ours), validate(&theirs));
    assert_eq!(shape(&a), shape(&b));
    let ran = e2e_tests::node_run(&ours);
    assert_eq!(
        ran,
        (String::from("[(\"a\", 3), (\"b\", 2), (\"c\", 1)]\n"), 0)
    );
    assert_eq!(ran, e2e_tests::node_run(&theirs));
}

#[test]
fn output_is_the_same_at_any_thread_count() {
    let dir = scratch("threads");
    let obj = dir.join("demo.o");
    check(
        Command::new(require_tool("clang-19"))
            .args(["--target=wasm32-wasi", "--sysroot=/usr", "-g", "-c"])
            .arg(workspace_root().join("examples/demo.c"))
            .arg("-o")
            .arg(&obj),
    );
    let link = |threads: &str, out: &Path| {
        std::fs::create_dir_all(out.parent().unwrap()).unwrap();
        check(
            Command::new(wasm_link())
                .args([
                    "-m",
                    "wasm32",
                    "-L/usr/lib/wasm32-wasi",
                    "/usr/lib/wasm32-wasi/crt1-command.o",
                ])
                .arg(&obj)
                .args(["-lc", threads, "-o"])
                .arg(out),
        );
        std::fs::read(out).unwrap()
    };
    let one = link("--threads=1", &dir.join("a/out.wasm"));
    let two = link("--threads=2", &dir.join("b/out.wasm"));
    let eight = link("--threads=8", &dir.join("c/out.wasm"));
    assert!(
        one == two && two == eight,
        "output depends on the thread count"
    );
}

/// Compiles C snippets to objects in `dir`.
fn objects(dir: &Path, files: &[(&str, &str)]) -> Vec<PathBuf> {
    files
        .iter()
        .map(|(name, text)| {
            let src = dir.join(format!("{name}.c"));
            let obj = dir.join(format!("{name}.o"));
            std::fs::write(&src, text).unwrap();
            check(
                Command::new(require_tool("clang-19"))
                    .args(["--target=wasm32-wasi", "--sysroot=/usr", "-c"])
                    .arg(&src)
                    .arg("-o")
                    .arg(&obj),
            );
            obj
        })
        .collect()
}

/// Links objects with `--no-entry`; returns (exit code, stderr, whether the output exists).
fn link_objects(dir: &Path, objs: &[PathBuf], extra: &[&str]) -> (i32, String, bool) {
    let out = dir.join("out.wasm");
    let _ = std::fs::remove_file(&out);
    let o = run(Command::new(wasm_link())
        .args(objs)
        .args(extra)
        .arg("-o")
        .arg(&out));
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stderr).into_owned(),
        out.exists(),
    )
}

#[test]
fn duplicate_symbol_names_both_files() {
    let dir = scratch("dup");
    let objs = objects(
        &dir,
        &[
            ("a", "int foo(void) { return 1; }"),
            ("b", "int foo(void) { return 2; }"),
        ],
    );
    let (code, err, exists) = link_objects(&dir, &objs, &["--no-entry", "--export=foo"]);
    assert_eq!(code, 1);
    assert!(
        err.contains("duplicate symbol: foo") && err.contains("a.o") && err.contains("b.o"),
        "{err}"
    );
    assert!(!exists, "a failed link left an output file");
}

#[test]
fn undefined_symbol_names_symbol_file_and_function_once() {
    let dir = scratch("undef");
    let objs = objects(
        &dir,
        &[(
            "main",
            "int bar(void);\nint run(void) { return bar() + bar() + bar(); }",
        )],
    );
    let (code, err, exists) = link_objects(&dir, &objs, &["--no-entry", "--export=run"]);
    assert_eq!(code, 1);
    assert!(err.contains("undefined symbol: bar"), "{err}");
    assert!(err.contains("main.o (function run)"), "{err}");
    assert_eq!(
        err.matches("undefined symbol: bar").count(),
        1,
        "reported more than once: {err}"
    );
    assert!(!exists);
}

#[test]
fn signature_mismatch_warns_and_traps() {
    let dir = scratch("sig");
    let objs = objects(
        &dir,
        &[
            ("a", "int f(int);\nint run(void) { return f(1); }"),
            ("b", "int f(int a, int b) { return a + b; }"),
        ],
    );
    let (code, err, exists) = link_objects(&dir, &objs, &["--no-entry", "--export=run"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("warning: function signature mismatch: f"),
        "{err}"
    );
    assert!(err.contains("a.o") && err.contains("b.o"), "{err}");
    assert!(exists);
    validate(&dir.join("out.wasm"));
}

#[test]
fn bad_object_names_file_and_offset() {
    let dir = scratch("bad");
    let objs = objects(&dir, &[("good", "int g(void) { return 7; }")]);
    let bytes = std::fs::read(&objs[0]).unwrap();
    let truncated = dir.join("truncated.o");
    std::fs::write(&truncated, &bytes[..bytes.len() / 2]).unwrap();
    let (code, err, exists) = link_objects(&dir, &[truncated], &["--no-entry"]);
    assert_eq!(code, 1);
    assert!(
        err.contains("truncated.o") && err.contains("offset"),
        "{err}"
    );
    assert!(!exists);
    let garbage = dir.join("garbage.o");
    std::fs::write(&garbage, b"this is not a wasm object").unwrap();
    let (code, err, _) = link_objects(&dir, &[garbage], &["--no-entry"]);
    assert_eq!(code, 1);
    assert!(err.contains("garbage.o"), "{err}");
}

#[test]
fn missing_file_and_missing_entry_are_errors() {
    let dir = scratch("missing");
    let (code, err, exists) = link_objects(&dir, &[dir.join("nope.o")], &["--no-entry"]);
    assert_eq!(code, 1);
    assert!(err.contains("nope.o"), "{err}");
    assert!(!exists);
    let objs = objects(&dir, &[("lib", "int h(void) { return 1; }")]);
    let (code, err, _) = link_objects(&dir, &objs, &[]);
    assert_eq!(code, 1);
    assert!(
        err.contains("entry symbol not defined (pass --no-entry to suppress): _start"),
        "{err}"
    );
}

#[test]
fn fatal_warnings_turn_a_signature_mismatch_into_an_error() {
    let dir = scratch("fatal");
    let objs = objects(
        &dir,
        &[
            ("a", "int f(int);\nint run(void) { return f(1); }"),
            ("b", "int f(int a, int b) { return a + b; }"),
        ],
    );
    let (code, err, exists) = link_objects(
        &dir,
        &objs,
        &["--no-entry", "--export=run", "--fatal-warnings"],
    );
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("error: function signature mismatch: f"),
        "{err}"
    );
    assert!(!exists);
}

#[test]
fn start_lib_objects_load_only_when_needed() {
    let dir = scratch("startlib");
    let objs = objects(
        &dir,
        &[
            ("main", "int used(void);\nint run(void) { return used(); }"),
            ("used", "int used(void) { return 5; }"),
            (
                "unused",
                "int unused_dup(void) { return 1; }\nint run(void) { return 9; }",
            ),
        ],
    );
    let mut args: Vec<PathBuf> = vec![
        objs[0].clone(),
        "--start-lib".into(),
        objs[1].clone(),
        objs[2].clone(),
    ];
    args.push("--end-lib".into());
    let out = dir.join("out.wasm");
    let o = run(Command::new(wasm_link())
        .args(&args)
        .args(["--no-entry", "--export=run", "-o"])
        .arg(&out));
    let err = String::from_utf8_lossy(&o.stderr);
    // `unused.o` also defines `run`: loaded eagerly it would be a duplicate symbol.
    assert!(o.status.success(), "{err}");
    let bytes = validate(&out);
    assert!(
        shape(&bytes).contains(&"functions 2".to_string()),
        "{:?}",
        shape(&bytes)
    );
}

#[test]
fn thread_local_data_without_shared_memory_reads_its_own_values() {
    // Built with atomics and bulk memory, `_Thread_local` stays thread-local: code adds a
    // `MEMORY_ADDR_TLS_SLEB` offset to `__tls_base`. wasm-ld 19 writes the absolute address
    // there, so `__tls_base` counts twice and the program reads the wrong memory (fixed in
    // LLVM 20, llvm-project#116136). We write the offset; the layout is wasm-ld's.
    let dir = scratch("tls-no-shared-memory");
    let source = dir.join("tls.c");
    std::fs::write(
        &source,
        "#include <stdio.h>\n_Thread_local int counter = 40;\n\
         _Thread_local const char *word = \"tls\";\n\
         int main(void) { counter += 2; printf(\"%s %d\\n\", word, counter); return 0; }\n",
    )
    .unwrap();
    let flags = ["-matomics", "-mbulk-memory"];
    let ours = dir.join("ours/prog.wasm");
    let theirs = dir.join("ref/prog.wasm");
    clang_link(&source, &ours, Some(wasm_link()), &flags);
    clang_link(&source, &theirs, None, &flags);
    let (a, b) = (validate(&ours), validate(&theirs));
    assert_eq!(shape(&a), shape(&b), "layout differs from wasm-ld-19's");
    assert_eq!(e2e_tests::node_run(&ours), ("tls 42\n".to_string(), 0));
}

#[test]
fn features_are_checked_and_named() {
    let dir = scratch("features");
    let objs = objects(&dir, &[("plain", "int get(void) { return 7; }\n")]);
    let (code, stderr, exists) = link_objects(&dir, &objs, &["--no-entry", "--features=atomics"]);
    assert_ne!(code, 0);
    assert!(!exists, "a failed link left an output behind");
    assert!(
        stderr.contains("Target feature 'sign-ext' used by ")
            && stderr.contains("plain.o is not allowed"),
        "{stderr}"
    );
    let (code, stderr, _) = link_objects(&dir, &objs, &["--no-entry", "--extra-features=simd128"]);
    assert_eq!(code, 0, "{stderr}");
    let bytes = validate(&dir.join("out.wasm"));
    let features = custom_section(&bytes, "target_features").expect("no target_features");
    assert!(
        features.windows(7).any(|w| w == b"simd128"),
        "--extra-features=simd128 is not in target_features"
    );
}

/// The contents of the first custom section named `name`.
fn custom_section<'a>(bytes: &'a [u8], name: &str) -> Option<&'a [u8]> {
    wasmparser::Parser::new(0)
        .parse_all(bytes)
        .filter_map(Result::ok)
        .find_map(|p| match p {
            wasmparser::Payload::CustomSection(c) if c.name() == name => Some(c.data()),
            _ => None,
        })
}

#[test]
fn size_report_attributes_every_byte() {
    let dir = scratch("size-report");
    let out = dir.join("prog.wasm");
    let report = dir.join("sizes.json");
    let flag = format!("-Wl,--size-report={}", report.display());
    let source = workspace_root().join("examples/demo.c");
    clang_link(&source, &out, Some(wasm_link()), &[&flag]);
    let bytes = validate(&out);
    let text = std::fs::read(&report).expect("no size report written");
    let json: serde_json::Value = serde_json::from_slice(&text).expect("size report is not JSON");
    let list = |key: &str| json[key].as_array().cloned().unwrap_or_default();
    let sum = |rows: &[serde_json::Value], key: &str| -> u64 {
        rows.iter().map(|r| r[key].as_u64().unwrap_or(0)).sum()
    };
    assert_eq!(json["file_size"].as_u64(), Some(bytes.len() as u64));
    assert_eq!(
        sum(&list("sections"), "size") + 8,
        bytes.len() as u64,
        "section sizes do not add up to the file"
    );
    let (files, functions) = (list("files"), list("functions"));
    assert_eq!(sum(&files, "code"), sum(&functions, "size"));
    assert_eq!(sum(&files, "total"), sum(&list("groups"), "total"));
    let main = functions
        .iter()
        .find(|f| f["name"] == "__original_main" || f["name"] == "main")
        .expect("no main in the report");
    assert!(
        main["input"].as_str().is_some_and(|i| i.contains("demo")),
        "main is not attributed to the demo object: {main}"
    );
    let groups = list("groups");
    assert!(
        groups.iter().any(
            |g| g["input"].as_str().is_some_and(|i| i.ends_with("libc.a"))
                && g["code"].as_u64() > Some(0)
        ),
        "libc.a contributes no code"
    );
}

#[test]
fn why_live_prints_the_chain_from_a_root() {
    let dir = scratch("why-live");
    let objs = objects(
        &dir,
        &[
            (
                "main",
                "int helper(void);\nint main(void) { return helper(); }\n",
            ),
            (
                "lib",
                "int leaf(void) { return 1; }\nint helper(void) { return leaf(); }\n\
                 int unused(void) { return 2; }\n",
            ),
        ],
    );
    let out = check(
        Command::new(wasm_link())
            .args(&objs)
            .args(["--no-entry", "--export=main", "--why-live=leaf"])
            .args(["--why-live=unused", "--why-live=nothing*"])
            .arg("-o")
            .arg(dir.join("out.wasm")),
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let expected = [
        "why-live: leaf [",
        "  referenced by function helper [",
        "  referenced by function __original_main [",
        "  referenced by function main [",
        "  main is exported",
        "why-live: unused [",
        "  not live: nothing reachable from a root uses it",
        "why-live: no symbol matches nothing*",
    ];
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), expected.len(), "{stdout}");
    for (line, want) in lines.iter().zip(expected) {
        assert!(
            line.starts_with(want),
            "expected {want:?}, got {line:?}\n{stdout}"
        );
    }
}

#[test]
fn undefined_symbols_come_with_hints() {
    let dir = scratch("undefined-hints");
    let objs = objects(
        &dir,
        &[
            (
                "main",
                "int foo(int) __asm__(\"_Z3fooi\");\nint bar(void);\nint host_log(int);\n\
                 int main(void) { return foo(1) + bar() + host_log(2); }\n",
            ),
            (
                "lib",
                "int foo_long(long) __asm__(\"_Z3fool\");\nint foo_long(long x) { return (int)x; }\n\
                 int bar_cxx(void) __asm__(\"_Z3barv\");\nint bar_cxx(void) { return 3; }\n",
            ),
        ],
    );
    let (code, stderr, exists) = link_objects(&dir, &objs, &["--no-entry", "--export=main"]);
    assert_ne!(code, 0);
    assert!(!exists, "a failed link left an output behind");
    for want in [
        "undefined symbol: foo(int)",
        ">>> did you mean: foo(long) defined in",
        "(the signatures differ)",
        "undefined symbol: bar\n",
        ">>> did you mean: bar() defined in",
        "is extern \"C\" missing where it is defined?",
        "undefined symbol: host_log",
        "__attribute__((import_module(\"env\"), import_name(\"host_log\")))",
    ] {
        assert!(stderr.contains(want), "missing {want:?} in:\n{stderr}");
    }
}

/// A generated program of many translation units with debug info, string literals (merged in
/// parallel shards), function pointers and constructors: big enough that every parallel phase
/// splits its work.
fn many_units(dir: &Path, units: usize, functions: usize) -> Vec<PathBuf> {
    let sources: Vec<(String, String)> = (0..units)
        .map(|u| {
            let mut text = String::from("#include <stdio.h>\n");
            for f in 0..functions {
                text.push_str(&format!(
                    "static const char *s{u}_{f} = \"unit {u} function {f} shared tail\";\n\
                     int f{u}_{f}(int x) {{ return x * {f} + (int)__builtin_strlen(s{u}_{f}); }}\n\
                     int (*p{u}_{f})(int) = f{u}_{f};\n"
                ));
            }
            text.push_str(&format!(
                "__attribute__((constructor({}))) static void init{u}(void) {{ p{u}_0(1); }}\n",
                101 + u % 7
            ));
            if u == 0 {
                text.push_str("int main(void) { printf(\"%d\\n\", p0_1(2)); return 0; }\n");
            }
            (format!("u{u}"), text)
        })
        .collect();
    std::thread::scope(|s| {
        let handles: Vec<_> = sources
            .iter()
            .map(|(name, text)| {
                s.spawn(move || {
                    let src = dir.join(format!("{name}.c"));
                    let obj = dir.join(format!("{name}.o"));
                    std::fs::write(&src, text).unwrap();
                    check(
                        Command::new(require_tool("clang-19"))
                            .args(["--target=wasm32-wasi", "--sysroot=/usr", "-O1", "-g", "-c"])
                            .arg(&src)
                            .arg("-o")
                            .arg(&obj),
                    );
                    obj
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    })
}

#[test]
fn many_units_are_byte_identical_at_any_thread_count_and_to_wasm_ld() {
    let dir = scratch("many-units");
    let objs = many_units(&dir, 24, 40);
    let link = |linker: &Path, threads: Option<&str>, sub: &str| {
        let out = dir.join(sub).join("prog.wasm");
        std::fs::create_dir_all(out.parent().unwrap()).unwrap();
        let mut cmd = Command::new(linker);
        cmd.args([
            "-m",
            "wasm32",
            "-L/usr/lib/wasm32-wasi",
            "/usr/lib/wasm32-wasi/crt1-command.o",
        ])
        .args(&objs)
        .arg("-lc")
        .args(threads)
        .arg("-o")
        .arg(&out);
        check(&mut cmd);
        validate(&out)
    };
    let reference = link(&require_tool("wasm-ld-19"), None, "ref");
    for (threads, sub) in [
        ("--threads=1", "t1"),
        ("--threads=3", "t3"),
        ("--threads=8", "t8"),
    ] {
        let ours = link(wasm_link(), Some(threads), sub);
        assert!(
            ours == reference,
            "with {threads} the output differs from wasm-ld-19's ({} vs {} bytes)",
            ours.len(),
            reference.len()
        );
    }
}

#[test]
fn link_map_is_wasm_ld_s() {
    let dir = scratch("map");
    let obj = dir.join("demo.o");
    check(
        Command::new(require_tool("clang-19"))
            .args(["--target=wasm32-wasi", "--sysroot=/usr", "-O1", "-g", "-c"])
            .arg(workspace_root().join("examples/demo.c"))
            .arg("-o")
            .arg(&obj),
    );
    let map = |linker: &Path, sub: &str| {
        let out = dir.join(sub);
        std::fs::create_dir_all(&out).unwrap();
        check(
            Command::new(linker)
                .args(["-m", "wasm32", "-L/usr/lib/wasm32-wasi"])
                .arg("/usr/lib/wasm32-wasi/crt1-command.o")
                .arg(&obj)
                .args(["-lc", "-o"])
                .arg(out.join("prog.wasm"))
                .arg(format!("--Map={}", out.join("prog.map").display())),
        );
        std::fs::read_to_string(out.join("prog.map")).expect("no map written")
    };
    let theirs = map(&require_tool("wasm-ld-19"), "ref");
    let ours = map(wasm_link(), "ours");
    assert!(
        theirs.lines().count() > 20,
        "wasm-ld's map is too short:\n{theirs}"
    );
    assert_eq!(ours, theirs, "the link map differs from wasm-ld-19's");
}

#[test]
fn build_ids_are_wasm_ld_s() {
    let dir = scratch("build-id");
    // Over 1 MiB of output, so the hash runs over several chunks.
    let objs = many_units(&dir, 40, 240);
    for style in ["--build-id", "--build-id=sha1", "--build-id=0xc0ffee"] {
        let link = |linker: &Path, sub: &str| {
            let out = dir.join(sub).join("prog.wasm");
            std::fs::create_dir_all(out.parent().unwrap()).unwrap();
            check(
                Command::new(linker)
                    .args(["-m", "wasm32", "-L/usr/lib/wasm32-wasi"])
                    .arg("/usr/lib/wasm32-wasi/crt1-command.o")
                    .args(&objs)
                    .args(["-lc", style, "-o"])
                    .arg(&out),
            );
            validate(&out)
        };
        let theirs = link(&require_tool("wasm-ld-19"), "ref");
        let ours = link(wasm_link(), "ours");
        assert!(theirs.len() > 1 << 20, "only {} bytes", theirs.len());
        assert!(ours == theirs, "{style}: output differs from wasm-ld-19's");
    }
}
