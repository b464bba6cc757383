//! Run-time state shared by both tiers (strings, the output buffer) and the Rust helpers that
//! stencils call through 64-bit holes (`_H_<name>`), which the interpreter calls directly too.

use crate::abi::{Ctx, FRAME_CALLER, FRAME_FUNC};
use crate::format;
use crate::program::{Bank, Program};
use arenas::{Cell, Heap};
use std::fmt::Write as _;
use std::io::Write;

mod data;
pub mod helpers;

/// Exit status when stdout's reader has gone away (128 + SIGPIPE, as shells report it).
pub const BROKEN_PIPE_STATUS: i32 = 141;

pub struct Runtime {
    pub heap: Heap,
    out: Box<dyn Write>,
    /// The line `print` is assembling.
    line: String,
    /// Arguments appended to `line` so far.
    line_args: u32,
    /// First write error on stdout. Once set, nothing more is written: every later `print`
    /// fails with the same message (so an op re-executed after a side exit reports the error
    /// rather than writing twice), and the driver reports a failed final flush.
    pub write_error: Option<std::io::Error>,
    /// The message of the error a helper op reported (it returned 1); the interpreter takes
    /// it and raises it at the op's source position.
    pub pending_error: Option<String>,
    /// What the GC needs to know about the program (`attach`): per function, the frame
    /// words that hold Cells; the cell globals' word indices.
    frame_cells: Vec<Vec<u32>>,
    cell_globals: Vec<u32>,
    /// Per function: capture types and `Func` TypeId (for `NewClosure`).
    pub(crate) closure_info: Vec<(Vec<u32>, u32)>,
    /// Per function: declared parameter count and whether it takes the closure as a hidden
    /// last parameter (for `CallClosure`).
    pub closure_params: Vec<(u32, bool)>,
    /// `now()` state: the seeded LCG of MOCHI_NOW_SEED, if set.
    pub(crate) now_seed: Option<i64>,
    /// The program's constant pool (helpers with `K` operands read it).
    pub(crate) consts: Vec<u64>,
    /// The directory that relative `load`/`save` paths start from: the program's own
    /// directory (empty: the current directory).
    pub base_dir: std::path::PathBuf,
}

impl Runtime {
    /// A runtime over `heap` (the program's heap: `Program::heap`). `MOCHI_GC_STRESS=1`
    /// makes every allocating op collect first.
    pub fn new(mut heap: Heap, out: Box<dyn Write>) -> Self {
        if std::env::var_os("MOCHI_GC_STRESS").is_some_and(|v| v != "0") {
            heap.set_stress(true);
        }
        let now_seed = std::env::var("MOCHI_NOW_SEED")
            .ok()
            .and_then(|s| s.trim().parse().ok());
        Runtime {
            heap,
            out,
            line: String::new(),
            line_args: 0,
            write_error: None,
            pending_error: None,
            frame_cells: Vec::new(),
            cell_globals: Vec::new(),
            closure_info: Vec::new(),
            closure_params: Vec::new(),
            now_seed,
            consts: Vec::new(),
            base_dir: std::path::PathBuf::new(),
        }
    }

    /// Learn the program's frame layouts and globals (the GC's roots) before running it.
    pub fn attach(&mut self, prog: &Program) {
        self.frame_cells = prog
            .funcs
            .iter()
            .map(|f| f.cell_words().collect())
            .collect();
        self.cell_globals = prog
            .globals
            .names
            .iter()
            .enumerate()
            .filter(|(_, (_, b))| *b == Bank::Cell)
            .map(|(i, _)| i as u32)
            .collect();
        self.closure_info = prog
            .funcs
            .iter()
            .map(|f| (f.captures.clone(), f.fn_type))
            .collect();
        self.consts = prog.consts.clone();
        self.closure_params = prog
            .funcs
            .iter()
            .map(|f| (f.n_declared_params(), f.closure_param))
            .collect();
    }

