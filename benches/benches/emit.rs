//! Emit throughput of the copy-and-patch JIT: compiling one large generated function
//! (~20 000 bytecode ops mixing arithmetic, branches and list helper ops), reported in
//! bytecode ops per second. Each iteration uses a fresh JIT (made outside the timing) so
//! code memory never runs out; the source is compiled to bytecode once, outside the timing.
//! `cargo bench -p mochi-benches --bench emit`

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use mochi_benches::{big_function_source, compile_with_function};
use std::time::Duration;
use vm::jit_api::Jit;

const OPS: usize = 20_000;

fn emit(c: &mut Criterion) {
    let src = big_function_source(OPS);
    let (prog, fid) = compile_with_function(&src, "big");
    let ops = prog.funcs[fid].code.len() as u64;
    let mut g = c.benchmark_group("emit");
    g.sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));
    g.throughput(Throughput::Elements(ops));
    g.bench_function(format!("big_function/{ops}_ops"), |b| {
        b.iter_batched(
            tier2_jit::CopyAndPatch::new,
            |mut jit| {
                jit.compile(&prog, fid).expect("jit compile");
                jit // dropped (code unmapped) outside the timing
            },
            BatchSize::PerIteration,
        )
    });
    g.finish();
}

criterion_group!(benches, emit);
criterion_main!(benches);
