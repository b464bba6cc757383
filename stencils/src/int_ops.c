/* Int and bool arithmetic on the i64 bank. Checked: on overflow, a zero divisor or
 * INT64_MIN / -1 the stencil side-exits before writing anything, and the interpreter
 * re-executes the op and raises the error with its source position. */
#include "mochi.h"
#include "regcache.h"

/* Ops with register-cached variants (regcache.h): each body takes its i64 operands as lvalues. */

/* R[a] := R[b] + R[c] */
#define ADD(A, B, C)                      \
    int64_t r;                            \
    if (__builtin_add_overflow(B, C, &r)) \
        SIDE_EXIT();                      \
    A = r;                                \
    CONTINUE();
/* in place: R[a] op= R[c], R[a] clobbered on overflow (regcache.h: DEF_XACC) */
#define XADD(A, C)                        \
    if (UNLIKELY(__builtin_add_overflow(A, C, &(A)))) \
        SIDE_EXIT();                       \
    CONTINUE();
/* in place, undone on overflow: R[a] += R[c] (a copy of R[c] first: c may be a's register) */
#define UADD(A, C)                                              \
    int64_t c_ = (C);                                           \
    if (UNLIKELY(__builtin_add_overflow(A, c_, &(A)))) {        \
        A = (int64_t)((uint64_t)(A) - (uint64_t)c_);            \
        SIDE_EXIT();                                            \
    }                                                           \
    CONTINUE();
OP_ACCUX_K(add_i64, ADD, UADD, XADD, I)

/* R[a] := R[b] - R[c] */
#define SUB(A, B, C)                      \
    int64_t r;                            \
    if (__builtin_sub_overflow(B, C, &r)) \
        SIDE_EXIT();                      \
    A = r;                                \
    CONTINUE();
/* in place: R[a] op= R[c], R[a] clobbered on overflow (regcache.h: DEF_XACC) */
#define XSUB(A, C)                        \
    if (UNLIKELY(__builtin_sub_overflow(A, C, &(A)))) \
        SIDE_EXIT();                       \
    CONTINUE();
/* in place, undone on overflow: R[a] -= R[c] */
#define USUB(A, C)                                              \
    int64_t c_ = (C);                                           \
    if (UNLIKELY(__builtin_sub_overflow(A, c_, &(A)))) {        \
        A = (int64_t)((uint64_t)(A) + (uint64_t)c_);            \
        SIDE_EXIT();                                            \
    }                                                           \
    CONTINUE();
OP_ACCUX_K(sub_i64, SUB, USUB, XSUB, I)

/* R[a] := R[b] * R[c] */
#define MUL(A, B, C)                      \
    int64_t r;                            \
    if (__builtin_mul_overflow(B, C, &r)) \
        SIDE_EXIT();                      \
    A = r;                                \
    CONTINUE();
/* in place: R[a] op= R[c], R[a] clobbered on overflow (regcache.h: DEF_XACC) */
#define XMUL(A, C)                        \
    if (UNLIKELY(__builtin_mul_overflow(A, C, &(A)))) \
        SIDE_EXIT();                       \
    CONTINUE();
OP_ACCX_K(mul_i64, MUL, XMUL, I)

/* R[a] := R[b] + c  (signed 32-bit immediate). With R[a] in a register: in place, `add $c,
 * R[a]` with the immediate as the hole, undone on overflow (a cold twin): when a is b the side
 * exit finds R[b] as it was; otherwise it finds R[a] := R[b], which the interpreter's
 * re-execution overwrites. */
#define ADD_IMM(A, B)                                             \
    A = B;                                                        \
    int of_;                                                      \
    __asm__("addq $_C, %0" : "+r"(A), "=@cco"(of_));              \
    if (UNLIKELY(of_)) {                                          \
        A = (int64_t)((uint64_t)(A) - (uint64_t)S32(_C));         \
        SIDE_EXIT();                                              \
    }                                                             \
    CONTINUE();
