//! `wasm-inspect`'s model: one [`Report`] per module (a file, or one member of an archive),
//! built from our own parsers only, so that printing it exercises every parser the linker uses.
//! The same report is printed as aligned text ([`text`]) or serialised as JSON.

pub mod text;

use serde::Serialize;
use std::path::Path;
use wasm_format::features::parse_target_features;
use wasm_format::linking::{
    parse_linking, ComdatKind, ComdatMember, Linking, SymbolInfo, SymbolKind,
};
use wasm_format::reloc::{parse_reloc_section, RelocType};
use wasm_format::sections::{self, ExternalKind, Import, ImportKind};
use wasm_format::{Module, SectionId};
use wasm_object::input::{Contents, InputError, InputErrorKind, InputFile};

/// Everything printed about one module.
#[derive(Debug, Default, Serialize)]
pub struct Report {
    /// The file.
    pub file: String,
    /// The archive member, if the module is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub member: Option<String>,
    /// `object` (has a `linking` section) or `module` (linked).
    pub kind: &'static str,
    /// Every section in file order.
    pub sections: Vec<SectionRow>,
    /// The `linking` symbol table.
    pub symbols: Vec<SymbolRow>,
    /// One group per `reloc.*` section.
    pub relocations: Vec<RelocGroup>,
    /// Data segment infos from `linking`.
    pub segments: Vec<SegmentRow>,
    /// Init functions.
    pub init_funcs: Vec<InitFuncRow>,
    /// Comdat groups.
    pub comdats: Vec<ComdatRow>,
    /// `target_features` entries as `+name`, `-name`, `=name`.
    pub target_features: Vec<String>,
    /// Imports.
    pub imports: Vec<ImportRow>,
    /// Exports.
    pub exports: Vec<ExportRow>,
}

/// One section.
#[derive(Debug, Serialize)]
pub struct SectionRow {
    /// Position in the file.
    pub index: u32,
    /// Standard name or custom name.
    pub name: String,
    /// Absolute offset of the section's id byte.
    pub offset: usize,
    /// Size of the contents (after the size field; for custom sections after the name).
    pub size: usize,
}

/// One symbol.
#[derive(Debug, Serialize)]
pub struct SymbolRow {
    /// Position in the symbol table.
    pub index: usize,
    /// `func`, `data`, `global`, `section`, `tag`, `table`.
    pub kind: &'static str,
    /// Decoded flag names.
    pub flags: Vec<&'static str>,
    /// The name (an import's field name for unnamed undefined symbols).
    pub name: String,
    /// Function, global, tag, table or section index.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_index: Option<u32>,
    /// Data segment of a defined data symbol.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub segment: Option<u32>,
    /// Offset in the segment.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub offset: Option<u64>,
    /// Size in bytes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
}

/// The relocations of one `reloc.*` section.
#[derive(Debug, Serialize)]
pub struct RelocGroup {
    /// The `reloc.*` section's own name.
    pub section: String,
    /// Index of the section patched.
    pub target_index: u32,
    /// Name of the section patched.
    pub target_name: String,
    /// The relocations.
    pub relocs: Vec<RelocRow>,
}

/// One relocation.
#[derive(Debug, Serialize)]
pub struct RelocRow {
    /// `R_WASM_...`.
    pub ty: &'static str,
    /// Offset in the target section's contents.
    pub offset: u32,
    /// Symbol index (type index for `R_WASM_TYPE_INDEX_LEB`).
    pub index: u32,
    /// The symbol's name, or `type[N]`.
    pub name: String,
    /// The addend.
    pub addend: i64,
}

/// One data segment info.
#[derive(Debug, Serialize)]
pub struct SegmentRow {
    /// Segment index.
    pub index: usize,
    /// Segment name.
    pub name: String,
    /// Alignment in bytes.
    pub align: u64,
    /// Decoded flags.
    pub flags: Vec<&'static str>,
}

/// One init function.
#[derive(Debug, Serialize)]
pub struct InitFuncRow {
    /// Priority (lower runs first).
    pub priority: u32,
    /// Symbol index.
    pub symbol: u32,
    /// Symbol name.
    pub name: String,
}

