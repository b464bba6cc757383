//! Helpers for the benchmarks: compile a Mochi source and run it in one tier policy with its
//! output discarded.

use tier1_interp::{JitMode, Options, RunStats};
use vm::jit_api::Jit;
use vm::runtime::Runtime;

/// Parse, check, compile and run `src` under `mode`; panics on any error (bench programs are
/// known-good).
pub fn run_source(src: &str, mode: JitMode) {
    let mut prog = compiler::compile_source(src).expect("compile");
    let heap = prog.heap.take().expect("heap");
    let mut rt = Runtime::new(heap, Box::new(std::io::sink()));
    let mut jit = (mode != JitMode::Off).then(tier2_jit::CopyAndPatch::new);
    let opts = Options {
        mode,
        ..Options::default()
    };
    tier1_interp::run(
        &prog,
        &mut rt,
        jit.as_mut().map(|j| j as &mut dyn Jit),
        opts,
        &mut RunStats::default(),
    )
    .expect("run");
}

/// Compile every function of `src` with a fresh JIT; returns the number of ops emitted.
pub fn jit_compile_all(src: &str) -> u64 {
    let prog = compiler::compile_source(src).expect("compile");
    let mut jit = tier2_jit::CopyAndPatch::new();
    for f in 0..prog.funcs.len() {
        jit.compile(&prog, f).expect("jit compile");
    }
    jit.stats().stencils_copied
}
