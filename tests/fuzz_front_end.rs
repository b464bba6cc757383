//! Front-end robustness: thousands of deterministic mutations of the project's programs and
//! of the conformance corpus go through the lexer, parser, checker and compiler (and the
//! bytecode verifier). Each must either compile or return an error with a position inside the
//! source; none may panic. (Run longer with MOCHI_FUZZ_ROUNDS=N.)

mod common;
use common::*;

/// splitmix64: a tiny deterministic PRNG.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const SNIPPETS: &[&str] = &[
    "(",
    ")",
    "{",
    "}",
    "[",
    "]",
    ",",
    ":",
    ".",
    "..",
    "=",
    "==",
    "!",
    "-",
    "+",
    "*",
    "/",
    "%",
    "&&",
    "||",
    "<",
    ">=",
    "\"",
    "\\",
    "/*",
    "*/",
    "//",
    "#",
    ";",
    "\n",
    " ",
    "fun",
    "let",
    "var",
    "if",
    "else",
    "while",
    "for",
    "in",
    "return",
    "break",
    "continue",
    "print",
    "x",
    "int",
    "float",
    "string",
    "bool",
    "0",
    "9223372036854775807",
    "9223372036854775808",
    "1.5e308",
    "1e999",
    "0x",
    "0b2",
    "é",
    "🍡",
    "\u{0}",
    "true",
    "false",
    "type",
    "match",
    "from",
    "select",
    "as",
    "nil",
];

fn mutate(src: &str, rng: &mut Rng) -> String {
    let mut chars: Vec<char> = src.chars().collect();
    for _ in 0..1 + rng.below(4) {
        let len = chars.len();
        match rng.below(5) {
            0 if len > 0 => {
                // delete a range
                let a = rng.below(len);
                let b = (a + 1 + rng.below(8)).min(len);
                chars.drain(a..b);
            }
            1 => {
                // insert a snippet
                let at = rng.below(len + 1);
                let s = SNIPPETS[rng.below(SNIPPETS.len())];
                for (i, c) in s.chars().enumerate() {
                    chars.insert(at + i, c);
                }
            }
            2 if len > 1 => {
                // duplicate a range somewhere else
                let a = rng.below(len);
                let b = (a + 1 + rng.below(40)).min(len);
                let piece: Vec<char> = chars[a..b].to_vec();
                let at = rng.below(chars.len() + 1);
                for (i, c) in piece.into_iter().enumerate() {
                    chars.insert(at + i, c);
                }
            }
            3 if len > 1 => {
                let (a, b) = (rng.below(len), rng.below(len));
                chars.swap(a, b);
            }
            _ => {
                // deep nesting
                let at = rng.below(len + 1);
                let depth = 1 + rng.below(300);
                let open = if rng.below(2) == 0 { '(' } else { '{' };
                for _ in 0..depth {
                    chars.insert(at, open);
                }
            }
        }
    }
    chars.into_iter().collect()
}

fn check(src: &str) -> Result<(), String> {
    let lines = src.split('\n').count() as u32;
    let result = std::panic::catch_unwind(|| compiler::compile_source(src).map(|_| ()));
    match result {
        Err(_) => Err("panicked".into()),
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) if e.pos.line >= 1 && e.pos.line <= lines + 1 && e.pos.col >= 1 => Ok(()),
        Ok(Err(e)) => Err(format!("error outside the source: {e:?}")),
    }
}

#[test]
fn mutated_programs_never_crash_the_front_end() {
    let mut seeds: Vec<String> = Vec::new();
    for dir in [
        root().join("programs"),
        root().join("../shared/conformance/vm-valid"),
    ] {
        for f in mochi_files(&dir) {
            if let Ok(s) = std::fs::read_to_string(&f) {
                seeds.push(s);
            }
        }
    }
    assert!(!seeds.is_empty());
    let rounds: usize = std::env::var("MOCHI_FUZZ_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(30_000);
    // The parser and checker recurse over the AST: give them the stack the binary gives them.
    let failures = std::thread::Builder::new()
        .stack_size(256 << 20)
        .spawn(move || {
            std::panic::set_hook(Box::new(|_| {})); // reported below instead
            let mut rng = Rng(0x5EED);
            let mut failures = Vec::new();
            for round in 0..rounds {
                let seed = &seeds[rng.below(seeds.len())];
                let src = mutate(seed, &mut rng);
                if let Err(why) = check(&src) {
                    failures.push(format!("round {round}: {why}\n--- source\n{src}\n---"));
                    if failures.len() > 3 {
                        break;
                    }
                }
            }
            let _ = std::panic::take_hook();
            failures
        })
        .unwrap()
        .join()
        .unwrap();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
