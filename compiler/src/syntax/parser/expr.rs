//! Expressions (LANGUAGE.md §5) and `match` patterns.
//!
//! Binary operators are parsed with an explicit operator stack (no recursion per term or per
//! precedence level), unary operators and postfix operators with loops; only brackets,
//! keywords and blocks recurse, and those count against the nesting limit.

use super::{starts_expr, unsupported, Parser, Result};
use crate::syntax::ast::{
    BinOp, Expr, ExprKind, FieldInit, FieldPattern, FunBody, FunExpr, MapEntry, MapKey, MatchArm,
    Param, Pattern, PatternKind, Pos, UnOp,
};
use crate::syntax::lexer::{Kw, Tok};
use vm::error::Error;

impl Parser {
    /// A full expression (every precedence level, set operators included).
    pub(crate) fn parse_expr(&mut self) -> Result<Expr> {
        self.enter(self.pos())?;
        let e = self.parse_binary();
        self.leave();
        e
    }

    /// A condition or head expression of `if`/`while`/`for`/`match`: no struct or map literal
    /// at its top level (the `{` that follows opens the body).
    pub(crate) fn parse_cond(&mut self) -> Result<Expr> {
        self.with_no_struct(true, |p| p.parse_expr())
    }

    /// The binary operator at the current token, with the number of tokens it spans.
    fn binop_here(&self) -> Option<(BinOp, usize)> {
        let op = match self.kind() {
            Tok::Star => BinOp::Mul,
            Tok::Slash => BinOp::Div,
            Tok::Percent => BinOp::Mod,
            Tok::Plus => BinOp::Add,
            Tok::Minus => BinOp::Sub,
            Tok::Lt => BinOp::Lt,
            Tok::Le => BinOp::Le,
            Tok::Gt => BinOp::Gt,
            Tok::Ge => BinOp::Ge,
            Tok::EqEq => BinOp::Eq,
            Tok::NotEq => BinOp::Ne,
            Tok::Kw(Kw::In) => BinOp::In,
            Tok::AndAnd => BinOp::And,
            Tok::OrOr => BinOp::Or,
            Tok::QuestionQuestion => BinOp::Coalesce,
            // Contextual words: operators only when an operand follows.
            Tok::Ident(w) if matches!(w.as_str(), "union" | "except" | "intersect") => {
                if w == "union" && self.kind_at(1) == &Tok::Kw(Kw::All) {
                    return starts_expr(self.kind_at(2)).then_some((BinOp::UnionAll, 2));
                }
                if !starts_expr(self.kind_at(1)) {
                    return None;
                }
                match w.as_str() {
                    "union" => BinOp::Union,
                    "except" => BinOp::Except,
                    _ => BinOp::Intersect,
                }
            }
            _ => return None,
        };
        Some((op, 1))
    }

    /// `unary (op unary)*`, rebalanced by precedence (all levels left-associative) with an
    /// explicit stack, so that long chains need no recursion.
    fn parse_binary(&mut self) -> Result<Expr> {
        let mut operands = vec![self.parse_unary()?];
        let mut ops: Vec<(BinOp, Pos)> = Vec::new();
        while let Some((op, width)) = self.binop_here() {
            let pos = self.pos();
            for _ in 0..width {
                self.advance();
            }
            while let Some(&(top, top_pos)) = ops.last() {
                if top.level() < op.level() {
                    break;
                }
                ops.pop();
                reduce(&mut operands, top, top_pos);
            }
            ops.push((op, pos));
            operands.push(self.parse_unary()?);
        }
        while let Some((op, pos)) = ops.pop() {
            reduce(&mut operands, op, pos);
        }
        // One operand is left: every reduction turned two into one.
        operands
            .pop()
            .ok_or_else(|| Error::parse(self.pos(), "internal error: empty operand stack"))
    }

