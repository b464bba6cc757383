//! Every register variant of the stencil table (`<stencil>__<locs>`, see
//! `stencils/src/regcache.h`) runs on boundary operands and must print and fail exactly as the
//! interpreter does.
//!
//! For each variant the test builds a function that sets the op's operands (constants into
//! the slots the variant's name places in registers or in the frame), runs the op, and prints
//! every operand afterwards (and which way a branch went, and what a store stored). The
//! interpreter runs it (`--jit=off`: the oracle); then tier 2 compiles it with its register
//! cache forced to x0..x5 = the first six i64 slots and f0..f7 = the first eight f64 slots
//! (`CopyAndPatch::force_cache`), checks from the listing that the variant really is the
//! stencil emitted for the op, and runs it. Output, error and exit status must agree, and a
//! run without an error must take no side exit.

#![cfg(all(target_arch = "x86_64", target_os = "linux"))]

use arenas::rtti::{FLOAT, INT};
use arenas::{Heap, TypeDesc, TypeTable};
use tier1_interp::{run, JitMode, Options, RunStats};
use tier2_jit::CopyAndPatch;
use vm::ops::{Instr, Op, Operand, Tier2};
use vm::program::{Bank, Function, Globals, Program, RetKind};
use vm::runtime::{CapturedOutput, Runtime};
use vm::Pos;

/// Frame layout of the test functions: i64 slots at words 4..14 (x_r caches word 4 + r, the
/// op's frame operands use 10, 11, 12; 13 is the branch marker), f64 slots at 14..26 (f_r:
/// 14 + r; frame operands 22, 23, 24; 25 a scratch word), cells at 26..30 (26: the op's heap
/// operand; 27..30: a list view of it for the view ops).
const I_REG: u32 = 4;
const I_MEM: u32 = 10;
const MARK: u32 = 13;
const F_REG: u32 = 14;
const F_MEM: u32 = 22;
const F_SCRATCH: u32 = 25;
const CELL: u32 = 26;
/// A list view of the op's list (three words: elements, length, the list; raw words in cell
/// slots, which the collector takes for floats and this test never collects).
const VIEW: u32 = 27;
const I_CACHE: [u32; 6] = [4, 5, 6, 7, 8, 9];
const F_CACHE: [u32; 8] = [14, 15, 16, 17, 18, 19, 20, 21];
const FRAME_WORDS: u32 = 30;

const INTS: &[i64] = &[
    0,
    1,
    -1,
    7,
    -3,
    2,
    i64::MIN,
    i64::MAX,
    1 << 32,
    3_037_000_500,
    i32::MIN as i64,
    i32::MAX as i64 + 1,
    3,
];
const FLOATS: &[f64] = &[
    0.0,
    -0.0,
    1.5,
    -2.25,
    f64::NAN,
    f64::INFINITY,
    f64::NEG_INFINITY,
    1e300,
    9.3e18,
    -9.223_372_036_854_776e18, // -2^63
    4.0,
    0.1,
    -7.0,
];
const IMMS: &[i64] = &[1, -1, 7, -7, i32::MAX as i64, i32::MIN as i64, 2, 0];
const ROUNDS: usize = 13;

fn ins(op: Op, a: u32, b: u32, c: u32) -> Instr {
    Instr::new(op, a, b, c)
}

fn func(name: &str, ret: RetKind, code: Vec<Instr>) -> Function {
    Function {
        name: name.to_string(),
        pos: Pos { line: 1, col: 1 },
        params: vec![],
        closure_param: false,
        captures: vec![],
        fn_type: 0,
        ret,
        n_i64: 10,
        n_f64: 12,
        n_cell: 4,
        positions: vec![Pos { line: 1, col: 1 }; code.len()],
        code,
    }
}

fn is_acc(op: Op) -> bool {
    let k = op.operands();
    k.len() == 3 && k[0] == k[1] && k[1] == k[2] && matches!(k[0], Operand::I | Operand::F)
}

/// One variant: its op and where each operand lives.
struct Variant {
    name: String,
    /// `name` is a stencil that must be the one emitted for the op.
    is_stencil: bool,
    op: Op,
    /// Per operand (a, b, c): its slot word, for I and F operands.
    words: [Option<u32>; 3],
}

