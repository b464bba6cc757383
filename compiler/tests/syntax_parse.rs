//! Targeted parser tests: precedence, each construct, positions.

mod syntax_common;
use compiler::syntax::ast::*;
use syntax_common::{e, render};

#[test]
fn precedence_levels() {
    assert_eq!(e("1 + 2 * 3"), "(+ 1 (* 2 3))");
    assert_eq!(e("1 * 2 + 3"), "(+ (* 1 2) 3)");
    assert_eq!(e("a - b - c"), "(- (- a b) c)");
    assert_eq!(e("a / b % c * d"), "(* (% (/ a b) c) d)");
    assert_eq!(e("a + b < c + d"), "(< (+ a b) (+ c d))");
    assert_eq!(e("a < b == c > d"), "(== (< a b) (> c d))");
    assert_eq!(e("x in xs == true"), "(== (in x xs) true)");
    assert_eq!(e("a == b && c != d"), "(&& (== a b) (!= c d))");
    assert_eq!(e("a && b || c && d"), "(|| (&& a b) (&& c d))");
    assert_eq!(e("a || b ?? c || d"), "(?? (|| a b) (|| c d))");
    assert_eq!(e("a ?? b union c ?? d"), "(union (?? a b) (?? c d))");
    assert_eq!(
        e("a union all b except c intersect d"),
        "(intersect (except (union all a b) c) d)"
    );
    assert_eq!(e("-x as int"), "(- (as x int))");
    assert_eq!(e("!-x"), "(! (- x))");
    assert_eq!(e("--x"), "(- (- x))");
    assert_eq!(e("-a.b(1)[2]"), "(- (idx (call (. a b) 1) 2))");
    assert_eq!(e("x == -1"), "(== x (- 1))");
    assert_eq!(e("(1 + 2) * 3"), "(* (+ 1 2) 3)");
    assert_eq!(e("a + b + c * d - e"), "(- (+ (+ a b) (* c d)) e)");
}

#[test]
fn postfix_forms() {
    assert_eq!(e("f(a, b)(c)"), "(call (call f a b) c)");
    assert_eq!(e("f()"), "(call f)");
    assert_eq!(e("x.f(a)"), "(call (. x f) a)");
    assert_eq!(e("a[1][2]"), "(idx (idx a 1) 2)");
    assert_eq!(e("a[1:2]"), "(slice a 1 2)");
    assert_eq!(e("a[:2]"), "(slice a _ 2)");
    assert_eq!(e("a[1:]"), "(slice a 1 _)");
    assert_eq!(e("a[:]"), "(slice a _ _)");
    assert_eq!(e("a[::2]"), "(slice a _ _ 2)");
    assert_eq!(e("a?.b?[c]"), "(?idx (?. a b) c)");
    assert_eq!(
        e("x as list<map<string, int>>"),
        "(as x list<map<string,int>>)"
    );
    assert_eq!(e("x as int?"), "(as x int?)");
    assert_eq!(e("m as {a: int, b: string}"), "(as m {a:int,b:string})");
    assert_eq!(e("xs\n.len()"), "(call (. xs len))");
}

