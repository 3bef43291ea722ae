// A pipeline is stored as one `pipelines` row plus its `pipeline_tasks` and `pipeline_trigger_subscriptions`
// rows. They are only ever written together, by replacePipeline, so readers never see a pipeline with half of
// an update applied (v0.4 could lose a pipeline on a failed update, spec §7 #13).

import type { ExpressionBuilder, Insertable, Kysely, Selectable } from "kysely";
import { listPipelineCommonTasks, replacePipelineCommonTasks } from "./common-task-repository.js";
import { fromJsonColumn, fromNullableJsonColumn, toJsonColumn } from "./json-column.js";
import type { Page } from "./page.js";
import { type Params, preparedQuery } from "./prepared-query.js";
import type {
  PipelineCommonTaskRow,
  PipelineErrorRecord,
  PipelineRow,
  PipelineState,
  PipelineTable,
  PipelineTaskRow,
  PipelineTaskTable,
  PipelineTriggerSubscriptionRow,
  PipelineTriggerSubscriptionTable,
  Schema,
} from "./schema.js";
import { transaction } from "./transaction.js";

export interface StoredPipeline {
  readonly pipeline: PipelineRow;
  readonly tasks: readonly PipelineTaskRow[];
  readonly subscriptions: readonly PipelineTriggerSubscriptionRow[];
  /** Its common tasks (pipeline_common_tasks); absent = none. */
  readonly commonTasks?: readonly PipelineCommonTaskRow[];
}

/**
 * Creates the pipeline or replaces an existing one (same namespace and id) with its tasks and subscriptions, all
 * in one transaction: if any row is refused, the previous version stays as it was. Replacing keeps the stored
 * `created` and the pipeline's runs (an upsert, never delete-and-insert, which would cascade to the runs).
 */
export async function replacePipeline(db: Kysely<Schema>, stored: StoredPipeline): Promise<void> {
  const { pipeline, tasks, subscriptions } = stored;
  for (const child of [...tasks, ...subscriptions]) {
    if (child.namespace_id !== pipeline.namespace_id || child.pipeline_id !== pipeline.id) {
      throw new Error(
        `pipeline ${pipeline.namespace_id}/${pipeline.id}: child row belongs to ${child.namespace_id}/${child.pipeline_id}`,
      );
    }
  }
  await transaction(db, async (trx) => {
    await trx
      .insertInto("pipelines")
      .values(encodePipeline(pipeline))
      .onConflict((conflict) =>
        conflict.columns(["namespace_id", "id"]).doUpdateSet((eb) => ({
          name: eb.ref("excluded.name"),
          description: eb.ref("excluded.description"),
          parallelism: eb.ref("excluded.parallelism"),
          state: eb.ref("excluded.state"),
          modified: eb.ref("excluded.modified"),
          errors: eb.ref("excluded.errors"),
        })),
      )
      .execute();
    const ofPipeline = { namespace_id: pipeline.namespace_id, pipeline_id: pipeline.id };
    await trx.deleteFrom("pipeline_tasks").where(whereChildOf(ofPipeline)).execute();
    await trx.deleteFrom("pipeline_trigger_subscriptions").where(whereChildOf(ofPipeline)).execute();
    if (tasks.length > 0) await trx.insertInto("pipeline_tasks").values(tasks.map(encodeTask)).execute();
    if (subscriptions.length > 0) {
      await trx.insertInto("pipeline_trigger_subscriptions").values(subscriptions.map(encodeSubscription)).execute();
    }
    await replacePipelineCommonTasks(trx, pipeline.namespace_id, pipeline.id, stored.commonTasks ?? []);
  });
}

export async function getPipeline(
  db: Kysely<Schema>,
  namespaceId: string,
  id: string,
): Promise<PipelineRow | undefined> {
  const { rows } = await getPipelineQuery(db, { namespaceId, id });
  return rows[0] && decodePipeline(rows[0]);
}

const getPipelineQuery = preparedQuery((db, p: Params<{ namespaceId: string; id: string }>) =>
  db.selectFrom("pipelines").selectAll().where("namespace_id", "=", p.namespaceId).where("id", "=", p.id),
);

type ChildKey = { namespaceId: string; pipelineId: string };

/** The pipeline with its tasks, read in one transaction so they belong to the same version (what a run starts from). */
export async function getPipelineWithTasks(
  db: Kysely<Schema>,
  namespaceId: string,
  id: string,
): Promise<Omit<StoredPipeline, "subscriptions"> | undefined> {
  return transaction(db, async (trx) => {
    const pipeline = await getPipeline(trx, namespaceId, id);
    if (pipeline === undefined) return undefined;
    const commonTasks = await listPipelineCommonTasks(trx, namespaceId, id);
    return {
      pipeline,
      tasks: await listPipelineTasks(trx, namespaceId, id),
      ...(commonTasks.length > 0 ? { commonTasks } : {}),
    };
  });
}

