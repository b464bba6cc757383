//! The SysV entry shim: the only way from Rust into native code.

use crate::code_memory::CodeMemory;
use vm::abi::Ctx;

/// `uint64_t mochi_entry_shim(uint8_t *fp, Ctx *ctx, StencilFn entry)` (stencils/src/shim.c).
type ShimFn = unsafe extern "C" fn(*mut u8, *mut Ctx, *const u8) -> u64;

pub struct EntryShim {
    /// Size of the shim's code.
    len: usize,
    /// Address of the shim's code, in its own read-execute mapping (kept as an integer so
    /// that the JIT stays `Send`).
    addr: usize,
}

impl EntryShim {
    /// Copy the shim stencil into executable memory. It has no holes.
    pub fn install(mem: &mut CodeMemory) -> Result<Self, String> {
        let st =
            stencils::find(stencils::ENTRY_SHIM).ok_or("the stencil table has no entry shim")?;
        if !st.holes.is_empty() || !st.data.is_empty() {
            return Err("the entry shim must have no holes and no data".into());
        }
        let addr = mem.install(st.code.len(), |buf, _| {
            buf.copy_from_slice(&st.code);
            Ok(st.code.len())
        })?;
        Ok(EntryShim {
            addr,
            len: st.code.len(),
        })
    }

    pub fn addr(&self) -> usize {
        self.addr
    }

    pub fn code_len(&self) -> usize {
        self.len
    }

    /// Run native code at `entry` on frame `fp`.
    ///
    /// # Safety
    /// `entry` must be an instruction address of live compiled code, `fp` a frame of that
    /// function positioned at that instruction, and `ctx` a fully initialised context whose
    /// pointers (funcs, globals, stack_limit, rt) are valid for the whole run.
    pub unsafe fn enter(&self, entry: *const u8, fp: *mut u8, ctx: *mut Ctx) -> u64 {
        // SAFETY: `addr` holds the shim's machine code, copied from the stencil compiled by
        // clang for exactly this C prototype (SysV ABI) and mapped read-execute for the
        // lifetime of the JIT (`&self` borrows it). The caller guarantees the arguments.
        let shim: ShimFn = unsafe { std::mem::transmute::<usize, ShimFn>(self.addr) };
        unsafe { shim(fp, ctx, entry) }
    }
}
