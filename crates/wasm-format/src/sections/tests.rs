//! Tests of the section parsers: round trips through `wasm-encoder`, truncation at every cut
//! point, deterministic garbage, huge counts, and real objects compared with `wasmparser`.

use super::*;
use crate::error::ErrorKind;
use crate::module::{Module, SectionId};
use crate::types::{ConstValue, HeapType, Limits, RefType, ValType};
use wasm_encoder as enc;

/// A module holding just `section`, as bytes.
fn module_with(section: &impl enc::Section) -> Vec<u8> {
    let mut m = enc::Module::new();
    m.section(section);
    m.finish()
}

/// The contents of the only section of `bytes`.
fn contents(bytes: &[u8]) -> Window<'_> {
    let m = Module::parse(bytes, 0).expect("encoder output parses");
    assert_eq!(m.sections.len(), 1);
    m.sections[0].contents
}

fn ref_ty(nullable: bool, heap: HeapType) -> RefType {
    RefType { nullable, heap }
}

fn type_sample() -> Vec<u8> {
    let mut s = enc::TypeSection::new();
    s.ty()
        .function([enc::ValType::I32, enc::ValType::I64], [enc::ValType::F32]);
    s.ty().function([], []);
    let concrete = enc::RefType {
        nullable: false,
        heap_type: enc::HeapType::Concrete(1),
    };
    let refs = [
        enc::ValType::FUNCREF,
        enc::ValType::EXTERNREF,
        enc::ValType::Ref(concrete),
    ];
    s.ty().function(
        refs,
        [enc::ValType::V128, enc::ValType::F64, enc::ValType::I32],
    );
    module_with(&s)
}

#[test]
fn type_section_round_trips() {
    let bytes = type_sample();
    let types = parse_type_section(contents(&bytes)).unwrap();
    assert_eq!(types.len(), 3);
    assert_eq!(types[0].params, [ValType::I32, ValType::I64]);
    assert_eq!(types[0].results, [ValType::F32]);
    assert!(types[1].params.is_empty() && types[1].results.is_empty());
    let concrete = ValType::Ref(ref_ty(false, HeapType::Concrete(1)));
    let refs = [
        ValType::Ref(RefType::FUNCREF),
        ValType::Ref(RefType::EXTERNREF),
        concrete,
    ];
    assert_eq!(types[2].params, refs);
    assert_eq!(
        types[2].results,
        [ValType::V128, ValType::F64, ValType::I32]
    );
}

fn enc_limits_table(min: u64, max: Option<u64>, table64: bool) -> enc::TableType {
    let element_type = enc::RefType::FUNCREF;
    enc::TableType {
        element_type,
        table64,
        minimum: min,
        maximum: max,
        shared: false,
    }
}

fn enc_memory(min: u64, max: Option<u64>, memory64: bool, shared: bool) -> enc::MemoryType {
    let page_size_log2 = None;
    enc::MemoryType {
        minimum: min,
        maximum: max,
        memory64,
        shared,
        page_size_log2,
    }
}

fn import_sample() -> Vec<u8> {
    let mut s = enc::ImportSection::new();
    s.import("env", "f", enc::EntityType::Function(3));
    s.import(
        "env",
        "__indirect_function_table",
        enc_limits_table(1, None, false),
    );
    s.import("env", "mem", enc_memory(2, Some(1 << 20), true, true));
    let g = enc::GlobalType {
        val_type: enc::ValType::I32,
        mutable: true,
        shared: false,
    };
    s.import("env", "__stack_pointer", g);
    let tag = enc::TagType {
        kind: enc::TagKind::Exception,
        func_type_idx: 4,
    };
    s.import("", "tag\u{e9}", tag);
    module_with(&s)
}

