//! Damaged objects end to end: an object assembled by llvm-mc-19 is damaged in one place and
//! linked by `wasm-link`. The link must fail with one error naming the file, the absolute
//! offset of the damage and what was expected there (or wasm-ld-19's message, where wasm-ld
//! refuses the object too), and leave no output behind. The offsets are worked out here, from
//! the damaged bytes, not taken from the linker.
//!
//! Also: programs with negative addends link with a debug build of the linker (overflow
//! checks on) exactly as with wasm-ld-19.

use e2e_tests::{require_tool, run_tool, target_dir, workspace_root};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use wasm_format::reloc::{parse_reloc_section, Reloc};
use wasm_format::{Module, SectionId, Window};

/// Two functions reading data through relocations, a constructor, a comdat function and two
/// data segments, one holding addresses.
const SOURCE: &str = r#"
  .functype helper () -> (i32)
  .section .text.helper,"",@
  .globl helper
  .type helper,@function
helper:
  .functype helper () -> (i32)
  i32.const value
  i32.load 0
  end_function

  .section .text.ctor,"",@
  .type ctor,@function
ctor:
  .functype ctor () -> ()
  end_function

  .section .text.inline_fn,"G",@,inline_fn
  .weak inline_fn
  .type inline_fn,@function
inline_fn:
  .functype inline_fn () -> (i32)
  i32.const 3
  end_function

  .section .text._start,"",@
  .globl _start
  .type _start,@function
_start:
  .functype _start () -> ()
  call helper
  i32.const ptr
  i32.load 0
  i32.add
  call inline_fn
  i32.add
  drop
  end_function

  .section .data.value,"",@
  .globl value
  .p2align 2
value:
  .int32 7
  .size value, 4

  .section .data.ptr,"",@
  .globl ptr
  .p2align 2
ptr:
  .int32 value
  .int32 value+4
  .size ptr, 8

  .section .init_array,"",@
  .p2align 2
  .int32 ctor
"#;

/// The `wasm-link` binary, built in this test's profile.
fn wasm_link() -> &'static Path {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| e2e_tests::cli_binary("wasm-link"))
}

/// A fresh scratch directory for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = target_dir().join("e2e-malformed").join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("cannot create scratch dir");
    dir
}

/// One section: its id, its name if custom, and its contents after the name.
#[derive(Clone)]
struct Sec {
    id: u8,
    name: Option<String>,
    payload: Vec<u8>,
}

/// An object split into sections, to damage and put back together.
#[derive(Clone)]
struct Obj(Vec<Sec>);

impl Obj {
    /// Assembles `source` with llvm-mc-19.
    fn assemble(dir: &Path, source: &str) -> Obj {
        let o = assemble_file(dir, "source", source);
        Obj::parse(&std::fs::read(&o).unwrap())
    }

    fn parse(bytes: &[u8]) -> Obj {
        let module = Module::parse(bytes, 0).expect("the object parses");
        Obj(module
            .sections
            .iter()
            .map(|s| Sec {
                id: s.id as u8,
                name: s.custom_name.map(str::to_owned),
                payload: s.contents.bytes.to_vec(),
            })
            .collect())
    }

    fn bytes(&self) -> Vec<u8> {
        let mut out = b"\0asm\x01\0\0\0".to_vec();
        for s in &self.0 {
            let mut body = Vec::new();
            if let Some(name) = &s.name {
                uleb(&mut body, name.len() as u64);
                body.extend_from_slice(name.as_bytes());
            }
            body.extend_from_slice(&s.payload);
            out.push(s.id);
            uleb(&mut out, body.len() as u64);
            out.extend_from_slice(&body);
        }
        out
    }

    fn position(&self, id: u8, name: Option<&str>) -> usize {
        self.0
            .iter()
            .position(|s| s.id == id && s.name.as_deref() == name)
            .unwrap_or_else(|| panic!("no section {id} {name:?}"))
    }

    fn section(&mut self, id: u8, name: Option<&str>) -> &mut Sec {
        let k = self.position(id, name);
        &mut self.0[k]
    }

    /// The absolute offset of a section's contents in [`bytes`](Self::bytes).
    fn contents_offset(&self, id: u8, name: Option<&str>) -> usize {
        let k = self.position(id, name);
        Module::parse(&self.bytes(), 0).unwrap().sections[k]
            .contents
            .offset
    }

    /// The target and the relocations of the section `reloc.NAME`.
    fn relocs(&self, name: &str) -> (u32, Vec<Reloc>) {
        let sec = &self.0[self.position(0, Some(name))];
        let parsed = parse_reloc_section(Window::new(&sec.payload, 0)).unwrap();
        (parsed.target_section, parsed.relocs)
    }

