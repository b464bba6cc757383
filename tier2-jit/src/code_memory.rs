//! Executable memory, never writable and executable at the same address.
//!
//! Code lives in chunks of a `memfd` mapped twice: a read-write view the emitter fills and a
//! read-execute view that runs. Units (compiled functions, the entry shim) are packed into a
//! chunk at [`ALIGN`]-byte granularity, so a 200-byte function takes 256 bytes, not a page:
//! with whole pages per unit, 70 000 small functions overran the 256 MiB budget after exactly
//! 65 535 of them and spread the rest over one iTLB entry each. Installing a unit costs no
//! system call; a chunk costs two `mmap`s.
//!
//! Compiling another function (even from inside native code, when the interpreter promotes a
//! function while a native activation is live) writes only bytes no unit owns yet: `next` moves
//! past a unit once it is filled, and only bytes at or above `next` are handed out. Units are
//! cache-line aligned, so a write never shares a line with code that may be executing.
//!
//! Where `memfd_create` is unavailable (old kernels, seccomp filters), units fall back to
//! whole pages of anonymous memory that are flipped to read-execute with one `mprotect` each.
//!
//! Chunks are reused across JITs: a dropped `CodeMemory` (none of its code can run any more:
//! the JIT's contract) gives its file and chunks to a process-wide pool, and the next
//! `CodeMemory` of the same budget takes them, so a process that makes JITs one after another
//! (tests, benchmarks, an embedder) does not pay the mappings and the first-touch page faults
//! of the file again (about 0.3 µs per KiB of code).

use memmap2::{MmapMut, MmapOptions};
use std::sync::Mutex;

/// Dual-mapped backings of dropped `CodeMemory`s, waiting to be reused.
static POOL: Mutex<Vec<Pooled>> = Mutex::new(Vec::new());
/// At most this many pooled backings (the rest are unmapped).
const POOL_MAX: usize = 4;

struct Pooled {
    budget: usize,
    fd: libc::c_int,
    file_used: usize,
    /// Every chunk of the dropped memory; their bytes belong to no unit any more.
    chunks: Vec<Chunk>,
}

const PAGE: usize = 4096;
/// Alignment of a unit inside a chunk (one cache line).
const ALIGN: usize = 64;
/// Size of a chunk; a unit larger than this gets a chunk of its own size.
const CHUNK: usize = 4 << 20;
/// Size of a region of the page-granular fallback.
const FALLBACK_REGION: usize = 256 * 1024;

/// A chunk of the dual-mapped file: the same pages at two addresses.
struct Chunk {
    /// Read-write view (never executed).
    rw: *mut u8,
    /// Read-execute view (never written).
    rx: *mut u8,
    len: usize,
    /// Bytes below `next` belong to installed units.
    next: usize,
    /// Bytes below `touched` have their pages in the file (populated in batches before they
    /// are written: one `madvise` instead of a page fault per page).
    touched: usize,
}

// SAFETY: a chunk owns its two mappings (raw pointers only because they are shared views of
// one file); moving the owning `CodeMemory` to another thread moves that ownership with it.
unsafe impl Send for Chunk {}

/// A region of the fallback: pages below `next` are read-execute, the rest read-write.
struct Region {
    map: MmapMut,
    next: usize,
}

enum Backing {
    Dual {
        fd: libc::c_int,
        /// File bytes handed to chunks so far (the file is sized to the budget up front and
        /// stays sparse: pages exist only once written).
        file_used: usize,
        chunks: Vec<Chunk>,
        /// Chunks of a dropped `CodeMemory` (from the pool), used before new ones are mapped.
        spare: Vec<Chunk>,
    },
    Pages {
        regions: Vec<Region>,
    },
}

pub struct CodeMemory {
    backing: Backing,
    used: usize,
    budget: usize,
}

