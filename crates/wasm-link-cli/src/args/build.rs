//! From the options seen to a [`Config`]: defaults that depend on other options, value
//! parsing with wasm-ld's wording, and the option checks of lld's `readConfigs`,
//! `setConfigs` and `checkOptions`.

use std::path::PathBuf;

use wasm_link::{Config, Entry, UnresolvedPolicy, Wrap};

use super::matches::Seen;
use super::table::NO_VALUE;
use super::{inputs, Report};

/// Builds the configuration, adding errors and warnings to `report`.
pub fn config(seen: &Seen, report: &mut Report) -> Config {
    let mut c = Config::default();
    output_kind(seen, &mut c);
    symbols(seen, &mut c, report);
    memory(seen, &mut c, report);
    sections(seen, &mut c, report);
    misc(seen, &mut c, report);
    files(seen, &mut c, report);
    check(seen, &c, report);
    ignored(seen, report);
    c
}

fn output_kind(seen: &Seen, c: &mut Config) {
    c.relocatable = seen.has("relocatable");
    c.shared = seen.has("shared");
    c.pic = c.shared || seen.pair("pie", "no-pie", false);
    c.bsymbolic = seen.has("Bsymbolic");
    c.shlib_sigcheck = !seen.has("no-shlib-sigcheck");
    c.soname = seen.last("soname").map(String::from);
    c.time = seen.has("time");
    c.exit_after_link = true;
    c.emit_relocs = seen.has("emit-relocs");
}

fn files(seen: &Seen, c: &mut Config, report: &mut Report) {
    let search: Vec<PathBuf> = seen
        .values("library-path")
        .into_iter()
        .map(PathBuf::from)
        .collect();
    let before = report.errors.len();
    c.inputs = inputs::collect(seen, &search, c.pic, &mut report.errors);
    // lld stops after the inputs' errors, and reports no inputs before a missing `-o`.
    if report.errors.len() > before {
        return;
    }
    if c.inputs.is_empty() {
        report.errors.push("no input files".into());
        return;
    }
    match seen.last("o") {
        Some(out) => c.output = PathBuf::from(out),
        None => return report.errors.push("no output file specified".into()),
    }
    // Read only once the inputs and `-o` are known, as lld does.
    for file in seen.values("allow-undefined-file") {
        c.allow_undefined_symbols
            .extend(read_symbol_file(file, &mut report.errors));
    }
}

fn symbols(seen: &Seen, c: &mut Config, report: &mut Report) {
    c.entry = entry(seen);
    c.exports = strings(seen, "export");
    c.exports_if_defined = strings(seen, "export-if-defined");
    c.export_all = seen.has("export-all");
    c.export_dynamic = seen.pair("export-dynamic", "no-export-dynamic", seen.has("shared"));
    c.undefined = strings(seen, "undefined");
    c.import_undefined = seen.has("import-undefined") || seen.has("allow-undefined");
    c.warn_unresolved = !seen.pair("error-unresolved-symbols", "warn-unresolved-symbols", true);
    c.unresolved = unresolved(seen, &mut report.errors);
    if seen.has("allow-undefined") {
        c.unresolved = UnresolvedPolicy::IgnoreAll;
    }
    c.demangle = seen.pair("demangle", "no-demangle", true);
    c.wrap = seen.values("wrap").into_iter().map(Wrap::new).collect();
    c.trace = seen.has("trace");
    c.trace_symbols = strings(seen, "trace-symbol");
    // An empty `--why-extract=` asks for nothing, as in lld.
    c.why_extract = seen
        .last("why-extract")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from);
}

/// lld's `getEntry`: the later of `--entry`/`--no-entry`, else a default by output kind.
fn entry(seen: &Seen) -> Entry {
    match seen.last_of(&["entry", "no-entry"]) {
        Some("entry") => Entry::Named(seen.last("entry").unwrap_or_default().to_string()),
        Some(_) => Entry::None,
        None if seen.has("relocatable") => Entry::None,
        None if seen.has("shared") => Entry::Named("__wasm_call_ctors".into()),
        None => Entry::Default,
    }
}

