//! Tier 2: the copy-and-patch JIT (DESIGN.md §5).
//!
//! Compiling a function copies, for each instruction, the machine code of its op's stencil
//! (`stencils::STENCILS`, extracted at build time from C compiled by clang 19) and patches the
//! holes: operand slot offsets and immediates, constants, jump targets, the next
//! instruction's address, helper addresses and the stencil's own read-only data. The result
//! lives in its own W^X pages ([`code_memory`]); hot loops keep up to six i64 and eight f64 slots
//! in registers ([`emit`]). Native code is entered through the SysV
//! entry shim ([`shim`]) and always *returns* to the interpreter a status: `STATUS_RETURNED`
//! when the entered frame returned, `STATUS_EXIT` when it stopped at `ctx.exit_fp` /
//! `ctx.exit_pc` (an interpreter-only op, an error to raise, a call it cannot make).
//!
//! Helper ops (`helper` in the op table) run through one generic stencil that calls their Rust
//! routine ([`emit`]).
//!
//! `unsafe` appears only around the call into native code ([`shim::EntryShim::enter`] and the
//! `Jit::enter` that forwards to it); memmap2 does the mapping and the mprotect.

pub mod code_memory;
pub mod disasm;
pub mod emit;
mod hole_values;
pub mod patch;
pub mod shim;
mod tables;

use code_memory::CodeMemory;
use emit::{Emitter, Listing};
use shim::EntryShim;
use std::io::Write;
use std::time::Instant;
use vm::abi::Ctx;
use vm::jit_api::{CompiledFn, Jit, JitStats};
use vm::program::Program;

/// Default size budget of all code memory (compile fails beyond it; the function then stays
/// in the interpreter).
pub const DEFAULT_BUDGET: usize = 256 << 20;

/// True if this target has stencils, i.e. the JIT can run.
pub fn available() -> bool {
    stencils::SUPPORTED && !stencils::STENCILS.is_empty()
}

/// Code memory [`warm_up`] maps and populates ahead of the first JIT: more than any program
/// of `../shared/bench` compiles (at most 31 KiB) plus the entry shim.
const WARM_CODE_BYTES: usize = 64 << 10;

/// Map and populate code memory now (a chunk with its first 64 KiB of pages allocated:
/// about 60 µs), on the calling thread, so that the first compile finds it ready in the pool.
/// The driver calls it on the main thread, which otherwise only waits for the VM thread,
/// while the VM thread parses. (A compile that comes first maps its own code memory. The
/// stencil tables need no warming: `build.rs` prepared them, and `StencilSet::get` takes
/// microseconds.)
pub fn warm_up() {
    if available() {
        CodeMemory::prepare(DEFAULT_BUDGET, WARM_CODE_BYTES);
        emit::prefault_emitters();
    }
}

/// The stencils resolved per op, the code memory and the installed entry shim.
struct Engine {
    emitter: Emitter,
    mem: CodeMemory,
    shim: EntryShim,
}

/// The copy-and-patch compiler and the owner of all native code. Dropping it unmaps the code,
/// so it must outlive every use of the addresses it returned.
///
/// Construction is free and never fails: the engine (the emitter with the stencil tables, the
/// code memory, the entry shim) starts at the first `compile`, so a run that compiles nothing never waits for
/// it. On a target without stencils (or if the entry shim cannot be mapped) every `compile`
/// returns an error, so the interpreter keeps running everything, and the reason is printed
/// once on stderr.
pub struct CopyAndPatch {
    /// `None` until the first compile.
    engine: Option<Result<Engine, String>>,
    budget: usize,
    stats: JitStats,
    perf_map: Option<std::fs::File>,
    /// `--dump-jit`: the function whose layout `compile` records, and the layout.
    listing: Option<(usize, Option<Listing>)>,
    /// Tests: the slots a function caches (see [`Emitter::force_cache`]).
    forced: Option<(usize, Vec<u32>, Vec<u32>)>,
    /// Tests: [`Emitter::cache_loop_free`].
    loop_free_cache: bool,
}

impl CopyAndPatch {
    /// A JIT with the default code budget ([`DEFAULT_BUDGET`]).
    pub fn new() -> Self {
        Self::with_budget(DEFAULT_BUDGET)
    }

    /// A JIT that maps at most `budget` bytes of code (the entry shim's page included).
    pub fn with_budget(budget: usize) -> Self {
        let mut jit = CopyAndPatch {
            engine: None,
            budget,
            stats: JitStats::default(),
            perf_map: None,
            listing: None,
            forced: None,
            // (`MOCHI_JIT_CACHE_LOOP_FREE=0`: functions without loops keep their slots in
            // memory, as they did before they cached registers; for A/B measurements and the
            // tests of the stencil forms for no cached register)
            loop_free_cache: std::env::var("MOCHI_JIT_CACHE_LOOP_FREE").map_or(true, |v| v != "0"),
        };
        if std::env::var("MOCHI_PERF_MAP").is_ok_and(|v| v == "1") {
            let path = format!("/tmp/perf-{}.map", std::process::id());
            jit.perf_map = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
                .ok();
        }
        jit
    }

