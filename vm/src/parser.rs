//! Recursive-descent parser for the slice of Mochi this runtime executes (LANGUAGE.md §3-5).
//!
//! Everything of the language outside that slice is recognised just far enough to report
//! `Error::unsupported` at the construct's position; genuine syntax errors give
//! `Error::parse` at the offending token ("expected X, found Y"). The first error in source
//! order is returned.
//!
//! The grammar is free-form: statements need no separator and newlines are insignificant
//! (`a\n- 1` is `a - 1`), with one exception: a `return` has a value only when the next token
//! can start an expression *and is on the same line as the `return`* (see `parse_return`).
//!
//! Nesting is capped so that neither this parser nor the later (recursive) passes can overflow
//! the stack: `MAX_DEPTH` bounds the recursion of blocks, parenthesised expressions, call
//! arguments and types; `MAX_HEIGHT` bounds the height of the AST, which also grows with long
//! operator chains (`a + b + ...` is left-nested), repeated unary operators and `else if`
//! chains.

use crate::ast::{
    BinOp, Expr, ExprKind, FunDecl, Param, Pos, Program, Stmt, StmtKind, TypeExpr, UnOp,
};
use crate::error::Error;
use crate::lexer::{self, Kw, Tok, Token};

type Result<T> = std::result::Result<T, Error>;

/// Maximum recursion depth (blocks, parenthesised expressions, call arguments, types).
const MAX_DEPTH: u32 = 200;
/// Maximum AST height (recursion plus operator chains, unary operators and `else if`s).
/// Kept well below what the recursive checker/compiler can take on an 8 MiB main-thread stack
/// in an unoptimised build (a nested `if` costs them several KiB of stack per level).
const MAX_HEIGHT: u32 = 500;

/// Parse a whole source file.
pub fn parse(src: &str) -> Result<Program> {
    let (tokens, lex_err) = lexer::lex_partial(src);
    let result = Parser::new(tokens).parse_program();
    match (result, lex_err) {
        (Ok(program), None) => Ok(program),
        // The parser stopped before reaching the lexical error: its error comes first.
        (Err(err), Some(lex_err)) if before(err.pos, lex_err.pos) => Err(err),
        // It reached the truncated end of the token stream (or got through it).
        (_, Some(lex_err)) => Err(lex_err),
        (Err(err), None) => Err(err),
    }
}

fn before(a: Pos, b: Pos) -> bool {
    (a.line, a.col) < (b.line, b.col)
}

/// Binary operators of the slice with their precedence level (higher binds tighter).
fn binop(tok: &Tok) -> Option<(BinOp, u8)> {
    Some(match tok {
        Tok::Star => (BinOp::Mul, 6),
        Tok::Slash => (BinOp::Div, 6),
        Tok::Percent => (BinOp::Mod, 6),
        Tok::Plus => (BinOp::Add, 5),
        Tok::Minus => (BinOp::Sub, 5),
        Tok::Lt => (BinOp::Lt, 4),
        Tok::Le => (BinOp::Le, 4),
        Tok::Gt => (BinOp::Gt, 4),
        Tok::Ge => (BinOp::Ge, 4),
        Tok::EqEq => (BinOp::Eq, 3),
        Tok::NotEq => (BinOp::Ne, 3),
        Tok::AndAnd => (BinOp::And, 2),
        Tok::OrOr => (BinOp::Or, 1),
        _ => return None,
    })
}

/// Can this token begin an expression (including the unsupported kinds of expression, so that
/// they get reported as such)?
fn starts_expr(tok: &Tok) -> bool {
    matches!(
        tok,
        Tok::Int(_)
            | Tok::Float(_)
            | Tok::Str(_)
            | Tok::Bool(_)
            | Tok::Ident(_)
            | Tok::LParen
            | Tok::LBracket
            | Tok::LBrace
            | Tok::Minus
            | Tok::Bang
            | Tok::Kw(
                Kw::Fun
                    | Kw::If
                    | Kw::Match
                    | Kw::Fetch
                    | Kw::Load
                    | Kw::Save
                    | Kw::Generate
                    | Kw::None
            )
    )
}

