#!/usr/bin/env python3
"""tinygen's footprint: sizes, memory, CPU per event, API calls per event, latency, idle CPU.

Run through tests/edge/footprint.sh (which builds the binaries first). Prints a Markdown
table. Standard library only. Not a test: it asserts nothing, it measures.

Scenarios for `tinygen -watch` (x86_64-musl build without TLS, templates/hosts.tmpl (Go) and
no -wait):
  fake-0, fake-50, fake-500  a fake Engine API on a Unix socket (this file) serving canned
                             JSON; it counts the API calls
  real-50                    the real daemon on /var/run/docker.sock with 50 busybox
                             containers labelled for this run (removed afterwards)

Per event: the fake daemon adds one container and sends its start event, then removes it
and sends its die event (so the count stays put);
the real daemon stops or starts one of the 50 containers (die+stop or start events). CPU is
utime+stime from /proc/<pid>/stat (10 ms ticks) over all events / number of events seen
(tinygen logs each one). Latency: from the event (push time; the daemon's timeNano for the
real one) to the moment a poller (every 0.2 ms) sees the destination file change. Idle: ticks over 10 s with no events.
"""

import json
import os
import queue
import shutil
import socketserver
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler

TICKS = os.sysconf("SC_CLK_TCK")
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
REAL_SOCKET = "/var/run/docker.sock"
BUSYBOX = "tinygen-test-busybox:latest"
RUNNING = []  # every tinygen started, stopped at exit whatever happens


def container_id(n):
    return "%012x" % (0xB0000000 + n) + "0" * 52


def inspect_json(n):
    cid = container_id(n)
    ip = "10.%d.%d.%d" % (n // 62500 % 250, n // 250 % 250, n % 250 + 2)
    return {
        "Id": cid,
        "Created": "2026-11-27T21:46:14.006048670Z",
        "Name": "/bench-%d" % n,
        "State": {"Running": True, "Status": "running"},
        "Config": {
            "Hostname": cid[:12],
            "Image": "nginx:1.25",
            "Env": ["VIRTUAL_HOST=bench-%d.example" % n, "PATH=/usr/bin"],
            "Labels": {"com.example.bench": "1"},
        },
        "HostConfig": {"NetworkMode": "default"},
        "NetworkSettings": {
            "IPAddress": ip,
            "Ports": {"80/tcp": None},
            "Networks": {"bridge": {"IPAddress": ip, "Gateway": "10.0.0.1", "Aliases": None}},
        },
    }


class FakeState:
    def __init__(self, count):
        self.lock = threading.Lock()
        self.containers = {n: inspect_json(n) for n in range(count)}
        self.requests = 0
        self.streams = []

    def listing(self):
        with self.lock:
            items = list(self.containers.values())
        return [
            {
                "Id": c["Id"],
                "Names": [c["Name"]],
                "Image": c["Config"]["Image"],
                "Labels": c["Config"]["Labels"],
                "State": "running",
                "Status": "Up",
            }
            for c in items
        ]

    def push(self, action, n):
        now = time.time_ns()
        event = {
            "status": action,
            "id": container_id(n),
            "from": "nginx:1.25",
            "Type": "container",
            "Action": action,
            "Actor": {"ID": container_id(n), "Attributes": {"image": "nginx:1.25", "name": "bench-%d" % n}},
            "scope": "local",
            "time": now // 1_000_000_000,
            "timeNano": now,
        }
        line = (json.dumps(event) + "\n").encode()
        with self.lock:
            streams = list(self.streams)
        for stream in streams:
            stream.put(line)
        return now


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    state = None

    def log_message(self, *args):
        pass

    def reply(self, body, status=200):
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Api-Version", "1.41")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def do_HEAD(self):
        self.do_GET()

    def do_POST(self):
        self.do_GET()

    def do_GET(self):
        state = self.state
        path = self.path.split("?", 1)[0]
        if path.startswith("/v1."):
            path = "/" + path.split("/", 2)[2]
        if path != "/events":
            with state.lock:
                state.requests += 1
        if path == "/_ping":
            return self.reply(b"OK")
        if path == "/version":
            return self.reply({"Version": "20.10.24", "ApiVersion": "1.41", "Os": "linux", "Arch": "amd64"})
        if path == "/info":
            return self.reply({"Name": "benchhost", "Containers": len(state.containers), "Images": 1})
        if path == "/networks":
            return self.reply([{"Name": "bridge", "Id": "b" * 64, "Driver": "bridge"}])
        if path == "/containers/json":
            return self.reply(state.listing())
        if path.startswith("/containers/") and path.endswith("/json"):
            cid = path.split("/")[2]
            with state.lock:
                found = [c for c in state.containers.values() if c["Id"] == cid]
            if found:
                return self.reply(found[0])
            return self.reply({"message": "No such container: " + cid}, 404)
        if path == "/events":
            stream = queue.Queue()
            with state.lock:
                state.streams.append(stream)
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Api-Version", "1.41")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            self.wfile.flush()
            try:
                while True:
                    line = stream.get()
                    if line is None:
                        break
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(line), line))
                    self.wfile.flush()
                self.wfile.write(b"0\r\n\r\n")
            except OSError:
                pass
            finally:
                with state.lock:
                    state.streams.remove(stream)
            self.close_connection = True
            return None
        return self.reply({"message": "page not found"}, 404)


