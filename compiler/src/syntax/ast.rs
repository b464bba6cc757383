//! The untyped syntax tree of the whole Mochi language (LANGUAGE.md §3-5), produced by
//! [`crate::syntax::parse`] and consumed by the checker.
//!
//! Every expression, statement, pattern, type expression and declaration carries a [`Pos`]:
//! the 1-based line and column (counting Unicode scalar values) of its first character, except
//! where a node's documentation says otherwise (binary operators are positioned at the
//! operator, calls at their callee, index/field/cast at the postfix operator's token).
//!
//! Depth: everything that nests through brackets, blocks or keywords is capped by the parser
//! (`nesting too deep`), but operator chains (`a + b + ...`), repeated unary operators and
//! postfix chains (`a.b.c...`, `f(1)(2)...`) are parsed iteratively and may be as deep as they
//! are long (100 000 terms parse). [`Program`] therefore drops its tree iteratively; code that
//! walks the tree recursively needs a large stack (the binary runs on a 1 GiB stack).

pub use vm::Pos;

/// A whole source file: its top-level statements in source order (declarations included).
///
/// `Program` implements `Drop` (to tear down very deep operator chains without recursion),
/// so take its statements with `std::mem::take(&mut program.stmts)` to move them out.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Program {
    pub stmts: Vec<Stmt>,
}

// ---------------------------------------------------------------------------------------------
// Type expressions
// ---------------------------------------------------------------------------------------------

/// A type as written in the source.
#[derive(Clone, Debug, PartialEq)]
pub struct TypeExpr {
    pub kind: TypeExprKind,
    pub pos: Pos,
}

#[derive(Clone, Debug, PartialEq)]
pub enum TypeExprKind {
    /// A plain name: `int`, `float`, `bool`, `string`, `any`, `void`, `bigint`, `bigrat`, a
    /// user type or a generic parameter `T`.
    Name(String),
    /// `Name<T, U>`: `list<int>`, `map<string, int>` (any name; the checker validates).
    Generic { name: String, args: Vec<TypeExpr> },
    /// `fun(T, U): R`; `ret` is `None` when there is no `: R` (void).
    Fun {
        params: Vec<TypeExpr>,
        ret: Option<Box<TypeExpr>>,
    },
    /// `T?` (the position is that of `T`).
    Optional(Box<TypeExpr>),
    /// Inline struct type `{a: int, b: string}` (commas optional, trailing comma allowed).
    Struct(Vec<FieldDecl>),
}

/// `name: T`: a field of a struct type, inline struct type or union variant.
#[derive(Clone, Debug, PartialEq)]
pub struct FieldDecl {
    pub name: String,
    pub ty: TypeExpr,
    /// Position of the field name.
    pub pos: Pos,
}

// ---------------------------------------------------------------------------------------------
// Expressions
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub pos: Pos,
}

/// Binary operators (LANGUAGE.md §5), from tightest to loosest level.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BinOp {
    /// `*`
    Mul,
    /// `/`
    Div,
    /// `%`
    Mod,
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `x in xs` (list membership, map key, substring)
    In,
    /// `&&` (short-circuit)
    And,
    /// `||` (short-circuit)
    Or,
    /// `??` (right side evaluated only when the left is nil)
    Coalesce,
    /// `union` (list union without duplicates)
    Union,
    /// `union all` (concatenation)
    UnionAll,
    /// `except`
    Except,
    /// `intersect`
    Intersect,
}

impl BinOp {
    /// Precedence level: higher binds tighter (`* / %` = 8 ... set operators = 1).
    pub fn level(self) -> u8 {
        match self {
            BinOp::Mul | BinOp::Div | BinOp::Mod => 8,
            BinOp::Add | BinOp::Sub => 7,
            BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => 6,
            BinOp::Eq | BinOp::Ne | BinOp::In => 5,
            BinOp::And => 4,
            BinOp::Or => 3,
            BinOp::Coalesce => 2,
            BinOp::Union | BinOp::UnionAll | BinOp::Except | BinOp::Intersect => 1,
        }
    }