    /// Replaces the relocations of `reloc.NAME`; returns the offset of each entry within the
    /// section's contents.
    fn set_relocs(&mut self, name: &str, target: u32, relocs: &[Reloc]) -> Vec<usize> {
        let mut payload = Vec::new();
        uleb(&mut payload, u64::from(target));
        uleb(&mut payload, relocs.len() as u64);
        let mut entries = Vec::new();
        for r in relocs {
            entries.push(payload.len());
            payload.push(r.ty as u8);
            uleb(&mut payload, u64::from(r.offset));
            uleb(&mut payload, u64::from(r.index));
            if r.ty.has_addend() {
                sleb(&mut payload, r.addend);
            }
        }
        self.section(0, Some(name)).payload = payload;
        entries
    }

    fn write(&self, path: &Path) {
        std::fs::write(path, self.bytes()).unwrap();
    }
}

fn uleb(out: &mut Vec<u8>, mut v: u64) {
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

const CODE: u8 = SectionId::Code as u8;
const DATA: u8 = SectionId::Data as u8;

/// Links `obj` (written as `name` in `dir`) and returns the first error without the
/// `wasm-link: error: ` prefix (its first line, and the `>>>` lines after it); the link must
/// fail and write nothing.
fn link_error(dir: &Path, name: &str, obj: &Obj) -> String {
    let input = dir.join(name);
    obj.write(&input);
    let out = dir.join("out.wasm");
    let _ = std::fs::remove_file(&out);
    let o = Command::new(wasm_link())
        .arg(&input)
        .arg("-o")
        .arg(&out)
        .output()
        .expect("cannot run wasm-link");
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    assert_eq!(o.status.code(), Some(1), "{name} linked: {err}");
    assert!(!out.exists(), "{name}: a failed link left an output");
    let mut lines = err.lines();
    let first = lines.next().unwrap_or_default();
    let first = first
        .strip_prefix("wasm-link: error: ")
        .unwrap_or_else(|| panic!("not an error line: {first}"));
    let more = lines.take_while(|l| l.starts_with(">>> "));
    std::iter::once(first)
        .chain(more)
        .collect::<Vec<_>>()
        .join("\n")
}

/// The first error line of wasm-ld-19 on the same input, without its prefix, if it fails.
fn wasm_ld_error(dir: &Path, name: &str) -> Option<String> {
    let o = Command::new(require_tool("wasm-ld-19"))
        .arg(dir.join(name))
        .arg("-o")
        .arg(dir.join("ref.wasm"))
        .output()
        .expect("cannot run wasm-ld-19");
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    let first = err.lines().next()?.strip_prefix("wasm-ld-19: error: ")?;
    (!o.status.success()).then(|| first.to_string())
}

/// `FILE: at offset 0xN: ` as our errors start.
fn at(dir: &Path, name: &str, offset: usize) -> String {
    format!("{}: at offset {offset:#x}: ", dir.join(name).display())
}

/// wasm-ld-19 refuses `name` too, and its message is the first line of ours, `err`.
fn assert_wasm_ld_first_line(dir: &Path, name: &str, err: &str) {
    let reference = wasm_ld_error(dir, name).expect("wasm-ld-19 refuses it too");
    assert_eq!(err.lines().next(), Some(reference.as_str()));
}

/// `FILE: MESSAGE` and `>>> at offset 0xN` after it, as errors in LLVM's words read; `detail`
/// (what was expected and found), if any, follows the offset.
fn llvm_at(dir: &Path, name: &str, message: &str, offset: usize, detail: &str) -> String {
    let file = dir.join(name);
    let detail = if detail.is_empty() {
        String::new()
    } else {
        format!(": {detail}")
    };
    format!(
        "{}: {message}\n>>> at offset {offset:#x}{detail}",
        file.display()
    )
}

/// What the relocation error of a 5-byte (or `width`) relocation says after its offset.
fn patches(ty: &str, width: usize, expected: &str, limit: usize) -> String {
    format!("expected the {width} bytes {ty} patches to lie {expected} {limit:#x}")
}

#[test]
fn the_undamaged_object_links_and_validates() {
    let dir = scratch("undamaged");
    let obj = Obj::assemble(&dir, SOURCE);
    obj.write(&dir.join("ok.o"));
    let out = dir.join("ok.wasm");
    let o = Command::new(wasm_link())
        .arg(dir.join("ok.o"))
        .arg("-o")
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    wasmparser::Validator::new()
        .validate_all(&std::fs::read(out).unwrap())
        .expect("valid output");
}

#[test]
fn overlapping_relocations_are_refused_at_the_second() {
    let dir = scratch("overlap");
    let obj = Obj::assemble(&dir, SOURCE);
    // Code: `call helper` (at 0x18) and `i32.const ptr` (at 0x1e); move the second onto the
    // last two bytes of the first.
    let mut code = obj.clone();
    let (target, mut relocs) = code.relocs("reloc.CODE");
    assert_eq!((relocs[1].offset, relocs[2].offset), (0x18, 0x1e));
    relocs[2].offset = 0x1b;
    code.set_relocs("reloc.CODE", target, &relocs);
    let base = code.contents_offset(CODE, None);
    let err = link_error(&dir, "code.o", &code);
    let expected = patches(
        "R_WASM_MEMORY_ADDR_SLEB",
        5,
        "after the previous relocation's, which end at",
        base + 0x1d,
    );
    assert_eq!(err, at(&dir, "code.o", base + 0x1b) + &expected);
    // Data: the two words of `ptr` (at 0xf and 0x13); the second two bytes earlier.
    let mut data = obj.clone();
    let (target, mut relocs) = data.relocs("reloc.DATA");
    relocs[1].offset -= 2;
    data.set_relocs("reloc.DATA", target, &relocs);
    let base = data.contents_offset(DATA, None);
    let err = link_error(&dir, "data.o", &data);
    let expected = patches(
        "R_WASM_MEMORY_ADDR_I32",
        4,
        "after the previous relocation's, which end at",
        base + 0x13,
    );
    assert_eq!(err, at(&dir, "data.o", base + 0x11) + &expected);
}

#[test]
fn relocations_outside_their_atom_are_refused() {
    let dir = scratch("outside");
    let obj = Obj::assemble(&dir, SOURCE);
    // `helper`'s body is 0x2..0xd of the code section (count, size, 11 bytes); its relocation
    // at 0x4 moved so that its five bytes cross the body's end.
    let mut code = obj.clone();
    let (target, mut relocs) = code.relocs("reloc.CODE");
    relocs[0].offset = 0xa;
    code.set_relocs("reloc.CODE", target, &relocs);
    let base = code.contents_offset(CODE, None);
    let err = link_error(&dir, "crossing.o", &code);
    let expected = "inside their function body, which ends at";
    let expected = patches("R_WASM_MEMORY_ADDR_SLEB", 5, expected, base + 0xd);
    assert_eq!(err, at(&dir, "crossing.o", base + 0xa) + &expected);

    // A data relocation in the header of `ptr`'s segment (flags, offset expression, size at
    // 0xa..0xf), before its bytes.
    let mut data = obj.clone();
    let (target, mut relocs) = data.relocs("reloc.DATA");
    let header = Reloc {
        offset: 0xa,
        ..relocs[0]
    };
    relocs.insert(0, header);
    data.set_relocs("reloc.DATA", target, &relocs);
    let base = data.contents_offset(DATA, None);
    let err = link_error(&dir, "header.o", &data);
    let expected = "inside a data segment; the next one starts at";
    let expected = patches("R_WASM_MEMORY_ADDR_I32", 4, expected, base + 0xf);
    assert_eq!(err, at(&dir, "header.o", base + 0xa) + &expected);

    // The last word of `ptr` moved past the data section's end; wasm-ld refuses it too.
    let mut past = obj.clone();
    let (target, mut relocs) = past.relocs("reloc.DATA");
    let len = past.section(DATA, None).payload.len();
    relocs[1].offset = len as u32 - 2;
    past.set_relocs("reloc.DATA", target, &relocs);
    let base = past.contents_offset(DATA, None);
    let err = link_error(&dir, "past.o", &past);
    let expected = "inside their section, which ends at";
    let expected = patches("R_WASM_MEMORY_ADDR_I32", 4, expected, base + len);
    let message = "invalid relocation offset";
    let at = base + len - 2;
    assert_eq!(err, llvm_at(&dir, "past.o", message, at, &expected));
    assert_wasm_ld_first_line(&dir, "past.o", &err);
}

#[test]
fn relocations_out_of_order_are_refused_as_wasm_ld_does() {
    let dir = scratch("order");
    let mut obj = Obj::assemble(&dir, SOURCE);
    let (target, mut relocs) = obj.relocs("reloc.CODE");
    relocs.swap(1, 2);
    let entries = obj.set_relocs("reloc.CODE", target, &relocs);
    let base = obj.contents_offset(0, Some("reloc.CODE"));
    let err = link_error(&dir, "order.o", &obj);
    let message = "relocations not in offset order";
    let expected = llvm_at(&dir, "order.o", message, base + entries[2], "");
    assert_eq!(err, expected);
    assert_wasm_ld_first_line(&dir, "order.o", &err);
}

#[test]
fn a_relocation_patches_a_padded_leb() {
    let dir = scratch("padded");
    let mut obj = Obj::assemble(&dir, SOURCE);
    // `call helper` is `10` then a padded LEB at 0x18..0x1d. A relocation at 0x17 starts on
    // the opcode, which ends a LEB at once; one at 0x19 has a fourth byte, at 0x1c, that does.
    let (target, relocs) = obj.relocs("reloc.CODE");
    let base = obj.contents_offset(CODE, None);
    for (offset, bad, found) in [(0x17, 0x17, "0x10"), (0x19, 0x1c, "0x0")] {
        let mut relocs = relocs.clone();
        relocs[1].offset = offset;
        obj.set_relocs("reloc.CODE", target, &relocs);
        let err = link_error(&dir, "padded.o", &obj);
        assert_eq!(
            err,
            at(&dir, "padded.o", base + bad)
                + "expected a continuation byte (0x80 set) of the padded LEB128 a relocation \
                   patches, found "
                + found
        );
    }
}

#[test]
fn a_body_not_ending_with_end_is_refused_at_its_last_byte() {
    let dir = scratch("end");
    let mut obj = Obj::assemble(&dir, SOURCE);
    // `helper`'s body is 0x2..0xd; its `end` at 0xc becomes a `nop`.
    let code = &mut obj.section(CODE, None).payload;
    assert_eq!(code[0xc], 0x0b);
    code[0xc] = 0x01;
    let base = obj.contents_offset(CODE, None);
    let err = link_error(&dir, "end.o", &obj);
    assert_eq!(
        err,
        at(&dir, "end.o", base + 0xc)
            + "expected a function body ending with `end` (0x0b), found 0x1"
    );
}

#[test]
fn repeated_metadata_sections_are_refused_as_wasm_ld_does() {
    let dir = scratch("repeated");
    let src = dir.join("c.c");
    std::fs::write(&src, "int value = 7;\nint get(void) { return value; }\n").unwrap();
    let o = dir.join("c.o");
    let args = ["--target=wasm32-unknown-unknown", "-O1", "-c", "-o"];
    let mut argv: Vec<&std::ffi::OsStr> = args.iter().map(|a| a.as_ref()).collect();
    argv.push(o.as_os_str());
    argv.push(src.as_os_str());
    run_tool("clang-19", &argv);
    let obj = Obj::parse(&std::fs::read(&o).unwrap());
    for name in ["linking", "target_features", "producers"] {
        let mut twice = obj.clone();
        let k = twice.position(0, Some(name));
        let copy = twice.0[k].clone();
        twice.0.push(copy);
        let file = format!("{name}.o");
        let header =
            Module::parse(&twice.bytes(), 0).unwrap().sections[twice.0.len() - 1].header_offset;
        let err = link_error(&dir, &file, &twice);
        let message = "out of order section type: 0";
        assert_eq!(err, llvm_at(&dir, &file, message, header, ""));
        assert_wasm_ld_first_line(&dir, &file, &err);
    }
}

#[test]
fn a_symbol_defined_twice_in_one_object_is_wasm_ld_s_error() {
    let dir = scratch("twice");
    // Functions `fa` and `fb`, data `value` and `point`: the second of each is renamed to the
    // first's name in the symbol table (names of one length, so that sizes stay).
    let source = SOURCE
        .replace("inline_fn", "fa")
        .replace(".weak fa", ".globl fa")
        .replace("helper", "fb")
        .replace("ptr", "point");
    let obj = Obj::assemble(&dir, &source);
    for (from, to, file) in [("fb", "fa", "function.o"), ("point", "value", "data.o")] {
        let mut twice = obj.clone();
        let linking = &mut twice.section(0, Some("linking")).payload;
        let pattern = [&[from.len() as u8], from.as_bytes()].concat();
        let at = linking
            .windows(pattern.len())
            .position(|w| w == pattern)
            .expect("the name is in the symbol table");
        linking[at + 1..at + pattern.len()].copy_from_slice(to.as_bytes());
        let err = link_error(&dir, file, &twice);
        let reference = wasm_ld_error(&dir, file).expect("wasm-ld-19 refuses it too");
        assert_eq!(err, reference);
        assert!(
            err.ends_with(&format!("duplicate symbol name {to}")),
            "{err}"
        );
    }
}

/// Where subsection `id` of a `linking` section's contents starts (after its id and size).
fn subsection(linking: &[u8], id: u8) -> usize {
    let mut at = 1; // the version
    loop {
        let (size, len) = read_uleb(&linking[at + 1..]);
        if linking[at] == id {
            return at + 1 + len;
        }
        at += 1 + len + size as usize;
    }
}

/// A LEB128 and its length.
fn read_uleb(bytes: &[u8]) -> (u64, usize) {
    let mut value = 0;
    for (k, b) in bytes.iter().enumerate() {
        value |= u64::from(b & 0x7f) << (7 * k);
        if b & 0x80 == 0 {
            return (value, k + 1);
        }
    }
    panic!("unterminated LEB128")
}

#[test]
fn out_of_range_indices_name_their_entry_and_the_value() {
    let dir = scratch("indices");
    let obj = Obj::assemble(&dir, SOURCE);
    let linking = obj.contents_offset(0, Some("linking"));
    let payload = |o: &Obj| o.0[o.position(0, Some("linking"))].payload.clone();

    // A relocation naming symbol 0x7f, which does not exist: at its entry.
    let mut bad = obj.clone();
    let (target, mut relocs) = bad.relocs("reloc.CODE");
    relocs[1].index = 0x7f;
    let entries = bad.set_relocs("reloc.CODE", target, &relocs);
    let at_entry = bad.contents_offset(0, Some("reloc.CODE")) + entries[1];
    assert_eq!(
        link_error(&dir, "reloc.o", &bad),
        at(&dir, "reloc.o", at_entry) + "expected a symbol index below 6, found 127"
    );

    // The init function (priority 65535, three bytes; then the symbol, 2) naming symbol 0x7f.
    let mut bad = obj.clone();
    let init = subsection(&payload(&bad), 6);
    let entry = init + 1;
    bad.section(0, Some("linking")).payload[entry + 3] = 0x7f;
    let err = link_error(&dir, "init.o", &bad);
    assert_eq!(
        err,
        llvm_at(
            &dir,
            "init.o",
            "invalid function symbol: 127",
            linking + entry,
            "expected an init function naming a function symbol, found 0x7f"
        )
    );
    assert_wasm_ld_first_line(&dir, "init.o", &err);

    // The comdat's one member (after the count, the name `inline_fn`, the flags and the
    // member count) naming function 0x7f.
    let mut bad = obj.clone();
    let member = subsection(&payload(&bad), 7) + 1 + 1 + "inline_fn".len() + 1 + 1;
    assert_eq!(payload(&bad)[member], 1, "a function member");
    bad.section(0, Some("linking")).payload[member + 1] = 0x7f;
    let err = link_error(&dir, "comdat.o", &bad);
    assert_eq!(
        err,
        llvm_at(
            &dir,
            "comdat.o",
            "COMDAT function index out of range",
            linking + member,
            "expected a comdat member's function index naming a function defined in the \
             object, found 0x7f"
        )
    );
    assert_wasm_ld_first_line(&dir, "comdat.o", &err);

    // Symbol 0, `helper` (kind, flags, then its function index), naming function 0x7f.
    let mut bad = obj.clone();
    let symbol = subsection(&payload(&bad), 8) + 1;
    bad.section(0, Some("linking")).payload[symbol + 2] = 0x7f;
    let err = link_error(&dir, "symbol.o", &bad);
    assert_eq!(
        err,
        llvm_at(
            &dir,
            "symbol.o",
            "invalid function symbol index",
            linking + symbol,
            "expected a defined function symbol's index naming a function defined in the \
             object, found 0x7f"
        )
    );
    assert_wasm_ld_first_line(&dir, "symbol.o", &err);

    // Function 1 (after the count and function 0) of type 0x7f.
    let mut bad = obj.clone();
    let function = SectionId::Function as u8;
    bad.section(function, None).payload[2] = 0x7f;
    let err = link_error(&dir, "type.o", &bad);
    assert_eq!(
        err,
        llvm_at(
            &dir,
            "type.o",
            "invalid function type",
            bad.contents_offset(function, None) + 2,
            "expected a type index below the type count, found 0x7f"
        )
    );
    assert_wasm_ld_first_line(&dir, "type.o", &err);
}

#[test]
fn a_second_standard_or_relocation_section_is_refused() {
    let dir = scratch("second");
    let obj = Obj::assemble(&dir, SOURCE);
    // A second type section, right after the first: wasm-ld's error, at its header.
    let mut types = obj.clone();
    let copy = types.0[0].clone();
    types.0.insert(1, copy);
    let header = Module::parse(&types.bytes(), 0).unwrap().sections[1].header_offset;
    let err = link_error(&dir, "types.o", &types);
    let message = "out of order section type: 1";
    assert_eq!(err, llvm_at(&dir, "types.o", message, header, ""));
    assert_wasm_ld_first_line(&dir, "types.o", &err);
    // A second, empty `reloc.CODE`: wasm-ld applies both, we would have kept only the last.
    let mut relocs = obj.clone();
    let k = relocs.position(0, Some("reloc.CODE"));
    let (target, _) = relocs.relocs("reloc.CODE");
    let mut empty = relocs.0[k].clone();
    empty.payload = vec![target as u8, 0];
    relocs.0.insert(k + 1, empty);
    let second = Module::parse(&relocs.bytes(), 0).unwrap().sections[k + 1]
        .contents
        .offset;
    let err = link_error(&dir, "relocs.o", &relocs);
    assert_eq!(
        err,
        at(&dir, "relocs.o", second)
            + &format!("expected one relocation section per target section, found {target:#x}")
    );
}

#[test]
fn undefined_weak_globals_and_tables_are_wasm_ld_s_errors() {
    let dir = scratch("weak");
    let source = "
  .globaltype g, i32
  .tabletype t, externref
  .section .text.f,\"\",@
  .globl f
  .type f,@function
f:
  .functype f () -> (i32)
  global.get g
  table.size t
  i32.add
  end_function
";
    let args = [
        "-triple=wasm32-unknown-unknown",
        "-mattr=+reference-types",
        "-filetype=obj",
        "-o",
    ];
    let (s, o) = (dir.join("weak.s"), dir.join("weak.o"));
    std::fs::write(&s, source).unwrap();
    let mut argv: Vec<&std::ffi::OsStr> = args.iter().map(|a| a.as_ref()).collect();
    argv.push(o.as_os_str());
    argv.push(s.as_os_str());
    run_tool("llvm-mc-19", &argv);
    let obj = Obj::parse(&std::fs::read(&o).unwrap());
    // Symbols: `f`, then the undefined `g` and `t` (kind, flags 0x10, index; no name).
    let symbols = subsection(&obj.0[obj.position(0, Some("linking"))].payload, 8) + 1;
    let linking = obj.contents_offset(0, Some("linking"));
    let f_len = 3 + 1 + 1; // kind, flags, index, then the name `f`
    for (k, file, message) in [
        (1, "global.o", "undefined weak global symbol"),
        (2, "table.o", "undefined weak table symbol"),
    ] {
        let mut weak = obj.clone();
        let entry = symbols + f_len + 3 * (k - 1);
        let payload = &mut weak.section(0, Some("linking")).payload;
        assert_eq!(payload[entry + 1], 0x10, "an undefined symbol");
        payload[entry + 1] = 0x11;
        let err = link_error(&dir, file, &weak);
        assert_eq!(err, llvm_at(&dir, file, message, linking + entry, ""));
        assert_wasm_ld_first_line(&dir, file, &err);
    }
}

/// The linker's arguments for `object`, from clang-19's own link line (`-###`), without `-o`.
fn clang_link_args(dir: &Path, object: &Path) -> Vec<String> {
    let out = Command::new(require_tool("clang-19"))
        .args(["--target=wasm32-wasi", "--sysroot=/usr", "-O2", "-###"])
        .arg(object)
        .args(["-o", "unused.wasm"])
        .current_dir(dir)
        .output()
        .expect("cannot run clang-19");
    let text = String::from_utf8_lossy(&out.stderr);
    let line = text
        .lines()
        .find(|l| l.contains("wasm-ld"))
        .unwrap_or_else(|| panic!("no link line in clang -###:\n{text}"));
    let args: Vec<String> = line
        .split('"')
        .skip(1)
        .step_by(2)
        .skip(1)
        .map(str::to_owned)
        .collect();
    let o = args.iter().position(|a| a == "-o").expect("an -o");
    [&args[..o], &args[o + 2..]].concat()
}

/// Negative addends (`buf - 1`, a pointer before a merged string) wrap like wasm-ld's 32-bit
/// addresses; a debug build of the linker, with overflow checks, once panicked on them.
#[test]
fn negative_addends_link_in_a_debug_build_as_with_wasm_ld() {
    let dir = scratch("negative");
    let src = dir.join("neg.c");
    std::fs::write(
        &src,
        r#"#include <stdio.h>
char buf[8];
char *before = buf - 1;
const char *str = "abcdef" - 2;
int main(void) {
  printf("%d %c\n", (int)(buf - before), str[3]);
  return before + 1 == buf ? 0 : 1;
}
"#,
    )
    .unwrap();
    let object = dir.join("neg.o");
    let compile = ["--target=wasm32-wasi", "--sysroot=/usr", "-O2", "-c", "-o"];
    let mut argv: Vec<&std::ffi::OsStr> = compile.iter().map(|a| a.as_ref()).collect();
    argv.push(object.as_os_str());
    argv.push(src.as_os_str());
    run_tool("clang-19", &argv);
    let debug = e2e_tests::cli_binary_in("wasm-link", false);
    let args = clang_link_args(&dir, &object);
    for extra in [&[][..], &["--global-base=0"], &["-O0"]] {
        // One output name for both: it shows in the output.
        let link = |linker: &Path, sub: &str| {
            let out = dir.join(sub).join("prog.wasm");
            std::fs::create_dir_all(out.parent().unwrap()).unwrap();
            let o = Command::new(linker)
                .args(&args)
                .args(extra)
                .arg("-o")
                .arg(&out)
                .output()
                .expect("cannot run the linker");
            assert!(
                o.status.success(),
                "{} {extra:?}: {}",
                linker.display(),
                String::from_utf8_lossy(&o.stderr)
            );
            out
        };
        let ours = link(&debug, "ours");
        let theirs = link(&require_tool("wasm-ld-19"), "ref");
        let bytes = std::fs::read(&ours).unwrap();
        assert!(
            bytes == std::fs::read(&theirs).unwrap(),
            "{extra:?}: not wasm-ld-19's bytes"
        );
        assert_eq!(
            e2e_tests::node_run(&ours),
            ("1 b\n".to_string(), 0),
            "{extra:?}"
        );
    }
}

#[test]
fn a_relocation_naming_a_symbol_of_another_kind_is_wasm_ld_s_error() {
    let dir = scratch("kind");
    let mut obj = Obj::assemble(&dir, SOURCE);
    // `ptr`'s first word names `value` (symbol 1); made to name `helper` (symbol 0).
    let (target, mut relocs) = obj.relocs("reloc.DATA");
    relocs[0].index = 0;
    let entries = obj.set_relocs("reloc.DATA", target, &relocs);
    let base = obj.contents_offset(0, Some("reloc.DATA"));
    let err = link_error(&dir, "kind.o", &obj);
    let message = "invalid data relocation: helper";
    let detail = "expected a relocation naming a data symbol, found 0x0";
    assert_eq!(
        err,
        llvm_at(&dir, "kind.o", message, base + entries[0], detail)
    );
    assert_wasm_ld_first_line(&dir, "kind.o", &err);
}

#[test]
fn a_debug_data_relocation_against_an_externref_table_is_wasm_ld_s_error() {
    // clang-19 -g describes `static __externref_t refs[0]` in .debug_info with a data
    // relocation against the table symbol, which LLVM's reader refuses.
    let dir = scratch("externref");
    let src = workspace_root().join("conformance/c/externref_table.c");
    let o = dir.join("externref.o");
    let args = [
        "--target=wasm32-wasi",
        "--sysroot=/usr",
        "-mreference-types",
        "-g",
        "-c",
        "-w",
        "-o",
    ];
    let mut argv: Vec<&std::ffi::OsStr> = args.iter().map(|a| a.as_ref()).collect();
    argv.push(o.as_os_str());
    argv.push(src.as_os_str());
    run_tool("clang-19", &argv);
    let obj = Obj::parse(&std::fs::read(&o).unwrap());
    let err = link_error(&dir, "externref.o", &obj);
    assert_wasm_ld_first_line(&dir, "externref.o", &err);
    let file = dir.join("externref.o").display().to_string();
    let first = format!("{file}: invalid data relocation: refs\n>>> at offset 0x");
    assert!(err.starts_with(&first), "{err}");
    // The offset is that of an R_WASM_MEMORY_ADDR_I32 entry of `reloc..debug_info`.
    let hex = err[first.len()..].split(':').next().unwrap_or_default();
    let offset = usize::from_str_radix(hex, 16).unwrap_or_else(|_| panic!("{err}"));
    let bytes = obj.bytes();
    let k = obj.position(0, Some("reloc..debug_info"));
    let section = Module::parse(&bytes, 0).unwrap().sections[k];
    let entries = section.contents.offset..section.contents.end();
    assert!(entries.contains(&offset), "{err}");
    assert_eq!(bytes[offset], 5, "R_WASM_MEMORY_ADDR_I32: {err}");
}

#[test]
fn more_of_llvm_s_refusals_give_its_first_line() {
    let dir = scratch("llvm");
    let obj = Obj::assemble(&dir, SOURCE);
    let data_section = obj.contents_offset(DATA, None);
    // A DataCount of 3 for two segments: at the data section.
    let mut count = obj.clone();
    count.section(SectionId::DataCount as u8, None).payload = vec![3];
    let message = "number of data segments does not match DataCount section";
    // A producers field LLVM does not know, and a feature listed twice: at their sections.
    let mut field = obj.clone();
    let mut payload = vec![1];
    payload.extend_from_slice(b"\x08compiler\x00");
    field.0.push(Sec {
        id: 0,
        name: Some("producers".into()),
        payload,
    });
    let producers = "producers section field is not named one of language, processed-by, or sdk";
    let mut twice = obj.clone();
    twice.0.push(Sec {
        id: 0,
        name: Some("target_features".into()),
        payload: b"\x02+\x07simd128+\x07simd128".to_vec(),
    });
    let repeated = "target features section contains repeated feature \"simd128\"";
    // No `linking` section (nor relocations): at the start of the file.
    let mut plain = obj.clone();
    plain.0.retain(|s| s.name.is_none());
    let cases = [
        (count, "count.o", message, data_section),
        (field, "field.o", producers, 0),
        (twice, "twice.o", repeated, 0),
        (plain, "plain.o", "not a relocatable wasm file", 0),
    ];
    for (bad, file, message, mut offset) in cases {
        if offset == 0 && !matches!(file, "plain.o") {
            offset = bad.contents_offset(0, bad.0.last().unwrap().name.as_deref());
        }
        let err = link_error(&dir, file, &bad);
        let expected = llvm_at(&dir, file, message, offset, "");
        assert!(err.starts_with(&expected), "{err}\nnot\n{expected}");
        assert_wasm_ld_first_line(&dir, file, &err);
    }
}

#[test]
fn local_declarations_past_their_body_are_refused() {
    let dir = scratch("locals");
    let mut obj = Obj::assemble(&dir, SOURCE);
    // The first body: count, size, then its local groups' count (0); 32 groups cannot fit.
    let code = obj.contents_offset(CODE, None);
    let body = &mut obj.section(CODE, None).payload;
    assert_eq!(body[2], 0, "no locals");
    body[2] = 32;
    let err = link_error(&dir, "locals.o", &obj);
    assert!(
        err.starts_with(&at(&dir, "locals.o", code + 2))
            && err.contains("count of 32 local groups cannot fit"),
        "{err}"
    );
}

/// An entry point alone, or one that calls `helper` (which [`SOURCE`] defines), assembled.
fn entry_object(dir: &Path, name: &str, calls_helper: bool) -> PathBuf {
    let call = if calls_helper {
        "  .functype helper () -> (i32)\n"
    } else {
        ""
    };
    let body = if calls_helper {
        "  call helper\n  drop\n"
    } else {
        ""
    };
    let source = format!(
        "{call}  .section .text._start,\"\",@\n  .globl _start\n  .type _start,@function\n\
         _start:\n  .functype _start () -> ()\n{body}  end_function\n"
    );
    assemble_file(dir, name, &source)
}

/// Assembles `source` with llvm-mc-19 as `dir/NAME.o` (from `dir/NAME.s`).
fn assemble_file(dir: &Path, name: &str, source: &str) -> PathBuf {
    let (s, o) = (dir.join(format!("{name}.s")), dir.join(format!("{name}.o")));
    std::fs::write(&s, source).unwrap();
    let args = ["-triple=wasm32-unknown-unknown", "-filetype=obj", "-o"];
    let mut argv: Vec<&std::ffi::OsStr> = args.iter().map(|a| a.as_ref()).collect();
    argv.push(o.as_os_str());
    argv.push(s.as_os_str());
    run_tool("llvm-mc-19", &argv);
    o
}

/// Relocations of archive members are decoded only when a member is loaded, but one that is
/// never loaded is still checked (LLVM's object reader refuses it as wasm-ld reads the
/// archive): a bad relocation fails the link either way, at any thread count, and nothing is
/// written.
#[test]
fn a_bad_relocation_in_an_archive_member_is_refused_loaded_or_not() {
    let dir = scratch("member");
    let mut obj = Obj::assemble(&dir, SOURCE);
    let (target, mut relocs) = obj.relocs("reloc.CODE");
    relocs.swap(1, 2);
    obj.set_relocs("reloc.CODE", target, &relocs);
    obj.write(&dir.join("bad.o"));
    let lib = dir.join("libbad.a");
    // No symbol index: llvm-ar reads the objects to make one, and refuses this one.
    let argv: Vec<&std::ffi::OsStr> = vec!["rcS".as_ref(), lib.as_os_str(), "bad.o".as_ref()];
    let o = Command::new(require_tool("llvm-ar-19"))
        .args(&argv)
        .current_dir(&dir)
        .output()
        .expect("cannot run llvm-ar-19");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let expected = format!(
        "{}(bad.o): relocations not in offset order\n>>> at offset ",
        lib.display()
    );
    for (case, calls_helper) in [("unloaded", false), ("loaded", true)] {
        let entry = entry_object(&dir, case, calls_helper);
        for threads in ["--threads=1", "--threads=2"] {
            let out = dir.join("out.wasm");
            let _ = std::fs::remove_file(&out);
            let run = Command::new(wasm_link())
                .args([
                    entry.as_os_str(),
                    lib.as_os_str(),
                    "-o".as_ref(),
                    out.as_os_str(),
                ])
                .arg(threads)
                .output()
                .expect("cannot run wasm-link");
            let err = String::from_utf8_lossy(&run.stderr);
            assert_eq!(run.status.code(), Some(1), "{case} {threads}: {err}");
            assert!(!out.exists(), "{case}: a failed link left an output");
            let err = err.strip_prefix("wasm-link: error: ").unwrap_or(&err);
            assert!(err.starts_with(&expected), "{case} {threads}: {err}");
        }
        let reference = Command::new(require_tool("wasm-ld-19"))
            .args([entry.as_os_str(), lib.as_os_str(), "-o".as_ref()])
            .arg(dir.join("ref.wasm"))
            .output()
            .expect("cannot run wasm-ld-19");
        assert!(
            !reference.status.success(),
            "wasm-ld-19 accepts the {case} member"
        );
    }
}
