//! The typed fast-path stencils (`stencils/src/lists.c`, `records.c`) patched and run on a
//! real heap (`arenas::Heap`), against the heap's own routines (`Heap::list_get`, ...), which
//! are what the interpreter's arms call: boundary indices, side exits that change nothing
//! (the interpreter then re-executes the op and raises the heap's error), register-cached
//! variants.

mod common;

use arenas::rtti::{ANY, FLOAT, INT};
use arenas::{Cell, Heap, TypeTable};
use common::*;
use vm::abi::{STATUS_EXIT, STATUS_RETURNED};
use vm::jit_api::Jit;
use vm::ops::Op;

/// A machine whose context points at `h`'s slot tables.
fn machine(h: &Heap, p: vm::program::Program) -> Machine {
    let mut m = Machine::new(p, &[0]);
    m.ctx().list_slots = h.list_slots_base() as *mut u8;
    m.ctx().record_slots = h.record_slots_base() as *mut u8;
    m.ctx().str_slots = h.str_slots_base() as *mut u8;
    m
}

/// Indices worth trying on a list of `n` elements.
fn indices(n: i64) -> Vec<i64> {
    vec![
        0,
        1,
        -1,
        n - 1,
        n,
        n + 1,
        -n,
        -n - 1,
        i64::MIN,
        i64::MAX,
        i32::MIN as i64,
        i32::MAX as i64,
    ]
}

/// Frame words: i64 slots 4..8, f64 slots 8..10, cell slots 10..13.
fn one_op(op: Op, a: u32, b: u32, c: u32) -> vm::program::Program {
    program(
        vec![func(
            "f",
            4,
            2,
            3,
            vec![ins(op, a, b, c), ins(Op::RetVoid, 0, 0, 0)],
        )],
        vec![],
    )
}

fn lists(h: &mut Heap) -> Vec<(Cell, Vec<u64>)> {
    let ints: Vec<u64> = [7i64, -3, i64::MIN, i64::MAX, 0]
        .iter()
        .map(|x| *x as u64)
        .collect();
    let floats: Vec<u64> = [1.5f64, -0.0, f64::NAN, 1e300]
        .iter()
        .map(|x| x.to_bits())
        .collect();
    let cells: Vec<u64> = (0..3)
        .map(|k| Cell::from_small_int(k * 11).unwrap().0)
        .collect();
    vec![
        (h.list_from(INT, &ints), ints),
        (h.list_from(FLOAT, &floats), floats),
        (h.list_from(ANY, &cells), cells),
        (h.list_from(INT, &[]), vec![]),
        (h.list_from(INT, &[42]), vec![42]),
    ]
}

#[test]
fn list_len_and_get_agree_with_the_heap() {
    let mut h = Heap::new(TypeTable::new());
    for (list, words) in lists(&mut h) {
        // ListLen
        let mut m = machine(&h, one_op(Op::ListLen, 4, 10, 0));
        m.set(10, list.0);
        assert_eq!(m.run(0), STATUS_RETURNED);
        assert_eq!(m.get(4) as i64, words.len() as i64);
        assert_eq!(m.get(4) as i64, h.list_len(list));
        for (op, a) in [
            (Op::ListGetI64, 4),
            (Op::ListGetF64, 8),
            (Op::ListGetCell, 11),
        ] {
            for i in indices(words.len() as i64) {
                let mut m = machine(&h, one_op(op, a, 10, 5));
                m.set(10, list.0);
                m.set(5, i as u64);
                m.set(a, SENTINEL);
                let st = m.run(0);
                match h.list_get(list, i) {
                    Ok(w) => {
                        assert_eq!(st, STATUS_RETURNED, "{op:?} [{i}]");
                        assert_eq!(m.get(a), w, "{op:?} [{i}]");
                    }
                    Err(e) => {
                        assert_eq!(st, STATUS_EXIT, "{op:?} [{i}] must side-exit");
                        assert_eq!(m.ctx().exit_pc, 0);
                        assert_eq!(m.get(a), SENTINEL, "{op:?} [{i}] changed its result");
                        let n = words.len();
                        assert_eq!(e.0, format!("list index out of range: {i} (len {n})"));
                    }
                }
            }
        }
    }
}

#[test]
fn list_set_agrees_with_the_heap() {
    let mut h = Heap::new(TypeTable::new());
    for (list, words) in lists(&mut h) {
        for (op, c, v) in [
            (Op::ListSetI64, 6, -99i64 as u64),
            (Op::ListSetF64, 9, 2.25f64.to_bits()),
            (Op::ListSetCell, 12, Cell::NIL.0),
        ] {
            for i in indices(words.len() as i64) {
                let before = h.list_words(list).to_vec();
                let mut m = machine(&h, one_op(op, 10, 5, c));
                m.set(10, list.0);
                m.set(5, i as u64);
                m.set(c, v);
                let st = m.run(0);
                let after = h.list_words(list).to_vec();
                // Restore, then let the heap do the same store.
                let n = before.len() as i64;
                if st == STATUS_RETURNED {
                    let j = if i < 0 { i + n } else { i };
                    h.list_set(list, j, before[j as usize]).unwrap();
                }
                assert_eq!(h.list_words(list), &before[..]);
                match h.list_set(list, i, v) {
                    Ok(()) => assert_eq!(st, STATUS_RETURNED, "{op:?} [{i}]"),
                    Err(_) => {
                        assert_eq!(st, STATUS_EXIT, "{op:?} [{i}] must side-exit");
                        assert_eq!(m.ctx().exit_pc, 0);
                    }
                }
                assert_eq!(h.list_words(list), &after[..], "{op:?} [{i}]");
            }
        }
    }
}

