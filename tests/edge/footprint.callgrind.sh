#!/usr/bin/env bash
# Instructions per watch-mode event, counted by callgrind: deterministic where footprint.py's
# CPU ticks are coarse and move with the machine's load.
#
# Usage: tests/edge/footprint.callgrind.sh [BINARY] [CYCLES] [TEMPLATE]
#
# Builds a release binary with symbols and without LTO (the size profile otherwise) when no
# BINARY is given, starts 50 busybox containers labelled tinygen.callgrind=<pid> on the real
# daemon (/var/run/docker.sock, image tinygen-test-busybox:latest), runs `tinygen -watch`
# on them under callgrind, zeroes the counts once the events stream is connected, stops and
# starts one container CYCLES times (default 10), and prints the instructions per event
# (callgrind's total over the events tinygen logged). The containers are removed afterwards;
# the profile stays in $CARGO_TARGET_DIR (default target/) as footprint.callgrind.out for
# callgrind_annotate. Needs valgrind. Not run by CI: it measures, it does not assert.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
target_dir=${CARGO_TARGET_DIR:-$root/target}
binary=${1:-}
cycles=${2:-10}
template=${3:-$root/templates/hosts.tmpl}
if [ -z "$binary" ]; then
    (cd "$root" && CARGO_TARGET_DIR=$target_dir CARGO_PROFILE_RELEASE_LTO=false \
        CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 CARGO_PROFILE_RELEASE_DEBUG=1 \
        CARGO_PROFILE_RELEASE_STRIP=false cargo build --release --no-default-features >&2)
    binary=$target_dir/release/tinygen
fi
out=$target_dir/footprint.callgrind.out
label=tinygen.callgrind=$$
work=$(mktemp -d)
pid=
cleanup() {
    [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
    ids=$(docker ps -aq --filter "label=$label")
    [ -n "$ids" ] && docker rm -f $ids >/dev/null
    rm -rf "$work"
}
trap cleanup EXIT
for i in $(seq 0 49); do
    docker create --name "tinygen-callgrind-$$-$i" --label "$label" \
        tinygen-test-busybox:latest sleep 3600 >/dev/null
done
docker start $(docker ps -aq --filter "label=$label") >/dev/null
env -u DOCKER_HOST valgrind --tool=callgrind --callgrind-out-file="$out" "$binary" -watch \
    -endpoint unix:///var/run/docker.sock -container-filter "label=$label" \
    "$template" "$work/out" >"$work/log" 2>&1 &
pid=$!
for _ in $(seq 600); do
    grep -q "Watching docker events" "$work/log" && break
    sleep 0.1
done
sleep 1
callgrind_control -z "$pid" >/dev/null 2>&1
before=$(grep -c "Received event" "$work/log" || true)
for _ in $(seq "$cycles"); do
    docker stop -t 0 "tinygen-callgrind-$$-0" >/dev/null
    sleep 0.7
    docker start "tinygen-callgrind-$$-0" >/dev/null
    sleep 0.7
done
sleep 1
events=$(($(grep -c "Received event" "$work/log" || true) - before))
kill -TERM "$pid"
wait "$pid" || true
pid=
total=$(callgrind_annotate "$out" 2>/dev/null | awk '/PROGRAM TOTALS/ { gsub(",", "", $1); print $1; exit }')
echo "$events events, $total instructions, $((total / (events > 0 ? events : 1))) per event ($(basename "$template"), 50 containers)"
