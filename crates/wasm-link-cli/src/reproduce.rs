//! `--reproduce=FILE.tar` (and `LLD_REPRODUCE`): a tar of everything needed to run the link
//! again, as lld writes it: under a directory named after the tar, `response.txt` (the command
//! line, inputs made relative to the root, `-o` reduced to its file name), `version.txt`, and
//! every file the link reads at its absolute path without the leading `/`.
//!
//! The tar is written by hand rather than with the `tar` crate to get lld's `TarWriter` bytes:
//! ustar headers with mode `0000664`, zeroed owner and time fields, a PAX `path` record for a
//! path too long for the header, and the end blocks after the last member.

use std::io::Write;
use std::path::{Component, Path, PathBuf};

use crate::args::normalize::{quote, Rendered};

const BLOCK: usize = 512;

/// What `--reproduce` writes: the tar's path, `response.txt` and the files to include.
#[derive(Debug, Clone)]
pub struct Reproduce {
    /// The tar file.
    pub tar: PathBuf,
    /// The contents of `response.txt`.
    pub response: String,
    /// The files the link reads, in the order it reads them.
    pub files: Vec<PathBuf>,
}

/// lld's `relativeToRoot`: the absolute path, `.` and `..` resolved, without its root.
pub fn relative_to_root(path: &Path) -> String {
    let absolute = std::env::current_dir().map_or_else(|_| path.to_path_buf(), |d| d.join(path));
    let mut parts: Vec<String> = Vec::new();
    for c in absolute.components() {
        match c {
            Component::Normal(p) => parts.push(p.to_string_lossy().into_owned()),
            Component::ParentDir => drop(parts.pop()),
            _ => {}
        }
    }
    parts.join("/")
}

/// `response.txt`: one argument per line, as lld's `createResponseFile` writes them.
pub fn response_file(rendered: &[Rendered]) -> String {
    let mut out = String::new();
    for r in rendered {
        let line = match r {
            Rendered::Input(path) => quote(&relative_to_root(Path::new(path))),
            Rendered::Output(path) => {
                let name = Path::new(path).file_name().unwrap_or_default();
                format!("-o {}", quote(&name.to_string_lossy()))
            }
            Rendered::Reproduce => continue,
            Rendered::Option(text) => text.clone(),
        };
        out.push_str(&line);
        out.push('\n');
    }
    out
}

/// Writes the tar; files that cannot be read are left out (the link reports them).
pub fn write(r: &Reproduce, version: &str) -> std::io::Result<()> {
    let base = r
        .tar
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut tar = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut append = |path: String, data: &[u8]| {
        let full = format!("{base}/{path}");
        if seen.insert(full.clone()) {
            member(&mut tar, &full, data);
        }
    };
    append("response.txt".into(), r.response.as_bytes());
    append("version.txt".into(), format!("{version}\n").as_bytes());
    for file in &r.files {
        if let Ok(data) = std::fs::read(file) {
            append(relative_to_root(file), &data);
        }
    }
    tar.extend(std::iter::repeat_n(0u8, 2 * BLOCK));
    let mut out = std::fs::File::create(&r.tar)?;
    out.write_all(&tar)
}

/// One member: its header (after a PAX record when the path does not fit), its data, padding.
fn member(tar: &mut Vec<u8>, path: &str, data: &[u8]) {
    match split_ustar(path) {
        Some((prefix, name)) => tar.extend(header(prefix, name, data.len(), 0)),
        None => {
            let record = pax_path(path);
            tar.extend(header("", "", record.len(), b'x'));
            tar.extend(record.as_bytes());
            pad(tar);
            tar.extend(header("", "", data.len(), 0));
        }
    }
    tar.extend(data);
    pad(tar);
}

/// A path that fits a ustar header: whole if under 100 bytes, else split at a `/` into a
/// prefix of at most 155 bytes and a name under 100 (lld's `splitUstar`).
fn split_ustar(path: &str) -> Option<(&str, &str)> {
    if path.len() < 100 {
        return Some(("", path));
    }
    let window = &path[..path.len().min(156)];
    let sep = window.rfind('/')?;
    (path.len() - sep - 1 < 100).then(|| (&path[..sep], &path[sep + 1..]))
}

/// A PAX `path` record: its own length in decimal, then `path=...` and a newline.
fn pax_path(path: &str) -> String {
    let len = "path".len() + path.len() + 3;
    let total = len + len.to_string().len();
    let total = len + total.to_string().len();
    format!("{total} path={path}\n")
}

/// A ustar header as lld's `TarWriter` fills it; `kind` is `x` for a PAX record, else 0.
fn header(prefix: &str, name: &str, size: usize, kind: u8) -> [u8; BLOCK] {
    let mut h = [0u8; BLOCK];
    h[..name.len()].copy_from_slice(name.as_bytes());
    // A regular file: mode 0664, type flag left 0 (as lld leaves it); a PAX record: no mode.
    if kind == 0 {
        h[100..108].copy_from_slice(b"0000664\0");
    }
    let size = format!("{size:011o}");
    h[124..124 + size.len()].copy_from_slice(size.as_bytes());
    h[156] = kind;
    h[257..262].copy_from_slice(b"ustar");
    h[263..265].copy_from_slice(b"00");
    h[345..345 + prefix.len()].copy_from_slice(prefix.as_bytes());
    h[148..156].fill(b' ');
    let sum: u32 = h.iter().map(|&b| u32::from(b)).sum();
    let sum = format!("{sum:06o}\0");
    h[148..148 + sum.len()].copy_from_slice(sum.as_bytes());
    h
}

fn pad(tar: &mut Vec<u8>) {
    let rem = tar.len() % BLOCK;
    if rem != 0 {
        tar.extend(std::iter::repeat_n(0u8, BLOCK - rem));
    }
}
