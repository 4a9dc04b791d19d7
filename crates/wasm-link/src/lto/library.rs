//! LLVM's libLTO, loaded at run time through its stable C API (`llvm-c/lto.h`), so that a link
//! without bitcode never loads it and building the linker needs no LLVM. Found, in order,
//! through `--lto-library`, `WASM_LINK_LIBLTO`, `llvm-config --libdir` of the installed LLVM
//! versions, and the usual Debian, Homebrew and LLVM paths.

use libloading::{Library, Symbol};
use std::ffi::{c_char, c_int, c_uint, c_void, CStr, CString};
use std::path::{Path, PathBuf};

/// `lto_module_t`.
pub type Module = *mut c_void;
/// `lto_code_gen_t`.
type CodeGen = *mut c_void;

/// `lto_codegen_model`: `LTO_CODEGEN_PIC_MODEL_STATIC` and `_DYNAMIC`.
pub const PIC_STATIC: c_uint = 0;
/// Position-independent code.
pub const PIC_DYNAMIC: c_uint = 1;

/// The environment variable naming libLTO.
pub const ENV: &str = "WASM_LINK_LIBLTO";

/// The loaded library.
pub struct LibLto {
    lib: Library,
    /// Where it was found.
    pub path: PathBuf,
}

/// The candidates, in search order.
fn candidates(explicit: Option<&Path>) -> Vec<PathBuf> {
    if let Some(path) = explicit {
        return vec![path.to_path_buf()];
    }
    let mut out = Vec::new();
    if let Some(path) = std::env::var_os(ENV) {
        out.push(PathBuf::from(path));
    }
    for tool in ["llvm-config-19", "llvm-config"] {
        let run = std::process::Command::new(tool).arg("--libdir").output();
        if let Some(run) = run.ok().filter(|r| r.status.success()) {
            let dir = String::from_utf8_lossy(&run.stdout).trim().to_string();
            out.push(Path::new(&dir).join("libLTO.so"));
            out.push(Path::new(&dir).join("libLTO.dylib"));
        }
    }
    for dir in [
        "/usr/lib/llvm-19/lib",
        "/usr/lib/llvm-20/lib",
        "/usr/lib/llvm-21/lib",
        "/usr/lib/llvm-18/lib",
        "/usr/local/opt/llvm/lib",
        "/opt/homebrew/opt/llvm/lib",
        "/usr/local/lib",
        "/usr/lib",
    ] {
        out.push(Path::new(dir).join("libLTO.so"));
        out.push(Path::new(dir).join("libLTO.dylib"));
    }
    out
}

impl LibLto {
    /// Loads libLTO from the first candidate that exists; `None` if none does (or loads).
    pub fn find(explicit: Option<&Path>) -> Result<LibLto, String> {
        let mut last = None;
        for path in candidates(explicit) {
            if explicit.is_none() && !path.exists() {
                continue;
            }
            // SAFETY: libLTO's initialisers only set up LLVM's own state.
            match unsafe { Library::new(&path) } {
                Ok(lib) => return Ok(LibLto { lib, path }),
                Err(e) => last = Some(format!("{}: {e}", path.display())),
            }
        }
        Err(last.unwrap_or_else(|| "no libLTO found".to_string()))
    }

