//! The workloads by name, and preparing one: build its inputs into a cache directory keyed by a
//! hash of everything that decides them (sources, flags, compiler version), or find them built.

use super::prep::{self, CBuild, LinkSpec};
use super::{cxx, rust, sqlite, synthetic};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Every workload, in the order the table lists them.
pub const ALL: [Workload; 7] = [
    Workload::Hello,
    Workload::Synthetic,
    Workload::Sqlite { debug: false },
    Workload::Sqlite { debug: true },
    Workload::Cxx { debug: false },
    Workload::Cxx { debug: true },
    Workload::Rust,
];

/// Workloads measured only when named: LTO links spend ~10 s in LLVM each.
pub const ON_REQUEST: [Workload; 2] = [
    Workload::SqliteLto { thin: false },
    Workload::SqliteLto { thin: true },
];

/// One link to benchmark; `debug` variants compile with `-O0 -g`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Workload {
    /// A C hello world over libc: what a small link costs, start-up included.
    Hello,
    /// Our generated C program.
    Synthetic,
    /// The SQLite amalgamation with a small `main`.
    Sqlite {
        /// Built with `-O0 -g` rather than `-O2`.
        debug: bool,
    },
    /// SQLite built `-O2 -flto` (or `-flto=thin`): bitcode linked through libLTO.
    SqliteLto {
        /// ThinLTO rather than full LTO.
        thin: bool,
    },
    /// Our generated C++ program over libc++.
    Cxx {
        /// Built with `-O0 -g` rather than `-O2`.
        debug: bool,
    },
    /// A Rust program using `regex` and `serde_json`.
    Rust,
}

impl Workload {
    /// The name `--workload` takes and the table prints.
    pub fn name(self) -> &'static str {
        match self {
            Workload::Hello => "hello",
            Workload::Synthetic => "synthetic",
            Workload::Sqlite { debug: false } => "sqlite",
            Workload::Sqlite { debug: true } => "sqlite-g",
            Workload::SqliteLto { thin: false } => "sqlite-lto",
            Workload::SqliteLto { thin: true } => "sqlite-thin",
            Workload::Cxx { debug: false } => "cxx",
            Workload::Cxx { debug: true } => "cxx-g",
            Workload::Rust => "rust",
        }
    }

    /// Looks a workload up by its name.
    pub fn by_name(name: &str) -> Option<Workload> {
        ALL.into_iter().chain(ON_REQUEST).find(|w| w.name() == name)
    }
}

/// The sizes of the generated workloads.
#[derive(Clone, Copy, Debug)]
pub struct Sizes {
    /// Synthetic translation units.
    pub tus: usize,
    /// Functions per synthetic unit.
    pub funcs: usize,
    /// C++ translation units.
    pub cxx_units: usize,
    /// Class pairs per C++ unit.
    pub cxx_classes: usize,
}

/// Where things live.
pub struct Dirs {
    /// The workspace root, holding `bench/`.
    pub root: PathBuf,
    /// `target/bench`: the cache of prepared workloads and the measured outputs.
    pub cache: PathBuf,
}

/// A prepared workload: how to link it and what preparing it cost.
pub struct Prepared {
    /// The replayable link.
    pub spec: LinkSpec,
    /// Seconds spent preparing (or finding the cache).
    pub seconds: f64,
    /// Whether the cache already held it.
    pub cached: bool,
}

/// Prepares `workload`, building it unless the cache holds it.
pub fn prepare(workload: Workload, sizes: Sizes, dirs: &Dirs) -> Result<Prepared, String> {
    let start = Instant::now();
    let (spec, cached) = match workload {
        Workload::Hello => hello_workload(dirs)?,
        Workload::Synthetic => synthetic_workload(sizes, dirs)?,
        Workload::Sqlite { .. } | Workload::SqliteLto { .. } => sqlite::prepare(dirs, workload)?,
        Workload::Cxx { debug } => cxx_workload(sizes, dirs, debug)?,
        Workload::Rust => rust::prepare(dirs)?,
    };
    Ok(Prepared {
        spec,
        seconds: start.elapsed().as_secs_f64(),
        cached,
    })
}

/// Flags every C and C++ compile and link shares.
pub const WASI: [&str; 2] = ["--target=wasm32-wasi", "--sysroot=/usr"];

fn hello_workload(dirs: &Dirs) -> Result<(LinkSpec, bool), String> {
    let source =
        "#include <stdio.h>\n\nint main(void) {\n  puts(\"hello, world\");\n  return 0;\n}\n";
    let files = [("hello.c".to_string(), source.to_string())];
    generated(
        "hello",
        "clang-19",
        &[WASI[0], WASI[1], "-O2"],
        &files,
        dirs,
    )
}

impl Workload {
    /// How many pairs to measure when `runs` are asked for: a link of a few milliseconds needs
    /// many more for a steady median.
    pub fn pairs(self, runs: usize) -> usize {
        match self {
            Workload::Hello => runs * 20,
            _ => runs,
        }
    }
}

fn synthetic_workload(sizes: Sizes, dirs: &Dirs) -> Result<(LinkSpec, bool), String> {
    let files = synthetic::sources(sizes.tus, sizes.funcs);
    let flags = [WASI[0], WASI[1], "-O1"];
    generated("synthetic", "clang-19", &flags, &files, dirs)
}

fn cxx_workload(sizes: Sizes, dirs: &Dirs, debug: bool) -> Result<(LinkSpec, bool), String> {
    let files = cxx::sources(sizes.cxx_units, sizes.cxx_classes);
    let opt: &[&str] = if debug { &["-O0", "-g"] } else { &["-O2"] };
    let flags: Vec<&str> = [&WASI[..], &["-fno-exceptions"], opt].concat();
    let name = Workload::Cxx { debug }.name();
    generated(name, "clang++-19", &flags, &files, dirs)
}

/// Prepares a workload whose sources are all `files`: compiles every `.c`/`.cpp` among them.
pub fn generated(
    name: &str,
    compiler: &str,
    flags: &[&str],
    files: &[(String, String)],
    dirs: &Dirs,
) -> Result<(LinkSpec, bool), String> {
    let version = prep::tool_version(compiler)?;
    let mut parts: Vec<&[u8]> = vec![name.as_bytes(), version.as_bytes()];
    parts.extend(flags.iter().map(|f| f.as_bytes()));
    parts.extend(files.iter().flat_map(|(n, t)| [n.as_bytes(), t.as_bytes()]));
    let dir = dirs
        .cache
        .join(format!("{name}-{}", prep::content_key(&parts)));
    if let Some(spec) = prep::cached_spec(&dir) {
        return Ok((spec, true));
    }
    prep::fresh_dir(&dir)?;
    for (file, text) in files {
        prep::write(&dir.join(file), text)?;
    }
    let sources: Vec<String> = files
        .iter()
        .map(|f| f.0.clone())
        .filter(|f| is_source(f))
        .collect();
    let spec = CBuild {
        compiler,
        flags,
        dir: &dir,
        sources: &sources,
    }
    .run()?;
    prep::store_spec(&dir, &spec)?;
    Ok((spec, false))
}

fn is_source(file: &str) -> bool {
    matches!(
        Path::new(file).extension().and_then(|e| e.to_str()),
        Some("c" | "cpp")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for w in ALL {
            assert_eq!(Workload::by_name(w.name()), Some(w));
        }
        assert_eq!(Workload::by_name("nope"), None);
    }
}
