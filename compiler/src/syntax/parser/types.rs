//! Type expressions: `int`, `Name`, `list<T>`, `map<K, V>`, `fun(T, U): R`, `{a: T, b: U}`,
//! `T?`.

use super::{Parser, Result};
use crate::syntax::ast::{FieldDecl, TypeExpr, TypeExprKind};
use crate::syntax::lexer::{Kw, Tok};

impl Parser {
    pub(crate) fn parse_type(&mut self) -> Result<TypeExpr> {
        let pos = self.pos();
        self.enter_typed(pos)?;
        let kind = match self.kind() {
            Tok::Kw(Kw::Fun) => {
                self.advance();
                let open = self.expect(&Tok::LParen)?;
                let mut params = Vec::new();
                while !self.at(&Tok::RParen) {
                    params.push(self.parse_type()?);
                    if !self.eat(&Tok::Comma) {
                        break;
                    }
                }
                self.expect_close(&Tok::RParen, open)?;
                let ret = if self.eat(&Tok::Colon) {
                    Some(Box::new(self.parse_type()?))
                } else {
                    None
                };
                TypeExprKind::Fun { params, ret }
            }
            Tok::LBrace => {
                let open = self.advance();
                let fields = self.parse_field_decls(&Tok::RBrace, open)?;
                TypeExprKind::Struct(fields)
            }
            Tok::Ident(name) => {
                let name = name.clone();
                self.advance();
                if self.at(&Tok::Lt) {
                    let open = self.advance();
                    let mut args = vec![self.parse_type()?];
                    while self.eat(&Tok::Comma) {
                        args.push(self.parse_type()?);
                    }
                    self.expect_close(&Tok::Gt, open)?;
                    TypeExprKind::Generic { name, args }
                } else {
                    TypeExprKind::Name(name)
                }
            }
            _ => return Err(self.expected("type")),
        };
        let mut ty = TypeExpr { kind, pos };
        while self.at(&Tok::Question) && !matches!(self.kind_at(1), Tok::Dot | Tok::LBracket) {
            self.advance();
            ty = TypeExpr {
                kind: TypeExprKind::Optional(Box::new(ty)),
                pos,
            };
        }
        self.leave_typed();
        Ok(ty)
    }

    /// `name: T` fields separated by commas and/or newlines, up to and including `close`
    /// (a trailing comma is allowed).
    pub(crate) fn parse_field_decls(
        &mut self,
        close: &Tok,
        open: crate::syntax::ast::Pos,
    ) -> Result<Vec<FieldDecl>> {
        let mut fields = Vec::new();
        loop {
            if self.eat(close) {
                return Ok(fields);
            }
            if self.at(&Tok::Eof) {
                return Err(self.expected(&format!(
                    "'{}' to close the one opened at {}:{}",
                    close.punct_str().unwrap_or("?"),
                    open.line,
                    open.col
                )));
            }
            let (name, pos) = self.expect_ident("field name")?;
            self.expect(&Tok::Colon)?;
            let ty = self.parse_type()?;
            fields.push(FieldDecl { name, ty, pos });
            // Commas are optional separators (newlines or nothing work too).
            self.eat(&Tok::Comma);
        }
    }
}
