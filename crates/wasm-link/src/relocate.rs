//! Relocation: compute the value a relocation asks for from the layout, then patch it into a
//! copy of the atom's bytes. Two small steps, kept apart: `value` knows the layout, `patch`
//! knows only encodings.

use crate::ids::{FileId, SymbolId};
use crate::inputs::Inputs;
use crate::layout::Layout;
use crate::mark::Liveness;
use crate::resolve::Resolved;
use crate::symbols::{Def, Kind};
use wasm_encoder::Encode;
use wasm_format::reloc::{PatchWidth, Reloc, RelocBase, RelocTarget, RelocType};
use wasm_object::ids::{DefinedFunc, Definition};

/// Everything relocation reads: the inputs, resolution, layout and output offsets.
pub struct RelocContext<'l, 'a> {
    /// Lifetime of the merged custom sections.
    pub _merged: std::marker::PhantomData<&'l ()>,
    /// Inputs.
    pub inputs: &'l Inputs<'a>,
    /// Resolution.
    pub res: &'l Resolved<'a>,
    /// Layout.
    pub layout: &'l Layout<'a>,
    /// What GC kept: relocations against dead symbols write a tombstone.
    pub live: &'l Liveness,
    /// Per output function: offset of its code (after the size prefix) in the code section.
    pub code_offsets: Vec<u64>,
    /// (file, section index) → where that chunk went in its output custom section.
    pub section_offsets: SectionPlaces<'l>,
}

/// Per file, per section index: where each input custom section went. A direct index, because
/// debug info has millions of `SECTION_OFFSET` relocations.
#[derive(Default)]
pub struct SectionPlaces<'m>(Vec<Vec<Option<SectionPlace<'m>>>>);

impl<'m> SectionPlaces<'m> {
    /// Records where section `section` of `file` went.
    pub fn insert(&mut self, file: FileId, section: u32, place: SectionPlace<'m>) {
        if self.0.len() <= file.idx() {
            self.0.resize_with(file.idx() + 1, Vec::new);
        }
        let slots = &mut self.0[file.idx()];
        if slots.len() <= section as usize {
            slots.resize(section as usize + 1, None);
        }
        slots[section as usize] = Some(place);
    }

    /// Where section `section` of `file` went.
    pub fn get(&self, file: FileId, section: u32) -> Option<&SectionPlace<'m>> {
        self.0.get(file.idx())?.get(section as usize)?.as_ref()
    }
}

/// Where an input custom section went in its output section.
#[derive(Clone, Copy)]
pub enum SectionPlace<'m> {
    /// Copied at this offset.
    Plain(u64),
    /// Merged: chunk `k` of these merged strings (which start the output section).
    Merged(&'m crate::merge::MergedStrings, usize),
}

/// Where the bytes being patched are.
#[derive(Clone, Copy)]
pub struct Site {
    /// The file whose symbol indices the relocations use.
    pub file: FileId,
    /// Written for relocations against dead symbols (debug sections), or 0.
    pub tombstone: u64,
    /// Address of the first byte of the atom, for `LOCREL` relocations (data only).
    pub va: u64,
}

/// The last section symbol a run of `SECTION_OFFSET` relocations used, and where it points.
#[derive(Default)]
struct SectionMemo<'l> {
    index: Option<u32>,
    target: Option<Option<SectionPlace<'l>>>,
}

/// The last function symbol a run of `FUNCTION_OFFSET` relocations used, and what it gives:
/// a range list in `.debug_ranges` names each function twice in a row.
#[derive(Default)]
struct FunctionMemo {
    index: Option<u32>,
    start: FunctionStart,
}

/// What a `FUNCTION_OFFSET` relocation against one symbol writes, before its addend.
#[derive(Clone, Copy, Default)]
enum FunctionStart {
    /// 0: the index names no symbol.
    #[default]
    Zero,
    /// The tombstone (or the addend alone, where there is none): a dead or imported function.
    Dead,
    /// The function's code starts here in the code section.
    Code(u64),
}

