//! `mochi`: the command line. Parses arguments and hands over to `driver`, which wires the
//! front end, the interpreter (tier 1) and the copy-and-patch JIT (tier 2) together.

/// mimalloc: hash tables, list and string buffers of every size are allocated and freed at a
/// high rate; the system allocator maps and unmaps large blocks on each (measured: 18 % of
/// maps_fill_sum in page faults and rehash allocation). Built with `no_thp` (Cargo.toml): with
/// transparent huge pages each thread's first allocation faulted in and zeroed a fresh 2 MiB
/// page, and the kernel's compaction for it stalled start-up (3 ms more system time and 4 ms
/// more wall time for a one-line program, on every run).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod driver;
mod profile;
mod stats;
mod sys;

use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "mochi",
    version,
    about = "A tiered runtime for the Mochi language: a profiling interpreter and a copy-and-patch JIT",
    after_help = "Examples:\n  mochi run programs/hello.mochi\n  mochi run --jit=off --stats programs/fib.mochi\n  mochi run --ir programs/hello.mochi\n  mochi run --dump-jit=fib programs/fib.mochi\n  mochi run -e 'print(1 + 2)'\n  mochi test programs/data_test_blocks.mochi"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run a Mochi program (its `test` blocks run inline, where they stand).
    Run(RunArgs),
    /// Run the `test` blocks of each file, each on its own.
    ///
    /// Each file's top level runs first, without its tests and benches (so the tests see the
    /// globals it sets up); then each test; prints
    /// `ok NAME` or `FAIL NAME: REASON` per test and a summary line; exit status 1 if any
    /// test failed or a file could not run.
    Test(TestArgs),
}

#[derive(clap::Args)]
struct TestArgs {
    /// When to compile functions to native code (as for `run`).
    #[arg(long, value_enum, default_value_t = JitArg::Auto)]
    jit: JitArg,
    /// Calls plus back-edges after which `--jit=auto` compiles a function.
    #[arg(long, value_name = "N", default_value_t = tier1_interp::DEFAULT_THRESHOLD,
          value_parser = clap::value_parser!(u64).range(1..))]
    jit_threshold: u64,
    /// Cap on live heap bytes (as for `run`).
    #[arg(long, value_name = "SIZE", value_parser = parse_max_heap)]
    max_heap: Option<usize>,
    /// The programs whose tests to run.
    #[arg(required = true)]
    files: Vec<PathBuf>,
}

#[derive(clap::Args)]
struct RunArgs {
    /// When to compile functions to native code: `off` never, `auto` once a function's calls
    /// plus loop back-edges reach the threshold, `always` before its first instruction runs.
    #[arg(long, value_enum, default_value_t = JitArg::Auto)]
    jit: JitArg,
    /// Calls plus back-edges after which `--jit=auto` compiles a function.
    #[arg(long, value_name = "N", default_value_t = tier1_interp::DEFAULT_THRESHOLD,
          value_parser = clap::value_parser!(u64).range(1..))]
    jit_threshold: u64,
    /// Print run statistics to stderr at exit: per function (calls, back-edges, tier,
    /// promotion, code bytes, compile time, side exits), totals and GC. `--stats=json` prints
    /// them as one JSON object.
    #[arg(long, value_enum, value_name = "FORMAT", num_args = 0..=1,
          require_equals = true, default_missing_value = "text")]
    stats: Option<StatsArg>,
    /// Sample the running program and write a profile of its Mochi frames (`NAME [interp]`,
    /// `NAME [jit]`, tier transitions, helpers, GC): a flamegraph if FILE ends in `.svg`,
    /// else a gzipped pprof protobuf (`go tool pprof`, speedscope).
    #[arg(long, value_name = "FILE")]
    profile: Option<PathBuf>,
    /// Samples per second for `--profile`.
    #[arg(long, value_name = "N", default_value_t = 1000,
          value_parser = clap::value_parser!(u32).range(1..=100_000))]
    profile_hz: u32,
    /// Print the typed bytecode instead of running the program.
    #[arg(long)]
    ir: bool,
    /// After the run, print function FN's native code (disassembled, interleaved with its
    /// bytecode) on stdout; FN is compiled for the dump if it was not (any `--jit` mode).
    #[arg(long, value_name = "FN")]
    dump_jit: Option<String>,
    /// Cap on live heap bytes (e.g. `512M`, `4G`): when the heap still holds more after a
    /// collection, the program stops with `out of memory`. Default: min(4G, half of physical
    /// memory), or a quarter of the address-space limit under `ulimit -v`.
    #[arg(long, value_name = "SIZE", value_parser = parse_max_heap)]
    max_heap: Option<usize>,
    /// Run CODE, given on the command line, as the program (errors name it `-e`; relative
    /// `load`/`save` paths start from the current directory).
    #[arg(short = 'e', value_name = "CODE", conflicts_with = "file")]
    eval: Option<String>,
    /// The program to run (`-` reads it from stdin).
    #[arg(required_unless_present = "eval")]
    file: Option<PathBuf>,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum StatsArg {
    Text,
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
enum JitArg {
    Off,
    Auto,
    Always,
}

fn parse_max_heap(s: &str) -> Result<usize, String> {
    arenas::limits::parse_size(s)
}

fn jit_mode(j: JitArg) -> tier1_interp::JitMode {
    match j {
        JitArg::Off => tier1_interp::JitMode::Off,
        JitArg::Auto => tier1_interp::JitMode::Auto,
        JitArg::Always => tier1_interp::JitMode::Always,
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Test(a) => {
            let cfg = driver::Config {
                mode: jit_mode(a.jit),
                threshold: a.jit_threshold,
                stats: false,
                stats_json: false,
                ir: false,
                dump_jit: None,
                profile: None,
                profile_hz: 1000,
                max_heap: a.max_heap,
            };
            driver::run_on_vm_thread(driver::Job::Tests(a.files), cfg)
        }
        Command::Run(a) => {
            let mode = jit_mode(a.jit);
            let cfg = driver::Config {
                mode,
                threshold: a.jit_threshold,
                stats: a.stats.is_some(),
                stats_json: a.stats == Some(StatsArg::Json),
                ir: a.ir,
                dump_jit: a.dump_jit,
                profile: a.profile,
                profile_hz: a.profile_hz,
                max_heap: a.max_heap,
            };
            let job = match (a.eval, a.file) {
                (Some(code), _) => driver::Job::Inline(code),
                (None, Some(file)) => driver::Job::File(file),
                (None, None) => unreachable!("clap requires a file or -e"),
            };
            driver::run_on_vm_thread(job, cfg)
        }
    }
}
