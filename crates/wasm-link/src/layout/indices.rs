//! Index spaces: the relocation scan, imports, functions (synthetic, stubs, inputs), globals,
//! the indirect function table and internal GOT entries.

use super::pic;
use super::*;
use wasm_object::ids::Definition;

/// What a relocation asks of the layout while scanning (lld's `scanRelocations`).
pub(super) enum Scanned {
    /// `TYPE_INDEX_LEB`: this input type is used.
    Type(u32),
    /// A GOT entry for a data or function symbol (lld's `addGOTEntry`): an imported
    /// `GOT.*` global when the symbol needs GOT access, else an internal one (and for a
    /// function, a table slot too).
    Got(SymbolId),
    /// A table-index relocation of a live function: a table slot.
    Slot(SymbolId),
    /// A relocation a PIC output cannot have, against this symbol.
    NotPic(SymbolId, RelocType),
    /// A base-relative relocation against an undefined symbol (PIC).
    RelativeToUndefined(SymbolId, RelocType),
}

/// What the relocation scan found, replayed in load order.
#[derive(Default)]
pub(super) struct ScanResult {
    /// (file, input type) of every `TYPE_INDEX_LEB`, in order.
    pub used_types: Vec<(FileId, u32)>,
    /// Address-taken functions in the order they get their table slot.
    pub slot_order: Vec<SymbolId>,
    /// Symbols reached through imported `GOT.*` globals, in import order.
    pub got_imports: Vec<SymbolId>,
    /// Symbols that get a GOT entry of the output's own, in order ([`Layout::got`]).
    pub got: Vec<SymbolId>,
    /// wasm-ld's errors for relocations a PIC output cannot have.
    pub errors: Vec<String>,
}

/// Scans relocations of live chunks in load order: records the types that `TYPE_INDEX_LEB`
/// uses (registered first), gives functions whose address is taken their table slot, and
/// symbols read through `global.get` their GOT entry, in the order lld's `scanRelocations`
/// does. It needs nothing of the layout, so it runs beside the placing of data segments.
pub(super) fn scan_relocations(
    inputs: &Inputs<'_>,
    res: &Resolved<'_>,
    live: &Liveness,
    config: &Config,
) -> ScanResult {
    // Each file is scanned in parallel; its findings are replayed in load order, so the
    // first occurrence decides as in a single scan.
    let found: Vec<Vec<Scanned>> = res
        .loaded
        .par_iter()
        .map(|&f| scan_file(inputs, res, live, f, config))
        .collect();
    let mut out = ScanResult::default();
    let mut got_seen = vec![false; res.table.symbols.len()];
    let mut seen = vec![false; res.table.symbols.len()];
    for (&f, events) in res.loaded.iter().zip(found) {
        for event in events {
            match event {
                Scanned::Type(t) => out.used_types.push((f, t)),
                Scanned::Got(id) => {
                    if std::mem::replace(&mut got_seen[id.idx()], true) {
                        continue;
                    }
                    let sym = res.table.get(id);
                    if pic::requires_got_access(sym, config) {
                        out.got_imports.push(id);
                        continue;
                    }
                    out.got.push(id);
                    if sym.kind == Kind::Function && !seen[id.idx()] {
                        seen[id.idx()] = true;
                        out.slot_order.push(id);
                    }
                }
                Scanned::Slot(id) => {
                    if !seen[id.idx()] {
                        seen[id.idx()] = true;
                        out.slot_order.push(id);
                    }
                }
                Scanned::NotPic(id, ty) => out.errors.push(format!(
                    "{}: relocation {} cannot be used against symbol `{}`; recompile with -fPIC",
                    inputs.name(f),
                    ty.name(),
                    crate::trace::display_symbol(res.table.get(id).name, config.demangle)
                )),
                Scanned::RelativeToUndefined(id, ty) => out.errors.push(format!(
                    "{}: relocation {} is not supported against an undefined symbol `{}`",
                    inputs.name(f),
                    ty.name(),
                    crate::trace::display_symbol(res.table.get(id).name, config.demangle)
                )),
            }
        }
    }
    out
}

