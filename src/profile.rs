//! `mochi run --profile=FILE`: a sampling profiler of Mochi frames (DESIGN.md §6).
//!
//! A POSIX timer on the VM thread's CPU clock (`timer_create(CLOCK_THREAD_CPUTIME_ID)`,
//! `SIGEV_THREAD_ID`) sends SIGPROF to the VM thread `--profile-hz` times per CPU second. The handler is async-signal-safe: it reads the state words of `vm::prof`
//! and the frame headers on the VM stack (checking every pointer against the stack's bounds),
//! and writes one fixed-size record into a preallocated buffer; it never allocates or locks.
//! The innermost frame is r12 of the interrupted context when the pc lies in JIT code (the
//! pinned frame register), else the frame the interpreter published (`INTERP_FP`) or, inside a
//! helper called by either tier, `ctx.exit_fp` (both tiers store it before calling a helper).
//! After the run, the records become a `pprof::Report`: a flamegraph (`.svg`) or a gzipped
//! pprof protobuf (any other extension).

use std::collections::HashMap;
use std::io::Write;
use std::path::Path;
use std::sync::atomic::{AtomicPtr, AtomicU64, AtomicUsize, Ordering::Relaxed};
use vm::abi::{FRAME_CALLER, FRAME_FUNC};
use vm::ops::Op;
use vm::prof;
use vm::program::Program;

/// Deepest stack recorded; deeper stacks keep their innermost frames under a marker.
const MAX_DEPTH: usize = 128;
/// Records in the buffer (about 66 MB of address space, committed as it fills: 131 s at
/// 1 kHz); later samples are counted as dropped.
const CAPACITY: usize = 1 << 17;
/// A frame word's tier bit: the frame ran native code.
const JIT: u32 = 1 << 31;

#[repr(C)]
#[derive(Clone, Copy)]
struct Record {
    /// The state word at the sample.
    state: u64,
    /// `ctx.exit_pc` (the op of a helper).
    exit_pc: u32,
    /// Frames recorded, innermost first.
    depth: u32,
    /// The walk stopped before reaching main (too deep).
    truncated: u32,
    /// Timer periods this sample stands for: 1 + the timer's overrun (CPU-clock timers are
    /// checked at scheduler ticks, so at 1 kHz one signal may cover several periods).
    weight: u32,
    frames: [u32; MAX_DEPTH],
}

static BUF: AtomicPtr<Record> = AtomicPtr::new(std::ptr::null_mut());
static NEXT: AtomicUsize = AtomicUsize::new(0);
static DROPPED: AtomicU64 = AtomicU64::new(0);
/// The timer (a `timer_t`), for `timer_getoverrun` in the handler.
static TIMER: AtomicUsize = AtomicUsize::new(0);

/// A frame pointer the handler may read: inside the VM stack, 8-aligned.
#[inline]
fn valid_frame(p: usize, lo: usize, hi: usize) -> bool {
    p >= lo && p + 32 <= hi && p.is_multiple_of(8)
}

#[cfg(all(target_os = "linux", target_arch = "x86_64"))]
fn interrupted_regs(uc: *mut libc::c_void) -> (usize, usize) {
    // SAFETY: the kernel passes the interrupted context to an SA_SIGINFO handler.
    unsafe {
        let uc = uc as *const libc::ucontext_t;
        let g = &(*uc).uc_mcontext.gregs;
        (
            g[libc::REG_RIP as usize] as usize,
            g[libc::REG_R12 as usize] as usize,
        )
    }
}

/// Set while `on_compile` writes a record, so the handler does not write the same one.
static IN_RECORD: AtomicUsize = AtomicUsize::new(0);

extern "C" fn on_sigprof(_sig: libc::c_int, _info: *mut libc::siginfo_t, uc: *mut libc::c_void) {
    let state = prof::get();
    // Compiles are accounted exactly by `on_compile`.
    if state & 0xff == prof::S_COMPILE || IN_RECORD.load(Relaxed) != 0 {
        return;
    }
    // SAFETY: timer_getoverrun is async-signal-safe; TIMER is the live timer.
    let overrun = unsafe { libc::timer_getoverrun(TIMER.load(Relaxed) as libc::timer_t) };
    record(state, 1 + overrun.max(0) as u32, uc);
}

