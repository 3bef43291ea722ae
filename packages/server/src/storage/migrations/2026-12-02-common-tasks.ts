// Common tasks (spec §9.5): installed registrations, and the common tasks of each pipeline — with their description
// and depends_on, which the original did not store (§9.7 S14).
import { type Kysely, sql } from "kysely";

// biome-ignore lint/suspicious/noExplicitAny: migrations must not depend on the current app schema
type AnyDb = Kysely<any>;

const json = (column: string) => sql.raw(`json_valid(${column})`);

export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable("common_task_registrations")
    .ifNotExists()
    .addColumn("name", "text", (c) => c.primaryKey())
    .addColumn("image", "text", (c) => c.notNull())
    .addColumn("registry_auth", "text", (c) => c.check(json("registry_auth")))
    .addColumn("variables", "text", (c) => c.notNull().check(json("variables")))
    .addColumn("created", "integer", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull().check(sql.raw("status IN ('ENABLED', 'DISABLED')")))
    .addColumn("documentation", "text", (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("pipeline_common_tasks")
    .ifNotExists()
    .addColumn("namespace_id", "text", (c) => c.notNull())
    .addColumn("pipeline_id", "text", (c) => c.notNull())
    .addColumn("label", "text", (c) => c.notNull())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("description", "text", (c) => c.notNull())
    .addColumn("depends_on", "text", (c) => c.notNull().check(json("depends_on")))
    .addColumn("settings", "text", (c) => c.notNull().check(json("settings")))
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
