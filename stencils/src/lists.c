/* Typed list access (the fast paths of list<int>, list<float>, lists of Cells). The list
 * operand is a handle Cell whose low 32 bits index the list slot table pinned in r14
 * (`lists`); the slot's element buffer may move, so it is loaded from the slot every time.
 * An index counts from the end when negative; out of range, the stencil side-exits before
 * changing anything and the interpreter re-executes the op and raises
 * `list index out of range: I (len N)` (vm::runtime::typed has the same semantics in Rust).
 *
 * The i64 operands (result, index, stored value) have register-cached variants. */
#include "mochi.h"
#include "regcache.h"

INLINE ListSlot *list_of(uint8_t *lists, uint64_t cell) {
    return (ListSlot *)(lists + (uint64_t)(uint32_t)cell * sizeof(ListSlot));
}

/* BODY (which uses `uint64_t j`, the element index of i in a list of n elements) and
 * continue, or a side exit when i is out of range. A negative i counts from the end: as
 * unsigned it is huge, so the hot path (0 <= i < n) is one unsigned compare, and the negative
 * case adds n out of line (i64::MIN and -n-1 stay out of range: i + n then is >= n, or wraps
 * past 2^64 - n). That case runs its own copy of BODY (an empty asm keeps clang from merging
 * the two), so the hot path keeps no copy of i to come back with and ends in the jump to the
 * next instruction. The stencil build moves that case, which follows the hot path's jump,
 * out of the hot line (a cold twin, `split_cold_tail`), so the hot path falls through. */
#define ELEM_AT(j, i, n, BODY)                      \
    uint64_t i_ = (uint64_t)(i), n_ = (n);          \
    if (!UNLIKELY(i_ >= n_)) {                      \
        uint64_t j = i_;                            \
        BODY;                                       \
        CONTINUE();                                 \
    }                                               \
    __asm__ volatile("");                           \
    if (i_ + n_ >= n_)                              \
        SIDE_EXIT();                                \
    uint64_t j = i_ + n_;                           \
    BODY;                                           \
    CONTINUE();

/* R[a] := len(R[b])  (nil: side exit, the interpreter raises the error; get and set need no
 * such check: nil indexes the reserved slot 0, whose length is 0, so every index is out of
 * range and they side-exit too) */
#define LIST_LEN(A)                           \
    if (UNLIKELY(CELL(_B) == CELL_NIL))         \
        SIDE_EXIT();                            \
    A = (int64_t)list_of(lists, CELL(_B))->len; \
    CONTINUE();
OP_A(list_len, LIST_LEN)

/* R[a] := R[b][R[c]]  (raw i64 words) */
#define LIST_GET_I64(A, C)                          \
    ListSlot *s = list_of(lists, CELL(_B));         \
    ELEM_AT(j, C, s->len, A = (int64_t)s->data[j])
OP_AC(list_get_i64, LIST_GET_I64)

/* R[a] := R[b][R[c]]  (f64 bits / Cells: the word is copied as is) */
#define LIST_GET_WORD(C)                            \
    ListSlot *s = list_of(lists, CELL(_B));         \
    ELEM_AT(j, C, s->len, CELL(_A) = s->data[j])
OP_C(list_get_cell, LIST_GET_WORD)

/* R[a] := R[b][R[c]]  (list<float>: a is an f64 operand) */
#define LIST_GET_F64(A, C)                          \
    ListSlot *s = list_of(lists, CELL(_B));         \
    ELEM_AT(j, C, s->len, A = bits_f64(s->data[j]))
OP_AC_K(list_get_f64, LIST_GET_F64, F, I)

/* R[a][R[b]] := R[c]  (raw i64 words) */
#define LIST_SET_I64(B, C)                          \
    ListSlot *s = list_of(lists, CELL(_A));         \
    ELEM_AT(j, B, s->len, s->data[j] = (uint64_t)(C))
OP_BC(list_set_i64, LIST_SET_I64)

/* R[a][R[b]] := R[c]  (f64 bits / Cells) */
#define LIST_SET_WORD(B)                            \
    ListSlot *s = list_of(lists, CELL(_A));         \
    ELEM_AT(j, B, s->len, s->data[j] = CELL(_C))
