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
use rustc_hash::{FxBuildHasher, FxHasher};
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
    cache: HashMap<String, Cached, FxBuildHasher>,
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
            cache: HashMap::default(),
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
        let listed = self
            .client
            .list_containers_with(true, filters, scan_listing)?;
        if self.explain {
            self.explain(index);
        }
        let mut containers = Vec::with_capacity(listed.len());
        for entry in &listed {
            let Some(id) = entry.id.as_deref() else {
                continue;
            };
            let entry_digest = entry.digest;
            let fresh = self
                .cache
                .get(id)
                .is_some_and(|cached| cached.entry_digest == entry_digest)
                && (self.invalidated.is_empty() || !self.invalidated.contains(id));
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
    fn explain(&self, index: usize) {
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
        let listed = match self.client.list_containers(true, &config.container_filter) {
            Ok(listed) => listed,
            Err(error) => return log!("Explain '{label}': cannot list the containers: {error}"),
        };
        for entry in &listed {
            log!("Explain '{label}': included {}", name(entry));
        }
        let everything = match self.client.list_containers(true, &Default::default()) {
            Ok(everything) => everything,
            Err(error) => return log!("Explain '{label}': cannot list all containers: {error}"),
        };
        let included = ids(&listed);
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

/// What a pass needs of one `GET /containers/json` entry: its ID and a digest of everything
/// it says about the container apart from the `Status` text that ages by itself ("Up 5
/// minutes"); the health it carries ("(healthy)") counts.
///
/// The listing is read by one scan of its text (`scan_listing`) that splits the entries,
/// finds each entry's top-level `Id` and `Status` and hashes the rest as it is (Go prints a
/// struct's fields in a fixed order and map keys sorted, so the same entry is the same
/// text). Measured with callgrind at 50 containers (41.7 KB of listing): decoding it into
/// `Value` maps and hashing those cost 3.2 M instructions a pass (half of a watch-mode
/// pass), serde_json skipping the entries as raw values 1.2 M, this scan 0.7 M. The hash only
/// compares an entry with the same container's entry of an earlier pass, so the fast
/// rustc-hash function does; it need not resist crafted collisions.
#[derive(Debug)]
struct ListEntry {
    /// `None` when the entry has no string `Id` (such an entry is skipped).
    id: Option<String>,
    digest: u64,
}

/// The entries of a `GET /containers/json` body (`null` is an empty list). Checks the
/// structure (a list of objects, strings closed, brackets balanced), not every detail of JSON.
fn scan_listing(body: &[u8]) -> std::result::Result<Vec<ListEntry>, String> {
    let text = std::str::from_utf8(body).map_err(|error| error.to_string())?;
    let bytes = text.as_bytes();
    let mut at = skip_space(bytes, 0);
    if text[at..].trim_end() == "null" {
        return Ok(Vec::new());
    }
    if bytes.get(at) != Some(&b'[') {
        return Err("expected a list".into());
    }
    let mut entries = Vec::new();
    at = skip_space(bytes, at + 1);
    if bytes.get(at) == Some(&b']') {
        at += 1;
    } else {
        loop {
            let (entry, end) = ListEntry::scan(text, at)?;
            entries.push(entry);
            at = skip_space(bytes, end);
            match bytes.get(at) {
                Some(b',') => at = skip_space(bytes, at + 1),
                Some(b']') => {
                    at += 1;
                    break;
                }
                _ => return Err(format!("expected ',' or ']' at byte {at}")),
            }
        }
    }
    if skip_space(bytes, at) != bytes.len() {
        return Err(format!("trailing characters at byte {at}"));
    }
    Ok(entries)
}

impl ListEntry {
    /// Reads the entry (an object) that starts at `start`; returns it and where it ends.
    /// One loop over the bytes, strings skipped eight bytes at a time where they hold no
    /// quote or backslash (a function call per string cost more than the scan itself).
    fn scan(text: &str, start: usize) -> std::result::Result<(ListEntry, usize), String> {
        let bytes = text.as_bytes();
        if bytes.get(start) != Some(&b'{') {
            return Err(format!("expected an object at byte {start}"));
        }
        let mut hasher = FxHasher::default();
        let mut id = None;
        // Text from `start` to `hashed_to` is hashed already (or left out: `Status` text).
        let mut hashed_to = start;
        let mut depth = 0usize;
        let mut key_next = false;
        // Inside a string: where it started, and what it is (a key at depth 1, a value of
        // `Id` or `Status`, or anything else).
        let mut string: Option<(usize, Part)> = None;
        let mut at = start;
        while at < bytes.len() {
            if let Some((string_start, part)) = string {
                at += clean_words(&bytes[at..]) * 8;
                while bytes
                    .get(at)
                    .is_some_and(|byte| *byte != b'"' && *byte != b'\\')
                {
                    at += 1;
                }
                match bytes.get(at) {
                    Some(b'\\') => at += 2,
                    Some(_) => {
                        at += 1;
                        string = None;
                        if part == Part::Other {
                            continue;
                        }
                        let raw = text.get(string_start..at).unwrap_or_default();
                        match part {
                            Part::Key => {
                                let value = skip_colon(bytes, at);
                                let key = raw.get(1..raw.len().saturating_sub(1));
                                let part = match key.unwrap_or_default() {
                                    "Id" => Part::Id,
                                    "Status" => Part::Status,
                                    _ => Part::Other,
                                };
                                if part != Part::Other && bytes.get(value) == Some(&b'"') {
                                    string = Some((value, part));
                                    at = value + 1;
                                }
                            }
                            Part::Id => id = json_string(raw),
                            Part::Status => {
                                text.get(hashed_to..string_start).hash(&mut hasher);
                                health(raw).hash(&mut hasher);
                                hashed_to = at;
                            }
                            Part::Other => {}
                        }
                    }
                    None => break,
                }
                continue;
            }
            match bytes[at] {
                b'"' => {
                    let part = if depth == 1 && key_next {
                        Part::Key
                    } else {
                        Part::Other
                    };
                    string = Some((at, part));
                    key_next = false;
                }
                b'{' => {
                    depth += 1;
                    key_next = depth == 1;
                }
                b'[' => depth += 1,
                b'}' | b']' => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        at += 1;
                        text.get(hashed_to..at).hash(&mut hasher);
                        let digest = hasher.finish();
                        return Ok((ListEntry { id, digest }, at));
                    }
                }
                b',' => key_next = depth == 1,
                _ => {}
            }
            at += 1;
        }
        Err("unexpected end of the list".into())
    }
}

