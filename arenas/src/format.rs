//! Value formatting as the reference prints it (LANGUAGE.md §7): `print` (top-level and nested
//! forms), `str()` (Go `fmt.Sprint`), and `json` (Go `json.MarshalIndent` / `Marshal`).
//!
//! Every formatter takes a word and its static TypeId and recurses to any depth; a container
//! reached again while it is being printed prints as `[...]` / `{...}`.

use crate::heap::{Heap, V};
use crate::rtti::{TypeDesc, TypeId};
use crate::value::Cell;

/// A float at top level (`print(x)`, `str(x)`): Go's `fmt.Sprint(float64)`, i.e. `%v` =
/// `strconv.FormatFloat(x, 'g', -1, 64)` with the shortest round-trip digits; exponent form
/// when the decimal exponent is < -4 or >= 6 (`1e+06`, `1.2345675e+06`, `1e-05`).
pub fn float_top(x: f64) -> String {
    if let Some(s) = non_finite(x) {
        return s.into();
    }
    if x == 0.0 {
        return if x.is_sign_negative() { "-0" } else { "0" }.into();
    }
    let (neg, digits, exp) = shortest_digits(x);
    let sign = if neg { "-" } else { "" };
    // `exp` is the decimal exponent of the first digit: x = d1.d2d3... * 10^exp
    if !(-4..6).contains(&exp) {
        return format!("{sign}{}", exp_form(&digits, exp));
    }
    format!("{sign}{}", place_point(&digits, exp))
}

/// A float inside a container: Go's `strconv.FormatFloat(x, 'f', -1, 64)` plus `.0` when the
/// result has no decimal point (never exponent form).
pub fn float_nested(x: f64) -> String {
    if let Some(s) = non_finite(x) {
        return s.into();
    }
    if x == 0.0 {
        return if x.is_sign_negative() { "-0.0" } else { "0.0" }.into();
    }
    let (neg, digits, exp) = shortest_digits(x);
    let mut s = String::from(if neg { "-" } else { "" });
    s.push_str(&place_point(&digits, exp));
    if !s.contains('.') {
        s.push_str(".0");
    }
    s
}

/// Go's spelling of NaN and the infinities.
fn non_finite(x: f64) -> Option<&'static str> {
    if x.is_nan() {
        Some("NaN")
    } else if x.is_infinite() {
        Some(if x > 0.0 { "+Inf" } else { "-Inf" })
    } else {
        None
    }
}

/// Shortest round-trip decimal digits of |x| (no leading/trailing zeros) and the decimal
/// exponent of the first digit. Rust's `{:e}` formatting yields exactly the shortest digits.
pub(crate) fn shortest_digits(x: f64) -> (bool, String, i32) {
    let split = |s: &str| -> (String, i32) {
        let (mant, exp) = s.split_once('e').expect("{:e} always has an exponent");
        let digits = mant.chars().filter(|c| *c != '.').collect();
        (digits, exp.parse().expect("exponent is an integer"))
    };
    let a = x.abs();
    let (digits, exp) = split(&format!("{a:e}"));
    // Among the shortest digit strings that round-trip, Go picks the one closest to the
    // exact value (ties to even). Rust's shortest form may pick the other neighbour on an
    // exact tie (1e15 + 0.3 = ...000.25 gives ...000.3, Go prints ...000.2), so prefer the
    // correctly rounded string of the same length when it also round-trips.
    let n = digits.len();
    let rounded = format!("{a:.prec$e}", prec = n - 1);
    if rounded.parse::<f64>() == Ok(a) {
        let (d2, e2) = split(&rounded);
        return (x < 0.0, d2.trim_end_matches('0').to_string(), e2);
    }
    (x < 0.0, digits, exp)
}

/// Lay out `digits` (first digit has decimal exponent `exp`) in plain positional notation.
fn place_point(digits: &str, exp: i32) -> String {
    let n = digits.len() as i32;
    if exp < 0 {
        format!("0.{}{}", "0".repeat((-exp - 1) as usize), digits)
    } else if exp + 1 >= n {
        format!("{}{}", digits, "0".repeat((exp + 1 - n) as usize))
    } else {
        let (a, b) = digits.split_at((exp + 1) as usize);
        format!("{a}.{b}")
    }
}

