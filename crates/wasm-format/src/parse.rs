//! The parsing primitives every section parser is built from: nom parsers over borrowed bytes,
//! LEB128 numbers through the `leb128` crate, and [`Window`], a borrowed slice that knows its
//! absolute file offset so that errors can name one.
//!
//! Internally a parser fails with [`PError`], which records the *address* of the input where it
//! failed; [`Window::error`] turns that address back into an absolute file offset.

use crate::error::{Error, ErrorKind, Result};
use nom::IResult;

/// The input of every parser: the bytes not yet consumed.
pub type In<'a> = &'a [u8];
/// The result of every parser.
pub type PResult<'a, T> = IResult<In<'a>, T, PError>;

/// A parse failure inside a window: where (as an address into the input) and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PError {
    at: usize,
    kind: ErrorKind,
}

impl PError {
    /// A failure at the start of `input`.
    #[cold]
    pub fn at(input: In<'_>, kind: ErrorKind) -> Self {
        PError {
            at: input.as_ptr() as usize,
            kind,
        }
    }
}

impl<'a> nom::error::ParseError<In<'a>> for PError {
    fn from_error_kind(input: In<'a>, kind: nom::error::ErrorKind) -> Self {
        let kind = match kind {
            nom::error::ErrorKind::Eof => ErrorKind::Truncated {
                expected: "more bytes",
            },
            _ => ErrorKind::Message("malformed input"),
        };
        PError::at(input, kind)
    }

    fn append(_: In<'a>, _: nom::error::ErrorKind, other: Self) -> Self {
        other
    }
}

/// Fails the parse at the start of `input`.
#[cold]
pub fn fail<T>(input: In<'_>, kind: ErrorKind) -> PResult<'_, T> {
    Err(nom::Err::Error(PError::at(input, kind)))
}

/// A borrowed region of the input file that knows its absolute offset.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Window<'a> {
    /// The bytes.
    pub bytes: &'a [u8],
    /// Absolute offset of `bytes[0]` in the file.
    pub offset: usize,
}

impl std::fmt::Debug for Window<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Window({:#x}..{:#x})", self.offset, self.end())
    }
}

impl<'a> Window<'a> {
    /// A window over a whole file.
    pub fn new(bytes: &'a [u8], offset: usize) -> Self {
        Window { bytes, offset }
    }

    /// The absolute offset one past the last byte.
    pub fn end(&self) -> usize {
        self.offset + self.bytes.len()
    }

    /// The length in bytes.
    pub fn len(&self) -> usize {
        self.bytes.len()
    }

    /// Whether the window is empty.
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// The absolute offset of `rest`, a tail of this window's bytes.
    pub fn offset_of(&self, rest: In<'_>) -> usize {
        self.offset + (rest.as_ptr() as usize).wrapping_sub(self.bytes.as_ptr() as usize)
    }

    /// The sub-window starting at `rest`, a tail of this window's bytes.
    pub fn tail(&self, rest: In<'a>) -> Window<'a> {
        Window {
            bytes: rest,
            offset: self.offset_of(rest),
        }
    }

    /// The sub-window of `len` bytes at relative position `start`, if it fits.
    pub fn sub(&self, start: usize, len: usize) -> Option<Window<'a>> {
        let end = start.checked_add(len)?;
        let bytes = self.bytes.get(start..end)?;
        Some(Window {
            bytes,
            offset: self.offset + start,
        })
    }

    /// Converts an internal failure into an [`Error`] with an absolute offset.
    pub fn error(&self, err: nom::Err<PError>) -> Error {
        match err {
            nom::Err::Error(e) | nom::Err::Failure(e) => {
                let rel = e.at.wrapping_sub(self.bytes.as_ptr() as usize);
                let rel = if rel <= self.bytes.len() {
                    rel
                } else {
                    self.bytes.len()
                };
                Error::new(self.offset + rel, e.kind)
            }
            nom::Err::Incomplete(_) => Error::new(
                self.end(),
                ErrorKind::Truncated {
                    expected: "more bytes",
                },
            ),
        }
    }

