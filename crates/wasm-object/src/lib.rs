//! Placeholder; see the crate description.
#![deny(missing_docs)]

pub mod archive;
pub mod input;
pub mod object;
pub mod validate;
