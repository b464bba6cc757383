//! Lowering: typed tree (`crate::hir`) -> typed bytecode (`vm::program::Program`).
//!
//! The tree says everything (types, resolved names, conversions, captures), so this pass only
//! chooses ops and slots:
//! - `mod.rs` (this file): the program driver, the constant pool and string interning, and
//!   linking (symbolic slots and labels -> word indices and instruction indices);
//! - `func.rs`: one function being built: slots per bank (a stack allocator: temporaries are
//!   freed at the end of each statement, locals at the end of their block), labels, loops;
//! - `types.rs`: static [`Type`] -> runtime `arenas::TypeId` (interned in the program heap's
//!   type table, shipped in the image);
//! - `stmt.rs`: statements and loops; `expr.rs`: expressions, conditions (fused
//!   compare-and-branch), conversions; `call.rs`: direct and closure calls, argument staging,
//!   closures, builtins.
//!
//! Frame layout (`vm::abi`): header | parameters (one word each, any bank) | i64 | f64 | cell.
//! GC precision rule for arguments: words stored into the *next* frame before a call are not
//! roots until the call pushes that frame, so every argument before the last one that may
//! allocate or call is evaluated into a slot of the current frame first (see `call.rs`).

mod append_views;
mod call;
mod expr;
mod func;
mod hoist;
mod inline;
mod loop_head;
mod owned;
mod select;
mod stmt;
mod types;
mod views;

use std::collections::HashMap;

use crate::hir;
use crate::types::Type;
use arenas::{Cell, Heap, TypeTable};
use func::{FnBuilder, Opnd, Slot};
use vm::error::Error;
use vm::ops::Instr;
use vm::program::{Bank, Function, Globals, Program, RetKind};
use vm::Pos;

pub(crate) type Result<T> = std::result::Result<T, Error>;

/// Lower a checked program to bytecode.
pub fn lower(prog: &hir::Program) -> Result<Program> {
    lower_file(prog, "")
}

/// Lower a checked program to bytecode; `file` is the program's name as the user gave it,
/// quoted by failing `expect`s (`expect condition failed at FILE:LINE: source`).
pub fn lower_file(prog: &hir::Program, file: &str) -> Result<Program> {
    lower_with(prog, file, false)
}

/// [`lower_file`]; with `test_mode` (`mochi test`) main skips the top-level `test` and
/// `bench` blocks and the program lists its top-level tests (`Program::tests`) for the driver
/// to run one by one after main.
pub fn lower_with(prog: &hir::Program, file: &str, test_mode: bool) -> Result<Program> {
    let mut l = Lowerer::new(prog);
    l.file = file.to_string();
    l.test_mode = test_mode;
    l.declare_types();
    let mut builders = Vec::with_capacity(prog.funcs.len());
    for fid in 0..prog.funcs.len() {
        builders.push(l.function(fid as u32)?);
    }
    l.link(builders)
}

pub(crate) struct Lowerer<'p> {
    pub(crate) hir: &'p hir::Program,
    pub(crate) heap: Heap,
    consts: Vec<u64>,
    const_index: HashMap<u64, u32>,
    /// Pairs of consecutive constants (`konst_pair`).
    pair_index: HashMap<(u64, u64), u32>,
    str_consts: HashMap<String, u32>,
    /// StructId / UnionId -> TypeId.
    pub(crate) struct_tids: Vec<u32>,
    pub(crate) union_tids: Vec<u32>,
    type_ids: HashMap<Type, u32>,
    /// The source file's name (for `expect` failures); empty when unknown.
    pub(crate) file: String,
    /// `mochi test`: see [`lower_with`].
    test_mode: bool,
    /// Top-level tests (name, function), collected in test mode.
    tests: Vec<(String, u32)>,
    /// Per function: whether its calls are lowered as its body (`inline`).
    pub(crate) inlinable: Vec<bool>,
}

impl<'p> Lowerer<'p> {
    fn new(hir: &'p hir::Program) -> Self {
        Lowerer {
            hir,
            heap: Heap::new(TypeTable::new()),
            consts: Vec::new(),
            const_index: HashMap::new(),
            pair_index: HashMap::new(),
            str_consts: HashMap::new(),
            struct_tids: Vec::new(),
            union_tids: Vec::new(),
            type_ids: HashMap::new(),
            file: String::new(),
            test_mode: false,
            tests: Vec::new(),
            inlinable: hir.funcs.iter().map(inline::inlinable).collect(),
        }
    }

