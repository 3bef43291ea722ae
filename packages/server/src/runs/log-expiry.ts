// task_execution_log_expiry: the task logs of a pipeline's newest N runs are kept; older complete runs lose their
// log files and their task runs are marked logs_expired. Checked as each run of the pipeline completes (just before
// it is recorded COMPLETE). Only a window of runs past the limit is looked at, so the cost stays flat as history
// grows; a run still going when it crossed the limit is caught when a later run completes.
import type { Kysely } from "kysely";
import { listRuns } from "../storage/run-repository.js";
import type { Schema } from "../storage/schema.js";
import { listTaskRuns, markTaskRunLogsExpired } from "../storage/task-run-repository.js";
import { runRef } from "./run-lookup.js";
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
  const older = await listRuns(db, { namespaceId, pipelineId, offset: keepRuns, limit: EXPIRY_WINDOW_RUNS });
  const expired: number[] = [];
  for (const run of older) {
    if (run.state !== "COMPLETE") continue;
    const taskRuns = await listTaskRuns(db, namespaceId, pipelineId, run.id);
    if (taskRuns.every((t) => t.logs_expired)) continue;
    for (const taskRun of taskRuns) await logs.remove(runRef(run), taskRun.id);
    await markTaskRunLogsExpired(db, namespaceId, pipelineId, run.id);
    expired.push(run.id);
  }
  return expired;
}
