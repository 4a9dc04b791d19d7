//! Opening input files: each file is memory-mapped once and everything downstream borrows its
//! bytes. [`InputFile::contents`] tells a relocatable object (a module with a `linking`
//! section) from a linked module and from an archive, and every error says which file (and
//! which archive member) it is about, so the CLI can print the whole chain. The members of a
//! thin archive are opened (and mapped) with the archive, as lld reads them.

use crate::archive::{self, Archive, ArchiveError, Member};
use memmap2::Mmap;
use std::fmt;
use std::fs::File;
use std::path::{Path, PathBuf};
use wasm_format::Window;
use wasm_format::{Module, SectionId};

/// What kind of file some bytes are, judged by their magic (and, for wasm, by the presence of a
/// `linking` section, which only [`contents`] can see).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    /// A wasm module; object or linked is decided by parsing its framing.
    Wasm,
    /// A regular `!<arch>` archive.
    Archive,
    /// A `!<thin>` archive: headers only, members in their own files.
    ThinArchive,
    /// Anything else.
    Unknown,
}

/// The kind of `bytes`, from their first eight bytes.
pub fn detect(bytes: &[u8]) -> FileKind {
    if wasm_format::is_wasm(bytes) {
        FileKind::Wasm
    } else if archive::is_archive(bytes) {
        FileKind::Archive
    } else if archive::is_thin_archive(bytes) {
        FileKind::ThinArchive
    } else {
        FileKind::Unknown
    }
}

/// The parsed framing of an input file.
#[derive(Clone, Debug)]
pub enum Contents<'a> {
    /// A relocatable object: a module with a `linking` custom section.
    Object(Module<'a>),
    /// A module without `linking`: already linked (or produced by a non-LLVM tool).
    LinkedModule(Module<'a>),
    /// A static archive.
    Archive(Archive<'a>),
}

/// What went wrong reading an input.
#[derive(Debug)]
pub enum InputErrorKind {
    /// The file could not be opened or mapped.
    Io(std::io::Error),
    /// The module framing or a section is malformed.
    Format(wasm_format::Error),
    /// The archive framing is malformed.
    Archive(ArchiveError),
    /// The file is neither a wasm module nor an archive.
    UnknownFileType,
    /// The file is LLVM bitcode (`-flto`), which would need LTO.
    Bitcode,
    /// A member of a thin archive could not be opened.
    ThinMember {
        /// The member name as the archive gives it.
        name: String,
        /// Why.
        error: std::io::Error,
    },
}

/// Why an LLVM bitcode input or archive member is refused.
pub const BITCODE_UNSUPPORTED: &str =
    "LLVM bitcode (from -flto or linker-plugin LTO): LTO is not supported yet; compile without LTO";

/// An input error: the file, the archive member if any, and what went wrong (with its offset).
#[derive(Debug)]
pub struct InputError(Box<InputErrorInner>);

#[derive(Debug)]
struct InputErrorInner {
    file: PathBuf,
    member: Option<String>,
    kind: InputErrorKind,
}

impl InputError {
    /// Creates an error about `file`.
    #[cold]
    pub fn new(file: &Path, kind: InputErrorKind) -> Self {
        let member = match &kind {
            InputErrorKind::Archive(e) => e.member().map(str::to_owned),
            _ => None,
        };
        InputError(Box::new(InputErrorInner {
            file: file.to_owned(),
            member,
            kind,
        }))
    }

    /// The same error, about archive member `member`.
    #[cold]
    pub fn in_member(mut self, member: &str) -> Self {
        self.0.member = Some(member.to_owned());
        self
    }

    /// The input file.
    pub fn file(&self) -> &Path {
        &self.0.file
    }

    /// The archive member, if the error is inside one.
    pub fn member(&self) -> Option<&str> {
        self.0.member.as_deref()
    }

    /// What went wrong.
    pub fn kind(&self) -> &InputErrorKind {
        &self.0.kind
    }

    /// The absolute offset in the file, when the error has one.
    pub fn offset(&self) -> Option<usize> {
        match &self.0.kind {
            InputErrorKind::Format(e) => Some(e.offset()),
            InputErrorKind::Archive(e) => Some(e.offset()),
            InputErrorKind::Io(_)
            | InputErrorKind::UnknownFileType
            | InputErrorKind::Bitcode
            | InputErrorKind::ThinMember { .. } => None,
        }
    }
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.file.display())?;
        if let Some(member) = &self.0.member {
            write!(f, "({member})")?;
        }
        match &self.0.kind {
            InputErrorKind::Io(e) => write!(f, ": {e}"),
            InputErrorKind::Format(e) => write!(f, ": {e}"),
            InputErrorKind::Archive(e) => write!(f, ": at offset {:#x}: {}", e.offset(), e.kind()),
            InputErrorKind::Bitcode => write!(f, ": {BITCODE_UNSUPPORTED}"),
            // lld's words (`getArchiveMembers`), the error without Rust's `(os error N)`.
            InputErrorKind::ThinMember { name, error } => {
                let text = error.to_string();
                let text = text.split(" (os error").next().unwrap_or_default();
                write!(
                    f,
                    ": could not get the buffer for a child of the archive: '{name}': {text}"
                )
            }
            InputErrorKind::UnknownFileType => {
                f.write_str(": unknown file type (not a wasm module or archive)")
            }
        }
    }
}

