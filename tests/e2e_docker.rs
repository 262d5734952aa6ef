//! End-to-end tests of the one-shot render against a real Docker Engine.
//!
//! Each test starts its own busybox containers (labelled with its run id), runs the real
//! `tinygen` binary with a Go template written into a temporary directory, and compares the
//! output with what `docker inspect` says. Without a daemon the tests skip, unless
//! `TINYGEN_REQUIRE_DOCKER=1` (set by `.ci/run`) makes that a failure.

mod support;

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;
use std::thread;
use std::time::Duration;

use serde_json::Value;

use support::docker::{
    docker_ok, label_filter, require_docker, run_id, set_mode, Container, Network, Run, TempDir,
    Tinygen, ENDPOINT, IMAGE,
};

/// One line per fact, each naming its container, so that the container order (newest first,
/// as the daemon lists them) does not matter but the order inside a container does.
const FACTS_TEMPLATE: &str = r#"{{- range $c := $ }}
C {{ $c.Name }} id={{ $c.ID }} image={{ $c.Image }} hostname={{ $c.Hostname }} running={{ $c.State.Running }} health={{ $c.State.Health.Status }} mode={{ $c.NetworkMode }} ip={{ $c.IP }}
E {{ $c.Name }} vhost={{ $c.Env.VIRTUAL_HOST }} indexed={{ index $c.Env "VIRTUAL_HOST" }} role={{ index $c.Labels "com.example.role" }}
{{- range $a := $c.Addresses }}
A {{ $c.Name }} {{ $a.Port }}/{{ $a.Proto }} hostport={{ $a.HostPort }} hostip={{ $a.HostIP }}
{{- end }}
{{- range $n := $c.Networks }}
N {{ $c.Name }} {{ $n.Name }} ip={{ $n.IP }} gateway={{ $n.Gateway }} mac={{ $n.MacAddress }} aliases={{ range $i, $alias := $n.Aliases }}{{ if $i }},{{ end }}{{ $alias }}{{ end }}
{{- end }}
{{- range $m := $c.Mounts }}
M {{ $c.Name }} {{ $m.Source }} -> {{ $m.Destination }} rw={{ $m.RW }}
{{- end }}
{{- end }}
D version={{ $.Docker.Version }} containers={{ len $ }} mark={{ $.Env.TINYGEN_E2E_MARK }}
"#;

/// One line per container: its name and whether it runs.
const NAMES_TEMPLATE: &str = "{{ range $ }}{{ .Name }} running={{ .State.Running }}\n{{ end }}";

/// The lines of `text` grouped by their second word (the container name, or `D` for the
/// line about the daemon), keeping their order inside a group.
fn group_by_container(text: &str) -> BTreeMap<String, Vec<String>> {
    let mut groups: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for line in text.lines().filter(|line| !line.trim().is_empty()) {
        let mut words = line.split(' ');
        let kind = words.next().unwrap_or_default();
        let key = if kind == "D" {
            "D"
        } else {
            words.next().unwrap_or_default()
        };
        groups
            .entry(key.to_string())
            .or_default()
            .push(line.to_string());
    }
    groups
}

