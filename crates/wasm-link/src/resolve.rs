//! Symbol resolution. Takes the parsed inputs in command-line order and gives the symbol table,
//! each loaded object's map from its symbol indices to global symbols, and the order objects
//! were loaded in (which is the order of their functions and segments in the output).
//!
//! It replays lld's algorithm exactly, because that order decides the output layout: objects
//! are added one by one; an archive adds its members' definitions as lazy symbols; a strong
//! reference to a lazy symbol loads its member *at once*, so the member is loaded before the
//! object that referenced it has finished loading.

use crate::config::{Config, Entry, UnresolvedPolicy};
use crate::diagnostic::{Code, Diagnostic, Errors};
use crate::ids::{FileId, SymbolId};
use crate::inputs::{Inputs, Item};
use crate::symbols::{
    resolve_definition, Def, ImportRef, Kind, Resolve, Symbol, SymbolTable, Synthetic,
};
use crate::trace::{Tracer, INTERNAL};
use rayon::prelude::*;
use rustc_hash::FxHashMap as HashMap;
use wasm_format::linking::{SymbolFlags, SymbolInfo, SymbolKind as RawKind};
use wasm_object::ids::Definition;

mod checks;
mod lto;
mod stubs;
mod traced;
mod variants;
mod wrap;

/// The result of resolution.
pub struct Resolved<'a> {
    /// The symbol table.
    pub table: SymbolTable<'a>,
    /// Per file: its symbol index → global symbol (empty for files never loaded).
    pub file_syms: Vec<Vec<SymbolId>>,
    /// Loaded files, in load order.
    pub loaded: Vec<FileId>,
    /// Per file: which functions, segments and custom sections a COMDAT discarded.
    pub discarded: Vec<Discarded>,
    /// The entry symbol, if any.
    pub entry: Option<SymbolId>,
    /// Warnings (signature mismatches).
    pub warnings: Vec<Diagnostic>,
    /// `__wasm_call_dtors`, when a loaded object defines it.
    pub call_dtors: Option<SymbolId>,
    /// Some object was built without reference types: its `call_indirect`s use table 0, so
    /// the indirect function table must be table 0 (lld's `legacyFunctionTable`).
    pub legacy_table: bool,
    /// The output segments whose bounds `__start_`/`__stop_` symbols name, in output order
    /// (filled after GC by [`crate::start_stop::define`]).
    pub start_stop_segments: Vec<&'a str>,
    /// Symbols from this index on were created after GC (`__start_`/`__stop_` for exports):
    /// lld adds them after the indirect function table and `__wasm_init_memory_flag`,
    /// which decides the export order.
    pub created_after_gc: usize,
}

/// Chunks of one file that lost their COMDAT group to an earlier file.
#[derive(Default, Clone)]
pub struct Discarded {
    /// Defined-function indices.
    pub functions: Vec<bool>,
    /// Segment indices.
    pub segments: Vec<bool>,
    /// Section indices (custom sections).
    pub sections: Vec<u32>,
    /// For a bitcode module: the symbols whose COMDAT an earlier file holds.
    pub symbols: Vec<u32>,
}

struct Resolver<'i, 'a> {
    inputs: &'i Inputs<'a>,
    config: &'a Config,
    table: SymbolTable<'a>,
    file_syms: Vec<Vec<SymbolId>>,
    loaded_flag: Vec<bool>,
    loaded: Vec<FileId>,
    discarded: Vec<Discarded>,
    comdats: HashMap<&'a str, FileId>,
    errors: Errors,
    warnings: Vec<Diagnostic>,
    /// `--trace`, `--trace-symbol` and `--why-extract` output.
    trace: Tracer,
    /// Undefined symbols the linker itself added (for `--wrap`): their reference is
    /// `<internal>`, not a file.
    internal: Vec<SymbolId>,
    /// Traced functions whose definition met a direct call of another signature.
    variant_traced: Vec<&'a str>,
    /// Names with signature variants, in the order lld creates their first variant.
    variant_names: Vec<&'a str>,
    /// Per name whose direct calls disagree while it is undefined: the first two signatures
    /// (file, type index), in the order lld meets them.
    call_variants: HashMap<&'a str, [(FileId, u32); 2]>,
    /// Some object was built without reference types and uses the indirect table as table 0.
    legacy_table: bool,
    /// Per global symbol: 1 + the last file that had a symbol of its name (0: none yet).
    name_seen_in: Vec<u32>,
    /// The first resolution of a link with bitcode: stop where lld runs LTO.
    stop_before_lto: bool,
    /// LTO has run: loading bitcode now is an error.
    lto_done: bool,
}

