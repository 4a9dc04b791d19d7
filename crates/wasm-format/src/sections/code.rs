//! The code section, the hot path of a linker: one pass of size reads that cuts it into
//! borrowed function bodies. Locals are decoded only when asked for.

use crate::error::{ErrorKind, Result};
use crate::parse::{bytes, count, fail, var_u32, vec_of, In, PResult, Window};
use crate::types::{val_type, ValType};

/// A function body: its locals and code, after the size field, at their absolute offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FunctionBody<'a> {
    /// The body bytes (locals and instructions, through the final `end`).
    pub window: Window<'a>,
}

/// The code section: every body, without decoding any of them.
pub fn parse_code_section(w: Window<'_>) -> Result<Vec<FunctionBody<'_>>> {
    let body = |i| {
        let (rest, b) = bytes(i)?;
        Ok((
            rest,
            FunctionBody {
                window: Window::new(b, w.offset_of(b)),
            },
        ))
    };
    w.parse_all("the code section", vec_of("function bodies", 1, body))
}

impl<'a> FunctionBody<'a> {
    /// The local declarations as (count, type) groups, in order.
    pub fn locals(&self) -> Result<Vec<(u32, ValType)>> {
        let mut groups = Vec::new();
        self.window
            .parse_prefix(|i| walk_locals(i, |n, ty| groups.push((n, ty))))?;
        Ok(groups)
    }

    /// The instructions, after the local declarations.
    pub fn code_window(&self) -> Result<Window<'a>> {
        let (code, ()) = self.window.parse_prefix(|i| walk_locals(i, |_, _| {}))?;
        Ok(code)
    }
}

/// Reads the local groups, handing each to `group`; the number of groups is checked against
/// the body size, and the total number of locals must fit a `u32`, as the spec requires.
fn walk_locals<'a>(i: In<'a>, mut group: impl FnMut(u32, ValType)) -> PResult<'a, ()> {
    let (mut rest, groups) = count("local groups", 2)(i)?;
    let mut total = 0u64;
    for _ in 0..groups {
        let (r, n) = var_u32(rest)?;
        let (r, ty) = val_type(r)?;
        total += u64::from(n);
        if total > u64::from(u32::MAX) {
            return fail(
                rest,
                ErrorKind::Message("more than 2^32-1 locals in a function"),
            );
        }
        group(n, ty);
        rest = r;
    }
    Ok((rest, ()))
}