fn variants() -> Vec<Variant> {
    let mut out = Vec::new();
    for st in stencils::STENCILS {
        // (a cold twin runs as the rare path of its stencil)
        if st.name.starts_with(stencils::COLD_PREFIX) {
            continue;
        }
        let Some((base, locs)) = st.name.split_once("__") else {
            continue;
        };
        let op = *Op::ALL
            .iter()
            .find(|op| op.tier2() == Tier2::Stencil(base))
            .unwrap_or_else(|| panic!("variant {} of no op", st.name));
        let kinds = op.operands();
        let locs = locs.as_bytes();
        // The location of each cacheable operand; an accumulator form's b is its a.
        let per_operand: Vec<Option<u8>> = if is_acc(op) && locs.len() == 2 {
            vec![Some(locs[0]), Some(locs[0]), Some(locs[1])]
        } else if is_acc(op) && locs.len() == 3 && locs[0] == b'x' {
            // The clobbering form follows a move R[a] := R[b]: b in its own frame slot.
            vec![Some(locs[1]), Some(b'm'), Some(locs[2])]
        } else {
            let mut it = locs.iter();
            kinds
                .iter()
                .map(|k| matches!(k, Operand::I | Operand::F).then(|| *it.next().unwrap()))
                .collect()
        };
        let mut words = [None; 3];
        let (mut i_mem, mut f_mem) = (I_MEM, F_MEM);
        for (j, loc) in per_operand.iter().enumerate() {
            let Some(loc) = *loc else { continue };
            let f = kinds[j] == Operand::F;
            words[j] = Some(match (loc, f) {
                (b'm', _) if is_acc(op) && locs.len() == 2 && j == 1 => words[0].unwrap(),
                (b'm', false) => {
                    i_mem += 1;
                    i_mem - 1
                }
                (b'm', true) => {
                    f_mem += 1;
                    f_mem - 1
                }
                (d, false) => I_REG + (d - b'0') as u32,
                (d, true) => F_REG + (d - b'0') as u32,
            });
        }
        out.push(Variant {
            name: st.name.to_string(),
            is_stencil: true,
            op,
            words,
        });
    }
    out
}

/// R[a] := R[b] op R[c] for every accumulator op and every placement of a, b and c, the
/// aliased ones included (a is b, a is c, b is c, all three one slot; in registers or in
/// the frame): the emitter builds these from a move and an accumulator form, or falls back
/// to spills around the memory form.
fn accumulator_shapes() -> Vec<Variant> {
    let mut out = Vec::new();
    for &op in Op::ALL.iter().filter(|op| is_acc(**op)) {
        let f = op.operands()[0] == Operand::F;
        let (reg, mem) = if f { (F_REG, F_MEM) } else { (I_REG, I_MEM) };
        // A location: 0..nregs a register, then a frame slot (the k-th one).
        let nregs = if f { F_CACHE.len() } else { I_CACHE.len() };
        let base = nregs + 3;
        for code in 0..base * base * base {
            let loc = [code % base, code / base % base, code / (base * base)];
            let word = |l: usize| {
                if l < nregs {
                    reg + l as u32
                } else {
                    mem + (l - nregs) as u32
                }
            };
            out.push(Variant {
                name: format!("{} locations {loc:?}", op.name()),
                is_stencil: false,
                op,
                words: [Some(word(loc[0])), Some(word(loc[1])), Some(word(loc[2]))],
            });
        }
    }
    out
}

/// What a round needs besides the variant: the heap objects and the constant pool.
struct Fixture {
    heap: Heap,
    consts: Vec<u64>,
    int_list: u64,
    float_list: u64,
    record: u64,
    string: u64,
}

fn fixture() -> Fixture {
    let mut types = TypeTable::new();
    let rec = types.intern(TypeDesc::Struct {
        name: "R".into(),
        fields: vec![("i".into(), INT), ("f".into(), FLOAT)],
    });
    let mut heap = Heap::new(types);
    let ints: Vec<u64> = [7i64, -3, i64::MIN, i64::MAX]
        .iter()
        .map(|x| *x as u64)
        .collect();
    let floats: Vec<u64> = [1.5f64, -0.0, f64::NAN, 1e300]
        .iter()
        .map(|x| x.to_bits())
        .collect();
    let int_list = heap.list_from(INT, &ints).0;
    let float_list = heap.list_from(FLOAT, &floats).0;
    let record = heap.new_record(rec, &[42, 2.5f64.to_bits()]).0;
    let string = heap.alloc_str_permanent("héllo").0;
    Fixture {
        heap,
        consts: vec![int_list, float_list, record, string],
        int_list,
        float_list,
        record,
        string,
    }
}

