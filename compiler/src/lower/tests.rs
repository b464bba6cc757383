//! Lowering tests: Mochi source -> parse -> check -> lower -> run in the interpreter, output
//! compared; plus checks of the code shape (fused branches, loop ops, frame layout).

use crate::compile_source;
use tier1_interp::{JitMode, Options, RunStats};
use vm::ops::Op;
use vm::runtime::{CapturedOutput, Runtime};

/// Compile and run `src` with the interpreter; stdout, or `Err(message)` for a compile or
/// runtime error (stdout before a runtime error is appended to the message).
fn run(src: &str) -> Result<String, String> {
    let mut prog = compile_source(src).map_err(|e| format!("compile: {}", e.message))?;
    let (r, out) = tier1_interp::run_captured(&mut prog);
    match r {
        Ok(()) => Ok(out),
        Err(e) => Err(format!(
            "{}:{}: {}\n{}",
            e.pos.line, e.pos.col, e.message, out
        )),
    }
}

fn out(src: &str) -> String {
    match run(src) {
        Ok(s) => s,
        Err(e) => panic!("program failed: {e}\n--- source ---\n{src}"),
    }
}

#[test]
fn hello_and_arithmetic() {
    assert_eq!(
        out("print(\"hello\")\nprint(1 + 2 * 3, 7 / 2, -7 % 3)"),
        "hello\n7 3 -1\n"
    );
    assert_eq!(out("let x = 1.5\nprint(x * 2.0, x + 1)"), "3 2.5\n");
}

#[test]
fn control_flow_and_functions() {
    let src = r#"
fun fib(n: int): int {
  if n < 2 { return n }
  return fib(n - 1) + fib(n - 2)
}
var s = 0
for i in 0..10 { s = s + i }
var j = 0
while j < 5 { j = j + 1 if j == 3 { continue } }
print(fib(20), s, j)
var k = 0
for i in 0..100 { if i > 4 { break } k = k + 1 }
print(k)
"#;
    assert_eq!(out(src), "6765 45 5\n5\n");
}

#[test]
fn strings() {
    let src = r#"
let s = "héllo"
print(len(s), s[1], s[-1], s[1:3], substring(s, 0, 2))
print(s + " " + str(42) + str(1.5) + str(true))
print(upper("abc"), lower("ABC"), trim("  x  "), "ell" in s, s.contains("lo"))
print(split("a,b,c", ","), join(["x", "y"], "-"), indexOf("hello", "l"), repeat("ab", 3))
print(padStart("7", 3, "0"), parseIntStr("42"), "12" as int + 1, reverse("abc"))
var t = ""
for c in "xyz" { t = c + t }
print(t, "a" < "b", "b" <= "a", "abc" == "abc", "x" != "y")
"#;
    assert_eq!(
        out(src),
        "5 é o él hé\nhéllo 421.5true\nABC abc x false true\n[\"a\", \"b\", \"c\"] x-y 2 ababab\n007 42 13 cba\nzyx true false true true\n"
    );
}

#[test]
fn lists() {
    let src = r#"
var xs = [1, 2, 3]
xs[0] = 10
xs = append(xs, 4)
print(xs, len(xs), xs[-1], xs[1:3], 2 in xs, 9 in xs)
print(sum(xs), avg([1, 2, 3]), min(xs), max(xs), reverse(xs), count(xs))
var t = 0
for x in xs { t = t + x }
print(t, [1.5, 2.0], ["a", "b"], [[1], [2, 3]], xs + [5])
let fs = [1.5, 2.5]
print(fs[1] * 2.0, sum(fs), exists(xs), exists([]))
print(str([1, 2, 3]), distinct([1, 1, 2]), first([7, 8]), concat([1], [2], [3]))
"#;
    assert_eq!(
        out(src),
        "[10, 2, 3, 4] 4 4 [2, 3] true false\n19 2 2 10 [4, 3, 2, 10] 4\n19 [1.5, 2.0] [\"a\", \"b\"] [[1], [2, 3]] [10, 2, 3, 4, 5]\n5 4 true false\n[1 2 3] [1, 2] 7 [1, 2, 3]\n"
    );
}

#[test]
fn list_index_errors_name_the_position() {
    let e = run("let xs = [1, 2]\nprint(xs[5])").unwrap_err();
    assert!(e.starts_with("2:"), "{e}");
    assert!(e.contains("list index out of range: 5 (len 2)"), "{e}");
    let e = run("print(\"ab\"[2])").unwrap_err();
    assert!(e.contains("string index out of range: 2 (len 2)"), "{e}");
}

