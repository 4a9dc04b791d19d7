//! The linker. [`link`] reads like the table of contents of a link:
//! load → resolve → mark → layout → write, one module per phase.
//!
//! [`Linker`] is a link session for compilers, REPLs and dev servers: inputs are files or
//! in-memory objects, and each link after an edit reuses what the last one did, giving the
//! same bytes as a cold link (`docs/incremental-linking.md`).
//!
//! ```
//! use wasm_link::{Config, Entry, LinkKind, Linker};
//! use wasm_object::builder::{Linkage, ObjectBuilder};
//! use wasm_object::model::{FuncType, ValType};
//!
//! // int answer(void) { return 42; }, exported.
//! let mut b = ObjectBuilder::new();
//! let ty = FuncType { params: vec![], results: vec![ValType::I32] };
//! let answer = b.declare_function("answer", ty, Linkage::global())?;
//! b.set_body(answer, vec![0x00, 0x41, 42, 0x0b], vec![])?;
//! b.export(answer, "answer")?;
//! let config = Config { entry: Entry::None, ..Config::default() };
//! let mut linker = Linker::new(config);
//! linker.write_output(false);
//! let id = linker.add_object("answer.o", b.model()?);
//! assert!(linker.link().succeeded());
//!
//! // Edit the body and relink: only the body is relocated into the kept output.
//! b.set_body(answer, vec![0x00, 0x41, 43, 0x0b], vec![])?;
//! linker.replace(id, b.model()?)?;
//! let outcome = linker.link();
//! assert_eq!(outcome.stats.kind, LinkKind::Patched);
//! let module = linker.module().expect("linked").to_vec();
//!
//! // The same bytes as a fresh session's cold link.
//! let mut cold = Linker::new(Config { entry: Entry::None, ..Config::default() });
//! cold.write_output(false);
//! cold.add_object("answer.o", b.model()?);
//! assert!(cold.link().succeeded());
//! assert_eq!(cold.module(), Some(&module[..]));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![deny(missing_docs)]

mod address;
mod build_id;
pub mod config;
pub mod diagnostic;
mod dylink;
mod features;
mod gc_report;
mod graph;
mod hints;
mod ids;
mod inputs;
mod layout;
mod load;
mod lto;
mod map_file;
mod mark;
mod merge;
mod name_map;
mod names;
mod output;
mod output_file;
mod relocatable;
mod relocate;
mod resolve;
pub mod session;
mod size_report;
mod start_stop;
mod string_map;
mod symbols;
mod synthetic;
mod trace;
mod undefined;
mod unresolved;
mod why_live;
mod write;
mod written;

pub use config::{BuildId, Config, Entry, Input, LtoOptions, UnresolvedPolicy, Wrap};
pub use diagnostic::{Code, Diagnostic, Errors, Severity};
pub use lto::CachePolicy;
pub use output_file::remove_temporaries_on_signal;
pub use session::{InputId, LinkKind, LinkStats, Linker, Outcome, SessionError};
use std::time::{Duration, Instant};

