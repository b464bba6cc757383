//! The abstract syntax tree produced by `parser` and consumed by `check` + `compile`.
//!
//! Every node carries a `Pos` (1-based line and column of its first character) so that
//! type and runtime errors can be reported as `FILE:LINE:COL: error: MESSAGE`.

pub use crate::error::Pos;

/// A type as written in the source (`int`, `list<int>`, `fun(int): bool`, ...).
#[derive(Clone, Debug, PartialEq)]
pub enum TypeExpr {
    /// A plain name: `int`, `float`, `bool`, `string`, `void`, a user type name.
    Name(String, Pos),
    /// `Name<T, U>`: `list<int>`, `map<string, int>`.
    Generic(String, Vec<TypeExpr>, Pos),
    /// `fun(T, U): R` (ret is None for no return type).
    Fun(Vec<TypeExpr>, Option<Box<TypeExpr>>, Pos),
    /// `T?`
    Optional(Box<TypeExpr>, Pos),
    /// `{a: int, b: string}`
    Struct(Vec<(String, TypeExpr)>, Pos),
}

impl TypeExpr {
    pub fn pos(&self) -> Pos {
        match self {
            TypeExpr::Name(_, p)
            | TypeExpr::Generic(_, _, p)
            | TypeExpr::Fun(_, _, p)
            | TypeExpr::Optional(_, p)
            | TypeExpr::Struct(_, p) => *p,
        }
    }
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
    And,
    Or,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnOp {
    Neg,
    Not,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub pos: Pos,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    Int(i64),
    Float(f64),
    Bool(bool),
    Str(String),
    Ident(String),
    /// Binary operator. `pos` of the enclosing Expr is the operator's position.
    Binary(BinOp, Box<Expr>, Box<Expr>),
    Unary(UnOp, Box<Expr>),
    /// `callee(args)`; in this slice the callee is always an `Ident`.
    Call(Box<Expr>, Vec<Expr>),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Param {
    pub name: String,
    pub ty: TypeExpr,
    pub pos: Pos,
}

#[derive(Clone, Debug, PartialEq)]
pub struct FunDecl {
    pub name: String,
    pub params: Vec<Param>,
    /// None when the declaration has no `: R` (returns void).
    pub ret: Option<TypeExpr>,
    pub body: Vec<Stmt>,
    pub pos: Pos,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Stmt {
    pub kind: StmtKind,
    pub pos: Pos,
}

#[derive(Clone, Debug, PartialEq)]
pub enum StmtKind {
    /// `let name[: T] [= e]` (mutable = false) or `var ...` (mutable = true).
    Let {
        name: String,
        mutable: bool,
        ty: Option<TypeExpr>,
        init: Option<Expr>,
    },
    /// `name = e`
    Assign {
        name: String,
        value: Expr,
    },
    /// `if cond { then } else ...`; an `else if` is an `If` alone inside `els`.
    If {
        cond: Expr,
        then: Vec<Stmt>,
        els: Option<Vec<Stmt>>,
    },
    While {
        cond: Expr,
        body: Vec<Stmt>,
    },
    /// `for var in start..end { body }`
    ForRange {
        var: String,
        start: Expr,
        end: Expr,
        body: Vec<Stmt>,
    },
    Break,
    Continue,
    Return(Option<Expr>),
    Expr(Expr),
    Fun(FunDecl),
}

/// A whole source file: its top-level statements in order (function declarations included).
#[derive(Clone, Debug, PartialEq)]
pub struct Program {
    pub stmts: Vec<Stmt>,
}
