//! Layout: every output index space and linear memory, in wasm-ld 19's order.
//!
//! Takes the resolved and marked inputs and gives the output's types, imports, functions,
//! globals, table slots, data segments with their addresses, exports and constructors, plus
//! per-symbol lookups that relocation needs (function index, global index, table slot,
//! address). Nothing is written here.

use crate::address::AddressWidth;
use crate::config::Config;
use crate::diagnostic::{errors as errors_of, Code, Errors};
use crate::features::Features;
use crate::ids::{FileId, OutFunc, OutGlobal, OutTable, OutTag, OutType, SymbolId, SymbolMap};
use crate::inputs::Inputs;
use crate::mark::Liveness;
use crate::merge::MergedStrings;
use crate::resolve::Resolved;
use crate::symbols::{Def, Kind, Synthetic};
use crate::undefined::Stubs;
use rayon::prelude::*;
use std::collections::HashMap;
use wasm_format::linking::SymbolKind as RawKind;
use wasm_format::reloc::{RelocTarget, RelocType};
use wasm_format::types::{FuncType, GlobalType, TableType};
use wasm_object::ids::{DefinedFunc, DefinedGlobal, DefinedTag};

mod exports;
mod indices;
mod memory;
pub mod pic;
mod tables;
mod tags;

pub(crate) use indices::should_import;
pub use memory::{is_c_identifier, output_segment_name};

const PAGE: u64 = 65536;

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
        index: OutType,
    },
    /// A global.
    Global(GlobalType),
    /// A table: an input's, or the indirect function table (whose limits layout sets).
    Table(TableType),
    /// Linear memory.
    Memory,
    /// An exception tag with this signature and output type index.
    Tag {
        /// The signature.
        ty: FuncType,
        /// Its output type index.
        index: OutType,
    },
}

/// A defined output function.
#[derive(Clone, Debug)]
pub enum OutFunction {
    /// `__wasm_call_ctors`.
    CallCtors,
    /// A trapping stub: a called weak undefined function or a mismatched signature.
    Stub(SymbolId),
    /// A trapping `undefined_stub`, index into [`Stubs::signatures`].
    UndefinedStub(usize),
    /// An input function.
    Input(FileId, DefinedFunc),
    /// `__wasm_init_tls(ptr)`: sets `__tls_base` and copies `.tdata` there (shared memory).
    InitTls,
    /// `__wasm_init_memory`, the start function: initialises passive segments and zeroes
    /// `.bss` of an imported memory.
    InitMemory,
    /// `__wasm_apply_global_tls_relocs`: points the internal GOT globals of thread-local
    /// symbols at this thread's copy (shared memory; called by `__wasm_init_tls`).
    ApplyGlobalTlsRelocs,
    /// `__wasm_apply_tls_relocs`: runtime relocations of `.tdata` (none without PIC).
    ApplyTlsRelocs,
    /// `__wasm_apply_data_relocs` (PIC): stores run-time addresses into the data.
    ApplyDataRelocs,
    /// `__wasm_apply_global_relocs` (PIC), a start function: sets the internal GOT globals
    /// from `__memory_base` and `__table_base`.
    ApplyGlobalRelocs,
    /// `__wasm_start` (PIC with passive segments): calls `__wasm_apply_global_relocs`, then
    /// `__wasm_init_memory`.
    Start,
    /// `<name>.command_export`: ctors, the function, dtors.
    CommandExport {
        /// The wrapped function's output index.
        target: OutFunc,
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
    Input(FileId, DefinedGlobal),
    /// `GOT.data.internal.X` / `GOT.func.internal.X`: the address or table slot of a symbol.
    Got(SymbolId),
    /// An immutable global holding an exported data symbol's address.
    DataAddress(u64),
}

/// A defined output table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OutTableDef {
    /// An input's table: (file, index among the file's defined tables).
    Input(FileId, u32),
    /// The indirect function table the linker defines.
    Indirect,
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
    /// Split into merged strings: chunk `chunk` of the merged strings `merged` of output
    /// segment `seg`, which map its pieces to their offsets.
    Merged {
        /// Output segment index.
        seg: u32,
        /// Index into the segment's `merged`.
        merged: u32,
        /// The input segment's index among the chunks merged there.
        chunk: u32,
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
    /// An empty active segment with this name and alignment, in the data section.
    pub fn new(name: String, p2align: u32) -> OutSegment {
        OutSegment {
            name,
            p2align,
            va: 0,
            size: 0,
            parts: Vec::new(),
            merged: Vec::new(),
            in_binary: true,
            passive: false,
            init_at_start: false,
        }
    }

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
    /// What it exports.
    pub item: Exported,
}

/// What an export names, in its index space.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exported {
    /// A function.
    Func(OutFunc),
    /// A table.
    Table(OutTable),
    /// The memory.
    Memory,
    /// A global.
    Global(OutGlobal),
    /// A tag.
    Tag(OutTag),
}