#[test]
fn import_section_round_trips() {
    let bytes = import_sample();
    let imports = parse_import_section(contents(&bytes)).unwrap();
    let kinds: Vec<_> = imports.iter().map(|i| i.kind).collect();
    let table_limits = Limits {
        min: 1,
        max: None,
        shared: false,
        memory64: false,
    };
    let mem_limits = Limits {
        min: 2,
        max: Some(1 << 20),
        shared: true,
        memory64: true,
    };
    let expected = [
        ImportKind::Func(3),
        ImportKind::Table(TableType {
            elem: RefType::FUNCREF,
            limits: table_limits,
        }),
        ImportKind::Memory(MemoryType(mem_limits)),
        ImportKind::Global(GlobalType {
            val: ValType::I32,
            mutable: true,
        }),
        ImportKind::Tag(TagType {
            attribute: 0,
            type_index: 4,
        }),
    ];
    assert_eq!(kinds, expected);
    assert_eq!(
        (imports[3].module, imports[3].field),
        ("env", "__stack_pointer")
    );
    assert_eq!((imports[4].module, imports[4].field), ("", "tag\u{e9}"));
}

fn function_sample() -> Vec<u8> {
    let mut s = enc::FunctionSection::new();
    s.function(0).function(300).function(u32::MAX);
    module_with(&s)
}

#[test]
fn function_section_round_trips() {
    let bytes = function_sample();
    assert_eq!(
        parse_function_section(contents(&bytes)).unwrap(),
        [0, 300, u32::MAX]
    );
}

fn table_sample() -> Vec<u8> {
    let mut s = enc::TableSection::new();
    s.table(enc_limits_table(3, Some(10), false));
    s.table_with_init(
        enc_limits_table(1 << 40, None, true),
        &enc::ConstExpr::ref_func(7),
    );
    module_with(&s)
}

#[test]
fn table_section_round_trips() {
    let bytes = table_sample();
    let w = contents(&bytes);
    let tables = parse_table_section(w).unwrap();
    assert_eq!(
        tables[0].ty.limits,
        Limits {
            min: 3,
            max: Some(10),
            shared: false,
            memory64: false
        }
    );
    assert!(tables[0].init.is_none());
    assert_eq!(
        tables[1].ty.limits,
        Limits {
            min: 1 << 40,
            max: None,
            shared: false,
            memory64: true
        }
    );
    let init = tables[1].init.expect("0x40 form has an initializer");
    assert_eq!(init.value().unwrap(), ConstValue::RefFunc(7));
    assert_eq!(init.window.end(), w.end());
}

fn memory_sample() -> Vec<u8> {
    let mut s = enc::MemorySection::new();
    s.memory(enc_memory(1, None, false, false));
    s.memory(enc_memory(17, Some(65536), false, true));
    module_with(&s)
}

#[test]
fn memory_section_round_trips() {
    let bytes = memory_sample();
    let mems = parse_memory_section(contents(&bytes)).unwrap();
    assert_eq!(
        mems[0],
        MemoryType(Limits {
            min: 1,
            max: None,
            shared: false,
            memory64: false
        })
    );
    assert_eq!(
        mems[1],
        MemoryType(Limits {
            min: 17,
            max: Some(65536),
            shared: true,
            memory64: false
        })
    );
}

fn global_sample() -> Vec<u8> {
    let mut s = enc::GlobalSection::new();
    let ty = |val_type, mutable| enc::GlobalType {
        val_type,
        mutable,
        shared: false,
    };
    s.global(
        ty(enc::ValType::I32, true),
        &enc::ConstExpr::i32_const(65536),
    );
    s.global(
        ty(enc::ValType::F64, false),
        &enc::ConstExpr::f64_const(2.5.into()),
    );
    let pic = enc::ConstExpr::global_get(0)
        .with_i64_const(8)
        .with_i64_add();
    s.global(ty(enc::ValType::I64, false), &pic);
    s.global(
        ty(enc::ValType::EXTERNREF, true),
        &enc::ConstExpr::ref_null(enc::HeapType::EXTERN),
    );
    s.global(
        ty(enc::ValType::V128, false),
        &enc::ConstExpr::v128_const(-2),
    );
    module_with(&s)
}

