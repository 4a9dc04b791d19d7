//! Zero-copy parsers for the WebAssembly binary format, as used by object files and linked
//! modules: the module framing, every standard section, and the linking metadata of the
//! tool-conventions `Linking.md` (`linking`, `reloc.*`, `target_features`, `producers`, `name`,
//! `dylink.0`).
//!
//! Every parser takes borrowed bytes and returns structs that borrow them; nothing is copied.
//! Every error carries the absolute byte offset in the file and what was expected there.
//!
//! # Example: dump the relocations of an object
//!
//! ```
//! use wasm_format::{reloc, Module};
//!
//! let path = "/usr/lib/wasm32-wasi/crt1-command.o";
//! let bytes = std::fs::read(path).expect("crt1-command.o: install the Debian package wasi-libc");
//! let module = Module::parse(&bytes, 0)?;
//! let mut count = 0;
//! for section in &module.sections {
//!     let Some(name) = section.custom_name.filter(|n| n.starts_with("reloc.")) else {
//!         continue;
//!     };
//!     let relocs = reloc::parse_reloc_section(section.contents)?;
//!     println!("{name} (section {}):", relocs.target_section);
//!     for r in &relocs.relocs {
//!         // `Reloc` is packed: copy its fields out (`{ r.addend }`) rather than borrow them.
//!         let (offset, ty, index, addend) = (r.offset, r.ty, r.index, r.addend);
//!         println!("  {offset:#08x} {ty:?} index {index} addend {addend}");
//!         count += 1;
//!     }
//! }
//! assert!(count > 0, "crt1-command.o calls main: it has code relocations");
//! # Ok::<(), wasm_format::Error>(())
//! ```

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
