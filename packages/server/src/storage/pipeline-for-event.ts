// What resolving a fired event needs of its pipeline (event-processing/), in one read: the pipeline's state and the
// subscription with the event's label, joined, instead of one query for each.
import type { Kysely } from "kysely";
import { fromJsonColumn } from "./json-column.js";
import { type Params, preparedQuery } from "./prepared-query.js";
import type { PipelineState, Schema } from "./schema.js";

export interface PipelineForEventRow {
  readonly state: PipelineState;
  /** Runs of the pipeline executing at once (0 = unlimited), carried to the orchestrator with the run. */
  readonly parallelism: number;
  /** The subscription with the event's label, absent when the pipeline has none. */
  readonly subscription:
    | { readonly trigger_name: string; readonly settings: Readonly<Record<string, string>> }
    | undefined;
}

/** @returns undefined when the pipeline does not exist. */
export async function getPipelineForEvent(
  db: Kysely<Schema>,
  namespaceId: string,
  pipelineId: string,
  label: string,
): Promise<PipelineForEventRow | undefined> {
  const { rows } = await pipelineForEventQuery(db, { namespaceId, pipelineId, label });
  const row = rows[0];
  if (!row) return undefined;
  return {
    state: row.state,
    parallelism: row.parallelism,
    subscription:
      row.trigger_name === null || row.settings === null
        ? undefined
        : {
            trigger_name: row.trigger_name,
            settings: fromJsonColumn(row.settings, "pipeline_trigger_subscriptions.settings"),
          },
  };
}

const pipelineForEventQuery = preparedQuery(
  (db, p: Params<{ namespaceId: string; pipelineId: string; label: string }>) =>
    db
      .selectFrom("pipelines as p")
      .leftJoin("pipeline_trigger_subscriptions as s", (join) =>
        join
          .onRef("s.namespace_id", "=", "p.namespace_id")
          .onRef("s.pipeline_id", "=", "p.id")
          .on("s.label", "=", p.label),
      )
      .select(["p.state", "p.parallelism", "s.trigger_name", "s.settings"])
      .where("p.namespace_id", "=", p.namespaceId)
      .where("p.id", "=", p.pipelineId),
);