fn text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// What `FACTS_TEMPLATE` must print for one container, derived from `docker inspect` by the
/// rules of spec §3.2–§3.3.
fn expected_facts(inspect: &Value) -> Vec<String> {
    let name = text(&inspect["Name"]).trim_start_matches('/').to_string();
    let env: BTreeMap<String, String> = inspect["Config"]["Env"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|item| {
            item.as_str()?
                .split_once('=')
                .map(|(k, v)| (k.into(), v.into()))
        })
        .collect();
    let health = text(&inspect["State"]["Health"]["Status"]);
    let mut lines = vec![
        format!(
            "C {name} id={} image={} hostname={} running={} health={health} mode={} ip={}",
            text(&inspect["Id"]),
            text(&inspect["Config"]["Image"]),
            text(&inspect["Config"]["Hostname"]),
            inspect["State"]["Running"],
            text(&inspect["HostConfig"]["NetworkMode"]),
            text(&inspect["NetworkSettings"]["IPAddress"]),
        ),
        format!(
            "E {name} vhost={} indexed={} role={}",
            env.get("VIRTUAL_HOST").map_or("<no value>", String::as_str),
            env.get("VIRTUAL_HOST").map_or("", String::as_str),
            text(&inspect["Config"]["Labels"]["com.example.role"]),
        ),
    ];

    // Addresses: one per published/exposed port key, first binding only, falling back to
    // Config.ExposedPorts, sorted by numeric port, then proto, host port, host IP.
    let mut addresses: Vec<(u32, String, String, String, String)> = Vec::new();
    if let Some(ports) = inspect["NetworkSettings"]["Ports"].as_object() {
        for (key, bindings) in ports {
            let (port, proto) = key.split_once('/').unwrap_or((key, "tcp"));
            let first = &bindings[0];
            addresses.push((
                port.parse().unwrap_or(0),
                port.to_string(),
                proto.to_string(),
                text(&first["HostPort"]),
                text(&first["HostIp"]),
            ));
        }
    }
    if addresses.is_empty() {
        if let Some(ports) = inspect["Config"]["ExposedPorts"].as_object() {
            for key in ports.keys() {
                let (port, proto) = key.split_once('/').unwrap_or((key, "tcp"));
                let entry = (
                    port.parse().unwrap_or(0),
                    port.into(),
                    proto.into(),
                    "".into(),
                    "".into(),
                );
                addresses.push(entry);
            }
        }
    }
    addresses.sort_by(|a, b| (a.0, &a.2, &a.3, &a.4).cmp(&(b.0, &b.2, &b.3, &b.4)));
    for (_, port, proto, host_port, host_ip) in addresses {
        lines.push(format!(
            "A {name} {port}/{proto} hostport={host_port} hostip={host_ip}"
        ));
    }

    let mut networks: Vec<(&String, &Value)> = inspect["NetworkSettings"]["Networks"]
        .as_object()
        .map(|networks| networks.iter().collect())
        .unwrap_or_default();
    networks.sort_by(|a, b| a.0.cmp(b.0));
    for (network, endpoint) in networks {
        let aliases: Vec<String> = endpoint["Aliases"]
            .as_array()
            .into_iter()
            .flatten()
            .map(text)
            .collect();
        lines.push(format!(
            "N {name} {network} ip={} gateway={} mac={} aliases={}",
            text(&endpoint["IPAddress"]),
            text(&endpoint["Gateway"]),
            text(&endpoint["MacAddress"]),
            aliases.join(","),
        ));
    }

    for mount in inspect["Mounts"].as_array().into_iter().flatten() {
        lines.push(format!(
            "M {name} {} -> {} rw={}",
            text(&mount["Source"]),
            text(&mount["Destination"]),
            mount["RW"],
        ));
    }
    lines
}

/// Fails with everything needed to see why: tinygen's run, its output, the expectation.
fn assert_groups(run: &Run, rendered: &str, expected: &BTreeMap<String, Vec<String>>) {
    let actual = group_by_container(rendered);
    if &actual != expected {
        let mut report = String::new();
        for key in expected
            .keys()
            .chain(actual.keys().filter(|k| !expected.contains_key(*k)))
        {
            let want = expected.get(key).cloned().unwrap_or_default();
            let got = actual.get(key).cloned().unwrap_or_default();
            if want != got {
                report.push_str(&format!(
                    "--- {key}: expected\n{}\n+++ {key}: rendered\n{}\n",
                    want.join("\n"),
                    got.join("\n")
                ));
            }
        }
        panic!(
            "rendered output differs from docker inspect:\n{report}\n{}",
            run.diagnostics()
        );
    }
}

fn sorted_lines(text: &str) -> Vec<String> {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    lines.sort();
    lines
}

