//! The linker never panics on a damaged object, and never "links" one into an invalid
//! module: every fixture is mutated many times (bytes replaced, bits flipped, ranges cut or
//! inserted, with a fixed xorshift seed so a failure reproduces) and linked in-process under
//! several option sets. Each link must return either errors or an output that
//! `wasmparser::Validator` accepts. A panic fails the test and leaves the input behind.
//!
//! Excluded are outputs that fail only where wasm-ld copies the same bytes through, because
//! neither linker decodes instructions. The fault must be in the code section, and either:
//! - the mutation hit a function body's instructions or local declarations (an opcode, an
//!   immediate, a local count or type) that the object's framing still accepts, moved one of
//!   its relocations onto another field of the same body, or renamed the relocation section
//!   (then an unknown custom section: both linkers leave every field unpatched): with the
//!   original code section and relocation section put back into the mutated object, the
//!   output validates; or
//! - the mutation hit a type both linkers copy (a signature's parameter, a table's element
//!   type, a relocation type that still fits its field), so the bodies no longer type-check:
//!   wasm-ld-19 writes an invalid module for the same input and options too.
//!
//! Anything else is a bug: the inputs are kept and named in the failure.

use e2e_tests::{build_archive, fixture, fixtures, require_tool, target_dir, ArFormat};
use std::ops::Range;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use wasm_link::{Config, Entry, Input, UnresolvedPolicy};

/// Mutations per fixture.
const ROUNDS: usize = 120;

/// A small deterministic generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// One to eight random edits of `bytes`.
fn mutate(bytes: &[u8], rng: &mut Rng) -> Vec<u8> {
    let mut b = bytes.to_vec();
    for _ in 0..1 + rng.below(8) {
        if b.is_empty() {
            break;
        }
        let at = rng.below(b.len());
        match rng.below(10) {
            0..=5 => b[at] = rng.next() as u8,
            6 | 7 => b[at] ^= 1 << rng.below(8),
            8 => {
                let end = (at + 1 + rng.below(8)).min(b.len());
                b.drain(at..end);
            }
            _ => {
                let extra = rng.next().to_le_bytes();
                let n = 1 + rng.below(3);
                b.splice(at..at, extra[..n].iter().copied());
            }
        }
    }
    b
}

/// The option sets each mutation is linked with, and the same as wasm-ld options.
fn configs(input: &Path, output: &Path) -> Vec<(Config, &'static [&'static str])> {
    let base = Config {
        inputs: vec![Input {
            path: input.to_path_buf(),
            whole_archive: false,
            lazy: false,
        }],
        output: output.to_path_buf(),
        entry: Entry::None,
        ..Config::default()
    };
    let everything = Config {
        export_all: true,
        gc_sections: false,
        import_undefined: true,
        unresolved: UnresolvedPolicy::IgnoreAll,
        ..base.clone()
    };
    let memory = Config {
        import_memory: Some(("env".into(), "memory".into())),
        shared_memory: true,
        check_features: false,
        ..everything.clone()
    };
    const EVERYTHING: &[&str] = &[
        "--no-entry",
        "--export-all",
        "--no-gc-sections",
        "--import-undefined",
        "--unresolved-symbols=ignore-all",
    ];
    const MEMORY: &[&str] = &[
        "--no-entry",
        "--export-all",
        "--no-gc-sections",
        "--import-undefined",
        "--unresolved-symbols=ignore-all",
        "--import-memory=env,memory",
        "--shared-memory",
        "--no-check-features",
    ];
    vec![
        (base, &["--no-entry"]),
        (everything, EVERYTHING),
        (memory, MEMORY),
    ]
}

/// Links in-process; `Err` if the linker panicked, else whether it wrote `output` (removed
/// first, since a failed link leaves an old output as it was).
fn link_once(config: &Config) -> Result<Option<Vec<u8>>, ()> {
    let _ = std::fs::remove_file(&config.output);
    let diag = catch_unwind(AssertUnwindSafe(|| wasm_link::link(config))).map_err(|_| ())?;
    if !diag.errors.is_empty() {
        return Ok(None);
    }
    let output = std::fs::read(&config.output).expect("a successful link wrote no output");
    Ok(Some(output))
}

/// Where `module` fails to validate: the offset and message; `None` if it is valid.
fn invalid(module: &[u8]) -> Option<(usize, String)> {
    // Every feature: the fixtures use legacy exceptions, memory64, threads; what matters here
    // is that the module is well-formed, not which proposals it needs.
    let features = wasmparser::WasmFeatures::all();
    let e = wasmparser::Validator::new_with_features(features)
        .validate_all(module)
        .err()?;
    Some((e.offset() as usize, e.message().to_string()))
}

