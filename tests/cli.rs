//! The real `tinygen` binary at its process boundary: flags and exit codes, and one-shot
//! renders against the fake daemon, including the faults a daemon can throw at it.

#[path = "support/fake_daemon.rs"]
mod fake_daemon;

use fake_daemon::{FakeDaemon, Response};
use serde_json::{json, Value};
use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn tinygen(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tinygen"))
        .args(args)
        .env_remove("DOCKER_HOST")
        .env_remove("DOCKER_CONTAINER_FILTERS")
        .output()
        .expect("tinygen runs")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("tinygen-cli-{name}-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    dir
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    fs::write(&path, text).unwrap();
    path.display().to_string()
}

/// An inspect answer shaped like Docker 20.10's, trimmed to what tinygen reads.
fn inspect(id: &str, name: &str, ip: &str) -> Value {
    json!({
        "Id": id,
        "Created": "2026-11-27T21:46:14.006048670Z",
        "Name": format!("/{name}"),
        "State": {"Running": true, "Status": "running"},
        "Config": {"Hostname": &id[..12], "Image": "nginx:1.25", "Env": ["VIRTUAL_HOST=web.example"], "Labels": {"com.example.role": "front"}},
        "HostConfig": {"NetworkMode": "default"},
        "NetworkSettings": {
            "IPAddress": ip,
            "Ports": {"80/tcp": [{"HostIp": "127.0.0.1", "HostPort": "8080"}]},
            "Networks": {"bridge": {"IPAddress": ip, "Aliases": null}}
        }
    })
}

const ID_A: &str = "aaaaaaaaaaaa0000000000000000000000000000000000000000000000000001";
const ID_B: &str = "bbbbbbbbbbbb0000000000000000000000000000000000000000000000000002";

const TT: &str = "{{ for c in Containers }}{c.Name} {c.ID | short_id} {c.Image.String} {c.Env.VIRTUAL_HOST} {c.Labels.com_example_role}\n{{ endfor }}";

#[test]
fn help_version_and_flag_errors() {
    let output = tinygen(&["-help"]);
    assert_eq!(output.status.code(), Some(0));
    assert!(stderr(&output).contains("-only-exposed"));
    let output = tinygen(&["-version"]);
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(
        String::from_utf8_lossy(&output.stdout).trim(),
        env!("CARGO_PKG_VERSION")
    );
    let output = tinygen(&["-no-such-flag", "t"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("flag provided but not defined: -no-such-flag"));
    let output = tinygen(&[]);
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).starts_with("Usage: tinygen"));
    let output = tinygen(&["-endpoint", "http://example:1", "t"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("http://example:1"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn renders_from_the_fake_daemon_and_skips_unchanged_output() {
    let daemon = FakeDaemon::start();
    daemon.containers(&[
        inspect(ID_A, "web", "172.17.0.2"),
        inspect(ID_B, "api", "172.17.0.3"),
    ]);
    let dir = temp_dir("render");
    let template = write(&dir, "hosts.tt", TT);
    let dest = dir.join("out.txt");
    let endpoint = daemon.endpoint();
    let run = || tinygen(&["-endpoint", &endpoint, &template, dest.to_str().unwrap()]);
    let output = run();
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(
        fs::read_to_string(&dest).unwrap(),
        "web aaaaaaaaaaaa nginx:1.25 web.example front\napi bbbbbbbbbbbb nginx:1.25 web.example front\n"
    );
    assert!(stderr(&output).contains(&format!("Generated '{}' from 2 containers", dest.display())));
    let first = fs::metadata(&dest).unwrap();
    let output = run();
    assert!(
        stderr(&output).contains("did not change"),
        "{}",
        stderr(&output)
    );
    let second = fs::metadata(&dest).unwrap();
    assert_eq!(
        (first.ino(), first.mtime_nsec()),
        (second.ino(), second.mtime_nsec())
    );
    // The default status filter and the API version prefix reach the daemon.
    let requests = daemon.requests();
    assert!(
        requests
            .iter()
            .any(|r| r.starts_with("GET /containers/json?all=1&filters=")),
        "{requests:?}"
    );
    assert!(daemon
        .raw_requests()
        .iter()
        .any(|r| r.contains("/v1.41/containers/json")));
}

#[test]
fn one_pass_costs_list_networks_and_one_inspect_per_container() {
    let daemon = FakeDaemon::start();
    daemon.containers(&[
        inspect(ID_A, "web", "172.17.0.2"),
        inspect(ID_B, "api", "172.17.0.3"),
    ]);
    let dir = temp_dir("calls");
    let template = write(&dir, "hosts.tt", TT);
    let output = tinygen(&["-endpoint", &daemon.endpoint(), &template]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(
        daemon.count("GET /containers/json"),
        1,
        "{:?}",
        daemon.requests()
    );
    assert_eq!(daemon.count("GET /networks"), 1);
    assert_eq!(daemon.count(&format!("GET /containers/{ID_A}/json")), 1);
    assert_eq!(daemon.count(&format!("GET /containers/{ID_B}/json")), 1);
    assert_eq!(
        daemon.count("GET /info"),
        0,
        "a template that never mentions Docker needs no /info"
    );
    assert_eq!(daemon.count("GET /version"), 1);
}

/// Each fault gives exit 1, an error naming the endpoint and what failed, and leaves the
/// previous output byte for byte.
#[test]
fn daemon_faults_are_clear_errors_and_keep_the_old_output() {
    let faults: Vec<(&str, Response, &str)> = vec![
        (
            "garbage",
            Response::Json(200, "{not json".into()),
            "invalid JSON",
        ),
        (
            "server-error",
            Response::Json(500, r#"{"message":"boom"}"#.into()),
            "API error (500): boom",
        ),
        ("closed", Response::Close, "GET /containers/json"),
        (
            "truncated",
            Response::Raw(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n[{\"Id\"".to_vec()),
            "GET /containers/json",
        ),
    ];
    for (name, response, expected) in faults {
        let daemon = FakeDaemon::start();
        daemon.route("GET", "/containers/json", response);
        let dir = temp_dir(&format!("fault-{name}"));
        let template = write(&dir, "hosts.tt", TT);
        let dest = write(&dir, "out.txt", "previous content\n");
        let output = tinygen(&["-endpoint", &daemon.endpoint(), &template, &dest]);
        let message = stderr(&output);
        assert_eq!(output.status.code(), Some(1), "{name}: {message}");
        assert!(
            message.contains(&daemon.endpoint()),
            "{name}: error does not name the endpoint: {message}"
        );
        assert!(
            message.contains(expected),
            "{name}: expected {expected:?} in {message}"
        );
        assert_eq!(
            fs::read_to_string(&dest).unwrap(),
            "previous content\n",
            "{name}"
        );
    }
}

#[test]
fn missing_fields_and_failed_inspects_are_tolerated() {
    let daemon = FakeDaemon::start();
    let bare = json!({"Id": ID_A, "Name": "/bare", "State": {"Running": true}, "Config": null, "NetworkSettings": null, "HostConfig": null});
    daemon.containers(&[bare, inspect(ID_B, "api", "172.17.0.3")]);
    daemon.route(
        "GET",
        &format!("/containers/{ID_B}/json"),
        Response::Json(404, r#"{"message":"No such container"}"#.into()),
    );
    let dir = temp_dir("missing");
    let template = write(
        &dir,
        "names.tt",
        "{{ for c in Containers }}{c.Name}:{c.Image.String}:{c.IP};{{ endfor }}",
    );
    let output = tinygen(&["-endpoint", &daemon.endpoint(), &template]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        "bare::;",
        "{}\n{:?}",
        stderr(&output),
        daemon.requests()
    );
    assert!(
        stderr(&output).contains(&format!("Error inspecting container: {ID_B}")),
        "{}",
        stderr(&output)
    );
}

#[test]
fn template_errors_name_the_file_and_keep_the_old_output() {
    let daemon = FakeDaemon::start();
    daemon.containers(&[inspect(ID_A, "web", "172.17.0.2")]);
    let dir = temp_dir("template-error");
    let template = write(&dir, "broken.tt", "line one\n{{ if x }}never closed\n");
    let dest = write(&dir, "out.txt", "previous\n");
    let output = tinygen(&["-endpoint", &daemon.endpoint(), &template, &dest]);
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("broken.tt"), "{}", stderr(&output));
    assert_eq!(fs::read_to_string(&dest).unwrap(), "previous\n");
    let output = tinygen(&[
        "-endpoint",
        &daemon.endpoint(),
        &dir.join("absent.tmpl").display().to_string(),
    ]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("absent.tmpl"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn keep_blank_lines_and_container_filters() {
    let daemon = FakeDaemon::start();
    daemon.containers(&[inspect(ID_A, "web", "172.17.0.2")]);
    let dir = temp_dir("blank");
    let template = write(&dir, "t.tt", "a\n\n  \nb\n");
    let endpoint = daemon.endpoint();
    let stripped = tinygen(&["-endpoint", &endpoint, &template]);
    assert_eq!(String::from_utf8_lossy(&stripped.stdout), "a\nb\n");
    let kept = tinygen(&["-endpoint", &endpoint, "-keep-blank-lines", &template]);
    assert_eq!(String::from_utf8_lossy(&kept.stdout), "a\n\n  \nb\n");
    daemon.clear_requests();
    tinygen(&[
        "-endpoint",
        &endpoint,
        "-only-published",
        "-container-filter",
        "label=x=y",
        &template,
    ]);
    let list = daemon
        .requests()
        .into_iter()
        .find(|r| r.starts_with("GET /containers/json"))
        .unwrap();
    let query = percent_decode(&list);
    assert!(
        query.contains(r#""label":["x=y"]"#) && query.contains(r#""publish":["1-65535"]"#),
        "{query}"
    );
    assert!(query.contains(r#""status":["running"]"#), "{query}");
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let Ok(byte) = u8::from_str_radix(&text[i + 1..i + 3], 16) {
                out.push(byte);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A one-shot run stuck on a daemon that never answers still ends on SIGTERM, and a SIGHUP
/// (ignored, as docker-gen ignores it) does not kill it.
#[test]
fn one_shot_ignores_sighup_and_ends_on_sigterm() {
    use std::os::unix::process::ExitStatusExt;
    let daemon = FakeDaemon::start();
    daemon.route("GET", "/containers/json", Response::Hang);
    let dir = temp_dir("sigterm");
    let template = write(&dir, "t.tt", TT);
    let mut child = Command::new(env!("CARGO_BIN_EXE_tinygen"))
        .args(["-endpoint", &daemon.endpoint(), &template])
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let pid = child.id().to_string();
    let signal = |name: &str| {
        let status = Command::new("kill")
            .args([&format!("-{name}"), &pid])
            .status()
            .unwrap();
        assert!(status.success());
    };
    // Wait until it is blocked on the list request.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while daemon.count("GET /containers/json") == 0 {
        assert!(std::time::Instant::now() < deadline, "tinygen never listed");
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    signal("HUP");
    std::thread::sleep(std::time::Duration::from_millis(200));
    assert!(
        child.try_wait().unwrap().is_none(),
        "SIGHUP must not end a one-shot run"
    );
    signal("TERM");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(3);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "SIGTERM did not end the run"
        );
        std::thread::sleep(std::time::Duration::from_millis(10));
    };
    assert_eq!(status.signal(), Some(libc::SIGTERM));
}
