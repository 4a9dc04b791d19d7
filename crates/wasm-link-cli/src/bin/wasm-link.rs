//! `wasm-link`: a drop-in for `wasm-ld` 19. Parse the command line, run the link, print the
//! diagnostics; nothing is printed on success.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use wasm_link_cli::args::{self, Request};

fn main() -> ExitCode {
    tune_allocator();
    let mut args_os = std::env::args_os();
    let name = tool_name(args_os.next());
    let argv: Result<Vec<String>, _> = args_os.map(|a| a.into_string()).collect();
    let argv = match argv {
        Ok(argv) => argv,
        Err(bad) => {
            let mut out = Printer::new(name, None);
            let bad = bad.to_string_lossy();
            out.error(&format!("argument is not valid UTF-8: {bad}"));
            return ExitCode::FAILURE;
        }
    };
    let parsed = args::parse(argv);
    let mut out = Printer::new(name, parsed.color);
    for w in &parsed.report.warnings {
        out.warning(w);
    }
    match parsed.request {
        None => {
            out.errors(&parsed.report.errors, DEFAULT_ERROR_LIMIT);
            if let Some(text) = &parsed.info {
                done(text);
            }
            ExitCode::FAILURE
        }
        Some(Request::Help(text)) => done(&text),
        Some(Request::Version) => done(&args::version()),
        Some(Request::Link { config, fork }) => {
            if let Some(r) = &parsed.reproduce {
                if let Err(e) = wasm_link_cli::reproduce::write(r, &args::version()) {
                    let e = args::io_message(&e);
                    out.error(&format!(
                        "--reproduce: failed to open {}: {e}",
                        r.tar.display()
                    ));
                    return ExitCode::FAILURE;
                }
            }
            // After `--reproduce`, before any thread starts.
            let detached = fork.then(wasm_link_cli::detach::fork).flatten();
            link(&config, &mut out, detached)
        }
    }
}

