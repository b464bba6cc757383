/* The ABI as clang sees it: sizes, offsets and constants of mochi.h, in exactly the order and
 * with the names of vm::abi::abi_facts(). build.rs reads both arrays out of the object file and
 * emits them as stencils::ABI; tier2-jit/tests/abi.rs compares them with the Rust side. */
#include <stddef.h>

#include "mochi.h"

#define ABI_FACTS(X)                                          \
    X("sizeof(FrameHeader)", sizeof(FrameHeader))             \
    X("offsetof(FrameHeader, func)", offsetof(FrameHeader, func)) \
    X("offsetof(FrameHeader, ret_pc)", offsetof(FrameHeader, ret_pc)) \
    X("offsetof(FrameHeader, caller)", offsetof(FrameHeader, caller)) \
    X("offsetof(FrameHeader, dest)", offsetof(FrameHeader, dest)) \
    X("sizeof(FuncInfo)", sizeof(FuncInfo))                   \
    X("offsetof(FuncInfo, native)", offsetof(FuncInfo, native)) \
    X("offsetof(FuncInfo, frame_bytes)", offsetof(FuncInfo, frame_bytes)) \
    X("offsetof(FuncInfo, closure_param)", offsetof(FuncInfo, closure_param)) \
    X("sizeof(Ctx)", sizeof(Ctx))                             \
    X("offsetof(Ctx, exit_pc)", offsetof(Ctx, exit_pc))       \
    X("offsetof(Ctx, exit_fp)", offsetof(Ctx, exit_fp))       \
    X("offsetof(Ctx, depth)", offsetof(Ctx, depth))           \
    X("offsetof(Ctx, max_depth)", offsetof(Ctx, max_depth))   \
    X("offsetof(Ctx, stack_limit)", offsetof(Ctx, stack_limit)) \
    X("offsetof(Ctx, funcs)", offsetof(Ctx, funcs))           \
    X("offsetof(Ctx, globals)", offsetof(Ctx, globals))       \
    X("offsetof(Ctx, entry_rsp)", offsetof(Ctx, entry_rsp))           \
    X("offsetof(Ctx, native_entries)", offsetof(Ctx, native_entries)) \
    X("offsetof(Ctx, rt)", offsetof(Ctx, rt))                 \
    X("offsetof(Ctx, list_slots)", offsetof(Ctx, list_slots)) \
    X("offsetof(Ctx, record_slots)", offsetof(Ctx, record_slots)) \
    X("offsetof(Ctx, str_slots)", offsetof(Ctx, str_slots))   \
    X("offsetof(Ctx, rsp_limit)", offsetof(Ctx, rsp_limit))   \
    X("offsetof(Ctx, map_slots)", offsetof(Ctx, map_slots))   \
    X("offsetof(Ctx, str_free)", offsetof(Ctx, str_free))     \
    X("offsetof(Ctx, list_free)", offsetof(Ctx, list_free))   \
    X("offsetof(Ctx, gc)", offsetof(Ctx, gc))                 \
    X("offsetof(Ctx, list_bufs)", offsetof(Ctx, list_bufs))   \
    X("sizeof(BufFree)", sizeof(BufFree))                     \
    X("SMALL_CAPS", SMALL_CAPS)                               \
    X("GLOBALS_OFFSET", GLOBALS_OFFSET)                       \
    X("sizeof(ListSlot)", sizeof(ListSlot))                   \
    X("offsetof(ListSlot, data)", offsetof(ListSlot, data))   \
    X("offsetof(ListSlot, len)", offsetof(ListSlot, len))     \
    X("offsetof(ListSlot, cap)", offsetof(ListSlot, cap))     \
    X("offsetof(ListSlot, elem)", offsetof(ListSlot, elem))   \
    X("offsetof(ListSlot, gen)", offsetof(ListSlot, gen))     \
    X("offsetof(ListSlot, flags)", offsetof(ListSlot, flags)) \
    X("sizeof(BufHeader)", sizeof(BufHeader))                 \
    X("offsetof(BufHeader, used)", offsetof(BufHeader, used)) \
    X("offsetof(BufHeader, cap)", offsetof(BufHeader, cap))   \
    X("sizeof(RecordSlot)", sizeof(RecordSlot))               \
    X("offsetof(RecordSlot, fields)", offsetof(RecordSlot, fields)) \
    X("offsetof(RecordSlot, type_id)", offsetof(RecordSlot, type_id)) \
    X("offsetof(RecordSlot, nfields)", offsetof(RecordSlot, nfields)) \
    X("offsetof(RecordSlot, func)", offsetof(RecordSlot, func)) \
    X("sizeof(StrSlot)", sizeof(StrSlot))                     \
    X("offsetof(StrSlot, ptr)", offsetof(StrSlot, ptr))       \
    X("offsetof(StrSlot, len)", offsetof(StrSlot, len))       \
    X("offsetof(StrSlot, runes)", offsetof(StrSlot, runes))   \
    X("offsetof(StrSlot, buf)", offsetof(StrSlot, buf))       \
    X("offsetof(StrSlot, gen)", offsetof(StrSlot, gen))       \
    X("offsetof(StrSlot, flags)", offsetof(StrSlot, flags))   \
    X("offsetof(BufHeader, refs)", offsetof(BufHeader, refs)) \
    X("sizeof(SlotFree)", sizeof(SlotFree))                   \
    X("offsetof(SlotFree, ids)", offsetof(SlotFree, ids))     \
    X("offsetof(SlotFree, len)", offsetof(SlotFree, len))     \
    X("offsetof(SlotFree, live)", offsetof(SlotFree, live))   \
    X("offsetof(GcCounters, allocated_since)", offsetof(GcCounters, allocated_since)) \
    X("offsetof(GcCounters, collect_at)", offsetof(GcCounters, collect_at)) \
    X("offsetof(GcCounters, total_allocated)", offsetof(GcCounters, total_allocated)) \
    X("FLAG_LIVE", FLAG_LIVE)                                 \
    X("FLAG_UNIQUE", FLAG_UNIQUE)                             \
    X("sizeof(MapSlot)", sizeof(MapSlot))                     \
    X("offsetof(MapSlot, dense)", offsetof(MapSlot, dense))   \
    X("sizeof(IntDense)", sizeof(IntDense))                   \
    X("offsetof(IntDense, data)", offsetof(IntDense, data))   \
    X("offsetof(IntDense, present)", offsetof(IntDense, present)) \
    X("offsetof(IntDense, len)", offsetof(IntDense, len))     \
    X("offsetof(IntDense, counts)", offsetof(IntDense, counts)) \
    X("COUNT_STRIPES", COUNT_STRIPES)                         \
    X("HEADER_WORDS", HEADER_WORDS)                           \
    X("STATUS_RETURNED", STATUS_RETURNED)                     \
    X("STATUS_EXIT", STATUS_EXIT)                             \
    X("CELL_NIL", CELL_NIL)                                   \
    X("HANDLE_TAG_MIN", HANDLE_TAG_MIN)                       \
    X("ARENA_LIST", ARENA_LIST)                               \
    X("ARENA_RECORD", ARENA_RECORD)                           \
    X("ARENA_MAP", ARENA_MAP)                                 \
    X("ARENA_STR", ARENA_STR)

#define VALUE(name, expr) (uint64_t)(expr),
#define NAME(name, expr) name "\0"

/* The values, 8 bytes each, little-endian. */
const uint64_t mochi_abi[] = {ABI_FACTS(VALUE)};
/* The names, each NUL-terminated, in the same order. */
const char mochi_abi_names[] = ABI_FACTS(NAME);