    /// The operator as written in the source.
    pub fn as_str(self) -> &'static str {
        match self {
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::Mod => "%",
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
            BinOp::Eq => "==",
            BinOp::Ne => "!=",
            BinOp::In => "in",
            BinOp::And => "&&",
            BinOp::Or => "||",
            BinOp::Coalesce => "??",
            BinOp::Union => "union",
            BinOp::UnionAll => "union all",
            BinOp::Except => "except",
            BinOp::Intersect => "intersect",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UnOp {
    /// `-e`
    Neg,
    /// `!e`
    Not,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    /// `42`, `0x2A`, `0b101`, `0o17` (always fits i64; `-` is a separate unary operator).
    Int(i64),
    /// `1.5`, `2e10`, `1.5e-3`
    Float(f64),
    /// `true` / `false`
    Bool(bool),
    /// `"..."` with its escapes decoded.
    Str(String),
    /// `nil` or `none`. (`nil` is lexically an identifier; the parser turns it into this node.)
    Nil,
    /// A name: variable, function, nullary union variant, builtin.
    Ident(String),
    /// `-e`, `!e`. Positioned at the operator. Binds looser than postfix: `-x as int` is
    /// `-(x as int)`.
    Unary { op: UnOp, expr: Box<Expr> },
    /// `lhs op rhs`, left-associative at every level. Positioned at the operator.
    Binary {
        op: BinOp,
        lhs: Box<Expr>,
        rhs: Box<Expr>,
    },
    /// `callee(a, b)`. A method-style call `x.f(a)` is `Call { callee: Field { x, f }, .. }`.
    /// Positioned at the `(`.
    Call { callee: Box<Expr>, args: Vec<Expr> },
    /// `target[index]`, or `target?[index]` when `optional`. Positioned at the `[`.
    Index {
        target: Box<Expr>,
        index: Box<Expr>,
        optional: bool,
    },
    /// `target[start:end]` or `target[start:end:step]`, every bound optional (`a[:j]`,
    /// `a[i:]`, `a[:]`). Positioned at the `[`.
    Slice {
        target: Box<Expr>,
        start: Option<Box<Expr>>,
        end: Option<Box<Expr>>,
        step: Option<Box<Expr>>,
    },
    /// `target.name`, or `target?.name` when `optional`. Positioned at the `.` (or `?`).
    Field {
        target: Box<Expr>,
        name: String,
        optional: bool,
    },
    /// `expr as T`. Positioned at `as`.
    Cast { expr: Box<Expr>, ty: TypeExpr },
    /// `[a, b, c]` (trailing comma allowed).
    List(Vec<Expr>),
    /// `{k: v, ...}` (trailing comma allowed); `{}` and `{:}` are the empty map.
    Map(Vec<MapEntry>),
    /// `Name { f: v, ... }` (a struct or a brace variant `C { y: v }`). Positioned at `Name`.
    Struct {
        name: String,
        fields: Vec<FieldInit>,
    },
    /// `if c then a else b` (block = false) or `if c { a } else { b }` (block = true); an
    /// `else if` is an `If` expression in `els`. `els` is `None` when the `else` is missing
    /// (the value is then nil when `c` is false).
    If {
        cond: Box<Expr>,
        then: Box<Expr>,
        els: Option<Box<Expr>>,
    },
    /// `match e { pat => expr ... }` (arms separated by newlines or commas).
    Match {
        scrutinee: Box<Expr>,
        arms: Vec<MatchArm>,
    },
    /// `fun(x: int): int => expr` or `fun(x: int): int { stmts }`. Positioned at `fun`.
    Fun(Box<FunExpr>),
    /// `from x in xs ... select e`. Positioned at `from`.
    Query(Box<Query>),
    /// `load ["path"] as T [with opts]`. Positioned at `load`.
    Load {
        path: Option<String>,
        ty: TypeExpr,
        with: Option<Box<Expr>>,
    },
    /// `save e [to "path"] [with opts]`. Positioned at `save`.
    Save {
        expr: Box<Expr>,
        path: Option<String>,
        with: Option<Box<Expr>>,
    },
}

/// The key of a map literal entry.
#[derive(Clone, Debug, PartialEq)]
pub enum MapKey {
    /// A bare identifier key `{a: 1}`: the string `"a"` (not the variable `a`).
    Name(String),
    /// Any other key expression: `{"a": 1}`, `{1: x}`, `{(k): v}`.
    Expr(Expr),
}

/// `key: value` in a map literal. Positioned at the key.
#[derive(Clone, Debug, PartialEq)]
pub struct MapEntry {
    pub key: MapKey,
    pub value: Expr,
    pub pos: Pos,
}

/// `name: value` in a struct literal or an `update ... set { ... }`. Positioned at the name.
#[derive(Clone, Debug, PartialEq)]
pub struct FieldInit {
    pub name: String,
    pub value: Expr,
    pub pos: Pos,
}

/// `pattern => body` in a `match`. Positioned at the pattern.
#[derive(Clone, Debug, PartialEq)]
pub struct MatchArm {
    pub pattern: Pattern,
    pub body: Expr,
    pub pos: Pos,
}

/// A `match` pattern.
#[derive(Clone, Debug, PartialEq)]
pub struct Pattern {
    pub kind: PatternKind,
    pub pos: Pos,
}

#[derive(Clone, Debug, PartialEq)]
pub enum PatternKind {
    /// `_`
    Wildcard,
    /// `1`, `-1`, `0x10` (a leading `-` is folded into the literal).
    Int(i64),
    /// `1.5`, `-2.0`
    Float(f64),
    /// `"mon"`
    Str(String),
    /// `true`, `false`
    Bool(bool),
    /// `nil`
    Nil,
    /// A bare name: a nullary union variant (`Leaf`) if one of that name is in scope, else a
    /// binding of the matched value (the checker decides).
    Name(String),
    /// `Node(left, value, right)`: a variant whose fields are matched positionally.
    Variant { name: String, args: Vec<Pattern> },
    /// `Node { value: v, left: _ }`: a variant or struct whose fields are matched by name.
    Struct {
        name: String,
        fields: Vec<FieldPattern>,
    },
}

/// `field: pattern` inside a `Name { ... }` pattern. Positioned at the field name.
#[derive(Clone, Debug, PartialEq)]
pub struct FieldPattern {
    pub name: String,
    pub pattern: Pattern,
    pub pos: Pos,
}

/// An anonymous function `fun(params)[: R] => expr` / `fun(params)[: R] { stmts }`.
#[derive(Clone, Debug, PartialEq)]
pub struct FunExpr {
    pub params: Vec<Param>,
    pub ret: Option<TypeExpr>,
    pub body: FunBody,
    /// Position of `fun`.
    pub pos: Pos,
}

#[derive(Clone, Debug, PartialEq)]
pub enum FunBody {
    /// `=> expr`
    Expr(Expr),
    /// `{ stmts }`
    Block(Vec<Stmt>),
}

/// A function parameter `name[: T]` (the type may be omitted in the reference grammar; the
/// checker decides whether that is allowed). Positioned at the name.
#[derive(Clone, Debug, PartialEq)]
pub struct Param {
    pub name: String,
    pub ty: Option<TypeExpr>,
    pub pos: Pos,
}

/// A query expression:
/// `from x in xs [from y in ys]* [[left|right|outer] join [from] z in zs on c]* [where c]
///  [group by k1, k2 into g [having c]] [sort|order by e] [skip n] [take n]
///  select [distinct] e`.
#[derive(Clone, Debug, PartialEq)]
pub struct Query {
    /// `x` of the first `from x in xs`.
    pub var: String,
    /// Position of `x`.
    pub var_pos: Pos,
    /// `xs` of the first `from`.
    pub source: Expr,
    /// Further `from y in ys` clauses (cross products), in order.
    pub froms: Vec<FromClause>,
    /// `join` clauses, in order (after every `from`).
    pub joins: Vec<JoinClause>,
    /// `where c`
    pub filter: Option<Expr>,
    /// `group by k1, k2 into g [having c]`
    pub group: Option<GroupBy>,
    /// `sort by e` / `order by e` (ascending; `sort by -e` for descending).
    pub sort: Option<Expr>,
    /// `skip n`
    pub skip: Option<Expr>,
    /// `take n`
    pub take: Option<Expr>,
    /// `select distinct e`
    pub distinct: bool,
    /// `select e`
    pub select: Expr,
}

/// `from y in ys` after the first one. Positioned at `from`.
#[derive(Clone, Debug, PartialEq)]
pub struct FromClause {
    pub var: String,
    pub source: Expr,
    pub pos: Pos,
}

/// Which rows a join keeps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JoinKind {
    /// `join` (inner)
    Inner,
    /// `left join` (nil for a missing right side)
    Left,
    /// `right join`
    Right,
    /// `outer join`
    Outer,
}

/// `[left|right|outer] join [from] z in zs on cond`. Positioned at the first word.
#[derive(Clone, Debug, PartialEq)]
pub struct JoinClause {
    pub kind: JoinKind,
    pub var: String,
    pub source: Expr,
    pub on: Expr,
    pub pos: Pos,
}

/// `group by k1, k2 into g [having c]`. Positioned at `group`.
#[derive(Clone, Debug, PartialEq)]
pub struct GroupBy {
    pub keys: Vec<Expr>,
    /// `g`
    pub name: String,
    pub having: Option<Expr>,
    pub pos: Pos,
}

// ---------------------------------------------------------------------------------------------
// Statements and declarations
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Debug, PartialEq)]
pub struct Stmt {
    pub kind: StmtKind,
    pub pos: Pos,
}