    /// A GC safepoint: called at the start of every allocating op, before it allocates.
    /// Collects when the heap asks for it. Fails with `out of memory` once the heap could not
    /// grow or the live heap after a collection exceeds `--max-heap` (sticky: the op fails
    /// again when re-executed).
    ///
    /// # Safety
    /// `fp` is the innermost live frame; every frame up the `caller` chain is live and its
    /// cell words hold valid Cells; `ctx.globals` is the globals block.
    pub unsafe fn safepoint(&mut self, ctx: *const Ctx, fp: *mut u8) -> Result<(), String> {
        if let Some(m) = &self.heap.oom {
            return Err(m.clone());
        }
        if self.heap.should_collect() {
            self.collect(ctx, fp);
            return self.heap.check_max_heap();
        }
        Ok(())
    }

    /// Collect garbage now. Roots: the Cell words of every frame from `fp` up to main, the
    /// cell globals (string constants are permanent and need no reporting).
    ///
    /// # Safety
    /// See `safepoint`.
    pub unsafe fn collect(&mut self, ctx: *const Ctx, fp: *mut u8) {
        let _prof = crate::prof::enter(crate::prof::S_GC);
        let frame_cells = &self.frame_cells;
        let cell_globals = &self.cell_globals;
        let globals = (*ctx).globals;
        self.heap.collect(&mut |sink: &mut dyn FnMut(Cell)| {
            let mut f = fp;
            while !f.is_null() {
                let fid = *(f.add(FRAME_FUNC) as *const u64) as usize;
                for &w in &frame_cells[fid] {
                    sink(Cell(*(f.add(8 * w as usize) as *const u64)));
                }
                f = *(f.add(FRAME_CALLER) as *const *mut u8);
            }
            if !globals.is_null() {
                for &g in cell_globals {
                    sink(Cell(*(globals.add(8 * g as usize) as *const u64)));
                }
            }
        });
    }

    fn arg(&mut self) {
        if self.line_args > 0 {
            self.line.push(' ');
        }
        self.line_args += 1;
    }

    pub fn print_i64(&mut self, v: i64) {
        self.arg();
        let _ = write!(self.line, "{v}");
    }
    pub fn print_f64(&mut self, v: f64) {
        self.arg();
        self.line.push_str(&format::float_top(v));
    }
    pub fn print_bool(&mut self, v: bool) {
        self.arg();
        self.line.push_str(format::bool_str(v));
    }
    pub fn print_str(&mut self, c: Cell) {
        self.arg();
        if matches!(c.arena(), Some((arenas::ArenaKind::Str, _))) {
            let s = self.heap.str(c);
            self.line.push_str(s);
        } else {
            // nil (a missing map entry of type string)
            let s = self.heap.format_print(c.0, arenas::rtti::ANY);
            self.line.push_str(&s);
        }
    }
    /// `print` of a word of any type (`ty` is its runtime TypeId).
    pub fn print_word(&mut self, w: u64, ty: u32) {
        self.arg();
        let s = self.heap.format_print(w, ty);
        self.line.push_str(&s);
    }
    /// Drop a `print` line that was being assembled when the program (a test, under
    /// `mochi test`) stopped with an error, so the next output starts clean.
    pub fn discard_partial_line(&mut self) {
        self.line.clear();
        self.line_args = 0;
    }

    /// Write text and a newline straight to the output (json, bench reports).
    pub fn write_line(&mut self, text: &str) -> Result<(), String> {
        self.line.push_str(text);
        self.line_args = 1;
        self.print_end(1)
    }
    /// Finish a `print` call of `nargs` arguments: with 3 or more the whole line is trimmed
    /// (the reference's OpPrintN uses strings.TrimSpace).
    ///
    /// A failed write stops the program: a closed pipe exits with [`BROKEN_PIPE_STATUS`] at
    /// once; any other error is returned (`cannot write output: REASON`) for the caller to
    /// raise at the `print`. After a failure nothing more is written and every call fails the
    /// same way, so re-executing the op (tier 2 side-exits and the interpreter runs it again)
    /// reports the error without writing the line twice.
    pub fn print_end(&mut self, nargs: u32) -> Result<(), String> {
        if let Some(e) = &self.write_error {
            let m = write_error_message(e);
            self.line.clear();
            self.line_args = 0;
            return Err(m);
        }
        // One write per line (the driver's stdout takes a lock per write).
        let mut start = 0;
        if nargs >= 3 {
            let end = self.line.trim_end().len();
            self.line.truncate(end);
            start = end - self.line.trim_start().len();
        }
        self.line.push('\n');
        let r = self.out.write_all(&self.line.as_bytes()[start..]);
        self.line.clear();
        self.line_args = 0;
        if let Err(e) = r {
            return Err(self.record_write_error(e));
        }
        Ok(())
    }

