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
//! Bitcode archive members are taken when the link needs them, found as lld's lazy symbols
//! would be, before resolution (`LazyMembers`).
//!
//! When every module is ThinLTO bitcode (`-flto=thin`), ThinLTO makes one object per module,
//! through libLTO's `thinlto_*` functions and their cache (`--thinlto-cache-dir`); a mix of
//! ThinLTO and full LTO bitcode goes through full LTO.
//!
//! Not done here, each a clear error: `--lto-CGO`, `--lto-partitions` other than 1,
//! `--thinlto-cache-policy`, and `--wrap` of a symbol the bitcode defines.

mod library;
mod producer;

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

/// The inputs after LTO, with the configuration that names them (`None` when no bitcode is
/// linked: nothing changes).
pub fn compile(
    config: &Config,
    files: Vec<InputFile>,
) -> Result<(Option<Config>, Vec<InputFile>), Errors> {
    let on_command_line: Vec<usize> = (0..files.len())
        .filter(|&k| files[k].kind() == FileKind::Unknown && is_bitcode(files[k].bytes()))
        .collect();
    let lazy = LazyMembers::of(&files, config);
    if on_command_line.is_empty() && !lazy.has_bitcode() {
        return Ok((None, files));
    }
    unsupported_options(config)?;
    let mut lto = Lto {
        thin: true,
        ..Lto::default()
    };
    for &k in &on_command_line {
        lto.add(&files[k], config, None)?;
    }
    let extracted = lazy.extract(&files, config, &mut lto)?;
    let Some(lib) = lto.lib.take() else {
        return Ok((None, files));
    };
    wrapped_in_bitcode(config, &lto.defined)?;
    let native: Vec<&InputFile> = (0..files.len())
        .filter(|k| !on_command_line.contains(k))
        .map(|k| &files[k])
        .collect();
    let preserve = preserved(config, &lto.defined, &referenced_by(&native));
    let objects = codegen(&lib, lto, &preserve, config)?;
    if config.save_temps {
        save_objects(config, &objects)?;
    }
    // In place of the first bitcode object, or before the archive of the first member.
    let at = (on_command_line.first())
        .or(extracted.first())
        .copied()
        .unwrap_or(0);
    let (config, files) = replace_bitcode(config, files, &on_command_line, at, objects);
    Ok((Some(config), files))
}

/// Full LTO into one object; or, when every module is ThinLTO bitcode, ThinLTO into one object
/// per module (with the cache of `--thinlto-cache-dir`).
fn codegen(
    lib: &LibLto,
    lto: Lto<'_>,
    preserve: &[String],
    config: &Config,
) -> Result<Vec<Vec<u8>>, Errors> {
    let failed = |e: String| {
        let message = format!("LTO code generation failed: {e}");
        vec![Diagnostic::error(Code::Input, message)]
    };
    if !lto.thin {
        let object = lib.compile(lto.modules, preserve, config.pic, &options(config));
        return object.map(|o| vec![o]).map_err(failed);
    }
    for m in lto.modules {
        lib.dispose(m);
    }
    // Referenced across modules: undefined in one and defined in another, or defined in
    // several (a weak definition another overrides). libLTO's ThinLTO drops the rest.
    let mut count: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for d in lto
        .defined
        .iter()
        .filter(|d| d.1 & SCOPE_MASK != SCOPE_INTERNAL)
    {
        *count.entry(d.0.as_str()).or_default() += 1;
    }
    let undefined: HashSet<&str> = lto.undefined.iter().map(String::as_str).collect();
    let mut cross: Vec<String> = (count.iter())
        .filter(|(name, &n)| n > 1 || undefined.contains(*name))
        .map(|(name, _)| name.to_string())
        .collect();
    cross.sort();
    let cache = config.thinlto_cache_dir.as_deref();
    if let Some(dir) = cache {
        // libLTO aborts the process when it cannot write there: make it first, as lld does.
        std::fs::create_dir_all(dir).map_err(|e| {
            let message = format!("cannot create the ThinLTO cache {}: {e}", dir.display());
            vec![Diagnostic::error(Code::Output, message)]
        })?;
    }
    let opts = options(config);
    (lib.compile_thin(&lto.sources, preserve, &cross, config.pic, cache, &opts)).map_err(failed)
}

