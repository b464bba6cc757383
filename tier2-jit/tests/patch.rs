//! Executes patched stencils: tiny hand-built programs are compiled with `CopyAndPatch`, run
//! through the entry shim on a fake frame, and the frame is checked.

#![cfg(all(target_arch = "x86_64", target_os = "linux"))]

mod common;

use common::*;
use vm::abi::{STATUS_EXIT, STATUS_RETURNED};
use vm::jit_api::Jit;
use vm::ops::Op;

// (2, 3, -7, 10 and 139968: divisors on both sides of `mod_i64_imm`'s multiplication path)
const IMMS: &[i64] = &[
    0,
    -1,
    1,
    2,
    -2,
    3,
    -7,
    10,
    139968,
    I32_MIN,
    I32_MAX,
    I32_MIN + 1,
    I32_MAX - 1,
];

fn floats() -> Vec<f64> {
    vec![
        0.0,
        -0.0,
        1.0,
        -1.0,
        2.5,
        -7.25,
        1e300,
        f64::MIN_POSITIVE,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NAN,
    ]
}

fn same_float(a: f64, b: f64) -> bool {
    (a.is_nan() && b.is_nan()) || a.to_bits() == b.to_bits()
}

/// `op R4, R5, R6` on ints, checked against `f` (None: the op must side-exit at pc 0 without
/// touching its destination).
fn check_int_binop(op: Op, f: impl Fn(i64, i64) -> Option<i64>) {
    let p = program(
        vec![
            func(
                "f",
                3,
                0,
                0,
                vec![ins(op, 4, 5, 6), ins(Op::RetI64, 4, 0, 0)],
            ),
            // The same op with the destination aliasing the first source.
            func(
                "g",
                3,
                0,
                0,
                vec![ins(op, 5, 5, 6), ins(Op::RetI64, 5, 0, 0)],
            ),
        ],
        vec![],
    );
    let mut m = Machine::new(p, &[0, 1]);
    for &x in INTS {
        for &y in INTS {
            m.set(4, SENTINEL);
            m.set(5, x as u64);
            m.set(6, y as u64);
            let st = m.run(0);
            let fp = m.fp();
            match f(x, y) {
                Some(r) => {
                    assert_eq!(st, STATUS_RETURNED, "{op:?} {x} {y}");
                    assert_eq!(m.get(4) as i64, r, "{op:?} {x} {y}");
                    assert_eq!(m.ctx().depth, 0);
                }
                None => {
                    assert_eq!(st, STATUS_EXIT, "{op:?} {x} {y} should exit");
                    assert_eq!(m.ctx().exit_pc, 0);
                    assert_eq!(m.ctx().exit_fp, fp);
                    assert_eq!(m.get(4), SENTINEL, "{op:?} {x} {y} wrote its destination");
                    assert_eq!(m.ctx().depth, 1);
                }
            }
            m.set(5, x as u64);
            let st = m.run(1);
            match f(x, y) {
                Some(r) => assert_eq!((st, m.get(5) as i64), (STATUS_RETURNED, r)),
                None => assert_eq!((st, m.get(5) as i64), (STATUS_EXIT, x)),
            }
        }
    }
}

#[test]
fn int_arithmetic_is_checked() {
    check_int_binop(Op::AddI64, |x, y| x.checked_add(y));
    check_int_binop(Op::SubI64, |x, y| x.checked_sub(y));
    check_int_binop(Op::MulI64, |x, y| x.checked_mul(y));
    check_int_binop(Op::DivI64, |x, y| x.checked_div(y));
    check_int_binop(Op::ModI64, |x, y| {
        if y == 0 {
            None
        } else {
            Some(x.wrapping_rem(y))
        }
    });
}

#[test]
fn int_comparisons() {
    check_int_binop(Op::EqI64, |x, y| Some((x == y) as i64));
    check_int_binop(Op::NeI64, |x, y| Some((x != y) as i64));
    check_int_binop(Op::LtI64, |x, y| Some((x < y) as i64));
    check_int_binop(Op::LeI64, |x, y| Some((x <= y) as i64));
}

#[test]
fn int_unary_ops() {
    let p = program(
        vec![
            func(
                "neg",
                2,
                0,
                0,
                vec![ins(Op::NegI64, 4, 5, 0), ins(Op::RetI64, 4, 0, 0)],
            ),
            func(
                "not",
                2,
                0,
                0,
                vec![ins(Op::Not, 4, 5, 0), ins(Op::RetI64, 4, 0, 0)],
            ),
            func(
                "mov",
                2,
                0,
                0,
                vec![ins(Op::MovI64, 4, 5, 0), ins(Op::RetI64, 4, 0, 0)],
            ),
        ],
        vec![],
    );
    let mut m = Machine::new(p, &[0, 1, 2]);
    for &x in INTS {
        m.set(4, SENTINEL);
        m.set(5, x as u64);
        let st = m.run(0);
        match x.checked_neg() {
            Some(r) => assert_eq!((st, m.get(4) as i64), (STATUS_RETURNED, r)),
            None => {
                assert_eq!((st, m.get(4), m.ctx().exit_pc), (STATUS_EXIT, SENTINEL, 0));
            }
        }
        m.set(4, SENTINEL);
        assert_eq!(m.run(2), STATUS_RETURNED);
        assert_eq!(m.get(4) as i64, x);
    }
    for b in [0u64, 1] {
        m.set(5, b);
        assert_eq!(m.run(1), STATUS_RETURNED);
        assert_eq!(m.get(4), 1 - b);
    }
}

