// A replica's id (cluster/replica-id.ts): made once in its data directory, the same after a restart, different for
// another directory, and a damaged file is refused rather than silently replaced (a new id would orphan what the
// replica's engine left and the runs it was executing).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, expect, it } from "vitest";
import { replicaId } from "../src/cluster/replica-id.js";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), "gofer-replica-id-"));
  dirs.push(dir);
  return dir;
};

it("is made once per data directory and kept across restarts", async () => {
  const dir = tempDir();
  const id = await replicaId(join(dir, "data"));
  expect(id).toMatch(/^[0-9a-f]{12}$/);
  expect(await replicaId(join(dir, "data"))).toBe(id);
  expect(readFileSync(join(dir, "data", "replica-id"), "utf8").trim()).toBe(id);
  expect(await replicaId(tempDir())).not.toBe(id);
});

it("refuses a file that does not hold an id", async () => {
  const dir = tempDir();
  writeFileSync(join(dir, "replica-id"), "not an id\n");
  await expect(replicaId(dir)).rejects.toThrow(/does not hold a replica id/);
});
