//! The checker picks typed ops and the lowering lays out bytecode as docs/ARCHITECTURE.md
//! says (moved from the first slice's compiler tests).

use vm::ops::Op;
use vm::program::{Bank, Program};

fn compile(src: &str) -> Program {
    compiler::compile_source(src).expect("compile")
}

fn ops_of(p: &Program, name: &str) -> Vec<Op> {
    let f = p.funcs.iter().find(|f| f.name == name).expect("function");
    f.code.iter().map(|i| i.op).collect()
}

#[test]
fn arithmetic_ops_are_typed_by_the_checker() {
    let p = compile(
        "fun f(a: int, b: int): int { return a * b }\n\
         fun g(a: float, b: int): float { return a * b }\n\
         fun h(a: string, b: int): string { return a + b }",
    );
    assert!(ops_of(&p, "f").contains(&Op::MulI64));
    let g = ops_of(&p, "g");
    assert!(
        g.contains(&Op::I64ToF64) && g.contains(&Op::MulF64),
        "{g:?}"
    );
    let h = ops_of(&p, "h");
    assert!(
        h.contains(&Op::StrFromI64) && h.contains(&Op::ConcatStr),
        "{h:?}"
    );
}

#[test]
fn conditions_compile_to_fused_compare_and_branch() {
    let p = compile(
        "fun fib(n: int): int { if n <= 1 { return n } return fib(n - 1) + fib(n - 2) }\n\
         fun lt(x: float, y: float): bool { if x < y { return true } return false }",
    );
    let fib = ops_of(&p, "fib");
    assert_eq!(fib[0], Op::JGtI64Imm, "{fib:?}");
    assert!(
        fib.contains(&Op::AddI64Imm),
        "n - 1 uses an immediate: {fib:?}"
    );
    assert!(!fib.contains(&Op::LeI64), "no materialised bool: {fib:?}");
    // `if x < y` jumps away when NOT (x < y), which must be true for NaN.
    assert_eq!(ops_of(&p, "lt")[0], Op::JNLtF64);
}

#[test]
fn for_range_steps_with_one_fused_op_and_checks_the_entry_once() {
    let p = compile("fun s(n: int): int { var t = 0 for i in 0..n { t = t + i } return t }");
    let s = ops_of(&p, "s");
    assert_eq!(
        s.iter().filter(|o| **o == Op::IncJLtI64).count(),
        1,
        "{s:?}"
    );
    assert_eq!(s.iter().filter(|o| **o == Op::JLeI64).count(), 1, "{s:?}");
    // `t = t + i` writes t's slot directly: no move.
    assert!(!s.contains(&Op::MovI64), "{s:?}");
}

#[test]
fn frames_are_banked_and_parameters_come_first_in_declaration_order() {
    let p = compile("fun f(a: int, s: string, x: float, b: bool) { let y = a + 1 print(y) }");
    let f = p.funcs.iter().find(|f| f.name == "f").unwrap();
    // header 4 words, then the parameters a, s, x, b at 4..8 whatever their bank, then the
    // i64 slot of y at 8
    assert_eq!(f.params, vec![Bank::I64, Bank::Cell, Bank::F64, Bank::I64]);
    assert_eq!((f.n_i64, f.n_f64, f.n_cell), (1, 0, 0));
    assert_eq!(f.first_i64_word(), 8);
    assert_eq!(f.word_bank(5), Some(Bank::Cell));
    assert_eq!(f.cell_words().collect::<Vec<_>>(), vec![5]);
    assert!(f
        .code
        .iter()
        .any(|i| i.op == Op::AddI64Imm && i.b == 4 && i.a == 8));
    // Cell parameters are not reset to nil by the entry InitCells.
    assert!(!f.code.iter().any(|i| i.op == Op::InitCells));
}

