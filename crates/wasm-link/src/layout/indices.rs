//! Index spaces: the relocation scan, imports, functions (synthetic, stubs, inputs), globals,
//! the indirect function table and internal GOT entries.

use super::*;
use wasm_object::ids::Definition;

/// What a relocation asks of the layout while scanning (lld's `scanRelocations`).
pub(super) enum Scanned {
    /// `TYPE_INDEX_LEB`: this input type is used.
    Type(u32),
    /// `GLOBAL_INDEX` of a data or function symbol (true for a function): an internal GOT entry.
    Got(SymbolId, bool),
    /// A table-index relocation of a live function: a table slot.
    Slot(SymbolId),
}

impl<'a> Layout<'a> {
    /// Scans relocations of live chunks in load order: records the types that
    /// `TYPE_INDEX_LEB` uses (registered first) and gives functions whose address is taken
    /// their table slot, in the order lld's `scanRelocations` does.
    pub(super) fn scan_relocations(
        &mut self,
        inputs: &Inputs<'a>,
        res: &Resolved<'a>,
        live: &Liveness,
    ) -> (Vec<(FileId, u32)>, Vec<SymbolId>) {
        // Each file is scanned in parallel; its findings are replayed in load order, so the
        // first occurrence decides as in a single scan.
        let found: Vec<Vec<Scanned>> = res
            .loaded
            .par_iter()
            .map(|&f| self.scan_file(inputs, res, live, f))
            .collect();
        let mut used: Vec<(FileId, u32)> = Vec::new();
        let mut got_seen = vec![false; res.table.symbols.len()];
        let mut slot_order: Vec<SymbolId> = Vec::new();
        let mut seen = vec![false; res.table.symbols.len()];
        for (&f, events) in res.loaded.iter().zip(found) {
            for event in events {
                match event {
                    Scanned::Type(t) => used.push((f, t)),
                    Scanned::Got(id, is_function) => {
                        if !got_seen[id.idx()] {
                            got_seen[id.idx()] = true;
                            self.got.push(id);
                            if is_function && !seen[id.idx()] {
                                seen[id.idx()] = true;
                                slot_order.push(id);
                            }
                        }
                    }
                    Scanned::Slot(id) => {
                        if !seen[id.idx()] {
                            seen[id.idx()] = true;
                            slot_order.push(id);
                        }
                    }
                }
            }
        }
        (used, slot_order)
    }

    /// What one file's live relocations ask of the layout, in relocation order.
    pub(super) fn scan_file(
        &self,
        inputs: &Inputs<'a>,
        res: &Resolved<'a>,
        live: &Liveness,
        f: FileId,
    ) -> Vec<Scanned> {
        let obj = inputs.obj(f);
        let funcs = (obj.functions.iter().enumerate()).filter(|(i, _)| live.functions[f.idx()][*i]);
        let segs = obj.segments.iter().enumerate().filter(|(i, _)| {
            !matches!(
                self.placements[f.idx()].get(*i),
                None | Some(Placement::None)
            )
        });
        let ranges = funcs
            .map(|(_, x)| &obj.code_relocs[x.relocs.clone()])
            .chain(segs.map(|(_, s)| &obj.data_relocs[s.relocs.clone()]))
            .chain(obj.customs.iter().map(|c| &c.index_relocs[..]));
        let mut out = Vec::new();
        for r in ranges.flatten() {
            if r.ty == RelocType::TypeIndexLeb {
                out.push(Scanned::Type(r.index));
                continue;
            }
            let global = r.ty.target() == RelocTarget::Global;
            if !global && r.ty.target() != RelocTarget::Table {
                continue;
            }
            let Some(&id) = res.file_syms[f.idx()].get(r.index as usize) else {
                continue;
            };
            let sym = res.table.get(id);
            if global {
                // `global.get` of a data or function symbol: an internal GOT entry, and for a
                // function, a table slot too.
                if matches!(sym.kind, Kind::Data | Kind::Function) {
                    out.push(Scanned::Got(id, sym.kind == Kind::Function));
                }
            } else if live.symbol(id) {
                out.push(Scanned::Slot(id));
            }
        }
        out
    }

