//! An in-memory object that a code generator builds and edits declaration by declaration, as
//! Zig's compiler keeps its `ZigObject`: each function, data object, global, table, tag or
//! import is a symbol in a slot; a function body or a data segment can be set and replaced at
//! any time; a freed slot is reused by the next declaration; and [`ObjectBuilder::model`]
//! gives the [`ObjectModel`] that a `wasm_link::Linker` session links (or that
//! [`crate::writer::write`] writes as a `.o`).
//!
//! Relocations name their targets by handle ([`Sym`]) or by function type, with offsets
//! relative to the body or segment; the builder numbers everything when it makes the model.
//! Wrong use (two definitions of one name, a relocation against a freed symbol, a relocation
//! that does not fit its target) is a [`BuildError`] naming the symbol.
//!
//! ```
//! use wasm_object::builder::{BodyReloc, Linkage, ObjectBuilder, Target};
//! use wasm_object::model::{FuncType, RelocType, ValType};
//!
//! let mut b = ObjectBuilder::new();
//! let puts = b.undefined_function("puts", FuncType { params: vec![ValType::I32], results: vec![ValType::I32] })?;
//! let text = b.declare_data("text", Linkage::local())?;
//! b.set_data(text, b"hi\0".to_vec(), 0, Vec::new())?;
//! let main = b.declare_function("main", FuncType { params: vec![], results: vec![ValType::I32] }, Linkage::global())?;
//! // i32.const text; call puts; end
//! let mut code = vec![0x00, 0x41, 0x80, 0x80, 0x80, 0x80, 0x00, 0x10, 0x80, 0x80, 0x80, 0x80, 0x00, 0x0b];
//! let relocs = vec![
//!     BodyReloc { ty: RelocType::MemoryAddrSleb, offset: 2, target: Target::Symbol(text), addend: 0 },
//!     BodyReloc { ty: RelocType::FunctionIndexLeb, offset: 8, target: Target::Symbol(puts), addend: 0 },
//! ];
//! b.set_body(main, code, relocs)?;
//! let bytes = wasm_object::writer::write(&b.model()?)?;
//! let obj = wasm_object::object::Object::parse(&bytes, 0)?;
//! assert!(obj.symbols.iter().any(|s| s.name == Some("main") && s.is_defined()));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::ids::{DefinedFunc, DefinedGlobal, DefinedTable, DefinedTag, SegmentIndex};
use crate::model::*;
use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use wasm_format::reloc::RelocTarget;

/// A symbol of an [`ObjectBuilder`]: its slot.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Sym(pub u32);

/// How a symbol is bound and seen.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Linkage {
    /// Global, weak or local binding.
    pub binding: Binding,
    /// Hidden visibility: not exported by `--export-dynamic`.
    pub hidden: bool,
    /// Exported from the linked module (`EXPORTED`).
    pub exported: bool,
    /// Kept by the linker's GC (`NO_STRIP`).
    pub no_strip: bool,
}

/// A symbol's binding.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Binding {
    /// Visible to other objects; one definition only.
    #[default]
    Global,
    /// Visible; another definition may replace it.
    Weak,
    /// Seen only in this object.
    Local,
}

impl Linkage {
    /// Global, default visibility.
    pub fn global() -> Linkage {
        Linkage::default()
    }

    /// Weak, default visibility.
    pub fn weak() -> Linkage {
        Linkage {
            binding: Binding::Weak,
            ..Linkage::default()
        }
    }

    /// Local to the object.
    pub fn local() -> Linkage {
        Linkage {
            binding: Binding::Local,
            ..Linkage::default()
        }
    }

    fn flags(self) -> u32 {
        let binding = match self.binding {
            Binding::Global => 0,
            Binding::Weak => SymbolFlags::BINDING_WEAK,
            Binding::Local => SymbolFlags::BINDING_LOCAL,
        };
        let bit = |on: bool, b: u32| if on { b } else { 0 };
        binding
            | bit(self.hidden, SymbolFlags::VISIBILITY_HIDDEN)
            | bit(self.exported, SymbolFlags::EXPORTED)
            | bit(self.no_strip, SymbolFlags::NO_STRIP)
    }
}

