//! `match` expressions and their patterns.

use super::types::conv;
use super::{Checker, Result};
use crate::hir::{self, Conv, Expr, ExprKind, Pattern};
use crate::syntax::ast;
use crate::types::Type;
use vm::error::Error;
use vm::Pos;

impl Checker<'_> {
    pub(crate) fn match_expr(
        &mut self,
        scrutinee: &ast::Expr,
        arms: &[ast::MatchArm],
        pos: Pos,
        expected: Option<&Type>,
    ) -> Result<Expr> {
        let s = self.expr(scrutinee, None)?;
        let sty = s.ty.clone();
        if sty == Type::Void {
            return Err(Error::ty(s.pos, "cannot match on a void value"));
        }
        let mut out: Vec<(Pattern, Expr, Pos)> = Vec::with_capacity(arms.len());
        let mut ty: Option<Type> = None;
        let mut first_pos = pos;
        for arm in arms {
            self.push_scope();
            let r = (|| {
                let p = self.pattern(&arm.pattern, &sty)?;
                let b = self.expr(&arm.body, expected.or(ty.as_ref()))?;
                Ok::<_, Error>((p, b))
            })();
            self.pop_scope();
            let (p, b) = r?;
            ty = Some(match ty {
                None => {
                    first_pos = arm.body.pos;
                    b.ty.clone()
                }
                Some(t) => self.join(&t, &b.ty).ok_or_else(|| {
                    Error::ty(
                        arm.body.pos,
                        format!(
                            "match arms have different types: {} and {} (first arm at {}:{})",
                            self.tyname(&t),
                            self.tyname(&b.ty),
                            first_pos.line,
                            first_pos.col
                        ),
                    )
                })?,
            });
            out.push((p, b, arm.pos));
        }
        let ty = match ty {
            None | Some(Type::Nil) => Type::Any,
            Some(t) => t,
        };
        let mut hir_arms = Vec::with_capacity(out.len());
        for (pattern, body, apos) in out {
            let body = if ty == Type::Void {
                body
            } else {
                self.coerce(body, &ty, "match arm")?
            };
            hir_arms.push(hir::MatchArm {
                pattern,
                body,
                pos: apos,
            });
        }
        Ok(Expr {
            kind: ExprKind::Match {
                scrutinee: Box::new(s),
                arms: hir_arms,
            },
            ty,
            pos,
        })
    }

    fn lit(&self, kind: ExprKind, ty: Type, sty: &Type, pos: Pos) -> Result<Pattern> {
        let e = Expr { kind, ty, pos };
        let e = match sty {
            Type::Any | Type::Param(_) => conv(Conv::Box, e, sty.clone()),
            _ => self.coerce(e, sty, "pattern")?,
        };
        Ok(Pattern::Literal(e))
    }

    fn pattern(&mut self, p: &ast::Pattern, sty: &Type) -> Result<Pattern> {
        use ast::PatternKind as P;
        let pos = p.pos;
        match &p.kind {
            P::Wildcard => Ok(Pattern::Wildcard),
            P::Int(i) => self.lit(ExprKind::Int(*i), Type::Int, sty, pos),
            P::Float(f) => self.lit(ExprKind::Float(*f), Type::Float, sty, pos),
            P::Str(s) => self.lit(ExprKind::Str(s.clone()), Type::Str, sty, pos),
            P::Bool(b) => self.lit(ExprKind::Bool(*b), Type::Bool, sty, pos),
            P::Nil => {
                let e = Expr {
                    kind: ExprKind::Nil,
                    ty: Type::Nil,
                    pos,
                };
                Ok(Pattern::Literal(self.coerce(e, sty, "pattern")?))
            }
            P::Name(n) => {
                if let Some(&sid) = self.variants.get(n) {
                    self.check_variant(sid, sty, pos)?;
                    let nf = self.structs[sid as usize].fields.len();
                    return Ok(Pattern::Variant {
                        sid,
                        fields: vec![None; nf],
                    });
                }
                let l = self.cur().declare(n, sty.clone(), false, pos);
                Ok(Pattern::Bind(l))
            }
            P::Variant { name, args } => {
                let sid = self.variant_sid(name, pos)?;
                self.check_variant(sid, sty, pos)?;
                let fields = self.structs[sid as usize].fields.clone();
                if args.len() != fields.len() {
                    return Err(Error::ty(
                        pos,
                        format!(
                            "variant '{name}' has {} field(s), the pattern binds {}",
                            fields.len(),
                            args.len()
                        ),
                    ));
                }
                let mut out = Vec::new();
                for (a, (_, ft)) in args.iter().zip(fields) {
                    out.push(self.field_binding(a, ft)?);
                }
                Ok(Pattern::Variant { sid, fields: out })
            }
            P::Struct { name, fields: fps } => {
                let sid = self.variant_sid(name, pos)?;
                self.check_variant(sid, sty, pos)?;
                let fields = self.structs[sid as usize].fields.clone();
                let mut out = vec![None; fields.len()];
                for fp in fps {
                    let Some(i) = fields.iter().position(|(n, _)| n == &fp.name) else {
                        return Err(Error::ty(
                            fp.pos,
                            format!("type '{name}' has no field '{}'", fp.name),
                        ));
                    };
                    out[i] = self.field_binding(&fp.pattern, fields[i].1.clone())?;
                }
                Ok(Pattern::Variant { sid, fields: out })
            }
        }
    }

    fn variant_sid(&self, name: &str, pos: Pos) -> Result<u32> {
        if let Some(&s) = self.variants.get(name) {
            return Ok(s);
        }
        if let Some(super::TypeEntry::Struct(s)) = self.type_names.get(name) {
            return Ok(*s);
        }
        Err(Error::ty(pos, format!("unknown variant '{name}'")))
    }

    /// A variant pattern must fit the scrutinee's type.
    fn check_variant(&self, sid: u32, sty: &Type, pos: Pos) -> Result<()> {
        let st = &self.structs[sid as usize];
        let ok = match sty {
            Type::Union(u) => st.union == Some(*u),
            Type::Struct(s) => *s == sid || (st.union.is_some() && self.union_of(sty) == st.union),
            Type::Any | Type::Param(_) => true,
            Type::Optional(t) => return self.check_variant(sid, t, pos),
            _ => false,
        };
        if !ok {
            return Err(Error::ty(
                pos,
                format!(
                    "pattern '{}' cannot match a value of type {}",
                    st.name,
                    self.tyname(sty)
                ),
            ));
        }
        Ok(())
    }

    /// A sub-pattern of a variant: a binding or `_` (nested patterns are not supported).
    fn field_binding(&mut self, p: &ast::Pattern, ft: Type) -> Result<Option<hir::LocalId>> {
        match &p.kind {
            ast::PatternKind::Wildcard => Ok(None),
            ast::PatternKind::Name(n) if !self.variants.contains_key(n) => {
                Ok(Some(self.cur().declare(n, ft, false, p.pos)))
            }
            _ => Err(Error::unsupported(
                p.pos,
                "nested patterns (a variant field must be matched by a name or _)",
            )),
        }
    }
}
