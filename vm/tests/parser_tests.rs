//! Tests of the lexer and parser: literals, precedence, statements, unsupported constructs,
//! syntax errors, nesting limits and the conformance corpus.

use vm::ast::{BinOp, Expr, ExprKind, Pos, Program, Stmt, StmtKind, TypeExpr, UnOp};
use vm::error::{Error, Phase};
use vm::lexer::{lex, Kw, Tok};
use vm::parser::parse;

// ----- helpers -----

fn ok(src: &str) -> Program {
    match parse(src) {
        Ok(p) => p,
        Err(e) => panic!("unexpected error for {src:?}: {e}"),
    }
}

fn err(src: &str) -> Error {
    match parse(src) {
        Ok(p) => panic!("expected an error for {src:?}, got {p:?}"),
        Err(e) => e,
    }
}

fn pos(line: u32, col: u32) -> Pos {
    Pos { line, col }
}

/// Assert that `src` fails with `phase` at `line:col`; returns the message.
fn fails(src: &str, phase: Phase, line: u32, col: u32) -> String {
    let e = err(src);
    assert_eq!(
        (e.phase, e.pos),
        (phase, pos(line, col)),
        "for {src:?}: {}",
        e.message
    );
    e.message
}

fn unsupported(src: &str, line: u32, col: u32) -> String {
    fails(src, Phase::Unsupported, line, col)
}

fn syntax(src: &str, line: u32, col: u32) -> String {
    fails(src, Phase::Parse, line, col)
}

/// The single expression of `print(<expr>)`-free source `src` (an expression statement).
fn expr(src: &str) -> Expr {
    let prog = ok(src);
    assert_eq!(prog.stmts.len(), 1, "for {src:?}: {prog:?}");
    match prog.stmts.into_iter().next().map(|s| s.kind) {
        Some(StmtKind::Expr(e)) => e,
        other => panic!("not an expression statement: {other:?}"),
    }
}

/// Fully parenthesised rendering of an expression, for compact precedence assertions.
fn show(e: &Expr) -> String {
    match &e.kind {
        ExprKind::Int(v) => v.to_string(),
        ExprKind::Float(v) => format!("{v:?}"),
        ExprKind::Bool(b) => b.to_string(),
        ExprKind::Str(s) => format!("{s:?}"),
        ExprKind::Ident(n) => n.clone(),
        ExprKind::Binary(op, l, r) => {
            let op = match op {
                BinOp::Add => "+",
                BinOp::Sub => "-",
                BinOp::Mul => "*",
                BinOp::Div => "/",
                BinOp::Mod => "%",
                BinOp::Eq => "==",
                BinOp::Ne => "!=",
                BinOp::Lt => "<",
                BinOp::Le => "<=",
                BinOp::Gt => ">",
                BinOp::Ge => ">=",
                BinOp::And => "&&",
                BinOp::Or => "||",
            };
            format!("({} {op} {})", show(l), show(r))
        }
        ExprKind::Unary(UnOp::Neg, x) => format!("-{}", show(x)),
        ExprKind::Unary(UnOp::Not, x) => format!("!{}", show(x)),
        ExprKind::Call(f, args) => {
            let args: Vec<String> = args.iter().map(show).collect();
            format!("{}({})", show(f), args.join(", "))
        }
    }
}

fn shown(src: &str) -> String {
    show(&expr(src))
}

fn toks(src: &str) -> Vec<Tok> {
    lex(src)
        .unwrap_or_else(|e| panic!("lex error for {src:?}: {e}"))
        .into_iter()
        .map(|t| t.kind)
        .collect()
}

// ----- lexer -----