/// The bitcode being linked: libLTO (loaded for the first module), the modules with their
/// names and bytes, whether all are ThinLTO bitcode, and what they define and leave undefined.
#[derive(Default)]
struct Lto<'f> {
    lib: Option<LibLto>,
    modules: Vec<library::Module>,
    sources: Vec<(String, &'f [u8])>,
    thin: bool,
    defined: Vec<(String, u32)>,
    undefined: Vec<String>,
}

impl<'f> Lto<'f> {
    /// Reads one bitcode object (`member` of `file`, or `file` itself).
    fn add(
        &mut self,
        file: &'f InputFile,
        config: &Config,
        member: Option<(&str, &'f [u8])>,
    ) -> Result<(), Errors> {
        let name = match member {
            Some((m, _)) => format!("{}({m})", file.path().display()),
            None => file.path().display().to_string(),
        };
        let bytes = member.map_or(file.bytes(), |m| m.1);
        if self.lib.is_none() {
            let lib = LibLto::find(config.lto_library.as_deref())
                .map_err(|detail| vec![missing_library(&name, &detail)])?;
            self.lib = Some(lib);
        }
        let lib = self.lib.as_ref().expect("loaded above");
        let (m, symbols) = read_module(lib, bytes, &name, config).map_err(|e| vec![e])?;
        self.thin &= lib.is_thin(m);
        self.modules.push(m);
        self.sources.push((name, bytes));
        for (sym, attributes) in symbols {
            if matches!(attributes & DEFINITION_MASK, UNDEFINED | WEAK_UNDEFINED) {
                if attributes & DEFINITION_MASK == UNDEFINED {
                    self.undefined.push(sym);
                }
            } else {
                self.defined.push((sym, attributes));
            }
        }
        Ok(())
    }
}

/// Every archive member, in command-line order, with the names it defines and (for native
/// members) leaves undefined: what deciding which bitcode members a link needs takes.
struct LazyMembers {
    members: Vec<LazyMember>,
    /// Names defined and (strongly) undefined by the native objects of the command line.
    defined: HashSet<String>,
    undefined: Vec<String>,
}

struct LazyMember {
    /// The archive's position among the inputs.
    file: usize,
    /// Its position among the archive's members.
    index: usize,
    bitcode: bool,
    whole: bool,
    defined: Vec<String>,
    undefined: Vec<String>,
}

impl LazyMembers {
    fn of(files: &[InputFile], config: &Config) -> LazyMembers {
        let mut jobs = Vec::new();
        let mut out = LazyMembers {
            members: Vec::new(),
            defined: HashSet::new(),
            undefined: Vec::new(),
        };
        for (k, (file, input)) in files.iter().zip(&config.inputs).enumerate() {
            match file.contents() {
                Ok(Contents::Object(_)) => {
                    let (d, u) = names_of(file.bytes(), 0);
                    out.defined.extend(d);
                    out.undefined.extend(u);
                }
                Ok(Contents::Archive(a)) => {
                    for (i, m) in a.members.iter().enumerate() {
                        let bitcode = is_bitcode(m.data.bytes);
                        let defined = match bitcode {
                            true => (a.symbols.iter())
                                .filter(|s| s.member == i)
                                .map(|s| s.name.to_string())
                                .collect(),
                            false => Vec::new(),
                        };
                        out.members.push(LazyMember {
                            file: k,
                            index: i,
                            bitcode,
                            whole: input.whole_archive,
                            defined,
                            undefined: Vec::new(),
                        });
                        if !bitcode && wasm_format::is_wasm(m.data.bytes) {
                            jobs.push((out.members.len() - 1, m.data.bytes, m.data.offset));
                        }
                    }
                }
                _ => {}
            }
        }
        let names: Vec<(usize, Names)> = jobs
            .par_iter()
            .map(|&(at, bytes, offset)| (at, names_of(bytes, offset)))
            .collect();
        for (at, (d, u)) in names {
            out.members[at].defined = d;
            out.members[at].undefined = u;
        }
        out
    }

