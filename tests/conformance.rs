//! Conformance report: runs every program of `../shared/conformance/vm-valid/` under each
//! tier policy and prints the pass counts (see `../shared/conformance/MANIFEST.md` for the
//! comparison rule and for the programs that do not count). No threshold yet: the report only
//! has to be honest. Run it with
//! `cargo test --release --test conformance -- --nocapture`.

mod common;
use common::*;

/// Programs that do not count (MANIFEST.md), reported separately.
const NOT_COUNTED: &[&str] = &[
    "go_auto",
    "mix_go_python",
    "python_auto",
    "python_math",
    "bench_block",
];

#[test]
fn conformance_report() {
    let dir = root().join("../shared/conformance/vm-valid");
    let files = mochi_files(&dir);
    if files.is_empty() {
        eprintln!("conformance: {} not found; skipped", dir.display());
        return;
    }
    let mut report = String::new();
    for mode in MODES {
        let (mut pass, mut total) = (0, 0);
        let mut failed = Vec::new();
        let mut other = Vec::new();
        for f in &files {
            let stem = f.file_stem().unwrap().to_string_lossy().into_owned();
            let Ok(want) = std::fs::read_to_string(f.with_extension("out")) else {
                continue;
            };
            let o = run(mode, f);
            let ok = o.status.success() && text(&o.stdout).trim() == want.trim();
            let err = text(&o.stderr);
            assert!(!err.contains("panicked"), "{stem} {mode:?} panicked: {err}");
            if NOT_COUNTED.contains(&stem.as_str()) {
                other.push(format!("{stem}={}", if ok { "pass" } else { "fail" }));
                continue;
            }
            total += 1;
            if ok {
                pass += 1;
            } else {
                failed.push(stem);
            }
        }
        report.push_str(&format!(
            "conformance {:<32} {pass}/{total} pass; not counted: {}\n  failing: {}\n",
            mode.join(" "),
            other.join(" "),
            failed.join(" ")
        ));
    }
    eprint!("{report}");
    let _ = std::fs::write(root().join("target/conformance-report.txt"), &report);
}
