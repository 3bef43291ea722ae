import { describe, expect, it } from "vitest";
import { parseCron } from "../src/cron-expression.js";
import { nextFireTime } from "../src/next-fire-time.js";

describe("the next fire time is the first named time strictly after the given one", () => {
  it("skips a named time equal to `after`", () => {
    const schedule = parseCron("0 12 * * *");
    expect(nextFireTime(schedule, new Date("2026-01-01T12:00:00Z"))?.toISOString()).toBe("2026-01-02T12:00:00.000Z");
  });

  it("takes a named time a millisecond after `after`", () => {
    const schedule = parseCron("0 12 * * *");
    expect(nextFireTime(schedule, new Date("2026-01-01T11:59:59.999Z"))?.toISOString()).toBe(
      "2026-01-01T12:00:00.000Z",
    );
  });

  it("moves to the next second within a second-resolution schedule", () => {
    const schedule = parseCron("* * * * * * *");
    expect(nextFireTime(schedule, new Date("2026-01-01T12:00:00.400Z"))?.toISOString()).toBe(
      "2026-01-01T12:00:01.000Z",
    );
  });

  it("carries across the end of a year", () => {
    const schedule = parseCron("59 23 31 12 *");
    expect(nextFireTime(schedule, new Date("2026-12-31T23:59:00Z"))?.toISOString()).toBe("2027-12-31T23:59:00.000Z");
    expect(nextFireTime(parseCron("* * * * *"), new Date("2026-12-31T23:59:30Z"))?.toISOString()).toBe(
      "2027-01-01T00:00:00.000Z",
    );
  });

  it("starts at 1970 when asked from before it", () => {
    expect(nextFireTime(parseCron("0 0 1 1 * *"), new Date("1960-05-01T00:00:00Z"))?.toISOString()).toBe(
      "1970-01-01T00:00:00.000Z",
    );
  });

  it("rejects an invalid Date", () => {
    expect(() => nextFireTime(parseCron("* * * * *"), new Date(Number.NaN))).toThrow(
      "nextFireTime: `after` is an invalid Date",
    );
  });
});
