//! Deep equality, ordering and hashing over (word, TypeId) pairs.
//!
//! `==` is structural (lists element-wise, maps and structs entry-wise, where a struct is a
//! map with a `"__name"` entry as in the reference), and numbers compare numerically across
//! int, float and bigint (int 1 == float 1.0). Hashing agrees with equality.

use std::cmp::Ordering;
use std::hash::{Hash, Hasher};

use num_bigint::BigInt;
use num_traits::ToPrimitive;
use rustc_hash::FxHasher;

use crate::format::EntryVal;
use crate::heap::{Heap, V};
use crate::rtti::TypeId;
use crate::value::Cell;

/// Rank of a value's kind, for ordering values of different kinds (nil first).
fn rank(v: &V) -> u8 {
    match v {
        V::Nil => 0,
        V::Bool(_) => 1,
        V::Int(_) | V::Float(_) | V::Big(_) => 2,
        V::Str(_) => 3,
        V::List(_) => 4,
        V::Map(_) | V::Rec(_) => 5,
    }
}

fn num_cmp(a: &V, b: &V) -> Option<Ordering> {
    Some(match (a, b) {
        (V::Int(x), V::Int(y)) => x.cmp(y),
        (V::Big(x), V::Big(y)) => x.cmp(y),
        (V::Big(x), V::Int(y)) => (*x).cmp(&BigInt::from(*y)),
        (V::Int(x), V::Big(y)) => BigInt::from(*x).cmp(y),
        _ => {
            let f = |v: &V| match v {
                V::Int(i) => Some(*i as f64),
                V::Float(f) => Some(*f),
                V::Big(b) => b.to_f64(),
                _ => None,
            };
            f(a)?.partial_cmp(&f(b)?).unwrap_or(Ordering::Equal)
        }
    })
}

impl Heap {
    /// Deep structural equality of two words of static type `ty`.
    pub fn values_equal(&self, a: u64, b: u64, ty: TypeId) -> bool {
        self.eq_v(self.view(a, ty), self.view(b, ty))
    }

    /// Deep equality of two words of different static types (e.g. `list<int>` vs `list<any>`
    /// elements).
    pub fn values_equal2(&self, a: u64, ta: TypeId, b: u64, tb: TypeId) -> bool {
        self.eq_v(self.view(a, ta), self.view(b, tb))
    }

    fn entry_v<'a>(&'a self, e: &EntryVal<'a>) -> V<'a> {
        match e {
            EntryVal::Word(w, t) => self.view(*w, *t),
            EntryVal::Name(n) => V::Str(n),
        }
    }

    fn eq_entry(&self, a: &EntryVal, b: &EntryVal) -> bool {
        self.eq_v(self.entry_v(a), self.entry_v(b))
    }

    pub(crate) fn eq_v(&self, a: V<'_>, b: V<'_>) -> bool {
        match (a, b) {
            (V::Nil, V::Nil) => true,
            (V::Bool(x), V::Bool(y)) => x == y,
            (V::Str(x), V::Str(y)) => x == y,
            (V::Int(_) | V::Float(_) | V::Big(_), V::Int(_) | V::Float(_) | V::Big(_)) => {
                matches!(a, V::Float(f) if f.is_nan()) == matches!(b, V::Float(f) if f.is_nan())
                    && !matches!(a, V::Float(f) if f.is_nan())
                    && num_cmp(&a, &b) == Some(Ordering::Equal)
            }
            (V::List(x), V::List(y)) => {
                if x == y {
                    return true;
                }
                let (wx, wy) = (self.list_words(x), self.list_words(y));
                let (tx, ty) = (self.list_elem_type(x), self.list_elem_type(y));
                wx.len() == wy.len()
                    && wx
                        .iter()
                        .zip(wy)
                        .all(|(&p, &q)| self.eq_v(self.view(p, tx), self.view(q, ty)))
            }
            (V::Rec(x), V::Rec(y)) if self.is_closure(x) || self.is_closure(y) => x == y,
            (V::Map(x) | V::Rec(x), V::Map(y) | V::Rec(y)) => {
                if x == y {
                    return true;
                }
                let (ex, ey) = (self.entries(x), self.entries(y));
                ex.len() == ey.len()
                    && ex
                        .iter()
                        .zip(&ey)
                        .all(|((kx, vx), (ky, vy))| kx == ky && self.eq_entry(vx, vy))
            }
            _ => false,
        }
    }

