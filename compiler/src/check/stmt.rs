//! Statements: declarations, assignments, control flow, tests and benches.

use super::scope::{FnCtx, Res};
use super::types::conv;
use super::{Checker, Result};
use crate::hir::{self, Conv, Expr, ExprKind, FuncKind, Place, Stmt, StmtKind};
use crate::syntax::ast;
use crate::types::Type;
use vm::error::Error;
use vm::Pos;

impl Checker<'_> {
    /// Check statements in a new block scope.
    pub(crate) fn block_in_scope(&mut self, stmts: &[ast::Stmt]) -> Result<Vec<Stmt>> {
        self.push_scope();
        let r = self.stmts(stmts);
        self.pop_scope();
        r
    }

    fn stmts(&mut self, stmts: &[ast::Stmt]) -> Result<Vec<Stmt>> {
        let mut out = Vec::with_capacity(stmts.len());
        for s in stmts {
            if let Some(st) = self.stmt(s)? {
                out.push(st);
            }
        }
        Ok(out)
    }

    fn cond(&mut self, e: &ast::Expr, what: &str) -> Result<Expr> {
        let c = self.expr(e, None)?;
        self.bool_operand(c, what)
    }

    /// A bool (an `any`/optional operand is tested for truthiness at run time, as the
    /// reference does: nil, false, 0, "" and empty containers are false; `if row.customer`
    /// after a left join).
    pub(crate) fn bool_operand(&mut self, c: Expr, what: &str) -> Result<Expr> {
        match c.ty {
            Type::Bool => Ok(c),
            Type::Any | Type::Optional(_) | Type::Param(_) => Ok(conv(Conv::Truthy, c, Type::Bool)),
            _ => Err(Error::ty(
                c.pos,
                format!("{what} must be bool, found {}", self.tyname(&c.ty)),
            )),
        }
    }

    /// Check one statement; `None` for declarations that produce no code here.
    pub(crate) fn stmt(&mut self, s: &ast::Stmt) -> Result<Option<Stmt>> {
        use ast::StmtKind as K;
        let pos = s.pos;
        let kind = match &s.kind {
            K::Let {
                name,
                mutable,
                ty,
                init,
            } => {
                return self
                    .let_stmt(name, *mutable, ty.as_ref(), init.as_ref(), pos)
                    .map(Some)
            }
            K::Assign { target, value } => self.assign(target, value)?,
            K::Expr(e) => StmtKind::Expr(self.expr(e, None)?),
            K::If { cond, then, els } => {
                let cond = self.cond(cond, "condition")?;
                let then = self.block_in_scope(then)?;
                let els = match els {
                    Some(b) => self.block_in_scope(b)?,
                    None => vec![],
                };
                StmtKind::If { cond, then, els }
            }
            K::While { cond, body } => {
                let cond = self.cond(cond, "condition")?;
                let body = self.loop_body(body, None)?;
                StmtKind::While { cond, body: body.1 }
            }
            K::ForRange {
                var,
                start,
                end,
                body,
            } => {
                let start = self.expr(start, Some(&Type::Int))?;
                let start = self.range_bound(start)?;
                let end = self.expr(end, Some(&Type::Int))?;
                let end = self.range_bound(end)?;
                let (v, body) = self.loop_body(body, Some((var, Type::Int, pos)))?;
                StmtKind::ForRange {
                    var: v.unwrap_or(0),
                    start,
                    end,
                    body,
                }
            }
            K::ForIn { var, iter, body } => {
                let iterable = self.expr(iter, None)?;
                let iterable = self.group_items(iterable);
                let elem = match &iterable.ty {
                    Type::List(t) => (**t).clone(),
                    Type::Map(k, _) => (**k).clone(),
                    Type::Str => Type::Str,
                    Type::Any | Type::Param(_) => Type::Any,
                    t => {
                        return Err(Error::ty(
                            iterable.pos,
                            format!("cannot iterate over a value of type {}", self.tyname(t)),
                        ))
                    }
                };
                let (v, body) = self.loop_body(body, Some((var, elem, pos)))?;
                StmtKind::ForEach {
                    var: v.unwrap_or(0),
                    iterable,
                    body,
                }
            }
            K::Break | K::Continue => {
                if self.cur().loops == 0 {
                    let what = if matches!(s.kind, K::Break) {
                        "break"
                    } else {
                        "continue"
                    };
                    return Err(Error::ty(pos, format!("{what} outside of a loop")));
                }
                if matches!(s.kind, K::Break) {
                    StmtKind::Break
                } else {
                    StmtKind::Continue
                }
            }
            K::Return(e) => self.return_stmt(e.as_ref(), pos)?,
            K::Fun(f) => {
                if self.at_top_level() {
                    return Ok(None); // a top-level function: checked separately
                }
                return self.nested_fun(f).map(Some);
            }
            K::Type(td) => {
                if !self.at_top_level() {
                    return Err(Error::ty(
                        td.pos,
                        "type declarations are only allowed at the top level",
                    ));
                }
                return Ok(None);
            }
            K::Test { name, body } if self.at_top_level() => {
                let func = self.test_function(name, body, pos)?;
                StmtKind::Test {
                    name: name.clone(),
                    body: vec![],
                    func: Some(func),
                }
            }
            K::Test { name, body } => StmtKind::Test {
                name: name.clone(),
                body: self.block_in_scope(body)?,
                func: None,
            },
            K::Bench { name, body } => StmtKind::Bench {
                name: name.clone(),
                body: self.block_in_scope(body)?,
            },
            K::Expect(e) => {
                let cond = self.cond(e, "expect condition")?;
                StmtKind::Expect {
                    cond,
                    source: self.source_line(pos.line),
                }
            }
            K::Update {
                target,
                set,
                filter,
            } => self.update_stmt(target, set, filter.as_ref(), pos)?,
            K::Import { .. } | K::Extern(_) => {
                if !self.at_top_level() {
                    return Err(Error::ty(pos, "imports are only allowed at the top level"));
                }
                return Ok(None); // validated by collect_imports
            }
            K::Package(_) => return Ok(None),
        };
        Ok(Some(Stmt { kind, pos }))
    }

    /// `update xs set { f: e, ... } where cond`, desugared to
    /// `for item in xs { let f1 = item.f1 ...; if cond { item.f = e ... } }`: every field of
    /// the element is bound (read-only) under its own name before the values and the
    /// condition are evaluated, so all values see the element's old fields; then the fields
    /// are set in place. Structs are shared references, so every alias of an updated element
    /// (another list holding it, a variable bound to it) sees the new fields.
    fn update_stmt(
        &mut self,
        target: &str,
        set: &[ast::FieldInit],
        filter: Option<&ast::Expr>,
        pos: Pos,
    ) -> Result<StmtKind> {
        let list = self.ident(target, pos)?;
        let list = match list.ty.clone() {
            Type::Optional(t) => conv(Conv::Unbox, list, *t),
            _ => list,
        };
        let sid = match &list.ty {
            Type::List(e) => match e.as_ref() {
                Type::Struct(sid) => *sid,
                _ => {
                    return Err(Error::ty(
                        pos,
                        format!(
                            "update needs a list of structs, found {}",
                            self.tyname(&list.ty)
                        ),
                    ))
                }
            },
            t => {
                return Err(Error::ty(
                    pos,
                    format!("update needs a list of structs, found {}", self.tyname(t)),
                ))
            }
        };
        let fields = self.structs[sid as usize].fields.clone();
        self.push_scope();
        let r = (|| {
            // A name no program can spell: the element itself.
            let item = self
                .cur()
                .declare(" update item", Type::Struct(sid), false, pos);
            let item_expr = |p: Pos| Expr {
                kind: ExprKind::Local(item),
                ty: Type::Struct(sid),
                pos: p,
            };
            self.push_scope();
            let mut body = Vec::with_capacity(fields.len() + 1);
            for (i, (name, ty)) in fields.iter().enumerate() {
                let l = self.cur().declare(name, ty.clone(), false, pos);
                body.push(Stmt {
                    kind: StmtKind::Let {
                        local: l,
                        init: Expr {
                            kind: ExprKind::Field {
                                base: Box::new(item_expr(pos)),
                                field: i as u32,
                            },
                            ty: ty.clone(),
                            pos,
                        },
                    },
                    pos,
                });
            }
            let mut assigns = Vec::with_capacity(set.len());
            let mut seen: Vec<u32> = Vec::new();
            for f in set {
                let Some(i) = fields.iter().position(|(n, _)| n == &f.name) else {
                    return Err(Error::ty(
                        f.pos,
                        format!(
                            "type '{}' has no field '{}'",
                            self.structs[sid as usize].name, f.name
                        ),
                    ));
                };
                if seen.contains(&(i as u32)) {
                    return Err(Error::ty(f.pos, format!("field '{}' is set twice", f.name)));
                }
                seen.push(i as u32);
                let t = fields[i].1.clone();
                let v = self.expr(&f.value, Some(&t))?;
                let v = self.coerce(v, &t, &format!("field '{}'", f.name))?;
                assigns.push(Stmt {
                    kind: StmtKind::Assign {
                        place: Place::Field {
                            base: item_expr(f.pos),
                            field: i as u32,
                        },
                        value: v,
                    },
                    pos: f.pos,
                });
            }
            match filter {
                Some(c) => {
                    let cond = self.cond(c, "update condition")?;
                    body.push(Stmt {
                        kind: StmtKind::If {
                            cond,
                            then: assigns,
                            els: vec![],
                        },
                        pos: c.pos,
                    });
                }
                None => body.extend(assigns),
            }
            self.pop_scope();
            Ok(StmtKind::ForEach {
                var: item,
                iterable: list,
                body,
            })
        })();
        self.pop_scope();
        r
    }

    /// A top-level `test` block as a function of its own (no parameters, void), so that
    /// `mochi test` can run each test separately; it sees the globals declared before it and
    /// every function, like the inline block it replaces.
    fn test_function(&mut self, name: &str, body: &[ast::Stmt], pos: Pos) -> Result<hir::FuncId> {
        let id = self.new_func(
            &format!("test \"{name}\""),
            pos,
            FuncKind::Top,
            super::Sig {
                params: vec![],
                ret: Type::Void,
                tparams: vec![],
            },
        );
        self.fns.push(FnCtx::new(
            id,
            FuncKind::Top,
            Type::Void,
            vec![],
            String::new(),
        ));
        let r = self.block_in_scope(body);
        let ctx = self.fns.pop().expect("test context");
        let body = r?;
        let fd = &mut self.funcs[id as usize];
        fd.locals = ctx.locals;
        fd.body = body;
        Ok(id)
    }

    fn range_bound(&mut self, e: Expr) -> Result<Expr> {
        match e.ty {
            Type::Int => Ok(e),
            Type::Any | Type::Param(_) | Type::Optional(_) => Ok(conv(Conv::Unbox, e, Type::Int)),
            _ => Err(Error::ty(
                e.pos,
                format!("range bounds must be int, found {}", self.tyname(&e.ty)),
            )),
        }
    }

    /// A loop body in its own scope, with the loop variable (if any) declared in it.
    fn loop_body(
        &mut self,
        body: &[ast::Stmt],
        var: Option<(&String, Type, Pos)>,
    ) -> Result<(Option<hir::LocalId>, Vec<Stmt>)> {
        self.push_scope();
        // Loop variables may be assigned (programs/err_for_step_overflow.mochi).
        let v = var.map(|(n, t, p)| self.cur().declare(n, t, true, p));
        self.cur().loops += 1;
        let r = self.stmts(body);
        self.cur().loops -= 1;
        self.pop_scope();
        Ok((v, r?))
    }

    fn let_stmt(
        &mut self,
        name: &str,
        mutable: bool,
        ty: Option<&ast::TypeExpr>,
        init: Option<&ast::Expr>,
        pos: Pos,
    ) -> Result<Stmt> {
        let declared = match ty {
            Some(t) => Some(self.resolve_type(t)?),
            None => None,
        };
        if declared == Some(Type::Void) {
            return Err(Error::ty(pos, format!("'{name}' cannot have type void")));
        }
        let init = match (init, &declared) {
            (Some(e), Some(t)) => {
                let v = self.expr(e, Some(t))?;
                self.coerce(v, t, &format!("cannot initialise '{name}'"))?
            }
            (Some(e), None) => {
                let v = self.expr(e, None)?;
                match v.ty {
                    Type::Void => {
                        return Err(Error::ty(
                            e.pos,
                            format!("cannot bind '{name}' to a value of type void"),
                        ))
                    }
                    // `let x = nil` has nothing to say about the type: any.
                    Type::Nil => self.coerce(v, &Type::Any, "nil")?,
                    _ => v,
                }
            }
            (None, Some(t)) => self.zero(t, pos),
            (None, None) => {
                return Err(Error::ty(
                    pos,
                    format!("'{name}' needs a type or an initial value"),
                ))
            }
        };
        let ty = init.ty.clone();
        if self.at_top_level() {
            if let Some(&g) = self.global_names.get(name) {
                let p = self.globals[g as usize].pos;
                return Err(Error::ty(
                    pos,
                    format!("'{name}' is already declared (at {}:{})", p.line, p.col),
                ));
            }
            if self.top_funs.contains_key(name) {
                return Err(Error::ty(
                    pos,
                    format!("'{name}' is already declared as a function"),
                ));
            }
            let g = self.globals.len() as hir::GlobalId;
            self.globals.push(hir::GlobalDef {
                name: name.to_string(),
                ty,
                mutable,
                pos,
            });
            self.global_names.insert(name.to_string(), g);
            return Ok(Stmt {
                kind: StmtKind::Assign {
                    place: Place::Global(g),
                    value: init,
                },
                pos,
            });
        }
        let local = self.declare_local(name, ty, mutable, pos)?;
        Ok(Stmt {
            kind: StmtKind::Let { local, init },
            pos,
        })
    }

    fn return_stmt(&mut self, e: Option<&ast::Expr>, pos: Pos) -> Result<StmtKind> {
        if self.cur().kind == FuncKind::Main {
            return Err(Error::ty(pos, "return outside of a function"));
        }
        let ret = self.cur().ret.clone();
        let fname = self.cur().name.clone();
        let fname = if fname.is_empty() {
            "anonymous function".to_string()
        } else {
            format!("function '{fname}'")
        };
        match (e, ret) {
            (None, Some(Type::Void)) => Ok(StmtKind::Return(None)),
            (None, None) => {
                self.cur().ret = Some(Type::Void);
                Ok(StmtKind::Return(None))
            }
            // Missing value: the function returns nil / the zero value.
            (None, Some(t)) => Ok(StmtKind::Return(Some(self.zero(&t, pos)))),
            (Some(e), Some(Type::Void)) => Err(Error::ty(
                e.pos,
                format!("{fname} has no return type but returns a value"),
            )),
            (Some(e), Some(t)) => {
                let v = self.expr(e, Some(&t))?;
                let v = self.coerce(v, &t, &format!("{fname} returns the wrong type"))?;
                Ok(StmtKind::Return(Some(v)))
            }
            (Some(e), None) => {
                let v = self.expr(e, None)?;
                let v = match v.ty {
                    Type::Nil => self.coerce(v, &Type::Any, "nil")?,
                    _ => v,
                };
                self.cur().ret = Some(v.ty.clone());
                Ok(StmtKind::Return(Some(v)))
            }
        }
    }

    /// `place = value`.
    fn assign(&mut self, target: &ast::Place, value: &ast::Expr) -> Result<StmtKind> {
        // The base variable.
        let (base, base_ty): (Expr, Type) = match self.resolve_local(&target.name) {
            Some(Res::Local {
                id,
                ty,
                mutable,
                captured,
                decl,
            }) => {
                if target.steps.is_empty() {
                    if captured {
                        return Err(Error::ty(
                            target.pos,
                            format!(
                                "cannot assign to '{}': it is captured by value from an enclosing function",
                                target.name
                            ),
                        ));
                    }
                    if !mutable {
                        return Err(immutable(&target.name, target.pos, decl));
                    }
                    let v = self.expr(value, Some(&ty))?;
                    let v = self.coerce(v, &ty, &format!("cannot assign to '{}'", target.name))?;
                    return Ok(StmtKind::Assign {
                        place: Place::Local(id),
                        value: v,
                    });
                }
                (
                    Expr {
                        kind: ExprKind::Local(id),
                        ty: ty.clone(),
                        pos: target.pos,
                    },
                    ty,
                )
            }
            Some(Res::Field {
                self_id,
                sid,
                field,
                ty,
            }) => {
                let selfe = Expr {
                    kind: ExprKind::Local(self_id),
                    ty: Type::Struct(sid),
                    pos: target.pos,
                };
                if target.steps.is_empty() {
                    let v = self.expr(value, Some(&ty))?;
                    let v = self.coerce(v, &ty, &format!("cannot assign to '{}'", target.name))?;
                    return Ok(StmtKind::Assign {
                        place: Place::Field { base: selfe, field },
                        value: v,
                    });
                }
                (
                    Expr {
                        kind: ExprKind::Field {
                            base: Box::new(selfe),
                            field,
                        },
                        ty: ty.clone(),
                        pos: target.pos,
                    },
                    ty,
                )
            }
            Some(Res::SelfFun(_)) => {
                return Err(Error::ty(
                    target.pos,
                    format!("cannot assign to function '{}'", target.name),
                ))
            }
            None => match self.global_names.get(&target.name).copied() {
                Some(g) => {
                    let gd = &self.globals[g as usize];
                    let ty = gd.ty.clone();
                    if target.steps.is_empty() {
                        if !gd.mutable {
                            return Err(immutable(&target.name, target.pos, gd.pos));
                        }
                        let v = self.expr(value, Some(&ty))?;
                        let v =
                            self.coerce(v, &ty, &format!("cannot assign to '{}'", target.name))?;
                        return Ok(StmtKind::Assign {
                            place: Place::Global(g),
                            value: v,
                        });
                    }
                    (
                        Expr {
                            kind: ExprKind::Global(g),
                            ty: ty.clone(),
                            pos: target.pos,
                        },
                        ty,
                    )
                }
                None => {
                    return Err(Error::ty(
                        target.pos,
                        format!("assignment to undeclared variable '{}'", target.name),
                    ))
                }
            },
        };
        // Walk the steps: all but the last are reads.
        let mut cur = base;
        let _ = base_ty;
        let n = target.steps.len();
        for (i, step) in target.steps.iter().enumerate() {
            let last = i + 1 == n;
            match step {
                ast::PlaceStep::Index(ix, p) => {
                    let (base, index, elem) = self.index_parts(cur, ix, *p)?;
                    if last {
                        let v = self.expr(value, Some(&elem))?;
                        let v = self.coerce(v, &elem, "cannot assign element")?;
                        return Ok(StmtKind::Assign {
                            place: Place::Index { base, index },
                            value: v,
                        });
                    }
                    cur = Expr {
                        kind: ExprKind::Index {
                            base: Box::new(base),
                            index: Box::new(index),
                        },
                        ty: elem,
                        pos: *p,
                    };
                }
                ast::PlaceStep::Field(name, p) => {
                    let (base, field, fty) = self.field_parts(cur, name, *p)?;
                    match field {
                        Some(f) => {
                            if last {
                                let v = self.expr(value, Some(&fty))?;
                                let v = self.coerce(
                                    v,
                                    &fty,
                                    &format!("cannot assign to field '{name}'"),
                                )?;
                                return Ok(StmtKind::Assign {
                                    place: Place::Field { base, field: f },
                                    value: v,
                                });
                            }
                            cur = Expr {
                                kind: ExprKind::Field {
                                    base: Box::new(base),
                                    field: f,
                                },
                                ty: fty,
                                pos: *p,
                            };
                        }
                        None => {
                            // A map (or any) with a string key.
                            let key = Expr {
                                kind: ExprKind::Str(name.clone()),
                                ty: Type::Str,
                                pos: *p,
                            };
                            if last {
                                let v = self.expr(value, Some(&fty))?;
                                let v = self.coerce(v, &fty, "cannot assign element")?;
                                return Ok(StmtKind::Assign {
                                    place: Place::Index { base, index: key },
                                    value: v,
                                });
                            }
                            cur = Expr {
                                kind: ExprKind::Index {
                                    base: Box::new(base),
                                    index: Box::new(key),
                                },
                                ty: fty,
                                pos: *p,
                            };
                        }
                    }
                }
            }
        }
        unreachable!("assignment steps are not empty here")
    }

    /// A nested named `fun` inside a function or block: a local holding a closure.
    fn nested_fun(&mut self, f: &ast::FunDecl) -> Result<Stmt> {
        if !f.type_params.is_empty() {
            return Err(Error::unsupported(f.pos, "generic nested functions"));
        }
        let sig = self.fun_sig(f, &[])?;
        let fty = Type::func(sig.params.clone(), sig.ret.clone());
        let id = self.new_func(&f.name, f.pos, FuncKind::Closure, sig.clone());
        let tparams = self.cur().tparams.clone();
        let mut ctx = FnCtx::new(
            id,
            FuncKind::Closure,
            sig.ret.clone(),
            tparams,
            f.name.clone(),
        );
        let mut params = Vec::new();
        for (p, t) in f.params.iter().zip(sig.params.iter()) {
            if ctx.scopes[0].contains_key(&p.name) {
                return Err(Error::ty(
                    p.pos,
                    format!("duplicate parameter '{}'", p.name),
                ));
            }
            params.push(ctx.declare(&p.name, t.clone(), true, p.pos));
        }
        let closure = self.finish_closure(ctx, params, |c| c.block_in_scope(&f.body), f.pos)?;
        let closure = Expr {
            kind: closure,
            ty: fty.clone(),
            pos: f.pos,
        };
        let local = self.declare_local(&f.name, fty, false, f.pos)?;
        Ok(Stmt {
            kind: StmtKind::Let {
                local,
                init: closure,
            },
            pos: f.pos,
        })
    }

    /// Check a closure body in `ctx` (pushed as the innermost function), record the function
    /// and return the `Closure` expression that creates it in the current function.
    pub(crate) fn finish_closure(
        &mut self,
        ctx: FnCtx,
        params: Vec<hir::LocalId>,
        body: impl FnOnce(&mut Self) -> Result<Vec<Stmt>>,
        pos: Pos,
    ) -> Result<ExprKind> {
        let id = ctx.func;
        self.fns.push(ctx);
        let body = body(self);
        let ctx = self.fns.pop().expect("closure context");
        let mut body = body?;
        let ret = ctx.ret.clone().unwrap_or(Type::Void);
        // The values to copy, resolved in the creating function.
        let mut captures = Vec::new();
        for (name, _) in &ctx.captures {
            let e = match self.resolve_local(name) {
                Some(Res::Local { id, ty, .. }) => Expr {
                    kind: ExprKind::Local(id),
                    ty,
                    pos,
                },
                Some(Res::Field {
                    self_id,
                    sid,
                    field,
                    ty,
                }) => Expr {
                    kind: ExprKind::Field {
                        base: Box::new(Expr {
                            kind: ExprKind::Local(self_id),
                            ty: Type::Struct(sid),
                            pos,
                        }),
                        field,
                    },
                    ty,
                    pos,
                },
                _ => {
                    return Err(Error::ty(
                        pos,
                        format!("internal error: cannot capture '{name}'"),
                    ))
                }
            };
            captures.push(e);
        }
        let cap_locals: Vec<hir::LocalId> = ctx.captures.iter().map(|(_, l)| *l).collect();
        if ctx.self_ref {
            fix_self_refs(&mut body, id, &cap_locals, &ctx.locals);
        }
        let fd = &mut self.funcs[id as usize];
        fd.locals = ctx.locals;
        fd.params = params;
        fd.captures = cap_locals;
        fd.ret = ret.clone();
        fd.body = body;
        self.sigs[id as usize].ret = ret;
        Ok(ExprKind::Closure { func: id, captures })
    }
}

