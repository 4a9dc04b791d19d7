//! The global names of the symbol table: name → symbol, four bytes an entry.
//!
//! An entry is only the symbol's id; its name is the symbol's own `name`, compared on a hit.
//! A map keyed by `&str` would take 24 bytes an entry, and on big links (a quarter of a
//! million names) the difference is 8 MB of the peak memory, every page of it a page fault.
//! The resolver reads the symbol behind every hit anyway, so the comparison costs no extra
//! cache miss. The few names `--wrap` points at another symbol are kept apart.

use crate::ids::SymbolId;
use crate::symbols::Symbol;
use hashbrown::HashTable;
use rustc_hash::FxHashMap as HashMap;
use std::hash::BuildHasher;

/// Global names, each to its symbol.
#[derive(Default)]
pub struct NameMap<'a> {
    /// Symbols, found by the hash of their own name.
    own: HashTable<SymbolId>,
    /// Names that lead to a symbol of another name (`--wrap`); they take precedence.
    redirected: HashMap<&'a str, SymbolId>,
}

fn hash(name: &str) -> u64 {
    rustc_hash::FxBuildHasher.hash_one(name)
}

impl<'a> NameMap<'a> {
    /// A map with room for `names` names.
    pub fn with_capacity(names: usize) -> Self {
        NameMap {
            own: HashTable::with_capacity(names),
            redirected: HashMap::default(),
        }
    }

    /// The symbol `name` leads to.
    #[inline]
    pub fn get(&self, name: &str, symbols: &[Symbol<'a>]) -> Option<SymbolId> {
        if !self.redirected.is_empty() {
            if let Some(&id) = self.redirected.get(name) {
                return Some(id);
            }
        }
        let own = |id: &SymbolId| symbols[id.idx()].name == name;
        self.own.find(hash(name), own).copied()
    }

    /// Adds symbol `id`, under its own name, which must not be in the map yet.
    pub fn insert(&mut self, id: SymbolId, symbols: &[Symbol<'a>]) {
        let name = symbols[id.idx()].name;
        let rehash = |id: &SymbolId| hash(symbols[id.idx()].name);
        self.own.insert_unique(hash(name), id, rehash);
    }

    /// Makes `name` lead to symbol `id`, whatever its name (`--wrap`).
    pub fn redirect(&mut self, name: &'a str, id: SymbolId) {
        self.redirected.insert(name, id);
    }
}
