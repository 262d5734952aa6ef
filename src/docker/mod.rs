//! The Docker Engine API client: the only module that knows URLs, query strings, filter JSON
//! and the transports (Unix socket, TCP, TLS). It returns the daemon's JSON as it came;
//! making sense of it is `model.rs`'s job. It never retries, sleeps or logs: the caller
//! decides what a failure means.
//!
//! Every request has a connect timeout (5 s) and a whole-request timeout (30 s); the events
//! stream has no read timeout (the watcher checks liveness with `ping`). The API version is
//! negotiated once with `GET /_ping` and shared by all clones of a client.

pub mod endpoint;
mod events;
mod tls;
mod unix;

use crate::config::{Filters, TlsOptions};
use crate::error::{Error, Result};
use serde::de::DeserializeOwned;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub use endpoint::Endpoint;
#[allow(unused_imports)] // Until the watcher uses them.
pub use events::{DockerEvent, EventStream, ShutdownHandle};

/// The newest Engine API version tinygen knows; newer daemons are spoken to in this one.
pub const NEWEST_API_VERSION: &str = "1.47";
/// The oldest API version tinygen is written for (Docker 20.10). Older daemons are still
/// tried with their own version.
pub const MINIMUM_API_VERSION: &str = "1.41";

/// The largest response body read (inspect JSON of big hosts stays far below this).
const MAX_BODY: u64 = 256 * 1024 * 1024;

/// ureq's buffers per connection (its defaults are 128 KiB each, zero-filled, so 256 KiB of
/// resident memory per connection, two connections in watch mode). Requests and response
/// heads are far smaller; bodies stream through the input buffer in pieces.
const INPUT_BUFFER: usize = 16 * 1024;
const OUTPUT_BUFFER: usize = 16 * 1024;

/// The largest response buffer kept between requests (the listing of 50 containers is
/// about 42 KB; a one-off huge answer is not kept).
const KEPT_BODY: usize = 256 * 1024;

/// Default timeouts: connecting, and a whole request.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// A client for one endpoint. Cheap to clone; clones share the negotiated API version,
/// the connection pool and the call counter.
#[allow(dead_code)] // Until the pipeline uses the client.
#[derive(Clone, Debug)]
pub struct Client {
    shared: Arc<Shared>,
}

#[derive(Debug)]
struct Shared {
    /// The endpoint as given, for error messages.
    endpoint: String,
    target: Target,
    agent: ureq::Agent,
    connect_timeout: Duration,
    request_timeout: Duration,
    /// `/v1.NN` once negotiated (`""` when the daemon names no version).
    prefix: Mutex<Option<String>>,
    calls: AtomicU64,
    /// The buffer the last response body was read into, kept for the next one: the listing
    /// of every watch-mode pass grew a new one through 8, 16, 32 and 64 KiB, and musl's
    /// allocator maps and unmaps such blocks each time (page faults, system time).
    body: Mutex<Vec<u8>>,
}

/// How to reach the daemon: what builds an agent, and the URL base of requests.
#[derive(Clone, Debug)]
struct Target {
    endpoint: Endpoint,
    /// `http://docker` (Unix socket), `http://host:port` or `https://host:port`.
    base: String,
    #[cfg(feature = "tls")]
    tls: Option<ureq::tls::TlsConfig>,
}

impl Target {
    fn new(endpoint_text: &str, options: &TlsOptions) -> Result<Target> {
        let endpoint = Endpoint::parse(endpoint_text)?;
        let (base, use_tls) = match &endpoint {
            Endpoint::Unix(_) => ("http://docker".to_string(), false),
            Endpoint::Tcp { host, port } => {
                if tls::wanted(options) {
                    (format!("https://{host}:{port}"), true)
                } else {
                    (format!("http://{host}:{port}"), false)
                }
            }
        };
        #[cfg(feature = "tls")]
        let tls = if use_tls {
            Some(
                tls::config(options)
                    .map_err(|error| Error::docker(format!("{endpoint_text}: {error}")))?,
            )
        } else {
            None
        };
        #[cfg(not(feature = "tls"))]
        if use_tls {
            return Err(Error::docker(format!(
                "{endpoint_text}: TLS is needed for this endpoint (-tlsverify or certificate files), \
                 but tinygen was built without TLS support"
            )));
        }
        Ok(Target {
            endpoint,
            base,
            #[cfg(feature = "tls")]
            tls,
        })
    }

