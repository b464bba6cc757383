/* Float arithmetic on the f64 bank. `/` and `%` side-exit on a zero divisor (the interpreter
 * raises the error); `%` is C fmod, called through the Rust helper `fmod`. */
#include "mochi.h"
#include "regcache.h"

/* Ops with register-cached variants (regcache.h): each body takes its f64 operands (and
 * i64 ones) as lvalues. */

/* R[a] := R[b] op R[c] */
#define ADDF(A, B, C) \
    A = (B) + (C);    \
    CONTINUE();
OP_ACC_K(add_f64, ADDF, F)

#define SUBF(A, B, C) \
    A = (B) - (C);    \
    CONTINUE();
OP_ACC_K(sub_f64, SUBF, F)

#define MULF(A, B, C) \
    A = (B) * (C);    \
    CONTINUE();
OP_ACC_K(mul_f64, MULF, F)

/* y is ±0 when its bits shifted left by one are 0: tested in a general register (the empty
 * asm keeps clang from turning it back into a float compare), one not-taken jump, where
 * `y == 0.0` is a ucomisd whose unordered case makes the hot path jump over the exit. */
#define DIVF(A, B, C)                            \
    double x = (B), y = (C);                     \
    uint64_t yb = f64_bits(y);                   \
    __asm__("" : "+r"(yb));                      \
    if (UNLIKELY((yb << 1) == 0))                \
        SIDE_EXIT();                             \
    A = x / y;                                   \
    CONTINUE();
OP_ACC_K(div_f64, DIVF, F)

/* R[a] := fmod(R[b], R[c]) (no variants) */
STENCIL(mod_f64) {
    double x = F64(_B), y = F64(_C);
    if (y == 0.0)
        SIDE_EXIT();
    F64(_A) = HELPER(double (*)(double, double), fmod)(x, y);
    CONTINUE();
}

/* R[a] := -R[b]  (xorps with a sign mask from the stencil's read-only data) */
#define NEGF(A, B) \
    A = -(B);      \
    CONTINUE();
OP_AB_K(neg_f64, NEGF, F, F)

/* R[a] := sqrt(R[b])  (one sqrtsd: correctly rounded, NaN below zero, no errno) */
#define SQRTF(A, B)                        \
    A = __builtin_elementwise_sqrt(B); \
    CONTINUE();
OP_AB_K(sqrt_f64, SQRTF, F, F)

/* R[a] := |R[b]|  (andpd with a mask from the stencil's read-only data) */
#define ABSF(A, B)           \
    A = __builtin_fabs(B); \
    CONTINUE();
OP_AB_K(abs_f64, ABSF, F, F)

/* R[a] := R[b] op R[c]  (bool result; false when unordered, except !=) */
STENCIL(eq_f64) {
    I64(_A) = F64(_B) == F64(_C);
    CONTINUE();
}

STENCIL(ne_f64) {
    I64(_A) = F64(_B) != F64(_C);
    CONTINUE();
}

STENCIL(lt_f64) {
    I64(_A) = F64(_B) < F64(_C);
    CONTINUE();
}

STENCIL(le_f64) {
    I64(_A) = F64(_B) <= F64(_C);
    CONTINUE();
}

/* R[a] := float(R[b]) */
#define I2F(A, B)        \
    A = (double)(B);     \
    CONTINUE();
OP_AB_K(i64_to_f64, I2F, F, I)

/* R[a] := trunc(R[b])  (toward zero; NaN or outside [-2^63, 2^63): side exit, and the
 * interpreter raises `integer overflow`). cvttsd2si gives INT64_MIN ("integer indefinite")
 * for NaN and out-of-range operands, so only that result needs a second look: it is valid
 * exactly when the operand is -2^63 itself (bits 0xC3E0000000000000). No float constants, so
 * no read-only data. Both operands have register variants. */
#define F64_TO_I64(A, B)                                                   \
    union {                                                                \
        double d;                                                          \
        uint64_t u;                                                        \
    } x_ = {.d = (B)};                                                     \
    int64_t r;                                                             \
    __asm__("cvttsd2siq %1, %0" : "=r"(r) : "x"(x_.d));                    \
    if (UNLIKELY(r == INT64_MIN)) {                                        \
        /* (its own store and continue: the cold tail, split off at build  \
         * time, does not jump back into the hot line) */                  \
        if (x_.u != 0xC3E0000000000000ull)                                 \
            SIDE_EXIT();                                                   \
        __asm__ volatile("");                                              \
        A = r;                                                             \
        CONTINUE();                                                        \
    }                                                                      \
    A = r;                                                                 \
    CONTINUE();
OP_AB_K(f64_to_i64, F64_TO_I64, I, F)
