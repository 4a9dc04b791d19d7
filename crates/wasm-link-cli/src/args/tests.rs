//! Parser tests: driver-shaped command lines parse into the right configuration, and the
//! checks fail with wasm-ld's wording.

use std::path::{Path, PathBuf};

use wasm_link::{Config, Entry, Input, UnresolvedPolicy};

use super::{parse, Parsed, Request};

/// A scratch library directory holding empty `libc.a`, `libm.a` and `libm.so`.
fn libdir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    for f in ["libc.a", "libm.a", "libm.so"] {
        std::fs::write(dir.path().join(f), b"!<arch>\n").expect("write");
    }
    dir
}

fn run(args: &[&str]) -> Parsed {
    parse(args.iter().map(|s| s.to_string()).collect())
}

fn config(args: &[&str]) -> Config {
    let parsed = run(args);
    assert!(
        parsed.report.errors.is_empty(),
        "{args:?}: {:?}",
        parsed.report.errors
    );
    match parsed.request {
        Some(Request::Link { config, .. }) => *config,
        other => panic!("{args:?}: expected a link, got {other:?}"),
    }
}

fn errors(args: &[&str]) -> Vec<String> {
    let parsed = run(args);
    assert!(parsed.request.is_none(), "{args:?} should fail");
    parsed.report.errors
}

fn input(path: impl Into<PathBuf>, whole_archive: bool, lazy: bool) -> Input {
    Input {
        path: path.into(),
        whole_archive,
        lazy,
    }
}

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 temp path")
}

#[test]
fn clang_wasi_command() {
    let dir = libdir();
    let l = format!("-L{}", s(dir.path()));
    let c = config(&[
        "-m",
        "wasm32",
        &l,
        "crt1-command.o",
        "x.o",
        "-lc",
        "rt.a",
        "-o",
        "a.out",
    ]);
    let libc = dir.path().join("libc.a");
    let want = [
        input("crt1-command.o", false, false),
        input("x.o", false, false),
        input(libc, false, false),
        input("rt.a", false, false),
    ];
    assert_eq!(c.inputs, want);
    assert_eq!(c.output, PathBuf::from("a.out"));
    assert_eq!(c.memory64, Some(false));
    assert_eq!(c.entry, Entry::Default);
    assert!(c.gc_sections && c.merge_data_segments && c.demangle && c.check_features);
    assert_eq!(
        (c.stack_size, c.table_base, c.opt_level, c.error_limit),
        (65536, 1, 1, 20)
    );
}

#[test]
fn clang_reactor_and_strip_and_wl() {
    let c = config(&[
        "-m",
        "wasm32",
        "--strip-all",
        "crt1-reactor.o",
        "--entry",
        "_initialize",
        "--export=foo",
        "-zstack-size=131072",
        "x.o",
        "-o",
        "a.out",
    ]);
    assert_eq!(c.entry, Entry::Named("_initialize".into()));
    assert!(c.strip_all && !c.strip_debug);
    assert_eq!(c.exports, ["foo"]);
    assert_eq!(c.stack_size, 131072);
}

#[test]
fn rustc_wasip1_bin() {
    let dir = libdir();
    let d = s(dir.path());
    let c = config(&[
        "-flavor",
        "wasm",
        "--export",
        "__main_void",
        "-z",
        "stack-size=1048576",
        "--stack-first",
        "--allow-undefined",
        "--no-demangle",
        "crt1-command.o",
        "m.o",
        "libstd.rlib",
        "-l",
        "c",
        "libcore.rlib",
        "-L",
        d,
        "-o",
        "m.wasm",
        "--gc-sections",
        "-O3",
    ]);
    assert_eq!(c.exports, ["__main_void"]);
    assert_eq!(c.stack_size, 1048576);
    assert!(c.stack_first && c.import_undefined && !c.demangle && c.gc_sections);
    assert_eq!(c.unresolved, UnresolvedPolicy::IgnoreAll);
    assert_eq!(c.opt_level, 3);
    let paths: Vec<_> = c.inputs.iter().map(|i| i.path.clone()).collect();
    let want = [
        "crt1-command.o".into(),
        "m.o".into(),
        "libstd.rlib".into(),
        dir.path().join("libc.a"),
        "libcore.rlib".into(),
    ];
    assert_eq!(paths, want);
}

