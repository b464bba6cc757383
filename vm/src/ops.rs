//! The op table: every bytecode op is declared once, in [`for_each_op!`], with its one-line
//! semantics, its operands and the tier-2 stencil that implements it (or `interp`, meaning the
//! JIT leaves native code through a side exit and the interpreter runs it).
//!
//! From this one list come: the [`Op`] enum, the operand kinds used by the compiler, the
//! verifier and the disassembler, the names the JIT looks up in the stencil table, and the C
//! header `stencils/src/ops.h` ([`c_header`]: op numbers, semantics and the prototype of every
//! stencil, checked against the committed file by a test in `tier2-jit`). The interpreter's
//! `match` over [`Op`] is exhaustive, so a new op cannot be forgotten there either.
//!
//! Notation (Lua `lopcodes.h` style): `R[x]` is the frame slot with word index `x` (its bank is
//! given by the operand kind), `G[x]` the global slot, `K[x]` the constant pool entry,
//! `pc := x` a jump. Ints are 64-bit and arithmetic is checked: an overflow or a zero divisor
//! raises a runtime error.

/// What an operand means; decides how it is printed and what the JIT patches into a hole.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operand {
    /// Word index of an i64-bank slot (int or bool). Hole value: byte offset from the frame base.
    I,
    /// Word index of an f64-bank slot. Hole value: byte offset.
    F,
    /// Word index of a cell-bank slot. Hole value: byte offset.
    C,
    /// Word index of a slot of any bank (a call's result). Hole value: byte offset.
    R,
    /// Word index into the globals block. Hole value: byte offset from the globals base.
    G,
    /// Index into the program's constant pool. Hole value (`_K`): the constant's 64 bits.
    K,
    /// Jump target (instruction index). Hole (`_TARGET`): the target's native address.
    T,
    /// A count of words (frame size). Hole value: the count times 8 (bytes).
    W,
    /// A signed 32-bit immediate, stored as its two's complement bits.
    S,
    /// An unsigned 32-bit immediate (argument count, ...).
    N,
    /// A function index.
    Fn,
}

impl Operand {
    /// True for slot operands whose hole value is a byte offset (`8 * word`).
    pub fn is_word(self) -> bool {
        matches!(
            self,
            Operand::I | Operand::F | Operand::C | Operand::R | Operand::G | Operand::W
        )
    }
}

/// Where an op runs in tier 2.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tier2 {
    /// Implemented by the stencil of this name (which may call the op's slow-path routine,
    /// [`Op::helper`], through its `_H` hole, like the generic helper stencil).
    Stencil(&'static str),
    /// Not compiled: native code side-exits to the interpreter before this op.
    Interp,
    /// A helper op: its whole semantics is the Rust routine
    /// `vm::runtime::helpers::<name>(ctx, fp, a, b, c) -> u64` (0 = done, 1 = error, message in
    /// `Runtime::pending_error`). The interpreter calls it through one generic arm; tier 2
    /// calls it from one generic stencil (`helper`, `stencils/src/helpers.c`).
    Helper(&'static str),
}

/// The signature of every helper op's routine. Operands are word indices from `fp`; the
/// routine reads and writes its operands in the frame. Returns 0 (done) or 1 (error: the
/// message is left in `Runtime::pending_error`; nothing was changed, so the op can be
/// re-executed). An `alloc` helper may collect garbage before it allocates; the GC walks the
/// frame chain from `fp`.
pub type HelperFn = unsafe extern "C" fn(*mut crate::abi::Ctx, *mut u8, u32, u32, u32) -> u64;

/// Properties of an op (Lua's `luaP_opmodes`): declared in the table, so no other file
/// decides them by matching op names.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct OpFlags {
    /// May allocate: a GC safepoint (collection happens at the start of the op, before it
    /// allocates, when the heap asks for it).
    pub alloc: bool,
    /// Pushes a frame (a Mochi call).
    pub call: bool,
    /// Pops the frame.
    pub ret: bool,
    /// May raise a runtime error (in tier 2: may side-exit before changing anything). The typed
    /// container and field ops raise `invalid use of nil value` on a nil operand. (Every
    /// helper routine may report an error, e.g. on a nil where a container was expected, so
    /// tier 2's generic helper stencil checks the status of every helper call.)
    pub exit: bool,
}

