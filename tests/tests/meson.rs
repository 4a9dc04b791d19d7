//! A Meson project configured and built with `wasm-link` as `c_ld` (issue 12): Meson runs
//! `clang -Wl,--version` and recognises the linker by `LLD` on the first line, which our
//! `--version` starts with. The same project built with wasm-ld-19 gives the same bytes.
//!
//! Needs the Debian packages `meson` and `ninja-build` (scripts/setup.sh installs them); the
//! test fails, naming them, when they are missing.

use e2e_tests::{cli_binary, node_run, require_tool, validate_module, Scratch};
use std::path::Path;
use std::process::Command;

const MESON_BUILD: &str = "project('hello', 'c')\nexecutable('hello', 'hello.c')\n";
const HELLO: &str =
    "#include <stdio.h>\nint main(void) { puts(\"hello from meson\"); return 0; }\n";

/// Configures and builds the project in `dir` with `linker` as `c_ld`; gives the program.
fn build(dir: &Path, linker: &Path) -> Vec<u8> {
    let meson = require_tool("meson");
    require_tool("ninja");
    let clang = require_tool("clang-19");
    std::fs::create_dir_all(dir).expect("project dir");
    std::fs::write(dir.join("meson.build"), MESON_BUILD).expect("meson.build");
    std::fs::write(dir.join("hello.c"), HELLO).expect("hello.c");
    let cross = format!(
        "[binaries]\nc = ['{}', '--target=wasm32-wasi', '--sysroot=/usr']\nc_ld = '{}'\n\
         ar = 'llvm-ar-19'\n\n[host_machine]\nsystem = 'wasi'\ncpu_family = 'wasm32'\n\
         cpu = 'wasm32'\nendian = 'little'\n",
        clang.display(),
        linker.display()
    );
    std::fs::write(dir.join("cross.ini"), cross).expect("cross.ini");
    // `plain`: no -O (clang would run wasm-opt from PATH after linking) and no -g (paths).
    // wasm-ld takes neither --as-needed nor --no-undefined, which Meson passes by default.
    let setup = Command::new(&meson)
        .current_dir(dir)
        .args(["setup", "--cross-file", "cross.ini", "--buildtype=plain"])
        .args(["-Db_lundef=false", "-Db_asneeded=false", "build"])
        .output()
        .expect("cannot run meson");
    assert!(
        setup.status.success(),
        "meson setup with {} failed:\n{}{}",
        linker.display(),
        String::from_utf8_lossy(&setup.stdout),
        String::from_utf8_lossy(&setup.stderr)
    );
    let log =
        std::fs::read_to_string(dir.join("build/meson-logs/meson-log.txt")).unwrap_or_default();
    assert!(log.contains("C linker for the host machine: "), "{log}");
    let compile = Command::new(&meson)
        .current_dir(dir)
        .args(["compile", "-C", "build"])
        .output()
        .expect("cannot run meson compile");
    assert!(
        compile.status.success(),
        "meson compile with {} failed:\n{}{}",
        linker.display(),
        String::from_utf8_lossy(&compile.stdout),
        String::from_utf8_lossy(&compile.stderr)
    );
    std::fs::read(dir.join("build/hello")).expect("no program built")
}

#[test]
fn meson_configures_and_builds_with_wasm_link() {
    let s = Scratch::new("meson", "hello");
    let ours = build(&s.path("ours"), &cli_binary("wasm-link"));
    validate_module(&ours, "meson hello");
    let (stdout, code) = node_run(&s.path("ours/build/hello"));
    assert_eq!((stdout.as_str(), code), ("hello from meson\n", 0));
    let theirs = build(&s.path("ref"), &require_tool("wasm-ld-19"));
    assert!(ours == theirs, "the program differs from wasm-ld-19's");
}
