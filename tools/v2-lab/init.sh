#!/bin/busybox sh
# PID 1 of the lab guest. Loads the 9p modules, mounts this machine's root read-only as the
# guest's root with the guest's own /proc, /sys, cgroup2, /dev, /tmp and /run, runs the
# command the host left in the results share, records its exit status there, and powers off.
/bin/busybox --install -s /bin
export PATH=/bin

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
stty -F /dev/console -onlcr 2>/dev/null
stop() {
  echo "v2-lab guest: $*" >/dev/console
  poweroff -f
}

while read -r module; do
  insmod "/modules/$module.ko" || stop "insmod $module failed"
done </modules/order

r=/newroot
p9='trans=virtio,version=9p2000.L,msize=262144'
mount -t 9p -o "$p9,ro,cache=loose" hostroot "$r" || stop "cannot mount the host root over 9p"
mount -t proc proc "$r/proc"
mount -t sysfs sysfs "$r/sys"
mount -t cgroup2 -o nsdelegate cgroup2 "$r/sys/fs/cgroup" || stop "cannot mount cgroup2"
mount -t devtmpfs devtmpfs "$r/dev"
mkdir -p "$r/dev/pts" "$r/dev/shm"
mount -t devpts devpts "$r/dev/pts"
mount -t tmpfs -o mode=1777 tmpfs "$r/dev/shm"
mount -t tmpfs -o mode=1777 tmpfs "$r/tmp"
mount -t tmpfs -o mode=755 tmpfs "$r/run"
# Results: written through (cache=none) so nothing is lost at power-off.
mkdir -p "$r/tmp/v2-lab"
mount -t 9p -o "$p9,cache=none" results "$r/tmp/v2-lab" || stop "cannot mount the results share"
# A working directory under the guest's own /tmp, /run or /dev comes as a share of its own.
if [ -s "$r/tmp/v2-lab/workdir" ]; then
  w="$(cat "$r/tmp/v2-lab/workdir")"
  mkdir -p "$r$w"
  mount -t 9p -o "$p9,ro,cache=loose" workdir "$r$w" || stop "cannot mount the working directory $w"
fi
# Test data: an ext4 scratch disk, so files written or read here are reclaimable page cache
# charged to the cgroup that touched them first, unlike tmpfs (shmem, not reclaimable without
# swap). 9p would do as well on 6.12, but 6.1 writes it back a page at a time.
mkdir -p "$r/tmp/v2-lab-data"
mount -t ext4 /dev/vda "$r/tmp/v2-lab-data" || stop "cannot mount the scratch disk"
# As systemd does at boot: the controllers are available to the root's children.
echo '+memory +cpu +io +pids' >"$r/sys/fs/cgroup/cgroup.subtree_control" || stop "cannot enable the memory controller"
hostname v2-lab
# Loopback only (govd's HTTP API listens on 127.0.0.1); the guest has no other network.
ip link set lo up || stop "cannot bring up the loopback interface"

# Through a pipe, so the command's output is not a terminal (no cursor games in a log).
set -o pipefail
chroot "$r" /bin/sh /tmp/v2-lab/command.sh </dev/null 2>&1 | cat >/dev/console
echo "$?" >"$r/tmp/v2-lab/exit-status"
sync
poweroff -f
