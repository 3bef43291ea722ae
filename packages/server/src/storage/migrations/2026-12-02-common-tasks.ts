// Common tasks (spec §9.5): installed registrations, and the common tasks of each pipeline — with their description
// and depends_on, which the original did not store (§9.7 S14).
import { type Kysely, sql } from "kysely";
import { columnTypes } from "./column-types.js";

// biome-ignore lint/suspicious/noExplicitAny: migrations must not depend on the current app schema
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  const t = columnTypes(db);
  await db.schema
    .createTable("common_task_registrations")
    .ifNotExists()
    .addColumn("name", t.text, (c) => c.primaryKey())
    .addColumn("image", t.text, (c) => c.notNull())
    .addColumn("registry_auth", t.text, (c) => c.check(t.json("registry_auth")))
    .addColumn("variables", t.text, (c) => c.notNull().check(t.json("variables")))
    .addColumn("created", t.integer, (c) => c.notNull())
    .addColumn("status", t.text, (c) => c.notNull().check(sql.raw("status IN ('ENABLED', 'DISABLED')")))
    .addColumn("documentation", t.text, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("pipeline_common_tasks")
    .ifNotExists()
    .addColumn("namespace_id", t.text, (c) => c.notNull())
    .addColumn("pipeline_id", t.text, (c) => c.notNull())
    .addColumn("label", t.text, (c) => c.notNull())
    .addColumn("name", t.text, (c) => c.notNull())
    .addColumn("description", t.text, (c) => c.notNull())
    .addColumn("depends_on", t.text, (c) => c.notNull().check(t.json("depends_on")))
    .addColumn("settings", t.text, (c) => c.notNull().check(t.json("settings")))
    .addPrimaryKeyConstraint("pipeline_common_tasks_pk", ["namespace_id", "pipeline_id", "label"])
    .addForeignKeyConstraint(
      "pipeline_common_tasks_pipeline_fk",
      ["namespace_id", "pipeline_id"],
      "pipelines",
      ["namespace_id", "id"],
      (fk) => fk.onDelete("cascade"),
    )
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable("pipeline_common_tasks").ifExists().execute();
  await db.schema.dropTable("common_task_registrations").ifExists().execute();
}