/// `true` / `false`.
pub fn bool_str(b: bool) -> &'static str {
    if b {
        "true"
    } else {
        "false"
    }
}

/// `d.ddde±XX` (Go's 'e' format with shortest digits; at least two exponent digits).
fn exp_form(digits: &str, exp: i32) -> String {
    let mut m = String::new();
    m.push_str(&digits[..1]);
    if digits.len() > 1 {
        m.push('.');
        m.push_str(&digits[1..]);
    }
    let esign = if exp < 0 { '-' } else { '+' };
    let e = exp.unsigned_abs();
    format!("{m}e{esign}{e:02}")
}

/// A float in JSON (Go `encoding/json`): positional (`2`, `2.5`) unless |x| < 1e-6 or
/// >= 1e21, then exponent form with a minimal exponent (`1e-7`, `1e+21`). Non-finite: `null`.
pub fn float_json(x: f64) -> String {
    if !x.is_finite() {
        return "null".into();
    }
    if x == 0.0 {
        return if x.is_sign_negative() { "-0" } else { "0" }.into();
    }
    let (neg, digits, exp) = shortest_digits(x);
    let sign = if neg { "-" } else { "" };
    let a = x.abs();
    if !(1e-6..1e21).contains(&a) {
        let mut s = exp_form(&digits, exp);
        // Go trims `e-07` to `e-7` (and `e+09`... only the negative case: len-4 == 'e', '-', '0').
        let n = s.len();
        let b = s.as_bytes();
        if n >= 4 && b[n - 4] == b'e' && b[n - 3] == b'-' && b[n - 2] == b'0' {
            s.remove(n - 2);
        }
        return format!("{sign}{s}");
    }
    format!("{sign}{}", place_point(&digits, exp))
}

/// Whether Go's `unicode.IsPrint` holds (letters, marks, numbers, punctuation, symbols and
/// the ASCII space). Approximated: controls, non-ASCII spaces, line/paragraph separators,
/// format characters, private use and noncharacters are not printable.
fn go_is_print(c: char) -> bool {
    let u = c as u32;
    if u < 0x7f {
        return u >= 0x20;
    }
    !matches!(u,
        0x7f..=0xa0 | 0xad | 0x600..=0x605 | 0x61c | 0x6dd | 0x70f | 0x180e | 0x1680
        | 0x2000..=0x200f | 0x2028..=0x202f | 0x205f..=0x2064 | 0x2066..=0x206f | 0x3000
        | 0xd800..=0xf8ff | 0xfeff | 0xfff9..=0xfffb | 0xfffe | 0xffff | 0x110bd
        | 0x1bca0..=0x1bca3 | 0x1d173..=0x1d17a | 0xe0001 | 0xe0020..=0xe007f
        | 0xf0000..=0x10ffff)
}

/// Go's `strconv.Quote` (`%q`).
pub fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if go_is_print(c) => out.push(c),
            '\x07' => out.push_str("\\a"),
            '\x08' => out.push_str("\\b"),
            '\x0c' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\x0b' => out.push_str("\\v"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32))
            }
            c if (c as u32) < 0x10000 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push_str(&format!("\\U{:08x}", c as u32)),
        }
    }
    out.push('"');
    out
}

/// A string in JSON (Go `encoding/json`, HTML-safe escaping as `json.Marshal` does).
pub fn json_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\x08' => out.push_str("\\b"),
            '\x0c' => out.push_str("\\f"),
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => {
                out.push_str(&format!("\\u{:04x}", c as u32))
            }
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// `print(x)` at top level.
    Top,
    /// Inside a container printed by `print`.
    Nested,
    /// `str(x)`: Go's `fmt.Sprint`.
    Sprint,
}

/// One entry of a map or struct as printed: its key string and its value.
pub(crate) enum EntryVal<'a> {
    Word(u64, TypeId),
    Name(&'a str),
}