#[test]
fn one_shot_render_matches_docker_inspect() {
    if !require_docker() {
        return;
    }
    let id = run_id("render");
    let dir = TempDir::new("render");
    let data_dir = TempDir::new("render-data");
    let network_b = Network::create(&id, "net-b");
    let network_a = Network::create(&id, "net-a");

    let web = Container::builder(&id, "web")
        .env("VIRTUAL_HOST", &format!("web.{id}.test"))
        .label("com.example.role", "frontend")
        .expose("8080")
        .publish_loopback("80")
        .hostname("web-host")
        .volume(data_dir.path(), "/data")
        .run();
    let api = Container::builder(&id, "api")
        .env("VIRTUAL_HOST", &format!("api.{id}.test"))
        .label("com.example.role", "backend")
        .expose("53/udp")
        .network(&network_b.name)
        .network_alias("api-alias")
        .run();
    network_a.connect(&api, &["api-second"]);
    let worker = Container::builder(&id, "worker")
        .health_cmd("true", "1s")
        .run();
    worker.wait_health("healthy", Duration::from_secs(30));

    let template = dir.write("facts.tmpl", FACTS_TEMPLATE);
    let dest = dir.path().join("facts.out");
    let run = Tinygen::new()
        .env("TINYGEN_E2E_MARK", &id)
        .args([
            "-endpoint",
            ENDPOINT,
            "-container-filter",
            &label_filter(&id),
        ])
        .arg(&template)
        .arg(&dest)
        .run();
    run.assert_success();
    let rendered = fs::read_to_string(&dest)
        .unwrap_or_else(|e| panic!("{}: {e}\n{}", dest.display(), run.diagnostics()));

    let mut expected = BTreeMap::new();
    for container in [&web, &api, &worker] {
        let inspect = container.inspect();
        expected.insert(container.name.clone(), expected_facts(&inspect));
    }
    let version = docker_ok(["version", "--format", "{{.Server.Version}}"]);
    expected.insert(
        "D".to_string(),
        vec![format!("D version={version} containers=3 mark={id}")],
    );
    assert_groups(&run, &rendered, &expected);

    // The facts the issue names explicitly, spelled out so a wrong derivation above cannot
    // hide them.
    let groups = group_by_container(&rendered);
    let web_lines = groups[&web.name].join("\n");
    assert!(web_lines.contains(&format!("id={}", web.id)), "{web_lines}");
    assert!(web_lines.contains(&format!("image={IMAGE}")), "{web_lines}");
    assert!(
        web_lines.contains(&format!("vhost=web.{id}.test")),
        "{web_lines}"
    );
    assert!(web_lines.contains("role=frontend"), "{web_lines}");
    let host_port = text(&web.inspect()["NetworkSettings"]["Ports"]["80/tcp"][0]["HostPort"]);
    assert!(
        !host_port.is_empty(),
        "docker published no host port for 80/tcp"
    );
    assert!(
        web_lines.contains(&format!("80/tcp hostport={host_port} hostip=127.0.0.1")),
        "{web_lines}"
    );
    assert!(
        web_lines.contains("8080/tcp hostport= hostip="),
        "{web_lines}"
    );
    let api_lines = &groups[&api.name];
    assert!(
        api_lines
            .iter()
            .any(|l| l.contains("A ") && l.contains("53/udp")),
        "{api_lines:?}"
    );
    let network_lines: Vec<&String> = api_lines.iter().filter(|l| l.starts_with("N ")).collect();
    assert_eq!(network_lines.len(), 2, "{api_lines:?}");
    assert!(
        network_lines[0].contains(&network_a.name),
        "not sorted by name: {api_lines:?}"
    );
    assert!(network_lines[1].contains(&format!("ip={}", api.ip_on(&network_b.name))));
    assert!(network_lines[1].contains("api-alias"), "{api_lines:?}");
    let worker_lines = groups[&worker.name].join("\n");
    assert!(worker_lines.contains("health=healthy"), "{worker_lines}");
    assert!(
        worker_lines.contains("vhost=<no value> indexed= role="),
        "{worker_lines}"
    );
}

