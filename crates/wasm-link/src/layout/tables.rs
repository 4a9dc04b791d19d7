//! Tables: the part of layout that gives every table its output index, in wasm-ld 19's order.
//!
//! Imported tables come first: the indirect function table when `--import-table` imports it
//! (lld's `calculateImports` allocates it before any other table), then undefined table
//! symbols in symbol-table order, deduplicated by module, field and table type (so two
//! imports of one name with different types stay two imports). Defined tables follow: the
//! live tables of each loaded object in load order, then the indirect function table, which
//! moves to the front when an object built without reference types needs it as table 0
//! (lld's `TableSection::addTable`).

use super::{ImportKind, Layout, OutImport, OutTableDef};
use crate::address::AddressWidth;
use crate::ids::{FileId, OutTable, SymbolId};
use crate::inputs::Inputs;
use crate::mark::Liveness;
use crate::resolve::Resolved;
use crate::symbols::{Def, Kind, Synthetic};
use std::borrow::Cow;
use std::collections::HashMap;
use wasm_format::linking::SymbolKind as RawKind;
use wasm_format::types::{Limits, RefType, TableType};
use wasm_object::ids::Definition;

/// The name of the indirect function table.
const INDIRECT: &str = "__indirect_function_table";

/// An import's (module, field) as a map key.
type ImportKey = (String, String);

impl<'a> Layout<'a> {
    /// With `--import-table`, the indirect function table is the first table import (its
    /// limits are set once the table slots are known). Returns its symbol.
    pub(super) fn import_indirect_table(
        &mut self,
        res: &Resolved<'a>,
        config: &crate::config::Config,
    ) -> Option<SymbolId> {
        if !config.import_table {
            return None;
        }
        let id = res.table.find(INDIRECT)?;
        self.imports.push(OutImport {
            module: "env".into(),
            field: INDIRECT.into(),
            kind: ImportKind::Table(funcref_table(0, None, self.address)),
            symbol: Some(id),
        });
        self.note_table_import(id);
        self.indirect_table = Some(OutTable(0));
        Some(id)
    }

    /// Adds the import of undefined table symbol `id` (symbol `index` of `file`), unless an
    /// import with the same module, field and type exists: then the symbol shares it.
    pub(super) fn import_table(
        &mut self,
        inputs: &Inputs<'a>,
        id: SymbolId,
        (file, index): (FileId, u32),
        (module, field): ImportKey,
        seen: &mut HashMap<(ImportKey, TableType), OutTable>,
    ) {
        let Some(ty) = referenced_table_type(inputs, file, index) else {
            return;
        };
        let key = ((module, field), ty);
        if let Some(&table) = seen.get(&key) {
            self.sym_table.insert(id, table);
            return;
        }
        let ((module, field), _) = &key;
        self.imports.push(OutImport {
            module: Cow::Owned(module.clone()),
            field: Cow::Owned(field.clone()),
            kind: ImportKind::Table(ty),
            symbol: Some(id),
        });
        seen.insert(key, self.note_table_import(id));
    }

    /// Counts a new table import for symbol `id`; gives its index.
    fn note_table_import(&mut self, id: SymbolId) -> OutTable {
        let table = OutTable(self.num_table_imports);
        self.num_table_imports += 1;
        self.sym_table.insert(id, table);
        table
    }

    /// An imported indirect function table holds the slots: no maximum, lld's
    /// `finalizeIndirectFunctionTable`.
    pub(super) fn set_imported_indirect_limits(&mut self) {
        let Some(OutTable(k)) = self.indirect_table else {
            return;
        };
        let min = self.table_size();
        let tables = self.imports.iter_mut().filter_map(|i| match &mut i.kind {
            ImportKind::Table(ty) => Some(ty),
            _ => None,
        });
        if let Some(ty) = tables.into_iter().nth(k as usize) {
            ty.limits.min = min;
        }
    }

    /// Defined tables: live input tables in load order, and the indirect function table when
    /// the output defines it (last, or first for objects without reference types, which then
    /// must not meet a table import). Then each table symbol's index.
    pub(super) fn assign_tables(
        &mut self,
        inputs: &Inputs<'a>,
        res: &Resolved<'a>,
        live: &Liveness,
        define_indirect: bool,
        errors: &mut Vec<String>,
    ) {
        let indirect_first = define_indirect && res.legacy_table;
        if indirect_first {
            if let Some(e) = self.legacy_conflict(inputs, res) {
                errors.push(e);
                return;
            }
            self.tables.push(OutTableDef::Indirect);
        }
        for &f in &res.loaded {
            let alive = live.tables[f.idx()].iter().enumerate();
            for (i, _) in alive.filter(|(_, l)| **l) {
                self.tables.push(OutTableDef::Input(f, i as u32));
            }
        }
        if define_indirect && !indirect_first {
            self.tables.push(OutTableDef::Indirect);
        }
        self.assign_table_symbols(inputs, res);
    }

