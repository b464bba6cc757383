//! Every program of `programs/bench/*.mochi` under each tier policy: `off` (interpreter only),
//! `auto` (promotion at the default threshold) and `always` (compile every function at its
//! first call). Whole runs: parse, compile, execute with output discarded. Small sample sizes
//! keep the whole group to a couple of minutes.
//! `cargo bench -p mochi-benches --bench programs [-- fib_rec]`

use criterion::{criterion_group, criterion_main, Criterion};
use mochi_benches::run_source;
use std::time::Duration;
use tier1_interp::JitMode;

fn programs(c: &mut Criterion) {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../programs/bench");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .expect("programs/bench")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "mochi"))
        .collect();
    files.sort();
    let mut g = c.benchmark_group("programs");
    g.sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    for path in files {
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        let src = std::fs::read_to_string(&path).expect("read program");
        for (mode, jm) in [
            ("off", JitMode::Off),
            ("auto", JitMode::Auto),
            ("always", JitMode::Always),
        ] {
            g.bench_function(format!("{name}/{mode}"), |b| {
                b.iter(|| run_source(&src, jm))
            });
        }
    }
    g.finish();
}

criterion_group!(benches, programs);
criterion_main!(benches);
