//! One relocatable object file as the linker sees it: its index spaces (imports first, then
//! definitions), its symbol table, and its atoms — one per function body, data segment and
//! custom section — each a borrowed window with the slice of relocations that patch it.
//!
//! Parsing here is one pass over the sections of `wasm-format`; nothing is copied.

use crate::ids::{
    Atom, DefinedFunc, DefinedGlobal, DefinedTable, DefinedTag, Definition, SegmentIndex,
};
use crate::validate::{check_padded, misplaced, Patched, RelocCheck};
use std::ops::Range;
use wasm_format::features::{Feature, Producers};
use wasm_format::linking::{Comdat, ComdatMember, InitFunc, Linking, SegmentFlags, SymbolInfo};
use wasm_format::reloc::{LazyRelocs, Reloc};
use wasm_format::sections::{self, DataMode, Element, Export, ExternalKind, ImportKind};
use wasm_format::types::{ConstExpr, FuncType, GlobalType, TableType, TagType};
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
    /// The length of the body's size prefix (a LEB128, padded or not), so that finding where
    /// its code starts reads nothing of the body (0 while there is no body).
    pub prefix: u8,
    /// The code-section relocations that fall inside the body: a range of the object's
    /// `code_relocs` (`u32`s, as a section's relocation count is, to keep atoms small).
    pub relocs: Range<u32>,
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
    /// Its mode as written: passive, or active with a memory and an offset expression (what
    /// an object writer needs to write it again; the linker lays segments out itself).
    pub mode: DataMode<'a>,
    /// The segment's bytes.
    pub data: Window<'a>,
    /// The data-section relocations that fall inside the segment: a range of the object's
    /// `data_relocs`.
    pub relocs: Range<u32>,
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
    /// The members of every group, group after group ([`Object::comdat_members_of`]).
    pub comdat_members: Vec<ComdatMember>,
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
    /// The kind of every import, in import order: how the per-kind lists above interleave.
    pub import_kinds: Vec<ExternalKind>,
    /// Defined memories (LLVM's objects import theirs; other producers may define one).
    pub memories: Vec<wasm_format::types::MemoryType>,
    /// The initializer of each defined table, parallel to `tables` (`None` unless written in
    /// the function-references `0x40 0x00` form).
    pub table_inits: Vec<Option<ConstExpr<'a>>>,
    /// Every export, in file order (`export_names` keeps the function ones for the linker).
    pub exports: Vec<Export<'a>>,
    /// The contents of the element section, parsed only when asked for
    /// ([`Object::elements`]): the linker builds its own table, but an object writer copies
    /// it (LLVM lists the address-taken functions there).
    pub element_section: Option<Window<'a>>,
    /// The contents of the start section, if any ([`Object::start`]).
    pub start_section: Option<Window<'a>>,
    /// The contents of the `name` section, if any, as they are.
    pub name_section: Option<Window<'a>>,
    /// A shared library (`dylink.0`) seen as what it offers: its exports as undefined
    /// symbols ([`Object::parse_shared`]).
    pub shared_library: bool,
    /// Relocations left undecoded by [`Object::parse_deferring_relocs`], until
    /// [`Object::decode_deferred_relocs`].
    pub deferred_relocs: Option<DeferredRelocs<'a>>,
}

/// An object's relocations, decoded and checked, and which atom each patches
/// ([`Object::decode_deferred_relocs_apart`]), not stored in it yet.
#[derive(Default, Debug)]
pub struct DecodedRelocs<'a> {
    code: Vec<Reloc>,
    data: Vec<Reloc>,
    /// Per function, its range of `code`.
    functions: Vec<Range<usize>>,
    /// Per segment, its range of `data`.
    segments: Vec<Range<usize>>,
    /// Per custom section with relocations: its position, its relocations, and those that
    /// name an index.
    customs: Vec<(usize, LazyRelocs<'a>, Vec<Reloc>)>,
    /// The section each relocation section patches, in order.
    targets: Vec<u32>,
}

