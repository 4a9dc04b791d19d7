//! An in-process `wasm_link::link` of the mutated input together with a fixed valid object
//! (`fixed/fixed.s`), under each option set of [`OPTION_SETS`], parsed by the real command
//! line parser. Nothing may panic (debug assertions and overflow checks are on), and a link
//! without errors must write a valid module whenever the input itself is a module wasmparser
//! accepts; the one exception is damage wasm-ld 19 copies through the same way (see
//! `fuzz/README.md`, "The link oracle"): the classes [`wasm_link_fuzz::oracle`] recognises in
//! the input, else whatever `wasm-ld-19` also links into an invalid module.

#![no_main]

use libfuzzer_sys::fuzz_target;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use wasm_link::Config;
use wasm_link_cli::args::{self, Request};

/// The options of each link, after the inputs and `-o`, and whether the fixed object joins
/// the link (it is not built with `-fPIC`, so the dynamic links take the input alone).
const OPTION_SETS: &[(&[&str], bool)] = &[
    (&[], true),
    (&["--export-all", "--allow-undefined"], true),
    (&["--shared-memory"], true),
    (&["-r"], true),
    (&["--emit-relocs", "--export-all", "--allow-undefined"], true),
    (&["--experimental-pic", "-shared", "--allow-undefined"], false),
    (&["--experimental-pic", "-pie", "--no-entry", "--export-dynamic", "--unresolved-symbols=import-dynamic"], false),
];

/// The fixed valid object, written to the scratch directory once.
fn fixed_object() -> &'static Path {
    static FIXED: OnceLock<PathBuf> = OnceLock::new();
    FIXED
        .get_or_init(|| wasm_link_fuzz::scratch_file("fixed.o", include_bytes!("../fixed/fixed.o")))
}

/// The command line of one link: `-o OUTPUT`, the fixed object (if `fixed`), then the input.
fn command_line(input: &Path, output: &Path, (options, fixed): (&[&str], bool)) -> Vec<String> {
    let mut argv = vec!["-o".to_owned(), output.display().to_string()];
    if fixed {
        argv.push(fixed_object().display().to_string());
    }
    argv.extend([input.display().to_string(), "--threads=1".to_owned()]);
    argv.extend(options.iter().map(|o| o.to_string()));
    argv
}

/// The links to run on every input: the command line and its config, parsed once (the
/// parser is not what is fuzzed here, and with debug assertions clap checks its whole
/// option table on every parse).
fn links() -> &'static [(Vec<String>, Config)] {
    static LINKS: OnceLock<Vec<(Vec<String>, Config)>> = OnceLock::new();
    LINKS.get_or_init(|| {
        let dir = wasm_link_fuzz::scratch_dir();
        let (input, output) = (dir.join("input.o"), dir.join("output.wasm"));
        let parse = |set: &(&[&str], bool)| {
            let argv = command_line(&input, &output, *set);
            let parsed = args::parse(argv.clone());
            let Some(Request::Link { config, .. }) = parsed.request else {
                panic!("{argv:?} does not parse: {:?}", parsed.report.errors);
            };
            (argv, *config)
        };
        OPTION_SETS.iter().map(parse).collect()
    })
}

/// Whether wasm-ld 19 links the same command line into an invalid module too: then the
/// damage is one it copies through unchanged, not ours.
fn wasm_ld_also_invalid(argv: &[String], output: &Path) -> bool {
    let reference = output.with_extension("wasm-ld.wasm");
    let mut argv = argv.to_vec();
    argv[1] = reference.display().to_string();
    let _ = std::fs::remove_file(&reference);
    let status = Command::new("wasm-ld-19")
        .args(&argv)
        .stderr(std::process::Stdio::null())
        .status()
        .expect(
            "cannot run wasm-ld-19, which the link oracle needs (scripts/setup.sh installs it)",
        );
    status.success()
        && std::fs::read(&reference).is_ok_and(|b| wasm_link_fuzz::validates(&b).is_err())
}

fuzz_target!(|data: &[u8]| {
    wasm_link_fuzz::scratch_file("input.o", data);
    let input_valid = wasm_link_fuzz::validates(data).is_ok();
    for (argv, config) in links() {
        let _ = std::fs::remove_file(&config.output);
        if !wasm_link::link(config).errors.is_empty() || !input_valid {
            continue;
        }
        let written =
            std::fs::read(&config.output).expect("a link without errors wrote its output");
        if let Err(e) = wasm_link_fuzz::validates(&written) {
            assert!(
                wasm_link_fuzz::oracle::copied_through(data).is_some()
                    || wasm_ld_also_invalid(argv, &config.output),
                "a link without errors wrote an invalid module ({e}) where wasm-ld-19 does not: \
                 {argv:?}"
            );
        }
    }
});
