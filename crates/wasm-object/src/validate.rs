//! Cross-references inside one object, checked once while parsing so that the linker can index
//! freely: every type, function, global, table, tag, segment and symbol index points at
//! something, every relocation names a symbol of the kind its type needs, and every patched
//! field lies inside its atom, apart from the others. LLVM's object reader rejects the same
//! things (and a few, such as overlapping relocations, that it lets through).
//!
//! Each error names the absolute offset of the entry at fault and the value found there. The
//! checks run on parsed values, which keep no offsets, so an entry's offset is found again,
//! by walking its section, only once a check has failed (`wasm_format::locate`). Where LLVM's
//! reader refuses the same thing, the error is in its words ([`ErrorKind::Llvm`]: wasm-ld's
//! first line), the offset and our detail after them.

use crate::object::Object;
use wasm_format::features::{Feature, Producers};
use wasm_format::linking::{ComdatKind, SymbolInfo, SymbolKind};
use wasm_format::locate::{linking_entry, section_entry, LinkingEntry};
use wasm_format::reloc::{Reloc, RelocTarget, RelocType};
use wasm_format::sections::ImportKind;
use wasm_format::types::{ConstExpr, ConstValue, ValType};
use wasm_format::{Error, ErrorKind, Module, Section, SectionId, Window};

/// Checks the indices of `obj`, parsed from `module`.
pub fn check(obj: &Object<'_>, module: &Module<'_>) -> Result<(), Error> {
    check_globals(obj)?;
    if let Err((at, message, bad)) = check_types(obj) {
        return Err(llvm(at.offset(module), message, Some(bad)));
    }
    if let Err((n, kind)) = check_symbols(obj) {
        let at = linking_offset(module, LinkingEntry::Symbol(n));
        return Err(error_at(at, kind));
    }
    if let Err((entry, message, bad)) = check_linking(obj) {
        return Err(llvm(linking_offset(module, entry), message, bad));
    }
    Ok(())
}

/// An error in LLVM's words `message`, with what was expected and found if `bad` says.
#[cold]
fn llvm(offset: usize, message: impl Into<String>, bad: Option<Bad>) -> Error {
    let detail = bad.map(|(expected, found)| ErrorKind::Invalid { expected, found });
    Error::llvm(offset, message, detail)
}

/// An error of `kind` at `offset`; one in LLVM's words keeps them first.
#[cold]
pub(crate) fn error_at(offset: usize, kind: ErrorKind) -> Error {
    match kind {
        ErrorKind::Llvm { message, detail } => Error::llvm(offset, message, detail.map(|d| *d)),
        kind => Error::new(offset, kind),
    }
}

/// What was expected, and the value found instead.
type Bad = (&'static str, u64);

/// Where a type index was found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum TypeUse {
    /// Defined function `n`.
    Function(usize),
    /// Function import `n` (among the function imports).
    FuncImport(usize),
    /// Defined tag `n`.
    Tag(usize),
    /// Tag import `n` (among the tag imports).
    TagImport(usize),
}

impl TypeUse {
    /// The absolute offset of the entry, found again in its section.
    #[cold]
    fn offset(self, module: &Module<'_>) -> usize {
        let (id, n) = match self {
            TypeUse::Function(n) => (SectionId::Function, Some(n)),
            TypeUse::Tag(n) => (SectionId::Tag, Some(n)),
            TypeUse::FuncImport(k) => (SectionId::Import, import_position(module, k, true)),
            TypeUse::TagImport(k) => (SectionId::Import, import_position(module, k, false)),
        };
        let Some(section) = module.section(id) else {
            return module.file.offset;
        };
        n.and_then(|n| section_entry(section.contents, id, n))
            .unwrap_or(section.contents.offset)
    }
}

/// The position among all imports of function (or tag) import `k`.
#[cold]
fn import_position(module: &Module<'_>, k: usize, function: bool) -> Option<usize> {
    let w = module.section(SectionId::Import)?.contents;
    let imports = wasm_format::sections::parse_import_section(w).ok()?;
    imports
        .iter()
        .enumerate()
        .filter(|(_, i)| match i.kind {
            ImportKind::Func(_) => function,
            ImportKind::Tag(_) => !function,
            _ => false,
        })
        .nth(k)
        .map(|(n, _)| n)
}

/// The absolute offset of an entry of the `linking` section.
#[cold]
fn linking_offset(module: &Module<'_>, entry: LinkingEntry) -> usize {
    match module.custom_sections("linking").next() {
        Some(s) => linking_entry(s.contents, entry).unwrap_or(s.contents.offset),
        None => module.file.offset,
    }
}

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
    /// Checks that `s` may come next: wasm-ld's `out of order section type: N` otherwise (a
    /// second `linking`, `producers` or `target_features` is out of order too).
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

/// No table of an import or table section `w` is shared (`shared` per entry): both linkers
/// copy table types, and a shared table of references is no valid table.
pub(crate) fn check_unshared(
    id: SectionId,
    w: Window<'_>,
    mut shared: impl Iterator<Item = bool>,
) -> Result<(), Error> {
    let Some(k) = shared.position(|s| s) else {
        return Ok(());
    };
    let at = section_entry(w, id, k).unwrap_or(w.offset);
    let kind = ErrorKind::Message("a shared table: tables of references cannot be shared");
    Err(Error::new(at, kind))
}

