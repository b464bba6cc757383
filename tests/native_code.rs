//! `--jit=always` really runs native code: the entry shim counts native entries, and every
//! function is compiled. Fails if tier 2 silently fell back to the interpreter.

mod common;
use common::*;

fn stat(stderr: &str, key: &str) -> u64 {
    stderr
        .lines()
        .find_map(|l| {
            l.strip_prefix(key)
                .map(|v| v.trim().parse::<u64>().unwrap())
        })
        .unwrap_or_else(|| panic!("no `{key}` in stats:\n{stderr}"))
}

/// Run `programs/hello.mochi` with `--stats` under `mode`; returns (success, stderr).
fn hello_stats(mode: &str) -> (bool, String) {
    let o = mochi()
        .args(["run", mode, "--stats"])
        .arg(root().join("programs/hello.mochi"))
        .output()
        .unwrap();
    (o.status.success(), text(&o.stderr))
}

#[test]
fn jit_always_enters_native_code() {
    let (ok, err) = hello_stats("--jit=always");
    assert!(ok, "{err}");
    assert!(stat(&err, "jit compiled functions:") >= 1, "{err}");
    assert!(stat(&err, "jit native entries:") >= 1, "{err}");
}

#[test]
fn jit_off_never_compiles() {
    let (ok, err) = hello_stats("--jit=off");
    assert!(ok, "{err}");
    assert_eq!(stat(&err, "jit compiled functions:"), 0);
    assert_eq!(stat(&err, "jit native entries:"), 0);
}

