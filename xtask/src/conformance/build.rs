//! Building: compiles a program in one configuration and records the exact link command its
//! compiler driver would run, so both linkers get the same objects and the same arguments.
//!
//! C and C++ objects come from `clang-19 -c`; the link command comes from the driver's `-###`
//! output. Rust goes through `rustc -C linker=<wrapper>`, a script that records the arguments
//! rustc passes, with `-C save-temps` keeping the objects they name. Everything lands in
//! `target/conformance/cache/<program>-<config>-<hash>/`, keyed by a hash of the sources, the
//! flags and the compiler versions, so unchanged programs are not rebuilt.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use super::corpus::{Config, Lang, Program, Target};
use super::exec;

/// The file in a cache entry holding its link arguments; written last, so it marks completion.
const RECORD: &str = "link-args.json";

/// Marks where the output path goes in a recorded link command.
pub const OUT: &str = "{out}";

/// Bump when the build recipe changes, so old cache entries are not reused.
const RECIPE_VERSION: &str = "conformance-build-1";

/// How long one compiler run may take.
const COMPILE_TIMEOUT: Duration = Duration::from_secs(300);

/// The driver's target arguments: wasm32-wasi with its sysroot, or freestanding wasm64 (whose
/// link line then starts `-m wasm64`).
fn target_args(target: Target) -> &'static [&'static str] {
    match target {
        Target::Wasm32 => &["--target=wasm32-wasi", "--sysroot=/usr"],
        Target::Wasm64 => &["--target=wasm64-unknown-unknown"],
    }
}

/// The tools and the cache, found once per run.
pub struct Toolchain {
    /// Where built programs are kept: their own objects are the files under it.
    pub cache: PathBuf,
    wrapper: PathBuf,
    /// Compiler versions and the recipe version: part of every cache key.
    fingerprint: String,
}

/// A built program: the linker arguments, with [`OUT`] for the output path.
pub struct Built {
    pub args: Vec<String>,
    /// Whether it came from the cache.
    pub cached: bool,
}

impl Toolchain {
    /// Checks the compilers are installed and writes the rustc linker wrapper under `work`.
    pub fn detect(work: &Path) -> Result<Toolchain, String> {
        let clang = version(
            "clang-19",
            &["--version"],
            "clang-19 (apt install clang-19)",
        )?;
        version(
            "clang++-19",
            &["--version"],
            "clang++-19 (apt install clang-19)",
        )?;
        version(
            "llvm-ar-19",
            &["--version"],
            "llvm-ar-19 (apt install llvm-19)",
        )?;
        let rustc = version("rustc", &["-vV"], "rustc (https://rustup.rs)")?;
        check_rust_target()?;
        let wrapper = work.join("rustc-linker.sh");
        write_wrapper(&wrapper)?;
        let fingerprint = format!("{RECIPE_VERSION}\n{clang}\n{rustc}");
        Ok(Toolchain {
            cache: work.join("cache"),
            wrapper,
            fingerprint,
        })
    }

    /// Builds `program` in `config`, or returns the cached build.
    ///
    /// A build happens in a directory private to this process and is renamed into place, so two
    /// harness runs sharing `target/conformance` never see each other's half-built entries.
    pub fn build(&self, program: &Program, config: Config) -> Result<Built, String> {
        let key = self.key(program, config)?;
        let slug = program.name.replace('/', "-");
        let dir = self.cache.join(format!("{slug}-{config}-{key:016x}"));
        if let Some(args) = read_record(&dir)? {
            return Ok(Built { args, cached: true });
        }
        let tmp = self.cache.join(format!(
            "{slug}-{config}-{key:016x}.tmp{}",
            std::process::id()
        ));
        let _ = fs::remove_dir_all(&tmp);
        fs::create_dir_all(&tmp).map_err(|e| format!("cannot create {}: {e}", tmp.display()))?;
        let args = match program.lang {
            Lang::Rust => build_rust(program, config, &tmp, &self.wrapper)?,
            Lang::C | Lang::Cpp => build_c(program, config, &tmp)?,
        };
        let args = relocate(args, &tmp, &dir);
        let json = serde_json::to_string_pretty(&args).map_err(|e| e.to_string())?;
        let record = tmp.join(RECORD);
        fs::write(&record, json).map_err(|e| format!("cannot write {}: {e}", record.display()))?;
        if fs::rename(&tmp, &dir).is_err() {
            // Another run finished the same entry first; its build is as good as ours.
            let _ = fs::remove_dir_all(&tmp);
            return read_record(&dir)?
                .map(|args| Built { args, cached: true })
                .ok_or_else(|| format!("cannot move the build into {}", dir.display()));
        }
        Ok(Built {
            args,
            cached: false,
        })
    }

