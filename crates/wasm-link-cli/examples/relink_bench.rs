//! The relink benchmark that `cargo xtask bench --relink` runs (in release mode, which the
//! xtask itself is not): a link replayed through a `wasm_link::Linker` session, then one of its
//! objects replaced by versions with one function body changed (same size, grown) and with one
//! new exported function, each relinked. Prints the medians of the cold link and of each kind
//! of relink, and checks every first relink of a kind against a cold link of the same inputs.
//!
//! `relink_bench CWD RUNS NAME -- LINK ARGS...` (the arguments clang gave the linker, without
//! `-o`).

use std::borrow::Cow;
use std::path::{Path, PathBuf};
use std::time::Instant;
use wasm_link::{Config, LinkKind, Linker};
use wasm_object::model::{FuncType, ObjectModel, SymbolFlags};

fn main() {
    if let Err(e) = run() {
        eprintln!("relink_bench: {e}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [cwd, runs, name, dashes, link @ ..] = &args[..] else {
        return Err("usage: relink_bench CWD RUNS NAME -- LINK ARGS...".into());
    };
    if dashes != "--" {
        return Err("expected `--` before the link arguments".into());
    }
    let runs: usize = runs.parse().map_err(|_| format!("bad run count {runs}"))?;
    std::env::set_current_dir(cwd).map_err(|e| format!("{cwd}: {e}"))?;
    let out = std::env::temp_dir().join(format!("relink-bench-{}", std::process::id()));
    std::fs::create_dir_all(&out).map_err(|e| e.to_string())?;
    let result = bench(name, link, runs, &out);
    let _ = std::fs::remove_dir_all(&out);
    result
}

/// The three versions of the edited object besides the base one.
struct Versions {
    base: ObjectModel<'static>,
    same_size: ObjectModel<'static>,
    grown: ObjectModel<'static>,
    exported: ObjectModel<'static>,
}

fn bench(name: &str, link: &[String], runs: usize, out: &Path) -> Result<(), String> {
    let mut args = link.to_vec();
    args.extend(["-o".into(), out.join("out.wasm").display().to_string()]);
    let config = match wasm_link_cli::args::parse(args).request {
        Some(wasm_link_cli::args::Request::Link { config, .. }) => *config,
        _ => return Err("the link arguments do not parse as a link".into()),
    };
    let (at, versions, function) = pick_object(&config)?;
    eprintln!(
        "{name}: editing {} (function {function})",
        config.inputs[at].path.display()
    );
    let session = || -> Result<Linker, String> {
        let mut linker = Linker::new(config.clone());
        let id = linker.inputs()[at];
        linker
            .replace(id, versions.base.clone())
            .map_err(|e| e.to_string())?;
        Ok(linker)
    };
    let mut cold = Vec::new();
    for _ in 0..runs {
        let mut linker = session()?;
        let start = Instant::now();
        let outcome = linker.link();
        cold.push(start.elapsed().as_secs_f64());
        if !outcome.succeeded() {
            return Err(format!(
                "cold link failed: {:?}",
                outcome.diagnostics.errors
            ));
        }
    }
    let cold = median(cold);
    let mut line = format!("{name:<10} cold {:>8.1} ms", cold * 1e3);
    for (kind, edited) in [
        ("same-size body", &versions.same_size),
        ("grown body", &versions.grown),
        ("new export", &versions.exported),
    ] {
        let mut linker = session()?;
        let id = linker.inputs()[at];
        if !linker.link().succeeded() {
            return Err("the first link failed".into());
        }
        let mut times = Vec::new();
        let mut kinds = Vec::new();
        for run in 0..runs * 2 {
            let version = if run % 2 == 0 { edited } else { &versions.base };
            linker
                .replace(id, version.clone())
                .map_err(|e| e.to_string())?;
            let start = Instant::now();
            let outcome = linker.link();
            times.push(start.elapsed().as_secs_f64());
            if !outcome.succeeded() {
                return Err(format!(
                    "{kind}: relink failed: {:?}",
                    outcome.diagnostics.errors
                ));
            }
            kinds.push((
                outcome.stats.kind,
                outcome.stats.bodies_patched,
                outcome.stats.offsets_patched,
            ));
            if run < 2 {
                let module = linker.module().unwrap_or_default();
                let expected = cold_link(&config, at, version, out)?;
                if module != expected {
                    return Err(format!("{kind}: the relink differs from a cold link"));
                }
            }
        }
        let t = median(times);
        let (how, bodies, offsets) = kinds.first().copied().unwrap_or((LinkKind::Cold, 0, 0));
        let detail = match how {
            LinkKind::Patched => format!("Patched: {bodies} body, {offsets} debug offsets"),
            other => format!("{other:?}"),
        };
        line += &format!(" | {kind} {:>7.1} ms ({:.3}x, {detail})", t * 1e3, t / cold);
    }
    // What taking an in-memory object costs: encoding it and parsing the bytes.
    let start = Instant::now();
    let bytes = wasm_object::writer::write(&versions.base).map_err(|e| e.to_string())?;
    wasm_object::object::Object::parse(&bytes, 0).map_err(|e| e.to_string())?;
    let encode = start.elapsed().as_secs_f64() * 1e3;
    println!(
        "{line} | identical to cold links: yes | encoding and parsing the {} KiB object: {encode:.2} ms",
        bytes.len() / 1024
    );
    Ok(())
}

/// A cold link of `config` with input `at` replaced by `model`, written to disk.
fn cold_link(
    config: &Config,
    at: usize,
    model: &ObjectModel<'_>,
    dir: &Path,
) -> Result<Vec<u8>, String> {
    let mut config = config.clone();
    let path = dir.join("edited.o");
    let bytes = wasm_object::writer::write(model).map_err(|e| e.to_string())?;
    std::fs::write(&path, bytes).map_err(|e| e.to_string())?;
    config.inputs[at].path = path;
    let cold_dir = dir.join("cold");
    std::fs::create_dir_all(&cold_dir).map_err(|e| e.to_string())?;
    config.output = cold_dir.join(config.output.file_name().unwrap_or_default());
    let diag = wasm_link::link(&config);
    if !diag.errors.is_empty() {
        return Err(format!("cold link failed: {:?}", diag.errors));
    }
    std::fs::read(&config.output).map_err(|e| e.to_string())
}

/// The object to edit (the largest plain object on the command line) and the function in it
/// (its largest body); its versions.
fn pick_object(config: &Config) -> Result<(usize, Versions, u32), String> {
    let mut best: Option<(u64, usize, PathBuf)> = None;
    for (k, input) in config.inputs.iter().enumerate() {
        let is_object = input.path.extension().is_some_and(|e| e == "o");
        let len = std::fs::metadata(&input.path).map(|m| m.len()).unwrap_or(0);
        if is_object && !input.lazy && best.as_ref().is_none_or(|b| len > b.0) {
            best = Some((len, k, input.path.clone()));
        }
    }
    let (_, at, path) = best.ok_or("no object among the inputs")?;
    let bytes = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let obj = wasm_object::object::Object::parse(&bytes, 0).map_err(|e| e.to_string())?;
    let model = ObjectModel::from_object(&obj)
        .map_err(|e| e.to_string())?
        .into_owned();
    let f = (0..model.functions.len())
        .max_by_key(|&f| model.functions[f].body.len())
        .ok_or("the object has no functions")?;
    let base = with_filler(&model, f, &[FILLER]);
    let mut same_size = base.clone();
    let start = same_size.functions[f].code_start();
    same_size.functions[f].body.to_mut()[start + 1] = 7;
    let grown = with_filler(&model, f, &[FILLER, FILLER]);
    let exported = with_export(&base);
    let versions = Versions {
        base,
        same_size,
        grown,
        exported,
    };
    Ok((at, versions, f as u32))
}

/// `i32.const 0; drop`: valid at the start of any function's instructions.
const FILLER: [u8; 3] = [0x41, 0x00, 0x1a];

/// `model` with `fillers` at the start of function `f`'s instructions.
fn with_filler(
    model: &ObjectModel<'static>,
    f: usize,
    fillers: &[[u8; 3]],
) -> ObjectModel<'static> {
    let mut m = model.clone();
    let func = &mut m.functions[f];
    let at = func.code_start();
    let inserted: Vec<u8> = fillers.concat();
    let n = inserted.len() as u32;
    func.body.to_mut().splice(at..at, inserted);
    for r in &mut func.relocs {
        if r.offset as usize >= at {
            r.offset += n;
        }
    }
    m
}

/// `model` with one more function, exported.
fn with_export(model: &ObjectModel<'static>) -> ObjectModel<'static> {
    let mut m = model.clone();
    let void = FuncType {
        params: vec![],
        results: vec![],
    };
    let body = wasm_object::model::Function {
        type_index: 0,
        body: Cow::Owned(vec![0x00, 0x0b]),
        relocs: vec![],
    };
    let flags = SymbolFlags(SymbolFlags::EXPORTED);
    m.add_function(Cow::Borrowed("relink_bench_added"), flags, void, body);
    m
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}
