#!/usr/bin/env bash
# tinygen's footprint benchmark: prints a Markdown table of binary sizes (x86_64 and aarch64
# musl, with and without TLS, stable and minimal; armv7 and ARMv6 minimal) and, for
# `tinygen -watch` with 0, 50 and 500 containers (fake daemon) and 50 containers (real
# daemon), peak and steady RSS, CPU per event, API calls per event, event-to-file latency
# (median, p99) and CPU over 10 idle seconds.
#
# Usage: tests/edge/footprint.sh [--rebuild]
#
# Builds the static binaries with tests/edge/build-musl.sh [--minimal] --no-qemu when they
# are missing (several minutes each) or with --rebuild; the measurements themselves take
# about 2 minutes. Needs python3 (standard library only), and for the real-daemon row a
# Docker daemon on /var/run/docker.sock with the image tinygen-test-busybox:latest; its 50
# containers are labelled tinygen.bench=<run> and removed afterwards. Not run by CI: it
# measures, it does not assert.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
target_dir=${CARGO_TARGET_DIR:-$root/target}
dist=${TINYGEN_DIST:-$target_dir/edge-dist}
if [ "${1:-}" = "--rebuild" ] || [ ! -x "$dist/x86_64-unknown-linux-musl/tinygen" ]; then
    TINYGEN_DIST=$dist "$root/tests/edge/build-musl.sh" --no-qemu >&2
fi
# The minimal builds need the nightly toolchain with rust-src; without it they are left out
# of the size table.
if [ "${1:-}" = "--rebuild" ] || [ ! -x "$dist/x86_64-unknown-linux-musl-minimal/tinygen" ]; then
    if rustup run "${TINYGEN_NIGHTLY:-nightly}" rustc --version >/dev/null 2>&1; then
        TINYGEN_DIST=$dist "$root/tests/edge/build-musl.sh" --minimal --no-qemu >&2
    else
        echo "no nightly toolchain: the minimal builds are left out" >&2
    fi
fi
exec python3 "$root/tests/edge/footprint.py" "$dist"
