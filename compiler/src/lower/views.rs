//! List views: a loop reads and writes the elements of a list it cannot change the shape of
//! through a view made once, before the loop (`ListView`: the address of the elements, the
//! length and the list, in three cell slots, see `FnBuilder::make_view`), instead of through
//! the list's slot at every access. In tier 2 an access through a view is one compare with
//! the length and one load or store (`stencils/src/lists.c`); through the list it also loads
//! the handle, computes its slot's address and loads the length and the buffer from the slot.
//!
//! Exact: a list's buffer moves and its length changes only when something pushes onto it
//! (`ListPush`), and the lowering pushes only onto an owned local's list (`super::owned`),
//! which no other variable, container or function can hold. So a list reached through a
//! local the loop never writes (no assignment, no `let`, not a loop variable or pattern
//! binding), or through a global it keeps in a slot without assigning it (`super::hoist`),
//! keeps its buffer and length while the loop runs, whatever the loop calls; its elements
//! may change (stores go through the same buffer). The interpreter runs the view ops as the
//! plain ones on the list in the view's third word, so errors (an index out of range, a nil
//! list) are raised exactly as before; tier 2 side-exits to it for them.

use crate::hir::{Expr, ExprKind, GlobalId, LocalId, Pattern, Place, Stmt, StmtKind, Visit};
use crate::types::Type;

/// At most this many views per loop (each takes three slots).
pub(crate) const MAX_VIEWS: usize = 8;

/// A list a loop indexes: a local or a global.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Base {
    Local(LocalId),
    Global(GlobalId),
}

/// The lists a loop over `exprs` and `stmts` indexes (first use first) whose variable it
/// never writes (locals only: a global's is decided by the caller, which keeps it in a slot).
pub(crate) fn indexed_lists(exprs: &[&Expr], stmts: &[Stmt]) -> Vec<Base> {
    let mut w = Walk::default();
    for e in exprs {
        w.expr(e);
    }
    w.stmts(stmts);
    w.bases
        .into_iter()
        .filter(|b| !matches!(b, Base::Local(l) if w.written.contains(l)))
        .collect()
}

#[derive(Default)]
struct Walk {
    bases: Vec<Base>,
    written: Vec<LocalId>,
}

impl Walk {
    fn base(&mut self, e: &Expr) {
        if !matches!(e.ty, Type::List(_)) {
            return;
        }
        let b = match e.kind {
            ExprKind::Local(l) => Base::Local(l),
            ExprKind::Global(g) => Base::Global(g),
            _ => return,
        };
        if !self.bases.contains(&b) {
            self.bases.push(b);
        }
    }

    fn write(&mut self, l: LocalId) {
        if !self.written.contains(&l) {
            self.written.push(l);
        }
    }
}

impl Visit for Walk {
    fn stmt(&mut self, s: &Stmt) {
        match &s.kind {
            StmtKind::Let { local, .. } => self.write(*local),
            StmtKind::Assign { place, .. } => match place {
                Place::Local(l) => self.write(*l),
                Place::Index { base, .. } => self.base(base),
                _ => {}
            },
            StmtKind::ForRange { var, .. } | StmtKind::ForEach { var, .. } => self.write(*var),
            _ => {}
        }
        self.stmt_children(s);
    }

    fn expr(&mut self, e: &Expr) {
        match &e.kind {
            ExprKind::Index { base, .. } => self.base(base),
            ExprKind::Match { arms, .. } => {
                for a in arms {
                    match &a.pattern {
                        Pattern::Bind(l) => self.write(*l),
                        Pattern::Variant { fields, .. } => {
                            for l in fields.iter().flatten() {
                                self.write(*l);
                            }
                        }
                        Pattern::Wildcard | Pattern::Literal(_) => {}
                    }
                }
            }
            _ => {}
        }
        self.expr_children(e);
    }
}
