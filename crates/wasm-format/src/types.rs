//! The types of the binary format (value, reference, function, limits, table, memory, global and
//! tag types) and constant expressions, with their parsers.
//!
//! A constant expression stays borrowed: [`ConstExpr`] is the window of its bytes, found by
//! walking the constant opcodes to the final `end`, and is decoded only when a caller asks for
//! its [`ConstValue`]. A linker mostly copies these bytes, so walking is all it pays for.

use crate::error::{ErrorKind, Result};
use crate::parse::{byte, fail, take, var_i32, var_i64, var_s33, var_u32, var_u64, vec_of};
use crate::parse::{In, PResult, Window};
use std::fmt::{self, Display};

/// The `end` opcode that closes every expression.
pub const END: u8 = 0x0b;

/// A value type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ValType {
    /// `i32`.
    I32,
    /// `i64`.
    I64,
    /// `f32`.
    F32,
    /// `f64`.
    F64,
    /// `v128` (SIMD).
    V128,
    /// A reference type.
    Ref(RefType),
}

/// A reference type: a heap type, and whether the reference may be null.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RefType {
    /// Whether `null` is a value of this type (`ref null ht`).
    pub nullable: bool,
    /// What the reference points at.
    pub heap: HeapType,
}

impl RefType {
    /// `funcref`, the element type of indirect function tables.
    pub const FUNCREF: RefType = RefType {
        nullable: true,
        heap: HeapType::Func,
    };
    /// `externref`.
    pub const EXTERNREF: RefType = RefType {
        nullable: true,
        heap: HeapType::Extern,
    };
    /// `exnref`, from the exception-handling proposal.
    pub const EXNREF: RefType = RefType {
        nullable: true,
        heap: HeapType::Exn,
    };
}

/// A heap type: one of the abstract ones, or a type index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[allow(missing_docs)]
pub enum HeapType {
    Func,
    Extern,
    Any,
    None,
    NoExtern,
    NoFunc,
    Eq,
    Struct,
    Array,
    I31,
    Exn,
    NoExn,
    Cont,
    NoCont,
    /// A type defined in the type section, by index.
    Concrete(u32),
}

/// The one-byte encodings of the abstract heap types; also the short forms of the nullable
/// reference types (`0x70` = `funcref` = `ref null func`).
const ABSTRACT_HEAP_TYPES: [(u8, HeapType); 14] = [
    (0x70, HeapType::Func),
    (0x6f, HeapType::Extern),
    (0x6e, HeapType::Any),
    (0x71, HeapType::None),
    (0x72, HeapType::NoExtern),
    (0x73, HeapType::NoFunc),
    (0x6d, HeapType::Eq),
    (0x6b, HeapType::Struct),
    (0x6a, HeapType::Array),
    (0x6c, HeapType::I31),
    (0x69, HeapType::Exn),
    (0x74, HeapType::NoExn),
    (0x68, HeapType::Cont),
    (0x75, HeapType::NoCont),
];

impl HeapType {
    /// The abstract heap type encoded by `b`, if any.
    pub fn from_abstract_byte(b: u8) -> Option<HeapType> {
        ABSTRACT_HEAP_TYPES
            .iter()
            .find(|(code, _)| *code == b)
            .map(|(_, ty)| *ty)
    }

    /// The byte of an abstract heap type; `None` for a concrete one.
    pub fn abstract_byte(self) -> Option<u8> {
        ABSTRACT_HEAP_TYPES
            .iter()
            .find(|(_, ty)| *ty == self)
            .map(|(code, _)| *code)
    }

    fn name(self) -> &'static str {
        use HeapType::*;
        match self {
            Func => "func",
            Extern => "extern",
            Any => "any",
            None => "none",
            NoExtern => "noextern",
            NoFunc => "nofunc",
            Eq => "eq",
            Struct => "struct",
            Array => "array",
            I31 => "i31",
            Exn => "exn",
            NoExn => "noexn",
            Cont => "cont",
            NoCont => "nocont",
            Concrete(_) => "",
        }
    }
}

