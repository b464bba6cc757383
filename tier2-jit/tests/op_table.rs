//! The op table (vm::ops) and the stencil table agree.

use stencils::{HoleSymbol, STENCILS};
use vm::ops::{Op, Operand, Tier2};

#[test]
fn every_jit_op_has_a_stencil_with_only_allowed_holes() {
    if !stencils::SUPPORTED {
        return; // interpreter-only target: no table to check
    }
    let mut used = std::collections::BTreeSet::new();
    for op in Op::ALL {
        let Tier2::Stencil(name) = op.tier2() else {
            continue;
        };
        let st = stencils::find(name)
            .unwrap_or_else(|| panic!("op {} has no stencil `{name}`", op.name()));
        used.insert(name);
        let kinds = op.operands();
        // An operand hole is allowed for operand i if it exists and is not K/T (those have
        // their own holes _K and _TARGET).
        let operand_hole = |i: usize| {
            kinds
                .get(i)
                .is_some_and(|k| !matches!(k, Operand::K | Operand::T))
        };
        let mut seen = std::collections::BTreeSet::new();
        for h in st.holes {
            let ok = match h.symbol {
                HoleSymbol::A => operand_hole(0),
                HoleSymbol::B => operand_hole(1),
                HoleSymbol::C => operand_hole(2),
                HoleSymbol::K => kinds.contains(&Operand::K),
                HoleSymbol::Target => kinds.contains(&Operand::T),
                HoleSymbol::Continue | HoleSymbol::Pc | HoleSymbol::OwnData => true,
                HoleSymbol::Helper(h) => vm::runtime::helper_address(h).is_some(),
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
        // Conversely, every operand is used by the stencil.
        for (i, k) in kinds.iter().enumerate() {
            let sym = match k {
                Operand::K => "K",
                Operand::T => "Target",
                _ => ["A", "B", "C"][i],
            };
            assert!(
                seen.contains(sym),
                "stencil {name} ignores operand {i} ({k:?})"
            );
        }
    }
    let side_exit = stencils::find(stencils::SIDE_EXIT).expect("side_exit stencil");
    assert!(side_exit.holes.iter().all(|h| h.symbol == HoleSymbol::Pc));
    let shim = stencils::find(stencils::ENTRY_SHIM).expect("entry shim");
    assert!(shim.holes.is_empty() && shim.data.is_empty());
    for s in STENCILS {
        assert!(
            used.contains(s.name)
                || s.name == stencils::SIDE_EXIT
                || s.name == stencils::ENTRY_SHIM,
            "orphan stencil {}",
            s.name
        );
    }
    assert_eq!(STENCILS.len(), used.len() + 2);
}

#[test]
fn table_metadata() {
    if stencils::SUPPORTED {
        assert!(tier2_jit::available());
        assert!(stencils::CLANG_VERSION.contains("clang version 19."));
        assert_eq!(stencils::DIGEST.len(), 64);
        assert!(stencils::FLAGS.contains("-O2"));
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
