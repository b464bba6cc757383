//! The ops that used to side-exit in tier 2 (`interp` in the op table) and now run in native
//! code: `AbsI64`, `F64ToI64`, `PowI64` (a helper op), `JmpNil`, `JmpNotNil`, `JmpNotType`
//! and `CallClosure`, patched and run on boundary operands against the interpreter's
//! semantics (written out here as in `tier1-interp`'s arms), memory forms and register
//! variants.

#![cfg(all(target_arch = "x86_64", target_os = "linux"))]

mod common;

use arenas::rtti::{FLOAT, INT};
use arenas::{ArenaKind, Cell, Heap, TypeDesc, TypeTable};
use common::*;
use vm::abi::{STATUS_EXIT, STATUS_RETURNED};
use vm::jit_api::Jit;
use vm::ops::Op;
use vm::program::{Bank, Function, Program, RetKind};

/// A machine whose context points at `h`'s slot tables.
fn on_heap(h: &Heap, p: Program, compile: &[usize]) -> Machine {
    let mut m = Machine::new(p, compile);
    m.ctx().list_slots = h.list_slots_base() as *mut u8;
    m.ctx().record_slots = h.record_slots_base() as *mut u8;
    m.ctx().str_slots = h.str_slots_base() as *mut u8;
    m
}

/// `R[a] := op R[b]` (i64 result) in memory form (`f`: no loop, nothing cached) and as a
/// register variant (`g`: a one-iteration loop caching every i64 slot, result and operand in
/// registers, stored to G0 after the loop). `want` is the interpreter's semantics (None: an
/// error, so native code must side-exit at the op without writing its result).
fn check_unary(
    op: Op,
    n_f64: u32,
    b: u32,
    set_b: impl Fn(&mut Machine, u64),
    xs: &[u64],
    want: impl Fn(u64) -> Option<i64>,
) {
    let p = program(
        vec![
            func(
                "f",
                4,
                n_f64,
                0,
                vec![ins(op, 4, b, 0), ins(Op::RetVoid, 0, 0, 0)],
            ),
            // i = R6, n = R7: for i in 0..1 { R4 := op R[b] }; G0 := R4
            func(
                "g",
                4,
                n_f64,
                0,
                vec![
                    ins(op, 4, b, 0),
                    ins(Op::MovI64, 5, 4, 0),
                    ins(Op::IncJLtI64, 6, 7, 0),
                    ins(Op::StoreGlobalI64, 0, 4, 0),
                    ins(Op::RetVoid, 0, 0, 0),
                ],
            ),
        ],
        vec![],
    );
    let mut cache = tier2_jit::emit::choose_cache(&p.funcs[1]);
    cache.sort_unstable();
    let mut m = Machine::new(p, &[0, 1]);
    for &x in xs {
        m.set(4, SENTINEL);
        set_b(&mut m, x);
        let st = m.run(0);
        match want(x) {
            Some(r) => {
                assert_eq!(st, STATUS_RETURNED, "{op:?} {x:#x}");
                assert_eq!(m.get(4) as i64, r, "{op:?} {x:#x}");
            }
            None => {
                assert_eq!(st, STATUS_EXIT, "{op:?} {x:#x} must side-exit");
                assert_eq!(m.ctx().exit_pc, 0);
                assert_eq!(m.get(4), SENTINEL, "{op:?} {x:#x} wrote its result");
            }
        }
        // The register variant.
        m.set(4, 77);
        m.set(5, 0);
        m.set(6, 0);
        m.set(7, 1);
        set_b(&mut m, x);
        m.globals()[0] = SENTINEL;
        let st = m.run(1);
        match want(x) {
            Some(r) => {
                assert_eq!(st, STATUS_RETURNED, "{op:?} {x:#x} (cached)");
                assert_eq!(m.globals()[0] as i64, r, "{op:?} {x:#x} (cached)");
            }
            None => {
                assert_eq!(st, STATUS_EXIT, "{op:?} {x:#x} (cached) must side-exit");
                assert_eq!(m.ctx().exit_pc, 0);
                assert_eq!(m.get(4), 77, "the exit stub spilled the untouched result");
                assert_eq!(m.globals()[0], SENTINEL);
            }
        }
    }
    assert!(
        cache.contains(&4),
        "the result slot is register-cached: {cache:?}"
    );
}

