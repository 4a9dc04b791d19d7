//! `--wrap`, `--trace`, `--trace-symbol` and `--why-extract`, end to end: small C programs
//! compiled by clang-19 (some members of archives made by llvm-ar-19) are linked by
//! `wasm-link` and by wasm-ld-19 with the same arguments into files of the same name, then
//! exit code, stdout (where the trace goes), stderr, the `--why-extract` file and the output
//! bytes are compared; wrapped programs also run under node.

use e2e_tests::{require_tool, target_dir};
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// The `wasm-link` binary, built in this test's profile.
fn wasm_link() -> &'static Path {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| e2e_tests::cli_binary("wasm-link"))
}

const PROG: &str = r#"#include <stdio.h>
#include <stdlib.h>
#include <string.h>
int main(void) {
  char *p = malloc(32);
  strcpy(p, "hello wrapped");
  puts(p);
  free(p);
  return 0;
}
"#;

const WRAPS: &str = r#"#include <stdio.h>
#include <stdlib.h>
void *__real_malloc(size_t);
int __real_puts(const char *);
static int n;
void *__wrap_malloc(size_t s) { n++; return __real_malloc(s); }
int __wrap_puts(const char *s) {
  __real_puts("[wrapped]");
  printf("mallocs=%d\n", n);
  return __real_puts(s);
}
"#;

const CALLS_FOO: &str = "int foo(int);\nint _start(void) { return foo(3); }\n";
const FOO: &str = "int foo(int x) { return x + 100; }\n";
const WRAP_FOO: &str =
    "int __real_foo(int);\nint __wrap_foo(int x) { return __real_foo(x) * 2; }\n";

const WEAK: &str = r#"extern int wfn(void) __attribute__((weak));
extern int wdata __attribute__((weak));
extern char __heap_base;
int helper(int);
int (*fp)(int);
int main(int argc, char **argv) {
  fp = helper;
  return (wfn ? wfn() : 0) + (&wdata != 0) + (int)(long)&__heap_base + fp(argc);
}
"#;
const HELPER: &str = "int helper(int x) { return x * 3; }\n";
const OTHER: &str = "int other(void) { return 1; }\nint more(void) { return 2; }\n";
const DATA: &str = "int dv = 5;\n";
const USES_DATA: &str = "extern int dv;\nint _start(void) { return dv; }\n";
const CXX: &str = "namespace ns { int f(int x) { return x; } }\n";
const SIG_CALL: &str = "int helper(int, int);\nint sigcall(void) { return helper(1, 2); }\n";
const MAIN_SIG: &str = "int sigcall(void);\nint main(void) { return sigcall(); }\n";

/// A scratch directory with the objects and archives of one test.
struct Dir(PathBuf);

impl Dir {
    fn new(name: &str) -> Dir {
        let dir = target_dir().join("e2e-trace").join(name);
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("cannot create scratch dir");
        Dir(dir)
    }

    /// Compiles `text` (C, or C++ when `name` ends in `.cpp`) to `<stem>.o`.
    fn object(&self, name: &str, text: &str) -> OsString {
        let src = self.0.join(name);
        let stem = name.split('.').next().unwrap_or(name);
        let obj = self.0.join(format!("{stem}.o"));
        std::fs::write(&src, text).unwrap();
        let compiler = if name.ends_with(".cpp") {
            "clang++-19"
        } else {
            "clang-19"
        };
        let o = Command::new(require_tool(compiler))
            .args(["--target=wasm32-wasi", "--sysroot=/usr", "-O2", "-c"])
            .arg(&src)
            .arg("-o")
            .arg(&obj)
            .output()
            .expect("cannot run clang");
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        obj.into_os_string()
    }

    /// An archive of the given objects.
    fn archive(&self, name: &str, members: &[&OsString]) -> OsString {
        let path = self.0.join(name);
        let o = Command::new(require_tool("llvm-ar-19"))
            .arg("rcs")
            .arg(&path)
            .args(members)
            .output()
            .expect("cannot run llvm-ar-19");
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        path.into_os_string()
    }
}

/// One linker's run.
#[derive(Debug, PartialEq)]
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
    why: Option<String>,
    output: Option<Vec<u8>>,
}

/// Runs `linker` in `dir` (its own directory, so a relative `--why-extract=` file lands there).
fn link_with(linker: &Path, prefix: &str, args: &[OsString], dir: &Path) -> Run {
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir).expect("cannot create scratch dir");
    let o = Command::new(linker)
        .current_dir(dir)
        .args(args)
        .args(["-o", "prog.wasm"])
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", linker.display()));
    Run {
        code: o.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&o.stderr).replace(prefix, ""),
        why: std::fs::read_to_string(dir.join("why.tsv")).ok(),
        output: std::fs::read(dir.join("prog.wasm")).ok(),
    }
}

