//! Notifications after a change (placeholder until the notify module lands).

use crate::config::TemplateConfig;
use crate::docker::Client;

/// Runs the notifications of `config`; failures are logged, never returned.
pub fn notify(_config: &TemplateConfig, _client: &Client) {}