#[derive(Clone, Debug, PartialEq)]
pub enum StmtKind {
    /// `let name[: T] [= e]` (mutable = false) or `var name[: T] [= e]` (mutable = true).
    Let {
        name: String,
        mutable: bool,
        ty: Option<TypeExpr>,
        init: Option<Expr>,
    },
    /// `place = e`: `x = e`, `xs[i] = e`, `m[k] = e`, `xs[i][j] = e`, `s.f = e`,
    /// `xs[i].f = e`. Positioned at the first token of the place.
    Assign { target: Place, value: Expr },
    /// An expression evaluated for its effect (usually a call).
    Expr(Expr),
    /// `if c { } [else if c { } ...] [else { }]`; an `else if` is an `If` statement alone in
    /// the previous arm's `els`.
    If {
        cond: Expr,
        then: Vec<Stmt>,
        els: Option<Vec<Stmt>>,
    },
    /// `while c { }`
    While { cond: Expr, body: Vec<Stmt> },
    /// `for var in start..end { }` (half-open int range).
    ForRange {
        var: String,
        start: Expr,
        end: Expr,
        body: Vec<Stmt>,
    },
    /// `for var in iter { }` (list elements, map keys, string characters, query results).
    ForIn {
        var: String,
        iter: Expr,
        body: Vec<Stmt>,
    },
    /// `break`
    Break,
    /// `continue`
    Continue,
    /// `return [e]`: the value is present only when it starts on the same line as `return`.
    Return(Option<Expr>),
    /// `[export] fun name[<T>](params)[: R] { }` (top level or nested).
    Fun(FunDecl),
    /// `type ...` declaration.
    Type(TypeDecl),
    /// `test "name" { }`
    Test { name: String, body: Vec<Stmt> },
    /// `expect e`
    Expect(Expr),
    /// `bench "name" { }`
    Bench { name: String, body: Vec<Stmt> },
    /// `update target set { f: e, ... } [where cond]`: fields of each element are visible as
    /// names in the values and in the condition.
    Update {
        target: String,
        set: Vec<FieldInit>,
        filter: Option<Expr>,
    },
    /// `import [lang] "path" [as alias] [auto]` (lang: `go`, `python`, `typescript`, ...).
    Import {
        lang: Option<String>,
        path: String,
        alias: Option<String>,
        auto: bool,
    },
    /// `extern ...` declaration of a host (FFI) entity.
    Extern(ExternDecl),
    /// `package name`
    Package(String),
}

