#!/usr/bin/env bash
# Runs tests/edge/init/tinygen.openrc under Debian's real OpenRC (openrc-run and
# supervise-daemon 0.45) against the real Docker daemon, in a throwaway chroot inside a
# private mount namespace: start, status, reload (SIGHUP: a changed template is rendered
# again, same pid), kill -9 (supervise-daemon starts a new tinygen), stop (nothing left),
# and a start without TINYGEN_ARGS (refused).
#
# Usage (as root): tests/edge/init/openrc-check.sh <tinygen binary>
# Exit status: 0 when every step passed, 77 when something it needs is missing (the message
# says what), anything else when a step failed.
#
# Needs: unshare and chroot (util-linux, coreutils), the docker CLI and a daemon on
# /var/run/docker.sock with the image tinygen-test-busybox:latest, and the .debs of openrc,
# librc1 and libeinfo1: fetched with `apt-get download` into a temporary directory unless
# $TINYGEN_OPENRC_DEBS names a directory holding them. Nothing is installed on the host:
# the debs are unpacked with `dpkg -x` into the chroot, whose /usr is the host's (read
# only) and whose /run and /tmp are tmpfs of the namespace. One container labelled
# tinygen.openrc=<run> is started and removed again.
set -euo pipefail

if [ "${1:-}" = "--inside" ]; then
    shift
    inside=1
else
    inside=0
fi
binary=${1:?usage: openrc-check.sh <tinygen binary>}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../../.." && pwd)

fail() {
    echo "openrc-check: $*" >&2
    exit 1
}

missing() {
    echo "openrc-check: cannot run: $*" >&2
    exit 77
}

if [ "$inside" = 0 ]; then
    [ "$(id -u)" = 0 ] || missing "needs root (chroot, mounts)"
    for tool in unshare chroot dpkg docker pgrep; do
        command -v "$tool" >/dev/null || missing "$tool not found"
    done
    docker image inspect tinygen-test-busybox:latest >/dev/null 2>&1 ||
        missing "no Docker daemon with the image tinygen-test-busybox:latest"
    binary=$(cd "$(dirname "$binary")" && pwd)/$(basename "$binary")
    [ -x "$binary" ] || fail "$binary is not executable"
    work=$(mktemp -d "${TMPDIR:-/tmp}/tinygen-openrc.XXXXXX")
    run="openrc-$$"
    container=""
    cleanup() {
        # Whatever a failed run left running was started by this check: its command line
        # holds the run's unique name.
        local pid
        for pid in $(pgrep -f -- "label=tinygen.openrc=$run " || true); do
            kill -KILL "$pid" 2>/dev/null || true
        done
        [ -n "$container" ] && docker rm -f "$container" >/dev/null 2>&1
        rm -rf "$work"
    }
    trap cleanup EXIT
    debs=${TINYGEN_OPENRC_DEBS:-}
    if [ -z "$debs" ]; then
        debs="$work/debs"
        mkdir -p "$debs"
        (cd "$debs" && apt-get download -q openrc librc1 libeinfo1 >&2) ||
            missing "apt-get download openrc librc1 libeinfo1 failed"
    fi
    for package in openrc librc1 libeinfo1; do
        deb=$(ls "$debs/${package}"_*.deb 2>/dev/null | head -n1)
        [ -n "$deb" ] || missing "no ${package}_*.deb in $debs"
        dpkg -x "$deb" "$work/pkg"
    done
    container=tinygen-$run
    docker run -d --name "$container" --label "tinygen.openrc=$run" \
        tinygen-test-busybox:latest sleep 600 >/dev/null
    TINYGEN_OPENRC_WORK=$work TINYGEN_OPENRC_RUN=$run \
        unshare --mount --propagation private "$0" --inside "$binary"
    echo "openrc-check: all steps passed"
    exit 0
fi

