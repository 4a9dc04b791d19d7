//! The option table: every spelling `wasm-ld` 19 accepts (`lld/wasm/Options.td`, checked
//! against `wasm-ld-19` itself), and the clap command that stores the canonical options.
//!
//! Two layers: a [`Spelling`] says how one raw argument may be written (which dashes, whether
//! its value is joined, separate, or either) and names the canonical option it stands for;
//! an [`Opt`] is one canonical option as clap sees it. The normaliser maps spellings to
//! canonical tokens, clap stores them with their positions.

use clap::{Arg, ArgAction, Command};

/// Which dashes may introduce a spelling.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dashes {
    /// `-x` only (short options and a few aliases).
    One,
    /// `--x` only (lld's `FF`/`JJ`/`BB`/`EEq` classes).
    Two,
    /// `-x` and `--x` (lld's `F`/`J`/`S`/`Eq`/`B` classes).
    Both,
}

/// How a spelling takes its value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Form {
    /// No value; the argument must match exactly.
    Flag,
    /// The value is the rest of the argument (which may be empty).
    Joined,
    /// The argument matches exactly and the value is the next argument.
    Separate,
    /// Joined when anything follows the name, else the next argument.
    JoinedOrSeparate,
    /// Both `name value` and `name=value` (lld's `Eq`/`EEq` multiclasses).
    EqSep,
}

/// One way to write an option on the command line.
#[derive(Clone, Copy, Debug)]
pub struct Spelling {
    /// The name after the dashes (for `Joined`, including a trailing `=` if any).
    pub name: &'static str,
    /// Allowed dashes.
    pub dashes: Dashes,
    /// Value form.
    pub form: Form,
    /// The canonical option ([`Opt::id`]).
    pub id: &'static str,
}

const fn sp(name: &'static str, dashes: Dashes, form: Form, id: &'static str) -> Spelling {
    Spelling {
        name,
        dashes,
        form,
        id,
    }
}

/// `-x` and `--x`, a flag named like its option.
const fn f(name: &'static str) -> Spelling {
    sp(name, Dashes::Both, Form::Flag, name)
}

/// `--x` only, a flag named like its option.
const fn ff(name: &'static str) -> Spelling {
    sp(name, Dashes::Two, Form::Flag, name)
}

use Dashes::{Both, One, Two};
use Form::{EqSep, Flag, Joined, JoinedOrSeparate, Separate};

/// Options of ours that wasm-ld does not have.
pub const EXTENSIONS: &[&str] = &["size-report", "why-live", "time", "lto-library", "no-fork"];

