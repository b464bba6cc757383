//! The VM stack: one zeroed allocation that never moves, so frame pointers stay valid for
//! the whole run (native code keeps them in registers and in frame headers).

pub struct VmStack {
    words: Vec<u64>,
    /// Words kept free past `limit()`: one largest frame, so that a frame that fits below the
    /// limit can always store its callee's arguments into the next frame.
    slack: usize,
}

impl VmStack {
    /// `words` total 8-byte words (allocated zeroed: the OS commits pages lazily), of which
    /// `max_frame_words` are reserved as slack past the limit.
    pub fn new(words: usize, max_frame_words: usize) -> Self {
        let slack = max_frame_words.max(1);
        let words = words.max(4 * slack);
        VmStack {
            words: vec![0u64; words],
            slack,
        }
    }

    pub fn base(&mut self) -> *mut u8 {
        self.words.as_mut_ptr() as *mut u8
    }

    /// One past the last byte of the stack.
    pub fn end(&mut self) -> *mut u8 {
        let n = self.words.len();
        // SAFETY: one past the end of the allocation.
        unsafe { self.words.as_mut_ptr().add(n) as *mut u8 }
    }

    /// The highest address a frame may end at.
    pub fn limit(&mut self) -> *mut u8 {
        let n = self.words.len() - self.slack;
        // SAFETY: n <= len, so the result stays within (or one past the end of) the allocation.
        unsafe { self.words.as_mut_ptr().add(n) as *mut u8 }
    }
}