fn immutable(name: &str, pos: Pos, decl: Pos) -> Error {
    Error::ty(
        pos,
        format!(
            "cannot assign to immutable '{name}' (declared with let at {}:{})",
            decl.line, decl.col
        ),
    )
}

/// Fill in the captures of the `Closure { func: id }` nodes that a recursive nested function
/// uses to refer to itself (their capture lists were not known yet when they were built).
/// Walks the statements with an explicit stack (no recursion).
fn fix_self_refs(
    body: &mut [Stmt],
    id: hir::FuncId,
    caps: &[hir::LocalId],
    locals: &[hir::LocalDef],
) {
    let mut exprs: Vec<&mut Expr> = Vec::new();
    let mut stmts: Vec<&mut Stmt> = body.iter_mut().collect();
    loop {
        if let Some(s) = stmts.pop() {
            match &mut s.kind {
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
                StmtKind::Expr(e) => exprs.push(e),
                StmtKind::If { cond, then, els } => {
                    exprs.push(cond);
                    stmts.extend(then.iter_mut());
                    stmts.extend(els.iter_mut());
                }
                StmtKind::While { cond, body } => {
                    exprs.push(cond);
                    stmts.extend(body.iter_mut());
                }
                StmtKind::ForRange {
                    start, end, body, ..
                } => {
                    exprs.push(start);
                    exprs.push(end);
                    stmts.extend(body.iter_mut());
                }
                StmtKind::ForEach { iterable, body, .. } => {
                    exprs.push(iterable);
                    stmts.extend(body.iter_mut());
                }
                StmtKind::Return(Some(e)) => exprs.push(e),
                StmtKind::Expect { cond, .. } => exprs.push(cond),
                StmtKind::Test { body, .. } | StmtKind::Bench { body, .. } => {
                    stmts.extend(body.iter_mut())
                }
                StmtKind::Return(None) | StmtKind::Break | StmtKind::Continue => {}
            }
            continue;
        }
        let Some(e) = exprs.pop() else { break };
        let pos = e.pos;
        match &mut e.kind {
            ExprKind::Closure { func, captures } if *func == id => {
                *captures = caps
                    .iter()
                    .map(|&l| Expr {
                        kind: ExprKind::Local(l),
                        ty: locals[l as usize].ty.clone(),
                        pos,
                    })
                    .collect();
            }
            ExprKind::Closure { captures: v, .. }
            | ExprKind::List(v)
            | ExprKind::Call { args: v, .. }
            | ExprKind::Builtin { args: v, .. }
            | ExprKind::Struct { fields: v, .. } => exprs.extend(v.iter_mut()),
            ExprKind::CallValue { callee, args } => {
                exprs.push(callee);
                exprs.extend(args.iter_mut());
            }
            ExprKind::Unary(_, a) | ExprKind::Conv(_, a) | ExprKind::Field { base: a, .. } => {
                exprs.push(a)
            }
            ExprKind::Binary(_, a, b)
            | ExprKind::And(a, b)
            | ExprKind::Or(a, b)
            | ExprKind::Coalesce(a, b)
            | ExprKind::In(a, b)
            | ExprKind::Index { base: a, index: b } => {
                exprs.push(a);
                exprs.push(b);
            }
            ExprKind::Map(kv) => {
                for (k, v) in kv.iter_mut() {
                    exprs.push(k);
                    exprs.push(v);
                }
            }
            ExprKind::Slice { base, lo, hi } => {
                exprs.push(base);
                if let Some(l) = lo {
                    exprs.push(l);
                }
                if let Some(h) = hi {
                    exprs.push(h);
                }
            }
            ExprKind::If { cond, then, els } => {
                exprs.push(cond);
                exprs.push(then);
                exprs.push(els);
            }
            ExprKind::Match { scrutinee, arms } => {
                exprs.push(scrutinee);
                for a in arms.iter_mut() {
                    if let hir::Pattern::Literal(l) = &mut a.pattern {
                        exprs.push(l);
                    }
                    exprs.push(&mut a.body);
                }
            }
            ExprKind::Block { stmts: b, value } => {
                stmts.extend(b.iter_mut());
                exprs.push(value);
            }
            _ => {}
        }
    }
}