impl std::error::Error for InputError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.0.kind {
            InputErrorKind::Io(e) => Some(e),
            InputErrorKind::Format(e) => Some(e),
            InputErrorKind::Archive(e) => Some(e),
            InputErrorKind::ThinMember { error, .. } => Some(error),
            InputErrorKind::UnknownFileType | InputErrorKind::Bitcode => None,
        }
    }
}

/// An input file, memory-mapped (or bytes held in memory, [`InputFile::from_bytes`]). An empty
/// file has no mapping and reads as no bytes.
#[derive(Debug)]
pub struct InputFile {
    path: PathBuf,
    map: Option<Mmap>,
    /// Bytes that are not a file's: an object built in memory, or a file read whole.
    owned: Option<Box<[u8]>>,
    /// For a thin archive, its members' files, in member order.
    thin_members: Vec<InputFile>,
}

impl InputFile {
    /// Opens and maps `path`; for a thin archive, every member's file too.
    pub fn open(path: impl AsRef<Path>) -> Result<InputFile, InputError> {
        let mut file = Self::open_one(path.as_ref())?;
        if file.kind() == FileKind::ThinArchive {
            file.thin_members = file.open_thin_members()?;
        }
        Ok(file)
    }

    /// Opens the members of a thin archive: each named relative to the archive's directory
    /// (or absolute), as LLVM's `Archive::Child::getFullName` has it. A framing error is left
    /// for [`InputFile::contents`] to report.
    fn open_thin_members(&self) -> Result<Vec<InputFile>, InputError> {
        let Ok(archive) = Archive::parse(self.bytes()) else {
            return Ok(Vec::new());
        };
        let dir = self.path.parent().unwrap_or(Path::new(""));
        let open = |m: &Member<'_>| {
            Self::open_one(&dir.join(m.name)).map_err(|e| {
                let error = match e.0.kind {
                    InputErrorKind::Io(error) => error,
                    _ => std::io::Error::other(e.to_string()),
                };
                let name = m.name.to_owned();
                InputError::new(&self.path, InputErrorKind::ThinMember { name, error })
            })
        };
        archive.members.iter().map(open).collect()
    }

    /// Opens and maps one file.
    fn open_one(path: &Path) -> Result<InputFile, InputError> {
        let io_err = |e| InputError::new(path, InputErrorKind::Io(e));
        let file = File::open(path).map_err(io_err)?;
        let len = file.metadata().map_err(io_err)?.len();
        if len == 0 {
            return Ok(InputFile {
                path: path.to_owned(),
                map: None,
                owned: None,
                thin_members: Vec::new(),
            });
        }
        // SAFETY: the mapping is read-only and lives as long as `self`. Like every linker that
        // maps its inputs, we rely on nobody truncating an input file while we link.
        let map = unsafe { Mmap::map(&file) }.map_err(io_err)?;
        Ok(InputFile {
            path: path.to_owned(),
            map: Some(map),
            owned: None,
            thin_members: Vec::new(),
        })
    }

    /// An input whose bytes are held in memory rather than mapped: an object a compiler built,
    /// or a file read whole so that later changes on disk cannot reach it. `name` is what
    /// messages call it.
    pub fn from_bytes(name: impl Into<PathBuf>, bytes: Vec<u8>) -> InputFile {
        InputFile {
            path: name.into(),
            map: None,
            owned: Some(bytes.into_boxed_slice()),
            thin_members: Vec::new(),
        }
    }

    /// The path the file was opened by.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The whole file.
    pub fn bytes(&self) -> &[u8] {
        match (&self.map, &self.owned) {
            (Some(map), _) => map,
            (None, Some(owned)) => owned,
            (None, None) => &[],
        }
    }

    /// Drops the pages wholly inside `offset..offset + len` from this process's memory once
    /// they have been read for the last time (they stay in the page cache). A large link
    /// reads each input section once, so this keeps the resident size near the size of what is
    /// in use rather than of every input. Reading them again is still correct: it faults the
    /// same bytes back in.
    pub fn release(&self, offset: usize, len: usize) {
        const PAGE: usize = 4096;
        // Below this, the system call costs more than the memory is worth.
        const MIN: usize = 4 * PAGE;
        let Some(map) = &self.map else { return };
        let start = offset.next_multiple_of(PAGE);
        let end = (offset.saturating_add(len)).min(map.len()) / PAGE * PAGE;
        if start + MIN <= end {
            // SAFETY: `map` is a read-only shared mapping of a file (`Mmap::map`). MADV_DONTNEED
            // on it only unmaps pages; the next read faults the file's same bytes back in from
            // the page cache, so every borrow of the mapping keeps seeing the same contents
            // (as with mapping at all, we rely on nobody modifying the input meanwhile).
            let _ = unsafe {
                map.unchecked_advise_range(memmap2::UncheckedAdvice::DontNeed, start, end - start)
            };
        }
    }

    /// The file's kind by its magic.
    pub fn kind(&self) -> FileKind {
        detect(self.bytes())
    }

    /// Parses the framing: module sections, or archive members and symbol index. The members
    /// of a thin archive are their files' bytes, at offset 0 of those files.
    pub fn contents(&self) -> Result<Contents<'_>, InputError> {
        let mut contents =
            contents(self.bytes(), 0).map_err(|kind| InputError::new(&self.path, kind))?;
        if let Contents::Archive(archive) = &mut contents {
            for (m, file) in archive.members.iter_mut().zip(&self.thin_members) {
                m.data = Window::new(file.bytes(), 0);
            }
        }
        Ok(contents)
    }

    /// The file member `index` of this archive is read from: its own for a thin archive,
    /// else this one (for [`InputFile::release`] and offsets in errors).
    pub fn member_file(&self, index: usize) -> &InputFile {
        self.thin_members.get(index).unwrap_or(self)
    }

    /// Parses one archive member of this file as a wasm module (object or linked).
    pub fn member_contents<'a>(&self, member: &Member<'a>) -> Result<Contents<'a>, InputError> {
        module_contents(member.data.bytes, member.data.offset)
            .map_err(|kind| InputError::new(&self.path, kind).in_member(member.name))
    }
}

