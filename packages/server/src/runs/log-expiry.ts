// task_execution_log_expiry: the task logs of a pipeline's newest N runs are kept; older complete runs lose their
// log files and their task runs are marked logs_expired. Checked as each run of the pipeline completes (just before
// it is recorded COMPLETE, and marked in the commit that completes it). Only a window of runs past the limit is looked at, so the cost stays flat as history
// grows; a run still going when it crossed the limit is caught when a later run completes.
import type { RunStore } from "./run-store.js";
import type { TaskLogs } from "./task-logs.js";

const EXPIRY_WINDOW_RUNS = 50;

/**
 * Removes the files of the logs that expire now. @returns the ids of their runs, whose task runs the caller marks
 * logs_expired (RunStore.markLogsExpired). keepRuns ≤ 0 keeps every run's logs.
 */
export async function expireTaskRunLogs(
  store: Pick<RunStore, "listExpirableTaskRuns">,
  logs: Pick<TaskLogs, "remove">,
  namespaceId: string,
  pipelineId: string,
  keepRuns: number,
): Promise<number[]> {
  if (keepRuns <= 0) return [];
  // One query per completed run, whatever the history: the window's complete runs' task runs not yet expired.
  const byRun = await store.listExpirableTaskRuns(namespaceId, pipelineId, {
    offset: keepRuns,
    limit: EXPIRY_WINDOW_RUNS,
  });
  for (const [runId, taskIds] of byRun) {
    const ref = { namespaceId, pipelineId, runId };
    for (const taskId of taskIds) await logs.remove(ref, taskId);
  }
  return [...byRun.keys()].sort((a, b) => a - b);
}
