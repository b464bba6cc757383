//! A tiny hand-built VM for running compiled code in tests: a VM stack, a globals block, a
//! `FuncInfo` table and a context, with no interpreter behind it.
#![allow(dead_code)]

use tier2_jit::CopyAndPatch;
use vm::abi::{Ctx, CtxBlock, FuncInfo, HEADER_WORDS};
use vm::jit_api::{CompiledFn, Jit};
use vm::ops::{Instr, Op};
use vm::program::{Bank, Function, Globals, Program, RetKind};
use vm::Pos;

pub const SENTINEL: u64 = 0x5a5a_5a5a_5a5a_5a5a;

pub fn ins(op: Op, a: u32, b: u32, c: u32) -> Instr {
    Instr::new(op, a, b, c)
}

/// A function returning an int, with `n_*` slots per bank (slot words start at 4).
pub fn func(name: &str, n_i64: u32, n_f64: u32, n_cell: u32, code: Vec<Instr>) -> Function {
    Function {
        name: name.to_string(),
        pos: Pos { line: 1, col: 1 },
        params: vec![],
        closure_param: false,
        captures: vec![],
        fn_type: 0,
        ret: RetKind::Value(Bank::I64),
        n_i64,
        n_f64,
        n_cell,
        positions: vec![Pos { line: 1, col: 1 }; code.len()],
        code,
    }
}

pub fn program(funcs: Vec<Function>, consts: Vec<u64>) -> Program {
    Program {
        funcs,
        consts,
        globals: Globals::default(),
        heap: None,
        tests: Vec::new(),
    }
}

pub const STACK_WORDS: usize = 1 << 16;

pub struct Machine {
    pub prog: Program,
    pub jit: CopyAndPatch,
    pub compiled: Vec<Option<CompiledFn>>,
    pub infos: Vec<FuncInfo>,
    pub stack: Vec<u64>,
    /// The context, followed by 64 global words.
    pub block: CtxBlock,
}

impl Machine {
    /// Point the context at `rt` and its heap's tables (what `tier1_interp` does for a run):
    /// helper ops need the runtime, inline allocation the free list and counters.
    #[allow(dead_code)]
    pub fn attach_runtime(&mut self, rt: &mut vm::runtime::Runtime) {
        let c = self.ctx();
        c.list_slots = rt.heap.list_slots_base() as *mut u8;
        c.record_slots = rt.heap.record_slots_base() as *mut u8;
        c.str_slots = rt.heap.str_slots_base() as *mut u8;
        c.map_slots = rt.heap.map_slots_base() as *mut u8;
        c.str_free = rt.heap.str_free_list() as *mut u8;
        c.list_free = rt.heap.list_free_list() as *mut u8;
        c.gc = rt.heap.gc_counters() as *mut u8;
        c.list_bufs = rt.heap.small_list_bufs() as *mut u8;
        c.rt = rt as *mut vm::runtime::Runtime as *mut std::ffi::c_void;
    }
    /// Compile the functions listed in `compile`; the others have no native code.
    pub fn new(prog: Program, compile: &[usize]) -> Machine {
        let mut jit = CopyAndPatch::new();
        // (the tests read results from the frame after the function returned)
        jit.cache_loop_free(false);
        let mut compiled: Vec<Option<CompiledFn>> = (0..prog.funcs.len()).map(|_| None).collect();
        for &f in compile {
            compiled[f] = Some(jit.compile(&prog, f).expect("compile"));
        }
        let infos: Vec<FuncInfo> = prog
            .funcs
            .iter()
            .zip(&compiled)
            .map(|(f, c)| FuncInfo::new(f, c.as_ref().map_or(std::ptr::null(), |c| c.entry())))
            .collect();
        let mut stack = vec![SENTINEL; STACK_WORDS];
        let ctx = Ctx {
            exit_pc: u64::MAX,
            exit_fp: std::ptr::null_mut(),
            depth: 0,
            max_depth: 100_000,
            // SAFETY: in bounds of the stack vector (which is never reallocated).
            stack_limit: unsafe { stack.as_mut_ptr().add(STACK_WORDS - 256) } as *mut u8,
            funcs: infos.as_ptr(),
            globals: std::ptr::null_mut(),
            entry_rsp: std::ptr::null_mut(),
            native_entries: 0,
            rt: std::ptr::null_mut(),
            list_slots: std::ptr::null_mut(),
            record_slots: std::ptr::null_mut(),
            str_slots: std::ptr::null_mut(),
            rsp_limit: std::ptr::null_mut(),
            map_slots: std::ptr::null_mut(),
            str_free: std::ptr::null_mut(),
            list_free: std::ptr::null_mut(),
            gc: std::ptr::null_mut(),
            list_bufs: std::ptr::null_mut(),
        };
        let mut block = CtxBlock::new(ctx, 64);
        block.globals().fill(SENTINEL);
        Machine {
            prog,
            jit,
            compiled,
            infos,
            stack,
            block,
        }
    }

    pub fn ctx(&mut self) -> &mut Ctx {
        self.block.ctx()
    }

    pub fn globals(&mut self) -> &mut [u64] {
        self.block.globals()
    }

    pub fn fp(&mut self) -> *mut u8 {
        self.stack.as_mut_ptr() as *mut u8
    }

    /// Word `w` of the entry frame (at the stack base).
    pub fn set(&mut self, w: u32, v: u64) {
        self.stack[w as usize] = v;
    }
    pub fn get(&self, w: u32) -> u64 {
        self.stack[w as usize]
    }
    pub fn set_f(&mut self, w: u32, v: f64) {
        self.set(w, v.to_bits());
    }
    pub fn get_f(&self, w: u32) -> f64 {
        f64::from_bits(self.get(w))
    }

    /// Run function `fid` from pc 0 on the frame at the stack base (depth 1 on entry, as if
    /// the interpreter had pushed it).
    pub fn run(&mut self, fid: usize) -> u64 {
        self.run_at(fid, 0)
    }

    pub fn run_at(&mut self, fid: usize, pc: usize) -> u64 {
        self.stack[0] = fid as u64;
        self.stack[1] = 0;
        self.stack[2] = 0;
        self.stack[3] = 0;
        assert_eq!(HEADER_WORDS, 4);
        self.ctx().depth = 1;
        self.ctx().exit_pc = u64::MAX;
        self.ctx().exit_fp = std::ptr::null_mut();
        let addr = self.compiled[fid].as_ref().expect("compiled").at(pc);
        assert!(
            !addr.is_null(),
            "pc {pc} is not an entry point of the native code"
        );
        let fp = self.fp();
        let ctx: *mut Ctx = self.block.ctx_ptr();
        // SAFETY: fp is the base of a stack with room for every frame of these tests, ctx is
        // fully initialised and points at vectors owned by `self`, addr is compiled code of
        // `fid` owned by `self.jit`.
        unsafe { self.jit.enter(addr, fp, ctx) }
    }
}

pub const I32_MIN: i64 = i32::MIN as i64;
pub const I32_MAX: i64 = i32::MAX as i64;

/// Int operands around the interesting boundaries (32-bit immediates, multiplication overflow
/// at sqrt(2^63), the int64 limits), shared by the patch tests.
pub const INTS: &[i64] = &[
    0,
    1,
    -1,
    2,
    -2,
    3,
    -3,
    7,
    -7,
    10,
    I32_MIN,
    I32_MAX,
    I32_MIN - 1,
    I32_MAX + 1,
    1 << 32,
    3_037_000_499,
    3_037_000_500,
    i64::MIN,
    i64::MIN + 1,
    i64::MAX,
    i64::MAX - 1,
];
