#!/usr/bin/env bash
# Runs one command inside a cgroup-v2 guest booted under QEMU (TCG, no KVM needed) and exits
# with the command's exit status; its output streams to this terminal.
#
#   bash tools/v2-lab/run.sh [--kernel 6.12|6.1] [--memory MIB] [--timeout SECONDS] -- COMMAND [ARG...]
#
# The guest's root is this machine's root, read-only, so COMMAND runs this very checkout with
# the machine's own node, in the current directory, as root. /tmp, /run and HOME (/tmp/home) are
# the guest's own tmpfs; /tmp/v2-lab-data is an ext4 scratch disk whose files live in the page
# cache (use it for test data that must be reclaimable). The guest has no network.
set -euo pipefail

kernel=6.12
memory_mib="${GOV_V2_LAB_MEMORY_MIB:-2048}"
timeout_s="${GOV_V2_LAB_TIMEOUT:-900}"
usage() { echo "usage: bash tools/v2-lab/run.sh [--kernel 6.12|6.1] [--memory MIB] [--timeout SECONDS] -- COMMAND [ARG...]" >&2; exit 2; }
while [ $# -gt 0 ]; do
  case "$1" in
    --kernel) kernel="${2:?}"; shift 2 ;;
    --memory) memory_mib="${2:?}"; shift 2 ;;
    --timeout) timeout_s="${2:?}"; shift 2 ;;
    --) shift; break ;;
    *) usage ;;
  esac
done
[ $# -gt 0 ] || usage
[[ "$memory_mib" =~ ^[0-9]+$ ]] || usage
[[ "$timeout_s" =~ ^[0-9]+$ ]] || usage

here="$(cd "$(dirname "$0")" && pwd)"
dir="$(bash "$here/setup.sh" "$kernel")"

run="$(mktemp -d /tmp/gov-v2-lab.XXXXXX)"
trap 'rm -rf "$run"' EXIT
mkdir "$run/results"
# A sparse scratch disk: it takes host space only for what the guest writes.
truncate -s 4G "$run/scratch.img"
mkfs.ext4 -q -F -E lazy_itable_init=1,lazy_journal_init=1 "$run/scratch.img"

# The command, with the environment it needs, as a script the guest's init runs.
{
  echo 'export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'
  echo 'export HOME=/tmp/home XDG_CACHE_HOME=/tmp/home/.cache npm_config_cache=/tmp/home/.npm npm_config_update_notifier=false'
  echo 'export GOV_V2_LAB=1 GOV_V2_LAB_DATA=/tmp/v2-lab-data'
  printf 'export GOV_V2_LAB_KERNEL=%q\n' "$kernel"
  for name in CI NO_COLOR FORCE_COLOR TERM $(compgen -e | grep -E '^GOV_' | grep -v -E '^GOV_V2_LAB' || true); do
    [ -n "${!name+x}" ] && printf 'export %s=%q\n' "$name" "${!name}"
  done
  echo 'mkdir -p "$HOME"'
  printf 'cd %q || exit 126\n' "$PWD"
  printf 'exec'
  printf ' %q' "$@"
  echo
} >"$run/results/command.sh"

# The guest has its own /tmp, /run and /dev: a working directory there is shared on its own,
# read-only, and mounted at the same path.
workdir_share=()
case "$PWD/" in
  /tmp/* | /run/* | /dev/*)
    printf '%s\n' "$PWD" >"$run/results/workdir"
    workdir_share=(-fsdev "local,id=workdir,path=$PWD,security_model=none,readonly=on,multidevs=remap" -device virtio-9p-pci,fsdev=workdir,mount_tag=workdir)
    ;;
esac

started_ns=$(date +%s%N)
set +e
timeout -k 10 "$timeout_s" qemu-system-x86_64 \
  -nodefaults -no-user-config -display none -no-reboot \
  -accel tcg,thread=multi -cpu max -smp 2 -m "$memory_mib" -nic none \
  -kernel "$dir/vmlinuz" -initrd "$dir/initrd.gz" \
  -append "console=ttyS0 cgroup_no_v1=all psi=1 loglevel=3 panic=-1" \
  -fsdev local,id=hostroot,path=/,security_model=none,readonly=on,multidevs=remap \
  -device virtio-9p-pci,fsdev=hostroot,mount_tag=hostroot \
  -fsdev local,id=results,path="$run/results",security_model=none \
  -device virtio-9p-pci,fsdev=results,mount_tag=results \
  "${workdir_share[@]}" \
  -drive file="$run/scratch.img",format=raw,if=virtio,cache=unsafe \
  -serial stdio </dev/null
qemu_status=$?
set -e
# The guest's last console line (the kernel's "Power down") may end without its newline.
echo
elapsed_ms=$(( ($(date +%s%N) - started_ns) / 1000000 ))
if [ ! -s "$run/results/exit-status" ]; then
  if [ "$qemu_status" = 124 ]; then echo "v2-lab: the guest did not finish within ${timeout_s} s" >&2; else echo "v2-lab: the guest stopped without reporting an exit status (qemu exit $qemu_status)" >&2; fi
  exit 125
fi
status="$(cat "$run/results/exit-status")"
echo "v2-lab: $(cat "$dir/release"): exit $status after $((elapsed_ms / 1000)).$(printf %03d $((elapsed_ms % 1000))) s" >&2
exit "$status"