/// What a relocation points at.
#[derive(Clone, Debug, PartialEq)]
pub enum Target {
    /// A symbol of the same builder.
    Symbol(Sym),
    /// A function type (`R_WASM_TYPE_INDEX_LEB`).
    Type(FuncType),
}

/// A relocation of a body or segment, by handle.
#[derive(Clone, Debug, PartialEq)]
pub struct BodyReloc {
    /// The type.
    pub ty: RelocType,
    /// Offset of the patched field from the first byte of the body or segment.
    pub offset: u32,
    /// What it points at.
    pub target: Target,
    /// The addend (addresses and offsets).
    pub addend: i64,
}

/// A data object's contents.
#[derive(Clone, Debug, PartialEq)]
struct DataDef {
    bytes: Vec<u8>,
    p2align: u32,
    relocs: Vec<BodyReloc>,
    flags: SegmentFlags,
    tls: bool,
}

/// What a slot holds.
#[derive(Clone, Debug, PartialEq)]
enum Decl {
    Free,
    Function {
        ty: FuncType,
        body: Option<(Vec<u8>, Vec<BodyReloc>)>,
    },
    Data(Option<DataDef>),
    ImportedFunction {
        ty: FuncType,
        module: String,
        field: String,
    },
    UndefinedData,
    Global {
        ty: GlobalType,
        init: Expr<'static>,
    },
    ImportedGlobal {
        ty: GlobalType,
        module: String,
        field: String,
    },
    Table(TableType),
    Tag(FuncType),
}

/// One symbol slot.
#[derive(Clone, Debug, PartialEq)]
struct Slot {
    name: String,
    linkage: Linkage,
    decl: Decl,
}

