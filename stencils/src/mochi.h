/* The stencil ABI: the C side of vm/src/abi.rs. A test (tier2-jit/tests/abi.rs) compares the
 * sizes and offsets clang measured here (abi_probe.c) with Rust's offset_of!.
 *
 * Every stencil has the same prototype and calling convention (preserve_none), and passes its
 * arguments unchanged through every tail call, which pins them in registers:
 *   r12 = fp       frame base (frame header, then parameters, i64 / f64 / cell slots)
 *   r13 = ctx      the VM context; the globals block follows it in the same allocation, so
 *                  G[x] is at ctx + GLOBALS_OFFSET + 8x (a constant displacement from r13)
 *   r14 = lists    base of the heap's list slot table (ListSlot[], never moves)
 *   r15 = records  base of the heap's record slot table (RecordSlot[], never moves)
 *   rdi, rsi, rdx, rcx, r8, r9 = x0..x5: up to six i64 slots of the function cached in
 *                  registers.
 *   xmm0..xmm7 = f0..f7: up to eight f64 slots of the function cached in registers (the
 *                  stencils compute in xmm8..xmm15).
 * A cached slot's value lives in its register; its frame word may be stale. The frame is made
 * whole (spilled) before anything else can look at it: side exits, calls, and ops that have
 * no variant for a cached operand (the emitter wraps those in spill / reload stencils).
 * Native code is entered through an entry stub that loads the cached registers.
 * Holes are undefined extern symbols whose address is the value patched in at run time.
 */
#ifndef MOCHI_H
#define MOCHI_H

#include <stdint.h>

typedef struct FrameHeader {
    uint64_t func;   /* function index */
    uint64_t ret_pc; /* instruction index to resume at in the caller */
    uint8_t *caller; /* caller's frame base, NULL for the entry frame */
    uint64_t dest;   /* byte offset of the result slot in the caller's frame */
} FrameHeader;

typedef struct FuncInfo {
    const void *native;   /* entry of the native code, NULL if not compiled */
    uint64_t frame_bytes; /* frame size, header included */
    uint64_t closure_param; /* a closure's function: byte offset from its fp of the hidden
                               last parameter (the closure); 0 for other functions */
} FuncInfo;

typedef struct Ctx {
    uint64_t exit_pc;
    uint8_t *exit_fp;
    uint64_t depth;
    uint64_t max_depth;
    uint8_t *stack_limit;
    const FuncInfo *funcs;
    uint8_t *globals; /* == (uint8_t *)ctx + GLOBALS_OFFSET */
    uint8_t *entry_rsp; /* the shim's return address slot while native code runs */
    uint64_t native_entries;
    void *rt;
    uint8_t *list_slots;   /* base of the heap's list slot table (never moves) */
    uint8_t *record_slots; /* base of the heap's record slot table (never moves) */
    uint8_t *str_slots;    /* base of the heap's string slot table (never moves) */
    uint8_t *rsp_limit;    /* native code calls only while rsp is above this (depth limit) */
    uint8_t *map_slots;    /* base of the heap's map slot table (never moves) */
    struct SlotFree *str_free; /* the string slot table's free list */
    struct SlotFree *list_free; /* the list slot table's free list */
    struct GcCounters *gc;     /* the heap's allocation counters */
    struct BufFree *list_bufs; /* kept small list buffers, [cap - 1] for cap 1..SMALL_CAPS */
} Ctx;

/* The globals block starts right after the context (one allocation, vm::abi::CtxBlock). */
#define GLOBALS_OFFSET sizeof(Ctx)

/* Heap slots (arenas/src/heap/mod.rs, #[repr(C)]). Element buffers may move; the slot tables
 * never do. A handle Cell's low 32 bits are its slot index. */
typedef struct ListSlot {
    uint64_t *data; /* first element (raw i64 / f64 bits / Cell words) */
    uint64_t len;
    uint64_t cap;
    uint32_t elem;
    uint16_t gen;
    uint16_t flags;
} ListSlot;

