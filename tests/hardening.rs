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
        wait_until_busy(child.id());
        // SAFETY: sends a signal to the child we spawned.
        unsafe { libc::kill(child.id() as i32, sig) };
        let o = child.wait_with_output().unwrap();
        assert_eq!(text(&o.stdout), "started\n", "{mode:?}");
        assert_eq!(o.status.code(), Some(status), "{mode:?}");
    }
}

/// Wait until process `pid` has used 50 ms of CPU time (so it is past start-up and its first
/// `print`, spinning in its loop), or 10 s have passed: a fixed sleep is too short on a
/// loaded machine.
fn wait_until_busy(pid: u32) {
    let t = Instant::now();
    while t.elapsed() < Duration::from_secs(10) {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
        // Fields after the parenthesised command name: state is field 3, utime 14, stime 15.
        let rest = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
        let f: Vec<&str> = rest.split_whitespace().collect();
        let ticks: u64 = f.get(11).and_then(|u| u.parse().ok()).unwrap_or(0)
            + f.get(12).and_then(|s| s.parse().ok()).unwrap_or(0);
        if ticks >= 5 {
            return;
        }
        std::thread::sleep(Duration::from_millis(10));
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
    // (It blocks on the full pipe, so it never gets busy: give start-up a fixed head start.)
    std::thread::sleep(Duration::from_millis(500));
    let t = Instant::now();
    // SAFETY: sends a signal to the child we spawned.
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(143));
    assert!(t.elapsed() < Duration::from_secs(3));
}

/// `mochi run` under an address-space limit (`ulimit -v KIB`) in a shell.
fn run_ulimit(kib: u64, args: &[&str], file: &std::path::Path) -> Output {
    let cmd = format!("ulimit -v {kib}; exec \"$0\" run {} \"$1\"", args.join(" "));
    Command::new("bash")
        .arg("-c")
        .arg(cmd)
        .arg(env!("CARGO_BIN_EXE_mochi"))
        .arg(file)
        .stdin(Stdio::null())
        .output()
        .expect("spawn bash")
}

const TIERS: &[&str] = &["--jit=off", "--jit=always"];

/// Starting needs little memory: the reservations (slot tables, stacks) are scaled to the
/// address-space limit, so hello runs in 256 MiB.
#[test]
fn hello_runs_in_256_mib_of_address_space() {
    let hello = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("programs/hello.mochi");
    for tier in TIERS {
        let o = run_ulimit(262144, &[tier], &hello);
        assert_eq!(o.status.code(), Some(0), "{tier}: {}", text(&o.stderr));
        assert_eq!(text(&o.stdout), "hello, world\n", "{tier}");
    }
}

/// Deep recursion under a small limit still stops with `call stack exceeded` (the call-depth
/// limit shrinks with the machine stack), never a crash.
#[test]
fn deep_recursion_under_a_limit_is_an_error() {
    let p = temp_file(
        "deep_limit.mochi",
        b"fun f(n: int): int {\n  return f(n + 1) + 1\n}\nprint(\"before\")\nprint(f(0))\n",
    );
    for tier in TIERS {
        let o = run_ulimit(262144, &[tier], &p);
        let err = text(&o.stderr);
        assert_eq!(o.status.code(), Some(1), "{tier}: {err}");
        assert_eq!(text(&o.stdout), "before\n", "{tier}");
        assert!(err.contains("error: call stack exceeded"), "{tier}: {err}");
    }
}

const GROW_FOREVER: &[u8] =
    b"print(\"start\")\nvar xs: list<int> = []\nvar i = 0\nwhile true {\n  xs = append(xs, i)\n  if i == 1000 {\n    print(\"a thousand\")\n  }\n  i = i + 1\n}\n";

