//! End-to-end tests of watch mode against a real Docker Engine.
//!
//! Each test runs `tinygen -watch` on its own containers (selected by its run id label),
//! changes them with the `docker` command line, and polls the rendered file until it shows the
//! change or a deadline passes; failures print tinygen's log, the file and the containers.
//! Without a daemon the tests skip, unless `TINYGEN_REQUIRE_DOCKER=1` makes that a failure.

mod support;

use std::fs;
use std::path::{Path, PathBuf};
use std::thread;
use std::time::{Duration, Instant};

use support::docker::{
    docker, label_filter, poll_until, read_or_note, require_docker, run_id, Container, Daemon,
    Network, PrivateDaemon, TempDir, Tinygen, ENDPOINT, IMAGE, PID_LABEL, TEST_LABEL,
};

/// How long the rendered file may take to follow one change.
const FOLLOW: Duration = Duration::from_secs(10);

/// One line per listed container: its name and whether it runs.
const NAMES_TEMPLATE: &str = "{{ range $ }}{{ .Name }} running={{ .State.Running }}\n{{ end }}";

/// A test's directory with its template, and where the output goes.
struct Setup {
    id: String,
    dir: TempDir,
    template: PathBuf,
    dest: PathBuf,
}

impl Setup {
    fn new(test: &str, template: &str) -> Setup {
        let id = run_id(test);
        let dir = TempDir::new(test);
        let template = dir.write("watch.tmpl", template);
        let dest = dir.path().join("watch.out");
        Setup {
            id,
            dir,
            template,
            dest,
        }
    }

    /// `tinygen -watch` on this run's containers, with `extra` flags before the template.
    fn watch(&self, extra: &[&str]) -> Daemon {
        Tinygen::new()
            .args([
                "-watch",
                "-endpoint",
                ENDPOINT,
                "-container-filter",
                &label_filter(&self.id),
            ])
            .args(extra)
            .arg(&self.template)
            .arg(&self.dest)
            .spawn(self.dir.path())
    }

    /// Waits until the sorted lines of the output are `want` (sorted here); fails the test
    /// with diagnostics after [`FOLLOW`].
    fn expect_lines(&self, daemon: &Daemon, step: &str, want: &[String]) {
        let mut want = want.to_vec();
        want.sort();
        let found = poll_until(FOLLOW, || (sorted_lines(&self.dest) == want).then_some(()));
        if found.is_none() {
            panic!(
                "after {step}: expected the output to become {want:#?} within {FOLLOW:?}\n{}",
                self.diagnostics(daemon)
            );
        }
    }

    fn diagnostics(&self, daemon: &Daemon) -> String {
        let containers = docker([
            "ps",
            "-a",
            "--filter",
            &label_filter(&self.id),
            "--format",
            "{{.Names}} {{.ID}} {{.Status}}",
        ])
        .unwrap_or_else(|e| e);
        format!(
            "--- {} ---\n{}\n--- containers of this run ---\n{containers}\n{}",
            self.dest.display(),
            read_or_note(&self.dest),
            daemon.diagnostics()
        )
    }
}

fn sorted_lines(path: &Path) -> Vec<String> {
    let text = fs::read_to_string(path).unwrap_or_default();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    lines.sort();
    lines
}

fn running(container: &Container) -> String {
    format!("{} running=true", container.name)
}

#[test]
fn watch_follows_start_stop_kill_restart_and_remove() {
    if !require_docker() {
        return;
    }
    let setup = Setup::new("lifecycle", NAMES_TEMPLATE);
    let first = Container::builder(&setup.id, "first").run();
    let daemon = setup.watch(&[]);
    setup.expect_lines(&daemon, "the initial render", &[running(&first)]);

    let second = Container::builder(&setup.id, "second").run();
    setup.expect_lines(&daemon, "docker run", &[running(&first), running(&second)]);

    second.stop();
    setup.expect_lines(&daemon, "docker stop", &[running(&first)]);

    second.start();
    setup.expect_lines(
        &daemon,
        "docker start",
        &[running(&first), running(&second)],
    );

    // `docker kill` emits only `die`, and a list made right after `die` may still show the
    // container (the daemon updates its list view after sending the event), while inspect
    // already says it is not running. The output must still drop it.
    second.kill();
    setup.expect_lines(&daemon, "docker kill", &[running(&first)]);

    second.restart();
    setup.expect_lines(
        &daemon,
        "docker restart",
        &[running(&first), running(&second)],
    );

    drop(second);
    setup.expect_lines(&daemon, "docker rm -f", &[running(&first)]);
}

