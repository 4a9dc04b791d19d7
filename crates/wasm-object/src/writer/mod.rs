//! Writes an [`ObjectModel`] as a relocatable object, laid out as LLVM 19's object writer
//! (`WasmObjectWriter`) lays out what `clang -c` writes:
//!
//! - sections in the order type, import, function, table, memory, tag, global, export, start,
//!   elem, datacount (whenever there are data segments), code, data, the custom sections in
//!   model order, `linking`, `reloc.CODE`, `reloc.DATA`, `reloc.<custom>` in custom-section
//!   order, `name`, `producers`, `target_features`;
//! - every section size, and every `linking` subsection size, as a LEB128 padded to 5 bytes
//!   (LLVM reserves the room before it knows the size); everything else minimal;
//! - `linking` version 2 with its subsections in LLVM's order: symbol table, segment info,
//!   init functions, comdat info, each only when it has entries.
//!
//! Bodies, segments and custom sections are copied as they are: every relocated field must
//! already be a padded LEB128 or a fixed-width integer (this is checked, as the parser checks
//! it), and its contents are not changed. Relocations are written sorted by offset.
//!
//! The standard sections come from `wasm-encoder`, re-framed with a padded size; the data,
//! `linking`, `reloc.*` and `target_features` sections are written here: `wasm-encoder` does
//! not say where each segment's bytes land (relocation offsets count from there), its
//! `LinkingSection` has no segment info, init functions, comdats, tag or section symbols nor
//! 64-bit data offsets and does not pad subsection sizes, and it has no relocation or
//! `target_features` builder.
//!
//! What is in the relocated fields is written as the model holds it: LLVM's provisional
//! values for a model read from a file, whatever a producer left otherwise
//! ([`ObjectModel::fill_provisional_values`] computes LLVM's).
//!
//! # Example: an object read and written back, byte for byte
//!
//! ```
//! use wasm_object::model::ObjectModel;
//! use wasm_object::object::Object;
//!
//! let bytes = std::fs::read("/usr/lib/wasm32-wasi/crt1-command.o").expect("wasi-libc");
//! let model = ObjectModel::from_object(&Object::parse(&bytes, 0)?)?;
//! assert_eq!(wasm_object::writer::write(&model)?, bytes);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod linking;
#[cfg(test)]
mod tests;

use crate::model::*;
use std::borrow::Cow;
use wasm_encoder::{self as enc, Encode};
use wasm_format::types::{HeapType, Limits};
use wasm_format::SectionId;

/// The object file bytes of `m`.
pub fn write(m: &ObjectModel<'_>) -> Result<Vec<u8>, ModelError> {
    let relocs = linking::checked_relocs(m)?;
    let mut out = Out::default();
    out.standard_sections(m)?;
    let code = out.code(m)?;
    let data = out.data(m)?;
    let customs = (m.customs.iter())
        .map(|c| out.custom(&c.name, &c.data))
        .collect::<Result<Vec<u32>, _>>()?;
    out.linking(m, &customs)?;
    out.reloc_sections(m, &relocs, code, data, &customs)?;
    if let Some(names) = &m.name_section {
        out.custom("name", names)?;
    }
    if let Some(fields) = &m.producers {
        out.encoded(SectionId::Custom, &producers(fields))?;
    }
    if !m.features.is_empty() {
        out.custom("target_features", &linking::target_features(&m.features))?;
    }
    Ok(out.bytes)
}

/// Where the atoms of the code or data section landed: the section's number and each atom's
/// first byte, counted from the start of the section's contents.
pub(crate) struct Placed {
    section: u32,
    starts: Vec<u32>,
}

/// The file being written, and how many sections it has so far.
#[derive(Default)]
struct Out {
    bytes: Vec<u8>,
    sections: u32,
}

