//! Details where wasm-ld 19's output depends on something beyond the link's inputs in an
//! obvious way (hash order, flags read loosely, demangler limits, tombstones, discarded
//! COMDATs): each is linked with both linkers and compared byte for byte.

use e2e_tests::{link_pair, Scratch};
use std::ffi::OsString;
use std::path::Path;

/// The arguments as `OsString`s.
fn args(items: &[&dyn AsRef<std::ffi::OsStr>]) -> Vec<OsString> {
    items.iter().map(|a| a.as_ref().to_owned()).collect()
}

/// C source defining `names` as `int f(int)`, in that order.
fn definitions(names: &[&str]) -> String {
    let defs = names.iter().enumerate();
    defs.map(|(i, n)| format!("int {n}(int x) {{ return x + {i}; }}\n"))
        .collect()
}

/// C source calling `names` as `void f(void)` from `run`, in that order.
fn calls(names: &[&str]) -> String {
    let decls: String = names.iter().map(|n| format!("void {n}(void);\n")).collect();
    let body: String = names.iter().map(|n| format!("  {n}();\n")).collect();
    format!("{decls}void run(void) {{\n{body}}}\n")
}

/// Links `objects` (in that order) exporting `run`, with both linkers; both must agree.
fn assert_identical_link(group: &str, case: &str, objects: &[&Path]) -> Vec<String> {
    let mut items: Vec<&dyn AsRef<std::ffi::OsStr>> = vec![&"--no-entry", &"--export=run"];
    items.extend(objects.iter().map(|o| o as &dyn AsRef<std::ffi::OsStr>));
    let pair = link_pair(group, case, &args(&items));
    pair.assert_identical(case);
    pair.ours.messages.clone()
}

/// Signature-mismatch stubs (and their warnings) come in the bucket order of lld's
/// `DenseMap<CachedHashStringRef, ...>`, with LLVM's string hash. The names include three
/// that share a home bucket and pairs that collide, and the definitions come in the reverse
/// of the calls' order, so the result depends on which name lld inserts first: in
/// definition order when the callers load first, in call order otherwise.
#[test]
fn signature_mismatch_stubs_come_in_lld_hash_order() {
    let s = Scratch::new("parity", "signature-variants");
    let names = [
        "fn_16", "fn_24", "fn_58", "fn_49", "fn_57", "fn_0", "fn_45", "fn_34", "fn_59", "alpha",
        "beta", "gamma",
    ];
    let reversed: Vec<&str> = names.iter().rev().copied().collect();
    let flags = ["--target=wasm32", "-O1"];
    let defs = s.object("defs.o", &definitions(&reversed), &flags);
    let callers = s.object("callers.o", &calls(&names), &flags);
    for (case, objects) in [
        ("callers-first", [&callers, &defs]),
        ("definitions-first", [&defs, &callers]),
    ] {
        let objects = objects.map(|o| o.as_path());
        let messages = assert_identical_link("parity-signature-variants", case, &objects);
        let warned = messages.iter().filter(|m| m.contains("signature mismatch"));
        assert_eq!(warned.count(), names.len(), "{case}: {messages:?}");
    }
}

/// `obj` with the prefix of its first `count` target features set to `prefix`.
fn with_feature_prefix(obj: &Path, prefix: u8, count: usize, out: &Path) -> std::path::PathBuf {
    let mut bytes = std::fs::read(obj).expect("object");
    let name = b"target_features";
    let at = bytes.windows(name.len()).position(|w| w == name);
    let mut p = at.expect("no target_features section") + name.len();
    let n = bytes[p] as usize; // fewer than 128 features: a one-byte LEB
    p += 1;
    for _ in 0..n.min(count) {
        assert!(
            matches!(bytes[p], b'+' | b'-' | b'='),
            "not a feature prefix"
        );
        bytes[p] = prefix;
        p += 2 + bytes[p + 1] as usize;
    }
    std::fs::write(out, bytes).expect("write");
    out.to_path_buf()
}

