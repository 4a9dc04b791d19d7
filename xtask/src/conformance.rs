//! `cargo xtask conformance`: the differential harness. Every corpus program under
//! `conformance/` is built in each of its configurations, linked with our linker and with
//! `wasm-ld-19` using the exact command the compiler driver would run, and the two outputs are
//! validated, compared structurally and run under node's WASI. One line per case, a summary
//! table, then `N passed, M failed`.
//!
//! Modules: `corpus` (programs and directives), `build` (compiling and recording link commands,
//! cached), `exec` (processes, linkers, node), `diff` (validation and the structural differ).

mod build;
mod corpus;
mod diff;
mod dylink;
mod exec;
mod wasm64;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::Instant;

use corpus::{Config, Lang, Program};

const USAGE: &str = "usage: cargo xtask conformance [--filter <substr>] [--linker <path>] \
                     [--reference <path>] [--jobs N] [--keep]";

/// Command-line options.
struct Options {
    filter: Option<String>,
    linker: Option<String>,
    reference: String,
    jobs: usize,
    keep: bool,
}

/// Runs the harness; an error if any case failed or the harness could not start.
pub fn run(args: &[String]) -> Result<(), String> {
    let start = Instant::now();
    let opts = parse_options(args)?;
    let root = workspace_root();
    let work = root.join("target").join("conformance");
    fs::create_dir_all(&work).map_err(|e| format!("cannot create {}: {e}", work.display()))?;
    let runner = work.join("run.mjs");
    exec::write_atomically(&runner, exec::RUNNER.as_bytes())?;
    check_node()?;
    let toolchain = build::Toolchain::detect(&work)?;
    let linker = resolve_linker(&opts, &root)?;
    let cases = select_cases(&root, opts.filter.as_deref())?;
    let env = Env {
        toolchain,
        linker,
        reference: opts.reference.clone(),
        runner,
        loader: root.join("tests/dylink/loader.mjs"),
        out: work.join("out"),
        keep: opts.keep,
    };
    let verdicts = run_all(&env, &cases, opts.jobs);
    report(&verdicts, start)
}

fn parse_options(args: &[String]) -> Result<Options, String> {
    let jobs = std::thread::available_parallelism().map_or(1, usize::from);
    let mut o = Options {
        filter: None,
        linker: None,
        reference: "wasm-ld-19".into(),
        jobs,
        keep: false,
    };
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let mut value = || {
            it.next()
                .cloned()
                .ok_or_else(|| format!("{arg} needs a value\n{USAGE}"))
        };
        match arg.as_str() {
            "--filter" => o.filter = Some(value()?),
            "--linker" => o.linker = Some(value()?),
            "--reference" => o.reference = value()?,
            "--jobs" | "-j" => {
                o.jobs = value()?
                    .parse()
                    .map_err(|_| format!("--jobs wants a number\n{USAGE}"))?
            }
            "--keep" => o.keep = true,
            _ => return Err(format!("unknown argument {arg:?}\n{USAGE}")),
        }
    }
    o.jobs = o.jobs.max(1);
    Ok(o)
}

fn workspace_root() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().unwrap_or(manifest).to_path_buf()
}

fn check_node() -> Result<(), String> {
    let ok = Command::new("node")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if ok {
        Ok(())
    } else {
        Err("node is missing: install Node.js 20 or later (apt install nodejs)".into())
    }
}

/// `--linker`, or our release binary, built first if it is missing.
fn resolve_linker(opts: &Options, root: &Path) -> Result<String, String> {
    if let Some(l) = &opts.linker {
        return Ok(l.clone());
    }
    let target =
        std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), PathBuf::from);
    let bin = target.join("release").join("wasm-link");
    if !bin.is_file() {
        eprintln!("building {} ...", bin.display());
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let status = Command::new(cargo)
            .args(["build", "--release", "-p", "wasm-link-cli"])
            .current_dir(root)
            .status()
            .map_err(|e| format!("cannot run cargo: {e}"))?;
        if !status.success() || !bin.is_file() {
            return Err(format!(
                "`cargo build --release -p wasm-link-cli` did not produce {}",
                bin.display()
            ));
        }
    }
    Ok(bin.to_string_lossy().into_owned())
}

