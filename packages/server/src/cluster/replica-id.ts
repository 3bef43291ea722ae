// A replica's own id. On sqlite the server's id lives in its database (server-setup.ts); servers sharing a Postgres
// database share that row, so each keeps its id in its own data directory instead: it names the replica in trigger
// leases and run claims, and scopes the engine's containers and processes, so a restarted replica finds what its
// earlier run left and never what a sibling runs.
import { randomBytes } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";

const SHAPE = /^[0-9a-f]{12}$/;

/** The id kept in `dir`/replica-id, made there on the first start. */
export async function replicaId(dir: string): Promise<string> {
  const path = join(dir, "replica-id");
  try {
    const stored = (await readFile(path, "utf8")).trim();
    if (SHAPE.test(stored)) return stored;
    throw new Error(`${path} does not hold a replica id (12 hex digits); remove it to make a new one`);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  const id = randomBytes(6).toString("hex");
  await mkdir(dir, { recursive: true });
  await writeFile(path, `${id}\n`, { mode: 0o600, flag: "wx" });
  return id;
}
