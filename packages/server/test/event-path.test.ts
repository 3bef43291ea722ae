// The event path's two halves without trigger processes: the Watcher's pipelining (the next Watch is asked for while
// the last event is being recorded, within a bound, and stopping waits for every recording) and the processor's
// batching (events that arrive together share a transaction; a failing one fails alone), on a real sqlite file.

import { FakeClock, systemClock } from "@gofer/kernel";
import { type TriggerWatchResponse, TriggerWatchResponse_Result } from "@gofer/proto";
import { describe, expect, test, vi } from "vitest";
import {
  EventProcessor,
  type EventProcessorOptions,
  type EventProcessorStore,
} from "../src/event-processing/event-processor.js";
import { eventProcessorStore } from "../src/event-processing/event-processor-store.js";
import { EventLog } from "../src/events/event-log.js";
import type { FiredEvent } from "../src/events/fired-event.js";
import { createServerLogger } from "../src/logging.js";
import type { RunRef } from "../src/runs/run-orchestrator.js";
import { listEvents } from "../src/storage/event-repository.js";
import { insertNamespace } from "../src/storage/namespace-repository.js";
import { replacePipeline } from "../src/storage/pipeline-repository.js";
import { listRuns } from "../src/storage/run-repository.js";
import { Watcher } from "../src/triggers/watcher.js";
import { pipelineRow } from "./storage-fixtures.js";
import { useTempDatabase } from "./temp-database.js";

const logger = createServerLogger({ level: "error", pretty: false });

function deferred<T = void>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

function watchResponse(n: number): TriggerWatchResponse {
  return {
    details: `event ${n}`,
    namespaceId: "default",
    pipelineId: "p",
    pipelineTriggerLabel: "l",
    result: TriggerWatchResponse_Result.SUCCESS,
    metadata: { N: String(n) },
  };
}

/**
 * Lets every callback already queued on the event loop run (no timers are involved), so that a test can show that
 * something does not happen; it never waits on the wall clock.
 */
async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
}

/** A trigger with an endless queue: each Watch answers the next event in the next turn. Counts the calls. */
function endlessSource() {
  let calls = 0;
  return {
    calls: () => calls,
    watch: async (signal: AbortSignal) => {
      await new Promise((r) => setImmediate(r));
      if (signal.aborted) throw new Error("cancelled");
      calls += 1;
      return watchResponse(calls);
    },
  };
}

describe("Watcher pipelining", () => {
  test("asks for the next event while the last is recorded, up to the bound, and stops only once all are recorded", async () => {
    const source = endlessSource();
    const recordings: Array<{ event: FiredEvent; done: ReturnType<typeof deferred<void>> }> = [];
    const watcher = new Watcher({
      triggerName: "t",
      source,
      onEvent: (event) => {
        const done = deferred();
        recordings.push({ event, done });
        return done.promise;
      },
      // Its time never moves: every Watch counts as answered at once, so the next is asked for in the same turn.
      clock: new FakeClock(),
      logger,
      maxUnrecorded: 3,
    });
    const loop = watcher.start(new AbortController().signal);
    await vi.waitFor(() => expect(recordings.length).toBe(3));
    // Nothing recorded yet: three events wait, and the loop waits with them instead of taking a fourth.
    expect(watcher.stats.watches).toBe(3);
    await settle();
    expect(watcher.stats.watches).toBe(3);
    expect(source.calls()).toBe(3);
    expect(recordings.map((r) => r.event.details)).toEqual(["event 1", "event 2", "event 3"]);

    recordings[0]?.done.resolve();
    await vi.waitFor(() => expect(recordings.length).toBe(4));

    let stopped = false;
    const stopping = watcher.stop().then(() => {
      stopped = true;
    });
    await settle();
    expect(stopped).toBe(false); // events 2–4 are taken but not recorded
    for (const r of recordings.slice(0, -1)) r.done.resolve();
    await settle();
    expect(stopped).toBe(false); // event 4 is still being recorded
    recordings.at(-1)?.done.resolve();
    await stopping;
    await loop;
    expect(stopped).toBe(true);
  });

  test("an event that a parked Watch brought is recorded before the next Watch is asked for", async () => {
    const log: string[] = [];
    let calls = 0;
    const clock = new FakeClock();
    const watcher = new Watcher({
      triggerName: "t",
      source: {
        watch: async () => {
          calls += 1;
          log.push(`watch ${calls}`);
          await clock.advance(5); // the trigger had nothing queued: the call waits (for the event's time to come)
          return watchResponse(calls);
        },
      },
      // As the event processor does: the recording runs in the next turn of the event loop.
      onEvent: (event) =>
        new Promise<void>((resolve) => setImmediate(() => resolve(void log.push(`recorded ${event.metadata.N}`)))),
      clock,
      logger,
    });
    void watcher.start(new AbortController().signal);
    await vi.waitFor(() => expect(calls).toBeGreaterThanOrEqual(5));
    await watcher.stop();
    for (let n = 1; n <= 4; n++) {
      expect(log.indexOf(`recorded ${n}`)).toBeGreaterThan(-1);
      expect(log.indexOf(`recorded ${n}`)).toBeLessThan(log.indexOf(`watch ${n + 1}`));
    }
  });

  test("a recording that fails does not stop the loop", async () => {
    const source = endlessSource();
    const seen: string[] = [];
    const watcher = new Watcher({
      triggerName: "t",
      source,
      logger: createServerLogger({ level: "error", pretty: false, silent: true }),
      onEvent: async (event) => {
        seen.push(event.details);
        if (event.details === "event 2") throw new Error("disk full");
      },
      clock: systemClock,
    });
    void watcher.start(new AbortController().signal);
    await vi.waitFor(() => expect(seen.length).toBeGreaterThanOrEqual(5));
    await watcher.stop();
    expect(seen.slice(0, 5)).toEqual(["event 1", "event 2", "event 3", "event 4", "event 5"]);
  });
});

