//! Code generation: the loaded bitcode modules compiled by libLTO into wasm objects, with
//! lld's settings where the C API can express them and an error where it cannot. Full LTO
//! modules are merged, optimized and compiled into one object by `lto_codegen_*` (the legacy
//! LTO code generator); ThinLTO modules are compiled one object each by `thinlto_*` (the
//! legacy `ThinLTOCodeGenerator`), which imports across modules through their summaries and
//! caches with `--thinlto-cache-dir`. The objects come in lld's task order: the full LTO
//! object first, then one per ThinLTO module in load order.

use super::cache_policy::CachePolicy;
use super::library::{self, CodeGen, Library};
use super::{Plan, Scanned};
use crate::config::{Config, UnresolvedPolicy};
use crate::diagnostic::{Code, Diagnostic, Errors};
use crate::ids::FileId;
use crate::inputs::Inputs;
use std::ffi::{c_char, c_int, c_void, CStr};
use std::path::PathBuf;
use std::sync::Mutex;

/// `lto_codegen_diagnostic_severity_t`'s error and warning.
const DS_ERROR: c_int = 0;
const DS_WARNING: c_int = 1;

/// What compiling gave: the objects' bytes, and LLVM's warnings.
pub struct Compiled {
    /// The objects (each `lto.tmp`), in lld's task order.
    pub objects: Vec<Vec<u8>>,
    /// LLVM's warnings, as wasm-ld prints them.
    pub warnings: Vec<Diagnostic>,
}

/// Compiles the plan's modules: the full LTO ones into one object, each ThinLTO one into its
/// own.
pub fn compile(
    inputs: &Inputs<'_>,
    plan: &Plan,
    scanned: &Scanned,
    config: &Config,
) -> Result<Compiled, Errors> {
    let Some(library) = &scanned.library else {
        return Err(vec![super::missing_library(scanned)]);
    };
    let options = llvm_options(config).map_err(|e| vec![e])?;
    let (thin, full): (Vec<FileId>, Vec<FileId>) =
        plan.modules.iter().partition(|&&f| is_thin(inputs, f));
    let mut compiled = Compiled {
        objects: Vec::new(),
        warnings: Vec::new(),
    };
    // Full LTO first: it parses LLVM's options, which ThinLTO then finds in effect.
    if !full.is_empty() {
        let preserve = with_references(&plan.preserve, inputs, &thin);
        let (object, warnings) = compile_full(library, inputs, &full, &preserve, &options, config)?;
        compiled.objects.push(object);
        compiled.warnings = warnings;
    }
    if !thin.is_empty() {
        let preserve = with_references(&plan.preserve, inputs, &full);
        let objects = compile_thin(library, inputs, &thin, &preserve, &options, config)?;
        compiled.objects.extend(objects);
    }
    if config.lto.save_temps {
        save_temps(plan, &compiled.objects, !full.is_empty(), config).map_err(|e| vec![e])?;
    }
    Ok(compiled)
}

/// Whether module `f` was compiled for ThinLTO (`-flto=thin`).
fn is_thin(inputs: &Inputs<'_>, f: FileId) -> bool {
    inputs.files[f.idx()].lto.is_some_and(|b| b.module.thin)
}

/// `preserve`, plus every symbol the `others` modules reference: full and ThinLTO modules
/// are compiled apart, so what one group needs from the other must stay external.
fn with_references(preserve: &[String], inputs: &Inputs<'_>, others: &[FileId]) -> Vec<String> {
    let mut names = preserve.to_vec();
    for &f in others {
        let Some(bitcode) = inputs.files[f.idx()].lto else {
            continue;
        };
        let undefined = bitcode.module.symbols.iter().filter(|(_, attrs)| {
            matches!(
                attrs & library::attr::DEFINITION_MASK,
                library::attr::DEFINITION_UNDEFINED | library::attr::DEFINITION_WEAKUNDEF
            )
        });
        names.extend(undefined.map(|(name, _)| name.clone()));
    }
    names
}

