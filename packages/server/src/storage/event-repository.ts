// The persisted event log (spec §1.6). Ids only grow (AUTOINCREMENT), so "after id N" is a stable cursor for
// `ListEvents(follow)` even while old events are pruned.

import type { Kysely } from "kysely";
import { type Params, preparedQuery } from "./prepared-query.js";
import type { EventRow, Schema } from "./schema.js";

export type NewEventRow = Omit<EventRow, "id">;

/** @returns the stored event with its id. `details` must be JSON text. */
export async function insertEvent(db: Kysely<Schema>, event: NewEventRow): Promise<EventRow> {
  // The id is all that is not known already; reading the row back would copy its details out again. RETURNING rather
  // than the driver's insertId, which Postgres does not report.
  const { rows } = await insertEventQuery(db, event);
  const id = rows[0]?.id;
  if (id === undefined) throw new Error(`storing a ${event.kind} event returned no id`);
  return { id: Number(id), ...event };
}

const insertEventQuery = preparedQuery((db, p: Params<NewEventRow>) =>
  db.insertInto("events").values({ kind: p.kind, details: p.details, emitted: p.emitted }).returning("id"),
);

export async function getEvent(db: Kysely<Schema>, id: number): Promise<EventRow | undefined> {
  return db.selectFrom("events").selectAll().where("id", "=", id).executeTakeFirst();
}

export interface ListEventsOptions {
  /** Continue after this id in the listing's direction: ids above it, or below it when `reverse`. */
  readonly afterId?: number;
  /** Newest first. */
  readonly reverse: boolean;
  readonly limit: number;
}

export async function listEvents(db: Kysely<Schema>, options: ListEventsOptions): Promise<EventRow[]> {
  let query = db.selectFrom("events").selectAll();
  if (options.afterId !== undefined) query = query.where("id", options.reverse ? "<" : ">", options.afterId);
  return query
    .orderBy("id", options.reverse ? "desc" : "asc")
    .limit(options.limit)
    .execute();
}

/** Removes events emitted before `emittedBeforeMs` (retention pruning). @returns how many were removed. */
export async function deleteEventsBefore(db: Kysely<Schema>, emittedBeforeMs: number): Promise<number> {
  const result = await db.deleteFrom("events").where("emitted", "<", emittedBeforeMs).executeTakeFirst();
  return Number(result.numDeletedRows);
}
