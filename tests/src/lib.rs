//! Shared helpers for end-to-end tests: the fixture corpus (compiled on demand from
//! `fixtures/c` and `fixtures/asm`, cached by a hash of source and command), the real archives
//! of the wasm32-wasi sysroot, and a way to run the LLVM tools we compare against.
//!
//! Every helper fails loudly, naming the Debian package to install, when a tool or library is
//! missing: no test is skipped silently.
//!
//! No test links through the clang driver: clang looks tools up on `PATH`, and with binaryen
//! there it runs `wasm-opt` over the linked module. [`clang_link_line`] takes the link line
//! from `clang -###` instead, and tests run each linker on it themselves.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// One compiled fixture.
#[derive(Clone, Debug)]
pub struct Fixture {
    /// The source path relative to `fixtures/`, e.g. `c/data.c`.
    pub name: String,
    /// The absolute path of the source.
    pub source: PathBuf,
    /// The compiled object, under `<target>/fixtures/<hash>/`.
    pub object: PathBuf,
}

/// The workspace root (the parent of this crate).
pub fn workspace_root() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().unwrap_or(manifest).to_path_buf()
}

/// Cargo's target directory: `$CARGO_TARGET_DIR` if set, else `<workspace>/target`.
pub fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => workspace_root().join("target"),
    }
}

/// The Debian package that provides a tool or file we need.
fn package_for(what: &str) -> &'static str {
    match what {
        "clang-19" => "clang-19",
        "libc.a" | "crt1-command.o" => "wasi-libc",
        "libc++.a" => "libc++-19-dev-wasm32",
        "libc++abi.a" => "libc++abi-19-dev-wasm32",
        "meson" => "meson",
        "ninja" => "ninja-build",
        _ => "llvm-19",
    }
}

/// The path of an executable on `$PATH`; panics naming the package when it is missing.
pub fn require_tool(name: &str) -> PathBuf {
    let found = std::env::var_os("PATH")
        .into_iter()
        .flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .map(|dir| dir.join(name))
        .find(|p| p.is_file());
    found.unwrap_or_else(|| {
        panic!(
            "`{name}` not found on PATH: install the Debian package `{}`",
            package_for(name)
        )
    })
}

