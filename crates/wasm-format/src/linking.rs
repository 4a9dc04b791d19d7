//! The `linking` custom section of relocatable objects (tool-conventions `Linking.md`): the
//! symbol table, data segment names and flags, init functions and comdats. The linker builds its
//! symbols from [`Linking::symbols`]; every `reloc.*` entry names a symbol by its position there.
//!
//! Also home of `subsections`, the `(id:u8, size:varuint32, payload)` framing shared with the
//! `name` and `dylink.0` sections.

use crate::error::{Error, ErrorKind, Result};
use crate::parse::{byte, count, fail, name, take, var_u32, var_u64, vec_of, In, PResult, Window};
use std::fmt;
use std::ops::Range;

/// The only `linking` metadata version in use; version 1 subsections are obsolete.
pub const LINKING_VERSION: u32 = 2;

const SEGMENT_INFO: u8 = 5;
pub(crate) const INIT_FUNCS: u8 = 6;
pub(crate) const COMDAT_INFO: u8 = 7;
pub(crate) const SYMBOL_TABLE: u8 = 8;

/// The decoded `linking` section.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Linking<'a> {
    /// The metadata version (always [`LINKING_VERSION`] once parsed).
    pub version: u32,
    /// One entry per data segment, in data-section order.
    pub segments: Vec<SegmentInfo<'a>>,
    /// Functions to call at startup, in file order (the linker sorts them by priority).
    pub init_funcs: Vec<InitFunc>,
    /// Comdat groups defined by this object.
    pub comdats: Vec<Comdat<'a>>,
    /// The members of every comdat group, group after group ([`Comdat::members`]).
    pub comdat_members: Vec<ComdatMember>,
    /// The symbol table; relocations and init functions index into it.
    pub symbols: Vec<SymbolInfo<'a>>,
    /// Ids of subsections that were skipped because they are not known (in file order).
    pub unknown_subsections: Vec<u8>,
}

/// Name, alignment and flags of one data segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SegmentInfo<'a> {
    /// The segment name, e.g. `.rodata.str1.1`; the linker groups output segments by it.
    pub name: &'a str,
    /// Alignment as a power of two (below 32).
    pub p2align: u32,
    /// `STRINGS`, `TLS`, `RETAIN`.
    pub flags: SegmentFlags,
}

impl SegmentInfo<'_> {
    /// The alignment in bytes.
    pub fn align(&self) -> u32 {
        1 << self.p2align
    }
}

/// Flags of a data segment.
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct SegmentFlags(pub u32);

impl SegmentFlags {
    /// The segment holds NUL-terminated strings that may be merged.
    pub const STRINGS: u32 = 0x1;
    /// The segment is thread-local.
    pub const TLS: u32 = 0x2;
    /// The segment is kept whenever its object is linked (a GC root).
    pub const RETAIN: u32 = 0x4;

    /// Whether the segment holds mergeable strings.
    pub fn is_strings(self) -> bool {
        self.0 & Self::STRINGS != 0
    }

    /// Whether the segment is thread-local.
    pub fn is_tls(self) -> bool {
        self.0 & Self::TLS != 0
    }

    /// Whether the segment must be kept.
    pub fn is_retain(self) -> bool {
        self.0 & Self::RETAIN != 0
    }

    /// The names of the set bits, unknown ones in hex, for printing.
    pub fn names(self) -> Vec<&'static str> {
        bit_names(self.0, &SEGMENT_FLAG_NAMES)
    }
}

/// A function to call at startup.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct InitFunc {
    /// Lower priorities run first.
    pub priority: u32,
    /// Index of a function symbol in [`Linking::symbols`].
    pub symbol: u32,
}

/// A comdat group: of all objects that define a group with this name, only the first is kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comdat<'a> {
    /// The group name.
    pub name: &'a str,
    /// Reserved flags (0 in every known producer).
    pub flags: u32,
    /// The segments, functions and sections that belong to the group: a range of
    /// [`Linking::comdat_members`]. One vector holds every group's, as C++ objects have a group
    /// per inline function (150 k in a C++ `-g` link), nearly all of one member.
    pub members: Range<u32>,
}

impl Comdat<'_> {
    /// The group's members, of `all` (the object's [`Linking::comdat_members`]).
    pub fn members_of<'m>(&self, all: &'m [ComdatMember]) -> &'m [ComdatMember] {
        &all[self.members.start as usize..self.members.end as usize]
    }
}

/// One member of a comdat group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ComdatMember {
    /// What the index refers to.
    pub kind: ComdatKind,
    /// A data segment, function, global, tag or table index, or a section index.
    pub index: u32,
}

/// What a comdat member is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ComdatKind {
    /// A data segment (0).
    Data,
    /// A function (1).
    Function,
    /// A global (2).
    Global,
    /// A tag, once called event (3).
    Tag,
    /// A table (4).
    Table,
    /// A custom section (5).
    Section,
}

impl ComdatKind {
    /// The kind for its encoding, if known.
    pub const fn from_u32(v: u32) -> Option<ComdatKind> {
        Some(match v {
            0 => ComdatKind::Data,
            1 => ComdatKind::Function,
            2 => ComdatKind::Global,
            3 => ComdatKind::Tag,
            4 => ComdatKind::Table,
            5 => ComdatKind::Section,
            _ => return None,
        })
    }
}

/// One entry of the symbol table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SymbolInfo<'a> {
    /// Binding, visibility and the other flags.
    pub flags: SymbolFlags,
    /// The symbol name. `None` for section symbols, and for undefined function, global, tag and
    /// table symbols without `EXPLICIT_NAME`, whose name is the import's field name.
    pub name: Option<&'a str>,
    /// The kind, with what it refers to.
    pub kind: SymbolKind,
}

impl SymbolInfo<'_> {
    /// Whether the symbol is defined by this object.
    pub fn is_defined(&self) -> bool {
        !self.flags.is_undefined()
    }
}