/// Resolves every symbol, adding what `--trace`, `--trace-symbol` and `--why-extract` print to
/// `trace`; errors (duplicates, kind mismatches, a missing entry) are returned all at once
/// (also when resolution fails).
pub fn resolve_traced<'a>(
    inputs: &Inputs<'a>,
    config: &'a Config,
    trace: &mut Tracer,
    table: SymbolTable<'a>,
) -> Result<Resolved<'a>, Errors> {
    let mut r = Resolver::new(inputs, config, trace, table);
    let result = r.run(config);
    *trace = std::mem::take(&mut r.trace);
    // Bitcode modules took part in resolution; the compiled object stands for them now.
    r.loaded.retain(|&f| !inputs.files[f.idx()].is_bitcode());
    result.map(|(entry, call_dtors)| Resolved {
        table: r.table,
        file_syms: r.file_syms,
        loaded: r.loaded,
        discarded: r.discarded,
        entry,
        call_dtors,
        warnings: r.warnings,
        legacy_table: r.legacy_table,
        start_stop_segments: Vec::new(),
        created_after_gc: usize::MAX,
    })
}

/// The first resolution of a link with bitcode, up to where lld runs LTO: which modules LTO
/// compiles and which of their symbols it must keep (`crate::lto`).
pub fn plan_lto(inputs: &Inputs<'_>, config: &Config) -> Result<crate::lto::Plan, Errors> {
    let mut trace = Tracer::new(config);
    let mut r = Resolver::new(inputs, config, &mut trace, symbol_table(inputs));
    r.stop_before_lto = true;
    r.run(config)?;
    if !r.errors.is_empty() {
        return Err(std::mem::take(&mut r.errors));
    }
    r.plan(config)
}

impl<'i, 'a> Resolver<'i, 'a> {
    fn new(
        inputs: &'i Inputs<'a>,
        config: &'a Config,
        trace: &mut Tracer,
        table: SymbolTable<'a>,
    ) -> Self {
        let n = inputs.files.len();
        Resolver {
            inputs,
            config,
            table,
            file_syms: vec![Vec::new(); n],
            loaded_flag: vec![false; n],
            loaded: Vec::new(),
            discarded: vec![Discarded::default(); n],
            comdats: HashMap::with_capacity_and_hasher(always_claimed(inputs), Default::default()),
            errors: Vec::new(),
            warnings: Vec::new(),
            trace: std::mem::take(trace),
            internal: Vec::new(),
            variant_traced: Vec::new(),
            variant_names: Vec::new(),
            call_variants: HashMap::default(),
            legacy_table: false,
            name_seen_in: Vec::new(),
            stop_before_lto: false,
            lto_done: false,
        }
    }
}

/// The symbol table a resolution of `inputs` fills, with room for every symbol of every
/// object (locals too) and every global definition, counted in parallel. Made before
/// resolution starts, while every thread is free: the memory of the entries that the objects
/// always loaded surely add (a local or a definition each; a reference may find its name
/// there already) is written then.
pub fn symbol_table<'a>(inputs: &Inputs<'a>) -> SymbolTable<'a> {
    let (symbols, globals, sure) = inputs
        .files
        .par_iter()
        .map(|f| {
            let syms = &f.obj.symbols;
            let locals = syms.iter().filter(|s| s.flags.is_local()).count();
            let defined = syms
                .iter()
                .filter(|s| !s.flags.is_local() && is_definition(s))
                .count();
            let sure = if f.lazy { 0 } else { locals + defined };
            (syms.len(), defined, sure)
        })
        .reduce(|| (0, 0, 0), |a, b| (a.0 + b.0, a.1 + b.1, a.2 + b.2));
    SymbolTable::with_room(symbols, globals, sure)
}

/// How many COMDAT groups the objects that are always loaded claim: room for every group name
/// before any member loads, so that the table never grows (a C++ link claims 150 k, and growing
/// hashes every name again, on the one thread that resolves).
fn always_claimed(inputs: &Inputs<'_>) -> usize {
    let always = inputs.files.iter().filter(|f| !f.lazy);
    always.map(|f| f.obj.comdats.len()).sum()
}

/// What [`Resolver::run`] finds besides the table: the entry and `__wasm_call_dtors`.
type Found = (Option<SymbolId>, Option<SymbolId>);

