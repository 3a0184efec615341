#!/bin/busybox sh
# /init of the L1 guest of the nested-KVM bed: loads KVM, mounts the host's
# root (read-only) and the job directory (writable) over virtio-9p, runs the
# job chrooted in the host's root (so the host's own QEMU, OVMF and mtools
# run as L1's KVM users), then powers L1 off. Every step says what it did on
# the serial console, which the host keeps.
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
say() { echo "hvfeat-l1: $*"; }
fail() { say "FAILED: $*"; poweroff -f; }

say "kernel $(uname -r), $(grep -c ^processor /proc/cpuinfo) CPU(s), up $(cut -d' ' -f1 /proc/uptime) s"
while read -r module; do
    insmod "/modules/$module" || fail "insmod $module"
done < /modules/load-order
grep -q " svm" /proc/cpuinfo || fail "the CPU has no svm flag"
[ -c /dev/kvm ] || fail "no /dev/kvm after loading kvm_amd"
npt=$(cat /sys/module/kvm_amd/parameters/npt 2>/dev/null)
nested=$(cat /sys/module/kvm_amd/parameters/nested 2>/dev/null)
say "kvm_amd loaded: /dev/kvm present, nested=$nested npt=$npt"
dmesg | grep -iE "nested (virtualization|paging)" | sed 's/^/hvfeat-l1: dmesg: /'
# The kernel's tsc_khz, which KVM gives its guests unless told otherwise:
# the last calibration it printed, in MHz with three decimals.
tsc_khz=$(dmesg | sed -nE 's/.*tsc: (Detected|Refined TSC clocksource calibration:) ([0-9]+)\.([0-9]{3}) MHz.*/\2\3/p' | tail -n 1)
say "tsc_khz=${tsc_khz:-unknown}"

job=$(sed -n 's/.*hvfeat.job=\([^ ]*\).*/\1/p' /proc/cmdline)
mkdir -p /host
mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=512000,cache=loose hostroot /host \
    || fail "mount of the host root"
mount -t proc proc /host/proc
mount -t sysfs sys /host/sys
mount -t devtmpfs dev /host/dev
mount -t tmpfs -o size=512m tmp /host/tmp
# After the tmpfs, which would hide a job directory under /tmp; there the
# mount point is made in the tmpfs, elsewhere it exists in the host root.
mkdir -p "/host$job" 2>/dev/null
mount -t 9p -o trans=virtio,version=9p2000.L,rw,msize=512000 jobdir "/host$job" \
    || fail "mount of the job directory $job"
echo "$tsc_khz" > "/host$job/l1-tsc-khz"
say "host root and job directory mounted; job starts at $(cut -d' ' -f1 /proc/uptime) s"
chroot /host /bin/sh "$job/job.sh"
status=$?
dmesg | grep -iE "kvm|svm|lockup|error" | grep -v "Nested" | tail -n 20 | sed 's/^/hvfeat-l1: dmesg: /'
say "job exited with status $status at $(cut -d' ' -f1 /proc/uptime) s"
sync
poweroff -f
