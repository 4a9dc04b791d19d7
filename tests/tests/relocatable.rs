//! Relocatable output (`-r`), end to end: every `-r` link runs with wasm-link and wasm-ld-19 on
//! the same inputs and must give byte-identical objects (so `obj2yaml` is identical too) that
//! validate and that wasm-object parses back; refused combinations give wasm-ld's messages.
//! Two-step links (`-r` of some objects, then the final link) must give the same module as
//! wasm-ld-19's two-step link and run as the one-step link runs.

use e2e_tests::{
    clang_link_line, cli_binary, compiled_source, fixture, libc_archive, link_pair, node_run,
    require_tool, LinkPair, Scratch,
};
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Links `-r` plus `args` with both linkers.
fn relocatable(case: &str, args: &[OsString]) -> LinkPair {
    let mut all: Vec<OsString> = vec!["-r".into()];
    all.extend(args.iter().cloned());
    link_pair("relocatable", case, &all)
}

/// Asserts both linkers wrote the same object, which validates (with every feature: the
/// exception-handling fixtures use legacy `try`) and which wasm-object parses back.
fn assert_same_object(pair: &LinkPair, what: &str) {
    let bytes = assert_same_module(pair, what);
    let object = wasm_object::object::Object::parse(bytes, 0)
        .unwrap_or_else(|e| panic!("{what}: wasm-object cannot read the output: {e}"));
    assert!(
        !object.symbols.is_empty(),
        "{what}: the output has no symbol table"
    );
}

/// Asserts both linkers did the same and wrote the same valid module; gives it.
fn assert_same_module<'p>(pair: &'p LinkPair, what: &str) -> &'p [u8] {
    let (ours, theirs) = (&pair.ours, &pair.theirs);
    assert_eq!(
        (ours.code, &ours.messages),
        (theirs.code, &theirs.messages),
        "{what}: exit code or messages differ from wasm-ld-19's"
    );
    assert_eq!(theirs.code, 0, "{what}: {:?}", theirs.messages);
    let bytes = ours.output.as_deref().expect("our output is missing");
    assert!(
        Some(bytes) == theirs.output.as_deref(),
        "{what}: output differs from wasm-ld-19's ({} and {})",
        ours.path.display(),
        theirs.path.display()
    );
    wasmparser::Validator::new_with_features(wasmparser::WasmFeatures::all())
        .validate_all(bytes)
        .unwrap_or_else(|e| panic!("{what}: output does not validate: {e}"));
    bytes
}

fn os(items: &[&str]) -> Vec<OsString> {
    items.iter().map(OsString::from).collect()
}

fn path(p: &Path) -> OsString {
    p.as_os_str().to_owned()
}

#[test]
fn every_asm_fixture_relinks_as_wasm_ld_does() {
    // Every relocation type (relocs32/relocs64), symbol kind, table, tag, COMDAT and TLS case.
    let names = [
        "comdat",
        "eh",
        "eh_catch",
        "eh_imports",
        "eh_tag",
        "eh_tag_i64",
        "eh_throw",
        "globals",
        "relocs32",
        "relocs64",
        "tables",
        "tables_defs",
        "tables_imports",
        "tables_mvp",
        "tables_run",
        "tables_use",
        "tables_weak",
        "tls_nontls",
    ];
    for name in names {
        let object = path(&fixture(&format!("asm/{name}.s")).object);
        let mut args = os(&["--no-check-features"]);
        if name == "relocs64" {
            args.push("-mwasm64".into());
        }
        args.push(object);
        assert_same_object(&relocatable(name, &args), name);
    }
}

#[test]
fn c_and_cxx_objects_with_comdats_and_debug_info() {
    let cases = [
        ("conformance/c/ctors_priority.c", &["-O2"][..]),
        ("conformance/c/ctors_priority.c", &["-O0", "-g"]),
        ("conformance/cpp/templates_heavy.cpp", &["-O2"]),
        ("conformance/cpp/templates_heavy.cpp", &["-O0", "-g"]),
        ("conformance/cpp/containers.cpp", &["-O2", "-g"]),
    ];
    let memcpy = libc_member("memcpy.o");
    for (source, flags) in cases {
        let object = path(&compiled_source(source, flags).object);
        let what = format!("{source} {flags:?}");
        let pair = relocatable(
            &what.replace(['/', ' ', '"', '[', ']', ','], "_"),
            &[object.clone(), path(&memcpy)],
        );
        assert_same_object(&pair, &what);
        // -O0 keeps `.debug_str` whole; --strip-debug and --strip-all drop what wasm-ld drops.
        for option in ["-O0", "--strip-debug", "--strip-all"] {
            let case = format!("{what} {option}").replace(['/', ' ', '"', '[', ']', ','], "_");
            let pair = relocatable(&case, &[option.into(), object.clone()]);
            assert_same_object(&pair, &format!("{what} {option}"));
        }
    }
}

