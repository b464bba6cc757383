//! Checker tests: constructs produce the expected typed tree, and type errors carry their
//! message and position.

use compiler::check::check_with_source;
use compiler::hir::{self, Conv, ExprKind, StmtKind};
use compiler::syntax::parse;
use compiler::types::Type;
use vm::error::{Error, Phase};

fn on_stack<T: Send + 'static>(size: usize, f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .stack_size(size)
        .spawn(f)
        .unwrap()
        .join()
        .unwrap()
}

fn ok(src: &str) -> hir::Program {
    let prog = parse(src).unwrap_or_else(|e| panic!("parse: {e}\n{src}"));
    check_with_source(&prog, src).unwrap_or_else(|e| panic!("check: {e}\n{src}"))
}

fn err(src: &str) -> Error {
    let prog = parse(src).unwrap_or_else(|e| panic!("parse: {e}\n{src}"));
    match check_with_source(&prog, src) {
        Ok(_) => panic!("expected an error:\n{src}"),
        Err(e) => e,
    }
}

#[track_caller]
fn err_at(src: &str, line: u32, col: u32, msg: &str) {
    let e = err(src);
    assert_eq!(e.phase, Phase::Type, "{e}");
    assert!(
        e.message.contains(msg),
        "message {:?} lacks {msg:?}",
        e.message
    );
    assert_eq!((e.pos.line, e.pos.col), (line, col), "{e}");
}

/// The value assigned to global `g` (its declaration in main).
fn global_init(p: &hir::Program, name: &str) -> hir::Expr {
    let g = p
        .globals
        .iter()
        .position(|g| g.name == name)
        .expect("global") as u32;
    for s in &p.funcs[0].body {
        if let StmtKind::Assign {
            place: hir::Place::Global(x),
            value,
        } = &s.kind
        {
            if *x == g {
                return value.clone();
            }
        }
    }
    panic!("no declaration of {name}")
}

fn gty(p: &hir::Program, name: &str) -> Type {
    p.globals
        .iter()
        .find(|g| g.name == name)
        .unwrap()
        .ty
        .clone()
}

#[test]
fn literals_and_inference() {
    let p = ok("let a = 1\nlet b = 2.5\nlet c = \"s\"\nlet d = true\nlet e = []\nlet f = {:}\nlet g: int\nvar h: list<string>\nlet i: int? = nil\nlet j = {a: 1}\n");
    assert_eq!(gty(&p, "a"), Type::Int);
    assert_eq!(gty(&p, "b"), Type::Float);
    assert_eq!(gty(&p, "c"), Type::Str);
    assert_eq!(gty(&p, "d"), Type::Bool);
    assert_eq!(gty(&p, "e"), Type::list(Type::Any));
    assert_eq!(gty(&p, "f"), Type::map(Type::Str, Type::Any));
    assert_eq!(gty(&p, "g"), Type::Int);
    assert!(matches!(global_init(&p, "g").kind, ExprKind::Int(0)));
    assert!(matches!(global_init(&p, "h").kind, ExprKind::List(ref v) if v.is_empty()));
    assert_eq!(gty(&p, "i"), Type::optional(Type::Int));
    assert_eq!(gty(&p, "j"), Type::map(Type::Str, Type::Int));
    let ExprKind::Map(kv) = global_init(&p, "j").kind else {
        panic!()
    };
    assert!(matches!(&kv[0].0.kind, ExprKind::Str(s) if s == "a"));
}

#[test]
fn mixed_arithmetic_inserts_int_to_float() {
    let p = ok("let x = 1 + 2.5\n");
    assert_eq!(gty(&p, "x"), Type::Float);
    let ExprKind::Binary(hir::BinOp::Add, l, r) = global_init(&p, "x").kind else {
        panic!()
    };
    assert!(matches!(l.kind, ExprKind::Conv(Conv::IntToFloat, _)));
    assert_eq!(r.ty, Type::Float);
}

