//! Inlining of small leaf functions at their call sites.
//!
//! A call of a top-level function (or method) whose body is small and calls nothing is
//! lowered as the callee's body, in the caller's frame: the arguments are evaluated into
//! fresh slots of the caller (left to right, as a call stages them), the callee's locals get
//! slots of the caller, and each `return e` becomes "evaluate `e` into the call's result slot
//! and jump past the body". Both tiers run the same bytecode, so they still agree. What
//! changes is what a call costs (a frame header, the argument copies, the call and return
//! themselves, the spill and reload of register-cached slots around a native call), which is
//! most of the time of a loop around `eval_a(i, j)` (spectral_norm), and that such a call no
//! longer counts towards the call depth, appears in `--stats` or is a frame of its own in a
//! `--profile`. The callee's instructions keep the callee's source positions, so an error
//! inside it reports the same place as before.
//!
//! A callee qualifies when it is a top-level function or a method (no captures), calls no
//! function, creates no closure, has no loop (a loop amortises the call, and a function
//! with one should stay a unit that tiers up on its own: see `--profile`), holds no `test`,
//! `bench` or `expect`, and has at most [`MAX_NODES`] expression and statement nodes.

use super::func::{FnBuilder, Opnd, Slot};
use super::{bank_of, Lowerer, Result};
use crate::hir::{self, Child, Expr, ExprKind, FuncKind, Stmt, StmtKind};
use crate::types::Type;
use vm::Pos;

/// The size limit of an inlined body, in HIR nodes (expressions and statements).
pub(crate) const MAX_NODES: usize = 40;

/// Where the `return`s of a body being inlined go.
pub(crate) struct InlineRet {
    /// The call's result slot (None: the value is dropped, or the function is void).
    pub dst: Option<Slot>,
    /// The label just past the inlined body.
    pub end: usize,
}

/// Whether `f` may be inlined at its call sites.
pub(crate) fn inlinable(f: &hir::FuncDef) -> bool {
    if !matches!(f.kind, FuncKind::Top | FuncKind::Method(_)) || !f.captures.is_empty() {
        return false;
    }
    let mut nodes = 0usize;
    let mut ok = true;
    for s in &f.body {
        walk_stmt(s, &mut nodes, &mut ok);
    }
    ok && nodes <= MAX_NODES
}

fn walk_stmt(s: &Stmt, nodes: &mut usize, ok: &mut bool) {
    *nodes += 1;
    if matches!(
        s.kind,
        StmtKind::Test { .. }
            | StmtKind::Bench { .. }
            | StmtKind::Expect { .. }
            | StmtKind::While { .. }
            | StmtKind::ForRange { .. }
            | StmtKind::ForEach { .. }
    ) {
        *ok = false;
    }
    if !*ok || *nodes > MAX_NODES {
        return;
    }
    s.for_each_child(|c| walk_child(c, nodes, ok));
}

fn walk_expr(e: &Expr, nodes: &mut usize, ok: &mut bool) {
    *nodes += 1;
    if matches!(
        e.kind,
        ExprKind::Call { .. } | ExprKind::CallValue { .. } | ExprKind::Closure { .. }
    ) {
        *ok = false;
    }
    if !*ok || *nodes > MAX_NODES {
        return;
    }
    e.for_each_child(|c| walk_child(c, nodes, ok));
}

/// Whether `body` assigns local `l` (`l = ...`; a store into its list or struct is not one).
fn assigns(body: &[Stmt], l: hir::LocalId) -> bool {
    fn stmt(s: &Stmt, l: hir::LocalId) -> bool {
        if matches!(&s.kind, StmtKind::Assign { place: hir::Place::Local(x), .. } if *x == l) {
            return true;
        }
        let mut found = false;
        s.for_each_child(|c| found |= child(c, l));
        found
    }
    fn child(c: Child<'_>, l: hir::LocalId) -> bool {
        match c {
            Child::Expr(e) => {
                let mut found = false;
                e.for_each_child(|c| found |= child(c, l));
                found
            }
            Child::Stmts(ss) => ss.iter().any(|s| stmt(s, l)),
        }
    }
    body.iter().any(|s| stmt(s, l))
}

fn walk_child(c: Child<'_>, nodes: &mut usize, ok: &mut bool) {
    match c {
        Child::Expr(e) => walk_expr(e, nodes, ok),
        Child::Stmts(ss) => {
            for s in ss {
                walk_stmt(s, nodes, ok);
            }
        }
    }
}

