//! Writing: sizes every section, fills code, data and custom sections in parallel (each atom
//! copied and relocated into its own disjoint slice), and writes the module to an
//! [`OutputFile`], which the caller commits once the reports are written too, so a failed
//! link never leaves a half-written output.

use crate::config::Config;
use crate::diagnostic::{output_error, Errors};
use crate::ids::{FileId, OutType};
use crate::inputs::Inputs;
use crate::layout::{Exported, ImportKind, Layout, OutFunction, OutGlobalDef};
use crate::mark::Liveness;
use crate::names;
use crate::output::{Output, Piece};
use crate::output_file::OutputFile;
use crate::relocate::{RelocContext, SectionPlace, SectionPlaces, Site};
use crate::resolve::Resolved;
use crate::synthetic;
use crate::trace::io_message;
use crate::written::Written;
use rayon::prelude::*;
use std::collections::HashMap;
use wasm_encoder::{
    ConstExpr, ElementSection, Elements, Encode, EntityType, ExportKind, ExportSection,
    FunctionSection, GlobalSection, ImportSection, MemorySection, MemoryType, RefType, Section,
    TableSection, TableType, TagKind, TagSection, TagType, TypeSection,
};
use wasm_format::types::ValType;
use wasm_format::SectionId;

/// Builds the module and writes it for `config.output` (or into memory, with `in_memory`);
/// nothing is at that path before [`OutputFile::commit`]. Gives where every section and atom
/// went.
pub fn write(
    inputs: &Inputs<'_>,
    res: &Resolved<'_>,
    live: &Liveness,
    layout: &Layout<'_>,
    config: &Config,
    in_memory: bool,
) -> Result<(OutputFile, Written), Errors> {
    let mut parts = Parts::default();
    let keep = |name: &str| !config.strip_all || config.keep_sections.iter().any(|s| s == name);
    // The name section needs only the layout: it is demangled and encoded beside the plan,
    // whose string merge leaves a thread idle at times.
    let ((bodies, code_offsets, customs), names) = rayon::join(
        || {
            let bodies = function_bodies(inputs, layout);
            let code_offsets = code_offsets_of(layout, inputs, &bodies);
            (bodies, code_offsets, plan_customs(inputs, res, config))
        },
        || keep("name").then(|| names::name_section(inputs, res, layout, config)),
    );
    parts.lap("plan");
    let mut section_offsets = SectionPlaces::default();
    for ((file, section), place) in customs.iter().flat_map(section_places) {
        section_offsets.insert(file, section, place);
    }
    let mut ctx = RelocContext {
        _merged: std::marker::PhantomData,
        inputs,
        res,
        layout,
        live,
        code_offsets,
        section_offsets,
    };
    let mut bodies = bodies;
    if config.dynamic() {
        // Its body comes from the data relocations; only debug sections read code offsets.
        for (k, f) in layout.functions.iter().enumerate() {
            match f {
                OutFunction::ApplyDataRelocs => {
                    bodies[k] = Some(crate::dylink::apply_data_relocs(&ctx, config))
                }
                OutFunction::ApplyTlsRelocs => {
                    bodies[k] = Some(crate::dylink::apply_tls_relocs(&ctx, config))
                }
                _ => {}
            }
        }
        ctx.code_offsets = code_offsets_of(layout, inputs, &bodies);
    }
    if config.compress_relocations {
        // Only code relocations change size; nothing that reads code offsets is written
        // (debug sections are stripped), but keep them right all the same.
        let compressed: Vec<Option<Vec<u8>>> = (0..layout.functions.len())
            .into_par_iter()
            .map(|k| match &layout.functions[k] {
                OutFunction::Input(f, i) => Some(crate::relocate::compressed_body(&ctx, *f, *i)),
                _ => None,
            })
            .collect();
        for (body, c) in bodies.iter_mut().zip(compressed) {
            if c.is_some() {
                *body = c;
            }
        }
        ctx.code_offsets = code_offsets_of(layout, inputs, &bodies);
    }
    let mut written = Written::default();
    let head =
        header_and_head(inputs, res, live, layout, config, &mut written).map_err(output_error)?;
    parts.lap("head");
    let mut module = Output::new(head);
    written.functions = written.record(&mut module, SectionId::Code, None, |m| {
        code_section(&ctx, bodies, m)
    });
    written.segments = written.record(&mut module, SectionId::Data, None, |m| {
        data_section(&ctx, m)
    });
    for c in &customs {
        written.record(&mut module, SectionId::Custom, Some(c.name), |m| {
            custom_section(&ctx, c, m)
        });
        if c.merged.is_none() {
            let section = written
                .sections
                .last_mut()
                .expect("a custom section was recorded");
            section.chunks = c
                .chunks
                .iter()
                .map(|&(f, _, k, _)| (f, chunk_len(&ctx, f, k)))
                .collect();
            section.chunk_customs = c.chunks.iter().map(|c| c.2).collect();
        }
    }
    if config.relocatable || config.emit_relocs {
        let sections = &ctx.section_offsets;
        linking_and_relocs(&ctx, sections, &customs, config, &mut module, &mut written);
    }
    parts.lap("sections");
    if let Some(names) = names {
        let len = names.iter().map(Vec::len).sum();
        written.record(&mut module, SectionId::Custom, Some("name"), |out| {
            out.bytes(custom_header("name", len));
            names.into_iter().for_each(|piece| out.bytes(piece));
        });
    }
    if let Some(p) = names::producers(inputs, res).filter(|_| keep("producers")) {
        encoded_custom(&mut module, &mut written, "producers", &p);
    }
    if keep("target_features") {
        let t = names::target_features(&layout.features);
        if !t.is_empty() {
            custom(&mut module, &mut written, "target_features", t);
        }
    }
    if let Some(body) = crate::build_id::section_body(&config.build_id) {
        custom(&mut module, &mut written, "build_id", body);
    }
    written.file_size = module.len() as u64;
    let file = match in_memory {
        true => OutputFile::in_memory(&config.output),
        false => open_output(&config.output).map_err(output_error)?,
    };
    let file = write_file(file, &config.output, &ctx, &module, &config.build_id);
    let file = file.map_err(output_error)?;
    parts.lap("fill");
    written.parts = parts.0;
    Ok((file, written))
}

