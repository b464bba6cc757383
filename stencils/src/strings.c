/* String concatenation: the common case of `s + t` inline, the rest through the op's routine.
 * Strings share growable byte buffers (arenas/src/heap/strings.rs): when s ends exactly where
 * its buffer's used bytes end and the buffer has room for t, the result is a new string slot
 * over the same buffer, t's bytes appended in place (strings are immutable: no string covers
 * bytes past `used`), so `acc = acc + x` in a loop is amortised O(1). Inline, for t of 1 to
 * MAX_INLINE_BYTES bytes: append, pop a slot off the string table's free list, count it the
 * way arenas' `push_str_slot` does (the buffer's refs, the table's live slots, the heap's
 * allocation counters) and make its handle. It allocates only below the collector's bound
 * (`allocated_since < collect_at`, which is 0 in stress mode and once out of memory), like
 * an allocating routine that finds no collection due at its safepoint. Everything else (not
 * two strings, nil included; an empty operand; no room; an empty free list; a collection
 * due) calls the routine (`_H`: vm::runtime::helpers::concat_str). The operands are cells,
 * which no register caches; the cached registers are spilled first and reloaded after either
 * path (clang then has x0..x5 to work with on the inline path instead of saving the pinned
 * registers on the machine stack). */
#include "mochi.h"
#include "regcache.h"

/* The longest t appended inline (a byte loop). */
#define MAX_INLINE_BYTES 16

INLINE StrSlot *str_of(Ctx *ctx, uint64_t index) {
    return (StrSlot *)(ctx->str_slots + index * sizeof(StrSlot));
}

/* Whether string `s` (over buffer `h`) ends where the buffer's used bytes end and the buffer
 * has room for `lb` more: then bytes appended there belong to no other string. */
INLINE int can_extend(const StrSlot *s, const BufHeader *h, uint64_t lb) {
    return LIKELY(s->ptr + s->len == (const uint8_t *)(h + 1) + h->used) &&
           LIKELY(h->used + lb <= h->cap);
}

/* Copy the `n` bytes at `src` to `dst` (a byte loop: `n` is at most MAX_INLINE_BYTES, and a
 * call to memcpy would be a relocation the extractor rejects; the empty asm keeps clang from
 * turning the loop into that call). */
INLINE void copy_bytes(uint8_t *dst, const uint8_t *src, uint64_t n) {
    for (uint64_t k = 0; k < n; k++) {
        __asm__("" ::: "memory");
        dst[k] = src[k];
    }
}

/* Append the `lb` bytes at `src` to buffer `h`'s used bytes. */
INLINE void append_bytes(BufHeader *h, const uint8_t *src, uint64_t lb) {
    copy_bytes((uint8_t *)(h + 1) + h->used, src, lb);
    h->used += lb;
}

/* R[a] := R[b] ++ R[c] */
#define CONCAT_STR(NAME, SPILL, RELOAD)                                                  \
    STENCIL(NAME) {                                                                      \
        SPILL;                                                                           \
        uint64_t a_ = CELL(_B), b_ = CELL(_C);                                           \
        if (LIKELY(IS_HANDLE_OF(a_, ARENA_STR) && IS_HANDLE_OF(b_, ARENA_STR))) {        \
            StrSlot *sa = str_of(ctx, (uint32_t)a_), *sb = str_of(ctx, (uint32_t)b_);    \
            uint64_t la = sa->len, lb = sb->len;                                         \
            BufHeader *h = (BufHeader *)sa->buf;                                         \
            GcCounters *g = ctx->gc;                                                     \
            SlotFree *fl = ctx->str_free;                                                \
            if (LIKELY(lb - 1 < MAX_INLINE_BYTES && la != 0 && h != 0) &&                \
                can_extend(sa, h, lb) && LIKELY(can_alloc_slot(g, fl))) {                 \
                append_bytes(h, sb->ptr, lb);                                            \
                h->refs += 1;                                                            \
                uint64_t i = alloc_slot(g, fl, sizeof(StrSlot));                         \
                StrSlot *s = str_of(ctx, i);                                             \
                s->ptr = sa->ptr;                                                        \
                s->len = la + lb;                                                        \
                s->runes = sa->runes + sb->runes;                                        \
                s->buf = h;                                                              \
                s->flags = FLAG_LIVE;                                                    \
                s->pad_ = 0;                                                             \
                CELL(_A) = HANDLE(ARENA_STR, s->gen, i);                                        \
                RELOAD;                                                                  \
                CONTINUE();                                                              \
            }                                                                            \
        }                                                                                \
        CALL_ROUTINE_OPAQUE_FP(RELOAD)                                                   \
    }
/* A register the function does not cache holds nothing of value (no instruction). */
#define LZ(k) ({ __asm__("" : "=r"(x##k)); })
ROUTINE_FORMS(CONCAT_STR, concat_str, LZ)

/* An append view's word (arenas' view_word; compiler::lower::append_views): where the string's
 * next byte goes, with the room left after it in the top 16 bits. A loop keeps it in a
 * register; an append that fits writes its bytes there and adds n - (n << 48): nothing is
 * read to find the string's end or its buffer's. A closed view's word is 0: no room. */