#[test]
fn maps() {
    let src = r#"
var m = {"b": 2, "a": 1}
m["c"] = 3
print(m, len(m), m["a"], "a" in m, "z" in m)
var ks = ""
for k in m { ks = ks + k }
print(ks, keys(m), values(m))
let n = {1: "one", 2: "two"}
print(n[2], str(m))
var counts: map<string, int> = {}
for w in ["x", "y", "x"] { counts[w] = counts[w] + 1 }
print(counts)
"#;
    assert_eq!(
        out(src),
        "{\"a\": 1, \"b\": 2, \"c\": 3} 3 1 true false\nabc [\"a\", \"b\", \"c\"] [1, 2, 3]\ntwo map[a:1 b:2 c:3]\n{\"x\": 2, \"y\": 1}\n"
    );
}

#[test]
fn structs_and_methods() {
    let src = r#"
type Point { x: int, y: float, name: string
  fun norm1(): float { return x + y }
}
var p = Point { x: 1, y: 2.5, name: "p" }
p.x = 3
print(p.x, p.y, p.name, p.norm1())
print(p)
fun bump(q: Point) { q.x = q.x + 1 }
bump(p)
print(p.x, p == Point { x: 4, y: 2.5, name: "p" })
"#;
    assert_eq!(
        out(src),
        "3 2.5 p 5.5\n{\"__name\": \"Point\", \"name\": \"p\", \"x\": 3, \"y\": 2.5}\n4 true\n"
    );
}

#[test]
fn unions_and_match() {
    let src = r#"
type Shape = Circle(r: float) | Rect(w: float, h: float) | Empty
fun area(s: Shape): float {
  return match s {
    Circle(r) => 3.0 * r * r
    Rect(w, h) => w * h
    Empty => 0.0
  }
}
print(area(Circle(2.0)), area(Rect(2.0, 3.0)), area(Empty))
fun name(n: int): string {
  return match n { 1 => "one" 2 => "two" _ => "many" }
}
print(name(1), name(2), name(7))
let w = match "b" { "a" => 1 "b" => 2 _ => 3 }
print(w)
"#;
    assert_eq!(out(src), "12 6 0\none two many\n2\n");
}

#[test]
fn closures_capture_by_value() {
    let src = r#"
fun adder(n: int): fun(int): int {
  return fun(x: int): int => x + n
}
let add2 = adder(2)
print(add2(40))
fun cap(): int {
  var k = 1
  let f = fun(): int => k * 10
  k = 5
  return f() + k
}
print(cap(), 5)
fun twice(g: fun(int): int, x: int): int { return g(g(x)) }
fun inc(x: int): int { return x + 1 }
print(twice(inc, 5), twice(add2, 1))
fun outer(): int {
  let base = 100
  fun inner(y: int): int { return base + y }
  return inner(1) + inner(2)
}
print(outer())
let xs = [1, 2]
let g = fun(): int => len(xs)
print(g())
"#;
    // (Top-level variables are globals: closures read them live; locals are copied.)
    assert_eq!(out(src), "42\n15 5\n7 5\n203\n2\n");
}

#[test]
fn optionals_any_and_casts() {
    let src = r#"
var o: int? = nil
print(o ?? 7)
o = 3
print(o ?? 7)
let a: any = 5
print(a, a as int + 1)
let f = 2.9
print(f as int, int(f), float(3), "2.5" as float)
let m = {"x": 1, "y": 2}
print(m)
"#;
    assert_eq!(out(src), "7\n3\n5 6\n2 2 3 2.5\n{\"x\": 1, \"y\": 2}\n");
    let e = run("let a: any = \"x\"\nprint(a as int)").unwrap_err();
    assert!(e.contains("cannot cast"), "{e}");
}

#[test]
fn if_expressions_short_circuit_and_globals() {
    let src = r#"
var calls = 0
fun t(): bool { calls = calls + 1 return true }
let a = false && t()
let b = true || t()
let c = if calls == 0 then "none" else "some"
print(a, b, calls, c)
fun rec(n: int): int { return if n == 0 then 0 else 1 + rec(n - 1) }
print(rec(50))
var g = 1
fun setg() { g = g + 10 }
setg()
print(g)
"#;
    assert_eq!(out(src), "false true 0 none\n50\n11\n");
}

#[test]
fn math_builtins() {
    let src = r#"
print(pow(2, 10), abs(-3), abs(-2.5), floor(2.7), ceil(2.1), sqrt(16.0), round(2.567, 2))
let n = now()
print(n > 0)
"#;
    assert_eq!(out(src), "1024 3 2.5 2 3 4 2.57\ntrue\n");
}

