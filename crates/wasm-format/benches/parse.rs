//! Parse throughput over real objects: every member of wasi-libc's `libc.a` and of libc++'s
//! `libc++.a`, loaded once; each iteration parses every member completely (module framing, every
//! standard section including each code body's locals, the `linking` section and every
//! `reloc.*` section). Reported as bytes of object per second.
//!
//! `wasm-format` cannot use `wasm-object`'s archive reader (a lower crate never depends on a
//! higher one), so the few lines of `ar` framing needed to find the members are repeated here.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use std::hint::black_box;
use wasm_format::features::{parse_producers, parse_target_features};
use wasm_format::linking::parse_linking;
use wasm_format::reloc::parse_reloc_section;
use wasm_format::sections::*;
use wasm_format::{Module, Result, SectionId};

const ARCHIVES: [(&str, &str); 2] = [
    ("/usr/lib/wasm32-wasi/libc.a", "wasi-libc"),
    (
        "/usr/lib/llvm-19/lib/wasm32-wasi/libc++.a",
        "libc++-19-dev-wasm32",
    ),
];

/// The wasm members of an `ar` archive, as `(absolute offset, bytes)`.
fn wasm_members(bytes: &[u8]) -> Vec<(usize, &[u8])> {
    let mut members = Vec::new();
    let mut pos = 8;
    while let Some(header) = bytes.get(pos..pos + 60) {
        let size = std::str::from_utf8(&header[48..58])
            .ok()
            .and_then(|s| s.trim().parse::<usize>().ok());
        let Some(data) = size.and_then(|n| bytes.get(pos + 60..pos + 60 + n)) else {
            break;
        };
        if data.starts_with(b"\0asm") {
            members.push((pos + 60, data));
        }
        pos += 60 + data.len() + (data.len() & 1);
    }
    members
}

/// An archive's bytes and the `(offset, length)` of each wasm member.
type Loaded = (Vec<u8>, Vec<(usize, usize)>);

fn load() -> Vec<Loaded> {
    ARCHIVES
        .iter()
        .map(|(path, package)| {
            let bytes = std::fs::read(path)
                .unwrap_or_else(|e| panic!("{path}: {e}; install the Debian package `{package}`"));
            let ranges = wasm_members(&bytes)
                .iter()
                .map(|(off, m)| (*off, m.len()))
                .collect();
            (bytes, ranges)
        })
        .collect()
}

/// Parses one module completely; returns a number that depends on everything parsed.
fn parse_fully(bytes: &[u8], offset: usize) -> Result<usize> {
    let module = Module::parse(bytes, offset)?;
    let mut n = 0;
    for s in &module.sections {
        let w = s.contents;
        n += match (s.id, s.custom_name) {
            (SectionId::Type, _) => parse_type_section(w)?.len(),
            (SectionId::Import, _) => parse_import_section(w)?.len(),
            (SectionId::Function, _) => parse_function_section(w)?.len(),
            (SectionId::Table, _) => parse_table_section(w)?.len(),
            (SectionId::Memory, _) => parse_memory_section(w)?.len(),
            (SectionId::Global, _) => parse_global_section(w)?.len(),
            (SectionId::Export, _) => parse_export_section(w)?.len(),
            (SectionId::Start, _) => parse_start_section(w)? as usize,
            (SectionId::Element, _) => parse_element_section(w)?.len(),
            (SectionId::Code, _) => parse_code(w)?,
            (SectionId::Data, _) => parse_data_section(w)?.len(),
            (SectionId::DataCount, _) => parse_data_count_section(w)? as usize,
            (SectionId::Tag, _) => parse_tag_section(w)?.len(),
            (SectionId::Custom, Some("linking")) => parse_linking(w)?.symbols.len(),
            (SectionId::Custom, Some("target_features")) => parse_target_features(w)?.len(),
            (SectionId::Custom, Some("producers")) => usize::from(parse_producers(w).is_ok()),
            (SectionId::Custom, Some(name)) if name.starts_with("reloc.") => {
                parse_reloc_section(w)?.relocs.len()
            }
            (SectionId::Custom, _) => 0,
        };
    }
    Ok(n)
}

fn parse_code(w: wasm_format::Window<'_>) -> Result<usize> {
    let bodies = parse_code_section(w)?;
    let mut n = bodies.len();
    for body in &bodies {
        n += body.locals()?.len();
    }
    Ok(n)
}

fn bench_parse(c: &mut Criterion) {
    let archives = load();
    let total: usize = archives
        .iter()
        .flat_map(|(_, ms)| ms.iter().map(|m| m.1))
        .sum();
    for (bytes, members) in &archives {
        for &(off, len) in members {
            if let Err(e) = parse_fully(&bytes[off..off + len], off) {
                panic!("member at {off:#x} does not parse: {e}");
            }
        }
    }
    let mut group = c.benchmark_group("parse");
    group.throughput(Throughput::Bytes(total as u64));
    group.bench_function("libc+libc++ members", |b| {
        b.iter(|| {
            let mut n = 0;
            for (bytes, members) in &archives {
                for &(off, len) in members {
                    n += parse_fully(black_box(&bytes[off..off + len]), off).unwrap_or(0);
                }
            }
            black_box(n)
        })
    });
    group.finish();
}

criterion_group!(benches, bench_parse);
criterion_main!(benches);