    /// Flush the output; a failure is recorded in `write_error` (see `print_end`).
    pub fn flush(&mut self) {
        let _ = self.try_flush();
    }

    /// Flush the output; a failure is recorded (see `print_end`) and returned as a message.
    pub fn try_flush(&mut self) -> Result<(), String> {
        if let Some(e) = &self.write_error {
            return Err(write_error_message(e));
        }
        match self.out.flush() {
            Ok(()) => Ok(()),
            Err(e) => Err(self.record_write_error(e)),
        }
    }

    fn record_write_error(&mut self, e: std::io::Error) -> String {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            // The reader went away (`mochi run p.mochi | head`): stop the program as the
            // default SIGPIPE action would, with the status a shell reports for it, rather
            // than keep running with nowhere to write.
            std::process::exit(BROKEN_PIPE_STATUS);
        }
        let m = write_error_message(&e);
        self.write_error = Some(e);
        m
    }
}

/// `cannot write output: REASON` (the OS error text without its `(os error N)` suffix).
pub fn write_error_message(e: &std::io::Error) -> String {
    format!("cannot write output: {}", io_reason(e))
}

/// The text of an I/O error without std's ` (os error N)` suffix.
pub fn io_reason(e: &std::io::Error) -> String {
    let s = e.to_string();
    match s.rfind(" (os error ") {
        Some(i) if s.ends_with(')') => s[..i].to_string(),
        _ => s,
    }
}