#[test]
fn every_function_ends_with_a_return_and_verifies() {
    let p = compile("fun v() { print(1) }\nfun w(): int { if true { return 1 } }\nv()\nprint(w())");
    for f in &p.funcs {
        assert!(matches!(
            f.code.last().map(|i| i.op),
            Some(Op::RetVoid | Op::RetI64 | Op::RetF64 | Op::RetCell)
        ));
        assert_eq!(f.code.len(), f.positions.len());
    }
    vm::verify::verify(&p).unwrap();
}

#[test]
fn disassembly_names_every_op() {
    let p = compile("let x = 1.5\nprint(x * 2, \"s\")");
    let ir = p.disassemble();
    for needle in [
        "StoreGlobalF64",
        "MulF64",
        "PrintF64",
        "PrintStr",
        "PrintEnd",
        "K",
    ] {
        assert!(ir.contains(needle), "{needle} missing in\n{ir}");
    }
}

#[test]
fn self_append_to_an_owned_list_pushes_in_place() {
    let p = compile(
        "fun owned(n: int): list<int> { var xs: list<int> = [] for i in 0..n { xs = append(xs, i) } return xs }\n\
         fun aliased(n: int): list<int> { var xs: list<int> = [] var ys = xs for i in 0..n { xs = append(xs, i) } return ys }\n\
         fun passed(n: int): int { var xs: list<int> = [] for i in 0..n { xs = append(xs, i) } return len(owned(len(xs))) }\n\
         fun param(xs: list<int>): list<int> { var ys = xs ys = append(ys, 1) return ys }\n\
         fun iterated(n: int): int { var xs: list<int> = [1] for x in xs { xs = append(xs, x) } return len(xs) }\n\
         fun concat(n: int): list<int> { var xs: list<int> = [] for i in 0..n { xs = xs + [i, 2] } return xs }",
    );
    // `xs = xs + [a, b]`: a push per element.
    let concat = ops_of(&p, "concat");
    let pushes = concat.iter().filter(|o| **o == Op::ListPushVI64).count();
    assert!(
        pushes == 2 && !concat.contains(&Op::ListConcat),
        "{concat:?}"
    );
    // (the loops only push: through an append view, `append_views_*` below)
    let owned = ops_of(&p, "owned");
    assert!(
        owned.contains(&Op::ListPushVI64) && !owned.contains(&Op::ListAppend),
        "{owned:?}"
    );
    // `len(xs)` as an argument is a read: xs stays owned.
    assert!(ops_of(&p, "passed").contains(&Op::ListPushVI64));
    for f in ["aliased", "param", "iterated"] {
        let ops = ops_of(&p, f);
        assert!(ops.contains(&Op::ListAppend), "{f}: {ops:?}");
    }
}

