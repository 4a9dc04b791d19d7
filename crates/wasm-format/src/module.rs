//! The module header and section framing: splits a module (object file or linked module) into
//! its sections, each a borrowed [`Window`] with its absolute offset. Nothing inside a section
//! is parsed here; the section parsers in the other modules take these windows.

use crate::error::{Error, ErrorKind, Result};
use crate::parse::{byte, fail, name, take, u32_le, var_u32, In, PResult, Window};

/// The 4-byte magic number every module starts with.
pub const MAGIC: [u8; 4] = *b"\0asm";

/// A section id, as in the binary format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[allow(missing_docs)]
pub enum SectionId {
    Custom = 0,
    Type = 1,
    Import = 2,
    Function = 3,
    Table = 4,
    Memory = 5,
    Global = 6,
    Export = 7,
    Start = 8,
    Element = 9,
    Code = 10,
    Data = 11,
    DataCount = 12,
    Tag = 13,
}

impl SectionId {
    /// The id for a byte, if it names a known section.
    pub fn from_u8(b: u8) -> Option<SectionId> {
        use SectionId::*;
        Some(match b {
            0 => Custom,
            1 => Type,
            2 => Import,
            3 => Function,
            4 => Table,
            5 => Memory,
            6 => Global,
            7 => Export,
            8 => Start,
            9 => Element,
            10 => Code,
            11 => Data,
            12 => DataCount,
            13 => Tag,
            _ => return None,
        })
    }

    /// The name tools such as `wasm-objdump` print for this section.
    pub fn name(self) -> &'static str {
        use SectionId::*;
        match self {
            Custom => "Custom",
            Type => "Type",
            Import => "Import",
            Function => "Function",
            Table => "Table",
            Memory => "Memory",
            Global => "Global",
            Export => "Export",
            Start => "Start",
            Element => "Elem",
            Code => "Code",
            Data => "Data",
            DataCount => "DataCount",
            Tag => "Tag",
        }
    }
}

/// One section: its id, and its contents as a borrowed window.
#[derive(Clone, Copy, Debug)]
pub struct Section<'a> {
    /// The section id.
    pub id: SectionId,
    /// Position of the section in the file (0 = first section). Relocation sections name their
    /// target by this index.
    pub index: u32,
    /// Absolute offset of the section's id byte.
    pub header_offset: usize,
    /// For custom sections, the name; `None` for standard ones.
    pub custom_name: Option<&'a str>,
    /// The contents: for standard sections everything after the size field, for custom
    /// sections everything after the name. Relocation offsets are relative to its start.
    pub contents: Window<'a>,
}

impl<'a> Section<'a> {
    /// The section's display name: the custom name, or the standard name.
    pub fn display_name(&self) -> &'a str {
        self.custom_name.unwrap_or(self.id.name())
    }

    /// The size of the whole section, from the id byte to the end of the contents.
    pub fn total_size(&self) -> usize {
        self.contents.end() - self.header_offset
    }
}

/// A module split into sections.
#[derive(Clone, Debug)]
pub struct Module<'a> {
    /// The whole file.
    pub file: Window<'a>,
    /// The binary-format version from the header (1 for core modules).
    pub version: u32,
    /// Every section in file order.
    pub sections: Vec<Section<'a>>,
}

impl<'a> Module<'a> {
    /// Splits `bytes` (a whole file, or an archive member at absolute `offset`) into sections.
    pub fn parse(bytes: &'a [u8], offset: usize) -> Result<Module<'a>> {
        let file = Window::new(bytes, offset);
        let (body, version) = file.parse_prefix(header)?;
        if version != 1 {
            return Err(Error::new(
                file.offset + 4,
                ErrorKind::Invalid {
                    expected: "binary format version 1",
                    found: u64::from(version),
                },
            ));
        }
        // Enough for a typical object's sections without growing.
        let mut sections = Vec::with_capacity(16);
        let mut rest = body;
        while !rest.is_empty() {
            let index = sections.len() as u32;
            let (next, section) = rest.parse_prefix(|i| section(rest, i, index))?;
            sections.push(section);
            rest = next;
        }
        Ok(Module {
            file,
            version,
            sections,
        })
    }

    /// The first section with this id.
    pub fn section(&self, id: SectionId) -> Option<&Section<'a>> {
        self.sections.iter().find(|s| s.id == id)
    }

    /// Every custom section with this name.
    pub fn custom_sections<'s>(
        &'s self,
        name: &'s str,
    ) -> impl Iterator<Item = &'s Section<'a>> + 's {
        self.sections
            .iter()
            .filter(move |s| s.custom_name == Some(name))
    }
}

/// Whether `bytes` starts with the wasm magic number.
pub fn is_wasm(bytes: &[u8]) -> bool {
    bytes.starts_with(&MAGIC)
}

fn header(i: In<'_>) -> PResult<'_, u32> {
    let (rest, magic) = take(4, "the wasm magic number")(i)?;
    if magic != MAGIC {
        let found = u64::from(u32::from_le_bytes([magic[0], magic[1], magic[2], magic[3]]));
        return fail(
            i,
            ErrorKind::Invalid {
                expected: "the wasm magic number \\0asm",
                found,
            },
        );
    }
    u32_le(rest)
}

fn section<'a>(outer: Window<'a>, i: In<'a>, index: u32) -> PResult<'a, Section<'a>> {
    let header_offset = outer.offset_of(i);
    let (rest, id_byte) = byte("a section id")(i)?;
    let Some(id) = SectionId::from_u8(id_byte) else {
        return fail(
            i,
            ErrorKind::Invalid {
                expected: "a section id (0 to 13)",
                found: u64::from(id_byte),
            },
        );
    };
    let (rest, size) = var_u32(rest)?;
    let (after, payload) = take(
        size as usize,
        "section contents (section size exceeds the file)",
    )(rest)?;
    let mut contents = outer.tail(payload);
    contents.bytes = payload;
    let mut custom_name = None;
    if id == SectionId::Custom {
        let (body, n) = name(payload)?;
        custom_name = Some(n);
        contents = outer.tail(body);
        contents.bytes = body;
    }
    Ok((
        after,
        Section {
            id,
            index,
            header_offset,
            custom_name,
            contents,
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_sections_with_absolute_offsets() {
        let bytes = [0, b'a', b's', b'm', 1, 0, 0, 0, 1, 1, 0, 0, 3, 1, b'x', 7];
        let m = Module::parse(&bytes, 10).unwrap();
        assert_eq!(m.sections.len(), 2);
        assert_eq!(m.sections[0].id, SectionId::Type);
        assert_eq!(m.sections[0].contents.offset, 20);
        assert_eq!(m.sections[1].custom_name, Some("x"));
        assert_eq!(m.sections[1].contents.offset, 25);
        assert_eq!(m.sections[1].contents.bytes, &[7]);
    }

    #[test]
    fn truncated_section_names_its_offset() {
        let bytes = [0, b'a', b's', b'm', 1, 0, 0, 0, 1, 5, 0];
        let err = Module::parse(&bytes, 0).unwrap_err();
        assert_eq!(err.offset(), 10);
        assert!(Module::parse(b"\0asX\x01\0\0\0", 0).is_err());
    }
}
