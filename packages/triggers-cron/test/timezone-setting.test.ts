import { describe, expect, it } from "vitest";
import { parseCron } from "../src/cron-expression.js";
import { fireTimes, parseError } from "./fire-times.js";

describe("TIMEZONE decides whose wall clock the expression reads", () => {
  it("defaults to UTC, as the original's distroless container did", () => {
    expect(parseCron("0 9 * * *").timeZone.name).toBe("UTC");
    expect(fireTimes("0 9 * * *", "2026-01-01T00:00:00Z", 1)).toEqual(["2026-01-01T09:00:00.000Z"]);
  });

  it("fires at the local time of an IANA zone, in every form", () => {
    expect(fireTimes("0 9 * * *", "2025-12-31T23:00:00Z", 1, "Asia/Tokyo")).toEqual(["2026-01-01T00:00:00.000Z"]);
    expect(fireTimes("0 9 * * * *", "2026-01-01T00:00:00Z", 1, "Asia/Kolkata")).toEqual(["2026-01-01T03:30:00.000Z"]);
    expect(fireTimes("0 0 9 * * * *", "2026-07-01T00:00:00Z", 1, "America/Los_Angeles")).toEqual([
      "2026-07-01T16:00:00.000Z",
    ]);
  });

  it("reads day and weekday in the zone too", () => {
    // Monday 00:30 in Auckland is still Sunday in UTC.
    expect(fireTimes("30 0 * * 1 *", "2026-01-01T00:00:00Z", 1, "Pacific/Auckland")).toEqual([
      "2026-01-04T11:30:00.000Z",
    ]);
  });

  it("accepts the spellings Intl accepts and reports the canonical name", () => {
    expect(parseCron("* * * * *", { timezone: "utc" }).timeZone.name).toBe("UTC");
    expect(parseCron("* * * * *", { timezone: "europe/berlin" }).timeZone.name).toBe("Europe/Berlin");
  });

  it("shares one zone between schedules", () => {
    const a = parseCron("* * * * *", { timezone: "Europe/Paris" });
    const b = parseCron("0 0 * * *", { timezone: "Europe/Paris" });
    expect(a.timeZone).toBe(b.timeZone);
  });

  it.each(["Mars/Olympus", "", "Europe/Berlin ", "CEST+2"])("rejects timezone %j, naming it", (timezone) => {
    expect(parseError("* * * * *", timezone)).toBe(
      `Invalid timezone '${timezone}': expected an IANA time zone name such as "UTC" or "Europe/Berlin"`,
    );
  });
});
