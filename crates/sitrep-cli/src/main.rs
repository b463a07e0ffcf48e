//! The `sitrep` binary: parse arguments, run, map the outcome to an exit code.
use clap::Parser;
use std::process::ExitCode;

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
