//! The global symbol table: one entry per name (plus one per local symbol), what defines it,
//! and the one function that decides whether a new definition replaces an existing one.

use crate::ids::{FileId, SymbolId};
use crate::name_map::NameMap;
use rayon::prelude::*;
use wasm_format::linking::{SymbolFlags, SymbolKind as RawKind};

/// What kind of entity a symbol names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A function.
    Function,
    /// A data symbol (an address in linear memory).
    Data,
    /// A global.
    Global,
    /// A custom or standard section (debug info).
    Section,
    /// An exception tag.
    Tag,
    /// A table.
    Table,
}

impl Kind {
    /// The kind of a symbol-table entry.
    pub fn of(raw: &RawKind) -> Kind {
        match raw {
            RawKind::Function { .. } => Kind::Function,
            RawKind::Data { .. } => Kind::Data,
            RawKind::Global { .. } => Kind::Global,
            RawKind::Section { .. } => Kind::Section,
            RawKind::Tag { .. } => Kind::Tag,
            RawKind::Table { .. } => Kind::Table,
        }
    }

    /// The name `symbol type mismatch` gives it (LLVM's `toString(WasmSymbolType)`).
    pub fn name(self) -> &'static str {
        match self {
            Kind::Function => "WASM_SYMBOL_TYPE_FUNCTION",
            Kind::Data => "WASM_SYMBOL_TYPE_DATA",
            Kind::Global => "WASM_SYMBOL_TYPE_GLOBAL",
            Kind::Section => "WASM_SYMBOL_TYPE_SECTION",
            Kind::Tag => "WASM_SYMBOL_TYPE_TAG",
            Kind::Table => "WASM_SYMBOL_TYPE_TABLE",
        }
    }
}

/// Symbols the linker defines itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[allow(missing_docs)]
pub enum Synthetic {
    StackPointer,
    CallCtors,
    IndirectTable,
    HeapBase,
    HeapEnd,
    DataEnd,
    DsoHandle,
    GlobalBase,
    StackLow,
    StackHigh,
    MemoryBase,
    TableBase,
    TlsBase,
    /// `__tls_size` (with shared memory): the size of `.tdata`.
    TlsSize,
    /// `__tls_align` (with shared memory): the alignment of `.tdata`.
    TlsAlign,
    /// `__wasm_init_tls(ptr)` (with shared memory): copies `.tdata` to a thread's block.
    InitTls,
    /// `__start_<segment>` / `__stop_<segment>` of the output data segment with this index.
    SegmentStart(u32),
    SegmentStop(u32),
    /// A called weak undefined function: a stub whose body is `unreachable`.
    WeakStub,
    /// A direct call with a signature other than the definition's: a trapping stub.
    SignatureStub,
    /// A global a PIC output imports from `env` (lld's `createUndefinedGlobal`):
    /// `__stack_pointer` (mutable), `__memory_base` and `__table_base`. Undefined, but
    /// always allowed to be.
    PicImport,
    /// `__wasm_apply_data_relocs` (PIC): stores the run-time addresses into the data.
    ApplyDataRelocs,
}

/// What currently stands behind a symbol.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Def {
    /// Only referenced, by this object's symbol `index`.
    Undefined {
        /// The first referencing file.
        file: FileId,
        /// Its symbol index there.
        index: u32,
    },
    /// Defined by an archive member that is not loaded yet.
    Lazy(FileId),
    /// Defined by symbol `index` of `file`.
    Defined {
        /// The defining file.
        file: FileId,
        /// Its symbol index there.
        index: u32,
    },
    /// Defined by the linker.
    Synthetic(Synthetic),
}

/// How an undefined entry asks to be imported: its explicit field and its module.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ImportRef<'a> {
    /// The field, when the entry names it explicitly.
    pub name: Option<&'a str>,
    /// The module of the import behind the entry.
    pub module: Option<&'a str>,
}

/// The import of an undefined function or global that LLVM writes unless the source asks for
/// another: from module `env`, by the symbol's own name.
const ENV_IMPORT: ImportRef<'static> = ImportRef {
    name: None,
    module: Some("env"),
};

/// Stands for "no file" where an `Option<FileId>` would not fit.
const NO_FILE: FileId = FileId(u32::MAX);

