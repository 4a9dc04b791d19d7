//! String merging of `STRINGS` data segments (at `-O1` and up): every NUL-terminated piece is
//! deduplicated, and a piece that is the tail of another shares its bytes.
//!
//! The order matches LLVM's `StringTableBuilder` (RAW, alignment 1) exactly, because it decides
//! addresses: pieces sorted by their reversed bytes, larger first, a suffix after the strings
//! that end with it; each piece that is a suffix of the previous one reuses its tail.
//!
//! Every step runs in parallel and gives the same result at any thread count. Each group of
//! chunks is split into pieces, and each piece goes into one shared table of distinct pieces
//! as it is split, while its bytes are in the cache. Which equal piece gets in first, and
//! where, depends on timing, but nothing after does: the distinct pieces are sorted (a total
//! order of their bytes), and the merged bytes are copied into disjoint slices.

use crate::ids::FileId;
use crate::inputs::Inputs;
use crate::output::split_mut;
use rayon::prelude::*;
use std::cmp::Ordering;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

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

/// The distinct pieces, open addressing over a power-of-two number of slots, filled by many
/// threads at once. A slot holds a piece's position in the chunks laid end to end, plus one (0
/// is empty), under a tag of its hash's top bits, which spares most byte comparisons.
struct Table {
    slots: Vec<AtomicU64>,
    /// Bits of a slot that hold the position; the tag is in the rest.
    position_bits: u32,
}

impl Table {
    /// A table for `pieces` pieces of chunks of `bytes` bytes in all, at most half full.
    fn new(pieces: usize, bytes: u64) -> Table {
        let slots = (2 * pieces).next_power_of_two();
        Table {
            slots: (0..slots)
                .into_par_iter()
                .map(|_| AtomicU64::new(0))
                .collect(),
            position_bits: (bytes + 1).checked_ilog2().map_or(1, |b| b + 1),
        }
    }

    /// The hash a piece goes into the table by.
    fn hash(piece: &[u8]) -> u64 {
        xxhash_rust::xxh3::xxh3_64(piece)
    }

    /// Starts loading the slot a piece of hash `hash` goes to first into the cache.
    fn prefetch(&self, hash: u64) {
        let slot = &self.slots[hash as usize & (self.slots.len() - 1)];
        #[cfg(target_arch = "x86_64")]
        // SAFETY: SSE is part of x86-64, and a prefetch neither reads nor faults.
        unsafe {
            std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(
                slot.as_ptr() as *const i8
            )
        };
        #[cfg(not(target_arch = "x86_64"))]
        let _ = slot;
    }

    /// The slot of `piece`, of hash `hash`, at `position`, and whether it is the first of its
    /// bytes; `equal` says whether the piece at a position has the same bytes.
    fn insert(
        &self,
        piece: &[u8],
        hash: u64,
        position: u64,
        equal: impl Fn(u64, &[u8]) -> bool,
    ) -> (usize, bool) {
        let tag = hash.checked_shr(self.position_bits).unwrap_or(0);
        let mask = self.slots.len() - 1;
        let mine = tag.checked_shl(self.position_bits).unwrap_or(0) | (position + 1);
        let same = |entry: u64| {
            let position = entry & (u64::MAX >> (64 - self.position_bits));
            entry.checked_shr(self.position_bits).unwrap_or(0) == tag && equal(position - 1, piece)
        };
        let mut i = hash as usize & mask;
        loop {
            // Pieces are never moved or removed, and their bytes never change: no ordering
            // is needed beyond the slot's own.
            let entry = match self.slots[i].compare_exchange(0, mine, Relaxed, Relaxed) {
                Ok(_) => return (i, true),
                Err(entry) => entry,
            };
            if same(entry) {
                return (i, false);
            }
            i = (i + 1) & mask;
        }
    }
}

/// Pieces split and hashed ahead of their insertion, their slots loaded meanwhile.
const AHEAD: usize = 16;

