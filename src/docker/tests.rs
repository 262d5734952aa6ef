//! Tests of the client: pure helpers, then requests against the fake daemon, then the real
//! daemon at /var/run/docker.sock (skipped when none answers, unless
//! `TINYGEN_REQUIRE_DOCKER=1`).

use super::*;
use serde_json::json;
use std::io::{BufRead, BufReader, Write};
use std::time::Instant;

#[path = "../../tests/support/fake_daemon.rs"]
mod fake_daemon;

use fake_daemon::{FakeDaemon, Response};

fn filters(items: &[(&str, &[&str])]) -> Filters {
    items
        .iter()
        .map(|(key, values)| {
            (
                key.to_string(),
                values.iter().map(|v| v.to_string()).collect(),
            )
        })
        .collect()
}

fn client(daemon: &FakeDaemon) -> Client {
    Client::new(&daemon.endpoint(), &TlsOptions::default()).unwrap()
}

fn quick_client(daemon: &FakeDaemon) -> Client {
    Client::with_timeouts(
        &daemon.endpoint(),
        &TlsOptions::default(),
        Duration::from_millis(500),
        Duration::from_millis(500),
    )
    .unwrap()
}

// ---- pure helpers ----

#[test]
fn negotiate_caps_at_newest_and_keeps_older() {
    assert_eq!(negotiate("1.41"), "1.41");
    assert_eq!(negotiate("1.47"), "1.47");
    assert_eq!(negotiate("1.43"), "1.43");
    assert_eq!(negotiate("1.52"), NEWEST_API_VERSION);
    assert_eq!(negotiate("2.0"), NEWEST_API_VERSION);
    // Older than supported: still the daemon's own version.
    assert_eq!(negotiate("1.40"), "1.40");
    assert_eq!(negotiate(" 1.25 "), "1.25");
    assert_eq!(negotiate("garbage"), MINIMUM_API_VERSION);
    assert_eq!(negotiate(""), MINIMUM_API_VERSION);
}

