//! GC marking: from the roots (the entry, exported and NO_STRIP symbols, `__wasm_call_dtors`,
//! and the constructors and RETAIN segments of every live object) follow relocations and mark
//! every reachable symbol, function and segment live. An object becomes live when one of its
//! definitions does, which in turn makes its constructors live (lld's `MarkLive.cpp`).

use crate::config::Config;
use crate::ids::{FileId, SymbolId};
use crate::inputs::Inputs;
use crate::resolve::Resolved;
use crate::symbols::{Def, Synthetic};
use rayon::prelude::*;
use std::sync::atomic::{AtomicBool, Ordering::Relaxed};
use wasm_format::linking::SymbolKind as RawKind;
use wasm_format::reloc::RelocType;

/// Which chunks survived.
pub struct Liveness {
    /// Per file, per defined function.
    pub functions: Vec<Vec<bool>>,
    /// Per file, per data segment.
    pub segments: Vec<Vec<bool>>,
    /// Per file, per defined tag (tags have no relocations: a tag is live when a live
    /// symbol names it, or always with `--no-gc-sections`).
    pub tags: Vec<Vec<bool>>,
    /// Per file, per defined table (like tags: live when a live symbol names it).
    pub tables: Vec<Vec<bool>>,
    /// Per file: some definition of it is live (or it was on the command line).
    pub files: Vec<bool>,
    /// Whether `__wasm_call_ctors` has anything to call or is referenced.
    pub call_ctors: bool,
}

#[derive(Clone, Copy)]
enum Chunk {
    Function(FileId, usize),
    Segment(FileId, usize),
}

/// Chunks one task follows depth-first before handing the rest back to the next round.
const BUDGET: usize = 4096;

/// The marking state, borrowed as atomics so that workers can mark in parallel: a flag goes
/// from false to true once, and whoever flips it follows what it leads to. Reachability does
/// not depend on the order, so neither does the result.
struct Marker<'r, 'i, 'a> {
    inputs: &'i Inputs<'a>,
    res: &'r Resolved<'a>,
    symbols: Vec<AtomicBool>,
    functions: Vec<Vec<AtomicBool>>,
    segments: Vec<Vec<AtomicBool>>,
    tags: Vec<Vec<AtomicBool>>,
    tables: Vec<Vec<AtomicBool>>,
    files: Vec<AtomicBool>,
}

/// Marks everything reachable from the roots (everything, with `--no-gc-sections`).
pub fn mark<'a>(inputs: &Inputs<'a>, res: &mut Resolved<'a>, config: &Config) -> Liveness {
    let all = !config.gc_sections;
    let flags = |n: usize| (0..n).map(|_| AtomicBool::new(all)).collect::<Vec<_>>();
    let m = Marker {
        inputs,
        res,
        symbols: res
            .table
            .symbols
            .iter()
            .map(|s| AtomicBool::new(s.live))
            .collect(),
        functions: inputs
            .files
            .iter()
            .map(|f| flags(f.obj.functions.len()))
            .collect(),
        segments: inputs
            .files
            .iter()
            .map(|f| flags(f.obj.segments.len()))
            .collect(),
        tags: inputs
            .files
            .iter()
            .map(|f| flags(f.obj.tags.len()))
            .collect(),
        tables: inputs
            .files
            .iter()
            .map(|f| flags(f.obj.tables.len()))
            .collect(),
        files: inputs
            .files
            .iter()
            .map(|f| AtomicBool::new(!f.lazy))
            .collect(),
    };
    if all {
        m.mark_everything();
    } else {
        let roots = m.mark_roots(config);
        m.drain(roots);
    }
    let symbols: Vec<bool> = m.symbols.into_iter().map(AtomicBool::into_inner).collect();
    let unwrap = |v: Vec<Vec<AtomicBool>>| -> Vec<Vec<bool>> {
        v.into_iter()
            .map(|f| f.into_iter().map(AtomicBool::into_inner).collect())
            .collect()
    };
    let mut live = Liveness {
        functions: unwrap(m.functions),
        segments: unwrap(m.segments),
        tags: unwrap(m.tags),
        tables: unwrap(m.tables),
        files: m.files.into_iter().map(AtomicBool::into_inner).collect(),
        call_ctors: false,
    };
    res.table
        .symbols
        .par_iter_mut()
        .zip(symbols)
        .for_each(|(sym, l)| sym.live = l);
    finish_ctors(inputs, res, &mut live);
    sync_symbols_with_chunks(inputs, res, &live);
    live
}

