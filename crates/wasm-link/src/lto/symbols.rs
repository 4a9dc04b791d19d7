//! The symbols of every bitcode input, read through libLTO before loading, so that bitcode
//! takes part in resolution like an object: each module becomes an [`Object`] with a symbol
//! table and nothing else (lld's `BitcodeFile`, `createBitcodeSymbol`).
//!
//! What the C API tells of a symbol: defined or undefined, weak, visibility, function or data
//! (for definitions only: libLTO gives an undefined symbol no permissions), in a COMDAT or not
//! (not which one). An undefined bitcode symbol or an alias therefore has no kind of its own:
//! resolution gives it the kind of what it meets. The order of the symbols and their COMDAT
//! groups come from the file's irsymtab ([`super::irsymtab`]); without one, a definition in a
//! COMDAT claims a group named after itself, which is the group clang gives C++ inline
//! functions, templates and vtables.

use super::library::{attr, Library, NotFound};
use crate::config::Config;
use crate::load::Framed;
use rustc_hash::FxHashMap as HashMap;
use wasm_format::linking::{Comdat, ComdatKind, ComdatMember, SymbolFlags, SymbolInfo, SymbolKind};
use wasm_object::input::{is_bitcode, Contents, FileKind, InputFile};
use wasm_object::object::Object;

/// One bitcode module as libLTO reads it.
#[derive(Debug)]
pub struct BitcodeModule {
    /// Its target triple (`wasm32-unknown-wasi`).
    pub triple: String,
    /// Its external symbols (internal ones left out): name and `lto_symbol_attributes`.
    pub symbols: Vec<(String, u32)>,
    /// Compiled for ThinLTO (`-flto=thin`).
    pub thin: bool,
    /// The COMDAT group of each symbol (by index in `symbols`), from the irsymtab; without
    /// one, a definition libLTO says is in a COMDAT is taken to be in the group of its name.
    pub comdats: Vec<Option<String>>,
}

impl BitcodeModule {
    /// Whether symbol `i` has no kind libLTO tells: an undefined symbol, or an alias (libLTO
    /// gives every alias data permissions).
    pub fn kind_unknown(&self, i: u32) -> bool {
        self.symbols.get(i as usize).is_some_and(|(_, attrs)| {
            attrs & attr::ALIAS != 0
                || matches!(
                    attrs & attr::DEFINITION_MASK,
                    attr::DEFINITION_UNDEFINED | attr::DEFINITION_WEAKUNDEF
                )
        })
    }

    /// Whether the triple is a WebAssembly one (lld: `Triple::isWasm`).
    pub fn is_wasm(&self) -> bool {
        let arch = self.triple.split('-').next().unwrap_or("");
        arch == "wasm32" || arch == "wasm64"
    }

    /// A wasm64 module.
    pub fn is_wasm64(&self) -> bool {
        self.triple.starts_with("wasm64")
    }
}

/// Every bitcode input of a link, read once before loading.
#[derive(Default)]
pub struct Scanned {
    /// libLTO, opened when some input is bitcode.
    pub library: Option<Library>,
    /// Where libLTO was looked for, when some input is bitcode and it was not found.
    pub not_found: Option<NotFound>,
    /// The first bitcode input (for the error when libLTO is missing).
    pub first: Option<String>,
    /// Each bitcode file or member by where its bytes are ([`crate::load::parsed_key`]): its
    /// module, or why libLTO could not read it.
    pub modules: HashMap<(usize, usize), Result<BitcodeModule, String>>,
}

impl Scanned {
    /// No bitcode read: for link sessions, which do not do LTO.
    pub fn none() -> &'static Scanned {
        static NONE: std::sync::OnceLock<Scanned> = std::sync::OnceLock::new();
        NONE.get_or_init(Scanned::default)
    }
}

/// Finds every bitcode input (files and archive members) and reads its symbols, opening
/// libLTO only if there is one.
pub fn scan(files: &[InputFile], framed: &Framed<'_>, config: &Config) -> Scanned {
    let found = find_bitcode(files, framed);
    let mut scanned = Scanned::default();
    let Some((first, _)) = found.first() else {
        return scanned;
    };
    scanned.first = Some(first.clone());
    let library = match Library::find(config.lto.library.as_deref()) {
        Ok(library) => library,
        Err(not_found) => {
            scanned.not_found = Some(not_found);
            return scanned;
        }
    };
    for (name, bytes) in &found {
        // libLTO puts its own words before LLVM's; wasm-ld prints LLVM's alone.
        let prefix = format!("{name}: Could not read LTO input file: ");
        let checked = library
            .check_input(bytes, name)
            .map_err(|e| e.strip_prefix(&prefix).map_or(e.clone(), String::from));
        let module = checked
            .and_then(|()| library.symbols_module(bytes, name))
            .map(|m| module(&m, bytes));
        scanned
            .modules
            .insert(crate::load::parsed_key(bytes), module);
    }
    scanned.library = Some(library);
    scanned
}

