import { FakeClock } from "@gofer/kernel/clock";
import { describe, expect, it } from "vitest";
import { IdleCollector } from "../src/idle-collector.js";

describe("the idle collector", () => {
  it("collects once, a quiet second after the last of a burst of calls", async () => {
    const clock = new FakeClock();
    let collections = 0;
    const collector = new IdleCollector(() => collections++, new AbortController().signal, 1_000, clock);
    collector.touch();
    await clock.advance(600);
    collector.touch(); // moves the deadline to 1,600
    await clock.advance(600);
    expect(collections).toBe(0);
    await clock.advance(400);
    expect(collections).toBe(1);
    await clock.advance(5_000);
    expect(collections).toBe(1);
    collector.touch();
    await clock.advance(1_000);
    expect(collections).toBe(2);
  });

  it("does not collect when stopped while waiting, nor without a gc function", async () => {
    const clock = new FakeClock();
    const stop = new AbortController();
    let collections = 0;
    const collector = new IdleCollector(() => collections++, stop.signal, 1_000, clock);
    collector.touch();
    stop.abort();
    await clock.advance(2_000);
    new IdleCollector(undefined, new AbortController().signal, 1_000, clock).touch();
    await clock.advance(2_000);
    expect(collections).toBe(0);
  });
});
