//! The `wasm-link` command line, compatible with `wasm-ld` 19.
//!
//! Four steps, each a module: `-flavor wasm` and `@file` expansion ([`response`]), matching
//! wasm-ld's spellings and rewriting them into canonical tokens ([`normalize`], driven by
//! [`table`]), storing those with clap (which keeps every position), and turning what was
//! seen into a [`Config`] with wasm-ld's defaults and checks (`build`, `inputs`).

mod build;
mod inputs;
mod matches;
pub mod normalize;
pub mod response;
pub mod table;

use wasm_link::Config;

pub use build::io_message;
pub use wasm_link::config::find_library;

/// What the command line asks for.
#[derive(Debug)]
pub enum Request {
    /// Link.
    Link {
        /// The link to run.
        config: Box<Config>,
        /// Run it in a child process that outlives this one (`crate::detach`); off with
        /// `--no-fork`.
        fork: bool,
    },
    /// `--help`: print this text and exit.
    Help(String),
    /// `--version` or `-v`: print [`version`] and exit (wasm-ld 19 links nothing after `-v`).
    Version,
}

/// Errors and warnings found while parsing, already worded like wasm-ld's.
#[derive(Debug, Default)]
pub struct Report {
    /// Errors: there is nothing to do.
    pub errors: Vec<String>,
    /// Warnings (`unknown -z value: X`, `option X is accepted but ignored`).
    pub warnings: Vec<String>,
}

/// The outcome of [`parse`]: a request (absent when there were errors) and the diagnostics.
#[derive(Debug)]
pub struct Parsed {
    /// What to do; `None` if `report.errors` is not empty.
    pub request: Option<Request>,
    /// Diagnostics, to print whatever the request.
    pub report: Report,
    /// `--color-diagnostics[=always|never]` / `--no-color-diagnostics`: `None` is `auto` (colour
    /// when stderr is a terminal), lld's default. Known even when there are errors, as in lld.
    pub color: Option<bool>,
    /// The `--help` or `--version` text wasm-ld prints on stdout after the argument errors
    /// (it still fails).
    pub info: Option<String>,
    /// `--reproduce`: the tar to write before linking.
    pub reproduce: Option<crate::reproduce::Reproduce>,
}

/// The version line. It starts as lld's does (`LLD 19.1.7 (compatible with GNU linkers)`):
/// Meson and CMake recognise the linker by `LLD` on the first line and take the first version
/// number in it.
pub fn version() -> String {
    format!(
        "LLD 19.1.7 (compatible with GNU linkers); wasm-link {}",
        env!("CARGO_PKG_VERSION")
    )
}

/// Parses `args` (without the program name) the way wasm-ld 19 does.
pub fn parse(args: Vec<String>) -> Parsed {
    let mut report = Report::default();
    let args = strip_flavor(
        response::expand(args, &mut report.errors),
        &mut report.errors,
    );
    let normalized = normalize::normalize(&args);
    report.errors.extend(normalized.errors);
    let rendered = normalized.rendered;
    let seen = match table::command().try_get_matches_from(&normalized.tokens) {
        Ok(m) => matches::Seen::new(m),
        Err(e) => {
            report
                .errors
                .push(format!("internal option table error: {e}"));
            return Parsed {
                request: None,
                report,
                color: None,
                info: None,
                reproduce: None,
            };
        }
    };
    let color = color(&seen);
    // lld checks the colour option first and stops after the parser's errors.
    if let Some(v) = seen
        .last("color-diagnostics")
        .filter(|v| !["auto", "always", "never", table::NO_VALUE].contains(v))
    {
        report
            .errors
            .push(format!("unknown option: --color-diagnostics={v}"));
    }
    if !report.errors.is_empty() {
        let info = match help_or_version(&seen) {
            Some(Request::Help(text)) => Some(text),
            Some(_) => Some(version()),
            None => None,
        };
        return Parsed {
            request: None,
            report,
            color,
            info,
            reproduce: None,
        };
    }
    let request = decide(&seen, &mut report);
    let reproduce = match &request {
        Request::Link { config, .. } => reproduce(&seen, config, &rendered),
        _ => None,
    };
    let request = report.errors.is_empty().then_some(request);
    Parsed {
        request,
        report,
        color,
        info: None,
        reproduce,
    }
}

/// `--reproduce=FILE` (else `LLD_REPRODUCE`): what to write, the files in the order lld reads
/// them (each input, an archive's `.imports` beside it, then `--allow-undefined-file`).
fn reproduce(
    seen: &matches::Seen,
    config: &Config,
    rendered: &[normalize::Rendered],
) -> Option<crate::reproduce::Reproduce> {
    let tar = seen
        .last("reproduce")
        .map(String::from)
        .or_else(|| std::env::var("LLD_REPRODUCE").ok())
        .filter(|t| !t.is_empty())?;
    let mut files = Vec::new();
    for input in &config.inputs {
        files.push(input.path.clone());
        let imports = input.path.with_extension("imports");
        if input.path.extension().is_some_and(|e| e == "a") && imports.is_file() {
            files.push(imports);
        }
    }
    let allow = seen
        .values("allow-undefined-file")
        .into_iter()
        .map(std::path::PathBuf::from);
    files.extend(allow);
    Some(crate::reproduce::Reproduce {
        tar: tar.into(),
        response: crate::reproduce::response_file(rendered),
        files,
    })
}

/// `--help`, else `--version` or `-v`: they win over everything (lld's `linkerMain`).
fn help_or_version(seen: &matches::Seen) -> Option<Request> {
    if seen.has("help") {
        Some(Request::Help(table::help()))
    } else if seen.has("version") || seen.has("v") {
        Some(Request::Version)
    } else {
        None
    }
}

/// lld's `handleColorDiagnostics`: the last of the three spellings decides.
fn color(seen: &matches::Seen) -> Option<bool> {
    match seen.last_of(&["color-diagnostics", "no-color-diagnostics"])? {
        "no-color-diagnostics" => Some(false),
        _ => match seen.last("color-diagnostics") {
            Some("always") | Some(table::NO_VALUE) => Some(true),
            Some("never") => Some(false),
            _ => None,
        },
    }
}

/// `--help` and `--version` win over everything; otherwise build the link.
fn decide(seen: &matches::Seen, report: &mut Report) -> Request {
    if let Some(request) = help_or_version(seen) {
        return request;
    }
    let config = build::config(seen, report);
    if config.fatal_warnings {
        report.errors.append(&mut report.warnings);
    }
    Request::Link {
        config: Box::new(config),
        fork: !seen.has("no-fork"),
    }
}

/// Drops rust-lld's `-flavor wasm` dispatch argument (only as the first two arguments).
fn strip_flavor(mut args: Vec<String>, errors: &mut Vec<String>) -> Vec<String> {
    if args.first().map(String::as_str) != Some("-flavor") {
        return args;
    }
    match args.get(1).map(String::as_str) {
        Some("wasm") => drop(args.drain(..2)),
        Some(other) => {
            errors.push(format!(
                "-flavor {other} is not supported: wasm-link links wasm only"
            ));
            drop(args.drain(..2));
        }
        None => errors.push("-flavor: missing argument".into()),
    }
    args
}

#[cfg(test)]
mod tests;
