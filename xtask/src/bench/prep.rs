//! Building a workload once and keeping it: cache directories keyed by a content hash, parallel
//! compiles, and turning the driver's `-###` output into a replayable [`LinkSpec`].

use serde::{Deserialize, Serialize};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// A link that can be replayed: the linker's arguments without the linker itself and without
/// `-o`, run from `cwd`.
#[derive(Serialize, Deserialize, Clone, Debug)]
pub struct LinkSpec {
    /// The directory the linker runs in; relative paths in `args` are relative to it.
    pub cwd: PathBuf,
    /// The arguments clang or rustc gave the linker, minus the program name and `-o <file>`.
    pub args: Vec<String>,
}

const SPEC_FILE: &str = "link.json";

/// A 64-bit FNV-1a hash over length-prefixed parts, as 16 hex digits: a cache key that is the
/// same on every machine and Rust version, which `DefaultHasher` does not promise.
pub fn content_key(parts: &[&[u8]]) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut eat = |bytes: &[u8]| {
        for &b in bytes {
            hash ^= u64::from(b);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    };
    for part in parts {
        eat(&(part.len() as u64).to_le_bytes());
        eat(part);
    }
    format!("{hash:016x}")
}

/// Returns the spec stored in `dir` if an earlier preparation finished there and every file it
/// names still exists (a Rust link names rlibs in a shared target directory).
pub fn cached_spec(dir: &Path) -> Option<LinkSpec> {
    let text = fs::read_to_string(dir.join(SPEC_FILE)).ok()?;
    let spec: LinkSpec = serde_json::from_str(&text).ok()?;
    let paths = spec
        .args
        .iter()
        .filter(|a| !a.starts_with('-') && a.contains('/'));
    paths
        .into_iter()
        .all(|a| spec.cwd.join(a).exists())
        .then_some(spec)
}

/// Stores `spec` in `dir`; written last and renamed into place, so its presence marks a
/// complete preparation.
pub fn store_spec(dir: &Path, spec: &LinkSpec) -> Result<(), String> {
    let text = serde_json::to_string_pretty(spec).map_err(|e| e.to_string())?;
    let tmp = dir.join(format!("{SPEC_FILE}.tmp"));
    fs::write(&tmp, text).map_err(|e| format!("cannot write {}: {e}", tmp.display()))?;
    fs::rename(&tmp, dir.join(SPEC_FILE)).map_err(|e| format!("cannot store link spec: {e}"))
}

/// Empties (or creates) the cache directory of an unfinished or new preparation.
pub fn fresh_dir(dir: &Path) -> Result<(), String> {
    if dir.exists() {
        fs::remove_dir_all(dir).map_err(|e| format!("cannot clear {}: {e}", dir.display()))?;
    }
    fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))
}

