//! Compiling one function (the whole of copy-and-patch, as in CPython's Python/jit.c): pick
//! stencils per instruction, lay the code out, copy it, walk the holes and store their values.
//!
//! ## Speed
//! Everything that does not depend on the function is decided once per process, when the
//! stencil table is loaded ([`StencilSet::get`]): each stencil's copy length with and
//! without its trailing `jmp _CONTINUE`, its holes with the value each one takes already
//! classified (helper addresses resolved), per op the hole encoding of its operands, where its
//! jump target and constant are, and its register variants in a dense table indexed by op
//! number and operand locations. Compiling a function is then two linear passes over its
//! instructions with no hashing and no allocation per op (the scratch vectors of an
//! [`Emitter`] are reused from function to function): the plan pass picks each piece's stencil
//! and its offset, the copy pass copies each piece's bytes once and stores its holes at
//! constant offsets. Operand ranges were checked once by the verifier (`vm::verify`); the
//! patcher still refuses a value that does not fit its hole (one compare per hole).
//!
//! ## Register caching
//! A function with loops keeps up to four of its hottest i64 slots (uses weighted by loop
//! depth) in the registers x0..x3 of the stencil ABI (`stencils/src/mochi.h`). For an
//! instruction with a cached operand the emitter picks the op's register variant
//! (`add_i64__0m1`: a in x0, b in memory, c in x1); an op without one is wrapped in
//! `spill_k` (before: the op reads the frame slot) and `reload_k` (after: it may have written
//! it) stencils. An op whose stencil `S` has forms `S_c1`..`S_c4` (calls, closure calls, the
//! generic helper) uses `S_cN` in a function that caches N registers: those spill and reload
//! around whatever they call. Every side exit is one conditional jump to its instruction's
//! `exit_at` stub, which records the pc and goes on to the function's exit stub, which spills
//! the cached registers (its `_R0`..`_R3` holes hold the cached slots' offsets), so the
//! interpreter always finds a whole frame; native code is entered only through `enter` stubs
//! that load the registers.
//!
//! Layout of a function's code:
//! ```text
//!   [pieces of pc 0]...[pieces of pc n-1][entry stubs][exit_at stubs][exit stub] pad16 [data]
//! ```
//! A piece whose code ends with `jmp _CONTINUE` loses those five bytes when its continuation
//! comes next. Each stencil's read-only data is copied once per function, after the code;
//! holes that point into it are PC-relative, so code and data share the pages.

use crate::code_memory::CodeMemory;
use crate::patch;
use std::sync::OnceLock;
use stencils::{HoleKind, HoleSymbol, Stencil};
use vm::ops::{Instr, Op, Operand, Tier2};
use vm::program::{Bank, Function, Program};

/// Registers a function can cache slots in.
pub const CACHE_REGS: usize = 4;

/// "No stencil" in the dense tables.
const NONE: u16 = u16::MAX;
/// Locations of an op's (at most three) i64 operands, as a base-5 number: digit `j` is 0 when
/// the j-th i64 operand is in the frame, `1 + r` when it is cached in register r.
const LOC_CODES: usize = 125;
/// Code is copied in blocks of this many bytes.
const COPY_BLOCK: usize = 64;

/// Where a hole's value comes from: an index into the value array the copy pass fills for
/// each piece (so storing a hole is a load, an add and a store, with no branch on its kind).
mod v {
    /// `_CONTINUE`: the next piece (an entry stub: its instruction).
    pub const CONTINUE: u8 = 0;
    /// `_TARGET`: the first piece of the jump target.
    pub const TARGET: u8 = 1;
    /// `_A`/`_B`/`_C`: the operands, encoded by kind (a spill or reload: `_A` is its slot).
    pub const A: u8 = 2;
    /// `_K`: the constant named by the K operand.
    pub const K: u8 = 5;
    pub const PC: u8 = 6;
    /// `_R0`..`_R3`: offsets of the slots cached in x0..x3 (0: unused).
    pub const R0: u8 = 7;
    /// `_EXIT`: the instruction's `exit_at` stub (for an `exit_at` stub: the exit stub).
    pub const EXIT: u8 = 11;
    /// `_OA`/`_OB`/`_OC`: the raw operands.
    pub const OA: u8 = 12;
    /// `_H`: the instruction's helper routine.
    pub const HELPER_OP: u8 = 15;
    /// The stencil's own data.
    pub const DATA: u8 = 16;
    /// `_H_<name>`: the address of a Rust helper (`HELPERS + i`: the i-th name).
    pub const HELPERS: u8 = 17;
    pub const MAX_HELPERS: usize = 15;
    pub const COUNT: usize = HELPERS as usize + MAX_HELPERS;
}

/// A hole, ready to patch: `value[src] + addend` (minus the hole's own address when
/// `REL`), stored in 8 bytes (`WIDE`) or 4, where it must fit an i32 (`SIGNED`) or a u32.
#[derive(Clone, Copy, Debug)]
struct PHole {
    at: u16,
    src: u8,
    flags: u8,
    addend: i32,
}

const REL: u8 = 1;
const WIDE: u8 = 2;
const SIGNED: u8 = 4;

