//! The value array of a piece: the emitter's pass fills one entry per hole symbol for each
//! instruction and piece, and every hole is stored from its entry plus its addend. Shared by
//! the emitter and `build.rs`, which generates one emit function per stencil from it.

use stencils::{HoleSymbol, Stencil};

/// `_CONTINUE`: the next piece (an entry stub: its instruction).
pub const CONTINUE: u8 = 0;
/// `_TARGET`: the first piece of the jump target.
pub const TARGET: u8 = 1;
/// `_A`/`_B`/`_C`: the operands, encoded by kind (a spill or reload: `_A` is its slot).
pub const A: u8 = 2;
/// `_K`: the constant named by the K operand.
pub const K: u8 = 5;
pub const PC: u8 = 6;
/// `_R0`..`_R5`: offsets of the slots cached in x0..x5 (0: unused).
pub const R0: u8 = 7;
/// `_EXIT`: the instruction's `exit_at` stub (for an `exit_at` stub: the exit stub).
pub const EXIT: u8 = 13;
/// `_OA`/`_OB`/`_OC`: the raw operands.
pub const OA: u8 = 14;
/// `_H`: the instruction's helper routine.
pub const HELPER_OP: u8 = 17;
/// The stencil's own data.
pub const DATA: u8 = 18;
/// `_CALLEE`, `_FRAME`: a direct call's callee entry and the end of its frame (bytes from
/// the caller's frame base).
pub const CALLEE: u8 = 19;
pub const FRAME: u8 = 20;
/// `_F0`..`_F7`: offsets of the slots cached in f0..f7 (0: unused).
pub const F0: u8 = 21;
/// `_COLD`: where the piece's cold twin is.
pub const COLD: u8 = 29;
/// `_H_<name>`: the address of a Rust helper (`HELPERS + i`: the i-th of [`helper_names`]).
pub const HELPERS: u8 = 30;
pub const MAX_HELPERS: usize = 15;
pub const COUNT: usize = HELPERS as usize + MAX_HELPERS;

/// The Rust helpers the stencils' code calls (`_H_<name>`), in order of first use.
/// (Used by build.rs, which generates `HELPER_NAMES` from it, and by a test.)
#[allow(dead_code)]
pub fn helper_names(stencils: &[Stencil]) -> Vec<&'static str> {
    let mut names = Vec::new();
    for s in stencils {
        for h in s.holes.iter().filter(|h| !h.in_data) {
            if let HoleSymbol::Helper(n) = h.symbol {
                if !names.contains(&n.as_str()) {
                    names.push(n.as_str());
                }
            }
        }
    }
    names
}

/// The entry of the value array that holds symbol `sym`'s value (`helpers`: from
/// [`helper_names`]); `None` for a helper beyond `MAX_HELPERS`. (Used by build.rs and
/// `tables::prepare`.)
#[cfg_attr(not(test), allow(dead_code))]
pub fn index(sym: HoleSymbol, helpers: &[&str]) -> Option<u8> {
    Some(match sym {
        HoleSymbol::Continue => CONTINUE,
        HoleSymbol::Target => TARGET,
        HoleSymbol::A => A,
        HoleSymbol::B => A + 1,
        HoleSymbol::C => A + 2,
        HoleSymbol::K => K,
        HoleSymbol::Pc => PC,
        HoleSymbol::R0 => R0,
        HoleSymbol::R1 => R0 + 1,
        HoleSymbol::R2 => R0 + 2,
        HoleSymbol::R3 => R0 + 3,
        HoleSymbol::R4 => R0 + 4,
        HoleSymbol::R5 => R0 + 5,
        HoleSymbol::F0 => F0,
        HoleSymbol::F1 => F0 + 1,
        HoleSymbol::F2 => F0 + 2,
        HoleSymbol::F3 => F0 + 3,
        HoleSymbol::F4 => F0 + 4,
        HoleSymbol::F5 => F0 + 5,
        HoleSymbol::F6 => F0 + 6,
        HoleSymbol::F7 => F0 + 7,
        HoleSymbol::Exit => EXIT,
        HoleSymbol::OA => OA,
        HoleSymbol::OB => OA + 1,
        HoleSymbol::OC => OA + 2,
        HoleSymbol::HelperOp => HELPER_OP,
        HoleSymbol::Helper(name) => {
            let i = helpers.iter().position(|n| name == *n)?;
            if i >= MAX_HELPERS {
                return None;
            }
            HELPERS + i as u8
        }
        HoleSymbol::OwnData => DATA,
        HoleSymbol::Callee => CALLEE,
        HoleSymbol::Frame => FRAME,
        HoleSymbol::Cold => COLD,
    })
}
