//! The table behind an int-keyed map: a dense part for the keys `0..span` (an array indexed by
//! the key, as Lua's tables have an array part) and a hash part for every other key. A key
//! lives in exactly one of the two. Keys inserted in ascending order from 0, the common way
//! such maps are filled, all land in the dense part: a lookup is a bounds check and a load.
//!
//! The dense part's words are laid out for native code ([`IntDense`], `stencils/src/mochi.h`):
//! a map slot points at it, and tier 2 reads and writes keys inside the span without calling
//! into Rust. Its span is the whole of its allocation (absent keys are marked in `present`),
//! so setting a key inside the span never allocates; the span grows (doubling) only in Rust,
//! when the key just past it is set while at least half of the span is present. Memory is
//! accounted when the span grows, not per key, so a set inside the span needs no accounting.

use rustc_hash::FxHashMap;
use std::mem::MaybeUninit;

/// The dense part as native code sees it (`IntDense` in `stencils/src/mochi.h`): keys
/// `0..len` live here, key k present when `present[k] != 0`, its value `data[k]`; the keys
/// present are counted in `counts`, key k in `counts[k % COUNT_STRIPES]` (their sum is the
/// count). Native code writes `data[k]`, `present[k]` and `counts[k % COUNT_STRIPES]` for
/// `k < len`; only Rust changes `data`, `present` or `len` (when it grows the span).
///
/// Why stripes: a loop filling keys in order (`m[i] = v`) adds 1 to the count on every set, a
/// read-modify-write through memory that each set waits for (store-to-load forwarding, about
/// 6 cycles); with four counters each waits for the set four keys back. maps_fill_sum ran
/// 1.2x faster under `--jit=auto`.
#[repr(C)]
#[derive(Debug)]
pub struct IntDense {
    pub data: *mut u64,
    pub present: *mut u8,
    pub len: u64,
    pub counts: [u64; COUNT_STRIPES],
}

/// Counters of [`IntDense`] (`COUNT_STRIPES` in `stencils/src/mochi.h`).
pub const COUNT_STRIPES: usize = 4;

impl IntDense {
    /// The keys present in the span.
    pub fn count(&self) -> u64 {
        self.counts.iter().sum()
    }
}

/// Bytes of one key of the dense span (its word and its presence byte), for GC accounting.
pub const DENSE_KEY_BYTES: usize = 9;

/// Bytes accounted for a key of the hash part.
pub const HASH_KEY_BYTES: usize = 32;

/// The smallest span the dense part grows to.
const MIN_SPAN: usize = 8;

pub struct IntMap {
    /// Own the dense part's memory (each as long as the span); accessed only through the
    /// pointers in `dense`, which native code uses too.
    /// (A word is written when its key is set, and read only while the key is present: the
    /// span's growth leaves the new words uninitialised instead of zeroing them.)
    data: Vec<MaybeUninit<u64>>,
    present: Vec<u8>,
    /// Boxed so its address, which the map slot holds, never changes.
    dense: Box<IntDense>,
    hash: FxHashMap<i64, u64>,
}

impl Default for IntMap {
    fn default() -> IntMap {
        let (mut data, mut present) = (Vec::new(), Vec::new());
        let dense = Box::new(IntDense {
            data: data.as_mut_ptr() as *mut u64,
            present: present.as_mut_ptr(),
            len: 0,
            counts: [0; COUNT_STRIPES],
        });
        IntMap {
            data,
            present,
            dense,
            hash: FxHashMap::default(),
        }
    }
}

impl IntMap {
    /// The dense part's address (stable for the map's life), for the map slot.
    pub fn dense_ptr(&mut self) -> *mut IntDense {
        &mut *self.dense
    }