/// The names that more than one of `modules` defines or references: lld
/// exports them from their ThinLTO module (a symbol of the `External` partition), so a
/// definition another module uses, or overrides, is not internalized.
fn shared_names<'i>(inputs: &'i Inputs<'_>, modules: &[FileId]) -> Vec<&'i str> {
    let mut first: rustc_hash::FxHashMap<&str, FileId> = Default::default();
    let mut shared: rustc_hash::FxHashSet<&str> = Default::default();
    let mut order = Vec::new();
    for &f in modules {
        let Some(bitcode) = inputs.files[f.idx()].lto else {
            continue;
        };
        for (name, _) in &bitcode.module.symbols {
            let name = name.as_str();
            if *first.entry(name).or_insert(f) != f && shared.insert(name) {
                order.push(name);
            }
        }
    }
    order
}

/// Full LTO: the modules merged in load order, optimized and compiled into one object.
fn compile_full(
    library: &Library,
    inputs: &Inputs<'_>,
    modules: &[FileId],
    preserve: &[String],
    options: &[String],
    config: &Config,
) -> Result<(Vec<u8>, Vec<Diagnostic>), Errors> {
    let first = library::claim_options(options).map_err(|e| vec![unsupported(e)])?;
    let cg = library.codegen().map_err(|e| vec![lto_error(e)])?;
    let diagnostics: Mutex<Vec<(c_int, String)>> = Mutex::new(Vec::new());
    // SAFETY: `collect` reads `context` as the `Mutex` above, which outlives `cg`'s calls
    // (both live until the end of this function; `cg` is dropped first).
    unsafe { cg.set_diagnostic_handler(collect, std::ptr::from_ref(&diagnostics) as *mut c_void) };
    cg.set_pic(pic(config)).map_err(|e| vec![lto_error(e)])?;
    if first {
        cg.debug_options(options);
    }
    let loaded = add_modules(library, &cg, inputs, modules).map_err(|e| vec![e])?;
    for name in preserve {
        cg.preserve(name);
    }
    let result = run(&cg, config);
    drop(loaded);
    drop(cg);
    let diagnostics = diagnostics.into_inner().unwrap_or_else(|e| e.into_inner());
    let (errors, warnings) = split(diagnostics);
    match result {
        Ok(object) if errors.is_empty() => Ok((object, warnings)),
        Ok(_) => Err(errors),
        Err(e) if errors.is_empty() => Err(vec![lto_error(e)]),
        Err(_) => Err(errors),
    }
}

/// ThinLTO: each module imported into, optimized and compiled on its own (in parallel, by
/// `--thinlto-jobs` threads), cached in `--thinlto-cache-dir`.
fn compile_thin(
    library: &Library,
    inputs: &Inputs<'_>,
    modules: &[FileId],
    preserve: &[String],
    options: &[String],
    config: &Config,
) -> Result<Vec<Vec<u8>>, Errors> {
    let policy = config.lto.thinlto_cache_policy.as_deref().unwrap_or("");
    let policy = CachePolicy::parse(policy).map_err(|e| {
        let message = format!("--thinlto-cache-policy: invalid cache policy: {e}");
        vec![Diagnostic::error(Code::Other, message)]
    })?;
    if library::claim_options(options).map_err(|e| vec![unsupported(e)])? {
        library.parse_options(options);
    }
    let mut cg = library.thin_codegen().map_err(|e| vec![lto_error(e)])?;
    cg.set_pic(pic(config)).map_err(|e| vec![lto_error(e)])?;
    if let Some(dir) = &config.lto.thinlto_cache_dir {
        // lld creates the directory; libLTO's legacy generator would end the process.
        std::fs::create_dir_all(dir).map_err(|e| {
            let e = crate::trace::io_message(&e);
            let message = format!("can't create cache directory {}: {e}", dir.display());
            vec![Diagnostic::error(Code::Output, message)]
        })?;
        cg.set_cache(dir, &policy);
    }
    for &f in modules {
        let file = &inputs.files[f.idx()];
        let bytes = file.lto.map_or(&[][..], |b| b.bytes);
        cg.add_module(&module_identifier(inputs, f), bytes)
            .map_err(|e| vec![lto_error(e).in_file(&file.name)])?;
    }
    for name in preserve {
        cg.preserve(name);
    }
    for name in shared_names(inputs, modules) {
        cg.cross_reference(name);
    }
    let objects = cg.process();
    if objects.len() != modules.len() {
        let message = format!(
            "ThinLTO gave {} objects for {} modules",
            objects.len(),
            modules.len()
        );
        return Err(vec![lto_error(message)]);
    }
    Ok(objects)
}

