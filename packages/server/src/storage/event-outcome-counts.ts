// Counters of how fired events resolved, per trigger and per pipeline (migration 2026-12-02-event-outcome-counts).
// Outcome names: "runs_started", "skipped_<reason>", "failed_<reason>", "trigger_<state>" (event-processor.ts).
import { type Kysely, sql } from "kysely";
import { type Params, preparedQuery } from "./prepared-query.js";
import type { Schema } from "./schema.js";

export type EventOutcomeKey = {
  namespaceId: string;
  pipelineId: string;
  triggerName: string;
  outcome: string;
};

const addCountQuery = preparedQuery((db, p: Params<EventOutcomeKey & { delta: number }>) =>
  db
    .insertInto("event_outcome_counts")
    .values({
      namespace_id: p.namespaceId,
      pipeline_id: p.pipelineId,
      trigger_name: p.triggerName,
      outcome: p.outcome,
      count: p.delta,
    })
    .onConflict((c) =>
      c
        .columns(["namespace_id", "pipeline_id", "trigger_name", "outcome"])
        .doUpdateSet({ count: sql`event_outcome_counts.count + excluded.count` }),
    ),
);

/**
 * Adds one per key (a key given n times adds n), in the transaction that stores the RESOLVED events: one upsert per
 * distinct key, so a batch of events of one pipeline costs one statement.
 */
export async function countEventOutcomes(trx: Kysely<Schema>, keys: readonly EventOutcomeKey[]): Promise<void> {
  const deltas = new Map<string, { key: EventOutcomeKey; delta: number }>();
  for (const key of keys) {
    const id = JSON.stringify([key.namespaceId, key.pipelineId, key.triggerName, key.outcome]);
    const found = deltas.get(id);
    if (found) found.delta += 1;
    else deltas.set(id, { key, delta: 1 });
  }
  for (const { key, delta } of deltas.values()) await addCountQuery(trx, { ...key, delta });
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
