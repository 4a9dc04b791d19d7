//! What a new symbol-table entry must agree with when its name already has a symbol, per kind,
//! as lld's `SymbolTable::add*` functions check it: a function never meets another kind; data,
//! globals, tables and tags check their kind (and type) only against a definition; two
//! undefined references check only that their import names and modules agree
//! (`updateExistingUndefined`).

use super::Resolver;
use crate::diagnostic::{Code, Diagnostic};
use crate::ids::{FileId, SymbolId};
use crate::symbols::ImportRef;
use crate::symbols::{Def, Kind, Synthetic};
use wasm_format::linking::{SymbolFlags, SymbolKind as RawKind};
use wasm_format::types::{FuncType, GlobalType, Limits, TableType};

impl<'a> Resolver<'_, 'a> {
    /// A symbol-mismatch error about symbol `id`.
    pub(super) fn mismatch(&mut self, id: SymbolId, message: String) {
        let name = self.table.get(id).name;
        let error = Diagnostic::error(Code::SymbolMismatch, message).for_symbol(name);
        self.errors.push(error);
    }

    /// A symbol-mismatch warning about symbol `id`.
    fn mismatch_warning(&mut self, id: SymbolId, message: String) {
        let name = self.table.get(id).name;
        let warning = Diagnostic::warning(Code::SymbolMismatch, message).for_symbol(name);
        self.warnings.push(warning);
    }

    /// The import an undefined entry of `f` stands for (none for data).
    pub(super) fn import_ref(
        &self,
        f: FileId,
        s: &wasm_format::linking::SymbolInfo<'a>,
    ) -> ImportRef<'a> {
        match self.inputs.obj(f).symbol_import(s) {
            Some((module, field)) => ImportRef {
                name: s.flags.has_explicit_name().then_some(field),
                module: Some(module),
            },
            None => ImportRef::default(),
        }
    }

    /// Checks a definition of `kind` (symbol `i` of `f`) against existing symbol `id`, which is
    /// neither new nor lazy. Returns false when the definition must be dropped: a function
    /// meeting another kind (lld's `addDefinedFunction` returns there, without a duplicate).
    pub(super) fn check_definition(&mut self, id: SymbolId, kind: Kind, f: FileId, i: u32) -> bool {
        if self.kind_unknown(id) {
            self.table.get_mut(id).kind = kind;
        }
        let existing = self.table.get(id).kind;
        if existing != kind {
            self.type_error(id, kind, f);
            return kind != Kind::Function;
        }
        self.check_same_kind(id, kind, f, i);
        true
    }

    /// Checks an undefined entry of `kind` (symbol `i` of `f`) against existing symbol `id`,
    /// which is not lazy. Returns false when the reference is to be ignored (a function
    /// reference to another kind).
    pub(super) fn check_reference(&mut self, id: SymbolId, kind: Kind, f: FileId, i: u32) -> bool {
        if self.kind_unknown(id) {
            self.table.get_mut(id).kind = kind;
        }
        let sym = self.table.get(id);
        if kind == Kind::Function && sym.kind != Kind::Function {
            self.type_error(id, kind, f);
            return false;
        }
        if sym.is_defined() && kind != Kind::Function {
            if sym.kind != kind {
                self.type_error(id, kind, f);
            } else {
                self.check_same_kind(id, kind, f, i);
            }
        }
        true
    }

    /// Globals must have the same type, tables the same element type; tags of another
    /// signature are only a warning.
    fn check_same_kind(&mut self, id: SymbolId, kind: Kind, f: FileId, i: u32) {
        let entry = self.entry_of(id);
        let mismatch = match kind {
            Kind::Global => {
                let old = match self.table.get(id).def {
                    Def::Synthetic(s) => self.synthetic_global_type(s),
                    _ => entry.and_then(|(file, index)| self.global_type(file, index)),
                };
                let new = self.global_type(f, i);
                old.zip(new)
                    .filter(|(o, n)| o != n)
                    .map(|(o, n)| ("Global", global_type_name(&o), global_type_name(&n)))
            }
            Kind::Table => {
                let old = entry.and_then(|(file, index)| self.table_type(file, index));
                let new = self.table_type(f, i);
                old.zip(new)
                    .filter(|(o, n)| o.elem != n.elem)
                    .map(|(o, n)| ("Table", table_type_name(&o), table_type_name(&n)))
            }
            Kind::Tag => {
                self.check_tag_signature(id, f, i);
                None
            }
            _ => None,
        };
        if let Some((what, old, new)) = mismatch {
            self.mismatch(
                id,
                format!(
                "{what} type mismatch: {}\n>>> defined as {old} in {}\n>>> defined as {new} in {}",
                self.table.get(id).name,
                self.defining_file_name(id),
                self.inputs.name(f)
            ),
            );
        }
    }

    /// The type of a global the linker defines from the start (lld's `createSyntheticSymbols`).
    fn synthetic_global_type(&self, s: Synthetic) -> Option<GlobalType> {
        let val = crate::address::AddressWidth::of(self.config).val_type();
        let mutable = match s {
            Synthetic::StackPointer => true,
            Synthetic::TlsBase => self.config.shared_memory,
            Synthetic::TlsSize | Synthetic::TlsAlign => false,
            _ => return None,
        };
        Some(GlobalType { val, mutable })
    }

    /// The (file, symbol index) behind a symbol a file defines or references.
    fn entry_of(&self, id: SymbolId) -> Option<(FileId, u32)> {
        match self.table.get(id).def {
            Def::Defined { file, index } | Def::Undefined { file, index } => Some((file, index)),
            _ => None,
        }
    }

    /// `symbol type mismatch`, naming the kinds as LLVM's `toString(WasmSymbolType)` does.
    fn type_error(&mut self, id: SymbolId, kind: Kind, f: FileId) {
        let sym = self.table.get(id);
        let other = self.defining_file_name(id);
        self.mismatch(
            id,
            format!(
                "symbol type mismatch: {}\n>>> defined as {} in {other}\n>>> defined as {} in {}",
                sym.name,
                sym.kind.name(),
                kind.name(),
                self.inputs.name(f)
            ),
        );
    }

    /// A later undefined entry for undefined symbol `id` (lld's `updateExistingUndefined`):
    /// an explicit import name or a module must agree with the first one given, a strong
    /// reference makes a weak symbol strong, and NO_STRIP sticks.
    pub(super) fn update_undefined(
        &mut self,
        id: SymbolId,
        f: FileId,
        flags: SymbolFlags,
        import: ImportRef<'a>,
    ) {
        let sym = self.table.get_mut(id);
        let mut mismatch = Vec::new();
        let mut now = sym.import();
        if let Some(name) = import.name {
            let first = *now.name.get_or_insert(name);
            if first != name {
                mismatch.push(("name", first, name));
            }
        }
        if let Some(module) = import.module {
            let first = *now.module.get_or_insert(module);
            if first != module {
                mismatch.push(("module", first, module));
            }
        }
        // Unchanged for nearly every reference: no new box.
        if now != sym.import() {
            sym.set_import(now);
        }
        if sym.is_weak() && !flags.is_weak() {
            let binding = SymbolFlags::BINDING_WEAK | SymbolFlags::BINDING_LOCAL;
            sym.flags = SymbolFlags(sym.flags.0 & !binding | flags.0 & binding);
        }
        sym.flags = SymbolFlags(sym.flags.0 | flags.0 & SymbolFlags::NO_STRIP);
        let name = sym.name;
        for (what, first, new) in mismatch {
            let other = self.defining_file_name(id);
            self.mismatch(id, format!(
                "import {what} mismatch for symbol: {name}\n>>> defined as {first} in {other}\n>>> defined as {new} in {}",
                self.inputs.name(f)
            ));
        }
    }

    /// A tag meeting a tag of another signature is only a warning (lld's `checkTagType`); the
    /// existing symbol keeps or loses its place by the usual rules.
    pub(super) fn check_tag_signature(&mut self, id: SymbolId, f: FileId, i: u32) {
        let sym = self.table.get(id);
        let (Def::Defined { file, index } | Def::Undefined { file, index }) = sym.def else {
            return;
        };
        if sym.kind != Kind::Tag {
            return;
        }
        let old = self.tag_signature(file, index);
        let new = self.tag_signature(f, i);
        let (Some(old), Some(new)) = (old, new) else {
            return;
        };
        if old != new {
            self.mismatch_warning(id, format!(
                "Tag signature mismatch: {}\n>>> defined as {old} in {}\n>>> defined as {new} in {}",
                sym.name,
                self.inputs.name(file),
                self.inputs.name(f)
            ));
        }
    }

    /// The signature of tag symbol `index` of file `f` (imported or defined there).
    fn tag_signature(&self, f: FileId, index: u32) -> Option<&FuncType> {
        let obj = self.inputs.obj(f);
        let RawKind::Tag { index } = obj.symbols.get(index as usize)?.kind else {
            return None;
        };
        obj.types.get(obj.tag_type(index)? as usize)
    }

    /// The type of global symbol `index` of file `f` (imported or defined there).
    fn global_type(&self, f: FileId, index: u32) -> Option<GlobalType> {
        let obj = self.inputs.obj(f);
        let RawKind::Global { index } = obj.symbols.get(index as usize)?.kind else {
            return None;
        };
        obj.global_type(index)
    }

    /// The type of table symbol `index` of file `f` (imported or defined there); a legacy
    /// table reference (no symbol) is the object's one table import.
    pub(super) fn table_type(&self, f: FileId, index: u32) -> Option<TableType> {
        let obj = self.inputs.obj(f);
        let Some(s) = obj.symbols.get(index as usize) else {
            return obj.table_imports.first().map(|t| t.ty);
        };
        let RawKind::Table { index } = s.kind else {
            return None;
        };
        obj.table_type(index)
    }
}

/// `var i32` / `const i64`, as lld's `toString(WasmGlobalType)` writes it.
fn global_type_name(ty: &GlobalType) -> String {
    let mutability = if ty.mutable { "var" } else { "const" };
    format!("{mutability} {}", ty.val)
}

/// `type=funcref; limits=[flags=0x1; min=2; max=2]`, as lld's `toString(WasmTableType)`.
fn table_type_name(ty: &TableType) -> String {
    format!("type={}; limits=[{}]", ty.elem, limits_name(&ty.limits))
}

fn limits_name(l: &Limits) -> String {
    let flags = u8::from(l.max.is_some()) | u8::from(l.shared) << 1 | u8::from(l.memory64) << 2;
    let mut out = format!("flags=0x{flags:x}; min={}", l.min);
    if let Some(max) = l.max {
        out.push_str(&format!("; max={max}"));
    }
    out
}
