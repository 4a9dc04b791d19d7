//! `--reproduce=FILE.tar` and `LLD_REPRODUCE`: the same tar as wasm-ld-19's, member for member
//! and byte for byte (headers too), except `version.txt`, which names our version.

use e2e_tests::{cli_binary, libc_archive, require_tool, Scratch};
use std::path::Path;
use std::process::Command;

/// The members of a tar: (path, data), PAX `path` records applied.
fn members(tar: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut at = 0;
    let mut long_path: Option<String> = None;
    while at + 512 <= tar.len() && tar[at..at + 512].iter().any(|&b| b != 0) {
        let h = &tar[at..at + 512];
        let field = |r: std::ops::Range<usize>| {
            let f = &h[r];
            let end = f.iter().position(|&b| b == 0).unwrap_or(f.len());
            String::from_utf8_lossy(&f[..end]).into_owned()
        };
        let size = usize::from_str_radix(field(124..136).trim(), 8).expect("tar size");
        let data = tar[at + 512..at + 512 + size].to_vec();
        at += 512 + size.div_ceil(512) * 512;
        if h[156] == b'x' {
            let record = String::from_utf8_lossy(&data).into_owned();
            long_path = record
                .split_once(" path=")
                .map(|(_, p)| p.trim_end().to_string());
            continue;
        }
        let (prefix, name) = (field(345..500), field(0..100));
        let path = long_path.take().unwrap_or(if prefix.is_empty() {
            name
        } else {
            format!("{prefix}/{name}")
        });
        out.push((path, data));
    }
    out
}

/// Runs `linker args` in `dir` with `env`, for the tar it leaves.
fn run(linker: &Path, dir: &Path, args: &[&str], env: Option<(&str, &str)>) {
    let mut cmd = Command::new(linker);
    cmd.current_dir(dir).args(args);
    if let Some((k, v)) = env {
        cmd.env(k, v);
    }
    cmd.output().expect("linker runs");
}

#[test]
fn reproduce_tar_is_wasm_lds() {
    let s = Scratch::new("reproduce", "tar");
    // A path long enough for a PAX record, an input from a response file, an archive found
    // with -l (and its .imports beside it), an --allow-undefined-file.
    let deep = "d".repeat(60) + "/" + &"e".repeat(60) + "/" + &"f".repeat(50);
    let obj = s.object(
        &format!("{deep}/main.o"),
        "int main(void) { return 0; }\n",
        &["--target=wasm32-wasi", "--sysroot=/usr", "-O2"],
    );
    std::fs::write(s.path("args.rsp"), format!("{}\n", obj.display())).expect("rsp");
    std::fs::write(s.path("allow.txt"), "foo\n").expect("allow");
    let libc = libc_archive();
    let libdir = libc.parent().expect("libc dir").display().to_string();
    let crt1 = format!("{libdir}/crt1-command.o");
    let common = [
        crt1.as_str(),
        "@args.rsp",
        "-L",
        libdir.as_str(),
        "-lc",
        "--allow-undefined-file=allow.txt",
        "--export",
        "main",
        "--export=main",
        "-z",
        "stack-size=65536",
        "-o",
        "out dir/x.wasm",
    ];
    for (case, how) in [("flag", true), ("env", false)] {
        let mut tars = Vec::new();
        for (who, linker) in [
            ("ref", require_tool("wasm-ld-19")),
            ("ours", cli_binary("wasm-link")),
        ] {
            let dir = s.path(&format!("{case}-{who}"));
            std::fs::create_dir_all(&dir).expect("dir");
            let tar = dir.join("repro.tar");
            let flag = format!("--reproduce={}", tar.display());
            let mut args: Vec<&str> = common.to_vec();
            let env = if how {
                args.insert(0, &flag);
                None
            } else {
                Some(("LLD_REPRODUCE", tar.to_str().expect("utf-8")))
            };
            run(&linker, &s.dir, &args, env);
            tars.push(std::fs::read(&tar).unwrap_or_else(|e| panic!("{case} {who}: {e}")));
        }
        let (theirs, ours) = (members(&tars[0]), members(&tars[1]));
        let names = |m: &[(String, Vec<u8>)]| m.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
        assert_eq!(names(&ours), names(&theirs), "{case}: members");
        assert!(
            names(&ours).iter().any(|n| n.ends_with("libc.imports")),
            "{case}"
        );
        assert!(
            names(&ours).iter().any(|n| n.len() > 155),
            "{case}: no PAX path"
        );
        for ((name, a), (_, b)) in ours.iter().zip(&theirs) {
            if name.ends_with("version.txt") {
                assert!(
                    String::from_utf8_lossy(a).starts_with("LLD 19.1.7"),
                    "{case}"
                );
            } else {
                assert!(
                    a == b,
                    "{case}: {name} differs:\n{}\n---\n{}",
                    String::from_utf8_lossy(a),
                    String::from_utf8_lossy(b)
                );
            }
        }
        // The bytes differ only in version.txt's header and data.
        assert_eq!(tars[0].len(), tars[1].len(), "{case}: tar sizes");
        let differing = tars[0]
            .iter()
            .zip(&tars[1])
            .enumerate()
            .filter(|(_, (a, b))| a != b);
        let blocks: std::collections::BTreeSet<usize> = differing.map(|(i, _)| i / 512).collect();
        assert!(
            blocks.iter().all(|&b| b == 2 || b == 3),
            "{case}: blocks {blocks:?} differ"
        );
    }
}
