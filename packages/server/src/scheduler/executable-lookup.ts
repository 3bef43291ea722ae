// Finds the program a process start would run, as execvp does (a name with a slash as is, else each PATH entry), so
// that a missing program is a start failure with node's own words ("spawn <file> ENOENT") on every start path.
import { accessSync, constants, statSync } from "node:fs";
import { join } from "node:path";

/**
 * Where bare names were found, per PATH: a task's program is nearly always the same few (sh), and walking PATH
 * costs a stat per entry. A program deleted since fails later instead: through the launcher, as an exit 127 whose
 * output says setsid could not execute it.
 */
export class ExecutableCache {
  private readonly found = new Map<string, string>();

  lookUp(file: string, pathEnv: string | undefined): { path: string } | { error: string } {
    if (file.includes("/")) return lookUpExecutable(file, pathEnv);
    const key = `${pathEnv}\0${file}`;
    const cached = this.found.get(key);
    if (cached !== undefined) return { path: cached };
    const result = lookUpExecutable(file, pathEnv);
    if ("path" in result) {
      if (this.found.size >= 256) this.found.clear(); // bounded: a few distinct programs is the normal case
      this.found.set(key, result.path);
    }
    return result;
  }
}

/** The absolute or relative path execvp would run, or why there is none: ENOENT (nowhere) or EACCES (not runnable). */
export function lookUpExecutable(file: string, pathEnv: string | undefined): { path: string } | { error: string } {
  const candidates = file.includes("/") ? [file] : (pathEnv ?? "").split(":").map((dir) => join(dir || ".", file));
  let error = "ENOENT";
  for (const candidate of candidates) {
    const stat = statSync(candidate, { throwIfNoEntry: false });
    if (!stat) continue;
    if (stat.isDirectory()) {
      error = "EACCES";
      continue;
    }
    try {
      accessSync(candidate, constants.X_OK);
      return { path: candidate };
    } catch {
      error = "EACCES";
    }
  }
  return { error };
}
