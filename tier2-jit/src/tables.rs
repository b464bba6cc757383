//! The stencil table prepared for emission: per stencil its copy lengths, holes and flags,
//! per op its operand encoding, stencils, register variants and size bounds. All of it
//! depends only on the committed stencil table and the op table, so `build.rs` computes it
//! with [`prepare`] and renders it ([`render`]) as statics the emitter reads directly: a
//! process no longer spends about 0.7 ms (5 M instructions) building it before its first
//! compile. The emitter adds what only the running process knows (the Rust helpers'
//! addresses) in `StencilSet::get`.
//!
//! Shared by the crate and `build.rs` (through `#[path]`), like `hole_values.rs`.

use crate::hole_values as v;
use std::borrow::Cow;
use std::fmt::Write as _;
use stencils::{HoleKind, HoleSymbol, Stencil};
use vm::ops::{Op, Operand, Tier2};

/// Registers a function can cache i64 slots in (x0..x5).
pub const CACHE_REGS: usize = 6;
/// Registers a function can cache f64 slots in (f0..f7).
pub const F_CACHE_REGS: usize = 8;

/// "No stencil" in the dense tables.
pub(crate) const NONE: u16 = u16::MAX;
/// A location digit: 0 in the frame, `1 + r` in register r of the operand's bank.
pub(crate) const LOC_BASE: usize = 1 + if CACHE_REGS > F_CACHE_REGS {
    CACHE_REGS
} else {
    F_CACHE_REGS
};
/// Locations of an op's (at most three) cacheable operands, as a base-`LOC_BASE` number:
/// digit `j` is the location of the j-th one.
#[cfg_attr(not(test), allow(dead_code))] // (build.rs and a test)
pub(crate) const LOC_CODES: usize = LOC_BASE * LOC_BASE * LOC_BASE;

/// A hole, ready to patch: `value[src] + addend` (minus the hole's own address when
/// `REL`), stored in 8 bytes (`WIDE`), 1 (`BYTE`, where it must fit a u8) or 4, where it must
/// fit an i32 (`SIGNED`) or a u32.
#[derive(Clone, Copy, Debug)]
pub(crate) struct PHole {
    pub(crate) at: u16,
    pub(crate) src: u8,
    pub(crate) flags: u8,
    pub(crate) addend: i32,
}

pub(crate) const REL: u8 = 1;
pub(crate) const WIDE: u8 = 2;
pub(crate) const SIGNED: u8 = 4;
pub(crate) const BYTE: u8 = 8;

impl PHole {
    pub(crate) fn kind(&self) -> HoleKind {
        match self.flags {
            f if f & WIDE != 0 => HoleKind::Abs64,
            f if f & BYTE != 0 => HoleKind::Abs8,
            f if f & REL != 0 => HoleKind::Rel32,
            f if f & SIGNED != 0 => HoleKind::Abs32S,
            _ => HoleKind::Abs32,
        }
    }
}

/// A stencil, ready to copy.
#[derive(Clone)]
pub(crate) struct Prepared {
    /// Its index in `stencils::STENCILS` (an index, not a reference: the prepared tables hold
    /// no pointer, so the dynamic loader has nothing to relocate in them).
    pub(crate) index: u16,
    /// Bytes copied when the piece is followed by its continuation (the trailing
    /// `jmp _CONTINUE` dropped), and when it is not.
    pub(crate) ft_len: u32,
    pub(crate) len: u32,
    /// Its code holes when it falls through (`holes[ft_first..ft_end]`: those inside
    /// `ft_len`) and when it does not (`holes[first..end]`).
    pub(crate) ft_first: u32,
    pub(crate) ft_end: u32,
    pub(crate) first: u32,
    pub(crate) end: u32,
    /// It has a side exit (an `_EXIT` hole).
    pub(crate) has_exit: bool,
    /// It has a `_CONTINUE` hole.
    pub(crate) has_continue: bool,
    /// It has a `_TARGET` hole.
    pub(crate) has_target: bool,
    /// It has read-only data.
    pub(crate) has_data: bool,
}

impl Prepared {
    pub(crate) fn stencil(&self) -> &'static Stencil {
        &stencils::STENCILS[self.index as usize]
    }
}

/// Which of an op's operands name frame words it reads or writes (bit j: operand j), as the
/// op table's one-line semantics say: an op whose semantics start `R[a] :=` writes operand a
/// (and reads it only when the right-hand side names `R[a]`, as `IncJLtI64`'s does); every
/// other word operand is read, and a word named `R[x+1]` or `R[x+2]` is read too (a pair
/// or a view). A call writes its result word `b` (its arguments are words of the next
/// frame, stored by earlier moves). Conservative where it matters: a word the semantics
/// leave unclear counts as read (reads keep a register's value alive, they never drop it).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct SlotUse {
    /// Operands whose word is read.
    pub(crate) reads: u8,
    /// Operands whose next two words (x+1, x+2) are read too.
    pub(crate) reads_next: u8,
    /// Operands whose word is written (its old value is dead before the op unless the op
    /// reads it too).
    pub(crate) writes: u8,
    /// The op is a call (`Op::is_call`).
    pub(crate) call: bool,
}

