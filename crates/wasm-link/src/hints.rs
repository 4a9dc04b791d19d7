//! Hints for undefined symbols, which wasm-ld does not give: a definition whose name differs
//! only in its C++ signature or in `extern "C"` linkage, the runtime library that defines a
//! runtime symbol, and how to declare a host import. Each hint is shown once per link.

use crate::ids::{FileId, SymbolId};
use crate::inputs::Inputs;
use crate::resolve::Resolved;
use crate::symbols::{Def, Kind};
use llvm_demangle::demangle;
use std::collections::{HashMap, HashSet};

/// Definitions shown per undefined symbol.
const NEAR_LIMIT: usize = 3;

/// The plain name of a symbol for comparison: demangled, without parameters or template
/// arguments at the end (`ns::foo(int)` and `ns::foo(long)` both give `ns::foo`).
fn base_name(name: &str) -> String {
    let shown = demangle(name);
    let cut = shown.find('(').unwrap_or(shown.len());
    shown[..cut].trim_end().to_string()
}

/// The hints of one link: each is given once, under the first error it applies to.
#[derive(Default)]
pub struct Hints {
    near: Option<NearIndex>,
    shown: HashSet<String>,
}

impl Hints {
    /// Lines to add under the first error for the undefined symbol `id`: those not shown yet.
    pub fn for_symbol(
        &mut self,
        inputs: &Inputs<'_>,
        res: &Resolved<'_>,
        id: SymbolId,
    ) -> Vec<String> {
        let near = self.near.get_or_insert_with(|| NearIndex::new(res));
        let all = near.hints(inputs, res, id);
        all.into_iter()
            .filter(|(key, _)| self.shown.insert(key.clone()))
            .map(|(_, text)| text)
            .collect()
    }
}

/// Defined global symbols by base name, built once per failed link.
struct NearIndex {
    by_base: HashMap<String, Vec<SymbolId>>,
}

impl NearIndex {
    /// Indexes every defined symbol.
    fn new(res: &Resolved<'_>) -> Self {
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

    /// Every hint for the undefined symbol `id`, each with what makes it the same hint
    /// (the import hint names the first symbol, but is one hint): definitions with nearly its
    /// name; else the runtime library that should define it; else, for a function, how to
    /// import it.
    fn hints(
        &self,
        inputs: &Inputs<'_>,
        res: &Resolved<'_>,
        id: SymbolId,
    ) -> Vec<(String, String)> {
        let sym = res.table.get(id);
        let near = self.by_base.get(&base_name(sym.name));
        let mut out: Vec<(String, String)> = near
            .into_iter()
            .flatten()
            .take(NEAR_LIMIT)
            .map(|&other| {
                let text = near_definition(inputs, res, sym.name, other);
                (text.clone(), text)
            })
            .collect();
        if !out.is_empty() {
            return out;
        }
        if let Some(library) = runtime_library(sym.name) {
            let text = format!(">>> {library}");
            out.push((text.clone(), text));
        } else if sym.kind == Kind::Function {
            out.push(("import".to_string(), import_hint(inputs, res, id)));
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

/// The runtime library a symbol belongs to, for symbols the compiler's runtime defines
/// (a host import would be the wrong advice for those).
fn runtime_library(name: &str) -> Option<&'static str> {
    if name.starts_with("__cxa_") || name.starts_with("__gxx_personality") {
        Some("__cxa_* symbols come from the C++ ABI library: link with clang++, or add -lc++abi")
    } else if name.starts_with("_Unwind_") {
        Some("_Unwind_* symbols come from libunwind: add -lunwind")
    } else if matches!(
        name,
        "__c_longjmp" | "__wasm_longjmp" | "__wasm_setjmp" | "__wasm_setjmp_test"
    ) {
        Some(
            "setjmp/longjmp support comes from wasi-libc's libsetjmp: add -lsetjmp \
             (and compile with -mllvm -wasm-enable-sjlj)",
        )
    } else if is_compiler_rt(name) {
        Some(
            "compiler-rt builtins (__multi3, __addtf3, ...) come from \
             libclang_rt.builtins-wasm32.a, which clang adds when it drives the link",
        )
    } else {
        None
    }
}

/// compiler-rt's builtins: `__` then lower-case letters and digits, ending in the operand
/// count (`__multi3`, `__extenddftf2`, `__mulodi4`) or a conversion (`__fixtfsi`,
/// `__floatsitf`).
fn is_compiler_rt(name: &str) -> bool {
    let Some(rest) = name.strip_prefix("__") else {
        return false;
    };
    let plain = !rest.is_empty()
        && rest
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
    let operands = rest.ends_with(['2', '3', '4']);
    let conversion = rest.starts_with("fix") || rest.starts_with("float");
    plain && (operands || conversion)
}

/// How to make an undefined function a host import, in the language of the referencing object.
fn import_hint(inputs: &Inputs<'_>, res: &Resolved<'_>, id: SymbolId) -> String {
    let sym = res.table.get(id);
    let rust = match sym.def {
        Def::Undefined { file, .. } => is_rust(inputs, file),
        _ => false,
    };
    let how = if rust {
        "#[link(wasm_import_module = \"env\")] on its extern block".to_string()
    } else {
        format!(
            "__attribute__((import_module(\"env\"), import_name(\"{}\"))) on its declaration",
            sym.name
        )
    };
    format!(
        ">>> if the host provides a function, import it: {how}, or link with --allow-undefined \
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
    use super::{base_name, is_compiler_rt, runtime_library};

    #[test]
    fn runtime_symbols_name_their_library() {
        for name in [
            "__multi3",
            "__addtf3",
            "__extenddftf2",
            "__fixtfsi",
            "__mulodi4",
        ] {
            assert!(is_compiler_rt(name), "{name}");
        }
        for name in ["__stack_pointer", "__wasm_call_ctors", "foo", "__", "__Z3"] {
            assert!(!is_compiler_rt(name), "{name}");
        }
        assert!(runtime_library("__cxa_throw").is_some_and(|l| l.contains("c++abi")));
        assert!(runtime_library("__c_longjmp").is_some_and(|l| l.contains("setjmp")));
        assert!(runtime_library("printf").is_none());
    }

    #[test]
    fn base_names_drop_parameters() {
        assert_eq!(base_name("_Z3fooi"), "foo");
        assert_eq!(base_name("_Z3fool"), "foo");
        assert_eq!(base_name("_ZN2ns3barEv"), "ns::bar");
        assert_eq!(base_name("foo"), "foo");
    }
}
