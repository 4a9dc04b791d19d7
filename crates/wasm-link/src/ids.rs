//! Typed indices. Input and output index spaces are different types, so an object's function
//! index can never be written where an output index belongs.

macro_rules! index_type {
    ($(#[$doc:meta])* $name:ident, $prefix:literal) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
        pub struct $name(pub u32);

        impl $name {
            /// As a `usize`, for indexing vectors.
            pub fn idx(self) -> usize {
                self.0 as usize
            }
        }

        impl std::fmt::Debug for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, concat!($prefix, "{}"), self.0)
            }
        }
    };
}

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
