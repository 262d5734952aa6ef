//! tinygen over TLS against the real Docker daemon: a `tcp://` endpoint with `-tlsverify`,
//! a CA and a client certificate made by openssl, served by a TLS front that forwards to
//! the daemon's socket (`support::tls_proxy`, as a daemon started with `--tlsverify` would
//! answer).
//!
//! - The host build (default features, TLS on) renders once and then follows events in
//!   watch mode over TLS.
//! - The minimal aarch64 build with TLS (`tests/edge/build-musl.sh --minimal` with the
//!   `tls` feature: ring's C code compiled by clang) is static, under the 3 MB target, and
//!   renders once under qemu over TLS.
//!
//! Needs openssl, and for the second test what `tests/e2e_qemu.rs` needs plus clang and
//! llvm-ar; without them the tests skip, unless `TINYGEN_REQUIRE_DOCKER=1` (set by
//! `.ci/run`, which installs all of it) makes that a failure.
#![cfg(feature = "tls")]

mod support;

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use support::docker::{
    has_command, label_filter, missing, poll_until, read_or_note, require_docker, run_id,
    Container, Daemon, TempDir, Tinygen, SOCKET,
};
use support::tls_proxy::{self, Pki};

/// The size target for a binary with TLS.
const TLS_BUDGET: u64 = 3_000_000;

/// The certificates and a TLS front for the real daemon, or `None` (skipped) without openssl.
fn tls_endpoint(dir: &Path) -> Option<(Pki, String)> {
    match Pki::make(dir) {
        Ok(pki) => {
            let port = tls_proxy::start(&pki, SOCKET);
            Some((pki, format!("tcp://127.0.0.1:{port}")))
        }
        Err(why) => {
            missing(&why);
            None
        }
    }
}

/// Sorted by name: the daemon lists the newest container first.
const TEMPLATE: &str =
    "{{ range sortObjectsByKeysAsc $ \"Name\" }}{{ .Name }} {{ .Env.VIRTUAL_HOST }}\n{{ end }}";

#[test]
fn host_build_renders_and_watches_over_tls() {
    if !require_docker() {
        return;
    }
    let dir = TempDir::new("tls");
    let Some((pki, endpoint)) = tls_endpoint(dir.path()) else {
        return;
    };
    let run = run_id("tls");
    let filter = label_filter(&run);
    let web = Container::builder(&run, "web")
        .env("VIRTUAL_HOST", "tls.example")
        .run();
    let template = dir.write("tls.tmpl", TEMPLATE);

    let once = Tinygen::new()
        .args(["-endpoint", &endpoint])
        .args(pki.flags())
        .args(["-container-filter", &filter])
        .arg(&template)
        .run();
    once.assert_success();
    assert_eq!(once.stdout, format!("{} tls.example\n", web.name));

    // Without the client certificate the front refuses the connection: TLS is really used.
    let refused = Tinygen::new()
        .args(["-endpoint", &endpoint, "-tlsverify", "-tlscacert"])
        .arg(pki.dir.join("ca.pem"))
        .args([
            "-tlscert",
            "/nonexistent.pem",
            "-tlskey",
            "/nonexistent.pem",
        ])
        .arg(&template)
        .run();
    assert!(!refused.success(), "{}", refused.diagnostics());

    // Watch mode: the events stream runs over TLS too.
    let output = dir.path().join("out.txt");
    let watcher = Tinygen::new()
        .args(["-endpoint", &endpoint])
        .args(pki.flags())
        .args(["-container-filter", &filter, "-watch"])
        .arg(&template)
        .arg(&output)
        .spawn(dir.path());
    let first = format!("{} tls.example\n", web.name);
    wait_for_file(&watcher, &output, &first, "first render over TLS");
    let api = Container::builder(&run, "api")
        .env("VIRTUAL_HOST", "api.tls.example")
        .run();
    let mut names = [
        (web.name.to_string(), "tls.example"),
        (api.name.to_string(), "api.tls.example"),
    ];
    names.sort();
    let both: String = names
        .iter()
        .map(|(name, host)| format!("{name} {host}\n"))
        .collect();
    wait_for_file(
        &watcher,
        &output,
        &both,
        "render after a start event over TLS",
    );
}

/// Waits up to 30 s for `output` to hold `expected`; fails with what it holds and the log.
fn wait_for_file(watcher: &Daemon, output: &Path, expected: &str, what: &str) {
    let seen = poll_until(Duration::from_secs(30), || {
        (read_or_note(output) == expected).then_some(())
    });
    assert!(
        seen.is_some(),
        "{what}: {}\n{}",
        read_or_note(output),
        watcher.log()
    );
}

#[test]
fn minimal_aarch64_build_with_tls_is_small_static_and_runs_under_qemu_over_tls() {
    if !require_docker() {
        return;
    }
    if let Some(why) = support::build::minimal_unavailable() {
        missing(&why);
        return;
    }
    for (tool, arg) in [
        ("qemu-aarch64-static", "--version"),
        ("file", "--version"),
        ("clang", "--version"),
        ("llvm-ar", "--version"),
    ] {
        if !has_command(tool, arg) && missing(&format!("{tool} is not installed")) {
            return;
        }
    }
    let target = "aarch64-unknown-linux-musl";
    let libs = match support::build::musl_libs(target) {
        Ok(libs) => libs,
        Err(why) => {
            missing(&why);
            return;
        }
    };
    let binary = support::build::minimal_tls_binary(target, &libs);
    let description = Command::new("file").arg(&binary).output().unwrap();
    let description = String::from_utf8_lossy(&description.stdout);
    assert!(
        description.contains("ARM aarch64")
            && description.contains("statically linked")
            && !description.contains("interpreter"),
        "{} is not a static aarch64 binary: {description}",
        binary.display()
    );
    let size = std::fs::metadata(&binary).unwrap().len();
    assert!(
        size < TLS_BUDGET,
        "the minimal aarch64 binary with TLS is {size} bytes, not under {TLS_BUDGET}"
    );
    eprintln!("{target} minimal with TLS: {size} bytes, static");

    let dir = TempDir::new("tls-qemu");
    let Some((pki, endpoint)) = tls_endpoint(dir.path()) else {
        return;
    };
    let run = run_id("tls-qemu");
    let web = Container::builder(&run, "web")
        .env("VIRTUAL_HOST", "arm.tls.example")
        .run();
    let template = dir.write("tls.tmpl", TEMPLATE);
    let output = Command::new("qemu-aarch64-static")
        .args(["-cpu", "cortex-a53"])
        .arg(&binary)
        .args(["-endpoint", &endpoint])
        .args(pki.flags())
        .args(["-container-filter", &label_filter(&run)])
        .arg(&template)
        .env_remove("DOCKER_HOST")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "qemu one-shot over TLS: {stderr}");
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        format!("{} arm.tls.example\n", web.name),
        "qemu one-shot over TLS: {stderr}"
    );
}