/// A `=` (required) feature is used, and every other object must have it too (lld 19's
/// `populateTargetFeatures`): the output lists it like a `+` one, and an object without it
/// is an error naming both objects. The required, and the disallowed-by-`--features` ones,
/// are reported in `StringMap` hash order.
#[test]
fn required_target_features_are_used_and_checked_like_wasm_ld() {
    let s = Scratch::new("parity", "required-features");
    let a = s.object("a.o", "int f(void) { return 1; }", &["--target=wasm32"]);
    let b = s.object("b.o", "int g(void) { return 2; }", &["--target=wasm32"]);
    let no_mv = ["--target=wasm32", "-mno-multivalue"];
    let b_no_mv = s.object("b-no-mv.o", "int g(void) { return 2; }", &no_mv);
    let mvp = ["--target=wasm32", "-mcpu=mvp"];
    let b_mvp = s.object("b-mvp.o", "int g(void) { return 2; }", &mvp);
    let one = with_feature_prefix(&a, b'=', 1, &s.path("a-one-required.o"));
    let all = with_feature_prefix(&a, b'=', usize::MAX, &s.path("a-all-required.o"));
    let group = "parity-required-features";
    let base: [&dyn AsRef<std::ffi::OsStr>; 2] = [&"--no-entry", &"--export=f"];
    let link = |case: &str, more: &[&dyn AsRef<std::ffi::OsStr>]| {
        link_pair(group, case, &args(&[&base[..], more].concat()))
    };
    link("one-required", &[&one, &b]).assert_identical("one-required");
    link("all-required", &[&all, &b]).assert_identical("all-required");
    let missing = "Missing target feature 'multivalue' in ";
    link("missing-one", &[&one, &b_no_mv]).assert_same_errors("missing-one", missing);
    let missing = "Missing target feature 'sign-ext' in ";
    link("missing-all", &[&all, &b_mvp]).assert_same_errors("missing-all", missing);
    link("missing-all-b-first", &[&b_mvp, &all]).assert_same_errors("b-first", missing);
    let not_allowed = "Target feature 'multivalue' used by ";
    let narrow = link("not-allowed", &[&"--features=sign-ext", &all, &b]);
    narrow.assert_same_errors("not-allowed", not_allowed);
    assert!(
        narrow.ours.messages.len() >= 3,
        "{:?}",
        narrow.ours.messages
    );
}

/// A Rust program whose crate uses v0 mangling (`_R...`), with closures, trait objects,
/// generics and const generics.
const RUST_V0: &str = r#"
use std::collections::HashMap;
struct Point<T> { x: T, y: T }
trait Area { fn area(&self) -> f64; }
impl Area for Point<f64> { fn area(&self) -> f64 { self.x * self.y } }
impl<T: Copy + std::ops::Add<Output = T>> Point<T> { fn sum(&self) -> T { self.x + self.y } }
fn apply<F: Fn(i32) -> i32>(f: F, v: i32) -> i32 { f(v) }
#[inline(never)] fn arr<const N: usize>(a: [u8; N]) -> usize { a.len() + N }
#[inline(never)] fn ch<const C: char>() -> u32 { C as u32 }
fn main() {
    let p = Point { x: 2.0f64, y: 3.5 };
    let q = Point { x: 2u32, y: 5 };
    let mut m: HashMap<String, Vec<i64>> = HashMap::new();
    m.insert("a".into(), vec![1, 2, 3]);
    let k = 7;
    let shapes: Vec<Box<dyn Area>> = vec![Box::new(Point { x: 1.0, y: 2.0 })];
    println!("{} {} {} {} {}", p.area(), q.sum(), m["a"].len(), apply(|v| v * k, 6), arr([1u8, 2]));
    println!("{} {} {}", shapes[0].area(), ch::<'é'>(), ch::<'\0'>());
}
"#;

