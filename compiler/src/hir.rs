//! The typed tree: what `check` produces and `lower` consumes.
//!
//! Everything lowering needs is explicit here, so it never re-infers a type:
//! - every [`Expr`] carries its [`Type`];
//! - names are resolved: a local of the current function ([`LocalId`]), a global
//!   ([`GlobalId`]) or a function ([`FuncId`]);
//! - implicit conversions are explicit [`Conv`] nodes (int -> float in mixed arithmetic,
//!   boxing into `any`/optional, checked unboxing for `as`), so the two operands of a
//!   [`BinOp`] always have the same type (except `in`, string `+` with a non-string side, and
//!   the shift of container types noted on each variant);
//! - nested functions and anonymous functions are separate [`FuncDef`]s whose captured
//!   variables are listed ([`FuncDef::captures`]); creating one is an [`ExprKind::Closure`]
//!   that copies the captured values (capture by value at creation, LANGUAGE.md §13 trap 9);
//! - methods are functions whose first parameter is `self`; inside a method a field name is
//!   already an [`ExprKind::Field`] on that parameter;
//! - partial application (`add(1)` of a two-parameter `add`) is already an
//!   [`ExprKind::Closure`] over a synthetic function;
//! - `let x: T` without an initialiser has the zero value of T as its `init`.
//!
//! Function 0 is `main`: the top-level statements. Top-level `let`/`var` are globals
//! (visible to every function): each is declared by a [`StmtKind::Assign`] to a
//! [`Place::Global`] at its point in main (zero value when there is no initialiser).

use crate::types::{StructId, Type, UnionId};
use vm::Pos;

pub type LocalId = u32;
pub type GlobalId = u32;
pub type FuncId = u32;

#[derive(Clone, Debug)]
pub struct Program {
    /// Struct types and union variants (a variant is a struct with `union: Some(_)`).
    pub structs: Vec<StructDef>,
    pub unions: Vec<UnionDef>,
    pub globals: Vec<GlobalDef>,
    /// `funcs[0]` is main (top-level code).
    pub funcs: Vec<FuncDef>,
}

#[derive(Clone, Debug)]
pub struct StructDef {
    pub name: String,
    /// Fields in declaration order; a field's index is its position here.
    pub fields: Vec<(String, Type)>,
    /// Methods: name and the function implementing it (its parameter 0 is `self`).
    pub methods: Vec<(String, FuncId)>,
    /// The union this struct is a variant of, if any.
    pub union: Option<UnionId>,
    pub pos: Pos,
}

#[derive(Clone, Debug)]
pub struct UnionDef {
    pub name: String,
    pub variants: Vec<StructId>,
    pub pos: Pos,
}

#[derive(Clone, Debug)]
pub struct GlobalDef {
    pub name: String,
    pub ty: Type,
    pub mutable: bool,
    pub pos: Pos,
}

