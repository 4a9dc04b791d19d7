//! `@file` response files, expanded before anything else as in wasm-ld: GNU quoting (LLVM's
//! `TokenizeGNUCommandLine`), nested files resolved against the working directory, and an
//! `@name` whose file does not exist kept as an ordinary argument.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// Expands every `@file` in `args`, recursively. A file that includes itself, directly or
/// not, is an error.
pub fn expand(args: Vec<String>, errors: &mut Vec<String>) -> Vec<String> {
    let mut out = Vec::with_capacity(args.len());
    let mut active = HashSet::new();
    for arg in args {
        expand_one(arg, &mut active, &mut out, errors);
    }
    out
}

fn expand_one(
    arg: String,
    active: &mut HashSet<PathBuf>,
    out: &mut Vec<String>,
    errors: &mut Vec<String>,
) {
    let Some(name) = arg.strip_prefix('@') else {
        out.push(arg);
        return;
    };
    let Ok(text) = std::fs::read_to_string(name) else {
        out.push(arg);
        return;
    };
    let key = canonical(Path::new(name));
    if !active.insert(key.clone()) {
        errors.push(format!("recursive expansion of: '{}'", key.display()));
        return;
    }
    for inner in tokenize_gnu(&text) {
        expand_one(inner, active, out, errors);
    }
    active.remove(&key);
}

fn canonical(path: &Path) -> PathBuf {
    path.canonicalize().unwrap_or_else(|_| path.to_path_buf())
}

/// Splits `text` like a GNU response file: whitespace separates arguments, `'` and `"` quote
/// (and may be mixed within one argument), and a backslash escapes the next character, inside
/// quotes too.
pub fn tokenize_gnu(text: &str) -> Vec<String> {
    let mut tokens = Vec::new();
    let mut token: Option<String> = None;
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            c if c.is_whitespace() => tokens.extend(token.take()),
            '\\' => push(&mut token, chars.next().unwrap_or('\\')),
            '\'' | '"' => quoted(&mut chars, c, token.get_or_insert_with(String::new)),
            c => push(&mut token, c),
        }
    }
    tokens.extend(token);
    tokens
}

fn push(token: &mut Option<String>, c: char) {
    token.get_or_insert_with(String::new).push(c);
}

/// Copies a quoted run up to the closing `quote` (or the end of the text).
fn quoted(chars: &mut std::str::Chars<'_>, quote: char, token: &mut String) {
    while let Some(c) = chars.next() {
        match c {
            c if c == quote => return,
            '\\' => token.push(chars.next().unwrap_or('\\')),
            c => token.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gnu_quoting() {
        let t = tokenize_gnu("a  'b c' \"d\\\"e\" f\\ g h'i'\"j\" '' \n\tk");
        assert_eq!(t, ["a", "b c", "d\"e", "f g", "hij", "", "k"]);
    }

    #[test]
    fn nested_files_expand_in_place() {
        let dir = tempfile::tempdir().expect("tempdir");
        let inner = dir.path().join("inner.rsp");
        let outer = dir.path().join("outer.rsp");
        std::fs::write(&inner, "--no-entry 'x y.o'").expect("write");
        std::fs::write(&outer, format!("-o out @{}", inner.display())).expect("write");
        let mut errors = Vec::new();
        let args = vec!["a.o".into(), format!("@{}", outer.display()), "b.o".into()];
        let got = expand(args, &mut errors);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(got, ["a.o", "-o", "out", "--no-entry", "x y.o", "b.o"]);
    }

    #[test]
    fn missing_file_stays_an_argument() {
        let mut errors = Vec::new();
        let got = expand(vec!["@/nonexistent/wasm-link.rsp".into()], &mut errors);
        assert_eq!(got, ["@/nonexistent/wasm-link.rsp"]);
        assert!(errors.is_empty());
    }

    #[test]
    fn recursion_is_an_error() {
        let dir = tempfile::tempdir().expect("tempdir");
        let me = dir.path().join("loop.rsp");
        std::fs::write(&me, format!("x.o @{}", me.display())).expect("write");
        let mut errors = Vec::new();
        let got = expand(vec![format!("@{}", me.display())], &mut errors);
        assert_eq!(got, ["x.o"]);
        assert_eq!(errors.len(), 1);
        assert!(
            errors[0].starts_with("recursive expansion of: "),
            "{errors:?}"
        );
    }
}