/// One entry of the global symbol table.
#[derive(Clone, Debug)]
pub struct Symbol<'a> {
    /// The name.
    pub name: &'a str,
    /// Function, data, global ...
    pub kind: Kind,
    /// Definition state.
    pub def: Def,
    /// Flags of the definition or of the strongest reference.
    pub flags: SymbolFlags,
    /// Referenced from a loaded object (not only from a lazy member or the command line).
    pub used_in_regular: bool,
    /// `--export` / the entry: export even if hidden.
    pub force_export: bool,
    /// Named by `--export` (not just `--export-if-defined` or the entry).
    pub export_explicit: bool,
    /// For an undefined symbol: how its references ask to be imported, when it is not by its
    /// own name from `env` (rare, so boxed: it would double the size of every symbol).
    import: Option<Box<ImportRef<'a>>>,
    /// Its references import it by its own name from `env`, as nearly every LLVM object's do.
    import_env: bool,
    /// The signature the first reference expects: (file, type index) for functions; the file
    /// is [`NO_FILE`] when there is none (an `Option` would take four bytes more).
    signature: (FileId, u32),
    /// In the name map (not a local).
    pub global: bool,
    /// Offered by a shared library input (its `def` names the library's export): imported at
    /// run time, never an undefined-symbol error (lld's `isShared`).
    pub shared: bool,
    /// Named by a stub library: imported, allowed to stay undefined (lld's `forceImport`).
    pub force_import: bool,
}

impl<'a> Symbol<'a> {
    /// A new symbol.
    pub fn new(name: &'a str, kind: Kind, def: Def, flags: SymbolFlags) -> Self {
        Symbol {
            name,
            kind,
            def,
            flags,
            used_in_regular: false,
            force_export: false,
            export_explicit: false,
            import: None,
            import_env: false,
            signature: (NO_FILE, 0),
            global: false,
            shared: false,
            force_import: false,
        }
    }

    /// For an undefined symbol: the import field, when a reference gave it explicitly (which
    /// also makes the symbol an import, lld's `Symbol::isImported`).
    pub fn import_name(&self) -> Option<&'a str> {
        self.import.as_ref().and_then(|i| i.name)
    }

    /// For an undefined function, global, table or tag: the import module of its first
    /// reference (every later reference must agree).
    pub fn import_module(&self) -> Option<&'a str> {
        self.import().module
    }

    /// How the symbol is imported (both `None`: nothing explicit).
    pub fn import(&self) -> ImportRef<'a> {
        match &self.import {
            _ if self.import_env => ENV_IMPORT,
            Some(import) => **import,
            None => ImportRef::default(),
        }
    }

    /// Sets how the symbol is imported (nothing explicit: forgets it).
    pub fn set_import(&mut self, import: ImportRef<'a>) {
        self.import_env = import == ENV_IMPORT;
        let explicit = import.name.is_some() || import.module.is_some();
        self.import = (explicit && !self.import_env).then(|| Box::new(import));
    }

    /// The signature the first reference expects: (file, type index) for functions.
    pub fn signature(&self) -> Option<(FileId, u32)> {
        Some(self.signature).filter(|s| s.0 != NO_FILE)
    }

    /// Sets the signature the references expect.
    pub fn set_signature(&mut self, signature: Option<(FileId, u32)>) {
        self.signature = signature.unwrap_or((NO_FILE, 0));
    }

    /// Whether a file or the linker defines it.
    pub fn is_defined(&self) -> bool {
        match self.def {
            Def::Defined { .. } => true,
            Def::Synthetic(s) => s != Synthetic::PicImport,
            _ => false,
        }
    }

    /// Whether it is undefined at the end of the link (an import, a GOT entry, or an error).
    pub fn is_undefined(&self) -> bool {
        matches!(
            self.def,
            Def::Undefined { .. } | Def::Synthetic(Synthetic::PicImport)
        )
    }

    /// Weak binding.
    pub fn is_weak(&self) -> bool {
        self.flags.is_weak()
    }

    /// Hidden visibility.
    pub fn is_hidden(&self) -> bool {
        self.flags.is_hidden()
    }

    /// A trapping stub: its address is null, only calls reach it.
    pub fn is_stub(&self) -> bool {
        matches!(
            self.def,
            Def::Synthetic(Synthetic::WeakStub | Synthetic::SignatureStub)
        )
    }

    /// Whether the output exports it (lld's `Symbol::isExported`).
    pub fn is_exported(&self, config: &crate::config::Config) -> bool {
        self.is_defined()
            && (self.force_export
                || self.flags.is_exported()
                || config.export_all
                || (config.export_dynamic && !self.is_hidden()))
    }
}

/// What to do when a definition meets an existing symbol of the same name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Resolve {
    /// The existing symbol stays.
    Keep,
    /// The new definition replaces it.
    Replace,
    /// Two strong definitions.
    Duplicate,
}

/// The whole resolution policy for a new *definition* (`SymbolTable::shouldReplace` in lld):
/// anything beats undefined or lazy, strong beats weak, the first weak wins among weaks.
pub fn resolve_definition(existing: &Def, existing_weak: bool, new_weak: bool) -> Resolve {
    match existing {
        Def::Undefined { .. } | Def::Lazy(_) => Resolve::Replace,
        _ if new_weak => Resolve::Keep,
        _ if existing_weak => Resolve::Replace,
        _ => Resolve::Duplicate,
    }
}

