//! Tier 1: the profiling interpreter.
//!
//! A non-recursive loop over typed bytecode: a Mochi call pushes a frame on the VM stack and
//! continues in the same loop; a return pops it (Lua's design). Frames use the layout of
//! `vm::abi`, shared with native code, so the interpreter can resume any frame after a side
//! exit, whichever tier created it.
//!
//! Profiling: every call and every taken backward branch (loop back-edge) adds one to the
//! function's counter; at `--jit-threshold` the function is compiled. The next call enters its
//! native code, and a running loop enters it at its header on the next back-edge (OSR: since
//! both tiers share the frame layout, entering native code at any instruction needs no state
//! translation).

// `!(a < b)` is the NaN-correct "not less than" of JNLtF64/JNLeF64.
#![allow(clippy::neg_cmp_op_on_partial_ord)]

mod stack;

use stack::VmStack;
use vm::abi::{
    Ctx, CtxBlock, FuncInfo, FRAME_CALLER, FRAME_DEST, FRAME_FUNC, FRAME_RET_PC, HEADER_WORDS,
    STATUS_RETURNED,
};
use vm::error::Error;
use vm::jit_api::{CompiledFn, Jit};
use vm::ops::Op;
use vm::prof;
use vm::program::{Bank, Program};
use vm::runtime::{self, Runtime};

use arenas::{ArenaKind, Cell};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JitMode {
    /// Never compile.
    Off,
    /// Compile a function when its calls plus back-edges reach the threshold.
    Auto,
    /// Compile every function before its first instruction runs.
    Always,
}

#[derive(Clone, Copy, Debug)]
pub struct Options {
    pub mode: JitMode,
    pub threshold: u64,
    /// Deepest call nesting before `call stack exceeded`.
    pub max_depth: u64,
    /// VM stack size in 8-byte words.
    pub stack_words: usize,
}

/// `--jit=auto` leaves functions longer than this many ops in the interpreter (HotSpot's
/// `DontCompileHugeMethods` rule). Native code is about 90 bytes per op against the
/// interpreter's 16, so such a function's native body outgrows the L2 cache: a loop calling
/// 7 000 functions in turn compiled to 3.2 MB and ran 1.4x slower than interpreted.
/// `--jit=always` still compiles everything (it is the differential-testing mode).
pub const AUTO_MAX_OPS: usize = 10_000;

/// The default promotion threshold (calls + back-edges).
pub const DEFAULT_THRESHOLD: u64 = 100;

impl Default for Options {
    fn default() -> Self {
        Options {
            mode: JitMode::Auto,
            threshold: DEFAULT_THRESHOLD,
            // 100 000 and 32M words (256 MiB), scaled down under `ulimit -v`.
            max_depth: arenas::limits::max_call_depth(),
            stack_words: arenas::limits::vm_stack_bytes() / 8,
        }
    }
}

/// What a run did, for `--stats`.
#[derive(Clone, Debug, Default)]
pub struct RunStats {
    pub interp_calls: u64,
    pub native_entries: u64,
    pub side_exits: u64,
    pub osr_entries: u64,
    /// Per function (index = function index), filled at the end of the run.
    pub funcs: Vec<FuncStats>,
    /// Side exits per function of the frame that exited (kept during the run).
    side_exits_by_func: Vec<u64>,
}

/// What one function did, for `--stats`.
#[derive(Clone, Copy, Debug, Default)]
pub struct FuncStats {
    /// Calls the interpreter made (calls from native code to native code are not counted).
    pub calls: u64,
    /// Taken loop back-edges the interpreter ran.
    pub back_edges: u64,
    /// Compiled to native code (the tier it ended in is native if so).
    pub compiled: bool,
    /// The compiler refused it (it stays in the interpreter).
    pub failed: bool,
    /// Calls plus back-edges counted when it was compiled.
    pub promoted_at: u64,
    pub code_bytes: u64,
    pub compile_nanos: u64,
    /// Side exits out of its native code.
    pub side_exits: u64,
}

struct Tiering<'j> {
    jit: Option<&'j mut dyn Jit>,
    mode: JitMode,
    threshold: u64,
    counts: Vec<u64>,
    /// Per function: calls made by the interpreter (`counts` minus these = back-edges).
    calls: Vec<u64>,
    /// Per function: (count when compiled, code bytes, compile nanoseconds).
    compiled_info: Vec<(u64, u64, u64)>,
    /// Per function: its native code's entry points, once compiled.
    native: Vec<Option<CompiledFn>>,
    failed: Vec<bool>,
}

impl Tiering<'_> {
    /// Compile `fid` if the policy says so now; returns whether native code exists.
    fn maybe_compile(&mut self, prog: &Program, funcs: &mut [FuncInfo], fid: usize) -> bool {
        if self.native[fid].is_some() {
            return true;
        }
        let Some(jit) = self.jit.as_deref_mut() else {
            return false;
        };
        let due = match self.mode {
            JitMode::Off => false,
            JitMode::Always => true,
            JitMode::Auto => {
                self.counts[fid] >= self.threshold && prog.funcs[fid].code.len() <= AUTO_MAX_OPS
            }
        };
        if !due || self.failed[fid] {
            return false;
        }
        let before = jit.stats();
        let r = {
            let _prof = prof::enter(prof::S_COMPILE | (fid as u64) << 16);
            jit.compile(prog, fid)
        };
        let after = jit.stats();
        self.compiled_info[fid] = (
            self.counts[fid],
            after.code_bytes - before.code_bytes,
            after.compile_nanos - before.compile_nanos,
        );
        prof::compiled(fid, after.compile_nanos - before.compile_nanos);
        match r {
            Ok(c) => {
                funcs[fid].native = c.entry();
                self.native[fid] = Some(c);
                true
            }
            Err(e) => {
                if std::env::var_os("MOCHI_JIT_DEBUG").is_some() {
                    let _ = std::io::Write::write_fmt(
                        &mut std::io::stderr(),
                        format_args!("jit: cannot compile {}: {e}\n", prog.funcs[fid].name),
                    );
                }
                self.failed[fid] = true;
                false
            }
        }
    }
}

