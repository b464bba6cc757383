//! Which list and string locals of a function are *owned*: no other variable, container,
//! closure or callee can ever hold the object (the slot) such a local refers to. For an
//! owned local, `xs = append(xs, v)` (or `xs = xs + [v, ...]`, a push per element) is lowered
//! to `ListPush xs, v` and `s = s + t` (or `s = s + t + u ...`) to `AppendStr s, t`, which
//! grow the object in place (a store and a length bump when its buffer has room) instead of
//! creating a new object each time. (`xs + [v]` concatenates into a new list with the same
//! buffer decision as `append`: shared when `xs` ends at its buffer's used length and there is
//! room, else copied.)
//!
//! Why this is exact: `append` makes a new list object sharing the old one's buffer (or a
//! copy), and the old object stays reachable only through other references to it. When
//! there are none, the old object is dead right after the assignment, so updating it in
//! place instead gives the same observable state: `ListPush` takes the same decision on the
//! buffer (write in place only when the list ends at the buffer's used length and there is
//! room, else copy), so the Go-append aliasing of *buffers* with other lists is unchanged.
//! Strings are the same with one more guard, because a string local may start as a shared
//! constant (`var s = ""`): `AppendStr` extends a string slot in place only when the slot
//! carries `FLAG_UNIQUE`, which only `AppendStr` itself sets, on a slot it has just made for
//! the local (arenas' `Heap::str_append`); so the first append of a literal makes a new slot
//! and the next ones extend it.
//!
//! A local is owned when it is a mutable, non-parameter, non-captured local of a list or
//! string type and:
//! - every value assigned to it (its initialiser included) makes a new object: for a list, a
//!   list literal, an `append(..)` or a slice; for a string, a string literal (a constant,
//!   never `FLAG_UNIQUE`);
//! - every read of it is one that cannot keep the object: an element read `xs[i]`, an
//!   element write `xs[i] = v`, `len(xs)`, `v in xs`, a slice (a new object), an argument of
//!   `print`, the first operand of its own self-append (`xs = append(xs, v)`,
//!   `s = s + t`), or `return xs` (the local dies with the frame, so no later push can be
//!   observed through the returned value).
//!
//! Any other occurrence (passing it to a function, storing it in a container or another
//! variable, capturing it, iterating it with `for x in xs`, matching on it, comparing it,
//! ...) disowns it.

use crate::hir::{BinOp, Builtin, Expr, ExprKind, FuncDef, LocalId, Place, Stmt, StmtKind, Visit};
use crate::types::Type;

/// `owned[l]` for every local of `f`.
pub(crate) fn owned_locals(f: &FuncDef) -> Vec<bool> {
    let mut owned: Vec<bool> = f
        .locals
        .iter()
        .map(|l| l.mutable && matches!(l.ty, Type::List(_) | Type::Str))
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

/// `xs = append(xs, v)`, `xs = xs + [v1, v2 ...]` or `s = s + t1 + t2 ...` for local `l`:
/// the appended values, in order.
pub(crate) fn self_append(l: LocalId, value: &Expr) -> Option<Vec<&Expr>> {
    match &value.kind {
        ExprKind::Builtin {
            builtin: Builtin::Append,
            args,
        } if args.len() == 2 && matches!(args[0].kind, ExprKind::Local(x) if x == l) => {
            Some(vec![&args[1]])
        }
        // `xs = xs + [v1, v2 ...]` (elements of the list's own element type)
        ExprKind::Binary(BinOp::Add, x, y) if matches!(value.ty, Type::List(_)) => {
            let Type::List(et) = &value.ty else {
                return None;
            };
            match (&x.kind, &y.kind) {
                (ExprKind::Local(x), ExprKind::List(elems))
                    if *x == l && y.ty == value.ty && elems.iter().all(|e| e.ty == **et) =>
                {
                    Some(elems.iter().collect())
                }
                _ => None,
            }
        }
        ExprKind::Binary(BinOp::Add, ..) if value.ty == Type::Str => {
            let mut pieces = Vec::new();
            let mut e = value;
            while let ExprKind::Binary(BinOp::Add, x, y) = &e.kind {
                if e.ty != Type::Str || y.ty != Type::Str {
                    return None;
                }
                pieces.push(&**y);
                e = x;
            }
            if !matches!(e.kind, ExprKind::Local(x) if x == l) || e.ty != Type::Str {
                return None;
            }
            pieces.reverse();
            Some(pieces)
        }
        _ => None,
    }
}

/// A value that is a list object nobody else refers to yet, or a string constant.
fn fresh(e: &Expr) -> bool {
    match e.ty {
        Type::List(_) => matches!(
            e.kind,
            ExprKind::List(_)
                | ExprKind::Builtin {
                    builtin: Builtin::Append,
                    ..
                }
                | ExprKind::Slice { .. }
        ),
        Type::Str => matches!(e.kind, ExprKind::Str(_)),
        _ => false,
    }
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
        if let Some(pieces) = self_append(l, value) {
            pieces.into_iter().for_each(|v| self.expr(v));
            return;
        }
        if !fresh(value) {
            self.disown(l);
        }
        self.expr(value);
    }

    /// An expression read only as a container (its elements read or written, its length
    /// or membership asked, printed): a local there stays owned.
    fn container(&mut self, e: &Expr) {
        if !matches!(e.kind, ExprKind::Local(_)) {
            self.expr(e);
        }
    }
}

impl Visit for Walk<'_> {
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
            _ => self.stmt_children(s),
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
            _ => self.expr_children(e),
        }
    }
}
