//! Signature variants: a direct call whose signature differs from the definition's goes to a
//! trapping stub, one per (name, signature), with a warning naming both (lld's
//! `getFunctionVariant` and `handleSymbolVariants`).
//!
//! lld keeps the variants in a `DenseMap<CachedHashStringRef, ...>` and walks it in bucket
//! order to create the stubs and print the warnings, so both come in hash order
//! ([`crate::string_map::dense_map_order`]). Which of two colliding names gets the earlier
//! bucket depends on which was inserted first: a name is inserted when lld meets its first
//! conflicting pair of symbols, which [`Resolver::note_variant`] records as symbols are added.

use super::Resolver;
use crate::diagnostic::{Code, Diagnostic};
use crate::ids::{FileId, SymbolId};
use crate::symbols::{Def, Kind, Symbol, Synthetic};
use rustc_hash::FxHashMap as HashMap;
use wasm_format::linking::{SymbolFlags, SymbolInfo};
use wasm_format::reloc::RelocType;
use wasm_format::types::FuncType;

/// One stub to create: a signature that calls of `name` use but its definition does not.
struct Variant<'a> {
    name: &'a str,
    /// The (file, type index) of the callers' signature: the stub's.
    caller: (FileId, u32),
    /// The definition's.
    callee: (FileId, u32),
    /// The first file that calls with this signature.
    file: FileId,
    /// The (file, symbol index) references that go to the stub.
    uses: Vec<(FileId, u32)>,
}

