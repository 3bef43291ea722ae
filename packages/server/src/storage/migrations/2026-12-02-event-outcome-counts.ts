// Ours (not in v0.4.1): how many fired events of each trigger/pipeline ended how (a run started, or skipped/failed and
// why), kept in the transaction that stores the RESOLVED event, so `gofer trigger get` / `gofer pipeline get` read a
// few rows instead of counting the events table. Events stored before this migration are not counted.
import { type Kysely, sql } from "kysely";
import { columnTypes } from "./column-types.js";

// biome-ignore lint/suspicious/noExplicitAny: migrations must not depend on the current app schema
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  const t = columnTypes(db);
  await db.schema
    .createTable("event_outcome_counts")
    .ifNotExists()
    .addColumn("namespace_id", t.text, (c) => c.notNull())
    .addColumn("pipeline_id", t.text, (c) => c.notNull())
    .addColumn("trigger_name", t.text, (c) => c.notNull())
    .addColumn("outcome", t.text, (c) => c.notNull())
    .addColumn("count", t.integer, (c) => c.notNull().check(sql.raw("count >= 0")))
    .addPrimaryKeyConstraint("event_outcome_counts_pk", ["namespace_id", "pipeline_id", "trigger_name", "outcome"])
    .execute();
  await db.schema
    .createIndex("event_outcome_counts_by_trigger")
    .ifNotExists()
    .on("event_outcome_counts")
    .columns(["trigger_name", "outcome"])
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable("event_outcome_counts").ifExists().execute();
}
