import { describe, expect, it } from "vitest";
import { fireTimes } from "./fire-times.js";

describe("February 29th fires only in leap years", () => {
  it("every four years, skipping 2100, in the 5-field form", () => {
    expect(fireTimes("0 0 29 2 *", "2026-01-01T00:00:00Z", 2)).toEqual([
      "2028-02-29T00:00:00.000Z",
      "2032-02-29T00:00:00.000Z",
    ]);
    expect(fireTimes("0 0 29 2 *", "2096-03-01T00:00:00Z", 1)).toEqual(["2104-02-29T00:00:00.000Z"]);
    expect(fireTimes("0 0 29 2 *", "2399-01-01T00:00:00Z", 1)).toEqual(["2400-02-29T00:00:00.000Z"]);
  });

  it("up to 2096 in the original grammar, whose years end with 2100", () => {
    expect(fireTimes("0 0 29 2 * *", "2090-01-01T00:00:00Z", 3)).toEqual([
      "2092-02-29T00:00:00.000Z",
      "2096-02-29T00:00:00.000Z",
    ]);
  });

  it("only when the 29th is also the named weekday in the original grammar", () => {
    // Feb 29th on a Monday: 2044 and 2072; none after that before 2100.
    expect(fireTimes("0 0 29 2 1 *", "2026-01-01T00:00:00Z", 3)).toEqual([
      "2044-02-29T00:00:00.000Z",
      "2072-02-29T00:00:00.000Z",
    ]);
  });

  it("steps from the 28th to March 1st in a non-leap year", () => {
    expect(fireTimes("0 12 28-31 2,3 * 2027", "2027-02-27T00:00:00Z", 3)).toEqual([
      "2027-02-28T12:00:00.000Z",
      "2027-03-28T12:00:00.000Z",
      "2027-03-29T12:00:00.000Z",
    ]);
  });

  it("fires on the 31st only in months that have one", () => {
    expect(fireTimes("0 0 31 * *", "2026-01-01T00:00:00Z", 3)).toEqual([
      "2026-01-31T00:00:00.000Z",
      "2026-03-31T00:00:00.000Z",
      "2026-05-31T00:00:00.000Z",
    ]);
  });
});
