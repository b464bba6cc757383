//! Statements and declarations (LANGUAGE.md §3-4).

use super::{starts_expr, unsupported, Parser, Result};
use crate::syntax::ast::{
    Expr, ExprKind, ExternDecl, FunDecl, Place, PlaceStep, Pos, Stmt, StmtKind, TypeDecl,
    TypeDeclKind, Variant,
};
use crate::syntax::lexer::{Kw, Tok};
use vm::error::Error;

/// Statement keywords of constructs this runtime rejects, with their description.
fn unsupported_kw(kw: Kw) -> Option<&'static str> {
    Some(match kw {
        Kw::Agent => "agent declarations",
        Kw::Intent => "intent declarations",
        Kw::On => "`on` handlers",
        Kw::Stream => "stream declarations",
        Kw::Emit => "`emit` statements",
        Kw::Fact => "`fact` statements",
        Kw::Rule => "`rule` statements",
        _ => return None,
    })
}

/// Build the nested `If` statements of an `if / else if / ... / else` chain, innermost first:
/// each `else if` becomes an `If` alone in the previous arm's `els`.
fn fold_if_chain(mut arms: Vec<(Pos, Expr, Vec<Stmt>)>, mut els: Option<Vec<Stmt>>) -> Stmt {
    let mut stmt: Option<Stmt> = None;
    while let Some((pos, cond, then)) = arms.pop() {
        if let Some(inner) = stmt.take() {
            els = Some(vec![inner]);
        }
        stmt = Some(Stmt {
            kind: StmtKind::If {
                cond,
                then,
                els: els.take(),
            },
            pos,
        });
    }
    // `arms` always holds the first `if`.
    stmt.unwrap_or(Stmt {
        kind: StmtKind::Break,
        pos: Pos::default(),
    })
}

impl Parser {
    /// `{ stmt* }`
    pub(crate) fn parse_block(&mut self) -> Result<Vec<Stmt>> {
        let open = self.pos();
        if !self.at(&Tok::LBrace) {
            return Err(self.expected("'{'"));
        }
        self.advance();
        self.enter(open)?;
        let stmts = self.with_no_struct(false, |p| {
            let mut stmts = Vec::new();
            loop {
                match p.kind() {
                    Tok::RBrace => {
                        p.advance();
                        return Ok(stmts);
                    }
                    Tok::Eof => {
                        return Err(p.expected(&format!(
                            "'}}' to close the block opened at {}:{}",
                            open.line, open.col
                        )))
                    }
                    _ => stmts.push(p.parse_stmt()?),
                }
            }
        })?;
        self.leave();
        Ok(stmts)
    }