/// The program of variant `v` in round `t`, and the function that holds the op (1 for a
/// return, whose caller prints what it returned; else 0).
fn build(v: &Variant, t: usize) -> (Program, usize) {
    let fx = fixture();
    let mut consts = fx.consts.clone();
    let mut k = |x: u64| {
        consts.push(x);
        consts.len() as u32 - 1
    };
    let op = v.op;
    let kinds = op.operands();
    let mut code = Vec::new();
    // Operand values.
    let mut set: Vec<u32> = Vec::new();
    for (j, w) in v.words.iter().enumerate() {
        let Some(w) = *w else { continue };
        if set.contains(&w) {
            continue;
        }
        set.push(w);
        if kinds[j] == Operand::F {
            let x = FLOATS[(t * (2 * j + 1) + j) % FLOATS.len()];
            code.push(ins(Op::ConstF64, w, k(x.to_bits()), 0));
        } else {
            let x = INTS[(t * (2 * j + 1) + j) % INTS.len()];
            code.push(ins(Op::ConstI64, w, k(x as u64), 0));
        }
    }
    // The other operands.
    let heap_obj = match op {
        Op::ListGetF64 | Op::ListSetF64 | Op::ListGetF64V | Op::ListSetF64V | Op::ListPushVF64 => {
            Some(fx.float_list)
        }
        Op::ListPushVI64 => Some(fx.int_list),
        Op::ListGetI64
        | Op::ListSetI64
        | Op::ListLen
        | Op::ListGetCell
        | Op::ListSetCell
        | Op::ListGetI64V
        | Op::ListSetI64V
        | Op::ListGetCellV
        | Op::ListSetCellV => Some(fx.int_list),
        Op::GetFieldI64 | Op::GetFieldF64 | Op::SetFieldI64 | Op::SetFieldF64 => Some(fx.record),
        Op::StrLen | Op::AppendStrV | Op::AppendStrVLit => Some(fx.string),
        _ => None,
    };
    let field = match op {
        Op::GetFieldF64 | Op::SetFieldF64 => 1,
        _ => 0,
    };
    let imm = {
        let x = IMMS[t % IMMS.len()];
        if op == Op::ModI64Imm && x == 0 {
            3
        } else {
            x
        }
    };
    let mut operands = [0u32; 3];
    let mut target_at = None;
    let mut global = None;
    for (j, kind) in kinds.iter().enumerate() {
        operands[j] = match kind {
            Operand::I | Operand::F => v.words[j].unwrap(),
            Operand::C => {
                let obj = heap_obj.unwrap_or_else(|| panic!("{}: which heap object?", v.name));
                code.push(ins(Op::ConstCell, CELL, k(obj), 0));
                CELL
            }
            // A list view (`ListView`) of the op's list, in the three cell words after it.
            Operand::R if op.view_operand() == Some(j) => {
                let obj = heap_obj.unwrap_or_else(|| panic!("{}: which heap object?", v.name));
                code.push(ins(Op::ConstCell, CELL, k(obj), 0));
                code.push(ins(Op::ListView, VIEW, CELL, 0));
                VIEW
            }
            Operand::G => {
                // Global 0 (i64) or 1 (f64), set first from a frame word.
                let f = kinds.contains(&Operand::F);
                let g = f as u32;
                if f {
                    code.push(ins(Op::ConstF64, F_SCRATCH, k(0.75f64.to_bits()), 0));
                    code.push(ins(Op::StoreGlobalF64, g, F_SCRATCH, 0));
                } else {
                    code.push(ins(Op::ConstI64, MARK, k(-5i64 as u64), 0));
                    code.push(ins(Op::StoreGlobalI64, g, MARK, 0));
                }
                global = Some((g, f));
                g
            }
            // (a packed literal, which the verifier requires)
            Operand::K if op == Op::AppendStrVLit => {
                let lits = ["a", "hé", "1234567"];
                k(arenas::heap::strings::pack_literal(lits[t % 3]).unwrap())
            }
            // (a select on a comparison: the constant compared with, then the value selected,
            // in consecutive constants; in one round of three the constant is the operand's
            // value, the boundary)
            Operand::K if op.uses_next_constant() => {
                let at = t * 3 + t % 3;
                let first = if kinds[1] == Operand::F {
                    k(FLOATS[at % FLOATS.len()].to_bits())
                } else {
                    k(INTS[at % INTS.len()] as u64)
                };
                k(INTS[(t * 5 + 2) % INTS.len()] as u64);
                first
            }
            Operand::K => {
                if kinds[0] == Operand::F {
                    k(FLOATS[(t * 3 + 1) % FLOATS.len()].to_bits())
                } else {
                    k(INTS[(t * 3 + 1) % INTS.len()] as u64)
                }
            }
            Operand::S => imm as i32 as u32,
            // (a power-of-two divisor's exponent: 1..=62, as the verifier requires)
            Operand::N if matches!(op, Op::DivI64Pow2 | Op::ModI64Pow2) => 1 + (t % 62) as u32,
            Operand::N => field,
            Operand::T => {
                target_at = Some(j);
                0 // patched below
            }
            other => panic!("{}: operand kind {other:?}", v.name),
        };
    }
    let ret = op.is_ret();
    // A push or append through an append view: R[a] is the view's length, from opening it.
    let (open, close) = match op {
        Op::AppendStrV | Op::AppendStrVLit => (Op::AppendStrOpen, Op::AppendStrClose),
        _ => (Op::ListAppendOpen, Op::ListAppendClose),
    };
    if op.skips_next() {
        code.push(ins(open, operands[0], CELL, 0));
    }
    let op_pc = code.len();
    code.push(ins(op, operands[0], operands[1], operands[2]));
    if let Some(slow) = op.slow_case() {
        // Its slow case (the list is full, the string a constant: growth, a new slot), then
        // a second push or append, which has room.
        let slow = ins(slow, operands[0], operands[1], operands[2]);
        code.push(slow);
        code.push(ins(op, operands[0], operands[1], operands[2]));
        code.push(slow);
        code.push(ins(close, operands[0], CELL, 0));
    }
    if ret {
        // The op returns from function 1; main calls it and prints the result.
        let bank = if kinds[0] == Operand::F {
            Bank::F64
        } else {
            Bank::I64
        };
        let callee = func("f", RetKind::Value(bank), code);
        let (dest, print) = match bank {
            Bank::F64 => (F_SCRATCH, Op::PrintF64),
            _ => (MARK, Op::PrintI64),
        };
        let main = func(
            "main",
            RetKind::Void,
            vec![
                ins(Op::Call, 1, dest, FRAME_WORDS),
                ins(print, dest, 0, 0),
                ins(Op::PrintEnd, 1, 0, 0),
                ins(Op::RetVoid, 0, 0, 0),
            ],
        );
        return (program(vec![main, callee], consts, fx.heap), 1);
    }
    if let Some(j) = target_at {
        // Fall through: mark 1; taken: mark 2.
        let taken = op_pc + 3;
        code[op_pc] = {
            let mut o = operands;
            o[j] = taken as u32;
            ins(op, o[0], o[1], o[2])
        };
        let after = taken + 1;
        code.push(ins(Op::ConstI64, MARK, k(1), 0));
        code.push(ins(Op::Jmp, after as u32, 0, 0));
        code.push(ins(Op::ConstI64, MARK, k(2), 0));
        code.push(ins(Op::PrintI64, MARK, 0, 0));
        code.push(ins(Op::PrintEnd, 1, 0, 0));
    }
    // Every cacheable operand after the op.
    let mut printed = Vec::new();
    for (j, w) in v.words.iter().enumerate() {
        let Some(w) = *w else { continue };
        if printed.contains(&w) {
            continue;
        }
        printed.push(w);
        let p = if kinds[j] == Operand::F {
            Op::PrintF64
        } else {
            Op::PrintI64
        };
        code.push(ins(p, w, 0, 0));
        code.push(ins(Op::PrintEnd, 1, 0, 0));
    }
    // What a store stored.
    match op {
        Op::ListSetI64 | Op::ListSetI64V => code.push(ins(Op::ListGetI64, MARK, CELL, operands[1])),
        Op::ListSetF64 | Op::ListSetF64V => {
            code.push(ins(Op::ListGetF64, F_SCRATCH, CELL, operands[1]))
        }
        Op::SetFieldI64 => code.push(ins(Op::GetFieldI64, MARK, CELL, field)),
        Op::SetFieldF64 => code.push(ins(Op::GetFieldF64, F_SCRATCH, CELL, field)),
        _ => {}
    }
    if let Some((g, f)) = global {
        code.push(if f {
            ins(Op::LoadGlobalF64, F_SCRATCH, g, 0)
        } else {
            ins(Op::LoadGlobalI64, MARK, g, 0)
        });
    }
    if matches!(op, Op::AppendStrV | Op::AppendStrVLit) {
        // The string's length in runes.
        code.push(ins(Op::StrLen, MARK, CELL, 0));
        code.push(ins(Op::PrintI64, MARK, 0, 0));
        code.push(ins(Op::PrintEnd, 1, 0, 0));
    } else if op.skips_next() {
        // The list's length and last element.
        code.push(ins(Op::ListLen, MARK, CELL, 0));
        code.push(ins(Op::PrintI64, MARK, 0, 0));
        code.push(ins(Op::PrintEnd, 1, 0, 0));
        code.push(ins(Op::AddI64Imm, MARK, MARK, -1i32 as u32));
        code.push(match op {
            Op::ListPushVF64 => ins(Op::ListGetF64, F_SCRATCH, CELL, MARK),
            _ => ins(Op::ListGetI64, MARK, CELL, MARK),
        });
    }
    if matches!(
        op,
        Op::ListSetF64 | Op::ListSetF64V | Op::SetFieldF64 | Op::ListPushVF64
    ) || global.is_some_and(|(_, f)| f)
    {
        code.push(ins(Op::PrintF64, F_SCRATCH, 0, 0));
        code.push(ins(Op::PrintEnd, 1, 0, 0));
    } else if matches!(
        op,
        Op::ListSetI64 | Op::ListSetI64V | Op::SetFieldI64 | Op::ListPushVI64
    ) || global.is_some()
    {
        code.push(ins(Op::PrintI64, MARK, 0, 0));
        code.push(ins(Op::PrintEnd, 1, 0, 0));
    }
    code.push(ins(Op::RetVoid, 0, 0, 0));
    (
        program(vec![func("main", RetKind::Void, code)], consts, fx.heap),
        0,
    )
}