impl fmt::Display for HeapType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HeapType::Concrete(index) => write!(f, "{index}"),
            other => f.write_str(other.name()),
        }
    }
}

impl fmt::Display for RefType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.nullable, self.heap) {
            (true, HeapType::Concrete(_)) => write!(f, "(ref null {})", self.heap),
            (true, heap) => write!(f, "{}ref", heap.name()),
            (false, heap) => write!(f, "(ref {heap})"),
        }
    }
}

impl fmt::Display for ValType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ValType::I32 => f.write_str("i32"),
            ValType::I64 => f.write_str("i64"),
            ValType::F32 => f.write_str("f32"),
            ValType::F64 => f.write_str("f64"),
            ValType::V128 => f.write_str("v128"),
            ValType::Ref(r) => r.fmt(f),
        }
    }
}

/// A function type. Equal signatures compare and hash equal, so types can be deduplicated.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct FuncType {
    /// Parameter types.
    pub params: Vec<ValType>,
    /// Result types (any number, with multi-value).
    pub results: Vec<ValType>,
}

/// Formats like wasm-ld's signature diagnostics: `(i32, i64) -> void`, `() -> f32`.
impl fmt::Display for FuncType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("(")?;
        write_list(f, &self.params)?;
        f.write_str(") -> ")?;
        match self.results.as_slice() {
            [] => f.write_str("void"),
            [one] => one.fmt(f),
            many => {
                f.write_str("(")?;
                write_list(f, many)?;
                f.write_str(")")
            }
        }
    }
}

fn write_list(f: &mut fmt::Formatter<'_>, types: &[ValType]) -> fmt::Result {
    for (n, ty) in types.iter().enumerate() {
        if n > 0 {
            f.write_str(", ")?;
        }
        ty.fmt(f)?;
    }
    Ok(())
}

/// The limits of a memory or table. Sizes are `u64` because of memory64 / table64.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Limits {
    /// Initial size (pages for memories, elements for tables).
    pub min: u64,
    /// Maximum size, if declared.
    pub max: Option<u64>,
    /// Shared (threads proposal).
    pub shared: bool,
    /// Indexed by `i64` (memory64 proposal; also table64).
    pub memory64: bool,
}

/// A memory type: its limits in 64 KiB pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct MemoryType(pub Limits);

/// A table type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TableType {
    /// What the table holds.
    pub elem: RefType,
    /// Its size limits, in elements.
    pub limits: Limits,
}

/// A global type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct GlobalType {
    /// The type of its value.
    pub val: ValType,
    /// Whether `global.set` may change it.
    pub mutable: bool,
}

/// A tag type (exception-handling proposal).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TagType {
    /// The attribute byte; 0 (exception) is the only one defined.
    pub attribute: u8,
    /// The function type giving the tag's parameters.
    pub type_index: u32,
}

fn invalid<'a, T>(i: In<'a>, expected: &'static str, found: u8) -> PResult<'a, T> {
    fail(
        i,
        ErrorKind::Invalid {
            expected,
            found: u64::from(found),
        },
    )
}

fn peek<'a>(i: In<'a>, expected: &'static str) -> PResult<'a, u8> {
    match i.first() {
        Some(&b) => Ok((i, b)),
        None => fail(i, ErrorKind::Truncated { expected }),
    }
}

