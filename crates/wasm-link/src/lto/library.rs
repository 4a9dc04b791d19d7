//! Finding libLTO and calling its stable C API (`llvm-c/lto.h`). The library is opened at run
//! time with `libloading`, so building wasm-link needs no LLVM, and a link without bitcode
//! never opens it. Every handle libLTO gives out is wrapped in a type that disposes of it.

use std::ffi::{c_char, c_int, c_uint, c_void, CStr, CString};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use super::cache_policy::CachePolicy;

/// `lto_symbol_attributes` bits (`lto.h`).
pub mod attr {
    /// `LTO_SYMBOL_PERMISSIONS_MASK`.
    pub const PERMISSIONS_MASK: u32 = 0xE0;
    /// `LTO_SYMBOL_PERMISSIONS_CODE`: a function.
    pub const PERMISSIONS_CODE: u32 = 0xA0;
    /// `LTO_SYMBOL_DEFINITION_MASK`.
    pub const DEFINITION_MASK: u32 = 0x700;
    /// `LTO_SYMBOL_DEFINITION_WEAK`.
    pub const DEFINITION_WEAK: u32 = 0x300;
    /// `LTO_SYMBOL_DEFINITION_UNDEFINED`.
    pub const DEFINITION_UNDEFINED: u32 = 0x400;
    /// `LTO_SYMBOL_DEFINITION_WEAKUNDEF`.
    pub const DEFINITION_WEAKUNDEF: u32 = 0x500;
    /// `LTO_SYMBOL_SCOPE_MASK`.
    pub const SCOPE_MASK: u32 = 0x3800;
    /// `LTO_SYMBOL_SCOPE_INTERNAL`.
    pub const SCOPE_INTERNAL: u32 = 0x800;
    /// `LTO_SYMBOL_SCOPE_HIDDEN`.
    pub const SCOPE_HIDDEN: u32 = 0x1000;
    /// `LTO_SYMBOL_SCOPE_PROTECTED` (hidden in wasm, as lld maps it).
    pub const SCOPE_PROTECTED: u32 = 0x2000;
    /// `LTO_SYMBOL_COMDAT`.
    pub const COMDAT: u32 = 0x4000;
    /// `LTO_SYMBOL_ALIAS`.
    pub const ALIAS: u32 = 0x8000;
}

/// `lto_codegen_model` values.
pub const PIC_MODEL_STATIC: c_uint = 0;
/// `LTO_CODEGEN_PIC_MODEL_DYNAMIC`.
pub const PIC_MODEL_DYNAMIC: c_uint = 1;

type ModuleT = *mut c_void;
type CodeGenT = *mut c_void;
type ThinCodeGenT = *mut c_void;

/// `LTOObjectBuffer`: one object ThinLTO produced.
#[repr(C)]
#[derive(Clone, Copy)]
struct ObjectBuffer {
    buffer: *const c_char,
    size: usize,
}
/// `lto_diagnostic_handler_t`: severity, message, context.
pub type DiagnosticHandler = unsafe extern "C" fn(c_int, *const c_char, *mut c_void);

/// The C API functions wasm-link uses, looked up once when the library is opened.
struct Api {
    get_version: unsafe extern "C" fn() -> *const c_char,
    get_error_message: unsafe extern "C" fn() -> *const c_char,
    module_create_in_local_context:
        unsafe extern "C" fn(*const c_void, usize, *const c_char) -> ModuleT,
    module_create_from_memory_with_path:
        unsafe extern "C" fn(*const c_void, usize, *const c_char) -> ModuleT,
    module_dispose: unsafe extern "C" fn(ModuleT),
    input_create: unsafe extern "C" fn(*const c_void, usize, *const c_char) -> *mut c_void,
    input_dispose: unsafe extern "C" fn(*mut c_void),
    module_get_target_triple: unsafe extern "C" fn(ModuleT) -> *const c_char,
    module_get_num_symbols: unsafe extern "C" fn(ModuleT) -> c_uint,
    module_get_symbol_name: unsafe extern "C" fn(ModuleT, c_uint) -> *const c_char,
    module_get_symbol_attribute: unsafe extern "C" fn(ModuleT, c_uint) -> c_uint,
    module_is_thinlto: unsafe extern "C" fn(ModuleT) -> bool,
    codegen_create: unsafe extern "C" fn() -> CodeGenT,
    codegen_dispose: unsafe extern "C" fn(CodeGenT),
    codegen_set_diagnostic_handler: unsafe extern "C" fn(CodeGenT, DiagnosticHandler, *mut c_void),
    codegen_add_module: unsafe extern "C" fn(CodeGenT, ModuleT) -> bool,
    codegen_set_pic_model: unsafe extern "C" fn(CodeGenT, c_uint) -> bool,
    codegen_add_must_preserve_symbol: unsafe extern "C" fn(CodeGenT, *const c_char),
    codegen_debug_options_array: unsafe extern "C" fn(CodeGenT, *const *const c_char, c_int),
    codegen_write_merged_modules: unsafe extern "C" fn(CodeGenT, *const c_char) -> bool,
    codegen_optimize: unsafe extern "C" fn(CodeGenT) -> bool,
    codegen_compile_optimized: unsafe extern "C" fn(CodeGenT, *mut usize) -> *const c_void,
    thin: ThinApi,
}

