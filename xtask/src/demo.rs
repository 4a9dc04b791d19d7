//! `cargo xtask demo`: the README's main job. Builds `wasm-link`, links a real C program with it
//! through clang (`-fuse-ld`), runs it under node's WASI, and links the same program with
//! wasm-ld-19 to show that the two outputs are byte for byte the same.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Runs the demo.
pub fn run(_args: &[String]) -> Result<(), String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .ok_or("no workspace root")?
        .to_path_buf();
    let target =
        std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), PathBuf::from);
    let target = if target.is_absolute() {
        target
    } else {
        root.join(target)
    };
    step(
        "building wasm-link (release)",
        Command::new(env!("CARGO")).args(["build", "--quiet", "--release", "-p", "wasm-link-cli"]),
    )?;
    let linker = target.join("release/wasm-link");
    let source = root.join("examples/demo.c");
    let ours = target.join("demo/wasm-link/demo.wasm");
    let theirs = target.join("demo/wasm-ld/demo.wasm");
    for out in [&ours, &theirs] {
        std::fs::create_dir_all(out.parent().unwrap_or(&target)).map_err(|e| e.to_string())?;
    }
    let fuse_ld = format!("-fuse-ld={}", linker.display());
    step(
        "linking examples/demo.c with wasm-link",
        clang(&source, &ours).arg(&fuse_ld),
    )?;
    step(
        "linking examples/demo.c with wasm-ld-19",
        &mut clang(&source, &theirs),
    )?;
    eprintln!("== running {} under node's WASI", ours.display());
    let status = Command::new("node")
        .arg("--no-warnings")
        .arg("-e")
        .arg(RUNNER)
        .arg(&ours)
        .status();
    let status = status.map_err(|e| format!("cannot run node (run scripts/setup.sh): {e}"))?;
    if !status.success() {
        return Err(format!("the linked program failed: {status}"));
    }
    let same = std::fs::read(&ours).map_err(|e| e.to_string())?
        == std::fs::read(&theirs).map_err(|e| e.to_string())?;
    println!(
        "byte-identical to wasm-ld-19's output: {}",
        if same { "yes" } else { "no" }
    );
    Ok(())
}

const RUNNER: &str = "const {WASI}=require('node:wasi');const fs=require('fs');\
const w=new WASI({version:'preview1',args:['demo'],env:{},returnOnExit:true});\
WebAssembly.instantiate(fs.readFileSync(process.argv[1]),{wasi_snapshot_preview1:w.wasiImport})\
.then(({instance})=>{process.exitCode=w.start(instance)});";

fn clang(source: &Path, out: &Path) -> Command {
    let mut c = Command::new("clang-19");
    c.args(["--target=wasm32-wasi", "--sysroot=/usr", "-O2"])
        .arg(source)
        .arg("-o")
        .arg(out);
    c
}

fn step(what: &str, cmd: &mut Command) -> Result<(), String> {
    eprintln!("== {what}");
    let status = cmd.status().map_err(|e| {
        format!(
            "{what}: cannot start {:?} (run scripts/setup.sh): {e}",
            cmd.get_program()
        )
    })?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{what}: failed ({status})"))
    }
}
