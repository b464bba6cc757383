//! Lists, maps, string operations, structs with methods, closures and short-lived garbage
//! for the generator (`Gen::data` weights them per program; 0 leaves them out).
//!
//! Bounds: a list variable's `bound` is the most elements it can hold (only the body that
//! declared it changes its length: appends and reassignments are charged to `Var::used`,
//! scaled by the trips of the loops around them, like string accumulators); map keys come
//! from small fixed sets (`MAP_MAX` keys at most); string elements, struct string fields and
//! inner lists have fixed bounds. Indexing is guarded (`if len(xs) > 0`, index reduced
//! modulo the length; a negative remainder counts from the end and is in range too), except
//! for the deliberate out-of-range accesses made when the program's `risk` allows.
//! Closures are `fun(int): int`; their bodies make no calls of named functions, so calling
//! one costs at most `FN_CALL` (compositions nest at most `depth()` levels).

use super::*;

/// Bound of a string held in a list or map (bytes).
pub(super) const ELEM_STR: usize = 16;
/// Bound of an inner list of `list<list<int>>`.
pub(super) const INNER: usize = 8;
/// Capacity of a mutable list variable.
const LIST_CAP: usize = 24;
/// Most keys of a map (keys come from `STR_KEYS`, `"k" + (e % 4)`, or `e % 10`).
const MAP_MAX: usize = 20;
/// Bound of a struct string field and of a struct list field.
const FIELD_STR: usize = 24;
const FIELD_LIST: usize = 8;
/// Work of one closure call.
const FN_CALL: u64 = 32;

const STR_KEYS: &[&str] = &[
    "\"a\"",
    "\"b\"",
    "\"c\"",
    "\"k\"",
    "\"é\"",
    "\"日本\"",
    "\"🙂\"",
    "\"zz\"",
];

#[derive(Clone, Debug)]
pub(super) struct StructDef {
    pub fields: Vec<(&'static str, Ty)>,
    pub methods: Vec<Method>,
}

#[derive(Clone, Debug)]
pub(super) struct Method {
    pub name: &'static str,
    pub params: Vec<Ty>,
    pub ret: Option<Ty>,
    pub ret_bound: usize,
}

impl Elem {
    pub(super) fn ty(self) -> Ty {
        match self {
            Elem::Int => Ty::Int,
            Elem::Float => Ty::Float,
            Elem::Bool => Ty::Bool,
            Elem::Str => Ty::Str,
            Elem::ListInt => Ty::List(Elem::Int),
            Elem::Fn => Ty::Fn,
            Elem::Struct(k) => Ty::Struct(k),
        }
    }

    /// The `bound` of an element.
    fn bound(self) -> usize {
        match self {
            Elem::Str => ELEM_STR,
            Elem::ListInt => INNER,
            _ => 0,
        }
    }
}

impl Gen {
    pub(super) fn data_pct(&self) -> u64 {
        self.data
    }

    /// Is there a variable `*_from_data` can use?
    pub(super) fn has_data(&self) -> bool {
        self.data > 0
            && self
                .visible()
                .iter()
                .any(|v| !matches!(v.ty, Ty::Int | Ty::Float | Ty::Bool))
    }

    pub(super) fn printable(&self, t: Ty) -> bool {
        !matches!(t, Ty::Fn | Ty::List(Elem::Fn))
    }

    /// Longest text of a value of type `t` (with `bound`) printed at the top level (also a
    /// bound of `str(value)`).
    pub(super) fn print_len(&self, t: Ty, bound: usize) -> usize {
        match t {
            Ty::Int | Ty::Float | Ty::Bool => t.text_len(),
            Ty::Str => bound,
            Ty::List(e) => 2 + bound * (self.nested_len(e.ty(), e.bound()) + 2),
            Ty::Map(MapTy::StrInt) => 2 + MAP_MAX * (26 + 4 + 20),
            Ty::Map(MapTy::IntStr) => 2 + MAP_MAX * (3 + 4 + 4 * ELEM_STR + 2),
            Ty::Struct(k) => self.struct_len(k),
            Ty::Fn => 1000,
        }
    }

    /// Inside a list or map: floats never use exponents (`1e300` has 300 digits), strings
    /// are quoted (the escapes of our literals take 2 bytes per byte).
    fn nested_len(&self, t: Ty, bound: usize) -> usize {
        match t {
            Ty::Float => 330,
            Ty::Str => 2 * bound + 2,
            _ => self.print_len(t, bound),
        }
    }

    fn struct_len(&self, k: usize) -> usize {
        let mut n = 24;
        for &(f, t) in &self.structs[k].fields {
            n += f.len() + 6 + self.nested_len(t, field_bound(t));
        }
        n
    }

    /// A type for a new variable, parameter or result.
    pub(super) fn data_type(&mut self) -> Ty {
        let ns = self.structs.len();
        let w = [
            5,
            2,
            1,
            1,
            1,
            2,
            2,
            if ns > 0 { 4 } else { 0 },
            3,
            1,
            if ns > 0 { 1 } else { 0 },
        ];
        match self.rng.weighted(&w) {
            0 => Ty::List(Elem::Int),
            1 => Ty::List(Elem::Str),
            2 => Ty::List(Elem::Float),
            3 => Ty::List(Elem::Bool),
            4 => Ty::List(Elem::ListInt),
            5 => Ty::Map(MapTy::StrInt),
            6 => Ty::Map(MapTy::IntStr),
            7 => Ty::Struct(self.rng.below(ns as u64) as usize),
            8 => Ty::Fn,
            9 => Ty::List(Elem::Fn),
            _ => Ty::List(Elem::Struct(self.rng.below(ns as u64) as usize)),
        }
    }

    fn vars_where(&self, f: impl Fn(&Var) -> bool) -> Vec<Var> {
        self.visible().into_iter().filter(|v| f(v)).collect()
    }

    fn pick_where(&mut self, f: impl Fn(&Var) -> bool) -> Option<Var> {
        let vs = self.vars_where(f);
        if vs.is_empty() {
            None
        } else {
            Some(self.rng.pick(&vs).clone())
        }
    }

    fn new_var(&self, name: String, ty: Ty, mutable: bool, bound: usize) -> Var {
        Var {
            name,
            ty,
            mutable,
            kind: Kind::Plain,
            bound,
            decl_mult: self.mult,
            owner: self.owner,
            used: 0,
        }
    }

    // ---------------- expressions ----------------

    /// An expression of a non-scalar type (lists: at most `max` elements, `max >= 1`).
    pub(super) fn data_expr(&mut self, t: Ty, d: u32, max: usize) -> (String, usize) {
        match t {
            Ty::List(e) => self.list_expr(e, d, max.max(1)),
            Ty::Map(m) => (self.map_expr(m, d), MAP_MAX),
            Ty::Struct(k) => (self.struct_expr(k, d), 0),
            Ty::Fn => (self.fn_expr(d), 0),
            _ => unreachable!(),
        }
    }

