//! Layout: every output index space and linear memory, in wasm-ld 19's order.
//!
//! Takes the resolved and marked inputs and gives the output's types, imports, functions,
//! globals, table slots, data segments with their addresses, exports and constructors, plus
//! per-symbol lookups that relocation needs (function index, global index, table slot,
//! address). Nothing is written here.

use crate::config::Config;
use crate::features::Features;
use crate::ids::{FileId, SymbolId};
use crate::inputs::Inputs;
use crate::mark::Liveness;
use crate::merge::MergedStrings;
use crate::resolve::Resolved;
use crate::symbols::{Def, Kind, Synthetic};
use rayon::prelude::*;
use std::collections::HashMap;
use wasm_format::linking::SymbolKind as RawKind;
use wasm_format::reloc::RelocType;
use wasm_format::types::{FuncType, GlobalType, ValType};

/// Marks "no index".
pub const NONE: u32 = u32::MAX;
const PAGE: u64 = 65536;

/// What a relocation asks of the layout while scanning (lld's `scanRelocations`).
enum Scanned {
    /// `TYPE_INDEX_LEB`: this input type is used.
    Type(u32),
    /// `GLOBAL_INDEX` of a data or function symbol (true for a function): an internal GOT entry.
    Got(SymbolId, bool),
    /// A table-index relocation of a live function: a table slot.
    Slot(SymbolId),
}

/// An output import.
#[derive(Clone, Debug)]
pub struct OutImport<'a> {
    /// Module name.
    pub module: std::borrow::Cow<'a, str>,
    /// Field name.
    pub field: std::borrow::Cow<'a, str>,
    /// What it imports.
    pub kind: ImportKind,
    /// The symbol it stands for (for the name section).
    pub symbol: Option<SymbolId>,
}

/// What an import is.
#[derive(Clone, Debug)]
pub enum ImportKind {
    /// A function with this signature and output type index.
    Func {
        /// The signature.
        ty: FuncType,
        /// Its output type index.
        index: u32,
    },
    /// A global.
    Global(GlobalType),
    /// The indirect function table.
    Table {
        /// Its minimum size.
        min: u64,
    },
    /// Linear memory.
    Memory,
    /// An exception tag with this signature and output type index.
    Tag {
        /// The signature.
        ty: FuncType,
        /// Its output type index.
        index: u32,
    },
}

/// A defined output function.
#[derive(Clone, Debug)]
pub enum OutFunction {
    /// `__wasm_call_ctors`.
    CallCtors,
    /// A trapping stub: a called weak undefined function or a mismatched signature.
    Stub(SymbolId),
    /// An input function.
    Input(FileId, u32),
    /// `__wasm_init_tls(ptr)`: sets `__tls_base` and copies `.tdata` there (shared memory).
    InitTls,
    /// `__wasm_init_memory`, the start function: initialises passive segments and zeroes
    /// `.bss` of an imported memory.
    InitMemory,
    /// `__wasm_apply_tls_relocs`: runtime relocations of `.tdata` (none without PIC).
    ApplyTlsRelocs,
    /// `<name>.command_export`: ctors, the function, dtors.
    CommandExport {
        /// The wrapped function's output index.
        target: u32,
        /// The wrapped symbol.
        symbol: SymbolId,
    },
}

/// A defined output global.
#[derive(Clone, Debug)]
pub enum OutGlobalDef {
    /// `__stack_pointer`, with its initial value.
    StackPointer,
    /// `__tls_base`: the start of `.tdata`, or a mutable 0 with shared memory.
    TlsBase,
    /// `__tls_size` (shared memory).
    TlsSize,
    /// `__tls_align` (shared memory).
    TlsAlign,
    /// An input global.
    Input(FileId, u32),
    /// `GOT.data.internal.X` / `GOT.func.internal.X`: the address or table slot of a symbol.
    Got(SymbolId),
    /// An immutable global holding an exported data symbol's address.
    DataAddress(u64),
}

/// Where an input segment went.
#[derive(Clone, Debug)]
pub enum Placement {
    /// Dead or discarded.
    None,
    /// At this offset of output segment `seg`.
    Plain {
        /// Output segment index.
        seg: u32,
        /// Offset in it.
        offset: u64,
    },
    /// Split into merged strings: output segment `seg`, merged chunk `chunk`; `pieces` maps input
    /// offsets to offsets in the merged chunk.
    Merged {
        /// Output segment index.
        seg: u32,
        /// (input offset, offset in the output segment) of each piece, sorted.
        pieces: Vec<(u32, u64)>,
    },
}

/// One output data segment.
#[derive(Debug)]
pub struct OutSegment {
    /// `.rodata`, `.data`, `.bss`, `.tdata`, or an input name.
    pub name: String,
    /// Alignment (power of two).
    pub p2align: u32,
    /// Start address.
    pub va: u64,
    /// Size in bytes.
    pub size: u64,
    /// Input segments placed here, in order: (file, segment index, offset).
    pub parts: Vec<(FileId, u32, u64)>,
    /// Merged string chunks placed here, with their offset.
    pub merged: Vec<(MergedStrings, u64)>,
    /// Written to the data section (`.bss` is not, unless an imported memory needs it).
    pub in_binary: bool,
    /// Passive (shared memory): listed without an address, copied in by `__wasm_init_memory`.
    pub passive: bool,
    /// Initialised by `__wasm_init_memory`: passive, or `.bss` of an imported memory.
    pub init_at_start: bool,
}

impl OutSegment {
    /// A `.bss*` segment: zeros.
    pub fn is_bss(&self) -> bool {
        self.name.starts_with(".bss")
    }

    /// The thread-local segment.
    pub fn is_tls(&self) -> bool {
        self.name == ".tdata"
    }
}

/// An export.
#[derive(Clone, Debug)]
pub struct OutExport {
    /// The export name.
    pub name: String,
    /// 0 function, 1 table, 2 memory, 3 global, 4 tag.
    pub kind: u8,
    /// Index in that space.
    pub index: u32,
}