/// The arguments rustc passes its linker for `source` built with `flags` (objects kept by
/// `-C save-temps`, made absolute; `-flavor wasm` and `-o` dropped), recorded by a wrapper
/// script as `cargo xtask conformance` does.
fn rustc_link_line(s: &Scratch, source: &str, flags: &[&str]) -> Vec<String> {
    let src = s.path("main.rs");
    std::fs::write(&src, source).expect("write main.rs");
    let record = s.path("link-args.txt");
    let wrapper = s.path("linker.sh");
    let script = format!(
        "#!/bin/sh\nprintf '%s\\n' \"$@\" > '{}'\n",
        record.display()
    );
    std::fs::write(&wrapper, script).expect("write wrapper");
    let chmod = std::process::Command::new("chmod")
        .arg("+x")
        .arg(&wrapper)
        .status();
    assert!(chmod.is_ok_and(|s| s.success()), "chmod failed");
    let rustc = std::process::Command::new(e2e_tests::require_tool("rustc"))
        .current_dir(&s.dir)
        .env("TMPDIR", &s.dir)
        .args([
            "--edition=2021",
            "--target=wasm32-wasip1",
            "-Cpanic=abort",
            "-Csave-temps",
        ])
        .args(flags)
        .arg(format!("-Clinker={}", wrapper.display()))
        .arg(&src)
        .arg("-o")
        .arg(s.path("main.wasm"))
        .output()
        .expect("rustc runs");
    assert!(
        rustc.status.success(),
        "{}",
        String::from_utf8_lossy(&rustc.stderr)
    );
    let text = std::fs::read_to_string(&record).expect("rustc ran the linker wrapper");
    let mut words: Vec<String> = text.lines().map(str::to_string).collect();
    if words.first().is_some_and(|w| w == "-flavor") {
        words.drain(..2);
    }
    if let Some(o) = words.iter().position(|w| w == "-o") {
        words.drain(o..o + 2);
    }
    let absolute = |w: String| {
        let p = s.dir.join(&w);
        if !w.starts_with('-') && !Path::new(&w).is_absolute() && p.is_file() {
            p.to_string_lossy().into_owned()
        } else {
            w
        }
    };
    words.into_iter().map(absolute).collect()
}

/// wasm-ld demangles Rust v0 names (`llvm::demangle` tries Itanium, then Rust) where rustc's
/// link line does not pass `--no-demangle`; with rustc's own line the names stay raw. Both
/// ways the module, name section included, is byte-identical.
#[test]
fn rust_v0_names_are_demangled_like_wasm_ld() {
    let s = Scratch::new("parity", "rust-v0");
    let flags = ["-Csymbol-mangling-version=v0", "-g"];
    let line = rustc_link_line(&s, RUST_V0, &flags);
    assert!(line.iter().any(|w| w == "--no-demangle"), "{line:?}");
    let group = "parity-rust-v0";
    let os = |w: &[String]| w.iter().map(OsString::from).collect::<Vec<_>>();
    let raw = link_pair(group, "rustc-line", &os(&line));
    raw.assert_identical("rustc's link line");
    let demangling: Vec<String> = line.into_iter().filter(|w| w != "--no-demangle").collect();
    let pair = link_pair(group, "demangled", &os(&demangling));
    let module = pair.assert_identical("without --no-demangle");
    let text = String::from_utf8_lossy(module);
    assert!(
        text.contains("main::ch::<'\\u{e9}'>"),
        "no demangled v0 name"
    );
    assert!(
        text.contains("main::main::{closure#0}"),
        "no demangled closure"
    );
}

/// Two C++ translation units instantiating the same libc++ templates (COMDATs), and each
/// defining its own copy of inline functions with static locals and string literals.
const CXX_UNIT: &str = r#"
#include <cstdio>
#include <map>
#include <string>
#include <vector>
inline const char* greeting() { static const char* s = "hello from an inline function"; return s; }
template <class T> struct Holder { static int value; };
int compute(int x);
template <class T> int Holder<T>::value = compute(sizeof(T));
int NAME(int n) {
    std::vector<int> v;
    std::map<std::string, int> m;
    for (int i = 0; i < n; i++) { v.push_back(i * i); m[std::to_string(i)] = i; }
    std::string s = greeting();
    return (int)v.size() + m["2"] + (int)s.size() + Holder<long>::value;
}
"#;