impl Lowerer<'_> {
    /// Lower the call `fid(args)` as the callee's body (see the module comment); its value,
    /// if any, goes to `dst`.
    pub(crate) fn inline_call(
        &mut self,
        b: &mut FnBuilder,
        fid: u32,
        args: &[Expr],
        dst: Option<Slot>,
        ty: &Type,
        pos: Pos,
    ) -> Result<()> {
        let f = &self.hir.funcs[fid as usize];
        let mark = b.next;
        let dst = dst.filter(|_| *ty != Type::Void);
        let mut params = Vec::with_capacity(args.len());
        for (a, &p) in args.iter().zip(&f.params) {
            // A caller's local passed to a parameter the body never assigns is read in place
            // (the body cannot assign the caller's locals), unless it is the result slot.
            if let ExprKind::Local(l) = a.kind {
                let s = b.local(l);
                if !assigns(&f.body, p) && Some(s) != dst {
                    params.push(s);
                    continue;
                }
            }
            let s = b.alloc(bank_of(&a.ty));
            self.expr_to(b, a, s)?;
            params.push(s);
        }
        let end = b.new_label();
        let saved = (
            std::mem::replace(&mut b.fid, fid),
            std::mem::replace(&mut b.locals, vec![None; f.locals.len()]),
            std::mem::replace(&mut b.owned, super::owned::owned_locals(f)),
            std::mem::take(&mut b.loops),
            b.inline.replace(InlineRet { dst, end }),
        );
        for (&l, s) in f.params.iter().zip(params) {
            b.locals[l as usize] = Some(s);
        }
        let mut result = Ok(());
        let mut chained = false;
        for (i, s) in f.body.iter().enumerate() {
            if let Some(chain) = super::select::closing_chain(f, i) {
                // Straight into the call's result slot, which no parameter aliases (above);
                // nothing without one, as the conditions change nothing. (The jump to `end`
                // right after is dropped below.)
                if let Some(d) = dst {
                    self.select_chain(b, &chain, d);
                }
                b.jmp(end, chain.pos());
                chained = true;
                break;
            }
            result = self.stmt(b, s);
            if result.is_err() {
                break;
            }
        }
        // Falling off the end of a non-void body gives the zero value, as a call would (a
        // body that ends with a `return` cannot).
        let ends_in_return =
            chained || matches!(f.body.last(), Some(s) if matches!(s.kind, StmtKind::Return(_)));
        if result.is_ok() && f.ret != Type::Void && !ends_in_return {
            if let Some(d) = dst {
                let end_pos = f.body.last().map(|s| s.pos).unwrap_or(pos);
                result = self.zero_into(b, &f.ret, d, end_pos);
            }
        }
        // The last `return` jumps to the very next instruction: drop that jump (a label bound
        // at it then means the same place as `end`; not when a label is bound after it, as
        // after `if c { return x }`, which would then point past the code).
        let len = b.code.len();
        if matches!(b.code.last(), Some((vm::ops::Op::Jmp, [Opnd::Label(l), ..], _)) if *l == end)
            && !b.labels.contains(&Some(len))
        {
            b.code.pop();
        }
        b.bind(end);
        b.fid = saved.0;
        b.locals = saved.1;
        b.owned = saved.2;
        b.loops = saved.3;
        b.inline = saved.4;
        b.next = mark;
        result
    }

    /// `return e` inside a body being inlined: the value into the call's result slot, then
    /// past the body.
    pub(crate) fn inline_return(
        &mut self,
        b: &mut FnBuilder,
        e: Option<&Expr>,
        pos: Pos,
    ) -> Result<()> {
        let (dst, end) = {
            let r = b
                .inline
                .as_ref()
                .expect("inline_return outside an inlined body");
            (r.dst, r.end)
        };
        let ret = self.hir.funcs[b.fid as usize].ret.clone();
        match (e, dst) {
            (Some(e), Some(d)) if e.ty != Type::Void => self.expr_to(b, e, d)?,
            (Some(e), _) => self.expr_effect(b, e)?,
            (None, Some(d)) => self.zero_into(b, &ret, d, pos)?,
            (None, None) => {}
        }
        b.emit(
            vm::ops::Op::Jmp,
            [Opnd::Label(end), Opnd::None, Opnd::None],
            pos,
        );
        Ok(())
    }
}