/// The wall time of each part of writing, for `--time`.
struct Parts(Vec<(&'static str, std::time::Duration)>, std::time::Instant);

impl Default for Parts {
    fn default() -> Self {
        Parts(Vec::new(), std::time::Instant::now())
    }
}

impl Parts {
    /// Records that part `name` ended now.
    fn lap(&mut self, name: &'static str) {
        let now = std::time::Instant::now();
        self.0.push((name, now - self.1));
        self.1 = now;
    }
}

/// The `linking` section, then the `reloc.*` sections of the code, data and custom sections
/// (relocatable output).
fn linking_and_relocs<'p>(
    ctx: &RelocContext<'_, '_>,
    section_offsets: &SectionPlaces<'_>,
    customs: &[CustomPlan<'_>],
    config: &Config,
    module: &mut Output<'p>,
    written: &mut Written,
) {
    let chunks: Vec<crate::relocatable::CustomChunks<'_>> = customs
        .iter()
        .map(|c| crate::relocatable::CustomChunks {
            name: c.name,
            chunks: &c.chunks,
        })
        .collect();
    let symtab = crate::relocatable::symtab(ctx.res, ctx.live, customs.len());
    let out = crate::relocatable::RelocatableOutput {
        inputs: ctx.inputs,
        res: ctx.res,
        layout: ctx.layout,
        symtab: &symtab,
        customs: &chunks,
        written,
        section_offsets,
        config,
    };
    let linking = out.linking();
    let relocs = out.reloc_sections();
    custom(module, written, "linking", linking);
    for (name, contents) in relocs {
        custom(module, written, &name, contents);
    }
}

/// The module header and every section before the code section, through wasm-encoder.
fn header_and_head<'a>(
    inputs: &Inputs<'a>,
    res: &Resolved<'a>,
    live: &Liveness,
    l: &Layout<'a>,
    config: &Config,
    written: &mut Written,
) -> Result<Vec<u8>, String> {
    let mut out = b"\0asm\x01\0\0\0".to_vec();
    if config.dynamic() || !l.needed.is_empty() {
        let data = crate::dylink::section(res, live, l, config);
        let dylink = wasm_encoder::CustomSection {
            name: "dylink.0".into(),
            data: data.into(),
        };
        push(&mut out, written, &dylink, true);
    }
    let mut types = TypeSection::new();
    for t in &l.types {
        types.ty().function(
            t.params.iter().map(val_type),
            t.results.iter().map(val_type),
        );
    }
    push(&mut out, written, &types, !l.types.is_empty());
    let mut imports = ImportSection::new();
    for i in &l.imports {
        let ty = match &i.kind {
            ImportKind::Func { index, .. } => EntityType::Function(index.0),
            ImportKind::Global(g) => EntityType::Global(wasm_encoder::GlobalType {
                val_type: val_type(&g.val),
                mutable: g.mutable,
                shared: false,
            }),
            ImportKind::Table(t) => EntityType::Table(table_type(t)),
            ImportKind::Memory => EntityType::Memory(memory_type(l, config)),
            ImportKind::Tag { index, .. } => EntityType::Tag(exception_tag(*index)),
        };
        imports.import(&i.module, &i.field, ty);
    }
    push(&mut out, written, &imports, !l.imports.is_empty());
    let mut functions = FunctionSection::new();
    for &t in &l.function_types {
        functions.function(t.0);
    }
    push(&mut out, written, &functions, !l.function_types.is_empty());
    let mut tables = TableSection::new();
    for k in 0..l.tables.len() {
        tables.table(table_type(&l.defined_table_type(
            inputs,
            k,
            config.growable_table,
        )));
    }
    push(&mut out, written, &tables, !l.tables.is_empty());
    if config.import_memory.is_none() {
        let mut memories = MemorySection::new();
        memories.memory(memory_type(l, config));
        push(&mut out, written, &memories, true);
    }
    let mut tags = TagSection::new();
    for &t in &l.tag_types {
        tags.tag(exception_tag(t));
    }
    push(&mut out, written, &tags, !l.tag_types.is_empty());
    push_globals(&mut out, written, inputs, res, l, config);
    let mut exports = ExportSection::new();
    for e in &l.exports {
        let (kind, index) = match e.item {
            Exported::Func(f) => (ExportKind::Func, f.0),
            Exported::Table(t) => (ExportKind::Table, t.0),
            Exported::Memory => (ExportKind::Memory, 0),
            Exported::Tag(t) => (ExportKind::Tag, t.0),
            Exported::Global(g) => (ExportKind::Global, g.0),
        };
        exports.export(&e.name, kind, index);
    }
    push(&mut out, written, &exports, !l.exports.is_empty());
    if let Some(start) = l.start.or(l.init_memory).or(l.apply_global_relocs) {
        push(
            &mut out,
            written,
            &wasm_encoder::StartSection {
                function_index: start.0,
            },
            true,
        );
    }
    if !l.elems.is_empty() {
        let mut elems = ElementSection::new();
        let offset = match l.table_base_global {
            Some(base) => ConstExpr::global_get(base.0),
            None => l.address.const_expr(u64::from(l.table_base)),
        };
        // Flags 2 and the table number when the indirect table is not table 0.
        let table = l.indirect_table.map(|t| t.0).filter(|&t| t != 0);
        elems.active(
            table,
            &offset,
            Elements::Functions(l.elems.iter().map(|f| f.0).collect::<Vec<_>>().into()),
        );
        push(&mut out, written, &elems, true);
    }
    // Passive segments need the count for `memory.init`; wasm-ld writes it with shared memory.
    let in_binary = l.segments.iter().filter(|s| s.in_binary).count();
    if config.shared_memory && in_binary > 0 {
        let count = wasm_encoder::DataCountSection {
            count: in_binary as u32,
        };
        push(&mut out, written, &count, true);
    }
    Ok(out)
}

fn push_globals<'a>(
    out: &mut Vec<u8>,
    written: &mut Written,
    inputs: &Inputs<'a>,
    res: &Resolved<'a>,
    l: &Layout<'a>,
    config: &Config,
) {
    let shared = config.shared_memory;
    // Input globals and data addresses need their own encodings; build them in order. The
    // linker's own globals all hold addresses or sizes: address-sized.
    let mut globals = GlobalSection::new();
    let addr = l.address;
    let address_global =
        |mutable: bool, value: u64| (gtype(addr.val_type(), mutable), addr.const_expr(value));
    for g in &l.globals {
        let (ty, init) = match g {
            OutGlobalDef::StackPointer => address_global(true, l.synth.stack_pointer),
            OutGlobalDef::TlsBase if shared => address_global(true, 0),
            OutGlobalDef::TlsBase => address_global(false, l.synth.tls_base),
            OutGlobalDef::TlsSize => address_global(false, l.synth.tls_size),
            OutGlobalDef::TlsAlign => address_global(false, l.synth.tls_align),
            OutGlobalDef::Got(id) => {
                // With shared memory, `__wasm_apply_global_tls_relocs` sets thread-local ones.
                // With PIC, `__wasm_apply_global_relocs` sets the others (stubs stay 0).
                let sym = res.table.get(*id);
                let tls = sym.flags.is_tls();
                let mutable = (shared && tls) || (config.pic && !tls && !sym.is_stub());
                address_global(mutable, l.got_value(inputs, res, *id))
            }
            OutGlobalDef::DataAddress(va) => address_global(false, *va),
            OutGlobalDef::Input(f, i) => {
                let g = &inputs.obj(*f).globals[i.idx()];
                let init = g.init.bytes;
                let raw = init.strip_suffix(&[0x0b]).unwrap_or(init);
                (
                    gtype(g.ty.val, g.ty.mutable),
                    ConstExpr::raw(raw.iter().copied()),
                )
            }
        };
        globals.global(ty, &init);
    }
    push(out, written, &globals, !l.globals.is_empty());
}

