//! Lists: one arena for every element bank. Elements are 8-byte words: raw i64 for
//! `list<int>`/`list<bool>`, raw f64 bits for `list<float>`, Cells for any other `list<T>`;
//! the slot's `elem` TypeId says which.
//!
//! Element buffers carry a [`BufHeader`] right before the first element and may be shared by
//! several lists, Go-slice style (see [`Heap::list_append`]).

use std::alloc::{dealloc, Layout};
use std::cmp::Ordering;

use super::{BufHeader, Heap, ListSlot, RtError, BUF_HEADER_SIZE, LIST_SLOT_SIZE};
use crate::rtti::{TypeDesc, TypeId};
use crate::value::{ArenaKind, Cell};
use crate::Bank;

fn buf_layout(cap: usize) -> Layout {
    Layout::from_size_align(BUF_HEADER_SIZE + cap * 8, 8).expect("list too large")
}

/// Capacities whose dead buffers are kept for reuse (1..=SMALL_CAPS words).
pub const SMALL_CAPS: usize = 4;

/// The length an append view holds while it is closed, or when it could not open (see
/// `Heap::list_view_open`): larger than any list's capacity or string's, so the push ops' room
/// checks fail and they take their slow paths, which open it.
pub const NO_VIEW: u64 = 1 << 62;
/// How many dead buffers of each small capacity are kept at most (the rest are freed): at
/// most 32 768 x (24 + 8 x 4) bytes, 1.8 MiB, for capacity 4.
pub const SMALL_KEEP: usize = 32768;

/// The dead buffers of one small capacity (arenas' `SmallBufs`; `#[repr(C)]` for tier 2):
/// `bufs[0..len]` are data pointers of buffers with no reference, popped from the end.
/// Native code pops (`new_list`'s inline case, which then sets the header as
/// [`SmallBufs::take`] does); only Rust pushes.
#[repr(C)]
#[derive(Debug)]
pub struct BufFree {
    pub bufs: *mut *mut u64,
    pub len: u64,
}

/// Dead list buffers of capacity 1..=[`SMALL_CAPS`] kept for reuse, so that the many small
/// lists of a program like binary_trees (`[left, right]`) cost a pop instead of a malloc and
/// a free. `classes[cap - 1]` holds the buffers of capacity `cap`. The `BufFree`s are boxed
/// and their arrays allocated once with room for [`SMALL_KEEP`] (so neither ever moves: native
/// code holds their address); the kept buffers are not counted as heap bytes (like memory
/// the allocator keeps).
#[derive(Debug)]
pub struct SmallBufs {
    classes: Box<[BufFree; SMALL_CAPS]>,
    store: Vec<Box<[*mut u64]>>,
}

impl Default for SmallBufs {
    fn default() -> Self {
        SmallBufs {
            classes: Box::new(std::array::from_fn(|_| BufFree {
                bufs: std::ptr::null_mut(),
                len: 0,
            })),
            store: Vec::new(),
        }
    }
}

impl SmallBufs {
    /// The `BufFree` array (never moves), for tier 2's inline `new_list`.
    pub fn classes_ptr(&mut self) -> *mut BufFree {
        self.classes.as_mut_ptr()
    }

    /// A word buffer of capacity `cap` (> 0) with `refs = 0`, `used = 0`: a kept one when
    /// there is one, else a new one. Returns the data pointer.
    fn take(&mut self, cap: usize) -> *mut u64 {
        debug_assert!(cap > 0);
        if cap <= SMALL_CAPS {
            let f = &mut self.classes[cap - 1];
            if f.len != 0 {
                f.len -= 1;
                // SAFETY: bufs[0..len] are dead buffers of capacity `cap` (header intact).
                unsafe {
                    let data = *f.bufs.add(f.len as usize);
                    let h = header(data);
                    (*h).used = 0;
                    (*h).refs = 0;
                    return data;
                }
            }
        }
        let p = super::alloc_buf(buf_layout(cap), cap);
        // SAFETY: the words follow the header.
        unsafe { (p as *mut u8).add(BUF_HEADER_SIZE) as *mut u64 }
    }

    /// Drop one reference to a word buffer (null is fine); at zero it is kept (a small one,
    /// while its class has room) or freed. Returns the bytes no longer in use.
    /// (Inline, with the common cases first: the sweep calls it for every dead list, and the
    /// call itself was most of its cost in binary_trees.)
    #[inline]
    pub(crate) fn release(&mut self, data: *mut u64) -> usize {
        if data.is_null() {
            return 0;
        }
        let h = header(data);
        // SAFETY: live buffer with refs > 0.
        unsafe {
            (*h).refs -= 1;
            if (*h).refs != 0 {
                return 0;
            }
            let cap = (*h).cap as usize;
            if cap <= SMALL_CAPS {
                let f = &mut self.classes[cap - 1];
                if !f.bufs.is_null() && (f.len as usize) < SMALL_KEEP {
                    // (`keep`'s common case)
                    *f.bufs.add(f.len as usize) = data;
                    f.len += 1;
                    return BUF_HEADER_SIZE + cap * 8;
                }
            }
            self.release_last(data, cap)
        }
    }

