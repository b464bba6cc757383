//! Static types of the implemented slice and their banks.

use crate::program::Bank;
use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Type {
    Int,
    Float,
    Bool,
    Str,
    Void,
}

impl Type {
    /// The register bank a value of this type lives in (None for void).
    pub fn bank(self) -> Option<Bank> {
        match self {
            Type::Int | Type::Bool => Some(Bank::I64),
            Type::Float => Some(Bank::F64),
            Type::Str => Some(Bank::Cell),
            Type::Void => None,
        }
    }

    pub fn is_numeric(self) -> bool {
        matches!(self, Type::Int | Type::Float)
    }
}

impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Type::Int => "int",
            Type::Float => "float",
            Type::Bool => "bool",
            Type::Str => "string",
            Type::Void => "void",
        })
    }
}
