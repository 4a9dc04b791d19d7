//! Multiple tables, reference types and the import rules, end to end: every link runs with
//! `wasm-link` and with wasm-ld-19 on the same arguments; outputs must be valid and byte-
//! identical, failures must print the same messages. Programs with a `_start` also run under
//! node. Objects come from `fixtures/asm/tables*.s`, `fixtures/c/externref.c`, and small
//! sources written inline where a case needs a one-off object.

use e2e_tests::{fixture, inline_object, link_pair, node_run, run_tool, target_dir, LinkPair};
use std::ffi::OsString;
use std::path::Path;
use wasmparser::{ElementKind, Parser, Payload, RefType, TypeRef};

/// The object of a fixture.
fn obj(name: &str) -> OsString {
    fixture(name).object.clone().into_os_string()
}

/// Arguments: options and fixture objects (`asm/...`, `c/...`) or paths, in order.
fn args(items: &[&str]) -> Vec<OsString> {
    items
        .iter()
        .map(|a| {
            if a.starts_with("asm/") || a.starts_with("c/") {
                obj(a)
            } else {
                OsString::from(a)
            }
        })
        .collect()
}

fn link(case: &str, items: &[&str]) -> LinkPair {
    link_pair("tables", case, &args(items))
}

/// The imports and defined tables of a module: `(module, field, element type)` per table
/// import, the element type and minimum of each defined table.
#[derive(Debug, Default, PartialEq)]
struct Tables {
    imported: Vec<(String, String, RefType)>,
    defined: Vec<(RefType, u64)>,
    /// The table the (one) active element segment fills.
    elem_table: Option<u32>,
}

fn tables(bytes: &[u8]) -> Tables {
    let mut t = Tables::default();
    for payload in Parser::new(0).parse_all(bytes) {
        match payload.expect("parse") {
            Payload::ImportSection(r) => {
                for imp in r.into_imports() {
                    let imp = imp.expect("import");
                    if let TypeRef::Table(ty) = imp.ty {
                        let (m, f) = (imp.module.to_string(), imp.name.to_string());
                        t.imported.push((m, f, ty.element_type));
                    }
                }
            }
            Payload::TableSection(r) => {
                for table in r {
                    let ty = table.expect("table").ty;
                    t.defined.push((ty.element_type, ty.initial));
                }
            }
            Payload::ElementSection(r) => {
                for e in r {
                    if let ElementKind::Active { table_index, .. } = e.expect("element").kind {
                        t.elem_table = Some(table_index.unwrap_or(0));
                    }
                }
            }
            _ => {}
        }
    }
    t
}

/// The exported tables of a module: `(name, index)`.
fn table_exports(bytes: &[u8]) -> Vec<(String, u32)> {
    let mut out = Vec::new();
    for payload in Parser::new(0).parse_all(bytes) {
        if let Payload::ExportSection(r) = payload.expect("parse") {
            for e in r {
                let e = e.expect("export");
                if e.kind == wasmparser::ExternalKind::Table {
                    out.push((e.name.to_string(), e.index));
                }
            }
        }
    }
    out
}

const EXTERN: RefType = RefType::EXTERNREF;
const FUNC: RefType = RefType::FUNCREF;

#[test]
fn the_tables_fixture_links_to_a_valid_module_identical_to_wasm_ld() {
    let both = link(
        "fixture",
        &[
            "--no-entry",
            "--export-all",
            "--allow-undefined",
            "asm/tables.s",
        ],
    );
    let bytes = both.assert_identical("tables.s");
    let t = tables(bytes);
    // imported_refs, then local_funcs, local_refs, then the indirect function table.
    assert_eq!(t.imported.len(), 1);
    assert_eq!(t.defined, vec![(FUNC, 4), (EXTERN, 0), (FUNC, 1)]);
    let exported = table_exports(bytes);
    assert!(exported.contains(&("__indirect_function_table".into(), 3)));
    assert!(exported.contains(&("local_refs".into(), 2)));
}

#[test]
fn defined_and_imported_tables_of_several_objects_each_keep_a_table_in_wasm_ld_order() {
    let both = link(
        "several",
        &[
            "--allow-undefined",
            "--export-all",
            "asm/tables_imports.s",
            "asm/tables_run.s",
            "asm/tables_defs.s",
            "asm/tables_weak.s",
        ],
    );
    let t = tables(both.assert_identical("several"));
    assert_eq!(t.imported.len(), 3, "{t:?}");
    // tables_run's scratch; tables_defs' table_d, wt, lt; tables_weak's lt; then the
    // indirect function table (tables_weak's `wt` lost to the first weak definition).
    let defined: Vec<RefType> = t.defined.iter().map(|d| d.0).collect();
    assert_eq!(defined, vec![EXTERN, EXTERN, EXTERN, FUNC, EXTERN, FUNC]);
    assert_eq!(t.elem_table, Some(8));
}