/// Runs a tool and returns its stdout; panics with its stderr when it fails.
pub fn run_tool(name: &str, args: &[&std::ffi::OsStr]) -> String {
    let tool = require_tool(name);
    let out = Command::new(&tool)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", tool.display()));
    if !out.status.success() {
        panic!(
            "{name} {args:?} failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn require_file(path: &Path, what: &str) -> PathBuf {
    if !path.is_file() {
        panic!(
            "{} not found: install the Debian package `{}`",
            path.display(),
            package_for(what)
        );
    }
    path.to_path_buf()
}

/// wasi-libc's `libc.a`.
pub fn libc_archive() -> PathBuf {
    require_file(Path::new("/usr/lib/wasm32-wasi/libc.a"), "libc.a")
}

/// libc++ for wasm32-wasi.
pub fn libcxx_archive() -> PathBuf {
    require_file(
        Path::new("/usr/lib/llvm-19/lib/wasm32-wasi/libc++.a"),
        "libc++.a",
    )
}

/// libc++abi for wasm32-wasi.
pub fn libcxxabi_archive() -> PathBuf {
    require_file(
        Path::new("/usr/lib/llvm-19/lib/wasm32-wasi/libc++abi.a"),
        "libc++abi.a",
    )
}

/// The three real archives: libc, libc++, libc++abi.
pub fn real_archives() -> [PathBuf; 3] {
    [libc_archive(), libcxx_archive(), libcxxabi_archive()]
}

/// FNV-1a, 64 bits: a stable hash for cache keys (std's hasher may change between releases).
fn fnv1a(parts: &[&[u8]]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for &b in part.iter().chain(&[0xff]) {
            h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}

/// Extra flags from a `fixture-flags:` line in the first lines of a source.
fn fixture_flags(source: &str) -> Vec<String> {
    let line = source
        .lines()
        .take(3)
        .find_map(|l| l.split_once("fixture-flags:"));
    line.map(|(_, flags)| flags.split_whitespace().map(str::to_owned).collect())
        .unwrap_or_default()
}

/// The tool and arguments (without input and output) that compile a fixture: its own
/// `fixture-flags:`, then `extra` (a later `--target` or `-O` wins).
fn compile_command(path: &Path, source: &str, extra: &[&str]) -> (&'static str, Vec<String>) {
    let mut flags = fixture_flags(source);
    flags.extend(extra.iter().map(|f| f.to_string()));
    let mut args: Vec<String> = Vec::new();
    let tool = if path.extension().is_some_and(|e| e == "s") {
        args.push("-filetype=obj".into());
        if !flags.iter().any(|f| f.starts_with("-triple")) {
            args.push("-triple=wasm32-unknown-unknown".into());
        }
        "llvm-mc-19"
    } else {
        args.extend(["-c", "-O1"].map(String::from));
        if !flags.iter().any(|f| f.starts_with("--target")) {
            args.extend(["--target=wasm32-wasi", "--sysroot=/usr"].map(String::from));
        }
        "clang-19"
    };
    args.extend(flags);
    (tool, args)
}

/// Compiles one source into the cache, unless an object for the same source and command is
/// already there. Writes to a temporary name and renames, so parallel test binaries agree.
fn build_fixture(name: String, source_path: PathBuf, extra: &[&str]) -> Fixture {
    let source = std::fs::read_to_string(&source_path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", source_path.display()));
    let (tool, args) = compile_command(&source_path, &source, extra);
    let joined = args.join(" ");
    let hash = fnv1a(&[
        source.as_bytes(),
        tool.as_bytes(),
        joined.as_bytes(),
        name.as_bytes(),
    ]);
    let dir = target_dir().join("fixtures").join(format!("{hash:016x}"));
    let file_name = Path::new(&name)
        .file_name()
        .map(|f| f.to_string_lossy().into_owned());
    let object = dir.join(format!("{}.o", file_name.unwrap_or_default()));
    if !object.is_file() {
        compile(tool, &args, &source_path, &object);
    }
    Fixture {
        name,
        source: source_path,
        object,
    }
}

/// A name part no other build running now uses: tests in one process (one pid) may build the
/// same file at the same moment, each into its own temporary, renamed into place.
fn private_suffix() -> String {
    static CALLS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let call = CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    format!("tmp{}-{call}", std::process::id())
}

fn compile(tool: &str, args: &[String], source: &Path, object: &Path) {
    let dir = object.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).unwrap_or_else(|e| panic!("cannot create {}: {e}", dir.display()));
    let tmp = object.with_extension(format!("o.{}", private_suffix()));
    let mut all: Vec<&std::ffi::OsStr> = args.iter().map(|a| a.as_ref()).collect();
    all.extend([source.as_os_str(), "-o".as_ref(), tmp.as_os_str()]);
    run_tool(tool, &all);
    std::fs::rename(&tmp, object)
        .unwrap_or_else(|e| panic!("cannot rename {}: {e}", tmp.display()));
}

/// Every source under `fixtures/c` and `fixtures/asm`, sorted, as `(name, path)`.
fn fixture_sources() -> Vec<(String, PathBuf)> {
    let root = workspace_root().join("fixtures");
    let mut out = Vec::new();
    for sub in ["c", "asm"] {
        let dir = root.join(sub);
        let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        for entry in entries.flatten() {
            let path = entry.path();
            let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
            if matches!(ext, "c" | "cpp" | "s") {
                let file = entry.file_name().to_string_lossy().into_owned();
                out.push((format!("{sub}/{file}"), path));
            }
        }
    }
    out.sort();
    out
}

/// The compiled fixture corpus, built once per process (in parallel) and cached on disk.
pub fn fixtures() -> &'static [Fixture] {
    static FIXTURES: OnceLock<Vec<Fixture>> = OnceLock::new();
    FIXTURES.get_or_init(|| {
        require_tool("clang-19");
        require_tool("llvm-mc-19");
        let sources = fixture_sources();
        std::thread::scope(|s| {
            let handles: Vec<_> = sources
                .into_iter()
                .map(|(name, path)| s.spawn(move || build_fixture(name, path, &[])))
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
                .collect()
        })
    })
}

/// The fixture named `name` (e.g. `c/data.c`).
pub fn fixture(name: &str) -> &'static Fixture {
    let found = fixtures().iter().find(|f| f.name == name);
    found.unwrap_or_else(|| panic!("no fixture named {name}"))
}

/// The fixture named `name` compiled with `extra` flags after its own, e.g.
/// `["--target=wasm64-unknown-unknown", "-O0"]`; cached like the corpus.
pub fn fixture_with(name: &str, extra: &[&str]) -> Fixture {
    let source = workspace_root().join("fixtures").join(name);
    assert!(source.is_file(), "no fixture named {name}");
    build_fixture(name.to_string(), source, extra)
}

/// A source anywhere in the workspace (`rel` to its root, e.g. `conformance/c/bss.c`) compiled
/// like a fixture with `extra` flags; cached like the corpus.
pub fn compiled_source(rel: &str, extra: &[&str]) -> Fixture {
    let source = workspace_root().join(rel);
    assert!(source.is_file(), "no source {rel}");
    build_fixture(rel.to_string(), source, extra)
}

/// [`link_pair`] as a tuple: (ours, theirs).
pub fn link_both(group: &str, name: &str, args: &[std::ffi::OsString]) -> (LinkRun, LinkRun) {
    let pair = link_pair(group, name, args);
    (pair.ours, pair.theirs)
}

/// The archive dialects `llvm-ar` can write.
#[derive(Clone, Copy, Debug)]
pub enum ArFormat {
    /// `--format=gnu`.
    Gnu,
    /// `--format=bsd`.
    Bsd,
}

/// Builds (once, cached by content) an archive of `members` with `llvm-ar-19`, each member
/// copied under the given name first so that long member names can be tested.
pub fn build_archive(format: ArFormat, members: &[(&str, &Path)]) -> PathBuf {
    let fmt = match format {
        ArFormat::Gnu => "gnu",
        ArFormat::Bsd => "bsd",
    };
    let mut parts: Vec<Vec<u8>> = vec![fmt.as_bytes().to_vec()];
    for (name, path) in members {
        parts.push(name.as_bytes().to_vec());
        parts.push(std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())));
    }
    let refs: Vec<&[u8]> = parts.iter().map(Vec::as_slice).collect();
    let dir = target_dir()
        .join("fixtures")
        .join(format!("ar-{:016x}", fnv1a(&refs)));
    let archive = dir.join(format!("lib{fmt}.a"));
    if !archive.is_file() {
        make_archive(fmt, members, &dir, &archive);
    }
    archive
}

