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
use std::sync::atomic::{AtomicU32, Ordering::Relaxed};

/// The merged contents of the string segments of one output segment.
#[derive(Debug, Default)]
pub struct MergedStrings {
    /// The merged bytes.
    pub data: Vec<u8>,
    /// (input offset, merged offset) of every piece, input segment after input segment.
    pieces: Vec<(u32, u64)>,
    /// Where the pieces of each input segment start in `pieces` (one more entry at the end).
    piece_ranges: Vec<u32>,
    /// For every [`BUCKET`] bytes of each input segment longer than one bucket: how many of
    /// its pieces start at or before the bucket's first byte, which turns
    /// [`map`](Self::map)'s search into a short scan.
    starts: Vec<u32>,
    /// Where the `starts` of each input segment begin (one more entry at the end).
    start_ranges: Vec<u32>,
}

/// Input bytes per entry of [`MergedStrings::starts`].
const BUCKET: u64 = 64;

/// Number of hash shards deduplicated in parallel.
const SHARDS: usize = 64;

/// One NUL-terminated piece of a chunk: which chunk, where it starts and its hash.
#[derive(Clone, Copy)]
struct Piece {
    chunk: u32,
    offset: u32,
    len: u32,
    hash: u64,
}

impl Piece {
    /// A placeholder, overwritten before it is read.
    const NONE: Piece = Piece {
        chunk: 0,
        offset: 0,
        len: 0,
        hash: 0,
    };

    fn bytes<'c>(&self, chunks: &[&'c [u8]]) -> &'c [u8] {
        &chunks[self.chunk as usize][self.offset as usize..(self.offset + self.len) as usize]
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
        let (all, piece_ranges) = split_all(chunks);
        // Each piece's index in its shard's list of distinct pieces, filled by `dedup`.
        let ids: Vec<AtomicU32> = (0..all.len()).map(|_| AtomicU32::new(0)).collect();
        let lists = dedup(chunks, &all, &ids);
        let mut bases = Vec::with_capacity(SHARDS);
        let mut total = 0u32;
        for list in &lists {
            bases.push(total);
            total += list.len() as u32;
        }
        let mut distinct: Vec<Distinct<'_>> = lists
            .par_iter()
            .zip(&bases)
            .flat_map_iter(|(list, &base)| {
                list.iter().enumerate().map(move |(k, &b)| Distinct {
                    key: tail_key(b, 0),
                    bytes: b,
                    id: base + k as u32,
                })
            })
            .collect();
        sort_by_tail(&mut distinct, 0);
        let (data, at) = lay_out(&distinct);
        let mut offsets = vec![0u64; distinct.len()];
        for (d, &o) in distinct.iter().zip(&at) {
            offsets[d.id as usize] = o;
        }
        let pieces: Vec<(u32, u64)> = all
            .par_iter()
            .zip(&ids)
            .map(|(p, k)| {
                let k = k.load(Relaxed);
                (p.offset, offsets[(bases[p.shard()] + k) as usize])
            })
            .collect();
        let mut merged = MergedStrings {
            data,
            pieces,
            piece_ranges,
            starts: Vec::new(),
            start_ranges: Vec::new(),
        };
        merged.index_starts(chunks);
        merged
    }

    /// (input offset, merged offset) of each piece of input segment `k`.
    pub fn pieces(&self, k: usize) -> &[(u32, u64)] {
        &self.pieces[self.piece_ranges[k] as usize..self.piece_ranges[k + 1] as usize]
    }

    /// Fills `starts` for the chunks longer than one bucket.
    fn index_starts(&mut self, chunks: &[&[u8]]) {
        let per_chunk: Vec<Vec<u32>> = (0..chunks.len())
            .into_par_iter()
            .map(|k| match chunks[k].len() as u64 > BUCKET {
                true => starts(self.pieces(k), chunks[k].len()),
                false => Vec::new(),
            })
            .collect();
        self.start_ranges = Vec::with_capacity(chunks.len() + 1);
        self.start_ranges.push(0);
        for v in &per_chunk {
            self.starts.extend_from_slice(v);
            self.start_ranges.push(self.starts.len() as u32);
        }
    }

    /// The merged offset of input offset `offset` of chunk `k`; an empty chunk has no pieces,
    /// and the offset stays as it is (what relocations into a merged custom section write).
    pub fn map(&self, k: usize, offset: u64) -> u64 {
        self.map_within(k, offset).unwrap_or(offset)
    }

    /// [`MergedStrings::map`], `None` for an empty chunk (a symbol there has no address).
    pub fn map_within(&self, k: usize, offset: u64) -> Option<u64> {
        let pieces = self.pieces(k);
        let starts = &self.starts[self.start_ranges[k] as usize..self.start_ranges[k + 1] as usize];
        let after = match starts.get((offset / BUCKET) as usize) {
            // Pieces starting at or before `offset`: those before the bucket, then a scan.
            Some(&first) => {
                let mut p = first as usize;
                while pieces
                    .get(p)
                    .is_some_and(|&(inp, _)| u64::from(inp) <= offset)
                {
                    p += 1;
                }
                p
            }
            None => pieces.partition_point(|&(inp, _)| u64::from(inp) <= offset),
        };
        let p = after.checked_sub(1)?;
        Some(pieces[p].1.wrapping_add(offset - u64::from(pieces[p].0)))
    }
}

