//! The metadata sections of an object: `linking` (symbol table, segment info, init functions,
//! comdats), `reloc.*` and `target_features`, and the checks that make sure what is written
//! parses again: relocations inside their atoms, sorted, apart, LEB ones on padded LEB128s;
//! symbols naming what exists, their `UNDEFINED` flags agreeing with what they name.

use super::{offset32, Out, Placed};
use crate::model::*;
use std::borrow::Cow;
use wasm_encoder::Encode;
use wasm_format::reloc::Reloc;
use wasm_format::sections::ExternalKind;

/// The `linking` subsection ids, written in this order (LLVM's).
const SYMBOL_TABLE: u8 = 8;
const SEGMENT_INFO: u8 = 5;
const INIT_FUNCS: u8 = 6;
const COMDAT_INFO: u8 = 7;

/// Each atom's relocations, sorted by offset and checked.
pub(super) struct Relocs<'m> {
    functions: Vec<Cow<'m, [Reloc]>>,
    segments: Vec<Cow<'m, [Reloc]>>,
    customs: Vec<Cow<'m, [Reloc]>>,
}

/// Sorts and checks the relocations of every atom of `m`.
pub(super) fn checked_relocs<'m>(m: &'m ObjectModel<'_>) -> Result<Relocs<'m>, ModelError> {
    let targets = (m.symbols.len(), m.types.len());
    let functions = (m.functions.iter().enumerate())
        .map(|(n, f)| {
            atom(&f.body, &f.relocs, true, targets, || {
                format!("function {n}")
            })
        })
        .collect::<Result<_, _>>()?;
    let segments = (m.segments.iter())
        .map(|s| {
            atom(&s.data, &s.relocs, false, targets, || {
                format!("segment {}", s.name)
            })
        })
        .collect::<Result<_, _>>()?;
    let customs = (m.customs.iter())
        .map(|c| {
            atom(&c.data, &c.relocs, false, targets, || {
                format!("section {}", c.name)
            })
        })
        .collect::<Result<_, _>>()?;
    Ok(Relocs {
        functions,
        segments,
        customs,
    })
}

/// The relocations of one atom, sorted; each patching bytes of the atom after the previous
/// one's, a padded LEB128 for a LEB type (the only kind code may have), naming a symbol (or a
/// type) that exists, with an addend that fits its field.
fn atom<'m>(
    bytes: &[u8],
    relocs: &'m [Reloc],
    code: bool,
    (symbols, types): (usize, usize),
    name: impl Fn() -> String,
) -> Result<Cow<'m, [Reloc]>, ModelError> {
    let relocs = if relocs.is_sorted_by_key(|r| r.offset) {
        Cow::Borrowed(relocs)
    } else {
        let mut sorted = relocs.to_vec();
        sorted.sort_by_key(|r| r.offset);
        Cow::Owned(sorted)
    };
    let mut end = 0;
    for r in relocs.iter() {
        let bad = |problem| ModelError::BadReloc {
            atom: name(),
            offset: r.offset,
            problem,
        };
        let Some(field) = bytes.get(r.range()) else {
            return Err(bad("patches bytes past the end of its atom"));
        };
        if r.range().start < end {
            return Err(bad("patches bytes the previous relocation patches"));
        }
        end = r.range().end;
        let leb = r.ty.width().is_leb();
        if leb && !is_padded(field) {
            return Err(bad("does not patch a LEB128 padded to its full width"));
        }
        if code && !leb {
            return Err(bad("is not of a LEB type, the only kind code may have"));
        }
        let targets = match r.ty {
            wasm_format::reloc::RelocType::TypeIndexLeb => types,
            _ => symbols,
        };
        if r.index as usize >= targets {
            return Err(bad("names a symbol (or type) the object does not have"));
        }
        if !r.ty.is_64() && i32::try_from(r.addend).is_err() {
            return Err(bad("has an addend that does not fit 32 bits"));
        }
    }
    Ok(relocs)
}

/// Whether `field` is a LEB128 whose every byte but the last has its continuation bit.
fn is_padded(field: &[u8]) -> bool {
    match field.split_last() {
        Some((last, rest)) => last & 0x80 == 0 && rest.iter().all(|b| b & 0x80 != 0),
        None => false,
    }
}

impl Out {
    /// The `linking` section, given the section number of each custom section.
    pub(super) fn linking(
        &mut self,
        m: &ObjectModel<'_>,
        customs: &[u32],
    ) -> Result<(), ModelError> {
        let mut b = vec![wasm_format::linking::LINKING_VERSION as u8];
        if !m.symbols.is_empty() {
            subsection(&mut b, SYMBOL_TABLE, &symbol_table(m, customs)?);
        }
        if !m.segments.is_empty() {
            subsection(&mut b, SEGMENT_INFO, &segment_info(m));
        }
        if !m.init_funcs.is_empty() {
            let mut s = Vec::new();
            uleb(&mut s, m.init_funcs.len() as u64);
            for f in &m.init_funcs {
                uleb(&mut s, u64::from(f.priority));
                uleb(&mut s, u64::from(f.symbol));
            }
            subsection(&mut b, INIT_FUNCS, &s);
        }
        if !m.comdats.is_empty() {
            subsection(&mut b, COMDAT_INFO, &comdat_info(m, customs)?);
        }
        self.custom("linking", &b).map(drop)
    }

