//! The output file as a list of pieces in file order, each of a known size: bytes built
//! already, runs of zeros, or atoms (function bodies, data segments, custom-section chunks)
//! copied from their input and relocated in place.
//!
//! [`Output::write_to`] streams the pieces through one reused window: each batch of pieces is
//! filled in parallel, every piece into its own disjoint slice, then written. So the module is
//! never held in memory whole (the peak is one window, not the output size), and the pages of
//! the window are faulted in once, not once per section. The bytes do not depend on the
//! thread count: every piece is a pure function of the inputs and the layout.

use crate::ids::FileId;
use crate::relocate::{RelocContext, Site};
use rayon::prelude::*;
use std::io::Write;
use wasm_object::ids::DefinedFunc;

/// Pieces are gathered into batches of about this many bytes (a larger piece is a batch alone).
const WINDOW: usize = 4 << 20;

/// One piece of the output.
pub enum Piece<'p> {
    /// Bytes built by the writer (section headers, synthetic bodies, linker sections).
    Owned(Vec<u8>),
    /// Bytes built before writing and borrowed (merged strings).
    Borrowed(&'p [u8]),
    /// Zero bytes (alignment padding inside a data segment); its size is the piece's.
    Zeros,
    /// Input function `index` of `file`: its body with its size prefix, relocated.
    Function {
        /// The file.
        file: FileId,
        /// The function.
        index: DefinedFunc,
    },
    /// Input data segment `index` of `file`, placed at address `va`, relocated.
    Segment {
        /// The file.
        file: FileId,
        /// Index among the file's data segments.
        index: u32,
        /// Address of the segment's first byte.
        va: u64,
    },
    /// Custom section `index` (among the file's kept custom sections) of `file`, relocated.
    Custom {
        /// The file.
        file: FileId,
        /// Index into the object's `customs`.
        index: usize,
        /// What relocations against dead symbols write.
        tombstone: u64,
    },
}

/// The pieces of the output file, in order, with their sizes.
#[derive(Default)]
pub struct Output<'p> {
    pieces: Vec<(usize, Piece<'p>)>,
    len: usize,
}

impl<'p> Output<'p> {
    /// An output that starts with `head`.
    pub fn new(head: Vec<u8>) -> Self {
        let mut out = Output::default();
        out.bytes(head);
        out
    }

    /// Appends bytes built already.
    pub fn bytes(&mut self, bytes: Vec<u8>) {
        self.push(bytes.len(), Piece::Owned(bytes));
    }

    /// Appends `piece`, which is `size` bytes long.
    pub fn push(&mut self, size: usize, piece: Piece<'p>) {
        if size > 0 {
            self.len += size;
            self.pieces.push((size, piece));
        }
    }

    /// Appends the pieces of `other`.
    pub fn append(&mut self, other: Output<'p>) {
        self.len += other.len;
        self.pieces.extend(other.pieces);
    }

    /// The size of the file so far.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Fills every piece and writes the file to `out`. Two windows take turns: while one
    /// batch is written, the next one is filled. A batch of borrowed bytes alone (the merged
    /// strings of a large section) is written from where it is, after the window before it,
    /// rather than copied into a window grown to its size.
    pub fn write_to(
        &self,
        ctx: &RelocContext<'_, '_>,
        out: &mut (impl Write + Send),
    ) -> std::io::Result<()> {
        self.write_filled(|piece, dst| fill(ctx, piece, dst), out)
    }

