//! The normaliser: matches raw arguments against [`SPELLINGS`] the way LLVM's `OptTable`
//! does, and rewrites each into one canonical token clap cannot misread (`--id`,
//! `--id=value`, or a bare input path).
//!
//! Matching: every spelling whose dash-and-name is a prefix of the argument is a candidate;
//! the longest candidate that accepts the argument wins. A flag or a separate option accepts
//! only an exact match, so `-export-all` falls through to `-e xport-all` just as in wasm-ld.

use super::table::{opt, Dashes, Form, Spelling, Takes, SPELLINGS};

/// The canonical tokens, ready for clap, and the errors found on the way.
#[derive(Debug, Default)]
pub struct Normalized {
    /// Canonical tokens in command-line order.
    pub tokens: Vec<String>,
    /// `unknown argument: X`, `X: missing argument`.
    pub errors: Vec<String>,
    /// Each argument as `--reproduce` writes it back into `response.txt`.
    pub rendered: Vec<Rendered>,
}

/// An argument as lld's `createResponseFile` writes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rendered {
    /// An input path (written relative to the root).
    Input(String),
    /// `-o PATH` (written with the file name only).
    Output(String),
    /// `--reproduce` itself (left out).
    Reproduce,
    /// Any other option, as lld's `toString(Arg)` renders it.
    Option(String),
}

/// `s`, in double quotes if it has a space (lld's `quote`).
pub fn quote(s: &str) -> String {
    if s.contains(' ') {
        format!("\"{s}\"")
    } else {
        s.to_string()
    }
}

/// How lld renders an option: its spelling as written, then its value, joined for a joined
/// option (whose spelling ends in `=` or takes what follows), else after a space (an `=` form of
/// a separate option is an alias of it).
fn render(spelling: &Spelling, written: &str, value: Option<&str>) -> Rendered {
    match (spelling.id, value) {
        ("o", Some(v)) => Rendered::Output(v.to_string()),
        ("reproduce", _) => Rendered::Reproduce,
        (_, None) => Rendered::Option(written.to_string()),
        (_, Some(v)) if spelling.form == Form::Joined => {
            Rendered::Option(format!("{written}{}", quote(v)))
        }
        (_, Some(v)) => Rendered::Option(format!("{written} {}", quote(v))),
    }
}

/// Rewrites `args` (already free of `@file` and `-flavor`) into canonical tokens.
pub fn normalize(args: &[String]) -> Normalized {
    let mut out = Normalized::default();
    let mut i = 0;
    while i < args.len() {
        i += normalize_one(args, i, &mut out);
    }
    out
}

/// Handles `args[at]`, returning how many arguments it consumed.
fn normalize_one(args: &[String], at: usize, out: &mut Normalized) -> usize {
    let arg = &args[at];
    if arg == "-" || !arg.starts_with('-') {
        out.tokens.push(arg.clone());
        out.rendered.push(Rendered::Input(arg.clone()));
        return 1;
    }
    for (spelling, matched) in candidates(arg) {
        let rest = &arg[matched..];
        match accept(spelling.form, rest, args.get(at + 1)) {
            Accepted::No => continue,
            Accepted::Missing => out.errors.push(format!("{arg}: missing argument")),
            Accepted::Value { value, used } => {
                out.tokens.push(canonical(spelling.id, value));
                out.rendered.push(render(spelling, &arg[..matched], value));
                return used;
            }
        }
        return 1;
    }
    out.errors.push(format!("unknown argument: {arg}"));
    1
}

/// The spellings `arg` starts with, longest first, with the length of the matched prefix.
fn candidates(arg: &str) -> Vec<(&'static Spelling, usize)> {
    let mut found: Vec<_> = SPELLINGS
        .iter()
        .filter_map(|s| {
            prefixes(s.dashes)
                .iter()
                .map(|dash| dash.len() + s.name.len())
                .find(|&len| arg.len() >= len && arg.starts_with(&spelled(s, len)))
                .map(|len| (s, len))
        })
        .collect();
    found.sort_by_key(|&(_, len)| std::cmp::Reverse(len));
    found
}

/// The dashed spelling of `s` whose length is `len` (`--name` or `-name`).
fn spelled(s: &Spelling, len: usize) -> String {
    let dashes = len - s.name.len();
    format!("{}{}", "-".repeat(dashes), s.name)
}

fn prefixes(dashes: Dashes) -> &'static [&'static str] {
    match dashes {
        Dashes::One => &["-"],
        Dashes::Two => &["--"],
        Dashes::Both => &["--", "-"],
    }
}

/// Whether a spelling accepts the argument whose unmatched tail is `rest`.
#[derive(Debug, PartialEq, Eq)]
enum Accepted<'a> {
    /// Not this spelling; try a shorter one.
    No,
    /// It is this spelling, but the value that must follow is missing.
    Missing,
    /// Accepted with this value (if any), consuming `used` arguments.
    Value { value: Option<&'a str>, used: usize },
}

fn accept<'a>(form: Form, rest: &'a str, next: Option<&'a String>) -> Accepted<'a> {
    let separate = || match next {
        Some(v) => Accepted::Value {
            value: Some(v),
            used: 2,
        },
        None => Accepted::Missing,
    };
    match form {
        Form::Flag if rest.is_empty() => Accepted::Value {
            value: None,
            used: 1,
        },
        Form::Joined => Accepted::Value {
            value: Some(rest),
            used: 1,
        },
        Form::Separate | Form::EqSep if rest.is_empty() => separate(),
        Form::EqSep => match rest.strip_prefix('=') {
            Some(v) => Accepted::Value {
                value: Some(v),
                used: 1,
            },
            None => Accepted::No,
        },
        Form::JoinedOrSeparate if rest.is_empty() => separate(),
        Form::JoinedOrSeparate => Accepted::Value {
            value: Some(rest),
            used: 1,
        },
        Form::Flag | Form::Separate => Accepted::No,
    }
}

