import { type Insertable, type Kysely, type Selectable, sql } from "kysely";
import { fromJsonColumn, fromNullableJsonColumn, toJsonColumn } from "./json-column.js";
import { type Params, type PreparedQuery, preparedQuery } from "./prepared-query.js";
import { newestRunNumber } from "./run-repository.js";
import type {
  Schema,
  TaskRunRow,
  TaskRunState,
  TaskRunStatus,
  TaskRunStatusReasonRecord,
  TaskRunTable,
  VariableRecord,
} from "./schema.js";

/** @throws on a duplicate id in the run (isUniqueViolation) or a missing run (isForeignKeyViolation). */
export async function insertTaskRun(db: Kysely<Schema>, row: TaskRunRow): Promise<void> {
  await insertTaskRuns(db, [row]);
}

/** A run's task runs in as few statements as the row limit allows (one for most pipelines). */
export async function insertTaskRuns(db: Kysely<Schema>, rows: readonly TaskRunRow[]): Promise<void> {
  for (let i = 0; i < rows.length; i += INSERT_ROWS_LIMIT) {
    const chunk = rows.slice(i, i + INSERT_ROWS_LIMIT);
    const values: Record<string, unknown> = {};
    for (const [n, row] of chunk.entries()) {
      for (const [column, value] of Object.entries(encodeTaskRun(row))) values[`${column}${n}`] = value;
    }
    await insertTaskRunsQuery(chunk.length)(db, values);
  }
}

/** 16 columns a row: 32 rows stay far below both engines' limit on bound parameters. */
const INSERT_ROWS_LIMIT = 32;
const TASK_RUN_COLUMNS = [
  "namespace_id",
  "pipeline_id",
  "run_id",
  "id",
  "task",
  "created",
  "started",
  "ended",
  "exit_code",
  "state",
  "status",
  "status_reason",
  "logs_expired",
  "logs_removed",
  "variables",
  "scheduler_id",
] as const satisfies readonly (keyof TaskRunTable)[];

/** One prepared INSERT per row count (the SQL text grows with it). */
const insertTaskRunsQueries = new Map<number, PreparedQuery<Record<string, unknown>, unknown>>();

function insertTaskRunsQuery(count: number): PreparedQuery<Record<string, unknown>, unknown> {
  let query = insertTaskRunsQueries.get(count);
  if (!query) {
    query = preparedQuery((db, p: Params<Record<string, unknown>>) =>
      db
        .insertInto("task_runs")
        .values(
          Array.from(
            { length: count },
            (_, n) => Object.fromEntries(TASK_RUN_COLUMNS.map((c) => [c, p[`${c}${n}`]])) as Insertable<TaskRunTable>,
          ),
        ),
    );
    insertTaskRunsQueries.set(count, query);
  }
  return query;
}

export async function getTaskRun(
  db: Kysely<Schema>,
  namespaceId: string,
  pipelineId: string,
  runId: number,
  id: string,
): Promise<TaskRunRow | undefined> {
  const { rows } = await getTaskRunQuery(db, { namespaceId, pipelineId, runId, id });
  return rows[0] && decodeTaskRun(rows[0]);
}

type TaskRunKey = { namespaceId: string; pipelineId: string; runId: number; id: string };

const getTaskRunQuery = preparedQuery((db, p: Params<TaskRunKey>) =>
  db
    .selectFrom("task_runs")
    .selectAll()
    .where("namespace_id", "=", p.namespaceId)
    .where("pipeline_id", "=", p.pipelineId)
    .where("run_id", "=", p.runId)
    .where("id", "=", p.id),
);

/**
 * The container started: RUNNING with its scheduler id, unless the task run is COMPLETE already (a cancel or repair
 * finished it), so nothing has to be read first. @returns whether it changed.
 */
export async function markTaskRunStarted(
  db: Kysely<Schema>,
  key: TaskRunKey,
  started: number,
  schedulerId: string,
): Promise<boolean> {
  const result = await markTaskRunStartedQuery(db, { ...key, started, schedulerId });
  return (result.numAffectedRows ?? 0n) > 0n;
}

const markTaskRunStartedQuery = preparedQuery((db, p: Params<TaskRunKey & { started: number; schedulerId: string }>) =>
  db
    .updateTable("task_runs")
    .set({ state: "RUNNING", started: p.started, scheduler_id: p.schedulerId })
    .where("namespace_id", "=", p.namespaceId)
    .where("pipeline_id", "=", p.pipelineId)
    .where("run_id", "=", p.runId)
    .where("id", "=", p.id)
    .where("state", "<>", "COMPLETE"),
);

export interface TaskRunCompletion {
  readonly status: TaskRunStatus;
  readonly status_reason: TaskRunStatusReasonRecord | null;
  readonly exit_code: number | null;
  readonly ended: number;
}