    /// Prefix `-` and `!`, possibly repeated (a loop, not recursion), then a postfix
    /// expression: `-x as int` is `-(x as int)`.
    fn parse_unary(&mut self) -> Result<Expr> {
        let mut ops = Vec::new();
        loop {
            let op = match self.kind() {
                Tok::Minus => UnOp::Neg,
                Tok::Bang => UnOp::Not,
                _ => break,
            };
            ops.push((op, self.advance()));
        }
        let mut expr = self.parse_postfix()?;
        for (op, pos) in ops.into_iter().rev() {
            expr = Expr {
                kind: ExprKind::Unary {
                    op,
                    expr: Box::new(expr),
                },
                pos,
            };
        }
        Ok(expr)
    }

    /// A primary expression followed by any number of postfix operators: call `(..)` and
    /// index/slice `[..]` (only on the same line), `.field`, `?.field`, `?[..]`, `as T`.
    fn parse_postfix(&mut self) -> Result<Expr> {
        let mut expr = self.parse_primary()?;
        loop {
            match self.kind() {
                Tok::LParen if !self.nl_before() => {
                    let open = self.advance();
                    let args = self.parse_call_args(open)?;
                    // A call is positioned at its callee (`f` of `f(x)`, the `.` of
                    // `p.m(x)`): where a reader looks for "which call failed".
                    let pos = expr.pos;
                    expr = Expr {
                        kind: ExprKind::Call {
                            callee: Box::new(expr),
                            args,
                        },
                        pos,
                    };
                }
                Tok::LBracket if !self.nl_before() => {
                    let open = self.advance();
                    expr = self.parse_index(expr, open, false)?;
                }
                Tok::Dot if matches!(self.kind_at(1), Tok::Ident(_)) => {
                    let pos = self.advance();
                    let (name, _) = self.expect_ident("field name")?;
                    expr = Expr {
                        kind: ExprKind::Field {
                            target: Box::new(expr),
                            name,
                            optional: false,
                        },
                        pos,
                    };
                }
                Tok::Question
                    if self.kind_at(1) == &Tok::Dot && matches!(self.kind_at(2), Tok::Ident(_)) =>
                {
                    let pos = self.advance();
                    self.advance();
                    let (name, _) = self.expect_ident("field name")?;
                    expr = Expr {
                        kind: ExprKind::Field {
                            target: Box::new(expr),
                            name,
                            optional: true,
                        },
                        pos,
                    };
                }
                Tok::Question if self.kind_at(1) == &Tok::LBracket => {
                    let pos = self.advance();
                    self.advance();
                    expr = self.parse_index(expr, pos, true)?;
                }
                Tok::Ident(w)
                    if w == "as"
                        && matches!(
                            self.kind_at(1),
                            Tok::Ident(_) | Tok::LBrace | Tok::Kw(Kw::Fun)
                        ) =>
                {
                    let pos = self.advance();
                    let ty = self.parse_type()?;
                    expr = Expr {
                        kind: ExprKind::Cast {
                            expr: Box::new(expr),
                            ty,
                        },
                        pos,
                    };
                }
                _ => return Ok(expr),
            }
        }
    }

    /// Call arguments after the `(`, up to and including the `)` (trailing comma allowed).
    fn parse_call_args(&mut self, open: Pos) -> Result<Vec<Expr>> {
        self.with_no_struct(false, |p| p.parse_expr_list(&Tok::RParen, open))
    }

    /// Comma-separated expressions up to and including `close` (trailing comma allowed).
    fn parse_expr_list(&mut self, close: &Tok, open: Pos) -> Result<Vec<Expr>> {
        let mut items = Vec::new();
        loop {
            if self.eat(close) {
                return Ok(items);
            }
            items.push(self.parse_expr()?);
            if !self.eat(&Tok::Comma) {
                self.expect_close(close, open)?;
                return Ok(items);
            }
        }
    }

