//! LLVM 19's spellings of Rust v0 names, checked against `llvm-cxxfilt-19`.

use crate::demangle;

#[test]
fn llvm_spellings() {
    let cases = [
        ("_RNvCs1234_7mycrate4main", "mycrate::main"),
        (
            "_RNvCs1234_7mycrate4main.llvm.1234",
            "mycrate::main (.llvm.1234)",
        ),
        ("._RNvC7mycrate4main", ".mycrate::main"),
        ("__RNvC7mycrate4main", "mycrate::main"),
        (
            "_RINvC7mycrate3fooKc1f600_EB2_",
            "mycrate::foo::<'\\u{1f600}'>",
        ),
        ("_RINvC7mycrate3fooKc41_EB2_", "mycrate::foo::<'A'>"),
        ("_RINvC7mycrate3fooKc22_EB2_", "mycrate::foo::<'\"'>"),
        ("_RINvC7mycrate3fooKc27_EB2_", "mycrate::foo::<'\\''>"),
        (
            "_RINvC7mycrate3fooKj1000000000000000000_EB2_",
            "mycrate::foo::<0x1000000000000000000>",
        ),
        // LLVM 19 gives up on str constants and on hex numbers with a leading zero.
        (
            "_RINvC7mycrate3fooKRe3abc_EB2_",
            "_RINvC7mycrate3fooKRe3abc_EB2_",
        ),
        ("_RINvC7mycrate3fooKj01_EB2_", "_RINvC7mycrate3fooKj01_EB2_"),
    ];
    for (mangled, want) in cases {
        assert_eq!(demangle(mangled), want, "{mangled}");
    }
}

/// `n` as a v0 `<base-62-number>`.
fn base62(n: usize) -> String {
    if n == 0 {
        return "_".into();
    }
    let (mut v, mut digits) = (n - 1, Vec::new());
    const DIGITS: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    loop {
        digits.push(DIGITS[v % 62]);
        v /= 62;
        if v == 0 {
            break;
        }
    }
    digits.reverse();
    String::from_utf8(digits).unwrap() + "_"
}

/// Hostile inputs: output doubling through backreferences, deep nesting, huge binders and
/// random mutations of real names must neither panic nor run away.
#[test]
fn hostile_inputs_terminate() {
    let run = || {
        // Each generic argument is a pair of the previous one: 2^60 bytes if printed.
        let mut input = String::from("INvC1a1fh");
        let mut prev = input.len() - 1;
        for _ in 0..60 {
            let here = input.len();
            input += &format!("TB{}B{}E", base62(prev), base62(prev));
            prev = here;
        }
        input += "E";
        assert_eq!(demangle(&format!("_R{input}")), format!("_R{input}"));
        let deep = format!("_RINvC1a1f{}hE", "S".repeat(100_000));
        assert_eq!(demangle(&deep), deep);
        let punycode = format!("_RNvC1au{}_{}", 40_000, "a".repeat(40_000));
        let _ = demangle(&punycode);
        fuzz(200_000);
    };
    crate::test_util::on_small_stack(run);
}

/// Mutates real v0 names byte by byte with a fixed-seed generator.
fn fuzz(rounds: usize) {
    const SEEDS: &[&str] = &[
        "_RINvCs2TpYSQqjWyK_4test28___rust_begin_short_backtraceINtNtCsdHhIpgkcIfN_4core6result6ResultuNtNtCsi9YzqDQQz2q_5alloc6string6StringEINtNtB1x_5boxed3BoxDINtNtNtBV_3ops8function6FnOnceuEp6OutputBQ_NtNtBV_6marker4SendEL_EEB2_",
        "_RINvC10abcdefghij1fFGp_RL0_RLq_hEuEB2_",
        "_RINvC1a1fDG_INvC1a1TRL0_hEp1XhEL_EB2_",
        "_RINvC1a1fKc1f980_EB2_",
        "_RNvC1au7caf_dma.llvm.1",
        "_RNvXNtC1a1bNtB2_1SNtC1c1T1f",
        "_RINvC1a1fFK12C_unwind_ABIhtEmEB2_",
    ];
    const ALPHABET: &[u8] = b"_0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz.";
    crate::test_util::mutated_names(SEEDS, ALPHABET, 0x2545_f491_4f6c_dd1d, rounds, |name| {
        let _ = demangle(name);
    });
}
