/* Calls and returns.
 *
 * call (a: Fn, b: R result slot, c: W caller frame words): the callee's frame starts at
 * fp + 8*c (the caller already stored the arguments there). If the callee has no native code,
 * the depth limit is reached or the frame would pass the stack limit, side-exit: the
 * interpreter re-executes the call (it runs uncompiled callees and raises `call stack
 * exceeded`). Otherwise write the callee's header, make a real (non-tail) call of its native
 * entry, and continue when it returned (NATIVE_CALL: nothing saved, no status test; a side
 * exit somewhere inside unwinds straight to the entry shim).
 *
 * The depth limit is checked against rsp (`Ctx::rsp_limit`), so neither calls nor returns
 * update a counter.
 *
 * ret_*: store R[a] into the caller's result slot (if there is a caller) and
 * return STATUS_RETURNED to whoever called this frame (a call stencil or the entry shim);
 * `ret_i64` leaves R[a] in rdx too. */
#include <stddef.h>

#include "mochi.h"
#include "regcache.h"

/* Write the callee's frame header at nfp (function FUNC, returning to the next instruction,
 * its result to R[b]) and spill the caller's cached registers: what every call stencil does
 * just before the native call. */
#define ENTER_FRAME(FUNC, SPILL)                                                    \
    do {                                                                            \
        FrameHeader *h = (FrameHeader *)nfp;                                        \
        h->func = (FUNC);                                                           \
        h->ret_pc = U32(_PC) + 1;                                                   \
        h->caller = fp;                                                             \
        h->dest = U32(_B);                                                          \
        SPILL;                                                                      \
    } while (0)

/* The call, with the spills and reloads of a function that caches its first N registers
 * (`call` itself is N = 0; the emitter picks `call_cN`). The frame must be whole while the
 * callee runs: it may side-exit, and the interpreter then resumes this frame from memory when
 * the callee returns. The callee's entry stub loads its own cached registers; ours are
 * reloaded after the return (the result may have landed in a cached slot). */
#define CALL(NAME, SPILL, RELOAD)                                                   \
    STENCIL(NAME) {                                                                 \
        uint8_t *nfp = fp + U32(_C);                                                \
        const FuncInfo *fi = &ctx->funcs[U32(_A)];                                  \
        if (fi->native == NULL || RSP_AT_OR_BELOW(ctx->rsp_limit) ||                    \
            nfp + fi->frame_bytes > ctx->stack_limit)                                   \
            SIDE_EXIT();                                                            \
        ENTER_FRAME(U32(_A), SPILL);                                                \
        NATIVE_CALL(fi->native, nfp, _C);                                      \
        RELOAD;                                                                     \
        CONTINUE();                                                                 \
    }

/* Registers the function does not cache come back from the call undefined. */
#define Z(k) (void)0
CACHE_FORMS(CALL, call, Z)

/* call_direct (a: Fn, b: R result slot, c: W caller frame words): `call` when the callee's
 * native entry and frame size are known at compile time (the function itself, or a callee
 * compiled before it): the entry is a rel32 `call _CALLEE` and the end of the callee's frame
 * (caller frame bytes + callee frame bytes, from fp) the immediate `_FRAME`, so no FuncInfo
 * is read and no missing native code can be found. */
#define CALL_DIRECT(NAME, SPILL, RELOAD)                                            \
    STENCIL(NAME) {                                                                 \
        uint8_t *nfp = fp + U32(_C);                                                \
        if (RSP_AT_OR_BELOW(ctx->rsp_limit) || fp + U32(_FRAME) > ctx->stack_limit) \
            SIDE_EXIT();                                                            \
        ENTER_FRAME(U32(_A), SPILL);                                                \
        NATIVE_CALL_DIRECT(nfp, _C);                                                \
        RELOAD;                                                                     \
        CONTINUE();                                                                 \
    }
CACHE_FORMS(CALL_DIRECT, call_direct, Z)