#[test]
fn rustc_unknown_cdylib() {
    let c = config(&[
        "-flavor",
        "wasm",
        "--export",
        "add",
        "--export=__heap_base",
        "--export=__data_end",
        "-z",
        "stack-size=1048576",
        "--stack-first",
        "--allow-undefined",
        "--no-demangle",
        "--no-entry",
        "l.o",
        "-L",
        "/nonexistent",
        "-o",
        "l.wasm",
        "--gc-sections",
        "--no-entry",
        "-O3",
    ]);
    assert_eq!(c.exports, ["add", "__heap_base", "__data_end"]);
    assert_eq!(c.entry, Entry::None);
    assert_eq!(c.output, PathBuf::from("l.wasm"));
}

#[test]
fn archive_modes_follow_the_order() {
    let c = config(&[
        "a.o",
        "--whole-archive",
        "b.a",
        "-whole-archive",
        "c.a",
        "--no-whole-archive",
        "d.a",
        "--start-lib",
        "e.o",
        "f.o",
        "--end-lib",
        "g.o",
        "-o",
        "x",
    ]);
    let want = [
        input("a.o", false, false),
        input("b.a", true, false),
        input("c.a", true, false),
        input("d.a", false, false),
        input("e.o", false, true),
        input("f.o", false, true),
        input("g.o", false, false),
    ];
    assert_eq!(c.inputs, want);
}

#[test]
fn library_search_honours_bdynamic_and_late_search_dirs() {
    let dir = libdir();
    let l = format!("-L{}", s(dir.path()));
    let c = config(&[
        "-lm",
        "-Bdynamic",
        "-lm",
        "--Bstatic",
        "-l:libc.a",
        &l,
        "-o",
        "x",
    ]);
    let paths: Vec<_> = c.inputs.iter().map(|i| i.path.clone()).collect();
    let want = [
        dir.path().join("libm.a"),
        dir.path().join("libm.so"),
        dir.path().join("libc.a"),
    ];
    assert_eq!(paths, want);
    assert_eq!(
        errors(&["-lnotthere", &l, "-o", "x"]),
        ["unable to find library -lnotthere"]
    );
}

#[test]
fn response_files_expand_in_order() {
    let dir = tempfile::tempdir().expect("tempdir");
    let rsp = dir.path().join("args.rsp");
    std::fs::write(
        &rsp,
        "--whole-archive 'b c.a' --no-whole-archive -o out.wasm",
    )
    .expect("write");
    let c = config(&["a.o", &format!("@{}", s(&rsp)), "d.o"]);
    assert_eq!(
        c.inputs,
        [
            input("a.o", false, false),
            input("b c.a", true, false),
            input("d.o", false, false)
        ]
    );
    assert_eq!(c.output, PathBuf::from("out.wasm"));
}

#[test]
fn last_one_wins_for_pairs() {
    let c = config(&[
        "x.o",
        "-o",
        "x",
        "--no-gc-sections",
        "--gc-sections",
        "--entry=a",
        "--no-entry",
        "--no-demangle",
        "--demangle",
        "--no-check-features",
    ]);
    assert!(c.gc_sections && c.demangle && !c.check_features);
    assert_eq!(c.entry, Entry::None);
    let c = config(&[
        "x.o",
        "-o",
        "x",
        "--no-entry",
        "-e",
        "b",
        "--warn-unresolved-symbols",
    ]);
    assert_eq!(c.entry, Entry::Named("b".into()));
    assert!(c.warn_unresolved);
}

