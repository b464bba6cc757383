//! A generator of random, well-typed Mochi programs within the implemented slice, for the
//! differential test (`tests/differential.rs`): int, float, bool and string values (with the
//! edge values of each: `9223372036854775807`, `-0.0`, `1e300`, infinities and NaN, escapes
//! and multi-byte text), `let`/`var` with and without type annotations and initialisers
//! (zero values; an int initialising a float), assignment, `if`/`else if`/`else`,
//! `for i in a..b` (also near the ends of the int range), `while` on a counter,
//! `break`/`continue`, globals read and written by functions, functions with up to six
//! parameters and any return type (or none), bounded recursion and mutual recursion, a
//! recursion that approaches or passes the call depth limit, calls as arguments of calls,
//! and `print` with one to four arguments. Loops are shaped the way a JIT cares about: hot
//! accumulator loops, calls from loops (promoted mid-run, entered through OSR), string
//! operations in loops (interpreter-only ops: native code side-exits there), early exits
//! at varying iterations.
//!
//! Most programs (how many and how much is drawn per program: `Gen::data`) also use the
//! core data types of `data.rs`: `list<int|float|string|bool>`, `list<list<int>>`,
//! `map<string, int>`, `map<int, string>`, string builtins (indexing by rune, slices,
//! `substring`, `upper`/`lower`, `indexOf`, `contains`, `str`), 1-3 struct types with
//! methods (reading fields as names, mutating a field), structs in lists, `fun(int): int`
//! closures (captures by value, lists of closures, higher-order functions, functions
//! returning closures), and loops that build and drop short-lived lists, maps and strings.
//! `MOCHI_GEN_DATA=0` leaves all of that out (programs of the first slice only).
//!
//! Every generated program terminates quickly: loop trip counts are at most 50 (constants,
//! or a value reduced modulo a constant; a loop variable is only ever pushed upwards),
//! `while` loops run on a dedicated counter, a function only calls functions declared
//! before it (plus its own, depth-bounded, recursive call), and a static cost model (`Cost`)
//! bounds the work and output of every function body and of the whole program, including
//! the length of every string and list (`Var::bound`).
//! Runtime errors (`integer overflow`, `division by zero`, `call stack exceeded`, list and
//! string `index out of range`) are allowed
//! and made likely now and then (how likely is drawn per program: `Gen::risk`); they are
//! part of what the tiers must agree on.

#![allow(dead_code)]

use std::fmt::Write as _;

mod data;

