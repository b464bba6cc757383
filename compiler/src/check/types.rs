//! Type expressions -> [`Type`], assignability (inserting explicit [`Conv`] nodes), joins of
//! branch types, zero values and type names for messages.

use super::{Checker, Result, TypeEntry};
use crate::hir::{Conv, Expr, ExprKind, StructDef};
use crate::syntax::ast;
use crate::types::{StructId, Type};
use vm::error::Error;
use vm::Pos;

impl Checker<'_> {
    /// Resolve a type as written.
    pub(crate) fn resolve_type(&mut self, te: &ast::TypeExpr) -> Result<Type> {
        use ast::TypeExprKind as K;
        Ok(match &te.kind {
            K::Name(n) => match n.as_str() {
                "int" => Type::Int,
                "float" => Type::Float,
                "bool" => Type::Bool,
                "string" => Type::Str,
                "any" => Type::Any,
                "void" => Type::Void,
                "bigint" => Type::BigInt,
                "bigrat" => return Err(Error::unsupported(te.pos, "type bigrat")),
                "list" => Type::list(Type::Any),
                "map" => Type::map(Type::Any, Type::Any),
                _ if self.is_tparam(n) => Type::Param(n.clone()),
                _ => match self.type_names.get(n).cloned() {
                    Some(TypeEntry::Struct(s)) => Type::Struct(s),
                    Some(TypeEntry::Union(u)) => Type::Union(u),
                    Some(TypeEntry::Alias(_, Some(t))) => t,
                    Some(TypeEntry::Alias(e, None)) => {
                        // Mark as in progress, resolve, record.
                        self.type_names.remove(n);
                        let r = self.resolve_type(&e);
                        let t = match r {
                            Ok(t) => t,
                            Err(err) => {
                                self.type_names.insert(n.clone(), TypeEntry::Alias(e, None));
                                return Err(err);
                            }
                        };
                        self.type_names
                            .insert(n.clone(), TypeEntry::Alias(e, Some(t.clone())));
                        t
                    }
                    None => return Err(Error::ty(te.pos, format!("unknown type '{n}'"))),
                },
            },
            K::Generic { name, args } => match (name.as_str(), args.len()) {
                ("list", 1) => Type::list(self.resolve_value_type(&args[0])?),
                ("map", 2) => Type::map(
                    self.resolve_value_type(&args[0])?,
                    self.resolve_value_type(&args[1])?,
                ),
                ("list", n) | ("map", n) => {
                    return Err(Error::ty(
                        te.pos,
                        format!(
                            "type {name} expects {} type argument{}, found {n}",
                            if name == "list" { 1 } else { 2 },
                            if name == "list" { "" } else { "s" }
                        ),
                    ))
                }
                _ => return Err(Error::ty(te.pos, format!("unknown generic type '{name}'"))),
            },
            K::Fun { params, ret } => {
                let mut ps = Vec::new();
                for p in params {
                    ps.push(self.resolve_value_type(p)?);
                }
                let r = match ret {
                    Some(r) => self.resolve_type(r)?,
                    None => Type::Void,
                };
                Type::func(ps, r)
            }
            K::Optional(t) => Type::optional(self.resolve_value_type(t)?),
            K::Struct(fields) => {
                let fs = self.field_list(fields)?;
                self.anon += 1;
                let sid = self.structs.len() as StructId;
                self.structs.push(StructDef {
                    name: format!("{{anon{}}}", self.anon),
                    fields: fs,
                    methods: vec![],
                    union: None,
                    pos: te.pos,
                });
                Type::Struct(sid)
            }
        })
    }

    /// A type that values can have (not void).
    fn resolve_value_type(&mut self, te: &ast::TypeExpr) -> Result<Type> {
        let t = self.resolve_type(te)?;
        if t == Type::Void {
            return Err(Error::ty(te.pos, "void is not a value type"));
        }
        Ok(t)
    }

    /// The type as Mochi source writes it, with user type names.
    pub(crate) fn tyname(&self, t: &Type) -> String {
        match t {
            Type::List(e) => format!("list<{}>", self.tyname(e)),
            Type::Map(k, v) => format!("map<{}, {}>", self.tyname(k), self.tyname(v)),
            Type::Optional(e) => format!("{}?", self.tyname(e)),
            Type::Struct(s) => self
                .structs
                .get(*s as usize)
                .map_or_else(|| t.to_string(), |d| d.name.clone()),
            Type::Union(u) => self
                .unions
                .get(*u as usize)
                .map_or_else(|| t.to_string(), |d| d.name.clone()),
            Type::Func(ft) => {
                let ps: Vec<String> = ft.params.iter().map(|p| self.tyname(p)).collect();
                if ft.ret == Type::Void {
                    format!("fun({})", ps.join(", "))
                } else {
                    format!("fun({}): {}", ps.join(", "), self.tyname(&ft.ret))
                }
            }
            _ => t.to_string(),
        }
    }

    /// The union a struct is a variant of.
    pub(crate) fn union_of(&self, t: &Type) -> Option<u32> {
        match t {
            Type::Struct(s) => self.structs.get(*s as usize).and_then(|d| d.union),
            _ => None,
        }
    }

    /// Convert `e` to type `want` if a value of its type may be used there (inserting the
    /// conversion), else `None`.
    pub(crate) fn try_coerce(&self, e: Expr, want: &Type) -> std::result::Result<Expr, Expr> {
        let have = e.ty.clone();
        if &have == want {
            return Ok(e);
        }
        match (&have, want) {
            (Type::Int, Type::Float) => Ok(conv(Conv::IntToFloat, e, Type::Float)),
            (Type::Int, Type::BigInt) => Ok(conv(Conv::IntToBig, e, Type::BigInt)),
            // `nil` takes the type of its context.
            (Type::Nil, t) if nilable(t) => {
                if matches!(e.kind, ExprKind::Nil) {
                    Ok(Expr {
                        kind: ExprKind::Nil,
                        ty: want.clone(),
                        pos: e.pos,
                    })
                } else {
                    Ok(conv(Conv::Box, e, want.clone()))
                }
            }
            (Type::Void, _) => Err(e),
            // Boxing into any / a generic parameter.
            (_, Type::Any) | (_, Type::Param(_)) => Ok(conv(Conv::Box, e, want.clone())),
            // Into an optional: box the inner value (converting it first if needed).
            (Type::Optional(a), Type::Optional(b)) => {
                if matches!(**b, Type::Any) || **a == **b {
                    Ok(conv(Conv::Box, e, want.clone()))
                } else if self.union_of(a).is_some_and(|u| **b == Type::Union(u)) {
                    Ok(retype(e, want.clone()))
                } else {
                    Err(e)
                }
            }
            (_, Type::Optional(inner)) => match self.try_coerce(e, inner) {
                Ok(e) => Ok(conv(Conv::Box, e, want.clone())),
                Err(e) => Err(e),
            },
            // Unboxing (checked at run time).
            (Type::Any, _) | (Type::Param(_), _) => Ok(conv(Conv::Unbox, e, want.clone())),
            (Type::Optional(inner), _) => {
                let inner = (**inner).clone();
                let u = conv(Conv::Unbox, e, inner);
                self.try_coerce(u, want)
            }
            // A variant is a value of its union (same representation).
            (Type::Struct(_), Type::Union(u)) if self.union_of(&have) == Some(*u) => {
                Ok(retype(e, want.clone()))
            }
            // Empty list / map literals take the type of their context.
            (Type::List(_), Type::List(_)) if is_empty_literal(&e) => Ok(retype(e, want.clone())),
            (Type::Map(..), Type::Map(..)) if is_empty_literal(&e) => Ok(retype(e, want.clone())),
            // Function values whose types differ only by generic parameters.
            (Type::Func(a), Type::Func(b))
                if a.params.len() == b.params.len() && a.ret == b.ret =>
            {
                Err(e)
            }
            _ => Err(e),
        }
    }

    /// [`Self::try_coerce`] or a `what: expected T, found U` error at the expression.
    pub(crate) fn coerce(&self, e: Expr, want: &Type, what: &str) -> Result<Expr> {
        self.try_coerce(e, want).map_err(|e| {
            Error::ty(
                e.pos,
                format!(
                    "{what}: expected {}, found {}",
                    self.tyname(want),
                    self.tyname(&e.ty)
                ),
            )
        })
    }

    /// The common type of two branches (if/match arms, list elements), if any.
    pub(crate) fn join(&self, a: &Type, b: &Type) -> Option<Type> {
        if a == b {
            return Some(a.clone());
        }
        Some(match (a, b) {
            (Type::Int, Type::Float) | (Type::Float, Type::Int) => Type::Float,
            (Type::Int, Type::BigInt) | (Type::BigInt, Type::Int) => Type::BigInt,
            (Type::Nil, t) | (t, Type::Nil) => {
                if *t == Type::Void {
                    return None;
                }
                Type::optional(t.clone())
            }
            (Type::Any, _) | (_, Type::Any) => Type::Any,
            (Type::Optional(x), y) | (y, Type::Optional(x)) => Type::optional(self.join(x, y)?),
            (Type::Struct(_), Type::Struct(_)) => {
                let u = self.union_of(a)?;
                if self.union_of(b) == Some(u) {
                    Type::Union(u)
                } else {
                    return None;
                }
            }
            (Type::Struct(_), Type::Union(u)) | (Type::Union(u), Type::Struct(_)) => {
                let s = if matches!(a, Type::Struct(_)) { a } else { b };
                if self.union_of(s) == Some(*u) {
                    Type::Union(*u)
                } else {
                    return None;
                }
            }
            (Type::List(x), Type::List(y)) if is_any_list(x, y) => Type::list(Type::Any),
            (Type::Map(k1, v1), Type::Map(k2, v2))
                if (**v1 == Type::Any || **v2 == Type::Any) && k1 == k2 =>
            {
                Type::map((**k1).clone(), Type::Any)
            }
            _ => return None,
        })
    }

    /// The zero value of a type (LANGUAGE.md §0).
    pub(crate) fn zero(&self, t: &Type, pos: Pos) -> Expr {
        self.zero_depth(t, pos, 0)
    }

    fn zero_depth(&self, t: &Type, pos: Pos, depth: u32) -> Expr {
        let kind = match t {
            Type::Int => ExprKind::Int(0),
            Type::Float => ExprKind::Float(0.0),
            Type::Bool => ExprKind::Bool(false),
            Type::Str => ExprKind::Str(String::new()),
            Type::BigInt => ExprKind::BigInt("0".into()),
            Type::List(_) => ExprKind::List(vec![]),
            Type::Map(..) => ExprKind::Map(vec![]),
            Type::Struct(s) if depth < 8 => {
                let fields = self.structs[*s as usize]
                    .fields
                    .iter()
                    .map(|(_, ft)| self.zero_depth(ft, pos, depth + 1))
                    .collect();
                ExprKind::Struct { sid: *s, fields }
            }
            _ => ExprKind::Nil,
        };
        Expr {
            kind,
            ty: t.clone(),
            pos,
        }
    }
}

fn is_any_list(x: &Type, y: &Type) -> bool {
    *x == Type::Any || *y == Type::Any
}

/// Whether `nil` may have this type.
pub(crate) fn nilable(t: &Type) -> bool {
    !matches!(t, Type::Int | Type::Float | Type::Bool | Type::Void)
}

pub(crate) fn conv(c: Conv, e: Expr, ty: Type) -> Expr {
    let pos = e.pos;
    Expr {
        kind: ExprKind::Conv(c, Box::new(e)),
        ty,
        pos,
    }
}

/// Give an expression a representation-compatible type (a variant as its union, an empty
/// literal as the list/map type of its context).
pub(crate) fn retype(mut e: Expr, ty: Type) -> Expr {
    e.ty = ty;
    e
}

fn is_empty_literal(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::List(v) => v.is_empty(),
        ExprKind::Map(v) => v.is_empty(),
        _ => false,
    }
}
