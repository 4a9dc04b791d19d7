//! Constructors, command-export wrappers, types in wasm-ld's order, exports, and the feature
//! checks that need them.

use super::*;

impl<'a> Layout<'a> {
    /// Constructors of live objects, stable-sorted by priority (lld's `calculateInitFunctions`).
    pub(super) fn compute_ctors(
        &mut self,
        inputs: &Inputs<'a>,
        res: &Resolved<'a>,
        live: &Liveness,
        errors: &mut Vec<String>,
    ) {
        if self.call_ctors.is_none() {
            return;
        }
        let mut ctors: Vec<(u32, OutFunc, usize)> = Vec::new();
        for &f in &res.loaded {
            let obj = inputs.obj(f);
            for init in &obj.init_funcs {
                let Some(&id) = res.file_syms[f.idx()].get(init.symbol as usize) else {
                    continue;
                };
                let sym = res.table.get(id);
                // A constructor a COMDAT discarded is not called, even when kept.
                let discarded = crate::graph::Graph { inputs, res }.is_discarded(id);
                let Some(index) = self
                    .sym_func
                    .at(id.idx())
                    .filter(|_| live.symbol(id) && !discarded)
                else {
                    continue;
                };
                let ty = &self.function_type(inputs, index);
                if !ty.params.is_empty() {
                    errors.push(format!(
                        "constructor functions cannot take arguments: {}",
                        sym.name
                    ));
                }
                ctors.push((init.priority, index, ty.results.len()));
            }
        }
        ctors.sort_by_key(|c| c.0);
        self.ctors = ctors.into_iter().map(|(_, f, r)| (f, r)).collect();
    }

    /// The signature of an output function.
    pub fn function_type(&self, inputs: &Inputs<'a>, index: OutFunc) -> FuncType {
        let Some(defined) = self.defined_function(index) else {
            let mut funcs = self.imports.iter().filter_map(|i| match &i.kind {
                ImportKind::Func { ty, .. } => Some(ty),
                _ => None,
            });
            return funcs.nth(index.idx()).cloned().unwrap_or_else(empty_type);
        };
        match defined {
            OutFunction::Input(f, i) => {
                let obj = inputs.obj(*f);
                obj.types[obj.functions[i.idx()].type_index as usize].clone()
            }
            OutFunction::CommandExport { target, .. } => self.function_type(inputs, *target),
            OutFunction::Stub(id) => self.stub_types.get(id).cloned().unwrap_or_else(empty_type),
            OutFunction::UndefinedStub(i) => self.undefined_stub_types[*i].clone(),
            OutFunction::CallCtors
            | OutFunction::ApplyDataRelocs
            | OutFunction::ApplyGlobalRelocs
            | OutFunction::Start
            | OutFunction::InitMemory
            | OutFunction::ApplyGlobalTlsRelocs
            | OutFunction::ApplyTlsRelocs => empty_type(),
            OutFunction::InitTls => FuncType {
                params: vec![self.address.val_type()],
                results: vec![],
            },
        }
    }

    /// Wraps every exported function in `<name>.command_export` (ctors, call, dtors) when the
    /// inputs do not call `__wasm_call_ctors` themselves (lld's `createCommandExportWrappers`).
    pub(super) fn compute_command_exports(
        &mut self,
        res: &Resolved<'a>,
        live: &Liveness,
        config: &Config,
    ) {
        self.call_dtors = res.call_dtors.and_then(|id| self.sym_func.at(id.idx()));
        // A PIC module's loader calls the constructors.
        if config.pic {
            return;
        }
        let Some(cc) = res.table.find("__wasm_call_ctors") else {
            return;
        };
        let cc = res.table.get(cc);
        if cc.used_in_regular
            || cc.is_exported(config)
            || (self.ctors.is_empty() && self.call_dtors.is_none())
        {
            return;
        }
        for i in 0..res.table.symbols.len() {
            let sym = &res.table.symbols[i];
            let Some(target) = self.sym_func.at(i) else {
                continue;
            };
            // lld wraps every exported `DefinedFunction`, its own `__wasm_init_tls` and
            // `__wasm_apply_data_relocs` included.
            let is_input_fn = matches!(
                sym.def,
                Def::Defined { .. }
                    | Def::Synthetic(Synthetic::InitTls | Synthetic::ApplyDataRelocs)
            ) && sym.kind == Kind::Function;
            let live = live.symbol(SymbolId(i as u32));
            if !sym.global || !live || !is_input_fn || !sym.is_exported(config) {
                continue;
            }
            let wrapper = self.push_function(OutFunction::CommandExport {
                target,
                symbol: SymbolId(i as u32),
            });
            self.func_slot.push(0);
            self.wrappers.push((SymbolId(i as u32), wrapper));
        }
    }

