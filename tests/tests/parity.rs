//! Details where wasm-ld 19's output depends on something beyond the link's inputs in an
//! obvious way (hash order, flags read loosely, demangler limits, tombstones, discarded
//! COMDATs): each is linked with both linkers and compared byte for byte.

use e2e_tests::{link_pair, Scratch};
use std::ffi::OsString;
use std::path::Path;

/// The arguments as `OsString`s.
fn args(items: &[&dyn AsRef<std::ffi::OsStr>]) -> Vec<OsString> {
    items.iter().map(|a| a.as_ref().to_owned()).collect()
}

/// C source defining `names` as `int f(int)`, in that order.
fn definitions(names: &[&str]) -> String {
    let defs = names.iter().enumerate();
    defs.map(|(i, n)| format!("int {n}(int x) {{ return x + {i}; }}\n"))
        .collect()
}

/// C source calling `names` as `void f(void)` from `run`, in that order.
fn calls(names: &[&str]) -> String {
    let decls: String = names.iter().map(|n| format!("void {n}(void);\n")).collect();
    let body: String = names.iter().map(|n| format!("  {n}();\n")).collect();
    format!("{decls}void run(void) {{\n{body}}}\n")
}

/// Links `objects` (in that order) exporting `run`, with both linkers; both must agree.
fn assert_identical_link(group: &str, case: &str, objects: &[&Path]) -> Vec<String> {
    let mut items: Vec<&dyn AsRef<std::ffi::OsStr>> = vec![&"--no-entry", &"--export=run"];
    items.extend(objects.iter().map(|o| o as &dyn AsRef<std::ffi::OsStr>));
    let pair = link_pair(group, case, &args(&items));
    pair.assert_identical(case);
    pair.ours.messages.clone()
}

/// Signature-mismatch stubs (and their warnings) come in the bucket order of lld's
/// `DenseMap<CachedHashStringRef, ...>`, with LLVM's string hash. The names include three
/// that share a home bucket and pairs that collide, and the definitions come in the reverse
/// of the calls' order, so the result depends on which name lld inserts first: in
/// definition order when the callers load first, in call order otherwise.
#[test]
fn signature_mismatch_stubs_come_in_lld_hash_order() {
    let s = Scratch::new("parity", "signature-variants");
    let names = [
        "fn_16", "fn_24", "fn_58", "fn_49", "fn_57", "fn_0", "fn_45", "fn_34", "fn_59", "alpha",
        "beta", "gamma",
    ];
    let reversed: Vec<&str> = names.iter().rev().copied().collect();
    let flags = ["--target=wasm32", "-O1"];
    let defs = s.object("defs.o", &definitions(&reversed), &flags);
    let callers = s.object("callers.o", &calls(&names), &flags);
    for (case, objects) in [
        ("callers-first", [&callers, &defs]),
        ("definitions-first", [&defs, &callers]),
    ] {
        let objects = objects.map(|o| o.as_path());
        let messages = assert_identical_link("parity-signature-variants", case, &objects);
        let warned = messages.iter().filter(|m| m.contains("signature mismatch"));
        assert_eq!(warned.count(), names.len(), "{case}: {messages:?}");
    }
}
