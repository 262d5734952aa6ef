//! One pass of the pipeline for one configured template:
//! docker (list, inspect) -> model -> context -> template -> output -> notify.
//!
//! `Generator` owns the Docker client, `$.Docker`, the inspect cache and, per template, the
//! parsed template and the output state. One-shot mode calls `render` once per template;
//! watch mode calls it from its loop and tells it which containers events named. It never
//! reads the events stream, sleeps or handles signals.

use crate::config::{Config, TemplateConfig};
use crate::context;
use crate::docker::Client;
use crate::error::{Error, ErrorKind, Result};
use crate::model::{self, Container, DockerInfo, NetworkFlags};
use crate::notify;
use crate::output::{self, Outcome, Output};
use crate::snapshot::Snapshot;
use crate::template::{self, Template, Value};
use serde_json::Value as Json;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::hash::{Hash, Hasher};
use std::rc::Rc;
use std::time::SystemTime;

/// Renders configured templates from the daemon's containers.
pub struct Generator {
    client: Client,
    docker: DockerInfo,
    /// `Internal` per network name, and the pass that fetched it; fetched again (at most
    /// once per pass) when a container names a network it does not know.
    networks: Option<(NetworkFlags, u64)>,
    /// Inspected containers by ID, with a digest of the list entry they were seen with.
    cache: HashMap<String, Cached>,
    /// Containers that events named since they were inspected.
    invalidated: HashSet<String>,
    current_container_id: String,
    entries: Vec<Entry>,
    passes: u64,
    /// The context file's data, which replaces the daemon (`-context`).
    offline: Option<Gathered>,
    /// tinygen's environment, read once: `$.Env`.
    env: BTreeMap<String, String>,
    env_value: Value,
    explain: bool,
}

struct Cached {
    entry_digest: u64,
    container: Rc<Container>,
    /// The container as templates see it, converted once per inspect.
    value: Value,
    /// Inspect said `State.Running: false` (not merely absent).
    stopped: bool,
    last_seen: u64,
}

/// One configured template and its state between passes.
struct Entry {
    config: TemplateConfig,
    template: Option<Template>,
    output: Output,
    /// The template files' stamp when the last render failed on the template.
    broken_at: Option<Vec<(Option<SystemTime>, u64)>>,
}

/// Containers with their template values, shared with the inspect cache.
type Listed = Vec<(Rc<Container>, Value)>;

/// What one render sees.
#[derive(Clone)]
struct Gathered {
    containers: Listed,
    current: Option<(Rc<Container>, Value)>,
    docker: DockerInfo,
    env: BTreeMap<String, String>,
    env_value: Value,
}

impl Gathered {
    fn from_snapshot(snapshot: Snapshot) -> Gathered {
        let convert = |container: Container| {
            let value = context::container_value(&container);
            (Rc::new(container), value)
        };
        Gathered {
            containers: snapshot.containers.into_iter().map(convert).collect(),
            current: snapshot.current.map(convert),
            docker: snapshot.docker,
            env_value: context::env_value(&snapshot.env),
            env: snapshot.env,
        }
    }

    fn to_snapshot(&self) -> Snapshot {
        Snapshot {
            containers: self
                .containers
                .iter()
                .map(|(container, _)| (**container).clone())
                .collect(),
            docker: self.docker.clone(),
            env: self.env.clone(),
            current: self
                .current
                .as_ref()
                .map(|(container, _)| (**container).clone()),
        }
    }
}

/// What one pass did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rendered {
    /// The output changed (or went to stdout) and notifications ran.
    Changed,
    Unchanged,
    /// The check refused the new output; the previous file stays and nothing was notified.
    Rejected,
}

/// A render that was not written: what the dest holds and what it would hold.
pub struct Preview {
    pub dest: Option<std::path::PathBuf>,
    pub current: Vec<u8>,
    pub new: String,
}