/// One program in one configuration.
struct Case {
    program: Program,
    config: Config,
}

impl Case {
    fn label(&self) -> String {
        format!("{} [{}]", self.program.name, self.config)
    }
}

fn select_cases(root: &Path, filter: Option<&str>) -> Result<Vec<Case>, String> {
    let programs = corpus::load(&root.join("conformance"))?;
    let mut cases = Vec::new();
    for program in programs {
        for config in program.configs() {
            cases.push(Case {
                program: program.clone(),
                config,
            });
        }
    }
    cases.retain(|c| filter.is_none_or(|f| c.label().contains(f)));
    if cases.is_empty() {
        return Err(format!("no case matches the filter {filter:?}"));
    }
    Ok(cases)
}

/// What every case needs.
struct Env {
    toolchain: build::Toolchain,
    linker: String,
    reference: String,
    runner: PathBuf,
    /// The dynamic loader the `pie` configuration runs under.
    loader: PathBuf,
    out: PathBuf,
    keep: bool,
}

/// The judgement on one case.
struct Verdict {
    lang: Lang,
    config: Config,
    /// Whether its objects came from the cache.
    cached: bool,
    /// `None` if it passed, else the first difference.
    failure: Option<String>,
    /// A passing case checked less than fully (e.g. not run), and why.
    note: Option<&'static str>,
}

/// Judges the cases on `jobs` threads, printing each verdict as it arrives.
fn run_all(env: &Env, cases: &[Case], jobs: usize) -> Vec<Verdict> {
    let next = AtomicUsize::new(0);
    let (tx, rx) = mpsc::channel();
    std::thread::scope(|s| {
        for _ in 0..jobs.min(cases.len()) {
            let tx = tx.clone();
            let next = &next;
            s.spawn(move || {
                while let Some(case) = cases.get(next.fetch_add(1, Ordering::Relaxed)) {
                    if tx.send((case.label(), judge(env, case))).is_err() {
                        return;
                    }
                }
            });
        }
        drop(tx);
        rx.iter()
            .map(|(label, v)| {
                match (&v.failure, v.note) {
                    (None, None) => println!("PASS {label}"),
                    (None, Some(note)) => println!("PASS {label} ({note})"),
                    (Some(why), _) => println!("FAIL {label}: {why}"),
                }
                v
            })
            .collect()
    })
}

fn judge(env: &Env, case: &Case) -> Verdict {
    let (cached, result) = match env.toolchain.build(&case.program, case.config) {
        Ok(built) => (built.cached, judge_built(env, case, &built.args)),
        Err(e) => (false, Err(format!("build: {}", one_line(&e)))),
    };
    let (failure, note) = match result {
        Ok(note) => (None, note),
        Err(why) => (Some(why), None),
    };
    Verdict {
        lang: case.program.lang,
        config: case.config,
        cached,
        failure,
        note,
    }
}

/// Output paths for both linkers; the same file name, since it lands in the `name` section.
fn outputs(env: &Env, case: &Case) -> (PathBuf, PathBuf, PathBuf) {
    let slug = case.program.name.replace('/', "-");
    let dir = env.out.join(&slug).join(case.config.name());
    let file = format!("{slug}.wasm");
    (
        dir.join("ours").join(&file),
        dir.join("ref").join(&file),
        dir,
    )
}

/// `Ok` with a note when the case passed without every check (a wasm64 program node cannot run).
type Judged = Result<Option<&'static str>, String>;

