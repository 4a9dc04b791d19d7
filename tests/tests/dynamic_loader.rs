//! Dynamic linking by behaviour: programs split into a PIE main module and a shared library,
//! linked once by wasm-link and once by wasm-ld-19, each set run under the same small dynamic
//! loader (`tests/dylink/loader.mjs`, DynamicLinking.md on node). The runs must print the
//! expected lines (which judges the loader) and the same lines, and the modules must be
//! byte-identical and valid.

use e2e_tests::{cli_binary, require_tool, validate_module, workspace_root, Scratch};
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;

/// One program: the library's sources, the main module's, the compiler and its flags.
struct Program {
    name: &'static str,
    compiler: &'static str,
    flags: &'static [&'static str],
    library: &'static str,
    main: &'static str,
    expected: &'static str,
}

const C_FLAGS: &[&str] = &[
    "--target=wasm32-unknown-unknown",
    "-fPIC",
    "-fvisibility=default",
    "-O2",
];
const CXX_FLAGS: &[&str] = &[
    "--target=wasm32-unknown-unknown",
    "-fPIC",
    "-fvisibility=default",
    "-O2",
    "-fno-exceptions",
    "-fno-rtti",
];

/// Function and data pointers both ways, a library constructor, a weak undefined function, a
/// weak library definition the main module overrides.
const C_PROGRAM: Program = Program {
    name: "c",
    compiler: "clang-19",
    flags: C_FLAGS,
    library: "c/dylink_pointers/lib.c",
    main: "c/dylink_pointers/main.c",
    expected: "7\n23\n81\n27\n31\n40\n42\n30\n12\n-1\nstrong greeting from the main module\n42\n",
};

/// Virtual classes: objects the library makes used through their base class, a class the
/// main module derives from the library's, a static constructor in the library.
const CXX_PROGRAM: Program = Program {
    name: "cxx",
    compiler: "clang++-19",
    flags: CXX_FLAGS,
    library: "cpp/dylink_virtuals/shapes.cpp",
    main: "cpp/dylink_virtuals/main.cpp",
    expected: "square\n9\n18\nrect\n10\n20\ncircle\n12\n24\ncircle\n112\nsquare\n109\n",
};

/// A source of the conformance corpus (whose `pie` configuration runs the same programs).
fn source(name: &str) -> PathBuf {
    workspace_root().join("conformance").join(name)
}

fn compile(p: &Program, src: &str, obj: &Path) {
    let status = Command::new(require_tool(p.compiler))
        .args(p.flags)
        .arg("-c")
        .arg(source(src))
        .arg("-o")
        .arg(obj)
        .status()
        .unwrap_or_else(|e| panic!("{}: {e}", p.compiler));
    assert!(status.success(), "{src} does not compile");
}

/// Runs `linker args -o dir/out`, panicking with its messages if it fails.
fn link(linker: &Path, args: &[OsString], out: &Path) {
    let result = Command::new(linker)
        .args(args)
        .arg("-o")
        .arg(out)
        .output()
        .unwrap_or_else(|e| panic!("{}: {e}", linker.display()));
    assert!(
        result.status.success(),
        "{} failed to link {}:\n{}",
        linker.display(),
        out.display(),
        String::from_utf8_lossy(&result.stderr)
    );
}

/// Links the library and the main module with `linker` into `dir`: the library with dynamic
/// imports (it calls into the main module), the main module with `--import-memory` and
/// `--export-dynamic` (the library reads its data), both against a stub library of the
/// loader's two printing functions.
fn link_set(linker: &Path, dir: &Path, lib_obj: &Path, main_obj: &Path, host: &Path) -> PathBuf {
    std::fs::create_dir_all(dir).expect("mkdir");
    let lib = dir.join("libprog.so");
    let mut args: Vec<OsString> = ["--experimental-pic", "-shared"]
        .map(OsString::from)
        .to_vec();
    args.push("--unresolved-symbols=import-dynamic".into());
    args.push(lib_obj.into());
    link(linker, &args, &lib);
    let main = dir.join("main.wasm");
    let mut args: Vec<OsString> = ["--experimental-pic", "-pie", "--import-memory"]
        .map(OsString::from)
        .to_vec();
    args.extend([
        "--export-dynamic".into(),
        main_obj.into(),
        lib.clone().into(),
    ]);
    args.push(host.into());
    link(linker, &args, &main);
    main
}

/// What the loader prints for `main` (failing on a non-zero exit).
fn run(main: &Path) -> String {
    require_tool("node");
    let loader = workspace_root().join("tests/dylink/loader.mjs");
    let out = Command::new("node")
        .arg(&loader)
        .arg(main)
        .output()
        .unwrap_or_else(|e| panic!("cannot run node: {e}"));
    assert!(
        out.status.success(),
        "{} failed under the loader:\n{}",
        main.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn check(p: &Program) {
    let s = Scratch::new("dynamic_loader", p.name);
    let lib_obj = s.path("lib.o");
    let main_obj = s.path("main.o");
    compile(p, p.library, &lib_obj);
    compile(p, p.main, &main_obj);
    let host = s.path("libhost.so");
    std::fs::write(&host, "#STUB\nprint_str\nprint_int\n").expect("write stub library");
    let ours = link_set(
        &cli_binary("wasm-link"),
        &s.path("ours"),
        &lib_obj,
        &main_obj,
        &host,
    );
    let theirs = link_set(
        &require_tool("wasm-ld-19"),
        &s.path("ref"),
        &lib_obj,
        &main_obj,
        &host,
    );
    let reference = run(&theirs);
    assert_eq!(
        reference, p.expected,
        "{}: wasm-ld-19's modules under the loader",
        p.name
    );
    assert_eq!(
        run(&ours),
        reference,
        "{}: our modules run differently",
        p.name
    );
    for file in ["libprog.so", "main.wasm"] {
        let ours = std::fs::read(s.path("ours").join(file)).expect("our output");
        let theirs = std::fs::read(s.path("ref").join(file)).expect("wasm-ld-19's output");
        validate_module(&ours, file);
        assert!(
            ours == theirs,
            "{}: {file} differs from wasm-ld-19's",
            p.name
        );
    }
}

#[test]
fn c_program_split_into_pie_and_shared_library_runs_like_wasm_lds() {
    check(&C_PROGRAM);
}

#[test]
fn cxx_virtual_classes_across_modules_run_like_wasm_lds() {
    check(&CXX_PROGRAM);
}