fn unresolved(seen: &Seen, errors: &mut Vec<String>) -> UnresolvedPolicy {
    match seen.last("unresolved-symbols") {
        None | Some("report-all") => UnresolvedPolicy::ReportAll,
        Some("ignore-all") => UnresolvedPolicy::IgnoreAll,
        Some("import-dynamic") => UnresolvedPolicy::ImportDynamic,
        Some(other) => {
            errors.push(format!("unknown --unresolved-symbols value: {other}"));
            UnresolvedPolicy::ReportAll
        }
    }
}

/// Reads an `--allow-undefined-file`: one symbol per line, `#` starts a comment.
fn read_symbol_file(path: &str, errors: &mut Vec<String>) -> Vec<String> {
    match std::fs::read_to_string(path) {
        Ok(text) => text
            .lines()
            .map(|line| line.split('#').next().unwrap_or("").trim())
            .filter(|line| !line.is_empty())
            .map(String::from)
            .collect(),
        Err(e) => {
            errors.push(format!("cannot open {path}: {}", io_message(&e)));
            Vec::new()
        }
    }
}

/// An I/O error as LLVM words it (`No such file or directory`, without Rust's `(os error 2)`).
pub fn io_message(e: &std::io::Error) -> String {
    let text = e.to_string();
    match text.find(" (os error") {
        Some(cut) => text[..cut].to_string(),
        None => text,
    }
}

fn memory(seen: &Seen, c: &mut Config, report: &mut Report) {
    let errors = &mut report.errors;
    c.global_base = integer(seen, "global-base", "--global-base=", errors).filter(|&v| v != 0);
    // A PIC output's table starts at `__table_base`; otherwise slot 0 stays null.
    let default_table_base = if c.pic { 0 } else { 1 };
    c.table_base = integer(seen, "table-base", "--table-base=", errors)
        .filter(|&v| v != 0)
        .unwrap_or(default_table_base);
    c.initial_memory =
        integer(seen, "initial-memory", "--initial-memory=", errors).filter(|&v| v != 0);
    c.max_memory = integer(seen, "max-memory", "--max-memory=", errors).filter(|&v| v != 0);
    c.initial_heap = integer(seen, "initial-heap", "--initial-heap=", errors).filter(|&v| v != 0);
    c.no_growable_memory = seen.has("no-growable-memory");
    c.stack_first = seen.has("stack-first");
    c.stack_size = z_options(seen, report).unwrap_or(c.stack_size);
    c.import_memory = import_memory(seen);
    c.export_memory = seen
        .last("export-memory")
        .map(|v| if v == NO_VALUE { "memory" } else { v }.into());
    c.import_table = seen.has("import-table") || c.pic || c.relocatable;
    c.export_table = seen.has("export-table");
    c.growable_table = seen.has("growable-table");
    c.shared_memory = seen.has("shared-memory");
    c.memory64 = target(seen, &mut report.errors);
}

/// `--import-memory[=module,name]`; a shared library imports `env.memory` by default.
fn import_memory(seen: &Seen) -> Option<(String, String)> {
    let default = || ("env".to_string(), "memory".to_string());
    match seen.last("import-memory") {
        Some(NO_VALUE) => Some(default()),
        Some(v) => {
            let (module, name) = v.split_once(',').unwrap_or((v, ""));
            Some((module.into(), name.into()))
        }
        None => seen.has("shared").then(default),
    }
}

/// Applies every `-z` key: `stack-size=N` (the last one wins); others are warnings.
fn z_options(seen: &Seen, report: &mut Report) -> Option<u64> {
    let mut stack = None;
    for key in seen.values("z") {
        match key.strip_prefix("stack-size=") {
            Some(n) => match parse_auto_radix(n) {
                Some(v) => stack = Some(v),
                None => report.errors.push(format!("invalid stack-size: {n}")),
            },
            None => report.warnings.push(format!("unknown -z value: {key}")),
        }
    }
    stack
}

fn target(seen: &Seen, errors: &mut Vec<String>) -> Option<bool> {
    match seen.last("m")? {
        "wasm32" => Some(false),
        "wasm64" => Some(true),
        other => {
            errors.push(format!("invalid target architecture: {other}"));
            None
        }
    }
}

