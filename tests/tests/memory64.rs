//! memory64 (wasm64) end to end, and the memory-limit checks of wasm32 and wasm64. Objects
//! from clang-19 `--target=wasm64-unknown-unknown` (at -O0 and -O2) and llvm-mc-19
//! `-triple=wasm64-unknown-unknown` are linked by `wasm-link` and by wasm-ld-19 with the same
//! arguments; the outputs must be byte-identical and valid with the memory64 (and threads)
//! features, and the errors must be wasm-ld's, word for word. Thread-local storage reached
//! through internal GOT globals is run under node, wasm32 and wasm64, to show that
//! `__wasm_apply_global_tls_relocs` points them at each thread's copy.

use e2e_tests::{fixture, fixture_with, link_both, require_tool, target_dir, LinkRun};
use std::ffi::OsString;
use std::path::Path;
use std::process::Command;

/// C fixtures that build freestanding for wasm64.
const C_FIXTURES: &[&str] = &[
    "c/wasm64.c",
    "c/data.c",
    "c/funcptr.c",
    "c/strings.c",
    "c/ctors.c",
    "c/weak.c",
    "c/debug.c",
    "c/imports.c",
    "c/pic.c",
    "c/sections.c",
];

fn os(args: &[&str]) -> Vec<OsString> {
    args.iter().map(OsString::from).collect()
}

fn path(p: &Path) -> OsString {
    p.as_os_str().to_owned()
}

/// Validates with memory64 (which brings 64-bit tables) and threads on.
fn validate(name: &str, bytes: &[u8]) {
    let features = wasmparser::WasmFeatures::default()
        | wasmparser::WasmFeatures::MEMORY64
        | wasmparser::WasmFeatures::THREADS;
    wasmparser::Validator::new_with_features(features)
        .validate_all(bytes)
        .unwrap_or_else(|e| panic!("{name}: output does not validate: {e}"));
}

/// Same exit code and diagnostics; on success, byte-identical and valid outputs.
fn assert_same(name: &str, (ours, theirs): &(LinkRun, LinkRun)) {
    assert_eq!(
        (ours.code, &ours.stderr),
        (theirs.code, &theirs.stderr),
        "{name}: exit code or diagnostics differ from wasm-ld-19's"
    );
    if theirs.code != 0 {
        assert!(
            ours.output.is_none(),
            "{name}: a failed link left an output"
        );
        return;
    }
    let out = ours.output.as_deref().expect("our output is missing");
    validate(name, out);
    let reference = theirs
        .output
        .as_deref()
        .expect("wasm-ld's output is missing");
    assert!(out == reference, "{name}: output differs from wasm-ld-19's");
}

/// Links with both and asserts [`assert_same`]; returns our output.
fn identical(name: &str, args: &[OsString]) -> Vec<u8> {
    let runs = link_both("e2e-memory64", name, args);
    assert_same(name, &runs);
    assert_eq!(runs.1.code, 0, "{name}: {}", runs.1.stderr);
    runs.0.output.expect("our output is missing")
}

/// The limits byte of the memory and of the table (0x04 is the 64-bit flag).
fn limit_flags(bytes: &[u8]) -> (Option<u8>, Option<u8>) {
    let mut flags = (None, None);
    for payload in wasmparser::Parser::new(0).parse_all(bytes) {
        match payload.expect("parse") {
            wasmparser::Payload::MemorySection(r) => {
                let at = r.range().start as usize + 1;
                flags.0 = Some(bytes[at]);
            }
            wasmparser::Payload::TableSection(r) => {
                let at = r.range().start as usize + 2;
                flags.1 = Some(bytes[at]);
            }
            _ => {}
        }
    }
    flags
}

/// The value types of the defined globals.
fn global_types(bytes: &[u8]) -> Vec<wasmparser::ValType> {
    let mut out = Vec::new();
    for payload in wasmparser::Parser::new(0).parse_all(bytes) {
        if let wasmparser::Payload::GlobalSection(r) = payload.expect("parse") {
            out.extend(r.into_iter().map(|g| g.expect("global").ty.content_type));
        }
    }
    out
}

