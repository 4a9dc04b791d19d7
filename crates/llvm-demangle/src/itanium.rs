//! Itanium C++ names (`_Z...`), demangled as LLVM 19's `itaniumDemangle` does. LLVM prints
//! differently from GNU-style demanglers (`'lambda'(int)`, `32ul`, `>>`, `(anonymous
//! namespace)`) and gives up on some valid manglings; this module follows its grammar,
//! its printing rules and its failures.

mod ast;
mod float;
mod ops;
mod parse;
mod print;

thread_local! {
    /// The last demangling's arena and parser tables, emptied, whose allocations the next one
    /// on this thread reuses.
    static SPARE: std::cell::Cell<Spare> = const {
        std::cell::Cell::new(Spare {
            arena: ast::Arena::new(),
            tables: parse::Tables::new(),
        })
    };
}

/// What one demangling leaves for the next ([`SPARE`]).
#[derive(Default)]
struct Spare {
    arena: ast::Arena<'static>,
    tables: parse::Tables,
}

/// LLVM's `isItaniumEncoding`: one to four underscores followed by `Z`.
pub(crate) fn is_encoding(s: &str) -> bool {
    let underscores = s.bytes().take_while(|&c| c == b'_').count();
    (1..=4).contains(&underscores) && s.as_bytes().get(underscores) == Some(&b'Z')
}

/// The Itanium demangling of `s`, or `None` where LLVM's `itaniumDemangle` fails (or the
/// input exceeds our nesting and size bounds).
pub(crate) fn demangle(s: &[u8]) -> Option<String> {
    let spare = SPARE.take();
    let mut parser = parse::Parser::new(s, ast::Arena::reuse(spare.arena), spare.tables);
    let root = parser.parse();
    let printed = root.and_then(|root| {
        let mut printer = print::Printer::new(&parser.arena);
        printer.print(root);
        (!printer.failed).then_some(printer.out)
    });
    let (arena, tables) = parser.into_parts();
    SPARE.set(Spare {
        arena: ast::Arena::reuse(arena),
        tables,
    });
    // LLVM returns a C string: output stops at the first NUL.
    let mut out = printed?;
    if let Some(nul) = memchr::memchr(0, &out) {
        out.truncate(nul);
    }
    Some(
        String::from_utf8(out)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()),
    )
}

#[cfg(test)]
mod tests {
    use crate::demangle;

    #[test]
    fn llvm_spellings() {
        let cases = [
            ("_Z3foov", "foo()"),
            ("_ZN12_GLOBAL__N_13barEv", "(anonymous namespace)::bar()"),
            ("_ZZ4mainENK3$_0clEv", "main::$_0::operator()() const"),
            ("_ZZ4mainENKUlvE_clEv", "main::'lambda'()::operator()() const"),
            ("_Z1fILm32EEvv", "void f<32ul>()"),
            ("_Z1fIJiEEvDpOT_", "void f<int>(int&&)"),
            ("_ZNSt3__16vectorIiNS_9allocatorIiEEE9push_backB8ne190107EOi",
             "std::__1::vector<int, std::__1::allocator<int>>::push_back[abi:ne190107](int&&)"),
            ("_ZNSsC1Ev", "std::basic_string<char, std::char_traits<char>, std::allocator<char>>::basic_string()"),
            ("_Z1fPFviE", "f(void (*)(int))"),
            ("_Z1fRA3_i", "f(int (&) [3])"),
            ("_Z3foov.cold", "foo() (.cold)"),
            ("__main_argc_argv", "__main_argc_argv"),
            ("main", "main"),
            ("_Z", "_Z"),
            ("_Zv", "_Zv"),
            ("_ZTV1A", "vtable for A"),
        ];
        for (mangled, want) in cases {
            assert_eq!(demangle(mangled), want, "{mangled}");
        }
    }

    /// Hostile inputs: deep nesting, self-referencing substitutions, exponential expansion
    /// and random bytes must neither panic nor overflow the stack.
    #[test]
    fn hostile_inputs_terminate() {
        let run = || {
            let deep = format!("_Z1f{}i", "P".repeat(100_000));
            let templ = format!("_Z1f{}i{}", "1AI".repeat(10_000), "E".repeat(10_000));
            let mut blowup = String::from("_Z1fI1A");
            for i in 0..40 {
                blowup.push_str(&format!("IS{i}_S{i}_E"));
            }
            for name in [
                deep.as_str(),
                templ.as_str(),
                blowup.as_str(),
                "_Z1fIS_E",
                "_ZcvT_IJS_EEv",
            ] {
                let _ = demangle(name);
            }
            fuzz(200_000);
        };
        crate::test_util::on_small_stack(run);
    }

    /// Mutates real manglings byte by byte with a fixed-seed generator.
    fn fuzz(rounds: usize) {
        const SEEDS: &[&str] = &[
            "_ZNSt3__16vectorIiNS_9allocatorIiEEE9push_backB8ne190107EOi",
            "_ZZ4mainENKUlvE_clEv",
            "_Z1fIJiEEvDpOT_",
            "_ZN1AcvT_IiEEv",
            "_Z1fIiEDTcl1gfp_EET_",
            "_ZNK1AIiE1fIfEEvT_",
        ];
        const ALPHABET: &[u8] =
            b"_0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz.$";
        crate::test_util::mutated_names(SEEDS, ALPHABET, 0x9e37_79b9_7f4a_7c15, rounds, |name| {
            let _ = demangle(name);
        });
    }
}