#[test]
fn auto_promotes_hot_functions_only() {
    // `f` is called 50 times: with threshold 10 it is compiled, `g` (called once) is not.
    // Both call `one`, so neither is a leaf the front end would inline (`one` is inlined).
    let dir = std::env::temp_dir().join(format!("mochi-native-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join("hot.mochi");
    std::fs::write(
        &p,
        "fun one(): int { return 1 }\nfun f(x: int): int { return x + one() }\nfun g(): int { return one() + 1 }\nvar s = 0\nlet n = g()\nfor i in 0..50 { s = f(s) }\nprint(s, n)\n",
    )
    .unwrap();
    let o = mochi()
        .args(["run", "--jit=auto", "--jit-threshold=10", "--stats"])
        .arg(&p)
        .output()
        .unwrap();
    let err = text(&o.stderr);
    assert_eq!(text(&o.stdout), "50 2\n");
    // f, and main via its loop back-edges; never g.
    assert_eq!(stat(&err, "jit compiled functions:"), 2, "{err}");
    assert!(stat(&err, "jit native entries:") >= 1, "{err}");
}

/// Every function of every program in `programs/` and in the conformance corpus compiles in
/// tier 2, each into a fresh JIT and all into one: a compile that fails (a hole whose value
/// does not fit, a size bound the code overran) would otherwise go unseen, since the
/// function then just stays in the interpreter and prints the same.
#[test]
fn every_function_of_every_program_compiles() {
    use vm::jit_api::Jit;
    let mut files = mochi_files(&root().join("programs"));
    files.extend(mochi_files(&root().join("../shared/conformance/vm-valid")));
    let mut functions = 0;
    for file in &files {
        let Ok(src) = std::fs::read_to_string(file) else {
            continue;
        };
        // (some programs are meant to fail to compile)
        let Ok(prog) = compiler::compile_source(&src) else {
            continue;
        };
        let mut all = tier2_jit::CopyAndPatch::new();
        for fid in 0..prog.funcs.len() {
            let mut one = tier2_jit::CopyAndPatch::new();
            if let Err(e) = one.compile(&prog, fid) {
                panic!("{}: {e}", file.display());
            }
            if let Err(e) = all.compile(&prog, fid) {
                panic!("{} (one JIT for all): {e}", file.display());
            }
            functions += 1;
        }
    }
    eprintln!("{functions} functions compiled");
    assert!(functions > 100, "only {functions} functions found");
}

/// `ListPush` runs in native code in every form of its stencil (the inline case, and the call
/// of its routine when the list must grow or copy): `programs/list_push_forms.mochi` has a
/// function for each number of cached i64 registers, with and without cached f64 slots, and
/// `programs_agree_in_every_tier` checks what they print. Here: that each form is the one
/// emitted, so a change of the register cache cannot leave a form untested.
#[test]
fn list_push_runs_in_every_cache_form() {
    let path = root().join("programs/list_push_forms.mochi");
    let forms = [
        ("grow0", "list_push"),
        ("c1", "list_push_k_c1"),
        ("grow1", "list_push_k_c2"),
        ("c3", "list_push_k_c3"),
        ("grow2", "list_push_k_c4"),
        ("grow3", "list_push_k_c5"),
        ("grow4", "list_push_k_c6"),
        ("f0", "list_push_f"),
        ("f1", "list_push_f_c1"),
        ("floats", "list_push_f_c2"),
        ("f3", "list_push_f_c3"),
        ("floats3", "list_push_f_c4"),
        ("f5", "list_push_f_c5"),
        ("f6", "list_push_f_c6"),
    ];
    for (func, form) in forms {
        let o = mochi()
            .args([
                "run",
                "--jit=always",
                "--stats",
                &format!("--dump-jit={func}"),
            ])
            .arg(&path)
            .output()
            .unwrap();
        let (out, err) = (text(&o.stdout), text(&o.stderr));
        assert!(o.status.success(), "{func}: {err}");
        assert!(
            out.contains(&format!("[{form}]")),
            "{func} does not push with {form}:\n{out}"
        );
        assert_eq!(stat(&err, "jit side exits:"), 0, "{func}: {err}");
    }
}

/// `UnboxList` fails in every form of its stencil as the interpreter does: for each number of
/// cached i64 registers, with and without cached f64 slots, a function casts the elements of
/// a `list<any>` to `list<int>` until one is a string, printing its cached values on the way.
/// The failing cast takes the form's call path (spill, routine, reload, side exit); output,
/// error and exit status must equal `--jit=off`'s, and the form must be the one emitted.
#[test]
fn unbox_list_fails_alike_in_every_cache_form() {
    const SHAPES: &[(&str, &str)] = &[
        (
            "unbox_list",
            "fun f(vs: list<any>, n: int, k: int): int {
  let a = vs[0] as list<int>
  let b = vs[2] as list<int>
  return len(a) + len(b)
}",
        ),
        (
            "unbox_list_c1",
            "fun f(vs: list<any>, n: int, k: int): int {
  var i = 0
  while i < 4 {
    print(vs[i] as list<int>)
    i = i + 1
  }
  return i
}",
        ),
        (
            "unbox_list_c2",
            "fun f(vs: list<any>, n: int, k: int): int {
  for i in 0..n {
    print(vs[i] as list<int>)
  }
  return n
}",
        ),
        (
            "unbox_list_c3",
            "fun f(vs: list<any>, n: int, k: int): int {
  for i in 0..n {
    let l = vs[i] as list<int>
    print(len(l))
  }
  return n
}",
        ),
        (
            "unbox_list_c4",
            "fun f(vs: list<any>, n: int, k: int): int {
  var t = 0
  for i in 0..n {
    let l = vs[i] as list<int>
    t = t + len(l)
    print(t)
  }
  return t
}",
        ),
        (
            "unbox_list_c5",
            "fun f(vs: list<any>, n: int, k: int): int {
  var t = 0
  for i in 0..n {
    let l = vs[i] as list<int>
    t = t + len(l) * k
    print(t)
  }
  return t
}",
        ),
        (
            "unbox_list_c6",
            "fun f(vs: list<any>, n: int, k: int): int {
  var t = 0
  var u = 1
  for i in 0..n {
    let l = vs[i] as list<int>
    t = t + len(l) * k
    u = u + t
    print(t, u)
  }
  return t
}",
        ),
        (
            "unbox_list_f",
            "fun f(vs: list<any>, n: int, k: int): int {
  var x = 0.5
  let v = vs[2]
  var l = vs[0] as list<int>
  while x < 10.0 {
    x = x * 2.0
    print(x)
    l = v as list<int>
  }
  return len(l)
}",
        ),
        (
            "unbox_list_f_c1",
            "fun f(vs: list<any>, n: int, k: int): int {
  var x = 0.5
  var i = 0
  while i < 4 {
    print(vs[i] as list<int>, x)
    x = x * 2.0
    i = i + 1
  }
  return i
}",
        ),
        (
            "unbox_list_f_c2",
            "fun f(vs: list<any>, n: int, k: int): int {
  var x = 0.5
  for i in 0..n {
    print(vs[i] as list<int>, x)
    x = x * 2.0
  }
  return n
}",
        ),
        (
            "unbox_list_f_c3",
            "fun f(vs: list<any>, n: int, k: int): int {
  var x = 0.5
  for i in 0..n {
    let l = vs[i] as list<int>
    x = x * 2.0
    print(len(l), x)
  }
  return n
}",
        ),
        (
            "unbox_list_f_c4",
            "fun f(vs: list<any>, n: int, k: int): int {
  var x = 0.5
  var t = 0
  for i in 0..n {
    let l = vs[i] as list<int>
    t = t + len(l)
    x = x * 2.0
    print(t, x)
  }
  return t
}",
        ),
        (
            "unbox_list_f_c5",
            "fun f(vs: list<any>, n: int, k: int): int {
  var x = 0.5
  var t = 0
  for i in 0..n {
    let l = vs[i] as list<int>
    t = t + len(l) * k
    x = x * 2.0
    print(t, x)
  }
  return t
}",
        ),
        (
            "unbox_list_f_c6",
            "fun f(vs: list<any>, n: int, k: int): int {
  var x = 0.5
  var t = 0
  var u = 1
  for i in 0..n {
    let l = vs[i] as list<int>
    t = t + len(l) * k
    u = u + t
    x = x * 2.0
    print(t, u, x)
  }
  return t
}",
        ),
    ];
    let main = "\nlet vs: list<any> = [[1], [2, 3], \"x\", [4]]\nprint(f(vs, 4, 2))\n";
    let dir = std::env::temp_dir();
    for (form, body) in SHAPES {
        let path = dir.join(format!("mochi_unbox_{form}_{}.mochi", std::process::id()));
        std::fs::write(&path, format!("{body}{main}")).unwrap();
        let run = |args: &[&str]| run_form(&path, *form == "unbox_list", args);
        let (off, native) = (run(&["--jit=off"]), run(&["--jit=always"]));
        assert_eq!(off.status.code(), Some(1), "{form}: {}", text(&off.stderr));
        assert!(
            text(&off.stderr).contains("cannot cast \"x\" to list<int>"),
            "{form}"
        );
        assert_eq!(native.status.code(), off.status.code(), "{form}");
        assert_eq!(text(&native.stdout), text(&off.stdout), "{form}");
        assert_eq!(text(&native.stderr), text(&off.stderr), "{form}");
        let dump = run(&["--jit=always", "--dump-jit=f"]);
        assert!(
            text(&dump.stdout).contains(&format!("[{form}]")),
            "f does not cast with {form}:\n{}",
            text(&dump.stdout)
        );
        let _ = std::fs::remove_file(&path);
    }
}