/// After a compile: one record for it, weighted by its duration (at least one period), with
/// the stack of the frame that caused it.
fn on_compile(fid: usize, nanos: u64) {
    let hz = HZ.load(Relaxed) as u64;
    let weight = (nanos * hz).div_ceil(1_000_000_000).max(1) as u32;
    IN_RECORD.store(1, Relaxed);
    record(
        prof::S_COMPILE | (fid as u64) << 16,
        weight,
        std::ptr::null_mut(),
    );
    IN_RECORD.store(0, Relaxed);
}

static HZ: AtomicUsize = AtomicUsize::new(1000);

/// Write one record of `state`'s stack (async-signal-safe). `uc` is the interrupted context
/// (null outside the handler; then the state must not be S_NATIVE).
fn record(state: u64, weight: u32, uc: *mut libc::c_void) {
    let buf = BUF.load(Relaxed);
    let ctx = prof::CTX.load(Relaxed);
    if buf.is_null() || ctx.is_null() || state & 0xff == prof::S_IDLE {
        return;
    }
    let i = NEXT.load(Relaxed);
    if i >= CAPACITY {
        DROPPED.fetch_add(1, Relaxed);
        return;
    }
    let (lo, hi) = (prof::STACK_LO.load(Relaxed), prof::STACK_HI.load(Relaxed));
    let nfuncs = prof::NFUNCS.load(Relaxed) as u64;
    // SAFETY: `ctx` is the live context of the run (cleared before it is freed); the fields
    // are plain words written by this same thread.
    let (exit_fp, exit_pc) = unsafe {
        (
            std::ptr::read_volatile(&(*ctx).exit_fp) as usize,
            std::ptr::read_volatile(&(*ctx).exit_pc),
        )
    };
    let native = state & prof::NATIVE_BIT != 0;
    let native_base = prof::NATIVE_BASE.load(Relaxed) as usize;
    let interp_fp = prof::INTERP_FP.load(Relaxed) as usize;
    let mut kind = state & 0xff;
    let innermost = match kind {
        prof::S_NATIVE if !uc.is_null() => {
            let (pc, r12) = interrupted_regs(uc);
            if prof::in_jit_code(pc) {
                if valid_frame(r12, lo, hi) && r12 >= native_base {
                    r12
                } else {
                    native_base
                }
            } else if valid_frame(exit_fp, lo, hi) && exit_fp >= native_base {
                // Rust code called from native code: a helper op's routine (the helper
                // stencil stored exit_fp/exit_pc).
                kind = prof::S_HELPER;
                exit_fp
            } else {
                // The Rust side of entering or leaving native code (before the shim runs
                // or after it returned): no helper frame yet, the entered frame is it.
                native_base
            }
        }
        prof::S_HELPER | prof::S_GC | prof::S_SIDE_EXIT => exit_fp,
        prof::S_PRINT if native => exit_fp,
        _ => interp_fp,
    };
    // SAFETY: `buf` holds CAPACITY records and only this handler writes them (one at a time:
    // SIGPROF is blocked while its handler runs).
    let rec = unsafe { &mut *buf.add(i) };
    rec.state = kind | (state & !0xff);
    rec.exit_pc = exit_pc as u32;
    rec.truncated = 0;
    rec.weight = weight;
    let mut n = 0usize;
    let mut f = innermost;
    while f != 0 {
        if n == MAX_DEPTH {
            rec.truncated = 1;
            break;
        }
        if !valid_frame(f, lo, hi) {
            break;
        }
        // SAFETY: `f` lies inside the VM stack (checked above), which lives for the run.
        let (fid, caller) = unsafe {
            (
                std::ptr::read_volatile((f + FRAME_FUNC) as *const u64),
                std::ptr::read_volatile((f + FRAME_CALLER) as *const usize),
            )
        };
        if fid >= nfuncs {
            break;
        }
        let jit = if native && f >= native_base { JIT } else { 0 };
        rec.frames[n] = fid as u32 | jit;
        n += 1;
        if caller != 0 && caller >= f {
            break; // not a chain towards main: stop here
        }
        f = caller;
    }
    rec.depth = n as u32;
    NEXT.store(i + 1, Relaxed);
}

/// A running sampler; `finish` stops it and returns the samples.
pub struct Sampler {
    timer: libc::timer_t,
    hz: u32,
    start: std::time::SystemTime,
    started: std::time::Instant,
}

/// Samples taken, ready to become a report.
pub struct Samples {
    records: Vec<Record>,
    pub dropped: u64,
    pub hz: u32,
    start: std::time::SystemTime,
    duration: std::time::Duration,
}

