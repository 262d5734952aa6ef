//! The run loop: one-shot renders now; watch mode (events, debounce, signals) builds on it.

use crate::cli::Args;
use crate::config::Config;
use crate::docker::Client;
use crate::error::Result;
use crate::generate::Generator;

/// Resolves the configuration and renders every template once, in order (spec §5.2). A
/// listing error stops the pass, as docker-gen's does, but is an error (exit 1) here.
pub fn run(args: &Args) -> Result<()> {
    let config = Config::resolve(args, &|name| std::env::var(name).ok())?;
    let client = Client::new(&config.endpoint, &config.tls)?;
    let mut generator = Generator::new(&config, client);
    for index in 0..config.templates.len() {
        generator.render(index, false)?;
    }
    Ok(())
}