#[test]
fn append_views_open_around_loops_that_only_push() {
    let p = compile(
        "fun only(n: int): list<float> { var xs: list<float> = [] for i in 0..n { xs = append(xs, 1.5) } return xs }\n\
         fun reads(n: int): int { var xs: list<int> = [] var s = 0 for i in 0..n { xs = append(xs, i) s = s + len(xs) } return s }\n\
         fun returns(n: int): int { var xs: list<int> = [] for i in 0..n { xs = append(xs, i) if i > 3 { return 1 } } return len(xs) }\n\
         fun reads_in_piece(n: int): list<int> { var xs: list<int> = [1] for i in 0..n { xs = append(xs, xs[0]) } return xs }\n\
         fun cells(n: int): list<string> { var xs: list<string> = [] for i in 0..n { xs = append(xs, \"a\") } return xs }\n\
         fun nested(n: int): list<int> { var xs: list<int> = [] for i in 0..n { for j in 0..i { xs = append(xs, j) } } return xs }\n\
         fun text(n: int): string { var t = \"\" for i in 0..n { t = t + \"x\" + str(i) } return t }",
    );
    // A string: the same, with one fast append and its slow case per piece (a short literal
    // as packed bytes, with no string constant loaded in the loop).
    let text = ops_of(&p, "text");
    let count = |op: Op| text.iter().filter(|o| **o == op).count();
    let ops = [
        Op::AppendStrOpen,
        Op::AppendStrVLit,
        Op::AppendStrVLitGrow,
        Op::AppendStrV,
        Op::AppendStrVGrow,
        Op::AppendStrClose,
    ];
    assert_eq!(ops.map(count), [1, 1, 1, 1, 1, 1], "{text:?}");
    let body = &text[text.iter().position(|o| *o == Op::AppendStrOpen).unwrap()
        ..text.iter().position(|o| *o == Op::AppendStrClose).unwrap()];
    assert!(!body.contains(&Op::ConstCell), "{text:?}");
    // Open before the loop, a fast push and its slow case per append, close after it.
    let only = ops_of(&p, "only");
    let at = |op: Op| only.iter().position(|o| *o == op).unwrap();
    assert!(at(Op::ListAppendOpen) < at(Op::ListPushVF64), "{only:?}");
    assert_eq!(
        only[at(Op::ListPushVF64) + 1],
        Op::ListPushVGrow,
        "{only:?}"
    );
    assert!(at(Op::IncJLtI64) < at(Op::ListAppendClose), "{only:?}");
    // A loop that reads the list, returns, reads it in a pushed value, or pushes cells: none.
    for f in ["reads", "returns", "reads_in_piece", "cells"] {
        let ops = ops_of(&p, f);
        assert!(
            ops.contains(&Op::ListPush) && !ops.contains(&Op::ListAppendOpen),
            "{f}: {ops:?}"
        );
    }
    // Nested loops: one view, around the outer loop.
    let nested = ops_of(&p, "nested");
    let opens = nested.iter().filter(|o| **o == Op::ListAppendOpen).count();
    assert_eq!(opens, 1, "{nested:?}");
}

#[test]
fn loops_that_call_nothing_load_read_only_globals_once() {
    let p = compile(
        "var xs: list<int> = [1, 2, 3]\nlet k = 2\nvar t = 0\n\
         fun f() { for i in 0..1 { t = 0 } }\n\
         for i in 0..3 { t = t + xs[i] * k }\n\
         for i in 0..3 { f() t = t + xs[i] }\n",
    );
    let main = ops_of(&p, "main");
    // Loop bodies: from each `JLeI64` (the entry test) to its `IncJLtI64`.
    let bodies: Vec<&[Op]> = main
        .split(|o| *o == Op::JLeI64)
        .skip(1)
        .map(|s| &s[..s.iter().position(|o| *o == Op::IncJLtI64).unwrap()])
        .collect();
    let loads = |ops: &[Op], op: Op| ops.iter().filter(|o| **o == op).count();
    // The first loop reads xs and k from slots, and t too (it assigns t: a promoted
    // global, `loops_that_call_nothing_keep_the_globals_they_assign_in_slots_under_run`).
    assert_eq!(loads(bodies[0], Op::LoadGlobalCell), 0, "{main:?}");
    assert_eq!(loads(bodies[0], Op::LoadGlobalI64), 0, "{main:?}");
    // The second calls f, so it reads every global where it is used.
    assert_eq!(loads(bodies[1], Op::LoadGlobalCell), 1, "{main:?}");
    assert_eq!(loads(bodies[1], Op::LoadGlobalI64), 1, "{main:?}");
}

