//! The values LLVM's object writer leaves in relocated fields, and its data layout.
//!
//! A linker overwrites every relocated field, so what an object holds there does not matter to
//! it; but it is what makes an object's code readable and valid on its own (`call 3` names a
//! function that exists and has the right type). LLVM writes "provisional values": the index
//! the symbol has in the object, the address of the data in the object's own layout (segments
//! one after the other from 0, each aligned), the slot of the function in the object's element
//! segment. A model that was changed (atoms added, dropped, reordered) or built with zeros in
//! its fields gets the same with [`ObjectModel::lay_out_segments`] and
//! [`ObjectModel::fill_provisional_values`]; on a model read from a clang-19 object both
//! change nothing (the objwriter tests check this for every object they rewrite).

use super::*;
use std::collections::HashMap;
use wasm_format::reloc::{PatchWidth, RelocTarget};

impl ObjectModel<'_> {
    /// The address of each data segment in LLVM's layout of an object: one after the other
    /// from 0, each aligned to its `p2align`, passive ones included.
    pub fn segment_addresses(&self) -> Vec<u64> {
        let mut next = 0u64;
        (self.segments.iter())
            .map(|s| {
                let align = 1u64.checked_shl(s.p2align).unwrap_or(0).max(1);
                let at = next.div_ceil(align).saturating_mul(align);
                next = at.saturating_add(s.data.len() as u64);
                at
            })
            .collect()
    }

    /// Sets the offset of every active segment whose offset is an `i32.const` or `i64.const`
    /// to its address in [`segment_addresses`](Self::segment_addresses), as LLVM writes it.
    pub fn lay_out_segments(&mut self) {
        let addresses = self.segment_addresses();
        for (s, at) in self.segments.iter_mut().zip(addresses) {
            if let DataMode::Active { offset, .. } = &mut s.mode {
                match offset.0.first() {
                    Some(0x41) => *offset = Expr::i32_const(at as i32),
                    Some(0x42) => *offset = Expr::i64_const(at as i64),
                    _ => {}
                }
            }
        }
    }

    /// Writes into every relocated field of every function, segment and custom section the
    /// value LLVM's writer would put there. Relocations that do not fit their atom, or name
    /// a symbol that does not exist, are left for [`crate::writer::write`] to refuse.
    pub fn fill_provisional_values(&mut self) {
        let context = Context::new(self);
        let mut values = Vec::new();
        let relocs = (self.functions.iter().map(|f| &f.relocs))
            .chain(self.segments.iter().map(|s| &s.relocs))
            .chain(self.customs.iter().map(|c| &c.relocs));
        for r in relocs {
            values.push(context.values(self, r));
        }
        let mut values = values.into_iter();
        let atoms = (self.functions.iter_mut().map(|f| (&mut f.body, &f.relocs)))
            .chain(self.segments.iter_mut().map(|s| (&mut s.data, &s.relocs)))
            .chain(self.customs.iter_mut().map(|c| (&mut c.data, &c.relocs)));
        for ((bytes, relocs), values) in atoms.zip(&mut values) {
            patch(bytes, relocs, &values);
        }
    }
}

/// What provisional values are computed from, gathered once.
struct Context {
    /// Imports of functions, globals, tags and tables: the first defined index of each space.
    imports: [u32; 4],
    addresses: Vec<u64>,
    /// The table slot of each function (by flat index) in the element segments.
    slots: HashMap<u32, u64>,
    /// The global index of each `GOT.func` (true) and `GOT.mem` (false) import, by field.
    got: HashMap<(bool, String), u32>,
    /// Where each body starts in the code section's contents.
    bodies: Vec<u64>,
}

impl Context {
    fn new(m: &ObjectModel<'_>) -> Context {
        let kinds = [
            ExternalKind::Func,
            ExternalKind::Global,
            ExternalKind::Tag,
            ExternalKind::Table,
        ];
        Context {
            imports: kinds.map(|k| m.import_count(k)),
            addresses: m.segment_addresses(),
            slots: slots(m),
            got: got(m),
            bodies: bodies(m),
        }
    }

    /// The provisional value of each relocation, in order.
    fn values(&self, m: &ObjectModel<'_>, relocs: &[Reloc]) -> Vec<u64> {
        relocs.iter().map(|r| self.value(m, r)).collect()
    }

