// waitForRun: it answers with the run once its COMPLETED_RUN is heard, not before, and gives up with the signal.
import { FakeClock } from "@gofer/kernel";
import type { Kysely } from "kysely";
import { describe, expect, test } from "vitest";
import type { StoredEvent } from "../src/events/event-kinds.js";
import { EventLog } from "../src/events/event-log.js";
import type { Run } from "../src/runs/run.js";
import type { RunRef } from "../src/runs/run-orchestrator.js";
import { waitForRun } from "../src/runs/run-waiter.js";
import type { Schema } from "../src/storage/schema.js";

const ref: RunRef = { namespaceId: "default", pipelineId: "build", runId: 2 };

function run(state: Run["state"]): Run {
  return {
    namespaceId: ref.namespaceId,
    pipelineId: ref.pipelineId,
    id: ref.runId,
    started: 1,
    ended: state === "COMPLETE" ? 2 : null,
    state,
    status: state === "COMPLETE" ? "SUCCESSFUL" : "UNKNOWN",
    statusReason: null,
    taskRunIds: [],
    trigger: { name: "manual", label: "api" },
    variables: [],
    storeObjectsExpired: false,
    eventId: null,
  };
}

/** A store whose run is as `current` says, counting how often it is read. */
function setting() {
  const store = {
    current: run("RUNNING"),
    reads: 0,
    async findRun(): Promise<Run> {
      store.reads += 1;
      return store.current;
    },
  };
  // The waiter only listens to the log, so the log's database is never touched.
  const eventLog = new EventLog({} as Kysely<Schema>, new FakeClock(new Date(0)));
  return { store, eventLog };
}

function completed(runId: number, id = 1): StoredEvent {
  return {
    id,
    kind: "COMPLETED_RUN",
    details: { namespace_id: ref.namespaceId, pipeline_id: ref.pipelineId, run_id: runId, status: "SUCCESSFUL" },
    emitted: 0,
  };
}

/** Lets the awaited reads settle (promise callbacks only; no time passes). */
const settled = () => new Promise<void>((resolve) => setImmediate(resolve));

describe("waiting for a run", () => {
  test("a complete run is answered at once", async () => {
    const { store, eventLog } = setting();
    store.current = run("COMPLETE");
    await expect(waitForRun(store, eventLog, ref)).resolves.toMatchObject({ state: "COMPLETE" });
  });

  test("a running run is answered once its COMPLETED_RUN is heard; other runs' events are ignored", async () => {
    const { store, eventLog } = setting();
    let answer: Run | undefined;
    void waitForRun(store, eventLog, ref).then((found) => {
      answer = found;
    });
    await settled();
    expect(store.reads).toBe(1);
    eventLog.publish(completed(ref.runId + 1));
    await settled();
    expect(store.reads).toBe(1);
    expect(answer).toBeUndefined();

    store.current = run("COMPLETE");
    eventLog.publish(completed(ref.runId, 2));
    await settled();
    expect(answer).toMatchObject({ id: ref.runId, state: "COMPLETE", status: "SUCCESSFUL" });
  });

  test("the signal ends the wait with its reason, and the wait stops listening", async () => {
    const { store, eventLog } = setting();
    const abort = new AbortController();
    const waiting = waitForRun(store, eventLog, ref, abort.signal);
    await settled();
    abort.abort(new Error("client went away"));
    await expect(waiting).rejects.toThrow("client went away");
    eventLog.publish(completed(ref.runId));
    await settled();
    expect(store.reads).toBe(1);
  });

  test("a missing run rejects with the store's error", async () => {
    const { eventLog } = setting();
    const store = { findRun: async () => Promise.reject(new Error('run 2 of pipeline "build" not found')) };
    await expect(waitForRun(store, eventLog, ref)).rejects.toThrow('run 2 of pipeline "build" not found');
  });
});
