//! Parse errors: messages, positions, nesting limits, unsupported constructs.

mod syntax_common;
use syntax_common::err;
use vm::error::Phase;

#[test]
fn messages_with_positions() {
    assert_eq!(
        err("fun f() {\n  if x {\n    g()\n  }\n"),
        "4:4: expected '}' to close the block opened at 1:9, found end of input"
    );
    assert_eq!(
        err("let = 1"),
        "1:5: expected variable name after 'let', found '='"
    );
    assert_eq!(
        err("print(1, 2"),
        "1:11: expected ')' to close the one opened at 1:6, found end of input"
    );
    assert_eq!(
        err("let x = [1, 2"),
        "1:14: expected ']' to close the one opened at 1:9, found end of input"
    );
    assert_eq!(
        err("let x = 1 +"),
        "1:12: expected expression, found end of input"
    );
    assert_eq!(err("}"), "1:1: unexpected '}' (no matching '{')");
    assert_eq!(
        err("f(x) = 1"),
        "1:6: invalid assignment target (expected a variable, an element `x[i]` or a field `x.f`)"
    );
    assert_eq!(
        err("let s = 'a'"),
        "1:9: unexpected character ''' (string literals use double quotes)"
    );
    assert_eq!(
        err("let n = 99999999999999999999"),
        "1:9: integer literal out of range"
    );
    assert_eq!(err("let n = 12ab"), "1:9: invalid numeric literal '12ab'");
    assert_eq!(err("let s = \"abc"), "1:9: unterminated string literal");
    assert_eq!(
        err("let s = \"\\q\""),
        "1:10: invalid escape sequence '\\q'"
    );
    assert_eq!(err("/* never closed"), "1:1: unterminated block comment");
    assert_eq!(
        err("let r = from x in xs where x"),
        "1:29: expected 'select' (or another query clause), found end of input"
    );
    assert_eq!(
        err("let m = match x { 1 => 2"),
        "1:25: expected '}' to close the one opened at 1:17, found end of input"
    );
    assert_eq!(err("type T = "), "1:9: expected type, found end of input");
    assert_eq!(
        err("if x { } else y"),
        "1:15: expected '{', found identifier 'y'"
    );
    assert_eq!(
        err("let x = if a then 1 else"),
        "1:25: expected expression, found end of input"
    );
    assert_eq!(err("1.5.2"), "1:4: expected statement, found '.'");
}

#[test]
fn first_error_in_source_order() {
    // A syntax error before a lexical error is reported first.
    assert_eq!(
        err("let = 1\nlet s = 'a'"),
        "1:5: expected variable name after 'let', found '='"
    );
    assert_eq!(
        err("let s = 'a'\nlet = 1"),
        "1:9: unexpected character ''' (string literals use double quotes)"
    );
}

#[test]
fn unsupported_constructs() {
    let cases = [
        (
            "agent A { }",
            "agent declarations are not supported by this runtime",
        ),
        (
            "stream S { x: int }",
            "stream declarations are not supported by this runtime",
        ),
        (
            "on S as s { }",
            "`on` handlers are not supported by this runtime",
        ),
        (
            "emit S { x: 1 }",
            "`emit` statements are not supported by this runtime",
        ),
        (
            "fact parent(\"a\", \"b\")",
            "`fact` statements are not supported by this runtime",
        ),
        (
            "rule p(x) :- q(x)",
            "`rule` statements are not supported by this runtime",
        ),
        (
            "intent f() { }",
            "intent declarations are not supported by this runtime",
        ),
        (
            "model m { provider: \"x\" }",
            "model declarations are not supported by this runtime",
        ),
        (
            "let r = fetch \"http://x\"",
            "`fetch` expressions are not supported by this runtime",
        ),
        (
            "fetch \"http://x\" into r",
            "`fetch` statements are not supported by this runtime",
        ),
        (
            "let p = generate text { prompt: \"x\" }",
            "`generate` expressions are not supported by this runtime",
        ),
        (
            "let q = query parent(x, y)",
            "logic queries are not supported by this runtime",
        ),
    ];
    for (src, msg) in cases {
        let e = compiler::syntax::parse(src).unwrap_err();
        assert_eq!(e.message, msg, "for {src}");
        assert_eq!(e.phase, Phase::Unsupported, "for {src}");
    }
    let e = compiler::syntax::parse("let x = 1\n  agent A {}").unwrap_err();
    assert_eq!((e.pos.line, e.pos.col), (2, 3));
}

fn nested(open: &str, inner: &str, close: &str, n: usize) -> String {
    format!("let x = {}{inner}{}", open.repeat(n), close.repeat(n))
}

/// Run on a thread with the default test stack size (2 MiB), as a test harness would.
fn on_small_stack(src: String) -> Result<(), String> {
    std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(move || {
            compiler::syntax::parse(&src)
                .map(|_| ())
                .map_err(|e| e.message)
        })
        .unwrap()
        .join()
        .unwrap()
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    for (open, inner, close) in [
        ("(", "1", ")"),
        ("[", "1", "]"),
        ("{a: ", "1", "}"),
        ("f(", "1", ")"),
        ("if a then ", "1", " else 2"),
        ("fun() => ", "1", ""),
        ("x[", "1", "]"),
    ] {
        let deep = nested(open, inner, close, 100_000);
        assert_eq!(
            on_small_stack(deep),
            Err("nesting too deep".to_string()),
            "for {open}"
        );
    }
    let deep_blocks = format!("{}{}", "if a {\n".repeat(50_000), "}".repeat(50_000));
    assert_eq!(
        on_small_stack(deep_blocks),
        Err("nesting too deep".to_string())
    );
    let deep_type = format!("let x: {}int{}", "list<".repeat(50_000), ">".repeat(50_000));
    assert_eq!(
        on_small_stack(deep_type),
        Err("nesting too deep".to_string())
    );
    let deep_pattern = format!(
        "let x = match y {{ {}1{} => 0 }}",
        "A(".repeat(50_000),
        ")".repeat(50_000)
    );
    assert_eq!(
        on_small_stack(deep_pattern),
        Err("nesting too deep".to_string())
    );
}

#[test]
fn nesting_below_the_limit_parses() {
    // Just below the limit works, even when called from a small (2 MiB) thread in an
    // unoptimised build: `parse` runs the parser on a thread with a large stack.
    let n = compiler::syntax::MAX_DEPTH as usize - 2;
    assert_eq!(on_small_stack(nested("(", "1", ")", n)), Ok(()));
    let t = compiler::syntax::MAX_TYPE_DEPTH as usize - 2;
    assert_eq!(on_small_stack(nested("[", "1", "]", t)), Ok(()));
    let blocks = format!("{}{}", "while a {\n".repeat(n), "}".repeat(n));
    assert_eq!(on_small_stack(blocks), Ok(()));
}