/// The computed layout.
pub struct Layout<'a> {
    /// Types, deduplicated.
    pub types: Vec<FuncType>,
    type_ids: rustc_hash::FxHashMap<FuncType, u32>,
    /// Per file, per input type: output type (or `NONE`).
    pub file_types: Vec<Vec<u32>>,
    /// Imports in output order.
    pub imports: Vec<OutImport<'a>>,
    /// Imported function count.
    pub num_func_imports: u32,
    /// Imported global count.
    pub num_global_imports: u32,
    /// Imported table count.
    pub num_table_imports: u32,
    /// Defined functions.
    pub functions: Vec<OutFunction>,
    /// Output type of each defined function.
    pub function_types: Vec<u32>,
    /// Per file, per defined function: output index (or `NONE`).
    pub file_funcs: Vec<Vec<u32>>,
    /// Per symbol: output function index (or `NONE`).
    pub sym_func: Vec<u32>,
    /// Defined globals.
    pub globals: Vec<OutGlobalDef>,
    /// Per file, per defined global: output index.
    pub file_globals: Vec<Vec<u32>>,
    /// Per symbol: output global index.
    pub sym_global: Vec<u32>,
    /// Whether the output has a defined indirect function table.
    pub defines_table: bool,
    /// Index of the indirect function table (or `NONE`).
    pub table_index: u32,
    /// Function indices in table-slot order, starting at `table_base`.
    pub elems: Vec<u32>,
    /// Per output function: its table slot (or 0).
    pub func_slot: Vec<u32>,
    /// First table slot.
    pub table_base: u32,
    /// Output data segments in address order.
    pub segments: Vec<OutSegment>,
    /// Per file, per segment: where it went.
    pub placements: Vec<Vec<Placement>>,
    /// Initial memory pages.
    pub memory_pages: u64,
    /// Maximum memory pages.
    pub memory_max: Option<u64>,
    /// Values of synthetic data symbols and globals.
    pub synth: SyntheticValues,
    /// Constructors, in call order (output function indices, with result counts to drop).
    pub ctors: Vec<(u32, usize)>,
    /// Exports, in order.
    pub exports: Vec<OutExport>,
    /// `__wasm_call_dtors`, if libc defines it.
    pub call_dtors: Option<u32>,
    /// `__wasm_call_ctors`'s index if it is emitted.
    pub call_ctors: Option<u32>,
    /// Exported functions wrapped in `.command_export`: (symbol, wrapper index).
    pub wrappers: Vec<(SymbolId, u32)>,
    /// Symbols that `global.get` reads through an internal GOT global, in scan order.
    pub got: Vec<SymbolId>,
    /// Signatures of weak stubs: (symbol → signature).
    pub stub_types: HashMap<SymbolId, FuncType>,
    /// The output's target features.
    pub features: Features,
    /// `__wasm_init_memory`, the start function, if some segment is initialised at start.
    pub init_memory: Option<u32>,
    /// `__wasm_apply_tls_relocs`, called by `__wasm_init_tls`.
    pub apply_tls_relocs: Option<u32>,
    /// `__wasm_init_memory_flag`: the address threads race on to initialise memory once.
    pub init_memory_flag: Option<u64>,
    /// Output index of `__tls_base` (or `NONE`).
    pub tls_base_global: u32,
    /// Thread-local symbols are offsets into `.tdata` (shared memory), not addresses.
    pub tls_relative: bool,
    /// Imported tag count.
    pub num_tag_imports: u32,
    /// Defined tags, in output order: (file, defined tag index).
    pub tags: Vec<(FileId, u32)>,
    /// Output type of each defined tag.
    pub tag_types: Vec<u32>,
    /// Per file, per defined tag: output index (or `NONE`).
    pub file_tags: Vec<Vec<u32>>,
    /// Per symbol: output tag index (or `NONE`).
    pub sym_tag: Vec<u32>,
    /// Table slots of undefined functions that took a slot before becoming `undefined_stub`
    /// callers: each has its own slot, all holding the stub.
    pub stub_slots: HashMap<SymbolId, u32>,
}

/// Addresses the linker defines.
#[derive(Default, Debug, Clone)]
pub struct SyntheticValues {
    /// Initial `__stack_pointer`.
    pub stack_pointer: u64,
    /// `__heap_base`.
    pub heap_base: u64,
    /// `__heap_end`.
    pub heap_end: u64,
    /// `__data_end`.
    pub data_end: u64,
    /// `__global_base` and `__dso_handle`.
    pub global_base: u64,
    /// `__stack_low`.
    pub stack_low: u64,
    /// `__stack_high`.
    pub stack_high: u64,
    /// The start of `.tdata`: what TLS relocations are relative to.
    pub tls_base: u64,
    /// `__tls_size`.
    pub tls_size: u64,
    /// `__tls_align`.
    pub tls_align: u64,
}

/// Computes the layout.
pub fn layout<'a>(
    inputs: &Inputs<'a>,
    res: &mut Resolved<'a>,
    live: &Liveness,
    features: Features,
    config: &Config,
) -> Result<Layout<'a>, Vec<String>> {
    let mut l = Layout::empty(inputs, res, features);
    l.tls_relative = config.shared_memory;
    let mut errors = Vec::new();
    l.place_segments(inputs, res, live, config);
    l.plan_segment_init(config);
    l.layout_memory(config, &mut errors);
    let (used_types, slot_order) = l.scan_relocations(inputs, res, live);
    l.compute_imports(inputs, res, config);
    l.assign_functions(inputs, res, live, config);
    l.assign_globals(inputs, res, live, config);
    l.assign_tags(inputs, res, live);
    l.assign_table(res, &slot_order, config);
    l.assign_got();
    l.compute_ctors(inputs, res, &mut errors);
    l.compute_command_exports(res, config);
    l.register_types(inputs, &used_types);
    l.compute_exports(inputs, res, config);
    if errors.is_empty() {
        Ok(l)
    } else {
        Err(errors)
    }
}

impl<'a> Layout<'a> {
    fn empty(inputs: &Inputs<'a>, res: &Resolved<'a>, features: Features) -> Self {
        let n = inputs.files.len();
        let nsym = res.table.symbols.len();
        Layout {
            types: Vec::new(),
            type_ids: Default::default(),
            file_types: inputs
                .files
                .iter()
                .map(|f| vec![NONE; f.obj.types.len()])
                .collect(),
            imports: Vec::new(),
            num_func_imports: 0,
            num_global_imports: 0,
            num_table_imports: 0,
            functions: Vec::new(),
            function_types: Vec::new(),
            file_funcs: inputs
                .files
                .iter()
                .map(|f| vec![NONE; f.obj.functions.len()])
                .collect(),
            sym_func: vec![NONE; nsym],
            globals: Vec::new(),
            file_globals: inputs
                .files
                .iter()
                .map(|f| vec![NONE; f.obj.globals.len()])
                .collect(),
            sym_global: vec![NONE; nsym],
            defines_table: false,
            table_index: NONE,
            elems: Vec::new(),
            func_slot: Vec::new(),
            table_base: 1,
            segments: Vec::new(),
            placements: vec![Vec::new(); n],
            memory_pages: 0,
            memory_max: None,
            synth: SyntheticValues::default(),
            ctors: Vec::new(),
            exports: Vec::new(),
            call_dtors: None,
            call_ctors: None,
            wrappers: Vec::new(),
            got: Vec::new(),
            stub_types: HashMap::new(),
            features,
            init_memory: None,
            apply_tls_relocs: None,
            init_memory_flag: None,
            tls_base_global: NONE,
            tls_relative: false,
            num_tag_imports: 0,
            tags: Vec::new(),
            tag_types: Vec::new(),
            file_tags: inputs
                .files
                .iter()
                .map(|f| vec![NONE; f.obj.tags.len()])
                .collect(),
            sym_tag: vec![NONE; nsym],
            stub_slots: HashMap::new(),
        }
    }

