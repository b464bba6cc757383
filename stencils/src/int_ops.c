/* Int and bool arithmetic on the i64 bank. Checked: on overflow, a zero divisor or
 * INT64_MIN / -1 the stencil side-exits before writing anything, and the interpreter
 * re-executes the op and raises the error with its source position. */
#include "mochi.h"

/* R[a] := R[b] + R[c] */
STENCIL(add_i64) {
    int64_t r;
    if (__builtin_add_overflow(I64(_B), I64(_C), &r))
        SIDE_EXIT();
    I64(_A) = r;
    CONTINUE();
}

/* R[a] := R[b] - R[c] */
STENCIL(sub_i64) {
    int64_t r;
    if (__builtin_sub_overflow(I64(_B), I64(_C), &r))
        SIDE_EXIT();
    I64(_A) = r;
    CONTINUE();
}

/* R[a] := R[b] * R[c] */
STENCIL(mul_i64) {
    int64_t r;
    if (__builtin_mul_overflow(I64(_B), I64(_C), &r))
        SIDE_EXIT();
    I64(_A) = r;
    CONTINUE();
}

/* R[a] := R[b] / R[c]  truncated */
STENCIL(div_i64) {
    int64_t x = I64(_B), y = I64(_C);
    if (y == 0 || (x == INT64_MIN && y == -1))
        SIDE_EXIT();
    I64(_A) = x / y;
    CONTINUE();
}

/* R[a] := R[b] % R[c]  sign of the dividend; MIN % -1 = 0 (idiv would trap) */
STENCIL(mod_i64) {
    int64_t x = I64(_B), y = I64(_C);
    if (y == 0)
        SIDE_EXIT();
    I64(_A) = y == -1 ? 0 : x % y;
    CONTINUE();
}

/* R[a] := R[b] + c  (signed 32-bit immediate) */
STENCIL(add_i64_imm) {
    int64_t r;
    if (__builtin_add_overflow(I64(_B), S32(_C), &r))
        SIDE_EXIT();
    I64(_A) = r;
    CONTINUE();
}

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
