//! The run loop: one-shot renders, and the long-running service of `-watch` and `-interval`.
//!
//! Threads (DESIGN.md "Threads"): an events thread reads `GET /events` and reconnects with
//! back-off; a debounce thread owns the `-wait` timers; a signal thread turns signals into
//! messages; the main thread owns the `Generator` and renders in-line. Every thread ends on
//! shutdown and is joined. Time comes from `recv_timeout` deadlines, never from sleeps.
//! Errors inside the loop are logged where they happen and never end the service.

use crate::cli::Args;
use crate::config::{Config, Filters, Mode};
use crate::debounce;
use crate::docker::{Client, DockerEvent, ShutdownHandle};
use crate::error::{Error, ErrorKind, Result};
use crate::generate::Generator;
use crate::output::{self, Output};
use crate::snapshot::Snapshot;
use crate::template::Template;
use signal_hook::consts::{SIGHUP, SIGINT, SIGQUIT, SIGTERM};
use signal_hook::iterator::Signals;
use std::collections::{BTreeSet, HashMap};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

/// docker-gen pings the daemon after this much silence on the events stream (spec §5.8).
const PING_AFTER_SILENCE: Duration = Duration::from_secs(10);

/// How long a terminating signal waits for the main thread before the process exits anyway.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(2);

/// While a template fails, its files are checked this often so a fix renders at once.
const BROKEN_TEMPLATE_CHECK: Duration = Duration::from_secs(1);

/// What the main thread reacts to.
enum Message {
    /// The events stream is (again) connected.
    Connected,
    /// The events stream ended or could not be opened.
    Interrupted,
    Event(DockerEvent),
    /// The debounce timers of the config with this index fired.
    Render(usize),
    Signal(i32),
}

/// Runs tinygen and returns the exit status: renders every template once and, with
/// `-watch` or `-interval`, keeps them current until SIGINT, SIGTERM or SIGQUIT; or runs one
/// of the tooling modes (`-dry-run`, `-dump-context`, `-check-template`).
pub fn run(args: &Args, signals: Signals) -> Result<u8> {
    let config = Config::resolve(args, &|name| std::env::var(name).ok())?;
    let long_running = config.mode == Mode::Render
        && (config.watches()
            || config
                .templates
                .iter()
                .any(|template| template.interval > 0));
    if long_running {
        Service::start(&config, generator(&config)?, signals).run();
        return Ok(0);
    }
    // Everything else runs once: SIGHUP stays ignored, the other signals end the process as
    // their default actions would (a hung request must not make it deaf to SIGTERM).
    let handle = signals.handle();
    let default_actions = spawn("signals", move || {
        let mut signals = signals;
        for signal in signals.forever() {
            if signal != SIGHUP {
                let _ = signal_hook::low_level::emulate_default_handler(signal);
            }
        }
    });
    let result = run_once(&config);
    handle.close();
    let _ = default_actions.join();
    result
}

/// The generator for `config`: the daemon's client and, with `-context`, the context file.
fn generator(config: &Config) -> Result<Generator> {
    let client = Client::new(&config.endpoint, &config.tls)?;
    let offline = config
        .context_file
        .as_deref()
        .map(Snapshot::load)
        .transpose()?;
    Ok(Generator::new(config, client, offline))
}

/// One-shot renders and the tooling modes.
fn run_once(config: &Config) -> Result<u8> {
    if config.mode == Mode::CheckTemplate {
        return Ok(check_templates(config));
    }
    let mut generator = generator(config)?;
    match &config.mode {
        Mode::DryRun => Ok(dry_run(&mut generator, config.templates.len())),
        Mode::DumpContext(path) => {
            // The first template's container filters choose what is dumped.
            let snapshot = generator.snapshot(0)?;
            Output::new(Some(path.clone())).write(snapshot.to_json().as_bytes())?;
            log!(
                "Wrote the context of {} containers to '{}'",
                snapshot.containers.len(),
                path.display()
            );
            Ok(0)
        }
        Mode::Render | Mode::CheckTemplate => {
            // A listing or template error is an error (exit 1); docker-gen exits 0 after a
            // listing error, which hides an unreachable daemon from scripts.
            for index in 0..config.templates.len() {
                generator.render(index, false)?;
            }
            Ok(0)
        }
    }
}