/// An exception tag whose parameters are those of output type `index`.
fn exception_tag(ty: OutType) -> TagType {
    TagType {
        kind: TagKind::Exception,
        func_type_idx: ty.0,
    }
}

fn gtype(v: ValType, mutable: bool) -> wasm_encoder::GlobalType {
    wasm_encoder::GlobalType {
        val_type: val_type(&v),
        mutable,
        shared: false,
    }
}

/// A table type as wasm-encoder spells it.
fn table_type(t: &wasm_format::types::TableType) -> TableType {
    TableType {
        element_type: ref_type(&t.elem),
        table64: t.limits.memory64,
        minimum: t.limits.min,
        maximum: t.limits.max,
        shared: t.limits.shared,
    }
}

fn memory_type(l: &Layout<'_>, config: &Config) -> MemoryType {
    MemoryType {
        minimum: l.memory_pages,
        maximum: l.memory_max,
        memory64: l.address.is64(),
        shared: config.shared_memory,
        page_size_log2: None,
    }
}

fn val_type(v: &ValType) -> wasm_encoder::ValType {
    wasm_object::writer::val_type(*v)
}

fn ref_type(r: &wasm_format::types::RefType) -> RefType {
    wasm_object::writer::ref_type(*r)
}

/// Appends section `s` (if `needed`) to the head of the module, which starts the file.
fn push(out: &mut Vec<u8>, written: &mut Written, s: &impl Section, needed: bool) {
    if needed {
        let start = out.len() as u64;
        s.append_to(out);
        let id = SectionId::from_u8(s.id()).unwrap_or(SectionId::Custom);
        written.section(id, None, start, out.len() as u64);
    }
}

