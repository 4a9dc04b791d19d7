//! `reloc.*` custom sections (tool-conventions `Linking.md`): where the linker must patch which
//! index or address. Every relocation type is one row of a table giving its name, how wide the
//! patched field is, whether an addend follows and what kind of thing the index names, so the
//! linker's relocation code is two small steps: compute the value, patch `width` bytes.
//!
//! # Offsets
//! A relocation's `offset` is relative to the start of the target section's *contents*: for a
//! standard section (CODE, DATA) just after the section size, for a custom section such as
//! `.debug_info` just after the section *name*, i.e. [`Section::contents`] in both cases.
//! Checked on an object built by `clang-19 -g`: the `SECTION_OFFSET_I32` relocation of a DWARF
//! v4 `.debug_info` against `.debug_abbrev` has offset 6, which is the `debug_abbrev_offset`
//! field after the 4-byte unit length and the 2-byte version of the payload that follows the
//! name (see the `custom_section_offsets_start_after_the_name` test in `linking.rs`).
//!
//! # Addends
//! As in LLVM 19's `WasmObjectFile::parseRelocSection`, types with an addend carry a varint32,
//! except the 64-bit ones (`MEMORY_ADDR_LEB64/SLEB64/I64/REL_SLEB64/TLS_SLEB64`,
//! `FUNCTION_OFFSET_I64`), which carry a varint64. `MEMORY_ADDR_LOCREL_I64` (27) is newer than
//! LLVM 19; by the same rule it carries a varint64.
//!
//! [`Section::contents`]: crate::module::Section::contents

use crate::error::{Error, ErrorKind, Result};
use crate::parse::{byte, count, fail, var_i32, var_i64, var_u32, vec_of, In, PResult, Window};
use std::ops::Range;

/// A relocation type, numbered as in the binary format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u8)]
#[allow(missing_docs)] // Each is documented by its row in `TABLE` and in `Linking.md`.
pub enum RelocType {
    FunctionIndexLeb = 0,
    TableIndexSleb = 1,
    TableIndexI32 = 2,
    MemoryAddrLeb = 3,
    MemoryAddrSleb = 4,
    MemoryAddrI32 = 5,
    TypeIndexLeb = 6,
    GlobalIndexLeb = 7,
    FunctionOffsetI32 = 8,
    SectionOffsetI32 = 9,
    TagIndexLeb = 10,
    MemoryAddrRelSleb = 11,
    TableIndexRelSleb = 12,
    GlobalIndexI32 = 13,
    MemoryAddrLeb64 = 14,
    MemoryAddrSleb64 = 15,
    MemoryAddrI64 = 16,
    MemoryAddrRelSleb64 = 17,
    TableIndexSleb64 = 18,
    TableIndexI64 = 19,
    TableNumberLeb = 20,
    MemoryAddrTlsSleb = 21,
    FunctionOffsetI64 = 22,
    MemoryAddrLocrelI32 = 23,
    TableIndexRelSleb64 = 24,
    MemoryAddrTlsSleb64 = 25,
    FunctionIndexI32 = 26,
    MemoryAddrLocrelI64 = 27,
}

/// How the patched field is encoded. LEBs in objects are always padded to their full width so
/// that patching never changes sizes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PatchWidth {
    /// 5-byte padded varuint32.
    Leb5,
    /// 5-byte padded varint32.
    Sleb5,
    /// 10-byte padded varuint64.
    Leb10,
    /// 10-byte padded varint64.
    Sleb10,
    /// Little-endian `u32`.
    I32,
    /// Little-endian `u64`.
    I64,
}

impl PatchWidth {
    /// The number of bytes patched.
    pub const fn size(self) -> usize {
        match self {
            PatchWidth::Leb5 | PatchWidth::Sleb5 => 5,
            PatchWidth::Leb10 | PatchWidth::Sleb10 => 10,
            PatchWidth::I32 => 4,
            PatchWidth::I64 => 8,
        }
    }

