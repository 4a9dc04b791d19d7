//! A compiler's edit-and-run loop over a `wasm_link::Linker` session, as a REPL or a live-reload
//! server would run it: the program is an in-memory object built with
//! `wasm_object::builder`, linked with wasi-libc's `crt1-command.o` and `libc.a`, run under
//! node; then one function body is edited, a function added, one removed, another body grown,
//! relinking and running after each edit. Every relink is compared with a cold link of the
//! same inputs (the object written to disk and linked by `wasm_link::link`).
//!
//! `cargo run --release -p wasm-link --example compiler_loop`

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Instant;
use wasm_link::{Config, Input, Linker};
use wasm_object::builder::{BodyReloc, Linkage, ObjectBuilder, Sym, Target};
use wasm_object::model::{FuncType, RelocType, ValType};

const SYSROOT: &str = "/usr/lib/wasm32-wasi";
const BUILTINS: &str = "/usr/lib/llvm-19/lib/clang/19/lib/wasi/libclang_rt.builtins-wasm32.a";

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("compiler_loop: {e}");
            ExitCode::FAILURE
        }
    }
}

/// One edit of the program.
type Edit = fn(&mut Program) -> Result<(), String>;

/// The program's symbols.
struct Program {
    b: ObjectBuilder,
    counter: Sym,
    value: Sym,
    report: Sym,
    main: Sym,
    unused: Sym,
}

