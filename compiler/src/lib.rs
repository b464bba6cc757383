//! The Mochi front end, one pass per module:
//!
//! - [`syntax`]: lexer and parser, source text -> [`syntax::ast`] (untyped tree);
//! - [`check`]: name resolution and type checking, AST -> [`hir`] (the typed tree: every
//!   expression carries its [`types::Type`], names are resolved to locals, globals or functions,
//!   closure captures are known);
//! - [`lower`]: typed tree -> `vm::program::Program` (typed bytecode), without re-inferring types.

pub mod check;
pub mod hir;
pub mod lower;
pub mod syntax;
pub mod types;

/// Source text -> typed bytecode: parse, check, lower. (A small helper for tests and
/// embedders; the `mochi` driver runs the same passes on a big stack.)
pub fn compile_source(src: &str) -> Result<vm::program::Program, vm::error::Error> {
    compile_file(src, "")
}

/// [`compile_source`] for a program read from `file` (its name appears in messages that
/// quote the program's own location, such as a failing `expect`).
pub fn compile_file(src: &str, file: &str) -> Result<vm::program::Program, vm::error::Error> {
    compile_file_with(src, file, false)
}

/// [`compile_file`]; `test_mode` compiles for `mochi test` (main skips the top-level tests
/// and benches; the tests are listed in `Program::tests`: see [`lower::lower_with`]).
pub fn compile_file_with(
    src: &str,
    file: &str,
    test_mode: bool,
) -> Result<vm::program::Program, vm::error::Error> {
    let ast = syntax::parse(src)?;
    let hir = check::check_with_source(&ast, src)?;
    let prog = lower::lower_with(&hir, file, test_mode);
    // (Lowering recurses over the tree's depth like the checker does: run it on a big stack
    // for very deep operator chains. The tree itself is dropped without recursion.)
    check::drop_program(hir);
    prog
}
