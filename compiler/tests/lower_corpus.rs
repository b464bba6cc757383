//! The new pipeline (parse -> check -> lower -> interpreter) over the conformance corpus:
//! prints how many programs print their expected output (interpreter, and tier 2 in `always`
//! and `auto` modes), lists the others with the first difference or error, and fails on any
//! failure other than a "not supported" compile error (foreign imports).
//! Needs `../shared/conformance`; skipped when it is absent.

use std::path::Path;
use tier1_interp::{JitMode, Options, RunStats};
use vm::runtime::{CapturedOutput, Runtime};

fn run(src: &str, dir: &Path, stress: bool, mode: JitMode) -> Result<String, String> {
    let mut prog = compiler::compile_source(src).map_err(|e| format!("compile: {}", e.message))?;
    let sink = CapturedOutput::default();
    let mut rt = Runtime::new(prog.heap.take().unwrap(), Box::new(sink.clone()));
    // `load`/`save` paths are relative to the program's directory.
    rt.base_dir = dir.to_path_buf();
    rt.heap.set_stress(stress);
    let opts = Options {
        mode,
        threshold: 1,
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
    let dir = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/conformance/vm-valid"
    ));
    if !dir.exists() {
        return;
    }
    let mut names: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "mochi"))
        .collect();
    // The benchmark programs too (`../shared/bench/NAME/NAME.mochi`, `expected.out`).
    if let Ok(rd) = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/bench")) {
        for e in rd.flatten() {
            let d = e.path();
            let name = d.file_name().unwrap().to_string_lossy().to_string();
            let p = d.join(format!("{name}.mochi"));
            if p.exists() {
                names.push(p);
            }
        }
    }
    names.sort();
    let (mut pass, mut total) = (0, 0);
    let mut fails = Vec::new();
    // The front end recurses: run on a big stack.
    let child = std::thread::Builder::new()
        .stack_size(256 << 20)
        .spawn(move || {
            for p in &names {
                let want =
                    if p.starts_with(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/bench")) {
                        p.with_file_name("expected.out")
                    } else {
                        p.with_extension("out")
                    };
                let Ok(want) = std::fs::read_to_string(&want) else {
                    continue;
                };
                total += 1;
                let src = std::fs::read_to_string(p).unwrap();
                let stress = std::env::var_os("MOCHI_GC_STRESS").is_some();
                let name = p.file_stem().unwrap().to_string_lossy().to_string();
                let dir = p.parent().unwrap();
                let r = run(&src, dir, stress, JitMode::Off);
                // Tier 2 (every function compiled up front, helper ops side-exiting) must
                // print the same.
                if let Ok(a) = &r {
                    for mode in [JitMode::Always, JitMode::Auto] {
                        match run(&src, dir, stress, mode) {
                            Ok(b) if &b == a || name == "bench_block" => {}
                            Ok(_) => fails.push(format!(
                                "{name}: {mode:?} output differs from the interpreter's"
                            )),
                            Err(e) => fails.push(format!("{name}: {mode:?}: {e}")),
                        }
                    }
                }
                match r {
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
    eprintln!("new pipeline: {pass} of {total} conformance and benchmark programs print their expected output");
    for f in &fails {
        eprintln!("  {f}");
    }
    // Every program passes, in every tier policy, except the foreign imports (they fail at
    // compile time with "not supported") and bench_block (it prints a timing).
    let unexpected: Vec<&String> = fails
        .iter()
        .filter(|f| !f.contains("not supported") && !f.starts_with("bench_block:"))
        .collect();
    assert!(
        unexpected.is_empty(),
        "unexpected failures: {unexpected:#?}"
    );
}
