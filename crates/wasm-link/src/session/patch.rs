//! The patched link: when a changed object differs from its previous version only in function
//! bodies, and every changed body names the same symbols through the same relocation types in
//! the same order, then everything resolution, GC and layout decided is the same as before:
//! symbols, liveness, table slots, GOT entries, types, indices and addresses all follow from the
//! symbol tables, the other sections and the sequence of relocation targets, never from the
//! instructions or the addends. So the new bodies are relocated with the kept layout and put
//! where the old ones were. When sizes changed, the code section is rebuilt from the kept
//! relocated bytes, and the code offsets that custom sections hold (`FUNCTION_OFFSET`
//! relocations, in debug information) are computed again.

use super::super::write::{section_header, tombstone_for};
use crate::config::{BuildId, Config};
use crate::ids::FileId;
use crate::inputs::Inputs;
use crate::relocate::{patch, RelocContext, Site};
use crate::written::Written;
use rayon::prelude::*;
use wasm_format::reloc::{Reloc, RelocTarget};
use wasm_format::sections::DataMode;
use wasm_format::{Module, SectionId};
use wasm_object::ids::{DefinedFunc, SegmentIndex};
use wasm_object::object::Object;

/// The option that makes a patched link impossible: its output or its reports depend on more
/// than the bytes of the module, or on where exactly every byte is.
pub(super) fn blocking_option(config: &Config) -> Option<&'static str> {
    let options = [
        (config.relocatable, "-r"),
        (config.emit_relocs, "--emit-relocs"),
        (config.compress_relocations, "--compress-relocations"),
        (config.map_file.is_some() || config.print_map, "a link map"),
        (config.size_report.is_some(), "a size report"),
        (config.build_id != BuildId::None, "--build-id"),
        (config.print_gc_sections, "--print-gc-sections"),
        (!config.why_live.is_empty(), "--why-live"),
        (config.trace || !config.trace_symbols.is_empty(), "--trace"),
        (config.why_extract.is_some(), "--why-extract"),
        (config.verbose, "--verbose"),
    ];
    options.into_iter().find(|o| o.0).map(|o| o.1)
}

/// The atoms of an object that changed.
#[derive(Default)]
pub(super) struct Changes {
    /// Functions whose bodies changed.
    pub functions: Vec<DefinedFunc>,
    /// Data segments whose bytes changed (never their size).
    pub segments: Vec<SegmentIndex>,
}

/// The function bodies and data segments of `new` that differ from those of `old`, if nothing
/// else differs and every changed atom keeps its relocation targets (and a segment its size);
/// else why not. Data may change only when `data` allows (position-independent code turns
/// data relocations into code).
pub(super) fn changed_atoms(
    old_bytes: &[u8],
    old: &Object<'_>,
    new_bytes: &[u8],
    new: &Object<'_>,
    data: bool,
) -> Result<Changes, String> {
    same_sections(old_bytes, new_bytes, data)?;
    Ok(Changes {
        functions: changed_functions(old, new)?,
        segments: match data {
            true => changed_segments(old, new)?,
            false => Vec::new(),
        },
    })
}

/// The segments whose bytes or addends changed, when nothing else about them did.
fn changed_segments(old: &Object<'_>, new: &Object<'_>) -> Result<Vec<SegmentIndex>, String> {
    if old.segments.len() != new.segments.len() {
        return Err("data segments were added or removed".into());
    }
    let mut changed = Vec::new();
    for (k, (a, b)) in old.segments.iter().zip(&new.segments).enumerate() {
        fn mode<'s>(s: &wasm_object::object::Segment<'s>) -> Option<(u32, &'s [u8])> {
            match s.mode {
                DataMode::Passive => None,
                DataMode::Active { memory, offset } => Some((memory, offset.window.bytes)),
            }
        }
        if a.data.len() != b.data.len() || a.passive != b.passive || mode(a) != mode(b) {
            return Err(format!("data segment {} changed size or place", a.name));
        }
        let s = SegmentIndex(k as u32);
        let (ra, rb) = (old.segment_relocs(s), new.segment_relocs(s));
        if a.data.bytes == b.data.bytes && ra == rb {
            continue;
        }
        if !same_targets(ra, rb) {
            return Err(format!("data segment {} refers to other symbols", a.name));
        }
        changed.push(s);
    }
    Ok(changed)
}

/// The same relocation types against the same symbols, in the same order.
fn same_targets(a: &[Reloc], b: &[Reloc]) -> bool {
    a.len() == b.len()
        && a.iter()
            .zip(b)
            .all(|(x, y)| (x.ty, x.index) == (y.ty, y.index))
}