    /// One statement.
    pub(crate) fn parse_stmt(&mut self) -> Result<Stmt> {
        let pos = self.pos();
        let kind = match self.kind() {
            Tok::Kw(Kw::If) => return self.parse_if(),
            Tok::Kw(Kw::While) => {
                self.advance();
                let cond = self.parse_cond()?;
                let body = self.parse_block()?;
                StmtKind::While { cond, body }
            }
            Tok::Kw(Kw::For) => self.parse_for()?,
            Tok::Kw(Kw::Fun) if !matches!(self.kind_at(1), Tok::LParen | Tok::Lt) => {
                StmtKind::Fun(self.parse_fun_decl(false)?)
            }
            Tok::Kw(Kw::Export) => {
                self.advance();
                if !self.at(&Tok::Kw(Kw::Fun)) {
                    return Err(self.expected("'fun' after 'export'"));
                }
                let mut decl = self.parse_fun_decl(true)?;
                decl.pos = pos;
                StmtKind::Fun(decl)
            }
            Tok::Kw(Kw::Let) => self.parse_let(false)?,
            Tok::Kw(Kw::Var) => self.parse_let(true)?,
            Tok::Kw(Kw::Break) => {
                self.advance();
                StmtKind::Break
            }
            Tok::Kw(Kw::Continue) => {
                self.advance();
                StmtKind::Continue
            }
            Tok::Kw(Kw::Return) => {
                self.advance();
                let value = if !self.nl_before() && starts_expr(self.kind()) {
                    Some(self.parse_expr()?)
                } else {
                    None
                };
                StmtKind::Return(value)
            }
            Tok::Kw(Kw::Type) => StmtKind::Type(self.parse_type_decl()?),
            Tok::Kw(Kw::Test) => {
                self.advance();
                let (name, _) = self.expect_str("test name (a string)")?;
                let body = self.parse_block()?;
                StmtKind::Test { name, body }
            }
            Tok::Kw(Kw::Expect) => {
                self.advance();
                StmtKind::Expect(self.parse_expr()?)
            }
            Tok::Kw(Kw::Import) => self.parse_import()?,
            Tok::Kw(Kw::Extern) => self.parse_extern()?,
            Tok::Kw(Kw::Package) => {
                self.advance();
                StmtKind::Package(self.expect_ident("package name")?.0)
            }
            Tok::Kw(Kw::Fetch) => return Err(unsupported(pos, "`fetch` statements")),
            Tok::Kw(kw) if unsupported_kw(*kw).is_some() => {
                return Err(unsupported(pos, unsupported_kw(*kw).unwrap_or_default()));
            }
            Tok::Ident(w) if w == "bench" && matches!(self.kind_at(1), Tok::Str(_)) => {
                self.advance();
                let (name, _) = self.expect_str("bench name (a string)")?;
                let body = self.parse_block()?;
                StmtKind::Bench { name, body }
            }
            Tok::Ident(w)
                if w == "update"
                    && matches!(self.kind_at(1), Tok::Ident(_))
                    && self.word_at(2, "set") =>
            {
                self.parse_update()?
            }
            Tok::Ident(w)
                if w == "model"
                    && matches!(self.kind_at(1), Tok::Ident(_))
                    && self.kind_at(2) == &Tok::LBrace =>
            {
                return Err(unsupported(pos, "model declarations"));
            }
            tok if starts_expr(tok) => {
                let expr = self.parse_expr()?;
                if self.at(&Tok::Assign) {
                    let target = self.place(expr)?;
                    self.advance();
                    let value = self.parse_expr()?;
                    StmtKind::Assign { target, value }
                } else {
                    StmtKind::Expr(expr)
                }
            }
            _ => return Err(self.expected("statement")),
        };
        Ok(Stmt { kind, pos })
    }

    /// Turn the left side of `=` into a place: a name followed by `[index]` and `.field`
    /// steps.
    fn place(&self, mut expr: Expr) -> Result<Place> {
        let mut steps = Vec::new();
        loop {
            match expr.kind {
                ExprKind::Ident(name) => {
                    steps.reverse();
                    return Ok(Place {
                        name,
                        pos: expr.pos,
                        steps,
                    });
                }
                ExprKind::Index {
                    target,
                    index,
                    optional: false,
                } => {
                    steps.push(PlaceStep::Index(*index, expr.pos));
                    expr = *target;
                }
                ExprKind::Field {
                    target,
                    name,
                    optional: false,
                } => {
                    steps.push(PlaceStep::Field(name, expr.pos));
                    expr = *target;
                }
                _ => {
                    return Err(Error::parse(
                        self.pos(),
                        "invalid assignment target (expected a variable, an element `x[i]` or a field `x.f`)",
                    ))
                }
            }
        }
    }

    /// `let name[: T] [= e]` / `var ...`
    fn parse_let(&mut self, mutable: bool) -> Result<StmtKind> {
        let kw = if mutable { "var" } else { "let" };
        self.advance();
        let (name, _) = self.expect_ident(&format!("variable name after '{kw}'"))?;
        let ty = if self.eat(&Tok::Colon) {
            Some(self.parse_type()?)
        } else {
            None
        };
        let init = if self.eat(&Tok::Assign) {
            Some(self.parse_expr()?)
        } else {
            None
        };
        Ok(StmtKind::Let {
            name,
            mutable,
            ty,
            init,
        })
    }

