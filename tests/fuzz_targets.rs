//! The fuzz targets of `fuzz/` (libFuzzer, nightly) on stable: the same target functions
//! (`fuzz/src/targets.rs`, included by path) over their corpus, the project's programs (whole
//! and cut short at a few points) and a few dozen generator seeds.

#[path = "../fuzz/src/targets.rs"]
mod targets;

use std::path::Path;

fn files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut v: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .collect();
    v.sort();
    v
}

#[test]
fn front_end_target_over_the_corpus() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut inputs = files(&root.join("fuzz/corpus/front_end"));
    inputs.extend(
        files(&root.join("programs"))
            .into_iter()
            .filter(|p| p.extension().is_some_and(|x| x == "mochi")),
    );
    assert!(inputs.len() > 5);
    for p in &inputs {
        let bytes = std::fs::read(p).unwrap();
        targets::front_end(&bytes);
        for cut in [1, 3, 7] {
            targets::front_end(&bytes[..bytes.len() * cut / 8]);
        }
    }
    targets::front_end(b"\xff\xfe not utf-8");
}

#[test]
fn differential_target_over_the_corpus_and_seeds() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for p in files(&root.join("fuzz/corpus/differential")) {
        targets::differential(&std::fs::read(p).unwrap());
    }
    for seed in 0u64..24 {
        targets::differential(&(seed * 7919 + 5).to_le_bytes());
    }
}
