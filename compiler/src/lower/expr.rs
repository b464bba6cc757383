//! Expressions: values into slots (`expr`, `expr_to`), conditions into branches
//! (`cond_jump`: fused compare-and-branch ops), conversions and zero values.

use super::func::{bank_index, get_field_op, list_get_op, FnBuilder, Opnd, Slot};
use super::{bank_of, Lowerer, Result};
use crate::hir::{BinOp, Conv, Expr, ExprKind, MatchArm, Pattern, UnOp};
use crate::types::Type;
use arenas::rtti;
use vm::error::Error;
use vm::ops::Op;
use vm::program::Bank;
use vm::runtime::helpers as h;
use vm::Pos;

/// An int literal (possibly negated) as a constant.
pub(super) fn int_const(e: &Expr) -> Option<i64> {
    match &e.kind {
        ExprKind::Int(v) => Some(*v),
        ExprKind::Unary(UnOp::Neg, a) => int_const(a).and_then(|v| v.checked_neg()),
        _ => None,
    }
}

fn imm32(e: &Expr) -> Option<i32> {
    int_const(e).and_then(|v| i32::try_from(v).ok())
}

fn is_cmp(op: BinOp) -> bool {
    matches!(
        op,
        BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge
    )
}

fn negate(op: BinOp) -> BinOp {
    match op {
        BinOp::Eq => BinOp::Ne,
        BinOp::Ne => BinOp::Eq,
        BinOp::Lt => BinOp::Ge,
        BinOp::Le => BinOp::Gt,
        BinOp::Gt => BinOp::Le,
        BinOp::Ge => BinOp::Lt,
        o => o,
    }
}

/// Whether evaluating `e` may allocate or call (so it may collect garbage or push a frame).
/// Conservative: anything not known to be free of both.
pub(crate) fn may_alloc(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Int(_)
        | ExprKind::Float(_)
        | ExprKind::Bool(_)
        | ExprKind::Str(_)
        | ExprKind::Nil
        | ExprKind::Local(_)
        | ExprKind::Global(_) => false,
        ExprKind::Unary(_, a) => may_alloc(a),
        ExprKind::Binary(op, a, b) => {
            let scalar = matches!(a.ty, Type::Int | Type::Float | Type::Bool)
                || (a.ty == Type::Str && is_cmp(*op));
            !scalar || may_alloc(a) || may_alloc(b)
        }
        ExprKind::And(a, b) | ExprKind::Or(a, b) => may_alloc(a) || may_alloc(b),
        ExprKind::Conv(Conv::IntToFloat | Conv::FloatToInt, a) => may_alloc(a),
        ExprKind::Field { base, .. } => may_alloc(base),
        // List and map reads do not allocate; a string index makes a new string.
        ExprKind::Index { base, index } => {
            !matches!(base.ty, Type::List(_) | Type::Map(..)) || may_alloc(base) || may_alloc(index)
        }
        ExprKind::If { cond, then, els } => may_alloc(cond) || may_alloc(then) || may_alloc(els),
        _ => true,
    }
}