impl SlotUse {
    pub(crate) fn of(op: Op) -> SlotUse {
        let kinds = op.operands();
        let word = |k: &Operand| matches!(k, Operand::I | Operand::F | Operand::C | Operand::R);
        let mut u = SlotUse::default();
        if op.is_call() {
            u.call = true;
            u.writes = 1 << 1;
            if kinds.first().is_some_and(word) {
                u.reads |= 1;
            }
            return u;
        }
        let doc = op.doc();
        let rhs = doc.strip_prefix("R[a] :=");
        for (j, k) in kinds.iter().enumerate() {
            if !word(k) {
                continue;
            }
            if j == 0 && rhs.is_some() {
                u.writes |= 1;
                if rhs.is_some_and(|r| !r.contains("R[a]")) {
                    continue;
                }
            }
            u.reads |= 1 << j;
            let x = ['a', 'b', 'c'][j];
            if doc.contains(&format!("R[{x}+")) {
                u.reads_next |= 1 << j;
            }
        }
        u
    }
}

/// What the emitter needs to know about an op, from the op table.
#[derive(Clone, Copy, Debug)]
pub(crate) struct OpInfo {
    /// Hole encoding of operands a, b, c: sign-extended from 32 bits and masked with `mask`
    /// (all ones for `S` operands, the low 32 bits for the others), then shifted left by
    /// `shift` (3 for slots and word counts: byte offsets).
    pub(crate) shift: [u8; 3],
    pub(crate) mask: [u64; 3],
    /// Index of the T operand (3: none).
    pub(crate) target: u8,
    /// Index of the K operand (3: none).
    pub(crate) k: u8,
    /// Indices of the cacheable operands (`I` and `F`), in operand order.
    pub(crate) cpos: [u8; 3],
    pub(crate) ncp: u8,
    /// `R[a] := R[b] op R[c]` over one bank whose variants are accumulator forms
    /// (`<stencil>__<a><c>`: R[a] := R[a] op R[c]); see `stencils/src/regcache.h`.
    pub(crate) acc: bool,
    /// `acc` ops: R[b] op R[c] == R[c] op R[b].
    pub(crate) commutes: bool,
    /// `acc` ops: the move op of their bank (`R[a] := R[b]` before an accumulator form), by
    /// number.
    pub(crate) mov: u16,
    /// Its stencil (`side_exit` for interpreter-only ops, `helper` for helper ops).
    pub(crate) stencil: u16,
    /// Runs a stencil of its own (not a side exit, not the generic helper).
    pub(crate) own_stencil: bool,
    /// The op branches or returns: after its memory form nothing needs reloading.
    pub(crate) ends: bool,
    /// Its forms for 1..4 cached registers (`S_c1`..`S_c4`), if the stencil has them.
    pub(crate) cached_forms: Option<[u16; CACHE_REGS]>,
    /// Its forms for 0..4 cached i64 registers in a function that also caches f64 slots
    /// (`S_f`, `S_f_c1`..`S_f_c6`: they keep f0..f7 alive across the call), if it has them.
    pub(crate) f_forms: Option<[u16; CACHE_REGS + 1]>,
    /// Its keeping forms for 1..6 cached i64 registers (`S_k_c1`..`S_k_c6`), if the stencil
    /// has them (then it has no `S_cN` forms): the inline path leaves the cached registers
    /// alone (the emitter spills the key's register before the piece and reloads the
    /// result's after it), the routine's path spills and reloads them all. For functions
    /// that cache no f64 slot (else its `f_forms`).
    pub(crate) keep_forms: Option<[u16; CACHE_REGS]>,
    /// `Call` only: its direct forms for 0..4 cached registers (`call_direct`,
    /// `call_direct_c1`..), used when the callee's entry is known at compile time.
    pub(crate) direct_forms: Option<[u16; CACHE_REGS + 1]>,
    /// Start of its row in `StencilSet::variants` (`u32::MAX`: no register variants).
    pub(crate) variants: u32,
    /// The frame words it reads and writes, for the liveness of cached registers across
    /// calls (`emit::call_masks`); from the op table's semantics ([`SlotUse::of`]).
    pub(crate) slots: SlotUse,
    /// A stencil it would use has a hole the op cannot fill: compiling it fails with
    /// `StencilSet::broken[op]`.
    pub(crate) broken: bool,
    /// Bytes its pieces (and their data) take at most: `[0]` in a function that caches no
    /// register, `[1]` in one that does. Their sum over a function bounds its code.
    #[cfg_attr(not(test), allow(dead_code))] // (read into `WalkInfo`)
    pub(crate) bound: [u16; 2],
    /// A stencil it may use has a side exit: it gets an `exit_at` slot.
    pub(crate) may_exit: bool,
    /// A stencil it may use has `_OA`/`_OB`/`_OC` holes (the raw operands: helper calls).
    pub(crate) raw: bool,
    /// Bytes its pieces' cold twins take at most.
    #[cfg_attr(not(test), allow(dead_code))] // (read into `WalkInfo`)
    pub(crate) cold: u16,
}

/// What copying a piece reads of its stencil, packed (4 bytes, so the table of every stencil
/// stays in L1): its copy length when followed by its continuation, and `P_*` flags.
#[derive(Clone, Copy, Debug)]
pub(crate) struct PieceInfo {
    pub(crate) ft_len: u16,
    pub(crate) flags: u8,
}

