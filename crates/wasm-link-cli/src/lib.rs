//! Library side of the `wasm-link` and `wasm-inspect` binaries, so their parsers can be tested.

#![deny(missing_docs)]

pub mod args;
