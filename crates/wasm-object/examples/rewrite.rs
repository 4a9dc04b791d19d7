//! Rewrites objects through the object model: parse → model → write, for every object given and
//! every member of every archive given, and reports how many came out byte-identical, how many
//! were a fixed point of the model (parse → model → write → parse → model gives the same model)
//! and which failed, and why.
//!
//! ```sh
//! cargo run --release -p wasm-object --example rewrite -- /usr/lib/wasm32-wasi/libc.a
//! cargo run --release -p wasm-object --example rewrite -- --out /tmp/rewritten a.o lib.a
//! ```
//!
//! With `--out DIR`, each rewritten object is written to `DIR/<archive>/<member>` (or
//! `DIR/<file>`) for a comparison with other tools (`obj2yaml-19`, `wasm-objdump -x`).

use std::path::{Path, PathBuf};
use wasm_object::archive::Archive;
use wasm_object::input::{detect, FileKind};
use wasm_object::model::ObjectModel;
use wasm_object::object::Object;

#[derive(Default)]
struct Counts {
    objects: usize,
    /// Archive members that are not wasm (an rlib's `lib.rmeta`).
    skipped: usize,
    identical: usize,
    fixed_point: usize,
    failures: Vec<String>,
    /// Fixed points that are not byte-identical, with where they first differ.
    different: Vec<String>,
}

/// Where two files first differ, and their sizes.
fn first_difference(a: &[u8], b: &[u8]) -> String {
    let at = a
        .iter()
        .zip(b)
        .position(|(x, y)| x != y)
        .unwrap_or(a.len().min(b.len()));
    format!(
        "first difference at {at:#x} (sizes {} and {})",
        a.len(),
        b.len()
    )
}

/// Rewrites one object; gives the written bytes when the model is a fixed point.
fn rewrite(bytes: &[u8]) -> Result<Vec<u8>, String> {
    let obj = Object::parse(bytes, 0).map_err(|e| format!("parse: {e}"))?;
    let model = ObjectModel::from_object(&obj).map_err(|e| format!("model: {e}"))?;
    let written = wasm_object::writer::write(&model).map_err(|e| format!("write: {e}"))?;
    let again = Object::parse(&written, 0).map_err(|e| format!("reparse: {e}"))?;
    let model2 = ObjectModel::from_object(&again).map_err(|e| format!("remodel: {e}"))?;
    if model != model2 {
        return Err("the model of the written object differs".into());
    }
    let features = wasmparser::WasmFeatures::all();
    wasmparser::Validator::new_with_features(features)
        .validate_all(&written)
        .map_err(|e| format!("wasmparser: {e}"))?;
    Ok(written)
}

fn one(counts: &mut Counts, name: &str, bytes: &[u8], out: Option<PathBuf>) {
    if detect(bytes) != FileKind::Wasm {
        counts.skipped += 1;
        return;
    }
    counts.objects += 1;
    match rewrite(bytes) {
        Ok(written) => {
            counts.fixed_point += 1;
            counts.identical += usize::from(written == bytes);
            if written != bytes {
                counts
                    .different
                    .push(format!("{name}: {}", first_difference(bytes, &written)));
            }
            if let Some(path) = out {
                if let Some(dir) = path.parent() {
                    std::fs::create_dir_all(dir).expect("create output directory");
                }
                std::fs::write(&path, &written).expect("write rewritten object");
            }
        }
        Err(e) => counts.failures.push(format!("{name}: {e}")),
    }
}

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let out = match args.iter().position(|a| a == "--out") {
        Some(k) if k + 1 < args.len() => {
            let dir = PathBuf::from(args.remove(k + 1));
            args.remove(k);
            Some(dir)
        }
        _ => None,
    };
    let mut counts = Counts::default();
    for path in &args {
        let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{path}: {e}"));
        let file = Path::new(path).file_name().unwrap_or_default();
        if bytes.starts_with(b"!<arch>\n") {
            let archive = Archive::parse(&bytes).unwrap_or_else(|e| panic!("{path}: {e}"));
            for m in &archive.members {
                let target = out.as_ref().map(|d| d.join(file).join(m.name));
                one(
                    &mut counts,
                    &format!("{path}({})", m.name),
                    m.data.bytes,
                    target,
                );
            }
        } else {
            one(
                &mut counts,
                path,
                &bytes,
                out.as_ref().map(|d| d.join(file)),
            );
        }
    }
    println!(
        "{} objects ({} other members skipped): {} fixed points, {} byte-identical, {} failures",
        counts.objects,
        counts.skipped,
        counts.fixed_point,
        counts.identical,
        counts.failures.len()
    );
    for d in &counts.different {
        println!("  differs: {d}");
    }
    for f in &counts.failures {
        println!("  {f}");
    }
}