impl<'a> Marker<'_, '_, 'a> {
    /// Marks the roots; gives the chunks they made live.
    fn mark_roots(&self, config: &Config) -> Vec<Chunk> {
        let mut out = Vec::new();
        if let Some(e) = self.res.entry {
            self.enqueue(e, &mut out);
        }
        let roots: Vec<SymbolId> = (0..self.res.table.symbols.len())
            .into_par_iter()
            .map(|i| SymbolId(i as u32))
            .filter(|&id| {
                let sym = self.res.table.get(id);
                sym.global && (sym.flags.no_strip() || sym.is_exported(config))
            })
            .collect();
        for id in roots {
            self.enqueue(id, &mut out);
        }
        if let Some(d) = self.res.call_dtors {
            self.enqueue(d, &mut out);
        }
        for &f in &self.res.loaded {
            if self.files[f.idx()].load(Relaxed) {
                self.enqueue_file_roots(f, &mut out);
            }
        }
        out
    }

    fn enqueue_file_roots(&self, f: FileId, out: &mut Vec<Chunk>) {
        let obj = self.inputs.obj(f);
        for init in &obj.init_funcs {
            if let Some(&id) = self.res.file_syms[f.idx()].get(init.symbol as usize) {
                self.enqueue(id, out);
            }
        }
        for (i, seg) in obj.segments.iter().enumerate() {
            if seg.flags.is_retain() && !self.res.discarded[f.idx()].segments[i] {
                self.mark_chunk(Chunk::Segment(f, i), out);
            }
        }
    }

    fn enqueue(&self, id: SymbolId, out: &mut Vec<Chunk>) {
        // Most references are to symbols already live: read before writing.
        let flag = &self.symbols[id.idx()];
        if flag.load(Relaxed) || flag.swap(true, Relaxed) {
            return;
        }
        let Def::Defined { file, index } = self.res.table.get(id).def else {
            return;
        };
        if !self.files[file.idx()].swap(true, Relaxed) {
            self.enqueue_file_roots(file, out);
        }
        let obj = self.inputs.obj(file);
        match obj.symbols[index as usize].kind {
            RawKind::Function { index } => {
                if let Some(i) = (index as usize).checked_sub(obj.func_imports.len()) {
                    self.mark_chunk(Chunk::Function(file, i), out);
                }
            }
            RawKind::Data { def: Some(def) } => {
                self.mark_chunk(Chunk::Segment(file, def.segment as usize), out)
            }
            RawKind::Tag { index } => {
                let i = (index as usize).checked_sub(obj.tag_imports.len());
                if let Some(slot) = i.and_then(|i| self.tags[file.idx()].get(i)) {
                    slot.store(true, Relaxed);
                }
            }
            RawKind::Table { index } => {
                let i = (index as usize).checked_sub(obj.table_imports.len());
                if let Some(slot) = i.and_then(|i| self.tables[file.idx()].get(i)) {
                    slot.store(true, Relaxed);
                }
            }
            _ => {}
        }
    }

    fn mark_chunk(&self, chunk: Chunk, out: &mut Vec<Chunk>) {
        let slot = match chunk {
            Chunk::Function(f, i) => self.functions[f.idx()].get(i),
            Chunk::Segment(f, i) => self.segments[f.idx()].get(i),
        };
        if slot.is_some_and(|s| !s.load(Relaxed) && !s.swap(true, Relaxed)) {
            out.push(chunk);
        }
    }

