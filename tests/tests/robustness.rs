//! The linker never panics on a damaged object: every fixture is mutated many times (bytes
//! replaced, bits flipped, ranges cut or inserted, with a fixed xorshift seed so a failure
//! reproduces) and linked in-process under several option sets. Each link must return either
//! errors or an output that `wasmparser` validates; a panic or an invalid module fails the
//! test and leaves the input behind to debug.
//!
//! Some damage no linker sees without validating every section and type-checking the code,
//! which neither we nor wasm-ld do. An invalid output is excused only for it ([`excuse`]): an
//! input that is not a valid module by itself (LLVM's objects are), a `reloc.*` section whose
//! name was hit (its relocations are then never applied), and a relocation whose type or
//! symbol changed while its place did not, or whose symbol no longer matches the index LLVM
//! wrote in the code (another function of the same kind, say).
//! Everything the linker reads beyond a module (the linking metadata, relocations and their
//! placement) leaves the input valid, so damage there is never excused.

use e2e_tests::{build_archive, fixture, fixtures, target_dir, ArFormat, Rng};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use wasm_format::reloc::{Reloc, RelocType};
use wasm_link::{Config, Entry, Input, UnresolvedPolicy};
use wasm_object::object::Object;

/// (fixture, option set) pairs whose *unmutated* link is known to be an invalid module, with
/// why. Mutations of them are still linked (no panics), but not validated. The test fails
/// once one of them links validly: then delete its line.
const KNOWN_INVALID: &[(&str, usize, &str)] = &[];

/// Mutations per fixture.
const ROUNDS: usize = 120;

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