#[test]
fn list_get_variants_with_cached_index_and_result_in_a_loop() {
    // for i in start..n { x := xs[i]; sum += x }; G[0] := sum. Slots i, n, x, sum are
    // register-cached, so list_get_i64 runs as a variant (index and result in registers).
    let mut h = Heap::new(TypeTable::new());
    let xs: Vec<u64> = [5i64, -7, 11, 100].iter().map(|x| *x as u64).collect();
    let list = h.list_from(INT, &xs);
    let p = || {
        program(
            vec![func(
                "f",
                4,
                0,
                1,
                vec![
                    ins(Op::ListGetI64, 6, 8, 4),
                    ins(Op::AddI64, 7, 7, 6),
                    ins(Op::IncJLtI64, 4, 5, 0),
                    ins(Op::StoreGlobalI64, 0, 7, 0),
                    ins(Op::RetVoid, 0, 0, 0),
                ],
            )],
            vec![],
        )
    };
    let mut cache = tier2_jit::emit::choose_cache(&p().funcs[0]);
    cache.sort_unstable();
    assert_eq!(cache, vec![4, 5, 6, 7], "every i64 slot is cached");
    let run = |start: i64, end: i64| {
        let mut m = machine(&h, p());
        // 5 instructions, one entry stub (4 reloads and a jmp: pc 0 is the loop header too),
        // 3 exit_at stubs, the exit stub, and the cold twins of the list read (a negative
        // index) and of the add (undone on overflow): no spill or reload pieces among the
        // instructions, so every op found its register variant.
        assert_eq!(m.jit.stats().stencils_copied, 16);
        m.set(4, start as u64);
        m.set(5, end as u64);
        m.set(6, 0);
        m.set(7, 0);
        m.set(8, list.0);
        let st = m.run(0);
        let g = m.globals()[0];
        (st, g, m.get(4) as i64, m.get(7) as i64, m.ctx().exit_pc)
    };
    let total = 5 - 7 + 11 + 100;
    // Every element twice: negative indices, then non-negative ones.
    let (st, g, ..) = run(-4, 4);
    assert_eq!((st, g as i64), (STATUS_RETURNED, 2 * total));
    // Starting at -len-1: the first get side-exits with the frame made whole.
    let (st, g, i, sum, pc) = run(-5, 4);
    assert_eq!((st, g, i, sum, pc), (STATUS_EXIT, SENTINEL, -5, 0, 0));
    // Running past the end: exits at i = len after summing everything once.
    let (st, g, i, sum, pc) = run(0, 5);
    assert_eq!((st, g, i, sum, pc), (STATUS_EXIT, SENTINEL, 4, total, 0));
}

#[test]
fn record_fields_and_string_length() {
    let mut h = Heap::new(TypeTable::new());
    let mut fields: Vec<u64> = (0..200).map(|k| k * 3).collect();
    fields[0] = -5i64 as u64;
    fields[1] = 0.75f64.to_bits();
    fields[2] = Cell::from_bool(true).0;
    let ty = h.types.intern(arenas::TypeDesc::Struct {
        name: "P".into(),
        fields: (0..200).map(|k| (format!("f{k}"), INT)).collect(),
    });
    let other = h.new_record(ty, &fields); // not slot 1: a real slot index matters
    let rec = h.new_record(ty, &fields);
    assert_ne!(other, rec);
    for (op, a, f) in [
        (Op::GetFieldI64, 4, 0),
        (Op::GetFieldF64, 8, 1),
        (Op::GetFieldCell, 11, 2),
        (Op::GetFieldI64, 4, 199),
    ] {
        let mut m = machine(&h, one_op(op, a, 10, f));
        m.set(10, rec.0);
        assert_eq!(m.run(0), STATUS_RETURNED);
        assert_eq!(
            m.get(a),
            h.record_fields(rec)[f as usize],
            "{op:?} field {f}"
        );
    }
    for (op, c, f, v) in [
        (Op::SetFieldI64, 6, 0, i64::MIN as u64),
        (Op::SetFieldF64, 9, 1, (-1.5f64).to_bits()),
        (Op::SetFieldCell, 12, 2, Cell::NIL.0),
        (Op::SetFieldI64, 6, 150, 77),
    ] {
        let mut m = machine(&h, one_op(op, 10, f, c));
        m.set(10, rec.0);
        m.set(c, v);
        assert_eq!(m.run(0), STATUS_RETURNED);
        assert_eq!(h.record_fields(rec)[f as usize], v, "{op:?} field {f}");
        assert_eq!(h.record_fields(other)[f as usize], fields[f as usize]);
    }
    for s in ["", "abc", "héllo wörld", "日本語"] {
        let c = h.alloc_str(s);
        let mut m = machine(&h, one_op(Op::StrLen, 4, 10, 0));
        m.set(10, c.0);
        assert_eq!(m.run(0), STATUS_RETURNED);
        assert_eq!(m.get(4) as i64, s.chars().count() as i64, "{s:?}");
        assert_eq!(m.get(4) as i64, h.str_runes(c));
    }
}