impl PHole {
    fn kind(&self) -> HoleKind {
        match self.flags {
            f if f & WIDE != 0 => HoleKind::Abs64,
            f if f & REL != 0 => HoleKind::Rel32,
            f if f & SIGNED != 0 => HoleKind::Abs32S,
            _ => HoleKind::Abs32,
        }
    }
}

/// A stencil, ready to copy.
struct Prepared {
    stencil: &'static Stencil,
    /// Where its code starts in `StencilSet::code`.
    code_at: u32,
    /// Bytes copied when the piece is followed by its continuation (the trailing
    /// `jmp _CONTINUE` dropped), and when it is not.
    ft_len: u32,
    len: u32,
    /// Its code holes: `holes[first..ft_end]` lie inside `ft_len`, `holes[first..end]` is all.
    first: u32,
    ft_end: u32,
    end: u32,
    /// It has a side exit (an `_EXIT` hole).
    has_exit: bool,
    /// It has a `_CONTINUE` hole.
    has_continue: bool,
    /// It has read-only data.
    has_data: bool,
}

/// What the emitter needs to know about an op, from the op table.
#[derive(Clone, Copy)]
struct OpInfo {
    /// Hole encoding of operands a, b, c: shifted left by `shift` (3 for slots and word
    /// counts: byte offsets), sign-extended from 32 bits first when `sext` (`S`).
    shift: [u8; 3],
    sext: [bool; 3],
    /// Index of the T operand (3: none).
    target: u8,
    /// Index of the K operand (3: none).
    k: u8,
    /// Indices of the i64 (`I`) operands.
    i64_pos: [u8; 3],
    n_i64: u8,
    /// Its stencil (`side_exit` for interpreter-only ops, `helper` for helper ops).
    stencil: u16,
    /// Runs a stencil of its own (not a side exit, not the generic helper).
    own_stencil: bool,
    /// The op branches or returns: after its memory form nothing needs reloading.
    ends: bool,
    /// Its forms for 1..4 cached registers (`S_c1`..`S_c4`), if the stencil has them.
    cached_forms: Option<[u16; CACHE_REGS]>,
    /// Start of its row in `StencilSet::variants` (`u32::MAX`: no register variants).
    variants: u32,
    /// A stencil it would use has a hole the op cannot fill: compiling it fails with
    /// `StencilSet::broken[op]`.
    broken: bool,
}

/// The stencil table prepared for emission (built once per process).
pub struct StencilSet {
    stencils: Vec<Prepared>,
    /// Every stencil's code, one after the other, then `COPY_BLOCK` bytes of padding.
    code: Vec<u8>,
    holes: Vec<PHole>,
    ops: Vec<OpInfo>,
    /// Per op: index of its T operand (3: none).
    targets: Vec<u8>,
    broken: Vec<String>,
    /// `LOC_CODES` entries per op that has register variants.
    variants: Vec<u16>,
    spill: [u16; CACHE_REGS],
    reload: [u16; CACHE_REGS],
    enter: u16,
    exit_at: u16,
    exit: u16,
    /// The addresses of the Rust helpers stencils call (`_H_<name>`).
    helper_values: Vec<u64>,
    /// `MOCHI_JIT_TRACE` is set.
    trace: bool,
}

fn find(name: &str) -> Result<u16, String> {
    stencils::STENCILS
        .iter()
        .position(|s| s.name == name)
        .map(|i| i as u16)
        .ok_or_else(|| format!("the stencil table has no `{name}`"))
}

fn width(kind: HoleKind) -> u32 {
    match kind {
        HoleKind::Abs64 => 8,
        _ => 4,
    }
}

