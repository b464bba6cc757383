//! Lowering tests: Mochi source -> parse -> check -> lower -> run in the interpreter, output
//! compared; plus checks of the code shape (fused branches, loop ops, frame layout).

use crate::compile_source;
use tier1_interp::{JitMode, Options, RunStats};
use vm::ops::Op;
use vm::runtime::{CapturedOutput, Runtime};

/// Compile and run `src` with the interpreter; stdout, or `Err(message)` for a compile or
/// runtime error (stdout before a runtime error is appended to the message).
fn run(src: &str) -> Result<String, String> {
    let mut prog = compile_source(src).map_err(|e| format!("compile: {}", e.message))?;
    let sink = CapturedOutput::default();
    let mut rt = Runtime::new(prog.heap.take().unwrap(), Box::new(sink.clone()));
    let opts = Options {
        mode: JitMode::Off,
        ..Options::default()
    };
    let r = tier1_interp::run(&prog, &mut rt, None, opts, &mut RunStats::default());
    rt.flush();
    match r {
        Ok(()) => Ok(sink.contents()),
        Err(e) => Err(format!(
            "{}:{}: {}\n{}",
            e.pos.line,
            e.pos.col,
            e.message,
            sink.contents()
        )),
    }
}

fn out(src: &str) -> String {
    match run(src) {
        Ok(s) => s,
        Err(e) => panic!("program failed: {e}\n--- source ---\n{src}"),
    }
}

#[test]
fn hello_and_arithmetic() {
    assert_eq!(out("print(\"hello\")\nprint(1 + 2 * 3, 7 / 2, -7 % 3)"), "hello\n7 3 -1\n");
    assert_eq!(out("let x = 1.5\nprint(x * 2.0, x + 1)"), "3 2.5\n");
}