/// `-check-template`: parses every template without a daemon; 1 if any fails.
fn check_templates(config: &Config) -> u8 {
    let mut failed = false;
    for template in &config.templates {
        match Template::load(&template.template) {
            Ok(_) => println!("{}: ok", template.template),
            Err(error) => {
                println!("{error}");
                failed = true;
            }
        }
    }
    u8::from(failed)
}

/// `-dry-run`: renders every template once and prints what would change; writes and
/// notifies nothing. 0 when nothing would change, 1 when something would, 2 on an error.
fn dry_run(generator: &mut Generator, templates: usize) -> u8 {
    let mut changed = false;
    for index in 0..templates {
        let preview = match generator.preview(index) {
            Ok(preview) => preview,
            Err(error) => {
                log!("{error}");
                return 2;
            }
        };
        let name = preview
            .dest
            .as_ref()
            .map(|dest| dest.display().to_string())
            .unwrap_or_else(|| "stdout".to_string());
        let current = String::from_utf8_lossy(&preview.current);
        if preview.dest.is_some() && current == preview.new {
            println!("{name}: unchanged");
            continue;
        }
        changed = true;
        print!("{}", output::unified_diff(&name, &current, &preview.new));
    }
    u8::from(changed)
}

/// Takes over SIGHUP, SIGINT, SIGTERM and SIGQUIT; `main` calls this first of all, so that an
/// early SIGHUP cannot kill the process (spec §1.1). The signals queue up until the service
/// reads them.
pub fn install_signal_handlers() -> Result<Signals> {
    Signals::new([SIGHUP, SIGINT, SIGTERM, SIGQUIT]).map_err(|error| {
        Error::new(
            ErrorKind::Io,
            format!("installing signal handlers: {error}"),
        )
    })
}

/// The long-running state of the main thread.
struct Service {
    generator: Generator,
    messages: Receiver<Message>,
    /// Feeds the debounce thread; dropped on shutdown.
    bursts: Option<Sender<()>>,
    events_stop: Option<Sender<()>>,
    events: Arc<EventsControl>,
    signals_handle: signal_hook::iterator::Handle,
    /// Dropped when the main thread starts to shut down (see the signal thread).
    stopping: Option<Sender<()>>,
    threads: Vec<JoinHandle<()>>,
    watching: bool,
    connected: bool,
    /// The events stream has connected at least once.
    synced_once: bool,
    last_activity: Instant,
    next_tick: Vec<Option<Instant>>,
    intervals: Vec<u64>,
    /// Configs whose last render failed on the template, by index.
    broken: BTreeSet<usize>,
    /// Last health status per container, to drop Podman's repeated health events.
    health: HashMap<String, String>,
}

