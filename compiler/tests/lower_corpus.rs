//! The new pipeline (parse -> check -> lower -> interpreter) over the conformance corpus:
//! prints how many programs print their expected output, and lists the others with the first
//! difference or error. A report, not a threshold (the driver still runs the old front end).
//! Needs `../shared/conformance`; skipped when it is absent.

use std::path::Path;
use tier1_interp::{JitMode, Options, RunStats};
use vm::runtime::{CapturedOutput, Runtime};

fn run(src: &str, stress: bool) -> Result<String, String> {
    let mut prog = compiler::compile_source(src).map_err(|e| format!("compile: {}", e.message))?;
    let sink = CapturedOutput::default();
    let mut rt = Runtime::new(prog.heap.take().unwrap(), Box::new(sink.clone()));
    rt.heap.set_stress(stress);
    let opts = Options {
        mode: JitMode::Off,
        ..Options::default()
    };
    let r = tier1_interp::run(&prog, &mut rt, None, opts, &mut RunStats::default());
    rt.flush();
    match r {
        Ok(()) => Ok(sink.contents()),
        Err(e) => Err(format!(
            "runtime {}:{}: {} (after {} bytes of output)",
            e.pos.line,
            e.pos.col,
            e.message,
            sink.contents().len()
        )),
    }
}

#[test]
fn corpus_report() {
    let dir = Path::new("/work/shared/conformance/vm-valid");
    if !dir.exists() {
        return;
    }
    let mut names: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "mochi"))
        .collect();
    names.sort();
    let (mut pass, mut total) = (0, 0);
    let mut fails = Vec::new();
    // The front end recurses: run on a big stack.
    let child = std::thread::Builder::new()
        .stack_size(256 << 20)
        .spawn(move || {
            for p in &names {
                let want = p.with_extension("out");
                let Ok(want) = std::fs::read_to_string(&want) else {
                    continue;
                };
                total += 1;
                let src = std::fs::read_to_string(p).unwrap();
                let stress = std::env::var_os("MOCHI_GC_STRESS").is_some();
                let name = p.file_stem().unwrap().to_string_lossy().to_string();
                match run(&src, stress) {
                    Ok(got) if got.trim_end() == want.trim_end() => pass += 1,
                    Ok(got) => {
                        let line = got
                            .lines()
                            .zip(want.lines())
                            .position(|(a, b)| a != b)
                            .unwrap_or(got.lines().count().min(want.lines().count()));
                        fails.push(format!(
                            "{name}: output differs at line {}: got {:?}, want {:?}",
                            line + 1,
                            got.lines().nth(line).unwrap_or(""),
                            want.lines().nth(line).unwrap_or("")
                        ))
                    }
                    Err(e) => fails.push(format!("{name}: {e}")),
                }
            }
            (pass, total, fails)
        })
        .unwrap();
    let (pass, total, fails) = child.join().unwrap();
    eprintln!("new pipeline: {pass} of {total} conformance programs print their .out");
    for f in &fails {
        eprintln!("  {f}");
    }
}