/// Run `prog` (taking its heap) in the interpreter with no JIT, keeping what it prints: the
/// result and the output. For tests and embedders.
pub fn run_captured(prog: &mut Program) -> (Result<(), Error>, String) {
    let sink = vm::runtime::CapturedOutput::default();
    let heap = prog.heap.take().expect("a compiled program has its heap");
    let mut rt = Runtime::new(heap, Box::new(sink.clone()));
    let opts = Options {
        mode: JitMode::Off,
        ..Options::default()
    };
    let r = run(prog, &mut rt, None, opts, &mut RunStats::default());
    rt.flush();
    (r, sink.contents())
}

/// Run `prog` from its top level. Output goes through `rt`; a runtime error is returned with
/// the position of the instruction that raised it (output printed before it stays printed).
pub fn run(
    prog: &Program,
    rt: &mut Runtime,
    jit: Option<&mut dyn Jit>,
    opts: Options,
    stats: &mut RunStats,
) -> Result<(), Error> {
    run_with_tests(prog, rt, jit, opts, stats, &mut |_, _, _| {})
}

/// What [`run_with_tests`] calls after each test: the runtime (to print through), the test's
/// index in `Program::tests` and its result.
pub type TestReport<'a> = dyn FnMut(&mut Runtime, usize, Result<(), Error>) + 'a;

/// Run `prog` from its top level, then (`mochi test`) each function of `prog.tests` on its
/// own, with the same globals and heap: a test that fails (a failing `expect` or any runtime
/// error) is reported through `report` and the next one runs. An error in the top level is
/// returned and no test runs.
pub fn run_with_tests(
    prog: &Program,
    rt: &mut Runtime,
    jit: Option<&mut dyn Jit>,
    opts: Options,
    stats: &mut RunStats,
    report: &mut TestReport<'_>,
) -> Result<(), Error> {
    let nf = prog.funcs.len();
    let mut funcs: Vec<FuncInfo> = prog
        .funcs
        .iter()
        .map(|f| FuncInfo::new(f, std::ptr::null()))
        .collect();
    let mut tiering = Tiering {
        jit,
        mode: opts.mode,
        threshold: opts.threshold.max(1),
        counts: vec![0; nf],
        calls: vec![0; nf],
        compiled_info: vec![(0, 0, 0); nf],
        native: (0..nf).map(|_| None).collect(),
        failed: vec![false; nf],
    };
    let mut stack = VmStack::new(opts.stack_words, prog.max_frame_words() as usize);
    rt.attach(prog);
    let ctx = Ctx {
        exit_pc: 0,
        exit_fp: std::ptr::null_mut(),
        depth: 1,
        max_depth: opts.max_depth,
        stack_limit: stack.limit(),
        funcs: funcs.as_ptr(),
        globals: std::ptr::null_mut(), // set by CtxBlock::new
        entry_rsp: std::ptr::null_mut(),
        native_entries: 0,
        rt: rt as *mut Runtime as *mut std::ffi::c_void,
        list_slots: rt.heap.list_slots_base() as *mut u8,
        record_slots: rt.heap.record_slots_base() as *mut u8,
        str_slots: rt.heap.str_slots_base() as *mut u8,
        rsp_limit: std::ptr::null_mut(),
        map_slots: rt.heap.map_slots_base() as *mut u8,
        str_free: rt.heap.str_free_list() as *mut u8,
        list_free: rt.heap.list_free_list() as *mut u8,
        gc: rt.heap.gc_counters() as *mut u8,
        list_bufs: rt.heap.small_list_bufs() as *mut u8,
    };
    // The globals block follows the context in one allocation (native code addresses it from
    // the context register).
    let mut block = CtxBlock::new(ctx, prog.globals.words() as usize);
    // Cell globals start as the empty string (the zero value of the only cell type of this
    // slice), so a function reading one before its declaration ran sees "".
    let empty = rt.heap.empty_str();
    for (i, (_, bank)) in prog.globals.names.iter().enumerate() {
        if *bank == Bank::Cell {
            block.globals()[i] = empty.0;
        }
    }
    let ctx = block.ctx();
    stats.side_exits_by_func = vec![0; nf];
    prof::CTX.store(ctx as *mut Ctx, std::sync::atomic::Ordering::Relaxed);
    prof::STACK_LO.store(stack.base() as usize, std::sync::atomic::Ordering::Relaxed);
    prof::STACK_HI.store(stack.end() as usize, std::sync::atomic::Ordering::Relaxed);
    prof::NFUNCS.store(nf, std::sync::atomic::Ordering::Relaxed);
    let r = interp(prog, ctx, &mut funcs, &mut tiering, &mut stack, stats, 0);
    if r.is_ok() {
        for (i, (_, f)) in prog.tests.iter().enumerate() {
            // A failed test may have left frames behind: start again from the stack's base.
            ctx.depth = 1;
            let t = interp(
                prog,
                ctx,
                &mut funcs,
                &mut tiering,
                &mut stack,
                stats,
                *f as usize,
            );
            if t.is_err() {
                rt.discard_partial_line();
            }
            report(rt, i, t);
        }
    }
    prof::set(prof::S_IDLE);
    prof::CTX.store(std::ptr::null_mut(), std::sync::atomic::Ordering::Relaxed);
    stats.native_entries = ctx.native_entries;
    stats.funcs = (0..nf)
        .map(|f| {
            let (promoted_at, code_bytes, compile_nanos) = tiering.compiled_info[f];
            FuncStats {
                calls: tiering.calls[f],
                back_edges: tiering.counts[f] - tiering.calls[f],
                compiled: tiering.native[f].is_some(),
                failed: tiering.failed[f],
                promoted_at,
                code_bytes,
                compile_nanos,
                side_exits: stats.side_exits_by_func[f],
            }
        })
        .collect();
    stats.interp_calls = tiering.calls.iter().sum();
    r
}

