//! The template context: the model turned into the values templates see (spec §3.1).
//!
//! Pure. It decides the Go type of every field (records in declaration order, `Image` and
//! `Created` with their String forms, nil versus empty maps and slices) so that both engines
//! and `toJson` see exactly what docker-gen exposes. It never reads Docker JSON or files.

use crate::model::{Address, Container, DockerInfo, Timestamp};
#[cfg(test)]
use crate::template::value::{struct_fields, RUNTIME_CONTAINER_FIELDS};
use crate::template::value::{Containers, Globals, Pairs, Record, Time, Value};
use std::collections::BTreeMap;
use std::rc::Rc;

/// The root value: the container list plus `$.Env`, `$.Docker` and `$.CurrentContainer`.
#[cfg(test)]
pub fn root(
    containers: &[Container],
    env: &BTreeMap<String, String>,
    docker: &DockerInfo,
    current: Option<&Container>,
) -> Value {
    root_from_values(
        containers.iter().map(container_value).collect(),
        env_value(env),
        docker,
        current.map(container_value),
    )
}

/// The root from container values made before (`container_value`), so that a caller that
/// keeps them between renders converts only the containers that changed.
pub fn root_from_values(
    items: Vec<Value>,
    env: Value,
    docker: &DockerInfo,
    current: Option<Value>,
) -> Value {
    let globals = Globals {
        env,
        docker: docker_value(docker),
        // Outside a container docker-gen's `CurrentContainer()` is a nil `*RuntimeContainer`.
        current_container: current.unwrap_or(Value::NilPointer("RuntimeContainer")),
    };
    Value::Containers(Rc::new(Containers {
        items,
        globals: Rc::new(globals),
    }))
}

/// `$.Env`: a `map[string]string`.
pub fn env_value(env: &BTreeMap<String, String>) -> Value {
    Value::string_map(env.iter().map(|(k, v)| (k.clone(), v.clone())))
}

/// The process environment as `$.Env` shows it (split at the first `=`).
pub fn process_env() -> BTreeMap<String, String> {
    std::env::vars_os()
        .map(|(key, value)| {
            (
                key.to_string_lossy().into_owned(),
                value.to_string_lossy().into_owned(),
            )
        })
        .collect()
}

/// One `RuntimeContainer` (fields in Go declaration order, spec §3.2).
pub fn container_value(container: &Container) -> Value {
    let image = &container.image;
    let image_value = Value::Record(Rc::new(Record {
        type_name: "DockerImage",
        fields: vec![
            ("Registry", Value::str(image.registry.as_str())),
            ("Repository", Value::str(image.repository.as_str())),
            ("Tag", Value::str(image.tag.as_str())),
        ],
        string_form: Some(image.to_string()),
    }));
    let networks = container
        .networks
        .iter()
        .map(|network| {
            Value::record(
                "Network",
                vec![
                    ("IP", Value::str(network.ip.as_str())),
                    ("Name", Value::str(network.name.as_str())),
                    (
                        "Aliases",
                        Value::string_list(network.aliases.iter().map(String::as_str)),
                    ),
                    ("Gateway", Value::str(network.gateway.as_str())),
                    ("EndpointID", Value::str(network.endpoint_id.as_str())),
                    ("IPv6Gateway", Value::str(network.ipv6_gateway.as_str())),
                    (
                        "GlobalIPv6Address",
                        Value::str(network.global_ipv6_address.as_str()),
                    ),
                    ("MacAddress", Value::str(network.mac_address.as_str())),
                    (
                        "GlobalIPv6PrefixLen",
                        Value::Int(network.global_ipv6_prefix_len),
                    ),
                    ("IPPrefixLen", Value::Int(network.ip_prefix_len)),
                    ("Internal", Value::Bool(network.internal)),
                ],
            )
        })
        .collect();
    let devices = container
        .devices
        .iter()
        .map(|device| {
            Value::record(
                "Device",
                vec![
                    ("PathOnHost", Value::str(device.path_on_host.as_str())),
                    (
                        "PathInContainer",
                        Value::str(device.path_in_container.as_str()),
                    ),
                    ("Permissions", Value::str(device.permissions.as_str())),
                ],
            )
        })
        .collect();
    let volumes = container
        .volumes
        .iter()
        .map(|(path, volume)| {
            let value = Value::record(
                "Volume",
                vec![
                    ("Path", Value::str(volume.path.as_str())),
                    ("HostPath", Value::str(volume.host_path.as_str())),
                    ("ReadWrite", Value::Bool(volume.read_write)),
                ],
            );
            (path.as_str(), value)
        })
        .collect::<Pairs>();
    let node = Value::record(
        "SwarmNode",
        vec![
            ("ID", Value::str(container.node.id.as_str())),
            ("Name", Value::str(container.node.name.as_str())),
            ("Address", address_value(&container.node.address)),
        ],
    );
    let labels = match &container.labels {
        Some(labels) => Value::string_map(labels.iter().map(|(k, v)| (k.clone(), v.clone()))),
        None => Value::nil_map("string"),
    };
    let mounts = match &container.mounts {
        Some(mounts) => Value::list(
            "Mount",
            mounts
                .iter()
                .map(|mount| {
                    Value::record(
                        "Mount",
                        vec![
                            ("Name", Value::str(mount.name.as_str())),
                            ("Source", Value::str(mount.source.as_str())),
                            ("Destination", Value::str(mount.destination.as_str())),
                            ("Driver", Value::str(mount.driver.as_str())),
                            ("Mode", Value::str(mount.mode.as_str())),
                            ("RW", Value::Bool(mount.rw)),
                        ],
                    )
                })
                .collect(),
        ),
        None => Value::nil_list("Mount"),
    };
    let state = Value::record(
        "State",
        vec![
            ("Running", Value::Bool(container.running)),
            (
                "Health",
                Value::record(
                    "Health",
                    vec![("Status", Value::str(container.health_status.as_str()))],
                ),
            ),
        ],
    );
    Value::record(
        "RuntimeContainer",
        vec![
            ("ID", Value::str(container.id.as_str())),
            ("Created", time_value(&container.created)),
            (
                "Addresses",
                Value::list(
                    "Address",
                    container.addresses.iter().map(address_value).collect(),
                ),
            ),
            ("Networks", Value::list("Network", networks)),
            ("Devices", Value::list("Device", devices)),
            ("Gateway", Value::str(container.gateway.as_str())),
            ("Name", Value::str(container.name.as_str())),
            ("Hostname", Value::str(container.hostname.as_str())),
            ("NetworkMode", Value::str(container.network_mode.as_str())),
            ("Image", image_value),
            (
                "Env",
                Value::string_map(container.env.iter().map(|(k, v)| (k.clone(), v.clone()))),
            ),
            ("Volumes", Value::map("Volume", volumes)),
            ("Node", node),
            ("Labels", labels),
            ("IP", Value::str(container.ip.as_str())),
            (
                "IP6LinkLocal",
                Value::str(container.ip6_link_local.as_str()),
            ),
            ("IP6Global", Value::str(container.ip6_global.as_str())),
            ("Mounts", mounts),
            ("State", state),
        ],
    )
}

