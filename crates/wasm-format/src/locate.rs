//! Finding an entry's offset again, on the error path. Checks that cross sections (a symbol's
//! function index against the imports and the code, a type index against the type section)
//! run after parsing, on values that keep no offsets; when one fails, the section is walked
//! again up to the entry so that the error can name where it is. Nothing here runs on valid
//! input.

use crate::linking::{comdat_member, init_func, subsections, symbol, COMDAT_INFO};
use crate::linking::{INIT_FUNCS, LINKING_VERSION, SYMBOL_TABLE};
use crate::module::SectionId;
use crate::parse::{name, var_u32, In, PResult, Window};
use crate::sections::{import, table};
use crate::types::tag_type;

/// The absolute offset of item `n` of the counted vector at the start of `w`, parsing the
/// items before it with `item`; `None` if there is no such item.
#[cold]
fn item_offset<'a, T>(
    w: Window<'a>,
    n: usize,
    mut item: impl FnMut(In<'a>) -> PResult<'a, T>,
) -> Option<usize> {
    let (mut rest, count) = var_u32(w.bytes).ok()?;
    if n >= count as usize {
        return None;
    }
    for _ in 0..n {
        rest = item(rest).ok()?.0;
    }
    Some(w.offset_of(rest))
}

/// Where entry `n` of the import, function, table or tag section `w` starts (`id` says which).
#[cold]
pub fn section_entry(w: Window<'_>, id: SectionId, n: usize) -> Option<usize> {
    match id {
        SectionId::Import => item_offset(w, n, import),
        SectionId::Function => item_offset(w, n, var_u32),
        SectionId::Table => item_offset(w, n, table(w)),
        SectionId::Tag => item_offset(w, n, tag_type),
        _ => None,
    }
}

/// An entry of the `linking` section.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkingEntry {
    /// Symbol `n` of the symbol table.
    Symbol(usize),
    /// Entry `n` of the init functions.
    InitFunc(usize),
    /// Member `member` of comdat `comdat`.
    ComdatMember {
        /// The comdat's position in the comdat info.
        comdat: usize,
        /// The member's position in its comdat.
        member: usize,
    },
}

/// Where `entry` starts in the `linking` section `w` (its contents after the name).
#[cold]
pub fn linking_entry(w: Window<'_>, entry: LinkingEntry) -> Option<usize> {
    let (body, version) = w.parse_prefix(var_u32).ok()?;
    if version != LINKING_VERSION {
        return None;
    }
    let wanted = match entry {
        LinkingEntry::Symbol(_) => SYMBOL_TABLE,
        LinkingEntry::InitFunc(_) => INIT_FUNCS,
        LinkingEntry::ComdatMember { .. } => COMDAT_INFO,
    };
    let mut found = None;
    let _ = subsections(body, "each linking subsection at most once", |id, sub| {
        if id == wanted && found.is_none() {
            found = Some(sub);
        }
        Ok(false)
    });
    let sub = found?;
    match entry {
        LinkingEntry::Symbol(n) => item_offset(sub, n, symbol),
        LinkingEntry::InitFunc(n) => item_offset(sub, n, init_func),
        LinkingEntry::ComdatMember { comdat, member } => {
            let mut members = Vec::new();
            let skip = |i| crate::linking::comdat(i, &mut members);
            let at = item_offset(sub, comdat, skip)?;
            let (rest, _) = name(&sub.bytes[at - sub.offset..]).ok()?;
            let (rest, _flags) = var_u32(rest).ok()?;
            item_offset(sub.tail(rest), member, comdat_member)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::linking::test_util::*;

    #[test]
    fn function_entries_are_found_after_the_count() {
        // Three functions: type indices 1, 300 (two bytes), 2.
        let bytes = [3, 1, 0xac, 0x02, 2];
        let w = Window::new(&bytes, BASE);
        assert_eq!(section_entry(w, SectionId::Function, 0), Some(BASE + 1));
        assert_eq!(section_entry(w, SectionId::Function, 1), Some(BASE + 2));
        assert_eq!(section_entry(w, SectionId::Function, 2), Some(BASE + 4));
        assert_eq!(section_entry(w, SectionId::Function, 3), None);
        assert_eq!(section_entry(w, SectionId::Code, 0), None);
    }

    #[test]
    fn linking_entries_are_found_in_their_subsections() {
        let mut b = vec![2];
        // Init functions: (priority 1, symbol 0), (priority 2, symbol 1).
        push_subsection(&mut b, 6, &[2, 1, 0, 2, 1]);
        let init = BASE + b.len() - 5;
        // One comdat "c" (flags 0) with members (function 0), (data 1).
        let mut comdats = vec![1];
        string(&mut comdats, "c");
        comdats.extend_from_slice(&[0, 2, 1, 0, 0, 1]);
        push_subsection(&mut b, 7, &comdats);
        let members = BASE + b.len() - 4;
        // Symbols: a defined function 0 named "f", a section symbol.
        let mut syms = vec![2, 0, 0, 0];
        string(&mut syms, "f");
        syms.extend_from_slice(&[3, 2, 0]);
        push_subsection(&mut b, 8, &syms);
        let symbols = BASE + b.len() - syms.len() + 1;
        let w = Window::new(&b, BASE);
        assert_eq!(linking_entry(w, LinkingEntry::InitFunc(0)), Some(init + 1));
        assert_eq!(linking_entry(w, LinkingEntry::InitFunc(1)), Some(init + 3));
        assert_eq!(linking_entry(w, LinkingEntry::InitFunc(2)), None);
        let member = |m| LinkingEntry::ComdatMember {
            comdat: 0,
            member: m,
        };
        assert_eq!(linking_entry(w, member(0)), Some(members));
        assert_eq!(linking_entry(w, member(1)), Some(members + 2));
        assert_eq!(linking_entry(w, LinkingEntry::Symbol(0)), Some(symbols));
        assert_eq!(linking_entry(w, LinkingEntry::Symbol(1)), Some(symbols + 5));
    }
}