/// The pieces of every chunk, chunk after chunk, and where each chunk's pieces start (one
/// more entry at the end). Each chunk's pieces are counted first, so that every group of chunks
/// writes its pieces in place, in parallel: no list is copied into another.
fn split_all(chunks: &[&[u8]]) -> (Vec<Piece>, Vec<u32>) {
    let counts: Vec<u32> = chunks.par_iter().map(|c| count_pieces(c)).collect();
    let mut ranges = Vec::with_capacity(chunks.len() + 1);
    let mut total = 0u32;
    ranges.push(0);
    for &n in &counts {
        total += n;
        ranges.push(total);
    }
    let mut all: Vec<Piece> = (0..total).into_par_iter().map(|_| Piece::NONE).collect();
    let group = chunks
        .len()
        .div_ceil(rayon::current_num_threads() * 16)
        .max(1);
    let mut slices = Vec::with_capacity(chunks.len().div_ceil(group));
    let mut rest = &mut all[..];
    for start in (0..chunks.len()).step_by(group) {
        let stop = (start + group).min(chunks.len());
        let (head, tail) = rest.split_at_mut((ranges[stop] - ranges[start]) as usize);
        slices.push((start..stop, head));
        rest = tail;
    }
    slices.into_par_iter().for_each(|(ks, mut out)| {
        for k in ks {
            let (head, tail) = out.split_at_mut(counts[k] as usize);
            split_strings(chunks[k], k as u32, head);
            out = tail;
        }
    });
    (all, ranges)
}

/// How many pieces [`split_strings`] makes of `bytes`.
fn count_pieces(bytes: &[u8]) -> u32 {
    let nuls = memchr::memchr_iter(0, bytes).count();
    let unterminated = bytes.last().is_some_and(|&b| b != 0);
    (nuls + usize::from(unterminated)) as u32
}

/// For each [`BUCKET`] of a chunk of `len` bytes, how many of `pieces` start at or before the
/// bucket's first byte.
fn starts(pieces: &[(u32, u64)], len: usize) -> Vec<u32> {
    let mut out = Vec::with_capacity(len.div_ceil(BUCKET as usize));
    let mut p = 0;
    for b in 0..len.div_ceil(BUCKET as usize) {
        let at = b as u64 * BUCKET;
        while pieces.get(p).is_some_and(|&(inp, _)| u64::from(inp) <= at) {
            p += 1;
        }
        out.push(p as u32);
    }
    out
}

