//! docker-gen's TOML config files (spec §2): `[[config]]` tables into [`TemplateConfig`]s.
//!
//! Decoding follows docker-gen (BurntSushi's TOML decoder into `ConfigFile{Config []Config}`):
//! keys match the Go field names case-insensitively (`notifycmd`, `NotifyCmd`, `NOTIFYCMD`;
//! not `notify_cmd`), `wait` is a `min[:max]` string and a TOML integer, float or boolean
//! given instead is turned into text first (`wait = 5` fails with Go's "missing unit"), a
//! value of the wrong type is an error. Errors name `file:line` (syntax errors
//! `file:line:column`). This module reads the files and nothing else: it never touches
//! Docker or the output files.
//!
//! Several files (spec §2.4), faithfully: the paths are sorted and de-duplicated, then each
//! file is decoded over the same array, as Go's decoder does with its slice. A file's
//! `[[config]]` list sets the array's length to its own number of entries and each entry is
//! decoded over the element at the same index: keys the later file sets replace, keys it
//! leaves out keep the earlier value, tables (`NotifyContainers`, filters) are merged key by
//! key. Only when the later file has more entries than the array ever held is the array
//! made anew (all entries start empty, the earlier files' values are gone); a shorter
//! file leaves the elements past its end in place, and a still later, longer file overlays
//! them again (Go's slice capacity). A file without `[[config]]` changes nothing. So
//! "merged" in docker-gen's help text means "last file wins, overlaid index by index".
//!
//! Deliberate differences: unknown keys are reported as warnings (Go ignores them silently),
//! the keys removed in docker-gen 0.16 (`onlyexposed`, `onlypublished`, `includestopped`)
//! get a warning saying what to use instead, an unset `NotifyContainersSignal` means SIGHUP
//! (1) rather than Docker's default SIGKILL, and an entry without a template is an error at
//! load time rather than at the first render. tinygen's own keys: `NotifyPidfile` (a path)
//! and `NotifyPidfileSignal` (default 1, SIGHUP). As in docker-gen there is no default
//! `status` filter in config mode (spec §2.5.2).

use super::wait::parse_wait;
use super::{Filters, TemplateConfig};
use crate::error::{Error, Result};
use std::collections::BTreeMap;
use std::fs;
use std::ops::Range;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use toml::de::{DeTable, DeValue};
use toml::Spanned;

/// Loads config files into template entries, logging the warnings.
#[allow(dead_code)]
pub fn load(paths: &[PathBuf]) -> Result<Vec<TemplateConfig>> {
    let (configs, warnings) = load_with_warnings(paths)?;
    for warning in warnings {
        log!("{warning}");
    }
    Ok(configs)
}

/// Loads config files into template entries and returns the warnings instead of logging.
pub fn load_with_warnings(paths: &[PathBuf]) -> Result<(Vec<TemplateConfig>, Vec<String>)> {
    // Go sorts and compacts the path strings: byte order, byte equality.
    let mut paths = paths.to_vec();
    paths.sort_by(|a, b| a.as_os_str().as_bytes().cmp(b.as_os_str().as_bytes()));
    paths.dedup_by(|a, b| a.as_os_str() == b.as_os_str());
    let mut loader = Loader::default();
    for path in &paths {
        let text = fs::read_to_string(path)
            .map_err(|error| Error::config(format!("{}: {error}", path.display())))?;
        loader.load_file(path, &text)?;
    }
    let mut entries = loader.backing;
    entries.truncate(loader.length);
    for (index, entry) in entries.iter().enumerate() {
        if entry.config.template.is_empty() {
            return Err(Error::config(format!(
                "{}: [[config]] entry {} has no \"template\"",
                entry.origin,
                index + 1
            )));
        }
    }
    let configs = entries.into_iter().map(|entry| entry.config).collect();
    Ok((configs, loader.warnings))
}

/// One `[[config]]` element and where it was last decoded from (`file:line`).
#[derive(Clone, Debug)]
struct Entry {
    config: TemplateConfig,
    origin: String,
}

/// The array every file is decoded over: `backing` plays Go's backing array (its length is
/// the capacity), `length` the slice length.
#[derive(Default)]
struct Loader {
    backing: Vec<Entry>,
    length: usize,
    warnings: Vec<String>,
}

/// The fields of docker-gen's `Config` (Go names) plus tinygen's own.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Field {
    Template,
    Dest,
    Watch,
    Wait,
    NotifyCmd,
    NotifyOutput,
    NotifyContainers,
    NotifyContainersFilter,
    NotifyContainersSignal,
    ContainerFilter,
    Interval,
    KeepBlankLines,
    NotifyPidfile,
    NotifyPidfileSignal,
    CheckCmd,
}