/// The unique name of a ThinLTO module, as lld names bitcode (`lib.a(m.o at 1234)` for an
/// archive member).
fn module_identifier(inputs: &Inputs<'_>, f: FileId) -> String {
    let file = &inputs.files[f.idx()];
    match (file.member_at, file.name.strip_suffix(')')) {
        (Some(at), Some(name)) => format!("{name} at {at})"),
        _ => file.name.clone(),
    }
}

/// Position-independent code for `-shared`, `-pie` and imported undefined symbols.
fn pic(config: &Config) -> bool {
    config.pic || config.unresolved == UnresolvedPolicy::ImportDynamic
}

/// Merges (`0.0.preopt.bc` with `--save-temps`), optimizes and compiles.
fn run(cg: &CodeGen<'_>, config: &Config) -> Result<Vec<u8>, String> {
    if config.lto.save_temps {
        cg.write_merged(&temp_path(config, ".0.0.preopt.bc"))?;
    }
    cg.optimize()?;
    cg.compile_optimized()
}

/// Reads each loaded module whole, in load order, and links it into the merged module.
fn add_modules<'l>(
    library: &'l Library,
    cg: &CodeGen<'l>,
    inputs: &Inputs<'_>,
    modules: &[FileId],
) -> Result<Vec<super::library::Module<'l>>, Diagnostic> {
    let mut loaded = Vec::with_capacity(modules.len());
    for &f in modules {
        let file = &inputs.files[f.idx()];
        let bytes = file.lto.map_or(&[][..], |b| b.bytes);
        let module = library
            .codegen_module(bytes, &file.name)
            .map_err(|e| lto_error(e).in_file(&file.name))?;
        cg.add_module(&module)
            .map_err(|e| lto_error(e).in_file(&file.name))?;
        loaded.push(module);
    }
    Ok(loaded)
}

/// LLVM options for lld's settings (`lld/wasm/LTO.cpp` `createConfig`), then `-mllvm`'s.
/// libLTO takes the optimization level as `-O<n>` and sets the code generation level to the
/// same number, so an explicit `--lto-CGO` must equal `--lto-O`. (lld's default code
/// generation level is 2 below `--lto-O3`: at `--lto-O0` and `--lto-O1` libLTO generates
/// less optimized code than wasm-ld, see `docs/lto.md`.)
fn llvm_options(config: &Config) -> Result<Vec<String>, Diagnostic> {
    let lto = &config.lto;
    if lto.partitions != 1 {
        return Err(unsupported(format!(
            "--lto-partitions={}: libLTO's C API compiles one partition; use --lto-partitions=1",
            lto.partitions
        )));
    }
    if let Some(level) = lto.cg_opt_level.filter(|&l| l != lto.opt_level) {
        return Err(unsupported(format!(
            "--lto-CGO{level}: libLTO's C API sets the code generation level from --lto-O{} \
             (--lto-CGO{}); pass --lto-O{level} or drop --lto-CGO",
            lto.opt_level, lto.opt_level
        )));
    }
    if lto.debug_pass_manager {
        return Err(unsupported(
            "--lto-debug-pass-manager: not available through libLTO's C API".to_string(),
        ));
    }
    let mut options = vec![
        format!("-O{}", lto.opt_level),
        format!("-disable-llvm-verifier={}", lto.disable_verify),
    ];
    // lld builds the target machine with these under shared memory, so that TLS is kept.
    if config.shared_memory {
        options.push("-mattr=+atomics,+bulk-memory".to_string());
    }
    // The legacy ThinLTO code generator's thread count: `--thinlto-jobs`, else `--threads`
    // (as lld defaults it), else its default, one per core (lld's too).
    let threads = config.threads.map(|n| n.to_string());
    match lto.thinlto_jobs.as_deref().or(threads.as_deref()) {
        Some("all") => {
            let n = std::thread::available_parallelism().map_or(1, |n| n.get());
            options.push(format!("-threads={n}"));
        }
        Some(n) => options.push(format!("-threads={n}")),
        None => {}
    }
    options.extend(lto.mllvm.iter().cloned());
    Ok(options)
}