#[test]
fn abs_i64_is_checked_in_memory_and_register_forms() {
    let xs: Vec<u64> = INTS.iter().map(|x| *x as u64).collect();
    // Operand b in R5 (also cached in `g`): both operands in registers.
    check_unary(
        Op::AbsI64,
        0,
        5,
        |m, x| m.set(5, x),
        &xs,
        |x| (x as i64).checked_abs(),
    );
    // The memory form with the result aliasing the operand.
    let p = program(
        vec![func(
            "h",
            4,
            0,
            0,
            vec![ins(Op::AbsI64, 5, 5, 0), ins(Op::RetI64, 5, 0, 0)],
        )],
        vec![],
    );
    let mut m = Machine::new(p, &[0]);
    for &x in INTS {
        m.set(5, x as u64);
        let st = m.run(0);
        match x.checked_abs() {
            Some(r) => assert_eq!((st, m.get(5) as i64), (STATUS_RETURNED, r)),
            None => assert_eq!((st, m.get(5) as i64, m.ctx().exit_pc), (STATUS_EXIT, x, 0)),
        }
    }
}

/// The interpreter's `F64ToI64`: -2^63 <= x < 2^63 truncates, anything else (NaN included)
/// is an overflow error.
fn f64_to_i64(x: f64) -> Option<i64> {
    const TWO63: f64 = 9_223_372_036_854_775_808.0; // 2^63, exactly representable
    (-TWO63..TWO63).contains(&x).then_some(x as i64)
}

#[test]
fn f64_to_i64_truncates_and_exits_on_nan_and_out_of_range() {
    let two63 = 9_223_372_036_854_775_808.0f64;
    let mut xs = vec![
        0.0,
        -0.0,
        0.5,
        -0.5,
        0.9999999,
        -0.9999999,
        1.0,
        -1.0,
        2.5,
        -2.5,
        1e18,
        -1e18,
        1e19,
        -1e19,
        1e300,
        -1e300,
        f64::MIN_POSITIVE,
        -f64::MIN_POSITIVE,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NAN,
        -f64::NAN,
        f64::from_bits(0x7ff0_0000_0000_0001), // a signalling NaN
        two63,
        -two63,                                 // exactly INT64_MIN: in range
        f64::from_bits(two63.to_bits() - 1),    // the largest double below 2^63
        f64::from_bits((-two63).to_bits() + 1), // the next double below -2^63
        f64::from_bits((-two63).to_bits() - 1), // the next double above -2^63
        i64::MAX as f64,
        i64::MIN as f64,
    ];
    for &i in &[
        I32_MIN,
        I32_MAX,
        I32_MIN - 1,
        I32_MAX + 1,
        1 << 53,
        -(1 << 53),
    ] {
        xs.extend([i as f64, i as f64 + 0.5, i as f64 - 0.5]);
    }
    assert_eq!(f64_to_i64(-two63), Some(i64::MIN));
    assert_eq!(f64_to_i64(two63), None);
    let words: Vec<u64> = xs.iter().map(|x| x.to_bits()).collect();
    // The operand is the f64 slot R8 (word 8 = first f64 word of a 4-i64-slot frame).
    check_unary(
        Op::F64ToI64,
        1,
        8,
        |m, x| m.set(8, x),
        &words,
        |x| f64_to_i64(f64::from_bits(x)),
    );
}

/// A Runtime around `heap` attached to the machine (helper ops need it).
fn runtime(m: &mut Machine, heap: Heap) -> Box<vm::runtime::Runtime> {
    let sink = vm::runtime::CapturedOutput::default();
    let mut rt = Box::new(vm::runtime::Runtime::new(heap, Box::new(sink)));
    rt.attach(&m.prog);
    m.attach_runtime(&mut rt);
    rt
}