#[test]
fn lex_numbers_and_ranges() {
    use Tok::*;
    assert_eq!(toks("0..10"), vec![Int(0), DotDot, Int(10), Eof]);
    assert_eq!(toks("1.5"), vec![Float(1.5), Eof]);
    assert_eq!(toks("1e3"), vec![Float(1000.0), Eof]);
    assert_eq!(toks("2.5e-3"), vec![Float(0.0025), Eof]);
    assert_eq!(toks("1E+2"), vec![Float(100.0), Eof]);
    assert_eq!(toks("1."), vec![Int(1), Dot, Eof]);
    assert_eq!(toks(".5"), vec![Dot, Int(5), Eof]);
    assert_eq!(
        toks("0x1F 0b101 0o17 007"),
        vec![Int(31), Int(5), Int(15), Int(7), Eof]
    );
    assert_eq!(
        toks("9223372036854775807"),
        vec![Int(i64::MAX), Eof],
        "i64::MAX fits"
    );
    assert_eq!(toks("1..2.5"), vec![Int(1), DotDot, Float(2.5), Eof]);
}

#[test]
fn lex_punct_longest_match() {
    use Tok::*;
    assert_eq!(
        toks("== != <= >= && || => :- .. ?? - + * / % = < > ! | { } [ ] ( ) , . : ?"),
        vec![
            EqEq,
            NotEq,
            Le,
            Ge,
            AndAnd,
            OrOr,
            FatArrow,
            ColonDash,
            DotDot,
            QuestionQuestion,
            Minus,
            Plus,
            Star,
            Slash,
            Percent,
            Assign,
            Lt,
            Gt,
            Bang,
            Pipe,
            LBrace,
            RBrace,
            LBracket,
            RBracket,
            LParen,
            RParen,
            Comma,
            Dot,
            Colon,
            Question,
            Eof
        ]
    );
    assert_eq!(
        toks("a<=b"),
        vec![Ident("a".into()), Le, Ident("b".into()), Eof]
    );
}

#[test]
fn lex_words() {
    assert_eq!(
        toks("true false let from _ x1 café 🍡 none"),
        vec![
            Tok::Bool(true),
            Tok::Bool(false),
            Tok::Kw(Kw::Let),
            Tok::Ident("from".into()),
            Tok::Ident("_".into()),
            Tok::Ident("x1".into()),
            Tok::Ident("café".into()),
            Tok::Ident("🍡".into()),
            Tok::Kw(Kw::None),
            Tok::Eof
        ]
    );
    assert_eq!(toks("truex"), vec![Tok::Ident("truex".into()), Tok::Eof]);
    assert_eq!(Kw::from_word("while"), Some(Kw::While));
    assert_eq!(Kw::from_word("select"), None);
}

#[test]
fn lex_positions_count_chars() {
    let t = lex("\u{FEFF}let é = \"ü\"\n\tx").unwrap();
    let positions: Vec<Pos> = t.iter().map(|t| t.pos).collect();
    assert_eq!(
        positions,
        vec![
            pos(1, 1),
            pos(1, 5),
            pos(1, 7),
            pos(1, 9),
            pos(2, 2),
            pos(2, 3)
        ]
    );
}

#[test]
fn lex_eof_position_is_after_last_token() {
    let t = lex("x\n// trailing\n\n").unwrap();
    assert_eq!(
        t.last().map(|t| (&t.kind, t.pos)),
        Some((&Tok::Eof, pos(1, 2)))
    );
    let t = lex("").unwrap();
    assert_eq!(t.last().map(|t| t.pos), Some(pos(1, 1)));
}

