//! Interpreter vs copy-and-patch on small kernels, and the cost of emitting native code.
//! `cargo bench -p mochi-benches`

use criterion::{criterion_group, criterion_main, Criterion};
use mochi_benches::{jit_compile_all, run_source};
use tier1_interp::JitMode;

const FIB: &str = include_str!("../../programs/bench/fib_rec.mochi");
const LOOP: &str = include_str!("../../programs/bench/arith_loop.mochi");

fn tiers(c: &mut Criterion) {
    let mut g = c.benchmark_group("tiers");
    g.sample_size(10);
    for (name, src) in [("fib_rec", FIB), ("arith_loop", LOOP)] {
        g.bench_function(format!("{name}/off"), |b| {
            b.iter(|| run_source(src, JitMode::Off))
        });
        g.bench_function(format!("{name}/always"), |b| {
            b.iter(|| run_source(src, JitMode::Always))
        });
        g.bench_function(format!("{name}/auto"), |b| {
            b.iter(|| run_source(src, JitMode::Auto))
        });
    }
    g.finish();
}

fn emit(c: &mut Criterion) {
    c.bench_function("jit/compile_fib_and_loop", |b| {
        b.iter(|| jit_compile_all(FIB) + jit_compile_all(LOOP))
    });
}

criterion_group!(benches, tiers, emit);
criterion_main!(benches);
