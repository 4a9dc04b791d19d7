//! Dynamic linking end to end (`--experimental-pic` with `-shared` and `-pie`): real C and C++
//! programs under `fixtures/dylink/`, each split into a PIE main module and shared libraries,
//! are compiled with clang-19 (`-fPIC -fvisibility=default`), linked by wasm-ld-19 and by
//! `wasm-link` with the same arguments, validated, and run under node by the dynamic loader
//! `tests/dylink/loader.mjs` (which follows tool-conventions' DynamicLinking.md).
//!
//! For each program: wasm-ld-19's modules must print the output the program's own logic gives
//! (this judges the loader and the programs), ours must print the same, and every module we
//! write must be byte-identical to wasm-ld-19's.
//!
//! Debian's wasi-libc and libc++ are not built with `-fPIC`, so they cannot be linked into a
//! PIE or a shared library (wasm-ld: `relocation R_WASM_MEMORY_ADDR_SLEB cannot be used
//! against symbol ...; recompile with -fPIC`). The programs use `libminirt.so` instead
//! (`fixtures/dylink/minirt.c`: printf, malloc, memcpy ... over WASI's `fd_write` and
//! `proc_exit`), C++ is built `-fno-exceptions -fno-rtti` and uses libc++'s headers only, and
//! the main module starts from wasi-libc's `crt1-command.o`, which holds no data relocation.
//!
//! The link lines are written here, not taken from `clang -###`: clang 19's wasi driver passes
//! no `--experimental-pic`, links the non-PIC libc, and for `-shared` adds `crt1-reactor.o`
//! with `--entry _initialize`. Libraries are linked with the libraries they need as inputs, so
//! wasm-ld records them in `dylink.0`'s NEEDED list, which the loader follows.

use e2e_tests::{cli_binary, link_into, require_tool, validate_module, workspace_root, Scratch};
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;

/// One output module: its file name, its sources under `fixtures/dylink/`, and the libraries
/// (file names of modules linked before it) or `-l` options it is linked against.
struct Module {
    file: &'static str,
    sources: &'static [&'static str],
    inputs: &'static [&'static str],
}

/// The runtime library every program links against.
const MINIRT: Module = Module {
    file: "libminirt.so",
    sources: &["minirt.c"],
    inputs: &[],
};

/// A program: its libraries in link order (a library after those it needs), then its main.
struct Program {
    name: &'static str,
    libs: &'static [Module],
    main: Module,
    expected: &'static str,
}

/// The options of every shared library: undefined symbols become imports (`env.f` for calls,
/// `GOT.mem` / `GOT.func` for addresses), as for a side module.
const SHARED: &[&str] = &[
    "-m",
    "wasm32",
    "--experimental-pic",
    "-shared",
    "--unresolved-symbols=import-dynamic",
];

/// The options of every main module: the loader provides the memory, the library needs main's
/// symbols exported, and the loader runs main's constructors (the old `crt1-command.o` of
/// Debian's wasi-libc does not call `__wasm_call_ctors`).
const PIE: &[&str] = &[
    "-m",
    "wasm32",
    "--experimental-pic",
    "-pie",
    "--import-memory",
    "--export-dynamic",
    "--export=__wasm_call_ctors",
    CRT1,
];

/// wasi-libc's start file for commands: `_start` calls `__original_main`, then `exit`.
const CRT1: &str = "/usr/lib/wasm32-wasi/crt1-command.o";

/// The source directory of the programs.
fn sources_dir() -> PathBuf {
    workspace_root().join("fixtures/dylink")
}

/// Compiles `source` into `<scratch>/<subdir>/<stem>.o` with clang-19 and `target_flags`.
fn compile(scratch: &Scratch, subdir: &str, source: &str, target_flags: &[&str]) -> PathBuf {
    let path = sources_dir().join(source);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{source}: {e}"));
    let include = format!("-I{}", sources_dir().display());
    let mut flags: Vec<&str> = target_flags.to_vec();
    flags.extend(["-fPIC", "-fvisibility=default", "-O1", &include]);
    if source.ends_with(".cpp") {
        flags.extend(["-x", "c++", "-fno-exceptions", "-fno-rtti"]);
    }
    let stem = Path::new(source).with_extension("o");
    scratch.object(&format!("{subdir}/{}", stem.display()), &text, &flags)
}