impl<'i, 'a> Resolver<'i, 'a> {
    /// The phases of resolution, in lld's order (`Driver.cpp`, `linkerMain`).
    fn run(&mut self, config: &'a Config) -> Result<Found, Errors> {
        let r = self;
        let inputs = r.inputs;
        r.add_synthetic(config);
        for item in &inputs.items {
            match item {
                Item::Object(f) => r.load(*f),
                Item::Archive {
                    members,
                    whole: true,
                } => members.iter().for_each(|m| r.load(*m)),
                Item::Archive {
                    members,
                    whole: false,
                } => members.iter().for_each(|m| r.add_lazy_member(*m)),
            }
        }
        for name in &config.undefined {
            r.handle_undefined(name, INTERNAL);
        }
        // wasm-ld keeps these names in a `StringSet` and walks it in hash order.
        let names = config.exports_if_defined.iter().chain(&config.exports);
        for name in crate::string_map::iteration_order(names.map(String::as_str)) {
            r.handle_undefined(name, "--export");
        }
        let entry = r.resolve_entry(config);
        let call_dtors = r.find_call_dtors(config);
        let wrapped = r.add_wrapped_symbols(config);
        r.extract_libcall_members();
        if r.stop_before_lto {
            return Ok((entry, call_dtors));
        }
        r.add_lto_objects();
        r.process_stub_libraries();
        if r.errors.is_empty() {
            if let Err(e) = r.trace.write_why_extract(config) {
                r.errors.push(Diagnostic::error(Code::Output, e));
            }
        }
        r.add_optional_symbols(config);
        r.split_signature_variants();
        r.wrap_symbols(&wrapped);
        r.mark_exports(config);
        if !config.pic && !config.relocatable {
            r.stub_weak_undefined();
        }
        if !r.errors.is_empty() {
            return Err(std::mem::take(&mut r.errors));
        }
        Ok((entry, call_dtors))
    }
}

/// Whether a symbol-table entry is a definition (not an import) in its object.
pub fn is_definition(s: &SymbolInfo<'_>) -> bool {
    !s.flags.is_undefined()
}

impl<'i, 'a> Resolver<'i, 'a> {
    /// The symbols wasm-ld always defines, in its creation order (lld's
    /// `createSyntheticSymbols`); shared memory adds the thread-local storage ones.
    fn add_synthetic(&mut self, config: &Config) {
        // A relocatable output defines nothing of its own: the final link will.
        if config.relocatable {
            return;
        }
        let hidden = SymbolFlags(SymbolFlags::VISIBILITY_HIDDEN);
        let mut synthetic = vec![("__wasm_call_ctors", Kind::Function, Synthetic::CallCtors)];
        if config.pic {
            synthetic.extend([
                ("__stack_pointer", Kind::Global, Synthetic::PicImport),
                ("__memory_base", Kind::Global, Synthetic::PicImport),
                ("__table_base", Kind::Global, Synthetic::PicImport),
            ]);
        } else {
            synthetic.push(("__stack_pointer", Kind::Global, Synthetic::StackPointer));
        }
        if config.shared_memory {
            synthetic.extend([
                ("__tls_base", Kind::Global, Synthetic::TlsBase),
                ("__tls_size", Kind::Global, Synthetic::TlsSize),
                ("__tls_align", Kind::Global, Synthetic::TlsAlign),
                ("__wasm_init_tls", Kind::Function, Synthetic::InitTls),
            ]);
        }
        for (name, kind, synth) in synthetic {
            let sym = if synth == Synthetic::PicImport {
                let undefined = SymbolFlags(SymbolFlags::UNDEFINED);
                let mut sym = Symbol::new(name, kind, Def::Synthetic(synth), undefined);
                sym.used_in_regular = true;
                sym
            } else {
                self.trace.definition(INTERNAL, name);
                Symbol::new(name, kind, Def::Synthetic(synth), hidden)
            };
            self.table.insert(sym);
        }
        if config.dynamic() {
            // Exported with default visibility: the dynamic loader calls it.
            let name = "__wasm_apply_data_relocs";
            let def = Def::Synthetic(Synthetic::ApplyDataRelocs);
            let exported = SymbolFlags(SymbolFlags::EXPORTED);
            self.table
                .insert(Symbol::new(name, Kind::Function, def, exported));
            self.trace.definition(INTERNAL, name);
        }
    }

    /// Loads an object: claims its COMDATs, adds its symbols, then records its place in the
    /// load order (after any member its references loaded).
    fn load(&mut self, f: FileId) {
        if std::mem::replace(&mut self.loaded_flag[f.idx()], true) {
            return;
        }
        self.trace.file(self.inputs.name(f));
        if self.inputs.files[f.idx()].bitcode.is_some() {
            let name = self.inputs.name(f);
            self.errors.push(crate::load::bitcode_error(name, false));
            return;
        }
        if !self.accept_bitcode(f) {
            return;
        }
        let bitcode = self.is_lto_input(f);
        if bitcode {
            self.claim_bitcode_comdats(f);
        } else {
            self.claim_comdats(f);
        }
        let obj = self.inputs.obj(f);
        let mut syms = Vec::with_capacity(obj.symbols.len());
        for (i, s) in obj.symbols.iter().enumerate() {
            syms.push(if bitcode {
                self.add_bitcode_symbol(f, i as u32, s)
            } else {
                self.add_symbol(f, i as u32, s)
            });
        }
        if !bitcode {
            self.check_unique_names(f, &syms);
        }
        self.file_syms[f.idx()] = syms;
        self.add_legacy_table(f);
        self.loaded.push(f);
    }

