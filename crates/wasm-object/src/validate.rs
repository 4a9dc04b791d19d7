//! Cross-references inside one object, checked once after parsing so that the linker can index
//! freely: every type, function, global, table, tag, segment and symbol index points at
//! something, every relocation names a symbol of the kind its type needs, and every patched
//! field lies inside its atom. LLVM's object reader rejects the same things.

use crate::object::Object;
use wasm_format::linking::{ComdatKind, SymbolKind};
use wasm_format::reloc::{Reloc, RelocTarget};
use wasm_format::{Error, ErrorKind};

/// Checks `obj`; errors carry `offset`, the object's start in its file.
pub fn check(obj: &Object<'_>, offset: usize) -> Result<(), Error> {
    let bad = |expected: &'static str, found: u64| {
        Error::new(offset, ErrorKind::Invalid { expected, found })
    };
    check_types(obj).map_err(|t| bad("a type index in range", t))?;
    check_symbols(obj).map_err(|i| bad("a symbol whose index is in range", i))?;
    check_linking(obj).map_err(|i| bad("an init function or comdat member in range", i))?;
    let code = obj.functions.iter().map(|f| {
        let start = f.body.offset - obj.code_offset;
        (
            start..start + f.body.len(),
            &obj.code_relocs[f.relocs.clone()],
        )
    });
    let data = obj.segments.iter().map(|s| {
        let start = s.data.offset - obj.data_offset;
        (
            start..start + s.data.len(),
            &obj.data_relocs[s.relocs.clone()],
        )
    });
    // Custom-section relocations are checked as they are read (`check_reloc`).
    for (range, relocs) in code.chain(data) {
        for r in relocs {
            check_reloc(obj, r, range.end).map_err(|(what, n)| bad(what, n))?;
        }
    }
    Ok(())
}

/// One relocation: inside its atom (which ends at `end`, in section offsets) and naming what
/// its type needs. The error is (what was expected, what was found).
pub fn check_reloc(obj: &Object<'_>, r: &Reloc, end: usize) -> Result<(), (&'static str, u64)> {
    if r.range().end > end {
        return Err(("a relocation inside its atom", u64::from(r.offset)));
    }
    if !target_fits(obj, r) {
        return Err((
            "a relocation naming a symbol of its kind",
            u64::from(r.index),
        ));
    }
    Ok(())
}

/// Every function, import and tag signature names a type.
fn check_types(obj: &Object<'_>) -> Result<(), u64> {
    let types = obj.types.len();
    let used = obj.functions.iter().map(|f| f.type_index);
    let imported = obj.func_imports.iter().map(|i| i.ty);
    let tags = obj.tags.iter().map(|t| t.type_index);
    let tag_imports = obj.tag_imports.iter().map(|i| i.ty.type_index);
    match used
        .chain(imported)
        .chain(tags)
        .chain(tag_imports)
        .find(|&t| t as usize >= types)
    {
        Some(t) => Err(u64::from(t)),
        None => Ok(()),
    }
}

/// Every symbol points into its index space: an undefined one at an import, a defined one at
/// a definition; a data symbol inside its segment.
fn check_symbols(obj: &Object<'_>) -> Result<(), u64> {
    for (i, s) in obj.symbols.iter().enumerate() {
        let (index, imports, total) = match s.kind {
            SymbolKind::Function { index } => (index, obj.func_imports.len(), obj.function_count()),
            SymbolKind::Global { index } => (
                index,
                obj.global_imports.len(),
                obj.global_imports.len() + obj.globals.len(),
            ),
            SymbolKind::Table { index } => (
                index,
                obj.table_imports.len(),
                obj.table_imports.len() + obj.tables.len(),
            ),
            SymbolKind::Tag { index } => (
                index,
                obj.tag_imports.len(),
                obj.tag_imports.len() + obj.tags.len(),
            ),
            SymbolKind::Data { def: Some(def) } if !s.flags.is_absolute() => {
                let seg = obj.segments.get(def.segment as usize).ok_or(i as u64)?;
                let end = def.offset.checked_add(def.size).ok_or(i as u64)?;
                if end > seg.data.len() as u64 {
                    return Err(i as u64);
                }
                continue;
            }
            SymbolKind::Data { .. } | SymbolKind::Section { .. } => continue,
        };
        let index = index as usize;
        let fits = if s.flags.is_undefined() {
            index < imports
        } else {
            index >= imports && index < total
        };
        if !fits {
            return Err(i as u64);
        }
    }
    Ok(())
}

/// Init functions name function symbols; data and function comdat members exist.
fn check_linking(obj: &Object<'_>) -> Result<(), u64> {
    for init in &obj.init_funcs {
        let sym = obj.symbols.get(init.symbol as usize);
        if !matches!(sym.map(|s| s.kind), Some(SymbolKind::Function { .. })) {
            return Err(u64::from(init.symbol));
        }
    }
    for member in obj.comdats.iter().flat_map(|c| &c.members) {
        // Function members count imports too, like every function index.
        let count = match member.kind {
            ComdatKind::Data => obj.segments.len(),
            ComdatKind::Function => obj.function_count(),
            _ => continue,
        };
        if member.index as usize >= count {
            return Err(u64::from(member.index));
        }
    }
    Ok(())
}

/// Whether a relocation's index names what its type needs (LLVM's `parseRelocSection`).
fn target_fits(obj: &Object<'_>, r: &Reloc) -> bool {
    if r.ty.target() == RelocTarget::Type {
        return (r.index as usize) < obj.types.len();
    }
    let Some(sym) = obj.symbols.get(r.index as usize) else {
        return false;
    };
    match (r.ty.target(), sym.kind) {
        (RelocTarget::Function | RelocTarget::Table, SymbolKind::Function { .. }) => true,
        (RelocTarget::FunctionOffset, SymbolKind::Function { .. }) => true,
        (RelocTarget::Memory, SymbolKind::Data { .. }) => true,
        // `GLOBAL_INDEX` also reaches functions and data through the GOT.
        (
            RelocTarget::Global,
            SymbolKind::Global { .. } | SymbolKind::Function { .. } | SymbolKind::Data { .. },
        ) => true,
        (RelocTarget::SectionOffset, SymbolKind::Section { .. }) => true,
        (RelocTarget::Tag, SymbolKind::Tag { .. }) => true,
        (RelocTarget::TableNumber, SymbolKind::Table { .. }) => true,
        _ => false,
    }
}
