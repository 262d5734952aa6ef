//! The static aarch64 binary, built here with `rust-lld` and run under `qemu-aarch64-static`:
//! `-version`, `-help`, and a one-shot render against the real Docker daemon's socket.
//!
//! Needs the Rust target `aarch64-unknown-linux-musl` and Debian's `qemu-user-static`;
//! without them the test skips, unless `TINYGEN_REQUIRE_DOCKER=1` (set by `.ci/run`, which
//! installs both) makes that a failure.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use support::docker::{label_filter, require_docker, run_id, Container, TempDir, ENDPOINT};

const TARGET: &str = "aarch64-unknown-linux-musl";
const QEMU: &str = "qemu-aarch64-static";

fn missing(why: &str) -> bool {
    if std::env::var("TINYGEN_REQUIRE_DOCKER").is_ok_and(|value| value == "1") {
        panic!("TINYGEN_REQUIRE_DOCKER=1 but {why}");
    }
    eprintln!("skipped: {why}");
    true
}

fn target_installed() -> bool {
    let sysroot = Command::new(std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into()))
        .args(["--print", "sysroot"])
        .output()
        .map(|output| String::from_utf8_lossy(&output.stdout).trim().to_string())
        .unwrap_or_default();
    Path::new(&sysroot)
        .join("lib/rustlib")
        .join(TARGET)
        .join("lib")
        .is_dir()
}

/// A release build for aarch64 without TLS (no C compiler needed), linked with rust-lld.
fn aarch64_binary() -> PathBuf {
    support::build::release_binary(
        TARGET,
        &[("CARGO_TARGET_AARCH64_UNKNOWN_LINUX_MUSL_LINKER", "rust-lld")],
    )
}

fn qemu(binary: &Path, args: &[&str]) -> (bool, String, String) {
    let output = Command::new(QEMU)
        .arg(binary)
        .args(args)
        .output()
        .unwrap_or_else(|error| panic!("{QEMU}: {error}"));
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn aarch64_static_binary_runs_under_qemu_against_the_real_daemon() {
    if !require_docker() {
        return;
    }
    if !target_installed() && missing(&format!("the Rust target {TARGET} is not installed")) {
        return;
    }
    if Command::new(QEMU).arg("-version").output().is_err()
        && missing(&format!("{QEMU} is not installed"))
    {
        return;
    }
    let binary = aarch64_binary();
    let elf = std::fs::read(&binary).unwrap();
    assert_eq!(&elf[..4], b"\x7fELF");
    assert_eq!(
        u16::from_le_bytes([elf[18], elf[19]]),
        183,
        "e_machine must be EM_AARCH64"
    );

    let (ok, stdout, _) = qemu(&binary, &["-version"]);
    assert!(ok);
    assert_eq!(stdout.trim(), env!("CARGO_PKG_VERSION"));
    let (ok, _, stderr) = qemu(&binary, &["-help"]);
    assert!(ok && stderr.contains("-notify-sighup"), "{stderr}");

    let run = run_id("qemu");
    let web = Container::builder(&run, "web")
        .env("VIRTUAL_HOST", "arm.example")
        .run();
    let dir = TempDir::new("qemu");
    let template = dir.write(
        "arm.tmpl",
        "{{ range $ }}{{ .Name }} {{ .Env.VIRTUAL_HOST }} {{ .ID }}\n{{ end }}",
    );
    let filter = label_filter(&run);
    let (ok, stdout, stderr) = qemu(
        &binary,
        &[
            "-endpoint",
            ENDPOINT,
            "-container-filter",
            &filter,
            template.to_str().unwrap(),
        ],
    );
    assert!(ok, "{stderr}");
    let id = web.inspect()["Id"].as_str().unwrap().to_string();
    assert_eq!(stdout, format!("{} arm.example {id}\n", web.name));
}
