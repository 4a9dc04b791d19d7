//! The `sqlite` workloads: the SQLite amalgamation as the npm package `better-sqlite3` ships it
//! (`deps/sqlite3/sqlite3.c`), fetched with `npm pack` into the cache, plus `bench/sqlite/main.c`.
//! WASI needs only two defines: no `dlopen` (`SQLITE_OMIT_LOAD_EXTENSION`) and no threads
//! (`SQLITE_THREADSAFE=0`); the VFS compiles against wasi-libc as it is.

use super::prep::{self, LinkSpec};
use super::workloads::{self, Dirs, Workload};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The package version, pinned so the cache key and the measured code stay put.
const PACKAGE: &str = "better-sqlite3";
const VERSION: &str = "12.11.1";
const DEFINES: [&str; 2] = ["-DSQLITE_OMIT_LOAD_EXTENSION", "-DSQLITE_THREADSAFE=0"];

/// Prepares `sqlite` (`-O2`), `sqlite-g` (`-O0 -g`), `sqlite-lto` (`-O2 -flto`) or
/// `sqlite-thin` (`-O2 -flto=thin`); returns the spec and whether it was cached.
pub fn prepare(dirs: &Dirs, workload: Workload) -> Result<(LinkSpec, bool), String> {
    let package = unpacked(dirs)?;
    let amalgamation = find_file(&package, "sqlite3.c")
        .ok_or_else(|| format!("no sqlite3.c under {}", package.display()))?;
    let header = amalgamation.with_file_name("sqlite3.h");
    let read = |p: &Path| fs::read_to_string(p).map_err(|e| format!("{}: {e}", p.display()));
    let files = vec![
        ("sqlite3.c".to_string(), read(&amalgamation)?),
        ("sqlite3.h".to_string(), read(&header)?),
        (
            "main.c".to_string(),
            read(&dirs.root.join("bench/sqlite/main.c"))?,
        ),
    ];
    let opt: &[&str] = match workload {
        Workload::Sqlite { debug: true } => &["-O0", "-g"],
        Workload::SqliteLto { thin: false } => &["-O2", "-flto"],
        Workload::SqliteLto { thin: true } => &["-O2", "-flto=thin"],
        _ => &["-O2"],
    };
    let flags: Vec<&str> = [&workloads::WASI[..], &DEFINES, opt].concat();
    workloads::generated(workload.name(), "clang-19", &flags, &files, dirs)
}

/// The unpacked package under `target/bench/npm`, fetched and unpacked on first use.
fn unpacked(dirs: &Dirs) -> Result<PathBuf, String> {
    let npm = dirs.cache.join("npm");
    let dest = npm.join(format!("{PACKAGE}-{VERSION}"));
    let done = dest.join(".unpacked");
    if done.exists() {
        return Ok(dest);
    }
    prep::require_tool("npm", "npm (Debian package `npm`)")?;
    prep::fresh_dir(&dest)?;
    let tarball = npm.join(format!("{PACKAGE}-{VERSION}.tgz"));
    if !tarball.exists() {
        let spec = format!("{PACKAGE}@{VERSION}");
        let mut pack = Command::new("npm");
        pack.args(["pack", &spec, "--silent", "--pack-destination"])
            .arg(&npm);
        prep::output(&mut pack)?;
    }
    prep::output(
        Command::new("tar")
            .arg("xzf")
            .arg(&tarball)
            .arg("-C")
            .arg(&dest),
    )?;
    prep::write(&done, VERSION)?;
    Ok(dest)
}

/// Finds a file by name anywhere under `dir`, because where a package keeps the amalgamation
/// has moved between releases.
fn find_file(dir: &Path, name: &str) -> Option<PathBuf> {
    let entries = fs::read_dir(dir).ok()?;
    let mut subdirs = Vec::new();
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            subdirs.push(path);
        } else if entry.file_name() == name {
            return Some(path);
        }
    }
    subdirs.sort();
    subdirs.iter().find_map(|d| find_file(d, name))
}