const FIELDS: &[(&str, Field)] = &[
    ("Template", Field::Template),
    ("Dest", Field::Dest),
    ("Watch", Field::Watch),
    ("Wait", Field::Wait),
    ("NotifyCmd", Field::NotifyCmd),
    ("NotifyOutput", Field::NotifyOutput),
    ("NotifyContainers", Field::NotifyContainers),
    ("NotifyContainersFilter", Field::NotifyContainersFilter),
    ("NotifyContainersSignal", Field::NotifyContainersSignal),
    ("ContainerFilter", Field::ContainerFilter),
    ("Interval", Field::Interval),
    ("KeepBlankLines", Field::KeepBlankLines),
    ("NotifyPidfile", Field::NotifyPidfile),
    ("CheckCmd", Field::CheckCmd),
    ("NotifyPidfileSignal", Field::NotifyPidfileSignal),
];

/// Keys docker-gen 0.16 removed, with what to write instead (spec §2.5.1).
const DEAD_KEYS: &[(&str, &str)] = &[
    ("OnlyExposed", "expose = [\"1-65535\"]"),
    ("OnlyPublished", "publish = [\"1-65535\"]"),
    (
        "IncludeStopped",
        "status = [...] (config files list stopped containers unless a status filter is set)",
    ),
];

/// The default signal for containers and PID files: SIGHUP (a deliberate difference for
/// `NotifyContainersSignal`, whose Go default 0 means SIGKILL).
const DEFAULT_SIGNAL: i64 = 1;

/// Go's `strings.EqualFold`, close enough: compares the lowercase forms.
fn same_key(a: &str, b: &str) -> bool {
    a.chars()
        .flat_map(char::to_lowercase)
        .eq(b.chars().flat_map(char::to_lowercase))
}

fn fresh_entry() -> Entry {
    let config = TemplateConfig {
        notify_containers_signal: DEFAULT_SIGNAL,
        notify_pidfile_signal: DEFAULT_SIGNAL,
        ..TemplateConfig::default()
    };
    Entry {
        config,
        origin: String::new(),
    }
}

/// A TOML type with its article, as in "expected an integer, found a string".
fn describe(value: &DeValue<'_>) -> &'static str {
    match value {
        DeValue::String(_) => "a string",
        DeValue::Integer(_) => "an integer",
        DeValue::Float(_) => "a float",
        DeValue::Boolean(_) => "a boolean",
        DeValue::Datetime(_) => "a datetime",
        DeValue::Array(_) => "an array",
        DeValue::Table(_) => "a table",
    }
}

/// Table entries in file order (the parsed table is sorted by key).
fn in_file_order<'t, 'i>(
    table: &'t DeTable<'i>,
) -> Vec<(
    &'t Spanned<toml::de::DeString<'i>>,
    &'t Spanned<DeValue<'i>>,
)> {
    let mut entries: Vec<_> = table.iter().collect();
    // Spans are distinct, so an unstable sort gives the same order with less code.
    entries.sort_unstable_by_key(|(key, _)| key.span().start);
    entries
}

/// One file's text, for turning byte offsets into `file:line`.
struct Source<'a> {
    name: String,
    text: &'a str,
}

