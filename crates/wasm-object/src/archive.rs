//! Static archives (`ar` files) as the linker reads them: a list of members, each a borrowed
//! window over the archive bytes with its absolute offset, and the archive symbol index as
//! `(symbol name, member index)` pairs so that members can be loaded lazily.
//!
//! Both dialects `llvm-ar` writes are read: GNU (symbol index `/` or `/SYM64/`, long names in
//! the `//` table referenced as `/123`) and BSD (`#1/<len>` names stored before the data, symbol
//! index `__.SYMDEF` or `__.SYMDEF SORTED`, little-endian). A thin archive (`llvm-ar --thin`)
//! holds only the headers, the symbol index and the name table; its members are files named
//! relative to the archive's directory, which [`crate::input::InputFile`] opens. Every error
//! carries the absolute offset and, where one is known, the member name; nothing panics on
//! malformed input.

use std::fmt;
use wasm_format::Window;

/// The global magic of a regular archive.
pub const MAGIC: &[u8; 8] = b"!<arch>\n";
/// The global magic of a thin archive (members stored outside the archive).
pub const THIN_MAGIC: &[u8; 8] = b"!<thin>\n";

const HEADER_LEN: usize = 60;
const HEADER_END: &[u8; 2] = b"`\n";

/// The dialect an archive was written in, deduced from its special members and names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArchiveFormat {
    /// GNU / System V: `/` or `/SYM64/` symbol index, `//` long-name table.
    Gnu,
    /// BSD: `#1/<len>` names, `__.SYMDEF` symbol index.
    Bsd,
    /// No special member told the two apart (no symbol index, no long names).
    Unknown,
}

/// One member of an archive.
#[derive(Clone, Copy, Debug)]
pub struct Member<'a> {
    /// The member name, without GNU's trailing `/` or BSD's padding.
    pub name: &'a str,
    /// Absolute offset of the member's 60-byte header; the symbol index refers to members by it.
    pub header_offset: usize,
    /// The member's contents, with the absolute offset of their first byte in the archive. In a
    /// thin archive, empty: the member is the file `name`, relative to the archive's directory
    /// ([`crate::input::InputFile::contents`] fills it in from that file, at offset 0).
    pub data: Window<'a>,
}

/// One entry of the archive symbol index: a defined symbol and the member that defines it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ArchiveSymbol<'a> {
    /// The symbol name.
    pub name: &'a str,
    /// Index into [`Archive::members`].
    pub member: usize,
}

/// A parsed archive. Only the framing is parsed; members are not looked at.
#[derive(Clone, Debug)]
pub struct Archive<'a> {
    /// The dialect.
    pub format: ArchiveFormat,
    /// The regular members, in file order (symbol index and name tables excluded).
    pub members: Vec<Member<'a>>,
    /// The symbol index, read only when asked for ([`Archive::symbols`]): wasm-ld never reads
    /// it (laziness comes from the members' own symbol tables) and links an archive whose
    /// index is damaged, and reading it costs a libc hello world a tenth of a millisecond.
    index: Option<SymbolIndex<'a>>,
    /// A thin archive (`!<thin>`): members live in their own files.
    pub thin: bool,
}

/// What is wrong with an archive.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ArchiveErrorKind {
    /// The file starts with neither `!<arch>\n` nor `!<thin>\n`.
    BadMagic,
    /// A member header is cut off by the end of the file.
    TruncatedHeader,
    /// A member header does not end with the two bytes `` `\n ``.
    BadHeaderTerminator,
    /// The size field is not a decimal number.
    BadSize,
    /// The size field points past the end of the file.
    SizeExceedsFile {
        /// The size the header claims.
        size: u64,
    },
    /// A `/123` name refers outside the `//` table, or there is no table.
    BadNameReference {
        /// The offset into the long-name table.
        index: u64,
    },
    /// A `#1/<len>` name is malformed or longer than its member.
    BadBsdName,
    /// A member name is not valid UTF-8.
    NameNotUtf8,
    /// The symbol index is cut short or inconsistent.
    BadSymbolIndex(&'static str),
    /// The symbol index names a member offset where no member starts.
    BadSymbolMember {
        /// The header offset the index gives.
        offset: u64,
    },
}

