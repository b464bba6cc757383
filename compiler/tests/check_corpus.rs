//! The checker over the real programs: every conformance program and benchmark that does not
//! use foreign imports must check; the skipped ones must fail with the expected "not
//! supported" error; a program of `programs/` with a check error in its `.err` file must fail
//! with exactly that error.

use std::path::Path;

use compiler::check::check_with_source;
use compiler::syntax::parse;
use vm::error::Phase;

/// Programs that use foreign imports, with the reason.
const SKIPPED: &[(&str, &str)] = &[
    ("go_auto", "foreign function imports"),
    ("mix_go_python", "foreign function imports (Go strings)"),
];

fn programs() -> Vec<std::path::PathBuf> {
    let mut v = Vec::new();
    let programs = concat!(env!("CARGO_MANIFEST_DIR"), "/../programs");
    let programs_bench = concat!(env!("CARGO_MANIFEST_DIR"), "/../programs/bench");
    for dir in [
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../shared/conformance/vm-valid"
        ),
        programs,
        programs_bench,
    ] {
        let Ok(rd) = std::fs::read_dir(dir) else {
            continue;
        };
        for e in rd {
            let p = e.unwrap().path();
            if p.extension().is_some_and(|x| x == "mochi") {
                v.push(p);
            }
        }
    }
    for e in std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/bench"))
        .expect("bench dir")
    {
        let d = e.unwrap().path();
        if d.is_dir() {
            for f in std::fs::read_dir(&d).unwrap() {
                let p = f.unwrap().path();
                if p.extension().is_some_and(|x| x == "mochi") {
                    v.push(p);
                }
            }
        }
    }
    v.sort();
    v
}

fn stem(p: &Path) -> String {
    p.file_stem().unwrap().to_string_lossy().into_owned()
}

#[test]
fn corpus_checks() {
    let child = std::thread::Builder::new()
        .stack_size(256 << 20)
        .spawn(|| {
            let mut failures = Vec::new();
            let mut ok = 0;
            for p in programs() {
                let src = std::fs::read_to_string(&p).unwrap();
                let prog = match parse(&src) {
                    Ok(x) => x,
                    Err(e) => {
                        failures.push(format!("{}: parse: {e}", p.display()));
                        continue;
                    }
                };
                let r = check_with_source(&prog, &src);
                let skip = SKIPPED.iter().find(|(n, _)| *n == stem(&p));
                match (r, skip) {
                    (Ok(_), None) => ok += 1,
                    // A program of `programs/` may expect its check error (`NAME.err`).
                    (Err(e), None)
                        if std::fs::read_to_string(p.with_extension("err"))
                            .is_ok_and(|want| want.trim() == e.to_string()) =>
                    {
                        ok += 1
                    }
                    (Err(e), None) => failures.push(format!("{}: {e}", p.display())),
                    (Ok(_), Some(_)) => {
                        failures.push(format!("{}: skipped but checks", p.display()))
                    }
                    (Err(e), Some((_, why))) => {
                        if e.phase != Phase::Unsupported {
                            failures.push(format!(
                                "{}: expected unsupported ({why}), got {e}",
                                p.display()
                            ));
                        }
                    }
                }
            }
            eprintln!("{ok} programs check");
            assert!(failures.is_empty(), "{}", failures.join("\n"));
        })
        .unwrap();
    child.join().unwrap();
}