/// Links with both linkers; everything they print and write must be the same. Returns our
/// output's path and what was printed.
fn assert_same(dir: &Dir, args: &[&OsString]) -> (PathBuf, Run) {
    let args: Vec<OsString> = args.iter().map(|a| (*a).clone()).collect();
    let ours = link_with(wasm_link(), "wasm-link: ", &args, &dir.0.join("ours"));
    let reference = require_tool("wasm-ld-19");
    let theirs = link_with(&reference, "wasm-ld-19: ", &args, &dir.0.join("ref"));
    assert_eq!(ours.code, theirs.code, "exit codes differ: {}", ours.stderr);
    assert_eq!(
        ours.stdout, theirs.stdout,
        "stdout differs from wasm-ld-19's"
    );
    assert_eq!(
        ours.stderr, theirs.stderr,
        "stderr differs from wasm-ld-19's"
    );
    assert_eq!(ours.why, theirs.why, "--why-extract file differs");
    assert!(
        ours.output == theirs.output,
        "output differs from wasm-ld-19's"
    );
    (dir.0.join("ours/prog.wasm"), ours)
}

fn os(args: &[&str]) -> Vec<OsString> {
    args.iter().map(OsString::from).collect()
}

/// `crt1-command.o` first, as clang passes it.
fn command(objects: &[&OsString], more: &[&str]) -> Vec<OsString> {
    let mut args = os(&[
        "-L/usr/lib/wasm32-wasi",
        "/usr/lib/wasm32-wasi/crt1-command.o",
    ]);
    args.extend(objects.iter().map(|o| (*o).clone()));
    args.extend(os(more));
    args
}

fn refs(args: &[OsString]) -> Vec<&OsString> {
    args.iter().collect()
}

#[test]
fn wrapping_malloc_and_puts_in_c_matches_wasm_ld_and_runs() {
    let dir = Dir::new("wrap-libc");
    let prog = dir.object("prog.c", PROG);
    let wraps = dir.object("wraps.c", WRAPS);
    let args = command(
        &[&prog, &wraps],
        &["-lc", "--wrap=malloc", "--wrap", "puts"],
    );
    let (out, _) = assert_same(&dir, &refs(&args));
    let want = "[wrapped]\nmallocs=1\nhello wrapped\n";
    assert_eq!(e2e_tests::node_run(&out), (want.to_string(), 0));
}

#[test]
fn wrapped_symbols_keep_their_names_in_exports() {
    let dir = Dir::new("wrap-exports");
    let prog = dir.object("prog.c", PROG);
    let wraps = dir.object("wraps.c", WRAPS);
    for extra in [
        &["--export=malloc", "--export=puts"][..],
        &["--export-all"],
        &["--export-dynamic", "--wrap=malloc", "-wrap=nosuch"],
        &["--export=__real_malloc", "--no-gc-sections"],
    ] {
        let mut more = vec!["-lc", "--wrap=malloc", "--wrap=puts"];
        more.extend(extra);
        let args = command(&[&prog, &wraps], &more);
        assert_same(&dir, &refs(&args));
    }
}

#[test]
fn wrapper_in_an_archive_is_extracted_and_traced() {
    let dir = Dir::new("wrap-archive");
    let prog = dir.object("prog.c", PROG);
    let wraps = dir.object("wraps.c", WRAPS);
    let lib = dir.archive("libwraps.a", &[&wraps]);
    let lib = lib.to_str().unwrap();
    let args = command(
        &[&prog],
        &[
            lib,
            "-lc",
            "--wrap=malloc",
            "--wrap=puts",
            "--why-extract=-",
            "--trace",
            "-y",
            "malloc",
            "-y",
            "__real_malloc",
            "--trace-symbol=__wrap_malloc",
        ],
    );
    let (out, run) = assert_same(&dir, &refs(&args));
    assert!(run.stdout.contains("<internal>\t"), "{}", run.stdout);
    assert!(run
        .stdout
        .contains("<internal>: reference to __wrap_malloc"));
    assert_eq!(e2e_tests::node_run(&out).1, 0);
}