#[test]
fn c_objects_link_byte_identically_at_o0_and_o2() {
    let modes: [&[&str]; 3] = [
        &["--no-entry", "--export-all", "--allow-undefined"],
        &[
            "--no-entry",
            "--export-dynamic",
            "--allow-undefined",
            "--import-memory",
            "--initial-memory=262144",
            "--max-memory=8589934592",
            "--stack-first",
            "--table-base=3",
            "--growable-table",
        ],
        &[
            "--no-entry",
            "--export-all",
            "--allow-undefined",
            "--global-base=70000",
            "-z",
            "stack-size=32768",
            "--no-gc-sections",
        ],
    ];
    for name in C_FIXTURES {
        for opt in ["-O0", "-O2"] {
            let object = fixture_with(name, &["--target=wasm64-unknown-unknown", opt]).object;
            for (m, mode) in modes.iter().enumerate() {
                let mut args = os(&["-mwasm64"]);
                args.extend(os(mode));
                args.push(path(&object));
                let label = format!("{}{opt}-{m}", name.replace(['/', '.'], "_"));
                let out = identical(&label, &args);
                let (memory, table) = limit_flags(&out);
                assert_eq!(memory.map(|f| f & 4), Some(4).filter(|_| m != 1), "{label}");
                assert!(table.is_none_or(|f| f & 4 == 4), "{label}: a 32-bit table");
                let types = global_types(&out);
                assert_eq!(
                    types[0],
                    wasmparser::ValType::I64,
                    "{label}: __stack_pointer"
                );
            }
        }
    }
}

#[test]
fn bss_of_an_imported_memory_is_zeroed_by_init_memory() {
    // With bulk memory, `__wasm_init_memory` zeroes `.bss` with `memory.fill` (an i64 address
    // and length) instead of writing zeros.
    for opt in ["-O0", "-O2"] {
        let extra = ["--target=wasm64-unknown-unknown", "-mbulk-memory", opt];
        let object = fixture_with("c/data.c", &extra).object;
        let mut args = os(&["-mwasm64", "--no-entry", "--export-all", "--import-memory"]);
        args.push(path(&object));
        let out = identical(&format!("bss-fill{opt}"), &args);
        let names = function_names(&out);
        assert!(names.iter().any(|n| n == "__wasm_init_memory"), "{names:?}");
    }
}

#[test]
fn every_64_bit_relocation_is_applied_as_wasm_ld_does() {
    // With shared memory, wasm-ld 19 and we agree on thread-local offsets (without it, wasm-ld
    // writes the absolute address: a difference we keep on purpose, see the README).
    let object = path(&fixture("asm/relocs64.s").object);
    let base = [
        "-mwasm64",
        "--no-entry",
        "--no-gc-sections",
        "--allow-undefined",
        "--shared-memory",
        "--features=atomics,bulk-memory",
    ];
    let extras: [&[&str]; 4] = [
        &[],
        &[
            "--export-all",
            "--features=atomics,bulk-memory,mutable-globals",
        ],
        &["--import-memory", "--import-table", "--max-memory=1048576"],
        &["--table-base=5", "--global-base=4096", "--export-table"],
    ];
    for (k, extra) in extras.iter().enumerate() {
        let mut args = os(&base);
        args.extend(os(extra));
        args.push(object.clone());
        let out = identical(&format!("relocs64-{k}"), &args);
        assert!(global_types(&out)
            .iter()
            .all(|t| *t == wasmparser::ValType::I64));
    }
}

#[test]
fn compressed_relocations_of_wasm64_code() {
    // wasm-ld 19 crashes compressing some 64-bit relocations; C objects do not have them.
    for opt in ["-O0", "-O2"] {
        let object = fixture_with("c/wasm64.c", &["--target=wasm64-unknown-unknown", opt]).object;
        let mut args = os(&[
            "-mwasm64",
            "--no-entry",
            "--export-all",
            "--allow-undefined",
            "--strip-debug",
            "--compress-relocations",
        ]);
        args.push(path(&object));
        identical(&format!("compress{opt}"), &args);
    }
}

