//! Running things: child processes with a time limit, the two linkers, and linked programs under
//! node's WASI through the runner script `run.mjs`.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::json;
use wasmparser::{Parser, Payload, TypeRef, ValType};

/// The runner script, written to `target/conformance/run.mjs` at start-up.
pub const RUNNER: &str = include_str!("run.mjs");

/// How long a link may take before it counts as hung.
const LINK_TIMEOUT: Duration = Duration::from_secs(60);
/// How long a program may run under node.
const RUN_TIMEOUT: Duration = Duration::from_secs(30);

/// What a finished (or killed) child process did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// The exit code; `None` if it was killed by a signal or timed out.
    pub code: Option<i32>,
    pub timed_out: bool,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
}

impl Outcome {
    /// Whether the process exited with status 0.
    pub fn success(&self) -> bool {
        self.code == Some(0)
    }

    /// The exit status in words, for messages.
    pub fn status(&self) -> String {
        match (self.timed_out, self.code) {
            (true, _) => "timed out".into(),
            (false, Some(c)) => format!("exit {c}"),
            (false, None) => "killed by a signal".into(),
        }
    }

    /// Stderr as text, for messages and regexes.
    pub fn stderr_text(&self) -> String {
        String::from_utf8_lossy(&self.stderr).into_owned()
    }
}

/// Writes a file other runs may be using at the same moment: to a private name, then renamed.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), String> {
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    std::fs::write(&tmp, bytes).map_err(|e| format!("cannot write {}: {e}", tmp.display()))?;
    make_executable(&tmp)?;
    std::fs::rename(&tmp, path).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

#[cfg(unix)]
fn make_executable(path: &Path) -> Result<(), String> {
    use std::os::unix::fs::PermissionsExt;
    let perms = std::fs::Permissions::from_mode(0o755);
    std::fs::set_permissions(path, perms).map_err(|e| format!("chmod {}: {e}", path.display()))
}

#[cfg(not(unix))]
fn make_executable(_: &Path) -> Result<(), String> {
    Ok(())
}

/// Runs `cmd` with `stdin` as its input, killing it after `timeout`.
pub fn run(mut cmd: Command, stdin: &[u8], timeout: Duration) -> Result<Outcome, String> {
    let what = format!("{:?}", cmd.get_program());
    cmd.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().map_err(|e| format!("cannot run {what}: {e}"))?;
    let input = stdin.to_vec();
    let mut pipe_in = child.stdin.take();
    let writer = thread::spawn(move || {
        if let Some(p) = pipe_in.as_mut() {
            // A program that does not read its stdin closes the pipe early; that is fine.
            let _ = p.write_all(&input);
        }
    });
    let out = reader(child.stdout.take());
    let err = reader(child.stderr.take());
    let (code, timed_out) =
        wait(&mut child, timeout).map_err(|e| format!("waiting for {what}: {e}"))?;
    let _ = writer.join();
    let stdout = out.join().unwrap_or_default();
    let stderr = err.join().unwrap_or_default();
    Ok(Outcome {
        code,
        timed_out,
        stdout,
        stderr,
    })
}

fn reader<R: Read + Send + 'static>(pipe: Option<R>) -> thread::JoinHandle<Vec<u8>> {
    thread::spawn(move || {
        let mut buf = Vec::new();
        if let Some(mut p) = pipe {
            let _ = p.read_to_end(&mut buf);
        }
        buf
    })
}

fn wait(child: &mut Child, timeout: Duration) -> std::io::Result<(Option<i32>, bool)> {
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait()? {
            return Ok((status.code(), false));
        }
        if start.elapsed() > timeout {
            child.kill()?;
            child.wait()?;
            return Ok((None, true));
        }
        thread::sleep(Duration::from_millis(5));
    }
}

/// Links with `linker`, putting the output at `out` wherever the recorded args say `{out}`.
pub fn link(linker: &str, args: &[String], out: &Path) -> Result<Outcome, String> {
    let out = out.to_str().ok_or("output path is not UTF-8")?;
    let mut cmd = Command::new(linker);
    cmd.args(args.iter().map(|a| {
        if a == super::build::OUT {
            out
        } else {
            a.as_str()
        }
    }));
    run(cmd, &[], LINK_TIMEOUT)
}

/// What a program run needs besides the module: its argv, stdin and reactor calls.
pub struct RunSpec<'a> {
    pub name: &'a str,
    pub args: &'a [String],
    pub stdin: &'a str,
    pub calls: &'a [super::corpus::Call],
    /// A memory64 module: node needs its flag for it.
    pub wasm64: bool,
}

