//! Emit throughput without criterion's statistics: compiles the 20 000-op function of the
//! `emit` bench 200 times and prints the minimum and median time (a fresh JIT each time, as
//! the bench does: its pages come from the pool of the previous one), then 200 times into one
//! JIT (every compile maps fresh pages). On a shared, loaded machine the minimum is the
//! figure least disturbed by other processes.
//! `cargo run --release -p mochi-benches --example emit_time [ITERS]`; with `MOCHI_EMIT_FRESH_ONLY=1`
//! only the first measurement runs (for profiling the emitter alone); `MOCHI_EMIT_SOURCE=loop`
//! times the bench's loop function instead, `=small` its 400 small functions (all of them
//! per measurement).

/// The allocator of the `mochi` binary, so allocation costs are the binary's.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use mochi_benches::{
    big_function_source, big_loop_function_source, compile_with_function, small_functions_source,
};
use std::time::Instant;
use vm::jit_api::Jit;

fn main() {
    let iters: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(200);
    let fresh_only = std::env::var_os("MOCHI_EMIT_FRESH_ONLY").is_some();
    let (prog, fids) = match std::env::var("MOCHI_EMIT_SOURCE").as_deref() {
        Ok("small") => {
            let prog = compiler::compile_source(&small_functions_source(400)).expect("compile");
            let all = (0..prog.funcs.len()).collect::<Vec<_>>();
            (prog, all)
        }
        Ok("loop") => {
            let (prog, fid) = compile_with_function(&big_loop_function_source(20_000), "big");
            (prog, vec![fid])
        }
        _ => {
            let (prog, fid) = compile_with_function(&big_function_source(20_000), "big");
            (prog, vec![fid])
        }
    };
    let fid = fids[0];
    let ops = fids
        .iter()
        .map(|&f| prog.funcs[f].code.len())
        .sum::<usize>() as f64;
    let mut fresh = Vec::new();
    for _ in 0..iters {
        let mut jit = tier2_jit::CopyAndPatch::new();
        let t = Instant::now();
        for &f in &fids {
            jit.compile(&prog, f).unwrap();
        }
        fresh.push(t.elapsed().as_secs_f64());
    }
    let mut jit = tier2_jit::CopyAndPatch::with_budget(1 << 30);
    let mut same = Vec::new();
    for _ in 0..if fresh_only { 0 } else { iters } {
        let t = Instant::now();
        jit.compile(&prog, fid).unwrap();
        same.push(t.elapsed().as_secs_f64());
    }
    for (label, mut v) in [
        ("fresh JIT (pooled pages)", fresh),
        ("one JIT (new pages)", same),
    ] {
        if v.is_empty() {
            continue;
        }
        v.sort_by(|a, b| a.total_cmp(b));
        let (min, med) = (v[0], v[v.len() / 2]);
        println!(
            "{label}: {ops} ops, min {:.0} us = {:.1} M ops/s, median {:.0} us = {:.1} M ops/s",
            min * 1e6,
            ops / min / 1e6,
            med * 1e6,
            ops / med / 1e6
        );
    }
}
