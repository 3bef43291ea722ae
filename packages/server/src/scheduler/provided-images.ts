// On the process engine, the provided triggers' (interval, cron, github) and common tasks' images (their original names and our offline image names) run the
// trigger packages of this checkout. [triggers.image_map] in the config adds or overrides entries.
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The checkout's packages/ directory: the nearest ancestor of this module holding the trigger packages. This module
 * runs from packages/server/src (TypeScript) or inside the CLI bundle in packages/cli/dist, so no fixed depth fits.
 */
function findPackagesDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  for (let dir = here; ; dir = dirname(dir)) {
    if (existsSync(join(dir, "triggers-interval", "trigger"))) return dir;
    if (dirname(dir) === dir) return join(here, "..", "..", "..");
  }
}

let packagesDir: string | undefined;

export function providedImageMap(): Record<string, string[]> {
  packagesDir ??= findPackagesDir();
  const map: Record<string, string[]> = {};
  for (const name of ["interval", "cron", "github"]) {
    const executable = [join(packagesDir, `triggers-${name}`, "trigger")];
    map[`ghcr.io/clintjedwards/gofer/triggers/${name}:latest`] = executable;
    map[`gofer-trigger-${name}:latest`] = executable;
  }
  for (const name of ["debug"]) {
    const executable = [join(packagesDir, `common-tasks-${name}`, "commontask")];
    map[`ghcr.io/clintjedwards/gofer/tasks/${name}:latest`] = executable;
    map[`gofer-common-task-${name}:latest`] = executable;
  }
  return map;
}

/** The images `install_base_triggers` registers, as the original (spec §2.1). */
export const BASE_TRIGGER_IMAGES: Record<string, string> = {
  cron: "ghcr.io/clintjedwards/gofer/triggers/cron:latest",
  interval: "ghcr.io/clintjedwards/gofer/triggers/interval:latest",
};
