//! The heap: typed arenas whose slot tables never move, addressed by handle [`Cell`]s.
//!
//! Every arena keeps a *slot table*: an array of `#[repr(C)]` slots reserved once with
//! `mmap(PROT_NONE)` ([`SLOT_TABLE_RESERVE`] bytes of address space) and committed read-write
//! chunk by chunk as it grows, so its base address never changes: native code may keep it in a
//! register for a whole activation. Element buffers (list words, record fields, string bytes)
//! are separate allocations and may move. Slot index 0 of every arena is reserved (never
//! valid), so an all-zero handle payload is never a live object.
//!
//! A handle carries the low 12 bits of its slot's generation; freeing a slot bumps the
//! generation and puts the slot on the arena's free list. Accessors `debug_assert` that a
//! handle's generation matches and that the slot is live.
//!
//! A *word* is a `u64` whose meaning depends on a static [`TypeId`]: raw i64 (int, bool),
//! raw f64 bits (float) or a [`Cell`] (everything else, see [`crate::rtti::Bank`]).

pub mod bigints;
pub mod intmap;
pub mod lists;
pub mod maps;
pub mod records;
pub mod strings;

use std::time::Duration;

use num_bigint::BigInt;

use crate::rtti::{TypeDesc, TypeId, TypeTable};
use crate::value::{ArenaKind, Cell};

pub use intmap::{IntDense, COUNT_STRIPES};
pub use maps::MapObj;

/// A runtime error message (the caller adds the source position).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RtError(pub String);

impl std::fmt::Display for RtError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}
impl std::error::Error for RtError {}

/// Address space reserved for each slot table (never all committed) when the process has no
/// address-space limit; under `ulimit -v` it is scaled down ([`crate::limits`]).
pub const SLOT_TABLE_RESERVE: usize = crate::limits::SLOT_TABLE_RESERVE_MAX;

/// The message of every failed heap allocation (a panic payload inside the heap, turned into
/// a runtime error by the runtime's helpers).
pub const OUT_OF_MEMORY: &str = "out of memory";

/// `flags` bit: the slot holds a live object.
pub const FLAG_LIVE: u16 = 1;
/// `flags` bit: marked by the current collection.
pub const FLAG_MARK: u16 = 2;
/// `flags` bit: never freed by the collector, and traced as a root (interned constants).
pub const FLAG_PERMANENT: u16 = 4;
/// `flags` bit of a record slot: the record is a closure (its fields are captures).
pub const FLAG_CLOSURE: u16 = 8;
/// `flags` bit of a string slot: made by [`Heap::str_append`] for an *owned* string local
/// (`compiler::lower::owned`), which is the only reference to it while it appends, so
/// [`Heap::str_append`] may grow the slot itself: extend it in its buffer, or move it to a
/// bigger one.
pub const FLAG_UNIQUE: u16 = 16;

/// Header in front of a growable element buffer (list words or string bytes) that several
/// objects may share (Go-append style). `used` is how much of the buffer some object has
/// claimed; `cap` its capacity (words for lists, bytes for strings); `refs` how many slots
/// point into it (the buffer is freed when the last one is swept).
#[repr(C)]
pub struct BufHeader {
    pub used: u64,
    pub cap: u64,
    pub refs: u64,
}

/// A new element buffer of `layout` (a header, then `cap` bytes or words) with `refs = 0`,
/// `used = 0`; returns the header. A failed allocation panics with the out-of-memory message,
/// which the helper that allocated reports as a runtime error.
pub(crate) fn alloc_buf(layout: std::alloc::Layout, cap: usize) -> *mut BufHeader {
    // SAFETY: the layout is never empty (it holds the header).
    unsafe {
        let p = std::alloc::alloc(layout) as *mut BufHeader;
        assert!(!p.is_null(), "{}", OUT_OF_MEMORY);
        p.write(BufHeader {
            used: 0,
            cap: cap as u64,
            refs: 0,
        });
        p
    }
}
pub const BUF_HEADER_SIZE: usize = std::mem::size_of::<BufHeader>();

/// A string. Layout (40 bytes): `ptr` at 0 (first byte; dangling when empty), `len` at 8 (bytes),
/// `runes` at 16 (Unicode scalar values; `runes == len` means ASCII), `buf` at 24 (the shared
/// byte buffer's header, or null for the empty string), `gen` at 32, `flags` at 34.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct StrSlot {
    pub ptr: *const u8,
    pub len: u64,
    pub runes: u64,
    pub buf: *mut BufHeader,
    pub gen: u16,
    pub flags: u16,
    pub _pad: u32,
}

