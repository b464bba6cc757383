/* The two stencils that are not ops. */
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
    return entry(fp, ctx, ctx->globals, ctx->arena);
}
