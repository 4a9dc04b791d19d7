//! The model of a parsed [`Object`]: the same entities, with relocations moved from their
//! sections onto the atoms they patch and section numbers turned into [`CustomIndex`]es.
//! Everything borrows the object's bytes, so this costs one pass and the relocation vectors.

use super::*;
use crate::object::{self, ObjImport, Object};
use wasm_format::linking::{ComdatKind, SymbolInfo, SymbolKind as K};
use wasm_format::sections::{self as fmt_sections, Element};

impl<'a> ObjectModel<'a> {
    /// The model of `obj`, borrowing its bytes. Fails when a symbol or comdat names a section
    /// that is not a custom section, when the object imports two memories, or when its element
    /// or start section does not parse (the linker never reads those two).
    pub fn from_object(obj: &Object<'a>) -> Result<ObjectModel<'a>, ModelError> {
        let sections: Vec<u32> = obj.customs.iter().map(|c| c.section_index).collect();
        Ok(ObjectModel {
            types: obj.types.clone(),
            imports: imports(obj)?,
            functions: obj.functions.iter().map(|f| function(obj, f)).collect(),
            tables: tables(obj),
            memories: obj.memories.clone(),
            tags: obj.tags.clone(),
            globals: obj.globals.iter().map(global).collect(),
            exports: obj.exports.iter().map(export).collect(),
            start: obj.start()?,
            elements: obj.elements()?.iter().map(element).collect(),
            segments: obj.segments.iter().map(|s| segment(obj, s)).collect(),
            customs: obj.customs.iter().map(custom).collect(),
            symbols: symbols(obj, &sections)?,
            init_funcs: obj.init_funcs.clone(),
            comdats: comdats(obj, &sections)?,
            name_section: obj.name_section.map(|w| Cow::Borrowed(w.bytes)),
            producers: obj.producers.as_ref().map(producers),
            features: obj.features.iter().map(feature).collect(),
        })
    }
}

/// The imports in file order, rebuilt from the per-kind lists and `import_kinds`.
fn imports<'a>(obj: &Object<'a>) -> Result<Vec<Import<'a>>, ModelError> {
    let mut next = [0usize; 4];
    let mut memories = 0;
    let mut out = Vec::with_capacity(obj.import_kinds.len());
    for kind in &obj.import_kinds {
        let import = match kind {
            ExternalKind::Func => take(&obj.func_imports, &mut next[0], ImportKind::Func),
            ExternalKind::Global => take(&obj.global_imports, &mut next[1], ImportKind::Global),
            ExternalKind::Table => take(&obj.table_imports, &mut next[2], ImportKind::Table),
            ExternalKind::Tag => take(&obj.tag_imports, &mut next[3], ImportKind::Tag),
            ExternalKind::Memory => {
                memories += 1;
                if memories > 1 {
                    return Err(ModelError::SecondMemoryImport);
                }
                obj.memory_import
                    .as_ref()
                    .map(|i| import(i, ImportKind::Memory))
            }
        };
        out.extend(import);
    }
    Ok(out)
}

/// The next import of one kind's list.
fn take<'a, T: Copy>(
    list: &[ObjImport<'a, T>],
    next: &mut usize,
    kind: fn(T) -> ImportKind,
) -> Option<Import<'a>> {
    let i = list.get(*next)?;
    *next += 1;
    Some(import(i, kind))
}

fn import<'a, T: Copy>(i: &ObjImport<'a, T>, kind: fn(T) -> ImportKind) -> Import<'a> {
    Import::new(i.module, i.field, kind(i.ty))
}

/// A body without its size prefix, with its relocations counted from its first byte.
fn function<'a>(obj: &Object<'a>, f: &object::Function<'a>) -> Function<'a> {
    let bytes = f.body.bytes;
    let prefix = usize::from(f.prefix);
    let start = (f.body.offset + prefix).saturating_sub(obj.code_offset);
    let relocs = obj.code_relocs_of(f);
    Function {
        type_index: f.type_index,
        body: Cow::Borrowed(bytes.get(prefix..).unwrap_or_default()),
        relocs: rebase(relocs, start),
    }
}

/// Relocations of a section, counted from `start` of it instead.
fn rebase(relocs: &[Reloc], start: usize) -> Vec<Reloc> {
    let start = u32::try_from(start).unwrap_or(u32::MAX);
    relocs
        .iter()
        .map(|r| Reloc {
            offset: r.offset.saturating_sub(start),
            ..*r
        })
        .collect()
}

fn tables<'a>(obj: &Object<'a>) -> Vec<Table<'a>> {
    let init = |n: usize| obj.table_inits.get(n).copied().flatten();
    let expr = |e: wasm_format::types::ConstExpr<'a>| Expr(Cow::Borrowed(e.bytes()));
    (obj.tables.iter().enumerate())
        .map(|(n, &ty)| Table {
            ty,
            init: init(n).map(expr),
        })
        .collect()
}

fn global<'a>(g: &object::Global<'a>) -> Global<'a> {
    Global {
        ty: g.ty,
        init: Expr(Cow::Borrowed(g.init.bytes)),
    }
}

fn export<'a>(e: &fmt_sections::Export<'a>) -> Export<'a> {
    Export {
        name: Cow::Borrowed(e.name),
        kind: e.kind,
        index: e.index,
    }
}