    /// Whether the field is a padded LEB128 (signed or not).
    pub const fn is_leb(self) -> bool {
        matches!(
            self,
            PatchWidth::Leb5 | PatchWidth::Sleb5 | PatchWidth::Leb10 | PatchWidth::Sleb10
        )
    }

    /// Whether the field holds a 64-bit value.
    pub const fn is_64(self) -> bool {
        matches!(
            self,
            PatchWidth::Leb10 | PatchWidth::Sleb10 | PatchWidth::I64
        )
    }
}

/// What the value written for a relocation is computed from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RelocTarget {
    /// The output index of a function symbol.
    Function,
    /// The table slot of a function symbol.
    Table,
    /// The memory address of a data symbol.
    Memory,
    /// A type index (the index is a type index, not a symbol).
    Type,
    /// The output index of a global symbol (or a GOT global for function and data symbols).
    Global,
    /// The offset of a function's body in the output code section.
    FunctionOffset,
    /// The offset of a section symbol's section in the output.
    SectionOffset,
    /// The output index of a tag symbol.
    Tag,
    /// The output number of a table symbol.
    TableNumber,
}

/// What an address or table slot counts from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RelocBase {
    /// Nothing: the value itself.
    Absolute,
    /// The module's base (`__memory_base` or `__table_base`, for position-independent code).
    Module,
    /// The address of the patched field itself (`LOCREL`).
    Place,
    /// `__tls_base`: an offset in the thread-local block.
    Tls,
}

/// One row of the relocation table.
struct Row {
    ty: RelocType,
    name: &'static str,
    width: PatchWidth,
    addend: bool,
    target: RelocTarget,
    base: RelocBase,
}

const fn row(
    ty: RelocType,
    name: &'static str,
    width: PatchWidth,
    addend: bool,
    target: RelocTarget,
) -> Row {
    Row {
        ty,
        name,
        width,
        addend,
        target,
        base: base_of(name.as_bytes()),
    }
}

/// The base of a type, from its LLVM name: `_REL_` types count from the module's base,
/// `_LOCREL_` ones from the patched place, `_TLS_` ones from `__tls_base`.
const fn base_of(name: &[u8]) -> RelocBase {
    if contains(name, b"_LOCREL_") {
        RelocBase::Place
    } else if contains(name, b"_REL_") {
        RelocBase::Module
    } else if contains(name, b"_TLS_") {
        RelocBase::Tls
    } else {
        RelocBase::Absolute
    }
}

/// `haystack` contains `needle` (a `const fn`: the table is built at compile time).
const fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    let mut i = 0;
    while i + needle.len() <= haystack.len() {
        let mut k = 0;
        while k < needle.len() && haystack[i + k] == needle[k] {
            k += 1;
        }
        if k == needle.len() {
            return true;
        }
        i += 1;
    }
    false
}

use PatchWidth::{Leb10, Leb5, Sleb10, Sleb5, I32, I64};
use RelocTarget as T;
use RelocType as R;

