#include <stddef.h>
/* The stencils that are not ops. */
#include "mochi.h"

/* Stands for an op native code does not implement (`interp` in the op table): leave native
 * code so that the interpreter runs this instruction. */
STENCIL(side_exit) {
    SIDE_EXIT();
}

/* The SysV entry shim (plain C calling convention, not preserve_none): Rust calls it with a
 * real `call`. It saves the SysV callee-saved registers that preserve_none code clobbers (the
 * asm clobbers them, so clang saves them in the prologue), loads the pinned registers, aligns
 * rsp to 16, records where its return address will be (`ctx->entry_rsp`) and calls the native
 * code. The call returns normally with STATUS_RETURNED, or `exit_stub` unwinds to it from any
 * depth with STATUS_EXIT by loading `entry_rsp` into rsp and returning. The previous
 * `entry_rsp` is restored afterwards (a helper may re-enter the interpreter, which may enter
 * native code again). Copied into JIT memory like every stencil. */
uint64_t mochi_entry_shim(uint8_t *fp, Ctx *ctx, StencilFn entry) {
    ctx->native_entries++;
    uint8_t *outer = ctx->entry_rsp;
    uint8_t *outer_limit = ctx->rsp_limit;
    register uint8_t *r12_ __asm__("r12") = fp;
    register Ctx *r13_ __asm__("r13") = ctx;
    register uint8_t *r14_ __asm__("r14") = ctx->list_slots;
    register uint8_t *r15_ __asm__("r15") = ctx->record_slots;
    register uint64_t rax_ __asm__("rax") = (uint64_t)entry;
    /* `entry` is an entry stub: it loads the cached registers itself. */
    /* Step over the red zone, align, and keep the old rsp at the aligned slot the unwinding
     * `ret` lands on. */
    __asm__ volatile("mov %%rsp, %%rbx\n\t"
                     "lea -128(%%rsp), %%rsp\n\t"
                     "and $-16, %%rsp\n\t"
                     "push %%rbx\n\t"
                     "push %%rbx\n\t"
                     "mov %%rax, %%rbx\n\t"
                     "lea -8(%%rsp), %%rax\n\t"
                     "mov %%rax, %c[off](%%r13)\n\t"
                     /* rsp_limit = entry_rsp - 16 * (max_depth - depth) */
                     "mov %c[max](%%r13), %%rcx\n\t"
                     "sub %c[depth](%%r13), %%rcx\n\t"
                     "shl $4, %%rcx\n\t"
                     "sub %%rcx, %%rax\n\t"
                     "mov %%rax, %c[lim](%%r13)\n\t"
                     "call *%%rbx\n\t"
                     "mov (%%rsp), %%rsp"
                     : "+r"(r12_), "+r"(r13_), "+r"(r14_), "+r"(r15_), "+r"(rax_)
                     : [off] "i"(offsetof(Ctx, entry_rsp)), [lim] "i"(offsetof(Ctx, rsp_limit)),
                       [max] "i"(offsetof(Ctx, max_depth)), [depth] "i"(offsetof(Ctx, depth))
                     : "rbx", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11", "memory",
                       "cc", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7",
                       "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15");
    ctx->entry_rsp = outer;
    ctx->rsp_limit = outer_limit;
    /* The entered frame returned (on an exit it is still live). */
    if (rax_ == STATUS_RETURNED)
        ctx->depth--;
    return rax_;
}

/* The side exit of one instruction: record its pc, go on to the function's exit stub. */
STENCIL(exit_at) {
    ctx->exit_pc = U32(_PC);
    SIDE_EXIT();
}

/* The exit stub of a function: every side exit ends here, with ctx->exit_pc set. Spill the
 * cached registers so the interpreter finds the frame whole, then unwind to the entry shim:
 * the native frames in between hold nothing (their Mochi frames are whole in the VM stack,
 * spilled before each call), so dropping them is just resetting rsp. */
STENCIL(exit_stub) {
    SPILL_ALL();
    ctx->exit_fp = fp;
    /* The native frames still live above the entered one (16 bytes of machine stack each). */
    ctx->depth += (uint64_t)(ctx->entry_rsp - MACHINE_SP()) / 16;
    __asm__ volatile("mov %0, %%rsp\n\tret" ::"r"(ctx->entry_rsp), "a"((uint64_t)STATUS_EXIT)
                     : "memory");
    __builtin_unreachable();
}

/* Spill / reload one cached register (x_k <-> R[a]) around an op that has no variant for a
 * cached operand: spill before it when it reads the slot, reload after it when it writes.
 * An entry stub (pc 0, a loop header) is the reloads of the cached registers and a `jmp`. */
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
SPILL_RELOAD(4)
SPILL_RELOAD(5)

/* The same for a cached f64 slot (f_k <-> R[a]). */
#define SPILL_RELOAD_F(k)                                     \
    STENCIL(spill_f_##k) {                                     \
        F64(_A) = f##k;                                       \
        CONTINUE();                                           \
    }                                                         \
    STENCIL(reload_f_##k) {                                    \
        f##k = F64(_A);                                       \
        CONTINUE();                                           \
    }
SPILL_RELOAD_F(0)
SPILL_RELOAD_F(1)
SPILL_RELOAD_F(2)
SPILL_RELOAD_F(3)
SPILL_RELOAD_F(4)
SPILL_RELOAD_F(5)
SPILL_RELOAD_F(6)
SPILL_RELOAD_F(7)