/// The id and minimal size LEB of a section whose contents are `len` bytes.
pub(crate) fn section_header(id: u8, len: usize) -> Vec<u8> {
    let mut out = vec![id];
    (len as u64).encode(&mut out);
    out
}

/// The header of a custom section (id, size, name) whose contents are `len` bytes.
fn custom_header(name: &str, len: usize) -> Vec<u8> {
    let mut head = Vec::new();
    (name.len() as u64).encode(&mut head);
    head.extend_from_slice(name.as_bytes());
    let mut out = section_header(0, head.len() + len);
    out.extend_from_slice(&head);
    out
}

/// Appends a custom section wasm-encoder built, header and all.
fn encoded_custom(out: &mut Output<'_>, written: &mut Written, name: &str, section: &impl Section) {
    written.record(out, SectionId::Custom, Some(name), |out| {
        let mut bytes = Vec::new();
        section.append_to(&mut bytes);
        out.bytes(bytes);
    });
}

/// Appends a custom section the linker made.
fn custom(out: &mut Output<'_>, written: &mut Written, name: &str, contents: Vec<u8>) {
    written.record(out, SectionId::Custom, Some(name), |out| {
        out.bytes(custom_header(name, contents.len()));
        out.bytes(contents);
    });
}

/// Synthetic bodies; input bodies are copied later, so they are `None` here.
fn function_bodies(inputs: &Inputs<'_>, l: &Layout<'_>) -> Vec<Option<Vec<u8>>> {
    l.functions
        .iter()
        .map(|f| match f {
            OutFunction::Input(..) => None,
            other => Some(synthetic::body(other, l, inputs)),
        })
        .collect()
}

