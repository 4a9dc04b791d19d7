//! The linker-written custom sections: `name` (functions, globals, data segments), `producers`
//! merged the way wasm-ld does (first tool of each name wins), and `target_features` (the
//! union of the features the inputs use, sorted by name).

use crate::config::Config;
use crate::features::Features;
use crate::inputs::Inputs;
use crate::layout::{ImportKind, Layout, OutFunction, OutGlobalDef};
use crate::resolve::Resolved;
use crate::symbols::{Def, Synthetic};
use rayon::prelude::*;
use wasm_encoder::{Encode, NameMap, NameSection, ProducersField, ProducersSection};
use wasm_object::ids::Definition;

/// Subsection id of function names.
const FUNCTION_NAMES: u8 = 1;

/// Functions whose names one task encodes.
const NAMES_PER_TASK: usize = 512;

/// The contents of the `name` section (after its name), in pieces: the module (the output's
/// file name), functions, globals and data segments. Function names, most of the section, are
/// demangled and encoded in parallel, a run of functions at a time, and the runs are never
/// joined: no name is a `String` of its own, and no thread copies them all.
pub fn name_section(
    inputs: &Inputs<'_>,
    res: &Resolved<'_>,
    l: &Layout<'_>,
    config: &Config,
) -> Vec<Vec<u8>> {
    let mut module_section = NameSection::new();
    // `--soname` names the module; else the output's file name does.
    let module = match &config.soname {
        Some(name) if !name.is_empty() => name.clone(),
        _ => config
            .output
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
    };
    module_section.module(&module);
    let mut pieces = vec![module_section.as_custom().data.into_owned()];
    pieces.extend(function_name_subsection(inputs, res, l, config));
    let mut rest = NameSection::new();
    let globals = global_names(inputs, res, l, config);
    if !globals.is_empty() {
        rest.globals(&name_map(&globals));
    }
    let segments: Vec<(u32, String)> = l
        .segments
        .iter()
        .filter(|s| s.in_binary)
        .enumerate()
        .map(|(i, s)| (i as u32, s.name.clone()))
        .collect();
    if !segments.is_empty() {
        rest.data(&name_map(&segments));
    }
    pieces.push(rest.as_custom().data.into_owned());
    pieces
}

/// The function-names subsection, as wasm-encoder's `NameMap` writes it (a count, then each
/// index and name), in pieces: its header, then the imports, then each run of defined
/// functions. Empty without names.
fn function_name_subsection(
    inputs: &Inputs<'_>,
    res: &Resolved<'_>,
    l: &Layout<'_>,
    config: &Config,
) -> Vec<Vec<u8>> {
    // Imports are named even when the name is empty, as `function_names` lists them.
    let imported = imported_function_names(l, res, config);
    let mut imports = (imported.len() as u32, Vec::new());
    for (index, name) in (0u32..).zip(&imported) {
        index.encode(&mut imports.1);
        name.as_str().encode(&mut imports.1);
    }
    let first = imported.len() as u32;
    let raw = raw_function_names(inputs, res);
    let runs: Vec<(u32, Vec<u8>)> = l
        .functions
        .par_chunks(NAMES_PER_TASK)
        .enumerate()
        .map(|(run, functions)| {
            let mut out = (0, Vec::new());
            for (k, f) in functions.iter().enumerate() {
                let index = first + (run * NAMES_PER_TASK + k) as u32;
                append_name(&mut out, index, &function_name(f, &raw, res, config));
            }
            out
        })
        .collect();
    let count: u32 = imports.0 + runs.iter().map(|r| r.0).sum::<u32>();
    if count == 0 {
        return Vec::new();
    }
    let entries: usize = imports.1.len() + runs.iter().map(|r| r.1.len()).sum::<usize>();
    let mut counted = Vec::new();
    count.encode(&mut counted);
    let mut header = vec![FUNCTION_NAMES];
    (counted.len() + entries).encode(&mut header);
    header.extend_from_slice(&counted);
    let mut pieces = vec![header, imports.1];
    pieces.extend(runs.into_iter().map(|r| r.1));
    pieces
}

/// Appends `index` and `name` to a name map's (count, entries), unless the name is empty.
fn append_name(map: &mut (u32, Vec<u8>), index: u32, name: &str) {
    if !name.is_empty() {
        map.0 += 1;
        index.encode(&mut map.1);
        name.encode(&mut map.1);
    }
}

/// The `name` section's function names: (output index, name), imports first.
pub(crate) fn function_names(
    inputs: &Inputs<'_>,
    res: &Resolved<'_>,
    l: &Layout<'_>,
    config: &Config,
) -> Vec<(u32, String)> {
    let imported = imported_function_names(l, res, config);
    let first = imported.len() as u32;
    let mut names: Vec<(u32, String)> = (0..).zip(imported).collect();
    let raw = raw_function_names(inputs, res);
    let defined: Vec<String> = l
        .functions
        .par_iter()
        .map(|f| function_name(f, &raw, res, config))
        .collect();
    let named = (first..).zip(defined).filter(|(_, name)| !name.is_empty());
    names.extend(named);
    names
}