    /// A function of the library.
    fn get<T>(&self, name: &[u8]) -> Result<Symbol<'_, T>, String> {
        // SAFETY: every caller names a function of `lto.h` with its C signature as `T`.
        unsafe { self.lib.get(name) }.map_err(|e| format!("{}: {e}", self.path.display()))
    }

    /// `lto_get_version`: `LLVM version 19.1.7`.
    pub fn version(&self) -> String {
        let f = self.get::<unsafe extern "C" fn() -> *const c_char>(b"lto_get_version\0");
        // SAFETY: a static, NUL-terminated string.
        f.map(|f| unsafe { c_string(f()) }).unwrap_or_default()
    }

    /// `lto_get_error_message`.
    fn error(&self) -> String {
        let f = self.get::<unsafe extern "C" fn() -> *const c_char>(b"lto_get_error_message\0");
        // SAFETY: a NUL-terminated string owned by libLTO, copied at once.
        f.map(|f| unsafe { c_string(f()) }).unwrap_or_default()
    }

    /// Reads bitcode (`path` names it in LLVM's messages).
    pub fn module(&self, bytes: &[u8], path: &str) -> Result<Module, String> {
        type F = unsafe extern "C" fn(*const c_void, usize, *const c_char) -> Module;
        let f = self.get::<F>(b"lto_module_create_from_memory_with_path\0")?;
        let path = CString::new(path).unwrap_or_default();
        // SAFETY: `bytes` outlives the call; libLTO copies what it keeps.
        let m = unsafe { f(bytes.as_ptr().cast(), bytes.len(), path.as_ptr()) };
        if m.is_null() {
            return Err(self.error());
        }
        Ok(m)
    }

    /// `lto_module_get_target_triple`.
    pub fn triple(&self, m: Module) -> String {
        type F = unsafe extern "C" fn(Module) -> *const c_char;
        let f = self.get::<F>(b"lto_module_get_target_triple\0");
        // SAFETY: `m` is a live module; the string is copied at once.
        f.map(|f| unsafe { c_string(f(m)) }).unwrap_or_default()
    }

    /// The module's symbols: (name, `lto_symbol_attributes`).
    pub fn symbols(&self, m: Module) -> Result<Vec<(String, u32)>, String> {
        let count =
            self.get::<unsafe extern "C" fn(Module) -> c_uint>(b"lto_module_get_num_symbols\0")?;
        type Name = unsafe extern "C" fn(Module, c_uint) -> *const c_char;
        let name = self.get::<Name>(b"lto_module_get_symbol_name\0")?;
        let attr = self.get::<unsafe extern "C" fn(Module, c_uint) -> c_uint>(
            b"lto_module_get_symbol_attribute\0",
        )?;
        // SAFETY: `m` is a live module and every index is below its symbol count.
        let n = unsafe { count(m) };
        Ok((0..n)
            .map(|i| unsafe { (c_string(name(m, i)), attr(m, i)) })
            .collect())
    }

    /// `lto_module_dispose`.
    pub fn dispose(&self, m: Module) {
        if let Ok(f) = self.get::<unsafe extern "C" fn(Module)>(b"lto_module_dispose\0") {
            // SAFETY: `m` is live and not used again.
            unsafe { f(m) }
        }
    }

    /// Links `modules` (consumed), keeps `preserve`, optimizes with `options` (LLVM's
    /// command-line options, `-O2` and `-mllvm` ones) and generates one object.
    pub fn compile(
        &self,
        modules: Vec<Module>,
        preserve: &[String],
        pic: bool,
        options: &[String],
    ) -> Result<Vec<u8>, String> {
        let create = self.get::<unsafe extern "C" fn() -> CodeGen>(b"lto_codegen_create\0")?;
        let dispose = self.get::<unsafe extern "C" fn(CodeGen)>(b"lto_codegen_dispose\0")?;
        // SAFETY: a fresh code generator, disposed of below.
        let cg = unsafe { create() };
        let result = self.compile_with(cg, &modules, preserve, pic, options);
        // SAFETY: `cg` is not used again; the modules were linked into it (or are dropped).
        unsafe { dispose(cg) };
        for m in modules {
            self.dispose(m);
        }
        result
    }

    fn compile_with(
        &self,
        cg: CodeGen,
        modules: &[Module],
        preserve: &[String],
        pic: bool,
        options: &[String],
    ) -> Result<Vec<u8>, String> {
        type Add = unsafe extern "C" fn(CodeGen, Module) -> bool;
        let add = self.get::<Add>(b"lto_codegen_add_module\0")?;
        for &m in modules {
            // SAFETY: live code generator and module; `true` means an error.
            if unsafe { add(cg, m) } {
                return Err(self.error());
            }
        }
        let model = self
            .get::<unsafe extern "C" fn(CodeGen, c_uint) -> bool>(b"lto_codegen_set_pic_model\0")?;
        // SAFETY: as above.
        if unsafe { model(cg, if pic { PIC_DYNAMIC } else { PIC_STATIC }) } {
            return Err(self.error());
        }
        let keep = self.get::<unsafe extern "C" fn(CodeGen, *const c_char)>(
            b"lto_codegen_add_must_preserve_symbol\0",
        )?;
        for name in preserve {
            let name = CString::new(name.as_str()).unwrap_or_default();
            // SAFETY: libLTO copies the name.
            unsafe { keep(cg, name.as_ptr()) };
        }
        if !options.is_empty() {
            type Debug = unsafe extern "C" fn(CodeGen, *const *const c_char, c_int);
            let debug = self.get::<Debug>(b"lto_codegen_debug_options_array\0")?;
            let owned: Vec<CString> = options
                .iter()
                .map(|o| CString::new(o.as_str()).unwrap_or_default())
                .collect();
            let ptrs: Vec<*const c_char> = owned.iter().map(|o| o.as_ptr()).collect();
            // SAFETY: the strings live across the call.
            unsafe { debug(cg, ptrs.as_ptr(), ptrs.len() as c_int) };
        }
        type Compile = unsafe extern "C" fn(CodeGen, *mut usize) -> *const c_void;
        let compile = self.get::<Compile>(b"lto_codegen_compile\0")?;
        let mut len = 0usize;
        // SAFETY: the buffer belongs to `cg` and is copied before `cg` is disposed of.
        let buf = unsafe { compile(cg, &mut len) };
        if buf.is_null() {
            return Err(self.error());
        }
        // SAFETY: libLTO gives `len` readable bytes at `buf`.
        Ok(unsafe { std::slice::from_raw_parts(buf.cast::<u8>(), len) }.to_vec())
    }
}