    /// Types in lld's order: relocation types per file, then imported and defined signatures.
    pub(super) fn register_types(&mut self, inputs: &Inputs<'a>, used: &[(FileId, u32)]) {
        for &(f, i) in used {
            if let Some(ty) = inputs.obj(f).types.get(i as usize) {
                self.file_types[f.idx()][i as usize] = Some(self.intern_type(ty));
            }
        }
        let mut imports = std::mem::take(&mut self.imports);
        for import in &mut imports {
            if let ImportKind::Func { ty, index } | ImportKind::Tag { ty, index } = &mut import.kind
            {
                *index = self.intern_type(ty);
            }
        }
        self.imports = imports;
        for i in 0..self.functions.len() {
            let t = match self.functions[i] {
                // Most functions: one lookup per (file, type), not a clone and a hash each.
                OutFunction::Input(f, i) => {
                    let obj = inputs.obj(f);
                    let ty = obj.functions[i.idx()].type_index as usize;
                    match self.file_types[f.idx()].get(ty).copied().flatten() {
                        Some(t) => t,
                        None => {
                            let t = self.intern_type(&obj.types[ty]);
                            if let Some(slot) = self.file_types[f.idx()].get_mut(ty) {
                                *slot = Some(t);
                            }
                            t
                        }
                    }
                }
                _ => {
                    let index = OutFunc(self.num_func_imports + i as u32);
                    let ty = self.function_type(inputs, index);
                    self.intern_type(&ty)
                }
            };
            self.function_types.push(t);
        }
        self.register_tag_types(inputs);
    }

    /// Exports: the memory, then every live exported symbol in symbol-table order; data symbols
    /// get an immutable global holding their address (lld's `calculateExports`).
    pub(super) fn compute_exports(
        &mut self,
        inputs: &Inputs<'a>,
        res: &Resolved<'a>,
        live: &Liveness,
        config: &Config,
    ) {
        // A relocatable output exports nothing; its symbol table says what it defines.
        if config.relocatable {
            return;
        }
        let memory_export = match (&config.export_memory, &config.import_memory) {
            (Some(name), _) => Some(name.clone()),
            (None, Some(_)) => None,
            (None, None) => Some("memory".to_string()),
        };
        if let Some(name) = memory_export {
            self.exports.push(OutExport {
                name,
                item: Exported::Memory,
            });
        }
        let wrappers: HashMap<SymbolId, OutFunc> = self.wrappers.iter().copied().collect();
        let mut got_imported = vec![false; res.table.symbols.len()];
        for id in &self.got_imports {
            got_imported[id.idx()] = true;
        }
        for (i, sym) in res.table.symbols.iter().enumerate() {
            if i == res.created_after_gc {
                self.export_created_before_layout(config);
            }
            let id = SymbolId(i as u32);
            if !sym.global || !live.symbol(id) || !sym.is_defined() {
                continue;
            }
            // A symbol other modules reach through the GOT must be exported (lld's
            // `addGOTEntry`).
            let through_got = got_imported[id.idx()];
            if !(sym.is_exported(config) || through_got) || sym.is_stub() {
                continue;
            }
            if wrappers.contains_key(&id) {
                continue;
            }
            let export = match sym.kind {
                Kind::Function => {
                    let name = export_name(inputs, sym.def).unwrap_or(sym.name);
                    // The definition, even where calls go to an import (a shared library's
                    // weak definition).
                    let index = self.defined_function_index(inputs, sym.def);
                    index.or(self.sym_func.at(i)).map(|f| OutExport {
                        name: name.to_string(),
                        item: Exported::Func(f),
                    })
                }
                Kind::Global => {
                    // wasm-ld keeps its own mutable globals private unless exported by name.
                    let synthetic_mutable = match sym.def {
                        Def::Synthetic(Synthetic::StackPointer) => true,
                        Def::Synthetic(Synthetic::TlsBase) => config.shared_memory,
                        _ => false,
                    };
                    let shown = !synthetic_mutable || sym.export_explicit;
                    let own = match self.own_definition.get(&id) {
                        Some(Exported::Global(g)) => Some(*g),
                        _ => self.sym_global.at(i),
                    };
                    own.filter(|_| shown).map(|g| OutExport {
                        name: sym.name.to_string(),
                        item: Exported::Global(g),
                    })
                }
                Kind::Data => {
                    let va = self.data_address(inputs, res, id, 0).unwrap_or(0);
                    let g = self.push_global(OutGlobalDef::DataAddress(va));
                    Some(OutExport {
                        name: sym.name.to_string(),
                        item: Exported::Global(g),
                    })
                }
                Kind::Tag => self.tag_export(id, sym.name),
                Kind::Table => match self.own_definition.get(&id) {
                    Some(Exported::Table(t)) => Some(*t),
                    _ => self.symbol_table(id),
                }
                .map(|t| OutExport {
                    name: sym.name.to_string(),
                    item: Exported::Table(t),
                }),
                _ => None,
            };
            self.exports.extend(export);
        }
        if res.created_after_gc >= res.table.symbols.len() {
            self.export_created_before_layout(config);
        }
        if config.export_all {
            self.export_late_synthetics();
        }
        // Wrappers are symbols the linker added last, so their exports come last.
        for &(id, wrapper) in &self.wrappers {
            let name = export_name(inputs, res.table.get(id).def).unwrap_or(res.table.get(id).name);
            self.exports.push(OutExport {
                name: name.to_string(),
                item: Exported::Func(wrapper),
            });
        }
    }