/// `x ** e` computed independently (repeated multiplication in i128).
fn pow_ref(x: i64, e: i64) -> Result<i64, &'static str> {
    if e < 0 {
        return Err("negative exponent");
    }
    match x {
        0 => return Ok((e == 0) as i64),
        1 => return Ok(1),
        -1 => return Ok(if e % 2 == 0 { 1 } else { -1 }),
        _ => {}
    }
    // |x| >= 2: the result leaves the i64 range within 64 multiplications.
    let mut r: i128 = 1;
    for _ in 0..e {
        r *= x as i128;
        if r > i64::MAX as i128 || r < i64::MIN as i128 {
            return Err("integer overflow");
        }
    }
    Ok(r as i64)
}

#[test]
fn pow_i64_is_a_checked_helper_op_in_native_code() {
    let p = program(
        vec![func(
            "p",
            4,
            0,
            0,
            vec![ins(Op::PowI64, 4, 5, 6), ins(Op::RetVoid, 0, 0, 0)],
        )],
        vec![],
    );
    let mut m = Machine::new(p, &[0]);
    let mut rt = runtime(&mut m, Heap::new(TypeTable::new()));
    let exps = [
        0i64,
        1,
        2,
        3,
        31,
        32,
        62,
        63,
        64,
        65,
        -1,
        I32_MIN,
        I32_MAX,
        1 << 32,
        i64::MIN,
        i64::MAX,
    ];
    for &x in INTS {
        for &e in &exps {
            m.set(4, SENTINEL);
            m.set(5, x as u64);
            m.set(6, e as u64);
            let st = m.run(0);
            let shared = vm::runtime::helpers::pow_i64_checked(x, e);
            match pow_ref(x, e) {
                Ok(r) => {
                    assert_eq!(st, STATUS_RETURNED, "{x} ** {e}");
                    assert_eq!(m.get(4) as i64, r, "{x} ** {e}");
                    assert_eq!(shared, Ok(r));
                }
                Err(msg) => {
                    assert_eq!(st, STATUS_EXIT, "{x} ** {e} must side-exit");
                    assert_eq!(m.ctx().exit_pc, 0);
                    assert_eq!(m.get(4), SENTINEL, "{x} ** {e} wrote its result");
                    assert_eq!(rt.pending_error.take().as_deref(), Some(msg), "{x} ** {e}");
                    assert_eq!(shared, Err(msg.to_string()));
                }
            }
        }
    }
}

/// `0: BRANCH; 1: R4 := K0 (111); 2: ret; 3: R4 := K1 (222); 4: ret` with the branch to 3.
/// Cell slots: words 7..10.
fn branch_prog(branch: vm::ops::Instr) -> Program {
    program(
        vec![func(
            "b",
            3,
            0,
            3,
            vec![
                branch,
                ins(Op::ConstI64, 4, 0, 0),
                ins(Op::RetVoid, 0, 0, 0),
                ins(Op::ConstI64, 4, 1, 0),
                ins(Op::RetVoid, 0, 0, 0),
            ],
        )],
        vec![111, 222],
    )
}

fn taken(m: &mut Machine) -> bool {
    m.set(4, SENTINEL);
    assert_eq!(m.run(0), STATUS_RETURNED);
    match m.get(4) {
        111 => false,
        222 => true,
        v => panic!("R4 = {v:#x}"),
    }
}

struct Cells {
    heap: Heap,
    /// Records of type `p` (two) and `q` (one), a closure, other cells.
    p_ty: u32,
    q_ty: u32,
    all: Vec<Cell>,
}