impl Generator {
    /// Prepares a generator; fetches `/version` once (a failure is logged, spec §5.1) and
    /// finds the container tinygen runs in.
    /// With `offline` (a context file) no daemon is asked for anything but notifications.
    pub fn new(config: &Config, client: Client, offline: Option<Snapshot>) -> Generator {
        let env = context::process_env();
        let mut docker = DockerInfo::default();
        if offline.is_none() {
            match client.version() {
                Ok(version) => docker.apply_version(&version),
                Err(error) => log!("Error retrieving docker server version info: {error}"),
            }
        }
        let entries = config
            .templates
            .iter()
            .map(|config| Entry {
                config: config.clone(),
                template: None,
                output: Output::new(config.dest.clone()),
                broken_at: None,
            })
            .collect();
        Generator {
            client,
            docker,
            networks: None,
            cache: HashMap::new(),
            invalidated: HashSet::new(),
            current_container_id: detect_current_container_id(),
            entries,
            passes: 0,
            offline: offline.map(Gathered::from_snapshot),
            env_value: context::env_value(&env),
            env,
            explain: config.explain,
        }
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Marks a container as changed: the next pass inspects it again.
    pub fn invalidate(&mut self, id: &str) {
        self.invalidated.insert(id.to_string());
    }

    /// Forgets every cached inspect and network (after a daemon reconnect).
    pub fn invalidate_all(&mut self) {
        self.cache.clear();
        self.networks = None;
    }

    /// Whether the files of template `index` changed since its last render failed on them.
    pub fn template_changed(&self, index: usize) -> bool {
        let entry = &self.entries[index];
        entry
            .broken_at
            .as_ref()
            .is_some_and(|stamp| *stamp != template::stamp(&entry.config.template))
    }

    /// Renders template `index` once, remembering a template failure (see
    /// `template_changed`).
    pub fn render(&mut self, index: usize, force_notify: bool) -> Result<Rendered> {
        let result = self.render_once(index, force_notify);
        let entry = &mut self.entries[index];
        entry.broken_at = match &result {
            Err(error) if error.kind == ErrorKind::Template => {
                Some(template::stamp(&entry.config.template))
            }
            _ => None,
        };
        result
    }

    /// Renders template `index` once: gather, render, write (through the check, if any), and
    /// notify when the output changed (or always, with `force_notify`, for `-interval`).
    fn render_once(&mut self, index: usize, force_notify: bool) -> Result<Rendered> {
        let (text, count) = self.produce(index)?;
        let entry = &mut self.entries[index];
        let check_cmd = entry.config.check_cmd.clone();
        let mut check = |path: &std::path::Path| notify::run_check(&check_cmd, path);
        let check: Option<output::Check<'_>> = if check_cmd.is_empty() {
            None
        } else {
            Some(&mut check)
        };
        let outcome = entry.output.write_checked(text.as_bytes(), check)?;
        let dest = entry
            .output
            .dest()
            .map(|dest| dest.display().to_string())
            .unwrap_or_default();
        match outcome {
            Outcome::Written if entry.output.dest().is_some() => {
                log!("Generated '{dest}' from {count} containers");
            }
            Outcome::Written => {}
            Outcome::Rejected(error) => {
                log!("Kept the previous '{dest}': the new content failed its check; skipping notification: {error}");
                return Ok(Rendered::Rejected);
            }
            Outcome::Unchanged if !force_notify => {
                log!(
                    "Contents of {dest} did not change. Skipping notification '{}'",
                    entry.config.notify_cmd
                );
                return Ok(Rendered::Unchanged);
            }
            Outcome::Unchanged => {}
        }
        notify::notify(&entry.config, &self.client);
        Ok(Rendered::Changed)
    }

    /// What a render of template `index` would write, next to what its dest holds now.
    pub fn preview(&mut self, index: usize) -> Result<Preview> {
        let (text, _) = self.produce(index)?;
        let entry = &self.entries[index];
        Ok(Preview {
            dest: entry.config.dest.clone(),
            current: entry.output.current()?,
            new: text,
        })
    }

