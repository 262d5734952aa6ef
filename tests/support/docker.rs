//! Helpers for the end-to-end tests against a real Docker Engine on /var/run/docker.sock.
//!
//! They drive the daemon through the `docker` command line (installed with Debian's
//! `docker.io`), build the test image `FROM scratch` with Debian's static busybox (no registry
//! is reachable, so nothing is ever pulled), and run the real `tinygen` binary. Every container
//! and network a test makes carries the label `tinygen.test=<run id>` plus the pid of the test
//! process, is removed when its guard drops, and is swept at the next start if a run crashed.
//! These helpers never touch containers, networks or images they did not make, and never send
//! network traffic to a container address.

use std::ffi::{OsStr, OsString};
use std::fs;
use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Once, OnceLock};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::Value;

/// The daemon socket every real-daemon test talks to.
pub const SOCKET: &str = "/var/run/docker.sock";
/// The same socket as a tinygen/docker endpoint.
pub const ENDPOINT: &str = "unix:///var/run/docker.sock";
/// The image the tests run: static busybox in an otherwise empty image.
pub const IMAGE: &str = "tinygen-test-busybox:latest";
/// Label on every container and network the tests make; its value is the test's run id.
pub const TEST_LABEL: &str = "tinygen.test";
/// Label holding the pid of the test process, so a later run can tell a crashed run's
/// leftovers from the objects of a test process that is still running.
pub const PID_LABEL: &str = "tinygen.test.pid";
/// Set to `1` (CI does) to make a missing daemon a failure instead of a skip.
pub const REQUIRE_ENV: &str = "TINYGEN_REQUIRE_DOCKER";

/// How long one `tinygen` one-shot run may take before the test gives up on it.
const RUN_DEADLINE: Duration = Duration::from_secs(60);

/// True when a Docker daemon answers `GET /_ping` on [`SOCKET`].
pub fn daemon_answers() -> bool {
    ping(Path::new(SOCKET)).is_ok()
}

fn ping(socket: &Path) -> std::io::Result<()> {
    let mut stream = UnixStream::connect(socket)?;
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    stream.set_write_timeout(Some(Duration::from_secs(5)))?;
    stream.write_all(b"GET /_ping HTTP/1.0\r\nHost: docker\r\n\r\n")?;
    let mut answer = Vec::new();
    stream.take(64 * 1024).read_to_end(&mut answer)?;
    let answer = String::from_utf8_lossy(&answer);
    if answer.starts_with("HTTP/1.") && answer.contains(" 200 ") && answer.ends_with("OK") {
        Ok(())
    } else {
        Err(std::io::Error::other(format!(
            "unexpected answer to /_ping: {answer:?}"
        )))
    }
}

/// Whether this test can run: true when the daemon answers. Otherwise it panics under
/// `TINYGEN_REQUIRE_DOCKER=1` and prints a skip reason (returning false) without it.
///
/// The first call in a process also removes what crashed earlier runs left behind.
pub fn require_docker() -> bool {
    if daemon_answers() {
        static SWEEP: Once = Once::new();
        SWEEP.call_once(remove_stale_test_objects);
        return true;
    }
    if std::env::var(REQUIRE_ENV).as_deref() == Ok("1") {
        panic!(
            "{REQUIRE_ENV}=1 but no Docker daemon answers at {SOCKET} (GET /_ping failed: {})",
            ping(Path::new(SOCKET))
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default()
        );
    }
    eprintln!(
        "skipped: no Docker daemon answers at {SOCKET} (set {REQUIRE_ENV}=1 to make this a \
         failure)"
    );
    false
}

/// A prerequisite of a daemon test other than the daemon is missing (`why`): it panics under
/// `TINYGEN_REQUIRE_DOCKER=1` and prints a skip reason without it. Returns true, for
/// `if missing(..) { return; }`.
pub fn missing(why: &str) -> bool {
    if std::env::var(REQUIRE_ENV).as_deref() == Ok("1") {
        panic!("{REQUIRE_ENV}=1 but {why}");
    }
    eprintln!("skipped: {why}");
    true
}