/// Receives LLVM's diagnostics (`lto_diagnostic_handler_t`).
///
/// # Safety
/// `context` must be the `Mutex` [`compile`] passes.
unsafe extern "C" fn collect(severity: c_int, message: *const c_char, context: *mut c_void) {
    let diagnostics = &*(context as *const Mutex<Vec<(c_int, String)>>);
    let text = if message.is_null() {
        String::new()
    } else {
        CStr::from_ptr(message).to_string_lossy().into_owned()
    };
    if let Ok(mut d) = diagnostics.lock() {
        d.push((severity, text));
    }
}

/// LLVM's errors and warnings, as lld's `diagnosticHandler` reports them (remarks and notes
/// are printed as messages there: here they are warnings without a link failure).
fn split(diagnostics: Vec<(c_int, String)>) -> (Errors, Vec<Diagnostic>) {
    let mut errors = Vec::new();
    let mut warnings = Vec::new();
    for (severity, text) in diagnostics {
        match severity {
            DS_ERROR => errors.push(lto_error(text)),
            DS_WARNING => warnings.push(Diagnostic::warning(Code::Other, text)),
            _ => {}
        }
    }
    (errors, warnings)
}

/// `--save-temps`: what wasm-ld writes that the C API can give: each object under lld's
/// name for its task (`OUT.lto.o` for full LTO, `OUT1.lto.o`, `OUT2.lto.o` ... for the ThinLTO
/// modules), `OUT.resolution.txt` (from our plan), and `OUT.0.0.preopt.bc` (written before
/// optimizing, full LTO only).
fn save_temps(
    plan: &Plan,
    objects: &[Vec<u8>],
    has_full: bool,
    config: &Config,
) -> Result<(), Diagnostic> {
    let write = |path: PathBuf, bytes: &[u8]| {
        std::fs::write(&path, bytes).map_err(|e| {
            let e = crate::trace::io_message(&e);
            Diagnostic::error(Code::Output, format!("cannot open {}: {e}", path.display()))
        })
    };
    let first_task = usize::from(!has_full);
    for (task, object) in (first_task..).zip(objects) {
        let path = if task == 0 {
            temp_path(config, ".lto.o")
        } else {
            temp_path(config, &format!("{task}.lto.o"))
        };
        write(path, object)?;
    }
    write(
        temp_path(config, ".resolution.txt"),
        plan.resolution.as_bytes(),
    )
}

/// `OUT` with `suffix` appended.
fn temp_path(config: &Config, suffix: &str) -> PathBuf {
    let mut path = config.output.clone().into_os_string();
    path.push(suffix);
    PathBuf::from(path)
}

/// An error LLVM or libLTO reported.
fn lto_error(message: String) -> Diagnostic {
    Diagnostic::error(Code::Other, message)
}

/// An option libLTO's C API cannot honour.
fn unsupported(message: String) -> Diagnostic {
    Diagnostic::error(Code::Unsupported, message)
}