/// Every spelling wasm-ld 19 accepts, and our [`EXTENSIONS`]. Anything else starting with `-`
/// is an unknown argument.
pub const SPELLINGS: &[Spelling] = &[
    // Inputs and search paths.
    sp("l", One, JoinedOrSeparate, "library"),
    sp("library", Both, EqSep, "library"),
    sp("L", One, JoinedOrSeparate, "library-path"),
    sp("library-path", Both, EqSep, "library-path"),
    sp("o", One, JoinedOrSeparate, "o"),
    sp("m", One, JoinedOrSeparate, "m"),
    f("whole-archive"),
    f("no-whole-archive"),
    f("start-lib"),
    f("end-lib"),
    f("Bstatic"),
    sp("static", Both, Flag, "Bstatic"),
    sp("dn", Both, Flag, "Bstatic"),
    sp("non_shared", Both, Flag, "Bstatic"),
    f("Bdynamic"),
    sp("dy", Both, Flag, "Bdynamic"),
    sp("call_shared", Both, Flag, "Bdynamic"),
    sp("rsp-quoting", Both, EqSep, "rsp-quoting"),
    // Symbols.
    sp("entry", Both, Separate, "entry"),
    sp("entry=", Both, Joined, "entry"),
    sp("e", One, JoinedOrSeparate, "entry"),
    ff("no-entry"),
    sp("undefined", Both, EqSep, "undefined"),
    sp("u", One, JoinedOrSeparate, "undefined"),
    f("allow-undefined"),
    sp(
        "allow-undefined-file=",
        Both,
        Joined,
        "allow-undefined-file",
    ),
    sp(
        "allow-undefined-file",
        One,
        Separate,
        "allow-undefined-file",
    ),
    f("import-undefined"),
    sp("unresolved-symbols", Both, EqSep, "unresolved-symbols"),
    f("error-unresolved-symbols"),
    f("warn-unresolved-symbols"),
    sp("wrap", Both, EqSep, "wrap"),
    f("trace"),
    sp("t", One, Flag, "trace"),
    sp("trace-symbol", Both, EqSep, "trace-symbol"),
    sp("y", One, JoinedOrSeparate, "trace-symbol"),
    sp("why-extract=", Two, Joined, "why-extract"),
    f("demangle"),
    f("no-demangle"),
    // Exports and imports.
    sp("export", Both, EqSep, "export"),
    sp("export-if-defined", Both, EqSep, "export-if-defined"),
    ff("export-all"),
    f("export-dynamic"),
    f("no-export-dynamic"),
    sp("E", One, Flag, "export-dynamic"),
    ff("import-memory"),
    sp("import-memory=", Two, Joined, "import-memory"),
    ff("export-memory"),
    sp("export-memory=", Two, Joined, "export-memory"),
    ff("import-table"),
    ff("export-table"),
    ff("growable-table"),
    // Memory layout.
    sp("global-base=", Two, Joined, "global-base"),
    sp("table-base=", Two, Joined, "table-base"),
    sp("z", One, JoinedOrSeparate, "z"),
    ff("stack-first"),
    sp("initial-memory=", Two, Joined, "initial-memory"),
    sp("i", One, Flag, "initial-memory"),
    sp("max-memory=", Two, Joined, "max-memory"),
    sp("initial-heap=", Two, Joined, "initial-heap"),
    ff("no-growable-memory"),
    ff("shared-memory"),
    // GC, merging, stripping.
    f("gc-sections"),
    f("no-gc-sections"),
    f("print-gc-sections"),
    f("no-print-gc-sections"),
    ff("merge-data-segments"),
    ff("no-merge-data-segments"),
    sp("O", One, JoinedOrSeparate, "O"),
    f("strip-all"),
    sp("s", One, Flag, "strip-all"),
    f("strip-debug"),
    sp("S", One, Flag, "strip-debug"),
    sp("keep-section", Both, EqSep, "keep-section"),
    f("compress-relocations"),
    // Output kinds.
    f("relocatable"),
    sp("r", One, Flag, "relocatable"),
    f("emit-relocs"),
    f("shared"),
    f("pie"),
    f("no-pie"),
    ff("experimental-pic"),
    f("Bsymbolic"),
    sp("soname", Both, EqSep, "soname"),
    ff("no-shlib-sigcheck"),
    f("build-id"),
    sp("build-id=", Both, Joined, "build-id"),
    // Features.
    ff("check-features"),
    ff("no-check-features"),
    sp("features=", Both, Joined, "features"),
    sp("extra-features=", Both, Joined, "extra-features"),
    // LTO (through libLTO, `docs/lto.md`).
    sp("lto-library", Two, EqSep, "lto-library"),
    sp("lto-O", Two, Joined, "lto-O"),
    sp("lto-CGO", Two, Joined, "lto-CGO"),
    sp("lto-partitions=", Two, Joined, "lto-partitions"),
    ff("lto-debug-pass-manager"),
    f("disable-verify"),
    f("save-temps"),
    sp("thinlto-cache-dir=", Two, Joined, "thinlto-cache-dir"),
    sp("thinlto-cache-policy", Two, EqSep, "thinlto-cache-policy"),
    sp("thinlto-jobs=", Two, Joined, "thinlto-jobs"),
    sp("mllvm", Both, EqSep, "mllvm"),
    // Diagnostics and misc.
    sp("threads", Both, EqSep, "threads"),
    sp("error-limit", Two, EqSep, "error-limit"),
    f("fatal-warnings"),
    f("no-fatal-warnings"),
    f("color-diagnostics"),
    sp("color-diagnostics=", Both, Joined, "color-diagnostics"),
    f("no-color-diagnostics"),
    f("verbose"),
    sp("v", One, Flag, "v"),
    f("version"),
    f("help"),
    sp("Map", Both, EqSep, "Map"),
    f("print-map"),
    sp("M", One, Flag, "print-map"),
    sp("reproduce", Two, EqSep, "reproduce"),
    sp("size-report", Two, EqSep, "size-report"),
    sp("why-live", Two, EqSep, "why-live"),
    ff("time"),
    ff("no-fork"),
];

