//! Resolved configuration: what the command line, the environment and the config files mean.
//!
//! `cli.rs` says what was typed; this module decides what it means (env vars, defaults,
//! cross-flag rules of spec §1.2–§1.4) and hands out an immutable `Config`. It does no
//! network I/O and never touches the output files.

pub mod wait;
pub mod file;

use crate::cli::Args;
use crate::error::{Error, Result};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

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
    pub mode: Mode,
    /// Render from this context file instead of a daemon.
    pub context_file: Option<PathBuf>,
    /// Log why each container is included or excluded.
    pub explain: bool,
}

/// What the run does.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Mode {
    /// Render (once, or as a service with watch or interval).
    #[default]
    Render,
    /// Render once and print diffs; write and notify nothing.
    DryRun,
    /// Write the live context to a file.
    DumpContext(PathBuf),
    /// Parse the templates only.
    CheckTemplate,
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
    /// A command that validates a new output before it stays (issue: check before replace).
    pub check_cmd: String,
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
            filters
                .entry(key.to_string())
                .or_default()
                .push(value.to_string());
        }
    }
}

/// The events docker-gen listens to unless told more (spec §1.2 `-event-filter`).
pub const DEFAULT_EVENTS: [&str; 4] = ["start", "stop", "die", "health_status"];

/// The endpoint used when neither `-endpoint` nor `DOCKER_HOST` names one.
pub const DEFAULT_ENDPOINT: &str = "unix:///var/run/docker.sock";

impl Config {
    /// Resolves the typed arguments with the environment (`env` looks a variable up) and,
    /// with `-config`, the config files. The caller has checked that there is a template or
    /// a config file.
    pub fn resolve(args: &Args, env: &dyn Fn(&str) -> Option<String>) -> Result<Config> {
        let non_empty = |name: &str| env(name).filter(|value| !value.is_empty());
        let endpoint = args
            .endpoint
            .clone()
            .filter(|endpoint| !endpoint.is_empty())
            .or_else(|| non_empty("DOCKER_HOST"))
            .unwrap_or_else(|| DEFAULT_ENDPOINT.to_string());

        let cert_dir = match non_empty("DOCKER_CERT_PATH") {
            Some(path) => PathBuf::from(path.trim_end_matches('/')),
            None => Path::new(&env("HOME").unwrap_or_default()).join(".docker"),
        };
        let cert_path = |given: &Option<String>, file: &str| {
            given
                .as_ref()
                .map(PathBuf::from)
                .unwrap_or_else(|| cert_dir.join(file))
        };
        let tls = TlsOptions {
            ca_cert: cert_path(&args.tls_ca_cert, "ca.pem"),
            cert: cert_path(&args.tls_cert, "cert.pem"),
            key: cert_path(&args.tls_key, "key.pem"),
            verify: args
                .tls_verify
                .unwrap_or_else(|| non_empty("DOCKER_TLS_VERIFY").is_some()),
        };

        let mut event_filters = Filters::new();
        event_filters.insert(
            "event".to_string(),
            DEFAULT_EVENTS.iter().map(|e| e.to_string()).collect(),
        );
        add_filters(
            &mut event_filters,
            args.event_filters.iter().map(String::as_str),
        );

        let templates = if args.configs.is_empty() {
            vec![template_from_args(args, env)?]
        } else {
            // file::load sorts and de-duplicates the paths as docker-gen does (spec §2.4).
            let paths: Vec<PathBuf> = args.configs.iter().map(PathBuf::from).collect();
            file::load(&paths)?
        };
        let mode = if args.check_template {
            Mode::CheckTemplate
        } else if let Some(path) = args.dump_context.as_ref().filter(|path| !path.is_empty()) {
            Mode::DumpContext(PathBuf::from(path))
        } else if args.dry_run {
            Mode::DryRun
        } else {
            Mode::Render
        };
        Ok(Config {
            endpoint,
            tls,
            event_filters,
            templates,
            mode,
            context_file: args
                .context
                .as_ref()
                .filter(|path| !path.is_empty())
                .map(PathBuf::from),
            explain: args.explain,
        })
    }