/// One comdat group.
#[derive(Debug, Serialize)]
pub struct ComdatRow {
    /// Group name.
    pub name: String,
    /// Members as `kind[index]`.
    pub members: Vec<String>,
}

/// One import.
#[derive(Debug, Serialize)]
pub struct ImportRow {
    /// Module name.
    pub module: String,
    /// Field name.
    pub field: String,
    /// `func`, `table`, `memory`, `global`, `tag`.
    pub kind: &'static str,
}

/// One export.
#[derive(Debug, Serialize)]
pub struct ExportRow {
    /// Exported name.
    pub name: String,
    /// `func`, `table`, `memory`, `global`, `tag`.
    pub kind: &'static str,
    /// Index in its index space.
    pub index: u32,
}

/// An error about one file or member, for printing and for JSON.
#[derive(Debug, Serialize)]
pub struct ReportError {
    /// The file.
    pub file: String,
    /// The archive member, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub member: Option<String>,
    /// Absolute offset in the file, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub offset: Option<usize>,
    /// The whole message, as printed.
    pub message: String,
}

impl From<InputError> for ReportError {
    fn from(e: InputError) -> Self {
        ReportError {
            file: e.file().display().to_string(),
            member: e.member().map(str::to_owned),
            offset: e.offset(),
            message: e.to_string(),
        }
    }
}

/// The JSON document `--json` prints: every module that parsed, every error.
#[derive(Debug, Serialize)]
pub struct JsonOut {
    /// The modules that parsed, in order.
    pub modules: Vec<Report>,
    /// The errors, in order.
    pub errors: Vec<ReportError>,
}

impl JsonOut {
    /// Splits the results of [`inspect_path`] into modules and errors.
    pub fn new(results: Vec<Result<Report, ReportError>>) -> Self {
        let (ok, err): (Vec<_>, Vec<_>) = results.into_iter().partition(Result::is_ok);
        JsonOut {
            modules: ok.into_iter().filter_map(Result::ok).collect(),
            errors: err.into_iter().filter_map(Result::err).collect(),
        }
    }
}

/// Inspects one file: one result per module (a single one for a module, one per member for an
/// archive). An error that stops the whole file is one `Err`.
pub fn inspect_path(path: &Path) -> Vec<Result<Report, ReportError>> {
    let file = match InputFile::open(path) {
        Ok(f) => f,
        Err(e) => return vec![Err(e.into())],
    };
    match file.contents() {
        Ok(Contents::Archive(archive)) => archive
            .members
            .iter()
            .map(|m| {
                let contents = file.member_contents(m)?;
                report(&file, Some(m.name), contents).map_err(|e| e.in_member(m.name))
            })
            .map(|r| r.map_err(ReportError::from))
            .collect(),
        Ok(contents) => vec![report(&file, None, contents).map_err(ReportError::from)],
        Err(e) => vec![Err(e.into())],
    }
}

/// Builds the report for one module; a section that fails to parse fails the whole module.
fn report(
    file: &InputFile,
    member: Option<&str>,
    contents: Contents<'_>,
) -> Result<Report, InputError> {
    let (kind, module) = match contents {
        Contents::Object(m) => ("object", m),
        Contents::LinkedModule(m) => ("module", m),
        Contents::Archive(_) => {
            return Err(InputError::new(
                file.path(),
                InputErrorKind::UnknownFileType,
            ))
        }
    };
    let wrap = |e| InputError::new(file.path(), InputErrorKind::Format(e));
    let mut r = build(&module).map_err(wrap)?;
    r.file = file.path().display().to_string();
    r.member = member.map(str::to_owned);
    r.kind = kind;
    Ok(r)
}

