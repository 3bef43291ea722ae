import { FakeClock } from "@gofer/trigger-sdk";
import { afterEach, describe, expect, it } from "vitest";
import { CronHarness } from "./cron-trigger-harness.js";

const MINUTE_MS = 60_000;
let harness: CronHarness;

function start(at: string): CronHarness {
  harness = new CronHarness(new FakeClock(new Date(at)));
  return harness;
}

afterEach(() => harness?.stop());

describe("the cron trigger fires at exactly the times the expression names, each once", () => {
  it("queues one SUCCESS event per named time, with the original details and the scheduled time as metadata", async () => {
    const cron = start("2026-01-01T10:07:30Z");
    cron.subscribe({ EXPRESSION: "*/15 * * * *" });
    await cron.clock.advance(60 * MINUTE_MS);
    expect(cron.events).toEqual([
      {
        key: { namespaceId: "default", pipelineId: "nightly", label: "cron" },
        result: "SUCCESS",
        details:
          'Triggered due to current time "Thu, 01 Jan 2026 10:15:00 UTC" being within the timeframe expression "*/15 * * * *"',
        metadata: { GOFER_TRIGGER_CRON_SCHEDULED_TIME: "2026-01-01T10:15:00Z" },
        queuedAt: "2026-01-01T10:15:00.000Z",
      },
      expect.objectContaining({ queuedAt: "2026-01-01T10:30:00.000Z" }),
      expect.objectContaining({ queuedAt: "2026-01-01T10:45:00.000Z" }),
      expect.objectContaining({ queuedAt: "2026-01-01T11:00:00.000Z" }),
    ]);
  });

  it("fires on the named time itself, not on a once-a-minute poll", async () => {
    const cron = start("2026-01-01T10:00:00.250Z");
    cron.subscribe({ EXPRESSION: "1 10 * * *" });
    await cron.clock.advance(MINUTE_MS - 251);
    expect(cron.events).toEqual([]);
    await cron.clock.advance(1);
    expect(cron.events.map((event) => event.queuedAt)).toEqual(["2026-01-01T10:01:00.000Z"]);
  });

  it("fires at second resolution with the 7-field form", async () => {
    const cron = start("2026-01-01T10:00:00Z");
    cron.subscribe({ EXPRESSION: "*/10 * * * * * *" });
    await cron.clock.advance(MINUTE_MS);
    expect(cron.scheduledTimes()).toEqual([
      "2026-01-01T10:00:10Z",
      "2026-01-01T10:00:20Z",
      "2026-01-01T10:00:30Z",
      "2026-01-01T10:00:40Z",
      "2026-01-01T10:00:50Z",
      "2026-01-01T10:01:00Z",
    ]);
  });

  it("keeps each subscription on its own schedule", async () => {
    const cron = start("2026-01-01T00:00:00Z");
    cron.subscribe({ EXPRESSION: "0 * * * *" }, "hourly");
    cron.subscribe({ EXPRESSION: "30 0,2 * * * 2026" }, "twice");
    await cron.clock.advance(3 * 60 * MINUTE_MS);
    expect(cron.scheduledTimes("hourly")).toEqual([
      "2026-01-01T01:00:00Z",
      "2026-01-01T02:00:00Z",
      "2026-01-01T03:00:00Z",
    ]);
    expect(cron.scheduledTimes("twice")).toEqual(["2026-01-01T00:30:00Z", "2026-01-01T02:30:00Z"]);
  });

  it("reads wall times in TIMEZONE but reports them in UTC", async () => {
    const cron = start("2026-01-01T00:00:00Z");
    cron.subscribe({ EXPRESSION: "0 9 * * *", TIMEZONE: "Europe/Berlin" });
    await cron.clock.advance(24 * 60 * MINUTE_MS);
    expect(cron.events.map((event) => event.details)).toEqual([
      'Triggered due to current time "Thu, 01 Jan 2026 08:00:00 UTC" being within the timeframe expression "0 9 * * *"',
    ]);
  });

  it("does not fire twice when the clock is set back after a time fired", async () => {
    const cron = start("2026-01-01T10:00:30Z");
    cron.subscribe({ EXPRESSION: "* * * * *" });
    await cron.clock.advance(MINUTE_MS);
    cron.clock.set(new Date("2026-01-01T10:00:10Z"));
    await cron.clock.advance(2 * MINUTE_MS);
    expect(cron.scheduledTimes()).toEqual(["2026-01-01T10:01:00Z", "2026-01-01T10:02:00Z"]);
  });

  it("stops firing when the subscription ends", async () => {
    const cron = start("2026-01-01T10:00:00Z");
    const subscription = cron.subscribe({ EXPRESSION: "* * * * *" });
    await cron.clock.advance(2 * MINUTE_MS);
    subscription.abort();
    await cron.clock.advance(5 * MINUTE_MS);
    expect(cron.scheduledTimes()).toEqual(["2026-01-01T10:01:00Z", "2026-01-01T10:02:00Z"]);
  });

  it("accepts an expression that names no future time, and never fires it", async () => {
    const cron = start("2026-01-01T00:00:00Z");
    cron.subscribe({ EXPRESSION: "* * * * * 2020" });
    await cron.clock.advance(60 * MINUTE_MS);
    expect(cron.events).toEqual([]);
    expect(cron.timers.size).toBe(0);
  });
});
