//! The link runs in a child process, and the process that was started exits as soon as the
//! output is in place (mold's `--fork`). What is left after that point is cleanup that nobody
//! waits for: freeing the blocks of the output file that was replaced (ext4 takes 20 ms for a
//! 50 MB file, inside the `rename`) and the exit itself, which frees every page of the link
//! (0.8 ms for a libc hello world, 12 ms for a 200 MB link). A big link ends 3-11% sooner, the
//! more when it replaces an existing output; on a libc hello world the fork costs about what
//! it saves (`docs/architecture.md`, "The process").
//!
//! The parent does nothing but wait, so it behaves as the link does:
//! - it exits with the child's status, or dies of the child's signal;
//! - SIGINT, SIGTERM and SIGHUP sent to it are passed to the child, which removes its temporary
//!   output and dies of them (so the old output survives);
//! - if it dies anyway (SIGKILL), the child gets SIGTERM (`PR_SET_PDEATHSIG`) until the output
//!   is committed.
//!
//! The child prints every diagnostic before it reports success, then gives up its standard
//! streams, so a caller reading them through pipes (rustc, ninja) sees them end when the parent
//! exits. `--no-fork` links in the process that was started. Linux only.

/// What the child of [`fork`] uses to tell the waiting parent that the output is in place.
pub struct Detached {
    #[cfg(target_os = "linux")]
    done: libc::c_int,
}

/// Forks the link into a child process: returns in the child; in the parent, waits and exits
/// as the child does. `None` (the link runs here) where a child cannot be made.
pub fn fork() -> Option<Detached> {
    #[cfg(target_os = "linux")]
    {
        linux::fork()
    }
    #[cfg(not(target_os = "linux"))]
    {
        None
    }
}

impl Detached {
    /// The output is committed and every message printed: the child stops the parent-death
    /// signal, hands its standard streams back (to `/dev/null`) and releases the parent, which
    /// exits with success. The child's cleanup and exit follow unobserved.
    pub fn done(self) {
        #[cfg(target_os = "linux")]
        linux::done(self.done);
    }
}

#[cfg(target_os = "linux")]
mod linux {
    use super::Detached;
    use std::sync::atomic::{AtomicI32, Ordering};

    /// The child, for the parent's signal handler.
    static CHILD: AtomicI32 = AtomicI32::new(0);

    const FORWARDED: [libc::c_int; 3] = [libc::SIGINT, libc::SIGTERM, libc::SIGHUP];

    pub(super) fn fork() -> Option<Detached> {
        use std::io::Write;
        // Nothing buffered may be printed twice.
        let _ = std::io::stdout().flush();
        let _ = std::io::stderr().flush();
        let mut pipe = [0; 2];
        // SAFETY: `pipe` has room for the two descriptors.
        if unsafe { libc::pipe2(pipe.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
            return None;
        }
        let [wait, done] = pipe;
        // SAFETY: the process has one thread here (no pool or signal thread has started), so
        // the child may run anything.
        let parent = unsafe { libc::getpid() };
        match unsafe { libc::fork() } {
            -1 => {
                close(wait);
                close(done);
                None
            }
            0 => {
                close(wait);
                // SAFETY: plain system calls on the child's own state.
                unsafe {
                    libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM);
                    // The parent died before the line above: nothing waits for this link.
                    if libc::getppid() != parent {
                        libc::_exit(1);
                    }
                }
                Some(Detached { done })
            }
            child => {
                close(done);
                wait_for(child, wait)
            }
        }
    }

    /// The parent: waits for the child to report success (then exits 0) or to end (then exits
    /// with its status or dies of its signal).
    fn wait_for(child: libc::pid_t, wait: libc::c_int) -> ! {
        CHILD.store(child, Ordering::SeqCst);
        for signal in FORWARDED {
            // SAFETY: `forward` only calls `kill`, which is async-signal-safe.
            unsafe {
                libc::signal(
                    signal,
                    forward as extern "C" fn(libc::c_int) as libc::sighandler_t,
                );
            }
        }
        let mut byte = 0u8;
        loop {
            // SAFETY: one byte into `byte`.
            let n = unsafe { libc::read(wait, (&mut byte as *mut u8).cast(), 1) };
            match n {
                // SAFETY: nothing of this process needs flushing: it printed nothing.
                1 => unsafe { libc::_exit(0) },
                -1 if std::io::Error::last_os_error().kind() == std::io::ErrorKind::Interrupted => {
                }
                _ => break,
            }
        }
        let mut status = 0;
        // SAFETY: waits for our own child.
        while unsafe { libc::waitpid(child, &mut status, 0) } == -1 {
            if std::io::Error::last_os_error().kind() != std::io::ErrorKind::Interrupted {
                // SAFETY: the child cannot be waited for: fail, flushing nothing.
                unsafe { libc::_exit(1) };
            }
        }
        if libc::WIFSIGNALED(status) {
            let signal = libc::WTERMSIG(status);
            // SAFETY: dies of the child's signal, with its default action.
            unsafe {
                libc::signal(signal, libc::SIG_DFL);
                let mut set: libc::sigset_t = std::mem::zeroed();
                libc::sigemptyset(&mut set);
                libc::sigaddset(&mut set, signal);
                libc::sigprocmask(libc::SIG_UNBLOCK, &set, std::ptr::null_mut());
                libc::raise(signal);
                libc::_exit(128 + signal);
            }
        }
        // SAFETY: as above.
        unsafe { libc::_exit(libc::WEXITSTATUS(status)) }
    }

    extern "C" fn forward(signal: libc::c_int) {
        // SAFETY: `kill` is async-signal-safe.
        unsafe {
            libc::kill(CHILD.load(Ordering::SeqCst), signal);
        }
    }

    pub(super) fn done(done: libc::c_int) {
        use std::io::Write;
        let _ = std::io::stdout().flush();
        let _ = std::io::stderr().flush();
        // SAFETY: system calls on the child's own state and descriptors.
        unsafe {
            libc::prctl(libc::PR_SET_PDEATHSIG, 0);
            let null = libc::open(c"/dev/null".as_ptr(), libc::O_RDWR | libc::O_CLOEXEC);
            if null >= 0 {
                for fd in 0..3 {
                    libc::dup2(null, fd);
                }
                close(null);
            }
            libc::write(done, [1u8].as_ptr().cast(), 1);
        }
        close(done);
    }

    fn close(fd: libc::c_int) {
        // SAFETY: closes a descriptor this module owns.
        unsafe {
            libc::close(fd);
        }
    }
}
