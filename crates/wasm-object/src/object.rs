//! One relocatable object file as the linker sees it: its index spaces (imports first, then
//! definitions), its symbol table, and its atoms — one per function body, data segment and
//! custom section — each a borrowed window with the slice of relocations that patch it.
//!
//! Parsing here is one pass over the sections of `wasm-format`; nothing is copied.

use crate::ids::{
    Atom, DefinedFunc, DefinedGlobal, DefinedTable, DefinedTag, Definition, SegmentIndex,
};
use std::ops::Range;
use wasm_format::features::{Feature, Producers};
use wasm_format::linking::{Comdat, InitFunc, Linking, SegmentFlags, SymbolInfo};
use wasm_format::reloc::{LazyRelocs, Reloc};
use wasm_format::sections::{self, DataMode, ImportKind};
use wasm_format::types::{FuncType, GlobalType, TableType, TagType};
use wasm_format::{Error, ErrorKind, Module, SectionId, Window};

/// An import of the object: the module and field it names, and its type.
#[derive(Clone, Debug)]
pub struct ObjImport<'a, T> {
    /// Import module name.
    pub module: &'a str,
    /// Import field name.
    pub field: &'a str,
    /// Its type (a type index for functions).
    pub ty: T,
}

/// A defined function: its type and its body, which is one atom.
#[derive(Clone, Debug)]
pub struct Function<'a> {
    /// Index into the object's type section.
    pub type_index: u32,
    /// The body *including* its size prefix, exactly as it is copied to the output.
    pub body: Window<'a>,
    /// The code-section relocations that fall inside the body.
    pub relocs: Range<usize>,
}

/// A data segment, one atom.
#[derive(Clone, Debug)]
pub struct Segment<'a> {
    /// The segment name from the linking section (`.rodata.foo`, `.bss.x`).
    pub name: &'a str,
    /// Alignment as a power of two.
    pub p2align: u32,
    /// STRINGS, TLS, RETAIN.
    pub flags: SegmentFlags,
    /// Whether the segment is passive in the input.
    pub passive: bool,
    /// The segment's bytes.
    pub data: Window<'a>,
    /// The data-section relocations that fall inside the segment.
    pub relocs: Range<usize>,
}

/// A defined global.
#[derive(Clone, Debug)]
pub struct Global<'a> {
    /// Type and mutability.
    pub ty: GlobalType,
    /// The initialiser, verbatim.
    pub init: Window<'a>,
}

/// A custom section kept for the output (debug info and user sections), one atom.
#[derive(Clone, Debug)]
pub struct CustomSection<'a> {
    /// The section name.
    pub name: &'a str,
    /// Position of the section in the file (what `SECTION` symbols name).
    pub section_index: u32,
    /// The contents after the name.
    pub contents: Window<'a>,
    /// This section's relocations, decoded when iterated (validated while parsing).
    pub relocs: LazyRelocs<'a>,
    /// The relocations that name an index (type, function, global, table, tag) rather than an
    /// address or an offset, sorted by offset: the few a layout must see before writing.
    pub index_relocs: Vec<Reloc>,
}

