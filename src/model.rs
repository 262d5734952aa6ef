//! docker-gen's data model (spec §3), derived from the daemon's JSON.
//!
//! Pure: it takes the inspect, `/networks`, `/version` and `/info` JSON as the daemon sent
//! it and derives `Container`s and `DockerInfo` exactly as docker-gen does (field by field,
//! with its nil-versus-empty rules and orderings). It never performs I/O: the caller reads
//! the `/proc` files for the current-container detection and passes their contents in.

use serde_json::Value as Json;
use std::collections::BTreeMap;

/// One container as docker-gen's `RuntimeContainer` describes it (spec §3.2).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Container {
    pub id: String,
    pub created: Timestamp,
    pub addresses: Vec<Address>,
    pub networks: Vec<Network>,
    pub devices: Vec<Device>,
    pub gateway: String,
    pub name: String,
    pub hostname: String,
    pub network_mode: String,
    pub image: Image,
    pub env: BTreeMap<String, String>,
    pub volumes: BTreeMap<String, Volume>,
    pub node: SwarmNode,
    /// `None` when the daemon sent no labels (Go's nil map, JSON `null`).
    pub labels: Option<BTreeMap<String, String>>,
    pub ip: String,
    pub ip6_link_local: String,
    pub ip6_global: String,
    /// `None` when the container has no mounts (Go's nil slice, JSON `null`).
    pub mounts: Option<Vec<Mount>>,
    pub running: bool,
    pub health_status: String,
}

/// A port of a container (spec §3.3).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Address {
    pub ip: String,
    pub ip6_link_local: String,
    pub ip6_global: String,
    pub port: String,
    pub host_port: String,
    pub proto: String,
    pub host_ip: String,
}

/// A network endpoint of a container (spec §3.3).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Network {
    pub ip: String,
    pub name: String,
    pub aliases: Vec<String>,
    pub gateway: String,
    pub endpoint_id: String,
    pub ipv6_gateway: String,
    pub global_ipv6_address: String,
    pub mac_address: String,
    pub global_ipv6_prefix_len: i64,
    pub ip_prefix_len: i64,
    pub internal: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Device {
    pub path_on_host: String,
    pub path_in_container: String,
    pub permissions: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Volume {
    pub path: String,
    pub host_path: String,
    pub read_write: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SwarmNode {
    pub id: String,
    pub name: String,
    /// docker-gen fills only the IP from the daemon; a context file may carry the rest.
    pub address: Address,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Mount {
    pub name: String,
    pub source: String,
    pub destination: String,
    pub driver: String,
    pub mode: String,
    pub rw: bool,
}

/// An image reference split as docker-gen's HEAD does (spec §3.3).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Image {
    pub registry: String,
    pub repository: String,
    pub tag: String,
}

/// A point in time with the UTC offset it was written with (Go keeps the offset).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Timestamp {
    /// Seconds since the Unix epoch; `i64::MIN` stands for Go's zero time.
    pub unix_seconds: i64,
    pub nanos: u32,
    /// Offset east of UTC in seconds.
    pub offset_seconds: i32,
    /// Whether this is Go's zero `time.Time` (no or unparsable `Created`).
    pub is_zero: bool,
}

/// `$.Docker` (spec §3.4).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DockerInfo {
    pub name: String,
    pub num_containers: i64,
    pub num_images: i64,
    pub version: String,
    pub api_version: String,
    pub go_version: String,
    pub operating_system: String,
    pub architecture: String,
    pub current_container_id: String,
}

/// Network name to `Internal`, from `GET /networks`.
pub type NetworkFlags = BTreeMap<String, bool>;

/// Reads `Name` and `Internal` of each entry of `GET /networks`.
pub fn network_flags(networks: &[Json]) -> NetworkFlags {
    networks
        .iter()
        .map(|network| (text(network, &["Name"]), boolean(network, &["Internal"])))
        .collect()
}

