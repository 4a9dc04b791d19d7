//! Undefined functions that are allowed to stay so: with `--warn-unresolved-symbols` or
//! `--unresolved-symbols=ignore-all`, calls to them go to a trapping `undefined_stub`
//! ([`stubs`]). Also what finding undefined references needs (the scan order of live
//! relocations, [`bad_target`]); `unresolved` reports them.

use crate::config::{Config, UnresolvedPolicy};
use crate::ids::{FileId, SymbolId};
use crate::inputs::Inputs;
use crate::mark::Liveness;
use crate::resolve::Resolved;
use crate::symbols::{Def, Kind, Symbol};
use std::collections::HashMap;
use wasm_format::linking::SymbolKind as RawKind;
use wasm_format::reloc::{Reloc, RelocTarget, RelocType};
use wasm_format::types::FuncType;
use wasm_object::ids::Definition;

/// The symbol a relocation of file `f` needs defined, if it is undefined, not weak and not
/// importable.
pub(crate) fn bad_target(
    inputs: &Inputs<'_>,
    res: &Resolved<'_>,
    live: &Liveness,
    f: FileId,
    ty: RelocType,
    index: u32,
    config: &Config,
) -> Option<SymbolId> {
    // A relocatable output keeps every undefined symbol for the final link.
    if ty == RelocType::TypeIndexLeb || config.relocatable {
        return None;
    }
    let id = *res.file_syms[f.idx()].get(index as usize)?;
    bad_symbol(inputs, res, live, id, config).then_some(id)
}

/// Whether a relocation against symbol `id` is an undefined-symbol error (or warning): it is
/// undefined, not weak and not importable.
pub(crate) fn bad_symbol(
    inputs: &Inputs<'_>,
    res: &Resolved<'_>,
    live: &Liveness,
    id: SymbolId,
    config: &Config,
) -> bool {
    let sym = res.table.get(id);
    if config.relocatable || sym.shared {
        return false;
    }
    if sym.is_defined() || sym.is_weak() || !matches!(sym.def, Def::Undefined { .. } | Def::Lazy(_))
    {
        return false;
    }
    let importable = matches!(
        sym.kind,
        Kind::Function | Kind::Global | Kind::Table | Kind::Tag
    );
    // A PIC output imports every undefined symbol, but only those allowed to be undefined
    // pass (lld's `allowUndefined`).
    let allowed = if config.pic {
        allowed_undefined(sym, inputs, config)
    } else {
        importable && crate::layout::should_import(sym, live.symbol(id), true, inputs, config)
    };
    !allowed
}

/// lld's `allowUndefined`: explicitly imported, an undefined function with
/// `--import-undefined`, named by `--allow-undefined-file`, or dynamic imports.
fn allowed_undefined(
    sym: &crate::symbols::Symbol<'_>,
    inputs: &Inputs<'_>,
    config: &Config,
) -> bool {
    // The indirect function table a PIC output imports is allowed like lld's own
    // undefined globals.
    let table = sym.kind == Kind::Table && sym.name == "__indirect_function_table";
    table
        || sym.import_name().is_some()
        || sym.force_import
        || (sym.kind == Kind::Function && config.import_undefined)
        || config.unresolved == crate::config::UnresolvedPolicy::ImportDynamic
        || config.allow_undefined_symbols.iter().any(|s| s == sym.name)
        || inputs.allowed_undefined.iter().any(|s| s == sym.name)
}

/// Where a relocation is: the function, data segment or custom section (by position in the
/// object's lists) it patches.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Place {
    /// A defined function, by position in `Object::functions`.
    Function(usize),
    /// A data segment, by position in `Object::segments`.
    Segment(usize),
    /// A custom section, by position in `Object::customs`.
    Custom(usize),
}

/// Visits every relocation of every live chunk in wasm-ld's scan order: per loaded file, its
/// functions, then its data segments, then its custom sections (lld's `scanRelocations`).
fn for_each_live_reloc(
    inputs: &Inputs<'_>,
    res: &Resolved<'_>,
    live: &Liveness,
    mut visit: impl FnMut(FileId, &Reloc),
) {
    for &f in &res.loaded {
        for_each_live_reloc_in(inputs, res, live, f, |_, r| visit(f, r));
    }
}

/// [`for_each_live_reloc`] for one file, with where each relocation is.
pub(crate) fn for_each_live_reloc_in(
    inputs: &Inputs<'_>,
    res: &Resolved<'_>,
    live: &Liveness,
    f: FileId,
    mut visit: impl FnMut(Place, &Reloc),
) {
    let obj = inputs.obj(f);
    let discarded = &res.discarded[f.idx()];
    for (i, func) in obj.functions.iter().enumerate() {
        if live.functions[f.idx()][i] {
            obj.code_relocs_of(func)
                .iter()
                .for_each(|r| visit(Place::Function(i), r));
        }
    }
    for (i, seg) in obj.segments.iter().enumerate() {
        if live.segments[f.idx()][i] {
            obj.data_relocs_of(seg)
                .iter()
                .for_each(|r| visit(Place::Segment(i), r));
        }
    }
    for (i, c) in obj.customs.iter().enumerate() {
        if !discarded.sections.contains(&c.section_index) {
            c.relocs.iter().for_each(|r| visit(Place::Custom(i), &r));
        }
    }
}

