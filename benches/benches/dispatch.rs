//! Interpreter dispatch: a tight integer loop run with `--jit=off` semantics (the JIT is never
//! created), reported in bytecode ops dispatched per second (loop iterations times the ops of
//! one iteration; the few ops outside the loop are ignored). Parsing and compiling the
//! 10-line program is included in the timing but is negligible next to the loop.
//! `cargo bench -p mochi-benches --bench dispatch`

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use mochi_benches::{loop_ops_per_iteration, run_source};
use std::time::Duration;
use tier1_interp::JitMode;

const ITERATIONS: u64 = 2_000_000;

fn source() -> String {
    format!(
        "fun spin(n: int): int {{\n  var acc = 0\n  var i = 0\n  while i < n {{\n    \
         acc = acc + i * 3 - 1\n    i = i + 1\n  }}\n  return acc\n}}\n\nprint(spin({ITERATIONS}))\n"
    )
}

fn dispatch(c: &mut Criterion) {
    let src = source();
    let per_iter = loop_ops_per_iteration(&src, "spin");
    let mut g = c.benchmark_group("dispatch");
    g.sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));
    g.throughput(Throughput::Elements(ITERATIONS * per_iter));
    g.bench_function(format!("interp_loop/{per_iter}_ops_per_iteration"), |b| {
        b.iter(|| run_source(&src, JitMode::Off))
    });
    g.finish();
}

criterion_group!(benches, dispatch);
criterion_main!(benches);