    /// Two non-local symbols of one object with one name: LLVM's object reader refuses the
    /// object, whatever the symbols' kinds or definedness. Both symbols went to the same global
    /// symbol, so a column stamped with the file finds them at no extra lookup.
    fn check_unique_names(&mut self, f: FileId, syms: &[SymbolId]) {
        let obj = self.inputs.obj(f);
        let stamp = f.idx() as u32 + 1;
        for (s, &id) in obj.symbols.iter().zip(syms) {
            if s.flags.is_local() || Kind::of(&s.kind) == Kind::Section {
                continue;
            }
            if self.name_seen_in.len() <= id.idx() {
                self.name_seen_in.resize(id.idx() + 1, 0);
            }
            if std::mem::replace(&mut self.name_seen_in[id.idx()], stamp) == stamp {
                let name = self.table.get(id).name;
                let file = self.inputs.name(f);
                let message = format!("{file}: duplicate symbol name {name}");
                let error = Diagnostic::error(Code::DuplicateSymbol, message);
                self.errors.push(error.for_symbol(name).in_file(file));
            }
        }
    }

    /// An object without table symbols that imports a table (built before reference types) uses
    /// it as the indirect function table: give it an undefined, NO_STRIP table symbol named by
    /// its import, and remember that the table must be table 0, as lld's
    /// `addLegacyIndirectFunctionTableIfNeeded` does. Any other mix of tables and symbols is
    /// an error.
    fn add_legacy_table(&mut self, f: FileId) {
        let obj = self.inputs.obj(f);
        let symbols = obj
            .symbols
            .iter()
            .filter(|s| matches!(s.kind, RawKind::Table { .. }))
            .count();
        let tables = obj.table_imports.len() + obj.tables.len();
        if tables == symbols {
            return;
        }
        let file = self.inputs.name(f);
        let error = if symbols != 0 {
            format!(
                "{file}: expected one symbol table entry for each of the {tables} table(s) \
                 present, but got {symbols} symbol(s) instead."
            )
        } else if !obj.tables.is_empty() {
            format!(
                "{file}: unexpected table definition(s) without corresponding symbol-table entries."
            )
        } else if tables != 1 {
            format!("{file}: multiple table imports, but no corresponding symbol-table entries.")
        } else {
            let import = &obj.table_imports[0];
            let name = "__indirect_function_table";
            if import.field != name || import.ty.elem != wasm_format::types::RefType::FUNCREF {
                format!(
                    "{file}: table import {} is missing a symbol table entry.",
                    import.field
                )
            } else {
                let import = ImportRef {
                    name: Some(import.field),
                    module: Some(import.module),
                };
                self.reference_legacy_table(f, import);
                return;
            }
        };
        let error = Diagnostic::error(Code::SymbolMismatch, error).in_file(file);
        self.errors.push(error);
    }

    /// The undefined `__indirect_function_table` entry a legacy object gets.
    fn reference_legacy_table(&mut self, f: FileId, import: ImportRef<'a>) {
        let name = "__indirect_function_table";
        let flags = SymbolFlags(SymbolFlags::UNDEFINED | SymbolFlags::NO_STRIP);
        self.trace.reference(self.inputs.name(f), name);
        self.legacy_table = true;
        let Some(id) = self.table.find(name) else {
            let def = Def::Undefined {
                file: f,
                index: u32::MAX,
            };
            let mut sym = Symbol::new(name, Kind::Table, def, flags);
            sym.used_in_regular = true;
            sym.set_import(import);
            self.table.insert(sym);
            return;
        };
        self.table.get_mut(id).used_in_regular = true;
        match self.table.get(id).def {
            Def::Lazy(m) => self.load(m),
            Def::Undefined { .. } => self.update_undefined(id, f, flags, import),
            _ => {
                if self.check_reference(id, Kind::Table, f, u32::MAX) {
                    let sym = self.table.get_mut(id);
                    sym.flags = SymbolFlags(sym.flags.0 | SymbolFlags::NO_STRIP);
                }
            }
        }
    }

    fn claim_comdats(&mut self, f: FileId) {
        let obj = self.inputs.obj(f);
        let d = &mut self.discarded[f.idx()];
        d.functions = vec![false; obj.functions.len()];
        d.segments = vec![false; obj.segments.len()];
        // The object LTO compiled keeps every group: its bitcode claimed them (lld parses it
        // with `ignoreComdats`).
        if self.inputs.lto.objects.contains(&f) {
            return;
        }
        for c in &obj.comdats {
            let winner = *self.comdats.entry(c.name).or_insert(f);
            if winner == f {
                continue;
            }
            for m in obj.comdat_members_of(c) {
                discard_member(obj, d, m);
            }
        }
    }

