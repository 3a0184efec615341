#!/usr/bin/env bash
# The outer (L0, TCG) qemu-system-x86_64 of the nested-KVM bed: Debian's own
# QEMU source, Debian's patches, plus ours (*.patch beside this script), built
# for x86_64 with TCG and virtfs only. Stock 7.2 aborts when an emulated SVM
# guest writes CR8 (tcg_handle_interrupt asserts the BQL); the patch takes it.
# The result is kept in OUT and in the cache outside the clone (cache.sh),
# both under a key of everything that goes into the binary; a changed key
# rebuilds it (3-4 minutes), and says what changed.
set -euo pipefail
shopt -s inherit_errexit
here=$(cd "$(dirname "$0")" && pwd)
. "$here/cache.sh"
mkdir -p "$1"
out=$(cd "$1" && pwd)
binary=$out/qemu-system-x86_64
configure_options=(--target-list=x86_64-softmmu --without-default-features --enable-tcg
                   --enable-virtfs --enable-attr --enable-cap-ng --disable-docs --disable-werror
                   --firmwarepath=/usr/share/qemu:/usr/share/seabios)
# the rest of the toolchain, and the libraries whose headers it compiles against
build_packages=(binutils libc6-dev meson ninja-build pkg-config libglib2.0-dev
                libpixman-1-dev libattr1-dev libcap-ng-dev libfdt-dev zlib1g-dev)
runs() {  # an outer QEMU that starts: a whole copy
    [[ "$("$1/qemu-system-x86_64" --version)" == "QEMU emulator version "* ]]
}
key_input=$(
    # the version fetch_qemu_source.sh fetches the source package (.dsc) of
    echo "source package: qemu $(dpkg-query -W -f='${source:Version}' qemu-system-x86)"
    echo "architecture: $(dpkg --print-architecture)"
    for p in "$here"/*.patch; do
        echo "patch $(basename "$p"): $(sha256 "$p")"
    done
    echo "configure: ${configure_options[*]}"
    for s in build_outer_qemu.sh fetch_qemu_source.sh; do
        echo "script $s: $(sha256 "$here/$s")"
    done
    echo "compiler: $(gcc --version | head -n 1)"
    dpkg-query -W -f='build package: ${Package} ${Version}\n' "${build_packages[@]}"
)
cache_key outer-qemu <<< "$key_input"
if [ -x "$binary" ] && [ "$(cat "$out/stamp" 2>/dev/null)" = "$key" ]; then
    echo "outer QEMU: $binary is current (key $key)"
    exit 0
fi
rm -f "$binary" "$out/stamp"
if cache_fetch outer-qemu runs "$out" qemu-system-x86_64; then
    echo "$key" > "$out/stamp"
    exit 0
fi
"$here/fetch_qemu_source.sh" "$out"
cd "$out/src"
for p in "$here"/*.patch; do
    echo "outer QEMU: applying $(basename "$p")"
    patch -p1 --quiet --forward < "$p"
done
started=$SECONDS
mkdir -p build && cd build
../configure "${configure_options[@]}" > "$out/configure.log" 2>&1 \
    || { tail -30 "$out/configure.log"; exit 1; }
echo "outer QEMU: configured in $((SECONDS - started)) s; building (a few minutes)"
ninja qemu-system-x86_64 > "$out/ninja.log" 2>&1 || { tail -40 "$out/ninja.log"; exit 1; }
strip -o "$binary" qemu-system-x86_64
echo "outer QEMU: built $binary in $((SECONDS - started)) s"
cache_store outer-qemu runs "$out" qemu-system-x86_64
echo "$key" > "$out/stamp"