    /// `release` of a buffer whose last reference is gone, when it is not simply kept.
    #[inline(never)]
    fn release_last(&mut self, data: *mut u64, cap: usize) -> usize {
        if cap <= SMALL_CAPS && self.keep(cap, data) {
            return BUF_HEADER_SIZE + cap * 8;
        }
        // SAFETY: the buffer's last reference is gone.
        unsafe { dealloc(header(data) as *mut u8, buf_layout(cap)) };
        BUF_HEADER_SIZE + cap * 8
    }

    fn keep(&mut self, cap: usize, data: *mut u64) -> bool {
        let f = &mut self.classes[cap - 1];
        if f.bufs.is_null() {
            let mut a = vec![std::ptr::null_mut(); SMALL_KEEP].into_boxed_slice();
            f.bufs = a.as_mut_ptr();
            self.store.push(a);
        }
        if f.len as usize == SMALL_KEEP {
            return false;
        }
        // SAFETY: len < SMALL_KEEP, the array's length.
        unsafe { *f.bufs.add(f.len as usize) = data };
        f.len += 1;
        true
    }
}

impl Drop for SmallBufs {
    fn drop(&mut self) {
        for (k, f) in self.classes.iter_mut().enumerate() {
            for j in 0..f.len as usize {
                // SAFETY: each kept buffer is owned by the cache alone.
                unsafe { dealloc(header(*f.bufs.add(j)) as *mut u8, buf_layout(k + 1)) };
            }
            f.len = 0;
        }
    }
}

#[inline]
/// Write `w` just past the end of the list in slot `s` when it ends at its buffer's used
/// length and the buffer has room (the append of `list_push` and `list_append`); false when
/// the caller must copy.
fn extend_in_place(s: &ListSlot, w: u64) -> bool {
    let len = s.len as usize;
    if s.data.is_null() || len >= s.cap as usize {
        return false;
    }
    let h = header(s.data);
    // SAFETY: live buffer with room; writing past `used` touches no other list's elements.
    unsafe {
        if (*h).used as usize != len {
            return false;
        }
        *s.data.add(len) = w;
        (*h).used += 1;
    }
    true
}

pub(crate) fn header(data: *mut u64) -> *mut BufHeader {
    // SAFETY: data buffers always follow a header.
    unsafe { (data as *mut u8).sub(BUF_HEADER_SIZE) as *mut BufHeader }
}

/// Fill the fresh buffer `data` (capacity >= their total) with the concatenated `parts`; its
/// `used` becomes their length. Returns `data` (null stays null: capacity 0).
fn fill_words(data: *mut u64, parts: &[&[u64]]) -> *mut u64 {
    if data.is_null() {
        return data;
    }
    let mut n = 0;
    for w in parts {
        // SAFETY: the parts add up to at most the buffer's capacity.
        unsafe { std::ptr::copy_nonoverlapping(w.as_ptr(), data.add(n), w.len()) };
        n += w.len();
    }
    // SAFETY: fresh header.
    unsafe { (*header(data)).used = n as u64 };
    data
}

fn buf_bytes(cap: usize) -> usize {
    if cap == 0 {
        0
    } else {
        BUF_HEADER_SIZE + cap * 8
    }
}

impl Heap {
    /// A fresh word buffer of capacity `cap` (null when 0; see [`fill_words`]).
    fn fresh_words(&mut self, cap: usize) -> *mut u64 {
        if cap == 0 {
            return std::ptr::null_mut();
        }
        self.small_bufs.take(cap)
    }

    #[inline]
    fn list_slot(&self, c: Cell) -> &ListSlot {
        self.lists.get(self.idx(c, ArenaKind::List))
    }

    /// A list slot over `len` words of the buffer `data` (takes a reference to it).
    fn push_list_slot(&mut self, elem: TypeId, data: *mut u64, len: usize, cap: usize) -> Cell {
        if !data.is_null() {
            // SAFETY: live buffer.
            unsafe { (*header(data)).refs += 1 };
        }
        let (i, g) = self.lists.alloc(ListSlot {
            data,
            len: len as u64,
            cap: cap as u64,
            elem,
            gen: 0,
            flags: 0,
        });
        self.note_alloc(LIST_SLOT_SIZE);
        Cell::handle(ArenaKind::List, g, i)
    }

    /// An empty list of element type `elem` with room for `cap` elements.
    pub fn new_list(&mut self, elem: TypeId, cap: usize) -> Cell {
        let data = self.fresh_words(cap);
        self.note_alloc(buf_bytes(cap));
        self.push_list_slot(elem, data, 0, cap)
    }