#[test]
fn memory_options() {
    let c = config(&[
        "x.o",
        "-o",
        "x",
        "--initial-memory=131072",
        "--max-memory=196608",
        "--global-base=4096",
        "--import-memory=m,n",
        "--export-memory",
        "--table-base=5",
        "-mwasm64",
        "--shared-memory",
        "--initial-heap=65536",
    ]);
    assert_eq!(
        (
            c.initial_memory,
            c.max_memory,
            c.global_base,
            c.initial_heap
        ),
        (Some(131072), Some(196608), Some(4096), Some(65536))
    );
    assert_eq!(c.import_memory, Some(("m".into(), "n".into())));
    assert_eq!(c.export_memory, Some("memory".into()));
    assert_eq!(
        (c.table_base, c.memory64, c.shared_memory),
        (5, Some(true), true)
    );
    let c = config(&["x.o", "-o", "x", "--import-memory", "--export-memory=mem"]);
    assert_eq!(c.import_memory, Some(("env".into(), "memory".into())));
    assert_eq!(c.export_memory, Some("mem".into()));
}

#[test]
fn symbol_options() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("syms");
    std::fs::write(&file, "foo\n  bar # comment\n# only a comment\n\nbaz\n").expect("write");
    let f = format!("--allow-undefined-file={}", s(&file));
    let c = config(&[
        "x.o",
        "-o",
        "x",
        &f,
        "-u",
        "u1",
        "--undefined=u2",
        "--export-if-defined",
        "e",
        "-E",
        "--export-all",
        "--import-undefined",
        "--unresolved-symbols=import-dynamic",
        "--experimental-pic",
    ]);
    assert_eq!(c.allow_undefined_symbols, ["foo", "bar", "baz"]);
    assert_eq!(c.undefined, ["u1", "u2"]);
    assert_eq!(c.exports_if_defined, ["e"]);
    assert!(c.export_dynamic && c.export_all && c.import_undefined);
    assert_eq!(c.unresolved, UnresolvedPolicy::ImportDynamic);
}

#[test]
fn misc_options() {
    let c = config(&[
        "x.o",
        "-o",
        "x",
        "--threads=2",
        "--error-limit",
        "0",
        "--fatal-warnings",
        "--features=a,b",
        "--extra-features=c",
        "--verbose",
        "-S",
        "--keep-section=k",
        "--keep-section",
        "l",
        "--no-merge-data-segments",
        "--print-gc-sections",
        "--lto-O2",
        "-O0",
        "--color-diagnostics",
        "--emit-relocs",
    ]);
    assert_eq!((c.threads, c.error_limit, c.opt_level), (Some(2), 0, 0));
    assert!(
        c.fatal_warnings
            && c.verbose
            && c.strip_debug
            && c.print_gc_sections
            && !c.merge_data_segments
            && c.emit_relocs
    );
    assert_eq!(c.features, Some(vec!["a".to_string(), "b".to_string()]));
    assert_eq!(c.extra_features, ["c"]);
    assert_eq!(c.keep_sections, ["k", "l"]);
}

#[test]
fn wasm_ld_wording_for_bad_values() {
    let base = ["x.o", "-o", "x"];
    let check = |extra: &[&str], want: &str| {
        let args: Vec<&str> = base.iter().chain(extra).copied().collect();
        assert_eq!(errors(&args), [want], "{extra:?}");
    };
    check(&["-zstack-size=abc"], "invalid stack-size: abc");
    check(
        &["--export-table", "--import-table"],
        "--import-table and --export-table may not be used together",
    );
    check(
        &["--global-base=abc"],
        "--global-base=abc: number expected, but got 'abc'",
    );
    check(&["-Os"], "-Os: number expected, but got 's'");
    check(
        &["--threads=0"],
        "--threads: expected a positive integer, but got '0'",
    );
    check(&["-mwasm33"], "invalid target architecture: wasm33");
    check(
        &["--unresolved-symbols=import-functions"],
        "unknown --unresolved-symbols value: import-functions",
    );
    check(
        &["--color-diagnostics=foo"],
        "unknown option: --color-diagnostics=foo",
    );
    check(&["--lto-O9"], "invalid optimization level for LTO: 9");
    check(
        &["--no-growable-memory", "--max-memory=131072"],
        "--max-memory is incompatible with --no-growable-memory",
    );
    check(&["--compress-relocations"], "--compress-relocations is incompatible with output debug information. Please pass --strip-debug or --strip-all");
    check(
        &["-r", "--gc-sections"],
        "-r and --gc-sections may not be used together",
    );
    check(&["--start-lib", "--start-lib"], "nested --start-lib");
    check(&["--end-lib"], "stray --end-lib");
}

