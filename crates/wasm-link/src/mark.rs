//! GC marking: from the roots (the entry, exported and NO_STRIP symbols, `__wasm_call_dtors`,
//! and the constructors and RETAIN segments of every live object) follow relocations and mark
//! every reachable symbol, function and segment live. An object becomes live when one of its
//! definitions does, which in turn makes its constructors live (lld's `MarkLive.cpp`).

use crate::config::Config;
use crate::graph::{FileAtom, Graph};
use crate::ids::{FileId, SymbolId};
use crate::inputs::Inputs;
use crate::resolve::Resolved;
use crate::symbols::{Def, Synthetic};
use rayon::prelude::*;
use std::sync::atomic::{AtomicBool, Ordering::Relaxed};
use wasm_object::ids::{Atom, DefinedTable, DefinedTag, Definition};

/// What survived: symbols, atoms, tags, tables and objects.
pub struct Liveness {
    /// Per symbol of the table as GC found it.
    pub symbols: Vec<bool>,
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

impl Liveness {
    /// Whether symbol `id` is live. Symbols created after GC (stubs, `__start_`/`__stop_`)
    /// are, by construction: they exist because something live needs them.
    pub fn symbol(&self, id: SymbolId) -> bool {
        self.symbols.get(id.idx()).copied().unwrap_or(true)
    }
}

/// Atoms a marking task keeps on its stack before handing half of them to a new task; it also
/// hands half over after following `4 * SPLIT` atoms, so that a narrow graph, whose stack
/// stays short, is shared too. Measured on the bench's links (`mark`, medians of 11): the
/// synthetic link's wide graph takes 26 ms in rounds, 17 ms with splits at 256 atoms alone,
/// 19 ms with both; C++ `-g`'s narrow one 6.1, 8.8 and 6.1 ms.
const SPLIT: usize = 256;

/// What a symbol leads the marker to: its definition, as far as marking cares.
#[derive(Clone, Copy)]
enum Target {
    /// Not defined by an object.
    Nothing,
    /// A global or a section: only its file.
    File(FileId),
    /// A function or a segment.
    Atom(FileId, Atom),
    /// A tag.
    Tag(FileId, DefinedTag),
    /// A table.
    Table(FileId, DefinedTable),
}

impl Target {
    fn of(graph: Graph<'_, '_>, id: SymbolId) -> Target {
        match graph.definition(id) {
            None => Target::Nothing,
            Some((f, Definition::Tag(t))) => Target::Tag(f, t),
            Some((f, Definition::Table(t))) => Target::Table(f, t),
            Some((f, def)) => def.atom().map_or(Target::File(f), |a| Target::Atom(f, a)),
        }
    }

    fn file(self) -> Option<FileId> {
        match self {
            Target::Nothing => None,
            Target::File(f) | Target::Atom(f, _) | Target::Tag(f, _) | Target::Table(f, _) => {
                Some(f)
            }
        }
    }
}

/// Every symbol's [`Target`], read in table order: a pass the caches follow, where the walk
/// would reach each symbol's entry and its object's symbol record in scattered order.
fn targets(graph: Graph<'_, '_>) -> Vec<Target> {
    (0..graph.res.table.symbols.len())
        .into_par_iter()
        .map(|i| Target::of(graph, SymbolId(i as u32)))
        .collect()
}

/// The marking state, borrowed as atomics so that workers can mark in parallel: a flag goes
/// from false to true once, and whoever flips it follows what it leads to. Reachability does
/// not depend on the order, so neither does the result.
struct Marker<'r, 'a> {
    graph: Graph<'r, 'a>,
    targets: &'r [Target],
    symbols: Vec<AtomicBool>,
    functions: Vec<Vec<AtomicBool>>,
    segments: Vec<Vec<AtomicBool>>,
    tags: Vec<Vec<AtomicBool>>,
    tables: Vec<Vec<AtomicBool>>,
    files: Vec<AtomicBool>,
}

/// What wasm-ld marks live before GC starts (lld's `createSyntheticSymbols`).
fn live_from_start(s: &crate::symbols::Symbol<'_>) -> bool {
    match s.def {
        Def::Synthetic(Synthetic::StackPointer) => true,
        Def::Synthetic(Synthetic::PicImport) => s.name != "__stack_pointer",
        _ => false,
    }
}

/// Marks everything reachable from the roots (everything, with `--no-gc-sections`).
pub fn mark<'a>(inputs: &Inputs<'a>, res: &Resolved<'a>, config: &Config) -> Liveness {
    let all = !config.gc_sections;
    let flags = |n: usize| (0..n).map(|_| AtomicBool::new(all)).collect::<Vec<_>>();
    let graph = Graph { inputs, res };
    let targets = targets(graph);
    let m = Marker {
        graph,
        targets: &targets,
        symbols: res
            .table
            .symbols
            .iter()
            // wasm-ld marks the stack pointer live from the start, used or not, and in a PIC
            // output the imported bases the data and table are placed at.
            .map(|s| AtomicBool::new(live_from_start(s)))
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
        symbols,
        functions: unwrap(m.functions),
        segments: unwrap(m.segments),
        tags: unwrap(m.tags),
        tables: unwrap(m.tables),
        files: m.files.into_iter().map(AtomicBool::into_inner).collect(),
        call_ctors: false,
    };
    finish_ctors(inputs, res, &mut live);
    sync_symbols_with_chunks(&targets, &mut live);
    live
}