    /// Index of a 64-bit constant in the pool.
    pub(crate) fn konst(&mut self, bits: u64) -> u32 {
        if let Some(&i) = self.const_index.get(&bits) {
            return i;
        }
        let i = self.consts.len() as u32;
        self.consts.push(bits);
        self.const_index.insert(bits, i);
        i
    }

    /// Index of two consecutive constants `a, b` in the pool (the selects on a comparison
    /// read `K[c]` and `K[c + 1]`).
    pub(crate) fn konst_pair(&mut self, a: u64, b: u64) -> u32 {
        if let Some(&i) = self.pair_index.get(&(a, b)) {
            return i;
        }
        let i = self.consts.len() as u32;
        self.consts.extend([a, b]);
        self.pair_index.insert((a, b), i);
        i
    }

    /// Index of an interned (permanent) string constant.
    pub(crate) fn str_const(&mut self, s: &str) -> u32 {
        if let Some(&i) = self.str_consts.get(s) {
            return i;
        }
        let c = self.heap.alloc_str_permanent(s);
        let i = self.consts.len() as u32;
        self.consts.push(c.0);
        self.str_consts.insert(s.to_string(), i);
        i
    }

    pub(crate) fn nil_const(&mut self) -> u32 {
        self.konst(Cell::NIL.0)
    }

    fn function(&mut self, fid: u32) -> Result<FnBuilder> {
        let f = &self.hir.funcs[fid as usize];
        let mut b = FnBuilder::new(f, fid);
        // Parameters: words 4.. in declaration order.
        for (i, &l) in f.params.iter().enumerate() {
            b.locals[l as usize] = Some(Slot::Param(i as u32));
        }
        // A closure with captures: copy them out of the hidden last parameter.
        if !f.captures.is_empty() {
            let hidden = Slot::Param(f.params.len() as u32);
            for (k, &l) in f.captures.iter().enumerate() {
                let bank = bank_of(&f.locals[l as usize].ty);
                let s = b.alloc(bank);
                b.locals[l as usize] = Some(s);
                b.emit(
                    func::get_field_op(bank),
                    [Opnd::Slot(s), Opnd::Slot(hidden), Opnd::Raw(k as u32)],
                    f.pos,
                );
            }
        }
        for (i, s) in f.body.iter().enumerate() {
            if fid == 0 && self.test_mode && !self.main_stmt_in_test_mode(s) {
                continue;
            }
            if let Some(chain) = select::closing_chain(f, i) {
                let r = b.alloc(Bank::I64);
                self.select_chain(&mut b, &chain, r);
                b.op1(func::ret_op(Bank::I64), r, chain.pos());
                break;
            }
            self.stmt(&mut b, s)?;
        }
        // Falling off the end: void functions (and main) return; others return the zero
        // value of their type.
        let end = f.body.last().map(|s| s.pos).unwrap_or(f.pos);
        match &f.ret {
            Type::Void => b.emit(vm::ops::Op::RetVoid, [Opnd::None; 3], end),
            t => {
                let bank = bank_of(t);
                let s = b.alloc(bank);
                self.zero_into(&mut b, t, s, end)?;
                b.emit(
                    func::ret_op(bank),
                    [Opnd::Slot(s), Opnd::None, Opnd::None],
                    end,
                );
            }
        }
        Ok(b)
    }

    /// `mochi test`: which top-level statements main runs. Everything but the top-level
    /// `test` blocks (collected here, run one by one by the driver after main) and `bench`
    /// blocks (timing output): so each test sees the globals as the whole top level leaves
    /// them (declarations, loops that fill lists, `update`s...), and a top level that prints
    /// still prints. (The reference's test runner runs only the top-level `let` and `fun`
    /// declarations, so a test that depends on an `update` or a loop fails there.)
    fn main_stmt_in_test_mode(&mut self, s: &hir::Stmt) -> bool {
        match &s.kind {
            hir::StmtKind::Test {
                name,
                func: Some(f),
                ..
            } => {
                self.tests.push((name.clone(), *f));
                false
            }
            hir::StmtKind::Bench { .. } => false,
            _ => true,
        }
    }

