//! `wasm_link::Linker` sessions: after every edit of an in-memory object, the session's relink
//! must give the same bytes as a cold link of the same inputs (the objects written to disk and
//! linked by `wasm_link::link`, as the command line does), and the module must validate. The
//! edits are random but seeded: body changes of the same and of other sizes, added and removed
//! functions, changed exports, symbols becoming weak.

use e2e_tests::{
    clang_link_line, libc_archive, require_tool, validate_module, workspace_root, Rng, Scratch,
};
use std::borrow::Cow;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Command;
use wasm_link::{Config, InputId, LinkKind, Linker};
use wasm_object::model::{FuncType, Item, ObjectModel, Symbol, SymbolFlags, SymbolKind};

/// `SESSION_SEED` if set, else `seed`.
fn seed_or_env(seed: u64) -> u64 {
    std::env::var("SESSION_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(seed)
}

/// Compiles `fixtures/session/NAME.c` with `flags`.
fn compile(s: &Scratch, name: &str, flags: &[&str]) -> PathBuf {
    let obj = s.path(&format!("{name}.o"));
    let src = workspace_root()
        .join("fixtures/session")
        .join(format!("{name}.c"));
    let status = Command::new(require_tool("clang-19"))
        .args(["--target=wasm32-wasi", "-c"])
        .args(flags)
        .arg(&src)
        .arg("-o")
        .arg(&obj)
        .status()
        .expect("clang-19 runs");
    assert!(status.success(), "{} does not compile", src.display());
    obj
}

/// The configuration clang's link line for `objects` gives.
fn config_for(objects: &[PathBuf], out: &Path) -> Config {
    let mut args: Vec<&OsStr> = vec![OsStr::new("--target=wasm32-wasi")];
    args.extend(objects.iter().map(|o| o.as_os_str()));
    args.extend([OsStr::new("-o"), out.as_os_str()]);
    let line = clang_link_line("clang-19", &args);
    match wasm_link_cli::args::parse(line).request {
        Some(wasm_link_cli::args::Request::Link { config, .. }) => *config,
        other => panic!("clang's link line does not parse as a link: {other:?}"),
    }
}

/// The model of an object file.
fn model_of(path: &Path) -> ObjectModel<'static> {
    let bytes = std::fs::read(path).expect("object");
    let obj = wasm_object::object::Object::parse(&bytes, 0).expect("parses");
    ObjectModel::from_object(&obj).expect("models").into_owned()
}

