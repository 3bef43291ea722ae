import { FakeClock } from "@gofer/kernel/clock";
import { expect, test } from "vitest";
import { TimerQueue } from "../src/timer-queue.js";

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