impl Out {
    /// Appends a section with id `id` and `contents`; gives its number.
    fn section(&mut self, id: SectionId, contents: &[&[u8]]) -> Result<u32, ModelError> {
        if self.bytes.is_empty() {
            self.bytes.extend_from_slice(&wasm_format::module::MAGIC);
            self.bytes.extend_from_slice(&1u32.to_le_bytes());
        }
        let size: usize = contents.iter().map(|c| c.len()).sum();
        let size = u32::try_from(size).map_err(|_| ModelError::TooLarge("a section size"))?;
        self.bytes.push(id as u8);
        padded_uleb(&mut self.bytes, u64::from(size), 5);
        for c in contents {
            self.bytes.extend_from_slice(c);
        }
        self.sections += 1;
        Ok(self.sections - 1)
    }

    /// Appends a custom section; gives its number.
    fn custom(&mut self, name: &str, data: &[u8]) -> Result<u32, ModelError> {
        let mut head = Vec::with_capacity(name.len() + 5);
        name.encode(&mut head);
        self.section(SectionId::Custom, &[&head, data])
    }

    /// Appends a section `wasm-encoder` built, replacing its minimal size with a padded one.
    fn encoded(&mut self, id: SectionId, section: &impl Encode) -> Result<u32, ModelError> {
        let mut bytes = Vec::new();
        section.encode(&mut bytes);
        let size_len = bytes
            .iter()
            .position(|b| b & 0x80 == 0)
            .map_or(0, |p| p + 1);
        self.section(id, &[&bytes[size_len..]])
    }

    /// The sections before the code section, each only when it has entries.
    fn standard_sections(&mut self, m: &ObjectModel<'_>) -> Result<(), ModelError> {
        if !m.types.is_empty() {
            self.encoded(SectionId::Type, &types(m))?;
        }
        if !m.imports.is_empty() {
            self.encoded(SectionId::Import, &imports(m))?;
        }
        if !m.functions.is_empty() {
            let mut s = enc::FunctionSection::new();
            for f in &m.functions {
                s.function(f.type_index);
            }
            self.encoded(SectionId::Function, &s)?;
        }
        if !m.tables.is_empty() {
            self.encoded(SectionId::Table, &tables(m))?;
        }
        if !m.memories.is_empty() {
            let mut s = enc::MemorySection::new();
            for t in &m.memories {
                s.memory(memory_type(t.0));
            }
            self.encoded(SectionId::Memory, &s)?;
        }
        if !m.tags.is_empty() {
            let mut s = enc::TagSection::new();
            for t in &m.tags {
                s.tag(tag_type(t.type_index));
            }
            self.encoded(SectionId::Tag, &s)?;
        }
        self.late_standard_sections(m)
    }

    /// Globals to the data count.
    fn late_standard_sections(&mut self, m: &ObjectModel<'_>) -> Result<(), ModelError> {
        if !m.globals.is_empty() {
            let mut s = enc::GlobalSection::new();
            for g in &m.globals {
                s.global(global_type(g.ty), &const_expr(&g.init));
            }
            self.encoded(SectionId::Global, &s)?;
        }
        if !m.exports.is_empty() {
            let mut s = enc::ExportSection::new();
            for e in &m.exports {
                s.export(&e.name, export_kind(e.kind), e.index);
            }
            self.encoded(SectionId::Export, &s)?;
        }
        if let Some(function_index) = m.start {
            self.encoded(SectionId::Start, &enc::StartSection { function_index })?;
        }
        if !m.elements.is_empty() {
            self.encoded(SectionId::Element, &elements(m))?;
        }
        if !m.segments.is_empty() {
            let count = u32::try_from(m.segments.len())
                .map_err(|_| ModelError::TooLarge("the segment count"))?;
            self.encoded(SectionId::DataCount, &enc::DataCountSection { count })?;
        }
        Ok(())
    }

    /// The code section, if there are functions: each body after its minimal size.
    fn code(&mut self, m: &ObjectModel<'_>) -> Result<Option<Placed>, ModelError> {
        if m.functions.is_empty() {
            return Ok(None);
        }
        let mut s = enc::CodeSection::new();
        let mut starts = Vec::with_capacity(m.functions.len());
        let count_len = uleb_len(m.functions.len() as u64);
        for f in &m.functions {
            let start = count_len + s.byte_len() + uleb_len(f.body.len() as u64);
            starts.push(offset32(start)?);
            s.raw(&f.body);
        }
        let section = self.encoded(SectionId::Code, &s)?;
        Ok(Some(Placed { section, starts }))
    }