impl Lowerer<'_> {
    /// Evaluate `e` into some slot: a local's own slot when `e` is a local (no move), else a
    /// fresh temporary.
    pub(crate) fn expr(&mut self, b: &mut FnBuilder, e: &Expr) -> Result<Slot> {
        if let ExprKind::Local(l) = &e.kind {
            return Ok(b.local(*l));
        }
        if let ExprKind::Global(g) = &e.kind {
            if let Some(s) = b.cached_global(*g) {
                return Ok(s);
            }
        }
        if e.ty == Type::Void {
            return Err(Error::ty(
                e.pos,
                "internal error: a void expression used as a value",
            ));
        }
        let s = b.alloc(bank_of(&e.ty));
        b.fresh = Some(s);
        self.expr_to(b, e, s)?;
        Ok(s)
    }

    /// Evaluate `e` for its effect (its value, if any, is dropped).
    pub(crate) fn expr_effect(&mut self, b: &mut FnBuilder, e: &Expr) -> Result<()> {
        match &e.kind {
            ExprKind::Call { .. } | ExprKind::CallValue { .. } | ExprKind::Builtin { .. }
                if e.ty == Type::Void =>
            {
                self.call_like(b, e, None)
            }
            ExprKind::If { cond, then, els } if e.ty == Type::Void => {
                let (else_l, end) = (b.new_label(), b.new_label());
                self.cond_jump(b, cond, false, else_l)?;
                self.expr_effect(b, then)?;
                b.jmp(end, e.pos);
                b.bind(else_l);
                self.expr_effect(b, els)?;
                b.bind(end);
                Ok(())
            }
            ExprKind::Match { scrutinee, arms } if e.ty == Type::Void => {
                self.match_expr(b, scrutinee, arms, None, &e.ty, e.pos)
            }
            ExprKind::Block { stmts, value } => {
                self.block(b, stmts)?;
                self.expr_effect(b, value)
            }
            _ if e.ty == Type::Void || e.ty == Type::Nil && matches!(e.kind, ExprKind::Nil) => {
                Ok(())
            }
            _ => {
                self.expr(b, e)?;
                Ok(())
            }
        }
    }

    /// Lower `e` into `dst` (a slot of `e`'s bank). The i64 and f64 temporaries its parts
    /// used are free again afterwards (only `dst` carries the value out), so the next part of
    /// the statement reuses them: a long expression needs as many of those slots as its
    /// deepest nesting, not one per operation, and fewer distinct slots leave more of a
    /// loop's values in tier 2's cache registers. Inside a loop, cell temporaries (never
    /// cached) stay taken to the end of the statement: a list read that is the same on every
    /// iteration then keeps a slot no other read of the loop writes, so `loop_head` can
    /// hoist it (`a[i]` in `a[i][k] * b[k][j]` once shared its slot with `b[k]`). Outside
    /// loops they are freed too: bigger frames cost recursive functions (binary_trees'
    /// `check_tree` 1.08x the time with two more cell slots).
    pub(crate) fn expr_to(&mut self, b: &mut FnBuilder, e: &Expr, dst: Slot) -> Result<()> {
        let mark = b.next;
        b.dst_fresh = b.fresh.take() == Some(dst);
        let r = self.expr_to_node(b, e, dst);
        let cells = b.next[bank_index(Bank::Cell)];
        b.next = mark;
        if !b.loops.is_empty() {
            b.next[bank_index(Bank::Cell)] = cells;
        }
        r
    }

    fn expr_to_node(&mut self, b: &mut FnBuilder, e: &Expr, dst: Slot) -> Result<()> {
        let pos = e.pos;
        let bank = bank_of(&e.ty);
        match &e.kind {
            ExprKind::Int(v) => {
                let k = self.konst(*v as u64);
                b.op2(Op::ConstI64, dst, Opnd::Raw(k), pos);
            }
            ExprKind::Bool(v) => {
                let k = self.konst(*v as u64);
                b.op2(Op::ConstI64, dst, Opnd::Raw(k), pos);
            }
            ExprKind::Float(v) => {
                let k = self.konst(v.to_bits());
                b.op2(Op::ConstF64, dst, Opnd::Raw(k), pos);
            }
            ExprKind::Str(s) => {
                let k = self.str_const(s);
                b.op2(Op::ConstCell, dst, Opnd::Raw(k), pos);
            }
            ExprKind::Nil => {
                if bank == Bank::Cell {
                    let k = self.nil_const();
                    b.op2(Op::ConstCell, dst, Opnd::Raw(k), pos);
                } else {
                    self.zero_into(b, &e.ty.clone(), dst, pos)?;
                }
            }
            ExprKind::BigInt(digits) => {
                let k = self.str_const(digits);
                b.op2(Op::BigConst, dst, Opnd::Raw(k), pos);
            }
            ExprKind::Local(l) => {
                let s = b.local(*l);
                b.mov(bank, dst, s, pos);
            }
            ExprKind::Global(g) => match b.cached_global(*g) {
                Some(s) => b.mov(bank, dst, s, pos),
                None => b.load_global(bank, dst, *g, pos),
            },
            ExprKind::FuncRef(f) => {
                // A named function as a value: a closure with no captures.
                b.op2(Op::NewClosure, dst, Opnd::Raw(*f), pos);
            }
            ExprKind::Unary(UnOp::Neg, a) if a.ty == Type::BigInt => {
                // -x = 0 - x (BigBinary reads its operands from a pair of cell slots).
                let (x, y) = b.alloc_pair(Bank::Cell);
                let zero = self.str_const("0");
                b.op2(Op::BigConst, x, Opnd::Raw(zero), pos);
                self.expr_to(b, a, y)?;
                b.op3(Op::BigBinary, dst, x, Opnd::Raw(h::BIG_SUB), pos);
            }
            ExprKind::Unary(op, a) => {
                let s = self.expr(b, a)?;
                let o = match (op, &a.ty) {
                    (UnOp::Not, _) => Op::Not,
                    (UnOp::Neg, Type::Int) => Op::NegI64,
                    (UnOp::Neg, Type::Float) => Op::NegF64,
                    (UnOp::Neg, t) => {
                        return Err(Error::unsupported(pos, format!("negation of {t}")))
                    }
                };
                b.op2(o, dst, s, pos);
            }
            ExprKind::Binary(op, l, r) => self.binary_to(b, *op, l, r, dst, pos)?,
            ExprKind::And(l, r) | ExprKind::Or(l, r) => {
                let is_and = matches!(e.kind, ExprKind::And(..));
                let end = b.new_label();
                self.expr_to(b, l, dst)?;
                let j = if is_and { Op::JmpFalse } else { Op::JmpTrue };
                b.op2(j, dst, Opnd::Label(end), pos);
                self.expr_to(b, r, dst)?;
                b.bind(end);
            }
            ExprKind::Coalesce(l, r) => {
                if bank != Bank::Cell {
                    // A value that is never nil.
                    self.expr_to(b, l, dst)?;
                } else {
                    // Built in a temporary: `dst` may be read by `r`.
                    let t = b.alloc(Bank::Cell);
                    let end = b.new_label();
                    self.expr_to(b, l, t)?;
                    b.op2(Op::JmpNotNil, t, Opnd::Label(end), pos);
                    self.expr_to(b, r, t)?;
                    b.bind(end);
                    b.mov(Bank::Cell, dst, t, pos);
                }
            }
            ExprKind::In(item, container) => {
                let is = self.expr(b, item)?;
                let cs = self.expr(b, container)?;
                let o = match &container.ty {
                    Type::List(_) => Op::ListContains,
                    Type::Map(..) => Op::MapHas,
                    Type::Str => Op::StrContains,
                    t => return Err(Error::unsupported(pos, format!("`in` on {t}"))),
                };
                b.op3(o, dst, cs, is, pos);
            }
            ExprKind::Conv(c, a) => self.conv_to(b, *c, a, &e.ty, dst, pos)?,
            ExprKind::Call { .. } | ExprKind::CallValue { .. } | ExprKind::Builtin { .. } => {
                self.call_like(b, e, Some(dst))?
            }
            ExprKind::List(items) => {
                let et = match &e.ty {
                    Type::List(t) => (**t).clone(),
                    _ => Type::Any,
                };
                let etid = self.tid(&et);
                let t = b.alloc(Bank::Cell);
                let small = (1..=arenas::SMALL_CAPS).contains(&items.len());
                b.op3(
                    if small { Op::NewListSmall } else { Op::NewList },
                    t,
                    Opnd::Raw(etid),
                    Opnd::Raw(items.len() as u32),
                    pos,
                );
                for it in items {
                    let mark = b.next;
                    let v = self.expr(b, it)?;
                    b.op2(Op::ListPush, t, v, it.pos);
                    b.next = mark;
                }
                b.mov(Bank::Cell, dst, t, pos);
            }
            ExprKind::Map(entries) => {
                let (kt, vt) = match &e.ty {
                    Type::Map(k, v) => ((**k).clone(), (**v).clone()),
                    _ => (Type::Any, Type::Any),
                };
                let (kt, vt) = (self.tid(&kt), self.tid(&vt));
                let t = b.alloc(Bank::Cell);
                b.op3(Op::NewMap, t, Opnd::Raw(kt), Opnd::Raw(vt), pos);
                for (k, v) in entries {
                    let mark = b.next;
                    let ks = self.expr(b, k)?;
                    let vs = self.expr(b, v)?;
                    b.op3(Op::MapSet, t, ks, vs, k.pos);
                    b.next = mark;
                }
                b.mov(Bank::Cell, dst, t, pos);
            }
            ExprKind::Struct { sid, fields } => {
                // Field values first (they may allocate), then the record, then the stores.
                let mut vals = Vec::with_capacity(fields.len());
                for f in fields {
                    vals.push((self.expr(b, f)?, bank_of(&f.ty)));
                }
                let tid = self.struct_tids[*sid as usize];
                let t = b.alloc(Bank::Cell);
                b.op2(Op::NewRecord, t, Opnd::Raw(tid), pos);
                for (i, (v, fb)) in vals.into_iter().enumerate() {
                    b.op3(
                        super::func::set_field_op(fb),
                        t,
                        Opnd::Raw(i as u32),
                        v,
                        pos,
                    );
                }
                b.mov(Bank::Cell, dst, t, pos);
            }
            ExprKind::Index { base, index } => {
                let bs = self.expr(b, base)?;
                let is = self.expr(b, index)?;
                let o = match &base.ty {
                    Type::List(t) => match b.view_of(bs) {
                        Some(v) => {
                            b.op3(super::func::list_get_v_op(bank_of(t)), dst, v, is, pos);
                            return Ok(());
                        }
                        None => list_get_op(bank_of(t)),
                    },
                    Type::Str => Op::StrIndex,
                    Type::Map(..) => Op::MapGet,
                    Type::Any | Type::Param(_) => Op::IndexAny,
                    t => {
                        return Err(Error::unsupported(
                            pos,
                            format!("indexing a value of type {t}"),
                        ))
                    }
                };
                b.op3(o, dst, bs, is, pos);
            }
            ExprKind::Slice { base, lo, hi } => {
                let bs = self.expr(b, base)?;
                let (ls, hs) = b.alloc_pair(Bank::I64);
                match lo {
                    Some(lo) => self.expr_to(b, lo, ls)?,
                    None => {
                        let k = self.konst(0);
                        b.op2(Op::ConstI64, ls, Opnd::Raw(k), pos);
                    }
                }
                match hi {
                    Some(hi) => self.expr_to(b, hi, hs)?,
                    None => {
                        let k = self.konst(i64::MAX as u64);
                        b.op2(Op::ConstI64, hs, Opnd::Raw(k), pos);
                    }
                }
                let o = match &base.ty {
                    Type::List(_) => Op::ListSlice,
                    Type::Str => Op::StrSlice,
                    t => {
                        return Err(Error::unsupported(
                            pos,
                            format!("slicing a value of type {t}"),
                        ))
                    }
                };
                b.op3(o, dst, bs, ls, pos);
            }
            ExprKind::Field { base, field } => {
                let bs = self.expr(b, base)?;
                b.op3(get_field_op(bank), dst, bs, Opnd::Raw(*field), pos);
            }
            ExprKind::If { cond, then, els } => {
                let (else_l, end) = (b.new_label(), b.new_label());
                self.cond_jump(b, cond, false, else_l)?;
                self.expr_to(b, then, dst)?;
                b.jmp(end, pos);
                b.bind(else_l);
                self.expr_to(b, els, dst)?;
                b.bind(end);
            }
            ExprKind::Match { scrutinee, arms } => {
                self.match_expr(b, scrutinee, arms, Some(dst), &e.ty, pos)?
            }
            ExprKind::Closure { func, captures } => {
                self.closure_to(b, *func, captures, dst, pos)?
            }
            ExprKind::Block { stmts, value } => {
                let mark = b.next;
                for s in stmts {
                    self.stmt(b, s)?;
                }
                self.expr_to(b, value, dst)?;
                b.next = mark;
            }
        }
        Ok(())
    }

    fn binary_to(
        &mut self,
        b: &mut FnBuilder,
        op: BinOp,
        l: &Expr,
        r: &Expr,
        dst: Slot,
        pos: Pos,
    ) -> Result<()> {
        use BinOp::*;
        match op {
            Union => return self.bin3(b, Op::ListUnion, l, r, false, dst, pos, false),
            UnionAll => return self.bin3(b, Op::ListConcat, l, r, false, dst, pos, false),
            Except => return self.bin3(b, Op::ListExcept, l, r, false, dst, pos, false),
            Intersect => return self.bin3(b, Op::ListIntersect, l, r, false, dst, pos, false),
            _ => {}
        }
        let t = l.ty.clone();
        let fresh = std::mem::take(&mut b.dst_fresh);
        match t {
            Type::Int | Type::Bool => {
                // `x + k` / `x - k` with a small constant: one immediate op.
                if matches!(op, Add | Sub) {
                    if let Some(k) = imm32(r) {
                        let k = if op == Sub { k.checked_neg() } else { Some(k) };
                        if let Some(k) = k {
                            let ls = self.left_operand(b, l, dst, fresh)?;
                            b.op3(Op::AddI64Imm, dst, ls, Opnd::Raw(k as u32), pos);
                            return Ok(());
                        }
                    }
                }
                // `x / 2^k` and `x % 2^k` (k >= 1): shifts and masks, no divide.
                if t == Type::Int && matches!(op, Div | Mod) {
                    let pow2 = imm32(r).filter(|&d| d >= 2 && d.count_ones() == 1);
                    if let Some(d) = pow2 {
                        let xs = self.left_operand(b, l, dst, fresh)?;
                        let o = if op == Div {
                            Op::DivI64Pow2
                        } else {
                            Op::ModI64Pow2
                        };
                        b.op3(o, dst, xs, Opnd::Raw(d.trailing_zeros()), pos);
                        return Ok(());
                    }
                }
                // `x * k`, `k * x` and `x % k` (k nonzero) with a small constant.
                if t == Type::Int {
                    let imm = match op {
                        Mul => imm32(r)
                            .map(|k| (l, k))
                            .or_else(|| imm32(l).map(|k| (r, k))),
                        Mod => imm32(r).filter(|&k| k != 0).map(|k| (l, k)),
                        _ => None,
                    };
                    if let Some((x, k)) = imm {
                        let xs = if std::ptr::eq(x, l) {
                            self.left_operand(b, l, dst, fresh)?
                        } else {
                            self.expr(b, x)?
                        };
                        let o = if op == Mul {
                            Op::MulI64Imm
                        } else {
                            Op::ModI64Imm
                        };
                        b.op3(o, dst, xs, Opnd::Raw(k as u32), pos);
                        return Ok(());
                    }
                }
                let (o, swap) = match op {
                    Add => (Op::AddI64, false),
                    Sub => (Op::SubI64, false),
                    Mul => (Op::MulI64, false),
                    Div => (Op::DivI64, false),
                    Mod => (Op::ModI64, false),
                    Eq => (Op::EqI64, false),
                    Ne => (Op::NeI64, false),
                    Lt => (Op::LtI64, false),
                    Le => (Op::LeI64, false),
                    Gt => (Op::LtI64, true),
                    Ge => (Op::LeI64, true),
                    _ => unreachable!(),
                };
                self.bin3(b, o, l, r, swap, dst, pos, fresh)
            }
            Type::Float => {
                let (o, swap) = match op {
                    Add => (Op::AddF64, false),
                    Sub => (Op::SubF64, false),
                    Mul => (Op::MulF64, false),
                    Div => (Op::DivF64, false),
                    Mod => (Op::ModF64, false),
                    Eq => (Op::EqF64, false),
                    Ne => (Op::NeF64, false),
                    Lt => (Op::LtF64, false),
                    Le => (Op::LeF64, false),
                    Gt => (Op::LtF64, true),
                    Ge => (Op::LeF64, true),
                    _ => unreachable!(),
                };
                self.bin3(b, o, l, r, swap, dst, pos, fresh)
            }
            Type::Str => {
                let (o, swap) = match op {
                    Add => (Op::ConcatStr, false),
                    Eq => (Op::EqStr, false),
                    Ne => (Op::NeStr, false),
                    Lt => (Op::LtStr, false),
                    Le => (Op::LeStr, false),
                    Gt => (Op::LtStr, true),
                    Ge => (Op::LeStr, true),
                    _ => return Err(Error::unsupported(pos, format!("{op:?} on strings"))),
                };
                self.bin3(b, o, l, r, swap, dst, pos, fresh)
            }
            Type::BigInt => {
                let (x, y) = b.alloc_pair(Bank::Cell);
                self.expr_to(b, l, x)?;
                self.expr_to(b, r, y)?;
                let (sel, swap_back) = match op {
                    Add => (h::BIG_ADD, None),
                    Sub => (h::BIG_SUB, None),
                    Mul => (h::BIG_MUL, None),
                    Div => (h::BIG_DIV, None),
                    Mod => (h::BIG_MOD, None),
                    Eq | Ne => (h::BIG_EQ, Some(op == Ne)),
                    Lt => (h::BIG_LT, Some(false)),
                    Le => (h::BIG_LE, Some(false)),
                    Gt | Ge => {
                        // y < x / y <= x: swap the pair.
                        let t = b.alloc(Bank::Cell);
                        b.mov(Bank::Cell, t, x, pos);
                        b.mov(Bank::Cell, x, y, pos);
                        b.mov(Bank::Cell, y, t, pos);
                        (if op == Gt { h::BIG_LT } else { h::BIG_LE }, Some(false))
                    }
                    _ => unreachable!(),
                };
                match swap_back {
                    None => b.op3(Op::BigBinary, dst, x, Opnd::Raw(sel), pos),
                    Some(neg) => {
                        let c = b.alloc(Bank::Cell);
                        b.op3(Op::BigBinary, c, x, Opnd::Raw(sel), pos);
                        b.op3(Op::Unbox, dst, c, Opnd::Raw(rtti::BOOL), pos);
                        if neg {
                            b.op2(Op::Not, dst, dst, pos);
                        }
                    }
                }
                Ok(())
            }
            Type::List(_) if op == Add => {
                self.bin3(b, Op::ListConcat, l, r, false, dst, pos, false)
            }
            _ => match op {
                Eq | Ne => {
                    self.bin3(b, Op::EqCell, l, r, false, dst, pos, false)?;
                    if op == Ne {
                        b.op2(Op::Not, dst, dst, pos);
                    }
                    Ok(())
                }
                Lt | Le | Gt | Ge => {
                    let (x, y) = b.alloc_pair(Bank::Cell);
                    self.expr_to(b, l, x)?;
                    self.expr_to(b, r, y)?;
                    let sel = match op {
                        Lt => 0,
                        Le => 1,
                        Gt => 2,
                        _ => 3,
                    };
                    b.op3(Op::CmpCell, dst, x, Opnd::Raw(sel), pos);
                    Ok(())
                }
                Add | Sub | Mul | Div | Mod if matches!(t, Type::Any | Type::Param(_)) => {
                    let (x, y) = b.alloc_pair(Bank::Cell);
                    self.expr_to(b, l, x)?;
                    self.expr_to(b, r, y)?;
                    let sel = match op {
                        Add => 0,
                        Sub => 1,
                        Mul => 2,
                        Div => 3,
                        _ => 4,
                    };
                    b.op3(Op::AnyArith, dst, x, Opnd::Raw(sel), pos);
                    Ok(())
                }
                _ => Err(Error::unsupported(pos, format!("{op:?} on {t}"))),
            },
        }
    }

    /// `dst := op(l, r)` (or `op(r, l)` when `swap`), operands evaluated left to right.
    #[allow(clippy::too_many_arguments)]
    /// `R[dst] := l o r` (operands swapped when `swap`). `fresh`: dst is a fresh destination
    /// (see `left_operand`), so an arithmetic op computes its left operand in it.
    #[allow(clippy::too_many_arguments)]
    fn bin3(
        &mut self,
        b: &mut FnBuilder,
        o: Op,
        l: &Expr,
        r: &Expr,
        swap: bool,
        dst: Slot,
        pos: Pos,
        fresh: bool,
    ) -> Result<()> {
        let arithmetic = matches!(
            o,
            Op::AddI64
                | Op::SubI64
                | Op::MulI64
                | Op::DivI64
                | Op::ModI64
                | Op::AddF64
                | Op::SubF64
                | Op::MulF64
                | Op::DivF64
        );
        let ls = self.left_operand(b, l, dst, fresh && arithmetic && !swap)?;
        let rs = self.expr(b, r)?;
        let (x, y) = if swap { (rs, ls) } else { (ls, rs) };
        b.op3(o, dst, x, y, pos);
        Ok(())
    }

    /// The slot holding the left operand `l` of an op into `dst`. Into a fresh destination
    /// (`in_place`: a slot nothing else refers to yet, see `FnBuilder::fresh`) it is computed
    /// in `dst` itself: `t := l; t := t op r` needs one slot fewer than `t1 := l; t := t1 op
    /// r` (and in tier 2 is an accumulator form, with no move). Never into a variable's own
    /// slot: `x = (x * 2) + x` must read the old x. A local or global is read where it is.
    fn left_operand(
        &mut self,
        b: &mut FnBuilder,
        l: &Expr,
        dst: Slot,
        in_place: bool,
    ) -> Result<Slot> {
        if in_place && !matches!(l.kind, ExprKind::Local(_) | ExprKind::Global(_)) {
            b.fresh = Some(dst);
            self.expr_to(b, l, dst)?;
            Ok(dst)
        } else {
            self.expr(b, l)
        }
    }

    /// Jump to `target` when `e` evaluates to `when`; fall through otherwise.
    pub(crate) fn cond_jump(
        &mut self,
        b: &mut FnBuilder,
        e: &Expr,
        when: bool,
        target: usize,
    ) -> Result<()> {
        let pos = e.pos;
        match &e.kind {
            ExprKind::Bool(v) => {
                if *v == when {
                    b.jmp(target, pos);
                }
                Ok(())
            }
            ExprKind::Unary(UnOp::Not, a) => self.cond_jump(b, a, !when, target),
            ExprKind::And(l, r) => {
                if when {
                    // both true -> target
                    let skip = b.new_label();
                    self.cond_jump(b, l, false, skip)?;
                    self.cond_jump(b, r, true, target)?;
                    b.bind(skip);
                } else {
                    self.cond_jump(b, l, false, target)?;
                    self.cond_jump(b, r, false, target)?;
                }
                Ok(())
            }
            ExprKind::Or(l, r) => {
                if when {
                    self.cond_jump(b, l, true, target)?;
                    self.cond_jump(b, r, true, target)?;
                } else {
                    let skip = b.new_label();
                    self.cond_jump(b, l, true, skip)?;
                    self.cond_jump(b, r, false, target)?;
                    b.bind(skip);
                }
                Ok(())
            }
            ExprKind::Binary(op, l, r) if is_cmp(*op) && matches!(l.ty, Type::Int | Type::Bool) => {
                let rel = if when { *op } else { negate(*op) };
                let ls = self.expr(b, l)?;
                if let Some(k) = imm32(r) {
                    let o = match rel {
                        BinOp::Eq => Op::JEqI64Imm,
                        BinOp::Ne => Op::JNeI64Imm,
                        BinOp::Lt => Op::JLtI64Imm,
                        BinOp::Le => Op::JLeI64Imm,
                        BinOp::Gt => Op::JGtI64Imm,
                        _ => Op::JGeI64Imm,
                    };
                    b.op3(o, ls, Opnd::Raw(k as u32), Opnd::Label(target), pos);
                    return Ok(());
                }
                let rs = self.expr(b, r)?;
                let (o, x, y) = match rel {
                    BinOp::Eq => (Op::JEqI64, ls, rs),
                    BinOp::Ne => (Op::JNeI64, ls, rs),
                    BinOp::Lt => (Op::JLtI64, ls, rs),
                    BinOp::Le => (Op::JLeI64, ls, rs),
                    BinOp::Gt => (Op::JLtI64, rs, ls),
                    _ => (Op::JLeI64, rs, ls),
                };
                b.op3(o, x, y, Opnd::Label(target), pos);
                Ok(())
            }
            ExprKind::Binary(op, l, r) if is_cmp(*op) && l.ty == Type::Float => {
                let ls = self.expr(b, l)?;
                let rs = self.expr(b, r)?;
                // NaN-correct: "jump if not (a < b)" is JNLtF64, never JGeF64.
                let (o, x, y) = match (op, when) {
                    (BinOp::Lt, true) => (Op::JLtF64, ls, rs),
                    (BinOp::Le, true) => (Op::JLeF64, ls, rs),
                    (BinOp::Gt, true) => (Op::JLtF64, rs, ls),
                    (BinOp::Ge, true) => (Op::JLeF64, rs, ls),
                    (BinOp::Eq, true) => (Op::JEqF64, ls, rs),
                    (BinOp::Ne, true) => (Op::JNeF64, ls, rs),
                    (BinOp::Lt, false) => (Op::JNLtF64, ls, rs),
                    (BinOp::Le, false) => (Op::JNLeF64, ls, rs),
                    (BinOp::Gt, false) => (Op::JNLtF64, rs, ls),
                    (BinOp::Ge, false) => (Op::JNLeF64, rs, ls),
                    (BinOp::Eq, false) => (Op::JNeF64, ls, rs),
                    (_, false) => (Op::JEqF64, ls, rs),
                    _ => unreachable!(),
                };
                b.op3(o, x, y, Opnd::Label(target), pos);
                Ok(())
            }
            _ => {
                let mark = b.next;
                let s = self.expr(b, e)?;
                let o = if when { Op::JmpTrue } else { Op::JmpFalse };
                b.op2(o, s, Opnd::Label(target), pos);
                b.next = mark;
                Ok(())
            }
        }
    }

    fn conv_to(
        &mut self,
        b: &mut FnBuilder,
        c: Conv,
        a: &Expr,
        to: &Type,
        dst: Slot,
        pos: Pos,
    ) -> Result<()> {
        let s = self.expr(b, a)?;
        let from_bank = bank_of(&a.ty);
        match c {
            Conv::IntToFloat => b.op2(Op::I64ToF64, dst, s, pos),
            Conv::FloatToInt => b.op2(Op::F64ToI64, dst, s, pos),
            Conv::Box => {
                if from_bank == Bank::Cell {
                    b.mov(Bank::Cell, dst, s, pos);
                } else {
                    let t = self.tid(&a.ty);
                    b.op3(Op::Box, dst, s, Opnd::Raw(t), pos);
                }
            }
            Conv::Unbox => {
                if matches!(to, Type::Any | Type::Param(_)) {
                    b.mov(Bank::Cell, dst, s, pos);
                } else {
                    let t = self.tid(to);
                    let op = match to {
                        Type::List(_) => Op::UnboxList,
                        _ => Op::Unbox,
                    };
                    b.op3(op, dst, s, Opnd::Raw(t), pos);
                }
            }
            Conv::StrToInt => b.op2(Op::StrToInt, dst, s, pos),
            Conv::StrToFloat => b.op2(Op::StrToFloat, dst, s, pos),
            Conv::IntToBig => b.op2(Op::IntToBig, dst, s, pos),
            Conv::BigToInt => b.op2(Op::BigToInt, dst, s, pos),
            Conv::BigToFloat => b.op2(Op::BigToFloat, dst, s, pos),
            Conv::Truthy => b.op2(Op::Truthy, dst, s, pos),
            Conv::MapToStruct => {
                let t = self.tid(to);
                b.op3(Op::MapToStruct, dst, s, Opnd::Raw(t), pos);
            }
            Conv::ToStr => {
                if a.ty == Type::Str {
                    b.mov(Bank::Cell, dst, s, pos);
                } else if let Some(op) = match a.ty {
                    // Scalars have typed ops (no type-id dispatch).
                    Type::Int => Some(Op::StrFromI64),
                    Type::Float => Some(Op::StrFromF64),
                    Type::Bool => Some(Op::StrFromBool),
                    _ => None,
                } {
                    b.op2(op, dst, s, pos);
                } else {
                    let t = self.tid(&a.ty);
                    b.op3(Op::ToStr, dst, s, Opnd::Raw(t), pos);
                }
            }
        }
        Ok(())
    }

    /// `match`: a chain of tests; the first arm whose pattern matches gives the value (into
    /// `dst`); no match gives the zero value.
    pub(crate) fn match_expr(
        &mut self,
        b: &mut FnBuilder,
        scrutinee: &Expr,
        arms: &[MatchArm],
        dst: Option<Slot>,
        ty: &Type,
        pos: Pos,
    ) -> Result<()> {
        let s = self.expr(b, scrutinee)?;
        let sbank = bank_of(&scrutinee.ty);
        let end = b.new_label();
        for arm in arms {
            let next = b.new_label();
            let mark = b.next;
            match &arm.pattern {
                Pattern::Wildcard => {}
                Pattern::Bind(l) => {
                    let ls = b.alloc(sbank);
                    b.mov(sbank, ls, s, arm.pos);
                    b.locals[*l as usize] = Some(ls);
                }
                Pattern::Literal(lit) => {
                    let eq = Expr {
                        kind: ExprKind::Binary(
                            BinOp::Eq,
                            Box::new(Expr {
                                kind: ExprKind::Local(u32::MAX),
                                ty: scrutinee.ty.clone(),
                                pos: arm.pos,
                            }),
                            Box::new(lit.clone()),
                        ),
                        ty: Type::Bool,
                        pos: arm.pos,
                    };
                    // The scrutinee's slot stands in for the pseudo-local u32::MAX.
                    b.locals.push(Some(s));
                    let idx = b.locals.len() - 1;
                    let eq = retarget_local(eq, idx as u32);
                    self.cond_jump(b, &eq, false, next)?;
                    b.locals.pop();
                }
                Pattern::Variant { sid, fields } => {
                    let tid = self.struct_tids[*sid as usize];
                    b.op3(
                        Op::JmpNotType,
                        s,
                        Opnd::Raw(tid),
                        Opnd::Label(next),
                        arm.pos,
                    );
                    for (i, f) in fields.iter().enumerate() {
                        if let Some(l) = f {
                            let fty = self.hir.structs[*sid as usize].fields[i].1.clone();
                            let fb = bank_of(&fty);
                            let ls = b.alloc(fb);
                            b.op3(get_field_op(fb), ls, s, Opnd::Raw(i as u32), arm.pos);
                            b.locals[*l as usize] = Some(ls);
                        }
                    }
                }
            }
            match dst {
                Some(d) => self.expr_to(b, &arm.body, d)?,
                None => self.expr_effect(b, &arm.body)?,
            }
            b.next = mark;
            b.jmp(end, arm.pos);
            b.bind(next);
        }
        if let Some(d) = dst {
            self.zero_into(b, ty, d, pos)?;
        }
        b.bind(end);
        Ok(())
    }

    /// `dst := the zero value of t` (0, 0.0, false, "", empty list/map, nil).
    pub(crate) fn zero_into(
        &mut self,
        b: &mut FnBuilder,
        t: &Type,
        dst: Slot,
        pos: Pos,
    ) -> Result<()> {
        match t {
            Type::Int | Type::Bool => {
                let k = self.konst(0);
                b.op2(Op::ConstI64, dst, Opnd::Raw(k), pos);
            }
            Type::Float => {
                let k = self.konst(0f64.to_bits());
                b.op2(Op::ConstF64, dst, Opnd::Raw(k), pos);
            }
            Type::Str => {
                let k = self.str_const("");
                b.op2(Op::ConstCell, dst, Opnd::Raw(k), pos);
            }
            Type::List(e) => {
                let e = self.tid(e);
                b.op3(Op::NewList, dst, Opnd::Raw(e), Opnd::Raw(0), pos);
            }
            Type::Map(k, v) => {
                let (k, v) = (self.tid(k), self.tid(v));
                b.op3(Op::NewMap, dst, Opnd::Raw(k), Opnd::Raw(v), pos);
            }
            Type::Void => {}
            _ => {
                let k = self.nil_const();
                b.op2(Op::ConstCell, dst, Opnd::Raw(k), pos);
            }
        }
        Ok(())
    }
}

/// Replace the pseudo-local `u32::MAX` by `to` (for literal patterns).
fn retarget_local(mut e: Expr, to: u32) -> Expr {
    if let ExprKind::Binary(_, l, _) = &mut e.kind {
        if let ExprKind::Local(x) = &mut l.kind {
            if *x == u32::MAX {
                *x = to;
            }
        }
    }
    e
}