fn sections(seen: &Seen, c: &mut Config, report: &mut Report) {
    let not_r = !c.relocatable;
    c.gc_sections = seen.pair("gc-sections", "no-gc-sections", not_r);
    c.print_gc_sections = seen.pair("print-gc-sections", "no-print-gc-sections", false);
    c.merge_data_segments = seen.pair("merge-data-segments", "no-merge-data-segments", not_r);
    let opt = integer(seen, "O", "-O", &mut report.errors);
    c.opt_level = opt.map_or(c.opt_level, |o| o.min(u64::from(u8::MAX)) as u8);
    c.strip_all = seen.has("strip-all");
    c.strip_debug = seen.has("strip-debug");
    c.keep_sections = strings(seen, "keep-section");
}

fn misc(seen: &Seen, c: &mut Config, report: &mut Report) {
    let errors = &mut report.errors;
    c.threads = threads(seen, errors);
    let limit = integer(seen, "error-limit", "--error-limit=", errors);
    c.error_limit = limit.map_or(c.error_limit, |l| usize::try_from(l).unwrap_or(usize::MAX));
    c.fatal_warnings = seen.pair("fatal-warnings", "no-fatal-warnings", false);
    c.check_features = seen.pair("check-features", "no-check-features", true);
    c.features = seen.last("features").map(comma_list);
    c.extra_features = seen
        .last("extra-features")
        .map(comma_list)
        .unwrap_or_default();
    c.verbose = seen.has("verbose");
    c.size_report = seen.last("size-report").map(std::path::PathBuf::from);
    c.map_file = seen.last("Map").map(std::path::PathBuf::from);
    c.compress_relocations = seen.has("compress-relocations");
    if seen.has("build-id") {
        let style = seen.last("build-id").unwrap_or(super::table::NO_VALUE);
        c.build_id = build_id(style, errors);
    }
    c.print_map = seen.has("print-map");
    // `--print-map` wins over `--Map=FILE` (lld sets the map file to `-`).
    if c.print_map {
        c.map_file = None;
    }
    c.why_live = seen
        .values("why-live")
        .into_iter()
        .map(str::to_owned)
        .collect();
    c.lto = lto(seen, errors);
}

/// `--lto-*`, `--thinlto-*`, `-mllvm`, `--save-temps`, validated as wasm-ld validates them.
fn lto(seen: &Seen, errors: &mut Vec<String>) -> wasm_link::LtoOptions {
    let mut o = wasm_link::LtoOptions::default();
    if let Some(level) = integer(seen, "lto-O", "--lto-O", errors) {
        if level > 3 {
            errors.push(format!("invalid optimization level for LTO: {level}"));
        }
        o.opt_level = level.min(3) as u8;
    }
    if let Some(level) = integer(seen, "lto-CGO", "--lto-CGO", errors) {
        if level > 3 {
            errors.push(format!(
                "invalid codegen optimization level for LTO: {level}"
            ));
        }
        o.cg_opt_level = Some(level.min(3) as u8);
    }
    if let Some(n) = integer(seen, "lto-partitions", "--lto-partitions=", errors) {
        if n == 0 {
            errors.push("--lto-partitions: number of threads must be > 0".into());
        }
        o.partitions = u32::try_from(n).unwrap_or(u32::MAX);
    }
    if let Some(jobs) = seen.last("thinlto-jobs") {
        if jobs != "all" && jobs.parse::<u32>().is_err() {
            errors.push(format!("--thinlto-jobs: invalid job count: {jobs}"));
        }
        o.thinlto_jobs = Some(jobs.to_string());
    }
    if let Some(policy) = seen.last("thinlto-cache-policy") {
        if let Err(e) = wasm_link::CachePolicy::parse(policy) {
            errors.push(format!("--thinlto-cache-policy: invalid cache policy: {e}"));
        }
        o.thinlto_cache_policy = Some(policy.to_string());
    }
    o.library = seen.last("lto-library").map(PathBuf::from);
    o.thinlto_cache_dir = seen.last("thinlto-cache-dir").map(PathBuf::from);
    o.mllvm = seen.values("mllvm").into_iter().map(String::from).collect();
    o.disable_verify = seen.has("disable-verify");
    o.save_temps = seen.has("save-temps");
    o.debug_pass_manager = seen.has("lto-debug-pass-manager");
    o
}

