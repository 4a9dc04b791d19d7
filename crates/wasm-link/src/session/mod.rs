//! A link session: the same program linked again and again as its inputs change, each link
//! reusing what the previous one did. This is the half of Zig's wasm linker that wasm-ld lacks:
//! a compiler keeps its own code as an in-memory object ([`ObjectModel`]), updates it function
//! by function, and relinks without writing object files or starting a process.
//!
//! A [`Linker`] takes file inputs (objects, archives, as on the command line) and in-memory
//! objects, in order, and the [`Config`] the command line would build. [`Linker::link`] links
//! them; after [`Linker::replace`], [`Linker::remove`], or files that changed on disk (checked
//! by length and modification time, or told with [`Linker::changed`]) the next link reuses the
//! previous one's work:
//!
//! - **patched**: when only function bodies and data bytes changed, and each changed atom
//!   refers to the same symbols, through the same relocation types, in the same order (and a
//!   data segment keeps its size), nothing that resolution, GC or layout computed can differ. The new bodies are relocated with the kept layout into
//!   the kept output: in place when they have their old sizes; otherwise the code section is
//!   rebuilt from the kept relocated bytes and the code offsets that debug sections hold are
//!   patched. Nothing is read or parsed but the changed objects.
//! - **relinked**: otherwise (a changed symbol set, data, imports...) every phase after loading
//!   runs again, but unchanged inputs are neither read nor parsed again.
//!
//! Either way the output is the same bytes as a cold link of the same inputs; `tests/tests/
//! session.rs` checks that after every edit of a randomized sequence. [`LinkStats`] says which
//! path a link took and why.

mod kept;
mod patch;

use crate::config::{Config, Input};
use crate::diagnostic::{Code, Diagnostic, Errors};
use crate::Diagnostics;
use kept::Kept;
use std::fmt;
use std::path::PathBuf;
use std::time::{Duration, Instant, SystemTime};
use wasm_object::input::{FileKind, InputFile};
use wasm_object::model::ObjectModel;

/// An input of a session, as [`Linker::add_file`] and [`Linker::add_object`] gave it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct InputId(u32);

/// Where an input's bytes come from.
enum Source {
    /// A file, with its command-line flags.
    File(Input),
    /// An object built in memory; `name` is what messages call it.
    Memory {
        name: String,
        model: Box<ObjectModel<'static>>,
    },
}

/// One input of the session, in link order.
struct Entry {
    id: InputId,
    source: Source,
    /// Replaced, or said to have changed, since the last link.
    changed: bool,
    /// A file's length and modification time when it was last read.
    stamp: Option<Stamp>,
}

/// What tells that a file changed on disk.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Stamp {
    len: u64,
    modified: Option<SystemTime>,
}

impl Stamp {
    fn of(path: &std::path::Path) -> Option<Stamp> {
        let meta = std::fs::metadata(path).ok()?;
        Some(Stamp {
            len: meta.len(),
            modified: meta.modified().ok(),
        })
    }
}

/// How a session link went about it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum LinkKind {
    /// Every phase ran on every input: the first link, or one after a failed link.
    #[default]
    Cold,
    /// Nothing changed since the last link: its output was kept.
    Unchanged,
    /// Only function bodies changed: they were relocated into the kept output.
    Patched,
    /// Every phase after loading ran again; unchanged inputs were not read or parsed again.
    Relinked,
}

/// What a session link reused, phase by phase.
#[derive(Clone, Debug, Default)]
pub struct LinkStats {
    /// The path the link took.
    pub kind: LinkKind,
    /// Why it could not take a cheaper one, if it could not.
    pub fallback: Option<String>,
    /// Objects (and archive members) parsed.
    pub parsed: usize,
    /// Objects (and archive members) reused from the previous link, not parsed again.
    pub reused: usize,
    /// Files read (or objects encoded from memory) for this link.
    pub files_read: usize,
    /// Function bodies relocated into the kept output (patched links).
    pub bodies_patched: usize,
    /// Data segments relocated into the kept output (patched links).
    pub segments_patched: usize,
    /// Code offsets patched in debug sections (patched links whose bodies changed size).
    pub offsets_patched: usize,
    /// Bytes of the output that were written anew (the rest was kept).
    pub bytes_rewritten: u64,
    /// Wall time of each phase that ran, in order.
    pub phases: Vec<(&'static str, Duration)>,
}

/// What a session link gives: the diagnostics of a link, and what it reused.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Errors, warnings and messages, as [`crate::link`] gives them.
    pub diagnostics: Diagnostics,
    /// What was reused.
    pub stats: LinkStats,
}