    /// A list holding `words` (words of type `elem`).
    pub fn list_from(&mut self, elem: TypeId, words: &[u64]) -> Cell {
        let data = fill_words(self.fresh_words(words.len()), &[words]);
        self.note_alloc(buf_bytes(words.len()));
        self.push_list_slot(elem, data, words.len(), words.len())
    }

    pub fn list_len(&self, c: Cell) -> i64 {
        self.list_slot(c).len as i64
    }

    pub fn list_elem_type(&self, c: Cell) -> TypeId {
        self.list_slot(c).elem
    }

    /// The elements (valid until the next mutation of the heap).
    #[inline]
    pub fn list_words(&self, c: Cell) -> &[u64] {
        let s = self.list_slot(c);
        if s.len == 0 {
            return &[];
        }
        // SAFETY: data holds at least len initialised words.
        unsafe { std::slice::from_raw_parts(s.data, s.len as usize) }
    }

    /// The element index of `xs[i]` and the buffer (inlined into the interpreter's list
    /// ops: it is their whole work; the error path is out of line).
    #[inline(always)]
    fn list_index(&self, c: Cell, i: i64) -> Result<(usize, *mut u64), RtError> {
        index_in(self.list_slot(c), i)
    }

    /// The `ListSlot` at slot index `slot` (the low 32 bits of a list handle) for callers
    /// that checked the handle's tag themselves: the interpreter's typed list ops, which
    /// would otherwise decode the handle twice.
    #[inline(always)]
    fn list_slot_at(&self, slot: u32) -> &ListSlot {
        self.lists.get(slot)
    }

    /// The address of the elements and the length of the list at slot index `slot` (a list
    /// view, `ListView`: valid while nothing pushes onto the list, the only operation that
    /// moves its buffer or changes its length).
    #[inline(always)]
    pub fn list_view_at(&self, slot: u32) -> (u64, u64) {
        let s = self.list_slot_at(slot);
        (s.data as u64, s.len)
    }

    /// `len(xs)` of the list at slot index `slot` (see `list_slot_at`).
    #[inline(always)]
    pub fn list_len_at(&self, slot: u32) -> i64 {
        self.list_slot_at(slot).len as i64
    }

    /// `xs[i]` of the list at slot index `slot` (see `list_slot_at`).
    #[inline(always)]
    pub fn list_get_at(&self, slot: u32, i: i64) -> Result<u64, RtError> {
        let (j, data) = index_in(self.list_slot_at(slot), i)?;
        // SAFETY: j < len.
        Ok(unsafe { *data.add(j) })
    }

    /// `xs[i] = w` on the list at slot index `slot` (see `list_slot_at`).
    #[inline(always)]
    pub fn list_set_at(&mut self, slot: u32, i: i64, w: u64) -> Result<(), RtError> {
        let (j, data) = index_in(self.list_slot_at(slot), i)?;
        // SAFETY: j < len.
        unsafe { *data.add(j) = w };
        Ok(())
    }

    /// `xs[i]` (negative counts from the end).
    #[inline]
    pub fn list_get(&self, c: Cell, i: i64) -> Result<u64, RtError> {
        let (j, data) = self.list_index(c, i)?;
        // SAFETY: j < len.
        Ok(unsafe { *data.add(j) })
    }

    /// `xs[i] = w` in place (visible through every list sharing the buffer, see `list_append`).
    #[inline]
    pub fn list_set(&mut self, c: Cell, i: i64, w: u64) -> Result<(), RtError> {
        let (j, data) = self.list_index(c, i)?;
        // SAFETY: j < len.
        unsafe { *data.add(j) = w };
        Ok(())
    }

    /// `list_push` when it needs no memory (`c` is a list ending at its buffer's used length
    /// with room in the buffer): a store and a length bump, the interpreter's fast path for
    /// `ListPush`, which then skips the GC safepoint. False when nothing changed (not a list
    /// handle, or the push must copy): the caller runs the `list_push` helper.
    #[inline(always)]
    pub fn list_push_fast(&mut self, c: Cell, w: u64) -> bool {
        let Some((kind, _, i)) = c.as_handle() else {
            return false;
        };
        if kind != ArenaKind::List as u8 {
            return false;
        }
        let s = self.lists.get_mut(i);
        if extend_in_place(s, w) {
            s.len += 1;
            return true;
        }
        false
    }

