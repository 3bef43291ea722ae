// Runs are numbered 1, 2, 3… within their pipeline. insertRun allocates the number and inserts the row in one
// INSERT … SELECT statement, which sqlite executes atomically, so concurrent inserts never share a number, and the
// function also composes inside a caller's transaction (e.g. together with the event that started the run).

import { type Insertable, type Kysely, type Selectable, sql } from "kysely";
import { fromJsonColumn, fromNullableJsonColumn, toJsonColumn } from "./json-column.js";
import type { Page } from "./page.js";
import { insertRunLocked } from "./postgres-run-insert.js";
import { type Params, type PreparedQuery, preparedQuery } from "./prepared-query.js";
import type { RunRow, RunState, RunStatus, RunStatusReasonRecord, RunTable, Schema, VariableRecord } from "./schema.js";
import { storageEngineOf } from "./storage-engine.js";

export type NewRunRow = Omit<RunRow, "id">;

/** Inserts the run under the pipeline's next run number. @throws on a missing pipeline (isForeignKeyViolation). */
export async function insertRun(db: Kysely<Schema>, row: NewRunRow): Promise<RunRow> {
  const values = encodeNewRun(row);
  // Postgres needs a lock to keep numbers unique across connections (postgres-run-insert.ts).
  const inserted =
    storageEngineOf(db) === "postgres" ? await insertRunLocked(db, values) : (await insertRunQuery(db, values)).rows[0];
  if (!inserted) throw new Error(`inserting a run of pipeline ${row.pipeline_id} returned no row`);
  // The number is all the statement adds: the rest is the row as given, not read back and decoded again.
  return { ...row, id: Number(inserted.id) };
}

type EncodedNewRun = ReturnType<typeof encodeNewRun>;

// INSERT INTO runs (<columns>, id) SELECT <values>, coalesce(max(id), 0) + 1 FROM runs WHERE <same pipeline>
const insertRunQuery = preparedQuery((db, p: Params<EncodedNewRun>) => {
  const columns = Object.keys(encodeNewRun(EXAMPLE_RUN)) as (keyof EncodedNewRun)[];
  return db
    .insertInto("runs")
    .columns([...columns, "id"])
    .expression((eb) =>
      eb
        .selectFrom("runs")
        .select((s) => [
          ...columns.map((column) => s.val(p[column]).as(column)),
          sql<number>`coalesce(max(id), 0) + 1`.as("id"),
        ])
        .where("namespace_id", "=", p.namespace_id)
        .where("pipeline_id", "=", p.pipeline_id),
    )
    .returning("id");
});

/** Any run: encodeNewRun of it names the columns insertRunQuery fills. */
const EXAMPLE_RUN: NewRunRow = {
  namespace_id: "",
  pipeline_id: "",
  started: 0,
  ended: null,
  state: "PENDING",
  status: "UNKNOWN",
  status_reason: null,
  trigger_name: "",
  trigger_label: "",
  variables: [],
  store_objects_expired: false,
  event_id: null,
};

export async function getRun(
  db: Kysely<Schema>,
  namespaceId: string,
  pipelineId: string,
  id: number,
): Promise<RunRow | undefined> {
  const { rows } = await getRunQuery(db, { namespaceId, pipelineId, id });
  return rows[0] && decodeRun(rows[0]);
}

const getRunQuery = preparedQuery((db, p: Params<{ namespaceId: string; pipelineId: string; id: number }>) =>
  db
    .selectFrom("runs")
    .selectAll()
    .where("namespace_id", "=", p.namespaceId)
    .where("pipeline_id", "=", p.pipelineId)
    .where("id", "=", p.id),
);

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
  const columns = Object.keys(set) as (keyof typeof set)[];
  if (columns.length === 0) return (await getRun(db, namespaceId, pipelineId, id)) !== undefined;
  const result = await updateRunQuery(columns)(db, { ...set, namespaceId, pipelineId, id });
  return (result.numAffectedRows ?? 0n) > 0n;
}

/**
 * PENDING → RUNNING, guarded: the UPDATE changes the run only while it is PENDING, so a second start (or a start after
 * a cancel completed it) changes nothing and nothing has to be read first. @returns whether the run was PENDING.
 */
export async function markRunStarted(db: Kysely<Schema>, namespaceId: string, pipelineId: string, id: number) {
  const result = await markRunStartedQuery(db, { namespaceId, pipelineId, id });
  return (result.numAffectedRows ?? 0n) > 0n;
}

const markRunStartedQuery = preparedQuery((db, p: Params<{ namespaceId: string; pipelineId: string; id: number }>) =>
  db
    .updateTable("runs")
    .set({ state: "RUNNING" })
    .where("namespace_id", "=", p.namespaceId)
    .where("pipeline_id", "=", p.pipelineId)
    .where("id", "=", p.id)
    .where("state", "=", "PENDING"),
);

export interface RunCompletion {
  readonly status: RunStatus;
  readonly status_reason: RunStatusReasonRecord | null;
  readonly ended: number;
}