/* With R[a] in its frame slot: computed in a scratch register and stored when it fits (no
 * undo, no cold twin to copy). */
#define ADD_IMM_STORE(A, B)                         \
    int64_t r;                                      \
    if (__builtin_add_overflow(B, S32(_C), &r))     \
        SIDE_EXIT();                                \
    A = r;                                          \
    CONTINUE();
STENCIL(add_i64_imm) { ADD_IMM_STORE(I64(_A), I64(_B)) }
REGS2_I(DEF_AB, add_i64_imm, ADD_IMM_STORE, I, I, m)
VARIANTS2_REG1(DEF_AB, add_i64_imm, ADD_IMM, I, I)

/* R[a] := R[b] * c  (signed 32-bit immediate: the hole is the immediate of a three-operand
 * `imulq $imm32, %src, %dst`, which clang would otherwise load into a register first) */
#define MUL_IMM(A, B)                                                       \
    int64_t r;                                                              \
    _Bool o;                                                                \
    __asm__("imulq $_C, %2, %0" : "=r"(r), "=@cco"(o) : "r"((int64_t)(B))); \
    if (UNLIKELY(o))                                                        \
        SIDE_EXIT();                                                        \
    A = r;                                                                  \
    CONTINUE();
OP_AB(mul_i64_imm, MUL_IMM)

/* Both operands in 0..2^32 (the common case): the quotient is the double division's,
 * truncated, which is exact for 0 <= x < 2^53 and y >= 1 (x and y convert exactly; when x/y
 * is not an integer its distance to the next one is at least 1/y, more than the division's
 * rounding error of at most (x/y) 2^-53), and divsd has about 1.5x the throughput of the
 * 32-bit divider (prime_count 1.33x; LuaJIT divides in doubles too). Written out so that this
 * path is the hot line and the 64-bit division is the cold tail that the build step moves out
 * of it (clang's own bypass of a slow division makes the 32-bit path the taken branch). */
#define FITS_U32(x, y) LIKELY((((uint64_t)(x) | (uint64_t)(y)) >> 32) == 0)

/* The 64-bit idiv as such (clang would bypass it with a 32-bit test of its own whose path
 * jumps back into the hot line). x / y or x % y: y is neither 0 nor -1 with x = INT64_MIN.
 * The empty asm after the 64-bit path's store keeps clang from merging that store with the
 * hot path's, which would make the tail jump back into the hot line. */
INLINE int64_t idiv64(int64_t x, int64_t y, int64_t *rem) {
    int64_t q, r;
    __asm__("cqto\n\tidivq %3" : "=a"(q), "=&d"(r) : "a"(x), "r"(y) : "cc");
    *rem = r;
    return q;
}

/* (double)x, with the register zeroed first: cvtsi2sd writes only the low half, so without
 * it each conversion waits for the last value of its register (a loop-carried chain through
 * the previous division). */
INLINE double to_f64(int64_t x) {
    double d;
    __asm__("xorps %0, %0\n\tcvtsi2sdq %1, %0" : "=&x"(d) : "r"(x));
    return d;
}

/* A := x % y (y != 0) and continue: REM32 when both fit, else idiv; -1 gives 0, as idiv
 * would trap on INT64_MIN % -1 */
#define REM_WITH(A, x, y, REM32)                  \
    if (FITS_U32(x, y)) {                         \
        A = REM32(x, y);                          \
        CONTINUE();                               \
    }                                             \
    int64_t r_ = 0;                               \
    if (y != -1)                                  \
        idiv64(x, y, &r_);                        \
    A = r_;                                       \
    __asm__ volatile("");                         \
    CONTINUE();
/* x - y * (x / y) in doubles (see FITS_U32), or the 32-bit divider (in the rare path of
 * `mod_i64_imm`, which a dividend that fits seldom takes: it keeps that tail small). */