/// `MapGet` and `MapSet` run in every form of their stencils as in the interpreter: for each
/// number of cached i64 registers, with and without cached f64 slots, a function gets and sets
/// keys of an int-keyed map inside its dense span (the inline case), absent ones inside it, the
/// key just past it (the span grows), negative and far keys (the hash part): each but the
/// first through the call of the op's routine. Output must equal `--jit=off`'s, the forms must
/// be the ones emitted (`map_get`'s keeping forms `map_get_k_cN` where no f64 slot is cached),
/// and nothing may side-exit.
#[test]
fn map_access_runs_alike_in_every_cache_form() {
    // (form suffix, shape)
    const SHAPES: &[(&str, &str)] = &[
        (
            "",
            "fun f(m: map<int, int>, n: int, k: int): int {
  m[n] = k
  m[-1] = 7
  m[1000] = 3
  return m[0] + m[n] + m[-1] + m[1000] + m[5000]
}",
        ),
        (
            "_c1",
            "fun f(m: map<int, int>, n: int, k: int): int {
  var i = 0
  while i < 20 {
    m[i] = m[i]
    i = i + 1
  }
  return i
}",
        ),
        (
            "_c2",
            "fun f(m: map<int, int>, n: int, k: int): int {
  for i in -2..n {
    m[i] = m[i]
  }
  return n
}",
        ),
        (
            "_c3",
            "fun f(m: map<int, int>, n: int, k: int): int {
  for i in -2..n {
    m[i] = m[i] + 1
  }
  return n
}",
        ),
        (
            "_c4",
            "fun f(m: map<int, int>, n: int, k: int): int {
  var t = 0
  for i in -2..n {
    m[i] = m[i] + 1
    t = t + m[i]
  }
  return t
}",
        ),
        (
            "_c5",
            "fun f(m: map<int, int>, n: int, k: int): int {
  var t = 0
  for i in -2..n {
    m[i] = m[i] + k
    t = t + m[i]
  }
  return t
}",
        ),
        (
            "_c6",
            "fun f(m: map<int, int>, n: int, k: int): int {
  var t = 0
  var u = 1
  for i in -2..n {
    m[i * k] = m[i] + k
    t = t + m[i * 9]
    u = u + t
  }
  return t + u
}",
        ),
        (
            "_f",
            "fun f(m: map<int, int>, n: int, k: int): int {
  var x = 0.5
  while x < 100.0 {
    x = x * 2.0
    m[k] = m[n]
  }
  print(x)
  return m[k]
}",
        ),
        (
            "_f_c1",
            "fun f(m: map<int, int>, n: int, k: int): int {
  var x = 0.5
  var i = 0
  while i < 20 {
    x = x * 1.5 + 0.25
    m[i] = m[i]
    i = i + 1
  }
  print(x)
  return i
}",
        ),
        (
            "_f_c2",
            "fun f(m: map<int, int>, n: int, k: int): int {
  var x = 0.5
  for i in -2..n {
    x = x * 1.5 + 0.25
    m[i] = m[i]
  }
  print(x)
  return n
}",
        ),
        (
            "_f_c3",
            "fun f(m: map<int, int>, n: int, k: int): int {
  var x = 0.5
  for i in -2..n {
    x = x * 1.5 + 0.25
    m[i] = m[i] + 1
  }
  print(x)
  return n
}",
        ),
        (
            "_f_c4",
            "fun f(m: map<int, int>, n: int, k: int): int {
  var x = 0.5
  var t = 0
  for i in -2..n {
    x = x * 1.5 + 0.25
    m[i] = m[i] + 1
    t = t + m[i]
  }
  print(x)
  return t
}",
        ),
        (
            "_f_c5",
            "fun f(m: map<int, int>, n: int, k: int): int {
  var x = 0.5
  var t = 0
  for i in -2..n {
    x = x * 1.5 + 0.25
    m[i] = m[i] + k
    t = t + m[i]
  }
  print(x)
  return t
}",
        ),
        (
            "_f_c6",
            "fun f(m: map<int, int>, n: int, k: int): int {
  var x = 0.5
  var t = 0
  var u = 1
  for i in -2..n {
    x = x * 1.5 + 0.25
    m[i * k] = m[i] + k
    t = t + m[i * 9]
    u = u + t
  }
  print(x)
  return t + u
}",
        ),
    ];
    let main = "\nvar m: map<int, int> = {:}\nfor i in 0..6 { m[i] = i * 10 }\nprint(f(m, 12, 3))\nprint(len(m), m[0], m[7], m[11], m[-2], m[100])\nprint(values(m))\n";
    // (in a function that caches i64 registers and no f64 slot, the keeping forms)
    let (keeping, other): (Vec<_>, Vec<_>) = SHAPES
        .iter()
        .copied()
        .partition(|(s, _)| s.starts_with("_c"));
    check_cache_forms(&["map_get_k", "map_set_k"], &keeping, main);
    check_cache_forms(&["map_get", "map_set"], &other, main);
}

