// The persisted event log plus an in-process feed. Events are written by storeEvent (event-writer.ts) inside the
// transaction of the change they announce and published here after the commit; record() is that pair for an event
// that announces nothing else stored. Listeners are how ListEvents --follow (event-feed.ts) and internal reactions
// see events as they happen.
import type { Clock } from "@gofer/kernel";
import type { Kysely } from "kysely";
import type { Schema } from "../storage/schema.js";
import type { EventKind, StoredEvent } from "./event-kinds.js";
import { storeEvent } from "./event-writer.js";

export type EventListener = (event: StoredEvent) => void;

export class EventLog {
  private readonly listeners = new Set<EventListener>();

  constructor(
    private readonly db: Kysely<Schema>,
    private readonly clock: Clock,
  ) {}

  /** Stores an event on its own (one statement is its own transaction), then publishes it. */
  async record(kind: EventKind, details: Record<string, unknown>): Promise<StoredEvent> {
    const event = await storeEvent(this.db, this.clock, kind, details);
    this.publish(event);
    return event;
  }

  /** Tells listeners about an event stored by storeEvent in a transaction that has committed. */
  publish(event: StoredEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch {
        // a listener's failure is its own business
      }
    }
  }

  /** Listens until signal aborts. */
  listen(listener: EventListener, signal: AbortSignal): void {
    if (signal.aborted) return;
    this.listeners.add(listener);
    signal.addEventListener("abort", () => this.listeners.delete(listener), { once: true });
  }
}
