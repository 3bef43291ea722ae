import { describe, expect, it } from "vitest";
import { parseCron } from "../src/cron-expression.js";
import { fireTimes, parseError } from "./fire-times.js";

describe("a 7-field expression is second minute hour day-of-month month day-of-week year", () => {
  it("fires at the named seconds", () => {
    expect(fireTimes("*/20 * * * * * *", "2026-01-01T10:00:05Z", 4)).toEqual([
      "2026-01-01T10:00:20.000Z",
      "2026-01-01T10:00:40.000Z",
      "2026-01-01T10:01:00.000Z",
      "2026-01-01T10:01:20.000Z",
    ]);
    expect(fireTimes("30 15 9 * * MON-FRI *", "2026-01-02T09:15:30Z", 2)).toEqual([
      "2026-01-05T09:15:30.000Z",
      "2026-01-06T09:15:30.000Z",
    ]);
  });

  it("reads the 7th field as the year, with steps allowed", () => {
    expect(fireTimes("0 0 0 1 1 * 2030-2040/5", "2026-01-01T00:00:00Z", 4)).toEqual([
      "2030-01-01T00:00:00.000Z",
      "2035-01-01T00:00:00.000Z",
      "2040-01-01T00:00:00.000Z",
    ]);
  });

  it("uses standard cron's day rule, like the 5-field form", () => {
    expect(parseCron("0 0 0 1 * MON *").dayRule).toBe("either");
    expect(parseCron("0 0 0 1 * * *").dayRule).toBe("both");
  });

  it.each([
    ["60 * * * * * *", "Too large value '60' in seconds field", "expected values in the range 0-59"],
    ["* * * * * * 1969", "Too small value '1969' in year field", "expected values in the range 1970-2100"],
    ["* * * * * * 2101", "Too large value '2101' in year field", "expected values in the range 1970-2100"],
    ["* * * * * * X", "Invalid value 'X' in year field", "expected a number"],
    [
      "5/5 * * * * * *",
      "Invalid step '5/5' in seconds field",
      "a step needs '*' or a range before it, such as '*/5' or '5-59/5'",
    ],
  ])("rejects %j", (expression, problem, expected) => {
    expect(parseError(expression)).toBe(`${problem} of expression "${expression}": ${expected}`);
  });
});
