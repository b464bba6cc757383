/* Register-cached variants. A hot i64 op is defined once, as a body macro taking its i64
 * operands as lvalues; OP_A / OP_B / OP_AB / OP_ABC(name, BODY) then define both its stencil
 * (every operand in its frame slot, named as in the op table) and its variants.
 *
 * A function may keep up to four i64 slots in registers x0..x3 (see mochi.h). For an op whose
 * i64 operands include cached slots, the emitter picks the variant named
 *     <stencil>__<loc of each i64 operand, in operand order>
 * where a location is `m` (the frame slot) or `0`..`3` (the cached register): `add_i64__0m1`
 * is R[a] := R[b] + R[c] with a in x0, b in its frame slot and c in x1. Each variant has the
 * semantics of its base op (one line in the op table); only where the operands live differs.
 * Ops without a variant for a cached operand are wrapped in spill / reload stencils instead. */
#ifndef MOCHI_REGCACHE_H
#define MOCHI_REGCACHE_H

#include "mochi.h"

/* The location of an operand: its frame slot (hole h) or a cached register. */
#define LOC_m(h) I64(h)
#define LOC_0(h) x0
#define LOC_1(h) x1
#define LOC_2(h) x2
#define LOC_3(h) x3

/* Instantiate DEF for every placement of one, two or three operands with at least one in a
 * register (the all-frame placement is the base stencil). */
#define VARIANTS1(DEF, N, B) DEF(N, B, 0) DEF(N, B, 1) DEF(N, B, 2) DEF(N, B, 3)
#define VARIANTS2(DEF, N, B)                                                              \
    V2_REG(DEF, N, B, m) V2_ANY(DEF, N, B, 0) V2_ANY(DEF, N, B, 1) V2_ANY(DEF, N, B, 2) \
        V2_ANY(DEF, N, B, 3)
#define V2_REG(DEF, N, B, a) DEF(N, B, a, 0) DEF(N, B, a, 1) DEF(N, B, a, 2) DEF(N, B, a, 3)
#define V2_ANY(DEF, N, B, a) DEF(N, B, a, m) V2_REG(DEF, N, B, a)
#define VARIANTS3(DEF, N, B)                                                                 \
    V3_REG(DEF, N, B, m, m) V3_ANY(DEF, N, B, m, 0) V3_ANY(DEF, N, B, m, 1)                \
        V3_ANY(DEF, N, B, m, 2) V3_ANY(DEF, N, B, m, 3) V3_BC(DEF, N, B, 0) V3_BC(DEF, N, B, 1) \
            V3_BC(DEF, N, B, 2) V3_BC(DEF, N, B, 3)
#define V3_BC(DEF, N, B, a)                                                         \
    V3_ANY(DEF, N, B, a, m) V3_ANY(DEF, N, B, a, 0) V3_ANY(DEF, N, B, a, 1)       \
        V3_ANY(DEF, N, B, a, 2) V3_ANY(DEF, N, B, a, 3)
#define V3_REG(DEF, N, B, a, b) \
    DEF(N, B, a, b, 0) DEF(N, B, a, b, 1) DEF(N, B, a, b, 2) DEF(N, B, a, b, 3)
#define V3_ANY(DEF, N, B, a, b) DEF(N, B, a, b, m) V3_REG(DEF, N, B, a, b)

/* A stencil whose i64 operands are a (and b, c), at the given locations. */
#define DEF_A(N, B, a) \
    STENCIL(N##__##a) { B(LOC_##a(_A)) }
#define DEF_B(N, B, b) \
    STENCIL(N##__##b) { B(LOC_##b(_B)) }
#define DEF_C(N, B, c) \
    STENCIL(N##__##c) { B(LOC_##c(_C)) }
#define DEF_AC(N, B, a, c) \
    STENCIL(N##__##a##c) { B(LOC_##a(_A), LOC_##c(_C)) }
#define DEF_BC(N, B, b, c) \
    STENCIL(N##__##b##c) { B(LOC_##b(_B), LOC_##c(_C)) }
#define DEF_AB(N, B, a, b) \
    STENCIL(N##__##a##b) { B(LOC_##a(_A), LOC_##b(_B)) }
#define DEF_ABC(N, B, a, b, c) \
    STENCIL(N##__##a##b##c) { B(LOC_##a(_A), LOC_##b(_B), LOC_##c(_C)) }

/* The op's stencil and all its variants (named by which operands are i64: OP_AC for an op
 * whose i64 operands are a and c, ...). */
#define OP_A(N, B)              \
    STENCIL(N) { B(I64(_A)) } \
    VARIANTS1(DEF_A, N, B)
#define OP_B(N, B)              \
    STENCIL(N) { B(I64(_B)) } \
    VARIANTS1(DEF_B, N, B)
#define OP_C(N, B)              \
    STENCIL(N) { B(I64(_C)) } \
    VARIANTS1(DEF_C, N, B)
#define OP_AC(N, B)                        \
    STENCIL(N) { B(I64(_A), I64(_C)) } \
    VARIANTS2(DEF_AC, N, B)
#define OP_BC(N, B)                        \
    STENCIL(N) { B(I64(_B), I64(_C)) } \
    VARIANTS2(DEF_BC, N, B)
#define OP_AB(N, B)                        \
    STENCIL(N) { B(I64(_A), I64(_B)) } \
    VARIANTS2(DEF_AB, N, B)
#define OP_ABC(N, B)                                 \
    STENCIL(N) { B(I64(_A), I64(_B), I64(_C)) } \
    VARIANTS3(DEF_ABC, N, B)

#endif