#[test]
fn table_numbers_in_code_reach_the_right_tables_and_the_program_runs() {
    let both = link("run", &["asm/tables_run.s"]);
    both.assert_identical("tables_run");
    let (_, code) = node_run(&both.ours.path);
    assert_eq!(
        code, 49,
        "2 + 5 + 7 * 6: table.grow/size and two call_indirects"
    );
}

#[test]
fn an_externref_table_in_a_c_program_with_libc_matches_wasm_ld_and_runs() {
    let both = link(
        "c-externref",
        &[
            "-L/usr/lib/wasm32-wasi",
            "/usr/lib/wasm32-wasi/crt1-command.o",
            "c/externref.c",
            "-lc",
        ],
    );
    let t = tables(both.assert_identical("externref.c"));
    // libc's objects predate reference types: the indirect function table is table 0.
    assert_eq!(t.defined[0].0, FUNC);
    assert_eq!(t.defined[1].0, EXTERN);
    assert_eq!(t.elem_table, Some(0));
    let (stdout, code) = node_run(&both.ours.path);
    assert_eq!((stdout.as_str(), code), ("grew from 0 to 4\n10 25\n", 0));
}

#[test]
fn table_symbols_resolve_like_other_symbols() {
    // Weak definitions: the first wins; with GC the loser's table goes, without it stays.
    for (case, extra) in [
        ("weak-export-all", "--export-all"),
        ("weak-gc", "--export=use_w2"),
        ("weak-no-gc", "--no-gc-sections"),
    ] {
        for (order, files) in [
            ("ab", ["asm/tables_defs.s", "asm/tables_weak.s"]),
            ("ba", ["asm/tables_weak.s", "asm/tables_defs.s"]),
        ] {
            let both = link(
                &format!("{case}-{order}"),
                &["--no-entry", extra, files[0], files[1]],
            );
            both.assert_identical(&format!("{case} {order}"));
        }
    }
    // An archive member that defines a table is loaded by a reference to it.
    let archive = archive_of(&["asm/tables_weak.s", "asm/tables_defs.s"]);
    let archive = archive.to_string_lossy().into_owned();
    let lazy = link("lazy", &["asm/tables_use.s", &archive]);
    assert_eq!(
        tables(lazy.assert_identical("lazy")).defined,
        vec![(EXTERN, 2)]
    );
    // Undefined without --allow-undefined; imported with it.
    let both = link("undefined", &["asm/tables_use.s"]);
    assert!(both.ours.code != 0 && both.theirs.code != 0);
    let first = |m: &[String]| m.first().and_then(|m| m.lines().next()).map(String::from);
    assert_eq!(first(&both.ours.messages), first(&both.theirs.messages));
    assert!(both.ours.messages[0].contains(": undefined symbol: wt\n>>> referenced by"));
    let allowed = link("allowed", &["--allow-undefined", "asm/tables_use.s"]);
    let imported = tables(allowed.assert_identical("allowed")).imported;
    assert_eq!(imported, vec![("env".into(), "wt".into(), EXTERN)]);
    // Two strong definitions.
    let dup = inline_object("tables/dup.s", DUPLICATE_TABLE);
    let dup = dup.to_string_lossy().into_owned();
    link("duplicate", &["--no-entry", "asm/tables_defs.s", &dup])
        .assert_same_errors("duplicate", "duplicate symbol: table_d");
}

#[test]
fn kind_and_type_mismatches_of_tables_and_globals_are_wasm_ld_errors() {
    let def = inline_object("tables/kinds_def.s", KINDS_DEF);
    let used = inline_object("tables/kinds_use.s", KINDS_USE);
    let func = inline_object("tables/kinds_func.s", KINDS_FUNC);
    let [def, used, func] = [def, used, func].map(|p| p.to_string_lossy().into_owned());
    let cases: [(&str, [&str; 2], &str); 5] = [
        ("def-use", [&def, &used], "Table type mismatch: tt"),
        ("use-def", [&used, &def], "Global type mismatch: gg"),
        ("def-func", [&def, &func], "symbol type mismatch: tt"),
        ("func-def", [&func, &def], "duplicate symbol: tt"),
        ("func-use", [&func, &used], "symbol type mismatch: tt"),
    ];
    for (case, [a, b], expected) in cases {
        link(case, &["--no-entry", "--allow-undefined", a, b]).assert_same_errors(case, expected);
    }
    // The linker's own globals have types too.
    let sp = inline_object("tables/stack_pointer.s", STACK_POINTER_I64);
    let sp = sp.to_string_lossy().into_owned();
    link("stack-pointer", &[&sp])
        .assert_same_errors("stack-pointer", "Global type mismatch: __stack_pointer");
}

