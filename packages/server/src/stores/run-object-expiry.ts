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

type ExpiryDeps = { db: Kysely<Schema>; objects: ObjectStore; eventLog: EventLog; keepRuns: number };

/** Per database and pipeline, the check in progress: checks of one pipeline run one after another. */
const inProgress = new WeakMap<Kysely<Schema>, Map<string, Promise<unknown>>>();

/**
 * @returns the ids of the runs whose objects expired now. Runs of a pipeline that complete together (events recorded
 * in one batch) check one after another, so no two checks find and expire the same run twice.
 */
export function expireRunObjects(deps: ExpiryDeps, ref: Omit<RunRef, "runId">): Promise<number[]> {
  let byPipeline = inProgress.get(deps.db);
  if (!byPipeline) {
    byPipeline = new Map();
    inProgress.set(deps.db, byPipeline);
  }
  const pipelines = byPipeline;
  const key = JSON.stringify([ref.namespaceId, ref.pipelineId]);
  const before = pipelines.get(key);
  const check = before ? before.then(() => expireNow(deps, ref)) : expireNow(deps, ref);
  const settled = check.catch(() => {});
  pipelines.set(key, settled);
  void settled.then(() => {
    if (pipelines.get(key) === settled) pipelines.delete(key);
  });
  return check;
}

async function expireNow(deps: ExpiryDeps, ref: Omit<RunRef, "runId">): Promise<number[]> {
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
