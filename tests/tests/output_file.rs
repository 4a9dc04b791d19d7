//! The output file, end to end against wasm-ld-19: its mode (`0777 & ~umask`), `-o -`,
//! special files written in place (FIFOs, character devices), the old output kept on every
//! failure (an undefined symbol, a map file that cannot be written, an unwritable path), and
//! the temporary file removed when the link is killed by SIGTERM or SIGINT, and the link in a
//! child process (`detach.rs`): the started process ends with its status and output in place.

use e2e_tests::{cli_binary, require_tool, validate_module, Scratch};
use std::fs;
use std::os::unix::fs::{FileTypeExt, PermissionsExt};
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

const FLAGS: &[&str] = &["--target=wasm32", "-O2"];
const START: &str = "int helper(int);\nvoid _start(void) { helper(3); }\n";
const HELPER: &str = "int helper(int x) { return x * 2; }\n";
const UNDEFINED: &str = "int missing(int);\nvoid _start(void) { missing(3); }\n";

/// `start.o`, `helper.o` and `undefined.o` in a fresh scratch directory.
fn setup(name: &str) -> Scratch {
    let s = Scratch::new("output-file", name);
    s.object("start.o", START, FLAGS);
    s.object("helper.o", HELPER, FLAGS);
    s.object("undefined.o", UNDEFINED, FLAGS);
    s
}

fn wasm_link() -> PathBuf {
    cli_binary("wasm-link")
}

fn wasm_ld() -> PathBuf {
    require_tool("wasm-ld-19")
}

/// Runs `linker` on start.o and helper.o with `more` arguments.
fn link(s: &Scratch, linker: &Path, more: &[&str]) -> Output {
    Command::new(linker)
        .current_dir(&s.dir)
        .args(["start.o", "helper.o"])
        .args(more)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", linker.display()))
}

/// Standard error without the program's name, to compare the two linkers' messages.
fn diagnostics(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr)
        .replace("wasm-link: ", "")
        .replace("wasm-ld-19: ", "")
}

/// Temporary files (`NAME.tmpXXXXXXX`) left in `dir`.
fn temporaries(dir: &Path) -> Vec<String> {
    let names = fs::read_dir(dir).unwrap().flatten();
    names
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".tmp"))
        .collect()
}

/// The permission bits of the output `linker` creates under `umask`.
fn mode_under_umask(s: &Scratch, linker: &Path, umask: &str, out: &str) -> u32 {
    let _ = fs::remove_file(s.path(out));
    let status = Command::new("sh")
        .current_dir(&s.dir)
        .args(["-c", &format!("umask {umask} && exec \"$0\" \"$@\"")])
        .arg(linker)
        .args(["start.o", "helper.o", "-o", out])
        .status()
        .expect("cannot run sh");
    assert!(
        status.success(),
        "{} failed under umask {umask}",
        linker.display()
    );
    fs::metadata(s.path(out)).unwrap().permissions().mode() & 0o7777
}

#[test]
fn the_output_is_created_0777_less_the_umask_like_wasm_ld() {
    let s = setup("mode");
    for (umask, expected) in [("022", 0o755), ("077", 0o700), ("002", 0o775)] {
        let theirs = mode_under_umask(&s, &wasm_ld(), umask, "ref.wasm");
        let ours = mode_under_umask(&s, &wasm_link(), umask, "ours.wasm");
        assert_eq!(theirs, expected, "wasm-ld-19 under umask {umask}");
        assert_eq!(
            ours, theirs,
            "mode under umask {umask}: {ours:o} vs {theirs:o}"
        );
    }
    // An existing output is replaced, mode and all, as wasm-ld replaces it.
    for name in ["ours.wasm", "ref.wasm"] {
        fs::write(s.path(name), b"old").unwrap();
        fs::set_permissions(s.path(name), fs::Permissions::from_mode(0o600)).unwrap();
    }
    let theirs = mode_under_umask(&s, &wasm_ld(), "022", "ref.wasm");
    let ours = mode_under_umask(&s, &wasm_link(), "022", "ours.wasm");
    assert_eq!((ours, theirs), (0o755, 0o755));
}

#[test]
fn dash_writes_the_module_to_stdout_byte_identical_to_wasm_ld() {
    let s = setup("stdout");
    let ours = link(&s, &wasm_link(), &["-o", "-"]);
    let theirs = link(&s, &wasm_ld(), &["-o", "-"]);
    assert!(ours.status.success(), "{}", diagnostics(&ours));
    assert!(theirs.status.success(), "{}", diagnostics(&theirs));
    validate_module(&ours.stdout, "the module on stdout");
    // Byte for byte, the name section's module name (`-`) included.
    assert!(
        ours.stdout == theirs.stdout,
        "stdout differs from wasm-ld-19's"
    );
    assert!(
        ours.stdout.windows(2).any(|w| w == b"\x01-"),
        "no module name `-`"
    );
    assert!(!s.path("-").exists(), "a file named `-` was created");
}

