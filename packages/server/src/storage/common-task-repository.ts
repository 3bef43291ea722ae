// Common task registrations (spec §9.5) and the common tasks of pipelines.

import type { Insertable, Kysely, Selectable } from "kysely";
import { fromJsonColumn, fromNullableJsonColumn, toJsonColumn } from "./json-column.js";
import { type Params, preparedQuery } from "./prepared-query.js";
import type {
  CommonTaskRegistrationRow,
  CommonTaskRegistrationTable,
  PipelineCommonTaskRow,
  PipelineCommonTaskTable,
  Schema,
  TriggerRegistrationStatus,
} from "./schema.js";

/** @throws on a duplicate name (isUniqueViolation). */
export async function insertCommonTaskRegistration(db: Kysely<Schema>, row: CommonTaskRegistrationRow): Promise<void> {
  await db.insertInto("common_task_registrations").values(encodeRegistration(row)).execute();
}

export async function getCommonTaskRegistration(
  db: Kysely<Schema>,
  name: string,
): Promise<CommonTaskRegistrationRow | undefined> {
  const row = await db.selectFrom("common_task_registrations").selectAll().where("name", "=", name).executeTakeFirst();
  return row && decodeRegistration(row);
}

export async function listCommonTaskRegistrations(db: Kysely<Schema>): Promise<CommonTaskRegistrationRow[]> {
  const rows = await db.selectFrom("common_task_registrations").selectAll().orderBy("name").execute();
  return rows.map(decodeRegistration);
}

/** @returns false when there is no such registration. */
export async function updateCommonTaskRegistrationStatus(
  db: Kysely<Schema>,
  name: string,
  status: TriggerRegistrationStatus,
): Promise<boolean> {
  const result = await db
    .updateTable("common_task_registrations")
    .set({ status })
    .where("name", "=", name)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** @returns false when there was none. Pipelines using it are left alone; their runs fail clearly. */
export async function deleteCommonTaskRegistration(db: Kysely<Schema>, name: string): Promise<boolean> {
  const result = await db.deleteFrom("common_task_registrations").where("name", "=", name).executeTakeFirst();
  return result.numDeletedRows > 0n;
}

export async function listPipelineCommonTasks(
  db: Kysely<Schema>,
  namespaceId: string,
  pipelineId: string,
): Promise<PipelineCommonTaskRow[]> {
  const { rows } = await listPipelineCommonTasksQuery(db, { namespaceId, pipelineId });
  return rows.map(
    (row: Selectable<PipelineCommonTaskTable>): PipelineCommonTaskRow => ({
      ...row,
      depends_on: fromJsonColumn(row.depends_on, "pipeline_common_tasks.depends_on"),
      settings: fromJsonColumn(row.settings, "pipeline_common_tasks.settings"),
    }),
  );
}

const listPipelineCommonTasksQuery = preparedQuery((db, p: Params<{ namespaceId: string; pipelineId: string }>) =>
  db
    .selectFrom("pipeline_common_tasks")
    .selectAll()
    .where("namespace_id", "=", p.namespaceId)
    .where("pipeline_id", "=", p.pipelineId)
    .orderBy("label"),
);

/** Replaces the pipeline's common tasks with `rows` (use inside the transaction that stores the pipeline). */
export async function replacePipelineCommonTasks(
  db: Kysely<Schema>,
  namespaceId: string,
  pipelineId: string,
  rows: readonly PipelineCommonTaskRow[],
): Promise<void> {
  await db
    .deleteFrom("pipeline_common_tasks")
    .where("namespace_id", "=", namespaceId)
    .where("pipeline_id", "=", pipelineId)
    .execute();
  if (rows.length === 0) return;
  await db
    .insertInto("pipeline_common_tasks")
    .values(
      rows.map(
        (row): Insertable<PipelineCommonTaskTable> => ({
          ...row,
          depends_on: toJsonColumn(row.depends_on),
          settings: toJsonColumn(row.settings),
        }),
      ),
    )
    .execute();
}

function encodeRegistration(row: CommonTaskRegistrationRow): Insertable<CommonTaskRegistrationTable> {
  return {
    ...row,
    registry_auth: row.registry_auth === null ? null : toJsonColumn(row.registry_auth),
    variables: toJsonColumn(row.variables),
  };
}

function decodeRegistration(row: Selectable<CommonTaskRegistrationTable>): CommonTaskRegistrationRow {
  return {
    ...row,
    registry_auth: fromNullableJsonColumn(row.registry_auth, "common_task_registrations.registry_auth"),
    variables: fromJsonColumn(row.variables, "common_task_registrations.variables"),
  };
}