#[derive(Clone, Debug)]
pub struct FuncDef {
    pub name: String,
    pub pos: Pos,
    /// Every local of the function (parameters and captured copies included); a
    /// [`LocalId`] indexes this list.
    pub locals: Vec<LocalDef>,
    /// The parameters, in order (locals).
    pub params: Vec<LocalId>,
    /// For a closure: the locals that hold captured values, in the order the creating
    /// [`ExprKind::Closure`] lists them. Empty for top-level functions and methods.
    pub captures: Vec<LocalId>,
    pub ret: Type,
    pub body: Vec<Stmt>,
    pub kind: FuncKind,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FuncKind {
    Main,
    /// A top-level `fun`.
    Top,
    /// A method of a struct (parameter 0 is `self`).
    Method(StructId),
    /// A nested `fun`, an anonymous function or a partial application.
    Closure,
}

#[derive(Clone, Debug)]
pub struct LocalDef {
    pub name: String,
    pub ty: Type,
    pub mutable: bool,
    pub pos: Pos,
}

#[derive(Clone, Debug)]
pub struct Stmt {
    pub kind: StmtKind,
    pub pos: Pos,
}

#[derive(Clone, Debug)]
pub enum StmtKind {
    /// Declare (and initialise) a local.
    Let {
        local: LocalId,
        init: Expr,
    },
    /// `place = value` (also the declaration of a global, at its point in main).
    Assign {
        place: Place,
        value: Expr,
    },
    /// An expression evaluated for its effect (a call, `print`).
    Expr(Expr),
    If {
        cond: Expr,
        then: Vec<Stmt>,
        els: Vec<Stmt>,
    },
    While {
        cond: Expr,
        body: Vec<Stmt>,
    },
    /// `for var in start..end` (ints; `end` evaluated once).
    ForRange {
        var: LocalId,
        start: Expr,
        end: Expr,
        body: Vec<Stmt>,
    },
    /// `for var in iterable`: a list (elements), a string (1-rune strings) or a map (keys in
    /// sorted order; `iterable.ty` says which). The iterable is evaluated once.
    ForEach {
        var: LocalId,
        iterable: Expr,
        body: Vec<Stmt>,
    },
    Break,
    Continue,
    Return(Option<Expr>),
    /// `expect cond` (`source` is the text of the expect line, for the failure message
    /// `expect condition failed at FILE:LINE: <source>`).
    Expect {
        cond: Expr,
        source: String,
    },
    /// `test "name" { body }`. A top-level test is its own function `func` (no parameters,
    /// void; `body` is empty): `mochi run` calls it inline at this point, `mochi test` skips
    /// it here and runs it separately (`vm::program::Program::tests`). A test nested in a
    /// block or function has `func: None` and its `body` runs inline.
    Test {
        name: String,
        body: Vec<Stmt>,
        func: Option<FuncId>,
    },
    /// `bench "name" { body }`.
    Bench {
        name: String,
        body: Vec<Stmt>,
    },
}

/// Something that can be assigned to.
#[derive(Clone, Debug)]
pub enum Place {
    Local(LocalId),
    Global(GlobalId),
    /// `base[index] = v`: base is a list (int index) or a map (key); `base.ty` says which.
    Index {
        base: Expr,
        index: Expr,
    },
    /// `base.field = v` on a struct (field index into `StructDef::fields`).
    Field {
        base: Expr,
        field: u32,
    },
}

#[derive(Clone, Debug)]
pub struct Expr {
    pub kind: ExprKind,
    pub ty: Type,
    pub pos: Pos,
}

#[derive(Clone, Debug)]
pub enum ExprKind {
    Int(i64),
    Float(f64),
    Bool(bool),
    Str(String),
    /// A bigint literal (decimal digits) or constant.
    BigInt(String),
    Nil,
    Local(LocalId),
    Global(GlobalId),
    /// A named function used as a value (a closure with no captures). `ty` is its `Func` type.
    FuncRef(FuncId),

    Unary(UnOp, Box<Expr>),
    /// Both operands have the same type, which decides the op (`Add` on two ints is an int
    /// add, on two floats a float add, on two strings a concatenation, on two lists a list
    /// concatenation; comparisons of strings are byte order, `Eq`/`Ne` on containers deep).
    /// The result type is `ty`.
    Binary(BinOp, Box<Expr>, Box<Expr>),
    /// `a && b`, `a || b` (short-circuit; bools).
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    /// `a ?? b`: `a` (optional/any) unless it is nil, else `b` (evaluated only then).
    Coalesce(Box<Expr>, Box<Expr>),
    /// `item in container`: list membership (deep equality), map key, substring.
    In(Box<Expr>, Box<Expr>),
    /// A conversion from the operand's type to `ty`.
    Conv(Conv, Box<Expr>),

    /// Direct call of a known top-level function or method (`args` include `self` first
    /// for a method).
    Call {
        func: FuncId,
        args: Vec<Expr>,
    },
    /// Call of a function value (a closure); `callee.ty` is a `Func` type.
    CallValue {
        callee: Box<Expr>,
        args: Vec<Expr>,
    },
    /// A built-in function (`print`, `len`, `append`, math functions, ...).
    Builtin {
        builtin: Builtin,
        args: Vec<Expr>,
    },

