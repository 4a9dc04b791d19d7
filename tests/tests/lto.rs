//! Link-time optimization through libLTO (`docs/lto.md`): C and C++ compiled with `-flto`, a
//! bitcode archive, bitcode mixed with native objects and libc.a, linked by wasm-link and by
//! wasm-ld-19 with the link line `clang -###` gives, compared byte for byte (and in size) and
//! run under node; `--save-temps`; and the errors: a non-wasm triple, a libLTO that cannot be
//! loaded, bitcode newer than libLTO, options the C API cannot honour.

use e2e_tests::{
    clang_link_args, link_pair, node_run, require_tool, validate_module, LinkPair, Scratch,
};
use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};
use std::process::Command;

const C_FLAGS: &[&str] = &["--target=wasm32-wasi", "--sysroot=/usr", "-O2"];

/// Compiles `source` (C or C++ by `compiler`) with `flags` into `<scratch>/<name>`.
fn compile(scratch: &Scratch, compiler: &str, name: &str, source: &str, flags: &[&str]) -> PathBuf {
    let ext = if compiler.starts_with("clang++") {
        "cpp"
    } else {
        "c"
    };
    let obj = scratch.path(name);
    let src = obj.with_extension(ext);
    std::fs::write(&src, source).unwrap_or_else(|e| panic!("{}: {e}", src.display()));
    let out = Command::new(require_tool(compiler))
        .args(C_FLAGS)
        .args(flags)
        .arg("-c")
        .arg(&src)
        .arg("-o")
        .arg(&obj)
        .output()
        .expect("the compiler runs");
    assert!(
        out.status.success(),
        "{compiler} {name}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    obj
}

/// The wasm-ld line `compiler -flto inputs` gives, without its `-o`.
fn link_line(compiler: &str, inputs: &[&Path]) -> Vec<OsString> {
    let mut line: Vec<&OsStr> = C_FLAGS.iter().map(OsStr::new).collect();
    line.push(OsStr::new("-flto"));
    line.extend(inputs.iter().map(|p| p.as_os_str()));
    line.extend([OsStr::new("-o"), OsStr::new("a.wasm")]);
    clang_link_args(compiler, &line)
}

/// Both linkers' outputs run under node with the same stdout, which is `expected`.
fn assert_runs(pair: &LinkPair, what: &str, expected: &str) {
    let ours = node_run(&pair.ours.path);
    let theirs = node_run(&pair.theirs.path);
    assert_eq!(ours, theirs, "{what}: runs differ from wasm-ld-19's output");
    assert_eq!(ours, (expected.to_string(), 0), "{what}: unexpected run");
}

const MAIN_C: &str = r#"
#include <stdio.h>
int helper(int x);
int used_by_native(int x) { return x * 3; }
static int internal_only(int x) { return x - 1; }
int main(void) { printf("hello %d\n", internal_only(helper(4))); return 0; }
"#;

const NATIVE_C: &str = r#"
int used_by_native(int x);
int helper(int x) { return used_by_native(x) + 1; }
"#;

#[test]
fn c_bitcode_with_native_object_and_libc_is_identical() {
    let s = Scratch::new("lto", "c-mixed");
    let main = compile(&s, "clang-19", "main.o", MAIN_C, &["-flto"]);
    let native = compile(&s, "clang-19", "native.o", NATIVE_C, &[]);
    let args = link_line("clang-19", &[&main, &native]);
    let pair = link_pair("lto", "c-mixed", &args);
    pair.assert_identical("C bitcode + native object + libc.a");
    assert_runs(&pair, "C bitcode", "hello 12\n");
}

const CXX_MAIN: &str = r#"
#include <cstdio>
#include <string>
#include <vector>
template <class T> struct Box { T v; T get() const { return v; } };
int lib_sum(const std::vector<int>&);
int main() {
  std::vector<int> v{1, 2, 3, 4};
  std::string s = "lto";
  Box<int> b{lib_sum(v)};
  std::printf("%s %d\n", s.c_str(), b.get());
  return 0;
}
"#;

const CXX_LIB: &str = r#"
#include <numeric>
#include <vector>
int lib_sum(const std::vector<int>& v) { return std::accumulate(v.begin(), v.end(), 0); }
int never_needed(int x) { return x + 1; }
"#;

#[test]
fn cxx_bitcode_and_bitcode_archive_with_libcxx_are_identical() {
    let s = Scratch::new("lto", "cxx-archive");
    let flags = ["-flto", "-fno-exceptions"];
    let main = compile(&s, "clang++-19", "main.o", CXX_MAIN, &flags);
    compile(&s, "clang++-19", "lib.o", CXX_LIB, &flags);
    let archive = s.archive("rcs", "liblib.a", &["lib.o"]);
    let mut args = link_line("clang++-19", &[&main, &archive]);
    // clang++ without -fno-exceptions on the link line is fine: the libraries are the same.
    args.retain(|a| a != "-fno-exceptions");
    let pair = link_pair("lto", "cxx-archive", &args);
    pair.assert_identical("C++ bitcode + bitcode archive + libc++");
    assert_runs(&pair, "C++ bitcode", "lto 10\n");
}

#[test]
fn bitcode_archive_member_not_needed_stays_out() {
    let s = Scratch::new("lto", "lazy-member");
    let main = compile(&s, "clang-19", "main.o", MAIN_C, &[]);
    let native = compile(&s, "clang-19", "native.o", NATIVE_C, &[]);
    compile(
        &s,
        "clang-19",
        "unused.o",
        "int unused_fn(void) { return 7; }\n",
        &["-flto"],
    );
    let archive = s.archive("rcs", "libunused.a", &["unused.o"]);
    let args = link_line("clang-19", &[&main, &native, &archive]);
    let pair = link_pair("lto", "lazy-member", &args);
    pair.assert_identical("an unneeded bitcode member");
    assert_runs(&pair, "native with a bitcode archive", "hello 12\n");
}

#[test]
fn exported_and_undefined_bitcode_symbols_are_kept() {
    let s = Scratch::new("lto", "exports");
    let src = "int keep_me(int x) { return x + 40; }\nint drop_me(int x) { return x; }\n\
               int forced(void) { return 1; }\nint main(void) { return 0; }\n";
    let obj = compile(&s, "clang-19", "main.o", src, &["-flto"]);
    let mut args = link_line("clang-19", &[&obj]);
    args.extend(["--export=keep_me", "-u", "forced"].map(OsString::from));
    let pair = link_pair("lto", "exports", &args);
    let module = pair.assert_identical("--export and -u of bitcode symbols");
    let wat = String::from_utf8_lossy(module);
    assert!(wat.contains("keep_me"), "keep_me is not exported");
}

#[test]
fn pie_bitcode_gets_pic_code() {
    let s = Scratch::new("lto", "pie");
    let src = "extern int shared_data;\nint get(void) { return shared_data; }\n";
    let obj = compile(&s, "clang-19", "lib.o", src, &["-flto", "-fPIC"]);
    let args: Vec<OsString> = [
        "--experimental-pic",
        "-shared",
        "--no-entry",
        obj.to_str().expect("utf-8 path"),
    ]
    .map(OsString::from)
    .to_vec();
    let pair = link_pair("lto", "pie", &args);
    pair.assert_identical("-shared bitcode");
}

#[test]
fn save_temps_writes_the_object_and_resolutions() {
    let s = Scratch::new("lto", "save-temps");
    let main = compile(&s, "clang-19", "main.o", MAIN_C, &["-flto"]);
    let native = compile(&s, "clang-19", "native.o", NATIVE_C, &[]);
    let mut args = link_line("clang-19", &[&main, &native]);
    args.push("--save-temps".into());
    let pair = link_pair("lto", "save-temps", &args);
    pair.assert_identical("--save-temps");
    let temp = |run: &e2e_tests::LinkRun, suffix: &str| {
        let mut p = run.path.clone().into_os_string();
        p.push(suffix);
        std::fs::read(PathBuf::from(p)).unwrap_or_else(|e| panic!("{suffix}: {e}"))
    };
    // The object LTO compiled is wasm-ld's, byte for byte.
    assert_eq!(temp(&pair.ours, ".lto.o"), temp(&pair.theirs, ".lto.o"));
    assert!(temp(&pair.ours, ".0.0.preopt.bc").starts_with(b"BC\xC0\xDE"));
    // The same resolutions (libLTO lists a module's undefined symbols after its definitions).
    let lines = |bytes: Vec<u8>| {
        let mut l: Vec<String> = String::from_utf8_lossy(&bytes)
            .lines()
            .map(String::from)
            .collect();
        l.sort();
        l
    };
    assert_eq!(
        lines(temp(&pair.ours, ".resolution.txt")),
        lines(temp(&pair.theirs, ".resolution.txt"))
    );
}

#[test]
fn opt_levels_match_wasm_ld() {
    let s = Scratch::new("lto", "opt-levels");
    let main = compile(&s, "clang-19", "main.o", MAIN_C, &["-flto"]);
    let native = compile(&s, "clang-19", "native.o", NATIVE_C, &[]);
    for level in ["--lto-O0", "--lto-O1", "--lto-O3"] {
        let mut args = link_line("clang-19", &[&main, &native]);
        args.push(level.into());
        let pair = link_pair("lto", &format!("opt{level}"), &args);
        if level == "--lto-O3" {
            pair.assert_identical(level);
        } else {
            // lld generates code at level 2 below --lto-O3, libLTO at the --lto-O level:
            // the same program, less optimized (docs/lto.md).
            assert_eq!((pair.ours.code, pair.theirs.code), (0, 0), "{level}");
            let ours = pair.ours.output.as_deref().expect("our output");
            validate_module(ours, level);
        }
        assert_runs(&pair, level, "hello 12\n");
    }
}

#[test]
fn wrong_triple_is_wasm_lds_error() {
    let s = Scratch::new("lto", "triple");
    let src = s.path("x86.c");
    std::fs::write(&src, "int f(void) { return 1; }\n").expect("write");
    let obj = s.path("x86.o");
    let status = Command::new(require_tool("clang-19"))
        .args(["--target=x86_64-linux-gnu", "-flto", "-c"])
        .arg(&src)
        .arg("-o")
        .arg(&obj)
        .status()
        .expect("clang runs");
    assert!(status.success());
    let args = vec![OsString::from("--no-entry"), obj.into_os_string()];
    let pair = link_pair("lto", "triple", &args);
    pair.assert_same_errors("x86 bitcode", "machine type must be wasm32 or wasm64");
}

#[test]
fn missing_liblto_names_the_bitcode_and_what_to_install() {
    let s = Scratch::new("lto", "missing");
    let obj = compile(
        &s,
        "clang-19",
        "main.o",
        "int main(void) { return 0; }\n",
        &["-flto"],
    );
    let out = s.path("out.wasm");
    let run = Command::new(e2e_tests::cli_binary("wasm-link"))
        .arg("--lto-library=/nonexistent/libLTO.so")
        .arg(&obj)
        .arg("--no-entry")
        .arg("-o")
        .arg(&out)
        .output()
        .expect("wasm-link runs");
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(&format!("{}: LLVM bitcode needs libLTO", obj.display())),
        "{stderr}"
    );
    assert!(stderr.contains("llvm-19-linker-tools"), "{stderr}");
    assert!(!out.exists());
}