/* call_closure (a: C the closure, b: R result slot, c: W caller frame words): the call of a
 * closure value, as the interpreter's CallClosure arm does it. The function index is the
 * closure record's `func` (its slot in the record table, r15); the callee's FuncInfo gives
 * its native entry, frame size and, for a function with captures, where its hidden last
 * parameter lives (`closure_param`, a byte offset from its frame base), which receives the
 * closure. Side exits (before changing anything) when R[a] is not a record (nil: the
 * interpreter raises `call of a nil function value`), when the callee has no native code
 * (the interpreter runs it and auto mode counts it), or at the depth / stack limit. Then
 * exactly `call`'s protocol: header, native call. */
#define CALL_CLOSURE(NAME, SPILL, RELOAD)                                           \
    STENCIL(NAME) {                                                                 \
        uint64_t clo = CELL(_A);                                                    \
        /* IS_RECORD(clo) with one temporary: bits 63..44 are 0xFFFB4 .. 0xFFFF4. */    \
        uint64_t tag_ = clo >> 44;                                                  \
        if ((tag_ & 0xF) != ARENA_RECORD || tag_ < ((uint64_t)HANDLE_TAG_MIN << 4))  \
            SIDE_EXIT();                                                            \
        uint32_t f =                                                                \
            ((RecordSlot *)(records + (uint64_t)(uint32_t)clo * sizeof(RecordSlot)))->func; \
        uint8_t *nfp = fp + U32(_C);                                                \
        const FuncInfo *fi = &ctx->funcs[f];                                        \
        /* One register for fi (not a base and an index): see below. */               \
        __asm__("" : "+r"(fi));                                                     \
        if (fi->native == NULL || RSP_AT_OR_BELOW(ctx->rsp_limit) ||                 \
            nfp + fi->frame_bytes > ctx->stack_limit)                               \
            SIDE_EXIT();                                                            \
        if (fi->closure_param != 0)                                                 \
            *(uint64_t *)(nfp + fi->closure_param) = clo;                           \
        /* The function index again, from the record (through an opaque copy of clo, \
         * so clang cannot keep the record's address live): with x0..x5 pinned, one   \
         * more live value would need a register saved on the machine stack, which a \
         * call stencil must not do (one native call = 16 bytes of stack). */         \
        uint64_t clo_ = clo;                                                        \
        __asm__("" : "+r"(clo_));                                                   \
        ENTER_FRAME(((RecordSlot *)(records + (uint64_t)(uint32_t)clo_ *               \
                                    sizeof(RecordSlot)))->func, SPILL);               \
        NATIVE_CALL(fi->native, nfp, _C);                                      \
        RELOAD;                                                                     \
        CONTINUE();                                                                 \
    }
CACHE_FORMS(CALL_CLOSURE, call_closure, Z)

/* return R[a] (i64) to the caller's result slot, and in rdx: a native caller finds it there
 * after its call (`NATIVE_CALL` returns rdx as x2), so a function without loops takes its
 * callee's result from the register instead of reloading the slot (tier2-jit's
 * `around_call!`); the slot is written all the same, for the interpreter. */
#define RET(A)                                                 \
    const FrameHeader *h = (const FrameHeader *)fp;            \
    int64_t v_ = (A);                                          \
    if (h->caller != NULL)                                     \
        *(int64_t *)(h->caller + h->dest) = v_;                \
    {                                                          \
        register int64_t rdx_ __asm__("rdx") = v_;             \
        __asm__ volatile("" ::"r"(rdx_));                      \
    }                                                          \
    PINNED_RETURN(STATUS_RETURNED);
OP_A(ret_i64, RET)

#define RETF(A)                                                                     \
    const FrameHeader *h = (const FrameHeader *)fp;                                 \
    if (h->caller != NULL)                                                          \
        *(double *)(h->caller + h->dest) = (A);                                     \
    PINNED_RETURN(STATUS_RETURNED);
OP_A_K(ret_f64, RETF, F)

STENCIL(ret_cell) {
    const FrameHeader *h = (const FrameHeader *)fp;
    if (h->caller != NULL)
        *(uint64_t *)(h->caller + h->dest) = CELL(_A);
    PINNED_RETURN(STATUS_RETURNED);
}

STENCIL(ret_void) {
    PINNED_RETURN(STATUS_RETURNED);
}
