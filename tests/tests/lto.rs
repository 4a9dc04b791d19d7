//! Link-time optimization through libLTO (`docs/lto.md`): C and C++ compiled with `-flto`, a
//! bitcode archive, bitcode mixed with native objects and libc.a, linked by wasm-link and by
//! wasm-ld-19 with the link line `clang -###` gives, compared byte for byte (and in size) and
//! run under node; `--save-temps`; and the errors: a non-wasm triple, a libLTO that cannot be
//! loaded, bitcode newer than libLTO, options the C API cannot honour. The same for ThinLTO
//! (`-flto=thin`), with its object per module, its cache, and thin and full bitcode mixed.

use e2e_tests::{
    clang_link_args, cli_binary, link_into, link_pair, node_run, require_tool, validate_module,
    LinkPair, Scratch,
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
    link_line_with(compiler, "-flto", inputs)
}

/// The wasm-ld line `compiler <lto> inputs` gives (`-flto` or `-flto=thin`), without its `-o`.
fn link_line_with(compiler: &str, lto: &str, inputs: &[&Path]) -> Vec<OsString> {
    let mut line: Vec<&OsStr> = C_FLAGS.iter().map(OsStr::new).collect();
    line.push(OsStr::new(lto));
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
    // The same resolutions, in the same order (the symbol order of the irsymtab).
    let text = |bytes: Vec<u8>| String::from_utf8_lossy(&bytes).into_owned();
    assert_eq!(
        text(temp(&pair.ours, ".resolution.txt")),
        text(temp(&pair.theirs, ".resolution.txt"))
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

const THIN_LIB_C: &str = r#"
int used_by_native(int x);
int helper(int x) { return used_by_native(x) + 1; }
int lib_unused(int x) { return x * 7; }
"#;

#[test]
fn thin_c_modules_referring_to_each_other_with_libc_are_identical() {
    let s = Scratch::new("lto", "thin-c");
    let main = compile(&s, "clang-19", "main.o", MAIN_C, &["-flto=thin"]);
    let lib = compile(&s, "clang-19", "lib.o", THIN_LIB_C, &["-flto=thin"]);
    let args = link_line_with("clang-19", "-flto=thin", &[&main, &lib]);
    let pair = link_pair("lto", "thin-c", &args);
    pair.assert_identical("ThinLTO C modules + libc.a");
    assert_runs(&pair, "ThinLTO C", "hello 12\n");
}

#[test]
fn thin_cxx_bitcode_archive_with_libcxx_is_identical() {
    let s = Scratch::new("lto", "thin-cxx");
    let flags = ["-flto=thin", "-fno-exceptions"];
    let main = compile(&s, "clang++-19", "main.o", CXX_MAIN, &flags);
    compile(&s, "clang++-19", "lib.o", CXX_LIB, &flags);
    let archive = s.archive("rcs", "liblib.a", &["lib.o"]);
    let mut args = link_line_with("clang++-19", "-flto=thin", &[&main, &archive]);
    args.retain(|a| a != "-fno-exceptions");
    let pair = link_pair("lto", "thin-cxx", &args);
    pair.assert_identical("ThinLTO C++ + bitcode archive + libc++");
    assert_runs(&pair, "ThinLTO C++", "lto 10\n");
}

#[test]
fn thin_and_full_bitcode_mixed_with_native_objects() {
    let s = Scratch::new("lto", "thin-mixed");
    let main = compile(&s, "clang-19", "main.o", MAIN_C, &["-flto=thin"]);
    let full = compile(
        &s,
        "clang-19",
        "full.o",
        "int helper(int x) { return x + 1; }\n",
        &["-flto"],
    );
    let native = compile(
        &s,
        "clang-19",
        "native.o",
        "int unused_native(void) { return 3; }\n",
        &[],
    );
    let args = link_line_with("clang-19", "-flto=thin", &[&main, &full, &native]);
    let pair = link_pair("lto", "thin-mixed", &args);
    pair.assert_identical("ThinLTO, full LTO and native objects");
    assert_runs(&pair, "ThinLTO and full LTO", "hello 4\n");
}

#[test]
fn thin_save_temps_names_each_object_by_task() {
    let s = Scratch::new("lto", "thin-save-temps");
    let main = compile(&s, "clang-19", "main.o", MAIN_C, &["-flto=thin"]);
    let lib = compile(&s, "clang-19", "lib.o", THIN_LIB_C, &["-flto=thin"]);
    let mut args = link_line_with("clang-19", "-flto=thin", &[&main, &lib]);
    args.push("--save-temps".into());
    let pair = link_pair("lto", "thin-save-temps", &args);
    pair.assert_identical("ThinLTO --save-temps");
    let temp = |run: &e2e_tests::LinkRun, suffix: &str| {
        let mut p = run.path.clone().into_os_string();
        p.push(suffix);
        std::fs::read(PathBuf::from(p)).ok()
    };
    // One object per module, numbered by lld's task (0 is the full LTO one, absent here).
    for suffix in ["1.lto.o", "2.lto.o"] {
        let ours = temp(&pair.ours, suffix);
        assert!(ours.is_some(), "no {suffix}");
        assert_eq!(
            ours,
            temp(&pair.theirs, suffix),
            "{suffix} differs from wasm-ld-19's"
        );
    }
    assert_eq!(
        temp(&pair.ours, ".lto.o"),
        None,
        "a full LTO object without full LTO"
    );
}

/// Each file of `dir` with its inode: a cache hit reads an entry, a miss writes it anew
/// (a temporary file renamed over it, so a new inode).
fn cache_entries(dir: &Path) -> Vec<(String, u64)> {
    use std::os::unix::fs::MetadataExt;
    let mut entries: Vec<(String, u64)> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("a cache entry"))
        .map(|e| {
            (
                e.file_name().to_string_lossy().into_owned(),
                e.metadata().expect("metadata").ino(),
            )
        })
        .collect();
    entries.sort();
    entries
}

#[test]
fn thin_cache_is_hit_on_the_second_link() {
    let s = Scratch::new("lto", "thin-cache");
    let main = compile(&s, "clang-19", "main.o", MAIN_C, &["-flto=thin"]);
    let lib = compile(&s, "clang-19", "lib.o", THIN_LIB_C, &["-flto=thin"]);
    let args = link_line_with("clang-19", "-flto=thin", &[&main, &lib]);
    // Each linker its own cache: their keys differ.
    let link = |linker: &Path, cache: &str, run: &str| {
        let cache = s.path(cache);
        let mut args = args.clone();
        args.push(format!("--thinlto-cache-dir={}", cache.display()).into());
        args.push("--thinlto-cache-policy=prune_after=1h:cache_size=90%".into());
        let run = link_into(linker, &args, &s.path(run), "out.wasm");
        assert_eq!(run.code, 0, "{}", run.stderr);
        (run, cache)
    };
    let _ = std::fs::remove_dir_all(s.path("cache-ours"));
    let _ = std::fs::remove_dir_all(s.path("cache-ref"));
    let (first, cache) = link(&cli_binary("wasm-link"), "cache-ours", "first");
    let (theirs, _) = link(&require_tool("wasm-ld-19"), "cache-ref", "ref");
    assert!(
        first.output == theirs.output,
        "the cached link differs from wasm-ld-19's"
    );
    let entries = cache_entries(&cache);
    let objects = entries.iter().filter(|(n, _)| n.starts_with("llvmcache-"));
    assert_eq!(
        objects.count(),
        2,
        "one cache entry per module: {entries:?}"
    );
    let (second, _) = link(&cli_binary("wasm-link"), "cache-ours", "second");
    assert!(
        second.output == first.output,
        "the link from the cache differs"
    );
    assert_eq!(
        cache_entries(&cache),
        entries,
        "the second link did not reuse the cache"
    );
    assert_eq!(node_run(&second.path), ("hello 12\n".to_string(), 0));
}

#[test]
fn uncreatable_thin_cache_directory_is_an_error() {
    let s = Scratch::new("lto", "thin-cache-error");
    let main = compile(&s, "clang-19", "main.o", MAIN_C, &["-flto=thin"]);
    let blocker = s.path("a-file");
    std::fs::write(&blocker, "not a directory").expect("write");
    let mut args = link_line_with("clang-19", "-flto=thin", &[&main]);
    args.push(format!("--thinlto-cache-dir={}/cache", blocker.display()).into());
    let run = link_into(&cli_binary("wasm-link"), &args, &s.path("out"), "out.wasm");
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.output.is_none(), "an output was written");
    assert!(
        run.stderr
            .starts_with("error: can't create cache directory "),
        "{}",
        run.stderr
    );
}

