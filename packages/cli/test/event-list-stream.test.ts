// How `gofer event list` reads the stream (commands/event-list.ts), against a fake ListEvents that serves a long log
// and counts what it sent: --limit stops reading (and cancels the call) after N matches, and --follow --limit passes
// the history once, printing only the last N matches before the new ones.
import { Readable } from "node:stream";
import { systemClock } from "@gofer/kernel/clock";
import type { Event } from "@gofer/proto";
import { expect, test } from "vitest";
import { type EventListOptions, listEvents } from "../src/commands/event-list.js";
import type { Connection } from "../src/connection.js";
import { LastN } from "../src/last-n.js";
import { Output } from "../src/output/output.js";

interface CallRecord {
  readonly reverse: boolean;
  readonly follow: boolean;
  sent: number;
  cancelled: boolean;
}

/** Event n is STARTED_RUN of pipeline p<n % 3> when n is even, else COMPLETED_RUN. */
function makeEvent(id: number): Event {
  return {
    id: BigInt(id),
    kind: id % 2 === 0 ? "STARTED_RUN" : "COMPLETED_RUN",
    details: JSON.stringify({ namespace_id: "default", pipeline_id: `p${id % 3}`, run_id: id }),
    emitted: BigInt(1_700_000_000_000 + id),
  };
}

/** A ListEvents server over events 1..total, answering one object at a time as the reader asks. */
function fakeLog(total: number) {
  const calls: CallRecord[] = [];
  const live: Array<(id: number) => void> = [];
  const ends: Array<() => void> = [];
  let newest = total;
  const client = {
    listEvents(request: { reverse: boolean; follow: boolean }) {
      const record: CallRecord = { ...request, sent: 0, cancelled: false };
      calls.push(record);
      let next = request.reverse ? newest : 1;
      const historyEnd = newest;
      const stream = new Readable({
        objectMode: true,
        highWaterMark: 1,
        read() {
          if (request.reverse ? next < 1 : next > historyEnd) {
            if (!request.follow) this.push(null);
            return;
          }
          record.sent++;
          this.push({ event: makeEvent(next) });
          next += request.reverse ? -1 : 1;
        },
      });
      if (request.follow) {
        live.push((id) => {
          record.sent++;
          stream.push({ event: makeEvent(id) });
        });
        ends.push(() => stream.push(null));
      }
      return Object.assign(stream, {
        cancel() {
          record.cancelled = true;
          stream.destroy();
        },
      });
    },
  };
  return {
    calls,
    connection: { client, metadata: {} } as unknown as Connection,
    /** Stores a new event: followers get it. */
    append(): number {
      newest++;
      for (const send of live) send(newest);
      return newest;
    },
    endFollowers: () => {
      for (const end of ends) end();
    },
  };
}

function jsonOutput() {
  const lines: string[] = [];
  const stream = { isTTY: false, write: (chunk: string | Uint8Array) => lines.push(String(chunk).trim()) > 0 };
  const io = {
    stdout: stream,
    stderr: stream,
    stdin: Readable.from([]),
    env: {},
    cwd: "/",
    homeDir: "/",
    clock: systemClock,
    execPath: process.execPath,
  };
  return { output: new Output(io, { format: "json", detail: false, noColor: true }), ids: () => lines.map(idOf) };
}

const idOf = (line: string) => (JSON.parse(line) as { id: number }).id;

const options = (overrides: Partial<EventListOptions>): EventListOptions => ({
  limit: undefined,
  reverse: false,
  follow: false,
  filter: { kinds: [] },
  ...overrides,
});

test("--reverse --limit 3 prints the 3 newest and cancels the call, reading next to nothing of a long log", async () => {
  const log = fakeLog(100_000);
  const { output, ids } = jsonOutput();
  expect(await listEvents(log.connection, output, options({ limit: 3, reverse: true }))).toBe(3);
  expect(ids()).toEqual([100_000, 99_999, 99_998]);
  expect(log.calls).toEqual([{ reverse: true, follow: false, sent: expect.any(Number), cancelled: true }]);
  expect(log.calls[0]?.sent).toBeLessThan(10);
});

