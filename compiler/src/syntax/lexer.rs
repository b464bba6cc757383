//! Lexer: turns Mochi source text into a flat list of tokens (LANGUAGE.md §1).
//!
//! * One leading BOM is ignored.
//! * Whitespace is space, tab, CR, LF and `;` (semicolons are plain whitespace).
//! * Comments: `// ...` and `# ...` to end of line, `/* ... */` (no nesting).
//! * Columns count Unicode scalar values and are 1-based, like lines.
//!
//! The token list always ends with one `Tok::Eof` token. Its position is just past the last
//! real token (1:1 for an input without tokens), so that "found end of input" errors point at
//! the end of the last line that holds code rather than at an empty trailing line.

use super::ast::Pos;
use std::fmt;
use vm::error::Error;

/// Reserved keywords (LANGUAGE.md §1). Contextual words such as `from`, `as` or `union` are
/// lexed as `Tok::Ident` and recognised by the parser where they matter.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kw {
    Test,
    Expect,
    Agent,
    Intent,
    On,
    Stream,
    Emit,
    Type,
    Fun,
    Extern,
    Import,
    Return,
    Break,
    Continue,
    Let,
    Var,
    If,
    Else,
    Then,
    For,
    While,
    In,
    Generate,
    Match,
    Fetch,
    Load,
    Save,
    Package,
    Export,
    Fact,
    Rule,
    All,
    None,
}

impl Kw {
    const ALL: [Kw; 33] = [
        Kw::Test,
        Kw::Expect,
        Kw::Agent,
        Kw::Intent,
        Kw::On,
        Kw::Stream,
        Kw::Emit,
        Kw::Type,
        Kw::Fun,
        Kw::Extern,
        Kw::Import,
        Kw::Return,
        Kw::Break,
        Kw::Continue,
        Kw::Let,
        Kw::Var,
        Kw::If,
        Kw::Else,
        Kw::Then,
        Kw::For,
        Kw::While,
        Kw::In,
        Kw::Generate,
        Kw::Match,
        Kw::Fetch,
        Kw::Load,
        Kw::Save,
        Kw::Package,
        Kw::Export,
        Kw::Fact,
        Kw::Rule,
        Kw::All,
        Kw::None,
    ];

    /// The keyword spelled `word`, if `word` is reserved.
    pub fn from_word(word: &str) -> Option<Kw> {
        Kw::ALL.iter().copied().find(|k| k.as_str() == word)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Kw::Test => "test",
            Kw::Expect => "expect",
            Kw::Agent => "agent",
            Kw::Intent => "intent",
            Kw::On => "on",
            Kw::Stream => "stream",
            Kw::Emit => "emit",
            Kw::Type => "type",
            Kw::Fun => "fun",
            Kw::Extern => "extern",
            Kw::Import => "import",
            Kw::Return => "return",
            Kw::Break => "break",
            Kw::Continue => "continue",
            Kw::Let => "let",
            Kw::Var => "var",
            Kw::If => "if",
            Kw::Else => "else",
            Kw::Then => "then",
            Kw::For => "for",
            Kw::While => "while",
            Kw::In => "in",
            Kw::Generate => "generate",
            Kw::Match => "match",
            Kw::Fetch => "fetch",
            Kw::Load => "load",
            Kw::Save => "save",
            Kw::Package => "package",
            Kw::Export => "export",
            Kw::Fact => "fact",
            Kw::Rule => "rule",
            Kw::All => "all",
            Kw::None => "none",
        }
    }
}

