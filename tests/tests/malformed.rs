//! Damaged objects, end to end: real objects from clang-19 and llvm-mc-19, patched one fault
//! at a time, linked by `wasm-link` and by wasm-ld-19. Where wasm-ld refuses the object, our
//! first line must be its; where it writes an invalid module (overlapping relocations, a
//! relocation outside its function body, a body that does not end on `end`), we must refuse
//! the object. Either way our error names the file and the absolute offset of the entry at
//! fault. Also: a valid program whose data points before an array links in the test's
//! profile (a debug build checks every addition) as wasm-ld links it.

use e2e_tests::{
    clang_link_line, inline_object, link_pair, node_run, run_both, workspace_root, LinkRun, Scratch,
};
use std::ffi::OsStr;
use std::ops::Range;
use wasm_format::reloc::Reloc;
use wasm_format::Module;
use wasm_object::object::Object;

/// Two functions in the code section, each with relocations, and data with a pointer.
const SOURCE: &str = "int x = 5;
int *p = &x;
__attribute__((noinline)) int f(int a) { return a * x + *p; }
__attribute__((noinline)) int g(int a) { return f(a) + x; }
int h(int a) { return g(a) + f(a); }
";

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

/// Custom section `name` of `bytes`.
fn custom<'a>(bytes: &'a [u8], name: &str) -> wasm_format::Section<'a> {
    let module = Module::parse(bytes, 0).expect("the object parses");
    let found = module
        .sections
        .into_iter()
        .find(|s| s.custom_name == Some(name));
    found.unwrap_or_else(|| panic!("no {name} section"))
}

/// The whole of custom section `name` (header included) in `bytes`.
fn section_range(bytes: &[u8], name: &str) -> Range<usize> {
    let s = custom(bytes, name);
    s.header_offset..s.contents.end()
}

/// The LEB128 at `at`: its value and where it ends.
fn read_leb(bytes: &[u8], mut at: usize) -> (usize, usize) {
    let (mut value, mut shift) = (0, 0);
    loop {
        let b = bytes[at];
        at += 1;
        value |= usize::from(b & 0x7f) << shift;
        shift += 7;
        if b & 0x80 == 0 {
            return (value, at);
        }
    }
}

/// The relocations of `reloc.*` section `name`.
fn relocs(bytes: &[u8], name: &str) -> Vec<Reloc> {
    let contents = custom(bytes, name).contents;
    wasm_format::reloc::parse_reloc_section(contents)
        .expect("relocations")
        .relocs
}

/// `bytes` with the `reloc.*` section `name` holding `relocs` instead; gives the absolute
/// offset of each entry.
fn with_relocs(bytes: &[u8], name: &str, relocs: &[Reloc]) -> (Vec<u8>, Vec<usize>) {
    let range = section_range(bytes, name);
    let contents = custom(bytes, name).contents;
    let target = wasm_format::reloc::read_reloc_section(contents)
        .expect("a relocation section")
        .target_section;
    let mut body = Vec::new();
    leb(&mut body, name.len() as u64);
    body.extend_from_slice(name.as_bytes());
    leb(&mut body, u64::from(target));
    leb(&mut body, relocs.len() as u64);
    let mut entries = Vec::new();
    for r in relocs {
        entries.push(body.len());
        body.push(r.ty as u8);
        leb(&mut body, u64::from(r.offset));
        leb(&mut body, u64::from(r.index));
        if r.ty.has_addend() {
            sleb(&mut body, r.addend);
        }
    }
    let mut section = vec![0];
    leb(&mut section, body.len() as u64);
    let at = range.start + section.len();
    section.extend_from_slice(&body);
    let out = [&bytes[..range.start], &section, &bytes[range.end..]].concat();
    (out, entries.iter().map(|e| at + e).collect())
}

/// Writes `bytes` as `bad.o` in a fresh scratch directory and links it with both linkers,
/// which run in directories beside it: both name it `../bad.o`.
fn link_bad(case: &str, bytes: &[u8]) -> (LinkRun, LinkRun) {
    let s = Scratch::new("malformed", case);
    std::fs::write(s.path("bad.o"), bytes).expect("cannot write bad.o");
    let args = ["--no-entry", "--export-all", "../bad.o"].map(OsStr::new);
    run_both(&args, &s.dir)
}

