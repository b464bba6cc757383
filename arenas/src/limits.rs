//! Address-space budgets, sized once at start from `getrlimit(RLIMIT_AS)`.
//!
//! Without a limit (the usual case) every reservation keeps its generous default: 32 GiB per
//! slot table, a 256 MiB VM stack, a 1 GiB VM thread stack, a 256 MiB parser stack. Under a
//! finite limit `L` (`ulimit -v`) each is scaled down to a fixed fraction of `L` so that all of
//! them together take about a quarter of it and the rest is left to the heap's buffers, the
//! allocator (mimalloc alone reserves 128 MiB when its default 1 GiB arena does not fit) and
//! the binary: slot tables `L/64` each (6 of them: `3L/32`), the VM stack `L/64`, the VM
//! thread's machine stack `L/16`, the parser's `L/16` (the parser thread has exited before
//! the program runs). The default `--max-heap` is
//! `L/4` (else min(4 GiB, half of physical memory)), so the collector's cap trips before the
//! address space runs out.
//!
//! The values are computed once ([`OnceLock`]) and never change, so a slot table's base,
//! reserved from them, never moves.

use std::sync::OnceLock;

/// Unlimited-case defaults.
pub const SLOT_TABLE_RESERVE_MAX: usize = 32 << 30;
pub const VM_STACK_BYTES_MAX: usize = 256 << 20;
pub const VM_THREAD_STACK_MAX: usize = 1 << 30;
pub const PARSE_STACK_MAX: usize = 256 << 20;
/// Default `--max-heap` when nothing smaller applies.
pub const MAX_HEAP_DEFAULT: usize = 4 << 30;

const PAGE: usize = 4096;

/// The soft `RLIMIT_AS`, or None when it is unlimited (or absurdly large).
pub fn address_space_limit() -> Option<usize> {
    static L: OnceLock<Option<usize>> = OnceLock::new();
    *L.get_or_init(|| {
        let mut r = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: getrlimit writes the struct we pass.
        let ok = unsafe { libc::getrlimit(libc::RLIMIT_AS, &mut r) } == 0;
        if !ok || r.rlim_cur == libc::RLIM_INFINITY || r.rlim_cur >= (1u64 << 46) as libc::rlim_t {
            None
        } else {
            Some(r.rlim_cur as usize)
        }
    })
}

/// `max` when unlimited, else `L / div` (page aligned, at least `min`, at most `max`).
fn scaled(max: usize, div: usize, min: usize) -> usize {
    match address_space_limit() {
        None => max,
        Some(l) => ((l / div) / PAGE * PAGE).clamp(min, max),
    }
}

/// Address space reserved for each slot table.
pub fn slot_table_reserve() -> usize {
    scaled(SLOT_TABLE_RESERVE_MAX, 64, 1 << 20)
}

/// Bytes of the VM stack (frames of both tiers).
pub fn vm_stack_bytes() -> usize {
    scaled(VM_STACK_BYTES_MAX, 64, 1 << 20)
}

/// The VM thread's machine stack (native code nests one machine frame per Mochi call).
pub fn vm_thread_stack() -> usize {
    scaled(VM_THREAD_STACK_MAX, 16, 8 << 20)
}

/// The parser thread's stack.
pub fn parse_stack() -> usize {
    scaled(PARSE_STACK_MAX, 16, 8 << 20)
}

thread_local! {
    static THREAD_STACK: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// Declare that the calling thread runs on a machine stack of `bytes` (the driver's VM thread
/// does, with [`vm_thread_stack`]), so that work needing a deep stack runs on it directly
/// instead of on a thread of its own (the parser: see [`thread_stack`]).
pub fn declare_thread_stack(bytes: usize) {
    THREAD_STACK.with(|s| s.set(bytes));
}

/// The calling thread's machine stack as declared with [`declare_thread_stack`] (0: not
/// declared, assume a small one).
pub fn thread_stack() -> usize {
    THREAD_STACK.with(|s| s.get())
}

/// The deepest call nesting the VM thread's stack supports: 100 000 with the full 1 GiB
/// stack, proportionally fewer with a smaller one.
pub fn max_call_depth() -> u64 {
    let full = 100_000u64;
    (full * (vm_thread_stack() >> 20) as u64 / (VM_THREAD_STACK_MAX >> 20) as u64).max(1000)
}

/// The default `--max-heap`: `L/4` under an address-space limit, else min(4 GiB, half of
/// physical memory).
pub fn default_max_heap() -> usize {
    if let Some(l) = address_space_limit() {
        return (l / 4).max(16 << 20);
    }
    // SAFETY: sysconf has no preconditions.
    let (pages, size) = unsafe {
        (
            libc::sysconf(libc::_SC_PHYS_PAGES),
            libc::sysconf(libc::_SC_PAGESIZE),
        )
    };
    if pages > 0 && size > 0 {
        MAX_HEAP_DEFAULT.min((pages as usize).saturating_mul(size as usize) / 2)
    } else {
        MAX_HEAP_DEFAULT
    }
}

/// Parse a `--max-heap` size: a number of bytes with an optional `K`, `M`, `G` or `T`
/// suffix (powers of 1024; `B`/`iB` accepted after it).
pub fn parse_size(s: &str) -> Result<usize, String> {
    let t = s.trim();
    let lower = t.to_ascii_lowercase();
    let body = lower
        .strip_suffix("ib")
        .or_else(|| lower.strip_suffix('b'))
        .unwrap_or(&lower);
    let (num, shift) = match body.chars().last() {
        Some('k') => (&body[..body.len() - 1], 10),
        Some('m') => (&body[..body.len() - 1], 20),
        Some('g') => (&body[..body.len() - 1], 30),
        Some('t') => (&body[..body.len() - 1], 40),
        _ => (body, 0),
    };
    let n: u64 = num
        .trim()
        .parse()
        .map_err(|_| format!("invalid size {s:?} (expected e.g. 512M or 4G)"))?;
    let v = n
        .checked_mul(1u64 << shift)
        .filter(|&v| v > 0)
        .ok_or_else(|| format!("invalid size {s:?}"))?;
    Ok(v as usize)
}

/// How a size is written back in messages: `64M`, `4G`, else bytes.
pub fn format_size(n: usize) -> String {
    for (shift, unit) in [(40, "T"), (30, "G"), (20, "M"), (10, "K")] {
        if n >= 1 << shift && n.is_multiple_of(1 << shift) {
            return format!("{}{unit}", n >> shift);
        }
    }
    n.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn sizes() {
        assert_eq!(parse_size("512M").unwrap(), 512 << 20);
        assert_eq!(parse_size("4G").unwrap(), 4 << 30);
        assert_eq!(parse_size("64MiB").unwrap(), 64 << 20);
        assert_eq!(parse_size("1000").unwrap(), 1000);
        assert!(parse_size("x").is_err());
        assert!(parse_size("0").is_err());
        assert_eq!(format_size(64 << 20), "64M");
        assert_eq!(format_size(1000), "1000");
    }
}
