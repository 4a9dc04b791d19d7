//! String merging of `STRINGS` data segments (at `-O1` and up): every NUL-terminated piece is
//! deduplicated, and a piece that is the tail of another shares its bytes.
//!
//! The order matches LLVM's `StringTableBuilder` (RAW, alignment 1) exactly, because it decides
//! addresses: pieces sorted by their reversed bytes, larger first, a suffix after the strings
//! that end with it; each piece that is a suffix of the previous one reuses its tail.
//!
//! Every step runs in parallel and gives the same result at any thread count: pieces are split
//! and hashed per chunk, deduplicated in shards chosen by hash, the distinct pieces sorted
//! (a total order, so the result does not depend on the sort), and the merged bytes copied
//! into disjoint slices.

use crate::ids::FileId;
use crate::inputs::Inputs;
use rayon::prelude::*;
use std::cmp::Ordering;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hash, Hasher};

/// The merged contents of the string segments of one output segment.
#[derive(Debug, Default)]
pub struct MergedStrings {
    /// The merged bytes.
    pub data: Vec<u8>,
    /// Per input segment (in the order given to `build`): (input offset, merged offset) of each
    /// piece.
    pub pieces: Vec<Vec<(u32, u64)>>,
}

/// Number of hash shards deduplicated in parallel.
const SHARDS: usize = 64;

/// One NUL-terminated piece of a chunk: where it starts and its hash.
#[derive(Clone, Copy)]
struct Piece {
    offset: u32,
    len: u32,
    hash: u64,
}

impl Piece {
    fn bytes<'c>(&self, chunk: &'c [u8]) -> &'c [u8] {
        &chunk[self.offset as usize..(self.offset + self.len) as usize]
    }

    fn shard(&self) -> usize {
        (self.hash >> 32) as usize % SHARDS
    }
}

/// A piece's bytes keyed by its precomputed hash.
#[derive(Clone, Copy, PartialEq, Eq)]
struct Key<'c> {
    hash: u64,
    bytes: &'c [u8],
}

impl Hash for Key<'_> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_u64(self.hash);
    }
}

/// Passes a precomputed hash through.
#[derive(Default)]
struct PreHashed(u64);

impl Hasher for PreHashed {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8) ^ u64::from(b);
        }
    }
    fn write_u64(&mut self, v: u64) {
        self.0 = v;
    }
}

/// Pieces bound for one shard: hash and bytes.
type Bucket<'c> = Vec<(u64, &'c [u8])>;

type Shard<'c> = HashMap<Key<'c>, u32, BuildHasherDefault<PreHashed>>;

impl MergedStrings {
    /// Merges the given `STRINGS` segments.
    pub fn build(inputs: &Inputs<'_>, segments: &[(FileId, u32)]) -> MergedStrings {
        let slices: Vec<&[u8]> = segments
            .iter()
            .map(|&(f, i)| inputs.obj(f).segments[i as usize].data.bytes)
            .collect();
        Self::from_slices(&slices)
    }

    /// Merges the strings of the given chunks (in order).
    pub fn from_slices(chunks: &[&[u8]]) -> MergedStrings {
        let split: Vec<Vec<Piece>> = chunks.par_iter().map(|c| split_strings(c)).collect();
        let shards = dedup(chunks, &split);
        let mut bases = Vec::with_capacity(SHARDS);
        let mut distinct = Vec::new();
        for (s, (_, list)) in shards.iter().enumerate() {
            bases.push(distinct.len() as u32);
            distinct.extend(list.iter().enumerate().map(|(k, &b)| (b, (s, k as u32))));
        }
        distinct.par_sort_unstable_by(|a, b| tail_order(a.0, b.0));
        let (data, at) = lay_out(&distinct);
        let mut offsets = vec![0u64; distinct.len()];
        for (&(_, (s, k)), &o) in distinct.iter().zip(&at) {
            offsets[(bases[s] + k) as usize] = o;
        }
        let pieces = split
            .par_iter()
            .zip(chunks)
            .map(|(ps, chunk)| {
                ps.iter()
                    .map(|p| {
                        let (map, _) = &shards[p.shard()];
                        let key = Key {
                            hash: p.hash,
                            bytes: p.bytes(chunk),
                        };
                        let k = map.get(&key).copied().unwrap_or(0);
                        (p.offset, offsets[(bases[p.shard()] + k) as usize])
                    })
                    .collect()
            })
            .collect();
        MergedStrings { data, pieces }
    }

