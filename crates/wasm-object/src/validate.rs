//! Cross-references inside one object, checked once while parsing so that the linker can index
//! freely: sections come in LLVM's order, every type, function, global, table, tag, segment
//! and symbol index points at something, no two global symbols share a name, every relocation
//! names a symbol of the kind its type needs and patches bytes inside its atom, in offset
//! order and clear of the relocation before it.
//!
//! LLVM's object reader (and so wasm-ld) refuses most of the same things; where it does, the
//! error is in its words ([`ErrorKind::Llvm`]), with the offset and our detail after it.
//! Parsed entries keep no offsets: an error finds its entry's offset again (cold).

use crate::object::Object;
use std::ops::Range;
use wasm_format::features::{Feature, Producers};
use wasm_format::linking::{entry_offset, ComdatKind, LinkingEntry, SymbolInfo, SymbolKind};
use wasm_format::reloc::{LazyRelocs, Reloc, RelocTarget, RelocType};
use wasm_format::{Error, ErrorKind, Section, SectionId, Window};

/// LLVM's section order (`WasmSectionOrderChecker`): standard sections in their order, then
/// `linking`, `name`, `producers` and `target_features`, each at most once; `reloc.*` sections
/// anywhere after the data section but not before `linking`. Other custom sections go anywhere.
#[derive(Default)]
pub(crate) struct SectionOrder {
    /// The highest rank seen so far.
    last: Option<u8>,
    /// Whether a `reloc.*` section was seen (nothing up to `linking` may follow it).
    reloc: bool,
}

/// Rank of `linking`, the last one a `reloc.*` section may not precede.
const LINKING_RANK: u8 = 14;

impl SectionOrder {
    /// Checks that `s` may come next: wasm-ld's `out of order section type: N` otherwise.
    pub(crate) fn check(&mut self, s: &Section<'_>) -> Result<(), Error> {
        let Some(rank) = rank(s) else {
            return Ok(());
        };
        let bad = match rank {
            Rank::Reloc => false,
            Rank::Ordered(r) => {
                self.last.is_some_and(|l| l >= r) || (self.reloc && r <= LINKING_RANK)
            }
        };
        if bad {
            let message = format!("out of order section type: {}", s.id as u8);
            return Err(Error::llvm(s.header_offset, message, None));
        }
        match rank {
            Rank::Reloc => self.reloc = true,
            Rank::Ordered(r) => self.last = Some(r),
        }
        Ok(())
    }
}

enum Rank {
    Ordered(u8),
    Reloc,
}

/// Where `s` sits in LLVM's order; `None` for sections that may go anywhere.
fn rank(s: &Section<'_>) -> Option<Rank> {
    use SectionId::*;
    let r = match s.id {
        Custom => {
            return match s.custom_name.unwrap_or("") {
                "dylink" | "dylink.0" => Some(Rank::Ordered(0)),
                "linking" => Some(Rank::Ordered(LINKING_RANK)),
                n if n.starts_with("reloc.") => Some(Rank::Reloc),
                "name" => Some(Rank::Ordered(15)),
                "producers" => Some(Rank::Ordered(16)),
                "target_features" => Some(Rank::Ordered(17)),
                _ => None,
            }
        }
        Type => 1,
        Import => 2,
        Function => 3,
        Table => 4,
        Memory => 5,
        Tag => 6,
        Global => 7,
        Export => 8,
        Start => 9,
        Element => 10,
        DataCount => 11,
        Code => 12,
        Data => 13,
    };
    Some(Rank::Ordered(r))
}

