//! Position-independent output (`--experimental-pic` with `-shared` and `-pie`), end to end:
//! every link runs with wasm-link and wasm-ld-19 on the same objects and must give the same
//! messages and byte-identical modules that validate (`dylink.0`, `env.__memory_base`,
//! `GOT.mem`/`GOT.func` imports, internal GOT globals, `__wasm_apply_data_relocs`,
//! `__wasm_apply_global_relocs`, one `.data` at `__memory_base`).

use e2e_tests::{libc_archive, link_pair, require_tool, workspace_root, LinkPair, Scratch};
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Compiles `src` with clang (`clang-19` or `clang++-19`) and `flags` into `obj`.
fn compile(compiler: &str, src: &Path, obj: &Path, flags: &[&str]) -> bool {
    let status = Command::new(require_tool(compiler))
        .args(flags)
        .arg("-c")
        .arg(src)
        .arg("-o")
        .arg(obj)
        .status()
        .unwrap_or_else(|e| panic!("{compiler}: {e}"));
    status.success()
}

/// `--experimental-pic`, the output kind's options, `extra`, then the objects.
fn pic_args(kind: &str, extra: &[&str], objects: &[PathBuf]) -> Vec<OsString> {
    let mut args: Vec<OsString> = vec!["--experimental-pic".into()];
    match kind {
        "shared" => args.push("-shared".into()),
        _ => args.extend(["-pie", "--no-entry", "--export-dynamic"].map(OsString::from)),
    }
    args.extend(extra.iter().map(OsString::from));
    args.extend(objects.iter().map(|o| o.clone().into_os_string()));
    args
}

fn fixture(name: &str) -> PathBuf {
    workspace_root().join("fixtures/pic").join(name)
}

/// Compiles a fixture of `fixtures/pic` for `target` with `flags`.
fn pic_object(scratch: &Scratch, name: &str, target: &str, flags: &[&str]) -> PathBuf {
    let obj = scratch.path(&format!("{name}.{target}.o"));
    let mut all = vec![target, "-fPIC", "-fvisibility=default", "-O2"];
    all.extend(flags);
    assert!(
        compile("clang-19", &fixture(&format!("{name}.c")), &obj, &all),
        "{name}.c does not compile"
    );
    obj
}

const WASM32: &str = "--target=wasm32-unknown-unknown";

#[test]
fn shared_library_with_got_imports_weak_symbols_and_data_relocations() {
    let s = Scratch::new("pic", "shared_library");
    let lib = pic_object(&s, "lib", WASM32, &[]);
    for (case, extra) in [
        ("shared", vec!["--allow-undefined"]),
        ("bsymbolic", vec!["--allow-undefined", "-Bsymbolic"]),
        ("export_all", vec!["--allow-undefined", "--export-all"]),
        ("soname", vec!["--allow-undefined", "--soname=libbar.so"]),
    ] {
        let pair = link_pair(
            "pic",
            case,
            &pic_args("shared", &extra, std::slice::from_ref(&lib)),
        );
        let bytes = pair.assert_identical(case);
        assert!(
            bytes.windows(8).any(|w| w == b"dylink.0"),
            "{case}: no dylink.0 section"
        );
    }
}

#[test]
fn pie_with_internal_got_and_start_function() {
    let s = Scratch::new("pic", "pie");
    let main = pic_object(&s, "main", WASM32, &[]);
    let mut args = vec![OsString::from("--experimental-pic"), "-pie".into()];
    args.extend(["--allow-undefined".into(), main.into_os_string()]);
    link_pair("pic", "pie", &args).assert_identical("pie");
}

#[test]
fn memory64_shared_library() {
    let s = Scratch::new("pic", "memory64");
    let lib = pic_object(&s, "lib", "--target=wasm64-unknown-unknown", &[]);
    let args = pic_args("shared", &["-mwasm64", "--allow-undefined"], &[lib]);
    link_pair("pic", "memory64", &args).assert_identical("memory64 -shared");
}

