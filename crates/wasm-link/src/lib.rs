//! The linker. [`link`] reads like the table of contents of a link:
//! load → resolve → mark → layout → write, one module per phase.

#![deny(missing_docs)]

mod address;
mod build_id;
pub mod config;
mod features;
mod gc_report;
mod graph;
mod hints;
mod ids;
mod inputs;
mod layout;
mod load;
mod map_file;
mod mark;
mod merge;
mod names;
mod output;
mod output_file;
mod relocate;
mod resolve;
mod size_report;
mod start_stop;
mod string_map;
mod symbols;
mod synthetic;
mod trace;
mod undefined;
mod why_live;
mod write;
mod written;

pub use config::{BuildId, Config, Entry, Input, UnresolvedPolicy, Wrap};
pub use output_file::remove_temporaries_on_signal;

/// What a link reports: warnings, and errors (a link with errors writes no output).
#[derive(Debug, Default)]
pub struct Diagnostics {
    /// Warnings, already formatted (`function signature mismatch: ...`).
    pub warnings: Vec<String>,
    /// Errors, already formatted (`undefined symbol: foo ...`).
    pub errors: Vec<String>,
    /// Lines for stdout, in order: `--trace`, `--trace-symbol`, `--why-extract=-`, then
    /// `--why-live`.
    pub messages: Vec<String>,
    /// How long each phase took, in order (`load`, `resolve`, `mark`, `check`, `layout`,
    /// `write`): the phases a link went through, for benchmarks and `--time`-style reports.
    pub phases: Vec<(&'static str, std::time::Duration)>,
}

impl Diagnostics {
    /// Records that phase `name` ended now (it began when the previous one ended, or at
    /// `start`).
    fn lap(&mut self, name: &'static str, start: std::time::Instant) {
        let done: std::time::Duration = self.phases.iter().map(|p| p.1).sum();
        self.phases
            .push((name, start.elapsed().saturating_sub(done)));
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

fn run(config: &Config, diag: &mut Diagnostics) -> Result<(), Vec<String>> {
    if config.relocatable || config.pic || config.emit_relocs {
        return Err(vec![
            "--relocatable, --shared, --pie and --emit-relocs are not supported yet".into(),
        ]);
    }
    if config.unresolved == UnresolvedPolicy::ImportDynamic {
        // wasm-ld writes a dynamically linked module here (`dylink.0`, GOT imports).
        return Err(vec![
            "--unresolved-symbols=import-dynamic is not supported yet".into(),
        ]);
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(config.threads.unwrap_or(0))
        .build();
    let pool = pool.map_err(|e| vec![format!("cannot start threads: {e}")])?;
    let start = std::time::Instant::now();
    pool.install(|| {
        let files = load::open(config)?;
        check_outputs(config)?;
        let mut inputs = load::load(&files, config)?;
        diag.lap("load", start);
        diag.warnings.append(&mut inputs.warnings);
        let mut tracer = trace::Tracer::new(config);
        let resolved = resolve::resolve_traced(&inputs, config, &mut tracer);
        diag.messages.append(&mut tracer.out);
        let mut resolved = resolved?;
        diag.lap("resolve", start);
        diag.warnings.append(&mut resolved.warnings);
        if config.fatal_warnings && !diag.warnings.is_empty() {
            return Err(std::mem::take(&mut diag.warnings));
        }
        let live = mark::mark(&inputs, &resolved, config);
        diag.lap("mark", start);
        if config.print_gc_sections && config.gc_sections {
            diag.messages
                .extend(gc_report::report(&inputs, &resolved, &live));
        }
        let bounds = start_stop::define(&inputs, &mut resolved, &live, config);
        diag.warnings.extend(bounds.warnings);
        tracer.table_defined(&resolved.table, &live, config);
        diag.messages.append(&mut tracer.out);
        diag.messages
            .extend(why_live::explain(&inputs, &resolved, &live, config));
        let (features, mut errors) = features::check(&inputs, &resolved, &live, config);
        errors.extend(bounds.errors);
        errors.extend(undefined::tls_relocation_errors(
            &inputs, &resolved, &live, config,
        ));
        if let Err(mut undefined) = undefined::check(&inputs, &resolved, &live, config, diag) {
            errors.append(&mut undefined);
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        undefined::create_stubs(&inputs, &mut resolved, &live, config);
        diag.lap("check", start);
        let layout = layout::layout(&inputs, &resolved, &live, features, config)?;
        diag.lap("layout", start);
        let errors = layout.check_global_features(&resolved, config);
        if !errors.is_empty() {
            return Err(errors);
        }
        let (output, written) =
            write::write(&inputs, &resolved, &live, &layout, config).map_err(|e| vec![e])?;
        // The reports come before the commit: if one fails, the old output stays.
        let map = map_file::write(&inputs, &resolved, &layout, config, &written);
        if let Some(map) = map.map_err(|e| vec![e])? {
            diag.messages.push(map.trim_end().to_string());
        }
        if let Some(path) = &config.size_report {
            size_report::write(&inputs, &resolved, &layout, config, &written, path)
                .map_err(|e| vec![e])?;
        }
        output.commit().map_err(|e| {
            let e = trace::io_message(&e);
            vec![format!(
                "failed to write output '{}': {e}",
                config.output.display()
            )]
        })?;
        diag.lap("write", start);
        Ok(())
    })
}

/// Fails early, before any input is parsed, if an output cannot be written (lld's
/// `tryCreateFile` in `linkerMain`).
fn check_outputs(config: &Config) -> Result<(), Vec<String>> {
    let files = [
        ("output file", Some(&config.output)),
        ("map file", config.map_file.as_ref()),
        ("size report", config.size_report.as_ref()),
    ];
    let errors: Vec<String> = files
        .into_iter()
        .filter_map(|(what, path)| {
            let path = path?;
            let e = output_file::check_writable(path).err()?;
            let e = trace::io_message(&e);
            Some(format!("cannot open {what} {}: {e}", path.display()))
        })
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}
