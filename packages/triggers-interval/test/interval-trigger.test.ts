import { TriggerWatchResponse_Result } from "@gofer/proto";
import { FakeClock, startTestTrigger, type TestTrigger } from "@gofer/trigger-sdk";
import { afterEach, describe, expect, test } from "vitest";
import { createIntervalTrigger, EVENT_DETAILS } from "../src/interval-trigger.js";

const MINUTE = 60_000;
const key = { namespaceId: "default", pipelineId: "simple", pipelineTriggerLabel: "every_minute" };

let trigger: TestTrigger | undefined;
afterEach(async () => {
  await trigger?.close();
  trigger = undefined;
});

async function start(env: NodeJS.ProcessEnv = {}, queueCapacity?: number) {
  const clock = new FakeClock(Date.UTC(2026, 10, 21, 12, 0, 0));
  let stats = { fired: 0, coalesced: 0 };
  trigger = await startTestTrigger(
    (context) => {
      const definition = createIntervalTrigger(context);
      stats = definition.stats;
      return definition;
    },
    { clock, env, ...(queueCapacity ? { queueCapacity } : {}) },
  );
  return { clock, trigger, stats: () => stats };
}

async function drain(t: TestTrigger): Promise<number> {
  let n = 0;
  while (t.running.queue.size > 0) {
    await t.client.watch(new AbortController().signal);
    n += 1;
  }
  return n;
}

describe("interval trigger", () => {
  test("fires one period after Subscribe, then every period, with the original's event", async () => {
    const { clock, trigger } = await start();
    await trigger.client.subscribe({ ...key, config: { EVERY: "1m" } });
    await clock.advance(MINUTE - 1);
    expect(trigger.running.queue.size).toBe(0);
    await clock.advance(1);
    const event = await trigger.client.watch(new AbortController().signal);
    expect(event).toEqual({
      ...key,
      details: EVENT_DETAILS,
      result: TriggerWatchResponse_Result.SUCCESS,
      metadata: {},
    });
    await clock.advance(3 * MINUTE);
    expect(await drain(trigger)).toBe(3);
  });

  test("lateness does not accumulate: fire times stay at start + n × EVERY", async () => {
    const { clock, trigger } = await start();
    await trigger.client.subscribe({ ...key, config: { EVERY: "1m" } });
    await clock.advance(MINUTE + 40_000); // the first tick is observed 40 s late
    expect(await drain(trigger)).toBe(1);
    await clock.advance(20_000); // …yet the second is due exactly at start + 2 min
    expect(await drain(trigger)).toBe(1);
  });

  test("accepts EVERY sent with the v0.4 SDKs' GOFER_PLUGIN_PARAM_ prefix", async () => {
    const { clock, trigger } = await start();
    await trigger.client.subscribe({ ...key, config: { GOFER_PLUGIN_PARAM_EVERY: "90s" } });
    await clock.advance(90_000);
    expect(await drain(trigger)).toBe(1);
  });

  test.each([
    [{}, 'missing required setting "EVERY" (also read as "GOFER_PLUGIN_PARAM_EVERY")'],
    [
      { EVERY: "banana" },
      'setting EVERY = "banana" is not a duration; use a Go duration such as "5m", "1h30m" or "90s"',
    ],
    [
      { EVERY: "30s" },
      'setting EVERY = "30s" is too short: durations cannot be less than 1m0s (the trigger\'s MIN_DURATION)',
    ],
  ])("refuses settings %j with a clear message", async (config, message) => {
    const { trigger } = await start();
    await expect(trigger.client.subscribe({ ...key, config })).rejects.toMatchObject({ details: message });
  });

  test("MIN_DURATION is read from GOFER_PLUGIN_CONFIG_MIN_DURATION or the bare name", async () => {
    const prefixed = await start({ GOFER_PLUGIN_CONFIG_MIN_DURATION: "1s" });
    await prefixed.trigger.client.subscribe({ ...key, config: { EVERY: "1s" } });
    await prefixed.trigger.close();
    const bare = await start({ MIN_DURATION: "10s" });
    await expect(bare.trigger.client.subscribe({ ...key, config: { EVERY: "5s" } })).rejects.toMatchObject({
      details: 'setting EVERY = "5s" is too short: durations cannot be less than 10s (the trigger\'s MIN_DURATION)',
    });
  });

  test("an invalid MIN_DURATION is a startup error naming it", async () => {
    await expect(start({ MIN_DURATION: "soon" })).rejects.toThrow(
      'install config MIN_DURATION = "soon" is not a duration; use a Go duration such as "1m" or "30s"',
    );
  });

  test("a repeated Subscribe restarts the period instead of adding a second timer", async () => {
    const { clock, trigger } = await start();
    await trigger.client.subscribe({ ...key, config: { EVERY: "1m" } });
    await clock.advance(30_000);
    await trigger.client.subscribe({ ...key, config: { EVERY: "1m" } });
    await clock.advance(30_000);
    expect(trigger.running.queue.size).toBe(0);
    await clock.advance(30_000);
    expect(await drain(trigger)).toBe(1);
    await clock.advance(10 * MINUTE);
    expect(await drain(trigger)).toBe(10);
  });

  test("Unsubscribe stops the events", async () => {
    const { clock, trigger } = await start();
    await trigger.client.subscribe({ ...key, config: { EVERY: "1m" } });
    await clock.advance(MINUTE);
    await trigger.client.unsubscribe(key);
    await clock.advance(10 * MINUTE);
    expect(await drain(trigger)).toBe(1);
  });

  test("while the queue is full, ticks are coalesced instead of piling up, and firing resumes once drained", async () => {
    const { clock, trigger, stats } = await start({}, 2);
    await trigger.client.subscribe({ ...key, config: { EVERY: "1m" } });
    await clock.advance(10 * MINUTE);
    expect(trigger.running.queue.stats()).toMatchObject({ queued: 2, waitingProducers: 1 });
    expect(stats()).toEqual({ fired: 3, coalesced: 7 });
    expect(await drain(trigger)).toBe(3);
    await clock.advance(MINUTE);
    expect(await drain(trigger)).toBe(1);
  });
});
