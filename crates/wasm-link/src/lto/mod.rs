//! Link-time optimization, before loading: the LLVM bitcode objects of the command line
//! (`clang -flto`) are linked, optimized and compiled by LLVM's libLTO into one object, which
//! takes the place of the first of them; the link then goes on with it like any object. A
//! link without bitcode never loads libLTO.
//!
//! What the rest of the program needs from the bitcode is kept (`lto_codegen_add_must_preserve
//! _symbol`): symbols that native objects and archive members refer to, exports (`--export`,
//! `--export-if-defined`, `--export-all`, `--export-dynamic`), the entry, `-u`, `--wrap`ped
//! symbols and the runtime functions code generation may call. libLTO internalizes the rest.
//!
//! Not done here, each a clear error: bitcode archive members (see `load`), `--lto-CGO`,
//! `--lto-partitions` other than 1, and the ThinLTO cache options. ThinLTO bitcode
//! (`-flto=thin`) is compiled as full LTO would: the same program, by another strategy.

mod library;

use crate::config::{Config, Entry, Input};
use crate::diagnostic::{Code, Diagnostic, Errors};
use library::LibLto;
use rayon::prelude::*;
use std::collections::HashSet;
use wasm_object::input::{is_bitcode, Contents, FileKind, InputFile};
use wasm_object::object::Object;

/// What wasm-ld calls the object LTO makes.
const LTO_OBJECT: &str = "lto.tmp";

/// Runtime functions code generation may call: kept when bitcode defines them.
const LIBCALLS: &[&str] = &[
    "memcpy",
    "memmove",
    "memset",
    "memcmp",
    "bcmp",
    "strlen",
    "abort",
    "__stack_chk_fail",
];

/// `mask`, `value` pairs of `lto_symbol_attributes`.
const DEFINITION_MASK: u32 = 0x700;
const UNDEFINED: u32 = 0x400;
const WEAK_UNDEFINED: u32 = 0x500;
const SCOPE_MASK: u32 = 0x3800;
const SCOPE_INTERNAL: u32 = 0x800;
const SCOPE_HIDDEN: u32 = 0x1000;

/// The inputs after LTO, with the configuration that names them (`None` when no input is
/// bitcode: nothing changes).
pub fn compile(
    config: &Config,
    files: Vec<InputFile>,
) -> Result<(Option<Config>, Vec<InputFile>), Errors> {
    let bitcode: Vec<usize> = (0..files.len())
        .filter(|&k| files[k].kind() == FileKind::Unknown && is_bitcode(files[k].bytes()))
        .collect();
    let Some(&first) = bitcode.first() else {
        return Ok((None, files));
    };
    unsupported_options(config)?;
    let lib = LibLto::find(config.lto_library.as_deref())
        .map_err(|detail| vec![missing_library(&files[first], &detail)])?;
    let mut modules = Vec::new();
    let mut defined = Vec::new();
    let mut errors = Vec::new();
    for &k in &bitcode {
        match read_module(&lib, &files[k], config) {
            Ok((m, symbols)) => {
                modules.push(m);
                defined.extend(symbols);
            }
            Err(e) => errors.push(e),
        }
    }
    if !errors.is_empty() {
        modules.into_iter().for_each(|m| lib.dispose(m));
        return Err(errors);
    }
    let native: Vec<&InputFile> = (0..files.len())
        .filter(|k| !bitcode.contains(k))
        .map(|k| &files[k])
        .collect();
    let preserve = preserved(config, &defined, &referenced_by(&native));
    let bytes = lib
        .compile(modules, &preserve, config.pic, &options(config))
        .map_err(|e| {
            vec![Diagnostic::error(
                Code::Input,
                format!("LTO code generation failed: {e}"),
            )]
        })?;
    if config.save_temps {
        save_object(config, &bytes)?;
    }
    let (config, files) = replace_bitcode(config, files, &bitcode, bytes);
    Ok((Some(config), files))
}

