//! An in-process `wasm_link::link` of the mutated input together with a fixed valid object
//! (`fixed/fixed.s`), under each option set of [`OPTION_SETS`], parsed by the real command
//! line parser. Nothing may panic (debug assertions and overflow checks are on), and a link
//! without errors must write a valid module whenever the input itself is a module wasmparser
//! accepts; the one exception is damage wasm-ld 19 copies through the same way (see
//! `fuzz/README.md`, "The link oracle"), which is judged by linking the same files with
//! `wasm-ld-19` and validating its output too.

#![no_main]

use libfuzzer_sys::fuzz_target;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use wasm_link_cli::args::{self, Request};

/// The options of each link, after the inputs and `-o`. `-r` and `-shared` join them once
/// they are supported.
const OPTION_SETS: &[&[&str]] = &[
    &[],
    &["--export-all", "--allow-undefined"],
    &["--shared-memory"],
];

/// The fixed valid object, written to the scratch directory once.
fn fixed_object() -> &'static Path {
    static FIXED: OnceLock<PathBuf> = OnceLock::new();
    FIXED.get_or_init(|| {
        wasm_link_fuzz::scratch_file("fixed.o", include_bytes!("../fixed/fixed.o"))
    })
}

/// The command line of one link: the fixed object first, then the input.
fn command_line(input: &Path, output: &Path, options: &[&str]) -> Vec<String> {
    let mut argv = vec![
        fixed_object().display().to_string(),
        input.display().to_string(),
        "-o".to_owned(),
        output.display().to_string(),
        "--threads=1".to_owned(),
    ];
    argv.extend(options.iter().map(|o| o.to_string()));
    argv
}

/// Links with wasm-link; whether it succeeded (and so wrote `output`).
fn link(argv: &[String]) -> bool {
    let parsed = args::parse(argv.to_vec());
    let Some(Request::Link { config, .. }) = parsed.request else {
        panic!("the option set does not parse: {:?}", parsed.report.errors);
    };
    wasm_link::link(&config).errors.is_empty()
}

/// Whether wasm-ld 19 links the same command line into an invalid module too: then the
/// damage is one it copies through unchanged, not ours.
fn wasm_ld_also_invalid(argv: &[String], output: &Path) -> bool {
    let reference = output.with_extension("wasm-ld.wasm");
    let mut argv = argv.to_vec();
    argv[3] = reference.display().to_string();
    let _ = std::fs::remove_file(&reference);
    let status = Command::new("wasm-ld-19")
        .args(&argv)
        .stderr(std::process::Stdio::null())
        .status()
        .expect("cannot run wasm-ld-19, which the link oracle needs (scripts/setup.sh installs it)");
    status.success()
        && std::fs::read(&reference).is_ok_and(|b| wasm_link_fuzz::validates(&b).is_err())
}

fuzz_target!(|data: &[u8]| {
    let input = wasm_link_fuzz::scratch_file("input.o", data);
    let output = wasm_link_fuzz::scratch_dir().join("output.wasm");
    let input_valid = wasm_link_fuzz::validates(data).is_ok();
    for options in OPTION_SETS {
        let argv = command_line(&input, &output, options);
        let _ = std::fs::remove_file(&output);
        if !link(&argv) || !input_valid {
            continue;
        }
        let written = std::fs::read(&output).expect("a link without errors wrote its output");
        if let Err(e) = wasm_link_fuzz::validates(&written) {
            assert!(
                wasm_ld_also_invalid(&argv, &output),
                "a link without errors wrote an invalid module ({e}) where wasm-ld-19 does not; \
                 options {options:?}"
            );
        }
    }
});