/// The holes of stencil `s` a piece can fill: `op` for an instruction's stencil, else the
/// holes every stub may have.
fn check_holes(s: &Stencil, op: Option<Op>) -> Result<(), String> {
    for h in s.holes.iter().filter(|h| !h.in_data) {
        let ok = match (h.symbol, op) {
            (
                HoleSymbol::Continue
                | HoleSymbol::Pc
                | HoleSymbol::R0
                | HoleSymbol::R1
                | HoleSymbol::R2
                | HoleSymbol::R3
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
            (HoleSymbol::Target, Some(op)) => op.operands().contains(&Operand::T),
            (HoleSymbol::K, Some(op)) => op.operands().contains(&Operand::K),
            (HoleSymbol::HelperOp, Some(op)) => op.helper().is_some(),
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

impl StencilSet {
    /// The prepared table, built on first use.
    pub fn get() -> Result<&'static StencilSet, String> {
        static SET: OnceLock<Result<StencilSet, String>> = OnceLock::new();
        SET.get_or_init(StencilSet::load)
            .as_ref()
            .map_err(|e| e.clone())
    }

    fn load() -> Result<Self, String> {
        if stencils::STENCILS.len() >= NONE as usize {
            return Err("too many stencils for 16-bit stencil numbers".into());
        }
        let mut holes = Vec::new();
        let mut code = Vec::new();
        let (mut helper_names, mut helper_values) = (Vec::new(), Vec::new());
        let mut stencils = Vec::with_capacity(stencils::STENCILS.len());
        for st in stencils::STENCILS {
            let len = st.code.len() as u32;
            let ft_len = if st.ends_with_continue_jump() {
                len - 5
            } else {
                len
            };
            let first = holes.len() as u32;
            let code_at = code.len() as u32;
            code.extend_from_slice(st.code);
            let mut code_holes: Vec<&stencils::Hole> =
                st.holes.iter().filter(|h| !h.in_data).collect();
            code_holes.sort_by_key(|h| h.offset);
            let mut ft_end = first;
            for h in code_holes {
                let src = match h.symbol {
                    HoleSymbol::Continue => v::CONTINUE,
                    HoleSymbol::Target => v::TARGET,
                    HoleSymbol::A => v::A,
                    HoleSymbol::B => v::A + 1,
                    HoleSymbol::C => v::A + 2,
                    HoleSymbol::K => v::K,
                    HoleSymbol::Pc => v::PC,
                    HoleSymbol::R0 => v::R0,
                    HoleSymbol::R1 => v::R0 + 1,
                    HoleSymbol::R2 => v::R0 + 2,
                    HoleSymbol::R3 => v::R0 + 3,
                    HoleSymbol::Exit => v::EXIT,
                    HoleSymbol::OA => v::OA,
                    HoleSymbol::OB => v::OA + 1,
                    HoleSymbol::OC => v::OA + 2,
                    HoleSymbol::HelperOp => v::HELPER_OP,
                    HoleSymbol::Helper(name) => {
                        let i = match helper_names.iter().position(|n| *n == name) {
                            Some(i) => i,
                            None => {
                                helper_names.push(name);
                                helper_values.push(helper(name)?);
                                helper_names.len() - 1
                            }
                        };
                        if i >= v::MAX_HELPERS {
                            return Err("stencils call too many Rust helpers".into());
                        }
                        v::HELPERS + i as u8
                    }
                    HoleSymbol::OwnData => v::DATA,
                };
                if h.offset + width(h.kind) > len || len > u16::MAX as u32 {
                    return Err(format!("stencil {}: hole outside its code", st.name));
                }
                if h.offset + width(h.kind) <= ft_len {
                    ft_end += 1;
                }
                let flags = match h.kind {
                    HoleKind::Abs64 => WIDE,
                    HoleKind::Abs32 => 0,
                    HoleKind::Abs32S => SIGNED,
                    HoleKind::Rel32 => REL | SIGNED,
                };
                holes.push(PHole {
                    at: h.offset as u16,
                    src,
                    flags,
                    addend: i32::try_from(h.addend)
                        .map_err(|_| format!("stencil {}: addend out of range", st.name))?,
                });
            }
            stencils.push(Prepared {
                stencil: st,
                code_at,
                ft_len,
                len,
                first,
                ft_end,
                end: holes.len() as u32,
                has_exit: st.holes.iter().any(|h| h.symbol == HoleSymbol::Exit),
                has_continue: st.holes.iter().any(|h| h.symbol == HoleSymbol::Continue),
                has_data: !st.data.is_empty(),
            });
        }

        code.resize(code.len() + COPY_BLOCK, 0);
        let side_exit = find(stencils::SIDE_EXIT)?;
        let helper = find(stencils::HELPER)?;
        let mut ops = Vec::with_capacity(Op::ALL.len());
        let mut broken = vec![String::new(); Op::ALL.len()];
        for (i, op) in Op::ALL.iter().enumerate() {
            debug_assert_eq!(*op as usize, i);
            let mut shift = [0u8; 3];
            let mut sext = [false; 3];
            let (mut target, mut k) = (3u8, 3u8);
            let mut i64_pos = [0u8; 3];
            let mut n_i64 = 0u8;
            for (j, kind) in op.operands().iter().enumerate() {
                shift[j] = if kind.is_word() { 3 } else { 0 };
                sext[j] = *kind == Operand::S;
                match kind {
                    Operand::T => target = j as u8,
                    Operand::K => k = j as u8,
                    Operand::I => {
                        i64_pos[n_i64 as usize] = j as u8;
                        n_i64 += 1;
                    }
                    _ => {}
                }
            }
            let (stencil, own_stencil) = match op.tier2() {
                Tier2::Stencil(name) => (find(name)?, true),
                Tier2::Helper(_) => (helper, false),
                Tier2::Interp => (side_exit, false),
            };
            let base_name = stencils::STENCILS[stencil as usize].name;
            let cached_forms = if stencil == side_exit {
                None
            } else {
                let forms: Vec<Option<u16>> = (1..=CACHE_REGS)
                    .map(|n| find(&format!("{base_name}_c{n}")).ok())
                    .collect();
                match forms.as_slice() {
                    [Some(a), Some(b), Some(c), Some(d)] => Some([*a, *b, *c, *d]),
                    _ => None,
                }
            };
            let uses = std::iter::once(stencil).chain(cached_forms.into_iter().flatten());
            for s in uses {
                if let Err(e) = check_holes(&stencils::STENCILS[s as usize], Some(*op)) {
                    broken[i] = e;
                }
            }
            ops.push(OpInfo {
                shift,
                sext,
                target,
                k,
                i64_pos,
                n_i64,
                stencil,
                own_stencil,
                ends: target < 3 || op.is_ret(),
                cached_forms,
                variants: u32::MAX,
                broken: !broken[i].is_empty(),
            });
        }

        // `<stencil>__<locs>` is a register variant of the op whose stencil is <stencil>:
        // one location per i64 operand, `m` (frame) or `0`..`3` (register). A variant with a
        // hole its op cannot fill is left out (the op falls back to spills and reloads).
        let mut variants = Vec::new();
        for (si, st) in stencils::STENCILS.iter().enumerate() {
            let Some((base, locs)) = st.name.split_once("__") else {
                continue;
            };
            for (oi, op) in Op::ALL.iter().enumerate() {
                if op.tier2() != Tier2::Stencil(base)
                    || locs.len() != ops[oi].n_i64 as usize
                    || check_holes(st, Some(*op)).is_err()
                {
                    continue;
                }
                let mut code = 0usize;
                let mut ok = true;
                for (j, c) in locs.bytes().enumerate() {
                    let d = match c {
                        b'm' => 0,
                        b'0'..=b'3' => 1 + (c - b'0') as usize,
                        _ => {
                            ok = false;
                            0
                        }
                    };
                    code += d * 5usize.pow(j as u32);
                }
                if !ok || code == 0 {
                    continue;
                }
                if ops[oi].variants == u32::MAX {
                    ops[oi].variants = variants.len() as u32;
                    variants.resize(variants.len() + LOC_CODES, NONE);
                }
                variants[ops[oi].variants as usize + code] = si as u16;
            }
        }
        let each = |prefix: &str| -> Result<[u16; CACHE_REGS], String> {
            let mut r = [0; CACHE_REGS];
            for (k, s) in r.iter_mut().enumerate() {
                *s = find(&format!("{prefix}_{k}"))?;
            }
            Ok(r)
        };
        let spill = each("spill")?;
        let reload = each("reload")?;
        let (enter, exit_at, exit) = (find("enter")?, find("exit_at")?, find("exit_stub")?);
        for s in spill.iter().chain(&reload).chain([&enter, &exit_at, &exit]) {
            check_holes(&stencils::STENCILS[*s as usize], None)?;
        }
        Ok(StencilSet {
            stencils,
            code,
            holes,
            targets: ops.iter().map(|o| o.target).collect(),
            ops,
            broken,
            variants,
            spill,
            reload,
            enter,
            exit_at,
            exit,
            helper_values,
            trace: std::env::var_os("MOCHI_JIT_TRACE").is_some(),
        })
    }

    /// The stencil of `op` in a function that caches no register.
    pub fn for_op(&self, op: Op) -> &'static Stencil {
        self.stencils[self.ops[op as usize].stencil as usize].stencil
    }
}

/// What `emit` produced.
pub struct Emitted {
    /// Base address of the function's code.
    pub base: usize,
    /// Native entry point of each instruction that can be entered (pc 0 and jump targets);
    /// null for the others.
    pub pc_addrs: Vec<*const u8>,
    /// Bytes of code (without data and padding).
    pub code_bytes: usize,
    /// Stencils copied (instructions, spills, reloads and entry stubs).
    pub stencils_copied: usize,
}

/// What a piece of a function's code is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// (A register form of) the instruction's stencil.
    Op,
    /// `spill_k` / `reload_k` of the slot at this word (`_A`).
    Slot(u32),
    /// An entry stub (loads the cached registers, continues at the instruction).
    Enter,
    /// The side exit of the instruction (the `_EXIT` of its pieces): records the pc.
    ExitAt,
    /// The function's exit stub (the `_EXIT` of every `exit_at`).
    Exit,
}

/// One stencil instance in the layout.
#[derive(Clone, Copy)]
struct Piece {
    stencil: u16,
    role: Role,
    /// The instruction it belongs to (its operands fill `_A`/`_B`/`_C`, `_K`, `_TARGET`).
    pc: u32,
}

/// One piece of a compiled function, for `--dump-jit`.
#[derive(Clone, Debug)]
pub struct ListedPiece {
    /// Byte offset from the function's base, and length.
    pub offset: usize,
    pub len: usize,
    pub pc: usize,
    pub role: Role,
    pub stencil: &'static str,
}

/// The layout of a compiled function, for `--dump-jit`.
#[derive(Clone, Debug, Default)]
pub struct Listing {
    pub base: usize,
    /// Bytes of code (data excluded).
    pub code_bytes: usize,
    /// Cached slots (word indices) in x0..x3.
    pub cache: Vec<u32>,
    pub pieces: Vec<ListedPiece>,
    /// The patched code as installed.
    pub code: Vec<u8>,
}

/// Compiles functions; keeps its scratch vectors from one function to the next, so emitting
/// allocates only the function's entry table.
pub struct Emitter {
    set: &'static StencilSet,
    pieces: Vec<Piece>,
    /// Code offset of each instruction's first piece.
    pc_off: Vec<u32>,
    /// Each instruction's jump target (0: none).
    tgt: Vec<u32>,
    /// Per instruction: its entry stub's offset, or `u32::MAX` (first: 1 when it needs one).
    enter_off: Vec<u32>,
    /// Per instruction: its `exit_at` stub's offset, or `u32::MAX` (first: 1 when it needs
    /// one).
    exit_off: Vec<u32>,
    /// Stencils with data, and where their data goes.
    data: Vec<(u16, u32)>,
    depth: Vec<i32>,
    score: Vec<u64>,
}

impl Emitter {
    pub fn new() -> Result<Self, String> {
        Ok(Emitter {
            set: StencilSet::get()?,
            pieces: Vec::new(),
            pc_off: Vec::new(),
            tgt: Vec::new(),
            enter_off: Vec::new(),
            exit_off: Vec::new(),
            data: Vec::new(),
            depth: Vec::new(),
            score: Vec::new(),
        })
    }

    pub fn set(&self) -> &'static StencilSet {
        self.set
    }

    /// Compile function `fid` of `prog` into fresh executable pages of `mem`. With `listing`,
    /// also describe the layout.
    pub fn emit(
        &mut self,
        mem: &mut CodeMemory,
        prog: &Program,
        fid: usize,
        listing: Option<&mut Listing>,
    ) -> Result<Emitted, String> {
        let f = prog
            .funcs
            .get(fid)
            .ok_or_else(|| format!("no function #{fid}"))?;
        if f.code.is_empty() {
            return Err(format!("function {} has no code", f.name));
        }
        if f.code.len() >= u32::MAX as usize / 2 {
            return Err(format!("function {} is too large", f.name));
        }
        let mut cache_words = [0u32; CACHE_REGS];
        let ncache = choose_cache_into(
            f,
            &self.set.targets,
            &mut self.depth,
            &mut self.score,
            &mut cache_words,
        );
        let cache = &cache_words[..ncache];
        let set = self.set;
        let st = &set.stencils;

        // ---- plan: pieces and their offsets ----
        let n = f.code.len();
        self.pieces.clear();
        self.pc_off.clear();
        self.tgt.clear();
        self.enter_off.clear();
        self.enter_off.resize(n, 0);
        self.exit_off.clear();
        self.exit_off.resize(n, u32::MAX);
        self.data.clear();
        let pieces = &mut self.pieces;
        let exit_off = &mut self.exit_off;
        let enter_off = &mut self.enter_off;
        let mut pos: u32 = 0;
        let mut any_data = false;
        // An instruction's pieces are each followed by their continuation.
        macro_rules! push {
            ($s:expr, $role:expr, $pc:expr) => {{
                let (s, pc): (u16, usize) = ($s, $pc);
                let p = &st[s as usize];
                pieces.push(Piece {
                    stencil: s,
                    role: $role,
                    pc: pc as u32,
                });
                if p.has_exit {
                    exit_off[pc] = 1;
                }
                any_data |= p.has_data;
                pos += p.ft_len;
            }};
        }
        let reg_of = |w: u32| cache.iter().position(|c| *c == w);
        let n_consts = prog.consts.len();
        for (pc, ins) in f.code.iter().enumerate() {
            self.pc_off.push(pos);
            let info = &set.ops[ins.op as usize];
            let vals = ins.operand_values();
            if info.broken {
                return Err(plan_error(f, pc, &set.broken[ins.op as usize]));
            }
            let mut t = 0;
            if info.target < 3 {
                // Every jump target gets an entry stub (below) when registers are cached.
                t = vals[info.target as usize] as usize;
                match enter_off.get_mut(t) {
                    Some(e) => *e |= (ncache > 0) as u32,
                    None => {
                        return Err(plan_error(f, pc, &format!("jump target {t} out of range")))
                    }
                }
            }
            self.tgt.push(t as u32);
            if info.k < 3 && vals[info.k as usize] as usize >= n_consts {
                let k = vals[info.k as usize];
                return Err(plan_error(f, pc, &format!("constant K{k} out of range")));
            }
            if ncache == 0 || info.n_i64 == 0 && info.cached_forms.is_none() {
                push!(info.stencil, Role::Op, pc);
                continue;
            }
            if let Some(forms) = info.cached_forms {
                // Spills the cached registers before what it calls and reloads them after.
                push!(forms[ncache - 1], Role::Op, pc);
                continue;
            }
            if !info.own_stencil {
                // Side exits spill every register themselves.
                push!(info.stencil, Role::Op, pc);
                continue;
            }
            let mut code = 0usize;
            let mut scale = 1usize;
            for &j in &info.i64_pos[..info.n_i64 as usize] {
                if let Some(r) = reg_of(vals[j as usize]) {
                    code += (1 + r) * scale;
                }
                scale *= 5;
            }
            if code == 0 {
                push!(info.stencil, Role::Op, pc);
                continue;
            }
            if info.variants != u32::MAX {
                let v = set.variants[info.variants as usize + code];
                if v != NONE {
                    push!(v, Role::Op, pc);
                    continue;
                }
            }
            // No variant: make the frame slots current, run the memory form, reload what it
            // may have written. A branch only reads its operands (the one op that writes and
            // branches, IncJLtI64, has every variant), and a return ends the frame.
            for &j in &info.i64_pos[..info.n_i64 as usize] {
                let w = vals[j as usize];
                if let Some(r) = reg_of(w) {
                    push!(set.spill[r], Role::Slot(w), pc);
                }
            }
            push!(info.stencil, Role::Op, pc);
            if !info.ends {
                for &j in &info.i64_pos[..info.n_i64 as usize] {
                    let w = vals[j as usize];
                    if let Some(r) = reg_of(w) {
                        push!(set.reload[r], Role::Slot(w), pc);
                    }
                }
            }
        }
        // The last instruction piece has no continuation (a verified function ends with a
        // return): it keeps its whole code, and a `_CONTINUE` in it is an error.
        let last_instr = pieces.len() - 1;
        let lp = &st[pieces[last_instr].stencil as usize];
        if lp.has_continue {
            return Err(plan_error(f, n - 1, "falls off the end"));
        }
        pos += lp.len - lp.ft_len;
        // Entry stubs (only when registers are cached): pc 0 and every jump target.
        if ncache > 0 {
            enter_off[0] = 1;
            let len = st[set.enter as usize].len;
            for (pc, e) in enter_off.iter_mut().enumerate() {
                if *e == 1 {
                    *e = pos;
                    pos += len;
                    pieces.push(Piece {
                        stencil: set.enter,
                        role: Role::Enter,
                        pc: pc as u32,
                    });
                } else {
                    *e = u32::MAX;
                }
            }
        }
        // The side exit of every instruction that has one, then the function's exit stub.
        let exit_at_len = st[set.exit_at as usize].len;
        for (pc, e) in exit_off.iter_mut().enumerate() {
            if *e == 1 {
                *e = pos;
                pos += exit_at_len;
                pieces.push(Piece {
                    stencil: set.exit_at,
                    role: Role::ExitAt,
                    pc: pc as u32,
                });
            }
        }
        let exit_stub_off = pos;
        pieces.push(Piece {
            stencil: set.exit,
            role: Role::Exit,
            pc: 0,
        });
        pos += st[set.exit as usize].len;
        let code_bytes = pos as usize;
        // Each stencil's data, once.
        let mut end = code_bytes;
        for p in pieces.iter().filter(|_| any_data) {
            let s = st[p.stencil as usize].stencil;
            if !s.data.is_empty() && !self.data.iter().any(|(d, _)| *d == p.stencil) {
                end = end.next_multiple_of(16);
                self.data.push((p.stencil, end as u32));
                end += s.data.len();
            }
        }

        if set.trace {
            trace(f, cache, pieces, st);
        }
        // Offsets of the cached slots for the _R0.._R3 holes (0: register unused).
        let mut reg_offsets = [0u64; CACHE_REGS];
        for (r, w) in cache.iter().enumerate() {
            reg_offsets[r] = 8 * *w as u64;
        }

        // ---- copy and patch ----
        let mut listing = listing;
        let listing_code = listing.as_mut().map(|l| &mut l.code);
        let pieces = &self.pieces;
        let pc_off = &self.pc_off;
        let tgt = &self.tgt;
        let enter_off = &self.enter_off;
        let exit_off = &self.exit_off;
        let data = &self.data;
        let base = mem.install(end, |buf, base| {
            let mut vals = [0u64; v::COUNT];
            vals[v::R0 as usize..v::R0 as usize + CACHE_REGS].copy_from_slice(&reg_offsets);
            let h = v::HELPERS as usize;
            vals[h..h + set.helper_values.len()].copy_from_slice(&set.helper_values);
            let data_value = |s: u16| {
                let o = data.iter().find(|(d, _)| *d == s).map_or(0, |d| d.1);
                (base + o as usize) as u64
            };
            let mut pos = 0usize;
            let mut i = 0usize;
            // The instructions: the values of their holes once per instruction, then each
            // of its pieces (spills, the op, reloads).
            for (pc, ins) in f.code.iter().enumerate() {
                let info = &set.ops[ins.op as usize];
                let raw = ins.operand_values();
                for j in 0..3 {
                    let x = raw[j] as u64;
                    let x = if info.sext[j] {
                        x as i32 as i64 as u64
                    } else {
                        x
                    };
                    vals[v::A as usize + j] = x << info.shift[j];
                    vals[v::OA as usize + j] = raw[j] as u64;
                }
                let op_a = vals[v::A as usize];
                vals[v::TARGET as usize] = (base + pc_off[tgt[pc] as usize] as usize) as u64;
                if info.k < 3 {
                    vals[v::K as usize] = prog.consts[raw[info.k as usize] as usize];
                }
                vals[v::PC as usize] = pc as u64;
                vals[v::EXIT as usize] = (base + exit_off[pc] as usize) as u64;
                vals[v::HELPER_OP as usize] = ins.op.helper().map_or(0, |h| h as usize as u64);
                while i <= last_instr && pieces[i].pc as usize == pc {
                    let p = &pieces[i];
                    let ps = &st[p.stencil as usize];
                    let (len, hend) = if i != last_instr {
                        (ps.ft_len, ps.ft_end)
                    } else {
                        (ps.len, ps.end)
                    };
                    let len = len as usize;
                    copy_code(buf, pos, &set.code, ps.code_at as usize, len);
                    vals[v::CONTINUE as usize] = (base + pos + len) as u64;
                    vals[v::A as usize] = match p.role {
                        Role::Slot(w) => 8 * w as u64,
                        _ => op_a,
                    };
                    if ps.has_data {
                        vals[v::DATA as usize] = data_value(p.stencil);
                    }
                    let holes = &set.holes[ps.first as usize..hend as usize];
                    if patch_holes(buf, pos, base, holes, &vals) {
                        return Err(range_error(f, p, ps, holes, &vals, base, pos));
                    }
                    pos += len;
                    i += 1;
                }
            }
            // The stubs: entries, side exits, the exit stub.
            for p in &pieces[last_instr + 1..] {
                let ps = &st[p.stencil as usize];
                let pc = p.pc as usize;
                let len = ps.len as usize;
                copy_code(buf, pos, &set.code, ps.code_at as usize, len);
                vals[v::PC as usize] = pc as u64;
                vals[v::CONTINUE as usize] = (base + pc_off[pc] as usize) as u64;
                vals[v::EXIT as usize] = (base + exit_stub_off as usize) as u64;
                let holes = &set.holes[ps.first as usize..ps.end as usize];
                if patch_holes(buf, pos, base, holes, &vals) {
                    return Err(range_error(f, p, ps, holes, &vals, base, pos));
                }
                pos += len;
            }
            // The data goes after the code (a piece never writes past its own length).
            for &(s, off) in data {
                copy_data(buf, base, off as usize, st[s as usize].stencil)?;
            }
            if let Some(l) = listing_code {
                l.clear();
                l.extend_from_slice(&buf[..code_bytes]);
            }
            Ok(())
        })?;

        // Entry points: the stub when registers are cached, else the instruction's code.
        let pc_addrs = if ncache == 0 {
            pc_off
                .iter()
                .map(|o| (base + *o as usize) as *const u8)
                .collect()
        } else {
            enter_off
                .iter()
                .map(|o| match *o {
                    u32::MAX => std::ptr::null(),
                    o => (base + o as usize) as *const u8,
                })
                .collect()
        };
        if let Some(l) = listing {
            l.base = base;
            l.code_bytes = code_bytes;
            l.cache = cache.to_vec();
            l.pieces.clear();
            let mut pos = 0usize;
            for (i, p) in pieces.iter().enumerate() {
                let ps = &st[p.stencil as usize];
                let len = match p.role {
                    Role::Op | Role::Slot(_) if i != last_instr => ps.ft_len,
                    _ => ps.len,
                } as usize;
                l.pieces.push(ListedPiece {
                    offset: pos,
                    len,
                    pc: p.pc as usize,
                    role: p.role,
                    stencil: ps.stencil.name,
                });
                pos += len;
            }
        }
        Ok(Emitted {
            base,
            pc_addrs,
            code_bytes,
            stencils_copied: pieces.len(),
        })
    }
}