    /// After `[` (or `?[`): `i]`, or a slice `[i:j]` / `[i:j:k]` with optional bounds.
    fn parse_index(&mut self, target: Expr, pos: Pos, optional: bool) -> Result<Expr> {
        self.with_no_struct(false, |p| {
            let first = if p.at(&Tok::Colon) {
                None
            } else {
                Some(p.parse_expr()?)
            };
            if !p.eat(&Tok::Colon) {
                p.expect_close(&Tok::RBracket, pos)?;
                let Some(index) = first else {
                    return Err(p.expected("index expression"));
                };
                return Ok(Expr {
                    kind: ExprKind::Index {
                        target: Box::new(target),
                        index: Box::new(index),
                        optional,
                    },
                    pos,
                });
            }
            if optional {
                return Err(Error::parse(pos, "a slice cannot be optional ('?[')"));
            }
            let bound = |p: &mut Parser| -> Result<Option<Box<Expr>>> {
                if p.at(&Tok::Colon) || p.at(&Tok::RBracket) {
                    Ok(None)
                } else {
                    Ok(Some(Box::new(p.parse_expr()?)))
                }
            };
            let end = bound(p)?;
            let step = if p.eat(&Tok::Colon) { bound(p)? } else { None };
            p.expect_close(&Tok::RBracket, pos)?;
            Ok(Expr {
                kind: ExprKind::Slice {
                    target: Box::new(target),
                    start: first.map(Box::new),
                    end,
                    step,
                },
                pos,
            })
        })
    }

    /// At `Name {`: does a struct literal follow (`Name {}` or `Name { field: ...`)?
    fn struct_literal_follows(&self) -> bool {
        !self.no_struct
            && self.kind_at(1) == &Tok::LBrace
            && (self.kind_at(2) == &Tok::RBrace
                || (matches!(self.kind_at(2), Tok::Ident(_)) && self.kind_at(3) == &Tok::Colon))
    }

    fn parse_primary(&mut self) -> Result<Expr> {
        let pos = self.pos();
        let kind = match self.kind() {
            Tok::Int(v) => ExprKind::Int(*v),
            Tok::Float(v) => ExprKind::Float(*v),
            Tok::Bool(b) => ExprKind::Bool(*b),
            Tok::Str(s) => ExprKind::Str(s.clone()),
            Tok::Kw(Kw::None) => ExprKind::Nil,
            Tok::Ident(name) => match name.as_str() {
                "nil" => ExprKind::Nil,
                "from"
                    if matches!(self.kind_at(1), Tok::Ident(_))
                        && self.kind_at(2) == &Tok::Kw(Kw::In) =>
                {
                    return self.parse_query();
                }
                "query"
                    if matches!(self.kind_at(1), Tok::Ident(_))
                        && self.kind_at(2) == &Tok::LParen =>
                {
                    return Err(unsupported(pos, "logic queries"));
                }
                _ if self.struct_literal_follows() => return self.parse_struct_literal(),
                _ => ExprKind::Ident(name.clone()),
            },
            Tok::LParen => return self.parse_paren(),
            Tok::LBracket => {
                let open = self.advance();
                self.enter_typed(open)?;
                let items =
                    self.with_no_struct(false, |p| p.parse_expr_list(&Tok::RBracket, open))?;
                self.leave_typed();
                return Ok(Expr {
                    kind: ExprKind::List(items),
                    pos,
                });
            }
            Tok::LBrace if !self.no_struct => {
                self.enter_typed(pos)?;
                let e = self.parse_map();
                self.leave_typed();
                return e;
            }
            Tok::Kw(Kw::Fun) if self.kind_at(1) == &Tok::LParen => {
                self.enter_typed(pos)?;
                let e = self.parse_fun_expr();
                self.leave_typed();
                return e;
            }
            Tok::Kw(Kw::If) => return self.parse_if_expr(),
            Tok::Kw(Kw::Match) => return self.parse_match(),
            Tok::Kw(Kw::Load) => return self.parse_load(),
            Tok::Kw(Kw::Save) => return self.parse_save(),
            Tok::Kw(Kw::Fetch) => return Err(unsupported(pos, "`fetch` expressions")),
            Tok::Kw(Kw::Generate) => return Err(unsupported(pos, "`generate` expressions")),
            _ => return Err(self.expected("expression")),
        };
        self.advance();
        Ok(Expr { kind, pos })
    }

