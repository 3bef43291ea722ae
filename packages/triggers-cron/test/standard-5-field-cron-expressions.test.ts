import { describe, expect, it } from "vitest";
import { parseCron } from "../src/cron-expression.js";
import { fireTimes, parseError } from "./fire-times.js";

describe("a 5-field expression is standard cron: minute hour day-of-month month day-of-week", () => {
  it("fires at second 0 of each named minute, in any year", () => {
    expect(fireTimes("*/20 * * * *", "2026-01-01T10:05:00Z", 4)).toEqual([
      "2026-01-01T10:20:00.000Z",
      "2026-01-01T10:40:00.000Z",
      "2026-01-01T11:00:00.000Z",
      "2026-01-01T11:20:00.000Z",
    ]);
    expect(fireTimes("0 0 1 1 *", "2150-06-01T00:00:00Z", 1)).toEqual(["2151-01-01T00:00:00.000Z"]);
  });

  it.each([
    ["1-30/10 * * * *", [1, 11, 21]],
    ["5,10-12,50-59/5 * * * *", [5, 10, 11, 12, 50, 55]],
    ["*/25 * * * *", [0, 25, 50]],
    ["59-59 * * * *", [59]],
    ["0-59/100 * * * *", [0]],
  ])("%s names minutes %j", (expression, minutes) => {
    const times = fireTimes(expression, "2026-01-01T09:59:59Z", minutes.length + 1);
    expect(times.map((time) => new Date(time).getUTCMinutes())).toEqual([...minutes, minutes[0]]);
  });

  it.each([
    ["0 0 1 JAN,jul *", "names for months, in any case", "2026-02-01", ["2026-07-01", "2027-01-01"]],
    ["0 0 * FEB-MAR SAT", "names in ranges", "2027-01-01", ["2027-02-06", "2027-02-13"]],
    ["0 0 * * 7", "7 as Sunday", "2026-01-01", ["2026-01-04", "2026-01-11"]],
    ["0 0 * * SUN", "SUN as Sunday", "2026-01-01", ["2026-01-04", "2026-01-11"]],
    ["0 0 * * 5-7", "a range up to 7", "2026-01-01", ["2026-01-02", "2026-01-03", "2026-01-04", "2026-01-09"]],
    ["0 0 * * MON-FRI/2", "names in a stepped range", "2026-01-01", ["2026-01-02", "2026-01-05", "2026-01-07"]],
  ])("%s accepts %s", (expression, _what, after, days) => {
    expect(fireTimes(expression, `${after}T00:00:00Z`, days.length)).toEqual(days.map((day) => `${day}T00:00:00.000Z`));
  });

  describe("day-of-month and day-of-week combine as in standard cron", () => {
    it("fires on either when both are restricted", () => {
      // The 1st of the month OR any Monday.
      expect(fireTimes("0 0 1 * MON", "2026-01-24T00:00:00Z", 4)).toEqual([
        "2026-01-26T00:00:00.000Z",
        "2026-02-01T00:00:00.000Z",
        "2026-02-02T00:00:00.000Z",
        "2026-02-09T00:00:00.000Z",
      ]);
      expect(parseCron("0 0 1 * MON").dayRule).toBe("either");
    });

    it("lets a restricted day-of-month decide alone when day-of-week is '*'", () => {
      expect(fireTimes("0 0 13 * *", "2026-01-01T00:00:00Z", 2)).toEqual([
        "2026-01-13T00:00:00.000Z",
        "2026-02-13T00:00:00.000Z",
      ]);
    });

    it("lets a restricted day-of-week decide alone when day-of-month is '*'", () => {
      expect(fireTimes("0 0 * * FRI", "2026-01-01T00:00:00Z", 2)).toEqual([
        "2026-01-02T00:00:00.000Z",
        "2026-01-09T00:00:00.000Z",
      ]);
    });

    it("counts a stepped '*/2' as restricted, as croner does", () => {
      expect(parseCron("0 0 */2 * MON").dayRule).toBe("either");
      expect(fireTimes("0 0 */2 * MON", "2026-01-01T00:00:00Z", 3)).toEqual([
        "2026-01-03T00:00:00.000Z",
        "2026-01-05T00:00:00.000Z",
        "2026-01-07T00:00:00.000Z",
      ]);
    });
  });

  it("never fires when no day can match", () => {
    expect(fireTimes("0 0 30 2 *", "2026-01-01T00:00:00Z", 1)).toEqual([]);
    expect(fireTimes("0 0 31 4,6,9,11 *", "2026-01-01T00:00:00Z", 1)).toEqual([]);
  });

  it.each([
    ["60 * * * *", "Too large value '60' in minutes field", "expected values in the range 0-59"],
    ["* * * * 8", "Too large value '8' in day-of-week field", "expected values in the range 0-7"],
    ["* * 0 * *", "Too small value '0' in day-of-month field", "expected values in the range 1-31"],
    ["1,,2 * * * *", "Invalid value '' in minutes field", "expected a number"],
    ["* * * FOO *", "Invalid value 'FOO' in month field", "expected a number or a name (JAN-DEC)"],
    ["* * * * FRIDAY", "Invalid value 'FRIDAY' in day-of-week field", "expected a number or a name (SUN-SAT)"],
    ["* JAN * * *", "Invalid value 'JAN' in hours field", "expected a number"],
    ["* * L * *", "Invalid value 'L' in day-of-month field", "expected a number"],
    ["* * ? * *", "Invalid value '?' in day-of-month field", "expected a number"],
    ["* * 15W * *", "Invalid value '15W' in day-of-month field", "expected a number"],
    ["* * * * 5#2", "Invalid value '5#2' in day-of-week field", "expected a number or a name (SUN-SAT)"],
    ["10-5 * * * *", "Invalid range '10-5' in minutes field", "the start must not be greater than the end"],
    ["* * * * FRI-MON", "Invalid range 'FRI-MON' in day-of-week field", "the start must not be greater than the end"],
    ["1-2-3 * * * *", "Invalid range '1-2-3' in minutes field", "expected 'A-B'"],
    [
      "5/10 * * * *",
      "Invalid step '5/10' in minutes field",
      "a step needs '*' or a range before it, such as '*/10' or '5-59/10'",
    ],
    ["*/0 * * * *", "Invalid step '*/0' in minutes field", "the step must be a whole number from 1"],
    ["*/x * * * *", "Invalid step '*/x' in minutes field", "the step must be a whole number from 1"],
    ["*/ * * * *", "Invalid step '*/' in minutes field", "the step must be a whole number from 1"],
    ["*/2/3 * * * *", "Invalid step '*/2/3' in minutes field", "expected at most one '/'"],
  ])("rejects %j", (expression, problem, expected) => {
    expect(parseError(expression)).toBe(`${problem} of expression "${expression}": ${expected}`);
  });
});
