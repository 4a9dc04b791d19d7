//! Loading: memory-maps every input, splits archives into members, and parses every object
//! in parallel. Archive members are parsed up front too (their symbol tables are needed for
//! lazy resolution anyway), so resolution never waits on I/O or parsing.

use crate::config::Config;
use crate::ids::FileId;
use crate::inputs::{InputObject, Inputs, Item};
use rayon::prelude::*;
use wasm_object::input::{Contents, FileKind, InputFile};
use wasm_object::object::Object;

/// Opens every input file (memory-mapped).
pub fn open(config: &Config) -> Result<Vec<InputFile>, Vec<String>> {
    let mut errors = Vec::new();
    let mut files = Vec::new();
    for input in &config.inputs {
        match InputFile::open(&input.path) {
            Ok(f) => files.push(f),
            Err(e) => errors.push(format!("cannot open {}: {}", input.path.display(), e)),
        }
    }
    if errors.is_empty() {
        Ok(files)
    } else {
        Err(errors)
    }
}

/// One object to parse: its display name, bytes and absolute offset, whether it is lazy, the
/// file it is in, and whether it is that whole file (whose framing error is reported if
/// parsing fails).
struct Job<'a> {
    name: String,
    member_at: Option<usize>,
    bytes: &'a [u8],
    offset: usize,
    lazy: bool,
    file: &'a InputFile,
    whole_file: bool,
}

/// Splits archives and parses every object in parallel, keeping command-line order.
pub fn load<'a>(files: &'a [InputFile], config: &Config) -> Result<Inputs<'a>, Vec<String>> {
    let mut jobs = Vec::new();
    let mut items = Vec::new();
    let mut errors = Vec::new();
    let mut allowed_undefined = Vec::new();
    // A wasm file is framed once, by its parse in parallel below; archives are split here,
    // in parallel too (reading every member header faults in a page per member).
    let framed: Vec<_> = files
        .par_iter()
        .map(|file| match file.kind() {
            FileKind::Wasm => Ok(None),
            _ => file.contents().map(Some),
        })
        .collect();
    for ((file, input), contents) in files.iter().zip(&config.inputs).zip(framed) {
        let path = file.path().display().to_string();
        match contents {
            Ok(None) | Ok(Some(Contents::Object(_))) | Ok(Some(Contents::LinkedModule(_))) => {
                // Between --start-lib and --end-lib an object is loaded like an archive member.
                let id = FileId(jobs.len() as u32);
                items.push(if input.lazy {
                    Item::Archive {
                        members: vec![id],
                        whole: false,
                    }
                } else {
                    Item::Object(id)
                });
                jobs.push(Job {
                    name: path,
                    member_at: None,
                    bytes: file.bytes(),
                    offset: 0,
                    lazy: input.lazy,
                    file,
                    whole_file: true,
                });
            }
            Ok(Some(Contents::Archive(archive))) => {
                let mut members = Vec::new();
                for m in &archive.members {
                    if !wasm_format::is_wasm(m.data.bytes) {
                        continue;
                    }
                    members.push(FileId(jobs.len() as u32));
                    let name = format!("{path}({})", m.name);
                    jobs.push(Job {
                        name,
                        member_at: Some(path.len() + 1),
                        bytes: m.data.bytes,
                        offset: m.data.offset,
                        lazy: !input.whole_archive,
                        file,
                        whole_file: false,
                    });
                }
                items.push(Item::Archive {
                    members,
                    whole: input.whole_archive,
                });
                allowed_undefined.extend(read_imports_file(&input.path));
            }
            Err(e) => errors.push(e.to_string()),
        }
    }
    let parsed: Vec<Result<InputObject<'a>, String>> = jobs
        .into_par_iter()
        .map(|j| {
            match Object::parse(j.bytes, j.offset).inspect(|obj| release_relocs(j.file, obj)) {
                Ok(obj) => Ok(InputObject {
                    // Relocation sections are decoded now or read again much later: let their
                    // pages go meanwhile.
                    name: j.name,
                    member_at: j.member_at,
                    obj,
                    lazy: j.lazy,
                    source: j.file,
                }),
                Err(e) => Err(match j.whole_file.then(|| j.file.contents()) {
                    Some(Err(framing)) => framing.to_string(),
                    _ => format!("{}: {e}", j.name),
                }),
            }
        })
        .collect();
    let mut inputs = Inputs {
        files: Vec::with_capacity(parsed.len()),
        items,
        allowed_undefined,
    };
    for p in parsed {
        match p {
            Ok(o) => match check_arch(&o, config) {
                Ok(()) => inputs.files.push(o),
                Err(e) => {
                    // Fatal in wasm-ld: nothing after this file is looked at.
                    errors.push(e);
                    break;
                }
            },
            Err(e) => errors.push(e),
        }
    }
    if errors.is_empty() {
        Ok(inputs)
    } else {
        Err(errors)
    }
}

/// An object must be built for the architecture `-m` asks for, wasm32 by default (lld's
/// `InputFile::checkArch`, run on every object and archive member as it is read).
fn check_arch(o: &InputObject<'_>, config: &Config) -> Result<(), String> {
    let wasm64 = o.obj.memory64;
    match config.memory64 {
        None if wasm64 => Err(format!(
            "{}: must specify -mwasm64 to process wasm64 object files",
            o.name
        )),
        Some(m) if m != wasm64 => Err(format!(
            "{}: wasm32 object file can't be linked in wasm64 mode",
            o.name
        )),
        _ => Ok(()),
    }
}

/// Relocation sections are decoded while parsing (code, data) or read again only when their
/// section is written (custom sections): their pages can go until then.
fn release_relocs(file: &InputFile, obj: &Object<'_>) {
    for w in &obj.reloc_sections {
        file.release(w.offset, w.len());
    }
}

/// The `<archive>.imports` side file wasi-libc ships: symbols allowed to stay undefined.
fn read_imports_file(archive: &std::path::Path) -> Vec<String> {
    let path = archive.with_extension("imports");
    let Ok(text) = std::fs::read_to_string(path) else {
        return Vec::new();
    };
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(String::from)
        .collect()
}