    /// Push `w` onto `c` in place (amortised O(1)).
    pub fn list_push(&mut self, c: Cell, w: u64) {
        let i = self.idx(c, ArenaKind::List);
        let s = *self.lists.get(i);
        let len = s.len as usize;
        if extend_in_place(&s, w) {
            self.lists.get_mut(i).len += 1;
            return;
        }
        // The growth of `list_append`, so a list grown by pushes (an owned list's
        // `xs = append(xs, v)`, see `compiler::lower::owned`) has exactly the capacity the
        // same appends would give it: capacity decides when a later append shares a buffer.
        let cap = ((len + 1) * 2).max(4);
        let data = self.fresh_words(cap);
        let data = fill_words(data, &[self.list_words(c), &[w]]);
        self.note_alloc(buf_bytes(cap));
        // SAFETY: fresh buffer.
        unsafe { (*header(data)).refs = 1 };
        let freed = self.small_bufs.release(s.data);
        self.note_free(freed);
        let slot = self.lists.get_mut(i);
        slot.data = data;
        slot.cap = cap as u64;
        slot.len = len as u64 + 1;
    }

    /// Open an append view on list `c` (`ListAppendOpen`, see `compiler::lower::append_views`):
    /// when `c` is a list that ends at its buffer's used length, reserve the rest of the buffer
    /// for its own pushes (the buffer's used length becomes its capacity, so no list sharing
    /// the buffer extends it in place any more) and return the list's length, which the view
    /// then keeps (the slot's length is stale until `list_view_close`); else `NO_VIEW`.
    pub fn list_view_open(&mut self, c: Cell) -> u64 {
        if !c.is_handle_of(ArenaKind::List) {
            return NO_VIEW;
        }
        let s = self.lists.get(c.0 as u32);
        if s.data.is_null() {
            return NO_VIEW;
        }
        let h = header(s.data);
        // SAFETY: a list's buffer is live while its slot is.
        unsafe {
            if (*h).used != s.len {
                return NO_VIEW;
            }
            (*h).used = s.cap;
        }
        s.len
    }

    /// `R[b].push(w)` through an open append view of length `n`, when the buffer has room
    /// (the interpreter's `ListPushV*`): false when the caller must grow it (`list_view_grow`),
    /// or the view is `NO_VIEW`.
    #[inline(always)]
    pub fn list_view_push_fast(&mut self, c: Cell, n: u64, w: u64) -> bool {
        let s = self.lists.get(c.0 as u32);
        if n < s.cap {
            // SAFETY: n < cap: inside the buffer, which the open view reserved.
            unsafe { *s.data.add(n as usize) = w };
            return true;
        }
        false
    }

    /// Close the append view of length `n` on list `c`: its length becomes `n` and so does
    /// its buffer's used length (nothing when `n` is `NO_VIEW`).
    pub fn list_view_close(&mut self, c: Cell, n: u64) {
        if n == NO_VIEW {
            return;
        }
        let i = self.idx(c, ArenaKind::List);
        let s = self.lists.get_mut(i);
        debug_assert!(n <= s.cap);
        s.len = n;
        // SAFETY: the view was opened on this buffer (only `list_view_grow` replaces it, and
        // it closes the view first).
        unsafe { (*header(s.data)).used = n };
    }

    /// The slow case of a push through the append view of length `n` (`ListPushVGrow`):
    /// close the view, push `w` (growing the buffer as `list_push` does) and open the view
    /// again; returns its new length.
    pub fn list_view_grow(&mut self, c: Cell, n: u64, w: u64) -> u64 {
        self.list_view_close(c, n);
        self.list_push(c, w);
        self.list_view_open(c)
    }

    /// `append(xs, w)`: a NEW list of xs's elements plus `w`.
    ///
    /// Amortised O(1) for `xs = append(xs, x)` in a loop, Go-slice style: when `xs` ends at its
    /// buffer's used length and the buffer has spare capacity, the new list **shares xs's
    /// buffer** (w is written past the end, which no other list covers); otherwise the
    /// elements are copied into a new buffer of twice the length. Consequence (aliasing, as in
    /// Go): after `ys = append(xs, 1)` with a shared buffer, `xs[0] = 5` is also seen as
    /// `ys[0]`. A later `append(xs, 2)` does not clobber `ys[len(xs)]`: xs no longer ends at
    /// the used length, so it copies.
    pub fn list_append(&mut self, c: Cell, w: u64) -> Cell {
        let s = *self.list_slot(c);
        let len = s.len as usize;
        if extend_in_place(&s, w) {
            return self.push_list_slot(s.elem, s.data, len + 1, s.cap as usize);
        }
        let cap = ((len + 1) * 2).max(4);
        let data = self.fresh_words(cap);
        let data = fill_words(data, &[self.list_words(c), &[w]]);
        self.note_alloc(buf_bytes(cap));
        self.push_list_slot(s.elem, data, len + 1, cap)
    }