/// The first line of a run's first message.
fn first_line(run: &LinkRun) -> &str {
    let first = run.messages.first().map_or("", String::as_str);
    first.lines().next().unwrap_or("")
}

/// Our run failed with an error naming `../bad.o` and `offset` and saying `text`.
fn assert_refused(ours: &LinkRun, offset: usize, text: &str) {
    assert_ne!(ours.code, 0, "wasm-link accepted the object");
    assert!(ours.output.is_none(), "a failed link wrote output");
    let message = ours.messages.first().map_or("", String::as_str);
    assert!(message.starts_with("error: ../bad.o: "), "{message}");
    assert!(
        message.contains(&format!("at offset {offset:#x}")),
        "not at offset {offset:#x}: {message}"
    );
    assert!(message.contains(text), "{message}");
}

/// wasm-ld refused the object too, with our first line.
fn assert_same_first_line(ours: &LinkRun, theirs: &LinkRun) {
    assert_ne!(theirs.code, 0, "wasm-ld-19 accepted the object");
    assert_eq!(first_line(ours), first_line(theirs));
}

/// wasm-ld "linked" the object into a module that does not validate: why we refuse it.
fn assert_wasm_ld_writes_garbage(theirs: &LinkRun) {
    assert_eq!(theirs.code, 0, "{:?}", theirs.messages);
    let module = theirs
        .output
        .as_deref()
        .expect("wasm-ld-19 wrote no output");
    let valid = wasmparser::Validator::new().validate_all(module);
    assert!(valid.is_err(), "wasm-ld-19's output validates");
}

fn source_object() -> Vec<u8> {
    let path = inline_object("malformed/two_functions.c", SOURCE);
    std::fs::read(path).expect("the object")
}

/// The function bodies (without size prefix) as offsets into the code section's contents,
/// and the index of the first relocation of each.
fn bodies(bytes: &[u8]) -> Vec<(Range<usize>, usize)> {
    let obj = Object::parse(bytes, 0).expect("the object parses");
    obj.functions
        .iter()
        .map(|f| {
            let start = f.body.offset - obj.code_offset;
            let prefix = f.body.bytes.iter().position(|b| b & 0x80 == 0).unwrap_or(0) + 1;
            (start + prefix..start + f.body.len(), f.relocs.start)
        })
        .collect()
}

fn code_offset(bytes: &[u8]) -> usize {
    Object::parse(bytes, 0)
        .expect("the object parses")
        .code_offset
}

#[test]
fn overlapping_relocations_are_refused_where_wasm_ld_writes_an_invalid_module() {
    let bytes = source_object();
    let mut rs = relocs(&bytes, "reloc.CODE");
    // A second relocation one byte into the first one's field: the first field's last byte
    // becomes a continuation byte, so the module wasm-ld writes cannot validate.
    let mut extra = rs[0];
    extra.offset += 1;
    rs.insert(1, extra);
    let (bad, entries) = with_relocs(&bytes, "reloc.CODE", &rs);
    let (ours, theirs) = link_bad("overlap", &bad);
    let field = code_offset(&bytes) + rs[0].offset as usize;
    let expected = format!(
        "expected a relocation clear of the one before it ({:#x}..{:#x}), found {} patching \
         {:#x}..",
        field,
        field + rs[0].ty.width().size(),
        rs[0].ty.name(),
        field + 1
    );
    assert_refused(&ours, entries[1], &expected);
    assert_wasm_ld_writes_garbage(&theirs);
}

#[test]
fn a_relocation_crossing_the_end_of_its_body_is_refused() {
    let bytes = source_object();
    let mut rs = relocs(&bytes, "reloc.CODE");
    let b = bodies(&bytes);
    assert!(b.len() >= 2 && b[1].1 > 0, "{b:?}");
    // The last relocation of the first body, moved to patch across its end.
    let k = b[1].1 - 1;
    rs[k].offset = (b[0].0.end - 2) as u32;
    let (bad, entries) = with_relocs(&bytes, "reloc.CODE", &rs);
    let (ours, theirs) = link_bad("outside", &bad);
    let code = code_offset(&bytes);
    let expected = format!(
        "expected a relocation inside a function body ({:#x}..{:#x})",
        code + b[0].0.start,
        code + b[0].0.end
    );
    assert_refused(&ours, entries[k], &expected);
    assert_wasm_ld_writes_garbage(&theirs);
}

