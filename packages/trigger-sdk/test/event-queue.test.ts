import { describe, expect, test } from "vitest";
import { EventQueue, QueueClosedError } from "../src/event-queue.js";

describe("EventQueue", () => {
  test("each event goes to exactly one taker, in push order", async () => {
    const queue = new EventQueue<number>({ capacity: 10 });
    for (let i = 0; i < 5; i++) await queue.push(i);
    const taken = await Promise.all([queue.take(), queue.take(), queue.take(), queue.take(), queue.take()]);
    expect(taken).toEqual([0, 1, 2, 3, 4]);
    expect(queue.stats()).toMatchObject({ enqueued: 5, delivered: 5, queued: 0 });
  });

  test("a waiting taker gets the next push directly", async () => {
    const queue = new EventQueue<string>();
    const first = queue.take();
    const second = queue.take();
    await queue.push("a");
    await queue.push("b");
    expect(await first).toBe("a");
    expect(await second).toBe("b");
  });

  test("a full queue makes producers wait, and admits them in order as room appears", async () => {
    const queue = new EventQueue<number>({ capacity: 2 });
    await queue.push(1);
    await queue.push(2);
    let thirdQueued = false;
    const third = queue.push(3).then(() => {
      thirdQueued = true;
    });
    const fourth = queue.push(4);
    await Promise.resolve();
    expect(thirdQueued).toBe(false);
    expect(queue.stats().waitingProducers).toBe(2);
    expect(await queue.take()).toBe(1);
    await third;
    expect(thirdQueued).toBe(true);
    expect(await queue.take()).toBe(2);
    await fourth;
    expect([await queue.take(), await queue.take()]).toEqual([3, 4]);
  });

  test("a waiting producer is released by its signal and its event is not added", async () => {
    const queue = new EventQueue<number>({ capacity: 1 });
    await queue.push(1);
    const controller = new AbortController();
    const blocked = queue.push(2, controller.signal);
    controller.abort(new Error("unsubscribed"));
    await expect(blocked).rejects.toThrow("unsubscribed");
    expect(await queue.take()).toBe(1);
    expect(queue.size).toBe(0);
  });

  test("a cancelled take resolves empty and loses no event", async () => {
    const queue = new EventQueue<number>();
    const controller = new AbortController();
    const cancelled = queue.take(controller.signal);
    controller.abort();
    expect(await cancelled).toBeUndefined();
    await queue.push(7);
    expect(await queue.take()).toBe(7);
  });

  test("tryTake takes the next event without waiting, and on an empty queue takes nothing", async () => {
    const queue = new EventQueue<number>({ capacity: 1 });
    expect(queue.tryTake()).toBeUndefined();
    await queue.push(1);
    const waiting = queue.push(2); // full: waits for room
    expect(queue.tryTake()).toBe(1);
    await waiting; // the take made room, and the waiting producer's event moved in
    expect([queue.tryTake(), queue.tryTake()]).toEqual([2, undefined]);
    expect(queue.stats()).toMatchObject({ enqueued: 2, delivered: 2, waitingProducers: 0 });
  });

  test("requeue puts an undelivered event back in front", async () => {
    const queue = new EventQueue<number>();
    await queue.push(1);
    await queue.push(2);
    const one = await queue.take();
    queue.requeue(one as number);
    expect([await queue.take(), await queue.take()]).toEqual([1, 2]);
    expect(queue.stats()).toMatchObject({ delivered: 2, requeued: 1 });
  });

  test("close answers waiting takers empty, refuses waiting and new producers", async () => {
    const queue = new EventQueue<number>({ capacity: 1 });
    const taker = queue.take();
    queue.close();
    expect(await taker).toBeUndefined();
    await expect(queue.push(1)).rejects.toBeInstanceOf(QueueClosedError);

    const full = new EventQueue<number>({ capacity: 1 });
    await full.push(1);
    const producer = full.push(2);
    full.close();
    await expect(producer).rejects.toBeInstanceOf(QueueClosedError);
    expect(await full.take()).toBeUndefined();
  });

  test("tryPush never waits", async () => {
    const queue = new EventQueue<number>({ capacity: 1 });
    expect(queue.tryPush(1)).toBe(true);
    expect(queue.tryPush(2)).toBe(false);
    expect(await queue.take()).toBe(1);
  });

  test("stays ordered through many pushes and takes", async () => {
    const queue = new EventQueue<number>({ capacity: 100 });
    const out: number[] = [];
    const consumer = (async () => {
      for (let i = 0; i < 5000; i++) out.push((await queue.take()) as number);
    })();
    for (let i = 0; i < 5000; i++) await queue.push(i);
    await consumer;
    expect(out).toEqual(Array.from({ length: 5000 }, (_, i) => i));
  });
});