fn cells() -> Cells {
    let mut h = Heap::new(TypeTable::new());
    let p_ty = h.types.intern(TypeDesc::Struct {
        name: "P".into(),
        fields: vec![("x".into(), INT)],
    });
    let q_ty = h.types.intern(TypeDesc::Struct {
        name: "Q".into(),
        fields: vec![("y".into(), FLOAT), ("z".into(), INT)],
    });
    let _pad = h.new_record(q_ty, &[0, 0]);
    let p1 = h.new_record(p_ty, &[1]);
    let q1 = h.new_record(q_ty, &[0, 2]);
    let p2 = h.new_record(p_ty, &[3]);
    let clo = h.new_closure(0, 0, &[5], &[INT]);
    let s = h.alloc_str("P");
    let l = h.list_from(INT, &[1, 2]);
    // A record handle with a handle tag other than the canonical one (kind 4..7 in the tag
    // bits also count as handles; the interpreter's `arena()` accepts them).
    let (_, _, p2_idx) = p2.as_handle().unwrap();
    let odd_tag = Cell(0xFFFF_0000_0000_0000 | (4 << 44) | p2_idx as u64);
    assert_eq!(odd_tag.arena(), Some((ArenaKind::Record, p2_idx)));
    let all = vec![
        Cell::NIL,
        Cell(0),
        Cell::from_f64(0.0),
        Cell::from_f64(-0.0),
        Cell::from_f64(f64::NAN),
        Cell::from_bool(false),
        Cell::from_bool(true),
        Cell::from_small_int(0).unwrap(),
        Cell::from_small_int(-1).unwrap(),
        Cell::from_small_int(I32_MIN).unwrap(),
        Cell::from_small_int(I32_MAX).unwrap(),
        Cell(u64::MAX),
        Cell(Cell::NIL.0 + 1),
        Cell(Cell::NIL.0 - 1),
        p1,
        q1,
        p2,
        clo,
        s,
        l,
        odd_tag,
    ];
    Cells {
        heap: h,
        p_ty,
        q_ty,
        all,
    }
}

#[test]
fn jmp_nil_and_jmp_not_nil_compare_with_the_nil_cell() {
    let c = cells();
    for (op, want_taken) in [
        (Op::JmpNil, (|v: Cell| v.is_nil()) as fn(Cell) -> bool),
        (Op::JmpNotNil, |v: Cell| !v.is_nil()),
    ] {
        let mut m = on_heap(&c.heap, branch_prog(ins(op, 8, 3, 0)), &[0]);
        for &v in &c.all {
            m.set(8, v.0);
            assert_eq!(taken(&mut m), want_taken(v), "{op:?} {:#x}", v.0);
        }
    }
}

#[test]
fn jmp_not_type_tests_record_handles_and_their_type() {
    let c = cells();
    let h = &c.heap;
    // The interpreter's arm: taken unless R[a] is a record of type b.
    let is = |v: Cell, b: u32| {
        matches!(v.arena(), Some((ArenaKind::Record, _))) && h.record_type(v) == b
    };
    // Type ids to test against: both struct types, the closure's (0 here), builtin ids and
    // boundary values (a type id is a u32 immediate).
    let clo_ty = h.record_type(c.all[17]);
    for b in [
        c.p_ty,
        c.q_ty,
        clo_ty,
        0,
        1,
        8,
        u32::MAX,
        i32::MAX as u32,
        i32::MIN as u32,
    ] {
        let mut m = on_heap(h, branch_prog(ins(Op::JmpNotType, 8, b, 3)), &[0]);
        for &v in &c.all {
            m.set(8, v.0);
            assert_eq!(taken(&mut m), !is(v, b), "JmpNotType {:#x} type {b}", v.0);
        }
    }
    assert!(is(c.all[14], c.p_ty) && is(c.all[16], c.p_ty) && !is(c.all[15], c.p_ty));
    assert!(
        is(c.all[20], c.p_ty),
        "the odd handle tag is a P record too"
    );
}

// ---- closure calls ----

/// A function with parameters `params` (the last one hidden when `closure`), returning an int.
fn func_p(
    name: &str,
    params: Vec<Bank>,
    closure: bool,
    n_i64: u32,
    n_cell: u32,
    code: Vec<vm::ops::Instr>,
) -> Function {
    let mut f = func(name, n_i64, 0, n_cell, code);
    f.params = params;
    f.closure_param = closure;
    f.ret = RetKind::Value(Bank::I64);
    f
}

