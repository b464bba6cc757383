//! The op table (vm::ops) and the stencil table agree.

use stencils::{Hole, HoleSymbol, COLD_PREFIX, STENCILS};
use vm::ops::{Op, Operand, Tier2};

/// An accumulator op (`stencils/src/regcache.h`): R[a] := R[b] op R[c], three operands of
/// one bank, whose variants name the locations of a and c only (R[a] := R[a] op R[c]).
fn is_acc(op: Op) -> bool {
    let k = op.operands();
    k.len() == 3 && k[0] == k[1] && k[1] == k[2] && matches!(k[0], Operand::I | Operand::F)
}

/// The holes of stencil `st` and of its cold twin (`cold.NAME`, its rare path split off at
/// build time, which it reaches through `_COLD` holes).
fn holes_with_twin(st: &stencils::Stencil) -> Vec<Hole> {
    let twin = stencils::find(&format!("{COLD_PREFIX}{}", st.name));
    let jumps_cold = st.holes.iter().any(|h| h.symbol == HoleSymbol::Cold);
    assert_eq!(
        jumps_cold,
        twin.is_some(),
        "{}: `_COLD` holes and twin",
        st.name
    );
    let twin_holes = twin.into_iter().flat_map(|t| t.holes.iter());
    st.holes.iter().chain(twin_holes).copied().collect()
}

/// The holes of `st`, the stencil (or a register variant) of `op`, are those its operands
/// allow, and every operand is used. In a register variant an operand living in a register
/// has no hole.
fn check_holes(op: Op, st: &stencils::Stencil, locs: &[u8]) {
    let name = st.name;
    let kinds = op.operands();
    // Location of each operand: the cacheable (i64 and f64) operands take `locs` in order;
    // an accumulator form's b is a (it reads `_A`, not `_B`).
    // (a clobbering accumulator form `x<a><c>` has the accumulator form's operands)
    let locs = if is_acc(op) && locs.len() == 3 && locs[0] == b'x' {
        &locs[1..]
    } else {
        locs
    };
    let acc = is_acc(op) && locs.len() == 2;
    let locs: Vec<u8> = if acc {
        vec![locs[0], locs[0], locs[1]]
    } else {
        locs.to_vec()
    };
    let mut c_index = 0;
    let in_register: Vec<bool> = kinds
        .iter()
        .enumerate()
        .map(|(i, k)| {
            if matches!(k, Operand::I | Operand::F) && !locs.is_empty() {
                c_index += 1;
                locs[c_index - 1] != b'm' || (acc && i == 1)
            } else {
                false
            }
        })
        .collect();
    // An operand hole is allowed for operand i if it exists and is not K/T (those have their
    // own holes _K and _TARGET).
    let operand_hole = |i: usize| {
        kinds
            .get(i)
            .is_some_and(|k| !matches!(k, Operand::K | Operand::T))
    };
    let mut seen = std::collections::BTreeSet::new();
    for h in holes_with_twin(st) {
        let ok = match h.symbol {
            HoleSymbol::Cold => true,
            HoleSymbol::A => operand_hole(0),
            HoleSymbol::B => operand_hole(1),
            HoleSymbol::C => operand_hole(2),
            HoleSymbol::K => kinds.contains(&Operand::K),
            HoleSymbol::Target => kinds.contains(&Operand::T) || op.skips_next(),
            HoleSymbol::Continue | HoleSymbol::Pc | HoleSymbol::OwnData | HoleSymbol::Exit => true,
            HoleSymbol::R0 | HoleSymbol::R1 | HoleSymbol::R2 | HoleSymbol::R3 => true,
            HoleSymbol::R4 | HoleSymbol::R5 => true,
            HoleSymbol::F0 | HoleSymbol::F1 | HoleSymbol::F2 | HoleSymbol::F3 => true,
            HoleSymbol::F4 | HoleSymbol::F5 | HoleSymbol::F6 | HoleSymbol::F7 => true,
            HoleSymbol::Helper(h) => vm::runtime::helper_address(&h).is_some(),
            // Only the generic helper stencil and the stencils of ops with a slow-path routine
            // take raw operands and a routine address.
            HoleSymbol::OA | HoleSymbol::OB | HoleSymbol::OC | HoleSymbol::HelperOp => {
                op.helper().is_some()
            }
            // Only the direct forms of `Call` (not named in the op table).
            HoleSymbol::Callee | HoleSymbol::Frame => false,
            // The division by a constant, derived from ModI64Imm's immediate.
            HoleSymbol::ModMagic
            | HoleSymbol::ModShift
            | HoleSymbol::ModLimit
            | HoleSymbol::ModDivisor => op == vm::ops::Op::ModI64Imm,
            HoleSymbol::K2 => op.uses_next_constant(),
            HoleSymbol::Pow2Mask => {
                matches!(op, vm::ops::Op::DivI64Pow2 | vm::ops::Op::ModI64Pow2)
            }
        };
        assert!(
            ok,
            "stencil {name} ({}): hole {:?} not allowed by operands {kinds:?}",
            op.name(),
            h.symbol
        );
        assert!(!h.in_data || matches!(h.symbol, HoleSymbol::Helper(_) | HoleSymbol::OwnData));
        seen.insert(format!("{:?}", h.symbol));
    }
    // Conversely, every operand is used by the stencil (from its register or its hole).
    for (i, k) in kinds.iter().enumerate() {
        // (A variant whose operands share a register may have a branch clang proved dead,
        // e.g. `inc_jlt_i64__00`: x0 + 1 < x0.)
        if in_register[i] || (*k == Operand::T && !locs.is_empty()) {
            continue;
        }
        // (The inline string appends write where their view word points: the string operand
        // is there for their slow case, which must have the same operands.)
        if i == 1 && matches!(op, vm::ops::Op::AppendStrV | vm::ops::Op::AppendStrVLit) {
            continue;
        }
        let sym = match k {
            Operand::K => "K",
            Operand::T => "Target",
            _ => ["A", "B", "C"][i],
        };
        // (or hands it to the op's routine raw: `_OA`, `_OB`, `_OC`, or uses only a value the
        // emitter derives from it: `_POW2_MASK` of c)
        let derived = sym == "C" && seen.contains("Pow2Mask");
        assert!(
            seen.contains(sym) || seen.contains(&format!("O{sym}")) || derived,
            "stencil {name} ignores operand {i} ({k:?})"
        );
    }
}