impl FunctionStart {
    fn value(self, site: Site, addend: i64) -> u64 {
        match self {
            FunctionStart::Zero => 0,
            FunctionStart::Dead if site.tombstone != 0 => site.tombstone,
            FunctionStart::Dead => addend as u64,
            FunctionStart::Code(offset) => offset.wrapping_add(addend as u64),
        }
    }
}

impl<'l> RelocContext<'l, '_> {
    /// Copies `src` into `dst` and applies `relocs`, whose offsets are relative to `base`.
    pub fn apply(
        &self,
        site: Site,
        dst: &mut [u8],
        src: &[u8],
        relocs: impl IntoIterator<Item = Reloc>,
        base: u64,
    ) {
        dst.copy_from_slice(src);
        let mut memo = SectionMemo::default();
        let mut function = FunctionMemo::default();
        for r in relocs {
            let at = u64::from(r.offset).wrapping_sub(base) as usize;
            let value = match r.ty {
                RelocType::SectionOffsetI32 => self.section_offset_memo(site, &r, &mut memo),
                RelocType::FunctionOffsetI32 => {
                    if function.index != Some(r.index) {
                        function.index = Some(r.index);
                        function.start = self.function_start(site.file, r.index);
                    }
                    function.start.value(site, r.addend)
                }
                _ => self.value(site, &r, site.va.wrapping_add(at as u64)),
            };
            patch(dst, at, r.ty.width(), value);
        }
    }

    /// [`value`](Self::value) of a `SECTION_OFFSET` relocation, remembering the last symbol's
    /// section: debug sections have millions of these, nearly all against a few section
    /// symbols.
    fn section_offset_memo(&self, site: Site, r: &Reloc, memo: &mut SectionMemo<'l>) -> u64 {
        if memo.index != Some(r.index) {
            memo.index = Some(r.index);
            memo.target = self.section_target(site.file, r.index);
        }
        match memo.target {
            Some(Some(SectionPlace::Plain(offset))) => offset.wrapping_add(r.addend as u64),
            Some(Some(SectionPlace::Merged(merged, k))) => merged.map(k, r.addend as u64),
            Some(None) => 0,
            None => self.value(site, r, 0),
        }
    }

    /// Where the section symbol `index` of `file` points: `None` if it is not a section symbol
    /// (then [`value`](Self::value) decides), `Some(None)` if its value is 0.
    fn section_target(&self, file: FileId, index: u32) -> Option<Option<SectionPlace<'l>>> {
        let Some(id) = self.symbol(file, index) else {
            return Some(None);
        };
        let sym = self.res.table.get(id);
        if sym.kind != Kind::Section {
            return None;
        }
        let Def::Defined { file, index } = sym.def else {
            return Some(None);
        };
        let Some(Definition::Section(section)) = self.inputs.obj(file).definition(index) else {
            return Some(None);
        };
        Some(self.section_offsets.get(file, section).copied())
    }

    fn symbol(&self, file: FileId, index: u32) -> Option<SymbolId> {
        self.res.file_syms[file.idx()].get(index as usize).copied()
    }

    /// The value of one relocation.
    pub fn value(&self, site: Site, r: &Reloc, place: u64) -> u64 {
        if r.ty == RelocType::TypeIndexLeb {
            let t = self.layout.file_types[site.file.idx()].get(r.index as usize);
            return t.copied().flatten().map_or(0, |t| u64::from(t.0));
        }
        let Some(id) = self.symbol(site.file, r.index) else {
            return 0;
        };
        let sym = self.res.table.get(id);
        if sym.kind != Kind::Section && !self.live.symbol(id) {
            return if site.tombstone != 0 {
                site.tombstone
            } else {
                r.addend as u64
            };
        }
        let l = self.layout;
        match (r.ty.target(), r.ty.base()) {
            (RelocTarget::Function, _) => l.sym_func.at(id.idx()).map_or(0, |f| u64::from(f.0)),
            (RelocTarget::Table, RelocBase::Module) => {
                self.table_slot(id).wrapping_sub(u64::from(l.table_base))
            }
            (RelocTarget::Table, _) => self.table_slot(id),
            (RelocTarget::Memory, RelocBase::Place) => {
                self.address(id, r.addend).wrapping_sub(place)
            }
            (RelocTarget::Memory, RelocBase::Tls) => l.tls_offset(self.address(id, r.addend)),
            // Without PIC the module's base is 0.
            (RelocTarget::Memory, RelocBase::Absolute | RelocBase::Module) => {
                self.address(id, r.addend)
            }
            (RelocTarget::Global, _) => l.sym_global.at(id.idx()).map_or(0, |g| u64::from(g.0)),
            (RelocTarget::FunctionOffset, _) => self.live_function_start(id).value(site, r.addend),
            (RelocTarget::SectionOffset, _) => self.section_offset(id, r.addend),
            (RelocTarget::TableNumber, _) => l.symbol_table(id).map_or(0, |t| u64::from(t.0)),
            // A tag left undefined (unresolved symbols ignored) has no index: wasm-ld writes
            // its invalid index -1, and so do we.
            (RelocTarget::Tag, _) => l
                .sym_tag
                .at(id.idx())
                .map_or(u64::from(u32::MAX), |t| u64::from(t.0)),
            (RelocTarget::Type, _) => 0,
        }
    }

    fn table_slot(&self, id: SymbolId) -> u64 {
        let Some(f) = self.layout.sym_func.at(id.idx()) else {
            return 0;
        };
        if self.res.table.get(id).is_stub() {
            return 0;
        }
        if let Some(&slot) = self.layout.stub_slots.get(&id) {
            return u64::from(slot);
        }
        u64::from(self.layout.func_slot.get(f.idx()).copied().unwrap_or(0))
    }

    fn address(&self, id: SymbolId, addend: i64) -> u64 {
        self.layout
            .data_address(self.inputs, self.res, id, addend)
            .unwrap_or(0)
    }

    /// What a `FUNCTION_OFFSET` relocation against symbol `index` of `file` adds its addend
    /// to, as [`value`](Self::value) decides it.
    fn function_start(&self, file: FileId, index: u32) -> FunctionStart {
        let Some(id) = self.symbol(file, index) else {
            return FunctionStart::Zero;
        };
        let sym = self.res.table.get(id);
        if sym.kind != Kind::Section && !self.live.symbol(id) {
            return FunctionStart::Dead;
        }
        self.live_function_start(id)
    }

    /// [`function_start`](Self::function_start) of a live symbol: an imported function has no
    /// code, and wasm-ld writes the tombstone.
    fn live_function_start(&self, id: SymbolId) -> FunctionStart {
        self.function_offset(id)
            .map_or(FunctionStart::Dead, FunctionStart::Code)
    }

    /// Where a function's code starts in the code section; `None` for an imported one.
    fn function_offset(&self, id: SymbolId) -> Option<u64> {
        // The definition's code, also when calls go to an import (a shared library's weak
        // definition).
        let def = self.res.table.get(id).def;
        let defined = self.layout.defined_function_index(self.inputs, def);
        let f = defined.or(self.layout.sym_func.at(id.idx()))?;
        let k = f.0.checked_sub(self.layout.num_func_imports)?;
        self.code_offsets.get(k as usize).copied()
    }

    fn section_offset(&self, id: SymbolId, addend: i64) -> u64 {
        let Def::Defined { file, index } = self.res.table.get(id).def else {
            return 0;
        };
        let Some(Definition::Section(section)) = self.inputs.obj(file).definition(index) else {
            return 0;
        };
        match self.section_offsets.get(file, section) {
            Some(SectionPlace::Plain(offset)) => offset.wrapping_add(addend as u64),
            Some(SectionPlace::Merged(merged, k)) => merged.map(*k, addend as u64),
            None => 0,
        }
    }
}