    fn has_bitcode(&self) -> bool {
        self.members.iter().any(|m| m.bitcode)
    }

    /// The members symbol resolution will take, found as lld's lazy symbols would be: a
    /// member is taken when it defines a name something taken leaves undefined (the first
    /// member in command-line order that does), or under `--whole-archive`. Bitcode members
    /// go to `lto`; gives the positions of the archives they came from, in order.
    fn extract<'f>(
        self,
        files: &'f [InputFile],
        config: &Config,
        lto: &mut Lto<'f>,
    ) -> Result<Vec<usize>, Errors> {
        let mut defined = self.defined;
        defined.extend(lto.defined.iter().map(|d| d.0.clone()));
        let mut undefined: Vec<String> = self.undefined;
        undefined.extend(lto.undefined.iter().cloned());
        // What the command line asks for extracts members too.
        undefined.extend(roots(config).map(str::to_string));
        let mut members = self.members;
        let mut taken = vec![false; members.len()];
        let mut archives = Vec::new();
        loop {
            let wanted: HashSet<&String> =
                undefined.iter().filter(|n| !defined.contains(*n)).collect();
            let next = (0..members.len()).find(|&i| {
                !taken[i]
                    && (members[i].whole || members[i].defined.iter().any(|n| wanted.contains(n)))
            });
            let Some(i) = next else { break };
            taken[i] = true;
            let m = &mut members[i];
            if m.bitcode {
                let Ok(Contents::Archive(a)) = files[m.file].contents() else {
                    continue;
                };
                let member = &a.members[m.index];
                let seen = lto.defined.len();
                let unseen = lto.undefined.len();
                lto.add(
                    &files[m.file],
                    config,
                    Some((member.name, member.data.bytes)),
                )?;
                m.defined = lto.defined[seen..].iter().map(|d| d.0.clone()).collect();
                m.undefined = lto.undefined[unseen..].to_vec();
                archives.push(m.file);
            }
            defined.extend(m.defined.iter().cloned());
            undefined.extend(m.undefined.iter().cloned());
        }
        Ok(archives)
    }
}

/// The names the command line makes undefined: the entry, `--export`, `-u`, and the
/// `__wrap_` side of `--wrap`.
fn roots(config: &Config) -> impl Iterator<Item = &str> {
    let entry = match &config.entry {
        Entry::Default if !config.relocatable && !config.shared => Some("_start"),
        Entry::Named(name) => Some(name.as_str()),
        _ => None,
    };
    (config.exports.iter())
        .chain(&config.undefined)
        .map(String::as_str)
        .chain(entry)
        .chain(config.wrap.iter().map(|w| w.wrap.as_str()))
}

/// The names an object defines, and those it leaves undefined.
type Names = (Vec<String>, Vec<String>);

/// The names an object defines (not local) and leaves strongly undefined.
fn names_of(bytes: &[u8], offset: usize) -> Names {
    let Ok(obj) = Object::parse(bytes, offset) else {
        return Default::default();
    };
    let mut defined = Vec::new();
    let mut undefined = Vec::new();
    for s in &obj.symbols {
        let Some(name) = s.name.or_else(|| obj.symbol_import(s).map(|i| i.1)) else {
            continue;
        };
        if s.is_defined() && !s.flags.is_local() {
            defined.push(name.to_string());
        } else if !s.is_defined() && !s.flags.is_weak() {
            undefined.push(name.to_string());
        }
    }
    (defined, undefined)
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
        _ if config.thinlto_cache_policy.is_some() => refuse("--thinlto-cache-policy"),
        _ => Ok(()),
    }
}

