/* The generic helper stencil: every `helper` op of the op table (vm/src/ops.rs) runs in
 * native code through this one stencil, which calls the op's Rust routine
 * (`vm::ops::HelperFn`: `uint64_t f(ctx, fp, a, b, c)`) through a 64-bit address hole `_H`,
 * with the instruction's raw operand values `_OA`, `_OB`, `_OC` (word indices from fp and
 * immediates, exactly what the interpreter passes). The routine returns 0 when done; nonzero
 * means it failed without changing anything (its message is pending in the runtime), and the
 * stencil side-exits so that the interpreter re-executes the op and raises the error.
 *
 * Like the interpreter, the stencil records the current frame and pc in the context before
 * the call (`exit_fp`, `exit_pc`): a routine that allocates may collect garbage and walks the
 * frames from there.
 *
 * A routine may read or write any slot of the frame, so a function that caches N registers
 * uses `helper_cN`: spill every cached register before the call, reload every one after it
 * (on both paths: the exit stub then spills the same values again). Registers the function
 * does not cache are redefined after the call so that clang never saves them around it. The
 * pinned registers (r12-r15) are callee-saved in the SysV ABI the routine uses. */
#include "mochi.h"

#define HELPER_CALL(NAME, SPILL, RELOAD) \
    STENCIL(NAME) {                     \
        SPILL;                          \
        CALL_ROUTINE(RELOAD)            \
    }

/* Registers the function does not cache are redefined after the call (so clang never saves
 * them around it); f0..f7 too when it caches no f64 slot. */
#define HZ(k) x##k = 0
/* A function that caches no f64 slot: f0..f7 are dead across the call. */
CACHE_FORMS_W(HELPER_CALL, NO_F_RELOAD, helper, HZ)
/* A function that caches f64 slots: the emitter spills them before (spill_f pieces) and
 * reloads them after (the routine may write one); f0..f7 stay live across the call (clang
 * keeps them on the machine stack), so that a failing routine's side exit finds them whole. */
CACHE_FORMS(HELPER_CALL, helper_f, HZ)