/// Every relocation type, indexed by its number.
const TABLE: [Row; 28] = [
    row(
        R::FunctionIndexLeb,
        "R_WASM_FUNCTION_INDEX_LEB",
        Leb5,
        false,
        T::Function,
    ),
    row(
        R::TableIndexSleb,
        "R_WASM_TABLE_INDEX_SLEB",
        Sleb5,
        false,
        T::Table,
    ),
    row(
        R::TableIndexI32,
        "R_WASM_TABLE_INDEX_I32",
        I32,
        false,
        T::Table,
    ),
    row(
        R::MemoryAddrLeb,
        "R_WASM_MEMORY_ADDR_LEB",
        Leb5,
        true,
        T::Memory,
    ),
    row(
        R::MemoryAddrSleb,
        "R_WASM_MEMORY_ADDR_SLEB",
        Sleb5,
        true,
        T::Memory,
    ),
    row(
        R::MemoryAddrI32,
        "R_WASM_MEMORY_ADDR_I32",
        I32,
        true,
        T::Memory,
    ),
    row(
        R::TypeIndexLeb,
        "R_WASM_TYPE_INDEX_LEB",
        Leb5,
        false,
        T::Type,
    ),
    row(
        R::GlobalIndexLeb,
        "R_WASM_GLOBAL_INDEX_LEB",
        Leb5,
        false,
        T::Global,
    ),
    row(
        R::FunctionOffsetI32,
        "R_WASM_FUNCTION_OFFSET_I32",
        I32,
        true,
        T::FunctionOffset,
    ),
    row(
        R::SectionOffsetI32,
        "R_WASM_SECTION_OFFSET_I32",
        I32,
        true,
        T::SectionOffset,
    ),
    row(R::TagIndexLeb, "R_WASM_TAG_INDEX_LEB", Leb5, false, T::Tag),
    row(
        R::MemoryAddrRelSleb,
        "R_WASM_MEMORY_ADDR_REL_SLEB",
        Sleb5,
        true,
        T::Memory,
    ),
    row(
        R::TableIndexRelSleb,
        "R_WASM_TABLE_INDEX_REL_SLEB",
        Sleb5,
        false,
        T::Table,
    ),
    row(
        R::GlobalIndexI32,
        "R_WASM_GLOBAL_INDEX_I32",
        I32,
        false,
        T::Global,
    ),
    row(
        R::MemoryAddrLeb64,
        "R_WASM_MEMORY_ADDR_LEB64",
        Leb10,
        true,
        T::Memory,
    ),
    row(
        R::MemoryAddrSleb64,
        "R_WASM_MEMORY_ADDR_SLEB64",
        Sleb10,
        true,
        T::Memory,
    ),
    row(
        R::MemoryAddrI64,
        "R_WASM_MEMORY_ADDR_I64",
        I64,
        true,
        T::Memory,
    ),
    row(
        R::MemoryAddrRelSleb64,
        "R_WASM_MEMORY_ADDR_REL_SLEB64",
        Sleb10,
        true,
        T::Memory,
    ),
    row(
        R::TableIndexSleb64,
        "R_WASM_TABLE_INDEX_SLEB64",
        Sleb10,
        false,
        T::Table,
    ),
    row(
        R::TableIndexI64,
        "R_WASM_TABLE_INDEX_I64",
        I64,
        false,
        T::Table,
    ),
    row(
        R::TableNumberLeb,
        "R_WASM_TABLE_NUMBER_LEB",
        Leb5,
        false,
        T::TableNumber,
    ),
    row(
        R::MemoryAddrTlsSleb,
        "R_WASM_MEMORY_ADDR_TLS_SLEB",
        Sleb5,
        true,
        T::Memory,
    ),
    row(
        R::FunctionOffsetI64,
        "R_WASM_FUNCTION_OFFSET_I64",
        I64,
        true,
        T::FunctionOffset,
    ),
    row(
        R::MemoryAddrLocrelI32,
        "R_WASM_MEMORY_ADDR_LOCREL_I32",
        I32,
        true,
        T::Memory,
    ),
    row(
        R::TableIndexRelSleb64,
        "R_WASM_TABLE_INDEX_REL_SLEB64",
        Sleb10,
        false,
        T::Table,
    ),
    row(
        R::MemoryAddrTlsSleb64,
        "R_WASM_MEMORY_ADDR_TLS_SLEB64",
        Sleb10,
        true,
        T::Memory,
    ),
    row(
        R::FunctionIndexI32,
        "R_WASM_FUNCTION_INDEX_I32",
        I32,
        false,
        T::Function,
    ),
    row(
        R::MemoryAddrLocrelI64,
        "R_WASM_MEMORY_ADDR_LOCREL_I64",
        I64,
        true,
        T::Memory,
    ),
];

impl RelocType {
    /// The type with this number, if there is one.
    #[inline]
    pub const fn from_u8(b: u8) -> Option<RelocType> {
        if (b as usize) < TABLE.len() {
            Some(TABLE[b as usize].ty)
        } else {
            None
        }
    }

