//! An owned, in-memory relocatable object: everything a `.o` of the tool-conventions
//! `Linking.md` format holds, as plain values that can be built, changed and written.
//!
//! [`Object`](crate::object::Object) is the linker's read-only view: windows onto a mapped file,
//! relocations as offsets into whole sections. An [`ObjectModel`] is what a producer works
//! with instead: each function body, data segment and custom section carries its own bytes and
//! its own relocations, with offsets relative to that atom, so atoms can be added, dropped or
//! reordered without recomputing section offsets. [`ObjectModel::from_object`] builds one from
//! a parsed object (borrowing its bytes), plain struct construction (with [`AtomBuilder`] for
//! the bytes) builds one from scratch, and [`crate::writer::write`] writes one as LLVM's
//! object writer lays objects out. [`ObjectModel::fill_provisional_values`] and
//! [`ObjectModel::lay_out_segments`] put in the values LLVM would (indices, addresses in the
//! object's own layout) after atoms were added, dropped or moved.
//!
//! Index spaces follow the format: a symbol's function, global, tag or table is an
//! [`Item`], an import (counted among the imports of its kind) or a definition (a typed input
//! index of [`crate::ids`]); the flat index the file stores (imports first) is computed on
//! writing. Section symbols and `SECTION` comdat members name a [`CustomIndex`], a position in
//! [`ObjectModel::customs`], since section numbers change when sections are added.
//!
//! Bytes and names are [`Cow`]s: a model read from a file borrows them, one built by a
//! compiler owns them, and [`ObjectModel::into_owned`] detaches the first from its file.
//!
//! Everything refers to everything else by position in the model's own vectors: symbols to
//! functions, globals, tags, tables ([`Item`]), segments ([`DataRef`]) and custom sections;
//! relocations (type, offset in their atom, symbol or type index, addend) and init functions
//! to symbols; COMDATs to their members. A producer, such as a relocatable link, fills the
//! vectors and numbers nothing else.

use crate::ids::{DefinedFunc, DefinedGlobal, DefinedTable, DefinedTag, SegmentIndex};
use std::borrow::Cow;
use std::fmt;
pub use wasm_format::features::FeaturePrefix;
pub use wasm_format::linking::{SegmentFlags, SymbolFlags};
pub use wasm_format::reloc::{Reloc, RelocType};
pub use wasm_format::sections::{ExternalKind, ImportKind};
pub use wasm_format::types::{
    FuncType, GlobalType, Limits, MemoryType, RefType, TableType, TagType, ValType,
};

pub use wasm_format::linking::InitFunc;

mod from_object;
mod owned;
mod provisional;

crate::index_type!(
    /// A custom section of a model: its position in [`ObjectModel::customs`].
    CustomIndex, "custom"
);

/// A relocatable object held in memory.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ObjectModel<'a> {
    /// The function types.
    pub types: Vec<FuncType>,
    /// Every import, in the order of the import section (kinds interleave: LLVM puts
    /// `env.__linear_memory` first, then the others as symbols need them).
    pub imports: Vec<Import<'a>>,
    /// The defined functions, in code-section order.
    pub functions: Vec<Function<'a>>,
    /// The defined tables.
    pub tables: Vec<Table<'a>>,
    /// The defined memories (LLVM's objects import their memory instead).
    pub memories: Vec<MemoryType>,
    /// The defined exception tags.
    pub tags: Vec<TagType>,
    /// The defined globals.
    pub globals: Vec<Global<'a>>,
    /// The exports (LLVM writes one per `export_name` function).
    pub exports: Vec<Export<'a>>,
    /// The start function, by function index (imports first); objects have none in practice.
    pub start: Option<u32>,
    /// The element segments (LLVM lists the address-taken functions in one, at table offset
    /// 1; the linker ignores it).
    pub elements: Vec<ElementSegment<'a>>,
    /// The data segments. A `DataCount` section is written whenever there is one, as LLVM does.
    pub segments: Vec<DataSegment<'a>>,
    /// The custom sections other than the metadata below (`.debug_*`, user sections), in
    /// order; written after the data section.
    pub customs: Vec<CustomSection<'a>>,
    /// The symbol table; relocations and init functions name symbols by position here.
    pub symbols: Vec<Symbol<'a>>,
    /// Constructors with their priorities, in file order.
    pub init_funcs: Vec<InitFunc>,
    /// COMDAT groups.
    pub comdats: Vec<Comdat<'a>>,
    /// The `name` section's contents, copied as they are (LLVM's objects have none).
    pub name_section: Option<Cow<'a, [u8]>>,
    /// The `producers` section, if there is one.
    pub producers: Option<Vec<ProducerField<'a>>>,
    /// The `target_features` section (none is written when empty).
    pub features: Vec<Feature<'a>>,
}

