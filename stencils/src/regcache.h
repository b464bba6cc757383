/* Register-cached variants. A hot op is defined once, as a body macro taking its cacheable
 * operands (i64 and f64) as lvalues; the OP_* macros below define from it both its stencil
 * (every operand in its frame slot, named as in the op table) and its variants.
 *
 * A function may keep up to six i64 slots in registers x0..x5 and up to eight f64 slots in
 * f0..f7 (see mochi.h). For an op whose cacheable operands include cached slots, the emitter
 * picks the variant named
 *     <stencil>__<loc of each cacheable operand, in operand order>
 * where a location is `m` (the frame slot) or a register of the operand's bank, `0`..`5`
 * (x0..x5) or `0`..`7` (f0..f7):
 * `list_get_f64__1m` is R[a] := R[b][R[c]] with a in f1 and c in its frame slot. Each
 * variant has the semantics of its base op (one line in the op table); only where the
 * operands live differs. Ops without a variant for a cached operand are wrapped in spill /
 * reload stencils instead.
 *
 * How many variants: an op with one or two cacheable operands has one per placement with a
 * register (6 or 48 for i64 operands: 7 * 7 placements minus the all-frame one, which is the
 * op's stencil). An op with three (the
 * binary arithmetic ops: R[a] := R[b] op R[c]) would have 342 for i64; instead it has the 42
 * accumulator forms `<stencil>__<a><c>`, R[a] := R[a] op R[c] with a in a register, and the
 * 48 forms `<stencil>__m<b><c>` with R[a] in its frame slot. For R[a] in a register the emitter
 * makes R[a] := R[b] op R[c] out of a move R[a] := R[b] (a variant of the bank's move op) and
 * an accumulator form, or uses the accumulator form alone when a is b (or a is c and op
 * commutes). The ops that check overflow also have the 36 clobbering forms `__x<a><c>` (see
 * DEF_XACC) for the move + accumulator pair. So no op has more than 3(k+1)^2 variants for k
 * registers, whatever its operand count. */
#ifndef MOCHI_REGCACHE_H
#define MOCHI_REGCACHE_H

#include "mochi.h"

/* The location of an operand of bank I (i64) or F (f64): its frame slot (hole h) or a
 * cached register. */
#define L_I_m(h) I64(h)
#define L_I_0(h) x0
#define L_I_1(h) x1
#define L_I_2(h) x2
#define L_I_3(h) x3
#define L_I_4(h) x4
#define L_I_5(h) x5
#define L_F_m(h) F64(h)
#define L_F_0(h) f0
#define L_F_1(h) f1
#define L_F_2(h) f2
#define L_F_3(h) f3
#define L_F_4(h) f4
#define L_F_5(h) f5
#define L_F_6(h) f6
#define L_F_7(h) f7

/* Every register of bank K as the last argument of M (x0..x5 for I, f0..f7 for F); the
 * REGS2_ copies serve nested loops (a macro does not expand inside itself). */
#define REGS_I(M, ...) \
    M(__VA_ARGS__, 0) M(__VA_ARGS__, 1) M(__VA_ARGS__, 2) M(__VA_ARGS__, 3) M(__VA_ARGS__, 4) M(__VA_ARGS__, 5)
#define REGS_F(M, ...) \
    M(__VA_ARGS__, 0) M(__VA_ARGS__, 1) M(__VA_ARGS__, 2) M(__VA_ARGS__, 3) M(__VA_ARGS__, 4) M(__VA_ARGS__, 5) M(__VA_ARGS__, 6) M(__VA_ARGS__, 7)
#define REGS2_I(M, ...) \
    M(__VA_ARGS__, 0) M(__VA_ARGS__, 1) M(__VA_ARGS__, 2) M(__VA_ARGS__, 3) M(__VA_ARGS__, 4) M(__VA_ARGS__, 5)
#define REGS2_F(M, ...) \
    M(__VA_ARGS__, 0) M(__VA_ARGS__, 1) M(__VA_ARGS__, 2) M(__VA_ARGS__, 3) M(__VA_ARGS__, 4) M(__VA_ARGS__, 5) M(__VA_ARGS__, 6) M(__VA_ARGS__, 7)

