//! The VM stack: one anonymous mapping that never moves, so frame pointers stay valid for the
//! whole run (native code keeps them in registers and in frame headers).
//!
//! It is mapped straight from the OS rather than allocated zeroed through the global
//! allocator: a zeroed allocation that reuses memory the front end just freed is cleared with
//! `memset`, which commits every page of a stack sized for the deepest recursion (seen: 650 MB
//! resident and 1 s of page faults for a 70 000-function program). A fresh anonymous mapping is
//! zero and commits pages only as frames touch them.

use arenas::heap::OUT_OF_MEMORY;

/// Where the first frame starts in the mapping. The heap's slot tables are page-aligned
/// mappings too, so with the stack at a page start the hot words of the first frames
/// (`fp + 8k`) and of the first list/record slots (`base + 32i + 8`) share their low 12
/// address bits: a store to one and a load of the other look dependent to the CPU
/// ("4K aliasing") and stall. Starting the frames half a page in removed a 1.75x slowdown
/// of nsieve under `--jit=off` (its inner loop stores list lengths and reads frame slots).
const SKEW: usize = 0x8c0;

pub struct VmStack {
    base: *mut u64,
    /// Total 8-byte words mapped.
    len: usize,
    /// Words kept free past `limit()`: one largest frame, so that a frame that fits below the
    /// limit can always store its callee's arguments into the next frame.
    slack: usize,
}

impl VmStack {
    /// `words` total 8-byte words (zero, committed lazily by the OS), of which
    /// `max_frame_words` are reserved as slack past the limit.
    pub fn new(words: usize, max_frame_words: usize) -> Self {
        let slack = max_frame_words.max(1);
        let len = words.max(4 * slack);
        let bytes = len
            .checked_mul(8)
            .and_then(|b| b.checked_add(SKEW))
            .expect(OUT_OF_MEMORY);
        // SAFETY: a fresh private anonymous mapping; nothing else refers to it. It is unmapped
        // only in `drop`, after the interpreter (and any native code using it) has returned.
        let p = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                bytes,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_NORESERVE,
                -1,
                0,
            )
        };
        assert!(
            p != libc::MAP_FAILED,
            "{OUT_OF_MEMORY}: cannot map the VM stack"
        );
        VmStack {
            // SAFETY: SKEW < the mapping's size; the words after it are the stack.
            base: unsafe { (p as *mut u8).add(SKEW) } as *mut u64,
            len,
            slack,
        }
    }

    pub fn base(&mut self) -> *mut u8 {
        self.base as *mut u8
    }

    /// One past the last byte of the stack.
    pub fn end(&mut self) -> *mut u8 {
        // SAFETY: one past the end of the mapping.
        unsafe { self.base.add(self.len) as *mut u8 }
    }

    /// The highest address a frame may end at.
    pub fn limit(&mut self) -> *mut u8 {
        let n = self.len - self.slack;
        // SAFETY: n <= len, so the result stays within (or one past the end of) the mapping.
        unsafe { self.base.add(n) as *mut u8 }
    }
}

impl Drop for VmStack {
    fn drop(&mut self) {
        // SAFETY: `base - SKEW` and `len * 8 + SKEW` describe the mapping made in `new`,
        // unmapped exactly once.
        unsafe {
            libc::munmap(
                (self.base as *mut u8).sub(SKEW) as *mut libc::c_void,
                self.len * 8 + SKEW,
            );
        }
    }
}
