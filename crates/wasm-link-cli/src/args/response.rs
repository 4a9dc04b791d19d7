//! `@file` response files, expanded before anything else as in wasm-ld: GNU quoting (LLVM's
//! `TokenizeGNUCommandLine`), or Windows quoting (`TokenizeWindowsCommandLine`) when the
//! command line itself says `--rsp-quoting=windows`; nested files resolved against the
//! working directory, and an `@name` whose file does not exist kept as an ordinary argument.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// How a response file is split into arguments.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Quoting {
    /// `TokenizeGNUCommandLine`.
    Gnu,
    /// `TokenizeWindowsCommandLine`.
    Windows,
}

/// The quoting the command line asks for: its last `--rsp-quoting` before expansion (lld
/// reads it from the unexpanded arguments; a bad value is reported later).
pub fn quoting(args: &[String]) -> Quoting {
    let mut value = None;
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let bare = arg.trim_start_matches('-');
        if arg.starts_with('-') && bare == "rsp-quoting" {
            value = args.next().map(String::as_str);
        } else if let Some(v) = arg
            .starts_with('-')
            .then(|| bare.strip_prefix("rsp-quoting="))
            .flatten()
        {
            value = Some(v);
        }
    }
    match value {
        Some("windows") => Quoting::Windows,
        _ => Quoting::Gnu,
    }
}

/// Expands every `@file` in `args`, recursively. A file that includes itself, directly or
/// not, is an error.
pub fn expand(args: Vec<String>, errors: &mut Vec<String>) -> Vec<String> {
    let style = quoting(&args);
    let mut out = Vec::with_capacity(args.len());
    let mut active = HashSet::new();
    for arg in args {
        expand_one(arg, style, &mut active, &mut out, errors);
    }
    out
}

fn expand_one(
    arg: String,
    style: Quoting,
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
    let tokens = match style {
        Quoting::Gnu => tokenize_gnu(&text),
        Quoting::Windows => tokenize_windows(&text),
    };
    for inner in tokens {
        expand_one(inner, style, active, out, errors);
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

/// Splits `text` like a Windows command line (LLVM's `TokenizeWindowsCommandLine`): spaces,
/// tabs and line breaks separate arguments outside quotes; `"` starts and ends a quoted run
/// (inside one, `""` is a literal quote); backslashes are literal unless a `"` follows, when
/// each pair gives one backslash and an odd one makes the quote literal.
pub fn tokenize_windows(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut tokens = Vec::new();
    let mut token: Option<String> = None;
    let mut quoted = false;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\\' {
            i = backslashes(&chars, i, token.get_or_insert_with(String::new));
            continue;
        }
        match (quoted, c) {
            (false, ' ' | '\t' | '\r' | '\n') => tokens.extend(token.take()),
            (true, '"') if chars.get(i + 1) == Some(&'"') => {
                push(&mut token, '"');
                i += 1;
            }
            (_, '"') => {
                quoted = !quoted;
                token.get_or_insert_with(String::new);
            }
            (_, c) => push(&mut token, c),
        }
        i += 1;
    }
    tokens.extend(token);
    tokens
}

/// The backslashes from `chars[at]` on: written to `token`, with a quote after them when it is
/// escaped; gives where to go on (at an unescaped quote, which then toggles quoting).
fn backslashes(chars: &[char], at: usize, token: &mut String) -> usize {
    let count = chars[at..].iter().take_while(|&&c| c == '\\').count();
    let next = at + count;
    if chars.get(next) != Some(&'"') {
        token.extend(std::iter::repeat_n('\\', count));
        return next;
    }
    token.extend(std::iter::repeat_n('\\', count / 2));
    if count % 2 == 1 {
        token.push('"');
        return next + 1;
    }
    next
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
    fn windows_quoting() {
        // What wasm-ld-19 --rsp-quoting=windows makes of these.
        let t = tokenize_windows("wk.o -o \"a b.wasm\" \"x\"\"y\" a\\\\\"b c\\\\\\\\\"d e\"\n");
        assert_eq!(t, ["wk.o", "-o", "a b.wasm", "x\"y", "a\\b c\\\\d", "e\n"]);
        assert_eq!(
            tokenize_windows("C:\\dir\\x.o \"\" a\\\\\\\"b"),
            ["C:\\dir\\x.o", "", "a\\\"b"]
        );
    }

    #[test]
    fn quoting_comes_from_the_unexpanded_command_line() {
        let args = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(quoting(&args(&["--rsp-quoting=windows"])), Quoting::Windows);
        assert_eq!(
            quoting(&args(&["-rsp-quoting", "windows"])),
            Quoting::Windows
        );
        assert_eq!(
            quoting(&args(&["--rsp-quoting=windows", "--rsp-quoting=posix"])),
            Quoting::Gnu
        );
        assert_eq!(quoting(&args(&["x.o"])), Quoting::Gnu);
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