    /// `( expr )`: no AST node of its own.
    fn parse_paren(&mut self) -> Result<Expr> {
        let open = self.advance();
        let inner = self.with_no_struct(false, |p| p.parse_expr())?;
        self.expect_close(&Tok::RParen, open)?;
        Ok(inner)
    }

    /// `Name { f: v, ... }`
    fn parse_struct_literal(&mut self) -> Result<Expr> {
        let (name, pos) = self.expect_ident("type name")?;
        let open = self.expect(&Tok::LBrace)?;
        let fields = self.parse_field_inits(open)?;
        Ok(Expr {
            kind: ExprKind::Struct { name, fields },
            pos,
        })
    }

    /// `f: v` pairs separated by commas (trailing comma allowed) after `{`, up to and including
    /// the `}`. A quoted name (`"f": v`) is accepted too.
    pub(crate) fn parse_field_inits(&mut self, open: Pos) -> Result<Vec<FieldInit>> {
        let fields = self.with_no_struct(false, |p| {
            let mut fields = Vec::new();
            loop {
                if p.eat(&Tok::RBrace) {
                    return Ok(fields);
                }
                let pos = p.pos();
                let name = match p.kind() {
                    Tok::Ident(n) | Tok::Str(n) => n.clone(),
                    _ => return Err(p.expected("field name")),
                };
                p.advance();
                p.expect(&Tok::Colon)?;
                let value = p.parse_expr()?;
                fields.push(FieldInit { name, value, pos });
                if !p.eat(&Tok::Comma) && !p.at(&Tok::RBrace) && !p.nl_before() {
                    return Err(p.expected("',' or '}'"));
                }
                if p.at(&Tok::Eof) {
                    p.expect_close(&Tok::RBrace, open)?;
                }
            }
        })?;
        Ok(fields)
    }

    /// `{k: v, ...}`; a bare identifier key is the string of its name. `{:}` is the empty map
    /// (used by the benchmark corpus), like `{}`.
    fn parse_map(&mut self) -> Result<Expr> {
        let open = self.advance();
        if self.at(&Tok::Colon) && self.kind_at(1) == &Tok::RBrace {
            self.advance();
            self.advance();
            return Ok(Expr {
                kind: ExprKind::Map(Vec::new()),
                pos: open,
            });
        }
        let entries = self.with_no_struct(false, |p| {
            let mut entries = Vec::new();
            loop {
                if p.eat(&Tok::RBrace) {
                    return Ok(entries);
                }
                let pos = p.pos();
                let key = match p.kind() {
                    Tok::Ident(name) if p.kind_at(1) == &Tok::Colon => {
                        let name = name.clone();
                        p.advance();
                        MapKey::Name(name)
                    }
                    _ => MapKey::Expr(p.parse_expr()?),
                };
                p.expect(&Tok::Colon)?;
                let value = p.parse_expr()?;
                entries.push(MapEntry { key, value, pos });
                if !p.eat(&Tok::Comma) && !p.at(&Tok::RBrace) && !p.nl_before() {
                    return Err(p.expected("',' or '}'"));
                }
                if p.at(&Tok::Eof) {
                    p.expect_close(&Tok::RBrace, open)?;
                }
            }
        })?;
        Ok(Expr {
            kind: ExprKind::Map(entries),
            pos: open,
        })
    }

    /// `(p: T, ...)` parameter list after the `(`, up to and including the `)`.
    pub(crate) fn parse_params(&mut self, open: Pos) -> Result<Vec<Param>> {
        let mut params = Vec::new();
        loop {
            if self.eat(&Tok::RParen) {
                return Ok(params);
            }
            let (name, pos) = self.expect_ident("parameter name")?;
            let ty = if self.eat(&Tok::Colon) {
                Some(self.parse_type()?)
            } else {
                None
            };
            params.push(Param { name, ty, pos });
            if !self.eat(&Tok::Comma) {
                self.expect_close(&Tok::RParen, open)?;
                return Ok(params);
            }
        }
    }

