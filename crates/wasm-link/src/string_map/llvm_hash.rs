//! LLVM 19's `hash_value(StringRef)` (`llvm/ADT/Hashing.h`, `hash_combine_range` over the
//! bytes): a CityHash-derived 64-bit hash with LLVM's fixed execution seed (release builds of
//! LLVM 19 do not randomise it). `DenseMapInfo<StringRef>` and `CachedHashStringRef` keep its
//! low 32 bits, so this decides the bucket order of lld's `DenseMap`s keyed by names.
//!
//! Checked against `DenseMapInfo<StringRef>::getHashValue` exported by `libLLVM.so.19.1` on
//! every length from 0 to 300 (the test below pins a few values).

const K0: u64 = 0xc3a5_c85c_97cb_3127;
const K1: u64 = 0xb492_b66f_be98_f273;
const K2: u64 = 0x9ae1_6a3b_2f90_404f;
const K3: u64 = 0xc949_d7c7_509e_6557;
/// `get_execution_seed()` without an override.
const SEED: u64 = 0xff51_afd7_ed55_8ccd;

/// The low 32 bits of LLVM's hash of `bytes`: what `CachedHashStringRef` caches.
pub fn string_hash(bytes: &[u8]) -> u32 {
    hash_bytes(bytes) as u32
}

/// LLVM's 64-bit `hash_value` of a byte string.
pub fn hash_bytes(s: &[u8]) -> u64 {
    let len = s.len();
    if len <= 64 {
        return hash_short(s, SEED);
    }
    let mut state = State::new(&s[..64], SEED);
    let aligned_end = len & !63;
    for chunk in s[64..aligned_end].chunks_exact(64) {
        state.mix(chunk);
    }
    if len & 63 != 0 {
        state.mix(&s[len - 64..]);
    }
    state.finalize(len as u64)
}

fn fetch64(s: &[u8], at: usize) -> u64 {
    let mut b = [0u8; 8];
    b.copy_from_slice(&s[at..at + 8]);
    u64::from_le_bytes(b)
}

fn fetch32(s: &[u8], at: usize) -> u64 {
    let mut b = [0u8; 4];
    b.copy_from_slice(&s[at..at + 4]);
    u64::from(u32::from_le_bytes(b))
}

fn shift_mix(v: u64) -> u64 {
    v ^ (v >> 47)
}

fn hash_16_bytes(low: u64, high: u64) -> u64 {
    const MUL: u64 = 0x9ddf_ea08_eb38_2d69;
    let mut a = (low ^ high).wrapping_mul(MUL);
    a ^= a >> 47;
    let mut b = (high ^ a).wrapping_mul(MUL);
    b ^= b >> 47;
    b.wrapping_mul(MUL)
}

/// Strings of at most 64 bytes, by length class.
fn hash_short(s: &[u8], seed: u64) -> u64 {
    match s.len() {
        0 => K2 ^ seed,
        1..=3 => hash_1_to_3(s, seed),
        4..=8 => hash_4_to_8(s, seed),
        9..=16 => hash_9_to_16(s, seed),
        17..=32 => hash_17_to_32(s, seed),
        _ => hash_33_to_64(s, seed),
    }
}

fn hash_1_to_3(s: &[u8], seed: u64) -> u64 {
    let len = s.len();
    let y = u32::from(s[0]).wrapping_add(u32::from(s[len >> 1]) << 8);
    let z = (len as u32).wrapping_add(u32::from(s[len - 1]) << 2);
    let mixed = u64::from(y).wrapping_mul(K2) ^ u64::from(z).wrapping_mul(K3) ^ seed;
    shift_mix(mixed).wrapping_mul(K2)
}

fn hash_4_to_8(s: &[u8], seed: u64) -> u64 {
    let len = s.len();
    let a = fetch32(s, 0);
    hash_16_bytes(
        (len as u64).wrapping_add(a << 3),
        seed ^ fetch32(s, len - 4),
    )
}

fn hash_9_to_16(s: &[u8], seed: u64) -> u64 {
    let len = s.len();
    let a = fetch64(s, 0);
    let b = fetch64(s, len - 8);
    hash_16_bytes(
        seed ^ a,
        b.wrapping_add(len as u64).rotate_right(len as u32),
    ) ^ b
}

fn hash_17_to_32(s: &[u8], seed: u64) -> u64 {
    let len = s.len();
    let a = fetch64(s, 0).wrapping_mul(K1);
    let b = fetch64(s, 8);
    let c = fetch64(s, len - 8).wrapping_mul(K2);
    let d = fetch64(s, len - 16).wrapping_mul(K0);
    let low = a
        .wrapping_sub(b)
        .rotate_right(43)
        .wrapping_add((c ^ seed).rotate_right(30))
        .wrapping_add(d);
    let high = a
        .wrapping_add((b ^ K3).rotate_right(20))
        .wrapping_sub(c)
        .wrapping_add(len as u64)
        .wrapping_add(seed);
    hash_16_bytes(low, high)
}