/// Wrong use of an [`ObjectBuilder`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BuildError {
    /// A second symbol of this name.
    Duplicate(String),
    /// The handle names a freed or never-declared slot.
    NoSuchSymbol(Sym),
    /// The symbol is not of the kind the call needs.
    WrongKind {
        /// The symbol.
        symbol: String,
        /// What the call needed.
        expected: &'static str,
    },
    /// A declared function without a body, or data without contents.
    Undefined(String),
    /// A relocation of `symbol`'s atom is wrong.
    BadReloc {
        /// The symbol whose body or segment holds it.
        symbol: String,
        /// Its offset.
        offset: u32,
        /// What is wrong.
        problem: String,
    },
    /// The model could not be made.
    Model(ModelError),
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BuildError::Duplicate(n) => write!(f, "duplicate symbol: {n}"),
            BuildError::NoSuchSymbol(s) => {
                write!(f, "symbol slot {} is free or was never declared", s.0)
            }
            BuildError::WrongKind { symbol, expected } => {
                write!(f, "symbol `{symbol}` is not {expected}")
            }
            BuildError::Undefined(n) => write!(f, "`{n}` was declared but never given contents"),
            BuildError::BadReloc {
                symbol,
                offset,
                problem,
            } => write!(f, "`{symbol}`: the relocation at {offset:#x} {problem}"),
            BuildError::Model(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for BuildError {}

/// An object built in memory (see the [module docs](self)).
#[derive(Clone, Debug, Default)]
pub struct ObjectBuilder {
    slots: Vec<Slot>,
    free: Vec<u32>,
    by_name: HashMap<String, u32>,
    init_funcs: Vec<(u32, Sym)>,
    export_names: Vec<(Sym, String)>,
    features: Vec<Feature<'static>>,
}

impl ObjectBuilder {
    /// An empty object.
    pub fn new() -> ObjectBuilder {
        ObjectBuilder::default()
    }

    /// Declares a function of type `ty`; its body comes with [`set_body`](Self::set_body).
    pub fn declare_function(
        &mut self,
        name: &str,
        ty: FuncType,
        linkage: Linkage,
    ) -> Result<Sym, BuildError> {
        self.declare(name, linkage, Decl::Function { ty, body: None })
    }

    /// Sets or replaces function `sym`'s body (locals, instructions, final `end`), with its
    /// relocations.
    pub fn set_body(
        &mut self,
        sym: Sym,
        code: Vec<u8>,
        relocs: Vec<BodyReloc>,
    ) -> Result<(), BuildError> {
        let slot = self.slot_mut(sym)?;
        match &mut slot.decl {
            Decl::Function { body, .. } => *body = Some((code, relocs)),
            _ => return Err(wrong(slot, "a function")),
        }
        Ok(())
    }

    /// Declares a data object; its bytes come with [`set_data`](Self::set_data).
    pub fn declare_data(&mut self, name: &str, linkage: Linkage) -> Result<Sym, BuildError> {
        self.declare(name, linkage, Decl::Data(None))
    }

    /// Sets or replaces data object `sym`'s bytes, alignment (a power of two) and
    /// relocations. All-zero bytes go to `.bss`.
    pub fn set_data(
        &mut self,
        sym: Sym,
        bytes: Vec<u8>,
        p2align: u32,
        relocs: Vec<BodyReloc>,
    ) -> Result<(), BuildError> {
        self.set_segment(sym, bytes, p2align, relocs, SegmentFlags(0), false)
    }

    /// [`set_data`](Self::set_data) with segment flags (`STRINGS`, `RETAIN`) and thread-local
    /// storage.
    pub fn set_segment(
        &mut self,
        sym: Sym,
        bytes: Vec<u8>,
        p2align: u32,
        relocs: Vec<BodyReloc>,
        flags: SegmentFlags,
        tls: bool,
    ) -> Result<(), BuildError> {
        let slot = self.slot_mut(sym)?;
        match &mut slot.decl {
            Decl::Data(def) => {
                *def = Some(DataDef {
                    bytes,
                    p2align,
                    relocs,
                    flags,
                    tls,
                })
            }
            _ => return Err(wrong(slot, "data")),
        }
        Ok(())
    }

    /// An undefined function `name`, imported from `env` under its name if nothing defines it.
    pub fn undefined_function(&mut self, name: &str, ty: FuncType) -> Result<Sym, BuildError> {
        self.import_function(name, "env", name, ty)
    }

    /// An undefined function `name`, imported as `module`.`field` if nothing defines it.
    pub fn import_function(
        &mut self,
        name: &str,
        module: &str,
        field: &str,
        ty: FuncType,
    ) -> Result<Sym, BuildError> {
        let (module, field) = (module.to_string(), field.to_string());
        let decl = Decl::ImportedFunction { ty, module, field };
        self.declare(name, Linkage::global(), decl)
    }

    /// Undefined data `name`, which another object must define.
    pub fn undefined_data(&mut self, name: &str) -> Result<Sym, BuildError> {
        self.declare(name, Linkage::global(), Decl::UndefinedData)
    }

    /// A global with initializer `init`.
    pub fn define_global(
        &mut self,
        name: &str,
        ty: GlobalType,
        init: Expr<'static>,
        linkage: Linkage,
    ) -> Result<Sym, BuildError> {
        self.declare(name, linkage, Decl::Global { ty, init })
    }

    /// An imported global.
    pub fn import_global(
        &mut self,
        name: &str,
        module: &str,
        field: &str,
        ty: GlobalType,
    ) -> Result<Sym, BuildError> {
        let (module, field) = (module.to_string(), field.to_string());
        let decl = Decl::ImportedGlobal { ty, module, field };
        self.declare(name, Linkage::global(), decl)
    }

    /// A table.
    pub fn define_table(
        &mut self,
        name: &str,
        ty: TableType,
        linkage: Linkage,
    ) -> Result<Sym, BuildError> {
        self.declare(name, linkage, Decl::Table(ty))
    }

    /// An exception tag whose parameters are `params`.
    pub fn define_tag(
        &mut self,
        name: &str,
        params: Vec<ValType>,
        linkage: Linkage,
    ) -> Result<Sym, BuildError> {
        let ty = FuncType {
            params,
            results: vec![],
        };
        self.declare(name, linkage, Decl::Tag(ty))
    }

    /// Runs function `sym` at start-up, lower priorities first (a constructor).
    pub fn add_init_function(&mut self, sym: Sym, priority: u32) -> Result<(), BuildError> {
        let slot = self.slot(sym)?;
        if !matches!(slot.decl, Decl::Function { .. }) {
            return Err(wrong(slot, "a function"));
        }
        self.init_funcs.push((priority, sym));
        Ok(())
    }

    /// Exports function `sym` as `name` from the linked module (`export_name`).
    pub fn export(&mut self, sym: Sym, name: &str) -> Result<(), BuildError> {
        let slot = self.slot_mut(sym)?;
        if !matches!(slot.decl, Decl::Function { .. }) {
            return Err(wrong(slot, "a function"));
        }
        slot.linkage.exported = true;
        slot.linkage.no_strip = true;
        slot.linkage.hidden = true;
        self.export_names.retain(|e| e.0 != sym);
        self.export_names.push((sym, name.to_string()));
        Ok(())
    }

    /// The `target_features` to write (`+bulk-memory`...); none by default.
    pub fn set_features(&mut self, features: Vec<Feature<'static>>) {
        self.features = features;
    }

    /// Frees symbol `sym`: its atom is gone and its slot is reused.
    pub fn free(&mut self, sym: Sym) -> Result<(), BuildError> {
        let name = std::mem::take(&mut self.slot_mut(sym)?.name);
        self.by_name.remove(&name);
        self.slots[sym.0 as usize].decl = Decl::Free;
        self.free.push(sym.0);
        self.init_funcs.retain(|i| i.1 != sym);
        self.export_names.retain(|e| e.0 != sym);
        Ok(())
    }

    /// The symbol called `name`, if there is one.
    pub fn symbol(&self, name: &str) -> Option<Sym> {
        self.by_name.get(name).map(|&s| Sym(s))
    }

    /// Symbol `name`, made by `create` the first time it is asked for (like Zig's error-name
    /// table, made on first use).
    pub fn get_or_create(
        &mut self,
        name: &str,
        create: impl FnOnce(&mut Self) -> Result<Sym, BuildError>,
    ) -> Result<Sym, BuildError> {
        match self.symbol(name) {
            Some(sym) => Ok(sym),
            None => create(self),
        }
    }

    fn declare(&mut self, name: &str, linkage: Linkage, decl: Decl) -> Result<Sym, BuildError> {
        if self.by_name.contains_key(name) {
            return Err(BuildError::Duplicate(name.to_string()));
        }
        let slot = Slot {
            name: name.to_string(),
            linkage,
            decl,
        };
        let at = match self.free.pop() {
            Some(at) => {
                self.slots[at as usize] = slot;
                at
            }
            None => {
                self.slots.push(slot);
                (self.slots.len() - 1) as u32
            }
        };
        self.by_name.insert(name.to_string(), at);
        Ok(Sym(at))
    }

    fn slot(&self, sym: Sym) -> Result<&Slot, BuildError> {
        match self.slots.get(sym.0 as usize) {
            Some(s) if s.decl != Decl::Free => Ok(s),
            _ => Err(BuildError::NoSuchSymbol(sym)),
        }
    }

    fn slot_mut(&mut self, sym: Sym) -> Result<&mut Slot, BuildError> {
        match self.slots.get_mut(sym.0 as usize) {
            Some(s) if s.decl != Decl::Free => Ok(s),
            _ => Err(BuildError::NoSuchSymbol(sym)),
        }
    }

    /// The object, as LLVM would write it: `env.__linear_memory` imported, segments laid out
    /// one after the other, provisional values in every relocated field.
    pub fn model(&self) -> Result<ObjectModel<'static>, BuildError> {
        let mut m = ObjectModel::default();
        m.add_import(Import {
            module: Cow::Borrowed("env"),
            field: Cow::Borrowed("__linear_memory"),
            kind: ImportKind::Memory(MemoryType(Limits {
                min: 0,
                max: None,
                shared: false,
                memory64: false,
            })),
        });
        // Symbol indices in slot order, skipping free slots.
        let mut index = vec![None; self.slots.len()];
        let mut next = 0;
        for (k, s) in self.slots.iter().enumerate() {
            if s.decl != Decl::Free {
                index[k] = Some(next);
                next += 1;
            }
        }
        for s in self.slots.iter().filter(|s| s.decl != Decl::Free) {
            let symbol = self.symbol_of(&mut m, s, &index)?;
            m.add_symbol(symbol);
        }
        for &(priority, sym) in &self.init_funcs {
            let symbol = index[sym.0 as usize].ok_or(BuildError::NoSuchSymbol(sym))?;
            m.init_funcs.push(InitFunc { priority, symbol });
        }
        let imported = m.import_count(ExternalKind::Func);
        for (sym, name) in &self.export_names {
            let k = index[sym.0 as usize].ok_or(BuildError::NoSuchSymbol(*sym))?;
            let SymbolKind::Function(Item::Defined(f)) = m.symbols[k as usize].kind else {
                return Err(wrong(&self.slots[sym.0 as usize], "a defined function"));
            };
            m.exports.push(Export {
                name: Cow::Owned(name.clone()),
                kind: ExternalKind::Func,
                index: imported + f.0,
            });
        }
        m.features = self.features.clone();
        m.lay_out_segments();
        m.fill_provisional_values();
        Ok(m)
    }

    /// Adds slot `s`'s item to `m` and gives its symbol.
    fn symbol_of(
        &self,
        m: &mut ObjectModel<'static>,
        s: &Slot,
        index: &[Option<u32>],
    ) -> Result<Symbol<'static>, BuildError> {
        let mut flags = s.linkage.flags();
        let kind = match &s.decl {
            Decl::Free => unreachable!("free slots are skipped"),
            Decl::Function { ty, body } => {
                let (code, relocs) = body
                    .as_ref()
                    .ok_or_else(|| BuildError::Undefined(s.name.clone()))?;
                let relocs = self.relocs(m, s, code.len(), relocs, index)?;
                let type_index = m.type_index(ty.clone());
                m.functions.push(Function {
                    type_index,
                    body: Cow::Owned(code.clone()),
                    relocs,
                });
                SymbolKind::Function(Item::Defined(DefinedFunc(m.functions.len() as u32 - 1)))
            }
            Decl::Data(def) => {
                let def = def
                    .as_ref()
                    .ok_or_else(|| BuildError::Undefined(s.name.clone()))?;
                let relocs = self.relocs(m, s, def.bytes.len(), &def.relocs, index)?;
                let zero = def.bytes.iter().all(|&b| b == 0) && relocs.is_empty();
                let prefix = match (def.tls, zero) {
                    (true, true) => ".tbss",
                    (true, false) => ".tdata",
                    (false, true) => ".bss",
                    (false, false) => ".data",
                };
                let mut seg_flags = def.flags;
                if def.tls {
                    seg_flags.0 |= SegmentFlags::TLS;
                    flags |= SymbolFlags::TLS;
                }
                m.segments.push(DataSegment {
                    name: Cow::Owned(format!("{prefix}.{}", s.name)),
                    p2align: def.p2align,
                    flags: seg_flags,
                    mode: DataMode::Active {
                        memory: 0,
                        offset: Expr::i32_const(0),
                    },
                    data: Cow::Owned(def.bytes.clone()),
                    relocs,
                });
                SymbolKind::Data(Some(DataRef {
                    segment: SegmentIndex(m.segments.len() as u32 - 1),
                    offset: 0,
                    size: def.bytes.len() as u64,
                }))
            }
            Decl::ImportedFunction { ty, module, field } => {
                let type_index = m.type_index(ty.clone());
                let n = m.import_count(ExternalKind::Func);
                m.add_import(Import {
                    module: Cow::Owned(module.clone()),
                    field: Cow::Owned(field.clone()),
                    kind: ImportKind::Func(type_index),
                });
                return Ok(undefined(
                    s,
                    flags,
                    SymbolKind::Function(Item::Imported(n)),
                    field,
                ));
            }
            Decl::UndefinedData => {
                flags |= SymbolFlags::UNDEFINED;
                SymbolKind::Data(None)
            }
            Decl::Global { ty, init } => {
                m.globals.push(Global {
                    ty: *ty,
                    init: init.clone(),
                });
                SymbolKind::Global(Item::Defined(DefinedGlobal(m.globals.len() as u32 - 1)))
            }
            Decl::ImportedGlobal { ty, module, field } => {
                let n = m.import_count(ExternalKind::Global);
                m.add_import(Import {
                    module: Cow::Owned(module.clone()),
                    field: Cow::Owned(field.clone()),
                    kind: ImportKind::Global(*ty),
                });
                return Ok(undefined(
                    s,
                    flags,
                    SymbolKind::Global(Item::Imported(n)),
                    field,
                ));
            }
            Decl::Table(ty) => {
                m.tables.push(Table {
                    ty: *ty,
                    init: None,
                });
                SymbolKind::Table(Item::Defined(DefinedTable(m.tables.len() as u32 - 1)))
            }
            Decl::Tag(ty) => {
                let type_index = m.type_index(ty.clone());
                m.tags.push(TagType {
                    attribute: 0,
                    type_index,
                });
                SymbolKind::Tag(Item::Defined(DefinedTag(m.tags.len() as u32 - 1)))
            }
        };
        Ok(Symbol {
            flags: SymbolFlags(flags),
            name: Some(Cow::Owned(s.name.clone())),
            kind,
        })
    }

    /// `relocs` of slot `s`'s atom (`len` bytes) as model relocations, checked.
    fn relocs(
        &self,
        m: &mut ObjectModel<'static>,
        s: &Slot,
        len: usize,
        relocs: &[BodyReloc],
        index: &[Option<u32>],
    ) -> Result<Vec<Reloc>, BuildError> {
        let bad = |r: &BodyReloc, problem: String| BuildError::BadReloc {
            symbol: s.name.clone(),
            offset: r.offset,
            problem,
        };
        let mut out = Vec::with_capacity(relocs.len());
        for r in relocs {
            if r.offset as usize + r.ty.width().size() > len {
                return Err(bad(r, format!("does not fit in the {len} bytes")));
            }
            let target = r.ty.target();
            let index = match &r.target {
                Target::Type(ty) if target == RelocTarget::Type => m.type_index(ty.clone()),
                Target::Symbol(sym) if target != RelocTarget::Type => {
                    let Some(Some(k)) = index.get(sym.0 as usize) else {
                        let problem = format!("names symbol slot {}, which is free", sym.0);
                        return Err(bad(r, problem));
                    };
                    let decl = &self.slots[sym.0 as usize];
                    if !fits(target, &decl.decl) {
                        let problem = format!("cannot point at `{}` ({:?})", decl.name, r.ty);
                        return Err(bad(r, problem));
                    }
                    *k
                }
                _ => {
                    return Err(bad(
                        r,
                        format!("has the wrong kind of target for {:?}", r.ty),
                    ))
                }
            };
            out.push(Reloc {
                ty: r.ty,
                offset: r.offset,
                index,
                addend: r.addend,
            });
        }
        out.sort_by_key(|r| r.offset);
        Ok(out)
    }
}

