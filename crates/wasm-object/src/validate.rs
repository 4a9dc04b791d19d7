//! Cross-references inside one object, checked once while parsing so that the linker can index
//! freely: every type, function, global, table, tag, segment and symbol index points at
//! something, every relocation names a symbol of the kind its type needs, and every patched
//! field lies inside its atom, apart from the others. LLVM's object reader rejects the same
//! things (and a few, such as overlapping relocations, that it lets through).
//!
//! Each error names the absolute offset of the entry at fault and the value found there. The
//! checks run on parsed values, which keep no offsets, so an entry's offset is found again,
//! by walking its section, only once a check has failed (`wasm_format::locate`).

use crate::object::Object;
use wasm_format::linking::{ComdatKind, SymbolInfo, SymbolKind};
use wasm_format::locate::{linking_entry, section_entry, LinkingEntry};
use wasm_format::reloc::{Reloc, RelocTarget, RelocType};
use wasm_format::sections::ImportKind;
use wasm_format::types::{ConstExpr, ConstValue, ValType};
use wasm_format::{Error, ErrorKind, Module, SectionId, Window};

/// Checks the indices of `obj`, parsed from `module`.
pub fn check(obj: &Object<'_>, module: &Module<'_>) -> Result<(), Error> {
    let invalid = |offset: usize, (expected, found)| {
        Error::new(offset, ErrorKind::Invalid { expected, found })
    };
    check_globals(obj)?;
    if let Err((at, bad)) = check_types(obj) {
        return Err(invalid(at.offset(module), bad));
    }
    if let Err((n, kind)) = check_symbols(obj) {
        let at = linking_offset(module, LinkingEntry::Symbol(n));
        return Err(Error::new(at, kind));
    }
    if let Err((entry, bad)) = check_linking(obj) {
        return Err(invalid(linking_offset(module, entry), bad));
    }
    Ok(())
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
fn check_types(obj: &Object<'_>) -> Result<(), (TypeUse, Bad)> {
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
    match uses.into_iter().flatten().next() {
        Some((at, t)) => Err((at, ("a type index below the type count", u64::from(t)))),
        None => Ok(()),
    }
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
        if let Err((expected, found)) = check_symbol(obj, s) {
            return Err((n, ErrorKind::Invalid { expected, found }));
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
            return Err((n, ErrorKind::Message(message)));
        }
    }
    Ok(())
}

fn check_symbol(obj: &Object<'_>, s: &SymbolInfo<'_>) -> Result<(), Bad> {
    let undefined = s.flags.is_undefined();
    if undefined && s.flags.is_local() {
        // Only a name resolves an undefined symbol, and a local one has none to resolve by.
        let expected = "an undefined symbol with global or weak binding";
        return Err((expected, u64::from(s.flags.0)));
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
            let Some(seg) = obj.segments.get(def.segment as usize) else {
                let bad = "a data symbol's segment index below the segment count";
                return Err((bad, u64::from(def.segment)));
            };
            let end = def.offset.saturating_add(def.size);
            if end > seg.data.len() as u64 {
                return Err(("a data symbol ending inside its segment", end));
            }
            return Ok(());
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
        Ok(())
    } else {
        Err((what, u64::from(index)))
    }
}

