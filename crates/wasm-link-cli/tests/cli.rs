//! End-to-end tests of the `wasm-link` command line: the exact argument lists clang-19 and
//! rustc pass, spelling-by-spelling agreement with `wasm-ld-19` on what is an unknown
//! argument, and the binary's exit codes and messages.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use wasm_link::{Config, Entry, UnresolvedPolicy};
use wasm_link_cli::args::{self, table::Form, table::EXTENSIONS, table::SPELLINGS, Request};

fn run_tool(tool: &str, args: &[&str], cwd: &Path) -> Output {
    Command::new(tool)
        .args(args)
        .current_dir(cwd)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {tool} ({e}); install it (see the shared context)"))
}

fn config_of(argv: Vec<String>) -> Config {
    let parsed = args::parse(argv.clone());
    assert!(
        parsed.report.errors.is_empty(),
        "{argv:?}: {:?}",
        parsed.report.errors
    );
    match parsed.request {
        Some(Request::Link { config, .. }) => *config,
        other => panic!("{argv:?}: expected a link, got {other:?}"),
    }
}

/// The wasm-ld argument list from `clang-19 -###` (the last line, every argument quoted).
fn clang_link_args(extra: &[&str]) -> Vec<String> {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("x.c"), "int main(void) { return 0; }\n").expect("write");
    let mut argv = vec!["--target=wasm32-wasi", "--sysroot=/usr", "-###", "x.c"];
    argv.extend(extra);
    let out = run_tool("clang-19", &argv, dir.path());
    let text = String::from_utf8_lossy(&out.stderr);
    let line = text.lines().last().unwrap_or_default();
    let args: Vec<String> = line
        .trim()
        .split("\" \"")
        .map(|a| a.trim_matches('"').to_string())
        .collect();
    assert!(
        args[0].ends_with("wasm-ld-19"),
        "unexpected clang output: {text}"
    );
    args[1..].to_vec()
}

#[test]
fn clang_wasi_command_line() {
    let c = config_of(clang_link_args(&[]));
    let names: Vec<String> = c
        .inputs
        .iter()
        .map(|i| i.path.display().to_string())
        .collect();
    assert_eq!(names[0], "/usr/lib/wasm32-wasi/crt1-command.o");
    assert!(names[1].ends_with(".o"));
    assert_eq!(names[2], "/usr/lib/wasm32-wasi/libc.a");
    assert!(names[3].ends_with("libclang_rt.builtins-wasm32.a"));
    assert_eq!(
        (c.output, c.memory64, c.entry),
        (PathBuf::from("a.out"), Some(false), Entry::Default)
    );
}

#[test]
fn clang_reactor_strip_and_wl_command_lines() {
    let c = config_of(clang_link_args(&["-mexec-model=reactor"]));
    assert_eq!(c.entry, Entry::Named("_initialize".into()));
    assert!(c.inputs[0].path.ends_with("crt1-reactor.o"));
    let argv = clang_link_args(&[
        "-s",
        "-Wl,--export=foo,-zstack-size=131072,--no-entry,--whole-archive",
    ]);
    let c = config_of(argv.clone());
    assert!(c.strip_all);
    assert_eq!(
        (c.exports.as_slice(), c.stack_size, c.entry.clone()),
        (&["foo".to_string()][..], 131072, Entry::None)
    );
    // clang keeps -Wl flags in place: x.c came first, so only libc and the builtins follow
    // --whole-archive.
    let whole: Vec<bool> = c.inputs.iter().map(|i| i.whole_archive).collect();
    assert_eq!(whole, [false, false, true, true], "{argv:?}");
}

