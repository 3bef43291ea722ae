// How runs are named in messages and logs, and keyed in maps. Reading them is the RunStore's (run-store.ts).
import type { RunRef } from "./run-orchestrator.js";

/** `run 3 of pipeline "build" in namespace "default"`, for messages and logs. */
export function describeRun(ref: RunRef): string {
  return `run ${ref.runId} of pipeline ${JSON.stringify(ref.pipelineId)} in namespace ${JSON.stringify(ref.namespaceId)}`;
}

export function describeTaskRun(ref: RunRef, taskId: string): string {
  return `task run ${JSON.stringify(taskId)} of ${describeRun(ref)}`;
}

/** A map key for the run; ids hold no NUL, so the parts cannot run together. */
export function runKey(ref: RunRef): string {
  return `${ref.namespaceId}\u0000${ref.pipelineId}\u0000${ref.runId}`;
}

export function runRef(row: { namespace_id: string; pipeline_id: string; id: number }): RunRef {
  return { namespaceId: row.namespace_id, pipelineId: row.pipeline_id, runId: row.id };
}
