// The bounded queue a trigger's events wait in until Gofer's Watch call takes them (the original's "channel of 100",
// spec §3.3), without its bugs (spec §7 #7, #8):
//
// - A full queue makes producers wait (backpressure), but every wait ends when the producer's signal aborts
//   (unsubscribe, shutdown) or the queue closes: nothing is ever stuck, and nothing is pushed into a closed queue.
// - Each event goes to exactly one taker, in push order. A taker whose signal aborts (a Watch cancelled by its caller)
//   resolves with undefined and consumes nothing; an event that could not be delivered can be put back at the front.
// - close() answers every waiting taker with undefined and refuses every waiting producer.
//
// States: OPEN → CLOSED (close() is idempotent). In OPEN, at most one of {waiting takers, waiting producers} is
// non-empty: takers wait only on an empty queue, producers only on a full one.
import { type Clock, systemClock } from "@gofer/kernel/clock";

export class QueueClosedError extends Error {
  override name = "QueueClosedError";
  constructor() {
    super("event queue is closed");
  }
}

export interface EventQueueOptions {
  /** Events held before producers wait. Default 100, as the original triggers. */
  capacity?: number;
  clock?: Clock;
}

export interface EventQueueStats {
  enqueued: number;
  delivered: number;
  /** Items put back after a failed delivery. */
  requeued: number;
  /** Total time producers spent waiting for room, in ms. */
  producerBlockedMs: number;
  queued: number;
  waitingProducers: number;
  waitingTakers: number;
}

interface Producer<T> {
  item: T;
  since: number;
  resolve: () => void;
  reject: (reason: unknown) => void;
  cleanup: () => void;
}

interface Taker<T> {
  resolve: (item: T | undefined) => void;
  cleanup: () => void;
}

export class EventQueue<T> {
  readonly capacity: number;
  private readonly clock: Clock;
  private items: T[] = [];
  private head = 0;
  private producers: Producer<T>[] = [];
  private takers: Taker<T>[] = [];
  private closed = false;
  private counters = { enqueued: 0, delivered: 0, requeued: 0, producerBlockedMs: 0 };

  constructor(options: EventQueueOptions = {}) {
    const capacity = options.capacity ?? 100;
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
    this.capacity = capacity;
    this.clock = options.clock ?? systemClock;
  }

  get size(): number {
    return this.items.length - this.head;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /**
   * Adds an item, waiting while the queue is full. Rejects with the signal's reason if it aborts first, or with
   * QueueClosedError if the queue is (or becomes) closed; in both cases the item was not added.
   */
  push(item: T, signal?: AbortSignal): Promise<void> {
    if (this.closed) return Promise.reject(new QueueClosedError());
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.deliverToTaker(item) || this.appendIfRoom(item)) {
      this.counters.enqueued += 1;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const producer: Producer<T> = {
        item,
        since: this.clock.now().getTime(),
        resolve,
        reject,
        cleanup: () => signal?.removeEventListener("abort", onAbort),
      };
      const onAbort = () => {
        const index = this.producers.indexOf(producer);
        if (index === -1) return;
        this.producers.splice(index, 1);
        this.chargeBlocked(producer);
        reject(signal?.reason);
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.producers.push(producer);
    });
  }

  /** Adds an item if there is room now; never waits. */
  tryPush(item: T): boolean {
    if (this.closed || !(this.deliverToTaker(item) || this.appendIfRoom(item))) return false;
    this.counters.enqueued += 1;
    return true;
  }

  /** Takes the next item if one is queued now; never waits (a busy trigger's Watch needs no promise). */
  tryTake(): T | undefined {
    return this.size > 0 ? this.shift() : undefined;
  }

  /**
   * Takes the next item, waiting while the queue is empty. Resolves with undefined, consuming nothing, when the signal
   * aborts or the queue closes.
   */
  take(signal?: AbortSignal): Promise<T | undefined> {
    if (this.size > 0) return Promise.resolve(this.shift());
    if (this.closed || signal?.aborted) return Promise.resolve(undefined);
    return new Promise<T | undefined>((resolve) => {
      const taker: Taker<T> = { resolve, cleanup: () => signal?.removeEventListener("abort", onAbort) };
      const onAbort = () => {
        const index = this.takers.indexOf(taker);
        if (index === -1) return;
        this.takers.splice(index, 1);
        resolve(undefined);
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.takers.push(taker);
    });
  }

  /**
   * Puts an item that was taken but could not be delivered back at the front, ahead of everything else, so it is the
   * next one taken. Capacity does not apply: the item already had a place.
   */
  requeue(item: T): void {
    if (this.closed) return;
    this.counters.delivered -= 1;
    this.counters.requeued += 1;
    if (this.deliverToTaker(item)) return;
    if (this.head > 0) {
      this.head -= 1;
      this.items[this.head] = item;
    } else {
      this.items.unshift(item);
    }
  }

  /** Closes the queue: waiting takers get undefined, waiting producers are refused. Queued items are dropped. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const taker of this.takers.splice(0)) {
      taker.cleanup();
      taker.resolve(undefined);
    }
    for (const producer of this.producers.splice(0)) {
      producer.cleanup();
      this.chargeBlocked(producer);
      producer.reject(new QueueClosedError());
    }
    this.items = [];
    this.head = 0;
  }

  stats(): EventQueueStats {
    return {
      ...this.counters,
      queued: this.size,
      waitingProducers: this.producers.length,
      waitingTakers: this.takers.length,
    };
  }

  /** Hands an item straight to the oldest waiting taker, if any. */
  private deliverToTaker(item: T): boolean {
    const taker = this.takers.shift();
    if (!taker) return false;
    taker.cleanup();
    this.counters.delivered += 1;
    taker.resolve(item);
    return true;
  }

  private appendIfRoom(item: T): boolean {
    if (this.size >= this.capacity) return false;
    this.items.push(item);
    return true;
  }

  private shift(): T {
    const item = this.items[this.head] as T;
    this.items[this.head] = undefined as T;
    this.head += 1;
    // Compact now and then so the backing array does not grow without bound.
    if (this.head >= 1024 && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    this.counters.delivered += 1;
    this.admitProducer();
    return item;
  }

  /** After a take frees a place, the oldest waiting producer's item moves in. */
  private admitProducer(): void {
    const producer = this.producers.shift();
    if (!producer) return;
    producer.cleanup();
    this.chargeBlocked(producer);
    this.items.push(producer.item);
    this.counters.enqueued += 1;
    producer.resolve();
  }

  private chargeBlocked(producer: Producer<T>): void {
    this.counters.producerBlockedMs += this.clock.now().getTime() - producer.since;
  }
}
