// Reading the event log as a stream (ListEvents): the stored events page by page, then, when following, each event
// as it is published, until the signal aborts. The feed listens before the first read, so an event stored while the
// history is read is not missed; ids only grow (storage/event-repository.ts), so they drop what was already read.
import type { Kysely } from "kysely";
import { listEvents } from "../storage/event-repository.js";
import type { EventRow, Schema } from "../storage/schema.js";
import type { StoredEvent } from "./event-kinds.js";
import type { EventLog } from "./event-log.js";

export interface FollowEventsOptions {
  /** Newest first; a reversed listing never follows. */
  readonly reverse: boolean;
  /** After the stored events, wait for new ones until the signal aborts. */
  readonly follow: boolean;
  /** Events read per page of the history. */
  readonly pageSize: number;
}

/** A stored event (details as JSON text) or a published one (details as recorded). */
export type FeedEvent = EventRow | StoredEvent;

export async function* followEvents(
  source: { db: Kysely<Schema>; log: EventLog },
  options: FollowEventsOptions,
  signal: AbortSignal,
): AsyncGenerator<FeedEvent> {
  // Ends the listener when the consumer stops early, not only when the signal aborts.
  const done = new AbortController();
  const live: StoredEvent[] = [];
  let wake: (() => void) | undefined;
  const notify = () => {
    const resolve = wake;
    wake = undefined;
    resolve?.();
  };
  const following = options.follow && !options.reverse;
  try {
    if (following) {
      const listening = AbortSignal.any([signal, done.signal]);
      source.log.listen((event) => {
        live.push(event);
        notify();
      }, listening);
      listening.addEventListener("abort", notify, { once: true });
    }
    let lastId: number | undefined;
    for (;;) {
      const page = await listEvents(source.db, {
        ...(lastId !== undefined ? { afterId: lastId } : {}),
        reverse: options.reverse,
        limit: options.pageSize,
      });
      for (const row of page) {
        lastId = row.id;
        yield row;
      }
      if (page.length < options.pageSize || signal.aborted) break;
    }
    if (!following) return;
    while (!signal.aborted) {
      const next = live.shift();
      if (!next) {
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        continue;
      }
      if (lastId !== undefined && next.id <= lastId) continue;
      lastId = next.id;
      yield next;
    }
  } finally {
    done.abort();
  }
}