fn threads(seen: &Seen, errors: &mut Vec<String>) -> Option<usize> {
    let v = seen.last("threads")?;
    let n = parse_auto_radix(v)
        .and_then(|n| usize::try_from(n).ok())
        .filter(|&n| n > 0);
    if n.is_none() {
        errors.push(format!(
            "--threads: expected a positive integer, but got '{v}'"
        ));
    }
    n
}

/// Checks combinations, with lld's wording (`checkOptions`, `setConfigs`, `Writer.cpp`).
fn check(seen: &Seen, c: &Config, report: &mut Report) {
    let mut fail = |bad: bool, msg: &str| {
        if bad {
            report.errors.push(msg.into());
        }
    };
    let shared = seen.has("shared");
    let pie = seen.pair("pie", "no-pie", false);
    let strip = c.strip_debug || c.strip_all;
    let compress = seen.has("compress-relocations");
    fail(compress && !strip, "--compress-relocations is incompatible with output debug information. Please pass --strip-debug or --strip-all");
    fail(pie && shared, "-shared and -pie may not be used together");
    fail(
        seen.has("import-table") && c.export_table,
        "--import-table and --export-table may not be used together",
    );
    fail(
        c.pic && c.export_table,
        "-shared/-pie is incompatible with --export-table",
    );
    fail(
        c.pic && c.global_base.is_some(),
        "--global-base may not be used with -shared/-pie",
    );
    fail(
        c.pic && seen.has("table-base"),
        "--table-base may not be used with -shared/-pie",
    );
    fail(
        shared && seen.has("export-memory"),
        "--export-memory is incompatible with --shared",
    );
    fail(
        c.max_memory.is_some() && c.no_growable_memory,
        "--max-memory is incompatible with --no-growable-memory",
    );
    // Sizes and alignments of the memory are checked while laying it out (lld's
    // `layoutMemory`), where wasm-ld reports them together with the sizes they lead to.
    if c.relocatable {
        check_relocatable(seen, c, compress, pie, report);
    }
    pic_warnings(seen, c, shared, pie, report);
}

fn check_relocatable(seen: &Seen, c: &Config, compress: bool, pie: bool, report: &mut Report) {
    let rules = [
        (
            matches!(c.entry, Entry::Named(_)),
            "entry point specified for relocatable output file",
        ),
        (
            c.gc_sections,
            "-r and --gc-sections may not be used together",
        ),
        (
            compress,
            "-r -and --compress-relocations may not be used together",
        ),
        (
            seen.has("undefined"),
            "-r -and --undefined may not be used together",
        ),
        (pie, "-r and -pie may not be used together"),
        (
            c.shared_memory,
            "-r and --shared-memory may not be used together",
        ),
        (
            c.global_base.is_some(),
            "-r and --global-base may not by used together",
        ),
        (
            c.export_table,
            "--relocatable is incompatible with --export-table",
        ),
        (
            c.growable_table,
            "--relocatable is incompatible with --growable-table",
        ),
    ];
    report
        .errors
        .extend(rules.iter().filter(|r| r.0).map(|r| r.1.to_string()));
}

fn pic_warnings(seen: &Seen, c: &Config, shared: bool, pie: bool, report: &mut Report) {
    if seen.has("experimental-pic") {
        return;
    }
    let rules = [
        (
            shared,
            "creating shared libraries, with -shared, is not yet stable",
        ),
        (pie, "creating PIEs, with -pie, is not yet stable"),
        (
            c.unresolved == UnresolvedPolicy::ImportDynamic,
            "dynamic imports are not yet stable (--unresolved-symbols=import-dynamic)",
        ),
    ];
    report
        .warnings
        .extend(rules.iter().filter(|r| r.0).map(|r| r.1.to_string()));
}

/// `--build-id` alone is `fast`; otherwise lld's `getBuildId` styles.
fn build_id(style: &str, errors: &mut Vec<String>) -> wasm_link::BuildId {
    use wasm_link::BuildId;
    match style {
        super::table::NO_VALUE | "fast" => BuildId::Fast,
        "sha1" | "tree" => BuildId::Sha1,
        "uuid" => BuildId::Uuid,
        "none" => BuildId::None,
        _ => match style.strip_prefix("0x") {
            Some(hex) => parse_hex(hex, errors).map_or(BuildId::None, BuildId::Hex),
            None => {
                errors.push(format!("unknown --build-id style: {style}"));
                BuildId::None
            }
        },
    }
}