#[test]
fn comdat_segments_of_several_objects_stay_apart() {
    // Each object defines the same inline variables and template statics: their COMDAT data
    // segments share names, and `-r` keeps every copy as its own segment.
    let objects: Vec<OsString> = ["a.cpp", "b.cpp", "main.cpp"]
        .iter()
        .map(|f| {
            path(
                &compiled_source(&format!("conformance/cpp/templates_comdat/{f}"), &["-O2"]).object,
            )
        })
        .collect();
    assert_same_object(
        &relocatable("comdat-segments", &objects),
        "-r of three C++ objects",
    );
}

/// One member of wasi-libc's `libc.a`, extracted once.
fn libc_member(name: &str) -> PathBuf {
    let dir = e2e_tests::target_dir().join("e2e").join("libc-members");
    let member = dir.join(name);
    if !member.is_file() {
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        let status = Command::new(require_tool("llvm-ar-19"))
            .current_dir(&dir)
            .arg("x")
            .arg(libc_archive())
            .arg(name)
            .status()
            .expect("cannot run llvm-ar-19");
        assert!(status.success(), "llvm-ar-19 cannot extract {name}");
    }
    member
}

#[test]
fn the_whole_of_libc_in_one_object() {
    let args = vec!["--whole-archive".into(), path(&libc_archive())];
    assert_same_object(
        &relocatable("whole-libc", &args),
        "-r --whole-archive libc.a",
    );
}

#[test]
fn rust_objects() {
    let scratch = Scratch::new("relocatable", "rust-objects");
    let source = scratch.path("lib.rs");
    std::fs::write(
        &source,
        "#![no_std]\n#[no_mangle] pub extern \"C\" fn add(a: i32, b: i32) -> i32 { a.wrapping_add(b) }\n\
         #[no_mangle] pub static TABLE: [u8; 4] = [1, 2, 3, 4];\n\
         #[panic_handler] fn panic(_: &core::panic::PanicInfo) -> ! { loop {} }\n",
    )
    .unwrap();
    let object = scratch.path("lib.o");
    let status = Command::new(require_tool("rustc"))
        .args([
            "--target",
            "wasm32-unknown-unknown",
            "--crate-type=lib",
            "--emit=obj",
        ])
        .args(["-O", "-g"])
        .arg(&source)
        .arg("-o")
        .arg(&object)
        .status()
        .expect("cannot run rustc");
    assert!(status.success(), "rustc failed on {}", source.display());
    assert_same_object(&relocatable("rust", &[path(&object)]), "a Rust object");
}

#[test]
fn wrap_and_weak_definitions() {
    let scratch = Scratch::new("relocatable", "wrap");
    let flags = ["--target=wasm32-wasi", "-O1"];
    let a = scratch.object(
        "a.o",
        "int bar(int);\n__attribute__((weak)) int weak_one(void) { return 1; }\n\
         int foo(int x) { return bar(x) + weak_one(); }\n",
        &flags,
    );
    let b = scratch.object(
        "b.o",
        "int bar(int x) { return x * 2; }\nint weak_one(void) { return 2; }\n",
        &flags,
    );
    let w = scratch.object(
        "w.o",
        "int __real_bar(int);\nint __wrap_bar(int x) { return __real_bar(x) + 100; }\n",
        &flags,
    );
    let args = vec!["--wrap=bar".into(), path(&a), path(&b), path(&w)];
    assert_same_object(&relocatable("wrap", &args), "-r --wrap=bar");
}

#[test]
fn refused_combinations_give_wasm_ld_s_messages() {
    let object = path(&fixture("asm/globals.s").object);
    let cases = [
        (
            "--shared-memory",
            "-r and --shared-memory may not be used together",
        ),
        (
            "--gc-sections",
            "-r and --gc-sections may not be used together",
        ),
        (
            "--entry=foo",
            "entry point specified for relocatable output file",
        ),
        (
            "--compress-relocations",
            "-r -and --compress-relocations may not be used together",
        ),
    ];
    for (option, message) in cases {
        let pair = relocatable(option, &[option.into(), object.clone()]);
        pair.assert_same_errors(&format!("-r {option}"), message);
    }
}