/// Whether `program` can be run (with `arg`, such as `--version`).
pub fn has_command(program: &str, arg: &str) -> bool {
    Command::new(program).arg(arg).output().is_ok()
}

/// The run id of one test: its name and the pid of the test process. Used in the
/// `tinygen.test` label and in the names of everything the test makes.
pub fn run_id(test: &str) -> String {
    format!("{test}-{}", std::process::id())
}

/// The `-container-filter` value that selects exactly the containers of one run.
pub fn label_filter(run_id: &str) -> String {
    format!("label={TEST_LABEL}={run_id}")
}

/// The real binary under test.
pub fn tinygen_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_tinygen"))
}

/// Runs `docker -H unix:///var/run/docker.sock <args>`; its trimmed stdout, or an error that
/// shows the command and its stderr.
pub fn docker<I, S>(args: I) -> Result<String, String>
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    docker_at(ENDPOINT, args)
}

/// Runs `docker -H <endpoint> <args>`, as [`docker`] does for the default endpoint.
pub fn docker_at<I, S>(endpoint: &str, args: I) -> Result<String, String>
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let args: Vec<OsString> = args
        .into_iter()
        .map(|a| a.as_ref().to_os_string())
        .collect();
    let shown = format!("docker -H {endpoint} {}", shell_words(&args));
    let output = Command::new("docker")
        .arg("-H")
        .arg(endpoint)
        .args(&args)
        .env("DOCKER_BUILDKIT", "0")
        .env("DOCKER_CLI_HINTS", "false")
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("{shown}: cannot run the docker command line: {e}"))?;
    if output.status.success() {
        Ok(String::from_utf8_lossy(&output.stdout).trim().to_string())
    } else {
        Err(format!(
            "{shown}: {}\nstdout: {}\nstderr: {}",
            output.status,
            String::from_utf8_lossy(&output.stdout).trim(),
            String::from_utf8_lossy(&output.stderr).trim()
        ))
    }
}

/// Like [`docker`], but a failure fails the test.
pub fn docker_ok<I, S>(args: I) -> String
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    docker(args).unwrap_or_else(|e| panic!("{e}"))
}

fn shell_words(args: &[OsString]) -> String {
    let words: Vec<String> = args
        .iter()
        .map(|a| {
            let a = a.to_string_lossy();
            if !a.is_empty()
                && a.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_./:=,@".contains(c))
            {
                a.into_owned()
            } else {
                format!("'{}'", a.replace('\'', r"'\''"))
            }
        })
        .collect();
    words.join(" ")
}

/// `docker inspect <name or id>`: the one object (container, network or image).
pub fn inspect(name: &str) -> Value {
    let text = docker_ok(["inspect", name]);
    let list: Value = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("docker inspect {name}: not JSON ({e}): {text}"));
    match list {
        Value::Array(mut items) if items.len() == 1 => items.remove(0),
        other => panic!("docker inspect {name}: expected one object, got {other}"),
    }
}

/// Removes containers and networks labelled `tinygen.test` whose test process is gone
/// (a crashed or killed run). Objects of test processes that still run are left alone.
fn remove_stale_test_objects() {
    let format = format!("{{{{.ID}}}} {{{{.Label \"{PID_LABEL}\"}}}}");
    let filter = format!("label={TEST_LABEL}");
    let stale = |listing: Result<String, String>| -> Vec<String> {
        let listing = listing.unwrap_or_else(|e| {
            eprintln!("warning: cannot list leftover test objects: {e}");
            String::new()
        });
        listing
            .lines()
            .filter_map(|line| {
                let mut words = line.split_whitespace();
                let id = words.next()?;
                let alive = words
                    .next()
                    .and_then(|pid| pid.parse::<u32>().ok())
                    .is_some_and(|pid| Path::new(&format!("/proc/{pid}")).exists());
                (!alive).then(|| id.to_string())
            })
            .collect()
    };
    let containers = stale(docker([
        "ps", "-a", "--filter", &filter, "--format", &format,
    ]));
    if !containers.is_empty() {
        eprintln!(
            "removing {} leftover test container(s): {containers:?}",
            containers.len()
        );
        let mut args = vec!["rm".to_string(), "-f".to_string()];
        args.extend(containers);
        if let Err(e) = docker(&args) {
            eprintln!("warning: {e}");
        }
    }
    for network in stale(docker([
        "network", "ls", "--filter", &filter, "--format", &format,
    ])) {
        eprintln!("removing leftover test network {network}");
        if let Err(e) = docker(["network", "rm", &network]) {
            eprintln!("warning: {e}");
        }
    }
}

