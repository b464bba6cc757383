//! Datasets: the routines behind `load "path" as T with {format: ...}` (`LoadData`) and
//! `save xs to "path" with {...}` (`SaveData`), LANGUAGE.md §7.
//!
//! Formats: `jsonl` (one JSON value per line; blank lines skipped), `json` (one document: an
//! array of records, or a single record), `yaml` (the first document: a sequence of records,
//! or a single record) and `csv` (a header row, then one record per row; options `header`
//! (default true: without it the columns are named `c0`, `c1`, ...) and `delimiter` (one
//! character, default `,`)). Without a `format` option the path's extension decides
//! (`.jsonl`/`.ndjson`, `.json`, `.yaml`/`.yml`, `.csv`), and `jsonl` otherwise (also for `-`).
//!
//! Every format is first parsed into a `serde_json::Value` (YAML and CSV are converted), and
//! then one routine builds heap values of the declared type `T` from it: struct fields by
//! name (unknown keys ignored; a missing or null field gets the zero value of its type:
//! `0`, `0.0`, `false`, `""`, an empty list or map, nil for optionals, `any` and structs),
//! `int` from an integral number, `float` from any number, `bool`, `string`, `bigint` from an
//! integer or a decimal string, lists, maps (string keys; int keys are parsed), optionals
//! (null = nil), `any` (JSON's natural values: ints, floats, strings, bools, nil,
//! `list<any>`, `map<string, any>`). CSV cells are strings, so for CSV a cell converts into
//! `int`, `float` or `bool` by parsing it. Anything else is a type mismatch, reported with
//! the record number and field path: `cannot load PATH: record 2, field age: expected int,
//! found string "x"`.
//!
//! Paths are relative to the program's directory (`Runtime::base_dir`); `-` is stdin/stdout.
//! `save` writes JSON per §7 (compact lines with sorted keys for `jsonl`, the `json(v)` layout
//! for `json`, Go's float rule), structs as their fields only (no `"__name"`), so a saved list
//! of structs loads back into the same type.
//!
//! All allocation happens inside one helper op, after its GC safepoint, so no collection can
//! run while the partly built values are held only here.

use super::Runtime;
use arenas::rtti::{self, TypeDesc, TypeId};
use arenas::Cell;
use serde_json::{Map, Value as J};
use std::io::Read;
use std::path::PathBuf;

type Obj = Map<String, J>;

/// An error while converting a record: the field path (innermost last) and the reason.
struct ConvError {
    path: Vec<String>,
    msg: String,
}

impl ConvError {
    fn new(msg: String) -> Self {
        ConvError {
            path: Vec::new(),
            msg,
        }
    }
    fn within(mut self, seg: String) -> Self {
        self.path.push(seg);
        self
    }
}

/// `load`: the list of records read from `path` (a string cell) with `opts` (nil or a map),
/// as a list of runtime type `list_ty`.
pub(crate) fn load(
    rt: &mut Runtime,
    path: Cell,
    opts: Cell,
    list_ty: TypeId,
) -> Result<Cell, String> {
    let path = rt.heap.str(path).to_string();
    let fail = |reason: String| format!("cannot load {path}: {reason}");
    let opts = options(rt, opts).map_err(fail)?;
    let format = format_of(&opts, &path).map_err(fail)?;
    let text = read_input(rt, &path).map_err(fail)?;
    let (rows, lenient) = parse(&format, &text, &opts).map_err(fail)?;
    let elem = match rt.heap.types.get(list_ty) {
        TypeDesc::List(e) => *e,
        d => return Err(fail(format!("internal error: load into {d:?}"))),
    };
    let mut words = Vec::with_capacity(rows.len());
    for (i, row) in rows.iter().enumerate() {
        match to_word(rt, row, elem, lenient, 0) {
            Ok(w) => words.push(w),
            Err(e) => {
                let mut where_ = format!("record {}", i + 1);
                if !e.path.is_empty() {
                    let p: Vec<String> = e.path.into_iter().rev().collect();
                    where_.push_str(&format!(", field {}", p.join(".")));
                }
                return Err(fail(format!("{where_}: {}", e.msg)));
            }
        }
    }
    Ok(rt.heap.list_from(elem, &words))
}