/// Statement keywords that introduce constructs outside the slice, with their description.
fn unsupported_stmt_kw(kw: Kw) -> Option<&'static str> {
    Some(match kw {
        Kw::Test => "test blocks",
        Kw::Expect => "expect statements",
        Kw::Agent => "agent declarations",
        Kw::Intent => "intent declarations",
        Kw::On => "on handlers",
        Kw::Stream => "stream declarations",
        Kw::Emit => "emit statements",
        Kw::Type => "type declarations",
        Kw::Extern => "extern declarations",
        Kw::Import => "import",
        Kw::Package => "package declarations",
        Kw::Export => "export",
        Kw::Fact => "fact statements",
        Kw::Rule => "rule statements",
        _ => return None,
    })
}

/// Build the nested `If` statements of an `if / else if / ... / else` chain, innermost first:
/// each `else if` becomes an `If` alone in the previous arm's `els`. `None` if `arms` is empty.
fn fold_if_chain(
    mut arms: Vec<(Pos, Expr, Vec<Stmt>)>,
    mut els: Option<Vec<Stmt>>,
) -> Option<Stmt> {
    let mut stmt = None;
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
    stmt
}

struct Parser {
    /// Never empty: the lexer always ends the list with `Tok::Eof`.
    toks: Vec<Token>,
    /// Index of the current token; never moves past the final `Eof`.
    i: usize,
    /// Current recursion depth (see `MAX_DEPTH`).
    depth: u32,
    /// Current AST height (see `MAX_HEIGHT`).
    height: u32,
    /// Set while parsing the head of `if`/`while`/`for`, where `name {` starts the body and
    /// is not a struct literal, and `{` cannot start an expression.
    no_struct: bool,
}

impl Parser {
    fn new(mut toks: Vec<Token>) -> Self {
        if toks.last().map(|t| &t.kind) != Some(&Tok::Eof) {
            let pos = toks
                .last()
                .map(|t| t.pos)
                .unwrap_or(Pos { line: 1, col: 1 });
            toks.push(Token {
                kind: Tok::Eof,
                pos,
            });
        }
        Parser {
            toks,
            i: 0,
            depth: 0,
            height: 0,
            no_struct: false,
        }
    }

    // ----- token helpers -----

    fn peek(&self) -> &Token {
        &self.toks[self.i]
    }

    fn kind(&self) -> &Tok {
        &self.toks[self.i].kind
    }

    /// The kind of the token `k` places ahead (the final `Eof` past the end).
    fn kind_at(&self, k: usize) -> &Tok {
        let last = self.toks.len() - 1;
        &self.toks[(self.i + k).min(last)].kind
    }

    fn pos(&self) -> Pos {
        self.toks[self.i].pos
    }

    /// Consume the current token and return its position.
    fn advance(&mut self) -> Pos {
        let pos = self.pos();
        if self.i + 1 < self.toks.len() {
            self.i += 1;
        }
        pos
    }

    fn at(&self, tok: &Tok) -> bool {
        self.kind() == tok
    }

    fn eat(&mut self, tok: &Tok) -> bool {
        if self.at(tok) {
            self.advance();
            true
        } else {
            false
        }
    }

    /// Error "expected {what}, found {current token}" at the current token.
    fn expected(&self, what: &str) -> Error {
        Error::parse(
            self.pos(),
            format!("expected {what}, found {}", self.kind()),
        )
    }

    fn expect(&mut self, tok: &Tok) -> Result<Pos> {
        if self.at(tok) {
            Ok(self.advance())
        } else {
            let spelled = format!("'{}'", tok.punct_str().unwrap_or("?"));
            Err(self.expected(&spelled))
        }
    }

    fn expect_ident(&mut self, what: &str) -> Result<(String, Pos)> {
        match self.kind() {
            Tok::Ident(name) => {
                let name = name.clone();
                Ok((name, self.advance()))
            }
            _ => Err(self.expected(what)),
        }
    }

    // ----- nesting limits -----

    /// Enter one level of recursion. Levels are not released on error: the parser stops at
    /// the first error anyway.
    fn enter(&mut self, pos: Pos) -> Result<()> {
        self.depth += 1;
        self.grow(pos)
    }

    fn leave(&mut self) {
        self.depth -= 1;
        self.height -= 1;
    }

