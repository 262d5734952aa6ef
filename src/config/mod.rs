//! Resolved configuration: what the command line, the environment and the config files mean.
//!
//! `cli.rs` says what was typed; this module decides what it means (env vars, defaults,
//! cross-flag rules of spec §1.2–§1.4) and hands out an immutable `Config`. It does no
//! network I/O and never touches the output files.

pub mod wait;
pub mod file;

use std::collections::BTreeMap;
use std::path::PathBuf;

pub use wait::Wait;

/// Docker filters: key to values (values of one key are ORed by the daemon, keys ANDed).
pub type Filters = BTreeMap<String, Vec<String>>;

/// Everything one run needs, global settings plus one entry per template.
#[derive(Clone, Debug, Default)]
pub struct Config {
    /// The endpoint as given (`-endpoint`, else `DOCKER_HOST`, else the default socket).
    pub endpoint: String,
    pub tls: TlsOptions,
    /// Filters for `GET /events` (the default four actions plus `-event-filter`).
    pub event_filters: Filters,
    pub templates: Vec<TemplateConfig>,
}

/// Client TLS material and policy (spec §6.1).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TlsOptions {
    pub ca_cert: PathBuf,
    pub cert: PathBuf,
    pub key: PathBuf,
    pub verify: bool,
}

/// One `[[config]]` entry, or the single entry the command line describes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TemplateConfig {
    /// Template path, or several joined with `;` (spec §5.3).
    pub template: String,
    /// Output file; `None` writes to stdout.
    pub dest: Option<PathBuf>,
    pub watch: bool,
    /// Debounce; `None` (or a zero minimum) renders once per event.
    pub wait: Option<Wait>,
    pub notify_cmd: String,
    pub notify_output: bool,
    /// Container name or ID to signal number (`-1` restarts).
    pub notify_containers: BTreeMap<String, i64>,
    /// Running containers matching these filters get `notify_containers_signal`.
    pub notify_containers_filter: Filters,
    pub notify_containers_signal: i64,
    /// A PID file whose process gets `notify_pidfile_signal` after a change.
    pub notify_pidfile: Option<PathBuf>,
    pub notify_pidfile_signal: i64,
    pub container_filter: Filters,
    /// Seconds between forced renders; 0 disables.
    pub interval: u64,
    pub keep_blank_lines: bool,
}

/// Splits `key=value` at the first `=`; `None` when there is no `=` (spec §1.2: such a
/// filter is ignored).
pub fn split_filter(text: &str) -> Option<(&str, &str)> {
    text.split_once('=')
}

/// Adds `key=value` filters to a filter map, ignoring items without `=`.
pub fn add_filters<'a>(filters: &mut Filters, items: impl IntoIterator<Item = &'a str>) {
    for item in items {
        if let Some((key, value)) = split_filter(item) {
            filters.entry(key.to_string()).or_default().push(value.to_string());
        }
    }
}