    /// The data template `index` would see, for `-dump-context`.
    pub fn snapshot(&mut self, index: usize) -> Result<Snapshot> {
        Ok(self.gather(index, true)?.to_snapshot())
    }

    /// Loads template `index` and renders it from fresh data; blank lines stripped unless
    /// configured otherwise. Returns the text and the number of containers.
    fn produce(&mut self, index: usize) -> Result<(String, usize)> {
        let needs_info = {
            let entry = &mut self.entries[index];
            reload_template(entry)?;
            entry
                .template
                .as_ref()
                .is_some_and(|template| template.mentions("Docker"))
        };
        let data = self.gather(index, needs_info)?;
        let root = context::root_from_values(
            data.containers
                .iter()
                .map(|(_, value)| value.clone())
                .collect(),
            data.env_value.clone(),
            &data.docker,
            data.current.as_ref().map(|(_, value)| value.clone()),
        );
        let entry = &self.entries[index];
        let Some(template) = &entry.template else {
            return Err(Error::template(format!(
                "{}: template not loaded",
                entry.config.template
            )));
        };
        let mut text = template.render(&root)?;
        if !entry.config.keep_blank_lines {
            text = output::remove_blank_lines(&text);
        }
        Ok((text, data.containers.len()))
    }

    /// The containers, `$.Docker`, `$.Env` and `$.CurrentContainer` for template `index`:
    /// from the context file when there is one, else from the daemon.
    fn gather(&mut self, index: usize, needs_info: bool) -> Result<Gathered> {
        if let Some(offline) = &self.offline {
            return Ok(offline.clone());
        }
        let containers = self.containers(index, needs_info)?;
        let current = self.current_container(&containers);
        Ok(Gathered {
            containers,
            current,
            docker: self.docker.clone(),
            env: self.env.clone(),
            env_value: self.env_value.clone(),
        })
    }

    /// Lists the containers of template `index` and inspects those not cached, changed in the
    /// list, or named by an event (spec §5.2.1, with docker-gen's N inspects cut to the
    /// changed ones).
    fn containers(&mut self, index: usize, needs_info: bool) -> Result<Listed> {
        self.passes += 1;
        if needs_info {
            match self.client.info() {
                Ok(info) => self.docker.apply_info(&info),
                Err(error) => log!("Error retrieving docker server info: {error}"),
            }
        }
        self.docker.current_container_id = self.current_container_id.clone();
        let filters = &self.entries[index].config.container_filter;
        let running_only = filters
            .get("status")
            .is_some_and(|statuses| statuses.iter().all(|status| status == "running"));
        let listed = self.client.list_containers(true, filters)?;
        if self.explain {
            self.explain(index, &listed);
        }
        let mut containers = Vec::with_capacity(listed.len());
        for entry in &listed {
            let Some(id) = entry["Id"].as_str() else {
                continue;
            };
            let entry_digest = digest(entry);
            let fresh = self
                .cache
                .get(id)
                .is_some_and(|cached| cached.entry_digest == entry_digest)
                && !self.invalidated.contains(id);
            if !fresh {
                match self.inspect(id) {
                    Ok((container, stopped)) => {
                        self.cache.insert(
                            id.to_string(),
                            Cached {
                                entry_digest,
                                value: context::container_value(&container),
                                container: Rc::new(container),
                                stopped,
                                last_seen: 0,
                            },
                        );
                        self.invalidated.remove(id);
                    }
                    Err(error) => {
                        log!("Error inspecting container: {id}: {error}");
                        self.cache.remove(id);
                        continue;
                    }
                }
            }
            if let Some(cached) = self.cache.get_mut(id) {
                cached.last_seen = self.passes;
                // Right after a `die` event the daemon's list can still show the container
                // as running while inspect already says it stopped (its list view is updated
                // after the event; `docker kill` sends no later event): trust inspect.
                if running_only && cached.stopped {
                    continue;
                }
                containers.push((cached.container.clone(), cached.value.clone()));
            }
        }
        // Keep what other templates' filters may still list; drop what no recent pass saw.
        let horizon = self.passes.saturating_sub(self.entries.len() as u64);
        self.cache.retain(|_, cached| cached.last_seen > horizon);
        Ok(containers)
    }

