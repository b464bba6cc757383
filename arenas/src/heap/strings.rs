//! Strings: immutable UTF-8, with a rune count per string (`len` is O(1); index and slice are
//! O(1) for ASCII strings, where `runes == len`).
//!
//! Strings share growable byte buffers, Go-append style: `concat(a, b)` appends b's bytes in
//! place when a ends exactly at its buffer's used length and the buffer has room, so the loop
//! `s = s + "a"` is amortised O(1) per iteration. This is safe because strings are immutable:
//! bytes a string covers never change, appends only write past `used`. Slices share their
//! source's buffer too.

use std::alloc::{dealloc, Layout};
use std::cmp::Ordering;

use super::{BufHeader, Heap, RtError, StrSlot, BUF_HEADER_SIZE, FLAG_PERMANENT, FLAG_UNIQUE};
use crate::rtti::{self, TypeId};
use crate::value::{ArenaKind, Cell};

fn buf_layout(cap: usize) -> Layout {
    Layout::from_size_align(BUF_HEADER_SIZE + cap, 8).expect("string too large")
}

/// A new byte buffer with `refs = 0`, `used = 0`.
fn new_buf(cap: usize) -> *mut BufHeader {
    super::alloc_buf(buf_layout(cap), cap)
}

pub(crate) fn buf_bytes(b: *mut BufHeader) -> *mut u8 {
    // SAFETY: the bytes follow the header.
    unsafe { (b as *mut u8).add(BUF_HEADER_SIZE) }
}

/// Append the `n` bytes at `b` (a string's bytes) to `a`'s buffer when `a` ends where the
/// buffer's used bytes end and it has room for them: bytes past `used`, which no string
/// covers (strings are immutable), so nothing else changes. Returns whether it did (`a`'s slot
/// itself is the caller's to grow or to copy into a new one); false, nothing written,
/// otherwise.
fn extend_buf(a: &StrSlot, b: *const u8, n: u64) -> bool {
    if a.buf.is_null() {
        return false;
    }
    // SAFETY: a live string's buffer is live and covers `a.ptr .. a.ptr + a.len`; `b`'s bytes
    // lie below some buffer's `used`, so they do not overlap the bytes written past `used`.
    unsafe {
        let hdr = &mut *a.buf;
        let end = buf_bytes(a.buf).add(hdr.used as usize);
        if !std::ptr::eq(a.ptr.add(a.len as usize), end) || hdr.used + n > hdr.cap {
            return false;
        }
        std::ptr::copy_nonoverlapping(b, end, n as usize);
        hdr.used += n;
    }
    true
}

/// A string literal of 1 to 7 bytes packed in a word (`AppendStrVLit`'s constant): its bytes
/// in memory order from the low byte, its length in the top byte; `None` for other lengths.
pub fn pack_literal(s: &str) -> Option<u64> {
    if !(1..=7).contains(&s.len()) {
        return None;
    }
    let mut b = [0u8; 8];
    b[..s.len()].copy_from_slice(s.as_bytes());
    b[7] = s.len() as u8;
    Some(u64::from_le_bytes(b))
}

/// The literal in a word [`pack_literal`] made, if it is one.
pub fn unpack_literal(w: u64) -> Option<String> {
    let b = w.to_le_bytes();
    let n = b[7] as usize;
    if !(1..=7).contains(&n) {
        return None;
    }
    std::str::from_utf8(&b[..n]).ok().map(str::to_string)
}

/// The word of a closed string view, or of one that could not open (`AppendStrOpen`): no
/// room, so every append takes its slow case.
pub const STR_NO_VIEW: u64 = 0;

/// The address bits of a view word (user-space addresses on x86-64 and aarch64 Linux fit).
pub const VIEW_ADDR_MASK: u64 = (1 << 48) - 1;

/// The most room a view word records; a view with more room left re-opens (in its slow case)
/// when this much is used.
pub const VIEW_MAX_ROOM: u64 = 0xffff;

