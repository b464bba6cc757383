//! Load, compile and run one program; report errors as `FILE:LINE:COL: error: MESSAGE`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;
use tier1_interp::{JitMode, Options, RunStats};
use vm::error::Error;
use vm::jit_api::Jit;
use vm::runtime::Runtime;
use vm::Pos;

pub struct Config {
    pub mode: JitMode,
    pub threshold: u64,
    pub stats: bool,
    /// `--stats=json`.
    pub stats_json: bool,
    pub ir: bool,
    /// `--dump-jit=FN`.
    pub dump_jit: Option<String>,
    /// `--profile=FILE` and `--profile-hz`.
    pub profile: Option<PathBuf>,
    pub profile_hz: u32,
    /// `--max-heap` (None: `arenas::limits::default_max_heap`).
    pub max_heap: Option<usize>,
}

/// What to run.
pub enum Job {
    /// `mochi run FILE` (`-` = stdin).
    File(PathBuf),
    /// `mochi run -e CODE`: the program is the argument; errors name it `-e`, and relative
    /// `load`/`save` paths start from the current directory.
    Inline(String),
    /// `mochi test FILE...`: each file's tests, one by one.
    Tests(Vec<PathBuf>),
}

/// The VM thread's machine stack: reserved, committed lazily. Deep enough that the call-depth
/// counter (not the machine stack) limits recursion in both tiers. 1 GiB, or a fraction of
/// the address-space limit under `ulimit -v` (and the call-depth limit shrinks with it:
/// `arenas::limits`).
fn vm_thread_stack() -> usize {
    arenas::limits::vm_thread_stack()
}

/// Run the whole pipeline (parse, check, compile, run) on a thread with a large stack: the
/// parser and checker recurse over the AST and native code nests one machine frame per Mochi
/// call. A panic (a bug) becomes an `internal error`, never a crash.
pub fn run_on_vm_thread(job: Job, cfg: Config) -> ExitCode {
    let name = match &job {
        Job::File(p) => display_name(p),
        Job::Inline(_) => INLINE_NAME.into(),
        Job::Tests(_) => "mochi test".into(),
    };
    quiet_out_of_memory_panics();
    if arenas::limits::address_space_limit().is_some() {
        // Under `ulimit -v`, keep glibc's malloc (used by libc itself; Rust allocations go
        // to mimalloc) from reserving a 64 MiB arena per contending thread.
        // SAFETY: mallopt has no preconditions.
        #[cfg(all(target_os = "linux", target_env = "gnu"))]
        unsafe {
            libc::mallopt(libc::M_ARENA_MAX, 1);
        }
    }
    let out = crate::sys::Stdout::new();
    let signals = crate::sys::Signals::block();
    let finished = signals.as_ref().map(|s| s.finished());
    let waiting_out = out.clone();
    let jit_mode = cfg.mode;
    let result = std::thread::Builder::new()
        .name("mochi-vm".into())
        .stack_size(vm_thread_stack())
        .spawn(move || {
            // Dropped when the work returns or unwinds: the main thread stops waiting.
            let _finished = finished;
            arenas::limits::declare_thread_stack(vm_thread_stack());
            let mut end_out = out.clone();
            let code = match job {
                Job::File(path) => match load_source(&path) {
                    Ok(src) => run_source(&display_name(&path), base_dir(&path), src, &cfg, out),
                    Err(code) => code,
                },
                Job::Inline(src) => run_source(INLINE_NAME, PathBuf::new(), src, &cfg, out),
                Job::Tests(files) => run_tests(&files, &cfg, out),
            };
            if code == ExitCode::SUCCESS && end_out.flush().is_ok() {
                // Everything is written: end the process here, without unwinding the VM
                // thread, joining it, or the allocator's clean-up at exit (0.1-0.7 ms).
                crate::sys::exit_now(0);
            }
            code
        })
        .expect("spawn the VM thread");
    if jit_mode != JitMode::Off {
        // In parallel with the VM thread's parsing and checking (about 60 µs, far less).
        let _ = std::panic::catch_unwind(tier2_jit::warm_up);
    }
    if let Some(s) = signals {
        s.wait(&waiting_out);
    }
    let result = result.join();
    match result {
        Ok(code) => code,
        Err(p) => {
            let msg = p
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "unknown panic".into());
            let msg = if msg.starts_with(arenas::heap::OUT_OF_MEMORY) {
                arenas::heap::OUT_OF_MEMORY.to_string()
            } else {
                format!("internal error: {msg}")
            };
            let e = Error::runtime(Pos { line: 1, col: 1 }, msg);
            crate::sys::report(&e.render(&name, None));
            ExitCode::FAILURE
        }
    }
}