#[test]
fn string_concat_with_non_string() {
    let p = ok("let x = \"n=\" + 3\nlet y = [1] + [2]\n");
    assert_eq!(gty(&p, "x"), Type::Str);
    let ExprKind::Binary(_, _, r) = global_init(&p, "x").kind else {
        panic!()
    };
    assert!(matches!(r.kind, ExprKind::Conv(Conv::ToStr, _)));
    assert_eq!(gty(&p, "y"), Type::list(Type::Int));
}

#[test]
fn any_boxing_in_list() {
    let p = ok("var xs = []\nxs = append(xs, 1)\nlet ys: list<any> = [1, \"a\"]\n");
    assert_eq!(gty(&p, "xs"), Type::list(Type::Any));
    let ExprKind::List(v) = global_init(&p, "ys").kind else {
        panic!()
    };
    assert!(matches!(v[0].kind, ExprKind::Conv(Conv::Box, _)));
}

#[test]
fn structs_methods_unions_match() {
    let src = "type P { x: int  y: int\n fun norm(): int { return x + y } }\n\
type Shape = Circle(r: float) | Rect { w: float, h: float } | Empty\n\
fun area(s: Shape): float {\n  return match s {\n    Circle(r) => r * r\n    Rect(w, h) => w * h\n    Empty => 0.0\n  }\n}\n\
let p = P { x: 1, y: 2 }\nprint(p.norm())\nprint(area(Circle(2.0)))\nprint(area(Empty))\nlet q = {x: 1, y: 2} as P\n";
    let p = ok(src);
    assert_eq!(gty(&p, "q"), Type::Struct(0));
    assert!(matches!(
        global_init(&p, "q").kind,
        ExprKind::Conv(Conv::MapToStruct, _)
    ));
    let m = p.funcs.iter().find(|f| f.name == "P.norm").unwrap();
    assert_eq!(m.kind, hir::FuncKind::Method(0));
    let StmtKind::Return(Some(e)) = &m.body[0].kind else {
        panic!()
    };
    let ExprKind::Binary(_, l, _) = &e.kind else {
        panic!()
    };
    assert!(matches!(l.kind, ExprKind::Field { field: 0, .. }));
}

#[test]
fn closures_capture_by_value() {
    let p = ok("fun makeAdder(n: int): fun(int): int {\n  return fun(x: int): int => x + n\n}\nlet add10 = makeAdder(10)\nprint(add10(7))\n");
    let c = p
        .funcs
        .iter()
        .find(|f| f.kind == hir::FuncKind::Closure)
        .unwrap();
    assert_eq!(c.captures.len(), 1);
    assert_eq!(c.locals[c.captures[0] as usize].name, "n");
    assert_eq!(gty(&p, "add10"), Type::func(vec![Type::Int], Type::Int));
}

#[test]
fn nested_recursive_fun_and_captures_through_levels() {
    ok("fun outer(k: int): int {\n  fun inner(n: int): int {\n    if n == 0 { return k }\n    return inner(n - 1)\n  }\n  let f = fun(): int => inner(3) + k\n  return f()\n}\nprint(outer(2))\n");
}

#[test]
fn partial_application_and_func_refs() {
    let p = ok("fun add(a: int, b: int): int { return a + b }\nlet add5 = add(5)\nlet f = add\nprint(add5(3), f(1, 2))\n");
    assert_eq!(gty(&p, "add5"), Type::func(vec![Type::Int], Type::Int));
    assert!(matches!(
        global_init(&p, "add5").kind,
        ExprKind::Closure { .. }
    ));
    assert!(matches!(global_init(&p, "f").kind, ExprKind::FuncRef(_)));
}

#[test]
fn generics_box_and_unbox() {
    let p = ok("fun id<T>(x: T): T { return x }\nlet a = id(3)\n");
    assert_eq!(gty(&p, "a"), Type::Int);
    let ExprKind::Conv(Conv::Unbox, call) = global_init(&p, "a").kind else {
        panic!()
    };
    let ExprKind::Call { args, .. } = call.kind else {
        panic!()
    };
    assert!(matches!(args[0].kind, ExprKind::Conv(Conv::Box, _)));
}