/// `ConcatStr` runs in every form of its stencil as in the interpreter: for each number of
/// cached i64 registers, with and without cached f64 slots, a function appends short pieces
/// (the inline case: in place, a slot off the free list), pieces over 16 bytes, empty strings
/// and non-ASCII text (through the routine), and extends one string twice (the second append
/// must copy, not overwrite the first). Output must equal `--jit=off`'s, the form must be the
/// one emitted, and nothing may side-exit.
#[test]
fn concat_str_runs_alike_in_every_cache_form() {
    // (form suffix, shape)
    const SHAPES: &[(&str, &str)] = &[
        (
            "",
            "fun f(s: string, n: int, k: int): string {
  let a = s + \"x\"
  let b = a + \"y\"
  let c = a + \"z\"
  return b + c + s + \"\" + b
}",
        ),
        (
            "_c1",
            "fun f(s: string, n: int, k: int): string {
  var t = s
  var i = 0
  while i < 20 {
    t = t + \"0123456789abcdefg\"
    t = t + \".\"
    i = i + 1
  }
  return t
}",
        ),
        (
            "_c2",
            "fun f(s: string, n: int, k: int): string {
  var t = \"\"
  for i in 0..n {
    t = t + s
    let u = t + \"!\"
    t = t + \"-\"
  }
  return t
}",
        ),
        (
            "_c3",
            "fun f(s: string, n: int, k: int): string {
  var t = \"\"
  var m = 0
  for i in 0..n {
    t = t + s
    m = m + 1
  }
  return t + str(m)
}",
        ),
        (
            "_c4",
            "fun f(s: string, n: int, k: int): string {
  var t = \"\"
  var m = 0
  for i in 0..n {
    t = t + s + \"/\"
    m = m + k
  }
  return t + str(m)
}",
        ),
        (
            "_c5",
            "fun f(s: string, n: int, k: int): string {
  var t = s
  var m = 0
  for i in 0..n {
    t = t + str(i * k + 1) + s
    m = m + len(t) * k
  }
  return t + str(m)
}",
        ),
        (
            "_c6",
            "fun f(s: string, n: int, k: int): string {
  var t = s
  var m = 0
  var q = 1
  for i in 0..n {
    t = t + str(i * k + 1) + s
    m = m + len(t) * k
    q = q + m % 7
  }
  return t + str(m) + str(q)
}",
        ),
        (
            "_f",
            "fun f(s: string, n: int, k: int): string {
  var x = 0.5
  var t = s
  while x < 100.0 {
    x = x * 2.0
    t = t + s + \".\"
  }
  return str(x) + t
}",
        ),
        (
            "_f_c1",
            "fun f(s: string, n: int, k: int): string {
  var x = 0.5
  var t = s
  var i = 0
  while i < 20 {
    x = x * 1.5 + 0.25
    t = t + \"0123456789abcdefg\"
    t = t + \".\"
    i = i + 1
  }
  return str(x) + t
}",
        ),
        (
            "_f_c2",
            "fun f(s: string, n: int, k: int): string {
  var x = 0.5
  var t = \"\"
  for i in 0..n {
    x = x * 1.5 + 0.25
    t = t + s
    let u = t + \"!\"
    t = t + \"-\"
  }
  return str(x) + t
}",
        ),
        (
            "_f_c3",
            "fun f(s: string, n: int, k: int): string {
  var x = 0.5
  var t = \"\"
  var m = 0
  for i in 0..n {
    x = x * 1.5 + 0.25
    t = t + s
    m = m + 1
  }
  return str(x) + t + str(m)
}",
        ),
        (
            "_f_c4",
            "fun f(s: string, n: int, k: int): string {
  var x = 0.5
  var t = \"\"
  var m = 0
  for i in 0..n {
    x = x * 1.5 + 0.25
    t = t + s + \"/\"
    m = m + k
  }
  return str(x) + t + str(m)
}",
        ),
        (
            "_f_c5",
            "fun f(s: string, n: int, k: int): string {
  var x = 0.5
  var t = s
  var m = 0
  for i in 0..n {
    x = x * 1.5 + 0.25
    t = t + str(i * k + 1) + s
    m = m + len(t) * k
  }
  return str(x) + t + str(m)
}",
        ),
        (
            "_f_c6",
            "fun f(s: string, n: int, k: int): string {
  var x = 0.5
  var t = s
  var m = 0
  var q = 1
  for i in 0..n {
    x = x * 1.5 + 0.25
    t = t + str(i * k + 1) + s
    m = m + len(t) * k
    q = q + m % 7
  }
  return str(x) + t + str(m) + str(q)
}",
        ),
    ];
    let main = "\nprint(f(\"ab\", 5, 3))\nprint(f(\"\", 3, 1))\nprint(f(\"h\u{e9}llo w\u{f6}rld, a longer piece\", 2, 2))\n";
    check_cache_forms(&["concat_str"], SHAPES, main);
}