impl Service {
    fn start(config: &Config, generator: Generator, mut signals: Signals) -> Service {
        let (sender, messages) = mpsc::channel();
        let mut threads = Vec::new();
        let signals_handle = signals.handle();
        let signal_sender = sender.clone();
        let (stopping, stopped) = mpsc::channel::<()>();
        threads.push(spawn("signals", move || {
            for signal in signals.forever() {
                if signal_sender.send(Message::Signal(signal)).is_err() {
                    break;
                }
                // The main thread may be blocked on a daemon that accepts requests and never
                // answers (up to the 30 s request timeout): exit at once anyway, as promised.
                if signal != SIGHUP
                    && stopped.recv_timeout(SHUTDOWN_GRACE) == Err(RecvTimeoutError::Timeout)
                {
                    log!("Exiting without waiting for a blocked request to the daemon");
                    std::process::exit(0);
                }
            }
        }));

        let watching = config.watches();
        let mut bursts = None;
        let mut events_stop = None;
        let events = Arc::new(EventsControl::default());
        if watching {
            let (burst_sender, burst_receiver) = mpsc::channel::<()>();
            let waits: Vec<_> = config
                .templates
                .iter()
                .map(|template| if template.watch { template.wait } else { None })
                .collect();
            let watched: Vec<bool> = config
                .templates
                .iter()
                .map(|template| template.watch)
                .collect();
            let render_sender = sender.clone();
            threads.push(spawn("debounce", move || {
                let debouncers = waits.into_iter().map(debounce::Debouncer::new).collect();
                debounce::run(debouncers, burst_receiver, |index, ()| {
                    !watched[index] || render_sender.send(Message::Render(index)).is_ok()
                })
            }));
            bursts = Some(burst_sender);

            let (stop_sender, stop_receiver) = mpsc::channel::<()>();
            let client = generator.client().clone();
            let filters = config.event_filters.clone();
            let event_sender = sender.clone();
            let control = events.clone();
            threads.push(spawn("events", move || {
                read_events(&client, &filters, &event_sender, &stop_receiver, &control)
            }));
            events_stop = Some(stop_sender);
        }
        drop(sender);

        let now = Instant::now();
        let intervals: Vec<u64> = config
            .templates
            .iter()
            .map(|template| template.interval)
            .collect();
        let next_tick = intervals
            .iter()
            .map(|seconds| (*seconds > 0).then(|| now + Duration::from_secs(*seconds)))
            .collect();
        for seconds in intervals.iter().filter(|seconds| **seconds > 0) {
            log!("Generating every {seconds} seconds");
        }
        Service {
            generator,
            messages,
            bursts,
            events_stop,
            events,
            signals_handle,
            stopping: Some(stopping),
            threads,
            watching,
            connected: false,
            synced_once: false,
            last_activity: now,
            next_tick,
            intervals,
            broken: BTreeSet::new(),
            health: HashMap::new(),
        }
    }

    /// The main loop; returns after a terminating signal, with every thread joined.
    fn run(mut self) {
        if !self.watching {
            // Interval only: the first render is now (spec §5.1), the ticks follow.
            self.render_all();
        }
        loop {
            let deadline = self.next_deadline();
            let message = match deadline {
                Some(deadline) => self
                    .messages
                    .recv_timeout(deadline.saturating_duration_since(Instant::now())),
                None => self
                    .messages
                    .recv()
                    .map_err(|_| RecvTimeoutError::Disconnected),
            };
            match message {
                Ok(message) => {
                    // Coalesce whatever else is already queued into this round.
                    let mut batch = vec![message];
                    batch.extend(self.messages.try_iter());
                    if !self.handle(batch) {
                        break;
                    }
                }
                Err(RecvTimeoutError::Timeout) => self.on_deadline(),
                Err(RecvTimeoutError::Disconnected) => break,
            }
        }
        self.shutdown();
    }

    /// The earliest of: the next interval tick, the liveness ping, the broken-template check.
    fn next_deadline(&self) -> Option<Instant> {
        let ping =
            (self.watching && self.connected).then(|| self.last_activity + PING_AFTER_SILENCE);
        let broken = (!self.broken.is_empty()).then(|| Instant::now() + BROKEN_TEMPLATE_CHECK);
        self.next_tick
            .iter()
            .flatten()
            .copied()
            .chain(ping)
            .chain(broken)
            .min()
    }

    /// Handles one batch of messages; false means shut down.
    fn handle(&mut self, batch: Vec<Message>) -> bool {
        let mut render: BTreeSet<usize> = BTreeSet::new();
        let mut render_everything = false;
        let mut burst = false;
        for message in batch {
            match message {
                Message::Signal(signal) => {
                    log!("Received signal: {}", signal_name(signal));
                    if signal != SIGHUP {
                        return false;
                    }
                    // A HUP asks for a full refresh, as docker-gen's full pass does.
                    self.generator.invalidate_all();
                    render_everything = true;
                }
                Message::Connected => {
                    log!("Watching docker events");
                    self.connected = true;
                    self.last_activity = Instant::now();
                    // Events may have been missed while disconnected: forget what was
                    // inspected and render everything (spec §5.5).
                    if self.synced_once {
                        self.generator.invalidate_all();
                    }
                    self.synced_once = true;
                    render_everything = true;
                }
                Message::Interrupted => self.connected = false,
                Message::Event(event) => {
                    self.last_activity = Instant::now();
                    if self.on_event(&event) {
                        burst = true;
                    }
                }
                Message::Render(index) => {
                    render.insert(index);
                }
            }
        }
        if burst {
            if let Some(bursts) = &self.bursts {
                let _ = bursts.send(());
            }
        }
        if render_everything {
            self.render_all();
        } else {
            for index in render {
                self.render(index, false);
            }
        }
        true
    }

