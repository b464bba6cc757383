//! Closure calls across the tiers, on a hand-built program (the front end does not lower
//! anonymous functions yet): `main` makes a closure over `add` (capturing n = 300) and calls
//! it in a loop through `CallClosure`. Every tier policy prints the same sum; in `auto` mode
//! with a threshold that compiles `main` (through its loop back-edge) one call before `add`,
//! the native closure call finds its target uncompiled, side-exits, and the interpreter runs
//! the call (promoting `add`), then native code goes on: the result is still right.

use arenas::rtti::INT;
use arenas::{Heap, TypeTable};
use tier1_interp::{JitMode, Options, RunStats};
use vm::ops::{Instr, Op};
use vm::program::{Bank, Function, Globals, Program, RetKind};
use vm::Pos;

fn ins(op: Op, a: u32, b: u32, c: u32) -> Instr {
    Instr::new(op, a, b, c)
}

#[allow(clippy::too_many_arguments)]
fn func(
    name: &str,
    params: Vec<Bank>,
    closure_param: bool,
    captures: Vec<u32>,
    ret: RetKind,
    n_i64: u32,
    n_cell: u32,
    code: Vec<Instr>,
) -> Function {
    Function {
        name: name.into(),
        pos: Pos { line: 1, col: 1 },
        params,
        closure_param,
        captures,
        fn_type: 0,
        ret,
        n_i64,
        n_f64: 0,
        n_cell,
        positions: vec![Pos { line: 1, col: 1 }; code.len()],
        code,
    }
}

const N: i64 = 300;

fn prog() -> Program {
    // main: i = R4, n = R5, s = R6, r = R7, closure = R8; frame 9 words (callee at 9).
    let main = func(
        "main",
        vec![],
        false,
        vec![],
        RetKind::Void,
        4,
        1,
        vec![
            ins(Op::InitCells, 8, 1, 0),
            ins(Op::NewClosure, 8, 1, 0),
            ins(Op::ConstI64, 4, 0, 0),
            ins(Op::ConstI64, 5, 1, 0),
            ins(Op::ConstI64, 6, 0, 0),
            ins(Op::SetFieldI64, 8, 0, 5), // capture n
            ins(Op::MovI64, 13, 4, 0),     // 6: loop body: argument i
            ins(Op::CallClosure, 8, 7, 9), // r := closure(i)
            ins(Op::AddI64, 6, 6, 7),
            ins(Op::IncJLtI64, 4, 5, 6),
            ins(Op::PrintI64, 6, 0, 0),
            ins(Op::PrintEnd, 1, 0, 0),
            ins(Op::RetVoid, 0, 0, 0),
        ],
    );
    // add: (x = R4, hidden closure = R5) -> x + capture 0; n = R6, r = R7.
    let add = func(
        "add",
        vec![Bank::I64, Bank::Cell],
        true,
        vec![INT],
        RetKind::Value(Bank::I64),
        2,
        0,
        vec![
            ins(Op::GetFieldI64, 6, 5, 0),
            ins(Op::AddI64, 7, 4, 6),
            ins(Op::RetI64, 7, 0, 0),
        ],
    );
    Program {
        funcs: vec![main, add],
        consts: vec![0, N as u64],
        globals: Globals::default(),
        heap: None,
        tests: Vec::new(),
    }
}

fn run(mode: JitMode, threshold: u64) -> (String, RunStats) {
    let p = prog();
    let sink = vm::runtime::CapturedOutput::default();
    let mut rt = vm::runtime::Runtime::new(Heap::new(TypeTable::new()), Box::new(sink.clone()));
    let mut jit = tier2_jit::CopyAndPatch::new();
    let mut stats = RunStats::default();
    let opts = Options {
        mode,
        threshold,
        ..Options::default()
    };
    let jit: Option<&mut dyn vm::jit_api::Jit> = if tier2_jit::available() {
        Some(&mut jit)
    } else {
        None
    };
    tier1_interp::run(&p, &mut rt, jit, opts, &mut stats).expect("runs");
    rt.flush();
    (sink.contents(), stats)
}

#[test]
fn closure_calls_agree_in_every_tier_policy() {
    let want = format!("{}\n", (0..N).map(|i| i + N).sum::<i64>());
    let (out, stats) = run(JitMode::Off, 1);
    assert_eq!(out, want);
    assert_eq!(stats.native_entries, 0);
    for (mode, t) in [
        (JitMode::Always, 1),
        (JitMode::Auto, 1),
        (JitMode::Auto, 50),
        (JitMode::Auto, 1000),
    ] {
        let (out, stats) = run(mode, t);
        assert_eq!(out, want, "{mode:?} threshold {t}");
        if !tier2_jit::available() {
            continue;
        }
        match (mode, t) {
            (JitMode::Always, _) => {
                // Both functions compiled up front: one entry, every closure call native.
                assert_eq!(stats.native_entries, 1, "{stats:?}");
                assert_eq!(stats.side_exits, 0, "{stats:?}");
                assert_eq!(stats.interp_calls, 1, "{stats:?}");
            }
            (JitMode::Auto, 50) => {
                // main is promoted at its 49th back-edge (OSR), before add's 50th call: the
                // native closure call side-exits once, the interpreter runs it and promotes
                // add, and later calls are native.
                assert!(stats.osr_entries >= 1, "{stats:?}");
                assert!(stats.side_exits >= 1, "{stats:?}");
                assert!(stats.interp_calls < 60, "{stats:?}");
            }
            (JitMode::Auto, 1000) => assert_eq!(stats.native_entries, 0, "{stats:?}"),
            _ => {}
        }
    }
}
