//! Executable memory, W^X.
//!
//! Code lives in regions of pre-faulted anonymous memory. Every compiled unit gets its own
//! whole pages of a region: they are filled while read-write and then flipped to
//! read-execute (one `mprotect`) before anything can run in them, and never made writable
//! again. Compiling another function (even from inside native code, when the interpreter
//! promotes a function while a native activation is live) therefore never touches code that
//! may be executing: it only writes pages no unit owns yet. Regions live as long as the
//! `CodeMemory`. Carving units out of pre-faulted regions avoids a `mmap` and first-touch
//! page faults per function (about 9 µs each when every function had its own mapping).
//!
//! Pages are reused across JITs: a dropped `CodeMemory` (no code in it can run any more: the
//! JIT's contract) gives its regions to a process-wide pool, and the next region needed is
//! taken from there (made read-write again with one `mprotect`) before a new one is mapped,
//! so a process that makes JITs one after another (tests, benchmarks, an embedder) does not
//! pay the mapping and first-touch page faults again (about 0.3 µs per KiB of code).

use memmap2::{MmapMut, MmapOptions};
use std::sync::Mutex;

/// Regions of dropped `CodeMemory`s, waiting to be reused (at most `POOL_BYTES` in all).
static POOL: Mutex<Vec<MmapMut>> = Mutex::new(Vec::new());
const POOL_BYTES: usize = 64 << 20;

const PAGE: usize = 4096;
/// Size of a region; a unit larger than this gets a region of its own size.
const REGION: usize = 256 * 1024;

struct Region {
    /// The mapping. Pages below `next` belong to installed units and are read-execute; the
    /// rest is read-write and owned by no unit.
    map: MmapMut,
    next: usize,
}

pub struct CodeMemory {
    regions: Vec<Region>,
    used: usize,
    budget: usize,
}

impl CodeMemory {
    pub fn new(budget: usize) -> Self {
        CodeMemory {
            regions: Vec::new(),
            used: 0,
            budget,
        }
    }

    /// Bytes handed to units so far (whole pages).
    pub fn used(&self) -> usize {
        self.used
    }

    /// Take `len` bytes of fresh read-write pages, let `fill(bytes, base_address)` write and
    /// patch them, then make those pages read-execute. Returns the base address. On an error
    /// the pages are not handed out (they stay writable and are reused).
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
        let fits = |r: &Region| r.map.len() - r.next >= size;
        if !self.regions.last().is_some_and(fits) {
            let map = match take_pooled(size) {
                Some(map) => map,
                None => {
                    let map = MmapOptions::new()
                        .len(size.max(REGION))
                        .populate()
                        .map_anon()
                        .map_err(|e| format!("mmap: {e}"))?;
                    vm::prof::register_code(map.as_ptr() as usize, map.len());
                    map
                }
            };
            self.regions.push(Region { map, next: 0 });
        }
        let region = self.regions.last_mut().expect("a region with room");
        let start = region.next;
        let unit = &mut region.map[start..start + size];
        let base = unit.as_ptr() as usize;
        fill(&mut unit[..len], base)?;
        // SAFETY: `base..base + size` is a page-aligned range inside the live mapping `map`
        // (regions are page-aligned and units are whole pages). After this call the range is
        // never written again: `next` moves past it, and only pages at or above `next` are
        // ever handed to `fill`.
        let rc = unsafe {
            libc::mprotect(
                base as *mut libc::c_void,
                size,
                libc::PROT_READ | libc::PROT_EXEC,
            )
        };
        if rc != 0 {
            return Err(format!("mprotect: {}", std::io::Error::last_os_error()));
        }
        region.next = start + size;
        self.used += size;
        Ok(base)
    }
}

impl Drop for CodeMemory {
    fn drop(&mut self) {
        let mut pool = POOL.lock().unwrap_or_else(|p| p.into_inner());
        let mut held: usize = pool.iter().map(|m| m.len()).sum();
        for r in self.regions.drain(..) {
            if held + r.map.len() <= POOL_BYTES {
                held += r.map.len();
                pool.push(r.map);
            }
        }
    }
}

/// The smallest pooled region of at least `size` bytes, made read-write again.
fn take_pooled(size: usize) -> Option<MmapMut> {
    let mut pool = POOL.lock().unwrap_or_else(|p| p.into_inner());
    // The smallest that fits (the shim's page does not take a large function's region).
    let (i, _) = pool
        .iter()
        .enumerate()
        .filter(|(_, m)| m.len() >= size)
        .min_by_key(|(_, m)| m.len())?;
    let map = pool.swap_remove(i);
    drop(pool);
    // SAFETY: `map` is a live mapping owned by no `CodeMemory` (its JIT was dropped, so none
    // of the code in it can run any more: `CopyAndPatch`'s contract), page-aligned; making
    // it writable again touches no code that may execute.
    let rc = unsafe {
        libc::mprotect(
            map.as_ptr() as *mut libc::c_void,
            map.len(),
            libc::PROT_READ | libc::PROT_WRITE,
        )
    };
    (rc == 0).then_some(map)
}
