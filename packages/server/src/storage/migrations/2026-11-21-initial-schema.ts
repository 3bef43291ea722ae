// The first schema. Like every migration it uses Kysely<any> and imports no app code, so it means the same thing
// forever; later changes go in new, later-dated files. `ifNotExists` lets a run that died midway be finished:
// kysely does not wrap sqlite migrations in a transaction.

import { type Kysely, sql } from "kysely";
import { columnTypes } from "./column-types.js";

// biome-ignore lint/suspicious/noExplicitAny: migrations must not depend on the current app schema
type AnyDb = Kysely<any>;

const oneOf = (column: string, values: readonly string[]) =>
  sql.raw(`${column} IN (${values.map((v) => `'${v}'`).join(", ")})`);
const boolean = (column: string) => sql.raw(`${column} IN (0, 1)`);

export async function up(db: AnyDb): Promise<void> {
  const t = columnTypes(db);
  await db.schema
    .createTable("namespaces")
    .ifNotExists()
    .addColumn("id", t.text, (c) => c.primaryKey())
    .addColumn("name", t.text, (c) => c.notNull())
    .addColumn("description", t.text, (c) => c.notNull())
    .addColumn("created", t.integer, (c) => c.notNull())
    .addColumn("modified", t.integer, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("pipelines")
    .ifNotExists()
    .addColumn("namespace_id", t.text, (c) => c.notNull().references("namespaces.id").onDelete("cascade"))
    .addColumn("id", t.text, (c) => c.notNull())
    .addColumn("name", t.text, (c) => c.notNull())
    .addColumn("description", t.text, (c) => c.notNull())
    .addColumn("parallelism", t.integer, (c) => c.notNull())
    .addColumn("state", t.text, (c) => c.notNull().check(oneOf("state", ["ACTIVE", "DISABLED"])))
    .addColumn("created", t.integer, (c) => c.notNull())
    .addColumn("modified", t.integer, (c) => c.notNull())
    .addColumn("errors", t.text, (c) => c.notNull().check(t.json("errors")))
    .addPrimaryKeyConstraint("pipelines_pk", ["namespace_id", "id"])
    .execute();

  await db.schema
    .createTable("pipeline_tasks")
    .ifNotExists()
    .addColumn("namespace_id", t.text, (c) => c.notNull())
    .addColumn("pipeline_id", t.text, (c) => c.notNull())
    .addColumn("id", t.text, (c) => c.notNull())
    .addColumn("description", t.text, (c) => c.notNull())
    .addColumn("image", t.text, (c) => c.notNull())
    .addColumn("registry_auth", t.text, (c) => c.check(t.json("registry_auth")))
    .addColumn("depends_on", t.text, (c) => c.notNull().check(t.json("depends_on")))
    .addColumn("variables", t.text, (c) => c.notNull().check(t.json("variables")))
    .addColumn("entrypoint", t.text, (c) => c.check(t.json("entrypoint")))
    .addColumn("command", t.text, (c) => c.check(t.json("command")))
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
    .addColumn("namespace_id", t.text, (c) => c.notNull())
    .addColumn("pipeline_id", t.text, (c) => c.notNull())
    .addColumn("label", t.text, (c) => c.notNull())
    .addColumn("trigger_name", t.text, (c) => c.notNull())
    .addColumn("settings", t.text, (c) => c.notNull().check(t.json("settings")))
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
    .addColumn("namespace_id", t.text, (c) => c.notNull())
    .addColumn("pipeline_id", t.text, (c) => c.notNull())
    .addColumn("id", t.integer, (c) => c.notNull())
    .addColumn("started", t.integer, (c) => c.notNull())
    .addColumn("ended", t.integer)
    .addColumn("state", t.text, (c) => c.notNull().check(oneOf("state", ["PENDING", "RUNNING", "COMPLETE"])))
    .addColumn("status", t.text, (c) =>
      c.notNull().check(oneOf("status", ["UNKNOWN", "SUCCESSFUL", "FAILED", "CANCELLED"])),
    )
    .addColumn("status_reason", t.text, (c) => c.check(t.json("status_reason")))
    .addColumn("trigger_name", t.text, (c) => c.notNull())
    .addColumn("trigger_label", t.text, (c) => c.notNull())
    .addColumn("variables", t.text, (c) => c.notNull().check(t.json("variables")))
    .addColumn("store_objects_expired", t.integer, (c) => c.notNull().check(boolean("store_objects_expired")))
    .addColumn("event_id", t.integer)
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
    .addColumn("namespace_id", t.text, (c) => c.notNull())
    .addColumn("pipeline_id", t.text, (c) => c.notNull())
    .addColumn("run_id", t.integer, (c) => c.notNull())
    .addColumn("id", t.text, (c) => c.notNull())
    .addColumn("task", t.text, (c) => c.notNull().check(t.json("task")))
    .addColumn("created", t.integer, (c) => c.notNull())
    .addColumn("started", t.integer)
    .addColumn("ended", t.integer)
    .addColumn("exit_code", t.integer)
    .addColumn("state", t.text, (c) =>
      c.notNull().check(oneOf("state", ["PROCESSING", "WAITING", "RUNNING", "COMPLETE"])),
    )
    .addColumn("status", t.text, (c) =>
      c.notNull().check(oneOf("status", ["UNKNOWN", "SUCCESSFUL", "FAILED", "CANCELLED", "SKIPPED"])),
    )
    .addColumn("status_reason", t.text, (c) => c.check(t.json("status_reason")))
    .addColumn("logs_expired", t.integer, (c) => c.notNull().check(boolean("logs_expired")))
    .addColumn("logs_removed", t.integer, (c) => c.notNull().check(boolean("logs_removed")))
    .addColumn("variables", t.text, (c) => c.notNull().check(t.json("variables")))
    .addColumn("scheduler_id", t.text)
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
    .addColumn("name", t.text, (c) => c.primaryKey())
    .addColumn("image", t.text, (c) => c.notNull())
    .addColumn("kind", t.text, (c) => c.notNull().check(oneOf("kind", ["trigger", "extension"])))
    .addColumn("registry_auth", t.text, (c) => c.check(t.json("registry_auth")))
    .addColumn("variables", t.text, (c) => c.notNull().check(t.json("variables")))
    .addColumn("created", t.integer, (c) => c.notNull())
    .addColumn("status", t.text, (c) => c.notNull().check(oneOf("status", ["ENABLED", "DISABLED"])))
    .execute();

  await db.schema
    .createTable("events")
    .ifNotExists()
    // AUTOINCREMENT: ids are never reused after pruning, so a follower's "after id N" stays meaningful.
    .addColumn("id", t.integer, (c) => t.autoId(c))
    .addColumn("kind", t.text, (c) => c.notNull())
    .addColumn("details", t.text, (c) => c.notNull().check(t.json("details")))
    .addColumn("emitted", t.integer, (c) => c.notNull())
    .execute();
  await db.schema.createIndex("events_emitted_idx").ifNotExists().on("events").column("emitted").execute();

  await db.schema
    .createTable("tokens")
    .ifNotExists()
    .addColumn("hash", t.text, (c) => c.primaryKey())
    .addColumn("kind", t.text, (c) => c.notNull().check(oneOf("kind", ["MANAGEMENT", "CLIENT"])))
    .addColumn("namespaces", t.text, (c) => c.notNull().check(t.json("namespaces")))
    .addColumn("metadata", t.text, (c) => c.notNull().check(t.json("metadata")))
    .addColumn("created", t.integer, (c) => c.notNull())
    .addColumn("expires", t.integer)
    .addColumn("disabled", t.integer, (c) => c.notNull().check(boolean("disabled")))
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
