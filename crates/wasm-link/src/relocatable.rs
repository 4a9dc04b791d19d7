//! Relocatable output (`-r`): what keeps the output linkable again.
//!
//! - The output symbol table (lld's `populateSymtab`): every live global symbol in symbol-table
//!   order, then each object's live locals in load order, then one local symbol per output
//!   custom section (what section symbols of the inputs become).
//! - The `linking` section: that table, the output segments, the init functions sorted by
//!   priority, and the COMDATs (lld's `LinkingSection`).
//! - The `reloc.*` sections: every input relocation of the code, data and custom sections, at its
//!   output offset, naming the output symbol (or type), with section offsets moved along (lld's
//!   `InputChunk::writeRelocations`).

use crate::ids::{FileId, SymbolId};
use crate::inputs::Inputs;
use crate::layout::{Layout, OutFunction, Placement};
use crate::mark::Liveness;
use crate::relocate::SectionPlace;
use crate::resolve::Resolved;
use crate::symbols::{Def, Kind, Synthetic};
use crate::written::Written;
use std::collections::{BTreeMap, HashMap, HashSet};
use wasm_encoder::Encode;
use wasm_format::linking::{ComdatKind, SymbolFlags, SymbolKind as RawKind};
use wasm_format::reloc::{Reloc, RelocType};
use wasm_format::SectionId;
use wasm_object::ids::Definition;

/// The output symbol table.
pub struct Symtab {
    /// The entries, in output order.
    entries: Vec<Entry>,
    /// Per symbol: its output index, if it is in the table.
    index: Vec<Option<u32>>,
    /// The index of the first section symbol (they come last, one per output custom section).
    first_section: u32,
}

/// One entry of the output symbol table.
#[derive(Clone, Copy)]
enum Entry {
    /// A symbol of the link.
    Symbol(SymbolId),
    /// The section symbol of output custom section `n` (counting custom sections only).
    Section(usize),
}

/// One output custom section as the relocatable writer sees it: its name and, per input
/// section copied into it, the file, the section's index in that file, its custom-section
/// index and its offset in the output section.
pub struct CustomChunks<'c> {
    /// The section name.
    pub name: &'c str,
    /// (file, input section index, input custom index, offset in the output section).
    pub chunks: &'c [(FileId, u32, usize, u64)],
}

/// Builds the output symbol table of a relocatable output with `customs` custom sections.
pub fn symtab(res: &Resolved<'_>, live: &Liveness, customs: usize) -> Symtab {
    let mut entries = Vec::new();
    let mut index = vec![None; res.table.symbols.len()];
    let mut add = |id: SymbolId| {
        index[id.idx()] = Some(entries.len() as u32);
        entries.push(Entry::Symbol(id));
    };
    for (i, sym) in res.table.symbols.iter().enumerate() {
        let id = SymbolId(i as u32);
        if sym.global && sym.used_in_regular && live.symbol(id) {
            add(id);
        }
    }
    // Then each object's locals. A weak-undefined function that became a stub is a local in
    // lld, listed again for each object that references it; references use its last entry.
    for &f in &res.loaded {
        for &id in &res.file_syms[f.idx()] {
            let sym = res.table.get(id);
            let stub = sym.def == Def::Synthetic(Synthetic::WeakStub);
            if (stub || !sym.global) && sym.kind != Kind::Section && live.symbol(id) {
                add(id);
            }
        }
    }
    let first_section = entries.len() as u32;
    entries.extend((0..customs).map(Entry::Section));
    Symtab {
        entries,
        index,
        first_section,
    }
}

impl Symtab {
    /// The output index of the section symbol of output custom section `n`.
    fn section_symbol(&self, n: usize) -> u32 {
        self.first_section + n as u32
    }
}