/// Read/write a slot of a frame.
///
/// SAFETY (for every use below): `fp` points into the VM stack at a frame of the function
/// being executed; the verifier (`vm::verify::verify`) guarantees every slot operand is below
/// that function's frame size plus the largest frame, and `VmStack` keeps one largest frame of
/// slack beyond `stack_limit`, which every frame respects.
macro_rules! slot {
    ($fp:expr, $w:expr, $t:ty) => {
        *($fp.add(8 * ($w) as usize) as *mut $t)
    };
}

fn interp(
    prog: &Program,
    ctx: &mut Ctx,
    funcs: &mut [FuncInfo],
    tiering: &mut Tiering,
    stack: &mut VmStack,
    stats: &mut RunStats,
    entry: usize,
) -> Result<(), Error> {
    let mut fid = entry;
    let mut fp: *mut u8 = stack.base();
    // The entry frame: main (or a test function), no caller.
    unsafe {
        slot!(fp, FRAME_FUNC / 8, u64) = entry as u64;
        slot!(fp, FRAME_RET_PC / 8, u64) = 0;
        slot!(fp, FRAME_CALLER / 8, *mut u8) = std::ptr::null_mut();
        slot!(fp, FRAME_DEST / 8, u64) = 0;
    }
    let mut pc = 0usize;
    tiering.counts[entry] += 1;
    tiering.calls[entry] += 1;
    prof::INTERP_FP.store(fp, std::sync::atomic::Ordering::Relaxed);
    prof::set(prof::S_INTERP);

    // `always`: compile every function before the program starts, so native code calls
    // native code from the first instruction on (the differential-testing mode).
    if tiering.mode == JitMode::Always && entry == 0 {
        for f in 1..prog.funcs.len() {
            tiering.maybe_compile(prog, funcs, f);
        }
    }
    if tiering.maybe_compile(prog, funcs, entry) {
        match enter_native(tiering, entry, fp, 0, ctx, stats) {
            None => return Ok(()),
            Some((f, p, c)) => {
                fid = f;
                fp = p;
                pc = c;
            }
        }
    }

    let rt_ptr = ctx.rt as *mut Runtime;
    // Back-edges taken under `--jit=off`, counted in a register and added to the profile
    // when the interpreter leaves the function (`edges_fid`): an increment in memory at every
    // back-edge made a loop-carried store-to-load dependency that bounded tight loops.
    let mut edges: u64 = 0;
    let mut edges_fid = fid;
    let result = 'run: loop {
        if edges != 0 {
            tiering.counts[edges_fid] += edges;
            edges = 0;
        }
        edges_fid = fid;
        // The frame the interpreter runs now, for the sampling profiler (one store per call,
        // return or resumption).
        prof::INTERP_FP.store(fp, std::sync::atomic::Ordering::Relaxed);
        let f = &prog.funcs[fid];
        let code = &f.code[..];
        let consts = &prog.consts[..];
        // Run this function until it calls, returns or side-exits elsewhere.
        'func: loop {
            // SAFETY: the verifier guarantees every jump target is an instruction and every
            // function ends with a return, so `pc` never leaves `code`.
            let ins = unsafe { *code.get_unchecked(pc) };
            let cur = pc;
            pc += 1;
            let err = |msg: &str| Error::runtime(f.positions[cur], msg);
            // SAFETY: see `slot!`; runtime pointer `rt_ptr` is the live Runtime of this run,
            // used only on this thread and never while another reference to it is active.
            unsafe {
                let (a, b, c) = (ins.a, ins.b, ins.c);
                macro_rules! jump_back_check {
                    ($t:expr) => {{
                        let t = $t as usize;
                        if t <= cur {
                            // A loop back-edge: profile, and enter native code at the loop
                            // header if this function is (or just became) compiled.
                            if tiering.mode == JitMode::Off {
                                edges += 1;
                            } else if {
                                tiering.counts[fid] += 1;
                                tiering.maybe_compile(prog, funcs, fid)
                            } {
                                stats.osr_entries += 1;
                                prof::set_osr(fid);
                                match enter_native(tiering, fid, fp, t, ctx, stats) {
                                    None => break 'run Ok(()),
                                    Some((nf, nfp, npc)) => {
                                        fid = nf;
                                        fp = nfp;
                                        pc = npc;
                                        break 'func;
                                    }
                                }
                            }
                        }
                        pc = t;
                    }};
                }
                // Push a frame for `callee` at fp + 8*c (arguments already stored there),
                // its result going to R[b], and continue in it.
                macro_rules! push_call {
                    ($callee:expr, $b:expr, $c:expr) => {{
                        let callee: usize = $callee;
                        let nfp = fp.add(8 * $c as usize);
                        tiering.counts[callee] += 1;
                        // SAFETY: the verifier checks every Call names a function.
                        *tiering.calls.get_unchecked_mut(callee) += 1;
                        let frame_bytes = funcs[callee].frame_bytes as usize;
                        if ctx.depth >= ctx.max_depth || nfp.add(frame_bytes) > ctx.stack_limit {
                            break 'run Err(err("call stack exceeded"));
                        }
                        slot!(nfp, FRAME_FUNC / 8, u64) = callee as u64;
                        slot!(nfp, FRAME_RET_PC / 8, u64) = pc as u64;
                        slot!(nfp, FRAME_CALLER / 8, *mut u8) = fp;
                        slot!(nfp, FRAME_DEST / 8, u64) = 8 * $b as u64;
                        ctx.depth += 1;
                        // A compiled callee is entered through `FuncInfo::native`, already
                        // in cache for `frame_bytes` (the per-pc table would be one more
                        // likely cache miss per call into a cold function).
                        if !funcs[callee].native.is_null()
                            || (tiering.mode != JitMode::Off
                                && tiering.maybe_compile(prog, funcs, callee))
                        {
                            let addr = funcs[callee].native;
                            match enter_native_at(tiering, addr, nfp, ctx, stats) {
                                None => break 'run Ok(()),
                                Some((nf, nfp2, npc)) => {
                                    fid = nf;
                                    fp = nfp2;
                                    pc = npc;
                                }
                            }
                        } else {
                            fid = callee;
                            fp = nfp;
                            pc = 0;
                        }
                        break 'func;
                    }};
                }
                macro_rules! heap {
                    () => {
                        (&(*rt_ptr).heap)
                    };
                }
                macro_rules! heap_mut {
                    () => {
                        (&mut (*rt_ptr).heap)
                    };
                }
                macro_rules! rt_err {
                    ($r:expr) => {
                        match $r {
                            Ok(v) => v,
                            Err(e) => break 'run Err(err(&e.0)),
                        }
                    };
                }
                // Every helper op: one generic path calling the op's routine. The routine
                // reads and writes its operands in the frame; on an error it changed nothing
                // and left the message in the runtime.
                // R[a] := L[R[c]] and L[R[b]] := R[c] for the list L in slot `w` (the list
                // operand of the plain ops, a view's third word for the view ops).
                // R[a] := K[c+1] if R[b] op K[c] (the selects on a comparison with a constant)
                macro_rules! select_k {
                    ($t:ident, $of:expr, $cmp:tt) => {
                        if slot!(fp, b, $t) $cmp ($of)(consts[c as usize]) {
                            slot!(fp, a, u64) = consts[c as usize + 1]
                        }
                    };
                }
                macro_rules! list_get {
                    ($w:expr) => {{
                        let v = Cell(slot!(fp, $w, u64));
                        if !is_kind(v, ArenaKind::List) {
                            break 'run Err(err(NIL_USE));
                        }
                        slot!(fp, a, u64) =
                            rt_err!(heap!().list_get_at(v.0 as u32, slot!(fp, c, i64)))
                    }};
                }
                macro_rules! list_set {
                    ($w:expr) => {{
                        let v = Cell(slot!(fp, $w, u64));
                        if !is_kind(v, ArenaKind::List) {
                            break 'run Err(err(NIL_USE));
                        }
                        rt_err!(heap_mut!().list_set_at(
                            v.0 as u32,
                            slot!(fp, b, i64),
                            slot!(fp, c, u64)
                        ))
                    }};
                }
                macro_rules! run_helper {
                    ($op:expr) => {{
                        let op: Op = $op;
                        let h = op.helper().unwrap_or_else(|| {
                            unreachable!("op {} has no interpreter arm", op.name())
                        });
                        ctx.exit_fp = fp;
                        ctx.exit_pc = cur as u64;
                        if call_helper(h, ctx, fp, a, b, c) {
                            let msg = (*rt_ptr)
                                .pending_error
                                .take()
                                .unwrap_or_else(|| "internal error: helper failed".into());
                            break 'run Err(err(&msg));
                        }
                    }};
                }
                match ins.op {
                    Op::MovI64 => slot!(fp, a, i64) = slot!(fp, b, i64),
                    Op::MovF64 => slot!(fp, a, f64) = slot!(fp, b, f64),
                    Op::MovCell => slot!(fp, a, u64) = slot!(fp, b, u64),
                    Op::ConstI64 | Op::ConstF64 | Op::ConstCell => {
                        slot!(fp, a, u64) = consts[b as usize]
                    }
                    Op::LoadGlobalI64 | Op::LoadGlobalF64 | Op::LoadGlobalCell => {
                        slot!(fp, a, u64) = slot!(ctx.globals, b, u64)
                    }
                    Op::StoreGlobalI64 | Op::StoreGlobalF64 | Op::StoreGlobalCell => {
                        slot!(ctx.globals, a, u64) = slot!(fp, b, u64)
                    }
                    Op::InitCells => {
                        for i in 0..b {
                            slot!(fp, a + i, u64) = Cell::NIL.0;
                        }
                    }
                    Op::AddI64 => match slot!(fp, b, i64).checked_add(slot!(fp, c, i64)) {
                        Some(v) => slot!(fp, a, i64) = v,
                        None => break 'run Err(err("integer overflow")),
                    },
                    Op::SubI64 => match slot!(fp, b, i64).checked_sub(slot!(fp, c, i64)) {
                        Some(v) => slot!(fp, a, i64) = v,
                        None => break 'run Err(err("integer overflow")),
                    },
                    Op::MulI64 => match slot!(fp, b, i64).checked_mul(slot!(fp, c, i64)) {
                        Some(v) => slot!(fp, a, i64) = v,
                        None => break 'run Err(err("integer overflow")),
                    },
                    Op::DivI64 => {
                        let (x, y) = (slot!(fp, b, i64), slot!(fp, c, i64));
                        if y == 0 {
                            break 'run Err(err("division by zero"));
                        }
                        match x.checked_div(y) {
                            Some(v) => slot!(fp, a, i64) = v,
                            None => break 'run Err(err("integer overflow")),
                        }
                    }
                    Op::ModI64 => {
                        let (x, y) = (slot!(fp, b, i64), slot!(fp, c, i64));
                        if y == 0 {
                            break 'run Err(err("division by zero"));
                        }
                        // INT64_MIN % -1 is 0 (wrapping_rem gives exactly that).
                        slot!(fp, a, i64) = x.wrapping_rem(y);
                    }
                    Op::AddI64Imm => match slot!(fp, b, i64).checked_add(c as i32 as i64) {
                        Some(v) => slot!(fp, a, i64) = v,
                        None => break 'run Err(err("integer overflow")),
                    },
                    Op::MulI64Imm => match slot!(fp, b, i64).checked_mul(c as i32 as i64) {
                        Some(v) => slot!(fp, a, i64) = v,
                        None => break 'run Err(err("integer overflow")),
                    },
                    Op::ModI64Imm => {
                        // The lowering never emits a zero divisor; MIN % -1 is 0.
                        slot!(fp, a, i64) = slot!(fp, b, i64).wrapping_rem(c as i32 as i64)
                    }
                    Op::DivI64Pow2 => slot!(fp, a, i64) = vm::ops::div_pow2(slot!(fp, b, i64), c),
                    Op::ModI64Pow2 => slot!(fp, a, i64) = vm::ops::mod_pow2(slot!(fp, b, i64), c),
                    Op::NegI64 => match slot!(fp, b, i64).checked_neg() {
                        Some(v) => slot!(fp, a, i64) = v,
                        None => break 'run Err(err("integer overflow")),
                    },
                    Op::EqI64 => {
                        slot!(fp, a, i64) = (slot!(fp, b, i64) == slot!(fp, c, i64)) as i64
                    }
                    Op::NeI64 => {
                        slot!(fp, a, i64) = (slot!(fp, b, i64) != slot!(fp, c, i64)) as i64
                    }
                    Op::LtI64 => slot!(fp, a, i64) = (slot!(fp, b, i64) < slot!(fp, c, i64)) as i64,
                    Op::LeI64 => {
                        slot!(fp, a, i64) = (slot!(fp, b, i64) <= slot!(fp, c, i64)) as i64
                    }
                    Op::Not => slot!(fp, a, i64) = (slot!(fp, b, i64) == 0) as i64,
                    Op::SelI64K => {
                        if slot!(fp, b, i64) != 0 {
                            slot!(fp, a, u64) = consts[c as usize]
                        }
                    }
                    Op::SelLtI64K => select_k!(i64, |k| k as i64, <),
                    Op::SelLeI64K => select_k!(i64, |k| k as i64, <=),
                    Op::SelGtI64K => select_k!(i64, |k| k as i64, >),
                    Op::SelGeI64K => select_k!(i64, |k| k as i64, >=),
                    Op::SelLtF64K => select_k!(f64, f64::from_bits, <),
                    Op::SelLeF64K => select_k!(f64, f64::from_bits, <=),
                    Op::SelGtF64K => select_k!(f64, f64::from_bits, >),
                    Op::SelGeF64K => select_k!(f64, f64::from_bits, >=),
                    Op::AddF64 => slot!(fp, a, f64) = slot!(fp, b, f64) + slot!(fp, c, f64),
                    Op::SubF64 => slot!(fp, a, f64) = slot!(fp, b, f64) - slot!(fp, c, f64),
                    Op::MulF64 => slot!(fp, a, f64) = slot!(fp, b, f64) * slot!(fp, c, f64),
                    Op::DivF64 => {
                        let y = slot!(fp, c, f64);
                        if y == 0.0 {
                            break 'run Err(err("division by zero"));
                        }
                        slot!(fp, a, f64) = slot!(fp, b, f64) / y;
                    }
                    Op::ModF64 => {
                        let y = slot!(fp, c, f64);
                        if y == 0.0 {
                            break 'run Err(err("division by zero"));
                        }
                        slot!(fp, a, f64) = slot!(fp, b, f64) % y;
                    }
                    Op::NegF64 => slot!(fp, a, f64) = -slot!(fp, b, f64),
                    Op::SqrtF64 => slot!(fp, a, f64) = slot!(fp, b, f64).sqrt(),
                    Op::AbsF64 => slot!(fp, a, f64) = slot!(fp, b, f64).abs(),
                    Op::EqF64 => {
                        slot!(fp, a, i64) = (slot!(fp, b, f64) == slot!(fp, c, f64)) as i64
                    }
                    Op::NeF64 => {
                        slot!(fp, a, i64) = (slot!(fp, b, f64) != slot!(fp, c, f64)) as i64
                    }
                    Op::LtF64 => slot!(fp, a, i64) = (slot!(fp, b, f64) < slot!(fp, c, f64)) as i64,
                    Op::LeF64 => {
                        slot!(fp, a, i64) = (slot!(fp, b, f64) <= slot!(fp, c, f64)) as i64
                    }
                    Op::I64ToF64 => slot!(fp, a, f64) = slot!(fp, b, i64) as f64,
                    Op::Jmp => jump_back_check!(a),
                    Op::JmpTrue => {
                        if slot!(fp, a, i64) != 0 {
                            jump_back_check!(b)
                        }
                    }
                    Op::JmpFalse => {
                        if slot!(fp, a, i64) == 0 {
                            jump_back_check!(b)
                        }
                    }
                    Op::JLtI64 => {
                        if slot!(fp, a, i64) < slot!(fp, b, i64) {
                            jump_back_check!(c)
                        }
                    }
                    Op::IncJLtI64 => match slot!(fp, a, i64).checked_add(1) {
                        Some(v) => {
                            slot!(fp, a, i64) = v;
                            if v < slot!(fp, b, i64) {
                                jump_back_check!(c)
                            }
                        }
                        None => break 'run Err(err("integer overflow")),
                    },
                    Op::JLeI64 => {
                        if slot!(fp, a, i64) <= slot!(fp, b, i64) {
                            jump_back_check!(c)
                        }
                    }
                    Op::JEqI64 => {
                        if slot!(fp, a, i64) == slot!(fp, b, i64) {
                            jump_back_check!(c)
                        }
                    }
                    Op::JNeI64 => {
                        if slot!(fp, a, i64) != slot!(fp, b, i64) {
                            jump_back_check!(c)
                        }
                    }
                    Op::JLtI64Imm => {
                        if slot!(fp, a, i64) < b as i32 as i64 {
                            jump_back_check!(c)
                        }
                    }
                    Op::JLeI64Imm => {
                        if slot!(fp, a, i64) <= b as i32 as i64 {
                            jump_back_check!(c)
                        }
                    }
                    Op::JGtI64Imm => {
                        if slot!(fp, a, i64) > b as i32 as i64 {
                            jump_back_check!(c)
                        }
                    }
                    Op::JGeI64Imm => {
                        if slot!(fp, a, i64) >= b as i32 as i64 {
                            jump_back_check!(c)
                        }
                    }
                    Op::JEqI64Imm => {
                        if slot!(fp, a, i64) == b as i32 as i64 {
                            jump_back_check!(c)
                        }
                    }
                    Op::JNeI64Imm => {
                        if slot!(fp, a, i64) != b as i32 as i64 {
                            jump_back_check!(c)
                        }
                    }
                    Op::JLtF64 => {
                        if slot!(fp, a, f64) < slot!(fp, b, f64) {
                            jump_back_check!(c)
                        }
                    }
                    Op::JLeF64 => {
                        if slot!(fp, a, f64) <= slot!(fp, b, f64) {
                            jump_back_check!(c)
                        }
                    }
                    Op::JNLtF64 => {
                        if !(slot!(fp, a, f64) < slot!(fp, b, f64)) {
                            jump_back_check!(c)
                        }
                    }
                    Op::JNLeF64 => {
                        if !(slot!(fp, a, f64) <= slot!(fp, b, f64)) {
                            jump_back_check!(c)
                        }
                    }
                    Op::JEqF64 => {
                        if slot!(fp, a, f64) == slot!(fp, b, f64) {
                            jump_back_check!(c)
                        }
                    }
                    Op::JNeF64 => {
                        if slot!(fp, a, f64) != slot!(fp, b, f64) {
                            jump_back_check!(c)
                        }
                    }
                    Op::Call => push_call!(a as usize, b, c),
                    Op::CallClosure => {
                        let clo = Cell(slot!(fp, a, u64));
                        if !is_kind(clo, ArenaKind::Record) {
                            break 'run Err(err("call of a nil function value"));
                        }
                        let callee = heap!().closure_func(clo) as usize;
                        let (nparams, hidden) = (&(*rt_ptr).closure_params)[callee];
                        if hidden {
                            // The hidden last parameter: the closure, whose captures the
                            // callee's prologue copies out.
                            slot!(fp, c + HEADER_WORDS + nparams, u64) = clo.0;
                        }
                        push_call!(callee, b, c)
                    }
                    Op::RetI64 | Op::RetF64 | Op::RetCell | Op::RetVoid => {
                        let v = if ins.op == Op::RetVoid {
                            0
                        } else {
                            slot!(fp, a, u64)
                        };
                        ctx.depth -= 1;
                        let caller = slot!(fp, FRAME_CALLER / 8, *mut u8);
                        if caller.is_null() {
                            break 'run Ok(());
                        }
                        if ins.op != Op::RetVoid {
                            let dest = slot!(fp, FRAME_DEST / 8, u64) as usize;
                            *(caller.add(dest) as *mut u64) = v;
                        }
                        pc = slot!(fp, FRAME_RET_PC / 8, u64) as usize;
                        fp = caller;
                        fid = slot!(fp, FRAME_FUNC / 8, u64) as usize;
                        break 'func;
                    }
                    // Through the helpers native code calls (out of line; they set the
                    // profiler's state word).
                    Op::PrintI64 => runtime::mochi_print_i64(ctx, slot!(fp, a, i64)),
                    Op::PrintF64 => runtime::mochi_print_f64(ctx, slot!(fp, a, f64)),
                    Op::PrintBool => runtime::mochi_print_bool(ctx, slot!(fp, a, i64)),
                    Op::PrintStr => runtime::mochi_print_str(ctx, slot!(fp, a, u64)),
                    Op::StrLen => {
                        let v = Cell(slot!(fp, b, u64));
                        if !is_kind(v, ArenaKind::Str) {
                            break 'run Err(err(NIL_USE));
                        }
                        slot!(fp, a, i64) = heap!().str_runes(v)
                    }
                    Op::ListLen => {
                        let v = Cell(slot!(fp, b, u64));
                        if !is_kind(v, ArenaKind::List) {
                            break 'run Err(err(NIL_USE));
                        }
                        slot!(fp, a, i64) = heap!().list_len_at(v.0 as u32)
                    }
                    Op::ListGetI64 | Op::ListGetF64 | Op::ListGetCell => list_get!(b),
                    Op::ListSetI64 | Op::ListSetF64 | Op::ListSetCell => list_set!(a),
                    // A list view: tier 2 reads the elements through its first two words;
                    // the interpreter runs the view ops as the plain ones, on the list in the
                    // third word.
                    Op::ListView => {
                        let v = Cell(slot!(fp, b, u64));
                        let (data, len) = if is_kind(v, ArenaKind::List) {
                            heap!().list_view_at(v.0 as u32)
                        } else {
                            (0, 0)
                        };
                        slot!(fp, a, u64) = data;
                        slot!(fp, a + 1, u64) = len;
                        slot!(fp, a + 2, u64) = v.0;
                    }
                    Op::ListGetI64V | Op::ListGetF64V | Op::ListGetCellV => list_get!(b + 2),
                    Op::ListSetI64V | Op::ListSetF64V | Op::ListSetCellV => list_set!(a + 2),
                    Op::GetFieldI64 | Op::GetFieldF64 | Op::GetFieldCell => {
                        let v = Cell(slot!(fp, b, u64));
                        if !is_kind(v, ArenaKind::Record) {
                            break 'run Err(err(NIL_USE));
                        }
                        slot!(fp, a, u64) = heap!().record_get_at(v.0 as u32, c as usize)
                    }
                    Op::SetFieldI64 | Op::SetFieldF64 | Op::SetFieldCell => {
                        let v = Cell(slot!(fp, a, u64));
                        if !is_kind(v, ArenaKind::Record) {
                            break 'run Err(err(NIL_USE));
                        }
                        heap_mut!().record_set_at(v.0 as u32, b as usize, slot!(fp, c, u64))
                    }
                    Op::JmpNotType => {
                        let v = Cell(slot!(fp, a, u64));
                        let is = is_kind(v, ArenaKind::Record) && heap!().record_type(v) == b;
                        if !is {
                            jump_back_check!(c)
                        }
                    }
                    Op::JmpNil => {
                        if Cell(slot!(fp, a, u64)).is_nil() {
                            jump_back_check!(b)
                        }
                    }
                    Op::JmpNotNil => {
                        if !Cell(slot!(fp, a, u64)).is_nil() {
                            jump_back_check!(b)
                        }
                    }
                    Op::F64ToI64 => {
                        let x = slot!(fp, b, f64);
                        // In range: -2^63 <= x < 2^63 (NaN fails both tests).
                        if (-9.223372036854776e18..9.223372036854776e18).contains(&x) {
                            slot!(fp, a, i64) = x as i64;
                        } else {
                            break 'run Err(err("integer overflow"));
                        }
                    }
                    Op::AbsI64 => match slot!(fp, b, i64).checked_abs() {
                        Some(v) => slot!(fp, a, i64) = v,
                        None => break 'run Err(err("integer overflow")),
                    },
                    // Typed fast paths of helper ops: the common case inline, everything
                    // else (growth, other key kinds, errors) through the op's routine.
                    Op::MapGet => {
                        let m = Cell(slot!(fp, b, u64));
                        match heap!().map_get_int_fast(m, slot!(fp, c, i64)) {
                            Some(v) => slot!(fp, a, u64) = v,
                            None => run_helper!(Op::MapGet),
                        }
                    }
                    Op::MapSet => {
                        let m = Cell(slot!(fp, a, u64));
                        if !heap_mut!().map_set_int_fast(m, slot!(fp, b, i64), slot!(fp, c, u64)) {
                            run_helper!(Op::MapSet)
                        }
                    }
                    Op::UnboxList => {
                        let v = slot!(fp, b, u64);
                        if Cell(v).is_handle_of(ArenaKind::List) {
                            slot!(fp, a, u64) = v;
                        } else {
                            run_helper!(Op::UnboxList)
                        }
                    }
                    Op::ListPush => {
                        let l = Cell(slot!(fp, a, u64));
                        if !heap_mut!().list_push_fast(l, slot!(fp, b, u64)) {
                            run_helper!(Op::ListPush)
                        }
                    }
                    Op::ListPushVI64 | Op::ListPushVF64 => {
                        let (l, n) = (Cell(slot!(fp, b, u64)), slot!(fp, a, u64));
                        if heap_mut!().list_view_push_fast(l, n, slot!(fp, c, u64)) {
                            slot!(fp, a, u64) = n + 1;
                            // (skips the slow case, ListPushVGrow, next)
                            pc += 1;
                        }
                    }
                    Op::AppendStrV => {
                        let (v, t) = (slot!(fp, a, u64), Cell(slot!(fp, c, u64)));
                        if let Some(n) = heap_mut!().str_view_append_fast(v, t) {
                            slot!(fp, a, u64) = n;
                            // (skips the slow case, AppendStrVGrow, next)
                            pc += 1;
                        }
                    }
                    Op::AppendStrVLit => {
                        let v = slot!(fp, a, u64);
                        if let Some(n) = heap_mut!().str_view_append_lit(v, consts[c as usize]) {
                            slot!(fp, a, u64) = n;
                            // (skips the slow case, AppendStrVLitGrow, next)
                            pc += 1;
                        }
                    }
                    Op::AppendStr => {
                        let (s, t) = (Cell(slot!(fp, a, u64)), Cell(slot!(fp, b, u64)));
                        if !heap_mut!().str_append_fast(s, t) {
                            run_helper!(Op::AppendStr)
                        }
                    }
                    op => run_helper!(op),
                }
            }
        }
    };
    tiering.counts[edges_fid] += edges;
    result
}

