//! Render-time benchmark (`cargo bench --bench render`): the time tinygen needs to render a
//! template for 50 and 500 synthetic containers, from a context file so no daemon is
//! involved. Prints a table; asserts nothing about speed.
//!
//! The template is our `templates/reverse-proxy.tmpl` unless `TINYGEN_BENCH_TEMPLATE` names
//! another, e.g. nginx-proxy's `nginx.tmpl` (not shipped here). The render column is what
//! watch mode spends per change, timed in-process (`tinygen::bench`): the template loaded
//! once, the containers' values kept, then root value, render and blank-line removal, each
//! render's thread CPU time, the median of many after two warm-up renders. The other columns
//! are whole processes (medians of user+system CPU): a one-shot run, the same run with an
//! empty template (process start, reading the context), and the template's parse
//! (`-check-template`, minus that of an empty template).

use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

const RUNS: usize = 15;

fn container(index: usize) -> Value {
    let name = format!("app{index:03}");
    let id = format!("{index:064x}");
    let ip = format!("172.20.{}.{}", index / 250, index % 250 + 2);
    json!({
        "ID": id, "Created": "2026-11-27T10:00:00.123456789Z",
        "Addresses": [{"IP": "", "IP6LinkLocal": "", "IP6Global": "", "Port": "8080", "HostPort": "", "Proto": "tcp", "HostIP": ""}],
        "Networks": [{"IP": ip, "Name": "edge", "Aliases": [name], "Gateway": "172.20.0.1", "EndpointID": "e",
                      "IPv6Gateway": "", "GlobalIPv6Address": "", "MacAddress": "02:42:ac:14:00:02",
                      "GlobalIPv6PrefixLen": 0, "IPPrefixLen": 16, "Internal": false}],
        "Devices": [], "Gateway": "", "Name": name, "Hostname": &id[..12], "NetworkMode": "edge",
        "Image": {"Registry": "", "Repository": "example/app", "Tag": "1.0"},
        "Env": {"VIRTUAL_HOST": format!("{name}.example.lan,www.{name}.example.lan"), "VIRTUAL_PORT": "8080",
                "PATH": "/usr/local/bin:/usr/bin:/bin"},
        "Volumes": {}, "Node": {"ID": "", "Name": "", "Address": {"IP": "", "IP6LinkLocal": "", "IP6Global": "", "Port": "", "HostPort": "", "Proto": "", "HostIP": ""}},
        "Labels": {"com.example.role": "app", "com.example.index": index.to_string()},
        "IP": "", "IP6LinkLocal": "", "IP6Global": "", "Mounts": null,
        "State": {"Running": true, "Health": {"Status": if index % 10 == 0 { "unhealthy" } else { "healthy" }}}
    })
}

fn snapshot(dir: &Path, count: usize) -> PathBuf {
    let containers: Vec<Value> = (0..count).map(container).collect();
    let proxy = container(9999);
    let snapshot = json!({
        "Docker": {"Name": "bench", "NumContainers": count, "NumImages": 1, "Version": "27.3.1", "ApiVersion": "1.47",
                   "GoVersion": "go1.22", "OperatingSystem": "linux", "Architecture": "x86_64", "CurrentContainerID": proxy["ID"]},
        "Env": {"DEFAULT_HOST": "app001.example.lan"},
        "CurrentContainer": proxy,
        "Containers": containers,
    });
    let path = dir.join(format!("context-{count}.json"));
    std::fs::write(&path, serde_json::to_string(&snapshot).unwrap()).unwrap();
    path
}

/// User plus system time of all waited-for children so far.
fn children_cpu() -> Duration {
    // SAFETY: getrusage only writes into the struct we pass.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage) };
    let time = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    time(usage.ru_utime) + time(usage.ru_stime)
}

/// Median CPU time of `tinygen <args>` (which must succeed).
fn median_cpu(args: &[&std::ffi::OsStr]) -> Duration {
    let mut cpu = Vec::new();
    for _ in 0..RUNS {
        let before = children_cpu();
        let status = Command::new(env!("CARGO_BIN_EXE_tinygen"))
            .args(args)
            .stdout(Stdio::null())
            .status()
            .expect("tinygen runs");
        cpu.push(children_cpu() - before);
        assert!(status.success(), "tinygen {args:?} failed");
    }
    cpu.sort();
    cpu[RUNS / 2]
}

/// Median CPU of a one-shot render of `template` from `context`.
fn render_cpu(template: &Path, context: &Path) -> Duration {
    let endpoint = std::ffi::OsStr::new("unix:///nonexistent.sock");
    median_cpu(&[
        "-endpoint".as_ref(),
        endpoint,
        "-context".as_ref(),
        context.as_os_str(),
        template.as_os_str(),
    ])
}

/// Median CPU of parsing `template` alone (`-check-template`).
fn parse_cpu(template: &Path) -> Duration {
    median_cpu(&["-check-template".as_ref(), template.as_os_str()])
}

/// The calling thread's CPU time so far.
fn thread_cpu() -> Duration {
    // SAFETY: clock_gettime only writes into the struct we pass.
    let mut now: libc::timespec = unsafe { std::mem::zeroed() };
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut now) };
    Duration::new(now.tv_sec as u64, now.tv_nsec as u32)
}

/// Renders `template` from `context` in-process: the median and the fastest render's CPU
/// time, and how many renders were timed (at least 10, and about a second's worth).
fn render_in_process(template: &Path, context: &Path) -> (Duration, Duration, usize) {
    let prepared = tinygen::bench::Prepared::load(&template.to_string_lossy(), context)
        .unwrap_or_else(|error| panic!("{error}"));
    let once = || {
        let started = thread_cpu();
        let text = prepared.render().unwrap_or_else(|error| panic!("{error}"));
        let spent = thread_cpu() - started;
        drop(text);
        spent
    };
    once();
    let first = once();
    let runs = (Duration::from_secs(1).as_nanos() / first.as_nanos().max(1)).clamp(10, 500);
    let mut times: Vec<Duration> = (0..runs).map(|_| once()).collect();
    times.sort();
    (times[times.len() / 2], times[0], times.len())
}

fn main() {
    let dir = std::env::temp_dir().join(format!("tinygen-bench-render-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let template = std::env::var_os("TINYGEN_BENCH_TEMPLATE")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR")).join("templates/reverse-proxy.tmpl")
        });
    let empty = dir.join("empty.tmpl");
    std::fs::write(&empty, "{{/* nothing */}}").unwrap();
    let ms = |d: Duration| format!("{:.2} ms", d.as_secs_f64() * 1000.0);
    let parse = parse_cpu(&template).saturating_sub(parse_cpu(&empty));
    println!(
        "render benchmark: {} ({RUNS} runs each, medians of user+system CPU)",
        template.display()
    );
    println!(
        "| containers | render (median) | render (fastest) | renders timed | one-shot run | empty-template run | parse |"
    );
    println!("|---:|---:|---:|---:|---:|---:|---:|");
    for count in [50, 500] {
        let context = snapshot(&dir, count);
        let (median, fastest, runs) = render_in_process(&template, &context);
        let whole = render_cpu(&template, &context);
        let base = render_cpu(&empty, &context);
        println!(
            "| {count} | {} | {} | {runs} | {} | {} | {} |",
            ms(median),
            ms(fastest),
            ms(whole),
            ms(base),
            ms(parse),
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}
