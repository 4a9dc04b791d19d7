//! Archive inputs, end to end against wasm-ld-19: thin archives (members read from files named
//! relative to the archive's directory), members that are neither wasm nor bitcode (wasm-ld's
//! warning, or its error under `--whole-archive`), and LLVM bitcode members (compiled by LTO
//! when loaded; without libLTO, an error naming the member whenever wasm-ld would load it), and
//! a damaged symbol index, which wasm-ld never reads.

use e2e_tests::{cli_binary, run_both, run_linker, validate_module, LinkRun, Scratch};
use std::ffi::OsStr;

const FLAGS: &[&str] = &["--target=wasm32", "-O2"];
const START: &str = "int helper(int);\nvoid _start(void) { helper(3); }\n";
const HELPER: &str = "int helper(int x) { return x * 2; }\n";
const UNUSED: &str = "int unused(void) { return 9; }\n";

fn os<'a>(args: &[&'a str]) -> Vec<&'a OsStr> {
    args.iter().map(|a| OsStr::new(*a)).collect()
}

/// Both linkers succeeded with the same bytes, which validate_module, and printed the same things.
fn assert_same_output(ours: &LinkRun, theirs: &LinkRun, what: &str) {
    assert_eq!(
        theirs.code, 0,
        "{what}: wasm-ld-19 failed: {}",
        theirs.stderr
    );
    assert_eq!(ours.code, 0, "{what}: {}", ours.stderr);
    assert_eq!(ours.stderr, theirs.stderr, "{what}: diagnostics differ");
    assert_eq!(ours.stdout, theirs.stdout, "{what}: stdout differs");
    let bytes = ours.output.as_deref().expect("no output");
    validate_module(bytes, what);
    assert!(
        ours.output == theirs.output,
        "{what}: output differs from wasm-ld-19's"
    );
}

/// The first line of an error, as both linkers print it.
fn first_line(run: &LinkRun) -> &str {
    run.stderr.lines().next().unwrap_or("")
}

/// Objects in `sub/`, a thin archive of them in `libs/`: member names `../sub/*.o`.
fn thin_setup(s: &Scratch) {
    s.object("start.o", START, FLAGS);
    s.object("sub/helper.o", HELPER, FLAGS);
    s.object("sub/unused.o", UNUSED, FLAGS);
    let thin = s.archive("rcT", "libs/libthin.a", &["sub/helper.o", "sub/unused.o"]);
    let bytes = std::fs::read(thin).unwrap();
    assert!(
        bytes.starts_with(b"!<thin>\n"),
        "llvm-ar-19 wrote no thin archive"
    );
}

#[test]
fn thin_archives_link_byte_identical_to_wasm_ld() {
    let s = Scratch::new("archives", "thin");
    thin_setup(&s);
    let why = ["--why-extract=-", "--trace"];
    let cases: [(&str, Vec<&str>); 3] = [
        ("lazy", vec!["../../start.o", "../../libs/libthin.a"]),
        (
            "why-extract",
            [&["../../start.o", "../../libs/libthin.a"][..], &why].concat(),
        ),
        (
            "whole-archive",
            vec![
                "../../start.o",
                "--whole-archive",
                "../../libs/libthin.a",
                "--export=unused",
            ],
        ),
    ];
    for (name, args) in cases {
        let (ours, theirs) = run_both(&os(&args), &s.path(name));
        assert_same_output(&ours, &theirs, name);
    }
    // The member really came from the thin archive: `--why-extract` names it.
    let (ours, _) = run_both(
        &os(&["../../start.o", "../../libs/libthin.a", "--why-extract=-"]),
        &s.path("named"),
    );
    let text = String::from_utf8_lossy(&ours.stdout);
    assert!(
        text.contains("../../libs/libthin.a(../sub/helper.o)\thelper"),
        "{text}"
    );
}

#[test]
fn thin_archive_members_may_be_absolute_and_the_archive_anywhere() {
    let s = Scratch::new("archives", "thin-absolute");
    s.object("start.o", START, FLAGS);
    let helper = s.object("sub/helper.o", HELPER, FLAGS);
    s.archive("rcT", "libs/libabs.a", &[helper.to_str().unwrap()]);
    let archive = s.path("libs/libabs.a");
    let args = [s.path("start.o"), archive];
    let args: Vec<&OsStr> = args.iter().map(|p| p.as_os_str()).collect();
    let (ours, theirs) = run_both(&args, &s.path("out"));
    assert_same_output(&ours, &theirs, "absolute member");
}