/// Builds [`IMAGE`] once per test process and returns its name. The image is `FROM scratch`
/// with Debian's static busybox as /bin/busybox and its applets (sh, sleep, ...) linked into
/// /bin. The busybox binary is `$TINYGEN_TEST_BUSYBOX` or /bin/busybox.
pub fn ensure_busybox_image() -> String {
    static IMAGE_BUILT: OnceLock<Result<(), String>> = OnceLock::new();
    let built = IMAGE_BUILT.get_or_init(build_busybox_image);
    if let Err(e) = built {
        panic!("building the test image {IMAGE}: {e}");
    }
    IMAGE.to_string()
}

fn build_busybox_image() -> Result<(), String> {
    let busybox = match std::env::var_os("TINYGEN_TEST_BUSYBOX") {
        Some(path) => PathBuf::from(path),
        None => ["/bin/busybox", "/usr/bin/busybox"]
            .iter()
            .map(PathBuf::from)
            .find(|p| p.exists())
            .ok_or("no busybox found at /bin/busybox (install Debian's busybox-static)")?,
    };
    let bytes = fs::read(&busybox).map_err(|e| format!("{}: {e}", busybox.display()))?;
    if elf_has_interpreter(&bytes) == Some(true) {
        return Err(format!(
            "{} is dynamically linked; the FROM-scratch test image needs a static busybox \
             (install Debian's busybox-static)",
            busybox.display()
        ));
    }
    let context = TempDir::new("busybox-image");
    fs::write(context.path().join("busybox"), &bytes).map_err(|e| e.to_string())?;
    set_mode(&context.path().join("busybox"), 0o755);
    fs::write(
        context.path().join("Dockerfile"),
        "FROM scratch\n\
         COPY busybox /bin/busybox\n\
         RUN [\"/bin/busybox\", \"--install\", \"-s\", \"/bin\"]\n\
         CMD [\"/bin/sh\"]\n",
    )
    .map_err(|e| e.to_string())?;
    docker([
        OsStr::new("build"),
        OsStr::new("-q"),
        OsStr::new("-t"),
        OsStr::new(IMAGE),
        context.path().as_os_str(),
    ])?;
    Ok(())
}

/// `Some(true)` when a little-endian ELF file asks for a program interpreter (it is
/// dynamically linked), `Some(false)` when it does not, `None` when it cannot tell.
fn elf_has_interpreter(bytes: &[u8]) -> Option<bool> {
    const PT_INTERP: u32 = 3;
    if bytes.get(0..4)? != b"\x7fELF" || *bytes.get(5)? != 1 {
        return None;
    }
    let u16_at = |at: usize| Some(u16::from_le_bytes(bytes.get(at..at + 2)?.try_into().ok()?));
    let u32_at = |at: usize| Some(u32::from_le_bytes(bytes.get(at..at + 4)?.try_into().ok()?));
    let u64_at = |at: usize| Some(u64::from_le_bytes(bytes.get(at..at + 8)?.try_into().ok()?));
    let (offset, entry_size, count) = match bytes.get(4)? {
        1 => (
            u32_at(0x1c)? as usize,
            u16_at(0x2a)? as usize,
            u16_at(0x2c)? as usize,
        ),
        2 => (
            u64_at(0x20)? as usize,
            u16_at(0x36)? as usize,
            u16_at(0x38)? as usize,
        ),
        _ => return None,
    };
    for index in 0..count {
        if u32_at(offset + index * entry_size)? == PT_INTERP {
            return Some(true);
        }
    }
    Some(false)
}

