//! tinygen against Podman's Docker-compatible API socket (`podman system service`), a real
//! peer that many edge hosts run instead of Docker.
//!
//! The sandbox that runs the tests cannot start Podman containers (no usable cgroups), so the
//! test creates them without starting them and renders with `-include-stopped`: listing,
//! inspecting, version negotiation and the data model all go through Podman for real.
//! Without Podman the test skips, unless `TINYGEN_REQUIRE_PODMAN=1` (set by `.ci/run`).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Service {
    child: Child,
    dir: PathBuf,
}

impl Drop for Service {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn podman(args: &[&str]) -> String {
    let output = Command::new("podman")
        .args(args)
        .output()
        .expect("podman runs");
    assert!(
        output.status.success(),
        "podman {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).trim().to_string()
}

fn podman_available() -> bool {
    let found = Command::new("podman")
        .arg("--version")
        .output()
        .is_ok_and(|output| output.status.success());
    if !found && std::env::var("TINYGEN_REQUIRE_PODMAN").is_ok_and(|value| value == "1") {
        panic!("TINYGEN_REQUIRE_PODMAN=1 but podman is not installed");
    }
    if !found {
        eprintln!("skipped: podman is not installed");
    }
    found
}

fn start_service(dir: &Path) -> Service {
    let socket = dir.join("podman.sock");
    let child = Command::new("podman")
        .args(["system", "service", "--time=0"])
        .arg(format!("unix://{}", socket.display()))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("podman system service starts");
    let service = Service {
        child,
        dir: dir.to_path_buf(),
    };
    let deadline = Instant::now() + Duration::from_secs(30);
    while !socket.exists() {
        assert!(
            Instant::now() < deadline,
            "podman's API socket did not appear"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    service
}

#[test]
fn renders_containers_from_podmans_docker_api() {
    if !podman_available() {
        return;
    }
    let dir = std::env::temp_dir().join(format!("tinygen-podman-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    // A FROM-scratch image with the static busybox, imported (no registry is reachable).
    let layer = dir.join("busybox.tar");
    let status = Command::new("tar")
        .args(["-cf", layer.to_str().unwrap(), "-C", "/bin", "busybox"])
        .status()
        .unwrap();
    assert!(status.success());
    podman(&[
        "import",
        "--change",
        "CMD [\"/busybox\",\"sleep\",\"3600\"]",
        layer.to_str().unwrap(),
        "localhost/tinygen-podman-test:latest",
    ]);
    let name = format!("tinygen-podman-{}", std::process::id());
    let _ = Command::new("podman").args(["rm", "-f", &name]).output();
    podman(&[
        "create",
        "--name",
        &name,
        "--label",
        "tinygen.podman=1",
        "--label",
        "com.example.role=pod",
        "-e",
        "VIRTUAL_HOST=pod.example",
        "--expose",
        "9000",
        "-p",
        "127.0.0.1:18081:80",
        "localhost/tinygen-podman-test:latest",
    ]);
    let service = start_service(&dir);
    let template = dir.join("pod.tmpl");
    std::fs::write(
        &template,
        "{{ range $ }}{{ .Name }} {{ .Image }} {{ .Env.VIRTUAL_HOST }} {{ index .Labels \"com.example.role\" }} running={{ .State.Running }}{{ range .Addresses }} {{ .Port }}/{{ .Proto }}:{{ .HostPort }}{{ end }}\n{{ end }}",
    )
    .unwrap();
    let endpoint = format!("unix://{}", service.dir.join("podman.sock").display());
    let output = Command::new(env!("CARGO_BIN_EXE_tinygen"))
        .args([
            "-endpoint",
            &endpoint,
            "-include-stopped",
            "-container-filter",
            "label=tinygen.podman=1",
        ])
        .arg(&template)
        .output()
        .unwrap();
    let _ = Command::new("podman").args(["rm", "-f", &name]).output();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        format!("{name} localhost/tinygen-podman-test:latest pod.example pod running=false 80/tcp:18081 9000/tcp:\n"),
        "{stderr}"
    );
}