/// Runs link line `line` (without `-o`) in two steps with each linker: the inputs `partial`
/// selects are combined by `-r` first, then the final link takes that object in their place.
/// Asserts both linkers' final modules are identical and valid and run as the one-step link
/// runs; gives what it printed.
fn two_step(scratch: &Scratch, line: &[String], partial: impl Fn(&str) -> bool) -> String {
    let theirs = require_tool("wasm-ld-19");
    let one_step = scratch.path("one/prog.wasm");
    run_link(&theirs, line, &one_step);
    let mut finals = Vec::new();
    for (linker, name) in [(cli_binary("wasm-link"), "ours"), (theirs.clone(), "ref")] {
        let combined = scratch.path(&format!("{name}/combined.o"));
        let mut args = vec!["-r".to_string()];
        args.extend(line.iter().filter(|a| partial(a)).cloned());
        assert!(args.len() > 1, "nothing for -r to combine in {line:?}");
        run_link(&linker, &args, &combined);
        let mut rest: Vec<String> = Vec::new();
        for arg in line {
            if !partial(arg) {
                rest.push(arg.clone());
            } else if !rest.iter().any(|a| Path::new(a) == combined) {
                rest.push(combined.to_string_lossy().into_owned());
            }
        }
        let out = scratch.path(&format!("{name}/final/prog.wasm"));
        run_link(&linker, &rest, &out);
        finals.push(out);
    }
    let (ours, reference) = (read(&finals[0]), read(&finals[1]));
    assert!(
        ours == reference,
        "the two-step link differs from wasm-ld-19's"
    );
    wasmparser::Validator::new_with_features(wasmparser::WasmFeatures::all())
        .validate_all(&ours)
        .unwrap_or_else(|e| panic!("the two-step output does not validate: {e}"));
    let ran = node_run(&finals[0]);
    assert_eq!(
        ran,
        node_run(&one_step),
        "the two-step link runs differently"
    );
    assert_eq!(ran.1, 0, "the program failed: {ran:?}");
    ran.0
}

