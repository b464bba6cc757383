//! Bad input never panics: each case prints `FILE:LINE:COL: error: MESSAGE` on stderr and
//! exits with status 1.

mod common;
use common::*;
use std::path::PathBuf;

fn temp_file(name: &str, bytes: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("mochi-bad-input-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

/// Runs `bytes` as a program in every mode and checks the first stderr line.
fn check(name: &str, bytes: &[u8], line_col: &str, message_part: &str) {
    let p = temp_file(name, bytes);
    for mode in MODES {
        let o = run(mode, &p);
        let err = text(&o.stderr);
        let first = err.lines().next().unwrap_or("");
        // An empty `line_col` accepts any position.
        let prefix = if line_col.is_empty() {
            format!("{}:", p.display())
        } else {
            format!("{}:{line_col}: error: ", p.display())
        };
        assert!(first.contains(": error: "), "{name} {mode:?}: `{first}`");
        assert_eq!(o.status.code(), Some(1), "{name} {mode:?}: stderr {err}");
        assert!(
            first.starts_with(&prefix),
            "{name} {mode:?}: want prefix `{prefix}`, got `{first}`"
        );
        assert!(
            first.contains(message_part),
            "{name} {mode:?}: want `{message_part}` in `{first}`"
        );
        assert!(!err.contains("panicked"), "{name}: panic: {err}");
    }
}

#[test]
fn syntax_error() {
    check("syntax.mochi", b"print(1)\nlet = 5\n", "2:5", "expected");
    check("unclosed.mochi", b"fun f(): int {\n  return 1\n", "", "");
}

#[test]
fn type_errors() {
    check(
        "type.mochi",
        b"let x: int = \"a\"\n",
        "1:14",
        "cannot initialise 'x': expected int, found string",
    );
    check(
        "undef.mochi",
        b"print(1)\nprint(y)\n",
        "2:7",
        "undefined variable 'y'",
    );
    check(
        "immut.mochi",
        b"let x = 1\nx = 2\n",
        "2:1",
        "cannot assign to immutable 'x' (declared with let at 1:1)",
    );
    check(
        "arity.mochi",
        b"fun f(a: int, b: int): int { return a }\nprint(f(1, 2, 3))\n",
        "2:7",
        "function 'f' expects 2 arguments, found 3",
    );
    check(
        "ops.mochi",
        b"print(1 - \"a\")\n",
        "1:9",
        "cannot subtract int and string",
    );
    check(
        "cond.mochi",
        b"if 1 { print(1) }\n",
        "1:4",
        "condition must be bool, found int",
    );
}

#[test]
fn unsupported_constructs() {
    check(
        "query.mochi",
        b"print(1)\nlet xs = from x in [[1, 2]] right join z in x on z == 1 select z\n",
        "2:45",
        "not supported yet: a right or outer join over a source that depends on the query's variables",
    );
    check(
        "update.mochi",
        b"var xs = [1]\nupdate xs set { a: 1 }\n",
        "2:1",
        "update needs a list of structs, found list<int>",
    );
    check(
        "foreign.mochi",
        b"import go \"strings\" as s\nprint(1)\n",
        "1:1",
        "foreign function imports are not supported by this runtime",
    );
    check(
        "agent.mochi",
        b"print(1)\nagent A { }\n",
        "2:1",
        "not supported by this runtime",
    );
}

#[test]
fn missing_file() {
    let p = std::env::temp_dir().join("mochi-definitely-missing-file.mochi");
    let o = run(&["--jit=off"], &p);
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        err.starts_with(&format!("{}:1:1: error: cannot read file", p.display())),
        "{err}"
    );
}

#[test]
fn not_utf8() {
    check(
        "latin1.mochi",
        b"print(1)\nprint(\"caf\xe9\")\n",
        "2:11",
        "not valid UTF-8",
    );
}

#[test]
fn output_before_a_runtime_error_is_kept() {
    let p = temp_file("rt.mochi", b"print(\"before\")\nlet z = 0\nprint(1 / z)\n");
    for mode in MODES {
        let o = run(mode, &p);
        assert_eq!(text(&o.stdout), "before\n");
        assert_eq!(o.status.code(), Some(1));
        assert!(
            text(&o.stderr).starts_with(&format!("{}:3:9: error: division by zero", p.display()))
        );
    }
}

#[test]
fn a_closed_stdout_stops_an_endless_printer() {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;
    let p = temp_file(
        "forever.mochi",
        b"var i = 0\nwhile true { print(\"line\", i) i = i + 1 }\n",
    );
    for mode in MODES {
        let mut child = mochi()
            .arg("run")
            .args(*mode)
            .arg(&p)
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        assert_eq!(lines.next().unwrap().unwrap(), "line 0");
        drop(lines); // close the pipe: the program must stop, not run forever
        let status = child.wait().unwrap();
        assert_eq!(status.code(), Some(141), "{mode:?}");
    }
}
