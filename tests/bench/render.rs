//! Render-time benchmark (`cargo bench --bench render`): the CPU time tinygen needs to render
//! a template for 50 and 500 synthetic containers, from a context file so no daemon is
//! involved. Prints a table; asserts nothing about speed.
//!
//! The template is our `templates/reverse-proxy.tmpl` unless `TINYGEN_BENCH_TEMPLATE` names
//! another, e.g. nginx-proxy's `nginx.tmpl` (not shipped here). Each figure is the median of
//! the child processes' user+system time over the runs, minus the same for an empty template
//! on the same context (process start, reading and decoding the context).

use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

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

/// Median CPU and wall time of rendering `template` from `context`.
fn measure(template: &Path, context: &Path) -> (Duration, Duration) {
    let mut cpu = Vec::new();
    let mut wall = Vec::new();
    for _ in 0..RUNS {
        let before = children_cpu();
        let started = Instant::now();
        let status = Command::new(env!("CARGO_BIN_EXE_tinygen"))
            .args(["-endpoint", "unix:///nonexistent.sock", "-context"])
            .arg(context)
            .arg(template)
            .stdout(Stdio::null())
            .status()
            .expect("tinygen runs");
        wall.push(started.elapsed());
        cpu.push(children_cpu() - before);
        assert!(status.success(), "tinygen failed on {}", template.display());
    }
    cpu.sort();
    wall.sort();
    (cpu[RUNS / 2], wall[RUNS / 2])
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
    println!(
        "render benchmark: {} ({RUNS} runs each, medians)",
        template.display()
    );
    println!("| containers | process CPU | empty-template CPU | render CPU | wall |");
    println!("|---:|---:|---:|---:|---:|");
    for count in [50, 500] {
        let context = snapshot(&dir, count);
        let (cpu, wall) = measure(&template, &context);
        let (base, _) = measure(&empty, &context);
        let ms = |d: Duration| format!("{:.2} ms", d.as_secs_f64() * 1000.0);
        println!(
            "| {count} | {} | {} | {} | {} |",
            ms(cpu),
            ms(base),
            ms(cpu.saturating_sub(base)),
            ms(wall)
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}
