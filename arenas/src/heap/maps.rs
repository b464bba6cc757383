//! Maps. The reference stores every key as a string (int key 1 is the key "1"); we store
//! int and bool keys unboxed in an FxHash table (`MapObj::Int`), and every other key under its
//! string form (a string key's contents, anything else its `str()` format) together with the
//! original key word (`MapObj::Str`). Key order for `keys`/`values`/iteration/printing is the
//! byte order of the string form, as in the reference (int keys 1, 10, 2 sort as "1", "10",
//! "2").

use rustc_hash::FxHashMap;

use super::intmap::IntMap;

use super::{Heap, MapSlot, MAP_SLOT_SIZE};
use crate::rtti::{Bank, TypeDesc, TypeId};
use crate::value::{ArenaKind, Cell};

/// The hash table behind a map slot.
pub enum MapObj {
    /// Keys of an i64-bank type (int, bool), unboxed (a dense part for 0..n, a hash part for
    /// the rest: see `IntMap`).
    Int(IntMap),
    /// Keys by string form -> (original key word, value).
    Str(FxHashMap<Box<str>, (u64, u64)>),
}

impl MapObj {
    pub fn len(&self) -> usize {
        match self {
            MapObj::Int(m) => m.len(),
            MapObj::Str(m) => m.len(),
        }
    }
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Rough bytes per map entry, for GC accounting.
pub(crate) const MAP_ENTRY_BYTES: usize = 32;

impl Heap {
    #[inline]
    fn map_slot(&self, c: Cell) -> &MapSlot {
        self.maps.get(self.idx(c, ArenaKind::Map))
    }

    #[inline]
    pub(crate) fn map_obj(&self, c: Cell) -> &MapObj {
        // SAFETY: a live map slot owns its boxed table.
        unsafe { &*self.map_slot(c).obj }
    }

    #[inline]
    fn map_obj_mut(&mut self, c: Cell) -> &mut MapObj {
        let i = self.idx(c, ArenaKind::Map);
        // SAFETY: as above; &mut self gives exclusive access.
        unsafe { &mut *self.maps.get(i).obj }
    }

    /// An empty `map<key, val>`.
    pub fn new_map(&mut self, key: TypeId, val: TypeId) -> Cell {
        let mut obj = if self.types.bank(key) == Bank::I64 {
            MapObj::Int(IntMap::default())
        } else {
            MapObj::Str(FxHashMap::default())
        };
        let dense = match &mut obj {
            MapObj::Int(m) => m.dense_ptr(),
            MapObj::Str(_) => std::ptr::null_mut(),
        };
        let (i, g) = self.maps.alloc(MapSlot {
            obj: Box::into_raw(Box::new(obj)),
            key,
            val,
            gen: 0,
            flags: 0,
            _pad: 0,
            dense,
        });
        self.note_alloc(MAP_SLOT_SIZE + 64);
        Cell::handle(ArenaKind::Map, g, i)
    }

    pub fn map_key_type(&self, c: Cell) -> TypeId {
        self.map_slot(c).key
    }
    pub fn map_val_type(&self, c: Cell) -> TypeId {
        self.map_slot(c).val
    }

    /// The string form of a key word (what the reference would store).
    pub fn map_key_string(&self, key: u64, key_ty: TypeId) -> String {
        match self.types.get(key_ty) {
            TypeDesc::Str => self.str(Cell(key)).to_string(),
            _ => self.format_str(key, key_ty),
        }
    }

    /// `m[key]` (None when absent).
    #[inline]
    pub fn map_get(&self, c: Cell, key: u64) -> Option<u64> {
        match self.map_obj(c) {
            MapObj::Int(m) => m.get(key as i64),
            MapObj::Str(m) => {
                let kt = self.map_key_type(c);
                if self.types.get(kt) == &TypeDesc::Str {
                    m.get(self.str(Cell(key))).map(|e| e.1)
                } else {
                    m.get(self.format_str(key, kt).as_str()).map(|e| e.1)
                }
            }
        }
    }

    /// `m[k]` for an int-keyed map whose key `k` is in its dense part: the interpreter's fast
    /// path for `MapGet`. None for anything else (a map with other keys, a key outside the
    /// dense part or absent, a value that is not a map handle): the caller runs `map_get`.
    #[inline(always)]
    pub fn map_get_int_fast(&self, c: Cell, k: i64) -> Option<u64> {
        let (kind, _, i) = c.as_handle()?;
        if kind != ArenaKind::Map as u8 {
            return None;
        }
        // SAFETY: a live map slot owns its boxed table.
        match unsafe { &*self.maps.get(i).obj } {
            MapObj::Int(m) => m.get_dense(k),
            MapObj::Str(_) => None,
        }
    }

