//! Context files: the template context written to JSON (`-dump-context`) and read back
//! (`-context`), so that templates can be rendered and tested without a daemon.
//!
//! The file holds the model, not Docker's JSON: `Docker`, `Env`, `CurrentContainer` and
//! `Containers` with docker-gen's own field names, as `toJson` prints them. Reading it back
//! gives the same model, so an offline render is byte-identical to the live one. It never
//! talks to a daemon; the file is written through `output.rs`.

use crate::context;
use crate::error::{Error, Result};
use crate::model::{
    Address, Container, Device, DockerInfo, Image, Mount, Network, SwarmNode, Timestamp, Volume,
};
use crate::template::funcs::json;
use crate::template::Value;
use serde_json::Value as Json;
use std::collections::BTreeMap;
use std::path::Path;

/// Everything a render needs besides the template.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Snapshot {
    pub containers: Vec<Container>,
    pub docker: DockerInfo,
    pub env: BTreeMap<String, String>,
    pub current: Option<Container>,
}

impl Snapshot {
    /// The JSON text of the snapshot (pretty, fields in docker-gen's declaration order).
    pub fn to_json(&self) -> String {
        let containers = self
            .containers
            .iter()
            .map(context::container_value)
            .collect();
        let root = Value::record(
            "Snapshot",
            vec![
                ("Docker", context::docker_value(&self.docker)),
                ("Env", Value::string_map(self.env.clone())),
                (
                    "CurrentContainer",
                    self.current
                        .as_ref()
                        .map(context::container_value)
                        .unwrap_or(Value::Nil),
                ),
                ("Containers", Value::list("RuntimeContainer", containers)),
            ],
        );
        let mut text = json::to_json(&root, true, false);
        text.push('\n');
        text
    }

    /// Reads a context file; errors name the file and, for bad JSON, the line and column.
    pub fn load(path: &Path) -> Result<Snapshot> {
        let text = std::fs::read_to_string(path)
            .map_err(|error| Error::config(format!("{}: {error}", path.display())))?;
        Snapshot::parse(&text)
            .map_err(|message| Error::config(format!("{}: {message}", path.display())))
    }

    /// Parses the JSON text of a snapshot.
    pub fn parse(text: &str) -> Result<Snapshot, String> {
        let root: Json = serde_json::from_str(text)
            .map_err(|error| format!("{}:{}: {error}", error.line(), error.column()))?;
        if !root.is_object() {
            return Err(
                "expected a JSON object with Docker, Env, CurrentContainer and Containers".into(),
            );
        }
        let containers = match &root["Containers"] {
            Json::Array(items) => items
                .iter()
                .enumerate()
                .map(|(index, item)| {
                    container(item).map_err(|message| format!("Containers[{index}]: {message}"))
                })
                .collect::<Result<Vec<_>, _>>()?,
            Json::Null => Vec::new(),
            _ => return Err("Containers: expected an array".into()),
        };
        let current = match &root["CurrentContainer"] {
            Json::Null => None,
            item => {
                Some(container(item).map_err(|message| format!("CurrentContainer: {message}"))?)
            }
        };
        let docker = &root["Docker"];
        Ok(Snapshot {
            containers,
            docker: DockerInfo {
                name: text_at(docker, "Name"),
                num_containers: docker["NumContainers"].as_i64().unwrap_or(0),
                num_images: docker["NumImages"].as_i64().unwrap_or(0),
                version: text_at(docker, "Version"),
                api_version: text_at(docker, "ApiVersion"),
                go_version: text_at(docker, "GoVersion"),
                operating_system: text_at(docker, "OperatingSystem"),
                architecture: text_at(docker, "Architecture"),
                current_container_id: text_at(docker, "CurrentContainerID"),
            },
            env: string_map(&root["Env"]).unwrap_or_default(),
            current,
        })
    }
}

fn text_at(json: &Json, key: &str) -> String {
    json[key].as_str().unwrap_or_default().to_string()
}