/// What clap stores for a canonical option.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Takes {
    /// Nothing (each occurrence is recorded with its position).
    Nothing,
    /// A value.
    Value,
    /// An optional `=value` (`--import-memory[=m,n]`); absent values read as [`NO_VALUE`].
    OptionalValue,
}

/// The value clap records for an [`Takes::OptionalValue`] option given without `=`. A NUL
/// byte cannot occur in a real argument, so it cannot be confused with `--x=`.
pub const NO_VALUE: &str = "\0";

/// The clap id of input files.
pub const INPUT: &str = "INPUT";

/// One canonical option as clap stores it.
#[derive(Clone, Copy, Debug)]
pub struct Opt {
    /// The clap id, also its `--long` name for clap.
    pub id: &'static str,
    /// What it takes.
    pub takes: Takes,
    /// `--help` text; `None` hides it (aliases and LTO/debug options).
    pub help: Option<&'static str>,
}

const fn flag(id: &'static str, help: &'static str) -> Opt {
    Opt {
        id,
        takes: Takes::Nothing,
        help: Some(help),
    }
}

const fn value(id: &'static str, help: &'static str) -> Opt {
    Opt {
        id,
        takes: Takes::Value,
        help: Some(help),
    }
}

/// The canonical options, in `--help` order.
pub const OPTS: &[Opt] = &[
    value("o", "Output file (-o <path>)"),
    value(
        "library",
        "Search the -L directories for lib<name>.a (-l <name>, -l:<file>)",
    ),
    value("library-path", "Add a library search directory (-L <dir>)"),
    value("m", "Target: wasm32 or wasm64 (-m <value>)"),
    flag(
        "whole-archive",
        "Load every member of the following archives",
    ),
    flag("no-whole-archive", "Stop --whole-archive (default)"),
    flag(
        "start-lib",
        "Treat the following objects like archive members",
    ),
    flag("end-lib", "End --start-lib"),
    flag("Bstatic", "Do not search for shared libraries (default)"),
    flag("Bdynamic", "Search for lib<name>.so before lib<name>.a"),
    value(
        "rsp-quoting",
        "Quoting style for response files: posix or windows",
    ),
    value("entry", "Entry symbol (-e <sym>)"),
    flag("no-entry", "No entry point"),
    value("undefined", "Force a symbol to be resolved (-u <sym>)"),
    flag(
        "allow-undefined",
        "--import-undefined plus --unresolved-symbols=ignore-all",
    ),
    value(
        "allow-undefined-file",
        "Symbols listed in this file may stay undefined",
    ),
    flag("import-undefined", "Turn undefined functions into imports"),
    value(
        "unresolved-symbols",
        "report-all, ignore-all or import-dynamic",
    ),
    flag(
        "error-unresolved-symbols",
        "Report unresolved symbols as errors (default)",
    ),
    flag(
        "warn-unresolved-symbols",
        "Report unresolved symbols as warnings",
    ),
    value("wrap", "Use wrapper functions for symbol"),
    flag("trace", "Print the names of the input files (-t)"),
    value("trace-symbol", "Trace references to symbols (-y)"),
    value(
        "why-extract",
        "Print to a file about why archive members are extracted",
    ),
    flag("demangle", "Demangle symbol names (default)"),
    flag("no-demangle", "Do not demangle symbol names"),
    value("export", "Export a symbol, which must be defined"),
    value("export-if-defined", "Export a symbol if it is defined"),
    flag("export-all", "Export every symbol"),
    flag("export-dynamic", "Export non-hidden symbols (-E)"),
    flag(
        "no-export-dynamic",
        "Do not export non-hidden symbols (default)",
    ),
    Opt {
        id: "import-memory",
        takes: Takes::OptionalValue,
        help: Some("Import the memory (default env.memory; =<module>,<name>)"),
    },
    Opt {
        id: "export-memory",
        takes: Takes::OptionalValue,
        help: Some("Export the memory (default name memory; =<name>)"),
    },
    flag("import-table", "Import the function table"),
    flag("export-table", "Export the function table"),
    flag("growable-table", "No maximum size for the function table"),
    value("global-base", "Address of the first data segment"),
    value(
        "table-base",
        "First table slot for address-taken functions (default 1)",
    ),
    value("z", "-z stack-size=<n>: stack size (default 65536)"),
    flag("stack-first", "Place the stack before the data"),
    value("initial-memory", "Initial memory size in bytes"),
    value("max-memory", "Maximum memory size in bytes"),
    value("initial-heap", "Initial heap size in bytes"),
    flag("no-growable-memory", "Maximum memory = initial memory"),
    flag("shared-memory", "Use shared memory"),
    flag("gc-sections", "Remove unused functions and data (default)"),
    flag("no-gc-sections", "Keep unused functions and data"),
    flag("print-gc-sections", "List what --gc-sections removed"),
    flag(
        "no-print-gc-sections",
        "Do not list removed sections (default)",
    ),
    flag(
        "merge-data-segments",
        "Merge data segments by name (default)",
    ),
    flag("no-merge-data-segments", "Keep data segments apart"),
    value("O", "Optimisation level (-O<n>, default 1)"),
    flag("strip-all", "Drop names and debug info (-s)"),
    flag("strip-debug", "Drop debug info (-S)"),
    value(
        "keep-section",
        "Keep this custom section despite --strip-all",
    ),
    flag(
        "compress-relocations",
        "Write relocated LEBs in code in their shortest form (needs --strip-debug)",
    ),
    flag("relocatable", "Write a relocatable object (-r)"),
    flag("emit-relocs", "Keep relocations in the output"),
    flag("shared", "Build a shared library"),
    flag("pie", "Build a position-independent executable"),
    flag("no-pie", "Do not build a PIE (default)"),
    flag("experimental-pic", "Silence the PIC stability warnings"),
    flag(
        "Bsymbolic",
        "Bind a shared library's own definitions locally (no GOT)",
    ),
    value("soname", "Set the module name in the name section"),
    flag(
        "no-shlib-sigcheck",
        "Do not check signatures against shared libraries",
    ),
    Opt {
        id: "build-id",
        takes: Takes::OptionalValue,
        help: Some("Write a build_id section: fast (default), sha1, tree, uuid, 0x<hex>, none"),
    },
    flag(
        "check-features",
        "Check target feature compatibility (default)",
    ),
    flag("no-check-features", "Do not check target features"),
    value(
        "features",
        "Comma-separated feature set replacing the inferred one",
    ),
    value(
        "extra-features",
        "Comma-separated features added to the inferred set",
    ),
    value(
        "lto-library",
        "The libLTO to do LTO with (else $WASM_LINK_LIBLTO, llvm-config, the usual places; \
         not in wasm-ld)",
    ),
    value("lto-O", "Optimization level for LTO (0-3, default 2)"),
    value(
        "lto-CGO",
        "Codegen optimization level for LTO (libLTO: as --lto-O implies)",
    ),
    value(
        "lto-partitions",
        "Number of LTO codegen partitions (libLTO: 1 only)",
    ),
    flag(
        "lto-debug-pass-manager",
        "Debug the LTO pass manager (not available through libLTO)",
    ),
    flag("disable-verify", "Do not verify the IR during LTO"),
    flag("save-temps", "Save intermediate LTO compilation results"),
    value(
        "thinlto-cache-dir",
        "Path to ThinLTO cached object file directory",
    ),
    value(
        "thinlto-cache-policy",
        "Pruning policy for the ThinLTO cache",
    ),
    value("thinlto-jobs", "Number of ThinLTO jobs"),
    value(
        "mllvm",
        "Additional arguments to forward to LLVM's option processing",
    ),
    value("threads", "Worker threads"),
    value(
        "error-limit",
        "Stop after this many errors (default 20, 0 = no limit)",
    ),
    flag("fatal-warnings", "Treat warnings as errors"),
    flag(
        "no-fatal-warnings",
        "Do not treat warnings as errors (default)",
    ),
    Opt {
        id: "color-diagnostics",
        takes: Takes::OptionalValue,
        help: Some("Accepted (=auto|always|never); output has no colour"),
    },
    flag("no-color-diagnostics", "Accepted"),
    flag("verbose", "Verbose mode"),
    flag("v", "Print the version, then link if there are inputs"),
    flag("version", "Print the version and exit"),
    flag("help", "Print this help"),
    value("Map", "Print a link map to the specified file"),
    flag("print-map", "Print a link map to the standard output (-M)"),
    value(
        "reproduce",
        "Write a tar of the inputs and the command line to run the link again",
    ),
    value(
        "size-report",
        "Write which inputs the output's bytes come from to FILE (JSON if it ends in .json; \
         not in wasm-ld)",
    ),
    value(
        "why-live",
        "Print why symbols matching GLOB are kept by --gc-sections (repeatable; not in wasm-ld)",
    ),
    flag(
        "time",
        "Print the wall time of each phase and the peak memory to stderr (not in wasm-ld)",
    ),
    flag(
        "no-fork",
        "Link in this process; by default a child links and this process exits once the \
         output is in place, leaving the cleanup to the child (not in wasm-ld)",
    ),
];