/// An import: where it comes from and what it is.
#[derive(Clone, Debug, PartialEq)]
pub struct Import<'a> {
    /// The module name (`env` unless `import_module` says otherwise).
    pub module: Cow<'a, str>,
    /// The field name (the symbol's name unless `import_name` says otherwise).
    pub field: Cow<'a, str>,
    /// What is imported, with its type (a type index for functions).
    pub kind: ImportKind,
}

/// A function the object defines: one atom.
#[derive(Clone, Debug, PartialEq)]
pub struct Function<'a> {
    /// Index into [`ObjectModel::types`].
    pub type_index: u32,
    /// The body after its size: the local declarations, the instructions, the final `end`.
    pub body: Cow<'a, [u8]>,
    /// The relocations patching the body, in offset order; offsets count from the body's
    /// first byte (the count of local groups).
    pub relocs: Vec<Reloc>,
}

impl Function<'_> {
    /// Where the instructions start in [`body`](Self::body): after the local declarations
    /// (the body's length if they are cut short).
    pub fn code_start(&self) -> usize {
        let body = &self.body[..];
        let mut at = 0;
        let uleb = |at: &mut usize| {
            let mut v = 0u64;
            let mut shift = 0;
            while let Some(&b) = body.get(*at) {
                *at += 1;
                v |= u64::from(b & 0x7f).checked_shl(shift).unwrap_or(0);
                shift += 7;
                if b & 0x80 == 0 {
                    break;
                }
            }
            v
        };
        for _ in 0..uleb(&mut at) {
            if at >= body.len() {
                break;
            }
            uleb(&mut at);
            // A value type: one byte, or a reference type with its heap type.
            at += match body.get(at) {
                Some(0x63 | 0x64) => 2,
                _ => 1,
            };
        }
        at.min(body.len())
    }
}

/// A constant expression's bytes, through its final `end` (`0x0b`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Expr<'a>(pub Cow<'a, [u8]>);

/// A defined table.
#[derive(Clone, Debug, PartialEq)]
pub struct Table<'a> {
    /// Its type.
    pub ty: TableType,
    /// The initial value of its elements (the `0x40 0x00` encoding), if given.
    pub init: Option<Expr<'a>>,
}

/// A defined global.
#[derive(Clone, Debug, PartialEq)]
pub struct Global<'a> {
    /// Type and mutability.
    pub ty: GlobalType,
    /// The initializer.
    pub init: Expr<'a>,
}

/// An export.
#[derive(Clone, Debug, PartialEq)]
pub struct Export<'a> {
    /// The exported name.
    pub name: Cow<'a, str>,
    /// What kind of entity it is.
    pub kind: ExternalKind,
    /// The entity's index in its index space (imports first).
    pub index: u32,
}

/// An element segment.
#[derive(Clone, Debug, PartialEq)]
pub struct ElementSegment<'a> {
    /// Where (and whether) it is copied into a table.
    pub mode: ElementMode<'a>,
    /// The type of its items (`funcref` for function indices).
    pub ty: RefType,
    /// The items.
    pub items: ElementItems<'a>,
}

/// How an element segment is used.
#[derive(Clone, Debug, PartialEq)]
pub enum ElementMode<'a> {
    /// Copied only by `table.init`.
    Passive,
    /// Never copied; declares functions for `ref.func`.
    Declared,
    /// Copied into `table` at `offset` at instantiation.
    Active {
        /// The table index.
        table: u32,
        /// The offset.
        offset: Expr<'a>,
    },
}

/// The items of an element segment.
#[derive(Clone, Debug, PartialEq)]
pub enum ElementItems<'a> {
    /// Function indices (imports first).
    Functions(Vec<u32>),
    /// Constant expressions.
    Exprs(Vec<Expr<'a>>),
}

