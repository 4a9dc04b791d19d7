//! Real objects from clang-19 and llvm-mc-19, every standard section parsed by us and by
//! `wasmparser`, compared value by value and offset by offset.

use super::*;
use crate::module::{Module, SectionId};
use crate::types::{ConstExpr, HeapType, Limits, RefType, ValType};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use wasmparser as wp;

const C_SOURCE: &str = r#"
#include <stdio.h>
extern int imported_fn(int);
extern int imported_var;
static int counter = 5;
const char message[] = "hello";
int zeroed[16];
__attribute__((export_name("exported")))
int exported(int x) { return imported_fn(x) + counter++ + imported_var; }
int (*fp)(int) = exported;
int main(void) {
    double d[4] = {1.5, 2.5};
    printf("%s %d %f\n", message, fp(zeroed[3]), d[1]);
    return 0;
}
"#;

const ASM_SOURCE: &str = "
.globaltype my_global, i32
my_global:
.globaltype my_const, i64, immutable
my_const:
.tagtype my_tag i32
my_tag:
.tabletype my_table, externref
my_table:
.globl get
get:
  .functype get () -> (i32)
  .local i64, i64, f32
  global.get my_global
  end_function
";

/// A scratch directory removed when the test ends.
struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!("wasm-format-{tag}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("create a temp dir");
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn run(tool: &str, install: &str, args: &[&str], dir: &Path) {
    let out = Command::new(tool)
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {tool} ({e}): install {install}"));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{tool} {args:?} failed: {stderr}");
}

fn compile(
    tag: &str,
    file: &str,
    source: &str,
    tool: &str,
    install: &str,
    args: &[&str],
) -> Vec<u8> {
    let dir = TempDir::new(tag);
    std::fs::write(dir.0.join(file), source).expect("write the source");
    run(tool, install, args, &dir.0);
    std::fs::read(dir.0.join("out.o")).expect("read the object")
}

#[test]
fn clang_object_matches_wasmparser() {
    let args = [
        "--target=wasm32-wasi",
        "--sysroot=/usr",
        "-O1",
        "-c",
        "a.c",
        "-o",
        "out.o",
    ];
    let bytes = compile("clang", "a.c", C_SOURCE, "clang-19", "clang-19", &args);
    let seen = compare(&bytes);
    use SectionId::*;
    for id in [Type, Import, Function, Export, Element, Code, Data] {
        assert!(
            seen.contains(&id),
            "the clang object has no {id:?} section to compare"
        );
    }
}

#[test]
fn assembled_object_matches_wasmparser() {
    let args = [
        "-filetype=obj",
        "-triple=wasm32-unknown-unknown",
        "-mattr=+exception-handling,+reference-types",
        "g.s",
        "-o",
        "out.o",
    ];
    let bytes = compile(
        "mc",
        "g.s",
        ASM_SOURCE,
        "llvm-mc-19",
        "llvm-19 (llvm-mc-19)",
        &args,
    );
    let seen = compare(&bytes);
    use SectionId::*;
    for id in [Type, Import, Function, Table, Tag, Global, Code] {
        assert!(
            seen.contains(&id),
            "the assembled object has no {id:?} section to compare"
        );
    }
}

