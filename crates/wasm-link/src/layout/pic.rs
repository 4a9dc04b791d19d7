//! Position-independent output (`-shared`, `-pie`; DynamicLinking.md): which symbols go
//! through imported `GOT.mem`/`GOT.func` globals, the one `.data` segment placed at
//! `__memory_base`, and what `dylink.0` says about the memory and table.

use super::*;

/// What `dylink.0`'s `MEM_INFO` says: the static data a loader must reserve.
#[derive(Clone, Copy, Debug, Default)]
pub struct DylinkMemory {
    /// Bytes of static data, `.bss` included.
    pub size: u64,
    /// The largest segment alignment (a power of two).
    pub p2align: u32,
}

/// What a PIC address is relative to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Base {
    /// `__memory_base`: a data address.
    Memory,
    /// `__table_base`: a table slot.
    Table,
}

/// Whether a PIC output reaches `sym` through an imported GOT global (lld's
/// `requiresGOTAccess`): anything another module may define or override, that is every
/// visible symbol, except the definitions of an executable or a `-Bsymbolic` library.
pub(crate) fn requires_got_access(sym: &crate::symbols::Symbol<'_>, config: &Config) -> bool {
    if sym.shared {
        return true;
    }
    if !config.dynamic() || sym.is_hidden() || !sym.global {
        return false;
    }
    !(sym.is_defined() && (!config.shared || config.bsymbolic))
}

/// Per symbol: whether a loaded object calls it directly (lld's `isCalledDirectly`, set from
/// `R_WASM_FUNCTION_INDEX_LEB` relocations of the code section). Empty without PIC.
pub(super) fn called_directly(
    inputs: &Inputs<'_>,
    res: &Resolved<'_>,
    config: &Config,
) -> Vec<bool> {
    if !config.pic {
        return Vec::new();
    }
    let mut called = vec![false; res.table.symbols.len()];
    for &f in &res.loaded {
        let obj = inputs.obj(f);
        let syms = &res.file_syms[f.idx()];
        for r in &obj.code_relocs {
            if r.ty != RelocType::FunctionIndexLeb {
                continue;
            }
            let undefined = obj
                .symbols
                .get(r.index as usize)
                .is_some_and(|s| s.flags.is_undefined());
            if let (true, Some(&id)) = (undefined, syms.get(r.index as usize)) {
                called[id.idx()] = true;
            }
        }
    }
    called
}

/// The file names of the shared library inputs, in command-line order.
pub(super) fn needed(inputs: &Inputs<'_>) -> Vec<String> {
    let shared = inputs
        .files
        .iter()
        .enumerate()
        .filter(|(_, f)| f.obj.shared_library);
    shared
        .map(|(i, _)| {
            let name = inputs.name(FileId(i as u32));
            let base = std::path::Path::new(name).file_name();
            base.map_or(name.to_string(), |b| b.to_string_lossy().into_owned())
        })
        .collect()
}

/// Relocations a PIC output cannot have: they need an address known at link time
/// ("recompile with -fPIC").
pub(super) fn is_absolute_in_code(ty: RelocType) -> bool {
    matches!(
        ty,
        RelocType::TableIndexSleb
            | RelocType::TableIndexSleb64
            | RelocType::MemoryAddrSleb
            | RelocType::MemoryAddrLeb
            | RelocType::MemoryAddrSleb64
            | RelocType::MemoryAddrLeb64
    )
}

/// Data relocations that `__wasm_apply_data_relocs` computes at run time from a GOT entry.
pub(super) fn is_data_address(ty: RelocType) -> bool {
    matches!(
        ty,
        RelocType::TableIndexI32
            | RelocType::TableIndexI64
            | RelocType::MemoryAddrI32
            | RelocType::MemoryAddrI64
    )
}