fn hash_33_to_64(s: &[u8], seed: u64) -> u64 {
    let len = s.len();
    let mut z = fetch64(s, 24);
    let mut a = fetch64(s, 0).wrapping_add(
        (len as u64)
            .wrapping_add(fetch64(s, len - 16))
            .wrapping_mul(K0),
    );
    let mut b = a.wrapping_add(z).rotate_right(52);
    let mut c = a.rotate_right(37);
    a = a.wrapping_add(fetch64(s, 8));
    c = c.wrapping_add(a.rotate_right(7));
    a = a.wrapping_add(fetch64(s, 16));
    let vf = a.wrapping_add(z);
    let vs = b.wrapping_add(a.rotate_right(31)).wrapping_add(c);
    a = fetch64(s, 16).wrapping_add(fetch64(s, len - 32));
    z = fetch64(s, len - 8);
    b = a.wrapping_add(z).rotate_right(52);
    c = a.rotate_right(37);
    a = a.wrapping_add(fetch64(s, len - 24));
    c = c.wrapping_add(a.rotate_right(7));
    a = a.wrapping_add(fetch64(s, len - 16));
    let wf = a.wrapping_add(z);
    let ws = b.wrapping_add(a.rotate_right(31)).wrapping_add(c);
    let r = shift_mix(
        vf.wrapping_add(ws)
            .wrapping_mul(K2)
            .wrapping_add(wf.wrapping_add(vs).wrapping_mul(K0)),
    );
    shift_mix((seed ^ r.wrapping_mul(K0)).wrapping_add(vs)).wrapping_mul(K2)
}

/// The running state for strings longer than 64 bytes.
struct State {
    h: [u64; 7],
}

impl State {
    fn new(first: &[u8], seed: u64) -> State {
        let h4 = seed.wrapping_mul(K1);
        let h5 = shift_mix(seed);
        let h = [
            0,
            seed,
            hash_16_bytes(seed, K1),
            (seed ^ K1).rotate_right(49),
            h4,
            h5,
            hash_16_bytes(h4, h5),
        ];
        let mut state = State { h };
        state.mix(first);
        state
    }

    /// Adds `b` (32 bytes) into the pair `(a, b)`.
    fn mix_32(s: &[u8], a: &mut u64, b: &mut u64) {
        *a = a.wrapping_add(fetch64(s, 0));
        let c = fetch64(s, 24);
        *b = b.wrapping_add(*a).wrapping_add(c).rotate_right(21);
        let d = *a;
        *a = a.wrapping_add(fetch64(s, 8)).wrapping_add(fetch64(s, 16));
        *b = b.wrapping_add(a.rotate_right(44)).wrapping_add(d);
        *a = a.wrapping_add(c);
    }

    /// Mixes in one 64-byte chunk.
    fn mix(&mut self, s: &[u8]) {
        let [mut h0, mut h1, mut h2, mut h3, mut h4, mut h5, mut h6] = self.h;
        h0 = h0
            .wrapping_add(h1)
            .wrapping_add(h3)
            .wrapping_add(fetch64(s, 8))
            .rotate_right(37)
            .wrapping_mul(K1);
        h1 = h1
            .wrapping_add(h4)
            .wrapping_add(fetch64(s, 48))
            .rotate_right(42)
            .wrapping_mul(K1);
        h0 ^= h6;
        h1 = h1.wrapping_add(h3).wrapping_add(fetch64(s, 40));
        h2 = h2.wrapping_add(h5).rotate_right(33).wrapping_mul(K1);
        h3 = h4.wrapping_mul(K1);
        h4 = h0.wrapping_add(h5);
        Self::mix_32(s, &mut h3, &mut h4);
        h5 = h2.wrapping_add(h6);
        h6 = h1.wrapping_add(fetch64(s, 16));
        Self::mix_32(&s[32..], &mut h5, &mut h6);
        self.h = [h2, h1, h0, h3, h4, h5, h6];
    }

    fn finalize(&self, len: u64) -> u64 {
        let [h0, h1, h2, h3, h4, h5, h6] = self.h;
        hash_16_bytes(
            hash_16_bytes(h3, h5)
                .wrapping_add(shift_mix(h1).wrapping_mul(K1))
                .wrapping_add(h2),
            hash_16_bytes(h4, h6)
                .wrapping_add(shift_mix(len).wrapping_mul(K1))
                .wrapping_add(h0),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::string_hash;

    /// Values printed by `libLLVM.so.19.1`'s `DenseMapInfo<StringRef>::getHashValue`.
    #[test]
    fn matches_llvm_19() {
        assert_eq!(string_hash(b"a"), 0x517c_61f8);
        assert_eq!(string_hash(b"abc"), 0x19c7_1a3f);
        assert_eq!(string_hash(b"abcdefgh"), 0x411d_ec9d);
        assert_eq!(string_hash(b"foo_bar_baz_quux_0123456789"), 0xed05_75c6);
        assert_eq!(string_hash(&[b'x'; 100]), 0x3eab_4e46);
    }
}
