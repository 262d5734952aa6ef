//! Watch mode at the process boundary against the fake daemon: scripted event streams,
//! faults, signals, and the API calls each event costs.

#[path = "support/fake_daemon.rs"]
mod fake_daemon;

use fake_daemon::{FakeDaemon, Response};
use serde_json::{json, Value};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const ID_A: &str = "aaaaaaaaaaaa0000000000000000000000000000000000000000000000000001";
const ID_B: &str = "bbbbbbbbbbbb0000000000000000000000000000000000000000000000000002";

fn inspect(id: &str, name: &str, counter: u32) -> Value {
    json!({
        "Id": id,
        "Name": format!("/{name}"),
        "State": {"Running": true},
        "Config": {"Image": "busybox", "Env": [format!("COUNTER={counter}")], "Labels": {}},
        "NetworkSettings": {"Networks": {"bridge": {"IPAddress": "172.17.0.9"}}}
    })
}

fn event(action: &str, id: &str) -> String {
    json!({"Type": "container", "Action": action, "Actor": {"ID": id, "Attributes": {}}, "time": 1_700_000_000}).to_string()
}

/// A running tinygen with its stderr captured in a file.
struct Tinygen {
    child: Child,
    log: PathBuf,
}

impl Tinygen {
    fn start(dir: &Path, args: &[&str]) -> Tinygen {
        let log = dir.join("tinygen.log");
        let child = Command::new(env!("CARGO_BIN_EXE_tinygen"))
            .args(args)
            .env_remove("DOCKER_HOST")
            .stdout(Stdio::null())
            .stderr(fs::File::create(&log).unwrap())
            .spawn()
            .expect("tinygen starts");
        Tinygen { child, log }
    }

    fn log(&self) -> String {
        fs::read_to_string(&self.log).unwrap_or_default()
    }