    pub fn len(&self) -> usize {
        self.dense.count() as usize + self.hash.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The dense index of `k`, if `k` lies in the span.
    #[inline(always)]
    fn dense_index(&self, k: i64) -> Option<usize> {
        let i = k as u64;
        (i < self.dense.len).then_some(i as usize)
    }

    #[inline(always)]
    fn is_present(&self, i: usize) -> bool {
        // SAFETY: i < len, the length of both arrays.
        unsafe { *self.dense.present.add(i) != 0 }
    }

    #[inline(always)]
    fn value(&self, i: usize) -> u64 {
        // SAFETY: as above.
        unsafe { *self.dense.data.add(i) }
    }

    /// Set dense key `i < len`; true when it is new.
    #[inline(always)]
    fn set_dense(&mut self, i: usize, v: u64) -> bool {
        let d = &mut *self.dense;
        // SAFETY: i < len, the length of both arrays.
        unsafe {
            *d.data.add(i) = v;
            let p = d.present.add(i);
            let new = *p == 0;
            *p = 1;
            d.counts[i % COUNT_STRIPES] += new as u64;
            new
        }
    }

    #[inline]
    pub fn get(&self, k: i64) -> Option<u64> {
        if let Some(i) = self.dense_index(k) {
            return self.is_present(i).then(|| self.value(i));
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
        let i = self.dense_index(k)?;
        self.is_present(i).then(|| self.value(i))
    }

    /// `insert` of a key inside the dense span (which needs no memory): false when `k` lies
    /// outside it and nothing changed (the caller takes the general route, which may grow the
    /// table). The same as tier 2's inline `map_set`.
    #[inline(always)]
    pub fn insert_dense(&mut self, k: i64, v: u64) -> bool {
        match self.dense_index(k) {
            Some(i) => {
                self.set_dense(i, v);
                true
            }
            None => false,
        }
    }

    /// Whether setting `k` grows the dense span: `k` is the key just past it, and at least half
    /// of the span is present (so the span stays at least a quarter full when it doubles).
    fn grows_span(&self, k: i64) -> bool {
        k as u64 == self.dense.len && 2 * self.dense.count() >= self.dense.len
    }

    /// Insert or replace; true when the key is new. The second value is the bytes to account
    /// for it: what the dense span grew by, or a new hashed key's `HASH_KEY_BYTES`.
    #[inline]
    pub fn insert(&mut self, k: i64, v: u64) -> (bool, usize) {
        if let Some(i) = self.dense_index(k) {
            return (self.set_dense(i, v), 0);
        }
        if self.grows_span(k) {
            let grown = self.grow_span();
            // (grow_span moved every hashed key of the new span into it, k's included)
            return (self.set_dense(k as usize, v), grown);
        }
        let new = self.hash.insert(k, v).is_none();
        (new, if new { HASH_KEY_BYTES } else { 0 })
    }

    /// Double the span (at least `MIN_SPAN`), moving the hashed keys it now covers into it.
    /// Returns the bytes it added. Panics with the heap's out-of-memory message when the memory
    /// cannot be had.
    fn grow_span(&mut self) -> usize {
        let old = self.dense.len as usize;
        let new = (2 * old).max(MIN_SPAN);
        if self.data.try_reserve_exact(new - old).is_err()
            || self.present.try_reserve_exact(new - old).is_err()
        {
            panic!("{}", super::OUT_OF_MEMORY);
        }
        // SAFETY: reserved above; the new words are `MaybeUninit`.
        unsafe { self.data.set_len(new) };
        self.present.resize(new, 0);
        let d = &mut *self.dense;
        d.data = self.data.as_mut_ptr() as *mut u64;
        d.present = self.present.as_mut_ptr();
        d.len = new as u64;
        if !self.hash.is_empty() {
            for k in old..new {
                if let Some(v) = self.hash.remove(&(k as i64)) {
                    self.set_dense(k, v);
                }
            }
        }
        (new - old) * DENSE_KEY_BYTES
    }

    pub fn remove(&mut self, k: i64) -> bool {
        if let Some(i) = self.dense_index(k) {
            let d = &mut *self.dense;
            // SAFETY: i < len.
            unsafe {
                let p = d.present.add(i);
                let was = *p != 0;
                *p = 0;
                d.counts[i % COUNT_STRIPES] -= was as u64;
                return was;
            }
        }
        self.hash.remove(&k).is_some()
    }

    /// Make room for inserting key `k` in the hash part if it lands there, or fail without
    /// aborting (the heap reports `out of memory`; the dense part's growth reports it itself).
    pub fn try_reserve_for(&mut self, k: i64) -> Result<(), std::collections::TryReserveError> {
        if self.dense_index(k).is_some() || self.grows_span(k) {
            return Ok(());
        }
        self.hash.try_reserve(1)
    }

    /// Every `(key, value)`, in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = (i64, u64)> + '_ {
        (0..self.dense.len as usize)
            .filter(|&i| self.is_present(i))
            .map(|i| (i as i64, self.value(i)))
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
                assert_eq!(
                    m.insert(k, step).0,
                    r.insert(k, step).is_none(),
                    "insert {k}"
                );
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

    #[test]
    fn the_span_grows_only_while_half_full() {
        let mut m = IntMap::default();
        // 0, then 8, 16, 32, ...: each key is the one just past a doubling span, which must
        // not double for every one of them.
        m.insert(0, 1);
        for i in 0..39 {
            m.insert(8 << i, 1);
        }
        assert!(m.dense.len <= 64, "span {}", m.dense.len);
        assert_eq!(m.len(), 40);
        // Hashed keys the span comes to cover move into it.
        let mut m = IntMap::default();
        m.insert(12, 7);
        m.insert(9, 5);
        for k in 0..9 {
            m.insert(k, k as u64);
        }
        assert_eq!(m.dense.len, 16);
        assert!(m.hash.is_empty());
        assert_eq!((m.get(9), m.get(12), m.len()), (Some(5), Some(7), 11));
        assert_eq!(m.insert(12, 8), (false, 0));
        assert!(m.remove(12) && !m.remove(12));
        assert_eq!((m.get(12), m.len()), (None, 10));
    }
}