    /// Runs `parser` over the whole window; bytes left over are an error.
    pub fn parse_all<T>(
        &self,
        what: &'static str,
        parser: impl FnOnce(In<'a>) -> PResult<'a, T>,
    ) -> Result<T> {
        let (rest, value) = parser(self.bytes).map_err(|e| self.error(e))?;
        if !rest.is_empty() {
            return Err(Error::new(
                self.offset_of(rest),
                ErrorKind::TrailingBytes {
                    what,
                    remaining: rest.len(),
                },
            ));
        }
        Ok(value)
    }

    /// Runs `parser` over the start of the window and returns the value and what follows.
    pub fn parse_prefix<T>(
        &self,
        parser: impl FnOnce(In<'a>) -> PResult<'a, T>,
    ) -> Result<(Window<'a>, T)> {
        let (rest, value) = parser(self.bytes).map_err(|e| self.error(e))?;
        Ok((self.tail(rest), value))
    }
}

/// One byte.
#[inline]
pub fn byte<'a>(expected: &'static str) -> impl Fn(In<'a>) -> PResult<'a, u8> {
    move |i: In<'a>| match i.split_first() {
        Some((&b, rest)) => Ok((rest, b)),
        None => fail(i, ErrorKind::Truncated { expected }),
    }
}

/// `n` raw bytes, borrowed.
#[inline]
pub fn take<'a>(n: usize, expected: &'static str) -> impl Fn(In<'a>) -> PResult<'a, &'a [u8]> {
    move |i: In<'a>| {
        if i.len() < n {
            return fail(i, ErrorKind::Truncated { expected });
        }
        let (head, rest) = i.split_at(n);
        Ok((rest, head))
    }
}

/// A little-endian `u32`.
#[inline]
pub fn u32_le(i: In<'_>) -> PResult<'_, u32> {
    let (rest, b) = take(4, "a 4-byte integer")(i)?;
    Ok((rest, u32::from_le_bytes([b[0], b[1], b[2], b[3]])))
}

/// Reads an unsigned LEB128 of at most `max_bytes` bytes whose value fits `bits` bits.
#[inline]
fn leb_unsigned<'a>(
    i: In<'a>,
    max_bytes: usize,
    bits: u32,
    expected: &'static str,
) -> PResult<'a, u64> {
    if let Some(&b) = i.first() {
        if b < 0x80 {
            return Ok((&i[1..], u64::from(b)));
        }
    }
    let mut cursor = i;
    match leb128::read::unsigned(&mut cursor) {
        Ok(value) => {
            let used = i.len() - cursor.len();
            if used > max_bytes || (bits < 64 && value >> bits != 0) {
                return fail(i, ErrorKind::LebOverflow { expected });
            }
            Ok((cursor, value))
        }
        Err(leb128::read::Error::Overflow) => fail(i, ErrorKind::LebOverflow { expected }),
        Err(leb128::read::Error::IoError(_)) => fail(i, ErrorKind::Truncated { expected }),
    }
}

/// Reads a signed LEB128 of at most `max_bytes` bytes whose value fits `bits` bits.
#[inline]
fn leb_signed<'a>(
    i: In<'a>,
    max_bytes: usize,
    bits: u32,
    expected: &'static str,
) -> PResult<'a, i64> {
    if let Some(&b) = i.first() {
        if b < 0x80 {
            return Ok((&i[1..], (i64::from(b) << 57) >> 57));
        }
    }
    let mut cursor = i;
    match leb128::read::signed(&mut cursor) {
        Ok(value) => {
            let used = i.len() - cursor.len();
            let fits = bits >= 64 || (value >> (bits - 1)) == 0 || (value >> (bits - 1)) == -1;
            if used > max_bytes || !fits {
                return fail(i, ErrorKind::LebOverflow { expected });
            }
            Ok((cursor, value))
        }
        Err(leb128::read::Error::Overflow) => fail(i, ErrorKind::LebOverflow { expected }),
        Err(leb128::read::Error::IoError(_)) => fail(i, ErrorKind::Truncated { expected }),
    }
}