/// What a link reports. A link with errors writes no output (and leaves an old one as it was).
#[derive(Debug, Default)]
pub struct Diagnostics {
    /// Warnings, in the order they were found.
    pub warnings: Vec<Diagnostic>,
    /// Errors; empty when the link succeeded.
    pub errors: Vec<Diagnostic>,
    /// Lines for stdout, in order: `--trace`, `--trace-symbol`, `--why-extract=-`,
    /// `--print-gc-sections`, `--why-live`, then `-M`'s map.
    pub messages: Vec<String>,
    /// `--verbose` lines for stderr, after the program name (lld's `log()`): `Loading: F` per
    /// input file, then `Processing: F` per object and archive member, in command-line order.
    pub log: Vec<String>,
    /// How long each phase took, in order (`load`, `resolve`, `mark`, `check`, `layout`,
    /// `write`, `reports`, `commit`): the phases a link went through, for `--time`.
    pub phases: Vec<(&'static str, Duration)>,
    /// The parts of the `write` phase, in order, for `--time`.
    pub write_parts: Vec<(&'static str, Duration)>,
    /// With [`Config::exit_after_link`], the regular file the output replaced, still open: its
    /// blocks are freed when it is dropped (for a big file the filesystem takes milliseconds),
    /// which a program can leave to a process nobody waits for.
    pub replaced_output: Option<std::fs::File>,
}

impl Diagnostics {
    /// Records that phase `name` ended now (it began when the previous one ended, or at
    /// `start`).
    fn lap(&mut self, name: &'static str, start: Instant) {
        let done: Duration = self.phases.iter().map(|p| p.1).sum();
        self.phases
            .push((name, start.elapsed().saturating_sub(done)));
    }

    /// Adds warnings; with `--fatal-warnings` they stop the link as errors.
    fn warn(&mut self, warnings: Vec<Diagnostic>, config: &Config) -> Result<(), Errors> {
        if config.fatal_warnings && !warnings.is_empty() {
            return Err(warnings.into_iter().map(Diagnostic::as_error).collect());
        }
        self.warnings.extend(warnings);
        Ok(())
    }
}

/// Links according to `config`, writing `config.output` unless there are errors.
pub fn link(config: &Config) -> Diagnostics {
    let mut diag = Diagnostics::default();
    if let Err(errors) = run(config, &mut diag) {
        diag.errors.extend(errors);
    }
    diag
}

/// The phases of a link, one line each; every phase borrows what the earlier ones returned.
fn run(config: &Config, diag: &mut Diagnostics) -> Result<(), Errors> {
    let start = Instant::now();
    thread_pool(config)?.install(|| {
        // Declared first: the inputs borrow the objects LTO compiles, too.
        let lto_objects = std::cell::OnceCell::new();
        let files = load::open(config)?;
        check_outputs(config)?;
        if config.verbose {
            let loading = config.inputs.iter().map(|i| i.path.display());
            diag.log.extend(loading.map(|p| format!("Loading: {p}")));
        }
        let refs: Vec<_> = files.iter().collect();
        let framed = load::frame(&refs);
        let scanned = lto::scan(&files, &framed, config);
        let reuse = &mut load::Parsed::default();
        let mut inputs = load::load(&refs, framed, config, reuse, &scanned)?;
        diag.lap("load", start);
        if inputs.files.iter().any(|f| f.lto.is_some()) {
            link_time_optimize(&mut inputs, &lto_objects, &scanned, config, diag)?;
            diag.lap("lto", start);
        }
        let linked = link_loaded(inputs, config, diag, start, false)?;
        if config.output.as_os_str() == "-" {
            flush_messages(diag);
        }
        let Linked {
            output,
            inputs,
            resolved,
            live,
            layout,
            written,
        } = linked;
        let committed = match config.exit_after_link {
            true => output.commit_keeping_replaced(),
            false => output.commit().map(|()| None),
        };
        diag.replaced_output = committed.map_err(|e| output_error(config, &e))?;
        diag.lap("commit", start);
        if config.exit_after_link {
            // The input maps too: unmapping them while the pool's threads live costs a TLB
            // shootdown each; the exit unmaps everything at once.
            std::mem::forget((inputs, resolved, live, layout, written, refs));
            std::mem::forget((files, lto_objects));
        }
        Ok(())
    })
}

/// LTO (`lto`): a first resolution decides which bitcode modules are loaded and what they
/// must keep; libLTO compiles them into objects (one for full LTO, one per ThinLTO module),
/// which join the inputs for the link proper (resolution adds them where lld does).
fn link_time_optimize<'a>(
    inputs: &mut inputs::Inputs<'a>,
    slot: &'a std::cell::OnceCell<Vec<wasm_object::input::InputFile>>,
    scanned: &lto::Scanned,
    config: &Config,
    diag: &mut Diagnostics,
) -> Result<(), Errors> {
    let plan = resolve::plan_lto(inputs, config)?;
    if plan.modules.is_empty() {
        return Ok(());
    }
    let compiled = lto::compile(inputs, &plan, scanned, config)?;
    diag.warn(compiled.warnings, config)?;
    let files = slot.get_or_init(|| {
        let objects = compiled.objects.into_iter();
        objects
            .map(|o| wasm_object::input::InputFile::from_bytes(lto::OBJECT_NAME, o))
            .collect()
    });
    for file in files {
        let obj = load::parse_object(file.bytes(), 0).map_err(|e| {
            let message = format!("{}: {e}", lto::OBJECT_NAME);
            vec![Diagnostic::error(Code::Input, message).in_file(lto::OBJECT_NAME)]
        })?;
        inputs
            .lto
            .objects
            .push(ids::FileId(inputs.files.len() as u32));
        inputs.files.push(inputs::InputObject {
            key: load::parsed_key(file.bytes()),
            name: lto::OBJECT_NAME.to_string(),
            member_at: None,
            obj,
            lazy: false,
            source: file,
            bitcode: None,
            lto: None,
        });
    }
    Ok(())
}

/// Everything a link made, which a [`Linker`] session keeps for the next link.
pub(crate) struct Linked<'a> {
    inputs: inputs::Inputs<'a>,
    resolved: resolve::Resolved<'a>,
    live: mark::Liveness,
    layout: layout::Layout<'a>,
    written: written::Written,
    output: output_file::OutputFile,
}