    /// `if c { } else if c { } else { }`, the `else if` chain parsed iteratively. `if c then a
    /// else b` at the start of a statement is an expression statement.
    fn parse_if(&mut self) -> Result<Stmt> {
        let mut arms = Vec::new();
        let mut els = None;
        loop {
            let pos = self.advance();
            let cond = self.parse_cond()?;
            if arms.is_empty() && self.at(&Tok::Kw(Kw::Then)) {
                self.enter(pos)?;
                let expr = self.parse_if_expr_rest(pos, cond)?;
                return Ok(Stmt {
                    kind: StmtKind::Expr(expr),
                    pos,
                });
            }
            let then = self.parse_block()?;
            arms.push((pos, cond, then));
            if !self.eat(&Tok::Kw(Kw::Else)) {
                break;
            }
            if !self.at(&Tok::Kw(Kw::If)) {
                els = Some(self.parse_block()?);
                break;
            }
        }
        Ok(fold_if_chain(arms, els))
    }

    /// `for x in a..b { }` or `for x in e { }`
    fn parse_for(&mut self) -> Result<StmtKind> {
        self.advance();
        let (var, _) = self.expect_ident("loop variable after 'for'")?;
        self.expect(&Tok::Kw(Kw::In))?;
        let start = self.parse_cond()?;
        if self.eat(&Tok::DotDot) {
            let end = self.parse_cond()?;
            let body = self.parse_block()?;
            return Ok(StmtKind::ForRange {
                var,
                start,
                end,
                body,
            });
        }
        let body = self.parse_block()?;
        Ok(StmtKind::ForIn {
            var,
            iter: start,
            body,
        })
    }

    /// `fun name[<T, ...>](p: T, ...)[: R] { ... }` (at `fun`).
    pub(crate) fn parse_fun_decl(&mut self, exported: bool) -> Result<FunDecl> {
        let pos = self.advance();
        let (name, _) = self.expect_ident("function name")?;
        let mut type_params = Vec::new();
        if self.at(&Tok::Lt) {
            let open = self.advance();
            loop {
                type_params.push(self.expect_ident("type parameter name")?.0);
                if !self.eat(&Tok::Comma) {
                    break;
                }
            }
            self.expect_close(&Tok::Gt, open)?;
        }
        let open = self.expect(&Tok::LParen)?;
        let params = self.parse_params(open)?;
        let ret = if self.eat(&Tok::Colon) {
            Some(self.parse_type()?)
        } else {
            None
        };
        let body = self.parse_block()?;
        Ok(FunDecl {
            name,
            type_params,
            params,
            ret,
            body,
            exported,
            pos,
        })
    }

    /// `type Name { fields and methods }`, `type Name = { ... }`, `type Name = A | B(x: T) |
    /// C { y: T }`, `type Name = T`.
    fn parse_type_decl(&mut self) -> Result<TypeDecl> {
        let pos = self.advance();
        let (name, name_pos) = self.expect_ident("type name after 'type'")?;
        let kind = if self.at(&Tok::LBrace) {
            self.parse_struct_members()?
        } else {
            self.expect(&Tok::Assign)?;
            let leading_pipe = self.eat(&Tok::Pipe);
            match self.kind() {
                Tok::LBrace if !leading_pipe => self.parse_struct_members()?,
                Tok::Ident(_)
                    if leading_pipe
                        || matches!(self.kind_at(1), Tok::LParen | Tok::Pipe)
                        || (self.kind_at(1) == &Tok::LBrace
                            && (self.kind_at(2) == &Tok::RBrace
                                || (matches!(self.kind_at(2), Tok::Ident(_))
                                    && self.kind_at(3) == &Tok::Colon))) =>
                {
                    let mut variants = vec![self.parse_variant()?];
                    while self.eat(&Tok::Pipe) {
                        variants.push(self.parse_variant()?);
                    }
                    TypeDeclKind::Union(variants)
                }
                _ => TypeDeclKind::Alias(self.parse_type()?),
            }
        };
        Ok(TypeDecl {
            name,
            name_pos,
            kind,
            pos,
        })
    }