/// The table. Each line: doc (semantics), name, where it runs in tier 2 (`jit "stencil"`,
/// `interp`, `helper rust_fn`: the routine `vm::runtime::helpers::rust_fn`, or
/// `jit "stencil" | rust_fn`: a stencil that does the common case inline and calls the routine
/// for the rest), optional flags (`[alloc, call, ret, exit]`, see [`OpFlags`]), operands.
#[macro_export]
macro_rules! for_each_op {
    ($m:ident) => {
        $m! {
            // ---- moves and constants ----
            /// R[a] := R[b]  (i64)
            MovI64 jit "mov_i64" { a: I, b: I };
            /// R[a] := R[b]  (f64)
            MovF64 jit "mov_f64" { a: F, b: F };
            /// R[a] := R[b]  (cell)
            MovCell jit "mov_cell" { a: C, b: C };
            /// R[a] := K[b]  (i64 constant)
            ConstI64 jit "const_i64" { a: I, b: K };
            /// R[a] := K[b]  (f64 constant)
            ConstF64 jit "const_f64" { a: F, b: K };
            /// R[a] := K[b]  (cell constant, e.g. an interned string)
            ConstCell jit "const_cell" { a: C, b: K };
            /// R[a] := G[b]  (i64)
            LoadGlobalI64 jit "load_global_i64" { a: I, b: G };
            /// R[a] := G[b]  (f64)
            LoadGlobalF64 jit "load_global_f64" { a: F, b: G };
            /// R[a] := G[b]  (cell)
            LoadGlobalCell jit "load_global_cell" { a: C, b: G };
            /// G[a] := R[b]  (i64)
            StoreGlobalI64 jit "store_global_i64" { a: G, b: I };
            /// G[a] := R[b]  (f64)
            StoreGlobalF64 jit "store_global_f64" { a: G, b: F };
            /// G[a] := R[b]  (cell)
            StoreGlobalCell jit "store_global_cell" { a: G, b: C };
            /// R[a .. a+b] := nil  (cell slots; first op of a function that has cell slots)
            InitCells jit "init_cells" { a: C, b: N };

            // ---- int and bool arithmetic (i64 bank) ----
            /// R[a] := R[b] + R[c]  (overflow: error)
            AddI64 jit "add_i64" [exit] { a: I, b: I, c: I };
            /// R[a] := R[b] - R[c]  (overflow: error)
            SubI64 jit "sub_i64" [exit] { a: I, b: I, c: I };
            /// R[a] := R[b] * R[c]  (overflow: error)
            MulI64 jit "mul_i64" [exit] { a: I, b: I, c: I };
            /// R[a] := R[b] / R[c]  truncated (zero: error; MIN / -1: overflow error)
            DivI64 jit "div_i64" [exit] { a: I, b: I, c: I };
            /// R[a] := R[b] % R[c]  sign of dividend (zero: error; MIN % -1 = 0)
            ModI64 jit "mod_i64" [exit] { a: I, b: I, c: I };
            /// R[a] := R[b] + c  (signed immediate; overflow: error)
            AddI64Imm jit "add_i64_imm" [exit] { a: I, b: I, c: S };
            /// R[a] := -R[b]  (overflow: error)
            NegI64 jit "neg_i64" [exit] { a: I, b: I };
            /// R[a] := R[b] == R[c]
            EqI64 jit "eq_i64" { a: I, b: I, c: I };
            /// R[a] := R[b] != R[c]
            NeI64 jit "ne_i64" { a: I, b: I, c: I };
            /// R[a] := R[b] < R[c]
            LtI64 jit "lt_i64" { a: I, b: I, c: I };
            /// R[a] := R[b] <= R[c]
            LeI64 jit "le_i64" { a: I, b: I, c: I };
            /// R[a] := !R[b]  (bool)
            Not jit "not" { a: I, b: I };
            /// R[a] := K[c] if R[b] != 0, else R[a]  (a select: a chain of `if c { return k }` lowered without branches)
            SelI64K jit "sel_i64_k" { a: I, b: I, c: K };
            /// R[a] := K[c+1] if R[b] < K[c], else R[a]  (a select on a comparison with a constant)
            SelLtI64K jit "sel_lt_i64_k" { a: I, b: I, c: K };
            /// R[a] := K[c+1] if R[b] <= K[c], else R[a]
            SelLeI64K jit "sel_le_i64_k" { a: I, b: I, c: K };
            /// R[a] := K[c+1] if R[b] > K[c], else R[a]
            SelGtI64K jit "sel_gt_i64_k" { a: I, b: I, c: K };
            /// R[a] := K[c+1] if R[b] >= K[c], else R[a]
            SelGeI64K jit "sel_ge_i64_k" { a: I, b: I, c: K };
            /// R[a] := K[c+1] if R[b] < K[c] (floats; false for NaN), else R[a]
            SelLtF64K jit "sel_lt_f64_k" { a: I, b: F, c: K };
            /// R[a] := K[c+1] if R[b] <= K[c] (floats), else R[a]
            SelLeF64K jit "sel_le_f64_k" { a: I, b: F, c: K };
            /// R[a] := K[c+1] if R[b] > K[c] (floats), else R[a]
            SelGtF64K jit "sel_gt_f64_k" { a: I, b: F, c: K };
            /// R[a] := K[c+1] if R[b] >= K[c] (floats), else R[a]
            SelGeF64K jit "sel_ge_f64_k" { a: I, b: F, c: K };

            // ---- float arithmetic (f64 bank) ----
            /// R[a] := R[b] + R[c]
            AddF64 jit "add_f64" { a: F, b: F, c: F };
            /// R[a] := R[b] - R[c]
            SubF64 jit "sub_f64" { a: F, b: F, c: F };
            /// R[a] := R[b] * R[c]
            MulF64 jit "mul_f64" { a: F, b: F, c: F };
            /// R[a] := R[b] / R[c]  (zero divisor: error)
            DivF64 jit "div_f64" [exit] { a: F, b: F, c: F };
            /// R[a] := fmod(R[b], R[c])  (zero divisor: error)
            ModF64 jit "mod_f64" [exit] { a: F, b: F, c: F };
            /// R[a] := -R[b]
            NegF64 jit "neg_f64" { a: F, b: F };
            /// R[a] := sqrt(R[b])  (NaN below zero, as IEEE 754 says)
            SqrtF64 jit "sqrt_f64" { a: F, b: F };
            /// R[a] := |R[b]|  (clears the sign bit, of NaN too)
            AbsF64 jit "abs_f64" { a: F, b: F };
            /// R[a] := R[b] == R[c]  (bool result)
            EqF64 jit "eq_f64" { a: I, b: F, c: F };
            /// R[a] := R[b] != R[c]
            NeF64 jit "ne_f64" { a: I, b: F, c: F };
            /// R[a] := R[b] < R[c]
            LtF64 jit "lt_f64" { a: I, b: F, c: F };
            /// R[a] := R[b] <= R[c]
            LeF64 jit "le_f64" { a: I, b: F, c: F };
            /// R[a] := float(R[b])
            I64ToF64 jit "i64_to_f64" { a: F, b: I };

            // ---- control flow ----
            /// pc := a
            Jmp jit "jmp" { a: T };
            /// if R[a] then pc := b
            JmpTrue jit "jmp_true" { a: I, b: T };
            /// if not R[a] then pc := b
            JmpFalse jit "jmp_false" { a: I, b: T };
            /// if R[a] < R[b] then pc := c
            JLtI64 jit "jlt_i64" { a: I, b: I, c: T };
            /// R[a] := R[a] + 1 (overflow: error); if R[a] < R[b] then pc := c  (for-loop step)
            IncJLtI64 jit "inc_jlt_i64" [exit] { a: I, b: I, c: T };
            /// if R[a] <= R[b] then pc := c
            JLeI64 jit "jle_i64" { a: I, b: I, c: T };
            /// if R[a] == R[b] then pc := c
            JEqI64 jit "jeq_i64" { a: I, b: I, c: T };
            /// if R[a] != R[b] then pc := c
            JNeI64 jit "jne_i64" { a: I, b: I, c: T };
            /// if R[a] < b then pc := c  (signed immediate)
            JLtI64Imm jit "jlt_i64_imm" { a: I, b: S, c: T };
            /// if R[a] <= b then pc := c
            JLeI64Imm jit "jle_i64_imm" { a: I, b: S, c: T };
            /// if R[a] > b then pc := c
            JGtI64Imm jit "jgt_i64_imm" { a: I, b: S, c: T };
            /// if R[a] >= b then pc := c
            JGeI64Imm jit "jge_i64_imm" { a: I, b: S, c: T };
            /// if R[a] == b then pc := c
            JEqI64Imm jit "jeq_i64_imm" { a: I, b: S, c: T };
            /// if R[a] != b then pc := c
            JNeI64Imm jit "jne_i64_imm" { a: I, b: S, c: T };
            /// if R[a] < R[b] then pc := c  (f64)
            JLtF64 jit "jlt_f64" { a: F, b: F, c: T };
            /// if R[a] <= R[b] then pc := c  (f64)
            JLeF64 jit "jle_f64" { a: F, b: F, c: T };
            /// if not (R[a] < R[b]) then pc := c  (f64; true when unordered)
            JNLtF64 jit "jnlt_f64" { a: F, b: F, c: T };
            /// if not (R[a] <= R[b]) then pc := c  (f64; true when unordered)
            JNLeF64 jit "jnle_f64" { a: F, b: F, c: T };
            /// if R[a] == R[b] then pc := c  (f64)
            JEqF64 jit "jeq_f64" { a: F, b: F, c: T };
            /// if R[a] != R[b] then pc := c  (f64)
            JNeF64 jit "jne_f64" { a: F, b: F, c: T };

            // ---- calls ----
            /// push a frame for function a at fp + 8*c (its arguments already stored there by
            /// moves), call it; its result lands in R[b]
            Call jit "call" [call, exit] { a: Fn, b: R, c: W };
            /// return R[a] (i64) to the caller's result slot; pop the frame
            RetI64 jit "ret_i64" [ret] { a: I };
            /// return R[a] (f64)
            RetF64 jit "ret_f64" [ret] { a: F };
            /// return R[a] (cell)
            RetCell jit "ret_cell" [ret] { a: C };
            /// return (no value)
            RetVoid jit "ret_void" [ret] {};

            // ---- print (Rust helpers, called from both tiers; print_end is a helper op so
            // that a failed write side-exits and the interpreter raises it at the print) ----
            /// print buffer += fmt(R[a])  (int)
            PrintI64 jit "print_i64" { a: I };
            /// print buffer += fmt(R[a])  (float)
            PrintF64 jit "print_f64" { a: F };
            /// print buffer += fmt(R[a])  (bool)
            PrintBool jit "print_bool" { a: I };
            /// print buffer += R[a]  (string)
            PrintStr jit "print_str" { a: C };
            /// write the print buffer (a = argument count; trimmed when a >= 3) and a newline
            PrintEnd helper print_end { a: N };

            // ---- strings (helper ops: one Rust routine each, vm::runtime::helpers) ----
            /// R[a] := R[b] ++ R[c]  (string concatenation)
            ConcatStr jit "concat_str" | concat_str [alloc] { a: C, b: C, c: C };
            /// R[a] := R[a] ++ R[b], R[a]'s string extended in place when it is its own  (an owned local's `s = s + t`)
            AppendStr jit "append_str" | append_str [alloc] { a: C, b: C };
            /// R[a] := str(R[b])  (int)
            StrFromI64 helper str_from_i64 [alloc] { a: C, b: I };
            /// R[a] := str(R[b])  (float)
            StrFromF64 helper str_from_f64 [alloc] { a: C, b: F };
            /// R[a] := str(R[b])  (bool)
            StrFromBool helper str_from_bool [alloc] { a: C, b: I };
            /// R[a] := R[b] == R[c]  (strings)
            EqStr helper eq_str { a: I, b: C, c: C };
            /// R[a] := R[b] != R[c]  (strings)
            NeStr helper ne_str { a: I, b: C, c: C };
            /// R[a] := R[b] < R[c]  (strings, byte order)
            LtStr helper lt_str { a: I, b: C, c: C };
            /// R[a] := R[b] <= R[c]  (strings, byte order)
            LeStr helper le_str { a: I, b: C, c: C };
            /// R[a] := len(R[b])  (string: runes)
            StrLen jit "str_len" [exit] { a: I, b: C };
            /// R[a] := R[b][R[c]]  (1-rune string; negative counts from the end; out of range: error)
            StrIndex helper str_index [alloc, exit] { a: C, b: C, c: I };
            /// R[a] := R[b][R[c] : R[c+1]]  (string slice, bounds clamped)
            StrSlice helper str_slice [alloc] { a: C, b: C, c: I };
            /// R[a] := substring(R[b], R[c], R[c+1])  (end index, clamped)
            Substring helper substring [alloc] { a: C, b: C, c: I };
            /// R[a] := str(R[b])  (R[b] a word of runtime type c; `str` formatting)
            ToStr helper to_str [alloc] { a: C, b: R, c: N };
            /// R[a] := R[c] in R[b]  (substring test)
            StrContains helper str_contains { a: I, b: C, c: C };
            /// R[a] := R[b] starts with R[c]
            StrStartsWith helper str_starts_with { a: I, b: C, c: C };
            /// R[a] := R[b] ends with R[c]
            StrEndsWith helper str_ends_with { a: I, b: C, c: C };
            /// R[a] := upper(R[b])
            StrUpper helper str_upper [alloc] { a: C, b: C };
            /// R[a] := lower(R[b])
            StrLower helper str_lower [alloc] { a: C, b: C };
            /// R[a] := trim(R[b])
            StrTrim helper str_trim [alloc] { a: C, b: C };
            /// R[a] := reverse(R[b])  (runes)
            StrReverse helper str_reverse [alloc] { a: C, b: C };
            /// R[a] := split(R[b], R[c])  (list<string>)
            StrSplit helper str_split [alloc] { a: C, b: C, c: C };
            /// R[a] := join(R[b], R[c])  (R[b] a list of strings)
            StrJoin helper str_join [alloc] { a: C, b: C, c: C };
            /// R[a] := indexOf(R[b], R[c])  (runes; -1 if absent)
            StrIndexOf helper str_index_of { a: I, b: C, c: C };
            /// R[a] := repeat(R[b], R[c])
            StrRepeat helper str_repeat [alloc] { a: C, b: C, c: I };
            /// R[a] := padStart(R[b], R[c], R[b+1])  (pad string in the next cell word)
            StrPadStart helper str_pad_start [alloc] { a: C, b: C, c: I };
            /// R[a] := parseIntStr(R[b], base R[c])  (error on bad digits)
            ParseInt helper parse_int [exit] { a: I, b: C, c: I };
            /// R[a] := R[b] as int  (error `cannot cast "x" to int`)
            StrToInt helper str_to_int [exit] { a: I, b: C };
            /// R[a] := R[b] as float  (error `cannot cast "x" to float`)
            StrToFloat helper str_to_float [exit] { a: F, b: C };

            // ---- lists (typed fast paths are plain ops; the rest are helpers) ----
            /// R[a] := new empty list of element type b with capacity c
            NewList jit "new_list" | new_list [alloc] { a: C, b: N, c: N };
            /// R[a] := new empty list of element type b with capacity c, 1 <= c <= arenas::SMALL_CAPS  (a list literal's; a kept buffer serves it)
            NewListSmall jit "new_list_small" | new_list [alloc] { a: C, b: N, c: N };
            /// R[a].push(R[b])  (in place; the word's meaning is the list's element type)
            ListPush jit "list_push" | list_push [alloc] { a: C, b: R };
            /// R[a] := len(R[b])  (list)
            ListLen jit "list_len" [exit] { a: I, b: C };
            /// R[a] := R[b][R[c]]  (list<int|bool>; negative counts from the end; out of range: error)
            ListGetI64 jit "list_get_i64" [exit] { a: I, b: C, c: I };
            /// R[a] := R[b][R[c]]  (list<float>)
            ListGetF64 jit "list_get_f64" [exit] { a: F, b: C, c: I };
            /// R[a] := R[b][R[c]]  (list of cells)
            ListGetCell jit "list_get_cell" [exit] { a: C, b: C, c: I };
            /// R[a][R[b]] := R[c]  (list<int|bool>; negative counts from the end; out of range: error)
            ListSetI64 jit "list_set_i64" [exit] { a: C, b: I, c: I };
            /// R[a][R[b]] := R[c]  (list<float>)
            ListSetF64 jit "list_set_f64" [exit] { a: C, b: I, c: F };
            /// R[a][R[b]] := R[c]  (list of cells)
            ListSetCell jit "list_set_cell" [exit] { a: C, b: I, c: C };
            /// R[a] := append(R[b], R[c])  (a new list)
            ListAppend helper list_append [alloc] { a: C, b: C, c: R };
            /// R[a] := R[b] + R[c]  (list concatenation: a new list)
            ListConcat helper list_concat [alloc] { a: C, b: C, c: C };
            /// R[a] := R[b][R[c] : R[c+1]]  (list slice, bounds clamped)
            ListSlice helper list_slice [alloc] { a: C, b: C, c: I };
            /// R[a] := R[c] in R[b]  (deep equality)
            ListContains helper list_contains { a: I, b: C, c: R };
            /// R[a] := reverse(R[b])  (a new list)
            ListReverse helper list_reverse [alloc] { a: C, b: C };
            /// R[a] := distinct(R[b])  (first occurrences, in order)
            ListDistinct helper list_distinct [alloc] { a: C, b: C };
            /// R[a] := sum(R[b])  (list<int>; overflow: error)
            ListSumI64 helper list_sum_i64 [exit] { a: I, b: C };
            /// R[a] := sum(R[b])  (list<float>)
            ListSumF64 helper list_sum_f64 { a: F, b: C };
            /// R[a] := avg(R[b])  (0 for an empty list)
            ListAvg helper list_avg { a: F, b: C };
            /// R[a] := min(R[b])  (a word of the element type; empty: the zero word)
            ListMin helper list_min { a: R, b: C };
            /// R[a] := max(R[b])
            ListMax helper list_max { a: R, b: C };
            /// R[a] := first(R[b])  (empty: the zero word / nil)
            ListFirst helper list_first { a: R, b: C };

            // ---- maps ----
            /// R[a] := new empty map with key type b and value type c
            NewMap helper new_map [alloc] { a: C, b: N, c: N };
            /// R[a] := R[b][R[c]]  (missing key: the value type's zero word, nil for cells)
            MapGet jit "map_get" | map_get_slow { a: R, b: C, c: R };
            /// R[a][R[b]] := R[c]
            MapSet jit "map_set" | map_set_slow [alloc] { a: C, b: R, c: R };
            /// R[a] := R[c] in R[b]  (has key)
            MapHas helper map_has { a: I, b: C, c: R };
            /// R[a] := len(R[b])  (map)
            MapLen helper map_len { a: I, b: C };
            /// R[a] := len(R[b])  (a string, list or map held in a cell of type any)
            LenAny helper len_any [exit] { a: I, b: C };
            /// R[a] := keys(R[b])  (a new list, sorted keys)
            MapKeys helper map_keys [alloc] { a: C, b: C };
            /// R[a] := values(R[b])  (a new list, ordered by sorted key)
            MapValues helper map_values [alloc] { a: C, b: C };

            // ---- records: structs, union variants, closures ----
            /// R[a] := new record of struct type b, every field zero (nil for cells)
            NewRecord helper new_record [alloc] { a: C, b: N };
            /// R[a] := R[b].field[c]  (i64 field)
            GetFieldI64 jit "get_field_i64" [exit] { a: I, b: C, c: N };
            /// R[a] := R[b].field[c]  (f64 field)
            GetFieldF64 jit "get_field_f64" [exit] { a: F, b: C, c: N };
            /// R[a] := R[b].field[c]  (cell field; also a closure's capture c)
            GetFieldCell jit "get_field_cell" [exit] { a: C, b: C, c: N };
            /// R[a].field[b] := R[c]  (i64 field)
            SetFieldI64 jit "set_field_i64" [exit] { a: C, b: N, c: I };
            /// R[a].field[b] := R[c]  (f64 field)
            SetFieldF64 jit "set_field_f64" [exit] { a: C, b: N, c: F };
            /// R[a].field[b] := R[c]  (cell field; also a closure's capture b)
            SetFieldCell jit "set_field_cell" [exit] { a: C, b: N, c: C };
            /// if R[a] is not a record of type b then pc := c  (match on a union variant)
            JmpNotType jit "jmp_not_type" { a: C, b: N, c: T };
            /// R[a] := R[b] as struct type c  (from a map with string keys; error when a field is missing)
            MapToStruct helper map_to_struct [alloc, exit] { a: C, b: C, c: N };
            /// R[a] := a closure of function b with zeroed captures (filled by SetField*)
            NewClosure helper new_closure [alloc] { a: C, b: Fn };
            /// call the closure R[a] with the arguments stored at the next frame (fp + 8*c); if
            /// its function has captures, R[a] is also stored as its hidden last parameter; the
            /// result lands in R[b]
            CallClosure jit "call_closure" [call, exit] { a: C, b: R, c: W };

            // ---- any / optional ----
            /// if R[a] is nil then pc := b
            JmpNil jit "jmp_nil" { a: C, b: T };
            /// if R[a] is not nil then pc := b
            JmpNotNil jit "jmp_not_nil" { a: C, b: T };
            /// R[a] := R[b] as a self-describing Cell  (R[b] a word of runtime type c)
            Box helper box_word [alloc] { a: C, b: R, c: N };
            /// R[a] := R[b] as a word of runtime type c  (error `cannot cast` when it is not one)
            Unbox helper unbox_word [exit] { a: R, b: C, c: N };
            /// R[a] := R[b] == R[c]  (deep equality of two cells; numbers across kinds)
            EqCell helper eq_cell { a: I, b: C, c: C };
            /// R[a] := compare(R[b], R[b+1]) rel c  (c: 0 <, 1 <=, 2 >, 3 >=; two cells)
            CmpCell helper cmp_cell { a: I, b: C, c: N };

            // ---- numbers ----
            /// R[a] := trunc(R[b])  (NaN or out of range: overflow error)
            F64ToI64 jit "f64_to_i64" [exit] { a: I, b: F };
            /// R[a] := R[b] ** R[c]  (ints; negative exponent or overflow: error)
            PowI64 helper pow_i64 [exit] { a: I, b: I, c: I };
            /// R[a] := math function c of R[b]  (c: see `vm::runtime::helpers::MATH_FNS`; two-argument functions read R[b+1])
            MathF64 helper math_f64 { a: F, b: F, c: N };
            /// R[a] := |R[b]|  (overflow: error)
            AbsI64 jit "abs_i64" [exit] { a: I, b: I };
            /// R[a] := round(R[b], R[c] digits)  (half away from zero)
            RoundF64 helper round_f64 { a: F, b: F, c: I };
            /// R[a] := bigint R[b] op c R[b+1]  (c: 0 + 1 - 2 * 3 / 4 % 5 ==, 6 <, 7 <=; comparisons give bool cells)
            BigBinary helper big_binary [alloc, exit] { a: C, b: C, c: N };
            /// R[a] := bigint(R[b])
            IntToBig helper int_to_big [alloc] { a: C, b: I };
            /// R[a] := int(R[b])  (bigint; out of range: overflow error)
            BigToInt helper big_to_int [exit] { a: I, b: C };
            /// R[a] := float(R[b])  (bigint)
            BigToFloat helper big_to_float { a: F, b: C };
            /// R[a] := the bigint constant K[b] (decimal digits, a string constant)
            BigConst helper big_const [alloc] { a: C, b: K };

            // ---- builtins with effects ----
            /// print buffer += fmt(R[a])  (a word of runtime type b)
            PrintCell helper print_cell { a: R, b: N };
            /// write json(R[a]) (a word of runtime type b) and a newline
            Json helper json { a: R, b: N };
            /// R[a] := now()  (ns; a seeded LCG when MOCHI_NOW_SEED is set)
            Now helper now { a: I };
            /// R[a] := one line of stdin (without the newline; "" at end of input)
            Input helper input [alloc] { a: C };
            /// raise the runtime error whose message is the string constant K[a]
            Fail helper fail_op [exit] { a: K };
            /// write the bench report of the block named K[b] that started at R[a], R[a+1] (`BenchStart`)
            BenchEnd helper bench_end { a: I, b: K };

            // ---- queries (issue 6, part 1: query expressions) ----
            /// R[a] := R[b] reordered stably by the keys R[c]  (a new list; one key per element; `sort by`)
            ListSortByKeys helper list_sort_by_keys [alloc, exit] { a: C, b: C, c: C };
            /// R[a] := truthiness of R[b]  (nil, false, 0, 0.0, "", empty list/map: false; `if x` on any/optional)
            Truthy helper truthy { a: I, b: C };
            /// R[a] := sum(R[b])  (a list of any numbers: an int while all are ints, else a float; boxed)
            ListSumAny helper list_sum_any [alloc, exit] { a: C, b: C };
            /// R[a] := R[b] op c R[b+1]  (two any values; c: 0 + 1 - 2 * 3 / 4 %; ints stay ints, a float makes a float, nil gives nil)
            AnyArith helper any_arith [alloc, exit] { a: C, b: C, c: N };
            /// R[a] := R[b][R[c]]  (R[b] any: map value or nil, list element, string rune, struct field by name; boxed)
            IndexAny helper index_any [alloc, exit] { a: C, b: C, c: C };
            // ---- issue 6 part 2 (set operations, datasets, benches) ----
            /// R[a] := R[b] union R[c]  (distinct elements of b then c, first occurrences; a new list)
            ListUnion helper list_union [alloc] { a: C, b: C, c: C };
            /// R[a] := R[b] except R[c]  (elements of b not in c, duplicates kept; a new list)
            ListExcept helper list_except [alloc] { a: C, b: C, c: C };
            /// R[a] := R[b] intersect R[c]  (distinct elements of c that are in b, in c's order)
            ListIntersect helper list_intersect [alloc] { a: C, b: C, c: C };
            /// R[a] := load(path R[b], options R[b+1]) as a list<T>, c = that list's type  (error `cannot load PATH: REASON`)
            LoadData helper load_data [alloc, exit] { a: C, b: C, c: N };
            /// save R[a] (a value of runtime type c) to path R[b] with options R[b+1]  (error `cannot save PATH: REASON`)
            SaveData helper save_data [exit] { a: C, b: C, c: N };
            /// R[a] := monotonic clock (ns), R[a+1] := bytes allocated so far  (start of a bench block)
            BenchStart helper bench_start { a: I };
            // ---- perf (the interpreter past Lua 5.4): immediate forms of int ops ----
            /// R[a] := R[b] * c  (signed immediate; overflow: error)
            MulI64Imm jit "mul_i64_imm" [exit] { a: I, b: I, c: S };
            /// R[a] := R[b] % c  (signed immediate, never 0; sign of dividend; MIN % -1 = 0)
            ModI64Imm jit "mod_i64_imm" { a: I, b: I, c: S };
            /// R[a] := R[b] / 2^c  truncated (1 <= c <= 62: shifts, no divide)
            DivI64Pow2 jit "div_i64_pow2" { a: I, b: I, c: N };
            /// R[a] := R[b] % 2^c  sign of dividend (1 <= c <= 62: a mask, no divide)
            ModI64Pow2 jit "mod_i64_pow2" { a: I, b: I, c: N };
            // ---- perf: common cases of helper ops inline ----
            /// R[a] := R[b] as list type c  (`Unbox` to a list: a list handle is copied; anything else is the `cannot cast` error)
            UnboxList jit "unbox_list" | unbox_word { a: C, b: C, c: N };
            // ---- perf: list views (a loop that cannot change a list's buffer or length reads them once) ----
            /// R[a] := address of list R[b]'s elements, R[a+1] := its length, R[a+2] := R[b]  (a view; nil: 0, 0, nil)
            ListView jit "list_view" { a: R, b: C };
            /// R[a] := R[b+2][R[c]]  (list<int|bool>, through the view R[b]: its buffer and length)
            ListGetI64V jit "list_get_i64_v" [exit] { a: I, b: R, c: I };
            /// R[a] := R[b+2][R[c]]  (list<float>, through the view R[b])
            ListGetF64V jit "list_get_f64_v" [exit] { a: F, b: R, c: I };
            /// R[a] := R[b+2][R[c]]  (list of cells, through the view R[b])
            ListGetCellV jit "list_get_cell_v" [exit] { a: C, b: R, c: I };
            /// R[a+2][R[b]] := R[c]  (list<int|bool>, through the view R[a])
            ListSetI64V jit "list_set_i64_v" [exit] { a: R, b: I, c: I };
            /// R[a+2][R[b]] := R[c]  (list<float>, through the view R[a])
            ListSetF64V jit "list_set_f64_v" [exit] { a: R, b: I, c: F };
            /// R[a+2][R[b]] := R[c]  (list of cells, through the view R[a])
            ListSetCellV jit "list_set_cell_v" [exit] { a: R, b: I, c: C };
            // ---- perf: append views (a loop that only pushes onto an owned list keeps its length in an i64 slot) ----
            /// R[a] := len(R[b]), the rest of R[b]'s buffer reserved for pushes through the append view R[a]  (arenas::NO_VIEW when it cannot be)
            ListAppendOpen helper list_append_open { a: I, b: C };
            /// R[a] := R[a] + 1 after R[b].elems[R[a]] := R[c], then pc += 1 (skips the ListPushVGrow after it), when R[a] < cap(R[b]); else nothing  (list<int|bool>, append view R[a])
            ListPushVI64 jit "list_push_v_i64" { a: I, b: C, c: I };
            /// R[a] := R[a] + 1 after R[b].elems[R[a]] := R[c], then pc += 1 (skips the ListPushVGrow after it), when R[a] < cap(R[b]); else nothing  (list<float>, append view R[a])
            ListPushVF64 jit "list_push_v_f64" { a: I, b: C, c: F };
            /// R[a] := length after R[b].push(R[c]) through the append view R[a], growing the buffer  (the slow case of the ListPushV op before it)
            ListPushVGrow helper list_push_v_grow [alloc] { a: I, b: C, c: R };
            /// R[b] := its first R[a] elements  (closes the append view R[a]; nothing when it is arenas::NO_VIEW)
            ListAppendClose helper list_append_close { a: I, b: C };
            /// R[a] := the append view word of R[b] (where its next byte goes, with the room its buffer has left after it in the top 16 bits: arenas' view_word), the rest of its buffer reserved for appends through it  (an owned string's own slot; STR_NO_VIEW, 0, when it cannot be)
            AppendStrOpen helper append_str_open { a: I, b: C };
            /// R[a] := R[a] + n - (n << 48), n = len(R[c]), after R[c]'s bytes are written where R[a] points, then pc += 1 (skips the AppendStrVGrow after it), when n fits in R[a]'s room; else nothing  (append view R[a] on R[b]; tier 2 inline: 1 to 16 bytes)
            AppendStrV jit "append_str_v" { a: I, b: C, c: C };
            /// R[a] := the view word after R[b] := R[b] + R[c] through the append view R[a]  (the slow case of AppendStrV: close, append as AppendStr, reopen)
            AppendStrVGrow helper append_str_v_grow [alloc] { a: I, b: C, c: C };
            /// R[a] := len(R[b]) in bytes after R[b] takes the bytes up to where the append view R[a] on it points  (closes the view; R[b] unchanged when R[a] is STR_NO_VIEW)
            AppendStrClose helper append_str_close { a: I, b: C };
            /// R[a] := R[a] + n - (n << 48), n = K[c] >> 56, after the literal packed in K[c] (1 to 7 bytes from its low byte, the length in its top byte: arenas' pack_literal) is written where R[a] points, then pc += 1 (skips the AppendStrVLitGrow after it), when n fits in R[a]'s room; else nothing  (append view R[a] on R[b])
            AppendStrVLit jit "append_str_v_lit" { a: I, b: C, c: K };
            /// R[a] := the view word after R[b] := R[b] + the literal packed in K[c] through the append view R[a]  (the slow case of AppendStrVLit)
            AppendStrVLitGrow helper append_str_v_lit_grow [alloc] { a: I, b: C, c: K };
        }
    };
}

