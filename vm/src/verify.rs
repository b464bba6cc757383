//! The bytecode verifier: every operand of every instruction is in range for its kind (slots
//! inside the frame or the next frame's argument words, globals, constants, jump targets,
//! function indices) and every function ends with a return. The interpreter and the JIT rely
//! on it instead of checking operands at run time.

use crate::ops::{Op, Operand};
use crate::program::{Program, RetKind};

/// Check the invariants the interpreter relies on to skip bounds checks: every slot operand
/// lies in its frame (or, for argument stores, in the next frame), every jump target is an
/// instruction, constants and globals exist, and every function ends with a return.
pub fn verify(p: &Program) -> std::result::Result<(), String> {
    let max_frame = p.max_frame_words();
    for f in &p.funcs {
        let frame = f.frame_words();
        match f.code.last().map(|i| i.op) {
            Some(Op::RetI64 | Op::RetF64 | Op::RetCell | Op::RetVoid) => {}
            _ => return Err(format!("{} does not end with a return", f.name)),
        }
        for (pc, ins) in f.code.iter().enumerate() {
            // An op that may skip its next instruction is followed by its slow case, on the
            // same operands, and that by another instruction (tier 2 jumps there).
            if let Some(slow) = ins.op.slow_case() {
                let ok = f
                    .code
                    .get(pc + 1)
                    .is_some_and(|n| n.op == slow && (n.a, n.b, n.c) == (ins.a, ins.b, ins.c))
                    && pc + 2 < f.code.len();
                if !ok {
                    return Err(format!(
                        "{} pc {pc}: {} is not followed by its slow case",
                        f.name,
                        ins.op.name()
                    ));
                }
            }
            let view = ins.op.view_operand();
            for (j, (k, v)) in ins
                .op
                .operands()
                .iter()
                .zip(ins.operand_values())
                .enumerate()
            {
                let ok = match k {
                    // A list view's three words are cell slots of the frame (not parameters):
                    // tier 2 never keeps cell slots in registers, so the view ops' reads and
                    // writes in the frame see one another (`compiler::lower::views`).
                    Operand::R if view == Some(j) => {
                        v >= f.first_cell_word() && v.checked_add(2).is_some_and(|e| e < frame)
                    }
                    // A call to a void function has no result slot (dest 0, never written).
                    Operand::R
                        if ins.op == Op::Call && p.funcs[ins.a as usize].ret == RetKind::Void =>
                    {
                        v == 0
                    }
                    // A call of a void closure has no result slot either (dest 0).
                    Operand::R if ins.op == Op::CallClosure && v == 0 => true,
                    Operand::I | Operand::F | Operand::C | Operand::R => {
                        v >= crate::abi::HEADER_WORDS && v < frame + max_frame
                    }
                    Operand::G => v < p.globals.words(),
                    // (a literal an append view writes: arenas' pack_literal)
                    Operand::K if matches!(ins.op, Op::AppendStrVLit | Op::AppendStrVLitGrow) => p
                        .consts
                        .get(v as usize)
                        .is_some_and(|&w| arenas::heap::strings::unpack_literal(w).is_some()),
                    // (the selects on a comparison read K[c] and K[c + 1])
                    Operand::K if ins.op.uses_next_constant() => (v as usize) + 1 < p.consts.len(),
                    Operand::K => (v as usize) < p.consts.len(),
                    Operand::T => (v as usize) < f.code.len(),
                    Operand::W => v == frame,
                    Operand::Fn => (v as usize) < p.funcs.len(),
                    // A power-of-two divisor's exponent (the shifts need 1..=62).
                    Operand::N if matches!(ins.op, Op::DivI64Pow2 | Op::ModI64Pow2) => {
                        (1..=62).contains(&v)
                    }
                    // A small list's capacity (tier 2 indexes the kept buffers by it).
                    Operand::N if ins.op == Op::NewListSmall && j == 2 => {
                        (1..=arenas::SMALL_CAPS as u32).contains(&v)
                    }
                    Operand::S | Operand::N => true,
                };
                if !ok {
                    return Err(format!(
                        "{} pc {pc}: bad operand {v} for {:?} in {}",
                        f.name,
                        k,
                        ins.op.name()
                    ));
                }
            }
        }
    }
    Ok(())
}