impl Outcome {
    /// Whether the link succeeded.
    pub fn succeeded(&self) -> bool {
        self.diagnostics.errors.is_empty()
    }
}

/// Wrong use of a session.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SessionError {
    /// No input of the session has this id (never added, or removed).
    UnknownInput(InputId),
    /// The input is a file, not an in-memory object.
    NotInMemory(InputId),
    /// `-l name` found nothing in the search directories.
    NoLibrary(String),
}

impl fmt::Display for SessionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SessionError::UnknownInput(id) => {
                write!(f, "input {} is not an input of this session", id.0)
            }
            SessionError::NotInMemory(id) => {
                write!(f, "input {} is a file, not an in-memory object", id.0)
            }
            SessionError::NoLibrary(name) => write!(f, "unable to find library -l{name}"),
        }
    }
}

impl std::error::Error for SessionError {}

/// A link session (see the [module docs](self)).
pub struct Linker {
    config: Config,
    entries: Vec<Entry>,
    next_id: u32,
    /// Inputs were added or removed since the last link.
    reordered: bool,
    kept: Option<Kept>,
    write_output: bool,
    pool: Option<rayon::ThreadPool>,
}

impl Linker {
    /// A session linking as `config` says; its inputs are the session's first file inputs.
    pub fn new(mut config: Config) -> Linker {
        let inputs = std::mem::take(&mut config.inputs);
        let mut linker = Linker {
            config,
            entries: Vec::new(),
            next_id: 0,
            reordered: true,
            kept: None,
            write_output: true,
            pool: None,
        };
        for input in inputs {
            linker.add_file(input);
        }
        linker
    }

    /// Whether [`link`](Self::link) writes the configured output file (it does by default);
    /// the module is in [`module`](Self::module) either way.
    pub fn write_output(&mut self, write: bool) {
        self.write_output = write;
    }

    /// Appends a file input (an object or an archive, as on the command line).
    pub fn add_file(&mut self, input: Input) -> InputId {
        self.push(Source::File(input))
    }

    /// Appends library `-l name`, searched in `search` as wasm-ld searches (`lib<name>.a`, or
    /// `lib<name>.so` first unless `is_static`; `:file` for a file name).
    pub fn add_library(
        &mut self,
        name: &str,
        search: &[PathBuf],
        is_static: bool,
    ) -> Result<InputId, SessionError> {
        let path = crate::config::find_library(name, search, is_static)
            .ok_or_else(|| SessionError::NoLibrary(name.to_string()))?;
        Ok(self.add_file(Input {
            path,
            whole_archive: false,
            lazy: false,
        }))
    }

    /// Appends an in-memory object; `name` is what messages and the name section call it.
    pub fn add_object(&mut self, name: impl Into<String>, model: ObjectModel<'static>) -> InputId {
        let name = name.into();
        let model = Box::new(model);
        self.push(Source::Memory { name, model })
    }

    fn push(&mut self, source: Source) -> InputId {
        let id = InputId(self.next_id);
        self.next_id += 1;
        self.entries.push(Entry {
            id,
            source,
            changed: true,
            stamp: None,
        });
        self.reordered = true;
        id
    }

    /// Replaces input `id` with in-memory object `model`, in the same place (a file input
    /// becomes an in-memory object of the same name).
    pub fn replace(
        &mut self,
        id: InputId,
        model: ObjectModel<'static>,
    ) -> Result<(), SessionError> {
        let entry = self.entry_mut(id)?;
        match &mut entry.source {
            Source::Memory { model: old, .. } => **old = model,
            Source::File(input) => {
                let name = input.path.display().to_string();
                let model = Box::new(model);
                entry.source = Source::Memory { name, model };
            }
        }
        entry.changed = true;
        Ok(())
    }