/// An open string view's word (`AppendStrOpen`'s result, kept in an i64 slot that a loop keeps
/// in a register): the address the next byte goes to, with the room left after it (at most
/// [`VIEW_MAX_ROOM`]) in the top 16 bits. An append of `n <= room` bytes writes them and adds
/// `n - (n << 48)` ([`view_advance`]): no memory is read to find the string's end or its
/// buffer's, which is what makes the inline append a handful of instructions.
pub fn view_word(at: *const u8, room: usize) -> u64 {
    at as u64 | (room as u64).min(VIEW_MAX_ROOM) << 48
}

/// Where a view word's next byte goes and how much room is left.
pub fn view_parts(v: u64) -> (*mut u8, u64) {
    ((v & VIEW_ADDR_MASK) as *mut u8, v >> 48)
}

/// The view word after `n` bytes (at most the room) were written.
pub fn view_advance(v: u64, n: u64) -> u64 {
    v + n - (n << 48)
}

/// The capacity of the buffer a concatenation of `len` bytes copies into when it cannot
/// extend one: twice the length (amortised O(1) appends), at least 16.
fn grown_cap(len: usize) -> usize {
    (len * 2).max(16)
}

/// Drop one reference to a string buffer; frees it at zero. Returns the bytes freed.
pub(crate) fn release_str_buf(b: *mut BufHeader) -> usize {
    if b.is_null() {
        return 0;
    }
    // SAFETY: b is a live buffer with refs > 0.
    unsafe {
        (*b).refs -= 1;
        if (*b).refs == 0 {
            let cap = (*b).cap as usize;
            dealloc(b as *mut u8, buf_layout(cap));
            return BUF_HEADER_SIZE + cap;
        }
    }
    0
}

fn is_ascii_slot(s: &StrSlot) -> bool {
    s.runes == s.len
}

/// Byte offset of rune `r` in `s` (r <= rune count).
fn rune_offset(s: &str, ascii: bool, r: usize) -> usize {
    if ascii {
        return r;
    }
    s.char_indices().nth(r).map_or(s.len(), |(i, _)| i)
}

/// Clamp slice bounds the way the reference's `clampSlice` does: negative counts from the end,
/// both clamped to `[0, n]`, `lo >= hi` gives an empty range.
pub fn clamp_range(lo: Option<i64>, hi: Option<i64>, n: i64) -> (usize, usize) {
    let fix = |x: i64| {
        let x = if x < 0 { x + n } else { x };
        x.clamp(0, n)
    };
    let lo = fix(lo.unwrap_or(0));
    let hi = fix(hi.unwrap_or(n));
    if lo >= hi {
        (0, 0)
    } else {
        (lo as usize, hi as usize)
    }
}

impl Heap {
    fn str_slot(&self, c: Cell) -> &StrSlot {
        self.strs.get(self.idx(c, ArenaKind::Str))
    }

    /// A new string slot over `len` bytes at `ptr` inside `buf` (whose refs it takes).
    fn push_str_slot(
        &mut self,
        ptr: *const u8,
        len: usize,
        runes: usize,
        buf: *mut BufHeader,
    ) -> Cell {
        if !buf.is_null() {
            // SAFETY: live buffer.
            unsafe { (*buf).refs += 1 };
        }
        let (i, g) = self.strs.alloc(StrSlot {
            ptr,
            len: len as u64,
            runes: runes as u64,
            buf,
            gen: 0,
            flags: 0,
            _pad: 0,
        });
        self.note_alloc(super::STR_SLOT_SIZE);
        Cell::handle(ArenaKind::Str, g, i)
    }

    /// A string in a fresh buffer of capacity `cap >= s.len()`.
    fn alloc_str_cap(&mut self, s: &str, runes: usize, cap: usize) -> Cell {
        if s.is_empty() && cap == 0 {
            return self.push_str_slot(
                std::ptr::NonNull::dangling().as_ptr(),
                0,
                0,
                std::ptr::null_mut(),
            );
        }
        self.str_in_new_buf(&[(s.as_ptr(), s.len())], runes, cap)
    }

    /// A string of the bytes of `parts` (live bytes), in order, in a fresh buffer of capacity
    /// `cap` (at least their total length).
    fn str_in_new_buf(&mut self, parts: &[(*const u8, usize)], runes: usize, cap: usize) -> Cell {
        let (b, len) = self.buf_of(parts, cap);
        self.push_str_slot(buf_bytes(b), len, runes, b)
    }