#[test]
fn loops_that_call_nothing_keep_the_globals_they_assign_in_slots_under_run() {
    // (f has a loop, so calls of it stay calls; g is a small leaf, inlined)
    let src = "var seed = 1\nvar h = 0\n\
               fun f(x: int): int { var r = 0 for i in 0..x { r = r + 1 } return r }\n\
               fun g(x: int): int { seed = seed + x return seed % 3 }\n\
               for i in 0..10 { seed = (seed * 7 + 1) % 13 h = h + seed }\n\
               for i in 0..10 { h = h + f(i) }\n\
               for i in 0..10 { h = h + g(i) }\nprint(seed, h)\n";
    // The loop bodies: from each `JLeI64` (the entry test) to its `IncJLtI64`.
    let bodies = |p: &Program| -> Vec<Vec<Op>> {
        let main = ops_of(p, "main");
        main.split(|o| *o == Op::JLeI64)
            .skip(1)
            .map(|s| s[..s.iter().position(|o| *o == Op::IncJLtI64).unwrap()].to_vec())
            .collect()
    };
    let stores = |ops: &[Op]| ops.iter().filter(|o| **o == Op::StoreGlobalI64).count();
    // `mochi run`: the first loop assigns seed and h in slots (stored back after it); the
    // second calls f, so it assigns h in its global; the third's call of g is inlined (no
    // call), and g's assignment of seed is the loop's own: both in slots.
    let run = compile(src);
    let counts: Vec<usize> = bodies(&run).iter().map(|b| stores(b)).collect();
    assert_eq!(counts, [0, 1, 0], "{:?}", ops_of(&run, "main"));
    // `mochi test` (which goes on after a failing test) keeps them in globals.
    let test = compiler::compile_file_with(src, "t.mochi", true).expect("compile");
    let b = bodies(&test);
    assert_eq!(stores(&b[0]), 2, "{:?}", ops_of(&test, "main"));
}

#[test]
fn closing_guard_chains_lower_to_selects() {
    let p = compile(
        "fun lookup(p: float): int { if p < 0.3 { return 97 } if p < 0.5 { return 99 } return 116 }\n\
         fun flagged(f: bool, n: int): bool { if f { return false } else if 3 > n { return true } else { return false } }\n\
         fun pair(x: float, y: float): int { if x < y { return 1 } return 2 }\n\
         fun called(n: int): int { if n < len(str(n)) { return 1 } return 2 }\n\
         fun equal(n: int): int { if n == 3 { return 1 } return 2 }\n\
         fun var_result(n: int): int { if n < 3 { return n } return 2 }",
    );
    let is_sel = |o: &Op| {
        matches!(
            o,
            Op::SelI64K | Op::SelLtI64K | Op::SelLtF64K | Op::SelGtF64K | Op::SelGeI64K
        )
    };
    let lookup = ops_of(&p, "lookup");
    assert_eq!(
        &lookup[..4],
        [Op::ConstI64, Op::SelLtF64K, Op::SelLtF64K, Op::RetI64],
        "{lookup:?}"
    );
    assert!(!lookup.contains(&Op::JNLtF64), "{lookup:?}");
    // The first guard is applied last, so that it wins: K[c] is what it compares with, K[c+1]
    // what it selects.
    let f = p.funcs.iter().find(|f| f.name == "lookup").unwrap();
    let last = f.code[2];
    assert_eq!(p.consts[last.c as usize], 0.3f64.to_bits());
    assert_eq!(p.consts[last.c as usize + 1], 97);
    // A bool variable is a guard too; `3 > n` is `n < 3`.
    let flagged = ops_of(&p, "flagged");
    assert_eq!(
        &flagged[..4],
        [Op::ConstI64, Op::SelLtI64K, Op::SelI64K, Op::RetI64],
        "{flagged:?}"
    );
    // Two variables, a call, `==`, a variable returned: the jumps stay.
    for name in ["pair", "called", "equal", "var_result"] {
        let ops = ops_of(&p, name);
        assert!(!ops.iter().any(is_sel), "{name}: {ops:?}");
    }
}

#[test]
fn an_inlined_guard_chain_selects_into_the_call_result() {
    let p = compile(
        "fun lookup(p: float): int { if p < 0.3 { return 97 } if p < 0.5 { return 99 } return 116 }\n\
         fun caller(p: float): int { let b = lookup(p) return b * 2 }",
    );
    let caller = ops_of(&p, "caller");
    // No copy of a temporary into the call's result after the selects.
    assert_eq!(
        &caller[..5],
        [
            Op::ConstI64,
            Op::SelLtF64K,
            Op::SelLtF64K,
            Op::MulI64Imm,
            Op::RetI64
        ],
        "{caller:?}"
    );
}