/// An archive error: what, where (absolute offset), and in which member if one is known.
#[derive(Clone, PartialEq, Eq)]
pub struct ArchiveError(Box<ArchiveErrorInner>);

#[derive(Clone, Debug, PartialEq, Eq)]
struct ArchiveErrorInner {
    offset: usize,
    member: Option<String>,
    kind: ArchiveErrorKind,
}

impl ArchiveError {
    #[cold]
    fn new(offset: usize, kind: ArchiveErrorKind) -> Self {
        ArchiveError(Box::new(ArchiveErrorInner {
            offset,
            member: None,
            kind,
        }))
    }

    #[cold]
    fn in_member(mut self, name: &str) -> Self {
        self.0.member = Some(name.to_owned());
        self
    }

    /// The absolute offset in the archive file.
    pub fn offset(&self) -> usize {
        self.0.offset
    }

    /// The member being read, if its name was known.
    pub fn member(&self) -> Option<&str> {
        self.0.member.as_deref()
    }

    /// What went wrong.
    pub fn kind(&self) -> &ArchiveErrorKind {
        &self.0.kind
    }
}

impl fmt::Display for ArchiveErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use ArchiveErrorKind::*;
        match self {
            BadMagic => f.write_str("not an archive (missing !<arch> magic)"),
            TruncatedHeader => f.write_str("archive member header is truncated"),
            BadHeaderTerminator => f.write_str("archive member header does not end with `\\n"),
            BadSize => f.write_str("archive member size is not a decimal number"),
            SizeExceedsFile { size } => write!(f, "archive member size {size} exceeds the file"),
            BadNameReference { index } => {
                write!(f, "long member name /{index} is outside the name table")
            }
            BadBsdName => f.write_str("malformed BSD #1/ member name"),
            NameNotUtf8 => f.write_str("member name is not valid UTF-8"),
            BadSymbolIndex(what) => write!(f, "malformed archive symbol index: {what}"),
            BadSymbolMember { offset } => {
                write!(
                    f,
                    "archive symbol index names offset {offset:#x}, where no member starts"
                )
            }
        }
    }
}

impl fmt::Display for ArchiveError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(member) = &self.0.member {
            write!(f, "member {member}: ")?;
        }
        write!(f, "at offset {:#x}: {}", self.0.offset, self.0.kind)
    }
}

impl fmt::Debug for ArchiveError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ArchiveError({self})")
    }
}

impl std::error::Error for ArchiveError {}

type Result<T> = std::result::Result<T, ArchiveError>;

/// Whether `bytes` starts with the magic of a regular archive.
pub fn is_archive(bytes: &[u8]) -> bool {
    bytes.starts_with(MAGIC)
}

/// Whether `bytes` starts with the magic of a thin archive.
pub fn is_thin_archive(bytes: &[u8]) -> bool {
    bytes.starts_with(THIN_MAGIC)
}

/// A raw member as framed by its header, before special members are recognised.
struct RawMember<'a> {
    header_offset: usize,
    /// The 16-byte name field, trailing spaces trimmed.
    name_field: &'a [u8],
    /// Everything after the header, including a BSD name stored in front of the data.
    body: &'a [u8],
}

