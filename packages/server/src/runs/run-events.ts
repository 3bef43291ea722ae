// Run and task-run events (spec §1.6), stored inside the caller's transaction together with the state change they
// announce; the caller publishes them on the EventLog after the commit, so a listener never hears of a change that
// was rolled back.
import type { Clock } from "@gofer/trigger-sdk";
import type { Kysely } from "kysely";
import type { EventKind, StoredEvent } from "../events/event-kinds.js";
import { insertEvent } from "../storage/event-repository.js";
import type { RunStatus, Schema, TaskRunStatus } from "../storage/schema.js";
import type { RunRef } from "./run-orchestrator.js";

export async function storeEvent(
  trx: Kysely<Schema>,
  clock: Clock,
  kind: EventKind,
  details: Record<string, unknown>,
): Promise<StoredEvent> {
  const emitted = clock.now().getTime();
  const row = await insertEvent(trx, { kind, details: JSON.stringify(details), emitted });
  return { id: row.id, kind, details, emitted };
}

/** STARTED_RUN */
export function runDetails(ref: RunRef): Record<string, unknown> {
  return { namespace_id: ref.namespaceId, pipeline_id: ref.pipelineId, run_id: ref.runId };
}

/** COMPLETED_RUN */
export function completedRunDetails(ref: RunRef, status: RunStatus): Record<string, unknown> {
  return { ...runDetails(ref), status };
}

/** CREATED_TASKRUN, STARTED_TASKRUN */
export function taskRunDetails(ref: RunRef, taskId: string): Record<string, unknown> {
  return { ...runDetails(ref), task_run_id: taskId };
}

/** COMPLETED_TASKRUN */
export function completedTaskRunDetails(ref: RunRef, taskId: string, status: TaskRunStatus): Record<string, unknown> {
  return { ...taskRunDetails(ref, taskId), status };
}