#[test]
fn thread_local_storage_with_shared_memory() {
    let s = Scratch::new("pic", "tls");
    // `tls_relocs` has thread-local pointers: `__wasm_apply_tls_relocs` sets them.
    for name in ["tls", "tls_relocs"] {
        let tls = pic_object(&s, name, WASM32, &["-matomics", "-mbulk-memory"]);
        for kind in ["shared", "pie"] {
            let extra = ["--shared-memory", "--import-memory", "--allow-undefined"];
            let case = format!("{name}_{kind}");
            let pair = link_pair(
                "pic",
                &case,
                &pic_args(kind, &extra, std::slice::from_ref(&tls)),
            );
            pair.assert_identical(&case);
        }
        // Without shared memory, thread-local data is ordinary data.
        let single = pic_object(&s, name, WASM32, &[]);
        let case = format!("{name}_single");
        let pair = link_pair(
            "pic",
            &case,
            &pic_args("shared", &["--allow-undefined"], &[single]),
        );
        pair.assert_identical(&case);
    }
}

#[test]
fn objects_built_without_fpic_are_refused_in_wasm_lds_words() {
    let s = Scratch::new("pic", "not_pic");
    let obj = s.path("main.o");
    let flags = [WASM32, "-fvisibility=default", "-O2"];
    assert!(compile("clang-19", &fixture("main.c"), &obj, &flags));
    let pair = link_pair(
        "pic",
        "not_pic",
        &pic_args("pie", &["--allow-undefined"], &[obj]),
    );
    pair.assert_same_errors("non-PIC object", "recompile with -fPIC");
}

#[test]
fn undefined_symbols_of_a_shared_library_are_errors_with_wasm_lds_first_lines() {
    let s = Scratch::new("pic", "undefined");
    let lib = pic_object(&s, "lib", WASM32, &[]);
    let pair: LinkPair = link_pair("pic", "undefined", &pic_args("shared", &[], &[lib]));
    assert_ne!(pair.ours.code, 0, "the link succeeded");
    assert!(pair.ours.output.is_none(), "a failed link wrote output");
    // wasm-ld repeats the line per relocation; we give each (file, symbol) once, with our
    // `>>>` lines beneath.
    let theirs: std::collections::BTreeSet<&str> =
        pair.theirs.messages.iter().map(|m| first_line(m)).collect();
    let ours: std::collections::BTreeSet<&str> =
        pair.ours.messages.iter().map(|m| first_line(m)).collect();
    assert_eq!(ours, theirs, "first lines differ from wasm-ld-19's");
}

fn first_line(m: &str) -> &str {
    m.lines().next().unwrap_or("")
}

/// `--unresolved-symbols=import-dynamic` without PIC: what no input defines is imported, data
/// through `GOT.mem`, and `__wasm_apply_data_relocs` stores those addresses.
#[test]
fn dynamic_imports_without_pic() {
    let s = Scratch::new("pic", "import_dynamic");
    let obj = s.path("dyn.o");
    let flags = [WASM32, "-fvisibility=default", "-O2"];
    assert!(compile("clang-19", &fixture("dyn.c"), &obj, &flags));
    for (case, pic_flag) in [
        ("import_dynamic", "--experimental-pic"),
        ("warned", "--no-pie"),
    ] {
        let mut args: Vec<OsString> = vec![
            pic_flag.into(),
            "--unresolved-symbols=import-dynamic".into(),
        ];
        args.extend(["--no-entry", "--export=use"].map(OsString::from));
        args.push(obj.clone().into_os_string());
        link_pair("pic", case, &args).assert_identical(case);
    }
}

