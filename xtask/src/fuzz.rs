//! `cargo xtask fuzz [--target T] [--seconds N] [--if-available]`: builds the libFuzzer
//! targets of `fuzz/` and runs each for N seconds, one process, one job, printing per target
//! `TARGET: N execs, M crashes`; a crash fails the task and leaves its reproducer in
//! `fuzz/artifacts/TARGET/`.
//!
//! It drives cargo itself rather than through cargo-fuzz (which would need a `cargo install`
//! on every fresh machine): `cargo build` on nightly with the sanitizer-coverage flags
//! cargo-fuzz passes (without its AddressSanitizer: the code under test is safe Rust), debug
//! assertions and overflow checks on, for the host triple so build scripts stay
//! uninstrumented. The layout is cargo-fuzz's, so `cargo fuzz run T` works too where it is
//! installed. Seeds are built on demand by `fuzz/make-seeds.sh` into `fuzz/seeds/`; what the
//! fuzzer finds beyond them accumulates in `fuzz/corpus/TARGET/`.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Every target, with the seed directories (under `fuzz/seeds/`) it starts from.
const TARGETS: &[(&str, &[&str])] = &[
    ("parse_object", &["objects", "modules"]),
    ("parse_archive", &["archives"]),
    ("link", &["link"]),
    ("write_object", &["objects"]),
    ("inspect", &["objects", "modules", "archives"]),
];

/// The toolchain the targets are built with.
const TOOLCHAIN: &str = "nightly";

/// Instrumentation as cargo-fuzz sets it up (`cargo fuzz build -s none`), plus the checks the
/// targets exist to exercise.
const RUSTFLAGS: &[&str] = &[
    "-Cpasses=sancov-module",
    "-Cllvm-args=-sanitizer-coverage-level=4",
    "-Cllvm-args=-sanitizer-coverage-inline-8bit-counters",
    "-Cllvm-args=-sanitizer-coverage-pc-table",
    "-Cllvm-args=-sanitizer-coverage-trace-compares",
    "-Cllvm-args=-sanitizer-coverage-stack-depth",
    "--cfg=fuzzing",
    "-Cdebug-assertions",
    "-Coverflow-checks",
];

/// The command line.
struct Options {
    targets: Vec<&'static str>,
    seconds: u64,
    if_available: bool,
}

impl Options {
    fn parse(args: &[String]) -> Result<Options, String> {
        let mut opts = Options {
            targets: Vec::new(),
            seconds: 60,
            if_available: false,
        };
        let mut args = args.iter();
        while let Some(arg) = args.next() {
            let mut value = || args.next().ok_or(format!("{arg} needs a value"));
            match arg.as_str() {
                "--target" => {
                    let name = value()?;
                    let known = TARGETS.iter().find(|(t, _)| t == name);
                    let names: Vec<_> = TARGETS.iter().map(|t| t.0).collect();
                    let (t, _) = known.ok_or(format!(
                        "no fuzz target {name}; there are {}",
                        names.join(", ")
                    ))?;
                    opts.targets.push(t);
                }
                "--seconds" => {
                    let v = value()?;
                    opts.seconds = v
                        .parse()
                        .map_err(|_| format!("--seconds {v}: not a number"))?;
                }
                "--if-available" => opts.if_available = true,
                _ => return Err(format!("unknown argument {arg}; usage: {USAGE}")),
            }
        }
        if opts.targets.is_empty() {
            opts.targets = TARGETS.iter().map(|t| t.0).collect();
        }
        Ok(opts)
    }
}

const USAGE: &str = "cargo xtask fuzz [--target T]... [--seconds N] [--if-available]";

/// What one target's run gave.
struct Outcome {
    execs: u64,
    crashes: Vec<PathBuf>,
}

