//! Lexer, parser and the untyped syntax tree of the whole Mochi language.
//!
//! Entry point: [`parse`], source text -> [`ast::Program`]. See `parser/mod.rs` for the
//! decisions on newlines, struct literals versus blocks, nesting limits and errors.

pub mod ast;
mod drop;
pub mod lexer;
mod parser;

pub use parser::MAX_DEPTH;

/// Parse a whole source file.
pub fn parse(src: &str) -> Result<ast::Program, vm::error::Error> {
    parser::parse(src)
}