/// Runs each module of `wasms` under one node process with the runner script, each with its own
/// WASI instance; scratch files for stdin and the captured output go in `scratch`.
pub fn run_wasm(
    runner: &Path,
    wasms: &[&Path],
    spec: &RunSpec,
    scratch: &Path,
) -> Result<Vec<Outcome>, String> {
    let write = |p: &Path, b: &[u8]| {
        std::fs::write(p, b).map_err(|e| format!("cannot write {}: {e}", p.display()))
    };
    let stdin = scratch.join("stdin");
    write(&stdin, spec.stdin.as_bytes())?;
    let mut runs = Vec::new();
    for (i, wasm) in wasms.iter().enumerate() {
        let bytes =
            std::fs::read(wasm).map_err(|e| format!("cannot read {}: {e}", wasm.display()))?;
        let (stdout, stderr) = (
            scratch.join(format!("stdout.{i}")),
            scratch.join(format!("stderr.{i}")),
        );
        runs.push(json!({"wasm": wasm, "stdout": stdout, "stderr": stderr, "imports": host_imports(&bytes)?}));
    }
    let calls: Vec<_> = spec
        .calls
        .iter()
        .map(|c| json!({"export": c.export, "args": c.args}))
        .collect();
    let spec_json =
        json!({"name": spec.name, "args": spec.args, "calls": calls, "stdin": stdin, "runs": runs});
    let mut cmd = Command::new("node");
    if spec.wasm64 {
        cmd.arg(super::wasm64::NODE_FLAG);
    }
    cmd.arg("--no-warnings")
        .arg(runner)
        .arg(spec_json.to_string());
    let node = run(cmd, &[], RUN_TIMEOUT)?;
    let codes = exit_codes(&node, wasms.len())?;
    let read =
        |p: PathBuf| std::fs::read(&p).map_err(|e| format!("cannot read {}: {e}", p.display()));
    let mut outcomes = Vec::new();
    for (i, code) in codes.into_iter().enumerate() {
        let (stdout, stderr) = (
            read(scratch.join(format!("stdout.{i}")))?,
            read(scratch.join(format!("stderr.{i}")))?,
        );
        outcomes.push(Outcome {
            code,
            timed_out: node.timed_out,
            stdout,
            stderr,
        });
    }
    Ok(outcomes)
}

/// The runner prints the exit codes as a JSON array; a runner that hung or crashed gives none.
fn exit_codes(node: &Outcome, n: usize) -> Result<Vec<Option<i32>>, String> {
    if node.timed_out {
        return Ok(vec![None; n]);
    }
    let codes: Vec<i32> = serde_json::from_slice(&node.stdout).map_err(|_| {
        let stderr = node.stderr_text();
        format!(
            "the node runner failed ({}): {}",
            node.status(),
            stderr.lines().next().unwrap_or("<no output>")
        )
    })?;
    if codes.len() != n {
        return Err(format!(
            "the node runner reported {} exit codes for {n} programs",
            codes.len()
        ));
    }
    Ok(codes.into_iter().map(Some).collect())
}

/// Describes the imports node's WASI does not provide, so the runner can stub them.
fn host_imports(bytes: &[u8]) -> Result<Vec<serde_json::Value>, String> {
    let mut types = Vec::new();
    let mut out = Vec::new();
    for payload in Parser::new(0).parse_all(bytes) {
        match payload.map_err(|e| format!("cannot parse output: {e}"))? {
            Payload::TypeSection(r) => {
                for ty in r.into_iter_err_on_gc_types() {
                    types.push(ty.map_err(|e| e.to_string())?);
                }
            }
            Payload::ImportSection(r) => {
                for imp in r.into_imports() {
                    let imp = imp.map_err(|e| e.to_string())?;
                    if imp.module != "wasi_snapshot_preview1" {
                        out.push(describe(imp.module, imp.name, imp.ty, &types));
                    }
                }
            }
            _ => {}
        }
    }
    Ok(out)
}

fn describe(
    module: &str,
    name: &str,
    ty: TypeRef,
    types: &[wasmparser::FuncType],
) -> serde_json::Value {
    let base = json!({"module": module, "name": name});
    let extra = match ty {
        TypeRef::Func(t) => {
            let result = types
                .get(t as usize)
                .and_then(|f| f.results().first().copied())
                .map(val_name);
            json!({"kind": "func", "result": result})
        }
        TypeRef::Memory(m) => {
            json!({"kind": "memory", "min": m.initial, "max": m.maximum, "shared": m.shared})
        }
        TypeRef::Table(t) => json!({"kind": "table", "min": t.initial, "max": t.maximum}),
        TypeRef::Global(g) => {
            json!({"kind": "global", "result": val_name(g.content_type), "mutable": g.mutable})
        }
        _ => json!({"kind": "other"}),
    };
    merge(base, extra)
}

fn merge(mut a: serde_json::Value, b: serde_json::Value) -> serde_json::Value {
    if let (Some(a), serde_json::Value::Object(b)) = (a.as_object_mut(), b) {
        a.extend(b);
    }
    a
}

fn val_name(v: ValType) -> &'static str {
    match v {
        ValType::I32 => "i32",
        ValType::I64 => "i64",
        ValType::F32 => "f32",
        ValType::F64 => "f64",
        _ => "externref",
    }
}
