//! Undefined-symbol checking, after GC: every live reference to a symbol that is neither
//! defined nor importable is an error, reported once per symbol with every file *and
//! function* that references it (wasm-ld reports once per relocation, without functions).

use crate::config::{Config, UnresolvedPolicy};
use crate::ids::{FileId, SymbolId};
use crate::inputs::Inputs;
use crate::mark::Liveness;
use crate::resolve::Resolved;
use crate::symbols::{Def, Kind};
use crate::Diagnostics;
use std::collections::BTreeMap;
use wasm_format::linking::SymbolKind as RawKind;
use wasm_format::reloc::RelocType;

/// Reports undefined symbols; an error list if any is fatal.
pub fn check(
    inputs: &Inputs<'_>,
    res: &Resolved<'_>,
    live: &Liveness,
    config: &Config,
    diag: &mut Diagnostics,
) -> Result<(), Vec<String>> {
    let mut refs: BTreeMap<SymbolId, Vec<(FileId, String)>> = BTreeMap::new();
    for &f in &res.loaded {
        let obj = inputs.obj(f);
        for (i, func) in obj.functions.iter().enumerate() {
            if !live.functions[f.idx()][i] {
                continue;
            }
            for r in &obj.code_relocs[func.relocs.clone()] {
                if let Some(id) = bad_target(inputs, res, f, r.ty, r.index, config) {
                    let entry = refs.entry(id).or_default();
                    if !entry
                        .iter()
                        .any(|(ff, n)| *ff == f && *n == function_name(inputs, f, i))
                    {
                        entry.push((f, function_name(inputs, f, i)));
                    }
                }
            }
        }
        for (i, seg) in obj.segments.iter().enumerate() {
            if !live.segments[f.idx()][i] {
                continue;
            }
            for r in &obj.data_relocs[seg.relocs.clone()] {
                if let Some(id) = bad_target(inputs, res, f, r.ty, r.index, config) {
                    let entry = refs.entry(id).or_default();
                    let what = format!("data {}", seg.name);
                    if !entry.iter().any(|(ff, n)| *ff == f && *n == what) {
                        entry.push((f, what));
                    }
                }
            }
        }
    }
    let messages: Vec<String> = refs
        .iter()
        .map(|(id, users)| {
            let mut msg = format!("undefined symbol: {}", res.table.get(*id).name);
            for (f, what) in users.iter().take(10) {
                msg.push_str(&format!("\n>>> referenced by {} ({what})", inputs.name(*f)));
            }
            if users.len() > 10 {
                msg.push_str(&format!("\n>>> and {} more references", users.len() - 10));
            }
            msg
        })
        .collect();
    if messages.is_empty() {
        Ok(())
    } else if config.warn_unresolved {
        diag.warnings.extend(messages);
        Ok(())
    } else {
        Err(messages)
    }
}

fn bad_target(
    inputs: &Inputs<'_>,
    res: &Resolved<'_>,
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
    if sym.kind == Kind::Data && is_start_stop_of_live_segment(inputs, res, sym.name, config) {
        return None;
    }
    if sym.is_defined() || sym.is_weak() || !matches!(sym.def, Def::Undefined { .. } | Def::Lazy(_))
    {
        return None;
    }
    if matches!(
        sym.kind,
        Kind::Function | Kind::Global | Kind::Table | Kind::Tag
    ) && crate::layout::should_import(sym, inputs, config)
    {
        return None;
    }
    if config.unresolved == UnresolvedPolicy::IgnoreAll {
        return None;
    }
    Some(id)
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

/// `--print-gc-sections`: every dead function and segment of a loaded object.
pub fn gc_report(inputs: &Inputs<'_>, res: &Resolved<'_>, live: &Liveness) -> Vec<String> {
    let mut out = Vec::new();
    for &f in &res.loaded {
        let obj = inputs.obj(f);
        for i in 0..obj.functions.len() {
            if !live.functions[f.idx()][i] {
                let name = function_name(inputs, f, i);
                out.push(format!(
                    "removing unused section {}:({})",
                    inputs.name(f),
                    name.trim_start_matches("function ")
                ));
            }
        }
        for (i, seg) in obj.segments.iter().enumerate() {
            if !live.segments[f.idx()][i] {
                out.push(format!(
                    "removing unused section {}:({})",
                    inputs.name(f),
                    seg.name
                ));
            }
        }
    }
    out
}

/// Whether `name` is `__start_<seg>`/`__stop_<seg>` for a live output segment that layout will
/// place (those symbols are defined by the linker).
fn is_start_stop_of_live_segment(
    inputs: &Inputs<'_>,
    res: &Resolved<'_>,
    name: &str,
    config: &Config,
) -> bool {
    let Some(seg) = name
        .strip_prefix("__start_")
        .or_else(|| name.strip_prefix("__stop_"))
    else {
        return false;
    };
    if !crate::layout::is_c_identifier(seg) {
        return false;
    }
    res.loaded.iter().any(|&f| {
        inputs.obj(f).segments.iter().any(|s| {
            let tls = s.flags.0 & 2 != 0;
            crate::layout::output_segment_name(s.name, tls, config.merge_data_segments) == seg
        })
    })
}
