// Run object expiry checked by runs of one pipeline that complete together: each expired run is expired (and
// announced) once, however many completions check at the same time.
import { systemClock } from "@gofer/kernel";
import { expect, test } from "vitest";
import { EventLog } from "../src/events/event-log.js";
import { listEvents } from "../src/storage/event-repository.js";
import { insertNamespace } from "../src/storage/namespace-repository.js";
import { replacePipeline } from "../src/storage/pipeline-repository.js";
import { insertRun } from "../src/storage/run-repository.js";
import type { ObjectStore } from "../src/stores/object-store.js";
import { expireRunObjects } from "../src/stores/run-object-expiry.js";
import { newRunRow, pipelineRow } from "./storage-fixtures.js";
import { useTempDatabase } from "./temp-database.js";

const temp = useTempDatabase();

test("checks that run at once expire each run once, with one event each", async () => {
  const { db } = temp.database;
  await insertNamespace(db, { id: "default", name: "Default", description: "", created: 1, modified: 1 });
  await replacePipeline(db, { pipeline: pipelineRow("default", "p"), tasks: [], subscriptions: [] });
  for (let n = 0; n < 5; n++) await insertRun(db, newRunRow("default", "p", { state: "COMPLETE", ended: 10 }));
  const deleted: number[] = [];
  const objects = { deleteRunObjects: (ref: { runId: number }) => deleted.push(ref.runId) } as unknown as ObjectStore;
  const deps = { db, objects, eventLog: new EventLog(db, systemClock), keepRuns: 2 };
  const ref = { namespaceId: "default", pipelineId: "p" };
  const results = await Promise.all([1, 2, 3].map(() => expireRunObjects(deps, ref)));
  expect(results.flat().sort()).toEqual([1, 2, 3]);
  expect(deleted.sort()).toEqual([1, 2, 3]);
  const events = await listEvents(db, { reverse: false, limit: 100 });
  expect(events.filter((e) => e.kind === "EXPIRED_RUN_OBJECTS").map((e) => JSON.parse(e.details).run_id)).toEqual([
    1, 2, 3,
  ]);
});