/// `save`: write the value `w` of runtime type `ty` to `path` with `opts`.
pub(crate) fn save(
    rt: &mut Runtime,
    w: u64,
    ty: TypeId,
    path: Cell,
    opts: Cell,
) -> Result<(), String> {
    let path = rt.heap.str(path).to_string();
    let fail = |reason: String| format!("cannot save {path}: {reason}");
    let opts = options(rt, opts).map_err(fail)?;
    let format = format_of(&opts, &path).map_err(fail)?;
    let elem = match rt.heap.types.get(ty) {
        TypeDesc::List(e) => Some(*e),
        _ => None,
    };
    let mut text = match format.as_str() {
        "jsonl" => match elem {
            Some(e) => {
                let mut out = String::new();
                for &x in rt.heap.list_words(Cell(w)) {
                    out.push_str(&rt.heap.json_data(x, e, false));
                    out.push('\n');
                }
                out
            }
            None => rt.heap.json_data(w, ty, false) + "\n",
        },
        "json" => rt.heap.json_data(w, ty, true) + "\n",
        "yaml" | "csv" => {
            let j: J = serde_json::from_str(&rt.heap.json_data(w, ty, false))
                .map_err(|e| fail(format!("internal error: {e}")))?;
            if format == "yaml" {
                to_yaml(&j)
            } else {
                to_csv(&j, &opts).map_err(fail)?
            }
        }
        f => return Err(fail(format!("unknown format \"{f}\""))),
    };
    if path == "-" {
        if text.ends_with('\n') {
            text.pop();
        }
        if text.is_empty() {
            return Ok(());
        }
        return rt.write_line(&text);
    }
    write_atomically(&resolve(rt, &path), text.as_bytes()).map_err(|e| fail(io_reason(&e)))
}

/// Write a file through a temporary file in the same directory and a rename, so a reader
/// (another program loading it meanwhile) sees the old or the new contents, never a part.
fn write_atomically(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    // A device or a fifo (`/dev/stdout`): write straight to it.
    if std::fs::metadata(path).is_ok_and(|m| !m.is_file()) {
        return std::fs::write(path, bytes);
    }
    static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let file = path
        .file_name()
        .ok_or_else(|| std::io::Error::other("not a file name"))?;
    let mut tmp_name = std::ffi::OsString::from(".");
    tmp_name.push(file);
    tmp_name.push(format!(".{}.{n}.tmp", std::process::id()));
    let tmp = path.with_file_name(tmp_name);
    if let Err(e) = std::fs::write(&tmp, bytes) {
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    std::fs::rename(&tmp, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}

/// The options map as JSON (nil: no options).
fn options(rt: &mut Runtime, opts: Cell) -> Result<Obj, String> {
    if opts.is_nil() {
        return Ok(Obj::new());
    }
    let (k, v) = (rt.heap.map_key_type(opts), rt.heap.map_val_type(opts));
    let t = rt.heap.types.map_of(k, v);
    match serde_json::from_str(&rt.heap.json_compact(opts.0, t)) {
        Ok(J::Object(m)) => Ok(m),
        _ => Err("the options after `with` must be a map".into()),
    }
}

fn format_of(opts: &Obj, path: &str) -> Result<String, String> {
    match opts.get("format") {
        Some(J::String(f)) => {
            let f = f.to_ascii_lowercase();
            match f.as_str() {
                "jsonl" | "json" | "yaml" | "csv" => Ok(f),
                "ndjson" => Ok("jsonl".into()),
                "yml" => Ok("yaml".into()),
                _ => Err(format!(
                    "unknown format \"{f}\" (expected jsonl, json, yaml or csv)"
                )),
            }
        }
        Some(_) => Err("the format option must be a string".into()),
        None => {
            let ext = std::path::Path::new(path)
                .extension()
                .and_then(|e| e.to_str())
                .unwrap_or("")
                .to_ascii_lowercase();
            Ok(match ext.as_str() {
                "json" => "json",
                "yaml" | "yml" => "yaml",
                "csv" => "csv",
                _ => "jsonl",
            }
            .into())
        }
    }
}

/// A path relative to the program's directory (absolute paths as they are).
fn resolve(rt: &Runtime, path: &str) -> PathBuf {
    let p = std::path::Path::new(path);
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        rt.base_dir.join(p)
    }
}

/// An I/O error as a short reason (`no such file or directory`).
fn io_reason(e: &std::io::Error) -> String {
    let s = e.to_string();
    let s = match s.find(" (os error") {
        Some(i) => s[..i].to_string(),
        None => s,
    };
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().collect::<String>() + c.as_str(),
        None => s,
    }
}

