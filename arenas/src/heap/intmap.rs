//! The table behind an int-keyed map: a dense part for the keys `0..dense.len()` (an array
//! indexed by the key, as Lua's tables have an array part) and a hash part for every other
//! key. A key lives in exactly one of the two. Keys inserted in ascending order from 0, the
//! common way such maps are filled, all land in the dense part: a lookup is a bounds check
//! and a load.

use rustc_hash::FxHashMap;

/// Marks an absent dense entry (values are raw words of any bank, so presence is kept apart).
#[derive(Default)]
pub struct IntMap {
    dense: Vec<u64>,
    present: Vec<bool>,
    dense_len: usize,
    hash: FxHashMap<i64, u64>,
}

impl IntMap {
    pub fn len(&self) -> usize {
        self.dense_len + self.hash.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    #[inline]
    pub fn get(&self, k: i64) -> Option<u64> {
        if let Some(&p) = self.present.get(k as u64 as usize) {
            return p.then(|| self.dense[k as usize]);
        }
        if self.hash.is_empty() {
            return None;
        }
        self.hash.get(&k).copied()
    }

    /// The value of a key of the dense part (the interpreter's fast path): None when `k` is
    /// outside it or absent there (the caller then takes the general route, `get`).
    #[inline(always)]
    pub fn get_dense(&self, k: i64) -> Option<u64> {
        let i = k as u64 as usize;
        if i < self.present.len() && self.present[i] {
            return Some(self.dense[i]);
        }
        None
    }

    /// `insert` when it needs no memory: `k` is in the dense part, or is its next key and both
    /// vectors have spare capacity. Some(true when the key is new), or None (nothing changed:
    /// the caller takes the general route, which may grow the table).
    #[inline(always)]
    pub fn insert_no_grow(&mut self, k: i64, v: u64) -> Option<bool> {
        let i = k as u64 as usize;
        if i < self.dense.len() {
            self.dense[i] = v;
            let new = !self.present[i];
            self.present[i] = true;
            self.dense_len += new as usize;
            return Some(new);
        }
        if i == self.dense.len()
            && self.hash.is_empty()
            && self.dense.len() < self.dense.capacity()
            && self.present.len() < self.present.capacity()
        {
            self.dense.push(v);
            self.present.push(true);
            self.dense_len += 1;
            return Some(true);
        }
        None
    }

    /// Insert or replace; true when the key is new.
    #[inline]
    pub fn insert(&mut self, k: i64, v: u64) -> bool {
        if let Some(new) = self.insert_no_grow(k, v) {
            return new;
        }
        let i = k as u64 as usize;
        // The next key of the dense part (and not already hashed): grow it.
        if i == self.dense.len() && (self.hash.is_empty() || !self.hash.contains_key(&k)) {
            self.dense.push(v);
            self.present.push(true);
            self.dense_len += 1;
            return true;
        }
        self.hash.insert(k, v).is_none()
    }

    pub fn remove(&mut self, k: i64) -> bool {
        let i = k as u64 as usize;
        if i < self.dense.len() {
            let was = self.present[i];
            self.present[i] = false;
            self.dense_len -= was as usize;
            return was;
        }
        self.hash.remove(&k).is_some()
    }

    /// Make room for inserting key `k` in whichever part it lands in, or fail without
    /// aborting (the heap reports `out of memory`).
    pub fn try_reserve_for(&mut self, k: i64) -> Result<(), std::collections::TryReserveError> {
        let i = k as u64 as usize;
        if i < self.dense.len() {
            return Ok(());
        }
        if i == self.dense.len() && (self.hash.is_empty() || !self.hash.contains_key(&k)) {
            self.dense.try_reserve(1)?;
            return self.present.try_reserve(1);
        }
        self.hash.try_reserve(1)
    }

    /// Every `(key, value)`, in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = (i64, u64)> + '_ {
        self.present
            .iter()
            .enumerate()
            .filter(|(_, &p)| p)
            .map(|(i, _)| (i as i64, self.dense[i]))
            .chain(self.hash.iter().map(|(&k, &v)| (k, v)))
    }

    /// Every value, in no particular order.
    pub fn values(&self) -> impl Iterator<Item = u64> + '_ {
        self.iter().map(|(_, v)| v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dense_and_hashed_keys_agree_with_a_hash_map() {
        let mut m = IntMap::default();
        let mut r = std::collections::HashMap::new();
        let mut x: u64 = 7;
        for step in 0..20_000u64 {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            // Mostly ascending keys from 0, some random ones, negatives, removals.
            let k = match x >> 61 {
                0..=3 => (step / 2) as i64,
                4 => (x >> 40) as i64 % 50_000,
                5 => -((x >> 50) as i64),
                _ => (x >> 50) as i64 % 300,
            };
            if x & 15 == 0 {
                assert_eq!(m.remove(k), r.remove(&k).is_some(), "remove {k}");
            } else {
                assert_eq!(m.insert(k, step), r.insert(k, step).is_none(), "insert {k}");
            }
            assert_eq!(m.len(), r.len());
        }
        for k in -2000..60_000i64 {
            assert_eq!(m.get(k), r.get(&k).copied(), "get {k}");
        }
        let mut a: Vec<(i64, u64)> = m.iter().collect();
        let mut b: Vec<(i64, u64)> = r.into_iter().collect();
        a.sort_unstable();
        b.sort_unstable();
        assert_eq!(a, b);
    }
}