    /// The output type index of a signature, adding it if new.
    pub fn intern_type(&mut self, ty: &FuncType) -> u32 {
        if let Some(&i) = self.type_ids.get(ty) {
            return i;
        }
        let i = self.types.len() as u32;
        self.types.push(ty.clone());
        self.type_ids.insert(ty.clone(), i);
        i
    }

    /// Groups live input segments into output segments by name, sorts them by kind and merges
    /// string segments (lld's `createOutputSegments`).
    fn place_segments(
        &mut self,
        inputs: &Inputs<'a>,
        res: &Resolved<'a>,
        live: &Liveness,
        config: &Config,
    ) {
        let mut by_name: rustc_hash::FxHashMap<&str, usize> = Default::default();
        let mut groups: Vec<(&str, Vec<(FileId, u32)>)> = Vec::new();
        for &f in &res.loaded {
            let obj = inputs.obj(f);
            self.placements[f.idx()] = vec![Placement::None; obj.segments.len()];
            for (i, seg) in obj.segments.iter().enumerate() {
                if !live.segments[f.idx()][i] || res.discarded[f.idx()].segments[i] {
                    continue;
                }
                let name =
                    output_segment_name(seg.name, seg.flags.0 & 2 != 0, config.merge_data_segments);
                let g = *by_name.entry(name).or_insert_with(|| {
                    groups.push((name, Vec::new()));
                    groups.len() - 1
                });
                groups[g].1.push((f, i as u32));
            }
        }
        groups.sort_by_key(|(name, _)| segment_rank(name));
        for (index, (name, members)) in groups.into_iter().enumerate() {
            let seg = self.build_segment(inputs, name.to_string(), &members, index as u32, config);
            self.segments.push(seg);
        }
    }

    fn build_segment(
        &mut self,
        inputs: &Inputs<'a>,
        name: String,
        members: &[(FileId, u32)],
        index: u32,
        config: &Config,
    ) -> OutSegment {
        let mut out = OutSegment {
            name,
            p2align: 0,
            va: 0,
            size: 0,
            parts: Vec::new(),
            merged: Vec::new(),
            in_binary: true,
            passive: false,
            init_at_start: false,
        };
        let mergeable = |f: FileId, i: u32| {
            let s = &inputs.obj(f).segments[i as usize];
            config.opt_level > 0 && s.p2align == 0 && s.flags.0 & 1 != 0
        };
        let strings: Vec<(FileId, u32)> = members
            .iter()
            .copied()
            .filter(|&(f, i)| mergeable(f, i))
            .collect();
        let mut merged_placed = false;
        for &(f, i) in members {
            let seg = &inputs.obj(f).segments[i as usize];
            out.p2align = out.p2align.max(seg.p2align);
            if mergeable(f, i) {
                if !merged_placed {
                    merged_placed = true;
                    let merged = MergedStrings::build(inputs, &strings);
                    let offset = out.size;
                    out.size += merged.data.len() as u64;
                    for (k, &(mf, mi)) in strings.iter().enumerate() {
                        let pieces = merged
                            .pieces(k)
                            .iter()
                            .map(|&(inp, o)| (inp, offset + o))
                            .collect();
                        self.placements[mf.idx()][mi as usize] =
                            Placement::Merged { seg: index, pieces };
                    }
                    out.merged.push((merged, offset));
                }
                continue;
            }
            let offset = align_to(out.size, 1 << seg.p2align);
            out.size = offset + seg.data.len() as u64;
            out.parts.push((f, i, offset));
            self.placements[f.idx()][i as usize] = Placement::Plain { seg: index, offset };
        }
        out
    }

    /// Which segments the data section carries and which `__wasm_init_memory` initialises
    /// (lld's `requiredInBinary` / `needsPassiveInitialization`).
    fn plan_segment_init(&mut self, config: &Config) {
        let emit_bss = self.features.emit_bss(config);
        for seg in &mut self.segments {
            seg.in_binary = !seg.is_bss() || emit_bss;
            seg.passive = config.shared_memory;
            seg.init_at_start = seg.passive || (config.import_memory.is_some() && !seg.in_binary);
        }
    }

    /// Whether `__wasm_init_memory` is needed.
    pub fn has_init_at_start(&self) -> bool {
        self.segments.iter().any(|s| s.init_at_start)
    }

    /// Places the stack and the data segments (lld's `layoutMemory`).
    fn layout_memory(&mut self, config: &Config, errors: &mut Vec<String>) {
        let mut ptr = 0u64;
        if !config.stack_size.is_multiple_of(16) {
            errors.push("stack size must be 16-byte aligned".into());
        }
        if config.stack_first {
            self.place_stack(&mut ptr, config);
            if let Some(base) = config.global_base {
                if base < ptr {
                    errors.push(
                        "--global-base cannot be less than stack size when --stack-first is used"
                            .into(),
                    );
                }
                ptr = base;
            }
        } else {
            ptr = config.global_base.unwrap_or(1024);
        }
        self.synth.global_base = ptr;
        for seg in &mut self.segments {
            ptr = align_to(ptr, 1 << seg.p2align);
            seg.va = ptr;
            if seg.is_tls() {
                self.synth.tls_base = ptr;
                self.synth.tls_size = seg.size;
                self.synth.tls_align = 1 << seg.p2align;
            }
            ptr += seg.size;
        }
        if config.shared_memory && self.has_init_at_start() {
            ptr = align_to(ptr, 4);
            self.init_memory_flag = Some(ptr);
            ptr += 4;
        }
        self.synth.data_end = ptr;
        if !config.stack_first {
            self.place_stack(&mut ptr, config);
        }
        ptr = align_to(ptr, 16);
        self.synth.heap_base = ptr;
        ptr += config.initial_heap.unwrap_or(0);
        if let Some(initial) = config.initial_memory {
            if initial % PAGE != 0 {
                errors.push(format!("initial memory must be {PAGE}-byte aligned"));
            }
            if ptr > initial {
                errors.push(format!("initial memory too small, {ptr} bytes needed"));
            }
            ptr = initial;
        }
        ptr = align_to(ptr, PAGE);
        self.memory_pages = ptr / PAGE;
        self.synth.heap_end = ptr;
        self.memory_max = self.max_pages(config, ptr, errors);
    }

    fn place_stack(&mut self, ptr: &mut u64, config: &Config) {
        *ptr = align_to(*ptr, 16);
        self.synth.stack_low = *ptr;
        *ptr += config.stack_size;
        self.synth.stack_pointer = *ptr;
        self.synth.stack_high = *ptr;
    }