    /// `m[k] = v` for an int-keyed map whose key `k` lies in its dense span (see
    /// `IntMap::insert_dense`): the interpreter's fast path for `MapSet`, and what tier 2's
    /// `map_set` stencil does inline. It needs no memory, so it skips the GC safepoint. False
    /// when nothing changed: the caller runs the `map_set` helper.
    #[inline(always)]
    pub fn map_set_int_fast(&mut self, c: Cell, k: i64, v: u64) -> bool {
        let Some((kind, _, i)) = c.as_handle() else {
            return false;
        };
        if kind != ArenaKind::Map as u8 {
            return false;
        }
        // SAFETY: as above; &mut self gives exclusive access.
        match unsafe { &mut *self.maps.get(i).obj } {
            MapObj::Int(m) => m.insert_dense(k, v),
            MapObj::Str(_) => false,
        }
    }

    /// `key in m`.
    pub fn map_has(&self, c: Cell, key: u64) -> bool {
        self.map_get(c, key).is_some()
    }

    /// `m[key] = val`.
    #[inline]
    pub fn map_set(&mut self, c: Cell, key: u64, val: u64) {
        if let MapObj::Int(m) = self.map_obj_mut(c) {
            // Grow with try_reserve: a failed growth is `out of memory`, not an abort.
            if m.try_reserve_for(key as i64).is_err() {
                panic!("{}", super::OUT_OF_MEMORY);
            }
            let (_, bytes) = m.insert(key as i64, val);
            self.note_alloc(bytes);
            return;
        }
        let ks = match self.map_obj(c) {
            MapObj::Int(_) => None,
            MapObj::Str(_) => {
                let kt = self.map_key_type(c);
                Some(self.map_key_string(key, kt))
            }
        };
        let added = match (self.map_obj_mut(c), ks) {
            (MapObj::Str(m), Some(k)) => {
                if let Some(e) = m.get_mut(k.as_str()) {
                    e.1 = val;
                    false
                } else {
                    if m.try_reserve(1).is_err() {
                        panic!("{}", super::OUT_OF_MEMORY);
                    }
                    m.insert(k.into_boxed_str(), (key, val));
                    true
                }
            }
            _ => unreachable!(),
        };
        if added {
            self.note_alloc(MAP_ENTRY_BYTES);
        }
    }

    /// Remove `key`; returns whether it was present.
    pub fn map_remove(&mut self, c: Cell, key: u64) -> bool {
        let ks = match self.map_obj(c) {
            MapObj::Int(_) => None,
            MapObj::Str(_) => {
                let kt = self.map_key_type(c);
                Some(self.map_key_string(key, kt))
            }
        };
        match (self.map_obj_mut(c), ks) {
            (MapObj::Int(m), _) => m.remove(key as i64),
            (MapObj::Str(m), Some(k)) => m.remove(k.as_str()).is_some(),
            _ => unreachable!(),
        }
    }

    pub fn map_len(&self, c: Cell) -> i64 {
        self.map_obj(c).len() as i64
    }

    /// `(key, value)` words in key order (byte order of the keys' string forms).
    pub fn map_entries_sorted(&self, c: Cell) -> Vec<(u64, u64)> {
        match self.map_obj(c) {
            MapObj::Int(m) => {
                let kt = self.map_key_type(c);
                let is_bool = self.types.get(kt) == &TypeDesc::Bool;
                let mut v: Vec<(String, u64, u64)> = m
                    .iter()
                    .map(|(k, v)| {
                        let s = if is_bool {
                            crate::format::bool_str(k != 0).to_string()
                        } else {
                            k.to_string()
                        };
                        (s, k as u64, v)
                    })
                    .collect();
                v.sort_unstable_by(|a, b| a.0.cmp(&b.0));
                v.into_iter().map(|(_, k, v)| (k, v)).collect()
            }
            MapObj::Str(m) => {
                let mut v: Vec<(&str, u64, u64)> =
                    m.iter().map(|(s, &(k, v))| (&**s, k, v)).collect();
                v.sort_unstable_by(|a, b| a.0.cmp(b.0));
                v.into_iter().map(|(_, k, v)| (k, v)).collect()
            }
        }
    }

    /// `keys(m)` / `for k in m`: key words in key order.
    pub fn map_keys_sorted(&self, c: Cell) -> Vec<u64> {
        self.map_entries_sorted(c)
            .into_iter()
            .map(|e| e.0)
            .collect()
    }

    /// `values(m)`: values in key order.
    pub fn map_values_sorted(&self, c: Cell) -> Vec<u64> {
        self.map_entries_sorted(c)
            .into_iter()
            .map(|e| e.1)
            .collect()
    }

    /// `keys(m)` as a new `list<K>`.
    pub fn map_keys_list(&mut self, c: Cell) -> Cell {
        let kt = self.map_key_type(c);
        let ks = self.map_keys_sorted(c);
        self.list_from(kt, &ks)
    }

    /// `values(m)` as a new `list<V>`.
    pub fn map_values_list(&mut self, c: Cell) -> Cell {
        let vt = self.map_val_type(c);
        let vs = self.map_values_sorted(c);
        self.list_from(vt, &vs)
    }
}
