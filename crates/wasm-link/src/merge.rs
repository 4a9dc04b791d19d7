//! String merging of `STRINGS` data segments (at `-O1` and up): every NUL-terminated piece is
//! deduplicated, and a piece that is the tail of another shares its bytes.
//!
//! The order matches LLVM's `StringTableBuilder` (RAW, alignment 1) exactly, because it decides
//! addresses: pieces sorted by their reversed bytes, larger first, a suffix after the strings
//! that end with it; each piece that is a suffix of the previous one reuses its tail.

use crate::ids::FileId;
use crate::inputs::Inputs;
use rustc_hash::FxHashMap as HashMap;
use std::cmp::Ordering;

/// The merged contents of the string segments of one output segment.
#[derive(Debug, Default)]
pub struct MergedStrings {
    /// The merged bytes.
    pub data: Vec<u8>,
    /// Per input segment (in the order given to `build`): (input offset, merged offset) of each
    /// piece.
    pub pieces: Vec<Vec<(u32, u64)>>,
}

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
        let mut split: Vec<Vec<(u32, &[u8])>> = Vec::with_capacity(chunks.len());
        let mut unique: HashMap<&[u8], u64> = HashMap::default();
        for bytes in chunks {
            let pieces = split_strings(bytes);
            for &(_, p) in &pieces {
                unique.entry(p).or_insert(0);
            }
            split.push(pieces);
        }
        let mut order: Vec<&[u8]> = unique.keys().copied().collect();
        order.sort_unstable_by(|a, b| tail_order(a, b));
        let mut data = Vec::new();
        let mut previous: &[u8] = &[];
        for s in order {
            let at = if previous.ends_with(s) {
                (data.len() - s.len()) as u64
            } else {
                let at = data.len() as u64;
                data.extend_from_slice(s);
                previous = s;
                at
            };
            unique.insert(s, at);
        }
        let pieces = split
            .iter()
            .map(|ps| ps.iter().map(|&(off, p)| (off, unique[p])).collect())
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

/// Splits a segment into NUL-terminated pieces (the NUL included); a last piece without a NUL
/// is kept as it is.
fn split_strings(bytes: &[u8]) -> Vec<(u32, &[u8])> {
    let mut out = Vec::new();
    let mut off = 0;
    while off < bytes.len() {
        let end = bytes[off..]
            .iter()
            .position(|&b| b == 0)
            .map_or(bytes.len(), |p| off + p + 1);
        out.push((off as u32, &bytes[off..end]));
        off = end;
    }
    out
}

/// LLVM's multikey order: compare from the last byte backwards, larger bytes first; a string
/// that runs out first (a suffix of the other) comes after.
fn tail_order(a: &[u8], b: &[u8]) -> Ordering {
    for (x, y) in a.iter().rev().zip(b.iter().rev()) {
        match y.cmp(x) {
            Ordering::Equal => continue,
            other => return other,
        }
    }
    b.len().cmp(&a.len())
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
        assert_eq!(
            split_strings(b"a\0bc\0"),
            vec![(0, &b"a\0"[..]), (2, &b"bc\0"[..])]
        );
    }
}
