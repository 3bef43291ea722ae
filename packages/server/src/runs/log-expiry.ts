// task_execution_log_expiry: the task logs of a pipeline's newest N runs are kept; older complete runs lose their
// log files and their task runs are marked logs_expired. Checked as each run of the pipeline completes (just before
// it is recorded COMPLETE). Only a window of runs past the limit is looked at, so the cost stays flat as history
// grows; a run still going when it crossed the limit is caught when a later run completes.
import type { Kysely } from "kysely";
import type { Schema } from "../storage/schema.js";
import { listExpirableTaskRuns, markTaskRunLogsExpired } from "../storage/task-run-repository.js";
import type { TaskLogs } from "./task-logs.js";

const EXPIRY_WINDOW_RUNS = 50;

/** @returns the ids of the runs whose logs expired now. keepRuns ≤ 0 keeps every run's logs. */
export async function expireTaskRunLogs(
  db: Kysely<Schema>,
  logs: TaskLogs,
  namespaceId: string,
  pipelineId: string,
  keepRuns: number,
): Promise<number[]> {
  if (keepRuns <= 0) return [];
  // One query per completed run, whatever the history: the window's complete runs' task runs not yet expired.
  const unexpired = await listExpirableTaskRuns(db, namespaceId, pipelineId, {
    offset: keepRuns,
    limit: EXPIRY_WINDOW_RUNS,
  });
  const byRun = new Map<number, string[]>();
  for (const taskRun of unexpired) byRun.set(taskRun.run_id, [...(byRun.get(taskRun.run_id) ?? []), taskRun.id]);
  for (const [runId, taskIds] of byRun) {
    for (const taskId of taskIds) await logs.remove({ namespaceId, pipelineId, runId }, taskId);
    await markTaskRunLogsExpired(db, namespaceId, pipelineId, runId);
  }
  return [...byRun.keys()].sort((a, b) => a - b);
}