#[test]
fn runtime_errors() {
    assert!(run("print(1 / (1 - 1))")
        .unwrap_err()
        .contains("division by zero"));
    let e = run("let x = 9223372036854775807\nprint(x + 1)").unwrap_err();
    assert!(e.contains("integer overflow"), "{e}");
    let e = run("fun f(n: int): int { return f(n + 1) }\nprint(f(0))").unwrap_err();
    assert!(e.contains("call stack exceeded"), "{e}");
}

#[test]
fn print_trims_with_three_or_more_arguments() {
    assert_eq!(
        out("print(\" a\", \"b \")\nprint(\" a\", \"b\", \"c \")"),
        " a b \na b c\n"
    );
}

#[test]
fn test_blocks_and_expect() {
    let src = "test \"t\" {\n  expect 1 + 1 == 2\n}\nprint(\"after\")";
    assert_eq!(out(src), "after\n");
    let e = run("expect 1 == 2").unwrap_err();
    assert!(e.contains("expect condition failed"), "{e}");
}

/// Ops of the function named `name`.
fn ops_of(src: &str, name: &str) -> Vec<Op> {
    let p = compile_source(src).unwrap();
    let f = p.funcs.iter().find(|f| f.name == name).unwrap();
    f.code.iter().map(|i| i.op).collect()
}

#[test]
fn conditions_use_fused_branches_and_loops_inc_jlt() {
    let ops = ops_of(
        "fun f(n: int): int { var t = 0 for i in 0..n { if i < 5 { t = t + i } } while t > n { t = t - 1 } return t }",
        "f",
    );
    assert!(ops.contains(&Op::IncJLtI64), "{ops:?}");
    assert!(ops.contains(&Op::JGeI64Imm), "{ops:?}");
    assert!(ops.contains(&Op::JLtI64), "{ops:?}");
    assert!(ops.contains(&Op::AddI64Imm), "{ops:?}");
    assert!(
        !ops.contains(&Op::LtI64) && !ops.contains(&Op::JmpFalse),
        "{ops:?}"
    );
    // `t = t + i` writes t's slot: no moves inside the loop.
    let head = ops.iter().position(|o| *o == Op::JLeI64).unwrap();
    assert!(!ops[head..].contains(&Op::MovI64), "{ops:?}");
}

#[test]
fn parameters_come_first_in_the_frame() {
    let p = compile_source(
        "fun f(a: int, s: string, x: float) { let y = a + 1 print(y, s, x) }\nf(1, \"s\", 2.0)",
    )
    .unwrap();
    let f = p.funcs.iter().find(|f| f.name == "f").unwrap();
    use vm::program::Bank;
    assert_eq!(f.params, vec![Bank::I64, Bank::Cell, Bank::F64]);
    assert_eq!(f.first_i64_word(), 7);
    // y = a + 1: a is word 4, y the first i64 slot.
    assert!(f
        .code
        .iter()
        .any(|i| i.op == Op::AddI64Imm && i.b == 4 && i.a == 7));
}

#[test]
fn closures_take_a_hidden_parameter_only_with_captures() {
    let p = compile_source(
        "fun mk(n: int): fun(int): int { return fun(x: int): int => x + n }\nprint(mk(1)(2))",
    )
    .unwrap();
    let anon = p
        .funcs
        .iter()
        .find(|f| f.closure_param)
        .expect("a closure function");
    assert_eq!(anon.params.len(), 2);
    assert_eq!(anon.captures.len(), 1);
    assert!(p.funcs.iter().filter(|f| f.closure_param).count() == 1);
}

/// Run with the collector in stress mode (a collection at every allocating op); returns the
/// output and the heap's statistics.
fn run_stressed(src: &str) -> (String, arenas::GcStats, usize) {
    let mut prog = compile_source(src).unwrap();
    let sink = CapturedOutput::default();
    let mut rt = Runtime::new(prog.heap.take().unwrap(), Box::new(sink.clone()));
    rt.heap.set_stress(true);
    let opts = Options {
        mode: JitMode::Off,
        ..Options::default()
    };
    let r = tier1_interp::run(&prog, &mut rt, None, opts, &mut RunStats::default());
    rt.flush();
    if let Err(e) = r {
        panic!("{}:{}: {}", e.pos.line, e.pos.col, e.message);
    }
    let live = rt.heap.live_objects();
    (sink.contents(), rt.heap.gc_stats().clone(), live)
}