#[test]
fn global_section_round_trips() {
    let bytes = global_sample();
    let globals = parse_global_section(contents(&bytes)).unwrap();
    let types: Vec<_> = globals.iter().map(|g| (g.ty.val, g.ty.mutable)).collect();
    let externref = ValType::Ref(RefType::EXTERNREF);
    let expected_types = [
        (ValType::I32, true),
        (ValType::F64, false),
        (ValType::I64, false),
        (externref, true),
        (ValType::V128, false),
    ];
    assert_eq!(types, expected_types);
    let values: Vec<_> = globals.iter().map(|g| g.init.value().unwrap()).collect();
    let mut v128 = [0xff; 16];
    v128[0] = 0xfe;
    let expected_values = [
        ConstValue::I32(65536),
        ConstValue::F64(2.5f64.to_bits()),
        ConstValue::Extended,
        ConstValue::RefNull(HeapType::Extern),
        ConstValue::V128(v128),
    ];
    assert_eq!(values, expected_values);
    assert_eq!(
        globals[2].init.bytes(),
        [0x23, 0x00, 0x42, 0x08, 0x7c, 0x0b]
    );
}

fn export_sample() -> Vec<u8> {
    let mut s = enc::ExportSection::new();
    s.export("main", enc::ExportKind::Func, 1);
    s.export("memory", enc::ExportKind::Memory, 0);
    s.export("t", enc::ExportKind::Table, 2);
    s.export("g", enc::ExportKind::Global, 3);
    s.export("", enc::ExportKind::Tag, 4);
    module_with(&s)
}

#[test]
fn export_section_round_trips() {
    let bytes = export_sample();
    let exports = parse_export_section(contents(&bytes)).unwrap();
    let got: Vec<_> = exports.iter().map(|e| (e.name, e.kind, e.index)).collect();
    let expected = [
        ("main", ExternalKind::Func, 1),
        ("memory", ExternalKind::Memory, 0),
        ("t", ExternalKind::Table, 2),
        ("g", ExternalKind::Global, 3),
        ("", ExternalKind::Tag, 4),
    ];
    assert_eq!(got, expected);
}

fn start_sample() -> Vec<u8> {
    module_with(&enc::StartSection {
        function_index: 129,
    })
}

fn data_count_sample() -> Vec<u8> {
    module_with(&enc::DataCountSection { count: 70000 })
}

#[test]
fn start_and_data_count_round_trip() {
    assert_eq!(parse_start_section(contents(&start_sample())).unwrap(), 129);
    assert_eq!(
        parse_data_count_section(contents(&data_count_sample())).unwrap(),
        70000
    );
}

fn tag_sample() -> Vec<u8> {
    let mut s = enc::TagSection::new();
    s.tag(enc::TagType {
        kind: enc::TagKind::Exception,
        func_type_idx: 0,
    });
    s.tag(enc::TagType {
        kind: enc::TagKind::Exception,
        func_type_idx: 1000,
    });
    module_with(&s)
}

#[test]
fn tag_section_round_trips() {
    let tags = parse_tag_section(contents(&tag_sample())).unwrap();
    assert_eq!(
        tags,
        [
            TagType {
                attribute: 0,
                type_index: 0
            },
            TagType {
                attribute: 0,
                type_index: 1000
            }
        ]
    );
}

/// One segment of each of the eight encodings, in flag order.
fn element_sample() -> Vec<u8> {
    use std::borrow::Cow;
    let funcs = || enc::Elements::Functions(Cow::Borrowed(&[4, 5]));
    let exprs = [
        enc::ConstExpr::ref_func(6),
        enc::ConstExpr::ref_null(enc::HeapType::FUNC),
    ];
    let func_exprs = || enc::Elements::Expressions(enc::RefType::FUNCREF, Cow::Borrowed(&exprs));
    let ext = [enc::ConstExpr::ref_null(enc::HeapType::EXTERN)];
    let ext_exprs = || enc::Elements::Expressions(enc::RefType::EXTERNREF, Cow::Borrowed(&ext));
    let off = enc::ConstExpr::i32_const(1);
    let mut s = enc::ElementSection::new();
    s.active(None, &off, funcs());
    s.passive(funcs());
    s.active(Some(2), &off, funcs());
    s.declared(funcs());
    s.active(None, &off, func_exprs());
    s.passive(ext_exprs());
    s.active(Some(3), &off, ext_exprs());
    s.declared(func_exprs());
    module_with(&s)
}

