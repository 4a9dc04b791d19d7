//! Symbol demangling that prints exactly what LLVM 19's `llvm::demangle` prints: Itanium C++
//! names (`_Z...`) and Rust v0 names (`_R...`), byte for byte, and the same names left
//! unchanged where LLVM gives up.
//!
//! # Why our own
//!
//! `wasm-ld` writes demangled names into a module's `name` section, its `--Map` file and its
//! diagnostics, and a linker that replaces it must write the same bytes. General-purpose
//! demanglers do not print LLVM's text: `cpp_demangle` writes `(anonymous namespace)` and
//! lambdas, integer literals, `>>` and ABI tags its own way, and fails or succeeds on different
//! inputs; `rustc-demangle` accepts constants and lifetimes that LLVM rejects, prints
//! characters with Rust's escapes and drops `.llvm.` suffixes that LLVM keeps. So this crate
//! follows LLVM 19's grammar, printing rules and failures (`ItaniumDemangle.h` and
//! `RustDemangle.cpp` at `release/19.x`), and its tests compare it with `llvm-cxxfilt-19`
//! on every name of libc++, libc++abi and Rust's standard library.
//!
//! # Example
//!
//! ```
//! use llvm_demangle::demangle;
//!
//! assert_eq!(
//!     demangle("_ZNSt3__16vectorIiNS_9allocatorIiEEE9push_backB8ne190107EOi"),
//!     "std::__1::vector<int, std::__1::allocator<int>>::push_back[abi:ne190107](int&&)"
//! );
//! assert_eq!(demangle("_ZZ4mainENKUlvE_clEv"), "main::'lambda'()::operator()() const");
//! assert_eq!(demangle("_RNvCs1234_7mycrate4main.llvm.42"), "mycrate::main (.llvm.42)");
//! // Not a mangled name, or one LLVM 19 cannot demangle: unchanged.
//! assert_eq!(demangle("__main_argc_argv"), "__main_argc_argv");
//! assert_eq!(demangle("_Z1fITk1DIT_EPcEvT_"), "_Z1fITk1DIT_EPcEvT_");
//! ```
//!
//! # Scope
//!
//! D names (`_D...`) and Microsoft names (`?...`), which `llvm::demangle` also tries, are
//! returned unchanged: neither appears in WebAssembly objects from clang or rustc.
//!
//! Demangling never panics and never recurses without bound: hostile input (deep nesting,
//! self-referencing substitutions, exponential expansion) fails like malformed input.

#![deny(missing_docs)]

mod itanium;
mod rust;

/// `name` demangled as LLVM 19's `llvm::demangle` does: an Itanium name (`_Z` after one to
/// four underscores), else a Rust v0 name (`_R`), each with an optional leading `.` kept in
/// front, tried once as given and once without one leading underscore. Anything else, or a
/// name that does not demangle, is returned unchanged.
pub fn demangle(name: &str) -> String {
    if let Some(s) = non_microsoft(name) {
        return s;
    }
    if let Some(s) = name.strip_prefix('_').and_then(non_microsoft) {
        return s;
    }
    name.to_string()
}

/// LLVM's `itaniumDemangle`: the demangling of an Itanium name (`_Z...`, `__Z...`, or a
/// block invocation `___Z..._block_invoke`), or `None` where LLVM 19 gives up.
pub fn itanium_demangle(name: &str) -> Option<String> {
    itanium::demangle(name.as_bytes())
}

/// LLVM's `rustDemangle`: the demangling of a Rust v0 name (`_R...`), or `None` where LLVM 19
/// gives up.
pub fn rust_demangle(name: &str) -> Option<String> {
    rust::demangle(name)
}

/// LLVM's `nonMicrosoftDemangle` without the D scheme: a leading `.` is kept in front of the
/// demangled rest, which must be an Itanium or a Rust v0 name.
fn non_microsoft(name: &str) -> Option<String> {
    let (dot, rest) = match name.strip_prefix('.') {
        Some(rest) => (".", rest),
        None => ("", name),
    };
    let s = if itanium::is_encoding(rest) {
        itanium_demangle(rest)?
    } else if rest.starts_with("_R") {
        rust_demangle(rest)?
    } else {
        return None;
    };
    Some(if dot.is_empty() {
        s
    } else {
        format!("{dot}{s}")
    })
}
