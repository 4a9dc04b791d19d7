//! What a link is asked to do: the inputs in command-line order and every option, already
//! parsed and validated by the command line. The library never reads `std::env::args`.

use std::path::{Path, PathBuf};

/// One input file, in command-line order, with the archive mode in force where it appeared.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Input {
    /// The file (an `-l` has already been searched for in the `-L` directories).
    pub path: PathBuf,
    /// `--whole-archive` was in force: load every member of this archive.
    pub whole_archive: bool,
    /// Between `--start-lib` and `--end-lib`: treat this object like an archive member.
    pub lazy: bool,
}

/// `--build-id` styles.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BuildId {
    /// No `build_id` section (default, `--build-id=none`).
    None,
    /// `--build-id` / `=fast`: a UUID from an XXH3 hash of the output.
    Fast,
    /// `=sha1` / `=tree`: the SHA-1 of the output.
    Sha1,
    /// `=uuid`: a random UUID.
    Uuid,
    /// `=0x...`: these bytes.
    Hex(Vec<u8>),
}

/// The entry point.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Entry {
    /// `_start` (the default).
    Default,
    /// `--entry NAME`.
    Named(String),
    /// `--no-entry`.
    None,
}

/// What to do with undefined symbols (`--unresolved-symbols`, `--allow-undefined`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnresolvedPolicy {
    /// `report-all` (the default): undefined symbols are errors.
    ReportAll,
    /// `ignore-all`: calls go to a trapping stub, addresses are 0.
    IgnoreAll,
    /// `import-dynamic`: everything undefined is imported.
    ImportDynamic,
}

