//! Release builds of tinygen for another target, from inside a test.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Builds tinygen in release mode without TLS for `target` (a musl target: no C compiler is
/// needed) and returns the binary. The build gets a target directory of its own, next to the
/// tests' one, so that the outer `cargo test` lock does not block it. `env` adds variables
/// such as the linker (`CARGO_TARGET_<TRIPLE>_LINKER=rust-lld`).
pub fn release_binary(target: &str, env: &[(&str, &str)]) -> PathBuf {
    let target_dir = PathBuf::from(env!("CARGO_BIN_EXE_tinygen"))
        .parent()
        .and_then(Path::parent)
        .map(|dir| dir.join(format!("build-{target}")))
        .unwrap_or_else(|| PathBuf::from(format!("target/build-{target}")));
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
