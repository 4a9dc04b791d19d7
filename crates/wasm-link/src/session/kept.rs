//! What a session keeps from one link to the next: the phases' results (inputs, resolution,
//! liveness, layout, where everything was written), the output bytes, and the files and
//! configuration those results borrow.
//!
//! The phases borrow their inputs' bytes and the configuration for a lifetime `'a`. A session
//! must keep both the borrows and what they borrow, in one value, across calls: the one place
//! in the linker that needs `unsafe`. It is sound because what is borrowed never moves and never
//! changes while borrowed: every file is a `Box<InputFile>` (its bytes are a mapping or a boxed
//! slice, which moving the box does not move) and the configuration is a `Box<Config>`, none
//! of them mutated; `state` is declared first so it is dropped first; a file replaced by a
//! patched link is moved to `retired`, not dropped, because the symbol table may still borrow
//! names from it; and no `'static` borrow ever leaves this module.

use super::patch::{self, OffsetSite};
use super::{InputId, LinkKind, LinkStats};
use crate::config::Config;
use crate::diagnostic::{Diagnostic, Errors};
use crate::ids::FileId;
use crate::inputs::{Inputs, Item};
use crate::layout::{Layout, OutFunction};
use crate::load::{self, Parsed};
use crate::mark::Liveness;
use crate::relocate::{RelocContext, SectionPlaces, Site};
use crate::resolve::Resolved;
use crate::written::Written;
use crate::Diagnostics;
use std::time::Instant;
use wasm_object::ids::{DefinedFunc, SegmentIndex};
use wasm_object::input::InputFile;
use wasm_object::object::Object;

/// The results of the phases of one link.
pub(super) struct State<'a> {
    inputs: Inputs<'a>,
    resolved: Resolved<'a>,
    live: Liveness,
    layout: Layout<'a>,
    written: Written,
}

/// The last link of a session, kept for the next. Files are boxed because `state` borrows the
/// `InputFile`s themselves (`InputObject::source`), which must not move when the vector grows.
#[allow(clippy::vec_box)]
pub(super) struct Kept {
    /// Borrows `files`, `retired` and `config`; declared first, so dropped first.
    state: State<'static>,
    /// The module.
    pub output: Vec<u8>,
    /// The last full link's warnings, which a patched link repeats (nothing they depend on
    /// changed).
    pub warnings: Vec<Diagnostic>,
    /// The last full link's messages.
    pub messages: Vec<String>,
    /// The code offsets in custom sections, found the first time a body changes size.
    offset_sites: Option<Vec<OffsetSite>>,
    /// Per input, in link order: its id and its file.
    ids: Vec<InputId>,
    files: Vec<Box<InputFile>>,
    /// Files of inputs replaced by patched links.
    retired: Vec<Box<InputFile>>,
    /// The configuration of the link (with the session's inputs).
    pub config: Box<Config>,
}

/// What a full link may take from the previous one: its parsed objects, by where their bytes
/// are, and its files.
pub(super) struct Reusable {
    /// Borrows `files`: declared first, so dropped first.
    objects: Parsed<'static>,
    files: Vec<(InputId, Box<InputFile>)>,
}

impl Reusable {
    /// The file of input `id`, if the previous link had it.
    pub fn take_file(&mut self, id: InputId) -> Option<Box<InputFile>> {
        let at = self.files.iter().position(|(i, _)| *i == id)?;
        Some(self.files.swap_remove(at).1)
    }
}

/// A borrow of something a [`Kept`] owns, for as long as the `Kept` says.
///
/// # Safety
/// The caller must store `value`'s owner in the same `Kept` as every borrow made here, never
/// move or change it while they live, and drop the borrows first (see the module docs).
unsafe fn erase<T: ?Sized>(value: &T) -> &'static T {
    // SAFETY: the caller's promise above.
    unsafe { &*(value as *const T) }
}