#[test]
fn every_jit_op_has_a_stencil_with_only_allowed_holes() {
    if !stencils::SUPPORTED {
        return; // interpreter-only target: no table to check
    }
    let mut base_op = std::collections::HashMap::new();
    for op in Op::ALL {
        let Tier2::Stencil(name) = op.tier2() else {
            continue;
        };
        let st = stencils::find(name)
            .unwrap_or_else(|| panic!("op {} has no stencil `{name}`", op.name()));
        check_holes(*op, st, &[]);
        base_op.insert(name, *op);
    }
    let side_exit = stencils::find(stencils::SIDE_EXIT).expect("side_exit stencil");
    assert!(side_exit.holes.iter().all(|h| h.symbol == HoleSymbol::Exit));
    let shim = stencils::find(stencils::ENTRY_SHIM).expect("entry shim");
    assert!(shim.holes.is_empty() && shim.data.is_empty());
    let mut variants = 0;
    for s in STENCILS {
        // A cold twin is checked with its stencil.
        if let Some(hot) = s.name.strip_prefix(COLD_PREFIX) {
            assert!(
                stencils::find(hot).is_some(),
                "cold twin {} of no stencil",
                s.name
            );
            continue;
        }
        // A form of an op's stencil for a function that caches registers (`<stencil>_c<n>`,
        // `<stencil>_f`, `<stencil>_f_c<n>`, as `list_push`'s; `<stencil>_k_c<n>`, as
        // `map_get`'s keeping forms): the op's holes.
        let form_of = {
            let n = s.name.as_str();
            let n = match n.rsplit_once("_c") {
                Some((b, k)) if k.len() == 1 && b"123456".contains(&k.as_bytes()[0]) => {
                    b.strip_suffix("_k").unwrap_or(b)
                }
                _ => n,
            };
            n.strip_suffix("_f").unwrap_or(n)
        };
        if form_of != s.name.as_str() {
            if let Some(op) = base_op.get(form_of) {
                check_holes(*op, s, &[]);
                continue;
            }
        }
        if base_op.contains_key(s.name.as_str())
            || [
                stencils::SIDE_EXIT,
                stencils::ENTRY_SHIM,
                "exit_at",
                "exit_stub",
                "call_c1",
                "call_c2",
                "call_c3",
                "call_c4",
                "call_c5",
                "call_c6",
                "call_direct",
                "call_direct_c1",
                "call_direct_c2",
                "call_direct_c3",
                "call_direct_c4",
                "call_direct_c5",
                "call_direct_c6",
                "call_closure_c1",
                "call_closure_c2",
                "call_closure_c3",
                "call_closure_c4",
                "call_closure_c5",
                "call_closure_c6",
                stencils::HELPER,
                "helper_c1",
                "helper_c2",
                "helper_c3",
                "helper_c4",
                "helper_c5",
                "helper_c6",
                "helper_f",
                "helper_f_c1",
                "helper_f_c2",
                "helper_f_c3",
                "helper_f_c4",
                "helper_f_c5",
                "helper_f_c6",
            ]
            .contains(&s.name.as_str())
            || ["spill_", "reload_", "spill_f_", "reload_f_"]
                .iter()
                .any(|p| {
                    s.name
                        .strip_prefix(p)
                        .is_some_and(|k| k.len() == 1 && b"01234567".contains(&k.as_bytes()[0]))
                })
        {
            continue;
        }
        // A register variant: `<stencil>__<location of each cacheable operand>` (an
        // accumulator op: of a and c).
        let (base, locs) = s
            .name
            .split_once("__")
            .unwrap_or_else(|| panic!("orphan stencil {}", s.name));
        let op = *base_op
            .get(base)
            .unwrap_or_else(|| panic!("variant {} of no op", s.name));
        let banks: Vec<Operand> = op
            .operands()
            .iter()
            .copied()
            .filter(|k| matches!(k, Operand::I | Operand::F))
            .collect();
        let n = banks.len();
        let n = if is_acc(op) && locs.len() == 2 { 2 } else { n };
        let digits = if is_acc(op) && locs.starts_with('x') {
            &locs[1..]
        } else {
            locs
        };
        // x0..x5 for an i64 operand, f0..f7 for an f64 one (an accumulator op's are all of
        // one bank).
        let in_bank = |j: usize, c: u8| {
            let regs: &[u8] = match banks.get(j).or(banks.last()) {
                Some(Operand::F) => b"m01234567",
                _ => b"m012345",
            };
            regs.contains(&c)
        };
        assert!(
            locs.len() == n && digits.bytes().enumerate().all(|(j, c)| in_bank(j, c)),
            "variant {} does not name the location of each of {}'s {n} cacheable operands",
            s.name,
            op.name()
        );
        check_holes(op, s, locs.as_bytes());
        variants += 1;
    }
    assert!(variants > 0, "no register variants");
}

