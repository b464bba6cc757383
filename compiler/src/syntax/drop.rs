//! Iterative teardown of the tree, so that dropping a 100 000-term operator chain does not
//! overflow the stack (see the `Drop` impl of `Program`).

use super::ast::*;

impl Drop for Program {
    fn drop(&mut self) {
        let mut work: Vec<Expr> = Vec::new();
        let mut stmts: Vec<Stmt> = std::mem::take(&mut self.stmts);
        loop {
            if let Some(e) = work.pop() {
                take_expr(e, &mut work, &mut stmts);
            } else if let Some(s) = stmts.pop() {
                take_stmt(s, &mut work, &mut stmts);
            } else {
                break;
            }
        }
    }
}

/// Move the children of `e` into the work lists; `e` itself is then dropped shallowly.
fn take_expr(e: Expr, work: &mut Vec<Expr>, stmts: &mut Vec<Stmt>) {
    match e.kind {
        ExprKind::Int(_)
        | ExprKind::Float(_)
        | ExprKind::Bool(_)
        | ExprKind::Str(_)
        | ExprKind::Nil
        | ExprKind::Ident(_) => {}
        ExprKind::Unary { expr, .. } => work.push(*expr),
        ExprKind::Binary { lhs, rhs, .. } => {
            work.push(*lhs);
            work.push(*rhs);
        }
        ExprKind::Call { callee, args } => {
            work.push(*callee);
            work.extend(args);
        }
        ExprKind::Index { target, index, .. } => {
            work.push(*target);
            work.push(*index);
        }
        ExprKind::Slice {
            target,
            start,
            end,
            step,
        } => {
            work.push(*target);
            work.extend([start, end, step].into_iter().flatten().map(|b| *b));
        }
        ExprKind::Field { target, .. } => work.push(*target),
        ExprKind::Cast { expr, .. } => work.push(*expr),
        ExprKind::List(items) => work.extend(items),
        ExprKind::Map(entries) => {
            for MapEntry { key, value, .. } in entries {
                if let MapKey::Expr(k) = key {
                    work.push(k);
                }
                work.push(value);
            }
        }
        ExprKind::Struct { fields, .. } => work.extend(fields.into_iter().map(|f| f.value)),
        ExprKind::If { cond, then, els } => {
            work.push(*cond);
            work.push(*then);
            if let Some(e) = els {
                work.push(*e);
            }
        }
        ExprKind::Match { scrutinee, arms } => {
            work.push(*scrutinee);
            work.extend(arms.into_iter().map(|a| a.body));
        }
        ExprKind::Fun(f) => match f.body {
            FunBody::Expr(e) => work.push(e),
            FunBody::Block(b) => stmts.extend(b),
        },
        ExprKind::Query(q) => {
            let q = *q;
            work.push(q.source);
            work.push(q.select);
            for f in q.froms {
                work.push(f.source);
            }
            for j in q.joins {
                work.push(j.source);
                work.push(j.on);
            }
            if let Some(g) = q.group {
                work.extend(g.keys);
                work.extend(g.having);
            }
            work.extend(q.filter);
            work.extend(q.sort);
            work.extend(q.skip);
            work.extend(q.take);
        }
        ExprKind::Load { with, .. } => work.extend(with.map(|b| *b)),
        ExprKind::Save { expr, with, .. } => {
            work.push(*expr);
            work.extend(with.map(|b| *b));
        }
    }
}

fn take_stmt(s: Stmt, work: &mut Vec<Expr>, stmts: &mut Vec<Stmt>) {
    match s.kind {
        StmtKind::Let { init, .. } => work.extend(init),
        StmtKind::Assign { target, value } => {
            for step in target.steps {
                if let PlaceStep::Index(e, _) = step {
                    work.push(e);
                }
            }
            work.push(value);
        }
        StmtKind::Expr(e) | StmtKind::Expect(e) => work.push(e),
        StmtKind::If { cond, then, els } => {
            work.push(cond);
            stmts.extend(then);
            stmts.extend(els.into_iter().flatten());
        }
        StmtKind::While { cond, body } => {
            work.push(cond);
            stmts.extend(body);
        }
        StmtKind::ForRange {
            start, end, body, ..
        } => {
            work.push(start);
            work.push(end);
            stmts.extend(body);
        }
        StmtKind::ForIn { iter, body, .. } => {
            work.push(iter);
            stmts.extend(body);
        }
        StmtKind::Return(e) => work.extend(e),
        StmtKind::Fun(f) => stmts.extend(f.body),
        StmtKind::Type(t) => {
            if let TypeDeclKind::Struct { methods, .. } = t.kind {
                for m in methods {
                    stmts.extend(m.body);
                }
            }
        }
        StmtKind::Test { body, .. } | StmtKind::Bench { body, .. } => stmts.extend(body),
        StmtKind::Update { set, filter, .. } => {
            work.extend(set.into_iter().map(|f| f.value));
            work.extend(filter);
        }
        StmtKind::Break
        | StmtKind::Continue
        | StmtKind::Import { .. }
        | StmtKind::Extern(_)
        | StmtKind::Package(_) => {}
    }
}