    fn add_lazy_member(&mut self, m: FileId) {
        if let Some(symbols) = &self.inputs.files[m.idx()].bitcode {
            // The kind is unknown until it would be loaded, which is an error anyway.
            for &name in symbols {
                self.add_lazy(name, Kind::Function, m);
                if self.loaded_flag[m.idx()] {
                    break;
                }
            }
            return;
        }
        let obj = self.inputs.obj(m);
        for s in &obj.symbols {
            if !is_definition(s) || s.flags.is_local() || matches!(s.kind, RawKind::Section { .. })
            {
                continue;
            }
            self.add_lazy(obj.symbol_name(s), Kind::of(&s.kind), m);
            if self.loaded_flag[m.idx()] {
                break;
            }
        }
    }

    fn add_lazy(&mut self, name: &'a str, kind: Kind, m: FileId) {
        let Some(id) = self.table.find(name) else {
            self.table
                .insert(Symbol::new(name, kind, Def::Lazy(m), SymbolFlags(0)));
            self.trace.lazy_definition(self.inputs.name(m), name);
            return;
        };
        let sym = self.table.get_mut(id);
        // A shared library's symbol counts as defined: no member is extracted for it.
        if !matches!(sym.def, Def::Undefined { .. }) || sym.shared {
            return;
        }
        if sym.is_weak() {
            sym.def = Def::Lazy(m);
            self.trace.lazy_definition(self.inputs.name(m), name);
            return;
        }
        let reference = self.reference_name(id);
        self.load(m);
        self.record_extraction(&reference, m, name);
    }

    /// The file an undefined symbol is charged to in `--why-extract`: its first reference, or
    /// `<internal>` for one the linker added.
    fn reference_name(&self, id: SymbolId) -> String {
        match self.table.get(id).def {
            _ if self.internal.contains(&id) => INTERNAL.to_string(),
            Def::Undefined { file, .. } => self.inputs.name(file).to_string(),
            _ => INTERNAL.to_string(),
        }
    }

    /// A `--why-extract` record: `reference` extracted member `m` for `name`.
    fn record_extraction(&mut self, reference: &str, m: FileId, name: &str) {
        if self.trace.wants_why() {
            self.trace.extracted(reference, self.inputs.name(m), name);
        }
    }

    fn add_symbol(&mut self, f: FileId, i: u32, s: &SymbolInfo<'a>) -> SymbolId {
        let obj = self.inputs.obj(f);
        let name = obj.symbol_name(s);
        let kind = Kind::of(&s.kind);
        // A global symbol of a chunk a COMDAT discarded resolves to the kept copy; a local one
        // still names its own chunk, which lld writes when it is live (`--no-gc-sections`).
        let local = s.flags.is_local();
        let defined = is_definition(s) && (local || !self.is_discarded(f, i));
        let def = if defined {
            Def::Defined { file: f, index: i }
        } else {
            Def::Undefined { file: f, index: i }
        };
        if s.flags.is_local() || kind == Kind::Section {
            let mut sym = Symbol::new(name, kind, def, s.flags);
            sym.used_in_regular = true;
            return self.table.push(sym);
        }
        if defined {
            self.add_defined(f, name, kind, def, s.flags)
        } else if obj.shared_library {
            self.add_shared(f, i, name, kind, s)
        } else {
            self.add_undefined(f, i, name, kind, s)
        }
    }

    /// A symbol a shared library offers (lld's `addSharedFunction` / `addSharedData`): it
    /// takes the place of an undefined symbol (for a function, of a lazy one too) and never of
    /// a definition.
    fn add_shared(
        &mut self,
        f: FileId,
        i: u32,
        name: &'a str,
        kind: Kind,
        s: &SymbolInfo<'a>,
    ) -> SymbolId {
        let def = Def::Undefined { file: f, index: i };
        let signature = self.signature_of(f, s);
        let offered = SymbolFlags(SymbolFlags::UNDEFINED);
        let Some(id) = self.table.find(name) else {
            let mut sym = Symbol::new(name, kind, def, offered);
            sym.shared = true;
            sym.set_signature(signature);
            return self.table.insert(sym);
        };
        let sym = self.table.get(id);
        let replaces = match sym.def {
            Def::Undefined { .. } => !sym.shared,
            Def::Lazy(_) => kind == Kind::Function,
            _ => false,
        };
        if sym.kind != kind || !replaces {
            return id;
        }
        if let (Kind::Function, Def::Undefined { file, index }) = (kind, sym.def) {
            let called = (file, index, sym.signature());
            self.check_shared_signature(name, called, signature, false);
        }
        let sym = self.table.get_mut(id);
        sym.def = def;
        sym.flags = offered;
        sym.shared = true;
        // With `--no-shlib-sigcheck` the program's signature is the one imported.
        if sym.signature().is_none() || self.config.shlib_sigcheck {
            sym.set_signature(signature);
        }
        id
    }

