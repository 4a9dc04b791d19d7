//! Rust v0 symbol names in the `name` section: a program built with
//! `-C symbol-mangling-version=v0`, linked by wasm-link and wasm-ld-19 with the arguments rustc
//! passes, must get byte-identical name sections, with its names demangled as LLVM 19's
//! `rustDemangle` prints them (`llvm_demangle::demangle`).

use e2e_tests::{link_pair, require_tool, rustc_link_line, workspace_root, Scratch};
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
    let scratch = Scratch::new("rust-v0-build", case);
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
    let pair = link_pair("rust-v0", case, &args);
    let theirs = pair.theirs.output.as_deref().expect("wasm-ld-19 wrote no output");
    let ours = pair.ours.output.as_deref().expect("wasm-link wrote no output");
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
    check("o0", "0");
}

#[test]
fn v0_names_match_wasm_ld_at_o2() {
    check("o2", "2");
}
