//! The linker-written custom sections: `name` (functions, globals, data segments), `producers`
//! merged the way wasm-ld does (first tool of each name wins), and `target_features` (the
//! union of the features the inputs use, sorted by name).

use crate::config::Config;
use crate::features::Features;
use crate::inputs::Inputs;
use crate::layout::{ImportKind, Layout, OutFunction, OutGlobalDef};
use crate::resolve::Resolved;
use crate::symbols::{Def, Synthetic};
use crate::synthetic::uleb;
use rayon::prelude::*;

/// The body of the `name` section.
pub fn name_section(
    inputs: &Inputs<'_>,
    res: &Resolved<'_>,
    l: &Layout<'_>,
    config: &Config,
) -> Vec<u8> {
    let mut out = Vec::new();
    let module = config
        .output
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut sub = Vec::new();
    string(&mut sub, &module);
    subsection(&mut out, 0, &sub);
    let functions = function_names(inputs, res, l, config);
    if !functions.is_empty() {
        subsection(&mut out, 1, &name_map(&functions));
    }
    let globals = global_names(inputs, res, l);
    if !globals.is_empty() {
        subsection(&mut out, 7, &name_map(&globals));
    }
    let segments: Vec<(u32, String)> = l
        .segments
        .iter()
        .filter(|s| s.in_binary)
        .enumerate()
        .map(|(i, s)| (i as u32, s.name.clone()))
        .collect();
    if !segments.is_empty() {
        subsection(&mut out, 9, &name_map(&segments));
    }
    out
}

fn function_names(
    inputs: &Inputs<'_>,
    res: &Resolved<'_>,
    l: &Layout<'_>,
    config: &Config,
) -> Vec<(u32, String)> {
    let mut names = Vec::new();
    let mut index = 0;
    for i in &l.imports {
        if let ImportKind::Func { .. } = i.kind {
            let name = i.symbol.map_or("", |s| res.table.get(s).name);
            names.push((index, demangle(name, config)));
            index += 1;
        }
    }
    let raw = raw_function_names(inputs, res);
    let defined: Vec<String> = l
        .functions
        .par_iter()
        .map(|f| match f {
            OutFunction::CallCtors => "__wasm_call_ctors".to_string(),
            OutFunction::Stub(s)
                if res.table.get(*s).def == Def::Synthetic(Synthetic::UndefinedStub) =>
            {
                "undefined_stub".to_string()
            }
            OutFunction::InitTls => "__wasm_init_tls".to_string(),
            OutFunction::InitMemory => "__wasm_init_memory".to_string(),
            OutFunction::ApplyGlobalTlsRelocs => "__wasm_apply_global_tls_relocs".to_string(),
            OutFunction::ApplyTlsRelocs => "__wasm_apply_tls_relocs".to_string(),
            OutFunction::Stub(s) => {
                let sym = res.table.get(*s);
                let prefix = if sym.def == Def::Synthetic(Synthetic::SignatureStub) {
                    "signature_mismatch"
                } else {
                    "undefined_weak"
                };
                format!("{prefix}:{}", demangle(sym.name, config))
            }
            OutFunction::Input(file, i) => match raw[file.idx()].get(*i as usize) {
                Some(RawName::Debug(n)) => n.to_string(),
                Some(RawName::Symbol(n)) => demangle(n, config),
                _ => String::new(),
            },
            // wasm-ld demangles the whole name, suffix and all: `api::twice(int) (.command_export)`.
            OutFunction::CommandExport { symbol, .. } => demangle(
                &format!("{}.command_export", res.table.get(*symbol).name),
                config,
            ),
        })
        .collect();
    for name in defined {
        if !name.is_empty() {
            names.push((index, name));
        }
        index += 1;
    }
    names
}

