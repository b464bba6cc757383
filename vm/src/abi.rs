//! The layout shared by the interpreter, the stencils (C, `stencils/src/mochi.h`) and the JIT.
//! A test in `tier2-jit` compares every size and offset here with the values clang measured
//! when it compiled the stencils (`stencils::ABI`).
//!
//! ## Frames
//! A frame is one contiguous block of 8-byte words on the VM stack (which never moves):
//!
//! ```text
//!   fp + 0   func     function index of this frame
//!   fp + 8   ret_pc   instruction index in the caller to resume at after the return
//!   fp + 16  caller   the caller's frame base (null for the entry frame)
//!   fp + 24  dest     byte offset in the caller's frame of the result slot
//!   fp + 32  [parameters][i64 slots][f64 slots][cell slots]
//! ```
//!
//! Operands name slots by *word index* from `fp`, so slot words start at `HEADER_WORDS`.
//! Parameters come first, one word each in declaration order whatever their bank (the
//! function records each one's bank, so the GC knows which hold Cells): argument `i` of any
//! call is stored at `callee_fp + 8 * (HEADER_WORDS + i)`. A callee's frame starts right after
//! its caller's frame (`fp + 8 * frame_words`); the caller stores the arguments there before
//! `Call` / `CallClosure`.

use std::ffi::c_void;

/// Words in the frame header.
pub const HEADER_WORDS: u32 = 4;

/// Byte offsets of the frame header fields.
pub const FRAME_FUNC: usize = 0;
pub const FRAME_RET_PC: usize = 8;
pub const FRAME_CALLER: usize = 16;
pub const FRAME_DEST: usize = 24;

/// The frame header as a struct (for offset checks; code accesses it by the offsets above).
#[repr(C)]
pub struct FrameHeader {
    pub func: u64,
    pub ret_pc: u64,
    pub caller: *mut u8,
    pub dest: u64,
}

/// Status returned by native code to the entry shim (and by a native callee to its caller).
/// `RETURNED`: the frame that was entered has returned (its result is stored in its caller's
/// frame). `EXIT`: native code stopped; resume the interpreter at `ctx.exit_fp`/`ctx.exit_pc`.
pub const STATUS_RETURNED: u64 = 0;
pub const STATUS_EXIT: u64 = 1;

/// Per-function data that native code reads through `ctx.funcs`.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct FuncInfo {
    /// Native entry (address of the stencil of instruction 0), or null if not compiled.
    pub native: *const u8,
    /// Size of the function's frame in bytes (header included).
    pub frame_bytes: u64,
    /// For a closure's function (one with captures): the byte offset from its frame base of
    /// the hidden last parameter, where `CallClosure` stores the closure
    /// (`8 * (HEADER_WORDS + declared parameters)`); 0 for other functions.
    pub closure_param: u64,
}

impl FuncInfo {
    /// The entry of function `f` (native entry `native`, null when not compiled).
    pub fn new(f: &crate::program::Function, native: *const u8) -> FuncInfo {
        FuncInfo {
            native,
            frame_bytes: 8 * f.frame_words() as u64,
            closure_param: if f.closure_param {
                8 * (HEADER_WORDS + f.n_declared_params()) as u64
            } else {
                0
            },
        }
    }
}

