// object_store.run_object_expiry: a run's objects are kept while it is among the pipeline's newest N runs. Checked as
// each run of the pipeline completes; every complete run past the limit whose objects have not expired loses them,
// is marked store_objects_expired and gets an EXPIRED_RUN_OBJECTS event (also when it had none, as the original).
// The original looked at one run per run start, one run early, and never came back to a run it skipped (§9.7 S5).
//
// The marks and events are written in the commit that completes the run (no commits of their own), each guarded on
// store_objects_expired still being false: runs completing together, in one shared commit or on two replicas, find
// the same old runs, and only the first mark changes a row and stores its event.

import type { Clock } from "@gofer/kernel";
import type { Kysely } from "kysely";
import type { StoredEvent } from "../events/event-kinds.js";
import { storeEvent } from "../events/event-writer.js";
import { listRunsWithUnexpiredObjects, markRunObjectsExpired } from "../storage/run-repository.js";
import type { Schema } from "../storage/schema.js";
import type { ObjectStore, RunRef } from "./object-store.js";

const EXPIRY_WINDOW_RUNS = 50;

type ExpiryDeps = { db: Kysely<Schema>; objects: ObjectStore; clock: Clock; keepRuns: number };

/** Writes in the completion commit: marks the runs expired and answers their EXPIRED_RUN_OBJECTS events. */
export type ExpiryWrites = (trx: Kysely<Schema>) => Promise<StoredEvent[]>;

/**
 * Finds the pipeline's runs whose objects expire as one of its runs completes and removes their objects. @returns the
 * writes that mark them expired, for the commit that completes the run; undefined when nothing expires. An object
 * removed for a run whose mark then rolls back is removed again, harmlessly, at the next completion.
 */
export async function planRunObjectExpiry(
  deps: ExpiryDeps,
  ref: Omit<RunRef, "runId">,
): Promise<ExpiryWrites | undefined> {
  const { db, objects, clock, keepRuns } = deps;
  if (keepRuns <= 0) return undefined;
  const runs = await listRunsWithUnexpiredObjects(db, ref.namespaceId, ref.pipelineId, {
    keepRuns,
    limit: EXPIRY_WINDOW_RUNS,
  });
  if (runs.length === 0) return undefined;
  for (const run of runs) {
    objects.deleteRunObjects({ namespaceId: run.namespace_id, pipelineId: run.pipeline_id, runId: run.id });
  }
  return async (trx) => {
    const events: StoredEvent[] = [];
    for (const run of runs) {
      if (!(await markRunObjectsExpired(trx, run.namespace_id, run.pipeline_id, run.id))) continue;
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