test("--limit 3 prints the 3 newest oldest first, reading newest first and stopping there", async () => {
  const log = fakeLog(100_000);
  const { output, ids } = jsonOutput();
  await listEvents(log.connection, output, options({ limit: 3 }));
  expect(ids()).toEqual([99_998, 99_999, 100_000]);
  expect(log.calls[0]).toMatchObject({ reverse: true, follow: false, cancelled: true });
  expect(log.calls[0]?.sent).toBeLessThan(10);
});

test("--kind and --pipeline filter what the stream brings; --limit counts matches only", async () => {
  const log = fakeLog(1000);
  const { output, ids } = jsonOutput();
  await listEvents(
    log.connection,
    output,
    options({
      limit: 2,
      reverse: true,
      filter: { kinds: ["STARTED_RUN"], pipeline: { namespaceId: "default", id: "p1" } },
    }),
  );
  // Even ids whose remainder by 3 is 1: 1000, 994.
  expect(ids()).toEqual([1000, 994]);
  const other = jsonOutput();
  await listEvents(
    log.connection,
    other.output,
    options({ limit: 2, filter: { kinds: [], pipeline: { namespaceId: "team", id: "p1" } } }),
  );
  expect(other.ids()).toEqual([]);
});

test("without --limit, the whole log is printed in the order asked", async () => {
  const log = fakeLog(50);
  const forward = jsonOutput();
  await listEvents(log.connection, forward.output, options({}));
  expect(forward.ids()).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
  const backward = jsonOutput();
  await listEvents(log.connection, backward.output, options({ reverse: true, filter: { kinds: ["COMPLETED_RUN"] } }));
  expect(backward.ids()).toEqual(Array.from({ length: 25 }, (_, i) => 49 - 2 * i));
});

test("--follow --limit 2 --kind STARTED_RUN: the last 2 of the history once, then each new match", async () => {
  const log = fakeLog(10_000);
  const { output, ids } = jsonOutput();
  const listing = listEvents(
    log.connection,
    output,
    options({ limit: 2, follow: true, filter: { kinds: ["STARTED_RUN"] } }),
  );
  await waitFor(() => ids().length === 2);
  expect(ids()).toEqual([9998, 10_000]);
  const [probe, follow] = log.calls;
  // One look at the newest id, then one pass over the history: nothing is read twice.
  expect(probe).toMatchObject({ reverse: true, follow: false, cancelled: true });
  expect(probe?.sent).toBeLessThan(10);
  expect(follow).toMatchObject({ reverse: false, follow: true, sent: 10_000 });

  log.append(); // 10001: COMPLETED_RUN, filtered out
  const started = log.append();
  await waitFor(() => ids().length === 3);
  expect(ids()).toEqual([9998, 10_000, started]);
  log.endFollowers();
  expect(await listing).toBe(3);
});

test("--follow --limit on an empty log prints new events as they come", async () => {
  const log = fakeLog(0);
  const { output, ids } = jsonOutput();
  const listing = listEvents(log.connection, output, options({ limit: 5, follow: true }));
  await waitFor(() => log.calls.length === 2);
  const first = log.append();
  await waitFor(() => ids().length === 1);
  expect(ids()).toEqual([first]);
  log.endFollowers();
  await listing;
});

test("LastN keeps the last N in order, however many pass", () => {
  const last = new LastN<number>(3);
  for (let i = 1; i <= 1000; i++) last.push(i);
  expect(last.toArray()).toEqual([998, 999, 1000]);
  const few = new LastN<number>(3);
  few.push(1);
  expect(few.toArray()).toEqual([1]);
});

/** Resolves once condition holds, checking after each turn of the event loop (the fake log is in-process). */
async function waitFor(condition: () => boolean): Promise<void> {
  for (let turn = 0; !condition(); turn++) {
    if (turn > 100_000) throw new Error("condition never held");
    await new Promise((resolve) => setImmediate(resolve));
  }
}