/// A data segment: one atom, with its `linking` segment info.
#[derive(Clone, Debug, PartialEq)]
pub struct DataSegment<'a> {
    /// The segment name (`.rodata.foo`, `.bss.x`); the linker groups output segments by it.
    pub name: Cow<'a, str>,
    /// Alignment as a power of two.
    pub p2align: u32,
    /// `STRINGS`, `TLS`, `RETAIN`.
    pub flags: SegmentFlags,
    /// Passive, or active at an offset (LLVM places segments one after the other, aligned,
    /// from 0, and the linker ignores the offset).
    pub mode: DataMode<'a>,
    /// The bytes.
    pub data: Cow<'a, [u8]>,
    /// The relocations patching the bytes, in offset order; offsets count from the first byte.
    pub relocs: Vec<Reloc>,
}

/// How a data segment is used.
#[derive(Clone, Debug, PartialEq)]
pub enum DataMode<'a> {
    /// Copied only by `memory.init`.
    Passive,
    /// Copied into `memory` at `offset` at instantiation.
    Active {
        /// The memory index.
        memory: u32,
        /// The offset.
        offset: Expr<'a>,
    },
}

/// A custom section with its relocations (`.debug_info` and the like); one atom.
#[derive(Clone, Debug, PartialEq)]
pub struct CustomSection<'a> {
    /// The name.
    pub name: Cow<'a, str>,
    /// The contents after the name.
    pub data: Cow<'a, [u8]>,
    /// The relocations patching the contents, in offset order; offsets count from the first
    /// byte after the name, as in `reloc.*` sections.
    pub relocs: Vec<Reloc>,
}

/// A function, global, tag or table of a symbol: an import, counted among the imports of its
/// kind, or a definition.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Item<D> {
    /// The `n`th import of the kind.
    Imported(u32),
    /// A definition.
    Defined(D),
}

/// Where a defined data symbol lies.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct DataRef {
    /// The segment (written but meaningless for `ABSOLUTE` symbols).
    pub segment: SegmentIndex,
    /// Offset in the segment (the address, for `ABSOLUTE` symbols).
    pub offset: u64,
    /// Size in bytes.
    pub size: u64,
}

/// What a symbol stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SymbolKind {
    /// A function.
    Function(Item<DefinedFunc>),
    /// Data: where it lies, or `None` when undefined.
    Data(Option<DataRef>),
    /// A global.
    Global(Item<DefinedGlobal>),
    /// A custom section (debug information refers to sections through these).
    Section(CustomIndex),
    /// An exception tag.
    Tag(Item<DefinedTag>),
    /// A table.
    Table(Item<DefinedTable>),
}

/// One entry of the symbol table.
#[derive(Clone, Debug, PartialEq)]
pub struct Symbol<'a> {
    /// Every flag as written: binding, visibility, `UNDEFINED`, `EXPORTED`, `EXPLICIT_NAME`,
    /// `NO_STRIP`, `TLS`, `ABSOLUTE`. `UNDEFINED` must agree with the kind's [`Item`].
    pub flags: SymbolFlags,
    /// The name; `None` for section symbols and for imports without `EXPLICIT_NAME`, whose
    /// name is their import's field.
    pub name: Option<Cow<'a, str>>,
    /// What it stands for.
    pub kind: SymbolKind,
}

/// A member of a COMDAT group.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ComdatMember {
    /// A data segment.
    Data(SegmentIndex),
    /// A function.
    Function(Item<DefinedFunc>),
    /// A global.
    Global(Item<DefinedGlobal>),
    /// A tag.
    Tag(Item<DefinedTag>),
    /// A table.
    Table(Item<DefinedTable>),
    /// A custom section.
    Section(CustomIndex),
}

/// A COMDAT group: of all objects defining a group of this name, the linker keeps the first.
#[derive(Clone, Debug, PartialEq)]
pub struct Comdat<'a> {
    /// The group name.
    pub name: Cow<'a, str>,
    /// Reserved flags (0).
    pub flags: u32,
    /// The members.
    pub members: Vec<ComdatMember>,
}