    /// `fun(params)[: R] => expr` or `fun(params)[: R] { stmts }`
    fn parse_fun_expr(&mut self) -> Result<Expr> {
        let pos = self.advance();
        let open = self.expect(&Tok::LParen)?;
        let params = self.parse_params(open)?;
        let ret = if self.eat(&Tok::Colon) {
            Some(self.parse_type()?)
        } else {
            None
        };
        let body = if self.eat(&Tok::FatArrow) {
            FunBody::Expr(self.with_no_struct(false, |p| p.parse_expr())?)
        } else if self.at(&Tok::LBrace) {
            FunBody::Block(self.parse_block()?)
        } else {
            return Err(self.expected("'=>' or '{' (function body)"));
        };
        Ok(Expr {
            kind: ExprKind::Fun(Box::new(FunExpr {
                params,
                ret,
                body,
                pos,
            })),
            pos,
        })
    }

    /// `if c then a else b` / `if c { a } else { b }` as an expression (`else if` chains nest
    /// in `els`).
    pub(crate) fn parse_if_expr(&mut self) -> Result<Expr> {
        let pos = self.advance();
        self.enter(pos)?;
        let cond = self.parse_cond()?;
        self.parse_if_expr_rest(pos, cond)
    }

    /// The rest of an `if` expression after its condition (also used by the statement parser
    /// when it finds `then` after `if c`).
    pub(crate) fn parse_if_expr_rest(&mut self, pos: Pos, cond: Expr) -> Result<Expr> {
        let then = self.parse_if_branch()?;
        let els = if self.at(&Tok::Kw(Kw::Else)) {
            self.advance();
            if self.at(&Tok::Kw(Kw::If)) {
                Some(Box::new(self.parse_if_expr()?))
            } else {
                Some(Box::new(self.parse_if_branch()?))
            }
        } else {
            None
        };
        self.leave();
        Ok(Expr {
            kind: ExprKind::If {
                cond: Box::new(cond),
                then: Box::new(then),
                els,
            },
            pos,
        })
    }

    /// `then e`, `{ e }`, or (after `else`) a plain expression.
    fn parse_if_branch(&mut self) -> Result<Expr> {
        if self.eat(&Tok::Kw(Kw::Then)) {
            return self.parse_expr();
        }
        if self.at(&Tok::LBrace) {
            let open = self.advance();
            let e = self.with_no_struct(false, |p| p.parse_expr())?;
            self.expect_close(&Tok::RBrace, open)?;
            return Ok(e);
        }
        if self.toks[self.i.saturating_sub(1)].kind == Tok::Kw(Kw::Else) {
            return self.parse_expr();
        }
        Err(self.expected("'then' or '{'"))
    }

    /// `match e { pattern => expr ... }` (arms separated by newlines or commas).
    fn parse_match(&mut self) -> Result<Expr> {
        let pos = self.advance();
        let scrutinee = self.parse_cond()?;
        let open = self.expect(&Tok::LBrace)?;
        let arms = self.with_no_struct(false, |p| {
            let mut arms = Vec::new();
            loop {
                if p.eat(&Tok::RBrace) {
                    return Ok(arms);
                }
                if p.at(&Tok::Eof) {
                    p.expect_close(&Tok::RBrace, open)?;
                }
                let pattern = p.parse_pattern()?;
                p.expect(&Tok::FatArrow)?;
                let body = p.parse_expr()?;
                arms.push(MatchArm {
                    pos: pattern.pos,
                    pattern,
                    body,
                });
                p.eat(&Tok::Comma);
            }
        })?;
        Ok(Expr {
            kind: ExprKind::Match {
                scrutinee: Box::new(scrutinee),
                arms,
            },
            pos,
        })
    }

