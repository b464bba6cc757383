//! Runtime type information: the types the compiler hands to the heap so that a word (whose
//! meaning depends on its static type) can be formatted, compared, hashed and traced.

use rustc_hash::FxHashMap;

/// Index into [`TypeTable::types`].
pub type TypeId = u32;

pub const INT: TypeId = 0;
pub const FLOAT: TypeId = 1;
pub const BOOL: TypeId = 2;
pub const STR: TypeId = 3;
pub const BIGINT: TypeId = 4;
pub const ANY: TypeId = 5;
/// The type of the literal `nil`.
pub const NIL: TypeId = 6;
pub const VOID: TypeId = 7;
/// `list<string>` (fixed so that `split` needs no interning).
pub const LIST_STR: TypeId = 8;

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum TypeDesc {
    Int,
    Float,
    Bool,
    Str,
    BigInt,
    Any,
    /// The type of the literal nil.
    Nil,
    Void,
    List(TypeId),
    /// `Map(key, value)`.
    Map(TypeId, TypeId),
    Optional(TypeId),
    /// A struct type, or one variant of a union (then `name` is the variant name).
    Struct {
        name: String,
        fields: Vec<(String, TypeId)>,
    },
    /// Each variant is the TypeId of a `Struct` desc.
    Union {
        name: String,
        variants: Vec<TypeId>,
    },
    Func {
        params: Vec<TypeId>,
        ret: TypeId,
    },
}

/// Which frame bank (and which element representation) a static type selects.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bank {
    /// Raw i64 (int; bool as 0/1).
    I64,
    /// Raw f64 bits.
    F64,
    /// A [`crate::Cell`].
    Cell,
}

/// All types of a program. Ids 0..=8 are fixed: [`INT`], [`FLOAT`], [`BOOL`], [`STR`],
/// [`BIGINT`], [`ANY`], [`NIL`], [`VOID`], [`LIST_STR`].
#[derive(Clone, Debug)]
pub struct TypeTable {
    pub types: Vec<TypeDesc>,
    dedup: FxHashMap<TypeDesc, TypeId>,
}

impl Default for TypeTable {
    fn default() -> Self {
        Self::new()
    }
}

impl TypeTable {
    pub fn new() -> Self {
        let mut t = TypeTable {
            types: Vec::new(),
            dedup: FxHashMap::default(),
        };
        for d in [
            TypeDesc::Int,
            TypeDesc::Float,
            TypeDesc::Bool,
            TypeDesc::Str,
            TypeDesc::BigInt,
            TypeDesc::Any,
            TypeDesc::Nil,
            TypeDesc::Void,
            TypeDesc::List(STR),
        ] {
            t.intern(d);
        }
        t
    }

    /// Add a type. Structurally equal scalar, `List`, `Map`, `Optional` and `Func` descs are
    /// deduplicated (same id); every `Struct` / `Union` gets a new id (nominal types).
    pub fn intern(&mut self, d: TypeDesc) -> TypeId {
        let dedup = !matches!(d, TypeDesc::Struct { .. } | TypeDesc::Union { .. });
        if dedup {
            if let Some(&id) = self.dedup.get(&d) {
                return id;
            }
        }
        let id = self.types.len() as TypeId;
        if dedup {
            self.dedup.insert(d.clone(), id);
        }
        self.types.push(d);
        id
    }

    /// Replace the desc of `t` (for recursive types: intern a placeholder, then fill it in).
    pub fn set(&mut self, t: TypeId, d: TypeDesc) {
        self.types[t as usize] = d;
    }

    pub fn get(&self, t: TypeId) -> &TypeDesc {
        &self.types[t as usize]
    }

    pub fn bank(&self, t: TypeId) -> Bank {
        match self.get(t) {
            TypeDesc::Int | TypeDesc::Bool => Bank::I64,
            TypeDesc::Float => Bank::F64,
            _ => Bank::Cell,
        }
    }

    pub fn list_of(&mut self, elem: TypeId) -> TypeId {
        self.intern(TypeDesc::List(elem))
    }
    pub fn map_of(&mut self, k: TypeId, v: TypeId) -> TypeId {
        self.intern(TypeDesc::Map(k, v))
    }

    /// The display name of a struct or variant type (`None` for other types).
    pub fn struct_name(&self, t: TypeId) -> Option<&str> {
        match self.get(t) {
            TypeDesc::Struct { name, .. } => Some(name),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_ids_and_dedup() {
        let mut t = TypeTable::new();
        assert_eq!(t.get(INT), &TypeDesc::Int);
        assert_eq!(t.get(LIST_STR), &TypeDesc::List(STR));
        assert_eq!(t.intern(TypeDesc::List(STR)), LIST_STR);
        let a = t.intern(TypeDesc::Map(STR, INT));
        assert_eq!(t.intern(TypeDesc::Map(STR, INT)), a);
        let s1 = t.intern(TypeDesc::Struct {
            name: "P".into(),
            fields: vec![],
        });
        let s2 = t.intern(TypeDesc::Struct {
            name: "P".into(),
            fields: vec![],
        });
        assert_ne!(s1, s2);
        assert_eq!(t.bank(BOOL), Bank::I64);
        assert_eq!(t.bank(FLOAT), Bank::F64);
        assert_eq!(t.bank(a), Bank::Cell);
        assert_eq!(t.bank(ANY), Bank::Cell);
    }
}