/// A failed heap allocation panics with `out of memory` inside the heap, and a heap access
/// through a handle of the wrong kind (nil where a string or list was expected) with `not a
/// ...`; the runtime turns those into the program's runtime error (`out of memory`, `invalid
/// use of nil value`), so the default hook's `thread panicked` report would only be noise.
/// Every other panic is reported as before.
fn quiet_out_of_memory_panics() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let p = info.payload();
        let msg = p
            .downcast_ref::<String>()
            .map(|s| s.as_str())
            .or_else(|| p.downcast_ref::<&str>().copied());
        if msg
            .is_some_and(|m| m.starts_with(arenas::heap::OUT_OF_MEMORY) || m.starts_with("not a "))
        {
            return;
        }
        default(info)
    }));
}

/// How errors name the program: its path, or `<stdin>` for `-`.
fn display_name(path: &Path) -> String {
    if path.as_os_str() == "-" {
        "<stdin>".into()
    } else {
        path.display().to_string()
    }
}

/// How errors name a program given with `mochi run -e`.
pub const INLINE_NAME: &str = "-e";

/// The directory relative `load`/`save` paths start from: the program's own directory (the
/// current directory for stdin).
fn base_dir(path: &Path) -> PathBuf {
    if path.as_os_str() == "-" {
        return PathBuf::new();
    }
    path.parent().map(Path::to_path_buf).unwrap_or_default()
}

/// Read a program's source (reporting an unreadable or non-UTF-8 file).
fn load_source(path: &Path) -> Result<String, ExitCode> {
    let name = display_name(path);
    let fail = |e: Error| {
        crate::sys::report(&e.render(&name, None));
        ExitCode::FAILURE
    };
    let bytes = match crate::sys::read_source(path) {
        Ok(b) => b,
        Err(reason) => {
            let msg = format!("cannot read file: {reason}");
            return Err(fail(Error::parse(Pos { line: 1, col: 1 }, msg)));
        }
    };
    match String::from_utf8(bytes) {
        Ok(s) => Ok(s),
        Err(e) => {
            let valid = e.utf8_error().valid_up_to();
            let bytes = e.as_bytes();
            let pos = position_of(&String::from_utf8_lossy(&bytes[..valid]));
            let msg = format!(
                "source is not valid UTF-8 (byte 0x{:02x} at offset {valid})",
                bytes[valid]
            );
            Err(fail(Error::parse(pos, msg)))
        }
    }
}

