// The details of run and task-run events (spec §1.6). They are written with storeEvent (events/event-writer.ts)
// inside the transaction of the state change they announce.
import type { RunStatus, TaskRunStatus } from "../storage/schema.js";
import type { RunRef } from "./run-orchestrator.js";

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