/// What a symbol refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SymbolKind {
    /// A function; the index counts imported functions first.
    Function {
        /// Function index in the object.
        index: u32,
    },
    /// Data: a range of a data segment, or nothing if undefined.
    Data {
        /// Where the data lives, for defined symbols.
        def: Option<DataDef>,
    },
    /// A global; the index counts imported globals first.
    Global {
        /// Global index in the object.
        index: u32,
    },
    /// A section, for relocations from debug info into other sections.
    Section {
        /// Section index in the object.
        section: u32,
    },
    /// An exception tag; the index counts imported tags first.
    Tag {
        /// Tag index in the object.
        index: u32,
    },
    /// A table; the index counts imported tables first.
    Table {
        /// Table index in the object.
        index: u32,
    },
}

/// Where a defined data symbol lives. Packed to 4-byte alignment, which makes every
/// [`SymbolInfo`] 48 bytes instead of 56. Read its fields by value: a packed field cannot be
/// borrowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(C, packed(4))]
pub struct DataDef {
    /// Data segment index (ignored for `ABSOLUTE` symbols).
    pub segment: u32,
    /// Offset in the segment (or the address, for `ABSOLUTE` symbols).
    pub offset: u64,
    /// Size in bytes.
    pub size: u64,
}

/// Flags of a symbol.
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct SymbolFlags(pub u32);

impl SymbolFlags {
    /// Weak binding: another definition may replace this one; undefined is allowed.
    pub const BINDING_WEAK: u32 = 0x1;
    /// Local binding: not visible to other objects.
    pub const BINDING_LOCAL: u32 = 0x2;
    /// Hidden visibility: not exported from the linked module.
    pub const VISIBILITY_HIDDEN: u32 = 0x4;
    /// The symbol is an import (for data: has no definition).
    pub const UNDEFINED: u32 = 0x10;
    /// The symbol must be exported (`export_name`).
    pub const EXPORTED: u32 = 0x20;
    /// The symbol name differs from the import's field name and is stored.
    pub const EXPLICIT_NAME: u32 = 0x40;
    /// The symbol is a GC root.
    pub const NO_STRIP: u32 = 0x80;
    /// The symbol is thread-local.
    pub const TLS: u32 = 0x100;
    /// The data symbol's offset is an absolute address, not a segment offset.
    pub const ABSOLUTE: u32 = 0x200;
    const BINDING_MASK: u32 = 0x3;

    fn has(self, bit: u32) -> bool {
        self.0 & bit != 0
    }

    /// Weak binding.
    pub fn is_weak(self) -> bool {
        self.0 & Self::BINDING_MASK == Self::BINDING_WEAK
    }

    /// Local binding.
    pub fn is_local(self) -> bool {
        self.0 & Self::BINDING_MASK == Self::BINDING_LOCAL
    }

    /// Global binding (neither weak nor local).
    pub fn is_global(self) -> bool {
        self.0 & Self::BINDING_MASK == 0
    }

    /// Hidden visibility.
    pub fn is_hidden(self) -> bool {
        self.has(Self::VISIBILITY_HIDDEN)
    }

    /// Undefined (an import).
    pub fn is_undefined(self) -> bool {
        self.has(Self::UNDEFINED)
    }

    /// Must be exported.
    pub fn is_exported(self) -> bool {
        self.has(Self::EXPORTED)
    }

    /// Carries its own name although it is an import.
    pub fn has_explicit_name(self) -> bool {
        self.has(Self::EXPLICIT_NAME)
    }

    /// A GC root.
    pub fn no_strip(self) -> bool {
        self.has(Self::NO_STRIP)
    }

    /// Thread-local.
    pub fn is_tls(self) -> bool {
        self.has(Self::TLS)
    }

    /// An absolute data address.
    pub fn is_absolute(self) -> bool {
        self.has(Self::ABSOLUTE)
    }

    /// The names of the set bits (`WEAK`, `HIDDEN`, ...; unknown bits in hex), for printing.
    pub fn names(self) -> Vec<&'static str> {
        bit_names(self.0, &SYMBOL_FLAG_NAMES)
    }
}

impl fmt::Debug for SymbolFlags {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SymbolFlags({})", self.names().join("|"))
    }
}

impl fmt::Display for SymbolFlags {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.names().join(" "))
    }
}

impl fmt::Debug for SegmentFlags {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SegmentFlags({})", self.names().join("|"))
    }
}

/// Every single bit of a `u32` in hex: the names of unknown flag bits.
const HEX_BITS: [&str; 32] = [
    "0x1",
    "0x2",
    "0x4",
    "0x8",
    "0x10",
    "0x20",
    "0x40",
    "0x80",
    "0x100",
    "0x200",
    "0x400",
    "0x800",
    "0x1000",
    "0x2000",
    "0x4000",
    "0x8000",
    "0x10000",
    "0x20000",
    "0x40000",
    "0x80000",
    "0x100000",
    "0x200000",
    "0x400000",
    "0x800000",
    "0x1000000",
    "0x2000000",
    "0x4000000",
    "0x8000000",
    "0x10000000",
    "0x20000000",
    "0x40000000",
    "0x80000000",
];

const SYMBOL_FLAG_NAMES: [&str; 32] = {
    let mut t = HEX_BITS;
    t[0] = "WEAK";
    t[1] = "LOCAL";
    t[2] = "HIDDEN";
    t[4] = "UNDEFINED";
    t[5] = "EXPORTED";
    t[6] = "EXPLICIT_NAME";
    t[7] = "NO_STRIP";
    t[8] = "TLS";
    t[9] = "ABSOLUTE";
    t
};

const SEGMENT_FLAG_NAMES: [&str; 32] = {
    let mut t = HEX_BITS;
    t[0] = "STRINGS";
    t[1] = "TLS";
    t[2] = "RETAIN";
    t
};