/// `mochi test FILE...`: compile each file in test mode, run its top level (without its tests
/// and benches), then each of its top-level tests on its own; print `ok NAME` or
/// `FAIL NAME: REASON` per test (REASON: the failing expect, `expect condition failed at FILE:LINE: SOURCE`, or `FILE:LINE:COL: MESSAGE`
/// for another runtime error), then a summary line. Exit status 1 if any test failed or any
/// file could not be compiled or set up (its error is reported on stderr).
fn run_tests(files: &[PathBuf], cfg: &Config, out: crate::sys::Stdout) -> ExitCode {
    let (mut passed, mut failed, mut broken) = (0usize, 0usize, 0usize);
    for path in files {
        let name = display_name(path);
        let Ok(src) = load_source(path) else {
            broken += 1;
            continue;
        };
        let mut prog = match compiler::compile_file_with(&src, &name, true) {
            Ok(p) => p,
            Err(e) => {
                crate::sys::report(&e.render(&name, Some(&src)));
                broken += 1;
                continue;
            }
        };
        let heap = prog.heap.take().expect("a compiled program has its heap");
        let mut rt = Runtime::new(heap, Box::new(out.clone()));
        rt.base_dir = base_dir(path);
        if let Some(n) = cfg.max_heap {
            rt.heap.set_max_heap(n);
        }
        let mut jit = new_jit(cfg);
        let opts = Options {
            mode: cfg.mode,
            threshold: cfg.threshold,
            ..Options::default()
        };
        let names: Vec<String> = prog.tests.iter().map(|(n, _)| n.clone()).collect();
        let mut report = |rt: &mut Runtime, i: usize, r: Result<(), Error>| {
            let line = match r {
                Ok(()) => {
                    passed += 1;
                    format!("ok {}", names[i])
                }
                Err(e) => {
                    failed += 1;
                    let reason = if e.message.starts_with("expect condition failed") {
                        e.message.clone()
                    } else {
                        format!("{name}:{}:{}: {}", e.pos.line, e.pos.col, e.message)
                    };
                    format!("FAIL {}: {reason}", names[i])
                }
            };
            // A write failure is reported once, after the run.
            let _ = rt.write_line(&line);
        };
        let r = tier1_interp::run_with_tests(
            &prog,
            &mut rt,
            jit.as_mut().map(|j| j as &mut dyn Jit),
            opts,
            &mut RunStats::default(),
            &mut report,
        );
        rt.flush();
        if let Some(e) = rt.write_error.take() {
            return write_failed(&name, &e);
        }
        if let Err(e) = r {
            crate::sys::report(&e.render(&name, Some(&src)));
            broken += 1;
        }
    }
    let mut summary = format!("{passed} passed, {failed} failed");
    if broken > 0 {
        let s = if broken == 1 { "" } else { "s" };
        summary.push_str(&format!(", {broken} file{s} could not run"));
    }
    let mut o = out.clone();
    let _ = writeln!(o, "{summary}");
    let _ = o.flush();
    if failed > 0 || broken > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// The copy-and-patch JIT unless `--jit=off` (or this target has no stencils).
fn new_jit(cfg: &Config) -> Option<tier2_jit::CopyAndPatch> {
    if cfg.mode == JitMode::Off {
        return None;
    }
    if tier2_jit::available() {
        Some(tier2_jit::CopyAndPatch::new())
    } else {
        crate::sys::report("mochi: note: no stencils for this target; running interpreter-only");
        None
    }
}

/// Compile and run one program (`name` is how errors name it; `base` is the directory
/// relative `load`/`save` paths start from).
fn run_source(
    name: &str,
    base: PathBuf,
    src: String,
    cfg: &Config,
    out: crate::sys::Stdout,
) -> ExitCode {
    let fail = |e: Error, src: Option<&str>| {
        crate::sys::report(&e.render(name, src));
        ExitCode::FAILURE
    };
    let t0 = Instant::now();
    let mut prog = match compiler::compile_file(&src, name) {
        Ok(p) => p,
        Err(e) => return fail(e, Some(&src)),
    };
    let front_end = t0.elapsed();
    if cfg.ir {
        let mut o = std::io::stdout().lock();
        return match o
            .write_all(prog.disassemble().as_bytes())
            .and_then(|_| o.flush())
        {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => write_failed(name, &e),
        };
    }

    // `--dump-jit=FN`: the function must exist; its layout is recorded when it is compiled.
    let dump = match &cfg.dump_jit {
        None => None,
        Some(want) => match prog.funcs.iter().position(|f| &f.name == want) {
            Some(fid) if tier2_jit::available() => Some(fid),
            Some(_) => {
                crate::sys::report("mochi: error: --dump-jit: no JIT for this target");
                return ExitCode::from(2);
            }
            None => {
                let names: Vec<&str> = prog.funcs.iter().map(|f| f.name.as_str()).collect();
                crate::sys::report(&format!(
                    "mochi: error: --dump-jit: {name} has no function `{want}` (functions: {})",
                    names.join(", ")
                ));
                return ExitCode::from(2);
            }
        },
    };
    let mut jit = new_jit(cfg);
    if let (Some(j), Some(fid)) = (jit.as_mut(), dump) {
        j.keep_listing(fid);
    }
    let opts = Options {
        mode: cfg.mode,
        threshold: cfg.threshold,
        ..Options::default()
    };
    let heap = prog.heap.take().expect("a compiled program has its heap");
    let stats_wanted = cfg.stats;

    let mut rt = Runtime::new(heap, Box::new(out));
    rt.base_dir = base;
    if let Some(n) = cfg.max_heap {
        rt.heap.set_max_heap(n);
    }
    let mut stats = RunStats::default();
    let sampler = cfg.profile.as_ref().and_then(|_| {
        crate::profile::Sampler::start(cfg.profile_hz)
            .map_err(|e| eprintln!("mochi: cannot profile: {e}"))
            .ok()
    });
    let t = Instant::now();
    let r = tier1_interp::run(
        &prog,
        &mut rt,
        jit.as_mut().map(|j| j as &mut dyn Jit),
        opts,
        &mut stats,
    );
    let run_time = t.elapsed();
    let samples = sampler.map(|s| s.finish());
    rt.flush();
    let write_error = rt.write_error.take();
    let jit_stats = jit.as_ref().map(|j| j.stats()).unwrap_or_default();
    if let (Some(path), Some(samples)) = (&cfg.profile, &samples) {
        if let Err(e) = samples.write(&prog, path) {
            eprintln!("mochi: cannot write profile {}: {e}", path.display());
        }
    }
    if stats_wanted {
        let totals = crate::stats::Totals {
            front_end,
            run_time,
            run: &stats,
            jit: jit_stats,
            gc: rt.heap.gc_stats(),
            profile: samples.as_ref().map(|s| (s.len(), s.dropped)),
        };
        crate::stats::print(&prog, &totals, cfg.stats_json);
    }
    if let Some(fid) = dump {
        let j = jit.get_or_insert_with(tier2_jit::CopyAndPatch::new);
        let text = match j.dump(&prog, fid) {
            Ok(t) => t,
            Err(e) => format!("; function {}: not compiled: {e}\n", prog.funcs[fid].name),
        };
        let mut o = std::io::stdout().lock();
        if let Err(e) = o.write_all(text.as_bytes()).and_then(|_| o.flush()) {
            return write_failed(name, &e);
        }
    }
    if let Err(e) = r {
        return fail(e, Some(&src));
    }
    if let Some(e) = write_error {
        return write_failed(name, &e);
    }
    // The process ends right after a success (`sys::exit_now`): freeing the heap, the program
    // and the native code object by object would only cost time.
    std::mem::forget((rt, prog, jit));
    ExitCode::SUCCESS
}

/// The exit after writing the program's output failed: the broken-pipe status, or an error
/// naming the file.
fn write_failed(name: &str, e: &std::io::Error) -> ExitCode {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        return ExitCode::from(vm::runtime::BROKEN_PIPE_STATUS as u8);
    }
    crate::sys::report(&format!(
        "{name}: error: {}",
        vm::runtime::write_error_message(e)
    ));
    ExitCode::FAILURE
}

/// 1-based line and column just after `prefix`.
fn position_of(prefix: &str) -> Pos {
    let line = prefix.matches('\n').count() as u32 + 1;
    let col = prefix.rsplit('\n').next().map_or(0, |l| l.chars().count()) as u32 + 1;
    Pos { line, col }
}