/// Copy `len` bytes of stencil code from `code[src..]` to `buf[pos..]`: in 64-byte blocks
/// (no call and no branch on the length for most stencils) when `buf` has room for the last
/// block; the bytes past `len` are overwritten by the next piece, or lie in the padding or
/// data written after the code. `code` ends with `COPY_BLOCK` bytes of padding.
#[inline(always)]
fn copy_code(buf: &mut [u8], pos: usize, code: &[u8], src: usize, len: usize) {
    if pos + len.next_multiple_of(COPY_BLOCK) <= buf.len() {
        let mut c = 0;
        loop {
            buf[pos + c..pos + c + COPY_BLOCK]
                .copy_from_slice(&code[src + c..src + c + COPY_BLOCK]);
            c += COPY_BLOCK;
            if c >= len {
                break;
            }
        }
    } else {
        buf[pos..pos + len].copy_from_slice(&code[src..src + len]);
    }
}

/// Store the holes of the piece copied at `pos`; true if a value did not fit its hole.
#[inline(always)]
fn patch_holes(
    buf: &mut [u8],
    pos: usize,
    base: usize,
    holes: &[PHole],
    vals: &[u64; v::COUNT],
) -> bool {
    let mut bad = false;
    for h in holes {
        let at = pos + h.at as usize;
        let mut x = vals[h.src as usize].wrapping_add(h.addend as i64 as u64);
        if h.flags & REL != 0 {
            x = x.wrapping_sub((base + at) as u64);
        }
        if h.flags & WIDE != 0 {
            buf[at..at + 8].copy_from_slice(&x.to_le_bytes());
        } else {
            let bias = if h.flags & SIGNED != 0 { 1u64 << 31 } else { 0 };
            bad |= x.wrapping_add(bias) > u32::MAX as u64;
            buf[at..at + 4].copy_from_slice(&(x as u32).to_le_bytes());
        }
    }
    bad
}