    fn elem_expr(&mut self, e: Elem, d: u32) -> String {
        match e {
            Elem::Int => self.int_expr(d),
            Elem::Float => self.float_expr(d),
            Elem::Bool => self.bool_expr(d),
            Elem::Str => self.str_expr(d, ELEM_STR).0,
            Elem::ListInt => self.list_expr(Elem::Int, d, INNER).0,
            Elem::Fn => self.fn_expr(d),
            Elem::Struct(k) => self.struct_expr(k, d),
        }
    }

    fn list_lit(&mut self, e: Elem, d: u32, max: usize) -> (String, usize) {
        let n = self.rng.range(1, max.min(5) as i64) as usize;
        let items: Vec<String> = (0..n)
            .map(|_| self.elem_expr(e, d.saturating_sub(1)))
            .collect();
        (format!("[{}]", items.join(", ")), n)
    }

    fn list_expr(&mut self, e: Elem, d: u32, max: usize) -> (String, usize) {
        let t = Ty::List(e);
        let calls = if d > 0 {
            self.callable(Some(t), max)
        } else {
            vec![]
        };
        let var = self.pick_where(|v| v.ty == t && v.bound <= max);
        let src = self.pick_where(|v| v.ty == t);
        let keys = match e {
            Elem::Str => Some((MapTy::StrInt, "keys")),
            Elem::Int => Some((MapTy::StrInt, "values")),
            _ => None,
        };
        let map = match keys {
            Some((m, _)) if max >= MAP_MAX => self.pick_where(|v| v.ty == Ty::Map(m)),
            _ => None,
        };
        let w = [
            4,
            if var.is_some() { 4 } else { 0 },
            if d > 0 && max >= 2 { 2 } else { 0 },
            if var.is_some() { 2 } else { 0 },
            if calls.is_empty() { 0 } else { 2 },
            if map.is_some() { 1 } else { 0 },
            if src.is_some() && d > 0 { 1 } else { 0 },
            if src.is_some() && e == Elem::Int && d > 0 {
                4
            } else {
                0
            },
        ];
        match self.rng.weighted(&w) {
            0 => self.list_lit(e, d, max),
            1 => {
                let v = var.unwrap();
                (v.name, v.bound)
            }
            2 => {
                let (l, b) = self.list_expr(e, d - 1, max - 1);
                let x = self.elem_expr(e, d - 1);
                (format!("append({l}, {x})"), b + 1)
            }
            3 => {
                let v = var.unwrap();
                (format!("{}[{}]", v.name, self.slice_bounds(d)), v.bound)
            }
            4 => {
                let f = self.rng.pick(&calls).clone();
                let b = f.ret_bound;
                (self.call(&f, d - 1), b)
            }
            5 => {
                let m = map.unwrap();
                (format!("{}({})", keys.unwrap().1, m.name), MAP_MAX)
            }
            7 => {
                // A query over an int list: from/where/sort/skip/take/select (distinct).
                // Over a longer list the query takes at most `max` elements.
                let v = src.unwrap();
                let q = self.fresh("q");
                let c = self.rng.range(-5, 6);
                let filter = match self.rng.below(4) {
                    0 => format!(" where {q} % 2 == 0"),
                    1 => format!(" where {q} > {c}"),
                    _ => String::new(),
                };
                let sort = match self.rng.below(5) {
                    0 => format!(" sort by {q}"),
                    1 => format!(" sort by -{q}"),
                    2 => format!(" sort by [{q} % 3, {q}]"),
                    _ => String::new(),
                };
                let (a, b) = (self.rng.range(0, 4), self.rng.range(0, 6));
                let b = if v.bound > max { b.min(max as i64) } else { b };
                let window = match self.rng.below(4) {
                    _ if v.bound > max => format!(" skip {a} take {b}"),
                    0 => format!(" skip {a}"),
                    1 => format!(" take {b}"),
                    2 => format!(" skip {a} take {b}"),
                    _ => String::new(),
                };
                let distinct = if self.rng.chance(20) { "distinct " } else { "" };
                let k = self.rng.range(1, 4);
                let sel = match self.rng.below(3) {
                    0 => q.clone(),
                    1 => format!("{q} * {k} + {c}"),
                    _ => format!("{q} % 5"),
                };
                (
                    format!(
                        "(from {q} in {}{filter}{sort}{window} select {distinct}{sel})",
                        v.name
                    ),
                    v.bound.min(max),
                )
            }
            _ => {
                // A slice of a longer list, cut to at most `max` elements.
                let v = src.unwrap();
                let a = self.rng.range(0, 3);
                let k = self.rng.range(0, max as i64);
                (format!("{}[{a}:{}]", v.name, a + k), max)
            }
        }
    }

    /// `a:b`, `a:`, `:b` with constant or computed bounds (slices clamp).
    fn slice_bounds(&mut self, d: u32) -> String {
        match self.rng.below(4) {
            0 => format!("{}:", self.slice_bound(d)),
            1 => format!(":{}", self.slice_bound(d)),
            _ => {
                let x = self.slice_bound(d);
                format!("{x}:{}", self.slice_bound(d))
            }
        }
    }

    fn slice_bound(&mut self, d: u32) -> String {
        if self.rng.chance(60) {
            let v = self.rng.range(-3, 6);
            if v < 0 {
                format!("(-{})", -v)
            } else {
                v.to_string()
            }
        } else {
            format!("({} % 8)", self.int_expr(d.min(2).saturating_sub(1)))
        }
    }

    fn str_key(&mut self, d: u32) -> String {
        if self.rng.chance(75) {
            self.rng.pick(STR_KEYS).to_string()
        } else {
            format!("(\"k\" + ({} % 4))", self.int_expr(d.min(2)))
        }
    }

    fn int_key(&mut self, d: u32) -> String {
        if self.rng.chance(70) {
            let v = self.rng.range(-3, 9);
            if v < 0 {
                format!("(-{})", -v)
            } else {
                v.to_string()
            }
        } else {
            format!("({} % 10)", self.int_expr(d.min(2)))
        }
    }

    /// A key of map type `m` whose evaluation is cheap and pure (used twice when guarded).
    fn pure_key(&mut self, m: MapTy) -> String {
        match m {
            MapTy::StrInt => {
                if let (true, Some(v)) = (
                    self.rng.chance(30),
                    self.pick_where(|v| v.ty == Ty::Str && v.bound <= 8),
                ) {
                    return v.name;
                }
                self.rng.pick(STR_KEYS).to_string()
            }
            MapTy::IntStr => {
                if let (true, Some(v)) = (self.rng.chance(40), self.pick_where(|v| v.ty == Ty::Int))
                {
                    return v.name;
                }
                self.rng.range(0, 9).to_string()
            }
        }
    }

    /// An int variable or a small literal (cheap to evaluate more than once).
    fn pure_int(&mut self) -> String {
        if let (true, Some(v)) = (self.rng.chance(60), self.pick_where(|v| v.ty == Ty::Int)) {
            return v.name;
        }
        self.rng.range(0, 9).to_string()
    }

