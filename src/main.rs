//! `mochi`: the command line. Parses arguments and hands over to `driver`, which wires the
//! front end, the interpreter (tier 1) and the copy-and-patch JIT (tier 2) together.

/// mimalloc: hash tables, list and string buffers of every size are allocated and freed at a
/// high rate; the system allocator maps and unmaps large blocks on each (measured: 18 % of
/// maps_fill_sum in page faults and rehash allocation).
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
    after_help = "Examples:\n  mochi run programs/hello.mochi\n  mochi run --jit=off --stats programs/fib.mochi\n  mochi run --ir programs/hello.mochi\n  mochi run --dump-jit=fib programs/fib.mochi"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run a Mochi program.
    Run(RunArgs),
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
    /// The program to run (`-` reads it from stdin).
    file: PathBuf,
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

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Run(a) => {
            let mode = match a.jit {
                JitArg::Off => tier1_interp::JitMode::Off,
                JitArg::Auto => tier1_interp::JitMode::Auto,
                JitArg::Always => tier1_interp::JitMode::Always,
            };
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
            driver::run_file_on_vm_thread(a.file, cfg)
        }
    }
}