/// A list of 8-byte words (raw i64 for `list<int>`/`list<bool>`, raw f64 bits for
/// `list<float>`, Cells otherwise; `elem` says which). Layout (32 bytes): `data` at 0 (first
/// element; a [`BufHeader`] sits right before it; null when `cap == 0`), `len` at 8, `cap` at 16
/// (capacity of the buffer in words), `elem` at 24 (element TypeId), `gen` at 28, `flags` at 30.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct ListSlot {
    pub data: *mut u64,
    pub len: u64,
    pub cap: u64,
    pub elem: u32,
    pub gen: u16,
    pub flags: u16,
}

/// A struct, a union variant or a closure. Layout (24 bytes): `fields` at 0, `type_id` at 8
/// (struct/variant TypeId, or the closure's `Func` TypeId), `gen` at 12, `flags` at 14,
/// `nfields` at 16, `func` at 20 (closure: function index; else 0). A closure's field buffer
/// holds `nfields` captures followed by `ceil(nfields / 64)` mask words (bit i set = capture i
/// is a Cell), which is how the collector knows the captures' banks.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct RecordSlot {
    pub fields: *mut u64,
    pub type_id: u32,
    pub gen: u16,
    pub flags: u16,
    pub nfields: u32,
    pub func: u32,
}

/// A map (32 bytes): `obj` at 0 (the Rust hash table), `key`/`val` TypeIds at 8/12, `gen` at 16,
/// `flags` at 18, `dense` at 24: an int-keyed map's dense part inside `obj` (which native code
/// reads and writes, `IntDense`), null for other maps.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct MapSlot {
    pub obj: *mut MapObj,
    pub key: u32,
    pub val: u32,
    pub gen: u16,
    pub flags: u16,
    pub _pad: u32,
    pub dense: *mut IntDense,
}

/// A big integer (16 bytes): `ptr` at 0, `gen` at 12, `flags` at 14.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct BigSlot {
    pub ptr: *mut BigInt,
    pub _pad: u32,
    pub gen: u16,
    pub flags: u16,
}

/// An int that does not fit a small-int Cell (16 bytes): `val` at 0, `gen` at 12, `flags` at 14.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct BoxSlot {
    pub val: i64,
    pub _pad: u32,
    pub gen: u16,
    pub flags: u16,
}

pub const STR_SLOT_SIZE: usize = std::mem::size_of::<StrSlot>();
pub const LIST_SLOT_SIZE: usize = std::mem::size_of::<ListSlot>();
pub const RECORD_SLOT_SIZE: usize = std::mem::size_of::<RecordSlot>();
pub const MAP_SLOT_SIZE: usize = std::mem::size_of::<MapSlot>();
const _: () = assert!(STR_SLOT_SIZE == 40);
const _: () = assert!(LIST_SLOT_SIZE == 32);
const _: () = assert!(RECORD_SLOT_SIZE == 24);
const _: () = assert!(MAP_SLOT_SIZE == 32);
const _: () = assert!(std::mem::size_of::<BigSlot>() == 16);
const _: () = assert!(std::mem::size_of::<BoxSlot>() == 16);

/// Common header fields of every slot type.
pub trait Slot: Copy {
    fn gen(&self) -> u16;
    fn set_gen(&mut self, g: u16);
    fn flags(&self) -> u16;
    fn flags_mut(&mut self) -> &mut u16;
}

macro_rules! impl_slot {
    ($($t:ty),*) => {$(
        impl Slot for $t {
            fn gen(&self) -> u16 { self.gen }
            fn set_gen(&mut self, g: u16) { self.gen = g }
            fn flags(&self) -> u16 { self.flags }
            fn flags_mut(&mut self) -> &mut u16 { &mut self.flags }
        }
    )*};
}
impl_slot!(StrSlot, ListSlot, RecordSlot, MapSlot, BigSlot, BoxSlot);

/// A slot table in reserved address space whose base never moves.
pub struct SlotTable<T: Slot> {
    base: *mut T,
    /// High-water mark: slots `0..len` have been initialised (slot 0 is reserved).
    len: usize,
    /// Slots committed read-write.
    committed: usize,
    /// Bytes committed read-write (a multiple of the commit chunk).
    committed_bytes: usize,
    /// Slots the reservation can hold.
    capacity: usize,
    /// Bytes reserved (fixed at creation: the base never moves).
    reserved: usize,
    /// The free list and live count, boxed so that native code may pop the list
    /// (`SlotFree`); `free_ids` owns the list's memory.
    pub(crate) free: Box<SlotFree>,
    free_ids: Vec<u32>,
}

