//! One function being lowered: code with symbolic operands, labels, slots per bank, loops.

use crate::hir;
use vm::ops::Op;
use vm::program::Bank;
use vm::Pos;

/// A frame word, symbolically (resolved by `link` once the slot counts are known).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Slot {
    /// Parameter `i` (word `HEADER_WORDS + i`, any bank).
    Param(u32),
    /// Slot `i` of a bank (after the parameters).
    Local(Bank, u32),
    /// Parameter `i` of the frame of the call being prepared (just past this frame).
    Arg(u32),
}

#[derive(Clone, Copy, Debug)]
pub(crate) enum Opnd {
    None,
    Raw(u32),
    Slot(Slot),
    Label(usize),
    /// This function's frame size in words (the `W` operand of calls).
    FrameWords,
}

impl From<Slot> for Opnd {
    fn from(s: Slot) -> Opnd {
        Opnd::Slot(s)
    }
}

/// What `free_loop_slots` restores after a loop: the slot stack, and how many cached globals,
/// views and append views there were before it.
pub(crate) type LoopSlots = ([u32; 3], usize, usize, usize);

pub(crate) struct LoopLabels {
    pub brk: usize,
    pub cont: usize,
}

pub(crate) struct FnBuilder {
    pub fid: u32,
    pub code: Vec<(Op, [Opnd; 3], Pos)>,
    pub labels: Vec<Option<usize>>,
    /// Next free slot and high-water mark, per bank (I64, F64, Cell).
    pub next: [u32; 3],
    /// A slot nothing refers to yet, about to receive an expression (the temporary
    /// `Lowerer::expr` just allocated, a `let`'s new local): taken by the next `expr_to`,
    /// which sets `dst_fresh` when it is that expression's destination (then
    /// `Lowerer::left_operand` may compute a part in it).
    pub fresh: Option<Slot>,
    pub dst_fresh: bool,
    pub max: [u32; 3],
    /// The slot of each local of the hir function, once declared.
    pub locals: Vec<Option<Slot>>,
    pub loops: Vec<LoopLabels>,
    /// Per local: an owned list or string (`super::owned`), whose self-appends grow it in
    /// place.
    pub owned: Vec<bool>,
    /// Globals cached in slots for the loop being lowered (`super::hoist`).
    /// (the slot, and whether the loop assigns the global: then it is stored back after it)
    pub cached_globals: Vec<(hir::GlobalId, Slot, bool)>,
    /// List views made for the loops being lowered (`super::views`): the slot holding the
    /// list and the view's first slot.
    pub views: Vec<(Slot, Slot)>,
    /// Append views open in the loops being lowered (`super::append_views`): the slot holding
    /// the list or string, the view's length slot and the op that closes it.
    pub append_views: Vec<(Slot, Slot, Op)>,
    /// Where the last label was bound (no peephole may look back across it).
    pub last_bound: usize,
    /// While a callee's body is lowered in place of a call (`super::inline`): where its
    /// `return`s go.
    pub inline: Option<super::inline::InlineRet>,
}

pub(crate) fn bank_index(b: Bank) -> usize {
    match b {
        Bank::I64 => 0,
        Bank::F64 => 1,
        Bank::Cell => 2,
    }
}

impl FnBuilder {
    pub fn new(f: &hir::FuncDef, fid: u32) -> Self {
        FnBuilder {
            fid,
            code: Vec::new(),
            labels: Vec::new(),
            next: [0; 3],
            max: [0; 3],
            fresh: None,
            dst_fresh: false,
            locals: vec![None; f.locals.len()],
            loops: Vec::new(),
            owned: super::owned::owned_locals(f),
            cached_globals: Vec::new(),
            views: Vec::new(),
            append_views: Vec::new(),
            last_bound: usize::MAX,
            inline: None,
        }
    }