/// The symbol-index member found while scanning, decoded when asked for.
#[derive(Clone, Copy, Debug)]
enum SymbolIndex<'a> {
    Gnu32(Window<'a>),
    Gnu64(Window<'a>),
    Bsd(Window<'a>),
}

impl<'a> Archive<'a> {
    /// Parses the framing of an archive file.
    pub fn parse(bytes: &'a [u8]) -> Result<Archive<'a>> {
        let thin = is_thin_archive(bytes);
        if !thin && !is_archive(bytes) {
            return Err(ArchiveError::new(0, ArchiveErrorKind::BadMagic));
        }
        let mut builder = Builder::default();
        let mut pos = MAGIC.len();
        while pos < bytes.len() {
            let raw = read_header(bytes, pos, thin)?;
            pos = next_member(raw.header_offset, raw.body.len());
            let field = raw.name_field;
            builder
                .add(raw)
                .map_err(|e| e.in_member(&String::from_utf8_lossy(field)))?;
        }
        builder.finish(thin)
    }

    /// Whether the archive has a symbol index (`llvm-ar S` makes one without).
    pub fn has_symbol_index(&self) -> bool {
        self.index.is_some()
    }

    /// The symbol index, in file order; empty if the archive has none. It is read here, so a
    /// damaged index is an error of this call, not of [`Archive::parse`].
    pub fn symbols(&self) -> Result<Vec<ArchiveSymbol<'a>>> {
        match self.index {
            Some(SymbolIndex::Gnu32(w)) => gnu_index(self, w, 4),
            Some(SymbolIndex::Gnu64(w)) => gnu_index(self, w, 8),
            Some(SymbolIndex::Bsd(w)) => bsd_index(self, w),
            None => Ok(Vec::new()),
        }
    }

    /// The member at `header_offset`, as the symbol index refers to it.
    pub fn member_at(&self, header_offset: usize) -> Option<usize> {
        self.members
            .binary_search_by_key(&header_offset, |m| m.header_offset)
            .ok()
    }
}

/// Where the member after one at `header_offset` with `size` bytes starts (2-byte aligned).
fn next_member(header_offset: usize, size: usize) -> usize {
    let end = header_offset + HEADER_LEN + size;
    end + (end & 1)
}

/// The member header at `pos` and its body. In a thin archive only the symbol index and the
/// name table have a body here; the size of any other member is that of its own file.
fn read_header(bytes: &[u8], pos: usize, thin: bool) -> Result<RawMember<'_>> {
    let header = bytes
        .get(pos..pos + HEADER_LEN)
        .ok_or_else(|| ArchiveError::new(pos, ArchiveErrorKind::TruncatedHeader))?;
    if &header[58..60] != HEADER_END {
        return Err(ArchiveError::new(
            pos + 58,
            ArchiveErrorKind::BadHeaderTerminator,
        ));
    }
    let name_field = trim_end(&header[..16], b' ');
    // The name is not decoded yet (it may be a `/123` reference); the raw field still helps.
    let err =
        |kind| ArchiveError::new(pos + 48, kind).in_member(&String::from_utf8_lossy(name_field));
    let size = parse_decimal(&header[48..58]).ok_or_else(|| err(ArchiveErrorKind::BadSize))?;
    let start = pos + HEADER_LEN;
    if thin && !matches!(name_field, b"/" | b"//" | b"/SYM64/") {
        return Ok(RawMember {
            header_offset: pos,
            name_field,
            body: &[],
        });
    }
    let body = usize::try_from(size)
        .ok()
        .and_then(|len| bytes.get(start..start.checked_add(len)?))
        .ok_or_else(|| err(ArchiveErrorKind::SizeExceedsFile { size }))?;
    Ok(RawMember {
        header_offset: pos,
        name_field,
        body,
    })
}

/// A space-padded decimal field; an all-blank field is not a number.
fn parse_decimal(field: &[u8]) -> Option<u64> {
    let digits = trim_end(field, b' ');
    if digits.is_empty() {
        return None;
    }
    digits.iter().try_fold(0u64, |acc, &d| {
        let digit = (d as char).to_digit(10)?;
        acc.checked_mul(10)?.checked_add(u64::from(digit))
    })
}

fn trim_end(mut s: &[u8], pad: u8) -> &[u8] {
    while let [rest @ .., last] = s {
        if *last != pad {
            break;
        }
        s = rest;
    }
    s
}

fn utf8(name: &[u8], offset: usize) -> Result<&str> {
    std::str::from_utf8(name).map_err(|_| ArchiveError::new(offset, ArchiveErrorKind::NameNotUtf8))
}

/// Collects members while scanning; special members (symbol index, long names) are kept aside.
#[derive(Default)]
struct Builder<'a> {
    format: Option<ArchiveFormat>,
    long_names: Option<Window<'a>>,
    symbol_index: Option<SymbolIndex<'a>>,
    members: Vec<Member<'a>>,
}