fn make_archive(fmt: &str, members: &[(&str, &Path)], dir: &Path, archive: &Path) {
    let staging = dir.join(format!("members.{}", private_suffix()));
    std::fs::create_dir_all(&staging).unwrap_or_else(|e| panic!("{}: {e}", staging.display()));
    let tmp = dir.join(format!("{}.a", private_suffix()));
    let format = format!("--format={fmt}");
    let mut args: Vec<std::ffi::OsString> = vec![format.into(), "rcs".into(), tmp.clone().into()];
    for (name, path) in members {
        let copy = staging.join(name);
        std::fs::copy(path, &copy).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        args.push(copy.into());
    }
    let refs: Vec<&std::ffi::OsStr> = args.iter().map(|a| a.as_os_str()).collect();
    run_tool("llvm-ar-19", &refs);
    std::fs::rename(&tmp, archive).unwrap_or_else(|e| panic!("{}: {e}", tmp.display()));
    let _ = std::fs::remove_dir_all(&staging);
}

/// Builds a binary of `wasm-link-cli` once per process and returns its path: the `release` one
/// (the binary users run) when this test runs optimized (`--release` or `cargo xtask ci`'s `ci`
/// profile), else the debug one. Binaries of another package are not visible through
/// `CARGO_BIN_EXE_*`.
pub fn cli_binary(name: &str) -> PathBuf {
    cli_binary_in(name, !cfg!(debug_assertions))
}

/// [`cli_binary`] in the release profile, or in the debug one (overflow checks on), whatever
/// profile this test runs in.
pub fn cli_binary_in(name: &str, release: bool) -> PathBuf {
    static BUILT: std::sync::Mutex<Vec<(String, bool)>> = std::sync::Mutex::new(Vec::new());
    let profile = if release { "release" } else { "debug" };
    let bin = target_dir().join(profile).join(name);
    let mut built = BUILT.lock().unwrap_or_else(|e| e.into_inner());
    if !built.iter().any(|(b, r)| b == name && *r == release) {
        let mut cmd = std::process::Command::new(env!("CARGO"));
        cmd.args(["build", "--quiet", "-p", "wasm-link-cli", "--bin", name]);
        if release {
            cmd.arg("--release");
        }
        let status = cmd
            .current_dir(workspace_root())
            .env("CARGO_TARGET_DIR", target_dir())
            .status()
            .expect("cannot run cargo");
        assert!(status.success(), "cargo build of {name} failed");
        assert!(bin.is_file(), "{} was not built", bin.display());
        built.push((name.to_string(), release));
    }
    bin
}