    /// A fresh slot of `bank` (freed when the enclosing statement or block ends).
    pub fn alloc(&mut self, bank: Bank) -> Slot {
        let i = bank_index(bank);
        let s = Slot::Local(bank, self.next[i]);
        self.next[i] += 1;
        self.max[i] = self.max[i].max(self.next[i]);
        s
    }

    /// Two consecutive slots of `bank` (for ops that read R[x] and R[x+1]).
    pub fn alloc_pair(&mut self, bank: Bank) -> (Slot, Slot) {
        let a = self.alloc(bank);
        let b = self.alloc(bank);
        (a, b)
    }

    pub fn emit(&mut self, op: Op, ops: [Opnd; 3], pos: Pos) {
        debug_assert!(op.operands().len() <= 3);
        self.code.push((op, ops, pos));
    }

    pub fn op1(&mut self, op: Op, a: impl Into<Opnd>, pos: Pos) {
        self.emit(op, [a.into(), Opnd::None, Opnd::None], pos);
    }
    pub fn op2(&mut self, op: Op, a: impl Into<Opnd>, b: impl Into<Opnd>, pos: Pos) {
        self.emit(op, [a.into(), b.into(), Opnd::None], pos);
    }
    pub fn op3(
        &mut self,
        op: Op,
        a: impl Into<Opnd>,
        b: impl Into<Opnd>,
        c: impl Into<Opnd>,
        pos: Pos,
    ) {
        self.emit(op, [a.into(), b.into(), c.into()], pos);
    }

    pub fn new_label(&mut self) -> usize {
        self.labels.push(None);
        self.labels.len() - 1
    }

    pub fn bind(&mut self, l: usize) {
        self.labels[l] = Some(self.code.len());
        self.last_bound = self.code.len();
    }

    /// `dst := G[g]`. Right after `G[g] := src` (no label in between, so nothing else reaches
    /// here) the value is still in `src`: a move, or nothing when `dst` is `src`
    /// (`seed = f(seed)` then a read of `seed`).
    pub fn load_global(&mut self, bank: Bank, dst: Slot, g: hir::GlobalId, pos: Pos) {
        if self.last_bound != self.code.len() {
            if let Some(&(op, [Opnd::Raw(x), Opnd::Slot(src), _], _)) = self.code.last() {
                if op == store_global_op(bank) && x == g {
                    self.mov(bank, dst, src, pos);
                    return;
                }
            }
        }
        self.op2(load_global_op(bank), dst, Opnd::Raw(g), pos);
    }

    pub fn jmp(&mut self, l: usize, pos: Pos) {
        self.emit(Op::Jmp, [Opnd::Label(l), Opnd::None, Opnd::None], pos);
    }

    /// `dst := src` in `bank` (nothing when they are the same slot).
    pub fn mov(&mut self, bank: Bank, dst: Slot, src: Slot, pos: Pos) {
        if dst != src {
            self.op2(mov_op(bank), dst, src, pos);
        }
    }

    /// After a loop: close the append views opened for it, store the globals it promoted
    /// back, forget the globals cached and the views made for it and free their slots.
    pub fn free_loop_slots(&mut self, (next, n, nv, na): LoopSlots, pos: Pos) {
        while self.append_views.len() > na {
            let (obj, v, close) = self.append_views.pop().expect("an open append view");
            self.op2(close, v, obj, pos);
        }
        // (the promoted globals back from their slots: `super::hoist`)
        for i in n..self.cached_globals.len() {
            if let (g, s @ Slot::Local(bank, _), true) = self.cached_globals[i] {
                self.op2(store_global_op(bank), Opnd::Raw(g), s, pos);
            }
        }
        self.cached_globals.truncate(n);
        self.views.truncate(nv);
        self.next = next;
    }

    /// The append view open on the list or string in slot `s`, if a loop being lowered
    /// opened one: its length slot.
    pub fn append_view_of(&self, s: Slot) -> Option<Slot> {
        let mut views = self.append_views.iter();
        views.find(|(l, ..)| *l == s).map(|&(_, v, _)| v)
    }