fn body_len(
    l: &Layout<'_>,
    inputs: &Inputs<'_>,
    k: usize,
    bodies: &[Option<Vec<u8>>],
) -> (usize, usize) {
    match (&l.functions[k], &bodies[k]) {
        (OutFunction::Input(f, i), None) => {
            let func = &inputs.obj(*f).functions[i.idx()];
            (func.body.len(), usize::from(func.prefix).max(1))
        }
        (_, Some(b)) => (
            b.len(),
            b.iter().position(|b| b & 0x80 == 0).map_or(1, |p| p + 1),
        ),
        _ => (0, 0),
    }
}

/// The code section; gives each function's (offset in the section's contents, size).
fn code_section<'p>(
    ctx: &RelocContext<'_, '_>,
    bodies: Vec<Option<Vec<u8>>>,
    out: &mut Output<'p>,
) -> Vec<(u64, u64)> {
    let l = ctx.layout;
    // Like every section but the data section, no code section without functions.
    if l.functions.is_empty() {
        return Vec::new();
    }
    let mut head = Vec::new();
    (l.functions.len() as u64).encode(&mut head);
    let sizes: Vec<usize> = (0..l.functions.len())
        .map(|k| body_len(l, ctx.inputs, k, &bodies).0)
        .collect();
    let head_len = head.len();
    let total = head_len + sizes.iter().sum::<usize>();
    out.bytes(section_header(10, total));
    out.bytes(head);
    let mut spans = Vec::with_capacity(sizes.len());
    let mut at = head_len as u64;
    for ((f, body), size) in l.functions.iter().zip(bodies).zip(sizes) {
        spans.push((at, size as u64));
        at += size as u64;
        match (f, body) {
            (OutFunction::Input(file, index), None) => out.push(
                size,
                Piece::Function {
                    file: *file,
                    index: *index,
                },
            ),
            (_, body) => out.bytes(body.unwrap_or_default()),
        }
    }
    spans
}

/// Offsets of function code for `FUNCTION_OFFSET` relocations, computed like the code section.
fn code_offsets_of(l: &Layout<'_>, inputs: &Inputs<'_>, bodies: &[Option<Vec<u8>>]) -> Vec<u64> {
    let mut head = Vec::new();
    (l.functions.len() as u64).encode(&mut head);
    let mut at = head.len() as u64;
    let mut out = Vec::with_capacity(l.functions.len());
    for k in 0..l.functions.len() {
        let (len, prefix) = body_len(l, inputs, k, bodies);
        out.push(at + prefix as u64);
        at += len as u64;
    }
    out
}

/// The data section; gives each output segment's (header, bytes) offsets in the section's
/// contents, for those it holds.
fn data_section<'p>(
    ctx: &'p RelocContext<'_, '_>,
    out: &mut Output<'p>,
) -> Vec<Option<(u64, u64)>> {
    let l = ctx.layout;
    let mut places = vec![None; l.segments.len()];
    let segs: Vec<usize> = (0..l.segments.len())
        .filter(|&i| l.segments[i].in_binary)
        .collect();
    if segs.is_empty() {
        return places;
    }
    let mut body = Output::default();
    let mut head = Vec::new();
    (segs.len() as u64).encode(&mut head);
    for &i in &segs {
        let header_at = body.len() + head.len();
        if l.segments[i].passive {
            head.push(1);
        } else {
            head.push(0);
            match l.memory_base {
                // PIC: one segment, at `__memory_base`.
                Some(base) => ConstExpr::global_get(base.0).encode(&mut head),
                None => l.address.const_expr(l.segments[i].va).encode(&mut head),
            }
        }
        l.segments[i].size.encode(&mut head);
        body.bytes(std::mem::take(&mut head));
        places[i] = Some((header_at as u64, body.len() as u64));
        segment_pieces(ctx, i, &mut body);
    }
    out.bytes(section_header(11, body.len()));
    out.append(body);
    places
}