#define REM32_F64(x, y) ((x) - (int64_t)(to_f64(x) / to_f64(y)) * (y))
#define REM32_DIV(x, y) ((int64_t)((uint32_t)(x) % (uint32_t)(y)))
#define REM(A, x, y) REM_WITH(A, x, y, REM32_F64)

/* The high 64 bits of a * b. */
INLINE uint64_t mulhi64(uint64_t a, uint64_t b) {
    return (uint64_t)(((unsigned __int128)a * b) >> 64);
}

/* x >> _MOD_SHIFT, the count an 8-bit immediate hole (R_X86_64_8). */
INLINE uint64_t shr_mod_shift(uint64_t x) {
    __asm__("shrq $_MOD_SHIFT, %0" : "+r"(x) : : "cc");
    return x;
}

/* R[a] := R[b] % c  (signed 32-bit immediate, never 0: the lowering emits it only for a
 * nonzero constant). A dividend in 0.._MOD_LIMIT (2^63 for |c| >= 3) is divided by |c|
 * with a multiplication and a shift, whose latency is about half the divider's (x % c = x % |c| for
 * x >= 0); anything else takes the divider. */
#define MOD_IMM(A, B)                                                               \
    int64_t x = (B);                                                                \
    if (LIKELY((uint64_t)x < U64(_MOD_LIMIT))) {                                    \
        uint64_t q_ = shr_mod_shift(mulhi64((uint64_t)x, U64(_MOD_MAGIC)));          \
        A = x - (int64_t)(q_ * U64(_MOD_DIVISOR));                                  \
        CONTINUE();                                                                 \
    }                                                                               \
    int64_t y = S32(_C);                                                            \
    REM_WITH(A, x, y, REM32_DIV)
OP_AB(mod_i64_imm, MOD_IMM)

/* 2^c - 1 for a negative x, else 0 (1 <= c <= 62, the mask a derived hole): biased by it, a
 * negative dividend's arithmetic shift rounds toward zero */
#define POW2_BIAS(x) ((int64_t)((x) >> 63) & (int64_t)U64(_POW2_MASK))

/* x >> c, the count an 8-bit immediate hole (R_X86_64_8): no `cl`, which is x3's rcx. */
INLINE int64_t sar_c(int64_t x) {
    __asm__("sarq $_C, %0" : "+r"(x) : : "cc");
    return x;
}

/* R[a] := R[b] / 2^c  truncated (1 <= c <= 62) */
#define DIV_POW2(A, B)                           \
    int64_t x = B;                               \
    A = sar_c(x + POW2_BIAS(x));                 \
    CONTINUE();
OP_AB(div_i64_pow2, DIV_POW2)

/* R[a] := R[b] % 2^c  sign of the dividend (1 <= c <= 62) */
#define MOD_POW2(A, B)                                                   \
    int64_t x = B, bias = POW2_BIAS(x);                                  \
    A = ((x + bias) & (int64_t)U64(_POW2_MASK)) - bias;                  \
    CONTINUE();
OP_AB(mod_i64_pow2, MOD_POW2)

/* R[a] := |R[b]|  (INT64_MIN: overflow, side exit) */
#define ABS(A, B)          \
    int64_t x = B;         \
    if (x == INT64_MIN)    \
        SIDE_EXIT();       \
    A = x < 0 ? -x : x;    \
    CONTINUE();
OP_AB(abs_i64, ABS)

/* R[a] := R[b] / R[c]  truncated; a zero divisor and MIN / -1 side-exit before R[a] is
 * written */
#define DIV(A, B, C)                              \
    int64_t x = (B), y = (C);                     \
    if (UNLIKELY(y == 0 || (x == INT64_MIN && y == -1))) \
        SIDE_EXIT();                              \
    if (FITS_U32(x, y)) {                         \
        A = (int64_t)(to_f64(x) / to_f64(y));     \
        CONTINUE();                               \
    }                                             \
    int64_t r_;                                   \
    A = idiv64(x, y, &r_);                        \
    __asm__ volatile("");                         \
    CONTINUE();