#[test]
fn element_section_round_trips_all_eight_encodings() {
    let bytes = element_sample();
    let w = contents(&bytes);
    let elems = parse_element_section(w).unwrap();
    assert_eq!(elems.len(), 8);
    let tables: Vec<_> = elems.iter().map(|e| active_table(&e.mode)).collect();
    assert_eq!(
        tables,
        [Some(0), None, Some(2), None, Some(0), None, Some(3), None]
    );
    assert!(matches!(elems[1].mode, ElementMode::Passive));
    assert!(matches!(elems[3].mode, ElementMode::Declared));
    assert!(matches!(elems[7].mode, ElementMode::Declared));
    for e in &elems[..4] {
        assert_eq!(e.items, ElementItems::Functions(vec![4, 5]));
        assert_eq!(e.ty, RefType::FUNCREF);
    }
    assert_eq!(
        expr_values(&elems[4].items),
        [ConstValue::RefFunc(6), ConstValue::RefNull(HeapType::Func)]
    );
    assert_eq!(elems[5].ty, RefType::EXTERNREF);
    assert_eq!(
        expr_values(&elems[6].items),
        [ConstValue::RefNull(HeapType::Extern)]
    );
    let ElementMode::Active { offset, .. } = elems[6].mode else {
        panic!("flag 6 is active")
    };
    assert_eq!(offset.value().unwrap(), ConstValue::I32(1));
}

fn active_table(mode: &ElementMode<'_>) -> Option<u32> {
    match mode {
        ElementMode::Active { table, .. } => Some(*table),
        _ => None,
    }
}

fn expr_values(items: &ElementItems<'_>) -> Vec<ConstValue> {
    let ElementItems::Exprs(exprs) = items else {
        panic!("expected expressions")
    };
    exprs.iter().map(|e| e.value().unwrap()).collect()
}

fn code_sample() -> Vec<u8> {
    let mut s = enc::CodeSection::new();
    let mut f = enc::Function::new([(2, enc::ValType::I32), (1, enc::ValType::F64)]);
    f.instructions().local_get(0).drop().end();
    s.function(&f);
    let mut g = enc::Function::new([]);
    g.instructions().i32_const(-5).drop().end();
    s.function(&g);
    module_with(&s)
}

#[test]
fn code_section_round_trips() {
    let bytes = code_sample();
    let w = contents(&bytes);
    let bodies = parse_code_section(w).unwrap();
    assert_eq!(bodies.len(), 2);
    assert_eq!(
        bodies[0].locals().unwrap(),
        [(2, ValType::I32), (1, ValType::F64)]
    );
    assert_eq!(
        bodies[0].code_window().unwrap().bytes,
        [0x20, 0x00, 0x1a, 0x0b]
    );
    assert!(bodies[1].locals().unwrap().is_empty());
    let code = bodies[1].code_window().unwrap();
    assert_eq!(code.bytes, [0x41, 0x7b, 0x1a, 0x0b]);
    assert_eq!(code.end(), w.end());
    assert_eq!(code.offset, bodies[1].window.offset + 1);
    assert_eq!(
        &bytes[bodies[0].window.offset..bodies[0].window.end()],
        bodies[0].window.bytes
    );
}

#[test]
fn too_many_locals_is_an_error() {
    let body = [0x02, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x7f, 0x01, 0x7f, 0x0b];
    let b = FunctionBody {
        window: Window::new(&body, 50),
    };
    let err = b.locals().unwrap_err();
    assert_eq!(err.offset(), 57);
    assert!(b.code_window().is_err());
    let huge_groups = [0xff, 0xff, 0xff, 0xff, 0x0f, 0x0b];
    let b = FunctionBody {
        window: Window::new(&huge_groups, 0),
    };
    assert!(matches!(
        b.locals().unwrap_err().kind(),
        ErrorKind::CountTooLarge { .. }
    ));
}

