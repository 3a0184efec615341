#!/usr/bin/env bash
# The L1 guest of the arm64 KVM bed: Debian's arm64 kernel (behind
# linux-image-arm64; KVM is built in) and a busybox-static:arm64
# initramfs with the virtio-pci and 9p modules, both unpacked from their
# packages, never installed. Output in OUT: vmlinuz, initramfs.cpio.gz,
# version; cached outside the clone (qemu/nested/cache.sh) under a key of
# every input.
set -euo pipefail
shopt -s inherit_errexit
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../nested/cache.sh"
mkdir -p "$1"
out=$(cd "$1" && pwd)
modules=(virtio_pci 9pnet_virtio 9p)
kernel_package() {
    apt-cache depends linux-image-arm64:arm64 2>/dev/null \
        | sed -n 's/.*Depends: \(linux-image-[0-9][^:]*\).*/\1/p' | head -1
}
package=$(kernel_package)
[ -n "$package" ] || { echo "build_l1 (arm64): no kernel package behind linux-image-arm64:arm64 (make deps-aarch64 adds the architecture)"; exit 1; }
whole() {  # an arm64 Image (its magic "ARMd" at 56) and a gzip archive intact
    [ "$(dd if="$1/vmlinuz" bs=1 skip=56 count=4 2>/dev/null)" = ARMd ] \
        && gzip -t "$1/initramfs.cpio.gz" && [ -s "$1/version" ]
}
key_input=$(
    for p in "$package:arm64" busybox-static:arm64; do
        apt-cache show --no-all-versions "$p" | sed -n "s/^\(Package\|Version\|SHA256\): /$p \1: /p"
    done
    dpkg-query -W -f='tools: ${Package} ${Version}\n' kmod cpio gzip
    echo "modules: ${modules[*]}"
    for s in l1_init.sh build_l1.sh; do
        echo "script $s: $(sha256 "$here/$s")"
    done
)
cache_key l1-arm64 <<< "$key_input"
if [ -f "$out/initramfs.cpio.gz" ] && [ "$(cat "$out/stamp" 2>/dev/null)" = "$key" ]; then
    echo "L1 (arm64): $out is current ($package, key $key)"
    exit 0
fi
rm -f "$out/stamp" "$out/vmlinuz" "$out/initramfs.cpio.gz" "$out/version"
if cache_fetch l1-arm64 whole "$out" vmlinuz initramfs.cpio.gz version; then
    echo "$key" > "$out/stamp"
    exit 0
fi
rm -rf "$out/deb" "$out/root" "$out/initramfs" && mkdir -p "$out/deb"
(cd "$out/deb" && apt-get download -qq -o APT::Sandbox::User=root "$package:arm64" busybox-static:arm64)
for deb in "$out"/deb/*.deb; do dpkg-deb -x "$deb" "$out/root"; done
version=$(ls "$out/root/lib/modules")
depmod -b "$out/root" "$version"
cp "$out/root/boot/vmlinuz-$version" "$out/vmlinuz"  # an Image, as -kernel takes it

initramfs=$out/initramfs
mkdir -p "$initramfs"/{bin,proc,sys,dev,tmp,modules,job,l2}
cp "$out/root/bin/busybox" "$initramfs/bin/busybox"
install -m 755 "$here/l1_init.sh" "$initramfs/init"
: > "$initramfs/modules/load-order"
for wanted in "${modules[@]}"; do
    modprobe -d "$out/root" -S "$version" --show-depends "$wanted" | while read -r kind path _; do
        [ "$kind" = insmod ] || continue
        name=$(basename "$path")
        grep -qx "$name" "$initramfs/modules/load-order" && continue
        cp "$path" "$initramfs/modules/"
        echo "$name" >> "$initramfs/modules/load-order"
    done
done
(cd "$initramfs" && find . | cpio -o -H newc --quiet | gzip -9) > "$out/initramfs.cpio.gz"
echo "$version" > "$out/version"
echo "L1 (arm64): kernel $version, initramfs $(du -k "$out/initramfs.cpio.gz" | cut -f1) KiB," \
     "modules: $(tr '\n' ' ' < "$initramfs/modules/load-order")"
cache_store l1-arm64 whole "$out" vmlinuz initramfs.cpio.gz version
echo "$key" > "$out/stamp"