/// glibc grows a heap a page at a time, one `mprotect` call each (about 600 for a libc hello
/// world, 900 for a C++ `-g` link), and gives back every free stretch at a heap's top past
/// 128 KiB (`madvise`), to fault it in again at the next allocation. A pad of 64 MiB makes a
/// thread's heap writable whole when it is made (its largest size) and the main heap grow
/// 64 MiB at a time, and keeps both from shrinking; it touches no more pages.
/// Setting this turns off glibc's sliding mmap threshold, so that is fixed at its ceiling
/// (32 MiB): buffers below it are reused from the heap instead of mapped and faulted in anew.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn tune_allocator() {
    // SAFETY: mallopt only sets allocator parameters, before any thread is started.
    unsafe {
        libc::mallopt(libc::M_TOP_PAD, 64 << 20);
        libc::mallopt(libc::M_MMAP_THRESHOLD, 32 << 20);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn tune_allocator() {}

/// lld's default `--error-limit`, which applies to the command line's own errors too.
const DEFAULT_ERROR_LIMIT: usize = 20;

/// The name messages start with: argv[0]'s file name without `.exe`, as lld's `logName`
/// (`wasm-ld: error:` when run through a link named `wasm-ld`).
fn tool_name(argv0: Option<std::ffi::OsString>) -> String {
    let argv0 = argv0.unwrap_or_default();
    let path = std::path::Path::new(&argv0);
    let file = path.file_name().unwrap_or_default().to_string_lossy();
    let lower = file.to_ascii_lowercase();
    match lower.strip_suffix(".exe") {
        Some(stem) => file[..stem.len()].to_string(),
        None if file.is_empty() => "wasm-link".to_string(),
        None => file.into_owned(),
    }
}

/// Runs the link and prints what it reports; in a child of [`wasm_link_cli::detach::fork`],
/// releases the parent once all is printed, and frees nothing anyone waits for.
fn link(
    config: &wasm_link::Config,
    out: &mut Printer,
    detached: Option<wasm_link_cli::detach::Detached>,
) -> ExitCode {
    wasm_link::remove_temporaries_on_signal();
    let diagnostics = wasm_link::link(config);
    if config.time {
        print_times(&diagnostics, out);
    }
    for line in &diagnostics.log {
        out.log(line);
    }
    print_messages(&diagnostics.messages);
    for w in &diagnostics.warnings {
        out.warning(&w.to_string());
    }
    if diagnostics.errors.is_empty() {
        if let Some(detached) = detached {
            detached.done();
        }
        // Dropping `diagnostics` closes the file the output replaced, which frees its blocks:
        // after `done`, nobody waits for it.
        return ExitCode::SUCCESS;
    }
    let errors: Vec<String> = diagnostics.errors.iter().map(|e| e.to_string()).collect();
    out.errors(&errors, config.error_limit);
    ExitCode::FAILURE
}

/// `--time`: one line per phase (the parts of `write` after it), the total, and the peak
/// resident memory (Linux).
fn print_times(diagnostics: &wasm_link::Diagnostics, out: &mut Printer) {
    let phases = &diagnostics.phases;
    let ms = |d: std::time::Duration| d.as_secs_f64() * 1000.0;
    for (name, d) in phases {
        out.log(&format!("time: {name:<8} {:9.3} ms", ms(*d)));
        if *name == "write" {
            for (part, d) in &diagnostics.write_parts {
                out.log(&format!("time:   write.{part:<9} {:9.3} ms", ms(*d)));
            }
        }
    }
    let total: std::time::Duration = phases.iter().map(|p| p.1).sum();
    out.log(&format!("time: {:<8} {:9.3} ms", "total", ms(total)));
    if let Some(kib) = peak_rss_kib() {
        out.log(&format!("time: peak RSS {:.1} MiB", kib as f64 / 1024.0));
    }
}

/// The process's peak resident set size (`VmHWM` in `/proc/self/status`), if known.
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn done(text: &str) -> ExitCode {
    println!("{}", text.trim_end());
    ExitCode::SUCCESS
}

/// `--trace` and friends go to stdout, as lld's `message()` does.
fn print_messages(lines: &[String]) {
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for line in lines {
        if writeln!(out, "{line}").is_err() {
            return;
        }
    }
    let _ = out.flush();
}

/// Prints errors and warnings as lld's `ErrorHandler` does: `NAME: error: TEXT`, the
/// severity coloured when asked, and a blank line after a message of several lines when
/// another follows.
struct Printer {
    name: String,
    color: bool,
    /// The last message had several lines.
    separate: bool,
}

impl Printer {
    /// `color`: `None` is lld's `auto` (colour if stderr is a terminal that has colours).
    fn new(name: String, color: Option<bool>) -> Self {
        let color = color.unwrap_or_else(|| {
            std::io::stderr().is_terminal()
                && std::env::var("TERM").is_ok_and(|t| !t.is_empty() && t != "dumb")
        });
        Printer {
            name,
            color,
            separate: false,
        }
    }

    /// A `--verbose` line: `NAME: TEXT`.
    fn log(&mut self, text: &str) {
        eprintln!("{}: {text}", self.name);
    }

    fn warning(&mut self, text: &str) {
        self.print("warning", "\x1b[0;35m", text);
    }

    fn error(&mut self, text: &str) {
        self.print("error", "\x1b[0;31m", text);
    }

    /// At most `limit` errors (0: all), then lld's closing line if some were left out.
    fn errors(&mut self, errors: &[String], limit: usize) {
        let limit = if limit == 0 { usize::MAX } else { limit };
        for e in errors.iter().take(limit) {
            self.error(e);
        }
        if errors.len() > limit {
            self.error(
                "too many errors emitted, stopping now (use -error-limit=0 to see all errors)",
            );
        }
    }

    fn print(&mut self, severity: &str, color: &str, text: &str) {
        let sep = if self.separate { "\n" } else { "" };
        let (on, off) = if self.color {
            (color, "\x1b[0m")
        } else {
            ("", "")
        };
        eprintln!("{sep}{}: {on}{severity}: {off}{text}", self.name);
        self.separate = text.contains('\n');
    }
}