/// The `thinlto_*` functions (ThinLTO through LLVM's `ThinLTOCodeGenerator`).
struct ThinApi {
    create: unsafe extern "C" fn() -> ThinCodeGenT,
    dispose: unsafe extern "C" fn(ThinCodeGenT),
    add_module: unsafe extern "C" fn(ThinCodeGenT, *const c_char, *const c_char, c_int),
    process: unsafe extern "C" fn(ThinCodeGenT),
    num_objects: unsafe extern "C" fn(ThinCodeGenT) -> c_uint,
    object: unsafe extern "C" fn(ThinCodeGenT, c_uint) -> ObjectBuffer,
    set_pic_model: unsafe extern "C" fn(ThinCodeGenT, c_uint) -> bool,
    debug_options: unsafe extern "C" fn(*const *const c_char, c_int),
    add_must_preserve_symbol: unsafe extern "C" fn(ThinCodeGenT, *const c_char, c_int),
    add_cross_referenced_symbol: unsafe extern "C" fn(ThinCodeGenT, *const c_char, c_int),
    set_cache_dir: unsafe extern "C" fn(ThinCodeGenT, *const c_char),
    set_cache_pruning_interval: unsafe extern "C" fn(ThinCodeGenT, c_int),
    set_cache_size_percent: unsafe extern "C" fn(ThinCodeGenT, c_uint),
    set_cache_entry_expiration: unsafe extern "C" fn(ThinCodeGenT, c_uint),
    set_cache_size_bytes: unsafe extern "C" fn(ThinCodeGenT, c_uint),
    set_cache_size_megabytes: unsafe extern "C" fn(ThinCodeGenT, c_uint),
    set_cache_size_files: unsafe extern "C" fn(ThinCodeGenT, c_uint),
}

/// An opened libLTO.
pub struct Library {
    api: Api,
    path: PathBuf,
    /// Keeps the functions in `api` mapped.
    _lib: libloading::Library,
}

/// Where libLTO was looked for, for the error when it is nowhere.
#[derive(Debug, Default)]
pub struct NotFound {
    /// Every path tried, in order.
    pub tried: Vec<PathBuf>,
    /// Why an explicitly named library could not be opened.
    pub failed: Option<String>,
}

/// The file name of libLTO on this system.
#[cfg(target_os = "macos")]
const FILE_NAME: &str = "libLTO.dylib";
/// The file name of libLTO on this system.
#[cfg(not(target_os = "macos"))]
const FILE_NAME: &str = "libLTO.so";

/// The places LLVM packages put libLTO: Debian/Ubuntu (`llvm-N-linker-tools`), Fedora,
/// Homebrew (arm64 and x86-64) and LLVM's own installs. LLVM 19 first: the bitcode clang-19
/// writes needs a libLTO at least that new.
const USUAL_DIRS: &[&str] = &[
    "/usr/lib/llvm-19/lib",
    "/usr/lib/llvm-20/lib",
    "/usr/lib/llvm-21/lib",
    "/usr/lib/llvm-22/lib",
    "/opt/homebrew/opt/llvm@19/lib",
    "/opt/homebrew/opt/llvm/lib",
    "/usr/local/opt/llvm@19/lib",
    "/usr/local/opt/llvm/lib",
    "/usr/lib64/llvm19/lib64",
    "/usr/lib64",
    "/usr/local/lib",
    "/usr/lib",
];