/// Where an input function's name comes from.
#[derive(Clone, Copy)]
enum RawName<'a> {
    /// The object's own `name` section: used as it is.
    Debug(&'a str),
    /// The first symbol that defines the function: demangled.
    Symbol(&'a str),
    /// No name.
    None,
}

/// Per loaded file, per defined function: its raw name, found in one pass over the object's
/// symbols and name section (not one search per function).
fn raw_function_names<'a>(inputs: &Inputs<'a>, res: &Resolved<'a>) -> Vec<Vec<RawName<'a>>> {
    let mut out = vec![Vec::new(); inputs.files.len()];
    let tables: Vec<(usize, Vec<RawName<'a>>)> = res
        .loaded
        .par_iter()
        .map(|f| {
            let obj = inputs.obj(*f);
            let imports = obj.func_imports.len();
            let mut names = vec![RawName::None; obj.functions.len()];
            for s in &obj.symbols {
                let wasm_format::linking::SymbolKind::Function { index } = s.kind else {
                    continue;
                };
                let slot = (index as usize)
                    .checked_sub(imports)
                    .and_then(|i| names.get_mut(i));
                if let (Some(slot @ RawName::None), false, Some(n)) =
                    (slot, s.flags.is_undefined(), s.name)
                {
                    *slot = RawName::Symbol(n);
                }
            }
            for &(index, n) in &obj.debug_names {
                if let Some(slot) = (index as usize)
                    .checked_sub(imports)
                    .and_then(|i| names.get_mut(i))
                {
                    *slot = RawName::Debug(n);
                }
            }
            (f.idx(), names)
        })
        .collect();
    for (f, names) in tables {
        out[f] = names;
    }
    out
}

fn global_names(inputs: &Inputs<'_>, res: &Resolved<'_>, l: &Layout<'_>) -> Vec<(u32, String)> {
    let mut names = Vec::new();
    let mut index = 0;
    for i in &l.imports {
        if let ImportKind::Global(_) = i.kind {
            names.push((
                index,
                i.symbol.map_or("", |s| res.table.get(s).name).to_string(),
            ));
            index += 1;
        }
    }
    for g in &l.globals {
        let name = match g {
            OutGlobalDef::StackPointer => "__stack_pointer".to_string(),
            OutGlobalDef::TlsBase => "__tls_base".to_string(),
            OutGlobalDef::TlsSize => "__tls_size".to_string(),
            OutGlobalDef::TlsAlign => "__tls_align".to_string(),
            OutGlobalDef::Input(f, i) => global_symbol_name(inputs, *f, *i),
            OutGlobalDef::Got(id) => {
                let sym = res.table.get(*id);
                let kind = if sym.kind == crate::symbols::Kind::Function {
                    "func"
                } else {
                    "data"
                };
                format!("GOT.{kind}.internal.{}", sym.name)
            }
            OutGlobalDef::DataAddress(..) => String::new(),
        };
        if !name.is_empty() {
            names.push((index, name));
        }
        index += 1;
    }
    names
}

pub(crate) fn global_symbol_name(inputs: &Inputs<'_>, file: crate::ids::FileId, i: u32) -> String {
    let obj = inputs.obj(file);
    let index = obj.global_imports.len() as u32 + i;
    obj.symbols
        .iter()
        .find(|s| !s.flags.is_undefined() && matches!(s.kind, wasm_format::linking::SymbolKind::Global { index: k } if k == index))
        .and_then(|s| s.name)
        .unwrap_or("")
        .to_string()
}

pub(crate) fn demangle(name: &str, config: &Config) -> String {
    // `main` is mangled when it takes arguments; wasm-ld undoes that for the name section.
    if name == "__main_argc_argv" {
        return "main".to_string();
    }
    if !config.demangle {
        return name.to_string();
    }
    llvm_demangle::demangle(name)
}

fn name_map(names: &[(u32, String)]) -> Vec<u8> {
    let mut out = Vec::new();
    uleb(&mut out, names.len() as u64);
    for (i, n) in names {
        uleb(&mut out, u64::from(*i));
        string(&mut out, n);
    }
    out
}

fn string(out: &mut Vec<u8>, s: &str) {
    uleb(out, s.len() as u64);
    out.extend_from_slice(s.as_bytes());
}

fn subsection(out: &mut Vec<u8>, id: u8, body: &[u8]) {
    out.push(id);
    uleb(out, body.len() as u64);
    out.extend_from_slice(body);
}

/// The body of the merged `producers` section (empty if no input has one).
pub fn producers(inputs: &Inputs<'_>, res: &Resolved<'_>) -> Vec<u8> {
    let mut fields: Vec<(&str, Vec<(&str, &str)>)> = ["language", "processed-by", "sdk"]
        .iter()
        .map(|f| (*f, Vec::new()))
        .collect();
    for &f in &res.loaded {
        let Some(p) = &inputs.obj(f).producers else {
            continue;
        };
        for field in &p.fields {
            let Some((_, values)) = fields.iter_mut().find(|(n, _)| *n == field.name) else {
                continue;
            };
            for v in &field.values {
                if !values.iter().any(|(n, _)| *n == v.name) {
                    values.push((v.name, v.version));
                }
            }
        }
    }
    fields.retain(|(_, v)| !v.is_empty());
    if fields.is_empty() {
        return Vec::new();
    }
    let mut out = Vec::new();
    uleb(&mut out, fields.len() as u64);
    for (name, values) in fields {
        string(&mut out, name);
        uleb(&mut out, values.len() as u64);
        for (n, v) in values {
            string(&mut out, n);
            string(&mut out, v);
        }
    }
    out
}

/// The body of `target_features`: the allowed features, sorted, each with `+`.
pub fn target_features(features: &Features) -> Vec<u8> {
    if features.allowed.is_empty() {
        return Vec::new();
    }
    let mut out = Vec::new();
    uleb(&mut out, features.allowed.len() as u64);
    for name in &features.allowed {
        out.push(b'+');
        string(&mut out, name);
    }
    out
}