/// A slot table's free list as native code sees it (`SlotFree` in `stencils/src/mochi.h`):
/// `ids[0..len]` are free slot indices, popped from the end; `live` counts the allocated
/// slots. Tier 2's inline string concatenation pops a slot here and counts it live; only Rust
/// pushes (and grows the list).
#[repr(C)]
#[derive(Debug)]
pub struct SlotFree {
    pub ids: *mut u32,
    pub len: u64,
    pub live: u64,
}

const COMMIT_CHUNK: usize = 64 << 10;

impl<T: Slot> SlotTable<T> {
    pub fn new() -> Self {
        let reserved = crate::limits::slot_table_reserve();
        // SAFETY: an anonymous PROT_NONE reservation; no memory is touched.
        let p = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                reserved,
                libc::PROT_NONE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_NORESERVE,
                -1,
                0,
            )
        };
        assert!(
            p != libc::MAP_FAILED,
            "{OUT_OF_MEMORY}: cannot reserve a slot table"
        );
        let mut t = SlotTable {
            base: p as *mut T,
            len: 0,
            committed: 0,
            committed_bytes: 0,
            capacity: (reserved / std::mem::size_of::<T>()).min(u32::MAX as usize),
            reserved,
            free: Box::new(SlotFree {
                ids: std::ptr::null_mut(),
                len: 0,
                live: 0,
            }),
            free_ids: Vec::new(),
        };
        // Reserve slot 0 (zeroed: never live).
        t.ensure_committed(1);
        t.len = 1;
        t
    }

    pub fn base(&self) -> *mut T {
        self.base
    }

    /// Slots ever initialised, including the reserved slot 0 and free slots.
    pub fn high_water(&self) -> usize {
        self.len
    }

    fn ensure_committed(&mut self, slots: usize) {
        if slots <= self.committed {
            return;
        }
        if slots > self.capacity {
            panic!("{OUT_OF_MEMORY}");
        }
        let sz = std::mem::size_of::<T>();
        let old_bytes = self.committed_bytes;
        let want = (slots * sz).max(old_bytes * 2).max(COMMIT_CHUNK);
        let new_bytes = want.div_ceil(COMMIT_CHUNK) * COMMIT_CHUNK;
        let new_bytes = new_bytes.min(self.reserved);
        // SAFETY: [old_bytes, new_bytes) lies inside our reservation and is page aligned
        // (old_bytes is a multiple of COMMIT_CHUNK).
        let r = unsafe {
            libc::mprotect(
                (self.base as *mut u8).add(old_bytes) as *mut libc::c_void,
                new_bytes - old_bytes,
                libc::PROT_READ | libc::PROT_WRITE,
            )
        };
        if r != 0 {
            panic!("{OUT_OF_MEMORY}");
        }
        self.committed_bytes = new_bytes;
        self.committed = new_bytes / sz;
    }

    /// Store `slot` (its gen/flags are overwritten) in a free or new slot; returns
    /// `(index, generation)`.
    pub fn alloc(&mut self, mut slot: T) -> (u32, u16) {
        self.free.live += 1;
        if let Some(i) = self.pop_free() {
            let g = self.get(i).gen();
            slot.set_gen(g);
            *slot.flags_mut() = FLAG_LIVE;
            // SAFETY: i < len, committed.
            unsafe { self.base.add(i as usize).write(slot) };
            return (i, g);
        }
        let i = self.len;
        self.ensure_committed(i + 1);
        self.len = i + 1;
        slot.set_gen(0);
        *slot.flags_mut() = FLAG_LIVE;
        // SAFETY: i < committed.
        unsafe { self.base.add(i).write(slot) };
        (i as u32, 0)
    }

    #[inline]
    pub fn get(&self, i: u32) -> &T {
        debug_assert!((i as usize) < self.len);
        // SAFETY: every index below len is initialised and committed.
        unsafe { &*self.base.add(i as usize) }
    }

    #[inline]
    pub fn get_mut(&mut self, i: u32) -> &mut T {
        debug_assert!((i as usize) < self.len);
        // SAFETY: as in get; &mut self gives exclusive access.
        unsafe { &mut *self.base.add(i as usize) }
    }

    /// Mark slot `i` free: bump its generation, clear its flags, push it on the free list.
    /// The caller has released whatever the slot owned.
    #[inline]
    pub fn free_slot(&mut self, i: u32) {
        let s = self.get_mut(i);
        s.set_gen(s.gen().wrapping_add(1));
        *s.flags_mut() = 0;
        self.push_free(i);
        self.free.live -= 1;
    }

    /// Live (allocated, not yet freed) slots.
    pub(crate) fn live(&self) -> usize {
        self.free.live as usize
    }

    /// The free list, for native code (its address never changes).
    pub fn free_list(&mut self) -> *mut SlotFree {
        &mut *self.free
    }

    fn pop_free(&mut self) -> Option<u32> {
        let f = &mut *self.free;
        if f.len == 0 {
            return None;
        }
        f.len -= 1;
        // SAFETY: len < the length of `free_ids`, which `ids` points into.
        Some(unsafe { *f.ids.add(f.len as usize) })
    }

    #[inline]
    fn push_free(&mut self, i: u32) {
        if self.free.len as usize == self.free_ids.len() {
            // Grow the list's memory (all of it is the list's room: `len` is the count).
            let n = (2 * self.free_ids.len()).max(64);
            if self
                .free_ids
                .try_reserve_exact(n - self.free_ids.len())
                .is_err()
            {
                panic!("{OUT_OF_MEMORY}");
            }
            self.free_ids.resize(n, 0);
            self.free.ids = self.free_ids.as_mut_ptr();
        }
        let f = &mut *self.free;
        // SAFETY: len < the length of `free_ids`.
        unsafe { *f.ids.add(f.len as usize) = i };
        f.len += 1;
    }
}