/// Everything that only depends on the module's bytes.
fn build(module: &Module<'_>) -> wasm_format::Result<Report> {
    let imports = match module.section(SectionId::Import) {
        Some(s) => sections::parse_import_section(s.contents)?,
        None => Vec::new(),
    };
    let linking = match module.custom_sections("linking").next() {
        Some(s) => parse_linking(s.contents)?,
        None => Linking::default(),
    };
    let names = Names {
        module,
        imports: &imports,
        linking: &linking,
    };
    Ok(Report {
        sections: section_rows(module),
        symbols: linking
            .symbols
            .iter()
            .enumerate()
            .map(|(i, s)| names.symbol_row(i, s))
            .collect(),
        relocations: reloc_groups(module, &names)?,
        segments: segment_rows(&linking),
        init_funcs: linking
            .init_funcs
            .iter()
            .map(|f| init_row(&names, f))
            .collect(),
        comdats: (linking.comdats.iter())
            .map(|c| comdat_row(c, &linking.comdat_members))
            .collect(),
        target_features: target_features(module)?,
        imports: imports.iter().map(import_row).collect(),
        exports: export_rows(module)?,
        ..Report::default()
    })
}

fn section_rows(module: &Module<'_>) -> Vec<SectionRow> {
    let row = |s: &wasm_format::Section<'_>| SectionRow {
        index: s.index,
        name: s.display_name().to_owned(),
        offset: s.header_offset,
        size: s.contents.len(),
    };
    module.sections.iter().map(row).collect()
}

/// Resolves symbol names the way `llvm-objdump` does: explicit names, else import field names,
/// else section names.
struct Names<'m, 'a> {
    module: &'m Module<'a>,
    imports: &'m [Import<'a>],
    linking: &'m Linking<'a>,
}

impl Names<'_, '_> {
    fn symbol_name(&self, sym: &SymbolInfo<'_>) -> String {
        if let Some(name) = sym.name {
            return name.to_owned();
        }
        let import = |want: fn(&ImportKind) -> bool, index: u32| {
            let mut of_kind = self.imports.iter().filter(|i| want(&i.kind));
            of_kind.nth(index as usize).map(|i| i.field.to_owned())
        };
        let found = match sym.kind {
            SymbolKind::Function { index } => import(|k| matches!(k, ImportKind::Func(_)), index),
            SymbolKind::Global { index } => import(|k| matches!(k, ImportKind::Global(_)), index),
            SymbolKind::Tag { index } => import(|k| matches!(k, ImportKind::Tag(_)), index),
            SymbolKind::Table { index } => import(|k| matches!(k, ImportKind::Table(_)), index),
            SymbolKind::Section { section } => self.section_name(section),
            SymbolKind::Data { .. } => None,
        };
        found.unwrap_or_else(|| "<unnamed>".to_owned())
    }

    fn section_name(&self, index: u32) -> Option<String> {
        let section = self.module.sections.get(index as usize)?;
        Some(section.display_name().to_owned())
    }

    fn symbol_index_name(&self, index: u32) -> String {
        match self.linking.symbols.get(index as usize) {
            Some(sym) => self.symbol_name(sym),
            None => format!("<bad symbol {index}>"),
        }
    }

    fn symbol_row(&self, index: usize, sym: &SymbolInfo<'_>) -> SymbolRow {
        let mut row = SymbolRow {
            index,
            kind: symbol_kind_name(&sym.kind),
            flags: sym.flags.names(),
            name: self.symbol_name(sym),
            target_index: None,
            segment: None,
            offset: None,
            size: None,
        };
        match sym.kind {
            SymbolKind::Function { index }
            | SymbolKind::Global { index }
            | SymbolKind::Tag { index }
            | SymbolKind::Table { index } => row.target_index = Some(index),
            SymbolKind::Section { section } => row.target_index = Some(section),
            SymbolKind::Data { def: Some(def) } => {
                (row.segment, row.offset, row.size) =
                    (Some(def.segment), Some(def.offset), Some(def.size));
            }
            SymbolKind::Data { def: None } => {}
        }
        row
    }
}

fn symbol_kind_name(kind: &SymbolKind) -> &'static str {
    match kind {
        SymbolKind::Function { .. } => "func",
        SymbolKind::Data { .. } => "data",
        SymbolKind::Global { .. } => "global",
        SymbolKind::Section { .. } => "section",
        SymbolKind::Tag { .. } => "tag",
        SymbolKind::Table { .. } => "table",
    }
}

