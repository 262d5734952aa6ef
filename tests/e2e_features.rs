//! End-to-end tests against a real Docker Engine for what builds on the Go engine: our
//! reverse-proxy template, check-before-replace with rollback in watch mode, and offline
//! renders from a dumped context. Without a daemon they skip, unless
//! `TINYGEN_REQUIRE_DOCKER=1` (set by `.ci/run`) makes that a failure.

mod support;

use std::fs;
use std::path::Path;
use std::time::Duration;

use support::docker::{
    label_filter, poll_until, require_docker, run_id, Container, Network, TempDir, Tinygen,
    ENDPOINT,
};

fn template(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("templates")
        .join(name)
        .display()
        .to_string()
}

#[test]
fn reverse_proxy_template_routes_healthy_containers() {
    if !require_docker() {
        return;
    }
    let run = run_id("proxy");
    let network = Network::create(&run, "edge");
    let app = Container::builder(&run, "app")
        .env("VIRTUAL_HOST", "app.example, www.example")
        .env("VIRTUAL_PORT", "8080")
        .network(&network.name)
        .run();
    let single = Container::builder(&run, "single")
        .env("VIRTUAL_HOST", "single.example")
        .expose("9000")
        .run();
    let sick = Container::builder(&run, "sick")
        .env("VIRTUAL_HOST", "sick.example")
        .health_cmd("false", "1s")
        .run();
    sick.wait_health("unhealthy", Duration::from_secs(30));
    let dir = TempDir::new("proxy");
    let dest = dir.path().join("proxy.conf");
    Tinygen::new()
        .args([
            "-endpoint",
            ENDPOINT,
            "-container-filter",
            &label_filter(&run),
        ])
        .arg(template("reverse-proxy.tmpl"))
        .arg(&dest)
        .run()
        .assert_success();
    let conf = fs::read_to_string(&dest).unwrap();
    let app_ip = app.ip_on(&network.name);
    let single_ip = single.ip_on("bridge");
    for host in ["app.example", "www.example"] {
        let upstream = format!("upstream {host} {{\n    server {app_ip}:8080;\n}}");
        assert!(conf.contains(&upstream), "missing {upstream:?} in\n{conf}");
    }
    let upstream = format!("upstream single.example {{\n    server {single_ip}:9000;\n}}");
    assert!(conf.contains(&upstream), "missing {upstream:?} in\n{conf}");
    assert!(
        conf.contains("# sick.example: 0 of 1 containers\nserver {\n    listen 80;\n    server_name sick.example;\n    return 503;"),
        "an unhealthy container must not be routed:\n{conf}"
    );
}

