//! Errors of every phase, printed as `FILE:LINE:COL: error: MESSAGE`.

use std::fmt;

/// A source position: 1-based line and column (column counts Unicode scalar values).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Pos {
    pub line: u32,
    pub col: u32,
}

/// Which phase raised the error (used for tests and for the optional message prefix).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    Parse,
    Type,
    Unsupported,
    Runtime,
}

/// One diagnostic with its position. `message` never contains the file name or position.
#[derive(Clone, Debug, PartialEq)]
pub struct Error {
    pub phase: Phase,
    pub pos: Pos,
    pub message: String,
}

impl Error {
    pub fn parse(pos: Pos, message: impl Into<String>) -> Self {
        Error {
            phase: Phase::Parse,
            pos,
            message: message.into(),
        }
    }
    pub fn ty(pos: Pos, message: impl Into<String>) -> Self {
        Error {
            phase: Phase::Type,
            pos,
            message: message.into(),
        }
    }
    /// A construct of the language that this runtime does not implement yet.
    pub fn unsupported(pos: Pos, what: impl fmt::Display) -> Self {
        Error {
            phase: Phase::Unsupported,
            pos,
            message: format!("not supported yet: {what}"),
        }
    }
    pub fn runtime(pos: Pos, message: impl Into<String>) -> Self {
        Error {
            phase: Phase::Runtime,
            pos,
            message: message.into(),
        }
    }

    /// Render as `FILE:LINE:COL: error: MESSAGE`, followed by the source line and a caret
    /// when `source` is given and the line exists.
    pub fn render(&self, file: &str, source: Option<&str>) -> String {
        let mut s = format!(
            "{}:{}:{}: error: {}",
            file, self.pos.line, self.pos.col, self.message
        );
        if let Some(src) = source {
            if self.pos.line >= 1 {
                if let Some(line) = src.lines().nth(self.pos.line as usize - 1) {
                    let line = line.trim_end_matches('\r');
                    let (shown, pad) = caret_window(line, self.pos.col);
                    s.push_str(&format!(
                        "\n{:>5} | {}\n      | {}^",
                        self.pos.line, shown, pad
                    ));
                }
            }
        }
        s
    }
}

/// The widest source excerpt a diagnostic shows, in characters.
pub const SNIPPET_WIDTH: usize = 100;

/// The part of `line` shown under a diagnostic and the padding that puts the caret under
/// column `col`: the whole line when it is at most [`SNIPPET_WIDTH`] characters, else a window
/// of that many characters around the column, with `...` where the line was cut.
fn caret_window(line: &str, col: u32) -> (String, String) {
    let chars: Vec<char> = line.chars().collect();
    let c0 = (col.saturating_sub(1) as usize).min(chars.len());
    let (start, end) = if chars.len() <= SNIPPET_WIDTH {
        (0, chars.len())
    } else {
        let start = c0.saturating_sub(SNIPPET_WIDTH / 2);
        let end = (start + SNIPPET_WIDTH).min(chars.len());
        (end.saturating_sub(SNIPPET_WIDTH).min(start), end)
    };
    let mut shown = String::new();
    let mut pad = String::new();
    if start > 0 {
        shown.push_str("...");
        pad.push_str("   ");
    }
    shown.extend(&chars[start..end]);
    if end < chars.len() {
        shown.push_str("...");
    }
    pad.extend(
        chars[start..c0]
            .iter()
            .map(|&c| if c == '\t' { '\t' } else { ' ' }),
    );
    (shown, pad)
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}: error: {}",
            self.pos.line, self.pos.col, self.message
        )
    }
}

impl std::error::Error for Error {}

pub type Result<T> = std::result::Result<T, Error>;
