//! Hardening: output errors, signals, input limits and Trojan-source characters, end to end
//! through the `mochi` binary.

mod common;

use common::{mochi, run, text, MODES};
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn temp_file(name: &str, bytes: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("mochi-hardening-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

fn dev_full() -> std::fs::File {
    std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .expect("open /dev/full")
}

fn run_with(mode: &[&str], file: &std::path::Path, f: impl FnOnce(&mut Command)) -> Output {
    let mut c = mochi();
    c.arg("run").args(mode).arg(file);
    f(&mut c);
    c.output().expect("spawn mochi")
}

/// A 20M-line printer whose stdout is full stops at the `print` that failed, with its
/// position, in every tier policy (tier 2's print side-exits and the interpreter reports).
#[test]
fn a_full_stdout_stops_the_program_at_the_print() {
    let p = temp_file(
        "full.mochi",
        b"var i = 0\nwhile i < 20000000 {\n  print(\"a line of output\", i)\n  i = i + 1\n}\nprint(\"done\")\n",
    );
    for mode in MODES {
        let t = Instant::now();
        let o = run_with(mode, &p, |c| {
            c.stdout(dev_full());
        });
        let err = text(&o.stderr);
        assert_eq!(o.status.code(), Some(1), "{mode:?}: {err}");
        assert!(
            err.starts_with(&format!(
                "{}:3:3: error: cannot write output: No space left on device\n",
                p.display()
            )),
            "{mode:?}: {err}"
        );
        assert_eq!(err.matches("error:").count(), 1, "{mode:?}: {err}");
        assert!(t.elapsed() < Duration::from_secs(5), "{mode:?} ran on");
    }
}

/// json() writes through the same path.
#[test]
fn a_full_stdout_stops_json_too() {
    let p = temp_file(
        "full_json.mochi",
        b"var i = 0\nwhile i < 20000000 {\n  json(i)\n  i = i + 1\n}\n",
    );
    for mode in MODES {
        let o = run_with(mode, &p, |c| {
            c.stdout(dev_full());
        });
        let err = text(&o.stderr);
        assert_eq!(o.status.code(), Some(1), "{mode:?}: {err}");
        assert!(
            err.starts_with(&format!("{}:3:3: error: cannot write output", p.display())),
            "{mode:?}: {err}"
        );
    }
}

/// Output that only fails when flushed at exit is still reported (without a position).
#[test]
fn a_failed_final_flush_is_reported() {
    let p = temp_file("flush.mochi", b"print(\"x\")\n");
    for mode in MODES {
        let o = run_with(mode, &p, |c| {
            c.stdout(dev_full());
        });
        assert_eq!(o.status.code(), Some(1), "{mode:?}");
        assert_eq!(
            text(&o.stderr),
            format!(
                "{}: error: cannot write output: No space left on device\n",
                p.display()
            )
        );
    }
}

/// `2>/dev/full`: an error still exits 1, never 101 (a panic in eprintln!).
#[test]
fn an_unwritable_stderr_keeps_the_error_status() {
    let cases: &[(&str, &[u8])] = &[
        ("rt_err.mochi", b"let z = 0\nprint(1 / z)\n"),
        ("parse_err.mochi", b"let = 1\n"),
        ("type_err.mochi", b"let x: int = \"s\"\n"),
    ];
    for (name, src) in cases {
        let p = temp_file(name, src);
        for mode in MODES {
            let o = run_with(mode, &p, |c| {
                c.stderr(dev_full());
            });
            assert_eq!(o.status.code(), Some(1), "{name} {mode:?}");
        }
    }
    let missing = std::env::temp_dir().join("mochi-hardening-missing.mochi");
    let o = run_with(&[], &missing, |c| {
        c.stderr(dev_full());
    });
    assert_eq!(o.status.code(), Some(1));
    // Both stdout and stderr full.
    let p = temp_file("both.mochi", b"print(\"x\")\n");
    let o = run_with(&[], &p, |c| {
        c.stdout(dev_full()).stderr(dev_full());
    });
    assert_eq!(o.status.code(), Some(1));
}

fn signal_test(sig: i32, status: i32) {
    let p = temp_file(
        "forever.mochi",
        b"print(\"started\")\nvar i = 0\nwhile true {\n  i = i + 1\n}\n",
    );
    for mode in MODES {
        let child = mochi()
            .arg("run")
            .args(*mode)
            .arg(&p)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(300));
        // SAFETY: sends a signal to the child we spawned.
        unsafe { libc::kill(child.id() as i32, sig) };
        let o = child.wait_with_output().unwrap();
        assert_eq!(text(&o.stdout), "started\n", "{mode:?}");
        assert_eq!(o.status.code(), Some(status), "{mode:?}");
    }
}

/// A block-buffered (piped) stdout is flushed on SIGTERM; the status is 128 + 15.
#[test]
fn sigterm_flushes_output_and_exits_143() {
    signal_test(libc::SIGTERM, 143);
}

/// Likewise for SIGINT (Ctrl-C): 128 + 2.
#[test]
fn sigint_flushes_output_and_exits_130() {
    signal_test(libc::SIGINT, 130);
}

#[test]
fn dev_zero_hits_the_source_limit() {
    let o = run(&[], std::path::Path::new("/dev/zero"));
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        text(&o.stderr),
        "/dev/zero:1:1: error: cannot read file: larger than the source limit of 64 MB\n"
    );
}

