/* Map access: the common case of `m[k]` and `m[k] = v` inline, the rest through the op's
 * routine. An int-keyed map keeps the keys of its dense span in an array (`IntDense`,
 * arenas/src/heap/intmap.rs) that its slot points at (NULL for other maps), so a key inside
 * the span is a bounds check and a load or store here, exactly as in the interpreter's fast
 * path (arenas' `map_get_int_fast`, `map_set_int_fast`): setting a key inside the span needs
 * no memory, so like that path it is no GC safepoint. Anything else (not a map handle, nil
 * included; a map with other keys; a key outside the span; a get of an absent key, which
 * yields the value type's zero) calls the routine (`_H`: vm::runtime::helpers::map_get_slow,
 * map_set_slow) the way the generic helper stencil does (helpers.c).
 *
 * The key and value are words of any bank read from their slots. In a function that caches
 * f64 slots, the forms for cached registers spill them first (on both paths: the routine may
 * read any slot); `map_get` writes its result to its slot and reloads them after it on both
 * paths, `map_set` after the routine only. In one that caches only i64 slots, the keeping
 * forms (below) leave them alone on the inline path. */
#include "mochi.h"

INLINE MapSlot *map_of(Ctx *ctx, uint64_t cell) {
    return (MapSlot *)(ctx->map_slots + (uint64_t)(uint32_t)cell * sizeof(MapSlot));
}

/* Every i64 register caches nothing of value after the routine (the RELOAD that follows
 * reloads the cached ones), so clang never saves them around the call. */
#define XZ() (x0 = 0, x1 = 0, x2 = 0, x3 = 0, x4 = 0, x5 = 0)

/* R[a] := R[b][R[c]]: the inline get between SPILL_IN and RELOAD_IN, the routine after
 * SPILL_CALL (then AFTER_CALL: the reloads). */
#define MAP_GET_WITH(NAME, SPILL_IN, RELOAD_IN, SPILL_CALL, AFTER_CALL)                   \
    STENCIL(NAME) {                                                                      \
        SPILL_IN;                                                                        \
        uint64_t m_ = CELL(_B);                                                          \
        if (LIKELY(IS_HANDLE_OF(m_, ARENA_MAP))) {                                       \
            IntDense *d_ = map_of(ctx, m_)->dense;                                       \
            uint64_t k_ = CELL(_C);                                                      \
            if (LIKELY(d_ != 0) && LIKELY(k_ < d_->len) && LIKELY(d_->present[k_])) {   \
                CELL(_A) = d_->data[k_];                                                 \
                RELOAD_IN;                                                               \
                CONTINUE();                                                              \
            }                                                                            \
        }                                                                                \
        SPILL_CALL;                                                                      \
        CALL_ROUTINE_OPAQUE_FP(AFTER_CALL)                                               \
    }
#define MAP_GET(NAME, SPILL, RELOAD, AFTER_CALL) \
    MAP_GET_WITH(NAME, SPILL, RELOAD, (void)0, (XZ(), RELOAD, AFTER_CALL))

/* R[a][R[b]] := R[c]: the inline set after SPILL_IN, the routine after SPILL_CALL (then
 * AFTER_CALL: the reloads). */
#define MAP_SET_WITH(NAME, SPILL_IN, SPILL_CALL, AFTER_CALL)                              \
    STENCIL(NAME) {                                                                      \
        SPILL_IN;                                                                        \
        uint64_t m_ = CELL(_A);                                                          \
        if (LIKELY(IS_HANDLE_OF(m_, ARENA_MAP))) {                                       \
            IntDense *d_ = map_of(ctx, m_)->dense;                                       \
            uint64_t k_ = CELL(_B);                                                      \
            if (LIKELY(d_ != 0) && LIKELY(k_ < d_->len)) {                               \
                d_->data[k_] = CELL(_C);                                                 \
                uint8_t *p_ = &d_->present[k_];                                          \
                d_->counts[k_ % COUNT_STRIPES] += *p_ == 0;                              \
                *p_ = 1;                                                                 \
                CONTINUE();                                                              \
            }                                                                            \
        }                                                                                \
        SPILL_CALL;                                                                      \
        CALL_ROUTINE_OPAQUE_FP(AFTER_CALL)                                               \
    }
#define MAP_SET(NAME, SPILL, RELOAD, AFTER_CALL) \
    MAP_SET_WITH(NAME, SPILL, (void)0, (XZ(), RELOAD, AFTER_CALL))

/* The cache forms (helpers.c, lists.c): `_f` in a function that also caches f64 slots, whose
 * registers the emitter spills before the piece and reloads after it; after the routine they
 * are reloaded here too, so that a failing routine's side exit spills real values. Registers
 * not cached are left alone on the inline path. */
#define KEEP(k) (void)0
#define MAP_GET_NO_F(NAME, SPILL, RELOAD) MAP_GET(NAME, SPILL, RELOAD, ({ F_UNDEFINED(); }))
#define MAP_GET_F(NAME, SPILL, RELOAD) \
    MAP_GET(NAME, SPILL, RELOAD, (({ F_UNDEFINED(); }), ({ RELOAD_ALL_F(); })))
#define MAP_SET_NO_F(NAME, SPILL, RELOAD) MAP_SET(NAME, SPILL, RELOAD, ({ F_UNDEFINED(); }))
#define MAP_SET_F(NAME, SPILL, RELOAD) \
    MAP_SET(NAME, SPILL, RELOAD, (({ F_UNDEFINED(); }), ({ RELOAD_ALL_F(); })))
CACHE_FORM0(MAP_GET_NO_F, map_get, KEEP)
CACHE_FORMS(MAP_GET_F, map_get_f, KEEP)
CACHE_FORM0(MAP_SET_NO_F, map_set, KEEP)
CACHE_FORMS(MAP_SET_F, map_set_f, KEEP)

/* The keeping forms of `map_get` (`map_get_k`, `map_get_k_cN`): on the inline path the cached
 * registers stay where they are (no spill, no reload), and the emitter spills the key's
 * register before the piece (when it is cached) and reloads the result's after it; only the
 * routine's path spills and reloads them all. In a loop like `s = s + m[j]`, spilling and
 * reloading `s` and `j` on every get put both on a store-to-load chain through memory
 * (maps_fill_sum 1.14x). Used in functions that cache i64 registers and no f64 slot (with f64
 * slots, the `_f` forms above; with no cached register at all, `map_get`). */
#define MAP_GET_K(NAME, SPILL, RELOAD) \
    MAP_GET_WITH(NAME, (void)0, (void)0, SPILL, (XZ(), RELOAD, ({ F_UNDEFINED(); })))
CACHE_FORMS_CN(MAP_GET_K, map_get_k, KEEP)
/* The keeping forms of `map_set` (`map_set_k_cN`), alike: the emitter spills the key's and
 * the value's registers before the piece; only the routine's path spills and reloads them
 * all. A fill loop `m[i] = v` spilled every cached register on every set. */
#define MAP_SET_K(NAME, SPILL, RELOAD) \
    MAP_SET_WITH(NAME, (void)0, SPILL, (XZ(), RELOAD, ({ F_UNDEFINED(); })))
CACHE_FORMS_CN(MAP_SET_K, map_set_k, KEEP)