#[cold]
fn plan_error(f: &Function, pc: usize, msg: &str) -> String {
    let op = f.code.get(pc).map_or("?", |i| i.op.name());
    format!("function {} pc {pc} ({op}): {msg}", f.name)
}

/// The error of a piece one of whose holes got a value that does not fit it.
#[cold]
fn range_error(
    f: &Function,
    p: &Piece,
    ps: &Prepared,
    holes: &[PHole],
    vals: &[u64; v::COUNT],
    base: usize,
    pos: usize,
) -> String {
    let mut scratch = vec![0u8; ps.len as usize];
    for h in holes {
        let at = pos + h.at as usize;
        let x = vals[h.src as usize].wrapping_add(h.addend as i64 as u64);
        if let Err(e) = patch::apply(&mut scratch, h.at as usize, h.kind(), x, (base + at) as u64) {
            return plan_error(
                f,
                p.pc as usize,
                &format!("stencil {}: {e}", ps.stencil.name),
            );
        }
    }
    plan_error(f, p.pc as usize, "a hole's value does not fit")
}

/// Copy a stencil's data to `off` and patch the holes inside it (only per-stencil values:
/// build.rs guarantees it).
fn copy_data(buf: &mut [u8], base: usize, off: usize, s: &Stencil) -> Result<(), String> {
    buf.get_mut(off..off + s.data.len())
        .ok_or("data outside the mapping")?
        .copy_from_slice(s.data);
    for h in s.holes.iter().filter(|h| h.in_data) {
        let v = match h.symbol {
            HoleSymbol::OwnData => (base + off) as u64,
            HoleSymbol::Helper(name) => helper(name)?,
            other => return Err(format!("stencil {}: {other:?} in data", s.name)),
        };
        let at = off + h.offset as usize;
        patch::apply(
            buf,
            at,
            h.kind,
            v.wrapping_add(h.addend as u64),
            (base + at) as u64,
        )
        .map_err(|e| format!("stencil {}: {e}", s.name))?;
    }
    Ok(())
}

