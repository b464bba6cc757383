fn main() {
    let t0 = std::time::Instant::now();
    let _ = tier2_jit::emit::StencilSet::get();
    let t1 = std::time::Instant::now();
    tier2_jit::code_memory::CodeMemory::prepare(256 << 20, 64 << 10);
    let t2 = std::time::Instant::now();
    println!(
        "{:.3} {:.3}",
        (t1 - t0).as_secs_f64() * 1e3,
        (t2 - t1).as_secs_f64() * 1e3
    );
}
