//! The corpus: programs under `conformance/<lang>/`, each a file or a directory, with a header of
//! `//#Directive: value` lines saying how to build, link, run and judge it.
//!
//! A program is `conformance/c/name.c` or a directory `conformance/c/name/` whose main file
//! (`main.c`, `main.cpp`, `main.rs`) holds the directives. Unknown directives are errors so a typo
//! never silently weakens a test.

use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};

/// Source language, which picks the compiler and the link-command recipe.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Lang {
    C,
    Cpp,
    Rust,
}

impl Lang {
    /// Every language, in report order; the index doubles as the corpus sub-directory.
    pub const ALL: [Lang; 3] = [Lang::C, Lang::Cpp, Lang::Rust];

    /// The corpus sub-directory and the prefix of case names.
    pub fn dir(self) -> &'static str {
        match self {
            Lang::C => "c",
            Lang::Cpp => "cpp",
            Lang::Rust => "rust",
        }
    }

    /// The source file extension.
    pub fn ext(self) -> &'static str {
        match self {
            Lang::C => "c",
            Lang::Cpp => "cpp",
            Lang::Rust => "rs",
        }
    }
}

/// A build configuration: the optimisation and debug flags given to the compiler.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Config {
    O0,
    O2,
    Oz,
    G,
    /// Built as `O2`, linked in two steps: the program's own objects combined by `-r` first
    /// (each linker its own), then the final link.
    R,
    /// Built `-O2 -fPIC`, dynamically linked: the main file's object a PIE, the others a
    /// shared library it needs (each linker its own), run under `tests/dylink/loader.mjs`.
    /// Only for programs that ask for it (`//#Configs: pie`): there is no PIC libc.
    Pie,
    /// Built `-O2 -flto` (LLVM bitcode), linked through LTO. Judged by the runs and the size
    /// (within 1% of wasm-ld's), not the structure: the outputs are usually the same bytes,
    /// but libLTO's code generator is not lld's.
    /// For C and C++ wasm32 programs (their archives hold bitcode too).
    Lto,
    /// Built `-O2 -flto=thin` (ThinLTO bitcode), one object per module; judged as `lto`.
    Thin,
}

impl Config {
    /// Every configuration a program gets unless it names its own, in report order.
    pub const ALL: [Config; 5] = [Config::O0, Config::O2, Config::Oz, Config::G, Config::R];

    /// Every configuration, in report order (`pie` only for programs that name it).
    pub const REPORTED: [Config; 8] = [
        Config::O0,
        Config::O2,
        Config::Oz,
        Config::G,
        Config::R,
        Config::Pie,
        Config::Lto,
        Config::Thin,
    ];

    fn parse(s: &str) -> Option<Config> {
        Config::REPORTED.into_iter().find(|c| c.name() == s)
    }

    /// The name used in directives and reports.
    pub fn name(self) -> &'static str {
        match self {
            Config::O0 => "O0",
            Config::O2 => "O2",
            Config::Oz => "Oz",
            Config::G => "g",
            Config::R => "r",
            Config::Pie => "pie",
            Config::Lto => "lto",
            Config::Thin => "thin",
        }
    }
}

impl fmt::Display for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// `//#Archive: lib.a: b.c c.c`: members compiled and archived in this order.
#[derive(Clone, Debug)]
pub struct Archive {
    pub name: String,
    pub members: Vec<String>,
}

/// `//#Reactor: add 2 3`: an export to call after `_initialize`, with i32 arguments.
#[derive(Clone, Debug)]
pub struct Call {
    pub export: String,
    pub args: Vec<String>,
}

/// `//#Target:`: the architecture a C program is built for.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Target {
    /// `wasm32-wasi` with the wasi-libc sysroot (the default).
    #[default]
    Wasm32,
    /// `wasm64-unknown-unknown` (memory64), freestanding: there is no wasm64 libc.
    Wasm64,
}