    /// Whether the function or data symbol `i` of `f` defines lies in a discarded COMDAT.
    fn is_discarded(&self, f: FileId, i: u32) -> bool {
        let d = &self.discarded[f.idx()];
        match self.inputs.obj(f).definition(i) {
            Some(Definition::Function(func)) => d.functions.get(func.idx()).copied(),
            Some(Definition::Data { segment, .. }) => d.segments.get(segment.idx()).copied(),
            _ => None,
        }
        .unwrap_or(false)
    }

    fn add_defined(
        &mut self,
        f: FileId,
        name: &'a str,
        kind: Kind,
        def: Def,
        flags: SymbolFlags,
    ) -> SymbolId {
        let Some(id) = self.table.find(name) else {
            let mut sym = Symbol::new(name, kind, def, flags);
            sym.used_in_regular = true;
            self.trace.definition(self.inputs.name(f), name);
            return self.table.insert(sym);
        };
        let lazy = matches!(self.table.get(id).def, Def::Lazy(_));
        if let (false, Def::Defined { index, .. }) = (lazy, def) {
            if kind == Kind::Function && self.mismatched_direct_call(id, f, index) {
                self.note_variant(name);
            }
            if !self.check_definition(id, kind, f, index) {
                self.table.get_mut(id).used_in_regular = true;
                return id;
            }
        }
        let sym = self.table.get_mut(id);
        sym.used_in_regular = true;
        let decision = resolve_definition(&sym.def, sym.is_weak(), flags.is_weak());
        if decision != Resolve::Keep {
            // lld replaces the symbol even after reporting a duplicate, and traces it.
            self.trace_definition(id, f, def, name);
        }
        let sym = self.table.get_mut(id);
        match decision {
            Resolve::Keep => {}
            Resolve::Replace => {
                sym.def = def;
                sym.shared = false;
                sym.flags = flags;
                sym.set_import(ImportRef::default());
            }
            // Within one object, `check_unique_names` reports it as LLVM does.
            Resolve::Duplicate if matches!(sym.def, Def::Defined { file, .. } if file == f) => {}
            Resolve::Duplicate => {
                let first = self.defining_file_name(id);
                let message = format!(
                    "duplicate symbol: {name}\n>>> defined in {first}\n>>> defined in {}",
                    self.inputs.name(f)
                );
                let error = Diagnostic::error(Code::DuplicateSymbol, message);
                self.errors.push(error.for_symbol(name).in_file(first));
            }
        }
        id
    }

    fn add_undefined(
        &mut self,
        f: FileId,
        i: u32,
        name: &'a str,
        kind: Kind,
        s: &SymbolInfo<'a>,
    ) -> SymbolId {
        let import = self.import_ref(f, s);
        let signature = self.signature_of(f, s);
        self.trace.reference(self.inputs.name(f), name);
        let Some(id) = self.table.find(name) else {
            let mut sym = Symbol::new(name, kind, Def::Undefined { file: f, index: i }, s.flags);
            sym.used_in_regular = true;
            sym.set_import(import);
            sym.set_signature(signature);
            return self.table.insert(sym);
        };
        self.table.get_mut(id).used_in_regular = true;
        let lazy = matches!(self.table.get(id).def, Def::Lazy(_));
        if !lazy && !self.check_reference(id, kind, f, i) {
            return id;
        }
        // A shared library's symbol counts as defined: the reference changes nothing, but a
        // direct call must match its signature.
        if self.table.get(id).shared {
            if kind == Kind::Function {
                let offered = self.table.get(id).signature();
                self.check_shared_signature(name, (f, i, signature), offered, true);
                if !self.config.shlib_sigcheck && self.calls_directly(f, i) {
                    self.table.get_mut(id).set_signature(signature);
                }
            }
            return id;
        }
        if !lazy && kind == Kind::Function {
            self.note_reference_variant(id, f, i, s);
        }
        let sym = self.table.get_mut(id);
        match sym.def {
            // Only functions and data wait for a strong reference; a weak reference to a lazy
            // tag, global or table loads its member all the same (lld's `addUndefinedTag`).
            Def::Lazy(_) if s.flags.is_weak() && matches!(kind, Kind::Function | Kind::Data) => {
                sym.flags = SymbolFlags(sym.flags.0 | SymbolFlags::BINDING_WEAK);
                sym.set_signature(sym.signature().or(signature));
            }
            Def::Lazy(m) => {
                self.load(m);
                // Only function references are recorded (lld's `addUndefinedFunction`).
                if kind == Kind::Function {
                    self.record_extraction(self.inputs.name(f), m, name);
                }
            }
            Def::Undefined { .. } => {
                sym.set_signature(sym.signature().or(signature));
                self.update_undefined(id, f, s.flags, import);
            }
            _ => sym.set_signature(sym.signature().or(signature)),
        }
        id
    }