/// A field of the `producers` section (`language`, `processed-by`, `sdk`).
#[derive(Clone, Debug, PartialEq)]
pub struct ProducerField<'a> {
    /// The field name.
    pub name: Cow<'a, str>,
    /// (name, version) pairs, e.g. (`clang`, `19.1.7`).
    pub values: Vec<(Cow<'a, str>, Cow<'a, str>)>,
}

/// An entry of `target_features`.
#[derive(Clone, Debug, PartialEq)]
pub struct Feature<'a> {
    /// `+` used, `-` disallowed, `=` required.
    pub prefix: FeaturePrefix,
    /// The feature name, e.g. `bulk-memory`.
    pub name: Cow<'a, str>,
}

/// Why a model cannot be built from an object, or written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ModelError {
    /// The object's bytes did not parse.
    Parse(wasm_format::Error),
    /// A symbol or comdat member names a section that is not a kept custom section.
    NotACustomSection(u32),
    /// The object imports more than one memory.
    SecondMemoryImport,
    /// A relocation cannot be written as it is.
    BadReloc {
        /// The atom (`function 3`, `segment .data.x`, `section .debug_info`).
        atom: String,
        /// The relocation's offset in the atom.
        offset: u32,
        /// What is wrong with it.
        problem: &'static str,
    },
    /// A symbol or comdat member names an item or section the model does not have.
    DanglingIndex {
        /// What names it (`symbol 4`, `comdat foo`).
        what: String,
    },
    /// A symbol's `UNDEFINED` flag disagrees with what it names (an import, or undefined data,
    /// must be undefined; a definition must not be).
    UndefinedMismatch(u32),
    /// A symbol that must carry a name (a definition, data, or `EXPLICIT_NAME`) has none.
    MissingName(u32),
    /// A section grew past 4 GiB, or an index past `u32::MAX`.
    TooLarge(&'static str),
}

impl fmt::Display for ModelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ModelError::Parse(e) => write!(f, "{e}"),
            ModelError::NotACustomSection(s) => {
                write!(
                    f,
                    "section {s} is named by a symbol but is not a custom section"
                )
            }
            ModelError::SecondMemoryImport => f.write_str("more than one memory import"),
            ModelError::BadReloc {
                atom,
                offset,
                problem,
            } => write!(f, "{atom}: the relocation at {offset:#x} {problem}"),
            ModelError::DanglingIndex { what } => write!(f, "{what} names nothing in the object"),
            ModelError::UndefinedMismatch(n) => write!(
                f,
                "symbol {n}: the UNDEFINED flag disagrees with what the symbol names"
            ),
            ModelError::MissingName(n) => write!(f, "symbol {n} needs a name and has none"),
            ModelError::TooLarge(what) => write!(f, "{what} does not fit 32 bits"),
        }
    }
}

impl std::error::Error for ModelError {}

impl From<wasm_format::Error> for ModelError {
    fn from(e: wasm_format::Error) -> Self {
        ModelError::Parse(e)
    }
}

impl<'a> Expr<'a> {
    /// `i32.const v; end`.
    pub fn i32_const(v: i32) -> Expr<'static> {
        let mut b = vec![0x41];
        sleb(&mut b, i64::from(v));
        b.push(wasm_format::types::END);
        Expr(Cow::Owned(b))
    }

    /// `i64.const v; end`.
    pub fn i64_const(v: i64) -> Expr<'static> {
        let mut b = vec![0x42];
        sleb(&mut b, v);
        b.push(wasm_format::types::END);
        Expr(Cow::Owned(b))
    }

    /// `global.get g; end`.
    pub fn global_get(g: u32) -> Expr<'static> {
        let mut b = vec![0x23];
        uleb(&mut b, u64::from(g));
        b.push(wasm_format::types::END);
        Expr(Cow::Owned(b))
    }

    /// The bytes without the final `end` (what `wasm_encoder::ConstExpr::raw` takes).
    pub fn without_end(&self) -> &[u8] {
        match self.0.split_last() {
            Some((&wasm_format::types::END, rest)) => rest,
            _ => &self.0,
        }
    }
}