/// The kind of a token, with its value for literals and identifiers.
#[derive(Clone, Debug, PartialEq)]
pub enum Tok {
    Int(i64),
    Float(f64),
    /// A string literal with its escapes already decoded.
    Str(String),
    Bool(bool),
    /// An identifier, including the contextual words (`from`, `as`, `union`, ...).
    Ident(String),
    Kw(Kw),
    // Two-character punctuation.
    /// `==`
    EqEq,
    /// `!=`
    NotEq,
    /// `<=`
    Le,
    /// `>=`
    Ge,
    /// `&&`
    AndAnd,
    /// `||`
    OrOr,
    /// `=>`
    FatArrow,
    /// `..`
    DotDot,
    /// `??`
    QuestionQuestion,
    // One-character punctuation.
    Minus,
    Plus,
    Star,
    Slash,
    Percent,
    /// `=`
    Assign,
    Lt,
    Gt,
    /// `!`
    Bang,
    /// `|`
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
    /// End of input (always the last token).
    Eof,
}

impl Tok {
    /// The source spelling of a punctuation token.
    pub fn punct_str(&self) -> Option<&'static str> {
        Some(match self {
            Tok::EqEq => "==",
            Tok::NotEq => "!=",
            Tok::Le => "<=",
            Tok::Ge => ">=",
            Tok::AndAnd => "&&",
            Tok::OrOr => "||",
            Tok::FatArrow => "=>",
            Tok::DotDot => "..",
            Tok::QuestionQuestion => "??",
            Tok::Minus => "-",
            Tok::Plus => "+",
            Tok::Star => "*",
            Tok::Slash => "/",
            Tok::Percent => "%",
            Tok::Assign => "=",
            Tok::Lt => "<",
            Tok::Gt => ">",
            Tok::Bang => "!",
            Tok::Pipe => "|",
            Tok::LBrace => "{",
            Tok::RBrace => "}",
            Tok::LBracket => "[",
            Tok::RBracket => "]",
            Tok::LParen => "(",
            Tok::RParen => ")",
            Tok::Comma => ",",
            Tok::Dot => ".",
            Tok::Colon => ":",
            Tok::Question => "?",
            _ => return None,
        })
    }
}

/// Human-readable description used in "expected X, found Y" messages.
impl fmt::Display for Tok {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Tok::Int(v) => write!(f, "'{v}'"),
            Tok::Float(v) => write!(f, "'{v:?}'"),
            Tok::Str(_) => write!(f, "string literal"),
            Tok::Bool(b) => write!(f, "'{b}'"),
            Tok::Ident(name) => write!(f, "identifier '{name}'"),
            Tok::Kw(kw) => write!(f, "keyword '{}'", kw.as_str()),
            Tok::Eof => write!(f, "end of input"),
            punct => write!(f, "'{}'", punct.punct_str().unwrap_or("?")),
        }
    }
}

/// A token and the position of its first character.
#[derive(Clone, Debug, PartialEq)]
pub struct Token {
    pub kind: Tok,
    pub pos: Pos,
    /// Whether a newline separates this token from the previous one (in whitespace or
    /// comments; the first token of the input counts as after a newline).
    pub nl_before: bool,
}

/// Lex the whole source. On success the result ends with a `Tok::Eof` token.
pub fn lex(src: &str) -> Result<Vec<Token>, Error> {
    match lex_partial(src) {
        (tokens, None) => Ok(tokens),
        (_, Some(err)) => Err(err),
    }
}

/// Lex as far as possible. Returns the tokens before the first lexical error (always terminated
/// by a `Tok::Eof` token, placed at the error's position when there is one) and that error.
///
/// The parser uses this so that a syntax or "unsupported" error *before* a lexical error is
/// the one reported: errors come out in source order.
pub(crate) fn lex_partial(src: &str) -> (Vec<Token>, Option<Error>) {
    let src = src.strip_prefix('\u{FEFF}').unwrap_or(src);
    let mut lexer = Lexer {
        chars: src.chars().collect(),
        i: 0,
        line: 1,
        col: 1,
        at_start: true,
    };
    let mut tokens = Vec::new();
    // Position just past the last token: where `Eof` goes.
    let mut end = Pos { line: 1, col: 1 };
    loop {
        match lexer.next_token() {
            Ok(Some(tok)) => {
                tokens.push(tok);
                end = lexer.pos();
            }
            Ok(None) => {
                tokens.push(Token {
                    kind: Tok::Eof,
                    pos: end,
                    nl_before: true,
                });
                return (tokens, None);
            }
            Err(err) => {
                tokens.push(Token {
                    kind: Tok::Eof,
                    pos: err.pos,
                    nl_before: true,
                });
                return (tokens, Some(err));
            }
        }
    }
}

