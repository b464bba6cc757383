//! What a JIT-enabled process spends before its first compile can start, in a fresh process:
//! `StencilSet::get` (the prepared stencil tables plus this process's helper addresses) and
//! `CodeMemory::prepare` (what the driver's warm-up does). Prints both in milliseconds.
//! `cargo run --release -p mochi-benches --example load_time`

fn main() {
    let t0 = std::time::Instant::now();
    let _ = tier2_jit::emit::StencilSet::get();
    let t1 = std::time::Instant::now();
    tier2_jit::code_memory::CodeMemory::prepare(tier2_jit::DEFAULT_BUDGET, 64 << 10);
    let t2 = std::time::Instant::now();
    println!(
        "stencil set {:.3} ms, code memory {:.3} ms",
        (t1 - t0).as_secs_f64() * 1e3,
        (t2 - t1).as_secs_f64() * 1e3
    );
}