    fn map_lit(&mut self, m: MapTy, d: u32) -> String {
        let n = self.rng.range(1, 3);
        let mut items = Vec::new();
        let mut used = Vec::new();
        for _ in 0..n {
            let k = match m {
                MapTy::StrInt => self.rng.pick(STR_KEYS).to_string(),
                MapTy::IntStr => self.rng.range(0, 9).to_string(),
            };
            if used.contains(&k) {
                continue;
            }
            used.push(k.clone());
            let v = match m {
                MapTy::StrInt => self.int_expr(d.saturating_sub(1)),
                MapTy::IntStr => self.str_expr(d.saturating_sub(1), ELEM_STR).0,
            };
            items.push(format!("{k}: {v}"));
        }
        format!("{{{}}}", items.join(", "))
    }

    fn map_expr(&mut self, m: MapTy, d: u32) -> String {
        self.lit_var_or_call(Ty::Map(m), d, |g| g.map_lit(m, d))
    }

    /// A value of type `t`: a literal (`lit`), a variable of that type, or a call returning it.
    fn lit_var_or_call(&mut self, t: Ty, d: u32, lit: impl FnOnce(&mut Self) -> String) -> String {
        let calls = if d > 0 {
            self.callable(Some(t), 0)
        } else {
            vec![]
        };
        let var = self.pick_where(|v| v.ty == t);
        let w = [
            3,
            if var.is_some() { 4 } else { 0 },
            if calls.is_empty() { 0 } else { 1 },
        ];
        match self.rng.weighted(&w) {
            0 => lit(self),
            1 => var.unwrap().name,
            _ => {
                let f = self.rng.pick(&calls).clone();
                self.call(&f, d.saturating_sub(1))
            }
        }
    }

    fn field_expr(&mut self, t: Ty, d: u32) -> String {
        match t {
            Ty::Str => self.str_expr(d, FIELD_STR).0,
            Ty::List(Elem::Int) => self.list_expr(Elem::Int, d, FIELD_LIST).0,
            _ => self.expr(t, d, 0).0,
        }
    }

    fn struct_lit(&mut self, k: usize, d: u32) -> String {
        let fields = self.structs[k].fields.clone();
        let items: Vec<String> = fields
            .iter()
            .map(|&(f, t)| format!("{f}: {}", self.field_expr(t, d.saturating_sub(1))))
            .collect();
        format!("R{k} {{ {} }}", items.join(", "))
    }

    fn struct_expr(&mut self, k: usize, d: u32) -> String {
        self.lit_var_or_call(Ty::Struct(k), d, |g| g.struct_lit(k, d))
    }

    /// `fun(x: int): int => body`: the body sees `x`, the enclosing variables (captured) and
    /// makes no calls of named functions or closures.
    fn lambda(&mut self, d: u32, extra: &str) -> String {
        let x = self.fresh("a");
        self.scopes
            .push(vec![self.new_var(x.clone(), Ty::Int, false, 0)]);
        let saved = self.no_calls;
        self.no_calls = true;
        let mut body = self.int_expr(d.clamp(1, 3));
        if self.rng.chance(60) {
            let op = *self.rng.pick(&["+", "-", "*"]);
            body = format!("{x} {op} {body}");
        }
        self.no_calls = saved;
        self.scopes.pop();
        let body = if extra.is_empty() {
            body
        } else {
            format!("{body} + {extra}")
        };
        if self.rng.chance(25) {
            format!("fun({x}: int): int {{ return {body} }}")
        } else {
            format!("fun({x}: int): int => {body}")
        }
    }

    fn fn_expr(&mut self, d: u32) -> String {
        if self.fresh_fns {
            return self.lambda(d, "");
        }
        let calls = if d > 0 {
            self.callable(Some(Ty::Fn), 0)
        } else {
            vec![]
        };
        let var = self.pick_where(|v| v.ty == Ty::Fn);
        let w = [
            4,
            if var.is_some() { 4 } else { 0 },
            if calls.is_empty() { 0 } else { 2 },
        ];
        match self.rng.weighted(&w) {
            0 => self.lambda(d, ""),
            1 => var.unwrap().name,
            _ => {
                let f = self.rng.pick(&calls).clone();
                self.fresh_fns = f.params.contains(&Ty::Fn);
                let c = self.call(&f, d - 1);
                self.fresh_fns = false;
                c
            }
        }
    }

    /// `(if len(v) > 0 then v[(i) % len(v)] else dflt)`, or (risk) an unguarded index that
    /// may be out of range.
    fn guarded_index(&mut self, v: &str, d: u32, dflt: &str, suffix: &str) -> String {
        let i = self.int_expr(d.min(2));
        if self.rng.chance(self.risk / 2) {
            return match self.rng.below(3) {
                0 => format!("{v}[len({v})]{suffix}"),
                1 => format!("{v}[{i} % 7]{suffix}"),
                _ => format!("{v}[(-len({v}) - 1)]{suffix}"),
            };
        }
        format!("(if len({v}) > 0 then {v}[({i}) % len({v})]{suffix} else {dflt})")
    }

    fn call_fn_value(&mut self, callee: &str, d: u32) -> String {
        self.charge(Cost {
            work: FN_CALL,
            out: 0,
        });
        format!("{callee}({})", self.int_expr(d.min(2)))
    }

    fn method_call(&mut self, obj: &str, _k: usize, m: &Method, d: u32) -> String {
        self.charge(Cost { work: 6, out: 0 });
        let args: Vec<String> = m
            .params
            .iter()
            .map(|&t| self.expr(t, d.min(2), 0).0)
            .collect();
        format!("{obj}.{}({})", m.name, args.join(", "))
    }