/// wasm-ld never reads an archive's symbol index (laziness comes from the members' own symbol
/// tables), so a damaged one changes nothing: the same output, no error.
#[test]
fn a_damaged_symbol_index_links_as_with_wasm_ld() {
    let s = Scratch::new("archives", "damaged-index");
    s.object("start.o", START, FLAGS);
    s.object("helper.o", HELPER, FLAGS);
    s.object("unused.o", UNUSED, FLAGS);
    let archive = s.archive("rcs", "libdamaged.a", &["helper.o", "unused.o"]);
    let mut bytes = std::fs::read(&archive).unwrap();
    // The GNU index is the first member; its symbol count, the first field after the header,
    // now claims far more symbols than the index holds.
    assert_eq!(&bytes[8..10], b"/ ", "llvm-ar-19 wrote no GNU index first");
    bytes[68..72].copy_from_slice(&0x7fff_ffffu32.to_be_bytes());
    std::fs::write(&archive, bytes).unwrap();
    let args = [s.path("start.o"), archive];
    let args: Vec<&OsStr> = args.iter().map(|p| p.as_os_str()).collect();
    let (ours, theirs) = run_both(&args, &s.path("out"));
    assert_same_output(&ours, &theirs, "damaged index");
}

#[test]
fn a_missing_thin_archive_member_is_wasm_ld_s_error() {
    let s = Scratch::new("archives", "thin-missing");
    thin_setup(&s);
    std::fs::remove_file(s.path("sub/unused.o")).unwrap();
    // wasm-ld opens every member with the archive, needed or not.
    let (ours, theirs) = run_both(
        &os(&["../../start.o", "../../libs/libthin.a"]),
        &s.path("out"),
    );
    assert_eq!((ours.code, theirs.code), (1, 1), "{}", ours.stderr);
    assert_eq!(first_line(&ours), first_line(&theirs));
    assert_eq!(
        first_line(&ours),
        "error: ../../libs/libthin.a: could not get the buffer for a child of the archive: \
         '../sub/unused.o': No such file or directory"
    );
    assert!(ours.output.is_none());
}

/// An archive with a text file and a host (ELF) object besides a wasm member.
fn mixed_archive(s: &Scratch) {
    s.object("start.o", START, FLAGS);
    s.object("helper.o", HELPER, FLAGS);
    std::fs::write(s.path("notes.txt"), "not an object\n").unwrap();
    // clang's default target is the host's: an ELF object.
    s.object("host.o", UNUSED, &["-O2"]);
    s.archive("rcs", "libmixed.a", &["notes.txt", "helper.o", "host.o"]);
}

#[test]
fn members_neither_wasm_nor_bitcode_get_wasm_ld_s_warning() {
    let s = Scratch::new("archives", "not-wasm");
    mixed_archive(&s);
    let (ours, theirs) = run_both(&os(&["../../start.o", "../../libmixed.a"]), &s.path("lazy"));
    assert_same_output(&ours, &theirs, "mixed archive");
    assert_eq!(
        ours.stderr,
        "warning: ../../libmixed.a: archive member 'notes.txt' is neither Wasm object file nor \
         LLVM bitcode\nwarning: ../../libmixed.a: archive member 'host.o' is neither Wasm object \
         file nor LLVM bitcode\n"
    );
    // Also when nothing is taken from the archive.
    let args = os(&["../../start.o", "../../helper.o", "../../libmixed.a"]);
    let (ours, theirs) = run_both(&args, &s.path("unused"));
    assert_same_output(&ours, &theirs, "unused mixed archive");
    assert_eq!(ours.stderr.lines().count(), 2, "{}", ours.stderr);
    // --fatal-warnings makes them errors, as in wasm-ld.
    let args = os(&["../../start.o", "../../libmixed.a", "--fatal-warnings"]);
    let (ours, theirs) = run_both(&args, &s.path("fatal"));
    assert_eq!((ours.code, theirs.code), (1, 1), "{}", ours.stderr);
    assert_eq!(first_line(&ours), first_line(&theirs));
}

#[test]
fn members_neither_wasm_nor_bitcode_are_an_error_under_whole_archive() {
    let s = Scratch::new("archives", "not-wasm-whole");
    mixed_archive(&s);
    let args = os(&["../../start.o", "--whole-archive", "../../libmixed.a"]);
    let (ours, theirs) = run_both(&args, &s.path("whole"));
    assert_eq!((ours.code, theirs.code), (1, 1), "{}", ours.stderr);
    assert_eq!(first_line(&ours), first_line(&theirs));
    assert!(
        ours.stderr.contains(">>> ../../libmixed.a(notes.txt)"),
        "{}",
        ours.stderr
    );
    assert!(ours.output.is_none());
}