    fn key(&self, program: &Program, config: Config) -> Result<u64, String> {
        let mut h = Fnv::new();
        h.add(self.fingerprint.as_bytes());
        h.add(
            format!(
                "{:?}{config}{:?}{:?}",
                program.lang, program.directives, program.sources
            )
            .as_bytes(),
        );
        for file in program.input_files()? {
            h.add(
                file.file_name()
                    .map(|f| f.as_encoded_bytes())
                    .unwrap_or_default(),
            );
            h.add(&fs::read(&file).map_err(|e| format!("cannot read {}: {e}", file.display()))?);
        }
        Ok(h.0)
    }
}

fn read_record(dir: &Path) -> Result<Option<Vec<String>>, String> {
    let record = dir.join(RECORD);
    let Ok(text) = fs::read_to_string(&record) else {
        return Ok(None);
    };
    let args = serde_json::from_str(&text)
        .map_err(|e| format!("bad cache entry {}: {e}", record.display()))?;
    Ok(Some(args))
}

/// Rewrites paths into the private build directory to where it will be renamed.
fn relocate(args: Vec<String>, from: &Path, to: &Path) -> Vec<String> {
    let (from, to) = (from.to_string_lossy(), to.to_string_lossy());
    args.into_iter()
        .map(|a| {
            a.strip_prefix(from.as_ref())
                .map_or_else(|| a.clone(), |rest| format!("{to}{rest}"))
        })
        .collect()
}

/// FNV-1a, 64 bits, with each part length-prefixed: enough to key a few hundred cache entries.
struct Fnv(u64);