    pub(super) fn int_from_data(&mut self, d: u32) -> Option<String> {
        let vs: Vec<Var> = self.vars_where(|v| !matches!(v.ty, Ty::Int | Ty::Float | Ty::Bool));
        if vs.is_empty() {
            return None;
        }
        let v = self.rng.pick(&vs).clone();
        let n = v.name.clone();
        let calls_ok = !self.no_calls;
        Some(match v.ty {
            Ty::Str => match self.rng.below(3) {
                0 => {
                    let t = self.str_expr(d, 8).0;
                    format!("indexOf({n}, {t})")
                }
                _ => format!("len({n})"),
            },
            Ty::List(Elem::Int) => match self.rng.below(6) {
                0 => format!("len({n})"),
                1 => format!("sum({n})"),
                2 => format!("(if len({n}) > 0 then min({n}) else 0)"),
                3 => format!("(if len({n}) > 0 then max({n}) else 0)"),
                _ => self.guarded_index(&n, d, "0", ""),
            },
            Ty::List(Elem::ListInt) if self.rng.chance(50) => {
                let g = self.guarded_index(&n, d, "[0]", "");
                format!("len({g})")
            }
            Ty::List(Elem::Fn) if calls_ok && self.rng.chance(60) => {
                let i = self.int_expr(d.min(2));
                let a = self.int_expr(d.min(2));
                self.charge(Cost {
                    work: FN_CALL,
                    out: 0,
                });
                format!("(if len({n}) > 0 then {n}[({i}) % len({n})]({a}) else 0)")
            }
            Ty::List(Elem::Struct(_)) if self.rng.chance(60) => {
                self.guarded_index(&n, d, "0", ".a")
            }
            Ty::List(_) | Ty::Map(_) => {
                if v.ty == Ty::Map(MapTy::StrInt) && self.rng.chance(60) {
                    let k = self.pure_key(MapTy::StrInt);
                    format!("(if {k} in {n} then {n}[{k}] else 0)")
                } else {
                    format!("len({n})")
                }
            }
            Ty::Struct(k) => {
                let ms: Vec<Method> = self.structs[k]
                    .methods
                    .iter()
                    .filter(|m| m.ret == Some(Ty::Int))
                    .cloned()
                    .collect();
                if calls_ok && !ms.is_empty() && self.rng.chance(40) {
                    let m = self.rng.pick(&ms).clone();
                    self.method_call(&n, k, &m, d)
                } else if self.structs[k].fields.iter().any(|f| f.0 == "e") && self.rng.chance(30) {
                    format!("len({n}.e)")
                } else {
                    format!("{n}.a")
                }
            }
            Ty::Fn if calls_ok => self.call_fn_value(&n, d),
            _ => return None,
        })
    }

    pub(super) fn float_from_data(&mut self, d: u32) -> Option<String> {
        let vs = self.vars_where(|v| match v.ty {
            Ty::List(Elem::Float) => true,
            Ty::Struct(k) => self.structs[k].fields.iter().any(|f| f.1 == Ty::Float),
            _ => false,
        });
        if vs.is_empty() {
            return None;
        }
        let v = self.rng.pick(&vs).clone();
        Some(match v.ty {
            Ty::Struct(_) => format!("{}.b", v.name),
            _ => self.guarded_index(&v.name, d, "0.0", ""),
        })
    }

    pub(super) fn bool_from_data(&mut self, d: u32) -> Option<String> {
        let vs: Vec<Var> = self.vars_where(|v| {
            !matches!(
                v.ty,
                Ty::Int | Ty::Float | Ty::Bool | Ty::Fn | Ty::List(Elem::Fn)
            )
        });
        if vs.is_empty() {
            return None;
        }
        let v = self.rng.pick(&vs).clone();
        let n = v.name.clone();
        Some(match v.ty {
            Ty::Str => {
                let t = self.str_expr(d, 8).0;
                if self.rng.chance(50) {
                    format!("contains({n}, {t})")
                } else {
                    format!("({t} in {n})")
                }
            }
            Ty::List(Elem::Int) if self.rng.chance(70) => format!("({} in {n})", self.int_expr(d)),
            Ty::List(Elem::Str) if self.rng.chance(70) => {
                format!("({} in {n})", self.str_expr(d, ELEM_STR).0)
            }
            Ty::List(Elem::Bool) if self.rng.chance(50) => self.guarded_index(&n, d, "false", ""),
            Ty::Map(m) if self.rng.chance(70) => {
                let k = match m {
                    MapTy::StrInt => self.str_key(d),
                    MapTy::IntStr => self.int_key(d),
                };
                format!("({k} in {n})")
            }
            Ty::Struct(k)
                if self.structs[k].fields.iter().any(|f| f.0 == "d") && self.rng.chance(40) =>
            {
                format!("{n}.d")
            }
            t => {
                // structural equality with another value of the type
                let (o, _) = self.expr(t, d.min(2), v.bound.max(1));
                let op = *self.rng.pick(&["==", "!="]);
                format!("({n} {op} {o})")
            }
        })
    }

    pub(super) fn str_from_data(&mut self, d: u32, max: usize) -> Option<(String, usize)> {
        let vs: Vec<Var> = self.vars_where(|v| {
            if v.ty == Ty::Str {
                return true;
            }
            match v.ty {
                Ty::Fn | Ty::List(Elem::Fn) => false,
                t => self.print_len(t, v.bound) <= max,
            }
        });
        if vs.is_empty() {
            return None;
        }
        let v = self.rng.pick(&vs).clone();
        let n = v.name.clone();
        Some(match v.ty {
            Ty::Str => match self.rng.below(7) {
                _ if v.bound > max => (self.guarded_index(&n, d, "\"\"", ""), 4),
                0 => (format!("upper({n})"), v.bound),
                1 => (format!("lower({n})"), v.bound),
                2 => {
                    let (a, b) = *self.rng.pick(&[
                        ("0", "len({n}) / 2"),
                        ("len({n}) / 3", "len({n})"),
                        ("0", "len({n}) - len({n}) / 2"),
                        ("len({n}) / 2", "len({n}) / 2 + len({n}) / 4"),
                    ]);
                    let (a, b) = (a.replace("{n}", &n), b.replace("{n}", &n));
                    (format!("substring({n}, {a}, {b})"), v.bound)
                }
                3 => (format!("{n}[{}]", self.slice_bounds(d)), v.bound),
                _ => (self.guarded_index(&n, d, "\"\"", ""), 4),
            },
            Ty::List(Elem::Str) if self.rng.chance(50) && max >= ELEM_STR => {
                (self.guarded_index(&n, d, "\"\"", ""), ELEM_STR)
            }
            Ty::Map(MapTy::IntStr) if self.rng.chance(50) && max >= ELEM_STR => {
                let k = self.pure_key(MapTy::IntStr);
                (format!("(if {k} in {n} then {n}[{k}] else \"\")"), ELEM_STR)
            }
            Ty::Struct(k) if max >= FIELD_STR + 20 && self.rng.chance(50) => {
                let ms: Vec<Method> = self.structs[k]
                    .methods
                    .iter()
                    .filter(|m| m.ret == Some(Ty::Str))
                    .cloned()
                    .collect();
                if !self.no_calls && !ms.is_empty() && self.rng.chance(50) {
                    let m = self.rng.pick(&ms).clone();
                    (self.method_call(&n, k, &m, d), m.ret_bound)
                } else if self.structs[k].fields.iter().any(|f| f.0 == "c") {
                    (format!("{n}.c"), FIELD_STR)
                } else {
                    (format!("str({n}.a)"), 20)
                }
            }
            t => (format!("str({n})"), self.print_len(t, v.bound)),
        })
    }

    // ---------------- declarations and assignments ----------------

