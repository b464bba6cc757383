//! Lexer, parser and the untyped syntax tree.
//!
//! Entry point: [`parse`], source text -> [`ast::Program`].

pub mod ast;

/// Parse a whole source file.
pub fn parse(src: &str) -> Result<ast::Program, vm::error::Error> {
    let _ = src;
    Err(vm::error::Error::parse(
        vm::Pos { line: 1, col: 1 },
        "parser not written yet",
    ))
}
