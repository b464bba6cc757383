//! What the runtime is doing right now, for the sampling profiler (`mochi run --profile`,
//! `src/profile.rs`). The tiers write these words at transitions they already make (a call or
//! return in the interpreter, entering or leaving native code, compiling, calling a helper,
//! collecting garbage), with plain relaxed stores: no check whether profiling is on, so the
//! cost is the same few stores either way. The SIGPROF handler, running on the VM thread,
//! only reads them (async-signal-safe: no allocation, no locks).
//!
//! The VM is single-threaded, so these are process-wide.

use crate::abi::Ctx;
use std::sync::atomic::{AtomicPtr, AtomicU64, AtomicUsize, Ordering::Relaxed};

/// State kinds (the low 8 bits of [`STATE`]); bits 16.. carry an argument (a function index).
pub const S_IDLE: u64 = 0;
/// The interpreter runs the frame in [`INTERP_FP`].
pub const S_INTERP: u64 = 1;
/// Native code runs (innermost frame: r12 when the pc lies in JIT code).
pub const S_NATIVE: u64 = 2;
/// Compiling function `arg`, caused by the frame in [`INTERP_FP`].
pub const S_COMPILE: u64 = 3;
/// A helper op's routine runs for the frame `ctx.exit_fp` at `ctx.exit_pc`.
pub const S_HELPER: u64 = 4;
/// Collecting garbage (inside an allocating helper: `ctx.exit_fp`).
pub const S_GC: u64 = 5;
/// `print` (formatting and writing).
pub const S_PRINT: u64 = 6;
/// Handling a side exit out of native code of the frame `ctx.exit_fp`.
pub const S_SIDE_EXIT: u64 = 7;
/// Entering native code of a running loop (OSR) for the frame in [`INTERP_FP`].
pub const S_OSR: u64 = 8;
/// Set with a kind: the frames from [`NATIVE_BASE`] inwards run native code.
pub const NATIVE_BIT: u64 = 1 << 8;

/// The state word: kind | NATIVE_BIT? | arg << 16.
pub static STATE: AtomicU64 = AtomicU64::new(S_IDLE);
/// The interpreter's current frame (written when it switches frames: calls, returns, resuming
/// after native code).
pub static INTERP_FP: AtomicPtr<u8> = AtomicPtr::new(std::ptr::null_mut());
/// The frame at which the interpreter last entered native code: while NATIVE_BIT is set, it
/// and every frame above it on the VM stack run native code (native code never calls back
/// into the interpreter: a call to an uncompiled function side-exits).
pub static NATIVE_BASE: AtomicPtr<u8> = AtomicPtr::new(std::ptr::null_mut());
/// The running context (exit_fp/exit_pc), the VM stack's bounds and the function count, so the
/// handler can check every pointer it follows.
pub static CTX: AtomicPtr<Ctx> = AtomicPtr::new(std::ptr::null_mut());
pub static STACK_LO: AtomicUsize = AtomicUsize::new(0);
pub static STACK_HI: AtomicUsize = AtomicUsize::new(0);
pub static NFUNCS: AtomicUsize = AtomicUsize::new(0);

/// Address ranges of JIT code memory (registered when a region is mapped).
pub const MAX_CODE_RANGES: usize = 1024;
static CODE_START: [AtomicUsize; MAX_CODE_RANGES] =
    [const { AtomicUsize::new(0) }; MAX_CODE_RANGES];
static CODE_END: [AtomicUsize; MAX_CODE_RANGES] = [const { AtomicUsize::new(0) }; MAX_CODE_RANGES];
static CODE_RANGES: AtomicUsize = AtomicUsize::new(0);

#[inline(always)]
pub fn set(state: u64) {
    STATE.store(state, Relaxed)
}

#[inline(always)]
pub fn get() -> u64 {
    STATE.load(Relaxed)
}

/// Set `kind` (keeping the NATIVE_BIT of the current state) until the guard drops.
#[inline(always)]
pub fn enter(kind: u64) -> Guard {
    let prev = get();
    set(kind | (prev & NATIVE_BIT));
    Guard(prev)
}

pub struct Guard(u64);

impl Drop for Guard {
    #[inline(always)]
    fn drop(&mut self) {
        set(self.0)
    }
}

/// Called (when set) after each compile with the function index and the compile time in
/// nanoseconds: the profiler accounts compile time exactly instead of sampling it (a compile
/// takes microseconds, well below one sampling period).
pub static COMPILE_HOOK: AtomicUsize = AtomicUsize::new(0);

/// Report a finished compile to the profiler, if one is listening.
pub fn compiled(fid: usize, nanos: u64) {
    let h = COMPILE_HOOK.load(Relaxed);
    if h != 0 {
        // SAFETY: only `fn(usize, u64)` pointers are stored in COMPILE_HOOK.
        let f: fn(usize, u64) = unsafe { std::mem::transmute::<usize, fn(usize, u64)>(h) };
        f(fid, nanos);
    }
}

/// Record that `start..start + len` holds JIT code.
pub fn register_code(start: usize, len: usize) {
    let i = CODE_RANGES.load(Relaxed);
    if i < MAX_CODE_RANGES {
        CODE_START[i].store(start, Relaxed);
        CODE_END[i].store(start + len, Relaxed);
        CODE_RANGES.store(i + 1, std::sync::atomic::Ordering::Release);
    }
}

/// Whether `pc` lies in JIT code (async-signal-safe).
#[inline]
pub fn in_jit_code(pc: usize) -> bool {
    let n = CODE_RANGES.load(std::sync::atomic::Ordering::Acquire);
    (0..n).any(|i| pc >= CODE_START[i].load(Relaxed) && pc < CODE_END[i].load(Relaxed))
}

/// The state word while entering native code at a loop header of function `fid` (out of
/// line: it runs once per OSR entry, and keeping it out of the interpreter's loop keeps that
/// loop's register allocation as it is without a profiler).
#[inline(never)]
pub fn set_osr(fid: usize) {
    set(S_OSR | (fid as u64) << 16)
}
