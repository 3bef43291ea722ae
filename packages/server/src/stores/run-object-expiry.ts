// object_store.run_object_expiry: a run's objects are kept while it is among the pipeline's newest N runs. Checked as
// each run of the pipeline completes; every complete run past the limit whose objects have not expired loses them,
// is marked store_objects_expired and gets an EXPIRED_RUN_OBJECTS event (also when it had none, as the original).
// The original looked at one run per run start, one run early, and never came back to a run it skipped (§9.7 S5).
import type { Kysely } from "kysely";
import type { EventLog } from "../events/event-log.js";
import { listRunsWithUnexpiredObjects, updateRun } from "../storage/run-repository.js";
import type { Schema } from "../storage/schema.js";
import type { ObjectStore, RunRef } from "./object-store.js";

const EXPIRY_WINDOW_RUNS = 50;

/** @returns the ids of the runs whose objects expired now. */
export async function expireRunObjects(
  deps: { db: Kysely<Schema>; objects: ObjectStore; eventLog: EventLog; keepRuns: number },
  ref: Omit<RunRef, "runId">,
): Promise<number[]> {
  const { db, objects, eventLog, keepRuns } = deps;
  if (keepRuns <= 0) return [];
  const expired: number[] = [];
  const runs = await listRunsWithUnexpiredObjects(db, ref.namespaceId, ref.pipelineId, {
    keepRuns,
    limit: EXPIRY_WINDOW_RUNS,
  });
  for (const run of runs) {
    objects.deleteRunObjects({ namespaceId: run.namespace_id, pipelineId: run.pipeline_id, runId: run.id });
    await updateRun(db, run.namespace_id, run.pipeline_id, run.id, { store_objects_expired: true });
    await eventLog.record("EXPIRED_RUN_OBJECTS", {
      namespace_id: run.namespace_id,
      pipeline_id: run.pipeline_id,
      run_id: run.id,
    });
    expired.push(run.id);
  }
  return expired;
}