fn read_input(rt: &mut Runtime, path: &str) -> Result<String, String> {
    let bytes = if path == "-" {
        rt.try_flush()?;
        let mut b = Vec::new();
        std::io::stdin()
            .lock()
            .read_to_end(&mut b)
            .map_err(|e| io_reason(&e))?;
        b
    } else {
        std::fs::read(resolve(rt, path)).map_err(|e| io_reason(&e))?
    };
    String::from_utf8(bytes)
        .map_err(|e| format!("not valid UTF-8 (at byte {})", e.utf8_error().valid_up_to()))
}

/// A serde_json error without its trailing position (we say where ourselves).
fn json_reason(e: &serde_json::Error) -> String {
    let s = e.to_string();
    match s.rfind(" at line ") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}

/// Parse the text into records; the flag says whether the cells are strings to be parsed
/// (CSV).
fn parse(format: &str, text: &str, opts: &Obj) -> Result<(Vec<J>, bool), String> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let records = |doc: J| match doc {
        J::Array(v) => v,
        J::Null => Vec::new(),
        other => vec![other],
    };
    match format {
        "jsonl" => {
            let mut rows = Vec::new();
            for (i, line) in text.lines().enumerate() {
                if line.trim().is_empty() {
                    continue;
                }
                let v: J = serde_json::from_str(line).map_err(|e| {
                    format!("line {}, column {}: {}", i + 1, e.column(), json_reason(&e))
                })?;
                rows.push(v);
            }
            Ok((rows, false))
        }
        "json" => {
            let v: J = serde_json::from_str(text).map_err(|e| {
                format!(
                    "line {}, column {}: {}",
                    e.line(),
                    e.column(),
                    json_reason(&e)
                )
            })?;
            Ok((records(v), false))
        }
        "yaml" => {
            let docs = yaml_rust2::YamlLoader::load_from_str(text).map_err(|e| {
                let m = e.marker();
                format!("line {}, column {}: {}", m.line(), m.col() + 1, e.info())
            })?;
            let doc = match docs.into_iter().next() {
                Some(d) => yaml_to_json(d)?,
                None => J::Null,
            };
            Ok((records(doc), false))
        }
        "csv" => {
            let header = match opts.get("header") {
                None => true,
                Some(J::Bool(b)) => *b,
                Some(_) => return Err("the header option must be a bool".into()),
            };
            let delim = match opts.get("delimiter") {
                None => b',',
                Some(J::String(s)) if s.len() == 1 => s.as_bytes()[0],
                Some(_) => return Err("the delimiter option must be one ASCII character".into()),
            };
            let mut rd = csv::ReaderBuilder::new()
                .has_headers(header)
                .delimiter(delim)
                .from_reader(text.as_bytes());
            let names: Vec<String> = if header {
                rd.headers()
                    .map_err(|e| csv_reason(&e))?
                    .iter()
                    .map(|s| s.to_string())
                    .collect()
            } else {
                Vec::new()
            };
            let mut rows = Vec::new();
            for rec in rd.records() {
                let rec = rec.map_err(|e| csv_reason(&e))?;
                let mut o = Obj::new();
                for (i, cell) in rec.iter().enumerate() {
                    let name = names.get(i).cloned().unwrap_or_else(|| format!("c{i}"));
                    o.insert(name, J::String(cell.to_string()));
                }
                rows.push(J::Object(o));
            }
            Ok((rows, true))
        }
        f => Err(format!("unknown format \"{f}\"")),
    }
}