/// The symbol of an import: named after its field unless the names differ.
fn undefined(s: &Slot, flags: u32, kind: SymbolKind, field: &str) -> Symbol<'static> {
    let explicit = s.name != field;
    let flags = flags
        | SymbolFlags::UNDEFINED
        | if explicit {
            SymbolFlags::EXPLICIT_NAME
        } else {
            0
        };
    Symbol {
        flags: SymbolFlags(flags),
        name: explicit.then(|| Cow::Owned(s.name.clone())),
        kind,
    }
}

/// Whether a relocation computing `target` may point at `decl`.
fn fits(target: RelocTarget, decl: &Decl) -> bool {
    let function = matches!(decl, Decl::Function { .. } | Decl::ImportedFunction { .. });
    let data = matches!(decl, Decl::Data(_) | Decl::UndefinedData);
    match target {
        RelocTarget::Function | RelocTarget::Table | RelocTarget::FunctionOffset => function,
        RelocTarget::Memory => data,
        RelocTarget::Global => {
            matches!(decl, Decl::Global { .. } | Decl::ImportedGlobal { .. }) || function || data
        }
        RelocTarget::Tag => matches!(decl, Decl::Tag(_)),
        RelocTarget::TableNumber => matches!(decl, Decl::Table(_)),
        RelocTarget::Type | RelocTarget::SectionOffset => false,
    }
}

