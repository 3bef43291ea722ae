import { describe, expect, it } from "vitest";
import { parseCron } from "../src/cron-expression.js";
import { fireTimes } from "./fire-times.js";

describe("a 6-field expression keeps the original meaning: minute hour day-of-month month day-of-week year", () => {
  it("reads the 6th field as the year, never as croner's seconds-first form", () => {
    expect(parseCron("0 12 * * * 2030").form).toBe("original");
    expect(fireTimes("0 12 * * * 2030", "2026-05-01T00:00:00Z", 2)).toEqual([
      "2030-01-01T12:00:00.000Z",
      "2030-01-02T12:00:00.000Z",
    ]);
  });

  it("fires at second 0 of each named minute", () => {
    expect(fireTimes("* * * * * *", "2026-01-01T10:00:30.500Z", 3)).toEqual([
      "2026-01-01T10:01:00.000Z",
      "2026-01-01T10:02:00.000Z",
      "2026-01-01T10:03:00.000Z",
    ]);
  });

  it("stops at the last named year", () => {
    expect(fireTimes("59 23 31 12 * 2026,2027", "2026-06-01T00:00:00Z", 5)).toEqual([
      "2026-12-31T23:59:00.000Z",
      "2027-12-31T23:59:00.000Z",
    ]);
  });

  it("never fires when every named year has passed", () => {
    expect(fireTimes("* * * * * 2020", "2026-01-01T00:00:00Z", 1)).toEqual([]);
    expect(fireTimes("0 0 1 1 * 1970-2025", "2026-01-01T00:00:00Z", 1)).toEqual([]);
  });

  it("ends with 2100, the last year of the original range, even for '*'", () => {
    expect(fireTimes("0 0 31 12 * *", "2099-06-01T00:00:00Z", 3)).toEqual([
      "2099-12-31T00:00:00.000Z",
      "2100-12-31T00:00:00.000Z",
    ]);
  });

  it("needs day-of-month AND day-of-week to match, unlike Vixie cron", () => {
    // Friday the 13th only, not every 13th and every Friday.
    expect(fireTimes("0 9 13 * 5 *", "2026-01-01T00:00:00Z", 3)).toEqual([
      "2026-02-13T09:00:00.000Z",
      "2026-03-13T09:00:00.000Z",
      "2026-11-13T09:00:00.000Z",
    ]);
  });

  it.each([
    ["* * * * * *", "'*' everywhere"],
    ["7 7 7 7 6 2030", "single values"],
    ["007 07 07 07 06 02030", "leading zeros, as Go's strconv.Atoi read them"],
    ["1-3 1-3 1-3 1-3 1-3 2026-2028", "ranges with start < end"],
    ["1,3,5 1,3,5 1,3,5 1,3,5 1,3,5 2026,2028", "lists of plain numbers"],
    ["3,3 3,3 3,3 3,3 3,3 2030,2030", "lists with repeats"],
    ["0 0 1 1 0 1970", "the smallest value of every field"],
    ["59 23 31 12 6 2100", "the largest value of every field"],
  ])("accepts %s (%s)", (expression) => {
    expect(parseCron(expression).form).toBe("original");
  });

  it("names the ranges: 1-3 fires on the 1st, 2nd and 3rd", () => {
    expect(fireTimes("30 6 1-3 2 * 2027", "2026-01-01T00:00:00Z", 4)).toEqual([
      "2027-02-01T06:30:00.000Z",
      "2027-02-02T06:30:00.000Z",
      "2027-02-03T06:30:00.000Z",
    ]);
  });
});
