//! The routines of helper ops (`helper name` in the op table, `vm/src/ops.rs`): one
//! `extern "C"` function per op, called by the interpreter's generic helper arm and (later)
//! by tier 2's generic helper stencil, so each op's semantics exists once.
//!
//! Every routine has the signature [`crate::ops::HelperFn`]: `(ctx, fp, a, b, c) -> u64`.
//! `a`, `b`, `c` are the instruction's operands (word indices from `fp` for slot operands,
//! immediates otherwise). It returns 0 when done, or 1 after leaving an error message in
//! `Runtime::pending_error`; a routine that fails does so before changing any state, so
//! re-executing the op after a side exit is safe.
//!
//! Routines of `alloc` ops start with a GC safepoint (`Runtime::safepoint`): the collector
//! runs there, before anything is allocated, with the frames from `fp` up as roots. A routine
//! that allocates several objects therefore never collects in the middle.

use super::{rt, Runtime};
use crate::abi::Ctx;
use arenas::rtti::{TypeDesc, TypeTable};
use arenas::{Bank, Cell, RtError};
use std::io::BufRead;

/// The word `i` of the frame at `fp`.
///
/// # Safety
/// `fp + 8*i` must be a word of a live frame (the verifier checks slot operands).
#[inline(always)]
pub(crate) unsafe fn w(fp: *mut u8, i: u32) -> *mut u64 {
    fp.add(8 * i as usize) as *mut u64
}

fn rte(e: RtError) -> String {
    e.0
}

/// The zero word of a type: 0 / 0.0 for the i64 and f64 banks, nil for cells.
pub fn zero_word(types: &TypeTable, ty: u32) -> u64 {
    match types.bank(ty) {
        Bank::I64 | Bank::F64 => 0,
        Bank::Cell => Cell::NIL.0,
    }
}

/// How a runtime type is written in messages (`cannot cast "x" to int`).
pub fn type_name(types: &TypeTable, ty: u32) -> String {
    match types.get(ty) {
        TypeDesc::Int => "int".into(),
        TypeDesc::Float => "float".into(),
        TypeDesc::Bool => "bool".into(),
        TypeDesc::Str => "string".into(),
        TypeDesc::BigInt => "bigint".into(),
        TypeDesc::Any => "any".into(),
        TypeDesc::Nil => "nil".into(),
        TypeDesc::Void => "void".into(),
        TypeDesc::List(e) => format!("list<{}>", type_name(types, *e)),
        TypeDesc::Map(k, v) => format!("map<{}, {}>", type_name(types, *k), type_name(types, *v)),
        TypeDesc::Optional(t) => format!("{}?", type_name(types, *t)),
        TypeDesc::Struct { name, .. } | TypeDesc::Union { name, .. } => name.clone(),
        TypeDesc::Func { .. } => "fun".into(),
    }
}

/// Math functions of `MathF64` (operand c). `sqrt` and float `abs` have ops of their own
/// (`SqrtF64`, `AbsF64`), inline in tier 2.
pub const MATH_POW: u32 = 1;
pub const MATH_SIN: u32 = 2;
pub const MATH_COS: u32 = 3;
pub const MATH_TAN: u32 = 4;
pub const MATH_ATAN: u32 = 5;
pub const MATH_ATAN2: u32 = 6;
pub const MATH_EXP: u32 = 7;
pub const MATH_LOG: u32 = 8;
pub const MATH_LOG2: u32 = 9;
pub const MATH_LOG10: u32 = 10;
pub const MATH_FLOOR: u32 = 11;
pub const MATH_CEIL: u32 = 12;

/// `BigBinary` operations (operand c).
pub const BIG_ADD: u32 = 0;
pub const BIG_SUB: u32 = 1;
pub const BIG_MUL: u32 = 2;
pub const BIG_DIV: u32 = 3;
pub const BIG_MOD: u32 = 4;
pub const BIG_EQ: u32 = 5;
pub const BIG_LT: u32 = 6;
pub const BIG_LE: u32 = 7;