/// Compares every standard section, returning which ones were compared.
fn compare(bytes: &[u8]) -> BTreeSet<SectionId> {
    let ours = Module::parse(bytes, 0).expect("our module parse");
    let window = |id| {
        ours.section(id)
            .expect("we found the section wasmparser found")
            .contents
    };
    let mut seen = BTreeSet::new();
    let mut bodies = None;
    for payload in wp::Parser::new(0).parse_all(bytes) {
        let payload = payload.expect("wasmparser parses the object");
        if let Some(id) = compare_payload(&payload, window, &mut bodies) {
            seen.insert(id);
        }
    }
    assert!(
        bodies.is_none_or(|b: Vec<FunctionBody<'_>>| b.is_empty()),
        "bodies left over"
    );
    seen
}

fn compare_payload<'a>(
    payload: &wp::Payload<'a>,
    window: impl Fn(SectionId) -> Window<'a>,
    bodies: &mut Option<Vec<FunctionBody<'a>>>,
) -> Option<SectionId> {
    use wp::Payload as P;
    let id = match payload {
        P::TypeSection(r) => compare_types(r.clone(), window(SectionId::Type)),
        P::ImportSection(r) => compare_imports(r.clone(), window(SectionId::Import)),
        P::FunctionSection(r) => compare_functions(r.clone(), window(SectionId::Function)),
        P::TableSection(r) => compare_tables(r.clone(), window(SectionId::Table)),
        P::MemorySection(r) => compare_memories(r.clone(), window(SectionId::Memory)),
        P::GlobalSection(r) => compare_globals(r.clone(), window(SectionId::Global)),
        P::ExportSection(r) => compare_exports(r.clone(), window(SectionId::Export)),
        P::ElementSection(r) => compare_elements(r.clone(), window(SectionId::Element)),
        P::TagSection(r) => compare_tags(r.clone(), window(SectionId::Tag)),
        P::DataSection(r) => compare_data(r.clone(), window(SectionId::Data)),
        P::DataCountSection { count, .. } => {
            compare_data_count(*count, window(SectionId::DataCount))
        }
        P::StartSection { func, .. } => compare_start(*func, window(SectionId::Start)),
        P::CodeSectionStart { .. } => start_code(window(SectionId::Code), bodies),
        P::CodeSectionEntry(body) => compare_body(body, bodies),
        _ => return None,
    };
    Some(id)
}

fn wp_val(t: wp::ValType) -> ValType {
    match t {
        wp::ValType::I32 => ValType::I32,
        wp::ValType::I64 => ValType::I64,
        wp::ValType::F32 => ValType::F32,
        wp::ValType::F64 => ValType::F64,
        wp::ValType::V128 => ValType::V128,
        wp::ValType::Ref(r) => ValType::Ref(wp_ref(r)),
    }
}

fn wp_ref(r: wp::RefType) -> RefType {
    use wp::AbstractHeapType as A;
    let heap = match r.heap_type() {
        wp::HeapType::Abstract {
            shared: false,
            ty: A::Func,
        } => HeapType::Func,
        wp::HeapType::Abstract {
            shared: false,
            ty: A::Extern,
        } => HeapType::Extern,
        wp::HeapType::Abstract {
            shared: false,
            ty: A::Exn,
        } => HeapType::Exn,
        other => panic!("heap type {other:?} is not expected in these objects"),
    };
    RefType {
        nullable: r.is_nullable(),
        heap,
    }
}

fn wp_table(t: wp::TableType) -> TableType {
    let limits = Limits {
        min: t.initial,
        max: t.maximum,
        shared: t.shared,
        memory64: t.table64,
    };
    TableType {
        elem: wp_ref(t.element_type),
        limits,
    }
}

fn wp_memory(m: wp::MemoryType) -> MemoryType {
    assert_eq!(m.page_size_log2, None);
    MemoryType(Limits {
        min: m.initial,
        max: m.maximum,
        shared: m.shared,
        memory64: m.memory64,
    })
}

fn wp_global(g: wp::GlobalType) -> GlobalType {
    GlobalType {
        val: wp_val(g.content_type),
        mutable: g.mutable,
    }
}

fn wp_tag(t: wp::TagType) -> TagType {
    TagType {
        attribute: 0,
        type_index: t.func_type_idx,
    }
}

/// The absolute range of a wasmparser constant expression.
fn wp_expr_range(e: &wp::ConstExpr<'_>) -> std::ops::Range<usize> {
    let r = e.get_binary_reader().range();
    r.start as usize..r.end as usize
}

fn expr_range(e: &ConstExpr<'_>) -> std::ops::Range<usize> {
    e.window.offset..e.window.end()
}

fn compare_types(r: wp::TypeSectionReader<'_>, w: Window<'_>) -> SectionId {
    let theirs: Vec<FuncType> = r
        .into_iter_err_on_gc_types()
        .map(|f| {
            let f = f.expect("wasmparser type");
            let params = f.params().iter().map(|t| wp_val(*t)).collect();
            FuncType {
                params,
                results: f.results().iter().map(|t| wp_val(*t)).collect(),
            }
        })
        .collect();
    assert_eq!(parse_type_section(w).unwrap(), theirs);
    SectionId::Type
}