/// The VM context, pinned in r13 in native code.
#[repr(C)]
pub struct Ctx {
    /// Where the interpreter resumes after a side exit (`STATUS_EXIT`).
    pub exit_pc: u64,
    pub exit_fp: *mut u8,
    /// Current call depth and its limit (`call stack exceeded` when reached).
    pub depth: u64,
    pub max_depth: u64,
    /// Highest address a new frame may end at (the VM stack's end minus one largest frame,
    /// so that argument stores into the next frame never leave the stack).
    pub stack_limit: *mut u8,
    /// `FuncInfo` per function index.
    pub funcs: *const FuncInfo,
    /// Base of the globals block. In native code it is always `ctx + GLOBALS_OFFSET` (the
    /// block follows the context in one allocation, [`CtxBlock`]), so stencils address a
    /// global with a constant displacement from r13 and never load this field.
    pub globals: *mut u8,
    /// Set by the entry shim while native code runs: the address of the shim's return
    /// address on the machine stack. A side exit or error anywhere in nested native code
    /// unwinds by loading it into rsp and returning (`exit_stub`), so call sites never test a
    /// status. The shim saves and restores the previous value (native code may re-enter the
    /// interpreter through a helper, which may enter native code again).
    pub entry_rsp: *mut u8,
    /// Counted by the entry shim: how many times native code was entered from the interpreter.
    pub native_entries: u64,
    /// The Rust runtime (`crate::runtime::Runtime`), for helpers.
    pub rt: *mut c_void,
    /// Base of the heap's list slot table (`arenas` `ListSlot`s; never moves), pinned in r14
    /// in native code (the entry shim loads it from here).
    pub list_slots: *mut u8,
    /// Base of the heap's record slot table (`RecordSlot`s: structs, variants, closures),
    /// pinned in r15 in native code.
    pub record_slots: *mut u8,
    /// Base of the heap's string slot table (`StrSlot`s; never moves). Not pinned: `StrLen`
    /// loads it from here.
    pub str_slots: *mut u8,
    /// Set by the entry shim while native code runs: native code may make a call only while
    /// rsp is above this. Each native call takes exactly 16 bytes of machine stack (a call
    /// stencil keeps no frame: `sub $8` and the return address), so the call depth is
    /// `depth + (entry_rsp - rsp) / 16` and this is `entry_rsp - 16 * (max_depth - depth)`:
    /// the depth limit stays exact with no counter updated per call. The shim takes the
    /// entered frame off `depth` when it returns; `exit_stub` adds the native frames still
    /// live when it unwinds.
    pub rsp_limit: *mut u8,
    /// Base of the heap's map slot table (`MapSlot`s; never moves). Not pinned: `map_get` and
    /// `map_set` load it from here.
    pub map_slots: *mut u8,
    /// The string slot table's free list (`arenas::SlotFree`; never moves), for the inline
    /// case of `concat_str`.
    pub str_free: *mut u8,
    /// The list slot table's free list (never moves), for the inline case of `new_list`.
    pub list_free: *mut u8,
    /// The heap's allocation counters (`arenas::GcStats`, whose first fields are
    /// `allocated_since`, `collect_at`, `total_allocated`), for the same.
    pub gc: *mut u8,
    /// The heap's kept small list buffers (`arenas::BufFree`, one per capacity
    /// 1..=`arenas::SMALL_CAPS`; never move), for the inline case of `new_list` with a capacity.
    pub list_bufs: *mut u8,
}

/// Byte offset of the globals block from the context: it starts right after the `Ctx`.
pub const GLOBALS_OFFSET: usize = std::mem::size_of::<Ctx>();

/// The context and the globals block in one allocation (globals at `ctx + GLOBALS_OFFSET`,
/// `ctx.globals` pointing there), so that native code reaches `G[x]` as
/// `[r13 + GLOBALS_OFFSET + 8x]` without loading a base. The allocation never moves.
pub struct CtxBlock {
    words: Box<[u64]>,
}

impl CtxBlock {
    /// `ctx` (its `globals` field is overwritten) followed by `global_words` zeroed words.
    pub fn new(ctx: Ctx, global_words: usize) -> CtxBlock {
        const _: () = assert!(GLOBALS_OFFSET.is_multiple_of(8) && std::mem::align_of::<Ctx>() == 8);
        let mut words = vec![0u64; GLOBALS_OFFSET / 8 + global_words.max(1)].into_boxed_slice();
        let p = words.as_mut_ptr();
        // SAFETY: the allocation is 8-byte aligned and holds at least size_of::<Ctx>() bytes;
        // Ctx consists of 8-byte integers and pointers, so writing it over zeroed words is fine.
        unsafe {
            let c = p as *mut Ctx;
            c.write(ctx);
            (*c).globals = p.add(GLOBALS_OFFSET / 8) as *mut u8;
        }
        CtxBlock { words }
    }

    /// The context (for the interpreter and the entry shim).
    pub fn ctx(&mut self) -> &mut Ctx {
        // SAFETY: the first GLOBALS_OFFSET bytes hold the Ctx written by `new`.
        unsafe { &mut *(self.words.as_mut_ptr() as *mut Ctx) }
    }

    /// A raw pointer to the context whose provenance covers the globals too.
    pub fn ctx_ptr(&mut self) -> *mut Ctx {
        self.words.as_mut_ptr() as *mut Ctx
    }

    /// The globals block.
    pub fn globals(&mut self) -> &mut [u64] {
        &mut self.words[GLOBALS_OFFSET / 8..]
    }
}