impl Kept {
    /// A full link of `files` (one per input, in order), taking the objects `previous` parsed
    /// where their files are among `files`.
    #[allow(clippy::vec_box)]
    pub fn link(
        config: Config,
        ids: Vec<InputId>,
        files: Vec<Box<InputFile>>,
        previous: Option<Reusable>,
        diag: &mut Diagnostics,
        stats: &mut LinkStats,
        start: Instant,
    ) -> Result<Kept, Errors> {
        let config = Box::new(config);
        // SAFETY: `config` and `files` are moved into the returned `Kept` with `state`, which
        // borrows them; on an error, the borrows are dropped before them, in this function.
        let (config_ref, refs) = unsafe {
            let refs: Vec<&'static InputFile> = files.iter().map(|f| erase(&**f)).collect();
            (erase(&*config), refs)
        };
        let (mut parsed, old_files) = match previous {
            Some(p) => (p.objects, p.files),
            None => Default::default(),
        };
        let offered = parsed.len();
        // Sessions do not do LTO: bitcode is refused as when libLTO is missing.
        let framed = load::frame(&refs);
        let none = crate::lto::Scanned::none();
        let inputs = load::load(&refs, framed, config_ref, &mut parsed, none);
        // What was not taken borrows files of the previous link: drop it before them.
        stats.reused = offered - parsed.len();
        drop(parsed);
        drop(old_files);
        let inputs = inputs?;
        stats.parsed = inputs.files.len() - stats.reused;
        diag.lap("load", start);
        let linked = crate::link_loaded(inputs, config_ref, diag, start, true)?;
        let output = linked.output.into_bytes().unwrap_or_default();
        stats.bytes_rewritten = output.len() as u64;
        Ok(Kept {
            state: State {
                inputs: linked.inputs,
                resolved: linked.resolved,
                live: linked.live,
                layout: linked.layout,
                written: linked.written,
            },
            output,
            warnings: diag.warnings.clone(),
            messages: diag.messages.clone(),
            offset_sites: None,
            ids,
            files,
            retired: Vec::new(),
            config,
        })
    }

    /// Gives up the kept link, keeping what a full link may reuse.
    pub fn into_reusable(self) -> Reusable {
        let Kept {
            state, ids, files, ..
        } = self;
        let State { inputs, .. } = state;
        let objects = (inputs.files.into_iter()).map(|o| (o.key, o.obj)).collect();
        Reusable {
            objects,
            files: ids.into_iter().zip(files).collect(),
        }
    }

    /// The patched link: `opened` are the new files of the inputs (by position) that changed.
    /// `Ok(Err(reason))` when it does not apply; then nothing was changed.
    pub fn patch(
        &mut self,
        opened: Vec<(usize, Box<InputFile>)>,
        stats: &mut LinkStats,
    ) -> Result<Result<(), String>, Errors> {
        // Replaced files are kept while the symbol table may borrow from them; a full link
        // lets them go once they outweigh the inputs.
        let size = |files: &[Box<InputFile>]| files.iter().map(|f| f.bytes().len()).sum::<usize>();
        if size(&self.retired) > size(&self.files) {
            return Ok(Err(
                "replaced inputs kept for the symbol table outgrew the inputs".into(),
            ));
        }
        let mut plans = Vec::with_capacity(opened.len());
        for (at, file) in opened {
            // SAFETY: `file` is moved into `self.files` below, or dropped with `new` when the
            // plan fails, before this function returns.
            let bytes = unsafe { erase(file.bytes()) };
            let Some(fid) = self.plain_object(at) else {
                let name = self.config.inputs[at].path.display();
                return Ok(Err(format!("{name} is not an object loaded as a whole")));
            };
            let Ok(new) = load::parse_object(bytes, 0) else {
                return Ok(Err("a changed object does not parse".to_string()));
            };
            let old = &self.state.inputs.files[fid.idx()];
            // Position-independent code turns data relocations into code.
            let data = !self.config.dynamic();
            let changed = patch::changed_atoms(old.source.bytes(), &old.obj, bytes, &new, data);
            let changed = match changed {
                Ok(changed) => changed,
                Err(reason) => return Ok(Err(format!("{}: {reason}", old.name))),
            };
            // The object before its file: it borrows the file.
            plans.push((at, fid, new, file, changed));
        }
        if plans.is_empty() {
            return Ok(Ok(()));
        }
        let mut bodies = Vec::new();
        let mut segments = Vec::new();
        for (_, fid, new, _, changed) in &plans {
            bodies.extend(self.relocated(*fid, new, &changed.functions));
            match self.relocated_segments(*fid, new, &changed.segments) {
                Ok(relocated) => segments.extend(relocated),
                Err(reason) => return Ok(Err(reason)),
            }
        }
        stats.kind = LinkKind::Patched;
        stats.bodies_patched = bodies.len();
        stats.segments_patched = segments.len();
        for (at, fid, new, file, _) in plans {
            self.swap_object(at, fid, file, new);
        }
        self.write_bodies(bodies, stats);
        self.write_segments(segments, stats);
        Ok(Ok(()))
    }

