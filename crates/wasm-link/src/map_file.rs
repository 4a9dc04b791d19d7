//! `--Map=<file>` and `-M`/`--print-map`: wasm-ld's link map. Every output section with its file
//! offset and size; under the code section each function (`file:(name)`) and the symbols that
//! name it; under the data section each segment, its input chunks and their data symbols; the
//! input globals with their index. Built from where the writer put things ([`Written`]) and the
//! layout (where each piece came from), in wasm-ld's format and with its quirks (a chunk's
//! offset counts from the section's id byte, not its contents).

use crate::config::Config;
use crate::ids::FileId;
use crate::inputs::Inputs;
use crate::layout::{Layout, OutFunction, OutGlobalDef, OutSegment};
use crate::names::{demangle, global_symbol_name};
use crate::resolve::Resolved;
use crate::symbols::Def;
use crate::written::Written;
use std::fmt::Write as _;
use wasm_format::SectionId;
use wasm_object::ids::Definition;

/// The map of the module `written` from `layout`.
pub fn build(
    inputs: &Inputs<'_>,
    res: &Resolved<'_>,
    layout: &Layout<'_>,
    config: &Config,
    written: &Written,
) -> String {
    let syms = FileSymbols::new(inputs, res, config);
    let mut out = String::from("    Addr      Off     Size Out     In      Symbol\n");
    for section in &written.sections {
        header(&mut out, None, section.offset, section.size);
        out.push_str(&section_name(section.id, section.name.as_deref()));
        out.push('\n');
        match section.id {
            SectionId::Code => code(
                &mut out,
                inputs,
                res,
                layout,
                &syms,
                written,
                section.offset,
            ),
            SectionId::Data => data(&mut out, inputs, layout, &syms, written, section.offset),
            SectionId::Global => globals(&mut out, inputs, layout),
            _ => {}
        }
    }
    out
}

/// `    Addr      Off     Size `: the address (or `-`), file offset and size, in hex.
fn header(out: &mut String, va: Option<u64>, offset: u64, size: u64) {
    let _ = match va {
        Some(va) => write!(out, "{va:8x} {offset:8x} {size:8x} "),
        None => write!(out, "       - {offset:8x} {size:8x} "),
    };
}

/// wasm-ld's section names: `CODE`, `DATA`, ..., `CUSTOM(name)`.
fn section_name(id: SectionId, custom: Option<&str>) -> String {
    match id {
        SectionId::Custom => format!("CUSTOM({})", custom.unwrap_or("")),
        SectionId::Type => "TYPE".into(),
        SectionId::Import => "IMPORT".into(),
        SectionId::Function => "FUNCTION".into(),
        SectionId::Table => "TABLE".into(),
        SectionId::Memory => "MEMORY".into(),
        SectionId::Global => "GLOBAL".into(),
        SectionId::Export => "EXPORT".into(),
        SectionId::Start => "START".into(),
        SectionId::Element => "ELEM".into(),
        SectionId::Code => "CODE".into(),
        SectionId::Data => "DATA".into(),
        SectionId::DataCount => "DATACOUNT".into(),
        SectionId::Tag => "TAG".into(),
    }
}

/// Per file: the live symbols it defines, grouped by function and by data segment, in its
/// symbol-table order (what lld's `getSectionSyms` gives), already shown as wasm-ld shows them.
struct FileSymbols {
    /// Per file, per defined function: its first symbol's name (the chunk's name).
    function_names: Vec<Vec<Option<String>>>,
    /// Per file, per defined function: the symbols naming it.
    functions: Vec<Vec<Vec<String>>>,
    /// Per file, per segment: (offset in the segment, size, name) of its data symbols.
    segments: Vec<Vec<Vec<(u64, u64, String)>>>,
}

impl FileSymbols {
    fn new(inputs: &Inputs<'_>, res: &Resolved<'_>, config: &Config) -> Self {
        let n = inputs.files.len();
        let mut s = FileSymbols {
            function_names: vec![Vec::new(); n],
            functions: vec![Vec::new(); n],
            segments: vec![Vec::new(); n],
        };
        for &f in &res.loaded {
            s.add_file(inputs, res, config, f);
        }
        s
    }

