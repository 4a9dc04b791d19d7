//! The object writer of `wasm-object`, over real objects: every member of libc.a, libc++.a and
//! libc++abi.a and every C/C++ source of the conformance corpus (at -O0, -O2 and -g) is parsed,
//! turned into an `ObjectModel`, written, and parsed again. The written object must be
//! byte-identical to clang-19's (LLVM's layout is deterministic and the writer follows it; no
//! exception is known), its model equal to the first, and it must validate.

use e2e_tests::{compiled_source, real_archives, require_tool, workspace_root};
use std::path::{Path, PathBuf};
use wasm_object::archive::Archive;
use wasm_object::model::ObjectModel;
use wasm_object::object::Object;

/// Every feature: objects use exceptions (legacy `try`), atomics, memory64, reference types.
fn validate(bytes: &[u8], what: &str) {
    wasmparser::Validator::new_with_features(wasmparser::WasmFeatures::all())
        .validate_all(bytes)
        .unwrap_or_else(|e| panic!("{what}: the written object does not validate: {e}"));
}

/// Rewrites one object and checks the promises: byte identity, the same model read back, a
/// valid module, and LLVM's provisional values and layout computed again from the model.
/// Panics naming `what` otherwise.
fn assert_round_trip(bytes: &[u8], what: &str) {
    let obj = Object::parse(bytes, 0).unwrap_or_else(|e| panic!("{what}: {e}"));
    let model = ObjectModel::from_object(&obj).unwrap_or_else(|e| panic!("{what}: model: {e}"));
    let written = wasm_object::writer::write(&model).unwrap_or_else(|e| panic!("{what}: {e}"));
    let again = Object::parse(&written, 0).unwrap_or_else(|e| panic!("{what}: reparse: {e}"));
    let model2 = ObjectModel::from_object(&again).unwrap_or_else(|e| panic!("{what}: {e}"));
    assert!(
        model == model2,
        "{what}: the written object's model differs"
    );
    assert!(
        written == bytes,
        "{what}: not byte-identical (first difference at {:#x}, sizes {} and {})",
        first_difference(bytes, &written),
        bytes.len(),
        written.len()
    );
    validate(&written, what);
    let mut laid_out = model.clone();
    clear_layout(&mut laid_out);
    laid_out.lay_out_segments();
    laid_out.fill_provisional_values();
    assert_provisional_values_agree(&model, &laid_out, what);
}

/// Zeroes every relocated field and every active segment's offset: what
/// `lay_out_segments` and `fill_provisional_values` must restore.
fn clear_layout(m: &mut ObjectModel<'_>) {
    use wasm_object::model::{padded_uleb, DataMode, Expr, Reloc};
    fn clear(bytes: &mut std::borrow::Cow<'_, [u8]>, relocs: &[Reloc]) {
        for r in relocs {
            let width = r.ty.width();
            let mut zero = Vec::new();
            if width.is_leb() {
                padded_uleb(&mut zero, 0, width.size());
            } else {
                zero.resize(width.size(), 0);
            }
            if let Some(field) = bytes.to_mut().get_mut(r.range()) {
                field.copy_from_slice(&zero);
            }
        }
    }
    for f in &mut m.functions {
        clear(&mut f.body, &f.relocs);
    }
    for s in &mut m.segments {
        clear(&mut s.data, &s.relocs);
        if let DataMode::Active { offset, .. } = &mut s.mode {
            if offset.0.first() == Some(&0x41) {
                *offset = Expr::i32_const(0);
            }
        }
    }
    for c in &mut m.customs {
        clear(&mut c.data, &c.relocs);
    }
}