/// Init functions name function symbols; data and function comdat members exist.
fn check_linking(obj: &Object<'_>) -> Result<(), (LinkingEntry, Bad)> {
    for (n, init) in obj.init_funcs.iter().enumerate() {
        let sym = obj.symbols.get(init.symbol as usize);
        if !matches!(sym.map(|s| s.kind), Some(SymbolKind::Function { .. })) {
            let bad = ("an init function naming a function symbol", init.symbol);
            return Err((LinkingEntry::InitFunc(n), (bad.0, u64::from(bad.1))));
        }
    }
    for (comdat, c) in obj.comdats.iter().enumerate() {
        for (member, m) in c.members.iter().enumerate() {
            // Function members count imports too, like every function index.
            let (count, expected) = match m.kind {
                ComdatKind::Data => (
                    obj.segments.len(),
                    "a comdat member's segment index below the segment count",
                ),
                ComdatKind::Function => (
                    obj.function_count(),
                    "a comdat member's function index below the function count",
                ),
                _ => continue,
            };
            if m.index as usize >= count {
                let at = LinkingEntry::ComdatMember { comdat, member };
                return Err((at, (expected, u64::from(m.index))));
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
    #[inline]
    pub(crate) fn next(&mut self, entry: usize, r: &Reloc) -> Result<(), Error> {
        let (offset, end) = self.prev;
        if r.offset < offset {
            let kind = ErrorKind::Message("relocations not in offset order");
            return Err(Error::new(entry, kind));
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
            return Err(misplaced(
                r,
                self.target.offset,
                expected,
                self.target.end(),
            ));
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
            Err(expected) => Err(Error::new(
                entry,
                ErrorKind::Invalid {
                    expected,
                    found: u64::from(r.index),
                },
            )),
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
            &ErrorKind::Message("relocations not in offset order")
        );
    }

    #[test]
    fn a_field_past_the_section_is_refused() {
        let err = check_all(&[reloc(RelocType::FunctionIndexLeb, 6, 1)]).unwrap_err();
        assert_eq!(err.offset(), BASE + 6);
        assert!(
            matches!(err.kind(), ErrorKind::Relocation { limit, .. } if *limit == BASE + 10),
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
        let err = check_all(&[reloc(RelocType::FunctionIndexLeb, 0, 2)]).unwrap_err();
        assert_eq!(err.offset(), 0x500);
        assert_eq!(
            err.kind(),
            &ErrorKind::Invalid {
                expected: "a relocation naming a function symbol",
                found: 2,
            }
        );
        let err = check_all(&[reloc(RelocType::FunctionIndexLeb, 0, 9)]).unwrap_err();
        assert!(matches!(err.kind(), ErrorKind::Invalid { found: 9, .. }));
        let err = check_all(&[reloc(RelocType::TypeIndexLeb, 0, 1)]).unwrap_err();
        assert!(matches!(err.kind(), ErrorKind::Invalid { found: 1, .. }));
    }

    #[test]
    fn symbols_name_the_bad_index_not_their_number() {
        let mut obj = object();
        assert_eq!(check_symbols(&obj), Ok(()));
        obj.symbols[1].kind = SymbolKind::Function { index: 7 };
        let (n, kind) = check_symbols(&obj).unwrap_err();
        assert_eq!(n, 1);
        assert_eq!(
            kind,
            ErrorKind::Invalid {
                expected:
                    "a defined function symbol's index naming a function defined in the object",
                found: 7,
            }
        );
        // An undefined symbol must name an import, not a definition.
        obj.symbols[1] = symbol(SymbolKind::Function { index: 1 }, SymbolFlags::UNDEFINED);
        assert!(matches!(
            check_symbols(&obj),
            Err((1, ErrorKind::Invalid { found: 1, .. }))
        ));
    }

    #[test]
    fn undefined_weak_globals_and_undefined_locals_are_refused() {
        let mut obj = object();
        obj.symbols[2].flags = SymbolFlags(SymbolFlags::UNDEFINED | SymbolFlags::BINDING_WEAK);
        assert_eq!(
            check_symbols(&obj),
            Err((2, ErrorKind::Message("undefined weak global symbol")))
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
        let (at, (_, found)) = check_linking(&obj).unwrap_err();
        assert_eq!((at, found), (LinkingEntry::InitFunc(1), 2));
        obj.init_funcs.clear();
        obj.comdats = vec![wasm_format::linking::Comdat {
            name: "c",
            flags: 0,
            members: vec![
                wasm_format::linking::ComdatMember {
                    kind: ComdatKind::Function,
                    index: 1,
                },
                wasm_format::linking::ComdatMember {
                    kind: ComdatKind::Function,
                    index: 2,
                },
            ],
        }];
        let (at, (_, found)) = check_linking(&obj).unwrap_err();
        let member = LinkingEntry::ComdatMember {
            comdat: 0,
            member: 1,
        };
        assert_eq!((at, found), (member, 2));
    }

    #[test]
    fn type_indices_name_their_use() {
        let mut obj = object();
        assert_eq!(check_types(&obj), Ok(()));
        obj.func_imports[0].ty = 3;
        let (at, (_, found)) = check_types(&obj).unwrap_err();
        assert_eq!((at, found), (TypeUse::FuncImport(0), 3));
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
}