    const fn row(self) -> &'static Row {
        &TABLE[self as usize]
    }

    /// The LLVM name, e.g. `R_WASM_FUNCTION_INDEX_LEB`.
    pub const fn name(self) -> &'static str {
        self.row().name
    }

    /// How the patched field is encoded.
    #[inline]
    pub const fn width(self) -> PatchWidth {
        self.row().width
    }

    /// Whether an addend follows the index in the section (and is added to the value).
    #[inline]
    pub const fn has_addend(self) -> bool {
        self.row().addend
    }

    /// What the value is computed from.
    #[inline]
    pub const fn target(self) -> RelocTarget {
        self.row().target
    }

    /// What an address or table slot counts from.
    #[inline]
    pub const fn base(self) -> RelocBase {
        self.row().base
    }

    /// Whether the value is an index into an index space (function, table slot, type,
    /// global, tag, table), as opposed to an address or an offset in a section.
    #[inline]
    pub const fn names_an_index(self) -> bool {
        !matches!(
            self.target(),
            RelocTarget::Memory | RelocTarget::FunctionOffset | RelocTarget::SectionOffset
        )
    }

    /// Whether the patched field is 64-bit; such types carry a 64-bit addend.
    #[inline]
    pub const fn is_64(self) -> bool {
        self.width().is_64()
    }
}

/// A decoded `reloc.*` section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RelocSection {
    /// Index (position in the file) of the section the relocations patch.
    pub target_section: u32,
    /// The relocations, in file order.
    pub relocs: Vec<Reloc>,
}

/// One relocation. Packed to 4-byte alignment: 20 bytes instead of 24, and big links hold
/// millions of them. Read its fields by value (`{ r.addend }` in a format string): a packed
/// field cannot be borrowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(C, packed(4))]
pub struct Reloc {
    /// The type.
    pub ty: RelocType,
    /// Offset of the patched field in the target section's contents.
    pub offset: u32,
    /// A symbol index, or a type index for `R_WASM_TYPE_INDEX_LEB`.
    pub index: u32,
    /// The addend (0 for types without one).
    pub addend: i64,
}

impl Reloc {
    /// The bytes of the target section's contents this relocation patches.
    pub fn range(&self) -> Range<usize> {
        let start = self.offset as usize;
        start..start + self.ty.width().size()
    }
}

/// Parses the contents of a `reloc.*` custom section (after its name). One allocation per
/// section; the count is checked against the section size first.
pub fn parse_reloc_section(w: Window<'_>) -> Result<RelocSection> {
    w.parse_all("the relocation section", reloc_section)
}

fn reloc_section(i: In<'_>) -> PResult<'_, RelocSection> {
    let (i, target_section) = var_u32(i)?;
    let (i, relocs) = vec_of("relocations", 3, reloc)(i)?;
    Ok((
        i,
        RelocSection {
            target_section,
            relocs,
        },
    ))
}

/// A `reloc.*` section read lazily: the target and the count are read up front, the entries are
/// decoded each time they are iterated. Debug sections carry millions of relocations that are
/// each used once, when their section is copied, so holding them decoded would cost more
/// memory than the section itself.
#[derive(Debug, Clone, Copy)]
pub struct LazyRelocs<'a> {
    /// Index (position in the file) of the section the relocations patch.
    pub target_section: u32,
    /// The encoded entries (after the count).
    entries: Window<'a>,
    count: u32,
}

impl Default for LazyRelocs<'_> {
    fn default() -> Self {
        LazyRelocs {
            target_section: 0,
            entries: Window::new(&[], 0),
            count: 0,
        }
    }
}