    /// The view of the list in slot `s`, if a loop being lowered made one.
    pub fn view_of(&self, s: Slot) -> Option<Slot> {
        self.views.iter().find(|(l, _)| *l == s).map(|&(_, v)| v)
    }

    /// Three consecutive slots for a list view, and `ListView` of the list in `list`. Cell
    /// slots: tier 2 caches i64 slots in registers for a whole function, and a view's words
    /// are written and read in the frame (`R` operands), so they must not share a slot with
    /// a cached i64 temporary of another statement. The collector takes the two raw words
    /// for floats (below `TAG_BASE`: the address of a buffer, a length) and the third is the
    /// list itself.
    pub fn make_view(&mut self, list: Slot, pos: Pos) -> Slot {
        let v = self.alloc(Bank::Cell);
        self.alloc(Bank::Cell);
        self.alloc(Bank::Cell);
        self.op2(Op::ListView, v, list, pos);
        self.views.push((list, v));
        v
    }

    /// The slot caching global `g` in the loop being lowered, if any.
    pub fn cached_global(&self, g: hir::GlobalId) -> Option<Slot> {
        self.cached_globals
            .iter()
            .find(|(x, ..)| *x == g)
            .map(|&(_, s, _)| s)
    }

    pub fn local(&self, l: hir::LocalId) -> Slot {
        self.locals[l as usize].expect("local used before its declaration")
    }
}

pub(crate) fn mov_op(b: Bank) -> Op {
    match b {
        Bank::I64 => Op::MovI64,
        Bank::F64 => Op::MovF64,
        Bank::Cell => Op::MovCell,
    }
}

pub(crate) fn ret_op(b: Bank) -> Op {
    match b {
        Bank::I64 => Op::RetI64,
        Bank::F64 => Op::RetF64,
        Bank::Cell => Op::RetCell,
    }
}

pub(crate) fn load_global_op(b: Bank) -> Op {
    match b {
        Bank::I64 => Op::LoadGlobalI64,
        Bank::F64 => Op::LoadGlobalF64,
        Bank::Cell => Op::LoadGlobalCell,
    }
}

pub(crate) fn store_global_op(b: Bank) -> Op {
    match b {
        Bank::I64 => Op::StoreGlobalI64,
        Bank::F64 => Op::StoreGlobalF64,
        Bank::Cell => Op::StoreGlobalCell,
    }
}

pub(crate) fn get_field_op(b: Bank) -> Op {
    match b {
        Bank::I64 => Op::GetFieldI64,
        Bank::F64 => Op::GetFieldF64,
        Bank::Cell => Op::GetFieldCell,
    }
}

pub(crate) fn set_field_op(b: Bank) -> Op {
    match b {
        Bank::I64 => Op::SetFieldI64,
        Bank::F64 => Op::SetFieldF64,
        Bank::Cell => Op::SetFieldCell,
    }
}

pub(crate) fn list_get_op(b: Bank) -> Op {
    match b {
        Bank::I64 => Op::ListGetI64,
        Bank::F64 => Op::ListGetF64,
        Bank::Cell => Op::ListGetCell,
    }
}

/// The op reading a list element through a view (`super::views`).
pub(crate) fn list_get_v_op(b: Bank) -> Op {
    match b {
        Bank::I64 => Op::ListGetI64V,
        Bank::F64 => Op::ListGetF64V,
        Bank::Cell => Op::ListGetCellV,
    }
}

/// The op writing a list element through a view.
pub(crate) fn list_set_v_op(b: Bank) -> Op {
    match b {
        Bank::I64 => Op::ListSetI64V,
        Bank::F64 => Op::ListSetF64V,
        Bank::Cell => Op::ListSetCellV,
    }
}

pub(crate) fn list_set_op(b: Bank) -> Op {
    match b {
        Bank::I64 => Op::ListSetI64,
        Bank::F64 => Op::ListSetF64,
        Bank::Cell => Op::ListSetCell,
    }
}