fn judge_built(env: &Env, case: &Case, args: &[String]) -> Judged {
    let (ours, reference, dir) = outputs(env, case);
    for p in [&ours, &reference] {
        let parent = p.parent().ok_or("bad output path")?;
        fs::create_dir_all(parent)
            .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
        let _ = fs::remove_file(p);
    }
    let (ref_args, our_args) = if case.config == Config::R {
        let combined = |which: &str| dir.join(which).join("combined.o");
        (
            two_step(env, &env.reference, args, &combined("ref-r"))?,
            two_step(env, &env.linker, args, &combined("ours-r"))?,
        )
    } else if case.config == Config::Pie {
        let lib = |p: &Path| p.with_file_name(dylink::LIBRARY);
        (
            dylink::split(env, &env.reference, args, &lib(&reference))?,
            dylink::split(env, &env.linker, args, &lib(&ours))?,
        )
    } else {
        (args.to_vec(), args.to_vec())
    };
    let ref_link = exec::link(&env.reference, &ref_args, &reference)?;
    let our_link = exec::link(&env.linker, &our_args, &ours)?;
    let result = match &case.program.directives.expect_link_error {
        Some(re) => judge_link_error(re, &ref_link, &our_link).map(|()| None),
        None => judge_links(&ref_link, &our_link)
            .and_then(|()| judge_outputs(env, case, &ours, &reference)),
    };
    if !env.keep {
        let _ = fs::remove_dir_all(&dir);
    }
    result
}

/// The first step of a two-step link: `linker -r` combines the program's own objects (those
/// the harness built) into `combined`; gives the final link's arguments, with `combined` where
/// the first of them was.
fn two_step(
    env: &Env,
    linker: &str,
    args: &[String],
    combined: &Path,
) -> Result<Vec<String>, String> {
    let own = |a: &String| a.ends_with(".o") && Path::new(a).starts_with(&env.toolchain.cache);
    let objects: Vec<&String> = args.iter().filter(|a| own(a)).collect();
    if objects.is_empty() {
        return Ok(args.to_vec());
    }
    let parent = combined.parent().ok_or("bad output path")?;
    fs::create_dir_all(parent).map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
    let wasm64 = args.iter().any(|a| a == "-mwasm64" || a == "wasm64");
    let mut r: Vec<String> = vec!["-r".into()];
    if wasm64 {
        r.push("-mwasm64".into());
    }
    r.extend(objects.iter().map(|o| o.to_string()));
    r.extend(["-o".into(), build::OUT.into()]);
    let step = exec::link(linker, &r, combined)?;
    if !step.success() {
        return Err(format!(
            "-r failed ({}): {}",
            step.status(),
            one_line(&step.stderr_text())
        ));
    }
    let combined = combined.to_string_lossy().into_owned();
    let mut rest: Vec<String> = Vec::new();
    for a in args {
        if !own(a) {
            rest.push(a.clone());
        } else if !rest.contains(&combined) {
            rest.push(combined.clone());
        }
    }
    Ok(rest)
}

fn judge_link_error(
    re: &str,
    reference: &exec::Outcome,
    ours: &exec::Outcome,
) -> Result<(), String> {
    if reference.success() {
        return Err("reference linker succeeded on an expected-error program".into());
    }
    let stderr = ours.stderr_text();
    if ours.success() {
        return Err(format!("linked, but expected an error matching /{re}/"));
    }
    let regex = regex::Regex::new(re).map_err(|e| format!("bad regex: {e}"))?;
    if !regex.is_match(&stderr) {
        return Err(format!(
            "link error ({}) does not match /{re}/: {}",
            ours.status(),
            one_line(&stderr)
        ));
    }
    Ok(())
}

fn judge_links(reference: &exec::Outcome, ours: &exec::Outcome) -> Result<(), String> {
    if !reference.success() {
        return Err(format!(
            "reference link failed ({}): {}",
            reference.status(),
            one_line(&reference.stderr_text())
        ));
    }
    if !ours.success() {
        return Err(format!(
            "link failed ({}): {}",
            ours.status(),
            one_line(&ours.stderr_text())
        ));
    }
    Ok(())
}