    fn add_file(&mut self, inputs: &Inputs<'_>, res: &Resolved<'_>, config: &Config, f: FileId) {
        let obj = inputs.obj(f);
        let fi = f.idx();
        self.function_names[fi] = vec![None; obj.functions.len()];
        self.functions[fi] = vec![Vec::new(); obj.functions.len()];
        self.segments[fi] = vec![Vec::new(); obj.segments.len()];
        for (i, s) in obj.symbols.iter().enumerate() {
            if s.flags.is_undefined() {
                continue;
            }
            let name = s.name.unwrap_or("");
            // Only the definition that won resolution is this file's symbol.
            let id = res.file_syms[fi].get(i).copied();
            let ours = id.is_some_and(|id| {
                res.table.get(id).def
                    == Def::Defined {
                        file: f,
                        index: i as u32,
                    }
            });
            match obj.definition(i as u32) {
                Some(Definition::Function(k)) => {
                    self.function_names[fi][k.idx()].get_or_insert_with(|| name.to_string());
                    if ours {
                        self.functions[fi][k.idx()].push(demangle(name, config));
                    }
                }
                Some(Definition::Data {
                    segment,
                    offset,
                    size,
                }) if ours && !s.flags.is_absolute() => {
                    if let Some(list) = self.segments[fi].get_mut(segment.idx()) {
                        list.push((offset, size, demangle(name, config)));
                    }
                }
                _ => {}
            }
        }
    }
}

/// Each function chunk (its body with the size prefix); wasm-ld counts its offset from the
/// section's id byte.
fn code(
    out: &mut String,
    inputs: &Inputs<'_>,
    res: &Resolved<'_>,
    layout: &Layout<'_>,
    syms: &FileSymbols,
    written: &Written,
    start: u64,
) {
    for (i, &(offset, size)) in written.functions.iter().enumerate() {
        let at = start + offset;
        header(out, None, at, size);
        match layout.functions.get(i) {
            Some(OutFunction::Input(f, k)) => {
                let (f, k) = (*f, k.idx());
                let name = syms.function_names[f.idx()][k].as_deref().unwrap_or("");
                let _ = writeln!(out, "        {}:({name})", inputs.name(f));
                for sym in &syms.functions[f.idx()][k] {
                    header(out, None, at, size);
                    let _ = writeln!(out, "                {sym}");
                }
            }
            Some(other) => {
                let _ = writeln!(out, "        <internal>:({})", synthetic_name(res, other));
            }
            None => {}
        }
    }
}

/// The name wasm-ld gives a function it made (not demangled).
fn synthetic_name(res: &Resolved<'_>, f: &OutFunction) -> String {
    match f {
        OutFunction::CallCtors => "__wasm_call_ctors".into(),
        OutFunction::InitTls => "__wasm_init_tls".into(),
        OutFunction::InitMemory => "__wasm_init_memory".into(),
        OutFunction::ApplyDataRelocs => "__wasm_apply_data_relocs".into(),
        OutFunction::ApplyGlobalRelocs => "__wasm_apply_global_relocs".into(),
        OutFunction::Start => "__wasm_start".into(),
        OutFunction::ApplyGlobalTlsRelocs => "__wasm_apply_global_tls_relocs".into(),
        OutFunction::ApplyTlsRelocs => "__wasm_apply_tls_relocs".into(),
        OutFunction::CommandExport { symbol, .. } => {
            format!("{}.command_export", res.table.get(*symbol).name)
        }
        OutFunction::UndefinedStub(_) => "undefined_stub".into(),
        // The map names a stub by the symbol it stands for (the name section adds
        // `undefined_weak:` or `signature_mismatch:`).
        OutFunction::Stub(id) => res.table.get(*id).name.to_string(),
        OutFunction::Input(..) => String::new(),
    }
}

