//! tinygen: renders files from Docker container metadata and keeps them current.

#[macro_use]
mod log;
mod error;
mod cli;
mod config;
mod docker;
mod model;
mod context;
mod template;
mod output;
mod notify;
mod generate;
mod debounce;
mod watch;
mod sys;

use std::process::ExitCode;

fn main() -> ExitCode {
    ExitCode::SUCCESS
}