/// Writes `value` at `at` in the relocation's fixed-width encoding.
pub fn patch(buf: &mut [u8], at: usize, width: PatchWidth, value: u64) {
    let Some(dst) = buf.get_mut(at..at + width.size()) else {
        return;
    };
    match width {
        PatchWidth::Leb5 => padded_uleb(dst, value & 0xffff_ffff),
        PatchWidth::Leb10 => padded_uleb(dst, value),
        PatchWidth::Sleb5 => padded_sleb(dst, i64::from(value as i32)),
        PatchWidth::Sleb10 => padded_sleb(dst, value as i64),
        PatchWidth::I32 => dst.copy_from_slice(&(value as u32).to_le_bytes()),
        PatchWidth::I64 => dst.copy_from_slice(&value.to_le_bytes()),
    }
}

fn padded_uleb(dst: &mut [u8], mut v: u64) {
    let n = dst.len();
    for (i, b) in dst.iter_mut().enumerate() {
        *b = (v & 0x7f) as u8 | if i + 1 < n { 0x80 } else { 0 };
        v >>= 7;
    }
}

fn padded_sleb(dst: &mut [u8], mut v: i64) {
    let n = dst.len();
    for (i, b) in dst.iter_mut().enumerate() {
        *b = (v & 0x7f) as u8 | if i + 1 < n { 0x80 } else { 0 };
        v >>= 7;
    }
}