fn string_map(json: &Json) -> Option<BTreeMap<String, String>> {
    json.as_object().map(|object| {
        object
            .iter()
            .map(|(key, value)| (key.clone(), value.as_str().unwrap_or_default().to_string()))
            .collect()
    })
}

fn items(json: &Json) -> impl Iterator<Item = &Json> {
    json.as_array().into_iter().flatten()
}

fn address(json: &Json) -> Address {
    Address {
        ip: text_at(json, "IP"),
        ip6_link_local: text_at(json, "IP6LinkLocal"),
        ip6_global: text_at(json, "IP6Global"),
        port: text_at(json, "Port"),
        host_port: text_at(json, "HostPort"),
        proto: text_at(json, "Proto"),
        host_ip: text_at(json, "HostIP"),
    }
}

/// A `RuntimeContainer` as `toJson` printed it.
fn container(json: &Json) -> Result<Container, String> {
    if !json.is_object() {
        return Err("expected an object".into());
    }
    let created = Timestamp::parse(json["Created"].as_str().unwrap_or_default());
    if created.is_zero && created_text_is_not_zero(json) {
        return Err(format!(
            "Created: not an RFC 3339 time: {}",
            json["Created"]
        ));
    }
    Ok(Container {
        id: text_at(json, "ID"),
        created,
        addresses: items(&json["Addresses"]).map(address).collect(),
        networks: items(&json["Networks"])
            .map(|network| Network {
                ip: text_at(network, "IP"),
                name: text_at(network, "Name"),
                aliases: items(&network["Aliases"])
                    .filter_map(Json::as_str)
                    .map(str::to_string)
                    .collect(),
                gateway: text_at(network, "Gateway"),
                endpoint_id: text_at(network, "EndpointID"),
                ipv6_gateway: text_at(network, "IPv6Gateway"),
                global_ipv6_address: text_at(network, "GlobalIPv6Address"),
                mac_address: text_at(network, "MacAddress"),
                global_ipv6_prefix_len: network["GlobalIPv6PrefixLen"].as_i64().unwrap_or(0),
                ip_prefix_len: network["IPPrefixLen"].as_i64().unwrap_or(0),
                internal: network["Internal"].as_bool().unwrap_or(false),
            })
            .collect(),
        devices: items(&json["Devices"])
            .map(|device| Device {
                path_on_host: text_at(device, "PathOnHost"),
                path_in_container: text_at(device, "PathInContainer"),
                permissions: text_at(device, "Permissions"),
            })
            .collect(),
        gateway: text_at(json, "Gateway"),
        name: text_at(json, "Name"),
        hostname: text_at(json, "Hostname"),
        network_mode: text_at(json, "NetworkMode"),
        image: Image {
            registry: text_at(&json["Image"], "Registry"),
            repository: text_at(&json["Image"], "Repository"),
            tag: text_at(&json["Image"], "Tag"),
        },
        env: string_map(&json["Env"]).unwrap_or_default(),
        volumes: json["Volumes"]
            .as_object()
            .into_iter()
            .flatten()
            .map(|(key, volume)| {
                let volume = Volume {
                    path: text_at(volume, "Path"),
                    host_path: text_at(volume, "HostPath"),
                    read_write: volume["ReadWrite"].as_bool().unwrap_or(false),
                };
                (key.clone(), volume)
            })
            .collect(),
        node: SwarmNode {
            id: text_at(&json["Node"], "ID"),
            name: text_at(&json["Node"], "Name"),
            address: address(&json["Node"]["Address"]),
        },
        labels: string_map(&json["Labels"]),
        ip: text_at(json, "IP"),
        ip6_link_local: text_at(json, "IP6LinkLocal"),
        ip6_global: text_at(json, "IP6Global"),
        mounts: json["Mounts"].as_array().map(|mounts| {
            mounts
                .iter()
                .map(|mount| Mount {
                    name: text_at(mount, "Name"),
                    source: text_at(mount, "Source"),
                    destination: text_at(mount, "Destination"),
                    driver: text_at(mount, "Driver"),
                    mode: text_at(mount, "Mode"),
                    rw: mount["RW"].as_bool().unwrap_or(false),
                })
                .collect()
        }),
        running: json["State"]["Running"].as_bool().unwrap_or(false),
        health_status: text_at(&json["State"]["Health"], "Status"),
    })
}

