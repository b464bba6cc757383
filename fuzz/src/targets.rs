//! The fuzz targets' bodies, shared by the libFuzzer binaries (`fuzz_targets/*.rs`, nightly
//! `cargo fuzz`) and by the stable smoke test of the workspace (`tests/fuzz_targets.rs`,
//! which includes this file by path and feeds it the corpus), so both run the same code.
//!
//! - [`front_end`]: any bytes; valid UTF-8 goes through `compiler::compile_source` (lexer,
//!   parser, checker, lowering, verifier). It must return a program or an error with a
//!   position inside the source; a panic is a bug.
//! - [`differential`]: the first 8 bytes are a seed for the random program generator of the
//!   differential test (`tests/gen`); the program runs in-process in the interpreter and with
//!   every function compiled up front (`--jit=always`) and with `--jit=auto --jit-threshold=1`;
//!   output and the error (message and position) must agree.

use tier1_interp::{JitMode, Options, RunStats};
use vm::runtime::{CapturedOutput, Runtime};

#[allow(dead_code, clippy::all)]
#[path = "../../tests/gen/mod.rs"]
mod gen;

/// Run `f` on a thread with a stack as large as the driver's parser and VM threads use
/// (the checker recurses over the AST; native code nests a machine frame per Mochi call).
fn on_big_stack<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    std::thread::scope(|s| {
        std::thread::Builder::new()
            .stack_size(256 << 20)
            .spawn_scoped(s, f)
            .expect("spawn a fuzz thread")
            .join()
            .unwrap_or_else(|p| std::panic::resume_unwind(p))
    })
}

/// Front end: never a panic; an error's position lies inside the source.
pub fn front_end(data: &[u8]) {
    let Ok(src) = std::str::from_utf8(data) else {
        return;
    };
    on_big_stack(|| {
        if let Err(e) = compiler::compile_source(src) {
            let lines = src.split('\n').count() as u32;
            assert!(
                e.pos.line >= 1 && e.pos.line <= lines.max(1) + 1,
                "error position {}:{} outside the source ({lines} lines): {}",
                e.pos.line,
                e.pos.col,
                e.message
            );
        }
    })
}

/// Call depth limit of the differential runs (small: the fuzz thread's stack is 256 MiB).
const MAX_DEPTH: u64 = 2_000;

/// Output and outcome of one in-process run.
fn run(src: &str, mode: JitMode) -> (String, Result<(), String>) {
    let mut prog = match compiler::compile_source(src) {
        Ok(p) => p,
        Err(e) => return (String::new(), Err(format!("compile error: {}", e.message))),
    };
    let sink = CapturedOutput::default();
    let mut rt = Runtime::new(prog.heap.take().expect("a heap"), Box::new(sink.clone()));
    let opts = Options {
        mode,
        threshold: 1,
        max_depth: MAX_DEPTH,
        ..Options::default()
    };
    let mut jit =
        (mode != JitMode::Off && tier2_jit::available()).then(tier2_jit::CopyAndPatch::new);
    let r = tier1_interp::run(
        &prog,
        &mut rt,
        jit.as_mut().map(|j| j as &mut dyn vm::jit_api::Jit),
        opts,
        &mut RunStats::default(),
    );
    rt.flush();
    let r = r.map_err(|e| format!("{}:{}: {}", e.pos.line, e.pos.col, e.message));
    (sink.contents(), r)
}

/// Differential: the tiers agree on the generated program of the seed in `data`.
pub fn differential(data: &[u8]) {
    let mut b = [0u8; 8];
    let n = data.len().min(8);
    b[..n].copy_from_slice(&data[..n]);
    let seed = u64::from_le_bytes(b);
    let src = gen::program(seed);
    on_big_stack(|| {
        let base = run(&src, JitMode::Off);
        assert!(
            !matches!(&base.1, Err(m) if m.starts_with("compile error")),
            "seed {seed}: the generated program does not compile: {:?}\n{src}",
            base.1
        );
        for mode in [JitMode::Always, JitMode::Auto] {
            let other = run(&src, mode);
            assert!(
                other == base,
                "seed {seed}: {mode:?} disagrees with the interpreter\n\
                 interpreter: {:?}\n{mode:?}: {:?}\n---- program:\n{src}",
                base,
                other
            );
        }
    })
}
