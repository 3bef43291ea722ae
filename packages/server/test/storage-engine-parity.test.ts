// Where sqlite and Postgres differ by default and the storage makes them agree: text order, int8 and sums coming
// back as numbers, JSON columns refusing what is not JSON.
import { sql } from "kysely";
import { expect, it } from "vitest";
import {
  countEventOutcomes,
  pipelineEventOutcomes,
  triggerEventOutcomes,
} from "../src/storage/event-outcome-counts.js";
import { insertNamespace, listNamespaces } from "../src/storage/namespace-repository.js";
import { describeEachStorageEngine } from "./storage-engines.js";
import { useTempDatabase } from "./temp-database.js";

describeEachStorageEngine("engine parity", (engine) => {
  const temp = useTempDatabase(engine);

  it("sorts text byte by byte, whatever the Postgres server's locale", async () => {
    const { db } = temp.database;
    for (const id of ["b", "B", "a", "_", "A"]) {
      await insertNamespace(db, { id, name: id, description: "", created: 1, modified: 1 });
    }
    expect((await listNamespaces(db, { offset: 0, limit: 10 })).map((n) => n.id)).toEqual(["A", "B", "_", "a", "b"]);
  });

  it("returns times beyond 32 bits and summed counts as numbers", async () => {
    const { db } = temp.database;
    const now = 1_764_633_600_123;
    await insertNamespace(db, { id: "default", name: "", description: "", created: now, modified: now + 1 });
    expect(await listNamespaces(db, { offset: 0, limit: 1 })).toEqual([
      { id: "default", name: "", description: "", created: now, modified: now + 1 },
    ]);
    const key = { namespaceId: "default", pipelineId: "p", triggerName: "interval", outcome: "runs_started" };
    await countEventOutcomes(db, [key, key, { ...key, pipelineId: "q" }, { ...key, outcome: "skipped_disabled" }]);
    await countEventOutcomes(db, [key]);
    expect(await triggerEventOutcomes(db, "interval")).toEqual({ runs_started: 4, skipped_disabled: 1 });
    expect(await pipelineEventOutcomes(db, "default", "p")).toEqual({ runs_started: 3, skipped_disabled: 1 });
  });

  it("refuses text that is not JSON in a JSON column", async () => {
    const { db } = temp.database;
    const insert = (details: string) =>
      sql`insert into events (kind, details, emitted) values ('X', ${details}, 1)`.execute(db);
    await insert('{"ok":true}');
    await expect(insert("{not json")).rejects.toThrow();
  });
});
