#!/usr/bin/env bash
# Fetch and unpack Debian's own source package of the installed QEMU into DIR,
# with Debian's patches applied. The deb-src entries are derived from the
# machine's own apt sources (deb822 *.sources and one-line *.list), kept in a
# private apt state under DIR so the system's configuration is left untouched.
set -euo pipefail
mkdir -p "$1"
dir=$(cd "$1" && pwd)  # apt takes relative paths from /etc/apt
apt_dir=$dir/apt
mkdir -p "$apt_dir/sources.list.d" "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial"

shopt -s nullglob
for f in /etc/apt/sources.list.d/*.sources; do
    sed -E 's/^Types:.*$/Types: deb-src/' "$f" > "$apt_dir/sources.list.d/$(basename "$f")"
done
for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$f" ] || continue
    sed -nE 's/^[[:space:]]*deb[[:space:]]/deb-src /p' "$f" > "$apt_dir/sources.list.d/$(basename "$f" .list)-src.list"
done

touch "$apt_dir/sources.list"
apt_opts=(-o "Dir::Etc::SourceList=$apt_dir/sources.list" -o "Dir::Etc::SourceParts=$apt_dir/sources.list.d"
          -o "Dir::State::Lists=$apt_dir/lists" -o "Dir::Cache=$apt_dir/cache"
          -o "APT::Sandbox::User=root")
version=$(dpkg-query -W -f='${source:Version}' qemu-system-x86)
echo "fetching Debian source package qemu=$version"
apt-get -qq "${apt_opts[@]}" update
(cd "$dir" && apt-get -qq "${apt_opts[@]}" source --download-only "qemu=$version")
rm -rf "$dir/src"
dpkg-source --no-check -x "$dir"/qemu_*.dsc "$dir/src" >/dev/null
echo "unpacked into $dir/src"