macro_rules! define_ops {
    ($( $(#[doc = $doc:literal])* $name:ident $tier:ident $($stencil:literal)? $(| $slow:ident)?
        $($hfn:ident)? $([ $($flag:ident),* ])? { $($field:ident : $kind:ident),* } ;)*) => {
        /// A bytecode op. See [`for_each_op!`] for the semantics of each.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[repr(u8)]
        pub enum Op {
            $( $(#[doc = $doc])* $name, )*
        }

        impl Op {
            /// Every op, in table order.
            pub const ALL: &'static [Op] = &[$(Op::$name),*];

            pub fn name(self) -> &'static str {
                match self { $(Op::$name => stringify!($name),)* }
            }

            /// The one-line semantics from the table.
            pub fn doc(self) -> &'static str {
                match self { $(Op::$name => concat!($($doc),*).trim_ascii(),)* }
            }

            /// Operand kinds, in the order a, b, c.
            pub fn operands(self) -> &'static [Operand] {
                match self { $(Op::$name => &[$(Operand::$kind),*],)* }
            }

            /// The stencil that implements this op in tier 2, `Interp` or `Helper`.
            pub fn tier2(self) -> Tier2 {
                match self { $(Op::$name => define_ops!(@tier $tier $($stencil)? $($hfn)?),)* }
            }

            /// The routine of a helper op, or of a stencil op's slow path (a table indexed by
            /// op number: the interpreter's generic helper arm looks it up on every helper op).
            #[inline]
            pub fn helper(self) -> Option<HelperFn> {
                const HELPERS: &[Option<HelperFn>] =
                    &[$(define_ops!(@hfn $($hfn)? $($slow)?),)*];
                HELPERS[self as usize]
            }

            /// The properties declared in the table.
            pub const fn flags(self) -> OpFlags {
                match self {
                    $(Op::$name => {
                        #[allow(unused_mut)]
                        let mut f = OpFlags { alloc: false, call: false, ret: false, exit: false };
                        $($( f.$flag = true; )*)?
                        f
                    })*
                }
            }
        }
    };
    (@tier jit $s:literal) => { Tier2::Stencil($s) };
    (@tier interp) => { Tier2::Interp };
    (@tier helper $f:ident) => { Tier2::Helper(stringify!($f)) };
    (@hfn) => { None };
    (@hfn $f:ident) => { Some($crate::runtime::helpers::$f as HelperFn) };
}