    fn signature_of(&self, f: FileId, s: &SymbolInfo<'a>) -> Option<(FileId, u32)> {
        let obj = self.inputs.obj(f);
        match s.kind {
            RawKind::Function { index } => obj.func_imports.get(index as usize).map(|i| (f, i.ty)),
            _ => None,
        }
    }

    fn defining_file_name(&self, id: SymbolId) -> String {
        match self.table.get(id).def {
            Def::Defined { file, .. } | Def::Undefined { file, .. } | Def::Lazy(file) => {
                self.inputs.name(file).to_string()
            }
            Def::Synthetic(_) => "<internal>".to_string(),
        }
    }

    /// `-u`, `--export`, the entry: loads the member that defines `name` if it is lazy;
    /// `option` is what `--why-extract` names as the reference.
    fn handle_undefined(&mut self, name: &str, option: &str) -> Option<SymbolId> {
        let id = self.table.find(name)?;
        // Named on the command line, it counts as used (lld's `handleUndefined`).
        self.table.get_mut(id).used_in_regular = true;
        if let Def::Lazy(m) = self.table.get(id).def {
            self.load(m);
            self.record_extraction(option, m, name);
        }
        Some(id)
    }

    /// `__wasm_call_dtors` (from libc) is looked up, and loaded from an archive, only when the
    /// command-export wrappers may need it: when the inputs never call `__wasm_call_ctors`
    /// themselves (lld's `Driver.cpp`).
    fn find_call_dtors(&mut self, config: &Config) -> Option<SymbolId> {
        if config.relocatable {
            return None;
        }
        let ctors = self.table.find("__wasm_call_ctors")?;
        let entry_is_ctors = matches!(&config.entry, Entry::Named(n) if n == "__wasm_call_ctors");
        let exported = config.exports.iter().any(|e| e == "__wasm_call_ctors");
        if self.table.get(ctors).used_in_regular || entry_is_ctors || exported {
            return None;
        }
        let id = self.handle_undefined("__wasm_call_dtors", INTERNAL)?;
        let sym = self.table.get(id);
        // lld wants a defined function here: an undefined one is refused too.
        if !(sym.is_defined() && sym.kind == Kind::Function) {
            let message = "__wasm_call_dtors must be a function";
            self.errors
                .push(Diagnostic::error(Code::SymbolMismatch, message).for_symbol(sym.name));
        }
        (sym.is_defined() && sym.kind == Kind::Function).then_some(id)
    }

    fn resolve_entry(&mut self, config: &Config) -> Option<SymbolId> {
        let name = match &config.entry {
            Entry::None => return None,
            Entry::Default => "_start",
            Entry::Named(n) => n.as_str(),
        };
        match self.handle_undefined(name, "--entry") {
            Some(id) if self.table.get(id).is_defined() => {
                let sym = self.table.get_mut(id);
                sym.force_export = true;
                sym.flags = SymbolFlags(sym.flags.0 & !SymbolFlags::VISIBILITY_HIDDEN);
                Some(id)
            }
            _ => {
                let message =
                    format!("entry symbol not defined (pass --no-entry to suppress): {name}");
                self.errors
                    .push(Diagnostic::error(Code::Options, message).for_symbol(name));
                None
            }
        }
    }

    fn add_optional_symbols(&mut self, config: &Config) {
        if config.relocatable {
            return;
        }
        // wasm-ld's creation order, which is the export order under `--export-all`.
        let mut optional = vec![("__dso_handle", Synthetic::DsoHandle)];
        if !config.shared {
            optional.push(("__data_end", Synthetic::DataEnd));
        }
        // A PIC output learns where its memory and table start at run time.
        if !config.pic {
            optional.extend([
                ("__stack_low", Synthetic::StackLow),
                ("__stack_high", Synthetic::StackHigh),
                ("__global_base", Synthetic::GlobalBase),
                ("__heap_base", Synthetic::HeapBase),
                ("__heap_end", Synthetic::HeapEnd),
                ("__memory_base", Synthetic::MemoryBase),
                ("__table_base", Synthetic::TableBase),
            ]);
        }
        if !config.shared_memory {
            optional.push(("__tls_base", Synthetic::TlsBase));
        }
        if !config.import_table {
            optional.push(("__indirect_function_table", Synthetic::IndirectTable));
        }
        for (name, synth) in optional {
            let wanted = config.export_all || config.exports.iter().any(|e| e == name);
            let id = match self.table.find(name) {
                Some(id) => id,
                None if wanted
                    && !matches!(synth, Synthetic::IndirectTable | Synthetic::TlsBase) =>
                {
                    self.table.insert(Symbol::new(
                        name,
                        Kind::Data,
                        Def::Undefined {
                            file: FileId(0),
                            index: u32::MAX,
                        },
                        SymbolFlags(0),
                    ))
                }
                None => continue,
            };
            let sym = self.table.get_mut(id);
            if sym.is_defined() {
                if synth == Synthetic::IndirectTable {
                    let message = format!(
                        "{name} is a linker-defined symbol and cannot be defined by an input"
                    );
                    self.errors
                        .push(Diagnostic::error(Code::DuplicateSymbol, message).for_symbol(name));
                }
                continue;
            }
            sym.def = Def::Synthetic(synth);
            // Inputs may reference these as globals (`global.get __memory_base`); they are data
            // symbols all the same, read through an internal GOT entry.
            sym.kind = match synth {
                Synthetic::IndirectTable => Kind::Table,
                Synthetic::TlsBase => Kind::Global,
                _ => Kind::Data,
            };
            let no_strip = sym.flags.0 & SymbolFlags::NO_STRIP;
            sym.flags =
                SymbolFlags(SymbolFlags::VISIBILITY_HIDDEN | SymbolFlags::ABSOLUTE | no_strip);
            if synth == Synthetic::IndirectTable && config.export_table {
                sym.force_export = true;
            }
            sym.set_import(ImportRef::default());
            // The table is traced when lld creates it, after GC (`Tracer::table_defined`).
            if synth != Synthetic::IndirectTable {
                self.trace.definition(INTERNAL, name);
            }
        }
    }