/// SplitMix64: small, fast, and good enough to drive a program generator.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        let mut r = Rng(seed ^ 0x6A09_E667_F3BC_C908);
        r.next_u64();
        r
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n > 0`).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }

    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + self.below((hi - lo + 1) as u64) as i64
    }

    /// True with probability `percent`/100.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    pub fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len() as u64) as usize]
    }

    /// An index into `weights` chosen with those weights (at least one must be non-zero).
    pub fn weighted(&mut self, weights: &[u32]) -> usize {
        let total: u64 = weights.iter().map(|&w| w as u64).sum();
        let mut x = self.below(total);
        for (i, &w) in weights.iter().enumerate() {
            if x < w as u64 {
                return i;
            }
            x -= w as u64;
        }
        unreachable!()
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Ty {
    Int,
    Float,
    Bool,
    Str,
    /// `list<T>`; `Var::bound` is the most elements it holds.
    List(Elem),
    /// `map<string, int>` or `map<int, string>` (keys from a small set: see `data`).
    Map(MapTy),
    /// The struct type `R{k}` (`Gen::structs[k]`).
    Struct(usize),
    /// `fun(int): int`.
    Fn,
}

/// Element types of lists.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Elem {
    Int,
    Float,
    Bool,
    Str,
    /// `list<int>` (an inner list holds at most `data::INNER` elements).
    ListInt,
    Fn,
    Struct(usize),
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum MapTy {
    StrInt,
    IntStr,
}

const TYS: [Ty; 4] = [Ty::Int, Ty::Float, Ty::Bool, Ty::Str];

impl Ty {
    fn name(self) -> String {
        match self {
            Ty::Int => "int".into(),
            Ty::Float => "float".into(),
            Ty::Bool => "bool".into(),
            Ty::Str => "string".into(),
            Ty::List(e) => format!("list<{}>", e.ty().name()),
            Ty::Map(MapTy::StrInt) => "map<string, int>".into(),
            Ty::Map(MapTy::IntStr) => "map<int, string>".into(),
            Ty::Struct(k) => format!("R{k}"),
            Ty::Fn => "fun(int): int".into(),
        }
    }

    /// Types whose values have a per-value `bound` (bytes of a string, elements of a list).
    fn bounded(self) -> bool {
        matches!(self, Ty::Str | Ty::List(_))
    }

    fn scalar(self) -> bool {
        matches!(self, Ty::Int | Ty::Float | Ty::Bool | Ty::Str)
    }

    /// Longest text of a value of this type when converted by `+` or `print`
    /// (`-9223372036854775808`, `-1.7976931348623157e+308`, `false`).
    fn text_len(self) -> usize {
        match self {
            Ty::Int => 20,
            Ty::Float => 24,
            Ty::Bool => 5,
            _ => unreachable!("{self:?} has a per-value bound"),
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    /// An ordinary variable.
    Plain,
    /// A `for` variable or a `while` counter: never assigned, except upwards by `bump_stmt`.
    Counter,
    /// A string accumulator (`s = s + short`), appended to only by the body declaring it.
    Acc,
}

#[derive(Clone, Debug)]
struct Var {
    name: String,
    ty: Ty,
    mutable: bool,
    kind: Kind,
    /// Strings: an upper bound of the length in bytes of every value the variable holds.
    bound: usize,
    /// `Gen::mult` where the variable was declared.
    decl_mult: u64,
    /// The body (0 = main, k = k-th function) that declared it.
    owner: usize,
    /// Accumulators: bytes of `bound` already promised to appends.
    used: usize,
}

#[derive(Clone, Copy, Default, Debug)]
struct Cost {
    /// Estimated statements executed.
    work: u64,
    /// Estimated bytes printed.
    out: u64,
}

#[derive(Clone, Debug)]
struct Func {
    name: String,
    params: Vec<Ty>,
    ret: Option<Ty>,
    /// Strings: bound of the returned value.
    ret_bound: usize,
    /// Cost of one call, callees included.
    cost: Cost,
    /// `Some(d)`: the first parameter is a recursion depth, and calls must pass at most `d`.
    depth: Option<i64>,
}

/// Bound of a string parameter (arguments are generated within it).
const PARAM_BOUND: usize = 48;
/// Bound of a list parameter, in elements.
const PARAM_LIST: usize = 24;

fn param_bound(t: Ty) -> usize {
    if matches!(t, Ty::List(_)) {
        PARAM_LIST
    } else {
        PARAM_BOUND
    }
}
/// Bound of the value returned by a (non-recursive) string function.
const RET_BOUND: usize = 64;
/// Bound of a string accumulator.
const ACC_BOUND: usize = 1200;
/// Budget of one function body (one call).
const FN_CAP: Cost = Cost {
    work: 6_000,
    out: 3_000,
};
/// Budget of the whole program.
const MAIN_CAP: Cost = Cost {
    work: 800_000,
    out: 200_000,
};
const MAX_FUNCS: usize = 9;

/// The state of the body being generated (main or a function), saved while generating a
/// function in the middle of main.
struct Body {
    scopes: Vec<Vec<Var>>,
    owner: usize,
    ret: Option<Option<Ty>>,
    ret_bound: usize,
    loops: u32,
    blocks: u32,
    mult: u64,
    cost: Cost,
    cap: Cost,
}

pub struct Gen {
    rng: Rng,
    src: String,
    indent: usize,
    ids: u32,
    bodies: usize,
    globals: Vec<Var>,
    funcs: Vec<Func>,
    /// Local scopes of the current body (empty at the top level of main, where declarations
    /// are globals).
    scopes: Vec<Vec<Var>>,
    owner: usize,
    /// `None` in main; `Some(return type)` in a function.
    ret: Option<Option<Ty>>,
    ret_bound: usize,
    loops: u32,
    blocks: u32,
    /// Product of the trip counts of the enclosing loops of the current body.
    mult: u64,
    cost: Cost,
    cap: Cost,
    /// Percent chance of choices that make runtime errors likely (edge literals, divisors
    /// that may be zero); fixed per program.
    risk: u64,
    /// The struct types declared at the top of the program.
    structs: Vec<data::StructDef>,
    /// Set while generating the body of an anonymous function: no calls there.
    no_calls: bool,
    /// Set while generating the closure arguments of a function that returns a closure
    /// (a composition): only fresh anonymous functions there, so that no closure wraps a
    /// closure that wraps a closure ... (calling one would cost 2^n calls).
    fresh_fns: bool,
    /// Percent weight of the containers, structs and closures of `data` (0: none); fixed
    /// per program.
    data: u64,
}

/// Generate the program of `seed`.
pub fn program(seed: u64) -> String {
    let mut g = Gen::new(seed);
    g.generate(seed);
    g.src
}

impl Gen {
    fn new(seed: u64) -> Gen {
        let mut rng = Rng::new(seed);
        let risk = *rng.pick(&[0, 1, 2, 4, 6, 12]);
        let mut data = *rng.pick(&[0, 15, 30, 30, 45]);
        if std::env::var("MOCHI_GEN_DATA").is_ok_and(|v| v.trim() == "0") {
            data = 0;
        }
        Gen {
            rng,
            src: String::new(),
            indent: 0,
            ids: 0,
            bodies: 0,
            globals: Vec::new(),
            funcs: Vec::new(),
            scopes: Vec::new(),
            owner: 0,
            ret: None,
            ret_bound: 0,
            loops: 0,
            blocks: 0,
            mult: 1,
            cost: Cost::default(),
            cap: MAIN_CAP,
            risk,
            structs: Vec::new(),
            no_calls: false,
            fresh_fns: false,
            data,
        }
    }

    // ---------------- output ----------------

    fn line(&mut self, s: &str) {
        for _ in 0..self.indent {
            self.src.push_str("  ");
        }
        self.src.push_str(s);
        self.src.push('\n');
    }

    fn fresh(&mut self, prefix: &str) -> String {
        self.ids += 1;
        format!("{prefix}{}", self.ids)
    }

    // ---------------- cost model ----------------

    fn scaled(&self, c: Cost) -> Cost {
        Cost {
            work: c.work.saturating_mul(self.mult),
            out: c.out.saturating_mul(self.mult),
        }
    }

    fn affordable(&self, c: Cost) -> bool {
        let s = self.scaled(c);
        self.cost.work.saturating_add(s.work) <= self.cap.work
            && self.cost.out.saturating_add(s.out) <= self.cap.out
    }

    fn charge(&mut self, c: Cost) {
        let s = self.scaled(c);
        self.cost.work = self.cost.work.saturating_add(s.work);
        self.cost.out = self.cost.out.saturating_add(s.out);
    }

    /// Work still available per execution at the current loop nesting.
    fn work_left(&self) -> u64 {
        self.cap.work.saturating_sub(self.cost.work) / self.mult
    }

    // ---------------- scopes ----------------

    fn declare(&mut self, v: Var) {
        match self.scopes.last_mut() {
            Some(s) => s.push(v),
            None => self.globals.push(v),
        }
    }

    /// Variables readable here, most recent last.
    fn visible(&self) -> Vec<Var> {
        let mut v: Vec<Var> = self.globals.clone();
        for s in &self.scopes {
            v.extend(s.iter().cloned());
        }
        v
    }

    fn find_var_mut(&mut self, name: &str) -> &mut Var {
        for s in self.scopes.iter_mut().rev() {
            if let Some(v) = s.iter_mut().find(|v| v.name == name) {
                return v;
            }
        }
        self.globals
            .iter_mut()
            .find(|v| v.name == name)
            .expect("variable in scope")
    }

    /// A variable of type `ty` (strings: within `max`), biased towards recent ones.
    fn pick_var(&mut self, ty: Ty, max: usize) -> Option<String> {
        let vs: Vec<String> = self
            .visible()
            .into_iter()
            .filter(|v| v.ty == ty && (!ty.bounded() || v.bound <= max))
            .map(|v| v.name)
            .collect();
        if vs.is_empty() {
            return None;
        }
        let n = vs.len() as u64;
        let i = if n > 3 && self.rng.chance(50) {
            n - 1 - self.rng.below(3)
        } else {
            self.rng.below(n)
        };
        Some(vs[i as usize].clone())
    }

    /// Variables the current body may assign.
    fn assignable(&self) -> Vec<Var> {
        self.visible()
            .into_iter()
            .filter(|v| {
                v.mutable
                    && match v.kind {
                        Kind::Plain => true,
                        Kind::Counter => false,
                        Kind::Acc => v.owner == self.owner,
                    }
            })
            .collect()
    }

    // ---------------- literals ----------------

    fn int_lit(&mut self) -> String {
        const EDGE: &[&str] = &[
            "0",
            "1",
            "(-1)",
            "2147483647",
            "(-2147483648)",
            "2147483648",
            "(-2147483649)",
            "4294967296",
            "9223372036854775807",
            "(-9223372036854775807)",
            "(-9223372036854775807 - 1)",
            "3037000499",
            "3037000500",
            "4611686018427387904",
            "1000000007",
        ];
        if self.rng.chance(self.risk) {
            return self.rng.pick(EDGE).to_string();
        }
        let v = match self.rng.below(10) {
            0..=5 => self.rng.range(0, 12),
            6 | 7 => self.rng.range(-20, 100),
            8 => self.rng.range(-100_000, 100_000),
            _ => *self
                .rng
                .pick(&[0, 1, -1, 2, 1000, 65536, 2147483647, -2147483648]),
        };
        if v < 0 {
            format!("(-{})", -v)
        } else {
            v.to_string()
        }
    }

    /// An int literal for comparisons (no error risk): often at the edge of the signed
    /// 32-bit immediates of the compare-and-branch ops.
    fn cmp_lit(&mut self) -> String {
        if self.rng.chance(25) {
            self.rng
                .pick(&[
                    "2147483647",
                    "(-2147483648)",
                    "2147483648",
                    "(-2147483649)",
                    "9223372036854775807",
                    "(-9223372036854775807 - 1)",
                    "4294967295",
                ])
                .to_string()
        } else {
            let v = self.rng.range(-3, 12);
            if v < 0 {
                format!("(-{})", -v)
            } else {
                v.to_string()
            }
        }
    }

    fn float_lit(&mut self) -> String {
        const EDGE: &[&str] = &[
            "0.0",
            "(-0.0)",
            "1e300",
            "(-1e300)",
            "1e-300",
            "5e-324",
            "1.7976931348623157e308",
            "1e21",
            "1e20",
            "1e-7",
            "9007199254740993.0",
            "123456.789",
            "0.1",
            "(1e308 * 10.0)",
            "(-(1e308 * 10.0))",
            "((1e308 * 10.0) - (1e308 * 10.0))",
        ];
        if self.rng.chance(self.risk + 5) {
            return self.rng.pick(EDGE).to_string();
        }
        match self.rng.below(4) {
            0 => self
                .rng
                .pick(&[
                    "0.5", "1.0", "2.0", "0.25", "1.5", "2.5", "3.14159", "0.1", "10.0",
                ])
                .to_string(),
            1 => format!("{}.{}", self.rng.range(0, 20), self.rng.range(0, 99)),
            2 => format!("(-{}.{})", self.rng.range(0, 9), self.rng.range(1, 999)),
            _ => format!("{}.{}", self.rng.range(0, 1000), self.rng.range(0, 9)),
        }
    }

    fn str_lit(&mut self, max: usize) -> (String, usize) {
        // (source text, length in bytes of the value)
        const LITS: &[(&str, usize)] = &[
            ("\"\"", 0),
            ("\"a\"", 1),
            ("\"b\"", 1),
            ("\"ab\"", 2),
            ("\"abc\"", 3),
            ("\"Z\"", 1),
            ("\" x \"", 3),
            ("\"hello\"", 5),
            ("\"é\"", 2),
            ("\"日本\"", 6),
            ("\"🙂\"", 4),
            ("\"a\\nb\"", 3),
            ("\"tab\\t\"", 4),
            ("\"q\\\"\"", 2),
            ("\"\\\\\"", 1),
            ("\"10\"", 2),
            ("\"9\"", 1),
            ("\"-\"", 1),
            ("\" \"", 1),
            ("\"=\"", 1),
            ("\"abd\"", 3),
            ("\"Abc\"", 3),
        ];
        for _ in 0..4 {
            let &(s, n) = self.rng.pick(LITS);
            if n <= max {
                return (s.to_string(), n);
            }
        }
        ("\"\"".to_string(), 0)
    }

    // ---------------- expressions ----------------

    /// An expression of type `ty`; strings within `max` bytes. Returns the text and, for
    /// strings, the bound of its length.
    fn expr(&mut self, ty: Ty, d: u32, max: usize) -> (String, usize) {
        match ty {
            Ty::Int => (self.int_expr(d), 0),
            Ty::Float => (self.float_expr(d), 0),
            Ty::Bool => (self.bool_expr(d), 0),
            Ty::Str => self.str_expr(d, max),
            _ => self.data_expr(ty, d, max),
        }
    }

    /// An expression assignable to a place of type `ty` (an int where a float is wanted).
    fn sink(&mut self, ty: Ty, d: u32, max: usize) -> (String, usize) {
        if ty == Ty::Float && self.rng.chance(25) {
            return (self.int_expr(d), 0);
        }
        self.expr(ty, d, max)
    }

    /// Functions returning `ret` whose call is affordable here (strings: within `max`).
    fn callable(&self, ret: Option<Ty>, max: usize) -> Vec<Func> {
        self.funcs
            .iter()
            .filter(|f| {
                f.ret == ret
                    && (!ret.is_some_and(Ty::bounded) || f.ret_bound <= max)
                    && !self.no_calls
                    && self.affordable(f.cost)
            })
            .cloned()
            .collect()
    }

    fn call(&mut self, f: &Func, d: u32) -> String {
        self.charge(f.cost);
        let mut args = Vec::new();
        for (i, &t) in f.params.iter().enumerate() {
            if i == 0 {
                if let Some(depth) = f.depth {
                    args.push(self.depth_arg(depth, d));
                    continue;
                }
            }
            let b = param_bound(t);
            args.push(self.sink(t, d.saturating_sub(1), b).0);
        }
        format!("{}({})", f.name, args.join(", "))
    }

    /// A recursion depth argument: at most `depth`.
    fn depth_arg(&mut self, depth: i64, d: u32) -> String {
        match self.rng.below(6) {
            0..=2 => self.rng.range(0, depth).to_string(),
            3 => format!("({} % {})", self.int_expr(d.saturating_sub(1)), depth + 1),
            4 => depth.to_string(),
            _ => {
                if self.rng.chance(30) {
                    format!("(-{})", self.rng.range(1, 3))
                } else {
                    self.rng.range(0, depth).to_string()
                }
            }
        }
    }

    fn int_expr(&mut self, d: u32) -> String {
        let calls = if d > 0 {
            self.callable(Some(Ty::Int), 0)
        } else {
            vec![]
        };
        let has_var = self.visible().iter().any(|v| v.ty == Ty::Int);
        let data = d > 0 && self.has_data();
        let w = [
            3,
            if has_var { 6 } else { 0 },
            if d > 0 { 5 } else { 0 },
            if d > 0 { 1 } else { 0 },
            if calls.is_empty() { 0 } else { 2 },
            if data { 3 } else { 0 },
        ];
        match self.rng.weighted(&w) {
            0 => self.int_lit(),
            5 => self.int_from_data(d - 1).unwrap_or_else(|| self.int_lit()),
            1 => self.pick_var(Ty::Int, 0).unwrap(),
            2 => {
                let op = *self.rng.pick(&["+", "-", "*", "/", "%", "+", "-"]);
                let l = self.int_expr(d - 1);
                let r = if op == "/" || op == "%" {
                    self.int_divisor(d - 1)
                } else {
                    self.int_expr(d - 1)
                };
                format!("({l} {op} {r})")
            }
            3 => {
                let e = self.int_expr(d - 1);
                format!("(-{e})")
            }
            _ => {
                let f = self.rng.pick(&calls).clone();
                self.call(&f, d - 1)
            }
        }
    }

    fn int_divisor(&mut self, d: u32) -> String {
        if self.rng.chance(self.risk * 2) {
            return self.int_expr(d);
        }
        match self.rng.below(4) {
            0 | 1 => {
                let k = *self.rng.pick(&[1, 2, 3, 5, 7, 10, 16, 1000, -1, -3, -7]);
                if k < 0 {
                    format!("(-{})", -k)
                } else {
                    k.to_string()
                }
            }
            2 => format!("(({} % 7) + 8)", self.int_expr(d)),
            _ => {
                // A variable (not a loop counter, which starts at 0): zero only sometimes.
                let vs: Vec<String> = self
                    .visible()
                    .into_iter()
                    .filter(|v| v.ty == Ty::Int && v.kind != Kind::Counter)
                    .map(|v| v.name)
                    .collect();
                if !vs.is_empty() && self.rng.chance(25) {
                    self.rng.pick(&vs).clone()
                } else {
                    format!("(({} % 5) - 6)", self.int_expr(d))
                }
            }
        }
    }

    fn float_expr(&mut self, d: u32) -> String {
        let calls = if d > 0 {
            self.callable(Some(Ty::Float), 0)
        } else {
            vec![]
        };
        let has_var = self.visible().iter().any(|v| v.ty == Ty::Float);
        let data = d > 0 && self.has_data();
        let w = [
            3,
            if has_var { 6 } else { 0 },
            if d > 0 { 6 } else { 0 },
            if d > 0 { 1 } else { 0 },
            if calls.is_empty() { 0 } else { 2 },
            if data { 2 } else { 0 },
        ];
        match self.rng.weighted(&w) {
            0 => self.float_lit(),
            5 => self
                .float_from_data(d - 1)
                .unwrap_or_else(|| self.float_lit()),
            1 => self.pick_var(Ty::Float, 0).unwrap(),
            2 => {
                let op = *self.rng.pick(&["+", "-", "*", "/", "%", "+", "*"]);
                // At least one float operand; the other may be an int.
                let float_left = self.rng.chance(50);
                let other_int = self.rng.chance(35);
                let (l, r);
                if float_left {
                    l = self.float_expr(d - 1);
                    r = if op == "/" || op == "%" {
                        self.float_divisor(d - 1, other_int)
                    } else if other_int {
                        self.int_expr(d - 1)
                    } else {
                        self.float_expr(d - 1)
                    };
                } else {
                    l = if other_int {
                        self.int_expr(d - 1)
                    } else {
                        self.float_expr(d - 1)
                    };
                    r = if op == "/" || op == "%" {
                        self.float_divisor(d - 1, false)
                    } else {
                        self.float_expr(d - 1)
                    };
                }
                format!("({l} {op} {r})")
            }
            3 => {
                let e = self.float_expr(d - 1);
                format!("(-{e})")
            }
            _ => {
                let f = self.rng.pick(&calls).clone();
                self.call(&f, d - 1)
            }
        }
    }

    fn float_divisor(&mut self, d: u32, int: bool) -> String {
        if self.rng.chance(self.risk * 2) {
            return if int {
                self.int_expr(d)
            } else {
                self.float_expr(d)
            };
        }
        if int {
            return self.int_divisor(d);
        }
        match self.rng.below(3) {
            0 | 1 => self
                .rng
                .pick(&["0.5", "2.0", "3.0", "(-1.5)", "0.1", "7.25", "1e-3", "1e10"])
                .to_string(),
            _ => format!("(({} % 3.0) + 4.5)", self.float_expr(d)),
        }
    }

    fn bool_expr(&mut self, d: u32) -> String {
        let calls = if d > 0 {
            self.callable(Some(Ty::Bool), 0)
        } else {
            vec![]
        };
        let has_var = self.visible().iter().any(|v| v.ty == Ty::Bool);
        let w = [
            2,
            if has_var { 4 } else { 0 },
            if d > 0 { 8 } else { 0 },
            if d > 0 { 2 } else { 0 },
            if d > 0 { 1 } else { 0 },
            if d > 0 { 3 } else { 0 },
            if d > 0 { 1 } else { 0 },
            if calls.is_empty() { 0 } else { 2 },
            if d > 0 && self.has_data() { 3 } else { 0 },
        ];
        match self.rng.weighted(&w) {
            0 => self.rng.pick(&["true", "false"]).to_string(),
            8 => self
                .bool_from_data(d - 1)
                .unwrap_or_else(|| self.rng.pick(&["true", "false"]).to_string()),
            1 => self.pick_var(Ty::Bool, 0).unwrap(),
            2 => {
                // numeric comparison, often against a literal
                let op = *self.rng.pick(&["<", "<=", ">", ">=", "==", "!="]);
                let lt = if self.rng.chance(70) {
                    Ty::Int
                } else {
                    Ty::Float
                };
                let rt = if self.rng.chance(70) { lt } else { Ty::Float };
                let l = self.expr(lt, d - 1, 0).0;
                let r = if self.rng.chance(40) {
                    if rt == Ty::Int {
                        self.cmp_lit()
                    } else {
                        self.float_lit()
                    }
                } else {
                    self.expr(rt, d - 1, 0).0
                };
                if self.rng.chance(20) {
                    format!("({r} {op} {l})")
                } else {
                    format!("({l} {op} {r})")
                }
            }
            3 => {
                let op = *self.rng.pick(&["<", "<=", ">", ">=", "==", "!="]);
                let l = self.str_expr(d - 1, 200).0;
                let r = self.str_expr(d - 1, 200).0;
                format!("({l} {op} {r})")
            }
            4 => {
                let op = *self.rng.pick(&["==", "!="]);
                let l = self.bool_expr(d - 1);
                let r = self.bool_expr(d - 1);
                format!("({l} {op} {r})")
            }
            5 => {
                let op = *self.rng.pick(&["&&", "||"]);
                let l = self.bool_expr(d - 1);
                let r = self.bool_expr(d - 1);
                format!("({l} {op} {r})")
            }
            6 => {
                let e = self.bool_expr(d - 1);
                format!("!{e}")
            }
            _ => {
                let f = self.rng.pick(&calls).clone();
                self.call(&f, d - 1)
            }
        }
    }

    fn str_expr(&mut self, d: u32, max: usize) -> (String, usize) {
        let calls = if d > 0 {
            self.callable(Some(Ty::Str), max)
        } else {
            vec![]
        };
        let has_var = self
            .visible()
            .iter()
            .any(|v| v.ty == Ty::Str && v.bound <= max);
        let w = [
            3,
            if has_var { 5 } else { 0 },
            if d > 0 && max >= 2 { 6 } else { 0 },
            if calls.is_empty() { 0 } else { 2 },
            if d > 0 && max >= 4 && self.has_data() {
                3
            } else {
                0
            },
        ];
        match self.rng.weighted(&w) {
            0 => self.str_lit(max),
            4 => self
                .str_from_data(d - 1, max)
                .unwrap_or_else(|| self.str_lit(max)),
            1 => {
                let name = self.pick_var(Ty::Str, max).unwrap();
                let b = self
                    .visible()
                    .iter()
                    .rev()
                    .find(|v| v.name == name)
                    .unwrap()
                    .bound;
                (name, b)
            }
            2 => {
                // concatenation with a string, int, float or bool on either side
                let other = *self.rng.pick(&TYS);
                let other_fits = other == Ty::Str || other.text_len() < max;
                if !other_fits || other == Ty::Str {
                    let (l, lb) = self.str_expr(d - 1, max / 2);
                    let (r, rb) = self.str_expr(d - 1, max - lb);
                    return (format!("({l} + {r})"), lb + rb);
                }
                let o = self.expr(other, d - 1, 0).0;
                let (s, sb) = self.str_expr(d - 1, max - other.text_len());
                let total = sb + other.text_len();
                if self.rng.chance(50) {
                    (format!("({s} + {o})"), total)
                } else {
                    (format!("({o} + {s})"), total)
                }
            }
            _ => {
                let f = self.rng.pick(&calls).clone();
                let b = f.ret_bound;
                (self.call(&f, d - 1), b)
            }
        }
    }

    fn depth(&mut self) -> u32 {
        *self.rng.pick(&[1, 2, 2, 3, 3, 4])
    }

    // ---------------- statements ----------------

    /// A block: `n` statements in a new scope, then (usually) a print of what it computed.
    fn block(&mut self, n: usize, extra: &[Var]) {
        self.scopes.push(extra.to_vec());
        self.blocks += 1;
        self.indent += 1;
        for _ in 0..n {
            if !self.affordable(Cost { work: 8, out: 0 }) {
                break;
            }
            self.stmt();
        }
        if self.rng.chance(75) {
            self.print_stmt(true);
        }
        self.indent -= 1;
        self.blocks -= 1;
        self.scopes.pop();
    }

    fn stmt(&mut self) {
        self.charge(Cost { work: 1, out: 0 });
        let in_loop = self.loops > 0;
        let in_fn = self.ret.is_some();
        let nest_ok = self.blocks < 4;
        let loop_ok = nest_ok && self.loops < 2 && self.work_left() >= 40;
        let void_calls = !self.callable(None, 0).is_empty();
        let any_calls = self.funcs.iter().any(|f| self.affordable(f.cost));
        let w = [
            5,                                                // declaration
            if self.assignable().is_empty() { 0 } else { 6 }, // assignment
            4,                                                // print
            if nest_ok { 3 } else { 0 },                      // if
            if loop_ok { 3 } else { 0 },                      // for
            if loop_ok { 1 } else { 0 },                      // while
            if in_loop { 2 } else { 0 },                      // break / continue
            if in_fn { 1 } else { 0 },                        // early return
            if void_calls { 3 } else { 0 },                   // void call
            if any_calls { 1 } else { 0 },                    // call, result dropped
            if loop_ok { 2 } else { 0 },                      // hot loop
            if in_loop { 1 } else { 0 },                      // bump a loop variable
            self.data_pct() as u32 / 4,                       // lists, maps, structs, ...
        ];
        match self.rng.weighted(&w) {
            0 => self.decl_stmt(),
            1 => self.assign_stmt(),
            2 => self.print_stmt(false),
            3 => self.if_stmt(),
            4 => self.for_stmt(),
            5 => self.while_stmt(),
            6 => self.break_stmt(),
            7 => self.return_stmt(),
            8 => {
                let fs = self.callable(None, 0);
                let f = self.rng.pick(&fs).clone();
                let d = self.depth();
                let c = self.call(&f, d);
                self.line(&c);
            }
            9 => {
                let fs: Vec<Func> = self
                    .funcs
                    .iter()
                    .filter(|f| self.affordable(f.cost))
                    .cloned()
                    .collect();
                let f = self.rng.pick(&fs).clone();
                let d = self.depth();
                let c = self.call(&f, d);
                self.line(&c);
            }
            10 => self.hot_loop(),
            11 => self.bump_stmt(),
            _ => self.data_stmt(),
        }
    }

    fn decl_stmt(&mut self) {
        if self.rng.chance(self.data_pct()) {
            return self.data_decl();
        }
        let ty = *self.rng.pick(&TYS);
        let name = self.fresh("v");
        let mutable = self.rng.chance(65);
        let kw = if mutable { "var" } else { "let" };
        let mut bound = 0;
        let mut kind = Kind::Plain;
        let d = self.depth();
        let text = match self.rng.below(10) {
            // inferred type
            0..=4 => {
                let (e, b) = self.expr(ty, d, 160);
                bound = b;
                format!("{kw} {name} = {e}")
            }
            // annotated, maybe an int initialiser for a float
            5..=7 => {
                let (e, b) = self.sink(ty, d, 160);
                bound = b;
                format!("{kw} {name}: {} = {e}", ty.name())
            }
            // zero value
            8 => format!("{kw} {name}: {}", ty.name()),
            // a string accumulator
            _ if ty == Ty::Str && mutable => {
                kind = Kind::Acc;
                bound = ACC_BOUND;
                format!("var {name} = \"\"")
            }
            _ => {
                let (e, b) = self.expr(ty, d, 160);
                bound = b;
                format!("{kw} {name} = {e}")
            }
        };
        if ty == Ty::Str && mutable && kind == Kind::Plain {
            bound = bound.max(160);
        }
        self.line(&text);
        let v = Var {
            name,
            ty,
            mutable,
            kind,
            bound,
            decl_mult: self.mult,
            owner: self.owner,
            used: 0,
        };
        self.declare(v);
    }

    fn assign_stmt(&mut self) {
        let vs = self.assignable();
        // Prefer recent variables (loop accumulators).
        let v = if vs.len() > 3 && self.rng.chance(50) {
            vs[vs.len() - 1 - self.rng.below(3) as usize].clone()
        } else {
            self.rng.pick(&vs).clone()
        };
        let n = &v.name;
        let d = self.depth();
        let text = match (v.ty, v.kind) {
            (Ty::Str, Kind::Acc) => {
                let times = (self.mult / v.decl_mult.max(1)).max(1) as usize;
                let room = (ACC_BOUND - v.used) / times;
                if room >= 1 && self.rng.chance(85) {
                    let (e, b) = self.str_expr_or_scalar(d.min(2), room.min(24));
                    self.find_var_mut(n).used += b * times;
                    if self.rng.chance(50) {
                        format!("{n} = {n} + {e}")
                    } else {
                        format!("{n} = {e} + {n}")
                    }
                } else {
                    format!("{n} = \"\"")
                }
            }
            (Ty::Str, _) => {
                let e = self.str_expr(d, v.bound).0;
                format!("{n} = {e}")
            }
            (Ty::Int, _) => match self.rng.below(8) {
                0 | 1 => format!("{n} = {}", self.int_expr(d)),
                2 | 3 => format!("{n} = {n} + {}", self.int_expr(d)),
                4 => format!("{n} = {n} - {}", self.int_expr(d)),
                5 => format!("{n} = {n} * {}", self.int_expr(d.min(2))),
                6 => format!("{n} = ({n} * 31 + {}) % 1000003", self.int_expr(d)),
                _ => format!("{n} = {n} + 1"),
            },
            (Ty::Float, _) => match self.rng.below(6) {
                0 | 1 => format!("{n} = {}", self.sink(Ty::Float, d, 0).0),
                2 | 3 => format!("{n} = {n} + {}", self.sink(Ty::Float, d, 0).0),
                4 => format!("{n} = {n} * {}", self.float_expr(d.min(2))),
                _ => format!("{n} = {n} * 0.5 + {}", self.sink(Ty::Float, d, 0).0),
            },
            (Ty::Bool, _) => match self.rng.below(4) {
                0 => format!("{n} = !{n}"),
                1 => format!("{n} = {n} && {}", self.bool_expr(d)),
                2 => format!("{n} = {n} || {}", self.bool_expr(d)),
                _ => format!("{n} = {}", self.bool_expr(d)),
            },
            _ => return self.data_assign(&v),
        };
        self.line(&text);
    }

    /// A short value for an accumulator append: a string, or an int/float/bool (converted).
    fn str_expr_or_scalar(&mut self, d: u32, max: usize) -> (String, usize) {
        let t = *self.rng.pick(&TYS);
        if t != Ty::Str && t.text_len() <= max {
            (self.expr(t, d, 0).0, t.text_len())
        } else {
            self.str_expr(d, max)
        }
    }

    fn print_stmt(&mut self, prefer_vars: bool) {
        let n = self.rng.range(1, 4) as usize;
        let left = (self.cap.out.saturating_sub(self.cost.out) / self.mult) as usize;
        if left < 30 {
            return;
        }
        let per_arg = (left / n).min(ACC_BOUND);
        let mut args = Vec::new();
        let mut out = 1;
        let vars = self.visible();
        for _ in 0..n {
            let from_var = prefer_vars || self.rng.chance(55);
            let candidates: Vec<&Var> = vars
                .iter()
                .filter(|v| self.printable(v.ty) && self.print_len(v.ty, v.bound) <= per_arg)
                .collect();
            if from_var && !candidates.is_empty() {
                // Mostly the innermost (most recent) variables.
                let k = candidates.len() as u64;
                let i = if self.rng.chance(70) {
                    k - 1 - self.rng.below(k.min(4))
                } else {
                    self.rng.below(k)
                };
                let v = candidates[i as usize];
                args.push(v.name.clone());
                out += 1 + self.print_len(v.ty, v.bound);
            } else {
                let ty = *self.rng.pick(&TYS);
                let d = self.depth();
                let (e, b) = self.expr(ty, d, per_arg.min(200));
                args.push(e);
                out += 1 + if ty == Ty::Str { b } else { ty.text_len() };
            }
        }
        self.charge(Cost {
            work: 1,
            out: out as u64,
        });
        self.line(&format!("print({})", args.join(", ")));
    }

    fn if_stmt(&mut self) {
        let c = self.cond();
        self.line(&format!("if {c} {{"));
        let n = self.rng.range(1, 3) as usize;
        self.block(n, &[]);
        let mut elifs = if self.rng.chance(30) {
            self.rng.range(1, 2)
        } else {
            0
        };
        while elifs > 0 {
            elifs -= 1;
            let c = self.cond();
            self.line(&format!("}} else if {c} {{"));
            let n = self.rng.range(1, 2) as usize;
            self.block(n, &[]);
        }
        if self.rng.chance(50) {
            self.line("} else {");
            let n = self.rng.range(1, 3) as usize;
            self.block(n, &[]);
        }
        self.line("}");
    }

    /// A trip count for a new loop: at most 50, and what the budget allows.
    fn trips(&mut self) -> i64 {
        let left = self.work_left() / 6;
        let k = *self.rng.pick(&[2, 3, 5, 8, 10, 16, 20, 30, 50]);
        k.min(left as i64).max(1)
    }

    fn for_stmt(&mut self) {
        let k = self.trips();
        if self.rng.chance(8) {
            return self.edge_for(k);
        }
        let var = self.fresh("i");
        // start: a small literal, or an enclosing loop variable (>= -2 by construction)
        let outer: Vec<String> = self
            .visible()
            .into_iter()
            .filter(|v| v.kind == Kind::Counter && v.name.starts_with('i'))
            .map(|v| v.name)
            .collect();
        let start = if !outer.is_empty() && self.rng.chance(25) {
            self.rng.pick(&outer).clone()
        } else if self.rng.chance(80) {
            "0".to_string()
        } else {
            let s = self.rng.range(-2, 3);
            if s < 0 {
                format!("(-{})", -s)
            } else {
                s.to_string()
            }
        };
        // end: a constant, or a value reduced modulo the constant
        let end = if self.rng.chance(20) {
            let d = self.depth();
            format!("({} % {k})", self.int_expr(d.min(2)))
        } else {
            k.to_string()
        };
        self.line(&format!("for {var} in {start}..{end} {{"));
        let counter = Var {
            name: var,
            ty: Ty::Int,
            mutable: true,
            kind: Kind::Counter,
            bound: 0,
            decl_mult: self.mult,
            owner: self.owner,
            used: 0,
        };
        self.loop_body((k + 2) as u64, &[counter]);
        self.line("}");
    }

    /// A loop of `k` trips near the ends of the int range (and of the 32-bit immediates).
    fn edge_for(&mut self, k: i64) {
        let var = self.fresh("j");
        let (start, end) = match self.rng.below(5) {
            0 => (
                format!("(9223372036854775807 - {k})"),
                "9223372036854775807".to_string(),
            ),
            1 => (
                "(-9223372036854775807 - 1)".to_string(),
                format!("((-9223372036854775807 - 1) + {k})"),
            ),
            2 => (
                format!("(2147483647 - {})", k / 2),
                format!("(2147483647 + {})", k - k / 2),
            ),
            3 => (
                format!("(-2147483648 - {})", k / 2),
                format!("(-2147483648 + {})", k - k / 2),
            ),
            _ => (format!("(4294967296 - {k})"), "4294967296".to_string()),
        };
        self.line(&format!("for {var} in {start}..{end} {{"));
        let counter = Var {
            name: var,
            ty: Ty::Int,
            mutable: true,
            kind: Kind::Counter,
            bound: 0,
            decl_mult: self.mult,
            owner: self.owner,
            used: 0,
        };
        self.loop_body(k as u64, &[counter]);
        self.line("}");
    }

    /// Assign a loop variable or `while` counter of the current body: only ever upwards, so
    /// the loop still terminates. An `i` loop (which ends at 50 at most) may also be pushed
    /// past its end, or to the largest int (the loop's checked step then overflows).
    fn bump_stmt(&mut self) {
        let cs: Vec<String> = self
            .scopes
            .iter()
            .flatten()
            .filter(|v| v.kind == Kind::Counter)
            .map(|v| v.name.clone())
            .collect();
        let Some(c) = cs.last().cloned() else { return };
        let c = if self.rng.chance(70) {
            c
        } else {
            self.rng.pick(&cs).clone()
        };
        let cond = self.guard();
        let value = if c.starts_with('i') && self.rng.chance(10) {
            self.rng
                .pick(&["9223372036854775806", "9223372036854775807", "1000"])
                .to_string()
        } else {
            format!("{c} + {}", self.rng.range(1, 3))
        };
        self.line(&format!("if {cond} {{"));
        self.line(&format!("  {c} = {value}"));
        self.line("}");
    }

    fn loop_body(&mut self, trips: u64, extra: &[Var]) {
        let saved = self.mult;
        self.mult = self.mult.saturating_mul(trips);
        self.loops += 1;
        let n = self.rng.range(1, 4) as usize;
        self.block(n, extra);
        self.loops -= 1;
        self.mult = saved;
    }

    fn while_stmt(&mut self) {
        let k = self.trips();
        let w = self.fresh("w");
        self.line(&format!("var {w} = 0"));
        let counter = Var {
            name: w.clone(),
            ty: Ty::Int,
            mutable: true,
            kind: Kind::Counter,
            bound: 0,
            decl_mult: self.mult,
            owner: self.owner,
            used: 0,
        };
        self.declare(counter);
        let form = self.rng.below(3);
        match form {
            0 => self.line(&format!("while {w} < {k} {{")),
            1 => {
                // The condition runs on every iteration: cost it that way.
                let saved = self.mult;
                self.mult = self.mult.saturating_mul(k as u64 + 1);
                let d = self.depth();
                let c = self.bool_expr(d.min(2));
                self.mult = saved;
                self.line(&format!("while {w} < {k} && {c} {{"));
            }
            _ => self.line("while true {"),
        }
        self.indent += 1;
        self.line(&format!("{w} = {w} + 1"));
        if form == 2 {
            self.line(&format!("if {w} > {k} {{"));
            self.line("  break");
            self.line("}");
        }
        self.indent -= 1;
        self.loop_body(k as u64 + 1, &[]);
        self.line("}");
    }

    fn break_stmt(&mut self) {
        let c = self.guard();
        let kw = if self.rng.chance(50) {
            "break"
        } else {
            "continue"
        };
        self.line(&format!("if {c} {{"));
        self.indent += 1;
        if self.rng.chance(40) {
            self.print_stmt(true);
        }
        self.line(kw);
        self.indent -= 1;
        self.line("}");
    }

    /// A condition for `if`: rarely a bare literal.
    fn cond(&mut self) -> String {
        let d = self.depth();
        let c = self.bool_expr(d);
        if c == "true" || c == "false" {
            return self.bool_expr(d.max(2));
        }
        c
    }

    /// A condition guarding `break`, `continue` or `return`: true on some iterations only,
    /// often a test of a loop counter (so native code leaves loops at varying iterations).
    fn guard(&mut self) -> String {
        let counters: Vec<String> = self
            .scopes
            .iter()
            .flatten()
            .filter(|v| v.kind == Kind::Counter)
            .map(|v| v.name.clone())
            .collect();
        if !counters.is_empty() && self.rng.chance(60) {
            let c = counters.last().unwrap().clone();
            let c = if self.rng.chance(70) {
                c
            } else {
                self.rng.pick(&counters).clone()
            };
            let k = self.rng.range(2, 9);
            return match self.rng.below(4) {
                0 => format!("{c} % {k} == {}", self.rng.range(0, k - 1)),
                1 => format!("{c} >= {}", self.rng.range(1, 20)),
                2 => format!("{c} == {}", self.rng.range(0, 12)),
                _ => {
                    let d = self.depth();
                    format!(
                        "{c} > {} && {}",
                        self.rng.range(0, 6),
                        self.bool_expr(d.min(2))
                    )
                }
            };
        }
        let c = self.cond();
        if self.rng.chance(50) {
            // Unlikely to be true on the first evaluation.
            return format!("{c} && {}", self.cond());
        }
        c
    }

    fn return_value(&mut self) -> String {
        match self.ret {
            Some(Some(t)) => {
                let d = self.depth();
                let max = self.ret_bound;
                format!("return {}", self.sink(t, d, max).0)
            }
            _ => "return".to_string(),
        }
    }

    fn return_stmt(&mut self) {
        let c = self.guard();
        self.line(&format!("if {c} {{"));
        self.indent += 1;
        if self.rng.chance(40) {
            self.print_stmt(true);
        }
        let r = self.return_value();
        self.line(&r);
        self.indent -= 1;
        self.line("}");
    }

    /// The loop shapes a JIT cares about: an accumulator updated on every iteration from the
    /// loop variable, a call, and often a string append (strings side-exit native code).
    fn hot_loop(&mut self) {
        let k = self.trips();
        let acc = self.fresh("v");
        let ty = if self.rng.chance(70) {
            Ty::Int
        } else {
            Ty::Float
        };
        let init = if ty == Ty::Int {
            self.int_lit()
        } else {
            self.float_lit()
        };
        self.line(&format!("var {acc} = {init}"));
        self.declare(Var {
            name: acc.clone(),
            ty,
            mutable: true,
            kind: Kind::Plain,
            bound: 0,
            decl_mult: self.mult,
            owner: self.owner,
            used: 0,
        });
        let with_str = self.rng.chance(40);
        let s = self.fresh("v");
        if with_str {
            self.line(&format!("var {s} = \"\""));
            self.declare(Var {
                name: s.clone(),
                ty: Ty::Str,
                mutable: true,
                kind: Kind::Acc,
                bound: ACC_BOUND,
                decl_mult: self.mult,
                owner: self.owner,
                used: 2 * k as usize,
            });
        }
        let i = self.fresh("i");
        self.line(&format!("for {i} in 0..{k} {{"));
        let saved = self.mult;
        self.mult = self.mult.saturating_mul(k as u64);
        self.loops += 1;
        self.scopes.push(vec![Var {
            name: i.clone(),
            ty: Ty::Int,
            mutable: true,
            kind: Kind::Counter,
            bound: 0,
            decl_mult: self.mult,
            owner: self.owner,
            used: 0,
        }]);
        self.indent += 1;
        self.charge(Cost { work: 3, out: 0 });
        // the update, preferably through a call taking the loop variable
        let fs: Vec<Func> = self
            .callable(Some(ty), 0)
            .into_iter()
            .chain(self.callable(Some(Ty::Int), 0))
            .collect();
        let term = if !fs.is_empty() && self.rng.chance(70) {
            let f = self.rng.pick(&fs).clone();
            self.charge(f.cost);
            let mut args = Vec::new();
            for (pi, &t) in f.params.iter().enumerate() {
                if let (0, Some(depth)) = (pi, f.depth) {
                    args.push(format!("({i} % {})", depth + 1));
                } else if (t == Ty::Int || t == Ty::Float) && self.rng.chance(60) {
                    args.push(i.clone());
                } else {
                    args.push(self.sink(t, 1, param_bound(t)).0);
                }
            }
            format!("{}({})", f.name, args.join(", "))
        } else if ty == Ty::Int {
            format!("({i} * {} % 97)", self.rng.range(1, 13))
        } else {
            format!("({i} * {})", self.float_lit())
        };
        let upd = match self.rng.below(4) {
            0 if ty == Ty::Int => format!("{acc} = ({acc} * 7 + {term}) % 1000003"),
            1 => format!("{acc} = {acc} - {term}"),
            _ => format!("{acc} = {acc} + {term}"),
        };
        self.line(&upd);
        if with_str {
            let room = (ACC_BOUND / k as usize).min(12);
            if room >= 2 {
                self.line(&format!("{s} = {s} + {i}"));
            } else {
                self.line(&format!("{s} = \"\" + {i}"));
            }
        }
        if self.rng.chance(40) && self.blocks < 4 {
            let n = self.rng.range(1, 2) as usize;
            self.blocks += 1;
            for _ in 0..n {
                if !self.affordable(Cost { work: 8, out: 0 }) {
                    break;
                }
                self.stmt();
            }
            self.blocks -= 1;
        }
        self.indent -= 1;
        self.scopes.pop();
        self.loops -= 1;
        self.mult = saved;
        self.line("}");
        if with_str {
            self.charge(Cost {
                work: 1,
                out: 30 + ACC_BOUND as u64,
            });
            self.line(&format!("print({acc}, {s})"));
        } else {
            self.charge(Cost { work: 1, out: 30 });
            self.line(&format!("print({acc})"));
        }
    }

    // ---------------- functions ----------------

    fn enter_body(&mut self, params: Vec<Var>, ret: Option<Ty>, ret_bound: usize) -> Body {
        self.bodies += 1;
        let saved = Body {
            scopes: std::mem::replace(&mut self.scopes, vec![params]),
            owner: self.owner,
            ret: self.ret,
            ret_bound: self.ret_bound,
            loops: self.loops,
            blocks: self.blocks,
            mult: self.mult,
            cost: self.cost,
            cap: self.cap,
        };
        self.owner = self.bodies;
        self.ret = Some(ret);
        self.ret_bound = ret_bound;
        self.loops = 0;
        self.blocks = 0;
        self.mult = 1;
        self.cost = Cost::default();
        self.cap = FN_CAP;
        saved
    }

    /// Restore the enclosing body; returns the cost of the one just generated.
    fn leave_body(&mut self, b: Body) -> Cost {
        let c = self.cost;
        self.scopes = b.scopes;
        self.owner = b.owner;
        self.ret = b.ret;
        self.ret_bound = b.ret_bound;
        self.loops = b.loops;
        self.blocks = b.blocks;
        self.mult = b.mult;
        self.cost = b.cost;
        self.cap = b.cap;
        Cost {
            work: c.work + 2,
            out: c.out,
        }
    }

    fn param_list(&mut self, first_depth: bool) -> (Vec<Var>, String) {
        let n = *self.rng.pick(&[0, 1, 1, 2, 2, 3, 3, 4, 5, 6]);
        let mut vars = Vec::new();
        let mut text = Vec::new();
        if first_depth {
            let name = self.fresh("n");
            text.push(format!("{name}: int"));
            vars.push(self.param(name, Ty::Int));
        }
        for _ in 0..n.min(if first_depth { 3 } else { 6 }) {
            let ty = if !first_depth && self.rng.chance(self.data_pct()) {
                self.data_type()
            } else {
                *self.rng.pick(&TYS)
            };
            let name = self.fresh("p");
            text.push(format!("{name}: {}", ty.name()));
            vars.push(self.param(name, ty));
        }
        (vars, text.join(", "))
    }

    fn param(&self, name: String, ty: Ty) -> Var {
        Var {
            name,
            ty,
            mutable: false,
            kind: Kind::Plain,
            bound: param_bound(ty),
            decl_mult: 1,
            owner: self.bodies + 1,
            used: 0,
        }
    }

    fn ret_type(&mut self) -> Option<Ty> {
        if self.rng.chance(20) {
            None
        } else {
            Some(*self.rng.pick(&TYS))
        }
    }

    fn header(name: &str, params: &str, ret: Option<Ty>) -> String {
        match ret {
            Some(t) => format!("fun {name}({params}): {} {{", t.name()),
            None => format!("fun {name}({params}) {{"),
        }
    }

    /// An ordinary function: calls only functions declared before it.
    fn function(&mut self) {
        let name = self.fresh("f");
        let ret = if self.rng.chance(self.data_pct() / 2) {
            Some(self.data_type())
        } else {
            self.ret_type()
        };
        let ret_bound = match ret {
            Some(Ty::List(_)) => PARAM_LIST,
            _ => RET_BOUND,
        };
        let (params, ptext) = self.param_list(false);
        let ptys: Vec<Ty> = params.iter().map(|v| v.ty).collect();
        self.line("");
        self.line(&Self::header(&name, &ptext, ret));
        let saved = self.enter_body(params, ret, ret_bound);
        self.indent += 1;
        let n = self.rng.range(2, 7);
        for _ in 0..n {
            if !self.affordable(Cost { work: 8, out: 0 }) {
                break;
            }
            self.stmt();
        }
        if ret.is_some() || self.rng.chance(30) {
            let r = self.return_value();
            self.line(&r);
        }
        self.indent -= 1;
        self.line("}");
        let cost = self.leave_body(saved);
        self.funcs.push(Func {
            name,
            params: ptys,
            ret,
            ret_bound,
            cost,
            depth: None,
        });
    }

    /// One recursive function, or a pair of mutually recursive ones, with a depth parameter.
    fn recursive(&mut self, mutual: bool) {
        let depth = self.rng.range(1, 10);
        let ret = self.ret_type();
        let names: Vec<String> = if mutual {
            vec![self.fresh("m"), self.fresh("m")]
        } else {
            vec![self.fresh("r")]
        };
        // Strings: the base case returns at most BASE bytes and every level adds at most STEP.
        const BASE: usize = 40;
        const STEP: usize = 10;
        let full = BASE + STEP * depth as usize;
        let extra: Vec<Ty> = (0..self.rng.range(0, 2))
            .map(|_| *self.rng.pick(&TYS))
            .collect();
        let mut per_call = Cost::default();
        for (k, name) in names.iter().enumerate() {
            let target = &names[(k + 1) % names.len()];
            let n = self.fresh("n");
            let mut params = vec![self.param(n.clone(), Ty::Int)];
            let mut ptext = vec![format!("{n}: int")];
            for &t in &extra {
                let p = self.fresh("p");
                ptext.push(format!("{p}: {}", t.name()));
                params.push(self.param(p, t));
            }
            self.line("");
            self.line(&Self::header(name, &ptext.join(", "), ret));
            let saved = self.enter_body(params, ret, BASE);
            self.indent += 1;
            self.some_stmts(0, 2);
            // base case
            let cmp = self
                .rng
                .pick(&[format!("{n} <= 0"), format!("{n} < 1"), format!("0 >= {n}")])
                .clone();
            self.line(&format!("if {cmp} {{"));
            self.indent += 1;
            self.scopes.push(vec![]);
            self.some_stmts(0, 2);
            self.scopes.pop();
            let r = self.return_value();
            self.line(&r);
            self.indent -= 1;
            self.line("}");
            self.some_stmts(0, 2);
            // the recursive call: executed once per activation
            let step = if self.rng.chance(80) { 1 } else { 2 };
            let mut args = vec![format!("{n} - {step}")];
            for &t in &extra {
                let d = self.depth();
                args.push(self.sink(t, d.min(2), PARAM_BOUND).0);
            }
            let call = format!("{target}({})", args.join(", "));
            match ret {
                None => self.line(&call),
                Some(t) => {
                    let x = self.fresh("v");
                    self.line(&format!("let {x}: {} = {call}", t.name()));
                    self.scopes.last_mut().unwrap().push(Var {
                        name: x.clone(),
                        ty: t,
                        mutable: false,
                        kind: Kind::Plain,
                        bound: full,
                        decl_mult: 1,
                        owner: self.owner,
                        used: 0,
                    });
                    self.some_stmts(0, 2);
                    let d = self.depth();
                    let e = match t {
                        Ty::Str => {
                            let (s, _) = self.str_expr(d.min(2), STEP);
                            if self.rng.chance(50) {
                                format!("{x} + {s}")
                            } else {
                                format!("{s} + {x}")
                            }
                        }
                        Ty::Int => match self.rng.below(4) {
                            0 => format!("{x} + {}", self.int_expr(d)),
                            1 => format!("{x} * 2 - {}", self.int_expr(d.min(2))),
                            2 => format!("({x} * 31 + {}) % 1000003", self.int_expr(d)),
                            _ => self.int_expr(d),
                        },
                        Ty::Float => format!("{x} * 0.5 + {}", self.sink(Ty::Float, d, 0).0),
                        Ty::Bool => match self.rng.below(3) {
                            0 => format!("!{x}"),
                            1 => format!("{x} != {}", self.bool_expr(d)),
                            _ => format!("{x} && {}", self.bool_expr(d)),
                        },
                        _ => unreachable!("recursive functions return scalars"),
                    };
                    self.line(&format!("return {e}"));
                }
            }
            self.indent -= 1;
            self.line("}");
            let c = self.leave_body(saved);
            per_call.work = per_call.work.max(c.work);
            per_call.out = per_call.out.max(c.out);
        }
        let total = Cost {
            work: per_call.work * (depth as u64 + 1),
            out: per_call.out * (depth as u64 + 1),
        };
        let mut ptys = vec![Ty::Int];
        ptys.extend(extra);
        for name in names {
            self.funcs.push(Func {
                name,
                params: ptys.clone(),
                ret,
                ret_bound: full,
                cost: total,
                depth: Some(depth),
            });
        }
    }

    fn some_stmts(&mut self, lo: i64, hi: i64) {
        let n = self.rng.range(lo, hi);
        for _ in 0..n {
            if !self.affordable(Cost { work: 8, out: 0 }) {
                break;
            }
            self.stmt();
        }
    }

    /// A linear recursion deep enough to approach or exceed the call depth limit.
    fn deep_recursion(&mut self) {
        let name = self.fresh("d");
        let n = *self
            .rng
            .pick(&[1000, 20_000, 99_998, 99_999, 100_000, 100_001, 300_000]);
        // The call stops at the depth limit (100 000 frames) at the latest.
        let cost = Cost {
            work: 3 * n.min(100_001) as u64,
            out: 200,
        };
        if !self.affordable(cost) {
            return;
        }
        self.charge(cost);
        let x = self.fresh("v");
        let s = self.fresh("v");
        self.line("");
        self.line(&format!("fun {name}(k: int, acc: float): int {{"));
        self.line("  if k <= 0 {");
        self.line("    return 0");
        self.line("  }");
        // Variants: a string op (interpreter-only: native code side-exits there) before or
        // after the recursive call, and an occasional print.
        let variant = self.rng.below(4);
        if variant == 1 {
            self.line(&format!("  let {s} = \"k\" + k"));
        }
        if variant == 3 {
            self.line("  if k % 25000 == 0 {");
            self.line("    print(\"depth\", k, acc)");
            self.line("  }");
        }
        self.line(&format!("  let {x} = {name}(k - 1, acc + 0.5)"));
        if variant == 2 {
            self.line(&format!("  let {s} = \"k\" + {x}"));
        }
        self.line(&format!("  return {x} + 1"));
        self.line("}");
        self.line(&format!("print({name}({n}, 0.0))"));
    }

    // ---------------- program ----------------

    fn generate(&mut self, seed: u64) {
        let _ = writeln!(self.src, "// differential test program, seed {seed}");
        self.struct_decls();
        let sections = self.rng.range(8, 20);
        let mut recursions = 0;
        for _ in 0..sections {
            let w = [
                3,                                                // globals
                if self.funcs.len() < MAX_FUNCS { 5 } else { 0 }, // function
                if recursions < 2 { 2 } else { 0 },               // recursion
                if recursions < 2 { 1 } else { 0 },               // mutual recursion
                5,                                                // main statements
                3,                                                // hot loop in main
                if self.rng.chance(8) { 1 } else { 0 },           // deep recursion
                if self.funcs.len() < MAX_FUNCS + 3 {
                    2
                } else {
                    0
                }, // higher-order
            ];
            match self.rng.weighted(&w) {
                0 => {
                    for _ in 0..self.rng.range(1, 3) {
                        self.charge(Cost { work: 1, out: 0 });
                        self.decl_stmt();
                    }
                }
                1 => self.function(),
                2 => {
                    recursions += 1;
                    self.recursive(false);
                }
                3 => {
                    recursions += 1;
                    self.recursive(true);
                }
                4 => {
                    self.line("");
                    self.some_stmts(1, 4);
                }
                5 => {
                    self.line("");
                    if self.work_left() >= 40 {
                        self.hot_loop();
                    }
                }
                6 => self.deep_recursion(),
                _ => self.higher_order(),
            }
        }
        // Finally show the globals.
        let gs: Vec<String> = self
            .globals
            .iter()
            .filter(|v| self.printable(v.ty) && self.print_len(v.ty, v.bound) <= ACC_BOUND)
            .map(|v| v.name.clone())
            .collect();
        if !gs.is_empty() {
            self.line("");
            for chunk in gs.chunks(4) {
                self.line(&format!("print({})", chunk.join(", ")));
            }
        }
    }
}
