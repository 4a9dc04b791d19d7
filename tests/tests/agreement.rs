//! Agreement tests: our parsers against wasmparser and the LLVM tools, over the fixture corpus
//! and every member of the real wasm32-wasi archives. Zero mismatches are allowed; a mismatch
//! prints the file, the member and the first differing item.

use e2e_tests::{build_archive, fixture, real_archives, run_tool, ArFormat};
use std::path::Path;
use wasm_object::archive::{Archive, ArchiveErrorKind};

/// `llvm-ar-19 t`: the member names, in order.
fn llvm_ar_members(path: &Path) -> Vec<String> {
    let out = run_tool("llvm-ar-19", &["t".as_ref(), path.as_os_str()]);
    out.lines().map(str::to_owned).collect()
}

/// `llvm-nm-19 --print-armap`: the `(symbol, member name)` pairs of the archive map, in order.
fn llvm_armap(path: &Path) -> Vec<(String, String)> {
    let out = run_tool("llvm-nm-19", &["--print-armap".as_ref(), path.as_os_str()]);
    let Some(map) = out
        .split("\n\n")
        .next()
        .and_then(|m| m.strip_prefix("Archive map\n"))
    else {
        return Vec::new();
    };
    let pairs = map.lines().filter_map(|l| l.rsplit_once(" in "));
    pairs.map(|(s, m)| (s.to_owned(), m.to_owned())).collect()
}