#[test]
fn optional_coalesce_cast_bigint_math() {
    let p = ok("import python \"math\" as math\nextern fun math.sqrt(x: float): float\nextern let math.pi: float\nlet o: int? = nil\nlet a = o ?? 3\nlet b = \"12\" as int\nlet c: bigint = 5\nlet d = c * c\nlet e = math.sqrt(2) + math.pi\n");
    assert_eq!(gty(&p, "a"), Type::Int);
    assert!(matches!(
        global_init(&p, "b").kind,
        ExprKind::Conv(Conv::StrToInt, _)
    ));
    assert_eq!(gty(&p, "d"), Type::BigInt);
    assert_eq!(gty(&p, "e"), Type::Float);
}

#[test]
fn builtins_types() {
    let p = ok("let s = \"a,b\"\nlet a = split(s, \",\")\nlet b = join(a, \"-\")\nlet c = len(a)\nlet d = str(1)\nlet e = keys({a: 1})\nlet f = values({a: 1})\nlet g = sum([1, 2])\nlet h = avg([1, 2])\nlet i = s.contains(\"a\")\nlet j = substring(s, 0, 1)\nlet k = parseIntStr(\"7\")\nlet l = pow(2, 10)\nlet m = now()\n");
    assert_eq!(gty(&p, "a"), Type::list(Type::Str));
    assert_eq!(gty(&p, "b"), Type::Str);
    assert_eq!(gty(&p, "c"), Type::Int);
    assert!(matches!(
        global_init(&p, "d").kind,
        ExprKind::Conv(Conv::ToStr, _)
    ));
    assert_eq!(gty(&p, "e"), Type::list(Type::Str));
    assert_eq!(gty(&p, "f"), Type::list(Type::Int));
    assert_eq!(gty(&p, "g"), Type::Int);
    assert_eq!(gty(&p, "h"), Type::Float);
    assert_eq!(gty(&p, "i"), Type::Bool);
    assert_eq!(gty(&p, "l"), Type::Int);
}

#[test]
fn functions_before_definition_and_globals_from_functions() {
    ok("print(f(2))\nfun f(n: int): int { return g(n) + base }\nfun g(n: int): int { if n == 0 { return 0 } return f(n - 1) }\nlet base = 10\n");
}

#[test]
fn test_blocks_have_expect_source() {
    let src = "test \"t\" {\n  expect 1 + 1 == 2\n}\n";
    let p = ok(src);
    // A top-level test is a function of its own, called from main.
    let StmtKind::Test {
        func: Some(f),
        body,
        ..
    } = &p.funcs[0].body[0].kind
    else {
        panic!()
    };
    assert!(body.is_empty());
    let StmtKind::Expect { source, .. } = &p.funcs[*f as usize].body[0].kind else {
        panic!()
    };
    assert_eq!(source, "expect 1 + 1 == 2");
}

#[test]
fn assignments_to_places() {
    ok("var xs = [[1, 2], [3]]\nxs[0][1] = 5\nvar m: map<string, int> = {}\nm[\"a\"] = 1\ntype C { n: int }\nvar cs = [C { n: 1 }]\ncs[0].n = 2\n");
}

