//! Exception tags (the exception-handling proposal): the part of layout that gives tags their
//! output indices and types, in wasm-ld 19's order.
//!
//! Takes the resolved symbols and the tag liveness from marking, and fills the tag fields of
//! [`Layout`]: imported tags come first (in symbol-table order, deduplicated by module, field
//! and signature), then the live defined tags of each loaded object in load order. Tag types
//! are registered after every function type, imports before definitions (lld's
//! `calculateTypes`). Tags never appear in the `name` section.

use super::{Exported, ImportKind, Layout, OutExport, OutImport};
use crate::ids::{FileId, OutTag, OutType, SymbolId};
use crate::inputs::Inputs;
use crate::mark::Liveness;
use crate::resolve::Resolved;
use crate::symbols::Def;
use std::borrow::Cow;
use wasm_format::types::FuncType;
use wasm_object::ids::{DefinedTag, Definition};

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
        let Some(wasm_format::linking::SymbolKind::Tag { index }) =
            obj.symbols.get(index as usize).map(|s| s.kind)
        else {
            return;
        };
        let Some(ty) = obj
            .tag_type(index)
            .and_then(|t| obj.types.get(t as usize))
            .cloned()
        else {
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
            self.sym_tag.set(id.idx(), Some(OutTag(nth as u32)));
            return;
        }
        self.sym_tag
            .set(id.idx(), Some(OutTag(self.num_tag_imports)));
        self.num_tag_imports += 1;
        self.imports.push(OutImport {
            module,
            field,
            // The type index is set once types are registered.
            kind: ImportKind::Tag {
                ty,
                index: OutType(0),
            },
            symbol: Some(id),
        });
    }

    /// Defined tags: the live tags of each loaded object, in load order, after the imports;
    /// then each defined tag symbol's index.
    pub(crate) fn assign_tags(&mut self, inputs: &Inputs<'a>, res: &Resolved<'a>, live: &Liveness) {
        for &f in &res.loaded {
            let alive = &live.tags[f.idx()];
            for (i, _) in alive.iter().enumerate().filter(|(_, l)| **l) {
                let index = OutTag(self.num_tag_imports + self.tags.len() as u32);
                self.file_tags[f.idx()][i] = Some(index);
                self.tags.push((f, DefinedTag(i as u32)));
            }
        }
        if self.tags.is_empty() {
            return;
        }
        for (i, sym) in res.table.symbols.iter().enumerate() {
            if let Some(index) = self.defined_tag_index(inputs, sym.def) {
                self.sym_tag.set(i, Some(index));
            }
        }
    }

    /// The output index of the tag a definition names, if that tag is live.
    fn defined_tag_index(&self, inputs: &Inputs<'a>, def: Def) -> Option<OutTag> {
        let Def::Defined { file, index } = def else {
            return None;
        };
        let Some(Definition::Tag(t)) = inputs.obj(file).definition(index) else {
            return None;
        };
        *self.file_tags[file.idx()].get(t.idx())?
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
        let ty = obj.tags.get(i.idx()).map(|t| t.type_index);
        ty.and_then(|t| obj.types.get(t as usize).cloned())
            .unwrap_or(FuncType {
                params: vec![],
                results: vec![],
            })
    }

    /// The export of tag symbol `id`, if the tag is in the output.
    pub(crate) fn tag_export(&self, id: SymbolId, name: &str) -> Option<OutExport> {
        self.sym_tag.at(id.idx()).map(|t| OutExport {
            name: name.to_string(),
            item: Exported::Tag(t),
        })
    }
}
