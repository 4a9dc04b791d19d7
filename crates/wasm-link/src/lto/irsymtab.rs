//! The symbol order and COMDAT groups of a bitcode file, read from its irsymtab: the symbol
//! table LLVM writes into every bitcode file (`SYMTAB_BLOCK` and `STRTAB_BLOCK`,
//! `llvm/Object/IRSymtab.h`), which lld reads through `lto::InputFile`. libLTO's C API lists
//! a module's undefined symbols after its definitions, where lld inserts them in the module's
//! own order (functions, declarations among them, then variables, then aliases), which
//! decides the order of exports and imports; and it says that a symbol is in a COMDAT, not
//! in which. Flags still come from libLTO. Any surprise in the format gives `None`, and the
//! caller keeps what libLTO tells.

/// `SYMTAB_BLOCK_ID` and `STRTAB_BLOCK_ID` (`LLVMBitCodes.h`).
const SYMTAB_BLOCK: u64 = 25;
const STRTAB_BLOCK: u64 = 23;
/// The irsymtab version LLVM 19 writes (`irsymtab::storage::Header::kCurrentVersion`).
const VERSION: u32 = 3;
/// `storage::Symbol` flag bits.
const FB_GLOBAL: u32 = 1 << 10;
const FB_FORMAT_SPECIFIC: u32 = 1 << 11;
/// Size of `storage::Symbol` in bytes: `Str Name, Str IRName, Word ComdatIndex, Word Flags`.
const SYMBOL_SIZE: usize = 24;
/// Size of `storage::Comdat` in bytes: `Str Name, Word SelectionKind`.
const COMDAT_SIZE: usize = 12;

/// One global symbol of the irsymtab.
#[derive(Debug, PartialEq)]
pub struct IrSymbol<'a> {
    /// Its name, as libLTO gives it.
    pub name: &'a str,
    /// The COMDAT group it is in.
    pub comdat: Option<&'a str>,
}

/// The file's global symbols in irsymtab order (lld's `InputFile::symbols`: global and not
/// format-specific), or `None` if the file has no irsymtab this reader knows.
pub fn symbols(bitcode: &[u8]) -> Option<Vec<IrSymbol<'_>>> {
    let (symtab, strtab) = blobs(bitcode)?;
    let word = |at: usize| -> Option<u32> {
        let b = symtab.get(at..at + 4)?;
        Some(u32::from_le_bytes(b.try_into().ok()?))
    };
    if word(0)? != VERSION {
        return None;
    }
    let string = |at: usize| -> Option<&str> {
        let (offset, size) = (word(at)? as usize, word(at + 4)? as usize);
        std::str::from_utf8(strtab.get(offset..offset.checked_add(size)?)?).ok()
    };
    // Header: Version, Producer (2 words), Modules (2), Comdats (2), Symbols (2) ...
    let (comdats, comdat_count) = (word(20)? as usize, word(24)?);
    let (first, count) = (word(28)? as usize, word(32)? as usize);
    let mut symbols = Vec::with_capacity(count);
    for i in 0..count {
        let at = first.checked_add(i.checked_mul(SYMBOL_SIZE)?)?;
        let flags = word(at + 20)?;
        if flags & FB_GLOBAL == 0 || flags & FB_FORMAT_SPECIFIC != 0 {
            continue;
        }
        let comdat = match word(at + 16)? {
            u32::MAX => None,
            c if c < comdat_count => Some(string(comdats + c as usize * COMDAT_SIZE)?),
            _ => return None,
        };
        let name = string(at)?;
        symbols.push(IrSymbol { name, comdat });
    }
    Some(symbols)
}