/// The phases after loading: resolve, then [`link_resolved`]. The output is not committed yet
/// (or, with `in_memory`, is kept in memory).
fn link_loaded<'a>(
    mut inputs: inputs::Inputs<'a>,
    config: &'a Config,
    diag: &mut Diagnostics,
    start: Instant,
    in_memory: bool,
) -> Result<Linked<'a>, Errors> {
    if config.verbose {
        diag.log.extend(processing(&inputs));
    }
    // Resolution reads no relocations: those of the objects always loaded are decoded beside
    // it. A bad relocation is an error of loading, reported before any of resolution.
    let table = resolve::symbol_table(&inputs);
    let (resolved, decoded) = rayon::join(
        || resolve(&inputs, config, diag, table),
        || load::decode_objects_relocs(&inputs),
    );
    let resolved = resolved
        .and_then(|r| decoded.map(|d| (r, d)))
        .map_err(|errors| load::check_unloaded_relocs(&inputs).err().unwrap_or(errors));
    let (resolved, decoded) = resolved?;
    load::store_relocs(&mut inputs, decoded);
    load::decode_loaded_relocs(&mut inputs, &resolved.loaded)?;
    diag.lap("resolve", start);
    // LLVM refuses a bad relocation even in an archive member never loaded: checked beside
    // the rest of the link, on another thread, and before anything is committed.
    let (linked, unloaded) = rayon::join(
        || link_resolved(&inputs, resolved, config, diag, start, in_memory),
        || load::check_unloaded_relocs(&inputs),
    );
    unloaded?;
    let (resolved, live, layout, written, output) = linked?;
    Ok(Linked {
        inputs,
        resolved,
        live,
        layout,
        written,
        output,
    })
}

/// What [`link_resolved`] makes.
type Made<'a> = (
    resolve::Resolved<'a>,
    mark::Liveness,
    layout::Layout<'a>,
    written::Written,
    output_file::OutputFile,
);

/// The phases after resolution: mark → check → layout → write → reports.
fn link_resolved<'a>(
    inputs: &inputs::Inputs<'a>,
    resolved: resolve::Resolved<'a>,
    config: &'a Config,
    diag: &mut Diagnostics,
    start: Instant,
    in_memory: bool,
) -> Result<Made<'a>, Errors> {
    let live = mark::mark(inputs, &resolved, config);
    diag.lap("mark", start);
    if config.print_gc_sections && config.gc_sections {
        let report = gc_report::report(inputs, &resolved, &live);
        diag.messages.extend(report);
    }
    let (resolved, bounds) = start_stop::define(resolved, inputs, &live, config);
    let features = check(inputs, &resolved, &live, bounds, config, diag)?;
    diag.lap("check", start);
    let stubs = undefined::stubs(inputs, &resolved, &live, config);
    let layout = layout::layout(inputs, &resolved, &live, &stubs, features, config)?;
    diag.lap("layout", start);
    let (output, written) = write::write(inputs, &resolved, &live, &layout, config, in_memory)?;
    diag.lap("write", start);
    diag.write_parts = written.parts.clone();
    // The reports come before the commit: if one fails, the old output stays.
    report(inputs, &resolved, &layout, &written, config, diag)?;
    diag.lap("reports", start);
    Ok((resolved, live, layout, written, output))
}

/// `--verbose`'s `Processing:` lines: every object and archive member as the symbol table
/// takes it in (members too, lazily), in command-line order.
fn processing(inputs: &inputs::Inputs<'_>) -> Vec<String> {
    let ids = inputs.items.iter().flat_map(|item| match item {
        inputs::Item::Object(f) => std::slice::from_ref(f),
        inputs::Item::Archive { members, .. } => members.as_slice(),
    });
    ids.map(|&f| format!("Processing: {}", inputs.name(f)))
        .collect()
}

