//! Symbol demangling that prints exactly what LLVM 19's `llvm::demangle` prints: Itanium C++
//! names (`_Z...`) and Rust v0 names (`_R...`), byte for byte, and the same names left
//! unchanged where LLVM gives up.
//!
//! # Why our own
//!
//! `wasm-ld` writes demangled names into a module's `name` section, its `--Map` file and its
//! diagnostics, and a linker that replaces it must write the same bytes. General-purpose
//! demanglers do not print LLVM's text. `cpp_demangle` prints GNU `c++filt`'s: `{lambda()#1}`
//! where LLVM prints `'lambda'()`, `{unnamed type#1}` for `'unnamed'`, `A<B<int> >` for
//! `A<B<int>>`, and it gives up on other names than LLVM does (LLVM 19 gives up on some valid
//! C++20 manglings, and wasm-ld then keeps the mangled name). `rustc-demangle` prints Rust v0
//! names as LLVM does but for `.suffix`es and non-ASCII `char` constants, and accepts
//! constants, punycode and lifetimes that LLVM rejects ([`rust_demangle`] lists each
//! difference). So this crate follows LLVM 19's grammar, printing
//! rules and failures (`ItaniumDemangle.h` and `RustDemangle.cpp` at `release/19.x`), and its
//! tests compare it with `llvm-cxxfilt-19` on every name of libc++, libc++abi and Rust's
//! standard library, and on names made to reach each rule.
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
#[cfg(test)]
mod test_util;

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
///
/// The text is what `rustc-demangle` prints with `{:#}` (crate roots without their `[hash]`,
/// constants without a type suffix) except where LLVM differs:
/// - a `.suffix` is kept as ` (.suffix)`, `.llvm.NNNN` included (`rustc-demangle` drops
///   `.llvm.` suffixes and prints others bare);
/// - constants are integers, `bool`, `char` or `_` only: `str`, reference, array, tuple and
///   ADT constants (which `rustc-demangle` prints) fail the whole name;
/// - a `char` constant is printed as itself only if it is printable ASCII; `\t \r \n \\ \'`
///   are escaped, `"` is not, and anything else is `\u{HEX}` with the mangled hex digits, even
///   if not a Unicode scalar value (`rustc-demangle` prints `'é'`, `'\0'`, and fails on
///   surrogates);
/// - an integer constant with more than 16 hex digits is printed `0x` and those digits; one
///   with a leading zero fails;
/// - bound lifetimes past `'z` are `'z1`, `'z2`, ... (`rustc-demangle`: `'_26`, ...), and a
///   binder of more lifetimes than the rest of the name could use fails;
/// - a lifetime that is not bound fails the name (`rustc-demangle` prints
///   `'{invalid syntax}`), and so does a punycode identifier that does not decode
///   (`rustc-demangle`: `punycode{...}`), but only where printed: the instantiating crate and
///   impl paths are parsed without printing, so nothing in them is decoded, and
///   backreferences in them are not followed;
/// - associated-type names in `dyn` bounds are printed as mangled, punycode or not;
/// - 500 nested paths, types or constants fail the name, as in LLVM.
///
/// ```
/// use llvm_demangle::rust_demangle;
///
/// assert_eq!(
///     rust_demangle("_RINvCs1234_7mycrate6letterKce9_EB2_.llvm.7").as_deref(),
///     Some("mycrate::letter::<'\\u{e9}'> (.llvm.7)")
/// );
/// assert_eq!(rust_demangle("_RINvC7mycrate1fKRe616263_EB2_"), None); // a str constant
/// ```
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
