#!/usr/bin/env bash
# The L2 VMM of the arm64 KVM bed: Debian's qemu-system-arm:arm64 with the
# closure of its Depends, unpacked (never installed) into OUT/root, which
# L1 mounts over 9p and runs through the tree's own dynamic loader. Cached
# as a tar file outside the clone (qemu/nested/cache.sh) under a key of
# every package's version and hash.
set -euo pipefail
shopt -s inherit_errexit
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../nested/cache.sh"
mkdir -p "$1"
out=$(cd "$1" && pwd)
# The arm64 packages of the Depends closure: the emulator and every shared
# library it loads. Names without :arm64 are the host's (the Depends of
# arch-all packages such as debconf) or data QEMU needs not here (no
# display, no network ROMs); virtual names (<...>) have real providers.
packages=$(apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts \
               --no-breaks --no-replaces --no-enhances --no-pre-depends qemu-system-arm:arm64 \
           | sed -n 's/^\([a-z0-9][^ <]*:arm64\)$/\1/p' | sort -u)
[ -n "$packages" ] || { echo "build_l2_qemu: no package list (make deps-aarch64 adds arm64)"; exit 1; }
whole() {
    tar -tf "$1/l2-root.tar" ./usr/bin/qemu-system-aarch64 >/dev/null 2>&1
}
key_input=$(
    # shellcheck disable=SC2086
    apt-cache show --no-all-versions $packages | sed -n 's/^\(Package\|Version\|SHA256\): /\1: /p'
    echo "script build_l2_qemu.sh: $(sha256 "$here/build_l2_qemu.sh")"
)
cache_key l2-qemu-arm64 <<< "$key_input"
if [ -x "$out/root/usr/bin/qemu-system-aarch64" ] && [ "$(cat "$out/stamp" 2>/dev/null)" = "$key" ]; then
    echo "L2 QEMU (arm64): $out/root is current (key $key)"
    exit 0
fi
rm -rf "$out/stamp" "$out/root" "$out/l2-root.tar"
if ! cache_fetch l2-qemu-arm64 whole "$out" l2-root.tar; then
    rm -rf "$out/deb" && mkdir -p "$out/deb" "$out/root"
    # shellcheck disable=SC2086
    (cd "$out/deb" && apt-get download -qq -o APT::Sandbox::User=root $packages)
    for deb in "$out"/deb/*.deb; do dpkg-deb -x "$deb" "$out/root"; done
    (cd "$out/root" && tar -cf "$out/l2-root.tar" .)
    echo "L2 QEMU (arm64): $(ls "$out/deb" | wc -l) packages," \
         "$(du -sm "$out/root" | cut -f1) MB unpacked"
    cache_store l2-qemu-arm64 whole "$out" l2-root.tar
    rm -rf "$out/root" "$out/deb"
fi
mkdir -p "$out/root" && tar -xf "$out/l2-root.tar" -C "$out/root"
rm -f "$out/l2-root.tar"
echo "$key" > "$out/stamp"
