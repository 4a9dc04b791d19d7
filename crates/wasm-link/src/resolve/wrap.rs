//! `--wrap SYMBOL`, as lld's `addWrappedSymbols` and `wrapSymbols` do it. Two steps, at two
//! points of resolution:
//!
//! 1. After the command-line symbols (`-u`, `--export`, the entry, `__wasm_call_dtors`) and
//!    only for a `SYMBOL` the table knows by then: the linker adds strong undefined references
//!    to `__real_SYMBOL` and `__wrap_SYMBOL`, so a lazy `__wrap_SYMBOL` (or `__real_SYMBOL`)
//!    extracts its archive member, and a weak undefined one becomes strong.
//! 2. After the signature variants: every loaded object's reference to `SYMBOL` now means
//!    `__wrap_SYMBOL`, and to `__real_SYMBOL` means `SYMBOL`; name lookups (`--export`) follow.
//!
//! The symbols keep their own names, so imports, exports and the name section show
//! `__wrap_SYMBOL` and `SYMBOL`, never `__real_SYMBOL`.

use super::Resolver;
use crate::config::Config;
use crate::ids::{FileId, SymbolId};
use crate::symbols::{Def, Kind, Symbol};
use crate::trace::INTERNAL;
use std::collections::{HashMap, HashSet};
use wasm_format::linking::SymbolFlags;

/// One `--wrap`: the wrapped symbol and its `__real_` and `__wrap_` companions.
pub(super) struct Wrapped {
    sym: SymbolId,
    real: SymbolId,
    wrap: SymbolId,
}

impl<'a> Resolver<'_, 'a> {
    /// Step 1: the `__real_` and `__wrap_` references of each distinct `--wrap` whose symbol
    /// exists. `__real_` is not "used in a regular object" afterwards, so it is never
    /// imported; the other two are.
    pub(super) fn add_wrapped_symbols(&mut self, config: &'a Config) -> Vec<Wrapped> {
        let mut seen = HashSet::new();
        let mut wrapped = Vec::new();
        for w in &config.wrap {
            if !seen.insert(w.symbol.as_str()) {
                continue;
            }
            let Some(sym) = self.table.find(&w.symbol) else {
                continue;
            };
            let real = self.add_internal_undefined(&w.real);
            let wrap = self.add_internal_undefined(&w.wrap);
            self.table.get_mut(sym).used_in_regular = true;
            self.table.get_mut(wrap).used_in_regular = true;
            self.table.get_mut(real).used_in_regular = false;
            wrapped.push(Wrapped { sym, real, wrap });
        }
        wrapped
    }

    /// A strong undefined function reference from the linker itself (lld's `addUndefined` in
    /// `Driver.cpp`): extracts a lazy definition, makes a weak undefined symbol strong.
    fn add_internal_undefined(&mut self, name: &'a str) -> SymbolId {
        self.trace.reference(INTERNAL, name);
        let Some(id) = self.table.find(name) else {
            let def = Def::Undefined {
                file: FileId(0),
                index: u32::MAX,
            };
            let flags = SymbolFlags(SymbolFlags::UNDEFINED);
            let mut sym = Symbol::new(name, Kind::Function, def, flags);
            sym.used_in_regular = true;
            let id = self.table.insert(sym);
            self.internal.push(id);
            return id;
        };
        self.table.get_mut(id).used_in_regular = true;
        let sym = self.table.get(id);
        match sym.def {
            Def::Lazy(m) => {
                self.load(m);
                self.record_extraction(INTERNAL, m, name);
            }
            Def::Undefined { .. } => {
                let sym = self.table.get_mut(id);
                sym.flags = SymbolFlags(sym.flags.0 & !SymbolFlags::BINDING_WEAK);
            }
            _ if sym.kind != Kind::Function => self.internal_kind_error(id),
            _ => {}
        }
        id
    }

    /// `symbol type mismatch` for a `__real_`/`__wrap_` name that is not a function.
    fn internal_kind_error(&mut self, id: SymbolId) {
        let sym = self.table.get(id);
        let other = self.defining_file_name(id);
        self.mismatch(id, format!(
            "symbol type mismatch: {}\n>>> defined as {} in {other}\n>>> defined as WASM_SYMBOL_TYPE_FUNCTION in {INTERNAL}",
            sym.name,
            sym.kind.name(),
        ));
    }

    /// Step 2: redirects every loaded object's references, then the name lookups. All
    /// references move at once (a reference is redirected at most once); the name lookups
    /// move one `--wrap` after the other, as lld's `SymbolTable::wrap` does.
    pub(super) fn wrap_symbols(&mut self, wrapped: &[Wrapped]) {
        if wrapped.is_empty() {
            return;
        }
        let mut map = HashMap::new();
        for w in wrapped {
            map.insert(w.sym, w.wrap);
            map.insert(w.real, w.sym);
        }
        for &f in &self.loaded {
            for s in &mut self.file_syms[f.idx()] {
                if let Some(&to) = map.get(s) {
                    *s = to;
                }
            }
        }
        for w in wrapped {
            let [sym, real, wrap] = [w.sym, w.real, w.wrap].map(|id| self.table.get(id).name);
            let table = &mut self.table;
            if let (Some(original), Some(wrapper)) = (table.find(sym), table.find(wrap)) {
                table.redirect(real, original);
                table.redirect(sym, wrapper);
            }
        }
    }
}