impl Op {
    /// The operand that is a list view (three words: elements, length, the list; written by
    /// `ListView`, read by the `List*V` ops), if any.
    pub const fn view_operand(self) -> Option<usize> {
        match self {
            Op::ListView | Op::ListSetI64V | Op::ListSetF64V | Op::ListSetCellV => Some(0),
            Op::ListGetI64V | Op::ListGetF64V | Op::ListGetCellV => Some(1),
            _ => None,
        }
    }

    /// An op that reads `K[c + 1]` too (the selects on a comparison with a constant: the
    /// constant compared with, then the value selected).
    pub const fn uses_next_constant(self) -> bool {
        matches!(
            self,
            Op::SelLtI64K
                | Op::SelLeI64K
                | Op::SelGtI64K
                | Op::SelGeI64K
                | Op::SelLtF64K
                | Op::SelLeF64K
                | Op::SelGtF64K
                | Op::SelGeF64K
        )
    }

    /// A conditional skip of the next instruction (`pc += 1` on top of the usual one): the
    /// append-view pushes, whose next instruction is their slow case. Tier 2 patches the
    /// jump target of such an op with the address of the instruction after the next.
    pub const fn skips_next(self) -> bool {
        self.slow_case().is_some()
    }

    /// The op that must follow an op that may skip it (`skips_next`): its slow case, on the
    /// same operands (the verifier checks).
    pub const fn slow_case(self) -> Option<Op> {
        match self {
            Op::ListPushVI64 | Op::ListPushVF64 => Some(Op::ListPushVGrow),
            Op::AppendStrV => Some(Op::AppendStrVGrow),
            Op::AppendStrVLit => Some(Op::AppendStrVLitGrow),
            _ => None,
        }
    }

