//! The linker: load → resolve → mark → layout → write.

#![deny(missing_docs)]

pub mod config;

pub use config::{Config, Entry, Input, UnresolvedPolicy};

/// What a link reports: warnings, and errors (a link with errors writes no output).
#[derive(Debug, Default)]
pub struct Diagnostics {
    /// Warnings, already formatted (`function signature mismatch: ...`).
    pub warnings: Vec<String>,
    /// Errors, already formatted (`undefined symbol: foo ...`).
    pub errors: Vec<String>,
}

/// Links according to `config`, writing `config.output` unless there are errors.
pub fn link(config: &Config) -> Diagnostics {
    let _ = config;
    Diagnostics { warnings: Vec::new(), errors: vec!["the linker is not written yet".into()] }
}
