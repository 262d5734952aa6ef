#!/usr/bin/env bash
# Prints (and prepares once) a directory that holds what rustc needs to link a static musl
# binary for a target whose C runtime rustup cannot give us: crt1.o, crti.o, crtn.o, libc.a,
# plus an empty crtbegin.o, crtend.o and libunwind.a. Pass it as `-L native=<dir>`: rustc
# looks for its crt objects in the `-L native` directories too when the sysroot has none, and
# the libc and unwind crates find libc.a and libunwind.a there.
#
# Usage: tests/edge/musl-libs.sh <rust target> [<output directory>]
#   default output: $CARGO_TARGET_DIR/musl-libs/<target> (target/musl-libs/<target>)
#
# Where the files come from:
#   x86_64-unknown-linux-musl,       the stable toolchain's self-contained directory for the
#   aarch64-unknown-linux-musl       target (rustup target add <target>): musl libc.a, its
#                                    crt objects and LLVM libunwind, all that is needed
#   armv7-unknown-linux-musleabihf   Debian's musl-dev:armhf (musl 1.2.3, ARMv7 hard-float)
#   arm-unknown-linux-musleabi       Debian's musl-dev:armel (musl 1.2.3, ARMv5TE soft-float,
#                                    which ARMv6 runs)
# The .deb is fetched with `apt-get download` (needs `dpkg --add-architecture armhf|armel`
# and `apt-get update` once) unless $TINYGEN_MUSL_DEB names it, and unpacked with `dpkg -x`
# into the output directory: nothing is installed on the host.
#
# Why empty files are enough: crtbegin.o/crtend.o only run .ctors/.dtors lists and register
# C++ exception frames, which a Rust program linked by lld with .init_array does not use;
# musl's own crt1.o and libc.a start the program. libunwind.a is only named by the `unwind`
# crate: with -Cpanic=immediate-abort nothing calls into it (the link fails if something
# does, so an empty archive cannot hide a missing unwinder).
set -euo pipefail

target=${1:?usage: musl-libs.sh <rust target> [<output directory>]}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
out=${2:-${CARGO_TARGET_DIR:-$root/target}/musl-libs/$target}

have_all() {
    local file
    for file in crt1.o crti.o crtn.o crtbegin.o crtend.o libc.a libunwind.a; do
        [ -s "$1/$file" ] || return 1
    done
}

if have_all "$out"; then
    echo "$out"
    exit 0
fi

case "$target" in
x86_64-unknown-linux-musl | aarch64-unknown-linux-musl)
    sysroot=$(rustup run stable rustc --print sysroot)
    src="$sysroot/lib/rustlib/$target/lib/self-contained"
    if [ ! -s "$src/libc.a" ]; then
        echo "$src/libc.a missing: rustup target add $target --toolchain stable" >&2
        exit 1
    fi
    mkdir -p "$out"
    cp "$src"/*.o "$src"/*.a "$out/"
    echo "$out"
    exit 0
    ;;
armv7-unknown-linux-musleabihf) arch=armhf triple=arm-linux-musleabihf ;;
arm-unknown-linux-musleabi) arch=armel triple=arm-linux-musleabi ;;
*)
    echo "musl-libs.sh: no recipe for $target" >&2
    exit 1
    ;;
esac

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
deb=${TINYGEN_MUSL_DEB:-}
if [ -z "$deb" ]; then
    # Not `dpkg ... | grep -q`: under pipefail, grep leaving early fails the pipeline.
    foreign=$(dpkg --print-foreign-architectures)
    if ! grep -qx "$arch" <<<"$foreign"; then
        echo "Debian architecture $arch is not enabled: dpkg --add-architecture $arch && apt-get update" >&2
        exit 1
    fi
    (cd "$work" && apt-get download -q "musl-dev:$arch" >&2)
    deb=$(ls "$work"/musl-dev_*_"$arch".deb)
fi
dpkg -x "$deb" "$work/root"
lib="$work/root/usr/lib/$triple"
mkdir -p "$out"
for file in crt1.o crti.o crtn.o libc.a; do
    cp "$lib/$file" "$out/$file"
done
# Empty objects with the target's ELF header and ABI attributes (an empty `no_core` crate:
# needs neither a C compiler nor the target's standard library), and an empty archive.
for file in crtbegin.o crtend.o; do
    echo '#![feature(no_core)] #![no_core]' |
        rustup run "${TINYGEN_NIGHTLY:-nightly}" rustc --crate-type=lib --emit=obj \
            --target "$target" -o "$out/$file" -
done
printf '!<arch>\n' >"$out/libunwind.a"
have_all "$out" || {
    echo "musl-libs.sh: $out is incomplete" >&2
    exit 1
}
echo "$out"
