//! `--why-live=<glob>` (ours; ELF lld has it, wasm-ld does not): for each symbol whose name
//! matches, the chain of references from a GC root that keeps it in the output, or why it is
//! not there. The answer to "why is all of `fmt` in my binary?".

use crate::config::Config;
use crate::graph::{FileAtom, Graph, Root};
use crate::ids::{FileId, SymbolId};
use crate::inputs::Inputs;
use crate::mark::Liveness;
use crate::resolve::Resolved;
use crate::symbols::Def;
use crate::undefined::function_name;
use std::collections::{HashMap, VecDeque};
use wasm_object::ids::Atom;

/// Matches shown per pattern.
const MATCH_LIMIT: usize = 50;
/// Links followed per chain (a chain never revisits a symbol, so this only bounds the output).
const CHAIN_LIMIT: usize = 200;

/// What first reached a symbol in a breadth-first walk from the roots, so chains are shortest.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Cause {
    /// A root of the GC graph.
    Root(Root),
    /// A constructor of this object, which is live.
    Constructor(FileId),
    /// A relocation in this atom names it.
    Reference(FileAtom),
}

/// The walk's record: each reached symbol's cause, each atom's first symbol (`None` for a
/// RETAIN segment), and the symbol that first reached each object.
#[derive(Default)]
struct Causes {
    symbols: HashMap<SymbolId, Cause>,
    chunks: HashMap<FileAtom, Option<SymbolId>>,
    files: HashMap<FileId, SymbolId>,
}

/// Walks the GC graph breadth-first from its roots, recording first causes.
struct Walk<'w, 'a> {
    graph: Graph<'w, 'a>,
    causes: Causes,
    file_live: Vec<bool>,
    queue: VecDeque<FileAtom>,
}

impl<'w, 'a> Walk<'w, 'a> {
    fn run(inputs: &'w Inputs<'a>, res: &'w Resolved<'a>, config: &Config) -> Causes {
        let graph = Graph { inputs, res };
        let file_live = inputs.files.iter().map(|f| !f.lazy).collect();
        let mut w = Walk {
            graph,
            causes: Causes::default(),
            file_live,
            queue: VecDeque::new(),
        };
        for (id, root) in graph.roots(config) {
            w.reach(id, Cause::Root(root));
        }
        for &f in &res.loaded {
            if w.file_live[f.idx()] {
                w.file_roots(f);
            }
        }
        while let Some(atom) = w.queue.pop_front() {
            for id in graph.edges(atom) {
                w.reach(id, Cause::Reference(atom));
            }
        }
        w.causes
    }

    fn file_roots(&mut self, f: FileId) {
        for id in self.graph.constructors(f) {
            self.reach(id, Cause::Constructor(f));
        }
        for atom in self.graph.retained(f) {
            self.reach_atom((f, atom), None);
        }
    }

    fn reach(&mut self, id: SymbolId, cause: Cause) {
        if self.causes.symbols.contains_key(&id) {
            return;
        }
        self.causes.symbols.insert(id, cause);
        let Def::Defined { file, .. } = self.graph.res.table.get(id).def else {
            return;
        };
        if !self.file_live[file.idx()] {
            self.file_live[file.idx()] = true;
            self.causes.files.insert(file, id);
            self.file_roots(file);
        }
        if let Some(atom) = self.graph.symbol_atom(id) {
            self.reach_atom(atom, Some(id));
        }
    }

    fn reach_atom(&mut self, atom: FileAtom, by: Option<SymbolId>) {
        if let std::collections::hash_map::Entry::Vacant(e) = self.causes.chunks.entry(atom) {
            e.insert(by);
            self.queue.push_back(atom);
        }
    }
}

/// One explanation per symbol matching each pattern, as printable lines.
pub fn explain(
    inputs: &Inputs<'_>,
    res: &Resolved<'_>,
    live: &Liveness,
    config: &Config,
) -> Vec<String> {
    let patterns = &config.why_live;
    if patterns.is_empty() {
        return Vec::new();
    }
    let causes = &Walk::run(inputs, res, config);
    let mut out = Vec::new();
    for pattern in patterns {
        let matches: Vec<SymbolId> = (0..res.table.symbols.len())
            .map(|i| SymbolId(i as u32))
            .filter(|&id| glob(pattern, res.table.get(id).name))
            .collect();
        if matches.is_empty() {
            out.push(format!("why-live: no symbol matches {pattern}"));
        }
        for &id in matches.iter().take(MATCH_LIMIT) {
            out.push(explain_one(inputs, res, live, causes, id));
        }
        if matches.len() > MATCH_LIMIT {
            let more = matches.len() - MATCH_LIMIT;
            out.push(format!("why-live: {more} more symbols match {pattern}"));
        }
    }
    out
}

