//! The command line beyond `mochi run FILE`: `mochi test FILE...` (one line per test, a
//! summary, exit status), `mochi run -e CODE`, and datasets that cannot be loaded (malformed,
//! mistyped, missing) reported as `FILE:LINE:COL: error: cannot load PATH: REASON` at the
//! `load`, in every tier.

mod common;
use common::*;
use std::path::PathBuf;

/// A fresh directory of this test process for the files a test writes.
fn temp_dir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("mochi-cli-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn mochi_test(args: &[&str]) -> std::process::Output {
    mochi()
        .arg("test")
        .args(args)
        .env("MOCHI_NOW_SEED", "1")
        .output()
        .expect("spawn mochi")
}

const TESTS: &str = r#"let base = 10
var xs: list<int> = []
for i in 0..3 { xs = append(xs, i) }
print("top level")
fun double(x: int): int { return x * 2 }
test "passes" {
  expect double(base) == 20
  expect len(xs) == 3
}
test "fails" {
  let y = 3
  expect y == 4
  print("not reached")
}
test "runtime error" {
  let z = 0
  print(base / z)
}
test "after the failures" {
  print("still running")
}
bench "skipped by mochi test" {
  print("bench body")
}
"#;

#[test]
fn mochi_test_reports_each_test_and_fails_only_the_failing_ones() {
    let dir = temp_dir("tests");
    let p = dir.join("suite.mochi");
    std::fs::write(&p, TESTS).unwrap();
    let f = p.display().to_string();
    for mode in MODES {
        let mut args: Vec<&str> = mode.to_vec();
        args.push(&f);
        let o = mochi_test(&args);
        let want = format!(
            "top level\n\
             ok passes\n\
             FAIL fails: expect condition failed at {f}:12: expect y == 4\n\
             FAIL runtime error: {f}:17:14: division by zero\n\
             still running\n\
             ok after the failures\n\
             2 passed, 2 failed\n"
        );
        assert_eq!(
            text(&o.stdout),
            want,
            "{mode:?}: stderr {}",
            text(&o.stderr)
        );
        assert_eq!(o.status.code(), Some(1), "{mode:?}");
        assert!(!text(&o.stderr).contains("panicked"));
    }
}

#[test]
fn mochi_test_exits_0_when_every_test_passes_and_runs_several_files() {
    let dir = temp_dir("pass");
    let a = dir.join("a.mochi");
    let b = dir.join("b.mochi");
    std::fs::write(&a, "test \"one\" { expect 1 + 1 == 2 }\n").unwrap();
    std::fs::write(
        &b,
        "type P { n: int }\nvar ps = [P { n: 1 }]\nupdate ps set { n: n + 1 }\n\
         test \"two\" { expect ps[0].n == 2 }\ntest \"three\" { expect ([1] union [1]) == [1] }\n",
    )
    .unwrap();
    let o = mochi_test(&[&a.display().to_string(), &b.display().to_string()]);
    assert_eq!(
        text(&o.stdout),
        "ok one\nok two\nok three\n3 passed, 0 failed\n"
    );
    assert_eq!(o.status.code(), Some(0), "stderr {}", text(&o.stderr));
    // The same file under `mochi run` runs its tests inline and prints nothing.
    let o = run(&[], &b);
    assert_eq!(text(&o.stdout), "");
    assert_eq!(o.status.code(), Some(0));
}

#[test]
fn mochi_test_reports_a_file_that_does_not_compile() {
    let dir = temp_dir("broken");
    let bad = dir.join("bad.mochi");
    let good = dir.join("good.mochi");
    std::fs::write(&bad, "test \"x\" { expect nope == 1 }\n").unwrap();
    std::fs::write(&good, "test \"fine\" { expect true }\n").unwrap();
    let o = mochi_test(&[&bad.display().to_string(), &good.display().to_string()]);
    assert_eq!(
        text(&o.stdout),
        "ok fine\n1 passed, 0 failed, 1 file could not run\n"
    );
    let err = text(&o.stderr);
    assert!(
        err.starts_with(&format!("{}:1:19: error: ", bad.display())),
        "{err}"
    );
    assert_eq!(o.status.code(), Some(1));
    // A missing file, and no file at all.
    let o = mochi_test(&[&dir.join("missing.mochi").display().to_string()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o.stderr).contains("cannot read file"));
    let o = mochi_test(&[]);
    assert_eq!(o.status.code(), Some(2), "clap usage error");
}

