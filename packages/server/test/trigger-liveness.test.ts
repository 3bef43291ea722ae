// Liveness of running triggers: a trigger that stops answering (SIGSTOP: its parked Watch just never returns) is found
// by Info checks with a deadline, marked UNKNOWN, reported with an UNHEALTHY_TRIGGER event, killed and restarted; its
// pipelines get runs again.

import { FakeClock } from "@gofer/kernel";
import { type Event, Trigger_TriggerState } from "@gofer/proto";
import { afterEach, describe, expect, test, vi } from "vitest";
import { watchLiveness } from "../src/triggers/liveness.js";
import { intervalPipeline, pidListeningOn, startTestServer, type TestServer } from "./server-harness.js";

describe("watchLiveness", () => {
  test("reports a trigger hung after the configured misses in a row, and an answer resets the count", async () => {
    const clock = new FakeClock();
    const answers = [true, false, false, true, false, false, false];
    const misses: number[] = [];
    let recovered = 0;
    const probe = () => (answers.shift() ? Promise.resolve() : new Promise<void>(() => {})); /* hung: never answers */
    const outcome = watchLiveness({
      probe,
      policy: { intervalMs: 1_000, timeoutMs: 500, misses: 3 },
      clock,
      signal: new AbortController().signal,
      onMiss: (miss) => misses.push(miss),
      onAnswer: () => {
        recovered += 1;
      },
    });
    let reason: string | undefined;
    void outcome.then((r) => {
      reason = r;
    });
    for (let i = 0; i < 7 && reason === undefined; i++) await clock.advance(1_500);
    expect(misses).toEqual([1, 2, 1, 2, 3]);
    expect(recovered).toBe(1);
    expect(reason).toBe(
      "did not answer 3 liveness checks in a row (500 ms each, every 1000 ms); last: no answer to Info within 500 ms",
    );
  });

  test("ends quietly when its signal aborts, and never checks when the interval is 0", async () => {
    const clock = new FakeClock();
    const stop = new AbortController();
    let probes = 0;
    const outcome = watchLiveness({
      probe: async () => {
        probes += 1;
      },
      policy: { intervalMs: 1_000, timeoutMs: 500, misses: 3 },
      clock,
      signal: stop.signal,
    });
    await clock.advance(3_000);
    stop.abort();
    await expect(outcome).resolves.toBeUndefined();
    expect(probes).toBe(3);
    const off = watchLiveness({
      probe: async () => {
        probes += 1;
      },
      policy: { intervalMs: 0, timeoutMs: 500, misses: 3 },
      clock,
      signal: new AbortController().signal,
    });
    await expect(off).resolves.toBeUndefined();
  });
});

describe("a hung trigger", () => {
  let server: TestServer | undefined;
  let stoppedPid: number | undefined;
  afterEach(async () => {
    if (stoppedPid) {
      try {
        process.kill(stoppedPid, "SIGKILL");
      } catch {
        // already gone, as it should be
      }
    }
    await server?.destroy();
    server = undefined;
  });

  test("is found by liveness checks, reported, killed and restarted; its pipeline runs again", async () => {
    server = await startTestServer({
      set: {
        "triggers.liveness_interval": "200ms",
        "triggers.liveness_timeout": "300ms",
        "triggers.liveness_misses": 3,
      },
    });
    const s = server;
    await s.api.installTrigger({
      name: "interval",
      image: "gofer-trigger-interval:latest",
      user: "",
      pass: "",
      variables: { MIN_DURATION: "1s" },
    });
    await s.api.createPipeline({ namespaceId: "default", pipelineConfig: intervalPipeline("simple") });
    const runs = async () =>
      (await s.api.listRuns({ offset: 0n, limit: 0n, namespaceId: "default", pipelineId: "simple" })).runs.length;
    await vi.waitFor(async () => expect(await runs()).toBeGreaterThanOrEqual(1), { timeout: 20_000, interval: 100 });

    const url = (await s.api.getTrigger({ name: "interval" })).trigger?.url as string;
    const pid = pidListeningOn(Number(url.split(":")[1]));
    expect(pid).toBeGreaterThan(0);
    stoppedPid = pid;
    process.kill(Number(pid), "SIGSTOP");

    await vi.waitFor(
      async () => {
        const stream = s.client.listEvents({ reverse: false, follow: false });
        const events: Event[] = [];
        for await (const item of stream) events.push(item.event as Event);
        const unhealthy = events.find((e) => e.kind === "UNHEALTHY_TRIGGER");
        expect(unhealthy).toBeDefined();
        const details = JSON.parse(unhealthy?.details ?? "{}") as Record<string, string>;
        expect(details.name).toBe("interval");
        expect(details.reason).toMatch(/^did not answer 3 liveness checks in a row/);
      },
      { timeout: 20_000, interval: 100 },
    );
    await vi.waitFor(
      async () => {
        const trigger = (await s.api.getTrigger({ name: "interval" })).trigger;
        expect(trigger?.state).toBe(Trigger_TriggerState.RUNNING);
        expect(trigger?.url).not.toBe(url);
      },
      { timeout: 20_000, interval: 100 },
    );
    // The hung process was killed, not left behind.
    await vi.waitFor(() => expect(() => process.kill(Number(pid), 0)).toThrow(), { timeout: 5_000, interval: 50 });
    stoppedPid = undefined;
    const before = await runs();
    await vi.waitFor(async () => expect(await runs()).toBeGreaterThan(before), { timeout: 20_000, interval: 100 });
  });
});