/// Every C conformance program, built with and without `-fPIC`, linked with libc as a command
/// whose unresolved symbols become dynamic imports.
#[test]
fn conformance_c_with_dynamic_imports() {
    let s = Scratch::new("pic", "conformance_dynamic");
    let root = workspace_root().join("conformance");
    let mut sources = Vec::new();
    collect_sources(&root.join("c"), "c", &mut sources);
    sources.sort();
    let libc = libc_archive();
    let crt1 = libc.with_file_name("crt1-command.o");
    let mut linked = 0;
    for src in &sources {
        let stem = src
            .strip_prefix(&root)
            .unwrap_or(src)
            .to_string_lossy()
            .replace(['/', '.'], "_");
        for (opt, flags) in [("O2_pic", vec!["-O2", "-fPIC"]), ("O0g", vec!["-O0", "-g"])] {
            let obj = s.path(&format!("{stem}.{opt}.o"));
            let mut all = vec![
                "--target=wasm32-wasi",
                "--sysroot=/usr",
                "-fvisibility=default",
            ];
            all.extend(flags);
            if !compile("clang-19", src, &obj, &all) {
                continue;
            }
            let case = format!("dyn_{stem}_{opt}");
            let mut args: Vec<OsString> = vec!["--experimental-pic".into()];
            args.push("--unresolved-symbols=import-dynamic".into());
            args.extend([
                crt1.clone().into_os_string(),
                obj.into_os_string(),
                libc.clone().into_os_string(),
            ]);
            linked += usize::from(same_link(&link_pair("pic", &case, &args), &case));
        }
    }
    assert!(
        linked >= 100,
        "only {linked} links: the corpus did not compile"
    );
}

/// Both linked the same module (true), or both failed with wasm-ld-19's first lines (wasm-ld
/// refuses a few debug sections).
fn same_link(pair: &LinkPair, case: &str) -> bool {
    if pair.theirs.code == 0 {
        pair.assert_identical(case);
        true
    } else {
        assert_same_first_lines(pair, case);
        false
    }
}

/// Both failed, with wasm-ld-19's first lines in its order.
fn assert_same_first_lines(pair: &LinkPair, case: &str) {
    assert_ne!(pair.ours.code, 0, "{case}: wasm-ld-19 failed, we did not");
    let firsts = |r: &e2e_tests::LinkRun| -> Vec<String> {
        r.messages
            .iter()
            .map(|m| first_line(m).to_string())
            .collect()
    };
    assert_eq!(firsts(&pair.ours), firsts(&pair.theirs), "{case}");
}

/// Every C and C++ conformance program compiled with `-fPIC` (at -O2 and at -O0 -g), linked
/// as a shared library and as a PIE without libc (its calls become imports).
#[test]
fn conformance_sources_as_shared_libraries_and_pies() {
    let s = Scratch::new("pic", "conformance");
    let root = workspace_root().join("conformance");
    let mut sources = Vec::new();
    for (lang, ext) in [("c", "c"), ("cpp", "cpp")] {
        collect_sources(&root.join(lang), ext, &mut sources);
    }
    sources.sort();
    let mut linked = 0;
    for src in &sources {
        let cxx = src.extension().is_some_and(|e| e == "cpp");
        let compiler = if cxx { "clang++-19" } else { "clang-19" };
        let stem = src
            .strip_prefix(&root)
            .unwrap_or(src)
            .to_string_lossy()
            .replace(['/', '.'], "_");
        for (opt, flags) in [("O2", vec!["-O2"]), ("O0g", vec!["-O0", "-g"])] {
            let obj = s.path(&format!("{stem}.{opt}.o"));
            let mut all = vec!["--target=wasm32-wasi", "--sysroot=/usr", "-fPIC"];
            all.extend(["-fvisibility=default", "-fno-exceptions"]);
            all.extend(flags);
            // Programs that need another target or features are not PIC material here.
            if !compile(compiler, src, &obj, &all) {
                continue;
            }
            for kind in ["shared", "pie"] {
                let case = format!("{stem}_{opt}_{kind}");
                let args = pic_args(kind, &["--allow-undefined"], std::slice::from_ref(&obj));
                linked += usize::from(same_link(&link_pair("pic", &case, &args), &case));
            }
        }
    }
    assert!(
        linked >= 200,
        "only {linked} links: the corpus did not compile"
    );
}

