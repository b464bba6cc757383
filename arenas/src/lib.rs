//! Cells, runtime type info, and the heap of the Mochi runtime.
//!
//! - [`value`]: the [`Cell`], an 8-byte NaN-boxed value or arena handle.
//! - [`rtti`]: [`TypeTable`] / [`TypeDesc`], which tell what a raw word means.
//! - [`heap`]: [`Heap`], typed arenas (strings, lists, maps, records, bigints, boxed ints)
//!   whose slot tables never move.
//! - [`gc`]: precise mark-sweep collection.
//! - [`format`]: `print` / `str` / `json` formatting; [`ops`]: equality, ordering, hashing.
//!
//! Statically typed ints and floats never become Cells: they live unboxed in the i64 and f64
//! banks of a frame. Cells appear in the cell bank, in containers and at `any` boundaries.

pub mod format;
pub mod gc;
pub mod heap;
pub mod limits;
pub mod ops;
pub mod rtti;
pub mod strings;
pub mod value;

pub use heap::lists::{BufFree, NO_VIEW, SMALL_CAPS};
pub use heap::{
    BufHeader, GcStats, Heap, IntDense, ListSlot, MapSlot, RecordSlot, RtError, SlotFree, StrSlot,
    COUNT_STRIPES, LIST_SLOT_SIZE, MAP_SLOT_SIZE, RECORD_SLOT_SIZE, STR_SLOT_SIZE,
};
pub use rtti::{Bank, TypeDesc, TypeId, TypeTable};
pub use strings::StrArena;
pub use value::{ArenaKind, Cell, Kind, TAG_BASE};