impl<'a> Builder<'a> {
    fn add(&mut self, raw: RawMember<'a>) -> Result<()> {
        let data_offset = raw.header_offset + HEADER_LEN;
        let whole = Window::new(raw.body, data_offset);
        match raw.name_field {
            b"/" => self.set_index(SymbolIndex::Gnu32(whole), ArchiveFormat::Gnu),
            b"/SYM64/" => self.set_index(SymbolIndex::Gnu64(whole), ArchiveFormat::Gnu),
            b"//" => {
                self.format = Some(ArchiveFormat::Gnu);
                self.long_names = Some(whole);
            }
            field if field.starts_with(b"#1/") => {
                self.add_bsd(raw.header_offset, field, raw.body)?
            }
            field => self.add_gnu(raw.header_offset, field, whole)?,
        }
        Ok(())
    }

    fn set_index(&mut self, index: SymbolIndex<'a>, format: ArchiveFormat) {
        self.format = Some(format);
        self.symbol_index = Some(index);
    }

    /// A GNU name: `name/`, or `/123` into the long-name table. BSD short names have no `/`.
    fn add_gnu(&mut self, header_offset: usize, field: &'a [u8], data: Window<'a>) -> Result<()> {
        let name = if let Some(index) = field.strip_prefix(b"/") {
            self.long_name(header_offset, index)?
        } else {
            utf8(field.strip_suffix(b"/").unwrap_or(field), header_offset)?
        };
        self.members.push(Member {
            name,
            header_offset,
            data,
        });
        Ok(())
    }

    fn long_name(&self, header_offset: usize, index: &[u8]) -> Result<&'a str> {
        let bad =
            |index| ArchiveError::new(header_offset, ArchiveErrorKind::BadNameReference { index });
        let at = parse_decimal(index).ok_or_else(|| bad(u64::MAX))?;
        let table = self.long_names.ok_or_else(|| bad(at))?;
        let rest = usize::try_from(at)
            .ok()
            .and_then(|i| table.bytes.get(i..))
            .ok_or_else(|| bad(at))?;
        let end = rest
            .iter()
            .position(|&b| b == b'\n' || b == 0)
            .unwrap_or(rest.len());
        let raw = &rest[..end];
        utf8(
            raw.strip_suffix(b"/").unwrap_or(raw),
            table.offset + at as usize,
        )
    }

    /// A BSD `#1/<len>` member: the name is the first `len` bytes of the body, NUL-padded.
    fn add_bsd(&mut self, header_offset: usize, field: &[u8], body: &'a [u8]) -> Result<()> {
        let bad = || ArchiveError::new(header_offset, ArchiveErrorKind::BadBsdName);
        let len = parse_decimal(&field[3..]).ok_or_else(bad)?;
        let len = usize::try_from(len)
            .ok()
            .filter(|&l| l <= body.len())
            .ok_or_else(bad)?;
        let (raw_name, data) = body.split_at(len);
        let name = utf8(trim_end(raw_name, 0), header_offset + HEADER_LEN)?;
        self.format = Some(ArchiveFormat::Bsd);
        let data = Window::new(data, header_offset + HEADER_LEN + len);
        if name == "__.SYMDEF" || name == "__.SYMDEF SORTED" {
            self.symbol_index = Some(SymbolIndex::Bsd(data));
            return Ok(());
        }
        self.members.push(Member {
            name,
            header_offset,
            data,
        });
        Ok(())
    }

    fn finish(mut self, thin: bool) -> Result<Archive<'a>> {
        // A BSD archive whose symbol index has a short name (`__.SYMDEF` fits in 16 bytes).
        if let Some(pos) = self
            .members
            .iter()
            .position(|m| m.name.starts_with("__.SYMDEF"))
        {
            let member = self.members.remove(pos);
            self.symbol_index = Some(SymbolIndex::Bsd(member.data));
            self.format = Some(ArchiveFormat::Bsd);
        }
        Ok(Archive {
            format: self.format.unwrap_or(ArchiveFormat::Unknown),
            members: self.members,
            index: self.symbol_index,
            thin,
        })
    }
}