/// A cold link of `config` with each in-memory object written to `dir` in its place.
fn cold_link(config: &Config, models: &[(usize, &ObjectModel<'_>)], dir: &Path) -> Vec<u8> {
    let mut config = config.clone();
    for &(at, model) in models {
        let path = dir.join(format!("cold-{at}.o"));
        std::fs::write(&path, wasm_object::writer::write(model).expect("writes")).unwrap();
        config.inputs[at].path = path;
    }
    // The name section names the module after its file: the same name as the session's.
    let name = config
        .output
        .file_name()
        .expect("an output file name")
        .to_owned();
    std::fs::create_dir_all(dir.join("cold")).unwrap();
    config.output = dir.join("cold").join(name);
    let diag = wasm_link::link(&config);
    assert!(
        diag.errors.is_empty(),
        "cold link failed: {:?}",
        diag.errors
    );
    std::fs::read(&config.output).expect("cold output")
}

/// `() -> ()`.
fn void() -> FuncType {
    FuncType {
        params: vec![],
        results: vec![],
    }
}

/// A body that does nothing.
fn empty_body() -> wasm_object::model::Function<'static> {
    wasm_object::model::Function {
        type_index: 0,
        body: Cow::Owned(vec![0x00, 0x0b]),
        relocs: vec![],
    }
}

/// `i32.const 0; drop`: valid at the start of any function's instructions.
const FILLER: [u8; 3] = [0x41, 0x00, 0x1a];

/// One random edit of `m`; gives what it did.
fn edit(m: &mut ObjectModel<'static>, rng: &mut Rng, added: &mut Vec<String>) -> String {
    let n = m.functions.len();
    match rng.below(10) {
        3 => poke_data(m, rng).unwrap_or_else(|| grow(m, rng.below(n))),
        0..=2 => {
            // A body change of the same size: the filler's constant.
            let f = rng.below(n);
            let at = m.functions[f].code_start();
            let body = m.functions[f].body.to_mut();
            if body[at..].starts_with(&FILLER) {
                body[at + 1] = (rng.below(60) + 1) as u8;
                format!("constant in function {f}")
            } else {
                grow(m, f)
            }
        }
        4..=5 => grow(m, rng.below(n)),
        6 => {
            // Shrink: drop a filler.
            let f = rng.below(n);
            let func = &mut m.functions[f];
            let at = func.code_start();
            if !func.body[at..].starts_with(&[0x41]) || func.body.get(at + 2) != Some(&0x1a) {
                return grow(m, f);
            }
            func.body.to_mut().drain(at..at + 3);
            for r in &mut func.relocs {
                if r.offset as usize >= at + 3 {
                    r.offset -= 3;
                }
            }
            format!("shrank function {f}")
        }
        7 => {
            let name = format!("added_{}", rng.next() % 100_000);
            let flags = SymbolFlags(SymbolFlags::EXPORTED);
            m.add_function(Cow::Owned(name.clone()), flags, void(), empty_body());
            added.push(name.clone());
            format!("added {name}")
        }
        8 => match added.pop() {
            Some(name) => {
                // The last added function is last; only added symbols (with no relocations
                // against them) come after its symbol.
                let s = (m.symbols.iter())
                    .position(|s| s.name.as_deref() == Some(&name))
                    .expect("the added symbol");
                m.symbols.remove(s);
                m.functions.pop();
                format!("removed {name}")
            }
            None => grow(m, rng.below(n)),
        },
        9 if rng.below(3) == 0 => pull(m, rng),
        _ => {
            // A defined global function symbol becomes weak, or exported, or back.
            let defined: Vec<usize> = (0..m.symbols.len())
                .filter(|&s| {
                    let sym = &m.symbols[s];
                    matches!(sym.kind, SymbolKind::Function(Item::Defined(_)))
                        && sym.flags.0 & SymbolFlags::BINDING_LOCAL == 0
                        && sym.name.as_deref() != Some("main")
                })
                .collect();
            let Some(&s) = defined.get(rng.below(defined.len())) else {
                return grow(m, rng.below(n));
            };
            let flag = [SymbolFlags::BINDING_WEAK, SymbolFlags::EXPORTED][rng.below(2)];
            m.symbols[s].flags.0 ^= flag;
            format!("flag {flag:#x} of symbol {s}")
        }
    }
}

/// Changes one byte of a data segment that no relocation patches.
fn poke_data(m: &mut ObjectModel<'static>, rng: &mut Rng) -> Option<String> {
    let k = rng.below(m.segments.len());
    let seg = m.segments.get_mut(k)?;
    let at = rng.below(seg.data.len());
    let patched = |r: &wasm_object::model::Reloc| {
        (r.offset as usize..r.offset as usize + r.ty.width().size()).contains(&at)
    };
    if seg.data.is_empty() || seg.relocs.iter().any(patched) {
        return None;
    }
    let byte = &mut seg.data.to_mut()[at];
    *byte = byte.wrapping_add(1 + rng.below(9) as u8);
    Some(format!("data byte {at} of segment {}", seg.name))
}

/// Adds an undefined function that a libc member defines, which the link then pulls in.
fn pull(m: &mut ObjectModel<'static>, rng: &mut Rng) -> String {
    use wasm_object::model::{ExternalKind, Import, ImportKind, ValType};
    let names = ["abs", "toupper", "isdigit", "labs", "isalpha", "tolower"];
    let name = names[rng.below(names.len())];
    let taken = |m: &ObjectModel<'_>| m.imports.iter().any(|i| i.field == name);
    if taken(m) {
        return grow(m, rng.below(m.functions.len()));
    }
    let ty = m.type_index(FuncType {
        params: vec![ValType::I32],
        results: vec![ValType::I32],
    });
    // Defined functions come after the imports: their flat indices move up by one.
    let imported = m.import_count(ExternalKind::Func);
    for e in m
        .exports
        .iter_mut()
        .filter(|e| e.kind == ExternalKind::Func)
    {
        if e.index >= imported {
            e.index += 1;
        }
    }
    for segment in &mut m.elements {
        if let wasm_object::model::ElementItems::Functions(items) = &mut segment.items {
            items
                .iter_mut()
                .filter(|f| **f >= imported)
                .for_each(|f| *f += 1);
        }
    }
    m.imports.push(Import {
        module: Cow::Borrowed("env"),
        field: Cow::Owned(name.to_string()),
        kind: ImportKind::Func(ty),
    });
    m.add_symbol(Symbol {
        flags: SymbolFlags(SymbolFlags::UNDEFINED),
        name: None,
        kind: SymbolKind::Function(Item::Imported(imported)),
    });
    format!("pulled {name}")
}

/// Puts a filler at the start of function `f`'s instructions.
fn grow(m: &mut ObjectModel<'static>, f: usize) -> String {
    let func = &mut m.functions[f];
    let at = func.code_start();
    func.body.to_mut().splice(at..at, FILLER);
    for r in &mut func.relocs {
        if r.offset as usize >= at {
            r.offset += 3;
        }
    }
    format!("grew function {f}")
}

/// Random edits of two clang objects (with debug information, so that changed sizes move the
/// code offsets of `.debug_*`), linked with crt1.o and libc.a; each relink compared with a
/// cold link.
#[test]
fn every_relink_is_identical_to_a_cold_link() {
    let s = Scratch::new("session", "random_edits");
    // Fails with the package to install when wasi-libc is missing.
    libc_archive();
    let flags = ["-O1", "-g"];
    let objects = [compile(&s, "main", &flags), compile(&s, "lib", &flags)];
    let out = s.path("session.wasm");
    let config = config_for(&objects, &out);
    let kinds = edit_and_compare(&s, config, &objects, 0x5eed_1234_abcd_0001);
    for kind in [
        "patched in place",
        "patched, code moved",
        "patched data",
        "Relinked",
    ] {
        assert!(kinds.contains_key(kind), "no {kind} link: {kinds:?}");
    }
}

/// The same with position-independent objects in a shared library: code is patched, data
/// changes relink (their relocations are code in `__wasm_apply_data_relocs`).
#[test]
fn every_relink_of_a_shared_library_is_identical_to_a_cold_link() {
    let s = Scratch::new("session", "random_edits_shared");
    let flags = ["-O2", "-g", "-fPIC"];
    let objects = [compile(&s, "main", &flags), compile(&s, "lib", &flags)];
    let out = s.path("shared.wasm");
    let mut args: Vec<String> = ["--experimental-pic", "-shared", "--allow-undefined"]
        .map(String::from)
        .to_vec();
    args.extend(objects.iter().map(|o| o.display().to_string()));
    args.extend(["-o".to_string(), out.display().to_string()]);
    let config = match wasm_link_cli::args::parse(args).request {
        Some(wasm_link_cli::args::Request::Link { config, .. }) => *config,
        other => panic!("the link line does not parse as a link: {other:?}"),
    };
    let kinds = edit_and_compare(&s, config, &objects, 0x5eed_0bad_cafe_0002);
    assert!(!kinds.contains_key("patched data"), "{kinds:?}");
    for kind in ["patched in place", "patched, code moved", "Relinked"] {
        assert!(kinds.contains_key(kind), "no {kind} link: {kinds:?}");
    }
}

/// Links `objects` (inputs of `config`) as in-memory objects through a session, then makes
/// `SESSION_EDITS` (300) random edits seeded by `seed` (or `SESSION_SEED`), relinking after
/// each and comparing with a cold link; gives how many links took each path.
fn edit_and_compare(
    s: &Scratch,
    config: Config,
    objects: &[PathBuf; 2],
    seed: u64,
) -> std::collections::BTreeMap<String, usize> {
    let out = config.output.clone();
    let at = |path: &Path| {
        (config.inputs.iter())
            .position(|i| i.path == path)
            .expect("input")
    };
    let places = [at(&objects[0]), at(&objects[1])];
    let mut models = [model_of(&objects[0]), model_of(&objects[1])];
    let mut linker = Linker::new(config.clone());
    let ids: Vec<InputId> = linker.inputs();
    for (k, m) in models.iter().enumerate() {
        linker.replace(ids[places[k]], m.clone()).expect("replace");
    }
    let first = linker.link();
    assert!(first.succeeded(), "{:?}", first.diagnostics.errors);
    assert_eq!(first.stats.kind, LinkKind::Cold);
    let module = std::fs::read(&out).expect("the session writes its output");
    assert_eq!(Some(&module[..]), linker.module());
    let mut rng = Rng(seed_or_env(seed));
    let mut added = [Vec::new(), Vec::new()];
    let mut kinds = std::collections::BTreeMap::new();
    let mut edits_done = std::collections::BTreeMap::new();
    let edits: usize = std::env::var("SESSION_EDITS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(300);
    for step in 0..edits {
        let k = rng.below(2);
        let what = edit(&mut models[k], &mut rng, &mut added[k]);
        linker
            .replace(ids[places[k]], models[k].clone())
            .expect("replace");
        let outcome = linker.link();
        assert!(
            outcome.succeeded(),
            "step {step} ({what}): {:?}",
            outcome.diagnostics.errors
        );
        let st = &outcome.stats;
        let kind = match st.kind {
            LinkKind::Patched if st.segments_patched > 0 => "patched data".to_string(),
            LinkKind::Patched if st.offsets_patched > 0 => "patched, code moved".to_string(),
            LinkKind::Patched => "patched in place".to_string(),
            other => format!("{other:?}"),
        };
        *kinds.entry(kind).or_insert(0) += 1;
        let verb = what.split(' ').next().unwrap_or_default().to_string();
        *edits_done.entry(verb).or_insert(0) += 1;
        let relinked = linker.module().expect("a module").to_vec();
        let cold = cold_link(
            &config,
            &[(places[0], &models[0]), (places[1], &models[1])],
            &s.path(""),
        );
        if relinked != cold {
            std::fs::write(s.path("relinked.wasm"), &relinked).unwrap();
        }
        assert!(
            relinked == cold,
            "step {step} ({what}): the {:?} relink differs from a cold link ({:?})",
            outcome.stats.kind,
            outcome.stats.fallback
        );
        assert_eq!(
            std::fs::read(&out).unwrap(),
            relinked,
            "step {step}: output file"
        );
        validate_module(&relinked, &format!("step {step} ({what})"));
    }
    eprintln!("link kinds: {kinds:?}; edits: {edits_done:?}");
    for verb in [
        "constant", "data", "grew", "shrank", "added", "removed", "flag", "pulled",
    ] {
        assert!(
            edits_done.contains_key(verb),
            "no `{verb}` edit: {edits_done:?}"
        );
    }
    kinds
}

/// A file input rewritten on disk is noticed by its length and time; an unchanged session
/// keeps its output; wrong use of the API is an error, not a panic.
#[test]
fn changed_files_are_noticed_and_wrong_use_is_an_error() {
    let s = Scratch::new("session", "files");
    let flags = ["-O2"];
    let objects = [compile(&s, "main", &flags), compile(&s, "lib", &flags)];
    let out = s.path("files.wasm");
    let config = config_for(&objects, &out);
    let mut linker = Linker::new(config.clone());
    let first = linker.link();
    assert!(first.succeeded(), "{:?}", first.diagnostics.errors);
    assert_eq!(
        linker.module().unwrap(),
        &cold_link(&config, &[], &s.path(""))[..]
    );
    assert_eq!(linker.link().stats.kind, LinkKind::Unchanged);

    let mut lib = model_of(&objects[1]);
    grow(&mut lib, 0);
    std::fs::write(&objects[1], wasm_object::writer::write(&lib).unwrap()).unwrap();
    let second = linker.link();
    assert!(second.succeeded(), "{:?}", second.diagnostics.errors);
    assert_eq!(
        second.stats.kind,
        LinkKind::Patched,
        "{:?}",
        second.stats.fallback
    );
    let relinked = linker.module().unwrap().to_vec();
    assert_eq!(relinked, cold_link(&config, &[], &s.path("")));
    validate_module(&relinked, "relinked after a file changed");

    let ids = linker.inputs();
    let file = ids[0];
    assert_eq!(
        linker.object(file).err(),
        Some(wasm_link::SessionError::NotInMemory(file))
    );
    linker.remove(file).unwrap();
    let gone = Some(wasm_link::SessionError::UnknownInput(file));
    assert_eq!(linker.remove(file).err(), gone);
    assert_eq!(linker.replace(file, lib.clone()).err(), gone);
    assert_eq!(linker.changed(file).err(), gone);
    let message = linker.remove(file).unwrap_err().to_string();
    assert!(
        message.contains("not an input of this session"),
        "{message}"
    );
}

/// An object made with `wasm_object::builder` (a constructor, an export, a call to `printf`
/// from libc.a, data with relocations) links with wasm-ld-19 to the same bytes as with ours, and
/// runs: the builder writes objects as LLVM would for the linker's purposes.
#[test]
fn builder_objects_link_as_wasm_ld_links_them() {
    use wasm_object::builder::{BodyReloc, Linkage, ObjectBuilder, Target};
    use wasm_object::model::{RelocType, ValType::I32};
    let s = Scratch::new("session", "builder_object");
    let field = [0x80, 0x80, 0x80, 0x80, 0x00];
    let reloc = |ty, offset, target| BodyReloc {
        ty,
        offset,
        target: Target::Symbol(target),
        addend: 0,
    };
    let ty = |params: &[wasm_object::model::ValType], results: &[wasm_object::model::ValType]| {
        FuncType {
            params: params.to_vec(),
            results: results.to_vec(),
        }
    };
    let mut b = ObjectBuilder::new();
    let printf = b
        .undefined_function("printf", ty(&[I32, I32], &[I32]))
        .unwrap();
    let text = b.declare_data("text", Linkage::local()).unwrap();
    b.set_data(text, b"built: %d\n\0".to_vec(), 0, vec![])
        .unwrap();
    let value = b.declare_data("value", Linkage::global()).unwrap();
    b.set_data(value, vec![0; 4], 2, vec![]).unwrap();
    // `args` holds a pointer to `value` (a data relocation), kept by `NO_STRIP`.
    let keep = Linkage {
        no_strip: true,
        ..Linkage::local()
    };
    let args = b.declare_data("args", keep).unwrap();
    let addr = reloc(RelocType::MemoryAddrI32, 0, value);
    b.set_data(args, vec![0; 4], 2, vec![addr]).unwrap();
    let init = b
        .declare_function("init", ty(&[], &[]), Linkage::local())
        .unwrap();
    let code = [
        &[0x00, 0x41][..],
        &field,
        &[0x41, 0x2a, 0x36, 0x02, 0x00, 0x0b],
    ]
    .concat();
    b.set_body(init, code, vec![reloc(RelocType::MemoryAddrSleb, 2, value)])
        .unwrap();
    b.add_init_function(init, 100).unwrap();
    let main = b
        .declare_function("__main_void", ty(&[], &[I32]), Linkage::global())
        .unwrap();
    // printf(text, &value): wasm32 passes varargs as a pointer to them in memory, and `value`
    // is that memory.
    let code = [
        &[0x00, 0x41][..],
        &field,
        &[0x41],
        &field,
        &[0x10],
        &field,
        &[0x1a, 0x41, 0x00, 0x0b],
    ]
    .concat();
    let relocs = vec![
        reloc(RelocType::MemoryAddrSleb, 2, text),
        reloc(RelocType::MemoryAddrSleb, 8, value),
        reloc(RelocType::FunctionIndexLeb, 14, printf),
    ];
    b.set_body(main, code, relocs).unwrap();
    let add = b
        .declare_function("add", ty(&[I32, I32], &[I32]), Linkage::global())
        .unwrap();
    b.set_body(add, vec![0x00, 0x20, 0x00, 0x20, 0x01, 0x6a, 0x0b], vec![])
        .unwrap();
    b.export(add, "add").unwrap();
    let obj = s.path("built.o");
    std::fs::write(
        &obj,
        wasm_object::writer::write(&b.model().unwrap()).unwrap(),
    )
    .unwrap();
    let line = clang_link_line(
        "clang-19",
        &[
            OsStr::new("--target=wasm32-wasi"),
            obj.as_os_str(),
            OsStr::new("-o"),
            OsStr::new("x.wasm"),
        ],
    );
    let args: Vec<std::ffi::OsString> = line
        .iter()
        .take_while(|a| *a != "-o")
        .map(Into::into)
        .collect();
    let pair = e2e_tests::link_pair("session", "builder_object", &args);
    pair.assert_identical("a builder object");
    let (stdout, code) = e2e_tests::node_run(
        &e2e_tests::target_dir().join("e2e/session/builder_object/ours/out.wasm"),
    );
    assert_eq!((stdout.as_str(), code), ("built: 42\n", 0));
}

/// Removing an input the program needs fails the link with the undefined symbols and keeps no
/// output in memory; adding it back (now last) links again, identical to a cold link of the
/// session's inputs in their new order.
#[test]
fn removing_and_adding_inputs_relinks_from_scratch() {
    let s = Scratch::new("session", "remove");
    let flags = ["-O2"];
    let objects = [compile(&s, "main", &flags), compile(&s, "lib", &flags)];
    let out = s.path("remove.wasm");
    let config = config_for(&objects, &out);
    let mut linker = Linker::new(config.clone());
    assert!(linker.link().succeeded());
    let at = (config.inputs.iter())
        .position(|i| i.path == objects[1])
        .expect("lib.o is an input");
    linker.remove(linker.inputs()[at]).unwrap();
    let failed = linker.link();
    assert!(!failed.succeeded());
    let first = failed.diagnostics.errors[0].to_string();
    assert!(first.contains("undefined symbol"), "{first}");
    assert!(linker.module().is_none(), "a failed link keeps no module");
    linker.add_file(config.inputs[at].clone());
    let relinked = linker.link();
    assert!(relinked.succeeded(), "{:?}", relinked.diagnostics.errors);
    assert_eq!(relinked.stats.kind, LinkKind::Cold);
    let module = linker.module().unwrap().to_vec();
    assert_eq!(module, cold_link(&linker.config(), &[], &s.path("")));
    validate_module(&module, "relinked after a removal");
}