/// Helper ops need no stencil of their own: they all run through the generic helper stencil,
/// whose holes are the routine's address, the raw operands, the pc (recorded for the GC and
/// the side exit), the side exit, the continuation and the cached registers' slots.
#[test]
fn helper_ops_run_through_the_generic_helper_stencil() {
    if !stencils::SUPPORTED {
        return;
    }
    for op in Op::ALL {
        if let Tier2::Helper(name) = op.tier2() {
            assert!(
                op.helper().is_some(),
                "helper op {} has no routine",
                op.name()
            );
            assert!(
                stencils::find(name).is_none(),
                "helper op {} must not have a stencil `{name}` of its own",
                op.name()
            );
        }
    }
    for (n, name) in [
        stencils::HELPER,
        "helper_c1",
        "helper_c2",
        "helper_c3",
        "helper_c4",
        "helper_c5",
        "helper_c6",
    ]
    .iter()
    .enumerate()
    {
        let st = stencils::find(name).unwrap_or_else(|| panic!("no stencil {name}"));
        let mut seen = std::collections::BTreeSet::new();
        for h in holes_with_twin(st) {
            assert!(!h.in_data, "{name}: hole in data");
            let ok = match h.symbol {
                HoleSymbol::Cold => true,
                HoleSymbol::HelperOp => h.kind == stencils::HoleKind::Abs64,
                HoleSymbol::OA | HoleSymbol::OB | HoleSymbol::OC => {
                    // Raw u32 operands: zero-extended 32-bit immediates.
                    h.kind == stencils::HoleKind::Abs32
                }
                HoleSymbol::Pc | HoleSymbol::Exit | HoleSymbol::Continue => true,
                HoleSymbol::R0 => n >= 1,
                HoleSymbol::R1 => n >= 2,
                HoleSymbol::R2 => n >= 3,
                HoleSymbol::R3 => n >= 4,
                HoleSymbol::R4 => n >= 5,
                HoleSymbol::R5 => n >= 6,
                _ => false,
            };
            assert!(ok, "{name}: unexpected hole {:?} ({:?})", h.symbol, h.kind);
            seen.insert(format!("{:?}", h.symbol));
        }
        for want in ["HelperOp", "OA", "OB", "OC", "Pc", "Exit", "Continue"] {
            assert!(seen.contains(want), "{name} has no {want} hole");
        }
        for k in 0..n {
            assert!(
                seen.contains(&format!("R{k}")),
                "{name} does not spill x{k}"
            );
        }
    }
}