#[test]
fn only_exposed_and_only_published_select_by_ports() {
    if !require_docker() {
        return;
    }
    let id = run_id("ports");
    let dir = TempDir::new("ports");
    let plain = Container::builder(&id, "plain").run();
    let exposed = Container::builder(&id, "exposed").expose("8080").run();
    let published = Container::builder(&id, "published")
        .publish_loopback("80")
        .run();
    let template = dir.write("names.tmpl", NAMES_TEMPLATE);

    let render = |flags: &[&str]| -> (Vec<String>, Run) {
        let run = Tinygen::new()
            .args([
                "-endpoint",
                ENDPOINT,
                "-container-filter",
                &label_filter(&id),
            ])
            .args(flags)
            .arg(&template)
            .run();
        run.assert_success();
        (sorted_lines(&run.stdout), run)
    };
    let line = |c: &Container| format!("{} running=true", c.name);

    let (all, run) = render(&[]);
    let mut want = vec![line(&plain), line(&exposed), line(&published)];
    want.sort();
    assert_eq!(all, want, "{}", run.diagnostics());

    let (only_exposed, run) = render(&["-only-exposed"]);
    let mut want = vec![line(&exposed), line(&published)];
    want.sort();
    assert_eq!(only_exposed, want, "-only-exposed\n{}", run.diagnostics());

    let (only_published, run) = render(&["-only-published"]);
    assert_eq!(
        only_published,
        vec![line(&published)],
        "-only-published\n{}",
        run.diagnostics()
    );
}

#[test]
fn include_stopped_adds_stopped_and_created_containers() {
    if !require_docker() {
        return;
    }
    let id = run_id("stopped");
    let dir = TempDir::new("stopped");
    let running = Container::builder(&id, "up").run();
    let exited = Container::builder(&id, "exited").run();
    exited.kill();
    let created = Container::builder(&id, "created").create();
    let template = dir.write("names.tmpl", NAMES_TEMPLATE);
    let render = |flags: &[&str]| {
        let run = Tinygen::new()
            .args([
                "-endpoint",
                ENDPOINT,
                "-container-filter",
                &label_filter(&id),
            ])
            .args(flags)
            .arg(&template)
            .run();
        run.assert_success();
        (sorted_lines(&run.stdout), run)
    };

    let (default, run) = render(&[]);
    assert_eq!(
        default,
        vec![format!("{} running=true", running.name)],
        "{}",
        run.diagnostics()
    );

    let (all, run) = render(&["-include-stopped"]);
    let mut want = vec![
        format!("{} running=true", running.name),
        format!("{} running=false", exited.name),
        format!("{} running=false", created.name),
    ];
    want.sort();
    assert_eq!(all, want, "-include-stopped\n{}", run.diagnostics());
}

#[test]
fn container_filters_select_containers() {
    if !require_docker() {
        return;
    }
    let id = run_id("filters");
    let dir = TempDir::new("filters");
    let a = Container::builder(&id, "a")
        .label("com.example.role", "a")
        .run();
    let b = Container::builder(&id, "b")
        .label("com.example.role", "b")
        .run();
    let template = dir.write("names.tmpl", NAMES_TEMPLATE);

    // Labels are ANDed by the daemon: both must match.
    let run = Tinygen::new()
        .args(["-endpoint", ENDPOINT])
        .args(["-container-filter", &label_filter(&id)])
        .args(["-container-filter", "label=com.example.role=a"])
        .arg(&template)
        .run();
    run.assert_success();
    assert_eq!(
        sorted_lines(&run.stdout),
        vec![format!("{} running=true", a.name)],
        "{}",
        run.diagnostics()
    );

    // Different keys are ANDed too.
    let run = Tinygen::new()
        .args(["-endpoint", ENDPOINT])
        .args(["-container-filter", &label_filter(&id)])
        .args(["-container-filter", &format!("name={}", b.name)])
        .arg(&template)
        .run();
    run.assert_success();
    assert_eq!(
        sorted_lines(&run.stdout),
        vec![format!("{} running=true", b.name)],
        "{}",
        run.diagnostics()
    );

    // DOCKER_CONTAINER_FILTERS is used when no -container-filter is given.
    let run = Tinygen::new()
        .env(
            "DOCKER_CONTAINER_FILTERS",
            &format!("{}, label=com.example.role=b", label_filter(&id)),
        )
        .args(["-endpoint", ENDPOINT])
        .arg(&template)
        .run();
    run.assert_success();
    assert_eq!(
        sorted_lines(&run.stdout),
        vec![format!("{} running=true", b.name)],
        "{}",
        run.diagnostics()
    );
}

