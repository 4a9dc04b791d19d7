//! Demangled names in the `name` section, where wasm-ld writes `llvm::demangle`'s text: a Rust
//! program built with `-C symbol-mangling-version=v0` (linked with the arguments rustc passes)
//! and a C++20 program whose libc++ instantiation LLVM 19 cannot demangle must link to
//! byte-identical modules with wasm-link and wasm-ld-19.

use e2e_tests::{
    clang_link_args, link_pair, require_tool, rustc_link_line, workspace_root, Scratch,
};
use std::ffi::{OsStr, OsString};
use wasmparser::{Parser, Payload};

/// The `name` custom section's contents.
fn name_section(module: &[u8]) -> Vec<u8> {
    for payload in Parser::new(0).parse_all(module) {
        if let Ok(Payload::CustomSection(c)) = payload {
            if c.name() == "name" {
                return c.data().to_vec();
            }
        }
    }
    panic!("no name section");
}

/// rustc's link arguments for the v0 fixture at `opt_level`.
fn v0_link_line(case: &str, opt_level: &str) -> Vec<OsString> {
    require_tool("rustc");
    let scratch = Scratch::new("demangled-names-build", case);
    let source = workspace_root().join("crates/llvm-demangle/tests/fixtures/v0_names.rs");
    let out = scratch.path("prog.wasm");
    let opt = format!("-Copt-level={opt_level}");
    let flags = [
        "--edition=2021",
        "--target=wasm32-wasip1",
        "-Cpanic=abort",
        "-Csymbol-mangling-version=v0",
        &opt,
    ];
    let args: Vec<&OsStr> = flags
        .iter()
        .map(OsStr::new)
        .chain([source.as_os_str(), OsStr::new("-o"), out.as_os_str()])
        .collect();
    rustc_link_line(&scratch.dir, &args)
        .into_iter()
        .map(OsString::from)
        .collect()
}

/// Links with rustc's arguments plus `--demangle` (rustc passes `--no-demangle`, which would
/// keep every name mangled) and compares the outputs.
fn check(case: &str, opt_level: &str) {
    let mut args = v0_link_line(case, opt_level);
    assert!(
        args.iter().any(|a| a == "--no-demangle"),
        "rustc no longer passes --no-demangle: {args:?}"
    );
    args.push("--demangle".into());
    let pair = link_pair("demangled-names", case, &args);
    let theirs = pair
        .theirs
        .output
        .as_deref()
        .expect("wasm-ld-19 wrote no output");
    let ours = pair
        .ours
        .output
        .as_deref()
        .expect("wasm-link wrote no output");
    e2e_tests::validate_module(ours, case);
    let names = name_section(theirs);
    assert!(
        name_section(ours) == names,
        "{case}: name sections differ ({} and {})",
        pair.ours.path.display(),
        pair.theirs.path.display()
    );
    // The names are v0 ones, demangled: the test cannot pass on mangled or legacy names.
    let text = String::from_utf8_lossy(&names);
    for part in [
        "v0_names::main",
        "v0_names::größe",
        "<v0_names::café::Naïve<u8>>::dup",
        "::{closure#0}",
        "::{shim:vtable#0}",
    ] {
        assert!(text.contains(part), "{case}: no name contains {part:?}");
    }
    assert!(
        !text.contains("17h"),
        "{case}: legacy (hash-suffixed) names in the name section"
    );
    pair.assert_identical(case);
}

#[test]
fn v0_names_match_wasm_ld_at_o0() {
    check("v0-o0", "0");
}

#[test]
fn v0_names_match_wasm_ld_at_o2() {
    check("v0-o2", "2");
}

/// libc++'s C++20 `basic_string_view(It, End)` constructor has a `Tk` constraint naming the
/// template parameter it constrains (`sized_sentinel_for<TL0__>`), which LLVM 19 does not
/// demangle: wasm-ld writes that name mangled, and so must we.
#[test]
fn cxx20_name_llvm_cannot_demangle_stays_mangled() {
    let scratch = Scratch::new("demangled-names", "cxx20");
    let source = scratch.path("sv.cpp");
    std::fs::write(
        &source,
        "#include <string_view>\n#include <cstdio>\n\
         int main(int argc, char** argv) {\n  char buf[8] = \"hello\";\n\
         std::string_view v(buf, buf + argc);\n  std::printf(\"%zu\\n\", v.size());\n}\n",
    )
    .unwrap();
    let object = scratch.path("sv.o");
    let flags = [
        "--target=wasm32-wasi",
        "--sysroot=/usr",
        "-std=c++20",
        "-O0",
        "-g",
    ];
    let status = std::process::Command::new(require_tool("clang++-19"))
        .args(flags)
        .arg("-c")
        .arg(&source)
        .arg("-o")
        .arg(&object)
        .status()
        .expect("clang++-19 runs");
    assert!(
        status.success(),
        "clang++-19 failed on {}",
        source.display()
    );
    let out = scratch.path("sv.wasm");
    let mut line: Vec<&OsStr> = flags.iter().map(OsStr::new).collect();
    line.extend([object.as_os_str(), OsStr::new("-o"), out.as_os_str()]);
    let args = clang_link_args("clang++-19", &line);
    let pair = link_pair("demangled-names", "cxx20", &args);
    let module = pair.assert_identical("cxx20");
    let names = String::from_utf8_lossy(&name_section(module)).into_owned();
    // libc++'s inline namespace and ABI tag vary with its version: look for the shape.
    assert!(
        names.contains("17basic_string_viewIcNS_11char_traitsIcEEEC2")
            && names.contains("TkNS_18sized_sentinel_forITL0__EE"),
        "the constructor's mangled name is not in the name section"
    );
    assert!(
        names.contains("::basic_string_view<char, std::"),
        "no demangled basic_string_view name in the name section"
    );
}