/// Everything the header of a program says.
#[derive(Clone, Debug, Default)]
pub struct Directives {
    pub target: Target,
    pub link_args: Vec<String>,
    pub compile_args: Vec<String>,
    pub driver_args: Vec<String>,
    pub expect_exit: Option<i32>,
    pub expect_link_error: Option<String>,
    pub calls: Vec<Call>,
    pub configs: Vec<Config>,
    pub ignore: Vec<String>,
    pub archives: Vec<Archive>,
    pub objects: Vec<String>,
    pub stdin: String,
    pub args: Vec<String>,
    pub crate_type: Option<String>,
    /// `//#NoLto: why`: the program is not built in the `lto` and `thin` configurations, for
    /// this reason.
    pub no_lto: Option<String>,
}

impl Directives {
    /// A reactor is built with `-mexec-model=reactor` and run by calling exports.
    pub fn is_reactor(&self) -> bool {
        !self.calls.is_empty()
    }
}

/// One program of the corpus.
#[derive(Clone, Debug)]
pub struct Program {
    /// `c/hello`, `cpp/virtuals`, ...
    pub name: String,
    pub lang: Lang,
    /// The directory holding the sources (the corpus language dir for single-file programs).
    pub dir: PathBuf,
    /// Source files compiled and linked directly, in link order (file names within `dir`).
    pub sources: Vec<String>,
    /// Whether the program is a directory (all of whose files are inputs) rather than one file.
    pub is_dir: bool,
    pub directives: Directives,
}

impl Program {
    /// The configurations this program is built in.
    pub fn configs(&self) -> Vec<Config> {
        if self.directives.configs.is_empty() && self.directives.expect_link_error.is_some() {
            // An expected error would come from the `-r` step, not the link under test.
            Config::ALL
                .into_iter()
                .filter(|&c| c != Config::R)
                .collect()
        } else if self.directives.configs.is_empty() {
            let d = &self.directives;
            let lto = self.lang != Lang::Rust && d.target == Target::Wasm32 && d.no_lto.is_none();
            Config::ALL
                .into_iter()
                .chain(lto.then_some(Config::Lto))
                .chain(lto.then_some(Config::Thin))
                .collect()
        } else {
            self.directives.configs.clone()
        }
    }

    /// Every file whose content goes into the build (sources, archive members, headers; a
    /// single-file program's own `#include "..."`s, which may share another program's header).
    pub fn input_files(&self) -> Result<Vec<PathBuf>, String> {
        if !self.is_dir {
            let mut files = Vec::new();
            for source in &self.sources {
                let path = self.dir.join(source);
                let text = std::fs::read_to_string(&path)
                    .map_err(|e| format!("{}: {e}", path.display()))?;
                files.extend(local_includes(&text).map(|h| self.dir.join(h)));
                files.push(path);
            }
            return Ok(files);
        }
        let mut files: Vec<PathBuf> = read_dir_sorted(&self.dir)?;
        files.retain(|p| p.is_file());
        Ok(files)
    }
}

/// The files a source names in `#include "..."` lines.
fn local_includes(source: &str) -> impl Iterator<Item = &str> {
    source.lines().filter_map(|line| {
        let rest = line.trim_start().strip_prefix("#include")?.trim();
        rest.strip_prefix('"')?.strip_suffix('"')
    })
}

/// The structural keys a program may ignore; kept here so directives are checked at load time.
pub const DIFF_KEYS: &[&str] = &[
    "imports",
    "exports",
    "types",
    "functions",
    "code-sizes",
    "tables",
    "memory",
    "globals",
    "start",
    "elements",
    "data-segments",
    "custom-section-names",
    "custom-section-sizes",
    "section-order",
];

/// Loads every program under `root` (the `conformance/` directory), sorted by name.
pub fn load(root: &Path) -> Result<Vec<Program>, String> {
    let mut programs = Vec::new();
    for lang in Lang::ALL {
        let dir = root.join(lang.dir());
        if !dir.is_dir() {
            continue;
        }
        for entry in read_dir_sorted(&dir)? {
            if let Some(p) =
                load_program(lang, &entry).map_err(|e| format!("{}: {e}", entry.display()))?
            {
                programs.push(p);
            }
        }
    }
    Ok(programs)
}