fn compare_imports(r: wp::ImportSectionReader<'_>, w: Window<'_>) -> SectionId {
    let ours = parse_import_section(w).unwrap();
    let theirs: Vec<_> = r
        .into_imports()
        .map(|i| i.expect("wasmparser import"))
        .collect();
    assert_eq!(ours.len(), theirs.len());
    for (o, t) in ours.iter().zip(&theirs) {
        assert_eq!((o.module, o.field), (t.module, t.name));
        let kind = match t.ty {
            wp::TypeRef::Func(i) => ImportKind::Func(i),
            wp::TypeRef::Table(t) => ImportKind::Table(wp_table(t)),
            wp::TypeRef::Memory(m) => ImportKind::Memory(wp_memory(m)),
            wp::TypeRef::Global(g) => ImportKind::Global(wp_global(g)),
            wp::TypeRef::Tag(t) => ImportKind::Tag(wp_tag(t)),
            other => panic!("unexpected import {other:?}"),
        };
        assert_eq!(o.kind, kind, "import {}.{}", o.module, o.field);
    }
    SectionId::Import
}

fn compare_functions(r: wp::FunctionSectionReader<'_>, w: Window<'_>) -> SectionId {
    let theirs: Vec<u32> = r
        .into_iter()
        .map(|t| t.expect("wasmparser function"))
        .collect();
    assert_eq!(parse_function_section(w).unwrap(), theirs);
    SectionId::Function
}

fn compare_tables(r: wp::TableSectionReader<'_>, w: Window<'_>) -> SectionId {
    let theirs: Vec<_> = r
        .into_iter()
        .map(|t| wp_table(t.expect("wasmparser table").ty))
        .collect();
    let ours: Vec<_> = parse_table_section(w)
        .unwrap()
        .iter()
        .map(|t| t.ty)
        .collect();
    assert_eq!(ours, theirs);
    SectionId::Table
}

fn compare_memories(r: wp::MemorySectionReader<'_>, w: Window<'_>) -> SectionId {
    let theirs: Vec<_> = r
        .into_iter()
        .map(|m| wp_memory(m.expect("wasmparser memory")))
        .collect();
    assert_eq!(parse_memory_section(w).unwrap(), theirs);
    SectionId::Memory
}

fn compare_globals(r: wp::GlobalSectionReader<'_>, w: Window<'_>) -> SectionId {
    let ours = parse_global_section(w).unwrap();
    let theirs: Vec<_> = r
        .into_iter()
        .map(|g| g.expect("wasmparser global"))
        .collect();
    assert_eq!(ours.len(), theirs.len());
    for (o, t) in ours.iter().zip(&theirs) {
        assert_eq!(o.ty, wp_global(t.ty));
        assert_eq!(expr_range(&o.init), wp_expr_range(&t.init_expr));
        o.init.value().expect("our const expr decodes");
    }
    SectionId::Global
}

fn compare_exports(r: wp::ExportSectionReader<'_>, w: Window<'_>) -> SectionId {
    let kind = |k| match k {
        wp::ExternalKind::Func => ExternalKind::Func,
        wp::ExternalKind::Table => ExternalKind::Table,
        wp::ExternalKind::Memory => ExternalKind::Memory,
        wp::ExternalKind::Global => ExternalKind::Global,
        wp::ExternalKind::Tag => ExternalKind::Tag,
        other => panic!("unexpected export kind {other:?}"),
    };
    let theirs: Vec<_> = r
        .into_iter()
        .map(|e| e.expect("wasmparser export"))
        .map(|e| Export {
            name: e.name,
            kind: kind(e.kind),
            index: e.index,
        })
        .collect();
    assert_eq!(parse_export_section(w).unwrap(), theirs);
    SectionId::Export
}

fn compare_elements(r: wp::ElementSectionReader<'_>, w: Window<'_>) -> SectionId {
    let ours = parse_element_section(w).unwrap();
    let theirs: Vec<_> = r
        .into_iter()
        .map(|e| e.expect("wasmparser element"))
        .collect();
    assert_eq!(ours.len(), theirs.len());
    for (o, t) in ours.iter().zip(&theirs) {
        compare_element_mode(&o.mode, &t.kind);
        compare_element_items(o, &t.items);
    }
    SectionId::Element
}

