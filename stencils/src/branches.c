/* Control flow. JUMP() continues at the target instruction (hole _TARGET), CONTINUE() at the
 * next one. Immediates (S operands) are signed 32-bit values read through S32 (asm barrier). */
#include "mochi.h"
#include "regcache.h"

/* Equality and zero tests go through a flag-output asm (condition code CC, "e", "nz", ...):
 * knowing the operands equal (or the value zero) on one path, clang copied one register into
 * the other (or zeroed it) on that path, and the branch became `jne next; mov; jmp target`
 * instead of one `cmp` and one `jcc`. */
#define TEST_CC(CC, A)                                                              \
    ({                                                                              \
        _Bool cc_;                                                                  \
        __asm__("testq %1, %1" : "=@cc" CC(cc_) : "r"((int64_t)(A)));               \
        cc_;                                                                        \
    })
#define CMP_CC(CC, A, B)                                                            \
    ({                                                                              \
        _Bool cc_;                                                                  \
        __asm__("cmpq %2, %1" : "=@cc" CC(cc_) : "r"((int64_t)(A)), "r"((int64_t)(B))); \
        cc_;                                                                        \
    })

/* if R[a] then pc := b */
#define JMP_TRUE(A) BRANCH_IF(TEST_CC("nz", A));
OP_A(jmp_true, JMP_TRUE)

/* if not R[a] then pc := b */
#define JMP_FALSE(A) BRANCH_IF(TEST_CC("z", A));
OP_A(jmp_false, JMP_FALSE)

/* R[a] := R[a] + 1 (overflow: side exit); if R[a] < R[b] then pc := c  (for-loop step).
 * Unlikely: with A in a register clang increments it in place and restores it on overflow,
 * and without the hint that restore sat in the hot line behind a `jno` taken every time.
 * The restore stores the constant INT64_MAX (the only value that overflows) rather than the
 * old value, so the hot line keeps no copy of it: `inc; jo; cmp; jl`. */
#define INC_JLT(A, B)                               \
    int64_t r;                                      \
    _Bool o = __builtin_add_overflow(A, 1, &r);     \
    A = r;                                          \
    if (UNLIKELY(o)) {                              \
        A = INT64_MAX;                              \
        SIDE_EXIT();                                \
    }                                               \
    BRANCH_IF(r < (B));
OP_AB(inc_jlt_i64, INC_JLT)

/* if R[a] op R[b] then pc := c */
#define JLT(A, B) BRANCH_IF((A) < (B));
#define JLE(A, B) BRANCH_IF((A) <= (B));
#define JEQ(A, B) BRANCH_IF(CMP_CC("e", A, B));
#define JNE(A, B) BRANCH_IF(CMP_CC("ne", A, B));
OP_AB(jlt_i64, JLT)
OP_AB(jle_i64, JLE)
OP_AB(jeq_i64, JEQ)
OP_AB(jne_i64, JNE)

/* R[a] compared with the signed 32-bit immediate `_B` in one `cmpq $imm32, %reg` (the
 * R_X86_64_32S hole is the instruction's immediate; through `S32` clang first loaded it into
 * a register: `mov $imm32, %rax; cmp %reg, %rax`). */
#define CMP_IMM_CC(CC, A)                                                           \
    ({                                                                              \
        _Bool cc_;                                                                  \
        __asm__("cmpq $_B, %1" : "=@cc" CC(cc_) : "r"((int64_t)(A)));               \
        cc_;                                                                        \
    })

/* if R[a] op b then pc := c  (b: signed 32-bit immediate) */
#define JLT_IMM(A) BRANCH_IF(CMP_IMM_CC("l", A));
#define JLE_IMM(A) BRANCH_IF(CMP_IMM_CC("le", A));
#define JGT_IMM(A) BRANCH_IF(CMP_IMM_CC("g", A));
#define JGE_IMM(A) BRANCH_IF(CMP_IMM_CC("ge", A));
#define JEQ_IMM(A) BRANCH_IF(CMP_IMM_CC("e", A));
#define JNE_IMM(A) BRANCH_IF(CMP_IMM_CC("ne", A));
OP_A(jlt_i64_imm, JLT_IMM)
OP_A(jle_i64_imm, JLE_IMM)
OP_A(jgt_i64_imm, JGT_IMM)
OP_A(jge_i64_imm, JGE_IMM)
OP_A(jeq_i64_imm, JEQ_IMM)
OP_A(jne_i64_imm, JNE_IMM)

/* pc := a */
STENCIL(jmp) {
    JUMP();
}

/* if R[a] op R[b] then pc := c  (f64; an unordered comparison is false) */
#define JLTF(A, B) BRANCH_IF((A) < (B));
#define JLEF(A, B) BRANCH_IF((A) <= (B));
OP_AB_K(jlt_f64, JLTF, F, F)
OP_AB_K(jle_f64, JLEF, F, F)

/* if not (R[a] op R[b]) then pc := c  (f64; taken when unordered) */
#define JNLTF(A, B) BRANCH_IF(!((A) < (B)));
#define JNLEF(A, B) BRANCH_IF(!((A) <= (B)));
OP_AB_K(jnlt_f64, JNLTF, F, F)
OP_AB_K(jnle_f64, JNLEF, F, F)

/* == is false when unordered, != (NaN != x) true */
#define JEQF(A, B) BRANCH_IF((A) == (B));
#define JNEF(A, B) BRANCH_IF((A) != (B));
OP_AB_K(jeq_f64, JEQF, F, F)
OP_AB_K(jne_f64, JNEF, F, F)

/* ---- nil and type tests on cells (no register variants: the operand is a cell) ---- */

/* if R[a] is nil then pc := b */
STENCIL(jmp_nil) {
    BRANCH_IF(CELL(_A) == CELL_NIL);
}

/* if R[a] is not nil then pc := b */
STENCIL(jmp_not_nil) {
    BRANCH_IF(CELL(_A) != CELL_NIL);
}

/* if R[a] is not a record of type b then pc := c. Exactly the interpreter's test: a record
 * handle (any other cell, nil, a float, a string, ... is "not of type b") whose slot in the
 * record table (r15) has type_id b. The slot is read only for a record handle. The type id is
 * read through an asm barrier (it may be 0, which clang assumes a hole's address is not). */
STENCIL(jmp_not_type) {
    uint64_t v = CELL(_A);
    if (!IS_RECORD(v))
        JUMP();
    const RecordSlot *r = (const RecordSlot *)(records + (uint64_t)(uint32_t)v * sizeof(RecordSlot));
    BRANCH_IF(r->type_id != (uint32_t)OPAQUE_U32(_B));
}
