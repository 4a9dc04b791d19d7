//! `--size-report=<file>`: where the output's bytes come from, which wasm-ld cannot tell.
//!
//! From where the writer put things ([`Written`]) and the layout, it attributes every function
//! body, data segment piece and custom-section chunk to the input it came from, grouped by
//! object file or archive. What no input owns (synthetic functions,
//! merged strings, alignment padding) goes to `(linker)`. Text, or JSON when the file name ends
//! in `.json`.

use crate::config::Config;
use crate::inputs::Inputs;
use crate::layout::{Layout, OutFunction};
use crate::resolve::Resolved;
use crate::written::Written;
use serde_json::json;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use wasm_format::SectionId;

/// The group that owns what the linker made itself.
const LINKER: &str = "(linker)";

/// Bytes one input (or group of inputs) put into the output.
#[derive(Default, Clone, Debug, PartialEq, Eq)]
pub struct Contribution {
    /// Function bodies in the code section.
    pub code: u64,
    /// Live functions.
    pub functions: u64,
    /// Data written to the data section.
    pub data: u64,
    /// Zero-initialised data that takes memory but no file bytes.
    pub bss: u64,
    /// Custom-section chunks (debug info, mostly).
    pub custom: u64,
}

impl Contribution {
    /// Bytes in the file.
    pub fn total(&self) -> u64 {
        self.code + self.data + self.custom
    }

    fn add(&mut self, other: &Contribution) {
        self.code += other.code;
        self.functions += other.functions;
        self.data += other.data;
        self.bss += other.bss;
        self.custom += other.custom;
    }
}

/// One output function.
#[derive(Clone, Debug)]
pub struct FunctionSize {
    /// Its name in the `name` section (demangled), or its index.
    pub name: String,
    /// The input file it came from.
    pub file: String,
    /// Body bytes, size prefix included.
    pub size: u64,
}

/// The whole report.
#[derive(Clone, Debug, Default)]
pub struct SizeReport {
    /// The output's size.
    pub file_size: u64,
    /// Every section, in file order: (name, bytes including its header).
    pub sections: Vec<(String, u64)>,
    /// Per input group (object path or archive path), largest first.
    pub groups: Vec<(String, Contribution)>,
    /// Per input file (archive members separately), largest first.
    pub files: Vec<(String, Contribution)>,
    /// Every function, largest first.
    pub functions: Vec<FunctionSize>,
}

/// Builds the report for the module `written` from `layout`.
pub fn build(
    inputs: &Inputs<'_>,
    res: &Resolved<'_>,
    layout: &Layout<'_>,
    config: &Config,
    written: &Written,
) -> SizeReport {
    let mut per_file: BTreeMap<String, Contribution> = BTreeMap::new();
    let names = crate::names::function_names(inputs, res, layout, config);
    let functions = attribute_code(inputs, layout, written, names, &mut per_file);
    attribute_data(inputs, layout, &mut per_file);
    attribute_custom(inputs, written, &mut per_file);
    let sections = written
        .sections
        .iter()
        .map(|s| (s.display_name().to_string(), s.size))
        .collect();
    let mut groups: BTreeMap<String, Contribution> = BTreeMap::new();
    for (name, c) in &per_file {
        groups.entry(group_of(name)).or_default().add(c);
    }
    SizeReport {
        file_size: written.file_size,
        sections,
        groups: largest_first(groups),
        files: largest_first(per_file),
        functions,
    }
}

fn largest_first(map: BTreeMap<String, Contribution>) -> Vec<(String, Contribution)> {
    let mut v: Vec<_> = map.into_iter().collect();
    v.sort_by(|a, b| b.1.total().cmp(&a.1.total()).then_with(|| a.0.cmp(&b.0)));
    v
}

/// `lib.a(x.o)` belongs to `lib.a`; an object to itself.
fn group_of(file: &str) -> String {
    match file
        .strip_suffix(')')
        .and_then(|f| f.rfind('(').map(|i| &f[..i]))
    {
        Some(archive) if !archive.is_empty() => archive.to_string(),
        _ => file.to_string(),
    }
}

/// Which input owns output function `i` (defined functions only).
fn owner(inputs: &Inputs<'_>, layout: &Layout<'_>, i: usize) -> String {
    match layout.functions.get(i) {
        Some(OutFunction::Input(f, _)) => inputs.name(*f).to_string(),
        _ => LINKER.to_string(),
    }
}

fn attribute_code(
    inputs: &Inputs<'_>,
    layout: &Layout<'_>,
    written: &Written,
    names: Vec<(u32, String)>,
    per_file: &mut BTreeMap<String, Contribution>,
) -> Vec<FunctionSize> {
    let mut names: BTreeMap<u32, String> = names.into_iter().collect();
    let imported = layout.num_func_imports;
    let mut out = Vec::with_capacity(written.functions.len());
    for (i, &(_, size)) in written.functions.iter().enumerate() {
        let file = owner(inputs, layout, i);
        let entry = per_file.entry(file.clone()).or_default();
        entry.code += size;
        entry.functions += 1;
        let index = imported + i as u32;
        let name = names
            .remove(&index)
            .unwrap_or_else(|| format!("function[{index}]"));
        out.push(FunctionSize { name, file, size });
    }
    out.sort_by(|a, b| b.size.cmp(&a.size).then_with(|| a.name.cmp(&b.name)));
    out
}

