//! The stencil build lays compare-and-branch stencils out so that a branch costs one
//! conditional jump, taken only where the bytecode jumps: the jump to `_TARGET` is a `jcc`
//! (`0f 8x rel32`), and the stencil ends with `jmp _CONTINUE`, which the emitter drops when the
//! next instruction follows (`stencils/build.rs`: `fold_exit_branches`, `swap_branch_tail`).

use stencils::{HoleKind, HoleSymbol, STENCILS};

const BRANCHES: &[&str] = &[
    "jeq_i64",
    "jne_i64",
    "jlt_i64",
    "jle_i64",
    "jeq_i64_imm",
    "jne_i64_imm",
    "jlt_i64_imm",
    "jle_i64_imm",
    "jgt_i64_imm",
    "jge_i64_imm",
    "jmp_true",
    "jmp_false",
    "jmp_nil",
    "jmp_not_nil",
    "jlt_f64",
    "jle_f64",
];

/// The register variants (`<stencil>__<locations>`) of the stencils named `bases`.
fn variants_of(bases: &[&str]) -> Vec<&'static stencils::Stencil> {
    STENCILS
        .iter()
        .filter(|s| {
            s.name
                .split_once("__")
                .is_some_and(|(base, _)| bases.contains(&base))
        })
        .collect()
}

/// Whether `s` is one `jcc _TARGET` and ends with `jmp _CONTINUE`.
fn folded(s: &stencils::Stencil) -> bool {
    let targets: Vec<_> = s
        .holes
        .iter()
        .filter(|h| h.symbol == HoleSymbol::Target)
        .collect();
    s.ends_with_continue_jump()
        && targets.len() == 1
        && targets[0].kind == HoleKind::Rel32
        && targets[0].offset >= 2
        && s.code[targets[0].offset as usize - 2] == 0x0f
        && (0x80..=0x8f).contains(&s.code[targets[0].offset as usize - 1])
}

#[test]
fn branches_are_one_conditional_jump_then_the_continuation() {
    // The memory form of every compare-and-branch op.
    for name in BRANCHES {
        let s = stencils::find(name).unwrap();
        assert!(folded(s), "{name} is not `jcc _TARGET; jmp _CONTINUE`");
    }
    // Its register variants, except those clang laid out otherwise (`jeq_i64__01` copies
    // one register to the other on the taken path, after the `jcc`) and the degenerate ones
    // (`jeq_i64__00`: both operands in one register, always or never jumps).
    let variants: Vec<_> = variants_of(BRANCHES)
        .into_iter()
        .filter(|s| {
            s.holes.iter().any(|h| h.symbol == HoleSymbol::Continue)
                && s.holes.iter().any(|h| h.symbol == HoleSymbol::Target)
        })
        .collect();
    // 84 of 112 today; a floor, so a change to the stencil build that loses folds fails here.
    let n = variants.iter().filter(|s| folded(s)).count();
    assert!(
        n * 4 >= variants.len() * 3,
        "only {n} of {} register variants are folded",
        variants.len()
    );
}

/// The rare path of a list access (an index counting from the end), of an integer division
/// or remainder (an operand outside 0..2^32) and of a helper call (an error) is a cold twin
/// (`cold.NAME`, split off by `stencils/build.rs`: `split_cold_tail`) that the stencil reaches
/// through `_COLD` holes: its one jump to the next instruction is its last instruction, which
/// the emitter drops, so the hot path falls through with no taken branch.
#[test]
fn rare_paths_are_cold_twins_out_of_the_hot_line() {
    if !stencils::SUPPORTED {
        return;
    }
    let split = |s: &stencils::Stencil| {
        let continues = s.holes.iter().filter(|h| h.symbol == HoleSymbol::Continue);
        s.ends_with_continue_jump()
            && continues.count() == 1
            && s.holes.iter().any(|h| h.symbol == HoleSymbol::Cold)
            && stencils::find(&format!("{}{}", stencils::COLD_PREFIX, s.name)).is_some()
    };
    let memory_forms = [
        "list_get_i64",
        "list_get_f64",
        "list_get_cell",
        "list_set_i64",
        "list_set_f64",
        "list_set_cell",
        "mod_i64",
        "mod_i64_imm",
        "div_i64",
        "f64_to_i64",
        "helper",
        "helper_c1",
        "helper_f",
    ];
    for name in memory_forms {
        let s = stencils::find(name).unwrap();
        assert!(split(s), "{name}: its rare path is not a cold twin");
    }
    // Their register variants: all but those where clang merged the two paths' stores (a
    // floor, so a change to the stencil build that loses splits fails here).
    let variants = variants_of(&memory_forms);
    let n = variants.iter().filter(|s| split(s)).count();
    assert!(
        n * 10 >= variants.len() * 9,
        "only {n} of {} register variants have a cold twin",
        variants.len()
    );
    // A twin never jumps back into the hot line nor has a twin of its own; branches are not
    // split (their `jmp _CONTINUE` only runs on a loop's exit).
    for s in STENCILS {
        if s.name.starts_with(stencils::COLD_PREFIX) {
            assert!(
                s.holes.iter().all(|h| h.symbol != HoleSymbol::Cold),
                "{}",
                s.name
            );
            assert!(s.data.is_empty(), "{}", s.name);
        }
        if s.holes.iter().any(|h| h.symbol == HoleSymbol::Target) {
            assert!(!split(s), "{} is a branch", s.name);
        }
    }
}