/// Each output segment at its address and offset, with its chunks; offsets count from the
/// section's id byte, as wasm-ld counts them, and a segment not in the file is at offset 0 of
/// the section.
fn data(
    out: &mut String,
    inputs: &Inputs<'_>,
    layout: &Layout<'_>,
    syms: &FileSymbols,
    written: &Written,
    start: u64,
) {
    for (seg, place) in layout.segments.iter().zip(&written.segments) {
        let (seg_off, data_off) = match *place {
            Some((header_at, data_at)) => (start + header_at, Some(start + data_at)),
            None => (start, None),
        };
        header(out, Some(seg.va), seg_off, seg.size);
        let _ = writeln!(out, "{}", seg.name);
        chunks(out, inputs, syms, seg, data_off);
    }
}

/// A chunk of an output segment: (offset, input segment or merged strings, size).
type Piece = (u64, Option<(FileId, u32)>, u64);

/// The input chunks of one output segment, in address order, with their data symbols.
fn chunks(
    out: &mut String,
    inputs: &Inputs<'_>,
    syms: &FileSymbols,
    seg: &OutSegment,
    data_off: Option<u64>,
) {
    let mut pieces: Vec<Piece> = seg
        .merged
        .iter()
        .map(|(m, offset)| (*offset, None, m.data.len() as u64))
        .collect();
    for &(f, s, offset) in &seg.parts {
        let len = inputs.obj(f).segments[s as usize].data.len() as u64;
        pieces.push((offset, Some((f, s)), len));
    }
    pieces.sort_by_key(|p| p.0);
    for (offset, owner, len) in pieces {
        let at = data_off.map_or(0, |d| d + offset);
        header(out, Some(seg.va.wrapping_add(offset)), at, len);
        let Some((f, s)) = owner else {
            let _ = writeln!(out, "        <internal>:({})", seg.name);
            continue;
        };
        let input = &inputs.obj(f).segments[s as usize];
        let _ = writeln!(out, "        {}:({})", inputs.name(f), input.name);
        for (value, size, name) in &syms.segments[f.idx()][s as usize] {
            header(
                out,
                Some(seg.va.wrapping_add(offset + value)),
                at + value,
                *size,
            );
            let _ = writeln!(out, "                {name}");
        }
    }
}

/// Input and linker globals with their index (not GOT or data-address globals).
fn globals(out: &mut String, inputs: &Inputs<'_>, layout: &Layout<'_>) {
    for (i, g) in layout.globals.iter().enumerate() {
        let index = u64::from(layout.num_global_imports) + i as u64;
        let name = match g {
            OutGlobalDef::StackPointer => "__stack_pointer".to_string(),
            OutGlobalDef::TlsBase => "__tls_base".to_string(),
            OutGlobalDef::TlsSize => "__tls_size".to_string(),
            OutGlobalDef::TlsAlign => "__tls_align".to_string(),
            OutGlobalDef::Input(f, k) => global_symbol_name(inputs, *f, *k),
            OutGlobalDef::Got(_) | OutGlobalDef::DataAddress(_) => continue,
        };
        header(out, Some(index), 0, 0);
        let _ = writeln!(out, "        {name}");
    }
}

/// Whether a map is asked for (`--Map`, `-M`).
pub fn wanted(config: &Config) -> bool {
    config.map_file.is_some() || config.print_map
}

/// Writes the map of the module `written` to `config.map_file`, or returns it to be printed
/// (`-M`, or `--Map=-`).
pub fn write(
    inputs: &Inputs<'_>,
    res: &Resolved<'_>,
    layout: &Layout<'_>,
    config: &Config,
    written: &Written,
) -> Result<Option<String>, crate::diagnostic::Errors> {
    if !wanted(config) {
        return Ok(None);
    }
    let map = build(inputs, res, layout, config, written);
    match &config.map_file {
        Some(path) if path.as_os_str() != "-" => {
            use std::io::Write;
            let failed = |what: &str, e: std::io::Error| {
                let e = crate::trace::io_message(&e);
                format!("cannot {what} {}: {e}", path.display())
            };
            let mut file = std::fs::File::create(path)
                .map_err(|e| crate::diagnostic::output_error(failed("open", e)))?;
            file.write_all(map.as_bytes())
                .map_err(|e| crate::diagnostic::output_error(failed("write", e)))?;
            Ok(None)
        }
        _ => Ok(Some(map)),
    }
}