/// `LTOObjectBuffer`.
#[repr(C)]
struct ObjectBuffer {
    buffer: *const c_char,
    size: usize,
}

impl LibLto {
    /// `lto_module_is_thinlto`: the module has a ThinLTO summary (`-flto=thin`).
    pub fn is_thin(&self, m: Module) -> bool {
        let f = self.get::<unsafe extern "C" fn(Module) -> bool>(b"lto_module_is_thinlto\0");
        // SAFETY: `m` is a live module.
        f.map(|f| unsafe { f(m) }).unwrap_or(false)
    }

    /// ThinLTO over `modules` (name, bitcode), keeping `preserve`, with `cross` the symbols one
    /// module refers to in another; one object per module, in order. `cache` turns on
    /// libLTO's cache there.
    pub fn compile_thin(
        &self,
        modules: &[(String, &[u8])],
        preserve: &[String],
        cross: &[String],
        pic: bool,
        cache: Option<&Path>,
        options: &[String],
    ) -> Result<Vec<Vec<u8>>, String> {
        if !options.is_empty() {
            let debug = self.get::<unsafe extern "C" fn(*const *const c_char, c_int)>(
                b"thinlto_debug_options\0",
            )?;
            let owned: Vec<CString> = options
                .iter()
                .map(|o| CString::new(o.as_str()).unwrap_or_default())
                .collect();
            let ptrs: Vec<*const c_char> = owned.iter().map(|o| o.as_ptr()).collect();
            // SAFETY: the strings live across the call.
            unsafe { debug(ptrs.as_ptr(), ptrs.len() as c_int) };
        }
        let create = self.get::<unsafe extern "C" fn() -> CodeGen>(b"thinlto_create_codegen\0")?;
        let dispose = self.get::<unsafe extern "C" fn(CodeGen)>(b"thinlto_codegen_dispose\0")?;
        // SAFETY: a fresh code generator, disposed of below.
        let cg = unsafe { create() };
        let names: Vec<CString> = modules
            .iter()
            .map(|m| CString::new(m.0.as_str()).unwrap_or_default())
            .collect();
        let result = self.thin_with(cg, modules, &names, preserve, cross, pic, cache);
        // SAFETY: `cg` is not used again; the objects were copied out.
        unsafe { dispose(cg) };
        result
    }