/// Runs a WASI command module under node (arguments `prog a1`); returns (stdout, exit code),
/// with 134 for a trap or a failed instantiation.
pub fn node_run(module: &Path) -> (String, i32) {
    require_tool("node");
    let runner = "const {WASI}=require('node:wasi');const fs=require('fs');\
        const w=new WASI({version:'preview1',args:['prog','a1'],env:{},returnOnExit:true});\
        WebAssembly.instantiate(fs.readFileSync(process.argv[1]),{wasi_snapshot_preview1:w.wasiImport})\
        .then(({instance})=>{process.exitCode=w.start(instance)})\
        .catch(e=>{console.error(String(e));process.exitCode=134});";
    let out = std::process::Command::new("node")
        .args(["--no-warnings", "-e", runner])
        .arg(module)
        .output()
        .unwrap_or_else(|e| panic!("cannot run node: {e}"));
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        out.status.code().unwrap_or(-1),
    )
}

/// An object compiled from a source written inside a test: `name` is a relative path whose
/// extension picks the tool (`.s` for llvm-mc-19, else clang-19) and whose first lines may carry
/// a `fixture-flags:` line, as in `fixtures/`. Cached on disk by content, like the fixtures.
pub fn inline_object(name: &str, source: &str) -> PathBuf {
    let hash = fnv1a(&[name.as_bytes(), source.as_bytes()]);
    let path = target_dir()
        .join("inline-sources")
        .join(format!("{hash:016x}"))
        .join(name);
    if !path.is_file() {
        let dir = path.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir)
            .unwrap_or_else(|e| panic!("cannot create {}: {e}", dir.display()));
        let tmp = path.with_extension(private_suffix());
        std::fs::write(&tmp, source).unwrap_or_else(|e| panic!("cannot write source: {e}"));
        std::fs::rename(&tmp, &path).unwrap_or_else(|e| panic!("cannot rename source: {e}"));
    }
    build_fixture(name.to_string(), path, &[]).object
}

/// The arguments (without the linker itself) that `compiler args` would pass to wasm-ld, from
/// its `-###` output, which runs nothing. Asked with an empty `PATH`: with binaryen on `PATH`,
/// clang adds `--keep-section=target_features` to the line and runs `wasm-opt` after the
/// linker, so the line would depend on what else is installed.
pub fn clang_link_line(compiler: &str, args: &[&OsStr]) -> Vec<String> {
    let tool = require_tool(compiler);
    let empty = target_dir().join("empty-path");
    std::fs::create_dir_all(&empty).unwrap_or_else(|e| panic!("{}: {e}", empty.display()));
    let out = Command::new(&tool)
        .args(args)
        .arg("-###")
        .env("PATH", &empty)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", tool.display()));
    let text = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "{compiler} {args:?} -### failed:\n{text}"
    );
    let line = text
        .lines()
        .rev()
        .find(|l| l.trim_start().starts_with('"') && l.contains("wasm-ld"))
        .unwrap_or_else(|| panic!("no wasm-ld command in {compiler}'s -### output:\n{text}"));
    let mut words = split_quoted(line);
    assert!(!words.is_empty(), "empty link command in {line}");
    words.remove(0);
    words
}

/// [`clang_link_line`] for `args` (which name an output with `-o`) without `-o` and the
/// output: the arguments [`link_pair`] and [`run_both`] take.
pub fn clang_link_args(compiler: &str, args: &[&OsStr]) -> Vec<std::ffi::OsString> {
    let mut line = clang_link_line(compiler, args);
    if let Some(o) = line.iter().position(|a| a == "-o") {
        line.drain(o..(o + 2).min(line.len()));
    }
    line.into_iter().map(Into::into).collect()
}

