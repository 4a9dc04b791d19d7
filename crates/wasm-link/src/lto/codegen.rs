//! Code generation: the loaded bitcode modules merged, optimized and compiled into one wasm
//! object by libLTO's `lto_codegen_*` (its legacy LTO code generator), with lld's settings
//! where the C API can express them and an error where it cannot.

use super::library::{CodeGen, Library};
use super::{Plan, Scanned};
use crate::config::{Config, UnresolvedPolicy};
use crate::diagnostic::{Code, Diagnostic, Errors};
use crate::inputs::Inputs;
use std::ffi::{c_char, c_int, c_void, CStr};
use std::path::PathBuf;
use std::sync::Mutex;

/// `lto_codegen_diagnostic_severity_t`'s error and warning.
const DS_ERROR: c_int = 0;
const DS_WARNING: c_int = 1;

/// What compiling gave: the object's bytes, and LLVM's warnings and remarks.
pub struct Compiled {
    /// The object (`lto.tmp`).
    pub object: Vec<u8>,
    /// LLVM's warnings, as wasm-ld prints them.
    pub warnings: Vec<Diagnostic>,
}

/// Compiles the plan's modules into one object.
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
    let cg = library.codegen().map_err(|e| vec![lto_error(e)])?;
    let diagnostics: Mutex<Vec<(c_int, String)>> = Mutex::new(Vec::new());
    // SAFETY: `collect` reads `context` as the `Mutex` above, which outlives `cg`'s calls
    // (both live until the end of this function; `cg` is dropped first).
    unsafe { cg.set_diagnostic_handler(collect, std::ptr::from_ref(&diagnostics) as *mut c_void) };
    cg.set_pic(config.pic || config.unresolved == UnresolvedPolicy::ImportDynamic)
        .map_err(|e| vec![lto_error(e)])?;
    cg.debug_options(&options);
    let modules = add_modules(library, &cg, inputs, plan).map_err(|e| vec![e])?;
    for name in &plan.preserve {
        cg.preserve(name);
    }
    let result = run(&cg, config);
    drop(modules);
    drop(cg);
    let diagnostics = diagnostics.into_inner().unwrap_or_else(|e| e.into_inner());
    let (errors, warnings) = split(diagnostics);
    let object = match result {
        Ok(object) if errors.is_empty() => object,
        Ok(_) => return Err(errors),
        Err(e) if errors.is_empty() => return Err(vec![lto_error(e)]),
        Err(_) => return Err(errors),
    };
    if config.lto.save_temps {
        save_temps(plan, &object, config).map_err(|e| vec![e])?;
    }
    Ok(Compiled { object, warnings })
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
    plan: &Plan,
) -> Result<Vec<super::library::Module<'l>>, Diagnostic> {
    let mut modules = Vec::with_capacity(plan.modules.len());
    for &f in &plan.modules {
        let file = &inputs.files[f.idx()];
        let bytes = file.lto.map_or(&[][..], |b| b.bytes);
        let module = library
            .codegen_module(bytes, &file.name)
            .map_err(|e| lto_error(e).in_file(&file.name))?;
        cg.add_module(&module)
            .map_err(|e| lto_error(e).in_file(&file.name))?;
        modules.push(module);
    }
    Ok(modules)
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

/// `--save-temps`: what wasm-ld writes that the C API can give. `OUT.lto.o` (the object),
/// `OUT.resolution.txt` (from our plan), and `OUT.0.0.preopt.bc` (written before optimizing).
fn save_temps(plan: &Plan, object: &[u8], config: &Config) -> Result<(), Diagnostic> {
    let write = |path: PathBuf, bytes: &[u8]| {
        std::fs::write(&path, bytes).map_err(|e| {
            let e = crate::trace::io_message(&e);
            Diagnostic::error(Code::Output, format!("cannot open {}: {e}", path.display()))
        })
    };
    write(temp_path(config, ".lto.o"), object)?;
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