/// Reads big-endian (GNU) or little-endian (BSD) integers of one width from a window.
struct Cursor<'a> {
    window: Window<'a>,
    pos: usize,
    width: usize,
    big_endian: bool,
}

impl Cursor<'_> {
    fn next(&mut self, what: &'static str) -> Result<u64> {
        let bytes = self
            .window
            .bytes
            .get(self.pos..self.pos + self.width)
            .ok_or_else(|| {
                ArchiveError::new(
                    self.window.offset + self.pos,
                    ArchiveErrorKind::BadSymbolIndex(what),
                )
            })?;
        self.pos += self.width;
        let fold = |acc: u64, &b: &u8| (acc << 8) | u64::from(b);
        Ok(if self.big_endian {
            bytes.iter().fold(0, fold)
        } else {
            bytes.iter().rev().fold(0, fold)
        })
    }
}

/// The member whose header is at `offset`, as an index error at `at` if there is none.
fn resolve_member(archive: &Archive<'_>, offset: u64, at: usize) -> Result<usize> {
    usize::try_from(offset)
        .ok()
        .and_then(|o| archive.member_at(o))
        .ok_or_else(|| ArchiveError::new(at, ArchiveErrorKind::BadSymbolMember { offset }))
}

/// The NUL-terminated string at `pos` of `strings`.
fn c_string(strings: Window<'_>, pos: usize) -> Result<&str> {
    let bad = |what| {
        ArchiveError::new(
            strings.offset + pos.min(strings.len()),
            ArchiveErrorKind::BadSymbolIndex(what),
        )
    };
    let rest = strings
        .bytes
        .get(pos..)
        .ok_or_else(|| bad("name offset outside the string table"))?;
    let end = rest
        .iter()
        .position(|&b| b == 0)
        .ok_or_else(|| bad("unterminated symbol name"))?;
    std::str::from_utf8(&rest[..end]).map_err(|_| bad("symbol name is not UTF-8"))
}

/// GNU index: a count, that many member header offsets, then as many NUL-terminated names.
fn gnu_index<'a>(
    archive: &Archive<'a>,
    w: Window<'a>,
    width: usize,
) -> Result<Vec<ArchiveSymbol<'a>>> {
    let mut cur = Cursor {
        window: w,
        pos: 0,
        width,
        big_endian: true,
    };
    let count = cur.next("missing symbol count")?;
    let too_many = (w.len() / width) as u64;
    if count > too_many {
        return Err(ArchiveError::new(
            w.offset,
            ArchiveErrorKind::BadSymbolIndex("symbol count exceeds the index"),
        ));
    }
    let mut offsets = Vec::with_capacity(count as usize);
    for _ in 0..count {
        let at = w.offset + cur.pos;
        offsets.push(resolve_member(
            archive,
            cur.next("truncated offset table")?,
            at,
        )?);
    }
    let strings = Window::new(&w.bytes[cur.pos..], w.offset + cur.pos);
    let mut pos = 0;
    let mut symbols = Vec::with_capacity(offsets.len());
    for member in offsets {
        let name = c_string(strings, pos)?;
        pos += name.len() + 1;
        symbols.push(ArchiveSymbol { name, member });
    }
    Ok(symbols)
}