/// Each ABI fact as (name, value), in the order `stencils/src/abi_probe.c` lists them.
pub fn abi_facts() -> Vec<(&'static str, u64)> {
    use arenas::{BufHeader, GcStats, IntDense, ListSlot, MapSlot, RecordSlot, SlotFree, StrSlot};
    use std::mem::{offset_of, size_of};
    vec![
        ("sizeof(FrameHeader)", size_of::<FrameHeader>() as u64),
        (
            "offsetof(FrameHeader, func)",
            offset_of!(FrameHeader, func) as u64,
        ),
        (
            "offsetof(FrameHeader, ret_pc)",
            offset_of!(FrameHeader, ret_pc) as u64,
        ),
        (
            "offsetof(FrameHeader, caller)",
            offset_of!(FrameHeader, caller) as u64,
        ),
        (
            "offsetof(FrameHeader, dest)",
            offset_of!(FrameHeader, dest) as u64,
        ),
        ("sizeof(FuncInfo)", size_of::<FuncInfo>() as u64),
        (
            "offsetof(FuncInfo, native)",
            offset_of!(FuncInfo, native) as u64,
        ),
        (
            "offsetof(FuncInfo, frame_bytes)",
            offset_of!(FuncInfo, frame_bytes) as u64,
        ),
        (
            "offsetof(FuncInfo, closure_param)",
            offset_of!(FuncInfo, closure_param) as u64,
        ),
        ("sizeof(Ctx)", size_of::<Ctx>() as u64),
        ("offsetof(Ctx, exit_pc)", offset_of!(Ctx, exit_pc) as u64),
        ("offsetof(Ctx, exit_fp)", offset_of!(Ctx, exit_fp) as u64),
        ("offsetof(Ctx, depth)", offset_of!(Ctx, depth) as u64),
        (
            "offsetof(Ctx, max_depth)",
            offset_of!(Ctx, max_depth) as u64,
        ),
        (
            "offsetof(Ctx, stack_limit)",
            offset_of!(Ctx, stack_limit) as u64,
        ),
        ("offsetof(Ctx, funcs)", offset_of!(Ctx, funcs) as u64),
        ("offsetof(Ctx, globals)", offset_of!(Ctx, globals) as u64),
        (
            "offsetof(Ctx, entry_rsp)",
            offset_of!(Ctx, entry_rsp) as u64,
        ),
        (
            "offsetof(Ctx, native_entries)",
            offset_of!(Ctx, native_entries) as u64,
        ),
        ("offsetof(Ctx, rt)", offset_of!(Ctx, rt) as u64),
        (
            "offsetof(Ctx, list_slots)",
            offset_of!(Ctx, list_slots) as u64,
        ),
        (
            "offsetof(Ctx, record_slots)",
            offset_of!(Ctx, record_slots) as u64,
        ),
        (
            "offsetof(Ctx, str_slots)",
            offset_of!(Ctx, str_slots) as u64,
        ),
        (
            "offsetof(Ctx, rsp_limit)",
            offset_of!(Ctx, rsp_limit) as u64,
        ),
        (
            "offsetof(Ctx, map_slots)",
            offset_of!(Ctx, map_slots) as u64,
        ),
        ("offsetof(Ctx, str_free)", offset_of!(Ctx, str_free) as u64),
        (
            "offsetof(Ctx, list_free)",
            offset_of!(Ctx, list_free) as u64,
        ),
        ("offsetof(Ctx, gc)", offset_of!(Ctx, gc) as u64),
        (
            "offsetof(Ctx, list_bufs)",
            offset_of!(Ctx, list_bufs) as u64,
        ),
        ("sizeof(BufFree)", size_of::<arenas::BufFree>() as u64),
        ("SMALL_CAPS", arenas::SMALL_CAPS as u64),
        ("GLOBALS_OFFSET", GLOBALS_OFFSET as u64),
        ("sizeof(ListSlot)", size_of::<ListSlot>() as u64),
        (
            "offsetof(ListSlot, data)",
            offset_of!(ListSlot, data) as u64,
        ),
        ("offsetof(ListSlot, len)", offset_of!(ListSlot, len) as u64),
        ("offsetof(ListSlot, cap)", offset_of!(ListSlot, cap) as u64),
        (
            "offsetof(ListSlot, elem)",
            offset_of!(ListSlot, elem) as u64,
        ),
        ("offsetof(ListSlot, gen)", offset_of!(ListSlot, gen) as u64),
        (
            "offsetof(ListSlot, flags)",
            offset_of!(ListSlot, flags) as u64,
        ),
        ("sizeof(BufHeader)", size_of::<BufHeader>() as u64),
        (
            "offsetof(BufHeader, used)",
            offset_of!(BufHeader, used) as u64,
        ),
        (
            "offsetof(BufHeader, cap)",
            offset_of!(BufHeader, cap) as u64,
        ),
        ("sizeof(RecordSlot)", size_of::<RecordSlot>() as u64),
        (
            "offsetof(RecordSlot, fields)",
            offset_of!(RecordSlot, fields) as u64,
        ),
        (
            "offsetof(RecordSlot, type_id)",
            offset_of!(RecordSlot, type_id) as u64,
        ),
        (
            "offsetof(RecordSlot, nfields)",
            offset_of!(RecordSlot, nfields) as u64,
        ),
        (
            "offsetof(RecordSlot, func)",
            offset_of!(RecordSlot, func) as u64,
        ),
        ("sizeof(StrSlot)", size_of::<StrSlot>() as u64),
        ("offsetof(StrSlot, ptr)", offset_of!(StrSlot, ptr) as u64),
        ("offsetof(StrSlot, len)", offset_of!(StrSlot, len) as u64),
        (
            "offsetof(StrSlot, runes)",
            offset_of!(StrSlot, runes) as u64,
        ),
        ("offsetof(StrSlot, buf)", offset_of!(StrSlot, buf) as u64),
        ("offsetof(StrSlot, gen)", offset_of!(StrSlot, gen) as u64),
        (
            "offsetof(StrSlot, flags)",
            offset_of!(StrSlot, flags) as u64,
        ),
        (
            "offsetof(BufHeader, refs)",
            offset_of!(BufHeader, refs) as u64,
        ),
        ("sizeof(SlotFree)", size_of::<SlotFree>() as u64),
        ("offsetof(SlotFree, ids)", offset_of!(SlotFree, ids) as u64),
        ("offsetof(SlotFree, len)", offset_of!(SlotFree, len) as u64),
        (
            "offsetof(SlotFree, live)",
            offset_of!(SlotFree, live) as u64,
        ),
        (
            "offsetof(GcCounters, allocated_since)",
            offset_of!(GcStats, allocated_since) as u64,
        ),
        (
            "offsetof(GcCounters, collect_at)",
            offset_of!(GcStats, collect_at) as u64,
        ),
        (
            "offsetof(GcCounters, total_allocated)",
            offset_of!(GcStats, total_allocated) as u64,
        ),
        ("FLAG_LIVE", arenas::heap::FLAG_LIVE as u64),
        ("FLAG_UNIQUE", arenas::heap::FLAG_UNIQUE as u64),
        ("sizeof(MapSlot)", size_of::<MapSlot>() as u64),
        (
            "offsetof(MapSlot, dense)",
            offset_of!(MapSlot, dense) as u64,
        ),
        ("sizeof(IntDense)", size_of::<IntDense>() as u64),
        (
            "offsetof(IntDense, data)",
            offset_of!(IntDense, data) as u64,
        ),
        (
            "offsetof(IntDense, present)",
            offset_of!(IntDense, present) as u64,
        ),
        ("offsetof(IntDense, len)", offset_of!(IntDense, len) as u64),
        (
            "offsetof(IntDense, counts)",
            offset_of!(IntDense, counts) as u64,
        ),
        ("COUNT_STRIPES", arenas::COUNT_STRIPES as u64),
        ("HEADER_WORDS", HEADER_WORDS as u64),
        ("STATUS_RETURNED", STATUS_RETURNED),
        ("STATUS_EXIT", STATUS_EXIT),
        ("CELL_NIL", arenas::Cell::NIL.0),
        // The top 16 bits of the first handle Cell, and the record arena's kind.
        (
            "HANDLE_TAG_MIN",
            arenas::Cell::handle(arenas::ArenaKind::Record, 0, 0).0 >> 48,
        ),
        ("ARENA_LIST", arenas::ArenaKind::List as u64),
        ("ARENA_RECORD", arenas::ArenaKind::Record as u64),
        ("ARENA_MAP", arenas::ArenaKind::Map as u64),
        ("ARENA_STR", arenas::ArenaKind::Str as u64),
    ]
}

const _: () = {
    assert!(std::mem::offset_of!(FrameHeader, func) == FRAME_FUNC);
    assert!(std::mem::offset_of!(FrameHeader, ret_pc) == FRAME_RET_PC);
    assert!(std::mem::offset_of!(FrameHeader, caller) == FRAME_CALLER);
    assert!(std::mem::offset_of!(FrameHeader, dest) == FRAME_DEST);
    assert!(std::mem::size_of::<FrameHeader>() == HEADER_WORDS as usize * 8);
};