fn wrong(slot: &Slot, expected: &'static str) -> BuildError {
    BuildError::WrongKind {
        symbol: slot.name.clone(),
        expected,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::object::Object;

    fn void() -> FuncType {
        FuncType {
            params: vec![],
            results: vec![],
        }
    }

    /// `call f; end` with the call relocated.
    fn calls(f: Sym) -> (Vec<u8>, Vec<BodyReloc>) {
        let code = vec![0x00, 0x10, 0x80, 0x80, 0x80, 0x80, 0x00, 0x0b];
        let reloc = BodyReloc {
            ty: RelocType::FunctionIndexLeb,
            offset: 2,
            target: Target::Symbol(f),
            addend: 0,
        };
        (code, vec![reloc])
    }

    /// Writes the model, parses it back and checks it reads as the same model.
    fn round_trip(b: &ObjectBuilder) -> Vec<u8> {
        let model = b.model().expect("a model");
        let bytes = crate::writer::write(&model).expect("written");
        let obj = Object::parse(&bytes, 0).expect("parses");
        assert_eq!(ObjectModel::from_object(&obj).expect("models"), model);
        bytes
    }

    #[test]
    fn functions_data_imports_globals_tables_tags_ctors_exports_round_trip() {
        let mut b = ObjectBuilder::new();
        let ext = b.import_function("ext", "host", "ext_fn", void()).unwrap();
        let g = b
            .import_global(
                "g",
                "env",
                "g",
                GlobalType {
                    val: ValType::I32,
                    mutable: true,
                },
            )
            .unwrap();
        let f = b.declare_function("f", void(), Linkage::weak()).unwrap();
        let (code, relocs) = calls(ext);
        b.set_body(f, code, relocs).unwrap();
        b.add_init_function(f, 100).unwrap();
        b.export(f, "f_export").unwrap();
        let d = b.declare_data("d", Linkage::global()).unwrap();
        let addr = BodyReloc {
            ty: RelocType::MemoryAddrI32,
            offset: 0,
            target: Target::Symbol(d),
            addend: 4,
        };
        b.set_data(d, vec![0, 0, 0, 0, 1, 2, 3, 4], 2, vec![addr])
            .unwrap();
        b.define_global(
            "counter",
            GlobalType {
                val: ValType::I64,
                mutable: true,
            },
            Expr::i64_const(7),
            Linkage::local(),
        )
        .unwrap();
        let limits = Limits {
            min: 1,
            max: None,
            shared: false,
            memory64: false,
        };
        b.define_table(
            "t",
            TableType {
                elem: RefType::FUNCREF,
                limits,
            },
            Linkage::local(),
        )
        .unwrap();
        b.define_tag("oops", vec![ValType::I32], Linkage::global())
            .unwrap();
        let _ = g;
        let bytes = round_trip(&b);
        let obj = Object::parse(&bytes, 0).unwrap();
        assert_eq!(obj.init_funcs.len(), 1);
        assert_eq!(obj.export_names.len(), 1);
        assert!(obj
            .func_imports
            .iter()
            .any(|i| (i.module, i.field) == ("host", "ext_fn")));
        assert_eq!(obj.segments[0].name, ".data.d");
        assert_eq!(
            (obj.globals.len(), obj.tables.len(), obj.tags.len()),
            (1, 1, 1)
        );
    }

    #[test]
    fn bodies_are_replaced_and_freed_slots_reused() {
        let mut b = ObjectBuilder::new();
        let a = b.declare_function("a", void(), Linkage::global()).unwrap();
        b.set_body(a, vec![0x00, 0x0b], vec![]).unwrap();
        let c = b.declare_function("c", void(), Linkage::global()).unwrap();
        let (code, relocs) = calls(a);
        b.set_body(c, code, relocs).unwrap();
        // A longer body, then a shorter one.
        b.set_body(a, vec![0x00, 0x41, 0x01, 0x1a, 0x0b], vec![])
            .unwrap();
        assert_eq!(b.model().unwrap().functions[0].body.len(), 5);
        b.set_body(a, vec![0x00, 0x0b], vec![]).unwrap();
        round_trip(&b);
        b.free(c).unwrap();
        let d = b.declare_data("d", Linkage::local()).unwrap();
        assert_eq!(d, c, "the freed slot is reused");
        b.set_data(d, vec![0; 16], 3, vec![]).unwrap();
        let m = b.model().unwrap();
        assert_eq!((m.functions.len(), m.segments.len()), (1, 1));
        assert_eq!(m.segments[0].name, ".bss.d");
        assert_eq!(b.symbol("c"), None);
        round_trip(&b);
    }

    #[test]
    fn lazy_symbols_are_made_once() {
        let mut b = ObjectBuilder::new();
        let mut made = 0;
        for _ in 0..3 {
            b.get_or_create("error_names", |b| {
                made += 1;
                let s = b.declare_data("error_names", Linkage::local())?;
                b.set_data(s, b"none\0".to_vec(), 0, vec![])?;
                Ok(s)
            })
            .unwrap();
        }
        assert_eq!(made, 1);
        round_trip(&b);
    }

    #[test]
    fn wrong_use_is_an_error_naming_the_symbol() {
        let mut b = ObjectBuilder::new();
        let f = b.declare_function("f", void(), Linkage::global()).unwrap();
        assert_eq!(
            b.declare_data("f", Linkage::global()),
            Err(BuildError::Duplicate("f".into()))
        );
        assert_eq!(
            b.model().unwrap_err().to_string(),
            "`f` was declared but never given contents"
        );
        let g = b.declare_function("g", void(), Linkage::global()).unwrap();
        b.set_body(g, vec![0x00, 0x0b], vec![]).unwrap();
        let (code, relocs) = calls(g);
        b.set_body(f, code, relocs).unwrap();
        b.free(g).unwrap();
        let err = b.model().unwrap_err().to_string();
        assert!(err.contains("`f`") && err.contains("free"), "{err}");
        assert_eq!(
            b.set_body(g, vec![], vec![]),
            Err(BuildError::NoSuchSymbol(g))
        );
        assert_eq!(b.free(g), Err(BuildError::NoSuchSymbol(g)));
        let d = b.declare_data("d", Linkage::local()).unwrap();
        b.set_data(d, vec![0; 4], 2, vec![]).unwrap();
        let (code, relocs) = calls(d);
        b.set_body(f, code, relocs).unwrap();
        let err = b.model().unwrap_err().to_string();
        assert!(err.contains("cannot point at `d`"), "{err}");
        let mut short = calls(f);
        short.0.truncate(4);
        b.set_body(f, short.0, short.1).unwrap();
        let err = b.model().unwrap_err().to_string();
        assert!(err.contains("does not fit"), "{err}");
        assert!(matches!(
            b.set_data(f, vec![], 0, vec![]),
            Err(BuildError::WrongKind { .. })
        ));
    }
}