#[test]
fn thin_relocatable_and_shared_outputs_are_identical() {
    let s = Scratch::new("lto", "thin-r");
    let main = compile(&s, "clang-19", "main.o", MAIN_C, &["-flto=thin"]);
    let lib = compile(&s, "clang-19", "lib.o", THIN_LIB_C, &["-flto=thin"]);
    let args: Vec<OsString> = vec!["-r".into(), main.into(), lib.into()];
    let pair = link_pair("lto", "thin-r", &args);
    assert_eq!(pair.ours.code, 0, "{}", pair.ours.stderr);
    assert!(
        pair.ours.output.is_some() && pair.ours.output == pair.theirs.output,
        "ThinLTO -r output differs from wasm-ld-19's"
    );
    let pic = compile(
        &s,
        "clang-19",
        "pic.o",
        THIN_LIB_C,
        &["-flto=thin", "-fPIC"],
    );
    let args: Vec<OsString> = ["--experimental-pic", "-shared", "--no-entry"]
        .map(OsString::from)
        .into_iter()
        .chain([pic.into_os_string()])
        .collect();
    link_pair("lto", "thin-shared", &args).assert_identical("ThinLTO -shared");
}

#[test]
fn bad_thinlto_cache_policies_get_wasm_lds_messages() {
    let s = Scratch::new("lto", "thin-policy");
    let main = compile(&s, "clang-19", "main.o", MAIN_C, &["-flto=thin"]);
    for policy in [
        "prune_interval=abc",
        "prune_interval=10x",
        "prune_interval=",
        "cache_size=50",
        "cache_size=abc%",
        "cache_size=200%",
        "cache_size_bytes=1x",
        "cache_size_files=q",
        "foo=1",
        "a::b",
    ] {
        let args: Vec<OsString> = vec![
            format!("--thinlto-cache-policy={policy}").into(),
            "--no-entry".into(),
            main.clone().into_os_string(),
        ];
        let pair = link_pair("lto", "thin-policy", &args);
        let first = |stderr: &str| {
            stderr
                .lines()
                .next()
                .unwrap_or("")
                .split_once(": ")
                .map(|(_, m)| m.to_string())
        };
        assert_ne!(pair.ours.code, 0, "{policy}");
        assert_eq!(
            first(&pair.ours.stderr),
            first(&pair.theirs.stderr),
            "{policy}"
        );
    }
}

