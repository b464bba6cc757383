//! Expressions and operators.

use super::scope::{FnCtx, Res};
use super::types::{conv, nilable};
use super::{math_const, Checker, Result};
use crate::hir::{self, BinOp, Conv, Expr, ExprKind, FuncKind, UnOp};
use crate::syntax::ast;
use crate::types::Type;
use vm::error::Error;
use vm::Pos;

fn mk(kind: ExprKind, ty: Type, pos: Pos) -> Expr {
    Expr { kind, ty, pos }
}

impl Checker<'_> {
    /// Check an expression. `expected` is a hint pushed down into literals that have no type
    /// of their own (`[]`, `{}`, `nil`, anonymous functions, list/map elements); the caller
    /// still converts the result with [`Checker::coerce`].
    pub(crate) fn expr(&mut self, e: &ast::Expr, expected: Option<&Type>) -> Result<Expr> {
        use ast::ExprKind as K;
        let pos = e.pos;
        Ok(match &e.kind {
            K::Int(i) => {
                if expected == Some(&Type::BigInt) {
                    mk(ExprKind::BigInt(i.to_string()), Type::BigInt, pos)
                } else {
                    mk(ExprKind::Int(*i), Type::Int, pos)
                }
            }
            K::Float(f) => mk(ExprKind::Float(*f), Type::Float, pos),
            K::Bool(b) => mk(ExprKind::Bool(*b), Type::Bool, pos),
            K::Str(s) => mk(ExprKind::Str(s.clone()), Type::Str, pos),
            K::Nil => match expected {
                Some(t) if nilable(t) && *t != Type::Nil => mk(ExprKind::Nil, t.clone(), pos),
                _ => mk(ExprKind::Nil, Type::Nil, pos),
            },
            K::Ident(name) => self.ident(name, pos)?,
            K::Unary { op, expr } => {
                let v = self.expr(expr, expected)?;
                self.unary(*op, v, pos)?
            }
            K::Binary { op, lhs, rhs } => self.binary(*op, lhs, rhs, pos, expected)?,
            K::Call { callee, args } => self.call(callee, args, pos, expected)?,
            K::Index { target, index, .. } => {
                let base = self.expr(target, None)?;
                let (base, index, ty) = self.index_parts(base, index, pos)?;
                mk(
                    ExprKind::Index {
                        base: Box::new(base),
                        index: Box::new(index),
                    },
                    ty,
                    pos,
                )
            }
            K::Slice {
                target,
                start,
                end,
                step,
            } => {
                if let Some(s) = step {
                    return Err(Error::unsupported(s.pos, "slice steps"));
                }
                let base = self.expr(target, None)?;
                let base = match base.ty {
                    Type::Optional(_) | Type::Any => {
                        // Slicing an unknown value: assume a list.
                        let t = match base.ty {
                            Type::Optional(ref t) => (**t).clone(),
                            _ => Type::list(Type::Any),
                        };
                        conv(Conv::Unbox, base, t)
                    }
                    _ => base,
                };
                if !matches!(base.ty, Type::List(_) | Type::Str) {
                    return Err(Error::ty(
                        pos,
                        format!("cannot slice a value of type {}", self.tyname(&base.ty)),
                    ));
                }
                let bound =
                    |c: &mut Self, b: &Option<Box<ast::Expr>>| -> Result<Option<Box<Expr>>> {
                        match b {
                            None => Ok(None),
                            Some(b) => {
                                let v = c.expr(b, Some(&Type::Int))?;
                                Ok(Some(Box::new(c.coerce(v, &Type::Int, "slice bound")?)))
                            }
                        }
                    };
                let lo = bound(self, start)?;
                let hi = bound(self, end)?;
                let ty = base.ty.clone();
                mk(
                    ExprKind::Slice {
                        base: Box::new(base),
                        lo,
                        hi,
                    },
                    ty,
                    pos,
                )
            }
            K::Field { target, name, .. } => {
                if let Some(v) = self.math_member(target, name, pos)? {
                    return Ok(v);
                }
                let base = self.expr(target, None)?;
                let (base, field, ty) = self.field_parts(base, name, pos)?;
                match field {
                    Some(field) => mk(
                        ExprKind::Field {
                            base: Box::new(base),
                            field,
                        },
                        ty,
                        pos,
                    ),
                    None => mk(
                        ExprKind::Index {
                            base: Box::new(base),
                            index: Box::new(mk(ExprKind::Str(name.clone()), Type::Str, pos)),
                        },
                        ty,
                        pos,
                    ),
                }
            }
            K::Cast { expr, ty } => {
                let t = self.resolve_type(ty)?;
                let v = self.expr(expr, Some(&t))?;
                self.cast(v, t, pos)?
            }
            K::List(items) => self.list_lit(items, pos, expected)?,
            K::Map(entries) => self.map_lit(entries, pos, expected)?,
            K::Struct { name, fields } => self.struct_lit(name, fields, pos)?,
            K::If { cond, then, els } => {
                let c = self.expr(cond, None)?;
                let c = self.bool_operand(c, "condition")?;
                let t = self.expr(then, expected)?;
                let el = match els {
                    Some(x) => self.expr(x, expected.or(Some(&t.ty)))?,
                    None => mk(ExprKind::Nil, Type::Nil, pos),
                };
                let ty = self.join(&t.ty, &el.ty).ok_or_else(|| {
                    Error::ty(
                        pos,
                        format!(
                            "if branches have different types: {} and {}",
                            self.tyname(&t.ty),
                            self.tyname(&el.ty)
                        ),
                    )
                })?;
                let t = self.coerce(t, &ty, "if branch")?;
                let el = self.coerce(el, &ty, "else branch")?;
                mk(
                    ExprKind::If {
                        cond: Box::new(c),
                        then: Box::new(t),
                        els: Box::new(el),
                    },
                    ty,
                    pos,
                )
            }
            K::Match { scrutinee, arms } => self.match_expr(scrutinee, arms, pos, expected)?,
            K::Fun(f) => self.fun_expr(f, expected)?,
            K::Query(q) => self.query(q, pos)?,
            K::Load { path, ty, with } => {
                let t = self.resolve_type(ty)?;
                if t == Type::Void {
                    return Err(Error::ty(ty.pos, "cannot load values of type void"));
                }
                let p = path.clone().unwrap_or_else(|| "-".to_string());
                let p = mk(ExprKind::Str(p), Type::Str, pos);
                let o = self.data_options(with.as_deref(), pos)?;
                mk(
                    ExprKind::Builtin {
                        builtin: hir::Builtin::Load,
                        args: vec![p, o],
                    },
                    Type::list(t),
                    pos,
                )
            }
            K::Save { expr, path, with } => {
                let v = self.expr(expr, None)?;
                if matches!(v.ty, Type::Void | Type::Func(_)) {
                    return Err(Error::ty(
                        expr.pos,
                        format!("cannot save a value of type {}", self.tyname(&v.ty)),
                    ));
                }
                let p = path.clone().unwrap_or_else(|| "-".to_string());
                let p = mk(ExprKind::Str(p), Type::Str, pos);
                let o = self.data_options(with.as_deref(), pos)?;
                mk(
                    ExprKind::Builtin {
                        builtin: hir::Builtin::Save,
                        args: vec![v, p, o],
                    },
                    Type::Void,
                    pos,
                )
            }
        })
    }

    /// A name used as a value.
    pub(crate) fn ident(&mut self, name: &str, pos: Pos) -> Result<Expr> {
        if let Some(r) = self.resolve_local(name) {
            return Ok(self.res_expr(r, pos));
        }
        if let Some(&g) = self.global_names.get(name) {
            let ty = self.globals[g as usize].ty.clone();
            return Ok(mk(ExprKind::Global(g), ty, pos));
        }
        if let Some(&f) = self.top_funs.get(name) {
            let s = &self.sigs[f as usize];
            let ty = Type::func(s.params.clone(), s.ret.clone());
            return Ok(mk(ExprKind::FuncRef(f), ty, pos));
        }
        if let Some(&sid) = self.variants.get(name) {
            let st = &self.structs[sid as usize];
            if st.fields.is_empty() {
                return Ok(mk(
                    ExprKind::Struct {
                        sid,
                        fields: vec![],
                    },
                    Type::Struct(sid),
                    pos,
                ));
            }
            return Err(Error::ty(
                pos,
                format!(
                    "variant '{name}' has {} field(s): construct it with {name}(...)",
                    st.fields.len()
                ),
            ));
        }
        if super::builtin_name(name) {
            return Err(Error::unsupported(
                pos,
                format!("builtin function '{name}' used as a value"),
            ));
        }
        Err(Error::ty(pos, format!("undefined variable '{name}'")))
    }

    pub(crate) fn res_expr(&mut self, r: Res, pos: Pos) -> Expr {
        match r {
            Res::Local { id, ty, .. } => mk(ExprKind::Local(id), ty, pos),
            Res::Field {
                self_id,
                sid,
                field,
                ty,
            } => mk(
                ExprKind::Field {
                    base: Box::new(mk(ExprKind::Local(self_id), Type::Struct(sid), pos)),
                    field,
                },
                ty,
                pos,
            ),
            Res::SelfFun(f) => {
                // Recreated from the function's own captures (filled in when it is complete).
                self.cur().self_ref = true;
                let s = &self.sigs[f as usize];
                let ty = Type::func(s.params.clone(), s.ret.clone());
                mk(
                    ExprKind::Closure {
                        func: f,
                        captures: vec![],
                    },
                    ty,
                    pos,
                )
            }
        }
    }

    /// `math.pi` etc. when `target` names the math module (and is not shadowed).
    fn math_member(&mut self, target: &ast::Expr, name: &str, pos: Pos) -> Result<Option<Expr>> {
        let ast::ExprKind::Ident(m) = &target.kind else {
            return Ok(None);
        };
        if self.math.as_deref() != Some(m.as_str()) || self.resolve_local(m).is_some() {
            return Ok(None);
        }
        match math_const(name) {
            Some(v) => Ok(Some(mk(ExprKind::Float(v), Type::Float, pos))),
            None => Err(Error::ty(
                pos,
                format!("module '{m}' has no constant '{name}'"),
            )),
        }
    }

    fn unary(&mut self, op: ast::UnOp, v: Expr, pos: Pos) -> Result<Expr> {
        match op {
            ast::UnOp::Neg => {
                let v = match v.ty.clone() {
                    // A number of unknown kind: `0 - v` on any values (ints stay ints).
                    Type::Any | Type::Param(_) => {
                        let z = conv(Conv::Box, mk(ExprKind::Int(0), Type::Int, pos), Type::Any);
                        let v = if v.ty == Type::Any {
                            v
                        } else {
                            conv(Conv::Box, v, Type::Any)
                        };
                        return Ok(mk(
                            ExprKind::Binary(BinOp::Sub, Box::new(z), Box::new(v)),
                            Type::Any,
                            pos,
                        ));
                    }
                    Type::Optional(t) => conv(Conv::Unbox, v, *t),
                    _ => v,
                };
                if !matches!(v.ty, Type::Int | Type::Float | Type::BigInt) {
                    return Err(Error::ty(
                        pos,
                        format!("cannot negate a value of type {}", self.tyname(&v.ty)),
                    ));
                }
                let ty = v.ty.clone();
                Ok(mk(ExprKind::Unary(UnOp::Neg, Box::new(v)), ty, pos))
            }
            ast::UnOp::Not => {
                let v = self.bool_operand(v, "operand of !")?;
                Ok(mk(ExprKind::Unary(UnOp::Not, Box::new(v)), Type::Bool, pos))
            }
        }
    }

    fn binary(
        &mut self,
        op: ast::BinOp,
        lhs: &ast::Expr,
        rhs: &ast::Expr,
        pos: Pos,
        expected: Option<&Type>,
    ) -> Result<Expr> {
        use ast::BinOp as B;
        match op {
            B::Union | B::UnionAll | B::Except | B::Intersect => {
                let l = self.expr(lhs, expected)?;
                let hint = l.ty.clone();
                let r = self.expr(rhs, Some(&hint))?;
                return self.set_op(op, l, r, pos);
            }
            B::Coalesce => {}
            _ => return self.binary_chain(op, lhs, rhs, pos),
        }
        // `??`: the right side is checked with the left side's inner type as a hint.
        let l = self.expr(lhs, expected)?;
        let hint = match &l.ty {
            Type::Optional(t) => Some((**t).clone()),
            _ => expected.cloned(),
        };
        let r = self.expr(rhs, hint.as_ref())?;
        self.coalesce(l, r, pos)
    }

    /// A left-nested chain `a op b op c ...` (operators other than `??` and the set
    /// operators): the left spine is walked iteratively, so a 100 000-term chain needs no
    /// deep recursion; operands are checked left to right.
    fn binary_chain(
        &mut self,
        op: ast::BinOp,
        lhs: &ast::Expr,
        rhs: &ast::Expr,
        pos: Pos,
    ) -> Result<Expr> {
        use ast::BinOp as B;
        let chainable = |op: ast::BinOp| {
            !matches!(
                op,
                B::Coalesce | B::Union | B::UnionAll | B::Except | B::Intersect
            )
        };
        let mut spine: Vec<(ast::BinOp, &ast::Expr, Pos)> = vec![(op, rhs, pos)];
        let mut left = lhs;
        while let ast::ExprKind::Binary { op, lhs, rhs } = &left.kind {
            if !chainable(*op) {
                break;
            }
            spine.push((*op, rhs, left.pos));
            left = lhs;
        }
        let mut acc = self.expr(left, None)?;
        while let Some((op, rhs, pos)) = spine.pop() {
            let r = self.expr(rhs, None)?;
            acc = self.binop(op, acc, r, pos)?;
        }
        Ok(acc)
    }

    fn coalesce(&mut self, l: Expr, r: Expr, pos: Pos) -> Result<Expr> {
        match l.ty.clone() {
            Type::Optional(inner) => {
                // Both sides as T?, then unbox the result when the right side is not optional.
                let lt = l.ty.clone();
                let r_opt = matches!(r.ty, Type::Optional(_) | Type::Nil | Type::Any);
                let r = self.coerce(r, &lt, "right side of ??")?;
                let c = mk(ExprKind::Coalesce(Box::new(l), Box::new(r)), lt, pos);
                if r_opt {
                    Ok(c)
                } else {
                    Ok(conv(Conv::Unbox, c, *inner))
                }
            }
            Type::Any | Type::Param(_) | Type::Nil => {
                let t = if l.ty == Type::Nil {
                    r.ty.clone()
                } else {
                    l.ty.clone()
                };
                let l = self.coerce(l, &t, "left side of ??")?;
                let r = self.coerce(r, &t, "right side of ??")?;
                Ok(mk(ExprKind::Coalesce(Box::new(l), Box::new(r)), t, pos))
            }
            lt => {
                // A value that is never nil statically (e.g. a map element): same type.
                let t = self.join(&lt, &r.ty).ok_or_else(|| {
                    Error::ty(
                        pos,
                        format!(
                            "cannot apply ?? to {} and {}",
                            self.tyname(&lt),
                            self.tyname(&r.ty)
                        ),
                    )
                })?;
                let l = self.coerce(l, &t, "left side of ??")?;
                let r = self.coerce(r, &t, "right side of ??")?;
                Ok(mk(ExprKind::Coalesce(Box::new(l), Box::new(r)), t, pos))
            }
        }
    }

    /// `l union r` etc.: two lists of one type (joined as for `+` on lists).
    fn set_op(&mut self, op: ast::BinOp, l: Expr, r: Expr, pos: Pos) -> Result<Expr> {
        let t = match (&l.ty, &r.ty) {
            (Type::List(a), Type::List(b)) if a == b => Some(l.ty.clone()),
            (Type::List(_), Type::List(_)) => self.join(&l.ty, &r.ty),
            _ => None,
        };
        let Some(t) = t else {
            return Err(Error::ty(
                pos,
                format!(
                    "{} needs two lists of the same type, found {} and {}",
                    op.as_str(),
                    self.tyname(&l.ty),
                    self.tyname(&r.ty)
                ),
            ));
        };
        let l = self.coerce(l, &t, "left operand of a set operation")?;
        let r = self.coerce(r, &t, "right operand of a set operation")?;
        Ok(mk(
            ExprKind::Binary(hbin(op), Box::new(l), Box::new(r)),
            t,
            pos,
        ))
    }

    /// The options map after `with` of `load`/`save` (nil when there is none).
    fn data_options(&mut self, with: Option<&ast::Expr>, pos: Pos) -> Result<Expr> {
        let Some(e) = with else {
            return Ok(mk(ExprKind::Nil, Type::map(Type::Str, Type::Any), pos));
        };
        let v = self.expr(e, None)?;
        match &v.ty {
            Type::Map(k, _) if matches!(**k, Type::Str | Type::Any) => Ok(v),
            t => Err(Error::ty(
                e.pos,
                format!(
                    "the options after `with` must be a map with string keys, found {}",
                    self.tyname(t)
                ),
            )),
        }
    }

    /// A binary operator on checked operands.
    pub(crate) fn binop(&mut self, op: ast::BinOp, l: Expr, r: Expr, pos: Pos) -> Result<Expr> {
        use ast::BinOp as B;
        match op {
            B::And | B::Or => {
                let l = self.bool_operand(l, &format!("left operand of {}", op.as_str()))?;
                let r = self.bool_operand(r, &format!("right operand of {}", op.as_str()))?;
                let k = if op == B::And {
                    ExprKind::And(Box::new(l), Box::new(r))
                } else {
                    ExprKind::Or(Box::new(l), Box::new(r))
                };
                Ok(mk(k, Type::Bool, pos))
            }
            B::In => self.in_op(l, r, pos),
            B::Add | B::Sub | B::Mul | B::Div | B::Mod => self.arith(op, l, r, pos),
            B::Lt | B::Le | B::Gt | B::Ge | B::Eq | B::Ne => {
                let (l, r) = self.unify_operands(l, r);
                // Ordering needs numbers, strings or bigints; equality any one type but void.
                let ok = l.ty == r.ty
                    && if matches!(op, B::Eq | B::Ne) {
                        l.ty != Type::Void
                    } else {
                        matches!(
                            l.ty,
                            Type::Int
                                | Type::Float
                                | Type::Str
                                | Type::BigInt
                                | Type::Any
                                | Type::Param(_)
                                | Type::List(_)
                                | Type::Optional(_)
                        )
                    };
                if !ok {
                    return Err(Error::ty(
                        pos,
                        format!(
                            "cannot compare {} and {} with {}",
                            self.tyname(&l.ty),
                            self.tyname(&r.ty),
                            op.as_str()
                        ),
                    ));
                }
                Ok(mk(
                    ExprKind::Binary(hbin(op), Box::new(l), Box::new(r)),
                    Type::Bool,
                    pos,
                ))
            }
            _ => Err(Error::unsupported(pos, "set operations")),
        }
    }

    /// Bring two operands to a common type (numeric promotion, boxing into optional/any,
    /// unboxing an `any` against a concrete type); leaves them alone if there is none.
    fn unify_operands(&mut self, l: Expr, r: Expr) -> (Expr, Expr) {
        if l.ty == r.ty {
            return (l, r);
        }
        // An `any` operand against a number or bool: compare the values dynamically (box
        // the plain side), so `row.price > 1` holds for a float price too.
        let scalar = |t: &Type| matches!(t, Type::Int | Type::Float | Type::Bool);
        if l.ty == Type::Any && scalar(&r.ty) {
            return (l, conv(Conv::Box, r, Type::Any));
        }
        if r.ty == Type::Any && scalar(&l.ty) {
            return (conv(Conv::Box, l, Type::Any), r);
        }
        // A generic operand against a plain value: unbox it.
        let dynamic = |t: &Type| matches!(t, Type::Any | Type::Param(_));
        if dynamic(&l.ty) && !dynamic(&r.ty) && r.ty.bank() != Some(vm::program::Bank::Cell) {
            let t = r.ty.clone();
            return (conv(Conv::Unbox, l, t), r);
        }
        if dynamic(&r.ty) && !dynamic(&l.ty) && l.ty.bank() != Some(vm::program::Bank::Cell) {
            let t = l.ty.clone();
            return (l, conv(Conv::Unbox, r, t));
        }
        let Some(t) = self.join(&l.ty, &r.ty) else {
            return (l, r);
        };
        let l = match self.try_coerce(l, &t) {
            Ok(x) | Err(x) => x,
        };
        let r = match self.try_coerce(r, &t) {
            Ok(x) | Err(x) => x,
        };
        (l, r)
    }

    fn arith(&mut self, op: ast::BinOp, l: Expr, r: Expr, pos: Pos) -> Result<Expr> {
        use ast::BinOp as B;
        // String concatenation with a string on either side.
        if op == B::Add && (l.ty == Type::Str || r.ty == Type::Str) {
            if l.ty == Type::Void || r.ty == Type::Void {
                return Err(self.arith_error(op, &l.ty, &r.ty, pos));
            }
            let l = if l.ty == Type::Str {
                l
            } else {
                conv(Conv::ToStr, l, Type::Str)
            };
            let r = if r.ty == Type::Str {
                r
            } else {
                conv(Conv::ToStr, r, Type::Str)
            };
            return Ok(mk(
                ExprKind::Binary(BinOp::Add, Box::new(l), Box::new(r)),
                Type::Str,
                pos,
            ));
        }
        if op == B::Add {
            if let (Type::List(a), Type::List(b)) = (&l.ty, &r.ty) {
                let t = if a == b {
                    l.ty.clone()
                } else if let Some(t) = self.join(&l.ty, &r.ty) {
                    t
                } else {
                    return Err(self.arith_error(op, &l.ty, &r.ty, pos));
                };
                let l = self.coerce(l, &t, "list concatenation")?;
                let r = self.coerce(r, &t, "list concatenation")?;
                return Ok(mk(
                    ExprKind::Binary(BinOp::Add, Box::new(l), Box::new(r)),
                    t,
                    pos,
                ));
            }
        }
        // An any operand with a number or another any: dynamic arithmetic (an any result;
        // ints stay ints, a float makes a float, as the reference computes).
        let dynamic = |t: &Type| matches!(t, Type::Any | Type::Param(_));
        if (dynamic(&l.ty) && (dynamic(&r.ty) || r.ty.is_numeric()))
            || (dynamic(&r.ty) && l.ty.is_numeric())
        {
            let l = self.coerce(l, &Type::Any, "operand")?;
            let r = self.coerce(r, &Type::Any, "operand")?;
            return Ok(mk(
                ExprKind::Binary(hbin(op), Box::new(l), Box::new(r)),
                Type::Any,
                pos,
            ));
        }
        let unbox = |e: Expr, other: &Type| -> Expr {
            match (&e.ty, other) {
                (Type::Any | Type::Param(_), Type::Int | Type::Float | Type::BigInt) => {
                    let t = other.clone();
                    conv(Conv::Unbox, e, t)
                }
                (Type::Optional(t), _) if t.is_numeric() || **t == Type::BigInt => {
                    let t = (**t).clone();
                    conv(Conv::Unbox, e, t)
                }
                _ => e,
            }
        };
        let rt = r.ty.clone();
        let l = unbox(l, &rt);
        let lt = l.ty.clone();
        let r = unbox(r, &lt);
        let ty = match (&l.ty, &r.ty) {
            (Type::Int, Type::Int) => Type::Int,
            (Type::Float | Type::Int, Type::Float | Type::Int) => Type::Float,
            (Type::BigInt | Type::Int, Type::BigInt | Type::Int) => Type::BigInt,
            _ => return Err(self.arith_error(op, &l.ty, &r.ty, pos)),
        };
        let l = self.coerce(l, &ty, "operand")?;
        let r = self.coerce(r, &ty, "operand")?;
        Ok(mk(
            ExprKind::Binary(hbin(op), Box::new(l), Box::new(r)),
            ty,
            pos,
        ))
    }

    fn arith_error(&self, op: ast::BinOp, l: &Type, r: &Type, pos: Pos) -> Error {
        use ast::BinOp as B;
        let verb = match op {
            B::Add => "add",
            B::Sub => "subtract",
            B::Mul => "multiply",
            B::Div => "divide",
            _ => "take the remainder of",
        };
        Error::ty(
            pos,
            format!("cannot {verb} {} and {}", self.tyname(l), self.tyname(r)),
        )
    }

    fn in_op(&mut self, item: Expr, container: Expr, pos: Pos) -> Result<Expr> {
        let container = match container.ty.clone() {
            Type::Optional(t) => conv(Conv::Unbox, container, *t),
            _ => container,
        };
        let item = match &container.ty {
            Type::List(t) => {
                let t = (**t).clone();
                self.coerce(item, &t, "left operand of in")?
            }
            Type::Map(k, _) => {
                let k = (**k).clone();
                self.coerce(item, &k, "left operand of in")?
            }
            Type::Str => self.coerce(item, &Type::Str, "left operand of in")?,
            Type::Any | Type::Param(_) => self.coerce(item, &Type::Any, "left operand of in")?,
            t => {
                return Err(Error::ty(
                    pos,
                    format!("cannot use in with a value of type {}", self.tyname(t)),
                ))
            }
        };
        Ok(mk(
            ExprKind::In(Box::new(item), Box::new(container)),
            Type::Bool,
            pos,
        ))
    }

    /// `base[index]`: the converted base and index and the element type.
    pub(crate) fn index_parts(
        &mut self,
        base: Expr,
        index: &ast::Expr,
        pos: Pos,
    ) -> Result<(Expr, Expr, Type)> {
        let base = match base.ty.clone() {
            Type::Optional(t) => conv(Conv::Unbox, base, *t),
            _ => base,
        };
        match base.ty.clone() {
            Type::List(t) => {
                let i = self.expr(index, Some(&Type::Int))?;
                let i = self.coerce(i, &Type::Int, "list index")?;
                Ok((base, i, *t))
            }
            Type::Str => {
                let i = self.expr(index, Some(&Type::Int))?;
                let i = self.coerce(i, &Type::Int, "string index")?;
                Ok((base, i, Type::Str))
            }
            Type::Map(k, v) => {
                let i = self.expr(index, Some(&k))?;
                let i = self.coerce(i, &k, "map key")?;
                Ok((base, i, *v))
            }
            Type::Any | Type::Param(_) => {
                let i = self.expr(index, None)?;
                let i = match i.ty {
                    Type::Str | Type::Any => i,
                    _ => self.coerce(i, &Type::Any, "index")?,
                };
                Ok((base, i, Type::Any))
            }
            t => Err(Error::ty(
                pos,
                format!("cannot index a value of type {}", self.tyname(&t)),
            )),
        }
    }

    /// `base.name`: the base, the field index for a struct (`None` for a string-keyed map
    /// or `any`, to be read with a string index) and the field type.
    pub(crate) fn field_parts(
        &mut self,
        base: Expr,
        name: &str,
        pos: Pos,
    ) -> Result<(Expr, Option<u32>, Type)> {
        let base = match base.ty.clone() {
            Type::Optional(t) => conv(Conv::Unbox, base, *t),
            _ => base,
        };
        match base.ty.clone() {
            Type::Struct(sid) => {
                let st = &self.structs[sid as usize];
                match st.fields.iter().position(|(n, _)| n == name) {
                    Some(i) => {
                        let t = st.fields[i].1.clone();
                        Ok((base, Some(i as u32), t))
                    }
                    None => Err(Error::ty(
                        pos,
                        format!("type '{}' has no field '{name}'", st.name),
                    )),
                }
            }
            Type::Union(uid) => {
                // A field every variant has at the same position with the same type.
                let u = &self.unions[uid as usize];
                let mut found: Option<(usize, Type)> = None;
                let mut ok = !u.variants.is_empty();
                for &v in &u.variants {
                    let st = &self.structs[v as usize];
                    match st.fields.iter().position(|(n, _)| n == name) {
                        Some(i) => match &found {
                            None => found = Some((i, st.fields[i].1.clone())),
                            Some((j, t)) if *j == i && *t == st.fields[i].1 => {}
                            _ => ok = false,
                        },
                        None => ok = false,
                    }
                }
                match (ok, found) {
                    (true, Some((i, t))) => Ok((base, Some(i as u32), t)),
                    _ => Err(Error::ty(
                        pos,
                        format!(
                            "type '{}' has no field '{name}' common to all its variants (use match)",
                            u.name
                        ),
                    )),
                }
            }
            Type::Map(k, v) if *k == Type::Str || *k == Type::Any => Ok((base, None, *v)),
            Type::Any | Type::Param(_) => Ok((base, None, Type::Any)),
            t => Err(Error::ty(
                pos,
                format!("type {} has no field '{name}'", self.tyname(&t)),
            )),
        }
    }

    /// `e as T`.
    fn cast(&mut self, v: Expr, t: Type, pos: Pos) -> Result<Expr> {
        if v.ty == t {
            return Ok(v);
        }
        let c = match (&v.ty, &t) {
            (Type::Int, Type::Float) => Conv::IntToFloat,
            (Type::Float, Type::Int) => Conv::FloatToInt,
            (Type::Str, Type::Int) => Conv::StrToInt,
            (Type::Str, Type::Float) => Conv::StrToFloat,
            (Type::Int, Type::BigInt) => Conv::IntToBig,
            (Type::BigInt, Type::Int) => Conv::BigToInt,
            (Type::BigInt, Type::Float) => Conv::BigToFloat,
            (Type::Str, Type::BigInt) => {
                let i = conv(Conv::StrToInt, v, Type::Int);
                return Ok(conv(Conv::IntToBig, i, Type::BigInt));
            }
            (_, Type::Str) if v.ty != Type::Void => Conv::ToStr,
            (Type::Map(..), Type::Struct(sid)) => {
                if let ExprKind::Map(entries) = &v.kind {
                    let st = &self.structs[*sid as usize];
                    for (k, _) in entries {
                        if let ExprKind::Str(k) = &k.kind {
                            if !st.fields.iter().any(|(n, _)| n == k) {
                                return Err(Error::ty(
                                    k_pos(entries, k).unwrap_or(pos),
                                    format!("type '{}' has no field '{k}'", st.name),
                                ));
                            }
                        }
                    }
                }
                Conv::MapToStruct
            }
            (Type::Any | Type::Param(_) | Type::Optional(_), _) => Conv::Unbox,
            (_, Type::Any | Type::Optional(_)) => {
                return self.coerce(v, &t, "cast");
            }
            _ => match self.try_coerce(v, &t) {
                Ok(x) => return Ok(x),
                Err(v) => {
                    return Err(Error::ty(
                        pos,
                        format!("cannot cast {} to {}", self.tyname(&v.ty), self.tyname(&t)),
                    ))
                }
            },
        };
        Ok(mk(ExprKind::Conv(c, Box::new(v)), t, pos))
    }

    fn list_lit(&mut self, items: &[ast::Expr], pos: Pos, expected: Option<&Type>) -> Result<Expr> {
        let want = match expected {
            Some(Type::List(t)) => Some((**t).clone()),
            _ => None,
        };
        let mut vs = Vec::with_capacity(items.len());
        for it in items {
            vs.push(self.expr(it, want.as_ref())?);
        }
        let elem = match want {
            Some(t) => t,
            None => {
                let mut t: Option<Type> = None;
                for v in &vs {
                    t = Some(match t {
                        None => v.ty.clone(),
                        Some(t) => self.join(&t, &v.ty).unwrap_or(Type::Any),
                    });
                }
                match t {
                    None | Some(Type::Nil) => Type::Any,
                    Some(t) => t,
                }
            }
        };
        let mut out = Vec::with_capacity(vs.len());
        for v in vs {
            out.push(self.coerce(v, &elem, "list element")?);
        }
        Ok(mk(ExprKind::List(out), Type::list(elem), pos))
    }

    fn map_lit(
        &mut self,
        entries: &[ast::MapEntry],
        pos: Pos,
        expected: Option<&Type>,
    ) -> Result<Expr> {
        let (wk, wv) = match expected {
            Some(Type::Map(k, v)) => (Some((**k).clone()), Some((**v).clone())),
            _ => (None, None),
        };
        let mut ks = Vec::with_capacity(entries.len());
        let mut vs = Vec::with_capacity(entries.len());
        for en in entries {
            let k = match &en.key {
                ast::MapKey::Name(n) => mk(ExprKind::Str(n.clone()), Type::Str, en.pos),
                ast::MapKey::Expr(e) => self.expr(e, wk.as_ref())?,
            };
            ks.push(k);
            vs.push(self.expr(&en.value, wv.as_ref())?);
        }
        let common = |c: &Self, xs: &[Expr]| -> Type {
            let mut t: Option<Type> = None;
            for v in xs {
                t = Some(match t {
                    None => v.ty.clone(),
                    Some(t) => c.join(&t, &v.ty).unwrap_or(Type::Any),
                });
            }
            match t {
                None | Some(Type::Nil) => Type::Any,
                Some(t) => t,
            }
        };
        let kt = match wk {
            Some(t) => t,
            None if ks.is_empty() => Type::Str,
            None => common(self, &ks),
        };
        // Values of different types (an int and a float, a map<string, int> and a
        // map<string, any>) make a map<_, any>: each value keeps its own kind, as the
        // reference prints it (`{"part": 100, "total": 20.0}`).
        let mixed = {
            let mut seen: Option<&Type> = None;
            vs.iter().any(|v| match (&v.ty, seen) {
                (Type::Nil, _) => false,
                (t, None) => {
                    seen = Some(t);
                    false
                }
                (t, Some(s)) => t != s,
            })
        };
        let vt = match wv {
            Some(t) => t,
            None if mixed => Type::Any,
            None => common(self, &vs),
        };
        let mut out = Vec::with_capacity(ks.len());
        for (k, v) in ks.into_iter().zip(vs) {
            let k = self.coerce(k, &kt, "map key")?;
            let v = self.coerce(v, &vt, "map value")?;
            out.push((k, v));
        }
        Ok(mk(ExprKind::Map(out), Type::map(kt, vt), pos))
    }

    fn struct_lit(&mut self, name: &str, fields: &[ast::FieldInit], pos: Pos) -> Result<Expr> {
        let sid = match self.type_names.get(name) {
            Some(super::TypeEntry::Struct(s)) => *s,
            _ => match self.variants.get(name) {
                Some(&s) => s,
                None => return Err(Error::ty(pos, format!("unknown struct type '{name}'"))),
            },
        };
        let decl = self.structs[sid as usize].fields.clone();
        let mut vals: Vec<Option<Expr>> = vec![None; decl.len()];
        for f in fields {
            let Some(i) = decl.iter().position(|(n, _)| n == &f.name) else {
                return Err(Error::ty(
                    f.pos,
                    format!("type '{name}' has no field '{}'", f.name),
                ));
            };
            if vals[i].is_some() {
                return Err(Error::ty(f.pos, format!("field '{}' is set twice", f.name)));
            }
            let t = decl[i].1.clone();
            let v = self.expr(&f.value, Some(&t))?;
            vals[i] = Some(self.coerce(v, &t, &format!("field '{}'", f.name))?);
        }
        let fields = vals
            .into_iter()
            .zip(decl.iter())
            .map(|(v, (_, t))| v.unwrap_or_else(|| self.zero(t, pos)))
            .collect();
        Ok(mk(ExprKind::Struct { sid, fields }, Type::Struct(sid), pos))
    }

    /// An anonymous function: a closure over the locals it uses.
    fn fun_expr(&mut self, f: &ast::FunExpr, expected: Option<&Type>) -> Result<Expr> {
        let exp = match expected {
            Some(Type::Func(ft)) if ft.params.len() == f.params.len() => Some((**ft).clone()),
            _ => None,
        };
        let mut ptys = Vec::new();
        for (i, p) in f.params.iter().enumerate() {
            let t = match &p.ty {
                Some(t) => self.resolve_type(t)?,
                None => match &exp {
                    Some(ft) => ft.params[i].clone(),
                    None => {
                        return Err(Error::ty(
                            p.pos,
                            format!("parameter '{}' needs a type", p.name),
                        ))
                    }
                },
            };
            ptys.push(t);
        }
        let ret = match &f.ret {
            Some(t) => Some(self.resolve_type(t)?),
            None => exp.as_ref().map(|ft| ft.ret.clone()),
        };
        let id = self.new_func(
            "",
            f.pos,
            FuncKind::Closure,
            super::Sig {
                params: ptys.clone(),
                ret: ret.clone().unwrap_or(Type::Void),
                tparams: vec![],
            },
        );
        let tparams = self.cur().tparams.clone();
        let mut ctx = FnCtx::new(id, FuncKind::Closure, Type::Void, tparams, String::new());
        ctx.ret = ret;
        let mut params = Vec::new();
        for (p, t) in f.params.iter().zip(ptys.iter()) {
            if ctx.scopes[0].contains_key(&p.name) {
                return Err(Error::ty(
                    p.pos,
                    format!("duplicate parameter '{}'", p.name),
                ));
            }
            params.push(ctx.declare(&p.name, t.clone(), true, p.pos));
        }
        let kind = match &f.body {
            ast::FunBody::Block(stmts) => {
                self.finish_closure(ctx, params, |c| c.block_in_scope(stmts), f.pos)?
            }
            ast::FunBody::Expr(body) => self.finish_closure(
                ctx,
                params,
                |c| {
                    let want = c.cur().ret.clone();
                    let v = c.expr(body, want.as_ref())?;
                    let v = match &want {
                        Some(Type::Void) => {
                            // `=> print(x)` in a function without a result.
                            return Ok(vec![hir::Stmt {
                                pos: v.pos,
                                kind: hir::StmtKind::Expr(v),
                            }]);
                        }
                        Some(t) => c.coerce(v, t, "anonymous function returns the wrong type")?,
                        None => match v.ty {
                            Type::Nil => c.coerce(v, &Type::Any, "nil")?,
                            Type::Void => {
                                c.cur().ret = Some(Type::Void);
                                return Ok(vec![hir::Stmt {
                                    pos: v.pos,
                                    kind: hir::StmtKind::Expr(v),
                                }]);
                            }
                            _ => v,
                        },
                    };
                    c.cur().ret = Some(v.ty.clone());
                    Ok(vec![hir::Stmt {
                        pos: v.pos,
                        kind: hir::StmtKind::Return(Some(v)),
                    }])
                },
                f.pos,
            )?,
        };
        let s = &self.sigs[id as usize];
        let ty = Type::func(s.params.clone(), s.ret.clone());
        Ok(mk(kind, ty, f.pos))
    }
}

fn k_pos(entries: &[(Expr, Expr)], k: &str) -> Option<Pos> {
    entries
        .iter()
        .find(|(e, _)| matches!(&e.kind, ExprKind::Str(s) if s == k))
        .map(|(e, _)| e.pos)
}

pub(crate) fn hbin(op: ast::BinOp) -> BinOp {
    use ast::BinOp as B;
    match op {
        B::Add => BinOp::Add,
        B::Sub => BinOp::Sub,
        B::Mul => BinOp::Mul,
        B::Div => BinOp::Div,
        B::Mod => BinOp::Mod,
        B::Eq => BinOp::Eq,
        B::Ne => BinOp::Ne,
        B::Lt => BinOp::Lt,
        B::Le => BinOp::Le,
        B::Gt => BinOp::Gt,
        B::Ge => BinOp::Ge,
        B::Union => BinOp::Union,
        B::UnionAll => BinOp::UnionAll,
        B::Except => BinOp::Except,
        B::Intersect => BinOp::Intersect,
        // And/Or/In/Coalesce have their own nodes; never reached.
        _ => BinOp::Intersect,
    }
}