    /// Add one level to the AST height (the caller subtracts it again when done).
    fn grow(&mut self, pos: Pos) -> Result<()> {
        self.height += 1;
        if self.depth > MAX_DEPTH || self.height > MAX_HEIGHT {
            return Err(Error::parse(pos, "nesting too deep"));
        }
        Ok(())
    }

    // ----- statements -----

    fn parse_program(&mut self) -> Result<Program> {
        let mut stmts = Vec::new();
        loop {
            match self.kind() {
                Tok::Eof => return Ok(Program { stmts }),
                Tok::RBrace => {
                    return Err(Error::parse(self.pos(), "unexpected '}' (no matching '{')"));
                }
                _ => stmts.push(self.parse_stmt()?),
            }
        }
    }

    /// `{ stmt* }`
    fn parse_block(&mut self) -> Result<Vec<Stmt>> {
        let open = self.pos();
        if !self.at(&Tok::LBrace) {
            return Err(self.expected("'{'"));
        }
        self.advance();
        self.enter(open)?;
        let mut stmts = Vec::new();
        loop {
            match self.kind() {
                Tok::RBrace => {
                    self.advance();
                    break;
                }
                Tok::Eof => return Err(self.unclosed_block(open)),
                _ => stmts.push(self.parse_stmt()?),
            }
        }
        self.leave();
        Ok(stmts)
    }

    fn unclosed_block(&self, open: Pos) -> Error {
        self.expected(&format!(
            "'}}' to close the block opened at {}:{}",
            open.line, open.col
        ))
    }

    /// One statement. Kept a pure dispatcher so that its stack frame stays small: blocks
    /// nest through `parse_stmt` -> `parse_if`/`parse_while`/... -> `parse_block`.
    fn parse_stmt(&mut self) -> Result<Stmt> {
        match self.kind() {
            Tok::Kw(Kw::If) => self.parse_if(),
            Tok::Kw(Kw::While) => self.parse_while(),
            Tok::Kw(Kw::For) => self.parse_for(),
            // `fun name(...)` declares; `fun(...)` is an anonymous function (an expression).
            Tok::Kw(Kw::Fun) if matches!(self.kind_at(1), Tok::Ident(_)) => self.parse_fun_stmt(),
            _ => self.parse_simple_stmt(),
        }
    }

    /// A statement without a nested block.
    fn parse_simple_stmt(&mut self) -> Result<Stmt> {
        let pos = self.pos();
        let kind = match self.kind() {
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
            Tok::Kw(Kw::Return) => self.parse_return()?,
            Tok::Kw(kw) if unsupported_stmt_kw(*kw).is_some() => {
                let what = unsupported_stmt_kw(*kw).unwrap_or_default();
                return Err(Error::unsupported(pos, what));
            }
            // Contextual words that start statements: `update xs set {...}`, `bench "n" {...}`,
            // `model name {...}`.
            Tok::Ident(word)
                if matches!(word.as_str(), "update" | "bench" | "model")
                    && matches!(self.kind_at(1), Tok::Ident(_) | Tok::Str(_)) =>
            {
                let what = match word.as_str() {
                    "update" => "update statements",
                    "bench" => "bench blocks",
                    _ => "model declarations",
                };
                return Err(Error::unsupported(pos, what));
            }
            Tok::Ident(name) if self.kind_at(1) == &Tok::Assign => {
                let name = name.clone();
                self.advance();
                self.advance();
                let value = self.parse_expr()?;
                StmtKind::Assign { name, value }
            }
            Tok::Ident(_) if matches!(self.kind_at(1), Tok::LBracket | Tok::Dot) => {
                if let Some(what) = self.target_assignment() {
                    return Err(Error::unsupported(pos, what));
                }
                self.parse_expr_stmt()?
            }
            tok if starts_expr(tok) => self.parse_expr_stmt()?,
            _ => return Err(self.expected("statement")),
        };
        Ok(Stmt { kind, pos })
    }

    fn parse_expr_stmt(&mut self) -> Result<StmtKind> {
        let expr = self.parse_expr()?;
        if self.at(&Tok::Assign) {
            return Err(Error::parse(
                self.pos(),
                "invalid assignment target (only a variable name can be assigned)",
            ));
        }
        Ok(StmtKind::Expr(expr))
    }