/// Run a helper op's routine with the profiler's state word saying so; true when it failed.
/// Out of line so that the dispatch loop's code stays as it was without a profiler (an
/// inlined pair of state stores here made the whole loop 1.5x slower).
#[inline(never)]
fn call_helper(h: vm::ops::HelperFn, ctx: &mut Ctx, fp: *mut u8, a: u32, b: u32, c: u32) -> bool {
    prof::set(prof::S_HELPER);
    // SAFETY: as at the call site: `fp` is the current frame, `ctx` the live context.
    let failed = unsafe { h(ctx, fp, a, b, c) } != 0;
    prof::set(prof::S_INTERP);
    failed
}

/// The error for a typed container/field op that finds nil (or another kind) where its
/// static type promised a list, string or record.
const NIL_USE: &str = "invalid use of nil value";

#[inline(always)]
fn is_kind(c: Cell, k: ArenaKind) -> bool {
    c.is_handle_of(k) || is_kind_slow(c, k)
}

/// `is_kind` by the general decoding (every tag `Cell::kind` calls a handle), out of the
/// typed ops' hot path.
#[cold]
#[inline(never)]
fn is_kind_slow(c: Cell, k: ArenaKind) -> bool {
    matches!(c.arena(), Some((kk, _)) if kk == k)
}

