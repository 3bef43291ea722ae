// Runs are numbered 1, 2, 3… within their pipeline. insertRun allocates the number and inserts the row in one
// INSERT … SELECT statement, which sqlite executes atomically, so concurrent inserts never share a number, and the
// function also composes inside a caller's transaction (e.g. together with the event that started the run).

import { type Insertable, type Kysely, type Selectable, sql } from "kysely";
import { fromJsonColumn, fromNullableJsonColumn, toJsonColumn } from "./json-column.js";
import type { Page } from "./page.js";
import type { RunRow, RunState, RunStatus, RunStatusReasonRecord, RunTable, Schema, VariableRecord } from "./schema.js";

export type NewRunRow = Omit<RunRow, "id">;

/** Inserts the run under the pipeline's next run number. @throws on a missing pipeline (isForeignKeyViolation). */
export async function insertRun(db: Kysely<Schema>, row: NewRunRow): Promise<RunRow> {
  const values = encodeNewRun(row);
  const columns = Object.keys(values) as (keyof typeof values)[];
  // INSERT INTO runs (<columns>, id) SELECT <values>, coalesce(max(id), 0) + 1 FROM runs WHERE <same pipeline>
  const inserted = await db
    .insertInto("runs")
    .columns([...columns, "id"])
    .expression((eb) =>
      eb
        .selectFrom("runs")
        .select((s) => [
          ...columns.map((column) => s.val(values[column]).as(column)),
          sql<number>`coalesce(max(id), 0) + 1`.as("id"),
        ])
        .where("namespace_id", "=", row.namespace_id)
        .where("pipeline_id", "=", row.pipeline_id),
    )
    .returningAll()
    .executeTakeFirstOrThrow();
  return decodeRun(inserted);
}

export async function getRun(
  db: Kysely<Schema>,
  namespaceId: string,
  pipelineId: string,
  id: number,
): Promise<RunRow | undefined> {
  const row = await db
    .selectFrom("runs")
    .selectAll()
    .where("namespace_id", "=", namespaceId)
    .where("pipeline_id", "=", pipelineId)
    .where("id", "=", id)
    .executeTakeFirst();
  return row && decodeRun(row);
}

export interface ListRunsOptions extends Page {
  readonly namespaceId: string;
  readonly pipelineId: string;
}

/** Newest first (highest run number), as `gofer run list` shows them. */
export async function listRuns(db: Kysely<Schema>, options: ListRunsOptions): Promise<RunRow[]> {
  const rows = await db
    .selectFrom("runs")
    .selectAll()
    .where("namespace_id", "=", options.namespaceId)
    .where("pipeline_id", "=", options.pipelineId)
    .orderBy("id", "desc")
    .limit(options.limit)
    .offset(options.offset ?? 0)
    .execute();
  return rows.map(decodeRun);
}

export interface RunsByStateFilter {
  readonly states: readonly RunState[];
  readonly namespaceId?: string;
  readonly pipelineId?: string;
}

/** Runs in any of `states`, oldest first: unfinished runs for orphan repair, active ones for parallelism. */
export async function listRunsByState(db: Kysely<Schema>, filter: RunsByStateFilter): Promise<RunRow[]> {
  if (filter.states.length === 0) return [];
  let query = db.selectFrom("runs").selectAll().where("state", "in", filter.states);
  if (filter.namespaceId !== undefined) query = query.where("namespace_id", "=", filter.namespaceId);
  if (filter.pipelineId !== undefined) query = query.where("pipeline_id", "=", filter.pipelineId);
  const rows = await query.orderBy("started").orderBy("namespace_id").orderBy("pipeline_id").orderBy("id").execute();
  return rows.map(decodeRun);
}

export async function countRunsByState(db: Kysely<Schema>, filter: RunsByStateFilter): Promise<number> {
  if (filter.states.length === 0) return 0;
  let query = db
    .selectFrom("runs")
    .select((eb) => eb.fn.countAll<number>().as("count"))
    .where("state", "in", filter.states);
  if (filter.namespaceId !== undefined) query = query.where("namespace_id", "=", filter.namespaceId);
  if (filter.pipelineId !== undefined) query = query.where("pipeline_id", "=", filter.pipelineId);
  const { count } = await query.executeTakeFirstOrThrow();
  return Number(count);
}

export interface RunChanges {
  readonly started?: number;
  readonly ended?: number | null;
  readonly state?: RunState;
  readonly status?: RunStatus;
  readonly status_reason?: RunStatusReasonRecord | null;
  readonly variables?: readonly VariableRecord[];
  readonly store_objects_expired?: boolean;
}

/** @returns false when there is no such run. */
export async function updateRun(
  db: Kysely<Schema>,
  namespaceId: string,
  pipelineId: string,
  id: number,
  changes: RunChanges,
): Promise<boolean> {
  const set = {
    ...(changes.started !== undefined && { started: changes.started }),
    ...(changes.ended !== undefined && { ended: changes.ended }),
    ...(changes.state !== undefined && { state: changes.state }),
    ...(changes.status !== undefined && { status: changes.status }),
    ...(changes.status_reason !== undefined && {
      status_reason: changes.status_reason === null ? null : toJsonColumn(changes.status_reason),
    }),
    ...(changes.variables !== undefined && { variables: toJsonColumn(changes.variables) }),
    ...(changes.store_objects_expired !== undefined && {
      store_objects_expired: changes.store_objects_expired ? 1 : 0,
    }),
  };
  if (Object.keys(set).length === 0) return (await getRun(db, namespaceId, pipelineId, id)) !== undefined;
  const result = await db
    .updateTable("runs")
    .set(set)
    .where("namespace_id", "=", namespaceId)
    .where("pipeline_id", "=", pipelineId)
    .where("id", "=", id)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

function encodeNewRun(row: NewRunRow): Omit<Insertable<RunTable>, "id"> {
  return {
    namespace_id: row.namespace_id,
    pipeline_id: row.pipeline_id,
    started: row.started,
    ended: row.ended,
    state: row.state,
    status: row.status,
    status_reason: row.status_reason === null ? null : toJsonColumn(row.status_reason),
    trigger_name: row.trigger_name,
    trigger_label: row.trigger_label,
    variables: toJsonColumn(row.variables),
    store_objects_expired: row.store_objects_expired ? 1 : 0,
    event_id: row.event_id,
  };
}

function decodeRun(row: Selectable<RunTable>): RunRow {
  return {
    ...row,
    status_reason: fromNullableJsonColumn(row.status_reason, "runs.status_reason"),
    variables: fromJsonColumn(row.variables, "runs.variables"),
    store_objects_expired: row.store_objects_expired === 1,
  };
}

/** Ids and states of a pipeline's runs, newest first, skipping `offset` (no JSON decoding: cheap to call often). */
export async function listRunStates(
  db: Kysely<Schema>,
  namespaceId: string,
  pipelineId: string,
  page: Page,
): Promise<Array<{ id: number; state: RunState }>> {
  return db
    .selectFrom("runs")
    .select(["id", "state"])
    .where("namespace_id", "=", namespaceId)
    .where("pipeline_id", "=", pipelineId)
    .orderBy("id", "desc")
    .limit(page.limit)
    .offset(page.offset ?? 0)
    .execute();
}