/// Whether offset `at` of `module` lies in its code section.
fn in_code_section(module: &[u8], at: usize) -> bool {
    let m = wasm_format::Module::parse(module, 0).expect("the output is framed");
    m.sections.iter().any(|s| {
        s.id == wasm_format::SectionId::Code && (s.header_offset..=s.contents.end()).contains(&at)
    })
}

/// The whole of the code section of `bytes` and of the relocation section that patches it,
/// by their positions among the sections.
fn code_and_relocs(bytes: &[u8]) -> Option<[(usize, Range<usize>); 2]> {
    let m = wasm_format::Module::parse(bytes, 0).ok()?;
    let code = m
        .sections
        .iter()
        .find(|s| s.id == wasm_format::SectionId::Code)?;
    let relocs = m.sections.iter().find(|s| {
        s.custom_name.is_some_and(|n| n.starts_with("reloc."))
            && wasm_format::reloc::read_reloc_section(s.contents)
                .is_ok_and(|r| r.target_section == code.index)
    })?;
    let whole =
        |s: &wasm_format::Section<'_>| (s.index as usize, s.header_offset..s.contents.end());
    Some([whole(code), whole(relocs)])
}

/// `mutated` with `original`'s code section and code relocation section put back, by their
/// positions (a relocation section whose name the mutation changed is put back too), if the
/// mutation left their sizes alone.
fn with_original_code(mutated: &[u8], original: &[u8]) -> Option<Vec<u8>> {
    let was = code_and_relocs(original)?;
    let m = wasm_format::Module::parse(mutated, 0).ok()?;
    let mut out = mutated.to_vec();
    for (index, w) in was {
        let s = m.sections.get(index)?;
        let at = s.header_offset..s.contents.end();
        if at.len() != w.len() {
            return None;
        }
        out[at].copy_from_slice(&original[w]);
    }
    Some(out)
}

/// The excluded classes (see the module documentation): our output, `ours`, is invalid at
/// `at`, in the code section, and the fault is in bytes both linkers copy through.
fn copied_through(case: &Case<'_>, ours: &[u8], at: usize) -> bool {
    if !in_code_section(ours, at) {
        return false;
    }
    let restored = with_original_code(case.mutated, case.original).is_some_and(|bytes| {
        let input = case.config.inputs[0].path.with_extension("restored.o");
        std::fs::write(&input, bytes).expect("cannot write the restored input");
        let mut config = case.config.clone();
        config.inputs[0].path = input;
        matches!(link_once(&config), Ok(Some(m)) if invalid(&m).is_none())
    });
    restored || wasm_ld_writes_invalid(&case.config.inputs[0].path, case.args)
}

/// Whether wasm-ld-19 exits 0 on `input` under `args` with a module that does not validate.
fn wasm_ld_writes_invalid(input: &Path, args: &[&str]) -> bool {
    let out = input.with_extension("wasm-ld.wasm");
    let _ = std::fs::remove_file(&out);
    let status = std::process::Command::new(require_tool("wasm-ld-19"))
        .args(args)
        .arg(input)
        .arg("-o")
        .arg(&out)
        .stderr(std::process::Stdio::null())
        .status()
        .expect("cannot run wasm-ld-19");
    let theirs = std::fs::read(&out).ok().filter(|_| status.success());
    let _ = std::fs::remove_file(&out);
    theirs.is_some_and(|t| invalid(&t).is_some())
}

/// One mutated input and how it is linked.
struct Case<'x> {
    original: &'x [u8],
    mutated: &'x [u8],
    config: &'x Config,
    /// The same options for wasm-ld.
    args: &'x [&'x str],
}