    fn max_pages(&self, config: &Config, initial: u64, errors: &mut Vec<String>) -> Option<u64> {
        let max = if let Some(max) = config.max_memory {
            if max % PAGE != 0 {
                errors.push(format!("maximum memory must be {PAGE}-byte aligned"));
            }
            if max < initial {
                errors.push(format!("maximum memory too small, {initial} bytes needed"));
            }
            max
        } else if config.no_growable_memory || config.shared_memory {
            initial
        } else {
            return None;
        };
        Some(max / PAGE)
    }

    /// Scans relocations of live chunks in load order: records the types that
    /// `TYPE_INDEX_LEB` uses (registered first) and gives functions whose address is taken
    /// their table slot, in the order lld's `scanRelocations` does.
    fn scan_relocations(
        &mut self,
        inputs: &Inputs<'a>,
        res: &Resolved<'a>,
        live: &Liveness,
    ) -> (Vec<(FileId, u32)>, Vec<SymbolId>) {
        // Each file is scanned in parallel; its findings are replayed in load order, so the
        // first occurrence decides as in a single scan.
        let found: Vec<Vec<Scanned>> = res
            .loaded
            .par_iter()
            .map(|&f| self.scan_file(inputs, res, live, f))
            .collect();
        let mut used: Vec<(FileId, u32)> = Vec::new();
        let mut got_seen = vec![false; res.table.symbols.len()];
        let mut slot_order: Vec<SymbolId> = Vec::new();
        let mut seen = vec![false; res.table.symbols.len()];
        for (&f, events) in res.loaded.iter().zip(found) {
            for event in events {
                match event {
                    Scanned::Type(t) => used.push((f, t)),
                    Scanned::Got(id, is_function) => {
                        if !got_seen[id.idx()] {
                            got_seen[id.idx()] = true;
                            self.got.push(id);
                            if is_function && !seen[id.idx()] {
                                seen[id.idx()] = true;
                                slot_order.push(id);
                            }
                        }
                    }
                    Scanned::Slot(id) => {
                        if !seen[id.idx()] {
                            seen[id.idx()] = true;
                            slot_order.push(id);
                        }
                    }
                }
            }
        }
        (used, slot_order)
    }

    /// What one file's live relocations ask of the layout, in relocation order.
    fn scan_file(
        &self,
        inputs: &Inputs<'a>,
        res: &Resolved<'a>,
        live: &Liveness,
        f: FileId,
    ) -> Vec<Scanned> {
        let obj = inputs.obj(f);
        let funcs =
            obj.functions.iter().enumerate().filter(|(i, _)| {
                live.functions[f.idx()][*i] && !res.discarded[f.idx()].functions[*i]
            });
        let segs = obj.segments.iter().enumerate().filter(|(i, _)| {
            !matches!(
                self.placements[f.idx()].get(*i),
                None | Some(Placement::None)
            )
        });
        let ranges = funcs
            .map(|(_, x)| &obj.code_relocs[x.relocs.clone()])
            .chain(segs.map(|(_, s)| &obj.data_relocs[s.relocs.clone()]))
            .chain(obj.customs.iter().map(|c| &c.index_relocs[..]));
        let mut out = Vec::new();
        for r in ranges.flatten() {
            if r.ty == RelocType::TypeIndexLeb {
                out.push(Scanned::Type(r.index));
                continue;
            }
            let global = matches!(r.ty, RelocType::GlobalIndexLeb | RelocType::GlobalIndexI32);
            if !global && !is_table_reloc(r.ty) {
                continue;
            }
            let Some(&id) = res.file_syms[f.idx()].get(r.index as usize) else {
                continue;
            };
            let sym = res.table.get(id);
            if global {
                // `global.get` of a data or function symbol: an internal GOT entry, and for a
                // function, a table slot too.
                if matches!(sym.kind, Kind::Data | Kind::Function) {
                    out.push(Scanned::Got(id, sym.kind == Kind::Function));
                }
            } else if sym.live {
                out.push(Scanned::Slot(id));
            }
        }
        out
    }

    /// Imports: the memory, the table, then every live undefined symbol that may be imported,
    /// in symbol-table order (lld's `calculateImports`).
    fn compute_imports(&mut self, inputs: &Inputs<'a>, res: &Resolved<'a>, config: &Config) {
        if let Some((module, field)) = &config.import_memory {
            let (module, field) = (module.clone().into(), field.clone().into());
            self.imports.push(OutImport {
                module,
                field,
                kind: ImportKind::Memory,
                symbol: None,
            });
        }
        if config.import_table {
            if let Some(id) = res.table.find("__indirect_function_table") {
                self.imports.push(OutImport {
                    module: "env".into(),
                    field: "__indirect_function_table".into(),
                    kind: ImportKind::Table { min: 0 },
                    symbol: Some(id),
                });
                self.table_index = 0;
                self.num_table_imports = 1;
            }
        }
        let mut seen_funcs: HashMap<(String, String, FuncType), u32> = HashMap::new();
        let mut seen_globals: HashMap<(String, String), u32> = HashMap::new();
        for (i, sym) in res.table.symbols.iter().enumerate() {
            let id = SymbolId(i as u32);
            if !should_import(sym, inputs, config) {
                continue;
            }
            let Def::Undefined { file, index } = sym.def else {
                continue;
            };
            if !matches!(sym.kind, Kind::Function | Kind::Global | Kind::Tag) {
                continue;
            }
            let obj = inputs.obj(file);
            let (module, field) = sym
                .import
                .unwrap_or_else(|| default_import(obj, &obj.symbols[index as usize], sym.name));
            let (module, field): (std::borrow::Cow<'a, str>, std::borrow::Cow<'a, str>) =
                (module.into(), field.into());
            match sym.kind {
                Kind::Function => {
                    let (sf, ty) = sym.signature.unwrap_or((file, 0));
                    let ty = inputs
                        .obj(sf)
                        .types
                        .get(ty as usize)
                        .cloned()
                        .unwrap_or(FuncType {
                            params: vec![],
                            results: vec![],
                        });
                    // Imports are deduplicated by (module, field, signature).
                    let key = (module.to_string(), field.to_string(), ty.clone());
                    if let Some(&index) = seen_funcs.get(&key) {
                        self.sym_func[id.idx()] = index;
                        continue;
                    }
                    seen_funcs.insert(key, self.num_func_imports);
                    self.sym_func[id.idx()] = self.num_func_imports;
                    self.num_func_imports += 1;
                    self.imports.push(OutImport {
                        module,
                        field,
                        kind: ImportKind::Func { ty, index: 0 },
                        symbol: Some(id),
                    });
                }
                Kind::Tag => self.import_tag(inputs, id, (file, index), (module, field)),
                Kind::Global => {
                    let RawKind::Global { index } = obj.symbols[index as usize].kind else {
                        continue;
                    };
                    let Some(g) = obj.global_imports.get(index as usize) else {
                        continue;
                    };
                    let key = (module.to_string(), field.to_string());
                    if let Some(&index) = seen_globals.get(&key) {
                        self.sym_global[id.idx()] = index;
                        continue;
                    }
                    seen_globals.insert(key, self.num_global_imports);
                    self.sym_global[id.idx()] = self.num_global_imports;
                    self.num_global_imports += 1;
                    self.imports.push(OutImport {
                        module,
                        field,
                        kind: ImportKind::Global(g.ty),
                        symbol: Some(id),
                    });
                }
                _ => {}
            }
        }
    }