/// The distinct pieces of each hash shard, in first-seen order (over chunks in order); stores
/// each piece's index in its shard's list into `ids`.
fn dedup<'c>(chunks: &[&'c [u8]], all: &[Piece], ids: &[AtomicU32]) -> Vec<Vec<&'c [u8]>> {
    // Bucket groups of pieces by shard, then fill each shard from its buckets in order.
    let group = all.len().div_ceil(rayon::current_num_threads() * 4).max(1);
    let buckets: Vec<Vec<Vec<u32>>> = all
        .par_chunks(group)
        .enumerate()
        .map(|(g, ps)| {
            let mut b = vec![Vec::new(); SHARDS];
            for (i, p) in ps.iter().enumerate() {
                b[p.shard()].push((g * group + i) as u32);
            }
            b
        })
        .collect();
    (0..SHARDS)
        .into_par_iter()
        .map(|s| {
            let mut map = Shard::default();
            let mut list = Vec::new();
            for &at in buckets.iter().flat_map(|b| &b[s]) {
                let p = &all[at as usize];
                let (hash, bytes) = (p.hash, p.bytes(chunks));
                let k = *map.entry(Key { hash, bytes }).or_insert_with(|| {
                    list.push(bytes);
                    list.len() as u32 - 1
                });
                ids[at as usize].store(k, Relaxed);
            }
            list
        })
        .collect()
}

/// A distinct piece being sorted: eight bytes of its tail (see [`tail_key`]), its bytes, and
/// its index in the list of distinct pieces.
struct Distinct<'c> {
    key: u64,
    bytes: &'c [u8],
    id: u32,
}

