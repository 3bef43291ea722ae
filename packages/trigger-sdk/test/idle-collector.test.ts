import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { FakeClock } from "@gofer/kernel/clock";
import { describe, expect, it } from "vitest";
import { exposedGc, IdleCollector } from "../src/idle-collector.js";

describe("the idle collector", () => {
  it("collects once, a quiet second after the last of a burst of calls", async () => {
    const clock = new FakeClock();
    let collections = 0;
    const collector = new IdleCollector(() => collections++, new AbortController().signal, [1_000], clock);
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

  it("collects again at each later quiet time; a call in between moves the rest", async () => {
    const clock = new FakeClock();
    let collections = 0;
    const collector = new IdleCollector(
      () => collections++,
      new AbortController().signal,
      [1_000, 6_000, 11_000],
      clock,
    );
    collector.touch();
    await clock.advance(1_000);
    expect(collections).toBe(1);
    await clock.advance(3_000);
    collector.touch(); // at 4,000: the second collection moves to 10,000, the third to 15,000
    await clock.advance(5_000);
    expect(collections).toBe(1);
    await clock.advance(1_000);
    expect(collections).toBe(2);
    await clock.advance(4_000);
    expect(collections).toBe(2);
    await clock.advance(1_000);
    expect(collections).toBe(3);
    await clock.advance(60_000);
    expect(collections).toBe(3);
  });

  it("does not collect when stopped while waiting, nor without a gc function", async () => {
    const clock = new FakeClock();
    const stop = new AbortController();
    let collections = 0;
    const collector = new IdleCollector(() => collections++, stop.signal, [1_000], clock);
    collector.touch();
    stop.abort();
    await clock.advance(2_000);
    new IdleCollector(undefined, new AbortController().signal, [1_000], clock).touch();
    await clock.advance(2_000);
    expect(collections).toBe(0);
  });
});

describe("exposedGc", () => {
  it("is undefined without a gc function", () => {
    expect(exposedGc(undefined)).toBeUndefined();
  });

  it("frees garbage that has reached the old generation", () => {
    setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc") as () => void;
    const collect = exposedGc(gc) as () => void;
    let garbage: { name: string; values: number[] }[] | undefined = Array.from({ length: 100_000 }, (_, i) => ({
      name: `entry ${i}`,
      values: [i, i + 1],
    }));
    gc(); // twice: survivors of two collections are promoted out of the young generation
    gc();
    const withGarbage = process.memoryUsage().heapUsed;
    expect(garbage.length).toBe(100_000);
    garbage = undefined;
    collect();
    // ~10 MB of garbage; a collection that frees nothing (as an options argument did) leaves heapUsed where it was.
    expect(withGarbage - process.memoryUsage().heapUsed).toBeGreaterThan(5_000_000);
  });
});