/** → COMPLETE, guarded: one COMPLETE already stays as it is. @returns whether it changed. */
export async function markTaskRunComplete(
  db: Kysely<Schema>,
  key: TaskRunKey,
  completion: TaskRunCompletion,
): Promise<boolean> {
  const result = await markTaskRunCompleteQuery(db, {
    ...key,
    status: completion.status,
    statusReason: completion.status_reason === null ? null : toJsonColumn(completion.status_reason),
    exitCode: completion.exit_code,
    ended: completion.ended,
  });
  return (result.numAffectedRows ?? 0n) > 0n;
}

const markTaskRunCompleteQuery = preparedQuery(
  (
    db,
    p: Params<
      TaskRunKey & { status: TaskRunStatus; statusReason: string | null; exitCode: number | null; ended: number }
    >,
  ) =>
    db
      .updateTable("task_runs")
      .set({
        state: "COMPLETE",
        status: p.status,
        status_reason: p.statusReason,
        exit_code: p.exitCode,
        ended: p.ended,
      })
      .where("namespace_id", "=", p.namespaceId)
      .where("pipeline_id", "=", p.pipelineId)
      .where("run_id", "=", p.runId)
      .where("id", "=", p.id)
      .where("state", "<>", "COMPLETE"),
);

/** The run's task runs in creation order. */
export async function listTaskRuns(
  db: Kysely<Schema>,
  namespaceId: string,
  pipelineId: string,
  runId: number,
): Promise<TaskRunRow[]> {
  const { rows } = await listTaskRunsQuery(db, { namespaceId, pipelineId, runId });
  return rows.map(decodeTaskRun);
}

const listTaskRunsQuery = preparedQuery((db, p: Params<{ namespaceId: string; pipelineId: string; runId: number }>) =>
  db
    .selectFrom("task_runs")
    .selectAll()
    .where("namespace_id", "=", p.namespaceId)
    .where("pipeline_id", "=", p.pipelineId)
    .where("run_id", "=", p.runId)
    .orderBy("created")
    .orderBy("id"),
);

/**
 * The ids of the task runs of runs `fromRunId`…`toRunId` of a pipeline, each run's in creation order: one range scan
 * for a whole page of runs instead of a query per run.
 */
export async function listTaskRunIds(
  db: Kysely<Schema>,
  namespaceId: string,
  pipelineId: string,
  fromRunId: number,
  toRunId: number,
): Promise<Map<number, string[]>> {
  const { rows } = await listTaskRunIdsQuery(db, { namespaceId, pipelineId, fromRunId, toRunId });
  const byRun = new Map<number, string[]>();
  for (const row of rows) {
    const ids = byRun.get(row.run_id);
    if (ids) ids.push(row.id);
    else byRun.set(row.run_id, [row.id]);
  }
  return byRun;
}

const listTaskRunIdsQuery = preparedQuery(
  (db, p: Params<{ namespaceId: string; pipelineId: string; fromRunId: number; toRunId: number }>) =>
    db
      .selectFrom("task_runs")
      .select(["run_id", "id"])
      .where("namespace_id", "=", p.namespaceId)
      .where("pipeline_id", "=", p.pipelineId)
      .where("run_id", ">=", p.fromRunId)
      .where("run_id", "<=", p.toRunId)
      .orderBy("run_id")
      .orderBy("created")
      .orderBy("id"),
);

export interface TaskRunsByStateFilter {
  readonly states: readonly TaskRunState[];
  readonly namespaceId?: string;
  readonly pipelineId?: string;
  readonly runId?: number;
}

/** Task runs in any of `states`, oldest first (orphan repair looks for unfinished ones at boot). */
export async function listTaskRunsByState(db: Kysely<Schema>, filter: TaskRunsByStateFilter): Promise<TaskRunRow[]> {
  if (filter.states.length === 0) return [];
  let query = db.selectFrom("task_runs").selectAll().where("state", "in", filter.states);
  if (filter.namespaceId !== undefined) query = query.where("namespace_id", "=", filter.namespaceId);
  if (filter.pipelineId !== undefined) query = query.where("pipeline_id", "=", filter.pipelineId);
  if (filter.runId !== undefined) query = query.where("run_id", "=", filter.runId);
  const rows = await query.orderBy("created").orderBy("id").execute();
  return rows.map(decodeTaskRun);
}

export interface TaskRunChanges {
  readonly started?: number | null;
  readonly ended?: number | null;
  readonly exit_code?: number | null;
  readonly state?: TaskRunState;
  readonly status?: TaskRunStatus;
  readonly status_reason?: TaskRunStatusReasonRecord | null;
  readonly logs_expired?: boolean;
  readonly logs_removed?: boolean;
  readonly variables?: readonly VariableRecord[];
  readonly scheduler_id?: string | null;
}