/// An assignable place: a variable followed by any chain of `[index]` and `.field` steps.
#[derive(Clone, Debug, PartialEq)]
pub struct Place {
    pub name: String,
    /// Position of the variable name.
    pub pos: Pos,
    pub steps: Vec<PlaceStep>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum PlaceStep {
    /// `[e]`, positioned at the `[`.
    Index(Expr, Pos),
    /// `.name`, positioned at the `.`.
    Field(String, Pos),
}

/// `[export] fun name[<T, U>](p: T, ...)[: R] { stmts }`. Positioned at `fun` (or `export`).
#[derive(Clone, Debug, PartialEq)]
pub struct FunDecl {
    pub name: String,
    /// Generic type parameters `<T, U>`, empty when absent.
    pub type_params: Vec<String>,
    pub params: Vec<Param>,
    /// `None` when there is no `: R` (void).
    pub ret: Option<TypeExpr>,
    pub body: Vec<Stmt>,
    pub exported: bool,
    pub pos: Pos,
}

/// `type Name ...`. Positioned at `type`.
#[derive(Clone, Debug, PartialEq)]
pub struct TypeDecl {
    pub name: String,
    /// Position of the name.
    pub name_pos: Pos,
    pub kind: TypeDeclKind,
    pub pos: Pos,
}

#[derive(Clone, Debug, PartialEq)]
pub enum TypeDeclKind {
    /// `type Name { f: T  g: U  fun m() {...} }` (also `type Name = { ... }`); fields are
    /// separated by newlines or commas.
    Struct {
        fields: Vec<FieldDecl>,
        methods: Vec<FunDecl>,
    },
    /// `type Name = A | B(x: int) | C { y: T }`, or a single variant with fields
    /// `type Name = Ctor(a: int)`. A leading `|` is allowed.
    Union(Vec<Variant>),
    /// `type Name = T`. Note `type Name = Foo` (a bare name) is parsed as an alias; the checker
    /// may treat it as a single nullary variant if `Foo` is not a type.
    Alias(TypeExpr),
}

/// One variant of a union: `A`, `B(x: int, y: int)` or `C { y: T }`. Positioned at the name.
#[derive(Clone, Debug, PartialEq)]
pub struct Variant {
    pub name: String,
    pub fields: Vec<FieldDecl>,
    pub pos: Pos,
}

/// `extern ...` declarations (host FFI; not executed by this runtime, but a checker may shim
/// well-known modules such as Python's `math`).
#[derive(Clone, Debug, PartialEq)]
pub enum ExternDecl {
    /// `extern fun a.b.c(params)[: R]`; `path` = `["a", "b", "c"]`.
    Fun {
        path: Vec<String>,
        params: Vec<Param>,
        ret: Option<TypeExpr>,
    },
    /// `extern let a.b: T` (mutable = false) / `extern var a.b: T` (mutable = true).
    Var {
        path: Vec<String>,
        mutable: bool,
        ty: TypeExpr,
    },
    /// `extern type Name`
    Type(String),
    /// `extern object Name`
    Object(String),
}

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

impl Expr {
    pub fn new(kind: ExprKind, pos: Pos) -> Expr {
        Expr { kind, pos }
    }
}

impl TypeExpr {
    pub fn new(kind: TypeExprKind, pos: Pos) -> TypeExpr {
        TypeExpr { kind, pos }
    }
}
