#!/usr/bin/env bash
# The cgroup-v2 test suite (`*.v2.test.ts`, vitest project `v2`), each kernel in its own guest:
# every file on Debian 12's 6.12 kernel, and the reclaimer's again on its 6.1 kernel, which
# refuses memory.reclaim's "swappiness=0" keyword.
#
#   bash tools/v2-lab/test.sh                        the whole plan
#   bash tools/v2-lab/test.sh [--kernel K] FILTER…   only these files, on one kernel (default 6.12)
#
# Run `npm run build` first: the end-to-end tests run the built govd. Setup that fails (no QEMU,
# no kernel package) fails the run under CI=true or GOV_REQUIRE_V2_LAB=1; elsewhere the suite
# is skipped with the reason on stderr.
set -euo pipefail
cd "$(dirname "$0")/../.."

vitest=(node node_modules/vitest/vitest.mjs run --project v2 --configLoader runner)
started=$(date +%s)

prepare() {
  local log
  log="$(mktemp)"
  if bash tools/v2-lab/setup.sh "$1" >/dev/null 2>"$log"; then
    cat "$log" >&2
    rm -f "$log"
    return 0
  fi
  cat "$log" >&2
  rm -f "$log"
  if [ "${CI:-}" = true ] || [ "${GOV_REQUIRE_V2_LAB:-}" = 1 ]; then
    echo "v2-lab: the cgroup-v2 lab could not be set up for kernel $1 (CI=true or GOV_REQUIRE_V2_LAB=1: this is a failure)" >&2
    exit 1
  fi
  echo "v2-lab: SKIPPING the cgroup-v2 tests: the lab could not be set up for kernel $1 (see above); set GOV_REQUIRE_V2_LAB=1 to make this a failure" >&2
  exit 0
}

if [ $# -gt 0 ]; then
  kernel=6.12
  if [ "$1" = --kernel ]; then kernel="${2:?}"; shift 2; fi
  prepare "$kernel"
  exec bash tools/v2-lab/run.sh --kernel "$kernel" -- "${vitest[@]}" "$@"
fi

prepare 6.12
prepare 6.1
bash tools/v2-lab/run.sh --kernel 6.12 -- "${vitest[@]}"
bash tools/v2-lab/run.sh --kernel 6.1 -- "${vitest[@]}" packages/reclaimer/src/reclaimer.v2.test.ts
echo "v2-lab: the cgroup-v2 suite passed on 6.12 and 6.1 in $(($(date +%s) - started)) s" >&2