    /// A new agent (its own connection pool) with these timeouts; `None` means no limit.
    fn agent(
        &self,
        connect: Duration,
        request: Option<Duration>,
        response_headers: Option<Duration>,
    ) -> ureq::Agent {
        let builder = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .proxy(None)
            .max_redirects(0)
            .user_agent("tinygen")
            .input_buffer_size(INPUT_BUFFER)
            .output_buffer_size(OUTPUT_BUFFER)
            .timeout_connect(Some(connect))
            .timeout_global(request)
            .timeout_recv_response(response_headers);
        #[cfg(feature = "tls")]
        let builder = match &self.tls {
            Some(tls) => builder.tls_config(tls.clone()),
            None => builder,
        };
        let config = builder.build();
        match &self.endpoint {
            Endpoint::Unix(path) => ureq::Agent::with_parts(
                config,
                unix::UnixConnector { path: path.clone() },
                unix::NoResolver,
            ),
            Endpoint::Tcp { .. } => {
                use ureq::unversioned::resolver::DefaultResolver;
                use ureq::unversioned::transport::{Connector, TcpConnector};
                #[cfg(feature = "tls")]
                let connector = ()
                    .chain(TcpConnector::default())
                    .chain(ureq::unversioned::transport::RustlsConnector::default());
                #[cfg(not(feature = "tls"))]
                let connector = ().chain(TcpConnector::default());
                ureq::Agent::with_parts(config, connector, DefaultResolver::default())
            }
        }
    }
}

/// A successful response: the `API-Version` header and the body.
struct Answer {
    api_version: Option<String>,
    body: Vec<u8>,
}

#[allow(dead_code)]
impl Client {
    /// Validates the endpoint (spec §6.1) and prepares TLS; does not connect.
    pub fn new(endpoint: &str, tls: &TlsOptions) -> Result<Client> {
        Client::with_timeouts(endpoint, tls, CONNECT_TIMEOUT, REQUEST_TIMEOUT)
    }

    /// Like `new` with other timeouts (tests use short ones).
    pub fn with_timeouts(
        endpoint: &str,
        tls: &TlsOptions,
        connect: Duration,
        request: Duration,
    ) -> Result<Client> {
        let target = Target::new(endpoint, tls)?;
        let agent = target.agent(connect, Some(request), None);
        Ok(Client {
            shared: Arc::new(Shared {
                endpoint: endpoint.trim().to_string(),
                target,
                agent,
                connect_timeout: connect,
                request_timeout: request,
                prefix: Mutex::new(None),
                calls: AtomicU64::new(0),
                body: Mutex::new(Vec::new()),
            }),
        })
    }

    pub fn endpoint(&self) -> &str {
        &self.shared.endpoint
    }

    /// API requests sent so far by this client and its clones (pings and event streams too).
    pub fn calls(&self) -> u64 {
        self.shared.calls.load(Ordering::SeqCst)
    }

    /// The negotiated API version (`1.41`), once a request has negotiated it; `None` also
    /// when the daemon named no version (requests then go unversioned).
    pub fn api_version(&self) -> Option<String> {
        let prefix = self.lock_prefix().clone()?;
        let version = prefix.trim_start_matches("/v");
        (!version.is_empty()).then(|| version.to_string())
    }