fn data_sample() -> Vec<u8> {
    let mut s = enc::DataSection::new();
    s.active(
        0,
        &enc::ConstExpr::i32_const(1024),
        b"hello".iter().copied(),
    );
    s.passive(b"".iter().copied());
    s.active(1, &enc::ConstExpr::i64_const(1 << 40), [1, 2, 3]);
    module_with(&s)
}

#[test]
fn data_section_round_trips() {
    let bytes = data_sample();
    let w = contents(&bytes);
    let segs = parse_data_section(w).unwrap();
    assert_eq!(segs[0].data.bytes, b"hello");
    assert_eq!(&bytes[segs[0].data.offset..segs[0].data.end()], b"hello");
    let DataMode::Active { memory: 0, offset } = segs[0].mode else {
        panic!("segment 0 is active")
    };
    assert_eq!(offset.value().unwrap(), ConstValue::I32(1024));
    assert!(matches!(segs[1].mode, DataMode::Passive) && segs[1].data.is_empty());
    let DataMode::Active { memory: 1, offset } = segs[2].mode else {
        panic!("segment 2 is active")
    };
    assert_eq!(offset.value().unwrap(), ConstValue::I64(1 << 40));
    assert_eq!(segs[2].data.end(), w.end());
}

/// Every sample, with the section it holds.
fn samples() -> Vec<(SectionId, Vec<u8>)> {
    use SectionId::*;
    vec![
        (Type, type_sample()),
        (Import, import_sample()),
        (Function, function_sample()),
        (Table, table_sample()),
        (Memory, memory_sample()),
        (Global, global_sample()),
        (Export, export_sample()),
        (Start, start_sample()),
        (Element, element_sample()),
        (DataCount, data_count_sample()),
        (Code, code_sample()),
        (Data, data_sample()),
        (Tag, tag_sample()),
    ]
}

/// Runs the parser of section `id` over `w`, decoding everything lazy too (locals, constant
/// expressions), and returns how many entries it found.
fn parse_any(id: SectionId, w: Window<'_>) -> Result<usize> {
    use SectionId::*;
    match id {
        Type => parse_type_section(w).map(|v| v.len()),
        Import => parse_import_section(w).map(|v| v.len()),
        Function => parse_function_section(w).map(|v| v.len()),
        Table => parse_table_section(w).map(|v| v.len()),
        Memory => parse_memory_section(w).map(|v| v.len()),
        Global => parse_global_section(w).and_then(|v| decode_all(v.iter().map(|g| g.init))),
        Export => parse_export_section(w).map(|v| v.len()),
        Start => parse_start_section(w).map(|_| 1),
        Element => {
            parse_element_section(w).and_then(|v| decode_all(v.iter().flat_map(element_exprs)))
        }
        DataCount => parse_data_count_section(w).map(|_| 1),
        Code => parse_code_section(w).and_then(|v| decode_bodies(&v)),
        Data => parse_data_section(w).and_then(|v| decode_all(v.iter().flat_map(data_offset))),
        Tag => parse_tag_section(w).map(|v| v.len()),
        Custom => Ok(0),
    }
}

fn decode_all<'a>(exprs: impl Iterator<Item = ConstExpr<'a>>) -> Result<usize> {
    let mut n = 0;
    for e in exprs {
        e.value()?;
        n += 1;
    }
    Ok(n)
}

fn element_exprs<'a>(e: &Element<'a>) -> Vec<ConstExpr<'a>> {
    let mut out: Vec<_> = match &e.items {
        ElementItems::Exprs(x) => x.clone(),
        ElementItems::Functions(_) => Vec::new(),
    };
    if let ElementMode::Active { offset, .. } = e.mode {
        out.push(offset);
    }
    out
}