#[test]
fn string_escapes() {
    let cases: &[(&str, &str)] = &[
        (r#""plain""#, "plain"),
        (r#""a\\b\"c""#, "a\\b\"c"),
        (r#""\n\r\t\b\f\v\a""#, "\n\r\t\u{8}\u{c}\u{b}\u{7}"),
        (r#""\x41\u00e9\U0001F600""#, "Aé😀"),
        (r#""\101\060""#, "A0"),
        (r#""\xc3\xa9""#, "é"),
        ("\"two\nlines\"", "two\nlines"),
        (r#""""#, ""),
    ];
    for (src, want) in cases {
        assert_eq!(
            toks(src),
            vec![Tok::Str(want.to_string()), Tok::Eof],
            "{src}"
        );
    }
}

#[test]
fn bad_string_escapes() {
    for src in [
        r#""\q""#,
        r#""\'""#,
        r#""\x4""#,
        r#""\400""#,
        r#""\12""#,
        r#""\uD800""#,
        r#""\U00110000""#,
    ] {
        let e = lex(src).expect_err(src);
        assert_eq!((e.phase, e.pos), (Phase::Parse, pos(1, 2)), "{src}: {e}");
        assert!(e.message.contains("invalid escape"), "{src}: {e}");
    }
    // A byte escape that is not UTF-8 cannot be represented.
    assert_eq!(lex(r#""\xff""#).unwrap_err().phase, Phase::Unsupported);
}

#[test]
fn comments_and_semicolons() {
    let p = ok("// line\n# hash\n/* block\n comment */ let x = 1; let y = 2 /* mid */ ; print(x)");
    assert_eq!(p.stmts.len(), 3);
    assert_eq!(p.stmts[0].pos, pos(4, 13));
    assert_eq!(shown("1 /* c */ + // x\n 2 # y\n * 3"), "(1 + (2 * 3))");
    assert_eq!(shown("a;;;+;b"), "(a + b)");
    // `///` doc comments are plain comments.
    assert_eq!(ok("/// doc\nfun f() {}").stmts.len(), 1);
    // `/* */` does not nest: the first `*/` ends it.
    syntax("/* a /* b */ c */", 1, 17);
}

#[test]
fn lexical_errors() {
    assert_eq!(
        syntax("let x = 9223372036854775808", 1, 9),
        "integer literal out of range"
    );
    syntax("0x8000000000000000", 1, 1);
    syntax("let s = \"abc", 1, 9);
    assert!(syntax("x\n/* never closed", 2, 1).contains("unterminated"));
    assert!(syntax("print(\"a\nb", 1, 7).contains("unterminated string"));
    assert!(syntax("12abc", 1, 1).contains("invalid numeric literal '12abc'"));
    syntax("1.5x", 1, 1);
    syntax("1e", 1, 1);
    syntax("0x", 1, 1);
    syntax("0b102", 1, 1);
    syntax("x = 'c'", 1, 5);
    syntax("a & b", 1, 3);
    syntax("@", 1, 1);
    syntax("1e999", 1, 1);
}

#[test]
fn errors_come_in_source_order() {
    // An unsupported construct before a lexical error is reported first...
    unsupported("type T {}\nlet s = \"unterminated", 1, 1);
    // ...and a lexical error before it wins.
    syntax("let s = 'x'\ntype T {}", 1, 9);
    // A program that is fine up to the lexical error reports that error.
    syntax("let x = 1\nlet y = @", 2, 9);
    syntax("let x = (1 +\n $", 2, 2);
}

// ----- expressions -----

#[test]
fn precedence() {
    assert_eq!(shown("1 + 2 * 3"), "(1 + (2 * 3))");
    assert_eq!(shown("(1+2)*3"), "((1 + 2) * 3)");
    assert_eq!(shown("a < b == c < d"), "((a < b) == (c < d))");
    assert_eq!(shown("!a && b || c"), "((!a && b) || c)");
    assert_eq!(shown("-x * y"), "(-x * y)");
    assert_eq!(shown("a || b && c"), "(a || (b && c))");
    assert_eq!(shown("a - b - c"), "((a - b) - c)");
    assert_eq!(shown("a / b % c * d"), "(((a / b) % c) * d)");
    assert_eq!(shown("a == b != c"), "((a == b) != c)");
    assert_eq!(
        shown("1 + 2 < 3 * 4 && 5 >= 6 - 7"),
        "(((1 + 2) < (3 * 4)) && (5 >= (6 - 7)))"
    );
    assert_eq!(shown("a <= b > c"), "((a <= b) > c)");
    assert_eq!(shown("x == -1"), "(x == -1)");
    assert_eq!(shown("- - !!x"), "--!!x");
    assert_eq!(shown("a - -b"), "(a - -b)");
    assert_eq!(shown("-f(x)"), "-f(x)");
    // Whitespace-insensitive: the expression continues on the next line.
    assert_eq!(shown("a\n- 1"), "(a - 1)");
}

#[test]
fn expression_positions() {
    let e = expr("a +\n  b * c");
    assert_eq!(e.pos, pos(1, 3), "binary: operator position");
    match &e.kind {
        ExprKind::Binary(BinOp::Add, l, r) => {
            assert_eq!(l.pos, pos(1, 1));
            assert_eq!(r.pos, pos(2, 5));
        }
        other => panic!("{other:?}"),
    }
    let e = expr("  foo(1, -x)");
    assert_eq!(e.pos, pos(1, 3), "call: callee position");
    match &e.kind {
        ExprKind::Call(f, args) => {
            assert_eq!(f.kind, ExprKind::Ident("foo".into()));
            assert_eq!(args[1].pos, pos(1, 10), "unary: operator position");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(expr("(((7)))").pos, pos(1, 4));
}

#[test]
fn literals() {
    assert_eq!(expr("42").kind, ExprKind::Int(42));
    assert_eq!(expr("0x10").kind, ExprKind::Int(16));
    assert_eq!(expr("3.25").kind, ExprKind::Float(3.25));
    assert_eq!(expr("true").kind, ExprKind::Bool(true));
    assert_eq!(expr("false").kind, ExprKind::Bool(false));
    assert_eq!(expr(r#""hi\n""#).kind, ExprKind::Str("hi\n".into()));
    assert_eq!(expr("x").kind, ExprKind::Ident("x".into()));
    assert_eq!(shown("f()"), "f()");
    assert_eq!(shown("f(g(1), \"s\", 2.5)"), "f(g(1), \"s\", 2.5)");
    assert_eq!(
        shown("-9223372036854775807 - 1"),
        "(-9223372036854775807 - 1)"
    );
}

// ----- statements -----

fn only(src: &str) -> StmtKind {
    let p = ok(src);
    assert_eq!(p.stmts.len(), 1, "{p:?}");
    p.stmts.into_iter().next().map(|s| s.kind).unwrap()
}

#[test]
fn let_and_var() {
    match only("let x: int = 1") {
        StmtKind::Let {
            name,
            mutable,
            ty,
            init,
        } => {
            assert_eq!(name, "x");
            assert!(!mutable);
            assert_eq!(ty, Some(TypeExpr::Name("int".into(), pos(1, 8))));
            assert_eq!(init.map(|e| e.kind), Some(ExprKind::Int(1)));
        }
        other => panic!("{other:?}"),
    }
    match only("var s: string") {
        StmtKind::Let {
            mutable, ty, init, ..
        } => {
            assert!(mutable);
            assert!(matches!(ty, Some(TypeExpr::Name(n, _)) if n == "string"));
            assert!(init.is_none());
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        only("var y = 2.5"),
        StmtKind::Let {
            mutable: true,
            ty: None,
            init: Some(_),
            ..
        }
    ));
}

#[test]
fn types() {
    let ty = |src: &str| match only(&format!("let x: {src}")) {
        StmtKind::Let { ty: Some(t), .. } => t,
        other => panic!("{other:?}"),
    };
    let name = |n: &str, col| TypeExpr::Name(n.into(), pos(1, col));
    assert_eq!(
        ty("list<int>"),
        TypeExpr::Generic("list".into(), vec![name("int", 13)], pos(1, 8))
    );
    assert_eq!(
        ty("map<string, list<int>>"),
        TypeExpr::Generic(
            "map".into(),
            vec![
                name("string", 12),
                TypeExpr::Generic("list".into(), vec![name("int", 25)], pos(1, 20))
            ],
            pos(1, 8)
        )
    );
    assert_eq!(
        ty("fun(int, float): bool"),
        TypeExpr::Fun(
            vec![name("int", 12), name("float", 17)],
            Some(Box::new(name("bool", 25))),
            pos(1, 8)
        )
    );
    assert_eq!(ty("fun()"), TypeExpr::Fun(vec![], None, pos(1, 8)));
    assert_eq!(
        ty("int?"),
        TypeExpr::Optional(Box::new(name("int", 8)), pos(1, 8))
    );
    assert_eq!(
        ty("{a: int, b: string,}"),
        TypeExpr::Struct(
            vec![
                ("a".into(), name("int", 12)),
                ("b".into(), name("string", 20))
            ],
            pos(1, 8)
        )
    );
    assert_eq!(ty("Person"), name("Person", 8));
}

#[test]
fn assignment() {
    match only("x = x + 1") {
        StmtKind::Assign { name, value } => {
            assert_eq!(name, "x");
            assert_eq!(show(&value), "(x + 1)");
        }
        other => panic!("{other:?}"),
    }
    // `==` is a comparison, not an assignment.
    assert!(matches!(only("x == 1"), StmtKind::Expr(_)));
}

#[test]
fn if_else_chains() {
    let p = ok("if a { f() } else if (b) { g() } else if c { } else { h() }");
    assert_eq!(p.stmts.len(), 1);
    let s = &p.stmts[0];
    assert_eq!(s.pos, pos(1, 1));
    let StmtKind::If { cond, then, els } = &s.kind else {
        panic!("{s:?}")
    };
    assert_eq!(show(cond), "a");
    assert_eq!(then.len(), 1);
    let els = els.as_ref().expect("else");
    assert_eq!(els.len(), 1);
    assert_eq!(els[0].pos, pos(1, 19));
    let StmtKind::If { cond, els, .. } = &els[0].kind else {
        panic!("{els:?}")
    };
    assert_eq!(show(cond), "b");
    let els = els.as_ref().expect("else");
    let StmtKind::If { cond, then, els } = &els[0].kind else {
        panic!("{els:?}")
    };
    assert_eq!(show(cond), "c");
    assert!(then.is_empty());
    assert_eq!(els.as_ref().map(|e| e.len()), Some(1));

    assert!(matches!(only("if x {}"), StmtKind::If { els: None, .. }));
    // An identifier before the body is not a struct literal.
    assert!(matches!(only("if done {}"), StmtKind::If { .. }));
    assert!(matches!(only("while running {}"), StmtKind::While { .. }));
}

#[test]
fn loops() {
    match only("for i in 0..n + 1 { if i == 3 { continue } break }") {
        StmtKind::ForRange {
            var,
            start,
            end,
            body,
        } => {
            assert_eq!(var, "i");
            assert_eq!(show(&start), "0");
            assert_eq!(show(&end), "(n + 1)");
            assert_eq!(body.len(), 2);
            assert!(matches!(body[1].kind, StmtKind::Break));
        }
        other => panic!("{other:?}"),
    }
    match only("for i in a - 1..len(xs) {}") {
        StmtKind::ForRange { start, end, .. } => {
            assert_eq!(show(&start), "(a - 1)");
            assert_eq!(show(&end), "len(xs)");
        }
        other => panic!("{other:?}"),
    }
    match only("while i < 10 { i = i + 1 }") {
        StmtKind::While { cond, body } => {
            assert_eq!(show(&cond), "(i < 10)");
            assert!(matches!(body[0].kind, StmtKind::Assign { .. }));
        }
        other => panic!("{other:?}"),
    }
}

fn fun_body(src: &str) -> Vec<Stmt> {
    match only(src) {
        StmtKind::Fun(f) => f.body,
        other => panic!("{other:?}"),
    }
}

#[test]
fn functions_and_return() {
    match only("fun add(a: int, b: int): int {\n  return a + b\n}") {
        StmtKind::Fun(f) => {
            assert_eq!(f.name, "add");
            assert_eq!(f.pos, pos(1, 1));
            assert_eq!(f.params.len(), 2);
            assert_eq!(f.params[1].name, "b");
            assert_eq!(f.params[1].pos, pos(1, 17));
            assert_eq!(f.ret, Some(TypeExpr::Name("int".into(), pos(1, 26))));
            assert_eq!(f.body[0].pos, pos(2, 3));
            assert!(matches!(&f.body[0].kind, StmtKind::Return(Some(e)) if show(e) == "(a + b)"));
        }
        other => panic!("{other:?}"),
    }
    match only("fun f() {}") {
        StmtKind::Fun(f) => {
            assert!(f.params.is_empty());
            assert!(f.ret.is_none());
        }
        other => panic!("{other:?}"),
    }
    // `return` before `}` or at the end of a line has no value.
    let body = fun_body("fun f() { if x { return } return }");
    assert!(matches!(body[1].kind, StmtKind::Return(None)));
    let body = fun_body("fun f() {\n return\n g()\n}");
    assert_eq!(body.len(), 2);
    assert!(matches!(body[0].kind, StmtKind::Return(None)));
    assert!(matches!(body[1].kind, StmtKind::Expr(_)));
    let body = fun_body("fun f(): int { return -1 }");
    assert!(matches!(&body[0].kind, StmtKind::Return(Some(e)) if show(e) == "-1"));
    // Nested declarations are accepted by the parser.
    let body = fun_body("fun outer() { fun inner(x: fun(int): int): int { return x(1) } }");
    assert!(matches!(&body[0].kind, StmtKind::Fun(f) if f.name == "inner"));
}

#[test]
fn free_form_statements() {
    let p = ok("let x = 1 print(x) x = 2 print(x)");
    assert_eq!(p.stmts.len(), 4);
    let cols: Vec<u32> = p.stmts.iter().map(|s| s.pos.col).collect();
    assert_eq!(cols, vec![1, 11, 20, 26]);
    assert!(ok("").stmts.is_empty());
    assert!(ok(" ;; // nothing\n").stmts.is_empty());
}

// ----- unsupported constructs -----

#[test]
fn unsupported_expressions() {
    let cases: &[(&str, u32, u32)] = &[
        ("let xs = [1, 2]", 1, 10),
        ("let m = {\"a\": 1}", 1, 9),
        ("print(xs[0])", 1, 9),
        ("print(s[1:3])", 1, 8),
        ("print(p.name)", 1, 8),
        ("print(s.contains(\"a\"))", 1, 8),
        ("let n = \"12\" as int", 1, 14),
        ("let m = if x > 10 then \"yes\" else \"no\"", 1, 9),
        ("let m = if x { 1 } else { 2 }", 1, 9),
        ("let f = fun(x: int): int => x + 1", 1, 9),
        ("let l = match x { 1 => \"one\" _ => \"other\" }", 1, 9),
        ("let q = from x in xs select x", 1, 9),
        ("print(1 in xs)", 1, 9),
        ("let y = a ?? b", 1, 11),
        ("let y = a?.b", 1, 10),
        ("let p = Point { x: 1, y: 2 }", 1, 9),
        ("let e = Empty {}", 1, 9),
        ("let u = a union b", 1, 11),
        ("let u = a union all b", 1, 11),
        ("let u = a except b", 1, 11),
        ("let u = a intersect b", 1, 11),
        ("let d = fetch \"http://x\"", 1, 9),
        ("let d = load \"x.json\" as T", 1, 9),
        ("save xs to \"-\"", 1, 1),
        ("let g = generate text { prompt: \"hi\" }", 1, 9),
        ("let v = nil", 1, 9),
        ("let v = none", 1, 9),
        ("print(f(1)(2))", 1, 11),
        ("print((a + b) * c(1)[0])", 1, 21),
        ("x = -y as int", 1, 8),
    ];
    for (src, line, col) in cases {
        unsupported(src, *line, *col);
    }
    assert!(unsupported("let xs = [1]", 1, 10).contains("list literal"));
    assert!(unsupported("let y = a ?? b", 1, 11).contains("??"));
}

#[test]
fn unsupported_statements() {
    let cases: &[(&str, u32, u32)] = &[
        ("for x in xs { print(x) }", 1, 1),
        ("let a = 1\n  for k in m {}", 2, 3),
        ("for x in [1, 2] {}", 1, 10),
        ("xs[0] = 1", 1, 1),
        ("xs[i][j] = 1", 1, 1),
        ("s.f = 1", 1, 1),
        ("xs[i].f = e", 1, 1),
        ("type Point { x: int }", 1, 1),
        ("type T = A | B(x: int)", 1, 1),
        ("test \"t\" { expect 1 == 1 }", 1, 1),
        ("expect x == 1", 1, 1),
        ("bench \"b\" { }", 1, 1),
        ("import python \"math\" as math", 1, 1),
        ("extern fun f(): int", 1, 1),
        ("package foo", 1, 1),
        ("export fun f() {}", 1, 1),
        ("fetch \"u\" into x", 1, 1),
        ("update people set { age: age + 1 } where age > 1", 1, 1),
        ("agent A {}", 1, 1),
        ("stream S { x: int }", 1, 1),
        ("on S as s { }", 1, 1),
        ("emit S { x: 1 }", 1, 1),
        ("fact parent(\"a\", \"b\")", 1, 1),
        ("rule anc(x, y) :- parent(x, y)", 1, 1),
        ("intent go() {}", 1, 1),
        ("model m { provider: \"x\" }", 1, 1),
        ("fun id<T>(x: T): T { return x }", 1, 7),
        ("fun f(x) {}", 1, 7),
        ("fun f() {\n  let s = [1]\n}", 2, 11),
        (
            "let x = 1\nif x {\n  while true {\n    print(x.y)\n  }\n}",
            4,
            12,
        ),
        ("let q = query anc(x, y)", 1, 9),
    ];
    for (src, line, col) in cases {
        unsupported(src, *line, *col);
    }
    assert!(unsupported("for x in xs {}", 1, 1).contains("for-in over collections"));
    assert!(unsupported("xs[0] = 1", 1, 1).contains("index assignment"));
    assert!(unsupported("s.f = 1", 1, 1).contains("field assignment"));
    // Indexing that is not assigned is indexing.
    assert!(unsupported("xs[0] == 1", 1, 3).contains("indexing"));
}

// ----- syntax errors -----

#[test]
fn syntax_errors() {
    assert_eq!(
        syntax("let = 5", 1, 5),
        "expected variable name after 'let', found '='"
    );
    assert_eq!(
        syntax("print(1 +)", 1, 10),
        "expected expression, found ')'"
    );
    assert_eq!(
        syntax("fun f() { return 1 + }", 1, 22),
        "expected expression, found '}'"
    );
    assert_eq!(
        syntax("print(\"a\"", 1, 10),
        "expected ',' or ')', found end of input"
    );
    assert_eq!(
        syntax("1 +", 1, 4),
        "expected expression, found end of input"
    );
    assert!(syntax("if x {\n  print(x)\n", 2, 11).contains("'}'"));
    assert!(syntax("}", 1, 1).contains("'}'"));
    syntax("fun f() { }\n}", 2, 1);
    syntax("if x { } else print(x)", 1, 15);
    syntax("if x print(x)", 1, 6);
    syntax("while { }", 1, 7);
    syntax("for 1 in 0..2 {}", 1, 5);
    syntax("for i 0..2 {}", 1, 7);
    syntax("for i in 0.. {}", 1, 14);
    syntax("let x: = 1", 1, 8);
    syntax("let x: list<int = 1", 1, 17);
    syntax("fun 1() {}", 1, 5);
    unsupported("fun (x: int) {}", 1, 1);
    syntax("fun f(a: int b: int) {}", 1, 14);
    syntax("fun f(a: int,) {}", 1, 14);
    syntax("print(a,)", 1, 9);
    syntax("f(x) = 1", 1, 6);
    syntax("x + = 1", 1, 5);
    syntax("else { }", 1, 1);
    syntax("let x = (1 + 2", 1, 15);
    syntax("let x = )", 1, 9);
    syntax("print(a b)", 1, 9);
}

// ----- nesting limits -----

/// Run `f` on a thread with the default test-thread stack size (2 MiB), set explicitly so that
/// the test does not depend on `RUST_MIN_STACK`. (Debug builds need about 1 MiB at the limit.)
fn on_small_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(f)
        .expect("spawn")
        .join()
        .expect("parser thread panicked")
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let results = on_small_stack(|| {
        let n = 100_000;
        let deep_parens = format!("print({}1{})", "(".repeat(n), ")".repeat(n));
        let deep_blocks = format!("{}{}", "if x {".repeat(n), "}".repeat(n));
        let deep_calls = format!("{}1{}", "f(".repeat(n), ")".repeat(n));
        let deep_unary = format!("x = {}1", "-".repeat(n));
        let long_chain = format!("x = 1{}", " + 1".repeat(n));
        let else_ifs = format!("if a {{}}{}", " else if a {}".repeat(n));
        let deep_types = format!("let x: {}int{}", "list<".repeat(n), ">".repeat(n));
        let unclosed = "(".repeat(n);
        [
            deep_parens,
            deep_blocks,
            deep_calls,
            deep_unary,
            long_chain,
            else_ifs,
            deep_types,
            unclosed,
        ]
        .map(|src| parse(&src).map(|_| ()))
    });
    for r in results {
        let e = r.expect_err("must hit the nesting limit");
        assert_eq!(e.phase, Phase::Parse);
        assert_eq!(e.message, "nesting too deep");
    }
}

#[test]
fn moderate_nesting_is_fine() {
    let results = on_small_stack(|| {
        let n = 150;
        let parens = format!("print({}1{})", "(".repeat(n), ")".repeat(n));
        let blocks = format!("{}{}", "while x {".repeat(n), "}".repeat(n));
        let chain = format!("x = 1{}", " * 2 + 1".repeat(n));
        let else_ifs = format!("if a {{}}{} else {{}}", " else if a {}".repeat(n));
        [parens, blocks, chain, else_ifs].map(|src| parse(&src).map(|_| ()))
    });
    for r in results {
        r.expect("within the limits");
    }
}

// ----- corpus -----

#[test]
fn conformance_corpus_never_panics() {
    let dir =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/conformance/vm-valid");
    let dir = if dir.is_dir() {
        dir
    } else {
        std::path::PathBuf::from("/work/shared/conformance/vm-valid")
    };
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return; // corpus not available: nothing to check
    };
    let mut count = 0;
    for entry in entries.flatten() {
        let path = entry.path();
        if path.extension().and_then(|e| e.to_str()) != Some("mochi") {
            continue;
        }
        let Ok(src) = std::fs::read_to_string(&path) else {
            continue;
        };
        count += 1;
        let result = std::panic::catch_unwind(|| parse(&src));
        match result {
            Ok(Ok(_)) => {}
            Ok(Err(e)) => assert!(
                matches!(e.phase, Phase::Unsupported | Phase::Parse),
                "{}: {e}",
                path.display()
            ),
            Err(_) => panic!("parser panicked on {}", path.display()),
        }
    }
    assert!(count > 0, "no .mochi files in {}", dir.display());
}

/// Programs written in the supported slice parse completely.
#[test]
fn slice_program_parses() {
    let src = r#"
// Sum of squares, primes and recursion.
fun square(x: int): int { return x * x }

fun isPrime(n: int): bool {
  if n < 2 { return false }
  var i = 2
  while i * i <= n {
    if n % i == 0 { return false }
    i = i + 1
  }
  return true
}

fun fib(n: int): int {
  if n < 2 {
    return n
  } else {
    return fib(n - 1) + fib(n - 2)
  }
}

var total: int = 0
for i in 0..10 {
  total = total + square(i)
}
print("total", total)
let ratio: float = 2.5e-1 * 4.0
print(ratio, isPrime(97), fib(20), !(total > 100) || false)
"#;
    let p = ok(src);
    assert_eq!(p.stmts.len(), 8);
    assert!(matches!(p.stmts[0].kind, StmtKind::Fun(_)));
    assert_eq!(p.stmts[3].pos, pos(23, 1));
}