/// The text of a JSON string literal; serde_json only for one with escapes.
fn json_string(raw: &str) -> Option<String> {
    match raw.get(1..raw.len().saturating_sub(1)) {
        Some(inner) if !inner.contains('\\') => Some(inner.to_string()),
        _ => serde_json::from_str(raw).ok(),
    }
}

/// What a string in a list entry is.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Part {
    /// A top-level key.
    Key,
    /// The value of the top-level `Id`.
    Id,
    /// The value of the top-level `Status`.
    Status,
    Other,
}

/// How many whole eight-byte words at the start of `bytes` hold no quote and no backslash.
fn clean_words(bytes: &[u8]) -> usize {
    const ONES: u64 = u64::from_ne_bytes([1; 8]);
    const HIGHS: u64 = u64::from_ne_bytes([0x80; 8]);
    const QUOTES: u64 = u64::from_ne_bytes([b'"'; 8]);
    const BACKSLASHES: u64 = u64::from_ne_bytes([b'\\'; 8]);
    // Whether a byte of `word` is zero (exact: the borrow only spreads above a zero byte).
    let has_zero = |word: u64| word.wrapping_sub(ONES) & !word & HIGHS != 0;
    bytes
        .chunks_exact(8)
        .take_while(|chunk| {
            let word = u64::from_ne_bytes((*chunk).try_into().unwrap_or([b'"'; 8]));
            !has_zero(word ^ QUOTES) && !has_zero(word ^ BACKSLASHES)
        })
        .count()
}

/// The index of the value after a key that ends at `at`: past whitespace, `:`, whitespace.
fn skip_colon(bytes: &[u8], at: usize) -> usize {
    let at = skip_space(bytes, at);
    match bytes.get(at) {
        Some(b':') => skip_space(bytes, at + 1),
        _ => at,
    }
}

fn skip_space(bytes: &[u8], mut at: usize) -> usize {
    while bytes.get(at).is_some_and(u8::is_ascii_whitespace) {
        at += 1;
    }
    at
}