/** → COMPLETE, guarded: a run already COMPLETE stays as it is. @returns whether it changed (false for a missing run). */
export async function markRunComplete(
  db: Kysely<Schema>,
  namespaceId: string,
  pipelineId: string,
  id: number,
  completion: RunCompletion,
): Promise<boolean> {
  const result = await markRunCompleteQuery(db, {
    namespaceId,
    pipelineId,
    id,
    status: completion.status,
    statusReason: completion.status_reason === null ? null : toJsonColumn(completion.status_reason),
    ended: completion.ended,
  });
  return (result.numAffectedRows ?? 0n) > 0n;
}

const markRunCompleteQuery = preparedQuery(
  (
    db,
    p: Params<{
      namespaceId: string;
      pipelineId: string;
      id: number;
      status: RunStatus;
      statusReason: string | null;
      ended: number;
    }>,
  ) =>
    db
      .updateTable("runs")
      .set({ state: "COMPLETE", status: p.status, status_reason: p.statusReason, ended: p.ended })
      .where("namespace_id", "=", p.namespaceId)
      .where("pipeline_id", "=", p.pipelineId)
      .where("id", "=", p.id)
      .where("state", "<>", "COMPLETE"),
);

type RunColumnValues = Record<string, unknown> & { namespaceId: string; pipelineId: string; id: number };

/** One prepared UPDATE per set of changed columns (a handful in practice: state, completion, variables…). */
const updateRunQueries = new Map<string, PreparedQuery<RunColumnValues, unknown>>();

function updateRunQuery(columns: readonly (keyof RunTable)[]): PreparedQuery<RunColumnValues, unknown> {
  const key = columns.join(",");
  let query = updateRunQueries.get(key);
  if (!query) {
    query = preparedQuery((db, p: Params<RunColumnValues>) =>
      db
        .updateTable("runs")
        .set(Object.fromEntries(columns.map((column) => [column, p[column]])))
        .where("namespace_id", "=", p.namespaceId)
        .where("pipeline_id", "=", p.pipelineId)
        .where("id", "=", p.id),
    );
    updateRunQueries.set(key, query);
  }
  return query;
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

/**
 * Complete runs of the pipeline older than its newest `keepRuns` whose objects have not expired, oldest first; only a
 * window of `limit` runs past the newest `keepRuns` is looked at. Run numbers are dense (1, 2, 3…, deleted only with
 * their pipeline), so the window is a range of numbers below the newest, and only the runs that qualify are read
 * (this runs at every completion: reading and decoding the whole window each time cost more than the run itself).
 */
export async function listRunsWithUnexpiredObjects(
  db: Kysely<Schema>,
  namespaceId: string,
  pipelineId: string,
  options: { keepRuns: number; limit: number },
): Promise<RunRow[]> {
  const { rows } = await unexpiredObjectsQuery(db, { namespaceId, pipelineId, ...options });
  return rows.map(decodeRun);
}

/** Marks a run's objects expired. @returns false when they were marked already (by a completion that came first). */
export async function markRunObjectsExpired(
  db: Kysely<Schema>,
  namespaceId: string,
  pipelineId: string,
  id: number,
): Promise<boolean> {
  const result = await markObjectsExpiredQuery(db, { namespaceId, pipelineId, id });
  return (result.numAffectedRows ?? 0n) > 0n;
}

const markObjectsExpiredQuery = preparedQuery(
  (db, p: Params<{ namespaceId: string; pipelineId: string; id: number }>) =>
    db
      .updateTable("runs")
      .set({ store_objects_expired: 1 })
      .where("namespace_id", "=", p.namespaceId)
      .where("pipeline_id", "=", p.pipelineId)
      .where("id", "=", p.id)
      .where("store_objects_expired", "=", 0),
);

/** The newest run number of a pipeline, as a one-row `id` query: the top of the dense range expiry windows count from. */
export function newestRunNumber(db: Kysely<Schema>, namespaceId: string, pipelineId: string) {
  return db
    .selectFrom("runs")
    .select((eb) => eb.fn.max("id").as("id"))
    .where("namespace_id", "=", namespaceId)
    .where("pipeline_id", "=", pipelineId);
}

const unexpiredObjectsQuery = preparedQuery(
  (db, p: Params<{ namespaceId: string; pipelineId: string; keepRuns: number; limit: number }>) => {
    return db
      .with("last", () => newestRunNumber(db, p.namespaceId, p.pipelineId))
      .selectFrom(["last", "runs as r"])
      .selectAll("r")
      .where("r.namespace_id", "=", p.namespaceId)
      .where("r.pipeline_id", "=", p.pipelineId)
      .where(sql<boolean>`r.id <= last.id - ${p.keepRuns}`)
      .where(sql<boolean>`r.id > last.id - ${p.keepRuns} - ${p.limit}`)
      .where("r.state", "=", "COMPLETE")
      .where("r.store_objects_expired", "=", 0)
      .orderBy("r.id");
  },
);