/// It has a side exit (an `_EXIT` hole).
pub(crate) const P_EXIT: u8 = 1;
/// It has read-only data (its `_DATA` holes are patched after the code is in place).
pub(crate) const P_DATA: u8 = 2;
/// It has a `_TARGET` hole (patched after the code is in place when the target lies ahead).
pub(crate) const P_TARGET: u8 = 4;
/// It has a cold twin (`StencilSet::cold`), copied to the function's cold area.
pub(crate) const P_COLD: u8 = 8;

/// The `exit_at` stencil as a template: its code (at most 16 bytes, at least 8), where its
/// `_PC` (an imm32) goes and where its `_EXIT` (a rel32 to the exit stub, which is at the
/// function's offset 0) goes.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ExitAtStub {
    pub(crate) code: [u8; 16],
    pub(crate) len: usize,
    pub(crate) pc_at: usize,
    pub(crate) exit_at: usize,
    pub(crate) exit_addend: i64,
}

impl ExitAtStub {
    #[cfg_attr(not(test), allow(dead_code))] // (build.rs and a test)
    pub(crate) fn new(p: &Prepared) -> Result<Self, String> {
        let s = p.stencil();
        let bad = || format!("stencil {}: not the expected side-exit stub", s.name);
        let len = p.len as usize;
        if !(8..=16).contains(&len) || !s.data.is_empty() || s.holes.len() != 2 {
            return Err(bad());
        }
        let mut t = ExitAtStub {
            code: [0; 16],
            len,
            pc_at: usize::MAX,
            exit_at: usize::MAX,
            exit_addend: 0,
        };
        t.code[..len].copy_from_slice(&s.code);
        for h in s.holes {
            match (h.symbol, h.kind) {
                // (a pc fits either: functions have fewer than 2^31 instructions)
                (HoleSymbol::Pc, HoleKind::Abs32 | HoleKind::Abs32S) => t.pc_at = h.offset as usize,
                (HoleSymbol::Exit, HoleKind::Rel32) => {
                    t.exit_at = h.offset as usize;
                    t.exit_addend = h.addend;
                }
                _ => return Err(bad()),
            }
        }
        if t.pc_at.max(t.exit_at) + 4 > len {
            return Err(bad());
        }
        Ok(t)
    }

    /// Write the stub of instruction `pc` at `at` (where the function starts at 0 with its
    /// exit stub).
    #[inline]
    pub(crate) fn write(&self, buf: &mut [u8], at: usize, pc: u32) {
        let b = &mut buf[at..at + self.len];
        // Two 8-byte stores cover any length from 8 to 16.
        b[..8].copy_from_slice(&self.code[..8]);
        let tail = self.len - 8;
        b[tail..].copy_from_slice(&self.code[tail..self.len]);
        b[self.pc_at..self.pc_at + 4].copy_from_slice(&pc.to_le_bytes());
        // (within one function: it fits)
        let rel = self.exit_addend - (at + self.exit_at) as i64;
        b[self.exit_at..self.exit_at + 4].copy_from_slice(&(rel as i32).to_le_bytes());
    }
}

/// What the reachability walk reads of an op (8 bytes).
#[derive(Clone, Copy, Debug)]
pub(crate) struct WalkInfo {
    /// `OpInfo::bound`.
    pub(crate) bound: [u16; 2],
    /// `OpInfo::cold`: bytes its cold twins take at most (in the function's cold area).
    pub(crate) cold: u16,
    /// Index of the T operand (3: none).
    pub(crate) target: u8,
    /// `W_STOPS | W_MAY_EXIT`.
    pub(crate) flags: u8,
}

/// Control never falls through to the next instruction (a return, `Jmp`).
pub(crate) const W_STOPS: u8 = 1;
/// `OpInfo::may_exit`.
pub(crate) const W_MAY_EXIT: u8 = 2;

/// The stencil named `name` (`stencils::index_of`: a binary search of the sorted table; a
/// hash map of the names had cost as much to build as all the lookups of `load`).
#[cfg_attr(not(test), allow(dead_code))] // (build.rs and a test)
pub(crate) fn find(name: &str) -> Result<u16, String> {
    stencils::index_of(name)
        .map(|i| i as u16)
        .ok_or_else(|| format!("the stencil table has no `{name}`"))
}

/// A register variant's name, `<stencil>__<locations>`, split in two.
#[cfg_attr(not(test), allow(dead_code))] // (build.rs and a test)
pub(crate) fn variant_parts(name: &str) -> Option<(&str, &str)> {
    // (a byte search: `str::split_once` sets up a substring searcher on every call)
    let at = name.as_bytes().windows(2).position(|w| w == b"__")?;
    Some((&name[..at], &name[at + 2..]))
}

#[cfg_attr(not(test), allow(dead_code))] // (build.rs and a test)
pub(crate) fn width(kind: HoleKind) -> u32 {
    kind.width()
}

