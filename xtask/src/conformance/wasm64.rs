//! Running memory64 programs under node. Node 20 runs a 64-bit memory behind
//! `--experimental-wasm-memory64`, but knows no 64-bit tables, and wasm-ld makes the indirect
//! function table 64-bit in every wasm64 link (clang's objects always import it).
//!
//! A module that never indexes its table (no `call_indirect`, no `table.*`) behaves the same
//! with a 32-bit table, so the copy node runs gets one: the limits flag loses its 64-bit bit and
//! the element segment's `i64.const` offset becomes `i32.const` (same LEB, same size). A module
//! that does index its table runs only on a node that has 64-bit tables; elsewhere it is
//! compared structurally only, and its verdict says so.

use std::sync::OnceLock;

use wasmparser::{Operator, Parser, Payload};

/// The node flag that turns on memory64.
pub const NODE_FLAG: &str = "--experimental-wasm-memory64";

const I32_CONST: u8 = 0x41;
const I64_CONST: u8 = 0x42;
const LIMITS_64: u8 = 0x04;

/// What node can be given for a linked wasm64 module: the module itself, a copy with a 32-bit
/// table, or nothing (why not, in words).
pub fn runnable(bytes: &[u8]) -> Result<Result<Vec<u8>, &'static str>, String> {
    if node_has_table64() {
        return Ok(Ok(bytes.to_vec()));
    }
    if indexes_a_table(bytes)? {
        return Ok(Err("not run: node has no 64-bit tables"));
    }
    lower_tables(bytes).map(Ok)
}

/// Whether this node validates a module with a 64-bit table (asked once per harness run).
fn node_has_table64() -> bool {
    static HAS: OnceLock<bool> = OnceLock::new();
    *HAS.get_or_init(|| {
        // (module (table i64 0 funcref))
        let probe = "WebAssembly.validate(new Uint8Array([0,97,115,109,1,0,0,0,4,4,1,112,4,0]))\
                     ||process.exit(1)";
        std::process::Command::new("node")
            .args([NODE_FLAG, "--no-warnings", "-e", probe])
            .output()
            .is_ok_and(|o| o.status.success())
    })
}

/// Whether some function reads, writes or calls through a table.
fn indexes_a_table(bytes: &[u8]) -> Result<bool, String> {
    for payload in Parser::new(0).parse_all(bytes) {
        let Payload::CodeSectionEntry(body) = payload.map_err(|e| e.to_string())? else {
            continue;
        };
        let mut ops = body.get_operators_reader().map_err(|e| e.to_string())?;
        while !ops.eof() {
            let uses_table = matches!(
                ops.read().map_err(|e| e.to_string())?,
                Operator::CallIndirect { .. }
                    | Operator::ReturnCallIndirect { .. }
                    | Operator::TableGet { .. }
                    | Operator::TableSet { .. }
                    | Operator::TableSize { .. }
                    | Operator::TableGrow { .. }
                    | Operator::TableFill { .. }
                    | Operator::TableCopy { .. }
                    | Operator::TableInit { .. }
            );
            if uses_table {
                return Ok(true);
            }
        }
    }
    Ok(false)
}

/// A copy of `bytes` whose tables (defined and imported) and element offsets are 32-bit.
fn lower_tables(bytes: &[u8]) -> Result<Vec<u8>, String> {
    let mut out = bytes.to_vec();
    for payload in Parser::new(0).parse_all(bytes) {
        let (range, section) = match payload.map_err(|e| e.to_string())? {
            Payload::TableSection(r) => (r.range(), Section::Table),
            Payload::ImportSection(r) => (r.range(), Section::Import),
            Payload::ElementSection(r) => (r.range(), Section::Element),
            _ => continue,
        };
        let mut w = Walker {
            bytes: &mut out,
            at: range.start as usize,
        };
        let walked = match section {
            Section::Table => w.tables(),
            Section::Import => w.imports(),
            Section::Element => w.elements(),
        };
        walked.ok_or("cannot lower the 64-bit table")?;
    }
    Ok(out)
}

/// The sections that hold table types or element offsets.
enum Section {
    Table,
    Import,
    Element,
}

/// A cursor over the module's bytes that patches them in place; `None` on anything wasm-ld
/// does not write.
struct Walker<'b> {
    bytes: &'b mut [u8],
    at: usize,
}

impl Walker<'_> {
    fn byte(&mut self) -> Option<u8> {
        let b = *self.bytes.get(self.at)?;
        self.at += 1;
        Some(b)
    }

    fn leb(&mut self) -> Option<u64> {
        let (mut v, mut shift) = (0u64, 0);
        loop {
            let b = self.byte()?;
            v |= u64::from(b & 0x7f).checked_shl(shift)?;
            shift += 7;
            if b & 0x80 == 0 {
                return Some(v);
            }
        }
    }

    fn skip_name(&mut self) -> Option<()> {
        let len = usize::try_from(self.leb()?).ok()?;
        self.at = self.at.checked_add(len)?;
        Some(())
    }

    /// Limits: clears the 64-bit flag.
    fn limits(&mut self) -> Option<()> {
        let flags = self.byte()?;
        self.bytes[self.at - 1] = flags & !LIMITS_64;
        self.leb()?;
        if flags & 1 != 0 {
            self.leb()?;
        }
        Some(())
    }

    /// A table type: a one-byte reference type, then limits.
    fn table_type(&mut self) -> Option<()> {
        matches!(self.byte()?, 0x70 | 0x6f).then_some(())?;
        self.limits()
    }

    fn tables(&mut self) -> Option<()> {
        for _ in 0..self.leb()? {
            self.table_type()?;
        }
        Some(())
    }

    fn imports(&mut self) -> Option<()> {
        for _ in 0..self.leb()? {
            self.skip_name()?;
            self.skip_name()?;
            match self.byte()? {
                0 => drop(self.leb()?),
                1 => self.table_type()?,
                2 => self.limits()?,
                3 => drop((self.byte()?, self.byte()?)),
                4 => drop((self.byte()?, self.leb()?)),
                _ => return None,
            }
        }
        Some(())
    }

    /// Active function-index segments (flags 0 or 2): their offset becomes `i32.const`.
    fn elements(&mut self) -> Option<()> {
        for _ in 0..self.leb()? {
            let flags = self.leb()?;
            if flags == 2 {
                self.leb()?;
            } else if flags != 0 {
                return None;
            }
            if self.byte()? == I64_CONST {
                self.bytes[self.at - 1] = I32_CONST;
            }
            self.leb()?;
            (self.byte()? == 0x0b).then_some(())?;
            if flags == 2 {
                self.byte()?;
            }
            for _ in 0..self.leb()? {
                self.leb()?;
            }
        }
        Some(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lowers_table_and_element_offset() {
        // (table i64 2 2 funcref) (elem (i64.const 1) func 0) with one function.
        let module = [
            0, 97, 115, 109, 1, 0, 0, 0, // header
            1, 4, 1, 0x60, 0, 0, // type () -> ()
            3, 2, 1, 0, // function 0
            4, 5, 1, 0x70, 5, 2, 2, // table64 min 2 max 2
            9, 7, 1, 0, I64_CONST, 1, 0x0b, 1, 0, // elem
            10, 4, 1, 2, 0, 0x0b, // code
        ];
        let lowered = lower_tables(&module).unwrap();
        let mut want = module;
        want[22] = 1;
        want[29] = I32_CONST;
        assert_eq!(lowered, want);
        wasmparser::Validator::new().validate_all(&lowered).unwrap();
        assert!(!indexes_a_table(&module).unwrap());
    }
}