impl Container {
    /// Derives a container from `GET /containers/{id}/json` (spec §3.2, docker-gen's
    /// `inspectContainer`). A null `Config`, `NetworkSettings` or `HostConfig` reads as empty.
    pub fn from_inspect(inspect: &Json, networks: &NetworkFlags) -> Container {
        let settings = &inspect["NetworkSettings"];
        let config = &inspect["Config"];
        let mut endpoints: Vec<Network> = object(settings, "Networks")
            .map(|(name, endpoint)| Network {
                ip: text(endpoint, &["IPAddress"]),
                name: name.clone(),
                aliases: strings(&endpoint["Aliases"]),
                gateway: text(endpoint, &["Gateway"]),
                endpoint_id: text(endpoint, &["EndpointID"]),
                ipv6_gateway: text(endpoint, &["IPv6Gateway"]),
                global_ipv6_address: text(endpoint, &["GlobalIPv6Address"]),
                mac_address: text(endpoint, &["MacAddress"]),
                global_ipv6_prefix_len: integer(endpoint, &["GlobalIPv6PrefixLen"]),
                ip_prefix_len: integer(endpoint, &["IPPrefixLen"]),
                internal: networks.get(name).copied().unwrap_or(false),
            })
            .collect();
        // Sorted by name since docker-gen 0.17.0 (spec §3.3).
        endpoints.sort_by(|a, b| a.name.cmp(&b.name));

        let volumes = object(inspect, "Volumes")
            .map(|(path, host_path)| {
                let volume = Volume {
                    path: path.clone(),
                    host_path: host_path.as_str().unwrap_or_default().to_string(),
                    read_write: boolean(inspect, &["VolumesRW", path]),
                };
                (path.clone(), volume)
            })
            .collect();

        let mounts: Vec<Mount> = array(inspect, "Mounts")
            .map(|mount| Mount {
                name: text(mount, &["Name"]),
                source: text(mount, &["Source"]),
                destination: text(mount, &["Destination"]),
                driver: text(mount, &["Driver"]),
                mode: text(mount, &["Mode"]),
                rw: boolean(mount, &["RW"]),
            })
            .collect();

        let devices = array(&inspect["HostConfig"], "Devices")
            .map(|device| Device {
                path_on_host: text(device, &["PathOnHost"]),
                path_in_container: text(device, &["PathInContainer"]),
                permissions: text(device, &["CgroupPermissions"]),
            })
            .collect();

        let labels = config["Labels"].as_object().map(|labels| {
            labels
                .iter()
                .map(|(key, value)| (key.clone(), value.as_str().unwrap_or_default().to_string()))
                .collect()
        });

        Container {
            id: text(inspect, &["Id"]),
            created: Timestamp::parse(inspect["Created"].as_str().unwrap_or_default()),
            addresses: addresses(inspect),
            networks: endpoints,
            devices,
            gateway: text(settings, &["Gateway"]),
            name: text(inspect, &["Name"]).trim_start_matches('/').to_string(),
            hostname: text(config, &["Hostname"]),
            network_mode: text(inspect, &["HostConfig", "NetworkMode"]),
            image: Image::split(&text(config, &["Image"])),
            env: split_key_values(array(config, "Env").filter_map(Json::as_str)),
            volumes,
            node: SwarmNode {
                id: text(inspect, &["Node", "ID"]),
                name: text(inspect, &["Node", "Name"]),
                address: Address {
                    ip: text(inspect, &["Node", "IP"]),
                    ..Address::default()
                },
            },
            labels,
            ip: text(settings, &["IPAddress"]),
            ip6_link_local: text(settings, &["LinkLocalIPv6Address"]),
            ip6_global: text(settings, &["GlobalIPv6Address"]),
            mounts: if mounts.is_empty() {
                None
            } else {
                Some(mounts)
            },
            running: boolean(inspect, &["State", "Running"]),
            health_status: text(inspect, &["State", "Health", "Status"]),
        }
    }
}

