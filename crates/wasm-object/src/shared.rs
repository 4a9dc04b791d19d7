//! Shared libraries as link inputs (DynamicLinking.md): a module with a `dylink.0` section and
//! no `linking` section contributes only symbols, which the output imports at run time. Its
//! function exports become undefined function symbols with their signatures, its global
//! exports undefined data symbols (the global holds the address), as LLVM's `WasmObjectFile`
//! reads the exports of a linked module and lld's `SharedFile::parse` adds them.

use crate::object::{Found, ObjImport, Object};
use wasm_format::linking::{SymbolFlags, SymbolInfo, SymbolKind};
use wasm_format::sections::ExternalKind;
use wasm_format::{Error, Module};

/// Exports a loader resolves within the library itself, never offered to others (lld's
/// list in `SharedFile::parse`).
fn is_module_local(name: &str) -> bool {
    name == "__wasm_apply_data_relocs"
        || name == "__wasm_call_ctors"
        || name.starts_with("__start_")
        || name.starts_with("__stop_")
}

/// Whether a module is a shared library: it has a `dylink.0` section.
pub fn is_shared_library(module: &Module<'_>) -> bool {
    module
        .sections
        .iter()
        .any(|s| s.custom_name == Some("dylink.0"))
}

impl<'a> Object<'a> {
    /// Reads shared library `bytes` (at absolute `offset` of their file) as an object whose
    /// symbols are its exports, all undefined: functions (with their types) and data.
    pub fn parse_shared(bytes: &'a [u8], offset: usize) -> Result<Object<'a>, Error> {
        let module = Module::parse(bytes, offset)?;
        let mut lib = Object::empty();
        let mut found = Found::default();
        for section in &module.sections {
            lib.read_section(section, &mut found)?;
        }
        let mut obj = Object::empty();
        obj.shared_library = true;
        obj.types = std::mem::take(&mut lib.types);
        obj.memory64 = lib.memory64;
        let imported = lib.func_imports.len();
        let undefined = SymbolFlags(SymbolFlags::UNDEFINED | SymbolFlags::EXPLICIT_NAME);
        for export in &lib.exports {
            if is_module_local(export.name) {
                continue;
            }
            let kind = match export.kind {
                ExternalKind::Func => {
                    let defined = (export.index as usize).checked_sub(imported);
                    let Some(f) = defined.and_then(|k| lib.functions.get(k)) else {
                        // LLVM refuses a library that exports an imported function.
                        return Err(Error::llvm(
                            offset,
                            "invalid function export",
                            Some(wasm_format::error::ErrorKind::Invalid {
                                expected: "a defined function",
                                found: u64::from(export.index),
                            }),
                        ));
                    };
                    obj.func_imports.push(ObjImport {
                        module: "env",
                        field: export.name,
                        ty: f.type_index,
                    });
                    let index = (obj.func_imports.len() - 1) as u32;
                    SymbolKind::Function { index }
                }
                ExternalKind::Global => SymbolKind::Data { def: None },
                // Tables, tags and the memory are not offered as symbols.
                _ => continue,
            };
            obj.symbols.push(SymbolInfo {
                flags: undefined,
                name: Some(export.name),
                kind,
            });
        }
        Ok(obj)
    }
}