/// One linker's modules: each linked into its own directory, then copied into `run/`, where
/// later links find them and the loader runs them. Gives (file, bytes) in link order, or
/// the failing link's file and stderr.
fn link_set(
    linker: &Path,
    dir: &Path,
    modules: &[(&Module, &[&str], Vec<PathBuf>)],
) -> Result<Vec<(String, Vec<u8>)>, String> {
    let run_dir = dir.join("run");
    std::fs::create_dir_all(&run_dir).unwrap_or_else(|e| panic!("{}: {e}", run_dir.display()));
    let mut outputs = Vec::new();
    for (module, options, objects) in modules {
        let mut args: Vec<OsString> = options.iter().map(OsString::from).collect();
        args.extend(objects.iter().map(|o| o.clone().into_os_string()));
        args.push(format!("-L{}", run_dir.display()).into());
        for input in module.inputs {
            args.push(match input.starts_with('-') {
                true => OsString::from(input),
                false => run_dir.join(input).into_os_string(),
            });
        }
        let stem = module
            .file
            .trim_end_matches(".so")
            .trim_end_matches(".wasm");
        let run = link_into(linker, &args, &dir.join(stem), module.file);
        let bytes = match (run.code, run.output) {
            (0, Some(bytes)) => bytes,
            (code, _) => return Err(format!("{}: exit code {code}\n{}", module.file, run.stderr)),
        };
        validate_module(&bytes, &format!("{} by {}", module.file, linker.display()));
        let copy = run_dir.join(module.file);
        std::fs::write(&copy, &bytes).unwrap_or_else(|e| panic!("{}: {e}", copy.display()));
        outputs.push((module.file.to_string(), bytes));
    }
    Ok(outputs)
}

/// Runs `main` under the loader: (stdout, stderr, exit code).
fn run_loader(main: &Path) -> (String, String, i32) {
    let loader = workspace_root().join("tests/dylink/loader.mjs");
    let out = Command::new(require_tool("node"))
        .arg("--no-warnings")
        .arg(&loader)
        .arg(main)
        .output()
        .unwrap_or_else(|e| panic!("cannot run node: {e}"));
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.code().unwrap_or(-1),
    )
}

/// Compiles, links with both linkers, runs both, and checks: wasm-ld-19's run prints
/// `expected`; ours links, prints the same and writes the same bytes.
fn check(program: &Program) {
    let scratch = Scratch::new("dylink", program.name);
    let mut modules = Vec::new();
    for lib in [&MINIRT].into_iter().chain(program.libs) {
        modules.push((lib, SHARED, objects(&scratch, lib)));
    }
    modules.push((&program.main, PIE, objects(&scratch, &program.main)));

    let ref_dir = scratch.path("ref");
    let theirs = link_set(&require_tool("wasm-ld-19"), &ref_dir, &modules)
        .unwrap_or_else(|e| panic!("{}: wasm-ld-19 failed to link {e}", program.name));
    let (stdout, stderr, code) = run_loader(&ref_dir.join("run").join(program.main.file));
    assert_eq!(
        (stdout.as_str(), code),
        (program.expected, 0),
        "{}: wasm-ld-19's modules under the loader (stderr: {stderr})",
        program.name
    );

    let ours_dir = scratch.path("ours");
    let ours = link_set(&cli_binary("wasm-link"), &ours_dir, &modules)
        .unwrap_or_else(|e| panic!("{}: wasm-link failed to link {e}", program.name));
    let (our_stdout, our_stderr, our_code) =
        run_loader(&ours_dir.join("run").join(program.main.file));
    assert_eq!(
        (our_stdout.as_str(), our_code),
        (stdout.as_str(), code),
        "{}: our modules run differently from wasm-ld-19's (loader stderr: {our_stderr})",
        program.name
    );
    let differing: Vec<&str> = ours
        .iter()
        .zip(&theirs)
        .filter(|(a, b)| a.1 != b.1)
        .map(|(a, _)| a.0.as_str())
        .collect();
    assert!(
        differing.is_empty(),
        "{}: modules differ from wasm-ld-19's: {differing:?} (in {} and {})",
        program.name,
        ours_dir.join("run").display(),
        ref_dir.join("run").display()
    );
}

/// The objects of one module, compiled for wasm32-wasi.
fn objects(scratch: &Scratch, module: &Module) -> Vec<PathBuf> {
    let flags = ["--target=wasm32-wasi", "--sysroot=/usr"];
    module
        .sources
        .iter()
        .map(|s| compile(scratch, "obj", s, &flags))
        .collect()
}

#[test]
fn pointers() {
    check(&Program {
        name: "pointers",
        libs: &[Module {
            file: "libpointers.so",
            sources: &["pointers_lib.c"],
            inputs: &["libminirt.so"],
        }],
        main: Module {
            file: "main.wasm",
            sources: &["pointers_main.c"],
            inputs: &["libpointers.so", "libminirt.so"],
        },
        expected: "lib_counter = 5\n\
            lib_counter after += 10 = 15\n\
            hidden via pointer = 77\n\
            lib square(7) via pointer = 49\n\
            lib_ops: 10 25\n\
            main_ops: 12 18\n\
            lib_apply(triple, 4) = 12\n\
            local_data after lib_store = 10 20 99 40\n\
            lib_call_main(41) = 1042\n\
            main_value through the library's pointer = 2000\n\
            main_callback through the library's pointer = 10\n\
            pointer equality: 1 1 1 1\n\
            distinct: 1\n",
    });
}