#[test]
fn a_huge_file_hits_the_source_limit() {
    let p = temp_file("huge.mochi", b"");
    // Sparse: 65 MiB of zeros without writing them.
    std::fs::OpenOptions::new()
        .write(true)
        .open(&p)
        .unwrap()
        .set_len(65 << 20)
        .unwrap();
    let o = run(&[], &p);
    std::fs::remove_file(&p).unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(
        text(&o.stderr).contains("cannot read file: larger than the source limit of 64 MB"),
        "{}",
        text(&o.stderr)
    );
}

fn run_stdin(file: &str, program: &[u8]) -> Output {
    let mut child = mochi()
        .arg("run")
        .arg(file)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(program).unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn a_dash_reads_the_program_from_stdin() {
    let o = run_stdin("-", b"print(\"from stdin\")\n");
    assert_eq!(text(&o.stdout), "from stdin\n");
    assert_eq!(o.status.code(), Some(0));
    let o = run_stdin("-", b"print(1 / 0)\n");
    assert_eq!(o.status.code(), Some(1));
    assert!(
        text(&o.stderr).starts_with("<stdin>:1:"),
        "{}",
        text(&o.stderr)
    );
}

#[test]
fn dev_stdin_is_read() {
    let o = run_stdin("/dev/stdin", b"print(\"via /dev/stdin\")\n");
    assert_eq!(text(&o.stdout), "via /dev/stdin\n");
    assert_eq!(o.status.code(), Some(0));
}

#[test]
fn a_fifo_is_read() {
    let dir = std::env::temp_dir().join(format!("mochi-hardening-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let fifo = dir.join("prog.fifo");
    let _ = std::fs::remove_file(&fifo);
    let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    // SAFETY: a valid C string path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    let writer = {
        let fifo = fifo.clone();
        std::thread::spawn(move || {
            let mut f = std::fs::OpenOptions::new().write(true).open(fifo).unwrap();
            f.write_all(b"print(\"via a fifo\")\n").unwrap();
        })
    };
    let o = run(&[], &fifo);
    writer.join().unwrap();
    std::fs::remove_file(&fifo).unwrap();
    assert_eq!(text(&o.stdout), "via a fifo\n", "{}", text(&o.stderr));
    assert_eq!(o.status.code(), Some(0));
}

fn run_ok(name: &str, src: &str, expected: &str) {
    let p = temp_file(name, src.as_bytes());
    for mode in MODES {
        let o = run(mode, &p);
        let err = text(&o.stderr);
        assert_eq!(o.status.code(), Some(0), "{name} {mode:?}: {err}");
        assert_eq!(text(&o.stdout), expected, "{name} {mode:?}");
    }
}

#[test]
fn a_flat_chain_of_100000_additions_runs() {
    let src = format!("let x = {}\nprint(x)\n", vec!["1"; 100_000].join(" + "));
    run_ok("plus.mochi", &src, "100000\n");
}

#[test]
fn ten_thousand_nested_parentheses_run() {
    let n = 10_000;
    let src = format!("let x = {}1{}\nprint(x)\n", "(".repeat(n), ")".repeat(n));
    run_ok("parens.mochi", &src, "1\n");
}

#[test]
fn ten_thousand_nested_blocks_run() {
    let n = 10_000;
    let src = format!(
        "fun f(): int {{\n{}return 1\n{}return 0\n}}\nprint(f())\n",
        "if true {\n".repeat(n),
        "}\n".repeat(n)
    );
    run_ok("blocks.mochi", &src, "1\n");
}

#[test]
fn a_hundred_thousand_statements_run() {
    let src = format!("var x = 0\n{}print(x)\n", "x = x + 1\n".repeat(100_000));
    run_ok("stmts.mochi", &src, "100000\n");
}

#[test]
fn nesting_beyond_the_cap_is_a_clear_error() {
    let n = compiler::syntax::MAX_DEPTH as usize + 1;
    let src = format!("let x = {}1{}\nprint(x)\n", "(".repeat(n), ")".repeat(n));
    let p = temp_file("too_deep.mochi", src.as_bytes());
    let o = run(&[], &p);
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(1));
    assert!(err.contains("error: nesting too deep"), "{}", &err[..200]);
}

/// Types, list/map literals and function expressions have a lower cap (the checker's cost
/// grows with the square of a type's depth): at the cap they run quickly, beyond it the
/// error comes at once instead of a minute of work and gigabytes.
#[test]
fn nested_containers_are_capped_lower() {
    let n = compiler::syntax::MAX_TYPE_DEPTH as usize;
    let src = format!(
        "let x = {}1{}\nprint(len(x))\n",
        "[".repeat(n),
        "]".repeat(n)
    );
    run_ok("lists_at_cap.mochi", &src, "1\n");
    for (name, open, close) in [("lists", "[", "]"), ("maps", "{\"k\": ", "}")] {
        let src = format!(
            "let x = {}1{}\nprint(1)\n",
            open.repeat(10_000),
            close.repeat(10_000)
        );
        let p = temp_file(&format!("{name}_deep.mochi"), src.as_bytes());
        let t = Instant::now();
        let o = run(&[], &p);
        let err = text(&o.stderr);
        assert_eq!(o.status.code(), Some(1), "{name}");
        assert!(err.contains("error: nesting too deep"), "{name}: {err}");
        assert!(t.elapsed() < Duration::from_secs(5), "{name}");
    }
}

/// An error on a megabyte-long line shows a window of the line around the column.
#[test]
fn an_error_on_a_long_line_shows_a_window() {
    let src = format!("let x = {}+ \"s\"\n", "1 + ".repeat(250_000));
    let p = temp_file("long_line.mochi", src.as_bytes());
    let o = run(&[], &p);
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(1));
    assert!(err.len() < 400, "{} bytes of stderr", err.len());
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 3, "{err}");
    assert!(lines[1].contains("..."), "{err}");
    // The caret sits under the column the first line names.
    let caret = lines[2].find('^').unwrap();
    let shown = lines[1];
    let bar = shown.find("| ").unwrap() + 2;
    assert!(caret > bar && caret < shown.len(), "{err}");
}