fn program(funcs: Vec<Function>, consts: Vec<u64>, heap: Heap) -> Program {
    Program {
        funcs,
        consts,
        globals: Globals {
            names: vec![("gi".into(), Bank::I64), ("gf".into(), Bank::F64)],
        },
        heap: Some(heap),
        tests: Vec::new(),
    }
}

/// Run `prog`: (error message, output, side exits).
fn exec(mut prog: Program, jit: Option<&mut CopyAndPatch>) -> (Option<String>, String, u64) {
    let sink = CapturedOutput::default();
    let heap = prog.heap.take().unwrap();
    let mut rt = Runtime::new(heap, Box::new(sink.clone()));
    let opts = Options {
        mode: if jit.is_some() {
            JitMode::Always
        } else {
            JitMode::Off
        },
        ..Options::default()
    };
    let mut stats = RunStats::default();
    let r = run(
        &prog,
        &mut rt,
        jit.map(|j| j as &mut dyn vm::jit_api::Jit),
        opts,
        &mut stats,
    );
    rt.flush();
    (
        r.err().map(|e| e.to_string()),
        sink.contents(),
        stats.side_exits,
    )
}

#[test]
fn every_register_variant_agrees_with_the_interpreter() {
    let mut vs = variants();
    assert!(vs.len() > 500, "only {} variants", vs.len());
    vs.extend(accumulator_shapes());
    let mut runs = 0;
    for v in &vs {
        // The shapes only exercise how the emitter composes stencils: fewer rounds.
        let rounds = if v.is_stencil { ROUNDS } else { 5 };
        for t in 0..rounds {
            let (prog, fid) = build(v, t);
            let want = exec(build(v, t).0, None);
            let mut jit = CopyAndPatch::new();
            jit.force_cache(fid, &I_CACHE, &F_CACHE);
            if t == 0 && v.is_stencil {
                // The variant is what tier 2 emits for the op.
                jit.keep_listing(fid);
                let listing = jit.dump(&prog, fid).expect("compile");
                assert!(
                    listing.contains(&format!("[{}]", v.name)),
                    "{} is not emitted:\n{listing}",
                    v.name
                );
                jit = CopyAndPatch::new();
                jit.force_cache(fid, &I_CACHE, &F_CACHE);
            }
            let got = exec(prog, Some(&mut jit));
            assert_eq!(
                (&got.0, &got.1),
                (&want.0, &want.1),
                "{} round {t}: tier 2 differs from the interpreter",
                v.name
            );
            if want.0.is_none() {
                assert_eq!(
                    got.2, 0,
                    "{} round {t}: a side exit without an error",
                    v.name
                );
            }
            runs += 1;
        }
    }
    eprintln!("{} variants, {runs} runs", vs.len());
}