/// Sets a file's permission bits, failing the test when it cannot.
pub fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(mode))
        .unwrap_or_else(|e| panic!("chmod {mode:o} {}: {e}", path.display()));
}

/// A container made by a test; removed (`docker rm -f`) when dropped.
#[derive(Debug)]
pub struct Container {
    pub name: String,
    pub id: String,
}

/// Options for one test container, then [`ContainerBuilder::run`] or `create`.
#[derive(Debug)]
pub struct ContainerBuilder {
    name: String,
    options: Vec<String>,
    command: Vec<String>,
}

impl Container {
    /// A container named `tg-<run id>-<suffix>` with the run's label, running
    /// `sleep 3600` in [`IMAGE`] unless told otherwise.
    pub fn builder(run_id: &str, suffix: &str) -> ContainerBuilder {
        ContainerBuilder {
            name: format!("tg-{run_id}-{suffix}"),
            options: vec![
                "--label".to_string(),
                format!("{TEST_LABEL}={run_id}"),
                "--label".to_string(),
                format!("{PID_LABEL}={}", std::process::id()),
            ],
            command: vec!["sleep".to_string(), "3600".to_string()],
        }
    }

    /// `docker inspect` of this container.
    pub fn inspect(&self) -> Value {
        inspect(&self.id)
    }

    /// The IP address of this container on `network`, from `docker inspect`.
    pub fn ip_on(&self, network: &str) -> String {
        let inspect = self.inspect();
        inspect["NetworkSettings"]["Networks"][network]["IPAddress"]
            .as_str()
            .unwrap_or_else(|| panic!("{}: no IP on network {network}: {inspect:#}", self.name))
            .to_string()
    }

    pub fn start(&self) {
        docker_ok(["start", &self.id]);
    }

    /// `docker stop -t 1` (busybox as pid 1 ignores SIGTERM, so this waits one second).
    pub fn stop(&self) {
        docker_ok(["stop", "-t", "1", &self.id]);
    }

    pub fn kill(&self) {
        docker_ok(["kill", &self.id]);
    }

    pub fn restart(&self) {
        docker_ok(["restart", "-t", "1", &self.id]);
    }

    /// Waits until `State.Health.Status` is `status`; fails the test with the inspect
    /// output after `timeout`.
    pub fn wait_health(&self, status: &str, timeout: Duration) {
        let found = poll_until(timeout, || {
            let inspect = self.inspect();
            (inspect["State"]["Health"]["Status"] == status).then_some(())
        });
        if found.is_none() {
            panic!(
                "{}: health did not become {status} within {timeout:?}: {:#}",
                self.name,
                self.inspect()["State"]
            );
        }
    }
}

impl Drop for Container {
    fn drop(&mut self) {
        if let Err(e) = docker(["rm", "-f", "-v", &self.id]) {
            eprintln!("warning: removing test container {}: {e}", self.name);
        }
    }
}

impl ContainerBuilder {
    fn option(mut self, flag: &str, value: impl Into<String>) -> Self {
        self.options.push(flag.to_string());
        self.options.push(value.into());
        self
    }

    /// The container name chosen for this builder.
    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn env(self, key: &str, value: &str) -> Self {
        self.option("--env", format!("{key}={value}"))
    }

    pub fn label(self, key: &str, value: &str) -> Self {
        self.option("--label", format!("{key}={value}"))
    }

    /// `--expose <port>` (`8080` or `53/udp`).
    pub fn expose(self, port: &str) -> Self {
        self.option("--expose", port)
    }

    /// Publishes `port` (`80` or `53/udp`) on 127.0.0.1 with a random host port.
    pub fn publish_loopback(self, port: &str) -> Self {
        self.option("--publish", format!("127.0.0.1::{port}"))
    }

    /// Starts the container on `network` instead of the default bridge.
    pub fn network(self, network: &str) -> Self {
        self.option("--network", network)
    }

