/* Moves, constants, globals and cell initialisation. */
#include "mochi.h"
#include "regcache.h"

/* R[a] := R[b]  (i64) */
#define MOV(A, B) \
    A = B;        \
    CONTINUE();
OP_AB(mov_i64, MOV)

/* R[a] := K[b]  (i64 constant; the hole _K holds the constant's 64 bits) */
#define CONST(A)          \
    A = (int64_t)U64(_K); \
    CONTINUE();
OP_A(const_i64, CONST)

/* R[a] := G[b]  (i64) */
#define LOAD_GLOBAL(A) \
    A = G_I64(_B);     \
    CONTINUE();
OP_A(load_global_i64, LOAD_GLOBAL)

/* G[a] := R[b]  (i64) */
#define STORE_GLOBAL(B) \
    G_I64(_A) = B;      \
    CONTINUE();
OP_B(store_global_i64, STORE_GLOBAL)

/* R[a] := R[b]  (f64; SSE moves keep every bit, NaN payloads included) */
#define MOVF(A, B) \
    A = B;         \
    CONTINUE();
OP_AB_K(mov_f64, MOVF, F, F)

/* R[a] := R[b]  (cell) */
STENCIL(mov_cell) {
    CELL(_A) = CELL(_B);
    CONTINUE();
}

/* R[a] := K[b]  (f64 constant: the hole _K holds its bits) */
#define CONSTF(A)             \
    A = bits_f64(U64(_K));    \
    CONTINUE();
OP_A_K(const_f64, CONSTF, F)

/* R[a] := K[b]  (cell constant) */
STENCIL(const_cell) {
    CELL(_A) = U64(_K);
    CONTINUE();
}

/* R[a] := G[b]  (f64) */
#define LOAD_GLOBALF(A) \
    A = G_F64(_B);      \
    CONTINUE();
OP_A_K(load_global_f64, LOAD_GLOBALF, F)

STENCIL(load_global_cell) {
    CELL(_A) = G_CELL(_B);
    CONTINUE();
}

/* G[a] := R[b]  (f64) */
#define STORE_GLOBALF(B) \
    G_F64(_A) = B;       \
    CONTINUE();
OP_B_K(store_global_f64, STORE_GLOBALF, F)

STENCIL(store_global_cell) {
    G_CELL(_A) = CELL(_B);
    CONTINUE();
}

/* R[a .. a+b] := nil. The count goes through an asm barrier (a hole's address is assumed
 * non-null, so `i < U32(_B)` would let clang run the loop at least once even for b = 0), and
 * the loop is kept a plain loop (no memset call, no vector constant). */
STENCIL(init_cells) {
    uint64_t *p = (uint64_t *)(fp + U32(_A));
    uint64_t n = OPAQUE_U32(_B);
#pragma clang loop vectorize(disable) interleave(disable) unroll(disable)
    for (uint64_t i = 0; i < n; i++)
        p[i] = CELL_NIL;
    CONTINUE();
}