/// The table: symbols in insertion order (the order imports and exports follow) and a name map.
#[derive(Default)]
pub struct SymbolTable<'a> {
    /// Every symbol, global ones in insertion order, locals interleaved.
    pub symbols: Vec<Symbol<'a>>,
    /// Global names.
    names: NameMap<'a>,
}

impl<'a> SymbolTable<'a> {
    /// A table with room for `symbols` entries and `globals` global names, so that filling
    /// it rarely grows it. The memory of the first `written` entries is written once
    /// beforehand, in parallel: the resolver fills the table on one thread, where each fresh
    /// page is a fault (every 73 symbols).
    pub fn with_room(symbols: usize, globals: usize, written: usize) -> Self {
        let mut entries: Vec<Symbol<'a>> = Vec::with_capacity(symbols);
        let placeholder = || Symbol::new("", Kind::Function, Def::Lazy(NO_FILE), SymbolFlags(0));
        entries.spare_capacity_mut()[..written.min(symbols)]
            .par_chunks_mut(4096)
            .for_each(|run| {
                for entry in run {
                    entry.write(placeholder());
                }
            });
        SymbolTable {
            symbols: entries,
            names: NameMap::with_capacity(globals),
        }
    }

    /// Looks a global symbol up by name.
    pub fn find(&self, name: &str) -> Option<SymbolId> {
        self.names.get(name, &self.symbols)
    }

    /// Adds a symbol that has no name-map entry (a local).
    pub fn push(&mut self, sym: Symbol<'a>) -> SymbolId {
        let id = SymbolId(self.symbols.len() as u32);
        self.symbols.push(sym);
        id
    }

    /// Inserts a global symbol, which must not exist yet.
    pub fn insert(&mut self, mut sym: Symbol<'a>) -> SymbolId {
        sym.global = true;
        let id = self.push(sym);
        self.names.insert(id, &self.symbols);
        id
    }

    /// Makes `name` lead to symbol `id`, whatever its name (`--wrap`).
    pub fn redirect(&mut self, name: &'a str, id: SymbolId) {
        self.names.redirect(name, id);
    }

    /// The symbol.
    pub fn get(&self, id: SymbolId) -> &Symbol<'a> {
        &self.symbols[id.idx()]
    }

    /// The symbol, mutably.
    pub fn get_mut(&mut self, id: SymbolId) -> &mut Symbol<'a> {
        &mut self.symbols[id.idx()]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const F: FileId = FileId(0);

    #[test]
    fn policy() {
        let undef = Def::Undefined { file: F, index: 0 };
        let def = Def::Defined { file: F, index: 0 };
        assert_eq!(resolve_definition(&undef, false, true), Resolve::Replace);
        assert_eq!(
            resolve_definition(&Def::Lazy(F), false, false),
            Resolve::Replace
        );
        assert_eq!(resolve_definition(&def, false, true), Resolve::Keep);
        assert_eq!(resolve_definition(&def, true, true), Resolve::Keep);
        assert_eq!(resolve_definition(&def, true, false), Resolve::Replace);
        assert_eq!(resolve_definition(&def, false, false), Resolve::Duplicate);
    }

    /// The table holds one entry per name and per local: on big links its size is a good part
    /// of the peak memory (and every page of it a page fault).
    #[test]
    fn a_symbol_takes_56_bytes() {
        assert_eq!(std::mem::size_of::<Symbol<'_>>(), 56);
    }

    #[test]
    fn imports_and_signatures_read_back() {
        let mut sym = Symbol::new("f", Kind::Function, Def::Lazy(F), SymbolFlags(0));
        assert_eq!(
            (sym.import_name(), sym.import_module(), sym.signature()),
            (None, None, None)
        );
        sym.set_import(ImportRef {
            name: Some("g"),
            module: None,
        });
        sym.set_signature(Some((FileId(3), 7)));
        assert_eq!((sym.import_name(), sym.import_module()), (Some("g"), None));
        assert_eq!(sym.signature(), Some((FileId(3), 7)));
        sym.set_import(ImportRef::default());
        sym.set_signature(None);
        assert_eq!((sym.import_name(), sym.signature()), (None, None));
        sym.set_import(ENV_IMPORT);
        assert_eq!(sym.import(), ENV_IMPORT);
        assert!(sym.import.is_none(), "the usual import takes no box");
        sym.set_import(ImportRef {
            name: Some("g"),
            module: Some("env"),
        });
        assert_eq!(
            (sym.import_name(), sym.import_module()),
            (Some("g"), Some("env"))
        );
        sym.set_import(ImportRef::default());
        assert_eq!(sym.import(), ImportRef::default());
    }
}