    /// `xs[lo:hi]` as a new list (negative bounds from the end, clamped).
    pub fn list_slice(&mut self, c: Cell, lo: Option<i64>, hi: Option<i64>) -> Cell {
        let (lo, hi) = super::strings::clamp_range(lo, hi, self.list_len(c));
        let elem = self.list_elem_type(c);
        let data = self.fresh_words(hi - lo);
        let data = fill_words(data, &[&self.list_words(c)[lo..hi]]);
        self.note_alloc(buf_bytes(hi - lo));
        self.push_list_slot(elem, data, hi - lo, hi - lo)
    }

    /// `a + b` as a new list (element type of `a`). Shares `a`'s buffer like `list_append`
    /// when `a` ends at its used length and `b` fits.
    pub fn list_concat(&mut self, a: Cell, b: Cell) -> Cell {
        let sa = *self.list_slot(a);
        let lb = self.list_len(b) as usize;
        let la = sa.len as usize;
        if !sa.data.is_null() && la + lb <= sa.cap as usize && a != b {
            let h = header(sa.data);
            // SAFETY: as in list_push; b's elements are copied before anything else changes.
            unsafe {
                if (*h).used as usize == la {
                    let src = self.list_words(b);
                    std::ptr::copy(src.as_ptr(), sa.data.add(la), lb);
                    (*h).used += lb as u64;
                    return self.push_list_slot(sa.elem, sa.data, la + lb, sa.cap as usize);
                }
            }
        }
        let cap = if lb == 0 { la } else { (la + lb) * 2 };
        let data = self.fresh_words(cap);
        let data = fill_words(data, &[self.list_words(a), self.list_words(b)]);
        self.note_alloc(buf_bytes(cap));
        self.push_list_slot(sa.elem, data, la + lb, cap)
    }

    /// `x in xs` by deep equality.
    pub fn list_contains(&self, c: Cell, w: u64) -> bool {
        let ty = self.list_elem_type(c);
        self.list_words(c)
            .iter()
            .any(|&x| self.values_equal(x, w, ty))
    }

    /// `reverse(xs)`: a new list.
    pub fn list_reverse(&mut self, c: Cell) -> Cell {
        let mut v = self.list_words(c).to_vec();
        v.reverse();
        let elem = self.list_elem_type(c);
        self.list_from(elem, &v)
    }

    /// `sum` of a `list<int>` (checked).
    pub fn list_sum_i64(&self, c: Cell) -> Result<i64, RtError> {
        let mut s: i64 = 0;
        for &w in self.list_words(c) {
            s = s.checked_add(w as i64).ok_or_else(super::int_overflow)?;
        }
        Ok(s)
    }

    /// `sum` of a `list<float>`, or of any list of numbers as floats.
    pub fn list_sum_f64(&self, c: Cell) -> f64 {
        let ty = self.list_elem_type(c);
        self.list_words(c)
            .iter()
            .map(|&w| self.num_f64(w, ty).unwrap_or(0.0))
            .sum()
    }

    /// `avg(xs)` as a float (0 for an empty list).
    pub fn list_avg(&self, c: Cell) -> f64 {
        let n = self.list_len(c);
        if n == 0 {
            return 0.0;
        }
        let ty = self.list_elem_type(c);
        let sum: f64 = if self.types.get(ty) == &TypeDesc::Int {
            let s: i128 = self.list_words(c).iter().map(|&w| w as i64 as i128).sum();
            s as f64
        } else {
            self.list_sum_f64(c)
        };
        sum / n as f64
    }

    /// `min(xs)` by [`Heap::compare`] (None when empty).
    pub fn list_min(&self, c: Cell) -> Option<u64> {
        self.list_extreme(c, Ordering::Less)
    }
    /// `max(xs)` by [`Heap::compare`] (None when empty).
    pub fn list_max(&self, c: Cell) -> Option<u64> {
        self.list_extreme(c, Ordering::Greater)
    }
    fn list_extreme(&self, c: Cell, want: Ordering) -> Option<u64> {
        let ty = self.list_elem_type(c);
        let mut it = self.list_words(c).iter().copied();
        let mut best = it.next()?;
        for w in it {
            if self.compare(w, best, ty) == want {
                best = w;
            }
        }
        Some(best)
    }

    /// `distinct(xs)`: first occurrences in order, by deep equality.
    pub fn list_distinct(&mut self, c: Cell) -> Cell {
        let ty = self.list_elem_type(c);
        let mut out: Vec<u64> = Vec::new();
        let mut seen: rustc_hash::FxHashMap<u64, Vec<u64>> = Default::default();
        for &w in self.list_words(c) {
            let h = self.hash_word(w, ty);
            let bucket = seen.entry(h).or_default();
            if !bucket.iter().any(|&x| self.values_equal(x, w, ty)) {
                bucket.push(w);
                out.push(w);
            }
        }
        self.list_from(ty, &out)
    }