#[test]
fn add_i64_imm_with_boundary_immediates() {
    for &imm in IMMS {
        let p = program(
            vec![func(
                "f",
                2,
                0,
                0,
                vec![
                    ins(Op::AddI64Imm, 4, 5, imm as i32 as u32),
                    ins(Op::RetI64, 4, 0, 0),
                ],
            )],
            vec![],
        );
        let mut m = Machine::new(p, &[0]);
        let mut xs: Vec<i64> = INTS.to_vec();
        xs.extend([
            imm - 1,
            imm,
            imm + 1,
            -imm,
            i64::MAX.wrapping_sub(imm),
            i64::MIN.wrapping_sub(imm),
        ]);
        for x in xs {
            m.set(4, SENTINEL);
            m.set(5, x as u64);
            let st = m.run(0);
            match x.checked_add(imm) {
                Some(r) => assert_eq!((st, m.get(4) as i64), (STATUS_RETURNED, r), "{x}+{imm}"),
                // (R[a] may hold R[b]: it works in place; R[b] is as it was, for the
                // interpreter's re-execution, which raises the error)
                None => {
                    assert_eq!((st, m.get(5), m.ctx().exit_pc), (STATUS_EXIT, x as u64, 0));
                    assert!([SENTINEL, x as u64].contains(&m.get(4)), "{x}+{imm}");
                }
            }
        }
    }
}

#[test]
fn mul_and_mod_i64_imm_with_boundary_immediates() {
    for &imm in IMMS {
        for op in [Op::MulI64Imm, Op::ModI64Imm] {
            if op == Op::ModI64Imm && imm == 0 {
                continue; // never emitted: the lowering keeps `x % 0` a ModI64
            }
            let p = program(
                vec![func(
                    "f",
                    2,
                    0,
                    0,
                    vec![ins(op, 4, 5, imm as i32 as u32), ins(Op::RetI64, 4, 0, 0)],
                )],
                vec![],
            );
            let mut m = Machine::new(p, &[0]);
            let mut xs: Vec<i64> = INTS.to_vec();
            xs.extend([
                imm - 1,
                imm,
                imm + 1,
                -imm,
                i64::MAX / imm.max(1),
                i64::MIN / imm.max(1),
            ]);
            for x in xs {
                m.set(4, SENTINEL);
                m.set(5, x as u64);
                let st = m.run(0);
                let want = if op == Op::MulI64Imm {
                    x.checked_mul(imm)
                } else {
                    Some(x.wrapping_rem(imm))
                };
                match want {
                    Some(r) => {
                        assert_eq!(
                            (st, m.get(4) as i64),
                            (STATUS_RETURNED, r),
                            "{op:?} {x} {imm}"
                        )
                    }
                    None => assert_eq!((st, m.get(4), m.ctx().exit_pc), (STATUS_EXIT, SENTINEL, 0)),
                }
            }
        }
    }
}

#[test]
fn power_of_two_division_and_remainder_agree_with_the_divide() {
    for k in [1u32, 2, 3, 30, 31, 32, 61, 62] {
        for op in [Op::DivI64Pow2, Op::ModI64Pow2] {
            let p = program(
                vec![func(
                    "f",
                    2,
                    0,
                    0,
                    vec![ins(op, 4, 5, k), ins(Op::RetI64, 4, 0, 0)],
                )],
                vec![],
            );
            let mut m = Machine::new(p, &[0]);
            let d = 1i64 << k;
            let mut xs: Vec<i64> = INTS.to_vec();
            xs.extend([d - 1, d, d + 1, -d + 1, -d, -d - 1, i64::MIN + d - 1]);
            for x in xs {
                m.set(4, SENTINEL);
                m.set(5, x as u64);
                let st = m.run(0);
                let want = if op == Op::DivI64Pow2 { x / d } else { x % d };
                assert_eq!(
                    (st, m.get(4) as i64),
                    (STATUS_RETURNED, want),
                    "{op:?} {x} {k}"
                );
            }
        }
    }
}

#[test]
fn the_verifier_keeps_power_of_two_exponents_in_range() {
    for (k, ok) in [
        (0, false),
        (1, true),
        (62, true),
        (63, false),
        (u32::MAX, false),
    ] {
        for op in [Op::DivI64Pow2, Op::ModI64Pow2] {
            let code = vec![ins(op, 4, 5, k), ins(Op::RetI64, 4, 0, 0)];
            let p = program(vec![func("f", 2, 0, 0, code)], vec![]);
            assert_eq!(vm::verify::verify(&p).is_ok(), ok, "{op:?} {k}");
        }
    }
}