/// The pieces of output segment `i`: merged strings, input segments and the zeros between.
fn segment_pieces<'p>(ctx: &'p RelocContext<'_, '_>, i: usize, out: &mut Output<'p>) {
    let seg = &ctx.layout.segments[i];
    let mut parts: Vec<(u64, usize, Piece<'p>)> = seg
        .merged
        .iter()
        .map(|(m, offset)| (*offset, m.data.len(), Piece::Borrowed(&m.data[..])))
        .collect();
    for &(file, index, offset) in &seg.parts {
        let len = ctx.inputs.obj(file).segments[index as usize].data.len();
        let va = seg.va.wrapping_add(offset);
        parts.push((offset, len, Piece::Segment { file, index, va }));
    }
    parts.sort_by_key(|p| p.0);
    let mut at = 0;
    let fits = parts.iter().all(|&(offset, len, _)| {
        let ok = offset >= at;
        at = offset + len as u64;
        ok
    }) && at <= seg.size;
    if !fits {
        // Overlapping pieces: build the segment in one buffer, in the layout's order.
        return out.bytes(segment_bytes(ctx, i));
    }
    let mut at = 0;
    for (offset, len, piece) in parts {
        out.push((offset - at) as usize, Piece::Zeros);
        out.push(len, piece);
        at = offset + len as u64;
    }
    out.push((seg.size - at) as usize, Piece::Zeros);
}

fn segment_bytes(ctx: &RelocContext<'_, '_>, i: usize) -> Vec<u8> {
    let seg = &ctx.layout.segments[i];
    let mut buf = vec![0u8; seg.size as usize];
    for (merged, offset) in &seg.merged {
        buf[*offset as usize..*offset as usize + merged.data.len()].copy_from_slice(&merged.data);
    }
    for &(f, s, offset) in &seg.parts {
        let obj = ctx.inputs.obj(f);
        let input = &obj.segments[s as usize];
        let dst = &mut buf[offset as usize..offset as usize + input.data.len()];
        let base = (input.data.offset - obj.data_offset) as u64;
        let site = Site {
            file: f,
            tombstone: 0,
            va: seg.va.wrapping_add(offset),
        };
        ctx.apply(
            site,
            dst,
            input.data.bytes,
            obj.data_relocs_of(input).iter().copied(),
            base,
        );
    }
    buf
}

/// One output custom section: its name and chunks (file, section index, custom index, offset),
/// or, for `.debug_str` at `-O1` and up, the chunks' merged strings.
pub struct CustomPlan<'a> {
    name: &'a str,
    chunks: Vec<(FileId, u32, usize, u64)>,
    merged: Option<crate::merge::MergedStrings>,
}

fn section_places<'p>(c: &'p CustomPlan<'_>) -> Vec<((FileId, u32), SectionPlace<'p>)> {
    c.chunks
        .iter()
        .enumerate()
        .map(|(k, &(f, s, _, off))| match &c.merged {
            Some(m) => ((f, s), SectionPlace::Merged(m, k)),
            None => ((f, s), SectionPlace::Plain(off)),
        })
        .collect()
}