/// The health part of a list entry's `Status` as raw JSON text: the parenthesised suffix of
/// "Up 5 minutes (healthy)" or "Up 2 hours (Paused)", else "". "Exited (0) 5 minutes ago"
/// gives "": its exit code is no part of the model, and its age changes every minute.
fn health(raw_status: &str) -> &str {
    let status = raw_status
        .strip_prefix('"')
        .and_then(|text| text.strip_suffix('"'))
        .unwrap_or_default()
        .trim_end();
    match status.rfind('(') {
        Some(start) if status.ends_with(')') => &status[start..],
        _ => "",
    }
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

    fn digest(entry: serde_json::Value) -> u64 {
        let text = json!([entry]).to_string();
        scan_listing(text.as_bytes()).unwrap()[0].digest
    }

    fn scan(text: &str) -> std::result::Result<Vec<ListEntry>, String> {
        scan_listing(text.as_bytes())
    }

    #[test]
    fn list_entries_compare_without_uptime_but_with_health_state_and_labels() {
        let up = |status: &str| json!({"Id": "x", "State": "running", "Status": status, "Labels": {"a": "b"}});
        let base = digest(up("Up 5 minutes (healthy)"));
        assert_eq!(base, digest(up("Up 6 minutes (healthy)")));
        assert_eq!(base, digest(up("Up About an hour (healthy)")));
        assert_ne!(base, digest(up("Up 6 minutes (unhealthy)")));
        assert_ne!(base, digest(up("Up 6 minutes (health: starting)")));
        assert_ne!(base, digest(up("Up 6 minutes")));
        assert_eq!(digest(up("Up 5 minutes")), digest(up("Up 6 minutes")));
        assert_ne!(
            digest(up("Up 5 minutes")),
            digest(up("Up 5 minutes (Paused)"))
        );
        // An exited container's status ages too; its exit code is no part of the model.
        assert_eq!(
            digest(up("Exited (0) 5 minutes ago")),
            digest(up("Exited (137) About an hour ago"))
        );
        let with = |key: &str, value: serde_json::Value| {
            let mut entry = up("Up 5 minutes (healthy)");
            entry[key] = value;
            digest(entry)
        };
        assert_ne!(base, with("State", json!("exited")));
        assert_ne!(base, with("Labels", json!({"a": "c"})));
        assert_ne!(base, with("Labels", json!({"a": "b", "c": "d"})));
        assert_ne!(base, with("Labels", json!({})));
        assert_ne!(base, with("Labels", json!(null)));
        assert_ne!(base, with("Names", json!(["/web"])));
        assert_ne!(base, with("Id", json!("y")));
        assert_ne!(
            digest(json!({"Id": "x", "State": "running"})),
            digest(json!({"Id": "x", "State": "running", "Status": ""}))
        );
        // A value cannot pass for a key or the other way round.
        assert_ne!(
            digest(json!({"Id": "x", "ab": "c"})),
            digest(json!({"Id": "x", "a": "bc"}))
        );
    }

    #[test]
    fn list_entries_carry_their_id_and_keep_nothing_else() {
        let text = r#"[{"Id":"abc","Names":["/web"],"Status":"Up 1 second","NetworkSettings":{"Networks":{"bridge":{"IPAddress":"172.17.0.2"}}}},
                       {"Names":["/no-id"]}, {"Id": 7}, {"Id":"d\u0065f","Labels":{"k\"":"v"}}]"#;
        let entries = scan(text).unwrap();
        let ids: Vec<Option<&str>> = entries.iter().map(|entry| entry.id.as_deref()).collect();
        assert_eq!(ids, [Some("abc"), None, None, Some("def")]);
        assert!(scan("null").unwrap().is_empty());
        assert!(scan(" [ ] \n").unwrap().is_empty());
        for bad in [
            r#"{"Id":"x"}"#,
            r#"["x"]"#,
            r#"[{"Id":"x"}"#,
            r#"[{"Id":"x"]"#,
            r#"[{"Id":"x}]"#,
            r#"[{"Id":"x"} {"Id":"y"}]"#,
            r#"[{"Id":"x"}] x"#,
            "",
        ] {
            assert!(scan(bad).is_err(), "{bad}");
        }
        assert_eq!(scan(r#"{"a":1}"#).unwrap_err(), "expected a list");
        // Pretty-printed text reads the same way.
        let pretty = "[ {\n  \"Labels\" : { \"Id\": \"label\" },\n  \"Id\" : \"abc\",\n  \"Status\" : \"Up 5 minutes\"\n} ]";
        let entries = scan(pretty).unwrap();
        assert_eq!(entries[0].id.as_deref(), Some("abc"));
        let later = scan(&pretty.replace("Up 5 minutes", "Up 7 minutes")).unwrap();
        assert_eq!(entries[0].digest, later[0].digest);
    }

    #[test]
    fn long_strings_with_escapes_end_where_they_end() {
        let name = format!("/{}\\\"{}", "a".repeat(21), "b".repeat(13));
        let entries =
            scan(&json!([{"Names": [name], "Id": "x"}, {"Id": "y"}]).to_string()).unwrap();
        let ids: Vec<Option<&str>> = entries.iter().map(|entry| entry.id.as_deref()).collect();
        assert_eq!(ids, [Some("x"), Some("y")]);
    }

    #[test]
    fn only_the_top_level_status_is_masked() {
        let entry = |label: &str| json!({"Id": "x", "Labels": {"Status": label, "x": "Up 1 minute"}, "Status": "Up 1 minute"});
        assert_ne!(digest(entry("Up 5 minutes")), digest(entry("Up 6 minutes")));
        // Escaped quotes inside strings do not end them early.
        let quoted =
            |status: &str| json!({"Id": "x", "Names": ["/a\",\"Status\":\"b"], "Status": status});
        assert_eq!(
            digest(quoted("Up 1 second")),
            digest(quoted("Up 2 seconds"))
        );
        assert_ne!(
            digest(quoted("Up 1 second")),
            digest(quoted("Up 2 seconds (healthy)"))
        );
    }
}
