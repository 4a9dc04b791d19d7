//! GC marking: from the roots (the entry, exported and NO_STRIP symbols, `__wasm_call_dtors`,
//! and the constructors and RETAIN segments of every live object) follow relocations and mark
//! every reachable symbol, function and segment live. An object becomes live when one of its
//! definitions does, which in turn makes its constructors live (lld's `MarkLive.cpp`).

use crate::config::Config;
use crate::ids::{FileId, SymbolId};
use crate::inputs::Inputs;
use crate::resolve::Resolved;
use crate::symbols::{Def, Synthetic};
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
    /// Per file: some definition of it is live (or it was on the command line).
    pub files: Vec<bool>,
    /// Whether `__wasm_call_ctors` has anything to call or is referenced.
    pub call_ctors: bool,
}

enum Chunk {
    Function(FileId, usize),
    Segment(FileId, usize),
}

struct Marker<'r, 'i, 'a> {
    inputs: &'i Inputs<'a>,
    res: &'r mut Resolved<'a>,
    live: Liveness,
    queue: Vec<Chunk>,
}

/// Marks everything reachable from the roots (everything, with `--no-gc-sections`).
pub fn mark<'a>(inputs: &Inputs<'a>, res: &mut Resolved<'a>, config: &Config) -> Liveness {
    let n = inputs.files.len();
    let all = !config.gc_sections;
    let live = Liveness {
        functions: inputs
            .files
            .iter()
            .map(|f| vec![all; f.obj.functions.len()])
            .collect(),
        segments: inputs
            .files
            .iter()
            .map(|f| vec![all; f.obj.segments.len()])
            .collect(),
        tags: inputs
            .files
            .iter()
            .map(|f| vec![all; f.obj.tags.len()])
            .collect(),
        files: (0..n).map(|i| !inputs.files[i].lazy).collect(),
        call_ctors: false,
    };
    let mut m = Marker {
        inputs,
        res,
        live,
        queue: Vec::new(),
    };
    if all {
        m.mark_everything();
    } else {
        m.mark_roots(config);
        m.drain();
    }
    m.finish_ctors();
    m.sync_symbols_with_chunks();
    m.live
}

impl<'a> Marker<'_, '_, 'a> {
    fn mark_roots(&mut self, config: &Config) {
        if let Some(e) = self.res.entry {
            self.enqueue(e);
        }
        for i in 0..self.res.table.symbols.len() {
            let id = SymbolId(i as u32);
            let sym = self.res.table.get(id);
            if sym.global && (sym.flags.no_strip() || self.is_exported(id, config)) {
                self.enqueue(id);
            }
        }
        if let Some(d) = self.res.call_dtors {
            self.enqueue(d);
        }
        for &f in &self.res.loaded.clone() {
            if self.live.files[f.idx()] {
                self.enqueue_file_roots(f);
            }
        }
    }

    fn is_exported(&self, id: SymbolId, config: &Config) -> bool {
        self.res.table.get(id).is_exported(config)
    }

    fn enqueue_file_roots(&mut self, f: FileId) {
        let obj = self.inputs.obj(f);
        for init in &obj.init_funcs {
            if let Some(&id) = self.res.file_syms[f.idx()].get(init.symbol as usize) {
                self.enqueue(id);
            }
        }
        for (i, seg) in obj.segments.iter().enumerate() {
            if seg.flags.0 & 4 != 0 && !self.res.discarded[f.idx()].segments[i] {
                self.mark_chunk(Chunk::Segment(f, i));
            }
        }
    }

