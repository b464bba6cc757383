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

/// A compiled function. Its frame (`vm::abi`) is
/// `header (4 words) | parameters | i64 slots | f64 slots | cell slots`: parameter `i` is the
/// word `HEADER_WORDS + i` whatever its bank, so a caller stores argument `i` of any call
/// (direct or through a closure) at `callee_fp + 8 * (HEADER_WORDS + i)`.
#[derive(Clone, Debug)]
pub struct Function {
    pub name: String,
    pub pos: Pos,
    /// The bank of each parameter word, in declaration order. When `closure_param` is set
    /// the last one is the hidden closure parameter (a Cell: the closure being called, whose
    /// captured values the prologue copies into locals).
    pub params: Vec<Bank>,
    pub closure_param: bool,
    /// For a closure's function: the runtime types (`arenas::TypeId`) of its captured
    /// values, in capture order (`NewClosure` makes records with these fields; the prologue
    /// copies them out of the hidden closure parameter). Empty otherwise.
    pub captures: Vec<u32>,
    /// The function's `Func` TypeId (the type of a closure over it); 0 when unknown.
    pub fn_type: u32,
    pub ret: RetKind,
    /// Slot counts per bank (parameters not included); after the parameters the slots are
    /// laid out i64, then f64, then cell.
    pub n_i64: u32,
    pub n_f64: u32,
    pub n_cell: u32,
    pub code: Vec<Instr>,
    /// Source position of each instruction (same length as `code`), for error messages.
    pub positions: Vec<Pos>,
}

impl Function {
    /// Parameter words, the hidden closure parameter included.
    pub fn n_params(&self) -> u32 {
        self.params.len() as u32
    }
    /// Declared parameters (what a caller passes), without the hidden closure parameter.
    pub fn n_declared_params(&self) -> u32 {
        self.n_params() - self.closure_param as u32
    }
    /// Word index of parameter `i`.
    pub fn param_word(&self, i: u32) -> u32 {
        HEADER_WORDS + i
    }
    /// Frame size in words, header included.
    pub fn frame_words(&self) -> u32 {
        HEADER_WORDS + self.n_params() + self.n_i64 + self.n_f64 + self.n_cell
    }
    pub fn first_i64_word(&self) -> u32 {
        HEADER_WORDS + self.n_params()
    }
    pub fn first_f64_word(&self) -> u32 {
        self.first_i64_word() + self.n_i64
    }
    pub fn first_cell_word(&self) -> u32 {
        self.first_f64_word() + self.n_f64
    }
    /// The bank of frame word `w` (`None` for the header and words past the frame).
    pub fn word_bank(&self, w: u32) -> Option<Bank> {
        if w < HEADER_WORDS || w >= self.frame_words() {
            None
        } else if w < self.first_i64_word() {
            Some(self.params[(w - HEADER_WORDS) as usize])
        } else if w < self.first_f64_word() {
            Some(Bank::I64)
        } else if w < self.first_cell_word() {
            Some(Bank::F64)
        } else {
            Some(Bank::Cell)
        }
    }
    /// Every word of the frame that holds a Cell (the GC's roots in a frame of this
    /// function): the Cell parameters, then the cell slots.
    pub fn cell_words(&self) -> impl Iterator<Item = u32> + '_ {
        let params = self
            .params
            .iter()
            .enumerate()
            .filter(|(_, b)| **b == Bank::Cell)
            .map(|(i, _)| HEADER_WORDS + i as u32);
        params.chain(self.first_cell_word()..self.frame_words())
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
    /// The heap the program starts with: its type table (every runtime TypeId the code
    /// names) and the interned string constants referenced by `ConstCell` (permanent
    /// strings). The runner moves it into the `Runtime` (`take`), so it is `None` after.
    pub heap: Option<arenas::Heap>,
    /// `mochi test` only (compiled in test mode): the top-level `test` blocks, in source
    /// order, as (name, function); each function takes no parameters and returns nothing.
    /// Empty otherwise (a `mochi run` program calls its tests inline from main).
    pub tests: Vec<(String, u32)>,
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
                "fun #{} {} (params {:?}{}, returns {:?}) frame: {} words = header {} + params {} + i64 {} + f64 {} + cell {}",
                fi,
                f.name,
                f.params,
                if f.closure_param { " last = closure" } else { "" },
                f.ret,
                f.frame_words(),
                HEADER_WORDS,
                f.n_params(),
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

    /// The operands of `ins` as `--ir` prints them (`R5, K2(7), ->12`).
    pub fn format_operands(&self, ins: &Instr) -> String {
        let vals = ins.operand_values();
        let mut parts = Vec::new();
        for (k, v) in ins.op.operands().iter().zip(vals) {
            parts.push(match k {
                Operand::I | Operand::F | Operand::C | Operand::R => format!("R{v}"),
                Operand::G => format!("G{v}"),
                Operand::K => {
                    let raw = self.consts.get(v as usize).copied().unwrap_or(0);
                    let next = || self.consts.get(v as usize + 1).copied().unwrap_or(0) as i64;
                    let shown = match ins.op {
                        Op::ConstF64 => format!("{}", f64::from_bits(raw)),
                        // (the constant compared with, then the value selected)
                        Op::SelLtF64K | Op::SelLeF64K | Op::SelGtF64K | Op::SelGeF64K => {
                            format!("{} -> {}", f64::from_bits(raw), next())
                        }
                        Op::SelLtI64K | Op::SelLeI64K | Op::SelGtI64K | Op::SelGeI64K => {
                            format!("{} -> {}", raw as i64, next())
                        }
                        Op::ConstCell => match &self.heap {
                            Some(h)
                                if matches!(
                                    arenas::Cell(raw).arena(),
                                    Some((arenas::ArenaKind::Str, _))
                                ) =>
                            {
                                format!("{:?}", h.str(arenas::Cell(raw)))
                            }
                            _ => format!("{raw:#x}"),
                        },
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