/// Reads the header of a `reloc.*` section (after its name); the count is checked against the
/// section size. [`LazyRelocs::check`] decodes the entries once to validate them.
pub fn read_reloc_section(w: Window<'_>) -> Result<LazyRelocs<'_>> {
    let (rest, (target_section, count)) = w.parse_prefix(|i| {
        let (i, target) = var_u32(i)?;
        let (i, n) = count("relocations", 3)(i)?;
        Ok((i, (target, n)))
    })?;
    Ok(LazyRelocs {
        target_section,
        entries: rest,
        count,
    })
}

impl<'a> LazyRelocs<'a> {
    /// The encoded entries (after the count).
    pub fn entries(&self) -> Window<'a> {
        self.entries
    }

    /// The number of relocations.
    pub fn len(&self) -> usize {
        self.count as usize
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// Decodes every entry, in file order, handing each to `f`; fails exactly where
    /// [`parse_reloc_section`] would (a malformed entry or trailing bytes).
    pub fn check(&self, mut f: impl FnMut(Reloc)) -> Result<()> {
        self.try_for_each(|_, r| {
            f(r);
            Ok(())
        })
    }

    /// Decodes every entry, in file order, handing `f` each with the absolute offset of its
    /// entry (for errors about it); stops at `f`'s first error, or where [`check`](Self::check)
    /// would fail.
    pub fn try_for_each(&self, mut f: impl FnMut(usize, Reloc) -> Result<()>) -> Result<()> {
        let mut rest = self.entries.bytes;
        for _ in 0..self.count {
            let (r, v) = match reloc_short(rest) {
                Some((len, v)) => (&rest[len..], v),
                None => reloc(rest).map_err(|e| self.entries.error(e))?,
            };
            f(self.entries.offset_of(rest), v)?;
            rest = r;
        }
        if !rest.is_empty() {
            return Err(Error::new(
                self.entries.offset_of(rest),
                ErrorKind::TrailingBytes {
                    what: "the relocation section",
                    remaining: rest.len(),
                },
            ));
        }
        Ok(())
    }

    /// The relocations in file order. Iteration stops at a malformed entry, so call
    /// [`check`](Self::check) once first.
    pub fn iter(&self) -> RelocIter<'a> {
        RelocIter {
            rest: self.entries.bytes,
            remaining: self.count,
        }
    }
}

/// The relocations of a [`LazyRelocs`], decoded one by one.
#[derive(Debug, Clone)]
pub struct RelocIter<'a> {
    rest: In<'a>,
    remaining: u32,
}

impl Iterator for RelocIter<'_> {
    type Item = Reloc;

    #[inline(always)]
    fn next(&mut self) -> Option<Reloc> {
        if self.remaining == 0 {
            return None;
        }
        self.remaining -= 1;
        if let Some((len, r)) = reloc_short(self.rest) {
            self.rest = &self.rest[len..];
            return Some(r);
        }
        match reloc(self.rest) {
            Ok((rest, r)) => {
                self.rest = rest;
                Some(r)
            }
            Err(_) => {
                self.remaining = 0;
                None
            }
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (0, Some(self.remaining as usize))
    }
}

/// The entry at the start of `i` and its length, if its numbers take the short forms that
/// nearly every entry uses (LEB128s of at most four bytes, which cannot overflow): decoded
/// without building a parse result. `None` leaves the entry to [`reloc`], which decodes the
/// long forms and reports what is malformed.
#[inline(always)]
fn reloc_short(i: In<'_>) -> Option<(usize, Reloc)> {
    let ty = RelocType::from_u8(*i.first()?)?;
    let mut at = 1;
    let offset = short_leb(i, &mut at, false)? as u32;
    let index = short_leb(i, &mut at, false)? as u32;
    let addend = match ty.has_addend() {
        true => short_leb(i, &mut at, true)?,
        false => 0,
    };
    let r = Reloc {
        ty,
        offset,
        index,
        addend,
    };
    Some((at, r))
}

/// A LEB128 of at most four bytes at `i[*at..]`, sign-extended if `signed` (28 bits: the
/// same value at any width); moves `at` past it.
#[inline(always)]
fn short_leb(i: In<'_>, at: &mut usize, signed: bool) -> Option<i64> {
    let mut value = 0i64;
    for k in 0..4 {
        let b = *i.get(*at + k)?;
        value |= i64::from(b & 0x7f) << (7 * k);
        if b < 0x80 {
            *at += k + 1;
            let unused = 64 - 7 * (k as u32 + 1);
            return Some(match signed {
                true => (value << unused) >> unused,
                false => value,
            });
        }
    }
    None
}

