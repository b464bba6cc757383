//! The small interface through which tier 1 uses tier 2. The interpreter depends only on this
//! trait; the binary installs the copy-and-patch implementation from `tier2-jit`.

use crate::abi::Ctx;
use crate::program::Program;

/// Native code of one compiled function.
pub struct CompiledFn {
    /// Native entry point of each instruction (index = pc): `pc_addrs[0]` is the function's
    /// entry, and every jump target has one too, which lets the interpreter enter a running
    /// loop (OSR) at its header. Other instructions have null. Entry points follow the stencil
    /// calling convention and load whatever the code keeps in registers.
    pub pc_addrs: Vec<*const u8>,
}

/// Counters reported by `--stats`.
#[derive(Clone, Copy, Debug, Default)]
pub struct JitStats {
    pub compiled_functions: u64,
    /// Bytecode instructions compiled.
    pub ops_compiled: u64,
    /// Stencils copied (instructions, register spills/reloads, entry and exit stubs).
    pub stencils_copied: u64,
    pub code_bytes: u64,
    pub compile_nanos: u64,
    pub failed_compiles: u64,
}

pub trait Jit {
    /// Compile function `fid` of `prog` to native code.
    fn compile(&mut self, prog: &Program, fid: usize) -> Result<CompiledFn, String>;

    /// Run native code starting at `addr` (an address from a `CompiledFn`) on frame `fp`,
    /// through the SysV entry shim. Returns `STATUS_RETURNED` or `STATUS_EXIT`.
    ///
    /// # Safety
    /// `fp` must be a live frame of the function `addr` belongs to, positioned at the
    /// instruction `addr` stands for, and `ctx` must be fully initialised.
    unsafe fn enter(&self, addr: *const u8, fp: *mut u8, ctx: *mut Ctx) -> u64;

    fn stats(&self) -> JitStats;
}