/// The (demangled) names of the imported functions, in index order (empty: none).
fn imported_function_names(l: &Layout<'_>, res: &Resolved<'_>, config: &Config) -> Vec<String> {
    let functions = l
        .imports
        .iter()
        .filter(|i| matches!(i.kind, ImportKind::Func { .. }));
    let name = |s| res.table.get(s).name;
    functions
        .map(|i| demangle(i.symbol.map_or("", name), config))
        .collect()
}

/// The name of a defined function of the output (empty: none).
fn function_name(
    f: &OutFunction,
    raw: &[Vec<RawName<'_>>],
    res: &Resolved<'_>,
    config: &Config,
) -> String {
    match f {
        OutFunction::CallCtors => "__wasm_call_ctors".to_string(),
        OutFunction::UndefinedStub(_) => "undefined_stub".to_string(),
        OutFunction::InitTls => "__wasm_init_tls".to_string(),
        OutFunction::InitMemory => "__wasm_init_memory".to_string(),
        OutFunction::ApplyDataRelocs => "__wasm_apply_data_relocs".to_string(),
        OutFunction::ApplyGlobalRelocs => "__wasm_apply_global_relocs".to_string(),
        OutFunction::Start => "__wasm_start".to_string(),
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
        OutFunction::Input(file, i) => match raw[file.idx()].get(i.idx()) {
            Some(RawName::Debug(n)) => n.to_string(),
            Some(RawName::Symbol(n)) => demangle(n, config),
            _ => String::new(),
        },
        // wasm-ld demangles the whole name, suffix and all: `api::twice(int) (.command_export)`.
        OutFunction::CommandExport { symbol, .. } => demangle(
            &format!("{}.command_export", res.table.get(*symbol).name),
            config,
        ),
    }
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
            let mut names = vec![RawName::None; obj.functions.len()];
            for (i, s) in obj.symbols.iter().enumerate() {
                let Some(Definition::Function(func)) = obj.definition(i as u32) else {
                    continue;
                };
                let slot = &mut names[func.idx()];
                if let (RawName::None, false, Some(n)) = (&slot, s.flags.is_undefined(), s.name) {
                    *slot = RawName::Symbol(n);
                }
            }
            for &(index, n) in &obj.debug_names {
                if let Some(func) = obj.defined_function(index) {
                    names[func.idx()] = RawName::Debug(n);
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

/// Global names: imports and the linker's GOT globals by their (demangled) symbol, as lld's
/// `toString(Symbol)` names them.
fn global_names(
    inputs: &Inputs<'_>,
    res: &Resolved<'_>,
    l: &Layout<'_>,
    config: &Config,
) -> Vec<(u32, String)> {
    let mut names = Vec::new();
    let mut index = 0;
    for i in &l.imports {
        if let ImportKind::Global(_) = i.kind {
            let name = i.symbol.map_or("", |s| res.table.get(s).name);
            names.push((index, demangle(name, config)));
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
                // A stub is named as lld names the function that replaced the symbol.
                let prefix = match sym.def {
                    Def::Synthetic(Synthetic::WeakStub) => "undefined_weak:",
                    Def::Synthetic(Synthetic::SignatureStub) => "signature_mismatch:",
                    _ => "",
                };
                format!("GOT.{kind}.internal.{prefix}{}", demangle(sym.name, config))
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

/// The name of the first symbol that defines global `g` of `file`.
pub(crate) fn global_symbol_name(
    inputs: &Inputs<'_>,
    file: crate::ids::FileId,
    g: wasm_object::ids::DefinedGlobal,
) -> String {
    let obj = inputs.obj(file);
    (0..obj.symbols.len() as u32)
        .find(|&i| {
            !obj.symbols[i as usize].flags.is_undefined()
                && obj.definition(i) == Some(Definition::Global(g))
        })
        .and_then(|i| obj.symbols[i as usize].name)
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

fn name_map(names: &[(u32, String)]) -> NameMap {
    let mut map = NameMap::new();
    for (i, n) in names {
        map.append(*i, n);
    }
    map
}

/// The merged `producers` section (`None` if no input has one).
pub fn producers(inputs: &Inputs<'_>, res: &Resolved<'_>) -> Option<ProducersSection> {
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
        return None;
    }
    let mut section = ProducersSection::new();
    for (name, values) in fields {
        let mut field = ProducersField::new();
        for (n, v) in values {
            field.value(n, v);
        }
        section.field(name, &field);
    }
    Some(section)
}

/// The body of `target_features`: the allowed features, sorted, each with `+`.
pub fn target_features(features: &Features) -> Vec<u8> {
    if features.allowed.is_empty() {
        return Vec::new();
    }
    let mut out = Vec::new();
    (features.allowed.len() as u64).encode(&mut out);
    for name in &features.allowed {
        out.push(b'+');
        name.as_str().encode(&mut out);
    }
    out
}
