//! Edge delivery against the real Docker daemon: the `FROM scratch` image built from the
//! repository's `Dockerfile` and a static x86_64-musl binary, run in docker-gen's
//! separate-container mode. tinygen runs in its own container with the Docker socket mounted
//! at /tmp/docker.sock (the image's `DOCKER_HOST`), renders into a volume shared with a
//! busybox container and sends that container SIGHUP through the API after each change.
//!
//! The test builds the musl binary itself (`cargo build --release --target
//! x86_64-unknown-linux-musl --no-default-features`, in its own target directory) unless
//! `TINYGEN_EDGE_BINARY` names a static binary to use. Without a daemon or without the musl
//! target it is skipped, or fails under `TINYGEN_REQUIRE_DOCKER=1` (CI).
//!
//! Everything it makes (image, volume, containers) carries the run's name and is removed when
//! the test ends, pass or fail. It never sends traffic to a container address.

use std::fs;
use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

const SOCKET: &str = "/var/run/docker.sock";
const BUSYBOX_IMAGE: &str = "tinygen-test-busybox:latest";
const MUSL_TARGET: &str = "x86_64-unknown-linux-musl";
const REQUIRE_ENV: &str = "TINYGEN_REQUIRE_DOCKER";
/// The scratch image holds one static binary of about 1.2 MB; anything near this is bloat.
const IMAGE_BUDGET: u64 = 3 * 1024 * 1024;

/// Skips the test (returns false) or, under `TINYGEN_REQUIRE_DOCKER=1`, fails it.
fn unavailable(why: &str) -> bool {
    if std::env::var(REQUIRE_ENV).as_deref() == Ok("1") {
        panic!("{REQUIRE_ENV}=1 but {why}");
    }
    eprintln!("skipped: {why} (set {REQUIRE_ENV}=1 to make this a failure)");
    false
}

fn daemon_answers() -> Result<(), String> {
    let mut stream = UnixStream::connect(SOCKET).map_err(|e| format!("{SOCKET}: {e}"))?;
    let timeout = Some(Duration::from_secs(5));
    stream
        .set_read_timeout(timeout)
        .and_then(|()| stream.set_write_timeout(timeout))
        .and_then(|()| stream.write_all(b"GET /_ping HTTP/1.0\r\nHost: docker\r\n\r\n"))
        .map_err(|e| format!("{SOCKET}: {e}"))?;
    let mut answer = String::new();
    stream
        .take(64 * 1024)
        .read_to_string(&mut answer)
        .map_err(|e| format!("{SOCKET}: {e}"))?;
    if answer.starts_with("HTTP/1.") && answer.contains(" 200 ") && answer.ends_with("OK") {
        Ok(())
    } else {
        Err(format!("{SOCKET}: unexpected answer to /_ping: {answer:?}"))
    }
}

/// `docker <args>`: trimmed stdout, or an error with the command and its stderr.
fn docker(args: &[&str]) -> Result<String, String> {
    let output = Command::new("docker")
        .args(["-H", &format!("unix://{SOCKET}")])
        .args(args)
        .env("DOCKER_BUILDKIT", "0")
        .stdin(Stdio::null())
        .output()
        .map_err(|e| {
            format!(
                "docker {}: cannot run the docker command line: {e}",
                args.join(" ")
            )
        })?;
    if output.status.success() {
        Ok(String::from_utf8_lossy(&output.stdout).trim().to_string())
    } else {
        Err(format!(
            "docker {}: {}\n{}",
            args.join(" "),
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        ))
    }
}

fn docker_ok(args: &[&str]) -> String {
    docker(args).unwrap_or_else(|e| panic!("{e}"))
}

/// Removes a docker object (`rm -f`, `volume rm`, `rmi`) when dropped.
struct Cleanup(Vec<String>);

impl Drop for Cleanup {
    fn drop(&mut self) {
        let args: Vec<&str> = self.0.iter().map(String::as_str).collect();
        if let Err(e) = docker(&args) {
            eprintln!("warning: cleanup: {e}");
        }
    }
}