impl Source<'_> {
    /// 1-based line and column (in characters) of a byte offset.
    fn position(&self, offset: usize) -> (usize, usize) {
        let before = &self.text[..offset.min(self.text.len())];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |newline| newline + 1);
        (line, before[line_start..].chars().count() + 1)
    }

    /// `file:line` of a span.
    fn at(&self, span: &Range<usize>) -> String {
        format!("{}:{}", self.name, self.position(span.start).0)
    }

    fn error(&self, span: &Range<usize>, message: impl std::fmt::Display) -> Error {
        Error::config(format!("{}: {message}", self.at(span)))
    }

    fn type_error(&self, key: &str, value: &Spanned<DeValue<'_>>, expected: &str) -> Error {
        let found = describe(value.get_ref());
        self.error(
            &value.span(),
            format!("key \"{key}\": expected {expected}, found {found}"),
        )
    }

    fn string(&self, key: &str, value: &Spanned<DeValue<'_>>) -> Result<String> {
        match value.get_ref() {
            DeValue::String(text) => Ok(text.to_string()),
            _ => Err(self.type_error(key, value, "a string")),
        }
    }

    fn boolean(&self, key: &str, value: &Spanned<DeValue<'_>>) -> Result<bool> {
        match value.get_ref() {
            DeValue::Boolean(flag) => Ok(*flag),
            _ => Err(self.type_error(key, value, "a boolean")),
        }
    }

    fn integer(&self, key: &str, value: &Spanned<DeValue<'_>>) -> Result<i64> {
        match value.get_ref() {
            DeValue::Integer(integer) => i64::from_str_radix(integer.as_str(), integer.radix())
                .map_err(|_| {
                    self.error(
                        &value.span(),
                        format!("key \"{key}\": integer out of range"),
                    )
                }),
            _ => Err(self.type_error(key, value, "an integer")),
        }
    }

    fn table<'t, 'i>(&self, key: &str, value: &'t Spanned<DeValue<'i>>) -> Result<&'t DeTable<'i>> {
        match value.get_ref() {
            DeValue::Table(table) => Ok(table),
            _ => Err(self.type_error(key, value, "a table")),
        }
    }

    /// `key = ["a", "b"]`, the values of one filter key.
    fn strings(&self, key: &str, value: &Spanned<DeValue<'_>>) -> Result<Vec<String>> {
        let DeValue::Array(items) = value.get_ref() else {
            return Err(self.type_error(key, value, "an array of strings"));
        };
        items.iter().map(|item| self.string(key, item)).collect()
    }

    /// A filter table, merged key by key into `filters`.
    fn filters(
        &self,
        key: &str,
        value: &Spanned<DeValue<'_>>,
        filters: &mut Filters,
    ) -> Result<()> {
        for (name, values) in in_file_order(self.table(key, value)?) {
            let values = self.strings(&format!("{key}.{}", name.get_ref()), values)?;
            filters.insert(name.get_ref().to_string(), values);
        }
        Ok(())
    }

    /// `wait`: a string, or a number or boolean turned into text as Go's decoder does.
    fn wait(&self, key: &str, value: &Spanned<DeValue<'_>>) -> Result<super::Wait> {
        let text = match value.get_ref() {
            DeValue::String(text) => text.to_string(),
            DeValue::Integer(_) => self.integer(key, value)?.to_string(),
            DeValue::Float(float) => go_float_text(float.as_str()),
            DeValue::Boolean(flag) => flag.to_string(),
            DeValue::Datetime(datetime) => datetime.to_string(),
            _ => return Err(self.type_error(key, value, "a string")),
        };
        parse_wait(&text)
            .map_err(|message| self.error(&value.span(), format!("key \"{key}\": {message}")))
    }

    /// A signal number for a PID file: 1 to 64.
    fn signal(&self, key: &str, value: &Spanned<DeValue<'_>>) -> Result<i64> {
        let signal = self.integer(key, value)?;
        if !(1..=64).contains(&signal) {
            return Err(self.error(
                &value.span(),
                format!("key \"{key}\": invalid signal {signal}"),
            ));
        }
        Ok(signal)
    }
}

/// Go's `fmt.Sprintf("%f", f)` of a TOML float (`1.5` ⇒ `1.500000`), done on the text so
/// that an error path does not pull float formatting into the binary: decimals are padded
/// or rounded (half up) to six places; an exponent form is shown as written.
fn go_float_text(text: &str) -> String {
    let cleaned: String = text.chars().filter(|c| *c != '_').collect();
    let (sign, digits) = match cleaned.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", cleaned.strip_prefix('+').unwrap_or(&cleaned)),
    };
    match digits {
        "inf" => return if sign == "-" { "-Inf" } else { "+Inf" }.to_string(),
        "nan" => return "NaN".to_string(),
        _ => {}
    }
    let Some((whole, fraction)) = digits
        .split_once('.')
        .filter(|_| !digits.contains(['e', 'E']))
    else {
        return cleaned;
    };
    // Six places, plus a seventh to round on.
    let mut places: Vec<u8> = fraction
        .bytes()
        .chain(std::iter::repeat(b'0'))
        .take(7)
        .collect();
    let mut whole: Vec<u8> = whole.bytes().collect();
    let round_up = places.pop().is_some_and(|seventh| seventh >= b'5');
    if round_up {
        let mut carry = true;
        for digit in places.iter_mut().rev().chain(whole.iter_mut().rev()) {
            if *digit == b'9' {
                *digit = b'0';
            } else {
                *digit += 1;
                carry = false;
                break;
            }
        }
        if carry {
            whole.insert(0, b'1');
        }
    }
    format!(
        "{sign}{}.{}",
        String::from_utf8_lossy(&whole),
        String::from_utf8_lossy(&places)
    )
}