impl Heap {
    /// `print(x)` of one argument: LANGUAGE.md §7 top-level format.
    pub fn format_print(&self, w: u64, ty: TypeId) -> String {
        let mut out = String::new();
        self.fmt_val(&mut out, self.view(w, ty), Mode::Top, &mut Vec::new());
        out
    }

    /// The nested format (an element inside a printed container).
    pub fn format_nested(&self, w: u64, ty: TypeId) -> String {
        let mut out = String::new();
        self.fmt_val(&mut out, self.view(w, ty), Mode::Nested, &mut Vec::new());
        out
    }

    /// `str(x)`: Go's `fmt.Sprint` of the reference's value (`[1 2 3]`, `map[a:1]`, `<nil>`).
    pub fn format_str(&self, w: u64, ty: TypeId) -> String {
        let mut out = String::new();
        self.fmt_val(&mut out, self.view(w, ty), Mode::Sprint, &mut Vec::new());
        out
    }

    /// The entries of a map or a (non-closure) record, sorted by key bytes; structs and
    /// variants include `"__name"`.
    pub(crate) fn entries(&self, c: Cell) -> Vec<(String, EntryVal<'_>)> {
        match self.view_cell(c) {
            V::Map(m) => {
                let (kt, vt) = (self.map_key_type(m), self.map_val_type(m));
                let mut v: Vec<(String, EntryVal)> = self
                    .map_entries_sorted(m)
                    .into_iter()
                    .map(|(k, w)| (self.map_key_string(k, kt), EntryVal::Word(w, vt)))
                    .collect();
                // Sorted already for string keys; int keys were sorted by their decimal form.
                v.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
                v
            }
            V::Rec(r) => {
                let ty = self.record_type(r);
                let mut v = Vec::new();
                if let TypeDesc::Struct { name, fields } = self.types.get(ty) {
                    v.push(("__name".to_string(), EntryVal::Name(name)));
                    for ((fname, fty), &w) in fields.iter().zip(self.record_fields(r)) {
                        v.push((fname.clone(), EntryVal::Word(w, *fty)));
                    }
                }
                v.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
                v
            }
            _ => Vec::new(),
        }
    }

    fn fmt_val(&self, out: &mut String, v: V<'_>, mode: Mode, path: &mut Vec<Cell>) {
        let inner = if mode == Mode::Top {
            Mode::Nested
        } else {
            mode
        };
        match v {
            V::Nil => out.push_str(if mode == Mode::Sprint { "<nil>" } else { "nil" }),
            V::Int(i) => out.push_str(&i.to_string()),
            V::Bool(b) => out.push_str(bool_str(b)),
            V::Float(f) => out.push_str(&if mode == Mode::Nested {
                float_nested(f)
            } else {
                float_top(f)
            }),
            V::Str(s) => {
                if mode == Mode::Nested {
                    out.push_str(&go_quote(s))
                } else {
                    out.push_str(s)
                }
            }
            V::Big(b) => out.push_str(&b.to_string()),
            V::List(c) => {
                if path.contains(&c) {
                    out.push_str("[...]");
                    return;
                }
                path.push(c);
                out.push('[');
                let et = self.list_elem_type(c);
                let sep = if mode == Mode::Sprint { " " } else { ", " };
                for (k, &w) in self.list_words(c).iter().enumerate() {
                    if k > 0 {
                        out.push_str(sep);
                    }
                    self.fmt_val(out, self.view(w, et), inner, path);
                }
                out.push(']');
                path.pop();
            }
            V::Rec(c) if self.is_closure(c) => out.push_str("<fun>"),
            V::Map(c) | V::Rec(c) => {
                if path.contains(&c) {
                    out.push_str("{...}");
                    return;
                }
                path.push(c);
                let sprint = mode == Mode::Sprint;
                out.push_str(if sprint { "map[" } else { "{" });
                for (k, (key, val)) in self.entries(c).into_iter().enumerate() {
                    if k > 0 {
                        out.push_str(if sprint { " " } else { ", " });
                    }
                    if sprint {
                        out.push_str(&key);
                        out.push(':');
                    } else {
                        out.push_str(&go_quote(&key));
                        out.push_str(": ");
                    }
                    match val {
                        EntryVal::Word(w, t) => self.fmt_val(out, self.view(w, t), inner, path),
                        EntryVal::Name(n) => self.fmt_val(out, V::Str(n), inner, path),
                    }
                }
                out.push_str(if sprint { "]" } else { "}" });
                path.pop();
            }
        }
    }