impl<'a> Marker<'_, 'a> {
    /// Marks the roots; gives the atoms they made live.
    fn mark_roots(&self, config: &Config) -> Vec<FileAtom> {
        let mut out = Vec::new();
        for (id, _) in self.graph.roots(config) {
            self.enqueue(id, &mut out);
        }
        for &f in &self.graph.res.loaded {
            if self.files[f.idx()].load(Relaxed) {
                self.enqueue_file_roots(f, &mut out);
            }
        }
        out
    }

    fn enqueue_file_roots(&self, f: FileId, out: &mut Vec<FileAtom>) {
        for id in self.graph.constructors(f) {
            self.enqueue(id, out);
        }
        for atom in self.graph.retained(f) {
            self.mark_atom((f, atom), out);
        }
    }

    fn enqueue(&self, id: SymbolId, out: &mut Vec<FileAtom>) {
        // Most references are to symbols already live: read before writing.
        let flag = &self.symbols[id.idx()];
        if flag.load(Relaxed) || flag.swap(true, Relaxed) {
            return;
        }
        let target = self.targets[id.idx()];
        let Some(file) = target.file() else {
            return;
        };
        if !self.files[file.idx()].swap(true, Relaxed) {
            self.enqueue_file_roots(file, out);
        }
        match target {
            Target::Tag(f, t) => self.tags[f.idx()][t.idx()].store(true, Relaxed),
            Target::Table(f, t) => self.tables[f.idx()][t.idx()].store(true, Relaxed),
            Target::Atom(f, atom) => self.mark_atom((f, atom), out),
            Target::Nothing | Target::File(_) => {}
        }
    }

    fn mark_atom(&self, (f, atom): FileAtom, out: &mut Vec<FileAtom>) {
        let slot = match atom {
            Atom::Function(i) => self.functions[f.idx()].get(i.idx()),
            Atom::Segment(i) => self.segments[f.idx()].get(i.idx()),
        };
        if slot.is_some_and(|s| !s.load(Relaxed) && !s.swap(true, Relaxed)) {
            out.push((f, atom));
        }
    }

    /// Follows the relocations of newly live atoms until nothing new is reached: each task goes
    /// depth-first and now and then hands half of its stack to a new task ([`SPLIT`]), which an
    /// idle thread steals. No round waits for its slowest task, as rounds of tasks did.
    fn drain(&self, frontier: Vec<FileAtom>) {
        rayon::scope(|scope| {
            for atoms in frontier.chunks(SPLIT) {
                let stack = atoms.to_vec();
                scope.spawn(move |scope| self.follow(stack, scope));
            }
        });
    }

    /// Marks what `stack` leads to, depth-first.
    fn follow<'s>(&'s self, mut stack: Vec<FileAtom>, scope: &rayon::Scope<'s>) {
        let mut since_split = 0;
        while let Some(atom) = stack.pop() {
            for id in self.graph.edges(atom) {
                self.enqueue(id, &mut stack);
            }
            since_split += 1;
            if stack.len() > SPLIT || (since_split >= 4 * SPLIT && stack.len() >= 2) {
                let half = stack.split_off(stack.len() / 2);
                scope.spawn(move |scope| self.follow(half, scope));
                since_split = 0;
            }
        }
    }

    fn mark_everything(&self) {
        for s in &self.symbols {
            s.store(true, Relaxed);
        }
        for &f in &self.graph.res.loaded {
            self.files[f.idx()].store(true, Relaxed);
        }
    }
}

/// A defined symbol is live when its atom (or tag, or table) is (lld's `Symbol::isLive`), so
/// an alias of a live function is live too.
fn sync_symbols_with_chunks(targets: &[Target], live: &mut Liveness) {
    let synced: Vec<Option<bool>> = targets
        .par_iter()
        .map(|target| match *target {
            Target::Atom(f, Atom::Function(i)) => live.functions[f.idx()].get(i.idx()).copied(),
            Target::Atom(f, Atom::Segment(i)) => live.segments[f.idx()].get(i.idx()).copied(),
            Target::Tag(f, i) => live.tags[f.idx()].get(i.idx()).copied(),
            Target::Table(f, i) => live.tables[f.idx()].get(i.idx()).copied(),
            Target::File(_) | Target::Nothing => None,
        })
        .collect();
    live.symbols
        .par_iter_mut()
        .zip(synced)
        .for_each(|(l, synced)| *l = synced.unwrap_or(*l));
}

/// `__wasm_call_ctors` is live when referenced, or when some live object has a constructor.
fn finish_ctors(inputs: &Inputs<'_>, res: &Resolved<'_>, live: &mut Liveness) {
    let Some(id) = res.table.find("__wasm_call_ctors") else {
        return;
    };
    let has_ctors = res
        .loaded
        .iter()
        .any(|f| live.files[f.idx()] && !inputs.obj(*f).init_funcs.is_empty());
    if has_ctors {
        live.symbols[id.idx()] = true;
    }
    let sym = res.table.get(id);
    live.call_ctors = live.symbols[id.idx()] && sym.def == Def::Synthetic(Synthetic::CallCtors);
}
