// Small facts the server keeps about itself, e.g. that the base triggers were installed once (so an admin who
// uninstalls one does not see it come back at the next start).
import type { Kysely } from "kysely";
import { columnTypes } from "./column-types.js";

// biome-ignore lint/suspicious/noExplicitAny: migrations must not depend on the current app schema
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  const t = columnTypes(db);
  await db.schema
    .createTable("server_state")
    .ifNotExists()
    .addColumn("key", t.text, (c) => c.primaryKey())
    .addColumn("value", t.text, (c) => c.notNull())
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable("server_state").ifExists().execute();
}