    /// The merged offset of input offset `offset` of chunk `k`.
    pub fn map(&self, k: usize, offset: u64) -> u64 {
        let pieces = &self.pieces[k];
        match pieces
            .partition_point(|&(inp, _)| u64::from(inp) <= offset)
            .checked_sub(1)
        {
            Some(p) => pieces[p].1 + (offset - u64::from(pieces[p].0)),
            None => offset,
        }
    }
}

/// The distinct pieces, by hash shard: a map to the index in the shard's list, and the list in
/// first-seen order (over chunks in order).
fn dedup<'c>(chunks: &[&'c [u8]], split: &[Vec<Piece>]) -> Vec<(Shard<'c>, Vec<&'c [u8]>)> {
    // Bucket the pieces of groups of chunks by shard, then fill each shard from its buckets.
    let group = chunks
        .len()
        .div_ceil(rayon::current_num_threads() * 4)
        .max(1);
    let buckets: Vec<Vec<Bucket<'c>>> = split
        .par_chunks(group)
        .zip(chunks.par_chunks(group))
        .map(|(ps, cs)| {
            let mut b = vec![Vec::new(); SHARDS];
            for (pieces, chunk) in ps.iter().zip(cs) {
                for p in pieces {
                    b[p.shard()].push((p.hash, p.bytes(chunk)));
                }
            }
            b
        })
        .collect();
    (0..SHARDS)
        .into_par_iter()
        .map(|s| {
            let mut map = Shard::default();
            let mut list = Vec::new();
            for &(hash, bytes) in buckets.iter().flat_map(|b| &b[s]) {
                map.entry(Key { hash, bytes }).or_insert_with(|| {
                    list.push(bytes);
                    list.len() as u32 - 1
                });
            }
            (map, list)
        })
        .collect()
}

/// The merged bytes of the sorted distinct pieces and the offset of each. A piece that is a
/// suffix of the one before it in the order shares its tail: the strings between a string and
/// its suffix in this order all end with that suffix, so comparing with the previous piece
/// alone is the same as comparing with the last one written.
fn lay_out<T: Sync>(sorted: &[(&[u8], T)]) -> (Vec<u8>, Vec<u64>) {
    let written: Vec<bool> = (0..sorted.len())
        .into_par_iter()
        .map(|i| i == 0 || !sorted[i - 1].0.ends_with(sorted[i].0))
        .collect();
    let mut at = Vec::with_capacity(sorted.len());
    let mut end = 0u64;
    for (&(s, _), &w) in sorted.iter().zip(&written) {
        if w {
            end += s.len() as u64;
        }
        at.push(end - s.len() as u64);
    }
    let mut data = vec![0u8; end as usize];
    let runs = sorted
        .len()
        .div_ceil(rayon::current_num_threads() * 8)
        .max(1);
    let mut slices = Vec::new();
    let mut rest = &mut data[..];
    for start in (0..sorted.len()).step_by(runs) {
        let stop = (start + runs).min(sorted.len());
        let len: usize = (start..stop)
            .filter(|&i| written[i])
            .map(|i| sorted[i].0.len())
            .sum();
        let (head, tail) = rest.split_at_mut(len);
        slices.push((start..stop, head));
        rest = tail;
    }
    slices.into_par_iter().for_each(|(range, dst)| {
        let mut o = 0;
        for i in range.filter(|&i| written[i]) {
            let s = sorted[i].0;
            dst[o..o + s.len()].copy_from_slice(s);
            o += s.len();
        }
    });
    (data, at)
}

/// Splits a segment into NUL-terminated pieces (the NUL included); a last piece without a NUL
/// is kept as it is.
fn split_strings(bytes: &[u8]) -> Vec<Piece> {
    let mut out = Vec::new();
    let mut off = 0;
    while off < bytes.len() {
        let end = bytes[off..]
            .iter()
            .position(|&b| b == 0)
            .map_or(bytes.len(), |p| off + p + 1);
        let mut h = rustc_hash::FxHasher::default();
        h.write(&bytes[off..end]);
        out.push(Piece {
            offset: off as u32,
            len: (end - off) as u32,
            hash: h.finish(),
        });
        off = end;
    }
    out
}

