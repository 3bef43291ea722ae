// The pieces of pretty output: humanised enum names, relative times, durations, aligned tables, colour decisions.
import { describe, expect, test } from "vitest";
import { absoluteTime, formatDuration, humanizeEnum, relativeTime, truncate } from "../src/output/humanize.js";
import { colorAllowed, createPalette, stripAnsi, visibleWidth } from "../src/output/palette.js";
import { renderTable } from "../src/output/table.js";

test("enum names read as words, and every kind of unknown reads as Unknown", () => {
  expect(humanizeEnum("RUNNING")).toBe("Running");
  expect(humanizeEnum("USER_CANCELLED")).toBe("User cancelled");
  expect(humanizeEnum("UNKNOWN_STATE")).toBe("Unknown");
  expect(humanizeEnum("PIPELINE_STATE_UNKNOWN")).toBe("Unknown");
  expect(humanizeEnum("UNRECOGNIZED")).toBe("Unknown");
});

describe("relative times", () => {
  const now = new Date("2024-05-01T12:00:00Z");
  const at = (ms: number) => now.getTime() - ms;
  test.each([
    [500, "just now"],
    [1000, "1 second ago"],
    [45_000, "45 seconds ago"],
    [60_000, "1 minute ago"],
    [3 * 3600_000 + 5, "3 hours ago"],
    [2 * 86_400_000, "2 days ago"],
    [-90_000, "in 1 minute"],
  ])("%i ms ago is %s", (ms, text) => {
    expect(relativeTime(at(ms), now)).toBe(text);
  });

  test("an unset time (0) is never", () => {
    expect(relativeTime(0, now)).toBe("never");
    expect(absoluteTime(0)).toBe("-");
    expect(absoluteTime(Date.UTC(2024, 4, 1, 12, 0, 3, 456))).toBe("2024-05-01 12:00:03 UTC");
  });
});

test("durations and truncation", () => {
  expect([850, 12_400, 185_000, 7_380_000, 97_200_000].map(formatDuration)).toEqual([
    "850ms",
    "12s",
    "3m 5s",
    "2h 3m",
    "1d 3h",
  ]);
  expect(truncate("a long\ndescription", 10)).toBe("a long de…");
  expect(truncate("short", 10)).toBe("short");
});

test("tables align on visible width, so coloured cells line up", () => {
  const colors = createPalette(true);
  const table = renderTable(
    ["Name", "State"],
    [
      [colors.green("interval"), "Running"],
      ["cron", "Exited"],
    ],
    colors,
  );
  const plain = stripAnsi(table);
  expect(plain).toBe("NAME      STATE\ninterval  Running\ncron      Exited");
  expect(visibleWidth(colors.bold("abc"))).toBe(3);
  expect(renderTable(["A", "B"], [["x", "y"]], createPalette(false))).toBe("A  B\nx  y");
});

test("colour only on a terminal, in pretty output, and not when turned off", () => {
  const tty = { isTTY: true, write: () => true };
  const pipe = { isTTY: false, write: () => true };
  expect(colorAllowed(tty, { noColor: false, format: "pretty" })).toBe(true);
  expect(colorAllowed(pipe, { noColor: false, format: "pretty" })).toBe(false);
  expect(colorAllowed(tty, { noColor: true, format: "pretty" })).toBe(false);
  expect(colorAllowed(tty, { noColor: false, format: "json" })).toBe(false);
});