/// Marks the piece that put its bytes into the table, in a piece's second field while merging.
const FIRST: u64 = 1 << 63;

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
        let counts: Vec<u32> = chunks.par_iter().map(|c| count_pieces(c)).collect();
        let piece_ranges = prefix_sums(counts.iter().map(|&n| n as usize));
        let positions = prefix_sums(chunks.iter().map(|c| c.len()));
        let total = piece_ranges[chunks.len()] as usize;
        let table = Table::new(total, positions[chunks.len()]);
        let chunk_at = |position: u64| {
            let k = positions.partition_point(|&p| p <= position) - 1;
            (chunks[k], (position - positions[k]) as usize)
        };
        // Each piece's input offset, and its slot (marked `FIRST` if its bytes got in first).
        let mut pieces: Vec<(u32, u64)> = (0..total).into_par_iter().map(|_| (0, 0)).collect();
        let groups = chunk_groups(chunks.len());
        let firsts: Vec<usize> = split_by_group(&mut pieces, &groups, &piece_ranges)
            .into_par_iter()
            .zip(groups.par_iter())
            .map(|(mut out, ks)| {
                let mut firsts = 0;
                for k in ks.clone() {
                    let (head, tail) = out.split_at_mut(counts[k] as usize);
                    let base = positions[k];
                    firsts += split_into(&table, chunks[k], base, head, |at, piece| {
                        let (chunk, offset) = chunk_at(at);
                        same_piece(chunk, offset, piece)
                    });
                    out = tail;
                }
                firsts
            })
            .collect();
        let mut distinct: Vec<Distinct<'_>> = (0..firsts.iter().sum::<usize>())
            .into_par_iter()
            .map(|_| Distinct::NONE)
            .collect();
        split_mut(&mut distinct, firsts.iter().copied())
            .into_par_iter()
            .zip(groups.par_iter())
            .for_each(|(out, ks)| {
                let mut out = out.iter_mut();
                for k in ks.clone() {
                    let range = piece_ranges[k] as usize..piece_ranges[k + 1] as usize;
                    let firsts = first_pieces(chunks[k], &pieces[range]);
                    // `firsts` first: zip takes from its first iterator before the second.
                    for (d, slot) in firsts.zip(out.by_ref()) {
                        *slot = d;
                    }
                }
            });
        sort_by_tail(&mut distinct, 0);
        let (data, at) = lay_out(&distinct);
        // The slots are not needed any more: each takes its piece's merged offset.
        distinct
            .par_iter()
            .zip(&at)
            .for_each(|(d, &o)| table.slots[d.slot].store(o, Relaxed));
        pieces.par_iter_mut().for_each(|p| {
            p.1 = table.slots[(p.1 & !FIRST) as usize].load(Relaxed);
        });
        let mut merged = MergedStrings {
            data,
            pieces,
            piece_ranges: piece_ranges.iter().map(|&n| n as u32).collect(),
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

/// `0, a, a + b, ...`: where each of the counted things starts, and one more entry at the end.
fn prefix_sums(counts: impl Iterator<Item = usize>) -> Vec<u64> {
    let mut sums = vec![0u64];
    let mut total = 0u64;
    for n in counts {
        total += n as u64;
        sums.push(total);
    }
    sums
}

/// The chunks in groups of consecutive ones, several per thread, each group split by one task.
fn chunk_groups(chunks: usize) -> Vec<std::ops::Range<usize>> {
    let group = chunks.div_ceil(rayon::current_num_threads() * 16).max(1);
    (0..chunks)
        .step_by(group)
        .map(|start| start..(start + group).min(chunks))
        .collect()
}

/// The pieces of each group of chunks.
fn split_by_group<'p>(
    pieces: &'p mut [(u32, u64)],
    groups: &[std::ops::Range<usize>],
    piece_ranges: &[u64],
) -> Vec<&'p mut [(u32, u64)]> {
    let sizes = groups
        .iter()
        .map(|ks| (piece_ranges[ks.end] - piece_ranges[ks.start]) as usize);
    split_mut(pieces, sizes)
}

/// Splits `bytes`, a chunk at `base` in the chunks laid end to end, into NUL-terminated
/// pieces (the NUL included; a last piece without one is kept as it is), putting each into
/// `table` and writing its offset and slot into `out`, which has room for exactly
/// [`count_pieces`] of them. Gives how many pieces got into the table first.
fn split_into(
    table: &Table,
    bytes: &[u8],
    base: u64,
    out: &mut [(u32, u64)],
    equal: impl Fn(u64, &[u8]) -> bool + Copy,
) -> usize {
    let mut off = 0;
    let mut firsts = 0;
    let mut ahead = [(0usize, 0usize, 0u64); AHEAD];
    for block in out.chunks_mut(AHEAD) {
        for next in &mut ahead[..block.len()] {
            let end = memchr::memchr(0, &bytes[off..]).map_or(bytes.len(), |p| off + p + 1);
            let hash = Table::hash(&bytes[off..end]);
            table.prefetch(hash);
            *next = (off, end, hash);
            off = end;
        }
        for (slot, &(start, end, hash)) in block.iter_mut().zip(&ahead) {
            let piece = &bytes[start..end];
            let (at, first) = table.insert(piece, hash, base + start as u64, equal);
            *slot = (start as u32, at as u64 | if first { FIRST } else { 0 });
            firsts += usize::from(first);
        }
    }
    firsts
}