/// Sorts pieces whose tails agree up to the last `8 * level` bytes into [`tail_order`], eight
/// bytes at a time: by the key of the next eight, then each run of equal keys by the eight
/// after. Keys sit next to each other, so most comparisons touch no string.
fn sort_by_tail(items: &mut [Distinct<'_>], level: usize) {
    if items.len() > 4096 {
        items.par_sort_unstable_by_key(|d| std::cmp::Reverse(d.key));
    } else {
        items.sort_unstable_by_key(|d| std::cmp::Reverse(d.key));
    }
    // Equal keys: both strings are longer than the bytes compared so far (pieces have no NUL
    // but their last byte, so a shorter string's zero padding differs from a longer one's
    // bytes), so the next eight bytes go on.
    let runs: Vec<&mut [Distinct<'_>]> = items
        .chunk_by_mut(|a, b| a.key == b.key)
        .filter(|run| run.len() > 1)
        .collect();
    let next = |run: &mut [Distinct<'_>]| {
        if level >= 64 {
            // Very long equal tails: compare whole strings.
            run.sort_unstable_by(|a, b| tail_order(a.bytes, b.bytes));
            return;
        }
        let rekey = |d: &mut Distinct<'_>| d.key = tail_key(d.bytes, level + 1);
        if run.len() > 4096 {
            run.par_iter_mut().for_each(rekey);
        } else {
            run.iter_mut().for_each(rekey);
        }
        sort_by_tail(run, level + 1);
    };
    if runs.len() > 64 {
        runs.into_par_iter().for_each(next);
    } else {
        runs.into_iter().for_each(next);
    }
}

/// The merged bytes of the sorted distinct pieces and the offset of each. A piece that is a
/// suffix of the one before it in the order shares its tail: the strings between a string and
/// its suffix in this order all end with that suffix, so comparing with the previous piece
/// alone is the same as comparing with the last one written.
fn lay_out(sorted: &[Distinct<'_>]) -> (Vec<u8>, Vec<u64>) {
    let written: Vec<bool> = (0..sorted.len())
        .into_par_iter()
        .map(|i| i == 0 || !sorted[i - 1].bytes.ends_with(sorted[i].bytes))
        .collect();
    let mut at = Vec::with_capacity(sorted.len());
    let mut end = 0u64;
    for (d, &w) in sorted.iter().zip(&written) {
        let s = d.bytes;
        if w {
            end += s.len() as u64;
        }
        at.push(end - s.len() as u64);
    }
    // Zeroed in parallel: `vec!` would have one thread clear (and fault in) all of it.
    let mut data: Vec<u8> = (0..end as usize).into_par_iter().map(|_| 0).collect();
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
            .map(|i| sorted[i].bytes.len())
            .sum();
        let (head, tail) = rest.split_at_mut(len);
        slices.push((start..stop, head));
        rest = tail;
    }
    slices.into_par_iter().for_each(|(range, dst)| {
        let mut o = 0;
        for i in range.filter(|&i| written[i]) {
            let s = sorted[i].bytes;
            dst[o..o + s.len()].copy_from_slice(s);
            o += s.len();
        }
    });
    (data, at)
}

/// Splits chunk `k` into NUL-terminated pieces (the NUL included) written to `out`, which has
/// room for exactly [`count_pieces`] of them; a last piece without a NUL is kept as it is.
fn split_strings(bytes: &[u8], k: u32, out: &mut [Piece]) {
    let mut off = 0;
    for slot in out {
        let end = memchr::memchr(0, &bytes[off..]).map_or(bytes.len(), |p| off + p + 1);
        let mut h = rustc_hash::FxHasher::default();
        h.write(&bytes[off..end]);
        *slot = Piece {
            chunk: k,
            offset: off as u32,
            len: (end - off) as u32,
            hash: h.finish(),
        };
        off = end;
    }
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

/// Eight bytes of a piece's tail as a number, the last byte most significant: the bytes before
/// its last `8 * level`, missing bytes 0. Pieces have no NUL but their last byte, so a larger
/// key means an earlier place in [`tail_order`], when the tails agree after these bytes.
fn tail_key(s: &[u8], level: usize) -> u64 {
    let end = s.len().saturating_sub(8 * level);
    let tail = &s[end.saturating_sub(8)..end];
    let mut w = [0u8; 8];
    w[8 - tail.len()..].copy_from_slice(tail);
    u64::from_le_bytes(w)
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
        let bytes: &[u8] = b"a\0bc\0";
        let mut split = vec![Piece::NONE; count_pieces(bytes) as usize];
        split_strings(bytes, 0, &mut split);
        let pieces: Vec<_> = split
            .iter()
            .map(|p| (p.offset, p.bytes(&[bytes])))
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
                let mut split = vec![Piece::NONE; count_pieces(c) as usize];
                split_strings(c, 0, &mut split);
                split.iter().map(|p| (p.offset, p.bytes(&[c]))).collect()
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
        let pieces: Vec<Vec<(u32, u64)>> = split
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
            for (k, c) in refs.iter().enumerate() {
                for offset in 0..c.len() as u64 + 70 {
                    let pieces = merged.pieces(k);
                    let p = pieces.partition_point(|&(inp, _)| u64::from(inp) <= offset);
                    let slow = match p.checked_sub(1) {
                        Some(p) => pieces[p].1 + (offset - u64::from(pieces[p].0)),
                        None => offset,
                    };
                    assert_eq!(merged.map(k, offset), slow);
                }
            }
            let (data, pieces) = slow_merge(&refs);
            assert_eq!(merged.data, data);
            let all: Vec<Vec<(u32, u64)>> =
                (0..refs.len()).map(|k| merged.pieces(k).to_vec()).collect();
            assert_eq!(all, pieces);
        }
    }

    #[test]
    fn long_shared_tails_sort_like_the_straightforward_merge() {
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        let tail: Vec<u8> = (0..700).map(|i| b"abcdefgh"[(i * 7 + i / 3) % 8]).collect();
        let chunks: Vec<Vec<u8>> = (0..5)
            .map(|_| {
                let mut c = Vec::new();
                for _ in 0..400 {
                    for _ in 0..next() % 4 {
                        c.push(b"xyz"[(next() % 3) as usize]);
                    }
                    let n = [0, 5, 8, 9, 16, 17, 100, 513, 520, 700][(next() % 10) as usize];
                    c.extend_from_slice(&tail[tail.len() - n..]);
                    c.push(0);
                }
                c
            })
            .collect();
        let refs: Vec<&[u8]> = chunks.iter().map(|c| &c[..]).collect();
        let merged = MergedStrings::from_slices(&refs);
        let (data, pieces) = slow_merge(&refs);
        assert_eq!(merged.data, data);
        let all: Vec<Vec<(u32, u64)>> =
            (0..refs.len()).map(|k| merged.pieces(k).to_vec()).collect();
        assert_eq!(all, pieces);
    }
}