impl<'a> Resolver<'_, 'a> {
    /// Records that `name` now has signature variants, the first time lld would create one:
    /// when a directly called reference and a definition (or another directly called
    /// reference) of another signature meet, in whichever order they come.
    pub(super) fn note_variant(&mut self, name: &'a str) {
        if !self.variant_names.contains(&name) {
            self.variant_names.push(name);
        }
    }

    /// Notes a variant if reference `i` of `f` calls existing function `id` directly with
    /// another signature than the one `id` has (its definition's, or its first directly
    /// called reference's).
    pub(super) fn note_reference_variant(
        &mut self,
        id: SymbolId,
        f: FileId,
        i: u32,
        s: &SymbolInfo<'a>,
    ) {
        let sym = self.table.get(id);
        if sym.kind != Kind::Function {
            return;
        }
        let reference = match sym.def {
            Def::Undefined { file, index } => Some((file, index)),
            _ => None,
        };
        let existing = match sym.def {
            Def::Defined { .. } => self.definition_signature(id),
            Def::Undefined { .. } => sym.signature(),
            _ => None,
        };
        let (Some(existing), Some(new)) = (existing, self.signature_of(f, s)) else {
            return;
        };
        // Signatures first: whether a call is direct takes a look at every relocation.
        let called_directly = |(file, index)| self.calls_directly(file, index);
        if self.func_type(existing) != self.func_type(new)
            && reference.is_none_or(called_directly)
            && self.calls_directly(f, i)
        {
            let name = sym.name;
            self.note_variant(name);
            if reference.is_some() {
                self.call_variants
                    .entry(name)
                    .or_insert([existing, (f, new.1)]);
            }
        }
    }

    /// Whether `id` is an undefined function whose first reference calls it directly with a
    /// signature other than that of function symbol `index` of `f`.
    pub(super) fn mismatched_direct_call(&self, id: SymbolId, f: FileId, index: u32) -> bool {
        let sym = self.table.get(id);
        let (Def::Undefined { file, index: at }, Some(caller)) = (sym.def, sym.signature()) else {
            return false;
        };
        let Some(callee) = self.defined_function_type(f, index) else {
            return false;
        };
        sym.kind == Kind::Function
            && self.func_type(caller) != self.func_type(callee)
            && self.calls_directly(file, at)
    }

    /// Whether the code of `f` calls its symbol `index` directly (lld's `isCalledDirectly`).
    pub(super) fn calls_directly(&self, f: FileId, index: u32) -> bool {
        let mut relocs = self.inputs.obj(f).code_relocs_now();
        relocs.any(|r| r.ty == RelocType::FunctionIndexLeb && r.index == index)
    }

    fn func_type(&self, (f, ty): (FileId, u32)) -> Option<&FuncType> {
        self.inputs.obj(f).types.get(ty as usize)
    }

    /// Sends every direct call of another signature than its definition's to a stub, creating
    /// the stubs and their warnings in lld's order.
    pub(super) fn split_signature_variants(&mut self) {
        let variants = self.collect_variants();
        let mut by_name: HashMap<&'a str, Vec<usize>> = HashMap::default();
        for (v, variant) in variants.iter().enumerate() {
            by_name.entry(variant.name).or_default().push(v);
        }
        // Names in the order lld inserts them into its map; any not noted keep discovery order.
        let noted: Vec<&'a str> = self
            .variant_names
            .iter()
            .copied()
            .filter(|n| by_name.contains_key(n) || self.unresolved_variants(n).is_some())
            .collect();
        let found = variants.iter().map(|v| v.name);
        for name in crate::string_map::dense_map_order(noted.into_iter().chain(found)) {
            if let Some([first, second]) = self.unresolved_variants(name) {
                // No definition to pick the import's signature: lld reports it and stops.
                let message = self.mismatch_message(name, first, second);
                let error = Diagnostic::error(Code::SymbolMismatch, message).for_symbol(name);
                self.errors.push(error);
                return;
            }
            for &v in &by_name[name] {
                self.create_stub(&variants[v]);
            }
        }
    }

    /// The two disagreeing direct calls of `name`, if nothing defines it.
    fn unresolved_variants(&self, name: &str) -> Option<[(FileId, u32); 2]> {
        let id = self.table.find(name)?;
        let defined = self.table.get(id).is_defined();
        self.call_variants.get(name).copied().filter(|_| !defined)
    }

    /// A direct call of another signature than the one a shared library gives the function:
    /// an error, unless `--no-shlib-sigcheck` (lld's `addSharedFunction` /
    /// `addUndefinedFunction`). `call` is the calling reference's (file, symbol index) and
    /// signature; `offered` the library's signature; `library_first` when the library came
    /// first (the message names the older symbol first).
    pub(super) fn check_shared_signature(
        &mut self,
        name: &str,
        (file, index, called): (FileId, u32, Option<(FileId, u32)>),
        offered: Option<(FileId, u32)>,
        library_first: bool,
    ) {
        let (Some(called), Some(offered)) = (called, offered) else {
            return;
        };
        if !self.config.shlib_sigcheck
            || self.func_type(called) == self.func_type(offered)
            || !self.calls_directly(file, index)
        {
            return;
        }
        let message = if library_first {
            self.mismatch_message(name, offered, called)
        } else {
            self.mismatch_message(name, called, offered)
        };
        let error = Diagnostic::error(Code::SymbolMismatch, message).for_symbol(name);
        self.errors.push(error);
    }

    /// `function signature mismatch: NAME` with the two signatures and their files.
    fn mismatch_message(&self, name: &str, a: (FileId, u32), b: (FileId, u32)) -> String {
        let ty = |sig: (FileId, u32)| {
            self.func_type(sig)
                .map(|t| t.to_string())
                .unwrap_or_default()
        };
        format!(
            "function signature mismatch: {name}\n>>> defined as {} in {}\n>>> defined as {} in {}",
            ty(a),
            self.inputs.name(a.0),
            ty(b),
            self.inputs.name(b.0)
        )
    }

    /// The variants of every loaded object's direct calls, per file in load order, each called
    /// symbol in the order of its first call.
    fn collect_variants(&self) -> Vec<Variant<'a>> {
        let mut variants: Vec<Variant<'a>> = Vec::new();
        let mut index: HashMap<(&'a str, &FuncType), usize> = HashMap::default();
        for &f in &self.loaded {
            if !self.references_a_variant(f) {
                continue;
            }
            for i in self.called_symbols(f) {
                let Some(&id) = self.file_syms[f.idx()].get(i as usize) else {
                    continue;
                };
                let obj = self.inputs.obj(f);
                let Some(caller) = self.signature_of(f, &obj.symbols[i as usize]) else {
                    continue;
                };
                let Some(callee) = self.definition_signature(id) else {
                    continue;
                };
                let (Some(caller_ty), Some(callee_ty)) =
                    (self.func_type(caller), self.func_type(callee))
                else {
                    continue;
                };
                if caller_ty == callee_ty {
                    continue;
                }
                let name = self.table.get(id).name;
                let v = *index.entry((name, caller_ty)).or_insert_with(|| {
                    variants.push(Variant {
                        name,
                        caller,
                        callee,
                        file: f,
                        uses: Vec::new(),
                    });
                    variants.len() - 1
                });
                variants[v].uses.push((f, i));
            }
        }
        variants
    }

    /// Whether `f` references a function defined with another signature than the reference's:
    /// only then can a call of `f` be a variant (and only then are its relocations read).
    fn references_a_variant(&self, f: FileId) -> bool {
        let symbols = self.inputs.obj(f).symbols.iter();
        symbols.zip(&self.file_syms[f.idx()]).any(|(s, &id)| {
            let caller = self.signature_of(f, s);
            let callee = caller.and_then(|_| self.definition_signature(id));
            match (caller, callee) {
                (Some(caller), Some(callee)) => self.func_type(caller) != self.func_type(callee),
                _ => false,
            }
        })
    }

    /// The symbols `f` calls directly, each once, in the order of its first call.
    fn called_symbols(&self, f: FileId) -> Vec<u32> {
        let obj = self.inputs.obj(f);
        let mut seen = vec![false; obj.symbols.len()];
        obj.code_relocs_now()
            .filter(|r| r.ty == RelocType::FunctionIndexLeb)
            .map(|r| r.index)
            .filter(|&i| {
                seen.get_mut(i as usize)
                    .is_some_and(|s| !std::mem::replace(s, true))
            })
            .collect()
    }

    /// The trapping stub of one variant, its warning, and its callers pointed at it.
    fn create_stub(&mut self, v: &Variant<'a>) {
        self.trace_variant_stub(v.name);
        let (Some(caller_ty), Some(callee_ty)) =
            (self.func_type(v.caller), self.func_type(v.callee))
        else {
            return;
        };
        let message = format!(
            "function signature mismatch: {}\n>>> defined as {caller_ty} in {}\n>>> defined as {callee_ty} in {}",
            v.name,
            self.inputs.name(v.file),
            self.inputs.name(v.callee.0)
        );
        let warning = Diagnostic::warning(Code::SymbolMismatch, message).for_symbol(v.name);
        self.warnings.push(warning);
        let mut sym = Symbol::new(
            v.name,
            Kind::Function,
            Def::Synthetic(Synthetic::SignatureStub),
            SymbolFlags(SymbolFlags::VISIBILITY_HIDDEN),
        );
        sym.set_signature(Some(v.caller));
        sym.used_in_regular = true;
        let stub = self.table.push(sym);
        for &(f, i) in &v.uses {
            self.file_syms[f.idx()][i as usize] = stub;
        }
    }
}
