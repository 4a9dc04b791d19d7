//! The object model of a link: relocatable WebAssembly objects and the archives that hold
//! them, read straight from memory-mapped files.
//!
//! - [`input`] opens a file (mapped, never copied) and tells an object, an archive, a linked
//!   module and LLVM bitcode apart.
//! - [`archive`] frames GNU, BSD and thin archives: members as borrowed windows and the symbol
//!   index that lazy loading looks members up in.
//! - [`object`] turns one object into its index spaces, symbol table and atoms (function bodies,
//!   data segments, custom sections), each a window with the slice of relocations that patch it.
//! - [`validate`] checks every index and relocation once, so that the linker never meets an
//!   out-of-range value.
//! - [`model`] is the other direction: an owned (or borrowing) [`model::ObjectModel`] that a
//!   producer builds or changes, made from a parsed object or from plain structs, and
//!   [`writer`] writes it as LLVM 19 writes objects (byte for byte, for clang-19's own).
//!
//! Errors name the file, the archive member and the absolute byte offset.
//!
//! # Example: the symbols of a `libc.a` member
//!
//! ```
//! use wasm_object::archive::Archive;
//! use wasm_object::object::Object;
//!
//! let path = "/usr/lib/wasm32-wasi/libc.a";
//! let bytes = std::fs::read(path).expect("libc.a: install the Debian package wasi-libc");
//! let archive = Archive::parse(&bytes)?;
//! let member = archive.members.iter().find(|m| m.name == "strlen.o").expect("strlen.o");
//! let obj = Object::parse(member.data.bytes, member.data.offset)?;
//! for s in &obj.symbols {
//!     let name = s.name.or_else(|| obj.symbol_import(s).map(|(_, field)| field));
//!     println!("{:<8} {:?} {}", format!("{:?}", s.flags), s.kind, name.unwrap_or(""));
//! }
//! assert!(obj.symbols.iter().any(|s| s.name == Some("strlen") && s.is_defined()));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Example: an object from scratch, written and read back
//!
//! ```
//! use std::borrow::Cow;
//! use wasm_object::ids::DefinedFunc;
//! use wasm_object::model::*;
//!
//! // int answer(void) { return 42; }
//! let mut m = ObjectModel::default();
//! let ty = m.type_index(FuncType { params: vec![], results: vec![ValType::I32] });
//! let mut code = AtomBuilder::default();
//! code.raw(&[0x41]).sleb(42).raw(&[0x0b]); // i32.const 42; end
//! m.functions.push(code.into_function(ty, &[]));
//! m.add_symbol(Symbol {
//!     flags: SymbolFlags(0),
//!     name: Some(Cow::Borrowed("answer")),
//!     kind: SymbolKind::Function(Item::Defined(DefinedFunc(0))),
//! });
//! let bytes = wasm_object::writer::write(&m)?;
//!
//! let obj = wasm_object::object::Object::parse(&bytes, 0)?;
//! assert!(obj.symbols.iter().any(|s| s.name == Some("answer") && s.is_defined()));
//! assert_eq!(ObjectModel::from_object(&obj)?, m);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! `examples/rewrite.rs` reads objects and archives and writes every object back
//! (`cargo run -p wasm-object --example rewrite -- /usr/lib/wasm32-wasi/libc.a`).
#![deny(missing_docs)]

pub mod archive;
pub mod builder;
pub mod ids;
pub mod input;
pub mod model;
pub mod object;
pub mod shared;
pub mod validate;
pub mod writer;