    /// `{ f: T, g: U  fun m() { } }` (fields separated by commas and/or newlines).
    fn parse_struct_members(&mut self) -> Result<TypeDeclKind> {
        let open = self.advance();
        self.enter(open)?;
        let mut fields = Vec::new();
        let mut methods = Vec::new();
        loop {
            match self.kind() {
                Tok::RBrace => {
                    self.advance();
                    break;
                }
                Tok::Kw(Kw::Fun) => methods.push(self.parse_fun_decl(false)?),
                Tok::Ident(_) => {
                    let (name, fpos) = self.expect_ident("field name")?;
                    self.expect(&Tok::Colon)?;
                    let ty = self.parse_type()?;
                    fields.push(crate::syntax::ast::FieldDecl {
                        name,
                        ty,
                        pos: fpos,
                    });
                    self.eat(&Tok::Comma);
                }
                Tok::Eof => {
                    return Err(self.expected(&format!(
                        "'}}' to close the type body opened at {}:{}",
                        open.line, open.col
                    )))
                }
                _ => return Err(self.expected("field, method or '}'")),
            }
        }
        self.leave();
        Ok(TypeDeclKind::Struct { fields, methods })
    }

    /// `A`, `B(x: int, y: int)` or `C { y: T }`
    fn parse_variant(&mut self) -> Result<Variant> {
        let (name, pos) = self.expect_ident("variant name")?;
        let fields = match self.kind() {
            Tok::LParen => {
                let open = self.advance();
                self.parse_field_decls(&Tok::RParen, open)?
            }
            Tok::LBrace => {
                let open = self.advance();
                self.parse_field_decls(&Tok::RBrace, open)?
            }
            _ => Vec::new(),
        };
        Ok(Variant { name, fields, pos })
    }

    /// `update target set { f: e, ... } [where cond]`
    fn parse_update(&mut self) -> Result<StmtKind> {
        self.advance();
        let (target, _) = self.expect_ident("list variable after 'update'")?;
        self.expect_word("set")?;
        let open = self.expect(&Tok::LBrace)?;
        let set = self.parse_field_inits(open)?;
        let filter = if self.eat_word("where") {
            Some(self.parse_expr()?)
        } else {
            None
        };
        Ok(StmtKind::Update {
            target,
            set,
            filter,
        })
    }

    /// `import [lang] "path" [as name] [auto]`
    fn parse_import(&mut self) -> Result<StmtKind> {
        self.advance();
        let lang = match self.kind() {
            Tok::Ident(l) => {
                let l = l.clone();
                self.advance();
                Some(l)
            }
            _ => None,
        };
        let (path, _) = self.expect_str("import path (a string)")?;
        let alias = if self.eat_word("as") {
            Some(self.expect_ident("import alias after 'as'")?.0)
        } else {
            None
        };
        let auto = !self.nl_before() && self.eat_word("auto");
        Ok(StmtKind::Import {
            lang,
            path,
            alias,
            auto,
        })
    }

    /// `extern fun a.b(params)[: R]`, `extern let|var a.b: T`, `extern type T`,
    /// `extern object O`
    fn parse_extern(&mut self) -> Result<StmtKind> {
        self.advance();
        let dotted = |p: &mut Parser| -> Result<Vec<String>> {
            let mut path = vec![p.expect_ident("name")?.0];
            while p.at(&Tok::Dot) {
                p.advance();
                path.push(p.expect_ident("name after '.'")?.0);
            }
            Ok(path)
        };
        let decl = match self.kind() {
            Tok::Kw(Kw::Fun) => {
                self.advance();
                let path = dotted(self)?;
                let open = self.expect(&Tok::LParen)?;
                let params = self.parse_params(open)?;
                let ret = if self.eat(&Tok::Colon) {
                    Some(self.parse_type()?)
                } else {
                    None
                };
                ExternDecl::Fun { path, params, ret }
            }
            Tok::Kw(kw @ (Kw::Let | Kw::Var)) => {
                let mutable = *kw == Kw::Var;
                self.advance();
                let path = dotted(self)?;
                self.expect(&Tok::Colon)?;
                let ty = self.parse_type()?;
                ExternDecl::Var { path, mutable, ty }
            }
            Tok::Kw(Kw::Type) => {
                self.advance();
                ExternDecl::Type(self.expect_ident("type name")?.0)
            }
            Tok::Ident(w) if w == "object" => {
                self.advance();
                ExternDecl::Object(self.expect_ident("object name")?.0)
            }
            _ => {
                return Err(self.expected("'fun', 'let', 'var', 'type' or 'object' after 'extern'"))
            }
        };
        Ok(StmtKind::Extern(decl))
    }
}