#define VIEW_ADDR(v) ((uint8_t *)((v) & ((1ull << 48) - 1)))
#define VIEW_ROOM(v) ((v) >> 48)
#define VIEW_ADVANCE(v, n) ((v) + (n) - ((n) << 48))

/* R[a] := R[a] + n - (n << 48), n = len(R[c]), after R[c]'s bytes are written where R[a]
 * points, skipping the next instruction (the slow case, AppendStrVGrow: the jump target is
 * the instruction after it), when R[c] is a string of 1 to MAX_INLINE_BYTES bytes that fits
 * in R[a]'s room; else on to the slow case. */
#define APPEND_STR_V(A)                                                                 \
    uint64_t b_ = CELL(_C);                                                             \
    if (LIKELY(IS_HANDLE_OF(b_, ARENA_STR))) {                                          \
        StrSlot *sb = str_of(ctx, (uint32_t)b_);                                        \
        uint64_t lb = sb->len, v_ = (uint64_t)(A);                                      \
        if (LIKELY(lb - 1 < MAX_INLINE_BYTES && lb <= VIEW_ROOM(v_))) {                 \
            A = (int64_t)VIEW_ADVANCE(v_, lb);                                          \
            copy_bytes(VIEW_ADDR(v_), sb->ptr, lb);                                     \
            JUMP();                                                                     \
        }                                                                               \
    }                                                                                   \
    CONTINUE();
OP_A(append_str_v, APPEND_STR_V)

/* R[a] := R[a] + n - (n << 48), n = K[c] >> 56, after the literal packed in K[c] (its 1 to 7
 * bytes from the low byte, its length in the top byte) is written where R[a] points, skipping
 * the slow case after it (AppendStrVLitGrow), when it fits in R[a]'s room: an append view's
 * append of a short string literal, with no slot to read. Inline when 8 bytes fit: one store
 * of the whole word (the bytes past the literal are junk past the string's end, in the part of
 * the buffer the view reserved); near the buffer's end, a byte loop. */
#define APPEND_STR_V_LIT(A)                                                   \
    uint64_t v_ = (uint64_t)(A), k_ = U64(_K), lb = k_ >> 56;                 \
    uint8_t *at = VIEW_ADDR(v_);                                              \
    if (LIKELY(VIEW_ROOM(v_) >= 8)) {                                         \
        __builtin_memcpy(at, &k_, 8);                                         \
        A = (int64_t)VIEW_ADVANCE(v_, lb);                                    \
        JUMP();                                                               \
    }                                                                         \
    if (lb <= VIEW_ROOM(v_)) {                                                \
        A = (int64_t)VIEW_ADVANCE(v_, lb);                                    \
        for (uint8_t *p = at; p != at + lb; p++) {                            \
            __asm__("" ::: "memory");                                         \
            *p = (uint8_t)k_;                                                 \
            k_ >>= 8;                                                         \
        }                                                                     \
        JUMP();                                                               \
    }                                                                         \
    CONTINUE();
OP_A(append_str_v_lit, APPEND_STR_V_LIT)

/* R[a] := R[a] ++ R[b], in place: an owned string local's `s = s + t` (Op::AppendStr). The
 * inline case is arenas' `str_append_fast`: R[a]'s slot is its local's own (FLAG_UNIQUE, set
 * only by the routine, vm::runtime::helpers::append_str, on a slot it made), it ends where its
 * buffer's used bytes end and the buffer has room for t (1 to MAX_INLINE_BYTES bytes here):
 * append the bytes and grow the slot over them. No slot is allocated, so this is no GC
 * safepoint. Everything else calls the routine, which makes a new FLAG_UNIQUE slot. */
#define APPEND_STR(NAME, SPILL, RELOAD)                                                  \
    STENCIL(NAME) {                                                                      \
        SPILL;                                                                           \
        uint64_t a_ = CELL(_A), b_ = CELL(_B);                                           \
        if (LIKELY(IS_HANDLE_OF(a_, ARENA_STR) && IS_HANDLE_OF(b_, ARENA_STR))) {        \
            StrSlot *sa = str_of(ctx, (uint32_t)a_), *sb = str_of(ctx, (uint32_t)b_);    \
            uint64_t la = sa->len, lb = sb->len;                                         \
            BufHeader *h = (BufHeader *)sa->buf;                                         \
            if (LIKELY(lb - 1 < MAX_INLINE_BYTES && (sa->flags & FLAG_UNIQUE) && h != 0) && \
                can_extend(sa, h, lb)) {                                                 \
                append_bytes(h, sb->ptr, lb);                                            \
                sa->len = la + lb;                                                       \
                sa->runes += sb->runes;                                                  \
                RELOAD;                                                                  \
                CONTINUE();                                                              \
            }                                                                            \
        }                                                                                \
        CALL_ROUTINE_OPAQUE_FP(RELOAD)                                                   \
    }
ROUTINE_FORMS(APPEND_STR, append_str, LZ)
