//! Executable memory, W^X: every compiled unit gets its own anonymous mapping, which is filled
//! while read-write and then flipped to read-execute before anything can run in it. It is
//! never made writable again, so compiling another function (even from inside native code,
//! when the interpreter promotes a function while a native activation is live) never touches
//! code that may be executing. Mappings live as long as the `CodeMemory`.

use memmap2::{Mmap, MmapMut};

/// Granularity of the size accounting (mappings are page-aligned).
const PAGE: usize = 4096;

pub struct CodeMemory {
    maps: Vec<Mmap>,
    used: usize,
    budget: usize,
}

impl CodeMemory {
    pub fn new(budget: usize) -> Self {
        CodeMemory {
            maps: Vec::new(),
            used: 0,
            budget,
        }
    }

    /// Bytes mapped so far (whole pages).
    pub fn used(&self) -> usize {
        self.used
    }

    /// Map `len` bytes read-write, let `fill(bytes, base_address)` write and patch them, then
    /// make the mapping read-execute. Returns the base address. On any error nothing stays
    /// mapped.
    pub fn install(
        &mut self,
        len: usize,
        fill: impl FnOnce(&mut [u8], usize) -> Result<(), String>,
    ) -> Result<usize, String> {
        let size = len.max(1).div_ceil(PAGE) * PAGE;
        if self.used + size > self.budget {
            return Err(format!(
                "code memory budget exhausted ({} of {} bytes used, {size} more needed)",
                self.used, self.budget
            ));
        }
        let mut map = MmapMut::map_anon(size).map_err(|e| format!("mmap: {e}"))?;
        let base = map.as_ptr() as usize;
        fill(&mut map[..len], base)?;
        // mprotect(PROT_READ | PROT_EXEC) in place: the address does not change.
        let map = map.make_exec().map_err(|e| format!("mprotect: {e}"))?;
        debug_assert_eq!(map.as_ptr() as usize, base);
        self.used += size;
        self.maps.push(map);
        Ok(base)
    }
}