#[test]
fn table_symbols_are_exported_like_other_symbols() {
    let both = link(
        "export",
        &[
            "--no-entry",
            "--export=table_d",
            "--export=wt",
            "asm/tables_defs.s",
        ],
    );
    let exported = table_exports(both.assert_identical("export"));
    assert_eq!(exported, vec![("table_d".into(), 0), ("wt".into(), 1)]);
    let all = link(
        "export-all",
        &["--no-entry", "--export-all", "asm/tables_defs.s"],
    );
    let exported = table_exports(all.assert_identical("export-all"));
    assert_eq!(
        exported.len(),
        2,
        "a local table is not exported: {exported:?}"
    );
    link(
        "export-local",
        &["--no-entry", "--export=lt", "asm/tables_defs.s"],
    )
    .assert_same_errors("export-local", "symbol exported via --export not found: lt");
}

#[test]
fn the_element_section_names_the_indirect_table_when_it_is_not_table_0() {
    let both = link("elem", &["--table-base=3", "asm/tables_run.s"]);
    let t = tables(both.assert_identical("elem"));
    assert_eq!(t.defined, vec![(EXTERN, 2), (FUNC, 5)]);
    assert_eq!(t.elem_table, Some(1));
    assert_eq!(node_run(&both.ours.path).1, 49);
}

#[test]
fn table_imports_of_one_name_with_different_types_stay_distinct() {
    let both = link(
        "distinct-tables",
        &[
            "--no-entry",
            "--export=use_imports",
            "--allow-undefined",
            "asm/tables_imports.s",
        ],
    );
    let t = tables(both.assert_identical("distinct tables"));
    let expected = [
        ("env", "tab", EXTERN),
        ("env", "tab", FUNC),
        ("other", "t4", EXTERN),
    ];
    let expected: Vec<(String, String, RefType)> = expected
        .iter()
        .map(|(m, f, t)| (m.to_string(), f.to_string(), *t))
        .collect();
    assert_eq!(t.imported, expected, "t3 shares t1's import");
}

#[test]
fn global_imports_of_one_name_with_different_types_or_mutability_stay_distinct() {
    let g = inline_object("imports/globals.s", DISTINCT_GLOBALS);
    let g = g.to_string_lossy().into_owned();
    let both = link("distinct-globals", &["--features=mutable-globals", &g]);
    let bytes = both.assert_identical("distinct globals");
    let mut globals = Vec::new();
    for payload in Parser::new(0).parse_all(bytes) {
        if let Payload::ImportSection(r) = payload.expect("parse") {
            for imp in r.into_imports() {
                if let TypeRef::Global(ty) = imp.expect("import").ty {
                    globals.push((ty.content_type, ty.mutable));
                }
            }
        }
    }
    use wasmparser::ValType::{I32, I64};
    assert_eq!(globals, vec![(I32, true), (I64, true), (I32, false)]);
    // Without the feature, each mutable import is named by its symbol.
    link("mutable-globals", &[&g])
        .assert_same_errors("mutable", "feature not present in inputs: `g2`");
}

#[test]
fn one_symbol_imported_from_two_modules_or_under_two_names_is_an_error() {
    let objects: Vec<String> = IMPORT_SOURCES
        .iter()
        .map(|(name, src)| inline_object(name, src).to_string_lossy().into_owned())
        .collect();
    let [m1, m2, env, n1, n2] = [0, 1, 2, 3, 4].map(|i| objects[i].as_str());
    let cases: [(&str, &[&str], &str); 5] = [
        (
            "modules",
            &[m1, m2],
            "import module mismatch for symbol: foo",
        ),
        (
            "module-env",
            &[m1, env],
            "import module mismatch for symbol: foo",
        ),
        (
            "env-module",
            &[env, m1],
            "import module mismatch for symbol: foo",
        ),
        ("names", &[n1, n2], "import name mismatch for symbol: foo"),
        (
            "all",
            &[m1, m2, n1, n2],
            "import name mismatch for symbol: foo",
        ),
    ];
    for (case, files, expected) in cases {
        let mut items = vec!["--no-entry", "--export-all"];
        items.extend(files);
        link(case, &items).assert_same_errors(case, expected);
    }
    let mut items = vec!["--no-entry", "--export-all", env, n1];
    link("agree", &items).assert_identical("env then a name");
    items.swap(2, 3);
    link("agree-swapped", &items).assert_identical("a name then env");
}