/// Every type index of an import, function or tag section `w` names a type: wasm-ld's
/// `invalid function type` / `invalid tag type` at the first that does not.
pub(crate) fn check_type_indices(
    id: SectionId,
    w: Window<'_>,
    types: usize,
    indices: impl Iterator<Item = Option<(bool, u32)>>,
) -> Result<(), Error> {
    for (k, entry) in indices.enumerate() {
        let Some((tag, t)) = entry else { continue };
        if (t as usize) < types {
            continue;
        }
        let message = if tag {
            "invalid tag type"
        } else {
            "invalid function type"
        };
        let detail = out_of_range("a type index", t, types);
        let at = wasm_format::sections::entry_offset(id, w, k);
        return Err(Error::llvm(at, message.into(), Some(detail)));
    }
    Ok(())
}

/// A defined global's initializer gives a value of the global's type (both linkers copy it
/// as it is, so a mismatch would make an invalid module): a constant of the same number type,
/// a reference for a reference type; `global.get` of a global that exists.
pub(crate) fn check_global_init(
    g: &wasm_format::sections::Global<'_>,
    globals: usize,
) -> Result<(), Error> {
    use wasm_format::types::{ConstValue as C, ValType as V};
    let init = g.init.window;
    let fits = match (g.init.value()?, g.ty.val) {
        (C::I32(_), V::I32) | (C::I64(_), V::I64) | (C::F32(_), V::F32) => true,
        (C::F64(_), V::F64) | (C::V128(_), V::V128) => true,
        (C::RefNull(_), V::Ref(r)) => r.nullable,
        (C::RefFunc(_), V::Ref(_)) => true,
        (C::GlobalGet(i), _) => (i as usize) < globals,
        (C::Extended, _) => true,
        _ => false,
    };
    match fits {
        true => Ok(()),
        false => Err(Error::new(
            init.offset,
            ErrorKind::Invalid {
                expected: "a global initializer of the global's value type",
                found: init.bytes.first().map_or(0, |&b| u64::from(b)),
            },
        )),
    }
}