/// The C++ main program for [`CXX_UNIT`].
const CXX_MAIN: &str = r#"
#include <cstdio>
int unit_a(int n);
int unit_b(int n);
int compute(int x) { return x * 2; }
int main() { std::printf("%d %d\n", unit_a(3), unit_b(4)); return 0; }
"#;

/// With `--no-gc-sections`, wasm-ld 19 keeps the functions and data segments of a COMDAT
/// that lost to an earlier object, dead, in their object's place (their global symbols still
/// resolve to the kept copy); a discarded constructor is kept but not called. With GC they
/// are never reached.
#[test]
fn no_gc_sections_keeps_discarded_comdat_copies_like_wasm_ld() {
    let s = Scratch::new("parity", "no-gc-comdats");
    let flags = [
        "--target=wasm32-wasi",
        "--sysroot=/usr",
        "-x",
        "c++",
        "-fno-exceptions",
    ];
    for opt in ["-O0", "-O2"] {
        let flags = [&flags[..], &[opt]].concat();
        let a = s.object(
            &format!("{opt}/a.o"),
            &CXX_UNIT.replace("NAME", "unit_a"),
            &flags,
        );
        let b = s.object(
            &format!("{opt}/b.o"),
            &CXX_UNIT.replace("NAME", "unit_b"),
            &flags,
        );
        let main = s.object(&format!("{opt}/main.o"), CXX_MAIN, &flags);
        for gc in ["--gc-sections", "--no-gc-sections"] {
            let line: Vec<OsString> = [
                "--target=wasm32-wasi".into(),
                "--sysroot=/usr".into(),
                main.clone().into_os_string(),
                a.clone().into_os_string(),
                b.clone().into_os_string(),
                "-lc++".into(),
                "-lc++abi".into(),
                format!("-Wl,{gc}").into(),
                "-o".into(),
                "unused.wasm".into(),
            ]
            .into();
            let line: Vec<&std::ffi::OsStr> = line.iter().map(OsString::as_os_str).collect();
            let mut words = e2e_tests::clang_link_line("clang++-19", &line);
            let o = words.iter().position(|w| w == "-o").expect("-o");
            words.drain(o..o + 2);
            let case = format!("{opt}{gc}");
            let pair = link_pair(
                "parity-no-gc-comdats",
                &case,
                &words.iter().map(OsString::from).collect::<Vec<_>>(),
            );
            pair.assert_identical(&case);
            let (ours, theirs) = (
                e2e_tests::node_run(&pair.ours.path),
                e2e_tests::node_run(&pair.theirs.path),
            );
            assert_eq!(ours, theirs, "{case}: runs differ");
            assert_eq!(ours, ("42 43\n".to_string(), 0), "{case}");
        }
    }
}

/// C with annotated functions, some of which GC removes.
const ANNOTATED: &str = r#"
__attribute__((annotate("hot"))) int used_fn(int x) { return x * 3; }
__attribute__((annotate("hot"))) int unused_fn(int x) { return x * 5; }
__attribute__((annotate("cold"))) int unused2(int x) { return x - 1; }
__attribute__((annotate("cold"))) int kept2(int x) { return x + 1; }
int run(int x) { return used_fn(x) + kept2(x); }
"#;

/// C++ with an annotated inline function and template, so that a COMDAT discards copies.
const ANNOTATED_CXX: &str = r#"
__attribute__((annotate("hot"))) inline int shared(int x) { return x * 7; }
template <class T> __attribute__((annotate("cold"))) T twice(T x) { return x + x; }
extern "C" int NAME(int x) { return shared(x) + twice(x); }
"#;