#[test]
fn a_relocation_past_the_end_of_its_section_is_wasm_ld_s_error() {
    let bytes = source_object();
    let mut rs = relocs(&bytes, "reloc.CODE");
    let b = bodies(&bytes);
    let last = rs.len() - 1;
    rs[last].offset = (b[b.len() - 1].0.end - 2) as u32;
    let (bad, entries) = with_relocs(&bytes, "reloc.CODE", &rs);
    let (ours, theirs) = link_bad("past_section", &bad);
    assert_same_first_line(&ours, &theirs);
    assert_eq!(
        first_line(&ours),
        "error: ../bad.o: invalid relocation offset"
    );
    assert_refused(&ours, entries[last], "inside its section");
}

#[test]
fn relocations_out_of_order_are_wasm_ld_s_error() {
    let bytes = source_object();
    let mut rs = relocs(&bytes, "reloc.CODE");
    rs.swap(0, 1);
    let (bad, entries) = with_relocs(&bytes, "reloc.CODE", &rs);
    let (ours, theirs) = link_bad("unordered", &bad);
    assert_same_first_line(&ours, &theirs);
    assert_eq!(
        first_line(&ours),
        "error: ../bad.o: relocations not in offset order"
    );
    assert_refused(&ours, entries[1], "");
}

#[test]
fn a_symbol_index_out_of_range_names_its_entry_and_value() {
    let bytes = source_object();
    let mut rs = relocs(&bytes, "reloc.CODE");
    let symbols = Object::parse(&bytes, 0).expect("parses").symbols.len();
    rs[1].index = 999;
    let (bad, entries) = with_relocs(&bytes, "reloc.CODE", &rs);
    let (ours, theirs) = link_bad("symbol_index", &bad);
    // wasm-ld reads past its symbol table for the name: it refuses, its text is not stable.
    assert_ne!(theirs.code, 0);
    let expected = format!("expected a symbol index below {symbols}, found 999");
    assert_refused(&ours, entries[1], &expected);
}

#[test]
fn a_body_that_does_not_end_on_end_is_refused() {
    let bytes = source_object();
    let b = bodies(&bytes);
    let last = code_offset(&bytes) + b[0].0.end - 1;
    assert_eq!(bytes[last], 0x0b);
    // A byte with the LEB continuation bit: the next body's size prefix would swallow it.
    let mut bad = bytes.clone();
    bad[last] = 0x81;
    let (ours, theirs) = link_bad("no_end", &bad);
    assert_refused(
        &ours,
        last,
        "expected a function body ending with `end` (0x0b), found 0x81",
    );
    assert_wasm_ld_writes_garbage(&theirs);
}

#[test]
fn duplicated_metadata_sections_are_wasm_ld_s_error() {
    let bytes = source_object();
    for name in ["linking", "target_features", "producers"] {
        let range = section_range(&bytes, name);
        let copy = &bytes[range.clone()];
        let bad = [&bytes[..range.end], copy, &bytes[range.end..]].concat();
        let (ours, theirs) = link_bad(&format!("twice_{name}"), &bad);
        assert_same_first_line(&ours, &theirs);
        assert_eq!(
            first_line(&ours),
            "error: ../bad.o: out of order section type: 0"
        );
        // A second `linking` right after the first is already out of order: after it, the
        // relocation sections are.
        assert_refused(&ours, range.end, "");
    }
}

#[test]
fn a_symbol_defined_twice_in_one_object_is_wasm_ld_s_error() {
    let source = "\t.globl fa\nfa:\n\t.functype fa () -> ()\n\tend_function\n\
                  \t.globl fb\nfb:\n\t.functype fb () -> ()\n\tend_function\n";
    let bytes = std::fs::read(inline_object("malformed/twice.s", source)).expect("object");
    let linking = section_range(&bytes, "linking");
    let at: Vec<usize> = (linking.clone())
        .filter(|&i| bytes[i..].starts_with(b"\x02fb"))
        .collect();
    assert_eq!(at.len(), 1, "{at:?}");
    let mut bad = bytes.clone();
    bad[at[0] + 2] = b'a';
    let (ours, theirs) = link_bad("defined_twice", &bad);
    assert_same_first_line(&ours, &theirs);
    assert_eq!(
        first_line(&ours),
        "error: ../bad.o: duplicate symbol name fa"
    );
    // The entry of `fb`: kind, flags and index before the name, one byte each.
    assert_refused(&ours, at[0] - 3, "");
}