/// Writes `text` to `path`, naming the file on failure.
pub fn write(path: &Path, text: &str) -> Result<(), String> {
    fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// Runs a command to completion and returns its stdout; on failure the error carries stderr.
pub fn output(cmd: &mut Command) -> Result<String, String> {
    let out = cmd
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run {:?}: {e}", cmd.get_program()))?;
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr);
        let tail: Vec<&str> = stderr.lines().rev().take(20).collect();
        let tail: Vec<&str> = tail.into_iter().rev().collect();
        return Err(format!(
            "{cmd:?} failed ({}):\n{}",
            out.status,
            tail.join("\n")
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Fails with an install hint when a required tool is not on `PATH`.
pub fn require_tool(tool: &str, package: &str) -> Result<(), String> {
    let found = Command::new(tool)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok();
    found
        .then_some(())
        .ok_or_else(|| format!("`{tool}` not found: install {package}"))
}

/// The `--version` text of a tool, part of cache keys so a compiler upgrade rebuilds.
pub fn tool_version(tool: &str) -> Result<String, String> {
    output(Command::new(tool).arg("--version"))
}

/// Runs `job` over `items` on every core, stopping at the first error.
pub fn parallel<T: Sync>(
    items: &[T],
    job: impl Fn(&T) -> Result<(), String> + Sync,
) -> Result<(), String> {
    let next = AtomicUsize::new(0);
    let failure = Mutex::new(None);
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get());
    std::thread::scope(|scope| {
        for _ in 0..workers.min(items.len()) {
            scope.spawn(|| work(items, &job, &next, &failure));
        }
    });
    match failure.into_inner() {
        Ok(None) => Ok(()),
        Ok(Some(e)) => Err(e),
        Err(_) => Err("a compile worker panicked".into()),
    }
}

fn work<T>(
    items: &[T],
    job: &(impl Fn(&T) -> Result<(), String> + Sync),
    next: &AtomicUsize,
    failure: &Mutex<Option<String>>,
) {
    loop {
        let i = next.fetch_add(1, Ordering::Relaxed);
        let Some(item) = items.get(i) else { return };
        if let Err(e) = job(item) {
            if let Ok(mut slot) = failure.lock() {
                slot.get_or_insert(e);
            }
            next.store(items.len(), Ordering::Relaxed);
            return;
        }
    }
}

/// How to compile and link one C or C++ workload in its cache directory.
pub struct CBuild<'a> {
    /// `clang-19` or `clang++-19`.
    pub compiler: &'a str,
    /// Flags for every compile and for the link driver (target, sysroot, `-O`, `-g`, ...).
    pub flags: &'a [&'a str],
    /// The directory holding the sources; objects go to `<dir>/obj`.
    pub dir: &'a Path,
    /// Source file names relative to `dir`.
    pub sources: &'a [String],
}