/// Everything the `linking` and `reloc.*` sections are made from.
pub struct RelocatableOutput<'r, 'a> {
    /// The inputs.
    pub inputs: &'r Inputs<'a>,
    /// The resolution.
    pub res: &'r Resolved<'a>,
    /// The layout.
    pub layout: &'r Layout<'a>,
    /// The output symbol table.
    pub symtab: &'r Symtab,
    /// The output custom sections, in output order.
    pub customs: &'r [CustomChunks<'r>],
    /// Where the writer put the sections and atoms so far.
    pub written: &'r Written,
    /// Where each input custom section went in its output section.
    pub section_offsets: &'r crate::relocate::SectionPlaces<'r>,
    /// The options.
    pub config: &'r crate::config::Config,
}

/// `WASM_SYMBOL_TABLE`, `WASM_SEGMENT_INFO`, `WASM_INIT_FUNCS`, `WASM_COMDAT_INFO`.
const SYMBOL_TABLE: u8 = 8;
const SEGMENT_INFO: u8 = 5;
const INIT_FUNCS: u8 = 6;
const COMDAT_INFO: u8 = 7;

impl RelocatableOutput<'_, '_> {
    /// The contents of the `linking` section (version 2).
    pub fn linking(&self) -> Vec<u8> {
        let mut out = Vec::new();
        2u32.encode(&mut out);
        if !self.symtab.entries.is_empty() {
            subsection(&mut out, SYMBOL_TABLE, &self.symbol_table());
        }
        if !self.layout.segments.is_empty() {
            subsection(&mut out, SEGMENT_INFO, &self.segment_info());
        }
        let inits = self.init_funcs();
        if !inits.is_empty() {
            subsection(&mut out, INIT_FUNCS, &inits);
        }
        let comdats = self.comdats();
        if !comdats.is_empty() {
            subsection(&mut out, COMDAT_INFO, &comdat_info(&comdats));
        }
        out
    }

    fn symbol_table(&self) -> Vec<u8> {
        let wrapped: HashSet<SymbolId> = self.layout.wrappers.iter().map(|&(id, _)| id).collect();
        let mut b = Vec::new();
        (self.symtab.entries.len() as u32).encode(&mut b);
        for &e in &self.symtab.entries {
            match e {
                Entry::Symbol(id) => self.symbol(&mut b, id, &wrapped),
                Entry::Section(n) => {
                    b.push(3);
                    SymbolFlags::BINDING_LOCAL.encode(&mut b);
                    self.section_index(SectionId::Custom, Some(self.customs[n].name))
                        .encode(&mut b);
                }
            }
        }
        b
    }

    /// One symbol: kind, flags, then its index and name, or a data symbol's place.
    fn symbol(&self, b: &mut Vec<u8>, id: SymbolId, wrapped: &HashSet<SymbolId>) {
        let l = self.layout;
        let sym = self.res.table.get(id);
        // A trapping stub is a local of its own name (lld's `replaceWithUnreachable`); a weak
        // one is hidden too.
        let stub = match sym.def {
            Def::Synthetic(Synthetic::SignatureStub) => Some(("signature_mismatch", 0)),
            Def::Synthetic(Synthetic::WeakStub) => {
                Some(("undefined_weak", SymbolFlags::VISIBILITY_HIDDEN))
            }
            _ => None,
        };
        if let Some((prefix, hidden)) = stub {
            b.push(0);
            (SymbolFlags::BINDING_LOCAL | hidden).encode(b);
            l.sym_func.at(id.idx()).map_or(0, |f| f.0).encode(b);
            format!("{prefix}:{}", self.shown(sym.name)).encode(b);
            return;
        }
        let flags = self.flags(id, wrapped);
        let named = !flags.is_undefined() || flags.has_explicit_name();
        let index = match sym.kind {
            Kind::Function => (0, l.sym_func.at(id.idx()).map(|f| f.0)),
            Kind::Global => (2, l.sym_global.at(id.idx()).map(|g| g.0)),
            Kind::Tag => (4, l.sym_tag.at(id.idx()).map(|t| t.0)),
            Kind::Table => (5, l.sym_table.get(&id).map(|t| t.0)),
            Kind::Data | Kind::Section => {
                b.push(1);
                flags.0.encode(b);
                sym.name.encode(b);
                if !flags.is_undefined() {
                    let (segment, offset, size) = self.data_place(id);
                    segment.encode(b);
                    offset.encode(b);
                    size.encode(b);
                }
                return;
            }
        };
        b.push(index.0);
        flags.0.encode(b);
        index.1.unwrap_or(0).encode(b);
        if named {
            sym.name.encode(b);
        }
    }

