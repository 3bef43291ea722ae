// Finds the program a process start would run, as execvp does (a name with a slash as is, else each PATH entry), so
// that a missing program is a start failure with node's own words ("spawn <file> ENOENT") on every start path.
import { accessSync, constants, statSync } from "node:fs";
import { join } from "node:path";

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