    /// Logs an event and invalidates what it names; false when it changes nothing.
    fn on_event(&mut self, event: &DockerEvent) -> bool {
        let id = event
            .attributes
            .get("container")
            .filter(|_| event.kind == "network")
            .unwrap_or(&event.actor_id);
        if let Some(status) = health_status(event) {
            // Podman repeats health_status on every check; only a change matters.
            if self.health.get(id) == Some(&status) {
                return false;
            }
            self.health.insert(id.clone(), status);
        }
        if event.action == "destroy" {
            self.health.remove(id);
        }
        log!(
            "Received event {} for {} {}",
            event.action,
            event.kind,
            event.short_id()
        );
        self.generator.invalidate(id);
        true
    }

    fn on_deadline(&mut self) {
        let now = Instant::now();
        for index in 0..self.next_tick.len() {
            if self.next_tick[index].is_some_and(|tick| tick <= now) {
                self.render(index, true);
                // Ticks do not queue up behind a slow render (spec §5.7).
                self.next_tick[index] =
                    Some(Instant::now() + Duration::from_secs(self.intervals[index]));
            }
        }
        if self.watching && self.connected && now >= self.last_activity + PING_AFTER_SILENCE {
            self.last_activity = now;
            if let Err(error) = self.generator.client().ping() {
                log!("Unable to ping docker daemon: {error}");
                // Closing the stream makes the events thread reconnect.
                self.events.close_stream();
            }
        }
        let fixed: Vec<usize> = self
            .broken
            .iter()
            .copied()
            .filter(|index| self.generator.template_changed(*index))
            .collect();
        for index in fixed {
            self.render(index, false);
        }
    }

    fn render_all(&mut self) {
        for index in 0..self.intervals.len() {
            self.render(index, false);
        }
    }

    /// Renders one config; an error is logged and the previous output stays.
    fn render(&mut self, index: usize, force_notify: bool) {
        match self.generator.render(index, force_notify) {
            Ok(_) => {
                self.broken.remove(&index);
            }
            Err(error) => {
                if error.kind == crate::error::ErrorKind::Template {
                    log!("Template error: {error}");
                    self.broken.insert(index);
                } else if error.kind == crate::error::ErrorKind::Docker {
                    log!("Error listing containers: {error}");
                } else {
                    log!("{error}");
                }
            }
        }
    }

    /// Stops and joins every thread.
    fn shutdown(mut self) {
        self.stopping = None;
        self.signals_handle.close();
        self.bursts = None;
        self.events_stop = None;
        self.events.stop();
        for thread in std::mem::take(&mut self.threads) {
            let _ = thread.join();
        }
    }
}

/// The status a health event reports: Docker's `health_status: healthy` action, or
/// Podman's bare `health_status` with the status in the attributes.
fn health_status(event: &DockerEvent) -> Option<String> {
    let status = event.action.strip_prefix("health_status")?;
    let status = status.trim_start_matches(':').trim();
    if !status.is_empty() {
        return Some(status.to_string());
    }
    Some(
        event
            .attributes
            .get("health_status")
            .cloned()
            .unwrap_or_default(),
    )
}

fn signal_name(signal: i32) -> &'static str {
    match signal {
        SIGHUP => "hangup",
        SIGINT => "interrupt",
        SIGTERM => "terminated",
        SIGQUIT => "quit",
        _ => "signal",
    }
}

fn spawn(name: &str, body: impl FnOnce() + Send + 'static) -> JoinHandle<()> {
    thread::Builder::new()
        .name(name.to_string())
        .spawn(body)
        .expect("the system can start a thread")
}

/// Exponential back-off between reconnection attempts: 100 ms doubling to 10 s.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Backoff {
    next: Duration,
}