/* Instantiate DEF for every placement of one or two operands with at least one in a
 * register (the all-frame placement is the base stencil). */
#define VARIANTS1(DEF, N, B, K) REGS_##K(DEF, N, B, K)
#define V2_ANY(DEF, N, B, K1, K2, a) DEF(N, B, K1, K2, a, m) REGS2_##K2(DEF, N, B, K1, K2, a)
#define VARIANTS2(DEF, N, B, K1, K2) \
    REGS2_##K2(DEF, N, B, K1, K2, m) REGS_##K1(V2_ANY, DEF, N, B, K1, K2)
/* ... with the first operand in a register. */
#define VARIANTS2_REG1(DEF, N, B, K1, K2) REGS_##K1(V2_ANY, DEF, N, B, K1, K2)

/* A stencil whose cacheable operands are a (and b, c), at the given locations. */
#define DEF_A(N, B, K, a) \
    STENCIL(N##__##a) { B(L_##K##_##a(_A)) }
#define DEF_B(N, B, K, b) \
    STENCIL(N##__##b) { B(L_##K##_##b(_B)) }
#define DEF_C(N, B, K, c) \
    STENCIL(N##__##c) { B(L_##K##_##c(_C)) }
#define DEF_AC(N, B, K1, K2, a, c) \
    STENCIL(N##__##a##c) { B(L_##K1##_##a(_A), L_##K2##_##c(_C)) }
#define DEF_BC(N, B, K1, K2, b, c) \
    STENCIL(N##__##b##c) { B(L_##K1##_##b(_B), L_##K2##_##c(_C)) }
#define DEF_AB(N, B, K1, K2, a, b) \
    STENCIL(N##__##a##b) { B(L_##K1##_##a(_A), L_##K2##_##b(_B)) }
/* The accumulator form R[a] := R[a] op R[c] (all three operands of bank K). */
#define DEF_ACC(N, B, K, K_, a, c) \
    STENCIL(N##__##a##c) { B(L_##K##_##a(_A), L_##K##_##a(_A), L_##K##_##c(_C)) }
/* The clobbering accumulator form: R[a] := R[a] op R[c], which may leave R[a] changed on a
 * side exit (the body XB computes in place); the emitter uses it only right after a move
 * R[a] := R[b] with a neither b nor c, where R[a]'s old value is dead and the interpreter,
 * re-executing R[a] := R[b] op R[c], reads only b and c. */
#define DEF_XACC(N, B, K, a, c) \
    STENCIL(N##__x##a##c) { B(L_##K##_##a(_A), L_##K##_##c(_C)) }
/* For a in register a: every location of c but a's own register (R[a] := R[b] op R[a] cannot
 * start with the move). i64 registers only. */
#define XC_0(M, ...) M(__VA_ARGS__, m) M(__VA_ARGS__, 1) M(__VA_ARGS__, 2) M(__VA_ARGS__, 3) M(__VA_ARGS__, 4) M(__VA_ARGS__, 5)
#define XC_1(M, ...) M(__VA_ARGS__, m) M(__VA_ARGS__, 0) M(__VA_ARGS__, 2) M(__VA_ARGS__, 3) M(__VA_ARGS__, 4) M(__VA_ARGS__, 5)
#define XC_2(M, ...) M(__VA_ARGS__, m) M(__VA_ARGS__, 0) M(__VA_ARGS__, 1) M(__VA_ARGS__, 3) M(__VA_ARGS__, 4) M(__VA_ARGS__, 5)
#define XC_3(M, ...) M(__VA_ARGS__, m) M(__VA_ARGS__, 0) M(__VA_ARGS__, 1) M(__VA_ARGS__, 2) M(__VA_ARGS__, 4) M(__VA_ARGS__, 5)
#define XC_4(M, ...) M(__VA_ARGS__, m) M(__VA_ARGS__, 0) M(__VA_ARGS__, 1) M(__VA_ARGS__, 2) M(__VA_ARGS__, 3) M(__VA_ARGS__, 5)
#define XC_5(M, ...) M(__VA_ARGS__, m) M(__VA_ARGS__, 0) M(__VA_ARGS__, 1) M(__VA_ARGS__, 2) M(__VA_ARGS__, 3) M(__VA_ARGS__, 4)
#define XA(N, B, K, a) XC_##a(DEF_XACC, N, B, K, a)
/* The three-address form with R[a] in its frame slot. */
#define DEF_MEMDEST(N, B, K, K_, b, c) \
    STENCIL(N##__m##b##c) { B(L_##K##_m(_A), L_##K##_##b(_B), L_##K##_##c(_C)) }

/* The op's stencil and all its variants, by which operands are cacheable and their banks
 * (OP_AC_K(n, body, F, I): a is f64, c is i64). OP_A .. OP_BC: all i64. */
#define OP_A_K(N, B, K)              \
    STENCIL(N) { B(L_##K##_m(_A)) } \
    VARIANTS1(DEF_A, N, B, K)
#define OP_B_K(N, B, K)              \
    STENCIL(N) { B(L_##K##_m(_B)) } \
    VARIANTS1(DEF_B, N, B, K)
#define OP_C_K(N, B, K)              \
    STENCIL(N) { B(L_##K##_m(_C)) } \
    VARIANTS1(DEF_C, N, B, K)
#define OP_AC_K(N, B, K1, K2)                              \
    STENCIL(N) { B(L_##K1##_m(_A), L_##K2##_m(_C)) } \
    VARIANTS2(DEF_AC, N, B, K1, K2)
#define OP_BC_K(N, B, K1, K2)                              \
    STENCIL(N) { B(L_##K1##_m(_B), L_##K2##_m(_C)) } \
    VARIANTS2(DEF_BC, N, B, K1, K2)
#define OP_AB_K(N, B, K1, K2)                              \
    STENCIL(N) { B(L_##K1##_m(_A), L_##K2##_m(_B)) } \
    VARIANTS2(DEF_AB, N, B, K1, K2)
/* R[a] := R[b] op R[c]: the three-address stencil, the accumulator forms (a in a
 * register) and the forms with R[a] in its frame slot. */
#define OP_ACC_K(N, B, K)                                              \
    STENCIL(N) { B(L_##K##_m(_A), L_##K##_m(_B), L_##K##_m(_C)) } \
    VARIANTS2_REG1(DEF_ACC, N, B, K, K)                                \
    VARIANTS2(DEF_MEMDEST, N, B, K, K)

/* R[a] := R[b] op R[c] whose accumulator forms compute in place and undo on overflow (body
 * UB(A, C): R[a] op= R[c], and R[a] restored before the side exit), for add and sub: no
 * copy of R[a] kept on the hot path. */
#define DEF_UACC(N, UB, K, K_, a, c) \
    STENCIL(N##__##a##c) { UB(L_##K##_##a(_A), L_##K##_##c(_C)) }
#define OP_ACCU_K(N, B, UB, K)                                         \
    STENCIL(N) { B(L_##K##_m(_A), L_##K##_m(_B), L_##K##_m(_C)) } \
    VARIANTS2_REG1(DEF_UACC, N, UB, K, K)                              \
    VARIANTS2(DEF_MEMDEST, N, B, K, K)
#define OP_ACCUX_K(N, B, UB, XB, K) \
    OP_ACCU_K(N, B, UB, K)          \
    REGS_I(XA, N, XB, K)

/* ... and the clobbering accumulator forms (body XB(A, C)), for ops that check overflow. */
#define OP_ACCX_K(N, B, XB, K) \
    OP_ACC_K(N, B, K)          \
    REGS_I(XA, N, XB, K)

#define OP_A(N, B) OP_A_K(N, B, I)
#define OP_B(N, B) OP_B_K(N, B, I)
#define OP_C(N, B) OP_C_K(N, B, I)
#define OP_AC(N, B) OP_AC_K(N, B, I, I)
#define OP_BC(N, B) OP_BC_K(N, B, I, I)
#define OP_AB(N, B) OP_AB_K(N, B, I, I)

#endif