/// The bidirectional embedding, override and isolate controls (U+202A-U+202E, U+2066-U+2069):
/// in source text they can make code display differently from how it parses ("Trojan
/// source", CVE-2021-42574), so they are rejected everywhere except as string escapes.
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

fn bidi_error(pos: Pos, c: char, place: &str) -> Error {
    let mut m = format!(
        "unicode codepoint changing visible direction of text present in {place} (U+{:04X})",
        c as u32
    );
    if place == "string literal" {
        m.push_str(&format!(
            "; write it as an escape (\\u{:04x}) if it is meant",
            c as u32
        ));
    }
    Error::parse(pos, m)
}

/// Can `c` start an identifier? `[\p{L}\p{So}_]`: letters (`char::is_alphabetic`, which also
/// admits a few marks and letter numbers), `_`, and the "other symbol" blocks where emoji and
/// pictographs live (see `is_symbol`).
pub fn is_ident_start(c: char) -> bool {
    c == '_' || c.is_alphabetic() || is_symbol(c)
}

/// `[\p{L}\p{So}\p{N}_]`, plus the zero-width joiner and variation selectors that glue emoji
/// sequences together.
pub fn is_ident_continue(c: char) -> bool {
    is_ident_start(c) || c.is_numeric() || matches!(c, '\u{200D}' | '\u{FE00}'..='\u{FE0F}')
}

/// An approximation of `\p{So}` (Symbol, other) by code-point blocks: the Latin-1 symbols
/// (`¦ © ® °`), letterlike symbols, arrows, technical symbols, box drawing, geometric shapes,
/// miscellaneous symbols and dingbats, CJK enclosed symbols and the emoji planes.
fn is_symbol(c: char) -> bool {
    matches!(c,
        '\u{A6}' | '\u{A9}' | '\u{AE}' | '\u{B0}' | '\u{482}'
        | '\u{2100}'..='\u{214F}'
        | '\u{2190}'..='\u{21FF}'
        | '\u{2300}'..='\u{23FF}'
        | '\u{2400}'..='\u{24FF}'
        | '\u{2500}'..='\u{27BF}'
        | '\u{2800}'..='\u{28FF}'
        | '\u{2B00}'..='\u{2BFF}'
        | '\u{2E80}'..='\u{2FFF}'
        | '\u{3200}'..='\u{33FF}'
        | '\u{1D000}'..='\u{1D24F}'
        | '\u{1F000}'..='\u{1FAFF}')
}

struct Lexer {
    chars: Vec<char>,
    i: usize,
    line: u32,
    col: u32,
    /// True until the first token is produced.
    at_start: bool,
}

impl Lexer {
    fn pos(&self) -> Pos {
        Pos {
            line: self.line,
            col: self.col,
        }
    }

    fn peek(&self, k: usize) -> Option<char> {
        self.chars.get(self.i + k).copied()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek(0)?;
        self.i += 1;
        if c == '\n' {
            self.line += 1;
            self.col = 1;
        } else {
            self.col += 1;
        }
        Some(c)
    }

    /// Skip whitespace (including `;`) and comments.
    fn skip_trivia(&mut self) -> Result<(), Error> {
        while let Some(c) = self.peek(0) {
            match c {
                ' ' | '\t' | '\r' | '\n' | ';' => {
                    self.bump();
                }
                '#' => self.skip_line()?,
                '/' if self.peek(1) == Some('/') => self.skip_line()?,
                '/' if self.peek(1) == Some('*') => {
                    let start = self.pos();
                    self.bump();
                    self.bump();
                    loop {
                        let at = self.pos();
                        match self.bump() {
                            None => return Err(Error::parse(start, "unterminated block comment")),
                            Some('*') if self.peek(0) == Some('/') => {
                                self.bump();
                                break;
                            }
                            Some(c) if is_bidi_control(c) => {
                                return Err(bidi_error(at, c, "comment"))
                            }
                            Some(_) => {}
                        }
                    }
                }
                _ => break,
            }
        }
        Ok(())
    }

