//! The structural differ: reduces a linked module to lists of facts under named keys (imports,
//! exports, memory limits, data segment addresses, ...) and reports the first key where two
//! modules disagree. Programs may ignore keys whose difference is intended (`//#Ignore:`).

use wasmparser::{
    ConstExpr, DataKind, ElementItems, ElementKind, Parser, Payload, TypeRef, Validator,
    WasmFeatures,
};

/// One key's facts, in module order.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Facts {
    pub key: &'static str,
    pub items: Vec<String>,
}

/// Every key's facts about one module, in [`super::corpus::DIFF_KEYS`] order.
pub type Summary = Vec<Facts>;

/// Validates `bytes` with wasmparser's default features plus those its `target_features` names.
pub fn validate(bytes: &[u8]) -> Result<(), String> {
    let features = WasmFeatures::default() | declared_features(bytes);
    Validator::new_with_features(features)
        .validate_all(bytes)
        .map(drop)
        .map_err(|e| format!("invalid module: {e}"))
}

/// The wasmparser features a `target_features` section asks for beyond the defaults.
fn declared_features(bytes: &[u8]) -> WasmFeatures {
    let mut features = WasmFeatures::empty();
    for payload in Parser::new(0).parse_all(bytes).flatten() {
        if let Payload::CustomSection(c) = payload {
            if c.name() == "target_features" {
                for name in feature_names(c.data()) {
                    features |= feature_flag(&name);
                }
            }
        }
    }
    features
}

/// Reads `(prefix, name)*` leniently: a malformed section just yields fewer names.
fn feature_names(data: &[u8]) -> Vec<String> {
    let mut reader = wasmparser::BinaryReader::new(data, 0);
    let mut names = Vec::new();
    let Ok(count) = reader.read_var_u32() else {
        return names;
    };
    for _ in 0..count {
        let (Ok(_prefix), Ok(name)) = (reader.read_u8(), reader.read_string()) else {
            break;
        };
        names.push(name.to_string());
    }
    names
}

fn feature_flag(name: &str) -> WasmFeatures {
    match name {
        "exception-handling" => WasmFeatures::LEGACY_EXCEPTIONS | WasmFeatures::EXCEPTIONS,
        "atomics" => WasmFeatures::THREADS,
        "memory64" => WasmFeatures::MEMORY64,
        "multimemory" => WasmFeatures::MULTI_MEMORY,
        "relaxed-simd" => WasmFeatures::RELAXED_SIMD,
        "extended-const" => WasmFeatures::EXTENDED_CONST,
        "tail-call" => WasmFeatures::TAIL_CALL,
        "simd128" => WasmFeatures::SIMD,
        _ => WasmFeatures::empty(),
    }
}

/// Collects the facts while walking the sections once.
#[derive(Default)]
struct Collector {
    types: Vec<String>,
    facts: Vec<Facts>,
}

impl Collector {
    fn push(&mut self, key: &'static str, item: String) {
        match self.facts.iter_mut().find(|f| f.key == key) {
            Some(f) => f.items.push(item),
            None => self.facts.push(Facts {
                key,
                items: vec![item],
            }),
        }
    }

    fn type_name(&self, index: u32) -> String {
        self.types
            .get(index as usize)
            .cloned()
            .unwrap_or_else(|| format!("type {index}"))
    }
}

/// Summarises a module; errors only if wasmparser cannot read it.
pub fn summarize(bytes: &[u8]) -> Result<Summary, String> {
    let mut c = Collector::default();
    for payload in Parser::new(0).parse_all(bytes) {
        collect(&mut c, payload.map_err(|e| format!("cannot parse: {e}"))?)
            .map_err(|e| format!("cannot parse: {e}"))?;
    }
    let mut summary: Summary = super::corpus::DIFF_KEYS
        .iter()
        .map(|key| Facts {
            key,
            items: Vec::new(),
        })
        .collect();
    for f in c.facts {
        if let Some(slot) = summary.iter_mut().find(|s| s.key == f.key) {
            slot.items = f.items;
        }
    }
    Ok(summary)
}

