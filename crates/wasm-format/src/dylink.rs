//! The `dylink.0` custom section of shared libraries and PIE modules (tool-conventions
//! `DynamicLinking.md`): how much memory and table space the module needs, which libraries it
//! depends on, and flags of some imports and exports. The linker writes it for `-shared` and
//! `-pie` and reads it from `.so` inputs.

use crate::error::Result;
use crate::linking::subsections;
use crate::parse::{name, var_u32, vec_of, In, PResult, Window};

const MEM_INFO: u8 = 1;
const NEEDED: u8 = 2;
const EXPORT_INFO: u8 = 3;
const IMPORT_INFO: u8 = 4;
const RUNTIME_PATH: u8 = 5;

/// The decoded `dylink.0` section. Each known subsection may appear at most once.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Dylink<'a> {
    /// Memory and table requirements (subsection 1).
    pub mem_info: Option<MemInfo>,
    /// Shared libraries this one depends on (2).
    pub needed: Vec<&'a str>,
    /// Export name and symbol flags, e.g. `TLS` (3).
    pub export_info: Vec<(&'a str, u32)>,
    /// Import module, field and symbol flags, e.g. `WEAK` (4).
    pub import_info: Vec<(&'a str, &'a str, u32)>,
    /// Directories to search for `needed` libraries (5, newer than wasm-ld 19).
    pub runtime_path: Vec<&'a str>,
    /// Subsections with other ids, undecoded, in file order.
    pub other: Vec<(u8, Window<'a>)>,
}

/// What a module needs from the loader.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct MemInfo {
    /// Bytes of static data.
    pub memory_size: u32,
    /// Their alignment, as a power of two.
    pub memory_align: u32,
    /// Table slots needed.
    pub table_size: u32,
    /// Their alignment, as a power of two.
    pub table_align: u32,
}

/// Parses the contents of a `dylink.0` section (after its name).
pub fn parse_dylink0(w: Window<'_>) -> Result<Dylink<'_>> {
    let mut dylink = Dylink::default();
    subsections(w, "each dylink.0 subsection at most once", |id, sub| {
        dylink.add_subsection(id, sub)
    })?;
    Ok(dylink)
}

impl<'a> Dylink<'a> {
    fn add_subsection(&mut self, id: u8, sub: Window<'a>) -> Result<bool> {
        match id {
            MEM_INFO => self.mem_info = Some(sub.parse_all("memory info", mem_info)?),
            NEEDED => {
                self.needed = sub.parse_all("needed libraries", vec_of("libraries", 1, name))?
            }
            EXPORT_INFO => {
                self.export_info =
                    sub.parse_all("export info", vec_of("exports", 2, export_info))?
            }
            IMPORT_INFO => {
                self.import_info =
                    sub.parse_all("import info", vec_of("imports", 3, import_info))?
            }
            RUNTIME_PATH => {
                self.runtime_path = sub.parse_all("runtime paths", vec_of("paths", 1, name))?
            }
            _ => {
                self.other.push((id, sub));
                return Ok(false);
            }
        }
        Ok(true)
    }
}

fn mem_info(i: In<'_>) -> PResult<'_, MemInfo> {
    let (i, memory_size) = var_u32(i)?;
    let (i, memory_align) = var_u32(i)?;
    let (i, table_size) = var_u32(i)?;
    let (i, table_align) = var_u32(i)?;
    Ok((
        i,
        MemInfo {
            memory_size,
            memory_align,
            table_size,
            table_align,
        },
    ))
}

fn export_info(i: In<'_>) -> PResult<'_, (&str, u32)> {
    let (i, field) = name(i)?;
    let (i, flags) = var_u32(i)?;
    Ok((i, (field, flags)))
}

fn import_info(i: In<'_>) -> PResult<'_, (&str, &str, u32)> {
    let (i, module) = name(i)?;
    let (i, field) = name(i)?;
    let (i, flags) = var_u32(i)?;
    Ok((i, (module, field, flags)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;
    use crate::linking::test_util::*;

    fn dylink_bytes() -> Vec<u8> {
        let mut out = Vec::new();
        let mut p = Vec::new();
        leb(&mut p, 1060);
        p.extend_from_slice(&[4, 3, 0]);
        push_subsection(&mut out, MEM_INFO, &p);
        let mut p = vec![2];
        string(&mut p, "libc.so");
        string(&mut p, "libm.so");
        push_subsection(&mut out, NEEDED, &p);
        let mut p = vec![1];
        string(&mut p, "tls_var");
        leb(&mut p, 0x100);
        push_subsection(&mut out, EXPORT_INFO, &p);
        let mut p = vec![1];
        string(&mut p, "env");
        string(&mut p, "maybe");
        p.push(1);
        push_subsection(&mut out, IMPORT_INFO, &p);
        let mut p = vec![1];
        string(&mut p, "$ORIGIN/lib");
        push_subsection(&mut out, RUNTIME_PATH, &p);
        push_subsection(&mut out, 77, &[9]);
        out
    }

    #[test]
    fn parses_every_subsection() {
        let bytes = dylink_bytes();
        let d = parse_dylink0(Window::new(&bytes, BASE)).unwrap();
        let mem = MemInfo {
            memory_size: 1060,
            memory_align: 4,
            table_size: 3,
            table_align: 0,
        };
        assert_eq!(d.mem_info, Some(mem));
        assert_eq!(d.needed, vec!["libc.so", "libm.so"]);
        assert_eq!(d.export_info, vec![("tls_var", 0x100)]);
        assert_eq!(d.import_info, vec![("env", "maybe", 1)]);
        assert_eq!(d.runtime_path, vec!["$ORIGIN/lib"]);
        assert_eq!(d.other.len(), 1);
        assert_eq!((d.other[0].0, d.other[0].1.bytes), (77, &[9][..]));
    }

    #[test]
    fn mem_info_size_must_match() {
        let mut bytes = Vec::new();
        push_subsection(&mut bytes, MEM_INFO, &[1, 2, 3, 4, 5]);
        let err = parse_dylink0(Window::new(&bytes, BASE)).unwrap_err();
        assert!(
            matches!(err.kind(), ErrorKind::TrailingBytes { remaining: 1, .. }),
            "{err}"
        );
        assert_eq!(err.offset(), BASE + 6);
    }

    #[test]
    fn huge_count_is_count_too_large() {
        let mut bytes = Vec::new();
        push_subsection(&mut bytes, NEEDED, &[0xff, 0xff, 0xff, 0xff, 0x0f, 0]);
        let err = parse_dylink0(Window::new(&bytes, BASE)).unwrap_err();
        assert!(
            matches!(err.kind(), ErrorKind::CountTooLarge { .. }),
            "{err}"
        );
    }

    #[test]
    fn every_truncation_is_an_error_inside_the_input() {
        let bytes = dylink_bytes();
        check_truncations(&bytes, &subsection_ends(&bytes, 0), |w| {
            parse_dylink0(w).map(drop)
        });
    }

    #[test]
    fn garbage_never_panics() {
        check_garbage(&dylink_bytes(), |w| parse_dylink0(w).map(drop));
    }
}