/// The environment variable naming libLTO.
pub const ENV: &str = "WASM_LINK_LIBLTO";

impl Library {
    /// Finds and opens libLTO: `explicit` (`--lto-library`), then `$WASM_LINK_LIBLTO`, then the
    /// `--libdir` of `llvm-config-19` and `llvm-config`, then [`USUAL_DIRS`]. An explicit path
    /// that does not open is an error, not a reason to look elsewhere.
    pub fn find(explicit: Option<&Path>) -> Result<Library, NotFound> {
        let mut not_found = NotFound::default();
        let named = explicit
            .map(Path::to_path_buf)
            .or_else(|| std::env::var_os(ENV).map(PathBuf::from));
        if let Some(path) = named {
            return Library::open(&path).map_err(|e| NotFound {
                tried: vec![path],
                failed: Some(e),
            });
        }
        let dirs = ["llvm-config-19", "llvm-config"]
            .iter()
            .filter_map(|tool| llvm_config_libdir(tool))
            .chain(USUAL_DIRS.iter().map(PathBuf::from));
        for dir in dirs {
            let path = dir.join(FILE_NAME);
            if not_found.tried.contains(&path) {
                continue;
            }
            if path.exists() {
                if let Ok(lib) = Library::open(&path) {
                    return Ok(lib);
                }
            }
            not_found.tried.push(path);
        }
        Err(not_found)
    }

    /// Opens the library at `path` and looks up every function wasm-link calls.
    pub fn open(path: &Path) -> Result<Library, String> {
        // SAFETY: loading libLTO runs LLVM's static initialisers, which only register
        // targets and options; nothing else in this process depends on them.
        let lib = unsafe { libloading::Library::new(path) }.map_err(|e| e.to_string())?;
        let api = Api::load(&lib).map_err(|e| format!("{}: not libLTO: {e}", path.display()))?;
        Ok(Library {
            api,
            path: path.to_path_buf(),
            _lib: lib,
        })
    }

    /// The file the library was opened from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// `lto_get_version`: `LLVM version 19.1.7` (its text varies by build).
    pub fn version(&self) -> String {
        // SAFETY: returns a static NUL-terminated string.
        unsafe { string((self.api.get_version)()) }
    }

    /// `Ok`, or the last error when a call reported `failed`.
    fn result(&self, failed: bool) -> Result<(), String> {
        if failed {
            Err(self.last_error())
        } else {
            Ok(())
        }
    }

    /// `lto_get_error_message`: the last error of this thread's libLTO call.
    pub fn last_error(&self) -> String {
        // SAFETY: returns a NUL-terminated string owned by libLTO (or null).
        unsafe { string((self.api.get_error_message)()) }
    }

    /// Reads `bytes` as lld reads a bitcode input (`lto::InputFile`, through
    /// `lto_input_create`): its errors are lld's (a newer producer, an unknown summary
    /// version).
    pub fn check_input(&self, bytes: &[u8], path: &str) -> Result<(), String> {
        let path = c_string(path);
        // SAFETY: `bytes` outlives the call; the input is disposed of before returning.
        unsafe {
            let input = (self.api.input_create)(bytes.as_ptr().cast(), bytes.len(), path.as_ptr());
            if input.is_null() {
                return Err(self.last_error());
            }
            (self.api.input_dispose)(input);
        }
        Ok(())
    }

    /// Reads a module's symbol table only (lazily, in a context of its own). `path` names it
    /// in libLTO's messages.
    pub fn symbols_module(&self, bytes: &[u8], path: &str) -> Result<Module<'_>, String> {
        let path = c_string(path);
        // SAFETY: `bytes` outlives the call; the module copies what it keeps.
        let m = unsafe {
            (self.api.module_create_in_local_context)(
                bytes.as_ptr().cast(),
                bytes.len(),
                path.as_ptr(),
            )
        };
        self.module(m)
    }

    /// Reads a whole module, for code generation.
    pub fn codegen_module(&self, bytes: &[u8], path: &str) -> Result<Module<'_>, String> {
        let path = c_string(path);
        // SAFETY: as in `symbols_module`.
        let m = unsafe {
            (self.api.module_create_from_memory_with_path)(
                bytes.as_ptr().cast(),
                bytes.len(),
                path.as_ptr(),
            )
        };
        self.module(m)
    }

    fn module(&self, m: ModuleT) -> Result<Module<'_>, String> {
        if m.is_null() {
            return Err(self.last_error());
        }
        Ok(Module { lib: self, raw: m })
    }

    /// A new code generator (`lto_codegen_create`).
    pub fn codegen(&self) -> Result<CodeGen<'_>, String> {
        // SAFETY: no arguments; null on failure.
        let raw = unsafe { (self.api.codegen_create)() };
        if raw.is_null() {
            return Err(self.last_error());
        }
        Ok(CodeGen { lib: self, raw })
    }
}