/// What one file's live relocations ask of the layout, in relocation order.
pub(super) fn scan_file(
    inputs: &Inputs<'_>,
    res: &Resolved<'_>,
    live: &Liveness,
    f: FileId,
    config: &Config,
) -> Vec<Scanned> {
    let obj = inputs.obj(f);
    let funcs = (obj.functions.iter().enumerate()).filter(|(i, _)| live.functions[f.idx()][*i]);
    // The live segments are the ones placed in the output.
    let segs = (obj.segments.iter().enumerate()).filter(|(i, _)| live.segments[f.idx()][*i]);
    let mut out = Vec::new();
    let code = funcs.flat_map(|(_, x)| obj.code_relocs_of(x));
    let data = segs.flat_map(|(_, s)| obj.data_relocs_of(s));
    for r in code.chain(data) {
        scan_reloc(res, live, f, r, (config.pic, true), config, &mut out);
    }
    // Custom sections' addresses take no GOT entries (wasm-ld 19 does not scan them).
    for r in obj.customs.iter().flat_map(|c| &c.index_relocs) {
        scan_reloc(res, live, f, r, (false, false), config, &mut out);
    }
    out
}

/// What one relocation asks of the layout.
fn scan_reloc(
    res: &Resolved<'_>,
    live: &Liveness,
    f: FileId,
    r: &wasm_format::reloc::Reloc,
    (pic, scan_code_and_data): (bool, bool),
    config: &Config,
    out: &mut Vec<Scanned>,
) {
    if r.ty == RelocType::TypeIndexLeb {
        out.push(Scanned::Type(r.index));
        return;
    }
    let Some(&id) = res.file_syms[f.idx()].get(r.index as usize) else {
        return;
    };
    let sym = res.table.get(id);
    match r.ty.target() {
        // `global.get` of a data or function symbol: a GOT entry (not for debug info's
        // global locations, which wasm-ld 19 does not scan).
        RelocTarget::Global
            if scan_code_and_data && matches!(sym.kind, Kind::Data | Kind::Function) =>
        {
            out.push(Scanned::Got(id));
        }
        RelocTarget::Table if live.symbol(id) && !pic::requires_got_access(sym, config) => {
            out.push(Scanned::Slot(id));
        }
        _ => {}
    }
    // Dynamic imports of a non-PIC output follow the PIC rules for undefined symbols.
    let dynamic_import =
        config.unresolved == crate::config::UnresolvedPolicy::ImportDynamic && sym.is_undefined();
    if !(pic || (dynamic_import && scan_code_and_data)) {
        return;
    }
    if pic::is_absolute_in_code(r.ty) {
        out.push(Scanned::NotPic(id, r.ty));
    } else if pic::is_data_address(r.ty) && pic::requires_got_access(sym, config) {
        out.push(Scanned::Got(id));
    } else if pic::is_base_relative(r.ty) && sym.is_undefined() {
        out.push(Scanned::RelativeToUndefined(id, r.ty));
    }
}