    /// `json(x)`: Go `json.MarshalIndent(v, "", "  ")` (keys sorted; structs include
    /// `"__name"`, as the reference's struct values are maps). No trailing newline.
    pub fn json(&self, w: u64, ty: TypeId) -> String {
        let mut out = String::new();
        self.json_val(&mut out, self.view(w, ty), Some(0), true, &mut Vec::new());
        out
    }

    /// Go `json.Marshal` (compact: `{"age":30,"name":"Alice"}`).
    pub fn json_compact(&self, w: u64, ty: TypeId) -> String {
        let mut out = String::new();
        self.json_val(&mut out, self.view(w, ty), None, true, &mut Vec::new());
        out
    }

    /// JSON of a value as `save` writes it: like [`Heap::json`] (`pretty`) or
    /// [`Heap::json_compact`], but a struct is written as its fields only (no `"__name"`
    /// entry), so that saved records load back into the same struct type.
    pub fn json_data(&self, w: u64, ty: TypeId, pretty: bool) -> String {
        let mut out = String::new();
        let level = if pretty { Some(0) } else { None };
        self.json_val(&mut out, self.view(w, ty), level, false, &mut Vec::new());
        out
    }

    fn json_val(
        &self,
        out: &mut String,
        v: V<'_>,
        level: Option<usize>,
        names: bool,
        path: &mut Vec<Cell>,
    ) {
        let newline = |out: &mut String, l: usize| {
            out.push('\n');
            for _ in 0..l {
                out.push_str("  ");
            }
        };
        let deeper = level.map(|l| l + 1);
        match v {
            V::Nil => out.push_str("null"),
            V::Int(i) => out.push_str(&i.to_string()),
            V::Bool(b) => out.push_str(bool_str(b)),
            V::Float(f) => out.push_str(&float_json(f)),
            V::Str(s) => out.push_str(&json_quote(s)),
            V::Big(b) => out.push_str(&b.to_string()),
            V::Rec(c) if self.is_closure(c) => out.push_str("null"),
            V::List(c) => {
                let ws = self.list_words(c);
                if ws.is_empty() {
                    out.push_str("[]");
                    return;
                }
                if path.contains(&c) {
                    out.push_str("null");
                    return;
                }
                path.push(c);
                let et = self.list_elem_type(c);
                out.push('[');
                for (k, &w) in ws.iter().enumerate() {
                    if k > 0 {
                        out.push(',');
                    }
                    if let Some(l) = deeper {
                        newline(out, l);
                    }
                    self.json_val(out, self.view(w, et), deeper, names, path);
                }
                if let Some(l) = level {
                    newline(out, l);
                }
                out.push(']');
                path.pop();
            }
            V::Map(c) | V::Rec(c) => {
                let mut es = self.entries(c);
                if !names {
                    es.retain(|(_, e)| !matches!(e, EntryVal::Name(_)));
                }
                if es.is_empty() {
                    out.push_str("{}");
                    return;
                }
                if path.contains(&c) {
                    out.push_str("null");
                    return;
                }
                path.push(c);
                out.push('{');
                for (k, (key, val)) in es.into_iter().enumerate() {
                    if k > 0 {
                        out.push(',');
                    }
                    if let Some(l) = deeper {
                        newline(out, l);
                    }
                    out.push_str(&json_quote(&key));
                    out.push_str(if level.is_some() { ": " } else { ":" });
                    match val {
                        EntryVal::Word(w, t) => {
                            self.json_val(out, self.view(w, t), deeper, names, path)
                        }
                        EntryVal::Name(n) => out.push_str(&json_quote(n)),
                    }
                }
                if let Some(l) = level {
                    newline(out, l);
                }
                out.push('}');
                path.pop();
            }
        }
    }
}
