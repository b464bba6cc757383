//! Loop-invariant instructions at the head of a loop run once, not every iteration.
//!
//! A `for` loop is lowered rotated: a guard that skips the loop, then the body entered by
//! falling through into its first instruction `t`, then the back-edge (`IncJLtI64 ... ->t`).
//! When the body's first instruction X only computes a value from slots the loop never
//! writes (and, for a read of a list, record, string or global, the loop writes no memory at
//! all), every iteration after the first recomputes the value X's slot already holds: the
//! back-edges are retargeted to `t + 1` and X runs once, on entry. `a[i][k]` in the inner
//! loop of a matrix product reads the row `a[i]` once per row instead of once per element.
//!
//! Exact, including errors: X still runs first on the loop's first iteration, as before, so
//! an error it raises (an index out of range) is raised at the same point; on later
//! iterations it would compute the same value from the same inputs, so it cannot fail then.
//! Only loops made of the pure ops below (arithmetic, moves, reads, branches) qualify: no
//! call, store, allocation or output can run in them. A loop entered anywhere but at `t`
//! (a `while` loop's first jump to its condition) is left alone.

use vm::ops::{Instr, Op, Operand};

/// What an instruction of a candidate loop does, for the ops this pass understands (`None`
/// for the rest: a call, a store, output, ...; such a loop is not touched). Every slot
/// operand but a written operand a is read.
#[derive(PartialEq)]
enum Effect {
    /// `R[a] := f(operands)` and nothing else: may be hoisted.
    Value,
    /// Writes R[a] and branches (`IncJLtI64`: also reads it).
    Step,
    /// Branches, writes nothing.
    Branch,
}

fn effect(op: Op) -> Option<Effect> {
    use Op::*;
    Some(match op {
        MovI64 | MovF64 | MovCell | ConstI64 | ConstF64 | ConstCell | LoadGlobalI64
        | LoadGlobalF64 | LoadGlobalCell | AddI64 | SubI64 | MulI64 | DivI64 | ModI64
        | AddI64Imm | ModI64Imm | DivI64Pow2 | ModI64Pow2 | NegI64 | AbsI64 | EqI64 | NeI64
        | LtI64 | LeI64 | Not | AddF64 | SubF64 | MulF64 | DivF64 | ModF64 | NegF64 | SqrtF64
        | AbsF64 | EqF64 | NeF64 | LtF64 | LeF64 | I64ToF64 | F64ToI64 | StrLen | ListLen
        | ListGetI64 | ListGetF64 | ListGetCell | GetFieldI64 | GetFieldF64 | GetFieldCell
        // (a view's words are written only by `ListView`, which no such loop holds)
        | ListGetI64V | ListGetF64V | ListGetCellV => {
            Effect::Value
        }
        IncJLtI64 => Effect::Step,
        Jmp | JmpTrue | JmpFalse | JLtI64 | JLeI64 | JEqI64 | JNeI64 | JLtI64Imm | JLeI64Imm
        | JGtI64Imm | JGeI64Imm | JEqI64Imm | JNeI64Imm | JLtF64 | JLeF64 | JNLtF64 | JNLeF64
        | JEqF64 | JNeF64 | JmpNil | JmpNotNil => Effect::Branch,
        _ => return None,
    })
}

/// Retarget the back-edges of every qualifying loop of `code` past its invariant head
/// instructions. Returns how many instructions now run once per loop entry. Linear in the
/// code times the loop nesting depth.
pub(crate) fn hoist_loop_heads(code: &mut [Instr]) -> usize {
    let n = code.len();
    // For each pc, the lowest and highest pc of a jump landing on it: a loop t..=e is
    // entered only at t if every pc in t+1..=e is jumped to from inside t..=e alone.
    let (mut min_src, mut max_src) = (vec![usize::MAX; n], vec![0usize; n]);
    for (s, ins) in code.iter().enumerate() {
        if let Some(d) = ins.target().map(|d| d as usize).filter(|d| *d < n) {
            min_src[d] = min_src[d].min(s);
            max_src[d] = max_src[d].max(s);
        }
    }
    let mut hoisted = 0;
    for e in 0..n {
        while let Some(t) = code[e].target().map(|t| t as usize) {
            if t >= e || !hoistable(code, t, e) {
                break;
            }
            let entered_inside =
                (t + 1..=e).all(|d| min_src[d] == usize::MAX || min_src[d] >= t && max_src[d] <= e);
            if !entered_inside {
                break;
            }
            for (s, ins) in code[t..=e].iter_mut().enumerate() {
                if ins.target() == Some(t as u32) {
                    ins.set_target(t as u32 + 1);
                    min_src[t + 1] = min_src[t + 1].min(t + s);
                    max_src[t + 1] = max_src[t + 1].max(t + s);
                }
            }
            hoisted += 1;
        }
    }
    hoisted
}

