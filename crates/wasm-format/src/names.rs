//! The `name` custom section (core spec appendix, plus the extended-name-section proposal's
//! subsections): debug names of the module, functions, locals and the other index spaces. The
//! linker reads function, global and data-segment names and writes a renumbered section.

use crate::error::Result;
use crate::linking::subsections;
use crate::parse::{name, var_u32, vec_of, In, PResult, Window};

/// The decoded `name` section. Each subsection may appear at most once.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NameSection<'a> {
    /// The module name (subsection 0).
    pub module: Option<&'a str>,
    /// Function names (1).
    pub functions: Vec<Naming<'a>>,
    /// Local names per function (2).
    pub locals: Vec<IndirectNaming<'a>>,
    /// Label names per function (3).
    pub labels: Vec<IndirectNaming<'a>>,
    /// Type names (4).
    pub types: Vec<Naming<'a>>,
    /// Table names (5).
    pub tables: Vec<Naming<'a>>,
    /// Memory names (6).
    pub memories: Vec<Naming<'a>>,
    /// Global names (7).
    pub globals: Vec<Naming<'a>>,
    /// Element segment names (8).
    pub elem_segments: Vec<Naming<'a>>,
    /// Data segment names (9).
    pub data_segments: Vec<Naming<'a>>,
    /// Struct field names per type (10, GC proposal).
    pub fields: Vec<IndirectNaming<'a>>,
    /// Tag names (11).
    pub tags: Vec<Naming<'a>>,
    /// Subsections with other ids, undecoded, in file order.
    pub other: Vec<(u8, Window<'a>)>,
}

/// A name for an index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Naming<'a> {
    /// The index in its index space.
    pub index: u32,
    /// The name.
    pub name: &'a str,
}

/// Names for the indices inside one item (e.g. the locals of one function).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndirectNaming<'a> {
    /// The outer index (e.g. a function index).
    pub index: u32,
    /// The inner names.
    pub names: Vec<Naming<'a>>,
}

/// Parses the contents of a `name` section (after its name). Unknown subsections are kept in
/// [`NameSection::other`]; a malformed known one is an error.
pub fn parse_name_section(w: Window<'_>) -> Result<NameSection<'_>> {
    let mut names = NameSection::default();
    subsections(w, "each name subsection at most once", |id, sub| {
        names.add_subsection(id, sub)
    })?;
    Ok(names)
}

impl<'a> NameSection<'a> {
    fn add_subsection(&mut self, id: u8, sub: Window<'a>) -> Result<bool> {
        let direct = match id {
            0 => {
                self.module = Some(sub.parse_all("the module name", name)?);
                return Ok(true);
            }
            2 | 3 | 10 => {
                *self.indirect_slot(id) =
                    sub.parse_all("an indirect name map", vec_of("entries", 2, indirect))?;
                return Ok(true);
            }
            1 => &mut self.functions,
            4 => &mut self.types,
            5 => &mut self.tables,
            6 => &mut self.memories,
            7 => &mut self.globals,
            8 => &mut self.elem_segments,
            9 => &mut self.data_segments,
            11 => &mut self.tags,
            _ => {
                self.other.push((id, sub));
                return Ok(false);
            }
        };
        *direct = sub.parse_all("a name map", name_map)?;
        Ok(true)
    }

    fn indirect_slot(&mut self, id: u8) -> &mut Vec<IndirectNaming<'a>> {
        match id {
            2 => &mut self.locals,
            3 => &mut self.labels,
            _ => &mut self.fields,
        }
    }
}

fn name_map(i: In<'_>) -> PResult<'_, Vec<Naming<'_>>> {
    vec_of("names", 2, naming)(i)
}

fn naming(i: In<'_>) -> PResult<'_, Naming<'_>> {
    let (i, index) = var_u32(i)?;
    let (i, name) = name(i)?;
    Ok((i, Naming { index, name }))
}