/// The `--help` text: every spelling the parser accepts, as it is written, grouped by option
/// in [`OPTS`] order (clap's own help would show its internal `--id` names).
pub fn help() -> String {
    let mut out = String::from(
        "OVERVIEW: wasm-link, a WebAssembly linker compatible with wasm-ld 19\n\n\
         USAGE: wasm-link [options] file...\n\nOPTIONS:\n",
    );
    for o in OPTS {
        let shown: Vec<String> = SPELLINGS
            .iter()
            .filter(|s| s.id == o.id)
            .map(written)
            .collect();
        let text = o.help.unwrap_or("");
        let names = shown.join(", ");
        if names.len() < 22 {
            out.push_str(&format!("  {names:<24}{text}\n"));
        } else {
            out.push_str(&format!("  {names}\n  {:<24}{text}\n", ""));
        }
    }
    out
}

/// How a spelling is written: `--export=<value>`, `-o <value>`, `--no-entry`.
fn written(s: &Spelling) -> String {
    let dashes = if s.dashes == Dashes::One { "-" } else { "--" };
    let value = match s.form {
        Form::Flag => "",
        Form::Joined => "<value>",
        Form::Separate | Form::JoinedOrSeparate => " <value>",
        Form::EqSep => "=<value>",
    };
    format!("{dashes}{}{value}", s.name)
}

