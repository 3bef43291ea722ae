import { describe, expect, it } from "vitest";
import { isUniqueViolation } from "../src/storage/constraint-violation.js";
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
import { describeEachStorageEngine } from "./storage-engines.js";
import { useTempDatabase } from "./temp-database.js";

describeEachStorageEngine("registration and namespace storage", (engine) => {
  const temp = useTempDatabase(engine);

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
      const github = {
        ...interval,
        name: "github",
        kind: "extension",
        registry_auth: { user: "u", pass: "p" },
      } as const;
      await insertTriggerRegistration(temp.database.db, interval);
      await insertTriggerRegistration(temp.database.db, github);
      expect(await getTriggerRegistration(temp.database.db, "interval")).toEqual(interval);
      expect(await listTriggerRegistrations(temp.database.db)).toEqual([github, interval]);
      const error = await insertTriggerRegistration(temp.database.db, interval).catch((e: unknown) => e);
      expect(isUniqueViolation(error)).toBe(true);
    });

    it("are enabled, disabled and deleted", async () => {
      await insertTriggerRegistration(temp.database.db, interval);
      expect(await updateTriggerRegistrationStatus(temp.database.db, "interval", "DISABLED")).toBe(true);
      expect((await getTriggerRegistration(temp.database.db, "interval"))?.status).toBe("DISABLED");
      expect(await updateTriggerRegistrationStatus(temp.database.db, "cron", "DISABLED")).toBe(false);
      expect(await deleteTriggerRegistration(temp.database.db, "interval")).toBe(true);
      expect(await deleteTriggerRegistration(temp.database.db, "interval")).toBe(false);
      expect(await listTriggerRegistrations(temp.database.db)).toEqual([]);
    });
  });

  describe("namespaces", () => {
    it("are listed by id a page at a time, updated and deleted", async () => {
      for (const id of ["c", "a", "b"]) {
        await insertNamespace(temp.database.db, {
          id,
          name: id.toUpperCase(),
          description: "",
          created: 1,
          modified: 1,
        });
      }
      const page = async (offset: number, limit: number) =>
        (await listNamespaces(temp.database.db, { offset, limit })).map((n) => n.id);
      expect(await page(0, 2)).toEqual(["a", "b"]);
      expect(await page(2, 2)).toEqual(["c"]);

      expect(await updateNamespace(temp.database.db, "a", { name: "Alpha", description: "first", modified: 9 })).toBe(
        true,
      );
      expect(await getNamespace(temp.database.db, "a")).toEqual({
        id: "a",
        name: "Alpha",
        description: "first",
        created: 1,
        modified: 9,
      });
      expect(await updateNamespace(temp.database.db, "zzz", { name: "", description: "", modified: 9 })).toBe(false);
      expect(await deleteNamespace(temp.database.db, "a")).toBe(true);
      expect(await page(0, 10)).toEqual(["b", "c"]);
    });
  });
});