    /// Imports: the memory, the table, then every live undefined symbol that may be imported,
    /// in symbol-table order (lld's `calculateImports`).
    pub(super) fn compute_imports(
        &mut self,
        inputs: &Inputs<'a>,
        res: &Resolved<'a>,
        live: &Liveness,
        config: &Config,
    ) {
        if let Some((module, field)) = &config.import_memory {
            let (module, field) = (module.clone().into(), field.clone().into());
            self.imports.push(OutImport {
                module,
                field,
                kind: ImportKind::Memory,
                symbol: None,
            });
        }
        let indirect = self.import_indirect_table(res, config);
        let mut seen_funcs: HashMap<(String, String, FuncType), OutFunc> = HashMap::new();
        let mut seen_globals: HashMap<(String, String, GlobalType), OutGlobal> = HashMap::new();
        let mut seen_tables = HashMap::new();
        for (i, sym) in res.table.symbols.iter().enumerate() {
            let id = SymbolId(i as u32);
            if !should_import(sym, live.symbol(id), inputs, config) || Some(id) == indirect {
                continue;
            }
            let Def::Undefined { file, index } = sym.def else {
                continue;
            };
            let obj = inputs.obj(file);
            // lld's `importModule.value_or("env")`, `importName.value_or(name)`.
            let module = sym.import_module.unwrap_or("env");
            let field = sym.import_name.unwrap_or(sym.name);
            let (module, field): (std::borrow::Cow<'a, str>, std::borrow::Cow<'a, str>) =
                (module.into(), field.into());
            match sym.kind {
                Kind::Function => {
                    let (sf, ty) = sym.signature.unwrap_or((file, 0));
                    let ty = inputs
                        .obj(sf)
                        .types
                        .get(ty as usize)
                        .cloned()
                        .unwrap_or(FuncType {
                            params: vec![],
                            results: vec![],
                        });
                    // Imports are deduplicated by (module, field, signature).
                    let key = (module.to_string(), field.to_string(), ty.clone());
                    if let Some(&index) = seen_funcs.get(&key) {
                        self.sym_func[id.idx()] = Some(index);
                        continue;
                    }
                    let index = OutFunc(self.num_func_imports);
                    seen_funcs.insert(key, index);
                    self.sym_func[id.idx()] = Some(index);
                    self.num_func_imports += 1;
                    self.imports.push(OutImport {
                        module,
                        field,
                        // The type index is set once types are registered.
                        kind: ImportKind::Func {
                            ty,
                            index: OutType(0),
                        },
                        symbol: Some(id),
                    });
                }
                Kind::Tag => self.import_tag(inputs, id, (file, index), (module, field)),
                Kind::Table => {
                    let key = (module.to_string(), field.to_string());
                    self.import_table(inputs, id, (file, index), key, &mut seen_tables);
                }
                Kind::Global => {
                    let RawKind::Global { index } = obj.symbols[index as usize].kind else {
                        continue;
                    };
                    let Some(g) = obj.global_imports.get(index as usize) else {
                        continue;
                    };
                    // Imports are deduplicated by (module, field, type).
                    let key = (module.to_string(), field.to_string(), g.ty);
                    if let Some(&index) = seen_globals.get(&key) {
                        self.sym_global[id.idx()] = Some(index);
                        continue;
                    }
                    let index = OutGlobal(self.num_global_imports);
                    seen_globals.insert(key, index);
                    self.sym_global[id.idx()] = Some(index);
                    self.num_global_imports += 1;
                    self.imports.push(OutImport {
                        module,
                        field,
                        kind: ImportKind::Global(g.ty),
                        symbol: Some(id),
                    });
                }
                _ => {}
            }
        }
    }