    /// A network alias on the network given with [`ContainerBuilder::network`].
    pub fn network_alias(self, alias: &str) -> Self {
        self.option("--network-alias", alias)
    }

    pub fn hostname(self, hostname: &str) -> Self {
        self.option("--hostname", hostname)
    }

    /// A healthcheck command run by the shell every `interval` (a Docker duration).
    pub fn health_cmd(self, command: &str, interval: &str) -> Self {
        self.option("--health-cmd", command)
            .option("--health-interval", interval)
    }

    /// Bind-mounts a host directory.
    pub fn volume(self, host: &Path, container: &str) -> Self {
        self.option("--volume", format!("{}:{container}", host.display()))
    }

    /// The command to run instead of `sleep 3600`.
    pub fn command(mut self, command: &[&str]) -> Self {
        self.command = command.iter().map(|s| s.to_string()).collect();
        self
    }

    /// `docker run -d`: the container is running when this returns.
    pub fn run(self) -> Container {
        self.make("run", &["-d"])
    }

    /// `docker create`: the container exists but has never started.
    pub fn create(self) -> Container {
        self.make("create", &[])
    }

    fn make(self, verb: &str, verb_options: &[&str]) -> Container {
        let image = ensure_busybox_image();
        let mut args: Vec<String> = vec![verb.to_string()];
        args.extend(verb_options.iter().map(|s| s.to_string()));
        args.push("--name".to_string());
        args.push(self.name.clone());
        args.extend(self.options);
        args.push(image);
        args.extend(self.command);
        let id = docker_ok(&args);
        let id = id.lines().last().unwrap_or_default().trim().to_string();
        assert_eq!(
            id.len(),
            64,
            "docker {verb} printed no container id: {id:?}"
        );
        Container {
            name: self.name,
            id,
        }
    }
}

/// A user-defined bridge network made by a test; removed when dropped. Declare it before
/// the containers that use it, so they are dropped (removed) first.
#[derive(Debug)]
pub struct Network {
    pub name: String,
    pub id: String,
}

impl Network {
    /// A network named `tg-<run id>-<suffix>` with the run's label.
    pub fn create(run_id: &str, suffix: &str) -> Network {
        let name = format!("tg-{run_id}-{suffix}");
        let id = docker_ok([
            "network",
            "create",
            "--label",
            &format!("{TEST_LABEL}={run_id}"),
            "--label",
            &format!("{PID_LABEL}={}", std::process::id()),
            &name,
        ]);
        Network { name, id }
    }

    /// `docker network connect` with optional aliases.
    pub fn connect(&self, container: &Container, aliases: &[&str]) {
        let mut args = vec!["network", "connect"];
        for alias in aliases {
            args.push("--alias");
            args.push(alias);
        }
        args.push(&self.name);
        args.push(&container.id);
        docker_ok(args);
    }

    pub fn disconnect(&self, container: &Container) {
        docker_ok(["network", "disconnect", &self.name, &container.id]);
    }
}

impl Drop for Network {
    fn drop(&mut self) {
        // A container removed just before may still be detaching: retry briefly.
        let mut last = Ok(String::new());
        for _ in 0..20 {
            last = docker(["network", "rm", &self.id]);
            if last.is_ok() {
                return;
            }
            thread::sleep(Duration::from_millis(250));
        }
        if let Err(e) = last {
            eprintln!("warning: removing test network {}: {e}", self.name);
        }
    }
}

/// A fresh directory under the system temp dir; removed when dropped unless
/// `TINYGEN_KEEP_TEST_FILES` is set.
#[derive(Debug)]
pub struct TempDir {
    path: PathBuf,
}