/// The `Addresses` of a container: one per published-or-not port key, else one per exposed
/// port, sorted by numeric port, proto, host port, host IP and IP (spec §3.3).
fn addresses(inspect: &Json) -> Vec<Address> {
    let settings = &inspect["NetworkSettings"];
    let address = |key: &str| {
        let (port, proto) = key.split_once('/').unwrap_or((key, "tcp"));
        // Go's Port.Port() keeps only what precedes a second '/', too.
        let proto = proto.split('/').next().unwrap_or_default();
        Address {
            ip: text(settings, &["IPAddress"]),
            ip6_link_local: text(settings, &["LinkLocalIPv6Address"]),
            ip6_global: text(settings, &["GlobalIPv6Address"]),
            port: port.to_string(),
            proto: proto.to_string(),
            ..Address::default()
        }
    };
    let mut addresses: Vec<Address> = object(settings, "Ports")
        .map(|(key, bindings)| {
            let mut entry = address(key);
            if let Some(first) = bindings.as_array().and_then(|list| list.first()) {
                entry.host_port = text(first, &["HostPort"]);
                entry.host_ip = text(first, &["HostIp"]);
            }
            entry
        })
        .collect();
    if addresses.is_empty() {
        addresses = object(&inspect["Config"], "ExposedPorts")
            .map(|(key, _)| address(key))
            .collect();
    }
    addresses.sort_by(|a, b| {
        let number = |port: &str| port.parse::<i64>().unwrap_or(0);
        number(&a.port)
            .cmp(&number(&b.port))
            .then_with(|| a.proto.cmp(&b.proto))
            .then_with(|| a.host_port.cmp(&b.host_port))
            .then_with(|| a.host_ip.cmp(&b.host_ip))
            .then_with(|| a.ip.cmp(&b.ip))
    });
    addresses
}

impl Image {
    /// Splits `[registry/]repository[:tag]`: the part before the first `/` is a registry only
    /// when it contains `.` or `:` or is `localhost` (docker-gen HEAD, spec §3.3).
    pub fn split(image: &str) -> Image {
        let mut registry = "";
        let mut repository = image;
        if let Some((first, rest)) = image.split_once('/') {
            if first.contains(['.', ':']) || first == "localhost" {
                registry = first;
                repository = rest;
            }
        }
        let (repository, tag) = repository.split_once(':').unwrap_or((repository, ""));
        Image {
            registry: registry.to_string(),
            repository: repository.to_string(),
            tag: tag.to_string(),
        }
    }
}

impl std::fmt::Display for Image {
    /// `DockerImage.String()`: `[registry/]repository[:tag]`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if !self.registry.is_empty() {
            write!(f, "{}/", self.registry)?;
        }
        f.write_str(&self.repository)?;
        if !self.tag.is_empty() {
            write!(f, ":{}", self.tag)?;
        }
        Ok(())
    }
}

impl Timestamp {
    /// Parses RFC 3339 with optional fraction (`2024-01-02T03:04:05.123456789Z`,
    /// `...+01:00`); anything else gives Go's zero time.
    pub fn parse(text: &str) -> Timestamp {
        const GO_ZERO_TIME: i64 = -62_135_596_800;
        match Timestamp::try_parse(text) {
            // Go's zero time written out reads back as the zero time.
            Some(time) if time.unix_seconds != GO_ZERO_TIME || time.nanos != 0 => time,
            _ => Timestamp {
                is_zero: true,
                ..Timestamp::default()
            },
        }
    }