/// Reads everything written to the FIFO at `path` on another thread.
fn drain(path: PathBuf) -> std::thread::JoinHandle<Vec<u8>> {
    std::thread::spawn(move || fs::read(path).expect("cannot read the FIFO"))
}

fn mkfifo(path: &Path) {
    let status = Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("cannot run mkfifo");
    assert!(status.success(), "mkfifo {} failed", path.display());
}

#[test]
fn a_fifo_is_written_in_place_byte_identical_to_wasm_ld() {
    let s = setup("fifo");
    let mut got = Vec::new();
    for (linker, sub) in [(wasm_ld(), "ref"), (wasm_link(), "ours")] {
        let fifo = s.path(&format!("{sub}/out.fifo"));
        fs::create_dir_all(fifo.parent().unwrap()).unwrap();
        mkfifo(&fifo);
        let reader = drain(fifo.clone());
        let out = link(&s, &linker, &["-o", fifo.to_str().unwrap()]);
        assert!(out.status.success(), "{}", diagnostics(&out));
        // Checked before waiting for the reader, which a replaced FIFO would leave blocked.
        let kind = fs::symlink_metadata(&fifo).unwrap().file_type();
        assert!(kind.is_fifo(), "{} replaced the FIFO", linker.display());
        got.push(reader.join().unwrap());
        assert!(temporaries(fifo.parent().unwrap()).is_empty());
    }
    validate_module(&got[1], "the module read from the FIFO");
    assert!(
        got[0] == got[1],
        "the FIFO got other bytes than wasm-ld-19 wrote"
    );
}

/// A character device like `/dev/null` to write to: one made in `dir` when we may (root), so
/// that a regression cannot replace the system's; else `/dev/null` itself, which an unprivileged
/// process could not replace anyway.
fn null_device(dir: &Path) -> PathBuf {
    let made = dir.join("null");
    let status = Command::new("mknod")
        .arg(&made)
        .args(["c", "1", "3"])
        .stderr(Stdio::null())
        .status();
    if status.is_ok_and(|s| s.success()) {
        made
    } else {
        PathBuf::from("/dev/null")
    }
}

#[test]
fn a_character_device_is_written_in_place_never_replaced() {
    let s = setup("device");
    let device = null_device(&s.dir);
    let before = fs::metadata(&device).unwrap();
    assert!(before.file_type().is_char_device());
    let out = link(&s, &wasm_link(), &["-o", device.to_str().unwrap()]);
    assert!(out.status.success(), "{}", diagnostics(&out));
    let after = fs::symlink_metadata(&device).unwrap();
    assert!(
        after.file_type().is_char_device(),
        "{} was replaced",
        device.display()
    );
    use std::os::unix::fs::MetadataExt;
    assert_eq!((after.rdev(), after.ino()), (before.rdev(), before.ino()));
    assert!(temporaries(device.parent().unwrap()).is_empty());
    // /dev/null itself, as build systems pass it (safe: written in place, as just shown).
    let out = link(&s, &wasm_link(), &["-o", "/dev/null"]);
    assert!(out.status.success(), "{}", diagnostics(&out));
    assert!(fs::metadata("/dev/null")
        .unwrap()
        .file_type()
        .is_char_device());
}

/// Puts the same old bytes at `old.wasm` and checks, after `more` fails with both linkers,
/// that the same first error line was printed and the old bytes are still there.
fn assert_old_output_kept(s: &Scratch, inputs: &[&str], more: &[&str], same_error: bool) {
    let old = b"old output, not a module".to_vec();
    let mut errors = Vec::new();
    for linker in [wasm_ld(), wasm_link()] {
        fs::write(s.path("old.wasm"), &old).unwrap();
        let out = Command::new(&linker)
            .current_dir(&s.dir)
            .args(inputs)
            .args(["-o", "old.wasm"])
            .args(more)
            .output()
            .unwrap();
        assert!(
            !out.status.success(),
            "{} {more:?} succeeded",
            linker.display()
        );
        assert_eq!(
            fs::read(s.path("old.wasm")).unwrap(),
            old,
            "{} {more:?} touched the old output",
            linker.display()
        );
        assert!(temporaries(&s.dir).is_empty(), "{:?}", temporaries(&s.dir));
        errors.push(diagnostics(&out).lines().next().unwrap_or("").to_string());
    }
    if same_error {
        assert_eq!(errors[1], errors[0], "{more:?}");
    }
}

#[test]
fn a_failed_link_leaves_the_old_output() {
    let s = setup("failures");
    // Nothing is written: an undefined symbol.
    assert_old_output_kept(&s, &["undefined.o"], &[], false);
    // The module is written, then the map cannot be: the output is not replaced.
    assert_old_output_kept(&s, &["start.o", "helper.o"], &["--Map=/dev/full"], false);
    // An unwritable map file or output path is found before anything is read.
    let missing = ["--Map=no/such/dir/out.map"];
    assert_old_output_kept(&s, &["start.o", "helper.o"], &missing, true);
    fs::create_dir_all(s.path("adir")).unwrap();
    for linker in [wasm_ld(), wasm_link()] {
        let out = link(&s, &linker, &["-o", "adir"]);
        assert_eq!(
            diagnostics(&out).lines().next(),
            Some("error: cannot open output file adir: Is a directory")
        );
        let out = link(&s, &linker, &["-o", "no/such/dir/x.wasm"]);
        assert_eq!(
            diagnostics(&out).lines().next(),
            Some("error: cannot open output file no/such/dir/x.wasm: No such file or directory")
        );
    }
    // The same failures with an error written by us.
    let out = link(&s, &wasm_link(), &["-o", "/dev/full"]);
    assert_eq!(
        diagnostics(&out).lines().next(),
        Some("error: failed to write output '/dev/full': No space left on device")
    );
}

