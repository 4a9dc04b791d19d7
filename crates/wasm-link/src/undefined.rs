//! Undefined-symbol checking, after GC: every live reference to a symbol that is neither
//! defined nor importable is an error, reported once per symbol with every file *and
//! function* that references it (wasm-ld reports once per relocation, without functions).
//! With `--warn-unresolved-symbols` they are warnings, worded and repeated as wasm-ld does;
//! with `--unresolved-symbols=ignore-all` they pass silently. In both cases calls to an
//! undefined function go to a trapping `undefined_stub` ([`stubs`]).

use crate::config::{Config, UnresolvedPolicy};
use crate::diagnostic::{Code, Diagnostic, Errors};
use crate::ids::{FileId, SymbolId};
use crate::inputs::Inputs;
use crate::mark::Liveness;
use crate::resolve::Resolved;
use crate::symbols::{Def, Kind, Symbol};
use rayon::prelude::*;
use std::collections::{BTreeMap, HashMap};
use wasm_format::linking::SymbolKind as RawKind;
use wasm_format::reloc::{Reloc, RelocTarget, RelocType};
use wasm_format::types::FuncType;
use wasm_object::ids::Definition;

/// Reports undefined symbols: the warnings to print, or the errors if any is fatal.
pub fn check(
    inputs: &Inputs<'_>,
    res: &Resolved<'_>,
    live: &Liveness,
    config: &Config,
) -> Result<Vec<Diagnostic>, Errors> {
    // A relocatable output keeps every undefined symbol for the final link.
    if config.relocatable {
        return Ok(Vec::new());
    }
    match config.unresolved {
        UnresolvedPolicy::IgnoreAll | UnresolvedPolicy::ImportDynamic => return Ok(Vec::new()),
        UnresolvedPolicy::ReportAll if config.warn_unresolved => {
            let warnings = per_reloc_warnings(inputs, res, live, config);
            if config.fatal_warnings && !warnings.is_empty() {
                return Err(warnings.into_iter().map(Diagnostic::as_error).collect());
            }
            return Ok(warnings);
        }
        UnresolvedPolicy::ReportAll => {}
    }
    // Each file's references are found in parallel, then gathered in load order.
    let per_file: Vec<Vec<(SymbolId, String)>> = res
        .loaded
        .par_iter()
        .map(|&f| bad_references(inputs, res, live, config, f))
        .collect();
    let mut refs: BTreeMap<SymbolId, Vec<(FileId, String)>> = BTreeMap::new();
    for (&f, found) in res.loaded.iter().zip(per_file) {
        for (id, what) in found {
            refs.entry(id).or_default().push((f, what));
        }
    }
    let near = (!refs.is_empty()).then(|| crate::hints::NearIndex::new(res));
    let messages: Vec<Diagnostic> = refs
        .iter()
        .map(|(id, users)| {
            let raw = res.table.get(*id).name;
            let name = shown(raw, config);
            let mut msg = format!("undefined symbol: {name}");
            for (f, what) in users.iter().take(10) {
                let what = shown(what, config);
                msg.push_str(&format!("\n>>> referenced by {} ({what})", inputs.name(*f)));
            }
            if users.len() > 10 {
                msg.push_str(&format!("\n>>> and {} more references", users.len() - 10));
            }
            for hint in near.iter().flat_map(|n| n.hints(inputs, res, *id)) {
                msg.push('\n');
                msg.push_str(&hint);
            }
            let first = inputs.name(users[0].0);
            Diagnostic::error(Code::UndefinedSymbol, msg)
                .for_symbol(raw)
                .in_file(first)
        })
        .collect();
    if messages.is_empty() {
        Ok(Vec::new())
    } else if config.warn_unresolved {
        Ok(messages.into_iter().map(Diagnostic::as_warning).collect())
    } else {
        Err(messages)
    }
}

fn bad_target(
    inputs: &Inputs<'_>,
    res: &Resolved<'_>,
    live: &Liveness,
    f: FileId,
    ty: RelocType,
    index: u32,
    config: &Config,
) -> Option<SymbolId> {
    if ty == RelocType::TypeIndexLeb {
        return None;
    }
    let id = *res.file_syms[f.idx()].get(index as usize)?;
    let sym = res.table.get(id);
    if sym.is_defined() || sym.is_weak() || !matches!(sym.def, Def::Undefined { .. } | Def::Lazy(_))
    {
        return None;
    }
    if matches!(
        sym.kind,
        Kind::Function | Kind::Global | Kind::Table | Kind::Tag
    ) && crate::layout::should_import(sym, live.symbol(id), inputs, config)
    {
        return None;
    }
    Some(id)
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
        let obj = inputs.obj(f);
        let discarded = &res.discarded[f.idx()];
        for (i, func) in obj.functions.iter().enumerate() {
            if live.functions[f.idx()][i] {
                obj.code_relocs[func.relocs.clone()]
                    .iter()
                    .for_each(|r| visit(f, r));
            }
        }
        for (i, seg) in obj.segments.iter().enumerate() {
            if live.segments[f.idx()][i] {
                obj.data_relocs[seg.relocs.clone()]
                    .iter()
                    .for_each(|r| visit(f, r));
            }
        }
        for c in &obj.customs {
            if !discarded.sections.contains(&c.section_index) {
                c.relocs.iter().for_each(|r| visit(f, &r));
            }
        }
    }
}

