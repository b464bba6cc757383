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

/* R[a] := R[a] + len(R[c]) after R[c]'s bytes are written at byte R[a] of R[b], skipping the
 * next instruction (the slow case, AppendStrVGrow: the jump target is the instruction after
 * it), when R[c] is a string of 1 to MAX_INLINE_BYTES bytes that fits in R[b]'s buffer; else
 * on to the slow case. An append through an append view (compiler::lower::append_views): the
 * string's byte length lives in R[a], which a loop keeps in a register, and its slot and
 * buffer header are only read (the view reserved the rest of the buffer when it opened), so
 * consecutive appends carry no read-modify-write of memory. A closed view's length is NO_VIEW
 * (2^62): past any buffer's end, so the room check fails (and R[b], then maybe a constant,
 * may have no buffer: checked first). */
#define APPEND_STR_V(A)                                                                 \
    uint64_t b_ = CELL(_C);                                                             \
    if (LIKELY(IS_HANDLE_OF(b_, ARENA_STR))) {                                          \
        StrSlot *sa = str_of(ctx, (uint32_t)CELL(_B)), *sb = str_of(ctx, (uint32_t)b_); \
        uint64_t lb = sb->len;                                                          \
        BufHeader *h = (BufHeader *)sa->buf;                                            \
        if (LIKELY(lb - 1 < MAX_INLINE_BYTES && h != 0)) {                              \
            uint64_t at = (uint64_t)sa->ptr + (uint64_t)(A), stop = at + lb;            \
            if (LIKELY(stop <= (uint64_t)(h + 1) + h->cap)) {                           \
                A = (int64_t)((uint64_t)(A) + lb);                                      \
                copy_bytes((uint8_t *)at, sb->ptr, lb);                                 \
                JUMP();                                                                 \
            }                                                                           \
        }                                                                               \
    }                                                                                   \
    CONTINUE();
OP_A(append_str_v, APPEND_STR_V)

/* R[a] := R[a] + (K[c] >> 56) after the literal packed in K[c] (its 1 to 7 bytes from the
 * low byte, its length in the top byte) is written at byte R[a] of R[b], skipping the slow
 * case after it (AppendStrVLitGrow), when it fits in R[b]'s buffer: an append view's append
 * of a short string literal, with no string slot to read for it. Inline when 8 bytes fit:
 * one store of the whole word (the bytes past the literal are junk past the string's end, in
 * the part of the buffer the view reserved); near the buffer's end, a byte loop. A closed
 * view's length is NO_VIEW: past any buffer's end. */
#define APPEND_STR_V_LIT(A)                                                   \
    StrSlot *sa = str_of(ctx, (uint32_t)CELL(_B));                            \
    BufHeader *h = (BufHeader *)sa->buf;                                      \
    uint64_t at = (uint64_t)sa->ptr + (uint64_t)(A);                          \
    if (LIKELY(h != 0)) {                                                     \
        uint64_t end = (uint64_t)(h + 1) + h->cap, k_ = U64(_K);              \
        if (LIKELY(at + 8 <= end)) {                                          \
            __builtin_memcpy((void *)at, &k_, 8);                             \
            A = (int64_t)((uint64_t)(A) + (k_ >> 56));                       \
            JUMP();                                                           \
        }                                                                     \
        uint64_t lb = k_ >> 56;                                               \
        if (at + lb <= end) {                                                 \
            A = (int64_t)((uint64_t)(A) + lb);                                \
            for (uint8_t *p = (uint8_t *)at; p != (uint8_t *)at + lb; p++) {  \
                __asm__("" ::: "memory");                                     \
                *p = (uint8_t)k_;                                             \
                k_ >>= 8;                                                     \
            }                                                                 \
            JUMP();                                                           \
        }                                                                     \
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
