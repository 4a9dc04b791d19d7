//! Parsers for the standard sections, one `parse_*` function per section. Each takes the
//! section's [`Window`] (`Section::contents`) and returns owned vectors of small values that
//! borrow names, constant expressions, function bodies and data from the input.
//!
//! Every count is checked against the bytes left before anything is allocated, and every
//! error carries the absolute file offset.

mod code;
mod data;
mod element;
#[cfg(test)]
mod object_tests;
#[cfg(test)]
mod tests;

pub use code::{parse_code_section, FunctionBody};
pub use data::{parse_data_section, DataMode, DataSegment};
pub use element::{parse_element_section, Element, ElementItems, ElementMode};

use crate::error::{ErrorKind, Result};
use crate::parse::{byte, fail, name, var_u32, vec_of, In, PResult, Window};
use crate::types::{const_expr, func_type, global_type, memory_type, table_type, tag_type};
use crate::types::{ConstExpr, FuncType, GlobalType, MemoryType, TableType, TagType};

/// The kind of an import or export, as encoded in the binary format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[allow(missing_docs)]
pub enum ExternalKind {
    Func,
    Table,
    Memory,
    Global,
    Tag,
}

impl ExternalKind {
    /// The kind encoded by `b`, if any.
    pub fn from_u8(b: u8) -> Option<ExternalKind> {
        Some(match b {
            0 => ExternalKind::Func,
            1 => ExternalKind::Table,
            2 => ExternalKind::Memory,
            3 => ExternalKind::Global,
            4 => ExternalKind::Tag,
            _ => return None,
        })
    }
}

/// An import: where it comes from and what it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Import<'a> {
    /// The module name (`env` for most C imports).
    pub module: &'a str,
    /// The field name.
    pub field: &'a str,
    /// What is imported, with its type.
    pub kind: ImportKind,
}

/// What an import is, with its type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportKind {
    /// A function, by type index.
    Func(u32),
    /// A table.
    Table(TableType),
    /// A memory.
    Memory(MemoryType),
    /// A global.
    Global(GlobalType),
    /// A tag.
    Tag(TagType),
}

/// A defined table: its type and, with the function-references encoding, an initializer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Table<'a> {
    /// The table type.
    pub ty: TableType,
    /// The initial value of every element (`0x40 0x00` form), if given.
    pub init: Option<ConstExpr<'a>>,
}

/// A defined global.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Global<'a> {
    /// The global type.
    pub ty: GlobalType,
    /// Its initializer.
    pub init: ConstExpr<'a>,
}

/// An export.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Export<'a> {
    /// The exported name.
    pub name: &'a str,
    /// What kind of entity it exports.
    pub kind: ExternalKind,
    /// The index of the entity in its index space.
    pub index: u32,
}

/// The type section: function types only.
pub fn parse_type_section(w: Window<'_>) -> Result<Vec<FuncType>> {
    w.parse_all("the type section", vec_of("types", 3, func_type))
}

/// The import section.
pub fn parse_import_section(w: Window<'_>) -> Result<Vec<Import<'_>>> {
    w.parse_all("the import section", vec_of("imports", 4, import))
}

pub(crate) fn import(i: In<'_>) -> PResult<'_, Import<'_>> {
    let (rest, module) = name(i)?;
    let (rest, field) = name(rest)?;
    let (rest, kind) = import_kind(rest)?;
    Ok((
        rest,
        Import {
            module,
            field,
            kind,
        },
    ))
}

fn import_kind(i: In<'_>) -> PResult<'_, ImportKind> {
    let (rest, kind) = external_kind(i)?;
    match kind {
        ExternalKind::Func => var_u32(rest).map(|(r, t)| (r, ImportKind::Func(t))),
        ExternalKind::Table => table_type(rest).map(|(r, t)| (r, ImportKind::Table(t))),
        ExternalKind::Memory => memory_type(rest).map(|(r, t)| (r, ImportKind::Memory(t))),
        ExternalKind::Global => global_type(rest).map(|(r, t)| (r, ImportKind::Global(t))),
        ExternalKind::Tag => tag_type(rest).map(|(r, t)| (r, ImportKind::Tag(t))),
    }
}

fn external_kind(i: In<'_>) -> PResult<'_, ExternalKind> {
    let (rest, b) = byte("an external kind")(i)?;
    match ExternalKind::from_u8(b) {
        Some(kind) => Ok((rest, kind)),
        None => fail(
            i,
            ErrorKind::Invalid {
                expected: "an external kind (0 to 4)",
                found: u64::from(b),
            },
        ),
    }
}

/// The function section: the type index of every defined function.
pub fn parse_function_section(w: Window<'_>) -> Result<Vec<u32>> {
    w.parse_all("the function section", vec_of("functions", 1, var_u32))
}

/// The table section, including the `0x40 0x00` form with an initializer expression.
pub fn parse_table_section(w: Window<'_>) -> Result<Vec<Table<'_>>> {
    w.parse_all("the table section", vec_of("tables", 3, table(w)))
}

pub(crate) fn table<'a>(w: Window<'a>) -> impl Fn(In<'a>) -> PResult<'a, Table<'a>> {
    move |i: In<'a>| {
        if !i.starts_with(&[0x40]) {
            return table_type(i).map(|(rest, ty)| (rest, Table { ty, init: None }));
        }
        let (rest, reserved) = byte("a table reserved byte")(&i[1..])?;
        if reserved != 0 {
            let found = u64::from(reserved);
            return fail(
                &i[1..],
                ErrorKind::Invalid {
                    expected: "0x00 after 0x40",
                    found,
                },
            );
        }
        let (rest, ty) = table_type(rest)?;
        let (rest, init) = const_expr(w)(rest)?;
        Ok((
            rest,
            Table {
                ty,
                init: Some(init),
            },
        ))
    }
}

/// The memory section.
pub fn parse_memory_section(w: Window<'_>) -> Result<Vec<MemoryType>> {
    w.parse_all("the memory section", vec_of("memories", 2, memory_type))
}

/// The global section.
pub fn parse_global_section(w: Window<'_>) -> Result<Vec<Global<'_>>> {
    let global = |i| {
        let (rest, ty) = global_type(i)?;
        let (rest, init) = const_expr(w)(rest)?;
        Ok((rest, Global { ty, init }))
    };
    w.parse_all("the global section", vec_of("globals", 3, global))
}

/// The export section.
pub fn parse_export_section(w: Window<'_>) -> Result<Vec<Export<'_>>> {
    w.parse_all("the export section", vec_of("exports", 3, export))
}

fn export(i: In<'_>) -> PResult<'_, Export<'_>> {
    let (rest, name) = name(i)?;
    let (rest, kind) = external_kind(rest)?;
    let (rest, index) = var_u32(rest)?;
    Ok((rest, Export { name, kind, index }))
}

/// The start section: the index of the start function.
pub fn parse_start_section(w: Window<'_>) -> Result<u32> {
    w.parse_all("the start section", var_u32)
}

/// The data count section: the number of data segments.
pub fn parse_data_count_section(w: Window<'_>) -> Result<u32> {
    w.parse_all("the data count section", var_u32)
}

/// The tag section.
pub fn parse_tag_section(w: Window<'_>) -> Result<Vec<TagType>> {
    w.parse_all("the tag section", vec_of("tags", 2, tag_type))
}
