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
        let funcs =
            obj.functions.iter().enumerate().filter(|(i, _)| {
                live.functions[f.idx()][*i] && !res.discarded[f.idx()].functions[*i]
            });
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
            let global = matches!(r.ty, RelocType::GlobalIndexLeb | RelocType::GlobalIndexI32);
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
            } else if sym.live {
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
        let mut seen_funcs: HashMap<(String, String, FuncType), u32> = HashMap::new();
        let mut seen_globals: HashMap<(String, String, GlobalType), u32> = HashMap::new();
        let mut seen_tables = HashMap::new();
        for (i, sym) in res.table.symbols.iter().enumerate() {
            let id = SymbolId(i as u32);
            if !should_import(sym, inputs, config) || Some(id) == indirect {
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
                        self.sym_func[id.idx()] = index;
                        continue;
                    }
                    seen_funcs.insert(key, self.num_func_imports);
                    self.sym_func[id.idx()] = self.num_func_imports;
                    self.num_func_imports += 1;
                    self.imports.push(OutImport {
                        module,
                        field,
                        kind: ImportKind::Func { ty, index: 0 },
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
                        self.sym_global[id.idx()] = index;
                        continue;
                    }
                    seen_globals.insert(key, self.num_global_imports);
                    self.sym_global[id.idx()] = self.num_global_imports;
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
        config: &Config,
    ) {
        let mut next = self.num_func_imports;
        if live.call_ctors {
            if let Some(id) = res.table.find("__wasm_call_ctors") {
                self.sym_func[id.idx()] = next;
                self.call_ctors = Some(next);
                self.functions.push(OutFunction::CallCtors);
                next += 1;
            }
        }
        if let Some(id) = res.table.find("__wasm_init_tls") {
            let sym = res.table.get(id);
            if sym.live && sym.def == Def::Synthetic(Synthetic::InitTls) {
                self.sym_func[id.idx()] = next;
                self.functions.push(OutFunction::InitTls);
                next += 1;
            }
        }
        next = self.assign_stubs(inputs, res, next);
        if self.has_init_at_start() {
            self.init_memory = Some(next);
            self.functions.push(OutFunction::InitMemory);
            next += 1;
        }
        if config.shared_memory && self.got_has_tls(res) {
            self.apply_global_tls_relocs = Some(next);
            self.functions.push(OutFunction::ApplyGlobalTlsRelocs);
            next += 1;
        }
        if config.shared_memory && self.tls_has_relocs(inputs) {
            self.apply_tls_relocs = Some(next);
            self.functions.push(OutFunction::ApplyTlsRelocs);
            next += 1;
        }
        for &f in &res.loaded {
            let obj = inputs.obj(f);
            for i in 0..obj.functions.len() {
                if live.functions[f.idx()][i] && !res.discarded[f.idx()].functions[i] {
                    self.file_funcs[f.idx()][i] = next;
                    self.functions.push(OutFunction::Input(f, i as u32));
                    next += 1;
                }
            }
        }
        for (i, sym) in res.table.symbols.iter().enumerate() {
            if sym.kind != Kind::Function {
                continue;
            }
            if let Some(idx) = self.defined_function_index(inputs, sym.def) {
                self.sym_func[i] = idx;
            }
            if let Some(stub) = sym.stub {
                self.sym_func[i] = self.sym_func[stub.idx()];
            }
        }
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

    /// Live stubs: signature-mismatch ones, then weak ones, then `undefined_stub`s, each kind
    /// in symbol order (one pass over the table).
    pub(super) fn assign_stubs(
        &mut self,
        inputs: &Inputs<'a>,
        res: &Resolved<'a>,
        mut next: u32,
    ) -> u32 {
        let mut by_kind: [Vec<usize>; 3] = Default::default();
        for (i, sym) in res.table.symbols.iter().enumerate() {
            let rank = match sym.def {
                Def::Synthetic(Synthetic::SignatureStub) => 0,
                Def::Synthetic(Synthetic::WeakStub) => 1,
                Def::Synthetic(Synthetic::UndefinedStub) => 2,
                _ => continue,
            };
            if sym.live {
                by_kind[rank].push(i);
            }
        }
        for i in by_kind.into_iter().flatten() {
            let sym = &res.table.symbols[i];
            if let Some((f, t)) = sym.signature {
                self.stub_types
                    .insert(SymbolId(i as u32), inputs.obj(f).types[t as usize].clone());
            }
            self.sym_func[i] = next;
            self.functions.push(OutFunction::Stub(SymbolId(i as u32)));
            next += 1;
        }
        next
    }

    pub(super) fn defined_function_index(&self, inputs: &Inputs<'a>, def: Def) -> Option<u32> {
        let Def::Defined { file, index } = def else {
            return None;
        };
        let Some(Definition::Function(f)) = inputs.obj(file).definition(index) else {
            return None;
        };
        let out = *self.file_funcs[file.idx()].get(f.idx())?;
        (out != NONE).then_some(out)
    }

    /// Global indices: imports, `__stack_pointer`, `__tls_base`, then live input globals.
    pub(super) fn assign_globals(
        &mut self,
        inputs: &Inputs<'a>,
        res: &Resolved<'a>,
        live: &Liveness,
        config: &Config,
    ) {
        let mut next = self.num_global_imports;
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
            let live = sym.live || (set_at_start && matches!(def, OutGlobalDef::TlsBase));
            if live && matches!(sym.def, Def::Synthetic(_)) {
                self.sym_global[id.idx()] = next;
                if matches!(def, OutGlobalDef::TlsBase) {
                    self.tls_base_global = next;
                }
                self.globals.push(def);
                next += 1;
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
                if sym.live || !live.files.is_empty() && !config.gc_sections {
                    live_globals[file.idx()][i] = true;
                }
            }
        }
        for &f in &res.loaded {
            for (i, &is_live) in live_globals[f.idx()].iter().enumerate() {
                if is_live {
                    self.file_globals[f.idx()][i] = next;
                    self.globals.push(OutGlobalDef::Input(f, i as u32));
                    next += 1;
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
        slot_order: &[SymbolId],
        config: &Config,
    ) -> bool {
        self.table_base = config.table_base as u32;
        self.func_slot = vec![0; self.num_func_imports as usize + self.functions.len()];
        for &id in slot_order {
            let f = self.sym_func[id.idx()];
            if f == NONE || res.table.get(id).is_stub() {
                continue;
            }
            if res.table.get(id).stub.is_some() {
                // Each such function has a slot of its own, holding the shared stub.
                self.stub_slots
                    .insert(id, self.table_base + self.elems.len() as u32);
                self.elems.push(f);
                continue;
            }
            if self.func_slot[f as usize] == 0 {
                self.func_slot[f as usize] = self.table_base + self.elems.len() as u32;
                self.elems.push(f);
            }
        }
        let table_live = res
            .table
            .find("__indirect_function_table")
            .is_some_and(|id| {
                let s = res.table.get(id);
                s.live && s.def == Def::Synthetic(Synthetic::IndirectTable)
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
            let index = self.num_global_imports + self.globals.len() as u32;
            self.sym_global[id.idx()] = index;
            self.globals.push(OutGlobalDef::Got(id));
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
                let f = self.sym_func[id.idx()];
                if f == NONE {
                    0
                } else {
                    u64::from(self.func_slot[f as usize])
                }
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
    inputs: &Inputs<'_>,
    config: &Config,
) -> bool {
    if !sym.global || sym.kind == Kind::Data || !sym.live || !sym.used_in_regular {
        return false;
    }
    if !matches!(sym.def, Def::Undefined { .. }) || sym.is_weak() {
        return false;
    }
    config.import_undefined
        || config.unresolved == crate::config::UnresolvedPolicy::ImportDynamic
        || config.allow_undefined_symbols.iter().any(|s| s == sym.name)
        || inputs.allowed_undefined.iter().any(|s| s == sym.name)
        || sym.import_name.is_some()
}
