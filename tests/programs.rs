//! Every program in `programs/` prints its `.out` under `--jit=off`, `--jit=always` and
//! `--jit=auto --jit-threshold=1`. A program with a `.err` file must fail with exit status 1
//! and a first stderr line `FILE:` + the `.err` text (`LINE:COL: error: MESSAGE`; `$FILE` in it stands for the program's path), after
//! printing its `.out`. The same holds in the GC stress mode (`MOCHI_GC_STRESS=1`: a
//! collection at every allocating op), in every tier policy.

mod common;
use common::*;

#[test]
fn programs_agree_in_every_tier() {
    check_programs(&[]);
}

#[test]
fn programs_agree_in_every_tier_under_gc_stress() {
    check_programs(&[("MOCHI_GC_STRESS", "1")]);
}

fn check_programs(env: &[(&str, &str)]) {
    let dir = root().join("programs");
    let mut files = mochi_files(&dir);
    files.extend(mochi_files(&dir.join("bench")));
    assert!(
        files.len() >= 100,
        "expected at least 100 programs, found {}",
        files.len()
    );
    let mut failures = Vec::new();
    for f in &files {
        let want_out = std::fs::read_to_string(f.with_extension("out"))
            .unwrap_or_else(|_| panic!("{} has no .out file", f.display()));
        let want_err = std::fs::read_to_string(f.with_extension("err")).ok();
        for mode in MODES {
            let o = run_env(mode, f, env);
            let out = text(&o.stdout);
            let err = text(&o.stderr);
            let name = format!(
                "{} {}{}",
                f.file_name().unwrap().to_string_lossy(),
                mode.join(" "),
                if env.is_empty() { "" } else { " (GC stress)" }
            );
            if out != want_out {
                failures.push(format!(
                    "{name}: stdout differs\n--- want\n{want_out}--- got\n{out}--- stderr\n{err}"
                ));
                continue;
            }
            match &want_err {
                None => {
                    if !o.status.success() {
                        failures.push(format!(
                            "{name}: exit {:?}, stderr:\n{err}",
                            o.status.code()
                        ));
                    }
                }
                Some(e) => {
                    let first = err.lines().next().unwrap_or("");
                    // `$FILE` in a .err stands for the program's path as the test runs it
                    // (a failing expect quotes it: `expect condition failed at FILE:LINE`).
                    let path = f.display().to_string();
                    let want = format!("{path}:{}", e.trim().replace("$FILE", &path));
                    if o.status.code() != Some(1) || first != want {
                        failures.push(format!(
                            "{name}: want exit 1 and `{want}`, got exit {:?} and `{first}`",
                            o.status.code()
                        ));
                    }
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