/// The option sets each mutation is linked with.
fn configs(input: &Path, output: &Path, wasm64: bool) -> Vec<Config> {
    let base = Config {
        inputs: vec![Input {
            path: input.to_path_buf(),
            whole_archive: false,
            lazy: false,
        }],
        output: output.to_path_buf(),
        entry: Entry::None,
        // A wasm64 fixture is linked with -mwasm64, so its mutations get past the
        // architecture check.
        memory64: wasm64.then_some(true),
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
    vec![base, everything, memory]
}

#[test]
fn mutated_objects_never_panic_the_linker() {
    let dir = target_dir().join("robustness");
    std::fs::create_dir_all(&dir).expect("cannot create scratch dir");
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let (mut links, mut valid) = (0, 0);
    for fixture in fixtures() {
        let original = std::fs::read(&fixture.object).expect("fixture object missing");
        let stem = fixture.name.replace('/', "-");
        let input: PathBuf = dir.join(format!("{stem}.o"));
        let output = dir.join(format!("{stem}.wasm"));
        let wasm64 = wasm_object::object::Object::parse(&original, 0).is_ok_and(|o| o.memory64);
        let checked = checked_option_sets(&fixture.name, &fixture.object, &output, wasm64);
        for round in 0..ROUNDS {
            let mutated = mutate(&original, &mut rng);
            std::fs::write(&input, &mutated).expect("cannot write input");
            for (k, config) in configs(&input, &output, wasm64).iter().enumerate() {
                let what = format!(
                    "mutation {round} of {} with option set {k}; the input is {}",
                    fixture.name,
                    input.display()
                );
                links += 1;
                if link_without_panic(config, &what) && checked[k] {
                    valid += 1;
                    assert_valid(&original, &mutated, &output, &what);
                }
            }
        }
        let _ = std::fs::remove_file(&input);
    }
    assert!(links >= 3 * ROUNDS * 10, "only {links} links ran");
    // Some mutations must still link (in names, data bytes, immediates), or the check above
    // never ran.
    assert!(valid > 0, "no mutation linked");
}

/// Links; panics if the linker does. Whether the link succeeded (an output was written).
fn link_without_panic(config: &Config, what: &str) -> bool {
    let _ = std::fs::remove_file(&config.output);
    let result = catch_unwind(AssertUnwindSafe(|| wasm_link::link(config)));
    let diag = result.unwrap_or_else(|_| panic!("the linker panicked on {what}"));
    diag.errors.is_empty()
}

/// Per option set, whether mutations of `fixture` are validated: all but the pairs of
/// [`KNOWN_INVALID`], whose unmutated links must still be invalid.
fn checked_option_sets(name: &str, object: &Path, output: &Path, wasm64: bool) -> Vec<bool> {
    let configs = configs(object, output, wasm64);
    let mut checked = Vec::with_capacity(configs.len());
    for (k, config) in configs.iter().enumerate() {
        let known = KNOWN_INVALID
            .iter()
            .find(|(n, set, _)| *n == name && *set == k);
        let linked = link_without_panic(config, &format!("{name} with option set {k}"));
        let valid = linked && validator().validate_all(&read(output)).is_ok();
        match known {
            Some((_, _, why)) => assert!(
                !valid,
                "{name} with option set {k} now links validly (it was known not to: {why}); \
                 delete it from KNOWN_INVALID"
            ),
            None if linked => assert!(
                valid,
                "unmutated {name} links with option set {k} into an invalid module"
            ),
            None => {}
        }
        checked.push(known.is_none());
    }
    checked
}

/// An output written by a link without errors must be a valid module, unless [`excuse`]
/// recognises the damage.
fn assert_valid(original: &[u8], mutated: &[u8], output: &Path, what: &str) {
    let Err(e) = validator().validate_all(&read(output)) else {
        return;
    };
    if excuse(original, mutated).is_some() {
        return;
    }
    let kept = output.with_extension("invalid.wasm");
    let _ = std::fs::copy(output, &kept);
    panic!(
        "a link without errors wrote an invalid module ({e}), kept as {}: {what}",
        kept.display()
    );
}

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

fn validator() -> wasmparser::Validator {
    wasmparser::Validator::new_with_features(wasmparser::WasmFeatures::all())
}

/// Why an invalid output is no linker bug, if it is not: see the module comment.
fn excuse(original: &[u8], mutated: &[u8]) -> Option<&'static str> {
    let members = modules(mutated);
    if members.iter().any(|m| validator().validate_all(m).is_err()) {
        return Some("the input is not a valid module");
    }
    let relocs = |ms: &[&[u8]]| ms.iter().map(|m| reloc_sections(m)).sum::<usize>();
    if relocs(&members) < relocs(&modules(original)) {
        return Some("a reloc.* section lost its name");
    }
    if members.iter().any(|m| relocation_disagrees_with_code(m)) {
        return Some("a relocation names another symbol than the code's index");
    }
    let originals = modules(original);
    let retyped = members
        .iter()
        .zip(&originals)
        .any(|(m, o)| relocations_retyped(&relocations(o), &relocations(m)));
    if retyped {
        return Some("a relocation's type or symbol changed, at the same place");
    }
    let recoded = members
        .iter()
        .zip(&originals)
        .any(|(m, o)| code_changed_between_relocations(o, m));
    if recoded {
        return Some("an instruction changed into another valid one, outside relocated fields");
    }
    None
}

/// The code section's contents, with their offset.
fn code_of(module: &[u8]) -> Option<(usize, &[u8])> {
    let m = wasm_format::Module::parse(module, 0).ok()?;
    let s = m.section(wasm_format::SectionId::Code)?;
    Some((s.contents.offset, s.contents.bytes))
}

/// Whether the code section changed somewhere no relocation of the original patches: a new
/// instruction may name an index that no relocation maps (the input stays valid).
fn code_changed_between_relocations(original: &[u8], mutated: &[u8]) -> bool {
    let (Some((base, before)), Some((_, after))) = (code_of(original), code_of(mutated)) else {
        return false;
    };
    if before.len() != after.len() {
        return true;
    }
    let Ok(obj) = Object::parse(original, 0) else {
        return false;
    };
    let relocated = |k: usize| {
        let at = base + k - obj.code_offset;
        obj.code_relocs.iter().any(|r| r.range().contains(&at))
    };
    (0..before.len()).any(|k| before[k] != after[k] && !relocated(k))
}

/// The relocations of every `reloc.*` section of a module, in file order.
fn relocations(module: &[u8]) -> Vec<Reloc> {
    let Ok(m) = wasm_format::Module::parse(module, 0) else {
        return Vec::new();
    };
    m.sections
        .iter()
        .filter(|s| s.custom_name.is_some_and(|n| n.starts_with("reloc.")))
        .filter_map(|s| wasm_format::reloc::parse_reloc_section(s.contents).ok())
        .flat_map(|s| s.relocs)
        .collect()
}

