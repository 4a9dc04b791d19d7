//! The output file, handled as wasm-ld handles it (LLVM's `FileOutputBuffer` with the
//! executable mode):
//!
//! - a regular file, or a path that does not exist yet, is written to a temporary file beside
//!   it (`out.wasm.tmpXXXXXXX`, mode `0777 & ~umask`) and renamed over it only by
//!   [`OutputFile::commit`], once every report has been written too, so a failed link leaves
//!   the old output as it was;
//! - `-` is standard output;
//! - any other existing path (`/dev/null`, a FIFO, a device) is opened and written in place at
//!   commit, never replaced by a regular file.
//!
//! Temporary files are registered while they exist; after [`remove_temporaries_on_signal`],
//! SIGINT, SIGTERM and SIGHUP remove them before the process dies of the signal.

use std::io::{self, Cursor, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

/// The mode wasm-ld creates its output with, before the umask.
const MODE: u32 = 0o777;

/// An output being written; nothing is visible at its path before [`OutputFile::commit`].
pub struct OutputFile {
    path: PathBuf,
    sink: Sink,
}

enum Sink {
    /// A regular file: a temporary file in the same directory, renamed into place.
    Temporary(Temporary),
    /// Standard output, or a special file written in place: the bytes, written at commit.
    Memory(Cursor<Vec<u8>>),
}

impl OutputFile {
    /// Prepares to write `path`. A directory is refused with the system's error
    /// (`Is a directory`).
    pub fn create(path: &Path) -> io::Result<OutputFile> {
        let sink = match destination(path)? {
            Destination::Replace => Sink::Temporary(Temporary::create(path)?),
            Destination::Stdout | Destination::InPlace => Sink::Memory(Cursor::new(Vec::new())),
        };
        Ok(OutputFile {
            path: path.to_owned(),
            sink,
        })
    }

    /// An output kept in memory, for a caller that wants the bytes ([`OutputFile::into_bytes`]);
    /// `path` only names it in messages.
    pub fn in_memory(path: &Path) -> OutputFile {
        OutputFile {
            path: path.to_owned(),
            sink: Sink::Memory(Cursor::new(Vec::new())),
        }
    }

    /// The bytes of an output kept in memory; `None` for a file being written.
    pub fn into_bytes(self) -> Option<Vec<u8>> {
        match self.sink {
            Sink::Memory(m) => Some(m.into_inner()),
            Sink::Temporary(_) => None,
        }
    }

    /// [`OutputFile::commit`], returning the regular file the output replaced, still open:
    /// freeing its blocks waits until it is closed. A program about to exit can leave that to
    /// another process; for a big file it takes the filesystem milliseconds. Linux only (other
    /// systems may refuse to rename over an open file): elsewhere `None`.
    pub fn commit_keeping_replaced(self) -> io::Result<Option<std::fs::File>> {
        let replaced = match self.sink {
            Sink::Temporary(_) if cfg!(target_os = "linux") => std::fs::File::open(&self.path).ok(),
            _ => None,
        };
        self.commit()?;
        Ok(replaced)
    }

    /// Makes the output visible: renames the temporary file over the path, or writes the bytes
    /// to standard output or the special file.
    pub fn commit(self) -> io::Result<()> {
        match self.sink {
            Sink::Temporary(t) => t.persist(&self.path),
            Sink::Memory(m) if is_stdout(&self.path) => {
                let mut out = io::stdout().lock();
                out.write_all(m.get_ref())?;
                out.flush()
            }
            Sink::Memory(m) => open_in_place(&self.path)?.write_all(m.get_ref()),
        }
    }
}

impl Write for OutputFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match &mut self.sink {
            Sink::Temporary(t) => t.file_mut().write(buf),
            Sink::Memory(m) => m.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match &mut self.sink {
            Sink::Temporary(t) => t.file_mut().flush(),
            Sink::Memory(m) => m.flush(),
        }
    }
}

impl Read for OutputFile {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match &mut self.sink {
            Sink::Temporary(t) => t.file_mut().read(buf),
            Sink::Memory(m) => m.read(buf),
        }
    }
}

impl Seek for OutputFile {
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        match &mut self.sink {
            Sink::Temporary(t) => t.file_mut().seek(pos),
            Sink::Memory(m) => m.seek(pos),
        }
    }
}

/// How a path is written.
enum Destination {
    /// `-`.
    Stdout,
    /// An existing file that is not a regular file (a device, a FIFO, a socket).
    InPlace,
    /// A regular file or nothing yet: replaced by a renamed temporary file.
    Replace,
}

fn is_stdout(path: &Path) -> bool {
    path.as_os_str() == "-"
}

/// How `path` is written; a directory is an error (the one opening it for writing gives).
fn destination(path: &Path) -> io::Result<Destination> {
    if is_stdout(path) {
        return Ok(Destination::Stdout);
    }
    match std::fs::metadata(path) {
        Ok(m) if m.is_dir() => Err(open_in_place(path)
            .err()
            .unwrap_or_else(|| io::Error::new(io::ErrorKind::IsADirectory, "Is a directory"))),
        Ok(m) if !m.is_file() => Ok(Destination::InPlace),
        _ => Ok(Destination::Replace),
    }
}

/// Opens `path` for writing as wasm-ld does at commit (created if it vanished meanwhile).
fn open_in_place(path: &Path) -> io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, MODE);
    options.open(path)
}