fn element<'a>(e: &Element<'a>) -> ElementSegment<'a> {
    let expr = |e: &wasm_format::types::ConstExpr<'a>| Expr(Cow::Borrowed(e.bytes()));
    ElementSegment {
        mode: match &e.mode {
            fmt_sections::ElementMode::Passive => ElementMode::Passive,
            fmt_sections::ElementMode::Declared => ElementMode::Declared,
            fmt_sections::ElementMode::Active { table, offset } => ElementMode::Active {
                table: *table,
                offset: expr(offset),
            },
        },
        ty: e.ty,
        items: match &e.items {
            fmt_sections::ElementItems::Functions(f) => ElementItems::Functions(f.clone()),
            fmt_sections::ElementItems::Exprs(x) => {
                ElementItems::Exprs(x.iter().map(expr).collect())
            }
        },
    }
}

fn segment<'a>(obj: &Object<'a>, s: &object::Segment<'a>) -> DataSegment<'a> {
    let start = s.data.offset.saturating_sub(obj.data_offset);
    let relocs = obj.data_relocs_of(s);
    DataSegment {
        name: Cow::Borrowed(s.name),
        p2align: s.p2align,
        flags: s.flags,
        mode: match s.mode {
            fmt_sections::DataMode::Passive => DataMode::Passive,
            fmt_sections::DataMode::Active { memory, offset } => DataMode::Active {
                memory,
                offset: Expr(Cow::Borrowed(offset.bytes())),
            },
        },
        data: Cow::Borrowed(s.data.bytes),
        relocs: rebase(relocs, start),
    }
}

fn custom<'a>(c: &object::CustomSection<'a>) -> CustomSection<'a> {
    CustomSection {
        name: Cow::Borrowed(c.name),
        data: Cow::Borrowed(c.contents.bytes),
        relocs: c.relocs.iter().collect(),
    }
}

/// The custom section that section number `section` is.
fn custom_index(sections: &[u32], section: u32) -> Result<CustomIndex, ModelError> {
    match sections.iter().position(|&s| s == section) {
        Some(k) => Ok(CustomIndex(k as u32)),
        None => Err(ModelError::NotACustomSection(section)),
    }
}

/// `index` of an index space with `imports` imports first.
fn item<D>(index: u32, imports: usize, defined: fn(u32) -> D) -> Item<D> {
    match index.checked_sub(imports as u32) {
        Some(d) => Item::Defined(defined(d)),
        None => Item::Imported(index),
    }
}

fn symbols<'a>(obj: &Object<'a>, sections: &[u32]) -> Result<Vec<Symbol<'a>>, ModelError> {
    obj.symbols
        .iter()
        .map(|s| symbol(obj, s, sections))
        .collect()
}

fn symbol<'a>(
    obj: &Object<'a>,
    s: &SymbolInfo<'a>,
    sections: &[u32],
) -> Result<Symbol<'a>, ModelError> {
    let kind = match s.kind {
        K::Function { index } => {
            SymbolKind::Function(item(index, obj.func_imports.len(), DefinedFunc))
        }
        K::Data { def } => SymbolKind::Data(def.map(|d| DataRef {
            segment: SegmentIndex(d.segment),
            offset: d.offset,
            size: d.size,
        })),
        K::Global { index } => {
            SymbolKind::Global(item(index, obj.global_imports.len(), DefinedGlobal))
        }
        K::Section { section } => SymbolKind::Section(custom_index(sections, section)?),
        K::Tag { index } => SymbolKind::Tag(item(index, obj.tag_imports.len(), DefinedTag)),
        K::Table { index } => SymbolKind::Table(item(index, obj.table_imports.len(), DefinedTable)),
    };
    Ok(Symbol {
        flags: s.flags,
        name: s.name.map(Cow::Borrowed),
        kind,
    })
}

fn comdats<'a>(obj: &Object<'a>, sections: &[u32]) -> Result<Vec<Comdat<'a>>, ModelError> {
    let member = |m: &wasm_format::linking::ComdatMember| {
        let i = m.index;
        Ok::<_, ModelError>(match m.kind {
            ComdatKind::Data => ComdatMember::Data(SegmentIndex(i)),
            ComdatKind::Function => {
                ComdatMember::Function(item(i, obj.func_imports.len(), DefinedFunc))
            }
            ComdatKind::Global => {
                ComdatMember::Global(item(i, obj.global_imports.len(), DefinedGlobal))
            }
            ComdatKind::Tag => ComdatMember::Tag(item(i, obj.tag_imports.len(), DefinedTag)),
            ComdatKind::Table => {
                ComdatMember::Table(item(i, obj.table_imports.len(), DefinedTable))
            }
            ComdatKind::Section => ComdatMember::Section(custom_index(sections, i)?),
        })
    };
    (obj.comdats.iter())
        .map(|c| {
            Ok(Comdat {
                name: Cow::Borrowed(c.name),
                flags: c.flags,
                members: (obj.comdat_members_of(c).iter())
                    .map(member)
                    .collect::<Result<_, _>>()?,
            })
        })
        .collect()
}

fn producers<'a>(p: &wasm_format::features::Producers<'a>) -> Vec<ProducerField<'a>> {
    (p.fields.iter())
        .map(|f| ProducerField {
            name: Cow::Borrowed(f.name),
            values: (f.values.iter())
                .map(|v| (Cow::Borrowed(v.name), Cow::Borrowed(v.version)))
                .collect(),
        })
        .collect()
}

fn feature<'a>(f: &wasm_format::features::Feature<'a>) -> Feature<'a> {
    Feature {
        prefix: f.prefix,
        name: Cow::Borrowed(f.name),
    }
}
