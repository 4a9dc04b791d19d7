//! Exception tags (the exception-handling proposal): the part of layout that gives tags their
//! output indices and types, in wasm-ld 19's order.
//!
//! Takes the resolved symbols and the tag liveness from marking, and fills the tag fields of
//! [`Layout`]: imported tags come first (in symbol-table order, deduplicated by module, field
//! and signature), then the live defined tags of each loaded object in load order. Tag types
//! are registered after every function type, imports before definitions (lld's
//! `calculateTypes`). Tags never appear in the `name` section.

use crate::ids::{FileId, SymbolId};
use crate::inputs::Inputs;
use crate::layout::{ImportKind, Layout, OutExport, OutImport, NONE};
use crate::mark::Liveness;
use crate::resolve::Resolved;
use crate::symbols::Def;
use std::borrow::Cow;
use wasm_format::linking::SymbolKind as RawKind;
use wasm_format::types::FuncType;
use wasm_object::ids::Definition;

impl<'a> Layout<'a> {
    /// Adds the import of undefined tag symbol `id` (symbol `index` of `file`), unless an
    /// import with the same module, field and signature exists: then the symbol shares it.
    pub(crate) fn import_tag(
        &mut self,
        inputs: &Inputs<'a>,
        id: SymbolId,
        (file, index): (FileId, u32),
        (module, field): (Cow<'a, str>, Cow<'a, str>),
    ) {
        let obj = inputs.obj(file);
        let Some(RawKind::Tag { index }) = obj.symbols.get(index as usize).map(|s| s.kind) else {
            return;
        };
        let Some(import) = obj.tag_imports.get(index as usize) else {
            return;
        };
        let Some(ty) = obj.types.get(import.ty.type_index as usize).cloned() else {
            return;
        };
        let existing = self.imports.iter().position(|i| {
            matches!(&i.kind, ImportKind::Tag { ty: t, .. } if *t == ty)
                && i.module == module
                && i.field == field
        });
        if let Some(k) = existing {
            let nth = self.imports[..k]
                .iter()
                .filter(|i| matches!(i.kind, ImportKind::Tag { .. }))
                .count();
            self.sym_tag[id.idx()] = nth as u32;
            return;
        }
        self.sym_tag[id.idx()] = self.num_tag_imports;
        self.num_tag_imports += 1;
        self.imports.push(OutImport {
            module,
            field,
            kind: ImportKind::Tag { ty, index: 0 },
            symbol: Some(id),
        });
    }

    /// Defined tags: the live tags of each loaded object, in load order, after the imports;
    /// then each defined tag symbol's index.
    pub(crate) fn assign_tags(&mut self, inputs: &Inputs<'a>, res: &Resolved<'a>, live: &Liveness) {
        let mut next = self.num_tag_imports;
        for &f in &res.loaded {
            let alive = &live.tags[f.idx()];
            for (i, _) in alive.iter().enumerate().filter(|(_, l)| **l) {
                self.file_tags[f.idx()][i] = next;
                self.tags.push((f, i as u32));
                next += 1;
            }
        }
        if self.tags.is_empty() {
            return;
        }
        for (i, sym) in res.table.symbols.iter().enumerate() {
            if let Some(index) = self.defined_tag_index(inputs, sym.def) {
                self.sym_tag[i] = index;
            }
        }
    }

    /// The output index of the tag a definition names, if that tag is live.
    fn defined_tag_index(&self, inputs: &Inputs<'a>, def: Def) -> Option<u32> {
        let Def::Defined { file, index } = def else {
            return None;
        };
        let Some(Definition::Tag(t)) = inputs.obj(file).definition(index) else {
            return None;
        };
        let out = *self.file_tags[file.idx()].get(t.idx())?;
        (out != NONE).then_some(out)
    }

    /// Registers the signature of every defined tag, after the function types.
    pub(crate) fn register_tag_types(&mut self, inputs: &Inputs<'a>) {
        for k in 0..self.tags.len() {
            let ty = self.tag_signature(inputs, k);
            let t = self.intern_type(&ty);
            self.tag_types.push(t);
        }
    }

    /// The signature of defined output tag `k`.
    pub fn tag_signature(&self, inputs: &Inputs<'a>, k: usize) -> FuncType {
        let (f, i) = self.tags[k];
        let obj = inputs.obj(f);
        let ty = obj.tags.get(i as usize).map(|t| t.type_index);
        ty.and_then(|t| obj.types.get(t as usize).cloned())
            .unwrap_or(FuncType {
                params: vec![],
                results: vec![],
            })
    }

    /// The export of tag symbol `id`, if the tag is in the output.
    pub(crate) fn tag_export(&self, id: SymbolId, name: &str) -> Option<OutExport> {
        let index = self.sym_tag[id.idx()];
        (index != NONE).then(|| OutExport {
            name: name.to_string(),
            kind: wasm_format::sections::ExternalKind::Tag,
            index,
        })
    }
}