#[test]
fn run_e_runs_code_from_the_command_line() {
    for mode in MODES {
        let o = mochi()
            .arg("run")
            .args(*mode)
            .args(["-e", "let xs = [1, 2] union [2, 3]\nprint(xs, len(xs))"])
            .output()
            .unwrap();
        assert_eq!(text(&o.stdout), "[1, 2, 3] 3\n", "{mode:?}");
        assert_eq!(o.status.code(), Some(0));
        // Errors name the program `-e`.
        let o = mochi()
            .arg("run")
            .args(*mode)
            .args(["-e", "print(\"a\")\nprint(1 / 0)"])
            .output()
            .unwrap();
        assert_eq!(text(&o.stdout), "a\n");
        let err = text(&o.stderr);
        assert!(err.starts_with("-e:2:9: error: division by zero"), "{err}");
        assert_eq!(o.status.code(), Some(1));
    }
    let o = mochi().args(["run", "-e", "let = 1"]).output().unwrap();
    assert!(text(&o.stderr).starts_with("-e:1:5: error: "));
    assert_eq!(o.status.code(), Some(1));
    // -e and a file together are a usage error.
    let o = mochi()
        .args(["run", "-e", "print(1)", "x.mochi"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn run_e_paths_start_from_the_current_directory() {
    let dir = temp_dir("eval-cwd");
    std::fs::write(dir.join("nums.jsonl"), "{\"n\": 1}\n{\"n\": 2}\n").unwrap();
    let o = mochi()
        .current_dir(&dir)
        .args([
            "run",
            "-e",
            "type R { n: int }\nlet rs = load \"nums.jsonl\" as R\nprint(rs[1].n)",
        ])
        .output()
        .unwrap();
    assert_eq!(text(&o.stdout), "2\n", "stderr {}", text(&o.stderr));
}

/// Runs a program that loads `data` (written as `FILE` beside it) in every mode and checks
/// the first stderr line.
fn check_load(tag: &str, file: &str, data: &[u8], program: &str, want_suffix: &str) {
    let dir = temp_dir(tag);
    std::fs::write(dir.join(file), data).unwrap();
    let p = dir.join("prog.mochi");
    std::fs::write(&p, program).unwrap();
    for mode in MODES {
        let o = run(mode, &p);
        let err = text(&o.stderr);
        let first = err.lines().next().unwrap_or("");
        let want = format!("{}:{want_suffix}", p.display());
        assert_eq!(first, want, "{tag} {mode:?}");
        assert_eq!(o.status.code(), Some(1), "{tag} {mode:?}");
        assert!(!err.contains("panicked"), "{tag}: {err}");
    }
}

#[test]
fn malformed_datasets_are_clean_errors_at_the_load() {
    let prog = |fmt: &str, file: &str| {
        format!(
            "type P {{ name: string, age: int }}\nprint(1)\nlet ps = load \"{file}\" as P with {{ format: \"{fmt}\" }}\nprint(len(ps))\n"
        )
    };
    check_load(
        "jsonl",
        "p.jsonl",
        b"{\"name\": \"a\", \"age\": 1}\n{\"name\": \"b\", \n",
        &prog("jsonl", "p.jsonl"),
        "3:10: error: cannot load p.jsonl: line 2, column 14: EOF while parsing a value",
    );
    check_load(
        "json",
        "p.json",
        b"[{\"name\": \"a\", \"age\": 1},\n oops]",
        &prog("json", "p.json"),
        "3:10: error: cannot load p.json: line 2, column 2: expected value",
    );
    check_load(
        "yaml",
        "p.yaml",
        b"- name: a\n  age: [1\n",
        &prog("yaml", "p.yaml"),
        "3:10: error: cannot load p.yaml: line 3, column 1: while parsing a flow sequence, expected ',' or ']'",
    );
    check_load(
        "csv",
        "p.csv",
        b"name,age\na,1\nb,2,3\n",
        &prog("csv", "p.csv"),
        "3:10: error: cannot load p.csv: line 3: 3 fields, but the first row has 2",
    );
    check_load(
        "mistyped",
        "p.jsonl",
        b"{\"name\": \"a\", \"age\": 1.5}\n",
        &prog("jsonl", "p.jsonl"),
        "3:10: error: cannot load p.jsonl: record 1, field age: expected int, found number 1.5",
    );
    check_load(
        "csv-mistyped",
        "p.csv",
        b"name,age\na,x\n",
        &prog("csv", "p.csv"),
        "3:10: error: cannot load p.csv: record 1, field age: expected int, found string \"x\"",
    );
    check_load(
        "not-utf8",
        "p.jsonl",
        b"{\"name\": \"\xff\"}\n",
        &prog("jsonl", "p.jsonl"),
        "3:10: error: cannot load p.jsonl: not valid UTF-8 (at byte 10)",
    );
    check_load(
        "missing",
        "other.jsonl",
        b"",
        &prog("jsonl", "missing.jsonl"),
        "3:10: error: cannot load missing.jsonl: no such file or directory",
    );
    check_load(
        "format",
        "p.jsonl",
        b"",
        &prog("xml", "p.jsonl"),
        "3:10: error: cannot load p.jsonl: unknown format \"xml\" (expected jsonl, json, yaml or csv)",
    );
    check_load(
        "directory",
        "p.jsonl",
        b"",
        &prog("jsonl", "."),
        "3:10: error: cannot load .: is a directory",
    );
}

#[test]
fn save_errors_are_clean() {
    let dir = temp_dir("save");
    let p = dir.join("prog.mochi");
    std::fs::write(
        &p,
        "let xs = [1, 2]\nsave xs to \"no/such/dir/x.jsonl\" with { format: \"jsonl\" }\n",
    )
    .unwrap();
    for mode in MODES {
        let o = run(mode, &p);
        let first = text(&o.stderr).lines().next().unwrap_or("").to_string();
        assert_eq!(
            first,
            format!(
                "{}:2:1: error: cannot save no/such/dir/x.jsonl: no such file or directory",
                p.display()
            ),
            "{mode:?}"
        );
        assert_eq!(o.status.code(), Some(1));
    }
}

#[test]
fn load_reads_stdin_for_dash() {
    use std::io::Write;
    let mut c = mochi()
        .args([
            "run",
            "-e",
            "type R { a: int }\nlet rs = load \"-\" as R with { format: \"jsonl\" }\nprint(rs)",
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    c.stdin
        .take()
        .unwrap()
        .write_all(b"{\"a\": 1}\n{\"a\": 2}\n")
        .unwrap();
    let o = c.wait_with_output().unwrap();
    assert_eq!(
        text(&o.stdout),
        "[{\"__name\": \"R\", \"a\": 1}, {\"__name\": \"R\", \"a\": 2}]\n"
    );
}

#[test]
fn mochi_test_drops_the_half_built_line_of_a_failed_test() {
    let dir = temp_dir("partial");
    let p = dir.join("p.mochi");
    std::fs::write(
        &p,
        "fun boom(): int { return 1 / 0 }\ntest \"a\" { print(\"half\", boom()) }\ntest \"b\" { print(\"whole\") }\n",
    )
    .unwrap();
    let f = p.display().to_string();
    for mode in MODES {
        let mut args: Vec<&str> = mode.to_vec();
        args.push(&f);
        let o = mochi_test(&args);
        assert_eq!(
            text(&o.stdout),
            format!("FAIL a: {f}:1:28: division by zero\nwhole\nok b\n1 passed, 1 failed\n"),
            "{mode:?}"
        );
    }
}
