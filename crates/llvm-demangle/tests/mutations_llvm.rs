//! Differential test on malformed and unusual names: real Itanium and Rust v0 names mutated a
//! few bytes at a time (a fixed-seed generator, so the set is the same on every run) must
//! demangle, or fail, exactly as LLVM 19's `llvm::demangle` does. Most mutations make a name
//! invalid; the ones that stay valid reach productions no library name uses.

mod common;

use std::collections::BTreeSet;
use std::path::PathBuf;

const LIBS: &[&str] = &[
    "/usr/lib/llvm-19/lib/wasm32-wasi/libc++.a",
    "/usr/lib/llvm-19/lib/wasm32-wasi/libc++abi.a",
];

/// Mutations per test.
const ROUNDS: usize = 40_000;

/// `ROUNDS` names, each a seed with one to three bytes replaced, deleted, inserted or a few
/// bytes copied from elsewhere in it.
fn mutate(seeds: &[String], mut state: u64) -> BTreeSet<String> {
    const ALPHABET: &[u8] = b"_0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz.$";
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state as usize
    };
    let mut out = BTreeSet::new();
    for _ in 0..ROUNDS {
        let mut bytes = seeds[next() % seeds.len()].as_bytes().to_vec();
        for _ in 0..next() % 3 + 1 {
            let pos = next() % (bytes.len() + 1);
            let c = ALPHABET[next() % ALPHABET.len()];
            match next() % 4 {
                0 if pos < bytes.len() => bytes[pos] = c,
                1 if pos < bytes.len() => {
                    bytes.remove(pos);
                }
                2 => {
                    let from = next() % (bytes.len() + 1);
                    let chunk = bytes[from..(from + next() % 6 + 1).min(bytes.len())].to_vec();
                    bytes.splice(pos..pos, chunk);
                }
                _ => bytes.insert(pos, c),
            }
        }
        if !bytes.is_empty() {
            out.insert(String::from_utf8(bytes).expect("ASCII"));
        }
    }
    out
}

#[test]
fn mutated_itanium_names_match_llvm_19() {
    let paths: Vec<PathBuf> = LIBS.iter().map(PathBuf::from).collect();
    let seeds: Vec<String> = common::nm_names(&paths, |n| n.starts_with("_Z"))
        .into_iter()
        .collect();
    assert!(seeds.len() > 1000, "only {} seeds", seeds.len());
    common::assert_same_as_llvm(&mutate(&seeds, 0x9e37_79b9_7f4a_7c15));
}

#[test]
fn mutated_rust_v0_names_match_llvm_19() {
    let seeds: Vec<String> = common::nm_names(&common::std_rlibs(), |n| n.starts_with("_R"))
        .into_iter()
        .collect();
    assert!(seeds.len() > 1000, "only {} seeds", seeds.len());
    common::assert_same_as_llvm(&mutate(&seeds, 0x2545_f491_4f6c_dd1d));
}
