//! The stencil table of the copy-and-patch tier (DESIGN.md §5).
//!
//! Each op's stencil is a C function in `src/*.c`, compiled by clang 19 with
//! `__attribute__((preserve_none))` so that `fp, ctx, g, arena` stay pinned in r12..r15.
//! `build.rs` extracts every function's machine code, the read-only data it uses and its
//! relocations ("holes") into `generated/x86_64-linux.rs`, which is committed, so building
//! the JIT never needs clang. `tier2-jit` copies a stencil per instruction and patches its holes.
//!
//! Regenerate after editing `src/*.c` / `src/*.h` (needs clang 19):
//! `MOCHI_REGEN_STENCILS=1 cargo build -p stencils`, then commit `stencils/generated/`.

/// How a hole's value is stored at `offset`. For every kind the value is `S + addend`, where
/// `S` is the value of the hole's symbol; `Rel32` stores `S + addend - P` (`P` = the address
/// of the hole itself).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum HoleKind {
    /// R_X86_64_64: 8 bytes.
    Abs64,
    /// R_X86_64_32: 4 bytes, the value must fit in u32 (zero-extended by the code).
    Abs32,
    /// R_X86_64_32S: 4 bytes, the value must fit in i32 (sign-extended by the code).
    Abs32S,
    /// R_X86_64_PC32 / R_X86_64_PLT32: 4 bytes, `S + A - P` must fit in i32.
    Rel32,
    /// R_X86_64_8: 1 byte, the value must fit in u8 (a shift count: `sarq $_C, %reg`).
    Abs8,
}

impl HoleKind {
    /// Bytes the hole takes.
    pub const fn width(self) -> u32 {
        match self {
            HoleKind::Abs64 => 8,
            HoleKind::Abs8 => 1,
            _ => 4,
        }
    }
}

/// What a hole stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum HoleSymbol {
    /// `_CONTINUE`: native address of the next instruction.
    Continue,
    /// `_TARGET`: native address of the instruction's jump target (its T operand).
    Target,
    /// `_A`, `_B`, `_C`: the instruction's operands a, b, c, encoded by operand kind
    /// (slots: byte offsets; S: sign-extended; N, Fn: the value).
    A,
    B,
    C,
    /// `_K`: the 64 bits of the constant named by the instruction's K operand.
    K,
    /// `_PC`: the instruction's index.
    Pc,
    /// `_R0`..`_R5`: byte offset of the frame slot cached in register x0..x5 of the function,
    /// or 0 when the register caches nothing.
    R0,
    R1,
    R2,
    R3,
    R4,
    R5,
    /// `_F0`..`_F7`: byte offset of the frame slot cached in register f0..f7 (xmm0..xmm7) of
    /// the function, or 0 when the register caches nothing.
    F0,
    F1,
    F2,
    F3,
    F4,
    F5,
    F6,
    F7,
    /// `_EXIT`: the function's exit stub (spills the cached registers, returns STATUS_EXIT).
    Exit,
    /// `_OA`, `_OB`, `_OC`: the instruction's raw operand values a, b, c (u32: word indices and
    /// immediates as stored in the instruction, 0 for a missing operand), for the generic
    /// helper stencil.
    OA,
    OB,
    OC,
    /// `_H`: the address of the instruction's helper routine (`vm::ops::Op::helper`).
    HelperOp,
    /// `_H_<name>`: the address of the Rust helper `vm::runtime::helper_address(name)`.
    Helper(Name),
    /// The stencil's own read-only data, copied next to the code; `addend` already includes
    /// the offset inside [`Stencil::data`].
    OwnData,
    /// `_CALLEE`: the native entry of a `Call`'s callee, when it is known at compile time
    /// (the function itself, or one compiled before): the `call_direct` stencils.
    Callee,
    /// `_FRAME`: where a `Call`'s callee's frame ends, in bytes from the caller's frame base
    /// (with `_CALLEE`).
    Frame,
    /// `_MOD_MAGIC`, `_MOD_SHIFT`, `_MOD_LIMIT`, `_MOD_DIVISOR`: for `ModI64Imm` (`x % c`),
    /// the division by the constant `d = |c|` (`_MOD_DIVISOR`) as a multiplication and a
    /// shift (`tier2_jit::hole_values::mod_magic`): for `0 <= x < _MOD_LIMIT`,
    /// `x / d = mulhi(x, _MOD_MAGIC) >> _MOD_SHIFT` (an 8-bit hole). The limit is 2^63 for d >= 3 and 0
    /// (never) for d <= 2.
    ModMagic,
    ModShift,
    ModLimit,
    ModDivisor,
    /// `_POW2_MASK`: `2^c - 1` for `DivI64Pow2`/`ModI64Pow2` (`x / 2^c`, `x % 2^c`), the bias
    /// a negative dividend needs and the remainder's mask.
    Pow2Mask,
    /// `_K2`: the 64 bits of the constant after the one the K operand names (`K[c + 1]`): the
    /// value of a select on a comparison with a constant (`SelLtF64K` ...).
    K2,
    /// `_COLD`: where the emitter put the stencil's cold twin (`cold.NAME`, its rare path,
    /// moved out of the hot line at build time); `addend` includes the offset in it.
    Cold,
}

/// One relocation of a stencil.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Hole {
    /// Byte offset in `code` (or in `data` when `in_data`).
    pub offset: u32,
    pub kind: HoleKind,
    pub symbol: HoleSymbol,
    pub addend: i64,
    /// The hole lies in the stencil's data, not its code.
    pub in_data: bool,
}