    /// Whether any template watches Docker events.
    pub fn watches(&self) -> bool {
        self.templates.iter().any(|template| template.watch)
    }
}

/// The single template entry the command line describes (spec §1.4).
fn template_from_args(args: &Args, env: &dyn Fn(&str) -> Option<String>) -> Result<TemplateConfig> {
    let wait = match args.wait.as_deref() {
        Some(text) => Some(
            wait::parse_wait(text)
                .map_err(|error| Error::config(format!("Error parsing wait interval: {error}")))?,
        ),
        None => None,
    };
    let signal = args.notify_signal.unwrap_or(1);
    let mut notify_containers = BTreeMap::new();
    for name in &args.notify_sighup {
        notify_containers.insert(name.clone(), 1);
    }
    for name in &args.notify_container {
        notify_containers.insert(name.clone(), signal);
    }
    let mut notify_containers_filter = Filters::new();
    add_filters(
        &mut notify_containers_filter,
        args.notify_filter.iter().map(String::as_str),
    );

    let mut container_filter = Filters::new();
    if !args.container_filters.is_empty() {
        add_filters(
            &mut container_filter,
            args.container_filters.iter().map(String::as_str),
        );
    } else if let Some(list) = env("DOCKER_CONTAINER_FILTERS") {
        add_filters(
            &mut container_filter,
            list.split(',')
                .map(str::trim)
                .filter(|item| !item.is_empty()),
        );
    }
    // docker-gen lists every status by name for -include-stopped; listing without a status
    // filter (`all=1`) gives the same containers and also works with Podman, which refuses
    // the states it does not have ("unknown container state: restarting").
    if !container_filter.contains_key("status") && !args.include_stopped {
        container_filter.insert("status".to_string(), vec!["running".to_string()]);
    }
    if args.only_published && !container_filter.contains_key("publish") {
        container_filter.insert("publish".to_string(), vec!["1-65535".to_string()]);
    } else if args.only_exposed && !args.only_published && !container_filter.contains_key("expose")
    {
        container_filter.insert("expose".to_string(), vec!["1-65535".to_string()]);
    }

    Ok(TemplateConfig {
        template: args.positionals.first().cloned().unwrap_or_default(),
        dest: args
            .positionals
            .get(1)
            .filter(|dest| !dest.is_empty())
            .map(PathBuf::from),
        watch: args.watch,
        wait,
        notify_cmd: args.notify.clone().unwrap_or_default(),
        notify_output: args.notify_output,
        notify_containers,
        notify_containers_signal: if args.notify_filter.is_empty() {
            0
        } else {
            signal
        },
        notify_containers_filter,
        notify_pidfile: args
            .notify_pidfile
            .as_ref()
            .filter(|path| !path.is_empty())
            .map(PathBuf::from),
        notify_pidfile_signal: signal,
        container_filter,
        interval: args.interval.unwrap_or(0).max(0) as u64,
        keep_blank_lines: args.keep_blank_lines,
        check_cmd: args.check.clone().unwrap_or_default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli;

    fn resolve(argv: &[&str], vars: &[(&str, &str)]) -> Result<Config> {
        let args = cli::parse(argv.iter().copied()).expect("arguments parse");
        let vars: BTreeMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::resolve(&args, &|name| vars.get(name).cloned())
    }

    #[test]
    fn endpoint_precedence() {
        assert_eq!(resolve(&["t"], &[]).unwrap().endpoint, DEFAULT_ENDPOINT);
        assert_eq!(
            resolve(&["t"], &[("DOCKER_HOST", "tcp://10.0.0.1:2375")])
                .unwrap()
                .endpoint,
            "tcp://10.0.0.1:2375"
        );
        let config = resolve(
            &["-endpoint", "unix:///run/podman.sock", "t"],
            &[("DOCKER_HOST", "tcp://x:1")],
        )
        .unwrap();
        assert_eq!(config.endpoint, "unix:///run/podman.sock");
    }

    #[test]
    fn tls_paths_from_cert_path_or_home() {
        let config = resolve(
            &["t"],
            &[("DOCKER_CERT_PATH", "/certs/"), ("DOCKER_TLS_VERIFY", "0")],
        )
        .unwrap();
        assert_eq!(config.tls.ca_cert, PathBuf::from("/certs/ca.pem"));
        assert!(
            config.tls.verify,
            "any non-empty DOCKER_TLS_VERIFY turns verification on"
        );
        let config = resolve(
            &["-tlskey", "/k.pem", "-tlsverify=false", "t"],
            &[("HOME", "/home/u"), ("DOCKER_TLS_VERIFY", "1")],
        )
        .unwrap();
        assert_eq!(config.tls.cert, PathBuf::from("/home/u/.docker/cert.pem"));
        assert_eq!(config.tls.key, PathBuf::from("/k.pem"));
        assert!(!config.tls.verify);
    }

    #[test]
    fn status_and_port_filters_default_as_docker_gen() {
        let template = &resolve(&["t"], &[]).unwrap().templates[0];
        assert_eq!(template.container_filter["status"], ["running"]);
        let template = &resolve(&["-include-stopped", "-only-exposed", "t"], &[])
            .unwrap()
            .templates[0];
        assert!(
            !template.container_filter.contains_key("status"),
            "all=1 lists every state"
        );
        assert_eq!(template.container_filter["expose"], ["1-65535"]);
        let template = &resolve(&["-only-exposed", "-only-published", "t"], &[])
            .unwrap()
            .templates[0];
        assert_eq!(template.container_filter["publish"], ["1-65535"]);
        assert!(!template.container_filter.contains_key("expose"));
        let template = &resolve(
            &[
                "-container-filter",
                "status=exited",
                "-include-stopped",
                "t",
            ],
            &[],
        )
        .unwrap()
        .templates[0];
        assert_eq!(template.container_filter["status"], ["exited"]);
    }

    #[test]
    fn container_filters_from_flags_or_environment() {
        let env = [("DOCKER_CONTAINER_FILTERS", " label=a , ,name=web,junk")];
        let template = &resolve(&["t"], &env).unwrap().templates[0];
        assert_eq!(template.container_filter["label"], ["a"]);
        assert_eq!(template.container_filter["name"], ["web"]);
        let template = &resolve(
            &[
                "-container-filter",
                "label=b",
                "-container-filter",
                "label=c",
                "-container-filter",
                "noequals",
                "t",
            ],
            &env,
        )
        .unwrap()
        .templates[0];
        assert_eq!(template.container_filter["label"], ["b", "c"]);
        assert!(!template.container_filter.contains_key("name"));
    }

    #[test]
    fn notifications_from_flags() {
        let argv = [
            "-notify-sighup",
            "nginx",
            "-notify-container",
            "web",
            "-notify-container",
            "nginx",
            "-notify-signal",
            "15",
            "t",
            "out",
        ];
        let template = &resolve(&argv, &[]).unwrap().templates[0];
        assert_eq!(
            template.notify_containers["nginx"], 15,
            "-notify-container wins over -notify-sighup"
        );
        assert_eq!(template.notify_containers["web"], 15);
        assert_eq!(template.dest, Some(PathBuf::from("out")));
        let template = &resolve(&["-notify-filter", "label=reload", "t"], &[])
            .unwrap()
            .templates[0];
        assert_eq!(template.notify_containers_filter["label"], ["reload"]);
        assert_eq!(template.notify_containers_signal, 1);
    }

    #[test]
    fn event_filters_are_appended() {
        let config = resolve(
            &[
                "-event-filter",
                "event=connect",
                "-event-filter",
                "type=container",
                "t",
            ],
            &[],
        )
        .unwrap();
        assert_eq!(
            config.event_filters["event"],
            ["start", "stop", "die", "health_status", "connect"]
        );
        assert_eq!(config.event_filters["type"], ["container"]);
    }
}