fn indirect(i: In<'_>) -> PResult<'_, IndirectNaming<'_>> {
    let (i, index) = var_u32(i)?;
    let (i, names) = name_map(i)?;
    Ok((i, IndirectNaming { index, names }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;
    use crate::linking::test_util::*;

    fn name_bytes() -> Vec<u8> {
        let mut out = Vec::new();
        let mut p = Vec::new();
        string(&mut p, "mod");
        push_subsection(&mut out, 0, &p);
        let mut p = vec![2, 0];
        string(&mut p, "main");
        leb(&mut p, 200);
        string(&mut p, "f200");
        push_subsection(&mut out, 1, &p);
        let mut p = vec![1, 3, 2, 0];
        string(&mut p, "a");
        p.push(1);
        string(&mut p, "b");
        push_subsection(&mut out, 2, &p);
        let mut p = vec![1, 0];
        string(&mut p, "__stack_pointer");
        push_subsection(&mut out, 7, &p);
        let mut p = vec![1, 0];
        string(&mut p, ".rodata");
        push_subsection(&mut out, 9, &p);
        let mut p = vec![1, 0];
        string(&mut p, "exn");
        push_subsection(&mut out, 11, &p);
        push_subsection(&mut out, 42, &[1, 2, 3]);
        out
    }

    #[test]
    fn parses_known_subsections_and_keeps_others() {
        let bytes = name_bytes();
        let n = parse_name_section(Window::new(&bytes, BASE)).unwrap();
        assert_eq!(n.module, Some("mod"));
        assert_eq!(
            n.functions,
            vec![
                Naming {
                    index: 0,
                    name: "main"
                },
                Naming {
                    index: 200,
                    name: "f200"
                }
            ]
        );
        assert_eq!(n.locals.len(), 1);
        assert_eq!(n.locals[0].index, 3);
        assert_eq!(
            n.locals[0].names,
            vec![
                Naming {
                    index: 0,
                    name: "a"
                },
                Naming {
                    index: 1,
                    name: "b"
                }
            ]
        );
        assert_eq!(
            n.globals,
            vec![Naming {
                index: 0,
                name: "__stack_pointer"
            }]
        );
        assert_eq!(
            n.data_segments,
            vec![Naming {
                index: 0,
                name: ".rodata"
            }]
        );
        assert_eq!(
            n.tags,
            vec![Naming {
                index: 0,
                name: "exn"
            }]
        );
        assert_eq!(n.other.len(), 1);
        assert_eq!(n.other[0].0, 42);
        assert_eq!(n.other[0].1.bytes, &[1, 2, 3]);
        assert_eq!(n.other[0].1.offset, BASE + bytes.len() - 3);
    }

    #[test]
    fn duplicate_subsection_is_an_error() {
        let mut bytes = Vec::new();
        push_subsection(&mut bytes, 1, &[0]);
        push_subsection(&mut bytes, 1, &[0]);
        let err = parse_name_section(Window::new(&bytes, BASE)).unwrap_err();
        assert_eq!(err.offset(), BASE + 3);
    }

    #[test]
    fn huge_count_is_count_too_large() {
        let mut bytes = Vec::new();
        push_subsection(&mut bytes, 1, &[0xff, 0xff, 0xff, 0xff, 0x0f, 0, 0]);
        let err = parse_name_section(Window::new(&bytes, BASE)).unwrap_err();
        assert!(
            matches!(err.kind(), ErrorKind::CountTooLarge { .. }),
            "{err}"
        );
        assert_eq!(err.offset(), BASE + 2);
    }

    #[test]
    fn every_truncation_is_an_error_inside_the_input() {
        let bytes = name_bytes();
        check_truncations(&bytes, &subsection_ends(&bytes, 0), |w| {
            parse_name_section(w).map(drop)
        });
    }

    #[test]
    fn garbage_never_panics() {
        check_garbage(&name_bytes(), |w| parse_name_section(w).map(drop));
    }
}