fn read_dir_sorted(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let rd = fs::read_dir(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    let mut out = Vec::new();
    for entry in rd {
        out.push(
            entry
                .map_err(|e| format!("cannot read {}: {e}", dir.display()))?
                .path(),
        );
    }
    out.sort();
    Ok(out)
}

fn load_program(lang: Lang, path: &Path) -> Result<Option<Program>, String> {
    let stem = path
        .file_stem()
        .and_then(|s| s.to_str())
        .ok_or("bad file name")?;
    let name = format!("{}/{stem}", lang.dir());
    if path.is_dir() {
        return load_dir_program(lang, path, name).map(Some);
    }
    if path.extension().and_then(|e| e.to_str()) != Some(lang.ext()) {
        return Ok(None);
    }
    let file = path
        .file_name()
        .and_then(|f| f.to_str())
        .ok_or("bad file name")?
        .to_string();
    let directives = parse_directives(&read(path)?)?;
    check(lang, &directives, false)?;
    let dir = path.parent().ok_or("no parent")?.to_path_buf();
    Ok(Some(Program {
        name,
        lang,
        dir,
        sources: vec![file],
        is_dir: false,
        directives,
    }))
}

fn load_dir_program(lang: Lang, dir: &Path, name: String) -> Result<Program, String> {
    let main = format!("main.{}", lang.ext());
    let directives = parse_directives(&read(&dir.join(&main))?)?;
    check(lang, &directives, true)?;
    let sources = if !directives.objects.is_empty() {
        directives.objects.clone()
    } else if lang == Lang::Rust {
        vec![main]
    } else {
        default_sources(lang, dir, &main, &directives)?
    };
    for s in &sources {
        if !dir.join(s).is_file() {
            return Err(format!("listed source {s} does not exist"));
        }
    }
    Ok(Program {
        name,
        lang,
        dir: dir.to_path_buf(),
        sources,
        is_dir: true,
        directives,
    })
}

/// The main file first, then every other source not in an archive, sorted.
fn default_sources(
    lang: Lang,
    dir: &Path,
    main: &str,
    d: &Directives,
) -> Result<Vec<String>, String> {
    let in_archive = |f: &str| d.archives.iter().any(|a| a.members.iter().any(|m| m == f));
    let mut sources = vec![main.to_string()];
    for p in read_dir_sorted(dir)? {
        let f = p
            .file_name()
            .and_then(|f| f.to_str())
            .unwrap_or_default()
            .to_string();
        let is_source = p.extension().and_then(|e| e.to_str()) == Some(lang.ext());
        if is_source && f != main && !in_archive(&f) {
            sources.push(f);
        }
    }
    Ok(sources)
}

fn read(path: &Path) -> Result<String, String> {
    fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}

/// Parses the `//#Name: value` lines of a source file.
pub fn parse_directives(text: &str) -> Result<Directives, String> {
    let mut d = Directives::default();
    for (n, line) in text.lines().enumerate() {
        let Some(rest) = line.trim_start().strip_prefix("//#") else {
            continue;
        };
        let (key, value) = rest
            .split_once(':')
            .ok_or_else(|| format!("line {}: directive without ':'", n + 1))?;
        apply(&mut d, key.trim(), value.trim()).map_err(|e| format!("line {}: {e}", n + 1))?;
    }
    Ok(d)
}

fn words(value: &str) -> Vec<String> {
    value.split_whitespace().map(str::to_string).collect()
}

fn apply(d: &mut Directives, key: &str, value: &str) -> Result<(), String> {
    match key {
        "LinkArgs" => d.link_args.extend(words(value)),
        "CompileArgs" => d.compile_args.extend(words(value)),
        "DriverArgs" => d.driver_args.extend(words(value)),
        "ExpectExit" => {
            d.expect_exit = Some(
                value
                    .parse()
                    .map_err(|_| format!("bad exit code {value:?}"))?,
            )
        }
        "ExpectLinkError" => d.expect_link_error = Some(value.to_string()),
        "Reactor" => d.calls.push(parse_call(value)?),
        "Configs" => d.configs = parse_configs(value)?,
        "Ignore" => d.ignore.extend(words(value)),
        "Archive" => d.archives.push(parse_archive(value)?),
        "Objects" => d.objects.extend(words(value)),
        "Stdin" => {
            d.stdin.push_str(&value.replace("\\n", "\n"));
            d.stdin.push('\n');
        }
        "Args" => d.args.extend(words(value)),
        "CrateType" => d.crate_type = Some(value.to_string()),
        "NoLto" => d.no_lto = Some(value.to_string()),
        "Target" => {
            d.target = match value {
                "wasm32" => Target::Wasm32,
                "wasm64" => Target::Wasm64,
                _ => return Err(format!("unknown target {value:?} (wasm32 or wasm64)")),
            }
        }
        _ => return Err(format!("unknown directive {key:?}")),
    }
    Ok(())
}

fn parse_call(value: &str) -> Result<Call, String> {
    let mut w = words(value).into_iter();
    let export = w.next().ok_or("Reactor needs an export name")?;
    Ok(Call {
        export,
        args: w.collect(),
    })
}

fn parse_configs(value: &str) -> Result<Vec<Config>, String> {
    words(value)
        .iter()
        .map(|w| Config::parse(w).ok_or_else(|| format!("unknown config {w:?}")))
        .collect()
}

fn parse_archive(value: &str) -> Result<Archive, String> {
    let (name, members) = value
        .split_once(':')
        .ok_or("Archive wants `lib.a: a.c b.c`")?;
    let members = words(members);
    if members.is_empty() {
        return Err("Archive without members".into());
    }
    Ok(Archive {
        name: name.trim().to_string(),
        members,
    })
}

/// Rejects directive combinations that cannot work, so corpus mistakes show up early.
fn check(lang: Lang, d: &Directives, is_dir: bool) -> Result<(), String> {
    if let Some(k) = d.ignore.iter().find(|k| !DIFF_KEYS.contains(&k.as_str())) {
        return Err(format!(
            "unknown Ignore key {k:?} (known: {})",
            DIFF_KEYS.join(", ")
        ));
    }
    if let Some(re) = &d.expect_link_error {
        regex::Regex::new(re).map_err(|e| format!("bad ExpectLinkError regex: {e}"))?;
    }
    if !d.archives.is_empty() && (!is_dir || lang == Lang::Rust) {
        return Err("Archive needs a C/C++ directory program".into());
    }
    if d.crate_type.is_some() && lang != Lang::Rust {
        return Err("CrateType is for Rust programs".into());
    }
    if d.target == Target::Wasm64 && lang != Lang::C {
        return Err("Target: wasm64 is for C programs (there is no wasm64 libc++ or std)".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_directive() {
        let d = parse_directives(
            "//#LinkArgs: --stack-first -z stack-size=131072\n//#ExpectExit: 3\n\
             //#Reactor: add 2 3\n//#Configs: O0 O2\n//#Archive: lib.a: b.c c.c\n\
             //#Stdin: a\\nb\n//#Args: x y\nint main(){}\n",
        )
        .unwrap();
        assert_eq!(d.link_args, ["--stack-first", "-z", "stack-size=131072"]);
        assert_eq!(d.expect_exit, Some(3));
        assert_eq!(d.calls[0].export, "add");
        assert_eq!(d.calls[0].args, ["2", "3"]);
        assert_eq!(d.configs, [Config::O0, Config::O2]);
        assert_eq!(d.archives[0].members, ["b.c", "c.c"]);
        assert_eq!(d.stdin, "a\nb\n");
        assert_eq!(d.args, ["x", "y"]);
    }

    #[test]
    fn rejects_unknown_directive_and_config() {
        assert!(parse_directives("//#LinkArg: x").is_err());
        assert!(parse_directives("//#Configs: O3").is_err());
        assert!(parse_directives("//#Archive: lib.a").is_err());
    }

    #[test]
    fn target_is_wasm32_unless_said() {
        let d = parse_directives("//#Target: wasm64\n").unwrap();
        assert_eq!(d.target, Target::Wasm64);
        assert_eq!(parse_directives("").unwrap().target, Target::Wasm32);
        assert!(parse_directives("//#Target: wasm16").is_err());
        assert!(check(Lang::Rust, &d, false).is_err());
    }

    #[test]
    fn rejects_unknown_ignore_key() {
        let d = parse_directives("//#Ignore: bogus").unwrap();
        assert!(check(Lang::C, &d, false).is_err());
    }
}
