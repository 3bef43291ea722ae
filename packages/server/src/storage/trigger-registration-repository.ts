import type { Insertable, Kysely, Selectable } from "kysely";
import { fromJsonColumn, fromNullableJsonColumn, toJsonColumn } from "./json-column.js";
import type { Schema, TriggerRegistrationRow, TriggerRegistrationStatus, TriggerRegistrationTable } from "./schema.js";

/** @throws on a duplicate name (isUniqueViolation). */
export async function insertTriggerRegistration(db: Kysely<Schema>, row: TriggerRegistrationRow): Promise<void> {
  await db.insertInto("trigger_registrations").values(encodeRegistration(row)).execute();
}

export async function getTriggerRegistration(
  db: Kysely<Schema>,
  name: string,
): Promise<TriggerRegistrationRow | undefined> {
  const row = await db.selectFrom("trigger_registrations").selectAll().where("name", "=", name).executeTakeFirst();
  return row && decodeRegistration(row);
}

/** All registrations by name; there are few, so no paging. */
export async function listTriggerRegistrations(db: Kysely<Schema>): Promise<TriggerRegistrationRow[]> {
  const rows = await db.selectFrom("trigger_registrations").selectAll().orderBy("name").execute();
  return rows.map(decodeRegistration);
}

/** @returns false when there is no such registration. */
export async function updateTriggerRegistrationStatus(
  db: Kysely<Schema>,
  name: string,
  status: TriggerRegistrationStatus,
): Promise<boolean> {
  const result = await db
    .updateTable("trigger_registrations")
    .set({ status })
    .where("name", "=", name)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** @returns false when there was none. Pipelines subscribed to the trigger are left alone. */
export async function deleteTriggerRegistration(db: Kysely<Schema>, name: string): Promise<boolean> {
  const result = await db.deleteFrom("trigger_registrations").where("name", "=", name).executeTakeFirst();
  return result.numDeletedRows > 0n;
}

function encodeRegistration(row: TriggerRegistrationRow): Insertable<TriggerRegistrationTable> {
  return {
    name: row.name,
    image: row.image,
    kind: row.kind,
    registry_auth: row.registry_auth === null ? null : toJsonColumn(row.registry_auth),
    variables: toJsonColumn(row.variables),
    created: row.created,
    status: row.status,
  };
}

function decodeRegistration(row: Selectable<TriggerRegistrationTable>): TriggerRegistrationRow {
  return {
    ...row,
    registry_auth: fromNullableJsonColumn(row.registry_auth, "trigger_registrations.registry_auth"),
    variables: fromJsonColumn(row.variables, "trigger_registrations.variables"),
  };
}