/// fid 0 `main`: R5 := R6(R4) (closure in cell R6; frame 7 words, the callee's frame at 7).
/// fid 1 `add`: (x, hidden closure) -> x + capture 0; x at 4, closure at 5, n at 6, r at 7.
/// fid 2 `neg`: (x) -> -x, a closure without captures (no hidden parameter: word 5, where one
/// would go, is an unused slot).
/// fid 3 `twice`: (f: cell, x) -> f(f(x)) through CallClosure; f at 4, x at 5, r at 6.
/// fid 4 `main2`: R5 := R7(R6, R4): calls `twice` through a closure (cells R6, R7; frame 8).
/// fid 5 `sum`: for i in R4..R5 { s += R8(i) } ; G0 := s  (every i64 slot cached).
fn closure_prog() -> Program {
    program(
        vec![
            func(
                "main",
                2,
                0,
                1,
                vec![
                    ins(Op::MovI64, 11, 4, 0),
                    ins(Op::CallClosure, 6, 5, 7),
                    ins(Op::RetI64, 5, 0, 0),
                ],
            ),
            func_p(
                "add",
                vec![Bank::I64, Bank::Cell],
                true,
                2,
                0,
                vec![
                    ins(Op::GetFieldI64, 6, 5, 0),
                    ins(Op::AddI64, 7, 4, 6),
                    ins(Op::RetI64, 7, 0, 0),
                ],
            ),
            func_p(
                "neg",
                vec![Bank::I64],
                false,
                2,
                0,
                vec![ins(Op::NegI64, 6, 4, 0), ins(Op::RetI64, 6, 0, 0)],
            ),
            func_p(
                "twice",
                vec![Bank::Cell, Bank::I64],
                false,
                1,
                0,
                vec![
                    ins(Op::MovI64, 11, 5, 0),
                    ins(Op::CallClosure, 4, 6, 7),
                    ins(Op::MovI64, 11, 6, 0),
                    ins(Op::CallClosure, 4, 6, 7),
                    ins(Op::RetI64, 6, 0, 0),
                ],
            ),
            func(
                "main2",
                2,
                0,
                2,
                vec![
                    ins(Op::MovCell, 12, 6, 0),
                    ins(Op::MovI64, 13, 4, 0),
                    ins(Op::CallClosure, 7, 5, 8),
                    ins(Op::RetI64, 5, 0, 0),
                ],
            ),
            func(
                "sum",
                4,
                0,
                1,
                vec![
                    ins(Op::MovI64, 13, 4, 0),
                    ins(Op::CallClosure, 8, 7, 9),
                    ins(Op::AddI64, 6, 6, 7),
                    ins(Op::IncJLtI64, 4, 5, 0),
                    ins(Op::StoreGlobalI64, 0, 6, 0),
                    ins(Op::RetVoid, 0, 0, 0),
                ],
            ),
        ],
        vec![],
    )
}

struct Closures {
    heap: Heap,
    add: Cell,
    neg: Cell,
    twice: Cell,
}

fn closures(n: i64) -> Closures {
    let mut h = Heap::new(TypeTable::new());
    let _pad = h.new_closure(0, 0, &[], &[]); // not slot 1: real slot indices matter
    let add = h.new_closure(1, 0, &[n as u64], &[INT]);
    let neg = h.new_closure(2, 0, &[], &[]);
    let twice = h.new_closure(3, 0, &[], &[]);
    Closures {
        heap: h,
        add,
        neg,
        twice,
    }
}