impl DecodedRelocs<'_> {
    /// Empties every buffer, keeping its memory.
    fn clear(&mut self) {
        self.code.clear();
        self.data.clear();
        self.functions.clear();
        self.segments.clear();
        self.customs.clear();
        self.targets.clear();
    }
}

/// The sections [`Object::decode_deferred_relocs`] decodes relocations against (the
/// relocation sections themselves are [`Object::reloc_sections`]).
#[derive(Debug, Clone, Copy)]
pub struct DeferredRelocs<'a> {
    code: Option<(u32, Window<'a>)>,
    data: Option<(u32, Window<'a>)>,
}

/// Sections found on the first pass, parsed afterwards.
#[derive(Default)]
pub(crate) struct Found<'a> {
    code: Option<(u32, Window<'a>)>,
    data: Option<(u32, Window<'a>)>,
    linking: Option<Window<'a>>,
    relocs: Vec<Window<'a>>,
    /// The count of the DataCount section, if there is one.
    data_count: Option<u32>,
}

impl<'a> Object<'a> {
    /// Parses a relocatable object whose bytes start at absolute `offset` of their file.
    pub fn parse(bytes: &'a [u8], offset: usize) -> Result<Object<'a>, Error> {
        let mut obj = Self::parse_deferring_relocs(bytes, offset)?;
        obj.decode_deferred_relocs()?;
        Ok(obj)
    }

    /// Parses an object as [`Object::parse`] does, except its relocations, which
    /// [`Object::decode_deferred_relocs`] decodes and checks: an archive member that is never
    /// loaded need not pay for them.
    pub fn parse_deferring_relocs(bytes: &'a [u8], offset: usize) -> Result<Object<'a>, Error> {
        let module = Module::parse(bytes, offset)?;
        let mut obj = Object::empty();
        let mut found = Found::default();
        let mut order = crate::validate::SectionOrder::default();
        // Sized once: most members have several custom sections (DWARF) and relocations for
        // them, and growing a vector one push at a time reallocates it.
        let kinds = module.sections.iter().filter_map(custom_kind);
        let (kept, relocs) = kinds.fold((0, 0), |(kept, relocs), kind| match kind {
            CustomKind::Kept => (kept + 1, relocs),
            CustomKind::Reloc => (kept, relocs + 1),
            _ => (kept, relocs),
        });
        obj.customs.reserve_exact(kept);
        found.relocs.reserve_exact(relocs);
        for section in &module.sections {
            order.check(section)?;
            obj.read_section(section, &mut found)?;
        }
        let Some(linking) = found.linking else {
            let detail = ErrorKind::Message("it has no `linking` section");
            return Err(Error::llvm(
                offset,
                "not a relocatable wasm file",
                Some(detail),
            ));
        };
        let linking_at = linking.offset;
        let linking: Linking<'a> = wasm_format::linking::parse_linking(linking)?;
        obj.symbols = linking.symbols;
        obj.init_funcs = linking.init_funcs;
        obj.comdats = linking.comdats;
        obj.comdat_members = linking.comdat_members;
        match found.data {
            Some((_, w)) => obj.read_data(w, &linking.segments, found.data_count)?,
            None if !linking.segments.is_empty() => {
                let detail = ErrorKind::Invalid {
                    expected: "no segment info without a data section",
                    found: linking.segments.len() as u64,
                };
                return Err(Error::llvm(
                    linking_at,
                    "too many segment names",
                    Some(detail),
                ));
            }
            None => {}
        }
        match found.code {
            Some((_, w)) => obj.read_code(w)?,
            // Declared functions need bodies: without them the output would not validate.
            None if !obj.functions.is_empty() => {
                let detail = ErrorKind::Invalid {
                    expected: "a code section with a body for each declared function",
                    found: obj.functions.len() as u64,
                };
                return Err(Error::llvm(offset, "invalid function count", Some(detail)));
            }
            None => {}
        }
        obj.reloc_sections = found.relocs;
        obj.deferred_relocs = Some(DeferredRelocs {
            code: found.code,
            data: found.data,
        });
        crate::validate::check(&obj, &module)?;
        Ok(obj)
    }

    /// Decodes and checks the relocations [`Object::parse_deferring_relocs`] left, and gives
    /// each atom its own; nothing to do if they are decoded.
    pub fn decode_deferred_relocs(&mut self) -> Result<(), Error> {
        if let Some(decoded) = self.decode_deferred_relocs_apart()? {
            self.store_relocs(decoded);
        }
        Ok(())
    }

    /// Decodes and checks the relocations [`Object::parse_deferring_relocs`] left without
    /// storing them, so that it can run while the object is shared; `None` if there are none
    /// left. [`Object::store_relocs`] stores them.
    pub fn decode_deferred_relocs_apart(&self) -> Result<Option<DecodedRelocs<'a>>, Error> {
        let Some(deferred) = self.deferred_relocs else {
            return Ok(None);
        };
        let mut decoded = DecodedRelocs::default();
        self.decode_all_relocs(deferred, &mut decoded)?;
        Ok(Some(decoded))
    }

    /// Stores relocations [`Object::decode_deferred_relocs_apart`] decoded.
    pub fn store_relocs(&mut self, decoded: DecodedRelocs<'a>) {
        self.code_relocs = decoded.code;
        self.data_relocs = decoded.data;
        for (f, relocs) in self.functions.iter_mut().zip(decoded.functions) {
            f.relocs = narrow(relocs);
        }
        for (s, relocs) in self.segments.iter_mut().zip(decoded.segments) {
            s.relocs = narrow(relocs);
        }
        for (k, lazy, index_relocs) in decoded.customs {
            let c = &mut self.customs[k];
            c.relocs = lazy;
            c.index_relocs = index_relocs;
        }
        self.deferred_relocs = None;
    }

    /// Checks the relocations [`Object::parse_deferring_relocs`] left as decoding them would,
    /// keeping nothing: LLVM refuses a bad relocation even in an archive member never loaded.
    /// `scratch` holds them meanwhile; reused from object to object, it saves allocating (and
    /// faulting in) fresh buffers for each.
    pub fn check_deferred_relocs(&self, scratch: &mut DecodedRelocs<'a>) -> Result<(), Error> {
        match self.deferred_relocs {
            Some(deferred) => self.decode_all_relocs(deferred, scratch),
            None => Ok(()),
        }
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
            comdat_members: Vec::new(),
            code_relocs: Vec::new(),
            data_relocs: Vec::new(),
            code_offset: 0,
            data_offset: 0,
            features: Vec::new(),
            producers: None,
            export_names: Vec::new(),
            debug_names: Vec::new(),
            reloc_sections: Vec::new(),
            import_kinds: Vec::new(),
            memories: Vec::new(),
            table_inits: Vec::new(),
            exports: Vec::new(),
            element_section: None,
            start_section: None,
            name_section: None,
            shared_library: false,
            deferred_relocs: None,
        }
    }

    pub(crate) fn read_section(
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
                        prefix: 0,
                        relocs: 0..0,
                    })
                    .collect();
            }
            SectionId::Table => {
                let tables = sections::parse_table_section(w)?;
                self.tables = tables.iter().map(|t| t.ty).collect();
                self.table_inits = tables.iter().map(|t| t.init).collect();
                let shared = self.tables.iter().map(|t| t.limits.shared);
                crate::validate::check_unshared(s.id, w, shared)?;
            }
            SectionId::Memory => {
                self.memories = sections::parse_memory_section(w)?;
                self.memory64 |= self.memories.iter().any(|m| m.0.memory64);
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
                self.exports = sections::parse_export_section(w)?;
                for e in &self.exports {
                    if e.kind == ExternalKind::Func {
                        self.export_names.push((e.index, e.name));
                    }
                }
            }
            // Parsed to refuse malformed ones, as LLVM does; kept whole for the object writer
            // (the linker makes its own).
            SectionId::Element => {
                drop(sections::parse_element_section(w)?);
                self.element_section = Some(w);
            }
            SectionId::DataCount => found.data_count = Some(sections::parse_data_count_section(w)?),
            SectionId::Start => self.start_section = Some(w),
            SectionId::Code => found.code = Some((s.index, w)),
            SectionId::Data => found.data = Some((s.index, w)),
            SectionId::Custom => self.read_custom(s, found)?,
        }
        Ok(())
    }

    fn read_imports(&mut self, w: Window<'a>) -> Result<(), Error> {
        let imports = sections::parse_import_section(w)?;
        let shared = imports
            .iter()
            .map(|i| matches!(i.kind, ImportKind::Table(t) if t.limits.shared));
        crate::validate::check_unshared(SectionId::Import, w, shared)?;
        // Most imports of an object are functions.
        self.import_kinds.reserve_exact(imports.len());
        self.func_imports.reserve_exact(imports.len());
        for import in imports {
            let (module, field) = (import.module, import.field);
            let kind = match import.kind {
                ImportKind::Func(ty) => {
                    self.func_imports.push(ObjImport { module, field, ty });
                    ExternalKind::Func
                }
                ImportKind::Global(ty) => {
                    self.global_imports.push(ObjImport { module, field, ty });
                    ExternalKind::Global
                }
                ImportKind::Table(ty) => {
                    self.table_imports.push(ObjImport { module, field, ty });
                    ExternalKind::Table
                }
                ImportKind::Tag(ty) => {
                    self.tag_imports.push(ObjImport { module, field, ty });
                    ExternalKind::Tag
                }
                ImportKind::Memory(ty) => {
                    self.memory64 |= ty.0.memory64;
                    self.memory_import = Some(ObjImport { module, field, ty });
                    ExternalKind::Memory
                }
            };
            self.import_kinds.push(kind);
        }
        Ok(())
    }

    fn read_custom(
        &mut self,
        s: &wasm_format::Section<'a>,
        found: &mut Found<'a>,
    ) -> Result<(), Error> {
        let name = s.custom_name.unwrap_or("");
        match custom_kind(s).unwrap_or(CustomKind::Kept) {
            CustomKind::Linking => found.linking = Some(s.contents),
            CustomKind::TargetFeatures => {
                self.features = wasm_format::features::parse_target_features(s.contents)?;
                crate::validate::check_features(&self.features, s.contents)?;
            }
            CustomKind::Producers => {
                let producers = wasm_format::features::parse_producers(s.contents)?;
                crate::validate::check_producers(&producers, s.contents)?;
                self.producers = Some(producers);
            }
            CustomKind::Name => {
                self.name_section = Some(s.contents);
                // A malformed name section only costs names, as in wasm-ld.
                if let Ok(names) = wasm_format::names::parse_name_section(s.contents) {
                    self.debug_names = names.functions.iter().map(|n| (n.index, n.name)).collect();
                }
            }
            CustomKind::Reloc => found.relocs.push(s.contents),
            CustomKind::Kept => self.customs.push(CustomSection {
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
                "invalid function count",
                Some(detail),
            ));
        }
        // Each body's size prefix starts where the previous body ends, the first after the count.
        let (after_count, _) = w.parse_prefix(wasm_format::parse::var_u32)?;
        let mut start = after_count.offset;
        for (f, body) in self.functions.iter_mut().zip(bodies) {
            check_ends_with_end(body.window)?;
            // The local declarations, which LLVM reads too (and aborts on when they run past
            // the body): counts inside the body, valid value types.
            body.code_window()?;
            let end = body.window.end();
            f.body = w.sub(start - w.offset, end - start).unwrap_or(body.window);
            f.prefix = (f.body.len() - body.window.len()) as u8;
            start = end;
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
            return Err(Error::llvm(w.offset, message, None));
        }
        // Fewer names than segments leave the others unnamed, as in LLVM.
        if infos.len() > segments.len() {
            let detail = ErrorKind::Invalid {
                expected: "at most one segment info per data segment",
                found: infos.len() as u64,
            };
            return Err(Error::llvm(
                w.offset,
                "too many segment names",
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
                mode: seg.mode,
                data: seg.data,
                relocs: 0..0,
            });
        }
        Ok(())
    }

    /// Decodes and checks every relocation section into `decoded` (whatever it held is
    /// replaced), and finds which atom each relocation patches, without storing anything.
    fn decode_all_relocs(
        &self,
        found: DeferredRelocs<'a>,
        decoded: &mut DecodedRelocs<'a>,
    ) -> Result<(), Error> {
        decoded.clear();
        for (k, w) in self.reloc_sections.iter().enumerate() {
            let lazy = wasm_format::reloc::read_reloc_section(*w)?;
            let target = lazy.target_section;
            if decoded.targets[..k].contains(&target) {
                // wasm-ld would apply both; we would keep only the last.
                return Err(Error::new(
                    w.offset,
                    ErrorKind::Invalid {
                        expected: "one relocation section per target section",
                        found: u64::from(target),
                    },
                ));
            }
            decoded.targets.push(target);
            match (found.code, found.data) {
                (Some((i, code)), _) if i == target => {
                    self.decode_relocs(&lazy, code, Patched::Code, &mut decoded.code)?
                }
                (_, Some((i, data))) if i == target => {
                    self.decode_relocs(&lazy, data, Patched::Data, &mut decoded.data)?
                }
                _ => decoded
                    .customs
                    .push(self.read_custom_relocs(lazy, w.offset)?),
            }
        }
        let none = Window::new(&[], 0);
        let code = found.code.map_or(none, |(_, w)| w);
        self.assign_code_relocs(&decoded.code, code, &mut decoded.functions)?;
        let data = found.data.map_or(none, |(_, w)| w);
        self.assign_data_relocs(&decoded.data, data, &mut decoded.segments)
    }

    /// The relocations of the code or data section `target`, decoded into `relocs` and
    /// checked as they are read (`validate::RelocCheck`); which atom each patches is decided
    /// after.
    fn decode_relocs(
        &self,
        lazy: &LazyRelocs<'a>,
        target: Window<'a>,
        patched: Patched,
        relocs: &mut Vec<Reloc>,
    ) -> Result<(), Error> {
        relocs.reserve(lazy.len());
        let mut check = RelocCheck::new(self, target, patched);
        lazy.try_for_each(|entry, r| {
            check.next(entry, &r)?;
            relocs.push(r);
            Ok(())
        })
    }

    /// Checks the relocations of a custom section once, keeping those that name an index:
    /// (the custom section's position, its relocations, those that name an index).
    fn read_custom_relocs(
        &self,
        lazy: LazyRelocs<'a>,
        at: usize,
    ) -> Result<(usize, LazyRelocs<'a>, Vec<Reloc>), Error> {
        let target = lazy.target_section;
        let Some(k) = self.customs.iter().position(|c| c.section_index == target) else {
            return Err(Error::new(
                at,
                ErrorKind::Invalid {
                    expected: "a relocation target section",
                    found: u64::from(target),
                },
            ));
        };
        let mut index_relocs = Vec::new();
        let mut check = RelocCheck::new(self, self.customs[k].contents, Patched::Custom);
        lazy.try_for_each(|entry, r| {
            check.next(entry, &r)?;
            if r.ty.names_an_index() {
                index_relocs.push(r);
            }
            Ok(())
        })?;
        Ok((k, lazy, index_relocs))
    }

    /// Which of `relocs` (of the code section `code`) patch each function body, into
    /// `ranges` (empty).
    fn assign_code_relocs(
        &self,
        relocs: &[Reloc],
        code: Window<'a>,
        ranges: &mut Vec<Range<usize>>,
    ) -> Result<(), Error> {
        let base = code.offset;
        ranges.resize(self.functions.len(), 0..0);
        let atoms = self
            .functions
            .iter()
            .zip(ranges.iter_mut())
            .map(|(f, slot)| {
                // Relocations patch the body after its size prefix.
                let start = f.body.offset + usize::from(f.prefix) - base;
                (start..f.body.end() - base, slot)
            });
        assign(relocs, atoms, code, &BODIES)
    }

    /// Which of `relocs` (of the data section `data`) patch each segment, into `ranges`
    /// (empty).
    fn assign_data_relocs(
        &self,
        relocs: &[Reloc],
        data: Window<'a>,
        ranges: &mut Vec<Range<usize>>,
    ) -> Result<(), Error> {
        let base = data.offset;
        ranges.resize(self.segments.len(), 0..0);
        let atoms = self
            .segments
            .iter()
            .zip(ranges.iter_mut())
            .map(|(s, slot)| {
                let start = s.data.offset - base;
                (start..start + s.data.len(), slot)
            });
        assign(relocs, atoms, data, &SEGMENTS)
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

    /// The code section's relocations. Deferred ones are decoded as they are iterated, as far
    /// as they decode ([`Object::decode_deferred_relocs`] reports a bad one).
    pub fn code_relocs_now(&self) -> impl Iterator<Item = Reloc> + '_ {
        let deferred = self
            .deferred_relocs
            .and_then(|d| d.code)
            .map(|(target, _)| target);
        let sections = deferred.into_iter().flat_map(move |target| {
            let lazy = self.reloc_sections.iter();
            let lazy = lazy.filter_map(|w| wasm_format::reloc::read_reloc_section(*w).ok());
            lazy.filter(move |l| l.target_section == target)
        });
        // Deferred relocations are not in `code_relocs` yet.
        let decoded = self.code_relocs.iter().copied();
        decoded.chain(sections.flat_map(|l| l.iter()))
    }

    /// The relocations that patch function `f`'s body.
    pub fn function_relocs(&self, f: DefinedFunc) -> &[Reloc] {
        self.functions
            .get(f.idx())
            .map_or(&[], |func| self.code_relocs_of(func))
    }

    /// The relocations that patch segment `s`.
    pub fn segment_relocs(&self, s: SegmentIndex) -> &[Reloc] {
        self.segments
            .get(s.idx())
            .map_or(&[], |seg| self.data_relocs_of(seg))
    }

    /// The relocations that patch `func`, a function of this object.
    pub fn code_relocs_of(&self, func: &Function<'a>) -> &[Reloc] {
        self.code_relocs
            .get(widen(&func.relocs))
            .unwrap_or_default()
    }

    /// The relocations that patch `seg`, a segment of this object.
    pub fn data_relocs_of(&self, seg: &Segment<'a>) -> &[Reloc] {
        self.data_relocs.get(widen(&seg.relocs)).unwrap_or_default()
    }

    /// The relocations that patch `atom`.
    pub fn atom_relocs(&self, atom: Atom) -> &[Reloc] {
        match atom {
            Atom::Function(f) => self.function_relocs(f),
            Atom::Segment(s) => self.segment_relocs(s),
        }
    }

    /// The element segments, parsed from [`Object::element_section`] now (the linker never
    /// needs them).
    pub fn elements(&self) -> Result<Vec<Element<'a>>, Error> {
        self.element_section
            .map_or(Ok(Vec::new()), sections::parse_element_section)
    }

    /// The start function, parsed from [`Object::start_section`] now.
    pub fn start(&self) -> Result<Option<u32>, Error> {
        self.start_section
            .map(sections::parse_start_section)
            .transpose()
    }

    /// The members of comdat group `c` (one of [`Object::comdats`]).
    pub fn comdat_members_of(&self, c: &Comdat<'a>) -> &[ComdatMember] {
        c.members_of(&self.comdat_members)
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

/// A function body (after its size prefix) must end with `end`: the output copies bodies as
/// they are, so one that does not would make an invalid module.
fn check_ends_with_end(body: Window<'_>) -> Result<(), Error> {
    match body.bytes.last() {
        Some(0x0b) => Ok(()),
        Some(&b) => Err(Error::new(
            body.end() - 1,
            ErrorKind::Invalid {
                expected: "a function body ending with `end` (0x0b)",
                found: b.into(),
            },
        )),
        None => Err(Error::new(
            body.offset,
            ErrorKind::Message("an empty function body: expected at least `end` (0x0b)"),
        )),
    }
}

/// How errors about relocations around an atom name it.
struct AtomNames {
    /// For one that starts inside an atom and ends after it.
    crossing: &'static str,
    /// For one that starts before an atom, after the previous one (or the section start).
    before: &'static str,
    /// For one that starts after the last atom.
    after: &'static str,
}

const BODIES: AtomNames = AtomNames {
    crossing: "inside their function body, which ends at",
    before: "inside a function body; the next one starts at",
    after: "inside a function body; the last one ends at",
};

const SEGMENTS: AtomNames = AtomNames {
    crossing: "inside their data segment, which ends at",
    before: "inside a data segment; the next one starts at",
    after: "inside a data segment; the last one ends at",
};

/// A range of an object's relocations as an atom stores it (a section has fewer than 2^32).
fn narrow(r: Range<usize>) -> Range<u32> {
    r.start as u32..r.end as u32
}

/// An atom's range of relocations, for indexing.
fn widen(r: &Range<u32>) -> Range<usize> {
    r.start as usize..r.end as usize
}

/// What [`Object::read_custom`] does with a custom section.
#[derive(Clone, Copy, PartialEq, Eq)]
enum CustomKind {
    Linking,
    TargetFeatures,
    Producers,
    Name,
    /// A relocation section (`reloc.*`).
    Reloc,
    /// Any other: kept in [`Object::customs`].
    Kept,
}

/// The kind of a custom section; `None` for a standard one.
fn custom_kind(s: &wasm_format::Section<'_>) -> Option<CustomKind> {
    if s.id != SectionId::Custom {
        return None;
    }
    Some(match s.custom_name.unwrap_or("") {
        "linking" => CustomKind::Linking,
        "target_features" => CustomKind::TargetFeatures,
        "producers" => CustomKind::Producers,
        "name" => CustomKind::Name,
        n if n.starts_with("reloc.") => CustomKind::Reloc,
        _ => CustomKind::Kept,
    })
}

/// Gives each atom (its range in section offsets) the relocations that patch it, checking
/// that each lies wholly inside one atom and that a LEB one patches a padded LEB128. A linear
/// walk, not a search: atoms and relocations are both in offset order, so each relocation is
/// looked at once.
fn assign<'r>(
    relocs: &[Reloc],
    atoms: impl Iterator<Item = (Range<usize>, &'r mut Range<usize>)>,
    section: Window<'_>,
    names: &AtomNames,
) -> Result<(), Error> {
    let base = section.offset;
    let mut next = 0;
    let mut last_end = 0;
    for (atom, slot) in atoms {
        let first = next;
        while let Some(r) = relocs.get(next) {
            let at = r.offset as usize;
            if at >= atom.end {
                break;
            }
            if at < atom.start {
                return Err(misplaced(r, base, names.before, base + atom.start));
            }
            if r.range().end > atom.end {
                return Err(misplaced(r, base, names.crossing, base + atom.end));
            }
            if r.ty.width().is_leb() {
                let field = section.bytes.get(r.range()).unwrap_or_default();
                check_padded(field, base + at)?;
            }
            next += 1;
        }
        *slot = first..next;
        last_end = atom.end;
    }
    match relocs.get(next) {
        Some(r) => Err(misplaced(r, base, names.after, base + last_end)),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_format::reloc::RelocType;

    /// One per function of every loaded object: the size prefix's length sits in padding.
    #[test]
    fn a_function_takes_40_bytes() {
        assert_eq!(std::mem::size_of::<Function<'_>>(), 40);
    }

    fn leb(offset: u32) -> Reloc {
        Reloc {
            ty: RelocType::FunctionIndexLeb,
            offset,
            index: 0,
            addend: 0,
        }
    }

    /// Atoms at 2..14 and 16..24 of a section whose contents start at 0x100.
    fn run(relocs: &[Reloc]) -> Result<[Range<usize>; 2], Error> {
        let mut slots = [0..0, 0..0];
        let [a, b] = &mut slots;
        let atoms = [(2..14, a), (16..24, b)].into_iter();
        // A padded LEB128 at every relocation, as far as they fit.
        let mut bytes = vec![0; 32];
        for r in relocs {
            if let Some(field) = bytes.get_mut(r.range()) {
                field.copy_from_slice(&[0x80, 0x80, 0x80, 0x80, 0x00]);
            }
        }
        assign(relocs, atoms, Window::new(&bytes, 0x100), &BODIES)?;
        Ok(slots)
    }

    /// Whether `err` is at `offset`, says `expected` and ends with `limit`.
    fn is(err: &Error, offset: usize, expected: &str, limit: usize) -> bool {
        err.offset() == offset
            && matches!(err.kind(), ErrorKind::Relocation { expected: e, limit: l, .. }
                if *e == expected && *l == limit)
    }

    #[test]
    fn each_atom_gets_its_relocations() {
        assert_eq!(run(&[leb(2), leb(7), leb(18)]), Ok([0..2, 2..3]));
        assert_eq!(run(&[]), Ok([0..0, 0..0]));
    }

    #[test]
    fn a_relocation_between_atoms_names_the_next() {
        let err = run(&[leb(14)]).unwrap_err();
        assert!(is(&err, 0x10e, BODIES.before, 0x110), "{err}");
        let err = run(&[leb(0)]).unwrap_err();
        assert!(is(&err, 0x100, BODIES.before, 0x102), "{err}");
    }

    #[test]
    fn a_relocation_crossing_its_atoms_end_names_the_end() {
        let err = run(&[leb(10)]).unwrap_err();
        assert!(is(&err, 0x10a, BODIES.crossing, 0x10e), "{err}");
    }

    #[test]
    fn a_relocation_after_the_last_atom_names_its_end() {
        let err = run(&[leb(24)]).unwrap_err();
        assert!(is(&err, 0x118, BODIES.after, 0x118), "{err}");
    }

    #[test]
    fn a_leb_relocation_patches_a_padded_leb() {
        let mut slot = 0..0;
        let atoms = [(0..8, &mut slot)].into_iter();
        let bytes = [0, 0x80, 0x80, 0x00, 0x80, 0x00, 0, 0];
        let err = assign(&[leb(1)], atoms, Window::new(&bytes, 0x100), &BODIES).unwrap_err();
        assert_eq!(err.offset(), 0x103);
        assert!(matches!(err.kind(), ErrorKind::Invalid { found: 0, .. }));
    }

    #[test]
    fn a_body_ends_with_end() {
        assert_eq!(check_ends_with_end(Window::new(&[0, 0x0b], 9)), Ok(()));
        let err = check_ends_with_end(Window::new(&[0, 0x41, 0x01], 9)).unwrap_err();
        assert_eq!(err.offset(), 11);
        assert!(matches!(err.kind(), ErrorKind::Invalid { found: 1, .. }));
        let err = check_ends_with_end(Window::new(&[], 9)).unwrap_err();
        assert_eq!(err.offset(), 9);
    }
}