    /// May allocate (a GC safepoint).
    pub const fn allocates(self) -> bool {
        self.flags().alloc
    }
    /// May raise a runtime error / side-exit.
    pub const fn may_exit(self) -> bool {
        self.flags().exit
    }
    /// Pushes a frame.
    pub const fn is_call(self) -> bool {
        self.flags().call
    }
    /// Pops the frame.
    pub const fn is_ret(self) -> bool {
        self.flags().ret
    }
    /// A helper op (its semantics is one Rust routine).
    pub fn is_helper(self) -> bool {
        matches!(self.tier2(), Tier2::Helper(_))
    }
}

for_each_op!(define_ops);

/// One fixed-width instruction: an op and up to three 32-bit operands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(C)]
pub struct Instr {
    pub op: Op,
    pub a: u32,
    pub b: u32,
    pub c: u32,
}

impl Instr {
    pub fn new(op: Op, a: u32, b: u32, c: u32) -> Instr {
        Instr { op, a, b, c }
    }

    /// Operand values in the order of `op.operands()`.
    pub fn operand_values(&self) -> [u32; 3] {
        [self.a, self.b, self.c]
    }

    /// The jump target of this instruction, if it has one.
    pub fn target(&self) -> Option<u32> {
        self.op
            .operands()
            .iter()
            .position(|k| *k == Operand::T)
            .map(|i| self.operand_values()[i])
    }