/// BSD `__.SYMDEF`: a byte size of `(name offset, member offset)` pairs, the pairs, a byte size
/// of the string table, the strings. Little-endian, as `llvm-ar` and Darwin write it.
fn bsd_index<'a>(archive: &Archive<'a>, w: Window<'a>) -> Result<Vec<ArchiveSymbol<'a>>> {
    let mut cur = Cursor {
        window: w,
        pos: 0,
        width: 4,
        big_endian: false,
    };
    let ranlib_bytes = cur.next("missing ranlib size")? as usize;
    let strings_at = ranlib_bytes.checked_add(8).filter(|&e| e <= w.len());
    let Some(strings_at) = strings_at else {
        return Err(ArchiveError::new(
            w.offset,
            ArchiveErrorKind::BadSymbolIndex("ranlib size exceeds the index"),
        ));
    };
    let strings_len = Cursor {
        pos: strings_at - 4,
        ..cur
    }
    .next("missing string table size")? as usize;
    let strings = w.sub(strings_at, strings_len).ok_or_else(|| {
        ArchiveError::new(
            w.offset + strings_at - 4,
            ArchiveErrorKind::BadSymbolIndex("string table exceeds the index"),
        )
    })?;
    let mut symbols = Vec::with_capacity(ranlib_bytes / 8);
    for _ in 0..ranlib_bytes / 8 {
        let name_at = cur.next("truncated ranlib entry")? as usize;
        let at = w.offset + cur.pos;
        let member = resolve_member(archive, cur.next("truncated ranlib entry")?, at)?;
        symbols.push(ArchiveSymbol {
            name: c_string(strings, name_at)?,
            member,
        });
    }
    Ok(symbols)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(name: &str, size: usize) -> Vec<u8> {
        let mut h =
            format!("{name:<16}{:<12}{:<6}{:<6}{:<8}{size:<10}`\n", 0, 0, 0, 644).into_bytes();
        h.truncate(HEADER_LEN);
        h
    }

    fn gnu_archive() -> Vec<u8> {
        let mut out = MAGIC.to_vec();
        let names = b"a_very_long_member_name.o/\n";
        // Index: 2 symbols; header offsets are filled in below.
        let first = 8 + 60 + 20 + 60 + names.len() + 1;
        let index_body = |second: u32| {
            let mut b = 2u32.to_be_bytes().to_vec();
            b.extend((first as u32).to_be_bytes());
            b.extend(second.to_be_bytes());
            b.extend(b"foo\0bar\0");
            b
        };
        let second = first + 60 + 4;
        out.extend(header("/", 20));
        out.extend(index_body(second as u32));
        out.extend(header("//", names.len()));
        out.extend(names);
        out.push(b'\n');
        out.extend(header("/0", 3));
        out.extend(b"abc\n");
        out.extend(header("b.o/", 2));
        out.extend(b"xy");
        out
    }

    #[test]
    fn gnu_members_long_names_and_index() {
        let bytes = gnu_archive();
        let a = Archive::parse(&bytes).unwrap();
        assert_eq!(a.format, ArchiveFormat::Gnu);
        let names: Vec<_> = a.members.iter().map(|m| m.name).collect();
        assert_eq!(names, ["a_very_long_member_name.o", "b.o"]);
        assert_eq!(a.members[0].data.bytes, b"abc");
        assert_eq!(&bytes[a.members[1].data.offset..][..2], b"xy");
        assert_eq!(
            a.symbols().unwrap(),
            [
                ArchiveSymbol {
                    name: "foo",
                    member: 0
                },
                ArchiveSymbol {
                    name: "bar",
                    member: 1
                }
            ]
        );
    }

    #[test]
    fn every_truncation_is_an_error_not_a_panic() {
        let bytes = gnu_archive();
        for len in 0..bytes.len() {
            let cut = &bytes[..len];
            if let Ok(a) = Archive::parse(cut) {
                // Only cutting at a member boundary may succeed.
                assert!(a.members.len() < 2 || len == bytes.len(), "len {len}");
            }
        }
    }

    #[test]
    fn bad_fields_are_reported_with_offsets() {
        let mut bytes = gnu_archive();
        bytes[8 + 48] = b'x';
        let err = Archive::parse(&bytes).unwrap_err();
        assert_eq!(
            (err.kind(), err.offset()),
            (&ArchiveErrorKind::BadSize, 8 + 48)
        );
        let mut bytes = gnu_archive();
        let slash0 = bytes.windows(3).position(|w| w == b"/0 ").unwrap();
        bytes[slash0 + 1..slash0 + 3].copy_from_slice(b"99");
        let err = Archive::parse(&bytes).unwrap_err();
        assert_eq!(
            err.kind(),
            &ArchiveErrorKind::BadNameReference { index: 99 }
        );
        assert_eq!(err.member(), Some("/99"));
        assert_eq!(
            Archive::parse(b"garbage!").unwrap_err().kind(),
            &ArchiveErrorKind::BadMagic
        );
    }

    /// wasm-ld links an archive whose symbol index is damaged (it never reads it): parsing
    /// succeeds, and only reading the index fails, saying where.
    #[test]
    fn a_damaged_index_is_an_error_only_when_read() {
        let mut bytes = gnu_archive();
        let count_at = 8 + 60;
        bytes[count_at..count_at + 4].copy_from_slice(&0x7fff_ffffu32.to_be_bytes());
        let a = Archive::parse(&bytes).unwrap();
        assert!(a.has_symbol_index());
        assert_eq!(a.members.len(), 2);
        let err = a.symbols().unwrap_err();
        assert_eq!(
            (err.kind(), err.offset()),
            (
                &ArchiveErrorKind::BadSymbolIndex("symbol count exceeds the index"),
                count_at
            )
        );
    }

    #[test]
    fn thin_members_are_headers_only() {
        let mut out = THIN_MAGIC.to_vec();
        let names = b"../sub/b.o/\nc.o/\n\n";
        // The first member's header follows the index (16 bytes) and the name table.
        let first = 8 + 60 + 16 + 60 + names.len();
        let mut index = 1u32.to_be_bytes().to_vec();
        index.extend((first as u32).to_be_bytes());
        index.extend(b"helper\0\0");
        out.extend(header("/", index.len()));
        out.extend(&index);
        out.extend(header("//", names.len()));
        out.extend(names);
        // Sizes are those of the member files; no bytes follow the headers.
        out.extend(header("/0", 247));
        out.extend(header("/12", 3));
        let a = Archive::parse(&out).unwrap();
        assert!(a.thin);
        let names: Vec<_> = a.members.iter().map(|m| m.name).collect();
        assert_eq!(names, ["../sub/b.o", "c.o"]);
        assert!(a.members.iter().all(|m| m.data.bytes.is_empty()));
        assert_eq!(
            a.symbols().unwrap(),
            [ArchiveSymbol {
                name: "helper",
                member: 0
            }]
        );
    }

    #[test]
    fn bsd_long_names_and_symdef() {
        let mut out = MAGIC.to_vec();
        let member_at = 8 + 60 + 12 + 20;
        let mut symdef = b"__.SYMDEF\0\0\0".to_vec();
        symdef.extend(8u32.to_le_bytes());
        symdef.extend(0u32.to_le_bytes());
        symdef.extend((member_at as u32).to_le_bytes());
        symdef.extend(4u32.to_le_bytes());
        symdef.extend(b"sym\0");
        out.extend(header("#1/12", symdef.len()));
        out.extend(&symdef);
        out.extend(header("#1/20", 23));
        out.extend(b"long_bsd_name.o\0\0\0\0\0abc\n");
        let a = Archive::parse(&out).unwrap();
        assert_eq!(a.format, ArchiveFormat::Bsd);
        assert_eq!(a.members[0].name, "long_bsd_name.o");
        assert_eq!(a.members[0].data.bytes, b"abc");
        assert_eq!(a.members[0].data.offset, member_at + 60 + 20);
        assert_eq!(
            a.symbols().unwrap(),
            [ArchiveSymbol {
                name: "sym",
                member: 0
            }]
        );
    }
}