/* The header in front of a list's element buffer (`data` points just past it). `used` is how
 * many words some list sharing the buffer has written: a list may write past its own length
 * in place only when its length is `used`. */
typedef struct BufHeader {
    uint64_t used;
    uint64_t cap;
    uint64_t refs;
} BufHeader;

typedef struct RecordSlot {
    uint64_t *fields;
    uint32_t type_id;
    uint16_t gen;
    uint16_t flags;
    uint32_t nfields;
    uint32_t func; /* a closure's function index */
} RecordSlot;

typedef struct StrSlot {
    const uint8_t *ptr;
    uint64_t len;   /* bytes */
    uint64_t runes; /* Unicode scalar values */
    void *buf;
    uint16_t gen;
    uint16_t flags;
    uint32_t pad_;
} StrSlot;

/* A slot table's free list (arenas/src/heap/mod.rs): ids[0..len] are free slot indices, popped
 * from the end; live counts the allocated slots. */
typedef struct SlotFree {
    uint32_t *ids;
    uint64_t len;
    uint64_t live;
} SlotFree;

/* Dead list buffers of one small capacity kept for reuse (arenas/src/heap/lists.rs):
 * bufs[0..len] are data pointers of buffers no list references, popped from the end; only Rust
 * pushes. Ctx.list_bufs[cap - 1] holds those of capacity cap, 1 <= cap <= SMALL_CAPS. */
#define SMALL_CAPS 4
typedef struct BufFree {
    uint64_t **bufs;
    uint64_t len;
} BufFree;

/* The heap's allocation counters (the first fields of arenas' `GcStats`): the runtime collects
 * at its next safepoint once allocated_since >= collect_at (0 in stress mode and once out of
 * memory), so an op that allocates inline does so only below it. */
typedef struct GcCounters {
    uint64_t allocated_since;
    uint64_t collect_at;
    uint64_t total_allocated;
} GcCounters;

/* A slot's flags: allocated (arenas' FLAG_LIVE). */
#define FLAG_LIVE 1
/* A string slot's flags: its owned local's only reference (arenas' FLAG_UNIQUE). */
#define FLAG_UNIQUE 16

/* The dense part of an int-keyed map (arenas/src/heap/intmap.rs): keys 0..len live here, key k
 * present when present[k] != 0, its value data[k]; key k is counted in
 * counts[k % COUNT_STRIPES] (striped so that an in-order fill does not wait on one counter's
 * read-modify-write per set). Native code may write data[k], present[k] and that counter for
 * k < len; the span grows only in Rust. */
#define COUNT_STRIPES 4
typedef struct IntDense {
    uint64_t *data;
    uint8_t *present;
    uint64_t len;
    uint64_t counts[COUNT_STRIPES];
} IntDense;

typedef struct MapSlot {
    void *obj; /* the Rust table */
    uint32_t key, val;
    uint16_t gen;
    uint16_t flags;
    uint32_t pad_;
    IntDense *dense; /* an int-keyed map's dense part, NULL for other maps */
} MapSlot;

#define HEADER_WORDS 4
#define STATUS_RETURNED 0
#define STATUS_EXIT 1
#define CELL_NIL 0xFFF8000000000000ull
/* A handle Cell of the record arena (arenas::Cell::arena() == Some((Record, _))): top 16 bits
 * 0xFFF8 | kind with kind >= 3 (a handle: HANDLE_TAG_MIN), arena kind (bits 47..44) 4. */
#define HANDLE_TAG_MIN 0xFFFB
#define ARENA_LIST 2
#define ARENA_STR 1
#define ARENA_MAP 3
#define ARENA_RECORD 4
/* A handle Cell of arena `kind`: its top 20 bits are HANDLE_TAG_MIN and the kind (one shift
 * and compare, arenas::Cell::is_handle_of). */