    /// At `name[` or `name.`: is this an index or field assignment (`xs[i][j] = e`,
    /// `s.f = e`, `xs[i].f = e`)? Scans ahead over balanced brackets and `.field` selectors
    /// without consuming anything and returns the construct's description if so.
    fn target_assignment(&self) -> Option<&'static str> {
        let what = match self.kind_at(1) {
            Tok::LBracket => "index assignment",
            _ => "field assignment",
        };
        let mut k = 1;
        loop {
            match self.kind_at(k) {
                Tok::Dot if matches!(self.kind_at(k + 1), Tok::Ident(_)) => k += 2,
                Tok::LBracket => {
                    let mut open = 0usize;
                    loop {
                        match self.kind_at(k) {
                            Tok::LBracket => open += 1,
                            Tok::RBracket => open -= 1,
                            Tok::Eof => return None,
                            _ => {}
                        }
                        k += 1;
                        if open == 0 {
                            break;
                        }
                    }
                }
                Tok::Assign => return Some(what),
                _ => return None,
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

    /// `if c { } else if c { } else { }`. The `else if` chain is parsed iteratively and then
    /// folded into nested `If` statements (each `else if` is an `If` alone in `els`).
    fn parse_if(&mut self) -> Result<Stmt> {
        let mut arms: Vec<(Pos, Expr, Vec<Stmt>)> = Vec::new();
        let mut els = None;
        loop {
            let pos = self.advance(); // `if`
            self.grow(pos)?;
            let cond = self.parse_cond()?;
            if self.at(&Tok::Kw(Kw::Then)) {
                return Err(Error::unsupported(pos, "if-then-else expressions"));
            }
            let then = self.parse_block()?;
            arms.push((pos, cond, then));
            if !self.eat(&Tok::Kw(Kw::Else)) {
                break;
            }
            match self.kind() {
                Tok::Kw(Kw::If) => continue,
                Tok::LBrace => {
                    els = Some(self.parse_block()?);
                    break;
                }
                _ => return Err(self.expected("'{' or 'if' after 'else'")),
            }
        }
        self.height -= arms.len() as u32;
        // `arms` holds at least the first `if`.
        fold_if_chain(arms, els).ok_or_else(|| self.expected("'if'"))
    }

    /// `while c { }`
    fn parse_while(&mut self) -> Result<Stmt> {
        let pos = self.advance();
        let cond = self.parse_cond()?;
        let body = self.parse_block()?;
        Ok(Stmt {
            kind: StmtKind::While { cond, body },
            pos,
        })
    }

    /// `for i in a..b { }`; any other iterable is reported as unsupported.
    fn parse_for(&mut self) -> Result<Stmt> {
        let pos = self.advance();
        let (var, _) = self.expect_ident("loop variable name after 'for'")?;
        if !self.eat(&Tok::Kw(Kw::In)) {
            return Err(self.expected("'in'"));
        }
        let start = self.parse_cond()?;
        if !self.eat(&Tok::DotDot) {
            return Err(Error::unsupported(pos, "for-in over collections"));
        }
        let end = self.parse_cond()?;
        let body = self.parse_block()?;
        Ok(Stmt {
            kind: StmtKind::ForRange {
                var,
                start,
                end,
                body,
            },
            pos,
        })
    }

    /// `return [e]`: the value is present when the next token can start an expression and
    /// is on the same line as `return` (`return` at the end of a line, or before `}`, returns
    /// nothing).
    fn parse_return(&mut self) -> Result<StmtKind> {
        let pos = self.advance();
        let next = self.peek();
        let value = if next.pos.line == pos.line && starts_expr(&next.kind) {
            Some(self.parse_expr()?)
        } else {
            None
        };
        Ok(StmtKind::Return(value))
    }

    fn parse_fun_stmt(&mut self) -> Result<Stmt> {
        let decl = self.parse_fun_decl()?;
        Ok(Stmt {
            pos: decl.pos,
            kind: StmtKind::Fun(decl),
        })
    }

    /// `fun name(p: T, ...)[: R] { ... }`
    fn parse_fun_decl(&mut self) -> Result<FunDecl> {
        let pos = self.advance();
        let (name, _) = self.expect_ident("function name")?;
        if self.at(&Tok::Lt) {
            return Err(Error::unsupported(self.pos(), "generic functions"));
        }
        self.expect(&Tok::LParen)?;
        let mut params = Vec::new();
        if !self.at(&Tok::RParen) {
            loop {
                let (pname, ppos) = self.expect_ident("parameter name")?;
                if !self.eat(&Tok::Colon) {
                    return Err(Error::unsupported(
                        ppos,
                        "parameters without a type annotation",
                    ));
                }
                let ty = self.parse_type()?;
                params.push(Param {
                    name: pname,
                    ty,
                    pos: ppos,
                });
                if !self.eat(&Tok::Comma) {
                    break;
                }
            }
        }
        if !self.at(&Tok::RParen) {
            return Err(self.expected("',' or ')'"));
        }
        self.advance();
        let ret = if self.eat(&Tok::Colon) {
            Some(self.parse_type()?)
        } else {
            None
        };
        let body = self.parse_block()?;
        Ok(FunDecl {
            name,
            params,
            ret,
            body,
            pos,
        })
    }

    // ----- types -----

    /// `int`, `Name`, `list<T>`, `map<K, V>`, `fun(T, U): R`, `{a: T, b: U}`, `T?`.
    fn parse_type(&mut self) -> Result<TypeExpr> {
        let pos = self.pos();
        self.enter(pos)?;
        let mut ty = match self.kind() {
            Tok::Kw(Kw::Fun) => {
                self.advance();
                self.expect(&Tok::LParen)?;
                let mut params = Vec::new();
                if !self.at(&Tok::RParen) {
                    loop {
                        params.push(self.parse_type()?);
                        if !self.eat(&Tok::Comma) {
                            break;
                        }
                    }
                }
                if !self.at(&Tok::RParen) {
                    return Err(self.expected("',' or ')'"));
                }
                self.advance();
                let ret = if self.eat(&Tok::Colon) {
                    Some(Box::new(self.parse_type()?))
                } else {
                    None
                };
                TypeExpr::Fun(params, ret, pos)
            }
            Tok::LBrace => {
                // Fields are separated by commas (optional, like newlines); a trailing comma
                // is allowed.
                self.advance();
                let mut fields = Vec::new();
                while !self.eat(&Tok::RBrace) {
                    let (name, _) = self.expect_ident("field name or '}'")?;
                    self.expect(&Tok::Colon)?;
                    fields.push((name, self.parse_type()?));
                    self.eat(&Tok::Comma);
                }
                TypeExpr::Struct(fields, pos)
            }
            Tok::Ident(name) => {
                let name = name.clone();
                self.advance();
                if self.eat(&Tok::Lt) {
                    let mut args = vec![self.parse_type()?];
                    while self.eat(&Tok::Comma) {
                        args.push(self.parse_type()?);
                    }
                    if !self.eat(&Tok::Gt) {
                        return Err(self.expected("',' or '>'"));
                    }
                    TypeExpr::Generic(name, args, pos)
                } else {
                    TypeExpr::Name(name, pos)
                }
            }
            _ => return Err(self.expected("type")),
        };
        if self.eat(&Tok::Question) {
            ty = TypeExpr::Optional(Box::new(ty), pos);
        }
        self.leave();
        Ok(ty)
    }

    // ----- expressions -----

    /// The condition of `if`/`while` or a bound of a `for` range (no struct literals).
    fn parse_cond(&mut self) -> Result<Expr> {
        let saved = std::mem::replace(&mut self.no_struct, true);
        let cond = self.parse_expr();
        self.no_struct = saved;
        cond
    }

    // Frame sizes matter here: nested parentheses and calls recurse through
    // parse_expr -> parse_binary -> parse_unary -> parse_postfix -> parse_primary, and
    // unoptimised builds give every temporary its own stack slot. So these functions avoid
    // building errors and nodes inline (see the helpers below) and end in tail calls where
    // they can.

    fn parse_expr(&mut self) -> Result<Expr> {
        self.enter(self.pos())?;
        let expr = self.parse_binary(1)?;
        self.leave();
        match self.low_precedence_op() {
            None => Ok(expr),
            Some(err) => Err(err),
        }
    }

    /// Operators with a lower precedence than `||` (all outside the slice) stop
    /// `parse_binary` and are reported here.
    fn low_precedence_op(&self) -> Option<Error> {
        let what = match self.kind() {
            Tok::QuestionQuestion => "the `??` operator".to_string(),
            Tok::Ident(word)
                if matches!(word.as_str(), "union" | "except" | "intersect")
                    && (starts_expr(self.kind_at(1)) || self.kind_at(1) == &Tok::Kw(Kw::All)) =>
            {
                format!("the `{word}` operator")
            }
            _ => return None,
        };
        Some(Error::unsupported(self.pos(), what))
    }

    /// Precedence climbing over the binary operators with level >= `min_level`; all
    /// left-associative.
    fn parse_binary(&mut self, min_level: u8) -> Result<Expr> {
        let mut lhs = self.parse_unary()?;
        let mut folds = 0;
        while let Some((op, level)) = self.binop_at_least(min_level)? {
            let pos = self.advance();
            // Each fold makes the left operand one level deeper.
            folds += 1;
            self.grow(pos)?;
            let rhs = self.parse_binary(level + 1)?;
            lhs = binary(op, lhs, rhs, pos);
        }
        self.height -= folds;
        Ok(lhs)
    }

    /// The binary operator at the current token if its level is at least `min_level`.
    fn binop_at_least(&self, min_level: u8) -> Result<Option<(BinOp, u8)>> {
        if self.at(&Tok::Kw(Kw::In)) {
            return Err(Error::unsupported(self.pos(), "the `in` operator"));
        }
        Ok(binop(self.kind()).filter(|&(_, level)| level >= min_level))
    }

    fn parse_unary(&mut self) -> Result<Expr> {
        match self.kind() {
            Tok::Minus | Tok::Bang => self.parse_prefixed(),
            _ => self.parse_postfix(),
        }
    }

    /// Prefix `-` and `!`, possibly repeated (parsed with a loop, not recursion).
    fn parse_prefixed(&mut self) -> Result<Expr> {
        let mut ops = Vec::new();
        loop {
            let op = match self.kind() {
                Tok::Minus => UnOp::Neg,
                Tok::Bang => UnOp::Not,
                _ => break,
            };
            let pos = self.advance();
            self.grow(pos)?;
            ops.push((op, pos));
        }
        let mut expr = self.parse_postfix()?;
        self.height -= ops.len() as u32;
        for (op, pos) in ops.into_iter().rev() {
            expr = Expr {
                kind: ExprKind::Unary(op, Box::new(expr)),
                pos,
            };
        }
        Ok(expr)
    }

    /// A primary expression followed by calls; other postfix operators are unsupported.
    fn parse_postfix(&mut self) -> Result<Expr> {
        let mut expr = self.parse_primary()?;
        while self.at(&Tok::LParen) {
            if !matches!(expr.kind, ExprKind::Ident(_)) {
                return Err(Error::unsupported(
                    self.pos(),
                    "calling an expression other than a function name",
                ));
            }
            self.advance();
            let args = self.parse_args()?;
            expr = call(expr, args);
        }
        match self.unsupported_postfix() {
            None => Ok(expr),
            Some(what) => Err(Error::unsupported(self.pos(), what)),
        }
    }

    /// A postfix operator outside the slice at the current token, if any.
    fn unsupported_postfix(&self) -> Option<&'static str> {
        Some(match self.kind() {
            Tok::LBracket if self.bracket_has_colon() => "slices",
            Tok::LBracket => "indexing",
            Tok::Dot
                if matches!(self.kind_at(1), Tok::Ident(_)) && self.kind_at(2) == &Tok::LParen =>
            {
                "method calls"
            }
            Tok::Dot => "field access",
            Tok::Question if matches!(self.kind_at(1), Tok::Dot | Tok::LBracket) => {
                "optional chaining (`?.`, `?[`)"
            }
            Tok::Ident(word) if word == "as" => "`as` casts",
            _ => return None,
        })
    }

    /// Call arguments after the `(`, up to and including the `)`.
    fn parse_args(&mut self) -> Result<Vec<Expr>> {
        let saved = std::mem::replace(&mut self.no_struct, false);
        let args = self.parse_args_list();
        self.no_struct = saved;
        args
    }

    fn parse_args_list(&mut self) -> Result<Vec<Expr>> {
        let mut args = Vec::new();
        if self.eat(&Tok::RParen) {
            return Ok(args);
        }
        loop {
            args.push(self.parse_expr()?);
            if self.eat(&Tok::RParen) {
                return Ok(args);
            }
            if !self.eat(&Tok::Comma) {
                return Err(self.expected("',' or ')'"));
            }
        }
    }

    /// At `[`: does the bracketed text contain a top-level `:` (a slice `a[i:j]`)?
    fn bracket_has_colon(&self) -> bool {
        let mut open = 0usize;
        let mut k = 0;
        loop {
            match self.kind_at(k) {
                Tok::LBracket | Tok::LParen | Tok::LBrace => open += 1,
                Tok::RBracket | Tok::RParen | Tok::RBrace => {
                    open -= 1;
                    if open == 0 {
                        return false;
                    }
                }
                Tok::Colon if open == 1 => return true,
                Tok::Eof => return false,
                _ => {}
            }
            k += 1;
        }
    }

    /// At `name {`: does a struct literal follow (`Name {}` or `Name { field: ...`)?
    fn struct_literal_follows(&self) -> bool {
        !self.no_struct
            && self.kind_at(1) == &Tok::LBrace
            && (self.kind_at(2) == &Tok::RBrace
                || (matches!(self.kind_at(2), Tok::Ident(_)) && self.kind_at(3) == &Tok::Colon))
    }

    /// A primary expression outside the slice at the current token, if any.
    fn unsupported_primary(&self) -> Option<&'static str> {
        Some(match self.kind() {
            Tok::Ident(name) => match name.as_str() {
                "from"
                    if matches!(self.kind_at(1), Tok::Ident(_))
                        && self.kind_at(2) == &Tok::Kw(Kw::In) =>
                {
                    "queries (`from ... select`)"
                }
                "query"
                    if matches!(self.kind_at(1), Tok::Ident(_))
                        && self.kind_at(2) == &Tok::LParen =>
                {
                    "logic queries"
                }
                "nil" => "nil",
                _ if self.struct_literal_follows() => "struct literals",
                _ => return None,
            },
            Tok::LBracket => "list literals",
            Tok::LBrace if !self.no_struct => "map literals",
            Tok::Kw(Kw::Fun) if self.kind_at(1) == &Tok::LParen => "anonymous functions (closures)",
            Tok::Kw(Kw::If) => "if expressions",
            Tok::Kw(Kw::Match) => "match expressions",
            Tok::Kw(Kw::Fetch) => "fetch",
            Tok::Kw(Kw::Load) => "load",
            Tok::Kw(Kw::Save) => "save",
            Tok::Kw(Kw::Generate) => "generate",
            Tok::Kw(Kw::None) => "nil",
            _ => return None,
        })
    }