/// A heap type: an abstract heap type byte, or a non-negative `s33` type index.
pub fn heap_type(i: In<'_>) -> PResult<'_, HeapType> {
    let (_, b) = peek(i, "a heap type")?;
    if let Some(ty) = HeapType::from_abstract_byte(b) {
        return Ok((&i[1..], ty));
    }
    let (rest, index) = var_s33(i)?;
    match u32::try_from(index) {
        Ok(index) => Ok((rest, HeapType::Concrete(index))),
        Err(_) => invalid(i, "a heap type", b),
    }
}

/// A reference type: a short form (`0x70` funcref, `0x6f` externref, `0x69` exnref, ...) or
/// `0x63 ht` (nullable) / `0x64 ht` (non-null).
pub fn ref_type(i: In<'_>) -> PResult<'_, RefType> {
    let (rest, b) = byte("a reference type")(i)?;
    if let Some(heap) = HeapType::from_abstract_byte(b) {
        return Ok((
            rest,
            RefType {
                nullable: true,
                heap,
            },
        ));
    }
    let nullable = match b {
        0x63 => true,
        0x64 => false,
        _ => return invalid(i, "a reference type", b),
    };
    let (rest, heap) = heap_type(rest)?;
    Ok((rest, RefType { nullable, heap }))
}

/// A value type.
pub fn val_type(i: In<'_>) -> PResult<'_, ValType> {
    let (rest, b) = byte("a value type")(i)?;
    let ty = match b {
        0x7f => ValType::I32,
        0x7e => ValType::I64,
        0x7d => ValType::F32,
        0x7c => ValType::F64,
        0x7b => ValType::V128,
        _ => return ref_type_or(i, b),
    };
    Ok((rest, ty))
}

fn ref_type_or(i: In<'_>, b: u8) -> PResult<'_, ValType> {
    if b == 0x63 || b == 0x64 || HeapType::from_abstract_byte(b).is_some() {
        let (rest, r) = ref_type(i)?;
        return Ok((rest, ValType::Ref(r)));
    }
    invalid(i, "a value type", b)
}

/// A function type: `0x60`, the parameter types, the result types. GC composite and
/// recursive types (`0x4e`, `0x50`, `0x4f`, `0x5f`, `0x5e`) are reported as unsupported.
pub fn func_type(i: In<'_>) -> PResult<'_, FuncType> {
    let (rest, form) = byte("a type form")(i)?;
    match form {
        0x60 => {}
        0x4e | 0x4f | 0x50 | 0x5e | 0x5f => {
            return fail(
                i,
                ErrorKind::Message("GC types (rec, sub, struct, array) are not supported"),
            )
        }
        _ => return invalid(i, "a function type (0x60)", form),
    }
    let (rest, params) = vec_of("parameter types", 1, val_type)(rest)?;
    let (rest, results) = vec_of("result types", 1, val_type)(rest)?;
    Ok((rest, FuncType { params, results }))
}

/// Limits: a flags byte (bit 0 = has maximum, bit 1 = shared, bit 2 = 64-bit), the minimum and
/// the optional maximum, as `varuint64` when 64-bit.
pub fn limits(i: In<'_>) -> PResult<'_, Limits> {
    let (rest, flags) = byte("limits flags")(i)?;
    if flags > 0x07 {
        return invalid(i, "limits flags 0x00 to 0x07", flags);
    }
    let memory64 = flags & 0x04 != 0;
    let size = |i| {
        if memory64 {
            var_u64(i)
        } else {
            var_u32(i).map(|(r, v)| (r, u64::from(v)))
        }
    };
    let (rest, min) = size(rest)?;
    let (rest, max) = if flags & 0x01 != 0 {
        let (rest, max) = size(rest)?;
        (rest, Some(max))
    } else {
        (rest, None)
    };
    Ok((
        rest,
        Limits {
            min,
            max,
            shared: flags & 0x02 != 0,
            memory64,
        },
    ))
}

/// A memory type.
pub fn memory_type(i: In<'_>) -> PResult<'_, MemoryType> {
    let (rest, l) = limits(i)?;
    Ok((rest, MemoryType(l)))
}

/// A table type: the element reference type, then the limits.
pub fn table_type(i: In<'_>) -> PResult<'_, TableType> {
    let (rest, elem) = ref_type(i)?;
    let (rest, limits) = limits(rest)?;
    Ok((rest, TableType { elem, limits }))
}

/// A global type: the value type, then `0x00` (const) or `0x01` (mutable).
pub fn global_type(i: In<'_>) -> PResult<'_, GlobalType> {
    let (flag, val) = val_type(i)?;
    let (rest, m) = byte("a global mutability flag")(flag)?;
    match m {
        0 | 1 => Ok((
            rest,
            GlobalType {
                val,
                mutable: m == 1,
            },
        )),
        _ => invalid(flag, "a global mutability flag (0 or 1)", m),
    }
}

/// A tag type: the attribute (must be 0, exception) and a function type index.
pub fn tag_type(i: In<'_>) -> PResult<'_, TagType> {
    let (rest, attribute) = byte("a tag attribute")(i)?;
    if attribute != 0 {
        return invalid(i, "tag attribute 0 (exception)", attribute);
    }
    let (rest, type_index) = var_u32(rest)?;
    Ok((
        rest,
        TagType {
            attribute,
            type_index,
        },
    ))
}

/// A constant expression, borrowed: its instructions and the final `end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConstExpr<'a> {
    /// The bytes, up to and including the final `end` (0x0b), at their absolute offset.
    pub window: Window<'a>,
}

/// The value of a constant expression made of one instruction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConstValue {
    /// `i32.const`.
    I32(i32),
    /// `i64.const`.
    I64(i64),
    /// `f32.const`, as its bit pattern.
    F32(u32),
    /// `f64.const`, as its bit pattern.
    F64(u64),
    /// `v128.const`, little-endian bytes.
    V128([u8; 16]),
    /// `global.get`, a global index.
    GlobalGet(u32),
    /// `ref.null` of a heap type.
    RefNull(HeapType),
    /// `ref.func`, a function index.
    RefFunc(u32),
    /// More than one instruction (extended-const arithmetic): the caller walks the bytes.
    Extended,
}

/// One step of a constant expression.
enum Step {
    Value(ConstValue),
    Arithmetic,
    End,
}

const ARITHMETIC: [u8; 6] = [0x6a, 0x6b, 0x6c, 0x7c, 0x7d, 0x7e];

fn const_instr(i: In<'_>) -> PResult<'_, Step> {
    let (rest, op) = byte("a constant-expression instruction")(i)?;
    let value = |r, v| Ok((r, Step::Value(v)));
    match op {
        0x41 => var_i32(rest).and_then(|(r, v)| value(r, ConstValue::I32(v))),
        0x42 => var_i64(rest).and_then(|(r, v)| value(r, ConstValue::I64(v))),
        0x43 => {
            fixed::<4>(rest).and_then(|(r, b)| value(r, ConstValue::F32(u32::from_le_bytes(b))))
        }
        0x44 => {
            fixed::<8>(rest).and_then(|(r, b)| value(r, ConstValue::F64(u64::from_le_bytes(b))))
        }
        0x23 => var_u32(rest).and_then(|(r, v)| value(r, ConstValue::GlobalGet(v))),
        0xd0 => heap_type(rest).and_then(|(r, h)| value(r, ConstValue::RefNull(h))),
        0xd2 => var_u32(rest).and_then(|(r, v)| value(r, ConstValue::RefFunc(v))),
        0xfd => v128_const(rest).and_then(|(r, b)| value(r, ConstValue::V128(b))),
        END => Ok((rest, Step::End)),
        op if ARITHMETIC.contains(&op) => Ok((rest, Step::Arithmetic)),
        _ => invalid(i, "a constant-expression opcode", op),
    }
}

fn fixed<const N: usize>(i: In<'_>) -> PResult<'_, [u8; N]> {
    let (rest, b) = take(N, "the bytes of a constant")(i)?;
    let mut out = [0; N];
    out.copy_from_slice(b);
    Ok((rest, out))
}

fn v128_const(i: In<'_>) -> PResult<'_, [u8; 16]> {
    let (rest, sub) = var_u32(i)?;
    if sub != 12 {
        return fail(
            i,
            ErrorKind::Invalid {
                expected: "v128.const (0xfd 12)",
                found: u64::from(sub),
            },
        );
    }
    fixed::<16>(rest)
}

/// The raw bytes of a constant expression, through its final `end`.
pub fn const_expr_bytes(i: In<'_>) -> PResult<'_, &[u8]> {
    let mut rest = i;
    loop {
        let (r, step) = const_instr(rest)?;
        rest = r;
        if let Step::End = step {
            return Ok((rest, &i[..i.len() - rest.len()]));
        }
    }
}

/// A constant expression inside `outer` (whose absolute offset it inherits).
pub fn const_expr<'a>(outer: Window<'a>) -> impl Fn(In<'a>) -> PResult<'a, ConstExpr<'a>> {
    move |i: In<'a>| {
        let (rest, bytes) = const_expr_bytes(i)?;
        Ok((
            rest,
            ConstExpr {
                window: Window::new(bytes, outer.offset_of(i)),
            },
        ))
    }
}

impl<'a> ConstExpr<'a> {
    /// The bytes, including the final `end`.
    pub fn bytes(&self) -> &'a [u8] {
        self.window.bytes
    }

    /// Decodes the expression: the value of its single instruction, or
    /// [`ConstValue::Extended`] when it has several. An expression with no instruction is an
    /// error, as it has no value.
    pub fn value(&self) -> Result<ConstValue> {
        self.window.parse_all("a constant expression", |i| {
            let (rest, first) = const_instr(i)?;
            match first {
                Step::Value(v) if rest.first() == Some(&END) => Ok((&rest[1..], v)),
                Step::End => fail(i, ErrorKind::Message("empty constant expression")),
                _ => const_expr_bytes(i).map(|(r, _)| (r, ConstValue::Extended)),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::Window;

    fn parse<'a, T>(bytes: &'a [u8], p: impl FnOnce(In<'a>) -> PResult<'a, T>) -> Result<T> {
        Window::new(bytes, 0).parse_all("test input", p)
    }

    #[test]
    fn value_types_short_and_long_forms() {
        assert_eq!(parse(&[0x7f], val_type).unwrap(), ValType::I32);
        assert_eq!(parse(&[0x7b], val_type).unwrap(), ValType::V128);
        assert_eq!(
            parse(&[0x70], val_type).unwrap(),
            ValType::Ref(RefType::FUNCREF)
        );
        assert_eq!(
            parse(&[0x69], val_type).unwrap(),
            ValType::Ref(RefType::EXNREF)
        );
        assert_eq!(
            parse(&[0x63, 0x6f], val_type).unwrap(),
            ValType::Ref(RefType::EXTERNREF)
        );
        let concrete = RefType {
            nullable: false,
            heap: HeapType::Concrete(3),
        };
        assert_eq!(
            parse(&[0x64, 0x03], val_type).unwrap(),
            ValType::Ref(concrete)
        );
        assert_eq!(
            parse(&[0x64, 0x80, 0x01], ref_type).unwrap().heap,
            HeapType::Concrete(128)
        );
    }

    #[test]
    fn bad_value_and_heap_types_are_errors() {
        let err = parse(&[0x40], val_type).unwrap_err();
        assert_eq!(
            err.kind(),
            &ErrorKind::Invalid {
                expected: "a value type",
                found: 0x40
            }
        );
        assert!(parse(&[0x64, 0x7f], val_type).is_err());
        assert!(parse(&[0x63], val_type).is_err());
        assert!(parse(&[0x7f], ref_type).is_err());
    }

    #[test]
    fn every_abstract_heap_type_round_trips_through_its_byte() {
        for (code, ty) in ABSTRACT_HEAP_TYPES {
            assert_eq!(ty.abstract_byte(), Some(code));
            assert_eq!(parse(&[code], heap_type).unwrap(), ty);
        }
        assert_eq!(HeapType::Concrete(0).abstract_byte(), None);
    }

    #[test]
    fn limits_flags() {
        let l = parse(&[0x01, 0x02, 0x03], limits).unwrap();
        assert_eq!(
            l,
            Limits {
                min: 2,
                max: Some(3),
                shared: false,
                memory64: false
            }
        );
        let l = parse(&[0x07, 0x01, 0x80, 0x80, 0x80, 0x80, 0x20], limits).unwrap();
        assert_eq!(
            l,
            Limits {
                min: 1,
                max: Some(1 << 33),
                shared: true,
                memory64: true
            }
        );
        assert!(parse(&[0x00, 0x80, 0x80, 0x80, 0x80, 0x20], limits).is_err());
        assert!(parse(&[0x08, 0x00], limits).is_err());
    }

    #[test]
    fn func_type_display_matches_wasm_ld() {
        let f = FuncType {
            params: vec![ValType::I32, ValType::I64],
            results: vec![],
        };
        assert_eq!(f.to_string(), "(i32, i64) -> void");
        let g = FuncType {
            params: vec![],
            results: vec![ValType::Ref(RefType::FUNCREF)],
        };
        assert_eq!(g.to_string(), "() -> funcref");
    }

    #[test]
    fn gc_types_are_a_clear_error() {
        let err = parse(&[0x4e, 0x00], func_type).unwrap_err();
        assert!(matches!(err.kind(), ErrorKind::Message(m) if m.contains("GC")));
    }

    #[test]
    fn global_and_tag_types() {
        let g = parse(&[0x7e, 0x01], global_type).unwrap();
        assert_eq!(
            g,
            GlobalType {
                val: ValType::I64,
                mutable: true
            }
        );
        assert!(parse(&[0x7e, 0x02], global_type).is_err());
        assert_eq!(parse(&[0x00, 0x05], tag_type).unwrap().type_index, 5);
        assert!(parse(&[0x01, 0x05], tag_type).is_err());
    }

    fn expr_value(bytes: &[u8]) -> Result<ConstValue> {
        let w = Window::new(bytes, 40);
        let expr = w.parse_all("expr", const_expr(w))?;
        assert_eq!(expr.window.offset, 40);
        assert_eq!(expr.bytes(), bytes);
        expr.value()
    }

    #[test]
    fn const_expr_values() {
        assert_eq!(expr_value(&[0x41, 0x7f, END]).unwrap(), ConstValue::I32(-1));
        assert_eq!(
            expr_value(&[0x42, 0x80, 0x7f, END]).unwrap(),
            ConstValue::I64(-128)
        );
        let f32_bits = [0x43, 0, 0, 0x80, 0x3f, END];
        assert_eq!(
            expr_value(&f32_bits).unwrap(),
            ConstValue::F32(1.0f32.to_bits())
        );
        assert_eq!(
            expr_value(&[0x23, 0x02, END]).unwrap(),
            ConstValue::GlobalGet(2)
        );
        assert_eq!(
            expr_value(&[0xd0, 0x70, END]).unwrap(),
            ConstValue::RefNull(HeapType::Func)
        );
        assert_eq!(
            expr_value(&[0xd2, 0x09, END]).unwrap(),
            ConstValue::RefFunc(9)
        );
        let mut v128 = vec![0xfd, 12];
        v128.extend(1..=16u8);
        v128.push(END);
        let mut expected = [0u8; 16];
        expected.iter_mut().zip(1u8..).for_each(|(e, v)| *e = v);
        assert_eq!(expr_value(&v128).unwrap(), ConstValue::V128(expected));
    }

    #[test]
    fn extended_const_and_bad_exprs() {
        let pic = [0x23, 0x00, 0x41, 0x10, 0x6a, END];
        assert_eq!(expr_value(&pic).unwrap(), ConstValue::Extended);
        assert!(expr_value(&[END]).is_err());
        let err = expr_value(&[0x41, 0x00, 0x1a, END]).unwrap_err();
        assert_eq!(err.offset(), 42);
        assert!(expr_value(&[0x41, 0x00]).is_err());
        assert!(expr_value(&[0xfd, 11, END]).is_err());
    }
}