/// A removed function's entry in `llvm.func_attr.annotate.*` gets -1, as in lld's
/// `getTombstoneForSection` (0 would be a valid function index), and in `.debug_*` sections
/// -1 (-2 in `.debug_ranges`/`.debug_loc`); other custom sections keep the addend.
#[test]
fn removed_functions_get_wasm_ld_tombstones_in_custom_sections() {
    let s = Scratch::new("parity", "tombstones");
    for opt in ["-O0", "-O1"] {
        let c = ["--target=wasm32", opt, "-g"];
        let cxx = ["--target=wasm32", opt, "-g", "-x", "c++"];
        let a = s.object(&format!("{opt}/a.o"), ANNOTATED, &c);
        let b = s.object(
            &format!("{opt}/b.o"),
            &ANNOTATED_CXX.replace("NAME", "from_b"),
            &cxx,
        );
        let d = s.object(
            &format!("{opt}/d.o"),
            &ANNOTATED_CXX.replace("NAME", "from_d"),
            &cxx,
        );
        for (case, exports) in [
            ("run", &["--export=run"][..]),
            ("from_d", &["--export=from_d"][..]),
            (
                "all",
                &["--export=run", "--export=from_b", "--export=from_d"][..],
            ),
            ("no-gc", &["--export=run", "--no-gc-sections"][..]),
        ] {
            let mut items: Vec<&dyn AsRef<std::ffi::OsStr>> = vec![&"--no-entry", &a, &b, &d];
            items.extend(exports.iter().map(|e| e as &dyn AsRef<std::ffi::OsStr>));
            let case = format!("{opt}-{case}");
            let pair = link_pair("parity-tombstones", &case, &args(&items));
            let module = pair.assert_identical(&case);
            let marker = b"llvm.func_attr.annotate.hot";
            let at = module.windows(marker.len()).position(|w| w == marker);
            assert!(at.is_some(), "{case}: no annotate section");
        }
    }
}

/// wasm-ld copies every custom section it does not write itself, empty ones and other
/// `.llvm*` names too, except the bitcode of `-fembed-bitcode` (`.llvmbc`, `.llvmcmd`).
#[test]
fn custom_sections_copied() {
    let source = "\t.section .custom_section.llvm_keep,\"\",@\n\t.int8 1\n\
        \t.section .custom_section..llvm_other,\"\",@\n\t.int8 2\n\
        \t.section .custom_section..llvmbc,\"\",@\n\t.int8 3\n\
        \t.section .custom_section..llvmcmd,\"\",@\n\t.int8 4\n\
        \t.section .custom_section.empty_one,\"\",@\n\
        \t.section .text._start,\"\",@\n\t.globl _start\n\t.functype _start () -> ()\n\
        _start:\n\t.functype _start () -> ()\n\tend_function\n";
    let obj = e2e_tests::inline_object("customs.s", source);
    let pair = link_pair("parity", "custom-sections", &[obj.into_os_string()]);
    let out = pair.assert_same_run("custom sections").expect("linked");
    let names: Vec<String> = wasmparser::Parser::new(0)
        .parse_all(out)
        .filter_map(|p| match p {
            Ok(wasmparser::Payload::CustomSection(c)) => Some(c.name().to_string()),
            _ => None,
        })
        .collect();
    assert_eq!(names, ["llvm_keep", ".llvm_other", "empty_one", "name"]);
}

/// Direct calls that disagree on the signature of a function nothing defines: wasm-ld cannot
/// choose the import's signature and fails with the first two it met, with or without
/// `--allow-undefined`.
#[test]
fn undefined_function_called_with_two_signatures_is_an_error() {
    let s = Scratch::new("parity", "undefined-variants");
    let flags = &["--target=wasm32-unknown-unknown", "-O2"];
    let a = s.object("a.o", "void f(void);\nvoid a(void) { f(); }\n", flags);
    let b = s.object("b.o", "int f(int);\nint b(void) { return f(1); }\n", flags);
    for extra in [&[][..], &["--allow-undefined"][..]] {
        let mut args: Vec<OsString> = vec![a.clone().into(), b.clone().into()];
        args.extend(["--no-entry", "--export=a", "--export=b"].map(OsString::from));
        args.extend(extra.iter().map(OsString::from));
        let pair = link_pair("parity", "undefined-variants", &args);
        pair.assert_same_errors(
            "two signatures, no definition",
            "function signature mismatch: f",
        );
    }
}
