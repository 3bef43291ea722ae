// Run object expiry checked by runs of one pipeline that complete together: each expired run is expired (and
// announced) once, whether their completions commit one after another or share one commit.
import { systemClock } from "@gofer/kernel";
import { expect, test } from "vitest";
import { listEvents } from "../src/storage/event-repository.js";
import { insertNamespace } from "../src/storage/namespace-repository.js";
import { replacePipeline } from "../src/storage/pipeline-repository.js";
import { insertRun } from "../src/storage/run-repository.js";
import type { ObjectStore } from "../src/stores/object-store.js";
import { runObjectExpiry } from "../src/stores/run-object-expiry.js";
import { newRunRow, pipelineRow } from "./storage-fixtures.js";
import { useTempDatabase } from "./temp-database.js";

const temp = useTempDatabase();

test("completions expire each run once, with one event each, alone or in a shared commit", async () => {
  const { db } = temp.database;
  await insertNamespace(db, { id: "default", name: "Default", description: "", created: 1, modified: 1 });
  await replacePipeline(db, { pipeline: pipelineRow("default", "p"), tasks: [], subscriptions: [] });
  for (let n = 0; n < 5; n++) await insertRun(db, newRunRow("default", "p", { state: "COMPLETE", ended: 10 }));
  const deleted: number[] = [];
  const objects = { deleteRunObjects: (ref: { runId: number }) => deleted.push(ref.runId) } as unknown as ObjectStore;
  const deps = { objects, clock: systemClock, keepRuns: 2 };
  const ref = { namespaceId: "default", pipelineId: "p" };
  const [first, second, third] = [1, 2, 3].map(() => runObjectExpiry(deps, ref));
  const announced: number[] = [];
  const commit = (...writes: (typeof first)[]) =>
    db.transaction().execute(async (trx) => {
      for (const write of writes)
        announced.push(...((await write?.(trx)) ?? []).map((e) => e.details.run_id as number));
    });
  // Two completions share one commit: the second sees the first's marks.
  await commit(first, second);
  // A sixth run completes: the fourth run's objects expire, in a commit of its own.
  await insertRun(db, newRunRow("default", "p", { state: "COMPLETE", ended: 20 }));
  await commit(third);
  expect(announced).toEqual([1, 2, 3, 4]);
  expect(deleted).toEqual([1, 2, 3, 4]);
  const events = await listEvents(db, { reverse: false, limit: 100 });
  expect(events.filter((e) => e.kind === "EXPIRED_RUN_OBJECTS").map((e) => JSON.parse(e.details).run_id)).toEqual([
    1, 2, 3, 4,
  ]);
});