impl CodeMemory {
    pub fn new(budget: usize) -> Self {
        let pooled = {
            let mut pool = POOL.lock().unwrap_or_else(|p| p.into_inner());
            pool.iter()
                .position(|p| p.budget == budget)
                .map(|i| pool.swap_remove(i))
        };
        if let Some(p) = pooled {
            let mut spare = p.chunks;
            for c in &mut spare {
                c.next = 0;
            }
            // The largest last: `install` takes spares from the end.
            spare.sort_by_key(|c| c.len);
            return CodeMemory {
                backing: Backing::Dual {
                    fd: p.fd,
                    file_used: p.file_used,
                    chunks: Vec::new(),
                    spare,
                },
                used: 0,
                budget,
            };
        }
        let backing = match open_memfd(budget) {
            Some(fd) => Backing::Dual {
                fd,
                file_used: 0,
                chunks: Vec::new(),
                spare: Vec::new(),
            },
            None => Backing::Pages {
                regions: Vec::new(),
            },
        };
        CodeMemory {
            backing,
            used: 0,
            budget,
        }
    }

    /// Map a chunk of code memory of `budget` and give its first `bytes` their pages now, then
    /// leave it in the pool for the next `CodeMemory::new(budget)`. The driver calls it on the
    /// otherwise idle main thread while the VM thread parses, so neither the JIT's start nor
    /// its first compiles wait for `memfd_create`, the mappings or page allocation.
    pub fn prepare(budget: usize, bytes: usize) {
        let mut mem = CodeMemory::new(budget);
        if let Backing::Dual {
            fd,
            file_used,
            chunks,
            spare,
        } = &mut mem.backing
        {
            let chunk_len = CHUNK.min((budget - *file_used) / PAGE * PAGE);
            if chunks.is_empty() && spare.is_empty() && chunk_len > 0 {
                if let Ok(chunk) = map_chunk(*fd, *file_used, chunk_len) {
                    *file_used += chunk_len;
                    vm::prof::register_code(chunk.rx as usize, chunk.len);
                    spare.push(chunk);
                }
            }
            if let Some(c) = spare.last_mut() {
                populate(c, bytes.min(c.len));
            }
        }
        // (dropping it gives the backing to the pool)
    }

    /// Bytes handed to units so far.
    pub fn used(&self) -> usize {
        self.used
    }

