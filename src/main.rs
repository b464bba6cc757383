//! `mochi`: the command line. Parses arguments and hands over to `driver`, which wires the
//! front end, the interpreter (tier 1) and the copy-and-patch JIT (tier 2) together.

mod driver;
mod sys;

use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "mochi",
    version,
    about = "A tiered runtime for the Mochi language: a profiling interpreter and a copy-and-patch JIT",
    after_help = "Examples:\n  mochi run programs/hello.mochi\n  mochi run --jit=off --stats programs/fib.mochi\n  mochi run --ir programs/hello.mochi"
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
    /// Print run statistics (JIT counters, timings) to stderr at exit.
    #[arg(long)]
    stats: bool,
    /// Print the typed bytecode instead of running the program.
    #[arg(long)]
    ir: bool,
    /// The program to run (`-` reads it from stdin).
    file: PathBuf,
}

#[derive(Clone, Copy, ValueEnum)]
enum JitArg {
    Off,
    Auto,
    Always,
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
                stats: a.stats,
                ir: a.ir,
            };
            driver::run_file_on_vm_thread(a.file, cfg)
        }
    }
}