#[test]
fn a_data_relocation_against_a_table_symbol_is_wasm_ld_s_error() {
    // clang-19 -g describes `static __externref_t refs[0]` in .debug_info with a data
    // relocation against the table symbol.
    let path = workspace_root().join("conformance/c/externref_table.c");
    let text = std::fs::read_to_string(&path).expect("externref_table.c");
    let source = format!("// fixture-flags: -mreference-types -g\n{text}");
    let object = inline_object("malformed/externref_table.c", &source);
    let bytes = std::fs::read(&object).expect("object");
    let (ours, theirs) = link_bad("externref_debug", &bytes);
    assert_same_first_line(&ours, &theirs);
    assert_eq!(
        first_line(&ours),
        "error: ../bad.o: invalid data relocation: refs"
    );
    // The offset is that of an R_WASM_MEMORY_ADDR_I32 entry of reloc..debug_info.
    let relocs_at = section_range(&bytes, "reloc..debug_info");
    let message = &ours.messages[0];
    let offset = message
        .split("at offset 0x")
        .nth(1)
        .and_then(|t| usize::from_str_radix(t.trim(), 16).ok())
        .unwrap_or_else(|| panic!("no offset in {message}"));
    assert!(relocs_at.contains(&offset), "{message}");
    assert_eq!(bytes[offset], 5, "{message}");
}

#[test]
fn an_init_function_out_of_range_is_wasm_ld_s_error() {
    let source = "extern void hook(void);\n\
                  __attribute__((constructor)) static void init(void) { hook(); }\n\
                  int get(void) { return 1; }\n";
    let bytes = std::fs::read(inline_object("malformed/ctor.c", source)).expect("object");
    let contents = custom(&bytes, "linking").contents;
    // Version, then subsections (id, size, payload); init functions are subsection 6, here
    // one entry: priority 65535 in three bytes, then the symbol index in one.
    let mut at = contents.offset + 1;
    let entry = loop {
        assert!(at < contents.end(), "no init functions");
        let (size, payload) = read_leb(&bytes, at + 1);
        if bytes[at] == 6 {
            break payload + 1;
        }
        at = payload + size;
    };
    assert_eq!(&bytes[entry..entry + 3], &[0xff, 0xff, 0x03][..]);
    let mut bad = bytes.clone();
    bad[entry + 3] = 0x7f;
    let (ours, theirs) = link_bad("init_func", &bad);
    assert_same_first_line(&ours, &theirs);
    assert_eq!(
        first_line(&ours),
        "error: ../bad.o: invalid function symbol: 127"
    );
    assert_refused(&ours, entry, "expected a symbol index below");
}

#[test]
fn a_pointer_before_an_array_links_like_wasm_ld_in_any_profile() {
    // `buf - 1` is a relocation with addend -1: the address is computed with wrapping
    // arithmetic, which a debug build (the test's own profile) checks.
    let source = "#include <stdio.h>\nchar buf[8] = \"abcdefg\";\nchar *before = buf - 1;\n\
                  const char *at(int i) { return buf - 1 + i; }\n\
                  int main(int argc, char **argv) {\n  (void)argv;\n\
                  printf(\"%c%c\\n\", before[2], *at(argc + 2));\n  return 0;\n}\n";
    let object = inline_object("malformed/before.c", source);
    let line = clang_link_line(
        "clang-19",
        &[
            OsStr::new("--target=wasm32-wasi"),
            OsStr::new("--sysroot=/usr"),
            object.as_os_str(),
        ],
    );
    let mut args = Vec::new();
    let mut words = line.into_iter();
    while let Some(w) = words.next() {
        if w == "-o" {
            words.next();
        } else {
            args.push(w.into());
        }
    }
    let pair = link_pair("malformed", "before", &args);
    pair.assert_identical("buf - 1");
    let (stdout, code) = node_run(&pair.ours.path);
    assert_eq!((stdout.as_str(), code), ("bd\n", 0));
}