    /// What LLVM writes for one relocation: see the module documentation. A section offset
    /// is its addend alone (LLVM 19 counts custom sections from 0 there).
    fn value(&self, m: &ObjectModel<'_>, r: &Reloc) -> u64 {
        if r.ty.target() == RelocTarget::Type {
            return u64::from(r.index);
        }
        let Some(s) = m.symbols.get(r.index as usize) else {
            return 0;
        };
        let addend = r.addend as u64;
        match (r.ty.target(), s.kind) {
            (RelocTarget::Global, SymbolKind::Function(_) | SymbolKind::Data(_)) => {
                let is_function = matches!(s.kind, SymbolKind::Function(_));
                let name = m.symbol_name(s).unwrap_or_default().to_string();
                self.got
                    .get(&(is_function, name))
                    .map_or(0, |&g| u64::from(g))
            }
            (RelocTarget::Table, SymbolKind::Function(f)) => {
                let slot = self.slots.get(&self.flat(0, f)).copied().unwrap_or(0);
                let relative = matches!(
                    r.ty,
                    RelocType::TableIndexRelSleb | RelocType::TableIndexRelSleb64
                );
                slot.wrapping_sub(u64::from(relative))
            }
            (RelocTarget::Memory, SymbolKind::Data(Some(d))) => {
                let at = self.addresses.get(d.segment.idx()).copied().unwrap_or(0);
                at.wrapping_add(d.offset).wrapping_add(addend)
            }
            (RelocTarget::FunctionOffset, SymbolKind::Function(Item::Defined(f))) => {
                let body = self.bodies.get(f.idx()).copied().unwrap_or(0);
                body.wrapping_add(addend)
            }
            (RelocTarget::SectionOffset, SymbolKind::Section(_)) => addend,
            (_, kind) => self.index(kind),
        }
    }

    /// The index a function, global, tag or table symbol has in the object.
    fn index(&self, kind: SymbolKind) -> u64 {
        let flat = match kind {
            SymbolKind::Function(i) => self.flat(0, i),
            SymbolKind::Global(i) => self.flat(1, i),
            SymbolKind::Tag(i) => self.flat(2, i),
            SymbolKind::Table(i) => self.flat(3, i),
            SymbolKind::Data(_) | SymbolKind::Section(_) => 0,
        };
        u64::from(flat)
    }

    fn flat<D: Copy + Into<u32>>(&self, space: usize, item: Item<D>) -> u32 {
        match item {
            Item::Imported(n) => n,
            Item::Defined(d) => self.imports[space].wrapping_add(d.into()),
        }
    }
}

/// The slot of each function in the active element segments with a constant offset.
fn slots(m: &ObjectModel<'_>) -> HashMap<u32, u64> {
    let mut slots = HashMap::new();
    for e in &m.elements {
        let (ElementMode::Active { offset, .. }, ElementItems::Functions(f)) = (&e.mode, &e.items)
        else {
            continue;
        };
        let Some(base) = const_value(offset) else {
            continue;
        };
        for (k, &func) in f.iter().enumerate() {
            slots.entry(func).or_insert(base.wrapping_add(k as u64));
        }
    }
    slots
}

/// The value of an `i32.const` or `i64.const` expression.
fn const_value(e: &Expr<'_>) -> Option<u64> {
    let (&op, rest) = e.0.split_first()?;
    if op != 0x41 && op != 0x42 {
        return None;
    }
    let (mut v, mut shift) = (0i64, 0u32);
    for &b in rest.iter().take(10) {
        v |= i64::from(b & 0x7f).checked_shl(shift).unwrap_or(0);
        shift += 7;
        if b & 0x80 == 0 {
            if shift < 64 && b & 0x40 != 0 {
                v |= -1i64 << shift;
            }
            return Some(v as u64);
        }
    }
    None
}

fn got(m: &ObjectModel<'_>) -> HashMap<(bool, String), u32> {
    let globals = (m.imports.iter()).filter(|i| matches!(i.kind, ImportKind::Global(_)));
    let mut got = HashMap::new();
    for (n, i) in globals.enumerate() {
        let is_function = match &*i.module {
            "GOT.func" => true,
            "GOT.mem" => false,
            _ => continue,
        };
        got.entry((is_function, i.field.to_string()))
            .or_insert(n as u32);
    }
    got
}

/// Where each body starts in the code section's contents: after the function count and,
/// for each body, the sizes and bodies before it and its own size.
fn bodies(m: &ObjectModel<'_>) -> Vec<u64> {
    let mut at = uleb_len(m.functions.len() as u64);
    (m.functions.iter())
        .map(|f| {
            let len = f.body.len() as u64;
            let start = at + uleb_len(len);
            at = start + len;
            start
        })
        .collect()
}

fn uleb_len(v: u64) -> u64 {
    (64 - u64::from(v.leading_zeros())).max(1).div_ceil(7)
}

/// Writes `values` into the fields `relocs` patch (those that fit inside `bytes`).
fn patch(bytes: &mut Cow<'_, [u8]>, relocs: &[Reloc], values: &[u64]) {
    let mut field = Vec::with_capacity(10);
    for (r, &v) in relocs.iter().zip(values) {
        field.clear();
        let width = r.ty.width();
        match width {
            PatchWidth::Leb5 => padded_uleb(&mut field, u64::from(v as u32), 5),
            PatchWidth::Sleb5 => padded_sleb(&mut field, i64::from(v as i32), 5),
            PatchWidth::Leb10 => padded_uleb(&mut field, v, 10),
            PatchWidth::Sleb10 => padded_sleb(&mut field, v as i64, 10),
            PatchWidth::I32 => field.extend_from_slice(&(v as u32).to_le_bytes()),
            PatchWidth::I64 => field.extend_from_slice(&v.to_le_bytes()),
        }
        if bytes.get(r.range()).is_some_and(|old| old != field) {
            bytes.to_mut()[r.range()].copy_from_slice(&field);
        }
    }
}
