//! The program image and the machine both tiers share: the op table (one `for_each_op!` list
//! drives the enum, operand kinds, flags, disassembly, helper dispatch and the stencils' C
//! header), the program image and its verifier, the frame/context ABI shared with the
//! stencils, value formatting, errors, and the runtime helpers both tiers call. The front end
//! (parse, check, lower) lives in the `compiler` crate.

pub mod abi;
pub mod error;
pub mod format;
pub mod jit_api;
pub mod ops;
pub mod prof;
pub mod program;
pub mod runtime;
pub mod verify;

pub use error::Pos;
