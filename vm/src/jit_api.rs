//! The small interface through which tier 1 uses tier 2. The interpreter depends only on this
//! trait; the binary installs the copy-and-patch implementation from `tier2-jit`.

use crate::abi::Ctx;
use crate::program::Program;

/// Native code of one compiled function.
pub struct CompiledFn {
    /// The native entry points as (pc, address), in pc order: pc 0 (the function's entry)
    /// first, then every loop header, where the interpreter enters a running loop (OSR).
    /// Entry points follow the stencil calling convention and load whatever the code keeps in
    /// registers.
    pub entries: Vec<(u32, *const u8)>,
}

impl CompiledFn {
    /// The function's entry (pc 0).
    pub fn entry(&self) -> *const u8 {
        self.at(0)
    }

    /// The entry point at instruction `pc`, or null when native code has none there.
    pub fn at(&self, pc: usize) -> *const u8 {
        match self.entries.binary_search_by_key(&pc, |e| e.0 as usize) {
            Ok(i) => self.entries[i].1,
            Err(_) => std::ptr::null(),
        }
    }
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