/// The symbol table and string table blobs of the top-level blocks.
fn blobs(bitcode: &[u8]) -> Option<(&[u8], &[u8])> {
    let mut r = Bits::new(bitcode.strip_prefix(b"BC\xC0\xDE")?);
    let (mut symtab, mut strtab) = (None, None);
    while r.remaining_bits() >= 32 && (symtab.is_none() || strtab.is_none()) {
        // Top level: abbreviation width 2, only ENTER_SUBBLOCK (1).
        if r.fixed(2)? != 1 {
            return None;
        }
        let id = r.vbr(8)?;
        let width = r.vbr(4)? as u32;
        r.align32();
        let words = r.fixed(32)? as usize;
        let body = r.take(words.checked_mul(4)?)?;
        match id {
            SYMTAB_BLOCK => symtab = Some(blob_record(body, width)?),
            STRTAB_BLOCK => strtab = Some(blob_record(body, width)?),
            _ => {}
        }
    }
    Some((symtab?, strtab?))
}

/// The blob of a block that holds one abbreviation `[literal code, blob]` and one record
/// using it, as LLVM writes the symbol and string tables.
fn blob_record(body: &[u8], width: u32) -> Option<&[u8]> {
    let mut r = Bits::new(body);
    // DEFINE_ABBREV (2): two operands, a literal then a blob (encoding 5).
    if r.fixed(width)? != 2 || r.vbr(5)? != 2 {
        return None;
    }
    if r.fixed(1)? != 1 {
        return None;
    }
    r.vbr(8)?;
    if r.fixed(1)? != 0 || r.fixed(3)? != 5 {
        return None;
    }
    // The record, with the first abbreviation defined (id 4).
    if r.fixed(width)? != 4 {
        return None;
    }
    let len = r.vbr(6)? as usize;
    r.align32();
    r.take(len)
}

/// A little-endian bit reader, as LLVM's bitstream is written.
struct Bits<'a> {
    bytes: &'a [u8],
    bit: usize,
}

impl<'a> Bits<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        Bits { bytes, bit: 0 }
    }

    fn remaining_bits(&self) -> usize {
        (self.bytes.len() * 8).saturating_sub(self.bit)
    }

    /// `n` bits (at most 64), least significant first.
    fn fixed(&mut self, n: u32) -> Option<u64> {
        if n as usize > self.remaining_bits() || n > 64 {
            return None;
        }
        let mut value = 0u64;
        for i in 0..n as usize {
            let bit = self.bit + i;
            let set = (self.bytes[bit / 8] >> (bit % 8)) & 1;
            value |= u64::from(set) << i;
        }
        self.bit += n as usize;
        Some(value)
    }

    /// A variable-width integer in `n`-bit chunks, the top bit of each a continuation bit.
    fn vbr(&mut self, n: u32) -> Option<u64> {
        let (mut value, mut shift) = (0u64, 0u32);
        loop {
            let chunk = self.fixed(n)?;
            let payload = chunk & ((1 << (n - 1)) - 1);
            value |= payload.checked_shl(shift)?;
            if chunk & (1 << (n - 1)) == 0 {
                return Some(value);
            }
            shift += n - 1;
            if shift >= 64 {
                return None;
            }
        }
    }

    fn align32(&mut self) {
        self.bit = self.bit.div_ceil(32) * 32;
    }

    /// The next `n` bytes (the reader must be byte-aligned).
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let start = self.bit / 8;
        let bytes = self.bytes.get(start..start.checked_add(n)?)?;
        self.bit = (start + n) * 8;
        Some(bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bits_and_vbr_read_lsb_first() {
        // 0b1_0110 then vbr6 of 40 (0b101000: chunk 0b101000 has its top bit set: 8 + 1<<5).
        let mut r = Bits::new(&[0b1011_0110, 0xFF]);
        assert_eq!(r.fixed(4), Some(0b0110));
        assert_eq!(r.fixed(2), Some(0b11));
        let mut r = Bits::new(&[0b0010_1000, 0b0000_0001]);
        // chunks of 6: 0b101000 (continue, payload 8), 0b000100 (payload 4): 8 + 4 << 5.
        assert_eq!(r.vbr(6), Some(8 + (4 << 5)));
    }

    #[test]
    fn not_bitcode_or_truncated_is_none() {
        assert_eq!(symbols(b"\0asm\x01\0\0\0"), None);
        assert_eq!(symbols(b"BC\xC0\xDE\x35"), None);
        assert_eq!(symbols(b"BC\xC0\xDE"), None);
    }
}