    fn try_parse(text: &str) -> Option<Timestamp> {
        let bytes = text.as_bytes();
        let digits = |range: std::ops::Range<usize>| -> Option<i64> {
            let part = text.get(range)?;
            if part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            part.parse().ok()
        };
        if bytes.len() < 20
            || bytes[4] != b'-'
            || bytes[7] != b'-'
            || !matches!(bytes[10], b'T' | b't')
        {
            return None;
        }
        if bytes[13] != b':' || bytes[16] != b':' {
            return None;
        }
        let (year, month, day) = (digits(0..4)?, digits(5..7)?, digits(8..10)?);
        let (hour, minute, second) = (digits(11..13)?, digits(14..16)?, digits(17..19)?);
        if !(1..=12).contains(&month)
            || !(1..=31).contains(&day)
            || hour > 23
            || minute > 59
            || second > 59
        {
            return None;
        }
        let mut position = 19;
        let mut nanos: u32 = 0;
        if bytes[position] == b'.' {
            let start = position + 1;
            let mut end = start;
            while end < bytes.len() && bytes[end].is_ascii_digit() {
                end += 1;
            }
            if end == start || end - start > 9 {
                return None;
            }
            let fraction = &text[start..end];
            nanos = format!("{fraction:0<9}").parse().ok()?;
            position = end;
        }
        let offset_seconds = match bytes.get(position)? {
            b'Z' | b'z' if position + 1 == bytes.len() => 0,
            sign @ (b'+' | b'-') if position + 6 == bytes.len() && bytes[position + 3] == b':' => {
                let hours = digits(position + 1..position + 3)?;
                let minutes = digits(position + 4..position + 6)?;
                let magnitude = (hours * 3600 + minutes * 60) as i32;
                if *sign == b'-' {
                    -magnitude
                } else {
                    magnitude
                }
            }
            _ => return None,
        };
        let days = crate::log::days_from_civil(year, month as u32, day as u32);
        let local = days * 86_400 + hour * 3600 + minute * 60 + second;
        Some(Timestamp {
            unix_seconds: local - i64::from(offset_seconds),
            nanos,
            offset_seconds,
            is_zero: false,
        })
    }

    /// Date and clock in the timestamp's own offset: (y, m, d, hh, mm, ss).
    fn local_parts(&self) -> (i64, u32, u32, i64, i64, i64) {
        if self.is_zero {
            return (1, 1, 1, 0, 0, 0);
        }
        let local = self.unix_seconds + i64::from(self.offset_seconds);
        let (year, month, day) = crate::log::civil_from_days(local.div_euclid(86_400));
        let second_of_day = local.rem_euclid(86_400);
        (
            year,
            month,
            day,
            second_of_day / 3600,
            second_of_day / 60 % 60,
            second_of_day % 60,
        )
    }

    /// The fraction as Go's `.999999999` prints it: trailing zeros dropped, nothing for zero.
    fn fraction(&self) -> String {
        if self.nanos == 0 {
            return String::new();
        }
        let digits = format!("{:09}", self.nanos);
        format!(".{}", digits.trim_end_matches('0'))
    }

    /// Go's `time.Time.String()`: `2024-01-02 03:04:05.12 +0000 UTC`.
    pub fn go_string(&self) -> String {
        let (year, month, day, hour, minute, second) = self.local_parts();
        let offset = self.offset_seconds;
        let sign = if offset < 0 { '-' } else { '+' };
        let numeric = format!(
            "{sign}{:02}{:02}",
            offset.abs() / 3600,
            offset.abs() / 60 % 60
        );
        // A parsed "Z" is Go's UTC location; another offset is a fixed zone without a name,
        // which Go prints as the numeric offset again.
        let zone = if offset == 0 {
            "UTC".to_string()
        } else {
            numeric.clone()
        };
        format!(
            "{year:04}-{month:02}-{day:02} {hour:02}:{minute:02}:{second:02}{} {numeric} {zone}",
            self.fraction()
        )
    }

    /// `encoding/json` of a `time.Time`: RFC 3339 with trimmed nanoseconds.
    pub fn rfc3339(&self) -> String {
        let (year, month, day, hour, minute, second) = self.local_parts();
        let offset = self.offset_seconds;
        let zone = if offset == 0 {
            "Z".to_string()
        } else {
            let sign = if offset < 0 { '-' } else { '+' };
            format!(
                "{sign}{:02}:{:02}",
                offset.abs() / 3600,
                offset.abs() / 60 % 60
            )
        };
        format!(
            "{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}{}{zone}",
            self.fraction()
        )
    }
}