#[test]
fn wrap_trace_and_why_extract() {
    let c = config(&[
        "x.o",
        "-o",
        "x",
        "--wrap=foo",
        "-wrap",
        "bar",
        "--wrap=a=b",
        "-t",
        "-y",
        "foo",
        "--trace-symbol=bar",
        "-ybaz",
        "--why-extract=w.tsv",
    ]);
    let wrapped: Vec<_> = c.wrap.iter().map(|w| w.symbol.as_str()).collect();
    assert_eq!(wrapped, ["foo", "bar", "a=b"]);
    assert_eq!(c.wrap[0].real, "__real_foo");
    assert_eq!(c.wrap[0].wrap, "__wrap_foo");
    assert!(c.trace);
    assert_eq!(c.trace_symbols, ["foo", "bar", "baz"]);
    assert_eq!(c.why_extract, Some("w.tsv".into()));
    let quiet = config(&["x.o", "-o", "x", "--why-extract="]);
    assert!(!quiet.trace && quiet.why_extract.is_none() && quiet.wrap.is_empty());
}

#[test]
fn missing_inputs_and_output() {
    assert_eq!(errors(&["-o", "x"]), ["no input files"]);
    assert_eq!(errors(&["x.o"]), ["no output file specified"]);
}

#[test]
fn warnings_and_fatal_warnings() {
    let parsed = run(&[
        "x.o",
        "-o",
        "x",
        "-z",
        "muldefs",
        "--reproduce=r.tar",
        "-t",
        "--why-extract=w",
    ]);
    assert!(parsed.request.is_some());
    let want = ["unknown -z value: muldefs"];
    assert_eq!(parsed.report.warnings, want);
    assert_eq!(
        errors(&["x.o", "-o", "x", "-zfoo", "--fatal-warnings"]),
        ["unknown -z value: foo"]
    );
}

#[test]
fn relocatable_and_shared_defaults() {
    let c = config(&["x.o", "-o", "x", "-r"]);
    assert_eq!(c.entry, Entry::None);
    assert!(c.relocatable && !c.gc_sections && !c.merge_data_segments);
    let p = run(&["x.o", "-o", "x", "--shared"]);
    assert_eq!(
        p.report.warnings,
        ["creating shared libraries, with -shared, is not yet stable"]
    );
    let Some(Request::Link { config: c, .. }) = p.request else {
        panic!("expected a link")
    };
    assert_eq!(c.entry, Entry::Named("__wasm_call_ctors".into()));
    assert!(c.pic && c.export_dynamic && c.import_table);
    assert_eq!(c.import_memory, Some(("env".into(), "memory".into())));
}

#[test]
fn help_version_and_v() {
    assert!(matches!(run(&["--help"]).request, Some(Request::Help(t)) if t.contains("--no-entry")));
    assert!(matches!(run(&["-version"]).request, Some(Request::Version)));
    assert!(matches!(run(&["-v"]).request, Some(Request::Version)));
    // wasm-ld 19 prints the version and links nothing, inputs or not.
    let with_inputs = run(&["-v", "x.o", "-o", "x"]).request;
    assert!(matches!(with_inputs, Some(Request::Version)));
    // After argument errors it still prints the version (and fails).
    let bad = run(&["-v", "--bogus"]);
    assert!(bad.request.is_none());
    assert_eq!(bad.info.as_deref(), Some(super::version().as_str()));
}

#[test]
fn flavor_other_than_wasm_is_refused() {
    assert_eq!(
        errors(&["-flavor", "gnu", "x.o", "-o", "x"]),
        ["-flavor gnu is not supported: wasm-link links wasm only"]
    );
}
