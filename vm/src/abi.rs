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
    /// Base of the globals block (pinned in r14 in native code).
    pub globals: *mut u8,
    /// Base of the hottest arena's slot table (pinned in r15; reserved in this slice).
    pub arena: *mut u8,
    /// Counted by the entry shim: how many times native code was entered from the interpreter.
    pub native_entries: u64,
    /// The Rust runtime (`crate::runtime::Runtime`), for helpers.
    pub rt: *mut c_void,
    /// Base of the heap's list slot table (`arenas` `ListSlot`s; never moves), for the typed
    /// list ops of native code (to be pinned in a register).
    pub list_slots: *mut u8,
    /// Base of the heap's record slot table (`RecordSlot`s: structs, variants, closures).
    pub record_slots: *mut u8,
}

/// Each ABI fact as (name, value), in the order `stencils/src/abi_probe.c` lists them.
pub fn abi_facts() -> Vec<(&'static str, u64)> {
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
        ("offsetof(Ctx, arena)", offset_of!(Ctx, arena) as u64),
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
        ("HEADER_WORDS", HEADER_WORDS as u64),
        ("STATUS_RETURNED", STATUS_RETURNED),
        ("STATUS_EXIT", STATUS_EXIT),
        ("CELL_NIL", arenas::Cell::NIL.0),
    ]
}

const _: () = {
    assert!(std::mem::offset_of!(FrameHeader, func) == FRAME_FUNC);
    assert!(std::mem::offset_of!(FrameHeader, ret_pc) == FRAME_RET_PC);
    assert!(std::mem::offset_of!(FrameHeader, caller) == FRAME_CALLER);
    assert!(std::mem::offset_of!(FrameHeader, dest) == FRAME_DEST);
    assert!(std::mem::size_of::<FrameHeader>() == HEADER_WORDS as usize * 8);
};
