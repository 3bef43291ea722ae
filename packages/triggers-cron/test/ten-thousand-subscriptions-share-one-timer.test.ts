import { FakeClock } from "@gofer/trigger-sdk";
import { describe, expect, it } from "vitest";
import { CronHarness } from "./cron-trigger-harness.js";

describe("10,000 subscriptions share one timer", () => {
  it("holds one timer-queue entry per subscription and a single pending sleep", async () => {
    const cron = new CronHarness(new FakeClock(new Date("2026-01-01T00:00:00Z")));
    try {
      for (let i = 0; i < 10_000; i++) cron.subscribe({ EXPRESSION: `${i % 60} * * * *` }, `pipeline-${i}`);
      await cron.clock.advance(0);
      expect(cron.timers.size).toBe(10_000);
      expect(cron.clock.pendingSleeps).toBe(1);
      await cron.clock.advance(3_600_000);
      expect(cron.events).toHaveLength(10_000);
      expect(cron.timers.size).toBe(10_000);
    } finally {
      cron.stop();
    }
  });
});