#[test]
fn import_table_export_table_growable_table_and_table_base_work_with_extra_tables() {
    let objects = [
        "asm/tables_imports.s",
        "asm/tables_run.s",
        "asm/tables_defs.s",
    ];
    let cases: [(&str, &[&str]); 5] = [
        ("import-table", &["--import-table"]),
        ("export-table", &["--export-table"]),
        ("growable", &["--growable-table", "--table-base=7"]),
        ("export-growable", &["--export-table", "--growable-table"]),
        ("import-table-base", &["--import-table", "--table-base=4"]),
    ];
    for (case, options) in cases {
        let mut items = vec![
            "--allow-undefined",
            "--export=use_d",
            "--export=use_imports",
        ];
        items.extend(options);
        items.extend(objects);
        let both = link(case, &items);
        let bytes = both.assert_identical(case);
        let t = tables(bytes);
        if options.contains(&"--import-table") {
            let first = &t.imported[0];
            assert_eq!(
                (first.1.as_str(), first.2),
                ("__indirect_function_table", FUNC)
            );
            assert_eq!(t.elem_table, Some(0));
        } else {
            assert_eq!(t.elem_table, Some(3 + t.defined.len() as u32 - 1));
        }
        if options.contains(&"--export-table") {
            assert!(table_exports(bytes)
                .iter()
                .any(|e| e.0 == "__indirect_function_table"));
        }
    }
}

#[test]
fn objects_without_reference_types_get_the_indirect_table_as_table_0_or_are_refused() {
    // With defined tables only, the indirect function table moves to the front.
    for (case, files) in [
        ("mvp-first", ["asm/tables_mvp.s", "asm/tables_defs.s"]),
        ("mvp-last", ["asm/tables_defs.s", "asm/tables_mvp.s"]),
    ] {
        let both = link(case, &["--no-entry", "--export-all", files[0], files[1]]);
        let t = tables(both.assert_identical(case));
        assert_eq!(t.defined[0].0, FUNC, "{case}: {t:?}");
    }
    // A table import would take index 0: wasm-ld refuses the link.
    let import = inline_object("tables/import_a.s", IMPORT_TABLE_A);
    let import = import.to_string_lossy().into_owned();
    link(
        "mvp-import",
        &[
            "--no-entry",
            "--export-all",
            "--allow-undefined",
            "asm/tables_mvp.s",
            &import,
        ],
    )
    .assert_same_errors(
        "mvp-import",
        "object file not built with 'reference-types' feature conflicts with import of table \
         table_a by file ",
    );
    // Objects whose tables and table symbols do not match up.
    let mvp_yaml = run_tool(
        "obj2yaml-19",
        &[fixture("asm/tables_mvp.s").object.as_os_str()],
    );
    for (case, expected) in legacy_variants(&mvp_yaml) {
        let dir = target_dir().join("e2e/tables/legacy-inputs");
        std::fs::create_dir_all(&dir).expect("scratch dir");
        let yaml = dir.join(format!("{}.yaml", case.0));
        std::fs::write(&yaml, &case.1).expect("write yaml");
        let object = dir.join(format!("{}.o", case.0));
        run_tool(
            "yaml2obj-19",
            &[yaml.as_os_str(), "-o".as_ref(), object.as_os_str()],
        );
        let object = object.to_string_lossy().into_owned();
        link(
            case.0,
            &["--no-entry", "--export-all", "--allow-undefined", &object],
        )
        .assert_same_errors(case.0, expected);
    }
}