impl Sampler {
    /// Start sampling the calling thread (the VM thread) `hz` times per second of its CPU time.
    pub fn start(hz: u32) -> Result<Sampler, String> {
        let layout = std::alloc::Layout::array::<Record>(CAPACITY).map_err(|e| e.to_string())?;
        // SAFETY: a non-zero-sized layout; zeroed memory is a valid array of Records.
        let buf = unsafe { std::alloc::alloc_zeroed(layout) } as *mut Record;
        if buf.is_null() {
            return Err("cannot allocate the sample buffer".into());
        }
        NEXT.store(0, Relaxed);
        DROPPED.store(0, Relaxed);
        BUF.store(buf, Relaxed);
        // SAFETY: plain libc calls with valid, initialised arguments.
        unsafe {
            let mut sa: libc::sigaction = std::mem::zeroed();
            sa.sa_sigaction = on_sigprof as *const () as usize;
            sa.sa_flags = libc::SA_SIGINFO | libc::SA_RESTART;
            libc::sigemptyset(&mut sa.sa_mask);
            if libc::sigaction(libc::SIGPROF, &sa, std::ptr::null_mut()) != 0 {
                return Err(format!("sigaction: {}", std::io::Error::last_os_error()));
            }
            let mut sev: libc::sigevent = std::mem::zeroed();
            sev.sigev_notify = libc::SIGEV_THREAD_ID;
            sev.sigev_signo = libc::SIGPROF;
            sev.sigev_notify_thread_id = libc::gettid();
            let mut timer: libc::timer_t = std::mem::zeroed();
            if libc::timer_create(libc::CLOCK_THREAD_CPUTIME_ID, &mut sev, &mut timer) != 0 {
                return Err(format!("timer_create: {}", std::io::Error::last_os_error()));
            }
            TIMER.store(timer as usize, Relaxed);
            let hz = hz.max(1);
            HZ.store(hz as usize, Relaxed);
            prof::COMPILE_HOOK.store(on_compile as fn(usize, u64) as usize, Relaxed);
            let period = libc::timespec {
                tv_sec: (1 / hz) as libc::time_t,
                tv_nsec: if hz == 1 {
                    0
                } else {
                    (1_000_000_000 / hz) as libc::c_long
                },
            };
            let spec = libc::itimerspec {
                it_interval: period,
                it_value: period,
            };
            if libc::timer_settime(timer, 0, &spec, std::ptr::null_mut()) != 0 {
                libc::timer_delete(timer);
                return Err(format!(
                    "timer_settime: {}",
                    std::io::Error::last_os_error()
                ));
            }
            Ok(Sampler {
                timer,
                hz,
                start: std::time::SystemTime::now(),
                started: std::time::Instant::now(),
            })
        }
    }

    /// Stop the timer and take the samples.
    pub fn finish(self) -> Samples {
        let duration = self.started.elapsed();
        // SAFETY: the timer was created by `start`; after `timer_delete` no new signal is
        // generated, and a pending one finds BUF null (or the state idle) and returns.
        unsafe {
            libc::timer_delete(self.timer);
        }
        prof::COMPILE_HOOK.store(0, Relaxed);
        let buf = BUF.swap(std::ptr::null_mut(), Relaxed);
        let n = NEXT.load(Relaxed).min(CAPACITY);
        // SAFETY: the first `n` records were written by the handler; the buffer came from
        // `alloc_zeroed` with this layout.
        let records = unsafe {
            let v = std::slice::from_raw_parts(buf, n).to_vec();
            std::alloc::dealloc(
                buf as *mut u8,
                std::alloc::Layout::array::<Record>(CAPACITY).expect("layout"),
            );
            v
        };
        Samples {
            records,
            dropped: DROPPED.load(Relaxed),
            hz: self.hz,
            start: self.start,
            duration,
        }
    }
}

impl Samples {
    /// Samples taken, each counted with its weight (timer periods).
    pub fn len(&self) -> usize {
        self.records.iter().map(|r| r.weight as usize).sum()
    }