/// Enter the native code of the compiled function `fid` for its frame `fp` at instruction
/// `pc` (pc 0, or a loop header: the entry points native code has). Returns where the
/// interpreter continues, or None when the program ended.
#[inline(never)]
fn enter_native(
    tiering: &Tiering,
    fid: usize,
    fp: *mut u8,
    pc: usize,
    ctx: &mut Ctx,
    stats: &mut RunStats,
) -> Option<(usize, *mut u8, usize)> {
    let addrs = tiering.native[fid]
        .as_ref()
        .expect("entered a compiled function");
    let addr = addrs.at(pc);
    assert!(
        !addr.is_null(),
        "pc {pc} is not an entry point of the native code"
    );
    enter_native_at(tiering, addr, fp, ctx, stats)
}

/// Enter native code at `addr`, an entry point (pc 0 or a loop header) of the compiled
/// function whose frame is `fp`; see [`enter_native`].
#[inline(never)]
fn enter_native_at(
    tiering: &Tiering,
    addr: *const u8,
    fp: *mut u8,
    ctx: &mut Ctx,
    stats: &mut RunStats,
) -> Option<(usize, *mut u8, usize)> {
    let jit = tiering.jit.as_deref().expect("native code implies a JIT");
    // SAFETY: `fp` is a live frame of the function `addr` belongs to, stopped at the pc `addr`
    // is the entry of (callers pass a frame they just pushed with the function's entry, or the
    // current frame with a loop header's entry), and `ctx` is fully
    // initialised (see `Jit::enter`).
    prof::NATIVE_BASE.store(fp, std::sync::atomic::Ordering::Relaxed);
    prof::set(prof::S_NATIVE | prof::NATIVE_BIT);
    let status = unsafe { jit.enter(addr, fp, ctx) };
    if status != STATUS_RETURNED {
        prof::set(prof::S_SIDE_EXIT);
    }
    let r = resume_after_native(status, fp, ctx, stats);
    prof::set(prof::S_INTERP);
    r
}

/// Where the interpreter continues after native code returned `status` for the frame it
/// entered at `entered_fp`: `None` when the entry frame (main) returned.
fn resume_after_native(
    status: u64,
    entered_fp: *mut u8,
    ctx: &Ctx,
    stats: &mut RunStats,
) -> Option<(usize, *mut u8, usize)> {
    // SAFETY: frames on the VM stack stay valid; native code keeps headers up to date.
    unsafe {
        if status == STATUS_RETURNED {
            // The entered frame returned (its result is already in the caller's slot).
            let caller = slot!(entered_fp, FRAME_CALLER / 8, *mut u8);
            if caller.is_null() {
                return None;
            }
            let pc = slot!(entered_fp, FRAME_RET_PC / 8, u64) as usize;
            let fid = slot!(caller, FRAME_FUNC / 8, u64) as usize;
            Some((fid, caller, pc))
        } else {
            stats.side_exits += 1;
            let fp = ctx.exit_fp;
            let fid = slot!(fp, FRAME_FUNC / 8, u64) as usize;
            if let Some(n) = stats.side_exits_by_func.get_mut(fid) {
                *n += 1;
            }
            Some((fid, fp, ctx.exit_pc as usize))
        }
    }
}
