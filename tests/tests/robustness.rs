//! The linker never panics on a damaged object: every fixture is mutated many times (bytes
//! replaced, bits flipped, ranges cut or inserted, with a fixed xorshift seed so a failure
//! reproduces) and linked in-process under several option sets. Each link must return either
//! an output or errors; a panic fails the test and leaves the input behind to debug.

use e2e_tests::{build_archive, fixture, fixtures, target_dir, ArFormat};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use wasm_link::{Config, Entry, Input, UnresolvedPolicy};

/// Mutations per fixture.
const ROUNDS: usize = 120;

/// A small deterministic generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// One to eight random edits of `bytes`.
fn mutate(bytes: &[u8], rng: &mut Rng) -> Vec<u8> {
    let mut b = bytes.to_vec();
    for _ in 0..1 + rng.below(8) {
        if b.is_empty() {
            break;
        }
        let at = rng.below(b.len());
        match rng.below(10) {
            0..=5 => b[at] = rng.next() as u8,
            6 | 7 => b[at] ^= 1 << rng.below(8),
            8 => {
                let end = (at + 1 + rng.below(8)).min(b.len());
                b.drain(at..end);
            }
            _ => {
                let extra = rng.next().to_le_bytes();
                let n = 1 + rng.below(3);
                b.splice(at..at, extra[..n].iter().copied());
            }
        }
    }
    b
}

/// The option sets each mutation is linked with.
fn configs(input: &Path, output: &Path) -> Vec<Config> {
    let base = Config {
        inputs: vec![Input {
            path: input.to_path_buf(),
            whole_archive: false,
            lazy: false,
        }],
        output: output.to_path_buf(),
        entry: Entry::None,
        ..Config::default()
    };
    let everything = Config {
        export_all: true,
        gc_sections: false,
        import_undefined: true,
        unresolved: UnresolvedPolicy::IgnoreAll,
        ..base.clone()
    };
    let memory = Config {
        import_memory: Some(("env".into(), "memory".into())),
        shared_memory: true,
        check_features: false,
        ..everything.clone()
    };
    vec![base, everything, memory]
}

#[test]
fn mutated_objects_never_panic_the_linker() {
    let dir = target_dir().join("robustness");
    std::fs::create_dir_all(&dir).expect("cannot create scratch dir");
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut links = 0;
    for fixture in fixtures() {
        let original = std::fs::read(&fixture.object).expect("fixture object missing");
        let stem = fixture.name.replace('/', "-");
        let input: PathBuf = dir.join(format!("{stem}.o"));
        let output = dir.join(format!("{stem}.wasm"));
        // A wasm64 fixture is linked with -mwasm64, so its mutations get past the
        // architecture check.
        let wasm64 = wasm_object::object::Object::parse(&original, 0).is_ok_and(|o| o.memory64);
        for round in 0..ROUNDS {
            std::fs::write(&input, mutate(&original, &mut rng)).expect("cannot write input");
            for (k, config) in configs(&input, &output).iter_mut().enumerate() {
                config.memory64 = wasm64.then_some(true);
                let config = &*config;
                let result = catch_unwind(AssertUnwindSafe(|| wasm_link::link(config)));
                links += 1;
                assert!(
                    result.is_ok(),
                    "the linker panicked on mutation {round} of {} with option set {k}; the input \
                     is {}",
                    fixture.name,
                    input.display()
                );
            }
        }
        let _ = std::fs::remove_file(&input);
    }
    assert!(links >= 3 * ROUNDS * 10, "only {links} links ran");
}

#[test]
fn mutated_archives_never_panic_the_linker() {
    let dir = target_dir().join("robustness");
    std::fs::create_dir_all(&dir).expect("cannot create scratch dir");
    let members = ["c/main.c", "c/weak.c", "c/data.c", "c/ctors.c"];
    let mut rng = Rng(0x0123_4567_89ab_cdef);
    for format in [ArFormat::Gnu, ArFormat::Bsd] {
        let named: Vec<(String, &Path)> = members
            .iter()
            .map(|m| {
                let f = fixture(m);
                (
                    format!("a-rather-long-member-name-{}.o", m.replace('/', "-")),
                    f.object.as_path(),
                )
            })
            .collect();
        let refs: Vec<(&str, &Path)> = named.iter().map(|(n, p)| (n.as_str(), *p)).collect();
        let original = std::fs::read(build_archive(format, &refs)).expect("archive missing");
        let input = dir.join(format!("lib{format:?}.a"));
        let output = dir.join(format!("lib{format:?}.wasm"));
        for round in 0..ROUNDS * 2 {
            std::fs::write(&input, mutate(&original, &mut rng)).expect("cannot write input");
            let mut config = configs(&input, &output).swap_remove(1);
            config.inputs[0].whole_archive = round % 2 == 0;
            config.undefined = vec!["main".into()];
            let result = catch_unwind(AssertUnwindSafe(|| wasm_link::link(&config)));
            assert!(
                result.is_ok(),
                "the linker panicked on mutation {round} of a {format:?} archive; the input is {}",
                input.display()
            );
        }
        let _ = std::fs::remove_file(&input);
    }
}
