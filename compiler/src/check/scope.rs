//! Function contexts, block scopes, name resolution and closure captures.
//!
//! A name is looked up in the current function's block scopes (innermost first), then its
//! captured names, then (inside a method) the fields of `self`, then, for a closure, in the
//! enclosing function: a local found there is *captured*: a new local of the closure holds a
//! copy made when the closure is created (`FuncDef::captures`, `ExprKind::Closure`). A field of
//! an enclosing method is reached by capturing `self`. Globals, top-level functions, nullary
//! variants and builtins come after.

use std::collections::HashMap;

use super::{Checker, Result};
use crate::hir::{FuncId, FuncKind, LocalDef, LocalId};
use crate::types::{StructId, Type};
use vm::error::Error;
use vm::Pos;

pub(crate) struct FnCtx {
    pub func: FuncId,
    pub kind: FuncKind,
    pub locals: Vec<LocalDef>,
    pub scopes: Vec<HashMap<String, LocalId>>,
    /// Names captured from the enclosing function, with the local holding the copy.
    pub captures: Vec<(String, LocalId)>,
    /// The declared return type; `None` for an anonymous function whose return type is
    /// inferred from its first `return e`.
    pub ret: Option<Type>,
    pub loops: u32,
    /// Inside a method: its struct and the `self` parameter.
    pub self_: Option<(StructId, LocalId)>,
    pub tparams: Vec<String>,
    /// The function's own name (a nested named `fun` may call itself).
    pub name: String,
    /// Set when the body refers to the function itself (a recursive nested `fun`).
    pub self_ref: bool,
}

impl FnCtx {
    pub fn new(
        func: FuncId,
        kind: FuncKind,
        ret: Type,
        tparams: Vec<String>,
        name: String,
    ) -> Self {
        FnCtx {
            func,
            kind,
            locals: Vec::new(),
            scopes: vec![HashMap::new()],
            captures: Vec::new(),
            ret: Some(ret),
            loops: 0,
            self_: None,
            tparams,
            name,
            self_ref: false,
        }
    }

    /// Declare a local in the innermost scope.
    pub fn declare(&mut self, name: &str, ty: Type, mutable: bool, pos: Pos) -> LocalId {
        let id = self.locals.len() as LocalId;
        self.locals.push(LocalDef {
            name: name.to_string(),
            ty,
            mutable,
            pos,
        });
        if let Some(s) = self.scopes.last_mut() {
            s.insert(name.to_string(), id);
        }
        id
    }
}

/// What a name denotes inside a function.
#[derive(Clone, Debug)]
pub(crate) enum Res {
    /// A local (possibly a captured copy: then `captured` is set and it is not assignable).
    Local {
        id: LocalId,
        ty: Type,
        mutable: bool,
        captured: bool,
        decl: Pos,
    },
    /// A field of `self` inside a method (`self_id` is the local holding `self`).
    Field {
        self_id: LocalId,
        sid: StructId,
        field: u32,
        ty: Type,
    },
    /// The enclosing nested function itself (recursion).
    SelfFun(FuncId),
}

impl Checker<'_> {
    pub(crate) fn cur(&mut self) -> &mut FnCtx {
        self.fns.last_mut().expect("function context")
    }

    pub(crate) fn push_scope(&mut self) {
        self.cur().scopes.push(HashMap::new());
    }

    pub(crate) fn pop_scope(&mut self) {
        self.cur().scopes.pop();
    }

    /// Whether we are at the top level of main (where `let`/`var` declare globals).
    pub(crate) fn at_top_level(&self) -> bool {
        self.fns.len() == 1 && self.fns[0].kind == FuncKind::Main && self.fns[0].scopes.len() == 1
    }

    /// Declare a local in the current function, rejecting a redeclaration in the same scope.
    pub(crate) fn declare_local(
        &mut self,
        name: &str,
        ty: Type,
        mutable: bool,
        pos: Pos,
    ) -> Result<LocalId> {
        let ctx = self.cur();
        if let Some(&old) = ctx.scopes.last().and_then(|s| s.get(name)) {
            let p = ctx.locals[old as usize].pos;
            return Err(Error::ty(
                pos,
                format!(
                    "'{name}' is already declared in this scope (at {}:{})",
                    p.line, p.col
                ),
            ));
        }
        Ok(ctx.declare(name, ty, mutable, pos))
    }

    /// Resolve `name` among locals, captures and fields (capturing through enclosing
    /// functions as needed).
    pub(crate) fn resolve_local(&mut self, name: &str) -> Option<Res> {
        let level = self.fns.len().checked_sub(1)?;
        self.resolve_at(level, name)
    }

    fn resolve_at(&mut self, level: usize, name: &str) -> Option<Res> {
        let ctx = &self.fns[level];
        for s in ctx.scopes.iter().rev() {
            if let Some(&id) = s.get(name) {
                let l = &ctx.locals[id as usize];
                return Some(Res::Local {
                    id,
                    ty: l.ty.clone(),
                    mutable: l.mutable,
                    captured: false,
                    decl: l.pos,
                });
            }
        }
        if let Some((_, id)) = ctx.captures.iter().find(|(n, _)| n == name) {
            let l = &ctx.locals[*id as usize];
            return Some(Res::Local {
                id: *id,
                ty: l.ty.clone(),
                mutable: false,
                captured: true,
                decl: l.pos,
            });
        }
        if let Some((sid, self_id)) = ctx.self_ {
            let st = &self.structs[sid as usize];
            if let Some(i) = st.fields.iter().position(|(n, _)| n == name) {
                return Some(Res::Field {
                    self_id,
                    sid,
                    field: i as u32,
                    ty: st.fields[i].1.clone(),
                });
            }
        }
        if ctx.kind != FuncKind::Closure || level == 0 {
            return None;
        }
        if ctx.name == name && !name.is_empty() {
            return Some(Res::SelfFun(ctx.func));
        }
        // Capture from the enclosing function.
        match self.resolve_at(level - 1, name)? {
            Res::Local { ty, decl, .. } => {
                let id = self.capture(level, name, ty.clone(), decl);
                Some(Res::Local {
                    id,
                    ty,
                    mutable: false,
                    captured: true,
                    decl,
                })
            }
            Res::Field { sid, field, ty, .. } => {
                // Capture `self` and read the field from the copy.
                let Some(Res::Local {
                    ty: sty, decl: sp, ..
                }) = self.resolve_at(level - 1, "self")
                else {
                    return None;
                };
                let self_id = self.capture(level, "self", sty, sp);
                Some(Res::Field {
                    self_id,
                    sid,
                    field,
                    ty,
                })
            }
            // A closure nested in a recursive nested fun referring to that fun: not
            // supported (reported by the caller as an undefined name would be confusing).
            Res::SelfFun(_) => None,
        }
    }

    fn capture(&mut self, level: usize, name: &str, ty: Type, decl: Pos) -> LocalId {
        let ctx = &mut self.fns[level];
        if let Some((_, id)) = ctx.captures.iter().find(|(n, _)| n == name) {
            return *id;
        }
        let id = ctx.locals.len() as LocalId;
        ctx.locals.push(LocalDef {
            name: name.to_string(),
            ty,
            mutable: false,
            pos: decl,
        });
        ctx.captures.push((name.to_string(), id));
        id
    }

    /// Whether `name` is a generic type parameter in scope.
    pub(crate) fn is_tparam(&self, name: &str) -> bool {
        self.pending_tparams.iter().any(|t| t == name)
            || self
                .fns
                .iter()
                .rev()
                .any(|f| f.tparams.iter().any(|t| t == name))
    }
}
