//! Records: structs, union variants and closures share one arena.
//!
//! A struct or variant record has `type_id` = its `Struct` TypeId, whose field list gives each
//! field's bank. A closure has `type_id` = its `Func` TypeId, `func` = the function index, the
//! [`FLAG_CLOSURE`] flag, and its capture buffer is followed by `ceil(n / 64)` mask words
//! (bit i set = capture i is a Cell) so the collector knows the captures' banks.

use super::{Heap, RecordSlot, FLAG_CLOSURE, RECORD_SLOT_SIZE};
use crate::rtti::{Bank, TypeId};
use crate::value::{ArenaKind, Cell};

pub(crate) fn mask_words(n: usize) -> usize {
    n.div_ceil(64)
}

/// Free a field buffer of `len` words.
pub(crate) fn free_fields(p: *mut u64, len: usize) -> usize {
    if len == 0 {
        return 0;
    }
    // SAFETY: made by Box::<[u64]>::into_raw with this length.
    unsafe { drop(Box::from_raw(std::ptr::slice_from_raw_parts_mut(p, len))) };
    len * 8
}

impl Heap {
    #[inline]
    fn rec_slot(&self, c: Cell) -> &RecordSlot {
        self.records.get(self.idx(c, ArenaKind::Record))
    }

    fn push_record(
        &mut self,
        ty: TypeId,
        words: Vec<u64>,
        nfields: usize,
        func: u32,
        flags: u16,
    ) -> Cell {
        let len = words.len();
        let fields = if len == 0 {
            std::ptr::NonNull::dangling().as_ptr()
        } else {
            Box::into_raw(words.into_boxed_slice()) as *mut u64
        };
        let (i, g) = self.records.alloc(RecordSlot {
            fields,
            type_id: ty,
            gen: 0,
            flags: 0,
            nfields: nfields as u32,
            func,
        });
        self.records.get_mut(i).flags |= flags;
        self.note_alloc(RECORD_SLOT_SIZE + len * 8);
        Cell::handle(ArenaKind::Record, g, i)
    }

    /// A struct or union-variant value of `Struct` type `ty` with the given field words.
    pub fn new_record(&mut self, ty: TypeId, fields: &[u64]) -> Cell {
        self.push_record(ty, fields.to_vec(), fields.len(), 0, 0)
    }

    /// A closure over function `fn_index` (of `Func` type `fn_type`) with `captures`, whose
    /// static types are `capture_types` (they tell which captures are Cells).
    pub fn new_closure(
        &mut self,
        fn_index: u32,
        fn_type: TypeId,
        captures: &[u64],
        capture_types: &[TypeId],
    ) -> Cell {
        assert_eq!(captures.len(), capture_types.len());
        let n = captures.len();
        let mut words = Vec::with_capacity(n + mask_words(n));
        words.extend_from_slice(captures);
        words.resize(n + mask_words(n), 0);
        for (k, &t) in capture_types.iter().enumerate() {
            if self.types.bank(t) == Bank::Cell {
                words[n + k / 64] |= 1 << (k % 64);
            }
        }
        self.push_record(fn_type, words, n, fn_index, FLAG_CLOSURE)
    }

    /// Field `i` of the record at slot index `slot` (the low 32 bits of a record handle),
    /// for callers that checked the handle's tag themselves (the interpreter's typed field
    /// ops); `i` must be a field of the record's type, as static types guarantee.
    #[inline(always)]
    pub fn record_get_at(&self, slot: u32, i: usize) -> u64 {
        let s = self.records.get(slot);
        assert!(i < s.nfields as usize, "field index {i} out of range");
        // SAFETY: i < nfields.
        unsafe { *s.fields.add(i) }
    }

    /// `record_set` at slot index `slot` (see `record_get_at`).
    #[inline(always)]
    pub fn record_set_at(&mut self, slot: u32, i: usize, w: u64) {
        let s = self.records.get(slot);
        assert!(i < s.nfields as usize, "field index {i} out of range");
        // SAFETY: i < nfields.
        unsafe { *s.fields.add(i) = w };
    }

    pub fn record_get(&self, c: Cell, i: usize) -> u64 {
        self.record_fields(c)[i]
    }

    pub fn record_set(&mut self, c: Cell, i: usize, w: u64) {
        let idx = self.idx(c, ArenaKind::Record);
        let s = *self.records.get(idx);
        assert!(i < s.nfields as usize, "field index {i} out of range");
        // SAFETY: i < nfields.
        unsafe { *s.fields.add(i) = w };
    }

    /// The record's TypeId (struct/variant type, or the closure's function type).
    pub fn record_type(&self, c: Cell) -> TypeId {
        self.rec_slot(c).type_id
    }

    /// The fields (captures for a closure).
    pub fn record_fields(&self, c: Cell) -> &[u64] {
        let s = self.rec_slot(c);
        // SAFETY: fields holds nfields words (dangling and unused when 0).
        unsafe { std::slice::from_raw_parts(s.fields, s.nfields as usize) }
    }

    pub fn is_closure(&self, c: Cell) -> bool {
        self.rec_slot(c).flags & FLAG_CLOSURE != 0
    }

    /// A closure's function index.
    pub fn closure_func(&self, c: Cell) -> u32 {
        self.rec_slot(c).func
    }

    /// Whether capture `k` of closure slot `s` is a Cell.
    pub(crate) fn capture_is_cell(s: &RecordSlot, k: usize) -> bool {
        let n = s.nfields as usize;
        // SAFETY: the mask words follow the captures.
        let m = unsafe { *s.fields.add(n + k / 64) };
        m & (1 << (k % 64)) != 0
    }
}
