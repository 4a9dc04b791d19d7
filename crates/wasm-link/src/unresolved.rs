//! The after-GC scan of every live relocation (lld's `scanRelocations`), for what it reports:
//! thread-local relocations that cannot work, and undefined symbols. Every message's first
//! line is wasm-ld's, in wasm-ld's order (per loaded file: its functions, data segments, then
//! custom sections). Undefined-symbol errors come once per (file, symbol) rather than once
//! per relocation, with our `>>> referenced by FILE (function F)` lines and hints beneath;
//! warnings (`--warn-unresolved-symbols`) are wasm-ld's, once per relocation.

use crate::config::{Config, UnresolvedPolicy};
use crate::diagnostic::{Code, Diagnostic, Errors};
use crate::hints::Hints;
use crate::ids::{FileId, SymbolId};
use crate::inputs::Inputs;
use crate::mark::Liveness;
use crate::resolve::Resolved;
use crate::undefined::{bad_target, display_name, for_each_live_reloc_in, function_name, Place};
use rayon::prelude::*;
use std::collections::{HashMap, HashSet};
use wasm_format::reloc::{Reloc, RelocType};

/// References shown under one undefined-symbol error.
const PLACES_SHOWN: usize = 10;

/// What the scan of one relocation found.
enum Found {
    /// A thread-local relocation error, complete.
    Tls(Diagnostic),
    /// A relocation against a symbol that must be defined and is not.
    Undefined(SymbolId, Place),
}

