//! The Mochi language and program image: lexer, parser, checker, compiler to typed bytecode
//! (one op table), the frame/context ABI shared with the stencils, value formatting, errors and
//! the runtime helpers both tiers call.

pub mod abi;
pub mod ast;
pub mod compile;
pub mod error;
pub mod format;
pub mod jit_api;
pub mod lexer;
pub mod ops;
pub mod parser;
pub mod program;
pub mod runtime;
pub mod types;

pub use error::Pos;
