// On the process engine, the provided triggers' images (their original names and our offline image names) run the
// trigger packages of this checkout. [triggers.image_map] in the config adds or overrides entries.
import { fileURLToPath } from "node:url";

const packagesDir = fileURLToPath(new URL("../../../", import.meta.url));

export function providedImageMap(): Record<string, string[]> {
  const map: Record<string, string[]> = {};
  for (const name of ["interval", "cron"]) {
    const executable = [`${packagesDir}triggers-${name}/trigger`];
    map[`ghcr.io/clintjedwards/gofer/triggers/${name}:latest`] = executable;
    map[`gofer-trigger-${name}:latest`] = executable;
  }
  return map;
}

/** The images `install_base_triggers` registers, as the original (spec §2.1). */
export const BASE_TRIGGER_IMAGES: Record<string, string> = {
  cron: "ghcr.io/clintjedwards/gofer/triggers/cron:latest",
  interval: "ghcr.io/clintjedwards/gofer/triggers/interval:latest",
};
