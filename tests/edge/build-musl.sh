#!/usr/bin/env bash
# Builds tinygen as static musl binaries, with and without the `tls` feature, checks that
# each is statically linked, runs the ARM builds under qemu-user with the oldest CPU of
# their class (-version, -help, a one-shot render against the real Docker daemon) and prints
# a size table.
#
# Usage: tests/edge/build-musl.sh [--minimal] [--no-qemu]
#
#   (default)  the stable toolchain and the release profile: x86_64 and aarch64 musl.
#   --minimal  the nightly toolchain rebuilds the standard library for size (-Zbuild-std)
#              with -Cpanic=immediate-abort: no panic message, no backtrace code (about a
#              third of the stable binary). x86_64, aarch64, armv7 (musleabihf) and ARMv6
#              (arm-...-musleabi). Fails when a build without TLS is not under
#              $TINYGEN_MINIMAL_BUDGET bytes (default 1,500,000).
#
# Output: $TINYGEN_DIST (default $CARGO_TARGET_DIR/edge-dist, else target/edge-dist) holds
#   <target>/tinygen              stable, without TLS (--no-default-features)
#   <target>-tls/tinygen          stable, with TLS (default features)
#   <target>-minimal/tinygen      --minimal, without TLS
#   <target>-minimal-tls/tinygen  --minimal, with TLS
#
# Needs: `file`; stable: rustup targets x86_64-unknown-linux-musl and
# aarch64-unknown-linux-musl. --minimal also: the nightly toolchain with rust-src (rustup
# component add rust-src --toolchain nightly; no nightly target is needed: the standard
# library is compiled from source and linked against the C runtime that
# tests/edge/musl-libs.sh gathers, from the stable targets for x86_64 and aarch64 and from
# Debian's musl-dev:armhf/armel for the 32-bit ARM targets). TLS builds (ring compiles C):
# gcc for x86_64, clang + llvm-ar for the ARM targets. qemu run: Debian's qemu-user-static
# and a Docker daemon on /var/run/docker.sock with the image tinygen-test-busybox:latest
# (built here from Debian's static busybox if absent).
# Linkers, flags and C compilers are environment variables and --config values of this
# script only; Cargo joins the --config rustflags with those of the project's
# .cargo/config.toml (the inline threshold, and target-cpu k8 for x86_64).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"
target_dir=${CARGO_TARGET_DIR:-$root/target}
export CARGO_TARGET_DIR=$target_dir
dist=${TINYGEN_DIST:-$target_dir/edge-dist}
run_qemu=1
minimal=0
for arg in "$@"; do
    case "$arg" in
    --no-qemu) run_qemu=0 ;;
    --minimal) minimal=1 ;;
    *)
        echo "usage: $0 [--minimal] [--no-qemu]" >&2
        exit 2
        ;;
    esac
done
nightly=${TINYGEN_NIGHTLY:-nightly}
budget=${TINYGEN_MINIMAL_BUDGET:-1500000}

if [ "$minimal" = 1 ]; then
    targets=(x86_64-unknown-linux-musl aarch64-unknown-linux-musl armv7-unknown-linux-musleabihf arm-unknown-linux-musleabi)
    suffix=-minimal
else
    targets=(x86_64-unknown-linux-musl aarch64-unknown-linux-musl)
    suffix=""
fi

# ARM targets: rust-lld (shipped with every rustup toolchain) links against the musl C
# runtime, so no cross gcc is needed for the Rust part.
export CARGO_TARGET_AARCH64_UNKNOWN_LINUX_MUSL_LINKER=rust-lld
export CARGO_TARGET_ARMV7_UNKNOWN_LINUX_MUSLEABIHF_LINKER=rust-lld
export CARGO_TARGET_ARM_UNKNOWN_LINUX_MUSLEABI_LINKER=rust-lld
# ring's C and assembly parts: gcc on x86_64 (the glibc headers it sees are only used for
# declarations ring does not call into libc for), clang with --target for the ARM targets.
export CC_x86_64_unknown_linux_musl=${CC_x86_64_unknown_linux_musl:-gcc}
for triple in aarch64_unknown_linux_musl armv7_unknown_linux_musleabihf arm_unknown_linux_musleabi; do
    cc_var=CC_$triple ar_var=AR_$triple
    export "$cc_var=${!cc_var:-clang}" "$ar_var=${!ar_var:-llvm-ar}"
done
# clang's default for arm-unknown-linux-musleabi is ARMv4T, which cannot assemble ring's
# ARM code (ldrd); the Rust target is ARMv6 with the soft-float ABI.
export CFLAGS_arm_unknown_linux_musleabi=${CFLAGS_arm_unknown_linux_musleabi:--march=armv6 -mfloat-abi=soft}

if [ "$minimal" = 1 ]; then
    if ! rustup run "$nightly" rustc --version >/dev/null 2>&1; then
        echo "no $nightly toolchain: rustup toolchain install $nightly" >&2
        exit 1
    fi
    if [ ! -d "$(rustup run "$nightly" rustc --print sysroot)/lib/rustlib/src/rust/library/std" ]; then
        echo "the $nightly toolchain has no rust-src: rustup component add rust-src --toolchain $nightly" >&2
        exit 1
    fi
