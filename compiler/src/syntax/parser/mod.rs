//! Recursive-descent parser for the whole Mochi language (LANGUAGE.md §3-5).
//!
//! Split per construct: statements and declarations (`stmt.rs`), expressions and match
//! patterns (`expr.rs`), queries (`query.rs`), type expressions (`types.rs`).
//!
//! # Newlines
//! The grammar is free-form: there are no statement terminators, and `;` is whitespace. An
//! expression ends at the first token that cannot continue it. Newlines matter in exactly
//! three places (the lexer records on every token whether a newline precedes it):
//! * a `(` or `[` that starts a new line does not continue the previous expression as a call
//!   or an index: it starts a new statement (`print(x)` / `[1, 2]` on the next line);
//! * `return` has a value only when the value starts on the same line as `return`;
//! * nothing else: binary operators, `.field` and `as` may continue an expression on the next
//!   line (`a\n+ b` is `a + b`), as in the reference grammar.
//!
//! # Struct literals and blocks
//! `Name {` starts a struct literal only when followed by `}` or by `field :`, and never in the
//! head of `if` / `while` / `for` / `match` (and an `if` expression's condition), where `{`
//! opens the body, as in Go and Rust: `if x == Foo { ... }` compares `x` with `Foo`. A
//! parenthesised expression, call argument, list or map element lifts the restriction again.
//! Likewise `{` cannot start a map literal in those heads.
//!
//! # Limits
//! Nesting through brackets, blocks, types and patterns is capped at [`MAX_DEPTH`] levels
//! (`nesting too deep`), so the parser cannot overflow the machine stack; type expressions,
//! list and map literals and function expressions at [`MAX_TYPE_DEPTH`] (they build nested
//! types, whose cost in the checker grows with the square of their depth). Operator chains,
//! repeated unary operators and postfix chains are parsed with loops, so a flat chain of
//! 100 000 terms parses.
//!
//! # Errors
//! The first error in source order is returned: `Error::parse` at the offending token
//! ("expected X, found Y"), or an error of phase `Unsupported` ("agent declarations are not
//! supported by this runtime") at a construct this runtime does not implement (agents, streams,
//! `on`/`emit`, facts and rules, intents, models, `fetch`, `generate`, logic queries).

mod expr;
mod query;
mod stmt;
mod types;

use super::ast::{Pos, Program};
use super::lexer::{self, Kw, Tok, Token};
use vm::error::{Error, Phase};

pub(crate) type Result<T> = std::result::Result<T, Error>;

/// Maximum nesting of blocks, parenthesised/bracketed expressions, types and patterns (a
/// little above 10 000 so that 10 000 nested parentheses or blocks fit, with the levels their
/// enclosing statement and function take).
pub const MAX_DEPTH: u32 = 12_000;

/// Maximum nesting of what builds a nested *type*: type expressions, list and map literals and
/// function expressions. Lower than [`MAX_DEPTH`] because the checker's cost grows with the
/// square of a type's depth (it clones whole type trees): 10 000 nested list literals took a
/// minute and gigabytes, 1 000 take a few milliseconds.
pub const MAX_TYPE_DEPTH: u32 = 1000;

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

/// An error for a construct the runtime rejects: "`what` are not supported by this runtime".
pub(crate) fn unsupported(pos: Pos, what: &str) -> Error {
    Error {
        phase: Phase::Unsupported,
        pos,
        message: format!("{what} are not supported by this runtime"),
    }
}

