//! Lexer, parser and the untyped syntax tree of the whole Mochi language.
//!
//! Entry point: [`parse`], source text -> [`ast::Program`]. See `parser/mod.rs` for the
//! decisions on newlines, struct literals versus blocks, nesting limits and errors.

pub mod ast;
mod drop;
pub mod lexer;
mod parser;

pub use parser::{MAX_DEPTH, MAX_TYPE_DEPTH};

// Stack reserved for the parser thread (lazily committed): `arenas::limits::parse_stack()`,
// 256 MiB, or a fraction of the address-space limit under `ulimit -v`. [`MAX_DEPTH`] levels
// of nesting take a few MiB in an unoptimised build (about 10 KiB per level), more than the
// 2 MiB of a test thread.

/// Parse a whole source file.
///
/// The parser runs on a thread of its own with a large stack (`arenas::limits::parse_stack`), so that the deepest
/// nesting it accepts cannot overflow the caller's stack whatever thread it is called on (if
/// the thread cannot be spawned, it runs on the caller's thread), unless the calling thread
/// declared a stack at least that large (`arenas::limits::declare_thread_stack`: the VM
/// thread), where it runs directly: the thread's mapping, start and teardown had cost a
/// one-line program about 0.18 ms of its 3.3 ms.
pub fn parse(src: &str) -> Result<ast::Program, vm::error::Error> {
    if arenas::limits::thread_stack() >= arenas::limits::parse_stack() {
        return parser::parse(src);
    }
    std::thread::scope(|scope| {
        let spawned = std::thread::Builder::new()
            .name("mochi-parse".into())
            .stack_size(arenas::limits::parse_stack())
            .spawn_scoped(scope, || parser::parse(src));
        match spawned {
            Ok(handle) => handle
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
            Err(_) => parser::parse(src),
        }
    })
}
