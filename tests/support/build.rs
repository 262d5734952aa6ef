//! Release builds of tinygen for another target, from inside a test.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Builds tinygen in release mode without TLS for `target` (a musl target: no C compiler is
/// needed) and returns the binary. The build gets a target directory of its own, next to the
/// tests' one, so that the outer `cargo test` lock does not block it. `env` adds variables
/// such as the linker (`CARGO_TARGET_<TRIPLE>_LINKER=rust-lld`).
pub fn release_binary(target: &str, env: &[(&str, &str)]) -> PathBuf {
    let target_dir = build_root().join(format!("build-{target}"));
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    let status = Command::new(&cargo)
        .args([
            "build",
            "--release",
            "--locked",
            "--no-default-features",
            "--target",
            target,
        ])
        .arg("--manifest-path")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml"))
        .env("CARGO_TARGET_DIR", &target_dir)
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .status()
        .unwrap_or_else(|error| panic!("{cargo} build: {error}"));
    assert!(
        status.success(),
        "cargo build --release --target {target} failed: {status}"
    );
    target_dir.join(target).join("release/tinygen")
}

/// The nightly toolchain the minimal builds use (`TINYGEN_NIGHTLY`, default `nightly`).
pub fn nightly() -> String {
    std::env::var("TINYGEN_NIGHTLY").unwrap_or_else(|_| "nightly".to_string())
}

/// Why the minimal builds cannot run here (no nightly toolchain, no rust-src), or `None`.
pub fn minimal_unavailable() -> Option<String> {
    let nightly = nightly();
    let sysroot = Command::new("rustup")
        .args(["run", &nightly, "rustc", "--print", "sysroot"])
        .env_remove("RUSTC")
        .env_remove("RUSTUP_TOOLCHAIN")
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output();
    match sysroot {
        Ok(output) if output.status.success() => {
            let sysroot = String::from_utf8_lossy(&output.stdout).trim().to_string();
            let std = Path::new(&sysroot).join("lib/rustlib/src/rust/library/std");
            if std.is_dir() {
                None
            } else {
                Some(format!(
                    "the {nightly} toolchain has no rust-src \
                     (rustup component add rust-src --toolchain {nightly})"
                ))
            }
        }
        _ => Some(format!(
            "rustup has no {nightly} toolchain (rustup toolchain install {nightly})"
        )),
    }
}

/// The directory with the target's musl C runtime (crt objects, libc.a, an empty
/// libunwind.a) that `tests/edge/musl-libs.sh` prepares, or why it could not.
pub fn musl_libs(target: &str) -> Result<PathBuf, String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = build_root().join("musl-libs").join(target);
    let output = Command::new(root.join("tests/edge/musl-libs.sh"))
        .arg(target)
        .arg(&out)
        .stdin(Stdio::null())
        .output()
        .map_err(|error| format!("tests/edge/musl-libs.sh: {error}"))?;
    if output.status.success() {
        Ok(out)
    } else {
        Err(format!(
            "tests/edge/musl-libs.sh {target}: {}\n{}",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        ))
    }
}

/// The tests' target directory (…/target), where the other-target builds get theirs.
fn build_root() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_tinygen"))
        .parent()
        .and_then(Path::parent)
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("target"))
}

/// Builds the minimal binaries without TLS, as `tests/edge/build-musl.sh --minimal` does:
/// the nightly toolchain compiles the standard library for size (`-Zbuild-std`, its
/// `optimize_for_size` feature) with `-Cpanic=immediate-abort`, rust-lld links the ARM
/// targets against the C runtime in `libs` (see [`musl_libs`]). All targets build in one
/// cargo run (the host build scripts and proc-macros are built once) in a target directory
/// of its own. Returns the binaries in the order of `targets`.
pub fn minimal_binaries(targets: &[(&str, &Path)]) -> Vec<PathBuf> {
    minimal_build(targets, false)
}

/// The minimal binary with TLS for one target: ring's C code is compiled by gcc for
/// x86_64 and by clang (archived by llvm-ar) for the ARM targets, as the script does.
pub fn minimal_tls_binary(target: &str, libs: &Path) -> PathBuf {
    minimal_build(&[(target, libs)], true).remove(0)
}

fn minimal_build(targets: &[(&str, &Path)], tls: bool) -> Vec<PathBuf> {
    let target_dir = build_root().join(if tls {
        "build-minimal-tls"
    } else {
        "build-minimal"
    });
    let nightly = nightly();
    let mut command = Command::new("rustup");
    command.args(["run", &nightly, "cargo", "build", "--release", "--locked"]);
    if !tls {
        command.arg("--no-default-features");
    }
    command
        .arg("-Zbuild-std=std,panic_abort")
        .arg("-Zbuild-std-features=optimize_for_size")
        .arg("--manifest-path")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml"));
    for (target, libs) in targets {
        let flags = [
            "-Zunstable-options".to_string(),
            "-Cpanic=immediate-abort".to_string(),
            format!("-Lnative={}", libs.display()),
        ];
        let flags: Vec<String> = flags.iter().map(|flag| format!("{flag:?}")).collect();
        command.args(["--target", target]);
        command
            .arg("--config")
            .arg(format!("target.{target}.rustflags=[{}]", flags.join(", ")));
        if !target.starts_with("x86_64") {
            command
                .arg("--config")
                .arg(format!("target.{target}.linker=\"rust-lld\""));
        }
        if tls {
            let triple = target.replace('-', "_");
            let (cc, ar) = if target.starts_with("x86_64") {
                ("gcc", "ar")
            } else {
                ("clang", "llvm-ar")
            };
            command.env(format!("CC_{triple}"), cc);
            command.env(format!("AR_{triple}"), ar);
            if target.starts_with("arm-") {
                // clang's default for this triple is ARMv4T, which cannot assemble ring.
                command.env(format!("CFLAGS_{triple}"), "-march=armv6 -mfloat-abi=soft");
            }
        }
    }
    // The outer cargo's variables would pin the stable toolchain or override the flags.
    for variable in [
        "RUSTC",
        "RUSTDOC",
        "RUSTUP_TOOLCHAIN",
        "RUSTFLAGS",
        "CARGO_ENCODED_RUSTFLAGS",
        "CARGO",
    ] {
        command.env_remove(variable);
    }
    let status = command
        .env("CARGO_TARGET_DIR", &target_dir)
        .stdin(Stdio::null())
        .status()
        .unwrap_or_else(|error| panic!("rustup run {nightly} cargo build: {error}"));
    let names: Vec<&str> = targets.iter().map(|(target, _)| *target).collect();
    assert!(
        status.success(),
        "cargo +{nightly} build --release -Zbuild-std for {} failed: {status}",
        names.join(", ")
    );
    names
        .iter()
        .map(|target| target_dir.join(target).join("release/tinygen"))
        .collect()
}