/// `AppendStr` (an owned string local's `t = t + s`) runs in every form of its stencil as in
/// the interpreter: for each number of cached i64 registers, with and without cached f64
/// slots, a function appends to its own string from a constant start (the first append makes
/// the local's slot through the routine, the next ones extend it in place), with pieces of
/// 1 to 16 bytes (inline), longer and empty ones and non-ASCII text, and a plain
/// concatenation onto a slice of its end in between (the next append must copy).
#[test]
fn append_str_runs_alike_in_every_cache_form() {
    let shapes: Vec<(String, String)> = (0..=6)
        .flat_map(|n| [(n, false), (n, true)])
        .map(|(n, f)| append_str_shape(n, f))
        .collect();
    let shapes: Vec<(&str, &str)> = shapes
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let main = "\nprint(f(\"ab\", 5, 3))\nprint(f(\"\", 3, 1))\nprint(f(\"h\u{e9}llo w\u{f6}rld, a longer piece\", 4, 2))\nprint(len(f(\"0123456789\", 300, 7)))\n";
    check_cache_forms(&["append_str"], &shapes, main);
}

/// A function `f(s, n, k)` whose loop keeps `regs` i64 slots in registers (none and no loop
/// when 0) and, with `float`, an f64 slot too, around `t = t + s` and `t = t + "-"` on its
/// owned string `t` (the loop bodies use no other i64 temporaries, which would be cached
/// too); the loop-free form also concatenates onto a slice of `t`'s end before appending
/// again. (form suffix, source).
fn append_str_shape(regs: usize, float: bool) -> (String, String) {
    let suffix = match (regs, float) {
        (0, false) => String::new(),
        (0, true) => "_f".to_string(),
        (n, false) => format!("_c{n}"),
        (n, true) => format!("_f_c{n}"),
    };
    let appends = "    t = t + s\n    t = t + \"-\"\n";
    let mut src = "fun f(s: string, n: int, k: int): string {\n  var t = \"<\"\n".to_string();
    if float {
        src += "  var x = 0.5\n";
    }
    let acc: Vec<String> = (0..regs.saturating_sub(2))
        .map(|j| format!("m{j}"))
        .collect();
    for m in &acc {
        src += &format!("  var {m} = {}\n", acc.len());
    }
    let fbody = if float {
        "    x = x * 1.5 + 0.25\n"
    } else {
        ""
    };
    match regs {
        0 if !float => {
            src += &appends.replace("    ", "  ");
            src += "  let e = t[len(t) - 2:]\n  let g = e + \"!\"\n  t = t + s + \"=\"\n  print(e + g)\n";
            src += "  t = t + \"\" + \"0123456789abcdefghij\"[0:k]\n";
        }
        // (each loop has a `return`, never taken, so that it appends with AppendStr, not
        // through an append view: programs/str_append_views.mochi has those)
        0 => src += &format!(
            "  while x < 100.0 {{\n{fbody}    if x < 0.0 {{ return t }}\n{appends}  }}\n"
        ),
        1 => {
            src += &format!(
                "  var i = 0\n  while i < 6 {{\n{fbody}    if i < 0 {{ return t }}\n{appends}    i = i + 1\n  }}\n"
            )
        }
        _ => {
            src += &format!("  for i in 0..n {{\n{fbody}    if i < 0 {{ return t }}\n{appends}");
            for m in &acc {
                src += &format!("    {m} = {m} + i\n");
            }
            src += "  }\n";
        }
    }
    for m in &acc {
        src += &format!("  print({m})\n");
    }
    if float {
        src += "  print(x)\n";
    }
    src += "  return t\n}";
    (suffix, src)
}