/// `0: BRANCH; 1: R4 := K0 (111); 2: ret; 3: R4 := K1 (222); 4: ret` with the branch to 3.
fn branch_prog(branch: vm::ops::Instr, n_f64: u32) -> vm::program::Program {
    program(
        vec![func(
            "b",
            3,
            n_f64,
            0,
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

#[test]
fn immediate_branches_with_boundary_immediates() {
    type Pred = fn(i64, i64) -> bool;
    let cases: &[(Op, Pred)] = &[
        (Op::JLtI64Imm, |x, y| x < y),
        (Op::JLeI64Imm, |x, y| x <= y),
        (Op::JGtI64Imm, |x, y| x > y),
        (Op::JGeI64Imm, |x, y| x >= y),
        (Op::JEqI64Imm, |x, y| x == y),
        (Op::JNeI64Imm, |x, y| x != y),
    ];
    for &(op, pred) in cases {
        for &imm in IMMS {
            let mut m = Machine::new(branch_prog(ins(op, 5, imm as i32 as u32, 3), 0), &[0]);
            let mut xs: Vec<i64> = INTS.to_vec();
            xs.extend([imm - 1, imm, imm + 1, imm ^ (1 << 32)]);
            for x in xs {
                m.set(5, x as u64);
                assert_eq!(taken(&mut m), pred(x, imm), "{op:?} {x} vs {imm}");
            }
        }
    }
}

#[test]
fn register_branches() {
    type Pred = fn(i64, i64) -> bool;
    let cases: &[(Op, Pred)] = &[
        (Op::JLtI64, |x, y| x < y),
        (Op::JLeI64, |x, y| x <= y),
        (Op::JEqI64, |x, y| x == y),
        (Op::JNeI64, |x, y| x != y),
    ];
    for &(op, pred) in cases {
        let mut m = Machine::new(branch_prog(ins(op, 5, 6, 3), 0), &[0]);
        for &x in INTS {
            for &y in INTS {
                m.set(5, x as u64);
                m.set(6, y as u64);
                assert_eq!(taken(&mut m), pred(x, y), "{op:?} {x} {y}");
            }
        }
    }
    let mut t = Machine::new(branch_prog(ins(Op::JmpTrue, 5, 3, 0), 0), &[0]);
    let mut f = Machine::new(branch_prog(ins(Op::JmpFalse, 5, 3, 0), 0), &[0]);
    let mut j = Machine::new(branch_prog(ins(Op::Jmp, 3, 0, 0), 0), &[0]);
    for b in [0u64, 1] {
        t.set(5, b);
        f.set(5, b);
        assert_eq!(taken(&mut t), b == 1);
        assert_eq!(taken(&mut f), b == 0);
    }
    assert!(taken(&mut j));
}

#[test]
fn increment_and_branch_is_checked() {
    let mut m = Machine::new(branch_prog(ins(Op::IncJLtI64, 5, 6, 3), 0), &[0]);
    for &x in INTS {
        for &y in INTS {
            m.set(5, x as u64);
            m.set(6, y as u64);
            if x == i64::MAX {
                // Overflow: side exit at pc 0 with R5 untouched.
                m.set(4, SENTINEL);
                assert_eq!(m.run(0), STATUS_EXIT, "{x} {y}");
                assert_eq!(m.ctx().exit_pc, 0);
                assert_eq!(m.get(5), x as u64);
                continue;
            }
            assert_eq!(taken(&mut m), x + 1 < y, "inc_jlt {x} {y}");
            assert_eq!(m.get(5), (x + 1) as u64);
        }
    }
}

#[test]
#[allow(clippy::neg_cmp_op_on_partial_ord)] // the negation is the op's semantics
fn float_branches_with_nan() {
    type Pred = fn(f64, f64) -> bool;
    let cases: &[(Op, Pred)] = &[
        (Op::JLtF64, |x, y| x < y),
        (Op::JLeF64, |x, y| x <= y),
        (Op::JNLtF64, |x, y| !(x < y)),
        (Op::JNLeF64, |x, y| !(x <= y)),
        (Op::JEqF64, |x, y| x == y),
        (Op::JNeF64, |x, y| x != y),
    ];
    // f64 slots at words 7 and 8 (after 3 i64 slots).
    for &(op, pred) in cases {
        let mut m = Machine::new(branch_prog(ins(op, 7, 8, 3), 2), &[0]);
        for x in floats() {
            for y in floats() {
                m.set_f(7, x);
                m.set_f(8, y);
                assert_eq!(taken(&mut m), pred(x, y), "{op:?} {x} {y}");
            }
        }
    }
}

#[test]
fn float_comparisons_with_nan() {
    type Pred = fn(f64, f64) -> bool;
    let cases: &[(Op, Pred)] = &[
        (Op::EqF64, |x, y| x == y),
        (Op::NeF64, |x, y| x != y),
        (Op::LtF64, |x, y| x < y),
        (Op::LeF64, |x, y| x <= y),
    ];
    for &(op, pred) in cases {
        let p = program(
            vec![func(
                "c",
                1,
                2,
                0,
                vec![ins(op, 4, 5, 6), ins(Op::RetI64, 4, 0, 0)],
            )],
            vec![],
        );
        let mut m = Machine::new(p, &[0]);
        for x in floats() {
            for y in floats() {
                m.set_f(5, x);
                m.set_f(6, y);
                assert_eq!(m.run(0), STATUS_RETURNED);
                assert_eq!(m.get(4), pred(x, y) as u64, "{op:?} {x} {y}");
            }
        }
    }
}

#[test]
fn float_arithmetic() {
    type F = fn(f64, f64) -> Option<f64>;
    let cases: &[(Op, F)] = &[
        (Op::AddF64, |x, y| Some(x + y)),
        (Op::SubF64, |x, y| Some(x - y)),
        (Op::MulF64, |x, y| Some(x * y)),
        (Op::DivF64, |x, y| (y != 0.0).then_some(x / y)),
        // mod_f64 calls the `fmod` helper (a 64-bit helper-address hole).
        (Op::ModF64, |x, y| (y != 0.0).then_some(x % y)),
    ];
    for &(op, f) in cases {
        let p = program(
            vec![func(
                "f",
                0,
                3,
                0,
                vec![ins(op, 4, 5, 6), ins(Op::RetF64, 4, 0, 0)],
            )],
            vec![],
        );
        let mut m = Machine::new(p, &[0]);
        let mut xs = floats();
        xs.extend([5.5, -5.5, 2.0, 0.1]);
        for &x in &xs {
            for &y in &xs {
                m.set(4, SENTINEL);
                m.set_f(5, x);
                m.set_f(6, y);
                let st = m.run(0);
                match f(x, y) {
                    Some(r) => {
                        assert_eq!(st, STATUS_RETURNED);
                        assert!(same_float(m.get_f(4), r), "{op:?} {x} {y}: {}", m.get_f(4));
                    }
                    None => {
                        assert_eq!((st, m.ctx().exit_pc, m.get(4)), (STATUS_EXIT, 0, SENTINEL));
                    }
                }
            }
        }
    }
}

#[test]
fn neg_f64_uses_its_rodata_and_i64_to_f64() {
    let p = program(
        vec![
            func(
                "neg",
                0,
                2,
                0,
                vec![ins(Op::NegF64, 4, 5, 0), ins(Op::RetF64, 4, 0, 0)],
            ),
            func(
                "cvt",
                1,
                1,
                0,
                vec![ins(Op::I64ToF64, 5, 4, 0), ins(Op::RetF64, 5, 0, 0)],
            ),
            func(
                "mov",
                0,
                2,
                0,
                vec![ins(Op::MovF64, 4, 5, 0), ins(Op::RetF64, 4, 0, 0)],
            ),
        ],
        vec![],
    );
    assert!(!stencils::find("neg_f64").unwrap().data.is_empty());
    let mut m = Machine::new(p, &[0, 1, 2]);
    for x in floats() {
        m.set_f(5, x);
        assert_eq!(m.run(0), STATUS_RETURNED);
        assert_eq!(m.get(4), (-x).to_bits(), "-{x}");
        assert_eq!(m.run(2), STATUS_RETURNED);
        assert_eq!(m.get(4), x.to_bits());
    }
    for &x in INTS {
        m.set(4, x as u64);
        assert_eq!(m.run(1), STATUS_RETURNED);
        assert_eq!(m.get(5), (x as f64).to_bits());
    }
}

#[test]
fn constants_are_64_bit() {
    let vals: Vec<u64> = vec![
        0,
        u64::MAX,
        0x0123_4567_89ab_cdef,
        i64::MIN as u64,
        0x8000_0000,
        1e300f64.to_bits(),
        (-0.0f64).to_bits(),
        f64::NAN.to_bits(),
        arenas::Cell::NIL.0,
    ];
    let mut code = Vec::new();
    for k in 0..vals.len() as u32 {
        code.push(ins(Op::ConstI64, 4 + k, k, 0));
        code.push(ins(Op::ConstF64, 4 + 9 + k, k, 0));
        code.push(ins(Op::ConstCell, 4 + 18 + k, k, 0));
    }
    code.push(ins(Op::RetVoid, 0, 0, 0));
    let p = program(vec![func("k", 9, 9, 9, code)], vals.clone());
    let mut m = Machine::new(p, &[0]);
    assert_eq!(m.run(0), STATUS_RETURNED);
    for (k, v) in vals.iter().enumerate() {
        let k = k as u32;
        assert_eq!(m.get(4 + k), *v);
        assert_eq!(m.get(13 + k), *v);
        assert_eq!(m.get(22 + k), *v);
    }
}

#[test]
fn far_slots_use_32_bit_displacements() {
    let p = program(
        vec![func(
            "far",
            3000,
            0,
            0,
            vec![
                ins(Op::AddI64, 2000, 2001, 2999),
                ins(Op::RetI64, 2000, 0, 0),
            ],
        )],
        vec![],
    );
    let mut m = Machine::new(p, &[0]);
    m.set(2001, 40);
    m.set(2999, 2);
    assert_eq!(m.run(0), STATUS_RETURNED);
    assert_eq!(m.get(2000), 42);
}

#[test]
fn loop_with_backward_branch_and_osr_entry() {
    // i = 0; s = 0; goto test; body: s += i; i += 1; test: if i < n goto body;
    // G0 = s; G1 = i; return s
    // (The loop's slots live in registers, so the results are read from the globals.)
    let p = program(
        vec![func(
            "sum",
            3,
            0,
            0,
            vec![
                ins(Op::ConstI64, 4, 0, 0),
                ins(Op::ConstI64, 5, 0, 0),
                ins(Op::Jmp, 5, 0, 0),
                ins(Op::AddI64, 5, 5, 4),
                ins(Op::AddI64Imm, 4, 4, 1),
                ins(Op::JLtI64, 4, 6, 3),
                ins(Op::StoreGlobalI64, 0, 5, 0),
                ins(Op::StoreGlobalI64, 1, 4, 0),
                ins(Op::RetI64, 5, 0, 0),
            ],
        )],
        vec![0],
    );
    let mut m = Machine::new(p, &[0]);
    m.set(6, 1000);
    assert_eq!(m.run(0), STATUS_RETURNED);
    assert_eq!(m.globals()[0], 499_500);
    assert_eq!(m.globals()[1], 1000);
    // Enter the running loop at its header (OSR: the target of the back-edge at pc 5, where
    // the interpreter enters) with i = 998, s = 7: the entry stub loads the cached slots from
    // the frame.
    m.set(4, 998);
    m.set(5, 7);
    assert_eq!(m.run_at(0, 3), STATUS_RETURNED);
    assert_eq!(m.globals()[0], 7 + 998 + 999);
    assert_eq!(m.ctx().native_entries, 2);
    // Only entry points (pc 0 and loop headers) can be entered: not the forward jump's
    // target (pc 5), which the interpreter never enters.
    let c = m.compiled[0].as_ref().unwrap();
    assert!(!c.at(0).is_null() && !c.at(3).is_null());
    assert!(c.at(4).is_null() && c.at(5).is_null());
}

#[test]
fn ops_without_register_variants_are_wrapped_in_spills_and_reloads() {
    // A loop over cached slots using ops that have no register variant (ModI64, NegI64,
    // LtI64): the emitter spills their operands before them and reloads after.
    // i = 0; s = 0; body: t = i % 3; t = -t; s = s + t; c = i < n; s = s + c; i += 1;
    // if i < n goto body; G0 = s
    let p = program(
        vec![func(
            "wrap",
            6,
            0,
            0,
            vec![
                ins(Op::ConstI64, 4, 0, 0),
                ins(Op::ConstI64, 5, 0, 0),
                ins(Op::ConstI64, 8, 1, 0),
                ins(Op::ModI64, 6, 4, 8),
                ins(Op::NegI64, 6, 6, 0),
                ins(Op::AddI64, 5, 5, 6),
                ins(Op::LtI64, 9, 4, 7),
                ins(Op::AddI64, 5, 5, 9),
                ins(Op::IncJLtI64, 4, 7, 3),
                ins(Op::StoreGlobalI64, 0, 5, 0),
                ins(Op::RetVoid, 0, 0, 0),
            ],
        )],
        vec![0, 3],
    );
    let mut m = Machine::new(p, &[0]);
    m.set(7, 10); // n
    m.set(9, 0);
    assert_eq!(m.run(0), STATUS_RETURNED);
    let want: i64 = (0..10).map(|i| -(i % 3) + (i < 10) as i64).sum();
    assert_eq!(m.globals()[0] as i64, want);
}

#[test]
fn cached_slots_are_spilled_at_side_exits() {
    // A loop whose accumulator lives in a register overflows: the side exit must leave the
    // frame whole (s and i current), as the interpreter resumes from it.
    // i = 0; s = K0; body: s += i (overflows eventually); i += 1; if i < n goto body; ret
    let p = program(
        vec![func(
            "ovf",
            3,
            0,
            0,
            vec![
                ins(Op::ConstI64, 4, 0, 0),
                ins(Op::ConstI64, 5, 1, 0),
                ins(Op::AddI64, 5, 5, 4),
                ins(Op::IncJLtI64, 4, 6, 2),
                ins(Op::RetI64, 5, 0, 0),
            ],
        )],
        vec![0, (i64::MAX - 10) as u64],
    );
    let mut m = Machine::new(p, &[0]);
    m.set(6, 100);
    assert_eq!(m.run(0), STATUS_EXIT);
    assert_eq!(m.ctx().exit_pc, 2);
    // s = MAX-10 + 0 + 1 + 2 + 3 + 4 = MAX-0; then + 5 overflows at i = 5.
    assert_eq!(m.get(4), 5);
    assert_eq!(m.get(5), i64::MAX as u64);
}

#[test]
fn globals_load_and_store() {
    let p = program(
        vec![func(
            "g",
            2,
            2,
            2,
            vec![
                ins(Op::LoadGlobalI64, 4, 0, 0),
                ins(Op::LoadGlobalF64, 6, 1, 0),
                ins(Op::LoadGlobalCell, 8, 2, 0),
                ins(Op::StoreGlobalI64, 3, 4, 0),
                ins(Op::StoreGlobalF64, 4, 6, 0),
                ins(Op::StoreGlobalCell, 5, 8, 0),
                ins(Op::MovCell, 9, 8, 0),
                ins(Op::StoreGlobalI64, 0, 5, 0),
                ins(Op::RetVoid, 0, 0, 0),
            ],
        )],
        vec![],
    );
    let mut m = Machine::new(p, &[0]);
    m.globals()[0] = -5i64 as u64;
    m.globals()[1] = 2.5f64.to_bits();
    m.globals()[2] = 0xfffc_0000_0000_0007;
    m.set(5, 99);
    assert_eq!(m.run(0), STATUS_RETURNED);
    assert_eq!(m.get(4), -5i64 as u64);
    assert_eq!(m.get_f(6), 2.5);
    assert_eq!(m.get(8), 0xfffc_0000_0000_0007);
    assert_eq!(m.get(9), 0xfffc_0000_0000_0007);
    assert_eq!(
        &m.globals()[..7],
        &[
            99,
            2.5f64.to_bits(),
            0xfffc_0000_0000_0007,
            -5i64 as u64,
            2.5f64.to_bits(),
            0xfffc_0000_0000_0007,
            SENTINEL
        ]
    );
}

#[test]
fn init_cells_writes_exactly_its_slots() {
    for n in [0u32, 1, 3, 17] {
        let p = program(
            vec![func(
                "c",
                0,
                0,
                20,
                vec![ins(Op::InitCells, 5, n, 0), ins(Op::RetVoid, 0, 0, 0)],
            )],
            vec![],
        );
        let mut m = Machine::new(p, &[0]);
        assert_eq!(m.run(0), STATUS_RETURNED);
        assert_eq!(m.get(4), SENTINEL);
        for w in 5..5 + n {
            assert_eq!(m.get(w), arenas::Cell::NIL.0);
        }
        assert_eq!(m.get(5 + n), SENTINEL, "init_cells {n} wrote past its end");
    }
}

/// fib(n) with native recursion: R4 = n (param), R5, R6 = results, R7 = sum; frame 8 words.
fn fib_func() -> vm::program::Function {
    func(
        "fib",
        4,
        0,
        0,
        vec![
            ins(Op::JGeI64Imm, 4, 2, 2),
            ins(Op::RetI64, 4, 0, 0),
            ins(Op::AddI64Imm, 12, 4, -1i32 as u32),
            ins(Op::Call, 0, 5, 8),
            ins(Op::AddI64Imm, 12, 4, -2i32 as u32),
            ins(Op::Call, 0, 6, 8),
            ins(Op::AddI64, 7, 5, 6),
            ins(Op::RetI64, 7, 0, 0),
        ],
    )
}

#[test]
fn native_call_between_compiled_functions() {
    // main: R11 (= callee's R4) := R5; R4 := double(R11); return R4
    let p = program(
        vec![
            func(
                "main",
                3,
                0,
                0,
                vec![
                    ins(Op::MovI64, 11, 5, 0),
                    ins(Op::Call, 1, 4, 7),
                    ins(Op::RetI64, 4, 0, 0),
                ],
            ),
            func(
                "double",
                2,
                0,
                0,
                vec![ins(Op::AddI64, 5, 4, 4), ins(Op::RetI64, 5, 0, 0)],
            ),
        ],
        vec![],
    );
    let mut m = Machine::new(p, &[0, 1]);
    m.set(5, 21);
    assert_eq!(m.run(0), STATUS_RETURNED);
    assert_eq!(m.get(4), 42);
    assert_eq!(
        m.ctx().depth,
        0,
        "depth restored (the entry frame popped too)"
    );
    // The callee's header, at fp + 7 words.
    let fp = m.fp() as u64;
    assert_eq!(&m.stack[7..11], &[1, 2, fp, 32]);
    assert_eq!(m.ctx().native_entries, 1);

    let mut m = Machine::new(program(vec![fib_func()], vec![]), &[0]);
    m.set(4, 20);
    assert_eq!(m.run(0), STATUS_RETURNED);
    assert_eq!(m.get(7), 6765);
    assert_eq!(m.ctx().depth, 0);
}

#[test]
fn deep_native_recursion_and_the_depth_limit() {
    // sum(n) = n == 0 ? 0 : n + sum(n - 1); frame: R4 = n, R5 = r; 6 words.
    let sum = func(
        "sum",
        2,
        0,
        0,
        vec![
            ins(Op::JNeI64Imm, 4, 0, 2),
            ins(Op::RetI64, 4, 0, 0),
            ins(Op::AddI64Imm, 10, 4, -1i32 as u32),
            ins(Op::Call, 0, 5, 6),
            ins(Op::AddI64, 5, 5, 4),
            ins(Op::RetI64, 5, 0, 0),
        ],
    );
    let mut m = Machine::new(program(vec![sum], vec![]), &[0]);
    m.set(4, 5000);
    assert_eq!(m.run(0), STATUS_RETURNED);
    assert_eq!(m.get(5), 5000 * 5001 / 2);
    assert_eq!(m.ctx().depth, 0);

    // Depth limit: the call at depth max_depth side-exits (the interpreter raises
    // `call stack exceeded`) in the innermost frame.
    m.ctx().max_depth = 10;
    m.set(4, 5000);
    assert_eq!(m.run(0), STATUS_EXIT);
    assert_eq!(m.ctx().exit_pc, 3);
    assert_eq!(m.ctx().depth, 10);
    let fp = m.fp();
    assert_eq!(m.ctx().exit_fp, unsafe { fp.add(8 * 6 * 9) });

    // Stack limit: a frame that would end past it side-exits too.
    m.ctx().max_depth = 100_000;
    let limit = unsafe { m.fp().add(8 * 6 * 4 + 8 * 5) };
    m.ctx().stack_limit = limit;
    m.set(4, 5000);
    assert_eq!(m.run(0), STATUS_EXIT);
    assert_eq!(m.ctx().exit_pc, 3);
    let fp = m.fp();
    assert_eq!(m.ctx().exit_fp, unsafe { fp.add(8 * 6 * 3) });
}

#[test]
fn call_to_uncompiled_function_side_exits_at_the_call() {
    let p = program(
        vec![
            func(
                "main",
                3,
                0,
                0,
                vec![
                    ins(Op::MovI64, 11, 5, 0),
                    ins(Op::Call, 1, 4, 7),
                    ins(Op::RetI64, 4, 0, 0),
                ],
            ),
            func("f", 2, 0, 0, vec![ins(Op::RetI64, 4, 0, 0)]),
        ],
        vec![],
    );
    let mut m = Machine::new(p, &[0]);
    m.set(4, SENTINEL);
    m.set(5, 3);
    assert_eq!(m.run(0), STATUS_EXIT);
    let fp = m.fp();
    assert_eq!(
        (m.ctx().exit_pc, m.ctx().exit_fp, m.ctx().depth),
        (1, fp, 1)
    );
    assert_eq!(m.get(4), SENTINEL);
    assert_eq!(m.get(11), 3, "the argument store before the call ran");
}

#[test]
fn side_exit_in_a_nested_callee_returns_through_the_caller() {
    // f: R4 := R5 + R5; a division by zero (a side exit) at pc 1; ...
    let p = program(
        vec![
            func(
                "main",
                3,
                0,
                0,
                vec![
                    ins(Op::MovI64, 12, 5, 0),
                    ins(Op::Call, 1, 4, 7),
                    ins(Op::RetI64, 4, 0, 0),
                ],
            ),
            func(
                "f",
                3,
                0,
                0,
                vec![
                    ins(Op::AddI64, 4, 5, 5),
                    ins(Op::DivI64, 4, 5, 6),
                    ins(Op::RetI64, 4, 0, 0),
                ],
            ),
        ],
        vec![],
    );
    let mut m = Machine::new(p, &[0, 1]);
    m.set(4, SENTINEL);
    m.set(5, 3);
    m.set(7 + 6, 0);
    assert_eq!(m.run(0), STATUS_EXIT);
    let callee = unsafe { m.fp().add(7 * 8) };
    assert_eq!(m.ctx().exit_pc, 1);
    assert_eq!(m.ctx().exit_fp, callee);
    assert_eq!(m.ctx().depth, 2, "the callee frame is still live");
    assert_eq!(m.get(7 + 4), 6, "the callee ran up to the exit");
    assert_eq!(m.get(4), SENTINEL);
    let fp = m.fp() as u64;
    assert_eq!(&m.stack[7..11], &[1, 2, fp, 32]);
}

#[test]
fn returns_of_every_bank_store_into_the_callers_slot() {
    let callee =
        |op: Op, n_i64, n_f64, n_cell| func("r", n_i64, n_f64, n_cell, vec![ins(op, 4, 0, 0)]);
    let p = program(
        vec![
            func(
                "main",
                1,
                1,
                1,
                vec![
                    ins(Op::Call, 1, 4, 7),
                    ins(Op::Call, 2, 5, 7),
                    ins(Op::Call, 3, 6, 7),
                    ins(Op::Call, 4, 6, 7),
                    ins(Op::RetVoid, 0, 0, 0),
                ],
            ),
            callee(Op::RetI64, 1, 0, 0),
            callee(Op::RetF64, 0, 1, 0),
            callee(Op::RetCell, 0, 0, 1),
            func("v", 0, 0, 0, vec![ins(Op::RetVoid, 0, 0, 0)]),
        ],
        vec![],
    );
    let mut m = Machine::new(p, &[0, 1, 2, 3, 4]);
    // Every callee returns its word 4, which is word 11 of the entry frame's stack.
    m.set(11, 0x1234_5678_9abc_def0);
    assert_eq!(m.run(0), STATUS_RETURNED);
    assert_eq!(&m.stack[4..7], &[0x1234_5678_9abc_def0; 3]);
    assert_eq!(m.ctx().depth, 0);
}

#[test]
fn print_helpers() {
    let mut strings = arenas::Heap::new(arenas::TypeTable::new());
    let s = strings.alloc_str_permanent("hi");
    let p = program(
        vec![func(
            "p",
            2,
            1,
            1,
            vec![
                ins(Op::ConstCell, 7, 0, 0),
                ins(Op::PrintStr, 7, 0, 0),
                ins(Op::PrintI64, 4, 0, 0),
                ins(Op::PrintF64, 6, 0, 0),
                ins(Op::PrintBool, 5, 0, 0),
                ins(Op::PrintEnd, 4, 0, 0),
                ins(Op::RetVoid, 0, 0, 0),
            ],
        )],
        vec![s.0],
    );
    let sink = vm::runtime::CapturedOutput::default();
    let mut rt = vm::runtime::Runtime::new(strings, Box::new(sink.clone()));
    let mut m = Machine::new(p, &[0]);
    m.attach_runtime(&mut rt);
    m.set(4, -42i64 as u64);
    m.set(5, 1);
    m.set_f(6, 2.5);
    assert_eq!(m.run(0), STATUS_RETURNED);
    rt.flush();
    assert_eq!(sink.contents(), "hi -42 2.5 true\n");
}

#[test]
fn code_is_mapped_read_execute_only() {
    let p = program(
        vec![func("f", 1, 0, 0, vec![ins(Op::RetI64, 4, 0, 0)])],
        vec![],
    );
    let m = Machine::new(p, &[0]);
    let addr = m.compiled[0].as_ref().unwrap().entry() as usize;
    let maps = std::fs::read_to_string("/proc/self/maps").unwrap();
    let line = maps
        .lines()
        .find(|l| {
            let range = l.split(' ').next().unwrap();
            let (lo, hi) = range.split_once('-').unwrap();
            let lo = usize::from_str_radix(lo, 16).unwrap();
            let hi = usize::from_str_radix(hi, 16).unwrap();
            (lo..hi).contains(&addr)
        })
        .expect("mapping of the compiled code");
    let perms = line.split(' ').nth(1).unwrap();
    // Private pages (the fallback) or the execute view of the shared memfd.
    assert!(perms == "r-xp" || perms == "r-xs", "{line}");
    // And no mapping of the process is writable and executable at once.
    for l in maps.lines() {
        let perms = l.split(' ').nth(1).unwrap();
        assert!(!(perms.contains('w') && perms.contains('x')), "{l}");
    }
}

#[test]
fn trailing_continue_jumps_are_dropped_and_stats_counted() {
    let mov = stencils::find("mov_i64").unwrap();
    let ret = stencils::find("ret_i64").unwrap();
    assert!(mov.ends_with_continue_jump());
    let p = program(
        vec![func(
            "f",
            2,
            0,
            0,
            vec![
                ins(Op::MovI64, 4, 5, 0),
                ins(Op::MovI64, 5, 4, 0),
                ins(Op::RetI64, 5, 0, 0),
            ],
        )],
        vec![],
    );
    let m = Machine::new(p, &[0]);
    // No loop, so nothing is cached: the code is the function's exit stub (first, padded to a
    // cache line: the instructions start on one) and the three stencils (the movs without
    // their trailing jumps).
    let exit = stencils::find("exit_stub").unwrap();
    let s = m.jit.stats();
    assert_eq!(s.compiled_functions, 1);
    assert_eq!(s.stencils_copied, 4);
    assert_eq!(
        s.code_bytes as usize,
        exit.code.len().next_multiple_of(64) + 2 * (mov.code.len() - 5) + ret.code.len()
    );
    assert_eq!(s.failed_compiles, 0);
}

fn err(r: Result<vm::jit_api::CompiledFn, String>) -> String {
    match r {
        Ok(_) => panic!("compiled"),
        Err(e) => e,
    }
}

#[test]
fn compile_errors_are_reported_not_executed() {
    use tier2_jit::CopyAndPatch;
    let mut jit = CopyAndPatch::new();
    // Falls off the end of the function.
    let p = program(
        vec![func("f", 3, 0, 0, vec![ins(Op::AddI64, 4, 5, 6)])],
        vec![],
    );
    assert!(err(jit.compile(&p, 0)).contains("falls off the end"));
    // Jump target out of range.
    let p = program(
        vec![func("f", 1, 0, 0, vec![ins(Op::Jmp, 9, 0, 0)])],
        vec![],
    );
    assert!(err(jit.compile(&p, 0)).contains("out of range"));
    // Constant out of range.
    let p = program(
        vec![func(
            "f",
            1,
            0,
            0,
            vec![ins(Op::ConstI64, 4, 3, 0), ins(Op::RetVoid, 0, 0, 0)],
        )],
        vec![],
    );
    assert!(jit.compile(&p, 0).is_err());
    // A slot offset beyond 32 bits.
    let p = program(
        vec![func("f", 1, 0, 0, vec![ins(Op::RetI64, u32::MAX, 0, 0)])],
        vec![],
    );
    assert!(jit.compile(&p, 0).is_err());
    assert!(jit.compile(&p, 7).is_err());
    assert_eq!(jit.stats().failed_compiles, 5);
    assert_eq!(jit.stats().compiled_functions, 0);
}

#[test]
fn code_budget_is_enforced() {
    use tier2_jit::CopyAndPatch;
    // Two pages: the shim and as many copies of a tiny function as fit (one with whole pages
    // per unit, dozens when units are packed), then a compile fails on the budget.
    let mut jit = CopyAndPatch::with_budget(2 * 4096);
    let p = program(
        vec![func("f", 1, 0, 0, vec![ins(Op::RetI64, 4, 0, 0)])],
        vec![],
    );
    let mut ok = 0;
    let e = loop {
        match jit.compile(&p, 0) {
            Ok(_) => ok += 1,
            Err(e) => break e,
        }
        assert!(ok < 10_000, "the budget never ran out");
    };
    assert!(ok >= 1);
    assert!(e.contains("budget"), "{e}");
    assert_eq!(jit.stats().failed_compiles, 1);
}

#[test]
fn helpers_called_from_nested_native_frames() {
    // main -> f -> g; g prints its float argument and fmods it (Rust helpers, which need a
    // 16-byte aligned stack at every depth).
    let p = program(
        vec![
            func(
                "main",
                0,
                1,
                0,
                vec![
                    ins(Op::MovF64, 9, 4, 0),
                    ins(Op::Call, 1, 4, 5),
                    ins(Op::RetF64, 4, 0, 0),
                ],
            ),
            func(
                "f",
                0,
                1,
                0,
                vec![
                    ins(Op::MovF64, 9, 4, 0),
                    ins(Op::Call, 2, 4, 5),
                    ins(Op::RetF64, 4, 0, 0),
                ],
            ),
            func(
                "g",
                0,
                3,
                0,
                vec![
                    ins(Op::PrintF64, 4, 0, 0),
                    ins(Op::PrintEnd, 1, 0, 0),
                    ins(Op::ConstF64, 5, 0, 0),
                    ins(Op::ModF64, 6, 4, 5),
                    ins(Op::RetF64, 6, 0, 0),
                ],
            ),
        ],
        vec![4.0f64.to_bits()],
    );
    let sink = vm::runtime::CapturedOutput::default();
    let mut rt = vm::runtime::Runtime::new(
        arenas::Heap::new(arenas::TypeTable::new()),
        Box::new(sink.clone()),
    );
    let mut m = Machine::new(p, &[0, 1, 2]);
    m.attach_runtime(&mut rt);
    m.set_f(4, 10.5);
    assert_eq!(m.run(0), STATUS_RETURNED);
    assert_eq!(m.get_f(4), 2.5);
    assert_eq!(m.ctx().depth, 0);
    rt.flush();
    assert_eq!(sink.contents(), "10.5\n");
}

#[test]
fn helper_ops_run_in_native_code_around_cached_registers() {
    // A loop whose four i64 slots are all register-cached calls helper ops that read a cached
    // slot (StrFromI64 reads i) and write one (LtStr / EqStr write c): the generic helper
    // stencil must spill every cached register before the routine and reload after it.
    let mut heap = arenas::Heap::new(arenas::TypeTable::new());
    let s = heap.alloc_str_permanent("ab");
    let a = heap.alloc_str_permanent("a");
    let p = program(
        vec![func(
            "h",
            4,
            0,
            3,
            vec![
                ins(Op::ConstCell, 8, 0, 0),
                ins(Op::ConstCell, 9, 1, 0),
                ins(Op::ConcatStr, 9, 9, 8),   // 2: t := t ++ s
                ins(Op::LtStr, 6, 9, 8),       // c := t < s  ("aab.." < "ab": true)
                ins(Op::AddI64, 7, 7, 6),      // acc += c
                ins(Op::StrFromI64, 10, 4, 0), // u := str(i)
                ins(Op::EqStr, 6, 10, 10),     // c := u == u
                ins(Op::AddI64, 7, 7, 6),      // acc += c
                ins(Op::IncJLtI64, 4, 5, 2),
                ins(Op::StoreGlobalI64, 0, 7, 0),
                ins(Op::StoreGlobalI64, 1, 4, 0),
                ins(Op::StoreGlobalCell, 2, 9, 0),
                ins(Op::StoreGlobalCell, 3, 10, 0),
                ins(Op::RetVoid, 0, 0, 0),
            ],
        )],
        vec![s.0, a.0],
    );
    let mut m = Machine::new(p, &[0]);
    assert_eq!(
        tier2_jit::emit::choose_cache(&m.prog.funcs[0]).len(),
        4,
        "every i64 slot is cached"
    );
    let sink = vm::runtime::CapturedOutput::default();
    let mut rt = vm::runtime::Runtime::new(heap, Box::new(sink));
    rt.attach(&m.prog);
    m.attach_runtime(&mut rt);
    m.set(4, 0);
    m.set(5, 5);
    m.set(6, 0);
    m.set(7, 0);
    assert_eq!(m.run(0), STATUS_RETURNED);
    assert_eq!(m.globals()[0], 10, "acc");
    assert_eq!(m.globals()[1], 5, "i");
    let t = arenas::Cell(m.globals()[2]);
    let u = arenas::Cell(m.globals()[3]);
    assert_eq!(rt.heap.str(t), format!("a{}", "ab".repeat(5)));
    assert_eq!(rt.heap.str(u), "4");
    let fp = m.fp();
    assert_eq!(m.ctx().exit_fp, fp, "the helper stencil records the frame");
    assert_eq!(m.ctx().exit_pc, 6, "and the pc of the last helper op");
}

#[test]
fn unreachable_instructions_get_no_code() {
    use tier2_jit::CopyAndPatch;
    // `f` returns at pc 0; pcs 1 and 2 (like the implicit return the compiler appends after
    // an explicit one) are unreachable: no code, no entry point.
    let ret = || ins(Op::RetI64, 4, 0, 0);
    let live = program(vec![func("f", 1, 0, 0, vec![ret()])], vec![]);
    let dead = program(
        vec![func(
            "f",
            1,
            0,
            0,
            vec![ret(), ins(Op::MovI64, 4, 4, 0), ret()],
        )],
        vec![],
    );
    let mut jit = CopyAndPatch::new();
    jit.compile(&live, 0).unwrap();
    let one = jit.stats().code_bytes;
    let c = jit.compile(&dead, 0).unwrap();
    assert_eq!(jit.stats().code_bytes - one, one);
    assert!(!c.entry().is_null());
    assert!(c.at(1).is_null() && c.at(2).is_null());
}

/// A list view's three words must be cell slots of the frame (tier 2 keeps i64 slots in
/// registers and would not see a view written or read in the frame): the verifier rejects a
/// view in i64 slots, in parameters or running past the frame.
#[test]
fn the_verifier_keeps_list_views_in_cell_slots() {
    // Frame: header 0..4, i64 4..7, cells 7..11.
    for (view, ok) in [
        (7, true),
        (8, true),
        (4, false),
        (6, false),
        (9, false),
        (3, false),
    ] {
        for (op, a, b, c) in [
            (Op::ListView, view, 7, 0),
            (Op::ListGetI64V, 4, view, 5),
            (Op::ListSetCellV, view, 5, 7),
        ] {
            let code = vec![ins(op, a, b, c), ins(Op::RetI64, 4, 0, 0)];
            let p = program(vec![func("f", 3, 0, 4, code)], vec![]);
            assert_eq!(vm::verify::verify(&p).is_ok(), ok, "{op:?} view at {view}");
        }
    }
}
