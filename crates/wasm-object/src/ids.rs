//! Typed indices into one object. A function symbol's `index` counts imported functions first;
//! the types here count only what the object defines, so an import index cannot be used where
//! a definition belongs (and neither can an output index: the linker has its own types).

/// Declares a `u32` index newtype with a short `Debug` (`f3`, `seg12`).
#[macro_export]
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

            /// The index after this one.
            pub fn next(self) -> Self {
                Self(self.0 + 1)
            }
        }

        impl From<$name> for u32 {
            fn from(i: $name) -> u32 {
                i.0
            }
        }

        impl From<u32> for $name {
            fn from(i: u32) -> $name {
                $name(i)
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
    /// A function the object defines: its position in the code section.
    DefinedFunc, "f"
);
index_type!(
    /// A data segment of the object.
    SegmentIndex, "seg"
);
index_type!(
    /// A global the object defines (imports not counted).
    DefinedGlobal, "g"
);
index_type!(
    /// A tag the object defines (imports not counted).
    DefinedTag, "tag"
);
index_type!(
    /// A table the object defines (imports not counted).
    DefinedTable, "table"
);

/// An atom: the unit the linker keeps or drops, lays out and relocates as a whole.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Atom {
    /// A function body.
    Function(DefinedFunc),
    /// A data segment.
    Segment(SegmentIndex),
}

/// What a symbol-table entry of an object stands for, when the object defines it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Definition {
    /// A function body.
    Function(DefinedFunc),
    /// Bytes of a data segment (`offset` is the address for an `ABSOLUTE` symbol).
    Data {
        /// The segment.
        segment: SegmentIndex,
        /// Offset in the segment.
        offset: u64,
        /// Size in bytes.
        size: u64,
    },
    /// A global.
    Global(DefinedGlobal),
    /// An exception tag.
    Tag(DefinedTag),
    /// A table.
    Table(DefinedTable),
    /// A section, by its position in the file.
    Section(u32),
}

impl Definition {
    /// The atom the definition lies in, if it is a function or data.
    pub fn atom(self) -> Option<Atom> {
        match self {
            Definition::Function(f) => Some(Atom::Function(f)),
            Definition::Data { segment, .. } => Some(Atom::Segment(segment)),
            _ => None,
        }
    }
}
