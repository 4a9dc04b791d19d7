//! The linker. [`link`] reads like the table of contents of a link:
//! load → resolve → mark → layout → write, one module per phase.

#![deny(missing_docs)]

pub mod address;
pub mod build_id;
pub mod config;
pub mod demangle;
pub mod features;
mod graph;
pub mod hints;
pub mod ids;
pub mod inputs;
pub mod layout;
pub mod load;
pub mod map_file;
pub mod mark;
pub mod merge;
pub mod names;
pub mod output;
pub mod output_file;
pub mod relocate;
pub mod resolve;
pub mod size_report;
pub mod start_stop;
pub mod string_map;
pub mod symbols;
pub mod synthetic;
pub mod tags;
pub mod trace;
pub mod undefined;
pub mod why_live;
pub mod write;
pub mod written;

pub use config::{BuildId, Config, Entry, Input, UnresolvedPolicy, Wrap};

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
    pool.install(|| {
        let files = load::open(config)?;
        check_outputs(config)?;
        let mut inputs = load::load(&files, config)?;
        diag.warnings.append(&mut inputs.warnings);
        let mut tracer = trace::Tracer::new(config);
        let resolved = resolve::resolve_traced(&inputs, config, &mut tracer);
        diag.messages.append(&mut tracer.out);
        let mut resolved = resolved?;
        diag.warnings.append(&mut resolved.warnings);
        if config.fatal_warnings && !diag.warnings.is_empty() {
            return Err(std::mem::take(&mut diag.warnings));
        }
        let live = mark::mark(&inputs, &mut resolved, config);
        let bounds = start_stop::define(&inputs, &mut resolved, &live, config);
        diag.warnings.extend(bounds.warnings);
        tracer.table_defined(&resolved.table, config);
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
        if config.print_gc_sections {
            diag.warnings
                .extend(undefined::gc_report(&inputs, &resolved, &live));
        }
        let layout = layout::layout(&inputs, &mut resolved, &live, features, config)?;
        let errors = layout.check_global_features(&resolved, config);
        if !errors.is_empty() {
            return Err(errors);
        }
        let (output, written) =
            write::write(&inputs, &resolved, &layout, config).map_err(|e| vec![e])?;
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
        })
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