    /// The data section, if there are segments, as LLVM writes it: flags 0 for memory 0,
    /// 2 with the memory index otherwise, 1 for passive.
    fn data(&mut self, m: &ObjectModel<'_>) -> Result<Option<Placed>, ModelError> {
        if m.segments.is_empty() {
            return Ok(None);
        }
        let mut b = Vec::new();
        let mut starts = Vec::with_capacity(m.segments.len());
        uleb(&mut b, m.segments.len() as u64);
        for s in &m.segments {
            match &s.mode {
                DataMode::Passive => b.push(1),
                DataMode::Active { memory: 0, offset } => {
                    b.push(0);
                    b.extend_from_slice(&offset.0);
                }
                DataMode::Active { memory, offset } => {
                    b.push(2);
                    uleb(&mut b, u64::from(*memory));
                    b.extend_from_slice(&offset.0);
                }
            }
            uleb(&mut b, s.data.len() as u64);
            starts.push(offset32(b.len())?);
            b.extend_from_slice(&s.data);
        }
        let section = self.section(SectionId::Data, &[&b])?;
        Ok(Some(Placed { section, starts }))
    }
}

/// A section offset as the `u32` relocations hold.
fn offset32(v: usize) -> Result<u32, ModelError> {
    u32::try_from(v).map_err(|_| ModelError::TooLarge("a section offset"))
}

/// The length of `v` as a minimal unsigned LEB128.
fn uleb_len(v: u64) -> usize {
    (64 - v.leading_zeros() as usize).max(1).div_ceil(7)
}

fn types(m: &ObjectModel<'_>) -> enc::TypeSection {
    let mut s = enc::TypeSection::new();
    for t in &m.types {
        let params: Vec<_> = t.params.iter().map(|&v| val_type(v)).collect();
        let results: Vec<_> = t.results.iter().map(|&v| val_type(v)).collect();
        s.ty().function(params, results);
    }
    s
}

fn imports(m: &ObjectModel<'_>) -> enc::ImportSection {
    let mut s = enc::ImportSection::new();
    for i in &m.imports {
        let ty = match i.kind {
            ImportKind::Func(t) => enc::EntityType::Function(t),
            ImportKind::Table(t) => enc::EntityType::Table(table_type(t)),
            ImportKind::Memory(t) => enc::EntityType::Memory(memory_type(t.0)),
            ImportKind::Global(t) => enc::EntityType::Global(global_type(t)),
            ImportKind::Tag(t) => enc::EntityType::Tag(tag_type(t.type_index)),
        };
        s.import(&i.module, &i.field, ty);
    }
    s
}

fn tables(m: &ObjectModel<'_>) -> enc::TableSection {
    let mut s = enc::TableSection::new();
    for t in &m.tables {
        match &t.init {
            Some(init) => s.table_with_init(table_type(t.ty), &const_expr(init)),
            None => s.table(table_type(t.ty)),
        };
    }
    s
}

/// The element section; the short encodings (flags 0 and 4) for table 0 with `funcref`, as
/// LLVM writes its one segment of address-taken functions.
fn elements(m: &ObjectModel<'_>) -> enc::ElementSection {
    let mut s = enc::ElementSection::new();
    for e in &m.elements {
        let exprs: Vec<enc::ConstExpr>;
        let elements = match &e.items {
            ElementItems::Functions(f) => enc::Elements::Functions(Cow::Borrowed(f)),
            ElementItems::Exprs(x) => {
                exprs = x.iter().map(const_expr).collect();
                enc::Elements::Expressions(ref_type(e.ty), Cow::Borrowed(&exprs))
            }
        };
        let offset;
        let mode = match &e.mode {
            ElementMode::Passive => enc::ElementMode::Passive,
            ElementMode::Declared => enc::ElementMode::Declared,
            ElementMode::Active { table, offset: o } => {
                offset = const_expr(o);
                let short = *table == 0 && e.ty == wasm_format::types::RefType::FUNCREF;
                enc::ElementMode::Active {
                    table: (!short).then_some(*table),
                    offset: &offset,
                }
            }
        };
        s.segment(enc::ElementSegment { mode, elements });
    }
    s
}