impl<'a> Layout<'a> {
    /// Imports: the memory, the table, then every live undefined symbol that may be imported,
    /// in symbol-table order (lld's `calculateImports`).
    pub(super) fn compute_imports(
        &mut self,
        inputs: &Inputs<'a>,
        res: &Resolved<'a>,
        live: &Liveness,
        called_directly: &[bool],
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
            let called = called_directly.get(i).copied().unwrap_or(true);
            if !should_import(sym, live.symbol(id), called, inputs, config) || Some(id) == indirect
            {
                continue;
            }
            if sym.def == Def::Synthetic(Synthetic::PicImport) {
                self.import_pic_global(id, sym.name, &mut seen_globals);
                continue;
            }
            let (Def::Undefined { file, index } | Def::Defined { file, index }) = sym.def else {
                continue;
            };
            let obj = inputs.obj(file);
            // lld's `importModule.value_or("env")`, `importName.value_or(name)`.
            let module = sym.import_module().unwrap_or("env");
            let field = sym.import_name().unwrap_or(sym.name);
            let (module, field): (std::borrow::Cow<'a, str>, std::borrow::Cow<'a, str>) =
                (module.into(), field.into());
            match sym.kind {
                Kind::Function => {
                    let defined = match inputs.obj(file).definition(index) {
                        Some(Definition::Function(f)) => {
                            Some((file, inputs.obj(file).functions[f.idx()].type_index))
                        }
                        _ => None,
                    };
                    let (sf, ty) = defined.or(sym.signature()).unwrap_or((file, 0));
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
                        self.sym_func.set(id.idx(), Some(index));
                        continue;
                    }
                    let index = OutFunc(self.num_func_imports);
                    seen_funcs.insert(key, index);
                    self.sym_func.set(id.idx(), Some(index));
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
                    let ty = match obj.definition(index) {
                        // A shared library's weak definition is imported with its own type.
                        Some(Definition::Global(g)) => obj.globals.get(g.idx()).map(|g| g.ty),
                        _ => match obj.symbols[index as usize].kind {
                            RawKind::Global { index } => {
                                obj.global_imports.get(index as usize).map(|g| g.ty)
                            }
                            _ => None,
                        },
                    };
                    let Some(ty) = ty else {
                        continue;
                    };
                    // Imports are deduplicated by (module, field, type).
                    let key = (module.to_string(), field.to_string(), ty);
                    if let Some(&index) = seen_globals.get(&key) {
                        self.sym_global.set(id.idx(), Some(index));
                        continue;
                    }
                    let index = OutGlobal(self.num_global_imports);
                    seen_globals.insert(key, index);
                    self.sym_global.set(id.idx(), Some(index));
                    self.num_global_imports += 1;
                    self.imports.push(OutImport {
                        module,
                        field,
                        kind: ImportKind::Global(ty),
                        symbol: Some(id),
                    });
                }
                _ => {}
            }
        }
    }

    /// Imports `env.NAME` for a global a PIC output gets from its loader: `__stack_pointer`
    /// (mutable), `__memory_base`, `__table_base`.
    fn import_pic_global(
        &mut self,
        id: SymbolId,
        name: &'a str,
        seen: &mut HashMap<(String, String, GlobalType), OutGlobal>,
    ) {
        let ty = GlobalType {
            val: self.address.val_type(),
            mutable: name == "__stack_pointer",
        };
        let index = OutGlobal(self.num_global_imports);
        match name {
            "__memory_base" => self.memory_base = Some(index),
            "__table_base" => self.table_base_global = Some(index),
            _ => {}
        }
        seen.insert(("env".into(), name.into(), ty), index);
        self.sym_global.set(id.idx(), Some(index));
        self.num_global_imports += 1;
        self.imports.push(OutImport {
            module: "env".into(),
            field: name.into(),
            kind: ImportKind::Global(ty),
            symbol: Some(id),
        });
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
                self.sym_func.set(id.idx(), Some(index));
                self.call_ctors = Some(index);
            }
        }
        if let Some(id) = res.table.find("__wasm_init_tls") {
            let sym = res.table.get(id);
            if live.symbol(id) && sym.def == Def::Synthetic(Synthetic::InitTls) {
                let index = self.push_function(OutFunction::InitTls);
                self.sym_func.set(id.idx(), Some(index));
            }
        }
        if let Some(id) = res.table.find("__wasm_apply_data_relocs") {
            if res.table.get(id).def == Def::Synthetic(Synthetic::ApplyDataRelocs) {
                let index = self.push_function(OutFunction::ApplyDataRelocs);
                self.sym_func.set(id.idx(), Some(index));
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
        if config.pic && self.got_has_non_tls(res) {
            self.apply_global_relocs = Some(self.push_function(OutFunction::ApplyGlobalRelocs));
            if self.init_memory.is_some() {
                self.start = Some(self.push_function(OutFunction::Start));
            }
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
            // A weak definition a shared library imports keeps the import's index.
            if let Some(idx) = self.defined_function_index(inputs, sym.def) {
                self.sym_func.set(i, self.sym_func.at(i).or(Some(idx)));
            }
            if let Some(stub) = stubs.of_symbol.get(&SymbolId(i as u32)) {
                self.sym_func.set(i, Some(undefined_stubs[stub.index]));
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

    /// Whether an internal GOT global of a non-TLS symbol needs its run-time value (lld's
    /// `GlobalSection::needsRelocations`).
    pub(super) fn got_has_non_tls(&self, res: &Resolved<'a>) -> bool {
        self.got.iter().any(|&id| !res.table.get(id).flags.is_tls())
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
            if let Some((f, t)) = sym.signature() {
                self.stub_types
                    .insert(SymbolId(i as u32), inputs.obj(f).types[t as usize].clone());
            }
            let stub = self.push_function(OutFunction::Stub(SymbolId(i as u32)));
            self.sym_func.set(i, Some(stub));
        }
        self.undefined_stub_types = stubs.signatures.clone();
        (0..stubs.signatures.len())
            .map(|i| self.push_function(OutFunction::UndefinedStub(i)))
            .collect()
    }

    pub fn defined_function_index(&self, inputs: &Inputs<'a>, def: Def) -> Option<OutFunc> {
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
            let defined = matches!(sym.def, Def::Synthetic(s) if s != Synthetic::PicImport);
            if is_live && defined {
                let tls_base = matches!(def, OutGlobalDef::TlsBase);
                let index = self.push_global(def);
                self.sym_global.set(id.idx(), Some(index));
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
            let own = self.file_globals[file.idx()][g];
            // An imported weak definition: uses go to the import, the export to this.
            match (self.sym_global.at(s), own) {
                (Some(_), Some(own)) => {
                    let id = SymbolId(s as u32);
                    self.own_definition.insert(id, Exported::Global(own));
                }
                _ => self.sym_global.set(s, own),
            }
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
        // Slot 0 is a real slot when the table starts at 0 (PIC), so "has a slot" is kept
        // apart from the slot itself.
        let mut slotted = vec![false; self.func_slot.len()];
        for &id in slot_order {
            let Some(f) = self.sym_func.at(id.idx()) else {
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
            if !std::mem::replace(&mut slotted[f.idx()], true) {
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
    pub(super) fn assign_got(&mut self, inputs: &Inputs<'a>, res: &Resolved<'a>, config: &Config) {
        for &id in &self.got.clone() {
            let index = self.push_global(OutGlobalDef::Got(id));
            self.sym_global.set(id.idx(), Some(index));
            let sym = res.table.get(id);
            if config.pic && !sym.flags.is_tls() {
                self.relocate_pic_got(inputs, res, id, index);
            }
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
            Kind::Function => self
                .sym_func
                .at(id.idx())
                .map_or(0, |f| u64::from(self.func_slot[f.idx()])),
            _ => self.data_address(inputs, res, id, 0).unwrap_or(0),
        }
    }

    /// The table size: `table_base` plus one slot per address-taken function.
    pub fn table_size(&self) -> u64 {
        u64::from(self.table_base) + self.elems.len() as u64
    }
}

/// Whether a symbol becomes an import (lld's `shouldImport`). `called_directly`: some loaded
/// object calls it (a PIC output imports an undefined function only then; other uses go
/// through `GOT.func`).
pub(crate) fn should_import(
    sym: &crate::symbols::Symbol<'_>,
    live: bool,
    called_directly: bool,
    inputs: &Inputs<'_>,
    config: &Config,
) -> bool {
    if !sym.global || sym.kind == Kind::Data || !live || !sym.used_in_regular {
        return false;
    }
    // A shared library's weak definition may be overridden by another module: it is both
    // imported and exported.
    let defined = matches!(sym.def, Def::Defined { .. });
    if config.shared && sym.is_weak() && defined && !sym.is_hidden() {
        return true;
    }
    if sym.shared {
        return true;
    }
    if !sym.is_undefined() {
        return false;
    }
    // lld's `shouldImport`: a relocatable output imports every undefined symbol, weak ones too.
    if config.relocatable {
        return true;
    }
    if sym.is_weak() && !config.pic {
        return false;
    }
    if config.pic {
        return sym.kind != Kind::Function || called_directly;
    }
    config.import_undefined
        || config.unresolved == crate::config::UnresolvedPolicy::ImportDynamic
        || config.allow_undefined_symbols.iter().any(|s| s == sym.name)
        || inputs.allowed_undefined.iter().any(|s| s == sym.name)
        || sym.import_name().is_some()
        || sym.force_import
}
