#!/usr/bin/env bash
# The L1 guest of the nested-KVM bed: Debian's kernel (linux-image-amd64,
# unpacked from the package, never installed on this machine) and a small
# busybox-static initramfs with the modules KVM and virtio-9p need, in the
# order modprobe gives. Output in OUT: vmlinuz, initramfs.cpio.gz, version;
# kept in the cache outside the clone too (cache.sh), under a key of all
# that goes into them.
set -euo pipefail
shopt -s inherit_errexit
here=$(cd "$(dirname "$0")" && pwd)
. "$here/cache.sh"
mkdir -p "$1"
out=$(cd "$1" && pwd)
modules=(virtio_pci 9pnet_virtio 9p kvm_amd)
kernel_package() {
    apt-cache depends linux-image-amd64 2>/dev/null \
        | sed -n 's/.*Depends: \(linux-image-[0-9].*\)/\1/p' | head -1
}
package=$(kernel_package)
if [ -z "$package" ]; then  # a machine whose package lists were never fetched
    apt-get update -qq
    package=$(kernel_package)
fi
[ -n "$package" ] || { echo "build_l1: no kernel package behind linux-image-amd64 (apt-get update?)"; exit 1; }
whole() {  # a kernel with its setup header, a gzip archive intact: a whole copy
    [ "$(dd if="$1/vmlinuz" bs=1 skip=514 count=4 2>/dev/null)" = HdrS ] \
        && gzip -t "$1/initramfs.cpio.gz" && [ -s "$1/version" ]
}
key_input=$(
    # the .deb apt-get download fetches, by the hash apt's index gives it
    apt-cache show --no-all-versions "$package" \
        | sed -n 's/^\(Package\|Version\|SHA256\): /kernel \1: /p'
    echo "busybox: $(sha256 /bin/busybox)"
    dpkg-query -W -f='tools: ${Package} ${Version}\n' kmod cpio gzip
    echo "modules: ${modules[*]}"
    for s in l1_init.sh build_l1.sh; do
        echo "script $s: $(sha256 "$here/$s")"
    done
)
cache_key l1 <<< "$key_input"
if [ -f "$out/initramfs.cpio.gz" ] && [ "$(cat "$out/stamp" 2>/dev/null)" = "$key" ]; then
    echo "L1: $out is current ($package, key $key)"
    exit 0
fi
# Nothing of an older key may stay beside a fetch or a build that fails.
rm -f "$out/stamp" "$out/vmlinuz" "$out/initramfs.cpio.gz" "$out/version"
if cache_fetch l1 whole "$out" vmlinuz initramfs.cpio.gz version; then
    echo "$key" > "$out/stamp"
    exit 0
fi
rm -rf "$out/deb" "$out/root" "$out/initramfs" && mkdir -p "$out/deb"
(cd "$out/deb" && apt-get download -qq -o APT::Sandbox::User=root "$package")
dpkg-deb -x "$out"/deb/*.deb "$out/root"
version=$(ls "$out/root/lib/modules")
depmod -b "$out/root" "$version"
cp "$out/root/boot/vmlinuz-$version" "$out/vmlinuz"

initramfs=$out/initramfs
mkdir -p "$initramfs"/{bin,proc,sys,dev,modules,host}
cp /bin/busybox "$initramfs/bin/busybox"
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
echo "L1: kernel $version, initramfs $(du -k "$out/initramfs.cpio.gz" | cut -f1) KiB," \
     "modules: $(tr '\n' ' ' < "$initramfs/modules/load-order")"
cache_store l1 whole "$out" vmlinuz initramfs.cpio.gz version
echo "$key" > "$out/stamp"
