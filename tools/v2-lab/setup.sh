#!/usr/bin/env bash
# Prepares a cgroup-v2 kernel lab: QEMU, a Debian 12 kernel unpacked from its package (never
# installed: /boot is untouched) and a busybox initramfs that mounts this machine's root
# read-only over virtio-9p. Safe to run again: what is already in the cache is reused.
#
#   bash tools/v2-lab/setup.sh [6.12|6.1]     prints the directory holding vmlinuz and initrd.gz
#
# The cache is $GOV_V2_LAB_CACHE (default ${XDG_CACHE_HOME:-$HOME/.cache}/gov-v2-lab).
# Every missing piece is installed or fetched; what cannot be is an error, never a skip.
set -euo pipefail

series="${1:-6.12}"
here="$(cd "$(dirname "$0")" && pwd)"
cache="${GOV_V2_LAB_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/gov-v2-lab}"
say() { echo "v2-lab: $*" >&2; }
fail() { echo "v2-lab: setup failed: $*" >&2; exit 1; }

case "$series" in
  # The generic flavour: the cloud flavour is built without 9p.
  6.12) pattern='^linux-image-6\.12\.[0-9]+\+deb12-amd64$' ;;
  6.1) pattern='^linux-image-6\.1\.0-[0-9]+-amd64$' ;;
  *) fail "unknown kernel series '$series'; use 6.12 or 6.1" ;;
esac

mkdir -p "$cache"
apt_updated=0
apt_update() {
  [ "$apt_updated" = 1 ] && return 0
  [ "$(id -u)" = 0 ] || fail "apt-get needs root (to install what is missing or refresh the package lists)"
  apt-get update -qq || fail "apt-get update failed"
  apt_updated=1
}

need=()
command -v qemu-system-x86_64 >/dev/null 2>&1 || need+=(qemu-system-x86)
[ -x /bin/busybox ] || need+=(busybox-static)
command -v cpio >/dev/null 2>&1 || need+=(cpio)
command -v xz >/dev/null 2>&1 || need+=(xz-utils)
command -v mkfs.ext4 >/dev/null 2>&1 || need+=(e2fsprogs)
if [ ${#need[@]} -gt 0 ]; then
  say "installing ${need[*]}"
  apt_update
  DEBIAN_FRONTEND=noninteractive NEEDRESTART_SUSPEND=1 apt-get install -y -qq --no-install-recommends "${need[@]}" >"$cache.apt.log" 2>&1 || {
    tail -20 "$cache.apt.log" >&2
    fail "apt-get install ${need[*]} failed"
  }
fi
command -v qemu-system-x86_64 >/dev/null 2>&1 || fail "qemu-system-x86_64 is not on PATH after installing qemu-system-x86"

# The newest package of the series that apt knows, by version order.
newest_package() { apt-cache search --names-only "$pattern" 2>/dev/null | awk '{print $1}' | grep -E "$pattern" | sort -V | tail -1; }
package="$(newest_package)"
if [ -z "$package" ]; then
  apt_update
  package="$(newest_package)"
fi
[ -n "$package" ] || fail "apt-cache search lists no package matching $pattern"

# The stamp covers the package and everything this script puts in the initramfs: a change to
# the init or the module list rebuilds it.
stamp_of() { cat "$here/setup.sh" "$here/init.sh" /bin/busybox | sha256sum | awk -v p="$package" '{print p" "$1}'; }
dir="$cache/$package"
if [ -f "$dir/stamp" ] && [ "$(cat "$dir/stamp")" = "$(stamp_of)" ] && [ -f "$dir/vmlinuz" ] && [ -f "$dir/initrd.gz" ]; then
  echo "$dir"
  exit 0
fi

say "preparing $package in $dir"
rm -rf "$dir"
mkdir -p "$dir"
work="$(mktemp -d "$cache/work.XXXXXX")"
trap 'rm -rf "$work"' EXIT
if ! (cd "$work" && apt-get download -qq "$package" 2>/dev/null); then
  # Stale package lists name a package the archive no longer has: refresh them and ask again.
  apt_update
  rm -rf "$dir"
  package="$(newest_package)"
  [ -n "$package" ] || fail "apt-cache search lists no package matching $pattern"
  dir="$cache/$package"
  mkdir -p "$dir"
  (cd "$work" && apt-get download -qq "$package") || fail "apt-get download $package failed"
fi
deb="$(ls "$work"/*.deb)"
mkdir "$work/pkg"
dpkg-deb -x "$deb" "$work/pkg" || fail "dpkg-deb -x $deb failed"
release="$(ls "$work/pkg/lib/modules")"
modules="$work/pkg/lib/modules/$release"
cp "$work/pkg/boot/vmlinuz-$release" "$dir/vmlinuz"

# The initramfs: busybox, the init, and the modules needed to reach the 9p shares and the ext4
# scratch disk, decompressed (busybox insmod does not read .ko.xz) and listed in load order.
root="$work/initramfs"
mkdir -p "$root/bin" "$root/dev" "$root/proc" "$root/sys" "$root/newroot" "$root/modules"
cp /bin/busybox "$root/bin/busybox"
cp "$here/init.sh" "$root/init"
chmod 755 "$root/init"

module_file() { find "$modules/kernel" -name "$1.ko" -o -name "$1.ko.xz" | head -1; }
is_builtin() { grep -q "/$1\.ko\$" "$modules/modules.builtin"; }
loaded=" "
add_module() {
  local name="${1//-/_}" file deps dep
  case "$loaded" in *" $name "*) return 0 ;; esac
  if is_builtin "$name" || is_builtin "${name//_/-}"; then loaded+="$name "; return 0; fi
  file="$(module_file "$name")"
  [ -n "$file" ] || file="$(module_file "${name//_/-}")"
  [ -n "$file" ] || fail "$package has no module $name"
  case "$file" in
    *.xz) xz -dc "$file" >"$root/modules/$name.ko" ;;
    *) cp "$file" "$root/modules/$name.ko" ;;
  esac
  deps="$(tr '\0' '\n' <"$root/modules/$name.ko" | sed -n 's/^depends=//p' | head -1)"
  for dep in ${deps//,/ }; do add_module "$dep"; done
  echo "$name" >>"$root/modules/order"
  loaded+="$name "
}
: >"$root/modules/order"
# crc32c_generic: ext4 asks the crypto API for crc32c at mount, and there is no modprobe to load it then.
for name in virtio_pci 9pnet_virtio 9p virtio_blk crc32c_generic ext4; do add_module "$name"; done

(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) >"$dir/initrd.gz"
echo "$release" >"$dir/release"
stamp_of >"$dir/stamp"
# An older package of the same series is not needed any more.
for old in "$cache"/linux-image-*; do
  name="$(basename "$old")"
  if [[ "$name" =~ $pattern ]] && [ "$name" != "$package" ]; then rm -rf "$old"; fi
done
say "ready: $package ($release), $(du -sh "$dir" | cut -f1)"
echo "$dir"