fn csv_reason(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::UnequalLengths {
            pos,
            expected_len,
            len,
        } => {
            let line = pos.as_ref().map_or(0, |p| p.line());
            format!("line {line}: {len} fields, but the first row has {expected_len}")
        }
        csv::ErrorKind::Utf8 { pos, .. } => {
            let line = pos.as_ref().map_or(0, |p| p.line());
            format!("line {line}: not valid UTF-8")
        }
        _ => e.to_string(),
    }
}

fn yaml_to_json(y: yaml_rust2::Yaml) -> Result<J, String> {
    use yaml_rust2::Yaml as Y;
    Ok(match y {
        Y::Null | Y::BadValue => J::Null,
        Y::Boolean(b) => J::Bool(b),
        Y::Integer(i) => J::from(i),
        Y::Real(s) => {
            let f: f64 = match s.trim_start_matches('+') {
                ".inf" | ".Inf" | ".INF" => f64::INFINITY,
                "-.inf" | "-.Inf" | "-.INF" => f64::NEG_INFINITY,
                t => t.parse().map_err(|_| format!("bad YAML number {s}"))?,
            };
            serde_json::Number::from_f64(f)
                .map(J::Number)
                .ok_or_else(|| format!("YAML number {s} is not finite"))?
        }
        Y::String(s) => J::String(s),
        Y::Array(v) => J::Array(v.into_iter().map(yaml_to_json).collect::<Result<_, _>>()?),
        Y::Hash(h) => {
            let mut o = Obj::new();
            for (k, v) in h {
                let k = match k {
                    Y::String(s) => s,
                    Y::Integer(i) => i.to_string(),
                    Y::Boolean(b) => b.to_string(),
                    Y::Real(s) => s,
                    _ => return Err("a YAML map key must be a scalar".into()),
                };
                o.insert(k, yaml_to_json(v)?);
            }
            J::Object(o)
        }
        Y::Alias(_) => return Err("YAML aliases are not supported".into()),
    })
}

fn to_yaml(j: &J) -> String {
    use yaml_rust2::Yaml as Y;
    fn conv(j: &J) -> Y {
        match j {
            J::Null => Y::Null,
            J::Bool(b) => Y::Boolean(*b),
            J::Number(n) => match n.as_i64() {
                Some(i) => Y::Integer(i),
                None => Y::Real(arenas::format::float_json(n.as_f64().unwrap_or(0.0))),
            },
            J::String(s) => Y::String(s.clone()),
            J::Array(v) => Y::Array(v.iter().map(conv).collect()),
            J::Object(o) => {
                let mut h = yaml_rust2::yaml::Hash::new();
                for (k, v) in o {
                    h.insert(Y::String(k.clone()), conv(v));
                }
                Y::Hash(h)
            }
        }
    }
    let mut out = String::new();
    let mut em = yaml_rust2::YamlEmitter::new(&mut out);
    if em.dump(&conv(j)).is_err() {
        return String::new();
    }
    let body = out
        .strip_prefix("---\n")
        .or_else(|| out.strip_prefix("--- "))
        .unwrap_or(&out);
    format!("{body}\n")
}