/// Define helper routines. `alloc fn` starts with a GC safepoint; `pure fn` does not. The body
/// is a block returning `Result<(), String>` and may use `?`; `g(i)` reads word i of the frame,
/// `set(i, v)` writes it, `cell(i)` reads it as a Cell.
macro_rules! helpers {
    ($( $(#[doc = $d:literal])* $kind:ident fn $name:ident($h:ident, $a:pat, $b:pat, $c:pat) $body:block )*) => { $(
        $(#[doc = $d])*
        ///
        /// # Safety
        /// Called with the live ctx and frame of the run (see the module docs).
        #[allow(unused_variables, clippy::redundant_closure_call)]
        pub unsafe extern "C" fn $name(ctx: *mut Ctx, fp: *mut u8, a_: u32, b_: u32, c_: u32) -> u64 {
            let r0 = rt(ctx);
            if let Err(m) = helpers!(@gc $kind r0 ctx fp) {
                r0.pending_error = Some(m);
                return 1;
            }
            let ($a, $b, $c) = (a_, b_, c_);
            #[allow(unused_macros)]
            macro_rules! g { ($i:expr) => { *w(fp, $i) } }
            #[allow(unused_macros)]
            macro_rules! set { ($i:expr, $v:expr) => { *w(fp, $i) = $v } }
            #[allow(unused_macros)]
            macro_rules! cell { ($i:expr) => { Cell(*w(fp, $i)) } }
            // A value of the wrong kind (a nil where the static type promised a container or
            // a string: a missing map entry, an uninitialised struct variable) makes the heap
            // panic; that must become a runtime error, never unwind out of `extern "C"`.
            let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                (|$h: &mut Runtime| -> Result<(), String> { $body })(r0)
            }))
            .unwrap_or_else(|p| Err(panic_message(p)));
            match r {
                Ok(()) => 0,
                Err(m) => {
                    let r = rt(ctx);
                    if m == arenas::heap::OUT_OF_MEMORY {
                        // The heap could not grow: every later allocation fails too.
                        r.heap.set_out_of_memory(m.clone());
                    }
                    r.pending_error = Some(m);
                    1
                }
            }
        }
    )* };
    (@gc alloc $rt:ident $ctx:ident $fp:ident) => { $rt.safepoint($ctx, $fp) };
    (@gc pure $rt:ident $ctx:ident $fp:ident) => { Ok::<(), String>(()) };
}

// Helper ops whose common case needs no memory and cannot fail: the routine tries the
// heap's inline fast path first (no GC safepoint, no unwinding guard: it allocates nothing
// and does not panic) and runs the general routine otherwise. Native code calls these
// through the helper stencil; the interpreter inlines the same fast paths in its arms.

/// R[a].push(R[b])  (`ListPush`)
///
/// # Safety
/// Called with the live ctx and frame of the run (see the module docs).
pub unsafe extern "C" fn list_push(ctx: *mut Ctx, fp: *mut u8, a: u32, b: u32, c: u32) -> u64 {
    if rt(ctx).heap.list_push_fast(Cell(*w(fp, a)), *w(fp, b)) {
        return 0;
    }
    list_push_slow(ctx, fp, a, b, c)
}

/// The runtime error for a heap panic caught in a helper.
fn panic_message(p: Box<dyn std::any::Any + Send>) -> String {
    let m = p
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_default();
    if m.starts_with("not a ") {
        "invalid use of nil value".to_string()
    } else if m.starts_with(arenas::heap::OUT_OF_MEMORY) {
        arenas::heap::OUT_OF_MEMORY.to_string()
    } else {
        format!("internal error: {m}")
    }
}

/// Nanoseconds on a monotonic clock (since the first call); `bench` blocks time with it, never
/// with `now()` (which `MOCHI_NOW_SEED` makes a counter).
fn monotonic_ns() -> u64 {
    static START: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
    START
        .get_or_init(std::time::Instant::now)
        .elapsed()
        .as_nanos() as u64
}

/// The byte order of two strings, None when either is nil (a missing key of a string-valued
/// map): comparisons with nil are false, as in the reference.
fn str_order(heap: &arenas::Heap, x: Cell, y: Cell) -> Option<std::cmp::Ordering> {
    (!x.is_nil() && !y.is_nil()).then(|| heap.str_cmp(x, y))
}

fn cmp_pred(o: std::cmp::Ordering, sel: u32) -> bool {
    match sel {
        0 => o.is_lt(),
        1 => o.is_le(),
        2 => o.is_gt(),
        _ => o.is_ge(),
    }
}

/// `x ** e` on ints, checked: `negative exponent` when e < 0, `integer overflow` when the
/// result does not fit (the semantics of `PowI64` in both tiers).
pub fn pow_i64_checked(x: i64, e: i64) -> Result<i64, String> {
    if e < 0 {
        return Err("negative exponent".into());
    }
    let r = match x {
        0 | 1 => Some(if e == 0 { 1 } else { x }),
        -1 => Some(if e % 2 == 0 { 1 } else { -1 }),
        _ => u32::try_from(e).ok().and_then(|e| x.checked_pow(e)),
    };
    r.ok_or_else(|| "integer overflow".into())
}

