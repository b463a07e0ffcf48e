//! The `sitrep` binary: parse arguments, run, map the outcome to an exit code.
use clap::Parser;
use std::process::ExitCode;

/// mimalloc rather than the system allocator: ingest allocates every record on its
/// parse thread and frees it on its writer thread, which glibc's allocator serialises
/// on a lock; DataFusion's many short-lived buffers gain too (see BENCHMARKS.md).
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let args = sitrep_cli::Cli::parse();
    match sitrep_cli::run(args) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("sitrep: {err:#}");
            ExitCode::from(sitrep_cli::exit_code_for(&err))
        }
    }
}