/// Whether the piece at `offset` of `chunk` has the bytes of `piece`. Pieces hold no NUL
/// but their last byte, so the bytes of a NUL-terminated piece decide; one without a NUL is
/// the end of its chunk, and equals only a piece that ends its chunk too.
fn same_piece(chunk: &[u8], offset: usize, piece: &[u8]) -> bool {
    let end = offset + piece.len();
    chunk.get(offset..end) == Some(piece) && (piece.last() == Some(&0) || end == chunk.len())
}

/// The pieces of `chunk` (split into `pieces`) whose bytes got into the table first.
fn first_pieces<'c, 'p>(
    chunk: &'c [u8],
    pieces: &'p [(u32, u64)],
) -> impl Iterator<Item = Distinct<'c>> + use<'c, 'p> {
    let ends = pieces.iter().skip(1).map(|p| p.0 as usize);
    pieces
        .iter()
        .zip(ends.chain([chunk.len()]))
        .filter(|(p, _)| p.1 & FIRST != 0)
        .map(move |(&(start, slot), end)| {
            let bytes = &chunk[start as usize..end];
            Distinct {
                key: tail_key(bytes, 0),
                bytes,
                slot: (slot & !FIRST) as usize,
            }
        })
}

/// How many pieces [`split_into`] makes of `bytes`.
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

/// A distinct piece being sorted: eight bytes of its tail (see [`tail_key`]), its bytes, and
/// its slot in the table.
struct Distinct<'c> {
    key: u64,
    bytes: &'c [u8],
    slot: usize,
}

impl Distinct<'_> {
    /// A placeholder, overwritten before it is read.
    const NONE: Distinct<'static> = Distinct {
        key: 0,
        bytes: &[],
        slot: 0,
    };
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
    // Written once, in parallel, by the copies below: `vec!` would have one thread clear
    // (and fault in) all of it first.
    let mut data: Vec<u8> = Vec::with_capacity(end as usize);
    let runs = sorted
        .len()
        .div_ceil(rayon::current_num_threads() * 8)
        .max(1);
    let mut slices = Vec::new();
    let mut rest = &mut data.spare_capacity_mut()[..end as usize];
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
    assert!(rest.is_empty(), "the runs cover the merged bytes");
    slices.into_par_iter().for_each(|(range, dst)| {
        let mut o = 0;
        for i in range.filter(|&i| written[i]) {
            let s = sorted[i].bytes;
            dst[o..o + s.len()].write_copy_of_slice(s);
            o += s.len();
        }
    });
    // SAFETY: the runs' slices cover the first `end` bytes exactly (asserted above), and each
    // run wrote every byte of its slice: its written pieces, whose lengths make up the slice.
    unsafe { data.set_len(end as usize) };
    (data, at)
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
    if let Some(eight) = end.checked_sub(8) {
        // One load, rather than a copy of a length only known here.
        return word(&s[eight..end]);
    }
    let tail = &s[..end];
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
        let bytes: &[u8] = b"a\0bc\0d";
        assert_eq!(count_pieces(bytes), 3);
        assert_eq!(
            pieces_of(bytes),
            [(0, &b"a\0"[..]), (2, b"bc\0"), (5, b"d")]
        );
    }

    #[test]
    fn a_piece_without_nul_equals_only_one_that_ends_its_chunk() {
        assert!(same_piece(b"xab", 1, b"ab"));
        assert!(!same_piece(b"xab\0", 1, b"ab"));
        assert!(same_piece(b"xab\0", 1, b"ab\0"));
        assert!(!same_piece(b"xa", 1, b"ab"));
    }

    #[test]
    fn pieces_whose_tags_agree_are_told_apart_by_their_bytes() {
        // A position takes every bit: no tag, so every taken slot is compared.
        let table = Table {
            slots: (0..4).map(|_| AtomicU64::new(0)).collect(),
            position_bits: 64,
        };
        let words: [&[u8]; 3] = [b"a\0", b"b\0", b"a\0"];
        let insert = |k: usize| {
            let hash = Table::hash(words[k]);
            table.insert(words[k], hash, k as u64, |p, w| words[p as usize] == w)
        };
        let (a, first_a) = insert(0);
        let (b, first_b) = insert(1);
        assert!(first_a && first_b && a != b);
        assert_eq!(insert(2), (a, false));
    }

    /// The pieces of a chunk and their offsets, one at a time.
    fn pieces_of(chunk: &[u8]) -> Vec<(u32, &[u8])> {
        let mut pieces = Vec::new();
        let mut start = 0;
        while start < chunk.len() {
            let end = chunk[start..]
                .iter()
                .position(|&b| b == 0)
                .map_or(chunk.len(), |p| start + p + 1);
            pieces.push((start as u32, &chunk[start..end]));
            start = end;
        }
        pieces
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
        let split: Vec<Vec<(u32, &[u8])>> = chunks.iter().map(|c| pieces_of(c)).collect();
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
