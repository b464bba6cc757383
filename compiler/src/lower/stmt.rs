//! Statements: declarations, assignments, `if`, loops, `return`, `expect`, test/bench blocks.
//!
//! Temporaries live until the end of their statement (the slot stack is reset after each
//! one); a block's locals until the end of the block.

use super::func::{
    list_get_op, list_set_op, set_field_op, store_global_op, FnBuilder, LoopLabels, LoopSlots,
    Opnd, Slot,
};
use super::{bank_of, Lowerer, Result};
use crate::hir::{Expr, ExprKind, Place, Stmt, StmtKind};
use crate::types::Type;
use vm::error::Error;
use vm::ops::Op;
use vm::program::Bank;
use vm::Pos;

impl Lowerer<'_> {
    pub(crate) fn block(&mut self, b: &mut FnBuilder, stmts: &[Stmt]) -> Result<()> {
        let mark = b.next;
        for s in stmts {
            self.stmt(b, s)?;
        }
        b.next = mark;
        Ok(())
    }

    pub(crate) fn stmt(&mut self, b: &mut FnBuilder, s: &Stmt) -> Result<()> {
        let pos = s.pos;
        match &s.kind {
            StmtKind::Let { local, init } => {
                let ty = &self.hir.funcs[b.fid as usize].locals[*local as usize].ty;
                let slot = b.alloc(bank_of(ty));
                let mark = b.next;
                // (A new local: its initializer cannot refer to it.)
                b.fresh = Some(slot);
                self.expr_to(b, init, slot)?;
                b.next = mark;
                b.locals[*local as usize] = Some(slot);
            }
            StmtKind::Assign { place, value } => {
                let mark = b.next;
                self.assign(b, place, value, pos)?;
                b.next = mark;
            }
            StmtKind::Expr(e) => {
                let mark = b.next;
                self.expr_effect(b, e)?;
                b.next = mark;
            }
            StmtKind::If { cond, then, els } => {
                let mark = b.next;
                let else_l = b.new_label();
                self.cond_jump(b, cond, false, else_l)?;
                b.next = mark;
                self.block(b, then)?;
                if els.is_empty() {
                    b.bind(else_l);
                } else {
                    let end = b.new_label();
                    b.jmp(end, pos);
                    b.bind(else_l);
                    self.block(b, els)?;
                    b.bind(end);
                }
            }
            StmtKind::While { cond, body } => {
                let hoisted = self.loop_slots(b, &[cond], body, pos);
                // jmp test; body: ...; test: if cond goto body (the back-edge).
                let (body_l, test_l, end_l) = (b.new_label(), b.new_label(), b.new_label());
                b.jmp(test_l, pos);
                b.bind(body_l);
                b.loops.push(LoopLabels {
                    brk: end_l,
                    cont: test_l,
                });
                self.block(b, body)?;
                b.loops.pop();
                b.bind(test_l);
                let mark = b.next;
                self.cond_jump(b, cond, true, body_l)?;
                b.next = mark;
                b.bind(end_l);
                b.free_loop_slots(hoisted, pos);
            }
            StmtKind::ForRange {
                var,
                start,
                end,
                body,
            } => {
                let hoisted = self.loop_slots(b, &[start, end], body, pos);
                // i := start; hi := end; if hi <= i goto end; body: ...; cont:
                // IncJLtI64 i, hi, body; end:
                let mark = b.next;
                let i = b.alloc(Bank::I64);
                self.expr_to(b, start, i)?;
                let hi = match &end.kind {
                    ExprKind::Local(l)
                        if !self.hir.funcs[b.fid as usize].locals[*l as usize].mutable
                            || !assigns_local(body, *l) =>
                    {
                        b.local(*l)
                    }
                    _ => {
                        let hi = b.alloc(Bank::I64);
                        self.expr_to(b, end, hi)?;
                        hi
                    }
                };
                b.locals[*var as usize] = Some(i);
                self.counted_loop(b, i, hi, body, pos, |_| {})?;
                b.next = mark;
                b.free_loop_slots(hoisted, pos);
            }
            StmtKind::ForEach {
                var,
                iterable,
                body,
            } => {
                let hoisted = self.loop_slots(b, &[iterable], body, pos);
                self.for_each(b, *var, iterable, body, pos)?;
                b.free_loop_slots(hoisted, pos);
            }
            StmtKind::Break => {
                let l = b
                    .loops
                    .last()
                    .ok_or_else(|| Error::ty(pos, "break outside a loop"))?;
                let t = l.brk;
                b.jmp(t, pos);
            }
            StmtKind::Continue => {
                let l = b
                    .loops
                    .last()
                    .ok_or_else(|| Error::ty(pos, "continue outside a loop"))?;
                let t = l.cont;
                b.jmp(t, pos);
            }
            StmtKind::Return(e) if b.inline.is_some() => {
                let mark = b.next;
                self.inline_return(b, e.as_ref(), pos)?;
                b.next = mark;
            }
            StmtKind::Return(e) => {
                let mark = b.next;
                let ret = self.hir.funcs[b.fid as usize].ret.clone();
                match (e, &ret) {
                    (Some(e), t) if *t != Type::Void && e.ty != Type::Void => {
                        let s = self.expr(b, e)?;
                        b.op1(super::func::ret_op(bank_of(t)), s, pos);
                    }
                    (Some(e), _) => {
                        self.expr_effect(b, e)?;
                        b.emit(Op::RetVoid, [Opnd::None; 3], pos);
                    }
                    (None, Type::Void) => b.emit(Op::RetVoid, [Opnd::None; 3], pos),
                    (None, t) => {
                        let bank = bank_of(t);
                        let s = b.alloc(bank);
                        let t = t.clone();
                        self.zero_into(b, &t, s, pos)?;
                        b.op1(super::func::ret_op(bank), s, pos);
                    }
                }
                b.next = mark;
            }
            StmtKind::Expect { cond, source } => {
                let mark = b.next;
                let ok = b.new_label();
                self.cond_jump(b, cond, true, ok)?;
                let at = if self.file.is_empty() {
                    pos.line.to_string()
                } else {
                    format!("{}:{}", self.file, pos.line)
                };
                let msg = format!("expect condition failed at {at}: {}", source.trim());
                let k = self.str_const(&msg);
                b.op1(Op::Fail, Opnd::Raw(k), pos);
                b.bind(ok);
                b.next = mark;
            }
            StmtKind::Test {
                func: Some(func), ..
            } => {
                // `mochi run`: the test runs inline, here (`mochi test` skips it in main:
                // see `Lowerer::main_stmt_in_test_mode`).
                let call = Expr {
                    kind: ExprKind::Call {
                        func: *func,
                        args: vec![],
                    },
                    ty: Type::Void,
                    pos,
                };
                let mark = b.next;
                self.expr_effect(b, &call)?;
                b.next = mark;
            }
            StmtKind::Test { body, .. } => self.block(b, body)?,
            StmtKind::Bench { name, body } => {
                // start time and allocated bytes in consecutive i64 slots (BenchStart writes
                // R[a] and R[a+1]; BenchEnd reads both)
                let (t0, _) = b.alloc_pair(Bank::I64);
                b.op1(Op::BenchStart, t0, pos);
                self.block(b, body)?;
                let k = self.str_const(name);
                b.op2(Op::BenchEnd, t0, Opnd::Raw(k), pos);
            }
        }
        Ok(())
    }

    /// Before a loop, the slots it reads instead of globals and lists: load the globals it
    /// reads and never assigns, if it calls nothing (see `super::hoist`), and make views of
    /// the lists it indexes (`super::views`). Returns what `free_loop_slots` needs after the
    /// loop.
    fn loop_slots(
        &mut self,
        b: &mut FnBuilder,
        exprs: &[&Expr],
        body: &[Stmt],
        pos: Pos,
    ) -> LoopSlots {
        let saved = (
            b.next,
            b.cached_globals.len(),
            b.views.len(),
            b.append_views.len(),
        );
        let inlined = super::hoist::Inlined {
            funcs: &self.hir.funcs,
            inlinable: &self.inlinable,
        };
        let uses = super::hoist::LoopUse::of(exprs, body, inlined);
        let promoted = match self.test_mode {
            false => uses.promoted(),
            true => Vec::new(),
        };
        let globals = uses.invariant().into_iter().map(|g| (g, false));
        for (g, written) in globals.chain(promoted.into_iter().map(|g| (g, true))) {
            if b.cached_global(g).is_some() {
                continue;
            }
            let bank = bank_of(&self.hir.globals[g as usize].ty);
            let s = b.alloc(bank);
            b.load_global(bank, s, g, pos);
            b.cached_globals.push((g, s, written));
        }
        // Views of the lists it indexes through a variable it never writes (a global it
        // assigns may be in a slot too, promoted: no view of that).
        let mut made = 0;
        for base in super::views::indexed_lists(exprs, body) {
            let list = match base {
                super::views::Base::Local(l) => b.locals[l as usize],
                super::views::Base::Global(g) if uses.writes.contains(&g) => None,
                super::views::Base::Global(g) => b.cached_global(g),
            };
            let Some(list) = list else { continue };
            if b.view_of(list).is_none() && made < super::views::MAX_VIEWS {
                b.make_view(list, pos);
                made += 1;
            }
        }
        // Append views of the owned lists it only pushes onto.
        for l in super::append_views::appended_only(exprs, body) {
            let (Some(list), true) = (b.locals[l as usize], b.owned[l as usize]) else {
                continue;
            };
            let (open, close) = match &self.hir.funcs[b.fid as usize].locals[l as usize].ty {
                Type::List(e) if bank_of(e) != Bank::Cell => {
                    (Op::ListAppendOpen, Op::ListAppendClose)
                }
                Type::Str => (Op::AppendStrOpen, Op::AppendStrClose),
                _ => continue,
            };
            if b.append_view_of(list).is_none() {
                let v = b.alloc(Bank::I64);
                b.op2(open, v, list, pos);
                b.append_views.push((list, v, close));
            }
        }
        saved
    }

    fn assign(&mut self, b: &mut FnBuilder, place: &Place, value: &Expr, pos: Pos) -> Result<()> {
        match place {
            Place::Local(l) => {
                let dst = b.local(*l);
                // `xs = append(xs, v)` or `s = s + t ...` on a list or string no one else can
                // see: grow it in place. Every piece is evaluated before the first append
                // (a piece may read the local: `s = s + "," + str(len(s))`).
                if b.owned[*l as usize] {
                    if let Some(pieces) = super::owned::self_append(*l, value) {
                        // Through an append view, each piece is a fast op followed by its slow
                        // case, and a short string literal is appended as packed bytes (no
                        // string constant loaded).
                        let view = b.append_view_of(dst);
                        let op = match (view, &value.ty) {
                            (None, Type::Str) => Op::AppendStr,
                            (None, _) => Op::ListPush,
                            (Some(_), Type::Str) => Op::AppendStrV,
                            (Some(_), Type::List(e)) if bank_of(e) == Bank::F64 => Op::ListPushVF64,
                            (Some(_), _) => Op::ListPushVI64,
                        };
                        let mut appends = Vec::with_capacity(pieces.len());
                        for v in pieces {
                            let lit = match (&v.kind, view) {
                                (ExprKind::Str(s), Some(_)) => {
                                    arenas::heap::strings::pack_literal(s)
                                }
                                _ => None,
                            };
                            appends.push(match lit {
                                Some(w) => (Op::AppendStrVLit, Opnd::Raw(self.konst(w))),
                                None => (op, Opnd::Slot(self.expr(b, v)?)),
                            });
                        }
                        for (op, piece) in appends {
                            match view {
                                Some(v) => {
                                    b.op3(op, v, dst, piece, value.pos);
                                    let slow = op.slow_case().expect("a fast append's slow case");
                                    b.op3(slow, v, dst, piece, value.pos);
                                }
                                None => b.op2(op, dst, piece, value.pos),
                            }
                        }
                        return Ok(());
                    }
                }
                self.expr_to(b, value, dst)
            }
            Place::Global(g) => {
                // (a global the loop keeps in a slot, `super::hoist`: assigned like a local)
                if let Some(dst) = b.cached_global(*g) {
                    return self.expr_to(b, value, dst);
                }
                let bank = bank_of(&self.hir.globals[*g as usize].ty);
                let s = self.expr(b, value)?;
                b.op2(store_global_op(bank), Opnd::Raw(*g), s, pos);
                Ok(())
            }
            Place::Index { base, index } => {
                let bs = self.expr(b, base)?;
                let is = self.expr(b, index)?;
                let vs = self.expr(b, value)?;
                match &base.ty {
                    Type::List(e) => match b.view_of(bs) {
                        Some(v) => b.op3(super::func::list_set_v_op(bank_of(e)), v, is, vs, pos),
                        None => b.op3(list_set_op(bank_of(e)), bs, is, vs, pos),
                    },
                    Type::Map(..) => b.op3(Op::MapSet, bs, is, vs, pos),
                    t => {
                        return Err(Error::unsupported(
                            pos,
                            format!("assignment to an element of {t}"),
                        ))
                    }
                }
                Ok(())
            }
            Place::Field { base, field } => {
                let fty = self.field_type(&base.ty, *field, pos)?;
                let bs = self.expr(b, base)?;
                let vs = self.expr(b, value)?;
                b.op3(set_field_op(bank_of(&fty)), bs, Opnd::Raw(*field), vs, pos);
                Ok(())
            }
        }
    }

    /// `for var in iterable`: an index loop over a list (evaluated once), the runes of a
    /// string, or the sorted keys of a map (materialised as a list).
    fn for_each(
        &mut self,
        b: &mut FnBuilder,
        var: u32,
        iterable: &Expr,
        body: &[Stmt],
        pos: Pos,
    ) -> Result<()> {
        let mark = b.next;
        let seq = b.alloc(Bank::Cell);
        self.expr_to(b, iterable, seq)?;
        let (len_op, get_op) = match &iterable.ty {
            Type::List(e) => (Op::ListLen, list_get_op(bank_of(e))),
            Type::Str => (Op::StrLen, Op::StrIndex),
            Type::Map(..) => {
                b.op2(Op::MapKeys, seq, seq, pos);
                let kt = match &iterable.ty {
                    Type::Map(k, _) => bank_of(k),
                    _ => unreachable!(),
                };
                (Op::ListLen, list_get_op(kt))
            }
            t => {
                return Err(Error::unsupported(
                    iterable.pos,
                    format!("for-in over a value of type {t}"),
                ))
            }
        };
        let n = b.alloc(Bank::I64);
        let i = b.alloc(Bank::I64);
        b.op2(len_op, n, seq, pos);
        // A list (never written in the loop: `seq` is this loop's own slot) is read through a
        // view (`super::views`).
        let views = b.views.len();
        let (get_op, from) = match get_op {
            Op::ListGetI64 | Op::ListGetF64 | Op::ListGetCell => {
                let view = b.make_view(seq, pos);
                let op = match get_op {
                    Op::ListGetI64 => Op::ListGetI64V,
                    Op::ListGetF64 => Op::ListGetF64V,
                    _ => Op::ListGetCellV,
                };
                (op, view)
            }
            op => (op, seq),
        };
        let zero = self.konst(0);
        b.op2(Op::ConstI64, i, Opnd::Raw(zero), pos);
        let var_ty = self.hir.funcs[b.fid as usize].locals[var as usize]
            .ty
            .clone();
        let v = b.alloc(bank_of(&var_ty));
        b.locals[var as usize] = Some(v);
        self.counted_loop(b, i, n, body, pos, |b| b.op3(get_op, v, from, i, pos))?;
        b.views.truncate(views);
        b.next = mark;
        Ok(())
    }

    /// `if hi <= i goto end; body: each; <body>; cont: IncJLtI64 i, hi, body; end:` — the
    /// loop of `for i in a..b` and of `for x in xs` (`each` loads the element first); `i`
    /// holds the start index, `continue` goes to the step and `break` to the end.
    fn counted_loop(
        &mut self,
        b: &mut FnBuilder,
        i: Slot,
        hi: Slot,
        body: &[Stmt],
        pos: Pos,
        each: impl FnOnce(&mut FnBuilder),
    ) -> Result<()> {
        let (body_l, cont_l, end_l) = (b.new_label(), b.new_label(), b.new_label());
        b.op3(Op::JLeI64, hi, i, Opnd::Label(end_l), pos);
        b.bind(body_l);
        each(b);
        b.loops.push(LoopLabels {
            brk: end_l,
            cont: cont_l,
        });
        self.block(b, body)?;
        b.loops.pop();
        b.bind(cont_l);
        b.op3(Op::IncJLtI64, i, hi, Opnd::Label(body_l), pos);
        b.bind(end_l);
        Ok(())
    }

    /// The static type of field `field` of a struct-typed value.
    pub(crate) fn field_type(&self, base: &Type, field: u32, pos: Pos) -> Result<Type> {
        match base {
            Type::Struct(sid) => Ok(self.hir.structs[*sid as usize].fields[field as usize]
                .1
                .clone()),
            Type::Optional(t) => self.field_type(t, field, pos),
            t => Err(Error::unsupported(pos, format!("field access on {t}"))),
        }
    }
}

/// Whether any statement in `stmts` (at any depth) assigns local `l`. Closures cannot assign
/// it (they capture copies), and the typed tree has no statements inside expressions (the
/// checker produces no `ExprKind::Block`), so a walk over statements is complete.
fn assigns_local(stmts: &[Stmt], l: crate::hir::LocalId) -> bool {
    let mut todo: Vec<&Stmt> = stmts.iter().collect();
    while let Some(s) = todo.pop() {
        match &s.kind {
            StmtKind::Assign {
                place: Place::Local(x),
                ..
            } if *x == l => return true,
            StmtKind::If { then, els, .. } => todo.extend(then.iter().chain(els.iter())),
            StmtKind::While { body, .. }
            | StmtKind::ForRange { body, .. }
            | StmtKind::ForEach { body, .. }
            | StmtKind::Test { body, .. }
            | StmtKind::Bench { body, .. } => todo.extend(body.iter()),
            _ => {}
        }
    }
    false
}
