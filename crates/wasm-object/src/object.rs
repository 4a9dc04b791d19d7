//! One relocatable object file as the linker sees it: its index spaces (imports first, then
//! definitions), its symbol table, and its atoms — one per function body, data segment and
//! custom section — each a borrowed window with the slice of relocations that patch it.
//!
//! Parsing here is one pass over the sections of `wasm-format`; nothing is copied.

use crate::ids::{
    Atom, DefinedFunc, DefinedGlobal, DefinedTable, DefinedTag, Definition, SegmentIndex,
};
use crate::validate::check_type_indices;
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
    /// The count of the DataCount section, if there is one.
    data_count: Option<u32>,
    /// The relocation sections of the code and data sections, for errors to point into.
    code_relocs: Option<LazyRelocs<'a>>,
    data_relocs: Option<LazyRelocs<'a>>,
}

impl<'a> Object<'a> {
    /// Parses a relocatable object whose bytes start at absolute `offset` of their file.
    pub fn parse(bytes: &'a [u8], offset: usize) -> Result<Object<'a>, Error> {
        let module = Module::parse(bytes, offset)?;
        let mut obj = Object::empty();
        let mut found = Found::default();
        let mut order = crate::validate::SectionOrder::default();
        for section in &module.sections {
            order.check(section)?;
            obj.read_section(section, &mut found)?;
        }
        let Some(linking_at) = found.linking else {
            let detail = ErrorKind::Message("it has no `linking` section");
            let message = "not a relocatable wasm file".into();
            return Err(Error::llvm(offset, message, Some(detail)));
        };
        let linking: Linking<'a> = wasm_format::linking::parse_linking(linking_at)?;
        obj.symbols = linking.symbols;
        obj.init_funcs = linking.init_funcs;
        obj.comdats = linking.comdats;
        if let Some((_, w)) = found.code {
            obj.read_code(w)?;
        }
        if let Some((_, w)) = found.data {
            obj.read_data(w, &linking.segments, found.data_count)?;
        }
        obj.read_relocs(&mut found)?;
        let at = crate::validate::At {
            linking: linking_at,
            code_relocs: found.code_relocs.as_ref(),
            data_relocs: found.data_relocs.as_ref(),
        };
        crate::validate::check(&obj, &at)?;
        obj.reloc_sections = found.relocs;
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
                let indices = types.iter().map(|&t| Some((false, t)));
                check_type_indices(s.id, w, self.types.len(), indices)?;
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
                    .collect();
                let shared = self.tables.iter().map(|t| t.limits.shared);
                crate::validate::check_unshared(s.id, w, shared)?;
            }
            SectionId::Memory => {
                let memories = sections::parse_memory_section(w)?;
                self.memory64 |= memories.iter().any(|m| m.0.memory64);
            }
            SectionId::Global => {
                let globals = sections::parse_global_section(w)?;
                let total = self.global_imports.len() + globals.len();
                self.globals = Vec::with_capacity(globals.len());
                for g in globals {
                    crate::validate::check_global_init(&g, total)?;
                    self.globals.push(Global {
                        ty: g.ty,
                        init: g.init.window,
                    });
                }
            }
            SectionId::Tag => {
                self.tags = sections::parse_tag_section(w)?;
                let indices = self.tags.iter().map(|t| Some((true, t.type_index)));
                check_type_indices(s.id, w, self.types.len(), indices)?;
            }
            SectionId::Export => {
                for e in sections::parse_export_section(w)? {
                    if e.kind == sections::ExternalKind::Func {
                        self.export_names.push((e.index, e.name));
                    }
                }
            }
            // Read only to refuse a malformed one, as LLVM does: the linker makes its own.
            SectionId::Element => drop(sections::parse_element_section(w)?),
            SectionId::DataCount => found.data_count = Some(sections::parse_data_count_section(w)?),
            SectionId::Code => found.code = Some((s.index, w)),
            SectionId::Data => found.data = Some((s.index, w)),
            SectionId::Custom => self.read_custom(s, found)?,
            _ => {}
        }
        Ok(())
    }

    fn read_imports(&mut self, w: Window<'a>) -> Result<(), Error> {
        let imports = sections::parse_import_section(w)?;
        let indices = imports.iter().map(|i| match i.kind {
            ImportKind::Func(t) => Some((false, t)),
            ImportKind::Tag(t) => Some((true, t.type_index)),
            _ => None,
        });
        check_type_indices(SectionId::Import, w, self.types.len(), indices)?;
        let shared = imports
            .iter()
            .map(|i| matches!(i.kind, ImportKind::Table(t) if t.limits.shared));
        crate::validate::check_unshared(SectionId::Import, w, shared)?;
        for import in imports {
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
                self.features = wasm_format::features::parse_target_features(s.contents)?;
                crate::validate::check_features(&self.features, s.contents)?;
            }
            "producers" => {
                let producers = wasm_format::features::parse_producers(s.contents)?;
                crate::validate::check_producers(&producers, s.contents)?;
                self.producers = Some(producers);
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
            let detail = ErrorKind::Invalid {
                expected: "a body for each function of the function section",
                found: bodies.len() as u64,
            };
            return Err(Error::llvm(
                w.offset,
                "invalid function count".into(),
                Some(detail),
            ));
        }
        for (f, body) in self.functions.iter_mut().zip(bodies) {
            let b = body.window;
            check_body_end(b)?;
            // The local declarations, which LLVM reads too (and aborts on when they run past
            // the body): counts inside the body, valid value types.
            body.code_window()?;
            f.body = with_size_prefix(w, b);
        }
        Ok(())
    }

    fn read_data(
        &mut self,
        w: Window<'a>,
        infos: &[wasm_format::linking::SegmentInfo<'a>],
        data_count: Option<u32>,
    ) -> Result<(), Error> {
        self.data_offset = w.offset;
        let segments = sections::parse_data_section(w)?;
        if data_count.is_some_and(|n| n as usize != segments.len()) {
            let message = "number of data segments does not match DataCount section";
            return Err(Error::llvm(w.offset, message.into(), None));
        }
        // Fewer names than segments leave the others unnamed, as in LLVM.
        if infos.len() > segments.len() {
            let detail = ErrorKind::Invalid {
                expected: "at most one segment info per data segment",
                found: infos.len() as u64,
            };
            return Err(Error::llvm(
                w.offset,
                "too many segment names".into(),
                Some(detail),
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

    fn read_relocs(&mut self, found: &mut Found<'a>) -> Result<(), Error> {
        for w in &found.relocs {
            let lazy = wasm_format::reloc::read_reloc_section(*w)?;
            let target = lazy.target_section;
            let (slot, relocs) = if found.code.is_some_and(|(i, _)| i == target) {
                (&mut found.code_relocs, &mut self.code_relocs)
            } else if found.data.is_some_and(|(i, _)| i == target) {
                (&mut found.data_relocs, &mut self.data_relocs)
            } else if let Some(at) = self.customs.iter().position(|c| c.section_index == target) {
                self.read_custom_relocs(at, lazy)?;
                continue;
            } else {
                return Err(Error::new(
                    w.offset,
                    ErrorKind::Invalid {
                        expected: "a relocation target section",
                        found: u64::from(target),
                    },
                ));
            };
            if slot.is_some() {
                return Err(second_reloc_section(w, target));
            }
            *relocs = ordered_relocs(*w, &lazy)?;
            *slot = Some(lazy);
        }
        self.assign_code_relocs(found.code_relocs.as_ref())?;
        self.assign_data_relocs(found.data_relocs.as_ref())
    }

    /// Checks the relocations of custom section `at` once, keeping those that name an index.
    fn read_custom_relocs(&mut self, at: usize, lazy: LazyRelocs<'a>) -> Result<(), Error> {
        let mut index_relocs = Vec::new();
        let contents = self.customs[at].contents;
        let mut checker = crate::validate::RelocChecker::new(contents.len());
        lazy.check(|r| {
            checker.next(self, &r, contents.offset);
            if r.ty.names_an_index() {
                index_relocs.push(r);
            }
        })?;
        if let Some((k, kind)) = checker.bad {
            return Err(crate::validate::error_at(lazy.entry_offset(k), kind));
        }
        let c = &mut self.customs[at];
        c.relocs = lazy;
        c.index_relocs = index_relocs;
        Ok(())
    }

    fn assign_code_relocs(&mut self, at: Option<&LazyRelocs<'a>>) -> Result<(), Error> {
        let base = self.code_offset;
        let len = self.functions.last().map_or(0, |f| f.body.end() - base);
        let atoms = self.functions.iter().map(|f| {
            let start = f.body.offset - base + prefix_len(f.body.bytes);
            start..f.body.end() - base
        });
        let mut ranges = Vec::with_capacity(self.functions.len());
        let placed = place_relocs(
            &self.code_relocs,
            atoms,
            len,
            "inside a function body",
            |r| ranges.push(r),
        );
        misplaced(placed, &self.code_relocs, at, base)?;
        for (f, r) in self.functions.iter_mut().zip(ranges) {
            f.relocs = r;
        }
        Ok(())
    }

    fn assign_data_relocs(&mut self, at: Option<&LazyRelocs<'a>>) -> Result<(), Error> {
        let base = self.data_offset;
        let len = self.segments.last().map_or(0, |s| s.data.end() - base);
        let atoms = self
            .segments
            .iter()
            .map(|s| s.data.offset - base..s.data.end() - base);
        let mut ranges = Vec::with_capacity(self.segments.len());
        let placed = place_relocs(
            &self.data_relocs,
            atoms,
            len,
            "inside a data segment",
            |r| ranges.push(r),
        );
        misplaced(placed, &self.data_relocs, at, base)?;
        for (s, r) in self.segments.iter_mut().zip(ranges) {
            s.relocs = r;
        }
        Ok(())
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

/// The relocations of a code or data section, decoded; they must be in offset order, as LLVM
/// requires (wasm-ld: `relocations not in offset order`).
fn ordered_relocs(w: Window<'_>, lazy: &LazyRelocs<'_>) -> Result<Vec<Reloc>, Error> {
    let relocs = wasm_format::reloc::parse_reloc_section(w)?.relocs;
    match relocs.windows(2).position(|p| p[1].offset < p[0].offset) {
        None => Ok(relocs),
        Some(k) => {
            let kind = crate::validate::Misplaced::Unordered.kind(&relocs[k + 1], 0);
            Err(crate::validate::error_at(lazy.entry_offset(k + 1), kind))
        }
    }
}

/// A second relocation section for the same section (LLVM appends them; we refuse).
#[cold]
fn second_reloc_section(w: &Window<'_>, target: u32) -> Error {
    let kind = ErrorKind::Invalid {
        expected: "one relocation section per section",
        found: u64::from(target),
    };
    Error::new(w.offset, kind)
}

/// The error for the relocation [`place_relocs`] found misplaced, at its entry in `at`.
fn misplaced(
    placed: Result<(), (usize, crate::validate::Misplaced)>,
    relocs: &[Reloc],
    at: Option<&LazyRelocs<'_>>,
    base: usize,
) -> Result<(), Error> {
    let Err((k, m)) = placed else {
        return Ok(());
    };
    let kind = m.kind(&relocs[k], base);
    let offset = at.map_or(base, |a| a.entry_offset(k));
    Err(crate::validate::error_at(offset, kind))
}

/// Gives each atom (`atoms`: the bytes of each, in section offsets and in order) the range of
/// `relocs` (in offset order) that patch it. A relocation must patch bytes inside one atom,
/// clear of the one before it, and inside the section (`len` bytes); `what` says where it had
/// to be. One walk: atoms and relocations are both in offset order. The error is the
/// relocation's position and what is wrong with it.
fn place_relocs(
    relocs: &[Reloc],
    atoms: impl Iterator<Item = Range<usize>>,
    len: usize,
    what: &'static str,
    mut assign: impl FnMut(Range<usize>),
) -> Result<(), (usize, crate::validate::Misplaced)> {
    use crate::validate::{check_place, Misplaced};
    let past = |r: &Reloc| r.range().end > len;
    let mut next = 0;
    let mut last = 0..0;
    for atom in atoms {
        let first = next;
        let mut prev = None;
        while let Some(r) = relocs.get(next).filter(|r| (r.offset as usize) < atom.end) {
            check_place(r, prev, atom.clone(), what).map_err(|m| match m {
                Misplaced::Outside(..) if past(r) => (next, Misplaced::PastSection(len)),
                m => (next, m),
            })?;
            prev = Some(r.range());
            next += 1;
        }
        assign(first..next);
        last = atom;
    }
    match relocs.get(next) {
        Some(r) if past(r) => Err((next, Misplaced::PastSection(len))),
        Some(_) => Err((next, Misplaced::Outside(what, last))),
        None => Ok(()),
    }
}

/// The length of the size prefix at the start of a body window.
fn prefix_len(body: &[u8]) -> usize {
    body.iter()
        .position(|b| b & 0x80 == 0)
        .map_or(body.len(), |p| p + 1)
}

/// A function body ends on `end` (0x0b): wasm-ld copies one that does not into an invalid
/// module, and the byte before a size prefix must not look like part of it.
fn check_body_end(b: Window<'_>) -> Result<(), Error> {
    let (at, expected, found) = match b.bytes.last() {
        Some(0x0b) => return Ok(()),
        Some(&x) => (b.end() - 1, "a function body ending with `end` (0x0b)", x),
        None => (b.offset - 1, "a function body size above 0", 0),
    };
    let found = u64::from(found);
    Err(Error::new(at, ErrorKind::Invalid { expected, found }))
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