/// The holes of stencil `s` a piece can fill: `op` for an instruction's stencil, else the
/// holes every stub may have.
#[cfg_attr(not(test), allow(dead_code))] // (build.rs and a test)
pub(crate) fn check_holes(s: &Stencil, op: Option<Op>) -> Result<(), String> {
    for h in s.holes.iter().filter(|h| !h.in_data) {
        let ok = match (h.symbol, op) {
            (
                HoleSymbol::Continue
                | HoleSymbol::Pc
                | HoleSymbol::R0
                | HoleSymbol::R1
                | HoleSymbol::R2
                | HoleSymbol::R3
                | HoleSymbol::R4
                | HoleSymbol::R5
                | HoleSymbol::F0
                | HoleSymbol::F1
                | HoleSymbol::F2
                | HoleSymbol::F3
                | HoleSymbol::F4
                | HoleSymbol::F5
                | HoleSymbol::F6
                | HoleSymbol::F7
                | HoleSymbol::Exit
                | HoleSymbol::Helper(_),
                _,
            ) => true,
            (HoleSymbol::OwnData, _) => !s.data.is_empty(),
            (HoleSymbol::A | HoleSymbol::B | HoleSymbol::C, None) => h.symbol == HoleSymbol::A,
            (_, None) => false,
            (HoleSymbol::OA | HoleSymbol::OB | HoleSymbol::OC, Some(_)) => true,
            (HoleSymbol::A | HoleSymbol::B | HoleSymbol::C, Some(op)) => {
                let i = match h.symbol {
                    HoleSymbol::A => 0,
                    HoleSymbol::B => 1,
                    _ => 2,
                };
                op.operands().get(i).is_some_and(|k| {
                    k.is_word() || matches!(k, Operand::S | Operand::N | Operand::Fn)
                })
            }
            // (an op that skips its next instruction jumps to the one after it)
            (HoleSymbol::Target, Some(op)) => {
                op.operands().contains(&Operand::T) || op.skips_next()
            }
            (HoleSymbol::K, Some(op)) => op.operands().contains(&Operand::K),
            (HoleSymbol::HelperOp, Some(op)) => op.helper().is_some(),
            (HoleSymbol::Callee | HoleSymbol::Frame, Some(op)) => op == Op::Call,
            // (`load` checks that the stencil has its twin)
            (HoleSymbol::Cold, Some(_)) => true,
            (
                HoleSymbol::ModMagic
                | HoleSymbol::ModShift
                | HoleSymbol::ModLimit
                | HoleSymbol::ModDivisor,
                Some(op),
            ) => op == Op::ModI64Imm,
            (HoleSymbol::Pow2Mask, Some(op)) => matches!(op, Op::DivI64Pow2 | Op::ModI64Pow2),
            (HoleSymbol::K2, Some(op)) => op.uses_next_constant(),
        };
        if !ok {
            let what = op.map_or("a stub".to_string(), |o| o.name().to_string());
            return Err(format!(
                "stencil {}: hole {:?} has no value for {what}",
                s.name, h.symbol
            ));
        }
    }
    Ok(())
}

/// Everything [`prepare`] derives from the stencil and op tables (`Cow`: owned when computed,
/// borrowed from the statics `build.rs` renders).
pub(crate) struct Tables {
    pub(crate) stencils: Cow<'static, [Prepared]>,
    pub(crate) short: Cow<'static, [PieceInfo]>,
    pub(crate) holes: Cow<'static, [PHole]>,
    pub(crate) ops: Cow<'static, [OpInfo]>,
    /// Per op: index of its T operand (3: none).
    pub(crate) targets: Cow<'static, [u8]>,
    /// Per op, what the reachability walk reads.
    pub(crate) walk: Cow<'static, [WalkInfo]>,
    /// Per op: why it cannot be compiled (empty: it can).
    pub(crate) broken: Cow<'static, [&'static str]>,
    /// `LOC_CODES` entries per op that has register variants.
    pub(crate) variants: Cow<'static, [u16]>,
    /// Per stencil: its cold twin (`cold.NAME`: its rare path, split off at build time and
    /// reached through its `_COLD` holes), or `NONE`.
    pub(crate) cold: Cow<'static, [u16]>,
    pub(crate) spill: [u16; CACHE_REGS],
    pub(crate) reload: [u16; CACHE_REGS],
    pub(crate) spill_f: [u16; F_CACHE_REGS],
    pub(crate) reload_f: [u16; F_CACHE_REGS],
    /// The `jmp` stencil (an entry stub's last piece).
    pub(crate) jmp: u16,
    /// The `exit_at` stencil, written without its emit function (it is the most common
    /// piece after the ops themselves: one per instruction that can side-exit).
    pub(crate) exit_at_stub: ExitAtStub,
    pub(crate) exit_at: u16,
    pub(crate) exit: u16,
}