/// Panics unless LLVM's layout and provisional values, computed again, are what the object
/// holds; names the first atom that differs.
fn assert_provisional_values_agree(
    model: &ObjectModel<'_>,
    laid_out: &ObjectModel<'_>,
    what: &str,
) {
    for (n, (a, b)) in model.segments.iter().zip(&laid_out.segments).enumerate() {
        assert!(
            a == b,
            "{what}: segment {n} ({}) differs when laid out again",
            a.name
        );
    }
    for (n, (a, b)) in model.functions.iter().zip(&laid_out.functions).enumerate() {
        let at = first_difference(&a.body, &b.body);
        assert!(
            a == b,
            "{what}: function {n} differs at {at:#x} with provisional values"
        );
    }
    for (a, b) in model.customs.iter().zip(&laid_out.customs) {
        let at = first_difference(&a.data, &b.data);
        let r = a.relocs.iter().find(|r| r.range().contains(&at));
        assert!(a == b, "{what}: {} differs at {at:#x} ({r:?})", a.name);
    }
    assert!(model == laid_out, "{what}: differs when laid out again");
}

fn first_difference(a: &[u8], b: &[u8]) -> usize {
    let same = a.iter().zip(b).position(|(x, y)| x != y);
    same.unwrap_or(a.len().min(b.len()))
}

#[test]
fn every_member_of_the_real_archives_rewrites_byte_identical() {
    for path in real_archives() {
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let archive = Archive::parse(&bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        for m in &archive.members {
            assert_round_trip(m.data.bytes, &format!("{}({})", path.display(), m.name));
        }
        println!(
            "{}: {} members rewritten byte-identical",
            path.display(),
            archive.members.len()
        );
        let least = if path.ends_with("libc.a") { 700 } else { 10 };
        assert!(
            archive.members.len() >= least,
            "{}: only {} members",
            path.display(),
            archive.members.len()
        );
    }
}

/// A model that owns its bytes outlives the file and writes the same object.
#[test]
fn an_owned_model_outlives_its_file() {
    let path = real_archives()[1].clone();
    let model = {
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let archive = Archive::parse(&bytes).expect("libc++.a");
        let member = archive.members.iter().max_by_key(|m| m.data.bytes.len());
        let member = member.expect("a member");
        let obj = Object::parse(member.data.bytes, 0).expect("parse");
        let model = ObjectModel::from_object(&obj).expect("model");
        let owned = model.clone().into_owned();
        assert_eq!(model, owned);
        (owned, member.data.bytes.to_vec())
    };
    let written = wasm_object::writer::write(&model.0).expect("write");
    assert!(written == model.1, "the owned model writes other bytes");
}

/// How a conformance program is compiled: flags, and the configurations it is built in.
#[derive(Clone)]
struct Directives {
    flags: Vec<String>,
    configs: Vec<String>,
}

/// The conformance programs' C and C++ sources with their main file's directives.
fn conformance_sources() -> Vec<(String, Directives)> {
    let root = workspace_root().join("conformance");
    let mut out = Vec::new();
    for lang in ["c", "cpp"] {
        for entry in read_dir(&root.join(lang)) {
            if entry.is_dir() {
                let main = read_dir(&entry)
                    .into_iter()
                    .find(|p| p.file_stem().is_some_and(|s| s == "main"));
                let directives = directives(&main.expect("a main source"), lang);
                for source in read_dir(&entry).into_iter().filter(|p| is_source(p)) {
                    out.push((relative(&source), directives.clone()));
                }
            } else if is_source(&entry) {
                out.push((relative(&entry), directives(&entry, lang)));
            }
        }
    }
    out
}

fn read_dir(dir: &Path) -> Vec<PathBuf> {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    let mut paths: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
    paths.sort();
    paths
}

fn is_source(p: &Path) -> bool {
    p.extension().is_some_and(|e| e == "c" || e == "cpp")
}

fn relative(p: &Path) -> String {
    let rel = p.strip_prefix(workspace_root()).unwrap_or(p);
    rel.to_string_lossy().into_owned()
}

/// What `cargo xtask conformance` compiles a program with: its `//#CompileArgs:`, wasm64 for
/// `//#Target: wasm64`, `-fno-exceptions` before them for C++; in the `//#Configs:` it names
/// (some objects are built only without -g: LLVM itself refuses what clang-19 writes then).
fn directives(main: &Path, lang: &str) -> Directives {
    let text = std::fs::read_to_string(main).unwrap_or_else(|e| panic!("{e}"));
    let mut d = Directives {
        flags: Vec::new(),
        configs: ["O0", "O2", "g"].map(String::from).to_vec(),
    };
    if lang == "cpp" {
        d.flags.push("-fno-exceptions".into());
    }
    for line in text.lines() {
        if let Some(args) = line.strip_prefix("//#CompileArgs:") {
            d.flags.extend(args.split_whitespace().map(String::from));
        }
        if line.strip_prefix("//#Target:").map(str::trim) == Some("wasm64") {
            d.flags.push("--target=wasm64-unknown-unknown".into());
        }
        if let Some(configs) = line.strip_prefix("//#Configs:") {
            d.configs = configs.split_whitespace().map(String::from).collect();
        }
    }
    d
}

#[test]
fn every_conformance_object_rewrites_byte_identical() {
    require_tool("clang-19");
    let mut jobs: Vec<(String, Vec<String>)> = Vec::new();
    for (source, d) in conformance_sources() {
        for (name, config) in [
            ("O0", &["-O0"][..]),
            ("O2", &["-O2"]),
            ("g", &["-O0", "-g"]),
        ] {
            if d.configs.iter().any(|c| c == name) {
                let mut flags = d.flags.clone();
                flags.extend(config.iter().map(|f| f.to_string()));
                jobs.push((source.clone(), flags));
            }
        }
    }
    let count = jobs.len();
    assert!(
        count >= 300,
        "only {count} objects in the conformance corpus"
    );
    let objects = compile_all(jobs);
    for (what, object) in &objects {
        let bytes = std::fs::read(object).unwrap_or_else(|e| panic!("{}: {e}", object.display()));
        assert_round_trip(&bytes, what);
    }
    assert_eq!(objects.len(), count);
    println!("{count} conformance objects rewritten byte-identical");
}

/// Compiles every job (on as many threads as there are cores); gives (description, object).
fn compile_all(jobs: Vec<(String, Vec<String>)>) -> Vec<(String, PathBuf)> {
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    let next = std::sync::atomic::AtomicUsize::new(0);
    let done = std::sync::Mutex::new(Vec::with_capacity(jobs.len()));
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| loop {
                let k = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some((source, flags)) = jobs.get(k) else {
                    return;
                };
                let flags: Vec<&str> = flags.iter().map(String::as_str).collect();
                let object = compiled_source(source, &flags).object;
                let what = format!("{source} {}", flags.join(" "));
                done.lock()
                    .expect("no panic while held")
                    .push((k, what, object));
            });
        }
    });
    let mut done = done.into_inner().expect("no panic while held");
    done.sort_by_key(|d| d.0);
    done.into_iter().map(|(_, what, obj)| (what, obj)).collect()
}