/// A list of records as CSV: the columns are the records' keys in order of first appearance
/// (each record's keys sorted), with a header row unless `header: false`.
fn to_csv(j: &J, opts: &Obj) -> Result<String, String> {
    let rows: Vec<&J> = match j {
        J::Array(v) => v.iter().collect(),
        other => vec![other],
    };
    let header = !matches!(opts.get("header"), Some(J::Bool(false)));
    let delim = match opts.get("delimiter") {
        Some(J::String(s)) if s.len() == 1 => s.as_bytes()[0],
        Some(_) => return Err("the delimiter option must be one ASCII character".into()),
        None => b',',
    };
    let mut cols: Vec<String> = Vec::new();
    for r in &rows {
        match r {
            J::Object(o) => {
                for k in o.keys() {
                    if !cols.contains(k) {
                        cols.push(k.clone());
                    }
                }
            }
            _ => return Err("csv needs a list of records (structs or maps)".into()),
        }
    }
    let cell = |v: Option<&J>| match v {
        None | Some(J::Null) => String::new(),
        Some(J::String(s)) => s.clone(),
        Some(J::Number(n)) => match n.as_i64() {
            Some(i) => i.to_string(),
            None => arenas::format::float_json(n.as_f64().unwrap_or(0.0)),
        },
        Some(other) => other.to_string(),
    };
    let mut w = csv::WriterBuilder::new()
        .delimiter(delim)
        .from_writer(Vec::new());
    let err = |e: csv::Error| e.to_string();
    if header {
        w.write_record(&cols).map_err(err)?;
    }
    for r in &rows {
        let J::Object(o) = r else { continue };
        w.write_record(cols.iter().map(|c| cell(o.get(c))))
            .map_err(err)?;
    }
    let bytes = w.into_inner().map_err(|e| e.to_string())?;
    String::from_utf8(bytes).map_err(|e| e.to_string())
}

/// A short description of a JSON value for mismatch messages.
fn describe(v: &J) -> String {
    match v {
        J::Null => "null".into(),
        J::Bool(b) => format!("bool {b}"),
        J::Number(n) => format!("number {n}"),
        J::String(s) => {
            let short: String = s.chars().take(40).collect();
            let more = if short.len() < s.len() { "..." } else { "" };
            format!("string {}{more}", arenas::format::json_quote(&short))
        }
        J::Array(_) => "a list".into(),
        J::Object(_) => "a map".into(),
    }
}

fn mismatch(want: &str, v: &J) -> ConvError {
    ConvError::new(format!("expected {want}, found {}", describe(v)))
}

/// The zero value of a type as a word (`""`, empty containers; nil for optionals, `any`,
/// structs and unions).
fn zero(rt: &mut Runtime, ty: TypeId) -> u64 {
    match rt.heap.types.get(ty).clone() {
        TypeDesc::Int | TypeDesc::Bool | TypeDesc::Float => 0,
        TypeDesc::Str => rt.heap.empty_str().0,
        TypeDesc::List(e) => rt.heap.new_list(e, 0).0,
        TypeDesc::Map(k, v) => rt.heap.new_map(k, v).0,
        _ => Cell::NIL.0,
    }
}