#[test]
fn errors_with_positions() {
    err_at(
        "let x = 1 + \"a\" - true\n",
        1,
        17,
        "cannot subtract string and bool",
    );
    err_at(
        "let x = 1 * \"a\"\n",
        1,
        11,
        "cannot multiply int and string",
    );
    err_at("print(y)\n", 1, 7, "undefined variable 'y'");
    err_at(
        "let x = 1\nx = 2\n",
        2,
        1,
        "cannot assign to immutable 'x' (declared with let at 1:1)",
    );
    err_at(
        "fun f(a: int, b: int): int { return a }\nprint(f(1, 2, 3))\n",
        2,
        7,
        "function 'f' expects 2 arguments, found 3",
    );
    err_at(
        "type Foo { a: int }\nlet f = Foo { a: 1 }\nprint(f.bar)\n",
        3,
        8,
        "type 'Foo' has no field 'bar'",
    );
    err_at(
        "let x = match 1 {\n  1 => 1\n  _ => \"s\"\n}\n",
        3,
        8,
        "match arms have different types: int and string",
    );
    err_at("let x: int = \"s\"\n", 1, 14, "expected int, found string");
    err_at("if 1 { }\n", 1, 4, "condition must be bool, found int");
    err_at(
        "fun f(): int { return \"s\" }\n",
        1,
        23,
        "expected int, found string",
    );
    err_at(
        "fun f() { return 1 }\n",
        1,
        18,
        "has no return type but returns a value",
    );
    err_at("break\n", 1, 1, "break outside of a loop");
    err_at("return 1\n", 1, 1, "return outside of a function");
    err_at("let x: Nope = 1\n", 1, 8, "unknown type 'Nope'");
    err_at("print(nosuch(1))\n", 1, 7, "undefined function 'nosuch'");
    err_at(
        "print(len(1))\n",
        1,
        11,
        "invalid argument of type int for len()",
    );
    err_at(
        "let x = -\"s\"\n",
        1,
        9,
        "cannot negate a value of type string",
    );
    err_at(
        "let x = 1 < \"a\"\n",
        1,
        11,
        "cannot compare int and string with <",
    );
    err_at(
        "fun f(): int {\n  var n = 1\n  let c = fun() { n = 2 }\n  return n\n}\n",
        3,
        19,
        "cannot assign to 'n': it is captured by value",
    );
    // A global is not captured: closures may assign it.
    ok("var x = 1\nlet f = fun() { x = 2 }\nf()\n");
    err_at("let x = 1\nlet x = 2\n", 2, 1, "'x' is already declared");
    err_at(
        "fun f() {}\nfun f() {}\n",
        2,
        1,
        "function 'f' is already declared",
    );
    err_at(
        "type Foo { a: int }\nlet f = Foo { b: 1 }\n",
        2,
        15,
        "type 'Foo' has no field 'b'",
    );
    err_at(
        "var xs = [1]\nxs[0] = \"a\"\n",
        2,
        9,
        "expected int, found string",
    );
    err_at(
        "for x in 5 { }\n",
        1,
        10,
        "cannot iterate over a value of type int",
    );
    err_at("y = 1\n", 1, 1, "assignment to undeclared variable 'y'");
}

#[test]
fn unsupported_features() {
    let e = err("let xs = [[1]]\nlet ys = from x in xs right join z in x on z == 1 select z\n");
    assert_eq!(e.phase, Phase::Unsupported);
    assert_eq!(
        e.message,
        "not supported yet: a right or outer join over a source that depends on the query's variables"
    );
    assert_eq!((e.pos.line, e.pos.col), (2, 39));
    let e = err("import go \"strings\" as s\n");
    assert_eq!(e.phase, Phase::Unsupported);
    assert_eq!(
        e.message,
        "foreign function imports are not supported by this runtime"
    );
    assert_eq!((e.pos.line, e.pos.col), (1, 1));
    let e = err("print([1] union \"a\")\n");
    assert_eq!(e.phase, Phase::Type);
    assert_eq!(
        e.message,
        "union needs two lists of the same type, found list<int> and string"
    );
    let e = err("var n = 1\nupdate n set { a: 1 }\n");
    assert_eq!(e.message, "update needs a list of structs, found int");
    let e = err("type P { a: int }\nvar ps = [P { a: 1 }]\nupdate ps set { b: 1 }\n");
    assert_eq!(e.message, "type 'P' has no field 'b'");
    assert_eq!((e.pos.line, e.pos.col), (3, 17));
}