/// `NewList` runs in every form of its stencil as in the interpreter: empty lists made inline
/// (a slot off the free list), lists with a capacity through the routine, then grown, nested
/// and printed.
#[test]
fn new_list_runs_alike_in_every_cache_form() {
    let shapes = new_list_shapes();
    let shapes: Vec<(&str, &str)> = shapes
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    check_cache_forms(&["new_list"], &shapes, NEW_LIST_MAIN);
}

/// `NewListSmall` (a literal of 1 to 4 elements) in every form of its stencil, in the shapes of
/// `new_list`'s test with `[k, n]` for `[]`; `main` makes enough garbage for collections, so
/// that buffers are kept and the inline path reuses them.
#[test]
fn new_list_small_runs_alike_in_every_cache_form() {
    let main = "\nvar t = 0\nfor r in 0..3000 {\n  t = t + len(f(40, r))\n}\nprint(t)\nprint(f(5, 3))\nprint(f(0, 1))\n";
    let shapes: Vec<(String, String)> = new_list_shapes()
        .into_iter()
        .map(|(sfx, body)| (sfx, body.replace("list<int> = []", "list<int> = [k, n]")))
        .collect();
    let shapes: Vec<(&str, &str)> = shapes
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    check_cache_forms(&["new_list_small"], &shapes, main);
}