#[test]
fn watch_follows_network_connect_and_disconnect() {
    if !require_docker() {
        return;
    }
    let setup = Setup::new(
        "connect",
        "{{ range $c := $ }}{{ range $n := $c.Networks }}{{ $c.Name }} {{ $n.Name }}\n{{ end }}{{ end }}",
    );
    let network = Network::create(&setup.id, "extra");
    let container = Container::builder(&setup.id, "joiner").run();
    let daemon = setup.watch(&[
        "-event-filter",
        "event=connect",
        "-event-filter",
        "event=disconnect",
    ]);
    let on = |network: &str| format!("{} {network}", container.name);
    setup.expect_lines(&daemon, "the initial render", &[on("bridge")]);

    network.connect(&container, &[]);
    setup.expect_lines(
        &daemon,
        "docker network connect",
        &[on("bridge"), on(&network.name)],
    );

    network.disconnect(&container);
    setup.expect_lines(&daemon, "docker network disconnect", &[on("bridge")]);
}

#[test]
fn watch_follows_a_healthcheck_turning_healthy() {
    if !require_docker() {
        return;
    }
    let setup = Setup::new(
        "health",
        "{{ range $ }}{{ .Name }} health={{ .State.Health.Status }}\n{{ end }}",
    );
    let daemon = setup.watch(&[]);
    // The first check runs two seconds after the start, so the start event renders
    // "starting" and only the health_status event can bring "healthy".
    let container = Container::builder(&setup.id, "checked")
        .health_cmd("true", "2s")
        .run();
    setup.expect_lines(
        &daemon,
        "the healthcheck passed",
        &[format!("{} health=healthy", container.name)],
    );
}

#[test]
fn notify_sighup_reaches_the_target_container() {
    if !require_docker() {
        return;
    }
    let setup = Setup::new("sighup", NAMES_TEMPLATE);
    let shared = TempDir::new("sighup-shared");
    let marker = shared.path().join("marker");
    let target = Container::builder(&setup.id, "target")
        .volume(shared.path(), "/shared")
        .command(&[
            "sh",
            "-c",
            "trap 'echo hup >> /shared/marker' HUP; while true; do sleep 1; done",
        ])
        .run();
    let daemon = setup.watch(&["-notify-sighup", &target.name]);
    setup.expect_lines(&daemon, "the initial render", &[running(&target)]);

    // Let a signal for the initial render land (the trap runs when `sleep 1` ends), then
    // start from a clean slate so that the marker can only come from the next change.
    thread::sleep(Duration::from_millis(2500));
    let _ = fs::remove_file(&marker);

    let trigger = Container::builder(&setup.id, "trigger").run();
    setup.expect_lines(
        &daemon,
        "docker run",
        &[running(&target), running(&trigger)],
    );
    let marked = poll_until(FOLLOW, || marker.exists().then_some(()));
    if marked.is_none() {
        panic!(
            "the -notify-sighup target wrote no marker within {FOLLOW:?} after a change\n{}",
            setup.diagnostics(&daemon)
        );
    }
    assert!(
        read_or_note(&marker).contains("hup"),
        "{}",
        read_or_note(&marker)
    );
}

#[test]
fn notify_command_runs_after_each_change() {
    if !require_docker() {
        return;
    }
    let setup = Setup::new("notify", NAMES_TEMPLATE);
    let notified = setup.dir.path().join("notified");
    let first = Container::builder(&setup.id, "first").run();
    let command = format!("echo changed >> '{}'", notified.display());
    let daemon = setup.watch(&["-notify", &command]);
    setup.expect_lines(&daemon, "the initial render", &[running(&first)]);
    let count = || read_or_note(&notified).matches("changed").count();
    let initial = poll_until(FOLLOW, || (count() >= 1).then(count));
    let Some(initial) = initial else {
        panic!(
            "-notify did not run after the first write\n{}",
            setup.diagnostics(&daemon)
        );
    };

    let second = Container::builder(&setup.id, "second").run();
    setup.expect_lines(&daemon, "docker run", &[running(&first), running(&second)]);
    if poll_until(FOLLOW, || (count() > initial).then_some(())).is_none() {
        panic!(
            "-notify did not run after a change\n{}",
            setup.diagnostics(&daemon)
        );
    }
}