OP_ACC_K(div_i64, DIV, I)

/* R[a] := R[b] % R[c]  sign of the dividend; MIN % -1 = 0 (idiv would trap) */
#define MOD(A, B, C)          \
    int64_t x = (B), y = (C); \
    if (UNLIKELY(y == 0))     \
        SIDE_EXIT();          \
    REM(A, x, y)
OP_ACC_K(mod_i64, MOD, I)

/* The other int ops (no variants: the emitter spills and reloads around them). */

/* R[a] := -R[b] */
STENCIL(neg_i64) {
    int64_t x = I64(_B);
    if (x == INT64_MIN)
        SIDE_EXIT();
    I64(_A) = -x;
    CONTINUE();
}

/* R[a] := R[b] op R[c]  (bool 0/1) */
STENCIL(eq_i64) {
    I64(_A) = I64(_B) == I64(_C);
    CONTINUE();
}

STENCIL(ne_i64) {
    I64(_A) = I64(_B) != I64(_C);
    CONTINUE();
}

STENCIL(lt_i64) {
    I64(_A) = I64(_B) < I64(_C);
    CONTINUE();
}

STENCIL(le_i64) {
    I64(_A) = I64(_B) <= I64(_C);
    CONTINUE();
}

/* R[a] := !R[b] */
STENCIL(not) {
    I64(_A) = I64(_B) == 0;
    CONTINUE();
}

/* R[a] := K[c] if R[b] != 0, else R[a]: a select (a test and a conditional move), with every
 * placement of a and b. */
#define SEL_K(A, B)                            \
    {                                          \
        int64_t k_ = (int64_t)U64(_K);         \
        A = (B) != 0 ? k_ : (A);               \
        CONTINUE();                            \
    }
OP_AB(sel_i64_k, SEL_K)

/* R[a] := K[c+1] if R[b] op K[c], else R[a]: a select on a comparison with a constant (int,
 * or float: false for NaN), with every placement of a and b. */
#define SEL_CMP(A, B, T, FROM, CMP)                             \
    {                                                           \
        T x_ = (B), t_ = FROM(U64(_K));                         \
        int64_t k_ = (int64_t)U64(_K2);                         \
        A = x_ CMP t_ ? k_ : (A);                               \
        CONTINUE();                                             \
    }
#define AS_I64(w) ((int64_t)(w))
#define SEL_LT_I(A, B) SEL_CMP(A, B, int64_t, AS_I64, <)
#define SEL_LE_I(A, B) SEL_CMP(A, B, int64_t, AS_I64, <=)
#define SEL_GT_I(A, B) SEL_CMP(A, B, int64_t, AS_I64, >)
#define SEL_GE_I(A, B) SEL_CMP(A, B, int64_t, AS_I64, >=)
#define SEL_LT_F(A, B) SEL_CMP(A, B, double, bits_f64, <)
#define SEL_LE_F(A, B) SEL_CMP(A, B, double, bits_f64, <=)
#define SEL_GT_F(A, B) SEL_CMP(A, B, double, bits_f64, >)
#define SEL_GE_F(A, B) SEL_CMP(A, B, double, bits_f64, >=)
OP_AB(sel_lt_i64_k, SEL_LT_I)
OP_AB(sel_le_i64_k, SEL_LE_I)
OP_AB(sel_gt_i64_k, SEL_GT_I)
OP_AB(sel_ge_i64_k, SEL_GE_I)
OP_AB_K(sel_lt_f64_k, SEL_LT_F, I, F)
OP_AB_K(sel_le_f64_k, SEL_LE_F, I, F)
OP_AB_K(sel_gt_f64_k, SEL_GT_F, I, F)
OP_AB_K(sel_ge_f64_k, SEL_GE_F, I, F)
