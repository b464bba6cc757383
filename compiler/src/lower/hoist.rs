//! Loop-invariant globals. A loop that calls nothing (no function, method or closure call:
//! the only code that could assign a global behind the loop's back; a call the lowering
//! inlines is none, its body's uses of globals count as the loop's) reads every global it
//! does not assign itself from a slot loaded once before the loop, instead of with a
//! `LoadGlobal*` at each use. Top-level code keeps its variables in globals, so this is what
//! turns `pos_x[i]` in a top-level loop into one list read instead of two ops.
//!
//! Exact: nothing else runs while the loop does, so the global holds the loaded value for
//! the whole loop.
//!
//! Under `mochi run`, such a loop also keeps the globals it *assigns* in slots when it has no
//! `return` (*promoted* globals): loaded before the loop, read and assigned in the slot inside
//! it, stored back after it, where `break` lands too. Nothing but the loop can read the global
//! meanwhile, and a runtime error inside the loop ends the program (a failing `expect`
//! included), so the stale global is never observed; `mochi test`, which goes on to the next
//! test after a failure, keeps them in globals. Top-level code keeps its variables in globals,
//! so this is what keeps `seed = (seed * a + c) % m` in a top-level loop in a register.
//! Loading a global has no effect and cannot fail, so loading it before a loop that runs no
//! iteration changes nothing either. A cached cell global's slot is a frame cell slot, so
//! the collector sees it as a root (the global itself also keeps the value alive).

use crate::hir::{Expr, ExprKind, FuncDef, GlobalId, Place, Stmt, StmtKind, Visit};

/// At most this many globals are cached per loop (each costs a frame slot).
pub(crate) const MAX_CACHED: usize = 32;

/// The calls the lowering inlines (`super::inline`): every function and whether it is
/// inlined at its call sites.
#[derive(Clone, Copy)]
pub(crate) struct Inlined<'a> {
    pub funcs: &'a [FuncDef],
    pub inlinable: &'a [bool],
}

#[derive(Default)]
pub(crate) struct LoopUse {
    /// Globals read, in first-use order (no duplicates).
    pub reads: Vec<GlobalId>,
    pub writes: Vec<GlobalId>,
    /// The loop calls something (a function, a method or a closure).
    pub calls: bool,
    /// The loop has a `return` (which would leave it without the write-back).
    pub returns: bool,
}

impl LoopUse {
    /// The globals worth caching for a loop over `exprs` and `stmts`: read and never
    /// assigned, when the loop calls nothing.
    ///
    /// A call the lowering inlines is no call: its body runs in the loop's frame, where its
    /// reads and writes of globals count as the loop's own (an inlined callee calls nothing
    /// and its `return`s do not leave the loop).
    pub(crate) fn of(exprs: &[&Expr], stmts: &[Stmt], inlined: Inlined) -> LoopUse {
        let mut u = LoopUse::default();
        let mut w = Walk {
            u: &mut u,
            inlined,
            in_callee: false,
        };
        for e in exprs {
            w.expr(e);
        }
        w.stmts(stmts);
        u
    }

    pub(crate) fn invariant(&self) -> Vec<GlobalId> {
        if self.calls {
            return Vec::new();
        }
        self.reads
            .iter()
            .copied()
            .filter(|g| !self.writes.contains(g))
            .take(MAX_CACHED)
            .collect()
    }

    /// The globals to keep in a slot for the whole loop and store back after it (`mochi
    /// run` only): those it assigns, when it calls nothing and has no `return`.
    pub(crate) fn promoted(&self) -> Vec<GlobalId> {
        if self.calls || self.returns {
            return Vec::new();
        }
        self.writes.iter().copied().take(MAX_CACHED).collect()
    }
}

struct Walk<'a, 'b> {
    u: &'b mut LoopUse,
    inlined: Inlined<'a>,
    /// Inside an inlined callee's body (its `return`s stay in the loop).
    in_callee: bool,
}

impl Visit for Walk<'_, '_> {
    fn stmt(&mut self, s: &Stmt) {
        match &s.kind {
            StmtKind::Assign {
                place: Place::Global(g),
                ..
            } if !self.u.writes.contains(g) => self.u.writes.push(*g),
            StmtKind::Return(_) if !self.in_callee => self.u.returns = true,
            _ => {}
        }
        self.stmt_children(s);
    }

    fn expr(&mut self, e: &Expr) {
        match &e.kind {
            ExprKind::Global(g) if !self.u.reads.contains(g) => self.u.reads.push(*g),
            ExprKind::Call { func, .. }
                if self.inlined.inlinable.get(*func as usize) == Some(&true) =>
            {
                let body = &self.inlined.funcs[*func as usize].body;
                let was = std::mem::replace(&mut self.in_callee, true);
                self.stmts(body);
                self.in_callee = was;
            }
            ExprKind::Call { .. } | ExprKind::CallValue { .. } => self.u.calls = true,
            _ => {}
        }
        self.expr_children(e);
    }
}
