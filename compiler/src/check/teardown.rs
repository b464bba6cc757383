//! Dropping a typed tree without deep recursion.
//!
//! The typed tree is as deep as the source's operator chains (100 000 `+` terms make a
//! 100 000-deep left spine), and the derived drop glue recurses once per level. [`drop_program`]
//! takes such a tree apart with an explicit stack, so it can be dropped on a small thread.

use crate::hir::{Expr, ExprKind, Pattern, Place, Program, Stmt, StmtKind};
use crate::types::Type;
use vm::Pos;

fn dummy() -> Expr {
    Expr {
        kind: ExprKind::Nil,
        ty: Type::Nil,
        pos: Pos::default(),
    }
}

fn take(b: &mut Box<Expr>) -> Expr {
    std::mem::replace(&mut **b, dummy())
}

/// Drop a typed program iteratively (no recursion proportional to the tree's depth).
pub fn drop_program(mut prog: Program) {
    let mut stmts: Vec<Stmt> = Vec::new();
    for f in prog.funcs.iter_mut() {
        stmts.append(&mut f.body);
    }
    let mut exprs: Vec<Expr> = Vec::new();
    loop {
        if let Some(s) = stmts.pop() {
            match s.kind {
                StmtKind::Let { init, .. } => exprs.push(init),
                StmtKind::Assign { place, value } => {
                    exprs.push(value);
                    match place {
                        Place::Index { base, index } => {
                            exprs.push(base);
                            exprs.push(index);
                        }
                        Place::Field { base, .. } => exprs.push(base),
                        _ => {}
                    }
                }
                StmtKind::Expr(e) | StmtKind::Return(Some(e)) => exprs.push(e),
                StmtKind::Expect { cond, .. } => exprs.push(cond),
                StmtKind::If { cond, then, els } => {
                    exprs.push(cond);
                    stmts.extend(then);
                    stmts.extend(els);
                }
                StmtKind::While { cond, body } => {
                    exprs.push(cond);
                    stmts.extend(body);
                }
                StmtKind::ForRange {
                    start, end, body, ..
                } => {
                    exprs.push(start);
                    exprs.push(end);
                    stmts.extend(body);
                }
                StmtKind::ForEach { iterable, body, .. } => {
                    exprs.push(iterable);
                    stmts.extend(body);
                }
                StmtKind::Test { body, .. } | StmtKind::Bench { body, .. } => stmts.extend(body),
                StmtKind::Return(None) | StmtKind::Break | StmtKind::Continue => {}
            }
            continue;
        }
        let Some(mut e) = exprs.pop() else { break };
        match &mut e.kind {
            ExprKind::Unary(_, a) | ExprKind::Conv(_, a) | ExprKind::Field { base: a, .. } => {
                exprs.push(take(a))
            }
            ExprKind::Binary(_, a, b)
            | ExprKind::And(a, b)
            | ExprKind::Or(a, b)
            | ExprKind::Coalesce(a, b)
            | ExprKind::In(a, b)
            | ExprKind::Index { base: a, index: b } => {
                exprs.push(take(a));
                exprs.push(take(b));
            }
            ExprKind::Call { args: v, .. }
            | ExprKind::Builtin { args: v, .. }
            | ExprKind::List(v)
            | ExprKind::Struct { fields: v, .. }
            | ExprKind::Closure { captures: v, .. } => exprs.append(v),
            ExprKind::CallValue { callee, args } => {
                exprs.push(take(callee));
                exprs.append(args);
            }
            ExprKind::Map(kv) => {
                for (k, v) in kv.drain(..) {
                    exprs.push(k);
                    exprs.push(v);
                }
            }
            ExprKind::Slice { base, lo, hi } => {
                exprs.push(take(base));
                if let Some(l) = lo {
                    exprs.push(take(l));
                }
                if let Some(h) = hi {
                    exprs.push(take(h));
                }
            }
            ExprKind::If { cond, then, els } => {
                exprs.push(take(cond));
                exprs.push(take(then));
                exprs.push(take(els));
            }
            ExprKind::Match { scrutinee, arms } => {
                exprs.push(take(scrutinee));
                for a in arms.drain(..) {
                    if let Pattern::Literal(l) = a.pattern {
                        exprs.push(l);
                    }
                    exprs.push(a.body);
                }
            }
            ExprKind::Block { stmts: b, value } => {
                stmts.append(b);
                exprs.push(take(value));
            }
            _ => {}
        }
        drop(e);
    }
}