impl Library {
    /// A new ThinLTO code generator (`thinlto_create_codegen`). It reads the optimization
    /// level from LLVM's options, so [`claim_options`] must have run first.
    pub fn thin_codegen(&self) -> Result<ThinCodeGen<'_>, String> {
        // SAFETY: no arguments; null on failure.
        let raw = unsafe { (self.api.thin.create)() };
        if raw.is_null() {
            return Err(self.last_error());
        }
        Ok(ThinCodeGen {
            lib: self,
            raw,
            names: Vec::new(),
        })
    }

    /// Parses LLVM options now (`thinlto_debug_options`); see [`claim_options`].
    pub fn parse_options(&self, options: &[String]) {
        let owned: Vec<CString> = options.iter().map(|o| c_string(o)).collect();
        let ptrs: Vec<*const c_char> = owned.iter().map(|c| c.as_ptr()).collect();
        // SAFETY: the array and strings outlive the call, which copies what it keeps.
        unsafe { (self.api.thin.debug_options)(ptrs.as_ptr(), ptrs.len() as c_int) }
    }
}

/// The LLVM options (`-O2`, `-mllvm` ...) this process gave LLVM, which parses them once per
/// process: a second parse would count each option twice.
static PARSED_OPTIONS: Mutex<Option<Vec<String>>> = Mutex::new(None);

/// Claims LLVM's options for this link: `Ok(true)` when they are the first of the process
/// (the caller passes them to libLTO), `Ok(false)` when the same options are already in
/// effect, and an error naming both when an earlier link of this process set others.
pub fn claim_options(options: &[String]) -> Result<bool, String> {
    let mut parsed = PARSED_OPTIONS.lock().unwrap_or_else(|e| e.into_inner());
    match &*parsed {
        None => {
            *parsed = Some(options.to_vec());
            Ok(true)
        }
        Some(earlier) if earlier == options => Ok(false),
        Some(earlier) => Err(format!(
            "LLVM options can be set once per process: this link asks for '{}', an earlier \
             LTO link of this process set '{}'",
            options.join(" "),
            earlier.join(" ")
        )),
    }
}

/// The `lto_codegen_model` for position-independent code or not.
fn pic_model(pic: bool) -> c_uint {
    if pic {
        PIC_MODEL_DYNAMIC
    } else {
        PIC_MODEL_STATIC
    }
}

/// Runs `llvm-config --libdir` (absent tools are skipped).
fn llvm_config_libdir(tool: &str) -> Option<PathBuf> {
    let out = std::process::Command::new(tool)
        .arg("--libdir")
        .stderr(std::process::Stdio::null())
        .output()
        .ok()?;
    let dir = String::from_utf8(out.stdout).ok()?;
    let dir = dir.trim();
    (out.status.success() && !dir.is_empty()).then(|| PathBuf::from(dir))
}