    /// The changed segments of `new` (file `fid`), relocated with the kept layout, each with
    /// its output segment and its offset there; dead segments have none. Segments whose
    /// strings were merged cannot be patched.
    fn relocated_segments(
        &self,
        fid: FileId,
        new: &Object<'_>,
        changed: &[SegmentIndex],
    ) -> Result<Vec<(usize, u64, Vec<u8>)>, String> {
        let s = &self.state;
        let ctx = s.context(Vec::new());
        let mut out = Vec::with_capacity(changed.len());
        for &k in changed {
            let place = s.layout.segments.iter().enumerate().find_map(|(i, seg)| {
                let part = seg.parts.iter().find(|p| (p.0, p.1) == (fid, k.0))?;
                Some((i, part.2))
            });
            let live = s.live.segments[fid.idx()]
                .get(k.idx())
                .copied()
                .unwrap_or(false);
            let Some((i, offset)) = place else {
                if live {
                    return Err(format!(
                        "data segment {} was merged",
                        new.segments[k.idx()].name
                    ));
                }
                continue;
            };
            let seg = &new.segments[k.idx()];
            let mut bytes = vec![0; seg.data.len()];
            let site = Site {
                file: fid,
                tombstone: 0,
                va: s.layout.segments[i].va.wrapping_add(offset),
            };
            let base = (seg.data.offset - new.data_offset) as u64;
            let relocs = new.segment_relocs(k).iter().copied();
            ctx.apply(site, &mut bytes, seg.data.bytes, relocs, base);
            if !s.layout.segments[i].in_binary && bytes.iter().any(|&b| b != 0) {
                return Err(format!("data segment {} is no longer zero", seg.name));
            }
            out.push((i, offset, bytes));
        }
        Ok(out)
    }

    /// Puts relocated segments (output segment, offset there, bytes) into the output.
    fn write_segments(&mut self, segments: Vec<(usize, u64, Vec<u8>)>, stats: &mut LinkStats) {
        let Some(contents) = patch::data_contents(&self.state.written) else {
            return;
        };
        for (i, offset, bytes) in segments {
            let Some((_, start)) = self.state.written.segments[i] else {
                continue;
            };
            let at = contents + (start + offset) as usize;
            self.output[at..at + bytes.len()].copy_from_slice(&bytes);
            stats.bytes_rewritten += bytes.len() as u64;
        }
    }

    /// The file of input `at`, if it is an object loaded whole (not an archive, not lazy).
    fn plain_object(&self, at: usize) -> Option<FileId> {
        let key = load::parsed_key(self.files[at].bytes());
        let inputs = &self.state.inputs;
        let fid = (0..inputs.files.len()).find(|&f| inputs.files[f].key == key)?;
        let fid = FileId(fid as u32);
        let whole = inputs
            .items
            .iter()
            .any(|i| matches!(i, Item::Object(f) if *f == fid));
        whole.then_some(fid)
    }