/// An input function with its relocated LEBs in their shortest form (`--compress-relocations`,
/// lld's `InputFunction::writeCompressed`), size prefix included. Fixed-width fields keep their
/// width.
pub fn compressed_body(ctx: &RelocContext<'_, '_>, file: FileId, index: DefinedFunc) -> Vec<u8> {
    let obj = ctx.inputs.obj(file);
    let func = &obj.functions[index.idx()];
    let body = func.body.bytes;
    let base = func.body.offset - obj.code_offset;
    let prefix = usize::from(func.prefix).max(1);
    let site = Site {
        file,
        tombstone: 0,
        va: 0,
    };
    let mut code = Vec::with_capacity(body.len());
    let mut last = prefix;
    for r in obj.code_relocs_of(func) {
        let at = (r.offset as usize).wrapping_sub(base);
        let Some(between) = body.get(last..at) else {
            continue;
        };
        code.extend_from_slice(between);
        let value = ctx.value(site, r, at as u64);
        let width = r.ty.width();
        match width {
            PatchWidth::Leb5 => (value & 0xffff_ffff).encode(&mut code),
            PatchWidth::Leb10 => value.encode(&mut code),
            PatchWidth::Sleb5 => i64::from(value as i32).encode(&mut code),
            PatchWidth::Sleb10 => (value as i64).encode(&mut code),
            PatchWidth::I32 => code.extend_from_slice(&(value as u32).to_le_bytes()),
            PatchWidth::I64 => code.extend_from_slice(&value.to_le_bytes()),
        }
        last = at + width.size();
    }
    code.extend_from_slice(body.get(last..).unwrap_or_default());
    let mut out = Vec::with_capacity(code.len() + 5);
    (code.len() as u64).encode(&mut out);
    out.extend_from_slice(&code);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn padded_encodings() {
        let mut b = [0u8; 5];
        patch(&mut b, 0, PatchWidth::Leb5, 3);
        assert_eq!(b, [0x83, 0x80, 0x80, 0x80, 0x00]);
        patch(&mut b, 0, PatchWidth::Sleb5, (-1i64) as u64);
        assert_eq!(b, [0xff, 0xff, 0xff, 0xff, 0x7f]);
        patch(&mut b, 0, PatchWidth::Sleb5, 1024);
        assert_eq!(b, [0x80, 0x88, 0x80, 0x80, 0x00]);
    }
}