/// Go's zero time prints as `0001-01-01T00:00:00Z`, which parses as a year-1 time; anything
/// else that fails to parse is a mistake in the file.
fn created_text_is_not_zero(json: &Json) -> bool {
    json["Created"]
        .as_str()
        .is_some_and(|text| !text.is_empty() && !text.starts_with("0001-01-01T00:00:00"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::NetworkFlags;
    use serde_json::json;

    fn sample() -> Snapshot {
        let inspect = json!({
            "Id": "3f4c1a2b5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f7081",
            "Created": "2026-11-27T21:46:14.00604867+01:00",
            "Name": "/web",
            "State": {"Running": true, "Health": {"Status": "healthy"}},
            "Config": {"Hostname": "web", "Image": "quay.io/org/web:1.2", "Env": ["A=1", "B=x=y"],
                       "Labels": {"com.example.role": "front"}, "ExposedPorts": {"80/tcp": {}}},
            "HostConfig": {"NetworkMode": "edge", "Devices": [{"PathOnHost": "/dev/a", "PathInContainer": "/dev/b", "CgroupPermissions": "r"}]},
            "NetworkSettings": {"Networks": {"edge": {"IPAddress": "10.0.0.2", "Aliases": ["w"], "IPPrefixLen": 24}}},
            "Mounts": [{"Source": "/srv", "Destination": "/www", "Mode": "ro"}]
        });
        let flags: NetworkFlags = [("edge".to_string(), true)].into();
        let mut web = Container::from_inspect(&inspect, &flags);
        // A hand-written file may give the node's address more than docker-gen's IP.
        web.node.address.ip = "192.168.1.2".into();
        web.node.address.port = "2377".into();
        web.node.address.proto = "tcp".into();
        let bare =
            Container::from_inspect(&json!({"Id": "b", "Name": "/bare"}), &NetworkFlags::new());
        Snapshot {
            containers: vec![web.clone(), bare],
            docker: DockerInfo {
                name: "router".into(),
                num_containers: 2,
                version: "20.10.24".into(),
                ..DockerInfo::default()
            },
            env: BTreeMap::from([("DNS_DOMAIN".to_string(), "lan".to_string())]),
            current: Some(web),
        }
    }

    #[test]
    fn round_trips_exactly() {
        let snapshot = sample();
        let text = snapshot.to_json();
        let back = Snapshot::parse(&text).unwrap();
        assert_eq!(back, snapshot);
        assert_eq!(back.to_json(), text);
    }

    #[test]
    fn keeps_docker_gen_field_order_and_nils() {
        let text = sample().to_json();
        let docker = text.find("\"Docker\"").unwrap();
        let containers = text.find("\"Containers\"").unwrap();
        assert!(docker < containers);
        let id = text.find("\"ID\"").unwrap();
        let created = text.find("\"Created\"").unwrap();
        let state = text.find("\"State\"").unwrap();
        assert!(id < created && created < state);
        assert!(
            text.contains("\"Labels\": null"),
            "a container without labels keeps null:\n{text}"
        );
        assert!(text.contains("\"Mounts\": null"));
    }

    #[test]
    fn errors_name_line_and_column_or_the_field() {
        let error = Snapshot::parse("{\n  \"Containers\": [,]\n}").unwrap_err();
        assert!(error.starts_with("2:"), "{error}");
        let error = Snapshot::parse(r#"{"Containers": [{"ID": "x", "Created": "yesterday"}]}"#)
            .unwrap_err();
        assert!(error.contains("Containers[0]: Created"), "{error}");
        assert!(Snapshot::parse("[]").is_err());
    }
}