    /// Declare a variable of a non-scalar type.
    pub(super) fn data_decl(&mut self) {
        let t = self.data_type();
        let name = self.fresh("v");
        let mutable = self.rng.chance(70);
        let kw = if mutable { "var" } else { "let" };
        let d = self.depth();
        let cap = if mutable { LIST_CAP } else { PARAM_LIST };
        let annotated = self.rng.chance(50)
            || matches!(t, Ty::Fn | Ty::List(Elem::Fn) | Ty::List(Elem::Struct(_)));
        let (text, len) = match self.rng.below(8) {
            // zero value (not for structs, and a function's zero value is nil)
            0 if mutable && !matches!(t, Ty::Struct(_) | Ty::Fn) => {
                (format!("var {name}: {}", t.name()), 0)
            }
            1 if mutable && matches!(t, Ty::List(_) | Ty::Map(_)) => {
                let z = if matches!(t, Ty::List(_)) { "[]" } else { "{}" };
                (format!("var {name}: {} = {z}", t.name()), 0)
            }
            _ => {
                let (e, b) = self.expr(t, d, cap / 2);
                if annotated {
                    (format!("{kw} {name}: {} = {e}", t.name()), b)
                } else {
                    (format!("{kw} {name} = {e}",), b)
                }
            }
        };
        self.line(&text);
        let bound = if mutable { LIST_CAP } else { len };
        let mut v = self.new_var(name, t, mutable, bound);
        v.used = len;
        self.declare(v);
    }

    /// An assignment to `v` (mutable, not a scalar).
    pub(super) fn data_assign(&mut self, v: &Var) {
        let n = v.name.clone();
        let d = self.depth();
        match v.ty {
            Ty::List(e) => {
                let times = (self.mult / v.decl_mult.max(1)).max(1) as usize;
                let own = v.owner == self.owner;
                let room = v.bound.saturating_sub(v.used);
                if own && room >= times && self.rng.chance(60) {
                    let x = self.elem_expr(e, d);
                    self.find_var_mut(&n).used += times;
                    self.line(&format!("{n} = append({n}, {x})"));
                } else if own && room >= 2 && self.rng.chance(30) {
                    let (x, b) = self.expr(v.ty, d, room / 2);
                    self.find_var_mut(&n).used += b;
                    self.line(&format!("{n} = {x}"));
                } else {
                    self.index_write(v);
                }
            }
            Ty::Map(m) => {
                if self.rng.chance(85) {
                    let (k, x) = match m {
                        MapTy::StrInt => (self.str_key(d), self.int_expr(d)),
                        MapTy::IntStr => (self.int_key(d), self.str_expr(d, ELEM_STR).0),
                    };
                    self.line(&format!("{n}[{k}] = {x}"));
                } else {
                    let x = self.map_expr(m, d);
                    self.line(&format!("{n} = {x}"));
                }
            }
            Ty::Struct(k) => {
                let fields = self.structs[k].fields.clone();
                if self.rng.chance(80) {
                    let &(f, t) = self.rng.pick(&fields);
                    let x = self.field_expr(t, d);
                    self.line(&format!("{n}.{f} = {x}"));
                } else {
                    let x = self.struct_expr(k, d);
                    self.line(&format!("{n} = {x}"));
                }
            }
            Ty::Fn => {
                let x = self.fn_expr(d);
                self.line(&format!("{n} = {x}"));
            }
            _ => unreachable!(),
        }
    }

    /// `xs[i] = e` (also `xs[i].a = e`, `xs[i][j] = e`), guarded by the length, through any
    /// binding of the list (a `let`, a parameter: lists are shared references).
    fn index_write(&mut self, v: &Var) {
        let Ty::List(e) = v.ty else { unreachable!() };
        let n = v.name.clone();
        let d = self.depth();
        let i = self.int_expr(d.min(2));
        let (place, x) = match e {
            Elem::Struct(_) if self.rng.chance(60) => {
                (format!("{n}[({i}) % len({n})].a"), self.int_expr(d))
            }
            Elem::ListInt if self.rng.chance(50) => {
                // xs[i][j] = v, with j guarded by the inner length
                let i = self.pure_int();
                let j = self.pure_int();
                self.line(&format!(
                    "if len({n}) > 0 && len({n}[({i}) % len({n})]) > 0 {{"
                ));
                let x = self.int_expr(d);
                self.line(&format!(
                    "  {n}[({i}) % len({n})][({j}) % len({n}[({i}) % len({n})])] = {x}"
                ));
                self.line("}");
                return;
            }
            _ => (format!("{n}[({i}) % len({n})]"), self.elem_expr(e, d)),
        };
        self.line(&format!("if len({n}) > 0 {{"));
        self.line(&format!("  {place} = {x}"));
        self.line("}");
    }

    // ---------------- statements ----------------

    pub(super) fn data_stmt(&mut self) {
        let lists = self.vars_where(|v| matches!(v.ty, Ty::List(e) if e != Elem::Fn));
        let maps = self.vars_where(|v| matches!(v.ty, Ty::Map(_)));
        let strs = self.vars_where(|v| v.ty == Ty::Str && v.bound <= 160);
        let structs = self.vars_where(|v| matches!(v.ty, Ty::Struct(_)));
        let loop_ok = self.blocks < 4 && self.loops < 2 && self.work_left() >= 200;
        let w = [
            4,
            if loop_ok { 3 } else { 0 },
            if loop_ok && !lists.is_empty() { 3 } else { 0 },
            if self.blocks < 4 && !lists.is_empty() {
                3
            } else {
                0
            },
            if !maps.is_empty() { 3 } else { 0 },
            if loop_ok && !strs.is_empty() { 3 } else { 0 },
            if !structs.is_empty() { 3 } else { 0 },
            if self.loops < 2 && self.work_left() >= 400 {
                2
            } else {
                0
            },
            if loop_ok { 2 } else { 0 },
            if self.risk >= 4 && (!lists.is_empty() || !strs.is_empty()) {
                1
            } else {
                0
            },
            if lists.is_empty() { 0 } else { 2 },
        ];
        match self.rng.weighted(&w) {
            0 => self.data_decl(),
            1 => self.build_loop(),
            2 => {
                let v = self.rng.pick(&lists).clone();
                self.for_each_list(&v);
            }
            3 => {
                let v = self.rng.pick(&lists).clone();
                self.guarded_block(&v);
            }
            4 => {
                let v = self.rng.pick(&maps).clone();
                self.map_stmt(&v);
            }
            5 => {
                let v = self.rng.pick(&strs).clone();
                self.str_stmt(&v);
            }
            6 => {
                let v = self.rng.pick(&structs).clone();
                self.struct_stmt(&v);
            }
            7 => self.closure_stmt(),
            8 => self.garbage_loop(),
            9 => self.out_of_range(&lists, &strs),
            _ => {
                let v = self.rng.pick(&lists).clone();
                self.index_write(&v);
            }
        }
    }

    /// Emit `if len(v) > 0 {`, then `let x = v[...]` and a block seeing `x`.
    fn guarded_block(&mut self, v: &Var) {
        let Ty::List(e) = v.ty else { unreachable!() };
        let n = &v.name;
        let i = {
            let d = self.depth();
            self.int_expr(d.min(2))
        };
        let x = self.fresh("v");
        self.line(&format!("if len({n}) > 0 {{"));
        self.line(&format!("  let {x} = {n}[({i}) % len({n})]"));
        let xv = self.new_var(x, e.ty(), false, e.bound());
        let k = self.rng.range(1, 2) as usize;
        self.block(k, &[xv]);
        self.line("}");
    }