/// What libLTO and the irsymtab tell of a module.
fn module(m: &super::library::Module<'_>, bitcode: &[u8]) -> BitcodeModule {
    let ir = super::irsymtab::symbols(bitcode);
    let symbols = symbol_order(m.symbols(), ir.as_deref());
    let groups: Option<HashMap<&str, Option<&str>>> = ir
        .as_ref()
        .map(|ir| ir.iter().map(|s| (s.name, s.comdat)).collect());
    let comdats = symbols
        .iter()
        .map(|(name, attrs)| match &groups {
            Some(groups) => groups
                .get(name.as_str())
                .copied()
                .flatten()
                .map(String::from),
            None => (attrs & attr::COMDAT != 0).then(|| name.clone()),
        })
        .collect();
    BitcodeModule {
        triple: m.triple(),
        symbols,
        thin: m.is_thin(),
        comdats,
    }
}

/// The external symbols in lld's order (LLVM's module symbol table: functions and their
/// declarations, variables, then aliases), which decides the order of exports, imports and
/// the symbols of a relocatable output. libLTO puts a module's undefined symbols after its
/// definitions and aliases, so the order comes from the file's irsymtab; without one, moving
/// the aliases last restores lld's order except where declarations and definitions
/// interleave.
fn symbol_order(
    symbols: Vec<(String, u32)>,
    ir: Option<&[super::irsymtab::IrSymbol<'_>]>,
) -> Vec<(String, u32)> {
    let (aliases, others): (Vec<_>, Vec<_>) = symbols
        .into_iter()
        .filter(|(_, attrs)| attrs & attr::SCOPE_MASK != attr::SCOPE_INTERNAL)
        .partition(|(_, attrs)| attrs & attr::ALIAS != 0);
    let mut symbols: Vec<_> = others.into_iter().chain(aliases).collect();
    if let Some(ir) = ir {
        let position: HashMap<&str, usize> =
            ir.iter().enumerate().map(|(i, s)| (s.name, i)).collect();
        // Stable: a name the irsymtab does not list keeps its place after those it does.
        symbols.sort_by_key(|(name, _)| position.get(name.as_str()).copied().unwrap_or(usize::MAX));
    }
    symbols
}

/// Every bitcode file and archive member, with its display name (`a.o`, `lib.a(m.o)`).
/// Archives come split already (`framed`, by [`crate::load::frame`]).
fn find_bitcode<'f>(files: &'f [InputFile], framed: &Framed<'f>) -> Vec<(String, &'f [u8])> {
    let mut found = Vec::new();
    for (file, contents) in files.iter().zip(framed) {
        let path = || file.path().display().to_string();
        match contents {
            _ if file.kind() == FileKind::Unknown && is_bitcode(file.bytes()) => {
                found.push((path(), file.bytes()));
            }
            Ok(Some(Contents::Archive(archive))) => {
                for m in &archive.members {
                    if is_bitcode(m.data.bytes) {
                        found.push((format!("{}({})", path(), m.name), m.data.bytes));
                    }
                }
            }
            _ => {}
        }
    }
    found
}

/// The object resolution sees for a bitcode module: its external symbols, in lld's order, and
/// its COMDAT groups with their defined members.
pub fn object(module: &BitcodeModule) -> Object<'_> {
    let mut group_index: HashMap<&str, usize> = HashMap::default();
    // Each group's members, made contiguous in `comdat_members` at the end.
    let mut members: Vec<Vec<ComdatMember>> = Vec::new();
    let mut obj = Object::empty();
    obj.memory64 = module.is_wasm64();
    for (name, attrs) in &module.symbols {
        let scope = attrs & attr::SCOPE_MASK;
        let definition = attrs & attr::DEFINITION_MASK;
        let undefined = matches!(
            definition,
            attr::DEFINITION_UNDEFINED | attr::DEFINITION_WEAKUNDEF
        );
        let mut flags = 0;
        if undefined {
            flags |= SymbolFlags::UNDEFINED;
        }
        if matches!(
            definition,
            attr::DEFINITION_WEAK | attr::DEFINITION_WEAKUNDEF
        ) {
            flags |= SymbolFlags::BINDING_WEAK;
        }
        if matches!(scope, attr::SCOPE_HIDDEN | attr::SCOPE_PROTECTED) {
            flags |= SymbolFlags::VISIBILITY_HIDDEN;
        }
        let function = attrs & attr::PERMISSIONS_MASK == attr::PERMISSIONS_CODE;
        let kind = if function || undefined {
            SymbolKind::Function { index: u32::MAX }
        } else {
            SymbolKind::Data { def: None }
        };
        let index = obj.symbols.len() as u32;
        let group = module
            .comdats
            .get(index as usize)
            .and_then(Option::as_deref);
        if let Some(group) = group.filter(|_| !undefined) {
            // The members are the group's symbols: resolution makes them undefined when the
            // group goes to an earlier file (lld's `excludedByComdat`).
            let member = ComdatMember {
                kind: ComdatKind::Function,
                index,
            };
            let at = *group_index.entry(group).or_insert_with(|| {
                obj.comdats.push(Comdat {
                    name: group,
                    flags: 0,
                    members: 0..0,
                });
                members.push(Vec::new());
                obj.comdats.len() - 1
            });
            members[at].push(member);
        }
        obj.symbols.push(SymbolInfo {
            flags: SymbolFlags(flags),
            name: Some(name),
            kind,
        });
    }
    for (c, members) in obj.comdats.iter_mut().zip(members) {
        let start = obj.comdat_members.len() as u32;
        obj.comdat_members.extend(members);
        c.members = start..obj.comdat_members.len() as u32;
    }
    obj
}