/// The scan's messages: warnings to print, or every error (thread-local relocations and
/// undefined symbols, in scan order) if there is one.
pub fn check(
    inputs: &Inputs<'_>,
    res: &Resolved<'_>,
    live: &Liveness,
    config: &Config,
) -> Result<Vec<Diagnostic>, Errors> {
    let suspects = suspects(inputs, res, live, config);
    let per_file: Vec<Vec<Found>> = res
        .loaded
        .par_iter()
        .map(|&f| match suspects.as_ref() {
            // A file that refers to no suspect symbol has nothing to report: its
            // relocations are not read at all (debug sections have millions).
            Some(s) if !res.file_syms[f.idx()].iter().any(|id| s[id.idx()]) => Vec::new(),
            _ => scan_file(inputs, res, live, config, f),
        })
        .collect();
    let mut errors = Vec::new();
    let mut warnings = Vec::new();
    let mut hints = Hints::default();
    for (&f, found) in res.loaded.iter().zip(per_file) {
        let mut groups = Groups::default();
        for item in found {
            match item {
                Found::Tls(d) => groups.push_other(d),
                Found::Undefined(id, _) if config.warn_unresolved => {
                    let raw = res.table.get(id).name;
                    let message = headline(inputs.name(f), raw, config);
                    let warning = Diagnostic::warning(Code::UndefinedSymbol, message);
                    warnings.push(warning.for_symbol(raw).in_file(inputs.name(f)));
                }
                Found::Undefined(id, place) => groups.note(id, place),
            }
        }
        errors.extend(groups.finish(inputs, res, config, f, &mut hints));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    if config.fatal_warnings && !warnings.is_empty() {
        return Err(warnings.into_iter().map(Diagnostic::as_error).collect());
    }
    Ok(warnings)
}

/// Per symbol, whether a relocation against it may be reported: an undefined-symbol error,
/// or a thread-local relocation against undefined data. `None` with shared memory, where
/// thread-local relocations against defined symbols are checked too (every file is scanned).
fn suspects(
    inputs: &Inputs<'_>,
    res: &Resolved<'_>,
    live: &Liveness,
    config: &Config,
) -> Option<Vec<bool>> {
    if config.shared_memory {
        return None;
    }
    let undefined = reports_undefined(config);
    let ids = (0..res.table.symbols.len()).into_par_iter();
    Some(
        ids.map(|i| {
            let id = crate::ids::SymbolId(i as u32);
            let sym = res.table.get(id);
            // Thread-local relocations name data symbols (checked when objects are read).
            let tls = sym.kind == crate::symbols::Kind::Data && !sym.is_defined();
            tls || (undefined && crate::undefined::bad_symbol(inputs, res, live, id, config))
        })
        .collect(),
    )
}

/// wasm-ld's line: `a.o: undefined symbol: foo`.
fn headline(file: &str, raw: &str, config: &Config) -> String {
    format!("{file}: undefined symbol: {}", display_name(raw, config))
}

/// Whether undefined symbols are reported at all under this policy.
fn reports_undefined(config: &Config) -> bool {
    config.unresolved == UnresolvedPolicy::ReportAll
}

/// One file's relocations, in scan order.
fn scan_file(
    inputs: &Inputs<'_>,
    res: &Resolved<'_>,
    live: &Liveness,
    config: &Config,
    f: FileId,
) -> Vec<Found> {
    let mut out = Vec::new();
    let undefined = reports_undefined(config);
    for_each_live_reloc_in(inputs, res, live, f, |place, r| {
        if matches!(
            r.ty,
            RelocType::MemoryAddrTlsSleb | RelocType::MemoryAddrTlsSleb64
        ) {
            tls_errors(inputs, res, config, f, r, &mut out);
        }
        if undefined {
            if let Some(id) = bad_target(inputs, res, live, f, r.ty, r.index, config) {
                out.push(Found::Undefined(id, place));
            }
        }
    });
    out
}

/// Thread-local relocations need a defined symbol, and with shared memory a thread-local one
/// in `.tdata`, in wasm-ld's words. Reported under every unresolved-symbol policy.
fn tls_errors(
    inputs: &Inputs<'_>,
    res: &Resolved<'_>,
    config: &Config,
    f: FileId,
    r: &Reloc,
    out: &mut Vec<Found>,
) {
    let Some(&id) = res.file_syms[f.idx()].get(r.index as usize) else {
        return;
    };
    let sym = res.table.get(id);
    let file = inputs.name(f);
    let head = format!("{file}: relocation {}", r.ty.name());
    let name = display_name(sym.name, config);
    let mut push = |message: String| {
        let d = Diagnostic::error(Code::SymbolMismatch, message)
            .for_symbol(sym.name)
            .in_file(file);
        out.push(Found::Tls(d));
    };
    if !sym.is_defined() {
        push(format!(
            "{head} cannot be used against an undefined symbol `{name}`"
        ));
    }
    if !config.shared_memory {
        return;
    }
    if !sym.flags.is_tls() {
        push(format!(
            "{head} cannot be used against non-TLS symbol `{name}`"
        ));
    }
    if let Some(segment) = crate::undefined::output_segment_of(inputs, sym, config) {
        if segment != ".tdata" {
            push(format!(
                "{head} cannot be used against `{name}` in non-TLS section: {segment}"
            ));
        }
    }
}

/// One file's errors in scan order, undefined symbols grouped at their first reference.
#[derive(Default)]
struct Groups {
    items: Vec<Pending>,
    /// Where each undefined symbol's group is in `items`.
    at: HashMap<SymbolId, usize>,
}

enum Pending {
    Done(Diagnostic),
    /// An undefined symbol: its distinct referencing places, in order.
    Undefined(SymbolId, Vec<Place>, HashSet<Place>),
}

impl Groups {
    fn push_other(&mut self, d: Diagnostic) {
        self.items.push(Pending::Done(d));
    }

    fn note(&mut self, id: SymbolId, place: Place) {
        let next = self.items.len();
        let at = *self.at.entry(id).or_insert(next);
        if at == next {
            self.items
                .push(Pending::Undefined(id, Vec::new(), HashSet::new()));
        }
        if let Pending::Undefined(_, places, seen) = &mut self.items[at] {
            if seen.insert(place) {
                places.push(place);
            }
        }
    }

    fn finish(
        self,
        inputs: &Inputs<'_>,
        res: &Resolved<'_>,
        config: &Config,
        f: FileId,
        hints: &mut Hints,
    ) -> Errors {
        let file = inputs.name(f);
        let mut out = Vec::with_capacity(self.items.len());
        for item in self.items {
            let (id, places) = match item {
                Pending::Done(d) => {
                    out.push(d);
                    continue;
                }
                Pending::Undefined(id, places, _) => (id, places),
            };
            let raw = res.table.get(id).name;
            let mut msg = headline(file, raw, config);
            for place in places.iter().take(PLACES_SHOWN) {
                let what = place_name(inputs, f, *place, config);
                msg.push_str(&format!("\n>>> referenced by {file} ({what})"));
            }
            if places.len() > PLACES_SHOWN {
                let more = places.len() - PLACES_SHOWN;
                msg.push_str(&format!("\n>>> and {more} more references"));
            }
            for hint in hints.for_symbol(inputs, res, id) {
                msg.push('\n');
                msg.push_str(&hint);
            }
            let d = Diagnostic::error(Code::UndefinedSymbol, msg);
            out.push(d.for_symbol(raw).in_file(file));
        }
        out
    }
}

/// `function f`, `data .rodata.x` or `section .debug_info`, demangled unless `--no-demangle`.
fn place_name(inputs: &Inputs<'_>, f: FileId, place: Place, config: &Config) -> String {
    let obj = inputs.obj(f);
    match place {
        Place::Function(i) => {
            let name = function_name(inputs, f, i);
            match name.strip_prefix("function ") {
                Some(rest) => format!("function {}", display_name(rest, config)),
                None => name,
            }
        }
        Place::Segment(i) => format!("data {}", obj.segments.get(i).map_or("", |s| s.name)),
        Place::Custom(i) => format!("section {}", obj.customs.get(i).map_or("", |c| c.name)),
    }
}
