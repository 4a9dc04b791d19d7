//! The object writer of `wasm-object`, over real objects: every member of libc.a, libc++.a and
//! libc++abi.a and every C/C++ source of the conformance corpus (at -O0, -O2 and -g) is parsed,
//! turned into an `ObjectModel`, written, and parsed again. The written object must be
//! byte-identical to clang-19's (LLVM's layout is deterministic and the writer follows it; no
//! exception is known), its model equal to the first, and it must validate.

use e2e_tests::{compiled_source, real_archives, require_tool, workspace_root};
use std::path::{Path, PathBuf};
use wasm_object::archive::Archive;
use wasm_object::model::ObjectModel;
use wasm_object::object::Object;

/// Every feature: objects use exceptions (legacy `try`), atomics, memory64, reference types.
fn validate(bytes: &[u8], what: &str) {
    wasmparser::Validator::new_with_features(wasmparser::WasmFeatures::all())
        .validate_all(bytes)
        .unwrap_or_else(|e| panic!("{what}: the written object does not validate: {e}"));
}

/// Rewrites one object and checks the three promises; panics naming `what` otherwise.
fn assert_round_trip(bytes: &[u8], what: &str) {
    let obj = Object::parse(bytes, 0).unwrap_or_else(|e| panic!("{what}: {e}"));
    let model = ObjectModel::from_object(&obj).unwrap_or_else(|e| panic!("{what}: model: {e}"));
    let written = wasm_object::writer::write(&model).unwrap_or_else(|e| panic!("{what}: {e}"));
    let again = Object::parse(&written, 0).unwrap_or_else(|e| panic!("{what}: reparse: {e}"));
    let model2 = ObjectModel::from_object(&again).unwrap_or_else(|e| panic!("{what}: {e}"));
    assert!(
        model == model2,
        "{what}: the written object's model differs"
    );
    assert!(
        written == bytes,
        "{what}: not byte-identical (first difference at {:#x}, sizes {} and {})",
        first_difference(bytes, &written),
        bytes.len(),
        written.len()
    );
    validate(&written, what);
}

fn first_difference(a: &[u8], b: &[u8]) -> usize {
    let same = a.iter().zip(b).position(|(x, y)| x != y);
    same.unwrap_or(a.len().min(b.len()))
}