/// `lto.o` (bitcode defining `helper`) and `other.o` (bitcode defining `other`) in an archive.
fn bitcode_archive(s: &Scratch, operation: &str) {
    s.object("start.o", START, FLAGS);
    s.object("helper.o", HELPER, FLAGS);
    let lto = [FLAGS, &["-flto"]].concat();
    s.object("lto.o", "int helper(int x) { return x * 3; }\n", &lto);
    s.object("other.o", "int other(void) { return 7; }\n", &lto);
    let bytes = std::fs::read(s.path("lto.o")).unwrap();
    assert!(
        bytes.starts_with(b"BC\xC0\xDE"),
        "clang-19 -flto wrote no bitcode"
    );
    s.archive(operation, "libbc.a", &["lto.o", "other.o"]);
}

#[test]
fn a_needed_bitcode_member_is_compiled_by_lto_as_wasm_ld_does() {
    let s = Scratch::new("archives", "bitcode-needed");
    bitcode_archive(&s, "rcs");
    // lto.o is extracted for `helper` and compiled by LTO, as wasm-ld-19 does.
    let (ours, theirs) = run_both(&os(&["../../start.o", "../../libbc.a"]), &s.path("needed"));
    assert_same_output(&ours, &theirs, "needed bitcode member");
    // Under --whole-archive every member is loaded and compiled.
    let args = os(&["../../start.o", "--whole-archive", "../../libbc.a"]);
    let (ours, theirs) = run_both(&args, &s.path("whole"));
    assert_same_output(&ours, &theirs, "--whole-archive bitcode members");
    // With helper.o too, wasm-ld's duplicate-symbol error names the member.
    let args = os(&[
        "../../start.o",
        "../../helper.o",
        "--whole-archive",
        "../../libbc.a",
    ]);
    let (ours, theirs) = run_both(&args, &s.path("duplicate"));
    assert_eq!((ours.code, &ours.stderr), (1, &theirs.stderr));
}

/// Without libLTO, a bitcode member is lazy by the archive index's symbols, and an error
/// naming it (and what to install) when it is needed.
#[test]
fn a_needed_bitcode_member_without_liblto_is_an_error_naming_it() {
    let s = Scratch::new("archives", "bitcode-no-liblto");
    bitcode_archive(&s, "rcs");
    let args = os(&[
        "--lto-library=/nonexistent",
        "../../start.o",
        "../../libbc.a",
    ]);
    let ours = run_linker(&cli_binary("wasm-link"), &args, &s.path("needed/ours"));
    assert_eq!(ours.code, 1);
    assert!(
        first_line(&ours).starts_with(
            "error: ../../libbc.a(lto.o): LLVM bitcode needs libLTO for link-time optimization"
        ),
        "{}",
        ours.stderr
    );
    assert!(
        ours.stderr.contains("llvm-19-linker-tools"),
        "{}",
        ours.stderr
    );
    assert!(ours.output.is_none());
    // Not needed: linked without libLTO.
    let args = os(&[
        "--lto-library=/nonexistent",
        "../../start.o",
        "../../helper.o",
        "../../libbc.a",
    ]);
    let ours = run_linker(&cli_binary("wasm-link"), &args, &s.path("unneeded/ours"));
    assert_eq!(ours.code, 0, "{}", ours.stderr);
}

#[test]
fn an_unneeded_bitcode_member_is_left_alone_like_wasm_ld_does() {
    let s = Scratch::new("archives", "bitcode-unneeded");
    bitcode_archive(&s, "rcs");
    // `helper` comes from helper.o first: wasm-ld-19 extracts nothing, and neither do we.
    let args = os(&["../../start.o", "../../helper.o", "../../libbc.a"]);
    let (ours, theirs) = run_both(&args, &s.path("unneeded"));
    assert_same_output(&ours, &theirs, "unneeded bitcode member");
}

#[test]
fn a_bitcode_member_without_an_index_is_read_by_liblto() {
    let s = Scratch::new("archives", "bitcode-no-index");
    // `S`: no symbol index; libLTO reads the members' symbols, as wasm-ld does.
    bitcode_archive(&s, "rcS");
    let args = os(&["../../start.o", "../../libbc.a"]);
    let (ours, theirs) = run_both(&args, &s.path("no-index"));
    assert_same_output(&ours, &theirs, "bitcode archive without an index");
}