/// Finds the canonical option a spelling names.
pub fn opt(id: &str) -> Option<&'static Opt> {
    OPTS.iter().find(|o| o.id == id)
}

/// The clap command that stores canonical tokens. Every occurrence is appended, so the
/// position of each one is kept for order-dependent options and last-one-wins pairs.
pub fn command() -> Command {
    let base = Command::new("wasm-link")
        .about("A WebAssembly linker, compatible with wasm-ld 19")
        .override_usage("wasm-link [options] file...")
        .no_binary_name(true)
        .disable_help_flag(true)
        .disable_version_flag(true)
        .arg(
            Arg::new(INPUT)
                .action(ArgAction::Append)
                .help("Objects, archives, @response files"),
        );
    OPTS.iter().fold(base, |cmd, o| cmd.arg(clap_arg(o)))
}

fn clap_arg(o: &Opt) -> Arg {
    let arg = Arg::new(o.id).long(o.id).action(ArgAction::Append);
    let arg = match o.takes {
        Takes::Nothing => arg.num_args(0).default_missing_value("1"),
        Takes::Value => arg.num_args(1).allow_hyphen_values(true),
        Takes::OptionalValue => arg
            .num_args(0..=1)
            .require_equals(true)
            .default_missing_value(NO_VALUE),
    };
    match o.help {
        Some(help) => arg.help(help),
        None => arg.hide(true),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_spelling_names_a_canonical_option() {
        for s in SPELLINGS {
            assert!(
                opt(s.id).is_some(),
                "{} names unknown option {}",
                s.name,
                s.id
            );
        }
    }

    #[test]
    fn every_canonical_option_has_a_spelling() {
        for o in OPTS {
            assert!(
                SPELLINGS.iter().any(|s| s.id == o.id),
                "{} has no spelling",
                o.id
            );
        }
    }

    #[test]
    fn clap_command_is_consistent() {
        command().debug_assert();
    }
}
