/* Control flow. JUMP() continues at the target instruction (hole _TARGET), CONTINUE() at the
 * next one. Immediates (S operands) are signed 32-bit values read through S32 (asm barrier). */
#include "mochi.h"

#define BRANCH_IF(cond)                                       \
    do {                                                      \
        if (cond) {                                           \
            JUMP();                                           \
        }                                                     \
        CONTINUE();                                           \
    } while (0)

/* pc := a */
STENCIL(jmp) {
    JUMP();
}

/* if R[a] then pc := b */
STENCIL(jmp_true) {
    BRANCH_IF(I64(_A) != 0);
}

/* if not R[a] then pc := b */
STENCIL(jmp_false) {
    BRANCH_IF(I64(_A) == 0);
}

/* R[a] := R[a] + 1 (overflow: side exit); if R[a] < R[b] then pc := c  (for-loop step) */
STENCIL(inc_jlt_i64) {
    int64_t r;
    if (__builtin_add_overflow(I64(_A), 1, &r))
        SIDE_EXIT();
    I64(_A) = r;
    BRANCH_IF(r < I64(_B));
}

/* if R[a] op R[b] then pc := c */
STENCIL(jlt_i64) {
    BRANCH_IF(I64(_A) < I64(_B));
}

STENCIL(jle_i64) {
    BRANCH_IF(I64(_A) <= I64(_B));
}

STENCIL(jeq_i64) {
    BRANCH_IF(I64(_A) == I64(_B));
}

STENCIL(jne_i64) {
    BRANCH_IF(I64(_A) != I64(_B));
}

/* if R[a] op b then pc := c  (b: signed 32-bit immediate) */
STENCIL(jlt_i64_imm) {
    BRANCH_IF(I64(_A) < S32(_B));
}

STENCIL(jle_i64_imm) {
    BRANCH_IF(I64(_A) <= S32(_B));
}

STENCIL(jgt_i64_imm) {
    BRANCH_IF(I64(_A) > S32(_B));
}

STENCIL(jge_i64_imm) {
    BRANCH_IF(I64(_A) >= S32(_B));
}

STENCIL(jeq_i64_imm) {
    BRANCH_IF(I64(_A) == S32(_B));
}

STENCIL(jne_i64_imm) {
    BRANCH_IF(I64(_A) != S32(_B));
}

/* if R[a] op R[b] then pc := c  (f64; an unordered comparison is false) */
STENCIL(jlt_f64) {
    BRANCH_IF(F64(_A) < F64(_B));
}

STENCIL(jle_f64) {
    BRANCH_IF(F64(_A) <= F64(_B));
}

/* if not (R[a] op R[b]) then pc := c  (f64; taken when unordered) */
STENCIL(jnlt_f64) {
    BRANCH_IF(!(F64(_A) < F64(_B)));
}

STENCIL(jnle_f64) {
    BRANCH_IF(!(F64(_A) <= F64(_B)));
}

STENCIL(jeq_f64) {
    BRANCH_IF(F64(_A) == F64(_B));
}

/* taken when unordered (NaN != x) */
STENCIL(jne_f64) {
    BRANCH_IF(F64(_A) != F64(_B));
}
