//! Diagnostics against wasm-ld-19 (issue 12): the first line of every error and warning is
//! wasm-ld's, in wasm-ld's order, with the program name taken from argv[0]; our detail
//! (`>>> referenced by`, hints) follows on the next lines. Both linkers are run through links
//! named alike, so even the `NAME: error:` prefix is compared.

use e2e_tests::{cli_binary, require_tool, Scratch};
use std::path::{Path, PathBuf};
use std::process::Command;

const FLAGS: &[&str] = &["--target=wasm32", "-O1"];

/// One run of a linker: exit code, stdout, stderr.
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    /// The first line of each message (`NAME: error: ...`): the lines that are neither
    /// `>>>` detail nor blank.
    fn first_lines(&self) -> Vec<&str> {
        self.stderr
            .lines()
            .filter(|l| !l.is_empty() && !l.starts_with(">>>"))
            .collect()
    }

    /// The `>>>` lines.
    fn detail(&self) -> Vec<&str> {
        self.stderr
            .lines()
            .filter(|l| l.starts_with(">>>"))
            .collect()
    }
}

/// `wasm-ld` links to both linkers in `<scratch>/ours` and `<scratch>/ref`, so that both
/// print `wasm-ld: ` (lld names itself after argv[0], as we do).
struct Linkers {
    ours: PathBuf,
    theirs: PathBuf,
}

impl Linkers {
    fn new(s: &Scratch) -> Linkers {
        let link = |dir: &str, target: PathBuf| {
            let dir = s.path(dir);
            std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
            let link = dir.join("wasm-ld");
            let _ = std::fs::remove_file(&link);
            std::os::unix::fs::symlink(&target, &link)
                .unwrap_or_else(|e| panic!("{}: {e}", link.display()));
            link
        };
        Linkers {
            ours: link("ours", cli_binary("wasm-link")),
            theirs: link("ref", require_tool("wasm-ld-19")),
        }
    }

    /// Runs both in `s`'s directory with `args`.
    fn run(&self, s: &Scratch, args: &[&str]) -> (Run, Run) {
        (
            run(&self.ours, &s.dir, args),
            run(&self.theirs, &s.dir, args),
        )
    }

    /// Runs both and asserts the same exit code and the same first lines, in order.
    fn same_first_lines(&self, s: &Scratch, args: &[&str]) -> (Run, Run) {
        let (ours, theirs) = self.run(s, args);
        assert_eq!(
            (ours.code, ours.first_lines()),
            (theirs.code, dedup(theirs.first_lines())),
            "{args:?}: first lines differ from wasm-ld-19's\nours:\n{}\ntheirs:\n{}",
            ours.stderr,
            theirs.stderr
        );
        (ours, theirs)
    }
}