/// The functions whose bodies changed, when their relocation targets did not.
fn changed_functions(old: &Object<'_>, new: &Object<'_>) -> Result<Vec<DefinedFunc>, String> {
    if old.functions.len() != new.functions.len() {
        return Err("functions were added or removed".into());
    }
    let mut changed = Vec::new();
    for i in (0..new.functions.len()).map(|i| DefinedFunc(i as u32)) {
        let (a, b) = (&old.functions[i.idx()], &new.functions[i.idx()]);
        let (ra, rb) = (old.function_relocs(i), new.function_relocs(i));
        let base_a = (a.body.offset - old.code_offset) as u32;
        let base_b = (b.body.offset - new.code_offset) as u32;
        let relative =
            |r: &Reloc, base: u32| (r.ty, r.offset.wrapping_sub(base), r.index, r.addend);
        let same = a.body.bytes == b.body.bytes
            && ra.len() == rb.len()
            && ra
                .iter()
                .zip(rb)
                .all(|(x, y)| relative(x, base_a) == relative(y, base_b));
        if same {
            continue;
        }
        let targets_kept = ra.len() == rb.len()
            && ra
                .iter()
                .zip(rb)
                .all(|(x, y)| (x.ty, x.index) == (y.ty, y.index));
        if !targets_kept {
            return Err(format!("function {} refers to other symbols", i.0));
        }
        let code_offsets = |r: &Reloc| {
            matches!(
                r.ty.target(),
                RelocTarget::FunctionOffset | RelocTarget::SectionOffset
            )
        };
        if rb.iter().any(code_offsets) {
            return Err(format!("function {} holds code or section offsets", i.0));
        }
        changed.push(i);
    }
    Ok(changed)
}

/// Every section but the code section and its relocations (and, with `data`, the data
/// section and its relocations) is the same in both objects.
fn same_sections(old: &[u8], new: &[u8], data: bool) -> Result<(), String> {
    let unframed = |_| "an object does not parse".to_string();
    let (a, b) = (
        Module::parse(old, 0).map_err(unframed)?,
        Module::parse(new, 0).map_err(unframed)?,
    );
    if a.sections.len() != b.sections.len() {
        return Err("sections were added or removed".into());
    }
    for (x, y) in a.sections.iter().zip(&b.sections) {
        if (x.id, x.custom_name) != (y.id, y.custom_name) {
            return Err("sections were added or removed".into());
        }
        if x.id == SectionId::Code || x.custom_name == Some("reloc.CODE") {
            continue;
        }
        if data && (x.id == SectionId::Data || x.custom_name == Some("reloc.DATA")) {
            continue;
        }
        if x.contents.bytes != y.contents.bytes {
            let name = match x.custom_name {
                Some("linking") => "symbols or segments".to_string(),
                Some(name) => format!("section {name}"),
                None => format!("the {} section", x.id.name()),
            };
            return Err(format!("its {name} changed"));
        }
    }
    Ok(())
}

/// Where the code section is in the output.
pub(super) struct CodeSection {
    /// Its position in [`Written::sections`].
    index: usize,
    /// The offset of its id byte.
    offset: usize,
    /// Its size, header included.
    size: usize,
    /// The offset of its contents (the function count).
    pub contents: usize,
}

impl CodeSection {
    /// The code section of an output, if it has one.
    pub fn find(written: &Written) -> Option<CodeSection> {
        let index = written
            .sections
            .iter()
            .position(|s| s.id == SectionId::Code)?;
        let s = &written.sections[index];
        let contents_len = written.functions.last().map_or(0, |&(o, size)| o + size);
        let (offset, size) = (s.offset as usize, s.size as usize);
        Some(CodeSection {
            index,
            offset,
            size,
            contents: offset + size - contents_len as usize,
        })
    }

