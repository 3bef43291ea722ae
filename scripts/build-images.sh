#!/usr/bin/env bash
# Builds every image the tests and CI use, offline (no registry is reachable): `pnpm images`.
#   gofer-node-base:latest         FROM scratch: the host's node binary and the shared libraries it links
#   gofer-trigger-interval:latest  base + the interval trigger bundle at /app/trigger (ENTRYPOINT ./trigger server)
#   gofer-trigger-cron:latest      base + the cron trigger bundle
#   gofer-trigger-github:latest    base + the github trigger bundle (webhooks; not installed by default)
#   gofer-task-test:latest         FROM scratch: a static busybox as /bin/sh and friends, for task containers
#   gofer-test-extension:latest    base + a v0.5 test extension (./extension), for the extension shim's tests
#   gofer-common-task-debug:latest base + the debug common task bundle at /app/commontask (ENTRYPOINT ./commontask task),
#                                  also tagged ghcr.io/clintjedwards/gofer/tasks/debug:latest as the original
# The trigger images are also tagged with the original names (ghcr.io/clintjedwards/gofer/triggers/<name>:latest) so
# install_base_triggers works offline. Users with a registry can build images/trigger-node.Dockerfile instead.
# Every image carries the label gofer.inputs: a hash of everything it is built from (this script, the Dockerfiles, the
# sources and lockfile the bundles come from, the host's node and busybox). When every image already has the current
# hash the script stops at once, so a second `pnpm test` does not pay for the builds; `--force` rebuilds anyway.
set -euo pipefail
cd "$(dirname "$0")/.."
export DOCKER_BUILDKIT=0

TAGS=(gofer-node-base:latest gofer-trigger-interval:latest ghcr.io/clintjedwards/gofer/triggers/interval:latest
  gofer-trigger-cron:latest ghcr.io/clintjedwards/gofer/triggers/cron:latest gofer-trigger-github:latest
  ghcr.io/clintjedwards/gofer/triggers/github:latest gofer-common-task-debug:latest
  ghcr.io/clintjedwards/gofer/tasks/debug:latest gofer-test-extension:latest gofer-task-test:latest)
node_bin="$(readlink -f "$(command -v node)")"
busybox="$(command -v busybox || true)"
if [ -z "$busybox" ] || ! file "$busybox" | grep -q "statically linked"; then
  busybox=/bin/busybox
fi

# Binaries are identified by path, size and modification time (hashing node's ~100 MB each run would cost more than
# the check saves); text inputs by content. The bundles' sources are the packages they import and the lockfile.
inputs_hash() {
  {
    node --version
    # shellcheck disable=SC2046 # word splitting of ldd's paths is intended
    stat -L -c '%n %s %Y' "$node_bin" "$busybox" $(ldd "$node_bin" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }') 2>/dev/null || true
    find scripts/build-images.sh scripts/bundle.mjs images pnpm-lock.yaml packages/server/test/fixtures/test-extension.ts \
      packages/proto packages/kernel packages/trigger-sdk packages/triggers-interval packages/triggers-cron packages/triggers-github \
      packages/common-tasks-debug \
      \( -name node_modules -o -name dist -o -name test \) -prune -o -type f -print0 |
      sort -z | xargs -0 sha256sum
  } | sha256sum | cut -c1-16
}
inputs="$(inputs_hash)"
if [ "${1:-}" != "--force" ] &&
  labels="$(docker image inspect -f '{{index .Config.Labels "gofer.inputs"}}' "${TAGS[@]}" 2>/dev/null)" &&
  [ "$(printf '%s\n' "$labels" | grep -cx "$inputs")" = "${#TAGS[@]}" ]; then
  echo "== images are up to date (gofer.inputs=$inputs); --force rebuilds them"
  exit 0
fi

work="$(mktemp -d)"
# Steps run side by side (below); on a failure the others are stopped before their directory goes.
trap 'status=$?; jobs -p | xargs -r kill 2>/dev/null || true; rm -rf "$work"; exit "$status"' EXIT

log() { printf '== %s\n' "$*"; }
# build DIR TAG…: quiet unless it fails (the legacy builder prints a deprecation notice on every build). An image a
# tag named before is removed when the rebuild left it untagged (and no container uses it), so rebuilds do not pile up.
build() {
  local dir="$1" tag out previous=() args=()
  shift
  for tag in "$@"; do
    previous+=("$(docker image inspect -f '{{.Id}}' "$tag" 2>/dev/null || true)")
    args+=(-t "$tag")
  done
  if ! out="$(docker build -q --label "gofer.inputs=$inputs" "${args[@]}" "$dir" 2>&1)"; then
    printf '%s\n' "$out" >&2
    exit 1
  fi
  for tag in "${previous[@]}"; do
    if [ -n "$tag" ] && [ -z "$(docker image inspect -f '{{join .RepoTags ","}}' "$tag" 2>/dev/null)" ]; then
      docker rmi "$tag" >/dev/null 2>&1 || true
    fi
  done
}

# --- base: node + its libraries -----------------------------------------------------------------------------------
base="$work/base"
prepare_base() {
  mkdir -p "$base/rootfs/usr/local/bin" "$base/rootfs/tmp" "$base/rootfs/etc"
  cp "$node_bin" "$base/rootfs/usr/local/bin/node"
  # Every library the dynamic loader resolves for node, at the same path inside the image.
  # (mawk has no \s: match the loader line, "/lib64/ld-linux-x86-64.so.2 (0x…)", by its leading slash.)
  ldd "$node_bin" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' | while read -r lib; do
    [ -n "$lib" ] || continue
    mkdir -p "$base/rootfs$(dirname "$lib")"
    cp -L "$lib" "$base/rootfs$lib"
  done
  echo "root:x:0:0:root:/root:/sbin/nologin" >"$base/rootfs/etc/passwd"
  echo "nobody:x:65534:65534:nobody:/:/sbin/nologin" >>"$base/rootfs/etc/passwd"
  printf 'hosts: files dns\n' >"$base/rootfs/etc/nsswitch.conf"
  printf '127.0.0.1 localhost\n::1 localhost\n' >"$base/rootfs/etc/hosts"
  cat >"$base/Dockerfile" <<'DOCKERFILE'
FROM scratch
COPY rootfs/ /
ENV PATH=/usr/local/bin
ENTRYPOINT ["/usr/local/bin/node"]
DOCKERFILE
}