    pub fn set_target(&mut self, t: u32) {
        match self.op.operands().iter().position(|k| *k == Operand::T) {
            Some(0) => self.a = t,
            Some(1) => self.b = t,
            Some(2) => self.c = t,
            _ => panic!("{} has no jump target", self.op.name()),
        }
    }
}

/// `AddI64Imm` -> `ADD_I64_IMM`.
fn screaming_snake(name: &str) -> String {
    let mut out = String::new();
    let mut prev: Option<char> = None;
    for ch in name.chars() {
        if ch.is_ascii_uppercase()
            && prev.is_some_and(|p| p.is_ascii_lowercase() || p.is_ascii_digit())
        {
            out.push('_');
        }
        out.push(ch.to_ascii_uppercase());
        prev = Some(ch);
    }
    out
}

/// The text of `stencils/src/ops.h`, generated from the op table: every op's number and
/// semantics, and a prototype for every stencil, so clang checks each stencil definition
/// against the table.
pub fn c_header() -> String {
    let mut s = String::from(
        "/* Generated from the op table (vm/src/ops.rs): do not edit. */\n\
         /* Regenerate: MOCHI_REGEN_OPS_H=1 cargo test -p tier2-jit --test op_table, */\n\
         /* then regenerate the stencil table (README.md). */\n\
         #ifndef MOCHI_OPS_H\n#define MOCHI_OPS_H\n\n",
    );
    for (i, op) in Op::ALL.iter().enumerate() {
        let operands: Vec<String> = op
            .operands()
            .iter()
            .zip(["a", "b", "c"])
            .map(|(k, n)| format!("{n}:{k:?}"))
            .collect();
        let tier = match op.tier2() {
            Tier2::Stencil(st) if op.helper().is_some() => {
                format!("stencil {st}, slow path helper")
            }
            Tier2::Stencil(st) => format!("stencil {st}"),
            Tier2::Interp => "interpreter only (side exit)".to_string(),
            Tier2::Helper(h) => format!("helper {h}"),
        };
        let f = op.flags();
        let flags: Vec<&str> = [
            (f.alloc, "alloc"),
            (f.call, "call"),
            (f.ret, "ret"),
            (f.exit, "exit"),
        ]
        .iter()
        .filter(|(on, _)| *on)
        .map(|(_, n)| *n)
        .collect();
        let tier = if flags.is_empty() {
            tier
        } else {
            format!("{tier} [{}]", flags.join(", "))
        };
        s.push_str(&format!(
            "#define OP_{} {i} /* {} | {} | {tier} */\n",
            screaming_snake(op.name()),
            op.doc(),
            operands.join(" ")
        ));
    }
    s.push_str("\n/* The stencil of every op that tier 2 compiles. */\n");
    for op in Op::ALL {
        if let Tier2::Stencil(st) = op.tier2() {
            s.push_str(&format!("STENCIL({st});\n"));
        }
    }
    s.push_str("\n#endif\n");
    s
}