    fn link(mut self, builders: Vec<FnBuilder>) -> Result<Program> {
        let hir = self.hir;
        let mut funcs: Vec<Function> = Vec::with_capacity(builders.len());
        for (fi, b) in builders.iter().enumerate() {
            let f = &hir.funcs[fi];
            let mut params: Vec<Bank> = f
                .params
                .iter()
                .map(|l| bank_of(&f.locals[*l as usize].ty))
                .collect();
            let closure_param = !f.captures.is_empty();
            if closure_param {
                params.push(Bank::Cell);
            }
            let captures: Vec<u32> = f
                .captures
                .iter()
                .map(|l| self.tid(&f.locals[*l as usize].ty))
                .collect();
            let ptys: Vec<Type> = f
                .params
                .iter()
                .map(|l| f.locals[*l as usize].ty.clone())
                .collect();
            let fn_type = self.tid(&Type::func(ptys, f.ret.clone()));
            funcs.push(Function {
                name: f.name.clone(),
                pos: f.pos,
                params,
                closure_param,
                captures,
                fn_type,
                ret: match f.ret {
                    Type::Void => RetKind::Void,
                    ref t => RetKind::Value(bank_of(t)),
                },
                n_i64: b.max[0],
                n_f64: b.max[1],
                n_cell: b.max[2],
                code: Vec::new(),
                positions: Vec::new(),
            });
        }
        for (fi, b) in builders.into_iter().enumerate() {
            let fun = &funcs[fi];
            let frame = fun.frame_words();
            let word = |s: Slot| -> u32 {
                match s {
                    Slot::Param(i) => fun.param_word(i),
                    Slot::Local(Bank::I64, i) => fun.first_i64_word() + i,
                    Slot::Local(Bank::F64, i) => fun.first_f64_word() + i,
                    Slot::Local(Bank::Cell, i) => fun.first_cell_word() + i,
                    Slot::Arg(i) => frame + vm::abi::HEADER_WORDS + i,
                }
            };
            let mut code = Vec::with_capacity(b.code.len() + 1);
            let mut positions = Vec::with_capacity(b.code.len() + 1);
            // Cell slots start as nil, so the GC never sees a stale root.
            if fun.n_cell > 0 {
                code.push(Instr::new(
                    vm::ops::Op::InitCells,
                    fun.first_cell_word(),
                    fun.n_cell,
                    0,
                ));
                positions.push(fun.pos);
            }
            let shift = code.len();
            for (op, opnds, pos) in &b.code {
                let mut v = [0u32; 3];
                for (i, o) in opnds.iter().enumerate() {
                    v[i] = match *o {
                        Opnd::None => 0,
                        Opnd::Raw(x) => x,
                        Opnd::FrameWords => frame,
                        Opnd::Label(l) => {
                            (b.labels[l].expect("label bound before linking") + shift) as u32
                        }
                        Opnd::Slot(s) => word(s),
                    };
                }
                code.push(Instr::new(*op, v[0], v[1], v[2]));
                positions.push(*pos);
            }
            loop_head::hoist_loop_heads(&mut code);
            funcs[fi].code = code;
            funcs[fi].positions = positions;
        }
        let globals = Globals {
            names: hir
                .globals
                .iter()
                .map(|g| (g.name.clone(), bank_of(&g.ty)))
                .collect(),
        };
        // Every type the program names is interned by now (the image ships the table). (Moved
        // out, not replaced: a `Heap::new` reserves and maps its arenas, which a throwaway heap
        // had done, and undone, on every run.)
        let heap = self.heap;
        let prog = Program {
            funcs,
            consts: self.consts,
            globals,
            heap: Some(heap),
            tests: std::mem::take(&mut self.tests),
        };
        vm::verify::verify(&prog)
            .map_err(|m| Error::ty(Pos::default(), format!("internal error: {m}")))?;
        Ok(prog)
    }
}

/// The bank of a (non-void) static type.
pub(crate) fn bank_of(t: &Type) -> Bank {
    t.bank().unwrap_or(Bank::I64)
}

#[cfg(test)]
mod tests;