    /// Function indices: imports, synthetic functions, then input functions in load order.
    pub(super) fn assign_functions(
        &mut self,
        inputs: &Inputs<'a>,
        res: &Resolved<'a>,
        live: &Liveness,
        stubs: &Stubs,
        config: &Config,
    ) {
        if live.call_ctors {
            if let Some(id) = res.table.find("__wasm_call_ctors") {
                let index = self.push_function(OutFunction::CallCtors);
                self.sym_func[id.idx()] = Some(index);
                self.call_ctors = Some(index);
            }
        }
        if let Some(id) = res.table.find("__wasm_init_tls") {
            let sym = res.table.get(id);
            if live.symbol(id) && sym.def == Def::Synthetic(Synthetic::InitTls) {
                self.sym_func[id.idx()] = Some(self.push_function(OutFunction::InitTls));
            }
        }
        let undefined_stubs = self.assign_stubs(inputs, res, live, stubs);
        if self.has_init_at_start() {
            self.init_memory = Some(self.push_function(OutFunction::InitMemory));
        }
        if config.shared_memory && self.got_has_tls(res) {
            self.apply_global_tls_relocs =
                Some(self.push_function(OutFunction::ApplyGlobalTlsRelocs));
        }
        if config.shared_memory && self.tls_has_relocs(inputs) {
            self.apply_tls_relocs = Some(self.push_function(OutFunction::ApplyTlsRelocs));
        }
        for &f in &res.loaded {
            let obj = inputs.obj(f);
            for i in 0..obj.functions.len() {
                // A function a COMDAT discarded is written when live: never with GC (nothing
                // reaches it), always without (lld keeps it, dead, in its file's place).
                if live.functions[f.idx()][i] {
                    let func = OutFunction::Input(f, DefinedFunc(i as u32));
                    self.file_funcs[f.idx()][i] = Some(self.push_function(func));
                }
            }
        }
        for (i, sym) in res.table.symbols.iter().enumerate() {
            if sym.kind != Kind::Function {
                continue;
            }
            if let Some(idx) = self.defined_function_index(inputs, sym.def) {
                self.sym_func[i] = Some(idx);
            }
            if let Some(stub) = stubs.of_symbol.get(&SymbolId(i as u32)) {
                self.sym_func[i] = Some(undefined_stubs[stub.index]);
            }
        }
    }

    /// Appends a defined function; gives its output index.
    pub(super) fn push_function(&mut self, f: OutFunction) -> OutFunc {
        let index = OutFunc(self.num_func_imports + self.functions.len() as u32);
        self.functions.push(f);
        index
    }

    /// Appends a defined global; gives its output index.
    pub(super) fn push_global(&mut self, g: OutGlobalDef) -> OutGlobal {
        let index = OutGlobal(self.num_global_imports + self.globals.len() as u32);
        self.globals.push(g);
        index
    }

    /// Whether a thread-local symbol is read through an internal GOT global (lld's
    /// `GlobalSection::needsTLSRelocations`).
    pub(super) fn got_has_tls(&self, res: &Resolved<'a>) -> bool {
        self.got.iter().any(|&id| res.table.get(id).flags.is_tls())
    }

    /// Whether some input segment of `.tdata` has relocations.
    pub(super) fn tls_has_relocs(&self, inputs: &Inputs<'a>) -> bool {
        let tls = self.segments.iter().filter(|s| s.is_tls());
        tls.flat_map(|s| &s.parts)
            .any(|&(f, i, _)| !inputs.obj(f).segments[i as usize].relocs.is_empty())
    }