# --- trigger images ---------------------------------------------------------------------------------------------------
prepare_trigger() {
  local name="$1" ctx="$work/trigger-$1"
  mkdir -p "$ctx"
  node scripts/bundle.mjs "packages/triggers-$name/src/main.ts" "$ctx/trigger.mjs" >/dev/null
  # The kernel runs a #! file without any shell, so ./trigger works in an image that has none.
  # (One argument after the interpreter is all a #! line takes; the young-generation cap is as in packages/*/trigger.)
  { echo "#!/usr/local/bin/node --max-semi-space-size=1"; cat "$ctx/trigger.mjs"; } >"$ctx/trigger"
  chmod 0755 "$ctx/trigger"
  rm "$ctx/trigger.mjs"
  echo '{"type":"module"}' >"$ctx/package.json"
  cp images/trigger.Dockerfile "$ctx/Dockerfile"
}
build_trigger() {
  log "gofer-trigger-$1:latest"
  build "$work/trigger-$1" "gofer-trigger-$1:latest" "ghcr.io/clintjedwards/gofer/triggers/$1:latest"
}

# --- common task images -----------------------------------------------------------------------------------------------
prepare_common_task() {
  local name="$1" ctx="$work/common-task-$1"
  mkdir -p "$ctx"
  node scripts/bundle.mjs "packages/common-tasks-$name/src/main.ts" "$ctx/commontask.mjs" >/dev/null
  { echo "#!/usr/local/bin/node"; cat "$ctx/commontask.mjs"; } >"$ctx/commontask"
  chmod 0755 "$ctx/commontask"
  rm "$ctx/commontask.mjs"
  echo '{"type":"module"}' >"$ctx/package.json"
  cp images/common-task.Dockerfile "$ctx/Dockerfile"
}
build_common_task() {
  log "gofer-common-task-$1:latest"
  build "$work/common-task-$1" "gofer-common-task-$1:latest" "ghcr.io/clintjedwards/gofer/tasks/$1:latest"
}

# --- test extension: a v0.5 extension (./extension, no ./trigger) written without our SDK, for the shim's tests ----
prepare_extension() {
  local ctx="$work/test-extension"
  mkdir -p "$ctx"
  node scripts/bundle.mjs packages/server/test/fixtures/test-extension.ts "$ctx/extension.mjs" >/dev/null
  { echo "#!/usr/local/bin/node"; cat "$ctx/extension.mjs"; } >"$ctx/extension"
  chmod 0755 "$ctx/extension"
  rm "$ctx/extension.mjs"
  echo '{"type":"module"}' >"$ctx/package.json"
  cat >"$ctx/Dockerfile" <<'DOCKERFILE'
FROM gofer-node-base:latest
WORKDIR /app
COPY package.json extension /app/
ENTRYPOINT ["./extension", "server"]
DOCKERFILE
}
build_extension() {
  log "gofer-test-extension:latest"
  build "$work/test-extension" "gofer-test-extension:latest"
}

# --- task image: busybox --------------------------------------------------------------------------------------------
task_image() {
  if ! file "$busybox" 2>/dev/null | grep -q "statically linked"; then
    echo "a static busybox is needed for gofer-task-test (apt-get install busybox-static)" >&2
    exit 1
  fi
  local task="$work/task"
  mkdir -p "$task/rootfs/bin" "$task/rootfs/tmp"
  cp "$busybox" "$task/rootfs/bin/busybox"
  # Every applet this busybox has (sh, echo, env, sleep, sort, grep, …), as /bin/<applet> → busybox.
  for applet in $("$busybox" --list); do
    [ "$applet" = busybox ] || ln -s busybox "$task/rootfs/bin/$applet"
  done
  cat >"$task/Dockerfile" <<'DOCKERFILE'
FROM scratch
COPY rootfs/ /
ENV PATH=/bin
CMD ["/bin/sh"]
DOCKERFILE
  log "gofer-task-test:latest"
  build "$task" gofer-task-test:latest
}

# The bundles and the task image do not need the base image, so they are made while it builds; the three images on
# top of the base are then built side by side. `wait PID` fails the script (set -e) when that step failed.
prepare_trigger interval &
interval=$!
prepare_trigger cron &
cron=$!
prepare_trigger github &
github=$!
prepare_common_task debug &
debug=$!
prepare_extension &
extension=$!
task_image &
task=$!
prepare_base
log "gofer-node-base:latest ($(node --version))"
build "$base" gofer-node-base:latest
for step in "$interval" "$cron" "$github" "$debug" "$extension"; do wait "$step"; done
build_trigger interval &
interval=$!
build_trigger cron &
cron=$!
build_trigger github &
github=$!
build_common_task debug &
debug=$!
build_extension &
extension=$!
for step in "$interval" "$cron" "$github" "$debug" "$extension" "$task"; do wait "$step"; done
docker images --format '{{.Repository}}:{{.Tag}} {{.Size}}' | grep -E '^(gofer-|ghcr.io/clintjedwards)' | sort
