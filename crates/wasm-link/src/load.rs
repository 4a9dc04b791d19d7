//! Loading: memory-maps every input, splits archives into members, and parses every object
//! in parallel. Archive members are parsed up front too (their symbol tables are needed for
//! lazy resolution anyway), so resolution never waits on I/O or parsing. Relocations, which
//! resolution does not read, are decoded later: beside resolution for the objects always
//! loaded, after it for the members it loads, and checked beside the rest of the link for
//! the members it does not (`docs/architecture.md`).
//!
//! LLVM bitcode (files and archive members) was read by [`crate::lto::scan`] before: each
//! module becomes an object with a symbol table only, which LTO compiles if it is loaded.
//! Without libLTO, a bitcode file is an error and a bitcode member stays lazy with its symbols
//! from the archive index (loading it is the error). Archive members that are neither are
//! skipped with wasm-ld's warning, or refused under `--whole-archive`.

use crate::config::Config;
use crate::diagnostic::{Code, Diagnostic, Errors};
use crate::ids::FileId;
use crate::inputs::{BitcodeInput, InputObject, Inputs, Item};
use crate::lto::Scanned;
use rayon::prelude::*;
use wasm_object::archive::Archive;
use wasm_object::input::{Contents, FileKind, InputErrorKind, InputFile};
use wasm_object::object::{DecodedRelocs, Object};

/// Opens every input file (memory-mapped).
pub fn open(config: &Config) -> Result<Vec<InputFile>, Errors> {
    let mut errors = Vec::new();
    let mut files = Vec::new();
    for input in &config.inputs {
        match InputFile::open(&input.path) {
            Ok(f) => files.push(f),
            Err(e) => {
                let path = input.path.display().to_string();
                let message = match e.kind() {
                    // Mapping a directory fails with ENODEV; lld reads it and says this.
                    InputErrorKind::Io(_) if input.path.is_dir() => {
                        format!("cannot open {path}: Is a directory")
                    }
                    InputErrorKind::Io(io) => {
                        let io = crate::trace::io_message(io);
                        format!("cannot open {path}: {io}")
                    }
                    _ => e.to_string(),
                };
                errors.push(Diagnostic::error(Code::Input, message).in_file(path));
            }
        }
    }
    if errors.is_empty() {
        Ok(files)
    } else {
        Err(errors)
    }
}

/// One object to parse: its display name, bytes and absolute offset, whether it is lazy, the
/// file it is in, and whether it is that whole file (whose framing error is reported if
/// parsing fails).
struct Job<'a> {
    name: String,
    member_at: Option<usize>,
    bytes: &'a [u8],
    offset: usize,
    lazy: bool,
    file: &'a InputFile,
    whole_file: bool,
    /// An LLVM bitcode member libLTO could not read: not parsed; its symbols from the
    /// archive index.
    bitcode: Option<Vec<&'a str>>,
    /// LLVM bitcode libLTO read.
    lto: Option<BitcodeInput<'a>>,
}

/// What [`load`] collects while it walks the command line.
struct Collected<'a> {
    scanned: &'a Scanned,
    jobs: Vec<Job<'a>>,
    errors: Errors,
    warnings: Vec<Diagnostic>,
}

/// Objects parsed by an earlier link of a session, by the address and length of their bytes
/// (which stay where they are as long as their file does): [`load`] takes them instead of
/// parsing again.
pub type Parsed<'a> = rustc_hash::FxHashMap<(usize, usize), Object<'a>>;

/// Where `bytes` are: the key of [`Parsed`].
pub fn parsed_key(bytes: &[u8]) -> (usize, usize) {
    (bytes.as_ptr() as usize, bytes.len())
}

/// The framing of each input file: an archive split into its members (the framing error of
/// one that cannot be); `None` for a wasm file, which is framed by its parse.
pub type Framed<'a> = Vec<Result<Option<Contents<'a>>, wasm_object::input::InputError>>;

/// Frames every input file, in parallel (reading every member header faults in a page per
/// member).
pub fn frame<'a>(files: &[&'a InputFile]) -> Framed<'a> {
    files
        .par_iter()
        .map(|file| match file.kind() {
            FileKind::Wasm => Ok(None),
            _ => file.contents().map(Some),
        })
        .collect()
}

