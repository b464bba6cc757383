//! Append views: a loop that only pushes onto an owned list (`xs = append(xs, v)`, see
//! `super::owned`) keeps the list's length in an i64 slot while it runs instead of in the
//! list's slot and buffer header. `ListAppendOpen` before the loop reserves the rest of the
//! buffer for the list's pushes and puts the length in the view's slot; each push is
//! `ListPushVI64`/`ListPushVF64` (a room check against the capacity, a store and an increment
//! of that slot, which tier 2 keeps in a register: no read-modify-write of memory from one
//! push to the next) followed by its slow case `ListPushVGrow` (which the fast op skips:
//! close, push with growth, reopen); `ListAppendClose` after the loop, where `break` lands
//! too, writes the length back.
//!
//! Exact: while the view is open the list's slot holds a stale length, so nothing may read
//! the list, and nothing does: the local is owned (no other variable, container or callee
//! holds the object) and the loop mentions it only in its own self-appends, whose pieces do
//! not read it. The loop has no `return` (which would leave the view open), and the list's
//! elements are ints, bools or floats, which the collector does not trace (it reads only
//! the slot's length). Opening the view reserves the buffer (its used length becomes its
//! capacity), so no other list sharing it could extend it in place into the elements the
//! view writes; for lists that is a guard only (a slice copies, and `ys = append(xs, 1)`
//! disowns `xs`, so no other list ends where an owned list ends), for strings it is needed
//! (a slice of a string shares its buffer). The interpreter runs the same ops on the same
//! slots, so tier 2 may leave the loop anywhere.

use crate::hir::{Expr, ExprKind, LocalId, Place, Stmt, StmtKind, Visit};

/// The locals a loop over `exprs` and `stmts` mentions only as self-appends (`l = append(l,
/// v)` or `l = l + t ...`, pieces not reading `l`), in first-append order; none when the loop
/// has a `return`.
pub(crate) fn appended_only(exprs: &[&Expr], stmts: &[Stmt]) -> Vec<LocalId> {
    let mut w = Walk::default();
    for e in exprs {
        w.expr(e);
    }
    w.stmts(stmts);
    if w.returns {
        return Vec::new();
    }
    w.appends.retain(|l| !w.other.contains(l));
    w.appends
}

#[derive(Default)]
struct Walk {
    appends: Vec<LocalId>,
    other: Vec<LocalId>,
    returns: bool,
}

impl Visit for Walk {
    fn stmt(&mut self, s: &Stmt) {
        match &s.kind {
            StmtKind::Assign {
                place: Place::Local(l),
                value,
            } => {
                match super::owned::self_append(*l, value) {
                    Some(pieces) => {
                        if !self.appends.contains(l) {
                            self.appends.push(*l);
                        }
                        pieces.into_iter().for_each(|p| self.expr(p));
                    }
                    None => {
                        self.other.push(*l);
                        self.expr(value);
                    }
                }
                return;
            }
            StmtKind::Let { local, .. } => self.other.push(*local),
            StmtKind::Return(_) => self.returns = true,
            _ => {}
        }
        self.stmt_children(s);
    }

    fn expr(&mut self, e: &Expr) {
        if let ExprKind::Local(l) = e.kind {
            self.other.push(l);
        }
        self.expr_children(e);
    }
}