    /// The engine, started now if this is the first use.
    fn engine(&mut self) -> Result<&mut Engine, String> {
        if self.engine.is_none() {
            let engine = if available() {
                Emitter::new().and_then(|mut emitter| {
                    let mut mem = CodeMemory::new(self.budget);
                    let shim = EntryShim::install(&mut mem)?;
                    if let Some((fid, i, f)) = &self.forced {
                        emitter.force_cache(*fid, i, f);
                    }
                    emitter.cache_loop_free(self.loop_free_cache);
                    Ok(Engine { emitter, mem, shim })
                })
            } else {
                Err("no JIT stencils for this target".to_string())
            };
            match &engine {
                Ok(e) => {
                    let (addr, len) = (e.shim.addr(), e.shim.code_len());
                    self.perf_line(addr, len, "mochi_entry_shim");
                }
                Err(e) => {
                    static ONCE: std::sync::Once = std::sync::Once::new();
                    ONCE.call_once(|| {
                        // Never panic on an unwritable stderr.
                        let _ = writeln!(std::io::stderr(), "mochi: {e}; running interpreter-only");
                    });
                }
            }
            self.engine = Some(engine);
        }
        match self.engine.as_mut() {
            Some(Ok(e)) => Ok(e),
            Some(Err(e)) => Err(e.clone()),
            None => unreachable!("the engine was just started"),
        }
    }

    /// For tests: compile function `fid` caching exactly these slots (see
    /// [`Emitter::force_cache`]).
    pub fn force_cache(&mut self, fid: usize, i64: &[u32], f64: &[u32]) {
        self.forced = Some((fid, i64.to_vec(), f64.to_vec()));
        if let Some(Ok(e)) = &mut self.engine {
            e.emitter.force_cache(fid, i64, f64);
        }
    }

    /// For tests that read a function's frame after it returned: see
    /// [`Emitter::cache_loop_free`].
    pub fn cache_loop_free(&mut self, on: bool) {
        self.loop_free_cache = on;
        if let Some(Ok(e)) = &mut self.engine {
            e.emitter.cache_loop_free(on);
        }
    }

    /// Make `compile` record the layout of function `fid` for [`CopyAndPatch::dump`]
    /// (`--dump-jit`); call before the function is compiled.
    pub fn keep_listing(&mut self, fid: usize) {
        self.listing = Some((fid, None));
    }

    /// Function `fid`'s machine code, disassembled and interleaved with its bytecode
    /// (`--dump-jit`). Compiles the function now if it was not compiled since
    /// [`CopyAndPatch::keep_listing`] (the interpreter ran it, or the JIT was off).
    pub fn dump(&mut self, prog: &Program, fid: usize) -> Result<String, String> {
        if fid >= prog.funcs.len() {
            return Err(format!("no function #{fid}"));
        }
        let have = matches!(&self.listing, Some((f, Some(_))) if *f == fid);
        if !have {
            self.keep_listing(fid);
            self.compile(prog, fid)?;
        }
        match &self.listing {
            Some((_, Some(l))) => Ok(disasm::render(prog, fid, l)),
            _ => Err("the function's layout was not recorded".into()),
        }
    }

    /// Bytes of code memory mapped so far (whole pages, the shim included).
    pub fn mapped_bytes(&self) -> usize {
        match &self.engine {
            Some(Ok(e)) => e.mem.used(),
            _ => 0,
        }
    }

    fn perf_line(&mut self, addr: usize, len: usize, name: &str) {
        if let Some(f) = &mut self.perf_map {
            let _ = writeln!(f, "{addr:x} {len:x} {name}");
        }
    }
}

impl Default for CopyAndPatch {
    fn default() -> Self {
        Self::new()
    }
}

impl Jit for CopyAndPatch {
    fn compile(&mut self, prog: &Program, fid: usize) -> Result<CompiledFn, String> {
        // (the first compile also starts the engine, and counts its time)
        let t0 = Instant::now();
        let ready = self.engine().map(|_| ());
        let listing = match &mut self.listing {
            Some((f, l)) if *f == fid => Some(l.insert(Listing::default())),
            _ => None,
        };
        let r = match (ready, &mut self.engine) {
            (Ok(()), Some(Ok(e))) => e.emitter.emit(&mut e.mem, prog, fid, listing),
            (Err(e), _) => Err(e),
            _ => unreachable!("a started engine"),
        };
        self.stats.compile_nanos += t0.elapsed().as_nanos() as u64;
        match r {
            Ok(e) => {
                self.stats.compiled_functions += 1;
                self.stats.ops_compiled += prog.funcs[fid].code.len() as u64;
                self.stats.stencils_copied += e.stencils_copied as u64;
                self.stats.code_bytes += e.code_bytes as u64;
                let name = format!("mochi:{} [jit]", prog.funcs[fid].name);
                self.perf_line(e.base, e.code_bytes, &name);
                Ok(CompiledFn { entries: e.entries })
            }
            Err(e) => {
                self.stats.failed_compiles += 1;
                if let Some((f, l)) = &mut self.listing {
                    if *f == fid {
                        *l = None;
                    }
                }
                Err(e)
            }
        }
    }

    unsafe fn enter(&self, addr: *const u8, fp: *mut u8, ctx: *mut Ctx) -> u64 {
        let Some(Ok(engine)) = &self.engine else {
            panic!("enter() with an address this JIT never compiled");
        };
        // SAFETY: forwarded from the trait's contract (see `EntryShim::enter`).
        unsafe { engine.shim.enter(addr, fp, ctx) }
    }

    fn stats(&self) -> JitStats {
        self.stats
    }
}

// The driver runs programs on a thread with a big stack and moves the JIT there.
const _: fn() = || {
    fn send<T: Send>() {}
    send::<CopyAndPatch>();
};
