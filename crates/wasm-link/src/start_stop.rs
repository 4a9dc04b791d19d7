//! `__start_<seg>` / `__stop_<seg>`: after GC, the linker defines the bounds of every live
//! output data segment whose name is a C identifier (lld's `addStartStopSymbols`).
//!
//! Takes the marked inputs and gives the names of those segments, in output order. A symbol
//! that inputs reference becomes `Synthetic::SegmentStart(i)` / `SegmentStop(i)`, `i` indexing
//! that list; one that no input references is created only when `--export`,
//! `--export-if-defined` or `--export-all` asks for it (lld's `addOptionalDataSymbol`). Layout
//! turns the list into addresses once the segments are placed.

use crate::config::{Config, UnresolvedPolicy};
use crate::diagnostic::{Code, Diagnostic};
use crate::inputs::Inputs;
use crate::layout::{is_c_identifier, output_segment_name};
use crate::mark::Liveness;
use crate::resolve::Resolved;
use crate::symbols::{Def, ImportRef, Kind, Symbol, Synthetic};
use wasm_format::linking::SymbolFlags;

/// What defining the bounds symbols found to report: the `--export` names that stay
/// undefined, as errors (or warnings under `--warn-unresolved-symbols`).
pub type Reports = Vec<Diagnostic>;

/// Completes resolution with the bounds symbols of the live C-identifier segments (which only
/// exist once GC has run), then reports the `--export`s that are still undefined (the check
/// resolution left for after this step). Takes the resolution by value: what it returns is
/// the finished one that every later phase borrows.
pub fn define<'a>(
    mut res: Resolved<'a>,
    inputs: &Inputs<'a>,
    live: &Liveness,
    config: &Config,
) -> (Resolved<'a>, Reports) {
    // A relocatable output leaves them to the final link (lld's `addStartStopSymbols`).
    if config.relocatable {
        let reports = required_exports(&res, config);
        return (res, reports);
    }
    let names = segment_names(inputs, &res, live, config);
    res.created_after_gc = res.table.symbols.len();
    for (i, &name) in names.iter().enumerate() {
        let i = i as u32;
        define_one(
            &mut res,
            format!("__start_{name}"),
            Synthetic::SegmentStart(i),
            config,
        );
        define_one(
            &mut res,
            format!("__stop_{name}"),
            Synthetic::SegmentStop(i),
            config,
        );
    }
    res.start_stop_segments = names;
    let reports = required_exports(&res, config);
    (res, reports)
}

/// Whether resolution leaves the `--export` check of `name` to [`define`]: a bounds symbol
/// only exists after GC.
pub fn is_candidate(name: &str) -> bool {
    name.strip_prefix("__start_")
        .or_else(|| name.strip_prefix("__stop_"))
        .is_some_and(is_c_identifier)
}

/// The names of the live output segments that are C identifiers, in the order layout places
/// them (first appearance in load order: no such name sorts among `.rodata`, `.data`, `.bss`).
fn segment_names<'a>(
    inputs: &Inputs<'a>,
    res: &Resolved<'a>,
    live: &Liveness,
    config: &Config,
) -> Vec<&'a str> {
    let mut names: Vec<&'a str> = Vec::new();
    for &f in &res.loaded {
        for (i, s) in inputs.obj(f).segments.iter().enumerate() {
            if !live.segments[f.idx()][i] {
                continue;
            }
            let name = output_segment_name(s.name, s.flags.is_tls(), config.merge_data_segments);
            if is_c_identifier(name) && !names.contains(&name) {
                names.push(name);
            }
        }
    }
    names
}

/// Defines `name` as `synth` if an input references it, or creates it if an export option
/// names it; a definition from an input stays.
fn define_one(res: &mut Resolved<'_>, name: String, synth: Synthetic, config: &Config) {
    let flags = SymbolFlags(SymbolFlags::VISIBILITY_HIDDEN | SymbolFlags::ABSOLUTE);
    let exported = config.exports.contains(&name) || config.exports_if_defined.contains(&name);
    let id = match res.table.find(&name) {
        Some(id) if res.table.get(id).is_defined() => return,
        Some(id) => id,
        None if exported || config.export_all => {
            let def = Def::Synthetic(synth);
            res.table
                .insert(Symbol::new(intern(name), Kind::Data, def, flags))
        }
        None => return,
    };
    let sym = res.table.get_mut(id);
    sym.def = Def::Synthetic(synth);
    sym.kind = Kind::Data;
    sym.flags = flags;
    sym.set_import(ImportRef::default());
    sym.force_export |= exported;
    sym.export_explicit |= config.exports.iter().any(|e| e == sym.name);
}

/// `symbol exported via --export not found` for the bounds names that stayed undefined.
fn required_exports(res: &Resolved<'_>, config: &Config) -> Reports {
    let mut reports = Reports::default();
    for name in config.exports.iter().filter(|n| is_candidate(n)) {
        if res
            .table
            .find(name)
            .is_some_and(|id| res.table.get(id).is_defined())
        {
            continue;
        }
        let message = format!("symbol exported via --export not found: {name}");
        let error = Diagnostic::error(Code::Options, message).for_symbol(name);
        match config.unresolved {
            UnresolvedPolicy::ReportAll if config.warn_unresolved => {
                reports.push(error.as_warning())
            }
            UnresolvedPolicy::ReportAll => reports.push(error),
            UnresolvedPolicy::IgnoreAll | UnresolvedPolicy::ImportDynamic => {}
        }
    }
    reports
}

/// A name no input holds, borrowed for as long as any link may need it. Names are interned
/// process-wide, so a process that links again and again (a compiler session) keeps one copy
/// of each distinct name, however many links it runs.
fn intern(name: String) -> &'static str {
    static NAMES: std::sync::Mutex<Option<std::collections::HashSet<&'static str>>> =
        std::sync::Mutex::new(None);
    let mut names = NAMES.lock().unwrap_or_else(|e| e.into_inner());
    let names = names.get_or_insert_with(Default::default);
    if let Some(&known) = names.get(name.as_str()) {
        return known;
    }
    let leaked: &'static str = Box::leak(name.into_boxed_str());
    names.insert(leaked);
    leaked
}
