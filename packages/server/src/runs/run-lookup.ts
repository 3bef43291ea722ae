// Reading runs and task runs as domain objects, with NotFoundError messages that name what was asked for.
import type { Kysely } from "kysely";
import { NotFoundError } from "../errors.js";
import { getRun, type ListRunsOptions, listRuns } from "../storage/run-repository.js";
import type { Schema } from "../storage/schema.js";
import { getTaskRun, listTaskRunIds, listTaskRuns } from "../storage/task-run-repository.js";
import { type Run, type TaskRun, toRun, toTaskRun } from "./run.js";
import type { RunRef } from "./run-orchestrator.js";

/** `run 3 of pipeline "build" in namespace "default"`, for messages and logs. */
export function describeRun(ref: RunRef): string {
  return `run ${ref.runId} of pipeline ${JSON.stringify(ref.pipelineId)} in namespace ${JSON.stringify(ref.namespaceId)}`;
}

export function describeTaskRun(ref: RunRef, taskId: string): string {
  return `task run ${JSON.stringify(taskId)} of ${describeRun(ref)}`;
}

export function runKey(ref: RunRef): string {
  return JSON.stringify([ref.namespaceId, ref.pipelineId, ref.runId]);
}

export function runRef(row: { namespace_id: string; pipeline_id: string; id: number }): RunRef {
  return { namespaceId: row.namespace_id, pipelineId: row.pipeline_id, runId: row.id };
}

/** @throws NotFoundError */
export async function findRun(db: Kysely<Schema>, ref: RunRef): Promise<Run> {
  const row = await getRun(db, ref.namespaceId, ref.pipelineId, ref.runId);
  if (!row) throw new NotFoundError(`${describeRun(ref)} not found`);
  const taskRuns = await listTaskRuns(db, ref.namespaceId, ref.pipelineId, ref.runId);
  return toRun(
    row,
    taskRuns.map((t) => t.id),
  );
}

/** @throws NotFoundError */
export async function findTaskRun(db: Kysely<Schema>, ref: RunRef, taskId: string): Promise<TaskRun> {
  const row = await getTaskRun(db, ref.namespaceId, ref.pipelineId, ref.runId, taskId);
  if (!row) {
    if (!(await getRun(db, ref.namespaceId, ref.pipelineId, ref.runId))) {
      throw new NotFoundError(`${describeRun(ref)} not found`);
    }
    throw new NotFoundError(`${describeTaskRun(ref, taskId)} not found`);
  }
  return toTaskRun(row);
}

/** ListRuns: newest first, each with its task run ids. */
export async function listPipelineRuns(db: Kysely<Schema>, options: ListRunsOptions): Promise<Run[]> {
  const rows = await listRuns(db, options);
  const [newest, oldest] = [rows[0], rows.at(-1)];
  if (!newest || !oldest) return [];
  const taskRunIds = await listTaskRunIds(db, options.namespaceId, options.pipelineId, oldest.id, newest.id);
  return rows.map((row) => toRun(row, taskRunIds.get(row.id) ?? []));
}

/** ListTaskRuns: in creation order. */
export async function listRunTaskRuns(db: Kysely<Schema>, ref: RunRef): Promise<TaskRun[]> {
  const rows = await listTaskRuns(db, ref.namespaceId, ref.pipelineId, ref.runId);
  if (rows.length === 0 && !(await getRun(db, ref.namespaceId, ref.pipelineId, ref.runId))) {
    throw new NotFoundError(`${describeRun(ref)} not found`);
  }
  return rows.map(toTaskRun);
}
