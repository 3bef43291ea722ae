import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "kysely";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openDatabase } from "../src/storage/database.js";
import { migrateToLatest } from "../src/storage/migrate.js";
import { getNamespace, insertNamespace } from "../src/storage/namespace-repository.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "gofer-storage-"));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe("opening the database", () => {
  it("migrates a new file and leaves an existing one as it is on the next open", async () => {
    const path = join(dir, "gofer.db");
    const first = await openDatabase(path);
    await insertNamespace(first.db, { id: "default", name: "Default", description: "", created: 1, modified: 1 });
    await first.close();

    const second = await openDatabase(path);
    expect(await getNamespace(second.db, "default")).toEqual({
      id: "default",
      name: "Default",
      description: "",
      created: 1,
      modified: 1,
    });
    expect(await migrateToLatest(second.db)).toEqual([]);
    expect(await migrateToLatest(second.db)).toEqual([]);
    const applied = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(second.db);
    expect(applied.rows.map((r) => r.name)).toEqual([
      "2026-11-21-initial-schema",
      "2026-11-22-server-state",
      "2026-12-02-common-tasks",
      "2026-12-02-event-outcome-counts",
      "2026-12-03-replica-leases",
    ]);
    await second.close();
  });

  it("turns on WAL, foreign keys and a busy timeout", async () => {
    const database = await openDatabase(join(dir, "gofer.db"), { busyTimeoutMs: 1234 });
    const pragma = async (name: string) =>
      Object.values((await sql.raw(`pragma ${name}`).execute(database.db)).rows[0] as object)[0];
    expect(await pragma("journal_mode")).toBe("wal");
    expect(await pragma("foreign_keys")).toBe(1);
    expect(await pragma("busy_timeout")).toBe(1234);
    await database.close();
  });

  it("creates the directory of a new database file", async () => {
    const path = join(dir, "nested", ".gofer-dev", "gofer.db");
    const database = await openDatabase(path);
    expect(existsSync(path)).toBe(true);
    await database.close();
  });

  it("can be closed twice", async () => {
    const database = await openDatabase(join(dir, "gofer.db"));
    await database.close();
    await expect(database.close()).resolves.toBeUndefined();
  });
});