/// The arguments rustc passes to its linker, captured by a script used as `-C linker`.
fn rustc_link_args(target: &str, crate_type: &str, source: &str) -> Vec<String> {
    let dir = tempfile::tempdir().expect("tempdir");
    let capture = dir.path().join("args.txt");
    let script = dir.path().join("linker.sh");
    let body = format!(
        "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\"; done > '{}'\n",
        capture.display()
    );
    std::fs::write(&script, body).expect("write");
    run_tool(
        "chmod",
        &["+x", script.to_str().expect("utf-8")],
        dir.path(),
    );
    std::fs::write(dir.path().join("x.rs"), source).expect("write");
    let linker = format!("linker={}", script.display());
    let argv = [
        "--target",
        target,
        "--crate-type",
        crate_type,
        "-O",
        "-C",
        &linker,
        "x.rs",
    ];
    let out = run_tool("rustc", &argv, dir.path());
    let text = std::fs::read_to_string(&capture).unwrap_or_else(|_| {
        panic!(
            "rustc did not call the linker (is `rustup target add {target}` done?): {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    text.lines().map(String::from).collect()
}

#[test]
fn rustc_wasip1_bin_command_line() {
    let argv = rustc_link_args("wasm32-wasip1", "bin", "fn main() { println!(\"hi\"); }\n");
    assert_eq!(argv[..2], ["-flavor", "wasm"]);
    let c = config_of(argv);
    assert_eq!(c.exports, ["__main_void"]);
    assert_eq!(
        (c.stack_size, c.opt_level, c.entry.clone()),
        (1048576, 3, Entry::Default)
    );
    assert!(c.stack_first && c.import_undefined && !c.demangle && c.gc_sections);
    assert_eq!(c.unresolved, UnresolvedPolicy::IgnoreAll);
    assert!(c.inputs[0].path.ends_with("self-contained/crt1-command.o"));
    assert!(
        c.inputs
            .iter()
            .any(|i| i.path.ends_with("self-contained/libc.a")),
        "-l c was not found"
    );
}

#[test]
fn rustc_unknown_cdylib_command_line() {
    let src = "#[no_mangle]\npub extern \"C\" fn add(a: i32, b: i32) -> i32 { a + b }\n";
    let c = config_of(rustc_link_args("wasm32-unknown-unknown", "cdylib", src));
    assert_eq!(c.exports, ["add", "__heap_base", "__data_end"]);
    assert_eq!(c.entry, Entry::None);
    assert!(c.stack_first && c.gc_sections);
}

/// The probe arguments: every spelling with one and two dashes (but our own extensions), plus
/// known traps.
fn probes() -> Vec<String> {
    let mut all: Vec<String> = SPELLINGS
        .iter()
        .filter(|s| !EXTENSIONS.contains(&s.id))
        .flat_map(|s| {
            let value = if s.form == Form::Joined { "1" } else { "" };
            ["-", "--"].map(|dash| format!("{dash}{}{value}", s.name))
        })
        .collect();
    let traps = [
        "-h",
        "--v",
        "--no-shared-memory",
        "--no-stack-first",
        "-export=1",
        "-Map=1",
        "--",
        "-",
        "-Os",
    ];
    all.extend(traps.iter().map(|t| t.to_string()));
    all
}

/// wasm-ld-19 and our parser agree, spelling by spelling, on what is an unknown argument.
#[test]
fn unknown_arguments_match_wasm_ld_19() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut disagreements = Vec::new();
    for probe in probes() {
        let argv = [probe.as_str(), "missing.o", "-o", "out.wasm"];
        let out = run_tool("wasm-ld-19", &argv, dir.path());
        let theirs = String::from_utf8_lossy(&out.stderr).contains("unknown argument");
        let parsed = args::parse(argv.iter().map(|a| a.to_string()).collect());
        let ours = parsed
            .report
            .errors
            .iter()
            .any(|e| e.starts_with("unknown argument"));
        if theirs != ours {
            disagreements.push(format!(
                "{probe}: wasm-ld-19 unknown={theirs}, wasm-link unknown={ours}"
            ));
        }
    }
    assert!(disagreements.is_empty(), "{}", disagreements.join("\n"));
}

fn wasm_link(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_wasm-link"))
        .args(args)
        .output()
        .expect("run wasm-link")
}

#[test]
fn unknown_option_exits_1() {
    let out = wasm_link(&["--frobnicate", "x.o", "-o", "x.wasm"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err, "wasm-link: error: unknown argument: --frobnicate\n");
    assert!(out.stdout.is_empty());
}

#[test]
fn version_and_help() {
    let out = wasm_link(&["--version"]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.starts_with("LLD 19.1.7 (compatible with GNU linkers); wasm-link "),
        "{text}"
    );
    let out = wasm_link(&["-help"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("--whole-archive"));
}

#[test]
fn warnings_are_prefixed_and_errors_exit_1() {
    let out = wasm_link(&["-z", "nosuchkey", "-o", "x.wasm"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    let want =
        "wasm-link: warning: unknown -z value: nosuchkey\nwasm-link: error: no input files\n";
    assert_eq!(err, want);
}

#[test]
fn flavor_and_response_file_reach_the_linker() {
    let dir = tempfile::tempdir().expect("tempdir");
    let rsp = dir.path().join("a.rsp");
    std::fs::write(&rsp, "--no-entry -o out.wasm").expect("write");
    let at = format!("@{}", rsp.display());
    let out = wasm_link(&["-flavor", "wasm", &at]);
    // Parsing succeeded, so the only complaint is about inputs.
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "wasm-link: error: no input files\n"
    );
}
