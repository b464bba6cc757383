//! Random mutations of corpus programs never make the parser panic (deterministic seed, no
//! extra crate): character-level edits and token-level edits.

use std::path::Path;

/// xorshift64*
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn corpus() -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut dirs = vec![
        root.join("programs"),
        root.join("../shared/conformance/vm-valid"),
    ];
    if let Ok(entries) = std::fs::read_dir(root.join("../shared/bench")) {
        dirs.extend(entries.flatten().map(|e| e.path()));
    }
    let mut out = Vec::new();
    for dir in dirs {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        let mut paths: Vec<_> = entries.flatten().map(|e| e.path()).collect();
        paths.sort();
        for p in paths {
            if p.extension().is_some_and(|e| e == "mochi") {
                if let Ok(src) = std::fs::read_to_string(&p) {
                    out.push(src);
                }
            }
        }
    }
    if out.is_empty() {
        out.push("fun f(x: int): int { return x + 1 }\nprint(f(2))\n".to_string());
    }
    out
}

const SNIPPETS: &[&str] = &[
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    ",",
    ".",
    ":",
    "?",
    "?.",
    "??",
    "=",
    "==",
    "=>",
    "..",
    "-",
    "!",
    "+",
    "*",
    "/",
    "%",
    "<",
    ">",
    "|",
    "&&",
    "||",
    "\"",
    "\\",
    "'",
    "/*",
    "*/",
    "//",
    "#",
    "\n",
    ";",
    " ",
    "0x",
    "1e",
    "1.",
    "99999999999999999999",
    "é",
    "😀",
    "\u{FEFF}",
    "\0",
    "let ",
    "var ",
    "fun ",
    "if ",
    "else ",
    "then ",
    "for ",
    "in ",
    "while ",
    "return ",
    "match ",
    "from ",
    "select ",
    "where ",
    "group by ",
    "into ",
    "join ",
    "on ",
    "type ",
    "as ",
    "union ",
    "all ",
    "nil",
    "load ",
    "save ",
    "to ",
    "with ",
    "update ",
    "set ",
    "test ",
    "expect ",
    "bench ",
    "import ",
    "extern ",
    "agent ",
    "fetch ",
    "generate ",
    "export ",
    "package ",
];

fn mutate(rng: &mut Rng, src: &str) -> String {
    let mut chars: Vec<char> = src.chars().collect();
    let edits = 1 + rng.below(4);
    for _ in 0..edits {
        let at = rng.below(chars.len() + 1);
        match rng.below(6) {
            // Delete a short run.
            0 if !chars.is_empty() => {
                let at = at.min(chars.len() - 1);
                let len = (1 + rng.below(8)).min(chars.len() - at);
                chars.drain(at..at + len);
            }
            // Insert a snippet.
            1 | 2 => {
                let s = SNIPPETS[rng.below(SNIPPETS.len())];
                chars.splice(at..at, s.chars());
            }
            // Insert a random character (any scalar value).
            3 => {
                let c = char::from_u32(rng.below(0x11_0000) as u32).unwrap_or('x');
                chars.insert(at, c);
            }
            // Duplicate a slice elsewhere.
            4 if !chars.is_empty() => {
                let from = rng.below(chars.len());
                let len = (1 + rng.below(40)).min(chars.len() - from);
                let piece: Vec<char> = chars[from..from + len].to_vec();
                chars.splice(at..at, piece);
            }
            // Truncate.
            _ => chars.truncate(at),
        }
    }
    chars.into_iter().collect()
}

/// Token-level edit: drop, duplicate or swap whitespace-separated words.
fn mutate_words(rng: &mut Rng, src: &str) -> String {
    let mut words: Vec<&str> = src.split_inclusive(|c: char| c.is_whitespace()).collect();
    if words.len() < 2 {
        return src.to_string();
    }
    for _ in 0..1 + rng.below(3) {
        let i = rng.below(words.len());
        let j = rng.below(words.len());
        match rng.below(3) {
            0 => {
                words.remove(i);
                if words.len() < 2 {
                    break;
                }
            }
            1 => {
                let w = words[i];
                words.insert(j, w);
            }
            _ => words.swap(i, j),
        }
    }
    words.concat()
}

#[test]
fn mutations_never_panic() {
    let corpus = corpus();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut parsed = 0;
    let mut failed = 0;
    for k in 0..4000 {
        let base = &corpus[rng.below(corpus.len())];
        let src = if k % 3 == 0 {
            mutate_words(&mut rng, base)
        } else {
            mutate(&mut rng, base)
        };
        let result = std::panic::catch_unwind(|| compiler::syntax::parse(&src));
        match result {
            Ok(Ok(_)) => parsed += 1,
            Ok(Err(e)) => {
                assert!(!e.message.is_empty());
                assert!(
                    e.pos.line >= 1 && e.pos.col >= 1,
                    "bad position {:?} for {src:?}",
                    e.pos
                );
                failed += 1;
            }
            Err(_) => panic!("parser panicked on mutation #{k}:\n{src}"),
        }
    }
    // Both outcomes occur.
    assert!(parsed > 0 && failed > 0, "parsed {parsed}, failed {failed}");
}

#[test]
fn random_bytes_never_panic() {
    let mut rng = Rng(42);
    for _ in 0..2000 {
        let len = rng.below(200);
        let bytes: Vec<u8> = (0..len).map(|_| rng.below(128) as u8).collect();
        let src = String::from_utf8_lossy(&bytes).into_owned();
        let r = std::panic::catch_unwind(|| compiler::syntax::parse(&src));
        assert!(r.is_ok(), "parser panicked on {src:?}");
    }
}