    /// A fresh buffer of capacity `cap` holding the bytes of `parts` (live bytes, at most `cap`
    /// in all) in order, accounted to the collector, with no reference yet; and their length.
    fn buf_of(&mut self, parts: &[(*const u8, usize)], cap: usize) -> (*mut BufHeader, usize) {
        let b = new_buf(cap);
        let mut len = 0;
        // SAFETY: the parts are live bytes and fit in the buffer (cap >= their total length).
        unsafe {
            for &(p, n) in parts {
                std::ptr::copy_nonoverlapping(p, buf_bytes(b).add(len), n);
                len += n;
            }
            (*b).used = len as u64;
        }
        self.note_alloc(BUF_HEADER_SIZE + cap);
        (b, len)
    }

    /// Allocate a string (an ordinary, collectable object).
    pub fn alloc_str(&mut self, s: &str) -> Cell {
        self.alloc_str_cap(s, s.chars().count(), s.len())
    }

    /// Allocate a string the collector never frees (for interned constants; callers need not
    /// report it as a root).
    pub fn alloc_str_permanent(&mut self, s: &str) -> Cell {
        let c = self.alloc_str(s);
        let i = self.idx(c, ArenaKind::Str);
        self.strs.get_mut(i).flags |= FLAG_PERMANENT;
        c
    }

    /// The permanent empty string.
    pub fn empty_str(&self) -> Cell {
        self.ascii[128]
    }

    /// The contents of a string handle.
    #[inline]
    pub fn str(&self, c: Cell) -> &str {
        let s = self.str_slot(c);
        // SAFETY: ptr/len cover bytes of a live buffer that never change; they were valid UTF-8
        // when the string was made.
        unsafe { std::str::from_utf8_unchecked(std::slice::from_raw_parts(s.ptr, s.len as usize)) }
    }

    /// Rune count (`len(s)`).
    pub fn str_runes(&self, c: Cell) -> i64 {
        self.str_slot(c).runes as i64
    }

    /// Byte length.
    pub fn str_bytes_len(&self, c: Cell) -> usize {
        self.str_slot(c).len as usize
    }

    /// `a + b`. Amortised O(1) in `b`'s length when `a` ends at its buffer's used length (see
    /// the module doc).
    pub fn str_concat(&mut self, a: Cell, b: Cell) -> Cell {
        let sa = *self.str_slot(a);
        let sb = *self.str_slot(b);
        if sb.len == 0 {
            return a;
        }
        if sa.len == 0 {
            return b;
        }
        let (la, lb) = (sa.len as usize, sb.len as usize);
        let runes = (sa.runes + sb.runes) as usize;
        if extend_buf(&sa, sb.ptr, sb.len) {
            return self.push_str_slot(sa.ptr, la + lb, runes, sa.buf);
        }
        let cap = grown_cap(la + lb);
        self.str_in_new_buf(&[(sa.ptr, la), (sb.ptr, lb)], runes, cap)
    }

    /// `a := a + b` in place, when that needs no memory: `a` is a string slot made by
    /// [`Heap::str_append`] (`FLAG_UNIQUE`: the caller's owned local is its only reference),
    /// `b` a string, and `a` ends where its buffer's used bytes end with room for `b`'s. Then
    /// `b`'s bytes are appended and `a`'s slot grows over them (bytes no other string covers,
    /// as for [`Heap::str_concat`]'s in-place case); false (nothing changed) otherwise.
    #[inline]
    pub fn str_append_fast(&mut self, a: Cell, b: Cell) -> bool {
        if !a.is_handle_of(ArenaKind::Str) || !b.is_handle_of(ArenaKind::Str) {
            return false;
        }
        let sb = *self.strs.get(b.0 as u32);
        let sa = self.strs.get_mut(a.0 as u32);
        if sa.flags & FLAG_UNIQUE == 0 || !extend_buf(sa, sb.ptr, sb.len) {
            return false;
        }
        sa.len += sb.len;
        sa.runes += sb.runes;
        true
    }