#[test]
fn mutated_objects_never_panic_the_linker_nor_give_invalid_modules() {
    let dir = target_dir().join("robustness");
    std::fs::create_dir_all(&dir).expect("cannot create scratch dir");
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let (mut links, mut valid, mut excluded) = (0, 0, 0);
    let mut bugs = Vec::new();
    for fixture in fixtures() {
        let original = std::fs::read(&fixture.object).expect("fixture object missing");
        let stem = fixture.name.replace('/', "-");
        let input: PathBuf = dir.join(format!("{stem}.o"));
        let output = dir.join(format!("{stem}.wasm"));
        // A wasm64 fixture is linked with -mwasm64, so its mutations get past the
        // architecture check.
        let wasm64 = wasm_object::object::Object::parse(&original, 0).is_ok_and(|o| o.memory64);
        for round in 0..ROUNDS {
            let mutated = mutate(&original, &mut rng);
            std::fs::write(&input, &mutated).expect("cannot write input");
            for (k, (config, args)) in configs(&input, &output).iter_mut().enumerate() {
                config.memory64 = wasm64.then_some(true);
                links += 1;
                let result = link_once(config);
                assert!(
                    result.is_ok(),
                    "the linker panicked on mutation {round} of {} with option set {k}; the input \
                     is {}",
                    fixture.name,
                    input.display()
                );
                let Ok(Some(module)) = result else { continue };
                let Some((at, why)) = invalid(&module) else {
                    valid += 1;
                    continue;
                };
                let args: Vec<&str> = args
                    .iter()
                    .copied()
                    .chain(wasm64.then_some("-mwasm64"))
                    .collect();
                let case = Case {
                    original: &original,
                    mutated: &mutated,
                    config,
                    args: &args,
                };
                if copied_through(&case, &module, at) {
                    excluded += 1;
                    continue;
                }
                let keep = dir.join(format!("{stem}-{round}-{k}.o"));
                std::fs::write(&keep, &mutated).expect("cannot keep the input");
                bugs.push(format!(
                    "{} (option set {k}): output invalid at {at:#x}: {why}",
                    keep.display()
                ));
            }
        }
        let _ = std::fs::remove_file(&input);
    }
    eprintln!("{links} links: {valid} valid outputs, {excluded} invalid as wasm-ld's too");
    assert!(
        bugs.is_empty(),
        "{} links exited 0 with an invalid module:\n{}",
        bugs.len(),
        bugs.join("\n")
    );
    assert!(links >= 3 * ROUNDS * 10, "only {links} links ran");
    // The mutations must leave some links that succeed, or nothing above was checked.
    assert!(
        valid + excluded > links / 20,
        "{valid} valid and {excluded} excluded of {links}"
    );
}

#[test]
fn mutated_archives_never_panic_the_linker_nor_give_invalid_modules() {
    let dir = target_dir().join("robustness");
    std::fs::create_dir_all(&dir).expect("cannot create scratch dir");
    let members = ["c/main.c", "c/weak.c", "c/data.c", "c/ctors.c"];
    let mut rng = Rng(0x0123_4567_89ab_cdef);
    let mut bugs = Vec::new();
    for format in [ArFormat::Gnu, ArFormat::Bsd] {
        let named: Vec<(String, &Path)> = members
            .iter()
            .map(|m| {
                let f = fixture(m);
                (
                    format!("a-rather-long-member-name-{}.o", m.replace('/', "-")),
                    f.object.as_path(),
                )
            })
            .collect();
        let refs: Vec<(&str, &Path)> = named.iter().map(|(n, p)| (n.as_str(), *p)).collect();
        let original = std::fs::read(build_archive(format, &refs)).expect("archive missing");
        let input = dir.join(format!("lib{format:?}.a"));
        let output = dir.join(format!("lib{format:?}.wasm"));
        for round in 0..ROUNDS * 2 {
            let mutated = mutate(&original, &mut rng);
            std::fs::write(&input, &mutated).expect("cannot write input");
            let (mut config, args) = configs(&input, &output).swap_remove(1);
            let whole = round % 2 == 0;
            config.inputs[0].whole_archive = whole;
            config.undefined = vec!["main".into()];
            let result = link_once(&config);
            assert!(
                result.is_ok(),
                "the linker panicked on mutation {round} of a {format:?} archive; the input is {}",
                input.display()
            );
            let Ok(Some(module)) = result else { continue };
            let Some((at, why)) = invalid(&module) else {
                continue;
            };
            let mut args = args.to_vec();
            args.extend(["-u", "main"]);
            args.extend(whole.then_some("--whole-archive"));
            let case = Case {
                original: &original,
                mutated: &mutated,
                config: &config,
                args: &args,
            };
            if !copied_through(&case, &module, at) {
                let keep = dir.join(format!("lib{format:?}-{round}.a"));
                std::fs::write(&keep, &mutated).expect("cannot keep the input");
                bugs.push(format!(
                    "{}: output invalid at {at:#x}: {why}",
                    keep.display()
                ));
            }
        }
        let _ = std::fs::remove_file(&input);
    }
    assert!(bugs.is_empty(), "invalid modules:\n{}", bugs.join("\n"));
}