fn attribute_data(
    inputs: &Inputs<'_>,
    layout: &Layout<'_>,
    per_file: &mut BTreeMap<String, Contribution>,
) {
    for seg in &layout.segments {
        let mut owned = 0;
        for &(f, s, _) in &seg.parts {
            let len = inputs.obj(f).segments[s as usize].data.len() as u64;
            owned += len;
            let entry = per_file.entry(inputs.name(f).to_string()).or_default();
            if seg.in_binary {
                entry.data += len;
            } else {
                entry.bss += len;
            }
        }
        let linker = per_file.entry(LINKER.to_string()).or_default();
        // Merged strings and alignment padding belong to no single input.
        let rest = seg.size.saturating_sub(owned);
        if seg.in_binary {
            linker.data += rest;
        } else {
            linker.bss += rest;
        }
    }
}

/// Custom sections copied chunk by chunk go to their inputs; merged ones (`.debug_str`) and
/// those the linker writes itself, to the linker.
fn attribute_custom(
    inputs: &Inputs<'_>,
    written: &Written,
    per_file: &mut BTreeMap<String, Contribution>,
) {
    for section in written
        .sections
        .iter()
        .filter(|s| s.id == SectionId::Custom)
    {
        let owned: u64 = section.chunks.iter().map(|c| c.1).sum();
        for &(f, len) in &section.chunks {
            per_file
                .entry(inputs.name(f).to_string())
                .or_default()
                .custom += len;
        }
        // The header (and all of a merged or linker-made section) is the linker's.
        per_file.entry(LINKER.to_string()).or_default().custom += section.size - owned;
    }
}

/// The report as text: sections, input groups, the largest files and functions.
pub fn to_text(r: &SizeReport) -> String {
    let mut out = String::new();
    let pct = |n: u64| n as f64 * 100.0 / r.file_size.max(1) as f64;
    let _ = writeln!(out, "output: {} bytes\n\nsections:", r.file_size);
    for (name, size) in &r.sections {
        let _ = writeln!(out, "{size:>12} {:>6.2}%  {name}", pct(*size));
    }
    table(
        &mut out,
        "inputs, grouped by archive:",
        &r.groups,
        usize::MAX,
        pct,
    );
    table(&mut out, "largest input files:", &r.files, 30, pct);
    let _ = writeln!(out, "\nlargest functions:");
    for f in r.functions.iter().take(30) {
        let _ = writeln!(out, "{:>12}  {}  [{}]", f.size, f.name, f.file);
    }
    out
}

fn table(
    out: &mut String,
    title: &str,
    rows: &[(String, Contribution)],
    limit: usize,
    pct: impl Fn(u64) -> f64,
) {
    let _ = writeln!(out, "\n{title}");
    let _ = writeln!(
        out,
        "{:>12} {:>7} {:>12} {:>12} {:>12} {:>12} {:>7}  input",
        "total", "%", "code", "data", "custom", "bss", "funcs"
    );
    for (name, c) in rows.iter().take(limit) {
        let _ = writeln!(
            out,
            "{:>12} {:>6.2}% {:>12} {:>12} {:>12} {:>12} {:>7}  {name}",
            c.total(),
            pct(c.total()),
            c.code,
            c.data,
            c.custom,
            c.bss,
            c.functions
        );
    }
}

/// The report as JSON (every file and function, not just the largest).
pub fn to_json(r: &SizeReport) -> String {
    let rows = |rows: &[(String, Contribution)]| {
        rows.iter()
            .map(|(name, c)| {
                json!({"input": name, "total": c.total(), "code": c.code, "functions": c.functions,
                       "data": c.data, "bss": c.bss, "custom": c.custom})
            })
            .collect::<Vec<_>>()
    };
    let value = json!({
        "file_size": r.file_size,
        "sections": r.sections.iter().map(|(n, s)| json!({"name": n, "size": s})).collect::<Vec<_>>(),
        "groups": rows(&r.groups),
        "files": rows(&r.files),
        "functions": r.functions.iter()
            .map(|f| json!({"name": f.name, "input": f.file, "size": f.size}))
            .collect::<Vec<_>>(),
    });
    format!("{value:#}\n")
}

/// Writes the report for the module `written` to `path`.
pub fn write(
    inputs: &Inputs<'_>,
    res: &Resolved<'_>,
    layout: &Layout<'_>,
    config: &Config,
    written: &Written,
    path: &std::path::Path,
) -> Result<(), crate::diagnostic::Errors> {
    let report = build(inputs, res, layout, config, written);
    let json = path.extension().is_some_and(|e| e == "json");
    let text = if json {
        to_json(&report)
    } else {
        to_text(&report)
    };
    std::fs::write(path, text).map_err(|e| {
        crate::diagnostic::output_error(format!("cannot write {}: {e}", path.display()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn archive_members_group_under_their_archive() {
        assert_eq!(group_of("/usr/lib/libc.a(printf.o)"), "/usr/lib/libc.a");
        assert_eq!(group_of("dir/main.o"), "dir/main.o");
        assert_eq!(group_of("(linker)"), "(linker)");
    }

    #[test]
    fn totals_count_file_bytes_only() {
        let c = Contribution {
            code: 10,
            functions: 2,
            data: 5,
            bss: 1000,
            custom: 7,
        };
        assert_eq!(c.total(), 22);
    }
}