#[inline]
fn reloc(i: In<'_>) -> PResult<'_, Reloc> {
    let (rest, b) = byte("a relocation type")(i)?;
    let Some(ty) = RelocType::from_u8(b) else {
        return fail(
            i,
            ErrorKind::Invalid {
                expected: "a relocation type (0 to 27)",
                found: b.into(),
            },
        );
    };
    let (rest, offset) = fast_u32(rest)?;
    let (rest, index) = fast_u32(rest)?;
    let (rest, addend) = match (ty.has_addend(), ty.is_64()) {
        (false, _) => (rest, 0),
        (true, false) => var_i32(rest).map(|(r, a)| (r, i64::from(a)))?,
        (true, true) => var_i64(rest)?,
    };
    Ok((
        rest,
        Reloc {
            ty,
            offset,
            index,
            addend,
        },
    ))
}

/// A varuint32 ([`var_u32`] has the inline fast path).
#[inline(always)]
fn fast_u32(i: In<'_>) -> PResult<'_, u32> {
    var_u32(i)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::linking::test_util::*;

    #[test]
    fn table_rows_are_in_order() {
        for (n, r) in TABLE.iter().enumerate() {
            assert_eq!(r.ty as usize, n, "{}", r.name);
            assert_eq!(RelocType::from_u8(n as u8), Some(r.ty));
            assert!(r.name.starts_with("R_WASM_"));
        }
        assert_eq!(RelocType::from_u8(28), None);
        assert_eq!(RelocType::from_u8(255), None);
    }

    #[test]
    fn bases_follow_the_names() {
        use RelocBase::*;
        let expect = [
            (R::TableIndexSleb, Absolute),
            (R::MemoryAddrI64, Absolute),
            (R::TableIndexRelSleb, Module),
            (R::TableIndexRelSleb64, Module),
            (R::MemoryAddrRelSleb, Module),
            (R::MemoryAddrRelSleb64, Module),
            (R::MemoryAddrLocrelI32, Place),
            (R::MemoryAddrLocrelI64, Place),
            (R::MemoryAddrTlsSleb, Tls),
            (R::MemoryAddrTlsSleb64, Tls),
        ];
        for (ty, base) in expect {
            assert_eq!(ty.base(), base, "{}", ty.name());
        }
        let relative = TABLE.iter().filter(|r| r.base != Absolute).count();
        assert_eq!(
            relative,
            expect.len() - 2,
            "every relative type is listed above"
        );
        assert!(R::TableIndexI32.names_an_index() && !R::MemoryAddrLeb.names_an_index());
        assert!(!R::SectionOffsetI32.names_an_index() && R::TypeIndexLeb.names_an_index());
    }

    #[test]
    fn widths_addends_and_targets() {
        assert_eq!(R::FunctionIndexLeb.name(), "R_WASM_FUNCTION_INDEX_LEB");
        assert_eq!(
            R::MemoryAddrLocrelI64.name(),
            "R_WASM_MEMORY_ADDR_LOCREL_I64"
        );
        assert_eq!(R::MemoryAddrSleb64.width().size(), 10);
        assert_eq!(R::FunctionOffsetI64.width(), PatchWidth::I64);
        assert_eq!(R::GlobalIndexI32.width().size(), 4);
        assert_eq!(R::TableIndexSleb.target(), RelocTarget::Table);
        assert_eq!(R::TypeIndexLeb.target(), RelocTarget::Type);
        let with_addend: Vec<u8> = TABLE
            .iter()
            .filter(|r| r.addend)
            .map(|r| r.ty as u8)
            .collect();
        assert_eq!(
            with_addend,
            vec![3, 4, 5, 8, 9, 11, 14, 15, 16, 17, 21, 22, 23, 25, 27]
        );
        let wide: Vec<u8> = TABLE
            .iter()
            .filter(|r| r.ty.is_64())
            .map(|r| r.ty as u8)
            .collect();
        assert_eq!(wide, vec![14, 15, 16, 17, 18, 19, 22, 24, 25, 27]);
    }

    fn reloc_bytes() -> Vec<u8> {
        let mut b = vec![3, 5];
        // FUNCTION_INDEX_LEB at 0x86 (two-byte LEB) to symbol 2: no addend.
        b.extend_from_slice(&[0, 0x86, 0x01, 2]);
        // MEMORY_ADDR_SLEB with addend -4.
        b.extend_from_slice(&[4, 0x10, 3]);
        sleb(&mut b, -4);
        // MEMORY_ADDR_I64 with a 64-bit addend.
        b.extend_from_slice(&[16, 0x20, 1]);
        sleb(&mut b, 1 << 40);
        // TYPE_INDEX_LEB: index is a type index.
        b.extend_from_slice(&[6, 0x30, 7]);
        // SECTION_OFFSET_I32 with addend 300.
        b.extend_from_slice(&[9, 0x40, 11]);
        sleb(&mut b, 300);
        b
    }

    #[test]
    fn parses_entries_with_and_without_addends() {
        let s = parse_reloc_section(Window::new(&reloc_bytes(), BASE)).unwrap();
        assert_eq!(s.target_section, 3);
        let r = &s.relocs;
        assert_eq!(r.len(), 5);
        assert_eq!(
            r[0],
            Reloc {
                ty: R::FunctionIndexLeb,
                offset: 0x86,
                index: 2,
                addend: 0
            }
        );
        assert_eq!(r[0].range(), 0x86..0x8b);
        assert_eq!(
            r[1],
            Reloc {
                ty: R::MemoryAddrSleb,
                offset: 0x10,
                index: 3,
                addend: -4
            }
        );
        assert_eq!(
            r[2],
            Reloc {
                ty: R::MemoryAddrI64,
                offset: 0x20,
                index: 1,
                addend: 1 << 40
            }
        );
        assert_eq!(
            r[3],
            Reloc {
                ty: R::TypeIndexLeb,
                offset: 0x30,
                index: 7,
                addend: 0
            }
        );
        assert_eq!(
            r[4],
            Reloc {
                ty: R::SectionOffsetI32,
                offset: 0x40,
                index: 11,
                addend: 300
            }
        );
    }

    #[test]
    fn fast_leb_agrees_with_the_shared_one() {
        let mut cases: Vec<Vec<u8>> = vec![
            vec![],
            vec![0x80],
            vec![0xff; 5],
            vec![0x80, 0x80, 0x80, 0x80, 0x10],
        ];
        cases.push(vec![0xff, 0xff, 0xff, 0xff, 0x0f, 9]);
        cases.push(vec![0x80, 0x80, 0x80, 0x80, 0x80, 0x00]);
        for v in [0u64, 1, 127, 128, 300, 0x1f_ffff, 0xffff_ffff] {
            let mut b = Vec::new();
            leb(&mut b, v);
            b.push(7);
            cases.push(b);
        }
        cases.push(vec![0x83, 0x80, 0x80, 0x80, 0x00]);
        let mut rng = XorShift(7);
        cases.extend((0..2000).map(|_| (0..rng.next() % 7).map(|_| rng.next() as u8).collect()));
        for c in &cases {
            let w = Window::new(c, BASE);
            let fast = w.parse_prefix(fast_u32).map(|(r, v)| (r.offset, v));
            let slow = w
                .parse_prefix(crate::parse::var_u32_slow)
                .map(|(r, v)| (r.offset, v));
            assert_eq!(fast, slow, "{c:x?}");
        }
    }

    /// Wherever the short decoder answers, it answers as the full parser does: entries of
    /// every type, with numbers in every LEB length (padded ones too) and random bytes.
    #[test]
    fn short_entries_decode_as_the_full_parser_does() {
        let mut rng = XorShift(11);
        let mut cases: Vec<Vec<u8>> = Vec::new();
        for ty in 0..30u8 {
            for v in [
                0i64,
                1,
                -1,
                63,
                -64,
                64,
                127,
                128,
                -8192,
                0x7ff_ffff,
                -0x800_0000,
                1 << 40,
            ] {
                let mut b = vec![ty];
                leb(&mut b, v.unsigned_abs() & 0xffff_ffff);
                b.extend([0x85, 0x80, 0x80, 0x80, 0x00]);
                sleb(&mut b, v);
                b.push(0x2a);
                cases.push(b);
            }
        }
        cases.extend((0..20_000).map(|_| {
            let len = rng.next() % 16;
            let mut b: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
            if let Some(t) = b.first_mut() {
                *t %= 30;
            }
            b
        }));
        let mut short = 0;
        for c in &cases {
            let Some((len, r)) = reloc_short(c) else {
                continue;
            };
            short += 1;
            let (rest, full) = reloc(c).expect("the full parser accepts what the short one does");
            assert_eq!((c.len() - rest.len(), r), (len, full), "{c:x?}");
        }
        assert!(short > 500, "only {short} cases took the short path");
    }

    /// Big links hold millions of decoded relocations and symbol entries: their sizes are
    /// a good part of the peak memory.
    #[test]
    fn relocations_and_symbol_entries_stay_small() {
        assert_eq!(std::mem::size_of::<Reloc>(), 20);
        assert_eq!(std::mem::size_of::<crate::linking::SymbolInfo<'_>>(), 48);
    }

    #[test]
    fn a_32_bit_addend_may_not_overflow() {
        let mut b = vec![0, 1, 5, 0, 0];
        sleb(&mut b, 1 << 40);
        assert!(parse_reloc_section(Window::new(&b, BASE)).is_err());
    }

    #[test]
    fn unknown_type_names_byte_and_offset() {
        let b = [0, 2, 0, 0, 0, 28, 0, 0];
        let err = parse_reloc_section(Window::new(&b, BASE)).unwrap_err();
        assert_eq!(err.offset(), BASE + 5);
        assert_eq!(
            err.kind(),
            &ErrorKind::Invalid {
                expected: "a relocation type (0 to 27)",
                found: 28
            }
        );
    }

    #[test]
    fn huge_count_is_count_too_large() {
        let b = [0, 0xff, 0xff, 0xff, 0xff, 0x0f, 0, 0, 0];
        let err = parse_reloc_section(Window::new(&b, BASE)).unwrap_err();
        assert!(
            matches!(err.kind(), ErrorKind::CountTooLarge { .. }),
            "{err}"
        );
        assert_eq!(err.offset(), BASE + 1);
    }

    #[test]
    fn trailing_bytes_are_an_error() {
        let b = [0, 1, 0, 0, 0, 0];
        let err = parse_reloc_section(Window::new(&b, BASE)).unwrap_err();
        assert!(
            matches!(err.kind(), ErrorKind::TrailingBytes { remaining: 1, .. }),
            "{err}"
        );
    }

    #[test]
    fn every_truncation_is_an_error_inside_the_input() {
        check_truncations(&reloc_bytes(), &[], |w| parse_reloc_section(w).map(drop));
    }

    #[test]
    fn garbage_never_panics() {
        check_garbage(&reloc_bytes(), |w| parse_reloc_section(w).map(drop));
    }

    /// The lazy reader must give the eager parser's relocations and errors on any input.
    fn lazy(w: Window<'_>) -> Result<RelocSection> {
        let lazy = read_reloc_section(w)?;
        let mut relocs = Vec::new();
        lazy.check(|r| relocs.push(r))?;
        assert_eq!(lazy.iter().collect::<Vec<_>>(), relocs);
        assert_eq!(lazy.len(), relocs.len());
        Ok(RelocSection {
            target_section: lazy.target_section,
            relocs,
        })
    }

    #[test]
    fn lazy_reader_equals_the_eager_parser() {
        let bytes = reloc_bytes();
        let mut inputs: Vec<Vec<u8>> = (0..=bytes.len()).map(|n| bytes[..n].to_vec()).collect();
        inputs.push(vec![0, 1, 0, 0, 0, 0]);
        inputs.push(vec![0, 2, 0, 0, 0, 28, 0, 0]);
        let mut rng = XorShift(11);
        for _ in 0..3000 {
            let mut b = bytes.clone();
            let k = rng.next() as usize % b.len();
            b[k] = rng.next() as u8;
            inputs.push(b);
        }
        for b in &inputs {
            let w = Window::new(b, BASE);
            assert_eq!(lazy(w), parse_reloc_section(w), "{b:x?}");
        }
    }
}