/// `tables` (or the error that stopped [`prepare`]) as Rust source: a `static TABLES:
/// Result<Tables, &str>` built from `Cow::Borrowed` slices and struct literals (their `Debug`
/// forms).
#[cfg_attr(not(test), allow(dead_code))] // (build.rs and a test)
pub(crate) fn render(tables: Result<&Tables, &str>) -> String {
    let mut o = String::new();
    let t = match tables {
        Ok(t) => t,
        Err(e) => {
            let _ = writeln!(
                o,
                "pub(crate) static TABLES: Result<Tables, &str> = Err({e:?});"
            );
            return o;
        }
    };
    o.push_str("pub(crate) static TABLES: Result<Tables, &str> = Ok(Tables {\n");
    o.push_str("    stencils: Cow::Borrowed(&[\n");
    for p in t.stencils.iter() {
        let _ = writeln!(
            o,
            "        Prepared {{ index: {}, ft_len: {}, len: {}, ft_first: {}, ft_end: {}, \
             first: {}, end: {}, has_exit: {}, has_continue: {}, has_target: {}, \
             has_data: {} }},",
            p.index,
            p.ft_len,
            p.len,
            p.ft_first,
            p.ft_end,
            p.first,
            p.end,
            p.has_exit,
            p.has_continue,
            p.has_target,
            p.has_data
        );
    }
    o.push_str("    ]),\n");
    let _ = writeln!(o, "    short: Cow::Borrowed(&{:?}),", &*t.short);
    let _ = writeln!(o, "    holes: Cow::Borrowed(&{:?}),", &*t.holes);
    let _ = writeln!(o, "    ops: Cow::Borrowed(&{:?}),", &*t.ops);
    let _ = writeln!(o, "    targets: Cow::Borrowed(&{:?}),", &*t.targets);
    let _ = writeln!(o, "    walk: Cow::Borrowed(&{:?}),", &*t.walk);
    let _ = writeln!(o, "    broken: Cow::Borrowed(&{:?}),", &*t.broken);
    let _ = writeln!(o, "    variants: Cow::Borrowed(&{:?}),", &*t.variants);
    let _ = writeln!(o, "    cold: Cow::Borrowed(&{:?}),", &*t.cold);
    let _ = writeln!(
        o,
        "    spill: {:?},\n    reload: {:?},\n    spill_f: {:?},\n    reload_f: {:?},",
        t.spill, t.reload, t.spill_f, t.reload_f
    );
    let _ = writeln!(
        o,
        "    jmp: {},\n    exit_at_stub: {:?},\n    exit_at: {},\n    exit: {},",
        t.jmp, t.exit_at_stub, t.exit_at, t.exit
    );
    o.push_str("});\n");
    o
}