# Inside the private mount namespace: the mounts below vanish with it.
work=${TINYGEN_OPENRC_WORK:?}
run=${TINYGEN_OPENRC_RUN:?}
R=$work/chroot
mkdir -p "$R"
cd "$R"
mkdir -p usr dev proc run tmp sbin etc/init.d etc/conf.d var/log var/run lib/x86_64-linux-gnu
ln -s usr/bin bin
ln -s usr/lib64 lib64
mount --bind -o ro /usr usr
mount --bind /dev dev
mount -t proc proc proc
mount -t tmpfs tmpfs run
mount -t tmpfs tmpfs tmp
# The chroot's /lib is its own: OpenRC's /lib/rc and its two libraries, plus links to the
# host's libraries (the dynamic loader looks in /lib/<triple> first).
ln -s /usr/lib/x86_64-linux-gnu/* lib/x86_64-linux-gnu/
cp -a "$work/pkg/lib/x86_64-linux-gnu/." lib/x86_64-linux-gnu/
cp -a "$work/pkg/lib/rc" lib/rc
cp -a "$work/pkg/sbin/." sbin/
cp -a "$work/pkg/etc/." etc/
cp /etc/passwd /etc/group etc/
touch etc/insserv.conf
# The state OpenRC makes at boot.
for dir in starting started stopping inactive wasinactive failed hotplugged daemons options \
    exclusive scheduled tmp; do
    mkdir -p "run/openrc/$dir"
done
echo default >run/openrc/softlevel
touch var/run/docker.sock
mount --bind /var/run/docker.sock var/run/docker.sock

cp "$binary" tinygen
install -m 0755 "$root/tests/edge/init/tinygen.openrc" etc/init.d/tinygen
# `need localmount`: a stub that only starts.
printf '#!/sbin/openrc-run\ndescription="stub"\nstart() { return 0; }\n' >etc/init.d/localmount
chmod 0755 etc/init.d/localmount
printf '{{ range $ }}%s {{ .Name }}\n{{ end }}' v1 >tmp/hosts.tmpl
cat >etc/conf.d/tinygen <<EOF
TINYGEN_BIN=/tinygen
TINYGEN_ARGS="-watch -endpoint unix:///var/run/docker.sock -container-filter label=tinygen.openrc=$run /tmp/hosts.tmpl /tmp/hosts"
TINYGEN_RESPAWN_DELAY=1
EOF

service() {
    chroot "$R" /usr/bin/env -i PATH=/sbin:/usr/sbin:/usr/bin /sbin/openrc-run /etc/init.d/tinygen "$@" 2>&1 |
        grep -v '^scandir: No such file or directory$'
    return "${PIPESTATUS[0]}"
}

tinygen_pid() {
    pgrep -f -- "^/tinygen -watch .*label=tinygen.openrc=$run " || true
}

wait_for() {
    local what=$1 i
    shift
    for i in $(seq 1 50); do
        if "$@"; then
            return 0
        fi
        sleep 0.2
    done
    fail "$what did not happen within 10 s"
}

hosts_has() { grep -qx "$1 tinygen-$run" tmp/hosts 2>/dev/null; }

echo "==> start"
service start || fail "start failed"
wait_for "the first render" hosts_has v1
pid=$(tinygen_pid)
[ -n "$pid" ] || fail "no tinygen process after start"
grep -q "^PPid:[[:space:]]*$(pgrep -f -- "^supervise-daemon tinygen .*label=tinygen.openrc=$run ")\$" "/proc/$pid/status" ||
    fail "tinygen (pid $pid) is not supervise-daemon's child"
echo "  tinygen pid $pid under supervise-daemon; /tmp/hosts: $(cat tmp/hosts)"

echo "==> status"
[[ "$(service status)" == *'status: started'* ]] || fail "status does not say started"

echo "==> reload"
printf '{{ range $ }}%s {{ .Name }}\n{{ end }}' v2 >tmp/hosts.tmpl
service reload || fail "reload failed"
wait_for "the render after reload" hosts_has v2
[ "$(tinygen_pid)" = "$pid" ] || fail "reload restarted tinygen"
echo "  same pid, /tmp/hosts: $(cat tmp/hosts)"

echo "==> kill -9"
kill -KILL "$pid"
new_pid() { local now; now=$(tinygen_pid); [ -n "$now" ] && [ "$now" != "$pid" ]; }
wait_for "a respawn" new_pid
echo "  respawned as pid $(tinygen_pid)"
[[ "$(service status)" == *'status: started'* ]] || fail "status after the respawn is not started"

echo "==> stop"
service stop || fail "stop failed"
gone() { [ -z "$(tinygen_pid)" ] && ! pgrep -f -- "^supervise-daemon tinygen .*label=tinygen.openrc=$run " >/dev/null; }
wait_for "the end of tinygen and supervise-daemon" gone
service status >/dev/null && fail "status after stop is not 'stopped'"
echo "  no tinygen, no supervise-daemon left"

echo "==> start without TINYGEN_ARGS"
echo 'TINYGEN_BIN=/tinygen' >etc/conf.d/tinygen
if service start >"$work/refused" 2>&1; then
    fail "start without TINYGEN_ARGS succeeded"
fi
grep -q 'set TINYGEN_ARGS' "$work/refused" || fail "no hint to set TINYGEN_ARGS: $(cat "$work/refused")"
[ -z "$(tinygen_pid)" ] || fail "a tinygen runs after the refused start"
echo "  refused: $(grep 'TINYGEN_ARGS' "$work/refused")"