/// The arguments (without `-o` and the output) that `rustc args` passes to its linker, with
/// file paths made absolute: rustc runs with `-C linker=` a script that records them, in
/// `dir`, with `-C save-temps` so its objects stay there.
pub fn rustc_link_line(dir: &Path, args: &[&OsStr]) -> Vec<String> {
    let record = dir.join("rustc-link-args.txt");
    let wrapper = dir.join("record-link.sh");
    let script = "#!/bin/sh\n# Records the link command rustc runs.\nprintf '%s\\n' \"$@\" > \"$WASM_LINK_RECORD\"\n";
    std::fs::write(&wrapper, script).unwrap_or_else(|e| panic!("{}: {e}", wrapper.display()));
    make_executable(&wrapper);
    let _ = std::fs::remove_file(&record);
    let mut cmd = Command::new(require_tool("rustc"));
    cmd.current_dir(dir)
        .env("TMPDIR", dir)
        .env("WASM_LINK_RECORD", &record)
        .args(args)
        .arg("-Csave-temps")
        .arg(format!("-Clinker={}", wrapper.display()));
    expect_success(&mut cmd);
    let text = std::fs::read_to_string(&record)
        .unwrap_or_else(|e| panic!("rustc did not run the linker wrapper: {e}"));
    let mut words = Vec::new();
    let mut lines = text.lines();
    while let Some(word) = lines.next() {
        if word == "-o" {
            lines.next();
            continue;
        }
        let path = dir.join(word);
        words.push(if !word.starts_with('-') && path.is_file() {
            path.to_string_lossy().into_owned()
        } else {
            word.to_string()
        });
    }
    words
}

#[cfg(unix)]
fn make_executable(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755))
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
}

#[cfg(not(unix))]
fn make_executable(_: &Path) {}

/// Splits the driver's `"a" "b c" "d\"e"` into its words.
fn split_quoted(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if c != '"' {
            continue;
        }
        let mut word = String::new();
        while let Some(ch) = chars.next() {
            match ch {
                '"' => break,
                '\\' => word.extend(chars.next()),
                ch => word.push(ch),
            }
        }
        words.push(word);
    }
    words
}

/// What `compiler flags source -o out -fuse-ld=linker` does, minus anything clang would run
/// after the linker: compiles `source` to an object beside `out` (`demo.c` to `demo.o`), then
/// runs `linker` on
/// [`clang_link_line`] for the same flags. Panics with the tool's stderr on failure.
pub fn clang_compile_and_link(
    compiler: &str,
    flags: &[&str],
    source: &Path,
    out: &Path,
    linker: &Path,
) {
    let stem = source.file_stem().unwrap_or(OsStr::new("source"));
    let obj = out.with_file_name(Path::new(stem).with_extension("o"));
    let mut compile = Command::new(require_tool(compiler));
    compile
        .args(flags)
        .arg("-c")
        .arg(source)
        .arg("-o")
        .arg(&obj);
    expect_success(&mut compile);
    let mut args: Vec<&OsStr> = flags.iter().map(OsStr::new).collect();
    args.extend([obj.as_os_str(), OsStr::new("-o"), out.as_os_str()]);
    let line = clang_link_line(compiler, &args);
    expect_success(Command::new(linker).args(&line));
}

