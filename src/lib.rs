//! tinygen's modules, as a library for its binary (`main.rs`) and its benchmarks. Public are
//! only the entry point the binary calls and the render step the render benchmark times;
//! everything else stays private to the crate.

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

/// The command line: parses the arguments and runs what they ask for.
pub fn main() -> ExitCode {
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

/// The work watch mode does per change once a template is loaded and the containers are
/// inspected: build the root value, render, drop blank lines. For the render benchmark
/// (`tests/bench/render.rs`), which times it in-process.
pub mod bench {
    use crate::snapshot::Snapshot;
    use crate::template::{Template, Value};
    use crate::{context, output};
    use std::path::Path;

    /// A template loaded and a context file read, ready to render again and again.
    pub struct Prepared {
        template: Template,
        snapshot: Snapshot,
        containers: Vec<Value>,
        env: Value,
        current: Option<Value>,
    }

    impl Prepared {
        /// Loads `template` (a path, or `;`-separated paths) and the context file `context`
        /// (written by `-dump-context`).
        pub fn load(template: &str, context: &Path) -> Result<Prepared, String> {
            let template = Template::load(template).map_err(|error| error.to_string())?;
            let snapshot = Snapshot::load(context).map_err(|error| error.to_string())?;
            // Watch mode keeps the containers' values between renders (its inspect cache).
            let containers = snapshot
                .containers
                .iter()
                .map(context::container_value)
                .collect();
            let env = context::env_value(&snapshot.env);
            let current = snapshot.current.as_ref().map(context::container_value);
            Ok(Prepared {
                template,
                snapshot,
                containers,
                env,
                current,
            })
        }

        /// One render: the output text with blank lines removed, as `-keep-blank-lines`
        /// is off by default.
        pub fn render(&self) -> Result<String, String> {
            let root = context::root_from_values(
                self.containers.clone(),
                self.env.clone(),
                &self.snapshot.docker,
                self.current.clone(),
            );
            let text = self
                .template
                .render(&root)
                .map_err(|error| error.to_string())?;
            Ok(output::remove_blank_lines(&text))
        }
    }
}
