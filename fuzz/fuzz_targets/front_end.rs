//! `cargo +nightly fuzz run front_end`: any bytes through the front end (see `src/targets.rs`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| mochi_fuzz::front_end(data));
