//! The template tooling at the process boundary, against the fake daemon: dry runs, context
//! files, template checks, `-explain`, and check-before-replace with rollback.

#[path = "support/fake_daemon.rs"]
mod fake_daemon;

use fake_daemon::{FakeDaemon, Response};
use serde_json::{json, Value};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const ID_A: &str = "aaaaaaaaaaaa0000000000000000000000000000000000000000000000000001";
const ID_B: &str = "bbbbbbbbbbbb0000000000000000000000000000000000000000000000000002";

fn inspect(id: &str, name: &str, upstream: &str) -> Value {
    json!({
        "Id": id,
        "Created": "2026-11-27T21:46:14.5Z",
        "Name": format!("/{name}"),
        "State": {"Running": true, "Health": {"Status": "healthy"}},
        "Config": {"Hostname": name, "Image": "registry.local:5000/web:2", "Env": ["VIRTUAL_HOST=x.example"],
                   "Labels": {"proxy.upstream": upstream}},
        "HostConfig": {"NetworkMode": "edge"},
        "NetworkSettings": {"Ports": {"80/tcp": null}, "Networks": {"edge": {"IPAddress": "10.0.0.7", "Aliases": [name]}}}
    })
}

fn tinygen(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tinygen"))
        .args(args)
        .env_remove("DOCKER_HOST")
        .env("TINYGEN_TEST_VALUE", "fixed")
        .output()
        .expect("tinygen runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("tinygen-tooling-{name}-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    dir
}

fn write(dir: &Path, name: &str, content: &str) -> String {
    let path = dir.join(name);
    fs::write(&path, content).unwrap();
    path.display().to_string()
}

const TEMPLATE: &str = "{{ for c in Containers }}{c.Name} {c.Labels.proxy_upstream} {c.Image.String} {c.Created} {c.State.Health.Status}\n{{ endfor }}{Env.TINYGEN_TEST_VALUE} {Docker.Version}\n";

#[test]
fn dry_run_prints_a_diff_and_tells_by_its_status() {
    let daemon = FakeDaemon::start();
    daemon.containers(&[inspect(ID_A, "web", "10.0.0.7:80")]);
    let dir = temp_dir("dry-run");
    let template = write(&dir, "t.tt", TEMPLATE);
    let dest = dir.join("out");
    let endpoint = daemon.endpoint();
    let output = tinygen(&[
        "-endpoint",
        &endpoint,
        "-dry-run",
        "-notify",
        "touch notified",
        &template,
        dest.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output.stderr));
    let diff = text(&output.stdout);
    assert!(
        diff.starts_with(&format!(
            "--- {} (current)\n+++ {} (new)\n",
            dest.display(),
            dest.display()
        )),
        "{diff}"
    );
    assert!(
        diff.contains("+web 10.0.0.7:80 registry.local:5000/web:2"),
        "{diff}"
    );
    assert!(!dest.exists(), "a dry run writes nothing");
    assert!(!Path::new("notified").exists());
    // Once the file is there, the dry run says unchanged and exits 0.
    assert!(
        tinygen(&["-endpoint", &endpoint, &template, dest.to_str().unwrap()])
            .status
            .success()
    );
    let output = tinygen(&[
        "-endpoint",
        &endpoint,
        "-dry-run",
        &template,
        dest.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(
        text(&output.stdout),
        format!("{}: unchanged\n", dest.display())
    );
    // An error is status 2.
    daemon.route(
        "GET",
        "/containers/json",
        Response::Json(500, r#"{"message":"down"}"#.into()),
    );
    let output = tinygen(&[
        "-endpoint",
        &endpoint,
        "-dry-run",
        &template,
        dest.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(2), "{}", text(&output.stderr));
}

#[test]
fn offline_render_is_byte_identical_to_the_live_render() {
    let daemon = FakeDaemon::start();
    daemon.containers(&[
        inspect(ID_A, "web", "10.0.0.7:80"),
        inspect(ID_B, "api", "10.0.0.9:81"),
    ]);
    let dir = temp_dir("offline");
    let template = write(&dir, "t.tt", TEMPLATE);
    let endpoint = daemon.endpoint();
    let live = tinygen(&["-endpoint", &endpoint, &template]);
    assert!(live.status.success(), "{}", text(&live.stderr));
    let context = dir.join("context.json");
    let dump = tinygen(&[
        "-endpoint",
        &endpoint,
        "-dump-context",
        context.to_str().unwrap(),
        &template,
    ]);
    assert!(dump.status.success(), "{}", text(&dump.stderr));
    let dumped = fs::read_to_string(&context).unwrap();
    assert!(
        dumped.contains("\"Mounts\": null"),
        "nil slices stay null: {dumped}"
    );
    // No daemon at all for the offline render.
    let offline = tinygen(&[
        "-endpoint",
        "unix:///nonexistent.sock",
        "-context",
        context.to_str().unwrap(),
        &template,
    ]);
    assert!(offline.status.success(), "{}", text(&offline.stderr));
    assert_eq!(text(&offline.stdout), text(&live.stdout));
    assert!(
        text(&live.stdout).contains("fixed 20.10.24"),
        "{}",
        text(&live.stdout)
    );
}

#[test]
fn a_bad_context_file_names_the_file_and_position() {
    let dir = temp_dir("bad-context");
    let template = write(&dir, "t.tt", TEMPLATE);
    let context = write(
        &dir,
        "context.json",
        "{\n  \"Containers\": [\n    {\"ID\": }\n  ]\n}\n",
    );
    let output = tinygen(&["-context", &context, &template]);
    assert_eq!(output.status.code(), Some(1));
    let message = text(&output.stderr);
    assert!(message.contains(&format!("{context}: 3:")), "{message}");
}

#[test]
fn check_template_reports_positions_without_a_daemon() {
    let dir = temp_dir("lint");
    let good = write(
        &dir,
        "good.tt",
        "{{ for c in Containers }}{c.Name}{{ endfor }}",
    );
    let bad = write(&dir, "bad.tt", "line one\nline {}\n");
    let output = tinygen(&[
        "-endpoint",
        "unix:///nonexistent.sock",
        "-check-template",
        &good,
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert_eq!(text(&output.stdout), format!("{good}: ok\n"));
    let output = tinygen(&[
        "-endpoint",
        "unix:///nonexistent.sock",
        "-check-template",
        &bad,
    ]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        text(&output.stdout).contains("bad.tt:2:6:"),
        "{}",
        text(&output.stdout)
    );
}

#[test]
fn explain_names_the_filter_that_excludes_a_container() {
    let daemon = FakeDaemon::start();
    // Without filters the daemon lists both containers; with any filter only web (the
    // later, longer route wins for filtered requests).
    daemon.containers(&[inspect(ID_A, "web", "a")]);
    let everything =
        json!([{"Id": ID_A, "Names": ["/web"]}, {"Id": ID_B, "Names": ["/db"]}]).to_string();
    daemon.route(
        "GET",
        "/containers/json?all=1",
        Response::Json(200, everything),
    );
    let web_only = json!([{"Id": ID_A, "Names": ["/web"]}]).to_string();
    daemon.route(
        "GET",
        "/containers/json?all=1&filters=",
        Response::Json(200, web_only),
    );
    let dir = temp_dir("explain");
    let template = write(
        &dir,
        "t.tt",
        "{{ for c in Containers }}{c.Name}{{ endfor }}",
    );
    let output = tinygen(&[
        "-endpoint",
        &daemon.endpoint(),
        "-explain",
        "-container-filter",
        "label=role=web",
        &template,
    ]);
    let log = text(&output.stderr);
    assert!(output.status.success(), "{log}");
    assert!(log.contains("included web (aaaaaaaaaaaa)"), "{log}");
    assert!(
        log.contains("excluded db (bbbbbbbbbbbb) by filter label=role=web and status=running"),
        "{log}"
    );
}

#[test]
fn a_failed_check_keeps_the_previous_file_and_skips_notifications() {
    let daemon = FakeDaemon::start();
    daemon.containers(&[inspect(ID_A, "web", "10.0.0.7:80")]);
    let dir = temp_dir("check");
    let template = write(
        &dir,
        "t.tt",
        "{{ for c in Containers }}upstream {c.Labels.proxy_upstream};\n{{ endfor }}",
    );
    let dest = dir.join("site.conf");
    let notified = dir.join("notified");
    let notify = format!("echo x >> {}", notified.display());
    // The check refuses any upstream that is not host:port, reading the candidate in place.
    let check = "grep -Eq '^upstream [0-9.]+:[0-9]+;$' {dest} && test -n \"$TINYGEN_DEST\"";
    let endpoint = daemon.endpoint();
    let run = || {
        tinygen(&[
            "-endpoint",
            &endpoint,
            "-check",
            check,
            "-notify",
            &notify,
            &template,
            dest.to_str().unwrap(),
        ])
    };
    let output = run();
    assert!(output.status.success(), "{}", text(&output.stderr));
    let good = fs::read(&dest).unwrap();
    assert_eq!(text(&good), "upstream 10.0.0.7:80;\n");
    assert_eq!(fs::read_to_string(&notified).unwrap().lines().count(), 1);

    daemon.containers(&[inspect(ID_A, "web", "not a host; evil")]);
    let output = run();
    let log = text(&output.stderr);
    assert!(
        output.status.success(),
        "a refused check is not a crash: {log}"
    );
    assert!(log.contains("Kept the previous"), "{log}");
    assert!(log.contains("exit status 1"), "{log}");
    assert_eq!(
        fs::read(&dest).unwrap(),
        good,
        "the previous file, byte for byte"
    );
    assert_eq!(
        fs::read_to_string(&notified).unwrap().lines().count(),
        1,
        "no notification"
    );

    daemon.containers(&[inspect(ID_A, "web", "10.0.0.8:8080")]);
    assert!(run().status.success());
    assert_eq!(
        fs::read_to_string(&dest).unwrap(),
        "upstream 10.0.0.8:8080;\n"
    );
    assert_eq!(fs::read_to_string(&notified).unwrap().lines().count(), 2);
}

#[test]
fn check_template_names_an_unknown_function_in_a_go_template() {
    let dir = temp_dir("lint-go");
    let bad = write(
        &dir,
        "proxy.tmpl",
        "{{ range $ }}\n  {{ .Name | frobnicate }}\n{{ end }}\n",
    );
    let output = tinygen(&[
        "-endpoint",
        "unix:///nonexistent.sock",
        "-check-template",
        &bad,
    ]);
    assert_eq!(output.status.code(), Some(1));
    let report = text(&output.stdout);
    assert!(
        report.contains("proxy.tmpl:2") && report.contains("\"frobnicate\" not defined"),
        "{report}"
    );
}