#[test]
fn query_encoding() {
    assert_eq!(query_string(&[("all", None), ("filters", None)]), "");
    assert_eq!(
        query_string(&[("all", Some("1".into())), ("filters", None)]),
        "?all=1"
    );
    let filters = filters(&[("status", &["running"]), ("label", &["a=b c", "x"])]);
    let json = filters_json(&filters).unwrap();
    assert_eq!(json, r#"{"label":["a=b c","x"],"status":["running"]}"#);
    assert_eq!(
        query_string(&[("all", Some("1".into())), ("filters", Some(json))]),
        "?all=1&filters=%7B%22label%22%3A%5B%22a%3Db%20c%22%2C%22x%22%5D%2C%22status%22%3A%5B%22running%22%5D%7D"
    );
    assert_eq!(filters_json(&Filters::new()), None);
    assert_eq!(
        percent_encode("a-b_c.d~e/f&g+h%"),
        "a-b_c.d~e%2Ff%26g%2Bh%25"
    );
    assert_eq!(percent_encode("é"), "%C3%A9");
}

#[test]
fn version_prefix_is_stripped_for_messages() {
    assert_eq!(strip_version("/v1.41/containers/json"), "/containers/json");
    assert_eq!(strip_version("/_ping"), "/_ping");
    assert_eq!(strip_version("/volumes/x"), "/volumes/x");
}

#[test]
fn io_messages_read_like_go() {
    let error = std::io::Error::from_raw_os_error(111);
    assert_eq!(io_message(&error), "connection refused (os error 111)");
}

#[test]
fn api_error_takes_the_message_from_json() {
    let error = api_error("e: GET /x", 404, br#"{"message":"No such container: abc"}"#);
    assert_eq!(
        error.message,
        "e: GET /x: API error (404): No such container: abc"
    );
    let plain = api_error("e: GET /x", 500, b"boom\n");
    assert_eq!(plain.message, "e: GET /x: API error (500): boom");
}

#[test]
fn bad_endpoint_is_reported_by_new() {
    let error = Client::new("http://x", &TlsOptions::default()).unwrap_err();
    assert_eq!(
        error.message,
        "bad endpoint \"http://x\": invalid bind address protocol"
    );
    assert_eq!(error.kind, crate::error::ErrorKind::Docker);
}

// ---- against the fake daemon ----

#[test]
fn list_and_inspect() {
    let daemon = FakeDaemon::start();
    let web = json!({"Id": "aaaa1111", "Name": "/web", "Config": {"Image": "nginx", "Labels": {"x": "1"}}, "State": {"Running": true, "Status": "running"}});
    let db = json!({"Id": "bbbb2222", "Name": "/db", "Config": {"Image": "postgres"}, "State": {"Running": false}});
    daemon.containers(&[web.clone(), db]);
    let client = client(&daemon);

    let list = client
        .list_containers(true, &filters(&[("label", &["x=1"])]))
        .unwrap();
    let ids: Vec<_> = list
        .iter()
        .map(|entry| entry["Id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["aaaa1111", "bbbb2222"]);
    assert_eq!(client.inspect_container("aaaa1111").unwrap(), web);
    assert_eq!(client.networks().unwrap(), Vec::<serde_json::Value>::new());
    assert_eq!(client.info().unwrap()["Name"], "fakehost");
    assert_eq!(client.version().unwrap()["ApiVersion"], "1.41");

    assert_eq!(
        daemon.requests(),
        [
            "GET /_ping",
            "GET /containers/json?all=1&filters=%7B%22label%22%3A%5B%22x%3D1%22%5D%7D",
            "GET /containers/aaaa1111/json",
            "GET /networks",
            "GET /info",
            "GET /version",
        ]
    );
    // Everything but the ping carries the negotiated version.
    let raw = daemon.raw_requests();
    assert_eq!(raw[0], "GET /_ping");
    assert!(
        raw[1..].iter().all(|line| line.contains(" /v1.41/")),
        "{raw:?}"
    );
    assert_eq!(client.calls(), 6);
    assert_eq!(client.api_version().as_deref(), Some("1.41"));
    // Clones share the version and the counter: no second ping.
    let clone = client.clone();
    clone.list_containers(false, &Filters::new()).unwrap();
    assert_eq!(daemon.requests().last().unwrap(), "GET /containers/json");
    assert_eq!(daemon.count("GET /_ping"), 1);
    assert_eq!(client.calls(), 7);
}

#[test]
fn list_containers_with_hands_over_the_body_and_names_decode_errors() {
    let daemon = FakeDaemon::start();
    let long = json!({"Id": "aaaa1111", "Name": "/web", "Config": {"Labels": {"pad": "x".repeat(100_000)}}});
    daemon.containers(&[long]);
    let client = client(&daemon);
    let length = client
        .list_containers_with(true, &Filters::new(), |body| Ok(body.len()))
        .unwrap();
    assert!(length > 100_000, "{length}");
    // The next, shorter answer is read into the kept buffer: nothing of the long one stays.
    let short = json!({"Id": "bbbb2222", "Name": "/db"});
    daemon.containers(&[short]);
    let text = client
        .list_containers_with(true, &Filters::new(), |body| {
            Ok(String::from_utf8_lossy(body).into_owned())
        })
        .unwrap();
    assert!(
        text.contains("bbbb2222") && !text.contains("xxxx"),
        "{text}"
    );
    assert_eq!(client.inspect_container("bbbb2222").unwrap()["Name"], "/db");
    let error = client
        .list_containers_with(true, &Filters::new(), |_| -> std::result::Result<(), _> {
            Err("expected a list".to_string())
        })
        .unwrap_err();
    assert_eq!(
        error.message,
        format!(
            "{}: GET /containers/json: invalid JSON: expected a list",
            daemon.endpoint()
        )
    );
}

#[test]
fn newer_daemon_is_capped_and_ping_renegotiates() {
    let daemon = FakeDaemon::start();
    daemon.set_api_version("1.50");
    let client = client(&daemon);
    client.info().unwrap();
    assert_eq!(daemon.raw_requests()[1], "GET /v1.47/info");
    // After a "restart" into an older daemon, ping picks up its version.
    daemon.set_api_version("1.43");
    client.ping().unwrap();
    client.info().unwrap();
    assert_eq!(daemon.raw_requests().last().unwrap(), "GET /v1.43/info");
    assert_eq!(client.api_version().as_deref(), Some("1.43"));
}

#[test]
fn kill_and_restart() {
    let daemon = FakeDaemon::start();
    daemon.route("POST", "/containers/", Response::Json(204, String::new()));
    let client = client(&daemon);
    client.kill_container("abc", 1).unwrap();
    client.kill_container("abc", 0).unwrap();
    client.kill_container("abc", -1).unwrap();
    client.restart_container("web/1", 10).unwrap();
    client.restart_container("/web", 5).unwrap();
    assert_eq!(
        daemon.requests()[1..],
        [
            "POST /containers/abc/kill?signal=1",
            "POST /containers/abc/kill",
            "POST /containers/abc/kill",
            "POST /containers/web%2F1/restart?t=10",
            "POST /containers/web/restart?t=5",
        ]
    );
}

#[test]
fn api_errors_carry_the_daemon_message() {
    let daemon = FakeDaemon::start();
    daemon.route(
        "GET",
        "/containers/json",
        Response::Json(500, r#"{"message":"database is locked"}"#.into()),
    );
    daemon.route(
        "POST",
        "/containers/gone/kill",
        Response::Json(404, r#"{"message":"No such container: gone"}"#.into()),
    );
    let client = client(&daemon);
    let error = client.list_containers(true, &Filters::new()).unwrap_err();
    assert_eq!(
        error.message,
        format!(
            "{}: GET /containers/json: API error (500): database is locked",
            daemon.endpoint()
        )
    );
    let error = client.kill_container("gone", 1).unwrap_err();
    assert_eq!(
        error.message,
        format!(
            "{}: POST /containers/gone/kill: API error (404): No such container: gone",
            daemon.endpoint()
        )
    );
    // The connection survives error answers.
    assert!(client.info().is_ok());
}

#[test]
fn garbage_json_is_an_error() {
    let daemon = FakeDaemon::start();
    daemon.route("GET", "/info", Response::Json(200, "{not json".into()));
    daemon.route(
        "GET",
        "/networks",
        Response::Json(200, r#"{"an":"object"}"#.into()),
    );
    let client = client(&daemon);
    let error = client.info().unwrap_err();
    assert!(
        error
            .message
            .starts_with(&format!("{}: GET /info: invalid JSON: ", daemon.endpoint())),
        "{}",
        error.message
    );
    let error = client.networks().unwrap_err();
    assert!(
        error
            .message
            .ends_with("GET /networks: invalid JSON: expected a list"),
        "{}",
        error.message
    );
}

#[test]
fn closed_and_truncated_answers_are_errors() {
    let daemon = FakeDaemon::start();
    daemon.route("GET", "/info", Response::Close);
    daemon.route(
        "GET",
        "/version",
        Response::Raw(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{\"Ver".to_vec()),
    );
    daemon.route(
        "GET",
        "/networks",
        Response::Raw(b"this is not HTTP\r\n\r\n".to_vec()),
    );
    let client = client(&daemon);
    let error = client.info().unwrap_err();
    println!("closed: {}", error.message);
    assert!(
        error
            .message
            .starts_with(&format!("{}: GET /info: ", daemon.endpoint())),
        "{}",
        error.message
    );
    let error = client.version().unwrap_err();
    println!("truncated: {}", error.message);
    assert!(
        error
            .message
            .starts_with(&format!("{}: GET /version: ", daemon.endpoint())),
        "{}",
        error.message
    );
    let error = client.networks().unwrap_err();
    println!("not http: {}", error.message);
    assert!(
        error
            .message
            .starts_with(&format!("{}: GET /networks: ", daemon.endpoint())),
        "{}",
        error.message
    );
    // And the client still works afterwards.
    daemon.route("GET", "/info", Response::Json(200, "{}".into()));
    assert_eq!(client.info().unwrap(), json!({}));
}

#[test]
fn hanging_daemon_times_out() {
    let daemon = FakeDaemon::start();
    daemon.route("GET", "/info", Response::Hang);
    let client = quick_client(&daemon);
    client.ping().unwrap();
    let started = Instant::now();
    let error = client.info().unwrap_err();
    let elapsed = started.elapsed();
    assert!(
        error.message.starts_with(&format!(
            "{}: GET /info: timed out after 500ms",
            daemon.endpoint()
        )),
        "{}",
        error.message
    );
    assert!(
        elapsed >= Duration::from_millis(400) && elapsed < Duration::from_secs(5),
        "{elapsed:?}"
    );
}

#[test]
fn missing_socket_is_a_named_error() {
    let daemon = FakeDaemon::start();
    let endpoint = daemon.endpoint();
    drop(daemon);
    let client = Client::new(&endpoint, &TlsOptions::default()).unwrap();
    let error = client.list_containers(true, &Filters::new()).unwrap_err();
    // The version is negotiated first, so the ping is what fails.
    assert_eq!(
        error.message,
        format!("{endpoint}: GET /_ping: no such file or directory (os error 2)")
    );
    assert_eq!(client.calls(), 1);
}

#[test]
fn refused_connection_is_a_named_error() {
    // A socket file nobody listens on: bind, then drop the listener (the file stays).
    let daemon = FakeDaemon::start();
    let path = daemon.socket_path().with_file_name("dead.sock");
    drop(std::os::unix::net::UnixListener::bind(&path).unwrap());
    let endpoint = format!("unix://{}", path.display());
    let client = Client::new(&endpoint, &TlsOptions::default()).unwrap();
    let error = client.ping().unwrap_err();
    assert_eq!(
        error.message,
        format!("{endpoint}: GET /_ping: connection refused (os error 111)")
    );
}

const START: &str = r#"{"Type":"container","Action":"start","Actor":{"ID":"0123456789abcdef","Attributes":{"name":"web"}},"time":1700000000}"#;
const DIE: &str = r#"{"status":"die","id":"fedcba9876543210","from":"nginx","time":1700000001}"#;

#[test]
fn events_are_delivered_and_garbage_is_skipped() {
    let daemon = FakeDaemon::start();
    let client = client(&daemon);
    let mut events = client
        .events(&filters(&[("event", &["start", "die"])]))
        .unwrap();
    assert_eq!(
        daemon.requests().last().unwrap(),
        "GET /events?filters=%7B%22event%22%3A%5B%22start%22%2C%22die%22%5D%7D"
    );
    daemon.push_event(START);
    daemon.push_event("{garbage");
    daemon.push_event(r#"{"Type":"container","Action":"start","time":0}"#);
    daemon.push_event(DIE);
    let first = events.next().unwrap().unwrap();
    assert_eq!(
        (first.kind.as_str(), first.action.as_str(), first.short_id()),
        ("container", "start", "0123456789ab")
    );
    assert_eq!(first.attributes["name"], "web");
    let error = events.next().unwrap().unwrap_err();
    assert!(
        error
            .message
            .starts_with(&format!("{}: GET /events: ", daemon.endpoint())),
        "{}",
        error.message
    );
    assert!(error.message.contains("invalid JSON"), "{}", error.message);
    let legacy = events.next().unwrap().unwrap();
    assert_eq!(
        (legacy.action.as_str(), legacy.actor_id.as_str()),
        ("die", "fedcba9876543210")
    );
    assert_eq!(legacy.attributes["image"], "nginx");
    // The daemon ends the stream: the iterator ends.
    daemon.close_event_streams();
    assert!(events.next().is_none());
    assert!(events.next().is_none());
    assert_eq!(client.calls(), 2);
}

#[test]
fn events_error_answer() {
    let daemon = FakeDaemon::start();
    daemon.route(
        "GET",
        "/events",
        Response::Json(400, r#"{"message":"invalid filter 'foo'"}"#.into()),
    );
    let client = client(&daemon);
    let error = client.events(&filters(&[("foo", &["bar"])])).err().unwrap();
    assert!(
        error
            .message
            .ends_with(": API error (400): invalid filter 'foo'"),
        "{}",
        error.message
    );
}

#[test]
fn events_shutdown_from_another_thread() {
    let daemon = FakeDaemon::start();
    let client = client(&daemon);
    let mut events = client.events(&Filters::new()).unwrap();
    let handle = events.shutdown_handle();
    daemon.push_event(START);
    let reader = std::thread::spawn(move || {
        let first = events.next().map(|item| item.map(|event| event.action));
        // This one blocks: nothing more is pushed.
        let second = events.next().map(|item| item.map(|event| event.action));
        (first, second, events.next().is_none())
    });
    std::thread::sleep(Duration::from_millis(200));
    let started = Instant::now();
    handle.shutdown();
    let (first, second, ended) = reader.join().unwrap();
    assert!(started.elapsed() < Duration::from_secs(2));
    assert_eq!(first, Some(Ok("start".to_string())));
    assert!(second.is_none(), "{second:?}");
    assert!(ended);
    // The client itself is unaffected.
    assert!(client.info().is_ok());
}

#[test]
fn events_stream_outlives_the_request_timeout() {
    let daemon = FakeDaemon::start();
    let client = quick_client(&daemon);
    let mut events = client.events(&Filters::new()).unwrap();
    std::thread::sleep(Duration::from_millis(800));
    daemon.push_event(START);
    assert_eq!(events.next().unwrap().unwrap().action, "start");
}

// ---- TCP ----

/// An HTTP server on 127.0.0.1 answering every request with the
/// same JSON; returns its port.
fn tcp_server(body: &'static str) -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { return };
            std::thread::spawn(move || {
                let mut writer = stream.try_clone().unwrap();
                let mut reader = BufReader::new(stream);
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 {
                        break;
                    }
                    if line.trim().is_empty() {
                        let answer = format!(
                            "HTTP/1.1 200 OK\r\nApi-Version: 1.44\r\nContent-Length: {}\r\n\r\n{body}",
                            body.len()
                        );
                        if writer.write_all(answer.as_bytes()).is_err() {
                            break;
                        }
                    }
                }
            });
        }
    });
    port
}

#[test]
fn plain_tcp_endpoint() {
    let port = tcp_server(r#"{"Name":"tcphost"}"#);
    let client = Client::new(&format!("tcp://127.0.0.1:{port}"), &TlsOptions::default()).unwrap();
    assert_eq!(client.info().unwrap()["Name"], "tcphost");
    assert_eq!(client.api_version().as_deref(), Some("1.44"));
    let bare = Client::new(&format!(":{port}"), &TlsOptions::default()).unwrap();
    bare.ping().unwrap();
}

// ---- TLS choice and material ----

fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("tinygen-tls-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn tls_options(dir: &std::path::Path, verify: bool) -> TlsOptions {
    TlsOptions {
        ca_cert: dir.join("ca.pem"),
        cert: dir.join("cert.pem"),
        key: dir.join("key.pem"),
        verify,
    }
}

#[test]
fn unix_never_uses_tls() {
    let dir = temp_dir("unix");
    // Even with verify and no CA, a Unix endpoint is plain.
    assert!(Client::new("unix:///tmp/none.sock", &tls_options(&dir, true)).is_ok());
}

#[test]
fn tcp_without_tls_material_is_plain() {
    let dir = temp_dir("plain");
    assert!(!tls::wanted(&tls_options(&dir, false)));
    assert!(tls::wanted(&tls_options(&dir, true)));
    std::fs::write(dir.join("key.pem"), "x").unwrap();
    assert!(tls::wanted(&tls_options(&dir, false)));
}

#[cfg(feature = "tls")]
#[test]
fn verify_without_ca_is_an_error() {
    let dir = temp_dir("verify");
    let error = Client::new("tcp://127.0.0.1:2376", &tls_options(&dir, true)).unwrap_err();
    assert!(
        error.message.starts_with("tcp://127.0.0.1:2376: ")
            && error
                .message
                .ends_with("TLS verification was requested, but CA cert does not exist"),
        "{}",
        error.message
    );
}

#[cfg(not(feature = "tls"))]
#[test]
fn tls_endpoint_without_tls_support() {
    let dir = temp_dir("notls");
    let error = Client::new("tcp://127.0.0.1:2376", &tls_options(&dir, true)).unwrap_err();
    assert!(
        error.message.contains("built without TLS support"),
        "{}",
        error.message
    );
}

/// Runs openssl with these arguments in `dir`; false when openssl is missing.
#[cfg(feature = "tls")]
fn openssl(dir: &std::path::Path, arguments: &[&str]) -> bool {
    match std::process::Command::new("openssl")
        .args(arguments)
        .current_dir(dir)
        .output()
    {
        Ok(output) if output.status.success() => true,
        Ok(output) => panic!(
            "openssl {arguments:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        ),
        Err(_) => false,
    }
}

#[cfg(feature = "tls")]
fn self_signed(dir: &std::path::Path, name: &str) -> bool {
    openssl(
        dir,
        &[
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-keyout",
            &format!("{name}.key"),
            "-out",
            &format!("{name}.crt"),
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
        ],
    )
}

#[cfg(feature = "tls")]
#[test]
fn mismatched_certificate_and_key_is_an_error() {
    let dir = temp_dir("mismatch");
    if !self_signed(&dir, "one") || !self_signed(&dir, "two") {
        println!("skipped: no openssl");
        return;
    }
    std::fs::copy(dir.join("one.crt"), dir.join("ca.pem")).unwrap();
    std::fs::copy(dir.join("one.crt"), dir.join("cert.pem")).unwrap();
    std::fs::copy(dir.join("two.key"), dir.join("key.pem")).unwrap();
    let error = Client::new("tcp://127.0.0.1:2376", &tls_options(&dir, true)).unwrap_err();
    assert!(
        error
            .message
            .contains("client certificate and key do not match"),
        "{}",
        error.message
    );
    // The matching pair is accepted.
    std::fs::copy(dir.join("one.key"), dir.join("key.pem")).unwrap();
    assert!(Client::new("tcp://127.0.0.1:2376", &tls_options(&dir, true)).is_ok());
    // A CA file without certificates is reported.
    std::fs::write(dir.join("ca.pem"), "not a certificate\n").unwrap();
    let error = Client::new("tcp://127.0.0.1:2376", &tls_options(&dir, true)).unwrap_err();
    assert!(
        error.message.contains("ca.pem: no certificate found"),
        "{}",
        error.message
    );
}

// ---- the real daemon ----

#[test]
fn real_daemon() {
    let required = std::env::var("TINYGEN_REQUIRE_DOCKER").is_ok_and(|value| value == "1");
    let client = Client::new("unix:///var/run/docker.sock", &TlsOptions::default()).unwrap();
    if let Err(error) = client.ping() {
        assert!(
            !required,
            "TINYGEN_REQUIRE_DOCKER=1 but the daemon does not answer: {error}"
        );
        println!("skipped: no Docker daemon at /var/run/docker.sock ({error})");
        return;
    }
    let version = client.version().unwrap();
    assert!(version["ApiVersion"].is_string(), "{version}");
    let negotiated = client.api_version().unwrap();
    assert_eq!(
        negotiated,
        negotiate(version["ApiVersion"].as_str().unwrap())
    );
    let containers = client.list_containers(true, &Filters::new()).unwrap();
    for container in &containers {
        assert!(container["Id"].is_string(), "{container}");
    }
    assert!(client.info().unwrap()["Name"].is_string());
    assert!(!client.networks().unwrap().is_empty());
    assert_eq!(client.calls(), 5);
}

/// Makes a CA (`<ca>.pem`, `<ca>.key`) in `dir`; false when openssl is missing.
#[cfg(feature = "tls")]
fn make_ca(dir: &std::path::Path, ca: &str) -> bool {
    openssl(
        dir,
        &[
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-keyout",
            &format!("{ca}.key"),
            "-out",
            &format!("{ca}.pem"),
            "-days",
            "1",
            "-subj",
            &format!("/CN={ca}"),
        ],
    )
}

/// Makes `<name>.crt`/`<name>.key` signed by the CA `ca`, with these extensions.
#[cfg(feature = "tls")]
fn make_leaf(dir: &std::path::Path, ca: &str, name: &str, extensions: &str) {
    std::fs::write(dir.join(format!("{name}.ext")), extensions).unwrap();
    openssl(
        dir,
        &[
            "req",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-keyout",
            &format!("{name}.key"),
            "-out",
            &format!("{name}.csr"),
            "-subj",
            &format!("/CN={name}"),
        ],
    );
    openssl(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            &format!("{name}.csr"),
            "-CA",
            &format!("{ca}.pem"),
            "-CAkey",
            &format!("{ca}.key"),
            "-CAcreateserial",
            "-out",
            &format!("{name}.crt"),
            "-days",
            "1",
            "-extfile",
            &format!("{name}.ext"),
        ],
    );
}

/// A TLS server on 127.0.0.1 that requires a client certificate issued by `client_ca` and
/// answers every request with `body`; returns its port.
#[cfg(feature = "tls")]
fn tls_server(dir: &std::path::Path, client_ca: &str, body: &'static str) -> u16 {
    use std::sync::Arc;
    let pem = |name: &str| std::fs::read(dir.join(name)).unwrap();
    let certificates = |name: &str| -> Vec<rustls::pki_types::CertificateDer<'static>> {
        ureq::tls::parse_pem(&pem(name))
            .filter_map(|item| match item.unwrap() {
                ureq::tls::PemItem::Certificate(c) => Some(c.der().to_vec().into()),
                _ => None,
            })
            .collect()
    };
    let key = ureq::tls::PrivateKey::from_pem(&pem("server.key")).unwrap();
    let key = rustls::pki_types::PrivateKeyDer::try_from(key.der().to_vec()).unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut roots = rustls::RootCertStore::empty();
    for certificate in certificates(&format!("{client_ca}.pem")) {
        roots.add(certificate).unwrap();
    }
    let verifier = rustls::server::WebPkiClientVerifier::builder_with_provider(
        Arc::new(roots),
        provider.clone(),
    )
    .build()
    .unwrap();
    let config = Arc::new(
        rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_client_cert_verifier(verifier)
            .with_single_cert(certificates("server.crt"), key)
            .unwrap(),
    );
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { return };
            let config = config.clone();
            std::thread::spawn(move || {
                let connection = rustls::ServerConnection::new(config).unwrap();
                let mut reader = BufReader::new(rustls::StreamOwned::new(connection, stream));
                let mut events = false;
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 {
                        break;
                    }
                    if line.starts_with("GET ") {
                        events = line.contains("/events");
                    }
                    if line.trim().is_empty() {
                        // An events stream: headers, then nothing until the client leaves.
                        let answer = if events {
                            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n".to_string()
                        } else {
                            format!(
                                "HTTP/1.1 200 OK\r\nApi-Version: 1.45\r\nContent-Length: {}\r\n\r\n{body}",
                                body.len()
                            )
                        };
                        let tls = reader.get_mut();
                        if tls
                            .write_all(answer.as_bytes())
                            .and_then(|()| tls.flush())
                            .is_err()
                        {
                            break;
                        }
                    }
                }
            });
        }
    });
    port
}

#[cfg(feature = "tls")]
#[test]
fn tls_endpoint_end_to_end() {
    let dir = temp_dir("e2e");
    if !make_ca(&dir, "ca") || !make_ca(&dir, "otherca") {
        println!("skipped: no openssl");
        return;
    }
    make_leaf(
        &dir,
        "ca",
        "server",
        "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n",
    );
    make_leaf(
        &dir,
        "ca",
        "client",
        "basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n",
    );
    let port = tls_server(&dir, "ca", r#"{"Name":"tlshost"}"#);
    let endpoint = format!("tcp://127.0.0.1:{port}");
    let options = TlsOptions {
        ca_cert: dir.join("ca.pem"),
        cert: dir.join("client.crt"),
        key: dir.join("client.key"),
        verify: true,
    };

    // Verified server, client certificate presented.
    let client = Client::new(&endpoint, &options).unwrap();
    assert_eq!(client.info().unwrap()["Name"], "tlshost");
    assert_eq!(client.api_version().as_deref(), Some("1.45"));

    // An events stream over TLS stops from another thread.
    let mut events = client.events(&Filters::new()).unwrap();
    let handle = events.shutdown_handle();
    let reader = std::thread::spawn(move || events.next().is_none());
    std::thread::sleep(Duration::from_millis(200));
    handle.shutdown();
    assert!(reader.join().unwrap());
    assert_eq!(client.info().unwrap()["Name"], "tlshost");

    // A server certificate from another CA is refused.
    let wrong_ca = TlsOptions {
        ca_cert: dir.join("otherca.pem"),
        ..options.clone()
    };
    let error = Client::new(&endpoint, &wrong_ca)
        .unwrap()
        .ping()
        .unwrap_err();
    println!("wrong CA: {}", error.message);
    assert!(
        error
            .message
            .starts_with(&format!("{endpoint}: GET /_ping: ")),
        "{}",
        error.message
    );
    assert!(error.message.contains("UnknownIssuer"), "{}", error.message);

    // No CA file and no -tlsverify: the server is not verified, the client cert still goes.
    let unverified = TlsOptions {
        ca_cert: dir.join("missing.pem"),
        verify: false,
        ..options.clone()
    };
    let client = Client::new(&endpoint, &unverified).unwrap();
    assert_eq!(client.info().unwrap()["Name"], "tlshost");

    // Without a client certificate the server refuses the handshake.
    let anonymous = TlsOptions {
        cert: dir.join("none.crt"),
        key: dir.join("none.key"),
        ..options.clone()
    };
    let error = Client::new(&endpoint, &anonymous)
        .unwrap()
        .ping()
        .unwrap_err();
    println!("no client cert: {}", error.message);
    assert!(
        error
            .message
            .starts_with(&format!("{endpoint}: GET /_ping: ")),
        "{}",
        error.message
    );

    // A plain-HTTP client against the TLS port fails with an error, not a hang.
    let plain = Client::with_timeouts(
        &endpoint,
        &TlsOptions::default(),
        Duration::from_secs(1),
        Duration::from_secs(2),
    )
    .unwrap();
    let error = plain.ping().unwrap_err();
    println!("plain against TLS: {}", error.message);
}

#[test]
fn daemon_restart_is_survived() {
    let daemon = FakeDaemon::start();
    let path = daemon.socket_path();
    let client = client(&daemon);
    client.info().unwrap();
    let mut events = client.events(&Filters::new()).unwrap();

    // The daemon goes away: the stream ends, requests fail with the socket gone.
    daemon.drop_connections();
    let end = events.next();
    assert!(matches!(end, None | Some(Err(_))), "{end:?}");
    drop(daemon);
    let error = client.info().unwrap_err();
    assert!(error.message.contains("GET /info"), "{}", error.message);

    // It comes back on the same socket, newer: the pooled connection is not reused, and a
    // ping picks up the new version.
    let restarted = FakeDaemon::start_at(&path);
    restarted.set_api_version("1.45");
    client.ping().unwrap();
    assert_eq!(client.info().unwrap()["Name"], "fakehost");
    assert_eq!(restarted.raw_requests(), ["GET /_ping", "GET /v1.45/info"]);
    drop(restarted);
    let _ = std::fs::remove_dir_all(path.parent().unwrap());
}
