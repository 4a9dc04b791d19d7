//! The parsed inputs: every object on the command line and every member of every archive,
//! parsed in parallel up front, plus the command-line order the resolver replays.

use crate::ids::FileId;
use wasm_object::input::InputFile;
use wasm_object::object::Object;

/// One parsed object file or archive member.
pub struct InputObject<'a> {
    /// Where its bytes are ([`crate::load::parsed_key`]): how a session finds it again.
    pub key: (usize, usize),
    /// `a.o`, or `libc.a(printf.o)` for a member.
    pub name: String,
    /// For an archive member, where its member name starts in `name`.
    pub member_at: Option<usize>,
    /// The object.
    pub obj: Object<'a>,
    /// An archive member (or between `--start-lib`/`--end-lib`): loaded only on demand.
    pub lazy: bool,
    /// The file it was read from (the archive, for a member; the member's own file, for a
    /// member of a thin archive).
    pub source: &'a InputFile,
    /// An LLVM bitcode archive member libLTO could not read (it is missing): an empty `obj`,
    /// and the symbols the archive index says it defines. Loading it is an error; until then
    /// it is lazy like any member.
    pub bitcode: Option<Vec<&'a str>>,
    /// An LLVM bitcode module read by libLTO: `obj` has its symbols only
    /// ([`crate::lto::object`]); LTO compiles it if it is loaded.
    pub lto: Option<BitcodeInput<'a>>,
}

/// A bitcode input libLTO read.
#[derive(Clone, Copy)]
pub struct BitcodeInput<'a> {
    /// Its bitcode.
    pub bytes: &'a [u8],
    /// What libLTO read of it.
    pub module: &'a crate::lto::BitcodeModule,
}

impl InputObject<'_> {
    /// Whether it is LLVM bitcode (read by libLTO or not).
    pub fn is_bitcode(&self) -> bool {
        self.bitcode.is_some() || self.lto.is_some()
    }
}

/// What link-time optimization adds to the inputs.
#[derive(Default)]
pub struct LtoInputs {
    /// The library functions LTO code generation may call ([`crate::lto::libcalls`]): lazy
    /// bitcode definitions of them are loaded before LTO.
    pub libcalls: &'static [&'static str],
    /// The objects LTO compiled (each `lto.tmp`: the full LTO object first, then one per
    /// ThinLTO module), once there are some; they are in `files`, not in `items`: resolution
    /// adds them where lld does.
    pub objects: Vec<FileId>,
}

/// One command-line item, in order.
#[derive(Clone, Debug)]
pub enum Item {
    /// An object file: loaded.
    Object(FileId),
    /// An archive's members, in archive order; all loaded with `--whole-archive`.
    Archive {
        /// The members that are wasm objects.
        members: Vec<FileId>,
        /// `--whole-archive` was in force.
        whole: bool,
    },
}

/// Every input.
#[derive(Default)]
pub struct Inputs<'a> {
    /// All objects, indexed by `FileId`.
    pub files: Vec<InputObject<'a>>,
    /// The command line, in order.
    pub items: Vec<Item>,
    /// Symbols that `<archive>.imports` side files allow to stay undefined.
    pub allowed_undefined: Vec<String>,
    /// Warnings about the inputs (archive members that are not wasm), in command-line order.
    pub warnings: Vec<crate::diagnostic::Diagnostic>,
    /// Stub libraries (`#STUB` text files), in command-line order.
    pub stubs: Vec<StubLibrary>,
    /// Link-time optimization's part.
    pub lto: LtoInputs,
}

/// A stub library: a text file starting with `#STUB` whose lines `SYMBOL: DEP, DEP` say that
/// the runtime provides `SYMBOL` (it is imported) and needs the `DEP`s (they are exported).
/// Emscripten's `libstub.so` lists its JavaScript functions so.
#[derive(Debug, Clone)]
pub struct StubLibrary {
    /// The file as named on the command line.
    pub name: String,
    /// Each symbol with its dependencies, in file order.
    pub symbols: Vec<(String, Vec<String>)>,
}

impl StubLibrary {
    /// Parses the text of a stub library (lld's `StubFile::parse`): `#` starts a comment
    /// line, a symbol may be followed by `:` and comma-separated dependencies.
    pub fn parse(name: &str, text: &str) -> StubLibrary {
        let mut symbols: Vec<(String, Vec<String>)> = Vec::new();
        for line in text.split('\n').map(str::trim) {
            if line.starts_with('#') {
                continue;
            }
            let (symbol, rest) = line.split_once(':').unwrap_or((line, ""));
            let deps = rest
                .split(',')
                .map(|d| d.trim_matches(' ').to_string())
                .filter(|d| !d.is_empty())
                .collect();
            let symbol = symbol.trim_matches(' ').to_string();
            // A later line for the same symbol replaces the earlier one, as in lld's map.
            match symbols.iter_mut().find(|(s, _)| *s == symbol) {
                Some(entry) => entry.1 = deps,
                None => symbols.push((symbol, deps)),
            }
        }
        StubLibrary {
            name: name.to_string(),
            symbols,
        }
    }
}

impl<'a> Inputs<'a> {
    /// The object of a file.
    pub fn obj(&self, f: FileId) -> &Object<'a> {
        &self.files[f.idx()].obj
    }

    /// The display name of a file.
    pub fn name(&self, f: FileId) -> &str {
        &self.files[f.idx()].name
    }

    /// lld's `InputFile::getName`: the path, or just the member name for an archive member
    /// (wasm-ld's target-feature errors use it).
    pub fn short_name(&self, f: FileId) -> &str {
        let file = &self.files[f.idx()];
        match file.member_at {
            Some(at) => file.name.get(at..file.name.len() - 1).unwrap_or(&file.name),
            None => &file.name,
        }
    }
}