impl<T: Slot> Default for SlotTable<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: Slot> Drop for SlotTable<T> {
    fn drop(&mut self) {
        // SAFETY: unmapping exactly our reservation.
        unsafe { libc::munmap(self.base as *mut libc::c_void, self.reserved) };
    }
}

/// Collector state and statistics (see `gc.rs`). The first three fields are what native code
/// reads and counts when it allocates inline (`GcCounters` in `stencils/src/mochi.h`).
#[repr(C)]
#[derive(Clone, Debug, Default)]
pub struct GcStats {
    /// Bytes allocated since the last collection.
    pub allocated_since: usize,
    /// `should_collect` is `allocated_since >= collect_at`: the three conditions (stress,
    /// threshold, max-heap) folded into one bound, recomputed whenever one of their inputs
    /// changes (`Heap::update_collect_at`); 0 once the heap is out of memory.
    pub collect_at: usize,
    /// Bytes allocated since the heap was created (estimated like `allocated_since`; a
    /// `bench` block reports the difference as `memory_bytes`).
    pub total_allocated: u64,
    pub collections: u64,
    pub total_pause: Duration,
    pub max_pause: Duration,
    /// Bytes held by live objects after the last collection (slots + buffers, estimated).
    pub live_bytes: usize,
    pub live_objects: usize,
    /// `should_collect` fires when `allocated_since` exceeds this.
    pub threshold: usize,
    pub stress: bool,
    /// `--max-heap`: live bytes after a collection may not exceed this.
    pub max_heap: usize,
}

/// The runtime heap: one arena per object kind, plus the program's types.
pub struct Heap {
    pub types: TypeTable,
    pub(crate) strs: SlotTable<StrSlot>,
    pub(crate) lists: SlotTable<ListSlot>,
    pub(crate) maps: SlotTable<MapSlot>,
    pub(crate) records: SlotTable<RecordSlot>,
    pub(crate) bigs: SlotTable<BigSlot>,
    pub(crate) boxes: SlotTable<BoxSlot>,
    pub(crate) gc: GcStats,
    /// Dead list buffers of small capacities kept for reuse (`lists::SmallBufs`).
    pub(crate) small_bufs: lists::SmallBufs,
    /// Set once the heap could not grow (sticky: every later allocating op fails too).
    pub oom: Option<String>,
    /// Permanent one-byte strings for ASCII characters (string indexing returns these), and
    /// the permanent empty string at index 128.
    pub(crate) ascii: Vec<Cell>,
}

