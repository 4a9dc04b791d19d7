//! The one `--trace-symbol` rule that needs resolution state: lld traces a definition when it
//! takes the symbol's place, except a function definition that meets a direct call of another
//! signature. That definition goes into a fresh, untraced variant symbol; the traced original
//! is turned into the trapping stub later (`handleSymbolVariants`), and that is what gets
//! printed: `<internal>: definition of signature_mismatch:NAME`.

use super::Resolver;
use crate::ids::{FileId, SymbolId};
use crate::symbols::Def;
use crate::trace::INTERNAL;

impl<'a> Resolver<'_, 'a> {
    /// Traces definition `def` of `name` from file `f` taking the place of symbol `id`.
    pub(super) fn trace_definition(&mut self, id: SymbolId, f: FileId, def: Def, name: &'a str) {
        if !self.trace.traced(name) {
            return;
        }
        if let Def::Defined { index, .. } = def {
            if self.mismatched_direct_call(id, f, index) {
                self.variant_traced.push(name);
                return;
            }
        }
        self.trace.definition(self.inputs.name(f), name);
    }

    /// The signature stub for a traced `name` whose definition went into a variant.
    pub(super) fn trace_variant_stub(&mut self, name: &str) {
        if let Some(i) = self.variant_traced.iter().position(|n| *n == name) {
            self.variant_traced.swap_remove(i);
            let shown = format!("signature_mismatch:{}", self.trace.display(name));
            self.trace.defined_as(name, INTERNAL, &shown);
        }
    }
}