/**
 * The tasks and common tasks a run of the pipeline starts with, read in one transaction so they belong to the same
 * version; none for a missing pipeline (whose runs are gone with it).
 */
export async function getPipelineTaskList(
  db: Kysely<Schema>,
  namespaceId: string,
  id: string,
): Promise<Pick<StoredPipeline, "tasks" | "commonTasks">> {
  return transaction(db, async (trx) => {
    const commonTasks = await listPipelineCommonTasks(trx, namespaceId, id);
    return {
      tasks: await listPipelineTasks(trx, namespaceId, id),
      ...(commonTasks.length > 0 ? { commonTasks } : {}),
    };
  });
}

/** The pipeline with its tasks and subscriptions, read in one transaction so they belong to the same version. */
export async function getStoredPipeline(
  db: Kysely<Schema>,
  namespaceId: string,
  id: string,
): Promise<StoredPipeline | undefined> {
  return transaction(db, async (trx) => {
    const withTasks = await getPipelineWithTasks(trx, namespaceId, id);
    if (withTasks === undefined) return undefined;
    return { ...withTasks, subscriptions: await listPipelineTriggerSubscriptions(trx, namespaceId, id) };
  });
}

export interface ListPipelinesOptions extends Page {
  readonly namespaceId: string;
}

/** Ordered by id, so pages are stable while pipelines are added. */
export async function listPipelines(db: Kysely<Schema>, options: ListPipelinesOptions): Promise<PipelineRow[]> {
  const rows = await db
    .selectFrom("pipelines")
    .selectAll()
    .where("namespace_id", "=", options.namespaceId)
    .orderBy("id")
    .limit(options.limit)
    .offset(options.offset ?? 0)
    .execute();
  return rows.map(decodePipeline);
}

export interface PipelineChanges {
  readonly state?: PipelineState;
  readonly errors?: readonly PipelineErrorRecord[];
  readonly modified: number;
}