#[test]
fn literals() {
    assert_eq!(e("0x1F + 0b101 + 0o17 + 10"), "(+ (+ (+ 31 5) 15) 10)");
    assert_eq!(e("1.5 + 2e3 + 1.5e-3"), "(+ (+ 1.5 2000.0) 0.0015)");
    assert_eq!(e(r#""a\n\x41\u00e9\101""#), r#""a\nAéA""#);
    assert_eq!(e("nil ?? none"), "(?? nil nil)");
    assert_eq!(e("[1, 2, 3,]"), "[1 2 3]");
    assert_eq!(
        e("{a: 1, \"b\": 2, (k): 3, 4: 5}"),
        "{#a:1 \"b\":2 k:3 4:5}"
    );
    assert_eq!(e("{}"), "{}");
    assert_eq!(e("{:}"), "{}");
    assert_eq!(e("Point { x: 1, y: 2 }"), "(Point {x:1 y:2})");
    assert_eq!(e("Empty {}"), "(Empty {})");
    assert_eq!(e("true && false"), "(&& true false)");
}

#[test]
fn map_key_kinds() {
    let p = compiler::syntax::parse("{a: 1, \"a\": 2}").unwrap();
    let StmtKind::Expr(Expr {
        kind: ExprKind::Map(entries),
        ..
    }) = &p.stmts[0].kind
    else {
        panic!("not a map")
    };
    assert_eq!(entries[0].key, MapKey::Name("a".into()));
    assert!(
        matches!(&entries[1].key, MapKey::Expr(Expr { kind: ExprKind::Str(s), .. }) if s == "a")
    );
}

#[test]
fn if_and_match_expressions() {
    assert_eq!(e("let x = if a then 1 else 2"), "let x = (if a 1 2)");
    assert_eq!(e("let x = if a { 1 } else { 2 }"), "let x = (if a 1 2)");
    assert_eq!(
        e("let x = if a then 1 else if b then 2 else 3"),
        "let x = (if a 1 (if b 2 3))"
    );
    assert_eq!(e("if a then f() else g()"), "(if a (call f) (call g))");
    assert_eq!(
        e("let s = match t {\n Leaf => 0\n Node(l, v, r) => v\n Pt { x: 0, y: _ } => 1,\n -1 => 2\n \"s\" => 3\n nil => 4\n _ => 5 }"),
        "let s = (match t (Leaf => 0) ((Node l v r) => v) ((Pt {x:0 y:_}) => 1) (-1 => 2) (\"s\" => 3) (nil => 4) (_ => 5))"
    );
}

#[test]
fn anonymous_functions() {
    assert_eq!(
        e("let f = fun(x: int): int => x + 1"),
        "let f = (fun (x:int):int (+ x 1))"
    );
    assert_eq!(
        e("let f = fun(x: int, y: int): int { return x * y }"),
        "let f = (fun (x:int y:int):int {return (* x y)})"
    );
    assert_eq!(e("apply(fun(x) => x, 1)"), "(call apply (fun (x) x) 1)");
    assert_eq!(
        e("let g: fun(int, string): bool = h"),
        "let g:fun(int,string):bool = h"
    );
}

#[test]
fn queries() {
    assert_eq!(
        e("let r = from x in xs from y in ys where x < y select [x, y]"),
        "let r = (from x xs (from y ys) (where (< x y)) (select [x y]))"
    );
    assert_eq!(
        e("let r = from o in orders left join c in cs on o.c == c.id right join d in ds on true outer join from e in es on false select o"),
        "let r = (from o orders (Leftjoin c cs on (== (. o c) (. c id))) (Rightjoin d ds on true) (Outerjoin e es on false) (select o))"
    );
    assert_eq!(
        e("let r = from p in ps group by p.a, p.b into g having count(g) > 1 sort by -g.key skip 1 take 2 select distinct g.key"),
        "let r = (from p ps (group (. p a) (. p b) into g having (> (call count g) 1)) (sort (- (. g key))) (skip 1) (take 2) (select distinct (. g key)))"
    );
    assert_eq!(
        e("let r = from p in ps order by p.n select p"),
        "let r = (from p ps (sort (. p n)) (select p))"
    );
    // Clause words stay identifiers elsewhere.
    assert_eq!(
        e("let where = select + from"),
        "let where = (+ select from)"
    );
    assert_eq!(e("let union = 1"), "let union = 1");
}

#[test]
fn load_and_save() {
    assert_eq!(
        e("let p = load \"a.jsonl\" as Person with { format: \"jsonl\" }"),
        "let p = (load Some(\"a.jsonl\") Person {#format:\"jsonl\"})"
    );
    assert_eq!(e("let p = load as Person"), "let p = (load None Person _)");
    assert_eq!(
        e("save xs to \"-\" with { format: \"jsonl\" }"),
        "(save xs Some(\"-\") {#format:\"jsonl\"})"
    );
}

#[test]
fn statements() {
    assert_eq!(
        render("let a: int = 1\nvar b\nvar c: list<int>\nb = 2"),
        "let a:int = 1\nvar b\nvar c:list<int>\nb = 2"
    );
    assert_eq!(
        render("xs[i][j] = 1\ns.f = 2\nxs[i].f = 3\nm[\"k\"] = 4\na.b[c].d = 5"),
        "xs[i][j] = 1\ns.f = 2\nxs[i].f = 3\nm[\"k\"] = 4\na.b[c].d = 5"
    );
    assert_eq!(
        render("if a { f() } else if b { g() } else { h() }"),
        "if a {(call f)} else {if b {(call g)} else {(call h)}}"
    );
    assert_eq!(
        render("while i < n { i = i + 1 if i > 3 { break } continue }"),
        "while (< i n) {i = (+ i 1); if (> i 3) {break}; continue}"
    );
    assert_eq!(
        render("for i in 0..n { }\nfor x in xs { }\nfor k in ({a: 1}) { }"),
        "for i in 0..n {}\nfor x in xs {}\nfor k in {#a:1} {}"
    );
    assert_eq!(
        render("fun f() {\n return\n}\nfun g(): int { return 1 }"),
        "fun f() {return}\nfun g():int {return 1}"
    );
    assert_eq!(
        render("export fun id<T>(x: T): T { return x }"),
        "export fun id<T>(x:T):T {return x}"
    );
    assert_eq!(
        render("test \"t\" { expect 1 + 1 == 2 }\nbench \"b\" { f() }"),
        "test \"t\" {expect (== (+ 1 1) 2)}\nbench \"b\" {(call f)}"
    );
    assert_eq!(
        render("update people set { status: \"adult\", age: age + 1 } where age >= 18"),
        "update people set {status:\"adult\" age:(+ age 1)} where (>= age 18)"
    );
    assert_eq!(render("package foo"), "package foo");
}

#[test]
fn newlines_end_expressions() {
    // `(` and `[` on a new line start a new statement.
    assert_eq!(render("f\n(1)"), "f\n1");
    assert_eq!(render("let x = a\n[1, 2]"), "let x = a\n[1 2]");
    // Binary operators continue on the next line.
    assert_eq!(render("let x = a\n+ b"), "let x = (+ a b)");
    // `return` then a newline returns nothing.
    assert_eq!(
        render("fun f() { return\n g() }"),
        "fun f() {return; (call g)}"
    );
    // `;` is whitespace.
    assert_eq!(render("let a = 1; let b = 2;"), "let a = 1\nlet b = 2");
}

#[test]
fn struct_literal_versus_block() {
    assert_eq!(render("if x == Foo { f() }"), "if (== x Foo) {(call f)}");
    assert_eq!(
        render("if x == (Foo { a: 1 }) { }"),
        "if (== x (Foo {a:1})) {}"
    );
    assert_eq!(render("while ok { }"), "while ok {}");
    assert_eq!(render("for x in xs { }"), "for x in xs {}");
    assert_eq!(
        render("if f(Foo { a: 1 }) { }"),
        "if (call f (Foo {a:1})) {}"
    );
    assert_eq!(
        render("let r = match p { P { a: x } => x }"),
        "let r = (match p ((P {a:x}) => x))"
    );
    assert_eq!(
        render("let v = Foo { a: Bar {} }"),
        "let v = (Foo {a:(Bar {})})"
    );
}

#[test]
fn type_declarations() {
    assert_eq!(
        render("type P {\n x: int\n y: string, z: list<int>\n fun norm(): int { return x }\n}"),
        "type P struct {x:int, y:string, z:list<int>, fun norm():int {return x}}"
    );
    assert_eq!(
        render("type Tree =\n  Leaf\n  | Node(left: Tree, value: int, right: Tree)"),
        "type Tree union Leaf() | Node(left:Tree,value:int,right:Tree)"
    );
    assert_eq!(
        render("type S = A | B(x: int) | C { y: string }"),
        "type S union A() | B(x:int) | C(y:string)"
    );
    assert_eq!(
        render("type One = Ctor(a: int)"),
        "type One union Ctor(a:int)"
    );
    assert_eq!(render("type Id = int"), "type Id = int");
    assert_eq!(
        render("type M = map<string, int>?"),
        "type M = map<string,int>?"
    );
    assert_eq!(render("type Q = { a: int }"), "type Q struct {a:int}");
}

#[test]
fn foreign_declarations() {
    assert_eq!(
        render("import go \"strings\" as s auto\nimport python \"math\" as math\nimport \"x\""),
        "import Some(\"go\") \"strings\" Some(\"s\") true\nimport Some(\"python\") \"math\" Some(\"math\") false\nimport None \"x\" None false"
    );
    assert_eq!(
        render("extern fun math.sqrt(x: float): float\nextern let math.pi: float\nextern var v: int\nextern type T\nextern object O"),
        "extern fun math.sqrt(x):float\nextern let math.pi:float\nextern var v:int\nextern type T\nextern object O"
    );
}

#[test]
fn positions() {
    let p = compiler::syntax::parse("let x = 1\n  let é = a +\n    bb * c").unwrap();
    assert_eq!(p.stmts[1].pos, Pos { line: 2, col: 3 });
    let StmtKind::Let {
        init: Some(init), ..
    } = &p.stmts[1].kind
    else {
        panic!()
    };
    // The `+` operator.
    assert_eq!(init.pos, Pos { line: 2, col: 13 });
    let ExprKind::Binary { lhs, rhs, .. } = &init.kind else {
        panic!()
    };
    assert_eq!(lhs.pos, Pos { line: 2, col: 11 });
    assert_eq!(rhs.pos, Pos { line: 3, col: 8 });
    let ExprKind::Binary { lhs: bb, .. } = &rhs.kind else {
        panic!()
    };
    assert_eq!(bb.pos, Pos { line: 3, col: 5 });
    // Columns count Unicode scalar values.
    let p = compiler::syntax::parse("\"é😀\" + 😀x").unwrap();
    let StmtKind::Expr(Expr {
        kind: ExprKind::Binary { rhs, .. },
        pos,
    }) = &p.stmts[0].kind
    else {
        panic!()
    };
    assert_eq!(*pos, Pos { line: 1, col: 6 });
    assert_eq!(rhs.pos, Pos { line: 1, col: 8 });
    assert!(matches!(&rhs.kind, ExprKind::Ident(n) if n == "😀x"));
}

#[test]
fn comments_and_bom() {
    assert_eq!(
        render("\u{feff}// a\n# b\n/* c\n d */ let x = 1 /// doc\n"),
        "let x = 1"
    );
}

#[test]
fn flat_chain_of_100000_terms() {
    let mut src = String::from("let x = 1");
    for _ in 0..99_999 {
        src.push_str(" + 1");
    }
    let p = compiler::syntax::parse(&src).unwrap();
    let StmtKind::Let {
        init: Some(init), ..
    } = &p.stmts[0].kind
    else {
        panic!()
    };
    // Left-associative: the right operand is always a literal.
    let mut depth = 0;
    let mut cur = init;
    while let ExprKind::Binary {
        op: BinOp::Add,
        lhs,
        rhs,
    } = &cur.kind
    {
        assert!(matches!(rhs.kind, ExprKind::Int(1)));
        cur = lhs;
        depth += 1;
    }
    assert_eq!(depth, 99_999);
    // Dropping the program must not overflow the stack either (iterative Drop).
    drop(p);
    // Mixed precedence chain and long postfix / unary chains.
    let mut src = String::from("let y = a");
    for i in 0..50_000 {
        src.push_str(if i % 2 == 0 { " * b" } else { " - c" });
    }
    src.push_str("\nlet z = ");
    src.push_str(&"-".repeat(50_000));
    src.push('q');
    src.push_str(&".f".repeat(50_000));
    src.push_str(&"(1)".repeat(50_000));
    assert!(compiler::syntax::parse(&src).is_ok());
}