#define IS_HANDLE_OF(v, kind) ((((uint64_t)(v)) >> 44) == (((uint64_t)HANDLE_TAG_MIN << 4) | (kind)))
#define IS_RECORD(v)                                 \
    ((((uint64_t)(v)) >> 48) >= HANDLE_TAG_MIN &&    \
     ((((uint64_t)(v)) >> 44) & 0xF) == ARENA_RECORD)

#define PN __attribute__((preserve_none))
#define ARGS                                                                           \
    uint8_t *fp, Ctx *ctx, uint8_t *lists, uint8_t *records, int64_t x0, int64_t x1, int64_t x2, \
        int64_t x3, int64_t x4, int64_t x5, double f0, double f1, double f2, double f3,      \
        double f4, double f5, double f6, double f7
#define PASS fp, ctx, lists, records, x0, x1, x2, x3, x4, x5, f0, f1, f2, f3, f4, f5, f6, f7

typedef PN uint64_t (*StencilFn)(ARGS);

/* A helper op's Rust routine (`vm::ops::HelperFn`): 0 done, nonzero failed (nothing changed,
 * its message pending in the runtime). */
typedef uint64_t (*HelperRoutine)(Ctx *, uint8_t *, uint32_t, uint32_t, uint32_t);

/* Define a stencil. */
#define STENCIL(name) PN uint64_t name(ARGS)

/* The forms of a stencil that calls out (a native call, a Rust routine) for a function that
 * caches its first N i64 registers, N = 0..6: M(NAME or NAME_cN, SPILL, RELOAD) with SPILL
 * storing x0..x(N-1) to their slots and RELOAD (a comma expression) loading them back and
 * applying NOT_CACHED(k) to the others. */
#define SPILL_REG(k) I64(_R##k) = x##k
#define RELOAD_REG(k) x##k = I64(_R##k)
#define CACHE_FORM0_W(M, W, NAME, NOT_CACHED)                                                \
    M(NAME, (void)0,                                                                         \
      W((NOT_CACHED(0), NOT_CACHED(1), NOT_CACHED(2), NOT_CACHED(3), NOT_CACHED(4),          \
       NOT_CACHED(5))))
#define CACHE_FORMS_CN_W(M, W, NAME, NOT_CACHED)                                             \
    M(NAME##_c1, SPILL_REG(0),                                                               \
      W((RELOAD_REG(0), NOT_CACHED(1), NOT_CACHED(2), NOT_CACHED(3), NOT_CACHED(4),          \
       NOT_CACHED(5))))                                                                      \
    M(NAME##_c2, (SPILL_REG(0), SPILL_REG(1)),                                               \
      W((RELOAD_REG(0), RELOAD_REG(1), NOT_CACHED(2), NOT_CACHED(3), NOT_CACHED(4),          \
       NOT_CACHED(5))))                                                                      \
    M(NAME##_c3, (SPILL_REG(0), SPILL_REG(1), SPILL_REG(2)),                                 \
      W((RELOAD_REG(0), RELOAD_REG(1), RELOAD_REG(2), NOT_CACHED(3), NOT_CACHED(4),          \
       NOT_CACHED(5))))                                                                      \
    M(NAME##_c4, (SPILL_REG(0), SPILL_REG(1), SPILL_REG(2), SPILL_REG(3)),                   \
      W((RELOAD_REG(0), RELOAD_REG(1), RELOAD_REG(2), RELOAD_REG(3), NOT_CACHED(4),          \
       NOT_CACHED(5))))                                                                      \
    M(NAME##_c5, (SPILL_REG(0), SPILL_REG(1), SPILL_REG(2), SPILL_REG(3), SPILL_REG(4)),     \
      W((RELOAD_REG(0), RELOAD_REG(1), RELOAD_REG(2), RELOAD_REG(3), RELOAD_REG(4),          \
       NOT_CACHED(5))))                                                                      \
    M(NAME##_c6,                                                                             \
      (SPILL_REG(0), SPILL_REG(1), SPILL_REG(2), SPILL_REG(3), SPILL_REG(4), SPILL_REG(5)),  \
      W((RELOAD_REG(0), RELOAD_REG(1), RELOAD_REG(2), RELOAD_REG(3), RELOAD_REG(4),          \
       RELOAD_REG(5))))