OP_B(list_set_cell, LIST_SET_WORD)

/* R[a][R[b]] := R[c]  (list<float>: c is an f64 operand) */
#define LIST_SET_F64(B, C)                          \
    ListSlot *s = list_of(lists, CELL(_A));         \
    ELEM_AT(j, B, s->len, s->data[j] = f64_bits(C))
OP_BC_K(list_set_f64, LIST_SET_F64, I, F)

/* R[a].push(R[b])  (the word as is: its meaning is the list's element type). The common case
 * inline: the list has room and ends where its buffer's used part ends (arenas'
 * `extend_in_place`: a store and two length bumps; cap > 0 means the buffer exists, and nil's
 * reserved slot 0 has cap 0). Anything else calls the op's routine (`_H`:
 * vm::runtime::helpers::list_push, which grows or copies the buffer, may collect garbage and
 * raises the nil error) the way the generic helper stencil does (helpers.c); like the
 * interpreter's fast path, the inline case is no GC safepoint. R[b] may be a word of any bank
 * and is read from its slot, so the forms for cached registers spill them first (on both
 * paths: the helper may read any slot) and reload them after the call only. */
#define LIST_PUSH_WITH(NAME, SPILL_IN, SPILL_CALL, RELOAD)                               \
    STENCIL(NAME) {                                                                       \
        SPILL_IN;                                                                         \
        ListSlot *s = list_of(lists, CELL(_A));                                           \
        uint64_t n = s->len;                                                              \
        uint64_t *d = s->data;                                                            \
        if (LIKELY(n < s->cap)) {                                                         \
            BufHeader *h = (BufHeader *)((uint8_t *)d - sizeof(BufHeader));               \
            if (LIKELY(h->used == n)) {                                                   \
                d[n] = CELL(_B);                                                          \
                h->used = n + 1;                                                          \
                s->len = n + 1;                                                           \
                CONTINUE();                                                               \
            }                                                                             \
        }                                                                                 \
        SPILL_CALL;                                                                       \
        CALL_ROUTINE(RELOAD)                                                              \
    }
#define LIST_PUSH(NAME, SPILL, RELOAD) LIST_PUSH_WITH(NAME, SPILL, (void)0, RELOAD)
/* The forms of helpers.c: registers not cached are dead across the call. In a function that
 * caches f64 slots the emitter has spilled them before the piece (and reloads them after
 * it); the `_f` forms reload them from the frame after the call too, so that a failing
 * routine's side exit spills real values. (The helper stencil's `_f` forms keep f0..f7 alive
 * across the call instead, on the machine stack: here that stack frame would be set up on
 * the inline path as well, and the slow path, jumping back to tear it down, could not be
 * moved out of line.) */
#define LZ(k) x##k = 0
CACHE_FORM0_W(LIST_PUSH, NO_F_RELOAD, list_push, LZ)
CACHE_FORMS_W(LIST_PUSH, F_RELOAD, list_push_f, LZ)
/* The keeping forms (`list_push_k_cN`, functions that cache i64 registers and no f64 slot; see
 * maps.c's `map_get_k`): the inline path leaves the cached registers alone, the emitter spills
 * the pushed word's register before the piece, and only the routine's path spills and reloads
 * them all. A fill loop `xs = append(xs, i)` spilled every cached register on every push. */
#define LIST_PUSH_K(NAME, SPILL, RELOAD) LIST_PUSH_WITH(NAME, (void)0, SPILL, RELOAD)
CACHE_FORMS_CN_W(LIST_PUSH_K, NO_F_RELOAD, list_push_k, LZ)

/* R[a] := R[b] as list type c: a list handle is copied (arenas' `unbox_word` accepts any list
 * handle for a list type); anything else, nil included, goes to the op's routine
 * (vm::runtime::helpers::unbox_word), which raises `cannot cast`. Both operands are cells,
 * which no register caches, so the cached registers are spilled only around that call. */