    /// Take up to `len` bytes of fresh memory, let `fill(bytes, base_address)` write and patch
    /// them (`base_address` is where the bytes will execute) and say how many it used (at most
    /// `len`: a bound it may not reach), then publish those for execution. Returns the base
    /// address. On an error the bytes are not handed out (they are reused), and the bytes
    /// beyond the used ones stay free for the next unit.
    pub fn install(
        &mut self,
        len: usize,
        fill: impl FnOnce(&mut [u8], usize) -> Result<usize, String>,
    ) -> Result<usize, String> {
        let len = len.max(1);
        match &mut self.backing {
            Backing::Dual {
                fd,
                file_used,
                chunks,
                spare,
            } => {
                let size = len.div_ceil(ALIGN) * ALIGN;
                let fits = |c: &Chunk| c.len - c.next >= size;
                if !chunks.last().is_some_and(fits) && spare.last().is_some_and(fits) {
                    // A chunk of a dropped JIT: mapped, its pages already in the file.
                    chunks.push(spare.pop().expect("a spare chunk"));
                }
                if !chunks.last().is_some_and(fits) {
                    // The file is the budget: a chunk takes what is left of it, up to CHUNK.
                    let left = self.budget - *file_used;
                    let chunk_len = size.max(CHUNK).div_ceil(PAGE) * PAGE;
                    let chunk_len = chunk_len.min(left / PAGE * PAGE);
                    if chunk_len < size {
                        return Err(budget_error(self.used, self.budget, size));
                    }
                    let chunk = map_chunk(*fd, *file_used, chunk_len)?;
                    *file_used += chunk_len;
                    vm::prof::register_code(chunk.rx as usize, chunk.len);
                    chunks.push(chunk);
                }
                let chunk = chunks.last_mut().expect("a chunk with room");
                let start = chunk.next;
                populate(chunk, start + size);
                // SAFETY: `start + size <= chunk.len`, so the range lies in the chunk's live
                // read-write view; bytes at or above `next` belong to no unit, so nothing
                // executes or aliases them while `fill` writes.
                let unit = unsafe { std::slice::from_raw_parts_mut(chunk.rw.add(start), len) };
                let base = chunk.rx as usize + start;
                let used = fill(unit, base)?.clamp(1, len);
                let size = used.div_ceil(ALIGN) * ALIGN;
                chunk.next = start + size;
                self.used += size;
                Ok(base)
            }
            Backing::Pages { regions } => {
                let size = len.div_ceil(PAGE) * PAGE;
                if self.used + size > self.budget {
                    return Err(budget_error(self.used, self.budget, size));
                }
                let fits = |r: &Region| r.map.len() - r.next >= size;
                if !regions.last().is_some_and(fits) {
                    let map = MmapOptions::new()
                        .len(size.max(FALLBACK_REGION))
                        .populate()
                        .map_anon()
                        .map_err(|e| format!("mmap: {e}"))?;
                    vm::prof::register_code(map.as_ptr() as usize, map.len());
                    regions.push(Region { map, next: 0 });
                }
                let region = regions.last_mut().expect("a region with room");
                let start = region.next;
                let unit = &mut region.map[start..start + size];
                let base = unit.as_ptr() as usize;
                let used = fill(&mut unit[..len], base)?.clamp(1, len);
                let size = used.div_ceil(PAGE) * PAGE;
                // SAFETY: `base..base + size` is a page-aligned range inside the live mapping
                // `map` (regions are page-aligned and units are whole pages). After this call
                // the range is never written again: `next` moves past it, and only pages at
                // or above `next` are ever handed to `fill`.
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
    }
}

impl Drop for CodeMemory {
    fn drop(&mut self) {
        if let Backing::Dual {
            fd,
            file_used,
            chunks,
            spare,
        } = &mut self.backing
        {
            let mut all = std::mem::take(chunks);
            all.append(spare);
            let mut pool = POOL.lock().unwrap_or_else(|p| p.into_inner());
            if pool.len() < POOL_MAX {
                pool.push(Pooled {
                    budget: self.budget,
                    fd: *fd,
                    file_used: *file_used,
                    chunks: all,
                });
                return;
            }
            drop(pool);
            unmap(*fd, &all);
        }
    }
}

/// Unmap the chunks and close the file of a dual-mapped backing.
fn unmap(fd: libc::c_int, chunks: &[Chunk]) {
    for c in chunks {
        // SAFETY: both views were mapped in `map_chunk` with `c.len` bytes and are unmapped
        // once, when the JIT (and with it every compiled function) is gone and the pool does
        // not keep them.
        unsafe {
            libc::munmap(c.rw as *mut libc::c_void, c.len);
            libc::munmap(c.rx as *mut libc::c_void, c.len);
        }
    }
    // SAFETY: `fd` is ours (from `memfd_create`) and closed once.
    unsafe { libc::close(fd) };
}

fn budget_error(used: usize, budget: usize, size: usize) -> String {
    format!("code memory budget exhausted ({used} of {budget} bytes used, {size} more needed)")
}

/// A sparse memfd of `budget` bytes, or `None` if the kernel refuses one.
fn open_memfd(budget: usize) -> Option<libc::c_int> {
    if std::env::var_os("MOCHI_JIT_NO_MEMFD").is_some() {
        return None;
    }
    // SAFETY: plain system calls on a name we own; the fd is closed on every failure path.
    unsafe {
        let fd = libc::memfd_create(c"mochi-jit".as_ptr(), libc::MFD_CLOEXEC);
        if fd < 0 {
            return None;
        }
        if libc::ftruncate(fd, budget as libc::off_t) != 0 {
            libc::close(fd);
            return None;
        }
        Some(fd)
    }
}

/// Map file bytes `offset..offset + len` of `fd` twice: read-write and read-execute.
fn map_chunk(fd: libc::c_int, offset: usize, len: usize) -> Result<Chunk, String> {
    let map = |prot| {
        // SAFETY: a fresh shared mapping of our own memfd at a page-aligned offset inside its
        // size; it aliases only the other view of the same chunk.
        let p = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                len,
                prot,
                libc::MAP_SHARED,
                fd,
                offset as libc::off_t,
            )
        };
        if p == libc::MAP_FAILED {
            Err(format!("mmap: {}", std::io::Error::last_os_error()))
        } else {
            Ok(p as *mut u8)
        }
    };
    let rw = map(libc::PROT_READ | libc::PROT_WRITE)?;
    let rx = match map(libc::PROT_READ | libc::PROT_EXEC) {
        Ok(p) => p,
        Err(e) => {
            // SAFETY: `rw` was just mapped with `len` bytes and nothing refers to it.
            unsafe { libc::munmap(rw as *mut libc::c_void, len) };
            return Err(e);
        }
    };
    Ok(Chunk {
        rw,
        rx,
        len,
        next: 0,
        touched: 0,
    })
}