    /// Live stubs: signature-mismatch ones, then weak ones, each kind in symbol order (one pass
    /// over the table), then the `undefined_stub`s; gives the output indices of the last.
    fn assign_stubs(
        &mut self,
        inputs: &Inputs<'a>,
        res: &Resolved<'a>,
        live: &Liveness,
        stubs: &Stubs,
    ) -> Vec<OutFunc> {
        let mut by_kind: [Vec<usize>; 2] = Default::default();
        for (i, sym) in res.table.symbols.iter().enumerate() {
            let rank = match sym.def {
                Def::Synthetic(Synthetic::SignatureStub) => 0,
                Def::Synthetic(Synthetic::WeakStub) => 1,
                _ => continue,
            };
            if live.symbol(SymbolId(i as u32)) {
                by_kind[rank].push(i);
            }
        }
        for i in by_kind.into_iter().flatten() {
            let sym = &res.table.symbols[i];
            if let Some((f, t)) = sym.signature {
                self.stub_types
                    .insert(SymbolId(i as u32), inputs.obj(f).types[t as usize].clone());
            }
            self.sym_func[i] = Some(self.push_function(OutFunction::Stub(SymbolId(i as u32))));
        }
        self.undefined_stub_types = stubs.signatures.clone();
        (0..stubs.signatures.len())
            .map(|i| self.push_function(OutFunction::UndefinedStub(i)))
            .collect()
    }

    pub(super) fn defined_function_index(&self, inputs: &Inputs<'a>, def: Def) -> Option<OutFunc> {
        let Def::Defined { file, index } = def else {
            return None;
        };
        let Some(Definition::Function(f)) = inputs.obj(file).definition(index) else {
            return None;
        };
        *self.file_funcs[file.idx()].get(f.idx())?
    }

    /// Global indices: imports, `__stack_pointer`, `__tls_base`, then live input globals.
    pub(super) fn assign_globals(
        &mut self,
        inputs: &Inputs<'a>,
        res: &Resolved<'a>,
        live: &Liveness,
        config: &Config,
    ) {
        for (name, def) in [
            ("__stack_pointer", OutGlobalDef::StackPointer),
            ("__tls_base", OutGlobalDef::TlsBase),
            ("__tls_size", OutGlobalDef::TlsSize),
            ("__tls_align", OutGlobalDef::TlsAlign),
        ] {
            let Some(id) = res.table.find(name) else {
                continue;
            };
            let sym = res.table.get(id);
            // With shared memory, `__wasm_init_memory` sets `__tls_base`.
            let set_at_start = config.shared_memory
                && (self.init_memory.is_some() || self.apply_global_tls_relocs.is_some());
            let is_live = live.symbol(id) || (set_at_start && matches!(def, OutGlobalDef::TlsBase));
            if is_live && matches!(sym.def, Def::Synthetic(_)) {
                let tls_base = matches!(def, OutGlobalDef::TlsBase);
                let index = self.push_global(def);
                self.sym_global[id.idx()] = Some(index);
                if tls_base {
                    self.tls_base_global = Some(index);
                }
            }
        }
        let mut live_globals: Vec<Vec<bool>> = inputs
            .files
            .iter()
            .map(|f| vec![false; f.obj.globals.len()])
            .collect();
        // (symbol, file, defined global index) of every global definition: few, found once.
        let mut defined: Vec<(usize, FileId, usize)> = Vec::new();
        for (s, sym) in res.table.symbols.iter().enumerate() {
            let Def::Defined { file, index } = sym.def else {
                continue;
            };
            if sym.kind != Kind::Global {
                continue;
            }
            if let Some(Definition::Global(g)) = inputs.obj(file).definition(index) {
                let i = g.idx();
                defined.push((s, file, i));
                if live.symbol(SymbolId(s as u32)) || !live.files.is_empty() && !config.gc_sections
                {
                    live_globals[file.idx()][i] = true;
                }
            }
        }
        for &f in &res.loaded {
            for (i, &is_live) in live_globals[f.idx()].iter().enumerate() {
                if is_live {
                    let global = OutGlobalDef::Input(f, DefinedGlobal(i as u32));
                    self.file_globals[f.idx()][i] = Some(self.push_global(global));
                }
            }
        }
        for (s, file, g) in defined {
            self.sym_global[s] = self.file_globals[file.idx()][g];
        }
    }

