//! Calls: top-level functions (with partial application and generics), methods, function
//! values, variant constructors, builtins (LANGUAGE.md §6), method-style builtins on strings
//! and lists, and the built-in math module.

use std::collections::HashMap;

use super::scope::{FnCtx, Res};
use super::types::conv;
use super::{math_fun, Checker, Result};
use crate::hir::{Builtin, Conv, Expr, ExprKind, FuncId, FuncKind, Stmt, StmtKind};
use crate::syntax::ast;
use crate::types::Type;
use vm::error::Error;
use vm::Pos;

fn mk(kind: ExprKind, ty: Type, pos: Pos) -> Expr {
    Expr { kind, ty, pos }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

impl Checker<'_> {
    pub(crate) fn call(
        &mut self,
        callee: &ast::Expr,
        args: &[ast::Expr],
        pos: Pos,
        expected: Option<&Type>,
    ) -> Result<Expr> {
        match &callee.kind {
            ast::ExprKind::Ident(name) => {
                if let Some(r) = self.resolve_local(name) {
                    if let Res::Field { .. } | Res::Local { .. } = r {
                        let f = self.res_expr(r, callee.pos);
                        return self.call_value(f, args, pos);
                    }
                    let f = self.res_expr(r, callee.pos);
                    return self.call_value(f, args, pos);
                }
                // A sibling method called by its bare name inside a method.
                if let Some((sid, self_id)) = self.fns.last().and_then(|f| f.self_) {
                    if let Some(&(_, fid)) = self.structs[sid as usize]
                        .methods
                        .iter()
                        .find(|(n, _)| n == name)
                    {
                        let selfe = mk(ExprKind::Local(self_id), Type::Struct(sid), callee.pos);
                        return self.call_func(fid, name, Some(selfe), args, pos);
                    }
                }
                if let Some(&g) = self.global_names.get(name) {
                    let ty = self.globals[g as usize].ty.clone();
                    let f = mk(ExprKind::Global(g), ty, callee.pos);
                    return self.call_value(f, args, pos);
                }
                if let Some(&fid) = self.top_funs.get(name) {
                    return self.call_func(fid, name, None, args, pos);
                }
                if let Some(&sid) = self.variants.get(name) {
                    return self.variant_call(sid, args, pos);
                }
                if super::builtin_name(name) {
                    return self.builtin(name, args, pos, callee.pos, expected);
                }
                if matches!(
                    name.as_str(),
                    "sha256" | "num" | "denom" | "reduce" | "range" | "to_json" | "eval" | "slice"
                ) {
                    return Err(Error::unsupported(callee.pos, format!("builtin {name}()")));
                }
                Err(Error::ty(
                    callee.pos,
                    format!("undefined function '{name}'"),
                ))
            }
            ast::ExprKind::Field { target, name, .. } => {
                // math.f(...)
                if let ast::ExprKind::Ident(m) = &target.kind {
                    if self.math.as_deref() == Some(m.as_str()) && self.resolve_local(m).is_none() {
                        let Some((b, n)) = math_fun(name) else {
                            return Err(Error::ty(
                                callee.pos,
                                format!("module '{m}' has no function '{name}'"),
                            ));
                        };
                        if args.len() != n {
                            return Err(arity(&format!("{m}.{name}"), n, args.len(), pos));
                        }
                        let mut vs = Vec::new();
                        for a in args {
                            let v = self.expr(a, Some(&Type::Float))?;
                            vs.push(self.coerce(v, &Type::Float, "argument")?);
                        }
                        return Ok(mk(
                            ExprKind::Builtin {
                                builtin: b,
                                args: vs,
                            },
                            Type::Float,
                            pos,
                        ));
                    }
                }
                let recv = self.expr(target, None)?;
                let recv = match recv.ty.clone() {
                    Type::Optional(t) => conv(Conv::Unbox, recv, *t),
                    _ => recv,
                };
                if let Type::Struct(sid) = recv.ty {
                    let st = &self.structs[sid as usize];
                    if let Some(&(_, fid)) = st.methods.iter().find(|(n, _)| n == name) {
                        let qual = format!("{}.{}", st.name, name);
                        return self.call_func(fid, &qual, Some(recv), args, pos);
                    }
                    if let Some(i) = st.fields.iter().position(|(n, _)| n == name) {
                        let ty = st.fields[i].1.clone();
                        let f = mk(
                            ExprKind::Field {
                                base: Box::new(recv),
                                field: i as u32,
                            },
                            ty,
                            callee.pos,
                        );
                        return self.call_value(f, args, pos);
                    }
                    let n = st.name.clone();
                    return Err(Error::ty(
                        callee.pos,
                        format!("type '{n}' has no method '{name}'"),
                    ));
                }
                self.method_builtin(recv, name, args, pos, callee.pos)
            }
            _ => {
                let f = self.expr(callee, None)?;
                self.call_value(f, args, pos)
            }
        }
    }

    /// Check arguments against parameter types.
    fn args_for(&mut self, params: &[Type], args: &[ast::Expr], what: &str) -> Result<Vec<Expr>> {
        let mut out = Vec::with_capacity(args.len());
        for (a, t) in args.iter().zip(params) {
            let v = self.expr(a, Some(t))?;
            out.push(self.coerce(v, t, &format!("argument of {what}"))?);
        }
        Ok(out)
    }

    /// Call a function value.
    fn call_value(&mut self, f: Expr, args: &[ast::Expr], pos: Pos) -> Result<Expr> {
        let ft = match &f.ty {
            Type::Func(ft) => (**ft).clone(),
            Type::Any => {
                // Unknown function value: box the arguments, result any.
                let mut vs = Vec::new();
                for a in args {
                    let v = self.expr(a, None)?;
                    vs.push(self.coerce(v, &Type::Any, "argument")?);
                }
                let ft = Type::func(vs.iter().map(|_| Type::Any).collect(), Type::Any);
                let f = conv(Conv::Unbox, f, ft);
                return Ok(mk(
                    ExprKind::CallValue {
                        callee: Box::new(f),
                        args: vs,
                    },
                    Type::Any,
                    pos,
                ));
            }
            t => {
                return Err(Error::ty(
                    f.pos,
                    format!("cannot call a value of type {}", self.tyname(t)),
                ))
            }
        };
        if ft.params.len() != args.len() {
            return Err(Error::ty(
                pos,
                format!(
                    "function value expects {} argument{}, found {}",
                    ft.params.len(),
                    plural(ft.params.len()),
                    args.len()
                ),
            ));
        }
        let vs = self.args_for(&ft.params, args, "function value")?;
        Ok(mk(
            ExprKind::CallValue {
                callee: Box::new(f),
                args: vs,
            },
            ft.ret,
            pos,
        ))
    }

    /// Call a known function or method (`recv` = `self` for a method), with partial
    /// application and generic instantiation.
    fn call_func(
        &mut self,
        fid: FuncId,
        name: &str,
        recv: Option<Expr>,
        args: &[ast::Expr],
        pos: Pos,
    ) -> Result<Expr> {
        let sig = self.sigs[fid as usize].clone();
        let skip = usize::from(recv.is_some());
        let params = &sig.params[skip.min(sig.params.len())..];
        if args.len() > params.len() || (args.len() < params.len() && recv.is_some()) {
            return Err(arity(name, params.len(), args.len(), pos));
        }
        // Generic parameters: bind each T to the first argument type it meets.
        let mut subst: HashMap<String, Type> = HashMap::new();
        let mut vs: Vec<Expr> = Vec::with_capacity(args.len() + skip);
        if let Some(r) = recv {
            vs.push(r);
        }
        for (a, t) in args.iter().zip(params) {
            let v = if contains_param(t) {
                let hint = subst_type(t, &subst);
                let v = self.expr(
                    a,
                    if contains_param(&hint) {
                        None
                    } else {
                        Some(&hint)
                    },
                )?;
                bind(t, &v.ty, &mut subst);
                match self.try_coerce(v, t) {
                    Ok(x) => x,
                    // e.g. list<int> for list<T>: passed as is (same values at run time).
                    Err(x) => {
                        if subst_type(t, &subst) == x.ty {
                            x
                        } else {
                            return Err(Error::ty(
                                x.pos,
                                format!(
                                    "argument of '{name}': expected {}, found {}",
                                    self.tyname(&subst_type(t, &subst)),
                                    self.tyname(&x.ty)
                                ),
                            ));
                        }
                    }
                }
            } else {
                let v = self.expr(a, Some(t))?;
                self.coerce(v, t, &format!("argument of '{name}'"))?
            };
            vs.push(v);
        }
        if args.len() < params.len() {
            return self.partial(fid, name, vs, pos);
        }
        let call = mk(
            ExprKind::Call {
                func: fid,
                args: vs,
            },
            sig.ret.clone(),
            pos,
        );
        if contains_param(&sig.ret) {
            let t = subst_type(&sig.ret, &subst);
            if matches!(sig.ret, Type::Param(_)) && !contains_param(&t) {
                return Ok(conv(Conv::Unbox, call, t));
            }
            return Ok(call);
        }
        Ok(call)
    }

    /// `f(a)` of a function with more parameters: a closure over a synthetic function that
    /// captures the given arguments and takes the rest.
    fn partial(&mut self, fid: FuncId, name: &str, given: Vec<Expr>, pos: Pos) -> Result<Expr> {
        let sig = self.sigs[fid as usize].clone();
        let n = given.len();
        let rest: Vec<Type> = sig.params[n..].to_vec();
        let id = self.new_func(
            &format!("{name}/partial"),
            pos,
            FuncKind::Closure,
            super::Sig {
                params: rest.clone(),
                ret: sig.ret.clone(),
                tparams: vec![],
            },
        );
        let mut ctx = FnCtx::new(
            id,
            FuncKind::Closure,
            sig.ret.clone(),
            vec![],
            String::new(),
        );
        let mut caps = Vec::new();
        let mut call_args = Vec::new();
        for (i, g) in given.iter().enumerate() {
            let l = ctx.declare(&format!("arg{i}"), g.ty.clone(), false, pos);
            caps.push(l);
            call_args.push(mk(ExprKind::Local(l), g.ty.clone(), pos));
        }
        let mut params = Vec::new();
        for (i, t) in rest.iter().enumerate() {
            let l = ctx.declare(&format!("arg{}", n + i), t.clone(), false, pos);
            params.push(l);
            call_args.push(mk(ExprKind::Local(l), t.clone(), pos));
        }
        let call = mk(
            ExprKind::Call {
                func: fid,
                args: call_args,
            },
            sig.ret.clone(),
            pos,
        );
        let stmt = if sig.ret == Type::Void {
            Stmt {
                kind: StmtKind::Expr(call),
                pos,
            }
        } else {
            Stmt {
                kind: StmtKind::Return(Some(call)),
                pos,
            }
        };
        let fd = &mut self.funcs[id as usize];
        fd.locals = ctx.locals;
        fd.params = params;
        fd.captures = caps;
        fd.body = vec![stmt];
        Ok(mk(
            ExprKind::Closure {
                func: id,
                captures: given,
            },
            Type::func(rest, sig.ret),
            pos,
        ))
    }

    /// `Variant(a, b)`: fields positionally.
    fn variant_call(&mut self, sid: u32, args: &[ast::Expr], pos: Pos) -> Result<Expr> {
        let st = &self.structs[sid as usize];
        let name = st.name.clone();
        let ftys: Vec<Type> = st.fields.iter().map(|(_, t)| t.clone()).collect();
        if ftys.len() != args.len() {
            return Err(Error::ty(
                pos,
                format!(
                    "variant '{name}' expects {} argument{}, found {}",
                    ftys.len(),
                    plural(ftys.len()),
                    args.len()
                ),
            ));
        }
        let fields = self.args_for(&ftys, args, &format!("'{name}'"))?;
        Ok(mk(ExprKind::Struct { sid, fields }, Type::Struct(sid), pos))
    }

    fn arg(&mut self, a: &ast::Expr, hint: Option<&Type>) -> Result<Expr> {
        let v = self.expr(a, hint)?;
        if v.ty == Type::Void {
            return Err(Error::ty(v.pos, "a void value cannot be an argument"));
        }
        Ok(v)
    }

    /// Unbox an `any`/optional argument to `t` if needed, else coerce.
    fn want(&self, v: Expr, t: &Type, what: &str) -> Result<Expr> {
        self.coerce(v, t, what)
    }

    fn bad_arg(&self, name: &str, v: &Expr) -> Error {
        Error::ty(
            v.pos,
            format!(
                "invalid argument of type {} for {name}()",
                self.tyname(&v.ty)
            ),
        )
    }

    /// A builtin function call.
    fn builtin(
        &mut self,
        name: &str,
        args: &[ast::Expr],
        pos: Pos,
        npos: Pos,
        expected: Option<&Type>,
    ) -> Result<Expr> {
        let n = args.len();
        let count = |lo: usize, hi: usize| -> Result<()> {
            if n < lo || n > hi {
                let exp = if lo == hi {
                    format!("{lo} argument{}", plural(lo))
                } else if hi == usize::MAX {
                    format!("at least {lo} argument{}", plural(lo))
                } else {
                    format!("{lo} to {hi} arguments")
                };
                return Err(Error::ty(pos, format!("{name}() expects {exp}, found {n}")));
            }
            Ok(())
        };
        let b = |builtin: Builtin, args: Vec<Expr>, ty: Type| {
            mk(ExprKind::Builtin { builtin, args }, ty, pos)
        };
        let _ = npos;
        Ok(match name {
            "print" => {
                let mut vs = Vec::new();
                for a in args {
                    vs.push(self.arg(a, None)?);
                }
                b(Builtin::Print, vs, Type::Void)
            }
            "str" => {
                count(1, 1)?;
                let v = self.arg(&args[0], None)?;
                conv(Conv::ToStr, v, Type::Str)
            }
            "len" | "count" => {
                count(1, 1)?;
                let v = self.arg(&args[0], None)?;
                let v = self.unopt(v);
                if !matches!(
                    v.ty,
                    Type::List(_) | Type::Str | Type::Map(..) | Type::Any | Type::Param(_)
                ) {
                    return Err(self.bad_arg(name, &v));
                }
                let bi = if name == "len" {
                    Builtin::Len
                } else {
                    Builtin::Count
                };
                b(bi, vec![v], Type::Int)
            }
            "exists" => {
                count(1, 1)?;
                let v = self.arg(&args[0], None)?;
                let v = self.unopt(v);
                if !matches!(v.ty, Type::List(_) | Type::Str | Type::Map(..) | Type::Any) {
                    return Err(self.bad_arg(name, &v));
                }
                b(Builtin::Exists, vec![v], Type::Bool)
            }
            "append" | "push" => {
                count(2, 2)?;
                let l = self.arg(&args[0], expected)?;
                let l = self.unopt(l);
                let l = match l.ty {
                    Type::Any => conv(Conv::Unbox, l, Type::list(Type::Any)),
                    _ => l,
                };
                let Type::List(et) = l.ty.clone() else {
                    return Err(self.bad_arg(name, &l));
                };
                let v = self.arg(&args[1], Some(&et))?;
                // `append([], x)` on an untyped empty list: the list takes x's type.
                let (l, et) = if *et == Type::Any
                    && matches!(&l.kind, ExprKind::List(v) if v.is_empty())
                    && v.ty != Type::Nil
                {
                    let t = v.ty.clone();
                    (super::types::retype(l, Type::list(t.clone())), Box::new(t))
                } else {
                    (l, et)
                };
                let v = self.want(v, &et, "element of append")?;
                let ty = l.ty.clone();
                let bi = if name == "append" {
                    Builtin::Append
                } else {
                    Builtin::Push
                };
                b(bi, vec![l, v], ty)
            }
            "sum" | "min" | "max" => {
                count(1, 1)?;
                let l = self.arg(&args[0], None)?;
                let l = self.unopt(l);
                let et = match &l.ty {
                    Type::List(t) => (**t).clone(),
                    Type::Any => Type::Any,
                    _ => return Err(self.bad_arg(name, &l)),
                };
                let ok = match name {
                    "sum" => matches!(et, Type::Int | Type::Float | Type::BigInt | Type::Any),
                    _ => matches!(
                        et,
                        Type::Int | Type::Float | Type::BigInt | Type::Str | Type::Any
                    ),
                };
                if !ok {
                    return Err(self.bad_arg(name, &l));
                }
                let bi = match name {
                    "sum" => Builtin::Sum,
                    "min" => Builtin::Min,
                    _ => Builtin::Max,
                };
                b(bi, vec![l], et)
            }
            "avg" => {
                count(1, 1)?;
                let l = self.arg(&args[0], None)?;
                let l = self.unopt(l);
                match &l.ty {
                    Type::List(t) if matches!(**t, Type::Int | Type::Float | Type::Any) => {}
                    Type::Any => {}
                    _ => return Err(self.bad_arg(name, &l)),
                }
                b(Builtin::Avg, vec![l], Type::Float)
            }
            "keys" | "values" => {
                count(1, 1)?;
                let m = self.arg(&args[0], None)?;
                let m = self.unopt(m);
                let t = match &m.ty {
                    Type::Map(k, v) => {
                        if name == "keys" {
                            Type::list((**k).clone())
                        } else {
                            Type::list((**v).clone())
                        }
                    }
                    Type::Struct(_) | Type::Any => Type::list(Type::Any),
                    _ => return Err(self.bad_arg(name, &m)),
                };
                let bi = if name == "keys" {
                    Builtin::Keys
                } else {
                    Builtin::Values
                };
                b(bi, vec![m], t)
            }
            "substring" | "substr" => {
                count(3, 3)?;
                let s = self.arg(&args[0], Some(&Type::Str))?;
                let s = self.want(s, &Type::Str, "argument 1 of substring")?;
                let i = self.arg(&args[1], Some(&Type::Int))?;
                let i = self.want(i, &Type::Int, "argument 2 of substring")?;
                let j = self.arg(&args[2], Some(&Type::Int))?;
                let j = self.want(j, &Type::Int, "argument 3 of substring")?;
                b(Builtin::Substring, vec![s, i, j], Type::Str)
            }
            "upper" | "lower" | "trim" => {
                count(1, 1)?;
                let s = self.arg(&args[0], Some(&Type::Str))?;
                let s = self.want(s, &Type::Str, &format!("argument of {name}"))?;
                let bi = match name {
                    "upper" => Builtin::Upper,
                    "lower" => Builtin::Lower,
                    _ => Builtin::Trim,
                };
                b(bi, vec![s], Type::Str)
            }
            "padStart" => {
                count(3, 3)?;
                let s = self.arg(&args[0], Some(&Type::Str))?;
                let s = self.want(s, &Type::Str, "argument 1 of padStart")?;
                let w = self.arg(&args[1], Some(&Type::Int))?;
                let w = self.want(w, &Type::Int, "argument 2 of padStart")?;
                let p = self.arg(&args[2], Some(&Type::Str))?;
                let p = self.want(p, &Type::Str, "argument 3 of padStart")?;
                b(Builtin::PadStart, vec![s, w, p], Type::Str)
            }
            "pow" => {
                count(2, 2)?;
                let x = self.arg(&args[0], None)?;
                let y = self.arg(&args[1], None)?;
                let t = match (&x.ty, &y.ty) {
                    (Type::Int, Type::Int) => Type::Int,
                    (Type::BigInt, Type::Int) => {
                        return Ok(b(Builtin::Pow, vec![x, y], Type::BigInt));
                    }
                    (Type::Int | Type::Float, Type::Int | Type::Float) => Type::Float,
                    _ => {
                        let bad = if x.ty.is_numeric() { &y } else { &x };
                        return Err(self.bad_arg(name, bad));
                    }
                };
                let x = self.want(x, &t, "argument of pow")?;
                let y = self.want(y, &t, "argument of pow")?;
                b(Builtin::Pow, vec![x, y], t)
            }
            "now" => {
                count(0, 0)?;
                b(Builtin::Now, vec![], Type::Int)
            }
            "input" => {
                count(0, 0)?;
                b(Builtin::Input, vec![], Type::Str)
            }
            "json" => {
                count(1, 1)?;
                let v = self.arg(&args[0], None)?;
                b(Builtin::Json, vec![v], Type::Void)
            }
            "int" => {
                count(1, 1)?;
                let v = self.arg(&args[0], None)?;
                match v.ty {
                    Type::Int => v,
                    Type::Float => conv(Conv::FloatToInt, v, Type::Int),
                    Type::Str => conv(Conv::StrToInt, v, Type::Int),
                    Type::BigInt => conv(Conv::BigToInt, v, Type::Int),
                    Type::Any | Type::Optional(_) | Type::Param(_) => {
                        conv(Conv::Unbox, v, Type::Int)
                    }
                    _ => return Err(self.bad_arg(name, &v)),
                }
            }
            "float" => {
                count(1, 1)?;
                let v = self.arg(&args[0], None)?;
                match v.ty {
                    Type::Float => v,
                    Type::Int => conv(Conv::IntToFloat, v, Type::Float),
                    Type::Str => conv(Conv::StrToFloat, v, Type::Float),
                    Type::BigInt => conv(Conv::BigToFloat, v, Type::Float),
                    Type::Any | Type::Optional(_) | Type::Param(_) => {
                        conv(Conv::Unbox, v, Type::Float)
                    }
                    _ => return Err(self.bad_arg(name, &v)),
                }
            }
            "abs" => {
                count(1, 1)?;
                let v = self.arg(&args[0], None)?;
                let v = self.unopt(v);
                if !matches!(v.ty, Type::Int | Type::Float | Type::BigInt) {
                    return Err(self.bad_arg(name, &v));
                }
                let t = v.ty.clone();
                b(Builtin::Abs, vec![v], t)
            }
            "floor" | "ceil" | "sqrt" => {
                count(1, 1)?;
                let v = self.arg(&args[0], Some(&Type::Float))?;
                let v = self.want(v, &Type::Float, &format!("argument of {name}"))?;
                let bi = match name {
                    "floor" => Builtin::Floor,
                    "ceil" => Builtin::Ceil,
                    _ => Builtin::Sqrt,
                };
                b(bi, vec![v], Type::Float)
            }
            "round" => {
                count(1, 2)?;
                let v = self.arg(&args[0], Some(&Type::Float))?;
                let v = self.want(v, &Type::Float, "argument 1 of round")?;
                let mut vs = vec![v];
                if n == 2 {
                    let d = self.arg(&args[1], Some(&Type::Int))?;
                    vs.push(self.want(d, &Type::Int, "argument 2 of round")?);
                }
                b(Builtin::Round, vs, Type::Float)
            }
            "reverse" | "distinct" | "first" => {
                count(1, 1)?;
                let v = self.arg(&args[0], None)?;
                let v = self.unopt(v);
                let t = match (&v.ty, name) {
                    (Type::List(e), "first") => (**e).clone(),
                    (Type::List(_), _) => v.ty.clone(),
                    (Type::Str, "reverse") => Type::Str,
                    (Type::Any, "first") => Type::Any,
                    (Type::Any, _) => {
                        let v = conv(Conv::Unbox, v, Type::list(Type::Any));
                        let bi = if name == "reverse" {
                            Builtin::Reverse
                        } else {
                            Builtin::Distinct
                        };
                        return Ok(b(bi, vec![v], Type::list(Type::Any)));
                    }
                    _ => return Err(self.bad_arg(name, &v)),
                };
                let bi = match name {
                    "reverse" => Builtin::Reverse,
                    "distinct" => Builtin::Distinct,
                    _ => Builtin::First,
                };
                b(bi, vec![v], t)
            }
            "concat" => {
                count(1, usize::MAX)?;
                let mut vs = Vec::new();
                let mut t: Option<Type> = None;
                for a in args {
                    let v = self.arg(a, t.as_ref())?;
                    let v = self.unopt(v);
                    if !matches!(v.ty, Type::List(_)) {
                        return Err(self.bad_arg(name, &v));
                    }
                    t = Some(match t {
                        None => v.ty.clone(),
                        Some(t) => self.join(&t, &v.ty).ok_or_else(|| self.bad_arg(name, &v))?,
                    });
                    vs.push(v);
                }
                let t = t.unwrap_or(Type::list(Type::Any));
                let mut out = Vec::new();
                for v in vs {
                    out.push(self.want(v, &t, "argument of concat")?);
                }
                b(Builtin::Concat, out, t)
            }
            "split" => {
                count(2, 2)?;
                let s = self.arg(&args[0], Some(&Type::Str))?;
                let s = self.want(s, &Type::Str, "argument 1 of split")?;
                let p = self.arg(&args[1], Some(&Type::Str))?;
                let p = self.want(p, &Type::Str, "argument 2 of split")?;
                b(Builtin::Split, vec![s, p], Type::list(Type::Str))
            }
            "join" => {
                count(1, 2)?;
                let l = self.arg(&args[0], Some(&Type::list(Type::Str)))?;
                let l = self.unopt(l);
                if !matches!(l.ty, Type::List(_)) {
                    return Err(self.bad_arg(name, &l));
                }
                let mut vs = vec![l];
                if n == 2 {
                    let s = self.arg(&args[1], Some(&Type::Str))?;
                    vs.push(self.want(s, &Type::Str, "argument 2 of join")?);
                } else {
                    vs.push(mk(ExprKind::Str(String::new()), Type::Str, pos));
                }
                b(Builtin::Join, vs, Type::Str)
            }
            "indexOf" | "contains" => {
                count(2, 2)?;
                let s = self.arg(&args[0], None)?;
                let s = self.unopt(s);
                let x = match &s.ty {
                    Type::Str => {
                        let x = self.arg(&args[1], Some(&Type::Str))?;
                        self.want(x, &Type::Str, &format!("argument 2 of {name}"))?
                    }
                    Type::List(t) => {
                        let t = (**t).clone();
                        let x = self.arg(&args[1], Some(&t))?;
                        self.want(x, &t, &format!("argument 2 of {name}"))?
                    }
                    _ => return Err(self.bad_arg(name, &s)),
                };
                if name == "indexOf" {
                    b(Builtin::IndexOf, vec![s, x], Type::Int)
                } else {
                    b(Builtin::Contains, vec![s, x], Type::Bool)
                }
            }
            "repeat" => {
                count(2, 2)?;
                let s = self.arg(&args[0], Some(&Type::Str))?;
                let s = self.want(s, &Type::Str, "argument 1 of repeat")?;
                let k = self.arg(&args[1], Some(&Type::Int))?;
                let k = self.want(k, &Type::Int, "argument 2 of repeat")?;
                b(Builtin::Repeat, vec![s, k], Type::Str)
            }
            "parseIntStr" => {
                count(1, 2)?;
                let s = self.arg(&args[0], Some(&Type::Str))?;
                let s = self.want(s, &Type::Str, "argument 1 of parseIntStr")?;
                let mut vs = vec![s];
                if n == 2 {
                    let k = self.arg(&args[1], Some(&Type::Int))?;
                    vs.push(self.want(k, &Type::Int, "argument 2 of parseIntStr")?);
                }
                b(Builtin::ParseIntStr, vs, Type::Int)
            }
            _ => return Err(Error::unsupported(pos, format!("builtin {name}()"))),
        })
    }

    fn unopt(&self, v: Expr) -> Expr {
        let v = self.group_items(v);
        match v.ty.clone() {
            Type::Optional(t) => conv(Conv::Unbox, v, *t),
            _ => v,
        }
    }

    /// `s.contains(x)`, `s.starts_with(p)`, `xs.contains(x)`, ... on a non-struct receiver.
    fn method_builtin(
        &mut self,
        recv: Expr,
        name: &str,
        args: &[ast::Expr],
        pos: Pos,
        npos: Pos,
    ) -> Result<Expr> {
        let mk_b = |builtin: Builtin, args: Vec<Expr>, ty: Type| {
            mk(ExprKind::Builtin { builtin, args }, ty, pos)
        };
        let nargs = |want: usize| -> Result<()> {
            if args.len() != want {
                return Err(arity(name, want, args.len(), pos));
            }
            Ok(())
        };
        match (&recv.ty, name) {
            (
                Type::Str,
                "contains" | "starts_with" | "startsWith" | "ends_with" | "endsWith" | "indexOf"
                | "index_of",
            ) => {
                nargs(1)?;
                let x = self.arg(&args[0], Some(&Type::Str))?;
                let x = self.want(x, &Type::Str, &format!("argument of {name}"))?;
                let (bi, t) = match name {
                    "contains" => (Builtin::Contains, Type::Bool),
                    "starts_with" | "startsWith" => (Builtin::StartsWith, Type::Bool),
                    "ends_with" | "endsWith" => (Builtin::EndsWith, Type::Bool),
                    _ => (Builtin::IndexOf, Type::Int),
                };
                Ok(mk_b(bi, vec![recv, x], t))
            }
            (Type::Str, "upper" | "lower" | "trim" | "to_upper" | "to_lower" | "len") => {
                nargs(0)?;
                let (bi, t) = match name {
                    "upper" | "to_upper" => (Builtin::Upper, Type::Str),
                    "lower" | "to_lower" => (Builtin::Lower, Type::Str),
                    "trim" => (Builtin::Trim, Type::Str),
                    _ => (Builtin::Len, Type::Int),
                };
                Ok(mk_b(bi, vec![recv], t))
            }
            (Type::Str, "split") => {
                nargs(1)?;
                let x = self.arg(&args[0], Some(&Type::Str))?;
                let x = self.want(x, &Type::Str, "argument of split")?;
                Ok(mk_b(Builtin::Split, vec![recv, x], Type::list(Type::Str)))
            }
            (Type::List(t), "contains" | "indexOf") => {
                nargs(1)?;
                let t = (**t).clone();
                let x = self.arg(&args[0], Some(&t))?;
                let x = self.want(x, &t, &format!("argument of {name}"))?;
                let (bi, rt) = if name == "contains" {
                    (Builtin::Contains, Type::Bool)
                } else {
                    (Builtin::IndexOf, Type::Int)
                };
                Ok(mk_b(bi, vec![recv, x], rt))
            }
            (Type::List(_), "len") | (Type::Map(..), "len") => {
                nargs(0)?;
                Ok(mk_b(Builtin::Len, vec![recv], Type::Int))
            }
            (Type::Map(k, _), "contains") => {
                nargs(1)?;
                let k = (**k).clone();
                let x = self.arg(&args[0], Some(&k))?;
                let x = self.want(x, &k, "argument of contains")?;
                Ok(mk(
                    ExprKind::In(Box::new(x), Box::new(recv)),
                    Type::Bool,
                    pos,
                ))
            }
            // A function stored under a string key of a map / any.
            (Type::Map(..), _) | (Type::Any, _) => {
                let (base, _, ty) = self.field_parts(recv, name, npos)?;
                let f = mk(
                    ExprKind::Index {
                        base: Box::new(base),
                        index: Box::new(mk(ExprKind::Str(name.to_string()), Type::Str, npos)),
                    },
                    ty,
                    npos,
                );
                self.call_value(f, args, pos)
            }
            (t, _) => Err(Error::ty(
                npos,
                format!("type {} has no method '{name}'", self.tyname(t)),
            )),
        }
    }
}