    /// The ids of the inputs, in link order.
    pub fn inputs(&self) -> Vec<InputId> {
        self.entries.iter().map(|e| e.id).collect()
    }

    /// Removes input `id`.
    pub fn remove(&mut self, id: InputId) -> Result<(), SessionError> {
        let at = self.position(id)?;
        self.entries.remove(at);
        self.reordered = true;
        Ok(())
    }

    /// Says that file input `id` changed on disk (changes are also noticed by length and
    /// modification time).
    pub fn changed(&mut self, id: InputId) -> Result<(), SessionError> {
        self.entry_mut(id)?.changed = true;
        Ok(())
    }

    /// The in-memory object `id`.
    pub fn object(&self, id: InputId) -> Result<&ObjectModel<'static>, SessionError> {
        let at = self.position(id)?;
        match &self.entries[at].source {
            Source::Memory { model, .. } => Ok(model),
            Source::File(_) => Err(SessionError::NotInMemory(id)),
        }
    }

    fn position(&self, id: InputId) -> Result<usize, SessionError> {
        (self.entries.iter().position(|e| e.id == id)).ok_or(SessionError::UnknownInput(id))
    }

    fn entry_mut(&mut self, id: InputId) -> Result<&mut Entry, SessionError> {
        let at = self.position(id)?;
        Ok(&mut self.entries[at])
    }

    /// The module of the last successful link.
    pub fn module(&self) -> Option<&[u8]> {
        self.kept.as_ref().map(|k| &k.output[..])
    }

    /// The configuration with the session's inputs, in order: what a cold link of the same
    /// inputs is given (in-memory objects appear under their names).
    pub fn config(&self) -> Config {
        let mut config = self.config.clone();
        config.inputs = self.entries.iter().map(Entry::input).collect();
        config
    }

    /// Links the inputs as they are now, reusing what the previous link did where that cannot
    /// change the result.
    pub fn link(&mut self) -> Outcome {
        let start = Instant::now();
        let mut outcome = Outcome::default();
        if self.pool.is_none() {
            match crate::thread_pool(&self.config) {
                Ok(pool) => self.pool = Some(pool),
                Err(e) => {
                    outcome.diagnostics.errors = e;
                    return outcome;
                }
            }
        }
        let pool = self.pool.take().expect("the pool was just made");
        let result = pool.install(|| self.link_now(&mut outcome, start));
        self.pool = Some(pool);
        if let Err(errors) = result {
            outcome.diagnostics.errors.extend(errors);
            // The kept state may no longer match the inputs: start afresh next time.
            self.kept = None;
            self.reordered = true;
        }
        outcome.stats.phases = std::mem::take(&mut outcome.diagnostics.phases);
        outcome
    }

    fn link_now(&mut self, outcome: &mut Outcome, start: Instant) -> Result<(), Errors> {
        self.notice_changes();
        let stats = &mut outcome.stats;
        let reason = match &self.kept {
            None => None,
            Some(_) if self.reordered => Some("inputs were added or removed".to_string()),
            Some(_) => match self.try_patch(stats, &mut outcome.diagnostics, start)? {
                Ok(()) => return self.finish(outcome, start),
                Err(reason) => Some(reason),
            },
        };
        stats.fallback = reason;
        self.relink(outcome, start)?;
        self.finish(outcome, start)
    }

    /// Marks file inputs whose length or modification time changed.
    fn notice_changes(&mut self) {
        for e in &mut self.entries {
            if let Source::File(input) = &e.source {
                let now = Stamp::of(&input.path);
                if e.stamp.is_none() || now != e.stamp {
                    e.changed = true;
                    e.stamp = now;
                }
            }
        }
    }

    /// The patched path; `Ok(Err(reason))` when it does not apply.
    fn try_patch(
        &mut self,
        stats: &mut LinkStats,
        diag: &mut Diagnostics,
        start: Instant,
    ) -> Result<Result<(), String>, Errors> {
        let kept = self.kept.as_mut().expect("checked by the caller");
        if let Some(option) = patch::blocking_option(&kept.config) {
            return Ok(Err(format!("{option} needs a full link")));
        }
        let changed: Vec<usize> = (0..self.entries.len())
            .filter(|&i| self.entries[i].changed)
            .collect();
        stats.kind = LinkKind::Unchanged;
        let mut opened = Vec::with_capacity(changed.len());
        for &i in &changed {
            opened.push((i, open_entry(&self.entries[i])?));
            stats.files_read += 1;
        }
        diag.lap("load", start);
        let patched = kept.patch(opened, stats)?;
        diag.lap("write", start);
        if patched.is_ok() {
            for &i in &changed {
                self.entries[i].changed = false;
            }
            diag.warnings = kept.warnings.clone();
        }
        Ok(patched)
    }

    /// Every phase after loading, with the unchanged inputs as the last link parsed them.
    fn relink(&mut self, outcome: &mut Outcome, start: Instant) -> Result<(), Errors> {
        let stats = &mut outcome.stats;
        stats.kind = match self.kept {
            Some(_) => LinkKind::Relinked,
            None => LinkKind::Cold,
        };
        let mut previous = self.kept.take().map(Kept::into_reusable);
        let mut files = Vec::with_capacity(self.entries.len());
        for e in &self.entries {
            let reused = match &mut previous {
                Some(p) if !e.changed => p.take_file(e.id),
                _ => None,
            };
            files.push(match reused {
                Some(f) => f,
                None => {
                    stats.files_read += 1;
                    open_entry(e)?
                }
            });
        }
        let config = self.config();
        let ids = self.entries.iter().map(|e| e.id).collect();
        let kept = Kept::link(
            config,
            ids,
            files,
            previous,
            &mut outcome.diagnostics,
            stats,
            start,
        )?;
        self.kept = Some(kept);
        for e in &mut self.entries {
            e.changed = false;
        }
        self.reordered = false;
        Ok(())
    }

    /// Writes the output file (unless told not to).
    fn finish(&mut self, outcome: &mut Outcome, start: Instant) -> Result<(), Errors> {
        let kept = self.kept.as_ref().expect("a link succeeded");
        outcome.diagnostics.messages = kept.messages.clone();
        if self.write_output {
            let path = &self.config.output;
            let error = |e: std::io::Error| crate::output_error(&self.config, &e);
            let mut out = crate::output_file::OutputFile::create(path).map_err(error)?;
            std::io::Write::write_all(&mut out, &kept.output).map_err(error)?;
            out.commit().map_err(error)?;
            outcome.diagnostics.lap("commit", start);
        }
        Ok(())
    }
}