fn address_value(address: &Address) -> Value {
    Value::record(
        "Address",
        vec![
            ("IP", Value::str(address.ip.as_str())),
            ("IP6LinkLocal", Value::str(address.ip6_link_local.as_str())),
            ("IP6Global", Value::str(address.ip6_global.as_str())),
            ("Port", Value::str(address.port.as_str())),
            ("HostPort", Value::str(address.host_port.as_str())),
            ("Proto", Value::str(address.proto.as_str())),
            ("HostIP", Value::str(address.host_ip.as_str())),
        ],
    )
}

fn time_value(timestamp: &Timestamp) -> Value {
    Value::Time(Rc::new(Time {
        display: timestamp.go_string(),
        rfc3339: timestamp.rfc3339(),
        unix_seconds: timestamp.unix_seconds,
        nanos: timestamp.nanos,
        local: false,
        monotonic: None,
    }))
}

pub fn docker_value(docker: &DockerInfo) -> Value {
    Value::record(
        "Docker",
        vec![
            ("Name", Value::str(docker.name.as_str())),
            ("NumContainers", Value::Int(docker.num_containers)),
            ("NumImages", Value::Int(docker.num_images)),
            ("Version", Value::str(docker.version.as_str())),
            ("ApiVersion", Value::str(docker.api_version.as_str())),
            ("GoVersion", Value::str(docker.go_version.as_str())),
            (
                "OperatingSystem",
                Value::str(docker.operating_system.as_str()),
            ),
            ("Architecture", Value::str(docker.architecture.as_str())),
            (
                "CurrentContainerID",
                Value::str(docker.current_container_id.as_str()),
            ),
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Image, Network};

    fn names(value: &Value) -> Vec<&'static str> {
        match value {
            Value::Record(record) => record.fields.iter().map(|(name, _)| *name).collect(),
            other => panic!("not a record: {other:?}"),
        }
    }

    #[test]
    fn container_fields_in_go_declaration_order() {
        let container = Container::default();
        let value = container_value(&container);
        assert_eq!(names(&value), RUNTIME_CONTAINER_FIELDS);
        assert_eq!(RUNTIME_CONTAINER_FIELDS[0], "ID");
        assert_eq!(RUNTIME_CONTAINER_FIELDS[18], "State");
        // A typed nil `*RuntimeContainer` knows the same fields.
        assert_eq!(struct_fields("RuntimeContainer"), names(&value));
    }

    #[test]
    fn nil_labels_and_mounts_stay_nil() {
        let value = container_value(&Container::default());
        assert!(matches!(value.field("Labels"), Some(Value::Map(map)) if map.is_nil));
        assert!(matches!(value.field("Mounts"), Some(Value::List(list)) if list.is_nil));
        assert!(matches!(value.field("Networks"), Some(Value::List(list)) if !list.is_nil));
    }

    #[test]
    fn image_prints_through_its_string_form() {
        let container = Container {
            image: Image::split("quay.io/org/app:v1"),
            ..Container::default()
        };
        let value = container_value(&container);
        match value.field("Image") {
            Some(Value::Record(record)) => {
                assert_eq!(record.string_form.as_deref(), Some("quay.io/org/app:v1"))
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn root_carries_globals() {
        let container = Container {
            id: "abc".into(),
            networks: vec![Network {
                name: "edge".into(),
                ..Network::default()
            }],
            ..Container::default()
        };
        let env = BTreeMap::from([("HOME".to_string(), "/root".to_string())]);
        let root = root(
            std::slice::from_ref(&container),
            &env,
            &DockerInfo::default(),
            Some(&container),
        );
        let Value::Containers(containers) = root else {
            panic!("root is not the container list")
        };
        assert_eq!(containers.items.len(), 1);
        assert!(
            matches!(&containers.globals.env, Value::Map(map) if map.entries.contains_key("HOME"))
        );
        assert!(
            matches!(containers.globals.current_container.field("ID"), Some(Value::Str(id)) if &**id == "abc")
        );
        let outside = super::root(&[], &env, &DockerInfo::default(), None);
        let Value::Containers(outside) = outside else {
            panic!("root is not the container list")
        };
        let current = &outside.globals.current_container;
        assert!(matches!(current, Value::NilPointer("RuntimeContainer")));
        assert_eq!(current.go_type(), "*context.RuntimeContainer");
        assert!(!current.is_true());
    }
}
