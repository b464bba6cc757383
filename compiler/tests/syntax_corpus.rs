//! Every program of the conformance corpus, the benchmarks and `programs/` parses.

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// `*.mochi` files directly in `dir` (sorted), or in its subdirectories when `nested`.
fn mochi_files(dir: &Path, nested: bool) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if nested && path.is_dir() {
            out.extend(mochi_files(&path, false));
        } else if path.extension().is_some_and(|e| e == "mochi") {
            out.push(path);
        }
    }
    out.sort();
    out
}

/// Parse every file; return how many there were. Panics listing every failure.
fn parse_all(files: &[PathBuf]) -> usize {
    let mut failures = Vec::new();
    for path in files {
        let src = std::fs::read_to_string(path).expect("read source");
        if let Err(e) = compiler::syntax::parse(&src) {
            failures.push(format!("{}:{}", path.display(), e));
        }
    }
    assert!(
        failures.is_empty(),
        "parse failures:\n{}",
        failures.join("\n")
    );
    files.len()
}

#[test]
fn conformance_programs_parse() {
    let dir = root().join("../shared/conformance/vm-valid");
    if !dir.is_dir() {
        eprintln!("skipped: {} not found", dir.display());
        return;
    }
    let n = parse_all(&mochi_files(&dir, false));
    assert_eq!(n, 105, "expected the 105 conformance programs");
}

#[test]
fn bench_programs_parse() {
    let dir = root().join("../shared/bench");
    if !dir.is_dir() {
        eprintln!("skipped: {} not found", dir.display());
        return;
    }
    let n = parse_all(&mochi_files(&dir, true));
    assert_eq!(n, 17, "expected the 17 benchmark programs");
}

#[test]
fn repo_programs_parse() {
    let files: Vec<PathBuf> = mochi_files(&root().join("programs"), true);
    // Programs that are expected to fail to parse carry a `.err` file naming a parse error.
    let files: Vec<PathBuf> = files
        .into_iter()
        .filter(|p| !expected_parse_error(p))
        .collect();
    assert!(parse_all(&files) > 0);
}

fn expected_parse_error(path: &Path) -> bool {
    std::fs::read_to_string(path.with_extension("err")).is_ok_and(|e| e.contains("parse"))
}
