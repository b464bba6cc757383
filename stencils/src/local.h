/* Helpers shared by the stencil sources (in addition to the given ABI header mochi.h). */
#ifndef MOCHI_LOCAL_H
#define MOCHI_LOCAL_H

#include "mochi.h"

/* An unsigned 32-bit hole read through an asm barrier (`movl $h, %r32`, R_X86_64_32,
 * zero-extended): use it whenever the value takes part in a comparison, since clang assumes
 * a hole's address is non-null and would fold `U32(_B) == 0` to false. */
#define OPAQUE_U32(h)                                         \
    ({                                                        \
        uint32_t v_;                                          \
        __asm__("movl $" #h ", %0" : "=r"(v_));               \
        (uint64_t)v_;                                         \
    })

/* Always inline: a call to a static function would be a relocation the extractor rejects. */
#define INLINE static inline __attribute__((always_inline))

#endif