/// lld's `tryCreateFile`: whether `path` could be written, checked before any input is read
/// so that a mistyped path fails at once. Special files and `-` are not opened.
pub fn check_writable(path: &Path) -> io::Result<()> {
    match destination(path)? {
        Destination::Replace => Temporary::create(path).map(drop),
        Destination::Stdout | Destination::InPlace => Ok(()),
    }
}

/// A temporary file beside the output, registered for removal on a signal while it exists.
struct Temporary {
    /// `None` only while being persisted or dropped.
    file: Option<tempfile::NamedTempFile>,
}

impl Temporary {
    /// `out.wasm.tmpXXXXXXX` in the output's directory, as lld names it.
    fn create(path: &Path) -> io::Result<Temporary> {
        let dir = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        let prefix = format!("{name}.tmp");
        let mut builder = tempfile::Builder::new();
        builder.prefix(&prefix).rand_bytes(7);
        #[cfg(unix)]
        builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(MODE));
        handlers_in_place();
        // Registered under the lock, so a signal cannot come between creating and registering.
        let mut pending = pending();
        let file = builder.tempfile_in(dir)?;
        pending.push(file.path().to_owned());
        Ok(Temporary { file: Some(file) })
    }

    fn file_mut(&mut self) -> &mut std::fs::File {
        self.file
            .as_mut()
            .expect("a temporary file is only taken when consumed")
            .as_file_mut()
    }

    /// Renames the file to `path`, under the lock: a signal either removes it first or comes
    /// after the rename.
    fn persist(mut self, path: &Path) -> io::Result<()> {
        let mut pending = pending();
        let file = self.file.take().expect("persisted once");
        unregister(&mut pending, file.path());
        file.persist(path).map(drop).map_err(|e| e.error)
    }
}

impl Drop for Temporary {
    /// Removes the file (a failed link), under the lock so a signal cannot race with it.
    fn drop(&mut self) {
        if let Some(file) = self.file.take() {
            let mut pending = pending();
            unregister(&mut pending, file.path());
            drop(file);
        }
    }
}

/// The temporary files that exist now.
static PENDING: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

fn pending() -> MutexGuard<'static, Vec<PathBuf>> {
    // The list stays usable even if a thread panicked holding it.
    PENDING.lock().unwrap_or_else(|e| e.into_inner())
}

fn unregister(pending: &mut Vec<PathBuf>, path: &Path) {
    pending.retain(|p| p != path);
}

/// Makes SIGINT, SIGTERM and SIGHUP remove the temporary output before the process dies of
/// the signal, as LLVM's `RemoveFileOnSignal` does. For programs (the `wasm-link` command);
/// a library caller keeps its own signal handling unless it asks for this. Installed once.
pub fn remove_temporaries_on_signal() {
    #[cfg(unix)]
    {
        static ONCE: std::sync::Once = std::sync::Once::new();
        ONCE.call_once(watch_signals);
    }
}

/// Says when the thread of [`watch_signals`] has registered its handlers (or ended), until the
/// first temporary file waits for it.
#[cfg(unix)]
static REGISTERED: Mutex<Option<std::sync::mpsc::Receiver<()>>> = Mutex::new(None);

/// Waits until the signal handlers are in place, if they are being installed: a temporary
/// file never exists without them. The lock is held while waiting, so that a second file
/// waits too.
fn handlers_in_place() {
    #[cfg(unix)]
    {
        let mut registered = REGISTERED.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(registered) = registered.take() {
            let _ = registered.recv();
        }
    }
}

/// A thread receives the signals (signal-hook's iterator: no code of ours runs in a signal
/// handler), removes the files and re-raises the signal with its default action, holding the
/// lock so that no temporary file is created or renamed meanwhile. The handlers are registered
/// by the thread itself, so they never exist without a thread to act on them. Nobody waits for
/// that here: the first temporary file does ([`handlers_in_place`]), and the link starts
/// meanwhile.
#[cfg(unix)]
fn watch_signals() {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    let (registered, wait) = std::sync::mpsc::channel::<()>();
    // In place before the thread starts; if it cannot start, the sender is dropped with it and
    // waiting ends at once (the signals keep their default action).
    *REGISTERED.lock().unwrap_or_else(|e| e.into_inner()) = Some(wait);
    let _ = std::thread::Builder::new()
        .name("signals".into())
        .spawn(move || {
            let signals = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP]);
            drop(registered);
            let Ok(mut signals) = signals else { return };
            for signal in signals.forever() {
                let pending = pending();
                for path in pending.iter() {
                    let _ = std::fs::remove_file(path);
                }
                let _ = signal_hook::low_level::emulate_default_handler(signal);
                drop(pending);
            }
        });
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The output is in place at once; on Linux the old file stays readable through what
    /// `commit_keeping_replaced` returns, so its blocks are freed only when that is dropped.
    #[test]
    #[cfg(target_os = "linux")]
    fn the_replaced_output_stays_open_until_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.wasm");
        std::fs::write(&path, b"old").unwrap();
        let mut out = OutputFile::create(&path).unwrap();
        out.write_all(b"new").unwrap();
        let replaced = out.commit_keeping_replaced().unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"new");
        let mut old = replaced.expect("the old output, still open");
        let mut bytes = Vec::new();
        old.read_to_end(&mut bytes).unwrap();
        assert_eq!(bytes, b"old");
    }
}