fn check_archive_against_llvm(path: &Path) {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let archive = Archive::parse(&bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let names: Vec<String> = archive.members.iter().map(|m| m.name.to_owned()).collect();
    assert_eq!(
        names,
        llvm_ar_members(path),
        "{}: member names",
        path.display()
    );
    let symbols = archive
        .symbols()
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let ours: Vec<(String, String)> = symbols
        .iter()
        .map(|s| (s.name.to_owned(), archive.members[s.member].name.to_owned()))
        .collect();
    let theirs = llvm_armap(path);
    assert!(
        !theirs.is_empty(),
        "{}: llvm-nm printed no archive map",
        path.display()
    );
    if let Some(i) = (0..ours.len().max(theirs.len())).find(|&i| ours.get(i) != theirs.get(i)) {
        panic!(
            "{}: symbol index entry {i}: ours {:?}, llvm-nm {:?}",
            path.display(),
            ours.get(i),
            theirs.get(i)
        );
    }
    for m in &archive.members {
        assert!(
            m.data.bytes.starts_with(b"\0asm"),
            "{}({}): member data does not start with \\0asm",
            path.display(),
            m.name
        );
        assert_eq!(&bytes[m.data.offset..m.data.end()], m.data.bytes);
    }
}

fn llvm_ar_archive(format: ArFormat) -> std::path::PathBuf {
    let long = "a_member_with_a_rather_long_name_data.o";
    let members = [
        (long, fixture("c/data.c").object.as_path()),
        ("weak.o", fixture("c/weak.c").object.as_path()),
        (
            "another_member_with_a_long_name.o",
            fixture("asm/comdat.s").object.as_path(),
        ),
        ("f.o", fixture("c/funcptr.c").object.as_path()),
    ];
    build_archive(format, &members)
}

#[test]
fn gnu_archive_matches_llvm_ar() {
    check_archive_against_llvm(&llvm_ar_archive(ArFormat::Gnu));
}

#[test]
fn bsd_archive_matches_llvm_ar() {
    check_archive_against_llvm(&llvm_ar_archive(ArFormat::Bsd));
}

#[test]
fn real_archives_match_llvm_ar() {
    for path in real_archives() {
        check_archive_against_llvm(&path);
    }
}

#[test]
fn truncated_and_garbage_archives_fail_cleanly() {
    for format in [ArFormat::Gnu, ArFormat::Bsd] {
        let bytes = std::fs::read(llvm_ar_archive(format)).expect("archive");
        let full = Archive::parse(&bytes)
            .expect("whole archive parses")
            .members
            .len();
        for len in (0..bytes.len()).step_by(7) {
            if let Ok(a) = Archive::parse(&bytes[..len]) {
                assert!(
                    a.members.len() < full,
                    "{format:?} cut at {len} lost nothing"
                );
            }
        }
        let mut garbage = bytes.clone();
        for (i, b) in garbage.iter_mut().enumerate().skip(8) {
            *b = (i as u8).wrapping_mul(31);
        }
        let err = Archive::parse(&garbage).expect_err("garbage must not parse");
        assert!(
            (8..68).contains(&err.offset()),
            "{format:?}: error outside the first header: {err}"
        );
    }
    let err = Archive::parse(b"!<thin>\nxx").expect_err("a cut thin archive");
    assert_eq!(
        (err.kind(), err.offset()),
        (&ArchiveErrorKind::TruncatedHeader, 8)
    );
}

/// What both parsers must agree on for one module; compared field by field.
#[derive(Debug, Default)]
struct Summary {
    /// `(section, count)` for types, imports, functions, globals, exports, elements, data.
    counts: Vec<(&'static str, usize)>,
    /// Absolute `(start, end)` of every code body (after its size field).
    bodies: Vec<(usize, usize)>,
    /// `(kind, flags, name, index or segment, offset, size)`.
    symbols: Vec<(u8, u32, Option<String>, u32, u64, u64)>,
    /// `(target section, type, offset, index, addend)`.
    relocs: Vec<(u32, u8, u32, u32, i64)>,
    /// `(name, p2align, flags)`.
    segments: Vec<(String, u32, u32)>,
    /// `(priority, symbol)`.
    init_funcs: Vec<(u32, u32)>,
    /// `(name, flags, [(kind, index)])`.
    comdats: Vec<Comdat>,
}

/// `(name, flags, [(kind, index)])` of a comdat group.
type Comdat = (String, u32, Vec<(u8, u32)>);

/// The first differing item of two lists, as a message.
fn first_diff<T: PartialEq + std::fmt::Debug>(
    what: &str,
    ours: &[T],
    theirs: &[T],
) -> Result<(), String> {
    let len = ours.len().max(theirs.len());
    match (0..len).find(|&i| ours.get(i) != theirs.get(i)) {
        Some(i) => Err(format!(
            "{what}[{i}]: ours {:?}, wasmparser {:?}",
            ours.get(i),
            theirs.get(i)
        )),
        None => Ok(()),
    }
}

impl Summary {
    fn compare(&self, theirs: &Summary) -> Result<(), String> {
        first_diff("section counts", &self.counts, &theirs.counts)?;
        first_diff("code bodies", &self.bodies, &theirs.bodies)?;
        first_diff("symbols", &self.symbols, &theirs.symbols)?;
        first_diff("relocations", &self.relocs, &theirs.relocs)?;
        first_diff("segment infos", &self.segments, &theirs.segments)?;
        first_diff("init funcs", &self.init_funcs, &theirs.init_funcs)?;
        first_diff("comdats", &self.comdats, &theirs.comdats)
    }
}

mod ours {
    use super::Summary;
    use wasm_format::linking::{parse_linking, ComdatKind, Linking, SymbolKind};
    use wasm_format::reloc::parse_reloc_section;
    use wasm_format::sections::*;
    use wasm_format::{Module, Result, Section, SectionId};

    /// Summarises a module with our parsers.
    pub fn summary(bytes: &[u8], offset: usize) -> Result<Summary> {
        let module = Module::parse(bytes, offset)?;
        let mut s = Summary::default();
        for section in &module.sections {
            add_section(&mut s, section)?;
        }
        Ok(s)
    }

    fn add_section(s: &mut Summary, section: &Section<'_>) -> Result<()> {
        let w = section.contents;
        let count = match section.id {
            SectionId::Type => ("types", parse_type_section(w)?.len()),
            SectionId::Import => ("imports", parse_import_section(w)?.len()),
            SectionId::Function => ("functions", parse_function_section(w)?.len()),
            SectionId::Global => ("globals", parse_global_section(w)?.len()),
            SectionId::Export => ("exports", parse_export_section(w)?.len()),
            SectionId::Element => ("elements", parse_element_section(w)?.len()),
            SectionId::Data => ("data", parse_data_section(w)?.len()),
            SectionId::Code => {
                let bodies = parse_code_section(w)?;
                s.bodies = bodies
                    .iter()
                    .map(|b| (b.window.offset, b.window.end()))
                    .collect();
                return Ok(());
            }
            SectionId::Custom => return add_custom(s, section),
            _ => return Ok(()),
        };
        s.counts.push(count);
        Ok(())
    }

    fn add_custom(s: &mut Summary, section: &Section<'_>) -> Result<()> {
        match section.custom_name {
            Some("linking") => add_linking(s, &parse_linking(section.contents)?),
            Some(name) if name.starts_with("reloc.") => {
                let r = parse_reloc_section(section.contents)?;
                let row = |x: &wasm_format::reloc::Reloc| {
                    (r.target_section, x.ty as u8, x.offset, x.index, x.addend)
                };
                s.relocs.extend(r.relocs.iter().map(row));
            }
            _ => {}
        }
        Ok(())
    }

    fn add_linking(s: &mut Summary, l: &Linking<'_>) {
        for sym in &l.symbols {
            let (kind, index, offset, size) = match sym.kind {
                SymbolKind::Function { index } => (0, index, 0, 0),
                SymbolKind::Data { def: Some(d) } => (1, d.segment, d.offset, d.size),
                SymbolKind::Data { def: None } => (1, 0, 0, 0),
                SymbolKind::Global { index } => (2, index, 0, 0),
                SymbolKind::Section { section } => (3, section, 0, 0),
                SymbolKind::Tag { index } => (4, index, 0, 0),
                SymbolKind::Table { index } => (5, index, 0, 0),
            };
            s.symbols.push((
                kind,
                sym.flags.0,
                sym.name.map(str::to_owned),
                index,
                offset,
                size,
            ));
        }
        s.segments = l
            .segments
            .iter()
            .map(|g| (g.name.to_owned(), g.p2align, g.flags.0))
            .collect();
        s.init_funcs = l
            .init_funcs
            .iter()
            .map(|f| (f.priority, f.symbol))
            .collect();
        let kind = |k: ComdatKind| k as u8;
        let comdat = |c: &wasm_format::linking::Comdat<'_>| {
            let members = c.members_of(&l.comdat_members).iter();
            let members = members.map(|m| (kind(m.kind), m.index)).collect();
            (c.name.to_owned(), c.flags, members)
        };
        s.comdats = l.comdats.iter().map(comdat).collect();
    }
}

mod theirs {
    use super::Summary;
    use wasmparser::{
        BinaryReader, Linking, LinkingSectionReader, Parser, Payload, RelocSectionReader,
    };
    use wasmparser::{Result, SymbolInfo};

    /// Summarises a module with wasmparser. Custom sections are read with their readers
    /// directly, not through `as_known()`, which would hide their errors.
    pub fn summary(bytes: &[u8], offset: usize) -> Result<Summary> {
        let mut s = Summary::default();
        for payload in Parser::new(offset as u64).parse_all(bytes) {
            add_payload(&mut s, payload?)?;
        }
        Ok(s)
    }

    fn add_payload(s: &mut Summary, payload: Payload<'_>) -> Result<()> {
        let count = match payload {
            Payload::TypeSection(r) => ("types", r.count() as usize),
            Payload::ImportSection(r) => (
                "imports",
                r.into_imports().collect::<Result<Vec<_>>>()?.len(),
            ),
            Payload::FunctionSection(r) => ("functions", r.count() as usize),
            Payload::GlobalSection(r) => ("globals", r.count() as usize),
            Payload::ExportSection(r) => ("exports", r.count() as usize),
            Payload::ElementSection(r) => ("elements", r.count() as usize),
            Payload::DataSection(r) => ("data", r.count() as usize),
            Payload::CodeSectionEntry(body) => {
                let range = body.range();
                s.bodies.push((range.start as usize, range.end as usize));
                return Ok(());
            }
            Payload::CustomSection(c) => {
                let reader = BinaryReader::new(c.data(), c.data_offset());
                return match c.name() {
                    "linking" => add_linking(s, LinkingSectionReader::new(reader)?),
                    name if name.starts_with("reloc.") => {
                        add_relocs(s, RelocSectionReader::new(reader)?)
                    }
                    _ => Ok(()),
                };
            }
            _ => return Ok(()),
        };
        s.counts.push(count);
        Ok(())
    }

    fn add_relocs(s: &mut Summary, r: RelocSectionReader<'_>) -> Result<()> {
        for e in r.entries() {
            let e = e?;
            s.relocs
                .push((r.section_index(), e.ty as u8, e.offset, e.index, e.addend));
        }
        Ok(())
    }

    fn add_linking(s: &mut Summary, l: LinkingSectionReader<'_>) -> Result<()> {
        for sub in l.subsections() {
            match sub? {
                Linking::SymbolTable(map) => {
                    for sym in map {
                        s.symbols.push(symbol(sym?));
                    }
                }
                Linking::SegmentInfo(map) => {
                    for seg in map {
                        let seg = seg?;
                        s.segments
                            .push((seg.name.to_owned(), seg.alignment, seg.flags.bits()));
                    }
                }
                Linking::InitFuncs(map) => {
                    for f in map {
                        let f = f?;
                        s.init_funcs.push((f.priority, f.symbol_index));
                    }
                }
                Linking::ComdatInfo(map) => {
                    for c in map {
                        let c = c?;
                        let members = c
                            .symbols
                            .into_iter()
                            .map(|m| m.map(|m| (m.kind as u8, m.index)));
                        s.comdats.push((
                            c.name.to_owned(),
                            c.flags,
                            members.collect::<Result<_>>()?,
                        ));
                    }
                }
                _ => {}
            }
        }
        Ok(())
    }

    fn symbol(sym: SymbolInfo<'_>) -> (u8, u32, Option<String>, u32, u64, u64) {
        let name = |n: Option<&str>| n.map(str::to_owned);
        match sym {
            SymbolInfo::Func {
                flags,
                index,
                name: n,
            } => (0, flags.bits(), name(n), index, 0, 0),
            SymbolInfo::Data {
                flags,
                name: n,
                symbol,
            } => {
                let (seg, off, size) =
                    symbol.map_or((0, 0, 0), |d| (d.index, d.offset.into(), d.size.into()));
                (1, flags.bits(), name(Some(n)), seg, off, size)
            }
            SymbolInfo::Global {
                flags,
                index,
                name: n,
            } => (2, flags.bits(), name(n), index, 0, 0),
            SymbolInfo::Section { flags, section } => (3, flags.bits(), None, section, 0, 0),
            SymbolInfo::Event {
                flags,
                index,
                name: n,
            } => (4, flags.bits(), name(n), index, 0, 0),
            SymbolInfo::Table {
                flags,
                index,
                name: n,
            } => (5, flags.bits(), name(n), index, 0, 0),
        }
    }
}

/// Compares one module; the error names the first differing item.
fn agree(bytes: &[u8], offset: usize) -> Result<Summary, String> {
    let ours = ours::summary(bytes, offset).map_err(|e| format!("our parser failed: {e}"))?;
    let theirs = theirs::summary(bytes, offset).map_err(|e| format!("wasmparser failed: {e}"))?;
    ours.compare(&theirs)?;
    Ok(ours)
}

/// `llvm-objdump-19 -r -t` over some files (one run): `(heading, relocations, symbols)` per
/// module, in order; the heading is `file` or `archive(member)`.
fn objdump_counts(files: &[&Path]) -> Vec<(String, usize, usize)> {
    let mut args: Vec<&std::ffi::OsStr> = vec!["-r".as_ref(), "-t".as_ref()];
    args.extend(files.iter().map(|f| f.as_os_str()));
    let out = run_tool("llvm-objdump-19", &args);
    let mut modules: Vec<(String, usize, usize)> = Vec::new();
    let mut in_symbols = false;
    for line in out.lines() {
        if let Some(head) = line.strip_suffix(":\tfile format wasm") {
            modules.push((head.to_owned(), 0, 0));
            in_symbols = false;
        } else if let Some(m) = modules.last_mut() {
            if line.starts_with("SYMBOL TABLE:") {
                in_symbols = true;
            } else if line.is_empty() || line.starts_with("RELOCATION RECORDS") {
                in_symbols = false;
            } else if in_symbols {
                m.2 += 1;
            } else if line.contains(" R_WASM_") {
                m.1 += 1;
            }
        }
    }
    modules
}

/// Agreement over a list of modules: `(heading, bytes, offset)`; returns every mismatch.
fn check_modules(
    modules: &[(String, &[u8], usize)],
    objdump: &[(String, usize, usize)],
) -> Vec<String> {
    let mut mismatches = Vec::new();
    if modules.len() != objdump.len() {
        mismatches.push(format!(
            "{} modules, llvm-objdump printed {}",
            modules.len(),
            objdump.len()
        ));
    }
    for ((head, bytes, offset), (their_head, relocs, syms)) in modules.iter().zip(objdump) {
        match agree(bytes, *offset) {
            Err(e) => mismatches.push(format!("{head}: {e}")),
            Ok(_) if head != their_head => {
                mismatches.push(format!("{head}: llvm-objdump names it {their_head}"))
            }
            Ok(s) if (s.relocs.len(), s.symbols.len()) != (*relocs, *syms) => {
                mismatches.push(format!(
                    "{head}: {} relocations and {} symbols, llvm-objdump {relocs} and {syms}",
                    s.relocs.len(),
                    s.symbols.len()
                ))
            }
            Ok(_) => {}
        }
    }
    mismatches
}

fn report(mismatches: &[String], checked: usize) {
    if !mismatches.is_empty() {
        let shown: Vec<&str> = mismatches.iter().take(20).map(String::as_str).collect();
        panic!(
            "{} of {checked} modules disagree:\n{}",
            mismatches.len(),
            shown.join("\n")
        );
    }
}

#[test]
fn fixtures_agree_with_wasmparser_and_llvm_objdump() {
    let fixtures = e2e_tests::fixtures();
    assert!(fixtures.len() >= 15, "only {} fixtures", fixtures.len());
    let contents: Vec<Vec<u8>> = fixtures
        .iter()
        .map(|f| std::fs::read(&f.object).expect("fixture"))
        .collect();
    let modules: Vec<(String, &[u8], usize)> = fixtures
        .iter()
        .zip(&contents)
        .map(|(f, b)| (f.object.display().to_string(), b.as_slice(), 0))
        .collect();
    let paths: Vec<&Path> = fixtures.iter().map(|f| f.object.as_path()).collect();
    report(
        &check_modules(&modules, &objdump_counts(&paths)),
        modules.len(),
    );
}

#[test]
fn every_relocation_type_is_covered_by_the_fixtures() {
    let mut seen = std::collections::BTreeSet::new();
    for f in e2e_tests::fixtures() {
        let bytes = std::fs::read(&f.object).expect("fixture");
        let s = agree(&bytes, 0).unwrap_or_else(|e| panic!("{}: {e}", f.name));
        seen.extend(s.relocs.iter().map(|r| r.1));
    }
    let missing: Vec<u8> = (0..=26).filter(|t| !seen.contains(t)).collect();
    assert!(
        missing.is_empty(),
        "relocation types not covered by any fixture: {missing:?}"
    );
}

#[test]
fn real_archive_members_agree_with_wasmparser_and_llvm_objdump() {
    let mut total = 0;
    let mut mismatches = Vec::new();
    for path in real_archives() {
        let bytes = std::fs::read(&path).expect("archive");
        let archive = Archive::parse(&bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let modules: Vec<(String, &[u8], usize)> = archive
            .members
            .iter()
            .map(|m| {
                (
                    format!("{}({})", path.display(), m.name),
                    m.data.bytes,
                    m.data.offset,
                )
            })
            .collect();
        total += modules.len();
        let objdump = objdump_counts(&[&path]);
        let relocs: usize = objdump.iter().map(|m| m.1).sum();
        assert!(
            relocs > 1000,
            "{}: llvm-objdump printed only {relocs} relocations",
            path.display()
        );
        mismatches.extend(check_modules(&modules, &objdump));
    }
    assert!(total > 800, "only {total} archive members");
    report(&mismatches, total);
}
