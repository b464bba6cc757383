/* Calls and returns.
 *
 * call (a: Fn, b: R result slot, c: W caller frame words): the callee's frame starts at
 * fp + 8*c (the caller already stored the arguments there). If the callee has no native code,
 * the depth limit is reached or the frame would pass the stack limit, side-exit: the
 * interpreter re-executes the call (it runs uncompiled callees and raises `call stack
 * exceeded`). Otherwise write the callee's header, make a real (non-tail) call of its native
 * entry, and continue when it returned; any other status (a side exit somewhere inside) is
 * returned unchanged, up through every native caller to the entry shim.
 *
 * ret_*: store R[a] into the caller's result slot (if there is a caller), pop the depth,
 * return STATUS_RETURNED to whoever called this frame (a call stencil or the entry shim). */
#include <stddef.h>

#include "mochi.h"

STENCIL(call) {
    uint8_t *nfp = fp + U32(_C);
    const FuncInfo *fi = &ctx->funcs[U32(_A)];
    if (fi->native == NULL || ctx->depth >= ctx->max_depth ||
        nfp + fi->frame_bytes > ctx->stack_limit)
        SIDE_EXIT();
    FrameHeader *h = (FrameHeader *)nfp;
    h->func = U32(_A);
    h->ret_pc = U32(_PC) + 1;
    h->caller = fp;
    h->dest = U32(_B);
    ctx->depth++;
    uint64_t st = ((StencilFn)fi->native)(nfp, ctx, g, arena);
    if (st != STATUS_RETURNED)
        return st;
    CONTINUE();
}

STENCIL(ret_i64) {
    const FrameHeader *h = (const FrameHeader *)fp;
    if (h->caller != NULL)
        *(int64_t *)(h->caller + h->dest) = I64(_A);
    ctx->depth--;
    return STATUS_RETURNED;
}

STENCIL(ret_f64) {
    const FrameHeader *h = (const FrameHeader *)fp;
    if (h->caller != NULL)
        *(uint64_t *)(h->caller + h->dest) = CELL(_A);
    ctx->depth--;
    return STATUS_RETURNED;
}

STENCIL(ret_cell) {
    const FrameHeader *h = (const FrameHeader *)fp;
    if (h->caller != NULL)
        *(uint64_t *)(h->caller + h->dest) = CELL(_A);
    ctx->depth--;
    return STATUS_RETURNED;
}

STENCIL(ret_void) {
    ctx->depth--;
    return STATUS_RETURNED;
}