fn compare_element_mode(ours: &ElementMode<'_>, theirs: &wp::ElementKind<'_>) {
    match (ours, theirs) {
        (ElementMode::Passive, wp::ElementKind::Passive) => {}
        (ElementMode::Declared, wp::ElementKind::Declared) => {}
        (
            ElementMode::Active { table, offset },
            wp::ElementKind::Active {
                table_index,
                offset_expr,
            },
        ) => {
            assert_eq!(*table, table_index.unwrap_or(0));
            assert_eq!(expr_range(offset), wp_expr_range(offset_expr));
        }
        _ => panic!("element modes differ"),
    }
}

fn compare_element_items(ours: &Element<'_>, theirs: &wp::ElementItems<'_>) {
    match (&ours.items, theirs) {
        (ElementItems::Functions(f), wp::ElementItems::Functions(r)) => {
            let t: Vec<u32> = r
                .clone()
                .into_iter()
                .map(|i| i.expect("function index"))
                .collect();
            assert_eq!(f, &t);
            assert_eq!(ours.ty, RefType::FUNCREF);
        }
        (ElementItems::Exprs(e), wp::ElementItems::Expressions(ty, r)) => {
            assert_eq!(ours.ty, wp_ref(*ty));
            let t: Vec<_> = r
                .clone()
                .into_iter()
                .map(|x| wp_expr_range(&x.expect("expr")))
                .collect();
            assert_eq!(e.iter().map(expr_range).collect::<Vec<_>>(), t);
        }
        _ => panic!("element item kinds differ"),
    }
}

fn compare_tags(r: wp::TagSectionReader<'_>, w: Window<'_>) -> SectionId {
    let theirs: Vec<_> = r
        .into_iter()
        .map(|t| wp_tag(t.expect("wasmparser tag")))
        .collect();
    assert_eq!(parse_tag_section(w).unwrap(), theirs);
    SectionId::Tag
}

fn compare_data(r: wp::DataSectionReader<'_>, w: Window<'_>) -> SectionId {
    let ours = parse_data_section(w).unwrap();
    let theirs: Vec<_> = r.into_iter().map(|d| d.expect("wasmparser data")).collect();
    assert_eq!(ours.len(), theirs.len());
    for (o, t) in ours.iter().zip(&theirs) {
        assert_eq!(o.data.bytes, t.data);
        assert_eq!(o.data.end(), t.range.end as usize);
        match (&o.mode, &t.kind) {
            (DataMode::Passive, wp::DataKind::Passive) => {}
            (
                DataMode::Active { memory, offset },
                wp::DataKind::Active {
                    memory_index,
                    offset_expr,
                },
            ) => {
                assert_eq!(memory, memory_index);
                assert_eq!(expr_range(offset), wp_expr_range(offset_expr));
            }
            _ => panic!("data modes differ"),
        }
    }
    SectionId::Data
}

fn compare_data_count(count: u32, w: Window<'_>) -> SectionId {
    assert_eq!(parse_data_count_section(w).unwrap(), count);
    SectionId::DataCount
}

fn compare_start(func: u32, w: Window<'_>) -> SectionId {
    assert_eq!(parse_start_section(w).unwrap(), func);
    SectionId::Start
}

/// Parses our code section; wasmparser then hands its bodies over one by one.
fn start_code<'a>(w: Window<'a>, bodies: &mut Option<Vec<FunctionBody<'a>>>) -> SectionId {
    let mut ours = parse_code_section(w).unwrap();
    ours.reverse();
    *bodies = Some(ours);
    SectionId::Code
}

fn compare_body(
    theirs: &wp::FunctionBody<'_>,
    bodies: &mut Option<Vec<FunctionBody<'_>>>,
) -> SectionId {
    let ours = bodies
        .as_mut()
        .and_then(|b| b.pop())
        .expect("we found as many bodies");
    let range = theirs.range();
    assert_eq!(
        ours.window.offset..ours.window.end(),
        range.start as usize..range.end as usize
    );
    let locals: Vec<_> = theirs
        .get_locals_reader()
        .expect("wasmparser locals")
        .into_iter()
        .map(|l| l.map(|(n, t)| (n, wp_val(t))).expect("wasmparser local"))
        .collect();
    assert_eq!(ours.locals().unwrap(), locals);
    let ops = theirs.get_operators_reader().expect("wasmparser operators");
    assert_eq!(
        ours.code_window().unwrap().offset as u64,
        ops.original_position()
    );
    SectionId::Code
}