impl Entry {
    /// The entry as a command-line input (an in-memory object by its name).
    fn input(&self) -> Input {
        match &self.source {
            Source::File(input) => input.clone(),
            Source::Memory { name, .. } => Input {
                path: PathBuf::from(name),
                whole_archive: false,
                lazy: false,
            },
        }
    }
}

/// The bytes of an entry: a file (an object read whole, so that later changes on disk cannot
/// reach what the session keeps; an archive mapped), or an in-memory object encoded as an
/// object file in memory.
fn open_entry(e: &Entry) -> Result<Box<InputFile>, Errors> {
    let error = |path: &std::path::Path, message: String| {
        vec![Diagnostic::error(Code::Input, message).in_file(path.display().to_string())]
    };
    match &e.source {
        Source::File(input) => {
            let path = &input.path;
            let file = InputFile::open(path)
                .map_err(|err| error(path, format!("cannot open {}: {err}", path.display())))?;
            Ok(Box::new(match file.kind() {
                FileKind::Wasm => InputFile::from_bytes(path, file.bytes().to_vec()),
                _ => file,
            }))
        }
        Source::Memory { name, model } => {
            let bytes = wasm_object::writer::write(model).map_err(|err| {
                error(
                    std::path::Path::new(name),
                    format!("{name}: cannot encode the object: {err}"),
                )
            })?;
            Ok(Box::new(InputFile::from_bytes(name, bytes)))
        }
    }
}
