//! The program image: compiled functions, the constant pool and the globals layout.

use crate::abi::HEADER_WORDS;
use crate::error::Pos;
use crate::ops::{Instr, Op, Operand};
use std::fmt::Write;

/// The bank of a value's static type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bank {
    I64,
    F64,
    Cell,
}

/// What a function returns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RetKind {
    Void,
    Value(Bank),
}

#[derive(Clone, Debug)]
pub struct Function {
    pub name: String,
    pub pos: Pos,
    /// Word index (from the frame base) of each parameter, in declaration order.
    pub param_words: Vec<u32>,
    pub ret: RetKind,
    /// Slot counts per bank; slots are laid out i64, then f64, then cell after the header.
    pub n_i64: u32,
    pub n_f64: u32,
    pub n_cell: u32,
    pub code: Vec<Instr>,
    /// Source position of each instruction (same length as `code`), for error messages.
    pub positions: Vec<Pos>,
}

impl Function {
    /// Frame size in words, header included.
    pub fn frame_words(&self) -> u32 {
        HEADER_WORDS + self.n_i64 + self.n_f64 + self.n_cell
    }
    pub fn first_f64_word(&self) -> u32 {
        HEADER_WORDS + self.n_i64
    }
    pub fn first_cell_word(&self) -> u32 {
        HEADER_WORDS + self.n_i64 + self.n_f64
    }
}

#[derive(Clone, Debug, Default)]
pub struct Globals {
    pub names: Vec<(String, Bank)>,
}

impl Globals {
    pub fn words(&self) -> u32 {
        self.names.len() as u32
    }
}

/// A compiled program. Function 0 is the top level (`main`).
pub struct Program {
    pub funcs: Vec<Function>,
    /// Constant pool: raw 64-bit values (i64, f64 bits, or cells).
    pub consts: Vec<u64>,
    pub globals: Globals,
    /// Interned string constants referenced by `ConstCell`.
    pub strings: arenas::StrArena,
}

impl Program {
    /// The largest frame of any function, in words.
    pub fn max_frame_words(&self) -> u32 {
        self.funcs
            .iter()
            .map(|f| f.frame_words())
            .max()
            .unwrap_or(HEADER_WORDS)
    }

    /// Human-readable listing of the bytecode (`mochi run --ir`).
    pub fn disassemble(&self) -> String {
        let mut s = String::new();
        for (i, g) in self.globals.names.iter().enumerate() {
            let _ = writeln!(s, "global G{} {} : {:?}", i, g.0, g.1);
        }
        for (fi, f) in self.funcs.iter().enumerate() {
            let _ = writeln!(
                s,
                "fun #{} {} (params at {:?}, returns {:?}) frame: {} words = header {} + i64 {} + f64 {} + cell {}",
                fi,
                f.name,
                f.param_words,
                f.ret,
                f.frame_words(),
                HEADER_WORDS,
                f.n_i64,
                f.n_f64,
                f.n_cell
            );
            for (pc, ins) in f.code.iter().enumerate() {
                let _ = writeln!(
                    s,
                    "  {:4}  {:<16} {:<28} ; {}:{}",
                    pc,
                    ins.op.name(),
                    self.format_operands(ins),
                    f.positions[pc].line,
                    f.positions[pc].col
                );
            }
        }
        s
    }

    fn format_operands(&self, ins: &Instr) -> String {
        let vals = ins.operand_values();
        let mut parts = Vec::new();
        for (k, v) in ins.op.operands().iter().zip(vals) {
            parts.push(match k {
                Operand::I | Operand::F | Operand::C | Operand::R => format!("R{v}"),
                Operand::G => format!("G{v}"),
                Operand::K => {
                    let raw = self.consts.get(v as usize).copied().unwrap_or(0);
                    let shown = match ins.op {
                        Op::ConstF64 => format!("{}", f64::from_bits(raw)),
                        Op::ConstCell => {
                            format!("{:?}", self.strings.get(arenas::Cell(raw)))
                        }
                        _ => format!("{}", raw as i64),
                    };
                    format!("K{v}({shown})")
                }
                Operand::T => format!("->{v}"),
                Operand::W => format!("+{v}w"),
                Operand::S => format!("{}", v as i32),
                Operand::N => format!("{v}"),
                Operand::Fn => format!(
                    "#{}({})",
                    v,
                    self.funcs
                        .get(v as usize)
                        .map(|f| f.name.as_str())
                        .unwrap_or("?")
                ),
            });
        }
        parts.join(", ")
    }
}