/// `target_features` names each feature once (LLVM: `target features section contains
/// repeated feature "F"`).
pub(crate) fn check_features(features: &[Feature<'_>], w: Window<'_>) -> Result<(), Error> {
    for (k, f) in features.iter().enumerate() {
        if features[..k].iter().any(|g| g.name == f.name) {
            let message = format!(
                "target features section contains repeated feature \"{}\"",
                f.name
            );
            return Err(Error::llvm(w.offset, message, None));
        }
    }
    Ok(())
}

/// `producers` has only the fields `language`, `processed-by` and `sdk`, each once, and no
/// tool twice in one field: LLVM's rules, in its words.
pub(crate) fn check_producers(p: &Producers<'_>, w: Window<'_>) -> Result<(), Error> {
    let bad = |message: &str| Err(Error::llvm(w.offset, message.into(), None));
    for (k, field) in p.fields.iter().enumerate() {
        if !matches!(field.name, "language" | "processed-by" | "sdk") {
            return bad(
                "producers section field is not named one of language, processed-by, or sdk",
            );
        }
        if p.fields[..k].iter().any(|f| f.name == field.name) {
            return bad("producers section does not have unique fields");
        }
        let values = &field.values;
        if (1..values.len()).any(|v| values[..v].iter().any(|x| x.name == values[v].name)) {
            return bad("producers section contains repeated producer");
        }
    }
    Ok(())
}

/// No table of an import or table section `w` is shared (`shared` per entry): both linkers
/// copy table types, and a shared table of references is no valid table.
pub(crate) fn check_unshared(
    id: SectionId,
    w: Window<'_>,
    mut shared: impl Iterator<Item = bool>,
) -> Result<(), Error> {
    match shared.position(|s| s) {
        None => Ok(()),
        Some(k) => Err(Error::new(
            wasm_format::sections::entry_offset(id, w, k),
            ErrorKind::Message("a shared table: tables of references cannot be shared"),
        )),
    }
}

/// The windows that errors point into.
pub(crate) struct At<'x, 'a> {
    /// The `linking` section's contents.
    pub linking: Window<'a>,
    /// The relocation sections of the code and data sections.
    pub code_relocs: Option<&'x LazyRelocs<'a>>,
    pub data_relocs: Option<&'x LazyRelocs<'a>>,
}

/// Checks `obj` once its sections are read (custom-section relocations are checked as they
/// are read, by [`RelocChecker`]).
pub(crate) fn check(obj: &Object<'_>, at: &At<'_, '_>) -> Result<(), Error> {
    let in_linking = |entry, kind| error_at(entry_offset(at.linking, entry), kind);
    for (k, s) in obj.symbols.iter().enumerate() {
        check_symbol(obj, s).map_err(|e| in_linking(LinkingEntry::Symbol(k), e))?;
    }
    check_names(obj).map_err(|(k, e)| in_linking(LinkingEntry::Symbol(k), e))?;
    for (k, init) in obj.init_funcs.iter().enumerate() {
        check_init(obj, init.symbol).map_err(|e| in_linking(LinkingEntry::InitFunc(k), e))?;
    }
    for (comdat, c) in obj.comdats.iter().enumerate() {
        for (member, m) in c.members.iter().enumerate() {
            let entry = LinkingEntry::ComdatMember { comdat, member };
            check_comdat_member(obj, m.kind, m.index).map_err(|e| in_linking(entry, e))?;
        }
    }
    if let Some(relocs) = at.code_relocs {
        check_targets(obj, &obj.code_relocs, relocs)?;
    }
    if let Some(relocs) = at.data_relocs {
        check_targets(obj, &obj.data_relocs, relocs)?;
    }
    Ok(())
}

/// Relocations of the code or data section (from section `at`) name what their types need.
fn check_targets(obj: &Object<'_>, relocs: &[Reloc], at: &LazyRelocs<'_>) -> Result<(), Error> {
    for (k, r) in relocs.iter().enumerate() {
        if let Err(kind) = check_target(obj, r) {
            return Err(error_at(at.entry_offset(k), kind));
        }
    }
    Ok(())
}

/// An error of `kind` at `offset`, keeping LLVM's words first.
pub(crate) fn error_at(offset: usize, kind: ErrorKind) -> Error {
    match kind {
        ErrorKind::Llvm { message, detail } => Error::llvm(offset, message, detail.map(|d| *d)),
        kind => Error::new(offset, kind),
    }
}

fn out_of_range(what: &'static str, index: u32, count: usize) -> ErrorKind {
    ErrorKind::IndexOutOfRange {
        what,
        index: u64::from(index),
        count: count as u64,
    }
}

fn llvm(message: impl Into<String>, detail: Option<ErrorKind>) -> ErrorKind {
    ErrorKind::Llvm {
        message: message.into(),
        detail: detail.map(Box::new),
    }
}

/// One symbol points into its index space: an undefined one at an import, a defined one at a
/// definition; a data symbol inside its segment.
fn check_symbol(obj: &Object<'_>, s: &SymbolInfo<'_>) -> Result<(), ErrorKind> {
    if s.flags.is_undefined() {
        check_undefined(s)?;
    }
    let (what, index, imports, total) = match s.kind {
        SymbolKind::Function { index } => (
            "function",
            index,
            obj.func_imports.len(),
            obj.function_count(),
        ),
        SymbolKind::Global { index } => {
            let imports = obj.global_imports.len();
            ("global", index, imports, imports + obj.globals.len())
        }
        SymbolKind::Table { index } => {
            let imports = obj.table_imports.len();
            ("table", index, imports, imports + obj.tables.len())
        }
        SymbolKind::Tag { index } => {
            let imports = obj.tag_imports.len();
            ("tag", index, imports, imports + obj.tags.len())
        }
        SymbolKind::Data { def: Some(def) } if !s.flags.is_absolute() => {
            return check_data_symbol(obj, s, def);
        }
        SymbolKind::Section { .. } if !s.flags.is_local() => {
            return Err(llvm("section symbols must have local binding", None));
        }
        SymbolKind::Data { .. } | SymbolKind::Section { .. } => return Ok(()),
    };
    let i = index as usize;
    let detail = if s.flags.is_undefined() {
        (i >= imports).then(|| out_of_range("an imported index", index, imports))
    } else if i >= total {
        Some(out_of_range("an index", index, total))
    } else {
        (i < imports).then_some(ErrorKind::Invalid {
            expected: "the index of a definition, not of an import",
            found: u64::from(index),
        })
    };
    match detail {
        Some(d) => Err(llvm(format!("invalid {what} symbol index"), Some(d))),
        None => Ok(()),
    }
}

/// An undefined symbol is not local (nothing could ever define it: LLVM takes it, and wasm-ld
/// crashes on a relocation against it), and, unless it is a function or data, not weak
/// (LLVM's `undefined weak global symbol`, `undefined weak table symbol`).
fn check_undefined(s: &SymbolInfo<'_>) -> Result<(), ErrorKind> {
    if s.flags.is_local() {
        return Err(ErrorKind::Invalid {
            expected: "an undefined symbol with global or weak binding, not local",
            found: u64::from(s.flags.0),
        });
    }
    let what = match s.kind {
        SymbolKind::Global { .. } | SymbolKind::Tag { .. } => "global",
        SymbolKind::Table { .. } => "table",
        _ => return Ok(()),
    };
    match s.flags.is_weak() {
        true => Err(llvm(format!("undefined weak {what} symbol"), None)),
        false => Ok(()),
    }
}

/// A defined data symbol lies inside its segment.
fn check_data_symbol(
    obj: &Object<'_>,
    s: &SymbolInfo<'_>,
    def: wasm_format::linking::DataDef,
) -> Result<(), ErrorKind> {
    let Some(seg) = obj.segments.get(def.segment as usize) else {
        let detail = out_of_range("a data segment index", def.segment, obj.segments.len());
        return Err(llvm(
            format!("invalid data segment index: {}", def.segment),
            Some(detail),
        ));
    };
    let len = seg.data.len() as u64;
    if def.offset > len {
        let name = s.name.unwrap_or("");
        return Err(llvm(
            format!(
                "invalid data symbol offset: `{name}` (offset: {} segment size: {len})",
                def.offset
            ),
            None,
        ));
    }
    match def.offset.checked_add(def.size) {
        Some(end) if end <= len => Ok(()),
        end => Err(ErrorKind::Invalid {
            expected: "a data symbol that ends inside its segment",
            found: end.unwrap_or(u64::MAX),
        }),
    }
}

/// No two symbols other than local ones have the same name (wasm-ld: `duplicate symbol name`).
/// The error names the second.
fn check_names(obj: &Object<'_>) -> Result<(), (usize, ErrorKind)> {
    let mut seen = rustc_hash::FxHashSet::default();
    seen.reserve(obj.symbols.len());
    for (k, s) in obj.symbols.iter().enumerate() {
        if s.flags.is_local() {
            continue;
        }
        let name = obj.symbol_name(s);
        if !seen.insert(name) {
            return Err((k, llvm(format!("duplicate symbol name {name}"), None)));
        }
    }
    Ok(())
}

/// An init function names a function symbol (wasm-ld: `invalid function symbol: N`).
fn check_init(obj: &Object<'_>, symbol: u32) -> Result<(), ErrorKind> {
    match obj.symbols.get(symbol as usize).map(|s| s.kind) {
        Some(SymbolKind::Function { .. }) => Ok(()),
        found => {
            let detail = found
                .is_none()
                .then(|| out_of_range("a symbol index", symbol, obj.symbols.len()));
            Err(llvm(format!("invalid function symbol: {symbol}"), detail))
        }
    }
}

/// A comdat member is a data segment, a defined function or a custom section.
fn check_comdat_member(obj: &Object<'_>, kind: ComdatKind, index: u32) -> Result<(), ErrorKind> {
    let i = index as usize;
    match kind {
        ComdatKind::Data if i >= obj.segments.len() => Err(llvm(
            "COMDAT data index out of range",
            Some(out_of_range(
                "a data segment index",
                index,
                obj.segments.len(),
            )),
        )),
        ComdatKind::Function if i < obj.func_imports.len() || i >= obj.function_count() => {
            let detail = match i >= obj.function_count() {
                true => out_of_range("a function index", index, obj.function_count()),
                false => ErrorKind::Invalid {
                    expected: "the index of a defined function, not of an import",
                    found: u64::from(index),
                },
            };
            Err(llvm("COMDAT function index out of range", Some(detail)))
        }
        ComdatKind::Global | ComdatKind::Tag | ComdatKind::Table => {
            Err(llvm("invalid COMDAT entry type", None))
        }
        _ => Ok(()),
    }
}

/// A relocation names what its type needs (LLVM's `parseRelocSection`): wasm-ld's `invalid
/// data relocation: NAME` and the like for a symbol of another kind.
pub(crate) fn check_target(obj: &Object<'_>, r: &Reloc) -> Result<(), ErrorKind> {
    match target_kind(obj, r) {
        Ok((_, true)) => Ok(()),
        _ => Err(target_error(obj, r)),
    }
}

/// What a relocation's target is called in LLVM's errors, and whether the symbol it names is
/// of that kind; `Err` if its index is out of range. Hot: every relocation passes here.
#[inline]
fn target_kind(obj: &Object<'_>, r: &Reloc) -> Result<(&'static str, bool), ()> {
    if r.ty.target() == RelocTarget::Type {
        return match (r.index as usize) < obj.types.len() {
            true => Ok(("type", true)),
            false => Err(()),
        };
    }
    let sym = obj.symbols.get(r.index as usize).ok_or(())?;
    Ok(match (r.ty.target(), sym.kind) {
        (RelocTarget::Function | RelocTarget::Table | RelocTarget::FunctionOffset, k) => {
            ("function", matches!(k, SymbolKind::Function { .. }))
        }
        (RelocTarget::Memory, k) => ("data", matches!(k, SymbolKind::Data { .. })),
        // `GLOBAL_INDEX_LEB` also reaches functions and data through the GOT.
        (RelocTarget::Global, SymbolKind::Function { .. } | SymbolKind::Data { .. }) => {
            ("global", r.ty == RelocType::GlobalIndexLeb)
        }
        (RelocTarget::Global, k) => ("global", matches!(k, SymbolKind::Global { .. })),
        (RelocTarget::SectionOffset, k) => ("section", matches!(k, SymbolKind::Section { .. })),
        (RelocTarget::Tag, k) => ("tag", matches!(k, SymbolKind::Tag { .. })),
        (RelocTarget::TableNumber, k) => ("table", matches!(k, SymbolKind::Table { .. })),
        (RelocTarget::Type, _) => ("type", true),
    })
}

/// The error for a relocation whose target does not fit.
#[cold]
fn target_error(obj: &Object<'_>, r: &Reloc) -> ErrorKind {
    match target_kind(obj, r) {
        Err(()) if r.ty.target() == RelocTarget::Type => {
            out_of_range("a type index", r.index, obj.types.len())
        }
        Err(()) => out_of_range("a symbol index", r.index, obj.symbols.len()),
        Ok((what, _)) => {
            let name = obj.symbol_name(&obj.symbols[r.index as usize]);
            llvm(format!("invalid {what} relocation: {name}"), None)
        }
    }
}

/// What a relocation patches must lie inside its atom (`atom`, in section offsets) and after
/// what the relocation before it in that atom patches (`prev`).
pub(crate) fn check_place(
    r: &Reloc,
    prev: Option<Range<usize>>,
    atom: Range<usize>,
    what: &'static str,
) -> Result<(), Misplaced> {
    let range = r.range();
    match prev {
        Some(p) if range.start < p.end => Err(Misplaced::Overlap(p)),
        _ if range.start < atom.start || range.end > atom.end => {
            Err(Misplaced::Outside(what, atom))
        }
        _ => Ok(()),
    }
}

/// Why a relocation may not patch where it does; ranges in offsets of its target section.
#[derive(Debug)]
pub(crate) enum Misplaced {
    /// Outside its atom (`inside its function body`, ...).
    Outside(&'static str, Range<usize>),
    /// Over bytes the relocation before it patches.
    Overlap(Range<usize>),
    /// Past the end of its section (wasm-ld: `invalid relocation offset`).
    PastSection(usize),
    /// Before the relocation before it (wasm-ld: `relocations not in offset order`).
    Unordered,
}

impl Misplaced {
    /// The error for relocation `r` of a section whose contents start at absolute `base`.
    pub(crate) fn kind(self, r: &Reloc, base: usize) -> ErrorKind {
        let abs = |x: Range<usize>| ((base + x.start) as u64, (base + x.end) as u64);
        let place = |expected, place| ErrorKind::RelocPlace {
            expected,
            place: abs(place),
            ty: r.ty.name(),
            patches: abs(r.range()),
        };
        match self {
            Misplaced::Outside(what, atom) => place(what, atom),
            Misplaced::Overlap(prev) => place("clear of the one before it", prev),
            Misplaced::PastSection(len) => llvm(
                "invalid relocation offset",
                Some(place("inside its section", 0..len)),
            ),
            Misplaced::Unordered => llvm("relocations not in offset order", None),
        }
    }
}

/// Checks the relocations of one custom section as they are decoded, in file order: each in
/// offset order, clear of the one before, inside the section, naming what its type needs.
/// Remembers the first error.
pub(crate) struct RelocChecker {
    /// Length of the section's contents.
    len: usize,
    /// How many were checked.
    count: usize,
    /// The bytes the last one patches.
    prev: Option<Range<usize>>,
    /// The first error: the entry's position and what is wrong.
    pub(crate) bad: Option<(usize, ErrorKind)>,
}

impl RelocChecker {
    /// A checker for a section of `len` bytes.
    pub(crate) fn new(len: usize) -> Self {
        RelocChecker {
            len,
            count: 0,
            prev: None,
            bad: None,
        }
    }

    /// Checks the next relocation, `r`, of section contents starting at absolute `base`.
    /// Hot (debug sections have millions): one comparison covers both the order and the
    /// overlap; the error is worked out apart.
    #[inline]
    pub(crate) fn next(&mut self, obj: &Object<'_>, r: &Reloc, base: usize) {
        let range = r.range();
        let clear = self.prev.as_ref().is_none_or(|p| range.start >= p.end);
        let fits = matches!(target_kind(obj, r), Ok((_, true)));
        if !(clear && fits && range.end <= self.len) && self.bad.is_none() {
            self.bad = Some((self.count, self.error(obj, r, base)));
        }
        self.count += 1;
        self.prev = Some(range);
    }

    /// What is wrong with `r`, in LLVM's order: offset order, then the target, then the place.
    #[cold]
    fn error(&self, obj: &Object<'_>, r: &Reloc, base: usize) -> ErrorKind {
        let range = r.range();
        if self.prev.as_ref().is_some_and(|p| range.start < p.start) {
            return Misplaced::Unordered.kind(r, base);
        }
        if let Err(kind) = check_target(obj, r) {
            return kind;
        }
        let placed = match range.end > self.len {
            true => Err(Misplaced::PastSection(self.len)),
            false => check_place(r, self.prev.clone(), 0..self.len, "inside its section"),
        };
        match placed {
            Err(m) => m.kind(r, base),
            Ok(()) => ErrorKind::Message("a relocation the checker found no fault with"),
        }
    }
}

#[cfg(test)]
mod tests;