/// Runs the task.
pub fn run(args: &[String]) -> Result<(), String> {
    let opts = Options::parse(args)?;
    let fuzz = workspace_root().join("fuzz");
    if let Err(missing) = toolchain() {
        if opts.if_available {
            println!("fuzz: SKIPPED, {missing}");
            return Ok(());
        }
        return Err(missing);
    }
    seeds(&fuzz)?;
    let host = host_triple()?;
    build(&fuzz, &host)?;
    let scratch = scratch_base().join(format!("wasm-link-fuzz-{}", std::process::id()));
    let mut crashed = Vec::new();
    for target in &opts.targets {
        let binary = fuzz.join("target").join(&host).join("release").join(target);
        let outcome = run_target(&fuzz, &binary, target, opts.seconds, &scratch);
        let _ = std::fs::remove_dir_all(&scratch);
        let outcome = outcome?;
        println!(
            "{target}: {} execs, {} crashes",
            outcome.execs,
            outcome.crashes.len()
        );
        for c in &outcome.crashes {
            println!(
                "  reproducer: {}  (rerun: {} {})",
                c.display(),
                binary.display(),
                c.display()
            );
        }
        if !outcome.crashes.is_empty() {
            crashed.push(*target);
        }
    }
    if crashed.is_empty() {
        Ok(())
    } else {
        Err(format!("crashes in {}", crashed.join(", ")))
    }
}

/// Where the targets write their per-input files: `/dev/shm` when there is one (a file written
/// to a disk-backed temporary directory costs milliseconds, as much as a link).
fn scratch_base() -> PathBuf {
    let shm = Path::new("/dev/shm");
    if shm.is_dir() {
        shm.to_path_buf()
    } else {
        std::env::temp_dir()
    }
}

fn workspace_root() -> PathBuf {
    let xtask = Path::new(env!("CARGO_MANIFEST_DIR"));
    xtask.parent().unwrap_or(xtask).to_path_buf()
}

/// Makes sure nightly Rust is there, installing it through rustup if it is not; the error
/// says exactly what is missing.
fn toolchain() -> Result<(), String> {
    if rustup(&["run", TOOLCHAIN, "rustc", "--version"]).is_ok() {
        return Ok(());
    }
    eprintln!("fuzz: installing the {TOOLCHAIN} toolchain (rustup toolchain install {TOOLCHAIN} --profile minimal)");
    rustup(&["toolchain", "install", TOOLCHAIN, "--profile", "minimal"]).map_err(|e| {
        format!("fuzzing needs Rust {TOOLCHAIN} and it cannot be installed ({e}); install it with `rustup toolchain install {TOOLCHAIN}`")
    })
}

/// Runs rustup quietly; the error is its last line of stderr.
fn rustup(args: &[&str]) -> Result<(), String> {
    let out = Command::new("rustup")
        .args(args)
        .env_remove("RUSTUP_TOOLCHAIN")
        .output()
        .map_err(|e| format!("rustup is not installed: {e}"))?;
    if out.status.success() {
        return Ok(());
    }
    let err = String::from_utf8_lossy(&out.stderr);
    Err(format!(
        "`rustup {}`: {}",
        args.join(" "),
        err.lines().last().unwrap_or("failed")
    ))
}

/// Builds the seed corpora unless they are there.
fn seeds(fuzz: &Path) -> Result<(), String> {
    if fuzz.join("seeds/.done").is_file() {
        return Ok(());
    }
    eprintln!("fuzz: building the seed corpora (fuzz/make-seeds.sh)");
    let status = Command::new("bash")
        .arg(fuzz.join("make-seeds.sh"))
        .status()
        .map_err(|e| format!("cannot run fuzz/make-seeds.sh: {e}"))?;
    status
        .success()
        .then_some(())
        .ok_or_else(|| "fuzz/make-seeds.sh failed".to_owned())
}

/// The triple the fuzz binaries are built for (the host's, as cargo-fuzz does).
fn host_triple() -> Result<String, String> {
    let out = Command::new("rustup")
        .args(["run", TOOLCHAIN, "rustc", "-vV"])
        .env_remove("RUSTUP_TOOLCHAIN")
        .output()
        .map_err(|e| format!("cannot run rustc: {e}"))?;
    let text = String::from_utf8_lossy(&out.stdout);
    text.lines()
        .find_map(|l| l.strip_prefix("host: "))
        .map(str::to_owned)
        .ok_or_else(|| "rustc -vV names no host".to_owned())
}

