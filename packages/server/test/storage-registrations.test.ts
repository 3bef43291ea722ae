import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { isUniqueViolation } from "../src/storage/constraint-violation.js";
import { type Database, openDatabase } from "../src/storage/database.js";
import {
  deleteNamespace,
  getNamespace,
  insertNamespace,
  listNamespaces,
  updateNamespace,
} from "../src/storage/namespace-repository.js";
import type { TriggerRegistrationRow } from "../src/storage/schema.js";
import {
  deleteTriggerRegistration,
  getTriggerRegistration,
  insertTriggerRegistration,
  listTriggerRegistrations,
  updateTriggerRegistrationStatus,
} from "../src/storage/trigger-registration-repository.js";

let dir: string;
let database: Database;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "gofer-storage-"));
  database = await openDatabase(join(dir, "gofer.db"));
});
afterEach(async () => {
  await database.close();
  rmSync(dir, { recursive: true, force: true });
});

const interval: TriggerRegistrationRow = {
  name: "interval",
  image: "ghcr.io/clintjedwards/gofer/triggers/interval:latest",
  kind: "trigger",
  registry_auth: null,
  variables: [{ key: "MIN_DURATION", value: "1m", source: "SYSTEM" }],
  created: 5,
  status: "ENABLED",
};

describe("trigger registrations", () => {
  it("round-trip, are listed by name and refuse a duplicate name", async () => {
    const github = { ...interval, name: "github", kind: "extension", registry_auth: { user: "u", pass: "p" } } as const;
    await insertTriggerRegistration(database.db, interval);
    await insertTriggerRegistration(database.db, github);
    expect(await getTriggerRegistration(database.db, "interval")).toEqual(interval);
    expect(await listTriggerRegistrations(database.db)).toEqual([github, interval]);
    const error = await insertTriggerRegistration(database.db, interval).catch((e: unknown) => e);
    expect(isUniqueViolation(error)).toBe(true);
  });

  it("are enabled, disabled and deleted", async () => {
    await insertTriggerRegistration(database.db, interval);
    expect(await updateTriggerRegistrationStatus(database.db, "interval", "DISABLED")).toBe(true);
    expect((await getTriggerRegistration(database.db, "interval"))?.status).toBe("DISABLED");
    expect(await updateTriggerRegistrationStatus(database.db, "cron", "DISABLED")).toBe(false);
    expect(await deleteTriggerRegistration(database.db, "interval")).toBe(true);
    expect(await deleteTriggerRegistration(database.db, "interval")).toBe(false);
    expect(await listTriggerRegistrations(database.db)).toEqual([]);
  });
});

describe("namespaces", () => {
  it("are listed by id a page at a time, updated and deleted", async () => {
    for (const id of ["c", "a", "b"]) {
      await insertNamespace(database.db, { id, name: id.toUpperCase(), description: "", created: 1, modified: 1 });
    }
    const page = async (offset: number, limit: number) =>
      (await listNamespaces(database.db, { offset, limit })).map((n) => n.id);
    expect(await page(0, 2)).toEqual(["a", "b"]);
    expect(await page(2, 2)).toEqual(["c"]);

    expect(await updateNamespace(database.db, "a", { name: "Alpha", description: "first", modified: 9 })).toBe(true);
    expect(await getNamespace(database.db, "a")).toEqual({
      id: "a",
      name: "Alpha",
      description: "first",
      created: 1,
      modified: 9,
    });
    expect(await updateNamespace(database.db, "zzz", { name: "", description: "", modified: 9 })).toBe(false);
    expect(await deleteNamespace(database.db, "a")).toBe(true);
    expect(await page(0, 10)).toEqual(["b", "c"]);
  });
});
