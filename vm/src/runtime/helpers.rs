//! The routines of helper ops (`helper name` in the op table, `vm/src/ops.rs`): one
//! `extern "C"` function per op, called by the interpreter's generic helper arm and (later)
//! by tier 2's generic helper stencil, so each op's semantics exists once.
//!
//! Every routine has the signature [`crate::ops::HelperFn`]: `(ctx, fp, a, b, c) -> u64`.
//! `a`, `b`, `c` are the instruction's operands (word indices from `fp` for slot operands,
//! immediates otherwise). It returns 0 when done, or 1 after leaving an error message in
//! `Runtime::pending_error`; a routine that fails does so before changing any state, so
//! re-executing the op after a side exit is safe.

use super::rt;
use crate::abi::Ctx;
use crate::format;
use arenas::Cell;

/// The word `i` of the frame at `fp`.
///
/// # Safety
/// `fp + 8*i` must be a word of a live frame (the verifier checks slot operands).
#[inline(always)]
pub(crate) unsafe fn w(fp: *mut u8, i: u32) -> *mut u64 {
    fp.add(8 * i as usize) as *mut u64
}

/// Report an error from a helper: the message is raised by the caller at the op's position.
#[allow(dead_code)] // used by the container helpers
pub(crate) fn fail(ctx: *mut Ctx, msg: impl Into<String>) -> u64 {
    // SAFETY: helpers are only called with the live context of the run.
    unsafe { rt(ctx).pending_error = Some(msg.into()) };
    1
}

// ---- strings ----

/// R[a] := R[b] ++ R[c]
///
/// # Safety
/// Called with a live ctx and frame (see the module docs).
pub unsafe extern "C" fn concat_str(ctx: *mut Ctx, fp: *mut u8, a: u32, b: u32, c: u32) -> u64 {
    let rt = rt(ctx);
    let s = format!(
        "{}{}",
        rt.strings.get(Cell(*w(fp, b))),
        rt.strings.get(Cell(*w(fp, c)))
    );
    *w(fp, a) = rt.strings.alloc(s).0;
    0
}

/// R[a] := str(R[b])  (int)
///
/// # Safety
/// See `concat_str`.
pub unsafe extern "C" fn str_from_i64(ctx: *mut Ctx, fp: *mut u8, a: u32, b: u32, _: u32) -> u64 {
    let s = (*w(fp, b) as i64).to_string();
    *w(fp, a) = rt(ctx).strings.alloc(s).0;
    0
}

/// R[a] := str(R[b])  (float)
///
/// # Safety
/// See `concat_str`.
pub unsafe extern "C" fn str_from_f64(ctx: *mut Ctx, fp: *mut u8, a: u32, b: u32, _: u32) -> u64 {
    let s = format::float_top(f64::from_bits(*w(fp, b)));
    *w(fp, a) = rt(ctx).strings.alloc(s).0;
    0
}

/// R[a] := str(R[b])  (bool)
///
/// # Safety
/// See `concat_str`.
pub unsafe extern "C" fn str_from_bool(
    ctx: *mut Ctx,
    fp: *mut u8,
    a: u32,
    b: u32,
    _: u32,
) -> u64 {
    let s = format::bool_str(*w(fp, b) != 0);
    *w(fp, a) = rt(ctx).strings.alloc(s).0;
    0
}

/// Compare the strings R[b] and R[c] (byte order) and store `pred(ordering)` in R[a].
unsafe fn cmp_str(
    ctx: *mut Ctx,
    fp: *mut u8,
    a: u32,
    b: u32,
    c: u32,
    pred: fn(std::cmp::Ordering) -> bool,
) -> u64 {
    let rt = rt(ctx);
    let x = rt.strings.get(Cell(*w(fp, b))).as_bytes();
    let y = rt.strings.get(Cell(*w(fp, c))).as_bytes();
    *w(fp, a) = pred(x.cmp(y)) as u64;
    0
}

/// R[a] := R[b] == R[c]  (strings)
///
/// # Safety
/// See `concat_str`.
pub unsafe extern "C" fn eq_str(ctx: *mut Ctx, fp: *mut u8, a: u32, b: u32, c: u32) -> u64 {
    cmp_str(ctx, fp, a, b, c, |o| o.is_eq())
}
/// R[a] := R[b] != R[c]  (strings)
///
/// # Safety
/// See `concat_str`.
pub unsafe extern "C" fn ne_str(ctx: *mut Ctx, fp: *mut u8, a: u32, b: u32, c: u32) -> u64 {
    cmp_str(ctx, fp, a, b, c, |o| o.is_ne())
}
/// R[a] := R[b] < R[c]  (strings, byte order)
///
/// # Safety
/// See `concat_str`.
pub unsafe extern "C" fn lt_str(ctx: *mut Ctx, fp: *mut u8, a: u32, b: u32, c: u32) -> u64 {
    cmp_str(ctx, fp, a, b, c, |o| o.is_lt())
}
/// R[a] := R[b] <= R[c]  (strings, byte order)
///
/// # Safety
/// See `concat_str`.
pub unsafe extern "C" fn le_str(ctx: *mut Ctx, fp: *mut u8, a: u32, b: u32, c: u32) -> u64 {
    cmp_str(ctx, fp, a, b, c, |o| o.is_le())
}