/// Builds every target, instrumented.
fn build(fuzz: &Path, host: &str) -> Result<(), String> {
    eprintln!("fuzz: building the targets ({TOOLCHAIN}, release, instrumented)");
    let status = Command::new("rustup")
        .args(["run", TOOLCHAIN, "cargo", "build", "--release", "--bins"])
        .args(["--target", host])
        .arg("--manifest-path")
        .arg(fuzz.join("Cargo.toml"))
        .arg("--target-dir")
        .arg(fuzz.join("target"))
        .env("RUSTFLAGS", RUSTFLAGS.join(" "))
        .env_remove("RUSTUP_TOOLCHAIN")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    status
        .success()
        .then_some(())
        .ok_or_else(|| "building the fuzz targets failed".to_owned())
}

/// Runs one target for `seconds`, its log in `fuzz/logs/TARGET.log`.
fn run_target(
    fuzz: &Path,
    binary: &Path,
    target: &str,
    seconds: u64,
    scratch: &Path,
) -> Result<Outcome, String> {
    let corpus = fuzz.join("corpus").join(target);
    let artifacts = fuzz.join("artifacts").join(target);
    let logs = fuzz.join("logs");
    for dir in [&corpus, &artifacts, &logs, &scratch.to_path_buf()] {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    let before = list(&artifacts);
    let log_path = logs.join(format!("{target}.log"));
    let log = std::fs::File::create(&log_path).map_err(|e| e.to_string())?;
    let seeds = TARGETS
        .iter()
        .find(|t| t.0 == target)
        .map_or(&[][..], |t| t.1);
    eprintln!(
        "fuzz: running {target} for {seconds} s (log: {})",
        log_path.display()
    );
    let status = Command::new(binary)
        .arg(&corpus)
        .args(seeds.iter().map(|s| fuzz.join("seeds").join(s)))
        .arg(format!("-max_total_time={seconds}"))
        .arg(format!("-artifact_prefix={}/", artifacts.display()))
        .args(["-print_final_stats=1", "-timeout=30", "-rss_limit_mb=4096"])
        .env("WASM_LINK_FUZZ_SCRATCH", scratch)
        .stdout(Stdio::null())
        .stderr(log)
        .status()
        .map_err(|e| format!("cannot run {}: {e}", binary.display()))?;
    let text = std::fs::read_to_string(&log_path).unwrap_or_default();
    let crashes: Vec<PathBuf> = list(&artifacts)
        .into_iter()
        .filter(|a| !before.contains(a))
        .collect();
    if !status.success() || !crashes.is_empty() {
        let lines: Vec<&str> = text.lines().collect();
        eprintln!("fuzz: {target} failed ({status}); the end of its log:");
        for line in &lines[lines.len().saturating_sub(40)..] {
            eprintln!("  | {line}");
        }
        if crashes.is_empty() {
            return Err(format!(
                "{target} failed without a reproducer: see {}",
                log_path.display()
            ));
        }
    }
    Ok(Outcome {
        execs: executed_units(&text),
        crashes,
    })
}

/// The crash, timeout and out-of-memory reproducers in `dir`.
fn list(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            ["crash-", "timeout-", "oom-", "leak-"]
                .iter()
                .any(|k| name.starts_with(k))
        })
        .collect();
    files.sort();
    files
}

/// libFuzzer's count of executed inputs (`-print_final_stats=1`; the last `#N` status line
/// when it stopped on a crash).
fn executed_units(log: &str) -> u64 {
    let stat = log
        .lines()
        .find_map(|l| l.strip_prefix("stat::number_of_executed_units:"));
    let last_status = || {
        log.lines().rev().find_map(|l| {
            let rest = l.strip_prefix('#')?;
            rest.split_whitespace().next()?.parse().ok()
        })
    };
    stat.and_then(|s| s.trim().parse().ok())
        .or_else(last_status)
        .unwrap_or(0)
}