/// `--wrap=foo` with `foo` defined in bitcode: lld keeps LTO from binding the bitcode's own
/// calls to `foo`, which the C API cannot, so the wrapper would be skipped. Refused.
fn wrapped_in_bitcode(config: &Config, defined: &[(String, u32)]) -> Result<(), Errors> {
    let wrapped = config
        .wrap
        .iter()
        .find(|w| defined.iter().any(|d| d.0 == w.symbol));
    match wrapped {
        Some(w) => Err(vec![Diagnostic::error(
            Code::Unsupported,
            format!(
                "--wrap={}: the symbol is defined in LLVM bitcode, and LTO through libLTO cannot \
                 keep the bitcode's own calls from binding to it; compile that file without -flto",
                w.symbol
            ),
        )]),
        None => Ok(()),
    }
}

/// wasm-ld has libLTO built in; we look for it. Names the first bitcode input.
fn missing_library(name: &str, detail: &str) -> Diagnostic {
    let message = format!(
        "{name}: linking LLVM bitcode (-flto) needs LLVM's libLTO, which could not be loaded \
         ({detail}): install the Debian package llvm-19-linker-tools, or name the library with \
         --lto-library=PATH or {}",
        library::ENV
    );
    Diagnostic::error(Code::Input, message).in_file(name)
}

/// Reads one bitcode input: its module and its defined symbols (name, attributes).
fn read_module(
    lib: &LibLto,
    bytes: &[u8],
    name: &str,
    config: &Config,
) -> Result<(library::Module, Vec<(String, u32)>), Diagnostic> {
    let error = |message: String| Diagnostic::error(Code::Input, message).in_file(name);
    // libLTO may crash on bitcode newer than itself rather than refuse it.
    let made_by = producer::producer(bytes);
    let ours = producer::major(&lib.version());
    if let (Some(made_by), Some(ours)) = (&made_by, ours) {
        if producer::major(made_by).is_some_and(|v| v > ours) {
            return Err(error(format!(
                "{name}: this bitcode was made by {made_by}, newer than the libLTO loaded ({}, \
                 {}): load a libLTO at least as new with --lto-library=PATH or {} (rustc's \
                 LLVM is the one `rustc --version --verbose` names)",
                lib.version(),
                lib.path.display(),
                library::ENV
            )));
        }
    }
    let m = lib.module(bytes, name).map_err(|e| {
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
    Ok((m, symbols))
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

/// `--save-temps`: the objects LTO made, as wasm-ld names them: `OUTPUT.lto.o` for full LTO,
/// `OUTPUTn.lto.o` for ThinLTO's n-th (from 1).
fn save_objects(config: &Config, objects: &[Vec<u8>]) -> Result<(), Errors> {
    for (k, bytes) in objects.iter().enumerate() {
        let mut path = config.output.clone().into_os_string();
        match objects.len() {
            1 => path.push(".lto.o"),
            _ => path.push(format!("{}.lto.o", k + 1)),
        }
        std::fs::write(&path, bytes).map_err(|e| {
            let message = format!("cannot write {}: {e}", path.to_string_lossy());
            vec![Diagnostic::error(Code::Output, message)]
        })?;
    }
    Ok(())
}

/// The inputs with the LTO object at position `at` (where the first bitcode object was, or
/// before the archive of the first bitcode member), without the bitcode objects.
fn replace_bitcode(
    config: &Config,
    files: Vec<InputFile>,
    bitcode: &[usize],
    at: usize,
    objects: Vec<Vec<u8>>,
) -> (Config, Vec<InputFile>) {
    let mut config = config.clone();
    let mut inputs = Vec::with_capacity(files.len() + objects.len());
    let mut kept = Vec::with_capacity(files.len() + objects.len());
    let mut objects = Some(objects);
    for (k, (file, input)) in files.into_iter().zip(&config.inputs).enumerate() {
        if k == at {
            for bytes in objects.take().unwrap_or_default() {
                inputs.push(Input {
                    path: LTO_OBJECT.into(),
                    whole_archive: false,
                    lazy: false,
                });
                kept.push(InputFile::from_bytes(LTO_OBJECT, bytes));
            }
        }
        if !bitcode.contains(&k) {
            inputs.push(input.clone());
            kept.push(file);
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
    let (mut last, rest): (Vec<_>, Vec<_>) = loaded.iter().partition(|f| is_lto(f));
    *loaded = rest;
    loaded.append(&mut last);
}