/// Prepare the stencil table for emission (see the module comment); `helper_names` are the
/// Rust helpers the stencils call, in the order of the value array (`hole_values`).
#[cfg_attr(not(test), allow(dead_code))] // (build.rs and a test)
pub(crate) fn prepare(helper_names: &[&str]) -> Result<Tables, String> {
    if stencils::STENCILS.len() >= NONE as usize {
        return Err("too many stencils for 16-bit stencil numbers".into());
    }
    let mut holes = Vec::new();
    let mut stencils = Vec::with_capacity(stencils::STENCILS.len());
    let mut code_holes: Vec<&stencils::Hole> = Vec::new();
    for (index, st) in stencils::STENCILS.iter().enumerate() {
        let len = st.code.len() as u32;
        let ft_len = if st.ends_with_continue_jump() {
            len - 5
        } else {
            len
        };
        code_holes.clear();
        code_holes.extend(st.holes.iter().filter(|h| !h.in_data));
        code_holes.sort_by_key(|h| h.offset);
        let mut n_ft = 0;
        let first_hole = holes.len();
        for &h in &code_holes {
            let src =
                v::index(h.symbol, helper_names).ok_or("stencils call too many Rust helpers")?;
            if h.offset + width(h.kind) > len || len > u16::MAX as u32 {
                return Err(format!("stencil {}: hole outside its code", st.name));
            }
            if h.offset + width(h.kind) <= ft_len {
                n_ft += 1;
            }
            let flags = match h.kind {
                HoleKind::Abs64 => WIDE,
                HoleKind::Abs32 => 0,
                HoleKind::Abs32S => SIGNED,
                HoleKind::Rel32 => REL | SIGNED,
                HoleKind::Abs8 => BYTE,
            };
            holes.push(PHole {
                at: h.offset as u16,
                src,
                flags,
                addend: i32::try_from(h.addend)
                    .map_err(|_| format!("stencil {}: addend out of range", st.name))?,
            });
        }
        // Both hole lists (falling through: without the dropped jump's hole, which comes
        // last in offset order), for the message of a value that does not fit.
        let (first, end) = (first_hole as u32, holes.len() as u32);
        let (ft_first, ft_end) = (first, first + n_ft);
        stencils.push(Prepared {
            index: index as u16,
            ft_len,
            len,
            ft_first,
            ft_end,
            first,
            end,
            has_exit: st.holes.iter().any(|h| h.symbol == HoleSymbol::Exit),
            has_continue: st.holes.iter().any(|h| h.symbol == HoleSymbol::Continue),
            has_target: st.holes.iter().any(|h| h.symbol == HoleSymbol::Target),
            has_data: !st.data.is_empty(),
        });
    }

    // Cold twins: `cold.NAME` belongs to `NAME`, which jumps to it through `_COLD`.
    let mut cold = vec![NONE; stencils::STENCILS.len()];
    for (i, st) in stencils::STENCILS.iter().enumerate() {
        if let Some(hot) = st.name.strip_prefix(stencils::COLD_PREFIX) {
            cold[find(hot)? as usize] = i as u16;
        }
    }
    for (i, st) in stencils::STENCILS.iter().enumerate() {
        let jumps_cold = st.holes.iter().any(|h| h.symbol == HoleSymbol::Cold);
        let twin = (cold[i] != NONE).then(|| &stencils::STENCILS[cold[i] as usize]);
        let twin_ok = twin.is_none_or(|t| {
            let no = |x: HoleSymbol| t.holes.iter().all(|h| h.symbol != x);
            t.data.is_empty() && no(HoleSymbol::Cold) && no(HoleSymbol::Target)
        });
        if jumps_cold != twin.is_some() || !twin_ok {
            return Err(format!("stencil {}: its cold twin does not match", st.name));
        }
    }
    // A stencil and its twin: both must have only holes the op can fill.
    let check_both = |s: u16, op: Option<Op>| {
        check_holes(&stencils::STENCILS[s as usize], op)?;
        match cold[s as usize] {
            NONE => Ok(()),
            c => check_holes(&stencils::STENCILS[c as usize], op),
        }
    };

    let side_exit = find(stencils::SIDE_EXIT)?;
    let helper = find(stencils::HELPER)?;
    let mut ops = Vec::with_capacity(Op::ALL.len());
    type Forms = (Option<[u16; CACHE_REGS]>, Option<[u16; CACHE_REGS + 1]>);
    let mut forms_of: std::collections::HashMap<u16, Forms> = Default::default();
    let mut broken = vec![String::new(); Op::ALL.len()];
    for (i, op) in Op::ALL.iter().enumerate() {
        debug_assert_eq!(*op as usize, i);
        let mut shift = [0u8; 3];
        let mut mask = [u32::MAX as u64; 3];
        let (mut target, mut k) = (3u8, 3u8);
        let mut cpos = [0u8; 3];
        let mut ncp = 0u8;
        for (j, kind) in op.operands().iter().enumerate() {
            shift[j] = if kind.is_word() { 3 } else { 0 };
            if *kind == Operand::S {
                mask[j] = u64::MAX;
            }
            match kind {
                Operand::T => target = j as u8,
                Operand::K => k = j as u8,
                Operand::I | Operand::F => {
                    cpos[ncp as usize] = j as u8;
                    ncp += 1;
                }
                _ => {}
            }
        }
        let (stencil, own_stencil) = match op.tier2() {
            Tier2::Stencil(name) => (find(name)?, true),
            Tier2::Helper(_) => (helper, false),
            Tier2::Interp => (side_exit, false),
        };
        // (Many ops share a stencil, the generic helper's above all: its forms are looked
        // up once.)
        let (cached_forms, f_forms) = *forms_of.entry(stencil).or_insert_with(|| {
            let base = stencils::STENCILS[stencil as usize].name;
            let all = |names: &mut dyn Iterator<Item = String>| -> Option<Vec<u16>> {
                names.map(|n| find(&n).ok()).collect()
            };
            if stencil == side_exit {
                return (None, None);
            }
            let c = all(&mut (1..=CACHE_REGS).map(|n| format!("{base}_c{n}")));
            let f = all(&mut (0..=CACHE_REGS).map(|n| match n {
                0 => format!("{base}_f"),
                n => format!("{base}_f_c{n}"),
            }));
            (
                c.map(|c| std::array::from_fn(|i| c[i])),
                f.map(|f| std::array::from_fn(|i| f[i])),
            )
        });
        let keep_forms = {
            let base = stencils::STENCILS[stencil as usize].name;
            let k: Option<Vec<u16>> = (1..=CACHE_REGS)
                .map(|n| find(&format!("{base}_k_c{n}")).ok())
                .collect();
            k.map(|k| std::array::from_fn(|i| k[i]))
        };
        if keep_forms.is_some()
            && (f_forms.is_none() || cached_forms.is_some() || SlotUse::of(*op).reads_next != 0)
        {
            broken[i] = format!(
                "{op:?}: keeping forms need `_f` forms, no `_cN` forms and no implicit operands"
            );
        }
        let direct_forms = if *op == Op::Call {
            let mut forms = [0u16; CACHE_REGS + 1];
            for (n, f) in forms.iter_mut().enumerate() {
                *f = match n {
                    0 => find("call_direct")?,
                    n => find(&format!("call_direct_c{n}"))?,
                };
            }
            Some(forms)
        } else {
            None
        };
        let uses = std::iter::once(stencil)
            .chain(cached_forms.into_iter().flatten())
            .chain(f_forms.into_iter().flatten())
            .chain(keep_forms.into_iter().flatten())
            .chain(direct_forms.into_iter().flatten());
        for s in uses {
            if let Err(e) = check_both(s, Some(*op)) {
                broken[i] = e;
            }
        }
        let kinds = op.operands();
        let acc = ncp == 3
            && kinds.len() == 3
            && kinds[0] == kinds[1]
            && kinds[1] == kinds[2]
            && own_stencil;
        ops.push(OpInfo {
            shift,
            mask,
            target,
            k,
            cpos,
            ncp,
            acc,
            commutes: matches!(op, Op::AddI64 | Op::MulI64 | Op::AddF64 | Op::MulF64),
            mov: if kinds.first() == Some(&Operand::F) {
                Op::MovF64 as u16
            } else {
                Op::MovI64 as u16
            },
            stencil,
            own_stencil,
            ends: target < 3 || op.is_ret(),
            cached_forms,
            f_forms,
            keep_forms,
            direct_forms,
            variants: u32::MAX,
            slots: SlotUse::of(*op),
            broken: !broken[i].is_empty(),
            bound: [0; 2],
            may_exit: false,
            raw: false,
            cold: 0,
        });
    }

    // `<stencil>__<locs>` is a register variant of the op whose stencil is <stencil>:
    // one location per cacheable operand, `m` (frame) or `0`..`3` (a register of the
    // operand's bank); for an accumulator op, the locations of a and c (`__mm`
    // included). A variant with a hole its op cannot fill is left out (the op falls back
    // to spills and reloads).
    let mut variants = Vec::new();
    // (op stencil name, op), sorted by name: the ops of a stencil are a run of it
    let mut ops_of: Vec<(&str, usize)> = Vec::new();
    for (oi, op) in Op::ALL.iter().enumerate() {
        if let Tier2::Stencil(name) = op.tier2() {
            ops_of.push((name, oi));
        }
    }
    ops_of.sort_unstable();
    // (a stencil's variants are neighbours in the sorted table: their ops are looked up
    // once per run)
    let mut run_of: (&str, &[(&str, usize)]) = ("", &[]);
    for (si, st) in stencils::STENCILS.iter().enumerate() {
        let Some((base, locs)) = variant_parts(&st.name) else {
            continue;
        };
        if run_of.0 != base {
            let from = ops_of.partition_point(|(n, _)| *n < base);
            let len = ops_of[from..]
                .iter()
                .take_while(|(n, _)| *n == base)
                .count();
            run_of = (base, &ops_of[from..from + len]);
        }
        for &(_, oi) in run_of.1 {
            let op = &Op::ALL[oi];
            // An accumulator op's variants (B = LOC_BASE): `__<a><c>` (R[a] := R[a] op
            // R[c], a in a register, at a + Bc), `__m<b><c>` (R[a] in its slot, at
            // B^2 + b + Bc) and `__x<a><c>` (the clobbering form, at 2B^2 + a + Bc).
            let acc = ops[oi].acc;
            let memdest = acc && locs.len() == 3 && locs.starts_with('m');
            let clobber = acc && locs.len() == 3 && locs.starts_with('x');
            let want = if acc && !memdest && !clobber {
                2
            } else {
                ops[oi].ncp as usize
            };
            if op.tier2() != Tier2::Stencil(base)
                || locs.len() != want
                || check_both(si as u16, Some(*op)).is_err()
            {
                continue;
            }
            let mut code = 0usize;
            let mut ok = true;
            let locs = if memdest || clobber { &locs[1..] } else { locs };
            for (j, c) in locs.bytes().enumerate() {
                let d = match c {
                    b'm' => 0,
                    b'0'..=b'9' if ((c - b'0') as usize) < LOC_BASE - 1 => 1 + (c - b'0') as usize,
                    _ => {
                        ok = false;
                        0
                    }
                };
                code += d * LOC_BASE.pow(j as u32);
            }
            if !ok || code == 0 {
                continue;
            }
            if memdest {
                code += LOC_BASE * LOC_BASE;
            }
            if clobber {
                code += 2 * LOC_BASE * LOC_BASE;
            }
            if ops[oi].variants == u32::MAX {
                ops[oi].variants = variants.len() as u32;
                variants.resize(variants.len() + LOC_CODES, NONE);
            }
            variants[ops[oi].variants as usize + code] = si as u16;
        }
    }
    fn each<const N: usize>(prefix: &str) -> Result<[u16; N], String> {
        let mut r = [0; N];
        for (k, s) in r.iter_mut().enumerate() {
            *s = find(&format!("{prefix}_{k}"))?;
        }
        Ok(r)
    }
    let spill = each::<CACHE_REGS>("spill")?;
    let reload = each::<CACHE_REGS>("reload")?;
    let spill_f = each::<F_CACHE_REGS>("spill_f")?;
    let reload_f = each::<F_CACHE_REGS>("reload_f")?;
    let (jmp, exit_at, exit) = (find("jmp")?, find("exit_at")?, find("exit_stub")?);
    let exit_at_stub = ExitAtStub::new(&stencils[exit_at as usize])?;
    for s in spill
        .iter()
        .chain(&reload)
        .chain(&spill_f)
        .chain(&reload_f)
        .chain([&exit_at, &exit])
    {
        // (stubs are copied without a cold area)
        if cold[*s as usize] != NONE {
            return Err(format!(
                "stub {} has a cold twin",
                stencils::STENCILS[*s as usize].name
            ));
        }
        check_holes(&stencils::STENCILS[*s as usize], None)?;
    }
    let short = stencils
        .iter()
        .map(|p| PieceInfo {
            ft_len: p.ft_len as u16,
            flags: if p.has_exit { P_EXIT } else { 0 }
                | if p.has_data { P_DATA } else { 0 }
                | if p.has_target { P_TARGET } else { 0 },
        })
        .zip(&cold)
        .map(|(p, &c)| PieceInfo {
            flags: p.flags | if c != NONE { P_COLD } else { 0 },
            ..p
        })
        .collect();
    // The size of a stencil's cold twin (0: none).
    let cold_size = |s: u16| match cold[s as usize] {
        NONE => 0,
        c => stencils[c as usize].len,
    };
    // Each op's size bound: its stencil (data and its alignment included), or its direct
    // form. In a function with cached registers, the largest of: a call or helper form
    // between sixteen f64 spills and reloads; a register variant after the largest move
    // (an accumulator form); the memory form between spills and reloads of its operands.
    let size = |s: u16| {
        let p = &stencils[s as usize];
        p.len
            + if p.has_data {
                p.stencil().data.len() as u32 + 15
            } else {
                0
            }
    };
    let slot = spill
        .iter()
        .chain(&reload)
        .chain(&spill_f)
        .chain(&reload_f)
        .map(|&s| size(s))
        .max()
        .unwrap_or(0);
    let row = |o: &OpInfo| match o.variants {
        u32::MAX => &[][..],
        r => &variants[r as usize..r as usize + LOC_CODES],
    };
    for i in 0..ops.len() {
        let o = &ops[i];
        let calls = o.cached_forms.into_iter().flatten();
        let calls = calls.chain(o.f_forms.into_iter().flatten());
        let calls = calls.chain(o.direct_forms.into_iter().flatten());
        let calls = calls.chain(o.keep_forms.into_iter().flatten());
        let calls: Vec<u16> = calls.collect();
        let vars: Vec<u16> = row(o).iter().copied().filter(|&s| s != NONE).collect();
        let (mov, mov_cold) = match o.acc {
            true => {
                let m = &ops[o.mov as usize];
                let all = || {
                    row(m)
                        .iter()
                        .copied()
                        .filter(|&s| s != NONE)
                        .chain([m.stencil])
                };
                let max = |f: &dyn Fn(u16) -> u32| all().map(f).max().unwrap_or(0);
                (max(&size), max(&cold_size))
            }
            false => (0, 0),
        };
        let plain = std::iter::once(o.stencil).chain(o.direct_forms.map(|d| d[0]));
        let bound0 = plain.map(size).max().unwrap_or(0);
        let around_calls = calls.iter().map(|&s| size(s)).max();
        let around_calls = around_calls.map_or(0, |c| c + 2 * F_CACHE_REGS as u32 * slot);
        let variant = vars.iter().map(|&s| size(s)).max().map_or(0, |v| v + mov);
        let memory = size(o.stencil) + 2 * o.ncp as u32 * slot;
        let all = || calls.iter().chain(&vars).chain([&o.stencil]);
        let may_exit = all().any(|&s| {
            let twin_exits =
                cold[s as usize] != NONE && stencils[cold[s as usize] as usize].has_exit;
            stencils[s as usize].has_exit || twin_exits
        });
        // (an instruction's pieces: at most the op's stencil and a move have twins)
        let cold_bound = all().map(|&s| cold_size(s)).max().unwrap_or(0) + mov_cold;
        // (a stencil's routine call may sit in its cold twin alone, as `list_push`'s does)
        let raw = all()
            .flat_map(|&s| std::iter::once(s).chain(Some(cold[s as usize]).filter(|&c| c != NONE)))
            .any(|s| {
                let holes = stencils[s as usize].stencil().holes.iter();
                holes
                    .filter(|h| !h.in_data)
                    .any(|h| matches!(h.symbol, HoleSymbol::OA | HoleSymbol::OB | HoleSymbol::OC))
            });
        let o = &mut ops[i];
        let bound1 = bound0.max(around_calls).max(variant).max(memory);
        o.bound = [
            u16::try_from(bound0).map_err(|_| "a stencil is too large")?,
            u16::try_from(bound1).map_err(|_| "a stencil is too large")?,
        ];
        o.may_exit = may_exit;
        o.raw = raw;
        o.cold = u16::try_from(cold_bound).map_err(|_| "a cold twin is too large")?;
    }
    Ok(Tables {
        short: Cow::Owned(short),
        stencils: Cow::Owned(stencils),
        holes: Cow::Owned(holes),
        targets: ops.iter().map(|o| o.target).collect(),
        walk: Op::ALL
            .iter()
            .zip(&ops)
            .map(|(op, o)| WalkInfo {
                bound: o.bound,
                target: o.target,
                flags: if op.is_ret() || *op == Op::Jmp {
                    W_STOPS
                } else {
                    0
                } | if o.may_exit { W_MAY_EXIT } else { 0 },
                cold: o.cold,
            })
            .collect(),
        ops: Cow::Owned(ops),
        // (the build script's strings live as long as it does)
        broken: broken
            .into_iter()
            .map(|b| &*Box::leak(b.into_boxed_str()))
            .collect(),
        variants: Cow::Owned(variants),
        cold: Cow::Owned(cold),
        spill,
        reload,
        spill_f,
        reload_f,
        jmp,
        exit_at_stub,
        exit_at,
        exit,
    })
}