/// Convert a JSON value into a word of runtime type `ty`.
fn to_word(
    rt: &mut Runtime,
    v: &J,
    ty: TypeId,
    lenient: bool,
    depth: u32,
) -> Result<u64, ConvError> {
    if depth > 200 {
        return Err(ConvError::new("nested too deeply".into()));
    }
    let desc = rt.heap.types.get(ty).clone();
    Ok(match desc {
        TypeDesc::Int => match v {
            J::Number(n) => match n.as_i64() {
                Some(i) => i as u64,
                None => match n.as_f64() {
                    Some(f) if f.fract() == 0.0 && f.abs() < 9.2e18 => f as i64 as u64,
                    _ => return Err(mismatch("int", v)),
                },
            },
            J::String(s) if lenient => {
                s.trim().parse::<i64>().map_err(|_| mismatch("int", v))? as u64
            }
            _ => return Err(mismatch("int", v)),
        },
        TypeDesc::Float => match v {
            J::Number(n) => n.as_f64().unwrap_or(0.0).to_bits(),
            J::String(s) if lenient => s
                .trim()
                .parse::<f64>()
                .map_err(|_| mismatch("float", v))?
                .to_bits(),
            _ => return Err(mismatch("float", v)),
        },
        TypeDesc::Bool => match v {
            J::Bool(b) => *b as u64,
            J::String(s) if lenient && (s.trim() == "true" || s.trim() == "false") => {
                (s.trim() == "true") as u64
            }
            _ => return Err(mismatch("bool", v)),
        },
        TypeDesc::Str => match v {
            J::String(s) => rt.heap.alloc_str(s).0,
            _ => return Err(mismatch("string", v)),
        },
        TypeDesc::BigInt => {
            let digits = match v {
                J::Number(n) if n.is_i64() || n.is_u64() => n.to_string(),
                J::String(s) => s.trim().to_string(),
                _ => return Err(mismatch("bigint", v)),
            };
            rt.heap
                .bigint_parse(&digits)
                .map_err(|_| mismatch("bigint", v))?
                .0
        }
        TypeDesc::Any => natural(rt, v).0,
        TypeDesc::Optional(t) => {
            if v.is_null() {
                Cell::NIL.0
            } else {
                let w = to_word(rt, v, t, lenient, depth + 1)?;
                rt.heap.box_word(w, t).0
            }
        }
        TypeDesc::List(e) => {
            let J::Array(items) = v else {
                return Err(mismatch("a list", v));
            };
            let mut ws = Vec::with_capacity(items.len());
            for (i, x) in items.iter().enumerate() {
                ws.push(
                    to_word(rt, x, e, lenient, depth + 1)
                        .map_err(|err| err.within(format!("[{i}]")))?,
                );
            }
            rt.heap.list_from(e, &ws).0
        }
        TypeDesc::Map(k, val) => {
            let J::Object(o) = v else {
                return Err(mismatch("a map", v));
            };
            let m = rt.heap.new_map(k, val);
            for (key, x) in o {
                let kw =
                    match rt.heap.types.get(k) {
                        TypeDesc::Str => rt.heap.alloc_str(key).0,
                        TypeDesc::Any => rt.heap.alloc_str(key).0,
                        TypeDesc::Int => key.trim().parse::<i64>().map_err(|_| {
                            ConvError::new(format!("map key \"{key}\" is not an int"))
                        })? as u64,
                        _ => {
                            return Err(ConvError::new(format!(
                                "cannot load a map with {} keys",
                                super::helpers::type_name(&rt.heap.types, k)
                            )))
                        }
                    };
                let xw = to_word(rt, x, val, lenient, depth + 1)
                    .map_err(|err| err.within(key.clone()))?;
                rt.heap.map_set(m, kw, xw);
            }
            m.0
        }
        TypeDesc::Struct { fields, name } => {
            let J::Object(o) = v else {
                return Err(mismatch(&format!("a record of type {name}"), v));
            };
            let mut ws = Vec::with_capacity(fields.len());
            for (fname, ft) in &fields {
                let w = match o.get(fname) {
                    None | Some(J::Null) => zero(rt, *ft),
                    Some(x) => to_word(rt, x, *ft, lenient, depth + 1)
                        .map_err(|err| err.within(fname.clone()))?,
                };
                ws.push(w);
            }
            rt.heap.new_record(ty, &ws).0
        }
        TypeDesc::Union { name, .. } => {
            return Err(ConvError::new(format!(
                "cannot load a value of union type {name}"
            )))
        }
        TypeDesc::Nil | TypeDesc::Void | TypeDesc::Func { .. } => {
            return Err(ConvError::new(format!(
                "cannot load a value of type {}",
                super::helpers::type_name(&rt.heap.types, ty)
            )))
        }
    })
}

/// A JSON value as a self-describing Cell (`any`): ints, floats, strings, bools, nil,
/// `list<any>`, `map<string, any>`.
fn natural(rt: &mut Runtime, v: &J) -> Cell {
    match v {
        J::Null => Cell::NIL,
        J::Bool(b) => rt.heap.box_word(*b as u64, rtti::BOOL),
        J::Number(n) => match n.as_i64() {
            Some(i) => rt.heap.box_word(i as u64, rtti::INT),
            None => rt
                .heap
                .box_word(n.as_f64().unwrap_or(0.0).to_bits(), rtti::FLOAT),
        },
        J::String(s) => rt.heap.alloc_str(s),
        J::Array(items) => {
            let ws: Vec<u64> = items.iter().map(|x| natural(rt, x).0).collect();
            rt.heap.list_from(rtti::ANY, &ws)
        }
        J::Object(o) => {
            let m = rt.heap.new_map(rtti::STR, rtti::ANY);
            for (k, x) in o {
                let kw = rt.heap.alloc_str(k).0;
                let xw = natural(rt, x).0;
                rt.heap.map_set(m, kw, xw);
            }
            m
        }
    }
}