describe("EventProcessor batching", () => {
  const temp = useTempDatabase();

  async function seed(parallelism = 0) {
    const { db } = temp.database;
    await insertNamespace(db, { id: "default", name: "Default", description: "", created: 1, modified: 1 });
    await replacePipeline(db, {
      pipeline: pipelineRow("default", "p", { parallelism }),
      tasks: [],
      subscriptions: [{ namespace_id: "default", pipeline_id: "p", label: "l", trigger_name: "t", settings: {} }],
    });
  }

  function processor(
    store: EventProcessorStore,
    clock?: FakeClock,
    slots?: Pick<EventProcessorOptions, "activity" | "freeRunSlots">,
  ) {
    const { db } = temp.database;
    const submitted: RunRef[] = [];
    const eventLog = new EventLog(db, systemClock);
    return {
      submitted,
      processor: new EventProcessor({
        store,
        eventLog,
        orchestrator: { submit: (run) => submitted.push(run), stop: async () => {} },
        ingressEnabled: () => true,
        logger,
        clock,
        ...slots,
      }),
    };
  }

  function fired(n: number, pipelineId = "p"): FiredEvent {
    return {
      triggerName: "t",
      namespaceId: "default",
      pipelineId,
      label: "l",
      result: "SUCCESS",
      details: `event ${n}`,
      metadata: { N: String(n) },
    };
  }

  test("events fired in the same turn are recorded in one transaction, in order, each with its run", async () => {
    await seed();
    const real = eventProcessorStore(temp.database.db, systemClock);
    const batches: number[] = [];
    const { processor: p, submitted } = processor({
      recordFiredEvents: (inputs) => {
        batches.push(inputs.length);
        return real.recordFiredEvents(inputs);
      },
    });
    const outcomes = await Promise.all([1, 2, 3, 4, 5].map((n) => p.fireAndProcess(fired(n))));
    expect(batches).toEqual([5]);
    expect(outcomes.map((o) => [o.result.state, o.run?.runId])).toEqual([
      ["SUCCESS", 1],
      ["SUCCESS", 2],
      ["SUCCESS", 3],
      ["SUCCESS", 4],
      ["SUCCESS", 5],
    ]);
    expect(submitted.map((r) => r.runId)).toEqual([1, 2, 3, 4, 5]);
    const runs = await listRuns(temp.database.db, {
      namespaceId: "default",
      pipelineId: "p",
      offset: 0,
      limit: 10,
    });
    expect(runs.map((r) => [r.id, r.variables.find((v) => v.key === "N")?.value])).toEqual(
      expect.arrayContaining([
        [1, "1"],
        [5, "5"],
      ]),
    );
    const kinds = (await listEvents(temp.database.db, { limit: 100, reverse: false })).map((e) => e.kind);
    expect(kinds.filter((k) => k === "RESOLVED_TRIGGER_EVENT")).toHaveLength(5);
  });

  test("events said to have more following wait for them, within a bound, and share one commit in order", async () => {
    await seed();
    const real = eventProcessorStore(temp.database.db, systemClock);
    const clock = new FakeClock();
    const batches: number[][] = [];
    const { processor: p, submitted } = processor(
      {
        recordFiredEvents: (inputs) => {
          batches.push(inputs.map((i) => Number(i.fired.metadata.N)));
          return real.recordFiredEvents(inputs);
        },
      },
      clock,
    );
    const more = { more: true };
    // Held while more follow; the next one without the hint takes them along.
    const first = [p.fireAndProcess(fired(1), more)];
    await settle();
    first.push(p.fireAndProcess(fired(2), more));
    await settle();
    expect(batches).toEqual([]);
    first.push(p.fireAndProcess(fired(3), { more: false }));
    await Promise.all(first);
    expect(batches).toEqual([[1, 2, 3]]);
    // The last of a backlog is recorded once the hold has passed with nothing following.
    const last = p.fireAndProcess(fired(4), more);
    await settle();
    expect(batches).toHaveLength(1);
    await clock.advance(2);
    await last;
    expect(batches.at(-1)).toEqual([4]);
    // At most 8 wait: the 8th goes with them at once.
    await Promise.all([5, 6, 7, 8, 9, 10, 11, 12].map((n) => p.fireAndProcess(fired(n), more)));
    expect(batches.at(-1)).toEqual([5, 6, 7, 8, 9, 10, 11, 12]);
    expect(submitted.map((r) => r.runId)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    // Each event's FIRED, PROCESSED and RESOLVED in turn, and each run points at its FIRED event.
    const events = await listEvents(temp.database.db, { limit: 100, reverse: false });
    expect(events.map((e) => e.kind)).toEqual(
      Array.from({ length: 12 }, () => [
        "FIRED_TRIGGER_EVENT",
        "PROCESSED_TRIGGER_EVENT",
        "RESOLVED_TRIGGER_EVENT",
      ]).flat(),
    );
    const runs = await listRuns(temp.database.db, { namespaceId: "default", pipelineId: "p", offset: 0, limit: 20 });
    for (const run of runs) {
      const firedEvent = events.find((e) => e.id === run.event_id);
      expect(firedEvent?.kind).toBe("FIRED_TRIGGER_EVENT");
      expect(JSON.parse(firedEvent?.details ?? "{}").metadata.N).toBe(String(run.id));
    }
  });

  test("under buffer-one, a batch's runs count as started while global slots are free, then one may wait", async () => {
    await seed(0);
    const { processor: p } = processor(eventProcessorStore(temp.database.db, systemClock), undefined, {
      activity: () => ({ queued: 0, running: 0 }),
      freeRunSlots: () => 2,
    });
    const all = await Promise.all([1, 2, 3, 4].map((n) => p.fireAndProcess(fired(n))));
    // Two start at once (two global slots), the third waits for one, the fourth is skipped.
    expect(all.map((o) => o.result.state)).toEqual(["SUCCESS", "SUCCESS", "SUCCESS", "SKIPPED"]);
  });

  test("under buffer-one, once the pipeline's slots are taken one run may wait and later events are skipped", async () => {
    await seed(1);
    const { processor: p } = processor(eventProcessorStore(temp.database.db, systemClock), undefined, {
      activity: () => ({ queued: 0, running: 0 }),
    });
    const all = await Promise.all([1, 2, 3, 4].map((n) => p.fireAndProcess(fired(n))));
    expect(all.map((o) => o.result.state)).toEqual(["SUCCESS", "SUCCESS", "SKIPPED", "SKIPPED"]);
  });

  test("under buffer-one, with no global slot free, one run may wait and later events are skipped", async () => {
    await seed(0);
    const { processor: p } = processor(eventProcessorStore(temp.database.db, systemClock), undefined, {
      activity: () => ({ queued: 0, running: 0 }),
      freeRunSlots: () => 0,
    });
    const all = await Promise.all([1, 2, 3].map((n) => p.fireAndProcess(fired(n))));
    expect(all.map((o) => o.result.state)).toEqual(["SUCCESS", "SKIPPED", "SKIPPED"]);
  });

  test("when a batch's transaction fails, its other events are still recorded and only the bad one fails", async () => {
    await seed();
    const real = eventProcessorStore(temp.database.db, systemClock);
    const { processor: p } = processor({
      recordFiredEvents: (inputs) => {
        if (inputs.some((i) => i.fired.pipeline_id === "poison")) return Promise.reject(new Error("constraint failed"));
        return real.recordFiredEvents(inputs);
      },
    });
    const settled = await Promise.allSettled([
      p.fireAndProcess(fired(1)),
      p.fireAndProcess(fired(2, "poison")),
      p.fireAndProcess(fired(3)),
    ]);
    expect(settled.map((s) => s.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    const runs = await listRuns(temp.database.db, { namespaceId: "default", pipelineId: "p", offset: 0, limit: 10 });
    expect(runs).toHaveLength(2);
    await p.drain();
    expect(p.pending).toBe(0);
  });
});