const GC_PROGRAM: &str = r#"
type Node { val: int, name: string, kids: list<Node> }
fun build(d: int): Node {
  var kids: list<Node> = []
  if d > 0 {
    kids = append(kids, build(d - 1))
    kids = append(kids, build(d - 1))
  }
  // garbage: strings and lists nobody keeps
  var junk = ""
  for i in 0..5 { junk = junk + str(i) }
  let waste = [junk, junk + "x"]
  return Node { val: d, name: "n" + str(d), kids: kids }
}
fun total(n: Node): int {
  var t = n.val
  for k in n.kids { t = t + total(k) }
  return t
}
fun deep(n: int, acc: list<string>, m: map<string, int>): int {
  if n == 0 {
    // collections happen here, with every caller frame's lists, strings, maps live
    let tree = build(4)
    return total(tree) + len(acc) + len(m)
  }
  let s = "lvl" + str(n)
  m[s] = n
  let f = fun(x: int): int => x + n
  return deep(n - 1, append(acc, s), m) + f(0) - n
}
var names = ["a", "b"]
let m: map<string, int> = {}
print(deep(30, names, m), len(m), names, m["lvl7"])
let t = build(3)
print(t.name, len(t.kids), t.kids[1].kids[0].name, total(t))
"#;

#[test]
fn gc_in_a_deep_call_chain_keeps_live_objects_and_frees_garbage() {
    let expected = out(GC_PROGRAM);
    assert_eq!(expected, "88 30 [\"a\", \"b\"] 7\nn3 2 n1 11\n");
    let (got, stats, live) = run_stressed(GC_PROGRAM);
    assert_eq!(got, expected, "stress mode changed the output");
    assert!(stats.collections > 100, "{stats:?}");
    // Garbage was freed: far fewer live objects than were allocated.
    assert!(live < 2000, "live objects after the run: {live}");
}

#[test]
fn gc_roots_include_cell_parameters_globals_and_closure_captures() {
    let src = r#"
var keep = ["g"]
fun hold(s: string, xs: list<int>, f: fun(): string): string {
  // allocate a lot while s, xs and f are only referenced from this frame's parameters
  var junk = ""
  for i in 0..50 { junk = junk + str(i) }
  return s + str(len(xs)) + f() + keep[0]
}
fun mk(): fun(): string {
  let cap = "c" + str(1)
  return fun(): string => cap + "!"
}
print(hold("s" + str(1), [1, 2, 3], mk()))
"#;
    let (got, stats, _) = run_stressed(src);
    assert_eq!(got, "s13c1!g\n");
    assert!(stats.collections > 50);
}

#[test]
fn nil_where_a_container_was_expected_is_an_error_not_a_crash() {
    assert_eq!(out("type P { x: int }\nvar p: P\nprint(p.x)"), "0\n");
    let e = run("type P { x: int }\nlet m: map<string, P> = {}\nprint(m[\"k\"].x)").unwrap_err();
    assert!(e.contains("invalid use of nil value"), "{e}");
    let e = run("let m: map<string, list<int>> = {}\nprint(m[\"k\"][0])").unwrap_err();
    assert!(e.contains("invalid use of nil value"), "{e}");
    let e = run("let m: map<string, string> = {}\nprint(upper(m[\"k\"]))").unwrap_err();
    assert!(e.contains("invalid use of nil value"), "{e}");
    assert_eq!(
        out("let m: map<string, string> = {}\nprint(m[\"k\"])"),
        "nil\n"
    );
}

#[test]
fn len_of_any_values() {
    let src = "let a: any = [1, 2, 3]\nlet s: any = \"héllo\"\nlet m: any = {\"k\": 1}\nprint(len(a), len(s), len(m))";
    assert_eq!(out(src), "3 5 1\n");
}

#[test]
fn string_index_arguments_stay_rooted_under_gc_stress() {
    // s[i] allocates (a new 1-rune string), so the earlier argument must not sit unrooted in
    // the callee's parameter words while it runs.
    let src = r#"
fun cat(a: string, b: string, c: string): string { return a + b + c }
let s = "ééé" + "xyz"
var out = ""
for i in 0..3 { out = out + cat(s[i], s[i + 1], s[-1]) }
print(out)
"#;
    let (got, stats, _) = run_stressed(src);
    assert_eq!(got, "ééz\u{e9}éz\u{e9}xz\n");
    assert!(stats.collections > 5);
}