/// Hex digits two at a time, as lld's `parseHex` reads them (a lone last digit is a byte too).
fn parse_hex(mut s: &str, errors: &mut Vec<String>) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(s.len() / 2 + 1);
    while !s.is_empty() {
        let cut = s.char_indices().nth(2).map_or(s.len(), |(i, _)| i);
        let (pair, rest) = s.split_at(cut);
        match u8::from_str_radix(pair, 16) {
            Ok(b) if !pair.starts_with('+') => out.push(b),
            _ => {
                errors.push(format!("not a hexadecimal value: {pair}"));
                return None;
            }
        }
        s = rest;
    }
    Some(out)
}

/// Options wasm-ld accepts that have no counterpart in [`Config`]: validated where wasm-ld
/// validates them, then reported as ignored.
fn ignored(seen: &Seen, report: &mut Report) {
    const WARN: &[(&str, &str)] = &[];
    if seen.has("Bsymbolic") && !seen.has("shared") {
        let warning = "-Bsymbolic is only meaningful when combined with -shared";
        report.warnings.push(warning.into());
    }
    for (_, shown) in WARN.iter().filter(|(id, _)| seen.has(id)) {
        report
            .warnings
            .push(format!("option {shown} is accepted but ignored"));
    }
    check_choice(
        seen,
        "rsp-quoting",
        &["posix", "windows"],
        "invalid response file quoting: ",
        report,
    );
}

/// The last value of `id` must be one of `allowed`.
fn check_choice(seen: &Seen, id: &str, allowed: &[&str], wording: &str, report: &mut Report) {
    if let Some(v) = seen.last(id).filter(|v| !allowed.contains(v)) {
        report.errors.push(format!("{wording}{v}"));
    }
}

fn strings(seen: &Seen, id: &str) -> Vec<String> {
    seen.values(id).into_iter().map(String::from).collect()
}

/// A `CommaJoined` value: empty items are dropped, as LLVM's option parser does.
fn comma_list(v: &str) -> Vec<String> {
    v.split(',')
        .filter(|s| !s.is_empty())
        .map(String::from)
        .collect()
}

/// lld's `args::getInteger`: the last value of `id`, a signed 64-bit decimal (stored unsigned,
/// so `-1` is `u64::MAX`, as in lld).
fn integer(seen: &Seen, id: &str, shown: &str, errors: &mut Vec<String>) -> Option<u64> {
    let v = seen.last(id)?;
    let signed = v.parse::<i64>().ok().filter(|_| !v.starts_with('+'));
    let parsed = signed.map(|n| n as u64);
    if parsed.is_none() {
        errors.push(format!("{shown}{v}: number expected, but got '{v}'"));
    }
    parsed
}

/// LLVM's `to_integer(s, v, 0)`: decimal, `0x` hex, `0b` binary, `0o` or leading-`0` octal.
pub fn parse_auto_radix(s: &str) -> Option<u64> {
    let (digits, radix) = if let Some(h) = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        (h, 16)
    } else if let Some(b) = s.strip_prefix("0b").or_else(|| s.strip_prefix("0B")) {
        (b, 2)
    } else if let Some(o) = s.strip_prefix("0o") {
        (o, 8)
    } else if s.len() > 1 && s.starts_with('0') {
        (&s[1..], 8)
    } else {
        (s, 10)
    };
    u64::from_str_radix(digits, radix).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auto_radix() {
        assert_eq!(parse_auto_radix("1048576"), Some(1048576));
        assert_eq!(parse_auto_radix("0x10"), Some(16));
        assert_eq!(parse_auto_radix("010"), Some(8));
        assert_eq!(parse_auto_radix("0"), Some(0));
        assert_eq!(parse_auto_radix("abc"), None);
        assert_eq!(parse_auto_radix(""), None);
    }

    #[test]
    fn comma_lists_drop_empty_items() {
        assert_eq!(comma_list("a,,b"), ["a", "b"]);
        assert!(comma_list("").is_empty());
    }
}