    /// `reloc.CODE`, `reloc.DATA`, then one per custom section with relocations.
    pub(super) fn reloc_sections(
        &mut self,
        m: &ObjectModel<'_>,
        relocs: &Relocs<'_>,
        code: Option<Placed>,
        data: Option<Placed>,
        customs: &[u32],
    ) -> Result<(), ModelError> {
        if let Some(p) = code {
            let atoms = p.starts.iter().copied().zip(relocs.functions.iter());
            self.reloc_section("reloc.CODE", p.section, atoms)?;
        }
        if let Some(p) = data {
            let atoms = p.starts.iter().copied().zip(relocs.segments.iter());
            self.reloc_section("reloc.DATA", p.section, atoms)?;
        }
        for ((c, r), &section) in m.customs.iter().zip(&relocs.customs).zip(customs) {
            let name = format!("reloc.{}", c.name);
            self.reloc_section(&name, section, std::iter::once((0, r)))?;
        }
        Ok(())
    }

    /// One `reloc.*` section for section number `target`, whose atoms start at the given
    /// offsets; none when there are no relocations, as LLVM does.
    fn reloc_section<'r>(
        &mut self,
        name: &str,
        target: u32,
        atoms: impl Iterator<Item = (u32, &'r Cow<'r, [Reloc]>)> + Clone,
    ) -> Result<(), ModelError> {
        let count: usize = atoms.clone().map(|(_, r)| r.len()).sum();
        if count == 0 {
            return Ok(());
        }
        let mut b = Vec::with_capacity(4 * count + 10);
        uleb(&mut b, u64::from(target));
        uleb(&mut b, count as u64);
        for (start, relocs) in atoms {
            for r in relocs.iter() {
                b.push(r.ty as u8);
                let offset = u64::from(start) + u64::from(r.offset);
                uleb(&mut b, u64::from(offset32(offset as usize)?));
                uleb(&mut b, u64::from(r.index));
                if r.ty.has_addend() {
                    sleb(&mut b, r.addend);
                }
            }
        }
        self.custom(name, &b).map(drop)
    }
}

/// Appends a `linking` subsection with its size padded to 5 bytes, as LLVM writes it.
fn subsection(out: &mut Vec<u8>, id: u8, payload: &[u8]) {
    out.push(id);
    padded_uleb(out, payload.len() as u64, 5);
    out.extend_from_slice(payload);
}

/// Import counts of the four kinds symbols name, and definition counts.
struct Spaces {
    imports: [u32; 4],
    defined: [usize; 4],
}

const FUNC: usize = 0;
const GLOBAL: usize = 1;
const TAG: usize = 2;
const TABLE: usize = 3;

impl Spaces {
    fn new(m: &ObjectModel<'_>) -> Spaces {
        let kinds = [
            ExternalKind::Func,
            ExternalKind::Global,
            ExternalKind::Tag,
            ExternalKind::Table,
        ];
        Spaces {
            imports: kinds.map(|k| m.import_count(k)),
            defined: [
                m.functions.len(),
                m.globals.len(),
                m.tags.len(),
                m.tables.len(),
            ],
        }
    }

    /// The flat index (imports first) of an item of space `k`, if it exists.
    fn index<D: Copy + Into<u32>>(&self, k: usize, item: Item<D>) -> Option<u32> {
        match item {
            Item::Imported(n) => (n < self.imports[k]).then_some(n),
            Item::Defined(d) => {
                let d: u32 = d.into();
                ((d as usize) < self.defined[k]).then(|| self.imports[k] + d)
            }
        }
    }

    /// The flat index of an item, whether or not it exists (comdat members are not checked
    /// by the parser either).
    fn index_unchecked<D: Copy + Into<u32>>(&self, k: usize, item: Item<D>) -> Option<u32> {
        match item {
            Item::Imported(n) => Some(n),
            Item::Defined(d) => self.imports[k].checked_add(d.into()),
        }
    }
}

fn symbol_table(m: &ObjectModel<'_>, customs: &[u32]) -> Result<Vec<u8>, ModelError> {
    let spaces = Spaces::new(m);
    let mut b = Vec::new();
    uleb(&mut b, m.symbols.len() as u64);
    for (n, s) in m.symbols.iter().enumerate() {
        symbol(&mut b, m, &spaces, customs, n as u32, s)?;
    }
    Ok(b)
}