class Server(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True


def start_fake(count, directory):
    state = FakeState(count)
    handler = type("BoundHandler", (Handler,), {"state": state})
    path = os.path.join(directory, "fake.sock")
    server = Server(path, handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return state, server, "unix://" + path


def proc_status(pid):
    values = {}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            key, _, rest = line.partition(":")
            if key in ("VmHWM", "VmRSS"):
                values[key] = int(rest.split()[0])
    return values


def cpu_ticks(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime, stime (fields 14, 15)


def wait_for(predicate, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.0005)
    raise RuntimeError("timed out waiting for " + what)


def stamp(path):
    """Inode, size and mtime: file mtimes tick with the kernel's coarse clock (a few ms), so
    two writes in one tick show only in the size or the inode (a rename)."""
    try:
        st = os.stat(path)
        return (st.st_ino, st.st_size, st.st_mtime_ns)
    except FileNotFoundError:
        return None


def wait_changed(path, before, timeout=10):
    """The wall-clock time (ns) at which the file no longer matches `before`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if stamp(path) != before:
            return time.time_ns()
        time.sleep(0.0002)
    raise RuntimeError("timed out waiting for a render of " + path)


def events_seen(log):
    with open(log) as f:
        return sum(1 for line in f if "Received event" in line)


class Tinygen:
    def __init__(self, binary, template, endpoint, workdir, extra=()):
        self.dest = os.path.join(workdir, "hosts")
        self.log = os.path.join(workdir, "tinygen.log")
        env = {k: v for k, v in os.environ.items() if not k.startswith("DOCKER_")}
        self.process = subprocess.Popen(  # stopped by stop(), also on errors (see main)
            [binary, "-watch", "-endpoint", endpoint, *extra, template, self.dest],
            stdout=open(self.log, "w"),
            stderr=subprocess.STDOUT,
            env=env,
        )
        RUNNING.append(self)
        # With no containers the output is empty and, as in docker-gen, no file is written.
        wait_for(
            lambda: "Generated" in open(self.log).read() or "did not change" in open(self.log).read(),
            60,
            "the first render",
        )
        wait_for(lambda: "Watching docker events" in open(self.log).read(), 30, "the events stream")
        time.sleep(0.5)

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def measure_idle(pid, seconds=10):
    before = cpu_ticks(pid)
    time.sleep(seconds)
    return cpu_ticks(pid) - before


def fake_scenario(binary, template, count, events):
    workdir = tempfile.mkdtemp(prefix="tinygen-footprint-")
    state, server, endpoint = start_fake(count, workdir)
    try:
        tg = Tinygen(binary, template, endpoint, workdir)
        pid = tg.process.pid
        startup = proc_status(pid)
        seen_before = events_seen(tg.log)
        with state.lock:
            calls_before = state.requests
        ticks_before = cpu_ticks(pid)
        latencies = []
        for i in range(events):
            # One extra container starts, then dies: the count stays at `count` (+1).
            n = count + i // 2
            before = stamp(tg.dest)
            with state.lock:
                if i % 2 == 0:
                    state.containers[n] = inspect_json(n)
                else:
                    del state.containers[n]
            pushed = state.push("start" if i % 2 == 0 else "die", n)
            changed = wait_changed(tg.dest, before)
            latencies.append((changed - pushed) / 1e6)
        ticks = cpu_ticks(pid) - ticks_before
        seen = events_seen(tg.log) - seen_before
        with state.lock:
            calls = state.requests - calls_before
        idle = measure_idle(pid)
        steady = proc_status(pid)
        tg.stop()
        return {
            "name": "fake, %d" % count,
            "template": os.path.basename(template),
            "containers": count,
            "startup_rss": startup["VmRSS"],
            "peak": steady["VmHWM"],
            "steady": steady["VmRSS"],
            "cpu_ms": ticks * 1000.0 / TICKS / max(seen, 1),
            "events": seen,
            "calls": calls / max(seen, 1),
            "lat": latencies,
            "idle": idle,
        }
    finally:
        server.shutdown()
        with state.lock:
            for stream in state.streams:
                stream.put(None)
        server.server_close()
        shutil.rmtree(workdir, ignore_errors=True)


def docker(*args, check=True):
    result = subprocess.run(
        ["docker", "-H", "unix://" + REAL_SOCKET, *args], capture_output=True, text=True
    )
    if check and result.returncode != 0:
        raise RuntimeError("docker %s: %s" % (" ".join(args), result.stderr.strip()))
    return result.stdout.strip()


class RealEvents:
    """Reads the real daemon's /events for one label and keeps (timeNano, action, id)."""

    def __init__(self, label):
        import socket

        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(REAL_SOCKET)
        filters = json.dumps({"label": [label], "type": ["container"]})
        from urllib.parse import quote

        self.sock.sendall(
            ("GET /events?filters=%s HTTP/1.1\r\nHost: docker\r\n\r\n" % quote(filters)).encode()
        )
        self.events = queue.Queue()
        self.seen = []  # timeNano of the events wait() consumed since the last latest_before()
        threading.Thread(target=self.read, daemon=True).start()

    def read(self):
        buffer = b""
        while True:
            try:
                data = self.sock.recv(65536)
            except OSError:
                return
            if not data:
                return
            buffer += data
            while b"\n" in buffer:
                line, buffer = buffer.split(b"\n", 1)
                line = line.strip()
                if line.startswith(b"{"):
                    event = json.loads(line)
                    self.events.put((event.get("timeNano", 0), event.get("Action"), event.get("id")))

    def wait(self, action, timeout=30):
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise RuntimeError("no %s event" % action)
            nano, got, rest = self.events.get(timeout=left)
            self.seen.append(nano)
            if got == action:
                return nano

    def latest_before(self, moment):
        """Consumes the queued events; the newest timeNano not after `moment`."""
        latest = max([nano for nano in self.seen if nano <= moment], default=0)
        self.seen = []
        while True:
            try:
                nano, _, _ = self.events.get_nowait()
            except queue.Empty:
                break
            if nano <= moment:
                latest = max(latest, nano)
        if not latest:
            raise RuntimeError("no event before the change")
        return latest

    def close(self):
        self.sock.close()


class RealContainers:
    """`count` busybox containers on the real daemon, labelled for this run; removed by close()."""

    def __init__(self, count):
        run = "footprint-%d" % os.getpid()
        self.label = "tinygen.bench=" + run
        self.names = ["tinygen-bench-%s-%d" % (run, i) for i in range(count)]
        if subprocess.run(["docker", "image", "inspect", BUSYBOX], capture_output=True).returncode:
            raise RuntimeError("image %s is missing (tests/edge/build-musl.sh builds it)" % BUSYBOX)
        try:
            ids = [
                docker("create", "--name", name, "--label", self.label, BUSYBOX, "sleep", "3600")
                for name in self.names
            ]
            docker("start", *ids)
        except Exception:
            self.close()
            raise

    def close(self):
        leftovers = docker("ps", "-aq", "--filter", "label=" + self.label, check=False).split()
        if leftovers:
            docker("rm", "-f", *leftovers, check=False)


def real_scenario(binary, template, containers, cycles):
    label, count = containers.label, len(containers.names)
    workdir = tempfile.mkdtemp(prefix="tinygen-footprint-")
    try:
        tg = Tinygen(binary, template, "unix://" + REAL_SOCKET, workdir, ["-container-filter", "label=" + label])
        pid = tg.process.pid
        startup = proc_status(pid)
        events = RealEvents(label)
        time.sleep(0.3)
        seen_before = events_seen(tg.log)
        ticks_before = cpu_ticks(pid)
        latencies = []
        victim = containers.names[0]
        for _ in range(cycles):
            for command, action in (("stop", "die"), ("start", "start")):
                before = stamp(tg.dest)
                args = ["stop", "-t", "0", victim] if command == "stop" else ["start", victim]
                docker(*args)
                events.wait(action)
                changed = wait_changed(tg.dest, before)
                # The daemon's listing can still show a container as running at its `die`
                # event; the render that changes the file follows a later event (`stop`).
                # Latency counts from the last event before the change.
                time.sleep(0.2)
                latest = events.latest_before(changed)
                latencies.append((changed - latest) / 1e6)
        time.sleep(0.5)
        ticks = cpu_ticks(pid) - ticks_before
        seen = events_seen(tg.log) - seen_before
        events.close()
        idle = measure_idle(pid)
        steady = proc_status(pid)
        tg.stop()
        return {
            "name": "real, %d" % count,
            "template": os.path.basename(template),
            "containers": count,
            "startup_rss": startup["VmRSS"],
            "peak": steady["VmHWM"],
            "steady": steady["VmRSS"],
            "cpu_ms": ticks * 1000.0 / TICKS / max(seen, 1),
            "events": seen,
            "calls": None,
            "lat": latencies,
            "idle": idle,
        }
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def percentile(values, p):
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, int(round(p / 100.0 * len(ordered) + 0.5)) - 1))
    return ordered[index]


def main():
    dist = sys.argv[1]
    binary = os.path.join(dist, "x86_64-unknown-linux-musl", "tinygen")
    print("## tinygen footprint")
    print()
    cpu = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    print("Measured %s UTC on %s (%s, %d cores, load average %.1f when it started), tinygen %s." % (
        time.strftime("%Y-%m-%d %H:%M", time.gmtime()), os.uname().machine, cpu, os.cpu_count(),
        os.getloadavg()[0],
        subprocess.run([binary, "-version"], capture_output=True, text=True).stdout.strip()))
    print()
    print("| binary (stripped, static musl) | size |")
    print("|---|---|")
    builds = (("", "no TLS"), ("-tls", "TLS"),
              ("-minimal", "no TLS, minimal"), ("-minimal-tls", "TLS, minimal"))
    for target in ("x86_64-unknown-linux-musl", "aarch64-unknown-linux-musl",
                   "armv7-unknown-linux-musleabihf", "arm-unknown-linux-musleabi"):
        for suffix, what in builds:
            path = os.path.join(dist, target + suffix, "tinygen")
            if os.path.exists(path):
                size = os.path.getsize(path)
                print("| %s, %s | %d bytes (%.2f MiB) |" % (target, what, size, size / 1048576.0))
    print()
    sys.stdout.flush()

    results = []
    templates = [os.path.join(ROOT, "templates", name) for name in ("hosts.tmpl", "hosts.tt")]
    for template in templates:
        for count in (0, 50, 500):
            results.append(fake_scenario(binary, template, count, 60))
            print("measured %s with %d containers (fake daemon)" % (os.path.basename(template), count), file=sys.stderr)
    if os.path.exists(REAL_SOCKET):
        try:
            containers = RealContainers(50)
            try:
                for template in templates:
                    results.append(real_scenario(binary, template, containers, 10))
                    print("measured %s with 50 containers (real daemon)" % os.path.basename(template), file=sys.stderr)
            finally:
                containers.close()
        except Exception as error:  # the table still prints the fake-daemon rows
            print("real-daemon scenario failed: %s" % error, file=sys.stderr)
    print("`tinygen -watch` (x86_64-musl, no TLS, no -wait); hosts.tmpl is the Go template dialect,")
    print("hosts.tt the tinytemplate one; both render the same hosts lines:")
    print()
    print("| template | daemon, containers | RSS after start | peak RSS (VmHWM) | steady RSS (VmRSS) "
          "| CPU per event | API calls per event | event→file median | p99 | idle CPU, 10 s |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r in results:
        lat = r["lat"]
        print("| %s | %s | %.1f MiB | %.1f MiB | %.1f MiB | %.2f ms (%d events) | %s | %.2f ms | %.2f ms (n=%d) | %d ticks |" % (
            r["template"], r["name"], r["startup_rss"] / 1024.0, r["peak"] / 1024.0, r["steady"] / 1024.0,
            r["cpu_ms"], r["events"], "%.1f" % r["calls"] if r["calls"] is not None else "n/a",
            statistics.median(lat), percentile(lat, 99), len(lat), r["idle"]))


if __name__ == "__main__":
    try:
        main()
    finally:
        for tinygen in RUNNING:
            tinygen.stop()