    /// A name as wasm-ld shows it in stub names: demangled unless `--no-demangle`.
    fn shown(&self, name: &str) -> String {
        crate::names::demangle(name, self.config)
    }

    /// A symbol's flags as wasm-ld keeps them: a function a command-export wrapper took over is
    /// hidden and no longer exported (lld's `createCommandExportWrappers`); the linker's own
    /// indirect function table is hidden and nothing else.
    fn flags(&self, id: SymbolId, wrapped: &HashSet<SymbolId>) -> SymbolFlags {
        let sym = self.res.table.get(id);
        if sym.def == Def::Synthetic(Synthetic::IndirectTable) {
            let hidden = if self.config.export_table {
                0
            } else {
                SymbolFlags::VISIBILITY_HIDDEN
            };
            return SymbolFlags(hidden);
        }
        if wrapped.contains(&id) {
            let flags = sym.flags.0 | SymbolFlags::VISIBILITY_HIDDEN;
            return SymbolFlags(flags & !SymbolFlags::EXPORTED);
        }
        sym.flags
    }

    /// A defined data symbol's output segment, offset in it and size; one in no segment
    /// (absolute) is segment 0 at its address (lld's `LinkingSection::writeBody`).
    fn data_place(&self, id: SymbolId) -> (u32, u64, u64) {
        let address = self
            .layout
            .data_address(self.inputs, self.res, id, 0)
            .unwrap_or(0);
        let Def::Defined { file, index } = self.res.table.get(id).def else {
            return (0, address, 0);
        };
        let obj = self.inputs.obj(file);
        let Some(Definition::Data { segment, size, .. }) = obj.definition(index) else {
            return (0, address, 0);
        };
        let absolute = obj.symbols[index as usize].flags.is_absolute();
        match self.layout.placements[file.idx()].get(segment.idx()) {
            Some(Placement::Plain { seg, .. } | Placement::Merged { seg, .. }) if !absolute => {
                let out = &self.layout.segments[*seg as usize];
                // With shared memory a thread-local address is already `.tdata`-relative.
                let base = if self.layout.tls_relative && out.is_tls() {
                    0
                } else {
                    out.va
                };
                (*seg, address.wrapping_sub(base), size)
            }
            _ => (0, address, size),
        }
    }

    fn segment_info(&self) -> Vec<u8> {
        let mut b = Vec::new();
        (self.layout.segments.len() as u32).encode(&mut b);
        for s in &self.layout.segments {
            s.name.encode(&mut b);
            s.p2align.encode(&mut b);
            // wasm-ld 19 writes no flags, not even TLS (its reader infers TLS from `.tdata`).
            0u32.encode(&mut b);
        }
        b
    }

    /// The init functions of the loaded objects, as (priority, output symbol), sorted by
    /// priority (stably: load order within one).
    fn init_funcs(&self) -> Vec<u8> {
        let mut inits: Vec<(u32, u32)> = Vec::new();
        for &f in &self.res.loaded {
            for init in &self.inputs.obj(f).init_funcs {
                let Some(&id) = self.res.file_syms[f.idx()].get(init.symbol as usize) else {
                    continue;
                };
                if let Some(out) = self.symtab.index[id.idx()] {
                    inits.push((init.priority, out));
                }
            }
        }
        if inits.is_empty() {
            return Vec::new();
        }
        inits.sort_by_key(|&(priority, _)| priority);
        let mut b = Vec::new();
        (inits.len() as u32).encode(&mut b);
        for (priority, symbol) in inits {
            priority.encode(&mut b);
            symbol.encode(&mut b);
        }
        b
    }

