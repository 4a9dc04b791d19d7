//! `wasm-link`: a drop-in for `wasm-ld` 19. Parse the command line, run the link, print the
//! diagnostics; nothing is printed on success.

use std::process::ExitCode;

use wasm_link_cli::args::{self, Request};

fn main() -> ExitCode {
    let argv = match std::env::args_os()
        .skip(1)
        .map(|a| a.into_string())
        .collect()
    {
        Ok(argv) => argv,
        Err(bad) => {
            return fail(&[format!(
                "argument is not valid UTF-8: {}",
                bad.to_string_lossy()
            )])
        }
    };
    let parsed = args::parse(argv);
    warn(&parsed.report.warnings);
    match parsed.request {
        None => fail(&parsed.report.errors),
        Some(Request::Help(text)) => done(&text),
        Some(Request::Version) => done(&args::version()),
        Some(Request::Link {
            config,
            print_version,
        }) => {
            if print_version {
                println!("{}", args::version());
            }
            link(&config)
        }
    }
}

fn link(config: &wasm_link::Config) -> ExitCode {
    wasm_link::remove_temporaries_on_signal();
    let diagnostics = wasm_link::link(config);
    print_messages(&diagnostics.messages);
    warn(&diagnostics.warnings);
    if diagnostics.errors.is_empty() {
        return ExitCode::SUCCESS;
    }
    let limit = if config.error_limit == 0 {
        usize::MAX
    } else {
        config.error_limit
    };
    let shown = diagnostics.errors.len().min(limit);
    print_errors(&diagnostics.errors[..shown]);
    if shown < diagnostics.errors.len() {
        print_errors(&[
            "too many errors emitted, stopping now (use --error-limit=0 to see all errors)",
        ]);
    }
    ExitCode::FAILURE
}

fn done(text: &str) -> ExitCode {
    println!("{}", text.trim_end());
    ExitCode::SUCCESS
}

/// `--trace` and friends go to stdout, as lld's `message()` does.
fn print_messages(lines: &[String]) {
    use std::io::Write;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for line in lines {
        if writeln!(out, "{line}").is_err() {
            return;
        }
    }
    let _ = out.flush();
}

/// Each warning after `wasm-link: warning: ` (a diagnostic's `Display` is its text).
fn warn(warnings: &[impl std::fmt::Display]) {
    for w in warnings {
        eprintln!("wasm-link: warning: {w}");
    }
}

/// Each error after `wasm-link: error: `.
fn print_errors(errors: &[impl std::fmt::Display]) {
    for e in errors {
        eprintln!("wasm-link: error: {e}");
    }
}

fn fail(errors: &[String]) -> ExitCode {
    print_errors(errors);
    ExitCode::FAILURE
}
