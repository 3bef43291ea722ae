// Stages the provided triggers inside packages/cli for `pnpm pack` (the CLI's prepack; postpack removes them again):
// triggers-interval/ and triggers-cron/, each a one-file bundle and its `trigger` launcher. The packed CLI's server
// looks for them next to its bundle (packages/server/src/scheduler/provided-images.ts), so `gofer service start --dev`
// installed from the tarball runs the base triggers on the process engine as the checkout does. They are also the
// package's `gofer-trigger-interval` and `gofer-trigger-cron` bins (which makes pnpm pack keep them executable).
// `node scripts/stage-cli-triggers.mjs stage|clean`.
import { spawnSync } from "node:child_process";
import { chmodSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const cli = join(root, "packages", "cli");
const names = ["interval", "cron"];
const mode = process.argv[2];
if (mode !== "stage" && mode !== "clean") {
  console.error("usage: node scripts/stage-cli-triggers.mjs stage|clean");
  process.exit(2);
}

for (const name of names) rmSync(join(cli, `triggers-${name}`), { recursive: true, force: true });
if (mode === "clean") process.exit(0);

for (const name of names) {
  const dir = join(cli, `triggers-${name}`);
  const entry = join(root, "packages", `triggers-${name}`, "src", "main.ts");
  const bundled = spawnSync(process.execPath, [join(root, "scripts", "bundle.mjs"), entry, join(dir, "trigger.mjs")], {
    stdio: "inherit",
  });
  if (bundled.status !== 0) process.exit(1);
  // As packages/triggers-*/trigger in the checkout: a small young generation and two malloc arenas keep memory low.
  const launcher = [
    "#!/bin/sh",
    `# The ${name} trigger as the packed gofer CLI runs it: ./trigger server | ./trigger installer`,
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell expansion, written as is into the launcher
    'export MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-2}"',
    'exec node --max-semi-space-size=1 --optimize-for-size --expose-gc "$(dirname "$(readlink -f "$0")")/trigger.mjs" "$@"',
    "",
  ].join("\n");
  writeFileSync(join(dir, "trigger"), launcher);
  chmodSync(join(dir, "trigger"), 0o755);
}