/// `2^k - 1` for a negative `x`, else 0 (1 <= k <= 62): biased by it, a negative dividend's
/// arithmetic shift rounds toward zero.
#[inline]
fn pow2_bias(x: i64, k: u32) -> i64 {
    ((x >> 63) as u64).wrapping_shr(64 - k) as i64
}

/// `x / 2^k` truncated toward zero (1 <= k <= 62), without a divide (the formula of the
/// `div_i64_pow2` stencil).
#[inline]
pub fn div_pow2(x: i64, k: u32) -> i64 {
    (x + pow2_bias(x, k)).wrapping_shr(k)
}

/// `x % 2^k` with the sign of the dividend (1 <= k <= 62), without a divide (as the
/// `mod_i64_pow2` stencil).
#[inline]
pub fn mod_pow2(x: i64, k: u32) -> i64 {
    let bias = pow2_bias(x, k);
    ((x + bias) & ((1i64 << k) - 1)) - bias
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn op_names_convert_to_c_macros() {
        assert_eq!(screaming_snake("AddI64Imm"), "ADD_I64_IMM");
        assert_eq!(screaming_snake("I64ToF64"), "I64_TO_F64");
        assert_eq!(screaming_snake("JNLtF64"), "JNLT_F64");
        assert_eq!(screaming_snake("Not"), "NOT");
    }

    #[test]
    fn every_op_has_doc_and_at_most_three_operands() {
        for op in Op::ALL {
            assert!(!op.doc().is_empty(), "{} has no doc", op.name());
            assert!(op.operands().len() <= 3);
            assert!(
                op.operands().iter().filter(|k| **k == Operand::T).count() <= 1,
                "one jump target at most"
            );
        }
        assert!(Op::ALL.len() < 256);
    }

    #[test]
    fn flags_come_from_the_table() {
        assert!(Op::Call.is_call() && Op::Call.may_exit() && !Op::Call.is_ret());
        assert!(Op::RetCell.is_ret() && !Op::RetCell.may_exit());
        assert!(Op::AddI64.may_exit() && !Op::AddI64.allocates());
        assert!(!Op::MovI64.may_exit() && !Op::AddF64.may_exit());
        assert!(Op::StrFromI64.allocates() && Op::StrFromI64.is_helper());
        assert!(Op::ConcatStr.allocates() && !Op::ConcatStr.is_helper());
        assert!(Op::ConcatStr.helper().is_some() && Op::AddI64.helper().is_none());
        for op in Op::ALL {
            // Every op that ends a frame or pushes one is marked, and only those.
            assert_eq!(op.is_ret(), op.name().starts_with("Ret"), "{}", op.name());
            // Helper ops have a routine; a stencil op may have one for its slow path.
            if op.is_helper() {
                assert!(op.helper().is_some(), "{}", op.name());
            }
            assert!(op.tier2() != Tier2::Interp || op.helper().is_none());
            // A helper that allocates is a GC safepoint: it must have a routine (it needs fp).
            if op.allocates() {
                assert!(
                    op.helper().is_some() || op.is_call(),
                    "{} allocates outside a helper",
                    op.name()
                );
            }
        }
    }

    #[test]
    fn stencil_names_are_unique() {
        let mut seen = std::collections::HashSet::new();
        for op in Op::ALL {
            if let Tier2::Stencil(s) = op.tier2() {
                assert!(seen.insert(s), "stencil {s} used twice");
            }
        }
    }

    #[test]
    fn power_of_two_division_matches_the_divide() {
        let xs = [
            0,
            1,
            -1,
            2,
            -2,
            3,
            -3,
            7,
            -7,
            8,
            -8,
            1 << 40,
            -(1 << 40) - 1,
            i64::MAX,
            i64::MIN,
            i64::MIN + 1,
        ];
        for k in 1..=62u32 {
            let d = 1i64 << k;
            for &x in &xs {
                for x in [x, x.wrapping_add(d - 1), x.wrapping_sub(d - 1)] {
                    assert_eq!(super::div_pow2(x, k), x / d, "{x} / 2^{k}");
                    assert_eq!(super::mod_pow2(x, k), x % d, "{x} % 2^{k}");
                }
            }
        }
    }
}
