//! The width of linear-memory addresses: wasm32, or wasm64 (memory64, `-mwasm64`).
//!
//! The decision is made once, from the command line, in [`AddressWidth::of`]; the layout
//! keeps it and every writer asks it how to encode an address: the type of the address
//! globals, `i32.const` or `i64.const` in constant expressions and synthetic code, the
//! memory's and the indirect function table's 64-bit limits flag, and the largest memory
//! wasm-ld allows.

use wasm_format::types::ValType;

const I32_CONST: u8 = 0x41;
const I64_CONST: u8 = 0x42;
const I32_ADD: u8 = 0x6a;
const I64_ADD: u8 = 0x7c;

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

    /// Appends `i32.const` (the value wrapped to 32 bits) or `i64.const`, with a minimal LEB:
    /// lld's `writePtrConst`.
    pub fn push_const(self, code: &mut Vec<u8>, value: u64) {
        match self {
            AddressWidth::W32 => {
                code.push(I32_CONST);
                crate::synthetic::sleb(code, i64::from(value as i32));
            }
            AddressWidth::W64 => {
                code.push(I64_CONST);
                crate::synthetic::sleb(code, value as i64);
            }
        }
    }

    /// The opcode of `i32.const` / `i64.const`, for immediates written unwrapped.
    pub fn const_opcode(self) -> u8 {
        match self {
            AddressWidth::W32 => I32_CONST,
            AddressWidth::W64 => I64_CONST,
        }
    }

    /// The opcode of `i32.add` / `i64.add`.
    pub fn add_opcode(self) -> u8 {
        match self {
            AddressWidth::W32 => I32_ADD,
            AddressWidth::W64 => I64_ADD,
        }
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

    #[test]
    fn constants_wrap_only_in_wasm32() {
        let mut code = Vec::new();
        AddressWidth::W32.push_const(&mut code, 0x1_0000_0400);
        assert_eq!(code, [I32_CONST, 0x80, 0x08]);
        code.clear();
        AddressWidth::W64.push_const(&mut code, 1024);
        assert_eq!(code, [I64_CONST, 0x80, 0x08]);
        code.clear();
        AddressWidth::W32.push_const(&mut code, 0xffff_ffff);
        assert_eq!(code, [I32_CONST, 0x7f]);
    }
}