#define UNBOX_LIST(NAME, SPILL, RELOAD)      \
    STENCIL(NAME) {                          \
        uint64_t v = CELL(_B);               \
        if (LIKELY(IS_HANDLE_OF(v, ARENA_LIST))) { \
            CELL(_A) = v;                    \
            CONTINUE();                      \
        }                                    \
        SPILL;                               \
        CALL_ROUTINE(RELOAD)                 \
    }
ROUTINE_FORMS(UNBOX_LIST, unbox_list, LZ)

/* List views (compiler::lower::views): a loop that cannot change a list's buffer or length
 * reads them once, into three words (the elements' address, the length, the list), and its
 * accesses compare the index with the length word and load or store through the address
 * word: no handle, no slot. Out of range (and nil, whose view has length 0), they side-exit
 * like the plain ops; the interpreter runs them on the list in the third word and raises the
 * error. */
#define VIEW_DATA(h) (*(uint64_t **)(fp + U32(h)))
#define VIEW_LEN(h) (*(uint64_t *)(fp + U32(h) + 8))

/* R[a] := address of R[b]'s elements, R[a+1] := its length, R[a+2] := R[b] (nil indexes the
 * reserved slot 0: 0, 0) */
STENCIL(list_view) {
    uint64_t l = CELL(_B);
    ListSlot *s = list_of(lists, l);
    VIEW_DATA(_A) = s->data;
    VIEW_LEN(_A) = s->len;
    *(uint64_t *)(fp + U32(_A) + 16) = l;
    CONTINUE();
}

/* R[a] := R[b+2][R[c]] through the view R[b] */
#define LIST_GET_I64_V(A, C)                 \
    uint64_t *d_ = VIEW_DATA(_B);             \
    ELEM_AT(j, C, VIEW_LEN(_B), A = (int64_t)d_[j])
OP_AC(list_get_i64_v, LIST_GET_I64_V)
#define LIST_GET_WORD_V(C)                   \
    uint64_t *d_ = VIEW_DATA(_B);             \
    ELEM_AT(j, C, VIEW_LEN(_B), CELL(_A) = d_[j])
OP_C(list_get_cell_v, LIST_GET_WORD_V)
#define LIST_GET_F64_V(A, C)                 \
    uint64_t *d_ = VIEW_DATA(_B);             \
    ELEM_AT(j, C, VIEW_LEN(_B), A = bits_f64(d_[j]))
OP_AC_K(list_get_f64_v, LIST_GET_F64_V, F, I)

/* R[a+2][R[b]] := R[c] through the view R[a] */
#define LIST_SET_I64_V(B, C)                 \
    uint64_t *d_ = VIEW_DATA(_A);             \
    ELEM_AT(j, B, VIEW_LEN(_A), d_[j] = (uint64_t)(C))
OP_BC(list_set_i64_v, LIST_SET_I64_V)
#define LIST_SET_WORD_V(B)                   \
    uint64_t *d_ = VIEW_DATA(_A);             \
    ELEM_AT(j, B, VIEW_LEN(_A), d_[j] = CELL(_C))
OP_B(list_set_cell_v, LIST_SET_WORD_V)
#define LIST_SET_F64_V(B, C)                 \
    uint64_t *d_ = VIEW_DATA(_A);             \
    ELEM_AT(j, B, VIEW_LEN(_A), d_[j] = f64_bits(C))
OP_BC_K(list_set_f64_v, LIST_SET_F64_V, I, F)

/* R[a] := R[a] + 1 after R[b].elems[R[a]] := R[c], skipping the next instruction (the slow
 * case, ListPushVGrow: the jump target is the instruction after it), when R[a] < cap(R[b]);
 * else on to the slow case. A push through an append view (compiler::lower::append_views):
 * the length lives in R[a], which a loop keeps in a register, so consecutive pushes carry no
 * read-modify-write of memory; the buffer (reserved for the view) and the capacity are loaded
 * from the slot, which the loop never writes. A closed view's length is NO_VIEW, above any
 * capacity (nil's reserved slot has capacity 0). */
