#!/bin/busybox sh
# /init of the arm64 bed's L1 guest: a kernel under TCG at EL2 with KVM
# built in. Loads the 9p modules, mounts the L2 QEMU tree (read-only) and
# the job directory (writable) over virtio-9p, runs the job with busybox,
# then powers L1 off. Every step says what it did on the serial console,
# which the host keeps.
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mount -t tmpfs -o size=768m tmp /tmp
say() { echo "hvfeat-l1: $*"; }
fail() { say "FAILED: $*"; poweroff -f; }

say "kernel $(uname -r), $(grep -c ^processor /proc/cpuinfo) CPU(s), up $(cut -d' ' -f1 /proc/uptime) s"
while read -r module; do
    insmod "/modules/$module" || fail "insmod $module"
done < /modules/load-order
dmesg | grep -E "CPU: All CPU\(s\) started at|kvm \[[0-9]+\]: .*(initialized|mode)" \
    | sed 's/^\[[^]]*\] /hvfeat-l1: dmesg: /'
[ -c /dev/kvm ] || fail "no /dev/kvm: KVM did not initialize at EL2"
say "kvm: /dev/kvm present"
mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=512000,cache=loose l2tree /l2 \
    || fail "mount of the L2 QEMU tree"
mount -t 9p -o trans=virtio,version=9p2000.L,rw,msize=512000 jobdir /job \
    || fail "mount of the job directory"
say "L2 tree and job directory mounted; job starts at $(cut -d' ' -f1 /proc/uptime) s"
sh /job/job.sh
status=$?
dmesg | grep -iE "kvm|lockup|error" | tail -n 20 | sed 's/^/hvfeat-l1: dmesg: /'
say "job exited with status $status at $(cut -d' ' -f1 /proc/uptime) s"
sync
poweroff -f