/// Give the chunk's file pages up to byte `end` (and some more: as much as is populated
/// already, from 16 KiB to 256 KiB) their memory with one `MADV_POPULATE_WRITE` (Linux 5.14)
/// rather than a page fault per page when the emitter writes them; where the kernel refuses,
/// the faults happen as usual. Growing geometrically: populating 256 KiB at once cost a small
/// program more system time than all its compiling.
fn populate(c: &mut Chunk, end: usize) {
    const MIN_POPULATE: usize = 16 * 1024;
    const MAX_POPULATE: usize = 256 * 1024;
    if end <= c.touched {
        return;
    }
    let step = c.touched.clamp(MIN_POPULATE, MAX_POPULATE);
    let to = end.max(c.touched + step).div_ceil(PAGE) * PAGE;
    let to = to.min(c.len);
    // SAFETY: `touched..to` lies inside the chunk's live read-write view (page-aligned, as
    // `touched` only ever holds page multiples); populating changes no byte of it.
    unsafe {
        libc::madvise(
            c.rw.add(c.touched) as *mut libc::c_void,
            to - c.touched,
            libc::MADV_POPULATE_WRITE,
        );
    }
    c.touched = to;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_units_are_packed_and_readable_through_the_execute_view() {
        let mut mem = CodeMemory::new(1 << 20);
        let mut bases = Vec::new();
        for i in 0..100u8 {
            let base = mem
                .install(200, |buf, _| {
                    buf[..100].fill(i);
                    Ok(100)
                })
                .unwrap();
            bases.push(base);
        }
        if matches!(mem.backing, Backing::Dual { .. }) {
            assert_eq!(mem.used(), 100 * 128);
            assert_eq!(bases[1] - bases[0], 128);
        }
        for (i, &b) in bases.iter().enumerate() {
            // SAFETY: `b` is the start of a 100-byte unit installed above, readable.
            let bytes = unsafe { std::slice::from_raw_parts(b as *const u8, 100) };
            assert!(bytes.iter().all(|&x| x == i as u8));
        }
    }

    #[test]
    fn the_budget_is_enforced_at_byte_granularity() {
        let mut mem = CodeMemory::new(2 * PAGE);
        assert!(mem.install(PAGE, |_, _| Ok(PAGE)).is_ok());
        // A bound larger than what is left fails, even if the unit would have fit.
        assert!(mem.install(2 * PAGE, |_, _| Ok(1)).is_err());
        assert!(mem.install(PAGE, |_, _| Ok(PAGE)).is_ok());
        assert!(mem.install(1, |_, _| Ok(1)).is_err());
    }
}
