//! The `link` target's oracle beyond "no panic": when a link succeeds and its mutated input
//! is a module wasmparser accepts, the output must validate, unless the damage is of a class
//! wasm-ld copies through unchanged. [`copied_through`] recognises those classes in the input
//! alone; the target asks `wasm-ld-19` for the rest. `fuzz/README.md` says why each class is
//! excluded.
//!
//! All of them are about the code section, the one place a linker copies bytes it does not
//! understand: a relocated immediate is rewritten from its relocation alone (the symbol's
//! output index), and every other immediate is copied as it is. Neither wasm-ld nor we decode
//! instructions, so an instruction and its relocation that disagree give an invalid output.

use wasm_format::linking::SymbolKind;
use wasm_format::reloc::{Reloc, RelocTarget, RelocType};
use wasm_object::object::Object;
use wasmparser::{BlockType, Operator};

/// What an index immediate of an instruction names, as far as relocations go.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Space {
    Function,
    Global,
    Type,
    Table,
    Tag,
}

/// Why an invalid output of a valid input is no linker bug, if the input shows why.
pub fn copied_through(input: &[u8]) -> Option<&'static str> {
    let obj = Object::parse(input, 0).ok()?;
    let relocs = &obj.code_relocs;
    if relocs.iter().any(|r| disagrees_with_code(&obj, input, r)) {
        return Some("a relocation names another entity than the index LLVM wrote in the code");
    }
    let mut reader = wasmparser::Parser::new(0).parse_all(input);
    reader.find_map(|payload| match payload {
        Ok(wasmparser::Payload::CodeSectionEntry(body)) => unmapped_immediate(&obj, body),
        _ => None,
    })
}

/// Checks each instruction of `body` against the relocations inside it.
fn unmapped_immediate(
    obj: &Object<'_>,
    body: wasmparser::FunctionBody<'_>,
) -> Option<&'static str> {
    let mut ops = body.get_operators_reader().ok()?;
    let mut current = ops.read_with_offset().ok()?;
    while !ops.eof() {
        let next = ops.read_with_offset().ok()?;
        let inside = relocations_in(obj, current.1 as usize + 1..next.1 as usize);
        if let Some(why) = check_instruction(&current.0, inside) {
            return Some(why);
        }
        current = next;
    }
    None
}

/// The code relocations whose field starts in `range` (absolute offsets of the input).
fn relocations_in<'o>(obj: &'o Object<'_>, range: std::ops::Range<usize>) -> &'o [Reloc] {
    let at = |r: &Reloc| obj.code_offset + r.offset as usize;
    let start = obj.code_relocs.partition_point(|r| at(r) < range.start);
    let end = obj.code_relocs.partition_point(|r| at(r) < range.end);
    &obj.code_relocs[start..end]
}

/// An index immediate no relocation maps (copied as the object's index), or a relocation
/// whose kind is not that of the immediate it patches.
fn check_instruction(op: &Operator<'_>, relocs: &[Reloc]) -> Option<&'static str> {
    let spaces = index_spaces(op);
    let indexing: Vec<Space> = relocs.iter().filter_map(|r| space(r.ty)).collect();
    if indexing.len() < relocs.len() && !spaces.is_empty() {
        return Some("an address or offset relocation patches an index immediate");
    }
    if indexing.iter().any(|s| !spaces.contains(s)) && !spaces.is_empty() {
        return Some("a relocation of one index space patches an index of another");
    }
    // A table immediate may go without one: table 0 in objects without reference types.
    let needed = spaces.iter().filter(|s| **s != Space::Table).count();
    if indexing.len() < needed {
        return Some("an instruction names an index that no relocation maps");
    }
    None
}

/// The index space a relocation type writes an index of (`None` for addresses, table slots
/// and offsets, which are plain numbers to the validator).
fn space(ty: RelocType) -> Option<Space> {
    match ty.target() {
        RelocTarget::Function => Some(Space::Function),
        RelocTarget::Global => Some(Space::Global),
        RelocTarget::Type => Some(Space::Type),
        RelocTarget::TableNumber => Some(Space::Table),
        RelocTarget::Tag => Some(Space::Tag),
        RelocTarget::Table
        | RelocTarget::Memory
        | RelocTarget::FunctionOffset
        | RelocTarget::SectionOffset => None,
    }
}

/// The index spaces of an instruction's immediates that LLVM relocates.
fn index_spaces(op: &Operator<'_>) -> Vec<Space> {
    use Operator as O;
    use Space::*;
    let block = |ty: &BlockType| match ty {
        BlockType::FuncType(_) => vec![Type],
        _ => Vec::new(),
    };
    match op {
        O::Call { .. } | O::ReturnCall { .. } | O::RefFunc { .. } => vec![Function],
        O::GlobalGet { .. } | O::GlobalSet { .. } => vec![Global],
        O::CallIndirect { .. } | O::ReturnCallIndirect { .. } => vec![Type, Table],
        O::Block { blockty } | O::Loop { blockty } | O::If { blockty } | O::Try { blockty } => {
            block(blockty)
        }
        O::TryTable { try_table } => {
            let mut spaces = block(&try_table.ty);
            spaces.extend(try_table.catches.iter().map(|_| Tag));
            spaces
        }
        O::TableGet { .. }
        | O::TableSet { .. }
        | O::TableSize { .. }
        | O::TableGrow { .. }
        | O::TableFill { .. }
        | O::TableInit { .. } => vec![Table],
        O::TableCopy { .. } => vec![Table, Table],
        O::Throw { .. } | O::Catch { .. } => vec![Tag],
        _ => Vec::new(),
    }
}

/// Whether a code relocation that names an index disagrees with the index LLVM wrote in the
/// code for it (lld checks the same only in its debug builds, `verifyRelocTargets`), or goes
/// through a GOT entry the object does not import.
fn disagrees_with_code(obj: &Object<'_>, input: &[u8], r: &Reloc) -> bool {
    let sym = obj.symbols.get(r.index as usize);
    let expected = match (r.ty.target(), sym.map(|s| s.kind)) {
        (RelocTarget::Type, _) => r.index,
        (RelocTarget::Function, Some(SymbolKind::Function { index }))
        | (RelocTarget::Global, Some(SymbolKind::Global { index }))
        | (RelocTarget::Tag, Some(SymbolKind::Tag { index }))
        | (RelocTarget::TableNumber, Some(SymbolKind::Table { index })) => index,
        // Through the GOT: LLVM wrote the index of its `GOT.func` or `GOT.mem` import.
        (RelocTarget::Global, Some(SymbolKind::Function { .. } | SymbolKind::Data { .. })) => {
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
    input
        .get(at..at + 5)
        .and_then(padded_uleb)
        .is_some_and(|v| v != u64::from(expected))
}

/// The value of a LEB128 padded to the whole of `field`; `None` if it is not one.
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
