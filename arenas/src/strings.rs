//! The string arena: immutable UTF-8 strings addressed by handle cells.
//!
//! Until the garbage collector arrives, strings are never freed (the slice of the language
//! that exists has no way to build unbounded garbage other than string concatenation in a
//! loop). Constants are interned once at compile time.

use crate::{ArenaKind, Cell};

#[derive(Default)]
pub struct StrArena {
    slots: Vec<Box<str>>,
}

impl StrArena {
    pub fn new() -> Self {
        Self::default()
    }

    /// Allocate a new string and return its handle cell.
    pub fn alloc(&mut self, s: impl Into<Box<str>>) -> Cell {
        let index = u32::try_from(self.slots.len()).expect("string arena exhausted (2^32 strings)");
        self.slots.push(s.into());
        Cell::handle(ArenaKind::Str, 0, index)
    }

    /// The string behind a handle. Panics on a cell that is not a string handle: the typed
    /// bytecode guarantees that only string cells reach string ops, so this is a VM bug.
    pub fn get(&self, c: Cell) -> &str {
        match c.as_handle() {
            Some((k, _, i)) if k == ArenaKind::Str as u8 => &self.slots[i as usize],
            _ => panic!("not a string handle: {:#x}", c.0),
        }
    }

    pub fn len(&self) -> usize {
        self.slots.len()
    }

    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alloc_and_get() {
        let mut a = StrArena::new();
        let x = a.alloc("héllo");
        let y = a.alloc(String::from(""));
        assert_eq!(a.get(x), "héllo");
        assert_eq!(a.get(y), "");
        assert_ne!(x, y);
        assert_eq!(a.len(), 2);
    }
}
