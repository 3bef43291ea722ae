// Run object expiry checked by runs of one pipeline that complete together: each expired run is expired (and
// announced) once, however many completions check at the same time and write their marks in their commits.
import { systemClock } from "@gofer/kernel";
import { expect, test } from "vitest";
import { listEvents } from "../src/storage/event-repository.js";
import { insertNamespace } from "../src/storage/namespace-repository.js";
import { replacePipeline } from "../src/storage/pipeline-repository.js";
import { insertRun } from "../src/storage/run-repository.js";
import type { ObjectStore } from "../src/stores/object-store.js";
import { planRunObjectExpiry } from "../src/stores/run-object-expiry.js";
import { newRunRow, pipelineRow } from "./storage-fixtures.js";
import { useTempDatabase } from "./temp-database.js";

const temp = useTempDatabase();

test("completions that plan at once expire each run once, with one event each", async () => {
  const { db } = temp.database;
  await insertNamespace(db, { id: "default", name: "Default", description: "", created: 1, modified: 1 });
  await replacePipeline(db, { pipeline: pipelineRow("default", "p"), tasks: [], subscriptions: [] });
  for (let n = 0; n < 5; n++) await insertRun(db, newRunRow("default", "p", { state: "COMPLETE", ended: 10 }));
  const deleted: number[] = [];
  const objects = { deleteRunObjects: (ref: { runId: number }) => deleted.push(ref.runId) } as unknown as ObjectStore;
  const deps = { db, objects, clock: systemClock, keepRuns: 2 };
  const ref = { namespaceId: "default", pipelineId: "p" };
  // Three completions plan before any of them commits: all find runs 1–3.
  const plans = await Promise.all([1, 2, 3].map(() => planRunObjectExpiry(deps, ref)));
  const announced: number[] = [];
  // Two commit one after another, and one commits shared with another completion's writes.
  for (const plan of plans.slice(0, 2)) {
    const events = await db.transaction().execute(async (trx) => (plan ? plan(trx) : []));
    announced.push(...events.map((event) => event.details.run_id as number));
  }
  await db.transaction().execute(async (trx) => {
    const events = [...((await plans[2]?.(trx)) ?? []), ...((await plans[0]?.(trx)) ?? [])];
    announced.push(...events.map((event) => event.details.run_id as number));
  });
  expect(announced).toEqual([1, 2, 3]);
  expect([...new Set(deleted)].sort()).toEqual([1, 2, 3]);
  const events = await listEvents(db, { reverse: false, limit: 100 });
  expect(events.filter((e) => e.kind === "EXPIRED_RUN_OBJECTS").map((e) => JSON.parse(e.details).run_id)).toEqual([
    1, 2, 3,
  ]);
});