/** Changes state and/or errors without touching tasks or subscriptions. @returns false when there is no such pipeline. */
export async function updatePipeline(
  db: Kysely<Schema>,
  namespaceId: string,
  id: string,
  changes: PipelineChanges,
): Promise<boolean> {
  const result = await db
    .updateTable("pipelines")
    .set({
      modified: changes.modified,
      ...(changes.state !== undefined && { state: changes.state }),
      ...(changes.errors !== undefined && { errors: toJsonColumn(changes.errors) }),
    })
    .where("namespace_id", "=", namespaceId)
    .where("id", "=", id)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/**
 * Deletes the pipeline with its tasks, subscriptions, runs, task runs and event outcome counts (so a pipeline made
 * again with the same id starts from zero). @returns false when there was none.
 */
export async function deletePipeline(db: Kysely<Schema>, namespaceId: string, id: string): Promise<boolean> {
  await db
    .deleteFrom("event_outcome_counts")
    .where("namespace_id", "=", namespaceId)
    .where("pipeline_id", "=", id)
    .execute();
  const result = await db
    .deleteFrom("pipelines")
    .where("namespace_id", "=", namespaceId)
    .where("id", "=", id)
    .executeTakeFirst();
  return result.numDeletedRows > 0n;
}

export async function listPipelineTasks(
  db: Kysely<Schema>,
  namespaceId: string,
  pipelineId: string,
): Promise<PipelineTaskRow[]> {
  const { rows } = await listPipelineTasksQuery(db, { namespaceId, pipelineId });
  return rows.map(decodeTask);
}

const listPipelineTasksQuery = preparedQuery((db, p: Params<ChildKey>) =>
  db
    .selectFrom("pipeline_tasks")
    .selectAll()
    .where("namespace_id", "=", p.namespaceId)
    .where("pipeline_id", "=", p.pipelineId)
    .orderBy("id"),
);

export async function listPipelineTriggerSubscriptions(
  db: Kysely<Schema>,
  namespaceId: string,
  pipelineId: string,
): Promise<PipelineTriggerSubscriptionRow[]> {
  const { rows } = await listPipelineTriggerSubscriptionsQuery(db, { namespaceId, pipelineId });
  return rows.map(decodeSubscription);
}

const listPipelineTriggerSubscriptionsQuery = preparedQuery((db, p: Params<ChildKey>) =>
  db
    .selectFrom("pipeline_trigger_subscriptions")
    .selectAll()
    .where("namespace_id", "=", p.namespaceId)
    .where("pipeline_id", "=", p.pipelineId)
    .orderBy("label"),
);

/** The pipeline's subscription with that label, if it has one. */
export async function getPipelineTriggerSubscription(
  db: Kysely<Schema>,
  namespaceId: string,
  pipelineId: string,
  label: string,
): Promise<PipelineTriggerSubscriptionRow | undefined> {
  const { rows } = await getPipelineTriggerSubscriptionQuery(db, { namespaceId, pipelineId, label });
  return rows[0] && decodeSubscription(rows[0]);
}

const getPipelineTriggerSubscriptionQuery = preparedQuery((db, p: Params<ChildKey & { label: string }>) =>
  db
    .selectFrom("pipeline_trigger_subscriptions")
    .selectAll()
    .where("namespace_id", "=", p.namespaceId)
    .where("pipeline_id", "=", p.pipelineId)
    .where("label", "=", p.label),
);

/**
 * Every subscription of every pipeline (disabled ones included), optionally only those naming one trigger — what
 * restoring subscriptions at boot, or after a trigger (re)starts, needs. One query, no paging, so nothing is
 * visited twice (spec §7 #5).
 */
export async function listTriggerSubscriptions(
  db: Kysely<Schema>,
  filter: { readonly triggerName?: string } = {},
): Promise<PipelineTriggerSubscriptionRow[]> {
  let query = db.selectFrom("pipeline_trigger_subscriptions").selectAll();
  if (filter.triggerName !== undefined) query = query.where("trigger_name", "=", filter.triggerName);
  const rows = await query.orderBy("namespace_id").orderBy("pipeline_id").orderBy("label").execute();
  return rows.map(decodeSubscription);
}

function whereChildOf(key: { namespace_id: string; pipeline_id: string }) {
  return (eb: ExpressionBuilder<Schema, "pipeline_tasks" | "pipeline_trigger_subscriptions">) =>
    eb.and([eb("namespace_id", "=", key.namespace_id), eb("pipeline_id", "=", key.pipeline_id)]);
}

// Encoders name every column so that extra properties on a caller's object never reach the SQL.

function encodePipeline(row: PipelineRow): Insertable<PipelineTable> {
  return {
    namespace_id: row.namespace_id,
    id: row.id,
    name: row.name,
    description: row.description,
    parallelism: row.parallelism,
    state: row.state,
    created: row.created,
    modified: row.modified,
    errors: toJsonColumn(row.errors),
  };
}

function decodePipeline(row: Selectable<PipelineTable>): PipelineRow {
  return { ...row, errors: fromJsonColumn(row.errors, "pipelines.errors") };
}

function encodeTask(row: PipelineTaskRow): Insertable<PipelineTaskTable> {
  return {
    namespace_id: row.namespace_id,
    pipeline_id: row.pipeline_id,
    id: row.id,
    description: row.description,
    image: row.image,
    registry_auth: row.registry_auth === null ? null : toJsonColumn(row.registry_auth),
    depends_on: toJsonColumn(row.depends_on),
    variables: toJsonColumn(row.variables),
    entrypoint: row.entrypoint === null ? null : toJsonColumn(row.entrypoint),
    command: row.command === null ? null : toJsonColumn(row.command),
  };
}

function decodeTask(row: Selectable<PipelineTaskTable>): PipelineTaskRow {
  return {
    ...row,
    registry_auth: fromNullableJsonColumn(row.registry_auth, "pipeline_tasks.registry_auth"),
    depends_on: fromJsonColumn(row.depends_on, "pipeline_tasks.depends_on"),
    variables: fromJsonColumn(row.variables, "pipeline_tasks.variables"),
    entrypoint: fromNullableJsonColumn(row.entrypoint, "pipeline_tasks.entrypoint"),
    command: fromNullableJsonColumn(row.command, "pipeline_tasks.command"),
  };
}

function encodeSubscription(row: PipelineTriggerSubscriptionRow): Insertable<PipelineTriggerSubscriptionTable> {
  return {
    namespace_id: row.namespace_id,
    pipeline_id: row.pipeline_id,
    label: row.label,
    trigger_name: row.trigger_name,
    settings: toJsonColumn(row.settings),
  };
}

function decodeSubscription(row: Selectable<PipelineTriggerSubscriptionTable>): PipelineTriggerSubscriptionRow {
  return { ...row, settings: fromJsonColumn(row.settings, "pipeline_trigger_subscriptions.settings") };
}