    /// `GET /_ping`: checks that the daemon answers, and (re)negotiates the API version from
    /// its `API-Version` header (a restarted daemon may be another version).
    pub fn ping(&self) -> Result<()> {
        let answer = self.send("GET", "/_ping", "")?;
        let prefix = match &answer.api_version {
            Some(version) => format!("/v{}", negotiate(version)),
            None => String::new(),
        };
        *self.lock_prefix() = Some(prefix);
        self.recycle(answer);
        Ok(())
    }

    /// `GET /version`.
    pub fn version(&self) -> Result<serde_json::Value> {
        self.get_json("/version", "")
    }

    /// `GET /info`.
    pub fn info(&self) -> Result<serde_json::Value> {
        self.get_json("/info", "")
    }

    /// `GET /containers/json` with `all` and `filters`; the raw list entries.
    pub fn list_containers(&self, all: bool, filters: &Filters) -> Result<Vec<serde_json::Value>> {
        self.get_list("/containers/json", &list_query(all, filters))
    }

    /// `GET /containers/json` with `all` and `filters`, the body read by `decode` (whose
    /// error message becomes an "invalid JSON" error of this request): for a caller that
    /// needs a few fields of each entry and would rather not pay for a `Value` tree.
    pub fn list_containers_with<T>(
        &self,
        all: bool,
        filters: &Filters,
        decode: impl FnOnce(&[u8]) -> std::result::Result<T, String>,
    ) -> Result<T> {
        self.get_with("/containers/json", &list_query(all, filters), decode)
    }

    /// `GET /containers/{id}/json`.
    pub fn inspect_container(&self, id: &str) -> Result<serde_json::Value> {
        self.get_json(&format!("/containers/{}/json", encode_path_segment(id)), "")
    }

    /// `GET /networks`.
    pub fn networks(&self) -> Result<Vec<serde_json::Value>> {
        self.get_list("/networks", "")
    }

    /// `POST /containers/{id}/kill?signal=N` (no `signal` parameter when N <= 0: the
    /// daemon's default, SIGKILL).
    pub fn kill_container(&self, id: &str, signal: i64) -> Result<()> {
        let query = query_string(&[("signal", (signal > 0).then(|| signal.to_string()))]);
        self.post(
            &format!("/containers/{}/kill", encode_path_segment(id)),
            &query,
        )
    }

    /// `POST /containers/{id}/restart?t=N`.
    pub fn restart_container(&self, id: &str, timeout_seconds: u32) -> Result<()> {
        let query = query_string(&[("t", Some(timeout_seconds.to_string()))]);
        self.post(
            &format!("/containers/{}/restart", encode_path_segment(id)),
            &query,
        )
    }

    /// `GET /events?filters=...`: the open stream. Only connecting and the response headers
    /// have timeouts; reading waits for events as long as it takes.
    pub fn events(&self, filters: &Filters) -> Result<EventStream> {
        let query = query_string(&[("filters", filters_json(filters))]);
        let prefix = self.prefix()?;
        let context = self.context("GET", "/events");
        // A dedicated agent, so that shutting the stream down closes nothing else.
        let agent = self.shared.target.agent(
            self.shared.connect_timeout,
            None,
            Some(self.shared.request_timeout),
        );
        let url = format!("{}{prefix}/events{query}", self.shared.target.base);
        self.shared.calls.fetch_add(1, Ordering::SeqCst);
        let mut response = agent
            .get(&url)
            .call()
            .map_err(|error| self.transport_error(&context, error))?;
        let status = response.status().as_u16();
        if status >= 400 {
            let body = response
                .body_mut()
                .with_config()
                .limit(MAX_BODY)
                .read_to_vec()
                .unwrap_or_default();
            return Err(api_error(&context, status, &body));
        }
        let reader = response.into_body().into_reader();
        Ok(EventStream::new(Box::new(reader), agent, context))
    }

    fn lock_prefix(&self) -> std::sync::MutexGuard<'_, Option<String>> {
        // A poisoned lock only means a panic elsewhere; the value is still a plain string.
        self.shared
            .prefix
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The `/v1.NN` prefix, negotiating it first if needed.
    fn prefix(&self) -> Result<String> {
        if let Some(prefix) = self.lock_prefix().clone() {
            return Ok(prefix);
        }
        self.ping()?;
        Ok(self.lock_prefix().clone().unwrap_or_default())
    }