    /// [`write_to`](Self::write_to), each piece filled by `fill`.
    fn write_filled(
        &self,
        fill: impl Fn(&Piece<'_>, &mut [u8]) + Sync,
        out: &mut (impl Write + Send),
    ) -> std::io::Result<()> {
        let mut windows = [Vec::new(), Vec::new()];
        // What is still to be written: the first bytes of the full window, then these.
        let mut written = 0;
        let mut borrowed: &[u8] = &[];
        let mut start = 0;
        while start < self.pieces.len() {
            let (end, len) = self.batch(start);
            let batch = &self.pieces[start..end];
            start = end;
            if let [(_, Piece::Borrowed(bytes))] = batch {
                if !borrowed.is_empty() {
                    out.write_all(&windows[1][..written])?;
                    out.write_all(borrowed)?;
                    written = 0;
                }
                borrowed = bytes;
                continue;
            }
            let [fill_into, full] = &mut windows;
            if fill_into.len() < len {
                fill_into.resize(len, 0);
            }
            let (_, result) = rayon::join(
                || {
                    split_mut(&mut fill_into[..len], batch.iter().map(|p| p.0))
                        .into_par_iter()
                        .zip(batch)
                        .for_each(|(dst, (_, piece))| fill(piece, dst))
                },
                || {
                    out.write_all(&full[..written])?;
                    out.write_all(borrowed)
                },
            );
            result?;
            windows.swap(0, 1);
            written = len;
            borrowed = &[];
        }
        out.write_all(&windows[1][..written])?;
        out.write_all(borrowed)
    }

    /// The end of the batch that starts at piece `start`, and its length in bytes.
    fn batch(&self, start: usize) -> (usize, usize) {
        let mut end = start;
        let mut len = 0;
        while let Some(&(size, _)) = self.pieces.get(end) {
            if end > start && len + size > WINDOW {
                break;
            }
            len += size;
            end += 1;
        }
        (end, len)
    }
}

/// Writes one piece into `dst`, which is exactly its size.
fn fill(ctx: &RelocContext<'_, '_>, piece: &Piece<'_>, dst: &mut [u8]) {
    match *piece {
        Piece::Owned(ref bytes) => dst.copy_from_slice(bytes),
        Piece::Borrowed(bytes) => dst.copy_from_slice(bytes),
        Piece::Zeros => dst.fill(0),
        Piece::Function { file, index } => {
            let obj = ctx.inputs.obj(file);
            let func = &obj.functions[index.idx()];
            let base = (func.body.offset - obj.code_offset) as u64;
            let relocs = obj.function_relocs(index).iter().copied();
            ctx.apply(site(file, 0, 0), dst, func.body.bytes, relocs, base);
        }
        Piece::Segment { file, index, va } => {
            let obj = ctx.inputs.obj(file);
            let seg = &obj.segments[index as usize];
            let base = (seg.data.offset - obj.data_offset) as u64;
            let relocs = obj.data_relocs_of(seg).iter().copied();
            ctx.apply(site(file, 0, va), dst, seg.data.bytes, relocs, base);
        }
        Piece::Custom {
            file,
            index,
            tombstone,
        } => {
            let input = &ctx.inputs.files[file.idx()];
            let c = &input.obj.customs[index];
            let relocs = c.relocs.iter();
            ctx.apply(site(file, tombstone, 0), dst, c.contents.bytes, relocs, 0);
            // Debug sections are most of a large link's input and are read only here.
            for w in [c.contents, c.relocs.entries()] {
                input.source.release(w.offset, w.len());
            }
        }
    }
}

fn site(file: FileId, tombstone: u64, va: u64) -> Site {
    Site {
        file,
        tombstone,
        va,
    }
}

/// Splits `buf` into consecutive slices of the given sizes.
pub fn split_mut<T>(mut buf: &mut [T], sizes: impl Iterator<Item = usize>) -> Vec<&mut [T]> {
    let mut out = Vec::new();
    for s in sizes {
        let (a, b) = std::mem::take(&mut buf).split_at_mut(s);
        out.push(a);
        buf = b;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The bytes a piece stands for, where no input is needed.
    fn fill_plain(piece: &Piece<'_>, dst: &mut [u8]) {
        match piece {
            Piece::Owned(bytes) => dst.copy_from_slice(bytes),
            Piece::Borrowed(bytes) => dst.copy_from_slice(bytes),
            Piece::Zeros => dst.fill(0),
            _ => unreachable!("the test has only plain pieces"),
        }
    }

    /// Borrowed batches written from where they are, one after another or between windows,
    /// keep the file's order.
    #[test]
    fn borrowed_batches_keep_their_place() {
        let big: Vec<u8> = (0..WINDOW + 5).map(|k| (k % 251) as u8).collect();
        let other: Vec<u8> = (0..WINDOW * 2).map(|k| (k % 241) as u8).collect();
        let mut output = Output::new(b"head".to_vec());
        output.push(big.len(), Piece::Borrowed(&big));
        output.push(other.len(), Piece::Borrowed(&other));
        output.push(7, Piece::Zeros);
        output.bytes(b"middle".to_vec());
        output.push(big.len(), Piece::Borrowed(&big));
        output.push(3, Piece::Borrowed(b"end"));
        let mut expected = b"head".to_vec();
        expected.extend_from_slice(&big);
        expected.extend_from_slice(&other);
        expected.extend_from_slice(&[0; 7]);
        expected.extend_from_slice(b"middle");
        expected.extend_from_slice(&big);
        expected.extend_from_slice(b"end");
        let mut written = Vec::new();
        output.write_filled(fill_plain, &mut written).unwrap();
        assert_eq!(written.len(), output.len());
        assert!(written == expected);
    }
}