fn collect(c: &mut Collector, payload: Payload) -> wasmparser::Result<()> {
    if let Some((id, _)) = payload.as_section() {
        let name = match &payload {
            Payload::CustomSection(s) => format!("custom {}", s.name()),
            _ => format!("id {id}"),
        };
        c.push("section-order", name);
    }
    match payload {
        Payload::TypeSection(r) => {
            for ty in r.into_iter_err_on_gc_types() {
                let ty = ty?;
                c.types
                    .push(format!("{:?} -> {:?}", ty.params(), ty.results()));
                c.push("types", c.types[c.types.len() - 1].clone());
            }
        }
        Payload::ImportSection(r) => {
            for imp in r.into_imports() {
                let imp = imp?;
                let ty = match imp.ty {
                    TypeRef::Func(t) => format!("func {}", c.type_name(t)),
                    other => format!("{other:?}"),
                };
                c.push("imports", format!("{}.{}: {ty}", imp.module, imp.name));
            }
        }
        other => collect_defined(c, other)?,
    }
    Ok(())
}

fn collect_defined(c: &mut Collector, payload: Payload) -> wasmparser::Result<()> {
    match payload {
        Payload::FunctionSection(r) => {
            for t in r {
                let name = c.type_name(t?);
                c.push("functions", name);
            }
        }
        Payload::TableSection(r) => {
            for t in r {
                let t = t?.ty;
                c.push(
                    "tables",
                    format!("{} min={} max={:?}", t.element_type, t.initial, t.maximum),
                );
            }
        }
        Payload::MemorySection(r) => {
            for m in r {
                let m = m?;
                c.push(
                    "memory",
                    format!("min={} max={:?} shared={}", m.initial, m.maximum, m.shared),
                );
            }
        }
        Payload::GlobalSection(r) => {
            for g in r {
                let g = g?;
                let mutable = if g.ty.mutable { "mut " } else { "" };
                c.push(
                    "globals",
                    format!("{mutable}{} = {}", g.ty.content_type, expr(&g.init_expr)?),
                );
            }
        }
        other => collect_rest(c, other)?,
    }
    Ok(())
}

fn collect_rest(c: &mut Collector, payload: Payload) -> wasmparser::Result<()> {
    match payload {
        Payload::ExportSection(r) => {
            for e in r {
                let e = e?;
                c.push("exports", format!("{}: {:?} {}", e.name, e.kind, e.index));
            }
        }
        Payload::StartSection { func, .. } => c.push("start", format!("func {func}")),
        Payload::ElementSection(r) => {
            for e in r {
                c.push("elements", element(e?)?);
            }
        }
        Payload::CodeSectionEntry(body) => c.push(
            "code-sizes",
            format!("{} bytes", body.range().end - body.range().start),
        ),
        Payload::DataSection(r) => {
            for d in r {
                let d = d?;
                let at = match d.kind {
                    DataKind::Active {
                        memory_index,
                        offset_expr,
                    } => format!("memory {memory_index} @ {}", expr(&offset_expr)?),
                    DataKind::Passive => "passive".to_string(),
                };
                c.push("data-segments", format!("{at}, {} bytes", d.data.len()));
            }
        }
        Payload::CustomSection(s) => {
            c.push("custom-section-names", s.name().to_string());
            c.push(
                "custom-section-sizes",
                format!("{}: {} bytes", s.name(), s.data().len()),
            );
        }
        _ => {}
    }
    Ok(())
}

fn element(e: wasmparser::Element) -> wasmparser::Result<String> {
    let kind = match e.kind {
        ElementKind::Active {
            table_index,
            offset_expr,
        } => {
            format!(
                "table {} @ {}",
                table_index.unwrap_or(0),
                expr(&offset_expr)?
            )
        }
        ElementKind::Passive => "passive".to_string(),
        ElementKind::Declared => "declared".to_string(),
    };
    let items = match e.items {
        ElementItems::Functions(r) => r
            .into_iter()
            .map(|f| f.map(|f| f.to_string()))
            .collect::<Result<Vec<_>, _>>()?,
        ElementItems::Expressions(_, r) => r
            .into_iter()
            .map(|x| x.and_then(|x| expr(&x)))
            .collect::<Result<Vec<_>, _>>()?,
    };
    Ok(format!("{kind}: [{}]", items.join(", ")))
}