/** @returns false when there is no such task run. */
export async function updateTaskRun(
  db: Kysely<Schema>,
  namespaceId: string,
  pipelineId: string,
  runId: number,
  id: string,
  changes: TaskRunChanges,
): Promise<boolean> {
  const set = {
    ...(changes.started !== undefined && { started: changes.started }),
    ...(changes.ended !== undefined && { ended: changes.ended }),
    ...(changes.exit_code !== undefined && { exit_code: changes.exit_code }),
    ...(changes.state !== undefined && { state: changes.state }),
    ...(changes.status !== undefined && { status: changes.status }),
    ...(changes.status_reason !== undefined && {
      status_reason: changes.status_reason === null ? null : toJsonColumn(changes.status_reason),
    }),
    ...(changes.logs_expired !== undefined && { logs_expired: changes.logs_expired ? 1 : 0 }),
    ...(changes.logs_removed !== undefined && { logs_removed: changes.logs_removed ? 1 : 0 }),
    ...(changes.variables !== undefined && { variables: toJsonColumn(changes.variables) }),
    ...(changes.scheduler_id !== undefined && { scheduler_id: changes.scheduler_id }),
  };
  if (Object.keys(set).length === 0) {
    return (await getTaskRun(db, namespaceId, pipelineId, runId, id)) !== undefined;
  }
  const result = await db
    .updateTable("task_runs")
    .set(set)
    .where("namespace_id", "=", namespaceId)
    .where("pipeline_id", "=", pipelineId)
    .where("run_id", "=", runId)
    .where("id", "=", id)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** Marks every task run of the run as having expired logs (task_execution_log_expiry). @returns rows changed. */
export async function markTaskRunLogsExpired(
  db: Kysely<Schema>,
  namespaceId: string,
  pipelineId: string,
  runId: number,
): Promise<number> {
  const result = await db
    .updateTable("task_runs")
    .set({ logs_expired: 1 })
    .where("namespace_id", "=", namespaceId)
    .where("pipeline_id", "=", pipelineId)
    .where("run_id", "=", runId)
    .where("logs_expired", "=", 0)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

function encodeTaskRun(row: TaskRunRow): Insertable<TaskRunTable> {
  return {
    namespace_id: row.namespace_id,
    pipeline_id: row.pipeline_id,
    run_id: row.run_id,
    id: row.id,
    task: toJsonColumn(row.task),
    created: row.created,
    started: row.started,
    ended: row.ended,
    exit_code: row.exit_code,
    state: row.state,
    status: row.status,
    status_reason: row.status_reason === null ? null : toJsonColumn(row.status_reason),
    logs_expired: row.logs_expired ? 1 : 0,
    logs_removed: row.logs_removed ? 1 : 0,
    variables: toJsonColumn(row.variables),
    scheduler_id: row.scheduler_id,
  };
}

function decodeTaskRun(row: Selectable<TaskRunTable>): TaskRunRow {
  return {
    ...row,
    task: fromJsonColumn(row.task, "task_runs.task"),
    status_reason: fromNullableJsonColumn(row.status_reason, "task_runs.status_reason"),
    logs_expired: row.logs_expired === 1,
    logs_removed: row.logs_removed === 1,
    variables: fromJsonColumn(row.variables, "task_runs.variables"),
  };
}

/**
 * Task runs whose logs have not expired yet, of the pipeline's COMPLETE runs among the `limit` runs that come after
 * its newest `offset` ones. Run numbers are dense (1, 2, 3… and runs are only deleted with their pipeline), so the
 * window is a range of run numbers below the newest: one range scan of task_runs however long the history.
 */
export async function listExpirableTaskRuns(
  db: Kysely<Schema>,
  namespaceId: string,
  pipelineId: string,
  window: { offset: number; limit: number },
): Promise<Array<{ run_id: number; id: string }>> {
  const { rows } = await listExpirableTaskRunsQuery(db, { namespaceId, pipelineId, ...window });
  return rows;
}

const listExpirableTaskRunsQuery = preparedQuery(
  (db, p: Params<{ namespaceId: string; pipelineId: string; offset: number; limit: number }>) => {
    // `last` first: Postgres binds the join below to the FROM item just before it, which must be `t`.
    return db
      .with("last", () => newestRunNumber(db, p.namespaceId, p.pipelineId))
      .selectFrom(["last", "task_runs as t"])
      .innerJoin("runs as r", (join) =>
        join
          .onRef("r.namespace_id", "=", "t.namespace_id")
          .onRef("r.pipeline_id", "=", "t.pipeline_id")
          .onRef("r.id", "=", "t.run_id"),
      )
      .select(["t.run_id", "t.id"])
      .where("t.namespace_id", "=", p.namespaceId)
      .where("t.pipeline_id", "=", p.pipelineId)
      .where(sql<boolean>`t.run_id <= last.id - ${p.offset}`)
      .where(sql<boolean>`t.run_id > last.id - ${p.offset} - ${p.limit}`)
      .where("t.logs_expired", "=", 0)
      .where("r.state", "=", "COMPLETE")
      .orderBy("t.run_id")
      .orderBy("t.id");
  },
);