/// An output that keeps what a program prints, for embedders and tests: clones share the
/// buffer, so keep one and give the `Runtime` another.
#[derive(Clone, Default)]
pub struct CapturedOutput(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl CapturedOutput {
    /// Everything written so far (lossily decoded as UTF-8).
    pub fn contents(&self) -> String {
        let bytes = self.0.lock().unwrap_or_else(|e| e.into_inner());
        String::from_utf8_lossy(&bytes).into_owned()
    }
}

impl Write for CapturedOutput {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        let mut buf = self.0.lock().unwrap_or_else(|e| e.into_inner());
        buf.extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Recover the runtime from the context.
///
/// # Safety
/// `ctx.rt` must point to the live `Runtime` of this run, and no other reference to it may be
/// in use (helpers run one at a time, on the VM thread).
pub(crate) unsafe fn rt<'a>(ctx: *mut Ctx) -> &'a mut Runtime {
    &mut *((*ctx).rt as *mut Runtime)
}

// ---- helpers called from stencils (SysV ABI). Each is listed in HELPERS below. ----

/// # Safety
/// Called only from native code or the interpreter with a live `ctx` (see `rt`).
pub unsafe extern "C" fn mochi_print_i64(ctx: *mut Ctx, v: i64) {
    let _prof = crate::prof::enter(crate::prof::S_PRINT);
    rt(ctx).print_i64(v)
}
/// # Safety
/// See `mochi_print_i64`.
pub unsafe extern "C" fn mochi_print_f64(ctx: *mut Ctx, v: f64) {
    let _prof = crate::prof::enter(crate::prof::S_PRINT);
    rt(ctx).print_f64(v)
}
/// # Safety
/// See `mochi_print_i64`.
pub unsafe extern "C" fn mochi_print_bool(ctx: *mut Ctx, v: i64) {
    let _prof = crate::prof::enter(crate::prof::S_PRINT);
    rt(ctx).print_bool(v != 0)
}
/// # Safety
/// See `mochi_print_i64`; `v` must be a string handle cell.
pub unsafe extern "C" fn mochi_print_str(ctx: *mut Ctx, v: u64) {
    let _prof = crate::prof::enter(crate::prof::S_PRINT);
    rt(ctx).print_str(Cell(v))
}
/// C `fmod` semantics (Rust's `%` on f64 is fmod).
pub extern "C" fn mochi_fmod(a: f64, b: f64) -> f64 {
    a % b
}

/// Helpers that stencils may call: a stencil's hole `_H_<name>` is patched with the address.
pub fn helper_address(name: &str) -> Option<usize> {
    Some(match name {
        "print_i64" => mochi_print_i64 as unsafe extern "C" fn(*mut Ctx, i64) as usize,
        "print_f64" => mochi_print_f64 as unsafe extern "C" fn(*mut Ctx, f64) as usize,
        "print_bool" => mochi_print_bool as unsafe extern "C" fn(*mut Ctx, i64) as usize,
        "print_str" => mochi_print_str as unsafe extern "C" fn(*mut Ctx, u64) as usize,
        "fmod" => mochi_fmod as extern "C" fn(f64, f64) -> f64 as usize,
        _ => return None,
    })
}

/// The names `helper_address` knows.
pub const HELPERS: &[&str] = &["print_i64", "print_f64", "print_bool", "print_str", "fmod"];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn print_joins_and_trims_like_the_reference() {
        let sink = CapturedOutput::default();
        let mut heap = Heap::new(arenas::TypeTable::new());
        let sp = heap.alloc_str(" x ");
        let mut rt = Runtime::new(heap, Box::new(sink.clone()));
        rt.print_str(sp);
        rt.print_i64(-5);
        rt.print_end(2).unwrap();
        rt.print_str(sp);
        rt.print_f64(3.0);
        rt.print_bool(true);
        rt.print_end(3).unwrap();
        rt.try_flush().unwrap();
        assert_eq!(sink.contents(), " x  -5\nx  3 true\n");
    }

    /// A writer that fails with `kind` from its `fail_at`-th write on and counts writes.
    struct Failing {
        writes: std::rc::Rc<std::cell::Cell<u32>>,
        fail_at: u32,
        kind: std::io::ErrorKind,
    }
    impl Write for Failing {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.writes.set(self.writes.get() + 1);
            if self.writes.get() >= self.fail_at {
                Err(std::io::Error::new(self.kind, "disk full"))
            } else {
                Ok(b.len())
            }
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_failed_write_is_sticky_and_never_retried() {
        let writes = std::rc::Rc::new(std::cell::Cell::new(0));
        let out = Failing {
            writes: writes.clone(),
            fail_at: 2,
            kind: std::io::ErrorKind::Other,
        };
        let heap = Heap::new(arenas::TypeTable::new());
        let mut rt = Runtime::new(heap, Box::new(out));
        rt.print_i64(1);
        assert_eq!(rt.print_end(1), Ok(()));
        rt.print_i64(2);
        let e = rt.print_end(1).unwrap_err();
        assert_eq!(e, "cannot write output: disk full");
        assert_eq!(writes.get(), 2);
        // Re-executing the op (after a tier-2 side exit) reports again without writing.
        rt.print_i64(2);
        assert_eq!(rt.print_end(1).unwrap_err(), e);
        assert_eq!(rt.write_line("x").unwrap_err(), e);
        assert_eq!(rt.try_flush().unwrap_err(), e);
        assert_eq!(writes.get(), 2);
        // The line buffer does not grow across failed prints.
        assert!(rt.line.is_empty());
    }

    #[test]
    fn io_reason_drops_the_os_error_suffix() {
        let e = std::io::Error::from_raw_os_error(28);
        assert_eq!(io_reason(&e), "No space left on device");
    }

    #[test]
    fn every_helper_resolves() {
        for h in HELPERS {
            assert!(helper_address(h).is_some());
        }
        assert!(helper_address("nope").is_none());
    }
}