/// (inode, mtime in nanoseconds, mode bits) of a file.
fn file_stamp(path: &Path) -> (u64, i128, u32) {
    let meta = fs::metadata(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mtime = i128::from(meta.mtime()) * 1_000_000_000 + i128::from(meta.mtime_nsec());
    (meta.ino(), mtime, meta.permissions().mode() & 0o7777)
}

#[test]
fn unchanged_output_is_not_rewritten() {
    if !require_docker() {
        return;
    }
    let id = run_id("unchanged");
    let dir = TempDir::new("unchanged");
    let first = Container::builder(&id, "first").run();
    let template = dir.write("names.tmpl", NAMES_TEMPLATE);
    let dest = dir.path().join("names.out");
    let render = || {
        let run = Tinygen::new()
            .args([
                "-endpoint",
                ENDPOINT,
                "-container-filter",
                &label_filter(&id),
            ])
            .arg(&template)
            .arg(&dest)
            .run();
        run.assert_success();
        run
    };

    let run = render();
    let content =
        fs::read_to_string(&dest).unwrap_or_else(|e| panic!("{e}\n{}", run.diagnostics()));
    assert_eq!(
        content,
        format!("{} running=true\n", first.name),
        "{}",
        run.diagnostics()
    );
    let before = file_stamp(&dest);
    // Long enough for a rewrite to get a different mtime on any file system clock.
    thread::sleep(Duration::from_millis(50));

    let run = render();
    let after = file_stamp(&dest);
    assert_eq!(
        after,
        before,
        "unchanged output was rewritten (inode, mtime, mode)\n{}",
        run.diagnostics()
    );
    assert_eq!(fs::read_to_string(&dest).unwrap_or_default(), content);

    // A change is written: the same check sees it.
    let second = Container::builder(&id, "second").run();
    let run = render();
    let changed = file_stamp(&dest);
    assert_ne!(
        changed.1,
        before.1,
        "changed output did not change the mtime\n{}",
        run.diagnostics()
    );
    let mut want = vec![
        format!("{} running=true", first.name),
        format!("{} running=true", second.name),
    ];
    want.sort();
    assert_eq!(
        sorted_lines(&fs::read_to_string(&dest).unwrap_or_default()),
        want,
        "{}",
        run.diagnostics()
    );
}

#[test]
fn dest_mode_is_kept_after_a_change() {
    if !require_docker() {
        return;
    }
    let id = run_id("mode");
    let dir = TempDir::new("mode");
    let only = Container::builder(&id, "only").run();
    let template = dir.write("names.tmpl", NAMES_TEMPLATE);
    let dest = dir.write("names.out", "stale content from an earlier run\n");
    set_mode(&dest, 0o600);

    let run = Tinygen::new()
        .args([
            "-endpoint",
            ENDPOINT,
            "-container-filter",
            &label_filter(&id),
        ])
        .arg(&template)
        .arg(&dest)
        .run();
    run.assert_success();
    assert_eq!(
        fs::read_to_string(&dest).unwrap_or_default(),
        format!("{} running=true\n", only.name),
        "{}",
        run.diagnostics()
    );
    let (_, _, mode) = file_stamp(&dest);
    assert_eq!(
        mode,
        0o600,
        "dest mode {mode:o} after the write, expected 600\n{}",
        run.diagnostics()
    );
}

#[test]
fn unreachable_endpoint_names_it_and_keeps_dest() {
    // Needs no daemon: the point is that there is none at this address.
    let dir = TempDir::new("unreachable");
    let template = dir.write("names.tmpl", NAMES_TEMPLATE);
    let previous = "previous good output\nkept byte for byte\n";
    let dest = dir.write("names.out", previous);
    let before = file_stamp(&dest);

    let run = Tinygen::new()
        .args(["-endpoint", "unix:///nonexistent.sock"])
        .arg(&template)
        .arg(&dest)
        .run();
    assert!(
        run.stderr.contains("/nonexistent.sock"),
        "the error does not name the endpoint\n{}",
        run.diagnostics()
    );
    assert_eq!(
        fs::read_to_string(&dest).unwrap_or_default(),
        previous,
        "{}",
        run.diagnostics()
    );
    assert_eq!(
        file_stamp(&dest),
        before,
        "dest was touched\n{}",
        run.diagnostics()
    );
}

/// Renders one of the example templates shipped in `templates/` against the real daemon.
fn render_shipped(name: &str, id: &str, dir: &TempDir) -> (String, Run) {
    let template = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("templates")
        .join(name);
    assert!(template.exists(), "{} is missing", template.display());
    let dest = dir.path().join(format!("{name}.out"));
    let run = Tinygen::new()
        .args([
            "-endpoint",
            ENDPOINT,
            "-container-filter",
            &label_filter(id),
        ])
        .arg(&template)
        .arg(&dest)
        .run();
    run.assert_success();
    let rendered = fs::read_to_string(&dest)
        .unwrap_or_else(|e| panic!("{}: {e}\n{}", dest.display(), run.diagnostics()));
    (rendered, run)
}

#[test]
fn shipped_templates_render_the_running_containers() {
    if !require_docker() {
        return;
    }
    let id = run_id("shipped");
    let dir = TempDir::new("shipped");
    let network = Network::create(&id, "net");
    let web = Container::builder(&id, "web").publish_loopback("80").run();
    let app = Container::builder(&id, "app")
        .network(&network.name)
        .network_alias("app-alias")
        .run();
    let addresses = [
        (web.name.clone(), web.ip_on("bridge")),
        (app.name.clone(), app.ip_on(&network.name)),
    ];

    // Address-per-line formats: every (IP, name) pair shows up on one line, IP first.
    for template in ["hosts.tmpl", "hosts.tt", "dnsmasq.tmpl"] {
        let (rendered, run) = render_shipped(template, &id, &dir);
        for (name, ip) in &addresses {
            let found = rendered.lines().any(|line| {
                let mut words = line.split_whitespace();
                words.next() == Some(ip.as_str())
                    && words.any(|word| word == name || word.starts_with(&format!("{name}.")))
            });
            assert!(
                found,
                "{template}: no line with {ip} and {name}\n--- rendered ---\n{rendered}\n{}",
                run.diagnostics()
            );
        }
    }

    // The JSON dump parses and holds both containers with their IDs.
    let (rendered, run) = render_shipped("context.json.tmpl", &id, &dir);
    let context: Value = serde_json::from_str(&rendered).unwrap_or_else(|e| {
        panic!(
            "context.json.tmpl: not JSON ({e})\n{rendered}\n{}",
            run.diagnostics()
        )
    });
    let containers = context["Containers"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    for container in [&web, &app] {
        let listed = containers
            .iter()
            .any(|c| c["ID"] == container.id.as_str() && c["Name"] == container.name.as_str());
        assert!(
            listed,
            "context.json.tmpl lacks {}\n{rendered}",
            container.name
        );
    }
}
