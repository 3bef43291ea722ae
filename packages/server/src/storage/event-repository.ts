// The persisted event log (spec §1.6). Ids only grow (AUTOINCREMENT), so "after id N" is a stable cursor for
// `ListEvents(follow)` even while old events are pruned.

import type { Kysely } from "kysely";
import { type Params, type PreparedQuery, preparedQuery } from "./prepared-query.js";
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

/**
 * Stores several events in one statement (the events of a batch of trigger events); returns them with their ids, in
 * the order given. Rows of one INSERT take their ids in the order of its VALUES, so the ids sorted are theirs in order.
 */
export async function insertEvents(db: Kysely<Schema>, events: readonly NewEventRow[]): Promise<EventRow[]> {
  if (events.length === 0) return [];
  if (events.length === 1) return [await insertEvent(db, events[0] as NewEventRow)];
  const values: Record<string, unknown> = {};
  for (const [i, event] of events.entries()) {
    values[`kind${i}`] = event.kind;
    values[`details${i}`] = event.details;
    values[`emitted${i}`] = event.emitted;
  }
  const { rows } = await insertEventsQuery(events.length)(db, values);
  if (rows.length !== events.length) throw new Error(`storing ${events.length} events returned ${rows.length} ids`);
  const ids = rows.map((row) => Number(row.id)).sort((a, b) => a - b);
  return events.map((event, i) => ({ id: ids[i] as number, ...event }));
}

/** One compiled multi-row insert per row count (a batch holds at most a few hundred events). */
const insertEventsQueries = new Map<number, PreparedQuery<Record<string, unknown>, { id: number }>>();

function insertEventsQuery(count: number): PreparedQuery<Record<string, unknown>, { id: number }> {
  let query = insertEventsQueries.get(count);
  if (query === undefined) {
    query = preparedQuery((db, p: Params<Record<string, unknown>>) =>
      db
        .insertInto("events")
        .values(
          Array.from({ length: count }, (_, i) => ({
            kind: p[`kind${i}`] as NewEventRow["kind"],
            details: p[`details${i}`] as string,
            emitted: p[`emitted${i}`] as number,
          })),
        )
        .returning("id"),
    );
    insertEventsQueries.set(count, query);
  }
  return query;
}

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
