#!/usr/bin/env bash
# Packs the installable packages into <out dir> (default .tmp/packs) as tarballs with stable names, for users outside
# this repository (npm install <tarball>) and for examples/external-trigger:
#   gofer-proto.tgz         @gofer/proto         the wire protocol (a dependency of the trigger SDK)
#   gofer-kernel.tgz        @gofer/kernel        what Gofer's tools share (a dependency of the trigger SDK)
#   gofer-trigger-sdk.tgz   @gofer/trigger-sdk   the trigger SDK, with the `gofer-trigger-conformance` bin
#   gofer-pipeline-sdk.tgz  @gofer/pipeline-sdk  the pipeline SDK
#   gofer-cli.tgz           @gofer/cli           the `gofer` bin (one bundle with the server; needs better-sqlite3)
# `pnpm pack` runs each package's prepack (tsc to dist/ with .d.ts, or the CLI bundle), applies publishConfig (exports,
# types and bin pointing at dist/) and rewrites `workspace:*` to the version, so the tarballs install anywhere.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="$(mkdir -p "${1:-$root/.tmp/packs}" && cd "${1:-$root/.tmp/packs}" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

for name in proto kernel trigger-sdk pipeline-sdk cli; do
  (cd "$root/packages/$name" && pnpm pack --pack-destination "$work" >"$work/$name.log" 2>&1) || {
    cat "$work/$name.log"
    echo "pack-packages: pnpm pack failed in packages/$name"
    exit 1
  }
  tarball=("$work"/gofer-"$name"-*.tgz)
  mv "${tarball[0]}" "$out/gofer-$name.tgz"
  echo "packed packages/$name -> $out/gofer-$name.tgz"
done
