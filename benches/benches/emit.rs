//! Emit throughput of the copy-and-patch JIT, in bytecode ops per second:
//! - `big_function`: one large generated function (~20 000 bytecode ops mixing arithmetic,
//!   branches and list helper ops; no loop, so no register caching);
//! - `loop_function`: one large function made of loops (~20 000 ops: register variants,
//!   entry stubs);
//! - `small_functions`: 400 small functions compiled one after another (the per-function
//!   overhead; reported per op too).
//!
//! Each iteration uses a fresh JIT (made outside the timing, dropped outside it) so code
//! memory never runs out; the source is compiled to bytecode once, outside the timing.
//! `cargo bench -p mochi-benches --bench emit`

/// The allocator of the `mochi` binary, so allocation costs are the binary's.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use mochi_benches::{
    big_function_source, big_loop_function_source, compile_with_function, small_functions_source,
};
use std::time::Duration;
use vm::jit_api::Jit;

const OPS: usize = 20_000;
const SMALL: usize = 400;

fn emit(c: &mut Criterion) {
    let mut g = c.benchmark_group("emit");
    g.sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));
    for (label, src) in [
        ("big_function", big_function_source(OPS)),
        ("loop_function", big_loop_function_source(OPS)),
    ] {
        let (prog, fid) = compile_with_function(&src, "big");
        let ops = prog.funcs[fid].code.len() as u64;
        g.throughput(Throughput::Elements(ops));
        g.bench_function(format!("{label}/{ops}_ops"), |b| {
            b.iter_batched(
                tier2_jit::CopyAndPatch::new,
                |mut jit| {
                    jit.compile(&prog, fid).expect("jit compile");
                    jit // dropped (code unmapped) outside the timing
                },
                BatchSize::PerIteration,
            )
        });
    }
    let prog = compiler::compile_source(&small_functions_source(SMALL)).expect("compile");
    let ops: u64 = prog.funcs.iter().map(|f| f.code.len() as u64).sum();
    g.throughput(Throughput::Elements(ops));
    g.bench_function(
        format!("small_functions/{}_functions_{ops}_ops", prog.funcs.len()),
        |b| {
            b.iter_batched(
                tier2_jit::CopyAndPatch::new,
                |mut jit| {
                    for f in 0..prog.funcs.len() {
                        jit.compile(&prog, f).expect("jit compile");
                    }
                    jit
                },
                BatchSize::PerIteration,
            )
        },
    );
    g.finish();
}

criterion_group!(benches, emit);
criterion_main!(benches);
