//! A fake Docker daemon for tests: an HTTP/1.1 server on a temporary Unix socket that serves
//! canned Engine API answers and injects faults (errors, garbage, closed connections,
//! hanging answers, event streams that end). Standard library only: a listener thread and a
//! thread per connection. Request bodies are read and ignored.
//!
//! Include it with `#[path = "support/fake_daemon.rs"] mod fake_daemon;`.

#![allow(dead_code)]

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::{self, JoinHandle};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// What the fake answers to a request.
#[derive(Clone, Debug)]
pub enum Response {
    /// Status and JSON body, with `Content-Length`; the connection stays open.
    Json(u16, String),
    /// These bytes, then the connection is closed (garbage, truncated answers).
    Raw(Vec<u8>),
    /// Read the request and never answer (until the fake is dropped).
    Hang,
    /// Close the connection without answering.
    Close,
    /// A chunked `/events` stream fed by `push_event`, open until `close_event_streams`.
    Events,
}

struct Route {
    method: String,
    prefix: String,
    response: Response,
}

struct State {
    routes: Mutex<Vec<Route>>,
    /// Request lines with the version prefix stripped: `GET /containers/json?all=1`.
    requests: Mutex<Vec<String>>,
    /// Request targets as sent: `GET /v1.41/containers/json?all=1`.
    raw_requests: Mutex<Vec<String>>,
    streams: Mutex<Vec<Sender<Option<String>>>>,
    api_version: Mutex<String>,
    /// Every accepted connection, to close them all when the daemon "restarts" or stops.
    connections: Mutex<HashMap<usize, UnixStream>>,
    next_connection: AtomicUsize,
    stopping: AtomicBool,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// A running fake daemon; dropping it stops it, closes its connections and removes its
/// socket (and the temporary directory it made).
pub struct FakeDaemon {
    state: Arc<State>,
    /// The temporary directory `start` made, removed on drop.
    directory: Option<PathBuf>,
    socket: PathBuf,
    listener: Option<JoinHandle<()>>,
}

impl FakeDaemon {
    /// Starts a fake on `docker.sock` in a fresh temporary directory.
    pub fn start() -> FakeDaemon {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let directory = std::env::temp_dir().join(format!(
            "tinygen-fake-{}-{}-{nanos}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::SeqCst)
        ));
        std::fs::create_dir_all(&directory).expect("fake daemon: create temp dir");
        let mut daemon = FakeDaemon::start_at(&directory.join("docker.sock"));
        daemon.directory = Some(directory);
        daemon
    }

    /// Starts a fake on a socket path of the caller's choosing (a "restarted" daemon on the
    /// socket of a dropped one, say). A stale socket file there is replaced.
    pub fn start_at(socket: &std::path::Path) -> FakeDaemon {
        if let Some(parent) = socket.parent() {
            std::fs::create_dir_all(parent).expect("fake daemon: create socket dir");
        }
        let _ = std::fs::remove_file(socket);
        let socket = socket.to_path_buf();
        let listener = UnixListener::bind(&socket).expect("fake daemon: bind socket");
        let state = Arc::new(State {
            routes: Mutex::new(Vec::new()),
            requests: Mutex::new(Vec::new()),
            raw_requests: Mutex::new(Vec::new()),
            streams: Mutex::new(Vec::new()),
            api_version: Mutex::new("1.41".to_string()),
            connections: Mutex::new(HashMap::new()),
            next_connection: AtomicUsize::new(0),
            stopping: AtomicBool::new(false),
        });
        let mut daemon = FakeDaemon {
            state: state.clone(),
            directory: None,
            socket,
            listener: None,
        };
        daemon.route("GET", "/_ping", Response::Json(200, "OK".to_string()));
        daemon.route("HEAD", "/_ping", Response::Json(200, String::new()));
        daemon.route(
            "GET",
            "/version",
            Response::Json(
                200,
                r#"{"Version":"20.10.24","ApiVersion":"1.41","MinAPIVersion":"1.12","GoVersion":"go1.19","Os":"linux","Arch":"amd64"}"#
                    .to_string(),
            ),
        );
        daemon.route(
            "GET",
            "/info",
            Response::Json(
                200,
                r#"{"Name":"fakehost","Containers":0,"Images":0}"#.to_string(),
            ),
        );
        daemon.route("GET", "/networks", Response::Json(200, "[]".to_string()));
        daemon.route(
            "GET",
            "/containers/json",
            Response::Json(200, "[]".to_string()),
        );
        daemon.route("GET", "/events", Response::Events);
        let accept_state = state;
        let handle = thread::spawn(move || {
            for connection in listener.incoming() {
                if accept_state.stopping.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = connection else { continue };
                let id = accept_state.next_connection.fetch_add(1, Ordering::SeqCst);
                if let Ok(clone) = stream.try_clone() {
                    lock(&accept_state.connections).insert(id, clone);
                }
                let state = accept_state.clone();
                thread::spawn(move || {
                    serve(&state, stream);
                    lock(&state.connections).remove(&id);
                });
            }
        });
        daemon.listener = Some(handle);
        daemon
    }