fn data_offset<'a>(d: &DataSegment<'a>) -> Option<ConstExpr<'a>> {
    match d.mode {
        DataMode::Active { offset, .. } => Some(offset),
        DataMode::Passive => None,
    }
}

fn decode_bodies(bodies: &[FunctionBody<'_>]) -> Result<usize> {
    for b in bodies {
        b.locals()?;
        b.code_window()?;
    }
    Ok(bodies.len())
}

fn assert_err_within(id: SectionId, w: Window<'_>) {
    match parse_any(id, w) {
        Ok(n) => panic!("{id:?}: {n} entries parsed from a truncated {:?}", w),
        Err(e) => assert!(
            (w.offset..=w.end()).contains(&e.offset()),
            "{id:?}: error offset {} outside {:?}: {e}",
            e.offset(),
            w
        ),
    }
}

#[test]
fn every_sample_parses_and_every_cut_fails_inside_the_input() {
    for (id, bytes) in samples() {
        let w = contents(&bytes);
        assert!(parse_any(id, w).is_ok(), "{id:?} sample parses");
        for cut in 0..w.len() {
            assert_err_within(id, Window::new(&w.bytes[..cut], w.offset));
        }
    }
}

/// A deterministic xorshift64 generator.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn check_garbage(id: SectionId, bytes: &[u8]) {
    let w = Window::new(bytes, 1000);
    if let Err(e) = parse_any(id, w) {
        assert!(
            (w.offset..=w.end()).contains(&e.offset()),
            "{id:?}: {e} outside {w:?}"
        );
    }
}

#[test]
fn random_bytes_never_panic() {
    let mut rng = XorShift(0x9e37_79b9_7f4a_7c15);
    let ids: Vec<SectionId> = samples().into_iter().map(|(id, _)| id).collect();
    for _ in 0..4000 {
        let len = rng.below(48);
        let bytes: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
        ids.iter().for_each(|&id| check_garbage(id, &bytes));
    }
}

#[test]
fn mutated_samples_never_panic() {
    let mut rng = XorShift(0x0123_4567_89ab_cdef);
    for (id, bytes) in samples() {
        let original = contents(&bytes).bytes.to_vec();
        for _ in 0..1500 {
            let mut m = original.clone();
            for _ in 0..=rng.below(3) {
                let at = rng.below(m.len());
                m[at] = rng.next() as u8;
            }
            check_garbage(id, &m);
        }
    }
}

#[test]
fn huge_counts_are_count_too_large() {
    let huge = [0xff, 0xff, 0xff, 0xff, 0x0f, 0, 0, 0, 0, 0];
    for (id, _) in samples() {
        if matches!(id, SectionId::Start | SectionId::DataCount) {
            continue;
        }
        let err = parse_any(id, Window::new(&huge, 7)).unwrap_err();
        assert!(
            matches!(err.kind(), ErrorKind::CountTooLarge { .. }),
            "{id:?}: {err}"
        );
        assert_eq!(err.offset(), 7);
    }
}

#[test]
fn bad_flags_and_kinds_are_invalid() {
    let cases: [(SectionId, &[u8], usize); 5] = [
        (SectionId::Element, &[0x01, 0x08, 0x00, 0x00], 1),
        (SectionId::Element, &[0x01, 0x01, 0x70, 0x00], 2),
        (SectionId::Data, &[0x01, 0x03, 0x00], 1),
        (SectionId::Export, &[0x01, 0x00, 0x05, 0x00], 2),
        (SectionId::Table, &[0x01, 0x40, 0x01, 0x70, 0x00, 0x00], 2),
    ];
    for (id, bytes, at) in cases {
        let err = parse_any(id, Window::new(bytes, 0)).unwrap_err();
        assert!(
            matches!(err.kind(), ErrorKind::Invalid { .. }),
            "{id:?}: {err}"
        );
        assert_eq!(err.offset(), at, "{id:?}: {err}");
    }
}
