//! tinygen's ARM binaries, built here and run under qemu-user: `-version`, `-help`, and a
//! one-shot render against the real Docker daemon's socket.
//!
//! Two builds, both without TLS (no C compiler needed):
//! - the stable release build for `aarch64-unknown-linux-musl` (rust-lld links it);
//! - the minimal builds of `tests/edge/build-musl.sh --minimal` (nightly, `-Zbuild-std`,
//!   `-Cpanic=immediate-abort`) for aarch64, armv7 (`armv7-unknown-linux-musleabihf`) and
//!   ARMv6 (`arm-unknown-linux-musleabi`), linked by rust-lld against the C runtime that
//!   `tests/edge/musl-libs.sh` gathers (Debian's musl-dev for the 32-bit targets). Each must
//!   be static, for the right ELF machine and float ABI, and under 1,500,000 bytes.
//!
//! Needs the Rust target `aarch64-unknown-linux-musl`, the nightly toolchain with rust-src,
//! Debian's `qemu-user-static`, `file`, and the Debian architectures armhf and armel (for
//! `apt-get download musl-dev:<arch>`); without them the tests skip, unless
//! `TINYGEN_REQUIRE_DOCKER=1` (set by `.ci/run`, which installs all of it) makes that a
//! failure.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use support::docker::{
    has_command, label_filter, missing, require_docker, run_id, Container, TempDir, ENDPOINT,
};

const TARGET: &str = "aarch64-unknown-linux-musl";
const QEMU: &str = "qemu-aarch64-static";
const EM_AARCH64: u16 = 183;
const EM_ARM: u16 = 40;
/// e_flags of a 32-bit ARM executable: which float ABI it was built for.
const EF_ARM_ABI_FLOAT_SOFT: u32 = 0x200;
const EF_ARM_ABI_FLOAT_HARD: u32 = 0x400;
/// The size target for a binary without TLS.
const MINIMAL_BUDGET: u64 = 1_500_000;

/// One minimal build: target, qemu binary and the oldest CPU it must run on, ELF machine,
/// float ABI flag (ARM only). qemu's default CPU has every instruction set extension, so
/// the CPU is named to catch code the target's hardware cannot run.
struct Minimal {
    target: &'static str,
    qemu: &'static str,
    cpu: &'static str,
    machine: u16,
    float_abi: Option<u32>,
}

const MINIMAL: [Minimal; 3] = [
    Minimal {
        target: "aarch64-unknown-linux-musl",
        qemu: "qemu-aarch64-static",
        cpu: "cortex-a53", // Raspberry Pi 3
        machine: EM_AARCH64,
        float_abi: None,
    },
    Minimal {
        target: "armv7-unknown-linux-musleabihf",
        qemu: "qemu-arm-static",
        cpu: "cortex-a7", // Raspberry Pi 2, OpenWrt ipq40xx
        machine: EM_ARM,
        float_abi: Some(EF_ARM_ABI_FLOAT_HARD),
    },
    Minimal {
        target: "arm-unknown-linux-musleabi",
        qemu: "qemu-arm-static",
        cpu: "arm1176", // Raspberry Pi 1 and Zero (ARMv6)
        machine: EM_ARM,
        float_abi: Some(EF_ARM_ABI_FLOAT_SOFT),
    },
];

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

