#!/usr/bin/env bash
# The outer (L0, TCG) qemu-system-x86_64 of the nested-KVM bed: Debian's own
# QEMU source, Debian's patches, plus ours (*.patch beside this script), built
# for x86_64 with TCG and virtfs only. Stock 7.2 aborts when an emulated SVM
# guest writes CR8 (tcg_handle_interrupt asserts the BQL); the patch takes it.
# The result is cached in OUT; a changed patch or QEMU version rebuilds it.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$1"
out=$(cd "$1" && pwd)
binary=$out/qemu-system-x86_64
stamp="$(dpkg-query -W -f='${source:Version}' qemu-system-x86) $(cat "$here"/*.patch | sha256sum | cut -c1-16)"
if [ -x "$binary" ] && [ "$(cat "$out/stamp" 2>/dev/null)" = "$stamp" ]; then
    echo "outer QEMU: $binary is current ($stamp)"
    exit 0
fi
rm -f "$binary" "$out/stamp"
"$here/fetch_qemu_source.sh" "$out"
cd "$out/src"
for p in "$here"/*.patch; do
    echo "outer QEMU: applying $(basename "$p")"
    patch -p1 --quiet --forward < "$p"
done
started=$SECONDS
mkdir -p build && cd build
../configure --target-list=x86_64-softmmu --without-default-features --enable-tcg \
    --enable-virtfs --enable-attr --enable-cap-ng --disable-docs --disable-werror \
    --firmwarepath=/usr/share/qemu:/usr/share/seabios > "$out/configure.log" 2>&1 \
    || { tail -30 "$out/configure.log"; exit 1; }
echo "outer QEMU: configured in $((SECONDS - started)) s; building (a few minutes)"
ninja qemu-system-x86_64 > "$out/ninja.log" 2>&1 || { tail -40 "$out/ninja.log"; exit 1; }
strip -o "$binary" qemu-system-x86_64
echo "$stamp" > "$out/stamp"
echo "outer QEMU: built $binary in $((SECONDS - started)) s"
