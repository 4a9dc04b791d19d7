//! Rust v0 names (`_R...`), as LLVM 19's `rustDemangle` prints them: through the
//! `rustc-demangle` crate, whose alternate form (`{:#}`: no crate hashes, no const type
//! suffixes) is LLVM's spelling, adjusted where the two differ:
//! - a `.suffix` is cut off before demangling and printed as ` (.suffix)`;
//! - a non-ASCII `char` constant is printed as `'\u{hex}'` (LLVM escapes everything outside
//!   printable ASCII; `rustc-demangle` prints printable Unicode as is), and so is `'\0'`.
//!
//! Left as they are: constants LLVM 19 cannot demangle (`str` and structured constants, from
//! unstable `adt_const_params`; LLVM keeps such a name mangled, `rustc-demangle` prints it),
//! and `rustc-demangle`'s output-size limit of one million bytes.

/// `name` (starting with `_R`) demangled, or `None` where LLVM's demangler fails.
pub fn demangle(name: &str) -> Option<String> {
    let body = name.strip_prefix("_R")?;
    let (path, suffix) = match body.find('.') {
        Some(dot) => (&name[..dot + 2], Some(&body[dot..])),
        None => (name, None),
    };
    let demangled = rustc_demangle::try_demangle(path).ok()?;
    let mut out = escape_chars(&format!("{demangled:#}"));
    if let Some(suffix) = suffix {
        out.push_str(" (");
        out.push_str(suffix);
        out.push(')');
    }
    Some(out)
}

/// `'c'` constants with `c` outside printable ASCII (printed as is by `rustc-demangle`),
/// and `'\0'`, rewritten as LLVM's `'\u{hex}'`. A quote followed by one character and a
/// quote can only be a `char` constant: lifetimes (`'a`) are never followed by a quote.
fn escape_chars(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(q) = rest.find('\'') {
        out.push_str(&rest[..q]);
        let after = &rest[q + 1..];
        let mut chars = after.chars();
        let c = chars.next();
        if c.is_some_and(|c| !c.is_ascii()) && chars.next() == Some('\'') {
            let c = c.unwrap_or_default();
            out.push_str(&format!("'\\u{{{:x}}}'", u32::from(c)));
            rest = &after[c.len_utf8() + 1..];
        } else if let Some(tail) = after.strip_prefix("\\0'") {
            out.push_str("'\\u{0}'");
            rest = tail;
        } else {
            out.push('\'');
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::demangle;

    /// Spellings `llvm-cxxfilt-19` prints for these names.
    #[test]
    fn llvm_spellings() {
        let cases = [
            ("_RINvCs5QfnxTm6QcG_2cg2boKb1_EB2_", "cg::bo::<true>"),
            ("_RINvCs5QfnxTm6QcG_2cg2chKce9_EB2_", "cg::ch::<'\\u{e9}'>"),
            (
                "_RINvCs5QfnxTm6QcG_2cg2chKc1f600_EB2_",
                "cg::ch::<'\\u{1f600}'>",
            ),
            ("_RINvCs5QfnxTm6QcG_2cg2chKc27_EB2_", "cg::ch::<'\\''>"),
            ("_RINvCs5QfnxTm6QcG_2cg2chKca_EB2_", "cg::ch::<'\\n'>"),
            ("_RINvCs5QfnxTm6QcG_2cg2chKc7f_EB2_", "cg::ch::<'\\u{7f}'>"),
            ("_RINvCs5QfnxTm6QcG_2cg2neKln5_EB2_", "cg::ne::<-5>"),
            (
                "_RINvCs5QfnxTm6QcG_2cg2boKb1_EB2_.cold",
                "cg::bo::<true> (.cold)",
            ),
            (
                "_RINvCs5QfnxTm6QcG_2cg2boKb1_EB2_.llvm.1234",
                "cg::bo::<true> (.llvm.1234)",
            ),
        ];
        for (mangled, want) in cases {
            assert_eq!(demangle(mangled).as_deref(), Some(want), "{mangled}");
        }
        for bad in ["_R", "_Rx", "_RNvC3foo", "_ZN3foo3barE"] {
            assert_eq!(demangle(bad), None, "{bad}");
        }
    }
}