impl TempDir {
    pub fn new(test: &str) -> TempDir {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let count = COUNTER.fetch_add(1, Ordering::Relaxed);
        let path = std::env::temp_dir().join(format!(
            "tinygen-test-{test}-{}-{count}",
            std::process::id()
        ));
        let _ = fs::remove_dir_all(&path);
        fs::create_dir_all(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        TempDir { path }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Writes `content` to `name` in this directory and returns the file's path.
    pub fn write(&self, name: &str, content: &str) -> PathBuf {
        let path = self.path.join(name);
        fs::write(&path, content).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        if std::env::var_os("TINYGEN_KEEP_TEST_FILES").is_none() {
            let _ = fs::remove_dir_all(&self.path);
        }
    }
}

/// Reads a file as text, or a note saying why it cannot, for diagnostics and polling.
pub fn read_or_note(path: &Path) -> String {
    match fs::read(path) {
        Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        Err(e) => format!("<cannot read {}: {e}>", path.display()),
    }
}

/// Calls `probe` every 100 ms until it gives `Some` or `timeout` has passed.
pub fn poll_until<T>(timeout: Duration, mut probe: impl FnMut() -> Option<T>) -> Option<T> {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(found) = probe() {
            return Some(found);
        }
        if Instant::now() >= deadline {
            return None;
        }
        thread::sleep(Duration::from_millis(100));
    }
}

/// A `tinygen` command line under construction; environment variables that would change
/// the endpoint, TLS or filters are removed so that only the arguments count.
#[derive(Debug)]
pub struct Tinygen {
    command: Command,
    args: Vec<OsString>,
}

/// The result of a finished one-shot `tinygen` run.
#[derive(Debug)]
pub struct Run {
    pub command_line: String,
    pub status: ExitStatus,
    pub stdout: String,
    pub stderr: String,
}

impl Default for Tinygen {
    fn default() -> Self {
        Tinygen::new()
    }
}

impl Tinygen {
    pub fn new() -> Tinygen {
        let mut command = Command::new(tinygen_bin());
        for name in [
            "DOCKER_HOST",
            "DOCKER_CERT_PATH",
            "DOCKER_TLS_VERIFY",
            "DOCKER_CONTAINER_FILTERS",
        ] {
            command.env_remove(name);
        }
        command.stdin(Stdio::null());
        Tinygen {
            command,
            args: Vec::new(),
        }
    }

    pub fn arg(mut self, arg: impl AsRef<OsStr>) -> Tinygen {
        self.args.push(arg.as_ref().to_os_string());
        self
    }

    pub fn args<I, S>(mut self, args: I) -> Tinygen
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.args
            .extend(args.into_iter().map(|a| a.as_ref().to_os_string()));
        self
    }

    pub fn env(mut self, key: &str, value: &str) -> Tinygen {
        self.command.env(key, value);
        self
    }

    fn command_line(&self) -> String {
        format!("tinygen {}", shell_words(&self.args))
    }

    /// Runs to completion (at most a minute, then it is killed and the test fails).
    pub fn run(mut self) -> Run {
        let command_line = self.command_line();
        let mut child = self
            .command
            .args(&self.args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("{command_line}: cannot start: {e}"));
        let stdout = drain(child.stdout.take());
        let stderr = drain(child.stderr.take());
        let status = poll_until(RUN_DEADLINE, || child.try_wait().ok().flatten());
        let Some(status) = status else {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "{command_line}: still running after {RUN_DEADLINE:?}; stderr so far:\n{}",
                stderr.join().unwrap_or_default()
            );
        };
        Run {
            command_line,
            status,
            stdout: stdout.join().unwrap_or_default(),
            stderr: stderr.join().unwrap_or_default(),
        }
    }

    /// Starts a long-running tinygen (watch mode) whose stdout and stderr go to
    /// `<dir>/tinygen.log`; it is killed when the returned guard drops.
    pub fn spawn(mut self, dir: &Path) -> Daemon {
        let command_line = self.command_line();
        let log = dir.join("tinygen.log");
        let file = fs::File::create(&log).unwrap_or_else(|e| panic!("{}: {e}", log.display()));
        let file_too = file
            .try_clone()
            .unwrap_or_else(|e| panic!("{}: {e}", log.display()));
        let child = self
            .command
            .args(&self.args)
            .stdout(file)
            .stderr(file_too)
            .spawn()
            .unwrap_or_else(|e| panic!("{command_line}: cannot start: {e}"));
        Daemon {
            command_line,
            child,
            log,
            exited: None,
        }
    }
}

