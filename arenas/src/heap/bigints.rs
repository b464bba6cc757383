//! Big integers (`bigint`): immutable, one boxed `num_bigint::BigInt` per slot.

use std::cmp::Ordering;

use num_bigint::BigInt;
use num_integer::Integer;
use num_traits::{Signed, ToPrimitive, Zero};

use super::{BigSlot, Heap, RtError};
use crate::value::{ArenaKind, Cell};

impl Heap {
    pub fn new_bigint(&mut self, b: BigInt) -> Cell {
        let bytes = 16 + b.bits() as usize / 8;
        let (i, g) = self.bigs.alloc(BigSlot {
            ptr: Box::into_raw(Box::new(b)),
            _pad: 0,
            gen: 0,
            flags: 0,
        });
        self.note_alloc(16 + bytes);
        Cell::handle(ArenaKind::BigInt, g, i)
    }

    pub fn bigint(&self, c: Cell) -> &BigInt {
        let s = self.bigs.get(self.idx(c, ArenaKind::BigInt));
        // SAFETY: a live slot owns its box.
        unsafe { &*s.ptr }
    }

    pub fn bigint_from_i64(&mut self, i: i64) -> Cell {
        self.new_bigint(BigInt::from(i))
    }
    /// The value as an i64 (error `integer overflow` when it does not fit).
    pub fn bigint_to_i64(&self, c: Cell) -> Result<i64, RtError> {
        self.bigint(c).to_i64().ok_or_else(super::int_overflow)
    }
    pub fn bigint_to_f64(&self, c: Cell) -> f64 {
        self.bigint(c).to_f64().unwrap_or(f64::NAN)
    }
    pub fn bigint_to_string(&self, c: Cell) -> String {
        self.bigint(c).to_string()
    }
    /// Parse decimal (error `cannot cast "s" to bigint`).
    pub fn bigint_parse(&mut self, s: &str) -> Result<Cell, RtError> {
        let b: BigInt = s
            .parse()
            .map_err(|_| RtError(format!("cannot cast {s:?} to bigint")))?;
        Ok(self.new_bigint(b))
    }

    pub fn bigint_add(&mut self, a: Cell, b: Cell) -> Cell {
        let r = self.bigint(a) + self.bigint(b);
        self.new_bigint(r)
    }
    pub fn bigint_sub(&mut self, a: Cell, b: Cell) -> Cell {
        let r = self.bigint(a) - self.bigint(b);
        self.new_bigint(r)
    }
    pub fn bigint_mul(&mut self, a: Cell, b: Cell) -> Cell {
        let r = self.bigint(a) * self.bigint(b);
        self.new_bigint(r)
    }
    /// Truncated division (like Go's `big.Int.Quo`); `division by zero` error.
    pub fn bigint_div(&mut self, a: Cell, b: Cell) -> Result<Cell, RtError> {
        if self.bigint(b).is_zero() {
            return Err(RtError("division by zero".into()));
        }
        let r = self.bigint(a) / self.bigint(b);
        Ok(self.new_bigint(r))
    }
    /// Truncated remainder (sign of the dividend); `division by zero` error.
    pub fn bigint_mod(&mut self, a: Cell, b: Cell) -> Result<Cell, RtError> {
        if self.bigint(b).is_zero() {
            return Err(RtError("division by zero".into()));
        }
        let r = self.bigint(a) % self.bigint(b);
        Ok(self.new_bigint(r))
    }
    /// Floored modulo (sign of the divisor), for callers that want it.
    pub fn bigint_mod_floor(&mut self, a: Cell, b: Cell) -> Result<Cell, RtError> {
        if self.bigint(b).is_zero() {
            return Err(RtError("division by zero".into()));
        }
        let r = self.bigint(a).mod_floor(self.bigint(b));
        Ok(self.new_bigint(r))
    }
    pub fn bigint_neg(&mut self, a: Cell) -> Cell {
        let r = -self.bigint(a);
        self.new_bigint(r)
    }
    pub fn bigint_abs(&mut self, a: Cell) -> Cell {
        let r = self.bigint(a).abs();
        self.new_bigint(r)
    }
    /// `a ** e` (e >= 0; a negative exponent is an error).
    pub fn bigint_pow(&mut self, a: Cell, e: i64) -> Result<Cell, RtError> {
        let e = u32::try_from(e).map_err(|_| RtError("negative or huge exponent".into()))?;
        let r = num_traits::Pow::pow(self.bigint(a), e);
        Ok(self.new_bigint(r))
    }
    pub fn bigint_cmp(&self, a: Cell, b: Cell) -> Ordering {
        self.bigint(a).cmp(self.bigint(b))
    }
}