fn assert_out_of_memory(what: &str, o: &Output, p: &std::path::Path, detail: &str) {
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{what}: {err}");
    assert_eq!(text(&o.stdout), "start\na thousand\n", "{what}");
    assert!(
        err.starts_with(&format!(
            "{}:5:8: error: out of memory{detail}",
            p.display()
        )),
        "{what}: {err}"
    );
    assert!(!err.contains("panicked"), "{what}: {err}");
}

/// A list that grows forever stops at the `append` with the --max-heap error, which says
/// how to raise the cap; earlier output stays printed.
#[test]
fn a_growing_list_stops_at_max_heap() {
    let p = temp_file("grow_cap.mochi", GROW_FOREVER);
    for tier in TIERS {
        let o = mochi()
            .args(["run", tier, "--max-heap=64M"])
            .arg(&p)
            .output()
            .expect("spawn mochi");
        assert_out_of_memory(
            tier,
            &o,
            &p,
            ": the heap exceeds --max-heap=64M (raise it with --max-heap)\n",
        );
    }
}

/// Without --max-heap, under `ulimit -v 1 GiB`, the same program is an out-of-memory error
/// (the default cap is a quarter of the limit; a failed buffer allocation is the same
/// error), not a signal or an abort.
#[test]
fn a_growing_list_under_ulimit_is_an_error() {
    let p = temp_file("grow_ulimit.mochi", GROW_FOREVER);
    for tier in TIERS {
        let o = run_ulimit(1048576, &[tier], &p);
        assert_out_of_memory(tier, &o, &p, "");
    }
}

/// A map that grows forever (hash-table growth uses try_reserve) stops the same way.
#[test]
fn a_growing_map_stops_at_max_heap() {
    let p = temp_file(
        "grow_map.mochi",
        b"print(\"start\")\nvar m: map<int, int> = {}\nvar i = 0\nwhile true {\n  m[i] = i\n  i = i + 1\n}\n",
    );
    for tier in TIERS {
        let o = mochi()
            .args(["run", tier, "--max-heap=32M"])
            .arg(&p)
            .output()
            .expect("spawn mochi");
        let err = text(&o.stderr);
        assert_eq!(o.status.code(), Some(1), "{tier}: {err}");
        assert_eq!(text(&o.stdout), "start\n", "{tier}");
        assert!(err.contains(":5:3: error: out of memory"), "{tier}: {err}");
    }
}

#[test]
fn a_bad_max_heap_is_a_usage_error() {
    let hello = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("programs/hello.mochi");
    let o = mochi()
        .args(["run", "--max-heap=lots"])
        .arg(&hello)
        .output()
        .expect("spawn mochi");
    assert_eq!(o.status.code(), Some(2), "{}", text(&o.stderr));
}

/// 70 000 small functions all compile under `--jit=always`: code units are packed, so the
/// 256 MiB code budget is not spent at a page per function (it used to stop after exactly
/// 65 535 of them), and the program prints what the interpreter prints.
#[test]
fn seventy_thousand_functions_all_compile() {
    let n = 70_000;
    let mut src = String::new();
    for i in 0..n {
        src.push_str(&format!(
            "fun f{i}(x: int): int {{ return x + {} }}\n",
            i % 7
        ));
    }
    src.push_str("var s = 0\n");
    for i in 0..n {
        src.push_str(&format!("s = s + f{i}(s % 3)\n"));
    }
    src.push_str("print(s)\n");
    let file = temp_file("many_functions.mochi", src.as_bytes());
    let off = run_with(&["--jit=off"], &file, |_| {});
    let always = run_with(&["--jit=always", "--stats=json"], &file, |_| {});
    assert!(off.status.success(), "{}", text(&off.stderr));
    assert!(always.status.success(), "{}", text(&always.stderr));
    assert_eq!(text(&off.stdout), text(&always.stdout));
    let stats: serde_json::Value = serde_json::from_str(text(&always.stderr).trim()).unwrap();
    assert_eq!(stats["totals"]["failed_compiles"], 0);
    assert_eq!(stats["totals"]["compiled_functions"], n + 1);
}
