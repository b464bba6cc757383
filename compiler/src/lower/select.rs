//! If-conversion of a function's closing guard chain.
//!
//! A body that ends with
//!
//! ```text
//! if c1 { return k1 }
//! if c2 { return k2 }      (or `else if`, or `else { return kn }`)
//! return kn
//! ```
//!
//! where every `ki` is an int or bool literal and every `ci` a bool variable or a comparison
//! (`<`, `<=`, `>`, `>=`) of an int or float variable with a literal, is lowered without
//! branches: `r := kn`, then for each guard from the last to the first one select,
//! `r := ki if ci` (`SelLtF64K r, x, K` ... with the literal and `ki` in consecutive
//! constants, or `SelI64K r, flag, K`), then `return r`. The first guard that holds wins, as
//! with the jumps, because it is applied last; the conditions cannot fail, call or change
//! anything, so evaluating all of them is unobservable (a float comparison with NaN is false
//! either way).
//!
//! Why: a lookup such as `if p < 0.3 { return 97 } if p < 0.5 { return 99 } ...` on a random
//! `p` mispredicts a branch on about every other call (fasta's `lookup`, inlined into its
//! loop), which costs more than the few extra compares. One op per guard, where the jumps
//! took two per guard tried (a constant load and the jump) and two to leave: the
//! interpreter runs no more ops than before. Both tiers run the same bytecode.

use super::expr::int_const;
use super::func::{FnBuilder, Opnd, Slot};
use super::Lowerer;
use crate::hir::{BinOp, Conv, Expr, ExprKind, FuncDef, LocalId, Stmt, StmtKind, UnOp};
use crate::types::Type;
use vm::ops::Op;
use vm::Pos;

/// The most guards a chain may have (each one is evaluated on every call).
const MAX_GUARDS: usize = 8;

/// A closing guard chain: the guards in source order (condition, value) and the last value.
pub(crate) struct Chain {
    guards: Vec<(Test, u64, Pos)>,
    last: u64,
    pos: Pos,
}

/// Whether `f`'s body from statement `i` on is a guard chain to lower as selects: `f` returns
/// an int or a bool.
pub(crate) fn closing_chain(f: &FuncDef, i: usize) -> Option<Chain> {
    if !matches!(f.ret, Type::Int | Type::Bool) || f.body.len() - i > MAX_GUARDS + 1 {
        return None;
    }
    guard_chain(&f.body[i..])
}

impl Chain {
    /// Where the chain's final `return` is.
    pub(crate) fn pos(&self) -> Pos {
        self.pos
    }
}

/// `stmts` as a guard chain, if it is one (see the module comment).
fn guard_chain(stmts: &[Stmt]) -> Option<Chain> {
    let mut guards = Vec::new();
    let (last, pos) = tail(stmts, &mut guards)?;
    (!guards.is_empty() && guards.len() <= MAX_GUARDS).then_some(Chain { guards, last, pos })
}

fn tail(stmts: &[Stmt], guards: &mut Vec<(Test, u64, Pos)>) -> Option<(u64, Pos)> {
    match stmts {
        [s] => match &s.kind {
            StmtKind::Return(Some(e)) => Some((constant(e)?, s.pos)),
            StmtKind::If { .. } => {
                // `if c { return a } else { ... }` as the last statement.
                let els = guard(s, guards)?;
                if els.is_empty() {
                    return None;
                }
                tail(els, guards)
            }
            _ => None,
        },
        [s, rest @ ..] => {
            let els = guard(s, guards)?;
            els.is_empty().then_some(())?;
            tail(rest, guards)
        }
        [] => None,
    }
}

/// `if c { return k } else { els }` with a pure `c`: records the guard, returns `els`.
fn guard<'a>(s: &'a Stmt, guards: &mut Vec<(Test, u64, Pos)>) -> Option<&'a [Stmt]> {
    let StmtKind::If { cond, then, els } = &s.kind else {
        return None;
    };
    let [t] = then.as_slice() else {
        return None;
    };
    let StmtKind::Return(Some(e)) = &t.kind else {
        return None;
    };
    guards.push((test(cond)?, constant(e)?, cond.pos));
    Some(els)
}

/// An int or bool literal's word.
fn constant(e: &Expr) -> Option<u64> {
    match (&e.kind, &e.ty) {
        (_, Type::Int) => int_const(e).map(|v| v as u64),
        (ExprKind::Bool(v), Type::Bool) => Some(*v as u64),
        _ => None,
    }
}

/// A guard's condition, as one select can test it.
#[derive(Clone, Copy)]
enum Test {
    /// A bool variable.
    Flag(LocalId),
    /// `x op k` (the select op for x's type and op, the variable, k's word).
    Cmp(Op, LocalId, u64),
}

/// `c` as a [`Test`], if it is one.
fn test(c: &Expr) -> Option<Test> {
    match &c.kind {
        ExprKind::Local(l) if c.ty == Type::Bool => Some(Test::Flag(*l)),
        ExprKind::Binary(op, l, r) => {
            // `k op x` is `x op' k` with the operands' order turned round.
            let (x, k, op) = match (&l.kind, &r.kind) {
                (ExprKind::Local(x), _) => (*x, r, *op),
                (_, ExprKind::Local(x)) => (*x, l, flip(*op)?),
                _ => return None,
            };
            let (ty, bits) = match l.ty {
                Type::Int => (0, int_const(k)? as u64),
                Type::Float => (1, float_literal(k)?.to_bits()),
                _ => return None,
            };
            let ops = [
                [Op::SelLtI64K, Op::SelLeI64K, Op::SelGtI64K, Op::SelGeI64K],
                [Op::SelLtF64K, Op::SelLeF64K, Op::SelGtF64K, Op::SelGeF64K],
            ];
            let i = match op {
                BinOp::Lt => 0,
                BinOp::Le => 1,
                BinOp::Gt => 2,
                BinOp::Ge => 3,
                _ => return None,
            };
            Some(Test::Cmp(ops[ty][i], x, bits))
        }
        _ => None,
    }
}

/// `a op b` as `b op' a`.
fn flip(op: BinOp) -> Option<BinOp> {
    Some(match op {
        BinOp::Lt => BinOp::Gt,
        BinOp::Le => BinOp::Ge,
        BinOp::Gt => BinOp::Lt,
        BinOp::Ge => BinOp::Le,
        _ => return None,
    })
}

fn float_literal(e: &Expr) -> Option<f64> {
    match &e.kind {
        ExprKind::Float(v) => Some(*v),
        ExprKind::Conv(Conv::IntToFloat, a) => Some(int_const(a)? as f64),
        ExprKind::Unary(UnOp::Neg, a) => Some(-float_literal(a)?),
        _ => None,
    }
}

impl Lowerer<'_> {
    /// The chain's value into the i64 slot `r` (see the module comment), which no condition
    /// reads (they read the function's own locals and parameters).
    pub(crate) fn select_chain(&mut self, b: &mut FnBuilder, chain: &Chain, r: Slot) {
        let k = self.konst(chain.last);
        b.op2(Op::ConstI64, r, Opnd::Raw(k), chain.pos);
        for &(t, v, pos) in chain.guards.iter().rev() {
            match t {
                Test::Flag(l) => {
                    let k = self.konst(v);
                    b.op3(Op::SelI64K, r, b.local(l), Opnd::Raw(k), pos);
                }
                Test::Cmp(op, x, bits) => {
                    let k = self.konst_pair(bits, v);
                    b.op3(op, r, b.local(x), Opnd::Raw(k), pos);
                }
            }
        }
    }
}