fn drain(pipe: Option<impl Read + Send + 'static>) -> thread::JoinHandle<String> {
    thread::spawn(move || {
        let mut bytes = Vec::new();
        if let Some(mut pipe) = pipe {
            let _ = pipe.read_to_end(&mut bytes);
        }
        String::from_utf8_lossy(&bytes).into_owned()
    })
}

impl Run {
    pub fn success(&self) -> bool {
        self.status.success()
    }

    /// Fails the test unless tinygen exited 0.
    pub fn assert_success(&self) -> &Run {
        assert!(
            self.success(),
            "{} failed\n{}",
            self.command_line,
            self.diagnostics()
        );
        self
    }

    /// The command line, exit status, stdout and stderr, for failure messages.
    pub fn diagnostics(&self) -> String {
        format!(
            "command: {}\nstatus: {}\n--- stdout ---\n{}\n--- stderr ---\n{}",
            self.command_line, self.status, self.stdout, self.stderr
        )
    }
}

/// A running tinygen process; killed (SIGKILL) and reaped when dropped.
#[derive(Debug)]
pub struct Daemon {
    pub command_line: String,
    child: Child,
    log: PathBuf,
    exited: Option<ExitStatus>,
}

impl Daemon {
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Everything tinygen printed so far.
    pub fn log(&self) -> String {
        read_or_note(&self.log)
    }

    /// Sends `signal` (e.g. `libc::SIGTERM`) to the process.
    pub fn signal(&self, signal: i32) {
        if self.exited.is_some() {
            return;
        }
        let pid = libc::pid_t::try_from(self.child.id()).expect("pid fits pid_t");
        // SAFETY: kill(2) only sends a signal to our own child, which has not been reaped
        // (`exited` is None), so the pid still names it.
        let result = unsafe { libc::kill(pid, signal) };
        assert_eq!(
            result,
            0,
            "kill({pid}, {signal}): {}",
            std::io::Error::last_os_error()
        );
    }

    /// The exit status if tinygen ends within `timeout`.
    pub fn wait_exit(&mut self, timeout: Duration) -> Option<ExitStatus> {
        if self.exited.is_none() {
            self.exited = poll_until(timeout, || self.child.try_wait().ok().flatten());
        }
        self.exited
    }

