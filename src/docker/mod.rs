//! The Docker Engine API client: the only module that knows URLs, query strings, filter JSON
//! and the transports (Unix socket, TCP, TLS). It returns the daemon's JSON as it came;
//! making sense of it is `model.rs`'s job.

use crate::config::{Filters, TlsOptions};
use crate::error::{Error, Result};
use std::collections::BTreeMap;

/// A client for one endpoint. Cheap to clone; clones share the negotiated API version.
#[derive(Clone, Debug)]
pub struct Client {
    endpoint: String,
}

/// One event from `GET /events`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DockerEvent {
    /// `Type`: container, network, image, ...
    pub kind: String,
    /// `Action`: start, die, health_status: healthy, connect, ...
    pub action: String,
    /// `Actor.ID`.
    pub actor_id: String,
    /// `Actor.Attributes`.
    pub attributes: BTreeMap<String, String>,
    /// `time` (seconds).
    pub time: i64,
}

impl Client {
    /// Validates the endpoint (spec §6.1) and prepares TLS; does not connect.
    pub fn new(endpoint: &str, _tls: &TlsOptions) -> Result<Client> {
        Ok(Client { endpoint: endpoint.to_string() })
    }

    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// `GET /version`.
    pub fn version(&self) -> Result<serde_json::Value> {
        Err(self.unimplemented())
    }

    /// `GET /info`.
    pub fn info(&self) -> Result<serde_json::Value> {
        Err(self.unimplemented())
    }

    /// `GET /containers/json` with `all` and `filters`; the raw list entries.
    pub fn list_containers(&self, _all: bool, _filters: &Filters) -> Result<Vec<serde_json::Value>> {
        Err(self.unimplemented())
    }

    /// `GET /containers/{id}/json`.
    pub fn inspect_container(&self, _id: &str) -> Result<serde_json::Value> {
        Err(self.unimplemented())
    }

    /// `GET /networks`.
    pub fn networks(&self) -> Result<Vec<serde_json::Value>> {
        Err(self.unimplemented())
    }

    /// `POST /containers/{id}/kill` (`signal` omitted when it is not positive).
    pub fn kill_container(&self, _id: &str, _signal: i64) -> Result<()> {
        Err(self.unimplemented())
    }

    /// `POST /containers/{id}/restart?t=<timeout_seconds>`.
    pub fn restart_container(&self, _id: &str, _timeout_seconds: u32) -> Result<()> {
        Err(self.unimplemented())
    }

    fn unimplemented(&self) -> Error {
        Error::docker(format!("{}: client not implemented", self.endpoint))
    }
}
