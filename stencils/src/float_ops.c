/* Float arithmetic on the f64 bank. `/` and `%` side-exit on a zero divisor (the interpreter
 * raises the error); `%` is C fmod, called through the Rust helper `fmod`. */
#include "mochi.h"
#include "regcache.h"

/* R[a] := R[b] op R[c] */
STENCIL(add_f64) {
    F64(_A) = F64(_B) + F64(_C);
    CONTINUE();
}

STENCIL(sub_f64) {
    F64(_A) = F64(_B) - F64(_C);
    CONTINUE();
}

STENCIL(mul_f64) {
    F64(_A) = F64(_B) * F64(_C);
    CONTINUE();
}

STENCIL(div_f64) {
    double x = F64(_B), y = F64(_C);
    if (y == 0.0)
        SIDE_EXIT();
    F64(_A) = x / y;
    CONTINUE();
}

/* R[a] := fmod(R[b], R[c]) */
STENCIL(mod_f64) {
    double x = F64(_B), y = F64(_C);
    if (y == 0.0)
        SIDE_EXIT();
    F64(_A) = HELPER(double (*)(double, double), fmod)(x, y);
    CONTINUE();
}

/* R[a] := -R[b]  (xorps with a sign mask from the stencil's read-only data) */
STENCIL(neg_f64) {
    F64(_A) = -F64(_B);
    CONTINUE();
}

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
STENCIL(i64_to_f64) {
    F64(_A) = (double)I64(_B);
    CONTINUE();
}

/* R[a] := trunc(R[b])  (toward zero; NaN or outside [-2^63, 2^63): side exit, and the
 * interpreter raises `integer overflow`). cvttsd2si gives INT64_MIN ("integer indefinite")
 * for NaN and out-of-range operands, so only that result needs a second look: it is valid
 * exactly when the operand is -2^63 itself (bits 0xC3E0000000000000). No float constants, so
 * no read-only data. The result is an i64 operand: register variants. */
#define F64_TO_I64(A)                                                      \
    union {                                                                \
        double d;                                                          \
        uint64_t u;                                                        \
    } x_ = {.d = F64(_B)};                                                 \
    int64_t r;                                                             \
    __asm__("cvttsd2siq %1, %0" : "=r"(r) : "x"(x_.d));                    \
    if (UNLIKELY(r == INT64_MIN) && x_.u != 0xC3E0000000000000ull)         \
        SIDE_EXIT();                                                       \
    A = r;                                                                 \
    CONTINUE();
OP_A(f64_to_i64, F64_TO_I64)