    #[allow(clippy::too_many_arguments)]
    fn thin_with(
        &self,
        cg: CodeGen,
        modules: &[(String, &[u8])],
        names: &[CString],
        preserve: &[String],
        cross: &[String],
        pic: bool,
        cache: Option<&Path>,
    ) -> Result<Vec<Vec<u8>>, String> {
        type Add = unsafe extern "C" fn(CodeGen, *const c_char, *const c_char, c_int);
        let add = self.get::<Add>(b"thinlto_codegen_add_module\0")?;
        for ((_, bytes), name) in modules.iter().zip(names) {
            // SAFETY: the bitcode and the name outlive `cg` (the caller keeps them).
            unsafe {
                add(
                    cg,
                    name.as_ptr(),
                    bytes.as_ptr().cast(),
                    bytes.len() as c_int,
                )
            };
        }
        let model = self.get::<unsafe extern "C" fn(CodeGen, c_uint) -> bool>(
            b"thinlto_codegen_set_pic_model\0",
        )?;
        // SAFETY: as above; `true` means an error.
        if unsafe { model(cg, if pic { PIC_DYNAMIC } else { PIC_STATIC }) } {
            return Err(self.error());
        }
        type Symbol = unsafe extern "C" fn(CodeGen, *const c_char, c_int);
        let keep = self.get::<Symbol>(b"thinlto_codegen_add_must_preserve_symbol\0")?;
        let crossed = self.get::<Symbol>(b"thinlto_codegen_add_cross_referenced_symbol\0")?;
        for (f, list) in [(&keep, preserve), (&crossed, cross)] {
            for name in list {
                // SAFETY: libLTO copies the name.
                unsafe { f(cg, name.as_ptr().cast(), name.len() as c_int) };
            }
        }
        if let Some(dir) = cache {
            let set = self.get::<unsafe extern "C" fn(CodeGen, *const c_char)>(
                b"thinlto_codegen_set_cache_dir\0",
            )?;
            let dir = CString::new(dir.to_string_lossy().as_bytes()).unwrap_or_default();
            // SAFETY: libLTO copies the path.
            unsafe { set(cg, dir.as_ptr()) };
        }
        let process = self.get::<unsafe extern "C" fn(CodeGen)>(b"thinlto_codegen_process\0")?;
        // SAFETY: a configured code generator.
        unsafe { process(cg) };
        let count = self
            .get::<unsafe extern "C" fn(CodeGen) -> c_uint>(b"thinlto_module_get_num_objects\0")?;
        let object = self.get::<unsafe extern "C" fn(CodeGen, c_uint) -> ObjectBuffer>(
            b"thinlto_module_get_object\0",
        )?;
        // SAFETY: every index is below the object count; each buffer is copied at once.
        let n = unsafe { count(cg) };
        if n as usize != modules.len() {
            return Err(format!(
                "ThinLTO made {n} objects for {} modules: {}",
                modules.len(),
                self.error()
            ));
        }
        Ok((0..n)
            .map(|i| unsafe {
                let b = object(cg, i);
                std::slice::from_raw_parts(b.buffer.cast::<u8>(), b.size).to_vec()
            })
            .collect())
    }
}

/// A C string as an owned `String` (empty for a null pointer).
///
/// # Safety
/// `p` is null or points at a NUL-terminated string.
unsafe fn c_string(p: *const c_char) -> String {
    if p.is_null() {
        return String::new();
    }
    // SAFETY: the caller's promise.
    unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned()
}