impl<'a> Function<'a> {
    /// A body from its local groups (count, type) and its instructions (through the final
    /// `end`), whose relocations have offsets counted from the first instruction: they are
    /// moved past the local declarations here.
    pub fn with_locals(
        type_index: u32,
        locals: &[(u32, ValType)],
        code: &[u8],
        relocs: Vec<Reloc>,
    ) -> Function<'static> {
        let mut body = Vec::with_capacity(code.len() + 1 + 2 * locals.len());
        uleb(&mut body, locals.len() as u64);
        for &(n, ty) in locals {
            uleb(&mut body, u64::from(n));
            crate::writer::val_type_bytes(&mut body, ty);
        }
        let shift = body.len() as u32;
        body.extend_from_slice(code);
        let relocs = relocs
            .into_iter()
            .map(|r| Reloc {
                offset: r.offset.saturating_add(shift),
                ..r
            })
            .collect();
        Function {
            type_index,
            body: Cow::Owned(body),
            relocs,
        }
    }
}

/// Bytes being assembled with the relocations that patch them: how a producer emits a function
/// body, a data segment or a custom section without counting offsets by hand. A relocated
/// field is written as a zero of its full width (a padded LEB128, or a fixed-size integer),
/// as the format requires, and the relocation is recorded at its offset.
///
/// ```
/// use wasm_object::model::{AtomBuilder, RelocType};
///
/// // i32.const <address of symbol 2, plus 4>; end
/// let mut code = AtomBuilder::default();
/// code.raw(&[0x41]).reloc(RelocType::MemoryAddrSleb, 2, 4).raw(&[0x0b]);
/// assert_eq!(code.bytes, [0x41, 0x80, 0x80, 0x80, 0x80, 0x00, 0x0b]);
/// assert_eq!((code.relocs[0].offset, code.relocs[0].addend), (1, 4));
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AtomBuilder {
    /// The bytes so far.
    pub bytes: Vec<u8>,
    /// The relocations so far, in offset order, offsets counted from the first byte.
    pub relocs: Vec<Reloc>,
}

impl AtomBuilder {
    /// Appends bytes as they are.
    pub fn raw(&mut self, bytes: &[u8]) -> &mut Self {
        self.bytes.extend_from_slice(bytes);
        self
    }

    /// Appends `v` as a minimal unsigned LEB128 (an immediate nothing relocates).
    pub fn uleb(&mut self, v: u64) -> &mut Self {
        uleb(&mut self.bytes, v);
        self
    }

    /// Appends `v` as a minimal signed LEB128.
    pub fn sleb(&mut self, v: i64) -> &mut Self {
        sleb(&mut self.bytes, v);
        self
    }

    /// Appends a field that relocation `ty` patches with symbol (or type) `index` plus
    /// `addend` (ignored by types without one): zero, at the type's full width.
    pub fn reloc(&mut self, ty: RelocType, index: u32, addend: i64) -> &mut Self {
        let offset = u32::try_from(self.bytes.len()).unwrap_or(u32::MAX);
        let addend = if ty.has_addend() { addend } else { 0 };
        self.relocs.push(Reloc {
            ty,
            offset,
            index,
            addend,
        });
        let width = ty.width();
        if width.is_leb() {
            padded_uleb(&mut self.bytes, 0, width.size());
        } else {
            self.bytes.resize(self.bytes.len() + width.size(), 0);
        }
        self
    }

    /// A function of type `type_index` with these bytes as its instructions (through the
    /// final `end`) after the local declarations `locals`.
    pub fn into_function(self, type_index: u32, locals: &[(u32, ValType)]) -> Function<'static> {
        Function::with_locals(type_index, locals, &self.bytes, self.relocs)
    }
}

impl<'a> Import<'a> {
    /// An import of `module.field`.
    pub fn new(
        module: impl Into<Cow<'a, str>>,
        field: impl Into<Cow<'a, str>>,
        kind: ImportKind,
    ) -> Self {
        Import {
            module: module.into(),
            field: field.into(),
            kind,
        }
    }
}

impl<'a> ObjectModel<'a> {
    /// The index of `ty` in [`types`](Self::types), adding it if it is new (as LLVM does,
    /// one entry per distinct signature, in first-use order).
    pub fn type_index(&mut self, ty: FuncType) -> u32 {
        match self.types.iter().position(|t| *t == ty) {
            Some(i) => i as u32,
            None => {
                self.types.push(ty);
                self.types.len() as u32 - 1
            }
        }
    }

