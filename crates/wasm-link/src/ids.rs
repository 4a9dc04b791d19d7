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