    /// `unix:///tmp/.../docker.sock`.
    pub fn endpoint(&self) -> String {
        format!("unix://{}", self.socket.display())
    }

    pub fn socket_path(&self) -> PathBuf {
        self.socket.clone()
    }

    /// Answers requests whose path (without `/vN.NN`) starts with `path_prefix`; the route
    /// added last wins.
    pub fn route(&self, method: &str, path_prefix: &str, response: Response) {
        lock(&self.state.routes).push(Route {
            method: method.to_string(),
            prefix: path_prefix.to_string(),
            response,
        });
    }

    /// The `API-Version` header sent on every answer (default `1.41`).
    pub fn set_api_version(&self, version: &str) {
        *lock(&self.state.api_version) = version.to_string();
    }

    /// `GET /containers/json?...` lines in order, version prefix stripped.
    pub fn requests(&self) -> Vec<String> {
        lock(&self.state.requests).clone()
    }

    /// Request lines as sent, with the version prefix.
    pub fn raw_requests(&self) -> Vec<String> {
        lock(&self.state.raw_requests).clone()
    }

    /// How many requests start with `GET /containers/json` (say).
    pub fn count(&self, method_and_path_prefix: &str) -> usize {
        lock(&self.state.requests)
            .iter()
            .filter(|line| line.starts_with(method_and_path_prefix))
            .count()
    }

    /// Forgets the requests seen so far.
    pub fn clear_requests(&self) {
        lock(&self.state.requests).clear();
        lock(&self.state.raw_requests).clear();
    }

    /// Sends one JSON line (a newline is added) to every open `/events` stream.
    pub fn push_event(&self, json_line: &str) {
        let line = format!("{}\n", json_line.trim_end_matches('\n'));
        lock(&self.state.streams).retain(|stream| stream.send(Some(line.clone())).is_ok());
    }

    /// The number of `/events` streams currently open.
    pub fn event_streams(&self) -> usize {
        lock(&self.state.streams).len()
    }

    /// Ends every open `/events` stream (final chunk, then the connection closes).
    pub fn close_event_streams(&self) {
        for stream in lock(&self.state.streams).drain(..) {
            let _ = stream.send(None);
        }
    }

    /// Closes every open connection (idle keep-alive ones, event streams, hanging
    /// requests) the way a daemon restart does; the socket keeps accepting.
    pub fn drop_connections(&self) {
        for (_, connection) in lock(&self.state.connections).drain() {
            let _ = connection.shutdown(std::net::Shutdown::Both);
        }
        lock(&self.state.streams).clear();
    }

    /// Serves these containers (full inspect JSON objects): `/containers/json` lists them
    /// and `/containers/{id}/json` answers each one's inspect JSON.
    pub fn containers(&self, list: &[serde_json::Value]) {
        let mut entries = Vec::new();
        for inspect in list {
            let id = inspect
                .get("Id")
                .and_then(|id| id.as_str())
                .unwrap_or_default()
                .to_string();
            let name = inspect
                .get("Name")
                .and_then(|name| name.as_str())
                .unwrap_or_default();
            let mut entry = serde_json::json!({
                "Id": id,
                "Names": [format!("/{}", name.trim_start_matches('/'))],
            });
            if let Some(image) = inspect.pointer("/Config/Image") {
                entry["Image"] = image.clone();
            }
            if let Some(labels) = inspect.pointer("/Config/Labels") {
                entry["Labels"] = labels.clone();
            }
            if let Some(status) = inspect.pointer("/State/Status") {
                entry["State"] = status.clone();
            }
            entries.push(entry);
            self.route(
                "GET",
                &format!("/containers/{id}/json"),
                Response::Json(200, inspect.to_string()),
            );
        }
        self.route(
            "GET",
            "/containers/json",
            Response::Json(200, serde_json::Value::Array(entries).to_string()),
        );
    }
}

impl Drop for FakeDaemon {
    fn drop(&mut self) {
        self.state.stopping.store(true, Ordering::SeqCst);
        self.close_event_streams();
        // Wake the accept loop so that it sees the flag; if the socket file is gone the
        // loop cannot be woken and its thread is left behind rather than waited for.
        let woken = UnixStream::connect(&self.socket).is_ok();
        if let Some(handle) = self.listener.take() {
            if woken {
                let _ = handle.join();
            }
        }
        self.drop_connections();
        let _ = std::fs::remove_file(&self.socket);
        if let Some(directory) = &self.directory {
            let _ = std::fs::remove_dir_all(directory);
        }
    }
}

/// `/v1.41/containers/json` ⇒ `/containers/json`.
fn strip_version(target: &str) -> &str {
    if let Some(rest) = target.strip_prefix("/v") {
        if let Some(slash) = rest.find('/') {
            let version = &rest[..slash];
            if !version.is_empty()
                && version
                    .bytes()
                    .all(|byte| byte.is_ascii_digit() || byte == b'.')
            {
                return &rest[slash..];
            }
        }
    }
    target
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        204 => "No Content",
        304 => "Not Modified",
        400 => "Bad Request",
        404 => "Not Found",
        409 => "Conflict",
        500 => "Internal Server Error",
        _ => "Status",
    }
}

