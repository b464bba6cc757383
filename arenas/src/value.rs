//! The [`Cell`]: an 8-byte NaN-boxed value or arena handle.
//!
//! Raw f64 values live below the tag space; the quiet-NaN space above `TAG_BASE` holds
//! tagged immediates (nil, bool, small int) and arena handles.
//!
//! ```text
//!   bits 63..48  tag        (0xFFF8 | kind)
//!   bits 47..0   payload    (bool, 48-bit signed int, or arena handle)
//!   handle payload: arena kind (4 bits, 47..44) | generation (12 bits, 43..32) | slot index (32 bits)
//! ```

/// An 8-byte NaN-boxed value or handle. `Cell::NIL` is all tag bits with kind 0.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
#[repr(transparent)]
pub struct Cell(pub u64);

/// Everything at or above this bit pattern is a tagged value, not a float.
/// (0xFFF8_0000_0000_0000 is a negative quiet NaN; real NaNs are canonicalised below it.)
pub const TAG_BASE: u64 = 0xFFF8_0000_0000_0000;
const KIND_SHIFT: u32 = 48;
const PAYLOAD_MASK: u64 = (1 << 48) - 1;

/// Kinds of tagged cells (bits 50..48 of the tag).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[repr(u8)]
pub enum Kind {
    Nil = 0,
    Bool = 1,
    Int = 2,
    Handle = 3,
}

/// Which typed arena a handle points into.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[repr(u8)]
pub enum ArenaKind {
    Str = 1,
    List = 2,
    Map = 3,
    /// Structs, union variants and closures.
    Record = 4,
    BigInt = 5,
    /// Ints that do not fit the 48-bit small-int payload.
    BoxedInt = 6,
}

impl ArenaKind {
    pub fn from_u8(k: u8) -> Option<ArenaKind> {
        Some(match k {
            1 => ArenaKind::Str,
            2 => ArenaKind::List,
            3 => ArenaKind::Map,
            4 => ArenaKind::Record,
            5 => ArenaKind::BigInt,
            6 => ArenaKind::BoxedInt,
            _ => return None,
        })
    }
}

impl Cell {
    pub const NIL: Cell = Cell(TAG_BASE | ((Kind::Nil as u64) << KIND_SHIFT));

    fn tagged(kind: Kind, payload: u64) -> Cell {
        Cell(TAG_BASE | ((kind as u64) << KIND_SHIFT) | (payload & PAYLOAD_MASK))
    }

    /// A float cell. NaNs are canonicalised so they never collide with the tag space.
    pub fn from_f64(f: f64) -> Cell {
        if f.is_nan() {
            Cell(f64::NAN.to_bits() & !(1 << 63))
        } else {
            Cell(f.to_bits())
        }
    }
    pub fn from_bool(b: bool) -> Cell {
        Cell::tagged(Kind::Bool, b as u64)
    }
    /// A small int cell if `i` fits in 48 signed bits (larger ints need a boxed form, a later
    /// issue); returns None otherwise.
    pub fn from_small_int(i: i64) -> Option<Cell> {
        let fits = (-(1i64 << 47)..(1i64 << 47)).contains(&i);
        fits.then(|| Cell::tagged(Kind::Int, i as u64))
    }
    pub fn handle(arena: ArenaKind, generation: u16, index: u32) -> Cell {
        let payload = ((arena as u64) << 44) | (((generation & 0xFFF) as u64) << 32) | index as u64;
        Cell::tagged(Kind::Handle, payload)
    }

    pub fn is_float(self) -> bool {
        self.0 < TAG_BASE
    }
    pub fn kind(self) -> Option<Kind> {
        if self.is_float() {
            return None;
        }
        Some(match (self.0 >> KIND_SHIFT) & 0x7 {
            0 => Kind::Nil,
            1 => Kind::Bool,
            2 => Kind::Int,
            _ => Kind::Handle,
        })
    }
    pub fn as_f64(self) -> Option<f64> {
        self.is_float().then(|| f64::from_bits(self.0))
    }
    pub fn as_bool(self) -> Option<bool> {
        (self.kind() == Some(Kind::Bool)).then_some(self.0 & 1 == 1)
    }
    pub fn as_small_int(self) -> Option<i64> {
        // Sign-extend the 48-bit payload.
        (self.kind() == Some(Kind::Int)).then_some(((self.0 << 16) as i64) >> 16)
    }
    /// The arena kind and slot index of a handle cell (generation dropped).
    pub fn arena(self) -> Option<(ArenaKind, u32)> {
        let (k, _, i) = self.as_handle()?;
        Some((ArenaKind::from_u8(k)?, i))
    }
    pub fn is_nil(self) -> bool {
        self == Cell::NIL
    }
    /// Whether this is a handle into arena `k`, by one shift and compare (the typed
    /// interpreter ops' check; a canonical handle's tag is exactly `TAG_BASE | Handle`).
    #[inline(always)]
    pub fn is_handle_of(self, k: ArenaKind) -> bool {
        const HANDLE_TAG: u64 = (TAG_BASE | ((Kind::Handle as u64) << KIND_SHIFT)) >> 44;
        self.0 >> 44 == HANDLE_TAG | k as u64
    }
    /// `(arena, generation, index)` of a handle cell.
    pub fn as_handle(self) -> Option<(u8, u16, u32)> {
        (self.kind() == Some(Kind::Handle)).then(|| {
            let p = self.0 & PAYLOAD_MASK;
            (
                ((p >> 44) & 0xF) as u8,
                ((p >> 32) & 0xFFF) as u16,
                p as u32,
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn immediates_round_trip() {
        assert_eq!(Cell::NIL.kind(), Some(Kind::Nil));
        assert_eq!(Cell::from_bool(true).as_bool(), Some(true));
        assert_eq!(Cell::from_bool(false).as_bool(), Some(false));
        for i in [0i64, 1, -1, (1 << 47) - 1, -(1 << 47)] {
            assert_eq!(Cell::from_small_int(i).unwrap().as_small_int(), Some(i));
        }
        assert!(Cell::from_small_int(1 << 47).is_none());
        for f in [
            0.0,
            -0.0,
            1.5,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::MIN_POSITIVE,
        ] {
            assert_eq!(Cell::from_f64(f).as_f64().unwrap().to_bits(), f.to_bits());
        }
        assert!(Cell::from_f64(f64::NAN).as_f64().unwrap().is_nan());
        assert!(Cell::from_f64(-f64::NAN).is_float());
    }

    #[test]
    fn handles_round_trip() {
        let c = Cell::handle(ArenaKind::Str, 0xABC, 0xDEAD_BEEF);
        assert_eq!(
            c.as_handle(),
            Some((ArenaKind::Str as u8, 0xABC, 0xDEAD_BEEF))
        );
        assert!(!c.is_float());
    }
}