    /// The changed bodies of `new` (file `fid`), relocated with the kept layout, by output
    /// function; dead functions have none.
    fn relocated(
        &self,
        fid: FileId,
        new: &Object<'_>,
        changed: &[DefinedFunc],
    ) -> Vec<(usize, Vec<u8>)> {
        let s = &self.state;
        let ctx = self.state.context(Vec::new());
        let outputs: Vec<Option<usize>> = output_functions(&s.layout, fid, new.functions.len());
        changed
            .iter()
            .filter_map(|&i| {
                let k = outputs[i.idx()]?;
                let func = &new.functions[i.idx()];
                let base = (func.body.offset - new.code_offset) as u64;
                let mut body = vec![0; func.body.len()];
                let relocs = new.function_relocs(i).iter().copied();
                let site = Site {
                    file: fid,
                    tombstone: 0,
                    va: 0,
                };
                ctx.apply(site, &mut body, func.body.bytes, relocs, base);
                Some((k, body))
            })
            .collect()
    }
}

impl State<'static> {
    /// What relocation reads, from the kept state; `code_offsets` per output function.
    fn context(&self, code_offsets: Vec<u64>) -> RelocContext<'_, 'static> {
        let s = self;
        RelocContext {
            _merged: std::marker::PhantomData,
            inputs: &s.inputs,
            res: &s.resolved,
            layout: &s.layout,
            live: &s.live,
            code_offsets,
            section_offsets: SectionPlaces::default(),
        }
    }
}

impl Kept {
    /// Makes `new` (in `file`) input `at`'s object, file `fid`.
    fn swap_object(&mut self, at: usize, fid: FileId, file: Box<InputFile>, new: Object<'static>) {
        let input = &mut self.state.inputs.files[fid.idx()];
        input.key = load::parsed_key(file.bytes());
        // SAFETY: `file` is moved into `self.files` right below and stays there (or in
        // `retired`) as long as `state`.
        input.source = unsafe { erase(&*file) };
        input.obj = new;
        let old = std::mem::replace(&mut self.files[at], file);
        self.retired.push(old);
    }

    /// Puts relocated bodies (by output function) into the output: in place when every one
    /// has its old size, else by rebuilding the code section and its code offsets.
    fn write_bodies(&mut self, bodies: Vec<(usize, Vec<u8>)>, stats: &mut LinkStats) {
        let code = patch::CodeSection::find(&self.state.written);
        let Some(code) = code else { return };
        let spans = &self.state.written.functions;
        let same_size = bodies.iter().all(|(k, b)| spans[*k].1 == b.len() as u64);
        if same_size {
            for (k, body) in &bodies {
                let at = code.contents + spans[*k].0 as usize;
                self.output[at..at + body.len()].copy_from_slice(body);
                stats.bytes_rewritten += body.len() as u64;
            }
            return;
        }
        if self.offset_sites.is_none() {
            let sites = patch::offset_sites(&self.state.inputs, &self.state.written, &self.output);
            self.offset_sites = Some(sites);
        }
        let (output, rewritten) = code.rebuild(&self.output, &mut self.state.written, bodies);
        self.output = output;
        stats.bytes_rewritten += rewritten;
        let offsets = patch::code_offsets(&self.output, &self.state.written);
        let ctx = self.state.context(offsets);
        let sites = self.offset_sites.as_deref().unwrap_or_default();
        let written = &self.state.written;
        stats.offsets_patched = patch::patch_offsets(&ctx, sites, written, &mut self.output);
    }
}

/// Per defined function of file `fid`: its output function, if it was kept.
fn output_functions(layout: &Layout<'_>, fid: FileId, count: usize) -> Vec<Option<usize>> {
    let mut out = vec![None; count];
    for (k, f) in layout.functions.iter().enumerate() {
        if let OutFunction::Input(file, i) = f {
            if *file == fid {
                out[i.idx()] = Some(k);
            }
        }
    }
    out
}