impl DockerInfo {
    /// Takes the fields docker-gen reads from `GET /version` (spec §3.4).
    pub fn apply_version(&mut self, version: &Json) {
        self.version = stringify(&version["Version"]);
        self.api_version = stringify(&version["ApiVersion"]);
        self.go_version = stringify(&version["GoVersion"]);
        self.operating_system = stringify(&version["Os"]);
        self.architecture = stringify(&version["Arch"]);
    }

    /// Takes the fields docker-gen reads from `GET /info`.
    pub fn apply_info(&mut self, info: &Json) {
        self.name = text(info, &["Name"]);
        self.num_containers = integer(info, &["Containers"]);
        self.num_images = integer(info, &["Images"]);
    }
}

/// Splits `KEY=VALUE` items at the first `=`; `KEY` alone maps to `""`; the last duplicate wins.
pub fn split_key_values<'a>(items: impl IntoIterator<Item = &'a str>) -> BTreeMap<String, String> {
    items
        .into_iter()
        .map(|item| {
            let (key, value) = item.split_once('=').unwrap_or((item, ""));
            (key.to_string(), value.to_string())
        })
        .collect()
}

/// Finds the ID of the container tinygen runs in, from the contents of `/proc/1/cpuset`,
/// `/proc/self/cgroup` and `/proc/self/mountinfo` in that order (spec §3.5).
pub fn current_container_id(files: &[&str], hostname: &str) -> String {
    let hostname_usable =
        hostname.len() == 12 && hostname.bytes().all(|b| b.is_ascii_alphanumeric());
    if hostname_usable {
        for file in files {
            if let Some(id) = file
                .lines()
                .find_map(|line| match_line(line, Some(hostname)))
            {
                return id;
            }
        }
    }
    for file in files {
        if let Some(id) = file.lines().find_map(|line| match_line(line, None)) {
            return id;
        }
    }
    String::new()
}

/// Matches one line: mountinfo lines only through `containers/<ID>` or
/// `/<ID>/[userdata/](hostname|hosts|resolv.conf)`, other lines anywhere.
fn match_line(line: &str, prefix: Option<&str>) -> Option<String> {
    let ids = candidate_ids(line, prefix);
    if !is_mountinfo_line(line) {
        return ids.first().map(|(_, id)| id.to_string());
    }
    if let Some((_, id)) = ids
        .iter()
        .find(|(start, _)| line[..*start].ends_with("containers/"))
    {
        return Some(id.to_string());
    }
    ids.iter()
        .find(|(start, id)| {
            let rest = &line[start + id.len()..];
            let rest = rest
                .strip_prefix('/')
                .map(|rest| rest.strip_prefix("userdata/").unwrap_or(rest));
            line[..*start].ends_with('/')
                && rest.is_some_and(|rest| {
                    ["hostname", "hosts", "resolv.conf"]
                        .iter()
                        .any(|f| rest.starts_with(f))
                })
        })
        .map(|(_, id)| id.to_string())
}

/// Every position where 64 ASCII alphanumerics start (starting with `prefix` if given).
fn candidate_ids<'a>(line: &'a str, prefix: Option<&str>) -> Vec<(usize, &'a str)> {
    let bytes = line.as_bytes();
    let mut found = Vec::new();
    for start in 0..bytes.len().saturating_sub(63) {
        let candidate = &bytes[start..start + 64];
        if candidate.iter().all(u8::is_ascii_alphanumeric)
            && prefix.is_none_or(|prefix| candidate.starts_with(prefix.as_bytes()))
        {
            found.push((start, &line[start..start + 64]));
        }
    }
    found
}

/// `^[0-9]+ [0-9]+ [0-9]+:[0-9]+ /`
fn is_mountinfo_line(line: &str) -> bool {
    let mut rest = line;
    for separator in [" ", " ", ":", " "] {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 || !rest[digits..].starts_with(separator) {
            return false;
        }
        rest = &rest[digits + 1..];
    }
    rest.starts_with('/')
}

