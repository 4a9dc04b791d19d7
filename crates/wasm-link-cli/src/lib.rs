//! Library side of the `wasm-link` and `wasm-inspect` binaries, so their parsers and
//! renderings can be tested (and fuzzed).

#![deny(missing_docs)]

pub mod args;
pub mod detach;
pub mod inspect;
pub mod reproduce;