#[test]
fn target_spellings_on_the_command_line() {
    let w64 = path(&fixture("c/wasm64.c").object);
    for (k, spelling) in [&["-mwasm64"][..], &["-m", "wasm64"]].iter().enumerate() {
        let mut args = os(spelling);
        args.extend(os(&["--no-entry", "--export-all", "--allow-undefined"]));
        args.push(w64.clone());
        identical(&format!("spelling-{k}"), &args);
    }
    let w32 = path(&fixture("c/data.c").object);
    for (k, spelling) in [&["-mwasm32"][..], &["-m", "wasm32"]].iter().enumerate() {
        let mut args = os(spelling);
        args.extend(os(&["--no-entry", "--export-all"]));
        args.push(w32.clone());
        identical(&format!("spelling32-{k}"), &args);
    }
}

#[test]
fn objects_of_the_other_architecture_are_wasm_ld_s_errors() {
    let w64 = fixture("c/wasm64.c").object.clone();
    let w32 = fixture("c/data.c").object.clone();
    let archive = e2e_tests::build_archive(
        e2e_tests::ArFormat::Gnu,
        &[("w32.o", w32.as_path()), ("w64.o", w64.as_path())],
    );
    let cases: Vec<(&str, Vec<OsString>, String)> = vec![
        (
            "no-m",
            vec![path(&w64)],
            format!(
                "{}: must specify -mwasm64 to process wasm64 object files",
                w64.display()
            ),
        ),
        (
            "m32",
            vec!["-mwasm32".into(), path(&w64)],
            format!(
                "{}: wasm32 object file can't be linked in wasm64 mode",
                w64.display()
            ),
        ),
        (
            "m64",
            vec!["-mwasm64".into(), path(&w32)],
            format!(
                "{}: wasm32 object file can't be linked in wasm64 mode",
                w32.display()
            ),
        ),
        (
            // Every member is checked as it is read, extracted or not.
            "member",
            vec![path(&w32), path(&archive)],
            format!(
                "{}(w64.o): must specify -mwasm64 to process wasm64 object files",
                archive.display()
            ),
        ),
        (
            // Fatal: only the first file is reported.
            "first",
            vec!["-mwasm64".into(), path(&w32), path(&w32)],
            format!(
                "{}: wasm32 object file can't be linked in wasm64 mode",
                w32.display()
            ),
        ),
    ];
    for (name, mut args, want) in cases {
        args.push("--no-entry".into());
        let runs = link_both("e2e-memory64", &format!("arch-{name}"), &args);
        assert_same(name, &runs);
        assert_eq!(runs.0.code, 1, "{name}");
        assert_eq!(runs.0.stderr, format!("error: {want}\n"), "{name}");
    }
}