fn lookup<'a>(json: &'a Json, path: &[&str]) -> &'a Json {
    path.iter().fold(json, |json, key| &json[*key])
}

/// A string at `path`, `""` when absent or not a string.
fn text(json: &Json, path: &[&str]) -> String {
    lookup(json, path).as_str().unwrap_or_default().to_string()
}

fn boolean(json: &Json, path: &[&str]) -> bool {
    lookup(json, path).as_bool().unwrap_or(false)
}

fn integer(json: &Json, path: &[&str]) -> i64 {
    let value = lookup(json, path);
    value
        .as_i64()
        .or_else(|| value.as_f64().map(|f| f as i64))
        .unwrap_or(0)
}

fn strings(json: &Json) -> Vec<String> {
    json.as_array()
        .into_iter()
        .flatten()
        .filter_map(|item| item.as_str().map(str::to_string))
        .collect()
}

fn object<'a>(json: &'a Json, key: &str) -> impl Iterator<Item = (&'a String, &'a Json)> {
    json[key].as_object().into_iter().flatten()
}

fn array<'a>(json: &'a Json, key: &str) -> impl Iterator<Item = &'a Json> {
    json[key].as_array().into_iter().flatten()
}

/// A JSON value as go-dockerclient's `Env.Get` gives it: strings unquoted, others as text.
fn stringify(json: &Json) -> String {
    match json {
        Json::Null => String::new(),
        Json::String(text) => text.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// An inspect answer as Docker 20.10 sends it, trimmed to what docker-gen reads.
    fn sample() -> Json {
        json!({
            "Id": "3f4c1a2b5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f7081",
            "Created": "2026-11-27T21:46:14.006048670Z",
            "Name": "/web",
            "State": {"Running": true, "Health": {"Status": "healthy"}},
            "Config": {
                "Hostname": "3f4c1a2b5d6e",
                "Image": "registry.example.com:5000/team/web:1.2",
                "Env": ["VIRTUAL_HOST=a.example,b.example", "EMPTY=", "BARE", "EQ=x=y", "EQ=z"],
                "Labels": {"com.example.role": "frontend"},
                "ExposedPorts": {"80/tcp": {}, "443/tcp": {}}
            },
            "HostConfig": {
                "NetworkMode": "edge",
                "Devices": [{"PathOnHost": "/dev/ttyUSB0", "PathInContainer": "/dev/modem", "CgroupPermissions": "rwm"}]
            },
            "NetworkSettings": {
                "IPAddress": "172.17.0.5",
                "Gateway": "172.17.0.1",
                "GlobalIPv6Address": "",
                "LinkLocalIPv6Address": "",
                "Ports": {
                    "8080/tcp": [{"HostIp": "0.0.0.0", "HostPort": "49153"}, {"HostIp": "::", "HostPort": "49153"}],
                    "443/tcp": null,
                    "53/udp": [],
                    "9000": null
                },
                "Networks": {
                    "zeta": {"IPAddress": "10.1.0.2", "Aliases": null, "IPPrefixLen": 16},
                    "edge": {"IPAddress": "10.0.0.2", "Aliases": ["web", "3f4c1a2b5d6e"], "Gateway": "10.0.0.1",
                             "EndpointID": "e1", "MacAddress": "02:42:0a:00:00:02", "IPPrefixLen": 24}
                }
            },
            "Mounts": [{"Name": "", "Source": "/srv/www", "Destination": "/www", "Driver": "", "Mode": "ro", "RW": false}]
        })
    }

    #[test]
    fn derives_every_field() {
        let flags: NetworkFlags = [("edge".to_string(), true)].into();
        let container = Container::from_inspect(&sample(), &flags);
        assert_eq!(container.name, "web");
        assert_eq!(container.hostname, "3f4c1a2b5d6e");
        assert_eq!(container.network_mode, "edge");
        assert_eq!(container.gateway, "172.17.0.1");
        assert_eq!(container.ip, "172.17.0.5");
        assert!(container.running);
        assert_eq!(container.health_status, "healthy");
        assert_eq!(
            container.image.to_string(),
            "registry.example.com:5000/team/web:1.2"
        );
        assert_eq!(container.image.registry, "registry.example.com:5000");
        assert_eq!(container.env["EMPTY"], "");
        assert_eq!(container.env["BARE"], "");
        assert_eq!(container.env["EQ"], "z");
        assert_eq!(
            container.labels.as_ref().unwrap()["com.example.role"],
            "frontend"
        );
        assert_eq!(container.devices[0].permissions, "rwm");
        assert_eq!(container.mounts.as_ref().unwrap()[0].mode, "ro");
        let names: Vec<_> = container.networks.iter().map(|n| n.name.as_str()).collect();
        assert_eq!(names, ["edge", "zeta"]);
        assert!(container.networks[0].internal);
        assert!(!container.networks[1].internal);
        assert_eq!(container.networks[0].aliases, ["web", "3f4c1a2b5d6e"]);
        assert!(container.networks[1].aliases.is_empty());
        assert_eq!(container.networks[1].ip_prefix_len, 16);
    }

    #[test]
    fn addresses_take_first_binding_and_sort_numerically() {
        let container = Container::from_inspect(&sample(), &NetworkFlags::new());
        let summary: Vec<_> = container
            .addresses
            .iter()
            .map(|a| {
                format!(
                    "{}/{} {}:{} {}",
                    a.port, a.proto, a.host_ip, a.host_port, a.ip
                )
            })
            .collect();
        assert_eq!(
            summary,
            [
                "53/udp : 172.17.0.5",
                "443/tcp : 172.17.0.5",
                "8080/tcp 0.0.0.0:49153 172.17.0.5",
                "9000/tcp : 172.17.0.5"
            ]
        );
    }

    #[test]
    fn addresses_fall_back_to_exposed_ports() {
        let mut inspect = sample();
        inspect["NetworkSettings"]["Ports"] = json!({});
        let container = Container::from_inspect(&inspect, &NetworkFlags::new());
        let ports: Vec<_> = container
            .addresses
            .iter()
            .map(|a| a.port.as_str())
            .collect();
        assert_eq!(ports, ["80", "443"]);
        assert!(container.addresses.iter().all(|a| a.host_port.is_empty()));
    }

    #[test]
    fn null_structures_read_as_empty() {
        let inspect = json!({"Id": "abc", "Name": "/x", "Config": null, "NetworkSettings": null, "HostConfig": null});
        let container = Container::from_inspect(&inspect, &NetworkFlags::new());
        assert_eq!(container.id, "abc");
        assert!(container.addresses.is_empty());
        assert!(container.networks.is_empty());
        assert_eq!(container.labels, None);
        assert_eq!(container.mounts, None);
        assert!(container.env.is_empty());
        assert!(container.created.is_zero);
        assert_eq!(
            container.created.go_string(),
            "0001-01-01 00:00:00 +0000 UTC"
        );
        assert_eq!(container.created.rfc3339(), "0001-01-01T00:00:00Z");
    }

    #[test]
    fn empty_mounts_are_nil_and_empty_labels_are_not() {
        let inspect = json!({"Id": "abc", "Mounts": [], "Config": {"Labels": {}}});
        let container = Container::from_inspect(&inspect, &NetworkFlags::new());
        assert_eq!(container.mounts, None);
        assert_eq!(container.labels, Some(BTreeMap::new()));
    }

    #[test]
    fn splits_images_with_the_new_rule() {
        let cases = [
            ("nginx", ("", "nginx", "")),
            ("nginx:1.25", ("", "nginx", "1.25")),
            ("tianon/centos:7", ("", "tianon/centos", "7")),
            (
                "jwilder/docker-register",
                ("", "jwilder/docker-register", ""),
            ),
            ("localhost/app:dev", ("localhost", "app", "dev")),
            ("localhost:5000/app", ("localhost:5000", "app", "")),
            ("quay.io/org/app:v1", ("quay.io", "org/app", "v1")),
            ("nginx@sha256:abc", ("", "nginx@sha256", "abc")),
            ("", ("", "", "")),
        ];
        for (input, (registry, repository, tag)) in cases {
            let image = Image::split(input);
            assert_eq!(
                (
                    image.registry.as_str(),
                    image.repository.as_str(),
                    image.tag.as_str()
                ),
                (registry, repository, tag),
                "{input}"
            );
            assert_eq!(image.to_string(), input, "round trip of {input}");
        }
    }

    #[test]
    fn prints_times_as_go_does() {
        let time = Timestamp::parse("2026-11-27T21:46:14.006048670Z");
        assert_eq!(time.go_string(), "2026-11-27 21:46:14.00604867 +0000 UTC");
        assert_eq!(time.rfc3339(), "2026-11-27T21:46:14.00604867Z");
        let whole = Timestamp::parse("2024-01-02T03:04:05Z");
        assert_eq!(whole.go_string(), "2024-01-02 03:04:05 +0000 UTC");
        let offset = Timestamp::parse("2024-01-02T03:04:05.5+01:30");
        assert_eq!(offset.go_string(), "2024-01-02 03:04:05.5 +0130 +0130");
        assert_eq!(offset.rfc3339(), "2024-01-02T03:04:05.5+01:30");
        assert_eq!(
            offset.unix_seconds,
            Timestamp::parse("2024-01-02T01:34:05Z").unix_seconds
        );
        assert!(Timestamp::parse("yesterday").is_zero);
    }

    #[test]
    fn docker_info_from_version_and_info() {
        let mut info = DockerInfo::default();
        info.apply_version(&json!({"Version": "20.10.24", "ApiVersion": "1.41", "GoVersion": "go1.19", "Os": "linux", "Arch": "arm64"}));
        info.apply_info(&json!({"Name": "router", "Containers": 7, "Images": 3}));
        assert_eq!(
            (
                info.version.as_str(),
                info.operating_system.as_str(),
                info.architecture.as_str()
            ),
            ("20.10.24", "linux", "arm64")
        );
        assert_eq!(
            (info.name.as_str(), info.num_containers, info.num_images),
            ("router", 7, 3)
        );
    }

    const ID: &str = "18862cabc2e0d24142cf93c46ccb6e070c2ea7b996c81c0311ec0309abcbcdfb";
    const OTHER: &str = "aaaa2cabc2e0d24142cf93c46ccb6e070c2ea7b996c81c0311ec0309abcbcdfb";

    #[test]
    fn finds_current_container_in_cgroup_lines() {
        let cgroup = format!("13:name=systemd:/docker/{OTHER}\n12:pids:/docker/{ID}\n");
        assert_eq!(current_container_id(&["", &cgroup, ""], "18862cabc2e0"), ID);
        assert_eq!(current_container_id(&["", &cgroup, ""], ""), OTHER);
        assert_eq!(current_container_id(&["", "0::/\n", ""], ""), "");
    }

    #[test]
    fn finds_current_container_in_mountinfo_only_through_known_paths() {
        let unrelated = format!("1 2 0:3 / /x rw - overlay overlay rw,lowerdir=/l/{OTHER}/diff");
        let hosts = format!(
            "4 5 254:1 /var/lib/docker/containers/{ID}/hosts /etc/hosts rw - ext4 /dev/vda1 rw"
        );
        let podman = format!(
            "6 7 254:1 /overlay-containers/{ID}/userdata/hostname /etc/hostname rw - ext4 x rw"
        );
        let separate = format!("8 9 254:2 /{ID}/resolv.conf /etc/resolv.conf rw - ext4 x rw");
        let mountinfo = format!("{unrelated}\n{hosts}\n");
        assert_eq!(current_container_id(&["", "", &mountinfo], ""), ID);
        assert_eq!(current_container_id(&["", "", &podman], ""), ID);
        assert_eq!(current_container_id(&["", "", &separate], ""), ID);
        assert_eq!(current_container_id(&["", "", &unrelated], ""), "");
    }
}
