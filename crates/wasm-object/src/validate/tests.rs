//! The validators on small objects built byte by byte: one fault each, and the error must name
//! the entry at fault by its absolute offset, with the value found.

use crate::object::Object;
use wasm_format::ErrorKind;

/// Where the object starts in its (pretend) file, so that offsets are checked as absolute.
const BASE: usize = 0x1000;

fn leb(out: &mut Vec<u8>, mut v: u64) {
    loop {
        let b = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(b);
            return;
        }
        out.push(b | 0x80);
    }
}

fn sleb(out: &mut Vec<u8>, mut v: i64) {
    loop {
        let b = (v & 0x7f) as u8;
        v >>= 7;
        if (v == 0 && b & 0x40 == 0) || (v == -1 && b & 0x40 != 0) {
            out.push(b);
            return;
        }
        out.push(b | 0x80);
    }
}

fn name(out: &mut Vec<u8>, s: &str) {
    leb(out, s.len() as u64);
    out.extend_from_slice(s.as_bytes());
}

/// A counted vector of `items`; gives the offset of each item inside it.
fn counted(items: &[Vec<u8>]) -> (Vec<u8>, Vec<usize>) {
    let mut out = Vec::new();
    leb(&mut out, items.len() as u64);
    let mut at = Vec::new();
    for item in items {
        at.push(out.len());
        out.extend_from_slice(item);
    }
    (out, at)
}

/// A relocation entry: type, offset, index, addend.
type R = (u8, u32, u32, i64);

fn reloc_entry(&(ty, offset, index, addend): &R) -> Vec<u8> {
    let mut e = vec![ty];
    leb(&mut e, u64::from(offset));
    leb(&mut e, u64::from(index));
    if [3, 4, 5, 8, 9, 11, 14, 15, 16, 17, 21, 22, 23, 25, 27].contains(&ty) {
        sleb(&mut e, addend);
    }
    e
}

const FUNC_LEB: u8 = 0;
const MEM_LEB: u8 = 3;
const MEM_I32: u8 = 5;