/// Runs `cmd`; panics with its stderr when it fails.
fn expect_success(cmd: &mut Command) {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {:?}: {e}", cmd.get_program()));
    assert!(
        out.status.success(),
        "{cmd:?} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A scratch directory for one test, emptied first: `<target>/e2e/<group>/<name>`.
pub struct Scratch {
    /// The directory.
    pub dir: PathBuf,
}

impl Scratch {
    /// Creates (or empties) the directory.
    pub fn new(group: &str, name: &str) -> Scratch {
        let dir = target_dir().join("e2e").join(group).join(name);
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        Scratch { dir }
    }

    /// `rel` inside the directory.
    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.join(rel)
    }

    /// Compiles the C `text` with clang-19 and `flags` into the object `rel` (its directory is
    /// created); the source goes beside it.
    pub fn object(&self, rel: &str, text: &str, flags: &[&str]) -> PathBuf {
        let obj = self.path(rel);
        let src = obj.with_extension("c");
        let parent = obj.parent().unwrap_or(&self.dir);
        std::fs::create_dir_all(parent).unwrap_or_else(|e| panic!("{}: {e}", parent.display()));
        std::fs::write(&src, text).unwrap_or_else(|e| panic!("{}: {e}", src.display()));
        let mut cmd = Command::new(require_tool("clang-19"));
        cmd.args(flags).arg("-c").arg(&src).arg("-o").arg(&obj);
        expect_success(&mut cmd);
        obj
    }

    /// Runs `llvm-ar-19 <operation> <archive> <members>` in the directory, so that relative
    /// member paths stay relative (thin archives store them so).
    pub fn archive(&self, operation: &str, archive: &str, members: &[&str]) -> PathBuf {
        if let Some(parent) = self.path(archive).parent() {
            std::fs::create_dir_all(parent).unwrap_or_else(|e| panic!("{}: {e}", parent.display()));
        }
        let mut cmd = Command::new(require_tool("llvm-ar-19"));
        cmd.current_dir(&self.dir)
            .arg(operation)
            .arg(archive)
            .args(members);
        expect_success(&mut cmd);
        self.path(archive)
    }
}

/// One linker's run on a set of arguments.
#[derive(Debug)]
pub struct LinkRun {
    /// The exit code (-1 if killed).
    pub code: i32,
    /// Standard output.
    pub stdout: Vec<u8>,
    /// Stderr, with `wasm-link: ` / `wasm-ld-19: ` removed.
    pub stderr: String,
    /// Its messages, without the program name: each `error: ...` or `warning: ...` line with
    /// the `>>>` lines that follow it. (wasm-ld also puts a blank line after a message of
    /// several lines; that layout is not compared.)
    pub messages: Vec<String>,
    /// The output module, if one was written.
    pub output: Option<Vec<u8>>,
    /// Where the output was to be written.
    pub path: PathBuf,
}

/// wasm-link's and wasm-ld-19's runs on the same arguments.
#[derive(Debug)]
pub struct LinkPair {
    /// wasm-link's run.
    pub ours: LinkRun,
    /// wasm-ld-19's run.
    pub theirs: LinkRun,
}

impl LinkPair {
    /// Panics unless both linkers succeeded with the same messages and byte-identical outputs
    /// that validate; gives the output.
    pub fn assert_identical(&self, what: &str) -> &[u8] {
        assert_eq!(
            (self.ours.code, &self.ours.messages),
            (self.theirs.code, &self.theirs.messages),
            "{what}: exit code or messages differ from wasm-ld-19's"
        );
        assert_eq!(self.theirs.code, 0, "{what}: {:?}", self.theirs.messages);
        let ours = self.ours.output.as_deref().expect("our output is missing");
        let theirs = self.theirs.output.as_deref();
        validate_module(ours, what);
        assert!(
            Some(ours) == theirs,
            "{what}: output differs from wasm-ld-19's ({} and {})",
            self.ours.path.display(),
            self.theirs.path.display()
        );
        ours
    }

    /// Panics unless both linkers did the same: exit code, messages and stdout, and for a
    /// successful link byte-identical outputs that validate; gives the output.
    pub fn assert_same_run(&self, what: &str) -> Option<&[u8]> {
        let (ours, theirs) = (&self.ours, &self.theirs);
        assert_eq!(
            (ours.code, &ours.messages),
            (theirs.code, &theirs.messages),
            "{what}: exit code or messages differ from wasm-ld-19's"
        );
        assert!(
            ours.stdout == theirs.stdout,
            "{what}: stdout differs from wasm-ld-19's:\n{}\n---\n{}",
            String::from_utf8_lossy(&ours.stdout),
            String::from_utf8_lossy(&theirs.stdout)
        );
        if theirs.code != 0 {
            assert!(ours.output.is_none(), "{what}: a failed link wrote output");
            return None;
        }
        let bytes = ours.output.as_deref().expect("our output is missing");
        validate_module(bytes, what);
        assert!(
            Some(bytes) == theirs.output.as_deref(),
            "{what}: output differs from wasm-ld-19's ({} and {})",
            ours.path.display(),
            theirs.path.display()
        );
        Some(bytes)
    }

    /// Panics unless both linkers failed with the same messages, which must include `expected`.
    pub fn assert_same_errors(&self, what: &str, expected: &str) {
        assert_ne!(self.theirs.code, 0, "{what}: wasm-ld-19 succeeded");
        assert_ne!(self.ours.code, 0, "{what}: wasm-link succeeded");
        assert_eq!(
            self.ours.messages, self.theirs.messages,
            "{what}: messages differ from wasm-ld-19's"
        );
        assert!(
            self.ours.messages.iter().any(|m| m.contains(expected)),
            "{what}: no message contains {expected:?}: {:?}",
            self.ours.messages
        );
        assert!(
            self.ours.output.is_none(),
            "{what}: a failed link wrote output"
        );
    }
}

/// Links `args` with wasm-link and with wasm-ld-19 into
/// `<target>/e2e/<group>/<case>/{ours,ref}/out.wasm`: the same file name, since the name
/// section holds it.
pub fn link_pair(group: &str, case: &str, args: &[std::ffi::OsString]) -> LinkPair {
    let dir = target_dir().join("e2e").join(group).join(case);
    let ours = link_once(&cli_binary("wasm-link"), args, &dir.join("ours"));
    let theirs = link_once(&require_tool("wasm-ld-19"), args, &dir.join("ref"));
    LinkPair { ours, theirs }
}

fn link_once(linker: &Path, args: &[std::ffi::OsString], dir: &Path) -> LinkRun {
    link_into(linker, args, dir, "out.wasm")
}

/// Links `args` with `linker` into `<dir>/<file>` (a fresh `dir`). Use the same file name for
/// both linkers, since it lands in the `name` section.
pub fn link_into(linker: &Path, args: &[std::ffi::OsString], dir: &Path, file: &str) -> LinkRun {
    fresh_dir(dir);
    let path = dir.join(file);
    let mut cmd = Command::new(linker);
    cmd.args(args).arg("-o").arg(&path);
    link_run(linker, &mut cmd, path)
}

/// Runs `linker args -o prog.wasm` in `dir` (created, emptied first), so that outputs of two
/// linkers have the same name (the name section holds it).
pub fn run_linker(linker: &Path, args: &[&OsStr], dir: &Path) -> LinkRun {
    fresh_dir(dir);
    let mut cmd = Command::new(linker);
    cmd.current_dir(dir).args(args).args(["-o", "prog.wasm"]);
    link_run(linker, &mut cmd, dir.join("prog.wasm"))
}

/// Links `args` with wasm-link (in `<dir>/ours`) and with wasm-ld-19 (in `<dir>/ref`).
pub fn run_both(args: &[&OsStr], dir: &Path) -> (LinkRun, LinkRun) {
    let ours = run_linker(&cli_binary("wasm-link"), args, &dir.join("ours"));
    let theirs = run_linker(&require_tool("wasm-ld-19"), args, &dir.join("ref"));
    (ours, theirs)
}

fn fresh_dir(dir: &Path) {
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir).unwrap_or_else(|e| panic!("cannot create {}: {e}", dir.display()));
}

