//! The linker. [`link`] reads like the table of contents of a link:
//! load → resolve → mark → layout → write, one module per phase.

#![deny(missing_docs)]

pub mod config;
pub mod demangle;
pub mod ids;
pub mod inputs;
pub mod layout;
pub mod load;
pub mod mark;
pub mod merge;
pub mod names;
pub mod output;
pub mod relocate;
pub mod resolve;
pub mod symbols;
pub mod synthetic;
pub mod undefined;
pub mod write;

pub use config::{Config, Entry, Input, UnresolvedPolicy};

/// What a link reports: warnings, and errors (a link with errors writes no output).
#[derive(Debug, Default)]
pub struct Diagnostics {
    /// Warnings, already formatted (`function signature mismatch: ...`).
    pub warnings: Vec<String>,
    /// Errors, already formatted (`undefined symbol: foo ...`).
    pub errors: Vec<String>,
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
    if config.relocatable || config.pic || config.emit_relocs || config.shared_memory {
        return Err(vec![
            "--relocatable, --shared, --pie, --emit-relocs and --shared-memory are not supported yet"
                .into(),
        ]);
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(config.threads.unwrap_or(0))
        .build();
    let pool = pool.map_err(|e| vec![format!("cannot start threads: {e}")])?;
    pool.install(|| {
        let files = load::open(config)?;
        let inputs = load::load(&files, config)?;
        let mut resolved = resolve::resolve(&inputs, config)?;
        diag.warnings.append(&mut resolved.warnings);
        if config.fatal_warnings && !diag.warnings.is_empty() {
            return Err(std::mem::take(&mut diag.warnings));
        }
        let live = mark::mark(&inputs, &mut resolved, config);
        undefined::check(&inputs, &resolved, &live, config, diag)?;
        if config.print_gc_sections {
            diag.warnings
                .extend(undefined::gc_report(&inputs, &resolved, &live));
        }
        let layout = layout::layout(&inputs, &mut resolved, &live, config)?;
        write::write(&inputs, &resolved, &layout, config).map_err(|e| vec![e])
    })
}