fn bit_names(bits: u32, names: &[&'static str; 32]) -> Vec<&'static str> {
    (0..32)
        .filter(|b| bits & (1 << b) != 0)
        .map(|b| names[b])
        .collect()
}

/// Parses the contents of a `linking` custom section (after its name).
pub fn parse_linking(w: Window<'_>) -> Result<Linking<'_>> {
    let (body, version) = w.parse_prefix(var_u32)?;
    if version != LINKING_VERSION {
        let kind = ErrorKind::Invalid {
            expected: "linking metadata version 2",
            found: u64::from(version),
        };
        return Err(Error::new(w.offset, kind));
    }
    let mut linking = Linking {
        version,
        ..Linking::default()
    };
    subsections(body, "each linking subsection at most once", |id, sub| {
        linking.add_subsection(id, sub)
    })?;
    Ok(linking)
}

impl<'a> Linking<'a> {
    fn add_subsection(&mut self, id: u8, sub: Window<'a>) -> Result<bool> {
        match id {
            SEGMENT_INFO => {
                self.segments =
                    sub.parse_all("segment info", vec_of("segments", 3, segment_info))?
            }
            INIT_FUNCS => {
                self.init_funcs =
                    sub.parse_all("init functions", vec_of("init functions", 2, init_func))?
            }
            COMDAT_INFO => {
                let members = &mut self.comdat_members;
                members.clear();
                let comdats = vec_of("comdats", 3, |i| comdat(i, members));
                self.comdats = sub.parse_all("comdat info", comdats)?
            }
            SYMBOL_TABLE => {
                self.symbols = sub.parse_all("the symbol table", vec_of("symbols", 3, symbol))?
            }
            _ => {
                self.unknown_subsections.push(id);
                return Ok(false);
            }
        }
        Ok(true)
    }
}

/// Walks the `(id:u8, size:varuint32, payload)` subsections of `w`, calling `visit` with each
/// id and payload window. `visit` returns whether it knew the id; a known id seen twice is an
/// error (`once` says so), since every format using this framing allows each subsection once.
pub(crate) fn subsections<'a>(
    w: Window<'a>,
    once: &'static str,
    mut visit: impl FnMut(u8, Window<'a>) -> Result<bool>,
) -> Result<()> {
    let mut seen = [false; 256];
    let mut rest = w;
    while !rest.is_empty() {
        let (next, (id, payload)) = rest.parse_prefix(subsection)?;
        let first = !seen[usize::from(id)];
        if visit(id, rest.tail(payload))? {
            if !first {
                let kind = ErrorKind::Invalid {
                    expected: once,
                    found: u64::from(id),
                };
                return Err(Error::new(rest.offset, kind));
            }
            seen[usize::from(id)] = true;
        }
        rest = next;
    }
    Ok(())
}

fn subsection(i: In<'_>) -> PResult<'_, (u8, &[u8])> {
    let (i, id) = byte("a subsection id")(i)?;
    let (i, size) = var_u32(i)?;
    let (i, payload) = take(
        size as usize,
        "subsection contents (size exceeds the section)",
    )(i)?;
    Ok((i, (id, payload)))
}

fn segment_info(i: In<'_>) -> PResult<'_, SegmentInfo<'_>> {
    let (i, name) = name(i)?;
    let at = i;
    let (i, p2align) = var_u32(i)?;
    if p2align >= 32 {
        return fail(
            at,
            ErrorKind::Invalid {
                expected: "a segment alignment (p2align) below 32",
                found: p2align.into(),
            },
        );
    }
    let (i, flags) = var_u32(i)?;
    Ok((
        i,
        SegmentInfo {
            name,
            p2align,
            flags: SegmentFlags(flags),
        },
    ))
}

pub(crate) fn init_func(i: In<'_>) -> PResult<'_, InitFunc> {
    let (i, priority) = var_u32(i)?;
    let (i, symbol) = var_u32(i)?;
    Ok((i, InitFunc { priority, symbol }))
}

/// A comdat group, its members appended to `members`.
pub(crate) fn comdat<'a>(i: In<'a>, members: &mut Vec<ComdatMember>) -> PResult<'a, Comdat<'a>> {
    let (i, name) = name(i)?;
    let (i, flags) = var_u32(i)?;
    let (mut i, n) = count("comdat members", 2)(i)?;
    let start = members.len() as u32;
    for _ in 0..n {
        let (rest, member) = comdat_member(i)?;
        members.push(member);
        i = rest;
    }
    let members = start..members.len() as u32;
    Ok((
        i,
        Comdat {
            name,
            flags,
            members,
        },
    ))
}

/// The kind is a `uint8` in `Linking.md` but LLVM reads a varuint32; both agree on 0..=5.
pub(crate) fn comdat_member(i: In<'_>) -> PResult<'_, ComdatMember> {
    let (rest, raw) = var_u32(i)?;
    let Some(kind) = ComdatKind::from_u32(raw) else {
        return fail(
            i,
            ErrorKind::Invalid {
                expected: "a comdat member kind (0 to 5)",
                found: raw.into(),
            },
        );
    };
    let (rest, index) = var_u32(rest)?;
    Ok((rest, ComdatMember { kind, index }))
}

pub(crate) fn symbol(i: In<'_>) -> PResult<'_, SymbolInfo<'_>> {
    let (rest, kind) = byte("a symbol kind")(i)?;
    let (rest, bits) = var_u32(rest)?;
    let flags = SymbolFlags(bits);
    match kind {
        0 | 2 | 4 | 5 => element_symbol(rest, kind, flags),
        1 => data_symbol(rest, flags),
        3 => {
            let (rest, section) = var_u32(rest)?;
            Ok((
                rest,
                SymbolInfo {
                    flags,
                    name: None,
                    kind: SymbolKind::Section { section },
                },
            ))
        }
        _ => fail(
            i,
            ErrorKind::Invalid {
                expected: "a symbol kind (0 to 5)",
                found: kind.into(),
            },
        ),
    }
}

/// A function, global, tag or table symbol: an index, then a name unless it is an import that
/// takes its name from the import.
fn element_symbol(i: In<'_>, kind: u8, flags: SymbolFlags) -> PResult<'_, SymbolInfo<'_>> {
    let (i, index) = var_u32(i)?;
    let (i, name) = if flags.is_undefined() && !flags.has_explicit_name() {
        (i, None)
    } else {
        let (i, n) = name(i)?;
        (i, Some(n))
    };
    let kind = match kind {
        0 => SymbolKind::Function { index },
        2 => SymbolKind::Global { index },
        4 => SymbolKind::Tag { index },
        _ => SymbolKind::Table { index },
    };
    Ok((i, SymbolInfo { flags, name, kind }))
}

fn data_symbol(i: In<'_>, flags: SymbolFlags) -> PResult<'_, SymbolInfo<'_>> {
    let (i, name) = name(i)?;
    if flags.is_undefined() {
        return Ok((
            i,
            SymbolInfo {
                flags,
                name: Some(name),
                kind: SymbolKind::Data { def: None },
            },
        ));
    }
    let (i, segment) = var_u32(i)?;
    let (i, offset) = var_u64(i)?;
    let (i, size) = var_u64(i)?;
    let def = Some(DataDef {
        segment,
        offset,
        size,
    });
    Ok((
        i,
        SymbolInfo {
            flags,
            name: Some(name),
            kind: SymbolKind::Data { def },
        },
    ))
}

/// Helpers shared by the tests of the metadata parsers: byte builders, the truncation and
/// garbage checks.
#[cfg(test)]
pub(crate) mod test_util {
    use crate::error::Result;
    use crate::parse::Window;

    /// Absolute offset the test windows start at, so that offsets are checked as absolute.
    pub const BASE: usize = 1000;

    /// Appends `v` as unsigned LEB128.
    pub fn leb(out: &mut Vec<u8>, mut v: u64) {
        loop {
            let b = (v & 0x7f) as u8;
            v >>= 7;
            if v == 0 {
                out.push(b);
                return;
            }
            out.push(b | 0x80);
        }
    }

    /// Appends `v` as signed LEB128.
    pub fn sleb(out: &mut Vec<u8>, mut v: i64) {
        loop {
            let b = (v & 0x7f) as u8;
            v >>= 7;
            if (v == 0 && b & 0x40 == 0) || (v == -1 && b & 0x40 != 0) {
                out.push(b);
                return;
            }
            out.push(b | 0x80);
        }
    }

    /// Appends a length-prefixed string.
    pub fn string(out: &mut Vec<u8>, s: &str) {
        leb(out, s.len() as u64);
        out.extend_from_slice(s.as_bytes());
    }

    /// Appends a subsection with its id and size.
    pub fn push_subsection(out: &mut Vec<u8>, id: u8, payload: &[u8]) {
        out.push(id);
        leb(out, payload.len() as u64);
        out.extend_from_slice(payload);
    }

    /// Every strict prefix of `bytes` must fail with an offset inside the prefix, except the
    /// prefixes of the lengths in `ok_cuts`, which are complete inputs themselves.
    pub fn check_truncations(
        bytes: &[u8],
        ok_cuts: &[usize],
        parse: impl Fn(Window<'_>) -> Result<()>,
    ) {
        for cut in 0..bytes.len() {
            match parse(Window::new(&bytes[..cut], BASE)) {
                Ok(_) => assert!(ok_cuts.contains(&cut), "prefix of {cut} bytes parsed"),
                Err(e) => assert!(
                    (BASE..=BASE + cut).contains(&e.offset()),
                    "cut {cut}: offset {} outside input: {e}",
                    e.offset()
                ),
            }
        }
    }

    /// The lengths of the prefixes of `bytes` that end between two subsections starting at
    /// `start`: those prefixes are complete inputs.
    pub fn subsection_ends(bytes: &[u8], start: usize) -> Vec<usize> {
        let mut ends = vec![start];
        let mut rest = Window::new(&bytes[start..], start);
        while !rest.is_empty() {
            let (next, _) = rest
                .parse_prefix(super::subsection)
                .expect("test input is well-formed");
            ends.push(next.offset);
            rest = next;
        }
        ends
    }

    /// A small deterministic xorshift generator.
    pub struct XorShift(pub u64);

    impl XorShift {
        /// The next pseudo-random number.
        pub fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
    }

    /// Feeds `parse` thousands of random inputs and mutations of `seed_input`; every error must
    /// point inside the input (a panic fails the test by itself).
    pub fn check_garbage(seed_input: &[u8], parse: impl Fn(Window<'_>) -> Result<()>) {
        let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
        for round in 0..4000 {
            let input = if round % 2 == 0 {
                random_bytes(&mut rng)
            } else {
                mutate(&mut rng, seed_input)
            };
            if let Err(e) = parse(Window::new(&input, BASE)) {
                assert!(
                    (BASE..=BASE + input.len()).contains(&e.offset()),
                    "offset {} outside input",
                    e.offset()
                );
            }
        }
    }

    fn random_bytes(rng: &mut XorShift) -> Vec<u8> {
        let len = (rng.next() % 48) as usize;
        (0..len).map(|_| rng.next() as u8).collect()
    }

    fn mutate(rng: &mut XorShift, seed: &[u8]) -> Vec<u8> {
        let mut v = seed.to_vec();
        for _ in 0..1 + rng.next() % 4 {
            if v.is_empty() {
                break;
            }
            let at = (rng.next() % v.len() as u64) as usize;
            v[at] = rng.next() as u8;
        }
        v
    }
}

#[cfg(test)]
mod tests {
    use super::test_util::*;
    use super::*;

    fn symtab_payload() -> Vec<u8> {
        let mut p = Vec::new();
        leb(&mut p, 6);
        // Defined hidden function 2 "foo".
        p.extend_from_slice(&[0, 0x04, 2]);
        string(&mut p, "foo");
        // Undefined function 0 without explicit name: no name.
        p.extend_from_slice(&[0, 0x10, 0]);
        // Undefined global 1 with explicit name.
        p.extend_from_slice(&[2, 0x50, 1]);
        string(&mut p, "g");
        // Defined weak TLS data symbol in segment 1 at offset 8, size 300 (two-byte LEB).
        p.push(1);
        leb(&mut p, 0x101);
        string(&mut p, "d");
        p.extend_from_slice(&[1, 8, 0xac, 0x02]);
        // Undefined data symbol.
        p.extend_from_slice(&[1, 0x10]);
        string(&mut p, "u");
        // Local section symbol for section 7.
        p.extend_from_slice(&[3, 0x02, 7]);
        p
    }

    fn linking_bytes() -> Vec<u8> {
        let mut out = vec![2];
        let mut seg = Vec::new();
        leb(&mut seg, 2);
        string(&mut seg, ".rodata.str1.1");
        seg.extend_from_slice(&[0, 1]);
        string(&mut seg, ".tdata.x");
        seg.extend_from_slice(&[3, 2 | 4]);
        push_subsection(&mut out, 5, &seg);
        push_subsection(&mut out, 8, &symtab_payload());
        push_subsection(&mut out, 6, &[1, 100, 0]);
        let mut com = vec![1];
        string(&mut com, "inl");
        com.extend_from_slice(&[0, 2, 1, 3, 0, 1]);
        push_subsection(&mut out, 7, &com);
        out
    }

    #[test]
    fn parses_every_subsection() {
        let bytes = linking_bytes();
        let l = parse_linking(Window::new(&bytes, BASE)).unwrap();
        assert_eq!(l.version, 2);
        assert_eq!(l.segments.len(), 2);
        assert_eq!(l.segments[0].name, ".rodata.str1.1");
        assert!(l.segments[0].flags.is_strings() && !l.segments[0].flags.is_tls());
        assert_eq!((l.segments[1].p2align, l.segments[1].align()), (3, 8));
        assert!(l.segments[1].flags.is_tls() && l.segments[1].flags.is_retain());
        assert_eq!(
            l.init_funcs,
            vec![InitFunc {
                priority: 100,
                symbol: 0
            }]
        );
        assert_eq!(l.comdats.len(), 1);
        assert_eq!(l.comdats[0].name, "inl");
        assert_eq!(
            l.comdats[0].members_of(&l.comdat_members),
            [
                ComdatMember {
                    kind: ComdatKind::Function,
                    index: 3
                },
                ComdatMember {
                    kind: ComdatKind::Data,
                    index: 1
                }
            ]
        );
        assert!(l.unknown_subsections.is_empty());
    }

    #[test]
    fn symbol_names_follow_the_import_rule() {
        let bytes = linking_bytes();
        let s = parse_linking(Window::new(&bytes, BASE)).unwrap().symbols;
        assert_eq!(s.len(), 6);
        assert_eq!(
            (s[0].name, s[0].kind),
            (Some("foo"), SymbolKind::Function { index: 2 })
        );
        assert!(s[0].flags.is_hidden() && s[0].flags.is_global() && s[0].is_defined());
        assert_eq!(
            (s[1].name, s[1].kind),
            (None, SymbolKind::Function { index: 0 })
        );
        assert_eq!(
            (s[2].name, s[2].kind),
            (Some("g"), SymbolKind::Global { index: 1 })
        );
        assert!(s[2].flags.has_explicit_name() && s[2].flags.is_undefined());
        let def = Some(DataDef {
            segment: 1,
            offset: 8,
            size: 300,
        });
        assert_eq!(
            (s[3].name, s[3].kind),
            (Some("d"), SymbolKind::Data { def })
        );
        assert!(s[3].flags.is_weak() && s[3].flags.is_tls());
        assert_eq!(
            (s[4].name, s[4].kind),
            (Some("u"), SymbolKind::Data { def: None })
        );
        assert_eq!(
            (s[5].name, s[5].kind),
            (None, SymbolKind::Section { section: 7 })
        );
        assert!(s[5].flags.is_local());
    }

    #[test]
    fn flag_names_include_unknown_bits() {
        let f = SymbolFlags(
            SymbolFlags::BINDING_WEAK | SymbolFlags::VISIBILITY_HIDDEN | 0x8 | 0x8000_0000,
        );
        assert_eq!(f.names(), vec!["WEAK", "HIDDEN", "0x8", "0x80000000"]);
        assert_eq!(f.to_string(), "WEAK HIDDEN 0x8 0x80000000");
        assert_eq!(SymbolFlags(0x3ff).names().len(), 10);
        assert_eq!(SegmentFlags(7).names(), vec!["STRINGS", "TLS", "RETAIN"]);
        assert!(
            SymbolFlags(0x200).is_absolute()
                && SymbolFlags(0x80).no_strip()
                && SymbolFlags(0x20).is_exported()
        );
    }

    #[test]
    fn version_must_be_two() {
        let err = parse_linking(Window::new(&[1], BASE)).unwrap_err();
        assert_eq!(err.offset(), BASE);
        assert!(err.to_string().contains("version 2"), "{err}");
    }

    #[test]
    fn unknown_subsections_are_skipped_and_recorded() {
        let mut bytes = vec![2];
        push_subsection(&mut bytes, 9, b"wasm32");
        push_subsection(&mut bytes, 6, &[1, 5, 0]);
        push_subsection(&mut bytes, 200, &[]);
        let l = parse_linking(Window::new(&bytes, BASE)).unwrap();
        assert_eq!(l.unknown_subsections, vec![9, 200]);
        assert_eq!(l.init_funcs.len(), 1);
    }

    #[test]
    fn subsection_size_must_match() {
        // INIT_FUNCS whose size claims one byte more than its entries use.
        let bytes = [2, 6, 4, 1, 5, 0, 0xff];
        let err = parse_linking(Window::new(&bytes, BASE)).unwrap_err();
        assert!(
            matches!(err.kind(), ErrorKind::TrailingBytes { remaining: 1, .. }),
            "{err}"
        );
        assert_eq!(err.offset(), BASE + 6);
        // One byte less: the entry runs past the end of the subsection.
        let bytes = [2, 6, 3, 1, 0x85, 0x01, 0];
        let err = parse_linking(Window::new(&bytes, BASE)).unwrap_err();
        assert!(matches!(err.kind(), ErrorKind::Truncated { .. }), "{err}");
        assert_eq!(err.offset(), BASE + 6);
    }

    #[test]
    fn bad_kinds_and_duplicates_are_errors() {
        let mut bytes = vec![2];
        push_subsection(&mut bytes, 8, &[1, 6, 0, 0]);
        let err = parse_linking(Window::new(&bytes, BASE)).unwrap_err();
        assert_eq!(err.offset(), BASE + 4);
        assert!(err.to_string().contains("symbol kind"), "{err}");
        let mut bytes = vec![2];
        push_subsection(&mut bytes, 6, &[0]);
        push_subsection(&mut bytes, 6, &[0]);
        let err = parse_linking(Window::new(&bytes, BASE)).unwrap_err();
        assert_eq!(err.offset(), BASE + 4);
        let mut bytes = vec![2];
        push_subsection(&mut bytes, 7, &[1, 1, b'c', 0, 1, 6, 0]);
        let err = parse_linking(Window::new(&bytes, BASE)).unwrap_err();
        assert!(err.to_string().contains("comdat member kind"), "{err}");
    }

    #[test]
    fn huge_count_is_count_too_large() {
        let bytes = [2, 8, 6, 0xff, 0xff, 0xff, 0xff, 0x0f, 0];
        let err = parse_linking(Window::new(&bytes, BASE)).unwrap_err();
        assert!(
            matches!(
                err.kind(),
                ErrorKind::CountTooLarge {
                    count: 0xffff_ffff,
                    ..
                }
            ),
            "{err}"
        );
        assert_eq!(err.offset(), BASE + 3);
    }

    #[test]
    fn every_truncation_is_an_error_inside_the_input() {
        let bytes = linking_bytes();
        // Complete inputs: just the version, or the version and the first n subsections.
        check_truncations(&bytes, &subsection_ends(&bytes, 1), |w| {
            parse_linking(w).map(drop)
        });
    }

    #[test]
    fn garbage_never_panics() {
        check_garbage(&linking_bytes(), |w| parse_linking(w).map(drop));
    }
}

/// Checks the `linking` and `reloc.*` parsers against wasmparser's readers on real objects built
/// by llvm-mc-19 and clang-19.
#[cfg(test)]
mod object_tests {
    use super::*;
    use crate::module::Module;
    use crate::reloc::{parse_reloc_section, Reloc, RelocType};
    use std::path::{Path, PathBuf};
    use std::process::Command;

    /// Data segments with alignment, a STRINGS segment, TLS, an init function, a comdat with a
    /// function and a data segment, weak/hidden/undefined/explicitly named/exported/no-strip
    /// symbols, a tag, a table symbol, and relocations of most 32-bit types, some in a custom
    /// `.debug_info` section.
    const ASM32: &str = r#"
  .functype ext_fn (i32) -> (i32)
  .import_module ext_fn, mymod
  .import_name ext_fn, their_fn
  .functype weak_ext () -> ()
  .weak weak_ext
  .globaltype __stack_pointer, i32
  .tagtype my_tag i32
  .functype ctor () -> ()

  .section .text.foo,"",@
  .globl foo
  .hidden foo
  .type foo,@function
foo:
  .functype foo (i32) -> (i32)
  local.get 0
  call ext_fn
  i32.const data_a+4
  i32.load 0
  i32.add
  i32.const 0
  i32.load data_b+8
  i32.add
  global.get __stack_pointer
  i32.add
  i32.const tls_v@TLSREL
  i32.add
  call weak_ext
  i32.const inl
  call_indirect (i32) -> (i32)
  end_function

  .section .text.ctor,"",@
  .type ctor,@function
ctor:
  .functype ctor () -> ()
  i32.const 1
  throw my_tag
  drop
  end_function

  .section .text.inl,"G",@,inl,comdat
  .weak inl
  .type inl,@function
inl:
  .functype inl (i32) -> (i32)
  local.get 0
  end_function

  .section .rodata.inl_data,"G",@,inl,comdat
  .weak inl_data
  .p2align 2
inl_data:
  .int32 5
  .size inl_data, 4

  .section .data.a,"",@
  .globl data_a
  .p2align 3
data_a:
  .int64 1
  .int32 inl
  .int32 data_b+12
  .int32 data_b-.
  .int32 data_b-4
  .size data_a, 24

  .section .bss.b,"",@
  .globl data_b
  .hidden data_b
  .p2align 4
data_b:
  .skip 32
  .size data_b, 32

  .section .rodata.str1.1,"S",@
.L.str:
  .asciz "hello"
  .size .L.str, 6

  .section .tdata.tls_v,"T",@
  .globl tls_v
  .p2align 2
tls_v:
  .int32 9
  .size tls_v, 4

  .section .init_array.100,"",@
  .p2align 2
  .int32 ctor

  .section .debug_abbrev,"",@
.Labbrev:
  .int8 1
  .int8 0

  .section .debug_info,"",@
  .int32 7
  .int16 4
  .int32 .Labbrev
  .int32 foo
  .int32 foo+3
  .int32 __stack_pointer

  .globl exported_data
  .export_name exported_data, exp_d
  .no_dead_strip exported_data
  .section .data.e,"",@
exported_data:
  .int32 0
  .size exported_data, 4
"#;

    /// 64-bit relocations, whose addends are varint64 (one does not fit 32 bits).
    const ASM64: &str = r#"
  .section .text.f,"",@
  .globl f
  .type f,@function
f:
  .functype f () -> (i64)
  i64.const d+8
  i64.const 0
  i64.load d-16
  i64.add
  i64.const f
  i64.add
  end_function

  .section .data.d,"",@
  .globl d
  .p2align 3
d:
  .int64 d+0x123456789
  .int64 f
  .size d, 16

  .section .debug_info,"",@
  .int64 f+2
"#;

    /// C with debug info: DWARF relocations in several custom sections.
    const C_SRC: &str = r#"
extern int ext_data;
__attribute__((import_module("mymod"), import_name("their_fn"))) int ext_fn(int);
__attribute__((weak)) int weak_def(int x) { return x + 1; }
static const char *msg = "hello";
_Thread_local int tls_var = 7;
int (*fp)(int) = weak_def;
__attribute__((constructor(150))) static void init(void) { tls_var = 1; }
int run(int a) { return ext_fn(a) + ext_data + msg[a] + tls_var + fp(a); }
"#;

    fn scratch_dir() -> PathBuf {
        let dir = std::env::temp_dir().join(format!("wasm-format-linking-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("create a scratch directory");
        dir
    }

    fn run(tool: &str, args: &[&str], install: &str) {
        let out = Command::new(tool)
            .args(args)
            .output()
            .unwrap_or_else(|e| panic!("cannot run {tool} ({e}): install {install}"));
        assert!(
            out.status.success(),
            "{tool} {args:?} failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    fn assemble(dir: &Path, name: &str, triple: &str, src: &str) -> Vec<u8> {
        let (s, o) = (dir.join(format!("{name}.s")), dir.join(format!("{name}.o")));
        std::fs::write(&s, src).expect("write the assembly");
        let args = [
            "-filetype=obj",
            "-triple",
            triple,
            "-mattr=+exception-handling,+reference-types",
        ];
        let mut args: Vec<&str> = args.to_vec();
        args.extend([s.to_str().unwrap(), "-o", o.to_str().unwrap()]);
        run("llvm-mc-19", &args, "llvm-19");
        std::fs::read(o).expect("read the object")
    }

    fn compile(dir: &Path, name: &str, src: &str) -> Vec<u8> {
        let (c, o) = (dir.join(format!("{name}.c")), dir.join(format!("{name}.o")));
        std::fs::write(&c, src).expect("write the C source");
        let args = ["--target=wasm32-wasi", "--sysroot=/usr", "-O1", "-g", "-c"];
        let mut args: Vec<&str> = args.to_vec();
        args.extend([c.to_str().unwrap(), "-o", o.to_str().unwrap()]);
        run("clang-19", &args, "clang-19");
        std::fs::read(o).expect("read the object")
    }

    fn reader(w: Window<'_>) -> wasmparser::BinaryReader<'_> {
        wasmparser::BinaryReader::new(w.bytes, w.offset as u64)
    }

    fn wp_symbol(s: wasmparser::SymbolInfo<'_>) -> SymbolInfo<'_> {
        use wasmparser::SymbolInfo as W;
        let f = |flags: wasmparser::SymbolFlags| SymbolFlags(flags.bits());
        let (flags, name, kind) = match s {
            W::Func { flags, index, name } => (f(flags), name, SymbolKind::Function { index }),
            W::Global { flags, index, name } => (f(flags), name, SymbolKind::Global { index }),
            W::Event { flags, index, name } => (f(flags), name, SymbolKind::Tag { index }),
            W::Table { flags, index, name } => (f(flags), name, SymbolKind::Table { index }),
            W::Section { flags, section } => (f(flags), None, SymbolKind::Section { section }),
            W::Data {
                flags,
                name,
                symbol,
            } => {
                let def = symbol.map(|d| DataDef {
                    segment: d.index,
                    offset: d.offset.into(),
                    size: d.size.into(),
                });
                (f(flags), Some(name), SymbolKind::Data { def })
            }
        };
        SymbolInfo { flags, name, kind }
    }

    fn wp_comdat<'a>(c: wasmparser::Comdat<'a>, all: &mut Vec<ComdatMember>) -> Comdat<'a> {
        let start = all.len() as u32;
        all.extend(c.symbols.into_iter().map(|m| {
            let m = m.expect("wasmparser comdat member");
            ComdatMember {
                kind: ComdatKind::from_u32(m.kind as u32).expect("kind"),
                index: m.index,
            }
        }));
        Comdat {
            name: c.name,
            flags: c.flags,
            members: start..all.len() as u32,
        }
    }

    /// The same section as read by wasmparser, in our types.
    fn wp_linking(w: Window<'_>) -> Linking<'_> {
        use wasmparser::Linking as L;
        let reader =
            wasmparser::LinkingSectionReader::new(reader(w)).expect("wasmparser reads linking");
        let mut out = Linking {
            version: reader.version(),
            ..Linking::default()
        };
        for sub in reader.subsections() {
            match sub.expect("wasmparser subsection") {
                L::SegmentInfo(s) => {
                    out.segments = s
                        .into_iter()
                        .map(|s| s.expect("segment"))
                        .map(|s| SegmentInfo {
                            name: s.name,
                            p2align: s.alignment,
                            flags: SegmentFlags(s.flags.bits()),
                        })
                        .collect()
                }
                L::InitFuncs(f) => {
                    out.init_funcs = f
                        .into_iter()
                        .map(|f| f.expect("init func"))
                        .map(|f| InitFunc {
                            priority: f.priority,
                            symbol: f.symbol_index,
                        })
                        .collect()
                }
                L::ComdatInfo(c) => {
                    let all = &mut out.comdat_members;
                    out.comdats = c
                        .into_iter()
                        .map(|c| wp_comdat(c.expect("comdat"), all))
                        .collect()
                }
                L::SymbolTable(s) => {
                    out.symbols = s
                        .into_iter()
                        .map(|s| wp_symbol(s.expect("symbol")))
                        .collect()
                }
                other => panic!("unexpected subsection {other:?}"),
            }
        }
        out
    }

    fn wp_relocs(w: Window<'_>) -> (u32, Vec<Reloc>) {
        let reader =
            wasmparser::RelocSectionReader::new(reader(w)).expect("wasmparser reads relocs");
        let relocs = reader.entries().into_iter().map(|r| {
            let r = r.expect("reloc entry");
            let ty = RelocType::from_u8(r.ty as u8).expect("known type");
            Reloc {
                ty,
                offset: r.offset,
                index: r.index,
                addend: r.addend,
            }
        });
        (reader.section_index(), relocs.collect())
    }

    /// Parses every `linking` and `reloc.*` section of `bytes` with both parsers; returns the
    /// linking section and the relocation sections by name.
    fn compare(bytes: &[u8]) -> (Linking<'_>, Vec<(&str, Vec<Reloc>)>) {
        let module = Module::parse(bytes, 0).expect("object parses");
        let linking = module
            .custom_sections("linking")
            .next()
            .expect("a linking section");
        let ours = parse_linking(linking.contents).expect("our linking parse");
        assert_eq!(ours, wp_linking(linking.contents));
        let mut relocs = Vec::new();
        for s in &module.sections {
            let Some(name) = s.custom_name.and_then(|n| n.strip_prefix("reloc.")) else {
                continue;
            };
            let parsed = parse_reloc_section(s.contents).expect("our reloc parse");
            assert_eq!(
                (parsed.target_section, parsed.relocs.clone()),
                wp_relocs(s.contents),
                "{name}"
            );
            let target = &module.sections[parsed.target_section as usize];
            for r in &parsed.relocs {
                assert!(
                    r.range().end <= target.contents.len(),
                    "{name}: {r:?} outside its section"
                );
            }
            relocs.push((name, parsed.relocs));
        }
        (ours, relocs)
    }

    fn types_of(relocs: &[(&str, Vec<Reloc>)]) -> Vec<u8> {
        let mut t: Vec<u8> = relocs
            .iter()
            .flat_map(|(_, r)| r.iter().map(|r| r.ty as u8))
            .collect();
        t.sort_unstable();
        t.dedup();
        t
    }

    #[test]
    fn assembly_object_matches_wasmparser() {
        let bytes = assemble(&scratch_dir(), "t32", "wasm32-unknown-unknown", ASM32);
        let (l, relocs) = compare(&bytes);
        let seg = |name: &str| l.segments.iter().find(|s| s.name == name).expect(name);
        assert_eq!(seg(".data.a").p2align, 3);
        assert_eq!(seg(".bss.b").align(), 16);
        assert!(seg(".rodata.str1.1").flags.is_strings());
        assert!(seg(".tdata.tls_v").flags.is_tls());
        assert_eq!(l.init_funcs.len(), 1);
        assert_eq!(l.init_funcs[0].priority, 100);
        assert_eq!(l.comdats.len(), 1);
        assert_eq!(l.comdats[0].name, "inl");
        let sym = |name: &str| l.symbols.iter().find(|s| s.name == Some(name)).expect(name);
        let weak_ext = l
            .symbols
            .iter()
            .find(|s| s.kind == SymbolKind::Function { index: 0 });
        let weak_ext = weak_ext.expect("the first imported function");
        assert_eq!(
            weak_ext.name, None,
            "an undefined function takes the import's name"
        );
        assert!(weak_ext.flags.is_weak() && weak_ext.flags.is_undefined());
        assert!(sym("foo").flags.is_hidden());
        assert!(sym("ext_fn").flags.has_explicit_name());
        assert!(sym("tls_v").flags.is_tls());
        assert!(sym("exported_data").flags.is_exported() && sym("exported_data").flags.no_strip());
        assert!(l
            .symbols
            .iter()
            .any(|s| matches!(s.kind, SymbolKind::Tag { .. })));
        let table = l
            .symbols
            .iter()
            .find(|s| matches!(s.kind, SymbolKind::Table { .. }))
            .expect("a table symbol");
        assert_eq!(
            table.name, None,
            "an undefined table symbol takes the import's name"
        );
        assert_eq!(
            types_of(&relocs),
            vec![0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 13, 20, 21, 23]
        );
        let addends: Vec<i64> = relocs
            .iter()
            .flat_map(|(_, r)| r.iter().map(|r| r.addend))
            .collect();
        assert!(addends.contains(&-4) && addends.contains(&12));
    }

    #[test]
    fn wasm64_object_matches_wasmparser() {
        let bytes = assemble(&scratch_dir(), "t64", "wasm64-unknown-unknown", ASM64);
        let (_, relocs) = compare(&bytes);
        assert_eq!(types_of(&relocs), vec![14, 15, 16, 18, 19, 22]);
        let big = relocs
            .iter()
            .flat_map(|(_, r)| r.iter())
            .find(|r| r.ty == RelocType::MemoryAddrI64);
        assert_eq!(big.map(|r| r.addend), Some(0x1_2345_6789));
    }

    #[test]
    fn c_object_with_debug_info_matches_wasmparser() {
        let bytes = compile(&scratch_dir(), "dbg", C_SRC);
        let (l, relocs) = compare(&bytes);
        assert_eq!(l.init_funcs.first().map(|f| f.priority), Some(150));
        let names: Vec<&str> = relocs.iter().map(|(n, _)| *n).collect();
        assert!(
            names.contains(&"CODE") && names.contains(&".debug_info"),
            "{names:?}"
        );
    }

    /// Relocation offsets in `reloc.<custom>` count from the custom section's contents after
    /// its name: `.debug_info`'s reference to `.debug_abbrev` sits at offset 6 of a DWARF v4
    /// unit, right after the 4-byte unit length and the 2-byte version 4.
    #[test]
    fn custom_section_offsets_start_after_the_name() {
        let bytes = compile(&scratch_dir(), "dbg_offsets", C_SRC);
        let module = Module::parse(&bytes, 0).expect("object parses");
        let info = module
            .custom_sections(".debug_info")
            .next()
            .expect(".debug_info");
        let relocs = module
            .custom_sections("reloc..debug_info")
            .next()
            .expect("reloc..debug_info");
        let parsed = parse_reloc_section(relocs.contents).expect("reloc parse");
        assert_eq!(
            module.sections[parsed.target_section as usize].custom_name,
            Some(".debug_info")
        );
        let first = parsed.relocs[0];
        assert_eq!((first.ty, first.offset), (RelocType::SectionOffsetI32, 6));
        assert_eq!(
            &info.contents.bytes[4..6],
            &[4, 0],
            "DWARF version 4 just before the offset"
        );
        // And in CODE, the byte before a FUNCTION_INDEX_LEB is the `call` opcode.
        let code_relocs = module
            .custom_sections("reloc.CODE")
            .next()
            .expect("reloc.CODE");
        let parsed = parse_reloc_section(code_relocs.contents).expect("reloc parse");
        let code = &module.sections[parsed.target_section as usize]
            .contents
            .bytes;
        let call = parsed
            .relocs
            .iter()
            .find(|r| r.ty == RelocType::FunctionIndexLeb)
            .expect("a call");
        assert_eq!(code[call.offset as usize - 1], 0x10);
    }
}