/// One symbol-table entry: kind, flags, then what the kind needs.
fn symbol(
    b: &mut Vec<u8>,
    m: &ObjectModel<'_>,
    spaces: &Spaces,
    customs: &[u32],
    n: u32,
    s: &Symbol<'_>,
) -> Result<(), ModelError> {
    let dangling = || ModelError::DanglingIndex {
        what: format!("symbol {n}"),
    };
    let (kind, index, imported) = match s.kind {
        SymbolKind::Function(i) => (0, spaces.index(FUNC, i), is_imported(i)),
        SymbolKind::Global(i) => (2, spaces.index(GLOBAL, i), is_imported(i)),
        SymbolKind::Tag(i) => (4, spaces.index(TAG, i), is_imported(i)),
        SymbolKind::Table(i) => (5, spaces.index(TABLE, i), is_imported(i)),
        SymbolKind::Data(def) => return data_symbol(b, m, n, s, def),
        SymbolKind::Section(c) => {
            let section = customs.get(c.idx()).ok_or_else(dangling)?;
            b.push(3);
            uleb(b, u64::from(s.flags.0));
            uleb(b, u64::from(*section));
            return Ok(());
        }
    };
    let undefined = s.flags.is_undefined();
    if undefined != imported {
        return Err(ModelError::UndefinedMismatch(n));
    }
    b.push(kind);
    uleb(b, u64::from(s.flags.0));
    uleb(b, u64::from(index.ok_or_else(dangling)?));
    if !undefined || s.flags.has_explicit_name() {
        s.name
            .as_deref()
            .ok_or(ModelError::MissingName(n))?
            .encode(b);
    }
    Ok(())
}

fn is_imported<D>(i: Item<D>) -> bool {
    matches!(i, Item::Imported(_))
}

/// A data symbol: its name, and for a definition its segment, offset and size (which must lie
/// inside the segment unless the symbol is `ABSOLUTE`).
fn data_symbol(
    b: &mut Vec<u8>,
    m: &ObjectModel<'_>,
    n: u32,
    s: &Symbol<'_>,
    def: Option<DataRef>,
) -> Result<(), ModelError> {
    if s.flags.is_undefined() != def.is_none() {
        return Err(ModelError::UndefinedMismatch(n));
    }
    b.push(1);
    uleb(b, u64::from(s.flags.0));
    s.name
        .as_deref()
        .ok_or(ModelError::MissingName(n))?
        .encode(b);
    let Some(d) = def else {
        return Ok(());
    };
    let inside = m.segments.get(d.segment.idx()).is_some_and(|seg| {
        d.offset
            .checked_add(d.size)
            .is_some_and(|end| end <= seg.data.len() as u64)
    });
    if !inside && !s.flags.is_absolute() {
        return Err(ModelError::DanglingIndex {
            what: format!("symbol {n}"),
        });
    }
    uleb(b, u64::from(d.segment.0));
    uleb(b, d.offset);
    uleb(b, d.size);
    Ok(())
}

fn segment_info(m: &ObjectModel<'_>) -> Vec<u8> {
    let mut b = Vec::new();
    uleb(&mut b, m.segments.len() as u64);
    for s in &m.segments {
        s.name.encode(&mut b);
        uleb(&mut b, u64::from(s.p2align));
        uleb(&mut b, u64::from(s.flags.0));
    }
    b
}

fn comdat_info(m: &ObjectModel<'_>, customs: &[u32]) -> Result<Vec<u8>, ModelError> {
    let spaces = Spaces::new(m);
    let mut b = Vec::new();
    uleb(&mut b, m.comdats.len() as u64);
    for c in &m.comdats {
        c.name.encode(&mut b);
        uleb(&mut b, u64::from(c.flags));
        uleb(&mut b, c.members.len() as u64);
        for member in &c.members {
            let (kind, index) = match *member {
                ComdatMember::Data(s) => (0, Some(s.0)),
                ComdatMember::Function(i) => (1, spaces.index_unchecked(FUNC, i)),
                ComdatMember::Global(i) => (2, spaces.index_unchecked(GLOBAL, i)),
                ComdatMember::Tag(i) => (3, spaces.index_unchecked(TAG, i)),
                ComdatMember::Table(i) => (4, spaces.index_unchecked(TABLE, i)),
                ComdatMember::Section(s) => (5, customs.get(s.idx()).copied()),
            };
            let index = index.ok_or_else(|| ModelError::DanglingIndex {
                what: format!("comdat {}", c.name),
            })?;
            uleb(&mut b, kind);
            uleb(&mut b, u64::from(index));
        }
    }
    Ok(b)
}

/// The contents of a `target_features` section.
pub(super) fn target_features(features: &[Feature<'_>]) -> Vec<u8> {
    let mut b = Vec::new();
    uleb(&mut b, features.len() as u64);
    for f in features {
        b.push(f.prefix.as_char() as u8);
        f.name.encode(&mut b);
    }
    b
}
