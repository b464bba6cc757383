//! The process's edges: the program's stdout (buffering, flushing on SIGINT/SIGTERM), reading
//! the source file with a size limit, and writing diagnostics to a stderr that may fail.

use std::io::{self, IsTerminal, Read, Write};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, TryLockError};
use std::time::{Duration, Instant};

/// The largest source file `mochi run` reads, in MiB.
pub const SOURCE_LIMIT_MB: u64 = 64;

/// Write one diagnostic line to stderr, ignoring failures (`2>/dev/full` must not turn an
/// error into a panic: the exit status stays the error's).
pub fn report(msg: &str) {
    let mut e = io::stderr().lock();
    let _ = e.write_all(msg.as_bytes());
    let _ = e.write_all(b"\n");
    let _ = e.flush();
}

/// Read the program: `-` is stdin; a fifo or `/dev/stdin` is read like a file. Reading stops
/// past [`SOURCE_LIMIT_MB`] (so `/dev/zero` or a huge file is an error, not an OOM kill).
pub fn read_source(path: &Path) -> Result<Vec<u8>, String> {
    let limit = SOURCE_LIMIT_MB << 20;
    let mut bytes = Vec::new();
    let r = if path.as_os_str() == "-" {
        io::stdin().lock().take(limit + 1).read_to_end(&mut bytes)
    } else {
        match std::fs::File::open(path) {
            Ok(f) => {
                if f.metadata().is_ok_and(|m| m.is_dir()) {
                    return Err("is a directory".into());
                }
                f.take(limit + 1).read_to_end(&mut bytes)
            }
            Err(e) => Err(e),
        }
    };
    match r {
        Ok(_) if bytes.len() as u64 > limit => Err(format!(
            "larger than the source limit of {SOURCE_LIMIT_MB} MB"
        )),
        Ok(_) => Ok(bytes),
        Err(e) => Err(match e.kind() {
            io::ErrorKind::NotFound => "no such file".into(),
            io::ErrorKind::PermissionDenied => "permission denied".into(),
            _ => vm::runtime::io_reason(&e),
        }),
    }
}

/// The program's stdout: line-buffered when it is a terminal, block-buffered (64 KiB)
/// otherwise. Clones share one buffer, behind a mutex, so that the main thread
/// ([`Signals::wait`]) can flush what was printed.
#[derive(Clone)]
pub struct Stdout(Arc<Mutex<Box<dyn Write + Send>>>);

impl Stdout {
    pub fn new() -> Self {
        let w: Box<dyn Write + Send> = if io::stdout().is_terminal() {
            // std's stdout is itself line-buffered.
            Box::new(io::stdout())
        } else {
            Box::new(io::BufWriter::with_capacity(1 << 16, io::stdout()))
        };
        Stdout(Arc::new(Mutex::new(w)))
    }
}

impl Write for Stdout {
    fn write(&mut self, b: &[u8]) -> io::Result<usize> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).write(b)
    }
    fn write_all(&mut self, b: &[u8]) -> io::Result<()> {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .write_all(b)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).flush()
    }
}

/// End the process now with `status`, on any thread: no destructors, no unwinding, no
/// `atexit` handlers (the allocator's clean-up). The caller has flushed what it wrote.
pub fn exit_now(status: i32) -> ! {
    let _ = io::stderr().flush();
    // SAFETY: `_exit` has no preconditions; nothing that must outlive the process is pending
    // (stdout was flushed by the caller, stderr is unbuffered and flushed above).
    unsafe { libc::_exit(status) }
}

/// On SIGINT or SIGTERM, flush what the program printed and exit with 128 + the signal
/// (130 / 143), as a shell reports a death by that signal.
///
/// The main thread does it, while it waits for the VM thread: [`Signals::block`] (on the main
/// thread, before any other thread starts) blocks SIGINT, SIGTERM and SIGUSR1 in this thread
/// and so in every thread spawned later, which inherits the mask; the VM thread's
/// [`Finished`] sends SIGUSR1 to the main thread when it ends (also by a panic), and
/// [`Signals::wait`] takes the three synchronously with `sigwait`. No signal handler runs, so
/// nothing has to be async-signal-safe: the main thread locks the output like any other code,
/// however the VM thread is busy (interpreting, or in native code that never polls a flag).
/// If the VM thread holds the output for long (a write blocked on a full pipe), it gives up on
/// flushing after 200 ms and exits anyway. (A thread of its own for the signals cost 0.3 ms
/// of every run, a fifth of an empty program's: its creation, its allocator and libc
/// per-thread set-up, its teardown.)
pub struct Signals {
    set: libc::sigset_t,
    main: libc::pthread_t,
    finished: Arc<AtomicBool>,
}

/// Held by the VM thread: dropping it (when the thread's work returns or unwinds) tells the
/// main thread's [`Signals::wait`] to stop waiting.
pub struct Finished {
    main: libc::pthread_t,
    finished: Arc<AtomicBool>,
}

impl Signals {
    /// Block the signals in the calling thread; `None` if that fails (they act as before).
    pub fn block() -> Option<Signals> {
        // SAFETY: plain libc calls on a local, initialised sigset.
        unsafe {
            let mut set: libc::sigset_t = std::mem::zeroed();
            libc::sigemptyset(&mut set);
            libc::sigaddset(&mut set, libc::SIGINT);
            libc::sigaddset(&mut set, libc::SIGTERM);
            libc::sigaddset(&mut set, libc::SIGUSR1);
            if libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut()) != 0 {
                return None;
            }
            Some(Signals {
                set,
                main: libc::pthread_self(),
                finished: Arc::new(AtomicBool::new(false)),
            })
        }
    }

    /// For the VM thread.
    pub fn finished(&self) -> Finished {
        Finished {
            main: self.main,
            finished: self.finished.clone(),
        }
    }

    /// Wait until the VM thread's [`Finished`] is dropped; on SIGINT or SIGTERM before that,
    /// flush `out` and end the process. A SIGUSR1 from elsewhere is ignored.
    pub fn wait(self, out: &Stdout) {
        loop {
            let mut sig: libc::c_int = 0;
            // SAFETY: `set` is a valid sigset; `sig` is a valid out pointer.
            if unsafe { libc::sigwait(&self.set, &mut sig) } != 0 {
                continue;
            }
            if sig == libc::SIGUSR1 {
                if self.finished.load(Ordering::Acquire) {
                    return;
                }
                continue;
            }
            let deadline = Instant::now() + Duration::from_millis(200);
            loop {
                match out.0.try_lock() {
                    Ok(mut w) => {
                        let _ = w.flush();
                        break;
                    }
                    Err(TryLockError::Poisoned(p)) => {
                        let _ = p.into_inner().flush();
                        break;
                    }
                    Err(TryLockError::WouldBlock) if Instant::now() < deadline => {
                        std::thread::sleep(Duration::from_millis(1));
                    }
                    Err(TryLockError::WouldBlock) => break,
                }
            }
            // SAFETY: ends the process without running destructors (the VM thread is still
            // running and owns the runtime).
            unsafe { libc::_exit(128 + sig) };
        }
    }
}

impl Drop for Finished {
    fn drop(&mut self) {
        self.finished.store(true, Ordering::Release);
        // SAFETY: the main thread is alive: it waits for this signal, then joins this thread.
        unsafe {
            libc::pthread_kill(self.main, libc::SIGUSR1);
        }
    }
}