/// One stencil: machine code with holes, and the read-only data it references (to be placed
/// 16-byte aligned; every data section in it is at most 16-byte aligned).
///
/// Its fields are ranges of the table's blobs (names, bytes, holes) that dereference to
/// `&'static str`, `&'static [u8]` and `&'static [Hole]`: the table holds no pointer, so the
/// dynamic loader relocates nothing in it at process start.
#[derive(Debug)]
pub struct Stencil {
    pub name: Name,
    pub code: Bytes,
    pub data: Bytes,
    pub holes: Holes,
}

/// A range of the table's names (a stencil's or a Rust helper's); dereferences to `&str`.
#[derive(Clone, Copy)]
pub struct Name {
    at: u32,
    len: u32,
}

/// A range of the table's bytes (a stencil's code or data); dereferences to `&[u8]`.
#[derive(Clone, Copy)]
pub struct Bytes {
    at: u32,
    len: u32,
}

/// A range of the table's holes (a stencil's); dereferences to `&[Hole]`.
#[derive(Clone, Copy)]
pub struct Holes {
    at: u32,
    len: u32,
}

impl Name {
    pub const fn new(at: u32, len: u32) -> Self {
        Name { at, len }
    }
    pub fn as_str(&self) -> &'static str {
        &NAMES[self.at as usize..][..self.len as usize]
    }
}

impl Bytes {
    pub const fn new(at: u32, len: u32) -> Self {
        Bytes { at, len }
    }
    pub fn as_slice(&self) -> &'static [u8] {
        &BYTES[self.at as usize..][..self.len as usize]
    }
}

impl Holes {
    pub const fn new(at: u32, len: u32) -> Self {
        Holes { at, len }
    }
    pub fn as_slice(&self) -> &'static [Hole] {
        &HOLES[self.at as usize..][..self.len as usize]
    }
}

impl std::ops::Deref for Name {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl std::ops::Deref for Bytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        self.as_slice()
    }
}

impl std::ops::Deref for Holes {
    type Target = [Hole];
    fn deref(&self) -> &[Hole] {
        self.as_slice()
    }
}

impl IntoIterator for Holes {
    type Item = &'static Hole;
    type IntoIter = std::slice::Iter<'static, Hole>;
    fn into_iter(self) -> Self::IntoIter {
        self.as_slice().iter()
    }
}

// Names compare, order and hash by their text, not by where the blob holds it.
impl PartialEq for Name {
    fn eq(&self, other: &Name) -> bool {
        self.as_str() == other.as_str()
    }
}
impl Eq for Name {}
impl PartialEq<str> for Name {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}
impl PartialEq<&str> for Name {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}
impl PartialOrd for Name {
    fn partial_cmp(&self, other: &Name) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Name {
    fn cmp(&self, other: &Name) -> std::cmp::Ordering {
        self.as_str().cmp(other.as_str())
    }
}
impl std::hash::Hash for Name {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.as_str().hash(state)
    }
}
impl std::fmt::Debug for Name {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.as_str(), f)
    }
}
impl std::fmt::Display for Name {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
impl std::fmt::Debug for Bytes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.as_slice(), f)
    }
}
impl std::fmt::Debug for Holes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.as_slice(), f)
    }
}

impl Stencil {
    /// True when the code ends with `jmp _CONTINUE` (e9 rel32): the emitter drops those five
    /// bytes when the next instruction's code follows directly.
    pub fn ends_with_continue_jump(&self) -> bool {
        let n = self.code.len();
        n >= 5
            && self.code[n - 5] == 0xe9
            && self.holes.iter().any(|h| {
                !h.in_data
                    && h.offset as usize == n - 4
                    && h.kind == HoleKind::Rel32
                    && h.symbol == HoleSymbol::Continue
                    && h.addend == -4
            })
    }
}

/// The index in `STENCILS` of the stencil called `name`: a binary search, as `build.rs`
/// renders the table sorted by name (`tests/op_table.rs` checks).
pub fn index_of(name: &str) -> Option<usize> {
    STENCILS
        .binary_search_by(|s| s.name.as_str().cmp(name))
        .ok()
}

/// The stencil called `name`.
pub fn find(name: &str) -> Option<&'static Stencil> {
    index_of(name).map(|i| &STENCILS[i])
}

/// Whether this target has stencils (the JIT is available).
pub const SUPPORTED: bool = cfg!(all(target_arch = "x86_64", target_os = "linux"));

/// The name of the SysV entry shim stencil.
pub const ENTRY_SHIM: &str = "mochi_entry_shim";
/// The prefix of a cold twin's name: `cold.NAME` is the rare path of stencil `NAME`, which
/// jumps to it through its `_COLD` holes.
pub const COLD_PREFIX: &str = "cold.";
/// The name of the stencil that stands for an interpreter-only op.
pub const SIDE_EXIT: &str = "side_exit";
/// The generic helper stencil (every `helper` op); `helper_cN` for a function that caches N
/// registers.
pub const HELPER: &str = "helper";

#[cfg(all(target_arch = "x86_64", target_os = "linux"))]
include!("../generated/x86_64-linux.rs");

#[cfg(not(all(target_arch = "x86_64", target_os = "linux")))]
mod empty {
    use super::{Hole, Stencil};
    pub const CLANG_VERSION: &str = "";
    pub const FLAGS: &str = "";
    pub const DIGEST: &str = "";
    pub const ABI: &[(&str, u64)] = &[];
    pub static STENCILS: &[Stencil] = &[];
    pub(crate) static NAMES: &str = "";
    pub(crate) static BYTES: &[u8] = &[];
    pub(crate) static HOLES: &[Hole] = &[];
}
#[cfg(not(all(target_arch = "x86_64", target_os = "linux")))]
pub use empty::*;