/// The chain for one symbol, or why it is absent.
fn explain_one(
    inputs: &Inputs<'_>,
    res: &Resolved<'_>,
    live: &Liveness,
    causes: &Causes,
    id: SymbolId,
) -> String {
    let sym = res.table.get(id);
    let mut text = format!("why-live: {}", describe(inputs, res, id));
    let graph = Graph { inputs, res };
    let kept = live.symbol(id) || graph.symbol_atom(id).is_some_and(|a| atom_live(live, a));
    if !kept {
        let why = match sym.def {
            Def::Defined { .. } => "not live: nothing reachable from a root uses it",
            Def::Lazy(_) => "not live: its archive member was never extracted",
            Def::Undefined { .. } => "not live: no input defines it",
            Def::Synthetic(_) => "not live: the linker did not need it",
        };
        text.push_str(&format!("\n  {why}"));
        return text;
    }
    let mut seen = vec![id];
    let mut current = id;
    for _ in 0..CHAIN_LIMIT {
        let (line, next) = step(inputs, res, causes, current);
        text.push_str(&format!("\n  {line}"));
        match next {
            Some(n) if !seen.contains(&n) => {
                seen.push(n);
                current = n;
            }
            _ => break,
        }
    }
    text
}

/// One link of the chain: what keeps `id`, and the symbol to explain next.
fn step(
    inputs: &Inputs<'_>,
    res: &Resolved<'_>,
    causes: &Causes,
    id: SymbolId,
) -> (String, Option<SymbolId>) {
    let name = res.table.get(id).name;
    match causes.symbols.get(&id).copied() {
        Some(Cause::Root(Root::Entry)) => (format!("{name} is the entry point"), None),
        Some(Cause::Root(Root::Export)) => (format!("{name} is exported"), None),
        Some(Cause::Root(Root::NoStrip)) => (format!("{name} is marked used (NO_STRIP)"), None),
        Some(Cause::Root(Root::PicCtors)) => (
            format!("{name} is called by the dynamic loader (PIC)"),
            None,
        ),
        Some(Cause::Root(Root::CallDtors)) => (
            format!("{name} runs the destructors after each command export"),
            None,
        ),
        Some(Cause::Constructor(f)) => (
            format!(
                "{name} is a constructor of {}, which is live",
                inputs.name(f)
            ),
            causes.files.get(&f).copied(),
        ),
        Some(Cause::Reference(atom)) => {
            let by = causes.chunks.get(&atom).copied().flatten();
            let line = format!("referenced by {}", atom_name(inputs, atom));
            match by {
                Some(_) => (line, by),
                None => (format!("{line}, a RETAIN segment of a live object"), None),
            }
        }
        // Live without a cause of its own: it shares its function or segment with a symbol
        // that has one (an alias).
        None => match (Graph { inputs, res }).symbol_atom(id) {
            Some(atom) => {
                let by = causes.chunks.get(&atom).copied().flatten();
                let alias = by.map_or("?", |b| res.table.get(b).name);
                (format!("{name} shares its definition with {alias}"), by)
            }
            None => (format!("{name} is defined by the linker"), None),
        },
    }
}

/// `name [file]`, or `name [linker]`.
fn describe(inputs: &Inputs<'_>, res: &Resolved<'_>, id: SymbolId) -> String {
    let sym = res.table.get(id);
    match sym.def {
        Def::Defined { file, .. } | Def::Lazy(file) => {
            format!("{} [{}]", sym.name, inputs.name(file))
        }
        Def::Synthetic(_) => format!("{} [linker]", sym.name),
        Def::Undefined { .. } => format!("{} [undefined]", sym.name),
    }
}

/// `function NAME [file]` or `data segment NAME [file]`.
fn atom_name(inputs: &Inputs<'_>, (f, atom): FileAtom) -> String {
    let what = match atom {
        Atom::Function(i) => function_name(inputs, f, i.idx()),
        Atom::Segment(i) => {
            let seg = inputs.obj(f).segments.get(i.idx()).map_or("?", |s| s.name);
            format!("data segment {seg}")
        }
    };
    format!("{what} [{}]", inputs.name(f))
}

/// Whether GC kept an atom.
fn atom_live(live: &Liveness, (f, atom): FileAtom) -> bool {
    let flag = match atom {
        Atom::Function(i) => live.functions[f.idx()].get(i.idx()),
        Atom::Segment(i) => live.segments[f.idx()].get(i.idx()),
    };
    flag.copied().unwrap_or(false)
}

/// Shell-style matching: `*` is any run, `?` any one character, everything else itself.
pub fn glob(pattern: &str, name: &str) -> bool {
    let (p, n): (Vec<char>, Vec<char>) = (pattern.chars().collect(), name.chars().collect());
    let (mut pi, mut ni) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ni < n.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == n[ni]) {
            pi += 1;
            ni += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ni));
            pi += 1;
        } else if let Some((sp, sn)) = star {
            pi = sp + 1;
            ni = sn + 1;
            star = Some((sp, sn + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

#[cfg(test)]
mod tests {
    use super::glob;

    #[test]
    fn globs_match_like_a_shell() {
        assert!(glob("puts", "puts"));
        assert!(!glob("puts", "fputs"));
        assert!(glob("*puts", "fputs"));
        assert!(glob("_ZN4core3fmt*", "_ZN4core3fmt5write17h"));
        assert!(glob("a?c", "abc"));
        assert!(!glob("a?c", "ac"));
        assert!(glob("*", ""));
        assert!(glob("a*b*c", "axxbyyc"));
        assert!(!glob("a*b*c", "axxbyy"));
    }
}
