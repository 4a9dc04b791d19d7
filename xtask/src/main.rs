//! `cargo xtask <task>`: the project's tasks as a plain table.

mod bench;
mod ci;
mod conformance;
mod demo;
mod fuzz;

use std::process::ExitCode;

/// A task: its name, a one-line description, and the function that runs it.
struct Task {
    name: &'static str,
    about: &'static str,
    run: fn(&[String]) -> Result<(), String>,
}

const TASKS: &[Task] = &[
    Task {
        name: "demo",
        about: "link examples/demo.c with wasm-link via clang, run it, compare with wasm-ld-19",
        run: demo::run,
    },
    Task {
        name: "ci",
        about: "everything CI checks: fmt, clippy, tests, conformance",
        run: ci::run,
    },
    Task {
        name: "conformance",
        about: "link the corpus with wasm-link and wasm-ld-19 and compare",
        run: conformance::run,
    },
    Task {
        name: "bench",
        about: "benchmark wasm-link against wasm-ld-19 on large links",
        run: bench::run,
    },
    Task {
        name: "fuzz",
        about: "build the libFuzzer targets of fuzz/ (nightly) and run each for --seconds N",
        run: fuzz::run,
    },
    Task {
        name: "spawn-measured",
        about: "(used by bench) run a linker, print its status, wall, CPU and peak RSS",
        run: bench::measure::spawn_measured,
    },
];

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(task) = args
        .first()
        .and_then(|name| TASKS.iter().find(|t| t.name == name))
    else {
        eprintln!("usage: cargo xtask <task> [args]\n\ntasks:");
        for t in TASKS {
            eprintln!("  {:<12} {}", t.name, t.about);
        }
        return ExitCode::from(2);
    };
    match (task.run)(&args[1..]) {
        Ok(()) => ExitCode::SUCCESS,
        Err(msg) => {
            eprintln!("xtask {}: {msg}", task.name);
            ExitCode::FAILURE
        }
    }
}
