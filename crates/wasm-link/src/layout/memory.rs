//! Linear memory: output data segments (grouping, string merging, passive initialisation), the
//! stack and heap, and the address of every data symbol.

use super::*;
use wasm_object::ids::Definition;

impl<'a> Layout<'a> {
    /// Groups live input segments into output segments by name, sorts them by kind and merges
    /// string segments (lld's `createOutputSegments`).
    pub(super) fn place_segments(
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
            let in_comdat = comdat_segments(obj, config);
            for (i, seg) in obj.segments.iter().enumerate() {
                // Like functions, a discarded segment is kept when live (`--no-gc-sections`).
                if !live.segments[f.idx()][i] {
                    continue;
                }
                let name =
                    output_segment_name(seg.name, seg.flags.is_tls(), config.merge_data_segments);
                // A relocatable output keeps each COMDAT segment apart, so that the final link
                // can keep or drop it alone.
                let g = if in_comdat.binary_search(&(i as u32)).is_ok() {
                    groups.push((name, Vec::new()));
                    groups.len() - 1
                } else {
                    *by_name.entry(name).or_insert_with(|| {
                        groups.push((name, Vec::new()));
                        groups.len() - 1
                    })
                };
                groups[g].1.push((f, i as u32));
            }
        }
        groups.sort_by_key(|(name, _)| segment_rank(name));
        for (index, (name, members)) in groups.into_iter().enumerate() {
            let seg = self.build_segment(inputs, name.to_string(), &members, index as u32, config);
            self.segments.push(seg);
        }
    }

    pub(super) fn build_segment(
        &mut self,
        inputs: &Inputs<'a>,
        name: String,
        members: &[(FileId, u32)],
        index: u32,
        config: &Config,
    ) -> OutSegment {
        let mut out = OutSegment::new(name, 0);
        let mergeable = |f: FileId, i: u32| {
            let s = &inputs.obj(f).segments[i as usize];
            config.opt_level > 0 && s.p2align == 0 && s.flags.is_strings()
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
                        self.placements[mf.idx()][mi as usize] = Placement::Merged {
                            seg: index,
                            merged: out.merged.len() as u32,
                            chunk: k as u32,
                        };
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
    pub(super) fn plan_segment_init(&mut self, config: &Config) {
        let emit_bss = self.features.emit_bss(config);
        for seg in &mut self.segments {
            // A relocatable output keeps `.bss` too: its symbols and relocations point into it.
            seg.in_binary = !seg.is_bss() || emit_bss || config.relocatable;
            seg.passive = config.shared_memory;
            seg.init_at_start = seg.passive || (config.import_memory.is_some() && !seg.in_binary);
        }
    }

    /// Whether `__wasm_init_memory` is needed.
    pub fn has_init_at_start(&self) -> bool {
        self.segments.iter().any(|s| s.init_at_start)
    }

    /// Places the stack, the data segments and the heap, and sizes the memory (lld's
    /// `layoutMemory`, with its checks and messages, in its order). Addresses wrap as in lld;
    /// the checks keep a valid module from depending on it.
    pub(super) fn layout_memory(
        &mut self,
        res: &Resolved<'a>,
        config: &Config,
        errors: &mut Vec<String>,
    ) {
        let mut ptr = 0u64;
        if config.stack_first {
            self.place_stack(&mut ptr, config, errors);
            if let Some(base) = config.global_base {
                if base < ptr {
                    // wasm-ld stops laying out memory here.
                    errors.push(
                        "--global-base cannot be less than stack size when --stack-first is used"
                            .into(),
                    );
                    return;
                }
                ptr = base;
            }
        } else {
            // A relocatable output's data starts at 0: the final link places it; a PIC
            // output's is at `__memory_base`.
            let default = if config.relocatable || config.pic {
                0
            } else {
                1024
            };
            ptr = config.global_base.unwrap_or(default);
        }
        self.synth.global_base = ptr;
        ptr = self.place_segments_in_memory(ptr, config);
        self.synth.data_end = ptr;
        if !config.stack_first {
            self.place_stack(&mut ptr, config, errors);
        }
        // lld aligns only when `__heap_base` exists, that is when something references it.
        let heap_base = res.table.find("__heap_base");
        if heap_base.is_some_and(|id| res.table.get(id).def == Def::Synthetic(Synthetic::HeapBase))
        {
            ptr = align_to(ptr, 16);
        }
        self.synth.heap_base = ptr;
        ptr = self.initial_size(ptr, config, errors);
        self.memory_pages = ptr / PAGE;
        self.synth.heap_end = ptr;
        self.memory_max = self.max_pages(config, ptr, errors);
    }

    /// Gives each output segment its address from `ptr` on, then room for
    /// `__wasm_init_memory_flag`; returns the end of the static data.
    fn place_segments_in_memory(&mut self, mut ptr: u64, config: &Config) -> u64 {
        for seg in &mut self.segments {
            ptr = align_to(ptr, 1 << seg.p2align);
            seg.va = ptr;
            if seg.is_tls() {
                self.synth.tls_base = ptr;
                self.synth.tls_size = seg.size;
                self.synth.tls_align = 1 << seg.p2align;
            }
            ptr = ptr.wrapping_add(seg.size);
        }
        if config.shared_memory && self.has_init_at_start() {
            ptr = align_to(ptr, 4);
            self.init_memory_flag = Some(ptr);
            ptr = ptr.wrapping_add(4);
        }
        ptr
    }

    /// The initial memory size in bytes, a whole number of pages: from `ptr` (the heap base)
    /// plus `--initial-heap`, or `--initial-memory`, each checked against the largest memory.
    fn initial_size(&self, mut ptr: u64, config: &Config, errors: &mut Vec<String>) -> u64 {
        let limit = self.address.max_memory();
        if let Some(heap) = config.initial_heap {
            if heap % PAGE != 0 {
                errors.push(format!("initial heap must be {PAGE}-byte aligned"));
            }
            let max_heap = limit.wrapping_sub(ptr);
            if heap > max_heap {
                errors.push(format!(
                    "initial heap too large, cannot be greater than {max_heap}"
                ));
            }
            ptr = ptr.wrapping_add(heap);
        }
        if let Some(initial) = config.initial_memory {
            if initial % PAGE != 0 {
                errors.push(format!("initial memory must be {PAGE}-byte aligned"));
            }
            if ptr > initial {
                errors.push(format!("initial memory too small, {ptr} bytes needed"));
            }
            if initial > limit {
                errors.push(format!(
                    "initial memory too large, cannot be greater than {limit}"
                ));
            }
            ptr = initial;
        }
        let size = align_to(ptr, PAGE);
        if !self.address.is64() && size > limit && errors.is_empty() {
            // wasm-ld 19 writes a memory of more than 65536 pages here, which no engine
            // accepts; we refuse.
            errors.push(format!(
                "memory too large, {ptr} bytes needed, cannot be greater than {limit}"
            ));
        }
        size
    }

    pub(super) fn place_stack(&mut self, ptr: &mut u64, config: &Config, errors: &mut Vec<String>) {
        // A relocatable output has no stack: the final link places it; a PIC output uses
        // its loader's.
        if config.relocatable || config.pic {
            return;
        }
        *ptr = align_to(*ptr, 16);
        self.synth.stack_low = *ptr;
        if !config.stack_size.is_multiple_of(16) {
            errors.push("stack size must be 16-byte aligned".into());
        }
        *ptr = ptr.wrapping_add(config.stack_size);
        self.synth.stack_pointer = *ptr;
        self.synth.stack_high = *ptr;
    }

    /// The maximum size in pages: `--max-memory` (checked), else the initial size when the
    /// memory cannot grow or is shared (non-PIC), else none.
    pub(super) fn max_pages(
        &self,
        config: &Config,
        initial: u64,
        errors: &mut Vec<String>,
    ) -> Option<u64> {
        let limit = self.address.max_memory();
        let max = if let Some(max) = config.max_memory {
            if max % PAGE != 0 {
                errors.push(format!("maximum memory must be {PAGE}-byte aligned"));
            }
            if initial > max {
                errors.push(format!("maximum memory too small, {initial} bytes needed"));
            }
            if max > limit {
                errors.push(format!(
                    "maximum memory too large, cannot be greater than {limit}"
                ));
            }
            max
        } else if config.shared_memory && config.pic {
            // The loader places a PIC module in a memory that may grow to the largest size.
            limit
        } else if config.no_growable_memory || config.shared_memory {
            initial
        } else {
            return None;
        };
        Some(max / PAGE)
    }

    /// The address of a defined data symbol plus `addend`. As in lld (`DefinedData::getVA` plus
    /// the addend), the symbol's own offset is looked up (in merged strings, its piece) and the
    /// addend added after; addresses wrap, so `buf - 1` at address 0 gives the top of memory.
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
                let Some(Definition::Data {
                    segment, offset, ..
                }) = obj.definition(index)
                else {
                    return None;
                };
                if obj.symbols[index as usize].flags.is_absolute() {
                    return Some(offset.wrapping_add(addend as u64));
                }
                // The addend goes after the merged-string lookup (lld's `DefinedData::getVA`).
                let va = self
                    .segment_address(file, segment.0, offset)?
                    .wrapping_add(addend as u64);
                // With shared memory a thread-local symbol's "address" is its offset in `.tdata`
                // (lld's `DefinedData::getVA`), for relocations and exports alike.
                if self.tls_relative && self.in_tls_segment(file, segment.0) {
                    return Some(va.wrapping_sub(self.synth.tls_base));
                }
                Some(va)
            }
            Def::Synthetic(s) => Some(self.synthetic_address(s)?.wrapping_add(addend as u64)),
            _ => None,
        }
    }

    /// Whether input segment `seg` of `file` went to `.tdata`.
    pub(super) fn in_tls_segment(&self, file: FileId, seg: u32) -> bool {
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

    /// The bounds of the segments `__start_`/`__stop_` symbols name (the list of
    /// [`Resolved::start_stop_segments`]), once segments have addresses.
    pub(super) fn bound_segments(&mut self, res: &Resolved<'a>) {
        let by_name: rustc_hash::FxHashMap<&str, &OutSegment> =
            self.segments.iter().map(|s| (s.name.as_str(), s)).collect();
        self.synth.segment_bounds = res
            .start_stop_segments
            .iter()
            .map(|name| {
                by_name
                    .get(name)
                    .map_or((0, 0), |s| (s.va, s.va.wrapping_add(s.size)))
            })
            .collect();
    }

    /// The address of `offset` within input segment `seg` of `file`.
    pub fn segment_address(&self, file: FileId, seg: u32, offset: u64) -> Option<u64> {
        match self.placements[file.idx()].get(seg as usize)? {
            Placement::None => None,
            Placement::Plain { seg, offset: at } => Some(
                self.segments[*seg as usize]
                    .va
                    .wrapping_add(*at)
                    .wrapping_add(offset),
            ),
            Placement::Merged { seg, merged, chunk } => {
                let seg = &self.segments[*seg as usize];
                let (strings, at) = &seg.merged[*merged as usize];
                let within = strings.map_within(*chunk as usize, offset)?;
                Some(seg.va.wrapping_add(at + within))
            }
        }
    }

    pub(super) fn synthetic_address(&self, s: Synthetic) -> Option<u64> {
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
            Synthetic::SegmentStart(i) => v.segment_bounds.get(i as usize)?.0,
            Synthetic::SegmentStop(i) => v.segment_bounds.get(i as usize)?.1,
            _ => return None,
        })
    }
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

pub(super) fn segment_rank(name: &str) -> u8 {
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

/// The data segments of `obj` that belong to a COMDAT, sorted, when the output is relocatable
/// (only then are they kept apart; lld's `createOutputSegments`).
fn comdat_segments(obj: &wasm_object::object::Object<'_>, config: &Config) -> Vec<u32> {
    if !config.relocatable {
        return Vec::new();
    }
    let mut segments: Vec<u32> = (obj.comdat_members.iter())
        .filter(|m| m.kind == wasm_format::linking::ComdatKind::Data)
        .map(|m| m.index)
        .collect();
    segments.sort_unstable();
    segments
}