/// A decoded view of one value, independent of how it was stored.
#[derive(Clone, Copy, Debug)]
pub(crate) enum V<'a> {
    Nil,
    Int(i64),
    Float(f64),
    Bool(bool),
    Str(&'a str),
    Big(&'a BigInt),
    List(Cell),
    Map(Cell),
    Rec(Cell),
}

impl Heap {
    pub fn new(types: TypeTable) -> Self {
        let mut h = Heap {
            types,
            strs: SlotTable::new(),
            lists: SlotTable::new(),
            maps: SlotTable::new(),
            records: SlotTable::new(),
            bigs: SlotTable::new(),
            boxes: SlotTable::new(),
            gc: GcStats {
                threshold: crate::gc::MIN_THRESHOLD,
                max_heap: crate::limits::default_max_heap(),
                ..GcStats::default()
            },
            small_bufs: lists::SmallBufs::default(),
            oom: None,
            ascii: Vec::new(),
        };
        h.update_collect_at();
        for b in 0u8..128 {
            let c = h.alloc_str_permanent(std::str::from_utf8(&[b]).unwrap());
            h.ascii.push(c);
        }
        let e = h.alloc_str_permanent("");
        h.ascii.push(e);
        h
    }

    /// Base of the string slot table (never moves).
    pub fn str_slots_base(&self) -> *mut StrSlot {
        self.strs.base()
    }
    /// Base of the list slot table (never moves).
    pub fn list_slots_base(&self) -> *mut ListSlot {
        self.lists.base()
    }
    /// Base of the record slot table (never moves).
    pub fn record_slots_base(&self) -> *mut RecordSlot {
        self.records.base()
    }
    /// The string slot table's free list (never moves), for tier 2's inline concatenation.
    pub fn str_free_list(&mut self) -> *mut SlotFree {
        self.strs.free_list()
    }
    /// The list slot table's free list (never moves), for tier 2's inline `new_list`.
    pub fn list_free_list(&mut self) -> *mut SlotFree {
        self.lists.free_list()
    }
    /// The kept small list buffers, one `BufFree` per capacity 1..=`lists::SMALL_CAPS`
    /// (never move), for tier 2's inline `new_list`.
    pub fn small_list_bufs(&mut self) -> *mut lists::BufFree {
        self.small_bufs.classes_ptr()
    }
    /// The allocation counters (`GcStats`'s first fields; never move while the heap does
    /// not), for tier 2's inline allocation.
    pub fn gc_counters(&mut self) -> *mut GcStats {
        &mut self.gc
    }
    /// Base of the map slot table (never moves).
    pub fn map_slots_base(&self) -> *mut MapSlot {
        self.maps.base()
    }

    #[inline]
    pub(crate) fn note_alloc(&mut self, bytes: usize) {
        self.gc.allocated_since += bytes;
        self.gc.total_allocated += bytes as u64;
    }

    /// Slot index of a handle of arena `kind`; debug-checks the generation.
    #[inline]
    pub(crate) fn idx(&self, c: Cell, kind: ArenaKind) -> u32 {
        match c.as_handle() {
            Some((k, g, i)) if k == kind as u8 => {
                debug_assert!(self.gen_ok(kind, g, i), "stale {kind:?} handle {:#x}", c.0);
                i
            }
            _ => panic!("not a {kind:?} handle: {:#x}", c.0),
        }
    }

    fn gen_ok(&self, kind: ArenaKind, g: u16, i: u32) -> bool {
        fn ok<T: Slot>(t: &SlotTable<T>, g: u16, i: u32) -> bool {
            (i as usize) < t.len && {
                let s = t.get(i);
                s.gen() & 0xFFF == g && s.flags() & FLAG_LIVE != 0
            }
        }
        match kind {
            ArenaKind::Str => ok(&self.strs, g, i),
            ArenaKind::List => ok(&self.lists, g, i),
            ArenaKind::Map => ok(&self.maps, g, i),
            ArenaKind::Record => ok(&self.records, g, i),
            ArenaKind::BigInt => ok(&self.bigs, g, i),
            ArenaKind::BoxedInt => ok(&self.boxes, g, i),
        }
    }

    /// Whether `c` is a handle to a live object of its arena with a matching generation.
    pub fn is_live_handle(&self, c: Cell) -> bool {
        match c.as_handle() {
            Some((k, g, i)) => ArenaKind::from_u8(k).is_some_and(|k| self.gen_ok(k, g, i)),
            None => false,
        }
    }

    /// An int as a self-describing Cell: small int, or a boxed int when it does not fit 48 bits.
    pub fn box_int(&mut self, i: i64) -> Cell {
        if let Some(c) = Cell::from_small_int(i) {
            return c;
        }
        let (idx, g) = self.boxes.alloc(BoxSlot {
            val: i,
            _pad: 0,
            gen: 0,
            flags: 0,
        });
        self.note_alloc(std::mem::size_of::<BoxSlot>());
        Cell::handle(ArenaKind::BoxedInt, g, idx)
    }

    /// The int in a small-int or boxed-int Cell.
    pub fn cell_int(&self, c: Cell) -> Option<i64> {
        if let Some(i) = c.as_small_int() {
            return Some(i);
        }
        match c.arena() {
            Some((ArenaKind::BoxedInt, _)) => {
                Some(self.boxes.get(self.idx(c, ArenaKind::BoxedInt)).val)
            }
            _ => None,
        }
    }

    /// A raw typed word as a self-describing Cell (int -> small or boxed int Cell, float ->
    /// float Cell, bool -> bool Cell; words of Cell-bank types are returned unchanged).
    pub fn box_word(&mut self, w: u64, ty: TypeId) -> Cell {
        match self.types.get(ty) {
            TypeDesc::Int => self.box_int(w as i64),
            TypeDesc::Bool => Cell::from_bool(w != 0),
            TypeDesc::Float => Cell::from_f64(f64::from_bits(w)),
            _ => Cell(w),
        }
    }

    /// A self-describing Cell as a raw word of type `ty`, or None when the cell does not hold
    /// a value of that type (a failed `as` cast). `any` accepts everything; `T?` accepts nil
    /// and whatever `T` accepts (the word stays a Cell); nil is accepted only by `any`,
    /// optionals and the nil type.
    pub fn unbox_word(&self, c: Cell, ty: TypeId) -> Option<u64> {
        let kind = c.arena().map(|(k, _)| k);
        match self.types.get(ty) {
            TypeDesc::Int => self.cell_int(c).map(|i| i as u64),
            TypeDesc::Float => c.as_f64().map(f64::to_bits),
            TypeDesc::Bool => c.as_bool().map(|b| b as u64),
            TypeDesc::Any => Some(c.0),
            TypeDesc::Nil | TypeDesc::Void => c.is_nil().then_some(c.0),
            TypeDesc::Str => (kind == Some(ArenaKind::Str)).then_some(c.0),
            TypeDesc::BigInt => (kind == Some(ArenaKind::BigInt)).then_some(c.0),
            TypeDesc::List(_) => (kind == Some(ArenaKind::List)).then_some(c.0),
            TypeDesc::Map(..) => (kind == Some(ArenaKind::Map)).then_some(c.0),
            TypeDesc::Optional(inner) => {
                if c.is_nil() {
                    return Some(c.0);
                }
                // The inner value stays a Cell inside an optional.
                self.unbox_word(c, *inner).map(|_| c.0)
            }
            TypeDesc::Struct { .. } => {
                (kind == Some(ArenaKind::Record) && self.record_type(c) == ty).then_some(c.0)
            }
            TypeDesc::Union { variants, .. } => (kind == Some(ArenaKind::Record)
                && variants.contains(&self.record_type(c)))
            .then_some(c.0),
            TypeDesc::Func { .. } => (kind == Some(ArenaKind::Record)
                && self.records.get(self.idx(c, ArenaKind::Record)).flags & FLAG_CLOSURE != 0)
                .then_some(c.0),
        }
    }

    /// Decode a typed word.
    #[inline]
    pub(crate) fn view(&self, w: u64, ty: TypeId) -> V<'_> {
        match self.types.get(ty) {
            TypeDesc::Int => V::Int(w as i64),
            TypeDesc::Bool => V::Bool(w != 0),
            TypeDesc::Float => V::Float(f64::from_bits(w)),
            _ => self.view_cell(Cell(w)),
        }
    }

    /// Decode a self-describing Cell.
    pub(crate) fn view_cell(&self, c: Cell) -> V<'_> {
        if let Some(f) = c.as_f64() {
            return V::Float(f);
        }
        if let Some(b) = c.as_bool() {
            return V::Bool(b);
        }
        if let Some(i) = c.as_small_int() {
            return V::Int(i);
        }
        match c.arena() {
            None => V::Nil,
            Some((ArenaKind::Str, _)) => V::Str(self.str(c)),
            Some((ArenaKind::List, _)) => V::List(c),
            Some((ArenaKind::Map, _)) => V::Map(c),
            Some((ArenaKind::Record, _)) => V::Rec(c),
            Some((ArenaKind::BigInt, _)) => V::Big(self.bigint(c)),
            Some((ArenaKind::BoxedInt, _)) => V::Int(self.cell_int(c).unwrap()),
        }
    }
}

impl Drop for Heap {
    fn drop(&mut self) {
        self.free_everything();
    }
}

pub(crate) fn int_overflow() -> RtError {
    RtError("integer overflow".into())
}