/// A relocatable object file.
#[derive(Debug)]
pub struct Object<'a> {
    /// The types.
    pub types: Vec<FuncType>,
    /// Imported functions (type index), in import order.
    pub func_imports: Vec<ObjImport<'a, u32>>,
    /// Imported globals.
    pub global_imports: Vec<ObjImport<'a, GlobalType>>,
    /// Imported tables.
    pub table_imports: Vec<ObjImport<'a, TableType>>,
    /// Imported tags.
    pub tag_imports: Vec<ObjImport<'a, TagType>>,
    /// Whether the object imports a memory (`env.__linear_memory`), and its limits.
    pub memory_import: Option<ObjImport<'a, wasm_format::types::MemoryType>>,
    /// Built for wasm64: it imports or defines a 64-bit memory (LLVM's `WasmObjectFile`
    /// decides an object's architecture this way).
    pub memory64: bool,
    /// Defined functions.
    pub functions: Vec<Function<'a>>,
    /// Defined globals.
    pub globals: Vec<Global<'a>>,
    /// Defined tables.
    pub tables: Vec<TableType>,
    /// Defined tags.
    pub tags: Vec<TagType>,
    /// Data segments.
    pub segments: Vec<Segment<'a>>,
    /// Custom sections other than the linking metadata.
    pub customs: Vec<CustomSection<'a>>,
    /// The symbol table.
    pub symbols: Vec<SymbolInfo<'a>>,
    /// Constructors.
    pub init_funcs: Vec<InitFunc>,
    /// COMDAT groups.
    pub comdats: Vec<Comdat<'a>>,
    /// Relocations of the code section, sorted by offset.
    pub code_relocs: Vec<Reloc>,
    /// Relocations of the data section, sorted by offset.
    pub data_relocs: Vec<Reloc>,
    /// Absolute offset of the code section contents (relocation offsets are relative to it).
    pub code_offset: usize,
    /// Absolute offset of the data section contents.
    pub data_offset: usize,
    /// `target_features`.
    pub features: Vec<Feature<'a>>,
    /// `producers`.
    pub producers: Option<Producers<'a>>,
    /// Function exports of the object (`export_name`): (function index, export name).
    pub export_names: Vec<(u32, &'a str)>,
    /// Function names from the object's `name` section: (function index, name).
    pub debug_names: Vec<(u32, &'a str)>,
    /// The `reloc.*` sections, already decoded (code, data) or validated (custom sections).
    pub reloc_sections: Vec<Window<'a>>,
}

/// Sections found on the first pass, parsed afterwards.
#[derive(Default)]
struct Found<'a> {
    code: Option<(u32, Window<'a>)>,
    data: Option<(u32, Window<'a>)>,
    linking: Option<Window<'a>>,
    relocs: Vec<Window<'a>>,
}

impl<'a> Object<'a> {
    /// Parses a relocatable object whose bytes start at absolute `offset` of their file.
    pub fn parse(bytes: &'a [u8], offset: usize) -> Result<Object<'a>, Error> {
        let module = Module::parse(bytes, offset)?;
        let mut obj = Object::empty();
        let mut found = Found::default();
        for section in &module.sections {
            obj.read_section(section, &mut found)?;
        }
        let Some(linking) = found.linking else {
            return Err(Error::new(
                offset,
                ErrorKind::Message("not a relocatable object: no `linking` section"),
            ));
        };
        let linking: Linking<'a> = wasm_format::linking::parse_linking(linking)?;
        obj.symbols = linking.symbols;
        obj.init_funcs = linking.init_funcs;
        obj.comdats = linking.comdats;
        if let Some((_, w)) = found.code {
            obj.read_code(w)?;
        }
        if let Some((_, w)) = found.data {
            obj.read_data(w, &linking.segments)?;
        }
        obj.read_relocs(&found)?;
        obj.reloc_sections = found.relocs;
        crate::validate::check(&obj, offset)?;
        Ok(obj)
    }

    /// An object with nothing in it: what an archive member that is not loaded as wasm (LLVM
    /// bitcode) stands on.
    pub fn empty() -> Self {
        Object {
            types: Vec::new(),
            func_imports: Vec::new(),
            global_imports: Vec::new(),
            table_imports: Vec::new(),
            tag_imports: Vec::new(),
            memory_import: None,
            memory64: false,
            functions: Vec::new(),
            globals: Vec::new(),
            tables: Vec::new(),
            tags: Vec::new(),
            segments: Vec::new(),
            customs: Vec::new(),
            symbols: Vec::new(),
            init_funcs: Vec::new(),
            comdats: Vec::new(),
            code_relocs: Vec::new(),
            data_relocs: Vec::new(),
            code_offset: 0,
            data_offset: 0,
            features: Vec::new(),
            producers: None,
            export_names: Vec::new(),
            debug_names: Vec::new(),
            reloc_sections: Vec::new(),
        }
    }

    fn read_section(
        &mut self,
        s: &wasm_format::Section<'a>,
        found: &mut Found<'a>,
    ) -> Result<(), Error> {
        let w = s.contents;
        match s.id {
            SectionId::Type => self.types = sections::parse_type_section(w)?,
            SectionId::Import => self.read_imports(w)?,
            SectionId::Function => {
                let types = sections::parse_function_section(w)?;
                self.functions = types
                    .into_iter()
                    .map(|type_index| Function {
                        type_index,
                        body: Window::new(&[], 0),
                        relocs: 0..0,
                    })
                    .collect();
            }
            SectionId::Table => {
                self.tables = sections::parse_table_section(w)?
                    .into_iter()
                    .map(|t| t.ty)
                    .collect()
            }
            SectionId::Memory => {
                let memories = sections::parse_memory_section(w)?;
                self.memory64 |= memories.iter().any(|m| m.0.memory64);
            }
            SectionId::Global => {
                self.globals = sections::parse_global_section(w)?
                    .into_iter()
                    .map(|g| Global {
                        ty: g.ty,
                        init: g.init.window,
                    })
                    .collect()
            }
            SectionId::Tag => self.tags = sections::parse_tag_section(w)?,
            SectionId::Export => {
                for e in sections::parse_export_section(w)? {
                    if e.kind == sections::ExternalKind::Func {
                        self.export_names.push((e.index, e.name));
                    }
                }
            }
            SectionId::Code => found.code = Some((s.index, w)),
            SectionId::Data => found.data = Some((s.index, w)),
            SectionId::Custom => self.read_custom(s, found)?,
            _ => {}
        }
        Ok(())
    }

    fn read_imports(&mut self, w: Window<'a>) -> Result<(), Error> {
        for import in sections::parse_import_section(w)? {
            let (module, field) = (import.module, import.field);
            match import.kind {
                ImportKind::Func(ty) => self.func_imports.push(ObjImport { module, field, ty }),
                ImportKind::Global(ty) => self.global_imports.push(ObjImport { module, field, ty }),
                ImportKind::Table(ty) => self.table_imports.push(ObjImport { module, field, ty }),
                ImportKind::Tag(ty) => self.tag_imports.push(ObjImport { module, field, ty }),
                ImportKind::Memory(ty) => {
                    self.memory64 |= ty.0.memory64;
                    self.memory_import = Some(ObjImport { module, field, ty })
                }
            }
        }
        Ok(())
    }

    fn read_custom(
        &mut self,
        s: &wasm_format::Section<'a>,
        found: &mut Found<'a>,
    ) -> Result<(), Error> {
        let name = s.custom_name.unwrap_or("");
        match name {
            "linking" => found.linking = Some(s.contents),
            "target_features" => {
                self.features = wasm_format::features::parse_target_features(s.contents)?
            }
            "producers" => {
                self.producers = Some(wasm_format::features::parse_producers(s.contents)?)
            }
            "name" => {
                // A malformed name section only costs names, as in wasm-ld.
                if let Ok(names) = wasm_format::names::parse_name_section(s.contents) {
                    self.debug_names = names.functions.iter().map(|n| (n.index, n.name)).collect();
                }
            }
            n if n.starts_with("reloc.") => found.relocs.push(s.contents),
            _ => self.customs.push(CustomSection {
                name,
                section_index: s.index,
                contents: s.contents,
                relocs: LazyRelocs::default(),
                index_relocs: Vec::new(),
            }),
        }
        Ok(())
    }

    fn read_code(&mut self, w: Window<'a>) -> Result<(), Error> {
        self.code_offset = w.offset;
        let bodies = sections::parse_code_section(w)?;
        if bodies.len() != self.functions.len() {
            return Err(Error::new(
                w.offset,
                ErrorKind::Message("code section count differs from the function section's"),
            ));
        }
        for (f, body) in self.functions.iter_mut().zip(bodies) {
            f.body = with_size_prefix(w, body.window);
        }
        Ok(())
    }

    fn read_data(
        &mut self,
        w: Window<'a>,
        infos: &[wasm_format::linking::SegmentInfo<'a>],
    ) -> Result<(), Error> {
        self.data_offset = w.offset;
        let segments = sections::parse_data_section(w)?;
        if segments.len() != infos.len() && !infos.is_empty() {
            return Err(Error::new(
                w.offset,
                ErrorKind::Message("segment info count differs from the data section's"),
            ));
        }
        self.segments.reserve_exact(segments.len());
        for (i, seg) in segments.into_iter().enumerate() {
            let info = infos.get(i);
            self.segments.push(Segment {
                name: info.map_or("", |s| s.name),
                p2align: info.map_or(0, |s| s.p2align),
                flags: info.map_or(SegmentFlags(0), |s| s.flags),
                passive: matches!(seg.mode, DataMode::Passive),
                data: seg.data,
                relocs: 0..0,
            });
        }
        Ok(())
    }

    fn read_relocs(&mut self, found: &Found<'a>) -> Result<(), Error> {
        for w in &found.relocs {
            let lazy = wasm_format::reloc::read_reloc_section(*w)?;
            let target = lazy.target_section;
            if found.code.is_some_and(|(i, _)| i == target) {
                self.code_relocs = sorted_relocs(*w)?;
            } else if found.data.is_some_and(|(i, _)| i == target) {
                self.data_relocs = sorted_relocs(*w)?;
            } else if let Some(at) = self.customs.iter().position(|c| c.section_index == target) {
                let mut index_relocs = Vec::new();
                let len = self.customs[at].contents.len();
                let mut bad = None;
                lazy.check(|r| {
                    if bad.is_none() {
                        bad = crate::validate::check_reloc(self, &r, len).err();
                    }
                    if r.ty.names_an_index() {
                        index_relocs.push(r);
                    }
                })?;
                if let Some((expected, found)) = bad {
                    return Err(Error::new(w.offset, ErrorKind::Invalid { expected, found }));
                }
                let c = &mut self.customs[at];
                if !index_relocs.is_sorted_by_key(|r| r.offset) {
                    index_relocs.sort_by_key(|r| r.offset);
                }
                c.relocs = lazy;
                c.index_relocs = index_relocs;
            } else {
                return Err(Error::new(
                    w.offset,
                    ErrorKind::Invalid {
                        expected: "a relocation target section",
                        found: u64::from(target),
                    },
                ));
            }
        }
        self.assign_code_relocs()?;
        self.assign_data_relocs()
    }

    fn assign_code_relocs(&mut self) -> Result<(), Error> {
        let base = self.code_offset;
        let relocs = &self.code_relocs;
        let mut next = 0;
        for f in &mut self.functions {
            let start = f.body.offset - base;
            let end = start + f.body.len();
            f.relocs = take_range(relocs, &mut next, start, end);
        }
        check_all_taken(
            relocs,
            next,
            base,
            "a relocation outside every function body",
        )
    }

    fn assign_data_relocs(&mut self) -> Result<(), Error> {
        let base = self.data_offset;
        let relocs = &self.data_relocs;
        let mut next = 0;
        for s in &mut self.segments {
            let start = s.data.offset - base;
            let end = start + s.data.len();
            s.relocs = take_range(relocs, &mut next, start, end);
        }
        check_all_taken(
            relocs,
            next,
            base,
            "a relocation outside every data segment",
        )
    }

    /// The module and field of the import an undefined function, global, table or tag symbol
    /// stands for; `None` for definitions and other kinds.
    pub fn symbol_import(&self, s: &SymbolInfo<'a>) -> Option<(&'a str, &'a str)> {
        use wasm_format::linking::SymbolKind as K;
        fn pair<'a, T>(list: &[ObjImport<'a, T>], index: u32) -> Option<(&'a str, &'a str)> {
            list.get(index as usize).map(|i| (i.module, i.field))
        }
        match s.kind {
            K::Function { index } => pair(&self.func_imports, index),
            K::Global { index } => pair(&self.global_imports, index),
            K::Table { index } => pair(&self.table_imports, index),
            K::Tag { index } => pair(&self.tag_imports, index),
            _ => None,
        }
    }

    /// Number of functions in the index space (imports and definitions).
    pub fn function_count(&self) -> usize {
        self.func_imports.len() + self.functions.len()
    }

    /// The defined function at `index` of the function index space (`None` for an import).
    pub fn defined_function(&self, index: u32) -> Option<DefinedFunc> {
        defined(index, self.func_imports.len(), self.functions.len()).map(DefinedFunc)
    }

    /// The defined global at `index` of the global index space (`None` for an import).
    pub fn defined_global(&self, index: u32) -> Option<DefinedGlobal> {
        defined(index, self.global_imports.len(), self.globals.len()).map(DefinedGlobal)
    }

    /// The defined tag at `index` of the tag index space (`None` for an import).
    pub fn defined_tag(&self, index: u32) -> Option<DefinedTag> {
        defined(index, self.tag_imports.len(), self.tags.len()).map(DefinedTag)
    }

    /// The defined table at `index` of the table index space (`None` for an import).
    pub fn defined_table(&self, index: u32) -> Option<DefinedTable> {
        defined(index, self.table_imports.len(), self.tables.len()).map(DefinedTable)
    }

    /// The type index of function `index` (imported or defined).
    pub fn function_type(&self, index: u32) -> Option<u32> {
        match self.defined_function(index) {
            Some(f) => Some(self.functions[f.idx()].type_index),
            None => self.func_imports.get(index as usize).map(|i| i.ty),
        }
    }

    /// The type of global `index` (imported or defined).
    pub fn global_type(&self, index: u32) -> Option<GlobalType> {
        match self.defined_global(index) {
            Some(g) => Some(self.globals[g.idx()].ty),
            None => self.global_imports.get(index as usize).map(|i| i.ty),
        }
    }

    /// The type of table `index` (imported or defined).
    pub fn table_type(&self, index: u32) -> Option<TableType> {
        match self.defined_table(index) {
            Some(t) => Some(self.tables[t.idx()]),
            None => self.table_imports.get(index as usize).map(|i| i.ty),
        }
    }

    /// The signature's type index of tag `index` (imported or defined).
    pub fn tag_type(&self, index: u32) -> Option<u32> {
        match self.defined_tag(index) {
            Some(t) => Some(self.tags[t.idx()].type_index),
            None => self
                .tag_imports
                .get(index as usize)
                .map(|i| i.ty.type_index),
        }
    }

    /// What symbol `sym` of this object's symbol table stands for here: `None` for an import,
    /// undefined data, or an index out of range.
    pub fn definition(&self, sym: u32) -> Option<Definition> {
        use wasm_format::linking::SymbolKind as K;
        Some(match self.symbols.get(sym as usize)?.kind {
            K::Function { index } => Definition::Function(self.defined_function(index)?),
            K::Data { def } => {
                let def = def?;
                Definition::Data {
                    segment: SegmentIndex(def.segment),
                    offset: def.offset,
                    size: def.size,
                }
            }
            K::Global { index } => Definition::Global(self.defined_global(index)?),
            K::Tag { index } => Definition::Tag(self.defined_tag(index)?),
            K::Table { index } => Definition::Table(self.defined_table(index)?),
            K::Section { section } => Definition::Section(section),
        })
    }

    /// The relocations that patch function `f`'s body.
    pub fn function_relocs(&self, f: DefinedFunc) -> &[Reloc] {
        self.functions
            .get(f.idx())
            .map_or(&[], |func| &self.code_relocs[func.relocs.clone()])
    }

    /// The relocations that patch segment `s`.
    pub fn segment_relocs(&self, s: SegmentIndex) -> &[Reloc] {
        self.segments
            .get(s.idx())
            .map_or(&[], |seg| &self.data_relocs[seg.relocs.clone()])
    }

    /// The relocations that patch `atom`.
    pub fn atom_relocs(&self, atom: Atom) -> &[Reloc] {
        match atom {
            Atom::Function(f) => self.function_relocs(f),
            Atom::Segment(s) => self.segment_relocs(s),
        }
    }

    /// The name a symbol-table entry goes by: its own; for an import without one, the import's
    /// field; for a section symbol, the section's name.
    pub fn symbol_name(&self, s: &SymbolInfo<'a>) -> &'a str {
        if let Some(name) = s.name {
            return name;
        }
        if let Some((_, field)) = self.symbol_import(s) {
            return field;
        }
        match s.kind {
            wasm_format::linking::SymbolKind::Section { section } => self
                .customs
                .iter()
                .find(|c| c.section_index == section)
                .map_or("", |c| c.name),
            _ => "",
        }
    }
}

/// `index` of an index space whose first `imports` entries are imports, as a definition.
fn defined(index: u32, imports: usize, definitions: usize) -> Option<u32> {
    let i = (index as usize).checked_sub(imports)?;
    (i < definitions).then_some(i as u32)
}

/// The relocations of a code or data section, decoded and sorted by offset.
fn sorted_relocs(w: Window<'_>) -> Result<Vec<Reloc>, Error> {
    let mut relocs = wasm_format::reloc::parse_reloc_section(w)?.relocs;
    if !relocs.is_sorted_by_key(|r| r.offset) {
        relocs.sort_by_key(|r| r.offset);
    }
    Ok(relocs)
}

/// Widens the window of a body to include its size prefix, which sits just before it.
fn with_size_prefix<'a>(code: Window<'a>, body: Window<'a>) -> Window<'a> {
    let end = body.end() - code.offset;
    let mut start = body.offset - code.offset;
    // The prefix is a LEB128 of at most 5 bytes: walk back over continuation bytes.
    start -= 1;
    while start > 0 && body.offset - code.offset - start < 5 && code.bytes[start - 1] & 0x80 != 0 {
        start -= 1;
    }
    code.sub(start, end - start).unwrap_or(body)
}

/// The relocations from `*next` on whose offsets fall in `start..end`; skips those before.
/// A linear walk, not a search: bodies and relocations are both in offset order, so each
/// relocation is looked at once.
fn take_range(relocs: &[Reloc], next: &mut usize, start: usize, end: usize) -> Range<usize> {
    let below = |limit: usize| move |r: &Reloc| (r.offset as usize) < limit;
    let first = *next
        + relocs[*next..]
            .iter()
            .take_while(|r| below(start)(r))
            .count();
    let last = first + relocs[first..].iter().take_while(|r| below(end)(r)).count();
    *next = last;
    first..last
}

fn check_all_taken(
    relocs: &[Reloc],
    next: usize,
    base: usize,
    what: &'static str,
) -> Result<(), Error> {
    match relocs.get(next) {
        Some(r) => Err(Error::new(
            base + r.offset as usize,
            ErrorKind::Message(what),
        )),
        None => Ok(()),
    }
}