#[test]
fn long_addition_chain() {
    // The checker walks operator chains iteratively: an 8 MiB thread is enough.
    on_stack(8 << 20, || {
        let t0 = std::time::Instant::now();
        let mut src = String::from("let x = 1");
        for _ in 0..100_000 {
            src.push_str(" + 1");
        }
        src.push('\n');
        let prog = parse(&src).unwrap();
        eprintln!("parsed {:?}", t0.elapsed());
        let t = std::time::Instant::now();
        let p = check_with_source(&prog, &src).unwrap();
        eprintln!("checked {:?}", t.elapsed());
        assert_eq!(gty(&p, "x"), Type::Int);
        assert!(t.elapsed().as_secs() < 10);
        compiler::check::drop_program(p);
        eprintln!("done");
    });
}

#[test]
fn assorted_constructs() {
    let snippets = [
        "type P { x: int\n fun get(): int { return x }\n fun twice(): int { return get() * 2 }\n fun adder(): fun(int): int { return fun(d: int): int => x + d } }\nlet p = P { x: 1 }\nprint(p.twice(), p.adder()(2))\n",
        "let o: int? = nil\nprint(o == nil, o != nil)\n",
        "let m = {1: \"a\", 2: \"b\"}\nprint(m[1], 1 in m, len(m))\nfor k in m { print(k) }\n",
        "let s = \"hello\"\nprint(s[0], s[1:3], s[-1], \"ell\" in s)\nfor ch in s { print(ch) }\n",
        "let x = if 1 < 2 then \"a\" else \"b\"\nlet y = if true then 1 else 2.5\nprint(x, y)\n",
        "let v = match \"x\" {\n  \"a\" => 1\n  other => len(other)\n}\nprint(v)\n",
        "type Tree = Leaf | Node(left: Tree, value: int, right: Tree)\nfun sum(t: Tree): int {\n  return match t {\n    Leaf => 0\n    Node(l, v, r) => sum(l) + v + sum(r)\n  }\n}\nprint(sum(Node(Leaf, 1, Node(Leaf, 2, Leaf))))\n",
        "var a = 0\nwhile a < 3 { a = a + 1\n if a == 2 { continue }\n if a > 5 { break } }\n",
        "let xs = [1, 2, 3]\nprint(xs[0:2], reverse(xs), distinct(xs), first(xs), concat(xs, [4]), min(xs), max(xs))\n",
        "let f = fun(a: int, b: int): int { return a * b }\nprint(f(2, 3))\n",
        "fun apply(f: fun(int): int, x: int): int { return f(x) }\nfun sq(x: int): int { return x * x }\nprint(apply(sq, 3), apply(fun(x: int): int => x + 1, 3))\n",
        "let b: bigint = 12345678901234\nprint(b * b, pow(b, 3), b as int)\n",
        "let a: any = 3\nlet n = a as int\nprint(n + 1, str(a))\n",
        "let m: map<string, any> = {\"a\": 1, \"b\": \"x\"}\nprint(m[\"a\"], m.b)\n",
        "print(-3 as float, 7 / 2, 7 % 2, 2.5 % 1.0, !true, 1 == 1.0, \"a\" < \"b\")\n",
        "let xs: list<list<int>> = []\nlet ys = append(xs, [1])\nprint(ys)\n",
        "var out = []\nout = append(out, \"a\")\nprint(join(out, \",\"))\n",
        "print(upper(\"a\"), lower(\"B\"), trim(\" c \"), padStart(\"1\", 3, \"0\"), repeat(\"ab\", 2), indexOf(\"abc\", \"c\"), \"abc\".starts_with(\"a\"))\n",
        "print(abs(-2), abs(-2.5), floor(2.5), round(2.567, 2), sqrt(4.0), int(\"3\"), float(2), avg([1.0, 2.0]), exists([1]))\n",
        "json({a: 1})\nlet t = now()\n",
        "bench \"b\" { var s = 0\n for i in 0..10 { s = s + i } }\n",
        "fun f(): int { return 1 }\nfun g() { f() }\ng()\n",
        "type Inner { v: int }\ntype Outer { i: Inner, xs: list<Inner> }\nvar o = Outer { i: Inner { v: 1 }, xs: [] }\no.i.v = 2\no.xs = append(o.xs, Inner { v: 3 })\no.xs[0].v = 4\nprint(o)\n",
        "let x: list<int>? = nil\nprint(x ?? [1])\n",
        "fun first<T>(xs: list<T>): T { return xs[0] }\nprint(first([1, 2]) + 1)\n",
        "type Shape = Circle(r: float) | Sq(s: float)\nlet shapes: list<Shape> = [Circle(1.0), Sq(2.0)]\nfor sh in shapes { print(match sh { Circle(r) => r  Sq(s) => s }) }\n",
        "let k = \"key\"\nlet m = {(k): 1}\nprint(m)\n",
        "fun outer(): fun(): int {\n  var c = 0\n  fun inc(): int { return c + 1 }\n  c = 5\n  return inc\n}\nprint(outer()())\n",
    ];
    for s in snippets {
        ok(s);
    }
}