#[test]
fn closure_calls_pass_the_hidden_parameter_and_return_natively() {
    for n in [0i64, 1, -1, I32_MIN, I32_MAX, i64::MIN, i64::MAX] {
        let c = closures(n);
        let mut m = on_heap(&c.heap, closure_prog(), &[0, 1, 2]);
        let fp = m.fp() as u64;
        for &x in INTS {
            m.set(4, x as u64);
            m.set(5, SENTINEL);
            m.set(6, c.add.0);
            let st = m.run(0);
            match x.checked_add(n) {
                Some(r) => {
                    assert_eq!(st, STATUS_RETURNED, "{x} + {n}");
                    assert_eq!(m.get(5) as i64, r);
                    assert_eq!(m.ctx().depth, 0);
                    // The callee's header and its hidden parameter (word 7 + 5).
                    assert_eq!(&m.stack[7..11], &[1, 2, fp, 40]);
                    assert_eq!(m.get(12), c.add.0, "the closure is the hidden parameter");
                }
                None => {
                    // The overflow side-exits inside the callee, through the caller.
                    assert_eq!(st, STATUS_EXIT, "{x} + {n}");
                    assert_eq!(m.ctx().exit_pc, 1);
                    assert_eq!(m.ctx().exit_fp as u64, fp + 7 * 8);
                    assert_eq!(m.ctx().depth, 2);
                    assert_eq!(m.get(5), SENTINEL);
                }
            }
        }
    }
    // A closure without captures: no hidden parameter is written.
    let c = closures(0);
    let mut m = on_heap(&c.heap, closure_prog(), &[0, 1, 2]);
    m.set(4, 9);
    m.set(6, c.neg.0);
    m.set(12, SENTINEL);
    assert_eq!(m.run(0), STATUS_RETURNED);
    assert_eq!(m.get(5) as i64, -9);
    assert_eq!(m.get(12), SENTINEL, "neg has no hidden parameter");
    assert_eq!(m.stack[7], 2, "the header names the closure's function");
}

#[test]
fn a_closure_call_on_a_non_closure_value_side_exits_before_changing_anything() {
    // Static types make this nil at most (the interpreter raises `call of a nil function
    // value`); any non-record cell side-exits the same way.
    let c = closures(0);
    let s = {
        let mut h = Heap::new(TypeTable::new());
        h.alloc_str("f")
    };
    let mut m = on_heap(&c.heap, closure_prog(), &[0, 1, 2]);
    for v in [
        Cell::NIL,
        Cell(0),
        Cell::from_small_int(1).unwrap(),
        Cell::from_f64(1.0),
        s,
    ] {
        m.set(4, 1);
        m.set(5, SENTINEL);
        m.set(6, v.0);
        for w in 7..13 {
            m.set(w, SENTINEL);
        }
        assert_eq!(m.run(0), STATUS_EXIT, "{:#x}", v.0);
        let fp = m.fp();
        assert_eq!(
            (m.ctx().exit_pc, m.ctx().exit_fp, m.ctx().depth),
            (1, fp, 1)
        );
        assert_eq!(m.get(5), SENTINEL);
        assert_eq!(m.get(11), 1, "the argument store before the call ran");
        for w in [7, 8, 9, 10, 12] {
            assert_eq!(m.get(w), SENTINEL, "word {w} of the callee frame written");
        }
    }
}

#[test]
fn nested_native_closure_calls() {
    // main2 calls `twice` through a closure, which calls `add` through a closure twice.
    for n in [0i64, 5, -5, I32_MAX] {
        let c = closures(n);
        let mut m = on_heap(&c.heap, closure_prog(), &[1, 3, 4]);
        for x in [0i64, 1, -1, I32_MIN, I32_MAX, 1 << 40] {
            m.set(4, x as u64);
            m.set(5, SENTINEL);
            m.set(6, c.add.0);
            m.set(7, c.twice.0);
            assert_eq!(m.run(4), STATUS_RETURNED, "twice(add {n}, {x})");
            assert_eq!(m.get(5) as i64, x + 2 * n);
            assert_eq!(m.ctx().depth, 0);
        }
        // With `neg` instead: -(-x) = x.
        m.set(4, 12);
        m.set(6, c.neg.0);
        assert_eq!(m.run(4), STATUS_EXIT, "neg is not compiled in this machine");
        // twice's frame is at 8 words, its callee's at 8 + 7.
        assert_eq!(m.ctx().exit_pc, 1);
        let fp = m.fp();
        assert_eq!(m.ctx().exit_fp, unsafe { fp.add(8 * 8) });
        assert_eq!(m.ctx().depth, 2);
    }
    let c = closures(3);
    let mut m = on_heap(&c.heap, closure_prog(), &[1, 2, 3, 4]);
    m.set(4, 12);
    m.set(6, c.neg.0);
    m.set(7, c.twice.0);
    assert_eq!(m.run(4), STATUS_RETURNED);
    assert_eq!(m.get(5), 12);
    // An overflow two native closure calls deep returns through both callers.
    m.set(4, (i64::MAX - 4) as u64);
    m.set(5, SENTINEL);
    m.set(6, c.add.0);
    assert_eq!(m.run(4), STATUS_EXIT);
    assert_eq!(m.ctx().exit_pc, 1, "in add");
    let fp = m.fp();
    assert_eq!(m.ctx().exit_fp, unsafe { fp.add(8 * (8 + 7)) });
    assert_eq!(m.ctx().depth, 3);
    assert_eq!(m.get(5), SENTINEL);
    assert_eq!(
        m.get(8 + 6),
        (i64::MAX - 1) as u64,
        "twice got the first result"
    );
}

