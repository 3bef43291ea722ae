import { FakeClock } from "@gofer/kernel/clock";
import { expect, test } from "vitest";
import { TimerEntry, TimerQueue } from "../src/timer-queue.js";

test("callbacks run at their times, in time order, on one timer", async () => {
  const clock = new FakeClock(0);
  const timers = new TimerQueue(clock);
  const stop = new AbortController();
  void timers.start(stop.signal);
  const fired: string[] = [];
  timers.schedule(300, () => fired.push(`c@${clock.now().getTime()}`));
  timers.schedule(100, () => fired.push(`a@${clock.now().getTime()}`));
  timers.schedule(200, () => fired.push(`b@${clock.now().getTime()}`));
  await clock.advance(150);
  expect(fired).toEqual(["a@100"]);
  await clock.advance(200);
  expect(fired).toEqual(["a@100", "b@200", "c@300"]);
  stop.abort();
});

test("an earlier entry added while the loop sleeps is not delayed", async () => {
  const clock = new FakeClock(0);
  const timers = new TimerQueue(clock);
  const stop = new AbortController();
  void timers.start(stop.signal);
  const fired: number[] = [];
  timers.schedule(10_000, () => fired.push(clock.now().getTime()));
  await clock.waitForSleepers(1);
  timers.schedule(50, () => fired.push(clock.now().getTime()));
  await clock.advance(60);
  expect(fired).toEqual([50]);
  stop.abort();
});

test("an aborted entry never fires", async () => {
  const clock = new FakeClock(0);
  const timers = new TimerQueue(clock);
  const stop = new AbortController();
  void timers.start(stop.signal);
  const cancel = new AbortController();
  let fired = false;
  timers.schedule(100, () => (fired = true), cancel.signal);
  cancel.abort();
  await clock.advance(200);
  expect(fired).toBe(false);
  stop.abort();
});

test("an entry that is its own timer entry fires at its time and can be added again once fired", async () => {
  const clock = new FakeClock(0);
  const timers = new TimerQueue(clock);
  const stop = new AbortController();
  void timers.start(stop.signal);
  const fired: number[] = [];
  class Every100 extends TimerEntry {
    get cancelled() {
      return false;
    }
    fire() {
      fired.push(clock.now().getTime());
      if (fired.length < 3) timers.add(this, this.atMs + 100);
    }
  }
  const entry = new Every100();
  timers.add(entry, 100);
  expect(() => timers.add(entry, 50)).toThrow(/already scheduled/);
  await clock.advance(1_000);
  expect(fired).toEqual([100, 200, 300]);
  expect(timers.size).toBe(0);
  stop.abort();
});

test("one clock timer at a time: set for the earliest entry, none once the queue is empty or stopped", async () => {
  const clock = new FakeClock(0);
  const timers = new TimerQueue(clock);
  const stop = new AbortController();
  const stopped = timers.start(stop.signal);
  expect(clock.pendingSleeps).toBe(0);
  timers.schedule(500, () => {});
  timers.schedule(300, () => {});
  timers.schedule(400, () => {});
  expect(clock.pendingSleeps).toBe(1);
  await clock.advance(450);
  expect(timers.size).toBe(1);
  expect(clock.pendingSleeps).toBe(1);
  await clock.advance(100);
  expect(timers.size).toBe(0);
  expect(clock.pendingSleeps).toBe(0);
  timers.schedule(10_000, () => {});
  stop.abort();
  await stopped;
  expect(clock.pendingSleeps).toBe(0);
});

test("a callback that throws is reported and the others still fire", async () => {
  const clock = new FakeClock(0);
  const errors: unknown[] = [];
  const timers = new TimerQueue(clock, (error) => errors.push(error));
  const stop = new AbortController();
  void timers.start(stop.signal);
  let fired = false;
  timers.schedule(100, () => {
    throw new Error("boom");
  });
  timers.schedule(100, () => (fired = true));
  await clock.advance(100);
  expect(errors).toHaveLength(1);
  expect(fired).toBe(true);
  stop.abort();
});

test("a fake clock timer fires once at its time; set again replaces the time, clear forgets it", async () => {
  const clock = new FakeClock(0);
  const fired: number[] = [];
  const timer = clock.timer(() => fired.push(clock.now().getTime()));
  timer.set(100);
  timer.set(250);
  await clock.advance(200);
  expect(fired).toEqual([]);
  await clock.advance(100);
  expect(fired).toEqual([250]);
  timer.set(100);
  timer.clear();
  await clock.advance(1_000);
  expect(fired).toEqual([250]);
  expect(clock.pendingSleeps).toBe(0);
});
