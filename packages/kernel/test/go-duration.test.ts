import { describe, expect, test } from "vitest";
import { formatGoDuration, parseGoDuration } from "../src/go-duration.js";

describe("Go durations", () => {
  test.each([
    ["0", 0n],
    ["5s", 5_000_000_000n],
    ["300ms", 300_000_000n],
    ["-1.5h", -5_400_000_000_000n],
    ["+2m", 120_000_000_000n],
    ["1h30m", 5_400_000_000_000n],
    ["1.5h", 5_400_000_000_000n],
    ["2h45m10.5s", 9_910_500_000_000n],
    ["1us", 1_000n],
    ["1µs", 1_000n],
    ["1μs", 1_000n],
    ["100ns", 100n],
    [".5s", 500_000_000n],
    ["1.s", 1_000_000_000n],
    ["1.0000000001s", 1_000_000_000n],
  ])("parses %s", (text, nanos) => {
    expect(parseGoDuration(text)).toBe(nanos);
  });

  test.each([
    ["", 'invalid duration ""'],
    ["5", 'missing unit in duration "5"'],
    ["5d", 'unknown unit "d" in duration "5d"'],
    ["banana", 'invalid duration "banana"'],
    ["1h-5m", 'unknown unit "h-" in duration "1h-5m"'],
    [".s", 'invalid duration ".s"'],
    ["-", 'invalid duration "-"'],
    ["9999999999h", 'invalid duration "9999999999h"'],
  ])("rejects %j with a message naming it", (text, message) => {
    expect(() => parseGoDuration(text)).toThrow(message);
  });

  test.each([
    [0n, "0s"],
    [1n, "1ns"],
    [1_500n, "1.5µs"],
    [1_500_000n, "1.5ms"],
    [1_500_000_000n, "1.5s"],
    [60_000_000_000n, "1m0s"],
    [5_400_000_000_000n, "1h30m0s"],
    [-90_000_000_000n, "-1m30s"],
  ])("formats %s as %s", (nanos, text) => {
    expect(formatGoDuration(nanos)).toBe(text);
    expect(parseGoDuration(text)).toBe(nanos);
  });
});