#[test]
fn query_types() {
    // The result is a list of the selected type; a group is a struct {key, items}.
    let p = ok("let xs = [1, 2]\nlet ys = from x in xs where x > 1 select str(x)\n");
    assert_eq!(global_init(&p, "ys").ty, Type::list(Type::Str));
    let p = ok("let xs = [1, 2]\nlet gs = from x in xs group by x % 2 into g select g.key\n");
    assert_eq!(global_init(&p, "gs").ty, Type::list(Type::Int));
    let p = ok("let xs = [1, 2]\nlet gs = from x in xs group by x % 2 into g select g.items\n");
    assert_eq!(global_init(&p, "gs").ty, Type::list(Type::list(Type::Int)));
    // A left-joined variable is optional.
    let p = ok("let xs = [1, 2]\nlet ys = from x in xs left join y in xs on x == y select y\n");
    assert_eq!(
        global_init(&p, "ys").ty,
        Type::list(Type::optional(Type::Int))
    );
    // select agg(e) without group by is the aggregate.
    let p = ok("let xs = [1, 2]\nlet s = from x in xs select sum(x)\n");
    assert_eq!(global_init(&p, "s").ty, Type::Int);
    let p = ok("let xs = [1, 2]\nlet s = from x in xs select avg(x)\n");
    assert_eq!(global_init(&p, "s").ty, Type::Float);
}

#[test]
fn query_errors() {
    err_at(
        "let n = 5\nprint(from x in n select x)\n",
        2,
        17,
        "cannot query a value of type int",
    );
    err_at(
        "let xs = [1]\nprint(from x in xs where x select x)\n",
        2,
        26,
        "where condition must be bool, found int",
    );
    err_at(
        "let xs = [1]\nprint(from x in xs join y in xs on x + y select x)\n",
        2,
        38,
        "join condition must be bool, found int",
    );
    err_at(
        "let xs = [1]\nprint(from x in xs group by x into g having count(g) select g.key)\n",
        2,
        45,
        "having condition must be bool, found int",
    );
    err_at(
        "let xs = [1]\nprint(from x in xs skip \"a\" select x)\n",
        2,
        25,
        "skip: expected int, found string",
    );
    err_at(
        "let xs = [1]\nprint(from x in xs select print(x))\n",
        2,
        27,
        "select needs a value",
    );
    err_at(
        "let xs = [1]\nprint(from x in xs sort by fun(a: int): int => a select x)\n",
        2,
        28,
        "cannot sort by a value of type fun(int): int",
    );
    // Row variables are not visible after group by, nor in skip/take.
    err_at(
        "let xs = [1]\nprint(from x in xs group by x into g select x)\n",
        2,
        45,
        "undefined variable 'x'",
    );
    err_at(
        "let xs = [1]\nprint(from x in xs take x select x)\n",
        2,
        25,
        "undefined variable 'x'",
    );
    err_at(
        "let xs = [\"a\"]\nprint(from x in xs join y in 3 on x == y select x)\n",
        2,
        30,
        "cannot query a value of type int",
    );
}