#[test]
fn thread_local_relocations_need_a_thread_local_definition() {
    // tls.c reads `tls_extern`, which nothing defines: an error under every policy.
    let flags = ["-pthread", "-matomics", "-mbulk-memory"];
    let w32 = fixture_with("c/tls.c", &flags).object;
    let w64 = fixture_with(
        "c/tls.c",
        &[&flags[..], &["--target=wasm64-unknown-unknown"]].concat(),
    )
    .object;
    let asm = fixture("asm/tls_nontls.s").object.clone();
    let cases: Vec<(&str, Vec<OsString>, bool)> = vec![
        ("w32", vec![path(&w32), "--allow-undefined".into()], false),
        (
            "w32-shared",
            vec![
                path(&w32),
                "--allow-undefined".into(),
                "--shared-memory".into(),
            ],
            false,
        ),
        (
            "w64",
            vec!["-mwasm64".into(), path(&w64), "--allow-undefined".into()],
            false,
        ),
        (
            "w64-shared",
            vec![
                "-mwasm64".into(),
                path(&w64),
                "--unresolved-symbols=ignore-all".into(),
                "--shared-memory".into(),
            ],
            false,
        ),
        (
            "non-tls",
            vec![
                path(&asm),
                "--export=f".into(),
                "--shared-memory".into(),
                "--features=atomics,bulk-memory".into(),
            ],
            false,
        ),
        (
            "non-tls-single",
            vec![path(&asm), "--export=f".into()],
            true,
        ),
    ];
    for (name, mut args, links) in cases {
        args.push("--no-entry".into());
        if name.starts_with('w') {
            args.push("--export-all".into());
        }
        let runs = link_both("e2e-memory64", &format!("tls-reloc-{name}"), &args);
        assert_same(name, &runs);
        assert_eq!(runs.0.code == 0, links, "{name}: {}", runs.0.stderr);
        if !links {
            assert!(runs
                .0
                .stderr
                .contains("relocation R_WASM_MEMORY_ADDR_TLS_SLEB"));
        }
    }
}

/// Memory-limit arguments, each with wasm-ld's exact result (some succeed).
const LIMITS: &[&[&str]] = &[
    &["--initial-memory=4295032832"],
    &["--max-memory=4295032832"],
    &["--initial-heap=4295032832"],
    &["--initial-heap=4294901760"],
    &["--initial-memory=4294967296"],
    &["--max-memory=4294967296"],
    &["--initial-memory=17179869184"],
    &["--initial-memory=17179934720"],
    &["--max-memory=17179934720"],
    &["--initial-heap=17179869184"],
    &["--initial-memory=100"],
    &["--initial-memory=65536"],
    &["--max-memory=65536"],
    &["--max-memory=100"],
    &["--initial-heap=100"],
    &["--initial-heap=65536", "--initial-memory=65536"],
    &["-z", "stack-size=100"],
    &["--stack-first", "--global-base=100"],
    &["--stack-first", "-z", "stack-size=100", "--global-base=5"],
    &[
        "-z",
        "stack-size=100",
        "--initial-memory=100",
        "--max-memory=100",
        "--initial-heap=100",
    ],
    &["--initial-heap=9223372036854775807"],
    &["--initial-memory=-65536"],
    &["--global-base=-1"],
    &[
        "--stack-first",
        "--initial-heap=65536",
        "--initial-memory=131072",
    ],
    &["--no-growable-memory"],
];

#[test]
fn memory_limits_are_checked_with_wasm_ld_s_words() {
    let w32 = path(&fixture("c/data.c").object);
    let w64 = path(&fixture("c/wasm64.c").object);
    let mut failures = 0;
    for (k, limits) in LIMITS.iter().enumerate() {
        for (arch, object) in [("32", &w32), ("64", &w64)] {
            let mut args = os(&["--no-entry", "--allow-undefined"]);
            if arch == "64" {
                args.push("-mwasm64".into());
            }
            args.extend(os(limits));
            args.push(object.clone());
            let runs = link_both("e2e-memory64", &format!("limits{arch}-{k}"), &args);
            assert_same(&format!("wasm{arch} {limits:?}"), &runs);
            failures += usize::from(runs.0.code != 0);
        }
    }
    assert!(
        failures > 20,
        "only {failures} of the limit cases are errors"
    );
}

#[test]
fn a_wasm32_memory_past_4_gib_is_an_error_not_an_invalid_module() {
    // wasm-ld 19 writes a memory of 65537 pages here, which no engine accepts; we refuse.
    let w32 = path(&fixture("c/data.c").object);
    for (k, extra) in [
        &["--global-base=4294967296"][..],
        &["-z", "stack-size=4294967296"],
    ]
    .iter()
    .enumerate()
    {
        let mut args = os(&["--no-entry"]);
        args.extend(os(extra));
        args.push(w32.clone());
        let (ours, theirs) = link_both("e2e-memory64", &format!("past4g-{k}"), &args);
        let reference = theirs.output.expect("wasm-ld 19 writes an output here");
        assert!(
            wasmparser::Validator::new()
                .validate_all(&reference)
                .is_err(),
            "wasm-ld-19's output became valid: drop this difference"
        );
        assert_eq!(ours.code, 1);
        assert!(
            ours.stderr.starts_with("error: memory too large, ")
                && ours.stderr.ends_with("cannot be greater than 4294967296\n"),
            "{}",
            ours.stderr
        );
        assert!(ours.output.is_none());
    }
}