    /// Open an append view on string `c` (`AppendStrOpen`, see
    /// `compiler::lower::append_views`): when `c` is a slot of an owned local's own
    /// (`FLAG_UNIQUE`) that ends where its buffer's used bytes end, reserve the rest of the
    /// buffer for its appends (the used length becomes the capacity: a slice of the string,
    /// which shares the buffer and may end at the same place, then copies instead of
    /// extending it in place) and return the view word ([`view_word`]: where the next byte
    /// goes and how much room is left), which the view then keeps (the slot's length and rune
    /// count are stale until `str_view_close`); else [`STR_NO_VIEW`].
    pub fn str_view_open(&mut self, c: Cell) -> u64 {
        if !c.is_handle_of(ArenaKind::Str) {
            return STR_NO_VIEW;
        }
        let s = self.strs.get(c.0 as u32);
        if s.flags & FLAG_UNIQUE == 0 || s.buf.is_null() {
            return STR_NO_VIEW;
        }
        // SAFETY: a live string's buffer is live and covers `ptr .. ptr + len`.
        unsafe {
            let hdr = &mut *s.buf;
            let at = s.ptr.add(s.len as usize);
            let end = buf_bytes(s.buf).add(hdr.cap as usize);
            if !std::ptr::eq(at, buf_bytes(s.buf).add(hdr.used as usize))
                || end as u64 > VIEW_ADDR_MASK
            {
                return STR_NO_VIEW;
            }
            hdr.used = hdr.cap;
            view_word(at, end as usize - at as usize)
        }
    }

    /// `R[a] := R[a] + b` through the open append view `v` (the interpreter's `AppendStrV`),
    /// when `b` is a non-empty string that fits in the room the view has left: appends `b`'s
    /// bytes and returns the view's next word; `None` (nothing written) when `v` is
    /// `STR_NO_VIEW`, `b` is not a string, is empty or does not fit (then `str_view_grow`).
    #[inline(always)]
    pub fn str_view_append_fast(&mut self, v: u64, b: Cell) -> Option<u64> {
        if !b.is_handle_of(ArenaKind::Str) {
            return None;
        }
        let sb = *self.strs.get(b.0 as u32);
        let (at, room) = view_parts(v);
        if sb.len == 0 || room < sb.len {
            // (an empty piece too, as in tier 2: no copy to a closed view's null address)
            return None;
        }
        // SAFETY: `at .. at + room` is the part of a buffer its view reserved; `b`'s bytes lie
        // below some buffer's used length, so they do not overlap it.
        unsafe { std::ptr::copy_nonoverlapping(sb.ptr, at, sb.len as usize) };
        Some(view_advance(v, sb.len))
    }

    /// `R[a] := R[a] + lit` through the open append view `v`, where `lit` is a packed literal
    /// ([`pack_literal`]: its 1 to 7 bytes, its length in the top byte), when it fits in the
    /// room left (the interpreter's `AppendStrVLit`): writes the literal's bytes (a whole word
    /// when 8 bytes fit: the bytes past the literal are junk past the string's end, in the
    /// part of the buffer the view reserved) and returns the view's next word; `None`
    /// (nothing written) when the view is `STR_NO_VIEW` or there is no room.
    #[inline(always)]
    pub fn str_view_append_lit(&mut self, v: u64, lit: u64) -> Option<u64> {
        let lb = lit >> 56;
        let (at, room) = view_parts(v);
        // SAFETY: the bytes written lie in `at .. at + room`, the reserved part of the buffer.
        unsafe {
            if room >= 8 {
                (at as *mut u64).write_unaligned(lit.to_le());
            } else if room >= lb {
                std::ptr::copy_nonoverlapping(lit.to_le_bytes().as_ptr(), at, lb as usize);
            } else {
                return None;
            }
        }
        Some(view_advance(v, lb))
    }