fn plan_customs<'a>(
    inputs: &Inputs<'a>,
    res: &Resolved<'a>,
    config: &Config,
) -> Vec<CustomPlan<'a>> {
    let mut plans: Vec<CustomPlan<'a>> = Vec::new();
    let mut by_name: HashMap<&str, usize> = HashMap::new();
    for &f in &res.loaded {
        let obj = inputs.obj(f);
        for (k, c) in obj.customs.iter().enumerate() {
            let debug = c.name.starts_with(".debug_");
            // wasm-ld 19 drops only the bitcode `-fembed-bitcode` puts there (an empty section
            // or another `.llvm*` one is copied).
            let dropped = matches!(c.name, ".llvmbc" | ".llvmcmd")
                || res.discarded[f.idx()].sections.contains(&c.section_index);
            let stripped = debug
                && (config.strip_debug || config.strip_all)
                && !config.keep_sections.iter().any(|s| s == c.name);
            if dropped || stripped {
                continue;
            }
            let p = *by_name.entry(c.name).or_insert_with(|| {
                plans.push(CustomPlan {
                    name: c.name,
                    chunks: Vec::new(),
                    merged: None,
                });
                plans.len() - 1
            });
            let plan = &mut plans[p];
            let offset = plan.chunks.last().map_or(0, |&(lf, _, lk, lo)| {
                lo + inputs.obj(lf).customs[lk].contents.len() as u64
            });
            plan.chunks.push((f, c.section_index, k, offset));
        }
    }
    for plan in &mut plans {
        if config.opt_level > 0 && is_merged_custom(plan.name) {
            let slices: Vec<&[u8]> = plan
                .chunks
                .iter()
                .map(|&(f, _, k, _)| inputs.obj(f).customs[k].contents.bytes)
                .collect();
            plan.merged = Some(crate::merge::MergedStrings::from_slices(&slices));
            // The merged copy is all that is written: the inputs are not read again.
            for &(f, _, k, _) in &plan.chunks {
                let w = inputs.obj(f).customs[k].contents;
                inputs.files[f.idx()].source.release(w.offset, w.len());
            }
        }
    }
    plans
}

/// Custom sections wasm-ld string-merges at `-O1` and up.
fn is_merged_custom(name: &str) -> bool {
    matches!(name, ".debug_str" | ".debug_str.dwo" | ".debug_line_str")
}

fn custom_section<'p>(ctx: &RelocContext<'_, '_>, plan: &'p CustomPlan<'_>, out: &mut Output<'p>) {
    if let Some(m) = &plan.merged {
        out.bytes(custom_header(plan.name, m.data.len()));
        return out.push(m.data.len(), Piece::Borrowed(&m.data));
    }
    let tombstone = tombstone_for(plan.name);
    let len = |f: FileId, k: usize| chunk_len(ctx, f, k) as usize;
    let total = plan.chunks.iter().map(|&(f, _, k, _)| len(f, k)).sum();
    out.bytes(custom_header(plan.name, total));
    for &(file, _, index, _) in &plan.chunks {
        let piece = Piece::Custom {
            file,
            index,
            tombstone,
        };
        out.push(len(file, index), piece);
    }
}

/// The size of custom section `k` of `file`, copied whole.
fn chunk_len(ctx: &RelocContext<'_, '_>, file: FileId, k: usize) -> u64 {
    ctx.inputs.obj(file).customs[k].contents.len() as u64
}

/// What relocations against dead code write in a custom section (lld's
/// `getTombstoneForSection`): -2 in `.debug_ranges` and `.debug_loc` (where -1 already means
/// something), -1 in other debug sections and in `llvm.func_attr.*` (where 0 is a valid
/// function index), and elsewhere 0, which means the relocation's addend.
pub(crate) fn tombstone_for(name: &str) -> u64 {
    if name == ".debug_ranges" || name == ".debug_loc" {
        u64::MAX - 1
    } else if name.starts_with(".debug_") || name.starts_with("llvm.func_attr.") {
        u64::MAX
    } else {
        0
    }
}

/// Opens the output, in wasm-ld's words when it cannot (`Writer::openFile`).
fn open_output(path: &std::path::Path) -> Result<OutputFile, String> {
    OutputFile::create(path)
        .map_err(|e| format!("failed to open {}: {}", path.display(), io_message(&e)))
}

/// Writes the module and its build id; wasm-ld's words for failures
/// (`FileOutputBuffer::commit`).
fn write_file(
    mut out: OutputFile,
    path: &std::path::Path,
    ctx: &RelocContext<'_, '_>,
    module: &Output<'_>,
    build_id: &crate::config::BuildId,
) -> Result<OutputFile, String> {
    let failed = |e: std::io::Error| {
        format!(
            "failed to write output '{}': {}",
            path.display(),
            io_message(&e)
        )
    };
    module.write_to(ctx, &mut out).map_err(failed)?;
    crate::build_id::finish(&mut out, build_id).map_err(failed)?;
    Ok(out)
}