    /// `xs` reordered stably by `keys` (one key per element, compared as `sort by` does:
    /// numbers numerically, strings by bytes, lists and maps element-wise): a new list.
    /// Query `sort by` (the keys were evaluated once per row by the query's loop).
    pub fn list_sort_by_keys(&mut self, xs: Cell, keys: Cell) -> Result<Cell, RtError> {
        let (n, nk) = (self.list_len(xs) as usize, self.list_len(keys) as usize);
        if n != nk {
            return Err(RtError(format!("sort: {n} values but {nk} keys")));
        }
        let (vt, kt) = (self.list_elem_type(xs), self.list_elem_type(keys));
        let mut idx: Vec<u32> = (0..n as u32).collect();
        {
            let kw = self.list_words(keys);
            match self.types.bank(kt) {
                Bank::I64 => idx.sort_by_key(|&i| kw[i as usize] as i64),
                Bank::F64 => idx.sort_by(|&i, &j| {
                    let (a, b) = (
                        f64::from_bits(kw[i as usize]),
                        f64::from_bits(kw[j as usize]),
                    );
                    a.partial_cmp(&b).unwrap_or(Ordering::Equal)
                }),
                Bank::Cell => {
                    idx.sort_by(|&i, &j| self.compare(kw[i as usize], kw[j as usize], kt))
                }
            }
        }
        let vw = self.list_words(xs);
        let out: Vec<u64> = idx.iter().map(|&i| vw[i as usize]).collect();
        Ok(self.list_from(vt, &out))
    }

    /// `sum` of a list of numbers of any static type (`list<any>`): an int while every
    /// element is an int (overflow: error), else a float; boxed.
    pub fn list_sum_any(&mut self, c: Cell) -> Result<Cell, RtError> {
        let ty = self.list_elem_type(c);
        let (mut i, mut f, mut is_float) = (0i64, 0f64, false);
        for &w in self.list_words(c) {
            match self.view(w, ty) {
                super::V::Int(x) => {
                    if is_float {
                        f += x as f64;
                    } else {
                        i = i.checked_add(x).ok_or_else(super::int_overflow)?;
                    }
                }
                super::V::Float(x) => {
                    if !is_float {
                        is_float = true;
                        f = i as f64;
                    }
                    f += x;
                }
                super::V::Nil => {}
                _ => {
                    return Err(RtError(
                        "sum: the list holds a value that is not a number".into(),
                    ))
                }
            }
        }
        Ok(if is_float {
            Cell::from_f64(f)
        } else {
            self.box_int(i)
        })
    }

