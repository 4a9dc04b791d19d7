//! Which LLVM wrote some bitcode: the `STRING` record of its identification block
//! (`LLVM22.1.2`). libLTO may crash rather than refuse bitcode newer than itself (a ThinLTO
//! summary of a newer version), so the version is checked first. A reader of just enough of
//! LLVM's bitstream format for that one block; anything unexpected gives `None`.

/// The producer string of `bytes` (bare bitcode, or in its wrapper header), if it has one.
pub fn producer(bytes: &[u8]) -> Option<String> {
    let bytes = unwrap(bytes)?;
    let mut r = Bits { bytes, at: 32 };
    // The first top-level entry: ENTER_SUBBLOCK (abbreviation 1 at width 2) of block 13.
    if r.fixed(2)? != 1 || r.vbr(8)? != 13 {
        return None;
    }
    let width = r.vbr(4)? as u32;
    r.align32();
    r.fixed(32)?;
    let mut abbrevs: Vec<Vec<Op>> = Vec::new();
    loop {
        match r.fixed(width)? {
            0 => return None,
            2 => abbrevs.push(r.define_abbrev()?),
            3 => {
                let code = r.vbr(6)?;
                let n = r.vbr(6)?;
                let ops: Option<Vec<u64>> = (0..n).map(|_| r.vbr(6)).collect();
                if code == 1 {
                    return Some(ops?.iter().map(|&c| c as u8 as char).collect());
                }
                ops?;
            }
            id => {
                let ops = abbrevs.get(id.checked_sub(4)? as usize)?.clone();
                let (code, text) = r.abbreviated(&ops)?;
                if code == 1 {
                    return Some(text);
                }
            }
        }
    }
}

/// The major version in a producer string such as `LLVM22.1.2`.
pub fn major(producer: &str) -> Option<u32> {
    let digits: String = producer
        .trim_start_matches(|c: char| !c.is_ascii_digit())
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

/// The bitcode after its magic, from the wrapper header if there is one.
fn unwrap(bytes: &[u8]) -> Option<&[u8]> {
    if bytes.starts_with(&[0xDE, 0xC0, 0x17, 0x0B]) {
        let word = |at: usize| Some(u32::from_le_bytes(bytes.get(at..at + 4)?.try_into().ok()?));
        let (offset, size) = (word(8)? as usize, word(12)? as usize);
        return bytes.get(offset..offset.checked_add(size)?);
    }
    bytes.starts_with(b"BC\xC0\xDE").then_some(bytes)
}

/// An operand of an abbreviation.
#[derive(Clone, Copy)]
enum Op {
    Literal(u64),
    Fixed(u32),
    Vbr(u32),
    Array,
    Char6,
    Blob,
}

/// A little-endian bit cursor.
struct Bits<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Bits<'_> {
    fn fixed(&mut self, n: u32) -> Option<u64> {
        let mut v = 0u64;
        for k in 0..n as usize {
            let bit = self.at + k;
            let byte = *self.bytes.get(bit / 8)?;
            v |= u64::from((byte >> (bit % 8)) & 1) << k;
        }
        self.at += n as usize;
        Some(v)
    }

    fn vbr(&mut self, n: u32) -> Option<u64> {
        let mut v = 0u64;
        let mut shift = 0;
        loop {
            let chunk = self.fixed(n)?;
            v |= (chunk & ((1 << (n - 1)) - 1)).checked_shl(shift)?;
            if chunk >> (n - 1) == 0 {
                return Some(v);
            }
            shift += n - 1;
            if shift > 63 {
                return None;
            }
        }
    }

    fn align32(&mut self) {
        self.at = self.at.next_multiple_of(32);
    }

    fn define_abbrev(&mut self) -> Option<Vec<Op>> {
        let n = self.vbr(5)?;
        let mut ops = Vec::new();
        for _ in 0..n {
            ops.push(match self.fixed(1)? {
                1 => Op::Literal(self.vbr(8)?),
                _ => match self.fixed(3)? {
                    1 => Op::Fixed(self.vbr(5)? as u32),
                    2 => Op::Vbr(self.vbr(5)? as u32),
                    3 => Op::Array,
                    4 => Op::Char6,
                    5 => Op::Blob,
                    _ => return None,
                },
            });
        }
        Some(ops)
    }

    fn scalar(&mut self, op: Op) -> Option<u64> {
        match op {
            Op::Literal(v) => Some(v),
            Op::Fixed(n) => self.fixed(n),
            Op::Vbr(n) => self.vbr(n),
            Op::Char6 => self.fixed(6).map(|c| u64::from(char6(c as u8))),
            Op::Array | Op::Blob => None,
        }
    }

    /// An abbreviated record: its code, and its array operand as text.
    fn abbreviated(&mut self, ops: &[Op]) -> Option<(u64, String)> {
        let code = self.scalar(*ops.first()?)?;
        let mut text = String::new();
        let mut k = 1;
        while k < ops.len() {
            match ops[k] {
                Op::Array => {
                    let element = *ops.get(k + 1)?;
                    for _ in 0..self.vbr(6)? {
                        text.push(self.scalar(element)? as u8 as char);
                    }
                    k += 2;
                }
                Op::Blob => return None,
                op => {
                    self.scalar(op)?;
                    k += 1;
                }
            }
        }
        Some((code, text))
    }
}

/// LLVM's 6-bit characters.
fn char6(c: u8) -> u8 {
    match c {
        0..=25 => b'a' + c,
        26..=51 => b'A' + c - 26,
        52..=61 => b'0' + c - 52,
        62 => b'.',
        _ => b'_',
    }
}