fn round_half_away(x: f64, digits: i64) -> f64 {
    if digits <= 0 {
        return x.round();
    }
    let p = 10f64.powi(digits.min(300) as i32);
    (x * p).round() / p
}

helpers! {
    // ---- strings ----
    /// R[a] := R[b] ++ R[c]
    alloc fn concat_str(rt, a, b, c) {
        set!(a, rt.heap.str_concat(cell!(b), cell!(c)).0);
        Ok(())
    }
    /// R[a] := R[a] ++ R[b]  (an owned string local's append: `Heap::str_append`)
    alloc fn append_str(rt, a, b, _c) {
        set!(a, rt.heap.str_append(cell!(a), cell!(b)).0);
        Ok(())
    }
    /// R[a] := the append view word of R[b], the rest of its buffer reserved (`AppendStrOpen`)
    pure fn append_str_open(rt, a, b, _c) {
        set!(a, rt.heap.str_view_open(cell!(b)));
        Ok(())
    }
    /// R[a] := the view word after R[b] := R[b] + R[c] through the append view R[a]
    /// (`AppendStrVGrow`)
    alloc fn append_str_v_grow(rt, a, b, c) {
        let (r, n) = rt.heap.str_view_grow(cell!(b), g!(a), cell!(c));
        set!(b, r.0);
        set!(a, n);
        Ok(())
    }
    /// R[a] := the view word after R[b] := R[b] + the literal packed in K[c] through the
    /// append view R[a] (`AppendStrVLitGrow`; the verifier checked the literal)
    alloc fn append_str_v_lit_grow(rt, a, b, c) {
        let lit = arenas::heap::strings::unpack_literal(rt.consts[c as usize])
            .ok_or("internal error: not a packed literal")?;
        let runes = lit.chars().count() as u64;
        let (r, n) =
            rt.heap
                .str_view_grow_bytes(cell!(b), g!(a), lit.as_ptr(), lit.len() as u64, runes);
        set!(b, r.0);
        set!(a, n);
        Ok(())
    }
    /// R[a] := byte length of R[b] after the append view R[a] on it closes (`AppendStrClose`)
    pure fn append_str_close(rt, a, b, _c) {
        let n = rt.heap.str_view_close(cell!(b), g!(a));
        set!(a, n);
        Ok(())
    }
    /// R[a] := str(R[b])  (int)
    alloc fn str_from_i64(rt, a, b, _c) {
        set!(a, rt.heap.int_to_str(g!(b) as i64).0);
        Ok(())
    }
    /// R[a] := str(R[b])  (float)
    alloc fn str_from_f64(rt, a, b, _c) {
        set!(a, rt.heap.float_to_str(f64::from_bits(g!(b))).0);
        Ok(())
    }
    /// R[a] := str(R[b])  (bool)
    alloc fn str_from_bool(rt, a, b, _c) {
        set!(a, rt.heap.bool_to_str(g!(b) != 0).0);
        Ok(())
    }
    /// R[a] := R[b] == R[c]  (strings)
    pure fn eq_str(rt, a, b, c) {
        set!(a, rt.heap.str_eq(cell!(b), cell!(c)) as u64);
        Ok(())
    }
    /// R[a] := R[b] != R[c]  (strings)
    pure fn ne_str(rt, a, b, c) {
        set!(a, !rt.heap.str_eq(cell!(b), cell!(c)) as u64);
        Ok(())
    }
    /// R[a] := R[b] < R[c]  (strings, byte order; false when either is nil)
    pure fn lt_str(rt, a, b, c) {
        set!(a, str_order(&rt.heap, cell!(b), cell!(c)).is_some_and(|o| o.is_lt()) as u64);
        Ok(())
    }
    /// R[a] := R[b] <= R[c]  (strings, byte order; false when either is nil)
    pure fn le_str(rt, a, b, c) {
        set!(a, str_order(&rt.heap, cell!(b), cell!(c)).is_some_and(|o| o.is_le()) as u64);
        Ok(())
    }
    /// R[a] := R[b][R[c]]  (1-rune string)
    alloc fn str_index(rt, a, b, c) {
        let s = rt.heap.str_index(cell!(b), g!(c) as i64).map_err(rte)?;
        set!(a, s.0);
        Ok(())
    }
    /// R[a] := R[b][R[c] : R[c+1]]
    alloc fn str_slice(rt, a, b, c) {
        let s = rt.heap.str_slice(cell!(b), Some(g!(c) as i64), Some(g!(c + 1) as i64));
        set!(a, s.0);
        Ok(())
    }
    /// R[a] := substring(R[b], R[c], R[c+1])
    alloc fn substring(rt, a, b, c) {
        let s = rt.heap.str_substring(cell!(b), g!(c) as i64, g!(c + 1) as i64);
        set!(a, s.0);
        Ok(())
    }
    /// R[a] := str(R[b]) of runtime type c
    alloc fn to_str(rt, a, b, c) {
        set!(a, rt.heap.to_str_cell(g!(b), c).0);
        Ok(())
    }
    /// R[a] := R[c] in R[b]  (substring)
    pure fn str_contains(rt, a, b, c) {
        set!(a, rt.heap.str_contains(cell!(b), cell!(c)) as u64);
        Ok(())
    }
    /// R[a] := R[b] starts with R[c]
    pure fn str_starts_with(rt, a, b, c) {
        set!(a, rt.heap.str_starts_with(cell!(b), cell!(c)) as u64);
        Ok(())
    }
    /// R[a] := R[b] ends with R[c]
    pure fn str_ends_with(rt, a, b, c) {
        let r = rt.heap.str(cell!(b)).ends_with(rt.heap.str(cell!(c)));
        set!(a, r as u64);
        Ok(())
    }
    /// R[a] := upper(R[b])
    alloc fn str_upper(rt, a, b, _c) {
        set!(a, rt.heap.str_upper(cell!(b)).0);
        Ok(())
    }
    /// R[a] := lower(R[b])
    alloc fn str_lower(rt, a, b, _c) {
        set!(a, rt.heap.str_lower(cell!(b)).0);
        Ok(())
    }
    /// R[a] := trim(R[b])
    alloc fn str_trim(rt, a, b, _c) {
        set!(a, rt.heap.str_trim(cell!(b)).0);
        Ok(())
    }
    /// R[a] := reverse(R[b])
    alloc fn str_reverse(rt, a, b, _c) {
        set!(a, rt.heap.str_reverse(cell!(b)).0);
        Ok(())
    }
    /// R[a] := split(R[b], R[c])
    alloc fn str_split(rt, a, b, c) {
        set!(a, rt.heap.str_split(cell!(b), cell!(c)).0);
        Ok(())
    }
    /// R[a] := join(R[b], R[c])
    alloc fn str_join(rt, a, b, c) {
        set!(a, rt.heap.str_join(cell!(b), cell!(c)).0);
        Ok(())
    }
    /// R[a] := indexOf(R[b], R[c])
    pure fn str_index_of(rt, a, b, c) {
        set!(a, rt.heap.str_index_of(cell!(b), cell!(c)) as u64);
        Ok(())
    }
    /// R[a] := repeat(R[b], R[c])
    alloc fn str_repeat(rt, a, b, c) {
        set!(a, rt.heap.str_repeat(cell!(b), g!(c) as i64).0);
        Ok(())
    }
    /// R[a] := padStart(R[b], R[c], R[b+1])
    alloc fn str_pad_start(rt, a, b, c) {
        set!(a, rt.heap.str_pad_start(cell!(b), g!(c) as i64, cell!(b + 1)).0);
        Ok(())
    }
    /// R[a] := parseIntStr(R[b], R[c])
    pure fn parse_int(rt, a, b, c) {
        let base = g!(c) as i64;
        if !(2..=36).contains(&base) {
            return Err(format!("invalid base {base}"));
        }
        set!(a, rt.heap.str_parse_int(cell!(b), base as u32).map_err(rte)? as u64);
        Ok(())
    }
    /// R[a] := R[b] as int
    pure fn str_to_int(rt, a, b, _c) {
        let s = rt.heap.str(cell!(b));
        match arenas::heap::strings::parse_int(s.trim(), 10) {
            Ok(v) => set!(a, v as u64),
            Err(_) => return Err(format!("cannot cast {} to int", arenas::format::go_quote(s))),
        }
        Ok(())
    }
    /// R[a] := R[b] as float
    pure fn str_to_float(rt, a, b, _c) {
        let s = rt.heap.str(cell!(b));
        match s.trim().parse::<f64>() {
            Ok(v) => set!(a, v.to_bits()),
            Err(_) => return Err(format!("cannot cast {} to float", arenas::format::go_quote(s))),
        }
        Ok(())
    }

    // ---- lists ----
    /// R[a] := new list of element type b, capacity c
    alloc fn new_list(rt, a, b, c) {
        set!(a, rt.heap.new_list(b, c as usize).0);
        Ok(())
    }
    /// R[a].push(R[b])  (the general case of `list_push`)
    alloc fn list_push_slow(rt, a, b, _c) {
        rt.heap.list_push(cell!(a), g!(b));
        Ok(())
    }
    /// R[a] := len(R[b]) with the rest of its buffer reserved (`ListAppendOpen`)
    pure fn list_append_open(rt, a, b, _c) {
        set!(a, rt.heap.list_view_open(cell!(b)));
        Ok(())
    }
    /// R[a] := length after R[b].push(R[c]) through the append view R[a] (`ListPushVGrow`)
    alloc fn list_push_v_grow(rt, a, b, c) {
        let n = rt.heap.list_view_grow(cell!(b), g!(a), g!(c));
        set!(a, n);
        Ok(())
    }
    /// R[b] := its first R[a] elements (`ListAppendClose`)
    pure fn list_append_close(rt, a, b, _c) {
        rt.heap.list_view_close(cell!(b), g!(a));
        Ok(())
    }
    /// R[a] := append(R[b], R[c])
    alloc fn list_append(rt, a, b, c) {
        set!(a, rt.heap.list_append(cell!(b), g!(c)).0);
        Ok(())
    }
    /// R[a] := R[b] + R[c]
    alloc fn list_concat(rt, a, b, c) {
        set!(a, rt.heap.list_concat(cell!(b), cell!(c)).0);
        Ok(())
    }
    /// R[a] := R[b][R[c] : R[c+1]]
    alloc fn list_slice(rt, a, b, c) {
        let l = rt.heap.list_slice(cell!(b), Some(g!(c) as i64), Some(g!(c + 1) as i64));
        set!(a, l.0);
        Ok(())
    }
    /// R[a] := R[c] in R[b]
    pure fn list_contains(rt, a, b, c) {
        set!(a, rt.heap.list_contains(cell!(b), g!(c)) as u64);
        Ok(())
    }
    /// R[a] := reverse(R[b])
    alloc fn list_reverse(rt, a, b, _c) {
        set!(a, rt.heap.list_reverse(cell!(b)).0);
        Ok(())
    }
    /// R[a] := R[b] reordered stably by the keys R[c]
    alloc fn list_sort_by_keys(rt, a, b, c) {
        let l = rt.heap.list_sort_by_keys(cell!(b), cell!(c)).map_err(rte)?;
        set!(a, l.0);
        Ok(())
    }
    /// R[a] := sum(R[b])  (any numbers, boxed)
    alloc fn list_sum_any(rt, a, b, _c) {
        let v = rt.heap.list_sum_any(cell!(b)).map_err(rte)?;
        set!(a, v.0);
        Ok(())
    }
    /// R[a] := R[b] op c R[b+1]  (any values)
    alloc fn any_arith(rt, a, b, c) {
        let v = rt.heap.any_arith(c, cell!(b), cell!(b + 1)).map_err(rte)?;
        set!(a, v.0);
        Ok(())
    }
    /// R[a] := R[b][R[c]]  (any base)
    alloc fn index_any(rt, a, b, c) {
        let v = rt.heap.index_any(cell!(b), cell!(c)).map_err(rte)?;
        set!(a, v.0);
        Ok(())
    }
    /// R[a] := truthiness of R[b]
    pure fn truthy(rt, a, b, _c) {
        set!(a, rt.heap.truthy(g!(b), arenas::rtti::ANY) as u64);
        Ok(())
    }
    /// R[a] := distinct(R[b])
    alloc fn list_distinct(rt, a, b, _c) {
        set!(a, rt.heap.list_distinct(cell!(b)).0);
        Ok(())
    }
    /// R[a] := sum(R[b])  (ints)
    pure fn list_sum_i64(rt, a, b, _c) {
        set!(a, rt.heap.list_sum_i64(cell!(b)).map_err(rte)? as u64);
        Ok(())
    }
    /// R[a] := sum(R[b])  (floats)
    pure fn list_sum_f64(rt, a, b, _c) {
        set!(a, rt.heap.list_sum_f64(cell!(b)).to_bits());
        Ok(())
    }
    /// R[a] := avg(R[b])
    pure fn list_avg(rt, a, b, _c) {
        set!(a, rt.heap.list_avg(cell!(b)).to_bits());
        Ok(())
    }
    /// R[a] := min(R[b])
    pure fn list_min(rt, a, b, _c) {
        let l = cell!(b);
        let z = zero_word(&rt.heap.types, rt.heap.list_elem_type(l));
        set!(a, rt.heap.list_min(l).unwrap_or(z));
        Ok(())
    }
    /// R[a] := max(R[b])
    pure fn list_max(rt, a, b, _c) {
        let l = cell!(b);
        let z = zero_word(&rt.heap.types, rt.heap.list_elem_type(l));
        set!(a, rt.heap.list_max(l).unwrap_or(z));
        Ok(())
    }
    /// R[a] := first(R[b])
    pure fn list_first(rt, a, b, _c) {
        let l = cell!(b);
        let v = if rt.heap.list_len(l) > 0 {
            rt.heap.list_get(l, 0).map_err(rte)?
        } else {
            zero_word(&rt.heap.types, rt.heap.list_elem_type(l))
        };
        set!(a, v);
        Ok(())
    }

    // ---- maps ----
    /// R[a] := new map (key type b, value type c)
    alloc fn new_map(rt, a, b, c) {
        set!(a, rt.heap.new_map(b, c).0);
        Ok(())
    }
    /// R[a] := R[b][R[c]]  (missing: zero word; the general case of `map_get`)
    pure fn map_get_slow(rt, a, b, c) {
        let m = cell!(b);
        let v = match rt.heap.map_get(m, g!(c)) {
            Some(v) => v,
            None => zero_word(&rt.heap.types, rt.heap.map_val_type(m)),
        };
        set!(a, v);
        Ok(())
    }
    /// R[a][R[b]] := R[c]  (the general case of `map_set`)
    alloc fn map_set_slow(rt, a, b, c) {
        rt.heap.map_set(cell!(a), g!(b), g!(c));
        Ok(())
    }
    /// R[a] := R[c] in R[b]
    pure fn map_has(rt, a, b, c) {
        set!(a, rt.heap.map_has(cell!(b), g!(c)) as u64);
        Ok(())
    }
    /// R[a] := len(R[b])
    pure fn map_len(rt, a, b, _c) {
        set!(a, rt.heap.map_len(cell!(b)) as u64);
        Ok(())
    }
    /// R[a] := len(R[b])  (any)
    pure fn len_any(rt, a, b, _c) {
        let v = cell!(b);
        let n = match v.arena() {
            Some((arenas::ArenaKind::Str, _)) => rt.heap.str_runes(v),
            Some((arenas::ArenaKind::List, _)) => rt.heap.list_len(v),
            Some((arenas::ArenaKind::Map, _)) => rt.heap.map_len(v),
            _ => {
                let shown = rt.heap.format_print(v.0, arenas::rtti::ANY);
                return Err(format!("len of a value that is not a string, list or map: {shown}"));
            }
        };
        set!(a, n as u64);
        Ok(())
    }
    /// R[a] := keys(R[b])
    alloc fn map_keys(rt, a, b, _c) {
        set!(a, rt.heap.map_keys_list(cell!(b)).0);
        Ok(())
    }
    /// R[a] := values(R[b])
    alloc fn map_values(rt, a, b, _c) {
        set!(a, rt.heap.map_values_list(cell!(b)).0);
        Ok(())
    }

    // ---- records ----
    /// R[a] := new record of struct type b (zero fields)
    alloc fn new_record(rt, a, b, _c) {
        let fields: Vec<u64> = match rt.heap.types.get(b) {
            TypeDesc::Struct { fields, .. } => {
                fields.iter().map(|(_, t)| zero_word(&rt.heap.types, *t)).collect()
            }
            d => return Err(format!("internal error: NewRecord of {d:?}")),
        };
        set!(a, rt.heap.new_record(b, &fields).0);
        Ok(())
    }
    /// R[a] := R[b] as struct type c
    alloc fn map_to_struct(rt, a, b, c) {
        let m = cell!(b);
        let fields = match rt.heap.types.get(c) {
            TypeDesc::Struct { fields, .. } => fields.clone(),
            d => return Err(format!("internal error: MapToStruct to {d:?}")),
        };
        let (kt, vt) = (rt.heap.map_key_type(m), rt.heap.map_val_type(m));
        let mut words = Vec::with_capacity(fields.len());
        for (name, ft) in &fields {
            // Keys are strings (a map literal's bare names); look each field up by name.
            // (String keys and `any` keys holding strings are both string cells.)
            let _ = kt;
            let key = rt.heap.alloc_str(name).0;
            let v = match rt.heap.map_get(m, key) {
                None => zero_word(&rt.heap.types, *ft),
                Some(v) => {
                    let cellv = rt.heap.box_word(v, vt);
                    match rt.heap.unbox_word(cellv, *ft) {
                        Some(x) => x,
                        None => {
                            let shown = rt.heap.format_str(v, vt);
                            return Err(format!(
                                "cannot cast {} to {}",
                                arenas::format::go_quote(&shown),
                                type_name(&rt.heap.types, *ft)
                            ));
                        }
                    }
                }
            };
            words.push(v);
        }
        set!(a, rt.heap.new_record(c, &words).0);
        Ok(())
    }
    /// R[a] := closure of function b (zero captures)
    alloc fn new_closure(rt, a, b, _c) {
        let (caps, fty) = rt.closure_info[b as usize].clone();
        let zeros: Vec<u64> = caps.iter().map(|t| zero_word(&rt.heap.types, *t)).collect();
        set!(a, rt.heap.new_closure(b, fty, &zeros, &caps).0);
        Ok(())
    }

    // ---- any / optional ----
    /// R[a] := box(R[b]) of type c
    alloc fn box_word(rt, a, b, c) {
        set!(a, rt.heap.box_word(g!(b), c).0);
        Ok(())
    }
    /// R[a] := unbox(R[b]) as type c
    pure fn unbox_word(rt, a, b, c) {
        let v = cell!(b);
        match rt.heap.unbox_word(v, c) {
            Some(x) => set!(a, x),
            None => {
                let shown = match v.arena() {
                    Some((arenas::ArenaKind::Str, _)) => arenas::format::go_quote(rt.heap.str(v)),
                    _ => rt.heap.format_print(v.0, arenas::rtti::ANY),
                };
                return Err(format!("cannot cast {shown} to {}", type_name(&rt.heap.types, c)));
            }
        }
        Ok(())
    }
    /// R[a] := R[b] == R[c]  (cells, deep)
    pure fn eq_cell(rt, a, b, c) {
        set!(a, rt.heap.values_equal(g!(b), g!(c), arenas::rtti::ANY) as u64);
        Ok(())
    }
    /// R[a] := cmp(R[b], R[b+1]) rel c
    pure fn cmp_cell(rt, a, b, c) {
        let o = rt.heap.compare(g!(b), g!(b + 1), arenas::rtti::ANY);
        set!(a, cmp_pred(o, c) as u64);
        Ok(())
    }

    // ---- numbers ----
    /// R[a] := math function c of R[b] (and R[b+1])
    pure fn math_f64(rt, a, b, c) {
        let x = f64::from_bits(g!(b));
        let y = || f64::from_bits(g!(b + 1));
        let r = match c {
            MATH_POW => x.powf(y()),
            MATH_SIN => x.sin(),
            MATH_COS => x.cos(),
            MATH_TAN => x.tan(),
            MATH_ATAN => x.atan(),
            MATH_ATAN2 => x.atan2(y()),
            MATH_EXP => x.exp(),
            MATH_LOG => x.ln(),
            MATH_LOG2 => x.log2(),
            MATH_LOG10 => x.log10(),
            MATH_FLOOR => x.floor(),
            MATH_CEIL => x.ceil(),
            _ => return Err(format!("unknown math function {c}")),
        };
        set!(a, r.to_bits());
        Ok(())
    }
    /// R[a] := R[b] ** R[c]  (ints; negative exponent or overflow: error)
    pure fn pow_i64(rt, a, b, c) {
        set!(a, pow_i64_checked(g!(b) as i64, g!(c) as i64)? as u64);
        Ok(())
    }
    /// R[a] := round(R[b], R[c] digits)
    pure fn round_f64(rt, a, b, c) {
        set!(a, round_half_away(f64::from_bits(g!(b)), g!(c) as i64).to_bits());
        Ok(())
    }
    /// R[a] := R[b] op R[b+1]  (bigints)
    alloc fn big_binary(rt, a, b, c) {
        let (x, y) = (cell!(b), cell!(b + 1));
        let h = &mut rt.heap;
        let r = match c {
            BIG_ADD => h.bigint_add(x, y),
            BIG_SUB => h.bigint_sub(x, y),
            BIG_MUL => h.bigint_mul(x, y),
            BIG_DIV => h.bigint_div(x, y).map_err(rte)?,
            BIG_MOD => h.bigint_mod(x, y).map_err(rte)?,
            BIG_EQ => Cell::from_bool(h.bigint_cmp(x, y).is_eq()),
            BIG_LT => Cell::from_bool(h.bigint_cmp(x, y).is_lt()),
            _ => Cell::from_bool(h.bigint_cmp(x, y).is_le()),
        };
        set!(a, r.0);
        Ok(())
    }
    /// R[a] := bigint(R[b])
    alloc fn int_to_big(rt, a, b, _c) {
        set!(a, rt.heap.bigint_from_i64(g!(b) as i64).0);
        Ok(())
    }
    /// R[a] := int(R[b])  (bigint)
    pure fn big_to_int(rt, a, b, _c) {
        set!(a, rt.heap.bigint_to_i64(cell!(b)).map_err(rte)? as u64);
        Ok(())
    }
    /// R[a] := float(R[b])  (bigint)
    pure fn big_to_float(rt, a, b, _c) {
        set!(a, rt.heap.bigint_to_f64(cell!(b)).to_bits());
        Ok(())
    }
    /// R[a] := bigint parsed from the string constant K[b]
    alloc fn big_const(rt, a, b, _c) {
        let s = rt.heap.str(Cell(rt.consts[b as usize])).to_string();
        set!(a, rt.heap.bigint_parse(&s).map_err(rte)?.0);
        Ok(())
    }

    // ---- builtins with effects ----
    /// print buffer += fmt(R[a]) of type b
    pure fn print_cell(rt, a, b, _c) {
        rt.print_word(g!(a), b);
        Ok(())
    }
    /// write json(R[a]) of type b
    pure fn json(rt, a, b, _c) {
        let s = rt.heap.json(g!(a), b);
        rt.write_line(&s)
    }
    /// write the print buffer (a = argument count; trimmed when a >= 3) and a newline
    pure fn print_end(rt, a, _b, _c) {
        rt.print_end(a)
    }
    /// R[a] := now()
    pure fn now(rt, a, _b, _c) {
        let v = match rt.now_seed {
            Some(seed) => {
                let next = (seed.wrapping_mul(1664525).wrapping_add(1013904223)) % 2147483647;
                rt.now_seed = Some(next);
                next
            }
            None => std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos() as i64)
                .unwrap_or(0),
        };
        set!(a, v as u64);
        Ok(())
    }
    /// R[a] := a line of stdin
    alloc fn input(rt, a, _b, _c) {
        rt.try_flush()?;
        let mut line = String::new();
        let _ = std::io::stdin().lock().read_line(&mut line);
        let t = line.strip_suffix('\n').unwrap_or(&line);
        let t = t.strip_suffix('\r').unwrap_or(t);
        set!(a, rt.heap.alloc_str(t).0);
        Ok(())
    }
    /// raise the error K[a]
    pure fn fail_op(rt, a, _b, _c) {
        Err(rt.heap.str(Cell(rt.consts[a as usize])).to_string())
    }
    /// bench report of K[b], started at R[a] (monotonic ns) with R[a+1] bytes allocated
    pure fn bench_end(rt, a, b, _c) {
        let us = monotonic_ns().saturating_sub(g!(a)) / 1000;
        let bytes = rt.heap.gc_stats().total_allocated.saturating_sub(g!(a + 1));
        let name = rt.heap.str(Cell(rt.consts[b as usize])).to_string();
        let text = format!(
            "{{\n  \"duration_us\": {us},\n  \"memory_bytes\": {bytes},\n  \"name\": {}\n}}",
            arenas::format::json_quote(&name)
        );
        rt.write_line(&text)
    }

    // ---- issue 6 part 2: set operations, datasets, benches ----
    /// R[a] := R[b] union R[c]
    alloc fn list_union(rt, a, b, c) {
        set!(a, rt.heap.list_union(cell!(b), cell!(c)).0);
        Ok(())
    }
    /// R[a] := R[b] except R[c]
    alloc fn list_except(rt, a, b, c) {
        set!(a, rt.heap.list_except(cell!(b), cell!(c)).0);
        Ok(())
    }
    /// R[a] := R[b] intersect R[c]
    alloc fn list_intersect(rt, a, b, c) {
        set!(a, rt.heap.list_intersect(cell!(b), cell!(c)).0);
        Ok(())
    }
    /// R[a] := load(path R[b], options R[b+1]) as list type c
    alloc fn load_data(rt, a, b, c) {
        let v = super::data::load(rt, cell!(b), cell!(b + 1), c)?;
        set!(a, v.0);
        Ok(())
    }
    /// save R[a] (type c) to path R[b] with options R[b+1]
    pure fn save_data(rt, a, b, c) {
        super::data::save(rt, g!(a), c, cell!(b), cell!(b + 1))
    }
    /// R[a] := monotonic ns, R[a+1] := bytes allocated so far
    pure fn bench_start(rt, a, _b, _c) {
        set!(a + 1, rt.heap.gc_stats().total_allocated);
        set!(a, monotonic_ns());
        Ok(())
    }
}