    /// Function indices: imports, synthetic functions, then input functions in load order.
    fn assign_functions(
        &mut self,
        inputs: &Inputs<'a>,
        res: &Resolved<'a>,
        live: &Liveness,
        config: &Config,
    ) {
        let mut next = self.num_func_imports;
        if live.call_ctors {
            if let Some(id) = res.table.find("__wasm_call_ctors") {
                self.sym_func[id.idx()] = next;
                self.call_ctors = Some(next);
                self.functions.push(OutFunction::CallCtors);
                next += 1;
            }
        }
        if let Some(id) = res.table.find("__wasm_init_tls") {
            let sym = res.table.get(id);
            if sym.live && sym.def == Def::Synthetic(Synthetic::InitTls) {
                self.sym_func[id.idx()] = next;
                self.functions.push(OutFunction::InitTls);
                next += 1;
            }
        }
        next = self.assign_stubs(inputs, res, next);
        if self.has_init_at_start() {
            self.init_memory = Some(next);
            self.functions.push(OutFunction::InitMemory);
            next += 1;
        }
        if config.shared_memory && self.tls_has_relocs(inputs) {
            self.apply_tls_relocs = Some(next);
            self.functions.push(OutFunction::ApplyTlsRelocs);
            next += 1;
        }
        for &f in &res.loaded {
            let obj = inputs.obj(f);
            for i in 0..obj.functions.len() {
                if live.functions[f.idx()][i] && !res.discarded[f.idx()].functions[i] {
                    self.file_funcs[f.idx()][i] = next;
                    self.functions.push(OutFunction::Input(f, i as u32));
                    next += 1;
                }
            }
        }
        for (i, sym) in res.table.symbols.iter().enumerate() {
            if sym.kind != Kind::Function {
                continue;
            }
            if let Some(idx) = self.defined_function_index(inputs, sym.def) {
                self.sym_func[i] = idx;
            }
            if let Some(stub) = sym.stub {
                self.sym_func[i] = self.sym_func[stub.idx()];
            }
        }
    }

    /// Whether some input segment of `.tdata` has relocations.
    fn tls_has_relocs(&self, inputs: &Inputs<'a>) -> bool {
        let tls = self.segments.iter().filter(|s| s.is_tls());
        tls.flat_map(|s| &s.parts)
            .any(|&(f, i, _)| !inputs.obj(f).segments[i as usize].relocs.is_empty())
    }

    /// Live stubs: signature-mismatch ones, then weak ones, then `undefined_stub`s, each kind
    /// in symbol order (one pass over the table).
    fn assign_stubs(&mut self, inputs: &Inputs<'a>, res: &Resolved<'a>, mut next: u32) -> u32 {
        let mut by_kind: [Vec<usize>; 3] = Default::default();
        for (i, sym) in res.table.symbols.iter().enumerate() {
            let rank = match sym.def {
                Def::Synthetic(Synthetic::SignatureStub) => 0,
                Def::Synthetic(Synthetic::WeakStub) => 1,
                Def::Synthetic(Synthetic::UndefinedStub) => 2,
                _ => continue,
            };
            if sym.live {
                by_kind[rank].push(i);
            }
        }
        for i in by_kind.into_iter().flatten() {
            let sym = &res.table.symbols[i];
            if let Some((f, t)) = sym.signature {
                self.stub_types
                    .insert(SymbolId(i as u32), inputs.obj(f).types[t as usize].clone());
            }
            self.sym_func[i] = next;
            self.functions.push(OutFunction::Stub(SymbolId(i as u32)));
            next += 1;
        }
        next
    }

    fn defined_function_index(&self, inputs: &Inputs<'a>, def: Def) -> Option<u32> {
        let Def::Defined { file, index } = def else {
            return None;
        };
        let obj = inputs.obj(file);
        let RawKind::Function { index } = obj.symbols[index as usize].kind else {
            return None;
        };
        let i = (index as usize).checked_sub(obj.func_imports.len())?;
        let out = *self.file_funcs[file.idx()].get(i)?;
        (out != NONE).then_some(out)
    }

    /// Global indices: imports, `__stack_pointer`, `__tls_base`, then live input globals.
    fn assign_globals(
        &mut self,
        inputs: &Inputs<'a>,
        res: &Resolved<'a>,
        live: &Liveness,
        config: &Config,
    ) {
        let mut next = self.num_global_imports;
        for (name, def) in [
            ("__stack_pointer", OutGlobalDef::StackPointer),
            ("__tls_base", OutGlobalDef::TlsBase),
            ("__tls_size", OutGlobalDef::TlsSize),
            ("__tls_align", OutGlobalDef::TlsAlign),
        ] {
            let Some(id) = res.table.find(name) else {
                continue;
            };
            let sym = res.table.get(id);
            // With shared memory, `__wasm_init_memory` sets `__tls_base`.
            let set_at_start = config.shared_memory && self.init_memory.is_some();
            let live = sym.live || (set_at_start && matches!(def, OutGlobalDef::TlsBase));
            if live && matches!(sym.def, Def::Synthetic(_)) {
                self.sym_global[id.idx()] = next;
                if matches!(def, OutGlobalDef::TlsBase) {
                    self.tls_base_global = next;
                }
                self.globals.push(def);
                next += 1;
            }
        }
        let mut live_globals: Vec<Vec<bool>> = inputs
            .files
            .iter()
            .map(|f| vec![false; f.obj.globals.len()])
            .collect();
        // (symbol, file, defined global index) of every global definition: few, found once.
        let mut defined: Vec<(usize, FileId, usize)> = Vec::new();
        for (s, sym) in res.table.symbols.iter().enumerate() {
            let Def::Defined { file, index } = sym.def else {
                continue;
            };
            if sym.kind != Kind::Global {
                continue;
            }
            let obj = inputs.obj(file);
            if let RawKind::Global { index } = obj.symbols[index as usize].kind {
                if let Some(i) = (index as usize).checked_sub(obj.global_imports.len()) {
                    defined.push((s, file, i));
                    if sym.live || !live.files.is_empty() && !config.gc_sections {
                        live_globals[file.idx()][i] = true;
                    }
                }
            }
        }
        for &f in &res.loaded {
            for (i, &is_live) in live_globals[f.idx()].iter().enumerate() {
                if is_live {
                    self.file_globals[f.idx()][i] = next;
                    self.globals.push(OutGlobalDef::Input(f, i as u32));
                    next += 1;
                }
            }
        }
        for (s, file, g) in defined {
            self.sym_global[s] = self.file_globals[file.idx()][g];
        }
    }