impl Api {
    fn load(lib: &libloading::Library) -> Result<Api, libloading::Error> {
        /// Copies a function pointer out of the library.
        ///
        /// SAFETY (for callers): `T` must be the function's C signature from `lto.h`.
        unsafe fn get<T: Copy>(
            lib: &libloading::Library,
            name: &str,
        ) -> Result<T, libloading::Error> {
            lib.get::<T>(name.as_bytes()).map(|s| *s)
        }
        // SAFETY: every type below is the declaration in `llvm-c/lto.h` (API version 29).
        unsafe {
            Ok(Api {
                get_version: get(lib, "lto_get_version")?,
                get_error_message: get(lib, "lto_get_error_message")?,
                module_create_in_local_context: get(lib, "lto_module_create_in_local_context")?,
                module_create_from_memory_with_path: get(
                    lib,
                    "lto_module_create_from_memory_with_path",
                )?,
                module_dispose: get(lib, "lto_module_dispose")?,
                input_create: get(lib, "lto_input_create")?,
                input_dispose: get(lib, "lto_input_dispose")?,
                module_get_target_triple: get(lib, "lto_module_get_target_triple")?,
                module_get_num_symbols: get(lib, "lto_module_get_num_symbols")?,
                module_get_symbol_name: get(lib, "lto_module_get_symbol_name")?,
                module_get_symbol_attribute: get(lib, "lto_module_get_symbol_attribute")?,
                module_is_thinlto: get(lib, "lto_module_is_thinlto")?,
                codegen_create: get(lib, "lto_codegen_create")?,
                codegen_dispose: get(lib, "lto_codegen_dispose")?,
                codegen_set_diagnostic_handler: get(lib, "lto_codegen_set_diagnostic_handler")?,
                codegen_add_module: get(lib, "lto_codegen_add_module")?,
                codegen_set_pic_model: get(lib, "lto_codegen_set_pic_model")?,
                codegen_add_must_preserve_symbol: get(lib, "lto_codegen_add_must_preserve_symbol")?,
                codegen_debug_options_array: get(lib, "lto_codegen_debug_options_array")?,
                codegen_write_merged_modules: get(lib, "lto_codegen_write_merged_modules")?,
                codegen_optimize: get(lib, "lto_codegen_optimize")?,
                codegen_compile_optimized: get(lib, "lto_codegen_compile_optimized")?,
                thin: ThinApi {
                    create: get(lib, "thinlto_create_codegen")?,
                    dispose: get(lib, "thinlto_codegen_dispose")?,
                    add_module: get(lib, "thinlto_codegen_add_module")?,
                    process: get(lib, "thinlto_codegen_process")?,
                    num_objects: get(lib, "thinlto_module_get_num_objects")?,
                    object: get(lib, "thinlto_module_get_object")?,
                    set_pic_model: get(lib, "thinlto_codegen_set_pic_model")?,
                    debug_options: get(lib, "thinlto_debug_options")?,
                    add_must_preserve_symbol: get(lib, "thinlto_codegen_add_must_preserve_symbol")?,
                    add_cross_referenced_symbol: get(
                        lib,
                        "thinlto_codegen_add_cross_referenced_symbol",
                    )?,
                    set_cache_dir: get(lib, "thinlto_codegen_set_cache_dir")?,
                    set_cache_pruning_interval: get(
                        lib,
                        "thinlto_codegen_set_cache_pruning_interval",
                    )?,
                    set_cache_size_percent: get(
                        lib,
                        "thinlto_codegen_set_final_cache_size_relative_to_available_space",
                    )?,
                    set_cache_entry_expiration: get(
                        lib,
                        "thinlto_codegen_set_cache_entry_expiration",
                    )?,
                    set_cache_size_bytes: get(lib, "thinlto_codegen_set_cache_size_bytes")?,
                    set_cache_size_megabytes: get(lib, "thinlto_codegen_set_cache_size_megabytes")?,
                    set_cache_size_files: get(lib, "thinlto_codegen_set_cache_size_files")?,
                },
            })
        }
    }
}

/// An `lto_module_t`, disposed of when dropped (unless a code generator took it).
pub struct Module<'l> {
    lib: &'l Library,
    raw: ModuleT,
}

impl Module<'_> {
    /// The module's target triple.
    pub fn triple(&self) -> String {
        // SAFETY: `raw` is a live module; the string is owned by it.
        unsafe { string((self.lib.api.module_get_target_triple)(self.raw)) }
    }

    /// Whether it was compiled for ThinLTO (`-flto=thin`: it has a summary index).
    pub fn is_thin(&self) -> bool {
        // SAFETY: `raw` is a live module.
        unsafe { (self.lib.api.module_is_thinlto)(self.raw) }
    }

    /// Every symbol: its name and `lto_symbol_attributes`.
    pub fn symbols(&self) -> Vec<(String, u32)> {
        let api = &self.lib.api;
        // SAFETY: `raw` is a live module and every index is below its symbol count.
        unsafe {
            let n = (api.module_get_num_symbols)(self.raw);
            (0..n)
                .map(|i| {
                    let name = string((api.module_get_symbol_name)(self.raw, i));
                    (name, (api.module_get_symbol_attribute)(self.raw, i))
                })
                .collect()
        }
    }
}