#define LIST_PUSH_V(A, WORD)                         \
    ListSlot *s = list_of(lists, CELL(_B));          \
    uint64_t n_ = (uint64_t)(A);                     \
    if (LIKELY(n_ < s->cap)) {                       \
        s->data[n_] = WORD;                          \
        A = (int64_t)(n_ + 1);                       \
        JUMP();                                      \
    }                                                \
    CONTINUE();
#define LIST_PUSH_V_I64(A, C) LIST_PUSH_V(A, (uint64_t)(C))
OP_AC(list_push_v_i64, LIST_PUSH_V_I64)
#define LIST_PUSH_V_F64(A, C) LIST_PUSH_V(A, f64_bits(C))
OP_AC_K(list_push_v_f64, LIST_PUSH_V_F64, I, F)

/* Fill the list slot i just popped off the free list as an empty list over the buffer d of
 * capacity cap (none: 0, 0) with element type elem, its `gen` kept; returns its handle. */
INLINE uint64_t fill_list_slot(uint8_t *lists, uint64_t i, uint64_t *d, uint64_t cap,
                               uint32_t elem) {
    ListSlot *s = list_of(lists, i);
    s->data = d;
    s->len = 0;
    s->cap = cap;
    s->elem = elem;
    s->flags = FLAG_LIVE;
    return HANDLE(ARENA_LIST, s->gen, i);
}

/* R[a] := new empty list of element type b with capacity c. A list of capacity 0 has no
 * buffer (arenas' `new_list`: data NULL, len 0, cap 0), so it is made inline: a slot popped
 * off the list table's free list, counted as arenas' `push_list_slot` counts it (the table's
 * live slots, the heap's allocation counters), below the collector's bound (strings.c's
 * concatenation does the same). Anything else (a capacity, an empty free list, a collection
 * due) calls the op's routine (vm::runtime::helpers::new_list). */
#define NEW_LIST(NAME, SPILL, RELOAD)                                                    \
    STENCIL(NAME) {                                                                      \
        GcCounters *g = ctx->gc;                                                         \
        SlotFree *fl = ctx->list_free;                                                   \
        if (LIKELY(OPAQUE_U32(_C) == 0 && can_alloc_slot(g, fl))) {                        \
            uint64_t i = alloc_slot(g, fl, sizeof(ListSlot));                            \
            CELL(_A) = fill_list_slot(lists, i, 0, 0, (uint32_t)U32(_B));                \
            CONTINUE();                                                                  \
        }                                                                                \
        SPILL;                                                                           \
        CALL_ROUTINE(RELOAD)                                                             \
    }
ROUTINE_FORMS(NEW_LIST, new_list, LZ)

/* R[a] := new empty list of element type b with capacity c, 1 <= c <= SMALL_CAPS (the verifier
 * checks it): made inline, like new_list's empty list, when a dead buffer of capacity c is
 * kept for reuse (arenas' `SmallBufs::take`: used 0, refs 1 once the slot holds it), counted
 * as arenas' `new_list` counts the slot and the buffer. Else the op's routine. */
#define NEW_LIST_SMALL(NAME, SPILL, RELOAD)                                              \
    STENCIL(NAME) {                                                                      \
        GcCounters *g = ctx->gc;                                                         \
        SlotFree *fl = ctx->list_free;                                                   \
        BufFree *bf = &ctx->list_bufs[U32(_C) - 1];                                      \
        if (LIKELY(can_alloc_slot(g, fl) && bf->len != 0)) {                             \
            uint64_t *d = bf->bufs[--bf->len];                                           \
            BufHeader *h = (BufHeader *)d - 1;                                           \
            h->used = 0;                                                                 \
            h->refs = 1;                                                                 \
            uint64_t i = alloc_slot(g, fl, sizeof(ListSlot) + sizeof(BufHeader) + 8 * U32(_C)); \
            CELL(_A) = fill_list_slot(lists, i, d, U32(_C), (uint32_t)U32(_B));          \
            CONTINUE();                                                                  \
        }                                                                                \
        SPILL;                                                                           \
        CALL_ROUTINE(RELOAD)                                                             \
    }
ROUTINE_FORMS(NEW_LIST_SMALL, new_list_small, LZ)