    fn for_each_list(&mut self, v: &Var) {
        let Ty::List(e) = v.ty else { unreachable!() };
        let x = self.fresh("x");
        self.line(&format!("for {x} in {} {{", v.name));
        let xv = self.new_var(x, e.ty(), false, e.bound());
        self.loop_body(v.bound as u64 + 1, &[xv]);
        self.line("}");
    }

    /// A new list built by appends in a loop, then printed or summed.
    fn build_loop(&mut self) {
        let e = *self.rng.pick(&[
            Elem::Int,
            Elem::Int,
            Elem::Str,
            Elem::Float,
            Elem::Bool,
            Elem::ListInt,
        ]);
        let t = Ty::List(e);
        let k = self.trips().min(LIST_CAP as i64);
        let xs = self.fresh("v");
        self.line(&format!("var {xs}: {} = []", t.name()));
        let i = self.fresh("i");
        self.line(&format!("for {i} in 0..{k} {{"));
        let saved = self.mult;
        self.mult = self.mult.saturating_mul(k as u64);
        self.scopes.push(vec![Var {
            kind: Kind::Counter,
            ..self.new_var(i.clone(), Ty::Int, true, 0)
        }]);
        self.charge(Cost { work: 3, out: 0 });
        let d = self.depth();
        let x = match e {
            Elem::Int if self.rng.chance(50) => format!("{i} * {} % 17", self.rng.range(1, 9)),
            Elem::Str if self.rng.chance(50) => format!("\"s\" + {i}"),
            _ => self.elem_expr(e, d.min(2)),
        };
        if self.rng.chance(30) {
            let m = self.rng.range(2, 4);
            self.line(&format!("  if {i} % {m} == 0 {{"));
            self.line("    continue");
            self.line("  }");
        }
        self.line(&format!("  {xs} = append({xs}, {x})"));
        self.scopes.pop();
        self.mult = saved;
        self.line("}");
        let mut v = self.new_var(xs.clone(), t, true, LIST_CAP);
        v.used = k as usize;
        let pl = self.print_len(t, LIST_CAP) as u64;
        self.declare(v);
        if e == Elem::Int && self.rng.chance(50) {
            self.charge(Cost { work: 1, out: 80 });
            self.line(&format!("if len({xs}) > 0 {{"));
            self.line(&format!(
                "  print(len({xs}), sum({xs}), min({xs}), max({xs}))"
            ));
            self.line("}");
        } else if self.affordable(Cost { work: 1, out: pl }) {
            self.charge(Cost { work: 1, out: pl });
            self.line(&format!("print({xs})"));
        }
    }

    fn map_stmt(&mut self, v: &Var) {
        let Ty::Map(m) = v.ty else { unreachable!() };
        let n = v.name.clone();
        let d = self.depth();
        let loop_ok = self.blocks < 4 && self.loops < 2 && self.work_left() >= 200;
        match self.rng.below(5) {
            0 => {
                // `m[k] = v` through any binding: maps are shared references.
                let (k, x) = match m {
                    MapTy::StrInt => (self.str_key(d), self.int_expr(d)),
                    MapTy::IntStr => (self.int_key(d), self.str_expr(d, ELEM_STR).0),
                };
                self.line(&format!("{n}[{k}] = {x}"));
            }
            1 => {
                let k = self.pure_key(m);
                self.charge(Cost {
                    work: 2,
                    out: 4 * ELEM_STR as u64 + 24,
                });
                self.line(&format!("if {k} in {n} {{"));
                self.line(&format!("  print({k}, {n}[{k}])"));
                self.line("} else {");
                self.line(&format!("  print(\"missing\", {k}, len({n}))"));
                self.line("}");
            }
            2 if loop_ok => {
                let k = self.fresh("k");
                let kt = match m {
                    MapTy::StrInt => Ty::Str,
                    MapTy::IntStr => Ty::Int,
                };
                self.line(&format!("for {k} in {n} {{"));
                let kv = self.new_var(k, kt, false, 8);
                self.loop_body(MAP_MAX as u64 + 1, &[kv]);
                self.line("}");
            }
            _ => {
                let pl = self.print_len(v.ty, 0) as u64;
                if self.affordable(Cost {
                    work: 2,
                    out: 3 * pl,
                }) {
                    self.charge(Cost {
                        work: 2,
                        out: 3 * pl,
                    });
                    self.line(&format!("print({n}, len({n}))"));
                    self.line(&format!("print(keys({n}), values({n}))"));
                }
            }
        }
    }

    fn str_stmt(&mut self, v: &Var) {
        let n = v.name.clone();
        let trips = v.bound as u64 + 1;
        let loop_cost = Cost {
            work: 4 * trips,
            out: 2 * v.bound as u64 + 30 + trips * (30 + v.bound as u64),
        };
        let pick = if self.affordable(loop_cost) {
            self.rng.below(3)
        } else if self.affordable(Cost {
            work: 1,
            out: 3 * v.bound as u64 + 40,
        }) {
            2
        } else {
            return;
        };
        match pick {
            0 => {
                // Reverse or filter by iterating runes.
                let r = self.fresh("v");
                self.line(&format!("var {r} = \"\""));
                let c = self.fresh("c");
                self.line(&format!("for {c} in {n} {{"));
                let saved = self.mult;
                self.mult = self.mult.saturating_mul(v.bound as u64 + 1);
                self.charge(Cost { work: 2, out: 0 });
                match self.rng.below(3) {
                    0 => self.line(&format!("  {r} = {c} + {r}")),
                    1 => self.line(&format!("  {r} = {r} + upper({c})")),
                    _ => {
                        self.line(&format!("  if {c} != \"a\" {{"));
                        self.line(&format!("    {r} = {r} + {c}"));
                        self.line("  }");
                    }
                }
                self.mult = saved;
                self.line("}");
                self.charge(Cost {
                    work: 1,
                    out: 2 * v.bound as u64 + 24,
                });
                self.line(&format!("print({r}, len({r}), len({n}))"));
                let rv = self.new_var(r, Ty::Str, true, v.bound);
                self.declare(rv);
            }
            1 => {
                let i = self.fresh("i");
                self.line(&format!("for {i} in 0..len({n}) {{"));
                let saved = self.mult;
                self.mult = self.mult.saturating_mul(v.bound as u64 + 1);
                self.charge(Cost { work: 2, out: 30 });
                self.line(&format!("  if {n}[{i}] == \"é\" || {n}[{i}] == \"日\" {{"));
                self.line(&format!(
                    "    print({i}, {n}[{i}], substring({n}, {i}, len({n})))"
                ));
                self.mult = self.mult.saturating_mul(1);
                self.charge(Cost {
                    work: 1,
                    out: v.bound as u64,
                });
                self.line("  }");
                self.line("}");
                self.mult = saved;
            }
            _ => {
                let t = self.str_lit(8).0;
                self.charge(Cost {
                    work: 1,
                    out: 3 * v.bound as u64 + 40,
                });
                self.line(&format!(
                    "print(len({n}), upper({n}), lower({n}), indexOf({n}, {t}), contains({n}, {t}))"
                ));
            }
        }
    }