    fn enqueue(&mut self, id: SymbolId) {
        let sym = self.res.table.get_mut(id);
        if sym.live {
            return;
        }
        sym.live = true;
        let Def::Defined { file, index } = sym.def else {
            return;
        };
        if !self.live.files[file.idx()] {
            self.live.files[file.idx()] = true;
            self.enqueue_file_roots(file);
        }
        let obj = self.inputs.obj(file);
        match obj.symbols[index as usize].kind {
            RawKind::Function { index } => {
                if let Some(i) = (index as usize).checked_sub(obj.func_imports.len()) {
                    self.mark_chunk(Chunk::Function(file, i));
                }
            }
            RawKind::Data { def: Some(def) } => {
                self.mark_chunk(Chunk::Segment(file, def.segment as usize))
            }
            RawKind::Tag { index } => {
                let i = (index as usize).checked_sub(obj.tag_imports.len());
                if let Some(slot) = i.and_then(|i| self.live.tags[file.idx()].get_mut(i)) {
                    *slot = true;
                }
            }
            _ => {}
        }
    }

    fn mark_chunk(&mut self, chunk: Chunk) {
        let slot = match chunk {
            Chunk::Function(f, i) => self.live.functions[f.idx()].get_mut(i),
            Chunk::Segment(f, i) => self.live.segments[f.idx()].get_mut(i),
        };
        if let Some(slot) = slot {
            if !*slot {
                *slot = true;
                self.queue.push(chunk);
            }
        }
    }

    fn drain(&mut self) {
        while let Some(chunk) = self.queue.pop() {
            let (f, relocs) = match chunk {
                Chunk::Function(f, i) => {
                    let obj = self.inputs.obj(f);
                    (f, &obj.code_relocs[obj.functions[i].relocs.clone()])
                }
                Chunk::Segment(f, i) => {
                    let obj = self.inputs.obj(f);
                    (f, &obj.data_relocs[obj.segments[i].relocs.clone()])
                }
            };
            for r in relocs {
                if r.ty == RelocType::TypeIndexLeb {
                    continue;
                }
                let Some(&id) = self.res.file_syms[f.idx()].get(r.index as usize) else {
                    continue;
                };
                // Taking a weak stub's address gives null; only a call needs its body.
                let stub = self.res.table.get(id).is_stub();
                if stub && is_table_index(r.ty) {
                    continue;
                }
                self.enqueue(id);
            }
        }
    }

    fn mark_everything(&mut self) {
        for sym in &mut self.res.table.symbols {
            sym.live = true;
        }
        for &f in &self.res.loaded {
            self.live.files[f.idx()] = true;
        }
    }

    /// A defined symbol is live when its chunk is (lld's `Symbol::isLive`), so an alias of a
    /// live function is live too.
    fn sync_symbols_with_chunks(&mut self) {
        for sym in &mut self.res.table.symbols {
            let Def::Defined { file, index } = sym.def else {
                continue;
            };
            let obj = self.inputs.obj(file);
            let chunk_live = match obj.symbols[index as usize].kind {
                RawKind::Function { index } => (index as usize)
                    .checked_sub(obj.func_imports.len())
                    .and_then(|i| self.live.functions[file.idx()].get(i).copied()),
                RawKind::Data { def: Some(def) } => self.live.segments[file.idx()]
                    .get(def.segment as usize)
                    .copied(),
                RawKind::Tag { index } => (index as usize)
                    .checked_sub(obj.tag_imports.len())
                    .and_then(|i| self.live.tags[file.idx()].get(i).copied()),
                _ => None,
            };
            if let Some(chunk_live) = chunk_live {
                sym.live = chunk_live;
            }
        }
    }

    /// `__wasm_call_ctors` is live when referenced, or when some live object has a constructor.
    fn finish_ctors(&mut self) {
        let Some(id) = self.res.table.find("__wasm_call_ctors") else {
            return;
        };
        let has_ctors = self
            .res
            .loaded
            .iter()
            .any(|f| self.live.files[f.idx()] && !self.inputs.obj(*f).init_funcs.is_empty());
        let sym = self.res.table.get_mut(id);
        if has_ctors {
            sym.live = true;
        }
        self.live.call_ctors = sym.live && sym.def == Def::Synthetic(Synthetic::CallCtors);
    }
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