impl Drop for Module<'_> {
    fn drop(&mut self) {
        // SAFETY: `raw` is live and disposed of once.
        unsafe { (self.lib.api.module_dispose)(self.raw) }
    }
}

/// An `lto_code_gen_t`, disposed of when dropped.
pub struct CodeGen<'l> {
    lib: &'l Library,
    raw: CodeGenT,
}

impl<'l> CodeGen<'l> {
    /// Installs a diagnostic handler; `context` must outlive every call into this generator.
    ///
    /// # Safety
    /// `handler` must treat `context` as the type the caller passes.
    pub unsafe fn set_diagnostic_handler(&self, handler: DiagnosticHandler, context: *mut c_void) {
        (self.lib.api.codegen_set_diagnostic_handler)(self.raw, handler, context)
    }

    /// Links `module` into the merged module.
    pub fn add_module(&self, module: &Module<'l>) -> Result<(), String> {
        // SAFETY: both handles are live and from the same (global) context.
        let failed = unsafe { (self.lib.api.codegen_add_module)(self.raw, module.raw) };
        self.lib.result(failed)
    }

    /// Position-independent code for `-shared`/`-pie`, else static.
    pub fn set_pic(&self, pic: bool) -> Result<(), String> {
        let model = pic_model(pic);
        // SAFETY: `raw` is live.
        let failed = unsafe { (self.lib.api.codegen_set_pic_model)(self.raw, model) };
        self.lib.result(failed)
    }

    /// Keeps `name` external (not internalized, not dropped).
    pub fn preserve(&self, name: &str) {
        let name = c_string(name);
        // SAFETY: `raw` is live; the string is copied.
        unsafe { (self.lib.api.codegen_add_must_preserve_symbol)(self.raw, name.as_ptr()) }
    }

    /// LLVM command-line options (`-mllvm`), parsed once per process by libLTO.
    pub fn debug_options(&self, options: &[String]) {
        let owned: Vec<CString> = options.iter().map(|o| c_string(o)).collect();
        let ptrs: Vec<*const c_char> = owned.iter().map(|c| c.as_ptr()).collect();
        // SAFETY: `raw` is live; the array and strings outlive the call.
        unsafe {
            (self.lib.api.codegen_debug_options_array)(self.raw, ptrs.as_ptr(), ptrs.len() as c_int)
        }
    }

    /// Writes the merged module, before optimization, as bitcode.
    pub fn write_merged(&self, path: &Path) -> Result<(), String> {
        let path = c_string(&path.to_string_lossy());
        // SAFETY: `raw` is live; the path is copied.
        let failed =
            unsafe { (self.lib.api.codegen_write_merged_modules)(self.raw, path.as_ptr()) };
        self.lib.result(failed)
    }

    /// Optimizes the merged module.
    pub fn optimize(&self) -> Result<(), String> {
        // SAFETY: `raw` is live.
        let failed = unsafe { (self.lib.api.codegen_optimize)(self.raw) };
        self.lib.result(failed)
    }

    /// Generates the object for the optimized module; the bytes are copied out.
    pub fn compile_optimized(&self) -> Result<Vec<u8>, String> {
        let mut len = 0usize;
        // SAFETY: `raw` is live; the buffer stays valid until the next compile or dispose.
        let p = unsafe { (self.lib.api.codegen_compile_optimized)(self.raw, &mut len) };
        if p.is_null() {
            return Err(self.lib.last_error());
        }
        // SAFETY: libLTO returned `len` readable bytes at `p`.
        Ok(unsafe { std::slice::from_raw_parts(p.cast::<u8>(), len) }.to_vec())
    }
}

impl Drop for CodeGen<'_> {
    fn drop(&mut self) {
        // SAFETY: `raw` is live and disposed of once.
        unsafe { (self.lib.api.codegen_dispose)(self.raw) }
    }
}

/// A `thinlto_code_gen_t`, disposed of when dropped.
pub struct ThinCodeGen<'l> {
    lib: &'l Library,
    raw: ThinCodeGenT,
    /// The module identifiers, which libLTO keeps pointers to until disposal.
    names: Vec<CString>,
}

