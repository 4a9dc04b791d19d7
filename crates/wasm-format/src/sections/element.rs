//! The element section, in all eight encodings of its flags (0 to 7): bit 0 makes a segment
//! passive or declared, bit 1 gives an explicit table index (or, with bit 0, declared),
//! bit 2 lists constant expressions instead of function indices.

use crate::error::{ErrorKind, Result};
use crate::parse::{byte, fail, var_u32, vec_of, In, PResult, Window};
use crate::types::{const_expr, ref_type, ConstExpr, RefType};

/// An element segment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Element<'a> {
    /// Where (and whether) the segment is copied into a table at instantiation.
    pub mode: ElementMode<'a>,
    /// The type of the items (`funcref` for the function-index encodings).
    pub ty: RefType,
    /// The items.
    pub items: ElementItems<'a>,
}

/// How an element segment is used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ElementMode<'a> {
    /// Copied only by `table.init`.
    Passive,
    /// Never copied; only declares functions that `ref.func` may name.
    Declared,
    /// Copied into `table` at `offset` at instantiation.
    Active {
        /// The table index (0 for the flags 0 and 4 encodings).
        table: u32,
        /// The offset expression.
        offset: ConstExpr<'a>,
    },
}

/// The items of an element segment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ElementItems<'a> {
    /// Function indices (flags 0 to 3).
    Functions(Vec<u32>),
    /// Constant expressions (flags 4 to 7).
    Exprs(Vec<ConstExpr<'a>>),
}

/// The element section.
pub fn parse_element_section(w: Window<'_>) -> Result<Vec<Element<'_>>> {
    w.parse_all(
        "the element section",
        vec_of("element segments", 2, element(w)),
    )
}

fn element<'a>(w: Window<'a>) -> impl Fn(In<'a>) -> PResult<'a, Element<'a>> {
    move |i: In<'a>| {
        let (rest, flags) = var_u32(i)?;
        if flags > 7 {
            let found = u64::from(flags);
            return fail(
                i,
                ErrorKind::Invalid {
                    expected: "element segment flags 0 to 7",
                    found,
                },
            );
        }
        let (rest, mode) = element_mode(w, flags, rest)?;
        let exprs = flags & 0b100 != 0;
        let (rest, ty) = match (flags & 0b011, exprs) {
            (0, _) => (rest, RefType::FUNCREF),
            (_, true) => ref_type(rest)?,
            (_, false) => elem_kind(rest)?,
        };
        let (rest, items) = element_items(w, exprs, rest)?;
        Ok((rest, Element { mode, ty, items }))
    }
}

fn element_mode<'a>(w: Window<'a>, flags: u32, i: In<'a>) -> PResult<'a, ElementMode<'a>> {
    let (rest, table) = match flags & 0b011 {
        1 => return Ok((i, ElementMode::Passive)),
        3 => return Ok((i, ElementMode::Declared)),
        2 => var_u32(i)?,
        _ => (i, 0),
    };
    let (rest, offset) = const_expr(w)(rest)?;
    Ok((rest, ElementMode::Active { table, offset }))
}

/// The `elemkind` byte of the function-index encodings; only `0x00` (funcref) exists.
fn elem_kind(i: In<'_>) -> PResult<'_, RefType> {
    let (rest, kind) = byte("an element kind")(i)?;
    if kind != 0 {
        let found = u64::from(kind);
        return fail(
            i,
            ErrorKind::Invalid {
                expected: "element kind 0x00 (funcref)",
                found,
            },
        );
    }
    Ok((rest, RefType::FUNCREF))
}

fn element_items<'a>(w: Window<'a>, exprs: bool, i: In<'a>) -> PResult<'a, ElementItems<'a>> {
    if exprs {
        let (rest, e) = vec_of("element expressions", 1, const_expr(w))(i)?;
        Ok((rest, ElementItems::Exprs(e)))
    } else {
        let (rest, f) = vec_of("element function indices", 1, var_u32)(i)?;
        Ok((rest, ElementItems::Functions(f)))
    }
}