/// Variants of an MVP object (as YAML) that lld's `addLegacyIndirectFunctionTableIfNeeded`
/// refuses, with the message expected.
fn legacy_variants(mvp: &str) -> Vec<((&'static str, String), &'static str)> {
    let second_import =
        "      - Module:          env\n        Field:           other_table\n        \
        Kind:            TABLE\n        Table:\n          Index:           1\n          \
        ElemType:        FUNCREF\n          Limits:\n            Minimum:         0x0\n  \
        - Type:            FUNCTION";
    let two = mvp.replacen("  - Type:            FUNCTION", second_import, 1);
    let defined = "  - Type:            TABLE\n    Tables:\n      - Index:           1\n        \
        ElemType:        FUNCREF\n        Limits:\n          Minimum:         0x1\n  \
        - Type:            CODE";
    let symbol = "      - Index:           1\n        Kind:            TABLE\n        \
        Name:            other_table\n        Flags:           [ UNDEFINED ]\n        \
        Table:           1\n...";
    vec![
        (("two", two.clone()), "two.o: multiple table imports"),
        (
            (
                "renamed",
                mvp.replace("__indirect_function_table", "my_table"),
            ),
            "renamed.o: table import my_table is missing a symbol table entry.",
        ),
        (
            (
                "externref",
                mvp.replace("ElemType:        FUNCREF", "ElemType:        EXTERNREF"),
            ),
            "table import __indirect_function_table is missing a symbol table entry.",
        ),
        (
            (
                "defined",
                mvp.replacen("  - Type:            CODE", defined, 1),
            ),
            "unexpected table definition(s) without corresponding symbol-table entries.",
        ),
        (
            ("partial", two.replacen("...", symbol, 1)),
            "expected one symbol table entry for each of the 2 table(s) present, but got 1",
        ),
    ]
}

/// An archive of fixture objects, built once by llvm-ar-19.
fn archive_of(members: &[&str]) -> std::path::PathBuf {
    let list: Vec<(&str, &Path)> = members
        .iter()
        .map(|m| {
            (
                m.rsplit('/').next().unwrap_or(m),
                fixture(m).object.as_path(),
            )
        })
        .collect();
    e2e_tests::build_archive(e2e_tests::ArFormat::Gnu, &list)
}

const DUPLICATE_TABLE: &str = "# fixture-flags: -mattr=+reference-types
  .globl table_d
  .tabletype table_d, externref, 9
table_d:
";

const KINDS_DEF: &str = "# fixture-flags: -mattr=+reference-types
  .globl gg
  .globaltype gg, i32
gg:
  .globl tt
  .tabletype tt, funcref, 2
tt:
  .globl a
a:
  .functype a () -> (i32)
  global.get gg
  table.size tt
  i32.add
  end_function
";

const KINDS_USE: &str = "# fixture-flags: -mattr=+reference-types
  .globaltype gg, i64
  .tabletype tt, externref
  .globl b
b:
  .functype b () -> (i32)
  global.get gg
  drop
  table.size tt
  end_function
";

const STACK_POINTER_I64: &str = "  .globaltype __stack_pointer, i64
  .globl _start
_start:
  .functype _start () -> ()
  global.get __stack_pointer
  drop
  end_function
";

const KINDS_FUNC: &str = "# fixture-flags: -mattr=+reference-types
  .globl tt
  .type tt,@function
tt:
  .functype tt () -> ()
  end_function
";

const IMPORT_TABLE_A: &str = "# fixture-flags: -mattr=+reference-types
  .tabletype table_a, funcref
  .globl use_a
use_a:
  .functype use_a () -> (i32)
  table.size table_a
  end_function
";

const DISTINCT_GLOBALS: &str = "  .globaltype g1, i32
  .import_module g1, env
  .import_name g1, foo
  .globaltype g2, i64
  .import_module g2, env
  .import_name g2, foo
  .globaltype g3, i32, immutable
  .import_module g3, env
  .import_name g3, foo
  .globl _start
_start:
  .functype _start () -> ()
  global.get g1
  drop
  global.get g2
  drop
  global.get g3
  drop
  end_function
";

/// `foo` from module m1, from module m2, from env, and as env.x1 and env.x2.
const IMPORT_SOURCES: [(&str, &str); 5] = [
    ("imports/m1.s", "  .functype foo () -> ()\n  .import_module foo, m1\n  .globl a\na:\n  .functype a () -> ()\n  call foo\n  end_function\n"),
    ("imports/m2.s", "  .functype foo () -> ()\n  .import_module foo, m2\n  .globl b\nb:\n  .functype b () -> ()\n  call foo\n  end_function\n"),
    ("imports/env.s", "  .functype foo () -> ()\n  .globl c\nc:\n  .functype c () -> ()\n  call foo\n  end_function\n"),
    ("imports/n1.s", "  .functype foo () -> ()\n  .import_name foo, x1\n  .globl d\nd:\n  .functype d () -> ()\n  call foo\n  end_function\n"),
    ("imports/n2.s", "  .functype foo () -> ()\n  .import_name foo, x2\n  .globl e\ne:\n  .functype e () -> ()\n  call foo\n  end_function\n"),
];
