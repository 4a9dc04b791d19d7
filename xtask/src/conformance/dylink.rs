//! The `pie` configuration: a program dynamically linked and run under the loader.
//!
//! The program's own objects (built `-fPIC`) are split: the first (the main file's) becomes a
//! PIE, the others a shared library it needs. Each linker links both, into its own directory
//! with the same file names (they land in the name sections and in `dylink.0`): the library
//! with `--unresolved-symbols=import-dynamic` (it may call into the main module), the main
//! module with `--import-memory --export-dynamic` against the library and a stub library of
//! the loader's `print_str`/`print_int`. `tests/dylink/loader.mjs` runs each set; the library
//! must be valid and structurally the same as wasm-ld's, and the runs the same.

use std::fs;
use std::path::Path;

use super::{diff, exec, one_line, Env, Judged};

/// The shared library's file name, next to the main module.
pub const LIBRARY: &str = "libprogram.so";

/// The stub library of the loader's host functions.
const HOST: &str = "libhost.so";

/// Links the library of the program's objects but the first with `linker` into `lib`; gives
/// the main module's link arguments.
pub fn split(env: &Env, linker: &str, args: &[String], lib: &Path) -> Result<Vec<String>, String> {
    let own = |a: &String| a.ends_with(".o") && Path::new(a).starts_with(&env.toolchain.cache);
    let objects: Vec<&String> = args.iter().filter(|a| own(a)).collect();
    let Some((main, rest)) = objects.split_first() else {
        return Err("the pie configuration needs objects of its own".into());
    };
    if rest.is_empty() {
        return Err("the pie configuration needs a second source for the library".into());
    }
    let dir = lib.parent().ok_or("bad output path")?;
    fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let host = dir.join(HOST);
    exec::write_atomically(&host, b"#STUB\nprint_str\nprint_int\n")?;
    let mut lib_args: Vec<String> = ["--experimental-pic", "-shared"].map(String::from).to_vec();
    lib_args.push("--unresolved-symbols=import-dynamic".into());
    lib_args.extend(rest.iter().map(|o| o.to_string()));
    lib_args.extend(["-o".into(), super::build::OUT.into()]);
    let step = exec::link(linker, &lib_args, lib)?;
    if !step.success() {
        return Err(format!(
            "-shared failed ({}): {}",
            step.status(),
            one_line(&step.stderr_text())
        ));
    }
    let mut main_args: Vec<String> = args
        .iter()
        .filter(|a| !own(a) || a == main)
        .cloned()
        .collect();
    for extra in [
        "--experimental-pic",
        "-pie",
        "--import-memory",
        "--export-dynamic",
    ] {
        main_args.push(extra.into());
    }
    main_args.push(lib.to_string_lossy().into_owned());
    main_args.push(host.to_string_lossy().into_owned());
    Ok(main_args)
}

/// Checks both libraries, then runs both sets under the loader.
pub fn judge(env: &Env, ours: &Path, reference: &Path) -> Judged {
    let read = |p: &Path| fs::read(p).map_err(|e| format!("cannot read {}: {e}", p.display()));
    let our_lib = read(&ours.with_file_name(LIBRARY))?;
    let ref_lib = read(&reference.with_file_name(LIBRARY))?;
    diff::validate(&ref_lib).map_err(|e| format!("reference library: {e}"))?;
    diff::validate(&our_lib).map_err(|e| format!("library: {e}"))?;
    let (our_sum, ref_sum) = (diff::summarize(&our_lib)?, diff::summarize(&ref_lib)?);
    if let Some(d) = diff::first_difference(&our_sum, &ref_sum, &[]) {
        return Err(format!("library structure: {d}"));
    }
    let ref_run = run(env, reference)?;
    if !ref_run.success() {
        let why = one_line(&ref_run.stderr_text());
        return Err(format!("reference run: {}: {why}", ref_run.status()));
    }
    super::compare_runs(&run(env, ours)?, &ref_run).map(|()| None)
}

/// Runs a main module under the loader.
fn run(env: &Env, main: &Path) -> Result<exec::Outcome, String> {
    let mut cmd = std::process::Command::new("node");
    // Node's WASI warning names its process id, which differs between the two runs.
    cmd.arg("--no-warnings").arg(&env.loader).arg(main);
    exec::run(cmd, &[], std::time::Duration::from_secs(60))
}