/// LLVM's multikey order: compare from the last byte backwards, larger bytes first; a string
/// that runs out first (a suffix of the other) comes after. Eight bytes at a time.
fn tail_order(a: &[u8], b: &[u8]) -> Ordering {
    let (mut i, mut j) = (a.len(), b.len());
    while i >= 8 && j >= 8 {
        let x = word(&a[i - 8..i]);
        let y = word(&b[j - 8..j]);
        if x != y {
            return y.cmp(&x);
        }
        i -= 8;
        j -= 8;
    }
    for (x, y) in a[..i].iter().rev().zip(b[..j].iter().rev()) {
        match y.cmp(x) {
            Ordering::Equal => continue,
            other => return other,
        }
    }
    b.len().cmp(&a.len())
}

/// Eight bytes as a number whose most significant byte is the last one.
fn word(bytes: &[u8]) -> u64 {
    let mut w = [0u8; 8];
    w.copy_from_slice(bytes);
    u64::from_le_bytes(w)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suffixes_follow_the_strings_that_end_with_them() {
        let mut v: Vec<&[u8]> = vec![b"world\0", b"hello world\0", b"abc\0"];
        v.sort_by(|a, b| tail_order(a, b));
        assert_eq!(v, vec![&b"hello world\0"[..], b"world\0", b"abc\0"]);
    }

    #[test]
    fn split_keeps_nul() {
        let bytes = b"a\0bc\0";
        let pieces: Vec<_> = split_strings(bytes)
            .iter()
            .map(|p| (p.offset, p.bytes(bytes)))
            .collect();
        assert_eq!(pieces, vec![(0, &b"a\0"[..]), (2, &b"bc\0"[..])]);
    }

    /// The byte-at-a-time order the word-at-a-time one must equal.
    fn slow_order(a: &[u8], b: &[u8]) -> Ordering {
        for (x, y) in a.iter().rev().zip(b.iter().rev()) {
            match y.cmp(x) {
                Ordering::Equal => continue,
                other => return other,
            }
        }
        b.len().cmp(&a.len())
    }

    /// The straightforward merge: one map, one sort, one pass.
    fn slow_merge(chunks: &[&[u8]]) -> (Vec<u8>, Vec<Vec<(u32, u64)>>) {
        let split: Vec<Vec<(u32, &[u8])>> = chunks
            .iter()
            .map(|c| {
                split_strings(c)
                    .iter()
                    .map(|p| (p.offset, p.bytes(c)))
                    .collect()
            })
            .collect();
        let mut unique: std::collections::HashMap<&[u8], u64> = Default::default();
        for &(_, p) in split.iter().flatten() {
            unique.insert(p, 0);
        }
        let mut order: Vec<&[u8]> = unique.keys().copied().collect();
        order.sort_by(|a, b| slow_order(a, b));
        let mut data = Vec::new();
        let mut previous: &[u8] = &[];
        for s in order {
            let at = if previous.ends_with(s) {
                (data.len() - s.len()) as u64
            } else {
                data.extend_from_slice(s);
                previous = s;
                (data.len() - s.len()) as u64
            };
            unique.insert(s, at);
        }
        let pieces = split
            .iter()
            .map(|ps| ps.iter().map(|&(o, p)| (o, unique[p])).collect())
            .collect();
        (data, pieces)
    }

    #[test]
    fn equals_the_straightforward_merge() {
        let mut x = 0x2545_f491_4f6c_dd1du64;
        let mut next = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        for round in 0..40 {
            let chunks: Vec<Vec<u8>> = (0..1 + round % 7)
                .map(|_| {
                    (0..next() % 300)
                        .map(|_| match next() % 8 {
                            0 => 0,
                            n => b"abcxyz\xff"[n as usize - 1],
                        })
                        .collect()
                })
                .collect();
            let refs: Vec<&[u8]> = chunks.iter().map(|c| &c[..]).collect();
            for a in &refs {
                for b in &refs {
                    assert_eq!(tail_order(a, b), slow_order(a, b));
                }
            }
            let merged = MergedStrings::from_slices(&refs);
            let (data, pieces) = slow_merge(&refs);
            assert_eq!(merged.data, data);
            assert_eq!(merged.pieces, pieces);
        }
    }
}