    /// Skip a line comment, rejecting bidirectional controls in it.
    fn skip_line(&mut self) -> Result<(), Error> {
        while let Some(c) = self.peek(0) {
            if c == '\n' {
                break;
            }
            if is_bidi_control(c) {
                return Err(bidi_error(self.pos(), c, "comment"));
            }
            self.bump();
        }
        Ok(())
    }

    /// The next token, or `None` at end of input.
    fn next_token(&mut self) -> Result<Option<Token>, Error> {
        let line_before = self.line;
        self.skip_trivia()?;
        let nl_before = self.i == 0 || self.line != line_before || self.at_start;
        self.at_start = false;
        let pos = self.pos();
        let Some(c) = self.peek(0) else {
            return Ok(None);
        };
        let kind = if c.is_ascii_digit() {
            self.number(pos)?
        } else if is_ident_start(c) {
            self.word()
        } else if c == '"' {
            self.string(pos)?
        } else {
            self.punct(pos, c)?
        };
        Ok(Some(Token {
            kind,
            pos,
            nl_before,
        }))
    }

    fn word(&mut self) -> Tok {
        let mut word = String::new();
        while let Some(c) = self.peek(0).filter(|&c| is_ident_continue(c)) {
            word.push(c);
            self.bump();
        }
        match word.as_str() {
            "true" => Tok::Bool(true),
            "false" => Tok::Bool(false),
            _ => match Kw::from_word(&word) {
                Some(kw) => Tok::Kw(kw),
                None => Tok::Ident(word),
            },
        }
    }

    /// Consume characters while `pred` holds and return them.
    fn take_while(&mut self, pred: impl Fn(char) -> bool) -> String {
        let mut s = String::new();
        while let Some(c) = self.peek(0).filter(|&c| pred(c)) {
            s.push(c);
            self.bump();
        }
        s
    }

    /// Int (`123`, `0x1F`, `0b101`, `0o17`) or float (`1.5`, `2.5e-3`, `1e3`).
    fn number(&mut self, pos: Pos) -> Result<Tok, Error> {
        let radix = match (self.peek(0), self.peek(1)) {
            (Some('0'), Some('x' | 'X')) => 16,
            (Some('0'), Some('b' | 'B')) => 2,
            (Some('0'), Some('o' | 'O')) => 8,
            _ => 10,
        };
        let tok = if radix != 10 {
            let prefix: String = self.chars[self.i..self.i + 2].iter().collect();
            self.bump();
            self.bump();
            let digits = self.take_while(|c| c.is_digit(radix));
            if digits.is_empty() {
                return Err(self.bad_number(pos, prefix));
            }
            self.check_number_end(pos, format!("{prefix}{digits}"))?;
            // The digits are valid for the radix, so the only possible failure is overflow.
            let v = i64::from_str_radix(&digits, radix)
                .map_err(|_| Error::parse(pos, "integer literal out of range"))?;
            Tok::Int(v)
        } else {
            let mut text = self.take_while(|c| c.is_ascii_digit());
            let mut is_float = false;
            // `1.5` is a float, but `1.` and `0..10` are not: a digit must follow the dot.
            if self.peek(0) == Some('.') && self.peek(1).is_some_and(|c| c.is_ascii_digit()) {
                self.bump();
                text.push('.');
                text.push_str(&self.take_while(|c| c.is_ascii_digit()));
                is_float = true;
            }
            // An exponent needs at least one digit, optionally after a sign.
            if let Some(e @ ('e' | 'E')) = self.peek(0) {
                let sign = self.peek(1).filter(|&c| c == '+' || c == '-');
                let digit_at = if sign.is_some() { 2 } else { 1 };
                if self.peek(digit_at).is_some_and(|c| c.is_ascii_digit()) {
                    self.bump();
                    text.push(e);
                    if let Some(s) = sign {
                        self.bump();
                        text.push(s);
                    }
                    text.push_str(&self.take_while(|c| c.is_ascii_digit()));
                    is_float = true;
                }
            }
            self.check_number_end(pos, text.clone())?;
            if is_float {
                match text.parse::<f64>() {
                    Ok(v) if v.is_finite() => Tok::Float(v),
                    _ => return Err(Error::parse(pos, "float literal out of range")),
                }
            } else {
                let v = text
                    .parse::<i64>()
                    .map_err(|_| Error::parse(pos, "integer literal out of range"))?;
                Tok::Int(v)
            }
        };
        Ok(tok)
    }

