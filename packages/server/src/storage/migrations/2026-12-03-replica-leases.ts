// Ours (issue 21): what lets several servers share one database. A trigger is watched by the one server holding its
// lease (owner until expires, renewed by the holder; `term` grows each time another owner takes it, so a stale holder
// can be told apart). A pending run is started by the one server holding its claim.
import { type Kysely, sql } from "kysely";
import { columnTypes } from "./column-types.js";

// biome-ignore lint/suspicious/noExplicitAny: migrations must not depend on the current app schema
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  const t = columnTypes(db);
  await db.schema
    .createTable("trigger_leases")
    .ifNotExists()
    .addColumn("trigger_name", t.text, (c) => c.primaryKey())
    // "" while released: nobody holds it.
    .addColumn("owner", t.text, (c) => c.notNull())
    .addColumn("term", t.integer, (c) => c.notNull().check(sql.raw("term >= 1")))
    .addColumn("acquired", t.integer, (c) => c.notNull())
    .addColumn("expires", t.integer, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("run_claims")
    .ifNotExists()
    .addColumn("namespace_id", t.text, (c) => c.notNull())
    .addColumn("pipeline_id", t.text, (c) => c.notNull())
    .addColumn("run_id", t.integer, (c) => c.notNull())
    .addColumn("owner", t.text, (c) => c.notNull())
    .addColumn("expires", t.integer, (c) => c.notNull())
    .addPrimaryKeyConstraint("run_claims_pk", ["namespace_id", "pipeline_id", "run_id"])
    .addForeignKeyConstraint(
      "run_claims_run_fk",
      ["namespace_id", "pipeline_id", "run_id"],
      "runs",
      ["namespace_id", "pipeline_id", "id"],
      (fk) => fk.onDelete("cascade"),
    )
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable("run_claims").ifExists().execute();
  await db.schema.dropTable("trigger_leases").ifExists().execute();
}