/// No op is left to the interpreter: every op runs in native code, through its own stencil
/// (`jit`) or the generic helper stencil (`helper`), so tier 2 never side-exits just because
/// of an op's kind (only on errors, uncompiled callees and limits).
#[test]
fn every_op_runs_in_native_code() {
    let interp_only: Vec<&str> = Op::ALL
        .iter()
        .filter(|op| !matches!(op.tier2(), Tier2::Stencil(_) | Tier2::Helper(_)))
        .map(|op| op.name())
        .collect();
    assert!(
        interp_only.is_empty(),
        "ops still marked `interp` (side exit in tier 2): {interp_only:?}"
    );
}

#[test]
fn table_metadata() {
    if stencils::SUPPORTED {
        assert!(tier2_jit::available());
        assert!(stencils::CLANG_VERSION.contains("clang version 19."));
        assert_eq!(stencils::DIGEST.len(), 64);
        assert!(stencils::FLAGS.contains("-O2"));
        // `stencils::index_of` (every lookup of a stencil by name) is a binary search.
        assert!(
            STENCILS.windows(2).all(|w| w[0].name < w[1].name),
            "table not sorted"
        );
        assert_eq!(
            stencils::index_of("jmp").map(|i| STENCILS[i].name.as_str()),
            Some("jmp")
        );
        assert_eq!(stencils::index_of("no_such_stencil"), None);
    } else {
        assert!(STENCILS.is_empty());
        assert!(!tier2_jit::available());
    }
}

/// `stencils/src/ops.h` is what the op table generates (`vm::ops::c_header`). Set
/// `MOCHI_REGEN_OPS_H=1` to rewrite it after changing the op table.
#[test]
fn c_header_matches_the_op_table() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../stencils/src/ops.h");
    let want = vm::ops::c_header();
    if std::env::var_os("MOCHI_REGEN_OPS_H").is_some() {
        std::fs::write(&path, &want).expect("write ops.h");
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        have == want,
        "stencils/src/ops.h is stale: run `MOCHI_REGEN_OPS_H=1 cargo test -p tier2-jit --test op_table`, then regenerate the stencil table"
    );
}
