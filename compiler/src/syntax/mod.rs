//! Lexer, parser and the untyped syntax tree of the whole Mochi language.
//!
//! Entry point: [`parse`], source text -> [`ast::Program`]. See `parser/mod.rs` for the
//! decisions on newlines, struct literals versus blocks, nesting limits and errors.

pub mod ast;
mod drop;
pub mod lexer;
mod parser;

pub use parser::{MAX_DEPTH, MAX_TYPE_DEPTH};

/// Stack reserved for the parser thread (lazily committed). [`MAX_DEPTH`] levels of nesting
/// take a few MiB in an unoptimised build (about 10 KiB per level), more than the 2 MiB of a
/// test thread.
const PARSE_STACK: usize = 256 << 20;

/// Parse a whole source file.
///
/// The parser runs on a thread of its own with a [`PARSE_STACK`] stack, so that the deepest
/// nesting it accepts cannot overflow the caller's stack whatever thread it is called on (if
/// the thread cannot be spawned, it runs on the caller's thread).
pub fn parse(src: &str) -> Result<ast::Program, vm::error::Error> {
    std::thread::scope(|scope| {
        let spawned = std::thread::Builder::new()
            .name("mochi-parse".into())
            .stack_size(PARSE_STACK)
            .spawn_scoped(scope, || parser::parse(src));
        match spawned {
            Ok(handle) => handle
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
            Err(_) => parser::parse(src),
        }
    })
}