/// Everything a link needs to know besides the bytes of its inputs.
#[derive(Clone, Debug)]
pub struct Config {
    /// Inputs in command-line order.
    pub inputs: Vec<Input>,
    /// `-o`.
    pub output: PathBuf,
    /// `--entry` / `--no-entry`.
    pub entry: Entry,
    /// `--export NAME`: must be defined.
    pub exports: Vec<String>,
    /// `--export-if-defined NAME`.
    pub exports_if_defined: Vec<String>,
    /// `--export-all`.
    pub export_all: bool,
    /// `--export-dynamic`.
    pub export_dynamic: bool,
    /// `-u NAME` / `--undefined NAME`: force resolution (pull archive members).
    pub undefined: Vec<String>,
    /// `--import-undefined` (also set by `--allow-undefined`).
    pub import_undefined: bool,
    /// `--unresolved-symbols` (`--allow-undefined` sets `IgnoreAll`).
    pub unresolved: UnresolvedPolicy,
    /// `--warn-unresolved-symbols`: report undefined symbols as warnings.
    pub warn_unresolved: bool,
    /// Symbols from `--allow-undefined-file` files (already read), allowed to stay undefined.
    pub allow_undefined_symbols: Vec<String>,
    /// `--gc-sections` (default) / `--no-gc-sections`.
    pub gc_sections: bool,
    /// `--print-gc-sections`.
    pub print_gc_sections: bool,
    /// `--merge-data-segments` (default) / `--no-merge-data-segments`.
    pub merge_data_segments: bool,
    /// `-O<n>` (default 1): string merging from 1 up.
    pub opt_level: u8,
    /// `--global-base`.
    pub global_base: Option<u64>,
    /// `-z stack-size=N` (default 65536).
    pub stack_size: u64,
    /// `--stack-first`.
    pub stack_first: bool,
    /// `--initial-memory`.
    pub initial_memory: Option<u64>,
    /// `--max-memory`.
    pub max_memory: Option<u64>,
    /// `--initial-heap`.
    pub initial_heap: Option<u64>,
    /// `--no-growable-memory`.
    pub no_growable_memory: bool,
    /// `--import-memory[=module,name]`: `Some((module, name))`, default `("env", "memory")`.
    pub import_memory: Option<(String, String)>,
    /// `--export-memory[=name]`: `Some(name)`. When `None`, memory is exported as `memory`
    /// unless it is imported.
    pub export_memory: Option<String>,
    /// `--import-table`.
    pub import_table: bool,
    /// `--export-table`.
    pub export_table: bool,
    /// `--growable-table`.
    pub growable_table: bool,
    /// `--table-base` (default 1).
    pub table_base: u64,
    /// `--shared-memory`.
    pub shared_memory: bool,
    /// `-m wasm64` (or inferred later from inputs when `None`).
    pub memory64: Option<bool>,
    /// `--strip-all` / `-s`.
    pub strip_all: bool,
    /// `--strip-debug` / `-S`.
    pub strip_debug: bool,
    /// `--keep-section NAME`.
    pub keep_sections: Vec<String>,
    /// `--demangle` (default) / `--no-demangle`.
    pub demangle: bool,
    /// `--threads N` (default: all cores).
    pub threads: Option<usize>,
    /// `--error-limit N` (default 20, 0 = no limit).
    pub error_limit: usize,
    /// `--fatal-warnings`.
    pub fatal_warnings: bool,
    /// `--check-features` (default) / `--no-check-features`.
    pub check_features: bool,
    /// `--size-report=FILE` (ours): where the output's bytes come from.
    pub size_report: Option<PathBuf>,
    /// `--why-live=GLOB` (ours): explain why matching symbols are kept.
    pub why_live: Vec<String>,
    /// `--Map=FILE`: write wasm-ld's link map there.
    pub map_file: Option<PathBuf>,
    /// `-M` / `--print-map`: print the link map to standard output.
    pub print_map: bool,
    /// `--build-id[=style]`.
    pub build_id: BuildId,
    /// `--compress-relocations`: relocated LEBs in code written in their shortest form.
    pub compress_relocations: bool,
    /// `--features a,b`: replaces the inferred feature set.
    pub features: Option<Vec<String>>,
    /// `--extra-features a,b`.
    pub extra_features: Vec<String>,
    /// `--verbose` / `-v`.
    pub verbose: bool,
    /// `--relocatable` / `-r` (accepted; reported as unsupported by the linker).
    pub relocatable: bool,
    /// `--shared` or `--pie`: position-independent output with `dylink.0`.
    pub pic: bool,
    /// `--shared`: a shared library (implies `pic`).
    pub shared: bool,
    /// `-Bsymbolic`: a shared library binds its own definitions without the GOT.
    pub bsymbolic: bool,
    /// `--time` (ours): print each phase's wall time and the peak memory to stderr.
    pub time: bool,
    /// The process exits right after this link, so what the link built is not freed (lld's
    /// `canExitEarly`): freeing every object costs a small link a tenth of its time.
    pub exit_after_link: bool,
    /// `--soname=NAME`: the module name in the name section.
    pub soname: Option<String>,
    /// Direct calls must match the signature a shared library gives a function
    /// (`--no-shlib-sigcheck` turns this off).
    pub shlib_sigcheck: bool,
    /// `--emit-relocs` (accepted; reported as unsupported by the linker).
    pub emit_relocs: bool,
    /// `--wrap SYMBOL`, in command-line order (repeats allowed; later ones are ignored).
    pub wrap: Vec<Wrap>,
    /// `--trace` / `-t`: print every object as it is loaded.
    pub trace: bool,
    /// `--trace-symbol SYMBOL` / `-y SYMBOL`: print references to and definitions of these.
    pub trace_symbols: Vec<String>,
    /// `--why-extract=FILE` (`-` for stdout): why each archive member was extracted.
    pub why_extract: Option<PathBuf>,
    /// Link-time optimization of bitcode inputs (`--lto-*`, `-mllvm`, `--save-temps`).
    pub lto: LtoOptions,
}

/// How bitcode inputs are optimized and compiled (`docs/lto.md`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LtoOptions {
    /// `--lto-library=PATH` (ours): the libLTO to load, before `$WASM_LINK_LIBLTO` and the
    /// usual places.
    pub library: Option<PathBuf>,
    /// `--lto-O<n>` (default 2).
    pub opt_level: u8,
    /// `--lto-CGO<n>`; by default the level `--lto-O` implies.
    pub cg_opt_level: Option<u8>,
    /// `-mllvm OPTION`, in order: handed to LLVM's option parser.
    pub mllvm: Vec<String>,
    /// `--disable-verify`: skip the IR verifier.
    pub disable_verify: bool,
    /// `--save-temps`: write the intermediate files next to the output.
    pub save_temps: bool,
    /// `--lto-partitions=N` (default 1).
    pub partitions: u32,
    /// `--lto-debug-pass-manager`.
    pub debug_pass_manager: bool,
    /// `--thinlto-jobs=N`.
    pub thinlto_jobs: Option<String>,
    /// `--thinlto-cache-dir=DIR`.
    pub thinlto_cache_dir: Option<PathBuf>,
    /// `--thinlto-cache-policy=POLICY`.
    pub thinlto_cache_policy: Option<String>,
}