    /// Close the append view `v` on string `c`: its slot covers the bytes the view wrote (its
    /// rune count grows by the runes appended) and so does its buffer's used part. Returns
    /// the string's byte length (nothing changes when `v` is `STR_NO_VIEW`).
    pub fn str_view_close(&mut self, c: Cell, v: u64) -> u64 {
        let i = self.idx(c, ArenaKind::Str);
        let s = self.strs.get_mut(i);
        if v == STR_NO_VIEW {
            return s.len;
        }
        let (end, _) = view_parts(v);
        // SAFETY: the view was opened on this slot's buffer (only `str_view_grow` replaces
        // it, and it closes the view first), and wrote whole strings' bytes from the string's
        // end up to `end`.
        unsafe {
            let from = s.ptr.add(s.len as usize);
            let new = std::slice::from_raw_parts(from, end as usize - from as usize);
            // (whole strings' bytes: UTF-8; an ASCII check is quicker than counting)
            s.runes += if new.is_ascii() {
                new.len()
            } else {
                std::str::from_utf8_unchecked(new).chars().count()
            } as u64;
            s.len = (end as usize - s.ptr as usize) as u64;
            let start = s.ptr as usize - buf_bytes(s.buf) as usize;
            (*s.buf).used = (start + s.len as usize) as u64;
        }
        s.len
    }

    /// The slow case of an append through the view `v` on string `a` (`AppendStrVGrow`):
    /// close the view, `a + b` as [`Heap::str_append`], and open the view on the result.
    /// Returns the result and the view's word.
    pub fn str_view_grow(&mut self, a: Cell, v: u64, b: Cell) -> (Cell, u64) {
        let sb = *self.str_slot(b);
        self.str_view_grow_bytes(a, v, sb.ptr, sb.len, sb.runes)
    }

    /// [`Heap::str_view_grow`] with the `len` bytes (`runes` runes) of a string at `b`: a
    /// string's bytes, or bytes outside the heap (`AppendStrVLitGrow`'s literal).
    pub fn str_view_grow_bytes(
        &mut self,
        a: Cell,
        v: u64,
        b: *const u8,
        len: u64,
        runes: u64,
    ) -> (Cell, u64) {
        self.str_view_close(a, v);
        let r = self.str_append_bytes(a, b, len, runes);
        (r, self.str_view_open(r))
    }

    /// `a + b` for an owned string local's `s = s + t` (`Op::AppendStr`). When `a` is the
    /// local's own slot (`FLAG_UNIQUE`), the slot itself grows: in its buffer when it ends
    /// there with room (as [`Heap::str_append_fast`] does), else moved to a new buffer of twice the length (its old
    /// buffer loses a reference: freed now unless a slice shares it). Otherwise (the first
    /// append to a constant, or to a string the local got otherwise) a *new* slot marked
    /// `FLAG_UNIQUE` (never `a` or `b` itself, as [`Heap::str_concat`] returns for an empty
    /// side: those may be shared), or `a` unchanged when `b` is empty. The local's next appends
    /// then grow that slot, so a loop of appends makes one slot, not one per growth.
    pub fn str_append(&mut self, a: Cell, b: Cell) -> Cell {
        let sb = *self.str_slot(b);
        self.str_append_bytes(a, sb.ptr, sb.len, sb.runes)
    }

    /// [`Heap::str_append`] with the `lb` bytes (`runes_b` runes) at `b`: a string's bytes
    /// (below some buffer's used length, so they never overlap the bytes written), or bytes
    /// outside the heap.
    fn str_append_bytes(&mut self, a: Cell, b: *const u8, lb: u64, runes_b: u64) -> Cell {
        if lb == 0 {
            return a;
        }
        let sa = *self.str_slot(a);
        let (la, runes) = (sa.len as usize, (sa.runes + runes_b) as usize);
        let total = la + lb as usize;
        let grown = extend_buf(&sa, b, lb);
        if sa.flags & FLAG_UNIQUE != 0 {
            let i = self.idx(a, ArenaKind::Str);
            if !grown {
                // (`b` may lie in `a`'s old buffer, `s = s + s[1:]`: released after the copy)
                let (nb, _) = self.buf_of(&[(sa.ptr, la), (b, lb as usize)], grown_cap(total));
                // SAFETY: the fresh buffer is live; the slot below is its one reference.
                unsafe { (*nb).refs = 1 };
                release_str_buf(sa.buf);
                let s = self.strs.get_mut(i);
                s.ptr = buf_bytes(nb);
                s.buf = nb;
            }
            let s = self.strs.get_mut(i);
            s.len = total as u64;
            s.runes = runes as u64;
            return a;
        }
        let r = if grown {
            self.push_str_slot(sa.ptr, total, runes, sa.buf)
        } else {
            self.str_in_new_buf(&[(sa.ptr, la), (b, lb as usize)], runes, grown_cap(total))
        };
        let i = self.idx(r, ArenaKind::Str);
        self.strs.get_mut(i).flags |= FLAG_UNIQUE;
        r
    }