/// A `varuint32`, decoded inline: indices, counts and sizes are the most common numbers of
/// every section. Any input this fast path is unsure about (too long, overflowing, truncated)
/// goes to `var_u32_slow`, so values and errors are exactly the same.
#[inline(always)]
pub fn var_u32(i: In<'_>) -> PResult<'_, u32> {
    let mut value = 0u32;
    for (k, &b) in i.iter().take(5).enumerate() {
        value |= u32::from(b & 0x7f) << (7 * k);
        if b < 0x80 {
            if k == 4 && b > 0x0f {
                break;
            }
            return Ok((&i[k + 1..], value));
        }
    }
    var_u32_slow(i)
}

/// A `varuint32` through the shared LEB128 reader.
#[inline(never)]
pub(crate) fn var_u32_slow(i: In<'_>) -> PResult<'_, u32> {
    let (rest, v) = leb_unsigned(i, 5, 32, "a varuint32")?;
    Ok((rest, v as u32))
}

/// A `varuint64`; encodings of up to eight bytes (56 bits, which cannot overflow) are decoded
/// inline, the rest by the shared reader.
#[inline(always)]
pub fn var_u64(i: In<'_>) -> PResult<'_, u64> {
    let mut value = 0u64;
    for (k, &b) in i.iter().take(8).enumerate() {
        value |= u64::from(b & 0x7f) << (7 * k);
        if b < 0x80 {
            return Ok((&i[k + 1..], value));
        }
    }
    var_u64_slow(i)
}

/// A `varuint64` through the shared LEB128 reader.
#[inline(never)]
pub(crate) fn var_u64_slow(i: In<'_>) -> PResult<'_, u64> {
    leb_unsigned(i, 10, 64, "a varuint64")
}

/// A `varint32`; encodings of up to four bytes (28 bits, which always fit) are decoded inline,
/// the rest by the shared reader. Relocation addends (offsets into debug sections) are the
/// common multi-byte case.
#[inline(always)]
pub fn var_i32(i: In<'_>) -> PResult<'_, i32> {
    let mut value = 0i64;
    for (k, &b) in i.iter().take(4).enumerate() {
        value |= i64::from(b & 0x7f) << (7 * k);
        if b < 0x80 {
            let bits = 7 * (k + 1);
            let value = (value << (64 - bits)) >> (64 - bits);
            return Ok((&i[k + 1..], value as i32));
        }
    }
    var_i32_slow(i)
}

/// A `varint32` through the shared LEB128 reader.
#[inline(never)]
pub(crate) fn var_i32_slow(i: In<'_>) -> PResult<'_, i32> {
    let (rest, v) = leb_signed(i, 5, 32, "a varint32")?;
    Ok((rest, v as i32))
}

/// A `varint64`.
#[inline]
pub fn var_i64(i: In<'_>) -> PResult<'_, i64> {
    leb_signed(i, 10, 64, "a varint64")
}

/// A signed 33-bit LEB128, as used for block types.
#[inline]
pub fn var_s33(i: In<'_>) -> PResult<'_, i64> {
    leb_signed(i, 5, 33, "a varint33")
}

/// A length-prefixed byte string, borrowed.
#[inline]
pub fn bytes(i: In<'_>) -> PResult<'_, &[u8]> {
    let (rest, len) = var_u32(i)?;
    take(len as usize, "bytes of a length-prefixed string")(rest)
}

/// A length-prefixed UTF-8 name, borrowed.
#[inline]
pub fn name(i: In<'_>) -> PResult<'_, &str> {
    let (rest, raw) = bytes(i)?;
    match utf8(raw) {
        Some(s) => Ok((rest, s)),
        None => fail(i, ErrorKind::BadUtf8),
    }
}

/// `raw` as a string if it is UTF-8. Symbol names are nearly always ASCII, which a word-wise
/// check confirms in a fraction of `from_utf8`'s time on short strings.
#[inline]
pub fn utf8(raw: &[u8]) -> Option<&str> {
    if is_ascii(raw) {
        // SAFETY: ASCII bytes are valid UTF-8.
        Some(unsafe { std::str::from_utf8_unchecked(raw) })
    } else {
        std::str::from_utf8(raw).ok()
    }
}

/// Whether every byte is ASCII, eight bytes at a time with no early exit (the last eight
/// overlapping the others). Names are nearly always ASCII: on C++ symbol names (80 bytes on
/// average) `<[u8]>::is_ascii` takes 3.6 times as long, and as long on C's short ones.
#[inline]
fn is_ascii(raw: &[u8]) -> bool {
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let word = |b: &[u8]| u64::from_le_bytes(b.try_into().expect("eight bytes"));
    let Some(last) = raw.len().checked_sub(8) else {
        let seen = match raw.len().checked_sub(4) {
            // The first four and the last four cover them all.
            Some(last) => {
                u64::from(u32::from_le_bytes(raw[..4].try_into().expect("four")))
                    | u64::from(u32::from_le_bytes(raw[last..].try_into().expect("four")))
            }
            None => raw.iter().fold(0, |seen, &b| seen | u64::from(b)),
        };
        return seen & HIGH == 0;
    };
    let seen = raw
        .chunks_exact(8)
        .fold(word(&raw[last..]), |seen, w| seen | word(w));
    seen & HIGH == 0
}

/// A count of entries that each take at least `min_size` bytes; a count that the remaining
/// input cannot hold is an error, so no caller ever allocates more than the input justifies.
#[inline]
pub fn count<'a>(what: &'static str, min_size: usize) -> impl Fn(In<'a>) -> PResult<'a, u32> {
    move |i: In<'a>| {
        let (rest, n) = var_u32(i)?;
        if min_size > 0 && (n as usize).saturating_mul(min_size) > rest.len() {
            return fail(
                i,
                ErrorKind::CountTooLarge {
                    what,
                    count: u64::from(n),
                    remaining: rest.len(),
                },
            );
        }
        Ok((rest, n))
    }
}

/// A counted vector: a count (checked with `min_size`), then that many `item`s.
pub fn vec_of<'a, T>(
    what: &'static str,
    min_size: usize,
    mut item: impl FnMut(In<'a>) -> PResult<'a, T>,
) -> impl FnMut(In<'a>) -> PResult<'a, Vec<T>> {
    move |i: In<'a>| {
        let (mut rest, n) = count(what, min_size)(i)?;
        let mut out = Vec::with_capacity(n as usize);
        for _ in 0..n {
            let (r, v) = item(rest)?;
            out.push(v);
            rest = r;
        }
        Ok((rest, out))
    }
}

/// A lazy, counted sequence of items inside a window: each item is parsed when iterated, the
/// way wasmparser's `SectionLimited` works. Stops after the first error.
#[derive(Clone)]
pub struct Items<'a, T> {
    window: Window<'a>,
    rest: In<'a>,
    remaining: u32,
    parse: fn(In<'a>) -> PResult<'a, T>,
}

impl<'a, T> Items<'a, T> {
    /// Reads the count at the start of `window` (each item at least `min_size` bytes).
    pub fn new(
        window: Window<'a>,
        what: &'static str,
        min_size: usize,
        parse: fn(In<'a>) -> PResult<'a, T>,
    ) -> Result<Self> {
        let (rest, remaining) = count(what, min_size)(window.bytes).map_err(|e| window.error(e))?;
        Ok(Items {
            window,
            rest,
            remaining,
            parse,
        })
    }

    /// How many items are left.
    pub fn remaining(&self) -> u32 {
        self.remaining
    }

    /// Collects every item, failing on the first error or on trailing bytes.
    pub fn collect_all(self, what: &'static str) -> Result<Vec<T>> {
        let window = self.window;
        let mut out = Vec::with_capacity(self.remaining as usize);
        let mut it = self;
        while it.remaining > 0 {
            out.push(it.next_item()?);
        }
        if !it.rest.is_empty() {
            return Err(Error::new(
                window.offset_of(it.rest),
                ErrorKind::TrailingBytes {
                    what,
                    remaining: it.rest.len(),
                },
            ));
        }
        Ok(out)
    }

    fn next_item(&mut self) -> Result<T> {
        match (self.parse)(self.rest) {
            Ok((rest, v)) => {
                self.rest = rest;
                self.remaining -= 1;
                Ok(v)
            }
            Err(e) => {
                self.remaining = 0;
                self.rest = &[];
                Err(self.window.error(e))
            }
        }
    }
}

impl<T> Iterator for Items<'_, T> {
    type Item = Result<T>;

    fn next(&mut self) -> Option<Result<T>> {
        if self.remaining == 0 {
            return None;
        }
        Some(self.next_item())
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (0, Some(self.remaining as usize))
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn the_ascii_check_agrees_with_the_standard_one_at_every_length_and_place() {
        for len in 0..40 {
            let ascii = vec![b'a'; len];
            assert!(super::is_ascii(&ascii));
            for at in 0..len {
                let mut one_high = ascii.clone();
                one_high[at] = 0x80;
                assert_eq!(super::is_ascii(&one_high), one_high.is_ascii());
                assert!(!super::is_ascii(&one_high), "{len} {at}");
            }
        }
        assert_eq!(super::utf8("é_Z3fooé".as_bytes()), Some("é_Z3fooé"));
        assert_eq!(super::utf8(b"\xff_Z3foo"), None);
    }

    #[test]
    fn inline_lebs_agree_with_the_shared_reader() {
        let mut cases: Vec<Vec<u8>> =
            vec![vec![], vec![0x80], vec![0xff; 10], vec![0x7f], vec![0x40]];
        let mut x = 0x2545_f491_4f6c_dd1du64;
        for _ in 0..20000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let len = (x % 11) as usize;
            let mut c: Vec<u8> = (0..len).map(|k| (x >> (k * 5)) as u8 | 0x80).collect();
            if let Some(last) = c.last_mut() {
                *last &= if x & 1 == 0 { 0x7f } else { 0xff };
            }
            cases.push(c);
        }
        for c in &cases {
            let w = Window::new(c, 1000);
            let pair = |a: Result<(Window<'_>, u64)>, b: Result<(Window<'_>, u64)>| {
                assert_eq!(
                    a.map(|(r, v)| (r.offset, v)),
                    b.map(|(r, v)| (r.offset, v)),
                    "{c:x?}"
                )
            };
            pair(w.parse_prefix(var_u64), w.parse_prefix(var_u64_slow));
            pair(
                w.parse_prefix(var_u32).map(|(r, v)| (r, u64::from(v))),
                w.parse_prefix(var_u32_slow).map(|(r, v)| (r, u64::from(v))),
            );
            pair(
                w.parse_prefix(var_i32).map(|(r, v)| (r, v as u64)),
                w.parse_prefix(var_i32_slow).map(|(r, v)| (r, v as u64)),
            );
        }
    }

    use super::*;

    #[test]
    fn leb_values_and_limits() {
        assert_eq!(var_u32(&[0x83, 0x80, 0x80, 0x80, 0x00]).unwrap().1, 3);
        assert_eq!(
            var_u32(&[0xff, 0xff, 0xff, 0xff, 0x0f]).unwrap().1,
            u32::MAX
        );
        assert!(var_u32(&[0xff, 0xff, 0xff, 0xff, 0x1f]).is_err());
        assert!(var_u32(&[0x80, 0x80, 0x80, 0x80, 0x80, 0x00]).is_err());
        assert!(var_u32(&[0x80]).is_err());
        assert_eq!(var_i32(&[0x7f]).unwrap().1, -1);
        assert_eq!(var_i32(&[0xff, 0xff, 0xff, 0xff, 0x7f]).unwrap().1, -1);
        assert_eq!(var_i64(&[0x80, 0x7f]).unwrap().1, -128);
    }

    #[test]
    fn error_offsets_are_absolute() {
        let data = [0x01, b'a', 0x80];
        let w = Window::new(&data, 100);
        let err = w.parse_all("test", |i| {
            let (i, _) = name(i)?;
            var_u32(i)
        });
        assert_eq!(err.unwrap_err().offset(), 102);
    }

    #[test]
    fn huge_count_is_an_error_not_an_allocation() {
        let data = [0xff, 0xff, 0xff, 0xff, 0x0f, 0, 0, 0, 0, 0];
        let w = Window::new(&data, 0);
        let err = w
            .parse_all("test", vec_of("things", 1, byte("a thing")))
            .unwrap_err();
        assert!(matches!(err.kind(), ErrorKind::CountTooLarge { .. }));
        assert_eq!(err.offset(), 0);
    }
}
