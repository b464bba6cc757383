//! Conformance report: runs every program of `../shared/conformance/vm-valid/` under each
//! tier policy and prints the pass counts (see `../shared/conformance/MANIFEST.md` for the
//! comparison rule and for the programs that do not count). A mode whose pass count drops
//! below the number committed in `tests/conformance-passes.txt` fails the test, so a
//! regression cannot land; raise the committed numbers when more programs pass. Run it with
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
    let floor = committed_passes();
    let mut report = String::new();
    let mut regressions = Vec::new();
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
            let ok = o.status.success()
                && if stem == "bench_block" {
                    bench_shape_ok(&text(&o.stdout), &want)
                } else {
                    text(&o.stdout).trim() == want.trim()
                };
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
        let key = mode.join(" ");
        match floor.iter().find(|(m, _)| *m == key) {
            Some((_, min)) if pass < *min => {
                regressions.push(format!("{key}: {pass} pass, committed floor {min}"));
            }
            Some(_) => {}
            None => regressions.push(format!("{key}: no committed floor")),
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
    assert!(
        regressions.is_empty(),
        "conformance regressed:\n{}",
        regressions.join("\n")
    );
}

/// `(mode, minimum pass count)` from `tests/conformance-passes.txt` (`MODE... = N` lines).
fn committed_passes() -> Vec<(String, usize)> {
    let path = root().join("tests/conformance-passes.txt");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            let (mode, n) = l
                .rsplit_once('=')
                .unwrap_or_else(|| panic!("bad line in conformance-passes.txt: {l}"));
            let n = n.trim().parse().expect("a pass count");
            (mode.trim().to_string(), n)
        })
        .collect()
}

/// `bench_block` prints timing: compare its shape, not its numbers. The output must be a JSON
/// object with the same keys as the expected one (`duration_us`, `memory_bytes`, `name`),
/// non-negative integer figures and the same `name`, laid out as `json(v)` lays it out.
fn bench_shape_ok(got: &str, want: &str) -> bool {
    let (Ok(g), Ok(w)) = (
        serde_json::from_str::<serde_json::Value>(got.trim()),
        serde_json::from_str::<serde_json::Value>(want.trim()),
    ) else {
        return false;
    };
    let (Some(g), Some(w)) = (g.as_object(), w.as_object()) else {
        return false;
    };
    let same_keys = g.keys().eq(w.keys());
    let figures = ["duration_us", "memory_bytes"]
        .iter()
        .all(|k| g.get(*k).is_some_and(|v| v.as_u64().is_some()));
    let lines = got.trim().lines().count() == want.trim().lines().count();
    same_keys && figures && lines && g.get("name") == w.get("name")
}