/// Whether the relocations patch the same places as before but one of them changed its type,
/// symbol or addend: each place still holds a well-formed relocation, of another meaning.
fn relocations_retyped(before: &[Reloc], after: &[Reloc]) -> bool {
    before.len() == after.len()
        && before.iter().zip(after).all(|(b, a)| b.offset == a.offset)
        && before != after
}

/// The modules in a file: an archive's members, or the file itself.
fn modules(bytes: &[u8]) -> Vec<&[u8]> {
    match wasm_object::archive::Archive::parse(bytes) {
        Ok(archive) => archive.members.iter().map(|m| m.data.bytes).collect(),
        Err(_) => vec![bytes],
    }
}

fn reloc_sections(module: &[u8]) -> usize {
    wasm_format::Module::parse(module, 0).map_or(0, |m| {
        m.sections
            .iter()
            .filter(|s| s.custom_name.is_some_and(|n| n.starts_with("reloc.")))
            .count()
    })
}

/// Whether a code relocation that names an index disagrees with the index LLVM wrote in the
/// code for it (lld checks the same in its debug builds, `verifyRelocTargets`), or goes
/// through a GOT entry the object does not import.
fn relocation_disagrees_with_code(module: &[u8]) -> bool {
    use wasm_format::linking::SymbolKind as K;
    let Ok(obj) = Object::parse(module, 0) else {
        return false;
    };
    obj.code_relocs.iter().any(|r| {
        let sym = obj.symbols.get(r.index as usize);
        let expected = match (r.ty, sym.map(|s| s.kind)) {
            (RelocType::TypeIndexLeb, _) => r.index,
            (RelocType::FunctionIndexLeb, Some(K::Function { index }))
            | (RelocType::GlobalIndexLeb, Some(K::Global { index }))
            | (RelocType::TagIndexLeb, Some(K::Tag { index }))
            | (RelocType::TableNumberLeb, Some(K::Table { index })) => index,
            // Through the GOT: LLVM wrote the index of its `GOT.func` or `GOT.mem` import.
            (RelocType::GlobalIndexLeb, Some(K::Function { .. } | K::Data { .. })) => {
                let name = sym.map(|s| obj.symbol_name(s));
                let got = obj
                    .global_imports
                    .iter()
                    .position(|i| i.module.starts_with("GOT.") && Some(i.field) == name);
                match got {
                    Some(index) => index as u32,
                    None => return true,
                }
            }
            _ => return false,
        };
        let at = obj.code_offset + r.offset as usize;
        module
            .get(at..at + 5)
            .and_then(padded_uleb)
            .is_some_and(|v| v != u64::from(expected))
    })
}

/// The value of a LEB128 padded to the whole of `field`; `None` if it is not one (then the
/// relocation is misplaced, which the linker must refuse, not a matter of meaning).
fn padded_uleb(field: &[u8]) -> Option<u64> {
    let (last, init) = field.split_last()?;
    if last & 0x80 != 0 || init.iter().any(|b| b & 0x80 == 0) {
        return None;
    }
    Some(
        field
            .iter()
            .enumerate()
            .fold(0, |v, (k, b)| v | u64::from(b & 0x7f) << (7 * k)),
    )
}

#[test]
fn mutated_archives_never_panic_the_linker() {
    let dir = target_dir().join("robustness");
    std::fs::create_dir_all(&dir).expect("cannot create scratch dir");
    let members = ["c/main.c", "c/weak.c", "c/data.c", "c/ctors.c"];
    let mut rng = Rng(0x0123_4567_89ab_cdef);
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
            let mut config = configs(&input, &output, false).swap_remove(1);
            config.inputs[0].whole_archive = round % 2 == 0;
            config.undefined = vec!["main".into()];
            let what = format!(
                "mutation {round} of a {format:?} archive; the input is {}",
                input.display()
            );
            if link_without_panic(&config, &what) {
                assert_valid(&original, &mutated, &output, &what);
            }
        }
        let _ = std::fs::remove_file(&input);
    }
}