#[test]
fn a_failing_check_rolls_back_in_watch_mode_and_the_next_good_change_goes_through() {
    if !require_docker() {
        return;
    }
    let run = run_id("rollback");
    let dir = TempDir::new("rollback");
    let tmpl = dir.write(
        "upstreams.tmpl",
        "{{ range $ }}{{ with index .Labels \"proxy.upstream\" }}server {{ . }};\n{{ end }}{{ end }}",
    );
    let dest = dir.path().join("upstreams.conf");
    let notified = dir.path().join("notified");
    let notify = format!("echo reload >> {}", notified.display());
    // A stand-in for `nginx -t`: every line must be `server host:port;`.
    let check = "! grep -Evq '^server [a-z0-9.-]+:[0-9]+;$' {dest}";
    let _good = Container::builder(&run, "good")
        .label("proxy.upstream", "good.internal:80")
        .run();
    let tinygen = Tinygen::new()
        .args([
            "-endpoint",
            ENDPOINT,
            "-watch",
            "-container-filter",
            &label_filter(&run),
        ])
        .args(["-check", check, "-notify", &notify])
        .arg(&tmpl)
        .arg(&dest)
        .spawn(dir.path());
    let read = |path: &Path| fs::read_to_string(path).unwrap_or_default();
    poll_until(Duration::from_secs(15), || {
        (read(&dest) == "server good.internal:80;\n").then_some(())
    })
    .unwrap_or_else(|| panic!("first render\n{}", tinygen.diagnostics()));
    let before = fs::read(&dest).unwrap();
    let reloads = || read(&notified).lines().count();
    // The notification runs right after the write.
    poll_until(Duration::from_secs(5), || (reloads() == 1).then_some(()))
        .unwrap_or_else(|| panic!("the first reload\n{}", tinygen.diagnostics()));

    let bad = Container::builder(&run, "bad")
        .label("proxy.upstream", "evil; include /etc/passwd")
        .run();
    poll_until(Duration::from_secs(15), || {
        tinygen.log().contains("Kept the previous").then_some(())
    })
    .unwrap_or_else(|| panic!("the check's refusal\n{}", tinygen.diagnostics()));
    assert_eq!(
        fs::read(&dest).unwrap(),
        before,
        "the live file is the previous one, byte for byte"
    );
    assert_eq!(reloads(), 1, "no notification for refused content");

    drop(bad);
    let _better = Container::builder(&run, "better")
        .label("proxy.upstream", "better.internal:8080")
        .run();
    poll_until(Duration::from_secs(15), || {
        let text = read(&dest);
        (text.contains("server better.internal:8080;") && text.contains("server good.internal:80;"))
            .then_some(())
    })
    .unwrap_or_else(|| panic!("the next good change\n{}", tinygen.diagnostics()));
    poll_until(Duration::from_secs(5), || (reloads() == 2).then_some(()))
        .unwrap_or_else(|| panic!("one more reload\n{}", tinygen.diagnostics()));
}

#[test]
fn offline_render_from_a_dumped_context_matches_the_live_render() {
    if !require_docker() {
        return;
    }
    let run = run_id("offline");
    let network = Network::create(&run, "net");
    let _web = Container::builder(&run, "web")
        .env("VIRTUAL_HOST", "web.example")
        .label("com.example.role", "front")
        .publish_loopback("80")
        .network(&network.name)
        .network_alias("www")
        .run();
    let _plain = Container::builder(&run, "plain").run();
    let dir = TempDir::new("offline");
    let context = dir.path().join("context.json");
    let filter = label_filter(&run);
    Tinygen::new()
        .args([
            "-endpoint",
            ENDPOINT,
            "-container-filter",
            &filter,
            "-dump-context",
        ])
        .arg(&context)
        .arg(template("context.json.tmpl"))
        .run()
        .assert_success();
    for name in [
        "context.json.tmpl",
        "hosts.tmpl",
        "dnsmasq.tmpl",
        "reverse-proxy.tmpl",
    ] {
        let live = Tinygen::new()
            .args(["-endpoint", ENDPOINT, "-container-filter", &filter])
            .arg(template(name))
            .run();
        live.assert_success();
        let offline = Tinygen::new()
            .args(["-endpoint", "unix:///nonexistent.sock", "-context"])
            .arg(&context)
            .arg(template(name))
            .run();
        offline.assert_success();
        assert_eq!(
            mask_daemon_counts(&offline.stdout),
            mask_daemon_counts(&live.stdout),
            "{name}: offline and live renders differ"
        );
        assert!(
            live.stdout.contains("web"),
            "{name} rendered nothing useful:\n{}",
            live.stdout
        );
    }
}

/// Hides `$.Docker.NumContainers` and `NumImages` in a JSON rendering: they count the whole
/// daemon, which tests running in parallel change between two renders.
fn mask_daemon_counts(text: &str) -> String {
    let mut text = text.to_string();
    for key in ["\"NumContainers\":", "\"NumImages\":"] {
        if let Some(start) = text.find(key) {
            let from = start + key.len();
            let end = text[from..]
                .find(|c: char| !c.is_ascii_digit())
                .map_or(text.len(), |length| from + length);
            text.replace_range(from..end, "N");
        }
    }
    text
}