#[test]
fn weak() {
    check(&Program {
        name: "weak",
        libs: &[Module {
            file: "libweak.so",
            sources: &["weak_lib.c"],
            inputs: &["libminirt.so"],
        }],
        main: Module {
            file: "main.wasm",
            sources: &["weak_main.c"],
            inputs: &["libweak.so", "libminirt.so"],
        },
        // Main's weak `who` wins at link time over the library's strong one (a definition in
        // an object beats one in a shared library); the library calls its own `who` directly,
        // but its weak `level` through an import, which the loader resolves to main's.
        expected: "main: who() = main's weak who\n\
            main: level() = 5, same pointer as the library's: 1\n\
            main: tunable = 1\n\
            main: lib_only_weak() = 7\n\
            main: optional_hook absent\n\
            main: &optional_data null\n\
            lib: who() = the library's who\n\
            lib: level() = 5, through a pointer = 5\n\
            lib: tunable = 1\n\
            lib: main_extra present: 42\n\
            lib: nowhere_fn absent\n\
            lib: &nowhere_data null\n",
    });
}

#[test]
fn ctors() {
    check(&Program {
        name: "ctors",
        libs: &[
            Module {
                file: "libctorbase.so",
                sources: &["ctors_base.c"],
                inputs: &["libminirt.so"],
            },
            // Found through the library search path, as `-lctorbase`.
            Module {
                file: "libctors.so",
                sources: &["ctors_lib.c"],
                inputs: &["-lctorbase", "-lminirt"],
            },
        ],
        main: Module {
            file: "main.wasm",
            sources: &["ctors_main.c"],
            inputs: &["-lctors", "-lctorbase", "-lminirt"],
        },
        expected: "ctor 0: libctorbase\n\
            ctor 1: libctors, priority 101\n\
            ctor 2: libctors, priority 200\n\
            ctor 3: main\n\
            libctors saw libctorbase initialised: 1\n\
            main's constructor saw squares: 1\n\
            squares: 0 1 4 9 16\n",
    });
}

#[test]
fn cxx_virtual_classes() {
    check(&Program {
        name: "cxx",
        libs: &[Module {
            file: "libshapes.so",
            sources: &["shapes_lib.cpp"],
            inputs: &["libminirt.so"],
        }],
        main: Module {
            file: "main.wasm",
            sources: &["shapes_main.cpp"],
            inputs: &["libshapes.so", "libminirt.so"],
        },
        expected: "registry_size after the library's constructors: 3\n\
            shape 1 is a square of area 16\n\
            shape 2 is a triangle of area 15\n\
            shape 3 is a rect of area 6\n\
            shape 4 is a shape of area 1\n\
            total area: 38\n\
            shape(1) rect(6) triangle(15) square(16) \n\
            alive: 4\n\
            triangle 2 destroyed\n\
            alive after delete: 0\n",
    });
}

/// Links `args` with wasm-ld-19 into `<scratch>/inputs/<file>`, for use as an input of
/// another link (so that one test judges one module).
fn reference_module(scratch: &Scratch, file: &str, args: &[OsString]) -> PathBuf {
    let run = link_into(
        &require_tool("wasm-ld-19"),
        args,
        &scratch.path(&format!("inputs/{file}")),
        file,
    );
    assert_eq!(
        run.code, 0,
        "wasm-ld-19 failed to link {file}: {}",
        run.stderr
    );
    run.path
}

/// Links `args` with both linkers (into `<scratch>/{ours,ref}/<case>/<file>`); panics unless
/// both succeed and write the same bytes, valid with `features`. Gives wasm-ld-19's output.
fn assert_links_identically(
    scratch: &Scratch,
    case: &str,
    file: &str,
    args: &[OsString],
    features: wasmparser::WasmFeatures,
) -> Vec<u8> {
    let dir = |side: &str| scratch.path(&format!("{side}/{case}"));
    let theirs = link_into(&require_tool("wasm-ld-19"), args, &dir("ref"), file);
    let bytes = theirs.output.filter(|_| theirs.code == 0);
    let bytes = bytes.unwrap_or_else(|| panic!("{case}: wasm-ld-19 failed: {}", theirs.stderr));
    let validate = |b: &[u8], who: &str| {
        let mut validator = wasmparser::Validator::new_with_features(features);
        validator
            .validate_all(b)
            .unwrap_or_else(|e| panic!("{case}: {who}'s output does not validate: {e}"));
    };
    validate(&bytes, "wasm-ld-19");
    let ours = link_into(&cli_binary("wasm-link"), args, &dir("ours"), file);
    let our_bytes = ours.output.filter(|_| ours.code == 0);
    let our_bytes = our_bytes
        .unwrap_or_else(|| panic!("{case}: wasm-link failed to link {file}: {}", ours.stderr));
    validate(&our_bytes, "wasm-link");
    assert!(
        our_bytes == bytes,
        "{case}: {file} differs from wasm-ld-19's ({} and {})",
        ours.path.display(),
        theirs.path.display()
    );
    bytes
}

