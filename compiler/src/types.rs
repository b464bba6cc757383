//! Static types, as the checker infers them and the typed tree (`crate::hir`) records them.
//!
//! Every type has a *bank* ([`Bank`]): the register bank its values live in. `int` and `bool`
//! are raw i64 words, `float` raw f64 words, everything else is an 8-byte `Cell` (a NaN-box:
//! nil, bool, small int, float, or a handle into a typed arena). Values of type `any` and of
//! optional types are self-describing Cells, so an `int` flowing into `any` or `int?` is boxed
//! (an explicit [`crate::hir::Conv`] in the typed tree).

use std::fmt;
pub use vm::program::Bank;

/// Index of a user struct type (or a union variant) in `hir::Program::structs`.
pub type StructId = u32;
/// Index of a user union type in `hir::Program::unions`.
pub type UnionId = u32;

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Type {
    Int,
    Float,
    Bool,
    Str,
    BigInt,
    /// No value: the result of a function without a return type. Never a slot.
    Void,
    /// The type of the literal `nil` before it meets an optional/any context.
    Nil,
    /// Any value (a self-describing Cell).
    Any,
    List(Box<Type>),
    Map(Box<Type>, Box<Type>),
    /// `T?`: nil or a T (a Cell; an int inside is boxed).
    Optional(Box<Type>),
    /// A struct type, or one variant of a union (variants are structs whose `union` is set).
    Struct(StructId),
    /// A union type: a value is one of its variants.
    Union(UnionId),
    /// A function value (a closure record).
    Func(Box<FuncType>),
    /// A generic type parameter of a function (`fun f<T>(x: T)`), represented as `any` at
    /// run time.
    Param(String),
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct FuncType {
    pub params: Vec<Type>,
    pub ret: Type,
}

impl Type {
    pub fn list(t: Type) -> Type {
        Type::List(Box::new(t))
    }
    pub fn map(k: Type, v: Type) -> Type {
        Type::Map(Box::new(k), Box::new(v))
    }
    pub fn optional(t: Type) -> Type {
        match t {
            Type::Optional(_) | Type::Any | Type::Nil => t,
            t => Type::Optional(Box::new(t)),
        }
    }
    pub fn func(params: Vec<Type>, ret: Type) -> Type {
        Type::Func(Box::new(FuncType { params, ret }))
    }

    /// The bank a value of this type lives in; `None` for `void`.
    pub fn bank(&self) -> Option<Bank> {
        match self {
            Type::Int | Type::Bool => Some(Bank::I64),
            Type::Float => Some(Bank::F64),
            Type::Void => None,
            _ => Some(Bank::Cell),
        }
    }

    pub fn is_numeric(&self) -> bool {
        matches!(self, Type::Int | Type::Float)
    }
}

/// Printed as Mochi source writes it; user types print as `struct#N` / `union#N` (the checker
/// has the names and renders its own messages).
impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Type::Int => f.write_str("int"),
            Type::Float => f.write_str("float"),
            Type::Bool => f.write_str("bool"),
            Type::Str => f.write_str("string"),
            Type::BigInt => f.write_str("bigint"),
            Type::Void => f.write_str("void"),
            Type::Nil => f.write_str("nil"),
            Type::Any => f.write_str("any"),
            Type::List(t) => write!(f, "list<{t}>"),
            Type::Map(k, v) => write!(f, "map<{k}, {v}>"),
            Type::Optional(t) => write!(f, "{t}?"),
            Type::Struct(i) => write!(f, "struct#{i}"),
            Type::Union(i) => write!(f, "union#{i}"),
            Type::Func(ft) => {
                f.write_str("fun(")?;
                for (i, p) in ft.params.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{p}")?;
                }
                f.write_str(")")?;
                if ft.ret != Type::Void {
                    write!(f, ": {}", ft.ret)?;
                }
                Ok(())
            }
            Type::Param(n) => f.write_str(n),
        }
    }
}