    /// The (file, type index) of the input function that defines `id`.
    fn definition_signature(&self, id: SymbolId) -> Option<(FileId, u32)> {
        let Def::Defined { file, index } = self.table.get(id).def else {
            return None;
        };
        self.defined_function_type(file, index)
    }

    /// The (file, type index) of function symbol `index` of `file`, if `file` defines it.
    fn defined_function_type(&self, file: FileId, index: u32) -> Option<(FileId, u32)> {
        let obj = self.inputs.obj(file);
        let Some(Definition::Function(f)) = obj.definition(index) else {
            return None;
        };
        Some((file, obj.functions[f.idx()].type_index))
    }

    /// Called weak undefined functions go to a stub (lld's `handleWeakUndefines`).
    fn stub_weak_undefined(&mut self) {
        for sym in &mut self.table.symbols {
            let undefined = matches!(sym.def, Def::Undefined { .. } | Def::Lazy(_));
            if sym.global
                && undefined
                && sym.is_weak()
                && sym.used_in_regular
                && sym.kind == Kind::Function
                && sym.signature().is_some()
            {
                sym.def = Def::Synthetic(Synthetic::WeakStub);
                // Hidden, so `--export-dynamic` neither exports nor keeps it.
                sym.flags.0 |= SymbolFlags::VISIBILITY_HIDDEN;
                if self.trace.traced(sym.name) {
                    let shown = format!("undefined_weak:{}", self.trace.display(sym.name));
                    self.trace.defined_as(sym.name, INTERNAL, &shown);
                }
            }
        }
    }

    /// An `--export` of a symbol nothing defines: an error, a warning with
    /// `--warn-unresolved-symbols`, nothing when unresolved symbols are ignored or imported.
    fn export_not_found(&mut self, name: &str, config: &Config) {
        let message = format!("symbol exported via --export not found: {name}");
        let msg = Diagnostic::error(Code::Options, message).for_symbol(name);
        match config.unresolved {
            UnresolvedPolicy::ReportAll if config.warn_unresolved => {
                self.warnings.push(msg.as_warning())
            }
            UnresolvedPolicy::ReportAll => self.errors.push(msg),
            UnresolvedPolicy::IgnoreAll | UnresolvedPolicy::ImportDynamic => {}
        }
    }

    fn mark_exports(&mut self, config: &Config) {
        for name in &config.exports {
            match self.table.find(name) {
                Some(id) if self.table.get(id).is_defined() => {
                    let sym = self.table.get_mut(id);
                    sym.force_export = true;
                    sym.export_explicit = true;
                }
                // A segment's bounds are defined after GC, and checked then.
                _ if crate::start_stop::is_candidate(name) => {}
                _ => self.export_not_found(name, config),
            }
        }
        for name in &config.exports_if_defined {
            if let Some(id) = self.table.find(name) {
                let sym = self.table.get_mut(id);
                if sym.is_defined() {
                    sym.force_export = true;
                }
            }
        }
    }
}

fn discard_member(
    obj: &wasm_object::object::Object<'_>,
    d: &mut Discarded,
    m: &wasm_format::linking::ComdatMember,
) {
    use wasm_format::linking::ComdatKind;
    let i = m.index as usize;
    match m.kind {
        ComdatKind::Function => {
            if let Some(f) = obj.defined_function(m.index) {
                d.functions[f.idx()] = true;
            }
        }
        ComdatKind::Data => {
            if let Some(slot) = d.segments.get_mut(i) {
                *slot = true;
            }
        }
        ComdatKind::Section => d.sections.push(m.index),
        _ => {}
    }
}
