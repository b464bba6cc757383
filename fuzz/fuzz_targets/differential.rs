//! `cargo +nightly fuzz run differential`: a seed -> a generated program -> the tiers agree
//! (see `src/targets.rs`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| mochi_fuzz::differential(data));