/// Can this token begin an expression?
pub(crate) fn starts_expr(tok: &Tok) -> bool {
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

pub(crate) struct Parser {
    /// Never empty: the lexer always ends the list with `Tok::Eof`.
    toks: Vec<Token>,
    /// Index of the current token; never moves past the final `Eof`.
    i: usize,
    /// Current nesting depth (see `MAX_DEPTH`).
    depth: u32,
    /// Current nesting of type-building constructs (see `MAX_TYPE_DEPTH`).
    type_depth: u32,
    /// Set while parsing the head of `if`/`while`/`for`/`match`, where `Name {` and `{` open
    /// the body rather than a struct or map literal.
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
                nl_before: true,
            });
        }
        Parser {
            toks,
            i: 0,
            depth: 0,
            type_depth: 0,
            no_struct: false,
        }
    }

    // ----- token helpers -----

    pub(crate) fn kind(&self) -> &Tok {
        &self.toks[self.i].kind
    }

    /// The kind of the token `k` places ahead (the final `Eof` past the end).
    pub(crate) fn kind_at(&self, k: usize) -> &Tok {
        let last = self.toks.len() - 1;
        &self.toks[(self.i + k).min(last)].kind
    }

    /// Whether a newline precedes the current token.
    pub(crate) fn nl_before(&self) -> bool {
        self.toks[self.i].nl_before
    }

    pub(crate) fn pos(&self) -> Pos {
        self.toks[self.i].pos
    }

    /// Consume the current token and return its position.
    pub(crate) fn advance(&mut self) -> Pos {
        let pos = self.pos();
        if self.i + 1 < self.toks.len() {
            self.i += 1;
        }
        pos
    }

    pub(crate) fn at(&self, tok: &Tok) -> bool {
        self.kind() == tok
    }

    /// Is the current token the identifier (contextual keyword) `word`?
    pub(crate) fn at_word(&self, word: &str) -> bool {
        matches!(self.kind(), Tok::Ident(w) if w == word)
    }

    pub(crate) fn word_at(&self, k: usize, word: &str) -> bool {
        matches!(self.kind_at(k), Tok::Ident(w) if w == word)
    }

    pub(crate) fn eat(&mut self, tok: &Tok) -> bool {
        if self.at(tok) {
            self.advance();
            true
        } else {
            false
        }
    }

    pub(crate) fn eat_word(&mut self, word: &str) -> bool {
        if self.at_word(word) {
            self.advance();
            true
        } else {
            false
        }
    }

    /// Error "expected {what}, found {current token}" at the current token.
    pub(crate) fn expected(&self, what: &str) -> Error {
        Error::parse(
            self.pos(),
            format!("expected {what}, found {}", self.kind()),
        )
    }

    pub(crate) fn expect(&mut self, tok: &Tok) -> Result<Pos> {
        if self.at(tok) {
            Ok(self.advance())
        } else {
            let spelled = format!("'{}'", tok.punct_str().unwrap_or("?"));
            Err(self.expected(&spelled))
        }
    }

    /// Expect the closing `tok` of a bracket opened at `open`.
    pub(crate) fn expect_close(&mut self, tok: &Tok, open: Pos) -> Result<Pos> {
        if self.at(tok) {
            Ok(self.advance())
        } else {
            let spelled = tok.punct_str().unwrap_or("?");
            Err(self.expected(&format!(
                "'{spelled}' to close the one opened at {}:{}",
                open.line, open.col
            )))
        }
    }

    pub(crate) fn expect_word(&mut self, word: &str) -> Result<Pos> {
        if self.at_word(word) {
            Ok(self.advance())
        } else {
            Err(self.expected(&format!("'{word}'")))
        }
    }

    pub(crate) fn expect_ident(&mut self, what: &str) -> Result<(String, Pos)> {
        match self.kind() {
            Tok::Ident(name) => {
                let name = name.clone();
                Ok((name, self.advance()))
            }
            _ => Err(self.expected(what)),
        }
    }

    pub(crate) fn expect_str(&mut self, what: &str) -> Result<(String, Pos)> {
        match self.kind() {
            Tok::Str(s) => {
                let s = s.clone();
                Ok((s, self.advance()))
            }
            _ => Err(self.expected(what)),
        }
    }

    // ----- nesting limit -----

    /// Enter one level of nesting. Levels are not released on error: the parser stops at the
    /// first error anyway.
    pub(crate) fn enter(&mut self, pos: Pos) -> Result<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(Error::parse(pos, "nesting too deep"));
        }
        Ok(())
    }

    pub(crate) fn leave(&mut self) {
        self.depth -= 1;
    }

    /// Enter one level of a type-building construct (a type expression, a list or map
    /// literal, a function expression): one level of `MAX_DEPTH` and of `MAX_TYPE_DEPTH`.
    pub(crate) fn enter_typed(&mut self, pos: Pos) -> Result<()> {
        self.type_depth += 1;
        if self.type_depth > MAX_TYPE_DEPTH {
            return Err(Error::parse(pos, "nesting too deep"));
        }
        self.enter(pos)
    }

    pub(crate) fn leave_typed(&mut self) {
        self.type_depth -= 1;
        self.leave();
    }

    /// Run `f` with `no_struct` set to `value`, restoring it afterwards.
    pub(crate) fn with_no_struct<T>(
        &mut self,
        value: bool,
        f: impl FnOnce(&mut Self) -> Result<T>,
    ) -> Result<T> {
        let saved = std::mem::replace(&mut self.no_struct, value);
        let r = f(self);
        self.no_struct = saved;
        r
    }

    // ----- program -----

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
}
