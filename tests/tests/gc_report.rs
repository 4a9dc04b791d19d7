//! `--print-gc-sections`, as wasm-ld 19 prints it: on stdout, right after GC, per object its
//! dead functions, segments, globals, tags and tables, then the linker's own functions and
//! globals. Compared line for line (and the outputs byte for byte) with wasm-ld-19's.

use e2e_tests::{clang_link_line, inline_object, link_pair, LinkPair, Scratch};
use std::ffi::OsString;
use std::path::{Path, PathBuf};

const GROUP: &str = "gc-report";
const C_FLAGS: &[&str] = &["--target=wasm32-unknown-unknown", "-O2"];

/// Links `inputs` then `flags` with both linkers.
fn link(case: &str, inputs: &[impl AsRef<Path>], flags: &[&str]) -> LinkPair {
    let mut args: Vec<OsString> = inputs.iter().map(|p| p.as_ref().into()).collect();
    args.extend(flags.iter().map(OsString::from));
    link_pair(GROUP, case, &args)
}

/// `--print-gc-sections` prints to stdout what wasm-ld's `markLive` found dead: per object
/// (archive members too) its functions, segments, globals, tags and tables, then the linker's
/// own functions (stubs included) and globals; nothing without GC.
#[test]
fn print_gc_sections() {
    let s = Scratch::new(GROUP, "print-gc");
    let a = s.object(
        "a.o",
        "int dead_data[4] = {1, 2, 3, 4};\nconst char *dead_str = \"hello\";\nint live_data = 5;\n\
         __attribute__((weak)) void maybe(void);\n\
         int dead_fn(int x) { return dead_data[x]; }\n\
         void lonely(void) { if (maybe) maybe(); }\nint _start(void) { return live_data; }\n",
        C_FLAGS,
    );
    let c = s.object(
        "c.o",
        "void helper(void);\nvoid call_helper(void) { helper(); }\nint helper_def(void) { return 0; }\n",
        C_FLAGS,
    );
    s.object("h.o", "int helper(int x) { return x; }\n", C_FLAGS);
    s.object(
        "b.o",
        "int other_dead(int x) { return x + 1; }\nint helper(int x);\nint user(void) { return helper(1); }\n",
        C_FLAGS,
    );
    let lib = s.archive("rc", "libh.a", &["h.o", "b.o"]);
    let asm = inline_object(
        "gc-kinds.s",
        "# fixture-flags: -mattr=+reference-types,+exception-handling\n\
         \t.globaltype dead_global, i32\n\t.globl dead_global\ndead_global:\n\
         \t.globaltype live_global, i64\n\t.globl live_global\nlive_global:\n\
         \t.tabletype dead_table, externref\n\t.globl dead_table\ndead_table:\n\
         \t.tagtype dead_tag i32\n\t.globl dead_tag\ndead_tag:\n\
         \t.section .text.start2,\"\",@\n\t.globl start2\n\t.functype start2 () -> (i64)\n\
         start2:\n\t.functype start2 () -> (i64)\n\tglobal.get live_global\n\tend_function\n\
         \t.section .text._Z4deadv,\"\",@\n\t.globl _Z4deadv\n\t.functype _Z4deadv () -> ()\n\
         _Z4deadv:\n\t.functype _Z4deadv () -> ()\n\tend_function\n",
    );
    let tls_flags = [C_FLAGS, &["-matomics", "-mbulk-memory"]].concat();
    let tls = s.object(
        "tls.o",
        "_Thread_local int tv = 3;\nint dead_tls(void) { return tv; }\nint _start(void) { return 1; }\n",
        &tls_flags,
    );
    let plain_tls = s.object(
        "plain-tls.o",
        "_Thread_local int tv = 3;\nint dead_tls(void) { return tv; }\nint _start(void) { return 1; }\n",
        C_FLAGS,
    );
    let cases: [(&str, Vec<&PathBuf>, &[&str]); 5] = [
        (
            "print-gc-c",
            vec![&a, &c, &lib, &asm],
            &["--export=user", "--export=start2"],
        ),
        (
            "print-gc-trace",
            vec![&a, &c, &lib],
            &["--export=user", "--trace"],
        ),
        ("print-gc-shared", vec![&tls], &["--shared-memory"]),
        ("print-gc-plain-tls", vec![&plain_tls], &[]),
        ("print-gc-none", vec![&a, &c, &lib], &["--no-gc-sections"]),
    ];
    for (case, inputs, flags) in cases {
        let pair = link(case, &inputs, &[flags, &["--print-gc-sections"]].concat());
        pair.assert_same_run(case);
        let removed = String::from_utf8_lossy(&pair.ours.stdout)
            .matches("removing")
            .count();
        assert_eq!(
            removed == 0,
            case == "print-gc-none",
            "{case}: {removed} lines"
        );
    }
}

/// The same on a libc++ program: hundreds of lines, in wasm-ld's order, after `--trace`'s.
#[test]
fn print_gc_sections_libcxx() {
    let source = "// fixture-flags: --target=wasm32-wasi -fno-exceptions -O2\n\
        #include <map>\n#include <string>\n#include <vector>\n#include <cstdio>\n\
        int main() { std::map<std::string, std::vector<int>> m; m[\"a\"].push_back(1);\n\
          std::printf(\"%zu\\n\", m.size()); return 0; }\n";
    let obj = inline_object("gc-libcxx.cpp", source);
    let driver = ["--target=wasm32-wasi", "-fno-exceptions"].map(std::ffi::OsStr::new);
    let mut line = clang_link_line("clang++-19", &[&driver[..], &[obj.as_os_str()]].concat());
    let at = line.iter().position(|w| w == "-o").expect("no -o");
    line.drain(at..at + 2);
    let args: Vec<&str> = (line.iter().map(String::as_str))
        .chain(["--print-gc-sections", "--trace"])
        .collect();
    let pair = link("print-gc-libcxx", &[] as &[&Path], &args);
    pair.assert_same_run("print-gc-sections, libc++");
    let removed = String::from_utf8_lossy(&pair.ours.stdout)
        .matches("removing")
        .count();
    assert!(removed > 50, "{removed} lines");
}