    fn signal(&self, signal: &str) {
        let status = Command::new("kill")
            .args([&format!("-{signal}"), &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
    }

    /// Waits for the process to exit; its status code, or None after `timeout`.
    fn wait_exit(&mut self, timeout: Duration) -> Option<i32> {
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status.code();
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }
}

impl Drop for Tinygen {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `tinygen -endpoint <fake> -watch <extra> <template> <dest>`.
fn watching(
    daemon: &FakeDaemon,
    dir: &Path,
    template: &str,
    dest: &Path,
    extra: &[&str],
) -> Tinygen {
    let endpoint = daemon.endpoint();
    let mut args = vec!["-endpoint", endpoint.as_str(), "-watch"];
    args.extend_from_slice(extra);
    args.push(template);
    args.push(dest.to_str().unwrap());
    Tinygen::start(dir, &args)
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("tinygen-watch-{name}-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    dir
}

/// Polls `condition` until it holds or `timeout` passes; panics with `what` and the log.
fn wait_until(
    tinygen: &Tinygen,
    timeout: Duration,
    what: &str,
    mut condition: impl FnMut() -> bool,
) {
    let deadline = Instant::now() + timeout;
    while Instant::now() < deadline {
        if condition() {
            return;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!(
        "timed out waiting for {what}\n--- tinygen log ---\n{}",
        tinygen.log()
    );
}

fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_default()
}

fn setup(name: &str, template: &str) -> (FakeDaemon, PathBuf, String, PathBuf) {
    let daemon = FakeDaemon::start();
    daemon.route("GET", "/events", Response::Events);
    let dir = temp_dir(name);
    let template_path = dir.join("t.tt");
    fs::write(&template_path, template).unwrap();
    let dest = dir.join("out");
    (daemon, dir, template_path.display().to_string(), dest)
}

const COUNTERS: &str = "{{ for c in Containers }}{c.Name}={c.Env.COUNTER};{{ endfor }}\n";

#[test]
fn a_burst_renders_once_and_costs_one_list_and_one_inspect() {
    let (daemon, dir, template, dest) = setup("burst", COUNTERS);
    daemon.containers(&[inspect(ID_A, "a", 1), inspect(ID_B, "b", 1)]);
    let notified = dir.join("notified");
    let notify = format!("echo x >> {}", notified.display());
    let tinygen = watching(
        &daemon,
        &dir,
        &template,
        &dest,
        &["-wait", "100ms:1s", "-notify", &notify],
    );
    wait_until(&tinygen, Duration::from_secs(5), "the first render", || {
        read(&dest) == "a=1;b=1;\n"
    });
    wait_until(&tinygen, Duration::from_secs(5), "the event stream", || {
        daemon.event_streams() == 1
    });
    // The notification runs right after the write.
    wait_until(
        &tinygen,
        Duration::from_secs(5),
        "the first notification",
        || read(&notified).lines().count() == 1,
    );

    daemon.clear_requests();
    daemon.containers(&[inspect(ID_A, "a", 2), inspect(ID_B, "b", 1)]);
    for _ in 0..5 {
        daemon.push_event(&event("start", ID_A));
    }
    wait_until(
        &tinygen,
        Duration::from_secs(5),
        "the burst's render",
        || read(&dest) == "a=2;b=1;\n",
    );
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(
        read(&notified).lines().count(),
        2,
        "one notification per burst\n{}",
        tinygen.log()
    );
    assert_eq!(
        daemon.count("GET /containers/json"),
        1,
        "{:?}",
        daemon.requests()
    );
    assert_eq!(
        daemon.count(&format!("GET /containers/{ID_A}/json")),
        1,
        "{:?}",
        daemon.requests()
    );
    assert_eq!(
        daemon.count(&format!("GET /containers/{ID_B}/json")),
        0,
        "{:?}",
        daemon.requests()
    );
    assert!(tinygen
        .log()
        .contains("Received event start for container aaaaaaaaaaaa"));
}

#[test]
fn a_stop_that_removes_a_container_costs_one_list_and_no_inspect() {
    let (daemon, dir, template, dest) = setup("stop", COUNTERS);
    daemon.containers(&[inspect(ID_A, "a", 1), inspect(ID_B, "b", 1)]);
    let tinygen = watching(&daemon, &dir, &template, &dest, &[]);
    wait_until(&tinygen, Duration::from_secs(5), "the first render", || {
        read(&dest) == "a=1;b=1;\n"
    });
    wait_until(&tinygen, Duration::from_secs(5), "the event stream", || {
        daemon.event_streams() == 1
    });
    daemon.clear_requests();
    daemon.containers(&[inspect(ID_A, "a", 1)]);
    daemon.push_event(&event("die", ID_B));
    daemon.push_event(&event("stop", ID_B));
    wait_until(
        &tinygen,
        Duration::from_secs(5),
        "the render without b",
        || read(&dest) == "a=1;\n",
    );
    std::thread::sleep(Duration::from_millis(200));
    let inspects = daemon
        .requests()
        .iter()
        .filter(|r| r.starts_with("GET /containers/") && !r.starts_with("GET /containers/json"))
        .count();
    assert_eq!(inspects, 0, "{:?}", daemon.requests());
    assert!(
        daemon.count("GET /containers/json") <= 2,
        "{:?}",
        daemon.requests()
    );
}

#[test]
fn garbage_lines_are_skipped_and_short_ids_are_safe() {
    let (daemon, dir, template, dest) = setup("garbage", COUNTERS);
    daemon.containers(&[inspect(ID_A, "a", 1)]);
    let tinygen = watching(&daemon, &dir, &template, &dest, &[]);
    wait_until(&tinygen, Duration::from_secs(5), "the event stream", || {
        daemon.event_streams() == 1 && read(&dest) == "a=1;\n"
    });
    daemon.push_event("{this is not json");
    daemon.push_event(&event("start", "abc"));
    daemon.containers(&[inspect(ID_A, "a", 5)]);
    daemon.push_event(&event("start", ID_A));
    wait_until(
        &tinygen,
        Duration::from_secs(5),
        "the render after garbage",
        || read(&dest) == "a=5;\n",
    );
    let log = tinygen.log();
    assert!(
        log.contains("Received event start for container abc"),
        "{log}"
    );
    assert!(log.contains("malformed"), "{log}");
}

#[test]
fn reconnects_after_the_stream_ends_and_resyncs() {
    let (daemon, dir, template, dest) = setup("reconnect", COUNTERS);
    daemon.containers(&[inspect(ID_A, "a", 1)]);
    let tinygen = watching(&daemon, &dir, &template, &dest, &[]);
    wait_until(&tinygen, Duration::from_secs(5), "the event stream", || {
        daemon.event_streams() == 1 && read(&dest) == "a=1;\n"
    });
    // The daemon goes away: the stream ends and new streams are refused for a while.
    daemon.route(
        "GET",
        "/events",
        Response::Json(500, r#"{"message":"daemon restarting"}"#.into()),
    );
    daemon.close_event_streams();
    wait_until(&tinygen, Duration::from_secs(5), "the interruption", || {
        tinygen
            .log()
            .contains("Docker daemon connection interrupted")
    });
    // Meanwhile a container changed, and the event for it was lost.
    daemon.containers(&[inspect(ID_A, "a", 2), inspect(ID_B, "b", 1)]);
    std::thread::sleep(Duration::from_millis(800));
    let log = tinygen.log();
    assert_eq!(
        log.matches("Unable to connect to docker daemon").count(),
        1,
        "one line per outage, not per retry:\n{log}"
    );
    daemon.route("GET", "/events", Response::Events);
    wait_until(&tinygen, Duration::from_secs(5), "the resync", || {
        read(&dest) == "a=2;b=1;\n"
    });
    assert!(tinygen.log().matches("Watching docker events").count() >= 2);
}

#[test]
fn a_silent_stream_with_a_dead_daemon_is_detected_by_ping() {
    let (daemon, dir, template, dest) = setup("ping", COUNTERS);
    daemon.containers(&[inspect(ID_A, "a", 1)]);
    let tinygen = watching(&daemon, &dir, &template, &dest, &[]);
    wait_until(&tinygen, Duration::from_secs(5), "the event stream", || {
        daemon.event_streams() == 1 && read(&dest) == "a=1;\n"
    });
    daemon.route(
        "GET",
        "/_ping",
        Response::Json(500, r#"{"message":"hung"}"#.into()),
    );
    wait_until(&tinygen, Duration::from_secs(15), "the failed ping", || {
        tinygen.log().contains("Unable to ping docker daemon")
    });
    daemon.route("GET", "/_ping", Response::Json(200, "OK".into()));
    daemon.containers(&[inspect(ID_A, "a", 3)]);
    wait_until(
        &tinygen,
        Duration::from_secs(5),
        "the resync after the reconnect",
        || read(&dest) == "a=3;\n",
    );
}

#[test]
fn sigterm_during_an_outage_exits_at_once() {
    let (daemon, dir, template, dest) = setup("outage", COUNTERS);
    daemon.route("GET", "/events", Response::Close);
    daemon.route("GET", "/containers/json", Response::Close);
    let mut tinygen = watching(&daemon, &dir, &template, &dest, &["-wait", "5s:20s"]);
    wait_until(
        &tinygen,
        Duration::from_secs(5),
        "the failing connection",
        || tinygen.log().contains("Unable to connect"),
    );
    let sent = Instant::now();
    tinygen.signal("TERM");
    assert_eq!(
        tinygen.wait_exit(Duration::from_secs(3)),
        Some(0),
        "{}",
        tinygen.log()
    );
    assert!(
        sent.elapsed() < Duration::from_secs(2),
        "took {:?}",
        sent.elapsed()
    );
}

#[test]
fn sigterm_during_a_debounce_wait_exits_at_once() {
    let (daemon, dir, template, dest) = setup("debounce-term", COUNTERS);
    daemon.containers(&[inspect(ID_A, "a", 1)]);
    let mut tinygen = watching(&daemon, &dir, &template, &dest, &["-wait", "10s:30s"]);
    wait_until(&tinygen, Duration::from_secs(5), "the event stream", || {
        daemon.event_streams() == 1 && read(&dest) == "a=1;\n"
    });
    daemon.push_event(&event("start", ID_A));
    wait_until(&tinygen, Duration::from_secs(5), "the event", || {
        tinygen.log().contains("Received event")
    });
    tinygen.signal("TERM");
    assert_eq!(
        tinygen.wait_exit(Duration::from_secs(3)),
        Some(0),
        "{}",
        tinygen.log()
    );
}

#[test]
fn sighup_renders_again_and_a_broken_template_keeps_the_service_alive() {
    let (daemon, dir, template, dest) = setup("hup", COUNTERS);
    daemon.containers(&[inspect(ID_A, "a", 1)]);
    let tinygen = watching(&daemon, &dir, &template, &dest, &[]);
    wait_until(&tinygen, Duration::from_secs(5), "the first render", || {
        daemon.event_streams() == 1 && read(&dest) == "a=1;\n"
    });
    daemon.containers(&[inspect(ID_A, "a", 2)]);
    // No event names the container and its list entry is unchanged, so only the HUP's full
    // refresh sees the new inspect.
    tinygen.signal("HUP");
    wait_until(&tinygen, Duration::from_secs(5), "the HUP's render", || {
        read(&dest) == "a=2;\n"
    });
    assert!(tinygen.log().contains("Received signal: hangup"));
    // Break the template: the error is logged, the old output stays, tinygen keeps running.
    fs::write(&template, "{{ if x }}never closed").unwrap();
    daemon.push_event(&event("start", ID_A));
    wait_until(
        &tinygen,
        Duration::from_secs(5),
        "the template error",
        || tinygen.log().contains("Template error"),
    );
    assert_eq!(read(&dest), "a=2;\n");
    // Fixing the file renders again without any event.
    fs::write(
        &template,
        "fixed {{ for c in Containers }}{c.Env.COUNTER}{{ endfor }}\n",
    )
    .unwrap();
    wait_until(
        &tinygen,
        Duration::from_secs(5),
        "the render after the fix",
        || read(&dest) == "fixed 2\n",
    );
}

#[test]
fn interval_renders_and_notifies_every_tick() {
    let (daemon, dir, template, dest) = setup("interval", COUNTERS);
    daemon.containers(&[inspect(ID_A, "a", 1)]);
    let notified = dir.join("notified");
    let notify = format!("echo x >> {}", notified.display());
    let tinygen = Tinygen::start(
        &dir,
        &[
            "-endpoint",
            &daemon.endpoint(),
            "-interval",
            "1",
            "-notify",
            &notify,
            &template,
            dest.to_str().unwrap(),
        ],
    );
    wait_until(
        &tinygen,
        Duration::from_secs(6),
        "three notifications",
        || read(&notified).lines().count() >= 3,
    );
    assert_eq!(read(&dest), "a=1;\n");
    assert!(tinygen.log().contains("Generating every 1 seconds"));
    assert_eq!(
        daemon.event_streams(),
        0,
        "-interval alone does not watch events"
    );
}

#[test]
fn config_file_with_two_templates() {
    let (daemon, dir, template, dest) = setup("config", COUNTERS);
    daemon.containers(&[inspect(ID_A, "a", 1)]);
    let second = dir.join("second.tt");
    fs::write(
        &second,
        "second {{ for c in Containers }}{c.Name}{{ endfor }}\n",
    )
    .unwrap();
    let dest2 = dir.join("out2");
    let config = dir.join("tinygen.cfg");
    fs::write(
        &config,
        format!(
            "[[config]]\nTemplate = \"{template}\"\nDest = \"{}\"\nWatch = true\nwait = \"50ms:200ms\"\n\n[[config]]\ntemplate = \"{}\"\ndest = \"{}\"\nwatch = false\nbogus = 1\n",
            dest.display(),
            second.display(),
            dest2.display()
        ),
    )
    .unwrap();
    let tinygen = Tinygen::start(
        &dir,
        &[
            "-endpoint",
            &daemon.endpoint(),
            "-config",
            config.to_str().unwrap(),
        ],
    );
    wait_until(&tinygen, Duration::from_secs(5), "both renders", || {
        read(&dest) == "a=1;\n" && read(&dest2) == "second a\n"
    });
    assert!(
        tinygen.log().contains("unknown key \"bogus\""),
        "{}",
        tinygen.log()
    );
    daemon.containers(&[inspect(ID_A, "a", 2)]);
    daemon.push_event(&event("start", ID_A));
    wait_until(
        &tinygen,
        Duration::from_secs(5),
        "the watched render",
        || read(&dest) == "a=2;\n",
    );
}

#[test]
fn sigterm_while_a_request_hangs_exits_at_once() {
    let (daemon, dir, template, dest) = setup("hang-term", COUNTERS);
    daemon.containers(&[inspect(ID_A, "a", 1)]);
    let mut tinygen = watching(&daemon, &dir, &template, &dest, &[]);
    wait_until(&tinygen, Duration::from_secs(5), "the first render", || {
        daemon.event_streams() == 1 && read(&dest) == "a=1;\n"
    });
    // The daemon now accepts the listing request and never answers it.
    daemon.route("GET", "/containers/json", Response::Hang);
    daemon.clear_requests();
    daemon.push_event(&event("start", ID_A));
    wait_until(
        &tinygen,
        Duration::from_secs(5),
        "the hanging list request",
        || daemon.count("GET /containers/json") == 1,
    );
    let sent = Instant::now();
    tinygen.signal("TERM");
    assert_eq!(
        tinygen.wait_exit(Duration::from_secs(6)),
        Some(0),
        "{}",
        tinygen.log()
    );
    assert!(
        sent.elapsed() < Duration::from_secs(4),
        "took {:?}",
        sent.elapsed()
    );
}