    /// Logs which containers template `index` includes and, for the others, which of its
    /// filters excludes them: the daemon is asked once without filters and once per filter
    /// key, so the verdicts are the daemon's own (only with `-explain`).
    fn explain(&self, index: usize, listed: &[Json]) {
        let config = &self.entries[index].config;
        let label = config
            .dest
            .as_ref()
            .map(|dest| dest.display().to_string())
            .unwrap_or_else(|| config.template.clone());
        let name = |entry: &Json| {
            let name = entry["Names"][0]
                .as_str()
                .unwrap_or_default()
                .trim_start_matches('/')
                .to_string();
            let id: String = entry["Id"]
                .as_str()
                .unwrap_or_default()
                .chars()
                .take(12)
                .collect();
            format!("{name} ({id})")
        };
        let ids = |entries: &[Json]| -> HashSet<String> {
            entries
                .iter()
                .filter_map(|entry| entry["Id"].as_str().map(str::to_string))
                .collect()
        };
        for entry in listed {
            log!("Explain '{label}': included {}", name(entry));
        }
        let everything = match self.client.list_containers(true, &Default::default()) {
            Ok(everything) => everything,
            Err(error) => return log!("Explain '{label}': cannot list all containers: {error}"),
        };
        let included = ids(listed);
        let mut passing = Vec::new();
        for (key, values) in &config.container_filter {
            let one: crate::config::Filters = [(key.clone(), values.clone())].into();
            match self.client.list_containers(true, &one) {
                Ok(entries) => passing.push((format!("{key}={}", values.join(",")), ids(&entries))),
                Err(error) => log!("Explain '{label}': cannot evaluate filter {key}: {error}"),
            }
        }
        for entry in everything.iter().filter(|entry| {
            entry["Id"]
                .as_str()
                .is_some_and(|id| !included.contains(id))
        }) {
            let id = entry["Id"].as_str().unwrap_or_default();
            let reasons: Vec<&str> = passing
                .iter()
                .filter(|(_, ids)| !ids.contains(id))
                .map(|(filter, _)| filter.as_str())
                .collect();
            log!(
                "Explain '{label}': excluded {} by filter {}",
                name(entry),
                reasons.join(" and ")
            );
        }
    }

    /// Inspects one container, refreshing the network table first when it names a network
    /// the table does not know. The flag is true when inspect says `State.Running: false`
    /// (an inspect without `State` does not count as stopped).
    fn inspect(&mut self, id: &str) -> Result<(Container, bool)> {
        let inspect = self.client.inspect_container(id)?;
        let known = |flags: &NetworkFlags| {
            inspect["NetworkSettings"]["Networks"]
                .as_object()
                .is_none_or(|networks| networks.keys().all(|name| flags.contains_key(name)))
        };
        let fetched_this_pass = self
            .networks
            .as_ref()
            .is_some_and(|(_, pass)| *pass == self.passes);
        let networks = match self.networks.take() {
            Some((flags, pass)) if fetched_this_pass || known(&flags) => (flags, pass),
            _ => (model::network_flags(&self.client.networks()?), self.passes),
        };
        let container = Container::from_inspect(&inspect, &networks.0);
        self.networks = Some(networks);
        Ok((container, inspect["State"]["Running"] == false))
    }

    /// `$.CurrentContainer`: from the list when it is there, else inspected on its own.
    fn current_container(&mut self, containers: &Listed) -> Option<(Rc<Container>, Value)> {
        let id = self.current_container_id.clone();
        if id.is_empty() {
            return None;
        }
        if let Some(found) = containers.iter().find(|(container, _)| container.id == id) {
            return Some(found.clone());
        }
        match self.inspect(&id) {
            Ok((container, _)) => {
                let value = context::container_value(&container);
                Some((Rc::new(container), value))
            }
            Err(error) => {
                log!("Error inspecting current container: {id}: {error}");
                None
            }
        }
    }
}