    fn struct_stmt(&mut self, v: &Var) {
        let Ty::Struct(k) = v.ty else { unreachable!() };
        let n = v.name.clone();
        let def = self.structs[k].clone();
        let d = self.depth();
        match self.rng.below(5) {
            4 => {
                // the results of the methods that return something
                let mut parts = Vec::new();
                let mut out = 4;
                for m in def.methods.iter().filter(|m| m.ret.is_some()) {
                    parts.push(self.method_call(&n, k, m, d));
                    out += 1 + m.ret_bound.max(20) as u64;
                }
                self.charge(Cost { work: 1, out });
                self.line(&format!("print({})", parts.join(", ")));
            }
            0 => {
                let muts: Vec<&Method> = def.methods.iter().filter(|m| m.ret.is_none()).collect();
                if muts.is_empty() {
                    return;
                }
                let m = (*self.rng.pick(&muts)).clone();
                let c = self.method_call(&n, k, &m, d);
                self.line(&c);
            }
            1 => {
                let &(f, t) = self.rng.pick(&def.fields);
                let x = self.field_expr(t, d);
                self.line(&format!("{n}.{f} = {x}"));
            }
            2 if self.affordable(Cost {
                work: 4,
                out: 2 * self.struct_len(k) as u64 + 20,
            }) =>
            {
                // a copy that is equal, then a change seen through the shared reference
                let c = self.fresh("v");
                let lit = if self.rng.chance(60) {
                    // a field-by-field copy: equal (unless a float field is NaN)
                    let items: Vec<String> = def
                        .fields
                        .iter()
                        .map(|(f, _)| format!("{f}: {n}.{f}"))
                        .collect();
                    format!("R{k} {{ {} }}", items.join(", "))
                } else {
                    self.struct_lit(k, d)
                };
                self.line(&format!("let {c} = {lit}"));
                self.line(&format!("var {c}b = {n}"));
                self.line(&format!("{c}b.a = {c}b.a + 1"));
                let out = 2 * self.struct_len(k) as u64 + 20;
                self.charge(Cost { work: 4, out });
                self.line(&format!("print({c} == {n}, {c}b == {n}, {n}.a)"));
                self.line(&format!("print({c})"));
            }
            _ => {
                let out = self.struct_len(k) as u64;
                if self.affordable(Cost { work: 1, out }) {
                    self.charge(Cost { work: 1, out });
                    self.line(&format!("print({n})"));
                }
            }
        }
    }

    /// Closures: capture by value at creation, closures in lists, higher-order calls.
    fn closure_stmt(&mut self) {
        let d = self.depth();
        match self.rng.below(4) {
            3 => {
                // A captured list: element writes are seen (shared reference), a
                // rebinding of the variable is not (capture by value).
                let xs = self.fresh("v");
                let (lit, n) = self.list_lit(Elem::Int, d, 4);
                self.line(&format!("var {xs} = {lit}"));
                let f = self.fresh("v");
                let a = self.fresh("a");
                self.line(&format!(
                    "let {f} = fun({a}: int): int => {a} + {xs}[0] * 2 + len({xs})"
                ));
                let x = self.int_expr(d.min(2));
                self.line(&format!("{xs}[0] = {x}"));
                let y = self.int_expr(d.min(2));
                self.line(&format!("{xs} = append({xs}, {y})"));
                self.line(&format!("{xs}[0] = 1"));
                self.charge(Cost {
                    work: 4 + FN_CALL,
                    out: 60,
                });
                self.line(&format!("print({f}(1), {xs}[0], len({xs}))"));
                let mut v = self.new_var(xs, Ty::List(Elem::Int), true, LIST_CAP);
                v.used = n + 1;
                self.declare(v);
                self.declare(self.new_var(f, Ty::Fn, false, 0));
            }
            0 => {
                let c = self.fresh("v");
                let init = self.int_expr(d.min(2));
                self.line(&format!("var {c} = {init}"));
                self.declare(self.new_var(c.clone(), Ty::Int, true, 0));
                let f = self.fresh("v");
                let lam = self.lambda(d, &c);
                self.line(&format!("let {f} = {lam}"));
                let inc = self.rng.range(1, 100);
                self.line(&format!("{c} = {c} + {inc}"));
                self.charge(Cost {
                    work: 2 * FN_CALL,
                    out: 50,
                });
                self.line(&format!("print({f}(1), {c}, {f}({c}))"));
                self.declare(self.new_var(f, Ty::Fn, false, 0));
            }
            1 => {
                let fs = self.fresh("v");
                let k = self.rng.range(1, 6);
                self.line(&format!("var {fs}: list<fun(int): int> = []"));
                let i = self.fresh("i");
                self.line(&format!("for {i} in 0..{k} {{"));
                self.scopes.push(vec![Var {
                    kind: Kind::Counter,
                    ..self.new_var(i.clone(), Ty::Int, true, 0)
                }]);
                let lam = self.lambda(d, &i);
                self.scopes.pop();
                self.line(&format!("  {fs} = append({fs}, {lam})"));
                self.line("}");
                let f = self.fresh("g");
                let a = self.int_expr(1);
                self.charge(Cost {
                    work: k as u64 * (FN_CALL + 2),
                    out: k as u64 * 22,
                });
                self.line(&format!("for {f} in {fs} {{"));
                self.line(&format!("  print({f}({a}))"));
                self.line("}");
                let mut v = self.new_var(fs, Ty::List(Elem::Fn), true, LIST_CAP);
                v.used = k as usize;
                self.declare(v);
            }
            _ => {
                // A call of a higher-order function with a fresh closure.
                let hs: Vec<Func> = self
                    .funcs
                    .iter()
                    .filter(|f| f.params.contains(&Ty::Fn) && self.affordable(f.cost))
                    .cloned()
                    .collect();
                if hs.is_empty() {
                    return;
                }
                let h = self.rng.pick(&hs).clone();
                let c = self.call(&h, d);
                match h.ret {
                    Some(t) if self.printable(t) => {
                        let out = self.print_len(t, h.ret_bound) as u64;
                        self.charge(Cost { work: 1, out });
                        self.line(&format!("print({c})"));
                    }
                    Some(Ty::Fn) => {
                        let a = self.int_expr(1);
                        self.charge(Cost {
                            work: FN_CALL,
                            out: 22,
                        });
                        self.line(&format!("print({c}({a}))"));
                    }
                    _ => self.line(&c),
                }
            }
        }
    }