/// The threads phases run on (`--threads`, or one per core).
pub(crate) fn thread_pool(config: &Config) -> Result<rayon::ThreadPool, Errors> {
    let pool = rayon::ThreadPoolBuilder::new().num_threads(config.threads.unwrap_or(0));
    pool.build().map_err(|e| {
        vec![Diagnostic::error(
            Code::Other,
            format!("cannot start threads: {e}"),
        )]
    })
}

/// Resolution, with what `--trace`, `--trace-symbol` and `--why-extract` print and the
/// warnings of loading and resolving.
fn resolve<'a>(
    inputs: &inputs::Inputs<'a>,
    config: &'a Config,
    diag: &mut Diagnostics,
    table: symbols::SymbolTable<'a>,
) -> Result<resolve::Resolved<'a>, Errors> {
    diag.warn(inputs.warnings.clone(), config)?;
    let mut tracer = trace::Tracer::new(config);
    let resolved = resolve::resolve_traced(inputs, config, &mut tracer, table);
    diag.messages.append(&mut tracer.out);
    let mut resolved = resolved?;
    diag.warn(std::mem::take(&mut resolved.warnings), config)?;
    Ok(resolved)
}

/// After GC: `--print-gc-sections`, the symbols only GC can define (`__start_`/`__stop_`,
/// `undefined_stub`), `--why-live`, then every check that needs liveness (features, TLS
/// relocations, undefined symbols), all reported together. Gives the output's features.
fn check<'a>(
    inputs: &inputs::Inputs<'a>,
    resolved: &resolve::Resolved<'a>,
    live: &mark::Liveness,
    bounds: start_stop::Reports,
    config: &Config,
    diag: &mut Diagnostics,
) -> Result<features::Features, Errors> {
    let (bound_warnings, mut errors): (Vec<_>, Vec<_>) = bounds
        .into_iter()
        .partition(|d| d.severity == diagnostic::Severity::Warning);
    diag.warnings.extend(bound_warnings);
    let mut tracer = trace::Tracer::new(config);
    tracer.table_defined(&resolved.table, live, config);
    diag.messages.append(&mut tracer.out);
    diag.messages
        .extend(why_live::explain(inputs, resolved, live, config));
    let (features, feature_errors) = features::check(inputs, resolved, live, config);
    errors.extend(feature_errors);
    match unresolved::check(inputs, resolved, live, config) {
        Ok(warnings) => diag.warnings.extend(warnings),
        Err(undefined) => errors.extend(undefined),
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(features)
}

/// The checks that need the layout, then `--Map` / `-M` and `--size-report`.
fn report(
    inputs: &inputs::Inputs<'_>,
    resolved: &resolve::Resolved<'_>,
    layout: &layout::Layout<'_>,
    written: &written::Written,
    config: &Config,
    diag: &mut Diagnostics,
) -> Result<(), Errors> {
    let errors = layout.check_global_features(resolved, config);
    if !errors.is_empty() {
        return Err(errors);
    }
    if let Some(map) = map_file::write(inputs, resolved, layout, config, written)? {
        diag.messages.push(map.trim_end().to_string());
    }
    if let Some(path) = &config.size_report {
        size_report::write(inputs, resolved, layout, config, written, path)?;
    }
    Ok(())
}

/// With `-o -` the module goes to stdout: what wasm-ld prints there while linking (the map,
/// `--trace` lines) must come first.
fn flush_messages(diag: &mut Diagnostics) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    for line in diag.messages.drain(..) {
        let _ = writeln!(out, "{line}");
    }
    let _ = out.flush();
}

/// wasm-ld's words for an output it could not write.
pub(crate) fn output_error(config: &Config, e: &std::io::Error) -> Errors {
    let e = trace::io_message(e);
    let message = format!("failed to write output '{}': {e}", config.output.display());
    vec![Diagnostic::error(Code::Output, message).in_file(config.output.display().to_string())]
}

/// Fails early, before any input is parsed, if an output cannot be written (lld's
/// `tryCreateFile` in `linkerMain`).
fn check_outputs(config: &Config) -> Result<(), Errors> {
    let files = [
        ("output file", Some(&config.output)),
        ("map file", config.map_file.as_ref()),
        ("size report", config.size_report.as_ref()),
    ];
    let errors: Errors = files
        .into_iter()
        .filter_map(|(what, path)| {
            let path = path?;
            let e = output_file::check_writable(path).err()?;
            let e = trace::io_message(&e);
            let message = format!("cannot open {what} {}: {e}", path.display());
            Some(Diagnostic::error(Code::Output, message).in_file(path.display().to_string()))
        })
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}