/* All seven forms (N = 0..6); CACHE_FORM0_W and CACHE_FORMS_CN_W are its N = 0 and N = 1..6
 * halves, for a stencil whose forms with cached registers are written differently. */
#define CACHE_FORMS_W(M, W, NAME, NOT_CACHED) \
    CACHE_FORM0_W(M, W, NAME, NOT_CACHED) CACHE_FORMS_CN_W(M, W, NAME, NOT_CACHED)
#define RELOAD_AS_IS(RELOAD) RELOAD
#define CACHE_FORMS(M, NAME, NOT_CACHED) CACHE_FORMS_W(M, RELOAD_AS_IS, NAME, NOT_CACHED)
#define CACHE_FORM0(M, NAME, NOT_CACHED) CACHE_FORM0_W(M, RELOAD_AS_IS, NAME, NOT_CACHED)
#define CACHE_FORMS_CN(M, NAME, NOT_CACHED) CACHE_FORMS_CN_W(M, RELOAD_AS_IS, NAME, NOT_CACHED)
/* (CACHE_FORMS_W: with every RELOAD wrapped as W(RELOAD).) The two families of a stencil
 * M(NAME, SPILL, RELOAD) that calls the op's routine: NAME for functions that cache no f64
 * slot (f0..f7 undefined after the call) and NAME_f for those that do (reloaded from the frame
 * after it, so that a failing routine's side exit spills real values). */