    fn parse_primary(&mut self) -> Result<Expr> {
        if let Some(what) = self.unsupported_primary() {
            return Err(Error::unsupported(self.pos(), what));
        }
        let pos = self.pos();
        let kind = match self.kind() {
            Tok::Int(v) => ExprKind::Int(*v),
            Tok::Float(v) => ExprKind::Float(*v),
            Tok::Bool(b) => ExprKind::Bool(*b),
            Tok::Str(s) => ExprKind::Str(s.clone()),
            Tok::Ident(name) => ExprKind::Ident(name.clone()),
            Tok::LParen => return self.parse_paren(),
            Tok::Kw(Kw::Fun) => {
                self.advance();
                return Err(self.expected("function name or '(' after 'fun'"));
            }
            _ => return Err(self.expected("expression")),
        };
        self.advance();
        Ok(Expr { kind, pos })
    }

    /// `( expr )`: no AST node of its own.
    fn parse_paren(&mut self) -> Result<Expr> {
        self.advance();
        let saved = std::mem::replace(&mut self.no_struct, false);
        let inner = self.parse_expr();
        self.no_struct = saved;
        let inner = inner?;
        self.expect(&Tok::RParen)?;
        Ok(inner)
    }
}

/// `lhs op rhs`, positioned at the operator.
fn binary(op: BinOp, lhs: Expr, rhs: Expr, pos: Pos) -> Expr {
    Expr {
        kind: ExprKind::Binary(op, Box::new(lhs), Box::new(rhs)),
        pos,
    }
}

/// `callee(args)`, positioned at the callee.
fn call(callee: Expr, args: Vec<Expr>) -> Expr {
    let pos = callee.pos;
    Expr {
        kind: ExprKind::Call(Box::new(callee), args),
        pos,
    }
}