fn check_error(name: &str, src: &str, line_col: &str, part: &str) {
    let p = temp_file(name, src.as_bytes());
    let o = run(&[], &p);
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{name}: {err}");
    let first = err.lines().next().unwrap_or("");
    assert!(
        first.starts_with(&format!("{}:{line_col}: error: ", p.display())),
        "{name}: {first}"
    );
    assert!(first.contains(part), "{name}: {first}");
}

#[test]
fn bidi_controls_are_rejected_in_identifiers() {
    check_error(
        "bidi_ident.mochi",
        "let ab\u{202E}c = 1\nprint(1)\n",
        "1:7",
        "changing visible direction of text present in code (U+202E)",
    );
    check_error(
        "bidi_code.mochi",
        "let x = 1 \u{2066}+ 2\n",
        "1:11",
        "(U+2066)",
    );
}

#[test]
fn bidi_controls_are_reported_in_comments_and_strings() {
    check_error(
        "bidi_comment.mochi",
        "let ok = true // \u{202E} } \u{2066}\nprint(ok)\n",
        "1:18",
        "unicode codepoint changing visible direction of text present in comment (U+202E)",
    );
    check_error(
        "bidi_block_comment.mochi",
        "/* x\n  \u{2069} */\nprint(1)\n",
        "2:3",
        "present in comment (U+2069)",
    );
    check_error(
        "bidi_hash_comment.mochi",
        "# \u{202A}\nprint(1)\n",
        "1:3",
        "present in comment (U+202A)",
    );
    check_error(
        "bidi_string.mochi",
        "let s = \"user\u{202E}\u{2066}// admin\"\nprint(s)\n",
        "1:14",
        "present in string literal (U+202E)",
    );
    // Written as an escape it is visible, so allowed.
    run_ok("bidi_escape.mochi", "print(len(\"a\\u202eb\"))\n", "3\n");
}

#[test]
fn a_second_byte_order_mark_is_not_part_of_a_name() {
    run_ok("bom.mochi", "\u{FEFF}let x = 1\nprint(x)\n", "1\n");
    check_error(
        "bom2.mochi",
        "\u{FEFF}\u{FEFF}let x = 1\nprint(x)\n",
        "1:1",
        "byte-order mark",
    );
    check_error(
        "bom_ident.mochi",
        "let ab\u{FEFF}c = 1\nprint(abc)\n",
        "1:7",
        "byte-order mark",
    );
}

/// A signal while the program is blocked writing to a pipe nobody reads still ends it: the
/// signal thread gives up on flushing after 200 ms.
#[test]
fn a_signal_during_a_blocked_write_still_exits() {
    let p = temp_file(
        "blocked.mochi",
        b"var i = 0\nwhile true { print(\"line\", i) i = i + 1 }\n",
    );
    let mut child = mochi()
        .arg("run")
        .arg(&p)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(300));
    let t = Instant::now();
    // SAFETY: sends a signal to the child we spawned.
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(143));
    assert!(t.elapsed() < Duration::from_secs(3));
}
