//! Compiling one function (the whole of copy-and-patch, as in CPython's Python/jit.c): pick
//! stencils per instruction, lay the code out, copy it, walk the holes and store their values.
//!
//! ## Register caching
//! A function with loops keeps up to four of its hottest i64 slots (uses weighted by loop
//! depth) in the registers x0..x3 of the stencil ABI (`stencils/src/mochi.h`). For an
//! instruction with a cached operand the emitter picks the op's register variant
//! (`add_i64__0m1`: a in x0, b in memory, c in x1); an op without one is wrapped in
//! `spill_k` (before: the op reads the frame slot) and `reload_k` (after: it may have written
//! it) stencils. Every side exit is one conditional jump to its instruction's `exit_at` stub,
//! which records the pc and goes on to the function's exit stub, which spills the cached
//! registers (its `_R0`..`_R3` holes hold the cached slots' offsets), and calls spill and
//! reload around the callee, so the interpreter always finds a whole frame; native code is
//! entered only through `enter` stubs that load the registers.
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
use std::collections::HashMap;
use stencils::{Hole, HoleKind, HoleSymbol, Stencil};
use vm::ops::{Instr, Op, Operand, Tier2};
use vm::program::{Bank, Function, Program};

/// Registers a function can cache slots in.
pub const CACHE_REGS: usize = 4;

/// Location of each i64 operand of an instruction (at most three): `b'm'` (frame) or
/// `b'0'..b'3'` (register); unused positions are 0. The variant `add_i64__0m1` has key
/// `(AddI64, *b"0m1")`.
type Locs = [u8; 3];

fn locs_of(name_suffix: &str) -> Option<Locs> {
    let b = name_suffix.as_bytes();
    (b.len() <= 3).then(|| {
        let mut l = [0u8; 3];
        l[..b.len()].copy_from_slice(b);
        l
    })
}