mod scratch {
    //! An object built from scratch through the model, linked with a C program by both linkers.

    use e2e_tests::{clang_link_line, link_pair, node_run, run_tool, Scratch};
    use std::borrow::Cow;
    use std::ffi::{OsStr, OsString};
    use wasm_object::ids::{DefinedFunc, DefinedGlobal, SegmentIndex};
    use wasm_object::model::*;

    const GROUP: &str = "objwriter";

    /// Symbol numbers of the scratch object (4 is `get_ptr`, 8 `get_counter`).
    const GET: u32 = 0;
    const PTR: u32 = 1;
    const VALUE: u32 = 2;
    const TWICE: u32 = 3;
    const INIT: u32 = 5;
    const INIT_VALUE: u32 = 6;
    const COUNTER: u32 = 7;
    const NOTES: u32 = 9;

    fn i32_type(params: usize) -> FuncType {
        FuncType {
            params: vec![ValType::I32; params],
            results: vec![ValType::I32],
        }
    }

    fn limits(min: u64) -> Limits {
        Limits {
            min,
            max: None,
            shared: false,
            memory64: false,
        }
    }

    fn symbol(flags: u32, name: &'static str, kind: SymbolKind) -> Symbol<'static> {
        Symbol {
            flags: SymbolFlags(flags),
            name: Some(Cow::Borrowed(name)),
            kind,
        }
    }

    fn data(segment: u32, size: u64) -> SymbolKind {
        SymbolKind::Data(Some(DataRef {
            segment: SegmentIndex(segment),
            offset: 0,
            size,
        }))
    }

    fn segment(name: &'static str, atom: AtomBuilder) -> DataSegment<'static> {
        DataSegment {
            name: Cow::Borrowed(name),
            p2align: 2,
            flags: SegmentFlags(0),
            mode: DataMode::Active {
                memory: 0,
                offset: Expr::i32_const(0),
            },
            data: Cow::Owned(atom.bytes),
            relocs: atom.relocs,
        }
    }

    /// `get` returns `twice(**ptr)`, `ptr` points at `value` (21), `get_ptr` holds `get`'s
    /// table slot, the constructor `init` stores 7 in `init_value`, and `get_counter` (in a
    /// COMDAT) returns the global `counter` (5). A custom section holds relocated fields.
    pub fn model() -> ObjectModel<'static> {
        let mut m = ObjectModel::default();
        let (t_get, t_twice) = (m.type_index(i32_type(0)), m.type_index(i32_type(1)));
        let t_init = m.type_index(FuncType {
            params: vec![],
            results: vec![],
        });
        let memory = ImportKind::Memory(MemoryType(limits(0)));
        m.add_import(Import::new("env", "__linear_memory", memory));
        let twice = m.add_import(Import::new("env", "twice", ImportKind::Func(t_twice)));
        m.functions = vec![get(t_get), init(t_init), get_counter(t_get)];
        m.globals = vec![Global {
            ty: GlobalType {
                val: ValType::I32,
                mutable: false,
            },
            init: Expr::i32_const(5),
        }];
        m.segments = segments();
        m.customs = vec![notes()];
        m.symbols = symbols(twice);
        m.init_funcs = vec![InitFunc {
            priority: 101,
            symbol: INIT,
        }];
        m.comdats = vec![Comdat {
            name: Cow::Borrowed("get_counter_group"),
            flags: 0,
            members: vec![ComdatMember::Function(Item::Defined(DefinedFunc(2)))],
        }];
        m.producers = Some(vec![ProducerField {
            name: Cow::Borrowed("processed-by"),
            values: vec![(Cow::Borrowed("wasm-object-test"), Cow::Borrowed("1"))],
        }]);
        m.features = ["mutable-globals", "sign-ext"]
            .map(|name| Feature {
                prefix: FeaturePrefix::Used,
                name: Cow::Borrowed(name),
            })
            .to_vec();
        m
    }

    fn get(ty: u32) -> Function<'static> {
        let mut a = AtomBuilder::default();
        a.raw(&[0x41]).reloc(RelocType::MemoryAddrSleb, PTR, 0);
        a.raw(&[0x28, 2, 0, 0x28, 2, 0]); // i32.load; i32.load
        a.raw(&[0x10]).reloc(RelocType::FunctionIndexLeb, TWICE, 0);
        a.raw(&[0x0b]);
        a.into_function(ty, &[])
    }