/// Loads the template on first use and again when a file changed (mtime or size).
fn reload_template(entry: &mut Entry) -> Result<()> {
    if entry.template.as_ref().is_none_or(Template::is_stale) {
        entry.template = None;
        entry.template = Some(Template::load(&entry.config.template)?);
    }
    Ok(())
}

/// A digest of what a list entry says about a container, apart from the `Status` text that
/// ages by itself ("Up 5 minutes"); the health it carries ("(healthy)") counts. Hashed in
/// place: serialising each entry to compare it cost more than the render, and keeping the
/// entries themselves cost half a MiB at 50 containers.
fn digest(entry: &Json) -> u64 {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    match entry.as_object() {
        Some(object) => {
            for (key, value) in object {
                key.hash(&mut hasher);
                if key == "Status" {
                    health(value).hash(&mut hasher);
                } else {
                    hash_json(value, &mut hasher);
                }
            }
        }
        None => hash_json(entry, &mut hasher),
    }
    hasher.finish()
}

/// Feeds a JSON value to `hasher`, with its kind and lengths so that different shapes differ.
fn hash_json(value: &Json, hasher: &mut impl Hasher) {
    match value {
        Json::Null => 0u8.hash(hasher),
        Json::Bool(flag) => (1u8, flag).hash(hasher),
        Json::Number(number) => {
            2u8.hash(hasher);
            (
                number.as_i64(),
                number.as_u64(),
                number.as_f64().map(f64::to_bits),
            )
                .hash(hasher);
        }
        Json::String(text) => (3u8, text).hash(hasher),
        Json::Array(items) => {
            (4u8, items.len()).hash(hasher);
            items.iter().for_each(|item| hash_json(item, hasher));
        }
        Json::Object(object) => {
            (5u8, object.len()).hash(hasher);
            for (key, item) in object {
                key.hash(hasher);
                hash_json(item, hasher);
            }
        }
    }
}

/// The health part of a list entry's `Status` ("(healthy)"), or "".
fn health(status: &Json) -> &str {
    let status = status.as_str().unwrap_or_default();
    status.find('(').map_or("", |start| &status[start..])
}

/// Reads the `/proc` files docker-gen reads to find its own container (spec §3.5).
fn detect_current_container_id() -> String {
    let files: Vec<String> = [
        "/proc/1/cpuset",
        "/proc/self/cgroup",
        "/proc/self/mountinfo",
    ]
    .iter()
    .map(|path| std::fs::read_to_string(path).unwrap_or_default())
    .collect();
    let files: Vec<&str> = files.iter().map(String::as_str).collect();
    model::current_container_id(&files, &std::env::var("HOSTNAME").unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn list_entries_compare_without_uptime_but_with_health_and_state() {
        let a = json!({"Id": "x", "State": "running", "Status": "Up 5 minutes (healthy)"});
        let b = json!({"Id": "x", "State": "running", "Status": "Up 6 minutes (healthy)"});
        let c = json!({"Id": "x", "State": "running", "Status": "Up 6 minutes (unhealthy)"});
        let d = json!({"Id": "x", "State": "exited", "Status": "Up 6 minutes (healthy)"});
        let e = json!({"Id": "x", "State": "running", "Status": "Up 6 minutes (healthy)", "Labels": {}});
        let f = json!({"Id": "x", "State": "running"});
        let g = json!({"Id": "x", "State": "running", "Status": "Up 6 minutes (healthy)", "Labels": {"a": "b"}});
        let h = json!({"Id": "x", "State": "running", "Status": "Up 6 minutes (healthy)", "Labels": {"a": "c"}});
        assert_eq!(digest(&a), digest(&b));
        assert_ne!(digest(&b), digest(&c));
        assert_ne!(digest(&b), digest(&d));
        assert_ne!(digest(&b), digest(&e));
        assert_ne!(digest(&b), digest(&f));
        assert_ne!(digest(&e), digest(&g));
        assert_ne!(digest(&g), digest(&h));
    }
}