    /// A number directly followed by an identifier character (`12ab`, `0x1g`) is an error.
    fn check_number_end(&mut self, pos: Pos, text: String) -> Result<(), Error> {
        if self.peek(0).is_some_and(is_ident_continue) {
            return Err(self.bad_number(pos, text));
        }
        Ok(())
    }

    /// "invalid numeric literal" error quoting the number and the identifier glued to it.
    fn bad_number(&mut self, pos: Pos, mut text: String) -> Error {
        text.push_str(&self.take_while(is_ident_continue));
        Error::parse(pos, format!("invalid numeric literal '{text}'"))
    }

    /// A `"..."` literal with Go `strconv.Unquote` escapes. Literal newlines are allowed.
    fn string(&mut self, pos: Pos) -> Result<Tok, Error> {
        self.bump(); // opening quote
                     // Bytes, not chars: `\xHH` and octal escapes produce single bytes (as in Go), which
                     // may combine into multi-byte UTF-8 sequences (`"\xc3\xa9"` is "é").
        let mut bytes: Vec<u8> = Vec::new();
        loop {
            let esc_pos = self.pos();
            match self.bump() {
                None => return Err(Error::parse(pos, "unterminated string literal")),
                Some('"') => break,
                Some('\\') => self.escape(pos, esc_pos, &mut bytes)?,
                // Written as an escape (`\u202e`) it is fine: then it is visible.
                Some(c) if is_bidi_control(c) => {
                    return Err(bidi_error(esc_pos, c, "string literal"))
                }
                Some(c) => {
                    let mut buf = [0u8; 4];
                    bytes.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                }
            }
        }
        match String::from_utf8(bytes) {
            Ok(s) => Ok(Tok::Str(s)),
            // Strings are UTF-8 text in this runtime; Go would keep the raw bytes.
            Err(_) => Err(Error::parse(
                pos,
                "string literal whose byte escapes are not valid UTF-8",
            )),
        }
    }