    /// `[a, b, c]` (`ty` is the list type; elements already converted to the element type).
    List(Vec<Expr>),
    /// `{k: v, ...}` (keys and values converted to the map's key and value types).
    Map(Vec<(Expr, Expr)>),
    /// A struct literal or a variant constructor: field values in declaration order
    /// (missing fields hold their zero value).
    Struct {
        sid: StructId,
        fields: Vec<Expr>,
    },
    /// `base[index]`: list element (int index, negative counts from the end), string rune
    /// (a 1-rune string), or map value (missing key: the value type's zero value / nil).
    Index {
        base: Box<Expr>,
        index: Box<Expr>,
    },
    /// `base[lo:hi]` on a list or string.
    Slice {
        base: Box<Expr>,
        lo: Option<Box<Expr>>,
        hi: Option<Box<Expr>>,
    },
    /// `base.field` on a struct or a union variant known statically.
    Field {
        base: Box<Expr>,
        field: u32,
    },
    /// `if cond then a else b` (only the taken branch is evaluated).
    If {
        cond: Box<Expr>,
        then: Box<Expr>,
        els: Box<Expr>,
    },
    /// `match scrutinee { arms }`: the first arm whose pattern matches; no match gives the
    /// zero value of `ty` (nil for Cell types).
    Match {
        scrutinee: Box<Expr>,
        arms: Vec<MatchArm>,
    },
    /// Create a closure of `func`, copying `captures` (one expression per entry of
    /// `funcs[func].captures`, in order).
    Closure {
        func: FuncId,
        captures: Vec<Expr>,
    },
    /// A block evaluated for its statements, then `value` (used by desugarings).
    Block {
        stmts: Vec<Stmt>,
        value: Box<Expr>,
    },
}

/// A direct child of an expression ([`Expr::for_each_child`]).
pub enum Child<'a> {
    Expr(&'a Expr),
    /// The statements of a block expression.
    Stmts(&'a [Stmt]),
}

/// A walk over statements and expressions (the lowering's analyses): a walker says what it
/// does at a statement and at an expression, and visits their children with
/// [`Visit::stmt_children`] / [`Visit::expr_children`] where it does not handle them itself.
pub trait Visit: Sized {
    fn stmt(&mut self, s: &Stmt);
    fn expr(&mut self, e: &Expr);

    fn stmts(&mut self, ss: &[Stmt]) {
        for s in ss {
            self.stmt(s);
        }
    }

    fn child(&mut self, c: Child) {
        match c {
            Child::Expr(x) => self.expr(x),
            Child::Stmts(s) => self.stmts(s),
        }
    }

    /// Visit every direct child of `s` ([`Stmt::for_each_child`]).
    fn stmt_children(&mut self, s: &Stmt) {
        s.for_each_child(|c| self.child(c));
    }

    /// Visit every direct child of `e` ([`Expr::for_each_child`]).
    fn expr_children(&mut self, e: &Expr) {
        e.for_each_child(|c| self.child(c));
    }
}

impl Stmt {
    /// Calls `f` on each direct child of `self`: its expressions (an assignment's place
    /// before its value) and its nested statement lists, in order. See
    /// [`Expr::for_each_child`].
    pub fn for_each_child<'a>(&'a self, mut f: impl FnMut(Child<'a>)) {
        match &self.kind {
            StmtKind::Let { init: e, .. }
            | StmtKind::Expr(e)
            | StmtKind::Expect { cond: e, .. }
            | StmtKind::Return(Some(e)) => f(Child::Expr(e)),
            StmtKind::Assign { place, value } => {
                match place {
                    Place::Local(_) | Place::Global(_) => {}
                    Place::Index { base, index } => {
                        f(Child::Expr(base));
                        f(Child::Expr(index));
                    }
                    Place::Field { base, .. } => f(Child::Expr(base)),
                }
                f(Child::Expr(value));
            }
            StmtKind::If { cond, then, els } => {
                f(Child::Expr(cond));
                f(Child::Stmts(then));
                f(Child::Stmts(els));
            }
            StmtKind::While { cond, body } => {
                f(Child::Expr(cond));
                f(Child::Stmts(body));
            }
            StmtKind::ForRange {
                start, end, body, ..
            } => {
                f(Child::Expr(start));
                f(Child::Expr(end));
                f(Child::Stmts(body));
            }
            StmtKind::ForEach { iterable, body, .. } => {
                f(Child::Expr(iterable));
                f(Child::Stmts(body));
            }
            StmtKind::Test { body, .. } | StmtKind::Bench { body, .. } => f(Child::Stmts(body)),
            StmtKind::Break | StmtKind::Continue | StmtKind::Return(None) => {}
        }
    }
}

impl Expr {
    /// Calls `f` on each direct child of `self` in evaluation order (a match arm's literal
    /// pattern before its body; a block's statements before its value). The one list of
    /// what an expression contains, for read-only walkers that treat most kinds alike.
    pub fn for_each_child<'a>(&'a self, mut f: impl FnMut(Child<'a>)) {
        macro_rules! e {
            ($x:expr) => {
                f(Child::Expr($x))
            };
        }
        match &self.kind {
            ExprKind::Int(_)
            | ExprKind::Float(_)
            | ExprKind::Bool(_)
            | ExprKind::Str(_)
            | ExprKind::BigInt(_)
            | ExprKind::Nil
            | ExprKind::Local(_)
            | ExprKind::Global(_)
            | ExprKind::FuncRef(_) => {}
            ExprKind::Unary(_, x) | ExprKind::Conv(_, x) | ExprKind::Field { base: x, .. } => e!(x),
            ExprKind::Binary(_, x, y)
            | ExprKind::And(x, y)
            | ExprKind::Or(x, y)
            | ExprKind::Coalesce(x, y)
            | ExprKind::In(x, y)
            | ExprKind::Index { base: x, index: y } => {
                e!(x);
                e!(y);
            }
            ExprKind::Call { args: v, .. }
            | ExprKind::Builtin { args: v, .. }
            | ExprKind::List(v)
            | ExprKind::Struct { fields: v, .. }
            | ExprKind::Closure { captures: v, .. } => v.iter().for_each(|x| e!(x)),
            ExprKind::CallValue { callee, args } => {
                e!(callee);
                args.iter().for_each(|x| e!(x));
            }
            ExprKind::Map(kvs) => kvs.iter().for_each(|(k, v)| {
                e!(k);
                e!(v);
            }),
            ExprKind::Slice { base, lo, hi } => {
                e!(base);
                lo.iter().chain(hi.iter()).for_each(|x| e!(x));
            }
            ExprKind::If { cond, then, els } => {
                e!(cond);
                e!(then);
                e!(els);
            }
            ExprKind::Match { scrutinee, arms } => {
                e!(scrutinee);
                for a in arms {
                    if let Pattern::Literal(p) = &a.pattern {
                        e!(p);
                    }
                    e!(&a.body);
                }
            }
            ExprKind::Block { stmts, value } => {
                f(Child::Stmts(stmts));
                f(Child::Expr(value));
            }
        }
    }
}

#[derive(Clone, Debug)]
pub struct MatchArm {
    pub pattern: Pattern,
    pub body: Expr,
    pub pos: Pos,
}

#[derive(Clone, Debug)]
pub enum Pattern {
    /// `_`
    Wildcard,
    /// An identifier: binds the whole scrutinee to a local.
    Bind(LocalId),
    /// A literal compared with `==` (same type as the scrutinee, or converted).
    Literal(Expr),
    /// A union variant: matches when the scrutinee is that variant; binds its fields
    /// positionally (`None` for `_`). A bare variant name has no sub-patterns.
    Variant {
        sid: StructId,
        fields: Vec<Option<LocalId>>,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnOp {
    /// `-x` (int: checked; float)
    Neg,
    /// `!b`
    Not,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    /// List set operations on two lists of the same type: `union` (distinct, first
    /// occurrences), `union all` (concatenation), `except` (left elements not in the right,
    /// duplicates kept), `intersect` (distinct right elements that are in the left).
    Union,
    UnionAll,
    Except,
    Intersect,
}

/// Conversions made explicit by the checker.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Conv {
    /// int -> float (mixed arithmetic, `float(x)`, `x as float`).
    IntToFloat,
    /// float -> int, truncating toward zero (`x as int`, `int(x)`); out of range: overflow error.
    FloatToInt,
    /// A value of the operand's type -> `any` or an optional (boxing ints/floats/bools).
    Box,
    /// `any`/optional -> the concrete `ty` (checked: `cannot cast` error when the value is
    /// not of that type).
    Unbox,
    /// string -> int (`"123" as int`; error `cannot cast "x" to int`).
    StrToInt,
    /// string -> float.
    StrToFloat,
    /// int -> bigint, bigint -> int (checked), bigint -> float.
    IntToBig,
    BigToInt,
    BigToFloat,
    /// A map literal / `map<string, any>` -> a struct `ty` (`{...} as Point`).
    MapToStruct,
    /// A value -> string as `str(x)` prints it.
    ToStr,
    /// Any/optional -> bool by truthiness (nil, false, 0, "", empty: false), for conditions.
    Truthy,
}

/// Built-in functions (LANGUAGE.md §6) and the built-in `math` module.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Builtin {
    /// `print(a, b, ...)`: arguments joined by spaces (trimmed with 3 or more), newline.
    Print,
    /// (`str(x)` is [`Conv::ToStr`].)
    Len,
    Append,
    Count,
    Sum,
    Avg,
    Min,
    Max,
    Exists,
    Keys,
    Values,
    Substring,
    Upper,
    Lower,
    Trim,
    PadStart,
    Pow,
    Now,
    Input,
    Json,
    Abs,
    Floor,
    Ceil,
    Round,
    Sqrt,
    Reverse,
    Distinct,
    /// `sort_by_keys(xs, keys)`: xs reordered stably by keys (one per element); query `sort by`.
    SortByKeys,
    First,
    Concat,
    Split,
    Join,
    IndexOf,
    Repeat,
    Contains,
    StartsWith,
    EndsWith,
    ParseIntStr,
    Push,
    /// `load PATH as T with OPTS`: args `[path (a string constant; "-" = stdin), options (a
    /// map, or nil)]`, type `list<T>`.
    Load,
    /// `save VALUE to PATH with OPTS`: args `[value, path, options]`, type void.
    Save,
    /// `math.*` of the built-in math module (`import python "math"`).
    MathSqrt,
    MathPow,
    MathSin,
    MathCos,
    MathTan,
    MathAtan,
    MathAtan2,
    MathExp,
    MathLog,
    MathLog2,
    MathLog10,
    MathFloor,
    MathCeil,
    MathFabs,
}