const NEW_LIST_MAIN: &str = "\nprint(f(5, 3))\nprint(f(0, 1))\n";

/// Functions `f` whose `NewList` (`[]`) is compiled in each cache form, by form suffix: the
/// shapes below, and each `_cN` shape again as `_f_cN` with an f64 accumulator added (the
/// function then caches an f64 slot too).
fn new_list_shapes() -> Vec<(String, String)> {
    let mut shapes: Vec<(String, String)> = NEW_LIST_SHAPES
        .iter()
        .map(|(sfx, body)| (sfx.to_string(), body.to_string()))
        .collect();
    for (sfx, body) in NEW_LIST_SHAPES
        .iter()
        .filter(|(sfx, _)| sfx.starts_with("_c"))
    {
        let mut f = String::new();
        for (i, line) in body.lines().enumerate() {
            match line {
                "    var e: list<int> = []" => f.push_str("    x = x * 1.5 + 0.25\n"),
                "  return out" => f.push_str("  print(x)\n"),
                _ => {}
            }
            f.push_str(line);
            f.push('\n');
            if i == 0 {
                f.push_str("  var x = 0.5\n");
            }
        }
        shapes.push((format!("_f{sfx}"), f.trim_end().to_string()));
    }
    assert_eq!(shapes.len(), 14, "every cache form of the stencil");
    shapes
}