impl Loader {
    fn load_file(&mut self, path: &Path, text: &str) -> Result<()> {
        let source = Source {
            name: path.display().to_string(),
            text,
        };
        let document = toml::de::DeTable::parse(text).map_err(|error| match error.span() {
            Some(span) => {
                let (line, column) = source.position(span.start);
                Error::config(format!(
                    "{}:{line}:{column}: {}",
                    source.name,
                    error.message()
                ))
            }
            None => Error::config(format!("{}: {}", source.name, error.message())),
        })?;
        for (key, value) in in_file_order(document.get_ref()) {
            if same_key(key.get_ref(), "Config") {
                self.load_array(&source, key.get_ref(), value)?;
            } else {
                self.warnings.push(format!(
                    "{}: unknown key \"{}\" (ignored)",
                    source.at(&key.span()),
                    key.get_ref()
                ));
            }
        }
        Ok(())
    }

    /// The `[[config]]` array of one file, decoded over the current array.
    fn load_array(
        &mut self,
        source: &Source<'_>,
        key: &str,
        value: &Spanned<DeValue<'_>>,
    ) -> Result<()> {
        let DeValue::Array(items) = value.get_ref() else {
            return Err(source.type_error(key, value, "an array of tables ([[config]])"));
        };
        if items.len() > self.backing.len() {
            self.backing = vec![fresh_entry(); items.len()];
        }
        self.length = items.len();
        for (index, item) in items.iter().enumerate() {
            let DeValue::Table(table) = item.get_ref() else {
                return Err(source.type_error(key, item, "a table"));
            };
            let entry = &mut self.backing[index];
            entry.origin = source.at(&item.span());
            decode_entry(source, table, &mut entry.config, &mut self.warnings)?;
        }
        Ok(())
    }
}