#[test]
fn wrap_without_libc_covers_real_wrap_and_weak_references() {
    let dir = Dir::new("wrap-small");
    let calls = dir.object("calls.c", CALLS_FOO);
    let foo = dir.object("foo.c", FOO);
    let wrap = dir.object("wrap.c", WRAP_FOO);
    let libfoo = dir.archive("libfoo.a", &[&foo]);
    let libwrap = dir.archive("libwrap.a", &[&wrap]);
    let trace = ["-y", "foo", "-y", "__real_foo", "-y", "__wrap_foo", "-t"];
    let cases: [Vec<&OsString>; 5] = [
        vec![&calls, &libfoo, &libwrap],
        vec![&libwrap, &calls, &libfoo],
        vec![&calls, &foo, &wrap],
        vec![&foo, &calls, &wrap],
        vec![&calls, &wrap],
    ];
    for (i, objects) in cases.iter().enumerate() {
        let mut args: Vec<OsString> = objects.iter().map(|o| (*o).clone()).collect();
        args.extend(os(&["--wrap=foo", "--why-extract=why.tsv"]));
        args.extend(os(&trace));
        if i == 4 {
            args.push("--allow-undefined".into());
        }
        assert_same(&dir, &refs(&args));
    }
}

#[test]
fn trace_symbol_follows_wasm_ld_through_synthetic_and_weak_symbols() {
    let dir = Dir::new("trace-symbols");
    let weak = dir.object("weak.c", WEAK);
    let helper = dir.object("helper.c", HELPER);
    let other = dir.object("other.c", OTHER);
    let lib = dir.archive("libh.a", &[&helper, &other]);
    let lib = lib.to_str().unwrap();
    let mut more = vec![lib, "-lc", "-u", "more", "--why-extract=-", "-t"];
    for s in [
        "wfn",
        "wdata",
        "__heap_base",
        "__wasm_call_ctors",
        "__stack_pointer",
        "__indirect_function_table",
        "__data_end",
        "_start",
        "__main_argc_argv",
        "helper",
        "__wasm_call_dtors",
        "nosuch",
        "more",
    ] {
        more.extend(["-y", s]);
    }
    let args = command(&[&weak], &more);
    let (_, run) = assert_same(&dir, &refs(&args));
    assert!(run
        .stdout
        .contains("<internal>: definition of undefined_weak:wfn"));
    let record = format!("<internal>\t{lib}(other.o)\tmore");
    assert!(run.stdout.contains(&record), "{}", run.stdout);
}

#[test]
fn trace_symbol_of_a_definition_with_another_signature() {
    let dir = Dir::new("trace-variant");
    let main = dir.object("main.c", MAIN_SIG);
    let sig = dir.object("sig.c", SIG_CALL);
    let helper = dir.object("helper.c", HELPER);
    for objects in [[&main, &sig, &helper], [&main, &helper, &sig]] {
        let args = command(&objects, &["-lc", "-y", "helper", "-y", "sigcall"]);
        assert_same(&dir, &refs(&args));
    }
}

#[test]
fn why_extract_records_options_data_and_demangled_names() {
    let dir = Dir::new("why-extract");
    let data = dir.object("data.c", DATA);
    let other = dir.object("other.c", OTHER);
    let cxx = dir.object("cxx.cpp", CXX);
    let uses = dir.object("uses.c", USES_DATA);
    let lib = dir.archive("libd.a", &[&data, &other, &cxx]);
    for more in [
        &[
            "--why-extract=why.tsv",
            "-u",
            "other",
            "--export=_ZN2ns1fEi",
        ][..],
        &[
            "--why-extract=-",
            "--entry=more",
            "--no-demangle",
            "-y",
            "dv",
        ],
        &["--why-extract=-", "--export=_ZN2ns1fEi", "-t"],
        &[
            "--start-lib",
            "--end-lib",
            "--why-extract=/nonexistent/dir/why.tsv",
        ],
    ] {
        let mut args = vec![lib.clone(), uses.clone()];
        args.extend(os(more));
        assert_same(&dir, &refs(&args));
    }
}

#[test]
fn trace_prints_whole_archive_and_start_lib_objects_as_loaded() {
    let dir = Dir::new("trace-files");
    let calls = dir.object("calls.c", CALLS_FOO);
    let foo = dir.object("foo.c", FOO);
    let other = dir.object("other.c", OTHER);
    let lib = dir.archive("libo.a", &[&other]);
    let mut args = vec![calls.clone(), "--start-lib".into(), foo.clone()];
    args.extend(os(&["--end-lib", "--whole-archive"]));
    args.push(lib);
    args.extend(os(&["--no-whole-archive", "-t", "--why-extract=-"]));
    let (_, run) = assert_same(&dir, &refs(&args));
    assert!(
        run.stdout.starts_with(calls.to_str().unwrap()),
        "{}",
        run.stdout
    );
}
