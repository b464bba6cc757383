//! Emit throughput without criterion's statistics: compiles the 20 000-op function of the
//! `emit` bench 200 times and prints the minimum and median time (a fresh JIT each time, as
//! the bench does: its pages come from the pool of the previous one), then 200 times into one
//! JIT (every compile maps fresh pages). On a shared, loaded machine the minimum is the
//! figure least disturbed by other processes.
//! `cargo run --release -p mochi-benches --example emit_time`

/// The allocator of the `mochi` binary, so allocation costs are the binary's.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use mochi_benches::{big_function_source, compile_with_function};
use std::time::Instant;
use vm::jit_api::Jit;

const ITERS: usize = 200;

fn main() {
    let src = big_function_source(20_000);
    let (prog, fid) = compile_with_function(&src, "big");
    let ops = prog.funcs[fid].code.len() as f64;
    let mut fresh = Vec::new();
    for _ in 0..ITERS {
        let mut jit = tier2_jit::CopyAndPatch::new();
        let t = Instant::now();
        jit.compile(&prog, fid).unwrap();
        fresh.push(t.elapsed().as_secs_f64());
    }
    let mut jit = tier2_jit::CopyAndPatch::with_budget(1 << 30);
    let mut same = Vec::new();
    for _ in 0..ITERS {
        let t = Instant::now();
        jit.compile(&prog, fid).unwrap();
        same.push(t.elapsed().as_secs_f64());
    }
    for (label, mut v) in [
        ("fresh JIT (pooled pages)", fresh),
        ("one JIT (new pages)", same),
    ] {
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
