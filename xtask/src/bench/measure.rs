//! Timing one link: wall time around spawn and reap, and the child's own CPU time and peak RSS
//! from `wait4`'s `rusage` (which, unlike `getrusage(RUSAGE_CHILDREN)`, covers exactly that one
//! child). A linker that links in a child and exits before it (wasm-link, mold) is timed to
//! its own exit, what a build waits for; the child's CPU time is added and its peak RSS counted
//! too, once it ends. Also the floor (read every input, write the output's size) and the run
//! check.

use super::prep::LinkSpec;
use serde::Serialize;
use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// What one run of a linker cost.
#[derive(Serialize, Clone, Copy, Debug)]
pub struct Sample {
    /// Seconds from spawn to reap.
    pub wall: f64,
    /// User plus system CPU seconds of the linker process (all its threads).
    pub cpu: f64,
    /// Peak resident set size in KiB (`ru_maxrss`).
    pub max_rss_kib: u64,
}

/// Links `spec` into `out` with `linker` plus `extra` arguments and measures the run. The old
/// output is deleted first so neither linker pays (or skips) for replacing it.
///
/// The linker is started by a fresh `xtask spawn-measured` process, not by this one: a child's
/// `ru_maxrss` starts at its parent's resident size when it forks (Linux carries the high-water
/// mark across `exec`), and this process holds tens of megabytes. The small intermediary adds
/// the same couple of megabytes to both linkers instead.
pub fn link(linker: &Path, spec: &LinkSpec, extra: &[&str], out: &Path) -> Result<Sample, String> {
    if out.exists() {
        fs::remove_file(out).map_err(|e| format!("cannot remove {}: {e}", out.display()))?;
    }
    let log = out.with_extension("stderr");
    let stderr = File::create(&log).map_err(|e| format!("{}: {e}", log.display()))?;
    let me = std::env::current_exe().map_err(|e| format!("cannot find xtask itself: {e}"))?;
    let mut cmd = Command::new(me);
    cmd.arg("spawn-measured")
        .arg(linker)
        .args(&spec.args)
        .args(extra)
        .arg("-o")
        .arg(out)
        .current_dir(&spec.cwd);
    cmd.stdin(Stdio::null()).stderr(stderr);
    let report = cmd
        .output()
        .map_err(|e| format!("cannot run xtask spawn-measured: {e}"))?;
    let text = String::from_utf8_lossy(&report.stdout);
    let fields: Vec<&str> = text.split_whitespace().collect();
    let parse = |i: usize| fields.get(i).and_then(|f| f.parse::<f64>().ok());
    let (Some(status), Some(wall), Some(cpu), Some(rss)) = (parse(0), parse(1), parse(2), parse(3))
    else {
        return Err(format!("spawn-measured printed {text:?}"));
    };
    if status != 0.0 {
        let text = fs::read_to_string(&log).unwrap_or_default();
        let head: Vec<&str> = text.lines().take(15).collect();
        return Err(format!(
            "{} failed (wait status {:#x}):\n{}",
            linker.display(),
            status as i64,
            head.join("\n")
        ));
    }
    Ok(Sample {
        wall,
        cpu,
        max_rss_kib: rss as u64,
    })
}

/// `links` more links of `spec` with `--time`: each phase and the median of its milliseconds,
/// as the linker prints them (`NAME: time: PHASE  X ms`), in their order; empty if it does not
/// understand `--time`. One run alone is at the mercy of the machine (and of the writeback of
/// the outputs written just before it).
pub fn phases(linker: &Path, spec: &LinkSpec, out: &Path, links: usize) -> Vec<(String, f64)> {
    let mut runs: Vec<Vec<(String, f64)>> = Vec::new();
    for _ in 0..links.max(1) {
        let phases = phases_once(linker, spec, out);
        if phases.is_empty() {
            return Vec::new();
        }
        runs.push(phases);
    }
    runs[0]
        .iter()
        .map(|(name, _)| {
            let ms = runs
                .iter()
                .filter_map(|r| r.iter().find(|(n, _)| n == name).map(|p| p.1));
            (name.clone(), super::report::median(ms.collect()))
        })
        .collect()
}

