// One timer for many scheduled callbacks: a min-heap of due times served by a single loop that sleeps on the injected
// clock until the earliest one. 10,000 interval or cron subscriptions then cost one small heap entry each instead of a
// timer, a promise chain and a closure per subscription.
//
// A callback runs synchronously when due and must not block; it usually re-schedules itself. An entry whose cancel
// token (an AbortSignal, a Subscription: anything with `aborted`) reads aborted is dropped when it reaches the top; no
// listener per entry, to keep entries small.
import type { Clock } from "@gofer/kernel/clock";

/** What runs when an entry is due: a function, or an object's fire() (no closure per entry). */
export type TimerTarget = (() => void) | { fire(): void };

interface Entry {
  atMs: number;
  seq: number;
  target: TimerTarget;
  cancel: Cancellable | undefined;
}

/** What an entry can be cancelled by: an AbortSignal, a Subscription, anything with an `aborted` flag. */
export interface Cancellable {
  readonly aborted: boolean;
}

export class TimerQueue {
  private readonly heap: Entry[] = [];
  private seq = 0;
  private wake: AbortController | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly onError: (error: unknown) => void = () => {},
  ) {}

  get size(): number {
    return this.heap.length;
  }

  /** Runs target at atMs (epoch ms on the clock), unless cancel reads aborted by then. */
  schedule(atMs: number, target: TimerTarget, cancel?: Cancellable): void {
    const entry: Entry = { atMs, seq: this.seq++, target, cancel };
    this.push(entry);
    // An entry that is now the earliest must cut the loop's current sleep short.
    if (this.heap[0] === entry) this.wake?.abort();
  }

  /** Starts the loop; it runs until signal aborts. Returns a promise that settles when the loop has stopped. */
  start(signal: AbortSignal): Promise<void> {
    this.running ??= this.loop(signal);
    return this.running;
  }

  private async loop(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      const top = this.heap[0];
      const nowMs = this.clock.now().getTime();
      if (top && top.atMs <= nowMs) {
        this.pop();
        if (top.cancel?.aborted) continue;
        try {
          if (typeof top.target === "function") top.target();
          else top.target.fire();
        } catch (error) {
          this.onError(error);
        }
        continue;
      }
      this.wake = new AbortController();
      const both = AbortSignal.any([signal, this.wake.signal]);
      // With nothing scheduled, sleep long; schedule() wakes the loop.
      const delayMs = top ? top.atMs - nowMs : 24 * 3_600_000;
      try {
        await this.clock.sleep(delayMs, both);
      } catch {
        // woken by schedule() or stopped: loop around and look again
      }
    }
  }

  private push(entry: Entry): void {
    const heap = this.heap;
    heap.push(entry);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(heap[i] as Entry, heap[parent] as Entry)) break;
      [heap[i], heap[parent]] = [heap[parent] as Entry, heap[i] as Entry];
      i = parent;
    }
  }

  private pop(): void {
    const heap = this.heap;
    const last = heap.pop() as Entry;
    if (heap.length === 0) return;
    heap[0] = last;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      if (left < heap.length && before(heap[left] as Entry, heap[smallest] as Entry)) smallest = left;
      if (right < heap.length && before(heap[right] as Entry, heap[smallest] as Entry)) smallest = right;
      if (smallest === i) break;
      [heap[i], heap[smallest]] = [heap[smallest] as Entry, heap[i] as Entry];
      i = smallest;
    }
  }
}

function before(a: Entry, b: Entry): boolean {
  return a.atMs < b.atMs || (a.atMs === b.atMs && a.seq < b.seq);
}