fn judge_outputs(env: &Env, case: &Case, ours: &Path, reference: &Path) -> Judged {
    let read = |p: &Path| fs::read(p).map_err(|e| format!("cannot read {}: {e}", p.display()));
    let (our_bytes, ref_bytes) = (read(ours)?, read(reference)?);
    diff::validate(&ref_bytes).map_err(|e| format!("reference output: {e}"))?;
    diff::validate(&our_bytes).map_err(|e| format!("output: {e}"))?;
    if matches!(case.config, Config::Lto | Config::Thin) {
        // Another code generator: the programs must run alike, at about the same size.
        let ratio = our_bytes.len() as f64 / ref_bytes.len() as f64;
        if !(0.99..=1.01).contains(&ratio) {
            return Err(format!(
                "size: {} bytes, wasm-ld's {} ({ratio:.4}x)",
                our_bytes.len(),
                ref_bytes.len()
            ));
        }
        return judge_runs(env, case, ours, reference);
    }
    let our_sum = diff::summarize(&our_bytes)?;
    let ref_sum = diff::summarize(&ref_bytes)?;
    if let Some(d) = diff::first_difference(&our_sum, &ref_sum, &case.program.directives.ignore) {
        return Err(format!("structure: {d}"));
    }
    judge_runs(env, case, ours, reference)
}

fn judge_runs(env: &Env, case: &Case, ours: &Path, reference: &Path) -> Judged {
    if case.config == Config::Pie {
        return dylink::judge(env, ours, reference);
    }
    let d = &case.program.directives;
    let wasm64 = d.target == corpus::Target::Wasm64;
    let spec = exec::RunSpec {
        name: &case.program.name,
        args: &d.args,
        stdin: &d.stdin,
        calls: &d.calls,
        wasm64,
    };
    let scratch = reference
        .parent()
        .and_then(Path::parent)
        .ok_or("bad output path")?;
    let (reference, ours) = if wasm64 {
        match (
            runnable_copy(reference, &scratch.join("ref.run.wasm"))?,
            runnable_copy(ours, &scratch.join("ours.run.wasm"))?,
        ) {
            (Ok(r), Ok(o)) => (r, o),
            (Err(why), _) | (_, Err(why)) => return Ok(Some(why)),
        }
    } else {
        (reference.to_path_buf(), ours.to_path_buf())
    };
    let wasms = [reference.as_path(), ours.as_path()];
    let mut runs = exec::run_wasm(&env.runner, &wasms, &spec, scratch)?.into_iter();
    let (Some(ref_run), Some(our_run)) = (runs.next(), runs.next()) else {
        return Err("the runner lost a run".into());
    };
    let expected = d.expect_exit.unwrap_or(0);
    if ref_run.code != Some(expected) {
        let why = one_line(&ref_run.stderr_text());
        return Err(format!(
            "reference run: {}, expected exit {expected}: {why}",
            ref_run.status()
        ));
    }
    compare_runs(&our_run, &ref_run).map(|()| None)
}

/// The module node runs for a wasm64 output: written to `copy` (a 32-bit table where that
/// changes nothing), or why node cannot run it.
fn runnable_copy(module: &Path, copy: &Path) -> Result<Result<PathBuf, &'static str>, String> {
    let bytes = fs::read(module).map_err(|e| format!("cannot read {}: {e}", module.display()))?;
    match wasm64::runnable(&bytes)? {
        Ok(run) => {
            fs::write(copy, run).map_err(|e| format!("cannot write {}: {e}", copy.display()))?;
            Ok(Ok(copy.to_path_buf()))
        }
        Err(why) => Ok(Err(why)),
    }
}

fn compare_runs(ours: &exec::Outcome, reference: &exec::Outcome) -> Result<(), String> {
    if ours.code != reference.code || ours.timed_out {
        let why = one_line(&ours.stderr_text());
        return Err(format!(
            "run: ours {}, reference {}: {why}",
            ours.status(),
            reference.status()
        ));
    }
    if let Some(d) = first_line_difference(&ours.stdout, &reference.stdout) {
        return Err(format!("run: stdout {d}"));
    }
    if let Some(d) = first_line_difference(&ours.stderr, &reference.stderr) {
        return Err(format!("run: stderr {d}"));
    }
    Ok(())
}