    fn init(ty: u32) -> Function<'static> {
        let mut a = AtomBuilder::default();
        a.raw(&[0x41])
            .reloc(RelocType::MemoryAddrSleb, INIT_VALUE, 0);
        a.raw(&[0x41]).sleb(7).raw(&[0x36, 2, 0, 0x0b]); // i32.const 7; i32.store; end
        a.into_function(ty, &[])
    }

    /// With a local, so that relocation offsets move past the local declarations.
    fn get_counter(ty: u32) -> Function<'static> {
        let mut a = AtomBuilder::default();
        a.raw(&[0x23]).reloc(RelocType::GlobalIndexLeb, COUNTER, 0);
        a.raw(&[0x21, 0, 0x20, 0, 0x0b]); // local.set 0; local.get 0; end
        a.into_function(ty, &[(1, ValType::I32)])
    }

    fn segments() -> Vec<DataSegment<'static>> {
        let mut value = AtomBuilder::default();
        value.raw(&21u32.to_le_bytes());
        let mut ptr = AtomBuilder::default();
        ptr.reloc(RelocType::MemoryAddrI32, VALUE, 0);
        let mut get_ptr = AtomBuilder::default();
        get_ptr.reloc(RelocType::TableIndexI32, GET, 0);
        let mut init_value = AtomBuilder::default();
        init_value.raw(&[0; 4]);
        vec![
            segment(".data.value", value),
            segment(".data.ptr", ptr),
            segment(".data.get_ptr", get_ptr),
            segment(".bss.init_value", init_value),
        ]
    }

    fn notes() -> CustomSection<'static> {
        let mut a = AtomBuilder::default();
        a.raw(b"note").reloc(RelocType::MemoryAddrI32, VALUE, 2);
        a.reloc(RelocType::SectionOffsetI32, NOTES, 4);
        a.reloc(RelocType::FunctionIndexI32, GET, 0);
        CustomSection {
            name: Cow::Borrowed("scratch_notes"),
            data: Cow::Owned(a.bytes),
            relocs: a.relocs,
        }
    }

    fn symbols(twice: u32) -> Vec<Symbol<'static>> {
        let local = SymbolFlags::BINDING_LOCAL;
        let func = |d| SymbolKind::Function(Item::Defined(DefinedFunc(d)));
        vec![
            symbol(0, "get", func(0)),
            symbol(local, "ptr", data(1, 4)),
            symbol(local, "value", data(0, 4)),
            Symbol {
                flags: SymbolFlags(SymbolFlags::UNDEFINED),
                name: None,
                kind: SymbolKind::Function(Item::Imported(twice)),
            },
            symbol(0, "get_ptr", data(2, 4)),
            symbol(local, "init", func(1)),
            symbol(0, "init_value", data(3, 4)),
            symbol(
                local,
                "counter",
                SymbolKind::Global(Item::Defined(DefinedGlobal(0))),
            ),
            symbol(0, "get_counter", func(2)),
            Symbol {
                flags: SymbolFlags(local),
                name: None,
                kind: SymbolKind::Section(CustomIndex(0)),
            },
        ]
    }

    const MAIN: &str = "#include <stdio.h>\n\
        int get(void); int get_counter(void);\n\
        extern int (*get_ptr)(void); extern int init_value;\n\
        int twice(int x) { return 2 * x; }\n\
        int main(void) {\n\
          printf(\"%d %d %d %d\\n\", get(), get_ptr(), init_value, get_counter());\n\
          return 0;\n\
        }\n";

    /// The zeros `AtomBuilder` leaves become LLVM's provisional values: `get`'s `i32.const`
    /// the address of `ptr` (4, after `value`), `ptr` the address of `value` (0),
    /// `get_counter`'s `global.get` the index of `counter` (0); segments lie one after the
    /// other.
    #[test]
    fn provisional_values_of_a_scratch_model() {
        let mut m = model();
        m.lay_out_segments();
        m.fill_provisional_values();
        assert_eq!(
            &m.functions[0].body[1..7],
            [0x41, 0x84, 0x80, 0x80, 0x80, 0x00]
        );
        assert_eq!(
            &*m.segments[1].data,
            0u32.to_le_bytes(),
            "ptr holds value's address"
        );
        assert_eq!(m.segment_addresses(), [0, 4, 8, 12]);
        let DataMode::Active { offset, .. } = &m.segments[1].mode else {
            panic!("an active segment");
        };
        assert_eq!(offset, &Expr::i32_const(4), "ptr lies at 4");
        let counter = &m.functions[2].body;
        assert_eq!(&counter[3..9], [0x23, 0x80, 0x80, 0x80, 0x80, 0x00]);
    }

    #[test]
    fn a_model_built_from_scratch_writes_an_object_both_linkers_link_alike() {
        let mut model = model();
        model.lay_out_segments();
        model.fill_provisional_values();
        let bytes = wasm_object::writer::write(&model).expect("write");
        super::validate(&bytes, "scratch.o");
        let obj = wasm_object::object::Object::parse(&bytes, 0).expect("parse");
        let again = ObjectModel::from_object(&obj).expect("model");
        assert_eq!(
            again, model,
            "the written object reads back as another model"
        );

        let dir = Scratch::new(GROUP, "from-scratch");
        let scratch_o = dir.path("scratch.o");
        std::fs::write(&scratch_o, &bytes).expect("write scratch.o");
        let main_o = dir.object("main.o", MAIN, &["--target=wasm32-wasi", "-O1"]);
        let out = dir.path("prog.wasm");
        let line: Vec<&OsStr> = vec![
            "--target=wasm32-wasi".as_ref(),
            main_o.as_os_str(),
            scratch_o.as_os_str(),
            "-o".as_ref(),
            out.as_os_str(),
        ];
        let mut args: Vec<OsString> = clang_link_line("clang-19", &line)
            .into_iter()
            .map(OsString::from)
            .collect();
        let o = args.iter().position(|a| a == "-o").expect("-o");
        args.drain(o..o + 2);
        let pair = link_pair(GROUP, "from-scratch", &args);
        pair.assert_identical("scratch.o with main.o");
        assert_eq!(node_run(&pair.ours.path), ("42 42 7 5\n".to_string(), 0));
    }

    /// LLVM's own tools read the written object: `llvm-objdump-19 -r` lists its relocations
    /// and `obj2yaml-19` its linking metadata.
    #[test]
    fn llvm_tools_read_a_written_object() {
        let bytes = wasm_object::writer::write(&model()).expect("write");
        let dir = Scratch::new(GROUP, "llvm-tools");
        let path = dir.path("scratch.o");
        std::fs::write(&path, &bytes).expect("write scratch.o");
        let relocs = run_tool("llvm-objdump-19", &["-r".as_ref(), path.as_os_str()]);
        let relocs = relocs.split_whitespace().collect::<Vec<_>>().join(" ");
        // Offsets count from the section's contents: the body of `get` starts after the
        // function count, its size and its local declarations.
        for want in [
            "RELOCATION RECORDS FOR [CODE]: OFFSET TYPE VALUE \
             00000004 R_WASM_MEMORY_ADDR_SLEB ptr+0 \
             00000010 R_WASM_FUNCTION_INDEX_LEB twice+0 \
             00000019 R_WASM_MEMORY_ADDR_SLEB init_value+0 \
             00000029 R_WASM_GLOBAL_INDEX_LEB counter+0",
            "RELOCATION RECORDS FOR [DATA]: OFFSET TYPE VALUE \
             0000000f R_WASM_MEMORY_ADDR_I32 value+0 \
             00000018 R_WASM_TABLE_INDEX_I32 get+0",
            "RELOCATION RECORDS FOR [scratch_notes]: OFFSET TYPE VALUE \
             00000004 R_WASM_MEMORY_ADDR_I32 value+2 \
             00000008 R_WASM_SECTION_OFFSET_I32 scratch_notes+4 \
             0000000c R_WASM_FUNCTION_INDEX_I32 get+0",
        ] {
            assert!(relocs.contains(want), "no {want:?} in:\n{relocs}");
        }
        let yaml = run_tool("obj2yaml-19", &[path.as_os_str()]);
        for want in [
            "Version:         2",
            "SegmentInfo:",
            "InitFunctions:",
            "Priority:        101",
            "Comdats:",
            "get_counter_group",
            "Name:            scratch_notes",
            "Kind:            SECTION",
        ] {
            assert!(yaml.contains(want), "no {want:?} in:\n{yaml}");
        }
    }
}