fn reloc_groups(
    module: &Module<'_>,
    names: &Names<'_, '_>,
) -> wasm_format::Result<Vec<RelocGroup>> {
    let mut groups = Vec::new();
    for s in &module.sections {
        let Some(name) = s.custom_name.filter(|n| n.starts_with("reloc.")) else {
            continue;
        };
        let section = parse_reloc_section(s.contents)?;
        let relocs = section.relocs.iter().map(|r| RelocRow {
            ty: r.ty.name(),
            offset: r.offset,
            index: r.index,
            name: if r.ty == RelocType::TypeIndexLeb {
                format!("type[{}]", r.index)
            } else {
                names.symbol_index_name(r.index)
            },
            addend: r.addend,
        });
        groups.push(RelocGroup {
            section: name.to_owned(),
            target_index: section.target_section,
            target_name: names
                .section_name(section.target_section)
                .unwrap_or_else(|| "<bad section>".into()),
            relocs: relocs.collect(),
        });
    }
    Ok(groups)
}

fn segment_rows(linking: &Linking<'_>) -> Vec<SegmentRow> {
    let row = |(index, s): (usize, &wasm_format::linking::SegmentInfo<'_>)| SegmentRow {
        index,
        name: s.name.to_owned(),
        align: 1u64 << s.p2align.min(63),
        flags: s.flags.names(),
    };
    linking.segments.iter().enumerate().map(row).collect()
}

fn init_row(names: &Names<'_, '_>, f: &wasm_format::linking::InitFunc) -> InitFuncRow {
    InitFuncRow {
        priority: f.priority,
        symbol: f.symbol,
        name: names.symbol_index_name(f.symbol),
    }
}

/// Group `c`, whose members are in `all`.
fn comdat_row(c: &wasm_format::linking::Comdat<'_>, all: &[ComdatMember]) -> ComdatRow {
    let kind = |k: ComdatKind| match k {
        ComdatKind::Data => "data",
        ComdatKind::Function => "func",
        ComdatKind::Global => "global",
        ComdatKind::Tag => "tag",
        ComdatKind::Table => "table",
        ComdatKind::Section => "section",
    };
    let members = (c.members_of(all).iter())
        .map(|m| format!("{}[{}]", kind(m.kind), m.index))
        .collect();
    ComdatRow {
        name: c.name.to_owned(),
        members,
    }
}

fn target_features(module: &Module<'_>) -> wasm_format::Result<Vec<String>> {
    let mut out = Vec::new();
    for s in module.custom_sections("target_features") {
        let features = parse_target_features(s.contents)?;
        out.extend(
            features
                .iter()
                .map(|f| format!("{}{}", f.prefix.as_char(), f.name)),
        );
    }
    Ok(out)
}

fn import_row(i: &Import<'_>) -> ImportRow {
    let kind = match i.kind {
        ImportKind::Func(_) => "func",
        ImportKind::Table(_) => "table",
        ImportKind::Memory(_) => "memory",
        ImportKind::Global(_) => "global",
        ImportKind::Tag(_) => "tag",
    };
    ImportRow {
        module: i.module.to_owned(),
        field: i.field.to_owned(),
        kind,
    }
}

fn export_rows(module: &Module<'_>) -> wasm_format::Result<Vec<ExportRow>> {
    let Some(s) = module.section(SectionId::Export) else {
        return Ok(Vec::new());
    };
    let kind = |k: ExternalKind| match k {
        ExternalKind::Func => "func",
        ExternalKind::Table => "table",
        ExternalKind::Memory => "memory",
        ExternalKind::Global => "global",
        ExternalKind::Tag => "tag",
    };
    let exports = sections::parse_export_section(s.contents)?;
    let row = |e: &sections::Export<'_>| ExportRow {
        name: e.name.to_owned(),
        kind: kind(e.kind),
        index: e.index,
    };
    Ok(exports.iter().map(row).collect())
}