else
    installed=$(rustup target list --installed)
    for target in "${targets[@]}"; do
        if ! grep -qx "$target" <<<"$installed"; then
            echo "rust target $target is not installed: run rustup target add $target" >&2
            exit 1
        fi
    done
fi

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

qemu_for() {
    case "$1" in
    aarch64-*) echo qemu-aarch64-static ;;
    arm*) echo qemu-arm-static ;;
    *) echo "" ;;
    esac
}

# The oldest CPU each target must run on: qemu's default CPU has every extension and would
# hide instructions the real hardware lacks.
cpu_for() {
    case "$1" in
    aarch64-*) echo cortex-a53 ;;   # Raspberry Pi 3
    armv7-*) echo cortex-a7 ;;      # Raspberry Pi 2, OpenWrt ipq40xx
    arm-*) echo arm1176 ;;          # Raspberry Pi 1 and Zero (ARMv6)
    esac
}

# The flags of a minimal build for one target, as a --config value. -L native: rustc takes
# crt1.o & co. from there when its sysroot has none for the target (the nightly toolchain
# needs no rust-std for it), and the libc and unwind crates find libc.a and libunwind.a there.
minimal_config() {
    local target=$1 libs
    libs=$(tests/edge/musl-libs.sh "$target")
    printf 'target.%s.rustflags=["-Zunstable-options", "-Cpanic=immediate-abort", "-Lnative=%s"]' \
        "$target" "$libs"
}

mkdir -p "$dist"
variants=()
for tls in no yes; do
    if [ "$tls" = yes ]; then
        features=()
        tail=-tls
    else
        features=(--no-default-features)
        tail=""
    fi
    if [ "$minimal" = 1 ]; then
        # One cargo run for all targets: the host's build scripts and proc-macros are built
        # once, and one target's LTO overlaps another's compilation.
        args=()
        for target in "${targets[@]}"; do
            args+=(--target "$target" --config "$(minimal_config "$target")")
        done
        echo "==> cargo +$nightly build --release ${features[*]:-} -Zbuild-std (panic=immediate-abort, optimize_for_size) for ${targets[*]}"
        # optimize_for_size: the standard library picks its smaller algorithms
        # (-8.7 % on x86_64 without TLS, measured 2026-11-28).
        cargo "+$nightly" build --release --locked "${features[@]}" "${args[@]}" \
            -Zbuild-std=std,panic_abort -Zbuild-std-features=optimize_for_size
    else
        for target in "${targets[@]}"; do
            echo "==> cargo build --release --target $target ${features[*]:-}"
            cargo build --release --locked --target "$target" "${features[@]}"
        done
    fi
    for target in "${targets[@]}"; do
        name="$target$suffix$tail"
        out="$dist/$name"
        mkdir -p "$out"
        cp --remove-destination "$target_dir/$target/release/tinygen" "$out/tinygen"
        echo "$name/tinygen:"
        static_check "$out/tinygen"
        if [ "$minimal" = 1 ] && [ "$tls" = no ]; then
            size=$(stat -c %s "$out/tinygen")
            if [ "$size" -ge "$budget" ]; then
                echo "$name/tinygen is $size bytes, not under the budget of $budget bytes" >&2
                exit 1
            fi
        fi
        variants+=("$name")
    done
done

if [ "$run_qemu" = 1 ]; then
    version_expected=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n1)
    for variant in "${variants[@]}"; do
        qemu=$(qemu_for "$variant")
        [ -n "$qemu" ] || continue
        if ! command -v "$qemu" >/dev/null; then
            echo "$qemu not found: apt-get install -y qemu-user-static" >&2
            exit 1
        fi
        cpu=$(cpu_for "$variant")
        bin="$dist/$variant/tinygen"
        echo "==> $qemu -cpu $cpu $variant/tinygen -version / -help"
        version=$("$qemu" -cpu "$cpu" "$bin" -version)
        [ "$version" = "$version_expected" ] || {
            echo "unexpected -version output: $version" >&2
            exit 1
        }
        echo "  -version: $version"
        help=$("$qemu" -cpu "$cpu" "$bin" -help 2>&1 || true)
        grep -q -- '-notify-sighup' <<<"$help" || {
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
    for variant in "${variants[@]}"; do
        qemu=$(qemu_for "$variant")
        [ -n "$qemu" ] || continue
        out="$work/hosts-$variant"
        env -u DOCKER_HOST "$qemu" -cpu "$(cpu_for "$variant")" "$dist/$variant/tinygen" -endpoint unix:///var/run/docker.sock \
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
if [ "$minimal" = 1 ]; then
    echo "==> sizes (nightly -Zbuild-std, panic=immediate-abort, opt-level z, LTO, stripped)"
else
    echo "==> sizes (release profile: opt-level z, LTO, panic=abort, stripped)"
fi
printf '%-44s %10s %8s\n' variant bytes MiB
for variant in "${variants[@]}"; do
    size=$(stat -c %s "$dist/$variant/tinygen")
    printf '%-44s %10d %8s\n' "$variant" "$size" "$(awk -v s="$size" 'BEGIN { printf "%.2f", s / 1048576 }')"
done
