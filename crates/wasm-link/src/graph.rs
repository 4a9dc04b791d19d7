//! The GC graph: its roots and its edges. The parallel marker ([`crate::mark`]) and
//! `--why-live`'s breadth-first walk ([`crate::why_live`]) both walk it, so they keep and
//! explain by the same rules (lld's `MarkLive.cpp`).
//!
//! Nodes are symbols and atoms. A symbol leads to the atom that defines it, and makes its
//! object live; a live object's constructors and RETAIN segments are roots of their own; an
//! atom leads to the symbols its relocations name.

use crate::config::Config;
use crate::ids::{FileId, SymbolId};
use crate::inputs::Inputs;
use crate::resolve::Resolved;
use crate::symbols::Def;
use rayon::prelude::*;
use wasm_format::reloc::{RelocBase, RelocTarget, RelocType};
use wasm_object::ids::{Atom, Definition, SegmentIndex};

/// An atom of a file.
pub(crate) type FileAtom = (FileId, Atom);

/// Why a symbol is a root.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Root {
    /// The entry point.
    Entry,
    /// Exported.
    Export,
    /// Marked used (`NO_STRIP`).
    NoStrip,
    /// `__wasm_call_dtors`, which command exports call.
    CallDtors,
    /// `__wasm_call_ctors` of a PIC output, which its loader calls.
    PicCtors,
}

/// The graph of one link, borrowed from resolution.
#[derive(Clone, Copy)]
pub(crate) struct Graph<'g, 'a> {
    pub inputs: &'g Inputs<'a>,
    pub res: &'g Resolved<'a>,
}

impl<'g, 'a> Graph<'g, 'a> {
    /// The roots that do not depend on which objects are live, in the order both walks take
    /// them: the entry, exported and `NO_STRIP` symbols in table order, `__wasm_call_dtors`.
    pub fn roots(self, config: &Config) -> Vec<(SymbolId, Root)> {
        let mut roots: Vec<(SymbolId, Root)> = self
            .res
            .entry
            .map(|e| (e, Root::Entry))
            .into_iter()
            .collect();
        roots.par_extend(
            self.res
                .table
                .symbols
                .par_iter()
                .enumerate()
                .filter_map(|(i, sym)| {
                    let root = if !sym.global {
                        return None;
                    } else if sym.flags.no_strip() {
                        Root::NoStrip
                    } else if sym.is_exported(config) {
                        Root::Export
                    } else {
                        return None;
                    };
                    Some((SymbolId(i as u32), root))
                }),
        );
        roots.extend(self.res.call_dtors.map(|d| (d, Root::CallDtors)));
        if config.pic {
            let ctors = self.res.table.find("__wasm_call_ctors");
            roots.extend(ctors.map(|c| (c, Root::PicCtors)));
        }
        roots
    }

    /// The symbols of `f`'s constructors: roots once `f` is live. A constructor a COMDAT
    /// discarded is left out (lld's `enqueueInitFunctions`).
    pub fn constructors(self, f: FileId) -> impl Iterator<Item = SymbolId> + 'g {
        let syms = &self.res.file_syms[f.idx()];
        self.inputs
            .obj(f)
            .init_funcs
            .iter()
            .filter_map(move |init| syms.get(init.symbol as usize).copied())
            .filter(move |&id| !self.is_discarded(id))
    }

    /// Whether `id` is defined in a chunk a COMDAT discarded (lld's `Symbol::isDiscarded`):
    /// only local symbols keep such a definition.
    pub fn is_discarded(self, id: SymbolId) -> bool {
        let discarded = |f: FileId, atom: Atom| {
            let d = &self.res.discarded[f.idx()];
            match atom {
                Atom::Function(i) => d.functions.get(i.idx()).copied(),
                Atom::Segment(i) => d.segments.get(i.idx()).copied(),
            }
        };
        self.symbol_atom(id)
            .and_then(|(f, atom)| discarded(f, atom))
            .unwrap_or(false)
    }

    /// `f`'s RETAIN segments that a COMDAT did not discard: roots once `f` is live.
    pub fn retained(self, f: FileId) -> impl Iterator<Item = Atom> + 'g {
        let discarded = &self.res.discarded[f.idx()].segments;
        self.inputs
            .obj(f)
            .segments
            .iter()
            .enumerate()
            .filter(move |(i, seg)| seg.flags.is_retain() && !discarded[*i])
            .map(|(i, _)| Atom::Segment(SegmentIndex(i as u32)))
    }

    /// What a symbol's definition is, and in which file: `None` unless an object defines it.
    pub fn definition(self, id: SymbolId) -> Option<(FileId, Definition)> {
        let Def::Defined { file, index } = self.res.table.get(id).def else {
            return None;
        };
        Some((file, self.inputs.obj(file).definition(index)?))
    }

    /// The atom that defines a symbol.
    pub fn symbol_atom(self, id: SymbolId) -> Option<FileAtom> {
        let (file, def) = self.definition(id)?;
        Some((file, def.atom()?))
    }

    /// The symbols an atom's relocations name. A type index names no symbol, and taking a
    /// trapping stub's (absolute) address gives null: only a call needs its body.
    pub fn edges(self, (f, atom): FileAtom) -> impl Iterator<Item = SymbolId> + 'g {
        let syms = &self.res.file_syms[f.idx()];
        let table = &self.res.table;
        self.inputs
            .obj(f)
            .atom_relocs(atom)
            .iter()
            .filter(|r| r.ty != RelocType::TypeIndexLeb)
            .filter_map(move |r| {
                let id = *syms.get(r.index as usize)?;
                let stub_address = r.ty.target() == RelocTarget::Table
                    && r.ty.base() == RelocBase::Absolute
                    && table.get(id).is_stub();
                (!stub_address).then_some(id)
            })
    }
}