fn cleanup(args: &[&str]) -> Cleanup {
    Cleanup(args.iter().map(|a| a.to_string()).collect())
}

struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let path = std::env::temp_dir().join(format!("tinygen-edge-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&path);
        fs::create_dir_all(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        TempDir(path)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

fn poll_until<T>(timeout: Duration, mut probe: impl FnMut() -> Option<T>) -> Option<T> {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(found) = probe() {
            return Some(found);
        }
        if Instant::now() >= deadline {
            return None;
        }
        thread::sleep(Duration::from_millis(200));
    }
}

/// Whether rustup (or any toolchain layout) has the musl standard library installed.
fn musl_target_installed() -> Result<(), String> {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".to_string());
    let output = Command::new(&rustc)
        .args(["--print", "sysroot"])
        .output()
        .map_err(|e| format!("{rustc} --print sysroot: {e}"))?;
    let sysroot = String::from_utf8_lossy(&output.stdout).trim().to_string();
    let lib = Path::new(&sysroot)
        .join("lib/rustlib")
        .join(MUSL_TARGET)
        .join("lib");
    if lib.is_dir() {
        Ok(())
    } else {
        Err(format!(
            "the Rust target {MUSL_TARGET} is not installed ({} is missing; run rustup target \
             add {MUSL_TARGET})",
            lib.display()
        ))
    }
}

/// True when the ELF file has no program interpreter (it is statically linked).
fn is_static_elf(bytes: &[u8]) -> bool {
    const PT_INTERP: u32 = 3;
    let u16_at = |at: usize| {
        bytes
            .get(at..at + 2)
            .map(|b| u16::from_le_bytes([b[0], b[1]]) as usize)
    };
    let u32_at = |at: usize| {
        bytes
            .get(at..at + 4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    };
    let u64_at = |at: usize| {
        bytes.get(at..at + 8).map(|b| {
            let mut word = [0u8; 8];
            word.copy_from_slice(b);
            u64::from_le_bytes(word) as usize
        })
    };
    // 64-bit little-endian ELF only: that is what the x86_64 musl build produces.
    if bytes.get(0..6) != Some(b"\x7fELF\x02\x01") {
        return false;
    }
    let (Some(offset), Some(size), Some(count)) = (u64_at(0x20), u16_at(0x36), u16_at(0x38)) else {
        return false;
    };
    (0..count).all(|i| u32_at(offset + i * size).is_some_and(|kind| kind != PT_INTERP))
}

/// The static binary to put into the image: `TINYGEN_EDGE_BINARY`, or a fresh musl build.
fn static_binary() -> PathBuf {
    if let Some(path) = std::env::var_os("TINYGEN_EDGE_BINARY") {
        return PathBuf::from(path);
    }
    // A target directory of its own: the outer `cargo test` may hold the lock on its own.
    let test_binary = PathBuf::from(env!("CARGO_BIN_EXE_tinygen"));
    let target_dir = test_binary
        .parent()
        .and_then(Path::parent)
        .map(|dir| dir.join("edge-image"))
        .unwrap_or_else(|| PathBuf::from("target/edge-image"));
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    let status = Command::new(&cargo)
        .args([
            "build",
            "--release",
            "--locked",
            "--no-default-features",
            "--target",
            MUSL_TARGET,
        ])
        .arg("--manifest-path")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml"))
        .env("CARGO_TARGET_DIR", &target_dir)
        .stdin(Stdio::null())
        .status()
        .unwrap_or_else(|e| panic!("{cargo} build: {e}"));
    assert!(
        status.success(),
        "cargo build --release --target {MUSL_TARGET} failed: {status}"
    );
    target_dir.join(MUSL_TARGET).join("release/tinygen")
}

/// Builds the test's busybox image (FROM scratch + a static busybox) when it is missing.
fn ensure_busybox_image() {
    if docker(&["image", "inspect", BUSYBOX_IMAGE]).is_ok() {
        return;
    }
    let busybox = ["/bin/busybox", "/usr/bin/busybox"]
        .into_iter()
        .find(|p| Path::new(p).exists())
        .expect("a static busybox at /bin/busybox (Debian's busybox-static)");
    let context = TempDir::new("busybox-image");
    fs::copy(busybox, context.0.join("busybox")).expect("copy busybox");
    fs::write(
        context.0.join("Dockerfile"),
        "FROM scratch\nCOPY busybox /bin/busybox\nRUN [\"/bin/busybox\", \"--install\", \"-s\", \"/bin\"]\nCMD [\"/bin/sh\"]\n",
    )
    .expect("write Dockerfile");
    docker_ok(&[
        "build",
        "-q",
        "-t",
        BUSYBOX_IMAGE,
        &context.0.display().to_string(),
    ]);
}

fn exec_cat(container: &str, path: &str) -> Option<String> {
    docker(&["exec", container, "cat", path]).ok()
}

/// Whether `text` has a line that is exactly `line`.
fn has_line(text: &str, line: &str) -> bool {
    text.lines().any(|l| l == line)
}

/// `docker logs` (stdout and stderr together), for failure messages.
fn logs(container: &str) -> String {
    match Command::new("docker")
        .args(["-H", &format!("unix://{SOCKET}"), "logs", container])
        .output()
    {
        Ok(output) => format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ),
        Err(e) => format!("<docker logs {container}: {e}>"),
    }
}

#[test]
fn scratch_image_separate_container_mode() {
    if let Err(why) = daemon_answers() {
        if !unavailable(&format!("no Docker daemon answers ({why})")) {
            return;
        }
    }
    if let Err(why) = musl_target_installed() {
        if !unavailable(&why) {
            return;
        }
    }
    let binary = static_binary();
    let bytes = fs::read(&binary).unwrap_or_else(|e| panic!("{}: {e}", binary.display()));
    assert!(
        is_static_elf(&bytes),
        "{} is not a static ELF binary",
        binary.display()
    );
    ensure_busybox_image();

    let run = format!("edge-{}", std::process::id());
    let label = format!("tinygen.edge.test={run}");

    // The image: the repository's Dockerfile over a context holding only the binary.
    let context = TempDir::new("image");
    fs::copy(&binary, context.0.join("tinygen")).expect("copy the binary into the context");
    let image = format!("tinygen-edge-test:{run}");
    let dockerfile = Path::new(env!("CARGO_MANIFEST_DIR")).join("Dockerfile");
    docker_ok(&[
        "build",
        "-q",
        "--label",
        &label,
        "-f",
        &dockerfile.display().to_string(),
        "-t",
        &image,
        &context.0.display().to_string(),
    ]);
    let _image = cleanup(&["rmi", "-f", &image]);
    let size: u64 = docker_ok(&["image", "inspect", "-f", "{{.Size}}", &image])
        .parse()
        .expect("image size is a number");
    eprintln!(
        "image {image}: {size} bytes ({:.2} MiB); binary {} bytes",
        size as f64 / 1048576.0,
        bytes.len()
    );
    assert!(
        size <= IMAGE_BUDGET,
        "the scratch image is {size} bytes, over {IMAGE_BUDGET}"
    );
    assert_eq!(
        docker_ok(&[
            "image",
            "inspect",
            "-f",
            "{{json .Config.Entrypoint}} {{json .Config.Env}}",
            &image
        ]),
        r#"["/tinygen"] ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin","DOCKER_HOST=unix:///tmp/docker.sock"]"#
    );
    // Nothing but the binary: there is no shell to run.
    assert!(
        docker(&[
            "run",
            "--rm",
            "--entrypoint",
            "/bin/sh",
            &image,
            "-c",
            "true"
        ])
        .is_err(),
        "the scratch image has a /bin/sh"
    );
    // The binary runs in the image.
    assert_eq!(
        docker_ok(&["run", "--rm", &image, "-version"]),
        env!("CARGO_PKG_VERSION")
    );

    let volume = format!("tinygen-edge-{run}");
    docker_ok(&["volume", "create", "--label", &label, &volume]);
    let _volume = cleanup(&["volume", "rm", "-f", &volume]);
    let templates = TempDir::new("templates");
    fs::write(
        templates.0.join("names.tt"),
        "{{ for c in Containers }}name={c.Name}\n{{ endfor }}",
    )
    .expect("write the template");

    // The container to notify: it appends to /shared/marker on every SIGHUP.
    let target = format!("tinygen-edge-target-{run}");
    let _target = cleanup(&["rm", "-f", &target]);
    docker_ok(&[
        "run",
        "-d",
        "--name",
        &target,
        "--label",
        &label,
        "-v",
        &format!("{volume}:/shared"),
        BUSYBOX_IMAGE,
        "sh",
        "-c",
        r#"trap "echo hup >> /shared/marker" HUP; while true; do sleep 1; done"#,
    ]);

    // tinygen in its scratch container, talking to the daemon through the mounted socket.
    let generator = format!("tinygen-edge-gen-{run}");
    let _generator = cleanup(&["rm", "-f", &generator]);
    docker_ok(&[
        "run",
        "-d",
        "--name",
        &generator,
        "--label",
        &label,
        "-v",
        &format!("{SOCKET}:/tmp/docker.sock:ro"),
        "-v",
        &format!("{}:/etc/tinygen:ro", templates.0.display()),
        "-v",
        &format!("{volume}:/shared"),
        &image,
        "-watch",
        "-notify-sighup",
        &target,
        "-container-filter",
        &format!("label={label}"),
        "/etc/tinygen/names.tt",
        "/shared/names",
    ]);
    let diagnostics = || {
        format!(
            "--- tinygen logs ---\n{}\n--- /shared/names ---\n{}\n--- /shared/marker ---\n{}",
            logs(&generator),
            exec_cat(&target, "/shared/names").unwrap_or_default(),
            exec_cat(&target, "/shared/marker").unwrap_or_default()
        )
    };
    let hups = || {
        exec_cat(&target, "/shared/marker")
            .map(|text| text.lines().filter(|line| *line == "hup").count())
            .unwrap_or(0)
    };

    // The initial render names both labelled containers and signals the target.
    let rendered = poll_until(Duration::from_secs(30), || {
        exec_cat(&target, "/shared/names").filter(|text| {
            has_line(text, &format!("name={target}"))
                && has_line(text, &format!("name={generator}"))
        })
    });
    assert!(
        rendered.is_some(),
        "the initial render did not reach the shared volume\n{}",
        diagnostics()
    );
    let first = poll_until(Duration::from_secs(15), || Some(hups()).filter(|n| *n >= 1));
    assert!(
        first.is_some(),
        "the target got no SIGHUP after the initial render\n{}",
        diagnostics()
    );
    let before = hups();

    // A new container: tinygen sees the start event, re-renders and signals again.
    let third = format!("tinygen-edge-third-{run}");
    let _third = cleanup(&["rm", "-f", &third]);
    docker_ok(&[
        "run",
        "-d",
        "--name",
        &third,
        "--label",
        &label,
        BUSYBOX_IMAGE,
        "sleep",
        "600",
    ]);
    let updated = poll_until(Duration::from_secs(30), || {
        exec_cat(&target, "/shared/names").filter(|text| has_line(text, &format!("name={third}")))
    });
    assert!(
        updated.is_some(),
        "the start of {third} was not rendered\n{}",
        diagnostics()
    );
    let again = poll_until(Duration::from_secs(15), || {
        Some(hups()).filter(|n| *n > before)
    });
    assert!(
        again.is_some(),
        "the target got no SIGHUP after the change\n{}",
        diagnostics()
    );

    // The generator is still running and logged no error.
    assert_eq!(
        docker_ok(&["inspect", "-f", "{{.State.Running}}", &generator]),
        "true",
        "{}",
        diagnostics()
    );
}
