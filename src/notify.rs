//! Notifications after a change (spec §5.4): the notify command, signals or restarts of
//! containers through the Docker API, and (tinygen's addition) a signal to the process named
//! by a PID file.
//!
//! This is the only module that spawns processes. Nothing here is fatal: every failure is
//! logged and the next notification still runs. Deliberate differences from docker-gen:
//! containers are signalled in sorted order (Go's map order is random), a restart (`-1`)
//! does not stop the remaining containers from being signalled (docker-gen returns early),
//! and the command has a deadline ([`COMMAND_TIMEOUT`]) after which its process group is
//! killed (docker-gen waits forever).

use crate::config::{Filters, TemplateConfig};
use crate::docker::Client;
use crate::error::{Error, ErrorKind, Result};
use crate::sys;
use std::collections::BTreeMap;
use std::fs;
use std::io::Read;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::Path;
use std::process::{Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::thread;
use std::time::{Duration, Instant};

/// How long a notify command may run before its process group is killed. Generous, since
/// a reload can take a while, but finite, since a hung command would stall every later
/// render of the daemon.
pub const COMMAND_TIMEOUT: Duration = Duration::from_secs(60);

/// How long output is still collected after the shell exited while a background process it
/// started keeps the output pipe open. That process is left alone.
const OUTPUT_GRACE: Duration = Duration::from_secs(1);

/// docker-gen's timeout for `POST /containers/{id}/restart`.
const RESTART_TIMEOUT_SECONDS: u32 = 10;

/// Runs every notification of `config`, in docker-gen's order, then the PID file signal.
#[allow(dead_code)]
pub fn notify(config: &TemplateConfig, client: &Client) {
    notify_with(config, client);
}

/// The Docker calls notifications need; [`Client`] in the daemon, a fake in tests.
pub trait ContainerApi {
    fn kill_container(&self, id: &str, signal: i64) -> Result<()>;
    fn restart_container(&self, id: &str, timeout_seconds: u32) -> Result<()>;
    fn list_containers(&self, all: bool, filters: &Filters) -> Result<Vec<serde_json::Value>>;
}

impl ContainerApi for Client {
    fn kill_container(&self, id: &str, signal: i64) -> Result<()> {
        Client::kill_container(self, id, signal)
    }

    fn restart_container(&self, id: &str, timeout_seconds: u32) -> Result<()> {
        Client::restart_container(self, id, timeout_seconds)
    }

    fn list_containers(&self, all: bool, filters: &Filters) -> Result<Vec<serde_json::Value>> {
        Client::list_containers(self, all, filters)
    }
}

/// [`notify`] over any [`ContainerApi`].
pub fn notify_with(config: &TemplateConfig, api: &dyn ContainerApi) {
    if !config.notify_cmd.is_empty() {
        notify_command(&config.notify_cmd, config.notify_output);
    }
    signal_containers(api, &config.notify_containers);
    signal_filtered_containers(
        api,
        &config.notify_containers_filter,
        config.notify_containers_signal,
    );
    if let Some(pidfile) = &config.notify_pidfile {
        match signal_pidfile(pidfile, config.notify_pidfile_signal) {
            Ok(pid) => log!(
                "Sent signal '{}' to process {pid} from pid file {}",
                config.notify_pidfile_signal,
                pidfile.display()
            ),
            Err(error) => log!("Error signalling process from pid file: {error}"),
        }
    }
}

/// Runs the notify command with the default deadline and logs as docker-gen does.
fn notify_command(command: &str, output: bool) {
    log!("Running '{command}'");
    let run = run_command(command, output, COMMAND_TIMEOUT);
    if let Err(error) = &run.result {
        log!("Error running notify command: {command}, {error}");
    }
    for line in &run.lines {
        log!("[{command}]: {line}");
    }
}

/// What a command run produced: its non-empty output lines (only when captured) and
/// whether it succeeded. Lines are kept on failure too, as docker-gen logs them then.
#[derive(Debug)]
pub struct CommandRun {
    pub lines: Vec<String>,
    pub result: Result<()>,
}

/// Runs `/bin/sh -c command` with stdin from /dev/null, in its own process group.
///
/// With `capture`, stdout and stderr share one pipe (so their lines interleave as written)
/// and the non-empty lines are returned; without it both go to /dev/null. If the shell has
/// not exited after `timeout`, its whole process group is killed with SIGKILL and the run
/// fails.
pub fn run_command(command: &str, capture: bool, timeout: Duration) -> CommandRun {
    run_shell(command, capture, timeout, &[])
}

/// Runs a check command for a candidate output in place at `path` (see `-check`): `{dest}`
/// in the command becomes the shell-quoted path, and `TINYGEN_DEST` holds it too. Its
/// output is captured; a non-zero exit is an error carrying the status and the output.
pub fn run_check(command: &str, path: &Path) -> Result<()> {
    let path_text = path.to_string_lossy();
    let quoted = format!("'{}'", path_text.replace('\'', "'\\''"));
    let command = command.replace("{dest}", &quoted);
    log!("Checking '{}' with '{command}'", path.display());
    let run = run_shell(
        &command,
        true,
        COMMAND_TIMEOUT,
        &[("TINYGEN_DEST", &path_text)],
    );
    match run.result {
        Ok(()) => Ok(()),
        Err(error) => {
            let mut message = format!("check '{command}' failed: {error}");
            for line in &run.lines {
                message.push_str(&format!("\n[{command}]: {line}"));
            }
            Err(Error::new(ErrorKind::Io, message))
        }
    }
}

/// `run_command` with extra environment variables.
fn run_shell(command: &str, capture: bool, timeout: Duration, env: &[(&str, &str)]) -> CommandRun {
    let deadline = Instant::now() + timeout;
    let failed = |message: String| CommandRun {
        lines: Vec::new(),
        result: Err(Error::new(ErrorKind::Io, message)),
    };
    let mut process = Command::new("/bin/sh");
    process
        .arg("-c")
        .arg(command)
        .stdin(Stdio::null())
        .envs(env.iter().copied())
        .process_group(0);
    let mut reader = None;
    if capture {
        let pipe = sys::pipe().and_then(|(read, write)| Ok((read, write.try_clone()?, write)));
        let (read, stdout, stderr) = match pipe {
            Ok(pipe) => pipe,
            Err(error) => return failed(format!("output pipe: {error}")),
        };
        process
            .stdout(Stdio::from(stdout))
            .stderr(Stdio::from(stderr));
        reader = Some(read);
    } else {
        process.stdout(Stdio::null()).stderr(Stdio::null());
    }
    let spawned = process.spawn();
    // The Command holds our copies of the pipe's write end; drop them so that the reader
    // sees end-of-file once the command's processes are done with it.
    drop(process);
    let mut child = match spawned {
        Ok(child) => child,
        Err(error) => return failed(format!("/bin/sh: {error}")),
    };
    let process_group = child.id() as i32;
    // Kills what the command started and reaps the shell, for when a thread cannot start.
    let mut abandon = |what: &str, error: std::io::Error| {
        kill_group(process_group);
        let _ = child.wait();
        failed(format!("{what} thread: {error}"))
    };

    let (chunk_sender, chunks) = mpsc::channel::<Vec<u8>>();
    let reader = match reader {
        None => None,
        Some(mut read) => {
            let spawned = thread::Builder::new()
                .name("notify-output".to_string())
                .spawn(move || {
                    let mut buffer = [0u8; 4096];
                    while let Ok(count @ 1..) = read.read(&mut buffer) {
                        if chunk_sender.send(buffer[..count].to_vec()).is_err() {
                            break;
                        }
                    }
                });
            match spawned {
                Ok(reader) => Some(reader),
                Err(error) => return abandon("output", error),
            }
        }
    };
    // The watchdog kills the process group at the deadline unless told the shell is done.
    let (done, done_receiver) = mpsc::channel::<()>();
    let watchdog = thread::Builder::new()
        .name("notify-deadline".to_string())
        .spawn(move || {
            let expired =
                done_receiver.recv_timeout(deadline.saturating_duration_since(Instant::now()));
            if expired == Err(RecvTimeoutError::Timeout) {
                kill_group(process_group);
                return true;
            }
            false
        });
    let watchdog = match watchdog {
        Ok(watchdog) => watchdog,
        Err(error) => return abandon("deadline", error),
    };
    let status = child.wait();
    drop(done);
    let timed_out = watchdog.join().unwrap_or(false);

    let mut bytes = Vec::new();
    if let Some(reader) = reader {
        let output_deadline = Instant::now() + OUTPUT_GRACE;
        let finished = loop {
            match chunks.recv_timeout(output_deadline.saturating_duration_since(Instant::now())) {
                Ok(chunk) => bytes.extend_from_slice(&chunk),
                Err(RecvTimeoutError::Disconnected) => break true,
                Err(RecvTimeoutError::Timeout) => break false,
            }
        };
        // A background process still holds the pipe: the reader thread ends when it closes
        // it, and is not waited for.
        if finished {
            let _ = reader.join();
        }
    }

    let result = if timed_out {
        Err(Error::new(
            ErrorKind::Io,
            format!("timed out after {timeout:?}, process group killed"),
        ))
    } else {
        match status {
            Ok(status) if status.success() => Ok(()),
            Ok(status) => Err(Error::new(ErrorKind::Io, describe_status(status))),
            Err(error) => Err(Error::new(ErrorKind::Io, format!("/bin/sh: {error}"))),
        }
    };
    CommandRun {
        lines: output_lines(&bytes),
        result,
    }
}

/// SIGKILL to a command's process group.
///
/// The group outlives the shell only through its members, so its ID cannot have been taken
/// by an unrelated group while any of them lives. No fallback to the leader's PID: when the
/// group is gone (ESRCH) that PID may already belong to someone else.
fn kill_group(process_group: i32) {
    let _ = sys::kill_process_group(process_group, libc::SIGKILL);
}

/// The non-empty lines of command output, split on `\n` only (as docker-gen does).
fn output_lines(bytes: &[u8]) -> Vec<String> {
    String::from_utf8_lossy(bytes)
        .split('\n')
        .filter(|line| !line.is_empty())
        .map(str::to_string)
        .collect()
}

/// Go's `ProcessState.String()`: `exit status 3`, `signal: killed`.
fn describe_status(status: ExitStatus) -> String {
    if let Some(code) = status.code() {
        return format!("exit status {code}");
    }
    let Some(signal) = status.signal() else {
        return "unknown exit status".to_string();
    };
    let name = match signal {
        1 => "hangup".to_string(),
        2 => "interrupt".to_string(),
        3 => "quit".to_string(),
        4 => "illegal instruction".to_string(),
        5 => "trace/breakpoint trap".to_string(),
        6 => "aborted".to_string(),
        7 => "bus error".to_string(),
        8 => "floating point exception".to_string(),
        9 => "killed".to_string(),
        10 => "user defined signal 1".to_string(),
        11 => "segmentation fault".to_string(),
        12 => "user defined signal 2".to_string(),
        13 => "broken pipe".to_string(),
        14 => "alarm clock".to_string(),
        15 => "terminated".to_string(),
        other => format!("signal {other}"),
    };
    let core = if status.core_dumped() {
        " (core dumped)"
    } else {
        ""
    };
    format!("signal: {name}{core}")
}

/// Signals (or, for `-1`, restarts) each named container, in sorted order.
pub fn signal_containers(api: &dyn ContainerApi, containers: &BTreeMap<String, i64>) {
    for (container, signal) in containers {
        send_to_container(api, container, *signal);
    }
}

/// Signals every running container matching `filters` (nothing when there are none).
pub fn signal_filtered_containers(api: &dyn ContainerApi, filters: &Filters, signal: i64) {
    if filters.is_empty() {
        return;
    }
    let containers = match api.list_containers(false, filters) {
        Ok(containers) => containers,
        Err(error) => {
            log!("Error getting containers: {error}");
            return;
        }
    };
    for container in &containers {
        match container.get("Id").and_then(serde_json::Value::as_str) {
            Some(id) => send_to_container(api, id, signal),
            None => log!("Error getting containers: a listed container has no Id"),
        }
    }
}

/// One container: log, then restart (`-1`) or kill with the signal.
fn send_to_container(api: &dyn ContainerApi, container: &str, signal: i64) {
    log!("Sending container '{container}' signal '{signal}'");
    if signal == -1 {
        if let Err(error) = api.restart_container(container, RESTART_TIMEOUT_SECONDS) {
            log!("Error sending restarting container: {error}");
        }
    } else if let Err(error) = api.kill_container(container, signal) {
        log!("Error sending signal to container: {error}");
    }
}

/// Sends `signal` to the process whose PID the file holds (trimmed decimal); returns the PID.
/// Errors name the PID file.
pub fn signal_pidfile(path: &Path, signal: i64) -> Result<i32> {
    let shown = path.display();
    let signal = i32::try_from(signal)
        .ok()
        .filter(|signal| *signal >= 0)
        .ok_or_else(|| Error::new(ErrorKind::Io, format!("{shown}: invalid signal {signal}")))?;
    let text = fs::read_to_string(path).map_err(|error| Error::io(&shown, error))?;
    let text = text.trim();
    let pid = Some(text)
        .filter(|text| !text.is_empty() && text.bytes().all(|byte| byte.is_ascii_digit()))
        .and_then(|text| text.parse::<i32>().ok())
        .filter(|pid| *pid > 0)
        .ok_or_else(|| Error::new(ErrorKind::Io, format!("{shown}: invalid PID {text:?}")))?;
    sys::kill(pid, signal).map_err(|error| {
        let message = if error.raw_os_error() == Some(libc::ESRCH) {
            format!("{shown}: process {pid} is not running (stale pid file)")
        } else {
            format!("{shown}: process {pid}: {error}")
        };
        Error::new(ErrorKind::Io, message)
    })?;
    Ok(pid)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::RefCell;
    use std::path::PathBuf;

    fn temp_dir(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("tinygen-notify-{}-{name}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).expect("temp dir");
        dir
    }

    #[test]
    fn command_success_with_interleaved_output() {
        let run = run_command(
            "echo one; echo two >&2; printf '\\n\\nthree'",
            true,
            Duration::from_secs(10),
        );
        assert!(run.result.is_ok(), "{:?}", run.result);
        assert_eq!(run.lines, vec!["one", "two", "three"]);
    }

    #[test]
    fn command_output_is_not_captured_unless_asked() {
        let run = run_command("echo one", false, Duration::from_secs(10));
        assert!(run.result.is_ok());
        assert!(run.lines.is_empty());
    }

    #[test]
    fn command_failure_keeps_its_output() {
        let run = run_command("echo before; exit 3", true, Duration::from_secs(10));
        assert_eq!(run.result.unwrap_err().message, "exit status 3");
        assert_eq!(run.lines, vec!["before"]);
        let run = run_command("kill -TERM $$", false, Duration::from_secs(10));
        assert_eq!(run.result.unwrap_err().message, "signal: terminated");
    }

    #[test]
    fn command_reads_no_stdin() {
        // `cat` would block forever on an inherited terminal or pipe.
        let run = run_command("cat", true, Duration::from_secs(10));
        assert!(run.result.is_ok());
        assert!(run.lines.is_empty());
    }

    #[test]
    fn command_is_killed_with_its_group_at_the_deadline() {
        let start = Instant::now();
        let run = run_command(
            "sleep 30 & echo $!; sleep 5",
            true,
            Duration::from_millis(200),
        );
        assert!(
            start.elapsed() < Duration::from_secs(4),
            "took {:?}",
            start.elapsed()
        );
        let error = run.result.unwrap_err();
        assert_eq!(error.message, "timed out after 200ms, process group killed");
        // The background sleep was in the group: it dies (SIGKILL is delivered when it next
        // runs, so allow a moment) and is gone or a zombie awaiting its reaper.
        let pid: i32 = run.lines[0].parse().expect("the background PID");
        let dead = || {
            let state = fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
            state.is_empty()
                || state
                    .split(") ")
                    .nth(1)
                    .is_some_and(|rest| rest.starts_with('Z'))
        };
        let until = Instant::now() + Duration::from_secs(5);
        while !dead() && Instant::now() < until {
            thread::sleep(Duration::from_millis(10));
        }
        assert!(dead(), "background process {pid} survived");
    }

    #[test]
    fn command_without_capture_times_out_too() {
        let start = Instant::now();
        let run = run_command("sleep 5", false, Duration::from_millis(200));
        assert!(start.elapsed() < Duration::from_secs(4));
        assert!(run.result.unwrap_err().message.starts_with("timed out"));
    }

    #[test]
    fn command_leaves_a_daemon_holding_the_pipe_alone() {
        let dir = temp_dir("daemon");
        let marker = dir.join("alive");
        let command = format!("(sleep 3; touch {}) & echo started", marker.display());
        let start = Instant::now();
        let run = run_command(&command, true, Duration::from_secs(10));
        assert!(run.result.is_ok());
        assert_eq!(run.lines, vec!["started"]);
        assert!(
            start.elapsed() < Duration::from_millis(2900),
            "waited for the background process"
        );
        // Wait (bounded) for the background process to finish its work: it was not killed.
        let until = Instant::now() + Duration::from_secs(10);
        while !marker.exists() && Instant::now() < until {
            thread::sleep(Duration::from_millis(50));
        }
        assert!(marker.exists());
        let _ = fs::remove_dir_all(dir);
    }

    #[test]
    fn pidfile_signal_reaches_the_process() {
        let dir = temp_dir("pidfile");
        let mut child = Command::new("sleep")
            .arg("30")
            .spawn()
            .expect("spawn sleep");
        let pidfile = dir.join("app.pid");
        fs::write(&pidfile, format!("{}\n", child.id())).expect("write pid file");
        assert_eq!(
            signal_pidfile(&pidfile, libc::SIGTERM as i64),
            Ok(child.id() as i32)
        );
        let status = child.wait().expect("wait");
        assert_eq!(status.signal(), Some(libc::SIGTERM));
        // Reaped now: the same file is stale.
        let error = signal_pidfile(&pidfile, 1).unwrap_err();
        let expected = format!(
            "{}: process {} is not running (stale pid file)",
            pidfile.display(),
            child.id()
        );
        assert_eq!(error.message, expected);
        let _ = fs::remove_dir_all(dir);
    }

    #[test]
    fn pidfile_errors_name_the_file() {
        let dir = temp_dir("pidfile-errors");
        let missing = dir.join("missing.pid");
        let error = signal_pidfile(&missing, 1).unwrap_err();
        assert!(
            error
                .message
                .starts_with(&format!("{}: ", missing.display())),
            "{}",
            error.message
        );
        for (content, shown) in [
            ("garbage", "\"garbage\""),
            ("", "\"\""),
            ("0", "\"0\""),
            ("-1", "\"-1\""),
            ("12 13", "\"12 13\""),
        ] {
            let pidfile = dir.join("bad.pid");
            fs::write(&pidfile, content).expect("write");
            let error = signal_pidfile(&pidfile, 1).unwrap_err();
            assert_eq!(
                error.message,
                format!("{}: invalid PID {shown}", pidfile.display())
            );
        }
        let pidfile = dir.join("ok.pid");
        fs::write(&pidfile, std::process::id().to_string()).expect("write");
        let error = signal_pidfile(&pidfile, -5).unwrap_err();
        assert_eq!(
            error.message,
            format!("{}: invalid signal -5", pidfile.display())
        );
        let _ = fs::remove_dir_all(dir);
    }

    /// Records calls; fails kills of containers named `bad`.
    #[derive(Default)]
    struct FakeApi {
        calls: RefCell<Vec<String>>,
        list: Vec<serde_json::Value>,
        list_fails: bool,
    }

    impl ContainerApi for FakeApi {
        fn kill_container(&self, id: &str, signal: i64) -> Result<()> {
            self.calls.borrow_mut().push(format!("kill {id} {signal}"));
            if id == "bad" {
                return Err(Error::docker("no such container: bad"));
            }
            Ok(())
        }

        fn restart_container(&self, id: &str, timeout_seconds: u32) -> Result<()> {
            self.calls
                .borrow_mut()
                .push(format!("restart {id} {timeout_seconds}"));
            Ok(())
        }

        fn list_containers(&self, all: bool, filters: &Filters) -> Result<Vec<serde_json::Value>> {
            self.calls
                .borrow_mut()
                .push(format!("list all={all} {filters:?}"));
            if self.list_fails {
                return Err(Error::docker("daemon down"));
            }
            Ok(self.list.clone())
        }
    }

    #[test]
    fn containers_are_signalled_in_sorted_order_and_errors_do_not_stop() {
        let api = FakeApi::default();
        let containers = BTreeMap::from([
            ("web".to_string(), 1),
            ("bad".to_string(), 15),
            ("app".to_string(), -1),
        ]);
        signal_containers(&api, &containers);
        assert_eq!(
            *api.calls.borrow(),
            vec!["restart app 10", "kill bad 15", "kill web 1"]
        );
    }

    #[test]
    fn filtered_containers_are_listed_running_only() {
        let api = FakeApi {
            list: vec![
                serde_json::json!({"Id": "abc"}),
                serde_json::json!({"Names": []}),
                serde_json::json!({"Id": "def"}),
            ],
            ..FakeApi::default()
        };
        let filters = Filters::from([("label".to_string(), vec!["reload".to_string()])]);
        signal_filtered_containers(&api, &filters, 1);
        assert_eq!(
            *api.calls.borrow(),
            vec![
                "list all=false {\"label\": [\"reload\"]}",
                "kill abc 1",
                "kill def 1"
            ]
        );

        let api = FakeApi::default();
        signal_filtered_containers(&api, &Filters::new(), 1);
        assert!(api.calls.borrow().is_empty());

        let api = FakeApi {
            list_fails: true,
            ..FakeApi::default()
        };
        signal_filtered_containers(&api, &filters, -1);
        assert_eq!(api.calls.borrow().len(), 1);
    }

    #[test]
    fn notify_runs_everything_in_order() {
        let dir = temp_dir("notify");
        let log = dir.join("log");
        let mut child = Command::new("sleep")
            .arg("30")
            .spawn()
            .expect("spawn sleep");
        let pidfile = dir.join("app.pid");
        fs::write(&pidfile, child.id().to_string()).expect("write pid file");
        let config = TemplateConfig {
            notify_cmd: format!("echo ran >> {}", log.display()),
            notify_containers: BTreeMap::from([("web".to_string(), 1)]),
            notify_containers_filter: Filters::from([("label".to_string(), vec!["x".to_string()])]),
            notify_containers_signal: 15,
            notify_pidfile: Some(pidfile),
            notify_pidfile_signal: libc::SIGKILL as i64,
            ..TemplateConfig::default()
        };
        let api = FakeApi {
            list: vec![serde_json::json!({"Id": "abc"})],
            ..FakeApi::default()
        };
        notify_with(&config, &api);
        assert_eq!(fs::read_to_string(&log).expect("command ran"), "ran\n");
        assert_eq!(
            *api.calls.borrow(),
            vec![
                "kill web 1",
                "list all=false {\"label\": [\"x\"]}",
                "kill abc 15"
            ]
        );
        assert_eq!(child.wait().expect("wait").signal(), Some(libc::SIGKILL));
        let _ = fs::remove_dir_all(dir);
    }
}