impl CBuild<'_> {
    /// Compiles every source in parallel, then asks the driver how it would link them.
    pub fn run(&self) -> Result<LinkSpec, String> {
        fs::create_dir_all(self.dir.join("obj")).map_err(|e| e.to_string())?;
        parallel(self.sources, |src| self.compile(src))?;
        let objects: Vec<String> = self.sources.iter().map(|s| object_name(s)).collect();
        let listing = self.driver_listing(&objects)?;
        let args = linker_line(&listing)?;
        Ok(LinkSpec {
            cwd: self.dir.to_path_buf(),
            args: without_output(&args),
        })
    }

    fn compile(&self, src: &str) -> Result<(), String> {
        let mut cmd = Command::new(self.compiler);
        cmd.args(self.flags)
            .args(["-c", src, "-o", &object_name(src)]);
        output(cmd.current_dir(self.dir)).map(drop)
    }

    /// The driver's `-###` listing of the link step, printed on stderr.
    fn driver_listing(&self, objects: &[String]) -> Result<String, String> {
        let mut cmd = Command::new(self.compiler);
        cmd.args(self.flags)
            .args(objects)
            .args(["-o", "out.wasm", "-###"]);
        let out = cmd
            .current_dir(self.dir)
            .output()
            .map_err(|e| e.to_string())?;
        if !out.status.success() {
            return Err(format!(
                "{cmd:?} failed: {}",
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        Ok(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

fn object_name(src: &str) -> String {
    let stem = Path::new(src)
        .file_stem()
        .map_or_else(|| src.into(), |s| s.to_string_lossy());
    format!("obj/{stem}.o")
}

/// Finds the linker invocation in a `-###` listing and returns its arguments after the
/// program name.
pub fn linker_line(listing: &str) -> Result<Vec<String>, String> {
    let line = listing
        .lines()
        .filter(|l| l.trim_start().starts_with('"'))
        .find(|l| {
            quoted_words(l)
                .first()
                .is_some_and(|p| p.contains("wasm-ld"))
        })
        .ok_or_else(|| format!("no wasm-ld line in the driver's -### output:\n{listing}"))?;
    Ok(quoted_words(line).into_iter().skip(1).collect())
}

/// Splits a `-###` line into its double-quoted words, undoing backslash escapes.
fn quoted_words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut chars = line.chars();
    while chars.by_ref().any(|c| c == '"') {
        let mut word = String::new();
        while let Some(c) = chars.next() {
            match c {
                '"' => break,
                '\\' => word.extend(chars.next()),
                _ => word.push(c),
            }
        }
        words.push(word);
    }
    words
}

/// Drops `-o <file>` (and `-o<file>`), since each measured run names its own output.
pub fn without_output(args: &[String]) -> Vec<String> {
    let mut kept = Vec::with_capacity(args.len());
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        if arg == "-o" {
            iter.next();
        } else if !(arg.starts_with("-o") && arg.len() > 2 && !arg.starts_with("-o=")) {
            kept.push(arg.clone());
        }
    }
    kept
}

/// The files a link reads: plain file arguments plus each `-l` found in the `-L` directories,
/// which the floor measurement reads back.
pub fn input_files(spec: &LinkSpec) -> Vec<PathBuf> {
    let at = |p: &str| spec.cwd.join(p);
    let dirs = search_dirs(&spec.args);
    let mut files = Vec::new();
    let mut iter = spec.args.iter();
    while let Some(arg) = iter.next() {
        let lib = match arg.as_str() {
            "-l" => iter.next().map(String::as_str),
            a if a.starts_with("-l") => Some(&a[2..]),
            _ => None,
        };
        if let Some(name) = lib {
            let archive = format!("lib{name}.a");
            files.extend(
                dirs.iter()
                    .map(|d| at(d).join(&archive))
                    .find(|p| p.is_file()),
            );
        } else if !arg.starts_with('-') && at(arg).is_file() {
            files.push(at(arg));
        }
    }
    files
}

fn search_dirs(args: &[String]) -> Vec<String> {
    let mut dirs = Vec::new();
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        if arg == "-L" {
            dirs.extend(iter.next().cloned());
        } else if let Some(dir) = arg.strip_prefix("-L") {
            dirs.push(dir.to_string());
        }
    }
    dirs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linker_line_is_found_and_unquoted() {
        let listing =
            "clang version 19\n \"/usr/bin/clang-19\" \"-cc1\"\n \"/usr/bin/wasm-ld-19\" \
                       \"-m\" \"wasm32\" \"a \\\"b\\\".o\" \"-o\" \"out.wasm\"\n";
        let args = linker_line(listing).unwrap();
        assert_eq!(args, ["-m", "wasm32", "a \"b\".o", "-o", "out.wasm"]);
        assert_eq!(without_output(&args), ["-m", "wasm32", "a \"b\".o"]);
    }

    #[test]
    fn missing_linker_line_is_an_error() {
        assert!(linker_line(" \"/usr/bin/clang-19\" \"-cc1\"\n").is_err());
    }

    #[test]
    fn content_key_separates_parts() {
        assert_ne!(content_key(&[b"ab", b"c"]), content_key(&[b"a", b"bc"]));
        assert_eq!(content_key(&[b"x"]).len(), 16);
    }

    #[test]
    fn libraries_resolve_through_later_search_dirs() {
        let dir = std::env::temp_dir().join(format!("bench-inputs-{}", std::process::id()));
        fs::create_dir_all(dir.join("lib")).unwrap();
        fs::write(dir.join("lib/libz.a"), b"!<arch>\n").unwrap();
        fs::write(dir.join("a.o"), b"\0asm").unwrap();
        let args = ["a.o", "-l", "z", "--export", "main", "-L", "lib"];
        let spec = LinkSpec {
            cwd: dir.clone(),
            args: args.map(String::from).to_vec(),
        };
        assert_eq!(
            input_files(&spec),
            [dir.join("a.o"), dir.join("lib").join("libz.a")]
        );
        fs::remove_dir_all(dir).unwrap();
    }
}
