// Starts a process by forking the server itself (node's spawn). The process engine uses it for triggers (few and
// long-lived, so the fork's cost hardly matters) and for tasks the task launcher cannot start exactly.
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { exitCodeOf } from "./launcher-protocol.js";
import type { ExitStatus } from "./scheduler.js";
import type { StartedProcess } from "./task-launcher.js";

/** Resolves once the process runs; rejects with node's error when it cannot start (e.g. "spawn x ENOENT"). */
export function spawnDirect(
  argv: readonly string[],
  env: Readonly<Record<string, string>>,
  onLine: (line: string) => void,
): Promise<StartedProcess> {
  const [file, ...args] = argv as [string, ...string[]];
  // Its own process group (detached), so a stop reaches its children too.
  const child = spawn(file, args, { env, stdio: ["ignore", "pipe", "pipe"], detached: true });
  const exit = new Promise<ExitStatus>((resolve) => {
    child.once("close", (code, signal) => resolve({ exitCode: exitCodeOf(code, signal) }));
  });
  for (const stream of [child.stdout, child.stderr]) {
    if (stream) createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY }).on("line", onLine);
  }
  return new Promise((resolve, reject) => {
    child.once("spawn", () => resolve({ pid: child.pid as number, exit }));
    child.on("error", reject); // on, not once: an error after the start (a failed kill) must not go unhandled
  });
}