/// Runs `binary` under `qemu` (a qemu-user binary, then optionally `-cpu <model>`).
fn qemu(qemu: &[&str], binary: &Path, args: &[&str]) -> (bool, String, String) {
    let output = Command::new(qemu[0])
        .args(&qemu[1..])
        .arg(binary)
        .args(args)
        .env_remove("DOCKER_HOST")
        .output()
        .unwrap_or_else(|error| panic!("{}: {error}", qemu[0]));
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// ELF machine and e_flags of a little-endian ELF executable.
fn elf_machine_and_flags(binary: &Path) -> (u16, u32) {
    let elf = std::fs::read(binary).unwrap_or_else(|e| panic!("{}: {e}", binary.display()));
    assert_eq!(&elf[..4], b"\x7fELF", "{} is not ELF", binary.display());
    let machine = u16::from_le_bytes([elf[18], elf[19]]);
    // e_flags follows e_entry, e_phoff and e_shoff: 4-byte words in ELF32, 8-byte in ELF64.
    let flags_at = if elf[4] == 1 { 36 } else { 48 };
    let flags = u32::from_le_bytes(elf[flags_at..flags_at + 4].try_into().unwrap());
    (machine, flags)
}

/// `file -b` must call the binary statically linked (static-pie counts).
fn assert_static(binary: &Path) {
    let output = Command::new("file")
        .arg("-b")
        .arg(binary)
        .output()
        .unwrap_or_else(|e| panic!("file: {e}"));
    let description = String::from_utf8_lossy(&output.stdout);
    assert!(
        (description.contains("statically linked") || description.contains("static-pie"))
            && !description.contains("interpreter"),
        "{} is not static: {description}",
        binary.display()
    );
}

/// -version, -help and a one-shot render of `web` (and only it) through the real socket.
fn runs_against_the_daemon(qemu_bin: &[&str], binary: &Path, run: &str, web: &Container) {
    let what = binary.display();
    let (ok, stdout, stderr) = qemu(qemu_bin, binary, &["-version"]);
    assert!(ok, "{what} -version: {stderr}");
    assert_eq!(stdout.trim(), env!("CARGO_PKG_VERSION"), "{what} -version");
    let (ok, _, stderr) = qemu(qemu_bin, binary, &["-help"]);
    assert!(
        ok && stderr.contains("-notify-sighup"),
        "{what} -help: {stderr}"
    );

    let dir = TempDir::new("qemu");
    let template = dir.write(
        "arm.tmpl",
        "{{ range $ }}{{ .Name }} {{ .Env.VIRTUAL_HOST }} {{ .ID }}\n{{ end }}",
    );
    let filter = label_filter(run);
    let (ok, stdout, stderr) = qemu(
        qemu_bin,
        binary,
        &[
            "-endpoint",
            ENDPOINT,
            "-container-filter",
            &filter,
            template.to_str().unwrap(),
        ],
    );
    assert!(ok, "{what} one-shot render: {stderr}");
    let id = web.inspect()["Id"].as_str().unwrap().to_string();
    assert_eq!(
        stdout,
        format!("{} arm.example {id}\n", web.name),
        "{what} one-shot render"
    );
}

#[test]
fn aarch64_static_binary_runs_under_qemu_against_the_real_daemon() {
    if !require_docker() {
        return;
    }
    if !target_installed() && missing(&format!("the Rust target {TARGET} is not installed")) {
        return;
    }
    if !has_command(QEMU, "-version") && missing(&format!("{QEMU} is not installed")) {
        return;
    }
    let binary = aarch64_binary();
    assert_eq!(
        elf_machine_and_flags(&binary).0,
        EM_AARCH64,
        "e_machine must be EM_AARCH64"
    );
    let run = run_id("qemu");
    let web = Container::builder(&run, "web")
        .env("VIRTUAL_HOST", "arm.example")
        .run();
    runs_against_the_daemon(&[QEMU], &binary, &run, &web);
}

#[test]
fn minimal_arm_binaries_are_small_static_and_run_under_qemu_against_the_real_daemon() {
    if !require_docker() {
        return;
    }
    if let Some(why) = support::build::minimal_unavailable() {
        missing(&why);
        return;
    }
    for tool in ["qemu-aarch64-static", "qemu-arm-static", "file"] {
        if !has_command(tool, "--version") && missing(&format!("{tool} is not installed")) {
            return;
        }
    }
    let mut libs = Vec::new();
    for minimal in &MINIMAL {
        match support::build::musl_libs(minimal.target) {
            Ok(dir) => libs.push(dir),
            Err(why) => {
                missing(&why);
                return;
            }
        }
    }
    let targets: Vec<(&str, &Path)> = MINIMAL
        .iter()
        .zip(&libs)
        .map(|(minimal, dir)| (minimal.target, dir.as_path()))
        .collect();
    let binaries = support::build::minimal_binaries(&targets);

    let run = run_id("qemu-minimal");
    let web = Container::builder(&run, "web")
        .env("VIRTUAL_HOST", "arm.example")
        .run();
    for (minimal, binary) in MINIMAL.iter().zip(&binaries) {
        let target = minimal.target;
        let (machine, flags) = elf_machine_and_flags(binary);
        assert_eq!(machine, minimal.machine, "{target}: e_machine");
        if let Some(float_abi) = minimal.float_abi {
            assert_eq!(
                flags & (EF_ARM_ABI_FLOAT_SOFT | EF_ARM_ABI_FLOAT_HARD),
                float_abi,
                "{target}: float ABI in e_flags {flags:#x}"
            );
        }
        assert_static(binary);
        let size = std::fs::metadata(binary).unwrap().len();
        assert!(
            size < MINIMAL_BUDGET,
            "{target}: the minimal binary is {size} bytes, not under {MINIMAL_BUDGET}"
        );
        eprintln!("{target}: {size} bytes, static");
        runs_against_the_daemon(&[minimal.qemu, "-cpu", minimal.cpu], binary, &run, &web);
    }
}
