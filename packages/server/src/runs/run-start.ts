// A PENDING run starts: its task runs are made from the pipeline as it is now (tasks and common tasks), or the run
// ends FAILED (FAILED_PRECONDITION) straight from PENDING when a task depends on a task the pipeline does not have;
// there is no half-started state to repair then. A deleted pipeline takes its runs with it: the guarded start then
// finds no PENDING run and nothing starts.
import type { Kysely } from "kysely";
import type { Logger } from "winston";
import { getCommonTaskRegistration } from "../storage/common-task-repository.js";
import { getPipelineTaskList } from "../storage/pipeline-repository.js";
import type { Schema, TaskRecord } from "../storage/schema.js";
import { commonTaskRecord } from "./common-task-runs.js";
import type { Run, TaskRun } from "./run.js";
import { describeRun } from "./run-lookup.js";
import type { RunRef } from "./run-orchestrator.js";
import type { RunStore } from "./run-store.js";
import { missingParents } from "./task-graph.js";
import type { TaskLogs } from "./task-logs.js";

export interface RunStartDeps {
  /** Runs are written through the store; the pipeline's tasks are read in its start transaction. */
  readonly store: RunStore;
  readonly logs: TaskLogs;
  readonly logger: Logger;
  /** Writes in the commit that starts a run with tasks (the run's API token, auth/run-tokens.ts). */
  readonly inStartCommit?: (trx: Kysely<Schema>, ref: RunRef) => Promise<void>;
}

/**
 * PENDING → RUNNING with its task runs stored; `run` is the run as just read (not read again).
 * @returns the task runs, or undefined when the run did not start.
 */
export async function startPendingRun(deps: RunStartDeps, run: Run): Promise<TaskRun[] | undefined> {
  const { store, logs } = deps;
  const ref: RunRef = { namespaceId: run.namespaceId, pipelineId: run.pipelineId, runId: run.id };
  let refused: string | undefined;
  let records: TaskRecord[] = [];
  const { inStartCommit } = deps;
  const taskRuns = await store.startRun(
    run,
    async (trx) => {
      const planned = await planTasks(trx, ref);
      if (typeof planned === "string") {
        refused = planned;
        return undefined;
      }
      records = planned;
      // Live before they become visible, so a log reader that sees CREATED_TASKRUN waits for the output.
      for (const record of records) logs.expect(ref, record.id);
      return records;
    },
    inStartCommit && (async (trx) => (records.length > 0 ? inStartCommit(trx, ref) : undefined)),
  );
  if (refused !== undefined) {
    await store.completeRun(ref, "FAILED", { reason: "FAILED_PRECONDITION", description: refused });
    return undefined;
  }
  if (!taskRuns) {
    for (const record of records) logs.end(ref, record.id);
    return undefined;
  }
  // Checked first: a line below the level still costs a pass through winston's stream.
  if (deps.logger.isInfoEnabled()) deps.logger.info("run started", { run: describeRun(ref), tasks: taskRuns.length });
  return taskRuns;
}

/** The task runs' tasks from the pipeline as it is now, or why the run cannot start. */
async function planTasks(trx: Kysely<Schema>, ref: RunRef): Promise<TaskRecord[] | string> {
  const stored = await getPipelineTaskList(trx, ref.namespaceId, ref.pipelineId);
  const commonTasks = stored.commonTasks ?? [];
  const missing = missingParents([
    ...stored.tasks,
    ...commonTasks.map((task) => ({ id: task.label, depends_on: task.depends_on })),
  ]);
  if (missing.length > 0) {
    return (
      missing.map((m) => `task ${JSON.stringify(m.task)} depends on ${JSON.stringify(m.parent)}`).join("; ") +
      ", which is not a task of the pipeline"
    );
  }
  const records: TaskRecord[] = stored.tasks.map((task) => ({
    id: task.id,
    description: task.description,
    image: task.image,
    registry_auth: task.registry_auth,
    depends_on: task.depends_on,
    variables: task.variables,
    entrypoint: task.entrypoint,
    command: task.command,
  }));
  for (const task of commonTasks) {
    const registration = await getCommonTaskRegistration(trx, task.name);
    records.push(commonTaskRecord(task, registration?.image ?? ""));
  }
  return records;
}
