//! Floating-point literals of template arguments, printed as glibc's `%a` does (which is
//! what LLVM's demangler calls on an x86-64 Linux host).

use super::ast::FloatKind;

/// The printed literal for `digits`, the big-endian hex image of the value.
pub(super) fn format(kind: FloatKind, digits: &[u8]) -> String {
    let Ok(text) = std::str::from_utf8(digits) else {
        return String::new();
    };
    let Ok(bits) = u128::from_str_radix(text, 16) else {
        return String::new();
    };
    match kind {
        FloatKind::Float => format!(
            "{}f",
            hex_double(f64::from(f32::from_bits(bits as u32)).to_bits())
        ),
        FloatKind::Double => hex_double(bits as u64),
        FloatKind::LongDouble => format!("{}L", hex_x87(bits)),
    }
}

fn exponent(e: i64) -> String {
    if e >= 0 {
        format!("p+{e}")
    } else {
        format!("p{e}")
    }
}

/// Hex digits of `value` (`width` of them), trailing zeros dropped, after a `.` if any remain.
fn fraction(value: u64, width: usize) -> String {
    let s = format!("{value:0width$x}");
    let s = s.trim_end_matches('0');
    if s.is_empty() {
        String::new()
    } else {
        format!(".{s}")
    }
}

/// `%a` of an IEEE double.
fn hex_double(bits: u64) -> String {
    let sign = if bits >> 63 != 0 { "-" } else { "" };
    let exp = ((bits >> 52) & 0x7ff) as i64;
    let frac = bits & ((1 << 52) - 1);
    match (exp, frac) {
        (0x7ff, 0) => format!("{sign}inf"),
        (0x7ff, _) => format!("{sign}nan"),
        (0, 0) => format!("{sign}0x0p+0"),
        (0, _) => format!("{sign}0x0{}p-1022", fraction(frac, 13)),
        _ => format!("{sign}0x1{}{}", fraction(frac, 13), exponent(exp - 1023)),
    }
}

/// `%La` of an x87 80-bit extended value: glibc prints the top nibble of the explicit
/// 64-bit mantissa before the point.
fn hex_x87(bits: u128) -> String {
    let sign = if (bits >> 79) & 1 != 0 { "-" } else { "" };
    let exp = ((bits >> 64) & 0x7fff) as i64;
    let mant = bits as u64;
    if exp == 0x7fff {
        return if mant << 1 == 0 {
            format!("{sign}inf")
        } else {
            format!("{sign}nan")
        };
    }
    if exp == 0 && mant == 0 {
        return format!("{sign}0x0p+0");
    }
    let e = if exp == 0 { 1 - 16383 } else { exp - 16383 };
    let lead = mant >> 60;
    let rest = mant & ((1 << 60) - 1);
    format!("{sign}0x{lead:x}{}{}", fraction(rest, 15), exponent(e - 3))
}
