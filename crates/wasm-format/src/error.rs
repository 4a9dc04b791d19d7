//! The one error type of the crate: what was expected, and the absolute byte offset in the file
//! where it was not found. Boxed so that `Result<T, Error>` stays one word wide.

use std::fmt;

/// A parse error with the absolute byte offset in the input file.
#[derive(Clone, PartialEq, Eq)]
pub struct Error(Box<ErrorInner>);

#[derive(Clone, PartialEq, Eq, Debug)]
struct ErrorInner {
    offset: usize,
    kind: ErrorKind,
}

/// What went wrong.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum ErrorKind {
    /// The input ended while `expected` was being read.
    Truncated {
        /// What was being read.
        expected: &'static str,
    },
    /// A value was read but is not one of the allowed ones.
    Invalid {
        /// What was expected.
        expected: &'static str,
        /// The value found.
        found: u64,
    },
    /// A LEB128 number is longer than its type allows or overflows it.
    LebOverflow {
        /// The type being read, e.g. `varuint32`.
        expected: &'static str,
    },
    /// A count promises more entries than the remaining bytes could hold.
    CountTooLarge {
        /// What was being counted.
        what: &'static str,
        /// The count found.
        count: u64,
        /// Bytes left in the enclosing section.
        remaining: usize,
    },
    /// Bytes were left over after a section or subsection was fully parsed.
    TrailingBytes {
        /// What was being parsed.
        what: &'static str,
        /// How many bytes are left over.
        remaining: usize,
    },
    /// A name is not valid UTF-8.
    BadUtf8,
    /// The bytes a relocation patches (as many as its type's width) are not where they must
    /// be: inside their atom, after the previous relocation's. The error's offset is their
    /// first byte.
    Relocation {
        /// The relocation type's name, e.g. `R_WASM_MEMORY_ADDR_SLEB`.
        ty: &'static str,
        /// How many bytes it patches.
        width: usize,
        /// Where they must lie, ending in the limit, e.g. "inside their function body, which
        /// ends at".
        expected: &'static str,
        /// The absolute offset `expected` ends with.
        limit: usize,
    },
    /// Any other structural error.
    Message(&'static str),
    /// A fault LLVM's object reader refuses too, in its words (what wasm-ld prints after the
    /// file name), so that the first line of the error is wasm-ld's; the offset, and `detail`
    /// if there is one, follow on a `>>>` line.
    Llvm {
        /// LLVM's message, e.g. `invalid data relocation: refs`.
        message: String,
        /// What we can say more precisely, if anything.
        detail: Option<Box<ErrorKind>>,
    },
    /// An index past the end of its index space.
    IndexOutOfRange {
        /// What kind of index, e.g. `a symbol index`.
        what: &'static str,
        /// The index found.
        index: u64,
        /// How many there are.
        count: u64,
    },
}

impl Error {
    /// Creates an error at an absolute offset.
    #[cold]
    pub fn new(offset: usize, kind: ErrorKind) -> Self {
        Error(Box::new(ErrorInner { offset, kind }))
    }

    /// An error LLVM's object reader reports as `message` (see [`ErrorKind::Llvm`]), with
    /// our `detail` if there is more to say.
    #[cold]
    pub fn llvm(offset: usize, message: impl Into<String>, detail: Option<ErrorKind>) -> Self {
        let message = message.into();
        let detail = detail.map(Box::new);
        Error::new(offset, ErrorKind::Llvm { message, detail })
    }

    /// The same error in LLVM's words `message`, the present kind becoming the detail.
    #[cold]
    pub fn in_llvm_words(self, message: impl Into<String>) -> Self {
        let ErrorInner { offset, kind } = *self.0;
        Error::llvm(offset, message, Some(kind))
    }

    /// The absolute byte offset in the input file.
    pub fn offset(&self) -> usize {
        self.0.offset
    }

    /// What went wrong.
    pub fn kind(&self) -> &ErrorKind {
        &self.0.kind
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ErrorKind::Truncated { expected } => {
                write!(f, "unexpected end of input, expected {expected}")
            }
            ErrorKind::Invalid { expected, found } => {
                write!(f, "expected {expected}, found {found:#x}")
            }
            ErrorKind::LebOverflow { expected } => write!(f, "{expected} is too long or overflows"),
            ErrorKind::CountTooLarge {
                what,
                count,
                remaining,
            } => write!(
                f,
                "count of {count} {what} cannot fit in the {remaining} remaining bytes"
            ),
            ErrorKind::TrailingBytes { what, remaining } => {
                write!(f, "{remaining} unexpected trailing bytes after {what}")
            }
            ErrorKind::BadUtf8 => f.write_str("name is not valid UTF-8"),
            ErrorKind::Relocation {
                ty,
                width,
                expected,
                limit,
            } => write!(
                f,
                "expected the {width} bytes {ty} patches to lie {expected} {limit:#x}"
            ),
            ErrorKind::Message(msg) => f.write_str(msg),
            ErrorKind::Llvm { message, .. } => f.write_str(message),
            ErrorKind::IndexOutOfRange { what, index, count } => {
                write!(f, "expected {what} below {count}, found {index}")
            }
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let offset = self.0.offset;
        match &self.0.kind {
            ErrorKind::Llvm { message, detail } => {
                write!(f, "{message}\n>>> at offset {offset:#x}")?;
                match detail {
                    Some(detail) => write!(f, ": {detail}"),
                    None => Ok(()),
                }
            }
            kind => write!(f, "at offset {offset:#x}: {kind}"),
        }
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Error({self})")
    }
}

impl std::error::Error for Error {}

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