fn run(linker: &Path, dir: &Path, args: &[&str]) -> Run {
    let out = Command::new(linker)
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", linker.display()));
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// wasm-ld's lines with repeated undefined-symbol errors dropped: it reports one once per
/// relocation, we once per (file, symbol), at its first relocation.
fn dedup(lines: Vec<&str>) -> Vec<&str> {
    let mut seen = std::collections::HashSet::new();
    lines
        .into_iter()
        .filter(|l| {
            !l.contains("error: ") || !l.contains(": undefined symbol: ") || seen.insert(*l)
        })
        .collect()
}

const A: &str = "extern int foo(void); extern int bar(void); extern int dat;\n\
                 int f1(void) { return foo() + bar() + dat; }\n\
                 int f2(void) { return foo(); }\n\
                 int _start(void) { return f1() + f2(); }\n";
const B: &str = "extern int foo(void);\nint g(void) { return foo(); }\n";

/// `a.o` (references foo twice, bar, data dat) and `b.o` (references foo).
fn undefined_setup(name: &str) -> (Scratch, Linkers) {
    let s = Scratch::new("diagnostics", name);
    // Unoptimised, so that f1 and f2 stay functions of their own.
    s.object("a.o", A, &["--target=wasm32"]);
    s.object("b.o", B, &["--target=wasm32"]);
    let l = Linkers::new(&s);
    (s, l)
}

#[test]
fn prefix_is_the_name_the_linker_was_run_as() {
    let (s, l) = undefined_setup("prefix");
    let (ours, _) = l.same_first_lines(&s, &["a.o", "b.o", "--export=g", "-o", "out.wasm"]);
    assert!(ours
        .stderr
        .starts_with("wasm-ld: error: a.o: undefined symbol: foo\n"));
    // Run by its own name, it says so.
    let direct = run(&cli_binary("wasm-link"), &s.dir, &["a.o", "-o", "out.wasm"]);
    assert!(
        direct
            .stderr
            .starts_with("wasm-link: error: a.o: undefined symbol: foo\n"),
        "{}",
        direct.stderr
    );
}

#[test]
fn undefined_symbols_once_per_file_with_our_lines_beneath() {
    let (s, l) = undefined_setup("undefined");
    for policy in [
        &[][..],
        &["--unresolved-symbols=report-all"],
        &["--error-unresolved-symbols"],
        &["--warn-unresolved-symbols", "--error-unresolved-symbols"],
    ] {
        let mut args = vec!["a.o", "b.o", "--export=g", "-o", "out.wasm"];
        args.extend_from_slice(policy);
        let (ours, theirs) = l.same_first_lines(&s, &args);
        assert_eq!(theirs.first_lines().len(), 5, "wasm-ld repeats a.o's foo");
        assert_eq!(
            ours.detail()[..3],
            [
                ">>> referenced by a.o (function f1)",
                ">>> referenced by a.o (function f2)",
                ">>> if the host provides a function, import it: \
                 __attribute__((import_module(\"env\"), import_name(\"foo\"))) on its \
                 declaration, or link with --allow-undefined (or list it in \
                 --allow-undefined-file)",
            ],
            "{policy:?}"
        );
        // The import hint once per link; every message has its references.
        assert_eq!(
            ours.stderr.matches("import it").count(),
            1,
            "{}",
            ours.stderr
        );
        assert_eq!(ours.stderr.matches(">>> referenced by").count(), 5);
        assert!(ours.stderr.contains(
            "wasm-ld: error: b.o: undefined symbol: foo\n>>> referenced by b.o (function g)"
        ));
    }
}

#[test]
fn warnings_for_undefined_symbols_are_wasm_lds() {
    let (s, l) = undefined_setup("warn");
    for policy in [
        &["--warn-unresolved-symbols"][..],
        &[
            "--unresolved-symbols=report-all",
            "--warn-unresolved-symbols",
        ],
    ] {
        let mut args = vec!["a.o", "b.o", "--export=g", "-o", "out.wasm"];
        args.extend_from_slice(policy);
        let (ours, theirs) = l.run(&s, &args);
        assert_eq!((ours.code, &ours.stderr), (theirs.code, &theirs.stderr));
        assert_eq!(theirs.code, 0);
    }
}

#[test]
fn runtime_symbols_name_their_library_not_a_host_import() {
    let s = Scratch::new("diagnostics", "runtime");
    s.object(
        "rt.o",
        "void __cxa_throw(void *, void *, void (*)(void *));\n\
         __int128 mul(__int128 a, __int128 b) { return a * b; }\n\
         void _start(void) { __cxa_throw(0, 0, 0); }\n",
        FLAGS,
    );
    let l = Linkers::new(&s);
    let (ours, _) = l.same_first_lines(&s, &["rt.o", "--export=mul", "-o", "out.wasm"]);
    assert!(ours.stderr.contains("undefined symbol: __cxa_throw"));
    assert!(ours.stderr.contains("undefined symbol: __multi3"));
    assert!(ours
        .stderr
        .contains(">>> __cxa_* symbols come from the C++ ABI library"));
    assert!(ours.stderr.contains(">>> compiler-rt builtins"));
    assert!(!ours.stderr.contains("import it"), "{}", ours.stderr);
}

#[test]
fn error_limit_and_its_closing_line() {
    let (s, l) = undefined_setup("error-limit");
    for limit in ["--error-limit=2", "--error-limit=1"] {
        let (ours, _) = l.same_first_lines(&s, &["a.o", "b.o", limit, "-o", "out.wasm"]);
        assert!(ours.stderr.ends_with(
            "wasm-ld: error: too many errors emitted, stopping now (use -error-limit=0 to see \
             all errors)\n"
        ));
    }
    l.same_first_lines(&s, &["a.o", "b.o", "--error-limit=0", "-o", "out.wasm"]);
}

#[test]
fn colours_as_lld_colours_them() {
    let (s, l) = undefined_setup("color");
    for color in [
        "--color-diagnostics",
        "--color-diagnostics=always",
        "--color-diagnostics=never",
        "--no-color-diagnostics",
        "--color-diagnostics=auto",
    ] {
        let args = [color, "a.o", "--warn-unresolved-symbols", "-o", "out.wasm"];
        let (ours, theirs) = l.run(&s, &args);
        assert_eq!(ours.stderr, theirs.stderr, "{color}");
        let args = [color, "a.o", "-o", "out.wasm"];
        l.same_first_lines(&s, &args);
    }
    let (ours, _) = l.run(&s, &["--color-diagnostics", "a.o", "-o", "out.wasm"]);
    assert!(ours
        .stderr
        .starts_with("wasm-ld: \x1b[0;31merror: \x1b[0ma.o: undefined symbol: foo\n"));
    l.same_first_lines(&s, &["--color-diagnostics=bogus", "a.o"]);
}

#[test]
fn exact_wordings() {
    let s = Scratch::new("diagnostics", "wordings");
    s.object(
        "use.o",
        "extern int x(void);\nint _start(void) { return x(); }\n",
        FLAGS,
    );
    s.object("data.o", "int x = 1;\n", FLAGS);
    let c = s.object("c.o", "int g(void) { return 1; }\n", FLAGS);
    let mut bytes = std::fs::read(&c).expect("c.o");
    bytes[4] = 2;
    std::fs::write(s.path("badver.o"), bytes).expect("badver.o");
    std::fs::write(s.path("junk.txt"), "not wasm\n").expect("junk.txt");
    s.archive("rc", "lib.a", &["c.o", "junk.txt"]);
    std::fs::create_dir_all(s.path("adir")).expect("adir");
    let tls = &["--target=wasm32", "-matomics", "-mbulk-memory"];
    s.object(
        "tls-use.o",
        "extern _Thread_local int tv;\nint _start(void) { return tv; }\n",
        tls,
    );
    s.object("tls-def.o", "int tv = 3;\n", tls);
    let l = Linkers::new(&s);
    let cases: &[(&[&str], &str)] = &[
        (&["use.o", "data.o", "-o", "o.wasm"], "symbol type mismatch: x"),
        (&["badver.o", "--no-entry", "-o", "o.wasm"], "badver.o: invalid version number: 2"),
        (
            &["lib.a", "c.o", "--no-entry", "-o", "o.wasm"],
            "warning: lib.a: archive member 'junk.txt' is neither Wasm object file nor LLVM bitcode",
        ),
        (&[], "error: no input files"),
        (&["--export=a"], "error: no input files"),
        (&["c.o"], "error: no output file specified"),
        (&["-lnosuch", "c.o"], "error: unable to find library -lnosuch"),
        (
            &["c.o", "--no-entry", "-o", "no/such/o.wasm"],
            "cannot open output file no/such/o.wasm: No such file or directory",
        ),
        (
            &["c.o", "--no-entry", "-o", "o.wasm", "-Map=no/such/m.map"],
            "cannot open map file no/such/m.map: No such file or directory",
        ),
        (
            &["c.o", "--no-entry", "-o", "o.wasm", "--why-extract=no/such/w.txt"],
            "cannot open --why-extract= file no/such/w.txt: No such file or directory",
        ),
        (
            &["missing.o", "missing.o", "-o", "o.wasm"],
            "cannot open missing.o: No such file or directory",
        ),
        (&["adir", "-o", "o.wasm"], "cannot open adir: Is a directory"),
        (
            &["c.o", "-Bsymbolic", "--no-entry", "-o", "o.wasm"],
            "warning: -Bsymbolic is only meaningful when combined with -shared",
        ),
        (
            &["tls-use.o", "tls-def.o", "--shared-memory", "-o", "o.wasm"],
            "tls-use.o: relocation R_WASM_MEMORY_ADDR_TLS_SLEB cannot be used against `tv` in \
             non-TLS section: .data",
        ),
        (
            &["tls-use.o", "--shared-memory", "-o", "o.wasm"],
            "cannot be used against an undefined symbol `tv`",
        ),
    ];
    for (args, expected) in cases {
        let (ours, _) = l.same_first_lines(&s, args);
        assert!(ours.stderr.contains(expected), "{args:?}: {}", ours.stderr);
    }
    // The missing file once per mention, as wasm-ld; our detail under the version error.
    let (ours, _) = l.run(&s, &["badver.o", "--no-entry", "-o", "o.wasm"]);
    assert_eq!(
        ours.detail(),
        [">>> badver.o: at offset 0x4: expected binary format version 1, found 0x2"]
    );
}

#[test]
fn a_blank_line_follows_a_message_of_several_lines() {
    let s = Scratch::new("diagnostics", "separator");
    s.object(
        "a.o",
        "int g(void) { return 1; }\nint h(void) { return 2; }\n",
        FLAGS,
    );
    s.object(
        "b.o",
        "int g(void) { return 1; }\nint h(void) { return 2; }\n",
        FLAGS,
    );
    let l = Linkers::new(&s);
    let (ours, theirs) = l.run(&s, &["a.o", "b.o", "--no-entry", "-o", "o.wasm"]);
    assert_eq!((ours.code, &ours.stderr), (theirs.code, &theirs.stderr));
    assert!(ours
        .stderr
        .contains("\n\nwasm-ld: error: duplicate symbol: h\n"));
    assert!(ours.stdout.is_empty());
}

#[test]
fn version_names_lld_for_build_systems_and_v_only_prints_it() {
    let s = Scratch::new("diagnostics", "version");
    s.object("c.o", "int g(void) { return 1; }\n", FLAGS);
    let l = Linkers::new(&s);
    for args in [&["--version"][..], &["-v"]] {
        let (ours, theirs) = l.run(&s, args);
        assert_eq!((ours.code, theirs.code), (0, 0));
        let first = ours.stdout.lines().next().unwrap_or_default();
        // Meson and CMake look for `LLD` on the first line, then the first version number.
        assert!(
            first.starts_with("LLD 19.1.7 (compatible with GNU linkers)"),
            "{first}"
        );
        assert!(theirs.stdout.contains("LLD 19.1.7"), "{}", theirs.stdout);
    }
    // `-v` with inputs prints the version and, in wasm-ld 19, links nothing.
    let args = ["-v", "c.o", "--no-entry", "-o", "v.wasm"];
    let (ours, theirs) = l.run(&s, &args);
    assert_eq!((ours.code, theirs.code), (0, 0));
    assert_eq!(ours.stdout.lines().count(), theirs.stdout.lines().count());
    assert!(!s.path("v.wasm").exists(), "-v linked");
    // After argument errors: the errors, then the version line on stdout, and failure.
    for args in [&["-v", "--bogus"][..], &["--version", "--bogus"]] {
        let (ours, theirs) = l.run(&s, args);
        assert_eq!((ours.code, theirs.code), (1, 1), "{args:?}");
        assert_eq!(ours.stdout.lines().count(), 1, "{args:?}: {}", ours.stdout);
        assert_eq!(
            theirs.stdout.lines().count(),
            1,
            "{args:?}: {}",
            theirs.stdout
        );
        let first = |t: &str| {
            t.lines()
                .next()
                .unwrap_or_default()
                .split(": ")
                .skip(1)
                .collect::<Vec<_>>()
                .join(": ")
        };
        assert_eq!(first(&ours.stderr), first(&theirs.stderr), "{args:?}");
    }
}

#[test]
fn help_lists_wasm_lds_options_and_only_accepted_spellings() {
    let s = Scratch::new("diagnostics", "help");
    s.object("c.o", "int g(void) { return 1; }\n", FLAGS);
    let l = Linkers::new(&s);
    let (ours, theirs) = l.run(&s, &["--help"]);
    assert_eq!((ours.code, theirs.code), (0, 0));
    // The names column: up to two spaces, spellings separated by ", ".
    let column = |l: &str| -> Option<String> {
        let l = l.strip_prefix("  -")?;
        Some(format!("-{}", l.split("  ").next().unwrap_or("")))
    };
    let options = |text: &str| -> Vec<String> {
        text.lines()
            .filter_map(column)
            .flat_map(|l| {
                let names: Vec<String> = l
                    .split(", ")
                    .map(|o| o.split([' ', '=', '<']).next().unwrap_or("").to_string())
                    .collect();
                names
            })
            .collect()
    };
    let ours_listed = options(&ours.stdout);
    for theirs in options(&theirs.stdout) {
        assert!(
            ours_listed.contains(&theirs),
            "--help does not list {theirs}"
        );
    }
    for bogus in ["--o", "--m", "--z", "--O", "--v"] {
        assert!(
            !ours_listed.iter().any(|o| o == bogus),
            "--help lists {bogus}"
        );
    }
    // Every spelling --help shows is accepted.
    for line in ours.stdout.lines().filter_map(column) {
        for spelling in line.split(", ") {
            let mut parts = spelling.splitn(2, ' ');
            let mut args: Vec<String> = vec![parts.next().unwrap_or("").replace("<value>", "1")];
            if parts.next().is_some() {
                args.push("1".into());
            }
            let name = args[0].clone();
            if ["--help", "--version", "-v"].contains(&name.as_str()) {
                continue;
            }
            let run = run(
                &l.ours,
                &s.dir,
                &args.iter().map(String::as_str).collect::<Vec<_>>(),
            );
            assert!(
                !run.stderr.contains("unknown argument"),
                "{args:?}: {}",
                run.stderr
            );
        }
    }
}

#[test]
fn verbose_prints_loading_and_processing() {
    let s = Scratch::new("diagnostics", "verbose");
    s.object("c.o", "int g(void) { return 1; }\n", FLAGS);
    s.object("m.o", "int h(void) { return 2; }\n", FLAGS);
    s.archive("rc", "lib.a", &["m.o"]);
    let l = Linkers::new(&s);
    let (ours, theirs) = l.run(
        &s,
        &["--verbose", "c.o", "lib.a", "--no-entry", "-o", "v.wasm"],
    );
    let wanted = |r: &Run| -> Vec<String> {
        r.stderr
            .lines()
            .filter(|l| l.contains(": Loading: ") || l.contains(": Processing: "))
            .map(String::from)
            .collect()
    };
    assert_eq!((ours.code, theirs.code), (0, 0));
    assert_eq!(wanted(&ours), wanted(&theirs));
    assert_eq!(wanted(&ours).len(), 4, "{}", ours.stderr);
}

/// `--print-map` wins over `--Map=FILE` (the map goes to stdout, no file), whatever their
/// order; stubs are named by their symbol in the map (`<internal>:(maybe)`).
#[test]
fn print_map_wins_over_map_and_names_stubs_by_symbol() {
    let s = Scratch::new("diagnostics", "print_map");
    let source = "extern void maybe(void) __attribute__((weak));\n\
                  int f(int x);\n\
                  void _start(void) { if (maybe) maybe(); }\n";
    s.object("weak.o", source, FLAGS);
    s.object("call.o", "int f(int x);\nvoid g(void) { f(1); }\n", FLAGS);
    s.object("def.o", "int f(int x, int y) { return x + y; }\n", FLAGS);
    let l = Linkers::new(&s);
    let inputs = ["weak.o", "call.o", "def.o", "--export=g", "-o", "m.wasm"];
    for options in [
        &["-M"][..],
        &["-M", "--Map=m.map"],
        &["--Map=m.map", "--print-map"],
    ] {
        let args: Vec<&str> = options.iter().chain(&inputs).copied().collect();
        let _ = std::fs::remove_file(s.path("m.map"));
        let (ours, theirs) = l.run(&s, &args);
        assert_eq!(
            (ours.code, &ours.stdout),
            (theirs.code, &theirs.stdout),
            "{args:?}"
        );
        assert!(
            ours.stdout.contains("<internal>:(maybe)"),
            "{}",
            ours.stdout
        );
        assert!(ours.stdout.contains("<internal>:(f)"), "{}", ours.stdout);
        assert!(
            !s.path("m.map").exists(),
            "{args:?}: a map file was written"
        );
    }
}

/// `--rsp-quoting=windows`: response files split as LLVM's `TokenizeWindowsCommandLine` does
/// (`""` inside quotes, backslashes before quotes, line breaks inside quotes); the missing
/// files wasm-ld names show the arguments it made.
#[test]
fn windows_response_file_quoting() {
    let s = Scratch::new("diagnostics", "rsp_windows");
    s.object("a b.o", "void _start(void) {}\n", FLAGS);
    let text = "\"a b.o\" -o \"out put.wasm\" \"x\"\"y\" a\\\\\"b c\\\\\\\\\"d e\"\n";
    std::fs::write(s.path("w.rsp"), text).expect("write rsp");
    std::fs::write(s.path("ok.rsp"), "\"a b.o\" -o \"out put.wasm\"\n").expect("write rsp");
    let l = Linkers::new(&s);
    let (ours, theirs) = l.same_first_lines(&s, &["--rsp-quoting=windows", "@w.rsp"]);
    assert_eq!(ours.code, 1, "{}", ours.stderr);
    assert!(
        theirs.stderr.contains("cannot open x\"y"),
        "{}",
        theirs.stderr
    );
    for args in [
        &["--rsp-quoting=windows", "@ok.rsp"][..],
        &["@ok.rsp", "--rsp-quoting", "windows"],
    ] {
        let (ours, theirs) = l.run(&s, args);
        assert_eq!(
            (ours.code, theirs.code),
            (0, 0),
            "{args:?}: {}",
            ours.stderr
        );
    }
    assert!(s.path("out put.wasm").is_file());
    let (ours, _) = l.same_first_lines(&s, &["--rsp-quoting=bogus", "@ok.rsp"]);
    assert!(
        ours.stderr.contains("invalid response file quoting: bogus"),
        "{}",
        ours.stderr
    );
}

/// `-o -` with `-M` and `-t`: the map and the trace come before the module on stdout, as wasm-ld
/// prints them while linking; the whole stream is wasm-ld's.
#[test]
fn stdout_output_follows_the_map_and_trace() {
    let s = Scratch::new("diagnostics", "stdout_map");
    s.object("c.o", "void _start(void) {}\n", FLAGS);
    let l = Linkers::new(&s);
    let (ours, theirs) = l.run(&s, &["-M", "-t", "c.o", "-o", "-"]);
    assert_eq!((ours.code, theirs.code), (0, 0), "{}", ours.stderr);
    let map = ours.stdout.find("    Addr").expect("no map on stdout");
    let module = ours.stdout.find("asm").expect("no module on stdout");
    assert!(
        ours.stdout.starts_with("c.o\n") && map < module,
        "{}",
        ours.stdout
    );
    assert_eq!(ours.stdout, theirs.stdout);
}

/// `--time` (ours): one line per phase in order (the parts of writing after `write`), the
/// total, and the peak memory, on stderr; the output is the same as without it.
#[test]
fn time_prints_each_phase() {
    let s = Scratch::new("diagnostics", "time");
    s.object("c.o", "void _start(void) {}\n", FLAGS);
    let l = Linkers::new(&s);
    let (ours, _) = l.run(&s, &["--time", "c.o", "-o", "timed.wasm"]);
    assert_eq!(ours.code, 0, "{}", ours.stderr);
    let phases: Vec<&str> = ours
        .stderr
        .lines()
        .filter_map(|l| l.split_once("time: ")?.1.split_whitespace().next())
        .collect();
    let want = [
        "load",
        "resolve",
        "mark",
        "check",
        "layout",
        "write",
        "write.plan",
        "write.head",
        "write.sections",
        "write.fill",
        "reports",
        "commit",
        "total",
        "peak",
    ];
    assert_eq!(phases, want, "{}", ours.stderr);
    let (plain, _) = l.run(&s, &["c.o", "-o", "plain.wasm"]);
    assert_eq!(plain.code, 0);
    let read = |f: &str| std::fs::read(s.path(f)).expect("output");
    assert!(read("timed.wasm").len() == read("plain.wasm").len());
}