/// The clap token for option `id` with `value`: `--id`, `--id=value`. A flag spelling of an
/// option that takes a value (`-i`) gets an empty value, as in wasm-ld.
fn canonical(id: &str, value: Option<&str>) -> String {
    let takes = opt(id).map_or(Takes::Nothing, |o| o.takes);
    match (takes, value) {
        (Takes::Nothing, _) => format!("--{id}"),
        (Takes::OptionalValue, None) => format!("--{id}"),
        (_, v) => format!("--{id}={}", v.unwrap_or("")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm(args: &[&str]) -> Normalized {
        normalize(&args.iter().map(|s| s.to_string()).collect::<Vec<_>>())
    }

    fn tokens(args: &[&str]) -> Vec<String> {
        let n = norm(args);
        assert_eq!(n.errors, Vec::<String>::new(), "for {args:?}");
        n.tokens
    }

    fn error(args: &[&str]) -> String {
        norm(args).errors.join("\n")
    }

    #[test]
    fn joined_and_separate_short_forms() {
        assert_eq!(
            tokens(&["-mwasm32", "-m", "wasm64"]),
            ["--m=wasm32", "--m=wasm64"]
        );
        assert_eq!(
            tokens(&["-lc", "-l", "m", "-l:x.a"]),
            ["--library=c", "--library=m", "--library=:x.a"]
        );
        assert_eq!(
            tokens(&["-L/d", "-L", "/e"]),
            ["--library-path=/d", "--library-path=/e"]
        );
        assert_eq!(
            tokens(&["-zstack-size=16", "-z", "stack-size=32"]),
            ["--z=stack-size=16", "--z=stack-size=32"]
        );
        assert_eq!(
            tokens(&["-O2", "-O", "3", "-oout", "-o", "x"]),
            ["--O=2", "--O=3", "--o=out", "--o=x"]
        );
    }

    #[test]
    fn eq_options_take_both_forms_and_one_or_two_dashes() {
        let want = ["--export=a", "--export=b", "--export=c", "--export=d"];
        assert_eq!(
            tokens(&["--export", "a", "--export=b", "-export=c", "-export", "d"]),
            want
        );
        assert_eq!(
            tokens(&["--error-limit", "0", "--error-limit=1"]),
            ["--error-limit=0", "--error-limit=1"]
        );
    }

    #[test]
    fn double_dash_only_options_reject_one_dash() {
        for a in [
            "-no-entry",
            "-stack-first",
            "-global-base=2048",
            "-import-memory",
            "-growable-table",
        ] {
            assert_eq!(error(&[a]), format!("unknown argument: {a}"));
        }
        assert_eq!(
            tokens(&["--no-entry", "--stack-first"]),
            ["--no-entry", "--stack-first"]
        );
    }

    #[test]
    fn one_dash_falls_through_to_short_options_like_wasm_ld() {
        assert_eq!(tokens(&["-export-all"]), ["--entry=xport-all"]);
        assert_eq!(tokens(&["-error-limit=3"]), ["--entry=rror-limit=3"]);
        assert_eq!(
            tokens(&["-merge-data-segments"]),
            ["--m=erge-data-segments"]
        );
        assert_eq!(tokens(&["-lto-O2"]), ["--library=to-O2"]);
        assert_eq!(tokens(&["-output"]), ["--o=utput"]);
    }

    #[test]
    fn joined_only_options_reject_a_separate_value() {
        assert_eq!(
            error(&["--initial-memory", "131072"]),
            "unknown argument: --initial-memory"
        );
        assert_eq!(error(&["--features", "a"]), "unknown argument: --features");
        assert_eq!(
            tokens(&["--initial-memory=131072"]),
            ["--initial-memory=131072"]
        );
    }

    #[test]
    fn optional_values_keep_flag_and_empty_apart() {
        assert_eq!(tokens(&["--import-memory"]), ["--import-memory"]);
        assert_eq!(tokens(&["--import-memory="]), ["--import-memory="]);
        assert_eq!(tokens(&["--export-memory=m"]), ["--export-memory=m"]);
    }

    #[test]
    fn missing_values_and_unknowns() {
        assert_eq!(error(&["-o"]), "-o: missing argument");
        assert_eq!(error(&["--entry"]), "--entry: missing argument");
        assert_eq!(error(&["--foo"]), "unknown argument: --foo");
        assert_eq!(error(&["--"]), "unknown argument: --");
        assert_eq!(error(&["--v"]), "unknown argument: --v");
        assert_eq!(error(&["-h"]), "unknown argument: -h");
    }

    #[test]
    fn separate_values_may_start_with_a_dash() {
        assert_eq!(tokens(&["-o", "-x"]), ["--o=-x"]);
        assert_eq!(tokens(&["--export", "--no-entry"]), ["--export=--no-entry"]);
    }

    #[test]
    fn inputs_pass_through() {
        assert_eq!(tokens(&["a.o", "-", "/x/y.a"]), ["a.o", "-", "/x/y.a"]);
    }

    #[test]
    fn aliases_map_to_their_option() {
        let t = tokens(&[
            "-E", "-s", "-S", "-r", "-t", "-efoo", "-ubar", "--static", "-dy", "-i",
        ]);
        let want = [
            "--export-dynamic",
            "--strip-all",
            "--strip-debug",
            "--relocatable",
            "--trace",
            "--entry=foo",
            "--undefined=bar",
            "--Bstatic",
            "--Bdynamic",
            "--initial-memory=",
        ];
        assert_eq!(t, want);
    }
}