/// Serves requests on one connection until it closes or a response ends it.
fn serve(state: &State, stream: UnixStream) {
    let Ok(write_half) = stream.try_clone() else {
        return;
    };
    let mut writer = write_half;
    let mut reader = BufReader::new(stream);
    loop {
        let mut request_line = String::new();
        match reader.read_line(&mut request_line) {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        let mut content_length = 0usize;
        let mut close_after = false;
        loop {
            let mut header = String::new();
            match reader.read_line(&mut header) {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
            let header = header.trim_end();
            if header.is_empty() {
                break;
            }
            if let Some((name, value)) = header.split_once(':') {
                if name.eq_ignore_ascii_case("content-length") {
                    content_length = value.trim().parse().unwrap_or(0);
                }
                if name.eq_ignore_ascii_case("connection")
                    && value.trim().eq_ignore_ascii_case("close")
                {
                    close_after = true;
                }
            }
        }
        if content_length > 0 {
            let mut body = vec![0u8; content_length];
            if reader.read_exact(&mut body).is_err() {
                return;
            }
        }
        if state.stopping.load(Ordering::SeqCst) {
            return;
        }
        let mut parts = request_line.split_whitespace();
        let method = parts.next().unwrap_or("").to_string();
        let target = parts.next().unwrap_or("").to_string();
        let stripped = strip_version(&target).to_string();
        lock(&state.raw_requests).push(format!("{method} {target}"));
        lock(&state.requests).push(format!("{method} {stripped}"));
        let response = lock(&state.routes)
            .iter()
            .rev()
            .find(|route| route.method == method && stripped.starts_with(&route.prefix))
            .map(|route| route.response.clone())
            .unwrap_or_else(|| Response::Json(404, r#"{"message":"page not found"}"#.to_string()));
        let api_version = lock(&state.api_version).clone();
        match response {
            Response::Json(status, body) => {
                let body = if method == "HEAD" {
                    String::new()
                } else {
                    body
                };
                let head = format!(
                    "HTTP/1.1 {status} {}\r\nApi-Version: {api_version}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
                    reason(status),
                    body.len()
                );
                if writer.write_all(head.as_bytes()).is_err()
                    || writer.write_all(body.as_bytes()).is_err()
                    || close_after
                {
                    let _ = writer.shutdown(std::net::Shutdown::Both);
                    return;
                }
            }
            Response::Raw(bytes) => {
                let _ = writer.write_all(&bytes);
                let _ = writer.shutdown(std::net::Shutdown::Both);
                return;
            }
            Response::Hang => {
                while !state.stopping.load(Ordering::SeqCst) {
                    thread::sleep(Duration::from_millis(20));
                }
                return;
            }
            Response::Close => {
                let _ = writer.shutdown(std::net::Shutdown::Both);
                return;
            }
            Response::Events => {
                stream_events(state, writer, &api_version);
                return;
            }
        }
    }
}

/// Writes a chunked `/events` answer and then each pushed line as a chunk until closed.
fn stream_events(state: &State, mut writer: UnixStream, api_version: &str) {
    let (sender, receiver): (Sender<Option<String>>, Receiver<Option<String>>) = mpsc::channel();
    // Registered before the headers go out, so that a client that has its response can
    // rely on `push_event` reaching it.
    lock(&state.streams).push(sender);
    let head = format!(
        "HTTP/1.1 200 OK\r\nApi-Version: {api_version}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
    );
    if writer.write_all(head.as_bytes()).is_err() {
        return;
    }
    loop {
        match receiver.recv_timeout(Duration::from_millis(50)) {
            Ok(Some(line)) => {
                let chunk = format!("{:x}\r\n{line}\r\n", line.len());
                if writer.write_all(chunk.as_bytes()).is_err() {
                    return;
                }
            }
            Ok(None) | Err(RecvTimeoutError::Disconnected) => break,
            Err(RecvTimeoutError::Timeout) => {
                if state.stopping.load(Ordering::SeqCst) {
                    break;
                }
            }
        }
    }
    let _ = writer.write_all(b"0\r\n\r\n");
    let _ = writer.shutdown(std::net::Shutdown::Both);
}
