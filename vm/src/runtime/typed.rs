//! The interpreter's side of the typed fast-path ops (`ListLen`, `ListGet*`, `ListSet*`,
//! `GetField*`, `SetField*`, `StrLen`): they read the heap's `#[repr(C)]` slots directly
//! through the slot-table bases in the context, as their stencils (`stencils/src/lists.c`,
//! `records.c`) do. The two implementations are kept equal by `tier2-jit/tests/patch.rs` and
//! the differential tester.
//!
//! A handle Cell's low 32 bits are its slot index (`arenas::Cell::handle`). The bytecode is
//! statically typed, so the operand is a handle of the right arena.

use crate::abi::Ctx;
use arenas::{ListSlot, RecordSlot, StrSlot};

/// The element index of `i` in a list of `len` elements (a negative index counts from the
/// end), or `None` when out of range.
#[inline(always)]
pub fn list_index(i: i64, len: u64) -> Option<usize> {
    let j = if i < 0 { (i as u64).wrapping_add(len) } else { i as u64 };
    (j < len).then_some(j as usize)
}

/// The message of an out-of-range list index (the same as `arenas::Heap::list_get`'s).
pub fn list_index_error(i: i64, len: u64) -> String {
    format!("list index out of range: {i} (len {len})")
}

/// # Safety
/// `ctx.list_slots` is the base of the live list slot table and `list` a live list handle.
#[inline(always)]
pub unsafe fn list_slot<'a>(ctx: &Ctx, list: u64) -> &'a ListSlot {
    &*(ctx.list_slots as *const ListSlot).add(list as u32 as usize)
}

/// # Safety
/// `ctx.record_slots` is the base of the live record slot table and `rec` a live handle.
#[inline(always)]
pub unsafe fn record_slot<'a>(ctx: &Ctx, rec: u64) -> &'a RecordSlot {
    &*(ctx.record_slots as *const RecordSlot).add(rec as u32 as usize)
}

/// # Safety
/// `ctx.str_slots` is the base of the live string slot table and `s` a live string handle.
#[inline(always)]
pub unsafe fn str_slot<'a>(ctx: &Ctx, s: u64) -> &'a StrSlot {
    &*(ctx.str_slots as *const StrSlot).add(s as u32 as usize)
}

/// `len(list)`.
///
/// # Safety
/// See [`list_slot`].
#[inline(always)]
pub unsafe fn list_len(ctx: &Ctx, list: u64) -> i64 {
    list_slot(ctx, list).len as i64
}

/// `list[i]` as a raw word.
///
/// # Safety
/// See [`list_slot`].
#[inline(always)]
pub unsafe fn list_get(ctx: &Ctx, list: u64, i: i64) -> Result<u64, String> {
    let s = list_slot(ctx, list);
    match list_index(i, s.len) {
        Some(j) => Ok(*s.data.add(j)),
        None => Err(list_index_error(i, s.len)),
    }
}

/// `list[i] = w` in place.
///
/// # Safety
/// See [`list_slot`].
#[inline(always)]
pub unsafe fn list_set(ctx: &Ctx, list: u64, i: i64, w: u64) -> Result<(), String> {
    let s = list_slot(ctx, list);
    match list_index(i, s.len) {
        Some(j) => {
            *s.data.add(j) = w;
            Ok(())
        }
        None => Err(list_index_error(i, s.len)),
    }
}

/// Field `f` of a record, as a raw word.
///
/// # Safety
/// See [`record_slot`]; `f` is a field of the record's (static) type.
#[inline(always)]
pub unsafe fn get_field(ctx: &Ctx, rec: u64, f: u32) -> u64 {
    *record_slot(ctx, rec).fields.add(f as usize)
}

/// Field `f` of a record := `w`, in place.
///
/// # Safety
/// See [`get_field`].
#[inline(always)]
pub unsafe fn set_field(ctx: &Ctx, rec: u64, f: u32, w: u64) {
    *record_slot(ctx, rec).fields.add(f as usize) = w
}

/// `len(s)` in runes.
///
/// # Safety
/// See [`str_slot`].
#[inline(always)]
pub unsafe fn str_len(ctx: &Ctx, s: u64) -> i64 {
    str_slot(ctx, s).runes as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negative_indices_count_from_the_end() {
        assert_eq!(list_index(0, 3), Some(0));
        assert_eq!(list_index(2, 3), Some(2));
        assert_eq!(list_index(3, 3), None);
        assert_eq!(list_index(-1, 3), Some(2));
        assert_eq!(list_index(-3, 3), Some(0));
        assert_eq!(list_index(-4, 3), None);
        assert_eq!(list_index(i64::MIN, 3), None);
        assert_eq!(list_index(i64::MAX, 3), None);
        assert_eq!(list_index(0, 0), None);
        assert_eq!(list_index(-1, 0), None);
        assert_eq!(list_index_error(-4, 3), "list index out of range: -4 (len 3)");
    }
}
