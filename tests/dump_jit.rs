//! `mochi run --dump-jit=FN`: the function's machine code, disassembled and interleaved with
//! its bytecode ops, in every tier policy; an unknown function is a clean error.

mod common;
use common::*;
use std::io::Write;

const SRC: &str = "fun sum(n: int): int {
  var s = 0
  for i in 0..n { s = s + i * 3 }
  return s
}
fun twice(x: int): int { return x + x }
print(sum(10))
print(twice(21))
";

fn program(tag: &str) -> std::path::PathBuf {
    let path =
        std::env::temp_dir().join(format!("mochi_dump_jit_{tag}_{}.mochi", std::process::id()));
    std::fs::File::create(&path)
        .and_then(|mut f| f.write_all(SRC.as_bytes()))
        .unwrap();
    path
}

#[test]
fn dump_shows_ops_and_instructions_in_every_mode() {
    let path = program("modes");
    for mode in ["--jit=off", "--jit=auto", "--jit=always"] {
        for (func, ops) in [
            (
                "sum",
                &["ConstI64", "MulI64", "AddI64", "IncJLtI64", "RetI64"][..],
            ),
            ("twice", &["AddI64", "RetI64"][..]),
        ] {
            let o = mochi()
                .args(["run", mode, &format!("--dump-jit={func}")])
                .arg(&path)
                .output()
                .unwrap();
            let out = text(&o.stdout);
            assert!(o.status.success(), "{mode} {func}: {}", text(&o.stderr));
            // The program ran first.
            assert!(out.starts_with("135\n42\n"), "{mode}: {out}");
            assert!(out.contains("; function #"), "{out}");
            assert!(out.contains(&format!(" {func}: ")), "{out}");
            for op in ops {
                assert!(out.contains(op), "{mode} {func}: no {op} in\n{out}");
            }
            // Real instructions: the frame base is r12, every function returns, and the
            // checked addition side-exits on overflow.
            for insn in ["%r12", "ret", "jo "] {
                assert!(out.contains(insn), "{mode} {func}: no `{insn}` in\n{out}");
            }
            // Stencil names and the exit stub.
            assert!(out.contains("[ret_i64"), "{out}");
            assert!(out.contains("exit stub"), "{out}");
        }
    }
    // The loop's function caches registers: an entry stub for the loop header (pc 0, which
    // no jump targets, loads them in its own first pieces) and a branch back to the loop body.
    let o = mochi()
        .args(["run", "--jit=always", "--dump-jit=sum"])
        .arg(&path)
        .output()
        .unwrap();
    let out = text(&o.stdout);
    assert!(out.contains("registers x0=R"), "{out}");
    assert!(out.contains("entry of pc "), "{out}");
    assert!(!out.contains("entry of pc 0 "), "{out}");
    let pc0 = &out[out.find("\n   0  ").unwrap()..];
    let pc0 = &pc0[..pc0.find("\n   1  ").unwrap()];
    assert!(pc0.contains("[reload_"), "{pc0}");
    assert!(out.contains("; -> pc "), "{out}");
    // The implicit return after `return s` is unreachable: listed, with no code.
    assert!(out.contains("; unreachable: no code"), "{out}");
    let _ = std::fs::remove_file(&path);
}

#[test]
fn rare_paths_are_listed_apart_from_the_hot_line() {
    // A list read with a negative index and a remainder take their rare paths (cold twins,
    // out of the hot line) in every mode and print what the interpreter prints.
    let path =
        std::env::temp_dir().join(format!("mochi_dump_jit_cold_{}.mochi", std::process::id()));
    std::fs::write(
        &path,
        "fun pick(xs: list<int>, i: int): int {\n  return xs[i] % 7\n}\n\
         print(pick([10, 20, 30], -1))\nprint(pick([10, 20, 30], 1))\n\
         print(pick([10, 20, 30], 3))\n",
    )
    .unwrap();
    for mode in ["--jit=off", "--jit=auto", "--jit=always"] {
        let o = mochi()
            .args(["run", mode, "--dump-jit=pick"])
            .arg(&path)
            .output()
            .unwrap();
        let out = text(&o.stdout);
        assert!(out.starts_with("2\n6\n"), "{mode}: {out}");
        assert!(
            text(&o.stderr).contains("list index out of range: 3 (len 3)"),
            "{mode}: {}",
            text(&o.stderr)
        );
        // The list read and the remainder fall through into the next instruction: the only
        // jumps in their hot code go to their cold paths.
        let hot = &out[out.find("ListGetI64").unwrap()..out.find("RetI64").unwrap()];
        assert!(!hot.contains("jmp "), "{mode}: a taken jump in\n{hot}");
        assert!(hot.contains("; -> cold path of pc 0"), "{mode}:\n{hot}");
        assert!(hot.contains("; -> cold path of pc 1"), "{mode}:\n{hot}");
        for pc in [0, 1] {
            assert!(
                out.contains(&format!("cold path of pc {pc}\n")),
                "{mode}: {out}"
            );
        }
        // (the memory form, or a register variant in a function that caches)
        assert!(out.contains("[cold.list_get_i64"), "{out}");
    }
    let _ = std::fs::remove_file(&path);
}

#[test]
fn unknown_function_is_a_clean_error() {
    let path = program("unknown");
    let o = mochi()
        .args(["run", "--dump-jit=nosuch"])
        .arg(&path)
        .output()
        .unwrap();
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("no function `nosuch`"), "{err}");
    assert!(err.contains("sum"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(o.stdout.is_empty(), "the program did not run");
    let _ = std::fs::remove_file(&path);
}

/// A small loop's header starts on a 32-byte boundary (the function's code is 64-byte
/// aligned, so its offset in the dump tells); the instructions start on a cache line.
#[test]
fn small_loop_headers_are_aligned() {
    let path = program("align");
    let o = mochi()
        .args(["run", "--jit=always", "--dump-jit=sum"])
        .arg(&path)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o.stderr));
    let out = text(&o.stdout);
    // The loop's back-edge names its header: `IncJLtI64 R.., R.., ->H`.
    let back = out.lines().find(|l| l.contains("IncJLtI64")).unwrap();
    let head: usize = back
        .split("->")
        .nth(1)
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .parse()
        .unwrap();
    // The first instruction line after the header's op line: `      0001c0  mov ...`.
    let offset_after = |pc: usize| -> usize {
        let mut lines = out
            .lines()
            .skip_while(|l| !l.starts_with(&format!("{pc:4}  ")));
        lines.next().unwrap();
        let insn = lines.find(|l| l.starts_with("      0")).unwrap();
        usize::from_str_radix(insn.split_whitespace().next().unwrap(), 16).unwrap()
    };
    assert_eq!(
        offset_after(head) % 32,
        0,
        "header pc {head} unaligned in\n{out}"
    );
    assert_eq!(offset_after(0) % 64, 0, "pc 0 unaligned in\n{out}");
}
