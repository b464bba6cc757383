/* The stencils that are not ops. */
#include "mochi.h"

/* Stands for an op native code does not implement (`interp` in the op table): leave native
 * code so that the interpreter runs this instruction. */
STENCIL(side_exit) {
    SIDE_EXIT();
}

/* The SysV entry shim (plain C calling convention, not preserve_none): Rust calls it with a
 * real `call`, so rsp = 8 mod 16 at the stencil's entry as clang assumes; it saves the SysV
 * callee-saved registers that preserve_none code clobbers, loads the pinned registers and
 * calls the native code. Copied into JIT memory like every stencil. */
uint64_t mochi_entry_shim(uint8_t *fp, Ctx *ctx, StencilFn entry) {
    ctx->native_entries++;
    /* `entry` is an entry stub: it loads the cached registers itself. */
    return entry(fp, ctx, ctx->list_slots, ctx->record_slots, 0, 0, 0, 0);
}

/* The side exit of one instruction: record its pc, go on to the function's exit stub. */
STENCIL(exit_at) {
    ctx->exit_pc = U32(_PC);
    SIDE_EXIT();
}

/* The exit stub of a function: every side exit ends here, with ctx->exit_pc set. Spill the
 * cached registers so the interpreter finds the frame whole. */
STENCIL(exit_stub) {
    SPILL_ALL();
    ctx->exit_fp = fp;
    return STATUS_EXIT;
}

/* Entry stub of a native entry point (pc 0, or a loop header for OSR): load the function's
 * cached registers from the frame, then continue at the instruction. */
STENCIL(enter) {
    RELOAD_ALL();
    CONTINUE();
}

/* Spill / reload one cached register (x_k <-> R[a]) around an op that has no variant for a
 * cached operand: spill before it when it reads the slot, reload after it when it writes. */
#define SPILL_RELOAD(k)                                       \
    STENCIL(spill_##k) {                                      \
        I64(_A) = x##k;                                       \
        CONTINUE();                                           \
    }                                                         \
    STENCIL(reload_##k) {                                     \
        x##k = I64(_A);                                       \
        CONTINUE();                                           \
    }
SPILL_RELOAD(0)
SPILL_RELOAD(1)
SPILL_RELOAD(2)
SPILL_RELOAD(3)