/// The parts of the test object; each test changes one.
struct Parts {
    /// Type index of each defined function (one type, `() -> ()`, exists).
    functions: Vec<u32>,
    /// The last byte of the second body (`end`).
    last_byte: u8,
    symbols: Vec<Vec<u8>>,
    init_funcs: Vec<(u32, u32)>,
    /// Comdats: name and (kind, index) members.
    comdats: Vec<(&'static str, Vec<(u32, u32)>)>,
    code_relocs: Vec<R>,
    data_relocs: Vec<R>,
    /// Custom sections to append after everything, by name.
    extra: Vec<(&'static str, Vec<u8>)>,
    /// Entries of the import, table and global sections (none by default).
    imports: Vec<Vec<u8>>,
    tables: Vec<Vec<u8>>,
    globals: Vec<Vec<u8>>,
    /// The DataCount section's count, if there is one.
    data_count: Option<u8>,
    /// The count of local groups of the second body (0: none).
    locals: u8,
}

fn function_symbol(index: u32, sym_name: &str) -> Vec<u8> {
    let mut s = vec![0, 0];
    leb(&mut s, u64::from(index));
    name(&mut s, sym_name);
    s
}

fn data_symbol(sym_name: &str, segment: u32, offset: u64, size: u64) -> Vec<u8> {
    let mut s = vec![1, 0];
    name(&mut s, sym_name);
    leb(&mut s, u64::from(segment));
    leb(&mut s, offset);
    leb(&mut s, size);
    s
}

impl Default for Parts {
    fn default() -> Self {
        Parts {
            functions: vec![0, 0],
            last_byte: 0x0b,
            // Symbols 0 and 1: functions `a` and `b`; 2 and 3: data `d` and `e`.
            symbols: vec![
                function_symbol(0, "a"),
                function_symbol(1, "b"),
                data_symbol("d", 0, 0, 8),
                data_symbol("e", 1, 0, 8),
            ],
            init_funcs: Vec::new(),
            comdats: Vec::new(),
            // The call operands: at 4 and 10 in body 0 (bytes 2..16 of the code section), at
            // 19 and 25 in body 1 (17..31).
            code_relocs: vec![(FUNC_LEB, 4, 1, 0), (FUNC_LEB, 25, 0, 0)],
            // Segment 0 is bytes 6..14 of the data section, segment 1 19..27.
            data_relocs: vec![(MEM_I32, 10, 3, 0)],
            extra: Vec::new(),
            imports: Vec::new(),
            tables: Vec::new(),
            globals: Vec::new(),
            data_count: None,
            locals: 0,
        }
    }
}

/// Where the parts went, in absolute offsets.
#[derive(Default)]
struct Built {
    bytes: Vec<u8>,
    /// Each entry of the function section.
    functions: Vec<usize>,
    code: usize,
    data: usize,
    /// The `linking` section's header (id byte).
    linking: usize,
    symbols: Vec<usize>,
    init_funcs: Vec<usize>,
    comdat_members: Vec<usize>,
    code_relocs: Vec<usize>,
    data_relocs: Vec<usize>,
    /// Each extra section's header.
    extra: Vec<usize>,
    /// The first entry of the import, table and global sections.
    imports: usize,
    tables: usize,
    globals: usize,
    /// Sections so far.
    count: u8,
}

impl Built {
    /// Appends a section; gives the absolute offset of its contents (after the name).
    fn section(&mut self, id: u8, custom: Option<&str>, contents: &[u8]) -> usize {
        let mut body = Vec::new();
        if let Some(n) = custom {
            name(&mut body, n);
        }
        let start = body.len();
        body.extend_from_slice(contents);
        self.bytes.push(id);
        leb(&mut self.bytes, body.len() as u64);
        let at = BASE + self.bytes.len() + start;
        self.bytes.extend_from_slice(&body);
        self.count += 1;
        at
    }

    /// Appends a vector section of `entries` unless there are none; gives its first entry.
    fn entries(&mut self, id: u8, entries: &[Vec<u8>]) -> usize {
        match entries.is_empty() {
            true => 0,
            false => self.section(id, None, &counted(entries).0) + 1,
        }
    }
}

fn build(p: &Parts) -> Built {
    let mut b = Built {
        bytes: b"\0asm\x01\0\0\0".to_vec(),
        ..Built::default()
    };
    b.section(1, None, &[1, 0x60, 0, 0]);
    b.imports = b.entries(2, &p.imports);
    let items: Vec<Vec<u8>> = p.functions.iter().map(|&t| vec![t as u8]).collect();
    let (functions, at) = counted(&items);
    let start = b.section(3, None, &functions);
    b.functions = at.iter().map(|k| start + k).collect();
    b.tables = b.entries(4, &p.tables);
    b.globals = b.entries(6, &p.globals);
    if let Some(n) = p.data_count {
        b.section(12, None, &[n]);
    }
    let call = [0x10, 0x80, 0x80, 0x80, 0x80, 0x00];
    let mut body = vec![0x00];
    body.extend_from_slice(&call);
    body.extend_from_slice(&call);
    body.push(0x0b);
    let mut last = body.clone();
    *last.last_mut().unwrap() = p.last_byte;
    last[0] = p.locals;
    let bodies: Vec<Vec<u8>> = [body, last]
        .iter()
        .map(|x| [vec![x.len() as u8], x.clone()].concat())
        .collect();
    let code = b.count;
    b.code = b.section(10, None, &counted(&bodies).0);
    let segment = |at: u8| [vec![0, 0x41, at, 0x0b, 8], vec![7; 8]].concat();
    let data = b.count;
    b.data = b.section(11, None, &counted(&[segment(0), segment(8)]).0);
    b.linking = BASE + b.bytes.len();
    let linking = linking_section(p, &mut b);
    b.section(0, Some("linking"), &linking);
    b.code_relocs = reloc_section(&mut b, "reloc.CODE", code, &p.code_relocs);
    b.data_relocs = reloc_section(&mut b, "reloc.DATA", data, &p.data_relocs);
    for (n, contents) in &p.extra {
        b.extra.push(BASE + b.bytes.len());
        b.section(0, Some(n), contents);
    }
    b
}

/// The `linking` section's contents; records where its entries go.
fn linking_section(p: &Parts, b: &mut Built) -> Vec<u8> {
    let mut out = vec![2];
    let sub = |out: &mut Vec<u8>, id: u8, contents: &[u8]| {
        out.push(id);
        leb(out, contents.len() as u64);
        let at = out.len();
        out.extend_from_slice(contents);
        at
    };
    let mut segs = vec![2];
    for n in [".data.d", ".data.e"] {
        name(&mut segs, n);
        segs.extend_from_slice(&[0, 0]);
    }
    sub(&mut out, 5, &segs);
    if !p.init_funcs.is_empty() {
        let items: Vec<Vec<u8>> = p
            .init_funcs
            .iter()
            .map(|&(prio, sym)| vec![prio as u8, sym as u8])
            .collect();
        let (contents, at) = counted(&items);
        let start = sub(&mut out, 6, &contents);
        b.init_funcs = at.iter().map(|k| start + k).collect();
    }
    if !p.comdats.is_empty() {
        let mut contents = vec![p.comdats.len() as u8];
        let mut members = Vec::new();
        for (n, entries) in &p.comdats {
            name(&mut contents, n);
            contents.extend_from_slice(&[0, entries.len() as u8]);
            for &(kind, index) in entries {
                members.push(contents.len());
                contents.extend_from_slice(&[kind as u8, index as u8]);
            }
        }
        let start = sub(&mut out, 7, &contents);
        b.comdat_members = members.iter().map(|k| start + k).collect();
    }
    let (contents, at) = counted(&p.symbols);
    let start = sub(&mut out, 8, &contents);
    b.symbols = at.iter().map(|k| start + k).collect();
    // The section header: id, size, name; all entries are relative to the contents so far.
    let header = 1 + leb_len(out.len() + 8) + 8;
    let base = BASE + b.bytes.len() + header;
    for v in [&mut b.symbols, &mut b.init_funcs, &mut b.comdat_members] {
        v.iter_mut().for_each(|x| *x += base);
    }
    out
}

fn leb_len(v: usize) -> usize {
    let mut out = Vec::new();
    leb(&mut out, v as u64);
    out.len()
}

/// Appends a `reloc.*` section for section `target`; gives each entry's absolute offset.
fn reloc_section(b: &mut Built, section: &str, target: u8, relocs: &[R]) -> Vec<usize> {
    let items: Vec<Vec<u8>> = relocs.iter().map(reloc_entry).collect();
    let (entries, at) = counted(&items);
    let contents = [vec![target], entries].concat();
    let start = b.section(0, Some(section), &contents);
    at.iter().map(|k| start + 1 + k).collect()
}

/// Parses the object built from `p`, which must fail; gives the error's offset and text.
fn error(b: &Built) -> (usize, String) {
    match Object::parse(&b.bytes, BASE) {
        Ok(_) => panic!("the object parsed"),
        Err(e) => (e.offset(), e.to_string()),
    }
}

#[test]
fn the_test_object_parses() {
    let b = build(&Parts::default());
    let obj = Object::parse(&b.bytes, BASE).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(obj.functions.len(), 2);
    assert_eq!(obj.functions[0].relocs, 0..1);
    assert_eq!(obj.functions[1].relocs, 1..2);
    assert_eq!(obj.segments[0].relocs, 0..1);
    assert_eq!(obj.segments[1].relocs, 1..1);
    assert_eq!(obj.code_offset, b.code);
}

#[test]
fn overlapping_relocations_name_both_ranges() {
    let p = Parts {
        code_relocs: vec![(FUNC_LEB, 4, 1, 0), (FUNC_LEB, 7, 1, 0)],
        ..Parts::default()
    };
    let b = build(&p);
    let (at, text) = error(&b);
    assert_eq!(at, b.code_relocs[1]);
    let (c, overlap) = (b.code, "clear of the one before it");
    assert!(
        text.contains(&format!(
            "expected a relocation {overlap} ({:#x}..{:#x}), found R_WASM_FUNCTION_INDEX_LEB \
             patching {:#x}..{:#x}",
            c + 4,
            c + 9,
            c + 7,
            c + 12
        )),
        "{text}"
    );
}

#[test]
fn a_relocation_crossing_the_end_of_its_body_is_refused() {
    let p = Parts {
        code_relocs: vec![(FUNC_LEB, 13, 1, 0)],
        ..Parts::default()
    };
    let b = build(&p);
    let (at, text) = error(&b);
    assert_eq!(at, b.code_relocs[0]);
    let c = b.code;
    let expected = format!(
        "inside a function body ({:#x}..{:#x}), found R_WASM_FUNCTION_INDEX_LEB patching {:#x}",
        c + 2,
        c + 16,
        c + 13
    );
    assert!(text.contains(&expected), "{text}");
}

#[test]
fn a_relocation_on_a_size_prefix_is_refused() {
    let p = Parts {
        code_relocs: vec![(FUNC_LEB, 16, 1, 0)],
        ..Parts::default()
    };
    let b = build(&p);
    let (at, text) = error(&b);
    assert_eq!(at, b.code_relocs[0]);
    let expected = format!("inside a function body ({:#x}..", b.code + 17);
    assert!(text.contains(&expected), "{text}");
}

#[test]
fn a_relocation_past_its_section_is_llvm_s_invalid_relocation_offset() {
    let p = Parts {
        code_relocs: vec![(FUNC_LEB, 4, 1, 0), (FUNC_LEB, 29, 1, 0)],
        ..Parts::default()
    };
    let b = build(&p);
    let (at, text) = error(&b);
    assert_eq!(at, b.code_relocs[1]);
    assert!(
        text.starts_with(&format!(
            "invalid relocation offset\n>>> at offset {at:#x}: expected a relocation inside its \
             section ({:#x}..{:#x})",
            b.code,
            b.code + 31
        )),
        "{text}"
    );
}

#[test]
fn a_data_relocation_outside_its_segment_is_refused() {
    let p = Parts {
        data_relocs: vec![(MEM_I32, 12, 3, 0)],
        ..Parts::default()
    };
    let b = build(&p);
    let (at, text) = error(&b);
    assert_eq!(at, b.data_relocs[0]);
    let expected = format!(
        "expected a relocation inside a data segment ({:#x}..{:#x}), found R_WASM_MEMORY_ADDR_I32 \
         patching {:#x}..{:#x}",
        b.data + 6,
        b.data + 14,
        b.data + 12,
        b.data + 16
    );
    assert!(text.contains(&expected), "{text}");
}

#[test]
fn relocations_out_of_order_are_llvm_s_error() {
    let p = Parts {
        code_relocs: vec![(FUNC_LEB, 10, 1, 0), (FUNC_LEB, 4, 1, 0)],
        ..Parts::default()
    };
    let b = build(&p);
    let (at, text) = error(&b);
    assert_eq!(at, b.code_relocs[1]);
    assert_eq!(
        text,
        format!("relocations not in offset order\n>>> at offset {at:#x}")
    );
}

#[test]
fn a_symbol_index_out_of_range_gives_the_index() {
    let p = Parts {
        code_relocs: vec![(FUNC_LEB, 4, 1, 0), (FUNC_LEB, 10, 99, 0)],
        ..Parts::default()
    };
    let b = build(&p);
    let (at, text) = error(&b);
    assert_eq!(at, b.code_relocs[1]);
    assert!(
        text.ends_with("expected a symbol index below 4, found 99"),
        "{text}"
    );
}

#[test]
fn a_relocation_against_the_wrong_kind_is_llvm_s_error_with_the_name() {
    let p = Parts {
        data_relocs: vec![(MEM_I32, 10, 0, 0)],
        ..Parts::default()
    };
    let b = build(&p);
    let (at, text) = error(&b);
    assert_eq!(at, b.data_relocs[0]);
    assert_eq!(
        text,
        format!("invalid data relocation: a\n>>> at offset {at:#x}")
    );
    // A memory relocation in the code against a data symbol is fine; against a function not.
    let p = Parts {
        code_relocs: vec![(MEM_LEB, 4, 2, 0), (MEM_LEB, 10, 1, 0)],
        ..Parts::default()
    };
    let b = build(&p);
    assert_eq!(error(&b).0, b.code_relocs[1]);
}

#[test]
fn a_body_that_does_not_end_on_end_is_refused_at_its_last_byte() {
    let p = Parts {
        last_byte: 0x81,
        ..Parts::default()
    };
    let b = build(&p);
    let (at, text) = error(&b);
    assert_eq!(at, b.code + 30);
    assert!(
        text.ends_with("expected a function body ending with `end` (0x0b), found 0x81"),
        "{text}"
    );
}

#[test]
fn duplicated_metadata_sections_are_out_of_order() {
    for section in ["linking", "target_features", "producers"] {
        // An empty symbol table or feature or producer list.
        let contents = if section == "linking" {
            vec![2]
        } else {
            vec![0]
        };
        let p = Parts {
            extra: vec![(section, contents.clone()), (section, contents)],
            ..Parts::default()
        };
        let b = build(&p);
        let (at, text) = error(&b);
        let second = if section == "linking" {
            b.extra[0]
        } else {
            b.extra[1]
        };
        assert_eq!(at, second, "{section}");
        assert_eq!(
            text,
            format!("out of order section type: 0\n>>> at offset {at:#x}")
        );
    }
}

#[test]
fn a_name_defined_twice_is_llvm_s_duplicate_symbol_name() {
    let mut p = Parts::default();
    p.symbols[1] = function_symbol(1, "a");
    let b = build(&p);
    let (at, text) = error(&b);
    assert_eq!(at, b.symbols[1]);
    assert_eq!(
        text,
        format!("duplicate symbol name a\n>>> at offset {at:#x}")
    );
    // Local symbols may share a name.
    let local = |i, n: &str| [vec![0, 2, i], vec![n.len() as u8], n.as_bytes().to_vec()].concat();
    let mut p = Parts::default();
    p.symbols[0] = local(0, "x");
    p.symbols[1] = local(1, "x");
    assert!(Object::parse(&build(&p).bytes, BASE).is_ok());
}

#[test]
fn symbol_table_indices_out_of_range_give_entry_and_index() {
    let mut p = Parts::default();
    p.symbols[1] = function_symbol(7, "b");
    let b = build(&p);
    let (at, text) = error(&b);
    assert_eq!(at, b.symbols[1]);
    assert_eq!(
        text,
        format!(
            "invalid function symbol index\n>>> at offset {at:#x}: expected an index below 2, \
             found 7"
        )
    );
    let mut p = Parts::default();
    p.symbols[3] = data_symbol("e", 5, 0, 8);
    let b = build(&p);
    let (at, text) = error(&b);
    assert_eq!(at, b.symbols[3]);
    assert!(
        text.starts_with("invalid data segment index: 5\n"),
        "{text}"
    );
    let mut p = Parts::default();
    p.symbols[3] = data_symbol("e", 1, 4, 8);
    let b = build(&p);
    let (at, text) = error(&b);
    assert_eq!(at, b.symbols[3]);
    assert!(
        text.ends_with("expected a data symbol that ends inside its segment, found 0xc"),
        "{text}"
    );
}

#[test]
fn init_functions_and_comdat_members_out_of_range_give_their_entry() {
    let p = Parts {
        init_funcs: vec![(1, 0), (2, 9)],
        ..Parts::default()
    };
    let b = build(&p);
    let (at, text) = error(&b);
    assert_eq!(at, b.init_funcs[1]);
    assert!(
        text.starts_with("invalid function symbol: 9\n") && text.ends_with("found 9"),
        "{text}"
    );
    let p = Parts {
        comdats: vec![("c", vec![(0, 1), (0, 6)])],
        ..Parts::default()
    };
    let b = build(&p);
    let (at, text) = error(&b);
    assert_eq!(at, b.comdat_members[1]);
    assert!(
        text.starts_with("COMDAT data index out of range\n")
            && text.ends_with("expected a data segment index below 2, found 6"),
        "{text}"
    );
}

#[test]
fn a_type_index_out_of_range_gives_its_entry() {
    let p = Parts {
        functions: vec![0, 3],
        ..Parts::default()
    };
    let b = build(&p);
    let (at, text) = error(&b);
    assert_eq!(at, b.functions[1]);
    assert_eq!(
        text,
        format!(
            "invalid function type\n>>> at offset {at:#x}: expected a type index below 1, found 3"
        )
    );
}

#[test]
fn errors_keep_their_kind() {
    let p = Parts {
        code_relocs: vec![(FUNC_LEB, 4, 1, 0), (FUNC_LEB, 7, 1, 0)],
        ..Parts::default()
    };
    let b = build(&p);
    let e = Object::parse(&b.bytes, BASE).expect_err("an error");
    assert!(matches!(e.kind(), ErrorKind::RelocPlace { .. }), "{e:?}");
}

/// A global import `env.g` of type i32.
fn global_import() -> Vec<u8> {
    let mut e = Vec::new();
    name(&mut e, "env");
    name(&mut e, "g");
    e.extend_from_slice(&[3, 0x7f, 0]);
    e
}

#[test]
fn undefined_symbols_are_neither_local_nor_weak_globals() {
    let undefined_global = |flags| vec![2, flags, 0];
    for (flags, expected) in [
        (
            0x12,
            "expected an undefined symbol with global or weak binding, not local, found 0x12"
                .to_string(),
        ),
        (0x11, "undefined weak global symbol\n".to_string()),
    ] {
        let mut p = Parts {
            imports: vec![global_import()],
            ..Parts::default()
        };
        p.symbols.push(undefined_global(flags));
        let b = build(&p);
        let (at, text) = error(&b);
        assert_eq!(at, b.symbols[4]);
        assert!(text.contains(&expected), "{text}");
    }
}

#[test]
fn a_global_initializer_of_another_type_is_refused() {
    // A v128 global initialized with `ref.null extern`.
    let p = Parts {
        globals: vec![vec![0x7b, 0, 0xd0, 0x6f, 0x0b]],
        ..Parts::default()
    };
    let b = build(&p);
    let (at, text) = error(&b);
    assert_eq!(at, b.globals + 2);
    assert!(
        text.ends_with("expected a global initializer of the global's value type, found 0xd0"),
        "{text}"
    );
}

#[test]
fn a_shared_table_is_refused_at_its_entry() {
    let p = Parts {
        tables: vec![vec![0x70, 0, 1], vec![0x70, 3, 1, 2]],
        ..Parts::default()
    };
    let b = build(&p);
    let (at, text) = error(&b);
    assert_eq!(at, b.tables + 3);
    assert!(text.contains("a shared table"), "{text}");
}

#[test]
fn a_data_count_that_disagrees_is_llvm_s_error() {
    let p = Parts {
        data_count: Some(3),
        ..Parts::default()
    };
    let b = build(&p);
    let (at, text) = error(&b);
    assert_eq!(at, b.data);
    assert!(
        text.starts_with("number of data segments does not match DataCount section\n"),
        "{text}"
    );
    let p = Parts {
        data_count: Some(2),
        ..Parts::default()
    };
    assert!(Object::parse(&build(&p).bytes, BASE).is_ok());
}

#[test]
fn local_declarations_past_their_body_are_refused() {
    let p = Parts {
        locals: 32,
        ..Parts::default()
    };
    let b = build(&p);
    let (at, text) = error(&b);
    assert_eq!(at, b.code + 17);
    assert!(text.contains("32 local groups"), "{text}");
}

#[test]
fn producers_and_features_follow_llvm_s_rules() {
    let mut unknown = vec![1];
    name(&mut unknown, "compiler");
    unknown.push(0);
    let mut twice = vec![2];
    for _ in 0..2 {
        twice.push(b'+');
        name(&mut twice, "simd128");
    }
    for (section, contents, expected) in [
        (
            "producers",
            unknown,
            "producers section field is not named one of language, processed-by, or sdk",
        ),
        (
            "target_features",
            twice,
            "target features section contains repeated feature \"simd128\"",
        ),
    ] {
        let p = Parts {
            extra: vec![(section, contents)],
            ..Parts::default()
        };
        let b = build(&p);
        let (at, text) = error(&b);
        assert!(at > b.extra[0] && at < b.extra[0] + 20, "{at:#x}");
        assert!(text.starts_with(&format!("{expected}\n")), "{text}");
    }
}

#[test]
fn a_code_section_with_a_body_too_few_is_llvm_s_invalid_function_count() {
    let p = Parts {
        functions: vec![0, 0, 0],
        ..Parts::default()
    };
    let b = build(&p);
    let (at, text) = error(&b);
    assert_eq!(at, b.code);
    assert!(text.starts_with("invalid function count\n"), "{text}");
}

#[test]
fn a_module_without_linking_is_llvm_s_not_a_relocatable_wasm_file() {
    let mut b = Built {
        bytes: b"\0asm\x01\0\0\0".to_vec(),
        ..Built::default()
    };
    b.section(1, None, &[1, 0x60, 0, 0]);
    let (at, text) = error(&b);
    assert_eq!(at, BASE);
    assert_eq!(
        text,
        format!(
            "not a relocatable wasm file\n>>> at offset {BASE:#x}: it has no `linking` section"
        )
    );
}