/// Parses the framing of `bytes`, which start at absolute `offset` of their file.
pub fn contents(bytes: &[u8], offset: usize) -> Result<Contents<'_>, InputErrorKind> {
    match detect(bytes) {
        FileKind::Wasm => module_contents(bytes, offset),
        // A thin archive's members are empty here: only an `InputFile` has their files.
        FileKind::Archive | FileKind::ThinArchive => Archive::parse(bytes)
            .map(Contents::Archive)
            .map_err(InputErrorKind::Archive),
        FileKind::Unknown if is_bitcode(bytes) => Err(InputErrorKind::Bitcode),
        FileKind::Unknown => Err(InputErrorKind::UnknownFileType),
    }
}

/// LLVM bitcode, bare (`BC\xC0\xDE`) or in its wrapper header (`0x0B17C0DE`, little-endian).
pub fn is_bitcode(bytes: &[u8]) -> bool {
    bytes.starts_with(b"BC\xC0\xDE") || bytes.starts_with(&[0xDE, 0xC0, 0x17, 0x0B])
}

/// Frames a wasm module and tells an object (has `linking`) from a linked module.
fn module_contents(bytes: &[u8], offset: usize) -> Result<Contents<'_>, InputErrorKind> {
    if !wasm_format::is_wasm(bytes) {
        return Err(InputErrorKind::UnknownFileType);
    }
    let module = Module::parse(bytes, offset).map_err(InputErrorKind::Format)?;
    let is_object = module
        .sections
        .iter()
        .any(|s| s.id == SectionId::Custom && s.custom_name == Some("linking"));
    Ok(if is_object {
        Contents::Object(module)
    } else {
        Contents::LinkedModule(module)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_file(name: &str, bytes: &[u8]) -> PathBuf {
        let path =
            std::env::temp_dir().join(format!("wasm-object-input-{}-{name}", std::process::id()));
        std::fs::write(&path, bytes).unwrap();
        path
    }

    #[test]
    fn empty_file_opens_and_is_unknown() {
        let path = temp_file("empty", b"");
        let f = InputFile::open(&path).unwrap();
        assert!(f.bytes().is_empty());
        let err = f.contents().unwrap_err();
        assert!(matches!(err.kind(), InputErrorKind::UnknownFileType));
        assert!(err.to_string().contains("wasm-object-input"), "{err}");
        std::fs::remove_file(path).unwrap();
    }

    #[test]
    fn kinds_by_magic_and_linking_section() {
        let linked = b"\0asm\x01\0\0\0";
        assert!(matches!(contents(linked, 0), Ok(Contents::LinkedModule(_))));
        let mut object = linked.to_vec();
        object.extend(b"\0\x09\x07linking\x02");
        assert!(matches!(contents(&object, 0), Ok(Contents::Object(_))));
        assert!(matches!(
            contents(b"!<arch>\n", 0),
            Ok(Contents::Archive(_))
        ));
        assert!(matches!(
            contents(b"!<thin>\n", 0),
            Ok(Contents::Archive(Archive { thin: true, .. }))
        ));
        assert!(matches!(
            contents(b"\x7fELF", 0),
            Err(InputErrorKind::UnknownFileType)
        ));
        assert!(matches!(
            contents(b"BC\xC0\xDE\x35\x14", 0),
            Err(InputErrorKind::Bitcode)
        ));
    }

    #[test]
    fn missing_file_names_the_file() {
        let err = InputFile::open("/nonexistent/x.o").unwrap_err();
        assert!(err.to_string().starts_with("/nonexistent/x.o: "), "{err}");
    }
}
