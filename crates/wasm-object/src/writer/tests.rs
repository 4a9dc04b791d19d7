//! What the writer refuses, and what it accepts that LLVM would write differently.

use super::write;
use crate::ids::{DefinedFunc, SegmentIndex};
use crate::model::*;
use crate::object::Object;
use std::borrow::Cow;

/// `f() -> i32 { i32.const <address of `d`> }` and the data symbol `d` in a 4-byte segment.
fn model() -> ObjectModel<'static> {
    let mut m = ObjectModel::default();
    let ty = m.type_index(FuncType {
        params: vec![],
        results: vec![ValType::I32],
    });
    let mut code = AtomBuilder::default();
    code.raw(&[0x41])
        .reloc(RelocType::MemoryAddrSleb, 1, 0)
        .raw(&[0x0b]);
    m.functions.push(code.into_function(ty, &[]));
    m.segments.push(DataSegment {
        name: Cow::Borrowed(".data.d"),
        p2align: 2,
        flags: SegmentFlags(0),
        mode: DataMode::Active {
            memory: 0,
            offset: Expr::i32_const(0),
        },
        data: Cow::Owned(vec![1, 2, 3, 4]),
        relocs: vec![],
    });
    m.add_symbol(Symbol {
        flags: SymbolFlags(0),
        name: Some(Cow::Borrowed("f")),
        kind: SymbolKind::Function(Item::Defined(DefinedFunc(0))),
    });
    m.add_symbol(Symbol {
        flags: SymbolFlags(0),
        name: Some(Cow::Borrowed("d")),
        kind: SymbolKind::Data(Some(DataRef {
            segment: SegmentIndex(0),
            offset: 0,
            size: 4,
        })),
    });
    m
}

fn bad_reloc(m: &ObjectModel<'_>) -> &'static str {
    match write(m) {
        Err(ModelError::BadReloc { problem, .. }) => problem,
        other => panic!("expected a bad relocation, got {other:?}"),
    }
}

#[test]
fn a_valid_model_reads_back_equal() {
    let m = model();
    let bytes = write(&m).expect("write");
    let obj = Object::parse(&bytes, 0).expect("parse");
    assert_eq!(ObjectModel::from_object(&obj).expect("model"), m);
}

#[test]
fn relocations_are_written_sorted() {
    let mut m = model();
    let mut code = AtomBuilder::default();
    code.raw(&[0x41]).reloc(RelocType::MemoryAddrSleb, 1, 0);
    code.raw(&[0x41]).reloc(RelocType::MemoryAddrSleb, 1, 4);
    code.raw(&[0x6a, 0x0b]);
    code.relocs.reverse();
    m.functions[0] = code.into_function(0, &[]);
    let bytes = write(&m).expect("write");
    let obj = Object::parse(&bytes, 0).expect("parse");
    let back = ObjectModel::from_object(&obj).expect("model");
    let offsets: Vec<u32> = back.functions[0].relocs.iter().map(|r| r.offset).collect();
    assert_eq!(offsets, [2, 8]);
}

#[test]
fn a_relocated_leb_must_be_padded() {
    let mut m = model();
    m.functions[0].body = Cow::Owned(vec![0, 0x41, 0, 0x0b]);
    m.functions[0].relocs[0].offset = 2;
    assert_eq!(
        bad_reloc(&m),
        "patches bytes past the end of its atom",
        "a 5-byte field does not fit"
    );
    m.functions[0].body = Cow::Owned(vec![0, 0x41, 0, 0, 0, 0, 0, 0x0b]);
    assert_eq!(
        bad_reloc(&m),
        "does not patch a LEB128 padded to its full width"
    );
}

#[test]
fn relocations_must_not_overlap_nor_name_nothing() {
    let mut m = model();
    let r = m.functions[0].relocs[0];
    m.functions[0].relocs.push(Reloc {
        offset: r.offset + 1,
        ..r
    });
    assert_eq!(
        bad_reloc(&m),
        "patches bytes the previous relocation patches"
    );
    let mut m = model();
    m.functions[0].relocs[0].index = 7;
    assert_eq!(
        bad_reloc(&m),
        "names a symbol (or type) the object does not have"
    );
}

#[test]
fn code_takes_only_leb_relocations() {
    let mut m = model();
    m.functions[0].relocs[0].ty = RelocType::MemoryAddrI32;
    assert_eq!(
        bad_reloc(&m),
        "is not of a LEB type, the only kind code may have"
    );
}

#[test]
fn symbols_must_agree_with_what_they_name() {
    let mut m = model();
    m.symbols[0].flags = SymbolFlags(SymbolFlags::UNDEFINED);
    assert_eq!(write(&m), Err(ModelError::UndefinedMismatch(0)));
    let mut m = model();
    m.symbols[1].name = None;
    assert_eq!(write(&m), Err(ModelError::MissingName(1)));
    let mut m = model();
    m.symbols[0].kind = SymbolKind::Function(Item::Defined(DefinedFunc(3)));
    assert!(matches!(write(&m), Err(ModelError::DanglingIndex { .. })));
    let mut m = model();
    m.symbols[1].kind = SymbolKind::Data(Some(DataRef {
        segment: SegmentIndex(0),
        offset: 2,
        size: 4,
    }));
    assert!(
        matches!(write(&m), Err(ModelError::DanglingIndex { .. })),
        "data past its segment's end"
    );
}

#[test]
fn an_undefined_import_without_a_name_goes_by_its_field() {
    let mut m = model();
    let ty = m.type_index(FuncType {
        params: vec![],
        results: vec![],
    });
    let n = m.add_import(Import::new("env", "g", ImportKind::Func(ty)));
    let s = m.add_symbol(Symbol {
        flags: SymbolFlags(SymbolFlags::UNDEFINED),
        name: None,
        kind: SymbolKind::Function(Item::Imported(n)),
    });
    assert_eq!(m.symbol_name(&m.symbols[s as usize]), Some("g"));
    let bytes = write(&m).expect("write");
    let obj = Object::parse(&bytes, 0).expect("parse");
    assert_eq!(ObjectModel::from_object(&obj).expect("model"), m);
}

#[test]
fn provisional_values_follow_the_layout() {
    let mut m = model();
    m.segments.insert(
        0,
        DataSegment {
            name: Cow::Borrowed(".rodata.s"),
            p2align: 0,
            data: Cow::Owned(vec![7; 5]),
            ..m.segments[0].clone()
        },
    );
    if let SymbolKind::Data(Some(d)) = &mut m.symbols[1].kind {
        d.segment = SegmentIndex(1);
    }
    m.lay_out_segments();
    m.fill_provisional_values();
    assert_eq!(m.segment_addresses(), [0, 8], "aligned to 4 after 5 bytes");
    assert_eq!(&m.functions[0].body[2..7], [0x88, 0x80, 0x80, 0x80, 0x00]);
    let DataMode::Active { offset, .. } = &m.segments[1].mode else {
        panic!("active");
    };
    assert_eq!(offset, &Expr::i32_const(8));
}