/// The stencil of every op (`side_exit` for interpreter-only ops), its register variants, and
/// the stencils of register caching.
pub struct StencilSet {
    by_op: Vec<&'static Stencil>,
    variants: HashMap<(Op, Locs), &'static Stencil>,
    spill: [&'static Stencil; CACHE_REGS],
    reload: [&'static Stencil; CACHE_REGS],
    enter: &'static Stencil,
    /// `call_cN`: the call of a function that caches N registers (N = 1..4).
    call_cached: [&'static Stencil; CACHE_REGS],
    /// `call_closure_cN`: the closure call of a function that caches N registers.
    call_closure_cached: [&'static Stencil; CACHE_REGS],
    /// The generic helper stencil of a function that caches N registers (`helper`,
    /// `helper_c1` .. `helper_c4`): every helper op.
    helper: [&'static Stencil; CACHE_REGS + 1],
    exit_at: &'static Stencil,
    exit: &'static Stencil,
}

fn find(name: &str) -> Result<&'static Stencil, String> {
    stencils::find(name).ok_or_else(|| format!("the stencil table has no `{name}`"))
}

impl StencilSet {
    pub fn load() -> Result<Self, String> {
        let side_exit = find(stencils::SIDE_EXIT)?;
        let helper = [
            find(stencils::HELPER)?,
            find("helper_c1")?,
            find("helper_c2")?,
            find("helper_c3")?,
            find("helper_c4")?,
        ];
        let mut by_op = vec![side_exit; Op::ALL.len()];
        let mut base_op = HashMap::new();
        for op in Op::ALL {
            match op.tier2() {
                Tier2::Stencil(name) => {
                    by_op[*op as usize] = find(name)?;
                    base_op.insert(name, *op);
                }
                Tier2::Helper(_) => by_op[*op as usize] = helper[0],
                Tier2::Interp => {}
            }
        }
        // `<stencil>__<locs>` is a register variant of the op whose stencil is <stencil>.
        let mut variants = HashMap::new();
        for st in stencils::STENCILS {
            if let Some((base, locs)) = st.name.split_once("__") {
                if let (Some(op), Some(locs)) = (base_op.get(base), locs_of(locs)) {
                    variants.insert((*op, locs), st);
                }
            }
        }
        let each = |prefix: &str| -> Result<[&'static Stencil; CACHE_REGS], String> {
            Ok([
                find(&format!("{prefix}_0"))?,
                find(&format!("{prefix}_1"))?,
                find(&format!("{prefix}_2"))?,
                find(&format!("{prefix}_3"))?,
            ])
        };
        Ok(StencilSet {
            by_op,
            variants,
            spill: each("spill")?,
            reload: each("reload")?,
            enter: find("enter")?,
            call_cached: [
                find("call_c1")?,
                find("call_c2")?,
                find("call_c3")?,
                find("call_c4")?,
            ],
            call_closure_cached: [
                find("call_closure_c1")?,
                find("call_closure_c2")?,
                find("call_closure_c3")?,
                find("call_closure_c4")?,
            ],
            helper,
            exit_at: find("exit_at")?,
            exit: find("exit_stub")?,
        })
    }

    pub fn for_op(&self, op: Op) -> &'static Stencil {
        self.by_op[op as usize]
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

/// One stencil instance in the layout.
struct Piece {
    stencil: &'static Stencil,
    /// The instruction it belongs to (its operands fill `_A`/`_B`/`_C`, `_K`, `_TARGET`).
    pc: usize,
    role: Role,
    /// Index of the piece `_CONTINUE` goes to.
    next: Option<usize>,
}

#[derive(Clone, Copy, PartialEq)]
enum Role {
    Op,
    /// `spill_k` / `reload_k` of the slot at this word (`_A`).
    Slot(u32),
    /// An entry stub.
    Enter,
    /// The side exit of instruction `pc` (the `_EXIT` of its pieces): records the pc.
    ExitAt,
    /// The function's exit stub (the `_EXIT` of every `exit_at`).
    Exit,
}

/// The i64 slots (word indices) a function keeps in registers: those with the most uses
/// inside loops, weighted by loop depth. Functions without loops cache nothing (their calls
/// would pay the spills and reloads for no loop to win them back).
pub fn choose_cache(f: &Function) -> Vec<u32> {
    let n = f.code.len();
    let mut depth = vec![0u32; n];
    for (pc, ins) in f.code.iter().enumerate() {
        if let Some(t) = ins.target() {
            let t = t as usize;
            if t <= pc {
                for d in &mut depth[t..=pc] {
                    *d += 1;
                }
            }
        }
    }
    let mut score: HashMap<u32, u64> = HashMap::new();
    for (pc, ins) in f.code.iter().enumerate() {
        if depth[pc] == 0 {
            continue;
        }
        for (k, v) in ins.op.operands().iter().zip(ins.operand_values()) {
            // An i64 word of this frame (an i64 parameter or slot; not an argument store
            // into the next frame).
            if *k == Operand::I && f.word_bank(v) == Some(Bank::I64) {
                *score.entry(v).or_default() += 1u64 << (3 * depth[pc].min(12));
            }
        }
    }
    let mut slots: Vec<(u32, u64)> = score.into_iter().collect();
    slots.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    slots.into_iter().take(CACHE_REGS).map(|(w, _)| w).collect()
}

fn width(kind: HoleKind) -> usize {
    match kind {
        HoleKind::Abs64 => 8,
        _ => 4,
    }
}

fn align16(x: usize) -> usize {
    x.div_ceil(16) * 16
}

/// Choose the pieces of every instruction, then the entry stubs.
/// Returns the pieces, the first piece of each pc, the entry stub of each pc and the side-exit
/// stub of each pc (`usize::MAX`: none).
#[allow(clippy::type_complexity)]
fn plan(
    set: &StencilSet,
    f: &Function,
    cache: &[u32],
) -> (Vec<Piece>, Vec<usize>, Vec<usize>, Vec<usize>) {
    let reg_of = |w: u32| cache.iter().position(|c| *c == w);
    let mut pieces = Vec::new();
    let mut first_piece = Vec::with_capacity(f.code.len());
    for (pc, ins) in f.code.iter().enumerate() {
        first_piece.push(pieces.len());
        let mut push = |stencil, role| {
            pieces.push(Piece {
                stencil,
                pc,
                role,
                next: None,
            })
        };
        let base = set.for_op(ins.op);
        if matches!(ins.op, Op::Call | Op::CallClosure) && !cache.is_empty() {
            // Spills the cached registers before the callee runs and reloads them after.
            let calls = if ins.op == Op::Call {
                &set.call_cached
            } else {
                &set.call_closure_cached
            };
            push(calls[cache.len() - 1], Role::Op);
            continue;
        }
        if ins.op.is_helper() {
            // The generic helper stencil spills every cached register before the routine runs
            // (it may read any slot) and reloads every one after it (it may write any slot).
            push(set.helper[cache.len()], Role::Op);
            continue;
        }
        // The cached i64 operands: (operand word, register).
        let cached: Vec<(u32, usize)> = ins
            .op
            .operands()
            .iter()
            .zip(ins.operand_values())
            .filter(|(k, _)| **k == Operand::I)
            .filter_map(|(_, w)| reg_of(w).map(|r| (w, r)))
            .collect();
        if cached.is_empty() || !matches!(ins.op.tier2(), Tier2::Stencil(_)) {
            // Side exits spill every register themselves.
            push(base, Role::Op);
            continue;
        }
        let mut locs: Locs = [0; 3];
        let i64_operands = ins
            .op
            .operands()
            .iter()
            .zip(ins.operand_values())
            .filter(|(k, _)| **k == Operand::I);
        for (l, (_, w)) in locs.iter_mut().zip(i64_operands) {
            *l = reg_of(w).map_or(b'm', |r| b'0' + r as u8);
        }
        if let Some(v) = set.variants.get(&(ins.op, locs)) {
            push(v, Role::Op);
            continue;
        }
        // No variant: make the frame slots current, run the memory form, reload what it may
        // have written. A branch only reads its operands (the one op that writes and branches,
        // IncJLtI64, has every variant), and a return ends the frame.
        for (w, r) in &cached {
            push(set.spill[*r], Role::Slot(*w));
        }
        push(base, Role::Op);
        let ends = ins.target().is_some()
            || matches!(ins.op, Op::RetI64 | Op::RetF64 | Op::RetCell | Op::RetVoid);
        if !ends {
            for (w, r) in &cached {
                push(set.reload[*r], Role::Slot(*w));
            }
        }
    }
    // Continuations: the next piece, or the next instruction's first piece.
    let n = pieces.len();
    for (i, p) in pieces.iter_mut().enumerate() {
        p.next = (i + 1 < n).then_some(i + 1);
    }
    // Entry stubs (only when registers are cached): pc 0 and every jump target.
    let mut stub_of = vec![usize::MAX; f.code.len()];
    if !cache.is_empty() {
        let mut entries = vec![0usize];
        entries.extend(f.code.iter().filter_map(|i| i.target().map(|t| t as usize)));
        entries.sort_unstable();
        entries.dedup();
        for pc in entries {
            stub_of[pc] = pieces.len();
            pieces.push(Piece {
                stencil: set.enter,
                pc,
                role: Role::Enter,
                next: Some(first_piece[pc]),
            });
        }
    }
    // The side exit of every instruction that has one, then the function's exit stub.
    let mut exit_at = vec![usize::MAX; f.code.len()];
    let exits: Vec<usize> = (0..pieces.len())
        .filter(|i| {
            let p = &pieces[*i];
            p.role != Role::Enter && p.stencil.holes.iter().any(|h| h.symbol == HoleSymbol::Exit)
        })
        .map(|i| pieces[i].pc)
        .collect();
    for pc in exits {
        if exit_at[pc] == usize::MAX {
            exit_at[pc] = pieces.len();
            pieces.push(Piece {
                stencil: set.exit_at,
                pc,
                role: Role::ExitAt,
                next: None,
            });
        }
    }
    pieces.push(Piece {
        stencil: set.exit,
        pc: 0,
        role: Role::Exit,
        next: None,
    });
    (pieces, first_piece, stub_of, exit_at)
}

/// Compile function `fid` of `prog` into fresh executable pages of `mem`.
pub fn emit(
    set: &StencilSet,
    mem: &mut CodeMemory,
    prog: &Program,
    fid: usize,
) -> Result<Emitted, String> {
    let f = prog
        .funcs
        .get(fid)
        .ok_or_else(|| format!("no function #{fid}"))?;
    if f.code.is_empty() {
        return Err(format!("function {} has no code", f.name));
    }
    let cache = choose_cache(f);
    let (pieces, first_piece, stub_of, exit_at) = plan(set, f, &cache);
    let exit_piece = pieces.len() - 1;
    if std::env::var_os("MOCHI_JIT_TRACE").is_some() {
        let _ = std::io::Write::write_fmt(
            &mut std::io::stderr(),
            format_args!("jit {}: cached slots {cache:?}\n", f.name),
        );
        for p in &pieces {
            let _ = std::io::Write::write_fmt(
                &mut std::io::stderr(),
                format_args!("  pc {:3} {}\n", p.pc, p.stencil.name),
            );
        }
    }
    // Offsets of the cached slots for the _R0.._R3 holes (0: register unused).
    let mut spill_offsets = [0u64; CACHE_REGS];
    for (r, w) in cache.iter().enumerate() {
        spill_offsets[r] = 8 * *w as u64;
    }

    // Layout: code offset and copied length per piece, then each stencil's data once.
    let mut offs = Vec::with_capacity(pieces.len());
    let mut lens = Vec::with_capacity(pieces.len());
    let mut pos = 0;
    for (i, p) in pieces.iter().enumerate() {
        let st = p.stencil;
        let falls_through = p.next == Some(i + 1);
        let len = if falls_through && st.ends_with_continue_jump() {
            st.code.len() - 5
        } else {
            st.code.len()
        };
        offs.push(pos);
        lens.push(len);
        pos += len;
    }
    let code_bytes = pos;
    let mut data: Vec<(&'static Stencil, usize)> = Vec::new();
    for p in &pieces {
        let st = p.stencil;
        if !st.data.is_empty() && !data.iter().any(|(s, _)| std::ptr::eq(*s, st)) {
            pos = align16(pos);
            data.push((st, pos));
            pos += st.data.len();
        }
    }
    let total = pos;
    let data_off = |st: &Stencil| -> Option<usize> {
        data.iter()
            .find(|(s, _)| std::ptr::eq(*s, st))
            .map(|(_, o)| *o)
    };

    let base = mem.install(total, |buf, base| {
        let ctx = |p: &Piece| {
            format!(
                "function {} pc {} ({}, stencil {})",
                f.name,
                p.pc,
                f.code[p.pc].op.name(),
                p.stencil.name
            )
        };
        for (i, p) in pieces.iter().enumerate() {
            buf[offs[i]..offs[i] + lens[i]].copy_from_slice(&p.stencil.code[..lens[i]]);
        }
        for (st, off) in &data {
            buf[*off..*off + st.data.len()].copy_from_slice(st.data);
            // Holes inside data: only per-stencil values (build.rs guarantees it).
            for h in st.holes.iter().filter(|h| h.in_data) {
                let s = match h.symbol {
                    HoleSymbol::OwnData => (base + off) as u64,
                    HoleSymbol::Helper(name) => helper(name)?,
                    other => return Err(format!("stencil {}: {other:?} in data", st.name)),
                };
                store(buf, base, off + h.offset as usize, h, s)
                    .map_err(|e| format!("stencil {}: {e}", st.name))?;
            }
        }
        for (i, p) in pieces.iter().enumerate() {
            let st = p.stencil;
            let ins = &f.code[p.pc];
            for h in st.holes.iter().filter(|h| !h.in_data) {
                let at = h.offset as usize;
                if at + width(h.kind) > lens[i] {
                    // The dropped trailing `jmp _CONTINUE`.
                    debug_assert_eq!(h.symbol, HoleSymbol::Continue);
                    continue;
                }
                let s = match (h.symbol, p.role) {
                    (HoleSymbol::Continue, _) => match p.next {
                        Some(n) => (base + offs[n]) as u64,
                        None => return Err(format!("{}: falls off the end", ctx(p))),
                    },
                    (HoleSymbol::Target, Role::Op) => {
                        let t = ins
                            .target()
                            .ok_or_else(|| format!("{}: _TARGET but no T operand", ctx(p)))?
                            as usize;
                        let o = first_piece
                            .get(t)
                            .ok_or_else(|| format!("{}: jump target {t} out of range", ctx(p)))?;
                        (base + offs[*o]) as u64
                    }
                    (HoleSymbol::A, Role::Slot(w)) => 8 * w as u64,
                    (HoleSymbol::A, Role::Op) => {
                        operand(ins, 0).map_err(|e| format!("{}: {e}", ctx(p)))?
                    }
                    (HoleSymbol::B, Role::Op) => {
                        operand(ins, 1).map_err(|e| format!("{}: {e}", ctx(p)))?
                    }
                    (HoleSymbol::C, Role::Op) => {
                        operand(ins, 2).map_err(|e| format!("{}: {e}", ctx(p)))?
                    }
                    (HoleSymbol::K, Role::Op) => {
                        constant(prog, ins).map_err(|e| format!("{}: {e}", ctx(p)))?
                    }
                    (HoleSymbol::Pc, _) => p.pc as u64,
                    (HoleSymbol::Exit, Role::ExitAt) => (base + offs[exit_piece]) as u64,
                    (HoleSymbol::Exit, _) => (base + offs[exit_at[p.pc]]) as u64,
                    (HoleSymbol::R0, _) => spill_offsets[0],
                    (HoleSymbol::R1, _) => spill_offsets[1],
                    (HoleSymbol::R2, _) => spill_offsets[2],
                    (HoleSymbol::R3, _) => spill_offsets[3],
                    (HoleSymbol::Helper(name), _) => helper(name)?,
                    (HoleSymbol::OA, Role::Op) => ins.a as u64,
                    (HoleSymbol::OB, Role::Op) => ins.b as u64,
                    (HoleSymbol::OC, Role::Op) => ins.c as u64,
                    (HoleSymbol::HelperOp, Role::Op) => ins
                        .op
                        .helper()
                        .ok_or_else(|| format!("{}: not a helper op", ctx(p)))?
                        as usize as u64,
                    (HoleSymbol::OwnData, _) => {
                        let o = data_off(st).ok_or_else(|| {
                            format!("{}: refers to data it does not have", ctx(p))
                        })?;
                        (base + o) as u64
                    }
                    (sym, _) => {
                        return Err(format!("{}: hole {sym:?} has no value here", ctx(p)));
                    }
                };
                store(buf, base, offs[i] + at, h, s)
                    .map_err(|e| format!("{}: {:?} hole: {e}", ctx(p), h.symbol))?;
            }
        }
        Ok(())
    })?;

    // Entry points: the stub when registers are cached, else the instruction's code.
    let pc_addrs = (0..f.code.len())
        .map(|pc| {
            if cache.is_empty() {
                (base + offs[first_piece[pc]]) as *const u8
            } else if stub_of[pc] != usize::MAX {
                (base + offs[stub_of[pc]]) as *const u8
            } else {
                std::ptr::null()
            }
        })
        .collect();
    Ok(Emitted {
        base,
        pc_addrs,
        code_bytes,
        stencils_copied: pieces.len(),
    })
}

/// Patch hole `h` at offset `at` of the mapping (based at `base`) with symbol value `s`.
fn store(buf: &mut [u8], base: usize, at: usize, h: &Hole, s: u64) -> Result<(), String> {
    patch::apply(
        buf,
        at,
        h.kind,
        s.wrapping_add(h.addend as u64),
        (base + at) as u64,
    )
}

fn helper(name: &str) -> Result<u64, String> {
    vm::runtime::helper_address(name)
        .map(|a| a as u64)
        .ok_or_else(|| format!("unknown helper `{name}`"))
}

/// The value of operand `i` as its hole expects it.
fn operand(ins: &Instr, i: usize) -> Result<u64, String> {
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

/// The constant named by the instruction's K operand.
fn constant(prog: &Program, ins: &Instr) -> Result<u64, String> {
    let i = ins
        .op
        .operands()
        .iter()
        .position(|k| *k == Operand::K)
        .ok_or("_K but no K operand")?;
    let k = ins.operand_values()[i] as usize;
    prog.consts
        .get(k)
        .copied()
        .ok_or_else(|| format!("constant K{k} out of range"))
}