fn read(p: &Path) -> Vec<u8> {
    std::fs::read(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// Runs `linker args -o out`, creating `out`'s directory; panics with its stderr on failure.
fn run_link(linker: &Path, args: &[String], out: &Path) {
    let dir = out.parent().expect("an output directory");
    std::fs::create_dir_all(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    let ran = Command::new(linker)
        .args(args)
        .arg("-o")
        .arg(out)
        .output()
        .expect("cannot run the linker");
    assert!(
        ran.status.success(),
        "{} {args:?} failed: {}",
        linker.display(),
        String::from_utf8_lossy(&ran.stderr)
    );
}

/// The link line clang's `driver` runs for `objects` and `flags`.
fn driver_line(driver: &str, flags: &[&str], objects: &[PathBuf]) -> Vec<String> {
    let mut args: Vec<OsString> = os(flags);
    args.extend(objects.iter().map(|o| path(o)));
    let refs: Vec<&std::ffi::OsStr> = args.iter().map(OsString::as_os_str).collect();
    clang_link_line(driver, &refs)
}

/// Whether a link-line word is one of the test's own objects (not crt1 nor a library).
fn own_object(dir: &Path) -> impl Fn(&str) -> bool + '_ {
    move |arg: &str| arg.ends_with(".o") && Path::new(arg).starts_with(dir)
}

#[test]
fn a_two_step_c_link_runs_as_the_one_step_link() {
    let scratch = Scratch::new("relocatable", "two-step-c");
    let flags = ["--target=wasm32-wasi", "-O2"];
    let main = scratch.object(
        "main.o",
        "#include <stdio.h>\nint twice(int);\nextern const char *greeting;\n\
         static int counter = 3;\n__attribute__((constructor)) static void init(void) { counter += 4; }\n\
         int main(void) { printf(\"%s %d %d\\n\", greeting, twice(counter), counter); return 0; }\n",
        &flags,
    );
    let lib = scratch.object(
        "lib.o",
        "const char *greeting = \"hello\";\nint twice(int x) { return x * 2; }\n",
        &flags,
    );
    let line = driver_line("clang-19", &flags, &[main, lib]);
    let printed = two_step(&scratch, &line, own_object(&scratch.dir));
    assert_eq!(printed, "hello 14 7\n");
}

#[test]
fn a_two_step_cxx_link_with_libcxx() {
    let scratch = Scratch::new("relocatable", "two-step-cxx");
    let flags = ["--target=wasm32-wasi", "-O2", "-g", "-fno-exceptions"];
    let object = compiled_source("conformance/cpp/templates_heavy.cpp", &["-O2", "-g"]).object;
    let copy = scratch.path("templates_heavy.o");
    std::fs::copy(&object, &copy).unwrap_or_else(|e| panic!("{}: {e}", object.display()));
    let line = driver_line("clang++-19", &flags, &[copy]);
    let printed = two_step(&scratch, &line, own_object(&scratch.dir));
    assert!(!printed.is_empty());
}

#[test]
fn a_two_step_rust_link() {
    let scratch = Scratch::new("relocatable", "two-step-rust");
    let source = scratch.path("main.rs");
    std::fs::write(
        &source,
        "use std::collections::HashMap;\nfn main() { let mut m = HashMap::new();\n\
         for w in \"a b a c b a\".split(' ') { *m.entry(w).or_insert(0) += 1; }\n\
         let mut v: Vec<_> = m.into_iter().collect(); v.sort();\n println!(\"{:?}\", v); }\n",
    )
    .unwrap();
    let args = os(&["--target", "wasm32-wasip1", "-O"]);
    let mut refs: Vec<&std::ffi::OsStr> = args.iter().map(OsString::as_os_str).collect();
    refs.push(source.as_os_str());
    let line = e2e_tests::rustc_link_line(&scratch.dir, &refs);
    let printed = two_step(&scratch, &line, own_object(&scratch.dir));
    assert_eq!(printed, "[(\"a\", 3), (\"b\", 2), (\"c\", 1)]\n");
}

#[test]
fn a_signature_mismatch_warns_and_keeps_a_local_stub() {
    let scratch = Scratch::new("relocatable", "signature-mismatch");
    let flags = ["--target=wasm32-wasi", "-O1"];
    let caller = scratch.object(
        "caller.o",
        "int f(int);\nint g(void) { return f(1); }\n",
        &flags,
    );
    let callee = scratch.object(
        "callee.o",
        "int f(int a, int b) { return a + b; }\n",
        &flags,
    );
    let pair = relocatable("signature-mismatch", &[path(&caller), path(&callee)]);
    assert_same_object(&pair, "-r with a signature mismatch");
    assert!(
        pair.ours.messages[0].starts_with("warning: function signature mismatch: f"),
        "{:?}",
        pair.ours.messages
    );
}

/// Links `source` (compiled with `flags`) into a command with clang's link line plus
/// `--emit-relocs` and `extra`, with both linkers; asserts the same bytes, valid.
fn emit_relocs(case: &str, source: &str, flags: &[&str], extra: &[&str]) {
    let object = compiled_source(source, flags).object;
    let driver = if source.ends_with(".cpp") {
        "clang++-19"
    } else {
        "clang-19"
    };
    let mut driver_flags = vec!["--target=wasm32-wasi"];
    driver_flags.extend_from_slice(flags);
    let mut line: Vec<OsString> = driver_line(driver, &driver_flags, &[object])
        .into_iter()
        .map(OsString::from)
        .collect();
    line.push("--emit-relocs".into());
    line.extend(os(extra));
    // Not parsed back: like wasm-ld's, the metadata may name index -1 (a symbol GC removed,
    // from debug info) or, compressed, hold offsets out of order.
    let pair = link_pair("emit-relocs", case, &line);
    assert_same_module(&pair, &format!("--emit-relocs {case}"));
}

#[test]
fn emit_relocs_keeps_the_linking_metadata_as_wasm_ld_does() {
    // Debug info with relocations against symbols GC removed (wasm-ld writes index -1), a
    // command-export wrapper, weak-undefined stubs listed again among the locals.
    emit_relocs("hello-g", "conformance/c/hello.c", &["-O0", "-g"], &[]);
    emit_relocs("weak-undef", "conformance/c/weak_undef.c", &["-O2"], &[]);
    emit_relocs(
        "cxx",
        "conformance/cpp/containers.cpp",
        &["-O2", "-fno-exceptions"],
        &[],
    );
    emit_relocs(
        "export-table",
        "conformance/c/export_table.c",
        &["-O2"],
        &["--export-table"],
    );
    // Symbols named by --export count as used, and enter the symbol table.
    emit_relocs(
        "exports",
        "conformance/c/hello.c",
        &["-O2"],
        &["--export=__heap_base"],
    );
    // With --compress-relocations the offsets are wasm-ld's, which LLVM cannot read back.
    emit_relocs(
        "compressed",
        "conformance/c/hello.c",
        &["-O2"],
        &["--compress-relocations", "--strip-debug"],
    );
}