/// Whether the instruction at `t`, the head of the loop `t..=e` (`e` jumps back to `t`),
/// computes the same value on every iteration, given that the loop is entered only at `t`.
fn hoistable(code: &[Instr], t: usize, e: usize) -> bool {
    let x = &code[t];
    if effect(x.op) != Some(Effect::Value) {
        return false;
    }
    // The slots X reads: its slot operands after a.
    let vals = x.operand_values();
    let x_reads: Vec<u32> = (x.op.operands().iter().enumerate().skip(1))
        .filter(|(_, k)| matches!(k, Operand::I | Operand::F | Operand::C))
        .map(|(i, _)| vals[i])
        .collect();
    let dest = x.a;
    if x_reads.contains(&dest) {
        return false;
    }
    // Only ops of the list above, and nothing else writes X's slot or a slot X reads.
    code[t + 1..=e].iter().all(|ins| match effect(ins.op) {
        None => false,
        Some(Effect::Branch) => true,
        Some(_) => ins.a != dest && !x_reads.contains(&ins.a),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ins(op: Op, a: u32, b: u32, c: u32) -> Instr {
        Instr::new(op, a, b, c)
    }

    /// for k in 0..n { s = s + a[i][k] }, with the guard before it.
    fn matrix_row_loop() -> Vec<Instr> {
        vec![
            ins(Op::JLeI64, 8, 12, 6),       // 0: guard: skip the loop
            ins(Op::ListGetCell, 18, 4, 9),  // 1: row := a[i]
            ins(Op::ListGetI64, 14, 18, 12), // 2: row[k]
            ins(Op::AddI64, 11, 11, 14),     // 3
            ins(Op::IncJLtI64, 12, 8, 1),    // 4: back-edge
            ins(Op::RetI64, 11, 0, 0),       // 5
            ins(Op::RetI64, 11, 0, 0),       // 6
        ]
    }

    #[test]
    fn an_invariant_row_read_runs_once_per_loop() {
        let mut code = matrix_row_loop();
        assert_eq!(hoist_loop_heads(&mut code), 1);
        assert_eq!(code[4].target(), Some(2));
        assert_eq!(code[0].target(), Some(6));
    }

    #[test]
    fn a_head_that_varies_or_a_loop_with_effects_is_left_alone() {
        // (the instruction put in place of the loop's own, and why nothing is hoisted then)
        let refusals = [
            (
                1,
                ins(Op::ListGetCell, 18, 4, 12),
                "the read's index is written in the loop",
            ),
            (
                3,
                ins(Op::ListSetI64, 18, 12, 11),
                "the loop stores into a list",
            ),
            (
                3,
                ins(Op::MovCell, 18, 4, 0),
                "its slot is written again in the loop",
            ),
            (1, ins(Op::AddI64Imm, 9, 9, 1), "it reads its own slot"),
            (
                0,
                ins(Op::Jmp, 4, 0, 0),
                "entered in the middle, as a while loop is",
            ),
            (3, ins(Op::Call, 0, 20, 30), "a call in the loop"),
        ];
        for (at, x, why) in refusals {
            let mut code = matrix_row_loop();
            code[at] = x;
            assert_eq!(hoist_loop_heads(&mut code), 0, "{why}");
        }
    }

    #[test]
    fn consecutive_invariant_heads_all_run_once() {
        let mut code = vec![
            ins(Op::ConstI64, 5, 0, 0),   // 0
            ins(Op::AddI64Imm, 6, 7, 1),  // 1: invariant (7 is not written)
            ins(Op::MulI64, 8, 6, 6),     // 2: invariant once 1 is out
            ins(Op::AddI64, 9, 9, 8),     // 3: not (reads and writes 9)
            ins(Op::IncJLtI64, 5, 10, 1), // 4
            ins(Op::RetI64, 9, 0, 0),     // 5
        ];
        assert_eq!(hoist_loop_heads(&mut code), 2);
        assert_eq!(code[4].target(), Some(3));
    }
}
