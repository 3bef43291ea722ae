// The cron trigger behind the SDK's real server (TLS, bearer key, event queue), driven as Gofer drives it.
import { FakeClock, startTestTrigger, type TestTrigger } from "@gofer/trigger-sdk";
import { afterEach, describe, expect, it } from "vitest";
import { CRON_DOCUMENTATION, createCronTrigger } from "../src/cron-trigger.js";

let trigger: TestTrigger | undefined;

afterEach(async () => {
  await trigger?.close();
  trigger = undefined;
});

const request = (config: Record<string, string>) => ({
  namespaceId: "default",
  pipelineId: "nightly",
  pipelineTriggerLabel: "every_minute",
  config,
});

describe("the cron trigger as Gofer sees it", () => {
  it("delivers one Watch event per named time, even after a repeated Subscribe", async () => {
    const clock = new FakeClock(new Date("2026-01-01T10:00:30Z"));
    trigger = await startTestTrigger(createCronTrigger, { clock });
    await trigger.client.subscribe(request({ GOFER_PLUGIN_PARAM_EXPRESSION: "* * * * * *" }));
    await trigger.client.subscribe(request({ GOFER_PLUGIN_PARAM_EXPRESSION: "* * * * * *" }));
    await clock.advance(60_000);

    const watch = new AbortController();
    const event = await trigger.client.watch(watch.signal);
    expect(event).toMatchObject({
      namespaceId: "default",
      pipelineId: "nightly",
      pipelineTriggerLabel: "every_minute",
      details:
        'Triggered due to current time "Thu, 01 Jan 2026 10:01:00 UTC" being within the timeframe expression "* * * * * *"',
      metadata: { GOFER_TRIGGER_CRON_SCHEDULED_TIME: "2026-01-01T10:01:00Z" },
    });
    expect(trigger.running.queue.size).toBe(0);
  });

  it("refuses a bad expression with INVALID_ARGUMENT and the parser's message", async () => {
    trigger = await startTestTrigger(createCronTrigger, { clock: new FakeClock() });
    await expect(trigger.client.subscribe(request({ EXPRESSION: "*/5 * * * * *" }))).rejects.toMatchObject({
      code: 3,
      details: expect.stringContaining(`Unsupported term '*/5' in minutes field of expression "*/5 * * * * *"`),
    });
  });

  it("names its documentation in Info", async () => {
    trigger = await startTestTrigger(createCronTrigger, { clock: new FakeClock() });
    expect((await trigger.client.info()).documentation).toBe(CRON_DOCUMENTATION);
  });
});