mod reordered {
    //! A clang-19 object whose functions and data segments are written in reverse order: the
    //! writer is not tied to LLVM's order, and both linkers link the result alike.

    use e2e_tests::{clang_link_line, compiled_source, link_pair, node_run, LinkRun};
    use std::ffi::{OsStr, OsString};
    use std::path::Path;
    use wasm_object::ids::{DefinedFunc, SegmentIndex};
    use wasm_object::model::*;
    use wasm_object::object::Object;

    const GROUP: &str = "objwriter-reordered";

    /// The flat index (imports first) of function `index` after reversing `n` definitions.
    fn flat(index: u32, imports: u32, n: u32) -> u32 {
        match index.checked_sub(imports) {
            Some(d) if d < n => imports + (n - 1 - d),
            _ => index,
        }
    }

    /// Reverses the definitions and renumbers what names them: symbols, COMDAT members,
    /// exports, element segments and the start function (relocations name symbols).
    fn reverse(m: &mut ObjectModel<'_>) {
        let (nf, ns) = (m.functions.len() as u32, m.segments.len() as u32);
        let imports = m.import_count(ExternalKind::Func);
        m.functions.reverse();
        m.segments.reverse();
        let func = |d: DefinedFunc| DefinedFunc(nf - 1 - d.0);
        let seg = |s: SegmentIndex| SegmentIndex(ns - 1 - s.0);
        for s in &mut m.symbols {
            match &mut s.kind {
                SymbolKind::Function(Item::Defined(d)) => *d = func(*d),
                SymbolKind::Data(Some(r)) => r.segment = seg(r.segment),
                _ => {}
            }
        }
        for member in m.comdats.iter_mut().flat_map(|c| &mut c.members) {
            match member {
                ComdatMember::Function(Item::Defined(d)) => *d = func(*d),
                ComdatMember::Data(s) => *s = seg(*s),
                _ => {}
            }
        }
        for e in m
            .exports
            .iter_mut()
            .filter(|e| e.kind == ExternalKind::Func)
        {
            e.index = flat(e.index, imports, nf);
        }
        for e in &mut m.elements {
            if let ElementItems::Functions(f) = &mut e.items {
                f.iter_mut().for_each(|i| *i = flat(*i, imports, nf));
            }
        }
        m.start = m.start.map(|i| flat(i, imports, nf));
    }

