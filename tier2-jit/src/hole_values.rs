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
/// `_MOD_MAGIC`, `_MOD_SHIFT`, `_MOD_LIMIT`, `_MOD_DIVISOR`: [`mod_magic`] of a `ModI64Imm`'s
/// constant.
pub const MOD_MAGIC: u8 = 30;
/// `_POW2_MASK`: `2^c - 1` for `DivI64Pow2`/`ModI64Pow2`.
pub const POW2_MASK: u8 = 34;
/// `_K2`: the constant after the instruction's K (`K[c + 1]`).
pub const K2: u8 = 35;
/// `_H_<name>`: the address of a Rust helper (`HELPERS + i`: the i-th of [`helper_names`]).
pub const HELPERS: u8 = 36;
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
        HoleSymbol::ModMagic => MOD_MAGIC,
        HoleSymbol::ModShift => MOD_MAGIC + 1,
        HoleSymbol::ModLimit => MOD_MAGIC + 2,
        HoleSymbol::ModDivisor => MOD_MAGIC + 3,
        HoleSymbol::Pow2Mask => POW2_MASK,
        HoleSymbol::K2 => K2,
    })
}

/// The division of a non-negative x (below 2^63) by the constant `d = |c|` as a
/// multiplication and a shift, `x / d = mulhi(x, m) >> k` with `mulhi(a, b) = (a * b) >> 64`
/// (128-bit product): returns `[m, k, limit, d]`, the fast path being valid for
/// `0 <= x < limit` (there `x % c = x % d = x - d * (x / d)`).
///
/// With l = ceil(log2 d) and m = floor(2^(63+l) / d) + 1 (below 2^64 when 2^(l-1) < d), m * d
/// lies in (2^(63+l), 2^(63+l) + d] and d <= 2^l, so floor(x * m / 2^(63+l)) = floor(x / d)
/// for every 0 <= x < 2^63 (Granlund and Montgomery 1994, theorem 4.2 with N = 63): that is
/// `mulhi(x, m) >> (l - 1)`, k = l - 1 (an 8-bit hole). For |c| of 1 or 2 the limit is 0 and
/// the stencil always takes its divider.
pub fn mod_magic(c: i32) -> [u64; 4] {
    let d = c.unsigned_abs() as u64;
    if d < 3 {
        return [0, 0, 0, d];
    }
    let l = 64 - (d - 1).leading_zeros();
    // (the common small divisors from a table made at compile time: two divisions per `%`
    // showed in the emitter's throughput)
    let m = match SMALL_MAGIC.get(d as usize) {
        Some(&m) => m,
        None => magic(d, l),
    };
    [m, (l - 1) as u64, 1u64 << 63, d]
}

/// floor(2^(63+l) / d) + 1 with two 64-bit divisions (a 128-bit one is a libcall): 2^(63+l) =
/// 2^32 * a with a = 2^(31+l) <= 2^63, and (a % d) << 32 fits because d < 2^32.
const fn magic(d: u64, l: u32) -> u64 {
    let a = 1u64 << (31 + l);
    ((a / d) << 32) + (((a % d) << 32) / d) + 1
}

/// [`magic`] of every d in 3..64 (index d; 0 below 3).
const SMALL_MAGIC: [u64; 64] = {
    let mut t = [0u64; 64];
    let mut d = 3;
    while d < 64 {
        t[d] = magic(d as u64, 64 - (d as u64 - 1).leading_zeros());
        d += 1;
    }
    t
};

#[cfg(test)]
mod mod_magic_tests {
    use super::mod_magic;

    fn mulhi(a: u64, b: u64) -> u64 {
        ((a as u128 * b as u128) >> 64) as u64
    }

    /// The multiplication and shift give x / |c| for every divisor kind (small, large, powers of
    /// two and their neighbours, negative, i32::MIN) on dividends at the edges of the range
    /// and of each quotient step, and a pseudo-random spread; |c| <= 2 is never fast.
    #[test]
    fn multiplication_and_shift_divide_exactly_below_the_limit() {
        let mut cs: Vec<i32> = vec![3, 5, 6, 7, 10, 100, 139968, 1 << 30, i32::MAX, i32::MIN];
        for k in 2..31 {
            cs.extend([(1 << k) - 1, 1 << k, (1 << k) + 1]);
        }
        cs.extend(cs.clone().iter().map(|c| c.wrapping_neg()));
        let mut seed = 0x9e3779b97f4a7c15u64;
        for &c in &cs {
            let [m, k, limit, d] = mod_magic(c);
            assert_eq!((limit, d), (1 << 63, c.unsigned_abs() as u64), "{c}");
            assert_eq!(m as u128, (1u128 << (64 + k)) / d as u128 + 1, "{c}");
            let mut xs = vec![
                0,
                1,
                d - 1,
                d,
                d + 1,
                2 * d - 1,
                2 * d,
                limit - 1,
                limit - d,
            ];
            xs.extend([(limit - 1) / d * d, (limit - 1) / d * d - 1]);
            for _ in 0..2000 {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                xs.push(seed >> (1 + seed % 63));
            }
            for x in xs {
                assert_eq!(mulhi(x, m) >> k, x / d, "{x} / {c}");
            }
        }
        for c in [1, -1, 2, -2] {
            assert_eq!(mod_magic(c)[2], 0);
        }
    }
}