/// The options libLTO's C API cannot honour.
fn unsupported_options(config: &Config) -> Result<(), Errors> {
    let refuse = |what: &str| {
        let message = format!("{what} is not supported: LTO runs through libLTO's C API");
        Err(vec![Diagnostic::error(Code::Other, message)])
    };
    match () {
        _ if config.lto_cgo.is_some() => refuse("--lto-CGO"),
        _ if config.lto_partitions.is_some_and(|p| p != 1) => {
            refuse("--lto-partitions other than 1")
        }
        _ if config.thinlto_cache => refuse("the ThinLTO cache (--thinlto-cache-dir)"),
        _ => Ok(()),
    }
}

/// wasm-ld has libLTO built in; we look for it. Names the first bitcode input.
fn missing_library(first: &InputFile, detail: &str) -> Diagnostic {
    let name = first.path().display();
    let message = format!(
        "{name}: linking LLVM bitcode (-flto) needs LLVM's libLTO, which could not be loaded \
         ({detail}): install the Debian package llvm-19-linker-tools, or name the library with \
         --lto-library=PATH or {}",
        library::ENV
    );
    Diagnostic::error(Code::Input, message).in_file(name.to_string())
}

/// Reads one bitcode input: its module and its defined symbols (name, attributes).
fn read_module(
    lib: &LibLto,
    file: &InputFile,
    config: &Config,
) -> Result<(library::Module, Vec<(String, u32)>), Diagnostic> {
    let name = file.path().display().to_string();
    let error = |message: String| Diagnostic::error(Code::Input, message).in_file(&name);
    let m = lib.module(file.bytes(), &name).map_err(|e| {
        error(format!(
            "{name}: libLTO ({}, {}) cannot read this bitcode: {e}; bitcode from a newer LLVM \
             (rustc's, for one) needs a libLTO at least as new",
            lib.version(),
            lib.path.display()
        ))
    })?;
    let triple = lib.triple(m);
    let arch = if triple.starts_with("wasm64") {
        Some(true)
    } else if triple.starts_with("wasm32") {
        Some(false)
    } else {
        None
    };
    let mismatch = match (arch, config.memory64) {
        (None, _) => Some(format!("{name}: machine type must be wasm32 or wasm64")),
        (Some(true), None | Some(false)) => Some(format!(
            "{name}: must specify -mwasm64 to process wasm64 object files"
        )),
        (Some(false), Some(true)) => Some(format!(
            "{name}: wasm32 object file can't be linked in wasm64 mode"
        )),
        _ => None,
    };
    if let Some(message) = mismatch {
        lib.dispose(m);
        return Err(error(message));
    }
    let symbols = lib.symbols(m).map_err(&error)?;
    let defined = symbols
        .into_iter()
        .filter(|(_, a)| !matches!(a & DEFINITION_MASK, UNDEFINED | WEAK_UNDEFINED))
        .collect();
    Ok((m, defined))
}

/// The names native objects and archive members leave undefined.
fn referenced_by(native: &[&InputFile]) -> HashSet<String> {
    let objects: Vec<(&[u8], usize)> = native
        .iter()
        .flat_map(|f| match f.contents() {
            Ok(Contents::Object(_)) => vec![(f.bytes(), 0)],
            Ok(Contents::Archive(a)) => (a.members.iter())
                .filter(|m| wasm_format::is_wasm(m.data.bytes))
                .map(|m| (m.data.bytes, m.data.offset))
                .collect(),
            _ => Vec::new(),
        })
        .collect();
    objects
        .par_iter()
        .flat_map_iter(|&(bytes, offset)| {
            let names: Vec<String> = match Object::parse(bytes, offset) {
                Ok(obj) => (obj.symbols.iter())
                    .filter(|s| !s.is_defined())
                    .filter_map(|s| s.name.or_else(|| obj.symbol_import(s).map(|i| i.1)))
                    .map(str::to_string)
                    .collect(),
                Err(_) => Vec::new(),
            };
            names
        })
        .collect()
}

