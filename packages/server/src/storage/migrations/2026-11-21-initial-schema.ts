// The first schema. Like every migration it uses Kysely<any> and imports no app code, so it means the same thing
// forever; later changes go in new, later-dated files. `ifNotExists` lets a run that died midway be finished:
// kysely does not wrap sqlite migrations in a transaction.

import { type Kysely, sql } from "kysely";

// biome-ignore lint/suspicious/noExplicitAny: migrations must not depend on the current app schema
type AnyDb = Kysely<any>;

const json = (column: string) => sql.raw(`json_valid(${column})`);
const oneOf = (column: string, values: readonly string[]) =>
  sql.raw(`${column} IN (${values.map((v) => `'${v}'`).join(", ")})`);
const boolean = (column: string) => sql.raw(`${column} IN (0, 1)`);

export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable("namespaces")
    .ifNotExists()
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("description", "text", (c) => c.notNull())
    .addColumn("created", "integer", (c) => c.notNull())
    .addColumn("modified", "integer", (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("pipelines")
    .ifNotExists()
    .addColumn("namespace_id", "text", (c) => c.notNull().references("namespaces.id").onDelete("cascade"))
    .addColumn("id", "text", (c) => c.notNull())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("description", "text", (c) => c.notNull())
    .addColumn("parallelism", "integer", (c) => c.notNull())
    .addColumn("state", "text", (c) => c.notNull().check(oneOf("state", ["ACTIVE", "DISABLED"])))
    .addColumn("created", "integer", (c) => c.notNull())
    .addColumn("modified", "integer", (c) => c.notNull())
    .addColumn("errors", "text", (c) => c.notNull().check(json("errors")))
    .addPrimaryKeyConstraint("pipelines_pk", ["namespace_id", "id"])
    .execute();

  await db.schema
    .createTable("pipeline_tasks")
    .ifNotExists()
    .addColumn("namespace_id", "text", (c) => c.notNull())
    .addColumn("pipeline_id", "text", (c) => c.notNull())
    .addColumn("id", "text", (c) => c.notNull())
    .addColumn("description", "text", (c) => c.notNull())
    .addColumn("image", "text", (c) => c.notNull())
    .addColumn("registry_auth", "text", (c) => c.check(json("registry_auth")))
    .addColumn("depends_on", "text", (c) => c.notNull().check(json("depends_on")))
    .addColumn("variables", "text", (c) => c.notNull().check(json("variables")))
    .addColumn("entrypoint", "text", (c) => c.check(json("entrypoint")))
    .addColumn("command", "text", (c) => c.check(json("command")))
    .addPrimaryKeyConstraint("pipeline_tasks_pk", ["namespace_id", "pipeline_id", "id"])
    .addForeignKeyConstraint(
      "pipeline_tasks_pipeline_fk",
      ["namespace_id", "pipeline_id"],
      "pipelines",
      ["namespace_id", "id"],
      (fk) => fk.onDelete("cascade"),
    )
    .execute();

  await db.schema
    .createTable("pipeline_trigger_subscriptions")
    .ifNotExists()
    .addColumn("namespace_id", "text", (c) => c.notNull())
    .addColumn("pipeline_id", "text", (c) => c.notNull())
    .addColumn("label", "text", (c) => c.notNull())
    .addColumn("trigger_name", "text", (c) => c.notNull())
    .addColumn("settings", "text", (c) => c.notNull().check(json("settings")))
    .addPrimaryKeyConstraint("pipeline_trigger_subscriptions_pk", ["namespace_id", "pipeline_id", "label"])
    .addForeignKeyConstraint(
      "pipeline_trigger_subscriptions_pipeline_fk",
      ["namespace_id", "pipeline_id"],
      "pipelines",
      ["namespace_id", "id"],
      (fk) => fk.onDelete("cascade"),
    )
    .execute();
  await db.schema
    .createIndex("pipeline_trigger_subscriptions_trigger_idx")
    .ifNotExists()
    .on("pipeline_trigger_subscriptions")
    .column("trigger_name")
    .execute();

  await db.schema
    .createTable("runs")
    .ifNotExists()
    .addColumn("namespace_id", "text", (c) => c.notNull())
    .addColumn("pipeline_id", "text", (c) => c.notNull())
    .addColumn("id", "integer", (c) => c.notNull())
    .addColumn("started", "integer", (c) => c.notNull())
    .addColumn("ended", "integer")
    .addColumn("state", "text", (c) => c.notNull().check(oneOf("state", ["PENDING", "RUNNING", "COMPLETE"])))
    .addColumn("status", "text", (c) =>
      c.notNull().check(oneOf("status", ["UNKNOWN", "SUCCESSFUL", "FAILED", "CANCELLED"])),
    )
    .addColumn("status_reason", "text", (c) => c.check(json("status_reason")))
    .addColumn("trigger_name", "text", (c) => c.notNull())
    .addColumn("trigger_label", "text", (c) => c.notNull())
    .addColumn("variables", "text", (c) => c.notNull().check(json("variables")))
    .addColumn("store_objects_expired", "integer", (c) => c.notNull().check(boolean("store_objects_expired")))
    .addColumn("event_id", "integer")
    .addPrimaryKeyConstraint("runs_pk", ["namespace_id", "pipeline_id", "id"])
    .addForeignKeyConstraint(
      "runs_pipeline_fk",
      ["namespace_id", "pipeline_id"],
      "pipelines",
      ["namespace_id", "id"],
      (fk) => fk.onDelete("cascade"),
    )
    .execute();
  // Boot-time orphan repair and parallelism counting look runs up by state.
  await db.schema.createIndex("runs_state_idx").ifNotExists().on("runs").column("state").execute();

  await db.schema
    .createTable("task_runs")
    .ifNotExists()
    .addColumn("namespace_id", "text", (c) => c.notNull())
    .addColumn("pipeline_id", "text", (c) => c.notNull())
    .addColumn("run_id", "integer", (c) => c.notNull())
    .addColumn("id", "text", (c) => c.notNull())
    .addColumn("task", "text", (c) => c.notNull().check(json("task")))
    .addColumn("created", "integer", (c) => c.notNull())
    .addColumn("started", "integer")
    .addColumn("ended", "integer")
    .addColumn("exit_code", "integer")
    .addColumn("state", "text", (c) =>
      c.notNull().check(oneOf("state", ["PROCESSING", "WAITING", "RUNNING", "COMPLETE"])),
    )
    .addColumn("status", "text", (c) =>
      c.notNull().check(oneOf("status", ["UNKNOWN", "SUCCESSFUL", "FAILED", "CANCELLED", "SKIPPED"])),
    )
    .addColumn("status_reason", "text", (c) => c.check(json("status_reason")))
    .addColumn("logs_expired", "integer", (c) => c.notNull().check(boolean("logs_expired")))
    .addColumn("logs_removed", "integer", (c) => c.notNull().check(boolean("logs_removed")))
    .addColumn("variables", "text", (c) => c.notNull().check(json("variables")))
    .addColumn("scheduler_id", "text")
    .addPrimaryKeyConstraint("task_runs_pk", ["namespace_id", "pipeline_id", "run_id", "id"])
    .addForeignKeyConstraint(
      "task_runs_run_fk",
      ["namespace_id", "pipeline_id", "run_id"],
      "runs",
      ["namespace_id", "pipeline_id", "id"],
      (fk) => fk.onDelete("cascade"),
    )
    .execute();
  await db.schema.createIndex("task_runs_state_idx").ifNotExists().on("task_runs").column("state").execute();

  await db.schema
    .createTable("trigger_registrations")
    .ifNotExists()
    .addColumn("name", "text", (c) => c.primaryKey())
    .addColumn("image", "text", (c) => c.notNull())
    .addColumn("kind", "text", (c) => c.notNull().check(oneOf("kind", ["trigger", "extension"])))
    .addColumn("registry_auth", "text", (c) => c.check(json("registry_auth")))
    .addColumn("variables", "text", (c) => c.notNull().check(json("variables")))
    .addColumn("created", "integer", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull().check(oneOf("status", ["ENABLED", "DISABLED"])))
    .execute();

  await db.schema
    .createTable("events")
    .ifNotExists()
    // AUTOINCREMENT: ids are never reused after pruning, so a follower's "after id N" stays meaningful.
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("details", "text", (c) => c.notNull().check(json("details")))
    .addColumn("emitted", "integer", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("events_emitted_idx").ifNotExists().on("events").column("emitted").execute();

  await db.schema
    .createTable("tokens")
    .ifNotExists()
    .addColumn("hash", "text", (c) => c.primaryKey())
    .addColumn("kind", "text", (c) => c.notNull().check(oneOf("kind", ["MANAGEMENT", "CLIENT"])))
    .addColumn("namespaces", "text", (c) => c.notNull().check(json("namespaces")))
    .addColumn("metadata", "text", (c) => c.notNull().check(json("metadata")))
    .addColumn("created", "integer", (c) => c.notNull())
    .addColumn("expires", "integer")
    .addColumn("disabled", "integer", (c) => c.notNull().check(boolean("disabled")))
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  for (const table of [
    "tokens",
    "events",
    "trigger_registrations",
    "task_runs",
    "runs",
    "pipeline_trigger_subscriptions",
    "pipeline_tasks",
    "pipelines",
    "namespaces",
  ]) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}
