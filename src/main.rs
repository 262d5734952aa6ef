//! tinygen: renders files from Docker container metadata and keeps them current.

#[macro_use]
mod log;
mod error;
mod cli;
mod config;
mod docker;
mod model;
mod context;
mod snapshot;
mod template;
mod output;
mod notify;
mod generate;
mod debounce;
mod watch;
mod sys;

use std::process::ExitCode;

fn main() -> ExitCode {
    let signals = match watch::install_signal_handlers() {
        Ok(signals) => signals,
        Err(error) => {
            log!("{error}");
            return ExitCode::from(error.exit_code());
        }
    };
    let args = match cli::parse(std::env::args_os().skip(1)) {
        Ok(args) => args,
        Err(error) => {
            eprintln!("{error}\n{}", cli::usage());
            return ExitCode::from(error.exit_code());
        }
    };
    if args.help {
        eprint!("{}", cli::usage());
        return ExitCode::SUCCESS;
    }
    if args.version {
        println!("{}", env!("CARGO_PKG_VERSION"));
        return ExitCode::SUCCESS;
    }
    if args.positionals.is_empty() && args.configs.is_empty() {
        eprint!("{}", cli::usage());
        return ExitCode::from(1);
    }
    match watch::run(&args, signals) {
        Ok(code) => ExitCode::from(code),
        Err(error) => {
            log!("{error}");
            ExitCode::from(error.exit_code())
        }
    }
}