impl Backoff {
    pub const FIRST: Duration = Duration::from_millis(100);
    pub const MAX: Duration = Duration::from_secs(10);

    pub fn new() -> Backoff {
        Backoff {
            next: Backoff::FIRST,
        }
    }

    /// The wait before the next attempt; each failure doubles the following one.
    pub fn fail(&mut self) -> Duration {
        let wait = self.next;
        self.next = (self.next * 2).min(Backoff::MAX);
        wait
    }

    /// After a success the next failure waits the shortest time again.
    pub fn reset(&mut self) {
        self.next = Backoff::FIRST;
    }
}

/// Shared between the main thread and the events thread: the open stream's shutdown handle
/// and the stop flag. The events thread publishes a handle, then checks the flag; the main
/// thread sets the flag, then closes the published handle; so one of them always sees the
/// other and a stop never leaves the events thread blocked on a read.
#[derive(Default)]
struct EventsControl {
    stopped: AtomicBool,
    stream: Mutex<Option<ShutdownHandle>>,
}

impl EventsControl {
    fn publish(&self, handle: ShutdownHandle) -> bool {
        *self
            .stream
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(handle);
        !self.stopped.load(Ordering::SeqCst)
    }

    fn close_stream(&self) {
        if let Some(handle) = self
            .stream
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .take()
        {
            handle.shutdown();
        }
    }

    fn stop(&self) {
        self.stopped.store(true, Ordering::SeqCst);
        self.close_stream();
    }
}

/// The events thread: connect, forward events, reconnect with back-off; logs each transition
/// once. Ends when `stop` is dropped.
fn read_events(
    client: &Client,
    filters: &Filters,
    messages: &Sender<Message>,
    stop: &Receiver<()>,
    control: &EventsControl,
) {
    let mut backoff = Backoff::new();
    let mut failing = false;
    loop {
        match client.events(filters) {
            Ok(mut stream) => {
                if failing {
                    log!("Connection to docker daemon restored");
                }
                failing = false;
                backoff.reset();
                if !control.publish(stream.shutdown_handle())
                    || messages.send(Message::Connected).is_err()
                {
                    return;
                }
                // A stop request closes the stream through the handle, ending this loop.
                for item in stream.by_ref() {
                    match item {
                        Ok(event) => {
                            if messages.send(Message::Event(event)).is_err() {
                                return;
                            }
                        }
                        Err(error) => log!("Skipping malformed event: {error}"),
                    }
                }
                if control.stopped.load(Ordering::SeqCst) {
                    return;
                }
                log!("Docker daemon connection interrupted");
                let _ = messages.send(Message::Interrupted);
            }
            Err(error) => {
                if !failing {
                    log!("Unable to connect to docker daemon: {error}; retrying with back-off up to {} s", Backoff::MAX.as_secs());
                    let _ = messages.send(Message::Interrupted);
                }
                failing = true;
            }
        }
        match stop.recv_timeout(backoff.fail()) {
            Err(RecvTimeoutError::Timeout) => {}
            _ => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_to_ten_seconds_and_resets() {
        let mut backoff = Backoff::new();
        let waits: Vec<u64> = (0..9).map(|_| backoff.fail().as_millis() as u64).collect();
        assert_eq!(
            waits,
            [100, 200, 400, 800, 1600, 3200, 6400, 10_000, 10_000]
        );
        backoff.reset();
        assert_eq!(backoff.fail(), Duration::from_millis(100));
    }

    #[test]
    fn health_status_from_docker_and_podman_events() {
        let docker = DockerEvent {
            action: "health_status: healthy".into(),
            ..DockerEvent::default()
        };
        assert_eq!(health_status(&docker).as_deref(), Some("healthy"));
        let mut podman = DockerEvent {
            action: "health_status".into(),
            ..DockerEvent::default()
        };
        podman
            .attributes
            .insert("health_status".into(), "unhealthy".into());
        assert_eq!(health_status(&podman).as_deref(), Some("unhealthy"));
        let start = DockerEvent {
            action: "start".into(),
            ..DockerEvent::default()
        };
        assert_eq!(health_status(&start), None);
    }
}