#define NO_F_RELOAD(RELOAD) (RELOAD, ({ F_UNDEFINED(); }))
#define F_RELOAD(RELOAD) (RELOAD, ({ F_UNDEFINED(); }), ({ RELOAD_ALL_F(); }))
#define ROUTINE_FORMS(M, NAME, NOT_CACHED)                 \
    CACHE_FORMS_W(M, NO_F_RELOAD, NAME, NOT_CACHED)        \
    CACHE_FORMS_W(M, F_RELOAD, NAME##_f, NOT_CACHED)

/* Always inline: a call to a static function would be a relocation the extractor rejects. */
#define INLINE static inline __attribute__((always_inline))

/* The handle Cell of slot `index` of arena `kind`, generation `gen` (arenas' `Cell::handle`). */
#define HANDLE(kind, gen, index)                                                      \
    (((uint64_t)HANDLE_TAG_MIN << 48) | ((uint64_t)(kind) << 44) |                    \
     ((uint64_t)((gen) & 0xFFF) << 32) | (index))

/* Inline allocation of a slot (strings.c's concatenation, lists.c's empty list): allowed only
 * below the collector's bound (`allocated_since < collect_at`, what an allocating routine's
 * safepoint tests; 0 in stress mode and once out of memory) and with a free slot to pop. */
INLINE int can_alloc_slot(const GcCounters *g, const SlotFree *fl) {
    return g->allocated_since < g->collect_at && fl->len != 0;
}
/* Pop a free slot's index and count it as arenas' `SlotTable::alloc` and `note_alloc` do (the
 * table's live slots, `bytes` in the heap's counters). The caller fills the slot, its `gen`
 * kept (bumped when it was freed). */
INLINE uint64_t alloc_slot(GcCounters *g, SlotFree *fl, uint64_t bytes) {
    uint64_t i = fl->ids[--fl->len];
    fl->live += 1;
    g->allocated_since += bytes;
    g->total_allocated += bytes;
    return i;
}

/* ---- holes ---- */
/* Continuation (the next instruction) and jump target (an instruction of the same function). */
extern PN uint64_t _CONTINUE(ARGS);
extern PN uint64_t _TARGET(ARGS);
/* Operand holes: slot byte offsets, global byte offsets, frame sizes, unsigned immediates. */
extern char _A[], _B[], _C[];
/* Raw operands a, b, c (the instruction's u32 values: word indices, immediates), for the
 * generic helper stencil. */
extern char _OA[], _OB[], _OC[];
/* The address of the instruction's helper routine (vm::ops::HelperFn), a 64-bit hole. */
extern char _H[];
/* This instruction's index. */
extern char _PC[];
/* Where a side exit goes: the `exit_at` stub of this instruction (which records its pc and
 * goes on to the function's `exit_stub`, which spills the cached registers and returns
 * STATUS_EXIT). So the cold path of a stencil is a single conditional jump. */
extern PN uint64_t _EXIT(ARGS);
/* Byte offset of the slot cached in x0..x5 (0: the register caches nothing). */
extern char _R0[], _R1[], _R2[], _R3[], _R4[], _R5[];
/* Byte offset of the slot cached in f0..f7 (0: the register caches nothing). */
extern char _F0[], _F1[], _F2[], _F3[], _F4[], _F5[], _F6[], _F7[];
/* A direct call's callee (its native entry, called with a rel32 `call`) and where its frame
 * ends, in bytes from the caller's frame base (the caller's frame size plus the callee's; the
 * `call_direct` stencils: the callee is the function itself or was compiled before the
 * caller). */
extern PN uint64_t _CALLEE(ARGS);
extern char _FRAME[];
/* ModI64Imm's division by the constant d = |c| (_MOD_DIVISOR) as a multiplication and a
 * shift, valid for 0 <= x < _MOD_LIMIT: x / d = mulhi(x, _MOD_MAGIC) >> _MOD_SHIFT (an 8-bit
 * hole)
 * (tier2_jit::hole_values::mod_magic; the limit is 0 for d <= 2). */
extern char _MOD_MAGIC[], _MOD_SHIFT[], _MOD_LIMIT[], _MOD_DIVISOR[];
/* DivI64Pow2's and ModI64Pow2's 2^c - 1 (the emitter's derived value). */
extern char _POW2_MASK[];
/* The constant after the instruction's K[c] (K[c + 1]: the select ops' value). */
extern char _K2[];

#define CONTINUE() __attribute__((musttail)) return _CONTINUE(PASS)
#define JUMP() __attribute__((musttail)) return _TARGET(PASS)

/* An unsigned 32-bit hole used as a displacement or plain value (R_X86_64_32 / 32S). */
#define U32(h) ((uint64_t)(uintptr_t)(h))
/* A signed 32-bit immediate: a sign-extended `mov $imm32, %reg` (R_X86_64_32S). The asm is a
 * barrier: clang may not assume anything about the value (a hole's address is "non-null"). */
#define S32(h)                                                \
    ({                                                        \
        int64_t v_;                                           \
        __asm__("movq $" #h ", %0" : "=r"(v_));               \
        v_;                                                   \
    })
/* A 64-bit hole (R_X86_64_64): constants and helper addresses. */
#define U64(h)                                                \
    ({                                                        \
        uint64_t v_;                                          \
        __asm__("movabsq $" #h ", %0" : "=r"(v_));            \
        v_;                                                   \
    })
/* The address of a Rust helper `_H_name`, as a function pointer of type T. */
#define HELPER(T, name) ((T)U64(_H_##name))

/* The f64 whose bits are u, and the bits of d. */
INLINE double bits_f64(uint64_t u) {
    union {
        uint64_t u;
        double d;
    } x = {.u = u};
    return x.d;
}
INLINE uint64_t f64_bits(double d) {
    union {
        double d;
        uint64_t u;
    } x = {.d = d};
    return x.u;
}

/* Slot access by hole. */
#define I64(h) (*(int64_t *)(fp + U32(h)))
#define F64(h) (*(double *)(fp + U32(h)))
#define CELL(h) (*(uint64_t *)(fp + U32(h)))
#define GLOBALS ((uint8_t *)ctx + GLOBALS_OFFSET)
#define G_I64(h) (*(int64_t *)(GLOBALS + U32(h)))
#define G_F64(h) (*(double *)(GLOBALS + U32(h)))
#define G_CELL(h) (*(uint64_t *)(GLOBALS + U32(h)))

/* Leave native code: the interpreter resumes this frame at this instruction (it re-executes
 * it, so an op that detects an error side-exits *before* changing anything it reads and the
 * interpreter raises the error with its source position; a few overflow checks work in place
 * and may leave R[a] changed when a is none of their operands, whose old value the error makes
 * dead: `add_i64_imm`, regcache.h's clobbering forms). The exit stubs make the frame whole first.
 * Use it as `if (cond) SIDE_EXIT();` so clang emits `jcc _EXIT`. */
#define UNLIKELY(x) __builtin_expect(!!(x), 0)
#define LIKELY(x) __builtin_expect(!!(x), 1)
#define SIDE_EXIT() __attribute__((musttail)) return _EXIT(PASS)

#define OPAQUE_U32(h)                                         \
    ({                                                        \
        uint32_t v_;                                          \
        __asm__("movl $" #h ", %0" : "=r"(v_));               \
        (uint64_t)v_;                                         \
    })

/* Store the cached registers to their frame slots (registers caching nothing are skipped). */
#define SPILL_ONE(h, x)                                       \
    do {                                                      \
        uint64_t o_ = OPAQUE_U32(h);                          \
        if (o_ != 0)                                          \
            *(int64_t *)(fp + o_) = (x);                      \
    } while (0)
#define SPILL_ONE_F(h, f)                                     \
    do {                                                      \
        uint64_t o_ = OPAQUE_U32(h);                          \
        if (o_ != 0)                                          \
            *(double *)(fp + o_) = (f);                       \
    } while (0)
#define SPILL_ALL()                                           \
    do {                                                      \
        SPILL_ONE(_R0, x0);                                   \
        SPILL_ONE(_R1, x1);                                   \
        SPILL_ONE(_R2, x2);                                   \
        SPILL_ONE(_R3, x3);                                   \
        SPILL_ONE(_R4, x4);                                   \
        SPILL_ONE(_R5, x5);                                   \
        SPILL_ONE_F(_F0, f0);                                 \
        SPILL_ONE_F(_F1, f1);                                 \
        SPILL_ONE_F(_F2, f2);                                 \
        SPILL_ONE_F(_F3, f3);                                 \
        SPILL_ONE_F(_F4, f4);                                 \
        SPILL_ONE_F(_F5, f5);                                 \
        SPILL_ONE_F(_F6, f6);                                 \
        SPILL_ONE_F(_F7, f7);                                 \
    } while (0)
/* Reload the cached f64 registers from their frame slots (registers caching nothing are
 * left as they are). */
#define RELOAD_ONE_F(h, f)                                    \
    do {                                                      \
        uint64_t o_ = OPAQUE_U32(h);                          \
        if (o_ != 0)                                          \
            (f) = *(double *)(fp + o_);                       \
    } while (0)
#define RELOAD_ALL_F()                                        \
    do {                                                      \
        RELOAD_ONE_F(_F0, f0);                                \
        RELOAD_ONE_F(_F1, f1);                                \
        RELOAD_ONE_F(_F2, f2);                                \
        RELOAD_ONE_F(_F3, f3);                                \
        RELOAD_ONE_F(_F4, f4);                                \
        RELOAD_ONE_F(_F5, f5);                                \
        RELOAD_ONE_F(_F6, f6);                                \
        RELOAD_ONE_F(_F7, f7);                                \
    } while (0)
/* f0..f7 hold nothing of value from here on (the caller reloads what it caches): clang
 * need not keep them alive across a call before this point. No instruction. */
#define F_UNDEFINED()                                                                  \
    __asm__("" : "=x"(f0), "=x"(f1), "=x"(f2), "=x"(f3), "=x"(f4), "=x"(f5), "=x"(f6), \
                 "=x"(f7))

/* A native call of the stencil code at `target` for the frame `nfp_` (its header written, the
 * caller's frame whole). Native code keeps the pinned registers: every stencil passes r13-r15
 * through unchanged and a function returns with r12 = its own frame (the `ret_*` stencils pin
 * them, `PINNED_RETURN`), so the call saves nothing and the caller recomputes its frame as
 * r12 minus the hole `back_hole` (its frame size in bytes, an immediate in the asm, so no
 * value stays live across the call). A callee never returns anything but STATUS_RETURNED here: a side
 * exit or error unwinds straight to the entry shim (`exit_stub`), so there is no status test.
 * x0..x5 and f0..f7 come back undefined (the caller reloads the ones it caches). rsp is 8 mod 16 at a
 * stencil's entry and this stencil keeps no frame of its own (no spills: everything lives in
 * pinned registers and holes), so `sub $8` aligns the call: one native call = 16 bytes of
 * machine stack. */
/* The call itself: `call_insn` (with the callee's entry in rax: `rax_c` "+r"; or a rel32
 * `call _CALLEE`: rax only clobbered, `rax_c` "=r"). */
#define NATIVE_CALL_VIA(call_insn, rax_c, target, nfp_, back_hole)                       \
    do {                                                                              \
        register uint8_t *r12_ __asm__("r12") = (nfp_);                                \
        register Ctx *r13_ __asm__("r13") = ctx;                                      \
        register uint8_t *r14_ __asm__("r14") = lists;                                 \
        register uint8_t *r15_ __asm__("r15") = records;                               \
        register const void *t_ __asm__("rax") = (target);                             \
        register int64_t rdi_ __asm__("rdi");                                          \
        register int64_t rsi_ __asm__("rsi");                                          \
        register int64_t rdx_ __asm__("rdx");                                          \
        register int64_t rcx_ __asm__("rcx");                                          \
        register int64_t r8_ __asm__("r8");                                            \
        register int64_t r9_ __asm__("r9");                                            \
        register double xmm0_ __asm__("xmm0");                                         \
        register double xmm1_ __asm__("xmm1");                                         \
        register double xmm2_ __asm__("xmm2");                                         \
        register double xmm3_ __asm__("xmm3");                                         \
        register double xmm4_ __asm__("xmm4");                                         \
        register double xmm5_ __asm__("xmm5");                                         \
        register double xmm6_ __asm__("xmm6");                                         \
        register double xmm7_ __asm__("xmm7");                                         \
        __asm__ volatile("sub $8, %%rsp\n\t" call_insn "\n\tadd $8, %%rsp\n\t"          \
                         "subq $" #back_hole ", %%r12"                                \
                         : "+r"(r12_), "+r"(r13_), "+r"(r14_), "+r"(r15_), rax_c(t_),  \
                           "=r"(rdi_), "=r"(rsi_), "=r"(rdx_), "=r"(rcx_), "=r"(r8_),     \
                           "=r"(r9_), "=x"(xmm0_),                                     \
                           "=x"(xmm1_), "=x"(xmm2_), "=x"(xmm3_), "=x"(xmm4_),          \
                           "=x"(xmm5_), "=x"(xmm6_), "=x"(xmm7_)                       \
                         :                                                            \
                         : "rbx", "r10", "r11", "memory", "cc", "xmm8", "xmm9",        \
                           "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15");      \
        (void)t_;                                                                     \
        fp = r12_;                                                                    \
        ctx = r13_;                                                                   \
        lists = r14_;                                                                 \
        records = r15_;                                                               \
        x0 = rdi_;                                                                    \
        x1 = rsi_;                                                                    \
        x2 = rdx_;                                                                    \
        x3 = rcx_;                                                                    \
        x4 = r8_;                                                                     \
        x5 = r9_;                                                                     \
        f0 = xmm0_;                                                                   \
        f1 = xmm1_;                                                                   \
        f2 = xmm2_;                                                                   \
        f3 = xmm3_;                                                                   \
        f4 = xmm4_;                                                                   \
        f5 = xmm5_;                                                                   \
        f6 = xmm6_;                                                                   \
        f7 = xmm7_;                                                                   \
    } while (0)
#define NATIVE_CALL(target, nfp_, back_hole)                                          \
    NATIVE_CALL_VIA("call *%%rax", "+r", target, nfp_, back_hole)
/* NATIVE_CALL to the `_CALLEE` hole: a direct `call rel32`. */
#define NATIVE_CALL_DIRECT(nfp_, back_hole)                                           \
    NATIVE_CALL_VIA("call _CALLEE", "=r", NULL, nfp_, back_hole)

/* rsp at this point of a stencil (a call stencil keeps no frame: its function's level). */
#define MACHINE_SP()                                                                  \
    ({                                                                                \
        uint8_t *sp_;                                                                 \
        __asm__("mov %%rsp, %0" : "=r"(sp_));                                         \
        sp_;                                                                          \
    })

/* rsp <= `limit` (a memory operand): the machine stack is as deep as the call-depth limit
 * allows. One `cmp` of rsp with memory and the branch on its flags (no copy of rsp). */
#define RSP_AT_OR_BELOW(limit)                                                        \
    ({                                                                                \
        _Bool at_or_below_;                                                           \
        __asm__ volatile("cmpq %1, %%rsp" : "=@ccbe"(at_or_below_) : "m"(limit));     \
        at_or_below_;                                                                 \
    })

/* Return `st` from a function's native code with the pinned registers as the caller's
 * NATIVE_CALL expects them: r12 = this frame, r13-r15 as received. */
#define PINNED_RETURN(st)                                                             \
    do {                                                                              \
        register uint8_t *r12_ __asm__("r12") = fp;                                    \
        register Ctx *r13_ __asm__("r13") = ctx;                                      \
        register uint8_t *r14_ __asm__("r14") = lists;                                 \
        register uint8_t *r15_ __asm__("r15") = records;                               \
        __asm__ volatile("" ::"r"(r12_), "r"(r13_), "r"(r14_), "r"(r15_));            \
        return (st);                                                                  \
    } while (0)


/* Call the op's Rust routine (`_H`: the generic helper's, or a stencil op's slow path) with
 * the instruction's raw operands, as the interpreter does, after recording the frame and pc
 * (a routine that allocates may collect garbage and walks the frames from there); RELOAD
 * (a comma expression) after it. A failed routine changed nothing: side exit, and the
 * interpreter re-executes the op and raises the error. Otherwise continue. */
#define CALL_ROUTINE(RELOAD)                                                              \
    ctx->exit_fp = fp;                                                                    \
    ctx->exit_pc = U32(_PC);                                                              \
    uint64_t st_ = ((HelperRoutine)U64(_H))(ctx, fp, (uint32_t)U32(_OA), (uint32_t)U32(_OB), \
                                            (uint32_t)U32(_OC));                         \
    RELOAD;                                                                               \
    if (UNLIKELY(st_ != 0))                                                               \
        SIDE_EXIT();                                                                      \
    CONTINUE();

/* CALL_ROUTINE with fp opaque to clang, for a stencil that spills and reloads the cached
 * registers on its inline path too: otherwise clang computes their slot addresses once for
 * the spill and both reloads and keeps them across the call in callee-saved registers, a
 * stack frame on the inline path as well. (The shadowing `fp` is the same register, r12,
 * which the call preserves.) */
#define CALL_ROUTINE_OPAQUE_FP(RELOAD)          \
    {                                           \
        uint8_t *fp_o_ = fp;                    \
        __asm__("" : "+r"(fp_o_));              \
        uint8_t *fp = fp_o_;                    \
        CALL_ROUTINE(RELOAD)                    \
    }

/* A conditional branch: JUMP() to the target when cond holds, else CONTINUE(). */
#define BRANCH_IF(cond) \
    do {                \
        if (cond)       \
            JUMP();     \
        CONTINUE();     \
    } while (0)

/* Op numbers, semantics and the prototype of every stencil, generated from the op table. */
#include "ops.h"

#endif
