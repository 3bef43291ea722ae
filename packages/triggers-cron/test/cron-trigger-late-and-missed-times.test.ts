import { FakeClock } from "@gofer/trigger-sdk";
import { afterEach, describe, expect, it } from "vitest";
import { CronHarness } from "./cron-trigger-harness.js";

const MINUTE_MS = 60_000;
let harness: CronHarness;

afterEach(() => harness?.stop());

describe("times reached late fire once if within 60 s, and are skipped beyond that", () => {
  it("fires every time that passed while an event waited for room in the queue, if still within 60 s", async () => {
    harness = new CronHarness(new FakeClock(new Date("2026-01-01T10:00:00Z")));
    harness.subscribe({ EXPRESSION: "*/10 * * * * * *" });
    harness.holdEmits = true;
    await harness.clock.advance(10_000); // 10:00:10 is due; its event waits
    await harness.clock.advance(35_000); // 10:00:20, :30 and :40 pass meanwhile
    await harness.release();
    expect(harness.scheduledTimes()).toEqual([
      "2026-01-01T10:00:10Z",
      "2026-01-01T10:00:20Z",
      "2026-01-01T10:00:30Z",
      "2026-01-01T10:00:40Z",
    ]);
    await harness.clock.advance(10_000);
    expect(harness.scheduledTimes().at(-1)).toBe("2026-01-01T10:00:50Z");
  });

  it("skips times missed by more than 60 s when the clock jumps forward, then carries on", async () => {
    harness = new CronHarness(new FakeClock(new Date("2026-01-01T10:00:30Z")));
    harness.subscribe({ EXPRESSION: "* * * * *" });
    harness.clock.set(new Date("2026-01-01T10:10:30Z")); // e.g. the host was suspended
    await harness.clock.advance(0);
    // 10:01 … 10:09 are more than 60 s late; 10:10 is 30 s late and still fires.
    expect(harness.events.map((event) => [event.metadata?.GOFER_TRIGGER_CRON_SCHEDULED_TIME, event.queuedAt])).toEqual([
      ["2026-01-01T10:10:00Z", "2026-01-01T10:10:30.000Z"],
    ]);
    await harness.clock.advance(MINUTE_MS);
    expect(harness.scheduledTimes()).toEqual(["2026-01-01T10:10:00Z", "2026-01-01T10:11:00Z"]);
  });
});