#[test]
fn sigterm_ends_watch_mode_promptly() {
    if !require_docker() {
        return;
    }
    let setup = Setup::new("sigterm", NAMES_TEMPLATE);
    let only = Container::builder(&setup.id, "only").run();
    let mut daemon = setup.watch(&[]);
    setup.expect_lines(&daemon, "the initial render", &[running(&only)]);

    let sent = Instant::now();
    daemon.signal(libc::SIGTERM);
    let status = daemon.wait_exit(Duration::from_secs(5));
    let Some(status) = status else {
        panic!(
            "tinygen still runs 5 s after SIGTERM\n{}",
            setup.diagnostics(&daemon)
        );
    };
    assert_eq!(
        status.code(),
        Some(0),
        "exit status after SIGTERM\n{}",
        setup.diagnostics(&daemon)
    );
    assert!(
        sent.elapsed() < Duration::from_secs(2),
        "SIGTERM took {:?}",
        sent.elapsed()
    );
}

#[test]
fn sigterm_ends_watch_mode_during_a_daemon_outage() {
    // Needs no daemon: the endpoint is a socket nobody listens on.
    let dir = TempDir::new("outage");
    let template = dir.write("watch.tmpl", NAMES_TEMPLATE);
    let endpoint = format!("unix://{}", dir.path().join("nobody.sock").display());
    let mut daemon = Tinygen::new()
        .args(["-watch", "-endpoint", &endpoint])
        .arg(&template)
        .arg(dir.path().join("watch.out"))
        .spawn(dir.path());
    // Give it time to fail, log and enter its reconnect back-off.
    thread::sleep(Duration::from_millis(1500));
    assert!(
        daemon.wait_exit(Duration::ZERO).is_none(),
        "watch mode gave up on an unreachable daemon instead of retrying\n{}",
        daemon.diagnostics()
    );

    let sent = Instant::now();
    daemon.signal(libc::SIGTERM);
    let status = daemon.wait_exit(Duration::from_secs(5));
    let Some(status) = status else {
        panic!(
            "tinygen still runs 5 s after SIGTERM during an outage\n{}",
            daemon.diagnostics()
        );
    };
    assert_eq!(
        status.code(),
        Some(0),
        "exit status\n{}",
        daemon.diagnostics()
    );
    assert!(
        sent.elapsed() < Duration::from_secs(2),
        "SIGTERM took {:?}",
        sent.elapsed()
    );
}

#[test]
fn watch_reconnects_and_catches_up_after_dockerd_restarts() {
    if !require_docker() {
        return;
    }
    let Some(mut dockerd) = PrivateDaemon::start("dockerd") else {
        return;
    };
    let dir = TempDir::new("reconnect");
    let template = dir.write("watch.tmpl", NAMES_TEMPLATE);
    let dest = dir.path().join("watch.out");
    let id = run_id("reconnect");
    let run = |dockerd: &PrivateDaemon, name: &str| {
        dockerd.docker_ok([
            "run",
            "-d",
            "--network",
            "none",
            "--name",
            name,
            "--label",
            &format!("{TEST_LABEL}={id}"),
            "--label",
            &format!("{PID_LABEL}={}", std::process::id()),
            IMAGE,
            "sleep",
            "3600",
        ]);
    };
    let expect = |daemon: &Daemon, dockerd: &PrivateDaemon, step: &str, want: &[&str], timeout| {
        let want: Vec<String> = want
            .iter()
            .map(|name| format!("{name} running=true"))
            .collect();
        if poll_until(timeout, || (sorted_lines(&dest) == want).then_some(())).is_none() {
            panic!(
                "after {step}: expected the output to become {want:#?} within {timeout:?}\n\
                 --- {} ---\n{}\n{}\n{}",
                dest.display(),
                read_or_note(&dest),
                daemon.diagnostics(),
                dockerd.log()
            );
        }
    };

    run(&dockerd, "before");
    let daemon = Tinygen::new()
        .args(["-watch", "-endpoint", &dockerd.endpoint()])
        .arg(&template)
        .arg(&dest)
        .spawn(dir.path());
    expect(&daemon, &dockerd, "the initial render", &["before"], FOLLOW);

    // The daemon goes away (stopping its container) and comes back; tinygen reconnects with
    // its back-off, resyncs, and follows events again.
    dockerd.stop();
    thread::sleep(Duration::from_millis(500));
    dockerd.start_again();
    run(&dockerd, "after");
    // Reconnect back-off may have grown to a few seconds while the daemon was down.
    let catch_up = Duration::from_secs(30);
    expect(
        &daemon,
        &dockerd,
        "dockerd restarted and a container started",
        &["after"],
        catch_up,
    );
}
