// Counters of how fired events resolved, per trigger and per pipeline (migration 2026-12-02-event-outcome-counts).
// Outcome names: "runs_started", "skipped_<reason>", "failed_<reason>", "trigger_<state>" (event-processor.ts).
import { type Kysely, sql } from "kysely";
import type { Schema } from "./schema.js";

/** Adds one to an outcome; called in the transaction that stores the RESOLVED event. */
export async function countEventOutcome(
  trx: Kysely<Schema>,
  key: { namespaceId: string; pipelineId: string; triggerName: string; outcome: string },
): Promise<void> {
  await trx
    .insertInto("event_outcome_counts")
    .values({
      namespace_id: key.namespaceId,
      pipeline_id: key.pipelineId,
      trigger_name: key.triggerName,
      outcome: key.outcome,
      count: 1,
    })
    .onConflict((c) =>
      c
        .columns(["namespace_id", "pipeline_id", "trigger_name", "outcome"])
        .doUpdateSet({ count: sql`event_outcome_counts.count + 1` }),
    )
    .execute();
}

/** Outcome → count over every pipeline the trigger fired for. */
export async function triggerEventOutcomes(db: Kysely<Schema>, triggerName: string): Promise<Record<string, number>> {
  const rows = await db
    .selectFrom("event_outcome_counts")
    .select(["outcome", (eb) => eb.fn.sum<number>("count").as("total")])
    .where("trigger_name", "=", triggerName)
    .groupBy("outcome")
    .execute();
  return toRecord(rows);
}

/** Outcome → count over every trigger of the pipeline. */
export async function pipelineEventOutcomes(
  db: Kysely<Schema>,
  namespaceId: string,
  pipelineId: string,
): Promise<Record<string, number>> {
  const rows = await db
    .selectFrom("event_outcome_counts")
    .select(["outcome", (eb) => eb.fn.sum<number>("count").as("total")])
    .where("namespace_id", "=", namespaceId)
    .where("pipeline_id", "=", pipelineId)
    .groupBy("outcome")
    .execute();
  return toRecord(rows);
}

function toRecord(rows: ReadonlyArray<{ outcome: string; total: number }>): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const row of [...rows].sort((a, b) => a.outcome.localeCompare(b.outcome)))
    counts[row.outcome] = Number(row.total);
  return counts;
}