    /// The command line and the log, for failure messages.
    pub fn diagnostics(&self) -> String {
        format!(
            "command: {}\n--- tinygen log ---\n{}",
            self.command_line,
            self.log()
        )
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        if self.exited.is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// A second Docker daemon of the test's own, on a socket in a temporary directory, that a
/// test may stop and start again (the shared daemon must never be restarted). It has its own
/// data and exec roots, no default bridge and no iptables rules, so containers on it use
/// `--network none`; it holds only what the test puts there. Stopped when dropped.
#[derive(Debug)]
pub struct PrivateDaemon {
    dir: TempDir,
    child: Option<Child>,
}

impl PrivateDaemon {
    /// Starts a private `dockerd` and loads [`IMAGE`] into it. `None` (with a skip message)
    /// when this is not possible here: not root, or no `dockerd`; under
    /// `TINYGEN_REQUIRE_DOCKER=1` that is a failure instead.
    pub fn start(test: &str) -> Option<PrivateDaemon> {
        let dockerd_found = [
            "/usr/sbin/dockerd",
            "/usr/bin/dockerd",
            "/usr/local/bin/dockerd",
        ]
        .iter()
        .any(|p| Path::new(p).exists());
        // SAFETY: geteuid(2) has no preconditions and cannot fail.
        let root = unsafe { libc::geteuid() } == 0;
        if !dockerd_found || !root {
            let why = if root {
                "no dockerd binary"
            } else {
                "not running as root"
            };
            if std::env::var(REQUIRE_ENV).as_deref() == Ok("1") {
                panic!("{REQUIRE_ENV}=1 but a private dockerd cannot be started: {why}");
            }
            eprintln!("skipped: cannot start a private dockerd ({why})");
            return None;
        }
        let image = ensure_busybox_image();
        let mut daemon = PrivateDaemon {
            dir: TempDir::new(test),
            child: None,
        };
        daemon.start_again();
        // Load the test image from the shared daemon: there is no registry to pull from.
        let mut save = Command::new("docker")
            .args(["-H", ENDPOINT, "save", &image])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("docker save {image}: {e}"));
        let saved = save.stdout.take().expect("stdout is piped");
        let load = Command::new("docker")
            .args(["-H", &daemon.endpoint(), "load", "-q"])
            .stdin(Stdio::from(saved))
            .output()
            .unwrap_or_else(|e| panic!("docker load: {e}"));
        let saved_ok = save.wait().map(|s| s.success()).unwrap_or(false);
        assert!(
            saved_ok && load.status.success(),
            "loading {image} into the private dockerd: {}\n{}",
            String::from_utf8_lossy(&load.stderr),
            daemon.log()
        );
        Some(daemon)
    }

    /// `unix://<dir>/docker.sock`.
    pub fn endpoint(&self) -> String {
        format!("unix://{}", self.socket().display())
    }

    fn socket(&self) -> PathBuf {
        self.dir.path().join("docker.sock")
    }

    /// The end of the daemon's log, for failure messages.
    pub fn log(&self) -> String {
        let log = read_or_note(&self.dir.path().join("dockerd.log"));
        let lines: Vec<&str> = log.lines().collect();
        let tail = lines[lines.len().saturating_sub(40)..].join("\n");
        format!("--- private dockerd log (last 40 lines) ---\n{tail}")
    }

    /// `docker -H <this daemon> <args>`, failing the test on error.
    pub fn docker_ok<I, S>(&self, args: I) -> String
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        docker_at(&self.endpoint(), args).unwrap_or_else(|e| panic!("{e}\n{}", self.log()))
    }

    /// Starts `dockerd` (again) and waits until it answers `/_ping`.
    pub fn start_again(&mut self) {
        assert!(
            self.child.is_none(),
            "the private dockerd is already running"
        );
        let root = self.dir.path();
        let log_path = root.join("dockerd.log");
        let log = fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log_path)
            .unwrap_or_else(|e| panic!("{}: {e}", log_path.display()));
        let log_too = log
            .try_clone()
            .unwrap_or_else(|e| panic!("{}: {e}", log_path.display()));
        // In a network namespace of its own: a dockerd started with --bridge=none deletes the
        // docker0 bridge it finds, which would break the host daemon's containers. `unshare`
        // execs dockerd, so the child's PID is dockerd's.
        let child = Command::new("unshare")
            .args(["--net", "--", "dockerd"])
            .arg("--host")
            .arg(self.endpoint())
            .arg("--data-root")
            .arg(root.join("data"))
            .arg("--exec-root")
            .arg(root.join("exec"))
            .arg("--pidfile")
            .arg(root.join("dockerd.pid"))
            .args(["--bridge=none", "--iptables=false", "--shutdown-timeout=1"])
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(log_too)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start dockerd: {e}"));
        self.child = Some(child);
        let socket = self.socket();
        if poll_until(Duration::from_secs(60), || ping(&socket).ok()).is_none() {
            panic!(
                "the private dockerd did not answer within 60 s\n{}",
                self.log()
            );
        }
    }

    /// Stops `dockerd` with SIGTERM (its containers stop with it) and waits for it to exit.
    pub fn stop(&mut self) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        if let Ok(pid) = libc::pid_t::try_from(child.id()) {
            // SAFETY: kill(2) on our own child, not yet reaped, so the pid still names it.
            unsafe { libc::kill(pid, libc::SIGTERM) };
        }
        if poll_until(Duration::from_secs(30), || child.try_wait().ok().flatten()).is_none() {
            eprintln!("warning: the private dockerd ignored SIGTERM for 30 s; killing it");
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for PrivateDaemon {
    fn drop(&mut self) {
        self.stop();
    }
}