/// The computed layout.
pub struct Layout<'a> {
    /// Types, deduplicated.
    pub types: Vec<FuncType>,
    type_ids: rustc_hash::FxHashMap<FuncType, OutType>,
    /// Per file, per input type: its output type, if used.
    pub file_types: Vec<Vec<Option<OutType>>>,
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
    pub function_types: Vec<OutType>,
    /// Per file, per defined function: its output index, if it is in the output.
    pub file_funcs: Vec<Vec<Option<OutFunc>>>,
    /// Per symbol: its output function, if it names one.
    pub sym_func: SymbolMap<OutFunc>,
    /// Defined globals.
    pub globals: Vec<OutGlobalDef>,
    /// Per file, per defined global: its output index, if it is in the output.
    pub file_globals: Vec<Vec<Option<OutGlobal>>>,
    /// Per symbol: its output global (its own, or its GOT entry), if any.
    pub sym_global: SymbolMap<OutGlobal>,
    /// Defined tables, in output order (after the imported ones).
    pub tables: Vec<OutTableDef>,
    /// The indirect function table, if the output has one (imported or defined).
    pub indirect_table: Option<OutTable>,
    /// The output table of each symbol that names one.
    pub sym_table: rustc_hash::FxHashMap<SymbolId, OutTable>,
    /// Functions in table-slot order, starting at `table_base`.
    pub elems: Vec<OutFunc>,
    /// Per output function: its table slot (or 0).
    pub func_slot: Vec<u32>,
    /// First table slot.
    pub table_base: u32,
    /// Output data segments in address order.
    pub segments: Vec<OutSegment>,
    /// Per file, per segment: where it went.
    pub placements: Vec<Vec<Placement>>,
    /// 32- or 64-bit addresses: how every address is encoded.
    pub address: AddressWidth,
    /// Initial memory pages.
    pub memory_pages: u64,
    /// Maximum memory pages.
    pub memory_max: Option<u64>,
    /// Values of synthetic data symbols and globals.
    pub synth: SyntheticValues,
    /// Constructors, in call order (output function indices, with result counts to drop).
    pub ctors: Vec<(OutFunc, usize)>,
    /// Exports, in order.
    pub exports: Vec<OutExport>,
    /// `__wasm_call_dtors`, if libc defines it.
    pub call_dtors: Option<OutFunc>,
    /// `__wasm_call_ctors`'s index if it is emitted.
    pub call_ctors: Option<OutFunc>,
    /// Exported functions wrapped in `.command_export`: (symbol, wrapper index).
    pub wrappers: Vec<(SymbolId, OutFunc)>,
    /// Symbols that `global.get` reads through an internal GOT global, in scan order.
    pub got: Vec<SymbolId>,
    /// What `__wasm_apply_global_tls_relocs` sets: (GOT global index, offset from
    /// `__tls_base`) of each defined thread-local symbol, in GOT order.
    pub tls_got: Vec<(OutGlobal, u64)>,
    /// The definitions of the globals and tables a shared library both imports and defines
    /// (its weak definitions): what their exports name.
    pub own_definition: HashMap<SymbolId, Exported>,
    /// Symbols read through imported `GOT.mem`/`GOT.func` globals (PIC), in import order.
    pub got_imports: Vec<SymbolId>,
    /// What `dylink.0` reports about the static data (PIC).
    pub dylink_memory: pic::DylinkMemory,
    /// File names of the shared library inputs, in command-line order (`dylink.0`'s
    /// `NEEDED`).
    pub needed: Vec<String>,
    /// `__wasm_apply_global_relocs` (PIC).
    pub apply_global_relocs: Option<OutFunc>,
    /// `__wasm_start`, when the PIC start function must call two.
    pub start: Option<OutFunc>,
    /// What `__wasm_apply_global_relocs` sets: each internal GOT global of a PIC output,
    /// from its base and offset.
    pub pic_got: Vec<(OutGlobal, pic::Base, u64)>,
    /// The imported `__memory_base` (PIC).
    pub memory_base: Option<OutGlobal>,
    /// The imported `__table_base` (PIC).
    pub table_base_global: Option<OutGlobal>,
    /// Signatures of weak stubs: (symbol → signature).
    pub stub_types: HashMap<SymbolId, FuncType>,
    /// Signature of each `undefined_stub`.
    pub undefined_stub_types: Vec<FuncType>,
    /// The output's target features.
    pub features: Features,
    /// `__wasm_init_memory`, the start function, if some segment is initialised at start.
    pub init_memory: Option<OutFunc>,
    /// `__wasm_apply_global_tls_relocs`, called by `__wasm_init_tls`.
    pub apply_global_tls_relocs: Option<OutFunc>,
    /// `__wasm_apply_tls_relocs`, called by `__wasm_init_tls`.
    pub apply_tls_relocs: Option<OutFunc>,
    /// `__wasm_init_memory_flag`: the address threads race on to initialise memory once.
    pub init_memory_flag: Option<u64>,
    /// `__tls_base`, if the output defines it.
    pub tls_base_global: Option<OutGlobal>,
    /// Thread-local symbols are offsets into `.tdata` (shared memory), not addresses.
    pub tls_relative: bool,
    /// Imported tag count.
    pub num_tag_imports: u32,
    /// Defined tags, in output order.
    pub tags: Vec<(FileId, DefinedTag)>,
    /// Output type of each defined tag.
    pub tag_types: Vec<OutType>,
    /// Per file, per defined tag: its output index, if it is in the output.
    pub file_tags: Vec<Vec<Option<OutTag>>>,
    /// Per symbol: its output tag, if any.
    pub sym_tag: SymbolMap<OutTag>,
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
    /// (start, stop) of each segment in [`Resolved::start_stop_segments`].
    pub segment_bounds: Vec<(u64, u64)>,
}

