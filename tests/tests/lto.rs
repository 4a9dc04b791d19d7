//! Link-time optimization through libLTO: bitcode objects from `clang -flto` and `-flto=thin`,
//! alone or mixed with native objects and libc.a, linked by wasm-link and by wasm-ld-19. Both
//! outputs must validate and run alike, and ours must be within 1% of wasm-ld's size. The
//! bytes differ: lld resolves symbols before code generation renames `main`, and libLTO's code
//! generator is LLVM's legacy one (see `docs/lto.md`). A position-independent library is
//! byte-identical. Errors are wasm-ld's where it has them.

use e2e_tests::{clang_link_line, link_pair, node_run, require_tool, validate_module, Scratch};
use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};
use std::process::Command;

const PROGRAM: &str = r#"
#include <stdio.h>
static int helper(int x) { return x * 3; }
int twice(int);
extern int base;
int main(void) { printf("%d\n", helper(4) + twice(5) + base); return 0; }
"#;

const TWICE: &str = "int base = 100;\nint twice(int x) { return 2 * x; }\n";

const CXX: &str = r#"
#include <vector>
#include <cstdio>
struct Shape { virtual ~Shape() {} virtual int area() const = 0; };
struct Square : Shape { int s; Square(int s) : s(s) {} int area() const override { return s * s; } };
int main() {
  std::vector<Shape *> v;
  for (int i = 1; i < 5; i++) v.push_back(new Square(i));
  int t = 0;
  for (auto *s : v) { t += s->area(); delete s; }
  std::printf("total %d\n", t);
}
"#;

/// Compiles `source` (named `name`) with `compiler` and `flags` into `name.o`.
fn compile(s: &Scratch, compiler: &str, name: &str, source: &str, flags: &[&str]) -> PathBuf {
    let ext = if compiler.contains("++") { "cpp" } else { "c" };
    let src = s.path(&format!("{name}.{ext}"));
    std::fs::write(&src, source).expect("source");
    let obj = s.path(&format!("{name}.o"));
    let status = Command::new(require_tool(compiler))
        .args(flags)
        .arg("-c")
        .arg(&src)
        .arg("-o")
        .arg(&obj)
        .status()
        .expect("compiler runs");
    assert!(status.success(), "{name}.{ext} does not compile");
    obj
}

/// The linker arguments `compiler` gives for `objects` (without `-o`).
fn link_args(compiler: &str, flags: &[&str], objects: &[&Path]) -> Vec<OsString> {
    let mut args: Vec<&OsStr> = flags.iter().map(OsStr::new).collect();
    args.extend(objects.iter().map(|o| o.as_os_str()));
    args.extend([OsStr::new("-o"), OsStr::new("x.wasm")]);
    let line = clang_link_line(compiler, &args);
    let end = line.iter().position(|a| a == "-o").unwrap_or(line.len());
    line[..end].iter().map(Into::into).collect()
}

/// Links with both linkers; both must succeed with the same messages, validate, print the
/// same, and be within 1% in size. Gives whether the bytes are identical.
fn same_program(case: &str, args: &[OsString], stdout: &str) -> bool {
    let pair = link_pair("lto", case, args);
    assert_eq!(
        pair.theirs.code, 0,
        "{case}: wasm-ld-19: {:?}",
        pair.theirs.messages
    );
    assert_eq!(
        (pair.ours.code, &pair.ours.messages),
        (0, &pair.theirs.messages),
        "{case}: our link"
    );
    let ours = pair.ours.output.as_deref().expect("our output");
    let theirs = pair.theirs.output.as_deref().expect("wasm-ld's output");
    validate_module(ours, case);
    for path in [&pair.ours.path, &pair.theirs.path] {
        assert_eq!(
            node_run(path),
            (stdout.to_string(), 0),
            "{case}: {}",
            path.display()
        );
    }
    let ratio = ours.len() as f64 / theirs.len() as f64;
    eprintln!(
        "{case}: {} bytes, wasm-ld {} ({ratio:.4}x)",
        ours.len(),
        theirs.len()
    );
    assert!(
        (0.99..=1.01).contains(&ratio),
        "{case}: size {ratio:.4}x of wasm-ld's"
    );
    ours == theirs
}

