/* print: each argument is appended by a Rust helper (SysV ABI; it preserves r12-r15, so the
 * pinned registers survive the call), then the helper op print_end
 * (vm::runtime::helpers) writes the line through the generic helper stencil. */
#include "mochi.h"

STENCIL(print_i64) {
    HELPER(void (*)(Ctx *, int64_t), print_i64)(ctx, I64(_A));
    CONTINUE();
}

STENCIL(print_f64) {
    HELPER(void (*)(Ctx *, double), print_f64)(ctx, F64(_A));
    CONTINUE();
}

STENCIL(print_bool) {
    HELPER(void (*)(Ctx *, int64_t), print_bool)(ctx, I64(_A));
    CONTINUE();
}

STENCIL(print_str) {
    HELPER(void (*)(Ctx *, uint64_t), print_str)(ctx, CELL(_A));
    CONTINUE();
}