/// Computes the layout.
pub fn layout<'a>(
    inputs: &Inputs<'a>,
    res: &Resolved<'a>,
    live: &Liveness,
    stubs: &Stubs,
    features: Features,
    config: &Config,
) -> Result<Layout<'a>, Errors> {
    let mut l = Layout::empty(inputs, res, features);
    l.address = AddressWidth::of(config);
    l.tls_relative = config.shared_memory;
    let (mut memory, mut symbols) = (Vec::new(), Vec::new());
    // The relocation scan needs nothing of the memory layout: it runs beside its serial parts.
    let ((), mut scan) = rayon::join(
        || {
            l.place_segments(inputs, res, live, config);
            l.plan_segment_init(config);
            l.layout_memory(res, config, &mut memory);
            l.bound_segments(res);
            l.combine_segments(config);
        },
        || indices::scan_relocations(inputs, res, live, config),
    );
    l.needed = pic::needed(inputs);
    l.got = std::mem::take(&mut scan.got);
    let called_directly = pic::called_directly(inputs, res, config);
    l.compute_imports(inputs, res, live, &called_directly, config);
    l.import_got(res, &scan.got_imports);
    l.assign_functions(inputs, res, live, stubs, config);
    l.assign_globals(inputs, res, live, config);
    l.assign_tags(inputs, res, live);
    let define_indirect = l.assign_table(res, live, stubs, &scan.slot_order, config);
    l.assign_tables(inputs, res, live, define_indirect, &mut symbols);
    l.assign_got(inputs, res, config);
    l.compute_ctors(inputs, res, live, &mut symbols);
    l.compute_command_exports(res, live, config);
    l.register_types(inputs, &scan.used_types);
    l.compute_exports(inputs, res, live, config);
    let mut errors = errors_of(Code::Memory, memory);
    errors.extend(errors_of(Code::Input, scan.errors));
    errors.extend(errors_of(Code::SymbolMismatch, symbols));
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
                .map(|f| vec![None; f.obj.types.len()])
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
                .map(|f| vec![None; f.obj.functions.len()])
                .collect(),
            sym_func: SymbolMap::new(nsym),
            globals: Vec::new(),
            file_globals: inputs
                .files
                .iter()
                .map(|f| vec![None; f.obj.globals.len()])
                .collect(),
            sym_global: SymbolMap::new(nsym),
            tables: Vec::new(),
            indirect_table: None,
            sym_table: Default::default(),
            elems: Vec::new(),
            func_slot: Vec::new(),
            table_base: 1,
            segments: Vec::new(),
            placements: vec![Vec::new(); n],
            address: AddressWidth::W32,
            memory_pages: 0,
            memory_max: None,
            synth: SyntheticValues::default(),
            ctors: Vec::new(),
            exports: Vec::new(),
            call_dtors: None,
            call_ctors: None,
            wrappers: Vec::new(),
            got: Vec::new(),
            got_imports: Vec::new(),
            own_definition: HashMap::new(),
            dylink_memory: Default::default(),
            needed: Vec::new(),
            apply_global_relocs: None,
            start: None,
            pic_got: Vec::new(),
            memory_base: None,
            table_base_global: None,
            tls_got: Vec::new(),
            stub_types: HashMap::new(),
            undefined_stub_types: Vec::new(),
            features,
            init_memory: None,
            apply_global_tls_relocs: None,
            apply_tls_relocs: None,
            init_memory_flag: None,
            tls_base_global: None,
            tls_relative: false,
            num_tag_imports: 0,
            tags: Vec::new(),
            tag_types: Vec::new(),
            file_tags: inputs
                .files
                .iter()
                .map(|f| vec![None; f.obj.tags.len()])
                .collect(),
            sym_tag: SymbolMap::new(nsym),
            stub_slots: HashMap::new(),
        }
    }

    /// What defined function `index` is (`None` for an import).
    pub fn defined_function(&self, index: OutFunc) -> Option<&OutFunction> {
        let k = index.0.checked_sub(self.num_func_imports)?;
        self.functions.get(k as usize)
    }

    /// What defined global `index` is (`None` for an import).
    pub fn defined_global(&self, index: OutGlobal) -> Option<&OutGlobalDef> {
        let k = index.0.checked_sub(self.num_global_imports)?;
        self.globals.get(k as usize)
    }

    /// The output type index of a signature, adding it if new.
    pub fn intern_type(&mut self, ty: &FuncType) -> OutType {
        if let Some(&i) = self.type_ids.get(ty) {
            return i;
        }
        let i = OutType(self.types.len() as u32);
        self.types.push(ty.clone());
        self.type_ids.insert(ty.clone(), i);
        i
    }
}

fn empty_type() -> FuncType {
    FuncType {
        params: vec![],
        results: vec![],
    }
}

/// Rounds `v` up to a multiple of `align` (a power of two), wrapping past `u64::MAX` as
/// LLVM's `alignTo` does.
pub fn align_to(v: u64, align: u64) -> u64 {
    v.wrapping_add(align - 1) & !(align - 1)
}