const WASI: &str = "--target=wasm32-wasi";

#[test]
fn c_with_full_and_thin_lto_mixed_with_native_objects_and_libc() {
    let s = Scratch::new("lto", "c");
    for (case, lto) in [("full", "-flto"), ("thin", "-flto=thin")] {
        let flags = [WASI, lto, "-O2"];
        let main = compile(&s, "clang-19", &format!("main_{case}"), PROGRAM, &flags);
        let twice = compile(&s, "clang-19", &format!("twice_{case}"), TWICE, &flags);
        let native = compile(&s, "clang-19", "twice_native", TWICE, &[WASI, "-O2"]);
        let args = link_args("clang-19", &[WASI, lto, "-O2"], &[&main, &twice]);
        same_program(&format!("{case}_bitcode"), &args, "122\n");
        let args = link_args("clang-19", &[WASI, lto, "-O2"], &[&main, &native]);
        same_program(&format!("{case}_mixed"), &args, "122\n");
    }
}

#[test]
fn cxx_with_libcxx() {
    let s = Scratch::new("lto", "cxx");
    let flags = [WASI, "-flto", "-O2", "-fno-exceptions"];
    let obj = compile(&s, "clang++-19", "shapes", CXX, &flags);
    let args = link_args("clang++-19", &flags, &[&obj]);
    same_program("cxx", &args, "total 30\n");
}

/// `-fPIC` bitcode linked `-shared`: PIC code generation, byte-identical to wasm-ld's.
#[test]
fn position_independent_library_is_identical() {
    let s = Scratch::new("lto", "pic");
    let obj = compile(
        &s,
        "clang-19",
        "lib",
        TWICE,
        &[WASI, "-flto", "-fPIC", "-O2"],
    );
    let args: Vec<OsString> = vec!["--experimental-pic".into(), "-shared".into(), obj.into()];
    link_pair("lto", "pic", &args).assert_identical("-shared bitcode");
}

/// `--save-temps` keeps LTO's object as `OUTPUT.lto.o`, as wasm-ld names it; `--lto-O0`
/// links too.
#[test]
fn save_temps_and_optimization_levels() {
    let s = Scratch::new("lto", "save_temps");
    let obj = compile(&s, "clang-19", "lib", TWICE, &[WASI, "-flto", "-O2"]);
    for level in ["--lto-O0", "--lto-O3"] {
        let out = s.path(&format!("lib{level}.wasm"));
        let run = Command::new(e2e_tests::cli_binary("wasm-link"))
            .args([level, "--save-temps", "--no-entry", "--export=twice"])
            .arg(&obj)
            .arg("-o")
            .arg(&out)
            .output()
            .expect("wasm-link runs");
        assert!(
            run.status.success(),
            "{}",
            String::from_utf8_lossy(&run.stderr)
        );
        validate_module(&std::fs::read(&out).unwrap(), level);
        let temp = std::fs::read(format!("{}.lto.o", out.display())).expect("OUTPUT.lto.o");
        wasm_object::object::Object::parse(&temp, 0).expect("the LTO object parses");
    }
}