    /// The indirect function table: slots from `--table-base` in scan order.
    fn assign_table(&mut self, res: &Resolved<'a>, slot_order: &[SymbolId], config: &Config) {
        self.table_base = config.table_base as u32;
        self.func_slot = vec![0; self.num_func_imports as usize + self.functions.len()];
        for &id in slot_order {
            let f = self.sym_func[id.idx()];
            if f == NONE || res.table.get(id).is_stub() {
                continue;
            }
            if res.table.get(id).stub.is_some() {
                // Each such function has a slot of its own, holding the shared stub.
                self.stub_slots
                    .insert(id, self.table_base + self.elems.len() as u32);
                self.elems.push(f);
                continue;
            }
            if self.func_slot[f as usize] == 0 {
                self.func_slot[f as usize] = self.table_base + self.elems.len() as u32;
                self.elems.push(f);
            }
        }
        let table_live = res
            .table
            .find("__indirect_function_table")
            .is_some_and(|id| {
                let s = res.table.get(id);
                s.live && s.def == Def::Synthetic(Synthetic::IndirectTable)
            });
        // `--export-table` asks for a table even when nothing uses it (lld's
        // `resolveIndirectFunctionTable`).
        let wanted = table_live || !self.elems.is_empty() || config.export_table;
        if !config.import_table && wanted {
            self.defines_table = true;
            self.table_index = self.num_table_imports;
        }
        let min = u64::from(self.table_base) + self.elems.len() as u64;
        for import in &mut self.imports {
            if let ImportKind::Table { min: m } = &mut import.kind {
                *m = min;
            }
        }
    }

    /// Internal GOT globals follow the input globals.
    fn assign_got(&mut self) {
        for &id in &self.got.clone() {
            self.sym_global[id.idx()] = self.num_global_imports + self.globals.len() as u32;
            self.globals.push(OutGlobalDef::Got(id));
        }
    }

    /// The value of an internal GOT global.
    pub fn got_value(&self, inputs: &Inputs<'a>, res: &Resolved<'a>, id: SymbolId) -> u64 {
        match res.table.get(id).kind {
            Kind::Function => {
                let f = self.sym_func[id.idx()];
                if f == NONE {
                    0
                } else {
                    u64::from(self.func_slot[f as usize])
                }
            }
            _ => self.data_address(inputs, res, id, 0).unwrap_or(0),
        }
    }

    /// The table size: `table_base` plus one slot per address-taken function.
    pub fn table_size(&self) -> u64 {
        u64::from(self.table_base) + self.elems.len() as u64
    }

    /// Constructors of live objects, stable-sorted by priority (lld's `calculateInitFunctions`).
    fn compute_ctors(&mut self, inputs: &Inputs<'a>, res: &Resolved<'a>, errors: &mut Vec<String>) {
        if self.call_ctors.is_none() {
            return;
        }
        let mut ctors: Vec<(u32, u32, usize)> = Vec::new();
        for &f in &res.loaded {
            let obj = inputs.obj(f);
            for init in &obj.init_funcs {
                let Some(&id) = res.file_syms[f.idx()].get(init.symbol as usize) else {
                    continue;
                };
                let sym = res.table.get(id);
                let index = self.sym_func[id.idx()];
                if !sym.live || index == NONE {
                    continue;
                }
                let ty = &self.function_type(inputs, index);
                if !ty.params.is_empty() {
                    errors.push(format!(
                        "constructor functions cannot take arguments: {}",
                        sym.name
                    ));
                }
                ctors.push((init.priority, index, ty.results.len()));
            }
        }
        ctors.sort_by_key(|c| c.0);
        self.ctors = ctors.into_iter().map(|(_, f, r)| (f, r)).collect();
    }

    /// The signature of an output function.
    pub fn function_type(&self, inputs: &Inputs<'a>, index: u32) -> FuncType {
        if index < self.num_func_imports {
            let mut funcs = self.imports.iter().filter_map(|i| match &i.kind {
                ImportKind::Func { ty, .. } => Some(ty),
                _ => None,
            });
            return funcs
                .nth(index as usize)
                .cloned()
                .unwrap_or_else(empty_type);
        }
        match &self.functions[(index - self.num_func_imports) as usize] {
            OutFunction::Input(f, i) => {
                let obj = inputs.obj(*f);
                obj.types[obj.functions[*i as usize].type_index as usize].clone()
            }
            OutFunction::CommandExport { target, .. } => self.function_type(inputs, *target),
            OutFunction::Stub(id) => self.stub_types.get(id).cloned().unwrap_or_else(empty_type),
            OutFunction::CallCtors | OutFunction::InitMemory | OutFunction::ApplyTlsRelocs => {
                empty_type()
            }
            OutFunction::InitTls => FuncType {
                params: vec![address_type(false)],
                results: vec![],
            },
        }
    }

    /// Wraps every exported function in `<name>.command_export` (ctors, call, dtors) when the
    /// inputs do not call `__wasm_call_ctors` themselves (lld's `createCommandExportWrappers`).
    fn compute_command_exports(&mut self, res: &mut Resolved<'a>, config: &Config) {
        self.call_dtors = res
            .call_dtors
            .map(|id| self.sym_func[id.idx()])
            .filter(|&f| f != NONE);
        let Some(cc) = res.table.find("__wasm_call_ctors") else {
            return;
        };
        let cc = res.table.get(cc);
        if cc.used_in_regular
            || cc.is_exported(config)
            || (self.ctors.is_empty() && self.call_dtors.is_none())
        {
            return;
        }
        let mut next = self.num_func_imports + self.functions.len() as u32;
        for i in 0..res.table.symbols.len() {
            let sym = &res.table.symbols[i];
            let target = self.sym_func[i];
            // lld wraps every exported `DefinedFunction`, its own `__wasm_init_tls` included.
            let is_input_fn = matches!(
                sym.def,
                Def::Defined { .. } | Def::Synthetic(Synthetic::InitTls)
            ) && sym.kind == Kind::Function;
            if !sym.global
                || !sym.live
                || !is_input_fn
                || target == NONE
                || !sym.is_exported(config)
            {
                continue;
            }
            self.functions.push(OutFunction::CommandExport {
                target,
                symbol: SymbolId(i as u32),
            });
            self.func_slot.push(0);
            self.wrappers.push((SymbolId(i as u32), next));
            next += 1;
        }
    }