    /// The output with a new code section, holding `bodies` (by output function) and the
    /// other functions' kept bytes; `written` is updated for everything that moved. Gives the
    /// new output and the size of the new code section.
    pub fn rebuild(
        &self,
        output: &[u8],
        written: &mut Written,
        mut bodies: Vec<(usize, Vec<u8>)>,
    ) -> (Vec<u8>, u64) {
        bodies.sort_by_key(|b| b.0);
        let spans = &written.functions;
        let growth: i64 = (bodies.iter())
            .map(|(k, b)| b.len() as i64 - spans[*k].1 as i64)
            .sum();
        let count_len = spans.first().map_or(0, |s| s.0 as usize);
        let old_len = self.offset + self.size - self.contents;
        let mut contents = Vec::with_capacity((old_len as i64 + growth) as usize);
        contents.extend_from_slice(&output[self.contents..self.contents + count_len]);
        let mut new_spans = Vec::with_capacity(spans.len());
        let mut next = bodies.iter().peekable();
        for (k, &(at, size)) in spans.iter().enumerate() {
            let start = contents.len() as u64;
            match next.next_if(|b| b.0 == k) {
                Some((_, body)) => contents.extend_from_slice(body),
                None => {
                    let from = self.contents + at as usize;
                    contents.extend_from_slice(&output[from..from + size as usize]);
                }
            }
            new_spans.push((start, contents.len() as u64 - start));
        }
        let header = section_header(SectionId::Code as u8, contents.len());
        let end = self.offset + self.size;
        let mut out = Vec::with_capacity(output.len() + header.len() + contents.len() - self.size);
        out.extend_from_slice(&output[..self.offset]);
        out.extend_from_slice(&header);
        out.extend_from_slice(&contents);
        out.extend_from_slice(&output[end..]);
        let new_size = (header.len() + contents.len()) as u64;
        let delta = new_size as i64 - self.size as i64;
        written.sections[self.index].size = new_size;
        for s in &mut written.sections[self.index + 1..] {
            s.offset = (s.offset as i64 + delta) as u64;
        }
        written.functions = new_spans;
        written.file_size = out.len() as u64;
        (out, new_size)
    }
}

/// The offset of the data section's contents in the output.
pub(super) fn data_contents(written: &Written) -> Option<usize> {
    let s = written.sections.iter().find(|s| s.id == SectionId::Data)?;
    // The header is the id and the LEB128 size of the contents: find the size that fits.
    let contents_len = (1..=5u64)
        .map(|k| s.size - 1 - k)
        .find(|&len| leb_len(len) == s.size - 1 - len)?;
    Some((s.offset + s.size - contents_len) as usize)
}

fn leb_len(v: u64) -> u64 {
    (64 - v.max(1).leading_zeros() as u64).div_ceil(7)
}

/// Per output function: the offset of its code (after the size prefix) in the code section's
/// contents, read off the output.
pub(super) fn code_offsets(output: &[u8], written: &Written) -> Vec<u64> {
    let Some(code) = CodeSection::find(written) else {
        return Vec::new();
    };
    let prefix = |at: usize| {
        let rest = &output[at..];
        rest.iter().position(|b| b & 0x80 == 0).map_or(1, |p| p + 1) as u64
    };
    (written.functions.iter())
        .map(|&(at, _)| at + prefix(code.contents + at as usize))
        .collect()
}

/// A `FUNCTION_OFFSET` relocation in a custom section of the output.
pub(super) struct OffsetSite {
    /// The section's position in [`Written::sections`] (sections move; this does not).
    section: u32,
    /// The offset of the patched field in the section.
    at: u64,
    file: FileId,
    tombstone: u64,
    reloc: Reloc,
}

/// Every `FUNCTION_OFFSET` relocation in the custom sections copied into the output.
pub(super) fn offset_sites(
    inputs: &Inputs<'_>,
    written: &Written,
    output: &[u8],
) -> Vec<OffsetSite> {
    let _ = output;
    let mut chunks = Vec::new();
    for (s, section) in written.sections.iter().enumerate() {
        if section.chunks.is_empty() {
            continue;
        }
        let tombstone = tombstone_for(section.name.as_deref().unwrap_or(""));
        let mut at = section.size - section.chunks.iter().map(|c| c.1).sum::<u64>();
        for (&(file, size), &k) in section.chunks.iter().zip(&section.chunk_customs) {
            chunks.push((s as u32, at, file, k, tombstone));
            at += size;
        }
    }
    chunks
        .into_par_iter()
        .flat_map_iter(|(section, at, file, k, tombstone)| {
            let relocs = inputs.obj(file).customs[k].relocs.iter();
            relocs
                .filter(|r| r.ty.target() == RelocTarget::FunctionOffset)
                .map(move |reloc| OffsetSite {
                    section,
                    at: at + u64::from(reloc.offset),
                    file,
                    tombstone,
                    reloc,
                })
        })
        .collect()
}

/// Writes every code offset of `sites` again, from `ctx`'s code offsets; gives their count.
pub(super) fn patch_offsets(
    ctx: &RelocContext<'_, '_>,
    sites: &[OffsetSite],
    written: &Written,
    output: &mut [u8],
) -> usize {
    for s in sites {
        let site = Site {
            file: s.file,
            tombstone: s.tombstone,
            va: 0,
        };
        let value = ctx.value(site, &s.reloc, 0);
        let at = written.sections[s.section as usize].offset + s.at;
        patch(output, at as usize, s.reloc.ty.width(), value);
    }
    sites.len()
}