#[cold]
fn trace(f: &Function, cache: &[u32], pieces: &[Piece], st: &[Prepared]) {
    use std::io::Write;
    let mut e = std::io::stderr().lock();
    let _ = writeln!(e, "jit {}: cached slots {cache:?}", f.name);
    for p in pieces {
        let _ = writeln!(e, "  pc {:3} {}", p.pc, st[p.stencil as usize].stencil.name);
    }
}

/// The i64 slots (word indices) a function keeps in registers: those with the most uses
/// inside loops, weighted by loop depth. Functions without loops cache nothing (their calls
/// would pay the spills and reloads for no loop to win them back).
pub fn choose_cache(f: &Function) -> Vec<u32> {
    let mut out = [0u32; CACHE_REGS];
    let targets: Vec<u8> = Op::ALL
        .iter()
        .map(|op| {
            op.operands()
                .iter()
                .position(|k| *k == Operand::T)
                .map_or(3, |i| i as u8)
        })
        .collect();
    let n = choose_cache_into(f, &targets, &mut Vec::new(), &mut Vec::new(), &mut out);
    out[..n].to_vec()
}

/// [`choose_cache`] into `out` with scratch vectors; returns how many slots it chose.
fn choose_cache_into(
    f: &Function,
    targets: &[u8],
    depth: &mut Vec<i32>,
    score: &mut Vec<u64>,
    out: &mut [u32; CACHE_REGS],
) -> usize {
    let n = f.code.len();
    // Loop depth of every instruction: +1 over each back-edge's range (a difference array).
    depth.clear();
    let mut loops = false;
    for (pc, ins) in f.code.iter().enumerate() {
        let ti = targets[ins.op as usize];
        if ti < 3 {
            let t = [ins.a, ins.b, ins.c][ti as usize] as usize;
            if t <= pc {
                if !loops {
                    depth.resize(n + 1, 0);
                    loops = true;
                }
                depth[t] += 1;
                depth[pc + 1] -= 1;
            }
        }
    }
    if !loops {
        return 0;
    }
    score.clear();
    score.resize(f.frame_words() as usize, 0);
    let mut d = 0i32;
    for (pc, ins) in f.code.iter().enumerate() {
        d += depth[pc];
        if d <= 0 {
            continue;
        }
        for (k, v) in ins.op.operands().iter().zip(ins.operand_values()) {
            // An i64 word of this frame (an i64 parameter or slot; not an argument store
            // into the next frame).
            if *k == Operand::I && f.word_bank(v) == Some(Bank::I64) {
                score[v as usize] += 1u64 << (3 * (d as u32).min(12));
            }
        }
    }
    // The highest scores, ties to the lower word.
    let mut chosen = 0;
    while chosen < CACHE_REGS {
        let mut best: Option<(usize, u64)> = None;
        for (w, s) in score.iter().enumerate() {
            if *s > 0 && best.is_none_or(|(_, b)| *s > b) {
                best = Some((w, *s));
            }
        }
        let Some((w, _)) = best else { break };
        out[chosen] = w as u32;
        score[w] = 0;
        chosen += 1;
    }
    chosen
}

fn helper(name: &str) -> Result<u64, String> {
    vm::runtime::helper_address(name)
        .map(|a| a as u64)
        .ok_or_else(|| format!("unknown helper `{name}`"))
}

/// The value of operand `i` of `ins` as its hole expects it (for tests and tools).
pub fn operand(ins: &Instr, i: usize) -> Result<u64, String> {
    let kind = *ins
        .op
        .operands()
        .get(i)
        .ok_or_else(|| format!("no operand {}", ["a", "b", "c"][i]))?;
    let v = ins.operand_values()[i];
    Ok(match kind {
        k if k.is_word() => 8 * v as u64,
        Operand::S => v as i32 as i64 as u64,
        Operand::N | Operand::Fn => v as u64,
        k => return Err(format!("operand of kind {k:?} has no operand hole")),
    })
}