    /// Adds an import, giving its position among the imports of its kind (what an
    /// [`Item::Imported`] holds).
    pub fn add_import(&mut self, import: Import<'a>) -> u32 {
        let kind = external_kind(&import.kind);
        let n = self.import_count(kind);
        self.imports.push(import);
        n
    }

    /// Adds a defined function of type `ty` with `body` and its symbol `name` with `flags`,
    /// giving the symbol's index.
    pub fn add_function(
        &mut self,
        name: Cow<'a, str>,
        flags: SymbolFlags,
        ty: FuncType,
        body: Function<'a>,
    ) -> u32 {
        let type_index = self.type_index(ty);
        self.functions.push(Function { type_index, ..body });
        let index = DefinedFunc(self.functions.len() as u32 - 1);
        self.add_symbol(Symbol {
            flags,
            name: Some(name),
            kind: SymbolKind::Function(Item::Defined(index)),
        })
    }

    /// Adds a symbol, giving its index (what relocations and init functions name).
    pub fn add_symbol(&mut self, symbol: Symbol<'a>) -> u32 {
        self.symbols.push(symbol);
        self.symbols.len() as u32 - 1
    }

    /// How many imports of `kind` there are: the first defined index of that space.
    pub fn import_count(&self, kind: ExternalKind) -> u32 {
        self.imports
            .iter()
            .filter(|i| external_kind(&i.kind) == kind)
            .count() as u32
    }

    /// The import of `kind` that [`Item::Imported`]`(n)` names.
    pub fn import(&self, kind: ExternalKind, n: u32) -> Option<&Import<'a>> {
        self.imports
            .iter()
            .filter(|i| external_kind(&i.kind) == kind)
            .nth(n as usize)
    }

    /// The name a symbol goes by: its own; for an import without one, the import's field; for
    /// a section symbol, the section's name.
    pub fn symbol_name<'s>(&'s self, s: &'s Symbol<'a>) -> Option<&'s str> {
        if let Some(name) = &s.name {
            return Some(name);
        }
        let (kind, n) = match s.kind {
            SymbolKind::Function(Item::Imported(n)) => (ExternalKind::Func, n),
            SymbolKind::Global(Item::Imported(n)) => (ExternalKind::Global, n),
            SymbolKind::Tag(Item::Imported(n)) => (ExternalKind::Tag, n),
            SymbolKind::Table(Item::Imported(n)) => (ExternalKind::Table, n),
            SymbolKind::Section(c) => return self.customs.get(c.idx()).map(|c| &*c.name),
            _ => return None,
        };
        self.import(kind, n).map(|i| &*i.field)
    }
}

/// The kind of an import.
pub fn external_kind(kind: &ImportKind) -> ExternalKind {
    match kind {
        ImportKind::Func(_) => ExternalKind::Func,
        ImportKind::Table(_) => ExternalKind::Table,
        ImportKind::Memory(_) => ExternalKind::Memory,
        ImportKind::Global(_) => ExternalKind::Global,
        ImportKind::Tag(_) => ExternalKind::Tag,
    }
}

/// Appends `v` as a minimal unsigned LEB128 (wasm-encoder's encoding).
pub fn uleb(out: &mut Vec<u8>, v: u64) {
    wasm_encoder::Encode::encode(&v, out);
}

/// Appends `v` as a minimal signed LEB128 (wasm-encoder's encoding).
pub fn sleb(out: &mut Vec<u8>, v: i64) {
    wasm_encoder::Encode::encode(&v, out);
}

/// Appends `v` as an unsigned LEB128 padded to `width` bytes (5 for 32-bit fields, 10 for
/// 64-bit ones): the form every relocated LEB field takes, so the linker can patch it in place.
pub fn padded_uleb(out: &mut Vec<u8>, mut v: u64, width: usize) {
    for k in 0..width {
        let b = (v & 0x7f) as u8;
        v >>= 7;
        out.push(if k + 1 < width { b | 0x80 } else { b });
    }
}

/// Appends `v` as a signed LEB128 padded to `width` bytes (the form of relocated
/// `i32.const`/`i64.const` immediates).
pub fn padded_sleb(out: &mut Vec<u8>, mut v: i64, width: usize) {
    for k in 0..width {
        let b = (v & 0x7f) as u8;
        v >>= 7;
        out.push(if k + 1 < width { b | 0x80 } else { b });
    }
}
