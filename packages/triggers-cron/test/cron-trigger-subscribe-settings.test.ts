import { FakeClock } from "@gofer/trigger-sdk";
import { afterEach, describe, expect, it } from "vitest";
import { CronHarness } from "./cron-trigger-harness.js";

let harness: CronHarness;

afterEach(() => harness?.stop());

function subscribeError(config: Record<string, string>): string {
  harness = new CronHarness(new FakeClock(new Date("2026-01-01T00:00:00Z")));
  try {
    harness.subscribe(config);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error("expected Subscribe to fail");
}

describe("Subscribe reads EXPRESSION and TIMEZONE, bare or prefixed GOFER_PLUGIN_PARAM_", () => {
  it.each([
    [{ EXPRESSION: "0 * * * *" }],
    [{ GOFER_PLUGIN_PARAM_EXPRESSION: "0 * * * *" }],
    [{ expression: "0 * * * *" }],
  ])("accepts %j", async (config) => {
    harness = new CronHarness(new FakeClock(new Date("2026-01-01T00:00:00Z")));
    harness.subscribe(config);
    await harness.clock.advance(3_600_000);
    expect(harness.scheduledTimes()).toEqual(["2026-01-01T01:00:00Z"]);
  });

  it.each([[{ TIMEZONE: "Asia/Tokyo" }], [{ GOFER_PLUGIN_PARAM_TIMEZONE: "Asia/Tokyo" }]])(
    "reads the zone from %j",
    async (zone) => {
      harness = new CronHarness(new FakeClock(new Date("2026-01-01T00:00:00Z")));
      harness.subscribe({ EXPRESSION: "0 10 * * *", ...zone });
      await harness.clock.advance(86_400_000);
      expect(harness.scheduledTimes()).toEqual(["2026-01-01T01:00:00Z"]);
    },
  );

  it("treats an empty TIMEZONE as UTC", async () => {
    harness = new CronHarness(new FakeClock(new Date("2026-01-01T00:00:00Z")));
    harness.subscribe({ EXPRESSION: "0 10 * * *", TIMEZONE: "" });
    await harness.clock.advance(86_400_000);
    expect(harness.scheduledTimes()).toEqual(["2026-01-01T10:00:00Z"]);
  });

  it.each([
    [{}, 'missing required setting "EXPRESSION" (also read as "GOFER_PLUGIN_PARAM_EXPRESSION")'],
    [{ EXPRESSION: " " }, 'missing required setting "EXPRESSION" (also read as "GOFER_PLUGIN_PARAM_EXPRESSION")'],
    [
      { EXPRESSION: "60 * * * * *" },
      `Too large value '60' in minutes field of expression "60 * * * * *": expected values in the range 0-59`,
    ],
    [
      { EXPRESSION: "* * * * *", TIMEZONE: "Mars/Olympus" },
      `Invalid timezone 'Mars/Olympus': expected an IANA time zone name such as "UTC" or "Europe/Berlin"`,
    ],
  ])("refuses %j, saying why", (config, message) => {
    expect(subscribeError(config)).toBe(message);
  });
});