    /// Short-lived lists, maps and strings in a loop (work for the GC).
    fn garbage_loop(&mut self) {
        let k = self.trips().min((self.work_left() / 10) as i64).max(1);
        let acc = self.fresh("v");
        let i = self.fresh("i");
        let (t1, t2, t3) = (self.fresh("t"), self.fresh("t"), self.fresh("t"));
        self.charge(Cost {
            work: 8 * k as u64 + 2,
            out: 22,
        });
        self.line(&format!("var {acc} = 0"));
        self.line(&format!("for {i} in 0..{k} {{"));
        self.line(&format!("  let {t1} = [{i}, {i} + 1, {i} * 2]"));
        self.line(&format!("  let {t2} = {{\"a\": {i}, \"b\": len({t1})}}"));
        self.line(&format!("  var {t3} = str({t1}) + \"é\""));
        if self.rng.chance(50) {
            self.line(&format!("  {t3} = {t3} + str({t2}[\"a\"])"));
        }
        self.line(&format!(
            "  {acc} = {acc} + len({t3}) + {t2}[\"b\"] + {t1}[2]"
        ));
        self.line("}");
        self.line(&format!("print({acc})"));
        self.declare(self.new_var(acc, Ty::Int, true, 0));
    }

    /// An index that is out of range (the program stops with an error).
    fn out_of_range(&mut self, lists: &[Var], strs: &[Var]) {
        self.charge(Cost { work: 1, out: 400 });
        if !lists.is_empty() && (strs.is_empty() || self.rng.chance(50)) {
            let v = self.rng.pick(lists).clone();
            let n = &v.name;
            let e = *self
                .rng
                .pick(&["len({n})", "len({n}) + 3", "(-len({n}) - 1)"]);
            self.line(&format!("print({n}[{}])", e.replace("{n}", n)));
        } else {
            let v = self.rng.pick(strs).clone();
            let n = &v.name;
            let e = *self.rng.pick(&["len({n})", "(-len({n}) - 2)"]);
            self.line(&format!("print({n}[{}])", e.replace("{n}", n)));
        }
    }

    // ---------------- top level ----------------

    /// `type R0 { a: int ... fun ... }`: 0-3 struct types (none when the program has no data).
    pub(super) fn struct_decls(&mut self) {
        if self.data == 0 {
            return;
        }
        let n = self.rng.range(1, 3) as usize;
        for k in 0..n {
            let mut fields: Vec<(&'static str, Ty)> = vec![("a", Ty::Int)];
            for (f, t) in [
                ("b", Ty::Float),
                ("c", Ty::Str),
                ("d", Ty::Bool),
                ("e", Ty::List(Elem::Int)),
            ] {
                if self.rng.chance(50) {
                    fields.push((f, t));
                }
            }
            let has = |f: &str| fields.iter().any(|x| x.0 == f);
            let mut methods = Vec::new();
            self.line(&format!("type R{k} {{"));
            for (f, t) in &fields {
                self.line(&format!("  {f}: {}", t.name()));
            }
            // reads the fields as names
            let mut get = "a * k".to_string();
            if has("e") {
                get += " + len(e)";
            }
            if has("c") {
                get += " + len(c)";
            }
            if has("b") && self.rng.chance(50) {
                get = format!("(if b > 1.0 then {get} else a - k)");
            }
            self.line(&format!("  fun get(k: int): int {{ return {get} }}"));
            methods.push(Method {
                name: "get",
                params: vec![Ty::Int],
                ret: Some(Ty::Int),
                ret_bound: 0,
            });
            // mutates a field
            self.line("  fun bump(k: int) {");
            self.line("    a = a + k");
            if has("d") {
                self.line("    d = !d");
            }
            self.line("  }");
            methods.push(Method {
                name: "bump",
                params: vec![Ty::Int],
                ret: None,
                ret_bound: 0,
            });
            if has("c") {
                self.line("  fun label(): string {");
                self.line("    return c + \":\" + str(a)");
                self.line("  }");
                methods.push(Method {
                    name: "label",
                    params: vec![],
                    ret: Some(Ty::Str),
                    ret_bound: FIELD_STR + 21,
                });
            }
            self.line("}");
            self.structs.push(StructDef { fields, methods });
        }
        if n > 0 {
            self.line("");
        }
    }

    /// A function taking or returning closures.
    pub(super) fn higher_order(&mut self) {
        if self.data == 0 {
            return;
        }
        let name = self.fresh("h");
        self.line("");
        let (params, ret, ret_bound, cost) = match self.rng.below(5) {
            0 => {
                // returns a closure over its parameter and a local
                let c = self.fresh("v");
                self.line(&format!("fun {name}(k: int): fun(int): int {{"));
                self.line(&format!("  let {c} = k * 2"));
                self.scopes.push(vec![
                    self.new_var("k".into(), Ty::Int, false, 0),
                    self.new_var(c.clone(), Ty::Int, false, 0),
                ]);
                let lam = self.lambda(3, &c);
                self.scopes.pop();
                self.line(&format!("  return {lam}"));
                (vec![Ty::Int], Ty::Fn, 0, 3)
            }
            1 => {
                let k = self.rng.range(1, 10);
                self.line(&format!("fun {name}(g: fun(int): int, n: int): int {{"));
                self.line("  var acc = 0");
                self.line(&format!("  for i in 0..{k} {{"));
                self.line("    acc = acc + g(i + n)");
                self.line("  }");
                self.line("  return acc");
                (
                    vec![Ty::Fn, Ty::Int],
                    Ty::Int,
                    0,
                    k as u64 * (FN_CALL + 2) + 3,
                )
            }
            2 => {
                self.line(&format!(
                    "fun {name}(g: fun(int): int, xs: list<int>): list<int> {{"
                ));
                self.line("  var out: list<int> = []");
                self.line("  for x in xs {");
                self.line("    out = append(out, g(x))");
                self.line("  }");
                self.line("  return out");
                (
                    vec![Ty::Fn, Ty::List(Elem::Int)],
                    Ty::List(Elem::Int),
                    PARAM_LIST,
                    PARAM_LIST as u64 * (FN_CALL + 2) + 3,
                )
            }
            3 => {
                self.line(&format!(
                    "fun {name}(f: fun(int): int, g: fun(int): int): fun(int): int {{"
                ));
                self.line("  return fun(x: int): int => f(g(x))");
                (vec![Ty::Fn, Ty::Fn], Ty::Fn, 0, 2)
            }
            _ => {
                self.line(&format!("fun {name}(g: fun(int): int, x: int): int {{"));
                self.line("  return g(g(x))");
                (vec![Ty::Fn, Ty::Int], Ty::Int, 0, 2 * FN_CALL + 2)
            }
        };
        self.line("}");
        self.funcs.push(Func {
            name,
            params,
            ret: Some(ret),
            ret_bound,
            cost: Cost { work: cost, out: 0 },
            depth: None,
        });
    }
}

/// The bound of a struct field of type `t`.
fn field_bound(t: Ty) -> usize {
    match t {
        Ty::Str => FIELD_STR,
        Ty::List(_) => FIELD_LIST,
        _ => 0,
    }
}