/// Runs a linker command whose output goes to `path`.
fn link_run(linker: &Path, cmd: &mut Command, path: PathBuf) -> LinkRun {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", linker.display()));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let prefix = format!(
        "{}: ",
        linker.file_name().unwrap_or_default().to_string_lossy()
    );
    LinkRun {
        code: out.status.code().unwrap_or(-1),
        stdout: out.stdout,
        stderr: stderr.replace(&prefix, ""),
        messages: messages(&stderr),
        output: std::fs::read(&path).ok(),
        path,
    }
}

/// A linker's stderr as messages: `prog: error: X` starts one, `>>> ...` lines continue it.
fn messages(stderr: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for line in stderr.lines().filter(|l| !l.trim().is_empty()) {
        let start = ["error: ", "warning: "]
            .iter()
            .find_map(|k| line.find(k).map(|at| &line[at..]));
        match (start, out.last_mut()) {
            (Some(msg), _) if !line.starts_with(">>>") => out.push(msg.to_string()),
            (_, Some(last)) => {
                last.push('\n');
                last.push_str(line);
            }
            (_, None) => out.push(line.to_string()),
        }
    }
    out
}

/// Panics unless `bytes` is a valid module (wasmparser's default features: reference types,
/// bulk memory, multi-value ...).
pub fn validate_module(bytes: &[u8], what: &str) {
    wasmparser::Validator::new()
        .validate_all(bytes)
        .unwrap_or_else(|e| panic!("{what}: output does not validate: {e}"));
}

/// A small deterministic generator (xorshift64*), for seeded random tests.
pub struct Rng(pub u64);

impl Rng {
    /// The next value.
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// A value below `n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}