/// The bitcode-defined symbols the rest of the link may need.
fn preserved(
    config: &Config,
    defined: &[(String, u32)],
    referenced: &HashSet<String>,
) -> Vec<String> {
    let entry = match &config.entry {
        Entry::Default if !config.relocatable && !config.shared => Some("_start"),
        Entry::Named(name) => Some(name.as_str()),
        _ => None,
    };
    let named: HashSet<&str> = (config.exports.iter())
        .chain(&config.exports_if_defined)
        .chain(&config.undefined)
        .map(String::as_str)
        .chain(entry)
        .chain(
            config
                .wrap
                .iter()
                .flat_map(|w| [w.symbol.as_str(), w.wrap.as_str(), w.real.as_str()]),
        )
        .chain(LIBCALLS.iter().copied())
        .collect();
    let mut out: Vec<String> = defined
        .iter()
        .filter(|(name, attributes)| {
            let scope = attributes & SCOPE_MASK;
            let visible = scope != SCOPE_INTERNAL;
            // A relocatable output keeps every visible symbol for the final link.
            let exported = config.export_all
                || config.relocatable
                || (config.export_dynamic || config.shared) && scope != SCOPE_HIDDEN;
            visible && (referenced.contains(name) || named.contains(name.as_str()) || exported)
        })
        .map(|(name, _)| name.clone())
        .collect();
    out.sort();
    out.dedup();
    out
}

/// LLVM options: the optimization level, then `-mllvm` ones.
fn options(config: &Config) -> Vec<String> {
    let mut out = Vec::new();
    if config.lto_opt_level != 2 {
        out.push(format!("-O{}", config.lto_opt_level));
    }
    out.extend(config.mllvm.iter().cloned());
    if config.lto_disable_verify {
        out.push("-disable-verify".into());
    }
    out
}

/// `--save-temps`: the object LTO made, as wasm-ld names it (`OUTPUT.lto.o`).
fn save_object(config: &Config, bytes: &[u8]) -> Result<(), Errors> {
    let mut path = config.output.clone().into_os_string();
    path.push(".lto.o");
    std::fs::write(&path, bytes).map_err(|e| {
        let message = format!("cannot write {}: {e}", path.to_string_lossy());
        vec![Diagnostic::error(Code::Output, message)]
    })
}

/// The inputs with the LTO object in place of the first bitcode input, and without the
/// others.
fn replace_bitcode(
    config: &Config,
    files: Vec<InputFile>,
    bitcode: &[usize],
    object: Vec<u8>,
) -> (Config, Vec<InputFile>) {
    let mut config = config.clone();
    let mut inputs = Vec::with_capacity(files.len());
    let mut kept = Vec::with_capacity(files.len());
    let mut object = Some(object);
    for (k, (file, input)) in files.into_iter().zip(&config.inputs).enumerate() {
        if !bitcode.contains(&k) {
            inputs.push(input.clone());
            kept.push(file);
        } else if let Some(bytes) = object.take() {
            inputs.push(Input {
                path: LTO_OBJECT.into(),
                ..input.clone()
            });
            kept.push(InputFile::from_bytes(LTO_OBJECT, bytes));
        }
    }
    config.inputs = inputs;
    config.lto_object = true;
    (config, kept)
}

/// After resolution, which took the LTO object where the first bitcode object was: lays it
/// out after every other loaded file, archive members included, as lld does.
pub fn lay_out_last(
    inputs: &crate::inputs::Inputs<'_>,
    loaded: &mut Vec<crate::ids::FileId>,
    config: &Config,
) {
    if !config.lto_object {
        return;
    }
    let is_lto = |f: &crate::ids::FileId| {
        let input = &inputs.files[f.idx()];
        input.name == LTO_OBJECT && input.member_at.is_none()
    };
    if let Some(at) = loaded.iter().position(is_lto) {
        let f = loaded.remove(at);
        loaded.push(f);
    }
}
