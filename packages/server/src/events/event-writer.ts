// The one way an event is written. It is stored inside the caller's transaction, together with the change it
// announces; the caller publishes it on the feed (EventLog.publish) once that transaction has committed, so a
// listener never hears of a change that was rolled back, and an event is durable before anything acknowledges it.
import type { Clock } from "@gofer/kernel";
import type { Kysely } from "kysely";
import { insertEvent, insertEvents } from "../storage/event-repository.js";
import type { Schema } from "../storage/schema.js";
import type { EventKind, StoredEvent } from "./event-kinds.js";

export async function storeEvent(
  trx: Kysely<Schema>,
  clock: Clock,
  kind: EventKind,
  details: Record<string, unknown>,
): Promise<StoredEvent> {
  const emitted = clock.now().getTime();
  const row = await insertEvent(trx, { kind, details: JSON.stringify(details), emitted });
  return { id: row.id, kind, details, emitted };
}

/** As storeEvent for several events, in one statement; they are stored (and get their ids) in the order given. */
export async function storeEvents(
  trx: Kysely<Schema>,
  clock: Clock,
  events: ReadonlyArray<{ kind: EventKind; details: Record<string, unknown> }>,
): Promise<StoredEvent[]> {
  const emitted = clock.now().getTime();
  const rows = await insertEvents(
    trx,
    events.map(({ kind, details }) => ({ kind, details: JSON.stringify(details), emitted })),
  );
  return events.map(({ kind, details }, i) => ({ id: rows[i]?.id as number, kind, details, emitted }));
}