fn run() -> Result<(), String> {
    let crt1 = require(&Path::new(SYSROOT).join("crt1-command.o"), "wasi-libc")?;
    require(&Path::new(SYSROOT).join("libc.a"), "wasi-libc")?;
    let builtins = require(Path::new(BUILTINS), "libclang-rt-19-dev-wasm32")?;
    let dir = std::env::temp_dir().join(format!("compiler-loop-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let result = edit_and_run(&dir, [crt1, builtins]);
    let _ = std::fs::remove_dir_all(&dir);
    result
}

fn edit_and_run(dir: &Path, [crt1, builtins]: [PathBuf; 2]) -> Result<(), String> {
    let file = |path: PathBuf| Input {
        path,
        whole_archive: false,
        lazy: false,
    };
    let config = Config {
        inputs: vec![file(crt1)],
        output: dir.join("loop.wasm"),
        ..Config::default()
    };
    let mut linker = Linker::new(config);
    let mut p = program().map_err(|e| e.to_string())?;
    let id = linker.add_object("loop.o", p.b.model().map_err(|e| e.to_string())?);
    let sysroot = [PathBuf::from(SYSROOT)];
    linker
        .add_library("c", &sysroot, true)
        .map_err(|e| e.to_string())?;
    linker.add_file(file(builtins));
    let mut relinks = Vec::new();
    link_and_run(&mut linker, "first link", dir, &mut Vec::new())?;

    let edits: [(&str, Edit); 4] = [
        ("edit: value() adds 5, not 2", |p| set_value(p, &[0x41, 5])),
        ("edit: add twice() and call it", add_twice),
        ("edit: remove unused()", |p| {
            p.b.free(p.unused).map_err(|e| e.to_string())
        }),
        ("edit: value() adds 100 (a longer body)", |p| {
            set_value(p, &[0x41, 0xe4, 0x00])
        }),
    ];
    for (what, edit) in edits {
        edit(&mut p)?;
        let model = p.b.model().map_err(|e| e.to_string())?;
        linker.replace(id, model).map_err(|e| e.to_string())?;
        link_and_run(&mut linker, what, dir, &mut relinks)?;
    }
    for (what, ms, kind) in &relinks {
        println!("relink after `{what}`: {ms:.2} ms ({kind})");
    }
    println!(
        "relinks: {}, each identical to a cold link: yes",
        relinks.len()
    );
    Ok(())
}

/// Links, checks the module against a cold link, runs it and prints its output.
fn link_and_run(
    linker: &mut Linker,
    what: &str,
    dir: &Path,
    relinks: &mut Vec<(String, f64, String)>,
) -> Result<(), String> {
    let start = Instant::now();
    let outcome = linker.link();
    let ms = start.elapsed().as_secs_f64() * 1e3;
    if !outcome.succeeded() {
        let errors: Vec<String> = outcome
            .diagnostics
            .errors
            .iter()
            .map(|e| e.to_string())
            .collect();
        return Err(format!("{what}: the link failed:\n{}", errors.join("\n")));
    }
    let module = linker.module().ok_or("no module")?.to_vec();
    let mut validator = wasmparser::Validator::new_with_features(wasmparser::WasmFeatures::all());
    validator
        .validate_all(&module)
        .map_err(|e| format!("{what}: the module does not validate: {e}"))?;
    if module != cold_link(linker, dir)? {
        return Err(format!("{what}: the relink differs from a cold link"));
    }
    let kind = format!("{:?}", outcome.stats.kind);
    println!("== {what} ({kind}, {ms:.2} ms)");
    print!("{}", run_node(&linker.config().output)?);
    relinks.push((what.to_string(), ms, kind));
    Ok(())
}

/// A cold link of the session's inputs, its in-memory object written to disk.
fn cold_link(linker: &Linker, dir: &Path) -> Result<Vec<u8>, String> {
    let mut config = linker.config();
    for (at, id) in linker.inputs().into_iter().enumerate() {
        if let Ok(model) = linker.object(id) {
            let path = dir.join("cold-input.o");
            let bytes = wasm_object::writer::write(model).map_err(|e| e.to_string())?;
            std::fs::write(&path, bytes).map_err(|e| e.to_string())?;
            config.inputs[at].path = path;
        }
    }
    std::fs::create_dir_all(dir.join("cold")).map_err(|e| e.to_string())?;
    config.output = dir.join("cold").join("loop.wasm");
    let diag = wasm_link::link(&config);
    if !diag.errors.is_empty() {
        return Err(format!("the cold link failed: {:?}", diag.errors));
    }
    std::fs::read(&config.output).map_err(|e| e.to_string())
}

fn run_node(module: &Path) -> Result<String, String> {
    let script = "const {WASI}=require('node:wasi');const fs=require('fs');\
        const w=new WASI({version:'preview1',args:['loop'],env:{},returnOnExit:true});\
        WebAssembly.instantiate(fs.readFileSync(process.argv[1]),{wasi_snapshot_preview1:w.wasiImport})\
        .then(({instance})=>{process.exitCode=w.start(instance)});";
    let out = Command::new("node")
        .args(["--no-warnings", "-e", script])
        .arg(module)
        .output()
        .map_err(|e| format!("cannot run node ({e}): install the Debian package nodejs"))?;
    if !out.status.success() {
        return Err(format!(
            "node failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

fn require(path: &Path, package: &str) -> Result<PathBuf, String> {
    match path.exists() {
        true => Ok(path.to_path_buf()),
        false => Err(format!(
            "{} is missing: install the Debian package {package}",
            path.display()
        )),
    }
}

fn ty(params: &[ValType], results: &[ValType]) -> FuncType {
    FuncType {
        params: params.to_vec(),
        results: results.to_vec(),
    }
}

/// A relocated 5-byte field at `offset`.
fn reloc(ty: RelocType, offset: u32, target: Sym) -> BodyReloc {
    BodyReloc {
        ty,
        offset,
        target: Target::Symbol(target),
        addend: 0,
    }
}

/// A padded 5-byte LEB placeholder.
const FIELD: [u8; 5] = [0x80, 0x80, 0x80, 0x80, 0x00];

/// The program:
/// ```c
/// static int counter; static int args[2];
/// __attribute__((constructor)) static void init_counter(void) { counter = 40; }
/// static int value(void) { return counter + 2; }
/// static void report(int step) { args[0] = step; args[1] = value(); printf(fmt, args...); }
/// int main(void) { report(1); return 0; }
/// __attribute__((export_name("add"))) int add(int a, int b) { return a + b; }
/// static void unused(void) {}
/// ```
fn program() -> Result<Program, wasm_object::builder::BuildError> {
    use RelocType::{FunctionIndexLeb as Call, MemoryAddrSleb as Addr};
    use ValType::I32;
    let mut b = ObjectBuilder::new();
    let printf = b.undefined_function("printf", ty(&[I32, I32], &[I32]))?;
    let fmt = b.declare_data("fmt", Linkage::local())?;
    b.set_data(fmt, b"step %d: value %d\n\0".to_vec(), 0, vec![])?;
    let counter = b.declare_data("counter", Linkage::local())?;
    b.set_data(counter, vec![0; 4], 2, vec![])?;
    let args = b.declare_data("args", Linkage::local())?;
    b.set_data(args, vec![0; 8], 2, vec![])?;

    let init = b.declare_function("init_counter", ty(&[], &[]), Linkage::local())?;
    let code = [
        &[0x00, 0x41][..],
        &FIELD,
        &[0x41, 40, 0x36, 0x02, 0x00, 0x0b],
    ]
    .concat();
    b.set_body(init, code, vec![reloc(Addr, 2, counter)])?;
    b.add_init_function(init, 65535)?;

    let value = b.declare_function("value", ty(&[], &[I32]), Linkage::local())?;
    let report = b.declare_function("report", ty(&[I32], &[]), Linkage::local())?;
    let code = [
        &[0x00, 0x41][..],
        &FIELD,
        &[0x20, 0x00, 0x36, 0x02, 0x00], // args[0] = step
        &[0x41],
        &FIELD,
        &[0x10],
        &FIELD,
        &[0x36, 0x02, 0x04], // args[1] = value()
        &[0x41],
        &FIELD,
        &[0x41],
        &FIELD,
        &[0x10],
        &FIELD,
        &[0x1a, 0x0b], // printf(fmt, args)
    ]
    .concat();
    let relocs = vec![
        reloc(Addr, 2, args),
        reloc(Addr, 13, args),
        reloc(Call, 19, value),
        reloc(Addr, 28, fmt),
        reloc(Addr, 34, args),
        reloc(Call, 40, printf),
    ];
    b.set_body(report, code, relocs)?;

    let main = b.declare_function("__main_void", ty(&[], &[I32]), Linkage::global())?;
    let add = b.declare_function("add", ty(&[I32, I32], &[I32]), Linkage::global())?;
    b.set_body(add, vec![0x00, 0x20, 0x00, 0x20, 0x01, 0x6a, 0x0b], vec![])?;
    b.export(add, "add")?;
    let unused = b.declare_function("unused", ty(&[], &[]), Linkage::global())?;
    b.set_body(unused, vec![0x00, 0x0b], vec![])?;
    let mut p = Program {
        b,
        counter,
        value,
        report,
        main,
        unused,
    };
    set_value(&mut p, &[0x41, 2])
        .map_err(|_| wasm_object::builder::BuildError::NoSuchSymbol(value))?;
    set_main(&mut p, None)?;
    Ok(p)
}

/// `value()` returns `counter` plus the constant `add` (an `i32.const` instruction).
fn set_value(p: &mut Program, add: &[u8]) -> Result<(), String> {
    let code = [
        &[0x00, 0x41][..],
        &FIELD,
        &[0x28, 0x02, 0x00],
        add,
        &[0x6a, 0x0b],
    ]
    .concat();
    let relocs = vec![reloc(RelocType::MemoryAddrSleb, 2, p.counter)];
    p.b.set_body(p.value, code, relocs)
        .map_err(|e| e.to_string())
}

/// `main` reports step 1, and step `twice(2)` when `twice` exists.
fn set_main(p: &mut Program, twice: Option<Sym>) -> Result<(), wasm_object::builder::BuildError> {
    use RelocType::FunctionIndexLeb as Call;
    let mut code = [&[0x00, 0x41, 0x01, 0x10][..], &FIELD].concat();
    let mut relocs = vec![reloc(Call, 4, p.report)];
    if let Some(twice) = twice {
        let at = code.len() as u32;
        code.extend([&[0x41, 0x02, 0x10][..], &FIELD, &[0x10], &FIELD].concat());
        relocs.push(reloc(Call, at + 3, twice));
        relocs.push(reloc(Call, at + 9, p.report));
    }
    code.extend([0x41, 0x00, 0x0b]);
    p.b.set_body(p.main, code, relocs)
}

/// Adds `static int twice(int x) { return x * 2; }` and calls it from `main`.
fn add_twice(p: &mut Program) -> Result<(), String> {
    let error = |e: wasm_object::builder::BuildError| e.to_string();
    let i32 = ValType::I32;
    let twice =
        p.b.declare_function("twice", ty(&[i32], &[i32]), Linkage::local())
            .map_err(error)?;
    let code = vec![0x00, 0x20, 0x00, 0x41, 0x02, 0x6c, 0x0b];
    p.b.set_body(twice, code, vec![]).map_err(error)?;
    set_main(p, Some(twice)).map_err(error)
}
