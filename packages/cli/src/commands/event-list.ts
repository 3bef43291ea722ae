// `gofer event list`: the event log, filtered in the CLI (ListEventsRequest has only reverse and follow), holding at
// most --limit events however long the log is:
//
//   no --limit          stream the log in the order asked and print what matches as it comes
//   --limit N           read newest first and stop (cancel the stream) after N matches; print them newest first
//                       with --reverse, else oldest first
//   --follow            stream the log oldest first and keep it open: the server sends the history, then each new
//                       event as it is stored
//   --follow --limit N  ask for the newest id first, then follow, keeping only the last N matches up to that id
//                       (the history passes once, never held whole); print them, then every new match
import type { Event, ListEventsResponse } from "@gofer/proto";
import type { Connection } from "../connection.js";
import { LastN } from "../last-n.js";
import type { Output } from "../output/output.js";
import { type EventFilter, eventMatches } from "../views/event-filter.js";
import { eventJson, eventLine } from "../views/event-view.js";

export interface EventListOptions {
  readonly limit: number | undefined;
  readonly reverse: boolean;
  readonly follow: boolean;
  readonly filter: EventFilter;
}

/** The events of one ListEvents call; leaving the loop early cancels the call. */
async function* readEvents(connection: Connection, reverse: boolean, follow: boolean): AsyncGenerator<Event> {
  const call = connection.client.listEvents({ reverse, follow }, connection.metadata);
  // Cancelling ends the call with a CANCELLED status after the loop has stopped listening: that one is expected.
  call.on("error", () => {});
  try {
    for await (const { event } of call as AsyncIterable<ListEventsResponse>) {
      if (event) yield event;
    }
  } finally {
    call.cancel();
  }
}

/** @returns how many events were printed. */
export async function listEvents(connection: Connection, output: Output, options: EventListOptions): Promise<number> {
  const { limit, filter } = options;
  let printed = 0;
  const print = (event: Event) => {
    printed++;
    output.item(eventJson(event), () => eventLine(event, output));
  };

  if (options.follow) {
    let newestId = 0n;
    if (limit !== undefined) {
      for await (const event of readEvents(connection, true, false)) {
        newestId = event.id;
        break;
      }
    }
    const history = limit !== undefined && newestId > 0n ? new LastN<Event>(limit) : undefined;
    let replaying = history !== undefined;
    for await (const event of readEvents(connection, false, true)) {
      if (replaying && history) {
        if (event.id <= newestId && eventMatches(event, filter)) history.push(event);
        if (event.id < newestId) continue;
        replaying = false;
        for (const kept of history.toArray()) print(kept);
        if (event.id === newestId) continue;
      }
      if (eventMatches(event, filter)) print(event);
    }
    return printed;
  }

  if (limit === undefined) {
    for await (const event of readEvents(connection, options.reverse, false)) {
      if (eventMatches(event, filter)) print(event);
    }
    return printed;
  }

  const newest: Event[] = [];
  for await (const event of readEvents(connection, true, false)) {
    if (!eventMatches(event, filter)) continue;
    if (options.reverse) print(event);
    else newest.push(event);
    if (options.reverse ? printed >= limit : newest.length >= limit) break;
  }
  for (const event of newest.reverse()) print(event);
  return printed;
}
