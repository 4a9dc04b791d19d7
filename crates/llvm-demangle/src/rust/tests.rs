//! LLVM 19's spellings of Rust v0 names, checked against `llvm-cxxfilt-19`.

use crate::demangle;

#[test]
fn llvm_spellings() {
    let cases = [
        ("_RNvCs1234_7mycrate4main", "mycrate::main"),
        ("_RNvCs1234_7mycrate4main.llvm.1234", "mycrate::main (.llvm.1234)"),
        ("._RNvC7mycrate4main", ".mycrate::main"),
        ("__RNvC7mycrate4main", "mycrate::main"),
        ("_RINvC7mycrate3fooKc1f600_EB2_", "mycrate::foo::<'\\u{1f600}'>"),
        ("_RINvC7mycrate3fooKc41_EB2_", "mycrate::foo::<'A'>"),
        ("_RINvC7mycrate3fooKc22_EB2_", "mycrate::foo::<'\"'>"),
        ("_RINvC7mycrate3fooKc27_EB2_", "mycrate::foo::<'\\''>"),
        ("_RINvC7mycrate3fooKj1000000000000000000_EB2_", "mycrate::foo::<0x1000000000000000000>"),
        // LLVM 19 gives up on str constants and on hex numbers with a leading zero.
        ("_RINvC7mycrate3fooKRe3abc_EB2_", "_RINvC7mycrate3fooKRe3abc_EB2_"),
        ("_RINvC7mycrate3fooKj01_EB2_", "_RINvC7mycrate3fooKj01_EB2_"),
    ];
    for (mangled, want) in cases {
        assert_eq!(demangle(mangled), want, "{mangled}");
    }
}