    /// `a op b` on two values of static type `any` (op: 0 `+`, 1 `-`, 2 `*`, 3 `/`, 4 `%`):
    /// ints stay ints (overflow and division by zero: errors), a float operand makes a
    /// float, `+` joins two strings, a nil operand gives nil (LANGUAGE.md §5).
    pub fn any_arith(&mut self, op: u32, a: Cell, b: Cell) -> Result<Cell, RtError> {
        use super::V;
        let (x, y) = (self.view_cell(a), self.view_cell(b));
        let zero = || RtError("division by zero".into());
        Ok(match (x, y) {
            (V::Nil, _) | (_, V::Nil) => Cell::NIL,
            (V::Int(p), V::Int(q)) => {
                let r = match op {
                    0 => p.checked_add(q),
                    1 => p.checked_sub(q),
                    2 => p.checked_mul(q),
                    3 if q == 0 => return Err(zero()),
                    3 => p.checked_div(q),
                    _ if q == 0 => return Err(zero()),
                    _ => p.checked_rem(q),
                };
                self.box_int(r.ok_or_else(super::int_overflow)?)
            }
            (V::Int(_) | V::Float(_), V::Int(_) | V::Float(_)) => {
                let f = |v: V<'_>| match v {
                    V::Int(i) => i as f64,
                    V::Float(f) => f,
                    _ => 0.0,
                };
                let (p, q) = (f(x), f(y));
                if op >= 3 && q == 0.0 {
                    return Err(zero());
                }
                Cell::from_f64(match op {
                    0 => p + q,
                    1 => p - q,
                    2 => p * q,
                    3 => p / q,
                    _ => p % q,
                })
            }
            (V::Str(_), V::Str(_)) if op == 0 => self.str_concat(a, b),
            _ => {
                let verb = [
                    "add",
                    "subtract",
                    "multiply",
                    "divide",
                    "take the remainder of",
                ];
                let (sa, sb) = (
                    self.format_print(a.0, crate::rtti::ANY),
                    self.format_print(b.0, crate::rtti::ANY),
                );
                return Err(RtError(format!(
                    "cannot {} {sa} and {sb}",
                    verb[op.min(4) as usize]
                )));
            }
        })
    }

    /// `base[key]` on a value of static type `any`: a map's value (nil when missing), a
    /// list's element, a string's rune, a struct's field by name (nil when it has none);
    /// nil for a nil base. The result is boxed.
    pub fn index_any(&mut self, base: Cell, key: Cell) -> Result<Cell, RtError> {
        match base.arena() {
            _ if base.is_nil() => Ok(Cell::NIL),
            Some((ArenaKind::Map, _)) => {
                let kt = self.map_key_type(base);
                let Some(k) = self.unbox_word(key, kt) else {
                    return Ok(Cell::NIL);
                };
                match self.map_get(base, k) {
                    Some(v) => {
                        let vt = self.map_val_type(base);
                        Ok(self.box_word(v, vt))
                    }
                    None => Ok(Cell::NIL),
                }
            }
            Some((ArenaKind::List, _)) => {
                let Some(i) = self.unbox_word(key, crate::rtti::INT) else {
                    let k = self.format_print(key.0, crate::rtti::ANY);
                    return Err(RtError(format!("cannot index a list with {k}")));
                };
                let w = self.list_get(base, i as i64)?;
                let et = self.list_elem_type(base);
                Ok(self.box_word(w, et))
            }
            Some((ArenaKind::Record, _)) if key.arena().map(|(k, _)| k) == Some(ArenaKind::Str) => {
                // A struct's field by name (`x.p.name` on a group item).
                let ty = self.record_type(base);
                let TypeDesc::Struct { fields, .. } = self.types.get(ty) else {
                    let b = self.format_print(base.0, crate::rtti::ANY);
                    return Err(RtError(format!("cannot index {b}")));
                };
                let name = self.str(key);
                match fields.iter().position(|(n, _)| n == name) {
                    Some(i) => {
                        let ft = fields[i].1;
                        let w = self.record_get(base, i);
                        Ok(self.box_word(w, ft))
                    }
                    None => Ok(Cell::NIL),
                }
            }
            Some((ArenaKind::Str, _)) => {
                let Some(i) = self.unbox_word(key, crate::rtti::INT) else {
                    let k = self.format_print(key.0, crate::rtti::ANY);
                    return Err(RtError(format!("cannot index a string with {k}")));
                };
                self.str_index(base, i as i64)
            }
            _ => {
                let b = self.format_print(base.0, crate::rtti::ANY);
                Err(RtError(format!("cannot index {b}")))
            }
        }
    }

    /// The truthiness of a value (`if x` on an `any`/optional `x`): nil, false, 0, 0.0,
    /// "" and empty lists and maps are false, everything else true.
    pub fn truthy(&self, w: u64, ty: TypeId) -> bool {
        match self.view(w, ty) {
            super::V::Nil => false,
            super::V::Bool(b) => b,
            super::V::Int(i) => i != 0,
            super::V::Float(f) => f != 0.0,
            super::V::Str(s) => !s.is_empty(),
            super::V::Big(b) => !num_traits::Zero::is_zero(b),
            super::V::List(c) => self.list_len(c) > 0,
            super::V::Map(c) => self.map_len(c) > 0,
            super::V::Rec(_) => true,
        }
    }

    /// `a union b`: the distinct elements of `a` then of `b`, first occurrences in order
    /// (deep equality, hashed: O(n + m)).
    pub fn list_union(&mut self, a: Cell, b: Cell) -> Cell {
        let ta = self.list_elem_type(a);
        let tb = self.list_elem_type(b);
        let mut seen = WordSet::default();
        let mut out = Vec::new();
        for (c, t) in [(a, ta), (b, tb)] {
            for &w in self.list_words(c) {
                if seen.insert(self, w, t) {
                    out.push(w);
                }
            }
        }
        self.list_from(ta, &out)
    }

    /// `a except b`: the elements of `a` (duplicates kept, in order) that are not in `b`.
    pub fn list_except(&mut self, a: Cell, b: Cell) -> Cell {
        let ta = self.list_elem_type(a);
        let tb = self.list_elem_type(b);
        let mut right = WordSet::default();
        for &w in self.list_words(b) {
            right.insert(self, w, tb);
        }
        let out: Vec<u64> = self
            .list_words(a)
            .iter()
            .copied()
            .filter(|&w| !right.contains(self, w, ta))
            .collect();
        self.list_from(ta, &out)
    }

    /// `a intersect b`: the distinct elements of `b` that are also in `a`, in `b`'s order
    /// (the reference VM's order).
    pub fn list_intersect(&mut self, a: Cell, b: Cell) -> Cell {
        let ta = self.list_elem_type(a);
        let tb = self.list_elem_type(b);
        let mut left = WordSet::default();
        for &w in self.list_words(a) {
            left.insert(self, w, ta);
        }
        let mut added = WordSet::default();
        let mut out = Vec::new();
        for &w in self.list_words(b) {
            if left.contains(self, w, tb) && added.insert(self, w, tb) {
                out.push(w);
            }
        }
        self.list_from(tb, &out)
    }

    /// A number word as f64 (None if it is not a number).
    pub(crate) fn num_f64(&self, w: u64, ty: TypeId) -> Option<f64> {
        match self.view(w, ty) {
            super::V::Int(i) => Some(i as f64),
            super::V::Float(f) => Some(f),
            super::V::Big(b) => num_traits::ToPrimitive::to_f64(b),
            _ => None,
        }
    }
}