/// Kills the child if a test fails before it ends.
struct Reap(Child);

impl Drop for Reap {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Waits until a temporary output appears in `dir`.
fn wait_for_temporary(dir: &Path) -> String {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Some(name) = temporaries(dir).into_iter().next() {
            return name;
        }
        assert!(Instant::now() < deadline, "no temporary output appeared");
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Starts a link that writes the module to its temporary file, then blocks opening the map (a
/// FIFO nobody reads), so that a signal comes while the temporary file exists, every time.
/// Returns it once the temporary file is there, and the file's name.
fn link_blocked_on_the_map(s: &Scratch) -> (Reap, String) {
    let fifo = s.path("map.fifo");
    let _ = fs::remove_file(&fifo);
    mkfifo(&fifo);
    let child = Command::new(wasm_link())
        .current_dir(&s.dir)
        .args(["start.o", "helper.o", "-o", "out.wasm", "--Map=map.fifo"])
        .stderr(Stdio::null())
        .spawn()
        .expect("cannot run wasm-link");
    let child = Reap(child);
    let name = wait_for_temporary(&s.dir);
    assert!(name.starts_with("out.wasm.tmp"), "{name}");
    (child, name)
}

#[test]
fn a_signal_removes_the_temporary_output_and_keeps_the_old_one() {
    let s = setup("signals");
    let old = b"old output".to_vec();
    for (signal, number) in [("TERM", 15), ("INT", 2)] {
        fs::write(s.path("out.wasm"), &old).unwrap();
        let (mut child, name) = link_blocked_on_the_map(&s);
        let kill = Command::new("kill")
            .arg(format!("-{signal}"))
            .arg(child.0.id().to_string())
            .status()
            .expect("cannot run kill");
        assert!(kill.success());
        let status = child.0.wait().unwrap();
        assert_eq!(status.signal(), Some(number), "SIG{signal}: {status:?}");
        assert!(temporaries(&s.dir).is_empty(), "SIG{signal} left {name}");
        assert_eq!(fs::read(s.path("out.wasm")).unwrap(), old, "SIG{signal}");
    }
}

/// wasm-link links in a child and exits once the output is in place (`detach.rs`). Killing the
/// process that was started, even with SIGKILL, which it cannot pass on, stops the link: the
/// child is sent SIGTERM, removes its temporary output and the old output stays.
#[test]
fn killing_the_started_process_stops_the_link_in_its_child() {
    let s = setup("sigkill");
    let old = b"old output".to_vec();
    fs::write(s.path("out.wasm"), &old).unwrap();
    let (mut child, name) = link_blocked_on_the_map(&s);
    child.0.kill().unwrap();
    let status = child.0.wait().unwrap();
    assert_eq!(status.signal(), Some(9), "{status:?}");
    let deadline = Instant::now() + Duration::from_secs(60);
    while !temporaries(&s.dir).is_empty() {
        assert!(Instant::now() < deadline, "the link's child left {name}");
        std::thread::sleep(Duration::from_millis(5));
    }
    assert_eq!(fs::read(s.path("out.wasm")).unwrap(), old);
}

/// The process that was started exits with the link's status and only once the output is in
/// place, with every message printed; `--no-fork` links in that process, with the same result.
#[test]
fn the_started_process_ends_with_the_output_in_place_and_the_messages() {
    let s = setup("detached");
    for more in [&[][..], &["--no-fork"][..]] {
        let failed = Command::new(wasm_link())
            .current_dir(&s.dir)
            .args(["undefined.o", "-o", "out.wasm"])
            .args(more)
            .output()
            .expect("cannot run wasm-link");
        assert_eq!(failed.status.code(), Some(1), "{more:?}");
        assert!(
            diagnostics(&failed).contains("undefined symbol: missing"),
            "{more:?}"
        );
        assert!(!s.path("out.wasm").exists(), "{more:?}");
        let out = link(
            &s,
            &wasm_link(),
            &[&["--verbose", "-o", "out.wasm"][..], more].concat(),
        );
        assert!(out.status.success(), "{more:?}: {}", diagnostics(&out));
        assert!(diagnostics(&out).contains("Loading: start.o"), "{more:?}");
        let bytes = fs::read(s.path("out.wasm")).expect("the output is in place at exit");
        validate_module(&bytes, "detached link");
        assert!(temporaries(&s.dir).is_empty(), "{more:?}");
        fs::remove_file(s.path("out.wasm")).unwrap();
    }
}