/// Parses every object in parallel, keeping command-line order, archives split by [`frame`];
/// objects in `reuse` are taken as they are.
pub fn load<'a>(
    files: &[&'a InputFile],
    framed: Framed<'a>,
    config: &Config,
    reuse: &mut Parsed<'a>,
    scanned: &'a Scanned,
) -> Result<Inputs<'a>, Errors> {
    let mut c = Collected {
        scanned,
        jobs: Vec::new(),
        errors: Vec::new(),
        warnings: Vec::new(),
    };
    let mut items = Vec::new();
    let mut allowed_undefined = Vec::new();
    let mut stubs = Vec::new();
    for ((&file, input), contents) in files.iter().zip(&config.inputs).zip(framed) {
        let path = file.path().display().to_string();
        match contents {
            Ok(None) | Ok(Some(Contents::Object(_))) | Ok(Some(Contents::LinkedModule(_))) => {
                // Between --start-lib and --end-lib an object is loaded like an archive member.
                let id = FileId(c.jobs.len() as u32);
                items.push(if input.lazy {
                    Item::Archive {
                        members: vec![id],
                        whole: false,
                    }
                } else {
                    Item::Object(id)
                });
                c.jobs.push(Job {
                    name: path,
                    member_at: None,
                    bytes: file.bytes(),
                    offset: 0,
                    lazy: input.lazy,
                    file,
                    whole_file: true,
                    bitcode: None,
                    lto: None,
                });
            }
            Err(e) if matches!(e.kind(), InputErrorKind::Bitcode) => {
                match c.bitcode_input(file.bytes(), &path) {
                    Ok(lto) => c.add_bitcode_file(file, input.lazy, path, lto, &mut items),
                    Err(e) => c.errors.push(e),
                }
            }
            Ok(Some(Contents::Archive(archive))) => {
                let members = c.add_members(file, &archive, &path, input.whole_archive);
                items.push(Item::Archive {
                    members,
                    whole: input.whole_archive,
                });
                allowed_undefined.extend(read_imports_file(&input.path));
            }
            // wasm-ld's text stub libraries (Emscripten's `libstub.so`).
            Err(_) if file.bytes().starts_with(b"#STUB") => {
                let text = String::from_utf8_lossy(file.bytes());
                stubs.push(crate::inputs::StubLibrary::parse(&path, &text));
            }
            Err(e) => c.errors.push(input_error(&e).in_file(path)),
        }
    }
    let Collected {
        jobs,
        mut errors,
        warnings,
        ..
    } = c;
    // Boxed: an object is large, and a link of many small members should not copy them all.
    let reused: Vec<Option<Box<Object<'a>>>> = jobs
        .iter()
        .map(|j| reuse.remove(&parsed_key(j.bytes)).map(Box::new))
        .collect();
    let defer = rayon::current_num_threads() > 1;
    // One object per task: the command line's objects, often the largest by far, come first,
    // and rayon would otherwise leave a first share of them to one thread.
    let parsed: Vec<Result<InputObject<'a>, Diagnostic>> = jobs
        .into_par_iter()
        .with_max_len(1)
        .zip(reused)
        .map(|(j, reused)| {
            let parsed = match (j.bitcode.as_ref(), reused) {
                (_, Some(obj)) => Ok(*obj),
                (Some(_), None) => Ok(Object::empty()),
                (None, None) if j.lto.is_some() => Ok(j
                    .lto
                    .map_or_else(Object::empty, |b| crate::lto::object(b.module))),
                // A lazy member's relocations are decoded only if it is loaded (most never
                // are); another object's beside resolution ([`decode_objects_relocs`]) when
                // there is a thread for it, else now, while its bytes are in the cache.
                (None, None) if j.lazy || defer => parse_object_deferring_relocs(j.bytes, j.offset),
                (None, None) => {
                    parse_object(j.bytes, j.offset).inspect(|obj| release_relocs(j.file, obj))
                }
            };
            match parsed {
                Ok(obj) => Ok(InputObject {
                    key: parsed_key(j.bytes),
                    name: j.name,
                    member_at: j.member_at,
                    obj,
                    lazy: j.lazy,
                    source: j.file,
                    bitcode: j.bitcode,
                    lto: j.lto,
                }),
                Err(e) => Err(match j.whole_file.then(|| j.file.contents()) {
                    Some(Err(framing)) => input_error(&framing),
                    _ => parse_error(&j.name, j.member_at, &e),
                }),
            }
        })
        .collect();
    let mut inputs = Inputs {
        files: Vec::new(),
        items,
        allowed_undefined,
        warnings,
        stubs,
        lto: crate::inputs::LtoInputs {
            libcalls: crate::lto::libcalls::LIBCALLS,
            objects: Vec::new(),
        },
    };
    for p in &parsed {
        match p {
            Ok(o) => {
                if let Err(e) = check_arch(o, config) {
                    // Fatal in wasm-ld: nothing after this file is looked at.
                    errors.push(e);
                    break;
                }
            }
            Err(e) => errors.push(e.clone()),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    // Collected in place: no second copy of every object.
    inputs.files = parsed.into_iter().filter_map(Result::ok).collect();
    Ok(inputs)
}

/// `lib.a(m.o)`, allocated once at its size.
fn member_name(archive: &str, member: &str) -> String {
    let mut name = String::with_capacity(archive.len() + member.len() + 2);
    name.push_str(archive);
    name.push('(');
    name.push_str(member);
    name.push(')');
    name
}

/// An error of the file layer (a missing member of a thin archive, a damaged archive), with
/// the file, member and offset it names.
fn input_error(e: &wasm_object::input::InputError) -> Diagnostic {
    let file = e.file().display().to_string();
    let message = match e.kind() {
        InputErrorKind::Format(format) => {
            let name = match e.member() {
                Some(member) => format!("{file}({member})"),
                None => file.clone(),
            };
            with_wasm_ld_line(&name, format, e.to_string())
        }
        _ => e.to_string(),
    };
    let mut d = Diagnostic::error(Code::Input, message).in_file(file);
    if let Some(member) = e.member() {
        d = d.in_member(member);
    }
    match e.offset() {
        Some(offset) => d.at(offset as u64),
        None => d,
    }
}

/// `ours` after wasm-ld's line for the parse errors wasm-ld words in a fixed way.
fn with_wasm_ld_line(name: &str, e: &wasm_format::Error, ours: String) -> String {
    match e.kind() {
        wasm_format::ErrorKind::Invalid {
            expected: "binary format version 1",
            found,
        } => format!("{name}: invalid version number: {found}\n>>> {ours}"),
        _ => ours,
    }
}

/// A parse error of an object or archive member (`lib.a(m.o): at offset ...`), after
/// wasm-ld's line where it has a fixed one.
fn parse_error(name: &str, member_at: Option<usize>, e: &wasm_format::Error) -> Diagnostic {
    let message = with_wasm_ld_line(name, e, format!("{name}: {e}"));
    let d = Diagnostic::error(Code::Input, message).at(e.offset() as u64);
    match member_at {
        Some(at) => d
            .in_file(&name[..at - 1])
            .in_member(name[at..].trim_end_matches(')')),
        None => d.in_file(name),
    }
}

/// The relocations of every object that is not lazy (always loaded), decoded in parallel
/// while the objects are shared: this runs beside resolution, which does not read them. A bad
/// one is the error its parse would have given.
pub fn decode_objects_relocs<'a>(
    inputs: &Inputs<'a>,
) -> Result<Vec<(FileId, DecodedRelocs<'a>)>, Errors> {
    // One object per task, as in `load`.
    let files = inputs.files.par_iter().with_max_len(1).enumerate();
    let decoded: Vec<Result<(FileId, DecodedRelocs<'a>), Diagnostic>> = files
        .filter(|(_, file)| !file.lazy)
        .filter_map(|(k, file)| match file.obj.decode_deferred_relocs_apart() {
            Ok(decoded) => {
                let decoded = decoded?;
                // Read once: let their pages go.
                release_relocs(file.source, &file.obj);
                Some(Ok((FileId(k as u32), decoded)))
            }
            Err(e) => Some(Err(reloc_error(file, &e))),
        })
        .collect();
    let (decoded, errors): (Vec<_>, Vec<_>) = decoded.into_iter().partition(Result::is_ok);
    if errors.is_empty() {
        Ok(decoded.into_iter().flatten().collect())
    } else {
        Err(errors.into_iter().filter_map(Result::err).collect())
    }
}

/// Stores what [`decode_objects_relocs`] decoded.
pub fn store_relocs<'a>(inputs: &mut Inputs<'a>, decoded: Vec<(FileId, DecodedRelocs<'a>)>) {
    for (f, relocs) in decoded {
        inputs.files[f.idx()].obj.store_relocs(relocs);
    }
}

/// Checks the relocations of every member whose relocations are not decoded (after
/// [`decode_loaded_relocs`], those never loaded), in parallel, as their parse would have.
pub fn check_unloaded_relocs(inputs: &Inputs<'_>) -> Result<(), Errors> {
    let errors = inputs
        .files
        .par_iter()
        .map_init(DecodedRelocs::default, |scratch, file| {
            let e = file.obj.check_deferred_relocs(scratch).err()?;
            Some(reloc_error(file, &e))
        });
    none_of(errors.flatten().collect())
}

/// The error of a bad relocation of `file`: the one its parse would have given.
fn reloc_error(file: &InputObject<'_>, e: &wasm_format::Error) -> Diagnostic {
    parse_error(&file.name, file.member_at, e)
}

/// Success if there are no `errors`.
fn none_of(errors: Errors) -> Result<(), Errors> {
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// Decodes the relocations of the `loaded` members that [`load`] left undecoded, in parallel;
/// a bad one is the error its parse would have given.
pub fn decode_loaded_relocs(inputs: &mut Inputs<'_>, loaded: &[FileId]) -> Result<(), Errors> {
    let mut is_loaded = vec![false; inputs.files.len()];
    for f in loaded {
        is_loaded[f.idx()] = true;
    }
    let files = inputs.files.par_iter_mut().zip(is_loaded);
    let loaded = files.filter(|(file, loaded)| *loaded && file.obj.deferred_relocs.is_some());
    let errors = loaded.filter_map(|(file, _)| {
        let e = file.obj.decode_deferred_relocs().err()?;
        Some(reloc_error(file, &e))
    });
    none_of(errors.collect())
}

/// An object must be built for the architecture `-m` asks for, wasm32 by default (lld's
/// `InputFile::checkArch`, run on every object and archive member as it is read).
fn check_arch(o: &InputObject<'_>, config: &Config) -> Result<(), Diagnostic> {
    let wasm64 = o.obj.memory64;
    match config.memory64 {
        // A bitcode member libLTO could not read stands for an object not compiled yet.
        _ if o.bitcode.is_some() => Ok(()),
        None if wasm64 => Err(Diagnostic::error(
            Code::Input,
            format!(
                "{}: must specify -mwasm64 to process wasm64 object files",
                o.name
            ),
        )
        .in_file(&o.name)),
        Some(m) if m != wasm64 => Err(Diagnostic::error(
            Code::Input,
            format!(
                "{}: wasm32 object file can't be linked in wasm64 mode",
                o.name
            ),
        )
        .in_file(&o.name)),
        _ => Ok(()),
    }
}

impl<'a> Collected<'a> {
    /// What libLTO read of bitcode `bytes` (named `name`), or the error: libLTO is missing, or
    /// could not read it.
    fn bitcode_input(&self, bytes: &'a [u8], name: &str) -> Result<BitcodeInput<'a>, Diagnostic> {
        match self.scanned.modules.get(&parsed_key(bytes)) {
            Some(Ok(module)) => Ok(BitcodeInput { bytes, module }),
            Some(Err(why)) => Err(crate::lto::unreadable(name, why, self.scanned)),
            None => Err(Diagnostic::error(
                Code::Unsupported,
                crate::lto::missing_library_text(name, self.scanned.not_found.as_ref()),
            )
            .in_file(name)),
        }
    }

    /// A bitcode file on the command line: loaded, or lazy between `--start-lib`/`--end-lib`.
    fn add_bitcode_file(
        &mut self,
        file: &'a InputFile,
        lazy: bool,
        name: String,
        lto: BitcodeInput<'a>,
        items: &mut Vec<Item>,
    ) {
        let id = FileId(self.jobs.len() as u32);
        items.push(if lazy {
            Item::Archive {
                members: vec![id],
                whole: false,
            }
        } else {
            Item::Object(id)
        });
        self.jobs.push(Job {
            name,
            member_at: None,
            bytes: file.bytes(),
            offset: 0,
            lazy,
            file,
            whole_file: true,
            bitcode: None,
            lto: Some(lto),
        });
    }

    /// The jobs for an archive's members, in archive order; returns their ids. A member that
    /// is neither wasm nor bitcode gets wasm-ld's warning (`addFile`), or its error under
    /// `--whole-archive`.
    fn add_members(
        &mut self,
        file: &'a InputFile,
        archive: &Archive<'a>,
        path: &str,
        whole: bool,
    ) -> Vec<FileId> {
        let mut index = BitcodeIndex::new(archive);
        let mut members = Vec::with_capacity(archive.members.len());
        self.jobs.reserve(archive.members.len());
        for (i, m) in archive.members.iter().enumerate() {
            let bytes = m.data.bytes;
            let mut lto = None;
            let bitcode = if wasm_format::is_wasm(bytes) {
                None
            } else if wasm_object::input::is_bitcode(bytes) {
                let name = member_name(path, m.name);
                match self.bitcode_input(bytes, &name) {
                    Ok(read) => {
                        lto = Some(read);
                        None
                    }
                    // Without libLTO, the member is lazy by the archive index's symbols.
                    Err(_) if self.scanned.library.is_none() => match index.symbols_of(i) {
                        Some(symbols) => Some(symbols),
                        None => {
                            self.errors.push(bitcode_error(&name, true));
                            continue;
                        }
                    },
                    Err(e) => {
                        self.errors.push(e);
                        continue;
                    }
                }
            } else {
                self.not_an_object(path, m.name, whole);
                continue;
            };
            members.push(FileId(self.jobs.len() as u32));
            self.jobs.push(Job {
                name: member_name(path, m.name),
                member_at: Some(path.len() + 1),
                bytes,
                offset: m.data.offset,
                lazy: !whole,
                file: file.member_file(i),
                whole_file: false,
                bitcode,
                lto,
            });
        }
        members
    }

    /// A member that is neither wasm nor bitcode, in wasm-ld's words: skipped with a warning,
    /// or (`--whole-archive`) the error of its object reader, with the member named after it.
    fn not_an_object(&mut self, path: &str, member: &str, whole: bool) {
        if whole {
            let message =
                format!("The file was not recognized as a valid object file\n>>> {path}({member})");
            self.errors.push(
                Diagnostic::error(Code::Input, message)
                    .in_file(path)
                    .in_member(member),
            );
        } else {
            let message = format!(
                "{path}: archive member '{member}' is neither Wasm object file nor LLVM bitcode"
            );
            self.warnings.push(
                Diagnostic::warning(Code::Input, message)
                    .in_file(path)
                    .in_member(member),
            );
        }
    }
}

/// The symbols the archive index gives each member, read and grouped once on first use (only
/// archives with bitcode members need them).
struct BitcodeIndex<'x, 'a> {
    archive: &'x Archive<'a>,
    /// Once read: per member, its symbols; `None` without a usable index.
    by_member: Option<Option<Vec<Vec<&'a str>>>>,
}

impl<'x, 'a> BitcodeIndex<'x, 'a> {
    fn new(archive: &'x Archive<'a>) -> Self {
        BitcodeIndex {
            archive,
            by_member: None,
        }
    }

    /// The symbols of member `i`; `None` if the archive has no index at all (`llvm-ar S`) or
    /// a damaged one, when nothing tells whether the member would be needed.
    fn symbols_of(&mut self, i: usize) -> Option<Vec<&'a str>> {
        let archive = self.archive;
        let by_member = self.by_member.get_or_insert_with(|| {
            let symbols = archive.symbols().unwrap_or_default();
            (!symbols.is_empty()).then(|| {
                let mut v = vec![Vec::new(); archive.members.len()];
                for s in &symbols {
                    v[s.member].push(s.name);
                }
                v
            })
        });
        by_member.as_mut().map(|v| std::mem::take(&mut v[i]))
    }
}

/// The error for bitcode member `name` (`lib.a(m.o)`) when libLTO is missing: met when it is
/// loaded, or at once when `no_index` leaves no way to tell whether it is needed.
pub fn bitcode_error(name: &str, no_index: bool) -> Diagnostic {
    let why = crate::lto::missing_library_text(name, None);
    let message = if no_index {
        let (first, rest) = why.split_once('\n').unwrap_or((&why, ""));
        format!("{first} (the archive has no symbol index to tell whether it is needed)\n{rest}")
    } else {
        why
    };
    Diagnostic::error(Code::Unsupported, message).in_file(name)
}

/// Relocation sections are decoded while parsing (code, data) or read again only when their
/// section is written (custom sections): their pages can go until then.
fn release_relocs(file: &InputFile, obj: &Object<'_>) {
    for w in &obj.reloc_sections {
        file.release(w.offset, w.len());
    }
}

/// The `<archive>.imports` side file wasi-libc ships: symbols allowed to stay undefined.
fn read_imports_file(archive: &std::path::Path) -> Vec<String> {
    let path = archive.with_extension("imports");
    let Ok(text) = std::fs::read_to_string(path) else {
        return Vec::new();
    };
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(String::from)
        .collect()
}

/// Parses an object, or a shared library (`dylink.0`, no `linking`) as the symbols it offers.
pub(crate) fn parse_object(bytes: &[u8], offset: usize) -> Result<Object<'_>, wasm_format::Error> {
    let mut obj = parse_object_deferring_relocs(bytes, offset)?;
    obj.decode_deferred_relocs()?;
    Ok(obj)
}

/// [`parse_object`], leaving the relocations to decode ([`Object::parse_deferring_relocs`]).
fn parse_object_deferring_relocs(
    bytes: &[u8],
    offset: usize,
) -> Result<Object<'_>, wasm_format::Error> {
    match Object::parse_deferring_relocs(bytes, offset) {
        Err(e) => match wasm_format::Module::parse(bytes, offset) {
            Ok(m) if wasm_object::shared::is_shared_library(&m) => {
                Object::parse_shared(bytes, offset)
            }
            _ => Err(e),
        },
        ok => ok,
    }
}
