#!/usr/bin/env bash
# The packed packages as a user outside this repository gets them, end to end (CI runs this):
#   1. pack @gofer/proto, kernel, trigger-sdk, pipeline-sdk and cli (scripts/pack-packages.sh);
#   2. examples/external-trigger, copied to a temp directory with the tarballs in packs/: npm install (every @gofer
#      package from the tarballs, the registry only for the rest), tsc, and the packed `gofer-trigger-conformance`
#      bin against the built trigger;
#   3. a fresh npm project that installs the CLI and pipeline SDK tarballs: the `gofer` bin answers, a dev server
#      started from it runs the demo pipeline on its bundled interval trigger, and a pipeline program written with
#      the SDK prints its config.
# Exits non-zero, saying which step failed, if any does. Keeps nothing (KEEP=1 keeps the temp directory).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d /tmp/gofer-packages.XXXXXX)"
if [ -z "${KEEP:-}" ]; then trap 'rm -rf "$work"' EXIT; else echo "keeping $work"; fi
fail() { echo "check-packages: $*" >&2; exit 1; }
step() { printf -- '-- %s\n' "$1"; }

step "pack"
bash "$root/scripts/pack-packages.sh" "$work/packs"

step "external trigger: npm install"
trigger="$work/external-trigger"
mkdir -p "$trigger"
(cd "$root/examples/external-trigger" && tar --exclude=node_modules --exclude=dist --exclude=packs -cf - .) | tar -xf - -C "$trigger"
cp -r "$work/packs" "$trigger/packs"
(cd "$trigger" && npm install --no-audit --no-fund --loglevel=error) || fail "npm install in the external trigger failed"
for name in proto kernel trigger-sdk; do
  [ -f "$trigger/node_modules/@gofer/$name/package.json" ] || fail "@gofer/$name is not installed"
done
# Exactly one copy of each @gofer package, the tarball's: a second one would be nested under another package.
nested="$(find "$trigger/node_modules" -mindepth 2 -type d -name @gofer -print -quit)"
[ -z "$nested" ] || fail "a second @gofer package was installed: $nested"

step "external trigger: build"
(cd "$trigger" && npm run --silent build) || fail "tsc failed in the external trigger"
[ -f "$trigger/dist/main.js" ] || fail "the build wrote no dist/main.js"

step "external trigger: conformance (the packed gofer-trigger-conformance bin)"
[ -x "$trigger/node_modules/.bin/gofer-trigger-conformance" ] || fail "the trigger SDK installed no gofer-trigger-conformance bin"
(cd "$trigger" && npm run --silent conformance) || fail "the external trigger failed conformance"

step "cli and pipeline sdk: npm install"
consumer="$work/consumer"
mkdir -p "$consumer"
cp "$root/examples/external-trigger/.npmrc" "$consumer/.npmrc"
printf '{ "name": "gofer-consumer", "private": true, "type": "module" }\n' >"$consumer/package.json"
(cd "$consumer" && npm install --no-audit --no-fund --loglevel=error "$work/packs/gofer-cli.tgz" "$work/packs/gofer-pipeline-sdk.tgz") ||
  fail "npm install of the CLI and pipeline SDK tarballs failed"

step "cli: the gofer bin"
version="$(cd "$consumer" && npx --no-install gofer --version)" || fail "the packed gofer bin failed"
[ "$version" = "$(node -p "require('$root/packages/cli/package.json').version")" ] || fail "gofer --version said \"$version\""
(cd "$consumer" && npx --no-install gofer service printenv --format json | node -e '
  let text = ""; process.stdin.on("data", (d) => (text += d)).on("end", () => {
    const names = JSON.parse(text).map((v) => v.name);
    if (!names.includes("GOFER_SERVER_HOST")) { console.error("no GOFER_SERVER_HOST in", names); process.exit(1); }
  });') || fail "gofer service printenv --format json did not list GOFER_SERVER_HOST"
# The server in the bundle opens its sqlite database through the installed better-sqlite3 (native).
(cd "$consumer" && node -e 'new (require("better-sqlite3"))(":memory:").prepare("select 1").get()') ||
  fail "better-sqlite3 does not load in the CLI's install"

step "cli: gofer service start --dev from the tarball runs the demo pipeline on its bundled interval trigger"
port="$(node -e 'const s = require("node:net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); })')"
# The bin itself, not through npx (which would not wait for it): SIGTERM below reaches the server.
(cd "$consumer" && exec node_modules/.bin/gofer service start --dev --set "server.host=localhost:$port" >"$work/dev.log" 2>&1) &
dev=$!
ran=""
for _ in $(seq 1 60); do
  if (cd "$consumer" && npx --no-install gofer --host "localhost:$port" run list demo --format json 2>/dev/null) |
    node -e 'let t = ""; process.stdin.on("data", (d) => (t += d)).on("end", () => process.exit(JSON.parse(t || "[]").some((r) => r.status === "SUCCESSFUL") ? 0 : 1))' 2>/dev/null
  then
    ran=1
    break
  fi
  sleep 1
done
kill -TERM "$dev"
dev_status=0
wait "$dev" || dev_status=$?
if [ -z "$ran" ]; then tail -n 30 "$work/dev.log"; fail "no successful run of the demo pipeline within 60 s"; fi
[ "$dev_status" = 0 ] || { tail -n 30 "$work/dev.log"; fail "the dev server exited with $dev_status after SIGTERM"; }

step "pipeline sdk: a pipeline program"
cat >"$consumer/pipeline.mjs" <<'JS'
import { customTask, pipeline } from "@gofer/pipeline-sdk";
pipeline("outside", "From outside").tasks(customTask("greet", "alpine").command("echo", "hi")).finish();
JS
# Not on a terminal, finish() writes the PipelineConfig's protobuf bytes, as `gofer pipeline create` reads them.
(cd "$consumer" && node pipeline.mjs >pipeline.bin) || fail "the pipeline program failed"
grep -aq outside "$consumer/pipeline.bin" && grep -aq greet "$consumer/pipeline.bin" ||
  fail "the pipeline program's output holds no pipeline \"outside\" with a task \"greet\""
echo "check-packages: ok"