/// Decodes one `[[config]]` table over `config`.
fn decode_entry(
    source: &Source<'_>,
    table: &DeTable<'_>,
    config: &mut TemplateConfig,
    warnings: &mut Vec<String>,
) -> Result<()> {
    for (key, value) in in_file_order(table) {
        let name = key.get_ref().as_ref();
        let Some(field) = FIELDS
            .iter()
            .find(|(field, _)| same_key(field, name))
            .map(|(_, field)| *field)
        else {
            let at = source.at(&key.span());
            match DEAD_KEYS.iter().find(|(dead, _)| same_key(dead, name)) {
                Some((_, instead)) => warnings.push(format!(
                    "{at}: key \"{name}\" is ignored since docker-gen 0.16; use [config.ContainerFilter] {instead} instead"
                )),
                None => warnings.push(format!("{at}: unknown key \"{name}\" in [[config]] (ignored)")),
            }
            continue;
        };
        match field {
            Field::Template => config.template = source.string(name, value)?,
            Field::Dest => {
                let dest = source.string(name, value)?;
                config.dest = (!dest.is_empty()).then(|| PathBuf::from(dest));
            }
            Field::Watch => config.watch = source.boolean(name, value)?,
            Field::Wait => config.wait = Some(source.wait(name, value)?),
            Field::NotifyCmd => config.notify_cmd = source.string(name, value)?,
            Field::CheckCmd => config.check_cmd = source.string(name, value)?,
            Field::NotifyOutput => config.notify_output = source.boolean(name, value)?,
            Field::NotifyContainers => {
                let containers: &mut BTreeMap<String, i64> = &mut config.notify_containers;
                for (container, signal) in in_file_order(source.table(name, value)?) {
                    let signal =
                        source.integer(&format!("{name}.{}", container.get_ref()), signal)?;
                    containers.insert(container.get_ref().to_string(), signal);
                }
            }
            Field::NotifyContainersFilter => {
                source.filters(name, value, &mut config.notify_containers_filter)?
            }
            Field::NotifyContainersSignal => {
                config.notify_containers_signal = source.integer(name, value)?
            }
            Field::ContainerFilter => source.filters(name, value, &mut config.container_filter)?,
            Field::Interval => {
                let interval = source.integer(name, value)?;
                config.interval = u64::try_from(interval).map_err(|_| {
                    source.error(
                        &value.span(),
                        format!("key \"{name}\": must not be negative, found {interval}"),
                    )
                })?;
            }
            Field::KeepBlankLines => config.keep_blank_lines = source.boolean(name, value)?,
            Field::NotifyPidfile => {
                let pidfile = source.string(name, value)?;
                config.notify_pidfile = (!pidfile.is_empty()).then(|| PathBuf::from(pidfile));
            }
            Field::NotifyPidfileSignal => {
                config.notify_pidfile_signal = source.signal(name, value)?
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Wait;
    use std::time::Duration;

    /// A scratch directory with the given files; removed on drop.
    struct Files {
        dir: PathBuf,
    }

    impl Files {
        fn new(name: &str, files: &[(&str, &str)]) -> Files {
            let dir =
                std::env::temp_dir().join(format!("tinygen-config-{}-{name}", std::process::id()));
            let _ = fs::remove_dir_all(&dir);
            fs::create_dir_all(&dir).expect("temp dir");
            for (file, text) in files {
                fs::write(dir.join(file), text).expect("write config");
            }
            Files { dir }
        }

        fn path(&self, file: &str) -> PathBuf {
            self.dir.join(file)
        }

        fn load(&self, files: &[&str]) -> Result<(Vec<TemplateConfig>, Vec<String>)> {
            let paths: Vec<PathBuf> = files.iter().map(|file| self.path(file)).collect();
            load_with_warnings(&paths)
        }

        fn error(&self, file: &str, text: &str) -> String {
            fs::write(self.path(file), text).expect("write config");
            self.load(&[file]).expect_err("must fail").message
        }
    }

    impl Drop for Files {
        fn drop(&mut self) {
            let _ = fs::remove_dir_all(&self.dir);
        }
    }

    fn filters(pairs: &[(&str, &[&str])]) -> Filters {
        pairs
            .iter()
            .map(|(key, values)| {
                (
                    key.to_string(),
                    values.iter().map(|value| value.to_string()).collect(),
                )
            })
            .collect()
    }

    const EVERY_KEY: &str = r#"
[[config]]
template = "/etc/docker-gen/templates/nginx.tmpl"
dest = "/etc/nginx/conf.d/default.conf"
watch = true
wait = "500ms:2s"
notifycmd = "nginx -s reload"
CheckCmd = "nginx -t"
notifyoutput = true
notifycontainerssignal = 15
interval = 30
keepblanklines = true
notifypidfile = "/run/nginx.pid"
notifypidfilesignal = 10

[config.NotifyContainers]
nginx = 1
e75a60548dc9 = -1

[config.NotifyContainersFilter]
label = ["com.example.reload"]

[config.ContainerFilter]
status = ["running", "paused"]
"label" = ["a=b"]
"#;

    #[test]
    fn every_key() {
        let files = Files::new("every-key", &[("a.cfg", EVERY_KEY)]);
        let (configs, warnings) = files.load(&["a.cfg"]).expect("loads");
        assert_eq!(warnings, Vec::<String>::new());
        let expected = TemplateConfig {
            template: "/etc/docker-gen/templates/nginx.tmpl".to_string(),
            dest: Some(PathBuf::from("/etc/nginx/conf.d/default.conf")),
            watch: true,
            wait: Some(Wait {
                min: Duration::from_millis(500),
                max: Duration::from_secs(2),
            }),
            notify_cmd: "nginx -s reload".to_string(),
            check_cmd: "nginx -t".to_string(),
            notify_output: true,
            notify_containers: BTreeMap::from([
                ("nginx".to_string(), 1),
                ("e75a60548dc9".to_string(), -1),
            ]),
            notify_containers_filter: filters(&[("label", &["com.example.reload"])]),
            notify_containers_signal: 15,
            notify_pidfile: Some(PathBuf::from("/run/nginx.pid")),
            notify_pidfile_signal: 10,
            container_filter: filters(&[("status", &["running", "paused"]), ("label", &["a=b"])]),
            interval: 30,
            keep_blank_lines: true,
        };
        assert_eq!(configs, vec![expected]);
    }

    #[test]
    fn keys_match_case_insensitively_and_defaults_apply() {
        let text = r#"
[[Config]]
Template = "a.tmpl"
NOTIFYCMD = "true"
NotifyContainers = { web = 2 }
notifycontainersfilter = { label = ["x"] }

[[Config]]
tEmPlAtE = "b.tmpl"
DEST = ""
Wait = "1s"
"#;
        let files = Files::new("case", &[("a.cfg", text)]);
        let (configs, warnings) = files.load(&["a.cfg"]).expect("loads");
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(configs.len(), 2);
        assert_eq!(configs[0].template, "a.tmpl");
        assert_eq!(configs[0].notify_cmd, "true");
        assert_eq!(
            configs[0].notify_containers,
            BTreeMap::from([("web".to_string(), 2)])
        );
        assert_eq!(
            configs[0].notify_containers_filter,
            filters(&[("label", &["x"])])
        );
        // Deliberate difference: unset NotifyContainersSignal is SIGHUP, not 0 (SIGKILL).
        assert_eq!(configs[0].notify_containers_signal, 1);
        assert_eq!(configs[0].notify_pidfile_signal, 1);
        assert_eq!(configs[0].wait, None);
        assert_eq!(configs[0].dest, None);
        assert!(!configs[0].watch);
        // No default status filter in config mode (spec §2.5.2).
        assert!(configs[0].container_filter.is_empty());
        assert_eq!(configs[1].template, "b.tmpl");
        assert_eq!(configs[1].dest, None);
        assert_eq!(
            configs[1].wait,
            Some(Wait {
                min: Duration::from_secs(1),
                max: Duration::from_secs(4)
            })
        );
    }

    #[test]
    fn the_documented_example() {
        let text = r#"
[[config]]
template = "/etc/docker-gen/templates/nginx.tmpl"
dest = "/etc/nginx/conf.d/default.conf"
onlyexposed = true
notifycmd = "/etc/init.d/nginx reload"

[[config]]
template = "/etc/docker-gen/templates/docker-logrotate.tmpl"
dest = "/etc/logrotate.d/docker"
watch = true

[[config]]
template = "/etc/docker-gen/templates/docker-gen.tmpl"
dest = "/etc/nginx/conf.d/default.conf"
watch = true
wait = "500ms:2s"

[config.NotifyContainers]
nginx = 1  # 1 is a signal number to be sent; here SIGHUP
e75a60548dc9 = 1  # a key can be either container name (nginx) or ID
"#;
        let files = Files::new("example", &[("docker-gen.cfg", text)]);
        let (configs, warnings) = files.load(&["docker-gen.cfg"]).expect("loads");
        let config_file = files.path("docker-gen.cfg").display().to_string();
        assert_eq!(
            warnings,
            vec![format!(
                "{config_file}:5: key \"onlyexposed\" is ignored since docker-gen 0.16; use [config.ContainerFilter] expose = [\"1-65535\"] instead"
            )]
        );
        assert_eq!(configs.len(), 3);
        assert!(configs[0].container_filter.is_empty());
        assert!(configs[1].watch && configs[2].watch);
        assert_eq!(configs[2].notify_containers.len(), 2);
    }

    #[test]
    fn unknown_keys_are_warnings_with_lines() {
        let text = "title = \"x\"\n[[config]]\ntemplate = \"a\"\nnotify_cmd = \"x\"\n\n[config.Extra]\nx = 1\n";
        let files = Files::new("unknown", &[("a.cfg", text)]);
        let (configs, warnings) = files.load(&["a.cfg"]).expect("loads");
        let file = files.path("a.cfg").display().to_string();
        assert_eq!(configs.len(), 1);
        assert_eq!(
            warnings,
            vec![
                format!("{file}:1: unknown key \"title\" (ignored)"),
                format!("{file}:4: unknown key \"notify_cmd\" in [[config]] (ignored)"),
                format!("{file}:6: unknown key \"Extra\" in [[config]] (ignored)"),
            ]
        );
    }

    #[test]
    fn type_errors_name_file_line_and_key() {
        let files = Files::new("types", &[]);
        let file = files.path("bad.cfg").display().to_string();
        let cases: &[(&str, &str)] = &[
            ("[[config]]\ntemplate = \"a\"\ninterval = \"10\"\n", ":3: key \"interval\": expected an integer, found a string"),
            ("[[config]]\ntemplate = 1\n", ":2: key \"template\": expected a string, found an integer"),
            ("[[config]]\ntemplate = \"a\"\nwatch = \"yes\"\n", ":3: key \"watch\": expected a boolean, found a string"),
            ("[[config]]\ntemplate = \"a\"\ninterval = -5\n", ":3: key \"interval\": must not be negative, found -5"),
            ("[[config]]\ntemplate = \"a\"\nwait = 5\n", ":3: key \"wait\": time: missing unit in duration \"5\""),
            ("[[config]]\ntemplate = \"a\"\nwait = 1.5\n", ":3: key \"wait\": time: missing unit in duration \"1.500000\""),
            ("[[config]]\ntemplate = \"a\"\nwait = true\n", ":3: key \"wait\": time: invalid duration \"true\""),
            ("[[config]]\ntemplate = \"a\"\nwait = [\"1s\"]\n", ":3: key \"wait\": expected a string, found an array"),
            (
                "[[config]]\ntemplate = \"a\"\nwait = \"1m:1s\"\n",
                ":3: key \"wait\": invalid wait interval: max must be larger than min",
            ),
            (
                "[[config]]\ntemplate = \"a\"\n[config.NotifyContainers]\nnginx = \"HUP\"\n",
                ":4: key \"NotifyContainers.nginx\": expected an integer, found a string",
            ),
            (
                "[[config]]\ntemplate = \"a\"\n[config.ContainerFilter]\nstatus = \"running\"\n",
                ":4: key \"ContainerFilter.status\": expected an array of strings, found a string",
            ),
            (
                "[[config]]\ntemplate = \"a\"\n[config.ContainerFilter]\nstatus = [\"running\", 1]\n",
                ":4: key \"ContainerFilter.status\": expected a string, found an integer",
            ),
            ("[[config]]\ntemplate = \"a\"\nNotifyContainers = 1\n", ":3: key \"NotifyContainers\": expected a table, found an integer"),
            ("[[config]]\ntemplate = \"a\"\nnotifypidfilesignal = 0\n", ":3: key \"notifypidfilesignal\": invalid signal 0"),
            ("[config]\ntemplate = \"a\"\n", ":1: key \"config\": expected an array of tables ([[config]]), found a table"),
            ("config = [1]\n", ":1: key \"config\": expected a table, found an integer"),
            ("[[config]]\ndest = \"out\"\n", ":1: [[config]] entry 1 has no \"template\""),
        ];
        for (text, message) in cases {
            assert_eq!(
                files.error("bad.cfg", text),
                format!("{file}{message}"),
                "{text}"
            );
        }
    }

    #[test]
    fn floats_print_like_go() {
        assert_eq!(go_float_text("1.5"), "1.500000");
        assert_eq!(go_float_text("-0.25"), "-0.250000");
        assert_eq!(go_float_text("+3.0"), "3.000000");
        assert_eq!(go_float_text("1_000.123_456_7"), "1000.123457");
        assert_eq!(go_float_text("9.9999999"), "10.000000");
        assert_eq!(go_float_text("0.0000004"), "0.000000");
        assert_eq!(go_float_text("inf"), "+Inf");
        assert_eq!(go_float_text("-inf"), "-Inf");
        assert_eq!(go_float_text("nan"), "NaN");
        assert_eq!(go_float_text("1e3"), "1e3");
    }

    #[test]
    fn integers_in_any_toml_form() {
        let text =
            "[[config]]\ntemplate = \"a\"\ninterval = 1_000\nnotifycontainerssignal = 0x0f\n";
        let files = Files::new("integers", &[("a.cfg", text)]);
        let (configs, _) = files.load(&["a.cfg"]).expect("loads");
        assert_eq!(configs[0].interval, 1000);
        assert_eq!(configs[0].notify_containers_signal, 15);
        let file = files.path("b.cfg").display().to_string();
        assert_eq!(
            files.error(
                "b.cfg",
                "[[config]]\ntemplate = \"a\"\ninterval = 99999999999999999999\n"
            ),
            format!("{file}:3: key \"interval\": integer out of range")
        );
        // `wait = 0` is Go's "0": no debounce.
        let (configs, _) = Files::new(
            "wait0",
            &[("a.cfg", "[[config]]\ntemplate = \"a\"\nwait = 0\n")],
        )
        .load(&["a.cfg"])
        .expect("loads");
        assert_eq!(configs[0].wait, Some(Wait::default()));
    }

    #[test]
    fn syntax_errors_have_line_and_column() {
        let files = Files::new("syntax", &[]);
        let file = files.path("bad.cfg").display().to_string();
        let message = files.error("bad.cfg", "[[config]]\ntemplate = \"a\"\nwatch = tru\n");
        assert!(message.starts_with(&format!("{file}:3:9: ")), "{message}");
        let message = files.error(
            "bad.cfg",
            "[[config]]\ntemplate = \"a\"\ntemplate = \"b\"\n",
        );
        assert!(message.starts_with(&format!("{file}:3:")), "{message}");
        let message = files.error("bad.cfg", "[[config]\n");
        assert!(message.starts_with(&format!("{file}:1:")), "{message}");
        let message = files.error("bad.cfg", "[[config]]\ntemplate = \"a\"\n[config]\n");
        assert!(message.starts_with(&format!("{file}:3:")), "{message}");
    }

    #[test]
    fn unreadable_file() {
        let files = Files::new("missing", &[]);
        let message = files.load(&["nope.cfg"]).expect_err("fails").message;
        assert!(
            message.starts_with(&format!("{}: ", files.path("nope.cfg").display())),
            "{message}"
        );
    }

    #[test]
    fn later_files_overlay_index_by_index() {
        let a = r#"
[[config]]
template = "a0.tmpl"
dest = "a0.out"
watch = true
[config.NotifyContainers]
web = 1
db = 2
[config.ContainerFilter]
label = ["x"]

[[config]]
template = "a1.tmpl"
"#;
        let b = r#"
[[config]]
dest = "b0.out"
[config.NotifyContainers]
db = 9
[config.ContainerFilter]
status = ["running"]
"#;
        let files = Files::new("overlay", &[("a.cfg", a), ("b.cfg", b)]);
        // Given in reverse order and twice: sorted and de-duplicated.
        let (configs, _) = files.load(&["b.cfg", "a.cfg", "b.cfg"]).expect("loads");
        assert_eq!(configs.len(), 1, "the last file's number of entries");
        let config = &configs[0];
        assert_eq!(config.template, "a0.tmpl", "kept from a.cfg");
        assert_eq!(
            config.dest,
            Some(PathBuf::from("b0.out")),
            "replaced by b.cfg"
        );
        assert!(config.watch);
        assert_eq!(
            config.notify_containers,
            BTreeMap::from([("web".to_string(), 1), ("db".to_string(), 9)])
        );
        assert_eq!(
            config.container_filter,
            filters(&[("label", &["x"]), ("status", &["running"])])
        );
    }

    #[test]
    fn paths_sort_as_strings() {
        // Component-wise order would put "b/c.cfg" first; Go's string order puts "b-c.cfg"
        // ('-' < '/') first, so "b/c.cfg" is the last file and wins.
        let files = Files::new("order", &[("b-c.cfg", "[[config]]\ntemplate = \"dash\"\n")]);
        fs::create_dir_all(files.path("b")).expect("dir");
        fs::write(files.path("b/c.cfg"), "[[config]]\ntemplate = \"slash\"\n").expect("write");
        let (configs, _) = files.load(&["b/c.cfg", "b-c.cfg"]).expect("loads");
        assert_eq!(configs[0].template, "slash");
    }

    #[test]
    fn a_longer_later_file_starts_afresh() {
        let a = "[[config]]\ntemplate = \"a0\"\nwatch = true\n";
        let b = "[[config]]\ntemplate = \"b0\"\n[[config]]\ntemplate = \"b1\"\n";
        let files = Files::new("longer", &[("a.cfg", a), ("b.cfg", b)]);
        let (configs, _) = files.load(&["a.cfg", "b.cfg"]).expect("loads");
        assert_eq!(configs.len(), 2);
        assert_eq!(
            (configs[0].template.as_str(), configs[0].watch),
            ("b0", false)
        );
        assert_eq!(configs[1].template, "b1");
    }

    #[test]
    fn go_capacity_quirk_and_files_without_configs() {
        // a: 3 entries, b: 1 (entries 2 and 3 stay in the backing array), c: 2 (entry 2
        // overlays a's second entry again), d: no [[config]] at all.
        let a = "[[config]]\ntemplate = \"a0\"\n[[config]]\ntemplate = \"a1\"\nwatch = true\n[[config]]\ntemplate = \"a2\"\n";
        let b = "[[config]]\ntemplate = \"b0\"\n";
        let c = "[[config]]\ndest = \"c0\"\n[[config]]\ndest = \"c1\"\n";
        let d = "# nothing\n";
        let files = Files::new(
            "capacity",
            &[("a.cfg", a), ("b.cfg", b), ("c.cfg", c), ("d.cfg", d)],
        );
        let (configs, _) = files.load(&["a.cfg", "b.cfg"]).expect("loads");
        assert_eq!(
            configs
                .iter()
                .map(|config| config.template.as_str())
                .collect::<Vec<_>>(),
            ["b0"]
        );
        let (configs, _) = files
            .load(&["a.cfg", "b.cfg", "c.cfg", "d.cfg"])
            .expect("loads");
        assert_eq!(configs.len(), 2);
        assert_eq!(
            (configs[0].template.as_str(), configs[0].dest.clone()),
            ("b0", Some(PathBuf::from("c0")))
        );
        assert_eq!(
            (configs[1].template.as_str(), configs[1].watch),
            ("a1", true)
        );
        let (configs, _) = files.load(&["d.cfg"]).expect("loads");
        assert!(configs.is_empty());
    }
}