/// The element index of `xs[i]` in the list of slot `s` and its buffer.
#[inline(always)]
fn index_in(s: &ListSlot, i: i64) -> Result<(usize, *mut u64), RtError> {
    let n = s.len as i64;
    let j = if i < 0 { i.wrapping_add(n) } else { i };
    if (j as u64) >= (n as u64) {
        return Err(index_error(i, n));
    }
    Ok((j as usize, s.data))
}

#[cold]
#[inline(never)]
fn index_error(i: i64, n: i64) -> RtError {
    RtError(format!("list index out of range: {i} (len {n})"))
}

/// A set of words (each with its static type) by deep equality: hash buckets checked with
/// [`Heap::values_equal2`], so int 1 and float 1.0 inside `any` are one element. Words of
/// type int or bool are equal exactly when their raw bits are (and never equal a word of
/// another type), so they go in a plain hash set of (word, type) with no deep comparison.
#[derive(Default)]
struct WordSet {
    raw: rustc_hash::FxHashSet<(u64, TypeId)>,
    buckets: rustc_hash::FxHashMap<u64, Vec<(u64, TypeId)>>,
}

impl WordSet {
    fn is_raw(heap: &Heap, ty: TypeId) -> bool {
        matches!(heap.types.get(ty), TypeDesc::Int | TypeDesc::Bool)
    }

    /// Add `w`; false when an equal element is already present.
    fn insert(&mut self, heap: &Heap, w: u64, ty: TypeId) -> bool {
        if Self::is_raw(heap, ty) {
            return self.raw.insert((w, ty));
        }
        let bucket = self.buckets.entry(heap.hash_word(w, ty)).or_default();
        if bucket
            .iter()
            .any(|&(x, tx)| heap.values_equal2(x, tx, w, ty))
        {
            return false;
        }
        bucket.push((w, ty));
        true
    }

    fn contains(&self, heap: &Heap, w: u64, ty: TypeId) -> bool {
        if Self::is_raw(heap, ty) {
            return self.raw.contains(&(w, ty));
        }
        self.buckets
            .get(&heap.hash_word(w, ty))
            .is_some_and(|b| b.iter().any(|&(x, tx)| heap.values_equal2(x, tx, w, ty)))
    }
}

#[cfg(test)]
mod small_buf_tests {
    use super::{header, SMALL_CAPS, SMALL_KEEP};
    use crate::heap::Heap;
    use crate::rtti::TypeTable;
    use crate::value::Cell;

    fn data_of(h: &Heap, c: Cell) -> *mut u64 {
        h.list_slot(c).data
    }

    /// A dead small buffer is kept by the sweep and serves the next list of its capacity,
    /// with its header reset; a kept buffer never serves another capacity; a class keeps at
    /// most SMALL_KEEP buffers.
    #[test]
    fn dead_small_buffers_are_kept_and_reused() {
        let mut h = Heap::new(TypeTable::new());
        let elem = h.types.intern(crate::rtti::TypeDesc::Int);
        let mut dead = Vec::new();
        for cap in 1..=SMALL_CAPS {
            let c = h.new_list(elem, cap);
            for w in 0..cap as u64 {
                h.list_push(c, 10 + w);
            }
            dead.push((cap, data_of(&h, c)));
        }
        let live = h.new_list(elem, 2);
        h.list_push(live, 7);
        h.collect(&mut |sink| sink(live));
        assert_eq!(h.list_words(live), &[7]);
        for &(cap, d) in dead.iter().rev() {
            let c = h.new_list(elem, cap);
            assert_eq!(data_of(&h, c), d, "capacity {cap} reuses its buffer");
            // SAFETY: live buffer.
            let hd = unsafe { &*header(d) };
            assert_eq!((hd.used, hd.cap, hd.refs), (0, cap as u64, 1));
            assert_eq!(h.list_len(c), 0);
            h.list_push(c, 99);
            assert_eq!(h.list_words(c), &[99]);
        }
        // Nothing kept any more: a new list of capacity 3 gets a fresh buffer.
        let c = h.new_list(elem, 3);
        assert!(dead.iter().all(|&(_, d)| d != data_of(&h, c)));

        // The bound: SMALL_KEEP + 10 dead buffers of capacity 1, SMALL_KEEP kept.
        for _ in 0..SMALL_KEEP + 10 {
            h.new_list(elem, 1);
        }
        h.collect(&mut |_| {});
        assert_eq!(h.small_bufs.classes[0].len as usize, SMALL_KEEP);
    }
}