/// The output segment a defined data symbol lands in.
pub(crate) fn output_segment_of<'a>(
    inputs: &Inputs<'a>,
    sym: &Symbol<'_>,
    config: &Config,
) -> Option<&'a str> {
    let Def::Defined { file, index } = sym.def else {
        return None;
    };
    let obj = inputs.obj(file);
    let Some(Definition::Data { segment, .. }) = obj.definition(index) else {
        return None;
    };
    let seg = obj.segments.get(segment.idx())?;
    let tls = seg.flags.is_tls();
    Some(crate::layout::output_segment_name(
        seg.name,
        tls,
        config.merge_data_segments,
    ))
}

/// A symbol name as wasm-ld prints it in diagnostics: demangled unless `--no-demangle`.
pub(crate) fn display_name(name: &str, config: &Config) -> String {
    if config.demangle {
        llvm_demangle::demangle(name)
    } else {
        name.to_string()
    }
}

/// The `undefined_stub` functions of a link, and which undefined functions call them.
#[derive(Debug, Default)]
pub struct Stubs {
    /// One signature per stub, in creation order (the order the output defines them).
    pub signatures: Vec<FuncType>,
    /// Per stubbed undefined function: its stub.
    pub of_symbol: HashMap<SymbolId, Stub>,
}

/// Where an undefined function's calls go.
#[derive(Clone, Copy, Debug)]
pub struct Stub {
    /// Index into [`Stubs::signatures`].
    pub index: usize,
    /// The first relocation against the function took its address, so it has a table slot
    /// (holding the stub) of its own; otherwise its address is null.
    pub slot: bool,
}

impl Stubs {
    /// Whether `id`'s address is null: a stubbed function that never had its address taken
    /// first.
    pub fn has_null_address(&self, id: SymbolId) -> bool {
        self.of_symbol.get(&id).is_some_and(|s| !s.slot)
    }
}

/// Gives every live undefined function that is neither importable nor weak its
/// `undefined_stub` when unresolved symbols are ignored or only warned about: one stub per
/// signature, created in scan order, with body `unreachable` (lld's `reportUndefined` and
/// `createUndefinedStub`). A function whose first relocation takes its address keeps a table
/// slot (holding the stub); any other has a null address.
pub fn stubs(inputs: &Inputs<'_>, res: &Resolved<'_>, live: &Liveness, config: &Config) -> Stubs {
    let mut stubs = Stubs::default();
    if config.unresolved == UnresolvedPolicy::ImportDynamic || config.import_undefined {
        return stubs;
    }
    // Under the default policy any such function was already an error.
    if config.unresolved != UnresolvedPolicy::IgnoreAll && !config.warn_unresolved {
        return stubs;
    }
    // Most links have nothing to stub: skip the pass over every relocation.
    if !res
        .table
        .symbols
        .iter()
        .any(|s| needs_stub(inputs, s, config))
    {
        return stubs;
    }
    let mut first: Vec<(SymbolId, bool)> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for_each_live_reloc(inputs, res, live, |f, r| {
        let Some(&id) = res.file_syms[f.idx()].get(r.index as usize) else {
            return;
        };
        if r.ty != RelocType::TypeIndexLeb
            && needs_stub(inputs, res.table.get(id), config)
            && seen.insert(id)
        {
            first.push((id, r.ty.target() == RelocTarget::Table));
        }
    });
    let mut by_signature: HashMap<&FuncType, usize> = HashMap::new();
    for (id, slot) in first {
        let Some((file, ty)) = res.table.get(id).signature() else {
            continue;
        };
        let Some(sig) = inputs.obj(file).types.get(ty as usize) else {
            continue;
        };
        let index = *by_signature.entry(sig).or_insert_with(|| {
            stubs.signatures.push(sig.clone());
            stubs.signatures.len() - 1
        });
        stubs.of_symbol.insert(id, Stub { index, slot });
    }
    stubs
}

/// Whether calls to `sym` go to an `undefined_stub`: an undefined, non-weak function that no
/// option allows to stay undefined (lld's `allowUndefined`).
fn needs_stub(inputs: &Inputs<'_>, sym: &Symbol<'_>, config: &Config) -> bool {
    let allowed = sym.import_name().is_some()
        || config.allow_undefined_symbols.iter().any(|s| s == sym.name)
        || inputs.allowed_undefined.iter().any(|s| s == sym.name);
    sym.global
        && sym.kind == Kind::Function
        && matches!(sym.def, Def::Undefined { .. })
        && !sym.is_weak()
        && !allowed
}

/// The name of a defined function of an object, for diagnostics.
pub fn function_name(inputs: &Inputs<'_>, f: FileId, i: usize) -> String {
    let obj = inputs.obj(f);
    let index = (obj.func_imports.len() + i) as u32;
    obj.symbols
        .iter()
        .find(|s| {
            !s.flags.is_undefined()
                && matches!(s.kind, RawKind::Function { index: k } if k == index)
        })
        .and_then(|s| s.name)
        .map_or_else(|| format!("function {index}"), |n| format!("function {n}"))
}
