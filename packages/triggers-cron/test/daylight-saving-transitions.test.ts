// The DST rules of next-fire-time.ts: a local time skipped by spring-forward does not fire; a local time repeated by
// fall-back fires once, at its first occurrence.
import { describe, expect, it } from "vitest";
import { fireTimes } from "./fire-times.js";

describe("a local time skipped by a spring-forward transition does not fire", () => {
  it("skips 02:30 on the day Berlin jumps from 02:00 to 03:00", () => {
    // 2026-03-29: 02:00 CET becomes 03:00 CEST.
    expect(fireTimes("30 2 * * *", "2026-03-27T12:00:00Z", 3, "Europe/Berlin")).toEqual([
      "2026-03-28T01:30:00.000Z",
      "2026-03-30T00:30:00.000Z",
      "2026-03-31T00:30:00.000Z",
    ]);
  });

  it("runs an every-15-minutes schedule straight through the gap", () => {
    expect(fireTimes("*/15 * * * *", "2026-03-08T06:40:00Z", 4, "America/New_York")).toEqual([
      "2026-03-08T06:45:00.000Z", // 01:45 EST
      "2026-03-08T07:00:00.000Z", // 03:00 EDT, right after the gap
      "2026-03-08T07:15:00.000Z",
      "2026-03-08T07:30:00.000Z",
    ]);
  });

  it("skips the gap in the original grammar and at second resolution alike", () => {
    expect(fireTimes("30 2 8 3 * 2026", "2026-01-01T00:00:00Z", 1, "America/New_York")).toEqual([]);
    // 02:59:59 did not exist on March 8th.
    expect(fireTimes("59 59 2 * * * *", "2026-03-07T12:00:00Z", 2, "America/New_York")).toEqual([
      "2026-03-09T06:59:59.000Z",
      "2026-03-10T06:59:59.000Z",
    ]);
  });

  it("handles half-hour shifts (Lord Howe Island moves 30 minutes)", () => {
    // 2026-10-04 02:00 +10:30 becomes 02:30 +11:00; 02:15 does not exist.
    expect(fireTimes("15 2 * * *", "2026-10-02T12:00:00Z", 2, "Australia/Lord_Howe")).toEqual([
      "2026-10-02T15:45:00.000Z",
      "2026-10-04T15:15:00.000Z",
    ]);
  });
});

describe("a local time repeated by a fall-back transition fires once, at its first occurrence", () => {
  it("fires 01:30 once on the day New York repeats 01:00-02:00", () => {
    // 2026-11-01: 02:00 EDT becomes 01:00 EST.
    expect(fireTimes("30 1 * * *", "2026-10-31T12:00:00Z", 3, "America/New_York")).toEqual([
      "2026-11-01T05:30:00.000Z", // 01:30 EDT
      "2026-11-02T06:30:00.000Z", // 01:30 EST, the next day
      "2026-11-03T06:30:00.000Z",
    ]);
  });

  it("runs an every-15-minutes schedule through the repeated hour once, not twice", () => {
    expect(fireTimes("*/15 * * * *", "2026-11-01T05:20:00Z", 5, "America/New_York")).toEqual([
      "2026-11-01T05:30:00.000Z", // 01:30 EDT
      "2026-11-01T05:45:00.000Z", // 01:45 EDT
      "2026-11-01T07:00:00.000Z", // 02:00 EST: 01:00-01:45 EST were repeats
      "2026-11-01T07:15:00.000Z",
      "2026-11-01T07:30:00.000Z",
    ]);
  });

  it("fires nothing more in the repeated hour when asked from inside its second pass", () => {
    // 01:10 EST, the second time the clocks read 01:10.
    expect(fireTimes("* * * * *", "2026-11-01T06:10:00Z", 2, "America/New_York")).toEqual([
      "2026-11-01T07:00:00.000Z",
      "2026-11-01T07:01:00.000Z",
    ]);
    expect(fireTimes("* * * * * * *", "2026-11-01T06:00:01Z", 2, "America/New_York")).toEqual([
      "2026-11-01T07:00:00.000Z",
      "2026-11-01T07:00:01.000Z",
    ]);
  });

  it("fires a time in the first pass that is still ahead", () => {
    // 01:10 EDT: 01:20 EDT is still to come.
    expect(fireTimes("20 1 * * *", "2026-11-01T05:10:00Z", 1, "America/New_York")).toEqual([
      "2026-11-01T05:20:00.000Z",
    ]);
  });

  it("fires 02:30 once on the day Berlin repeats 02:00-03:00", () => {
    // 2026-10-25: 03:00 CEST becomes 02:00 CET.
    expect(fireTimes("30 2 * * *", "2026-10-24T12:00:00Z", 2, "Europe/Berlin")).toEqual([
      "2026-10-25T00:30:00.000Z", // 02:30 CEST
      "2026-10-26T01:30:00.000Z", // 02:30 CET, the next day
    ]);
  });

  it("does the same in the southern hemisphere (Sydney falls back in April)", () => {
    // 2026-04-05: 03:00 AEDT becomes 02:00 AEST.
    expect(fireTimes("30 2 * * *", "2026-04-04T00:00:00Z", 2, "Australia/Sydney")).toEqual([
      "2026-04-04T15:30:00.000Z", // 02:30 AEDT
      "2026-04-05T16:30:00.000Z", // 02:30 AEST, the next day
    ]);
  });
});
