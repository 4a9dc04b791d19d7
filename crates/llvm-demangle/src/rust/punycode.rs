//! Punycode (RFC 3492) as Rust v0 identifiers use it: `_` instead of `-` before the encoded
//! part, decoded with LLVM 19's overflow checks so the same identifiers fail.

const BASE: u64 = 36;
const T_MIN: u64 = 1;
const T_MAX: u64 = 26;
const SKEW: u64 = 38;
const INITIAL_BIAS: u64 = 72;
const INITIAL_N: u64 = 0x80;

/// The longest identifier decoded: decoding inserts characters one by one, quadratic in
/// the length, and no real identifier comes near (LLVM has no limit).
const MAX_LEN: usize = 16 << 10;

/// The decoding of `input` (already checked to be `[0-9A-Za-z_]`), or `None` if it is not
/// valid punycode, a code point is not a Unicode scalar value, or a number overflows.
pub(super) fn decode(input: &[u8]) -> Option<String> {
    if input.len() > MAX_LEN {
        return None;
    }
    // Basic code points come before the last `_`, which is dropped.
    let (basic, encoded) = match input.iter().rposition(|&c| c == b'_') {
        Some(delim) => (&input[..delim], &input[delim + 1..]),
        None => (&input[..0], input),
    };
    let mut out: Vec<char> = basic.iter().map(|&c| char::from(c)).collect();
    let mut rest = encoded.iter().copied();
    let (mut n, mut bias, mut first) = (INITIAL_N, INITIAL_BIAS, true);
    let mut i: u64 = 0;
    while rest.len() != 0 {
        let old_i = i;
        i = read_delta(&mut rest, i, bias)?;
        let points = out.len() as u64 + 1;
        bias = adapt(i - old_i, points, first);
        first = false;
        n = n.checked_add(i / points)?;
        i %= points;
        let c = u32::try_from(n).ok().and_then(char::from_u32)?;
        out.insert(i as usize, c);
        i += 1;
    }
    Some(out.into_iter().collect())
}

/// One generalized variable-length integer added to `i`.
fn read_delta(rest: &mut impl Iterator<Item = u8>, mut i: u64, bias: u64) -> Option<u64> {
    let mut w: u64 = 1;
    let mut k = BASE;
    loop {
        let digit = match rest.next()? {
            c @ b'a'..=b'z' => u64::from(c - b'a'),
            c @ b'0'..=b'9' => u64::from(c - b'0') + 26,
            _ => return None,
        };
        if digit > (u64::MAX - i) / w {
            return None;
        }
        i += digit * w;
        let t = if k <= bias {
            T_MIN
        } else if k >= bias + T_MAX {
            T_MAX
        } else {
            k - bias
        };
        if digit < t {
            return Some(i);
        }
        if w > u64::MAX / (BASE - t) {
            return None;
        }
        w *= BASE - t;
        k = k.checked_add(BASE)?;
    }
}

/// The bias adaptation of RFC 3492 section 6.1.
fn adapt(delta: u64, points: u64, first: bool) -> u64 {
    let mut delta = delta / if first { 700 } else { 2 };
    delta += delta / points;
    let mut k = 0;
    while delta > ((BASE - T_MIN) * T_MAX) / 2 {
        delta /= BASE - T_MIN;
        k += BASE;
    }
    k + ((BASE - T_MIN + 1) * delta) / (delta + SKEW)
}
