/* Register-cached variants of the hot i64 ops.
 *
 * A function may keep up to four i64 slots in registers x0..x3 (see mochi.h). For an op whose
 * i64 operands include cached slots, the emitter picks the variant named
 *     <stencil>__<loc of each i64 operand, in operand order>
 * where a location is `m` (the frame slot) or `0`..`3` (the cached register): `add_i64__0m1`
 * is R[a] := R[b] + R[c] with a in x0, b in its frame slot and c in x1. Each variant has the
 * semantics of its base op (one line in the op table); only where the operands live differs.
 * Ops without a variant for a cached operand are wrapped in spill / reload stencils instead. */
#include <stddef.h>

#include "mochi.h"

/* The location of an operand: its frame slot (hole h) or a cached register. */
#define LOC_m(h) I64(h)
#define LOC_0(h) x0
#define LOC_1(h) x1
#define LOC_2(h) x2
#define LOC_3(h) x3

/* Instantiate DEF for every location of one, two or three operands. */
#define EACH1(DEF, N, B) DEF(N, B, m) DEF(N, B, 0) DEF(N, B, 1) DEF(N, B, 2) DEF(N, B, 3)
#define EACH2(DEF, N, B) EACH2_(DEF, N, B, m) EACH2_(DEF, N, B, 0) EACH2_(DEF, N, B, 1) \
    EACH2_(DEF, N, B, 2) EACH2_(DEF, N, B, 3)
#define EACH2_(DEF, N, B, a) DEF(N, B, a, m) DEF(N, B, a, 0) DEF(N, B, a, 1) DEF(N, B, a, 2) \
    DEF(N, B, a, 3)
#define EACH3(DEF, N, B) EACH3_(DEF, N, B, m) EACH3_(DEF, N, B, 0) EACH3_(DEF, N, B, 1) \
    EACH3_(DEF, N, B, 2) EACH3_(DEF, N, B, 3)
#define EACH3_(DEF, N, B, a) EACH3__(DEF, N, B, a, m) EACH3__(DEF, N, B, a, 0) \
    EACH3__(DEF, N, B, a, 1) EACH3__(DEF, N, B, a, 2) EACH3__(DEF, N, B, a, 3)
#define EACH3__(DEF, N, B, a, b) DEF(N, B, a, b, m) DEF(N, B, a, b, 0) DEF(N, B, a, b, 1) \
    DEF(N, B, a, b, 2) DEF(N, B, a, b, 3)

/* Variants whose i64 operands are a (and b, c). */
#define DEF_A(N, B, a) \
    STENCIL(N##__##a) { B(LOC_##a(_A)) }
#define DEF_B(N, B, b) \
    STENCIL(N##__##b) { B(LOC_##b(_B)) }
#define DEF_AB(N, B, a, b) \
    STENCIL(N##__##a##b) { B(LOC_##a(_A), LOC_##b(_B)) }
#define DEF_ABC(N, B, a, b, c) \
    STENCIL(N##__##a##b##c) { B(LOC_##a(_A), LOC_##b(_B), LOC_##c(_C)) }

#define BRANCH_IF(cond) \
    do {                \
        if (cond)       \
            JUMP();     \
        CONTINUE();     \
    } while (0)

/* ---- three i64 operands: R[a] := R[b] op R[c], checked ---- */
#define ADD(A, B, C)                               \
    int64_t r;                                     \
    if (__builtin_add_overflow(B, C, &r))          \
        SIDE_EXIT();                               \
    A = r;                                         \
    CONTINUE();
#define SUB(A, B, C)                               \
    int64_t r;                                     \
    if (__builtin_sub_overflow(B, C, &r))          \
        SIDE_EXIT();                               \
    A = r;                                         \
    CONTINUE();
#define MUL(A, B, C)                               \
    int64_t r;                                     \
    if (__builtin_mul_overflow(B, C, &r))          \
        SIDE_EXIT();                               \
    A = r;                                         \
    CONTINUE();
EACH3(DEF_ABC, add_i64, ADD)
EACH3(DEF_ABC, sub_i64, SUB)
EACH3(DEF_ABC, mul_i64, MUL)

/* ---- two i64 operands ---- */
#define MOV(A, B) \
    A = B;        \
    CONTINUE();
#define ADD_IMM(A, B)                              \
    int64_t r;                                     \
    if (__builtin_add_overflow(B, S32(_C), &r))    \
        SIDE_EXIT();                               \
    A = r;                                         \
    CONTINUE();
#define INC_JLT(A, B)                              \
    int64_t r;                                     \
    if (__builtin_add_overflow(A, 1, &r))          \
        SIDE_EXIT();                               \
    A = r;                                         \
    BRANCH_IF(r < (B));
#define JLT(A, B) BRANCH_IF((A) < (B));
#define JLE(A, B) BRANCH_IF((A) <= (B));
#define JEQ(A, B) BRANCH_IF((A) == (B));
#define JNE(A, B) BRANCH_IF((A) != (B));
EACH2(DEF_AB, mov_i64, MOV)
EACH2(DEF_AB, add_i64_imm, ADD_IMM)
EACH2(DEF_AB, inc_jlt_i64, INC_JLT)
EACH2(DEF_AB, jlt_i64, JLT)
EACH2(DEF_AB, jle_i64, JLE)
EACH2(DEF_AB, jeq_i64, JEQ)
EACH2(DEF_AB, jne_i64, JNE)

/* ---- one i64 operand ---- */
#define CONST(A)             \
    A = (int64_t)U64(_K);    \
    CONTINUE();
#define JLT_IMM(A) BRANCH_IF((A) < S32(_B));
#define JLE_IMM(A) BRANCH_IF((A) <= S32(_B));
#define JGT_IMM(A) BRANCH_IF((A) > S32(_B));
#define JGE_IMM(A) BRANCH_IF((A) >= S32(_B));
#define JEQ_IMM(A) BRANCH_IF((A) == S32(_B));
#define JNE_IMM(A) BRANCH_IF((A) != S32(_B));
#define JMP_TRUE(A) BRANCH_IF((A) != 0);
#define JMP_FALSE(A) BRANCH_IF((A) == 0);
#define LOAD_GLOBAL(A) \
    A = G_I64(_B);     \
    CONTINUE();
#define STORE_GLOBAL(B) \
    G_I64(_A) = B;      \
    CONTINUE();
#define RET(A)                                      \
    const FrameHeader *h = (const FrameHeader *)fp; \
    if (h->caller != NULL)                          \
        *(int64_t *)(h->caller + h->dest) = A;      \
    ctx->depth--;                                   \
    return STATUS_RETURNED;
EACH1(DEF_A, const_i64, CONST)
EACH1(DEF_A, jlt_i64_imm, JLT_IMM)
EACH1(DEF_A, jle_i64_imm, JLE_IMM)
EACH1(DEF_A, jgt_i64_imm, JGT_IMM)
EACH1(DEF_A, jge_i64_imm, JGE_IMM)
EACH1(DEF_A, jeq_i64_imm, JEQ_IMM)
EACH1(DEF_A, jne_i64_imm, JNE_IMM)
EACH1(DEF_A, jmp_true, JMP_TRUE)
EACH1(DEF_A, jmp_false, JMP_FALSE)
EACH1(DEF_A, load_global_i64, LOAD_GLOBAL)
EACH1(DEF_B, store_global_i64, STORE_GLOBAL)
EACH1(DEF_A, ret_i64, RET)