const NEW_LIST_SHAPES: &[(&str, &str)] = &[
    (
        "",
        "fun f(n: int, k: int): list<list<int>> {
  var a: list<int> = []
  var b: list<int> = []
  a = append(a, n)
  let c: list<list<int>> = [a, b, []]
  return c
}",
    ),
    (
        "_c1",
        "fun f(n: int, k: int): list<list<int>> {
  var out: list<list<int>> = []
  var i = 0
  while i < 4 {
    var e: list<int> = []
    out = append(out, e)
    i = i + 1
  }
  return out
}",
    ),
    (
        "_c2",
        "fun f(n: int, k: int): list<list<int>> {
  var out: list<list<int>> = []
  for i in 0..n {
    var e: list<int> = []
    out = append(out, e)
  }
  return out
}",
    ),
    (
        "_c3",
        "fun f(n: int, k: int): list<list<int>> {
  var out: list<list<int>> = []
  for i in 0..n {
    var e: list<int> = []
    e = append(e, i + 1)
    out = append(out, e)
  }
  return out
}",
    ),
    (
        "_c4",
        "fun f(n: int, k: int): list<list<int>> {
  var out: list<list<int>> = []
  var m = 0
  for i in 0..n {
    var e: list<int> = []
    m = m + k
    e = append(e, m)
    out = append(out, e)
  }
  return out
}",
    ),
    (
        "_c5",
        "fun f(n: int, k: int): list<list<int>> {
  var out: list<list<int>> = []
  var m = 0
  for i in 0..n {
    var e: list<int> = []
    m = m + k * i
    e = append(e, m)
    out = append(out, e)
  }
  return out
}",
    ),
    (
        "_c6",
        "fun f(n: int, k: int): list<list<int>> {
  var out: list<list<int>> = []
  var m = 0
  var q = 1
  for i in 0..n {
    var e: list<int> = []
    m = m + k * i
    q = q + m % 7
    e = append(e, m + q)
    out = append(out, e)
  }
  return out
}",
    ),
    (
        "_f",
        "fun f(n: int, k: int): list<list<int>> {
  var out: list<list<int>> = []
  var x = 0.5
  while x < 100.0 {
    x = x * 2.0
    var e: list<int> = []
    out = append(out, e)
  }
  print(x)
  return out
}",
    ),
];

/// `mochi run ARGS PATH` for a shape of a stencil's forms. `no_cache`: the shape is of the
/// form for no cached register, a function without loops, which by default caches the i64
/// slots it uses; `MOCHI_JIT_CACHE_LOOP_FREE=0` keeps them in memory.
fn run_form(path: &std::path::Path, no_cache: bool, args: &[&str]) -> std::process::Output {
    let cache = if no_cache { "0" } else { "1" };
    (mochi()
        .env("MOCHI_JIT_CACHE_LOOP_FREE", cache)
        .arg("run")
        .args(args))
    .arg(path)
    .output()
    .unwrap()
}

/// Each shape (a function `f` in one cache form of the stencils `stencils`, named by its form
/// suffix) followed by `main` prints under `--jit=always` what it prints under `--jit=off`,
/// takes no side exit, and really uses those forms (`--dump-jit=f`).
fn check_cache_forms(stencils: &[&str], shapes: &[(&str, &str)], main: &str) {
    let dir = std::env::temp_dir();
    for (suffix, body) in shapes {
        let name = format!("mochi_{}{suffix}_{}.mochi", stencils[0], std::process::id());
        let path = dir.join(name);
        std::fs::write(&path, format!("{body}{main}")).unwrap();
        let run = |args: &[&str]| run_form(&path, suffix.is_empty(), args);
        let off = run(&["--jit=off"]);
        let native = run(&["--jit=always", "--stats"]);
        let err = text(&native.stderr);
        assert!(off.status.success(), "{suffix}: {}", text(&off.stderr));
        assert!(native.status.success(), "{suffix}: {err}");
        assert_eq!(text(&native.stdout), text(&off.stdout), "{suffix}");
        let out = text(&run(&["--jit=always", "--dump-jit=f"]).stdout);
        for st in stencils {
            assert!(
                out.contains(&format!("[{st}{suffix}]")),
                "f does not use {st}{suffix}:\n{out}"
            );
        }
        assert_eq!(stat(&err, "jit side exits:"), 0, "{suffix}: {err}");
        let _ = std::fs::remove_file(&path);
    }
}