    /// The indirect function table: slots from `--table-base` in scan order. Returns whether
    /// the output defines the table.
    pub(super) fn assign_table(
        &mut self,
        res: &Resolved<'a>,
        live: &Liveness,
        stubs: &Stubs,
        slot_order: &[SymbolId],
        config: &Config,
    ) -> bool {
        self.table_base = config.table_base as u32;
        self.func_slot = vec![0; self.num_func_imports as usize + self.functions.len()];
        for &id in slot_order {
            let Some(f) = self.sym_func[id.idx()] else {
                continue;
            };
            if res.table.get(id).is_stub() || stubs.has_null_address(id) {
                continue;
            }
            if stubs.of_symbol.contains_key(&id) {
                // Each such function has a slot of its own, holding the shared stub.
                self.stub_slots
                    .insert(id, self.table_base + self.elems.len() as u32);
                self.elems.push(f);
                continue;
            }
            if self.func_slot[f.idx()] == 0 {
                self.func_slot[f.idx()] = self.table_base + self.elems.len() as u32;
                self.elems.push(f);
            }
        }
        let table_live = res
            .table
            .find("__indirect_function_table")
            .is_some_and(|id| {
                let s = res.table.get(id);
                live.symbol(id) && s.def == Def::Synthetic(Synthetic::IndirectTable)
            });
        // `--export-table` asks for a table even when nothing uses it (lld's
        // `resolveIndirectFunctionTable`).
        let wanted = table_live || !self.elems.is_empty() || config.export_table;
        self.set_imported_indirect_limits();
        !config.import_table && wanted
    }

    /// Internal GOT globals follow the input globals. With shared memory, those of defined
    /// thread-local symbols get their value from `__wasm_apply_global_tls_relocs`.
    pub(super) fn assign_got(&mut self, inputs: &Inputs<'a>, res: &Resolved<'a>) {
        for &id in &self.got.clone() {
            let index = self.push_global(OutGlobalDef::Got(id));
            self.sym_global[id.idx()] = Some(index);
            let sym = res.table.get(id);
            let tls_data = sym.kind == Kind::Data && sym.is_defined() && sym.flags.is_tls();
            if self.apply_global_tls_relocs.is_some() && tls_data {
                let offset = self.data_address(inputs, res, id, 0).unwrap_or(0);
                self.tls_got.push((index, offset));
            }
        }
    }

    /// The value of an internal GOT global.
    pub fn got_value(&self, inputs: &Inputs<'a>, res: &Resolved<'a>, id: SymbolId) -> u64 {
        match res.table.get(id).kind {
            Kind::Function => {
                self.sym_func[id.idx()].map_or(0, |f| u64::from(self.func_slot[f.idx()]))
            }
            _ => self.data_address(inputs, res, id, 0).unwrap_or(0),
        }
    }

    /// The table size: `table_base` plus one slot per address-taken function.
    pub fn table_size(&self) -> u64 {
        u64::from(self.table_base) + self.elems.len() as u64
    }
}

/// Whether an undefined symbol becomes an import (lld's `shouldImport`, non-PIC).
pub(crate) fn should_import(
    sym: &crate::symbols::Symbol<'_>,
    live: bool,
    inputs: &Inputs<'_>,
    config: &Config,
) -> bool {
    if !sym.global || sym.kind == Kind::Data || !live || !sym.used_in_regular {
        return false;
    }
    if !matches!(sym.def, Def::Undefined { .. }) {
        return false;
    }
    // lld's `shouldImport`: a relocatable output imports every undefined symbol, weak ones too.
    if config.relocatable {
        return true;
    }
    if sym.is_weak() {
        return false;
    }
    config.import_undefined
        || config.unresolved == crate::config::UnresolvedPolicy::ImportDynamic
        || config.allow_undefined_symbols.iter().any(|s| s == sym.name)
        || inputs.allowed_undefined.iter().any(|s| s == sym.name)
        || sym.import_name.is_some()
}