fn os_args(items: &[&str]) -> Vec<OsString> {
    items.iter().map(OsString::from).collect()
}

/// The pointers program's objects for `target`, and wasm-ld-19's `libminirt.so` and
/// `libpointers.so` linked from them with `shared` options.
fn pointers_inputs(scratch: &Scratch, target: &[&str], shared: &[&str]) -> [PathBuf; 3] {
    let obj = |s: &str| compile(scratch, "obj", s, target);
    let (minirt, lib, main) = (
        obj("minirt.c"),
        obj("pointers_lib.c"),
        obj("pointers_main.c"),
    );
    let mut args = os_args(shared);
    args.push(minirt.into());
    let minirt_so = reference_module(scratch, "libminirt.so", &args);
    let mut args = os_args(shared);
    args.extend([lib.into_os_string(), minirt_so.clone().into_os_string()]);
    let lib_so = reference_module(scratch, "libpointers.so", &args);
    [main, lib_so, minirt_so]
}

/// `-pie` with its defaults: main defines and exports its memory, exports only `_start` and
/// what a GOT entry needs, and starts with `__wasm_apply_global_relocs`. Not run: the loader
/// wants the memory imported.
#[test]
fn pie_with_defaults_links_identically() {
    let scratch = Scratch::new("dylink", "pie_defaults");
    let [main, lib_so, minirt_so] = pointers_inputs(
        &scratch,
        &["--target=wasm32-wasi", "--sysroot=/usr"],
        SHARED,
    );
    let mut args = os_args(&["--experimental-pic", "-pie", CRT1]);
    args.extend([main, lib_so, minirt_so].map(PathBuf::into_os_string));
    let features = wasmparser::WasmFeatures::default();
    assert_links_identically(&scratch, "pie", "main.wasm", &args, features);
}

/// A main module linked without the libraries as inputs: its undefined symbols become imports
/// by `--unresolved-symbols=import-dynamic`, and dylink.0 has no NEEDED list.
#[test]
fn pie_without_shared_inputs_links_identically() {
    let scratch = Scratch::new("dylink", "pie_no_needed");
    let [main, ..] = pointers_inputs(
        &scratch,
        &["--target=wasm32-wasi", "--sysroot=/usr"],
        SHARED,
    );
    let mut args = os_args(PIE);
    args.extend([
        "--unresolved-symbols=import-dynamic".into(),
        main.into_os_string(),
    ]);
    let features = wasmparser::WasmFeatures::default();
    assert_links_identically(&scratch, "pie", "main.wasm", &args, features);
}

/// The pointers program for wasm64: i64 `__memory_base`, `__stack_pointer` and GOT globals, a
/// 64-bit table. Linked only: node 20 cannot compile wasm-ld-19's wasm64 PIC modules (their
/// table64 limits flags), and node's WASI is 32-bit.
#[test]
fn memory64_links_identically() {
    let scratch = Scratch::new("dylink", "memory64");
    let shared = ["-m", "wasm64", "--experimental-pic", "-shared"];
    let shared = [&shared[..], &["--unresolved-symbols=import-dynamic"]].concat();
    let target = ["--target=wasm64-unknown-unknown"];
    let [main, lib_so, minirt_so] = pointers_inputs(&scratch, &target, &shared);
    let features = wasmparser::WasmFeatures::default() | wasmparser::WasmFeatures::MEMORY64;
    let lib_obj = compile(&scratch, "obj", "pointers_lib.c", &target);
    let mut args = os_args(&shared);
    args.extend([lib_obj.into_os_string(), minirt_so.clone().into_os_string()]);
    assert_links_identically(&scratch, "lib", "libpointers.so", &args, features);
    let mut args = os_args(&[
        "-m",
        "wasm64",
        "--experimental-pic",
        "-pie",
        "--import-memory",
    ]);
    args.extend(os_args(&[
        "--export-dynamic",
        "--no-entry",
        "--export=main",
    ]));
    args.extend([main, lib_so, minirt_so].map(PathBuf::into_os_string));
    assert_links_identically(&scratch, "main", "main.wasm", &args, features);
}
