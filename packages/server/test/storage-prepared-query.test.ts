import { describe, expect, it } from "vitest";
import { type Params, preparedQuery } from "../src/storage/prepared-query.js";
import { transaction } from "../src/storage/transaction.js";
import { describeEachStorageEngine } from "./storage-engines.js";
import { useTempDatabase } from "./temp-database.js";

describeEachStorageEngine("prepared queries", (engine) => {
  const temp = useTempDatabase(engine);

  const insertNamespace = preparedQuery((db, p: Params<{ id: string; name: string }>) =>
    db.insertInto("namespaces").values({ id: p.id, name: p.name, description: "fixed", created: 1, modified: 2 }),
  );
  const namespacesNamed = preparedQuery((db, p: Params<{ name: string }>) =>
    db.selectFrom("namespaces").select(["id", "description", "modified"]).where("name", "=", p.name).orderBy("id"),
  );

  describe("prepared queries", () => {
    it("take new values on every call and keep the constants the builder wrote", async () => {
      const { db } = temp.database;
      await insertNamespace(db, { id: "one", name: "first" });
      await insertNamespace(db, { id: "two", name: "second" });
      await insertNamespace(db, { id: "three", name: "first" });
      expect((await namespacesNamed(db, { name: "first" })).rows).toEqual([
        { id: "one", description: "fixed", modified: 2 },
        { id: "three", description: "fixed", modified: 2 },
      ]);
      expect((await namespacesNamed(db, { name: "second" })).rows.map((r) => r.id)).toEqual(["two"]);
      expect((await namespacesNamed(db, { name: "none" })).rows).toEqual([]);
    });

    it("run inside the caller's transaction, so a rollback takes their writes back", async () => {
      const { db } = temp.database;
      await expect(
        transaction(db, async (trx) => {
          await insertNamespace(trx, { id: "gone", name: "rolled back" });
          expect((await namespacesNamed(trx, { name: "rolled back" })).rows).toHaveLength(1);
          throw new Error("abort the transaction");
        }),
      ).rejects.toThrow("abort the transaction");
      expect((await namespacesNamed(db, { name: "rolled back" })).rows).toEqual([]);
    });
  });
});