    fn get_json(&self, path: &str, query: &str) -> Result<serde_json::Value> {
        self.get_with(path, query, |body| {
            serde_json::from_slice(body).map_err(|error| error.to_string())
        })
    }

    /// A JSON list, each item decoded as `T`; `null` is an empty list (Docker answers that
    /// for an empty list in a few versions).
    fn get_list<T: DeserializeOwned>(&self, path: &str, query: &str) -> Result<Vec<T>> {
        self.get_with(path, query, |body| {
            match serde_json::from_slice::<Option<Vec<T>>>(body) {
                Ok(list) => Ok(list.unwrap_or_default()),
                Err(error) => match serde_json::from_slice::<serde_json::Value>(body) {
                    Ok(value) if !value.is_array() => Err("expected a list".to_string()),
                    _ => Err(error.to_string()),
                },
            }
        })
    }

    /// `GET path?query`, the body read by `decode` (whose message becomes an "invalid JSON"
    /// error of the request); the body's buffer is kept for the next request.
    fn get_with<T>(
        &self,
        path: &str,
        query: &str,
        decode: impl FnOnce(&[u8]) -> std::result::Result<T, String>,
    ) -> Result<T> {
        let prefix = self.prefix()?;
        let answer = self.send("GET", &format!("{prefix}{path}"), query)?;
        let decoded = decode(&answer.body).map_err(|message| {
            Error::docker(format!(
                "{}: invalid JSON: {message}",
                self.context("GET", path)
            ))
        });
        self.recycle(answer);
        decoded
    }

    fn post(&self, path: &str, query: &str) -> Result<()> {
        let prefix = self.prefix()?;
        let answer = self.send("POST", &format!("{prefix}{path}"), query)?;
        self.recycle(answer);
        Ok(())
    }

    /// A ureq error, named after the request.
    fn transport_error(&self, context: &str, error: ureq::Error) -> Error {
        let message = match error {
            ureq::Error::Io(io) => io_message(&io),
            ureq::Error::Timeout(ureq::Timeout::Connect) => {
                format!("connect timed out after {:?}", self.shared.connect_timeout)
            }
            ureq::Error::Timeout(_) => format!("timed out after {:?}", self.shared.request_timeout),
            other => other.to_string(),
        };
        Error::docker(format!("{context}: {message}"))
    }

    /// `endpoint: METHOD /path` (without the version prefix), for error messages.
    fn context(&self, method: &str, path: &str) -> String {
        // The query (percent-encoded filter JSON) is left out: it makes messages hard to read
        // and the path names the call well enough.
        format!("{}: {method} {path}", self.shared.endpoint)
    }

    /// Sends one request and reads the whole answer; status >= 400 is an error.
    fn send(&self, method: &str, versioned_path: &str, query: &str) -> Result<Answer> {
        let path = strip_version(versioned_path);
        let context = self.context(method, path);
        let url = format!("{}{versioned_path}{query}", self.shared.target.base);
        self.shared.calls.fetch_add(1, Ordering::SeqCst);
        let agent = &self.shared.agent;
        let result = match method {
            "POST" => agent.post(&url).send_empty(),
            _ => agent.get(&url).call(),
        };
        let mut response = result.map_err(|error| self.transport_error(&context, error))?;
        let status = response.status().as_u16();
        let api_version = response
            .headers()
            .get("api-version")
            .and_then(|value| value.to_str().ok())
            .map(|value| value.trim().to_string());
        let mut body = std::mem::take(&mut *lock(&self.shared.body));
        body.clear();
        let reader = response.body_mut().with_config().limit(MAX_BODY).reader();
        std::io::Read::read_to_end(&mut { reader }, &mut body)
            .map_err(|error| self.transport_error(&context, ureq::Error::from(error)))?;
        if status >= 400 {
            return Err(api_error(&context, status, &body));
        }
        Ok(Answer { api_version, body })
    }

