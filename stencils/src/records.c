/* Record fields (structs, union variants) and string length. A record operand is a handle
 * Cell whose low 32 bits index the record slot table pinned in r15 (`records`); the field
 * index is the op's immediate (c for Get, b for Set). Static types guarantee the field
 * exists; the only other value a record-typed slot can hold is nil (a zero value), for
 * which the stencil side-exits and the interpreter raises the error (vm::runtime::typed). */
#include "mochi.h"
#include "regcache.h"

INLINE RecordSlot *record_of(uint8_t *records, uint64_t cell) {
    return (RecordSlot *)(records + (uint64_t)(uint32_t)cell * sizeof(RecordSlot));
}

/* R[a] := R[b].fields[c] */
#define GET_FIELD_I64(A)                                   \
    if (UNLIKELY(CELL(_B) == CELL_NIL))                    \
        SIDE_EXIT();                                       \
    A = (int64_t)record_of(records, CELL(_B))->fields[U32(_C)]; \
    CONTINUE();
OP_A(get_field_i64, GET_FIELD_I64)

#define GET_FIELD_F64(A)                                         \
    if (UNLIKELY(CELL(_B) == CELL_NIL))                          \
        SIDE_EXIT();                                             \
    A = bits_f64(record_of(records, CELL(_B))->fields[U32(_C)]); \
    CONTINUE();
OP_A_K(get_field_f64, GET_FIELD_F64, F)

STENCIL(get_field_cell) {
    if (UNLIKELY(CELL(_B) == CELL_NIL))
        SIDE_EXIT();
    CELL(_A) = record_of(records, CELL(_B))->fields[U32(_C)];
    CONTINUE();
}

/* R[a].fields[b] := R[c] */
#define SET_FIELD_I64(C)                                   \
    if (UNLIKELY(CELL(_A) == CELL_NIL))                    \
        SIDE_EXIT();                                       \
    record_of(records, CELL(_A))->fields[U32(_B)] = (uint64_t)(C); \
    CONTINUE();
OP_C(set_field_i64, SET_FIELD_I64)

#define SET_FIELD_F64(C)                                         \
    if (UNLIKELY(CELL(_A) == CELL_NIL))                          \
        SIDE_EXIT();                                             \
    record_of(records, CELL(_A))->fields[U32(_B)] = f64_bits(C); \
    CONTINUE();
OP_C_K(set_field_f64, SET_FIELD_F64, F)

STENCIL(set_field_cell) {
    if (UNLIKELY(CELL(_A) == CELL_NIL))
        SIDE_EXIT();
    record_of(records, CELL(_A))->fields[U32(_B)] = CELL(_C);
    CONTINUE();
}

/* R[a] := len(R[b])  (runes; the string slot table's base is loaded from the context) */
#define STR_LEN(A)                                                                  \
    if (UNLIKELY(CELL(_B) == CELL_NIL))                                             \
        SIDE_EXIT();                                                                \
    A = (int64_t)((StrSlot *)(ctx->str_slots +                                      \
                              (uint64_t)(uint32_t)CELL(_B) * sizeof(StrSlot)))->runes; \
    CONTINUE();
OP_A(str_len, STR_LEN)