    /// Types in lld's order: relocation types per file, then imported and defined signatures.
    fn register_types(&mut self, inputs: &Inputs<'a>, used: &[(FileId, u32)]) {
        for &(f, i) in used {
            if let Some(ty) = inputs.obj(f).types.get(i as usize) {
                self.file_types[f.idx()][i as usize] = self.intern_type(ty);
            }
        }
        let mut imports = std::mem::take(&mut self.imports);
        for import in &mut imports {
            if let ImportKind::Func { ty, index } | ImportKind::Tag { ty, index } = &mut import.kind
            {
                *index = self.intern_type(ty);
            }
        }
        self.imports = imports;
        for i in 0..self.functions.len() {
            let t = match self.functions[i] {
                // Most functions: one lookup per (file, type), not a clone and a hash each.
                OutFunction::Input(f, i) => {
                    let obj = inputs.obj(f);
                    let ty = obj.functions[i as usize].type_index as usize;
                    match self.file_types[f.idx()].get(ty).copied() {
                        Some(t) if t != NONE => t,
                        _ => {
                            let t = self.intern_type(&obj.types[ty]);
                            if let Some(slot) = self.file_types[f.idx()].get_mut(ty) {
                                *slot = t;
                            }
                            t
                        }
                    }
                }
                _ => {
                    let ty = self.function_type(inputs, self.num_func_imports + i as u32);
                    self.intern_type(&ty)
                }
            };
            self.function_types.push(t);
        }
        self.register_tag_types(inputs);
    }

    /// Exports: the memory, then every live exported symbol in symbol-table order; data symbols
    /// get an immutable global holding their address (lld's `calculateExports`).
    fn compute_exports(&mut self, inputs: &Inputs<'a>, res: &Resolved<'a>, config: &Config) {
        let memory_export = match (&config.export_memory, &config.import_memory) {
            (Some(name), _) => Some(name.clone()),
            (None, Some(_)) => None,
            (None, None) => Some("memory".to_string()),
        };
        if let Some(name) = memory_export {
            self.exports.push(OutExport {
                name,
                kind: 2,
                index: 0,
            });
        }
        let wrappers: HashMap<SymbolId, u32> = self.wrappers.iter().copied().collect();
        for (i, sym) in res.table.symbols.iter().enumerate() {
            let id = SymbolId(i as u32);
            if !sym.global || !sym.live || !sym.is_defined() {
                continue;
            }
            if !sym.is_exported(config) || sym.is_stub() {
                continue;
            }
            if wrappers.contains_key(&id) {
                continue;
            }
            let export = match sym.kind {
                Kind::Function => {
                    let index = self.sym_func[i];
                    let name = export_name(inputs, sym.def).unwrap_or(sym.name);
                    (index != NONE).then(|| OutExport {
                        name: name.to_string(),
                        kind: 0,
                        index,
                    })
                }
                Kind::Global => {
                    // wasm-ld keeps its own mutable globals private unless exported by name.
                    let synthetic_mutable = match sym.def {
                        Def::Synthetic(Synthetic::StackPointer) => true,
                        Def::Synthetic(Synthetic::TlsBase) => config.shared_memory,
                        _ => false,
                    };
                    let index = self.sym_global[i];
                    (index != NONE && (!synthetic_mutable || sym.export_explicit)).then(|| {
                        OutExport {
                            name: sym.name.to_string(),
                            kind: 3,
                            index,
                        }
                    })
                }
                Kind::Data => {
                    let index = self.num_global_imports + self.globals.len() as u32;
                    let va = self.data_address(inputs, res, id, 0).unwrap_or(0);
                    self.globals.push(OutGlobalDef::DataAddress(va));
                    Some(OutExport {
                        name: sym.name.to_string(),
                        kind: 3,
                        index,
                    })
                }
                Kind::Tag => self.tag_export(id, sym.name),
                Kind::Table if self.table_index != NONE => Some(OutExport {
                    name: sym.name.to_string(),
                    kind: 1,
                    index: self.table_index,
                }),
                _ => None,
            };
            self.exports.extend(export);
        }
        if config.export_all {
            self.export_late_synthetics();
        }
        // Wrappers are symbols the linker added last, so their exports come last.
        for &(id, index) in &self.wrappers {
            let name = export_name(inputs, res.table.get(id).def).unwrap_or(res.table.get(id).name);
            self.exports.push(OutExport {
                name: name.to_string(),
                kind: 0,
                index,
            });
        }
        if config.export_table
            && !self.exports.iter().any(|e| e.kind == 1)
            && self.table_index != NONE
        {
            self.exports.push(OutExport {
                name: "__indirect_function_table".into(),
                kind: 1,
                index: self.table_index,
            });
        }
    }

    /// `--export-all` also exports the symbols wasm-ld creates while writing, in its order:
    /// `__wasm_init_memory_flag`, `__wasm_init_memory`, `__wasm_apply_tls_relocs`.
    fn export_late_synthetics(&mut self) {
        if let Some(flag) = self.init_memory_flag {
            let index = self.num_global_imports + self.globals.len() as u32;
            self.globals.push(OutGlobalDef::DataAddress(flag));
            self.exports.push(OutExport {
                name: "__wasm_init_memory_flag".into(),
                kind: 3,
                index,
            });
        }
        for (name, index) in [
            ("__wasm_init_memory", self.init_memory),
            ("__wasm_apply_tls_relocs", self.apply_tls_relocs),
        ] {
            if let Some(index) = index {
                self.exports.push(OutExport {
                    name: name.into(),
                    kind: 0,
                    index,
                });
            }
        }
    }

    /// Without `mutable-globals`, importing a mutable global or exporting a global is an error
    /// (lld's `checkImportExportTargetFeatures`).
    pub fn check_global_features(&self, config: &Config) -> Vec<String> {
        let imported = self.imports.iter().filter_map(|i| match &i.kind {
            ImportKind::Global(g) if g.mutable => Some(i.field.to_string()),
            _ => None,
        });
        let exported = self.exports.iter().filter_map(|e| {
            let defined = (e.kind == 3).then(|| e.index.checked_sub(self.num_global_imports));
            match defined {
                Some(Some(i)) => match self.globals.get(i as usize) {
                    Some(OutGlobalDef::DataAddress(..)) => None,
                    _ => Some(e.name.clone()),
                },
                Some(None) => Some(e.name.clone()),
                None => None,
            }
        });
        crate::features::check_globals(&self.features, config, imported, exported)
    }

    /// The address of a defined data symbol (`offset` added before merged-string lookup).
    pub fn data_address(
        &self,
        inputs: &Inputs<'a>,
        res: &Resolved<'a>,
        id: SymbolId,
        addend: i64,
    ) -> Option<u64> {
        let sym = res.table.get(id);
        match sym.def {
            Def::Defined { file, index } => {
                let obj = inputs.obj(file);
                let RawKind::Data { def: Some(def) } = obj.symbols[index as usize].kind else {
                    return None;
                };
                if obj.symbols[index as usize].flags.is_absolute() {
                    return Some(def.offset.wrapping_add(addend as u64));
                }
                let offset = def.offset.wrapping_add(addend as u64);
                let va = self.segment_address(file, def.segment, offset)?;
                // With shared memory a thread-local symbol's "address" is its offset in `.tdata`
                // (lld's `DefinedData::getVA`), for relocations and exports alike.
                if self.tls_relative && self.in_tls_segment(file, def.segment) {
                    return Some(va.wrapping_sub(self.synth.tls_base));
                }
                Some(va)
            }
            Def::Synthetic(s) => Some(self.synthetic_address(s)?.wrapping_add(addend as u64)),
            Def::Undefined { .. } => Some(
                self.start_stop_address(sym.name)?
                    .wrapping_add(addend as u64),
            ),
            _ => None,
        }
    }

