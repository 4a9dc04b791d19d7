//! Inputs in command-line order. Files, `-l` libraries and the mode switches
//! (`--whole-archive`, `--start-lib`, `-Bstatic`, ...) are replayed by their positions, so
//! each input gets the modes in force where it appeared, as in wasm-ld's `createFiles`.

use std::path::PathBuf;

use wasm_link::config::find_library;
use wasm_link::Input;

use super::matches::Seen;
use super::table::INPUT;

/// The options whose relative order matters.
const ORDERED: &[&str] = &[
    INPUT,
    "library",
    "whole-archive",
    "no-whole-archive",
    "start-lib",
    "end-lib",
    "Bstatic",
    "Bdynamic",
];

/// The modes in force while replaying the command line.
#[derive(Debug)]
struct Modes {
    whole_archive: bool,
    lazy: bool,
    is_static: bool,
}

/// Collects the inputs in order, searching `-l` names in `search` (every `-L`, wherever it
/// appeared). `dynamic` is the initial `-Bdynamic` state (on for `--shared`/`--pie`).
pub fn collect(
    seen: &Seen,
    search: &[PathBuf],
    dynamic: bool,
    errors: &mut Vec<String>,
) -> Vec<Input> {
    let mut modes = Modes {
        whole_archive: false,
        lazy: false,
        is_static: !dynamic,
    };
    let mut inputs = Vec::new();
    for (id, value) in seen.in_order(ORDERED) {
        let path = match (id, value) {
            (INPUT, Some(file)) => PathBuf::from(file),
            ("library", Some(name)) => match find_library(name, search, modes.is_static) {
                Some(path) => path,
                None => {
                    errors.push(format!("unable to find library -l{name}"));
                    continue;
                }
            },
            _ => {
                switch(&mut modes, id, errors);
                continue;
            }
        };
        inputs.push(Input {
            path,
            whole_archive: modes.whole_archive,
            lazy: modes.lazy,
        });
    }
    inputs
}

fn switch(modes: &mut Modes, id: &str, errors: &mut Vec<String>) {
    match id {
        "whole-archive" => modes.whole_archive = true,
        "no-whole-archive" => modes.whole_archive = false,
        "Bstatic" => modes.is_static = true,
        "Bdynamic" => modes.is_static = false,
        "start-lib" if modes.lazy => errors.push("nested --start-lib".into()),
        "start-lib" => modes.lazy = true,
        "end-lib" if !modes.lazy => errors.push("stray --end-lib".into()),
        "end-lib" => modes.lazy = false,
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_order_follows_wasm_ld() {
        let a = tempfile::tempdir().expect("tempdir");
        let b = tempfile::tempdir().expect("tempdir");
        std::fs::write(b.path().join("libx.a"), b"").expect("write");
        std::fs::write(b.path().join("libx.so"), b"").expect("write");
        std::fs::write(a.path().join("plain.o"), b"").expect("write");
        let dirs = [a.path().to_path_buf(), b.path().to_path_buf()];
        assert_eq!(
            find_library("x", &dirs, true),
            Some(b.path().join("libx.a"))
        );
        assert_eq!(
            find_library("x", &dirs, false),
            Some(b.path().join("libx.so"))
        );
        assert_eq!(
            find_library(":plain.o", &dirs, true),
            Some(a.path().join("plain.o"))
        );
        assert_eq!(find_library("y", &dirs, true), None);
    }
}