/// `target_features` names each feature once (LLVM: `target features section contains
/// repeated feature "F"`).
pub(crate) fn check_features(features: &[Feature<'_>], w: Window<'_>) -> Result<(), Error> {
    for (k, f) in features.iter().enumerate() {
        if features[..k].iter().any(|g| g.name == f.name) {
            let name = f.name;
            let message = format!("target features section contains repeated feature \"{name}\"");
            return Err(Error::llvm(w.offset, message, None));
        }
    }
    Ok(())
}

/// `producers` has only the fields `language`, `processed-by` and `sdk`, each once, and no
/// tool twice in one field: LLVM's rules, in its words.
pub(crate) fn check_producers(p: &Producers<'_>, w: Window<'_>) -> Result<(), Error> {
    let bad = |message: &str| Err(Error::llvm(w.offset, message, None));
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

/// A defined global's initializer gives a value of its type, as far as one instruction tells:
/// the output copies initializers as they are.
fn check_globals(obj: &Object<'_>) -> Result<(), Error> {
    for g in &obj.globals {
        let Ok(value) = (ConstExpr { window: g.init }).value() else {
            continue;
        };
        let is_ref = matches!(g.ty.val, ValType::Ref(_));
        let fits = match value {
            ConstValue::I32(_) => g.ty.val == ValType::I32,
            ConstValue::I64(_) => g.ty.val == ValType::I64,
            ConstValue::F32(_) => g.ty.val == ValType::F32,
            ConstValue::F64(_) => g.ty.val == ValType::F64,
            ConstValue::V128(_) => g.ty.val == ValType::V128,
            // Which references fit which reference types is left to subtyping rules.
            ConstValue::RefNull(_) | ConstValue::RefFunc(_) => is_ref,
            ConstValue::GlobalGet(_) | ConstValue::Extended => true,
        };
        if !fits {
            let opcode = g.init.bytes.first().copied().unwrap_or(0);
            return Err(Error::new(
                g.init.offset,
                ErrorKind::Invalid {
                    expected: "a global initializer of the global's type",
                    found: u64::from(opcode),
                },
            ));
        }
    }
    Ok(())
}

/// Every function, import and tag signature names a type.
fn check_types(obj: &Object<'_>) -> Result<(), (TypeUse, &'static str, Bad)> {
    let types = obj.types.len();
    let uses = [
        first_bad(
            obj.functions.iter().map(|f| f.type_index),
            types,
            TypeUse::Function,
        ),
        first_bad(
            obj.func_imports.iter().map(|i| i.ty),
            types,
            TypeUse::FuncImport,
        ),
        first_bad(obj.tags.iter().map(|t| t.type_index), types, TypeUse::Tag),
        first_bad(
            obj.tag_imports.iter().map(|i| i.ty.type_index),
            types,
            TypeUse::TagImport,
        ),
    ];
    let Some((at, t)) = uses.into_iter().flatten().next() else {
        return Ok(());
    };
    // LLVM's words for a function's or import's signature, and for a tag's.
    let message = match at {
        TypeUse::Tag(_) | TypeUse::TagImport(_) => "invalid tag type",
        TypeUse::Function(_) | TypeUse::FuncImport(_) => "invalid function type",
    };
    let bad = ("a type index below the type count", u64::from(t));
    Err((at, message, bad))
}

fn first_bad(
    indices: impl Iterator<Item = u32>,
    count: usize,
    at: fn(usize) -> TypeUse,
) -> Option<(TypeUse, u32)> {
    indices
        .enumerate()
        .find(|&(_, t)| t as usize >= count)
        .map(|(n, t)| (at(n), t))
}

/// Every symbol points into its index space: an undefined one at an import, a defined one at
/// a definition; a data symbol inside its segment. An undefined global, tag or table may not
/// be weak (there is no value to give it). The error is (symbol number, what).
fn check_symbols(obj: &Object<'_>) -> Result<(), (usize, ErrorKind)> {
    for (n, s) in obj.symbols.iter().enumerate() {
        if let Err(kind) = check_symbol(obj, s) {
            return Err((n, kind));
        }
        if s.flags.is_undefined() && s.flags.is_weak() {
            // LLVM's messages (tags share the globals' one).
            let message = match s.kind {
                SymbolKind::Global { .. } | SymbolKind::Tag { .. } => {
                    "undefined weak global symbol"
                }
                SymbolKind::Table { .. } => "undefined weak table symbol",
                _ => continue,
            };
            return Err((n, llvm_kind(message, None)));
        }
    }
    Ok(())
}

/// `kind` in LLVM's words `message`.
fn llvm_kind(message: impl Into<String>, detail: Option<ErrorKind>) -> ErrorKind {
    ErrorKind::Llvm {
        message: message.into(),
        detail: detail.map(Box::new),
    }
}

fn invalid((expected, found): Bad) -> ErrorKind {
    ErrorKind::Invalid { expected, found }
}

fn check_symbol(obj: &Object<'_>, s: &SymbolInfo<'_>) -> Result<(), ErrorKind> {
    let undefined = s.flags.is_undefined();
    if undefined && s.flags.is_local() {
        // Only a name resolves an undefined symbol, and a local one has none to resolve by.
        let expected = "an undefined symbol with global or weak binding";
        return Err(invalid((expected, u64::from(s.flags.0))));
    }
    let (index, imports, total, what) = match s.kind {
        SymbolKind::Function { index } => (
            index,
            obj.func_imports.len(),
            obj.function_count(),
            if undefined {
                "an undefined function symbol's index below the function import count"
            } else {
                "a defined function symbol's index naming a function defined in the object"
            },
        ),
        SymbolKind::Global { index } => (
            index,
            obj.global_imports.len(),
            obj.global_imports.len() + obj.globals.len(),
            if undefined {
                "an undefined global symbol's index below the global import count"
            } else {
                "a defined global symbol's index naming a global defined in the object"
            },
        ),
        SymbolKind::Table { index } => (
            index,
            obj.table_imports.len(),
            obj.table_imports.len() + obj.tables.len(),
            if undefined {
                "an undefined table symbol's index below the table import count"
            } else {
                "a defined table symbol's index naming a table defined in the object"
            },
        ),
        SymbolKind::Tag { index } => (
            index,
            obj.tag_imports.len(),
            obj.tag_imports.len() + obj.tags.len(),
            if undefined {
                "an undefined tag symbol's index below the tag import count"
            } else {
                "a defined tag symbol's index naming a tag defined in the object"
            },
        ),
        SymbolKind::Data { def: Some(def) } if !s.flags.is_absolute() => {
            return check_data_symbol(obj, s, def);
        }
        SymbolKind::Section { .. } if !s.flags.is_local() => {
            return Err(llvm_kind("section symbols must have local binding", None));
        }
        SymbolKind::Data { .. } | SymbolKind::Section { .. } => return Ok(()),
    };
    let i = index as usize;
    let fits = if undefined {
        i < imports
    } else {
        i >= imports && i < total
    };
    if fits {
        return Ok(());
    }
    let kind = match s.kind {
        SymbolKind::Global { .. } => "global",
        SymbolKind::Table { .. } => "table",
        SymbolKind::Tag { .. } => "tag",
        _ => "function",
    };
    let detail = invalid((what, u64::from(index)));
    Err(llvm_kind(
        format!("invalid {kind} symbol index"),
        Some(detail),
    ))
}

/// A defined data symbol lies inside its segment: LLVM refuses a segment index out of range
/// and an offset past the end; we also refuse a size that runs past it.
fn check_data_symbol(
    obj: &Object<'_>,
    s: &SymbolInfo<'_>,
    def: wasm_format::linking::DataDef,
) -> Result<(), ErrorKind> {
    let Some(seg) = obj.segments.get(def.segment as usize) else {
        let bad = "a data symbol's segment index below the segment count";
        let detail = invalid((bad, u64::from(def.segment)));
        let message = format!("invalid data segment index: {}", def.segment);
        return Err(llvm_kind(message, Some(detail)));
    };
    let len = seg.data.len() as u64;
    if def.offset > len {
        let (name, offset) = (s.name.unwrap_or(""), def.offset);
        let message =
            format!("invalid data symbol offset: `{name}` (offset: {offset} segment size: {len})");
        return Err(llvm_kind(message, None));
    }
    let end = def.offset.saturating_add(def.size);
    if end > len {
        return Err(invalid(("a data symbol ending inside its segment", end)));
    }
    Ok(())
}

/// Init functions name function symbols; comdat members are data segments, functions
/// defined in the object or custom sections (LLVM's words for each).
fn check_linking(obj: &Object<'_>) -> Result<(), (LinkingEntry, String, Option<Bad>)> {
    for (n, init) in obj.init_funcs.iter().enumerate() {
        let sym = obj.symbols.get(init.symbol as usize);
        if !matches!(sym.map(|s| s.kind), Some(SymbolKind::Function { .. })) {
            let bad = ("an init function naming a function symbol", init.symbol);
            let message = format!("invalid function symbol: {}", init.symbol);
            let bad = Some((bad.0, u64::from(bad.1)));
            return Err((LinkingEntry::InitFunc(n), message, bad));
        }
    }
    for (comdat, c) in obj.comdats.iter().enumerate() {
        for (member, m) in obj.comdat_members_of(c).iter().enumerate() {
            let at = LinkingEntry::ComdatMember { comdat, member };
            let i = m.index as usize;
            let (fits, message, expected) = match m.kind {
                ComdatKind::Data => (
                    i < obj.segments.len(),
                    "COMDAT data index out of range",
                    "a comdat member's segment index below the segment count",
                ),
                ComdatKind::Function => (
                    obj.defined_function(m.index).is_some(),
                    "COMDAT function index out of range",
                    "a comdat member's function index naming a function defined in the object",
                ),
                ComdatKind::Section => continue,
                ComdatKind::Global | ComdatKind::Tag | ComdatKind::Table => {
                    return Err((at, "invalid COMDAT entry type".into(), None));
                }
            };
            if !fits {
                return Err((at, message.into(), Some((expected, u64::from(m.index)))));
            }
        }
    }
    Ok(())
}

/// Checks relocations one by one as they are read: in offset order (LLVM requires it, and it
/// makes overlap one comparison), none patching a byte the previous one patches, inside the
/// section, of a LEB type in code, and each naming what its type needs. Which atom each
/// patches, and that a LEB one patches a padded LEB128, is checked after (`object::assign`),
/// except in custom sections, which are one atom.
pub(crate) struct RelocCheck<'o, 'a> {
    obj: &'o Object<'a>,
    /// The contents of the section patched; relocation offsets are relative to its start.
    target: Window<'a>,
    /// The previous relocation's offset, and the end of the bytes it patches.
    prev: (u32, usize),
    /// Which section it is.
    patched: Patched,
}

/// The kinds of section relocations patch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Patched {
    /// The code section: every relocation patches a LEB (every immediate of an instruction is
    /// one), checked once its function body is known (`object::assign`).
    Code,
    /// The data section: padded LEBs checked once their segment is known.
    Data,
    /// A custom section, one atom: padded LEBs checked here.
    Custom,
}

impl<'o, 'a> RelocCheck<'o, 'a> {
    /// Checks the relocations of `target`, a section of `obj` of kind `patched`.
    pub(crate) fn new(obj: &'o Object<'a>, target: Window<'a>, patched: Patched) -> Self {
        RelocCheck {
            obj,
            target,
            prev: (0, 0),
            patched,
        }
    }

    /// Checks the next relocation, `r`, whose entry is at absolute offset `entry`.
    #[inline(always)]
    pub(crate) fn next(&mut self, entry: usize, r: &Reloc) -> Result<(), Error> {
        let (offset, end) = self.prev;
        if r.offset < offset {
            return Err(Error::llvm(entry, "relocations not in offset order", None));
        }
        if (r.offset as usize) < end {
            let expected = "after the previous relocation's, which end at";
            return Err(misplaced(
                r,
                self.target.offset,
                expected,
                self.target.offset + end,
            ));
        }
        self.prev = (r.offset, r.range().end);
        let Some(field) = self.target.bytes.get(r.range()) else {
            let expected = "inside their section, which ends at";
            let base = self.target.offset;
            let error = misplaced(r, base, expected, self.target.end());
            return Err(error.in_llvm_words("invalid relocation offset"));
        };
        let leb = r.ty.width().is_leb();
        if leb && self.patched == Patched::Custom {
            check_padded(field, self.target.offset + r.offset as usize)?;
        } else if !leb && self.patched == Patched::Code {
            let expected = "a relocation of a LEB type in the code section";
            let found = u64::from(r.ty as u8);
            return Err(Error::new(entry, ErrorKind::Invalid { expected, found }));
        }
        match target_fits(self.obj, r) {
            Ok(()) => Ok(()),
            Err(expected) => Err(target_error(self.obj, r, entry, expected)),
        }
    }
}

/// A LEB relocation patches a LEB128 padded to its full width (LLVM writes them so, and
/// patching keeps every size): one placed anywhere else would overwrite instructions. `at` is
/// the field's absolute offset.
#[inline]
pub(crate) fn check_padded(field: &[u8], at: usize) -> Result<(), Error> {
    let Some(last) = field.len().checked_sub(1) else {
        return Ok(());
    };
    let invalid = |k: usize, expected| {
        let found = u64::from(field[k]);
        Err(Error::new(at + k, ErrorKind::Invalid { expected, found }))
    };
    match field.iter().position(|b| b & 0x80 == 0) {
        Some(k) if k == last => Ok(()),
        Some(k) => invalid(
            k,
            "a continuation byte (0x80 set) of the padded LEB128 a relocation patches",
        ),
        None => invalid(
            last,
            "the last byte (0x80 clear) of the padded LEB128 a relocation patches",
        ),
    }
}

/// The error for a relocation whose patched bytes are not where they must be: at the first
/// of them (`base` is the section contents' offset), saying where they must lie.
#[cold]
pub(crate) fn misplaced(r: &Reloc, base: usize, expected: &'static str, limit: usize) -> Error {
    Error::new(
        base + r.offset as usize,
        ErrorKind::Relocation {
            ty: r.ty.name(),
            width: r.ty.width().size(),
            expected,
            limit,
        },
    )
}

/// The error for relocation `r` (its entry at `entry`) whose index does not name what its type
/// needs (`expected`): LLVM's `invalid data relocation: NAME` (and function, global, ...) if
/// the symbol exists; else the index out of range.
#[cold]
fn target_error(obj: &Object<'_>, r: &Reloc, entry: usize, expected: &'static str) -> Error {
    let out_of_range = |what, count: usize| ErrorKind::IndexOutOfRange {
        what,
        index: u64::from(r.index),
        count: count as u64,
    };
    if r.ty.target() == RelocTarget::Type {
        return Error::new(entry, out_of_range("a type index", obj.types.len()));
    }
    let Some(sym) = obj.symbols.get(r.index as usize) else {
        return Error::new(entry, out_of_range("a symbol index", obj.symbols.len()));
    };
    let what = match r.ty.target() {
        RelocTarget::Memory => "data",
        RelocTarget::Global => "global",
        RelocTarget::SectionOffset => "section",
        RelocTarget::Tag => "tag",
        RelocTarget::TableNumber => "table",
        _ => "function",
    };
    let message = format!("invalid {what} relocation: {}", obj.symbol_name(sym));
    let detail = ErrorKind::Invalid {
        expected,
        found: u64::from(r.index),
    };
    Error::llvm(entry, message, Some(detail))
}

/// Whether a relocation's index names what its type needs (LLVM's `parseRelocSection`);
/// if not, what was expected.
fn target_fits(obj: &Object<'_>, r: &Reloc) -> Result<(), &'static str> {
    use SymbolKind as S;
    let kind = obj.symbols.get(r.index as usize).map(|s| s.kind);
    let (fits, expected) = match r.ty.target() {
        RelocTarget::Type => (
            (r.index as usize) < obj.types.len(),
            "a relocation's type index below the type count",
        ),
        RelocTarget::Function | RelocTarget::Table | RelocTarget::FunctionOffset => (
            matches!(kind, Some(S::Function { .. })),
            "a relocation naming a function symbol",
        ),
        RelocTarget::Memory => (
            matches!(kind, Some(S::Data { .. })),
            "a relocation naming a data symbol",
        ),
        RelocTarget::Global if r.ty == RelocType::GlobalIndexI32 => (
            matches!(kind, Some(S::Global { .. })),
            "a relocation naming a global symbol",
        ),
        // `GLOBAL_INDEX_LEB` also reaches functions and data through the GOT.
        RelocTarget::Global => (
            matches!(
                kind,
                Some(S::Global { .. } | S::Function { .. } | S::Data { .. })
            ),
            "a relocation naming a global, function or data symbol",
        ),
        RelocTarget::SectionOffset => (
            matches!(kind, Some(S::Section { .. })),
            "a relocation naming a section symbol",
        ),
        RelocTarget::Tag => (
            matches!(kind, Some(S::Tag { .. })),
            "a relocation naming a tag symbol",
        ),
        RelocTarget::TableNumber => (
            matches!(kind, Some(S::Table { .. })),
            "a relocation naming a table symbol",
        ),
    };
    if fits {
        Ok(())
    } else {
        Err(expected)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_format::linking::SymbolFlags;

    /// Where the test section's contents start in their file.
    const BASE: usize = 0x100;

    fn reloc(ty: RelocType, offset: u32, index: u32) -> Reloc {
        Reloc {
            ty,
            offset,
            index,
            addend: 0,
        }
    }

    fn symbol(kind: SymbolKind, flags: u32) -> SymbolInfo<'static> {
        SymbolInfo {
            flags: SymbolFlags(flags),
            name: Some("s"),
            kind,
        }
    }

    /// An object with one function import, one defined function and one global import; its
    /// symbols: 0 the imported function, 1 the defined one, 2 the global.
    fn object() -> Object<'static> {
        let mut obj = Object::empty();
        obj.types = vec![wasm_format::types::FuncType {
            params: vec![],
            results: vec![],
        }];
        obj.func_imports.push(crate::object::ObjImport {
            module: "env",
            field: "f",
            ty: 0,
        });
        obj.functions.push(crate::object::Function {
            type_index: 0,
            body: Window::new(&[], 0),
            prefix: 0,
            relocs: 0..0,
        });
        obj.global_imports.push(crate::object::ObjImport {
            module: "env",
            field: "g",
            ty: wasm_format::types::GlobalType {
                val: ValType::I32,
                mutable: true,
            },
        });
        obj.symbols = vec![
            symbol(SymbolKind::Function { index: 0 }, SymbolFlags::UNDEFINED),
            symbol(SymbolKind::Function { index: 1 }, 0),
            symbol(SymbolKind::Global { index: 0 }, SymbolFlags::UNDEFINED),
        ];
        obj
    }

    /// Ten bytes of code: a padded LEB at 0..5 and at 5..10.
    const CODE: [u8; 10] = [0x80, 0x80, 0x80, 0x80, 0x00, 0x81, 0x80, 0x80, 0x80, 0x00];

    /// Runs the relocations through one `RelocCheck` of [`CODE`], entries 3 bytes apart.
    fn check_all(relocs: &[Reloc]) -> Result<(), Error> {
        let obj = object();
        let mut check = RelocCheck::new(&obj, Window::new(&CODE, BASE), Patched::Code);
        for (k, r) in relocs.iter().enumerate() {
            check.next(0x500 + 3 * k, r)?;
        }
        Ok(())
    }

    #[test]
    fn well_placed_relocations_pass() {
        let call = reloc(RelocType::FunctionIndexLeb, 0, 1);
        let global = reloc(RelocType::GlobalIndexLeb, 5, 2);
        assert_eq!(check_all(&[call, global]), Ok(()));
    }

    #[test]
    fn overlap_is_at_the_second_relocations_first_byte() {
        let a = reloc(RelocType::FunctionIndexLeb, 0, 1);
        let b = reloc(RelocType::FunctionIndexLeb, 4, 1);
        let err = check_all(&[a, b]).unwrap_err();
        assert_eq!(err.offset(), BASE + 4);
        assert_eq!(
            err.kind(),
            &ErrorKind::Relocation {
                ty: "R_WASM_FUNCTION_INDEX_LEB",
                width: 5,
                expected: "after the previous relocation's, which end at",
                limit: BASE + 5,
            }
        );
        // Two at one offset overlap too.
        assert!(check_all(&[a, a]).is_err());
    }

    #[test]
    fn disorder_is_at_the_entry() {
        let a = reloc(RelocType::FunctionIndexLeb, 5, 1);
        let b = reloc(RelocType::FunctionIndexLeb, 0, 1);
        let err = check_all(&[a, b]).unwrap_err();
        assert_eq!(err.offset(), 0x503);
        assert_eq!(
            err.kind(),
            &llvm_kind("relocations not in offset order", None)
        );
    }

    #[test]
    fn a_field_past_the_section_is_refused() {
        let err = check_all(&[reloc(RelocType::FunctionIndexLeb, 6, 1)]).unwrap_err();
        assert_eq!(err.offset(), BASE + 6);
        let ErrorKind::Llvm { message, detail } = err.kind() else {
            panic!("{err}");
        };
        assert_eq!(message, "invalid relocation offset");
        assert!(
            matches!(detail.as_deref(), Some(ErrorKind::Relocation { limit, .. }) if *limit == BASE + 10),
            "{err}"
        );
    }

    #[test]
    fn a_leb_relocation_needs_a_padded_leb() {
        let code = [0x80, 0x00, 0x80, 0x80, 0x00, 0x80, 0x80, 0x80, 0x80, 0x80];
        let obj = object();
        let mut check = RelocCheck::new(&obj, Window::new(&code, BASE), Patched::Custom);
        let err = check
            .next(0, &reloc(RelocType::FunctionIndexLeb, 0, 1))
            .unwrap_err();
        assert_eq!(err.offset(), BASE + 1, "the byte that ends the LEB early");
        assert!(matches!(err.kind(), ErrorKind::Invalid { found: 0, .. }));
        let mut check = RelocCheck::new(&obj, Window::new(&code, BASE), Patched::Custom);
        let err = check
            .next(0, &reloc(RelocType::FunctionIndexLeb, 5, 1))
            .unwrap_err();
        assert_eq!(err.offset(), BASE + 9, "a last byte that continues");
        assert!(matches!(err.kind(), ErrorKind::Invalid { found: 0x80, .. }));
    }

    #[test]
    fn code_relocations_patch_lebs_only() {
        let err = check_all(&[reloc(RelocType::FunctionIndexI32, 0, 1)]).unwrap_err();
        assert_eq!(err.offset(), 0x500);
        assert_eq!(
            err.kind(),
            &ErrorKind::Invalid {
                expected: "a relocation of a LEB type in the code section",
                found: RelocType::FunctionIndexI32 as u64,
            }
        );
    }

    #[test]
    fn a_relocation_names_a_symbol_of_its_kind_and_says_which() {
        // Symbol 2 is the global `s`: LLVM's words, with the symbol's name.
        let err = check_all(&[reloc(RelocType::FunctionIndexLeb, 0, 2)]).unwrap_err();
        assert_eq!(err.offset(), 0x500);
        assert_eq!(
            err.to_string(),
            "invalid function relocation: s\n>>> at offset 0x500: expected a relocation naming \
             a function symbol, found 0x2"
        );
        let out_of_range = |what, index, count| ErrorKind::IndexOutOfRange { what, index, count };
        let err = check_all(&[reloc(RelocType::FunctionIndexLeb, 0, 9)]).unwrap_err();
        assert_eq!(err.kind(), &out_of_range("a symbol index", 9, 3));
        let err = check_all(&[reloc(RelocType::TypeIndexLeb, 0, 1)]).unwrap_err();
        assert_eq!(err.kind(), &out_of_range("a type index", 1, 1));
    }

    #[test]
    fn symbols_name_the_bad_index_not_their_number() {
        let mut obj = object();
        assert_eq!(check_symbols(&obj), Ok(()));
        obj.symbols[1].kind = SymbolKind::Function { index: 7 };
        let (n, kind) = check_symbols(&obj).unwrap_err();
        assert_eq!(n, 1);
        let detail = ErrorKind::Invalid {
            expected: "a defined function symbol's index naming a function defined in the object",
            found: 7,
        };
        assert_eq!(
            kind,
            llvm_kind("invalid function symbol index", Some(detail))
        );
        // An undefined symbol must name an import, not a definition.
        obj.symbols[1] = symbol(SymbolKind::Function { index: 1 }, SymbolFlags::UNDEFINED);
        let detail = |kind: &ErrorKind| match kind {
            ErrorKind::Llvm { detail, .. } => detail.as_deref().cloned(),
            _ => None,
        };
        let (n, kind) = check_symbols(&obj).unwrap_err();
        assert_eq!(n, 1);
        assert!(matches!(
            detail(&kind),
            Some(ErrorKind::Invalid { found: 1, .. })
        ));
    }

    #[test]
    fn undefined_weak_globals_and_undefined_locals_are_refused() {
        let mut obj = object();
        obj.symbols[2].flags = SymbolFlags(SymbolFlags::UNDEFINED | SymbolFlags::BINDING_WEAK);
        assert_eq!(
            check_symbols(&obj),
            Err((2, llvm_kind("undefined weak global symbol", None)))
        );
        obj.symbols[2].flags = SymbolFlags(SymbolFlags::UNDEFINED | SymbolFlags::BINDING_LOCAL);
        assert!(matches!(
            check_symbols(&obj),
            Err((2, ErrorKind::Invalid { .. }))
        ));
        // A weak undefined function is fine.
        let mut obj = object();
        obj.symbols[0].flags = SymbolFlags(SymbolFlags::UNDEFINED | SymbolFlags::BINDING_WEAK);
        assert_eq!(check_symbols(&obj), Ok(()));
    }

    #[test]
    fn init_functions_and_comdats_name_their_entry() {
        let mut obj = object();
        obj.init_funcs = vec![
            wasm_format::linking::InitFunc {
                priority: 1,
                symbol: 1,
            },
            wasm_format::linking::InitFunc {
                priority: 1,
                symbol: 2,
            },
        ];
        let (at, message, bad) = check_linking(&obj).unwrap_err();
        assert_eq!(
            (at, message.as_str()),
            (LinkingEntry::InitFunc(1), "invalid function symbol: 2")
        );
        assert_eq!(bad.map(|b| b.1), Some(2));
        obj.init_funcs.clear();
        obj.comdats = vec![wasm_format::linking::Comdat {
            name: "c",
            flags: 0,
            members: 0..2,
        }];
        obj.comdat_members = vec![
            wasm_format::linking::ComdatMember {
                kind: ComdatKind::Function,
                index: 1,
            },
            wasm_format::linking::ComdatMember {
                kind: ComdatKind::Function,
                index: 2,
            },
        ];
        let (at, message, bad) = check_linking(&obj).unwrap_err();
        let member = LinkingEntry::ComdatMember {
            comdat: 0,
            member: 1,
        };
        let expected = (member, "COMDAT function index out of range", Some(2));
        assert_eq!((at, message.as_str(), bad.map(|b| b.1)), expected);
        // An imported function is no member either (LLVM: defined functions only).
        obj.comdat_members[1].index = 0;
        let (_, message, _) = check_linking(&obj).unwrap_err();
        assert_eq!(message, "COMDAT function index out of range");
        // Nor a global.
        obj.comdat_members[1].kind = ComdatKind::Global;
        let (_, message, bad) = check_linking(&obj).unwrap_err();
        assert_eq!((message.as_str(), bad), ("invalid COMDAT entry type", None));
    }

    #[test]
    fn type_indices_name_their_use() {
        let mut obj = object();
        assert_eq!(check_types(&obj), Ok(()));
        obj.func_imports[0].ty = 3;
        let (at, message, (_, found)) = check_types(&obj).unwrap_err();
        assert_eq!(
            (at, message, found),
            (TypeUse::FuncImport(0), "invalid function type", 3)
        );
    }

    #[test]
    fn global_initializers_have_their_globals_type() {
        let mut obj = object();
        // `ref.null extern` for an i32 global.
        obj.globals.push(crate::object::Global {
            ty: wasm_format::types::GlobalType {
                val: ValType::I32,
                mutable: false,
            },
            init: Window::new(&[0xd0, 0x6f, 0x0b], 0x40),
        });
        let err = check_globals(&obj).unwrap_err();
        assert_eq!(err.offset(), 0x40);
        assert!(matches!(err.kind(), ErrorKind::Invalid { found: 0xd0, .. }));
        obj.globals[0].init = Window::new(&[0x41, 0x07, 0x0b], 0x40);
        assert_eq!(check_globals(&obj), Ok(()));
    }

    /// A section `id` named `name` at `at`, for the order check.
    fn section(id: SectionId, name: Option<&'static str>, at: usize) -> Section<'static> {
        Section {
            id,
            index: 0,
            header_offset: at,
            custom_name: name,
            contents: Window::new(&[], at + 2),
        }
    }

    #[test]
    fn sections_come_in_llvm_s_order() {
        use SectionId::*;
        let ok = [
            section(Type, None, 1),
            section(Custom, Some("anything"), 2),
            section(Function, None, 3),
            section(DataCount, None, 4),
            section(Code, None, 5),
            section(Data, None, 6),
            section(Custom, Some("linking"), 7),
            section(Custom, Some("reloc.CODE"), 8),
            section(Custom, Some("reloc.DATA"), 9),
            section(Custom, Some("producers"), 10),
            section(Custom, Some("target_features"), 11),
        ];
        let mut order = SectionOrder::default();
        for s in &ok {
            assert_eq!(order.check(s), Ok(()), "{:?}", s.custom_name);
        }
        let refused = |sections: &[Section<'static>]| {
            let mut order = SectionOrder::default();
            let k = sections.iter().position(|s| order.check(s).is_err())?;
            let mut fresh = SectionOrder::default();
            let err = sections.iter().find_map(|s| fresh.check(s).err())?;
            Some((k, err.offset(), err.to_string()))
        };
        // A second type section, code before functions, linking after a relocation section,
        // data after linking, a second producers section.
        let cases: [(&[Section<'static>], usize, &str); 5] = [
            (&[section(Type, None, 1), section(Type, None, 2)], 1, "1"),
            (
                &[section(Code, None, 1), section(Function, None, 2)],
                1,
                "3",
            ),
            (
                &[
                    section(Custom, Some("reloc.CODE"), 1),
                    section(Custom, Some("linking"), 2),
                ],
                1,
                "0",
            ),
            (
                &[section(Custom, Some("linking"), 1), section(Data, None, 2)],
                1,
                "11",
            ),
            (
                &[
                    section(Custom, Some("producers"), 1),
                    section(Custom, Some("producers"), 2),
                ],
                1,
                "0",
            ),
        ];
        for (sections, k, id) in cases {
            let (at, offset, text) = refused(sections).expect("refused");
            assert_eq!((at, offset), (k, k + 1));
            assert_eq!(
                text,
                format!(
                    "out of order section type: {id}\n>>> at offset {:#x}",
                    k + 1
                )
            );
        }
    }

    #[test]
    fn shared_tables_features_and_producers_are_checked() {
        // A table section: a funcref table, then a shared one (limits flags 3: max, shared).
        let tables = [2, 0x70, 0, 1, 0x70, 3, 1, 2];
        let w = Window::new(&tables, BASE);
        let err = check_unshared(SectionId::Table, w, [false, true].into_iter()).unwrap_err();
        assert_eq!(err.offset(), BASE + 4);
        assert_eq!(
            check_unshared(SectionId::Table, w, [false, false].into_iter()),
            Ok(())
        );
        use wasm_format::features::{FeaturePrefix, ProducerField, ProducerValue};
        let feature = |name| Feature {
            prefix: FeaturePrefix::Used,
            name,
        };
        let w = Window::new(&[], BASE);
        let err = check_features(&[feature("a"), feature("b"), feature("a")], w).unwrap_err();
        assert_eq!(
            err.to_string(),
            "target features section contains repeated feature \"a\"\n>>> at offset 0x100"
        );
        let field = |name, tools: &[&'static str]| ProducerField {
            name,
            values: tools
                .iter()
                .map(|&name| ProducerValue { name, version: "1" })
                .collect(),
        };
        let message = |fields| {
            let err = check_producers(&Producers { fields }, w).err()?;
            let text = err.to_string();
            Some(text.lines().next().unwrap_or_default().to_string())
        };
        assert_eq!(
            message(vec![field("language", &["C"]), field("sdk", &["x"])]),
            None
        );
        assert_eq!(
            message(vec![field("compiler", &["x"])]).as_deref(),
            Some("producers section field is not named one of language, processed-by, or sdk")
        );
        assert_eq!(
            message(vec![field("sdk", &["x"]), field("sdk", &["y"])]).as_deref(),
            Some("producers section does not have unique fields")
        );
        assert_eq!(
            message(vec![field("processed-by", &["clang", "clang"])]).as_deref(),
            Some("producers section contains repeated producer")
        );
    }

    #[test]
    fn data_symbols_lie_in_their_segment_in_llvm_s_words() {
        let mut obj = object();
        obj.segments.push(crate::object::Segment {
            name: ".data",
            p2align: 0,
            flags: wasm_format::linking::SegmentFlags(0),
            passive: false,
            mode: wasm_format::sections::DataMode::Passive,
            data: Window::new(&[0; 8], 0),
            relocs: 0..0,
        });
        let data = |segment, offset, size| {
            symbol(
                SymbolKind::Data {
                    def: Some(wasm_format::linking::DataDef {
                        segment,
                        offset,
                        size,
                    }),
                },
                0,
            )
        };
        let first_line = |obj: &Object<'_>| match check_symbols(obj) {
            Err((_, kind)) => kind.to_string(),
            Ok(()) => String::new(),
        };
        obj.symbols.push(data(0, 0, 8));
        assert_eq!(first_line(&obj), "");
        obj.symbols[3] = data(1, 0, 8);
        assert_eq!(first_line(&obj), "invalid data segment index: 1");
        obj.symbols[3] = data(0, 9, 0);
        assert_eq!(
            first_line(&obj),
            "invalid data symbol offset: `s` (offset: 9 segment size: 8)"
        );
        obj.symbols[3] = data(0, 4, 8);
        assert_eq!(
            first_line(&obj),
            "expected a data symbol ending inside its segment, found 0xc"
        );
    }
}
