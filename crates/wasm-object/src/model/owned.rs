//! [`ObjectModel::into_owned`]: a model that no longer borrows the file it was read from, so
//! that it can outlive it (an object kept in memory between a compile and a link).

use super::*;

/// A `Cow` that owns its value.
fn own<T: ToOwned + ?Sized + 'static>(c: Cow<'_, T>) -> Cow<'static, T> {
    Cow::Owned(c.into_owned())
}

impl ObjectModel<'_> {
    /// The same model, owning every byte and name it borrowed (a copy of each).
    pub fn into_owned(self) -> ObjectModel<'static> {
        ObjectModel {
            types: self.types,
            imports: self.imports.into_iter().map(Import::into_owned).collect(),
            functions: self
                .functions
                .into_iter()
                .map(Function::into_owned)
                .collect(),
            tables: self.tables.into_iter().map(Table::into_owned).collect(),
            memories: self.memories,
            tags: self.tags,
            globals: self.globals.into_iter().map(Global::into_owned).collect(),
            exports: self.exports.into_iter().map(Export::into_owned).collect(),
            start: self.start,
            elements: (self.elements.into_iter())
                .map(ElementSegment::into_owned)
                .collect(),
            segments: self
                .segments
                .into_iter()
                .map(DataSegment::into_owned)
                .collect(),
            customs: self
                .customs
                .into_iter()
                .map(CustomSection::into_owned)
                .collect(),
            symbols: self.symbols.into_iter().map(Symbol::into_owned).collect(),
            init_funcs: self.init_funcs,
            comdats: self.comdats.into_iter().map(Comdat::into_owned).collect(),
            name_section: self.name_section.map(own),
            producers: (self.producers)
                .map(|p| p.into_iter().map(ProducerField::into_owned).collect()),
            features: self.features.into_iter().map(Feature::into_owned).collect(),
        }
    }
}

impl Import<'_> {
    /// The same import, owning its names.
    pub fn into_owned(self) -> Import<'static> {
        Import {
            module: own(self.module),
            field: own(self.field),
            kind: self.kind,
        }
    }
}

impl Function<'_> {
    /// The same function, owning its body.
    pub fn into_owned(self) -> Function<'static> {
        Function {
            type_index: self.type_index,
            body: own(self.body),
            relocs: self.relocs,
        }
    }
}

impl Expr<'_> {
    /// The same expression, owning its bytes.
    pub fn into_owned(self) -> Expr<'static> {
        Expr(own(self.0))
    }
}

impl Table<'_> {
    /// The same table, owning its initializer.
    pub fn into_owned(self) -> Table<'static> {
        Table {
            ty: self.ty,
            init: self.init.map(Expr::into_owned),
        }
    }
}

impl Global<'_> {
    /// The same global, owning its initializer.
    pub fn into_owned(self) -> Global<'static> {
        Global {
            ty: self.ty,
            init: self.init.into_owned(),
        }
    }
}

impl Export<'_> {
    /// The same export, owning its name.
    pub fn into_owned(self) -> Export<'static> {
        Export {
            name: own(self.name),
            kind: self.kind,
            index: self.index,
        }
    }
}

impl ElementSegment<'_> {
    /// The same segment, owning its expressions.
    pub fn into_owned(self) -> ElementSegment<'static> {
        ElementSegment {
            mode: match self.mode {
                ElementMode::Passive => ElementMode::Passive,
                ElementMode::Declared => ElementMode::Declared,
                ElementMode::Active { table, offset } => ElementMode::Active {
                    table,
                    offset: offset.into_owned(),
                },
            },
            ty: self.ty,
            items: match self.items {
                ElementItems::Functions(f) => ElementItems::Functions(f),
                ElementItems::Exprs(x) => {
                    ElementItems::Exprs(x.into_iter().map(Expr::into_owned).collect())
                }
            },
        }
    }
}

impl DataMode<'_> {
    /// The same mode, owning its offset expression.
    pub fn into_owned(self) -> DataMode<'static> {
        match self {
            DataMode::Passive => DataMode::Passive,
            DataMode::Active { memory, offset } => DataMode::Active {
                memory,
                offset: offset.into_owned(),
            },
        }
    }
}

impl DataSegment<'_> {
    /// The same segment, owning its name and bytes.
    pub fn into_owned(self) -> DataSegment<'static> {
        DataSegment {
            name: own(self.name),
            p2align: self.p2align,
            flags: self.flags,
            mode: self.mode.into_owned(),
            data: own(self.data),
            relocs: self.relocs,
        }
    }
}

impl CustomSection<'_> {
    /// The same section, owning its name and contents.
    pub fn into_owned(self) -> CustomSection<'static> {
        CustomSection {
            name: own(self.name),
            data: own(self.data),
            relocs: self.relocs,
        }
    }
}

impl Symbol<'_> {
    /// The same symbol, owning its name.
    pub fn into_owned(self) -> Symbol<'static> {
        Symbol {
            flags: self.flags,
            name: self.name.map(own),
            kind: self.kind,
        }
    }
}

impl Comdat<'_> {
    /// The same group, owning its name.
    pub fn into_owned(self) -> Comdat<'static> {
        Comdat {
            name: own(self.name),
            flags: self.flags,
            members: self.members,
        }
    }
}

impl ProducerField<'_> {
    /// The same field, owning its names and versions.
    pub fn into_owned(self) -> ProducerField<'static> {
        ProducerField {
            name: own(self.name),
            values: (self.values.into_iter())
                .map(|(n, v)| (own(n), own(v)))
                .collect(),
        }
    }
}

impl Feature<'_> {
    /// The same feature, owning its name.
    pub fn into_owned(self) -> Feature<'static> {
        Feature {
            prefix: self.prefix,
            name: own(self.name),
        }
    }
}
