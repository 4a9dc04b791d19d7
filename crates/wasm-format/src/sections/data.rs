//! The data section: active segments (flags 0 and 2, with a memory index and an offset
//! expression) and passive ones (flag 1), each with its bytes borrowed.

use crate::error::{ErrorKind, Result};
use crate::parse::{bytes, fail, var_u32, vec_of, In, PResult, Window};
use crate::types::{const_expr, ConstExpr};

/// A data segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DataSegment<'a> {
    /// Where (and whether) the segment is copied into memory at instantiation.
    pub mode: DataMode<'a>,
    /// The segment's bytes, after their length field, at their absolute offset (relocation
    /// offsets of `R_WASM_MEMORY_ADDR_*` targets point into these).
    pub data: Window<'a>,
}

/// How a data segment is used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DataMode<'a> {
    /// Copied only by `memory.init`.
    Passive,
    /// Copied into `memory` at `offset` at instantiation.
    Active {
        /// The memory index (0 for flag 0).
        memory: u32,
        /// The offset expression.
        offset: ConstExpr<'a>,
    },
}

/// The data section.
pub fn parse_data_section(w: Window<'_>) -> Result<Vec<DataSegment<'_>>> {
    w.parse_all("the data section", vec_of("data segments", 2, segment(w)))
}

fn segment<'a>(w: Window<'a>) -> impl Fn(In<'a>) -> PResult<'a, DataSegment<'a>> {
    move |i: In<'a>| {
        let (rest, mode) = data_mode(w, i)?;
        let (rest, data) = bytes(rest)?;
        Ok((
            rest,
            DataSegment {
                mode,
                data: Window::new(data, w.offset_of(data)),
            },
        ))
    }
}

fn data_mode<'a>(w: Window<'a>, i: In<'a>) -> PResult<'a, DataMode<'a>> {
    let (rest, flags) = var_u32(i)?;
    let (rest, memory) = match flags {
        0 => (rest, 0),
        1 => return Ok((rest, DataMode::Passive)),
        2 => var_u32(rest)?,
        _ => {
            let found = u64::from(flags);
            return fail(
                i,
                ErrorKind::Invalid {
                    expected: "data segment flags 0, 1 or 2",
                    found,
                },
            );
        }
    };
    let (rest, offset) = const_expr(w)(rest)?;
    Ok((rest, DataMode::Active { memory, offset }))
}