    /// Follows the relocations of newly live chunks until nothing new is reached: rounds of
    /// parallel tasks, each going depth-first for a while and handing back what is left.
    fn drain(&self, mut frontier: Vec<Chunk>) {
        while !frontier.is_empty() {
            let per_task = frontier.len().div_ceil(rayon::current_num_threads() * 4);
            frontier = frontier
                .par_chunks(per_task.max(1))
                .flat_map_iter(|chunks| {
                    let mut stack = chunks.to_vec();
                    let mut left = Vec::new();
                    let mut budget = BUDGET;
                    while let Some(c) = stack.pop() {
                        if budget == 0 {
                            left.push(c);
                            continue;
                        }
                        budget -= 1;
                        self.follow(c, &mut stack);
                    }
                    left
                })
                .collect();
        }
    }

    /// Marks what the relocations of `chunk` point at.
    fn follow(&self, chunk: Chunk, out: &mut Vec<Chunk>) {
        let obj = |f: FileId| self.inputs.obj(f);
        let (f, relocs) = match chunk {
            Chunk::Function(f, i) => (f, &obj(f).code_relocs[obj(f).functions[i].relocs.clone()]),
            Chunk::Segment(f, i) => (f, &obj(f).data_relocs[obj(f).segments[i].relocs.clone()]),
        };
        for r in relocs {
            if r.ty == RelocType::TypeIndexLeb {
                continue;
            }
            let Some(&id) = self.res.file_syms[f.idx()].get(r.index as usize) else {
                continue;
            };
            // Taking a weak stub's address gives null; only a call needs its body.
            if is_table_index(r.ty) && self.res.table.get(id).is_stub() {
                continue;
            }
            self.enqueue(id, out);
        }
    }

    fn mark_everything(&self) {
        for s in &self.symbols {
            s.store(true, Relaxed);
        }
        for &f in &self.res.loaded {
            self.files[f.idx()].store(true, Relaxed);
        }
    }
}

/// A defined symbol is live when its chunk is (lld's `Symbol::isLive`), so an alias of a live
/// function is live too.
fn sync_symbols_with_chunks(inputs: &Inputs<'_>, res: &mut Resolved<'_>, live: &Liveness) {
    res.table.symbols.par_iter_mut().for_each(|sym| {
        let Def::Defined { file, index } = sym.def else {
            return;
        };
        let obj = inputs.obj(file);
        let chunk_live = match obj.symbols[index as usize].kind {
            RawKind::Function { index } => (index as usize)
                .checked_sub(obj.func_imports.len())
                .and_then(|i| live.functions[file.idx()].get(i).copied()),
            RawKind::Data { def: Some(def) } => {
                live.segments[file.idx()].get(def.segment as usize).copied()
            }
            RawKind::Tag { index } => (index as usize)
                .checked_sub(obj.tag_imports.len())
                .and_then(|i| live.tags[file.idx()].get(i).copied()),
            RawKind::Table { index } => (index as usize)
                .checked_sub(obj.table_imports.len())
                .and_then(|i| live.tables[file.idx()].get(i).copied()),
            _ => None,
        };
        if let Some(chunk_live) = chunk_live {
            sym.live = chunk_live;
        }
    });
}

/// `__wasm_call_ctors` is live when referenced, or when some live object has a constructor.
fn finish_ctors(inputs: &Inputs<'_>, res: &mut Resolved<'_>, live: &mut Liveness) {
    let Some(id) = res.table.find("__wasm_call_ctors") else {
        return;
    };
    let has_ctors = res
        .loaded
        .iter()
        .any(|f| live.files[f.idx()] && !inputs.obj(*f).init_funcs.is_empty());
    let sym = res.table.get_mut(id);
    if has_ctors {
        sym.live = true;
    }
    live.call_ctors = sym.live && sym.def == Def::Synthetic(Synthetic::CallCtors);
}

fn is_table_index(ty: RelocType) -> bool {
    matches!(
        ty,
        RelocType::TableIndexSleb
            | RelocType::TableIndexSleb64
            | RelocType::TableIndexI32
            | RelocType::TableIndexI64
    )
}
