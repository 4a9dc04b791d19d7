//! Hints for undefined symbols, which wasm-ld does not give: a definition whose name differs
//! only in its C++ signature or in `extern "C"` linkage, and how to declare a host import.

use crate::ids::{FileId, SymbolId};
use crate::inputs::Inputs;
use crate::resolve::Resolved;
use crate::symbols::{Def, Kind};
use llvm_demangle::demangle;
use std::collections::HashMap;

/// Definitions shown per undefined symbol.
const NEAR_LIMIT: usize = 3;

/// The plain name of a symbol for comparison: demangled, without parameters or template
/// arguments at the end (`ns::foo(int)` and `ns::foo(long)` both give `ns::foo`).
fn base_name(name: &str) -> String {
    let shown = demangle(name);
    let cut = shown.find('(').unwrap_or(shown.len());
    shown[..cut].trim_end().to_string()
}

/// Defined global symbols by base name, built once per failed link.
pub struct NearIndex {
    by_base: HashMap<String, Vec<SymbolId>>,
}

impl NearIndex {
    /// Indexes every defined symbol.
    pub fn new(res: &Resolved<'_>) -> Self {
        let mut by_base: HashMap<String, Vec<SymbolId>> = HashMap::new();
        for (i, sym) in res.table.symbols.iter().enumerate() {
            if matches!(sym.def, Def::Defined { .. } | Def::Lazy(_)) {
                let key = base_name(sym.name);
                if !key.is_empty() {
                    by_base.entry(key).or_default().push(SymbolId(i as u32));
                }
            }
        }
        NearIndex { by_base }
    }

    /// Lines to add under the error for the undefined symbol `id`.
    pub fn hints(&self, inputs: &Inputs<'_>, res: &Resolved<'_>, id: SymbolId) -> Vec<String> {
        let sym = res.table.get(id);
        let mut out = Vec::new();
        let near = self.by_base.get(&base_name(sym.name));
        for &other in near.into_iter().flatten().take(NEAR_LIMIT) {
            out.push(near_definition(inputs, res, sym.name, other));
        }
        if out.is_empty() && sym.kind == Kind::Function {
            out.push(import_hint(inputs, res, id));
        }
        out
    }
}

/// `did you mean: foo(long) in b.o`, with the likely reason.
fn near_definition(inputs: &Inputs<'_>, res: &Resolved<'_>, wanted: &str, id: SymbolId) -> String {
    let sym = res.table.get(id);
    let file = match sym.def {
        Def::Defined { file, .. } | Def::Lazy(file) => inputs.name(file).to_string(),
        _ => "the linker".to_string(),
    };
    let (wanted_cxx, found_cxx) = (is_mangled(wanted), is_mangled(sym.name));
    let why = match (wanted_cxx, found_cxx) {
        (true, false) => " (a C definition: declare it extern \"C\" where it is used)",
        (false, true) => " (a C++ definition: is extern \"C\" missing where it is defined?)",
        _ => " (the signatures differ)",
    };
    format!(
        ">>> did you mean: {} defined in {file}{why}",
        demangle(sym.name)
    )
}

/// Itanium (`_Z`) or Rust v0 (`_R`) mangling.
fn is_mangled(name: &str) -> bool {
    name.starts_with("_Z") || name.starts_with("__Z") || name.starts_with("_R")
}

/// How to make an undefined function a host import, in the language of the referencing object.
fn import_hint(inputs: &Inputs<'_>, res: &Resolved<'_>, id: SymbolId) -> String {
    let rust = match res.table.get(id).def {
        Def::Undefined { file, .. } => is_rust(inputs, file),
        _ => false,
    };
    let how = if rust {
        "#[link(wasm_import_module = \"env\")] on its extern block"
    } else {
        "__attribute__((import_module(\"env\"))) on its declaration"
    };
    format!(
        ">>> if the host provides it, import it: {how}, or link with --allow-undefined \
         (or list it in --allow-undefined-file)"
    )
}

/// Whether rustc produced the object (its `producers` section names Rust).
fn is_rust(inputs: &Inputs<'_>, f: FileId) -> bool {
    let obj = inputs.obj(f);
    let fields = obj.producers.iter().flat_map(|p| &p.fields);
    fields
        .filter(|field| field.name == "language" || field.name == "processed-by")
        .flat_map(|field| &field.values)
        .any(|v| v.name == "Rust" || v.name == "rustc")
}

#[cfg(test)]
mod tests {
    use super::base_name;

    #[test]
    fn base_names_drop_parameters() {
        assert_eq!(base_name("_Z3fooi"), "foo");
        assert_eq!(base_name("_Z3fool"), "foo");
        assert_eq!(base_name("_ZN2ns3barEv"), "ns::bar");
        assert_eq!(base_name("foo"), "foo");
    }
}