#[test]
fn closure_call_to_an_uncompiled_target_side_exits_at_the_call() {
    let c = closures(4);
    let mut m = on_heap(&c.heap, closure_prog(), &[0]);
    m.set(4, 10);
    m.set(5, SENTINEL);
    m.set(6, c.add.0);
    m.set(12, SENTINEL);
    assert_eq!(m.run(0), STATUS_EXIT);
    let fp = m.fp();
    assert_eq!(
        (m.ctx().exit_pc, m.ctx().exit_fp, m.ctx().depth),
        (1, fp, 1)
    );
    assert_eq!(m.get(5), SENTINEL);
    assert_eq!(m.get(12), SENTINEL, "nothing written for the callee");
    // Once the target has native code (the interpreter promoted it), the same call runs
    // natively: point its FuncInfo at the compiled code.
    let add = m.jit.compile(&m.prog, 1).expect("compile add");
    m.infos[1].native = add.entry();
    m.ctx().funcs = m.infos.as_ptr();
    assert_eq!(m.run(0), STATUS_RETURNED);
    assert_eq!(m.get(5), 14);
}

#[test]
fn closure_calls_in_a_loop_with_register_cached_slots() {
    let c = closures(100);
    let p = closure_prog();
    let mut cache = tier2_jit::emit::choose_cache(&p.funcs[5]);
    cache.sort_unstable();
    assert_eq!(
        cache,
        vec![4, 5, 6, 7],
        "i, n, s and the call's result are cached"
    );
    let mut m = on_heap(&c.heap, p, &[1, 5]);
    let run = |m: &mut Machine, lo: i64, hi: i64, s0: i64| {
        m.set(4, lo as u64);
        m.set(5, hi as u64);
        m.set(6, s0 as u64);
        m.set(7, 0);
        m.set(8, c.add.0);
        m.globals()[0] = SENTINEL;
        m.run(5)
    };
    assert_eq!(run(&mut m, -5, 20, 0), STATUS_RETURNED);
    let want: i64 = (-5..20).map(|i| i + 100).sum();
    assert_eq!(m.globals()[0] as i64, want);
    assert_eq!(m.ctx().depth, 0);
    // The sum overflows after some calls: the exit (in `sum`, at the add) finds i and s
    // spilled to the frame.
    assert_eq!(run(&mut m, 0, 20, i64::MAX - 250), STATUS_EXIT);
    assert_eq!(m.ctx().exit_pc, 2);
    // s: MAX-250 + 100 + 101 -> MAX-49; + 102 overflows at i = 2.
    assert_eq!(m.get(4), 2);
    assert_eq!(m.get(6) as i64, i64::MAX - 49);
    assert_eq!(
        m.get(7),
        102,
        "the call's result was reloaded into its register"
    );
    // The target without native code: the first call side-exits with the frame whole.
    let mut m = on_heap(&c.heap, closure_prog(), &[5]);
    assert_eq!(run(&mut m, 3, 20, 7), STATUS_EXIT);
    assert_eq!(m.ctx().exit_pc, 1);
    assert_eq!((m.get(4), m.get(5), m.get(6)), (3, 20, 7));
    assert_eq!(m.get(13), 3, "the argument store ran");
}