#[test]
fn options_liblto_cannot_honour_are_errors() {
    let s = Scratch::new("lto", "options");
    let obj = compile(
        &s,
        "clang-19",
        "main.o",
        "int main(void) { return 0; }\n",
        &["-flto"],
    );
    for (option, expected) in [
        (
            "--lto-partitions=2",
            "--lto-partitions=2: libLTO's C API compiles one partition",
        ),
        (
            "--lto-CGO3",
            "--lto-CGO3: libLTO's C API sets the code generation level",
        ),
    ] {
        let run = Command::new(e2e_tests::cli_binary("wasm-link"))
            .arg(option)
            .arg(&obj)
            .args(["--no-entry", "-o"])
            .arg(s.path("out.wasm"))
            .output()
            .expect("wasm-link runs");
        let stderr = String::from_utf8_lossy(&run.stderr);
        assert_eq!(run.status.code(), Some(1), "{option}: {stderr}");
        assert!(stderr.contains(expected), "{option}: {stderr}");
    }
}

#[test]
fn bitcode_from_a_newer_llvm_names_both_versions() {
    let s = Scratch::new("lto", "newer");
    // rustc's bitcode comes from a newer LLVM than 19 (rustc 1.95 has LLVM 22).
    let rs = s.path("r.rs");
    std::fs::write(&rs, "fn main() { println!(\"hi\"); }\n").expect("write");
    let bc = s.path("r.bc");
    let out = Command::new(require_tool("rustc"))
        .args(["--target=wasm32-wasip1", "--emit=llvm-bc", "-O"])
        .arg(&rs)
        .arg("-o")
        .arg(&bc)
        .output()
        .expect("rustc runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let args = [OsString::from("--no-entry"), bc.into_os_string()];
    let pair = link_pair("lto", "newer", &args);
    assert_ne!(
        pair.theirs.code, 0,
        "rustc's LLVM is not newer than 19 here"
    );
    let ours = &pair.ours.messages;
    assert_eq!(
        ours.first().and_then(|m| m.lines().next()),
        pair.theirs.messages.first().and_then(|m| m.lines().next()),
        "first line differs from wasm-ld-19's"
    );
    let text = ours.join("\n");
    assert!(
        text.contains("Producer:") && text.contains("LLVM version 19"),
        "{text}"
    );
    assert!(pair.ours.output.is_none());
}

#[test]
fn relocatable_output_keeps_every_bitcode_symbol() {
    let s = Scratch::new("lto", "relocatable");
    let main = compile(&s, "clang-19", "main.o", MAIN_C, &["-flto"]);
    let native = compile(&s, "clang-19", "native.o", NATIVE_C, &[]);
    let args: Vec<OsString> = vec!["-r".into(), main.into(), native.into()];
    let pair = link_pair("lto", "relocatable", &args);
    let ours = pair.ours.output.as_deref().expect("our output");
    assert_eq!(pair.ours.code, 0, "{}", pair.ours.stderr);
    assert!(
        Some(ours) == pair.theirs.output.as_deref(),
        "-r output differs from wasm-ld-19's"
    );
}