    /// Per COMDAT name (sorted): its output functions, then its output data segments.
    fn comdats(&self) -> BTreeMap<&str, Vec<(u8, u32)>> {
        let mut of: HashMap<(FileId, ComdatKind, u32), &str> = HashMap::new();
        for &f in &self.res.loaded {
            let obj = self.inputs.obj(f);
            for c in &obj.comdats {
                for m in obj.comdat_members_of(c) {
                    of.insert((f, m.kind, m.index), c.name);
                }
            }
        }
        let mut comdats: BTreeMap<&str, Vec<(u8, u32)>> = BTreeMap::new();
        if of.is_empty() {
            return comdats;
        }
        let l = self.layout;
        for (k, func) in l.functions.iter().enumerate() {
            if let OutFunction::Input(f, i) = func {
                let index = self.inputs.obj(*f).func_imports.len() as u32 + i.0;
                if let Some(name) = of.get(&(*f, ComdatKind::Function, index)) {
                    comdats
                        .entry(name)
                        .or_default()
                        .push((1, l.num_func_imports + k as u32));
                }
            }
        }
        for (k, s) in l.segments.iter().enumerate() {
            if let Some(&(f, i, _)) = s.parts.first() {
                if let Some(name) = of.get(&(f, ComdatKind::Data, i)) {
                    comdats.entry(name).or_default().push((0, k as u32));
                }
            }
        }
        comdats
    }

    /// The `reloc.*` sections, as (name, contents), in the order of the sections they patch.
    pub fn reloc_sections(&self) -> Vec<(String, Vec<u8>)> {
        let places = self.section_places();
        let mut out = Vec::new();
        let code = self.code_relocs(&places);
        if !code.is_empty() {
            out.push(self.reloc_section("reloc.CODE".into(), SectionId::Code, None, code));
        }
        let data = self.data_relocs(&places);
        if !data.is_empty() {
            out.push(self.reloc_section("reloc.DATA".into(), SectionId::Data, None, data));
        }
        for c in self.customs {
            let relocs = self.custom_relocs(c, &places);
            if !relocs.is_empty() {
                let name = format!("reloc.{}", c.name);
                out.push(self.reloc_section(name, SectionId::Custom, Some(c.name), relocs));
            }
        }
        out
    }

    fn reloc_section(
        &self,
        name: String,
        id: SectionId,
        custom: Option<&str>,
        relocs: Vec<Reloc>,
    ) -> (String, Vec<u8>) {
        let mut b = Vec::new();
        self.section_index(id, custom).encode(&mut b);
        (relocs.len() as u32).encode(&mut b);
        for r in relocs {
            u32::from(r.ty as u8).encode(&mut b);
            r.offset.encode(&mut b);
            r.index.encode(&mut b);
            if r.ty.has_addend() {
                { r.addend }.encode(&mut b);
            }
        }
        (name, b)
    }

    /// The index of a section in the output (every section counts, custom ones too).
    fn section_index(&self, id: SectionId, name: Option<&str>) -> u32 {
        let found = self
            .written
            .sections
            .iter()
            .position(|s| s.id == id && s.name.as_deref() == name);
        found.unwrap_or(self.written.sections.len()) as u32
    }

    fn code_relocs(&self, places: &SectionPlaces) -> Vec<Reloc> {
        let mut out = Vec::new();
        for (k, func) in self.layout.functions.iter().enumerate() {
            let OutFunction::Input(f, i) = *func else {
                continue;
            };
            let obj = self.inputs.obj(f);
            let input = &obj.functions[i.idx()];
            let from = (input.body.offset - obj.code_offset) as u64;
            let to = self.written.functions[k].0;
            for r in obj.code_relocs_of(input) {
                out.push(self.moved(places, f, r, to.wrapping_sub(from)));
            }
        }
        out
    }

