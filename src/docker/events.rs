//! The `/events` stream: splitting the chunked body into bounded lines, turning each JSON
//! object into a `DockerEvent` (new and legacy shapes), and stopping a blocked reader from
//! another thread. Never interprets what an event means for rendering.

use crate::error::{Error, Result};
use std::collections::{BTreeMap, VecDeque};
use std::io::{self, Read};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// The longest event line accepted; a longer one is reported and skipped.
pub const MAX_LINE: usize = 1024 * 1024;

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

#[allow(dead_code)] // Until the watcher logs events.
impl DockerEvent {
    /// The actor ID cut to 12 characters for log lines (safe on shorter IDs, unlike Go).
    pub fn short_id(&self) -> &str {
        match self.actor_id.char_indices().nth(12) {
            Some((index, _)) => &self.actor_id[..index],
            None => &self.actor_id,
        }
    }
}

/// Reads one event from its JSON object. `Ok(None)` for events to skip (`time == 0`, as
/// go-dockerclient does). Old daemons (API < 1.22) send only `status`/`id`/`from`; those map
/// to `Action`/`Actor.ID`/`Actor.Attributes.image` like go-dockerclient's `transformEvent`.
pub fn parse_event(value: &serde_json::Value) -> Result<Option<DockerEvent>> {
    let Some(object) = value.as_object() else {
        return Err(Error::docker(format!(
            "event is not a JSON object: {}",
            clip(&value.to_string())
        )));
    };
    let text = |key: &str| {
        object
            .get(key)
            .and_then(serde_json::Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    let time = match object.get("time") {
        Some(serde_json::Value::Number(number)) => number
            .as_i64()
            .or_else(|| number.as_f64().map(|float| float as i64))
            .unwrap_or(0),
        _ => 0,
    };
    if time == 0 {
        return Ok(None);
    }
    let mut event = DockerEvent {
        kind: text("Type"),
        action: text("Action"),
        time,
        ..DockerEvent::default()
    };
    if event.kind.is_empty() && event.action.is_empty() {
        let status = text("status");
        event.kind = match status.as_str() {
            "delete" | "import" | "pull" | "push" | "tag" | "untag" => "image".to_string(),
            _ => "container".to_string(),
        };
        event.actor_id = text("id");
        let from = text("from");
        if event.kind == "container" && !from.is_empty() {
            event.attributes.insert("image".to_string(), from);
        }
        event.action = status;
        return Ok(Some(event));
    }
    if let Some(actor) = object.get("Actor").and_then(serde_json::Value::as_object) {
        event.actor_id = actor
            .get("ID")
            .and_then(serde_json::Value::as_str)
            .unwrap_or("")
            .to_string();
        if let Some(attributes) = actor
            .get("Attributes")
            .and_then(serde_json::Value::as_object)
        {
            for (key, value) in attributes {
                let value = match value {
                    serde_json::Value::String(text) => text.clone(),
                    other => other.to_string(),
                };
                event.attributes.insert(key.clone(), value);
            }
        }
    }
    if event.actor_id.is_empty() {
        event.actor_id = text("id");
    }
    if event.action.is_empty() {
        event.action = text("status");
    }
    Ok(Some(event))
}

/// Stops an `EventStream` from another thread.
#[allow(dead_code)] // Until the watcher stops streams.
#[derive(Clone, Debug)]
pub struct ShutdownHandle {
    stopped: Arc<AtomicBool>,
    agent: ureq::Agent,
}

#[allow(dead_code)]
impl ShutdownHandle {
    /// Closes the stream's connection: a `next()` blocked on it returns, and every later
    /// `next()` returns `None`. The stream has an agent of its own, so this closes nothing
    /// else; with TLS it shuts down the TCP socket under the TLS session.
    pub fn shutdown(&self) {
        self.stopped.store(true, Ordering::SeqCst);
        self.agent.clone().shutdown();
    }
}

/// The events of one `GET /events` response, as an iterator. A malformed or over-long line
/// is an `Err` item and reading goes on; EOF, a read error or a shutdown end it.
pub struct EventStream {
    reader: Box<dyn Read + Send>,
    /// Bytes read and not yet split into lines.
    buffer: Vec<u8>,
    /// Parsed items waiting to be handed out (a line may hold several objects).
    pending: VecDeque<Result<DockerEvent>>,
    /// Dropping bytes up to the next newline after an over-long line.
    skipping: bool,
    finished: bool,
    stopped: Arc<AtomicBool>,
    agent: ureq::Agent,
    /// `endpoint: GET /events` for error messages.
    context: String,
}

impl EventStream {
    pub(super) fn new(
        reader: Box<dyn Read + Send>,
        agent: ureq::Agent,
        context: String,
    ) -> EventStream {
        EventStream {
            reader,
            buffer: Vec::new(),
            pending: VecDeque::new(),
            skipping: false,
            finished: false,
            stopped: Arc::new(AtomicBool::new(false)),
            agent,
            context,
        }
    }

    /// A handle that stops this stream from another thread.
    #[allow(dead_code)]
    pub fn shutdown_handle(&self) -> ShutdownHandle {
        ShutdownHandle {
            stopped: self.stopped.clone(),
            agent: self.agent.clone(),
        }
    }

    fn stopped(&self) -> bool {
        self.stopped.load(Ordering::SeqCst)
    }

    /// Parses one complete line into `pending`.
    fn take_line(&mut self, line: &[u8]) {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.iter().all(u8::is_ascii_whitespace) {
            return;
        }
        // docker-gen's decoder also accepts objects back to back, so a line may hold several.
        for value in serde_json::Deserializer::from_slice(line).into_iter::<serde_json::Value>() {
            match value {
                Ok(value) => match parse_event(&value) {
                    Ok(Some(event)) => self.pending.push_back(Ok(event)),
                    Ok(None) => {}
                    Err(error) => self.pending.push_back(Err(self.error(&error.message))),
                },
                Err(error) => {
                    let message = format!(
                        "invalid JSON: {error}: {}",
                        clip(&String::from_utf8_lossy(line))
                    );
                    self.pending.push_back(Err(self.error(&message)));
                    break;
                }
            }
        }
    }

    /// Splits every complete line out of the buffer; handles the over-long case.
    fn split_lines(&mut self) {
        let mut start = 0;
        while let Some(offset) = self.buffer[start..].iter().position(|&byte| byte == b'\n') {
            let end = start + offset;
            if self.skipping {
                self.skipping = false;
            } else {
                let line = self.buffer[start..end].to_vec();
                self.take_line(&line);
            }
            start = end + 1;
        }
        self.buffer.drain(..start);
        if self.buffer.len() > MAX_LINE {
            self.buffer.clear();
            if !self.skipping {
                self.skipping = true;
                let message = format!("event line longer than {MAX_LINE} bytes, skipped");
                self.pending.push_back(Err(self.error(&message)));
            }
        }
    }

    fn error(&self, message: &str) -> Error {
        Error::docker(format!("{}: {message}", self.context))
    }
}

impl Iterator for EventStream {
    type Item = Result<DockerEvent>;

    fn next(&mut self) -> Option<Result<DockerEvent>> {
        loop {
            if self.stopped() {
                return None;
            }
            if let Some(item) = self.pending.pop_front() {
                return Some(item);
            }
            if self.finished {
                return None;
            }
            let mut chunk = [0u8; 8192];
            match self.reader.read(&mut chunk) {
                Ok(0) => {
                    self.finished = true;
                    // A last line without its newline still counts.
                    if !self.skipping && !self.buffer.is_empty() {
                        let line = std::mem::take(&mut self.buffer);
                        self.take_line(&line);
                    }
                }
                Ok(amount) => {
                    self.buffer.extend_from_slice(&chunk[..amount]);
                    self.split_lines();
                }
                Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
                Err(error) => {
                    self.finished = true;
                    if self.stopped() {
                        return None;
                    }
                    return Some(Err(self.error(&super::io_message(&error))));
                }
            }
        }
    }
}

/// At most 200 characters of a text, for error messages about bad input.
fn clip(text: &str) -> String {
    match text.char_indices().nth(200) {
        Some((index, _)) => format!("{}...", &text[..index]),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn event(value: serde_json::Value) -> Option<DockerEvent> {
        parse_event(&value).unwrap()
    }

    #[test]
    fn new_shape() {
        let parsed = event(json!({
            "Type": "container", "Action": "health_status: healthy", "status": "health_status: healthy",
            "id": "abc", "from": "nginx",
            "Actor": {"ID": "0123456789abcdef0123", "Attributes": {"name": "web", "image": "nginx", "exitCode": 0}},
            "time": 1700000000, "timeNano": 1700000000000000000u64
        }))
        .unwrap();
        assert_eq!(parsed.kind, "container");
        assert_eq!(parsed.action, "health_status: healthy");
        assert_eq!(parsed.actor_id, "0123456789abcdef0123");
        assert_eq!(parsed.attributes["name"], "web");
        assert_eq!(parsed.attributes["exitCode"], "0");
        assert_eq!(parsed.time, 1_700_000_000);
        assert_eq!(parsed.short_id(), "0123456789ab");
    }

    #[test]
    fn network_event_names_container_in_attributes() {
        let parsed = event(json!({
            "Type": "network", "Action": "connect",
            "Actor": {"ID": "netid", "Attributes": {"container": "c1", "name": "bridge", "type": "bridge"}},
            "time": 5
        }))
        .unwrap();
        assert_eq!(
            (
                parsed.kind.as_str(),
                parsed.action.as_str(),
                parsed.actor_id.as_str()
            ),
            ("network", "connect", "netid")
        );
        assert_eq!(parsed.attributes["container"], "c1");
        assert_eq!(parsed.short_id(), "netid");
    }

    #[test]
    fn legacy_shape() {
        let parsed =
            event(json!({"status": "start", "id": "deadbeef", "from": "busybox", "time": 10}))
                .unwrap();
        assert_eq!(parsed.kind, "container");
        assert_eq!(parsed.action, "start");
        assert_eq!(parsed.actor_id, "deadbeef");
        assert_eq!(
            parsed.attributes.get("image").map(String::as_str),
            Some("busybox")
        );
        let image = event(json!({"status": "untag", "id": "sha256:1", "time": 10})).unwrap();
        assert_eq!(image.kind, "image");
        assert!(image.attributes.is_empty());
    }

    #[test]
    fn missing_fields_fall_back() {
        // Type present but no Actor: the ID comes from `id`, the action from `status`.
        let parsed =
            event(json!({"Type": "container", "status": "die", "id": "c2", "time": 3})).unwrap();
        assert_eq!(parsed.action, "die");
        assert_eq!(parsed.actor_id, "c2");
        let bare = event(json!({"Type": "container", "time": 3})).unwrap();
        assert_eq!(bare.action, "");
        assert_eq!(bare.short_id(), "");
    }

    #[test]
    fn zero_or_missing_time_is_skipped() {
        assert_eq!(
            event(json!({"Type": "container", "Action": "start", "time": 0})),
            None
        );
        assert_eq!(event(json!({"Type": "container", "Action": "start"})), None);
    }

    #[test]
    fn non_object_is_an_error() {
        assert!(parse_event(&json!([1, 2]))
            .unwrap_err()
            .message
            .contains("not a JSON object"));
    }

    fn stream(bytes: &[u8]) -> EventStream {
        let agent = ureq::Agent::new_with_defaults();
        EventStream::new(
            Box::new(io::Cursor::new(bytes.to_vec())),
            agent,
            "test: GET /events".to_string(),
        )
    }

    #[test]
    fn stream_skips_bad_lines_and_goes_on() {
        let input = b"{\"Type\":\"container\",\"Action\":\"start\",\"Actor\":{\"ID\":\"a\"},\"time\":1}\n\
            garbage\n\
            \n\
            {\"Type\":\"container\",\"Action\":\"stop\",\"Actor\":{\"ID\":\"b\"},\"time\":0}\n\
            {\"Type\":\"container\",\"Action\":\"die\",\"Actor\":{\"ID\":\"c\"},\"time\":2}{\"status\":\"start\",\"id\":\"d\",\"time\":3}\r\n\
            {\"Type\":\"container\",\"Action\":\"kill\",\"Actor\":{\"ID\":\"e\"},\"time\":4}";
        let items: Vec<_> = stream(input).collect();
        assert_eq!(items.len(), 5, "{items:?}");
        assert_eq!(items[0].as_ref().unwrap().actor_id, "a");
        let error = items[1].as_ref().unwrap_err();
        assert!(
            error
                .message
                .starts_with("test: GET /events: invalid JSON: "),
            "{}",
            error.message
        );
        assert_eq!(items[2].as_ref().unwrap().actor_id, "c");
        assert_eq!(items[3].as_ref().unwrap().actor_id, "d");
        assert_eq!(items[4].as_ref().unwrap().action, "kill");
    }

    #[test]
    fn over_long_line_is_one_error_then_resync() {
        let mut input = vec![b'x'; MAX_LINE + 10_000];
        input.extend_from_slice(b"\n{\"Type\":\"container\",\"Action\":\"start\",\"Actor\":{\"ID\":\"a\"},\"time\":1}\n");
        let items: Vec<_> = stream(&input).collect();
        assert_eq!(items.len(), 2, "{items:?}");
        assert!(items[0]
            .as_ref()
            .unwrap_err()
            .message
            .contains("longer than"));
        assert_eq!(items[1].as_ref().unwrap().actor_id, "a");
    }

    #[test]
    fn shutdown_ends_the_stream() {
        let mut events = stream(b"{\"Type\":\"container\",\"Action\":\"start\",\"time\":1}\n");
        events.shutdown_handle().shutdown();
        assert!(events.next().is_none());
    }
}