    /// Whether input segment `seg` of `file` went to `.tdata`.
    fn in_tls_segment(&self, file: FileId, seg: u32) -> bool {
        let out = match self.placements[file.idx()].get(seg as usize) {
            Some(Placement::Plain { seg, .. } | Placement::Merged { seg, .. }) => *seg,
            _ => return false,
        };
        self.segments
            .get(out as usize)
            .is_some_and(OutSegment::is_tls)
    }

    /// The value of a `MEMORY_ADDR_TLS_*` relocation: the offset from `__tls_base`.
    ///
    /// Without shared memory, wasm-ld 19 writes the absolute address here, so `__tls_base` is
    /// added twice at run time (fixed in LLVM 20, llvm-project#116136); we write the offset.
    pub fn tls_offset(&self, address: u64) -> u64 {
        if self.tls_relative {
            address
        } else {
            address.wrapping_sub(self.synth.tls_base)
        }
    }

    /// `__start_<seg>` / `__stop_<seg>`: the bounds of an output segment whose name is a C
    /// identifier (lld's `addStartStopSymbols`); `None` for any other name.
    pub fn start_stop_address(&self, name: &str) -> Option<u64> {
        let (seg, stop) = match (name.strip_prefix("__start_"), name.strip_prefix("__stop_")) {
            (Some(seg), _) => (seg, false),
            (_, Some(seg)) => (seg, true),
            _ => return None,
        };
        let s = self
            .segments
            .iter()
            .find(|s| s.name == seg && is_c_identifier(&s.name))?;
        Some(if stop { s.va + s.size } else { s.va })
    }

    /// The address of `offset` within input segment `seg` of `file`.
    pub fn segment_address(&self, file: FileId, seg: u32, offset: u64) -> Option<u64> {
        match self.placements[file.idx()].get(seg as usize)? {
            Placement::None => None,
            Placement::Plain { seg, offset: at } => {
                Some(self.segments[*seg as usize].va + at + offset)
            }
            Placement::Merged { seg, pieces } => {
                let k = pieces
                    .partition_point(|&(inp, _)| u64::from(inp) <= offset)
                    .checked_sub(1)?;
                let (inp, out) = pieces[k];
                Some(self.segments[*seg as usize].va + out + (offset - u64::from(inp)))
            }
        }
    }

    fn synthetic_address(&self, s: Synthetic) -> Option<u64> {
        let v = &self.synth;
        Some(match s {
            Synthetic::HeapBase => v.heap_base,
            Synthetic::HeapEnd => v.heap_end,
            Synthetic::DataEnd => v.data_end,
            Synthetic::DsoHandle | Synthetic::GlobalBase => v.global_base,
            Synthetic::StackLow => v.stack_low,
            Synthetic::StackHigh => v.stack_high,
            Synthetic::MemoryBase => 0,
            Synthetic::TableBase => u64::from(self.table_base),
            _ => return None,
        })
    }
}

fn empty_type() -> FuncType {
    FuncType {
        params: vec![],
        results: vec![],
    }
}

/// The `export_name` of a defined function, from its object's export section.
fn export_name<'a>(inputs: &Inputs<'a>, def: Def) -> Option<&'a str> {
    let Def::Defined { file, index } = def else {
        return None;
    };
    let obj = inputs.obj(file);
    let RawKind::Function { index } = obj.symbols[index as usize].kind else {
        return None;
    };
    obj.export_names
        .iter()
        .find(|(i, _)| *i == index)
        .map(|(_, n)| *n)
}

/// Whether an undefined symbol becomes an import (lld's `shouldImport`, non-PIC).
pub(crate) fn should_import(
    sym: &crate::symbols::Symbol<'_>,
    inputs: &Inputs<'_>,
    config: &Config,
) -> bool {
    if !sym.global || sym.kind == Kind::Data || !sym.live || !sym.used_in_regular {
        return false;
    }
    if !matches!(sym.def, Def::Undefined { .. }) || sym.is_weak() {
        return false;
    }
    config.import_undefined
        || config.unresolved == crate::config::UnresolvedPolicy::ImportDynamic
        || config.allow_undefined_symbols.iter().any(|s| s == sym.name)
        || inputs.allowed_undefined.iter().any(|s| s == sym.name)
        || sym.import.is_some()
}

/// Module and field of an import without an explicit name: the object's import module and the
/// symbol name.
fn default_import<'a>(
    obj: &wasm_object::object::Object<'a>,
    s: &wasm_format::linking::SymbolInfo<'a>,
    name: &'a str,
) -> (&'a str, &'a str) {
    (
        obj.symbol_import(s).map_or("env", |(module, _)| module),
        name,
    )
}

/// The output segment an input segment joins (lld's `getOutputDataSegmentName`).
pub fn output_segment_name(name: &str, tls: bool, merge: bool) -> &str {
    if tls || name.starts_with(".tdata") || name.starts_with(".tbss") {
        return ".tdata";
    }
    if !merge {
        return name;
    }
    for prefix in [".text.", ".data.", ".bss.", ".rodata."] {
        if name.starts_with(prefix) {
            return &prefix[..prefix.len() - 1];
        }
    }
    name
}

/// Whether `name` could be a C identifier (so `__start_<name>` can be written in C).
pub fn is_c_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c == '_' || c.is_ascii_alphabetic())
        && chars.all(|c| c == '_' || c.is_ascii_alphanumeric())
}

fn segment_rank(name: &str) -> u8 {
    if name.starts_with(".tdata") {
        0
    } else if name.starts_with(".rodata") {
        1
    } else if name.starts_with(".data") {
        2
    } else if name.starts_with(".bss") {
        4
    } else {
        3
    }
}

fn is_table_reloc(ty: RelocType) -> bool {
    matches!(
        ty,
        RelocType::TableIndexSleb
            | RelocType::TableIndexI32
            | RelocType::TableIndexSleb64
            | RelocType::TableIndexI64
            | RelocType::TableIndexRelSleb
            | RelocType::TableIndexRelSleb64
    )
}

/// Rounds `v` up to a multiple of `align` (a power of two).
pub fn align_to(v: u64, align: u64) -> u64 {
    (v + align - 1) & !(align - 1)
}

/// The value type of `__stack_pointer` and address globals.
pub fn address_type(memory64: bool) -> ValType {
    if memory64 {
        ValType::I64
    } else {
        ValType::I32
    }
}
