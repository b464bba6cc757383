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

/// Mochi source of a program whose function `big` has at least `min_ops` bytecode ops: a
/// straight run of blocks mixing integer arithmetic, `if`/`else` branches and list ops
/// (`append`, indexing, `len`), so that emitting it exercises plain, branch and helper
/// stencils. `print(big(7))` at the top level keeps the program runnable.
pub fn big_function_source(min_ops: usize) -> String {
    // Grow the number of blocks until the compiled function is large enough.
    let mut blocks = (min_ops / 16).max(1);
    loop {
        let src = big_function_source_blocks(blocks);
        let ops = function_ops(&src, "big");
        if ops >= min_ops {
            return src;
        }
        blocks = blocks * min_ops / ops.max(1) + 1;
    }
}

fn big_function_source_blocks(blocks: usize) -> String {
    let mut s = String::from(
        "fun big(n: int): int {\n  var a = n\n  var b = 1\n  var c = 0\n  var xs: list<int> = []\n",
    );
    for k in 0..blocks {
        let (m, d) = (k % 13 + 2, k % 7 + 1);
        s.push_str(&format!(
            "  a = a + b * {m} - c % {d}\n  \
             if a > {lim} {{ a = a - {lim} }} else {{ b = b + {d} }}\n  \
             xs = append(xs, a)\n  \
             c = c + xs[{k}] - len(xs)\n",
            lim = 1000 + k,
        ));
    }
    s.push_str("  return a + b + c\n}\n\nprint(big(7))\n");
    s
}

/// Like [`big_function_source`], but every block is a loop (`for`, `while` with a checked
/// multiply-add and a branch), so the function caches registers: the emitter picks register
/// variants and lays out an entry stub per loop header.
pub fn big_loop_function_source(min_ops: usize) -> String {
    let mut blocks = (min_ops / 16).max(1);
    loop {
        let mut s = String::from("fun big(n: int): int {\n  var a = n\n  var b = 1\n  var c = 0\n");
        for k in 0..blocks {
            let (m, d) = (k % 13 + 2, k % 7 + 1);
            s.push_str(&format!(
                "  for i in 0..n {{\n    a = a + i * {m} - b\n    \
                 if a > {lim} {{ a = a - {lim} }} else {{ b = b + {d} }}\n  }}\n  \
                 while c < a {{ c = c + {d} }}\n",
                lim = 1000 + k,
            ));
        }
        s.push_str("  return a + b + c\n}\n\nprint(big(7))\n");
        if function_ops(&s, "big") >= min_ops {
            return s;
        }
        blocks *= 2;
    }
}

/// Mochi source of `n` small functions `f0`..`f{n-1}` (a few ops each, one with a loop every
/// fourth), called once each from the top level: the per-function cost of compiling.
pub fn small_functions_source(n: usize) -> String {
    let mut s = String::new();
    for k in 0..n {
        if k % 4 == 3 {
            s.push_str(&format!(
                "fun f{k}(x: int): int {{\n  var t = 0\n  for i in 0..x {{ t = t + i }}\n  return t + {k}\n}}\n"
            ));
        } else {
            s.push_str(&format!(
                "fun f{k}(x: int): int {{ return x * {} + {k} }}\n",
                k % 5 + 1
            ));
        }
    }
    s.push_str("var total = 0\n");
    for k in 0..n {
        s.push_str(&format!("total = total + f{k}(3)\n"));
    }
    s.push_str("print(total)\n");
    s
}

/// Bytecode ops of function `name` in `src`.
pub fn function_ops(src: &str, name: &str) -> usize {
    let prog = compiler::compile_source(src).expect("compile");
    let f = prog
        .funcs
        .iter()
        .find(|f| f.name == name)
        .expect("function");
    f.code.len()
}

/// Ops the interpreter dispatches per iteration of the (only, branch-free) loop of function
/// `name`: from the back-edge's target to the back-edge, both included.
pub fn loop_ops_per_iteration(src: &str, name: &str) -> u64 {
    let prog = compiler::compile_source(src).expect("compile");
    let f = prog
        .funcs
        .iter()
        .find(|f| f.name == name)
        .expect("function");
    let (at, target) = f
        .code
        .iter()
        .enumerate()
        .find_map(|(i, ins)| ins.target().filter(|&t| (t as usize) <= i).map(|t| (i, t)))
        .expect("a loop back-edge");
    (at - target as usize + 1) as u64
}

/// Compile `src` once; returns the program and the index of function `name`.
pub fn compile_with_function(src: &str, name: &str) -> (vm::program::Program, usize) {
    let prog = compiler::compile_source(src).expect("compile");
    let fid = prog
        .funcs
        .iter()
        .position(|f| f.name == name)
        .expect("function");
    (prog, fid)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn big_function_is_large_and_runs_the_same_in_every_tier() {
        let src = big_function_source(2_000);
        assert!(function_ops(&src, "big") >= 2_000);
        assert!(jit_compile_all(&src) >= 2_000);
        for mode in [JitMode::Off, JitMode::Always, JitMode::Auto] {
            run_source(&src, mode);
        }
    }

    #[test]
    fn loop_and_small_function_sources_compile_and_run() {
        let src = big_loop_function_source(2_000);
        assert!(function_ops(&src, "big") >= 2_000);
        let src2 = small_functions_source(20);
        for mode in [JitMode::Off, JitMode::Always] {
            run_source(&src, mode);
            run_source(&src2, mode);
        }
        assert!(jit_compile_all(&src2) >= 20);
    }

    #[test]
    fn loop_ops_are_counted() {
        let src = "fun spin(n: int): int {\n  var i = 0\n  while i < n {\n    i = i + 1\n  }\n  return i\n}\nprint(spin(3))\n";
        let n = loop_ops_per_iteration(src, "spin");
        assert!((2..=8).contains(&n), "{n}");
    }
}