/// One link of `spec` with `--time`: each phase and its milliseconds.
fn phases_once(linker: &Path, spec: &LinkSpec, out: &Path) -> Vec<(String, f64)> {
    let run = Command::new(linker)
        .args(&spec.args)
        .args(["--time", "-o"])
        .arg(out)
        .current_dir(&spec.cwd)
        .stdin(Stdio::null())
        .output();
    let Some(run) = run.ok().filter(|r| r.status.success()) else {
        return Vec::new();
    };
    let stderr = String::from_utf8_lossy(&run.stderr);
    stderr
        .lines()
        .filter_map(|l| l.split_once("time: ")?.1.strip_suffix(" ms"))
        .filter_map(|rest| {
            let mut words = rest.split_whitespace();
            Some((words.next()?.to_string(), words.next()?.parse().ok()?))
        })
        .collect()
}

/// `xtask spawn-measured LINKER ARGS...`: runs the linker with this process's stdin, stderr and
/// directory, and prints `status wall-seconds cpu-seconds max-rss-kib` to stdout.
pub fn spawn_measured(args: &[String]) -> Result<(), String> {
    let (linker, rest) = args
        .split_first()
        .ok_or("usage: xtask spawn-measured LINKER ARGS...")?;
    // The linker's orphaned children become ours, to be measured too.
    // SAFETY: sets a flag of this process.
    unsafe { libc::prctl(libc::PR_SET_CHILD_SUBREAPER, 1) };
    let start = Instant::now();
    let child = Command::new(linker)
        .args(rest)
        .stdout(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot run {linker}: {e}"))?;
    let (status, usage) = reap(child.id())?;
    let wall = start.elapsed().as_secs_f64();
    let mut cpu = cpu_seconds(&usage);
    let mut rss = kib(usage.ru_maxrss);
    for orphan in reap_orphans() {
        cpu += cpu_seconds(&orphan);
        rss = rss.max(kib(orphan.ru_maxrss));
    }
    let code = if exited_ok(status) { 0 } else { status.max(1) };
    println!("{code} {wall} {cpu} {rss}");
    Ok(())
}

/// The usage of every process left to this one (a subreaper) once it ends.
fn reap_orphans() -> Vec<libc::rusage> {
    std::iter::from_fn(|| wait_usage(-1).ok().map(|(_, usage)| usage)).collect()
}

/// Waits for the child with `wait4`, retrying on `EINTR`, and returns its status and usage.
fn reap(pid: u32) -> Result<(i32, libc::rusage), String> {
    let pid = libc::pid_t::try_from(pid).map_err(|e| e.to_string())?;
    wait_usage(pid).map_err(|err| format!("wait4: {err}"))
}

/// `wait4` for `pid` (-1: any child), retrying on `EINTR`: the status and usage of the child
/// that ended; an error when there is none left.
fn wait_usage(pid: libc::pid_t) -> std::io::Result<(i32, libc::rusage)> {
    let mut status = 0;
    // SAFETY: an all-zero `rusage` is a valid value of that plain C struct.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    loop {
        // SAFETY: waits for a child of ours; both pointers are to live locals.
        if unsafe { libc::wait4(pid, &mut status, 0, &mut usage) } > 0 {
            return Ok((status, usage));
        }
        let err = std::io::Error::last_os_error();
        if err.kind() != std::io::ErrorKind::Interrupted {
            return Err(err);
        }
    }
}

fn exited_ok(status: i32) -> bool {
    libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0
}

fn cpu_seconds(usage: &libc::rusage) -> f64 {
    let secs = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    secs(usage.ru_utime) + secs(usage.ru_stime)
}

fn kib(max_rss: libc::c_long) -> u64 {
    u64::try_from(max_rss).unwrap_or(0)
}

/// The floor: the time to read every input file and write `out_size` bytes to `out`, the least
/// any linker must do.
pub fn floor(inputs: &[PathBuf], out_size: u64, out: &Path) -> Result<Duration, String> {
    let start = Instant::now();
    let mut total = 0usize;
    for input in inputs {
        total += fs::read(input)
            .map_err(|e| format!("{}: {e}", input.display()))?
            .len();
    }
    let size = usize::try_from(out_size).map_err(|e| e.to_string())?;
    fs::write(out, vec![(total % 251) as u8; size])
        .map_err(|e| format!("{}: {e}", out.display()))?;
    Ok(start.elapsed())
}

/// Runs a linked program under node's WASI and returns what it printed; a non-zero exit is an
/// error.
pub fn run_wasm(runner: &Path, wasm: &Path) -> Result<String, String> {
    let out = Command::new("node")
        .arg("--no-warnings")
        .arg(runner)
        .arg(wasm)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run node (install nodejs >= 20): {e}"))?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        return Err(format!(
            "{} under node: {}\n{err}",
            wasm.display(),
            out.status
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}
