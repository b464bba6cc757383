//! Compiling one function (the whole of copy-and-patch, as in CPython's Python/jit.c): pick a
//! stencil per instruction, lay the code out, copy it, walk the holes and store their values.
//!
//! Layout of a function's mapping:
//! ```text
//!   [code of pc 0][code of pc 1]...[code of pc n-1] pad16 [data of stencil X] pad16 [data of Y]...
//! ```
//! A stencil whose code ends with `jmp _CONTINUE` loses those five bytes when another
//! instruction follows, since that instruction's code comes next. Each stencil's read-only
//! data is copied once per function, after the code; holes that point into it are
//! PC-relative, so code and data must share the mapping.

use crate::code_memory::CodeMemory;
use crate::patch;
use stencils::{Hole, HoleKind, HoleSymbol, Stencil};
use vm::ops::{Instr, Op, Operand, Tier2};
use vm::program::Program;

/// The stencil of every op, resolved once (`side_exit` for interpreter-only ops).
pub struct StencilSet {
    by_op: Vec<&'static Stencil>,
}

impl StencilSet {
    pub fn load() -> Result<Self, String> {
        let side_exit = stencils::find(stencils::SIDE_EXIT)
            .ok_or("the stencil table has no `side_exit` stencil")?;
        let mut by_op = vec![side_exit; Op::ALL.len()];
        for op in Op::ALL {
            if let Tier2::Stencil(name) = op.tier2() {
                by_op[*op as usize] = stencils::find(name)
                    .ok_or_else(|| format!("no stencil `{name}` for op {}", op.name()))?;
            }
        }
        Ok(StencilSet { by_op })
    }

    pub fn for_op(&self, op: Op) -> &'static Stencil {
        self.by_op[op as usize]
    }
}

/// What `emit` produced.
pub struct Emitted {
    /// Base address of the function's mapping (= the native address of pc 0).
    pub base: usize,
    /// Native address of every instruction.
    pub pc_addrs: Vec<*const u8>,
    /// Bytes of code (without data and padding).
    pub code_bytes: usize,
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

/// Compile function `fid` of `prog` into a new executable mapping of `mem`.
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
    let n = f.code.len();
    if n == 0 {
        return Err(format!("function {} has no code", f.name));
    }

    // Layout: code offset and copied length per instruction, then each stencil's data once.
    let mut offs = Vec::with_capacity(n);
    let mut lens = Vec::with_capacity(n);
    let mut pos = 0;
    for (pc, ins) in f.code.iter().enumerate() {
        let st = set.for_op(ins.op);
        let len = if pc + 1 < n && st.ends_with_continue_jump() {
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
    for ins in &f.code {
        let st = set.for_op(ins.op);
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
        let ctx = |pc: usize, st: &Stencil| {
            format!(
                "function {} pc {pc} ({}, stencil {})",
                f.name,
                f.code[pc].op.name(),
                st.name
            )
        };
        for (pc, ins) in f.code.iter().enumerate() {
            let st = set.for_op(ins.op);
            buf[offs[pc]..offs[pc] + lens[pc]].copy_from_slice(&st.code[..lens[pc]]);
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
        for (pc, ins) in f.code.iter().enumerate() {
            let st = set.for_op(ins.op);
            for h in st.holes.iter().filter(|h| !h.in_data) {
                let at = h.offset as usize;
                if at + width(h.kind) > lens[pc] {
                    // The dropped trailing `jmp _CONTINUE`.
                    debug_assert_eq!(h.symbol, HoleSymbol::Continue);
                    continue;
                }
                let s = match h.symbol {
                    HoleSymbol::Continue => match offs.get(pc + 1) {
                        Some(o) => (base + o) as u64,
                        None => {
                            return Err(format!("{}: falls off the end", ctx(pc, st)));
                        }
                    },
                    HoleSymbol::Target => {
                        let t = ins
                            .target()
                            .ok_or_else(|| format!("{}: _TARGET but no T operand", ctx(pc, st)))?
                            as usize;
                        let o = offs.get(t).ok_or_else(|| {
                            format!("{}: jump target {t} out of range", ctx(pc, st))
                        })?;
                        (base + o) as u64
                    }
                    HoleSymbol::A => {
                        operand(ins, 0).map_err(|e| format!("{}: {e}", ctx(pc, st)))?
                    }
                    HoleSymbol::B => {
                        operand(ins, 1).map_err(|e| format!("{}: {e}", ctx(pc, st)))?
                    }
                    HoleSymbol::C => {
                        operand(ins, 2).map_err(|e| format!("{}: {e}", ctx(pc, st)))?
                    }
                    HoleSymbol::K => {
                        constant(prog, ins).map_err(|e| format!("{}: {e}", ctx(pc, st)))?
                    }
                    HoleSymbol::Pc => pc as u64,
                    HoleSymbol::Helper(name) => helper(name)?,
                    HoleSymbol::OwnData => {
                        let o = data_off(st).ok_or_else(|| {
                            format!("{}: refers to data it does not have", ctx(pc, st))
                        })?;
                        (base + o) as u64
                    }
                };
                store(buf, base, offs[pc] + at, h, s)
                    .map_err(|e| format!("{}: {:?} hole: {e}", ctx(pc, st), h.symbol))?;
            }
        }
        Ok(())
    })?;

    Ok(Emitted {
        base,
        pc_addrs: offs.iter().map(|o| (base + o) as *const u8).collect(),
        code_bytes,
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