    /// lld's error when a table import keeps the indirect function table from being table 0.
    fn legacy_conflict(&self, inputs: &Inputs<'a>, res: &Resolved<'a>) -> Option<String> {
        let culprit = self.imports.iter().find_map(|i| match i.kind {
            ImportKind::Table(_) => i.symbol,
            _ => None,
        })?;
        let sym = res.table.get(culprit);
        let file = match sym.def {
            Def::Undefined { file, .. } => inputs.name(file),
            _ => crate::trace::INTERNAL,
        };
        Some(format!(
            "object file not built with 'reference-types' feature conflicts with import of \
             table {} by file {file}",
            sym.name
        ))
    }

    /// The output index of every symbol that names a defined table.
    fn assign_table_symbols(&mut self, inputs: &Inputs<'a>, res: &Resolved<'a>) {
        let base = self.num_table_imports;
        let mut index = HashMap::new();
        for (k, t) in self.tables.iter().enumerate() {
            index.insert(*t, OutTable(base + k as u32));
        }
        if let Some(&t) = index.get(&OutTableDef::Indirect) {
            self.indirect_table = Some(t);
        }
        for (i, sym) in res.table.symbols.iter().enumerate() {
            if sym.kind != Kind::Table {
                continue;
            }
            let def = match sym.def {
                Def::Synthetic(Synthetic::IndirectTable) => Some(OutTableDef::Indirect),
                Def::Defined { file, index } => defined_table(inputs, file, index),
                _ => None,
            };
            if let Some(&t) = def.and_then(|d| index.get(&d)) {
                let id = SymbolId(i as u32);
                // An imported weak definition: uses go to the import, the export to this.
                match self.sym_table.entry(id) {
                    std::collections::hash_map::Entry::Occupied(_) => {
                        self.own_definition.insert(id, super::Exported::Table(t));
                    }
                    std::collections::hash_map::Entry::Vacant(slot) => {
                        slot.insert(t);
                    }
                }
            }
        }
    }

    /// The type of defined output table `k`: an input's as declared; the indirect function
    /// table sized for its slots, with that as its maximum unless `--growable-table`.
    pub fn defined_table_type(&self, inputs: &Inputs<'a>, k: usize, growable: bool) -> TableType {
        match self.tables[k] {
            OutTableDef::Input(f, i) => inputs.obj(f).tables[i as usize],
            OutTableDef::Indirect => {
                let size = self.table_size();
                funcref_table(size, (!growable).then_some(size), self.address)
            }
        }
    }

    /// The output index of the table symbol `id` names, if it is in the output.
    pub fn symbol_table(&self, id: SymbolId) -> Option<OutTable> {
        self.sym_table.get(&id).copied()
    }
}

/// Which defined table of its file table symbol `index` of `file` is.
fn defined_table(inputs: &Inputs<'_>, file: FileId, index: u32) -> Option<OutTableDef> {
    let Some(Definition::Table(t)) = inputs.obj(file).definition(index) else {
        return None;
    };
    Some(OutTableDef::Input(file, t.0))
}

/// The type an undefined table entry (symbol `index` of `file`) imports.
fn referenced_table_type(inputs: &Inputs<'_>, file: FileId, index: u32) -> Option<TableType> {
    let obj = inputs.obj(file);
    // A shared library's weak definition is imported with its own type.
    if let Some(Definition::Table(t)) = obj.definition(index) {
        return obj.tables.get(t.idx()).copied();
    }
    match obj.symbols.get(index as usize).map(|s| s.kind) {
        Some(RawKind::Table { index }) => obj.table_imports.get(index as usize).map(|t| t.ty),
        // A legacy object's table import has no symbol.
        None => obj.table_imports.first().map(|t| t.ty),
        Some(_) => None,
    }
}

/// A `funcref` table with these limits: 64-bit under wasm64, as wasm-ld makes the indirect
/// function table.
fn funcref_table(min: u64, max: Option<u64>, width: AddressWidth) -> TableType {
    TableType {
        elem: RefType::FUNCREF,
        limits: Limits {
            min,
            max,
            shared: false,
            memory64: width.is64(),
        },
    }
}
