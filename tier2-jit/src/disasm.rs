//! `mochi run --dump-jit=FN`: a compiled function's machine code, disassembled (iced-x86,
//! GNU syntax) and interleaved with the bytecode instruction each range of it came from.
//!
//! The emitter describes the layout it chose ([`Listing`]: every piece's offset, length,
//! instruction, role and stencil, and a copy of the patched code), so the listing shows
//! exactly the bytes that run. Branches into the function are annotated with the instruction
//! or stub they reach.

use crate::emit::{Listing, Role};
use iced_x86::{Decoder, DecoderOptions, Formatter, GasFormatter, Instruction};
use std::fmt::Write;
use vm::program::Program;

/// The listing of function `fid` of `prog` as text.
pub fn render(prog: &Program, fid: usize, l: &Listing) -> String {
    let f = &prog.funcs[fid];
    let mut out = String::new();
    let cached: Vec<String> = l
        .cache
        .iter()
        .enumerate()
        .map(|(r, w)| format!("x{r}=R{w}"))
        .chain(
            l.fcache
                .iter()
                .enumerate()
                .map(|(r, w)| format!("f{r}=R{w}")),
        )
        .collect();
    let _ = writeln!(
        out,
        "; function #{fid} {}: {} bytecode ops, {} bytes of code at {:#x}{}",
        f.name,
        f.code.len(),
        l.code_bytes,
        l.base,
        if cached.is_empty() {
            String::new()
        } else {
            format!(", registers {}", cached.join(" "))
        }
    );
    // What a branch target is: the first piece of an instruction, or a stub.
    let label = |addr: u64| -> Option<String> {
        let off = addr.checked_sub(l.base as u64)? as usize;
        let p = l.pieces.iter().find(|p| p.offset == off)?;
        Some(match p.role {
            Role::Op | Role::Slot(_) => format!("pc {}", p.pc),
            Role::Enter | Role::Reload(_) => format!("entry of pc {}", p.pc),
            Role::ExitAt => format!("side exit at pc {}", p.pc),
            Role::Exit => "exit stub".to_string(),
            Role::Cold => format!("cold path of pc {}", p.pc),
        })
    };
    let mut formatter = GasFormatter::new();
    formatter.options_mut().set_first_operand_char_index(8);
    formatter
        .options_mut()
        .set_space_after_operand_separator(true);
    formatter.options_mut().set_uppercase_hex(false);
    let mut text = String::new();
    let mut ins = Instruction::default();
    let mut last_pc = usize::MAX;
    // The next pc not listed yet: instructions skipped before an op's code (or before the
    // stubs, at the end) were unreachable and got no code.
    let mut next_pc = 0usize;
    let skipped = |out: &mut String, next_pc: &mut usize, to: usize| {
        for pc in *next_pc..to {
            let i = &f.code[pc];
            let _ = writeln!(
                out,
                "\n{pc:4}  {:<16} {}    ; unreachable: no code",
                i.op.name(),
                prog.format_operands(i)
            );
        }
        *next_pc = (*next_pc).max(to);
    };
    // The entry stub being listed (its pieces share a header).
    let mut stub: Option<usize> = None;
    for p in &l.pieces {
        match p.role {
            Role::Op | Role::Slot(_) => skipped(&mut out, &mut next_pc, p.pc),
            _ => skipped(&mut out, &mut next_pc, f.code.len()),
        }
        match p.role {
            Role::Op | Role::Slot(_) if p.pc != last_pc => {
                last_pc = p.pc;
                next_pc = p.pc + 1;
                let i = &f.code[p.pc];
                let pos = f.positions.get(p.pc).map(|q| (q.line, q.col));
                let _ = write!(
                    out,
                    "\n{:4}  {:<16} {}",
                    p.pc,
                    i.op.name(),
                    prog.format_operands(i)
                );
                if let Some((line, col)) = pos {
                    let _ = write!(out, "    ; {line}:{col}");
                }
                out.push('\n');
            }
            Role::Op | Role::Slot(_) => {}
            Role::Enter | Role::Reload(_) => {
                if stub != Some(p.pc) {
                    let _ = writeln!(
                        out,
                        "\n      entry of pc {} (loads the cached registers)",
                        p.pc
                    );
                }
            }
            Role::ExitAt => {
                let _ = writeln!(out, "\n      side exit at pc {}", p.pc);
            }
            Role::Cold => {
                let _ = writeln!(out, "\n      cold path of pc {}", p.pc);
            }
            Role::Exit => {
                let _ = writeln!(
                    out,
                    "\n      exit stub (spills the cached registers, returns to the interpreter)"
                );
            }
        }
        // (an Enter piece ends its stub)
        stub = match p.role {
            Role::Reload(_) => Some(p.pc),
            _ => None,
        };
        let what = match p.role {
            Role::Slot(w) | Role::Reload(w) => format!("{} R{w}", p.stencil),
            _ => p.stencil.to_string(),
        };
        let _ = writeln!(out, "      [{what}]");
        let bytes = &l.code[p.offset..p.offset + p.len];
        let ip = (l.base + p.offset) as u64;
        let mut dec = Decoder::with_ip(64, bytes, ip, DecoderOptions::NONE);
        while dec.can_decode() {
            dec.decode_out(&mut ins);
            text.clear();
            formatter.format(&ins, &mut text);
            let _ = write!(out, "      {:06x}  {text}", ins.ip() - l.base as u64);
            let t = ins.near_branch_target();
            if t != 0 {
                if let Some(to) = label(t) {
                    let _ = write!(out, "    ; -> {to}");
                }
            }
            out.push('\n');
        }
    }
    out
}