/// Errors: a bitcode object for another machine and a wasm64 one get wasm-ld's words; a
/// missing libLTO names the bitcode input and what to install.
#[test]
fn wrong_machines_and_a_missing_liblto_are_clear_errors() {
    let s = Scratch::new("lto", "errors");
    let x86 = compile(
        &s,
        "clang-19",
        "x86",
        TWICE,
        &["--target=x86_64-linux-gnu", "-flto"],
    );
    let w64 = compile(&s, "clang-19", "w64", TWICE, &["--target=wasm64", "-flto"]);
    for (case, obj) in [("x86", &x86), ("wasm64", &w64)] {
        let args: Vec<OsString> = vec!["--no-entry".into(), obj.into()];
        let pair = link_pair("lto", case, &args);
        assert_eq!(pair.theirs.code, 1, "{case}");
        assert_eq!(
            (pair.ours.code, pair.ours.messages.first()),
            (1, pair.theirs.messages.first()),
            "{case}"
        );
    }
    let obj = compile(&s, "clang-19", "lib", TWICE, &[WASI, "-flto"]);
    let run = Command::new(e2e_tests::cli_binary("wasm-link"))
        .args(["--lto-library=/nonexistent/libLTO.so", "--no-entry"])
        .arg(&obj)
        .arg("-o")
        .arg(s.path("missing.wasm"))
        .output()
        .expect("wasm-link runs");
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("lib.o: linking LLVM bitcode (-flto) needs LLVM's libLTO")
            && stderr.contains("llvm-19-linker-tools"),
        "{stderr}"
    );
    assert!(!s.path("missing.wasm").exists());
}

/// `-r` with bitcode: LTO makes a relocatable object that keeps every visible symbol; it
/// links into the same program as wasm-ld's `-r` output does.
#[test]
fn relocatable_output_from_bitcode() {
    let s = Scratch::new("lto", "relocatable");
    let flags = [WASI, "-flto", "-O2"];
    let main = compile(&s, "clang-19", "main", PROGRAM, &flags);
    let twice = compile(&s, "clang-19", "twice", TWICE, &flags);
    let args: Vec<OsString> = vec!["-r".into(), main.into(), twice.into()];
    let pair = link_pair("lto", "relocatable", &args);
    assert_eq!(
        (pair.ours.code, pair.theirs.code),
        (0, 0),
        "{:?}",
        pair.ours.messages
    );
    let ours = pair.ours.output.as_deref().expect("our object");
    let theirs = pair.theirs.output.as_deref().expect("wasm-ld's object");
    wasm_object::object::Object::parse(ours, 0).expect("our -r output is an object");
    assert_eq!(
        ours.len(),
        theirs.len(),
        "the same object, its symbols in another order"
    );
    let args = link_args("clang-19", &[WASI], &[&pair.ours.path]);
    same_program("relocatable_final", &args, "122\n");
}

/// A bitcode archive: its needed members go through LTO with the command line's bitcode, the
/// others stay out, as with wasm-ld.
#[test]
fn bitcode_archive_members() {
    let s = Scratch::new("lto", "archive");
    let flags = [WASI, "-flto", "-O2"];
    let main = compile(&s, "clang-19", "main", PROGRAM, &flags);
    let twice = compile(&s, "clang-19", "twice", TWICE, &flags);
    let unused = compile(
        &s,
        "clang-19",
        "unused",
        "int unused(void) { return 9; }\n",
        &flags,
    );
    let archive = s.path("libtwice.a");
    let status = Command::new(require_tool("llvm-ar-19"))
        .arg("rcs")
        .arg(&archive)
        .args([&twice, &unused])
        .status()
        .expect("llvm-ar-19 runs");
    assert!(status.success());
    let args = link_args("clang-19", &flags, &[&main, &archive]);
    same_program("archive", &args, "122\n");
}

/// `--wrap` of a function the bitcode defines is refused: libLTO would bind the bitcode's own
/// calls to it, skipping the wrapper, where wasm-ld's LTO does not.
#[test]
fn wrapping_a_bitcode_function_is_refused() {
    let s = Scratch::new("lto", "wrap");
    let obj = compile(&s, "clang-19", "lib", TWICE, &[WASI, "-flto", "-O2"]);
    let run = Command::new(e2e_tests::cli_binary("wasm-link"))
        .args(["--no-entry", "--wrap=twice", "--export=twice"])
        .arg(&obj)
        .arg("-o")
        .arg(s.path("wrap.wasm"))
        .output()
        .expect("wasm-link runs");
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("--wrap=twice: the symbol is defined in LLVM bitcode"),
        "{stderr}"
    );
}

