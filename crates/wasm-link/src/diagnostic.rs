//! One diagnostic type for every phase. A [`Diagnostic`] carries what it is about (a
//! [`Code`]), where (the input file, the archive member, the byte offset) and which symbol,
//! when those are known, and its text: wasm-ld's words on the first line, ours after. Its
//! `Display` is that text, which the command line prints after `wasm-link: error: `.

use std::fmt;

/// How bad it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Severity {
    /// The link fails; no output is written.
    Error,
    /// The link goes on (unless `--fatal-warnings`).
    Warning,
}

/// What a diagnostic is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Code {
    /// An input that cannot be read or is not a valid object or archive.
    Input,
    /// A symbol nothing defines.
    UndefinedSymbol,
    /// Two strong definitions of one symbol.
    DuplicateSymbol,
    /// References or definitions that disagree on a symbol's kind, type, signature or import.
    SymbolMismatch,
    /// Target features that disagree.
    Features,
    /// Memory layout: limits, alignment, sizes.
    Memory,
    /// The entry point, exports and other options naming symbols.
    Options,
    /// The output or a report file.
    Output,
    /// Something wasm-ld does that this linker does not do yet.
    Unsupported,
    /// Anything else.
    Other,
}

/// One message of a link.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// What it is about.
    pub code: Code,
    /// The text: wasm-ld's line first, then ours (`>>>` lines, hints).
    pub message: String,
    /// The input file it concerns (the archive, for a member).
    pub file: Option<String>,
    /// The archive member it concerns.
    pub member: Option<String>,
    /// The symbol it concerns.
    pub symbol: Option<String>,
    /// The absolute byte offset in `file` it concerns.
    pub offset: Option<u64>,
}

impl Diagnostic {
    /// An error.
    pub fn error(code: Code, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            code,
            message: message.into(),
            file: None,
            member: None,
            symbol: None,
            offset: None,
        }
    }

    /// A warning.
    pub fn warning(code: Code, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(code, message)
        }
    }

    /// With the input file it concerns.
    pub fn in_file(mut self, file: impl Into<String>) -> Self {
        self.file = Some(file.into());
        self
    }

    /// With the archive member it concerns.
    pub fn in_member(mut self, member: impl Into<String>) -> Self {
        self.member = Some(member.into());
        self
    }

    /// With the symbol it concerns.
    pub fn for_symbol(mut self, symbol: impl Into<String>) -> Self {
        self.symbol = Some(symbol.into());
        self
    }

    /// With the byte offset it concerns.
    pub fn at(mut self, offset: u64) -> Self {
        self.offset = Some(offset);
        self
    }

    /// The same message as a warning (`--warn-unresolved-symbols` and the like).
    pub fn as_warning(self) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..self
        }
    }

    /// The same message as an error (`--fatal-warnings`).
    pub fn as_error(self) -> Self {
        Diagnostic {
            severity: Severity::Error,
            ..self
        }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Diagnostic {}

/// Errors a phase ends with.
pub type Errors = Vec<Diagnostic>;

/// Errors of `code`, one per message.
pub(crate) fn errors(code: Code, messages: impl IntoIterator<Item = String>) -> Errors {
    messages
        .into_iter()
        .map(|m| Diagnostic::error(code, m))
        .collect()
}

/// One error about the output or a report file.
pub(crate) fn output_error(message: String) -> Errors {
    vec![Diagnostic::error(Code::Output, message)]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_is_the_message_and_fields_are_kept() {
        let d = Diagnostic::error(Code::DuplicateSymbol, "duplicate symbol: f")
            .for_symbol("f")
            .in_file("a.o");
        assert_eq!(d.to_string(), "duplicate symbol: f");
        assert_eq!(d.symbol.as_deref(), Some("f"));
        assert_eq!(d.file.as_deref(), Some("a.o"));
        let w = d.clone().as_warning();
        assert_eq!((w.severity, w.as_error()), (Severity::Warning, d));
    }
}