#[test]
fn export_and_import_order_follows_the_module_symbol_table() {
    // `printf` is declared between definitions: lld inserts it there (the irsymtab's order),
    // where libLTO lists it after every definition.
    let src = "#include <stdio.h>\nint first(int x) { return x - 1; }\n\
               __attribute__((import_module(\"host\"))) int host_fn(int);\n\
               int main(void) { printf(\"%d\\n\", first(host_fn(3))); return 0; }\n\
               int some_data = 12;\nint last(void) { return some_data; }\n";
    for lto in ["-flto", "-flto=thin"] {
        let s = Scratch::new("lto", &format!("order{lto}"));
        let obj = compile(&s, "clang-19", "main.o", src, &[lto]);
        let mut args = link_line_with("clang-19", lto, &[&obj]);
        args.extend(["--export-all", "--allow-undefined"].map(OsString::from));
        let pair = link_pair("lto", &format!("order{lto}"), &args);
        pair.assert_identical(&format!("--export-all with {lto}"));
    }
}

const GUARDED_INLINE: &str = r#"
int compute(int);
inline int& counter() { static int n = compute(1); return n; }
"#;

#[test]
fn static_local_in_native_and_bitcode_comdats_resolves_as_in_lld() {
    // The guard variable of a static local is in the local's group (not one of its own
    // name, which the irsymtab tells and libLTO does not); the native object's groups come
    // first, so the bitcode copies are not prevailing. The resolutions are lld's, line for
    // line.
    let s = Scratch::new("lto", "comdat-groups");
    let native = format!(
        "{GUARDED_INLINE}int compute(int x) {{ return x + 41; }}\n\
         int from_native() {{ return ++counter(); }}\n"
    );
    let bitcode = format!(
        "{GUARDED_INLINE}#include <cstdio>\nint from_native();\n\
         int main() {{ from_native(); std::printf(\"%d\\n\", ++counter()); return 0; }}\n"
    );
    let native = compile(&s, "clang++-19", "native.o", &native, &["-fno-exceptions"]);
    let main = compile(
        &s,
        "clang++-19",
        "main.o",
        &bitcode,
        &["-flto", "-fno-exceptions"],
    );
    let mut args = link_line("clang++-19", &[&native, &main]);
    args.retain(|a| a != "-fno-exceptions");
    args.push("--save-temps".into());
    let pair = link_pair("lto", "comdat-groups", &args);
    pair.assert_identical("a static local's guard in a native and a bitcode COMDAT");
    let resolution = |run: &e2e_tests::LinkRun| {
        let mut p = run.path.clone().into_os_string();
        p.push(".resolution.txt");
        std::fs::read_to_string(PathBuf::from(p)).expect("resolution.txt")
    };
    assert_eq!(resolution(&pair.ours), resolution(&pair.theirs));
    assert_runs(&pair, "COMDAT groups", "44\n");
}