fn collect_sources(dir: &Path, ext: &str, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        panic!("{}: missing", dir.display());
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect_sources(&path, ext, out);
        } else if path.extension().is_some_and(|e| e == ext) {
            out.push(path);
        }
    }
}

/// Links with wasm-ld-19 alone (to make a shared library both linkers then take as input).
fn reference_link(args: &[OsString], out: &Path) {
    let status = Command::new(require_tool("wasm-ld-19"))
        .args(args)
        .arg("-o")
        .arg(out)
        .status()
        .expect("wasm-ld-19");
    assert!(
        status.success(),
        "wasm-ld-19 failed to make {}",
        out.display()
    );
}

fn os(items: &[&str]) -> Vec<OsString> {
    items.iter().map(OsString::from).collect()
}

/// A PIE linked against a shared library: the library's functions and data become imports
/// (`env`, `GOT.func`, `GOT.mem`), `dylink.0` lists it as needed; signatures are checked in
/// either order, `--no-shlib-sigcheck` turns that off, and `-l` finds `lib*.so` with `-pie`.
#[test]
fn shared_library_inputs() {
    let s = Scratch::new("pic", "so_inputs");
    let lib = pic_object(&s, "lib", WASM32, &[]);
    let so = s.path("libfoo.so");
    let mut args = os(&["--experimental-pic", "-shared", "--allow-undefined"]);
    args.push(lib.into_os_string());
    reference_link(&args, &so);
    let main = pic_object(&s, "main", WASM32, &[]);
    let sig = pic_object(&s, "sig", WASM32, &[]);
    let (main, sig, so) = (
        main.into_os_string(),
        sig.into_os_string(),
        so.into_os_string(),
    );
    let pie = os(&["--experimental-pic", "-pie"]);
    let with = |extra: &[OsString]| -> Vec<OsString> { pie.iter().chain(extra).cloned().collect() };
    let cases: Vec<(&str, Vec<OsString>)> = vec![
        ("pie_with_so", with(&[main.clone(), so.clone()])),
        ("so_first", with(&[so.clone(), main.clone()])),
        (
            "search",
            with(&[
                main.clone(),
                "-L".into(),
                s.dir.clone().into_os_string(),
                "-lfoo".into(),
            ]),
        ),
        (
            "no_sigcheck",
            with(
                &os(&["--no-entry", "--export=call", "--no-shlib-sigcheck"])
                    .into_iter()
                    .chain([sig.clone(), so.clone()])
                    .collect::<Vec<_>>(),
            ),
        ),
        (
            "static_with_so",
            vec![
                "--no-entry".into(),
                "--export=main".into(),
                main.clone(),
                so.clone(),
            ],
        ),
    ];
    for (case, args) in cases {
        let bytes = link_pair("pic", case, &args)
            .assert_identical(case)
            .to_vec();
        assert!(
            bytes.windows(9).any(|w| w == b"libfoo.so"),
            "{case}: no NEEDED entry"
        );
    }
    for (case, order) in [
        ("sig_call_first", [sig.clone(), so.clone()]),
        ("sig_so_first", [so, sig]),
    ] {
        let args = with(
            &os(&["--no-entry", "--export=call"])
                .into_iter()
                .chain(order)
                .collect::<Vec<_>>(),
        );
        link_pair("pic", case, &args)
            .assert_same_errors(case, "function signature mismatch: lib_fn");
    }
}

