import type { Kysely } from "kysely";
import type { Page } from "./page.js";
import type { NamespaceRow, Schema } from "./schema.js";

/** @throws on a duplicate id (see isUniqueViolation). */
export async function insertNamespace(db: Kysely<Schema>, row: NamespaceRow): Promise<void> {
  const { id, name, description, created, modified } = row;
  await db.insertInto("namespaces").values({ id, name, description, created, modified }).execute();
}

export async function getNamespace(db: Kysely<Schema>, id: string): Promise<NamespaceRow | undefined> {
  return db.selectFrom("namespaces").selectAll().where("id", "=", id).executeTakeFirst();
}

/** Ordered by id, so pages are stable while rows are added. */
export async function listNamespaces(db: Kysely<Schema>, page: Page): Promise<NamespaceRow[]> {
  return db
    .selectFrom("namespaces")
    .selectAll()
    .orderBy("id")
    .limit(page.limit)
    .offset(page.offset ?? 0)
    .execute();
}

export interface NamespaceChanges {
  readonly name: string;
  readonly description: string;
  readonly modified: number;
}

/** @returns false when there is no such namespace. */
export async function updateNamespace(db: Kysely<Schema>, id: string, changes: NamespaceChanges): Promise<boolean> {
  const result = await db.updateTable("namespaces").set(changes).where("id", "=", id).executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** Deletes the namespace with its pipelines, their runs and task runs (ON DELETE CASCADE). */
export async function deleteNamespace(db: Kysely<Schema>, id: string): Promise<boolean> {
  const result = await db.deleteFrom("namespaces").where("id", "=", id).executeTakeFirst();
  return result.numDeletedRows > 0n;
}