/// The names of the defined functions, from the name section.
fn function_names(bytes: &[u8]) -> Vec<String> {
    let mut out = Vec::new();
    for payload in wasmparser::Parser::new(0).parse_all(bytes) {
        let wasmparser::Payload::CustomSection(c) = payload.expect("parse") else {
            continue;
        };
        let wasmparser::KnownCustom::Name(names) = c.as_known() else {
            continue;
        };
        for n in names {
            if let Ok(wasmparser::Name::Function(map)) = n {
                out.extend(map.into_iter().map(|f| f.expect("name").name.to_string()));
            }
        }
    }
    out
}

/// Sets the main thread's `tx`, starts a second thread's block with `__wasm_init_tls`, and reads
/// `tx` through the GOT global each time: `11 7 13` when the global follows `__tls_base`.
const TLS_RUNNER: &str = "const fs=require('fs');\
    const e=new WebAssembly.Instance(new WebAssembly.Module(fs.readFileSync(process.argv[1])),{}).exports;\
    const big=typeof e.__heap_base.value==='bigint';\
    const block=Number(e.__heap_base.value)+64;\
    const out=[];e.set_tx(11);out.push(e.get_tx());\
    e.__wasm_init_tls(big?BigInt(block):block);out.push(e.get_tx());\
    e.set_tx(13);out.push(e.get_tx());console.log(out.join(' '));";

fn run_tls(module: &Path) -> String {
    require_tool("node");
    let o = Command::new("node")
        .args([
            "--experimental-wasm-memory64",
            "--no-warnings",
            "-e",
            TLS_RUNNER,
        ])
        .arg(module)
        .output()
        .expect("cannot run node");
    assert!(
        o.status.success(),
        "node failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).trim().to_string()
}

#[test]
fn thread_local_got_entries_follow_each_thread() {
    for (arch, extra) in [
        ("wasm32", &[][..]),
        ("wasm64", &["--target=wasm64-unknown-emscripten"][..]),
    ] {
        let got = fixture_with("c/tls_got.c", extra).object;
        let def_target = if arch == "wasm64" {
            &["--target=wasm64-unknown-unknown"][..]
        } else {
            &[][..]
        };
        let def = fixture_with("c/tls_def.c", def_target).object;
        for (k, mode) in [
            &["--export=__heap_base"][..],
            &["--export=__heap_base", "--export-all"],
            &[
                "--export=__heap_base",
                "--import-memory",
                "--max-memory=1048576",
            ],
        ]
        .iter()
        .enumerate()
        {
            let mut args = os(&[
                "--shared-memory",
                "--export=get_tx",
                "--export=set_tx",
                "--export=__wasm_init_tls",
            ]);
            if arch == "wasm64" {
                args.push("-mwasm64".into());
            }
            args.extend(os(mode));
            args.extend([path(&got), path(&def)]);
            let name = format!("tls-got-{arch}-{k}");
            let out = identical(&name, &args);
            let names = function_names(&out);
            let apply = names
                .iter()
                .position(|n| n == "__wasm_apply_global_tls_relocs");
            let init_memory = names.iter().position(|n| n == "__wasm_init_memory");
            assert!(apply.is_some() && apply > init_memory, "{name}: {names:?}");
            if k == 0 {
                let module = target_dir()
                    .join("e2e/e2e-memory64")
                    .join(&name)
                    .join("ours/out.wasm");
                assert_eq!(run_tls(&module), "11 7 13", "{name}");
            }
        }
    }
}
