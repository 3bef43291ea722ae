// object_store.run_object_expiry: a run's objects are kept while it is among the pipeline's newest N runs. Checked as
// each run of the pipeline completes; every complete run past the limit whose objects have not expired loses them,
// is marked store_objects_expired and gets an EXPIRED_RUN_OBJECTS event (also when it had none, as the original).
// The original looked at one run per run start, one run early, and never came back to a run it skipped (§9.7 S5).
//
// All of it is done in the commit that completes the run (no commits of its own): the runs are found inside that
// commit, so completions sharing one commit see each other's marks, and each mark is guarded on
// store_objects_expired still being false, so two replicas completing runs at once expire each run once.
import type { Clock } from "@gofer/kernel";
import type { Kysely } from "kysely";
import type { StoredEvent } from "../events/event-kinds.js";
import { storeEvent } from "../events/event-writer.js";
import { listRunsWithUnexpiredObjects, markRunObjectsExpired } from "../storage/run-repository.js";
import type { Schema } from "../storage/schema.js";
import type { ObjectStore, RunRef } from "./object-store.js";

const EXPIRY_WINDOW_RUNS = 50;

type ExpiryDeps = { objects: ObjectStore; clock: Clock; keepRuns: number };

/** Writes in the completion commit: marks the runs expired and answers their EXPIRED_RUN_OBJECTS events. */
export type ExpiryWrites = (trx: Kysely<Schema>) => Promise<StoredEvent[]>;

/**
 * The writes that expire the pipeline's old run objects as one of its runs completes, for the commit that completes
 * it; undefined when objects never expire. An object removed for a run whose mark then rolls back is removed again,
 * harmlessly, at the next completion.
 */
export function runObjectExpiry(deps: ExpiryDeps, ref: Omit<RunRef, "runId">): ExpiryWrites | undefined {
  const { objects, clock, keepRuns } = deps;
  if (keepRuns <= 0) return undefined;
  return async (trx) => {
    const runs = await listRunsWithUnexpiredObjects(trx, ref.namespaceId, ref.pipelineId, {
      keepRuns,
      limit: EXPIRY_WINDOW_RUNS,
    });
    const events: StoredEvent[] = [];
    for (const run of runs) {
      if (!(await markRunObjectsExpired(trx, run.namespace_id, run.pipeline_id, run.id))) continue;
      objects.deleteRunObjects({ namespaceId: run.namespace_id, pipelineId: run.pipeline_id, runId: run.id });
      events.push(
        await storeEvent(trx, clock, "EXPIRED_RUN_OBJECTS", {
          namespace_id: run.namespace_id,
          pipeline_id: run.pipeline_id,
          run_id: run.id,
        }),
      );
    }
    return events;
  };
}
