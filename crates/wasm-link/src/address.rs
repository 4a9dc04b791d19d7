//! The width of linear-memory addresses: wasm32, or wasm64 (memory64, `-mwasm64`).
//!
//! The decision is made once, from the command line, in [`AddressWidth::of`]; the layout
//! keeps it and every writer asks it how to encode an address: the type of the address
//! globals, `i32.const` or `i64.const` in constant expressions and synthetic code, the
//! memory's and the indirect function table's 64-bit limits flag, and the largest memory
//! wasm-ld allows.

use wasm_format::types::ValType;

use wasm_encoder::{Encode, Function, InstructionSink};

const I32_CONST: u8 = 0x41;
const I64_CONST: u8 = 0x42;

/// 32- or 64-bit addresses.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum AddressWidth {
    /// wasm32: `i32` addresses, a 4 GiB memory.
    #[default]
    W32,
    /// wasm64 (memory64): `i64` addresses; the indirect function table is 64-bit too.
    W64,
}

impl AddressWidth {
    /// What `-m` asked for; without it, wasm32 (a wasm64 object is then an error of the load).
    pub fn of(config: &crate::Config) -> Self {
        if config.memory64.unwrap_or(false) {
            AddressWidth::W64
        } else {
            AddressWidth::W32
        }
    }

    /// Whether addresses are 64-bit.
    pub fn is64(self) -> bool {
        self == AddressWidth::W64
    }

    /// The type of `__stack_pointer`, `__tls_base` and every other address global.
    pub fn val_type(self) -> ValType {
        match self {
            AddressWidth::W32 => ValType::I32,
            AddressWidth::W64 => ValType::I64,
        }
    }

    /// The largest initial or maximum memory, in bytes (lld's `maxMemorySetting`: 4 GiB, or
    /// 16 GiB for wasm64).
    pub fn max_memory(self) -> u64 {
        match self {
            AddressWidth::W32 => 1 << 32,
            AddressWidth::W64 => 1 << 34,
        }
    }

    /// `i32.const` (the value wrapped to 32 bits) or `i64.const`: lld's `writePtrConst`.
    pub fn emit_const(self, code: &mut InstructionSink<'_>, value: u64) {
        match self {
            AddressWidth::W32 => code.i32_const(value as i32),
            AddressWidth::W64 => code.i64_const(value as i64),
        };
    }

    /// `i32.const` or `i64.const` with the value's full 64 bits in the immediate, as lld
    /// writes some offsets even for wasm32 (no instruction builder writes that).
    pub fn emit_const_unwrapped(self, func: &mut Function, value: u64) {
        let mut bytes = vec![match self {
            AddressWidth::W32 => I32_CONST,
            AddressWidth::W64 => I64_CONST,
        }];
        (value as i64).encode(&mut bytes);
        func.raw(bytes);
    }

    /// `i32.add` / `i64.add`.
    pub fn emit_add(self, code: &mut InstructionSink<'_>) {
        match self {
            AddressWidth::W32 => code.i32_add(),
            AddressWidth::W64 => code.i64_add(),
        };
    }

    /// A constant expression holding an address (lld's `intConst`).
    pub fn const_expr(self, value: u64) -> wasm_encoder::ConstExpr {
        match self {
            AddressWidth::W32 => wasm_encoder::ConstExpr::i32_const(value as i32),
            AddressWidth::W64 => wasm_encoder::ConstExpr::i64_const(value as i64),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn constant(width: AddressWidth, value: u64) -> Vec<u8> {
        let mut func = Function::new([]);
        width.emit_const(&mut func.instructions(), value);
        func.into_raw_body()[1..].to_vec()
    }

    #[test]
    fn constants_wrap_only_in_wasm32() {
        assert_eq!(
            constant(AddressWidth::W32, 0x1_0000_0400),
            [I32_CONST, 0x80, 0x08]
        );
        assert_eq!(constant(AddressWidth::W64, 1024), [I64_CONST, 0x80, 0x08]);
        assert_eq!(constant(AddressWidth::W32, 0xffff_ffff), [I32_CONST, 0x7f]);
    }
}
