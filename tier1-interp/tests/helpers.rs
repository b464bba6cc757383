//! Helper ops run through the interpreter's one generic arm: results land in the frame, and a
//! failing helper raises its message at the op's source position, after the output printed
//! before it. Frames put parameters first: a call stores argument i at word 4 + i of the
//! callee, whatever its bank.

use vm::error::Pos;
use vm::ops::{Instr, Op};
use vm::program::{Bank, Function, Globals, Program, RetKind};

fn func(name: &str, params: Vec<Bank>, n: [u32; 3], ret: RetKind, code: Vec<Instr>) -> Function {
    let positions = (0..code.len())
        .map(|i| Pos {
            line: i as u32 + 1,
            col: 1,
        })
        .collect();
    Function {
        name: name.into(),
        pos: Pos { line: 1, col: 1 },
        params,
        closure_param: false,
        captures: vec![],
        fn_type: 0,
        ret,
        n_i64: n[0],
        n_f64: n[1],
        n_cell: n[2],
        code,
        positions,
    }
}

fn run(mut prog: Program) -> (Result<(), vm::error::Error>, String) {
    tier1_interp::run_captured(&mut prog)
}

#[test]
fn helper_ops_write_the_frame_and_raise_at_their_position() {
    let mut heap = arenas::Heap::new(arenas::TypeTable::new());
    let ab = heap.alloc_str_permanent("ab");
    let i = Instr::new;
    // main: i64 slot word 4, cell slots 5, 6.
    let main = func(
        "main",
        vec![],
        [1, 0, 2],
        RetKind::Void,
        vec![
            i(Op::InitCells, 5, 2, 0),
            i(Op::ConstCell, 5, 0, 0),
            i(Op::ConcatStr, 6, 5, 5),
            i(Op::PrintStr, 6, 0, 0),
            i(Op::StrLen, 4, 6, 0),
            i(Op::PrintI64, 4, 0, 0),
            i(Op::PrintEnd, 2, 0, 0),
            // "ab" as int: fails
            i(Op::Unbox, 4, 5, arenas::rtti::INT),
            i(Op::RetVoid, 0, 0, 0),
        ],
    );
    let prog = Program {
        funcs: vec![main],
        consts: vec![ab.0],
        globals: Globals::default(),
        heap: Some(heap),
        tests: Vec::new(),
    };
    vm::verify::verify(&prog).unwrap();
    let (r, out) = run(prog);
    assert_eq!(out, "abab 4\n");
    let e = r.unwrap_err();
    assert_eq!(e.message, "cannot cast \"ab\" to int");
    assert_eq!(e.pos.line, 8, "raised at the Unbox instruction");
}

#[test]
fn arguments_go_to_words_4_plus_i_whatever_their_bank() {
    let mut heap = arenas::Heap::new(arenas::TypeTable::new());
    let s = heap.alloc_str_permanent("s");
    let i = Instr::new;
    // f(a: int, s: string, x: float): print(a, s, x)
    let f = func(
        "f",
        vec![Bank::I64, Bank::Cell, Bank::F64],
        [0, 0, 0],
        RetKind::Void,
        vec![
            i(Op::PrintI64, 4, 0, 0),
            i(Op::PrintStr, 5, 0, 0),
            i(Op::PrintF64, 6, 0, 0),
            i(Op::PrintEnd, 3, 0, 0),
            i(Op::RetVoid, 0, 0, 0),
        ],
    );
    // main: i64 slot 4, f64 slot 5, cell slot 6; frame 7 words, so f's params are 11, 12, 13.
    let main = func(
        "main",
        vec![],
        [1, 1, 1],
        RetKind::Void,
        vec![
            i(Op::InitCells, 6, 1, 0),
            i(Op::ConstI64, 11, 1, 0),
            i(Op::ConstCell, 12, 0, 0),
            i(Op::ConstF64, 13, 2, 0),
            i(Op::Call, 1, 0, 7),
            i(Op::RetVoid, 0, 0, 0),
        ],
    );
    let prog = Program {
        funcs: vec![main, f],
        consts: vec![s.0, 7, 2.5f64.to_bits()],
        globals: Globals::default(),
        heap: Some(heap),
        tests: Vec::new(),
    };
    vm::verify::verify(&prog).unwrap();
    assert_eq!(prog.funcs[1].cell_words().collect::<Vec<_>>(), vec![5]);
    let (r, out) = run(prog);
    r.unwrap();
    assert_eq!(out, "7 s 2.5\n");
}