impl<'l> ThinCodeGen<'l> {
    /// Adds a module; `bytes` must outlive the generator (libLTO reads them in place).
    pub fn add_module(&mut self, name: &str, bytes: &'l [u8]) -> Result<(), String> {
        let len = c_int::try_from(bytes.len())
            .map_err(|_| format!("{name}: bitcode larger than 2 GiB"))?;
        let name = c_string(name);
        // SAFETY: `raw` is live; `bytes` outlive it ('l) and the name is kept until disposal.
        unsafe {
            (self.lib.api.thin.add_module)(self.raw, name.as_ptr(), bytes.as_ptr().cast(), len)
        }
        self.names.push(name);
        Ok(())
    }

    /// Position-independent code for `-shared`/`-pie`, else static.
    pub fn set_pic(&self, pic: bool) -> Result<(), String> {
        let model = pic_model(pic);
        // SAFETY: `raw` is live.
        let failed = unsafe { (self.lib.api.thin.set_pic_model)(self.raw, model) };
        self.lib.result(failed)
    }

    /// Keeps `name` external (not internalized, not dropped).
    pub fn preserve(&self, name: &str) {
        // SAFETY: `raw` is live; the name is copied.
        unsafe {
            (self.lib.api.thin.add_must_preserve_symbol)(
                self.raw,
                name.as_ptr().cast(),
                name.len() as c_int,
            )
        }
    }

    /// Marks `name` as referenced from another ThinLTO module: it stays external unless every
    /// reference is optimized away.
    pub fn cross_reference(&self, name: &str) {
        // SAFETY: `raw` is live; the name is copied.
        unsafe {
            (self.lib.api.thin.add_cross_referenced_symbol)(
                self.raw,
                name.as_ptr().cast(),
                name.len() as c_int,
            )
        }
    }

    /// Caches the objects in `dir`, pruned by `policy`.
    pub fn set_cache(&self, dir: &Path, policy: &CachePolicy) {
        let thin = &self.lib.api.thin;
        let dir = c_string(&dir.to_string_lossy());
        let clamp = |v: u64| c_uint::try_from(v).unwrap_or(c_uint::MAX);
        // SAFETY: `raw` is live; the path is copied.
        unsafe {
            (thin.set_cache_dir)(self.raw, dir.as_ptr());
            if let Some(s) = policy.interval {
                (thin.set_cache_pruning_interval)(
                    self.raw,
                    c_int::try_from(s).unwrap_or(c_int::MAX),
                );
            }
            if let Some(s) = policy.expiration {
                (thin.set_cache_entry_expiration)(self.raw, clamp(s));
            }
            if let Some(p) = policy.percent {
                (thin.set_cache_size_percent)(self.raw, p);
            }
            match policy.bytes {
                Some(b) if b <= u64::from(c_uint::MAX) => {
                    (thin.set_cache_size_bytes)(self.raw, b as c_uint)
                }
                Some(b) => (thin.set_cache_size_megabytes)(self.raw, clamp(b >> 20)),
                None => {}
            }
            if let Some(n) = policy.files {
                (thin.set_cache_size_files)(self.raw, clamp(n));
            }
        }
    }

    /// Imports, optimizes and compiles every module, one object each (in order added).
    /// LLVM ends the process on an error here: the C API has no way to return one.
    pub fn process(&self) -> Vec<Vec<u8>> {
        let thin = &self.lib.api.thin;
        // SAFETY: `raw` is live; each buffer stays valid until disposal and is copied out.
        unsafe {
            (thin.process)(self.raw);
            (0..(thin.num_objects)(self.raw))
                .map(|i| {
                    let o = (thin.object)(self.raw, i);
                    if o.buffer.is_null() {
                        return Vec::new();
                    }
                    std::slice::from_raw_parts(o.buffer.cast::<u8>(), o.size).to_vec()
                })
                .collect()
        }
    }
}

impl Drop for ThinCodeGen<'_> {
    fn drop(&mut self) {
        // SAFETY: `raw` is live and disposed of once.
        unsafe { (self.lib.api.thin.dispose)(self.raw) }
    }
}

/// A C string (an interior NUL, impossible in a symbol or path we pass, is cut there).
fn c_string(s: &str) -> CString {
    let s = s.split('\0').next().unwrap_or("");
    CString::new(s).unwrap_or_default()
}

/// Copies a NUL-terminated string (null reads as empty).
///
/// # Safety
/// `p` must be null or point to a NUL-terminated string.
unsafe fn string(p: *const c_char) -> String {
    if p.is_null() {
        return String::new();
    }
    CStr::from_ptr(p).to_string_lossy().into_owned()
}