    /// Links `object` into a C++ program with both linkers; gives wasm-link's run after
    /// checking that wasm-ld-19 wrote the same bytes.
    fn link(case: &str, object: &Path) -> LinkRun {
        let line: Vec<&OsStr> = vec![
            "--target=wasm32-wasi".as_ref(),
            object.as_os_str(),
            "-o".as_ref(),
            "prog.wasm".as_ref(),
        ];
        let mut args: Vec<OsString> = clang_link_line("clang++-19", &line)
            .into_iter()
            .map(OsString::from)
            .collect();
        let o = args.iter().position(|a| a == "-o").expect("-o");
        args.drain(o..o + 2);
        let pair = link_pair(GROUP, case, &args);
        pair.assert_identical(case);
        pair.ours
    }

    #[test]
    fn reversed_functions_and_segments_link_and_run_alike() {
        let source = "conformance/cpp/function_lambda.cpp";
        let fixture = compiled_source(source, &["-fno-exceptions", "-O0", "-g"]);
        let bytes = std::fs::read(&fixture.object).expect("read the object");
        let obj = Object::parse(&bytes, 0).expect("parse");
        let mut model = ObjectModel::from_object(&obj).expect("model");
        assert!(model.functions.len() > 10 && model.segments.len() > 2);
        assert!(!model.comdats.is_empty() && !model.customs.is_empty());
        reverse(&mut model);
        // The fields still hold the old indices and addresses: LLVM's, computed again, make
        // the code valid on its own (linkers overwrite them either way).
        model.lay_out_segments();
        model.fill_provisional_values();
        let written = wasm_object::writer::write(&model).expect("write");
        assert!(written != bytes, "reversing changed nothing");
        super::validate(&written, "the reversed object");
        let again = Object::parse(&written, 0).expect("reparse");
        assert_eq!(ObjectModel::from_object(&again).expect("model"), model);
        let reversed = fixture.object.with_file_name("function_lambda.reversed.o");
        std::fs::write(&reversed, &written).expect("write the reversed object");

        let original = node_run(&link("original", &fixture.object).path);
        let run = node_run(&link("reversed", &reversed).path);
        assert_eq!(original.1, 0, "the original program fails: {}", original.0);
        assert_eq!(
            run, original,
            "the reversed object's program runs differently"
        );
    }
}