    /// Concatenate a Rust string onto `a` (same amortisation as [`Heap::str_concat`]).
    pub fn str_concat_str(&mut self, a: Cell, b: &str) -> Cell {
        let bc = self.alloc_str(b);
        self.str_concat(a, bc)
    }

    /// A string over a rune range of `c`, sharing its buffer.
    fn str_sub(&mut self, c: Cell, lo: usize, hi: usize) -> Cell {
        if lo >= hi {
            return self.empty_str();
        }
        let s = *self.str_slot(c);
        let ascii = is_ascii_slot(&s);
        let text = self.str(c);
        let blo = rune_offset(text, ascii, lo);
        let bhi = if ascii {
            hi
        } else {
            blo + rune_offset(&text[blo..], false, hi - lo)
        };
        if hi - lo == 1 && ascii {
            return self.ascii[text.as_bytes()[lo] as usize];
        }
        // SAFETY: blo..bhi lies inside the string.
        let ptr = unsafe { s.ptr.add(blo) };
        self.push_str_slot(ptr, bhi - blo, hi - lo, s.buf)
    }

    /// `s[i]`: the rune at index `i` (negative counts from the end) as a 1-rune string.
    pub fn str_index(&mut self, c: Cell, i: i64) -> Result<Cell, RtError> {
        let n = self.str_runes(c);
        let j = if i < 0 { i + n } else { i };
        if j < 0 || j >= n {
            return Err(RtError(format!("string index out of range: {i} (len {n})")));
        }
        Ok(self.str_sub(c, j as usize, j as usize + 1))
    }

    /// `s[lo:hi]` (rune indices, negative from the end, clamped; start past the end -> "").
    pub fn str_slice(&mut self, c: Cell, lo: Option<i64>, hi: Option<i64>) -> Cell {
        let (lo, hi) = clamp_range(lo, hi, self.str_runes(c));
        self.str_sub(c, lo, hi)
    }

    /// `substring(s, start, end)`: END index, same clamping as slices.
    pub fn str_substring(&mut self, c: Cell, start: i64, end: i64) -> Cell {
        self.str_slice(c, Some(start), Some(end))
    }

