// The persisted event log plus an in-process bus: record() stores an event (getting its id) and then tells every
// listener, which is how ListEvents --follow and internal reactions see events as they happen.
import type { Clock } from "@gofer/trigger-sdk";
import type { EventKind, StoredEvent } from "./event-kinds.js";

export interface EventStore {
  insertEvent(kind: EventKind, details: Record<string, unknown>, emitted: number): Promise<number>;
}

export type EventListener = (event: StoredEvent) => void;

export class EventLog {
  private readonly listeners = new Set<EventListener>();

  constructor(
    private readonly store: EventStore,
    private readonly clock: Clock,
  ) {}

  async record(kind: EventKind, details: Record<string, unknown>): Promise<StoredEvent> {
    const emitted = this.clock.now().getTime();
    const id = await this.store.insertEvent(kind, details, emitted);
    const event: StoredEvent = { id, kind, details, emitted };
    this.publish(event);
    return event;
  }

  /** Tells listeners about an event stored elsewhere (in a transaction with other writes). */
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