    fn data_relocs(&self, places: &SectionPlaces) -> Vec<Reloc> {
        let mut out = Vec::new();
        for (k, seg) in self.layout.segments.iter().enumerate() {
            let Some(Some((_, bytes))) = self.written.segments.get(k) else {
                continue;
            };
            for &(f, i, offset) in &seg.parts {
                let obj = self.inputs.obj(f);
                let input = &obj.segments[i as usize];
                let from = (input.data.offset - obj.data_offset) as u64;
                for r in obj.data_relocs_of(input) {
                    out.push(self.moved(places, f, r, (bytes + offset).wrapping_sub(from)));
                }
            }
        }
        out
    }

    fn custom_relocs(&self, c: &CustomChunks<'_>, places: &SectionPlaces) -> Vec<Reloc> {
        let mut out = Vec::new();
        for &(f, _, k, offset) in c.chunks {
            for r in self.inputs.obj(f).customs[k].relocs.iter() {
                out.push(self.moved(places, f, &r, offset));
            }
        }
        out
    }

    /// An input relocation of `file`, `shift` bytes further on, naming the output's symbol or
    /// type; a section offset also moves by where its section went (lld's `calcNewIndex` and
    /// `calcNewAddend`).
    fn moved(&self, places: &SectionPlaces, file: FileId, r: &Reloc, shift: u64) -> Reloc {
        let mut out = *r;
        out.offset = r.offset.wrapping_add(shift as u32);
        if r.ty == RelocType::TypeIndexLeb {
            let ty = self.layout.file_types[file.idx()].get(r.index as usize);
            out.index = ty.copied().flatten().map_or(0, |t| t.0);
            return out;
        }
        let Some(&id) = self.res.file_syms[file.idx()].get(r.index as usize) else {
            return out;
        };
        if let Def::Defined { file: f, index } = self.res.table.get(id).def {
            if let RawKind::Section { section } = self.inputs.obj(f).symbols[index as usize].kind {
                if let Some(&n) = places.get(&(f, section)) {
                    out.index = self.symtab.section_symbol(n);
                    if r.ty == RelocType::SectionOffsetI32 {
                        out.addend = self.section_offset(f, section, r.addend) as i64;
                    }
                    return out;
                }
            }
        }
        // A symbol GC removed has no output index: wasm-ld 19 writes -1 (debug sections).
        out.index = self.symtab.index[id.idx()].unwrap_or(u32::MAX);
        out
    }

    /// Per input custom section (file, section index): its output custom section.
    fn section_places(&self) -> SectionPlaces {
        let mut places = HashMap::new();
        for (n, c) in self.customs.iter().enumerate() {
            for &(f, section, _, _) in c.chunks {
                places.insert((f, section), n);
            }
        }
        places
    }

    /// Where `addend` of input section `section` of `file` went in its output section (through
    /// the merged strings of `.debug_str`; lld's `getOffset`).
    fn section_offset(&self, file: FileId, section: u32, addend: i64) -> u64 {
        match self.section_offsets.get(file, section) {
            Some(SectionPlace::Plain(offset)) => offset.wrapping_add(addend as u64),
            Some(SectionPlace::Merged(merged, k)) => merged.map(*k, addend as u64),
            None => addend as u64,
        }
    }
}

/// Per input custom section (file, section index): its output custom section.
type SectionPlaces = HashMap<(FileId, u32), usize>;

/// Appends a subsection: its id, its size, its contents.
fn subsection(out: &mut Vec<u8>, id: u8, contents: &[u8]) {
    out.push(id);
    (contents.len() as u32).encode(out);
    out.extend_from_slice(contents);
}

fn comdat_info(comdats: &BTreeMap<&str, Vec<(u8, u32)>>) -> Vec<u8> {
    let mut b = Vec::new();
    (comdats.len() as u32).encode(&mut b);
    for (name, members) in comdats {
        name.encode(&mut b);
        0u32.encode(&mut b);
        (members.len() as u32).encode(&mut b);
        for &(kind, index) in members {
            b.push(kind);
            index.encode(&mut b);
        }
    }
    b
}