    /// Byte-order comparison.
    pub fn str_cmp(&self, a: Cell, b: Cell) -> Ordering {
        self.str(a).as_bytes().cmp(self.str(b).as_bytes())
    }
    /// String equality; nil (a missing key of a string-valued map) equals only nil.
    pub fn str_eq(&self, a: Cell, b: Cell) -> bool {
        a == b || !a.is_nil() && !b.is_nil() && self.str(a) == self.str(b)
    }
    /// `sub in s` / `s.contains(sub)`.
    pub fn str_contains(&self, s: Cell, sub: Cell) -> bool {
        self.str(s).contains(self.str(sub))
    }
    pub fn str_starts_with(&self, s: Cell, p: Cell) -> bool {
        self.str(s).starts_with(self.str(p))
    }
    pub fn str_upper(&mut self, s: Cell) -> Cell {
        let u = self.str(s).to_uppercase();
        self.alloc_str(&u)
    }
    pub fn str_lower(&mut self, s: Cell) -> Cell {
        let u = self.str(s).to_lowercase();
        self.alloc_str(&u)
    }
    /// Go's `strings.TrimSpace`.
    pub fn str_trim(&mut self, s: Cell) -> Cell {
        let t = self.str(s).trim().to_string();
        self.alloc_str(&t)
    }
    /// Go's `strings.Split`: an empty separator splits into runes. Returns a `list<string>`.
    pub fn str_split(&mut self, s: Cell, sep: Cell) -> Cell {
        let text = self.str(s).to_string();
        let sep = self.str(sep).to_string();
        let parts: Vec<String> = if sep.is_empty() {
            text.chars().map(String::from).collect()
        } else {
            text.split(sep.as_str()).map(String::from).collect()
        };
        let words: Vec<u64> = parts.iter().map(|p| self.alloc_str(p).0).collect();
        self.list_from(rtti::STR, &words)
    }
    /// `join(list<string>, sep)`.
    pub fn str_join(&mut self, list: Cell, sep: Cell) -> Cell {
        let sep = self.str(sep);
        let mut out = String::new();
        for (k, &w) in self.list_words(list).iter().enumerate() {
            if k > 0 {
                out.push_str(sep);
            }
            out.push_str(self.str(Cell(w)));
        }
        self.alloc_str(&out)
    }
    /// Rune index of the first occurrence of `sub`, or -1.
    pub fn str_index_of(&self, s: Cell, sub: Cell) -> i64 {
        let text = self.str(s);
        match text.find(self.str(sub)) {
            Some(b) => text[..b].chars().count() as i64,
            None => -1,
        }
    }
    /// `repeat(s, n)` (n <= 0 gives "").
    pub fn str_repeat(&mut self, s: Cell, n: i64) -> Cell {
        let r = self.str(s).repeat(n.max(0) as usize);
        self.alloc_str(&r)
    }
    /// `padStart(s, width, pad)`: prepend `pad` until the string has at least `width` runes.
    pub fn str_pad_start(&mut self, s: Cell, width: i64, pad: Cell) -> Cell {
        let text = self.str(s);
        let pad = self.str(pad);
        let mut n = text.chars().count() as i64;
        if pad.is_empty() || n >= width {
            return s;
        }
        let pn = pad.chars().count() as i64;
        let mut prefix = String::new();
        while n < width {
            prefix.push_str(pad);
            n += pn;
        }
        prefix.push_str(text);
        self.alloc_str(&prefix)
    }
    /// Reverse by runes.
    pub fn str_reverse(&mut self, s: Cell) -> Cell {
        let r: String = self.str(s).chars().rev().collect();
        self.alloc_str(&r)
    }
    /// Go's `strconv.ParseInt(s, base, 64)` (base 0: prefix `0x`/`0o`/`0b` decides); error
    /// `cannot cast "s" to int`.
    pub fn str_parse_int(&self, s: Cell, base: u32) -> Result<i64, RtError> {
        parse_int(self.str(s), base)
    }
    pub fn int_to_str(&mut self, i: i64) -> Cell {
        self.alloc_str(&i.to_string())
    }
    /// A float as `str(x)` / `print(x)` format it.
    pub fn float_to_str(&mut self, x: f64) -> Cell {
        self.alloc_str(&crate::format::float_top(x))
    }
    pub fn bool_to_str(&mut self, b: bool) -> Cell {
        self.alloc_str(crate::format::bool_str(b))
    }
    /// `str(x)` of any typed word, as a new string.
    pub fn to_str_cell(&mut self, w: u64, ty: TypeId) -> Cell {
        let s = self.format_str(w, ty);
        self.alloc_str(&s)
    }
}

/// Parse an int the way `"123" as int` / `parseIntStr(s, base)` do.
pub fn parse_int(s: &str, base: u32) -> Result<i64, RtError> {
    let err = || RtError(format!("cannot cast {s:?} to int"));
    let (neg, body) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let (base, digits) = if base == 0 {
        let lower = body.to_ascii_lowercase();
        if lower.starts_with("0x") {
            (16, &body[2..])
        } else if lower.starts_with("0o") {
            (8, &body[2..])
        } else if lower.starts_with("0b") {
            (2, &body[2..])
        } else if body.len() > 1 && body.starts_with('0') {
            (8, &body[1..])
        } else {
            (10, body)
        }
    } else {
        (base, body)
    };
    if !(2..=36).contains(&base) || digits.is_empty() || digits.starts_with(['+', '-']) {
        return Err(err());
    }
    let mag = u64::from_str_radix(digits, base).map_err(|_| err())?;
    if neg {
        if mag <= i64::MAX as u64 + 1 {
            Ok((mag as i64).wrapping_neg())
        } else {
            Err(err())
        }
    } else {
        i64::try_from(mag).map_err(|_| err())
    }
}