impl Default for LtoOptions {
    fn default() -> Self {
        LtoOptions {
            library: None,
            opt_level: 2,
            cg_opt_level: None,
            mllvm: Vec::new(),
            disable_verify: false,
            save_temps: false,
            partitions: 1,
            debug_pass_manager: false,
            thinlto_jobs: None,
            thinlto_cache_dir: None,
            thinlto_cache_policy: None,
        }
    }
}

/// One `--wrap SYMBOL`: references to `SYMBOL` go to `__wrap_SYMBOL`, references to
/// `__real_SYMBOL` go to `SYMBOL`. The two derived names are spelled out here because the
/// symbol table borrows every name for the whole link.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Wrap {
    /// `SYMBOL`.
    pub symbol: String,
    /// `__real_SYMBOL`.
    pub real: String,
    /// `__wrap_SYMBOL`.
    pub wrap: String,
}

impl Wrap {
    /// The wrapping of `symbol`.
    pub fn new(symbol: &str) -> Self {
        Wrap {
            symbol: symbol.to_string(),
            real: format!("__real_{symbol}"),
            wrap: format!("__wrap_{symbol}"),
        }
    }
}

impl Config {
    /// Whether the output is dynamically linked: PIC, or non-PIC with dynamic imports
    /// (`--unresolved-symbols=import-dynamic`). It then has `dylink.0` and
    /// `__wasm_apply_data_relocs`.
    pub fn dynamic(&self) -> bool {
        self.pic || self.unresolved == UnresolvedPolicy::ImportDynamic
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            inputs: Vec::new(),
            output: PathBuf::from("a.out"),
            entry: Entry::Default,
            exports: Vec::new(),
            exports_if_defined: Vec::new(),
            export_all: false,
            export_dynamic: false,
            undefined: Vec::new(),
            import_undefined: false,
            unresolved: UnresolvedPolicy::ReportAll,
            warn_unresolved: false,
            allow_undefined_symbols: Vec::new(),
            gc_sections: true,
            print_gc_sections: false,
            merge_data_segments: true,
            opt_level: 1,
            global_base: None,
            stack_size: 65536,
            stack_first: false,
            initial_memory: None,
            max_memory: None,
            initial_heap: None,
            no_growable_memory: false,
            import_memory: None,
            export_memory: None,
            import_table: false,
            export_table: false,
            growable_table: false,
            table_base: 1,
            shared_memory: false,
            memory64: None,
            strip_all: false,
            strip_debug: false,
            keep_sections: Vec::new(),
            demangle: true,
            threads: None,
            error_limit: 20,
            fatal_warnings: false,
            check_features: true,
            size_report: None,
            why_live: Vec::new(),
            map_file: None,
            print_map: false,
            build_id: BuildId::None,
            compress_relocations: false,
            features: None,
            extra_features: Vec::new(),
            verbose: false,
            relocatable: false,
            pic: false,
            shared: false,
            bsymbolic: false,
            shlib_sigcheck: true,
            soname: None,
            time: false,
            exit_after_link: false,
            emit_relocs: false,
            wrap: Vec::new(),
            trace: false,
            trace_symbols: Vec::new(),
            why_extract: None,
            lto: LtoOptions::default(),
        }
    }
}

/// Searches `-l name` like wasm-ld: `-l:file` looks for `file` itself; otherwise each
/// directory is tried in turn for `lib<name>.so` (only when linking dynamically), then
/// `lib<name>.a`.
pub fn find_library(name: &str, search: &[PathBuf], is_static: bool) -> Option<PathBuf> {
    if let Some(file) = name.strip_prefix(':') {
        return search.iter().map(|dir| dir.join(file)).find(|p| exists(p));
    }
    search.iter().find_map(|dir| {
        let shared = dir.join(format!("lib{name}.so"));
        let archive = dir.join(format!("lib{name}.a"));
        if !is_static && exists(&shared) {
            return Some(shared);
        }
        exists(&archive).then_some(archive)
    })
}

fn exists(path: &Path) -> bool {
    path.exists()
}
