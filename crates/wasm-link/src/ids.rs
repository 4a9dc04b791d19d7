//! Typed indices. Input and output index spaces are different types, so an object's function
//! index can never be written where an output index belongs.

use wasm_object::index_type;

index_type!(
    /// An input object (a file on the command line or an archive member).
    FileId, "file"
);
index_type!(
    /// A symbol of the global symbol table.
    SymbolId, "sym"
);
index_type!(
    /// An index in the output's function index space (imports first).
    OutFunc, "func"
);
index_type!(
    /// An index in the output's global index space (imports first).
    OutGlobal, "global"
);
index_type!(
    /// An index in the output's type section.
    OutType, "type"
);
index_type!(
    /// An index in the output's table index space (imports first).
    OutTable, "table"
);
index_type!(
    /// An index in the output's tag index space (imports first).
    OutTag, "tag"
);

/// Per symbol, an output index or none: four bytes a symbol (an `Option` takes eight), and
/// nothing at all until the first [`set`](Self::set), so a map no symbol needs (tags, in most
/// links) costs no memory.
#[derive(Clone, Debug)]
pub struct SymbolMap<T> {
    /// Each symbol's index plus one; 0 for none.
    slots: Vec<u32>,
    /// How many symbols there are.
    symbols: usize,
    _index: std::marker::PhantomData<T>,
}

impl<T: Copy + From<u32> + Into<u32>> SymbolMap<T> {
    /// A map for `symbols` symbols, all without an index.
    pub fn new(symbols: usize) -> Self {
        SymbolMap {
            slots: Vec::new(),
            symbols,
            _index: std::marker::PhantomData,
        }
    }

    /// The index of symbol `i`, if it has one.
    #[inline]
    pub fn at(&self, i: usize) -> Option<T> {
        match self.slots.get(i).copied().unwrap_or(0) {
            0 => None,
            v => Some(T::from(v - 1)),
        }
    }

    /// Gives symbol `i` an index (below `u32::MAX`, as every wasm index is), or takes it away.
    pub fn set(&mut self, i: usize, index: Option<T>) {
        if self.slots.len() <= i {
            self.slots.resize(self.symbols.max(i + 1), 0);
        }
        self.slots[i] = index.map_or(0, |t| t.into() + 1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_symbol_map_holds_what_was_set_and_nothing_else() {
        let mut map = SymbolMap::<OutFunc>::new(3);
        assert_eq!(map.at(1), None);
        assert_eq!(map.at(9), None);
        map.set(1, Some(OutFunc(0)));
        map.set(2, Some(OutFunc(u32::MAX - 1)));
        assert_eq!(
            (map.at(0), map.at(1), map.at(2)),
            (None, Some(OutFunc(0)), Some(OutFunc(u32::MAX - 1)))
        );
        map.set(1, None);
        assert_eq!(map.at(1), None);
    }
}
