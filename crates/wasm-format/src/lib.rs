//! Zero-copy parsers for the WebAssembly binary format, as used by object files and linked
//! modules: the module framing, every standard section, and the linking metadata of the
//! tool-conventions `Linking.md` (`linking`, `reloc.*`, `target_features`, `producers`, `name`,
//! `dylink.0`).
//!
//! Every parser takes borrowed bytes and returns structs that borrow them; nothing is copied.
//! Every error carries the absolute byte offset in the file and what was expected there.

#![deny(missing_docs)]

pub mod dylink;
pub mod error;
pub mod features;
pub mod linking;
pub mod locate;
pub mod module;
pub mod names;
pub mod parse;
pub mod reloc;
pub mod sections;
pub mod types;

pub use error::{Error, ErrorKind, Result};
pub use module::{is_wasm, Module, Section, SectionId};
pub use parse::Window;