fn arity(name: &str, want: usize, found: usize, pos: Pos) -> Error {
    Error::ty(
        pos,
        format!(
            "function '{name}' expects {want} argument{}, found {found}",
            plural(want)
        ),
    )
}

pub(crate) fn contains_param(t: &Type) -> bool {
    match t {
        Type::Param(_) => true,
        Type::List(e) | Type::Optional(e) => contains_param(e),
        Type::Map(k, v) => contains_param(k) || contains_param(v),
        Type::Func(ft) => ft.params.iter().any(contains_param) || contains_param(&ft.ret),
        _ => false,
    }
}

fn subst_type(t: &Type, s: &HashMap<String, Type>) -> Type {
    match t {
        Type::Param(n) => s.get(n).cloned().unwrap_or_else(|| t.clone()),
        Type::List(e) => Type::list(subst_type(e, s)),
        Type::Optional(e) => Type::optional(subst_type(e, s)),
        Type::Map(k, v) => Type::map(subst_type(k, s), subst_type(v, s)),
        Type::Func(ft) => Type::func(
            ft.params.iter().map(|p| subst_type(p, s)).collect(),
            subst_type(&ft.ret, s),
        ),
        _ => t.clone(),
    }
}

/// Bind generic parameters in `pat` against an argument type.
fn bind(pat: &Type, t: &Type, s: &mut HashMap<String, Type>) {
    match (pat, t) {
        (Type::Param(n), _) if !s.contains_key(n) && *t != Type::Nil => {
            s.insert(n.clone(), t.clone());
        }
        (Type::Param(_), _) => {}
        (Type::List(a), Type::List(b)) | (Type::Optional(a), Type::Optional(b)) => bind(a, b, s),
        (Type::Map(k1, v1), Type::Map(k2, v2)) => {
            bind(k1, k2, s);
            bind(v1, v2, s);
        }
        (Type::Func(a), Type::Func(b)) if a.params.len() == b.params.len() => {
            for (x, y) in a.params.iter().zip(&b.params) {
                bind(x, y, s);
            }
            bind(&a.ret, &b.ret, s);
        }
        _ => {}
    }
}