    /// The exports of symbols lld creates between GC and layout, after every input symbol:
    /// the indirect function table for `--export-table` when nothing referenced it, then
    /// (`--export-all`) `__wasm_init_memory_flag`.
    fn export_created_before_layout(&mut self, config: &Config) {
        if let Some(t) = self.indirect_table.filter(|_| config.export_table) {
            let exported = self.exports.iter().any(|e| e.item == Exported::Table(t));
            if !exported {
                self.exports.push(OutExport {
                    name: "__indirect_function_table".into(),
                    item: Exported::Table(t),
                });
            }
        }
        if let Some(flag) = self.init_memory_flag.filter(|_| config.export_all) {
            let g = self.push_global(OutGlobalDef::DataAddress(flag));
            self.exports.push(OutExport {
                name: "__wasm_init_memory_flag".into(),
                item: Exported::Global(g),
            });
        }
    }

    /// `--export-all` also exports the functions wasm-ld creates while writing, in its order:
    /// `__wasm_init_memory`, `__wasm_apply_global_tls_relocs`, `__wasm_apply_tls_relocs`.
    pub(super) fn export_late_synthetics(&mut self) {
        for (name, index) in [
            ("__wasm_init_memory", self.init_memory),
            (
                "__wasm_apply_global_tls_relocs",
                self.apply_global_tls_relocs,
            ),
            ("__wasm_apply_tls_relocs", self.apply_tls_relocs),
        ] {
            if let Some(f) = index {
                self.exports.push(OutExport {
                    name: name.into(),
                    item: Exported::Func(f),
                });
            }
        }
    }

    /// Without `mutable-globals`, importing a mutable global or exporting a global is an error
    /// (lld's `checkImportExportTargetFeatures`). Imports are named by their symbol.
    pub fn check_global_features(
        &self,
        res: &Resolved<'a>,
        config: &Config,
    ) -> crate::diagnostic::Errors {
        let imported = self.imports.iter().filter_map(|i| match &i.kind {
            ImportKind::Global(g) if g.mutable => Some(match i.symbol {
                Some(id) => crate::trace::display_symbol(res.table.get(id).name, config.demangle),
                None => i.field.to_string(),
            }),
            _ => None,
        });
        let exported = self.exports.iter().filter_map(|e| {
            let Exported::Global(g) = e.item else {
                return None;
            };
            match self.defined_global(g) {
                Some(OutGlobalDef::DataAddress(..)) => None,
                _ => Some(e.name.clone()),
            }
        });
        crate::features::check_globals(&self.features, config, imported, exported)
    }
}

/// The `export_name` of a defined function, from its object's export section.
pub(super) fn export_name<'a>(inputs: &Inputs<'a>, def: Def) -> Option<&'a str> {
    let Def::Defined { file, index } = def else {
        return None;
    };
    let obj = inputs.obj(file);
    let RawKind::Function { index } = obj.symbols[index as usize].kind else {
        return None;
    };
    obj.export_names
        .iter()
        .find(|(i, _)| *i == index)
        .map(|(_, n)| *n)
}
