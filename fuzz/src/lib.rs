//! What the fuzz targets share: every section reader of `wasm-format` run over one module,
//! the wasm features a linked module is validated with, and a scratch directory for the
//! targets that need files (the linker and `wasm-inspect` read their inputs from paths).

#![deny(missing_docs)]

pub mod oracle;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use wasm_format::{sections, Module, SectionId, Window};

/// Runs every section reader over `module`, errors ignored: the standard sections, then each
/// custom section the linker reads (`linking`, `reloc.*`, `name`, `producers`,
/// `target_features`, `dylink.0`), and the error-path locators over the `linking` section.
pub fn parse_every_section(module: &Module<'_>) {
    for s in &module.sections {
        match s.custom_name {
            Some(name) => parse_custom(name, s.contents),
            None => parse_standard(s.id, s.contents),
        }
    }
}

/// The reader of a standard section.
fn parse_standard(id: SectionId, w: Window<'_>) {
    let _ = match id {
        SectionId::Type => sections::parse_type_section(w).map(drop),
        SectionId::Import => sections::parse_import_section(w).map(drop),
        SectionId::Function => sections::parse_function_section(w).map(drop),
        SectionId::Table => sections::parse_table_section(w).map(drop),
        SectionId::Memory => sections::parse_memory_section(w).map(drop),
        SectionId::Global => sections::parse_global_section(w).map(drop),
        SectionId::Export => sections::parse_export_section(w).map(drop),
        SectionId::Start => sections::parse_start_section(w).map(drop),
        SectionId::Element => sections::parse_element_section(w).map(drop),
        SectionId::Code => sections::parse_code_section(w).map(drop),
        SectionId::Data => sections::parse_data_section(w).map(drop),
        SectionId::DataCount => sections::parse_data_count_section(w).map(drop),
        SectionId::Tag => sections::parse_tag_section(w).map(drop),
        SectionId::Custom => Ok(()),
    };
    for n in [0, 1, 7] {
        let _ = wasm_format::locate::section_entry(w, id, n);
    }
}

/// The reader of a custom section, by name.
fn parse_custom(name: &str, w: Window<'_>) {
    use wasm_format::locate::{linking_entry, LinkingEntry};
    let _ = match name {
        "linking" => {
            for entry in [
                LinkingEntry::Symbol(3),
                LinkingEntry::InitFunc(1),
                LinkingEntry::ComdatMember {
                    comdat: 0,
                    member: 1,
                },
            ] {
                let _ = linking_entry(w, entry);
            }
            wasm_format::linking::parse_linking(w).map(drop)
        }
        "name" => wasm_format::names::parse_name_section(w).map(drop),
        "producers" => wasm_format::features::parse_producers(w).map(drop),
        "target_features" => wasm_format::features::parse_target_features(w).map(drop),
        "dylink.0" => wasm_format::dylink::parse_dylink0(w).map(drop),
        _ if name.starts_with("reloc.") => parse_relocs(w),
        _ => Ok(()),
    };
}

/// Both readers of a `reloc.*` section: the eager one and the lazy one the linker iterates.
fn parse_relocs(w: Window<'_>) -> wasm_format::Result<()> {
    let eager = wasm_format::reloc::parse_reloc_section(w);
    let lazy = wasm_format::reloc::read_reloc_section(w)?;
    lazy.check(|r| {
        let _ = (r.range(), r.ty.width());
    })?;
    let n = lazy.iter().count();
    assert_eq!(
        eager.map(|s| s.relocs.len()).ok(),
        Some(n),
        "eager and lazy reloc readers disagree"
    );
    Ok(())
}

/// The features a module that wasm-ld 19 writes may use: what LLVM 19 can emit (the MVP
/// extensions, SIMD and relaxed SIMD, threads, tail calls, legacy and new exception handling,
/// memory64, multi-memory, extended-const, reference types). Not GC, typed function
/// references, the component model, stack switching or the proposals LLVM 19 knows nothing of.
pub fn output_features() -> wasmparser::WasmFeatures {
    use wasmparser::WasmFeatures as F;
    F::MUTABLE_GLOBAL
        | F::SATURATING_FLOAT_TO_INT
        | F::SIGN_EXTENSION
        | F::REFERENCE_TYPES
        | F::MULTI_VALUE
        | F::BULK_MEMORY
        | F::SIMD
        | F::RELAXED_SIMD
        | F::THREADS
        | F::TAIL_CALL
        | F::FLOATS
        | F::MULTI_MEMORY
        | F::EXCEPTIONS
        | F::LEGACY_EXCEPTIONS
        | F::MEMORY64
        | F::EXTENDED_CONST
        | F::GC_TYPES
}

/// Whether `bytes` is a module wasmparser accepts with [`output_features`].
pub fn validates(bytes: &[u8]) -> Result<(), wasmparser::BinaryReaderError> {
    wasmparser::Validator::new_with_features(output_features())
        .validate_all(bytes)
        .map(drop)
}

/// A directory of this process's own, created on first use: under `$WASM_LINK_FUZZ_SCRATCH`
/// (which `cargo xtask fuzz` sets, and removes after the run), else under `/dev/shm` when
/// there is one, so the files a target writes per input never reach a disk.
pub fn scratch_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let shm = Path::new("/dev/shm");
        let given = std::env::var_os("WASM_LINK_FUZZ_SCRATCH").map(PathBuf::from);
        let base = if let Some(given) = given {
            given
        } else if shm.is_dir() {
            shm.to_path_buf()
        } else {
            std::env::temp_dir()
        };
        let dir = base.join(format!("wasm-link-fuzz-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("cannot create the scratch directory");
        dir
    })
}

/// Writes `bytes` to `name` in the [`scratch_dir`], returning its path.
pub fn scratch_file(name: &str, bytes: &[u8]) -> PathBuf {
    let path = scratch_dir().join(name);
    std::fs::write(&path, bytes).expect("cannot write to the scratch directory");
    path
}
