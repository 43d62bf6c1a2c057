#!/usr/bin/env bash
# Assembles govd's image filesystem in DIR: the Node.js binary on PATH and the shared libraries
# it links, `sync` (a reclaim runs it first), and the built govd with exactly the production
# dependencies the lockfile installed. The Dockerfile copies this tree onto an empty image; CI
# builds the same tree on the host and `docker import`s it (no base image needs pulling).
#
#   npm run build && bash deploy/docker/assemble-rootfs.sh DIR
set -euo pipefail
out="${1:?usage: assemble-rootfs.sh DIR}"
repo="$(cd "$(dirname "$0")/../.." && pwd)"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
app="$out/opt/gov"

[ -f "$repo/apps/daemon/dist/govd.js" ] || { echo "assemble-rootfs: apps/daemon/dist/govd.js is missing: run npm run build first" >&2; exit 1; }

mkdir -p "$app/node_modules" "$out/usr/local/bin" "$out/bin" "$out/etc/gov" "$out/var/lib/gov" "$out/tmp" "$out/proc" "$out/sys" "$out/dev"
chmod 1777 "$out/tmp"
echo 'root:x:0:0:root:/root:/sbin/nologin' >"$out/etc/passwd"
echo 'root:x:0:' >"$out/etc/group"

# A program and every shared library it links, each at the path the loader looks for it.
copy_program() {
  local program="$1" target="$2" lib
  cp -L "$program" "$out$target"
  for lib in $(ldd "$program" | grep -o '/[^ ]*'); do
    mkdir -p "$out$(dirname "$lib")"
    cp -L "$lib" "$out$lib"
  done
}
copy_program "$(command -v node)" /usr/local/bin/node
copy_program "$(command -v sync)" /bin/sync

# govd's production dependency tree as npm installed it; parents sort before what they contain.
packs="$(mktemp -d)"
trap 'rm -rf "$packs"' EXIT
cd "$repo"
npm ls --omit=dev --all --parseable --workspace=@gov/daemon | tail -n +2 | sed "s#^$repo/##" | sort -u | while read -r rel; do
  case "$rel" in
    node_modules/@gov/*)
      # A workspace package: what `npm pack` would publish (its package.json and dist).
      tarball="$(cd "$(realpath "$rel")" && npm pack --silent --pack-destination "$packs")"
      mkdir -p "$app/$rel"
      tar -xzf "$packs/$tarball" -C "$app/$rel" --strip-components=1
      ;;
    *)
      # Already copied with the package it is nested in.
      [ -e "$app/$rel" ] && continue
      mkdir -p "$(dirname "$app/$rel")"
      cp -a "$rel" "$app/$rel"
      ;;
  esac
done
echo "assemble-rootfs: govd $(node -p "require('$app/node_modules/@gov/daemon/package.json').version") with Node.js $("$out/usr/local/bin/node" --version 2>/dev/null || node --version) in $out ($(du -sh "$out" | cut -f1))"
