//! Which list locals of a function are *owned*: no other variable, container, closure or
//! callee can ever hold the list object (the slot) such a local refers to. For an owned
//! local, `xs = append(xs, v)` is lowered to `ListPush xs, v`, which grows the list in place
//! (a store and a length bump when its buffer has room) instead of creating a new list
//! object each time.
//!
//! Why this is exact: `append` makes a new list object sharing the old one's buffer (or a
//! copy), and the old object stays reachable only through other references to it. When
//! there are none, the old object is dead right after the assignment, so updating it in
//! place instead gives the same observable state: `ListPush` takes the same decision on the
//! buffer (write in place only when the list ends at the buffer's used length and there is
//! room, else copy), so the Go-append aliasing of *buffers* with other lists is unchanged.
//!
//! A local is owned when it is a mutable, non-parameter, non-captured local of a list type
//! and:
//! - every value assigned to it (its initialiser included) makes a new list object: a list
//!   literal, an `append(..)` or a slice;
//! - every read of it is one that cannot keep the object: an element read `xs[i]`, an
//!   element write `xs[i] = v`, `len(xs)`, `v in xs`, an argument of `print`, the first
//!   argument of `xs = append(xs, v)` assigning the same local, or `return xs` (the local
//!   dies with the frame, so no later push can be observed through the returned value).
//!
//! Any other occurrence (passing it to a function, storing it in a container or another
//! variable, capturing it, iterating it with `for x in xs`, matching on it, ...) disowns it.

use crate::hir::{Builtin, Child, Expr, ExprKind, FuncDef, LocalId, Place, Stmt, StmtKind};
use crate::types::Type;

/// `owned[l]` for every local of `f`.
pub(crate) fn owned_lists(f: &FuncDef) -> Vec<bool> {
    let mut owned: Vec<bool> = f
        .locals
        .iter()
        .map(|l| l.mutable && matches!(l.ty, Type::List(_)))
        .collect();
    for &l in f.params.iter().chain(f.captures.iter()) {
        owned[l as usize] = false;
    }
    if owned.iter().any(|&o| o) {
        let mut w = Walk { owned: &mut owned };
        w.stmts(&f.body);
    }
    owned
}

/// `xs = append(xs, v)` for local `l`: the appended value.
pub(crate) fn self_append(l: LocalId, value: &Expr) -> Option<&Expr> {
    match &value.kind {
        ExprKind::Builtin {
            builtin: Builtin::Append,
            args,
        } if args.len() == 2 && matches!(args[0].kind, ExprKind::Local(x) if x == l) => {
            Some(&args[1])
        }
        _ => None,
    }
}

/// A value that is a list object nobody else refers to yet.
fn fresh(e: &Expr) -> bool {
    matches!(
        e.kind,
        ExprKind::List(_)
            | ExprKind::Builtin {
                builtin: Builtin::Append,
                ..
            }
            | ExprKind::Slice { .. }
    ) && matches!(e.ty, Type::List(_))
}

struct Walk<'a> {
    owned: &'a mut Vec<bool>,
}

impl Walk<'_> {
    fn disown(&mut self, l: LocalId) {
        if let Some(o) = self.owned.get_mut(l as usize) {
            *o = false;
        }
    }

    /// Assigning `value` to local `l`.
    fn assigned(&mut self, l: LocalId, value: &Expr) {
        if let Some(v) = self_append(l, value) {
            self.expr(v);
            return;
        }
        if !fresh(value) {
            self.disown(l);
        }
        self.expr(value);
    }

    fn stmts(&mut self, ss: &[Stmt]) {
        for s in ss {
            self.stmt(s);
        }
    }

    fn stmt(&mut self, s: &Stmt) {
        match &s.kind {
            StmtKind::Let { local, init } => self.assigned(*local, init),
            StmtKind::Assign {
                place: Place::Local(l),
                value,
            } => self.assigned(*l, value),
            StmtKind::Assign {
                place: Place::Index { base, index },
                value,
            } => {
                self.container(base);
                self.expr(index);
                self.expr(value);
            }
            StmtKind::Return(Some(e)) => self.container(e),
            _ => s.for_each_child(|c| match c {
                Child::Expr(x) => self.expr(x),
                Child::Stmts(s) => self.stmts(s),
            }),
        }
    }

    /// An expression read only as a container (its elements read or written, its length
    /// or membership asked, printed): a local there stays owned.
    fn container(&mut self, e: &Expr) {
        if !matches!(e.kind, ExprKind::Local(_)) {
            self.expr(e);
        }
    }

    fn expr(&mut self, e: &Expr) {
        match &e.kind {
            ExprKind::Local(l) => self.disown(*l),
            // Reading a list local's length, membership, elements or a slice of it does not
            // let it escape: the list itself is not disowned.
            ExprKind::In(item, container) => {
                self.expr(item);
                self.container(container);
            }
            ExprKind::Builtin {
                builtin: Builtin::Len | Builtin::Print,
                args,
            } => args.iter().for_each(|a| self.container(a)),
            ExprKind::Index { base, index } => {
                self.container(base);
                self.expr(index);
            }
            ExprKind::Slice { base, lo, hi } => {
                self.container(base);
                lo.iter().chain(hi.iter()).for_each(|x| self.expr(x));
            }
            _ => e.for_each_child(|c| match c {
                Child::Expr(x) => self.expr(x),
                Child::Stmts(s) => self.stmts(s),
            }),
        }
    }
}