/// Thread-local relocations (`MEMORY_ADDR_TLS_SLEB*`) need a defined symbol, and with shared
/// memory a thread-local one in `.tdata`: one error per relocation, in scan order, in wasm-ld's
/// words (lld's `scanRelocations`). Reported under every unresolved-symbol policy.
pub fn tls_relocation_errors(
    inputs: &Inputs<'_>,
    res: &Resolved<'_>,
    live: &Liveness,
    config: &Config,
) -> Errors {
    let mut out = Vec::new();
    for_each_live_reloc(inputs, res, live, |f, r| {
        if !matches!(
            r.ty,
            RelocType::MemoryAddrTlsSleb | RelocType::MemoryAddrTlsSleb64
        ) {
            return;
        }
        let Some(&id) = res.file_syms[f.idx()].get(r.index as usize) else {
            return;
        };
        let sym = res.table.get(id);
        let head = format!("{}: relocation {}", inputs.name(f), r.ty.name());
        let name = display_name(sym.name, config);
        if !sym.is_defined() {
            let message = format!("{head} cannot be used against an undefined symbol `{name}`");
            out.push(tls_error(message, sym.name, inputs.name(f)));
        }
        if !config.shared_memory {
            return;
        }
        if !sym.flags.is_tls() {
            let message = format!("{head} cannot be used against non-TLS symbol `{name}`");
            out.push(tls_error(message, sym.name, inputs.name(f)));
        }
        if let Some(segment) = output_segment_of(inputs, sym, config) {
            if segment != ".tdata" {
                let message =
                    format!("{head} cannot be used against `{name}` in non-TLS section: {segment}");
                out.push(tls_error(message, sym.name, inputs.name(f)));
            }
        }
    });
    out
}

/// An error about a thread-local relocation against `symbol` in `file`.
fn tls_error(message: String, symbol: &str, file: &str) -> Diagnostic {
    Diagnostic::error(Code::SymbolMismatch, message)
        .for_symbol(symbol)
        .in_file(file)
}

/// The output segment a defined data symbol lands in.
fn output_segment_of<'a>(
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

/// `--warn-unresolved-symbols`: one warning per relocation against an unresolved symbol, in
/// scan order, worded as wasm-ld words them (`a.o: undefined symbol: foo`).
fn per_reloc_warnings(
    inputs: &Inputs<'_>,
    res: &Resolved<'_>,
    live: &Liveness,
    config: &Config,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for_each_live_reloc(inputs, res, live, |f, r| {
        if let Some(id) = bad_target(inputs, res, live, f, r.ty, r.index, config) {
            let raw = res.table.get(id).name;
            let name = display_name(raw, config);
            let message = format!("{}: undefined symbol: {name}", inputs.name(f));
            let warning = Diagnostic::warning(Code::UndefinedSymbol, message);
            out.push(warning.for_symbol(raw).in_file(inputs.name(f)));
        }
    });
    out
}

/// A symbol name as wasm-ld prints it in diagnostics: demangled unless `--no-demangle`.
fn display_name(name: &str, config: &Config) -> String {
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
        let Some((file, ty)) = res.table.get(id).signature else {
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
    let allowed = sym.import_name.is_some()
        || config.allow_undefined_symbols.iter().any(|s| s == sym.name)
        || inputs.allowed_undefined.iter().any(|s| s == sym.name);
    sym.global
        && sym.kind == Kind::Function
        && matches!(sym.def, Def::Undefined { .. })
        && !sym.is_weak()
        && !allowed
}

/// The undefined symbols one live object references, each with the function or data segment
/// that does, once per (symbol, place).
fn bad_references(
    inputs: &Inputs<'_>,
    res: &Resolved<'_>,
    live: &Liveness,
    config: &Config,
    f: FileId,
) -> Vec<(SymbolId, String)> {
    let obj = inputs.obj(f);
    let mut found: Vec<(SymbolId, String)> = Vec::new();
    let mut note = |id: SymbolId, what: String| {
        if !found.iter().any(|(i, w)| *i == id && *w == what) {
            found.push((id, what));
        }
    };
    for (i, func) in obj.functions.iter().enumerate() {
        if !live.functions[f.idx()][i] {
            continue;
        }
        for r in &obj.code_relocs[func.relocs.clone()] {
            if let Some(id) = bad_target(inputs, res, live, f, r.ty, r.index, config) {
                note(id, function_name(inputs, f, i));
            }
        }
    }
    for (i, seg) in obj.segments.iter().enumerate() {
        if !live.segments[f.idx()][i] {
            continue;
        }
        for r in &obj.data_relocs[seg.relocs.clone()] {
            if let Some(id) = bad_target(inputs, res, live, f, r.ty, r.index, config) {
                note(id, format!("data {}", seg.name));
            }
        }
    }
    found
}

/// A symbol name (or `function NAME`) as diagnostics show it: demangled unless
/// `--no-demangle`.
fn shown(name: &str, config: &Config) -> String {
    if !config.demangle {
        return name.to_string();
    }
    match name.strip_prefix("function ") {
        Some(rest) => format!("function {}", llvm_demangle::demangle(rest)),
        None => llvm_demangle::demangle(name),
    }
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