#[test]
fn small_leaf_calls_are_inlined_and_the_rest_are_calls() {
    let src = "fun leaf(i: int, j: int): float { let s = i + j\n return 1.0 / (s as float) }
fun looping(n: int): int { var t = 0 for i in 0..n { t = t + i } return t }
fun rec(n: int): int { if n < 1 { return 0 } return rec(n - 1) }
fun caller(n: int): float { return leaf(n, 1) + (looping(n) + rec(n)) as float }
print(caller(3))";
    let ops = ops_of(src, "caller");
    let calls = ops.iter().filter(|o| **o == Op::Call).count();
    // leaf is lowered in place (its division is in the caller); the loop and the
    // recursive function stay calls.
    assert_eq!(calls, 2, "{ops:?}");
    assert!(ops.contains(&Op::DivF64), "{ops:?}");
    assert_eq!(out(src), "3.25\n");
}

#[test]
fn inlined_bodies_keep_call_semantics() {
    let src = r#"
fun pick(x: int): int {
  if x < 0 { return -1 }
  if x == 0 { return 0 }
  return 1
}
fun noisy(tag: string, v: int): int { print(tag) return v }
fun sub(a: int, b: int): int { return a - b }
fun say(s: string) { if s == "" { return } print("say " + s) }
fun first(xs: list<int>): list<int> { return [xs[1], xs[0]] }
fun inc(n: int): int {
  n = n + 1
  return n
}
var x = 5
x = sub(x, 1)
print(x, pick(-3), pick(0), pick(9))
print(sub(noisy("a", 10), noisy("b", 3)))
say("")
say("hi")
var xs = [1, 2]
xs = first(xs)
print(xs)
fun locals() {
  var y = 5
  print(inc(y), y)
  y = inc(y)
  print(y)
}
locals()
fun tail(c: bool): int {
  if c { return 1 }
}
print(tail(true), tail(false))
"#;
    assert_eq!(out(src), "4 -1 0 1\na\nb\n7\nsay hi\n[2, 1]\n6 5\n6\n1 0\n");
}

#[test]
fn nested_arithmetic_reuses_its_destination_and_temporaries() {
    // An operand computed in place into a fresh destination, never into a variable the rest
    // of the expression still reads.
    let src = "var x = 5\n\
               x = (x * 2) + x\n\
               let y = (x * 3 - 1) % 7 + x\n\
               var z = 2.5\n\
               z = (z * 2.0) / z + (z - 1.0)\n\
               fun f(a: int, b: int): int { return ((a * (a + 1) / 2 + b) + 1) * 3 }\n\
               print(x, y, z, f(4, 5))";
    assert_eq!(out(src), "15 17 3.5 48\n");
    // `((a * (a + 1) / 2 + b) + 1) * 3` needs two i64 slots beyond the parameters, not
    // one per operation.
    let prog = compile_source(src).expect("compiles");
    let f = prog.funcs.iter().find(|f| f.name == "f").expect("f");
    assert!(f.n_i64 <= 2, "f uses {} i64 slots", f.n_i64);
}

/// In a matrix product's inner loop, the row read `a[i]` keeps a cell slot of its own (cell
/// temporaries inside loops live to the end of the statement), so the loop's back-edge skips
/// it: it runs once per row. Outside loops cell temporaries are reused, keeping frames small.
#[test]
fn an_invariant_row_read_in_an_inner_loop_is_hoisted() {
    let src = "fun dot(a: list<list<int>>, b: list<list<int>>, i: int, j: int, n: int): int {
  var s = 0
  for k in 0..n { s = s + a[i][k] * b[k][j] }
  return s
}
fun pair(t: list<list<int>>): int { return len(t[0]) + len(t[1]) }
print(dot([[1, 2], [3, 4]], [[5, 6], [7, 8]], 1, 0, 2), pair([[1], [2, 3]]))";
    assert_eq!(out(src), "43 3\n");
    let p = compile_source(src).unwrap();
    let f = p.funcs.iter().find(|f| f.name == "dot").unwrap();
    let back = f.code.iter().find(|i| i.op == Op::IncJLtI64).unwrap();
    let head = &f.code[back.c as usize - 1];
    // (through the view of `a` made before the loop, `lower/views.rs`)
    assert_eq!(head.op, Op::ListGetCellV, "{:?}", f.code);
    // The loop reads `a` and `b` through views made once, before it, and never through the
    // lists' slots.
    let views: Vec<usize> = (0..f.code.len())
        .filter(|&pc| f.code[pc].op == Op::ListView)
        .collect();
    assert_eq!(views.len(), 2, "{:?}", f.code);
    assert!(views.iter().all(|&pc| pc < back.c as usize - 1));
    assert_eq!(
        f.code.iter().filter(|i| i.op == Op::ListGetCell).count(),
        0,
        "{:?}",
        f.code
    );
    let pair = p.funcs.iter().find(|f| f.name == "pair").unwrap();
    assert_eq!(pair.n_cell, 1, "{:?}", pair.code);
}
