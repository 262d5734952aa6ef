#!/usr/bin/env bash
# Builds tinygen as static musl binaries for x86_64 and aarch64, with and without the `tls`
# feature, checks that each is statically linked, runs the aarch64 build under
# qemu-aarch64-static (-version, -help, a one-shot render against the real Docker daemon)
# and prints a size table.
#
# Usage: tests/edge/build-musl.sh [--no-qemu]
#
# Output: $TINYGEN_DIST (default $CARGO_TARGET_DIR/edge-dist, else target/edge-dist) holds
#   <target>/tinygen        without TLS (--no-default-features)
#   <target>-tls/tinygen    with TLS (default features)
#
# Needs: rustup targets x86_64-unknown-linux-musl and aarch64-unknown-linux-musl, `file`,
# and for the TLS builds (ring compiles C): gcc for x86_64, clang + llvm-ar for aarch64; for
# the qemu run: Debian's qemu-user-static and a Docker daemon on /var/run/docker.sock with
# the image tinygen-test-busybox:latest (built here from Debian's static busybox if absent).
# No .cargo/config is used: the aarch64 linker (rust-lld, shipped with rustup's toolchain)
# and the C compilers are set through environment variables for this script only.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"
target_dir=${CARGO_TARGET_DIR:-$root/target}
export CARGO_TARGET_DIR=$target_dir
dist=${TINYGEN_DIST:-$target_dir/edge-dist}
run_qemu=1
[ "${1:-}" = "--no-qemu" ] && run_qemu=0

targets=(x86_64-unknown-linux-musl aarch64-unknown-linux-musl)

# aarch64: rust-lld links against the self-contained musl CRT and libc that rustup ships
# with the target, so no cross gcc is needed for the Rust part.
export CARGO_TARGET_AARCH64_UNKNOWN_LINUX_MUSL_LINKER=rust-lld
# ring's C and assembly parts: gcc on x86_64 (the glibc headers it sees are only used for
# declarations ring does not call into libc for), clang with --target for aarch64.
export CC_x86_64_unknown_linux_musl=${CC_x86_64_unknown_linux_musl:-gcc}
export CC_aarch64_unknown_linux_musl=${CC_aarch64_unknown_linux_musl:-clang}
export AR_aarch64_unknown_linux_musl=${AR_aarch64_unknown_linux_musl:-llvm-ar}

installed=$(rustup target list --installed)
for target in "${targets[@]}"; do
    if ! grep -qx "$target" <<<"$installed"; then
        echo "rust target $target is not installed: run rustup target add $target" >&2
        exit 1
    fi
done

static_check() {
    local bin=$1 description
    description=$(file -b "$bin")
    case "$description" in
    *"dynamically linked"* | *interpreter*)
        echo "$bin is not static: $description" >&2
        return 1
        ;;
    *"statically linked"* | *"static-pie linked"*)
        echo "  $description"
        ;;
    *)
        echo "$bin: unexpected file(1) description: $description" >&2
        return 1
        ;;
    esac
}

mkdir -p "$dist"
for target in "${targets[@]}"; do
    for variant in notls tls; do
        if [ "$variant" = tls ]; then
            features=()
            out="$dist/$target-tls"
        else
            features=(--no-default-features)
            out="$dist/$target"
        fi
        echo "==> cargo build --release --target $target ${features[*]:-}"
        cargo build --release --locked --target "$target" "${features[@]}"
        mkdir -p "$out"
        cp --remove-destination "$target_dir/$target/release/tinygen" "$out/tinygen"
        static_check "$out/tinygen"
    done
done

if [ "$run_qemu" = 1 ]; then
    qemu=$(command -v qemu-aarch64-static || true)
    if [ -z "$qemu" ]; then
        echo "qemu-aarch64-static not found: apt-get install -y qemu-user-static" >&2
        exit 1
    fi
    for variant in aarch64-unknown-linux-musl aarch64-unknown-linux-musl-tls; do
        bin="$dist/$variant/tinygen"
        echo "==> qemu-aarch64-static $variant/tinygen -version / -help"
        version=$("$qemu" "$bin" -version)
        [ "$version" = "$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n1)" ] || {
            echo "unexpected -version output: $version" >&2
            exit 1
        }
        echo "  -version: $version"
        "$qemu" "$bin" -help 2>&1 | grep -q -- '-notify-sighup' || {
            echo "-help does not list -notify-sighup" >&2
            exit 1
        }
        echo "  -help: lists the flags"
    done

    echo "==> one-shot render under qemu against /var/run/docker.sock"
    image=tinygen-test-busybox:latest
    if ! docker image inspect "$image" >/dev/null 2>&1; then
        context=$(mktemp -d)
        cp /bin/busybox "$context/busybox"
        printf '%s\n' 'FROM scratch' 'COPY busybox /bin/busybox' \
            'RUN ["/bin/busybox", "--install", "-s", "/bin"]' 'CMD ["/bin/sh"]' >"$context/Dockerfile"
        DOCKER_BUILDKIT=0 docker build -q -t "$image" "$context" >/dev/null
        rm -rf "$context"
    fi
    name="tinygen-edge-qemu-$$"
    work=$(mktemp -d)
    cleanup() {
        docker rm -f "$name" >/dev/null 2>&1 || true
        rm -rf "$work"
    }
    trap cleanup EXIT
    docker run -d --name "$name" --label "tinygen.edge=$name" "$image" sleep 600 >/dev/null
    for variant in aarch64-unknown-linux-musl aarch64-unknown-linux-musl-tls; do
        out="$work/hosts-$variant"
        env -u DOCKER_HOST "$qemu" "$dist/$variant/tinygen" -endpoint unix:///var/run/docker.sock \
            -container-filter "label=tinygen.edge=$name" templates/hosts.tt "$out"
        if ! grep -q "[[:space:]]$name " "$out"; then
            echo "$variant: the rendered file does not name $name:" >&2
            cat "$out" >&2
            exit 1
        fi
        echo "  $variant: $(cat "$out")"
    done
fi

echo
echo "==> sizes (release profile: opt-level z, LTO, panic=abort, stripped)"
printf '%-34s %10s %8s\n' target bytes MiB
for target in "${targets[@]}"; do
    for variant in "$target" "$target-tls"; do
        size=$(stat -c %s "$dist/$variant/tinygen")
        printf '%-34s %10d %8s\n' "$variant" "$size" "$(awk -v s="$size" 'BEGIN { printf "%.2f", s / 1048576 }')"
    done
done