fn first_line_difference(ours: &[u8], reference: &[u8]) -> Option<String> {
    if ours == reference {
        return None;
    }
    let (a, b) = (
        String::from_utf8_lossy(ours),
        String::from_utf8_lossy(reference),
    );
    let (mut la, mut lb) = (a.lines(), b.lines());
    for n in 1.. {
        match (la.next(), lb.next()) {
            (Some(x), Some(y)) if x == y => continue,
            (x, y) => {
                let show =
                    |l: Option<&str>| l.map_or("<end>".to_string(), |l| format!("`{}`", clip(l)));
                return Some(format!("line {n}: ours {}, reference {}", show(x), show(y)));
            }
        }
    }
    None
}

/// The first non-empty line of a message, clipped: verdicts stay one line each.
fn one_line(text: &str) -> String {
    let line = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("<no output>");
    clip(line)
}

fn clip(s: &str) -> String {
    const MAX: usize = 200;
    match s.char_indices().nth(MAX) {
        Some((i, _)) => format!("{}...", &s[..i]),
        None => s.to_string(),
    }
}

/// Prints the table by language and configuration and the closing `N passed, M failed` line.
fn report(verdicts: &[Verdict], start: Instant) -> Result<(), String> {
    let mut cells: BTreeMap<(Lang, Config), (usize, usize)> = BTreeMap::new();
    for v in verdicts {
        let cell = cells.entry((v.lang, v.config)).or_default();
        cell.0 += usize::from(v.failure.is_none());
        cell.1 += 1;
    }
    println!();
    print_table(&cells);
    let passed = verdicts.iter().filter(|v| v.failure.is_none()).count();
    let failed = verdicts.len() - passed;
    let cached = verdicts.iter().filter(|v| v.cached).count();
    println!(
        "time: {:.1}s ({cached} of {} builds cached)",
        start.elapsed().as_secs_f64(),
        verdicts.len()
    );
    println!("{passed} passed, {failed} failed");
    if failed == 0 {
        Ok(())
    } else {
        Err(format!("{failed} case(s) failed"))
    }
}

fn print_table(cells: &BTreeMap<(Lang, Config), (usize, usize)>) {
    let cell = |(p, t): (usize, usize)| {
        if t == 0 {
            "-".to_string()
        } else {
            format!("{p}/{t}")
        }
    };
    let header: Vec<String> = Config::REPORTED
        .iter()
        .map(|c| format!("{:>9}", c.name()))
        .collect();
    println!("{:<6}{}{:>10}", "lang", header.join(""), "total");
    let mut totals = vec![(0, 0); Config::REPORTED.len() + 1];
    for lang in Lang::ALL {
        let mut row = format!("{:<6}", lang.dir());
        for (i, config) in Config::REPORTED.into_iter().enumerate() {
            let c = cells.get(&(lang, config)).copied().unwrap_or_default();
            row.push_str(&format!("{:>9}", cell(c)));
            add(&mut totals[i], c);
            add(&mut totals[Config::REPORTED.len()], c);
        }
        let lang_total = Config::REPORTED.iter().fold((0, 0), |acc, &config| {
            let c = cells.get(&(lang, config)).copied().unwrap_or_default();
            (acc.0 + c.0, acc.1 + c.1)
        });
        println!("{row}{:>10}", cell(lang_total));
    }
    let row: String = totals[..Config::REPORTED.len()]
        .iter()
        .map(|&c| format!("{:>9}", cell(c)))
        .collect();
    println!(
        "{:<6}{row}{:>10}",
        "total",
        cell(totals[Config::REPORTED.len()])
    );
}

fn add(total: &mut (usize, usize), c: (usize, usize)) {
    total.0 += c.0;
    total.1 += c.1;
}