#[test]
fn every_member_of_the_real_archives_rewrites_byte_identical() {
    for path in real_archives() {
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let archive = Archive::parse(&bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        for m in &archive.members {
            assert_round_trip(m.data.bytes, &format!("{}({})", path.display(), m.name));
        }
        println!(
            "{}: {} members rewritten byte-identical",
            path.display(),
            archive.members.len()
        );
        let least = if path.ends_with("libc.a") { 700 } else { 10 };
        assert!(
            archive.members.len() >= least,
            "{}: only {} members",
            path.display(),
            archive.members.len()
        );
    }
}

/// A model that owns its bytes outlives the file and writes the same object.
#[test]
fn an_owned_model_outlives_its_file() {
    let path = real_archives()[1].clone();
    let model = {
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let archive = Archive::parse(&bytes).expect("libc++.a");
        let member = archive.members.iter().max_by_key(|m| m.data.bytes.len());
        let member = member.expect("a member");
        let obj = Object::parse(member.data.bytes, 0).expect("parse");
        let model = ObjectModel::from_object(&obj).expect("model");
        let owned = model.clone().into_owned();
        assert_eq!(model, owned);
        (owned, member.data.bytes.to_vec())
    };
    let written = wasm_object::writer::write(&model.0).expect("write");
    assert!(written == model.1, "the owned model writes other bytes");
}

/// How a conformance program is compiled: flags, and the configurations it is built in.
#[derive(Clone)]
struct Directives {
    flags: Vec<String>,
    configs: Vec<String>,
}

/// The conformance programs' C and C++ sources with their main file's directives.
fn conformance_sources() -> Vec<(String, Directives)> {
    let root = workspace_root().join("conformance");
    let mut out = Vec::new();
    for lang in ["c", "cpp"] {
        for entry in read_dir(&root.join(lang)) {
            if entry.is_dir() {
                let main = read_dir(&entry)
                    .into_iter()
                    .find(|p| p.file_stem().is_some_and(|s| s == "main"));
                let directives = directives(&main.expect("a main source"), lang);
                for source in read_dir(&entry).into_iter().filter(|p| is_source(p)) {
                    out.push((relative(&source), directives.clone()));
                }
            } else if is_source(&entry) {
                out.push((relative(&entry), directives(&entry, lang)));
            }
        }
    }
    out
}

fn read_dir(dir: &Path) -> Vec<PathBuf> {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    let mut paths: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
    paths.sort();
    paths
}

fn is_source(p: &Path) -> bool {
    p.extension().is_some_and(|e| e == "c" || e == "cpp")
}

fn relative(p: &Path) -> String {
    let rel = p.strip_prefix(workspace_root()).unwrap_or(p);
    rel.to_string_lossy().into_owned()
}

/// What `cargo xtask conformance` compiles a program with: its `//#CompileArgs:`, wasm64 for
/// `//#Target: wasm64`, `-fno-exceptions` before them for C++; in the `//#Configs:` it names
/// (some objects are built only without -g: LLVM itself refuses what clang-19 writes then).
fn directives(main: &Path, lang: &str) -> Directives {
    let text = std::fs::read_to_string(main).unwrap_or_else(|e| panic!("{e}"));
    let mut d = Directives {
        flags: Vec::new(),
        configs: ["O0", "O2", "g"].map(String::from).to_vec(),
    };
    if lang == "cpp" {
        d.flags.push("-fno-exceptions".into());
    }
    for line in text.lines() {
        if let Some(args) = line.strip_prefix("//#CompileArgs:") {
            d.flags.extend(args.split_whitespace().map(String::from));
        }
        if line.strip_prefix("//#Target:").map(str::trim) == Some("wasm64") {
            d.flags.push("--target=wasm64-unknown-unknown".into());
        }
        if let Some(configs) = line.strip_prefix("//#Configs:") {
            d.configs = configs.split_whitespace().map(String::from).collect();
        }
    }
    d
}

#[test]
fn every_conformance_object_rewrites_byte_identical() {
    require_tool("clang-19");
    let mut jobs: Vec<(String, Vec<String>)> = Vec::new();
    for (source, d) in conformance_sources() {
        for (name, config) in [
            ("O0", &["-O0"][..]),
            ("O2", &["-O2"]),
            ("g", &["-O0", "-g"]),
        ] {
            if d.configs.iter().any(|c| c == name) {
                let mut flags = d.flags.clone();
                flags.extend(config.iter().map(|f| f.to_string()));
                jobs.push((source.clone(), flags));
            }
        }
    }
    let count = jobs.len();
    assert!(
        count >= 300,
        "only {count} objects in the conformance corpus"
    );
    let objects = compile_all(jobs);
    for (what, object) in &objects {
        let bytes = std::fs::read(object).unwrap_or_else(|e| panic!("{}: {e}", object.display()));
        assert_round_trip(&bytes, what);
    }
    assert_eq!(objects.len(), count);
    println!("{count} conformance objects rewritten byte-identical");
}

/// Compiles every job (on as many threads as there are cores); gives (description, object).
fn compile_all(jobs: Vec<(String, Vec<String>)>) -> Vec<(String, PathBuf)> {
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    let next = std::sync::atomic::AtomicUsize::new(0);
    let done = std::sync::Mutex::new(Vec::with_capacity(jobs.len()));
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| loop {
                let k = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some((source, flags)) = jobs.get(k) else {
                    return;
                };
                let flags: Vec<&str> = flags.iter().map(String::as_str).collect();
                let object = compiled_source(source, &flags).object;
                let what = format!("{source} {}", flags.join(" "));
                done.lock()
                    .expect("no panic while held")
                    .push((k, what, object));
            });
        }
    });
    let mut done = done.into_inner().expect("no panic while held");
    done.sort_by_key(|d| d.0);
    done.into_iter().map(|(_, what, obj)| (what, obj)).collect()
}