    /// Ordering for `<`, `sort by`, `min`/`max`: numbers numerically, strings by bytes, bools
    /// false < true, nil first, lists element-wise then by length, maps/structs entry-wise.
    /// Values of different kinds order by kind (nil < bool < number < string < list < map).
    pub fn compare(&self, a: u64, b: u64, ty: TypeId) -> Ordering {
        self.cmp_v(self.view(a, ty), self.view(b, ty))
    }

    /// [`Heap::compare`] for words of different static types.
    pub fn compare2(&self, a: u64, ta: TypeId, b: u64, tb: TypeId) -> Ordering {
        self.cmp_v(self.view(a, ta), self.view(b, tb))
    }

    pub(crate) fn cmp_v(&self, a: V<'_>, b: V<'_>) -> Ordering {
        if let Some(o) = num_cmp(&a, &b) {
            return o;
        }
        match (a, b) {
            (V::Bool(x), V::Bool(y)) => x.cmp(&y),
            (V::Str(x), V::Str(y)) => x.as_bytes().cmp(y.as_bytes()),
            (V::List(x), V::List(y)) => {
                let (wx, wy) = (self.list_words(x), self.list_words(y));
                let (tx, ty) = (self.list_elem_type(x), self.list_elem_type(y));
                for (&p, &q) in wx.iter().zip(wy) {
                    let o = self.cmp_v(self.view(p, tx), self.view(q, ty));
                    if o != Ordering::Equal {
                        return o;
                    }
                }
                wx.len().cmp(&wy.len())
            }
            (V::Map(x) | V::Rec(x), V::Map(y) | V::Rec(y)) => {
                let (ex, ey) = (self.entries(x), self.entries(y));
                for ((kx, vx), (ky, vy)) in ex.iter().zip(&ey) {
                    let o = kx.as_bytes().cmp(ky.as_bytes());
                    if o != Ordering::Equal {
                        return o;
                    }
                    let o = self.cmp_v(self.entry_v(vx), self.entry_v(vy));
                    if o != Ordering::Equal {
                        return o;
                    }
                }
                ex.len().cmp(&ey.len())
            }
            (a, b) => rank(&a).cmp(&rank(&b)),
        }
    }

    /// A hash consistent with [`Heap::values_equal`] (equal values hash equally, including
    /// int 1 and float 1.0 inside `any`).
    pub fn hash_word(&self, w: u64, ty: TypeId) -> u64 {
        let mut h = FxHasher::default();
        self.hash_v(self.view(w, ty), &mut h, 0);
        h.finish()
    }

    fn hash_v(&self, v: V<'_>, h: &mut FxHasher, depth: u32) {
        if depth > 32 {
            return; // deep or cyclic: a prefix hash is still consistent with equality
        }
        match v {
            V::Nil => 0u8.hash(h),
            V::Bool(b) => (1u8, b).hash(h),
            V::Int(i) => (2u8, i).hash(h),
            V::Float(f) => {
                if f.fract() == 0.0 && f.abs() < 9.2e18 {
                    (2u8, f as i64).hash(h)
                } else {
                    (2u8, f.to_bits()).hash(h)
                }
            }
            V::Big(b) => match b.to_i64() {
                Some(i) => (2u8, i).hash(h),
                None => (2u8, b.to_string()).hash(h),
            },
            V::Str(s) => (3u8, s).hash(h),
            V::List(c) => {
                4u8.hash(h);
                let t = self.list_elem_type(c);
                let ws = self.list_words(c);
                ws.len().hash(h);
                for &w in ws {
                    self.hash_v(self.view(w, t), h, depth + 1);
                }
            }
            V::Rec(c) if self.is_closure(c) => (6u8, c.0).hash(h),
            V::Map(c) | V::Rec(c) => {
                5u8.hash(h);
                for (k, e) in self.entries(c) {
                    k.hash(h);
                    match e {
                        EntryVal::Word(w, t) => self.hash_v(self.view(w, t), h, depth + 1),
                        EntryVal::Name(n) => self.hash_v(V::Str(n), h, depth + 1),
                    }
                }
            }
        }
    }

    /// Whether a Cell is nil.
    pub fn is_nil(&self, c: Cell) -> bool {
        c.is_nil()
    }
}