#[cfg(test)]
mod tests {
    use super::SlotUse;
    use vm::ops::Op;

    fn rw(op: Op) -> (u8, u8, u8) {
        let u = SlotUse::of(op);
        (u.reads, u.reads_next, u.writes)
    }

    /// The reads and writes the loop-free register cache's liveness relies on, as the op
    /// table's semantics give them.
    #[test]
    fn slot_use_follows_the_semantics() {
        // R[a] := R[b] + R[c]: a written (not read), b and c read.
        assert_eq!(rw(Op::AddI64), (0b110, 0, 0b001));
        // R[a] := R[a] + 1; if R[a] < R[b] ...: a read and written.
        assert_eq!(rw(Op::IncJLtI64), (0b011, 0, 0b001));
        // Branches and returns only read.
        assert_eq!(rw(Op::JLtI64), (0b011, 0, 0));
        assert_eq!(rw(Op::RetI64), (0b001, 0, 0));
        // A store into a list reads all three.
        assert_eq!(rw(Op::ListSetI64), (0b111, 0, 0));
        // R[a] := R[b][R[c] : R[c+1]]: the word after c is read too.
        assert_eq!(rw(Op::StrSlice), (0b110, 0b100, 0b001));
        // A call writes its result word b; a closure call reads the closure a.
        assert_eq!(rw(Op::Call), (0, 0, 0b010));
        assert_eq!(rw(Op::CallClosure), (0b001, 0, 0b010));
        assert!(SlotUse::of(Op::Call).call && !SlotUse::of(Op::AddI64).call);
    }
}