/// Every multi-file conformance program split in two: its first file a PIE, the others a
/// shared library it is linked against (the library made by wasm-ld-19, then by both).
#[test]
fn conformance_programs_split_into_pie_and_shared_library() {
    let s = Scratch::new("pic", "split");
    let root = workspace_root().join("conformance");
    let mut dirs: Vec<PathBuf> = ["c", "cpp"]
        .iter()
        .flat_map(|lang| {
            std::fs::read_dir(root.join(lang))
                .expect("conformance")
                .flatten()
        })
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    let mut pairs = 0;
    for dir in dirs {
        let name = dir
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .to_string();
        let mut sources: Vec<PathBuf> = std::fs::read_dir(&dir)
            .expect("dir")
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "c" || e == "cpp"))
            .collect();
        sources.sort();
        let mut objects = Vec::new();
        for src in &sources {
            let cxx = src.extension().is_some_and(|e| e == "cpp");
            let compiler = if cxx { "clang++-19" } else { "clang-19" };
            let obj = s.path(&format!(
                "{name}.{}.o",
                src.file_name().unwrap_or_default().to_string_lossy()
            ));
            let flags = [
                "--target=wasm32-wasi",
                "--sysroot=/usr",
                "-fPIC",
                "-fvisibility=default",
                "-fno-exceptions",
                "-O2",
            ];
            if compile(compiler, src, &obj, &flags) {
                objects.push(obj);
            }
        }
        if objects.len() < 2 {
            continue;
        }
        let so = s.path(&format!("lib{name}.so"));
        let mut lib_args = os(&["--experimental-pic", "-shared", "--allow-undefined"]);
        lib_args.extend(objects[1..].iter().map(|o| o.clone().into_os_string()));
        link_pair("pic", &format!("{name}_lib"), &lib_args).assert_identical(&name);
        reference_link(&lib_args, &so);
        let mut main_args = os(&[
            "--experimental-pic",
            "-pie",
            "--no-entry",
            "--export-dynamic",
            "--allow-undefined",
        ]);
        main_args.extend([objects[0].clone().into_os_string(), so.into_os_string()]);
        link_pair("pic", &format!("{name}_main"), &main_args).assert_identical(&name);
        pairs += 1;
    }
    assert!(
        pairs >= 15,
        "only {pairs} programs: the corpus did not compile"
    );
}

/// Stub libraries: the symbols they name are imported, their dependencies exported (and
/// extracted from archives); a missing dependency is wasm-ld's error; `-y` and
/// `--why-extract` print wasm-ld's lines.
#[test]
fn stub_libraries() {
    let s = Scratch::new("pic", "stubs");
    let flags = [WASM32, "-fvisibility=default", "-O2"];
    let object = |name: &str| {
        let obj = s.path(&format!("{name}.o"));
        assert!(compile(
            "clang-19",
            &fixture(&format!("{name}.c")),
            &obj,
            &flags
        ));
        obj.into_os_string()
    };
    let (user, caller, member) = (
        object("stub_user"),
        object("stub_caller"),
        object("stub_member"),
    );
    let write = |name: &str, text: &str| {
        let path = s.path(name);
        std::fs::write(&path, text).expect("write stub");
        path.into_os_string()
    };
    let js = write(
        "libjs.so",
        "#STUB\n# comment\njs_fn: helper_needed, helper2\njs_other\nunused_sym: nothere\n",
    );
    let bad = write("libbad.so", "#STUB\njs_fn: missing_dep\n");
    let js2 = write("libjs2.so", "#STUB\njs_fn: helper_needed\njs_cb\n");
    let archive = s.path("libm1.a");
    let status = Command::new(require_tool("llvm-ar-19"))
        .arg("rc")
        .arg(&archive)
        .arg(&member)
        .status();
    assert!(status.is_ok_and(|s| s.success()), "llvm-ar-19 failed");
    let archive = archive.into_os_string();
    let base = os(&["--no-entry", "--export=call"]);
    let with =
        |extra: Vec<OsString>| -> Vec<OsString> { base.iter().cloned().chain(extra).collect() };
    link_pair("pic", "stub", &with(vec![user.clone(), js])).assert_identical("stub");
    link_pair("pic", "stub_bad", &with(vec![user, bad]))
        .assert_same_errors("stub_bad", "Required by js_fn");
    let traced = os(&["-y", "js_fn", "-y", "helper_needed", "--why-extract=-"]);
    let args = with(traced.into_iter().chain([caller, archive, js2]).collect());
    link_pair("pic", "stub_archive", &args).assert_same_run("stub_archive");
}