/// Code relocations relative to `__memory_base`/`__table_base`: only against definitions.
pub(super) fn is_base_relative(ty: RelocType) -> bool {
    matches!(
        ty,
        RelocType::TableIndexRelSleb
            | RelocType::TableIndexRelSleb64
            | RelocType::MemoryAddrRelSleb
            | RelocType::MemoryAddrRelSleb64
    )
}

impl<'a> Layout<'a> {
    /// Records how `__wasm_apply_global_relocs` sets internal GOT global `index` of `id`
    /// (lld's `GlobalSection::generateRelocationCode`); undefined data and stubs keep 0.
    pub(super) fn relocate_pic_got(
        &mut self,
        inputs: &Inputs<'a>,
        res: &Resolved<'a>,
        id: SymbolId,
        index: OutGlobal,
    ) {
        let sym = res.table.get(id);
        let entry = match sym.kind {
            Kind::Function if !sym.is_stub() => {
                Some((Base::Table, self.got_value(inputs, res, id)))
            }
            Kind::Data if sym.is_defined() => Some((Base::Memory, self.got_value(inputs, res, id))),
            _ => None,
        };
        if let Some((base, value)) = entry {
            self.pic_got.push((index, base, value));
        }
    }

    /// Adds the `GOT.mem.X` / `GOT.func.X` imports, after every other import.
    pub(super) fn import_got(&mut self, res: &Resolved<'a>, got_imports: &[SymbolId]) {
        let ty = GlobalType {
            val: self.address.val_type(),
            mutable: true,
        };
        for &id in got_imports {
            let sym = res.table.get(id);
            let module = if sym.kind == Kind::Function {
                "GOT.func"
            } else {
                "GOT.mem"
            };
            self.sym_global
                .set(id.idx(), Some(OutGlobal(self.num_global_imports)));
            self.num_global_imports += 1;
            self.imports.push(OutImport {
                module: module.into(),
                field: sym.name.into(),
                kind: ImportKind::Global(ty),
                symbol: Some(id),
            });
        }
        self.got_imports = got_imports.to_vec();
    }

    /// Without extended-const, every PIC segment is placed by one `__memory_base`: the
    /// segments laid out become one `.data` with the same addresses (lld's
    /// `combineOutputSegments`). Records what `dylink.0` reports first.
    pub(super) fn combine_segments(&mut self, config: &Config) {
        // Only a PIC output reports its data size; any reports the alignment.
        let size = self.synth.data_end.wrapping_sub(self.synth.global_base);
        self.dylink_memory = DylinkMemory {
            size: if config.pic { size } else { 0 },
            p2align: self.segments.iter().map(|s| s.p2align).max().unwrap_or(0),
        };
        if !config.pic || config.shared_memory || self.segments.len() <= 1 {
            return;
        }
        let segments = std::mem::take(&mut self.segments);
        let start = segments[0].va;
        let mut combined = OutSegment::new(".data".into(), self.dylink_memory.p2align);
        combined.va = start;
        for (old, seg) in segments.into_iter().enumerate() {
            let shift = seg.va - start;
            for (f, i, offset) in seg.parts {
                combined.parts.push((f, i, shift + offset));
            }
            let merged_before = combined.merged.len() as u32;
            for (m, offset) in seg.merged {
                combined.merged.push((m, shift + offset));
            }
            combined.size = shift + seg.size;
            self.remap_segment(old as u32, shift, merged_before);
        }
        self.segments = vec![combined];
    }

    /// Points the placements in output segment `old` at the combined segment, `shift` on,
    /// where its merged strings come after `merged_before` others.
    fn remap_segment(&mut self, old: u32, shift: u64, merged_before: u32) {
        for placements in &mut self.placements {
            for p in placements.iter_mut() {
                match p {
                    Placement::Plain { seg, offset } if *seg == old => {
                        *seg = 0;
                        *offset += shift;
                    }
                    Placement::Merged { seg, merged, .. } if *seg == old => {
                        *seg = 0;
                        *merged += merged_before;
                    }
                    _ => {}
                }
            }
        }
    }
}
