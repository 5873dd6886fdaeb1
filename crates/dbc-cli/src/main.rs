//! `dbc-rent`: the DBC Rent command line. A thin layer over the `dbc` core
//! crate, like the desktop app: parse arguments, call the core, print.
//!
//! Output contract: with `--json`, stdout carries exactly one JSON value
//! (the result, or `{"error":{code,message,data?}}`); without it, human
//! text. Errors exit with status 1, usage errors with 2 (clap's convention),
//! and `status` exits with 3 when the network cannot be reached.

mod cli;
mod clients_cmd;
mod context;
mod generate;
mod market_cmd;
mod output;
mod practice_cmd;
mod progress;
mod rental_cmd;
mod ssh_cmd;
mod vm_clients;
mod wallet_cmd;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args = cli::Args::parse();
    if let cli::Command::Generate { what } = args.command {
        // Raw text for packagers: no data dir, no settings, no JSON wrapping.
        return match generate::write(what, &mut std::io::stdout().lock()) {
            Ok(()) => ExitCode::SUCCESS,
            // The reader had enough (`… | head`): not a failure.
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("error: cannot write {what:?}: {e}");
                ExitCode::from(1)
            }
        };
    }
    let out = output::Output::new(args.global.json);
    match cli::run(args) {
        Ok(outcome) => {
            out.success(&outcome.value);
            ExitCode::from(outcome.exit)
        }
        Err(err) => {
            out.failure(&err);
            ExitCode::from(1)
        }
    }
}