    /// A `match` pattern: `_`, a literal (optionally negated number), `nil`, a name,
    /// `Name(p, ...)` or `Name { f: p, ... }`.
    fn parse_pattern(&mut self) -> Result<Pattern> {
        let pos = self.pos();
        self.enter(pos)?;
        let kind = match self.kind().clone() {
            Tok::Int(v) => {
                self.advance();
                PatternKind::Int(v)
            }
            Tok::Float(v) => {
                self.advance();
                PatternKind::Float(v)
            }
            Tok::Minus => {
                self.advance();
                match *self.kind() {
                    Tok::Int(v) => {
                        self.advance();
                        PatternKind::Int(-v)
                    }
                    Tok::Float(v) => {
                        self.advance();
                        PatternKind::Float(-v)
                    }
                    _ => return Err(self.expected("number after '-' in a pattern")),
                }
            }
            Tok::Str(s) => {
                self.advance();
                PatternKind::Str(s)
            }
            Tok::Bool(b) => {
                self.advance();
                PatternKind::Bool(b)
            }
            Tok::Kw(Kw::None) => {
                self.advance();
                PatternKind::Nil
            }
            Tok::Ident(name) => {
                self.advance();
                match name.as_str() {
                    "_" => PatternKind::Wildcard,
                    "nil" => PatternKind::Nil,
                    _ if self.at(&Tok::LParen) => {
                        let open = self.advance();
                        let mut args = Vec::new();
                        loop {
                            if self.eat(&Tok::RParen) {
                                break;
                            }
                            args.push(self.parse_pattern()?);
                            if !self.eat(&Tok::Comma) {
                                self.expect_close(&Tok::RParen, open)?;
                                break;
                            }
                        }
                        PatternKind::Variant { name, args }
                    }
                    _ if self.at(&Tok::LBrace) => {
                        let open = self.advance();
                        let mut fields = Vec::new();
                        loop {
                            if self.eat(&Tok::RBrace) {
                                break;
                            }
                            let (fname, fpos) = self.expect_ident("field name")?;
                            self.expect(&Tok::Colon)?;
                            let pattern = self.parse_pattern()?;
                            fields.push(FieldPattern {
                                name: fname,
                                pattern,
                                pos: fpos,
                            });
                            if !self.eat(&Tok::Comma) {
                                self.expect_close(&Tok::RBrace, open)?;
                                break;
                            }
                        }
                        PatternKind::Struct { name, fields }
                    }
                    _ => PatternKind::Name(name),
                }
            }
            _ => return Err(self.expected("pattern")),
        };
        self.leave();
        Ok(Pattern { kind, pos })
    }

    /// `load ["path"] as T [with opts]`
    fn parse_load(&mut self) -> Result<Expr> {
        let pos = self.advance();
        let path = match self.kind() {
            Tok::Str(s) => {
                let s = s.clone();
                self.advance();
                Some(s)
            }
            _ => None,
        };
        self.expect_word("as")?;
        let ty = self.parse_type()?;
        let with = self.parse_with()?;
        Ok(Expr {
            kind: ExprKind::Load { path, ty, with },
            pos,
        })
    }

    /// `save e [to "path"] [with opts]`
    fn parse_save(&mut self) -> Result<Expr> {
        let pos = self.advance();
        let expr = self.parse_expr()?;
        let path = if self.eat_word("to") {
            Some(self.expect_str("path string after 'to'")?.0)
        } else {
            None
        };
        let with = self.parse_with()?;
        Ok(Expr {
            kind: ExprKind::Save {
                expr: Box::new(expr),
                path,
                with,
            },
            pos,
        })
    }

    /// `[with e]` (options of `load`/`save`).
    fn parse_with(&mut self) -> Result<Option<Box<Expr>>> {
        if self.at_word("with") && starts_expr(self.kind_at(1)) {
            self.advance();
            let e = self.with_no_struct(false, |p| p.parse_expr())?;
            Ok(Some(Box::new(e)))
        } else {
            Ok(None)
        }
    }
}

/// Pop two operands, push `lhs op rhs` (positioned at the operator).
fn reduce(operands: &mut Vec<Expr>, op: BinOp, pos: Pos) {
    // The operator stack never holds more operators than there are operands minus one.
    let (Some(rhs), Some(lhs)) = (operands.pop(), operands.pop()) else {
        return;
    };
    operands.push(Expr {
        kind: ExprKind::Binary {
            op,
            lhs: Box::new(lhs),
            rhs: Box::new(rhs),
        },
        pos,
    });
}