    /// Decode one escape sequence; the backslash (at `esc_pos`) is already consumed.
    fn escape(&mut self, str_pos: Pos, esc_pos: Pos, out: &mut Vec<u8>) -> Result<(), Error> {
        let Some(c) = self.bump() else {
            return Err(Error::parse(str_pos, "unterminated string literal"));
        };
        let simple = match c {
            '\\' => Some(b'\\'),
            '"' => Some(b'"'),
            'n' => Some(b'\n'),
            'r' => Some(b'\r'),
            't' => Some(b'\t'),
            'b' => Some(0x08),
            'f' => Some(0x0c),
            'v' => Some(0x0b),
            'a' => Some(0x07),
            _ => None,
        };
        if let Some(b) = simple {
            out.push(b);
            return Ok(());
        }
        let invalid =
            |text: String| Error::parse(esc_pos, format!("invalid escape sequence '{text}'"));
        match c {
            'x' | 'u' | 'U' => {
                let n = match c {
                    'x' => 2,
                    'u' => 4,
                    _ => 8,
                };
                let mut digits = String::new();
                for _ in 0..n {
                    match self.peek(0).filter(|c| c.is_ascii_hexdigit()) {
                        Some(d) => {
                            digits.push(d);
                            self.bump();
                        }
                        None => return Err(invalid(format!("\\{c}{digits}"))),
                    }
                }
                // At most 8 hex digits: always fits in u32.
                let v = u32::from_str_radix(&digits, 16)
                    .map_err(|_| invalid(format!("\\{c}{digits}")))?;
                if c == 'x' {
                    out.push(v as u8);
                } else {
                    // Surrogates and values above U+10FFFF are rejected, as by Go.
                    let ch = char::from_u32(v).ok_or_else(|| invalid(format!("\\{c}{digits}")))?;
                    let mut buf = [0u8; 4];
                    out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
                }
                Ok(())
            }
            '0'..='7' => {
                // Exactly three octal digits, value at most 255.
                let mut digits = String::from(c);
                for _ in 0..2 {
                    match self.peek(0).filter(|c| ('0'..='7').contains(c)) {
                        Some(d) => {
                            digits.push(d);
                            self.bump();
                        }
                        None => return Err(invalid(format!("\\{digits}"))),
                    }
                }
                match u8::from_str_radix(&digits, 8) {
                    Ok(b) => {
                        out.push(b);
                        Ok(())
                    }
                    Err(_) => Err(invalid(format!("\\{digits}"))),
                }
            }
            other => Err(invalid(format!("\\{}", other.escape_default()))),
        }
    }

    fn punct(&mut self, pos: Pos, c: char) -> Result<Tok, Error> {
        // Longest match first.
        let two = match (c, self.peek(1)) {
            ('=', Some('=')) => Some(Tok::EqEq),
            ('!', Some('=')) => Some(Tok::NotEq),
            ('<', Some('=')) => Some(Tok::Le),
            ('>', Some('=')) => Some(Tok::Ge),
            ('&', Some('&')) => Some(Tok::AndAnd),
            ('|', Some('|')) => Some(Tok::OrOr),
            ('=', Some('>')) => Some(Tok::FatArrow),
            // No `:-` token: it only spells logic rules, which this runtime rejects at their
            // keyword, and lexing it would break slices such as `xs[:-1]`.
            ('.', Some('.')) => Some(Tok::DotDot),
            ('?', Some('?')) => Some(Tok::QuestionQuestion),
            _ => None,
        };
        if let Some(tok) = two {
            self.bump();
            self.bump();
            return Ok(tok);
        }
        let tok = match c {
            '-' => Tok::Minus,
            '+' => Tok::Plus,
            '*' => Tok::Star,
            '/' => Tok::Slash,
            '%' => Tok::Percent,
            '=' => Tok::Assign,
            '<' => Tok::Lt,
            '>' => Tok::Gt,
            '!' => Tok::Bang,
            '|' => Tok::Pipe,
            '{' => Tok::LBrace,
            '}' => Tok::RBrace,
            '[' => Tok::LBracket,
            ']' => Tok::RBracket,
            '(' => Tok::LParen,
            ')' => Tok::RParen,
            ',' => Tok::Comma,
            '.' => Tok::Dot,
            ':' => Tok::Colon,
            '?' => Tok::Question,
            '\'' => {
                return Err(Error::parse(
                    pos,
                    "unexpected character ''' (string literals use double quotes)",
                ))
            }
            '&' => {
                return Err(Error::parse(
                    pos,
                    "unexpected character '&' (did you mean '&&'?)",
                ))
            }
            other if is_bidi_control(other) => {
                return Err(Error::parse(
                    pos,
                    format!(
                        "unicode codepoint changing visible direction of text present in code \
                         (U+{:04X}); it is not allowed outside escapes",
                        other as u32
                    ),
                ))
            }
            '\u{FEFF}' => {
                return Err(Error::parse(
                    pos,
                    "unexpected byte-order mark (U+FEFF); only one is allowed, at the start of the file",
                ))
            }
            other => {
                return Err(Error::parse(
                    pos,
                    format!("unexpected character '{}'", other.escape_default()),
                ))
            }
        };
        self.bump();
        Ok(tok)
    }
}
