//! Query expressions:
//! `from x in xs [from y in ys]* [[left|right|outer] join [from] z in zs on c]* [where c]
//!  [group by k, ... into g [having c]] [sort|order by e] [skip n] [take n] select [distinct] e`.
//!
//! The clause words are contextual: they are plain identifiers everywhere else. A clause's
//! expression ends where the next clause word stands, because an identifier cannot continue
//! an expression.

use super::{Parser, Result};
use crate::syntax::ast::{Expr, ExprKind, FromClause, GroupBy, JoinClause, JoinKind, Query};
use crate::syntax::lexer::{Kw, Tok};

impl Parser {
    /// At `from x in`.
    pub(crate) fn parse_query(&mut self) -> Result<Expr> {
        let pos = self.advance();
        let q = self.with_no_struct(false, |p| p.parse_query_body())?;
        Ok(Expr {
            kind: ExprKind::Query(Box::new(q)),
            pos,
        })
    }

    fn parse_query_body(&mut self) -> Result<Query> {
        let (var, var_pos) = self.expect_ident("query variable after 'from'")?;
        self.expect(&Tok::Kw(Kw::In))?;
        let source = self.parse_expr()?;
        let mut froms = Vec::new();
        let mut joins = Vec::new();
        loop {
            if self.at_word("from")
                && matches!(self.kind_at(1), Tok::Ident(_))
                && self.kind_at(2) == &Tok::Kw(Kw::In)
            {
                let pos = self.advance();
                if !joins.is_empty() {
                    return Err(vm::error::Error::parse(
                        pos,
                        "a 'from' clause must come before every 'join'",
                    ));
                }
                let (var, _) = self.expect_ident("query variable")?;
                self.expect(&Tok::Kw(Kw::In))?;
                let source = self.parse_expr()?;
                froms.push(FromClause { var, source, pos });
                continue;
            }
            let side = match self.kind() {
                Tok::Ident(w) if w == "join" => Some((JoinKind::Inner, 0)),
                Tok::Ident(w) if self.word_at(1, "join") => match w.as_str() {
                    "left" => Some((JoinKind::Left, 1)),
                    "right" => Some((JoinKind::Right, 1)),
                    "outer" => Some((JoinKind::Outer, 1)),
                    _ => None,
                },
                _ => None,
            };
            let Some((kind, skip)) = side else { break };
            let pos = self.pos();
            for _ in 0..=skip {
                self.advance();
            }
            // `join from c in cs` is accepted too.
            if self.at_word("from") && matches!(self.kind_at(1), Tok::Ident(_)) {
                self.advance();
            }
            let (var, _) = self.expect_ident("join variable")?;
            self.expect(&Tok::Kw(Kw::In))?;
            let source = self.parse_expr()?;
            self.expect(&Tok::Kw(Kw::On))?;
            let on = self.parse_expr()?;
            joins.push(JoinClause {
                kind,
                var,
                source,
                on,
                pos,
            });
        }
        let filter = if self.eat_word("where") {
            Some(self.parse_expr()?)
        } else {
            None
        };
        let group = if self.at_word("group") && self.word_at(1, "by") {
            let pos = self.advance();
            self.advance();
            let mut keys = vec![self.parse_expr()?];
            while self.eat(&Tok::Comma) {
                keys.push(self.parse_expr()?);
            }
            self.expect_word("into")?;
            let (name, _) = self.expect_ident("group name after 'into'")?;
            let having = if self.eat_word("having") {
                Some(self.parse_expr()?)
            } else {
                None
            };
            Some(GroupBy {
                keys,
                name,
                having,
                pos,
            })
        } else {
            None
        };
        let sort = if (self.at_word("sort") || self.at_word("order")) && self.word_at(1, "by") {
            self.advance();
            self.advance();
            Some(self.parse_expr()?)
        } else {
            None
        };
        let skip = if self.eat_word("skip") {
            Some(self.parse_expr()?)
        } else {
            None
        };
        let take = if self.eat_word("take") {
            Some(self.parse_expr()?)
        } else {
            None
        };
        if !self.at_word("select") {
            return Err(self.expected("'select' (or another query clause)"));
        }
        self.advance();
        let distinct = self.at_word("distinct") && super::starts_expr(self.kind_at(1)) && {
            self.advance();
            true
        };
        let select = self.parse_expr()?;
        Ok(Query {
            var,
            var_pos,
            source,
            froms,
            joins,
            filter,
            group,
            sort,
            skip,
            take,
            distinct,
            select,
        })
    }
}
