//! `wasm-inspect FILE...`: prints what our parsers see in objects, linked modules and every
//! member of archives: sections, symbols, relocations, segments, init functions, comdats,
//! target features, imports and exports. `--json` prints the same as one JSON document.
//! Errors name the file, the member and the offset; the exit code is 1 if any input failed,
//! but every other file and member is still printed.

use clap::Parser;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use wasm_link_cli::inspect::{self, Report, ReportError};

/// Print the structure of wasm objects, linked modules and archives.
#[derive(Parser)]
#[command(name = "wasm-inspect", version)]
struct Args {
    /// Print one JSON document instead of text.
    #[arg(long)]
    json: bool,
    /// Objects, linked modules or archives.
    #[arg(required = true)]
    files: Vec<PathBuf>,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let results: Vec<_> = args
        .files
        .iter()
        .flat_map(|f| inspect::inspect_path(f))
        .collect();
    let failed = results.iter().any(Result::is_err);
    let printed = if args.json {
        print_json(results)
    } else {
        print_text(results)
    };
    if let Err(e) = printed {
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            eprintln!("wasm-inspect: cannot write output: {e}");
        }
        return ExitCode::FAILURE;
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

fn print_text(results: Vec<Result<Report, ReportError>>) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    for result in results {
        match result {
            Ok(report) => writeln!(out, "{}", inspect::text::render(&report))?,
            Err(e) => {
                out.flush()?;
                eprintln!("wasm-inspect: error: {}", e.message);
            }
        }
    }
    out.flush()
}

fn print_json(results: Vec<Result<Report, ReportError>>) -> std::io::Result<()> {
    let doc = inspect::JsonOut::new(results);
    for e in &doc.errors {
        eprintln!("wasm-inspect: error: {}", e.message);
    }
    let mut out = std::io::stdout().lock();
    serde_json::to_writer(&mut out, &doc).map_err(std::io::Error::from)?;
    writeln!(out)
}