    /// Each distinct stack (root first, as frame names) with its sample count.
    pub fn stacks(&self, prog: &Program) -> HashMap<Vec<String>, isize> {
        let name = |fid: u32| -> &str {
            prog.funcs
                .get((fid & !JIT) as usize)
                .map_or("?", |f| f.name.as_str())
        };
        let frame = |w: u32| -> String {
            let n = name(w);
            let n = if n.is_empty() { "main" } else { n };
            format!("{n} [{}]", if w & JIT != 0 { "jit" } else { "interp" })
        };
        let helper_op = |r: &Record| -> String {
            // The op the innermost frame was running (exit_pc of its function).
            if r.depth > 0 {
                let fid = (r.frames[0] & !JIT) as usize;
                if let Some(ins) = prog
                    .funcs
                    .get(fid)
                    .and_then(|f| f.code.get(r.exit_pc as usize))
                {
                    if ins.op.helper().is_some() {
                        return op_label(ins.op);
                    }
                }
            }
            "helper".into()
        };
        let mut out: HashMap<Vec<String>, isize> = HashMap::new();
        for r in &self.records {
            let d = r.depth as usize;
            let mut stack: Vec<String> = Vec::with_capacity(d + 3);
            if r.truncated != 0 {
                stack.push("main".into());
                stack.push("[truncated]".into());
            }
            stack.extend(r.frames[..d].iter().rev().map(|&w| frame(w)));
            let arg = (r.state >> 16) as u32;
            match r.state & 0xff {
                prof::S_COMPILE => stack.push(format!("jit compile {}", name(arg))),
                prof::S_OSR => stack.push(format!("osr {}", name(r.frames[0]))),
                prof::S_SIDE_EXIT => stack.push(format!("side exit {}", name(r.frames[0]))),
                prof::S_HELPER => stack.push(helper_op(r)),
                prof::S_GC => {
                    stack.push(helper_op(r));
                    stack.push("gc".into());
                }
                prof::S_PRINT => stack.push("print".into()),
                _ => {}
            }
            *out.entry(stack).or_default() += r.weight as isize;
        }
        out
    }

    /// The samples as a `pprof::Report` (one symbol per frame; no addresses).
    pub fn report(&self, prog: &Program) -> pprof::Report {
        let data = self
            .stacks(prog)
            .into_iter()
            .map(|(stack, count)| {
                let frames = stack
                    .into_iter()
                    .rev()
                    .map(|name| {
                        vec![pprof::Symbol {
                            name: Some(name.into_bytes()),
                            addr: None,
                            lineno: None,
                            filename: None,
                        }]
                    })
                    .collect();
                let key = pprof::Frames {
                    frames,
                    thread_name: "mochi".into(),
                    thread_id: 0,
                    sample_timestamp: self.start,
                };
                (key, count)
            })
            .collect();
        let mut report = pprof::Report {
            data,
            timing: Default::default(),
        };
        report.timing.frequency = self.hz as i32;
        report.timing.start_time = self.start;
        report.timing.duration = self.duration;
        report
    }

    /// Write the profile to `path`: a flamegraph if it ends in `.svg`, else a gzipped pprof
    /// protobuf.
    pub fn write(&self, prog: &Program, path: &Path) -> Result<(), String> {
        let report = self.report(prog);
        let is_svg = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("svg"));
        let mut bytes = Vec::new();
        if is_svg {
            if report.data.is_empty() {
                // inferno writes nothing for no samples; keep the file a valid image.
                bytes.extend_from_slice(EMPTY_SVG.as_bytes());
            } else {
                report
                    .flamegraph(&mut bytes)
                    .map_err(|e| format!("flamegraph: {e}"))?;
            }
        } else {
            use pprof::protos::Message;
            let profile = report.pprof().map_err(|e| format!("pprof: {e}"))?;
            let raw = profile
                .write_to_bytes()
                .map_err(|e| format!("pprof: {e}"))?;
            let mut gz = flate2::write::GzEncoder::new(&mut bytes, flate2::Compression::default());
            gz.write_all(&raw)
                .and_then(|_| gz.finish().map(|_| ()))
                .map_err(|e| format!("gzip: {e}"))?;
        }
        std::fs::write(path, bytes).map_err(|e| e.to_string())
    }
}

const EMPTY_SVG: &str = "<?xml version=\"1.0\" standalone=\"no\"?>\n<svg version=\"1.1\" width=\"600\" height=\"60\" xmlns=\"http://www.w3.org/2000/svg\"><text x=\"10\" y=\"30\">no samples (the run was shorter than one sampling period)</text></svg>\n";

/// A helper op's frame name: the op's name in the op table's snake case (`list_append`),
/// or `print` for the print ops.
fn op_label(op: Op) -> String {
    let name = op.name();
    if name.starts_with("Print") {
        return "print".into();
    }
    let mut s = String::new();
    for (i, ch) in name.chars().enumerate() {
        if ch.is_ascii_uppercase() {
            if i > 0 {
                s.push('_');
            }
            s.push(ch.to_ascii_lowercase());
        } else {
            s.push(ch);
        }
    }
    s
}