/// ThinLTO bitcode goes through libLTO's ThinLTO, one object per module; with
/// `--thinlto-cache-dir` the second link takes every object from the cache (no entry is
/// written again) and gives the same module.
#[test]
fn thinlto_cache_hit_on_the_second_link() {
    let s = Scratch::new("lto", "thin_cache");
    let flags = [WASI, "-flto=thin", "-O2"];
    let main = compile(&s, "clang-19", "main", PROGRAM, &flags);
    let twice = compile(&s, "clang-19", "twice", TWICE, &flags);
    let cache = s.path("cache");
    let _ = std::fs::remove_dir_all(&cache);
    let mut args = link_args("clang-19", &flags, &[&main, &twice]);
    args.push(format!("--thinlto-cache-dir={}", cache.display()).into());
    args.push("--save-temps".into());
    let link = |dir: &str| {
        let out = s.path(dir).join("thin.wasm");
        std::fs::create_dir_all(s.path(dir)).unwrap();
        let run = Command::new(e2e_tests::cli_binary("wasm-link"))
            .args(&args)
            .arg("-o")
            .arg(&out)
            .output()
            .expect("wasm-link runs");
        assert!(
            run.status.success(),
            "{}",
            String::from_utf8_lossy(&run.stderr)
        );
        out
    };
    let entries = || {
        let mut all: Vec<(String, std::time::SystemTime)> = std::fs::read_dir(&cache)
            .expect("the cache exists")
            .map(|e| e.unwrap())
            .filter(|e| e.file_name().to_string_lossy().starts_with("llvmcache-"))
            .map(|e| {
                (
                    e.file_name().to_string_lossy().into_owned(),
                    e.metadata().unwrap().modified().unwrap(),
                )
            })
            .collect();
        all.sort();
        all
    };
    let first = link("first");
    let cached = entries();
    assert_eq!(cached.len(), 2, "one cache entry per module: {cached:?}");
    for k in 1..=2 {
        let temp = format!("{}{k}.lto.o", first.display());
        assert!(Path::new(&temp).exists(), "--save-temps wrote no {temp}");
    }
    let second = link("second");
    assert_eq!(
        entries(),
        cached,
        "the second link wrote cache entries again"
    );
    let bytes = std::fs::read(&second).unwrap();
    assert_eq!(std::fs::read(&first).unwrap(), bytes);
    validate_module(&bytes, "ThinLTO from the cache");
    assert_eq!(node_run(&second), ("122\n".to_string(), 0));
}

/// rustc's bitcode (`-C linker-plugin-lto`) comes from a newer LLVM than libLTO 19: an error
/// naming both versions and what to load, never a crash (libLTO 19 would crash on its ThinLTO
/// summary).
#[test]
fn bitcode_newer_than_liblto_is_an_error_naming_both() {
    let s = Scratch::new("lto", "newer");
    let src = s.path("add.rs");
    std::fs::write(
        &src,
        "#[no_mangle]\npub extern \"C\" fn add(a: i32, b: i32) -> i32 { a + b }\n",
    )
    .unwrap();
    let obj = s.path("add.o");
    let status = Command::new("rustc")
        .args(["--target", "wasm32-unknown-unknown", "--crate-type=cdylib"])
        .args([
            "-C",
            "linker-plugin-lto",
            "-C",
            "opt-level=2",
            "--emit=obj",
            "-o",
        ])
        .arg(&obj)
        .arg(&src)
        .status()
        .expect("rustc runs (install the Rust target wasm32-unknown-unknown)");
    assert!(status.success());
    let run = Command::new(e2e_tests::cli_binary("wasm-link"))
        .args(["--no-entry", "--export=add"])
        .arg(&obj)
        .arg("-o")
        .arg(s.path("add.wasm"))
        .output()
        .expect("wasm-link runs");
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("add.o: this bitcode was made by LLVM")
            && stderr.contains("newer than the libLTO loaded (LLVM version 19"),
        "{stderr}"
    );
}