fn producers(fields: &[ProducerField<'_>]) -> enc::ProducersSection {
    let mut s = enc::ProducersSection::new();
    for f in fields {
        let mut values = enc::ProducersField::new();
        for (name, version) in &f.values {
            values.value(name, version);
        }
        s.field(&f.name, &values);
    }
    s
}

fn const_expr(e: &Expr<'_>) -> enc::ConstExpr {
    enc::ConstExpr::raw(e.without_end().iter().copied())
}

fn export_kind(k: ExternalKind) -> enc::ExportKind {
    match k {
        ExternalKind::Func => enc::ExportKind::Func,
        ExternalKind::Table => enc::ExportKind::Table,
        ExternalKind::Memory => enc::ExportKind::Memory,
        ExternalKind::Global => enc::ExportKind::Global,
        ExternalKind::Tag => enc::ExportKind::Tag,
    }
}

fn memory_type(l: Limits) -> enc::MemoryType {
    enc::MemoryType {
        minimum: l.min,
        maximum: l.max,
        memory64: l.memory64,
        shared: l.shared,
        page_size_log2: None,
    }
}

fn table_type(t: TableType) -> enc::TableType {
    enc::TableType {
        element_type: ref_type(t.elem),
        table64: t.limits.memory64,
        minimum: t.limits.min,
        maximum: t.limits.max,
        shared: t.limits.shared,
    }
}

fn global_type(g: GlobalType) -> enc::GlobalType {
    enc::GlobalType {
        val_type: val_type(g.val),
        mutable: g.mutable,
        shared: false,
    }
}

fn tag_type(func_type_idx: u32) -> enc::TagType {
    enc::TagType {
        kind: enc::TagKind::Exception,
        func_type_idx,
    }
}

/// A value type as wasm-encoder spells it (the linker writes modules with it too).
pub fn val_type(v: ValType) -> enc::ValType {
    match v {
        ValType::I32 => enc::ValType::I32,
        ValType::I64 => enc::ValType::I64,
        ValType::F32 => enc::ValType::F32,
        ValType::F64 => enc::ValType::F64,
        ValType::V128 => enc::ValType::V128,
        ValType::Ref(r) => enc::ValType::Ref(ref_type(r)),
    }
}

/// A reference type as wasm-encoder spells it.
pub fn ref_type(r: RefType) -> enc::RefType {
    use enc::AbstractHeapType as A;
    let ty = match r.heap {
        HeapType::Concrete(i) => {
            return enc::RefType {
                nullable: r.nullable,
                heap_type: enc::HeapType::Concrete(i),
            }
        }
        HeapType::Func => A::Func,
        HeapType::Extern => A::Extern,
        HeapType::Any => A::Any,
        HeapType::None => A::None,
        HeapType::NoExtern => A::NoExtern,
        HeapType::NoFunc => A::NoFunc,
        HeapType::Eq => A::Eq,
        HeapType::Struct => A::Struct,
        HeapType::Array => A::Array,
        HeapType::I31 => A::I31,
        HeapType::Exn => A::Exn,
        HeapType::NoExn => A::NoExn,
        HeapType::Cont => A::Cont,
        HeapType::NoCont => A::NoCont,
    };
    enc::RefType {
        nullable: r.nullable,
        heap_type: enc::HeapType::Abstract { shared: false, ty },
    }
}

/// Appends the encoding of a value type (local declarations of a body).
pub(crate) fn val_type_bytes(out: &mut Vec<u8>, v: ValType) {
    val_type(v).encode(out);
}