    /// Keeps an answer's buffer for the next request (not one grown past `KEPT_BODY`).
    fn recycle(&self, answer: Answer) {
        if answer.body.capacity() <= KEPT_BODY {
            *lock(&self.shared.body) = answer.body;
        }
    }
}

/// The API version to use with a daemon that reports `daemon`: the daemon's own up to
/// `NEWEST_API_VERSION`. Unreadable versions get `MINIMUM_API_VERSION`.
pub fn negotiate(daemon: &str) -> String {
    fn parse(version: &str) -> Option<(u32, u32)> {
        let (major, minor) = version.trim().split_once('.')?;
        Some((major.parse().ok()?, minor.parse().ok()?))
    }
    let newest = parse(NEWEST_API_VERSION).unwrap_or((1, 47));
    match parse(daemon) {
        Some(version) if version <= newest => format!("{}.{}", version.0, version.1),
        Some(_) => NEWEST_API_VERSION.to_string(),
        None => MINIMUM_API_VERSION.to_string(),
    }
}

/// `/v1.41/containers/json` ⇒ `/containers/json`.
fn strip_version(path: &str) -> &str {
    if let Some(rest) = path.strip_prefix("/v") {
        if let Some(slash) = rest.find('/') {
            if rest[..slash]
                .bytes()
                .all(|byte| byte.is_ascii_digit() || byte == b'.')
            {
                return &rest[slash..];
            }
        }
    }
    path
}

/// The query of `GET /containers/json`.
fn list_query(all: bool, filters: &Filters) -> String {
    query_string(&[
        ("all", all.then(|| "1".to_string())),
        ("filters", filters_json(filters)),
    ])
}

/// Filters as compact JSON with sorted keys; `None` when empty (go-dockerclient leaves the
/// parameter out then).
fn filters_json(filters: &Filters) -> Option<String> {
    if filters.is_empty() {
        return None;
    }
    serde_json::to_string(filters).ok()
}

/// `?a=1&b=x` from the parameters that have a value, in the given order; `""` for none.
fn query_string(parameters: &[(&str, Option<String>)]) -> String {
    let mut query = String::new();
    for (name, value) in parameters {
        if let Some(value) = value {
            query.push(if query.is_empty() { '?' } else { '&' });
            query.push_str(&percent_encode(name));
            query.push('=');
            query.push_str(&percent_encode(value));
        }
    }
    query
}

/// Percent-encodes everything but RFC 3986's unreserved characters.
fn percent_encode(text: &str) -> String {
    let mut encoded = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            encoded.push(byte as char);
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    encoded
}

/// A container name or ID as one path segment. Inspect JSON names containers `/web`; the
/// API wants `web`, so a leading `/` goes. Anything else that is not URL-safe is encoded,
/// so a strange name cannot change the path.
fn encode_path_segment(text: &str) -> String {
    percent_encode(text.trim_start_matches('/'))
}

/// `context: API error (404): message`, the message from the JSON body when it has one.
fn api_error(context: &str, status: u16, body: &[u8]) -> Error {
    let message = serde_json::from_slice::<serde_json::Value>(body)
        .ok()
        .and_then(|value| {
            value
                .get("message")
                .and_then(serde_json::Value::as_str)
                .map(str::to_string)
        })
        .unwrap_or_else(|| String::from_utf8_lossy(body).trim().to_string());
    Error::docker(format!("{context}: API error ({status}): {message}"))
}

/// An I/O error as Go prints it: `connection refused (os error 111)`.
fn io_message(error: &std::io::Error) -> String {
    let text = error.to_string();
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => format!("{:?}", error.kind()),
    }
}

/// A lock whose poisoning only means a panic elsewhere: the data is still usable.
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[cfg(test)]
mod tests;
