//! Link-time optimization: LLVM bitcode inputs (`-flto`, `-flto=thin`) compiled into objects
//! by libLTO, loaded at run time through its stable C API (`docs/lto.md`).
//!
//! One phase between loading and the link proper, in lld's order (`Driver.cpp`):
//! 1. before loading, [`scan`] reads every bitcode input's symbols through libLTO, and the
//!    loader turns each module into an object that has only a symbol table
//!    ([`symbols::object`]);
//! 2. a first resolution ([`crate::resolve::plan_lto`]) runs up to the point where lld runs
//!    LTO and gives a [`Plan`]: which bitcode modules were loaded, in load order, and which of
//!    their symbols must stay visible (referenced from native objects, exported, the entry,
//!    `-u`, wrapped);
//! 3. [`compile`] merges, optimizes and compiles the full LTO modules into one object, and
//!    each ThinLTO module into one of its own (each `lto.tmp`, as wasm-ld names them);
//! 4. the link proper resolves again with those objects added where lld adds them: after
//!    every other input, their definitions replacing the bitcode's.
//!
//! A link without bitcode skips all of it and never opens libLTO.

mod cache_policy;
mod codegen;
mod irsymtab;
pub mod libcalls;
pub mod library;
pub mod symbols;

pub use cache_policy::CachePolicy;
pub use codegen::compile;
pub use symbols::{object, scan, BitcodeModule, Scanned};

use crate::ids::FileId;

/// What the first resolution decided for code generation.
#[derive(Debug, Default)]
pub struct Plan {
    /// The loaded bitcode modules, in load order (the order libLTO links them in).
    pub modules: Vec<FileId>,
    /// Symbols the compiled object must keep external.
    pub preserve: Vec<String>,
    /// Each module's symbol resolutions, in the format of LLVM's `resolution.txt`
    /// (`--save-temps`).
    pub resolution: String,
}

/// The name wasm-ld gives the object LTO compiles, in messages and maps.
pub const OBJECT_NAME: &str = "lto.tmp";

/// The error when bitcode must be read and libLTO is not there, naming the first bitcode
/// input and what to install.
pub fn missing_library(scanned: &Scanned) -> crate::diagnostic::Diagnostic {
    let first = scanned.first.as_deref().unwrap_or("<bitcode>");
    crate::diagnostic::Diagnostic::error(
        crate::diagnostic::Code::Unsupported,
        missing_library_text(first, scanned.not_found.as_ref()),
    )
    .in_file(first)
}

/// The text of [`missing_library`] for bitcode input `name`.
pub fn missing_library_text(name: &str, not_found: Option<&library::NotFound>) -> String {
    let install =
        ">>> install LLVM's libLTO (Debian/Ubuntu: apt-get install llvm-19-linker-tools; \
                   Homebrew: brew install llvm@19), or name it with --lto-library=PATH or \
                   WASM_LINK_LIBLTO=PATH";
    match not_found {
        Some(library::NotFound {
            failed: Some(why),
            tried,
        }) => {
            let path = tried
                .first()
                .map(|p| p.display().to_string())
                .unwrap_or_default();
            format!(
                "{name}: LLVM bitcode needs libLTO for link-time optimization, and {path} \
                 cannot be loaded: {why}\n{install}"
            )
        }
        Some(library::NotFound { tried, .. }) => {
            let tried: Vec<String> = tried.iter().map(|p| p.display().to_string()).collect();
            format!(
                "{name}: LLVM bitcode needs libLTO for link-time optimization, and it was not \
                 found\n>>> looked for {}\n{install}",
                tried.join(", ")
            )
        }
        None => format!("{name}: LLVM bitcode needs libLTO for link-time optimization\n{install}"),
    }
}

/// The error for bitcode libLTO could not read: libLTO's message first (wasm-ld's line, as
/// LLVM's bitcode reader words it), then the file and, for bitcode from a newer LLVM (rustc's,
/// or a newer clang's), both versions and what to do.
pub fn unreadable(name: &str, why: &str, scanned: &Scanned) -> crate::diagnostic::Diagnostic {
    let version = scanned
        .library
        .as_ref()
        .map(|l| l.version())
        .unwrap_or_default();
    let producer = why
        .split("Producer: '")
        .nth(1)
        .and_then(|rest| rest.split('\'').next());
    let mut message = format!("{why}\n>>> {name}: libLTO cannot read this LLVM bitcode");
    if let Some(producer) = producer {
        let path = scanned
            .library
            .as_ref()
            .map(|l| l.path().display().to_string());
        message.push_str(&format!(
            "\n>>> the bitcode was written by {producer}; libLTO ({}, {}) is older: use a \
             libLTO at least as new as the compiler (--lto-library=PATH or WASM_LINK_LIBLTO; \
             Debian: the llvm-N-linker-tools package of that LLVM), or compile without -flto \
             (for rustc: without -C linker-plugin-lto)",
            version.trim(),
            path.unwrap_or_default()
        ));
    }
    crate::diagnostic::Diagnostic::error(crate::diagnostic::Code::Input, message).in_file(name)
}