impl Fnv {
    fn new() -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }

    fn add(&mut self, bytes: &[u8]) {
        for b in (bytes.len() as u64).to_le_bytes().iter().chain(bytes) {
            self.0 = (self.0 ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
}

fn version(tool: &str, args: &[&str], install: &str) -> Result<String, String> {
    let out = Command::new(tool)
        .args(args)
        .output()
        .map_err(|e| format!("cannot run {tool} ({e}): install {install}"))?;
    if !out.status.success() {
        return Err(format!(
            "`{tool} {}` failed: install {install}",
            args.join(" ")
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

fn check_rust_target() -> Result<(), String> {
    let out = Command::new("rustc")
        .args(["--print", "target-libdir", "--target", "wasm32-wasip1"])
        .output();
    let dir = out
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default();
    if dir.is_empty() || !Path::new(&dir).is_dir() {
        return Err(
            "the Rust target wasm32-wasip1 is missing: rustup target add wasm32-wasip1".into(),
        );
    }
    Ok(())
}

/// The wrapper records its arguments (one per line) where `CONFORMANCE_LINK_ARGS` says.
fn write_wrapper(path: &Path) -> Result<(), String> {
    let script =
        "#!/bin/sh\n# Written by cargo xtask conformance: records the link command rustc runs.\n\
                  printf '%s\\n' \"$@\" > \"$CONFORMANCE_LINK_ARGS\"\n";
    exec::write_atomically(path, script.as_bytes())
}

fn config_flags(lang: Lang, config: Config) -> Vec<&'static str> {
    match (lang, config) {
        (Lang::Rust, Config::O0) => vec!["-Copt-level=0"],
        (Lang::Rust, Config::O2 | Config::R) => vec!["-Copt-level=2"],
        (Lang::Rust, Config::Oz) => vec!["-Copt-level=z"],
        (Lang::Rust, Config::G) => vec!["-Copt-level=0", "-g"],
        (_, Config::O0) => vec!["-O0"],
        (_, Config::O2 | Config::R) => vec!["-O2"],
        (_, Config::Oz) => vec!["-Oz"],
        (_, Config::G) => vec!["-O0", "-g"],
        (Lang::Rust, Config::Pie) => vec!["-Copt-level=2", "-Crelocation-model=pic"],
        (_, Config::Pie) => vec!["-O2", "-fPIC", "-fvisibility=default"],
        // No Rust program gets this configuration (rustc's bitcode is newer than libLTO).
        (Lang::Rust, Config::Lto | Config::Thin) => vec!["-Copt-level=2"],
        (_, Config::Lto) => vec!["-O2", "-flto"],
        (_, Config::Thin) => vec!["-O2", "-flto=thin"],
    }
}

fn driver(lang: Lang) -> &'static str {
    if lang == Lang::Cpp {
        "clang++-19"
    } else {
        "clang-19"
    }
}

/// Runs a compiler step, turning a failure into an error carrying its stderr.
fn checked(cmd: Command, what: &str) -> Result<exec::Outcome, String> {
    let out = exec::run(cmd, &[], COMPILE_TIMEOUT)?;
    if !out.success() {
        let stderr = out.stderr_text();
        let first_error = stderr
            .lines()
            .find(|l| l.contains("error"))
            .or_else(|| stderr.lines().next());
        let why = first_error.unwrap_or("<no output>").trim();
        return Err(format!("{what} failed ({}): {why}", out.status()));
    }
    Ok(out)
}

fn compile_c(program: &Program, config: Config, source: &str, obj: &Path) -> Result<(), String> {
    let mut cmd = Command::new(driver(program.lang));
    cmd.args(target_args(program.directives.target))
        .args(config_flags(program.lang, config));
    if program.lang == Lang::Cpp {
        cmd.arg("-fno-exceptions");
    }
    cmd.args(&program.directives.compile_args)
        .arg("-c")
        .arg(program.dir.join(source))
        .arg("-o")
        .arg(obj);
    checked(cmd, &format!("compiling {source}")).map(drop)
}

fn object_name(dir: &Path, source: &str) -> PathBuf {
    dir.join(Path::new(source).with_extension("o"))
}

fn build_c(program: &Program, config: Config, dir: &Path) -> Result<Vec<String>, String> {
    let mut objects = Vec::new();
    for source in &program.sources {
        let obj = object_name(dir, source);
        compile_c(program, config, source, &obj)?;
        objects.push(obj);
    }
    let mut archives = Vec::new();
    for archive in &program.directives.archives {
        archives.push((
            archive.name.clone(),
            build_archive(program, config, dir, archive)?,
        ));
    }
    link_command(program, config, dir, &objects, &archives)
}

fn build_archive(
    program: &Program,
    config: Config,
    dir: &Path,
    a: &super::corpus::Archive,
) -> Result<PathBuf, String> {
    let members_dir = dir.join(format!("{}.d", a.name));
    fs::create_dir_all(&members_dir)
        .map_err(|e| format!("cannot create {}: {e}", members_dir.display()))?;
    let mut cmd = Command::new("llvm-ar-19");
    let path = dir.join(&a.name);
    cmd.arg("rcs").arg(&path);
    for member in &a.members {
        let obj = object_name(&members_dir, member);
        compile_c(program, config, member, &obj)?;
        cmd.arg(obj);
    }
    checked(cmd, &format!("archiving {}", a.name))?;
    Ok(path)
}

/// Asks the driver (`-###`) for the link command it would run on these inputs.
fn link_command(
    program: &Program,
    config: Config,
    dir: &Path,
    objects: &[PathBuf],
    archives: &[(String, PathBuf)],
) -> Result<Vec<String>, String> {
    let d = &program.directives;
    let mut cmd = driver_without_path(program.lang, dir)?;
    cmd.args(target_args(d.target))
        .args(config_flags(program.lang, config));
    if d.is_reactor() {
        cmd.arg("-mexec-model=reactor");
    }
    cmd.args(&d.driver_args).args(objects);
    let mut placed = Vec::new();
    for arg in &d.link_args {
        match archives.iter().find(|(name, _)| name == arg) {
            Some((name, path)) => {
                cmd.arg(path);
                placed.push(name);
            }
            None => {
                cmd.arg(format!("-Wl,{arg}"));
            }
        }
    }
    cmd.args(
        archives
            .iter()
            .filter(|(n, _)| !placed.contains(&n))
            .map(|(_, p)| p),
    );
    cmd.arg("-o").arg(dir.join("a.wasm")).arg("-###");
    let out = checked(cmd, "asking the driver for its link command (-###)")?;
    parse_driver_output(&out.stderr_text())
}

/// The driver, run with an empty `PATH`: clang looks tools up there, and with binaryen on it
/// adds `--keep-section=target_features` to the link line (and would run `wasm-opt` after it),
/// so the line would depend on what else is installed.
fn driver_without_path(lang: Lang, dir: &Path) -> Result<Command, String> {
    let name = driver(lang);
    let path = std::env::var_os("PATH").unwrap_or_default();
    let found = std::env::split_paths(&path)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
        .ok_or_else(|| format!("{name} not found on PATH (run scripts/setup.sh)"))?;
    let empty = dir.join("empty-path");
    fs::create_dir_all(&empty).map_err(|e| format!("{}: {e}", empty.display()))?;
    let mut cmd = Command::new(found);
    cmd.env("PATH", empty);
    Ok(cmd)
}

/// Finds the `wasm-ld` line of `-###` output and returns its arguments with [`OUT`] for `-o`.
fn parse_driver_output(text: &str) -> Result<Vec<String>, String> {
    let line = text
        .lines()
        .rev()
        .find(|l| l.trim_start().starts_with('"') && l.contains("wasm-ld"))
        .ok_or_else(|| format!("no wasm-ld command in the driver's -### output:\n{text}"))?;
    let mut args = split_quoted(line)?;
    if args.is_empty() {
        return Err("empty link command".into());
    }
    args.remove(0);
    replace_output(args)
}

/// Splits `"a" "b c" "d\"e"` into its words.
fn split_quoted(line: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if c != '"' {
            continue;
        }
        let mut word = String::new();
        loop {
            match chars.next() {
                Some('"') => break,
                Some('\\') => word.push(chars.next().ok_or("dangling backslash")?),
                Some(ch) => word.push(ch),
                None => return Err(format!("unterminated quote in {line}")),
            }
        }
        words.push(word);
    }
    Ok(words)
}

fn replace_output(mut args: Vec<String>) -> Result<Vec<String>, String> {
    let i = args
        .iter()
        .position(|a| a == "-o")
        .ok_or("link command has no -o")?;
    let slot = args.get_mut(i + 1).ok_or("link command ends with -o")?;
    *slot = OUT.to_string();
    Ok(args)
}

fn build_rust(
    program: &Program,
    config: Config,
    dir: &Path,
    wrapper: &Path,
) -> Result<Vec<String>, String> {
    let d = &program.directives;
    let record = dir.join("rustc-link-args.txt");
    let mut cmd = Command::new("rustc");
    cmd.current_dir(dir)
        .env("TMPDIR", dir)
        .env("CONFORMANCE_LINK_ARGS", &record);
    cmd.args([
        "--edition=2021",
        "--target=wasm32-wasip1",
        "-Cpanic=abort",
        "-Csave-temps",
    ]);
    cmd.args(config_flags(Lang::Rust, config))
        .arg(format!("-Clinker={}", wrapper.display()));
    if let Some(t) = &d.crate_type {
        cmd.arg(format!("--crate-type={t}"));
    }
    cmd.args(&d.compile_args)
        .args(d.link_args.iter().map(|a| format!("-Clink-arg={a}")));
    cmd.arg(program.dir.join(&program.sources[0]))
        .arg("-o")
        .arg(dir.join("a.wasm"));
    checked(cmd, "rustc")?;
    let text = fs::read_to_string(&record)
        .map_err(|e| format!("rustc did not run the linker wrapper: {e}"))?;
    remove_bitcode(dir);
    let args = text.lines().map(|a| absolute(dir, a)).collect();
    replace_output(args)
}

/// rustc names its objects relative to its working directory; the linkers run elsewhere.
fn absolute(dir: &Path, arg: &str) -> String {
    let p = dir.join(arg);
    if !Path::new(arg).is_absolute() && !arg.starts_with('-') && p.is_file() {
        return p.to_string_lossy().into_owned();
    }
    arg.to_string()
}

/// `-C save-temps` keeps bitcode nobody links; it is most of the cache's size.
fn remove_bitcode(dir: &Path) {
    let Ok(rd) = fs::read_dir(dir) else { return };
    for entry in rd.flatten() {
        if entry.path().extension().is_some_and(|e| e == "bc") {
            let _ = fs::remove_file(entry.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_driver_link_line() {
        let text = "clang version 19\n \"/usr/bin/clang\" \"-cc1\"\n \"/usr/bin/wasm-ld-19\" \"-m\" \"wasm32\" \
                    \"a b.o\" \"x\\\"y\" \"-o\" \"a.out\"\n";
        let args = parse_driver_output(text).unwrap();
        assert_eq!(args, ["-m", "wasm32", "a b.o", "x\"y", "-o", OUT]);
    }

    #[test]
    fn driver_output_without_linker_is_an_error() {
        assert!(parse_driver_output(" \"/usr/bin/clang\" \"-cc1\"\n").is_err());
    }

    #[test]
    fn relocates_private_build_paths() {
        let args = vec![
            "/c/x.tmp9/a.o".to_string(),
            "-lc".to_string(),
            "/c/x.tmp9".to_string(),
        ];
        let moved = relocate(args, Path::new("/c/x.tmp9"), Path::new("/c/x"));
        assert_eq!(moved, ["/c/x/a.o", "-lc", "/c/x"]);
    }

    #[test]
    fn hash_depends_on_part_boundaries() {
        let (mut a, mut b) = (Fnv::new(), Fnv::new());
        a.add(b"ab");
        a.add(b"c");
        b.add(b"a");
        b.add(b"bc");
        assert_ne!(a.0, b.0);
    }
}