/// A constant expression as its operators, e.g. `I32Const { value: 1024 }`.
fn expr(e: &ConstExpr) -> wasmparser::Result<String> {
    let mut ops = Vec::new();
    let mut reader = e.get_operators_reader();
    while !reader.eof() {
        let op = reader.read()?;
        if !matches!(op, wasmparser::Operator::End) {
            ops.push(format!("{op:?}"));
        }
    }
    Ok(ops.join("; "))
}

/// The first difference between two summaries outside the ignored keys, in words.
pub fn first_difference(ours: &Summary, reference: &Summary, ignore: &[String]) -> Option<String> {
    for (a, b) in ours.iter().zip(reference) {
        if ignore.iter().any(|k| k == a.key) {
            continue;
        }
        if let Some(d) = compare(a, b) {
            return Some(d);
        }
    }
    None
}

fn compare(a: &Facts, b: &Facts) -> Option<String> {
    for (i, (x, y)) in a.items.iter().zip(&b.items).enumerate() {
        if x != y {
            return Some(format!(
                "{}[{i}]: ours `{}`, reference `{}`",
                a.key,
                clip(x),
                clip(y)
            ));
        }
    }
    let (n, m) = (a.items.len(), b.items.len());
    match n.cmp(&m) {
        std::cmp::Ordering::Equal => None,
        std::cmp::Ordering::Greater => Some(format!(
            "{}: ours has {n} entries, reference {m}; first extra `{}`",
            a.key,
            clip(&a.items[m])
        )),
        std::cmp::Ordering::Less => Some(format!(
            "{}: ours has {n} entries, reference {m}; first missing `{}`",
            a.key,
            clip(&b.items[n])
        )),
    }
}

fn clip(s: &str) -> String {
    const MAX: usize = 160;
    match s.char_indices().nth(MAX) {
        Some((i, _)) => format!("{}...", &s[..i]),
        None => s.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(key: &'static str, items: &[&str]) -> Facts {
        Facts {
            key,
            items: items.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn reports_first_differing_item() {
        let a = vec![facts("imports", &["a", "b"]), facts("exports", &["x"])];
        let b = vec![facts("imports", &["a", "c"]), facts("exports", &["y"])];
        let d = first_difference(&a, &b, &[]).unwrap();
        assert_eq!(d, "imports[1]: ours `b`, reference `c`");
        let d = first_difference(&a, &b, &["imports".into()]).unwrap();
        assert!(d.starts_with("exports[0]"), "{d}");
    }

    #[test]
    fn reports_length_difference() {
        let a = vec![facts("exports", &["x"])];
        let b = vec![facts("exports", &["x", "memory"])];
        let d = first_difference(&a, &b, &[]).unwrap();
        assert!(
            d.contains("ours has 1 entries, reference 2") && d.contains("memory"),
            "{d}"
        );
    }

    #[test]
    fn summarizes_a_tiny_module() {
        // (module (memory 1 2) (export "m" (memory 0)) (data (i32.const 8) "hi"))
        let wasm = [
            0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 5, 4, 1, 1, 1, 2, 7, 5, 1, 1, b'm', 2, 0, 11, 8, 1, 0,
            0x41, 8, 0x0b, 2, b'h', b'i',
        ];
        validate(&wasm).unwrap();
        let s = summarize(&wasm).unwrap();
        let get = |k: &str| s.iter().find(|f| f.key == k).unwrap().items.clone();
        assert_eq!(get("memory"), ["min=1 max=Some(2) shared=false"]);
        assert_eq!(get("exports"), ["m: Memory 0"]);
        assert_eq!(
            get("data-segments"),
            ["memory 0 @ I32Const { value: 8 }, 2 bytes"]
        );
    }
}
