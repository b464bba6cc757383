//! Static types -> runtime type ids (`arenas::TypeId`), interned in the program heap's type
//! table. Struct and union types are nominal: each gets its id up front (`declare_types`), so
//! recursive types resolve.

use super::Lowerer;
use crate::types::Type;
use arenas::rtti::{self, TypeDesc};

impl Lowerer<'_> {
    /// Give every struct (and union variant) and union its TypeId, then fill in the
    /// descriptions (fields may name any type, including the struct itself).
    pub(crate) fn declare_types(&mut self) {
        let hir = self.hir;
        for s in &hir.structs {
            let id = self.heap.types.intern(TypeDesc::Struct {
                name: s.name.clone(),
                fields: Vec::new(),
            });
            self.struct_tids.push(id);
        }
        for u in &hir.unions {
            let id = self.heap.types.intern(TypeDesc::Union {
                name: u.name.clone(),
                variants: Vec::new(),
            });
            self.union_tids.push(id);
        }
        for (i, s) in hir.structs.iter().enumerate() {
            let fields = s
                .fields
                .iter()
                .map(|(n, t)| (n.clone(), self.tid(t)))
                .collect();
            let id = self.struct_tids[i];
            self.heap.types.set(
                id,
                TypeDesc::Struct {
                    name: s.name.clone(),
                    fields,
                },
            );
        }
        for (i, u) in hir.unions.iter().enumerate() {
            let variants = u
                .variants
                .iter()
                .map(|v| self.struct_tids[*v as usize])
                .collect();
            let id = self.union_tids[i];
            self.heap.types.set(
                id,
                TypeDesc::Union {
                    name: u.name.clone(),
                    variants,
                },
            );
        }
    }

    /// The runtime TypeId of a static type.
    pub(crate) fn tid(&mut self, t: &Type) -> u32 {
        if let Some(&id) = self.type_ids.get(t) {
            return id;
        }
        let id = match t {
            Type::Int => rtti::INT,
            Type::Float => rtti::FLOAT,
            Type::Bool => rtti::BOOL,
            Type::Str => rtti::STR,
            Type::BigInt => rtti::BIGINT,
            Type::Any | Type::Param(_) => rtti::ANY,
            Type::Nil => rtti::NIL,
            Type::Void => rtti::VOID,
            Type::List(e) => {
                let e = self.tid(e);
                self.heap.types.list_of(e)
            }
            Type::Map(k, v) => {
                let (k, v) = (self.tid(k), self.tid(v));
                self.heap.types.map_of(k, v)
            }
            Type::Optional(i) => {
                let i = self.tid(i);
                self.heap.types.intern(TypeDesc::Optional(i))
            }
            Type::Struct(s) => self.struct_tids[*s as usize],
            Type::Union(u) => self.union_tids[*u as usize],
            Type::Func(ft) => {
                let params = ft.params.iter().map(|p| self.tid(p)).collect();
                let ret = self.tid(&ft.ret);
                self.heap.types.intern(TypeDesc::Func { params, ret })
            }
        };
        self.type_ids.insert(t.clone(), id);
        id
    }
}
