//! Shared helpers for the end-to-end tests: run the `mochi` binary and capture its output.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The three tier policies every program must agree under.
pub const MODES: &[&[&str]] = &[
    &["--jit=off"],
    &["--jit=always"],
    &["--jit=auto", "--jit-threshold=1"],
];

pub fn mochi() -> Command {
    Command::new(env!("CARGO_BIN_EXE_mochi"))
}

pub fn run(args: &[&str], file: &Path) -> Output {
    run_env(args, file, &[])
}

/// [`run`] with extra environment variables (e.g. `MOCHI_GC_STRESS=1`).
pub fn run_env(args: &[&str], file: &Path, env: &[(&str, &str)]) -> Output {
    let mut c = mochi();
    c.arg("run").args(args).arg(file).env("MOCHI_NOW_SEED", "1");
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().expect("spawn mochi")
}

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `*.mochi` files of a directory, sorted.
pub fn mochi_files(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "mochi"))
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

pub fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}
